/**
 * A few more of torch's top-level names that ported code calls: torch.detach, randint_like,
 * split_with_sizes and the unsafe_ split forms, narrow_copy, frobenius_norm, nuclear_norm,
 * get_num_threads and the older torch.lu, each a short composition of wg functions.
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { info } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import type { DType } from '../ops/types.js';
import { randint } from './factories.js';
import { chunk, narrow, split } from './layout.js';
import { matrixNorm, vectorNorm } from './torch-forms.js';
import { luFactorOf } from './linalg-lu.js';
import { named } from './linalg-host.js';
import { torchForm } from './keywords.js';

/** torch.detach(x): x.detach(). */
export function detach(x: Tensor): Tensor {
  checkTensor('detach', 'input', x);
  return x.detach();
}

/** torch.split_with_sizes(x, split_sizes, dim = 0) (and unsafe_split_with_sizes), torch.unsafe_split and torch.unsafe_chunk: split and chunk (results are copies here). */
export const splitWithSizes = split;
export const unsafeSplitWithSizes = split;
export const unsafeSplit = split;
export const unsafeChunk = chunk;
/** torch.narrow_copy: narrow (a copy anyway). */
export const narrowCopy = narrow;

interface RandintLikeOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/**
 * torch.randint_like(x, low = 0, high, {dtype, requiresGrad}): uniform integers in [low, high) in
 * x's shape and, as torch, x's dtype unless dtype says otherwise (float32 x gives float32 integers).
 */
export function randintLike(x: Tensor, lowOrHigh: number, high?: number | RandintLikeOptions, opts?: RandintLikeOptions): Tensor {
  checkTensor('randintLike', 'input', x);
  const [low, hi, o] = typeof high === 'number' ? [lowOrHigh, high, opts] : [0, lowOrHigh, high];
  const { dtype = x.dtype, requiresGrad } = checkOptions<RandintLikeOptions>('randintLike', o, ['dtype', 'requiresGrad']);
  return randint(low, hi, x.shape, { dtype, requiresGrad });
}

/** torch.frobenius_norm(x, dim?, keepdim = false): √Σx² over dim (every element without it). */
export function frobeniusNorm(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  checkTensor('frobeniusNorm', 'input', x);
  return vectorNorm(x, { ord: 2, dim: dim ?? null, keepdim });
}

/**
 * torch.nuclear_norm(x, keepdim = false) of a 2-D x, or nuclear_norm(x, dim, keepdim = false) over
 * the two dims given: the sum of singular values (linalg.matrixNorm 'nuc').
 */
export function nuclearNorm(x: Tensor, dimOrKeepdim?: readonly number[] | boolean, keepdim = false): Tensor {
  checkTensor('nuclearNorm', 'input', x);
  if (Array.isArray(dimOrKeepdim)) {
    if (dimOrKeepdim.length !== 2) throw new ValueError('nuclearNorm', `dim must be two dims, got ${fmtValue(dimOrKeepdim)}`);
    return matrixNorm(x, { ord: 'nuc', dim: dimOrKeepdim, keepdim });
  }
  if (x.ndim !== 2) throw new ShapeError('nuclearNorm', `expected a tensor with 2 dimensions (or give dim), got shape ${fmtShape(x.shape)}`);
  return matrixNorm(x, { ord: 'nuc', keepdim: (dimOrKeepdim as boolean | undefined) ?? false });
}

/** torch.get_num_threads: the threads wasmgrad computes on (wg.init's `threads`; 1 before init or without a pool). */
export const getNumThreads = (): number => info().threads;

/** What torch.lu returns: {LU, pivots} (1-based int32 pivots), with getInfos also info. */
export type LuResult = { LU: Tensor; pivots: Tensor; info?: Tensor } & Iterable<Tensor>;

/**
 * torch.lu(A, pivot = true, get_infos = false), torch's older form of linalg.luFactor: the packed
 * LU and pivots, and with getInfos the int32 info (0, or the 1-based index of U's first zero
 * pivot). As torch.lu, a singular A is no error (linalg.luFactor's is).
 */
function luImpl(A: Tensor, pivot = true, getInfos = false): LuResult {
  checkBool('lu', 'getInfos', getInfos);
  const { LU, pivots, info } = luFactorOf('lu', A, pivot, false);
  return getInfos ? named({ LU, pivots, info }) : named({ LU, pivots });
}
export const lu = /* @__PURE__ */ torchForm('lu', luImpl, { positional: ['pivot', 'getInfos'] });
