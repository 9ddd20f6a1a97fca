/**
 * Sorting and scans as functions: sort, argsort, topk, cumsum, cumprod, cummax, cummin,
 * logcumsumexp. Table: src/ops/sort.ts. sort/topk/cummax/cummin return { values, indices } (PyTorch's
 * named tuples): the indices from an int32 index op, the values gathered at them, whose
 * backward scatters the gradient to those indices.
 */
import { ValueError, fmtShape, fmtValue } from '../errors.js';
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { op } from '../ops/index.js';
import { sliceView } from '../ops/shape.js';
import { planScan } from '../ops/sort.js';
import { planGather } from '../ops/indexing.js';
import { normDim } from '../ops/reduce.js';
import { castTo, floatInput, type DtypeOptions } from './reduce.js';
import { cumExtremeIndexInt, cumprodInt } from './int-scan.js';

/**
 * PyTorch's (values, indices) named tuples: indices are int32. Iterable as the pair, so PyTorch's
 * unpacking `values, indices = torch.sort(x)` reads `const [values, indices] = wg.sort(x)`.
 */
export interface ValuesIndices extends Iterable<Tensor> {
  values: Tensor;
  indices: Tensor;
}

function pair(values: Tensor, indices: Tensor): ValuesIndices {
  return {
    values,
    indices,
    *[Symbol.iterator]() {
      yield values;
      yield indices;
    },
  };
}

export interface SortOptions {
  /** Default −1. */
  dim?: number;
  descending?: boolean;
  /** Accepted for PyTorch's signature: the sort is always stable. */
  stable?: boolean;
}

/**
 * PyTorch's positional form (`x.sort(1, true)`, `x.topk(3, 0, false)`): a dim number in place of
 * the options object, the flags after it in PyTorch's order, as the options object. (Flags after an
 * options object never arrive here: torchForm refuses an options object that is not last.)
 */
function positional<T extends { dim?: number }>(opts: T | number | undefined, flags: Partial<T>): T | undefined {
  if (typeof opts !== 'number') return opts;
  return { dim: opts, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) } as T;
}

/** Checks sort's options under fn's name (so a bad argument is named after what the user called). */
function sortArgs(fn: string, x: Tensor, opts: SortOptions | undefined): { dim: number; descending: boolean } {
  checkTensor(fn, 'input', x);
  const { dim = -1, descending = false, stable } = checkOptions<SortOptions>(fn, opts, ['dim', 'descending', 'stable']);
  checkBool(fn, 'descending', descending);
  checkBool(fn, 'stable', stable);
  planScan(fn, x, dim);
  return { dim, descending };
}

/** The values of x at int32 indices along dim (float32 or int32 x): gather's op (the indices are the sort's, in range), with the indices. */
const take = (x: Tensor, indices: Tensor, dim: number): ValuesIndices =>
  pair(apply(op(x.dtype === 'int32' ? 'indexGatherInt' : 'indexGather'), [x, indices], planGather('gather', x, dim, indices).map), indices);
const order = (x: Tensor, a: { dim: number; descending: boolean }): Tensor => apply(x.dtype === 'int32' ? op('argsortInt') : op('argsort'), [x], a);

/** int32 indices that sort x (float32 or int32) along dim (stable; NaN sorts as the largest, as torch.sort); `argsort(x, dim, descending)` as PyTorch's too. */
export const argsort = (x: Tensor, opts?: SortOptions | number, descending?: boolean): Tensor =>
  order(x, sortArgs('argsort', x, positional(opts, { descending })));

/** { values, indices } of x (float32 or int32) sorted along dim (stable; NaN the largest); the gradient follows the indices; `sort(x, dim, descending)` as PyTorch's too. */
export function sort(x: Tensor, opts?: SortOptions | number, descending?: boolean): ValuesIndices {
  const a = sortArgs('sort', x, positional(opts, { descending }));
  return take(x, order(x, a), a.dim);
}

export interface TopkOptions {
  /** Default −1. */
  dim?: number;
  /** true (default): the k largest, in descending order; false: the k smallest, ascending. */
  largest?: boolean;
  /** Accepted for PyTorch's signature: the result is always sorted. */
  sorted?: boolean;
}

/**
 * The k largest (smallest) elements along dim, as { values, indices }, sorted; ties keep index
 * order (PyTorch leaves their order unspecified). k from 0 to the dim's size. `topk(x, k, dim,
 * largest, sorted)` as PyTorch's too.
 */
export function topk(x: Tensor, k: number, opts?: TopkOptions | number, largest?: boolean, sorted?: boolean): ValuesIndices {
  checkTensor('topk', 'input', x);
  const o = checkOptions<TopkOptions>('topk', positional(opts, { largest, sorted }), ['dim', 'largest', 'sorted']);
  const { dim = -1, largest: big = true } = o;
  checkBool('topk', 'largest', big);
  checkBool('topk', 'sorted', o.sorted);
  const [, d] = planScan('topk', x, dim);
  if (!Number.isInteger(k) || k < 0 || k > d)
    throw new ValueError('topk', `k must be an integer in [0, ${d}] (the size of dim ${dim} of a tensor of shape ${fmtShape(x.shape)}), got ${fmtValue(k)}`);
  let indices = order(x, { dim, descending: big });
  // A 0-d x has its one element whatever k (0 or 1): torch.topk returns it 0-d, as here.
  if (k < d && x.ndim > 0) {
    const nd = normDim('topk', x.shape, dim);
    indices = apply(op('copyInt'), [indices], sliceView(x.shape, nd, 0, k));
  }
  return take(x, indices, dim);
}

/** The running sum along dim; int32 stays int32, wrapping on overflow; `dtype` casts x first (torch's keyword). */
export function cumsum(x: Tensor, dim: number, opts?: DtypeOptions): Tensor {
  const t = castTo('cumsum', x, opts);
  return apply(t.dtype === 'int32' ? op('cumsumInt') : op('cumsum'), [t], { dim });
}
/** The running product along dim; its gradient is exact where x holds zeros. int32 stays int32, wrapping on overflow; `dtype` casts x first. */
export function cumprod(x: Tensor, dim: number, opts?: DtypeOptions): Tensor {
  const t = castTo('cumprod', x, opts);
  return t.dtype === 'int32' ? cumprodInt(t, dim) : apply(op('cumprod'), [t], { dim });
}
/** log of the running Σ eˣ along dim, computed stably. */
export const logcumsumexp = (x: Tensor, dim: number): Tensor => apply(op('logcumsumexp'), [x], { dim });

function cumExtreme(largest: boolean, x: Tensor, dim: number): ValuesIndices {
  // Checked here so that errors name cummax/cummin, not the shared index op (cummaxIndex).
  const fn = largest ? 'cummax' : 'cummin';
  checkTensor(fn, 'input', x);
  if (x.dtype === 'int32') return take(x, cumExtremeIndexInt(largest, x, dim), dim);
  planScan(fn, floatInput(fn, x), dim);
  return take(x, apply(op('cummaxIndex'), [x], { dim, largest }), dim);
}
/** { values, indices } of the running max along dim; ties take the later index, NaN sticks (torch.cummax); int32 too. */
export const cummax = (x: Tensor, dim: number): ValuesIndices => cumExtreme(true, x, dim);
/** { values, indices } of the running min along dim, as cummax. */
export const cummin = (x: Tensor, dim: number): ValuesIndices => cumExtreme(false, x, dim);
