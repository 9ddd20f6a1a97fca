/** embedding (F.embedding): rows of a table picked by int32 indices, with PyTorch's paddingIdx and scaleGradByFreq. Table: src/ops/shape.ts. */
import { zeros } from './creation.js';
import { isfinite } from './convenience.js';
import { add, div, eq, mul, sub } from './elementwise.js';
import { where } from './integer.js';
import { reshape } from './shape.js';
import { checkBool, checkIndices, checkOptions, checkTensor } from '../engine/check.js';
import { apply, constant } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { op } from '../ops/index.js';
import { planGather } from '../ops/indexing.js';
import { planEmbedding } from '../ops/shape.js';

export interface EmbeddingFnOptions {
  /** PyTorch's padding_idx (negative counts from the end): that row gets no gradient. */
  paddingIdx?: number | null;
  /** PyTorch's scale_grad_by_freq: each lookup's gradient is divided by how often its row is looked up in `idx`. */
  scaleGradByFreq?: boolean;
}

/**
 * Rows of weight [n, d] picked by int32 indices of any shape: [...idx.shape, d]. `paddingIdx` is
 * a row that gets no gradient; with `scaleGradByFreq` row k's gradient is the sum of its lookups'
 * gradients each times 1/(the number of k in idx), as PyTorch's.
 */
export function embedding(idx: Tensor, weight: Tensor, opts: EmbeddingFnOptions = {}): Tensor {
  const { paddingIdx = null, scaleGradByFreq = false } = checkOptions<EmbeddingFnOptions>('embedding', opts, ['paddingIdx', 'scaleGradByFreq']);
  checkTensor('embedding', 'indices', idx);
  checkTensor('embedding', 'weight', weight);
  checkBool('embedding', 'scaleGradByFreq', scaleGradByFreq);
  if (idx.dtype !== 'int32') throw new DTypeError('embedding', `indices must be an int32 tensor, got a ${idx.dtype} tensor of shape ${fmtShape(idx.shape)}`);
  const { n } = planEmbedding(idx, weight);
  if (paddingIdx !== null && (!Number.isInteger(paddingIdx) || paddingIdx < -n || paddingIdx >= n))
    throw new ValueError('embedding', `paddingIdx must be an integer in [${-n}, ${n - 1}] or null, got ${fmtValue(paddingIdx)}`);
  // The kernels trust the indices: check them here, where the error can name the position.
  checkIndices('embedding', idx, n, `a weight with ${n} rows`);
  let out = apply(op('embedding'), [idx, weight]);
  if (scaleGradByFreq && weight.requiresGrad) out = scaledByFrequency(out, idx, n);
  if (paddingIdx === null) return out;
  // the rows looked up at the padding index come from a detached copy, so their gradient stops there
  const pad = reshape(eq(idx, paddingIdx < 0 ? paddingIdx + n : paddingIdx), [...idx.shape, 1]);
  return where(pad, out.detach(), out);
}

/**
 * The lookups `out` with the same values and the gradient of each lookup scaled by 1/count of its
 * index in idx (PyTorch's embedding backward: grad_weight[k] += grad[i] · (1/counts[k])).
 * d + (d − out)·(−1/c), d = out detached: d − out is +0, times a negative number −0, and d + −0
 * is d exactly (−0 included); out's gradient is −(g·(−1/c)) = g·(1/c), the float32 scale PyTorch
 * multiplies by. A non-finite element cannot carry a zero term (∞ − ∞ is NaN): it keeps out as is,
 * with its gradient unscaled.
 */
function scaledByFrequency(out: Tensor, idx: Tensor, n: number): Tensor {
  // counts[k] = how many lookups of row k (exact up to 2²⁴): 1 scattered into n zeros at each index.
  // idx was checked above; the scatter's own check would read its flat copy, which a compiled
  // step cannot (a value computed inside it), so the scatter op is applied directly.
  const flat = reshape(idx, [-1]);
  const zero = zeros([n]);
  const { map } = planGather('embedding', zero, 0, flat);
  const counts = apply(op('indexScatter'), [zero, flat, constant(1, zero.storage.backend)], { ...map, src: [0], mode: 'add' });
  // each lookup's −1/count, [...idx.shape, 1]: the count table looked up as a one-column embedding
  const negScale = div(-1, apply(op('embedding'), [idx, reshape(counts, [n, 1])]));
  const d = out.detach();
  return where(isfinite(d), add(d, mul(sub(d, out), negScale)), out);
}
