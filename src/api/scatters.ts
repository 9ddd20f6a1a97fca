/**
 * PyTorch's out-of-place writes into a copy: sliceScatter, selectScatter, diagonalScatter (src
 * embedded where slicing, select or diagonal would read), indexPut and put (advanced-index writes,
 * `accumulate` adding), maskedScatter (source's elements in order where the mask is true) and
 * indexReduce. All are indexCopy/indexAdd/scatterReduce along one dim of a reshaped x, so the
 * gradient goes to x (0 where overwritten) and to the written values, as torch's.
 */
import { checkBool, checkIndices, checkOptions, checkTensor } from '../engine/check.js';
import { sink } from '../engine/sink.js';
import { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { checkDim, sameShape, sizeOf } from '../ops/types.js';
import { make, tensor, writeGenerated } from './creation.js';
import { maximum, minimum, mul } from './elementwise.js';
import { onesLike, zerosLike } from './factories.js';
import { indexAdd, indexCopy, scatterAdd, scatterReduce, type ScatterReduce } from './indexing.js';
import { floorDivide } from './integer.js';
import { expand, movedim, narrow } from './layout.js';
import { reshape } from './shape.js';

/**
 * Positions as an int32 tensor. Those fixed by shapes and arguments alone (`hoisted`) are a
 * constant inside wg.compile; those read from index or mask values are made anew each call.
 */
export const positions = (fn: string, values: readonly number[], hoisted: boolean): Tensor =>
  hoisted
    ? make(fn, [values.length], 'int32', (be, ptr, n) => writeGenerated(be, ptr, n, 'int32', (i) => values[i]), false, `positions ${values.join(' ')}`)
    : tensor(values, { dtype: 'int32' });

/** src must have exactly `want` (the region it fills); a ShapeError naming both otherwise. */
function fits(fn: string, src: Tensor, want: readonly number[], region: string): void {
  if (!sameShape(src.shape, want)) throw new ShapeError(fn, `src must have the shape of ${region}, ${fmtShape(want)}, got ${fmtShape(src.shape)}`);
}
function sameDtype(fn: string, x: Tensor, src: Tensor, what = 'src'): void {
  if (src.dtype !== x.dtype) throw new DTypeError(fn, `${what} must have the input's dtype ${x.dtype}, got ${src.dtype}`);
}
/** t's values at every position of `shape` (t broadcast to it), read in JavaScript: no copy is computed, so inside wg.compile an input's values can be read. */
function broadcastRead(t: Tensor, shape: readonly number[]): number[] {
  const v = t.rawValues();
  const lead = shape.length - t.ndim;
  // t's stride along each dim of shape: 0 where t has size 1 or lacks the dim
  const strides = shape.map((_, k) => (k < lead || t.shape[k - lead] === 1 ? 0 : sizeOf(t.shape.slice(k - lead + 1))));
  return Array.from({ length: sizeOf(shape) }, (_, p) => {
    let at = 0;
    for (let k = shape.length - 1, rest = p; k >= 0; rest = Math.floor(rest / shape[k]), k--) at += (rest % shape[k]) * strides[k];
    return v[at];
  });
}
const integer = (fn: string, what: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ValueError(fn, `${what} must be an integer, got ${fmtValue(v)}`);
  return v;
};

export interface SliceScatterOptions {
  dim?: number;
  start?: number | null;
  end?: number | null;
  step?: number;
}
/**
 * torch.slice_scatter(input, src, dim = 0, start = None, end = None, step = 1): a copy of x with src
 * where x[start:end:step] (along dim) reads; bounds as Python's slices (negatives from the end,
 * clamped), step ≥ 1. Also `(x, src, {dim, start, end, step})`.
 */
export function sliceScatter(
  x: Tensor,
  src: Tensor,
  dimOrOpts: number | SliceScatterOptions = 0,
  start: number | null = null,
  end: number | null = null,
  step = 1,
): Tensor {
  const o: SliceScatterOptions =
    typeof dimOrOpts === 'object' ? checkOptions('sliceScatter', dimOrOpts, ['dim', 'start', 'end', 'step']) : { dim: dimOrOpts, start, end, step };
  checkTensor('sliceScatter', 'input', x);
  checkTensor('sliceScatter', 'src', src);
  sameDtype('sliceScatter', x, src);
  const d = checkDim('sliceScatter', o.dim ?? 0, x.ndim, x.shape);
  const n = x.shape[d];
  const st = integer('sliceScatter', 'step', o.step ?? 1);
  if (st < 1) throw new ValueError('sliceScatter', `step must be positive, got ${st}`);
  const bound = (v: number | null | undefined, what: string, dflt: number) => {
    if (v === null || v === undefined) return dflt;
    const b = integer('sliceScatter', what, v);
    return Math.min(Math.max(b < 0 ? b + n : b, 0), n);
  };
  const [lo, hi] = [bound(o.start, 'start', 0), bound(o.end, 'end', n)];
  const picked: number[] = [];
  for (let i = lo; i < hi; i += st) picked.push(i);
  fits(
    'sliceScatter',
    src,
    x.shape.map((s, k) => (k === d ? picked.length : s)),
    `the slice ${lo}:${hi}:${st} of dim ${d} of an input of shape ${fmtShape(x.shape)}`,
  );
  return picked.length === 0 ? x.clone() : indexCopy(x, d, positions('sliceScatter', picked, true), src);
}

/** torch.select_scatter(input, src, dim, index): a copy of x with src where x.select(dim, index) reads (index negative from the end). */
export function selectScatter(x: Tensor, src: Tensor, dim: number, index: number): Tensor {
  checkTensor('selectScatter', 'input', x);
  checkTensor('selectScatter', 'src', src);
  sameDtype('selectScatter', x, src);
  const d = checkDim('selectScatter', dim, x.ndim, x.shape);
  const n = x.shape[d];
  const i = integer('selectScatter', 'index', index);
  if (i < -n || i >= n) throw new ValueError('selectScatter', `index ${i} is out of range for dim ${d} of size ${n} (valid: ${-n}..${n - 1})`);
  fits(
    'selectScatter',
    src,
    x.shape.filter((_, k) => k !== d),
    `x.select(${d}, ${i})`,
  );
  return indexCopy(x, d, positions('selectScatter', [i < 0 ? i + n : i], true), src.unsqueeze(d));
}

/**
 * torch.diagonal_scatter(input, src, offset = 0, dim1 = 0, dim2 = 1): a copy of x with src where
 * x.diagonal(offset, dim1, dim2) reads (src: the other dims, then the diagonal's length). The two
 * dims are moved last and flattened; the diagonal is then one indexCopy along that flat dim.
 */
export function diagonalScatter(x: Tensor, src: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  checkTensor('diagonalScatter', 'input', x);
  checkTensor('diagonalScatter', 'src', src);
  sameDtype('diagonalScatter', x, src);
  integer('diagonalScatter', 'offset', offset);
  const [d1, d2] = [checkDim('diagonalScatter', dim1, x.ndim, x.shape, 'dim1'), checkDim('diagonalScatter', dim2, x.ndim, x.shape, 'dim2')];
  if (d1 === d2) throw new ValueError('diagonalScatter', `dim1 and dim2 must differ, got ${dim1} and ${dim2}`);
  const [rows, cols] = [x.shape[d1], x.shape[d2]];
  const [r0, c0] = [Math.max(-offset, 0), Math.max(offset, 0)];
  const length = Math.max(Math.min(rows - r0, cols - c0), 0);
  const rest = x.shape.filter((_, k) => k !== d1 && k !== d2);
  fits('diagonalScatter', src, [...rest, length], `x.diagonal(${offset}, ${dim1}, ${dim2})`);
  if (length === 0) return x.clone();
  const flat = movedim(x, [d1, d2], [-2, -1]).reshape([...rest, rows * cols]);
  const at = Array.from({ length }, (_, i) => (r0 + i) * cols + c0 + i);
  const moved = indexCopy(flat, rest.length, positions('diagonalScatter', at, true), src).reshape([...rest, rows, cols]);
  return movedim(moved, [-2, -1], [d1, d2]);
}

/**
 * torch.index_put(input, indices, values, accumulate = false): x[i0, i1, …] = values with int32
 * index tensors for x's leading dims (broadcast together; negatives from the end), values
 * broadcast to the indexed shape; `accumulate` adds instead (repeated positions add up; without it
 * the last write wins). A float32 index is a boolean mask (there is no bool dtype: nonzero = true,
 * an int32 tensor is always indices) over as many dims as it has, as torch's bool index: it stands
 * for the int32 coordinates of its true elements, one tensor per dim (`x[mask] = v`); a 0-d mask
 * indexes no dim and is an index of shape [1] when true, [0] when false, broadcast with the others
 * (torch's `x[True] = v`, `x[False] = v`). Linearised over the indexed dims into one
 * indexCopy/indexAdd.
 */
export function indexPut(x: Tensor, indices: readonly Tensor[], values: Tensor | number, accumulate = false): Tensor {
  checkTensor('indexPut', 'input', x);
  checkBool('indexPut', 'accumulate', accumulate);
  if (!Array.isArray(indices) || indices.length === 0)
    throw new ValueError('indexPut', `indices must be a non-empty array of int32 index or float32 mask tensors, got ${fmtValue(indices)}`);
  const coords: Tensor[] = [];
  // the index shapes of 0-d masks: [1] (true) or [0] (false), coordinates of no dim
  const scalars: number[][] = [];
  indices.forEach((t, k) => {
    checkTensor('indexPut', `indices[${k}]`, t);
    const j = coords.length;
    const mask = t.dtype === 'float32';
    if (j + (mask ? t.ndim : 1) > x.ndim)
      throw new ShapeError(
        'indexPut',
        `too many indices for an input of shape ${fmtShape(x.shape)}: indices[${k}] ${t.dtype} ${fmtShape(t.shape)} starts at dim ${j}`,
      );
    if (!mask) {
      checkIndices('indexPut', t, x.shape[j], `dim ${j} of size ${x.shape[j]} of an input of shape ${fmtShape(x.shape)}`, true);
      coords.push(t);
      return;
    }
    const covered = x.shape.slice(j, j + t.ndim);
    if (!sameShape(t.shape, covered))
      throw new ShapeError(
        'indexPut',
        `the mask indices[${k}] must have the shape ${fmtShape(covered)} of the input's dims from ${j} (input ${fmtShape(x.shape)}), got ${fmtShape(t.shape)}`,
      );
    if (sink.mode !== 'off') sink.slow(`indexPut reads its mask ${fmtShape(t.shape)} in JavaScript: the positions follow its values`);
    if (t.ndim === 0) {
      scalars.push([t.rawValues()[0] !== 0 ? 1 : 0]);
      return;
    }
    const trues: number[] = [];
    t.rawValues().forEach((v, p) => {
      if (v !== 0) trues.push(p);
    });
    // the coordinates of the flat positions p along each of the mask's dims
    t.shape.forEach((n, m) => {
      const stride = sizeOf(t.shape.slice(m + 1));
      coords.push(
        positions(
          'indexPut',
          trues.map((p) => Math.floor(p / stride) % n),
          false,
        ),
      );
    });
  });
  const k = coords.length;
  const at = broadcastShapes('indexPut', [...coords.map((t) => t.shape), ...scalars]);
  const lead = x.shape.slice(0, k),
    rest = x.shape.slice(k);
  // the flat position over the indexed dims, Σ (i_j wrapped)·stride_j, read from the (input) indices
  const strides = lead.map((_, j) => sizeOf(lead.slice(j + 1)));
  const spread = coords.map((t) => broadcastRead(t, at));
  const linear = Array.from({ length: sizeOf(at) }, (_, p) => spread.reduce((acc, v, j) => acc + (v[p] < 0 ? v[p] + lead[j] : v[p]) * strides[j], 0));
  const v = values instanceof Tensor ? values : tensor(values, { dtype: x.dtype });
  checkTensor('indexPut', 'values', v);
  sameDtype('indexPut', x, v, 'values');
  const n = sizeOf(at);
  const rows = reshape(expand(v, broadcastShapes('indexPut', [v.shape, [...at, ...rest]])), [n, ...rest]);
  const flat = reshape(x, [sizeOf(lead), ...rest]);
  const idx = positions('indexPut', linear, false);
  return reshape(accumulate ? indexAdd(flat, 0, idx, rows) : indexCopy(flat, 0, idx, rows), x.shape);
}

/** torch.put(input, index, source, accumulate = false): x read as 1-D, source's elements written (or added) at index (negatives from the end). */
export function put(x: Tensor, index: Tensor, source: Tensor, accumulate = false): Tensor {
  checkTensor('put', 'input', x);
  checkTensor('put', 'index', index);
  checkTensor('put', 'source', source);
  if (index.size !== source.size)
    throw new ShapeError(
      'put',
      `index and source must have as many elements, got ${fmtShape(index.shape)} (${index.size}) and ${fmtShape(source.shape)} (${source.size})`,
    );
  return reshape(indexPut(reshape(x, [x.size]), [reshape(index, [index.size])], reshape(source, [source.size]), accumulate), x.shape);
}

/**
 * torch.masked_scatter(input, mask, source): x and mask broadcast together; where the mask is
 * nonzero, source's elements in row-major order (source needs at least as many). The positions
 * depend on the mask's values, read in JavaScript: inside wg.compile the function re-runs its
 * JavaScript every call (as maskedSelect).
 */
export function maskedScatter(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  checkTensor('maskedScatter', 'input', x);
  checkTensor('maskedScatter', 'mask', mask);
  checkTensor('maskedScatter', 'source', source);
  sameDtype('maskedScatter', x, source, 'source');
  const shape = broadcastShapes('maskedScatter', [x.shape, mask.shape]);
  if (sink.mode !== 'off') sink.slow(`maskedScatter reads its mask ${fmtShape(mask.shape)} ${mask.dtype} in JavaScript: the positions follow its values`);
  const m = broadcastRead(mask, shape);
  const picked: number[] = [];
  m.forEach((v, i) => {
    if (v !== 0) picked.push(i);
  });
  if (picked.length > source.size)
    throw new ShapeError(
      'maskedScatter',
      `source has ${source.size} elements (shape ${fmtShape(source.shape)}), fewer than the mask's ${picked.length} true elements`,
    );
  const flat = reshape(expand(x, shape), [sizeOf(shape)]);
  if (picked.length === 0) return reshape(flat, shape);
  return reshape(indexCopy(flat, 0, positions('maskedScatter', picked, false), narrow(reshape(source, [source.size]), 0, 0, picked.length)), shape);
}

export type IndexReduce = 'prod' | 'mean' | 'amax' | 'amin';
/**
 * torch.index_reduce(input, dim, index, source, reduce, include_self = true): source's slices
 * combined by `reduce` into x's slices along dim at the 1-D index's positions (float32 or int32,
 * both alike). float32 'mean', 'amax', 'amin' are scatterReduce with the index spread over source's
 * shape. int32 'mean' is that sum floor-divided by the count (torch 1.13 rounds an integer mean
 * down: (5 + 2 + 6 + 1) / 4 → 3, −11 / 4 → −3). 'prod' (and int32 'amax'/'amin', exact where a
 * float compare is not beyond 2²⁴) combine in rounds (the r-th slice sent to each position in round
 * r; the index read in JavaScript), so every factor, a 0 too, gets its exact gradient (the product
 * of the others).
 */
export function indexReduce(x: Tensor, dim: number, index: Tensor, source: Tensor, reduce: IndexReduce, opts: { includeSelf?: boolean } = {}): Tensor {
  const { includeSelf = true } = checkOptions<{ includeSelf?: boolean }>('indexReduce', opts, ['includeSelf']);
  checkBool('indexReduce', 'includeSelf', includeSelf);
  checkTensor('indexReduce', 'input', x);
  checkTensor('indexReduce', 'index', index);
  checkTensor('indexReduce', 'source', source);
  if (!['prod', 'mean', 'amax', 'amin'].includes(reduce as string))
    throw new ValueError('indexReduce', `reduce must be 'prod', 'mean', 'amax' or 'amin', got ${fmtValue(reduce)}`);
  sameDtype('indexReduce', x, source, 'source');
  if (index.dtype !== 'int32' || index.ndim > 1)
    throw new ShapeError('indexReduce', `index must be a 1-D int32 tensor, got ${index.dtype} ${fmtShape(index.shape)}`);
  const d = checkDim('indexReduce', dim, Math.max(x.ndim, 1), x.shape);
  fits(
    'indexReduce',
    source,
    x.shape.map((s, k) => (k === d ? index.size : s)),
    `the input with dim ${d} of the index's length ${index.size}`,
  );
  checkIndices('indexReduce', index, x.shape[d], `dim ${d} of size ${x.shape[d]} of an input of shape ${fmtShape(x.shape)}`);
  const int = x.dtype === 'int32';
  if (reduce === 'mean' || (reduce !== 'prod' && !int)) {
    const spread = expand(
      reshape(
        index,
        x.shape.map((_, k) => (k === d ? index.size : 1)),
      ),
      source.shape,
    );
    if (!int) return scatterReduce(x, d, spread, source, reduce as ScatterReduce, { includeSelf });
    // where nothing lands the count is 0 (clamped to 1) and the sum x itself
    const count = scatterAdd(includeSelf ? onesLike(x) : zerosLike(x), d, spread, onesLike(source));
    return floorDivide(scatterReduce(x, d, spread, source, 'sum', { includeSelf }), count.clampMin(1));
  }
  const targets = Array.from(index.rawValues());
  const seen = new Map<number, number>();
  const rounds: { at: number[]; from: number[] }[] = [];
  targets.forEach((t, i) => {
    const r = seen.get(t) ?? 0;
    seen.set(t, r + 1);
    (rounds[r] ??= { at: [], from: [] }).at.push(t);
    rounds[r].from.push(i);
  });
  const int32 = (values: readonly number[]) => positions('indexReduce', values, false);
  const slices = ({ at, from }: { at: number[]; from: number[] }, into: Tensor) => indexCopy(into, d, int32(at), source.indexSelect(d, int32(from)));
  // without include_self the first round replaces x's slices; each later one multiplies in (its
  // slices among ones) or, int32 amax/amin, is compared with the result (its slices written over a
  // copy of the result, which elsewhere equals it)
  const pick = reduce === 'amax' ? maximum : minimum;
  let out = includeSelf || rounds.length === 0 ? x : slices(rounds[0], x);
  for (const r of rounds.slice(includeSelf ? 0 : 1)) out = reduce === 'prod' ? mul(out, slices(r, onesLike(x))) : pick(out, slices(r, out));
  return out;
}
