/**
 * Searching and counting as functions: searchsorted, bucketize, histc (table: src/ops/statistics.ts),
 * and the functions whose result's size depends on the data, read in JavaScript: nonzero, argwhere,
 * unique, uniqueConsecutive, bincount.
 */
import { DTypeError, ShapeError, ValueError, fmtShape, ofTensor, fmtValue } from '../errors.js';
import { checkBool, checkIndices, checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import { sink } from '../engine/sink.js';
import type { Tensor } from '../engine/tensor.js';
import { op } from '../ops/index.js';
import { normDim } from '../ops/reduce.js';
import { checkIntAtLeast, sizeOf, sameShape } from '../ops/types.js';
import { filled, make, tensor } from './creation.js';
import { gather, scatterAdd } from './indexing.js';
import { to } from './integer.js';
import { amax, amin, floatInput } from './reduce.js';

/**
 * t's values read in JavaScript, for `reason` (a check, or a result whose size depends on them).
 * Inside wg.compile that makes the function re-run its JavaScript every call (maskedSelect's rule),
 * so every call is checked and sized from its own data.
 */
export function readValues(fn: string, t: Tensor, reason: string): Float32Array | Int32Array | Float64Array {
  if (sink.mode !== 'off') sink.slow(`${fn} reads ${fmtShape(t.shape)} ${t.dtype} values in JavaScript: ${reason}`);
  return t.rawValues();
}

export interface SearchsortedOptions {
  /** false (default): the first index with sorted ≥ value; true: with sorted > value. */
  right?: boolean;
  /** 'left' or 'right', the same choice as `right`, and it wins over `right: false` (side 'left' with right true is an error), as PyTorch. */
  side?: 'left' | 'right';
  /** int32 indices that sort each row of an unsorted sequence (its shape). */
  sorter?: Tensor;
}

/**
 * int32 indices at which the values would be inserted into the rows of sortedSequence (1-D, or
 * with the values' leading dims) to keep them sorted, as torch.searchsorted; values a tensor or a
 * number (a 0-d result). float32 or int32 inputs.
 */
export function searchsorted(sortedSequence: Tensor, values: Tensor | number, opts?: SearchsortedOptions): Tensor {
  const { right, side, sorter } = checkOptions<SearchsortedOptions>('searchsorted', opts, ['right', 'side', 'sorter']);
  checkTensor('searchsorted', 'sortedSequence', sortedSequence);
  checkBool('searchsorted', 'right', right);
  if (side !== undefined && side !== 'left' && side !== 'right') throw new ValueError('searchsorted', `side must be 'left' or 'right', got ${fmtValue(side)}`);
  // PyTorch rejects only side 'left' with right true; side 'right' wins over right false
  if (side === 'left' && right === true) throw new ValueError('searchsorted', 'side "left" and right true are opposites: give one of them');
  const v = typeof values === 'number' ? tensor(values) : values;
  checkTensor('searchsorted', 'values', v);
  let s = sortedSequence;
  if (sorter !== undefined) {
    checkTensor('searchsorted', 'sorter', sorter);
    if (sorter.dtype !== 'int32' || !sameShape(sorter.shape, s.shape))
      throw new ShapeError(
        'searchsorted',
        `sorter must be an int32 tensor of the sorted sequence's shape ${fmtShape(s.shape)}, got ${sorter.dtype} ${fmtShape(sorter.shape)}`,
      );
    const m = s.shape[s.ndim - 1] ?? 1;
    checkIndices('searchsorted', sorter, m, `the last dim (size ${m}) of a sorted sequence of shape ${fmtShape(s.shape)}`);
    s = gather(s, -1, sorter);
  }
  return apply(op('searchsorted'), [to(s, 'float32'), to(v, 'float32')], { right: side === undefined ? right === true : side === 'right' });
}

/** int32 index of the bucket of each element among 1-D sorted boundaries (torch.bucketize: searchsorted with the arguments swapped). */
export function bucketize(input: Tensor | number, boundaries: Tensor, opts?: { right?: boolean }): Tensor {
  const { right } = checkOptions<{ right?: boolean }>('bucketize', opts, ['right']);
  checkTensor('bucketize', 'boundaries', boundaries);
  if (boundaries.ndim !== 1) throw new ShapeError('bucketize', `boundaries must be 1-D, got a tensor of shape ${fmtShape(boundaries.shape)}`);
  return searchsorted(boundaries, input, { right });
}

export interface HistcOptions {
  /** Default 100. */
  bins?: number;
  /** min = max (both 0 by default): the data's smallest and largest element (±1 if they are equal). */
  min?: number;
  max?: number;
}

/**
 * float32 histogram of x's elements in [min, max] over `bins` equal bins (torch.histc); elements
 * outside are not counted, x = max counts in the last bin, NaN in the first (as PyTorch). min = max
 * takes the data's range, read in JavaScript.
 */
export function histc(x: Tensor, opts?: HistcOptions): Tensor {
  const { bins = 100, ...range } = checkOptions<HistcOptions>('histc', opts, ['bins', 'min', 'max']);
  floatInput('histc', x);
  let { min = 0, max = 0 } = range;
  if (min === max && x.size > 0) {
    min = readValues('histc', amin(x), 'the data range sets the bins')[0];
    max = readValues('histc', amax(x), 'the data range sets the bins')[0];
  }
  if (min === max) {
    min -= 1;
    max += 1;
  }
  return apply(op('histc'), [x], { bins, min, max });
}

/** Flat index p of an array of `shape` as its coordinates. */
const coordinates = (p: number, shape: readonly number[]) => {
  const c = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    c[k] = p % shape[k];
    p = Math.floor(p / shape[k]);
  }
  return c;
};

/**
 * int32 coordinates of x's nonzero elements (NaN included), one row each in row-major order: [n,
 * ndim]; with asTuple one int32 [n] tensor per dim (a 0-d x as 1-D). The size depends on the
 * values, read in JavaScript (inside wg.compile: maskedSelect's rule).
 */
export function nonzero(x: Tensor, opts: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  const { asTuple = false } = checkOptions<{ asTuple?: boolean }>('nonzero', opts, ['asTuple']);
  checkTensor('nonzero', 'input', x);
  checkBool('nonzero', 'asTuple', asTuple);
  const v = readValues('nonzero', x, "the result's size is the number of nonzero elements");
  const rows: number[][] = [];
  v.forEach((e, p) => e !== 0 && rows.push(coordinates(p, x.shape)));
  if (!asTuple) return tensor(rows.flat(), { shape: [rows.length, x.ndim], dtype: 'int32' });
  if (x.ndim === 0)
    return [
      tensor(
        rows.map(() => 0),
        { shape: [rows.length], dtype: 'int32' },
      ),
    ];
  return x.shape.map((_, k) =>
    tensor(
      rows.map((r) => r[k]),
      { shape: [rows.length], dtype: 'int32' },
    ),
  );
}
/** nonzero(x) as [n, ndim] int32 coordinates (torch.argwhere). */
export const argwhere = (x: Tensor): Tensor => nonzero(x) as Tensor;

export interface UniqueOptions {
  /** Accepted for PyTorch's signature: the result is always sorted (PyTorch's CPU order for false is unspecified). */
  sorted?: boolean;
  /** Also return, for each element of x (each slice along dim), the index of its value (slice) in the result (int32). */
  returnInverse?: boolean;
  /** Also return how many elements (slices) each value (slice) has (int32). */
  returnCounts?: boolean;
  /** Unique slices along this dim instead of the values of the flattened tensor. */
  dim?: number;
}

function uniqueResult(fn: string, x: Tensor, o: UniqueOptions, sortValues: boolean): Tensor | Tensor[] {
  checkTensor(fn, 'input', x);
  checkBool(fn, 'sorted', o.sorted);
  checkBool(fn, 'returnInverse', o.returnInverse);
  checkBool(fn, 'returnCounts', o.returnCounts);
  const s = x.shape;
  if (o.dim !== undefined && s.length === 0) throw new ShapeError(fn, `dim ${fmtValue(o.dim)} needs a tensor with dims, got a 0-d tensor`);
  const d = o.dim === undefined ? -1 : normDim(fn, s, o.dim);
  // slice r (of n) has the elements (a, b), a over the dims before d, b over those after: v[(a·n + r)·B + b]
  const n = d < 0 ? x.size : s[d],
    A = d < 0 ? 1 : sizeOf(s.slice(0, d)),
    B = d < 0 ? 1 : sizeOf(s.slice(d + 1)),
    m = A * B;
  if (d >= 0 && m === 0 && n > 0)
    throw new ShapeError(fn, `dim ${o.dim} of size ${n} leaves empty slices ${ofTensor(s)}: only an empty dim ${o.dim} is allowed`);
  if (d >= 0 && n === 0 && s.filter((e) => e === 0).length > 1) throw new ShapeError(fn, `a tensor of shape ${fmtShape(s)} has more than one empty dim`);
  const v = readValues(fn, x, `the result's size is the number of distinct ${d < 0 ? 'values' : 'slices'}`);
  const at = (r: number, j: number) => v[(Math.floor(j / B) * n + r) * B + (j % B)];
  // lexicographic, NaN above every number (PyTorch 1.13's CPU comparison treats NaN as equal to anything, which leaves its order unspecified)
  const cmp = (p: number, q: number) => {
    for (let j = 0; j < m; j++) {
      const a = at(p, j),
        b = at(q, j);
      if (a < b || (b !== b && a === a)) return -1;
      if (a > b || (a !== a && b === b)) return 1;
    }
    return p - q;
  };
  const order = Array.from({ length: n }, (_, r) => r);
  if (sortValues) order.sort(cmp);
  // runs of equal slices (NaN ≠ NaN: a slice holding NaN is a run of its own, as at::equal)
  const same = (p: number, q: number) => {
    for (let j = 0; j < m; j++) if (at(p, j) !== at(q, j)) return false;
    return true;
  };
  const kept: number[] = [],
    counts: number[] = [],
    inverse = new Array<number>(n);
  order.forEach((r, k) => {
    if (k === 0 || !same(r, order[k - 1])) {
      kept.push(r);
      counts.push(0);
    }
    counts[counts.length - 1]++;
    inverse[r] = kept.length - 1;
  });
  const u = kept.length;
  const values = Array.from({ length: A * u * B }, (_, i) => at(kept[Math.floor(i / B) % u], Math.floor(i / (u * B)) * B + (i % B)));
  const out = [tensor(values, { shape: d < 0 ? [u] : s.map((e, k) => (k === d ? u : e)), dtype: x.dtype })];
  if (o.returnInverse) out.push(tensor(inverse, { shape: d < 0 ? s : [n], dtype: 'int32' }));
  if (o.returnCounts) out.push(tensor(counts, { shape: [u], dtype: 'int32' }));
  return out.length === 1 ? out[0] : out;
}

/**
 * The distinct values of x, sorted (NaN last, each NaN distinct), as a 1-D tensor of x's dtype, or
 * with dim the distinct slices along dim, sorted lexicographically; with returnInverse /
 * returnCounts the array [values, inverse?, counts?] (PyTorch's tuple). Read in JavaScript.
 */
export function unique(x: Tensor, opts: UniqueOptions = {}): Tensor | Tensor[] {
  return uniqueResult('unique', x, checkOptions<UniqueOptions>('unique', opts, ['sorted', 'returnInverse', 'returnCounts', 'dim']), true);
}
/** x (flattened, or its slices along dim) with each run of consecutive equal values (slices) kept once; returnInverse / returnCounts as unique. */
export function uniqueConsecutive(x: Tensor, opts: Omit<UniqueOptions, 'sorted'> = {}): Tensor | Tensor[] {
  return uniqueResult('uniqueConsecutive', x, checkOptions<UniqueOptions>('uniqueConsecutive', opts, ['returnInverse', 'returnCounts', 'dim']), false);
}

/**
 * Occurrences of each value 0..max of a 1-D int32 x of non-negative values (int32 [max(max + 1,
 * minlength)]), or the sums of the float32 weights at each value (a scatter-add: weights get its
 * gradient). The length depends on the values, read in JavaScript.
 */
export function bincount(x: Tensor, opts: { weights?: Tensor; minlength?: number } = {}): Tensor {
  const { weights, minlength = 0 } = checkOptions<{ weights?: Tensor; minlength?: number }>('bincount', opts, ['weights', 'minlength']);
  checkTensor('bincount', 'input', x);
  if (x.dtype !== 'int32') throw new DTypeError('bincount', `the input must be an int32 tensor, got a ${x.dtype} tensor of shape ${fmtShape(x.shape)}`);
  if (x.ndim !== 1) throw new ShapeError('bincount', `the input must be 1-D, got a tensor of shape ${fmtShape(x.shape)}`);
  checkIntAtLeast('bincount', 'minlength', minlength, 0);
  const v = readValues('bincount', x, "the result's length is the largest value + 1");
  const bad = v.findIndex((e) => e < 0);
  if (bad >= 0) throw new ValueError('bincount', `the input must hold values ≥ 0, got ${v[bad]} at position ${bad}`);
  const n = Math.max(
    minlength,
    Array.from(v).reduce((m, e) => Math.max(m, e + 1), 0),
  );
  // the result is allocated before anything is counted: a length the heap cannot hold (minlength
  // 2³¹) is bincount's OutOfMemoryError, not the JavaScript engine's crash
  if (weights === undefined)
    return make('bincount', [n], 'int32', (be, p) => {
      const counts = new Int32Array(n);
      v.forEach((e) => counts[e]++);
      be.write(p, counts, 'int32');
    });
  checkTensor('bincount', 'weights', weights);
  if (weights.dtype !== 'float32' || !sameShape(weights.shape, x.shape))
    throw new ShapeError(
      'bincount',
      `weights must be a float32 tensor of the input's shape ${fmtShape(x.shape)}, got ${weights.dtype} ${fmtShape(weights.shape)}`,
    );
  return scatterAdd(filled('bincount', [n], 0, {}), 0, x, weights);
}
