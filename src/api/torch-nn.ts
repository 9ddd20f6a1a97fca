/**
 * More of PyTorch's nn functions, composed of the API: pdist (F.pdist) and gumbelSoftmax
 * (F.gumbel_softmax).
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { checkDim } from '../ops/types.js';
import { uniform } from '../random.js';
import { generated } from './creation.js';
import { positions } from './scatters.js';
import { cdist } from './distance.js';
import { add, div, sub } from './elementwise.js';
import { zerosLike } from './factories.js';
import { indexSelect, scatter } from './indexing.js';
import { argmax, softmax } from './reduce.js';

/**
 * F.pdist(x, p = 2): the p-norm distances between the rows of x [N, M] for every pair i < j, in
 * row-major order of the upper triangle → [N·(N − 1)/2]. Each pair is one batch entry of cdist, so
 * p = 0, ∞ and a zero distance (gradient 0) behave as cdist's.
 */
export function pdist(x: Tensor, p = 2): Tensor {
  checkTensor('pdist', 'input', x);
  if (x.ndim !== 2) throw new ShapeError('pdist', `expects a 2-D input [N, M], got shape ${fmtShape(x.shape)}`);
  if (x.dtype !== 'float32') throw new DTypeError('pdist', `expects a float32 input, got an int32 tensor of shape ${fmtShape(x.shape)}`);
  if (typeof p !== 'number' || Number.isNaN(p) || p < 0) throw new ValueError('pdist', `p must be a number ≥ 0 or Infinity, got ${fmtValue(p)}`);
  const n = x.shape[0];
  const rows: number[] = [],
    cols: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      rows.push(i);
      cols.push(j);
    }
  const pick = (at: number[]) => indexSelect(x, 0, positions('pdist', at, true)).unsqueeze(1);
  return cdist(pick(rows), pick(cols), { p }).reshape([rows.length]);
}

export interface GumbelSoftmaxOptions {
  tau?: number;
  hard?: boolean;
  /** Accepted for torch's signature, unused (deprecated in torch, where it does nothing either). */
  eps?: number;
  dim?: number;
}
/**
 * F.gumbel_softmax(logits, tau = 1, hard = false, dim = -1): softmax((logits + g)/tau) with g
 * Gumbel(0, 1) noise −log(E), E ~ Exp(1) drawn from the seeded stream (wg.manualSeed; torch's
 * generator gives other values). With `hard`, the one-hot of the argmax in the forward pass and the
 * soft sample's gradient (straight-through: y_hard − y_soft.detach() + y_soft, as torch).
 * tau must be a finite number > 0 (torch does not check; 0 gives NaN there).
 */
export function gumbelSoftmax(logits: Tensor, opts: GumbelSoftmaxOptions = {}): Tensor {
  const { tau = 1, hard = false, dim = -1 } = checkOptions<GumbelSoftmaxOptions>('gumbelSoftmax', opts, ['tau', 'hard', 'eps', 'dim']);
  checkTensor('gumbelSoftmax', 'logits', logits);
  if (logits.dtype !== 'float32')
    throw new DTypeError('gumbelSoftmax', `logits must be a float32 tensor, got an int32 tensor of shape ${fmtShape(logits.shape)}`);
  if (typeof tau !== 'number' || !(tau > 0 && tau < Infinity)) throw new ValueError('gumbelSoftmax', `tau must be a finite number > 0, got ${fmtValue(tau)}`);
  checkBool('gumbelSoftmax', 'hard', hard);
  const d = checkDim('gumbelSoftmax', dim, Math.max(logits.ndim, 1), logits.shape);
  // E = −log(1 − U) with U in [0, 1), so E ≥ 0 and g = −log E
  const gumbels = generated('gumbelSoftmax', logits.shape, () => -Math.log(-Math.log1p(-uniform())), undefined);
  const soft = softmax(div(add(logits, gumbels), tau), d);
  if (!hard) return soft;
  const oneHot = scatter(zerosLike(logits), d, argmax(soft, d, true), 1);
  return add(sub(oneHot, soft.detach()), soft);
}
