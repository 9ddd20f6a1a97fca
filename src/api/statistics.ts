/**
 * Statistics and order statistics as functions: median, nanmedian, kthvalue, mode, msort,
 * quantile, nanquantile, nansum, nanmean, countNonzero, aminmax, takeAlongDim, cov, corrcoef.
 * Table: src/ops/statistics.ts. median(dim)/kthvalue/mode return { values, indices } as sort does.
 * Searching and counting: src/api/counting.ts.
 */
import { DTypeError, ShapeError, ValueError, fmtShape, ofTensor, fmtValue } from '../errors.js';
import { checkBool, checkIndices, checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import { Tensor } from '../engine/tensor.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { op } from '../ops/index.js';
import { normDim } from '../ops/reduce.js';
import type { Interpolation, QuantileAttrs, SelectAttrs, SelectKind } from '../ops/statistics.js';
import { broadcastTo } from './convenience.js';
import { readValues } from './counting.js';
import { tensor } from './creation.js';
import { gather } from './indexing.js';
import { amax, amin, floatInput, sum, type Dims } from './reduce.js';
import { reshape } from './shape.js';
import { sort, type ValuesIndices } from './sort.js';

/**
 * { values, indices } of a selection: the values now, the int32 indices (a second sort) on first
 * access, as max(dim)'s: most callers read only the values. The input must still hold the values
 * the selection ran on. int32 x: the int32 pair of composites, exact, no gradient.
 */
function selected(fn: SelectKind, x: Tensor, a: SelectAttrs): ValuesIndices {
  checkTensor(fn, 'input', x);
  const int = x.dtype === 'int32';
  const ai = int ? { ...a, of: fn } : a;
  const v = apply(op(int ? 'selectInt' : fn === 'kthvalue' || fn === 'mode' ? fn : `${fn}Dim`), [int ? x : floatInput(fn, x)], ai);
  const version = x.storage.version;
  let indices: Tensor | undefined;
  return {
    values: v,
    get indices() {
      if (indices === undefined) {
        if (x.storage.version !== version)
          throw new ValueError(fn, `.indices: the input ${fmtShape(x.shape)} was modified in place after ${fn} ran; read .indices first`);
        indices = apply(op(int ? 'selectIntIndex' : `${fn}Index`), [x], ai);
      }
      return indices;
    },
    *[Symbol.iterator]() {
      yield v;
      yield this.indices;
    },
  };
}

function medianOf(fn: 'median' | 'nanmedian', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor | ValuesIndices {
  checkTensor(fn, 'input', x);
  if (dim !== undefined) return selected(fn, x, { dim, keepdim });
  if (x.dtype !== 'int32') return apply(op(fn), [floatInput(fn, x)], {});
  // float32's NaN for no elements has no int32 counterpart (PyTorch 1.13 returns −2³¹)
  if (x.size === 0) throw new ShapeError(fn, `an empty int32 tensor (shape ${fmtShape(x.shape)}) has no median`);
  return selected(fn, reshape(x, [-1]), { dim: 0 }).values;
}

/**
 * The lower median: of all elements (0-d; NaN if any is NaN, or for an empty x), or along dim as
 * { values, indices } (the gradient to the chosen element). Among equal values the index is the
 * one a stable sort puts at the median's rank (PyTorch leaves it unspecified).
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function median(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return medianOf('median', x, dim, keepdim);
}
/** median of the non-NaN elements (NaN where all are NaN). */
export function nanmedian(x: Tensor): Tensor;
export function nanmedian(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function nanmedian(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return medianOf('nanmedian', x, dim, keepdim);
}
/** { values, indices } of the k-th smallest element along dim (k from 1; NaN sorts as the largest). */
export const kthvalue = (x: Tensor, k: number, dim = -1, keepdim = false): ValuesIndices => selected('kthvalue', x, { k, dim, keepdim });
/** { values, indices } of the most frequent value along dim: the smallest of those tied, at the index of its last occurrence (PyTorch 1.13 on the CPU). */
export const mode = (x: Tensor, dim = -1, keepdim = false): ValuesIndices => selected('mode', x, { dim, keepdim });
/** x sorted along dim 0 (torch.msort): sort(x, 0).values. */
export const msort = (x: Tensor): Tensor => sort(x, 0).values;

export interface QuantileOptions {
  /** The dim to reduce; by default all elements (flattened). */
  dim?: number;
  keepdim?: boolean;
  /** 'linear' (default), 'lower', 'higher', 'midpoint' or 'nearest'. */
  interpolation?: Interpolation;
}

/**
 * q as a float32 tensor, its values checked in [0, 1] (read in JavaScript: inside wg.compile a
 * tensor q makes the function re-run its JavaScript every call, so the check sees every q).
 */
function quantiles(fn: string, q: unknown): Tensor {
  const bad = (v: number) => !(v >= 0 && v <= 1);
  if (typeof q === 'number' || (Array.isArray(q) && q.every((v) => typeof v === 'number'))) {
    const list = typeof q === 'number' ? [q] : (q as number[]);
    if (list.some(bad)) throw new ValueError(fn, `q values must be in [0, 1], got ${fmtValue(q)}`);
    return tensor(q as number | number[]);
  }
  if (!(q instanceof Tensor)) throw new ValueError(fn, `q must be a number, an array of numbers or a float32 tensor, got ${fmtValue(q)}`);
  if (q.dtype !== 'float32') throw new DTypeError(fn, `q must be a float32 tensor, got an ${q.dtype} tensor of shape ${fmtShape(q.shape)}`);
  const v = Array.from(readValues(fn, q, 'q must be in [0, 1]'));
  const at = v.findIndex(bad);
  if (at >= 0) throw new ValueError(fn, `q values must be in [0, 1], got ${fmtValue(v[at])} at q[${at}] (q of shape ${fmtShape(q.shape)})`);
  return q;
}

function quantileOf(
  fn: 'quantile' | 'nanquantile',
  x: Tensor,
  q: number | readonly number[] | Tensor,
  opts: QuantileOptions | number | undefined,
  keepdim: boolean | undefined,
): Tensor {
  // torch's positional (q, dim, keepdim); keepdim never follows an options object (torchForm refuses that)
  const o = checkOptions<QuantileOptions>(fn, typeof opts === 'number' ? { dim: opts, keepdim } : opts, ['dim', 'keepdim', 'interpolation']);
  const a: QuantileAttrs = { ...o, ignoreNan: fn === 'nanquantile' };
  return apply(op('quantile'), [floatInput(fn, x), quantiles(fn, q)], a);
}
/**
 * The q-th quantiles (q a number, or a list / 1-D tensor: its dim comes first in the result) of
 * all elements or along opts.dim (a number as opts is the dim, and keepdim may follow it, torch's
 * positional form); NaN where a segment holds NaN. The gradient of 'linear' goes to the two
 * neighbours with the interpolation weights.
 */
export const quantile = (x: Tensor, q: number | readonly number[] | Tensor, opts?: QuantileOptions | number, keepdim?: boolean): Tensor =>
  quantileOf('quantile', x, q, opts, keepdim);
/** quantile of the non-NaN elements (NaN where all are NaN). */
export const nanquantile = (x: Tensor, q: number | readonly number[] | Tensor, opts?: QuantileOptions | number, keepdim?: boolean): Tensor =>
  quantileOf('nanquantile', x, q, opts, keepdim);

/** Σ over dims treating NaN as 0 (gradient 0 there); an int32 x sums as sum does (it holds no NaN). */
export function nansum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor('nansum', 'input', x);
  return x.dtype === 'int32' ? sum(x, dim, keepdim) : apply(op('nansum'), [x], { dim, keepdim });
}
/** The mean of the non-NaN elements over dims (NaN where there are none; gradient 0 at the NaNs). */
export const nanmean = (x: Tensor, dim?: Dims, keepdim = false): Tensor => apply(op('nanmean'), [floatInput('nanmean', x)], { dim, keepdim });
/** int32 count of the nonzero elements (NaN counts) over dims, all by default; x float32 or int32. */
export function countNonzero(x: Tensor, dim?: Dims): Tensor {
  checkTensor('countNonzero', 'input', x);
  const m = x.dtype === 'int32' ? apply(op('notEqualMask'), [x], { value: 0 }) : x;
  return apply(op('countNonzero'), [m], { dim });
}

/** PyTorch's (min, max) named tuple: `const [lo, hi] = wg.aminmax(x)` or `{ min, max }`. */
export interface MinMax extends Iterable<Tensor> {
  min: Tensor;
  max: Tensor;
}
/** { min, max } over all elements or one dim (amin and amax: ties share the gradient evenly). */
export function aminmax(x: Tensor, opts?: { dim?: number; keepdim?: boolean }): MinMax {
  checkTensor('aminmax', 'input', x);
  const { dim, keepdim = false } = checkOptions<{ dim?: number; keepdim?: boolean }>('aminmax', opts, ['dim', 'keepdim']);
  if (dim !== undefined && typeof dim !== 'number')
    throw new ValueError('aminmax', `dim must be an integer or undefined, got ${fmtValue(dim)} ${ofTensor(x.shape)}`);
  checkBool('aminmax', 'keepdim', keepdim);
  if (x.shape.includes(0) && (dim === undefined || x.shape[normDim('aminmax', x.shape, dim)] === 0))
    throw new ShapeError(
      'aminmax',
      `cannot reduce over an empty dim: tensor of shape ${fmtShape(x.shape)}${dim === undefined ? '' : `, dim ${dim}`} has no min or max`,
    );
  const lo = amin(x, dim, keepdim),
    hi = amax(x, dim, keepdim);
  return {
    min: lo,
    max: hi,
    *[Symbol.iterator]() {
      yield lo;
      yield hi;
    },
  };
}

/**
 * x's values at int32 indices along dim (torch.take_along_dim): x and indices broadcast together
 * except along dim; without dim both are read flattened. The gradient is gather's.
 */
export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number): Tensor {
  checkTensor('takeAlongDim', 'input', x);
  checkTensor('takeAlongDim', 'indices', indices);
  if (indices.dtype !== 'int32')
    throw new DTypeError('takeAlongDim', `indices must be an int32 tensor, got a ${indices.dtype} tensor of shape ${fmtShape(indices.shape)}`);
  if (dim === undefined) {
    checkIndices('takeAlongDim', indices, x.size, `an input of shape ${fmtShape(x.shape)} read as 1-D (${x.size} elements)`);
    return gather(reshape(x, [-1]), 0, reshape(indices, [-1]));
  }
  if (x.ndim !== indices.ndim)
    throw new ShapeError(
      'takeAlongDim',
      `input and indices must have the same number of dims, got input ${fmtShape(x.shape)} and indices ${fmtShape(indices.shape)}`,
    );
  const d = normDim('takeAlongDim', x.shape, dim);
  const n = x.shape[d] ?? 1;
  checkIndices('takeAlongDim', indices, n, `dim ${d} of size ${n} of an input of shape ${fmtShape(x.shape)}`);
  const shape = broadcastShapes('takeAlongDim', [x.shape.map((s, k) => (k === d ? indices.shape[d] : s)), indices.shape]);
  return gather(
    broadcastTo(
      x,
      shape.map((s, k) => (k === d ? n : s)),
    ),
    d,
    broadcastTo(indices, shape),
  );
}

export interface CovOptions {
  /** Subtracted from the (weighted) number of observations in the divisor (default 1). */
  correction?: number;
  /** int32 repeat count of each observation (1-D, one per column), ≥ 0. */
  fweights?: Tensor;
  /** float32 weight of each observation (1-D, one per column), ≥ 0. */
  aweights?: Tensor;
}

/**
 * A weight vector of cov as float32 with its values (ones when not given), its dtype and signs
 * checked: the values are read in JavaScript, so inside wg.compile weights make the function re-run
 * its JavaScript.
 */
function covWeights(x: Tensor, w: unknown, what: 'fweights' | 'aweights'): { t: Tensor; v: ArrayLike<number> } {
  const cols = x.ndim === 2 ? x.shape[1] : (x.shape[0] ?? 1);
  if (w === undefined) {
    const ones = new Array<number>(cols).fill(1);
    return { t: tensor(ones), v: ones };
  }
  checkTensor('cov', what, w);
  const dtype = what === 'fweights' ? 'int32' : 'float32';
  if (w.dtype !== dtype)
    throw new DTypeError(
      'cov',
      `${what} must be a${dtype === 'int32' ? 'n' : ''} ${dtype} tensor, got a${w.dtype === 'int32' ? 'n' : ''} ${w.dtype} tensor of shape ${fmtShape(w.shape)}`,
    );
  const v = readValues('cov', w, `${what} must be ≥ 0`);
  const at = v.findIndex((e) => !(e >= 0));
  if (at >= 0) throw new ValueError('cov', `${what} must be ≥ 0, got ${fmtValue(v[at])} at ${what}[${at}]`);
  return { t: w.dtype === 'int32' ? apply(op('toFloat'), [w]) : w, v };
}

/** x as float32 for cov and corrcoef: int32 observations are cast (torch's result is floating point too). */
function observations(fn: string, x: Tensor): Tensor {
  checkTensor(fn, 'input', x);
  return x.dtype === 'int32' ? apply(op('toFloat'), [x]) : x;
}

/**
 * The covariance matrix of the rows (variables) of x over its columns (observations), as torch.cov:
 * divided by N − correction (weighted: Σw − correction·Σ(w·aweights)/Σw); one variable gives 0-d.
 * int32 x is cast to float32. Weights whose products sum to 0 are a ValueError, as torch.
 */
export function cov(x: Tensor, opts?: CovOptions): Tensor {
  const { correction, fweights, aweights } = checkOptions<CovOptions>('cov', opts, ['correction', 'fweights', 'aweights']);
  const xf = observations('cov', x);
  const f = covWeights(x, fweights, 'fweights'),
    a = covWeights(x, aweights, 'aweights');
  if ((fweights !== undefined || aweights !== undefined) && f.v.length === a.v.length && Array.from(f.v).every((e, i) => e * a.v[i] === 0))
    throw new ValueError('cov', `the weights sum to 0 (fweights × aweights over ${f.v.length} observations): the covariance cannot be normalized`);
  return apply(op('cov'), [xf, f.t, a.t], { correction });
}
/** Pearson correlation coefficients of the rows of x (torch.corrcoef), clipped to [−1, 1]; int32 x cast to float32. */
export const corrcoef = (x: Tensor): Tensor => apply(op('corrcoef'), [observations('corrcoef', x)], {});
