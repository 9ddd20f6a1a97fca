/**
 * Indexing and selection as functions: gather, scatter, scatterReduce, scatterAdd, indexAdd, indexSelect, take,
 * index (x[idx], x[i0, i1]), maskedFill, maskedSelect, tril, triu. Table: src/ops/indexing.ts.
 * Shapes are checked by the table's planners, index values here (checkIndices), before anything runs.
 */
import { lift, ones, zeros } from './creation.js';
import { copyFor } from './shape.js';
import { addedInt, intNumber, movedInt } from './int-moves.js';
import { checkBool, checkIndices, checkOptions, checkTensor } from '../engine/check.js';
import { zerosLike } from './factories.js';
import { where } from './integer.js';
import { apply, constant } from '../engine/engine.js';
import { allocTransient } from '../engine/memory.js';
import { sink } from '../engine/sink.js';
import { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { broadcastShapes, forEachBroadcast, planBroadcast } from '../ops/broadcast.js';
import { planGather, planIndex, planIndexAdd, planIndexSelect, planTake, type ScatterMode } from '../ops/indexing.js';
import { broadcastView, contiguousView } from '../ops/shape.js';
import { checkDim, checkFinite, fmtShape, sameShape, type DType } from '../ops/types.js';
import { op } from '../ops/index.js';

/** The gather of x's dtype: float32 data (differentiable) or int32 data (labels, indices). */
const gatherOf = (x: Tensor) => op(x.dtype === 'int32' ? 'indexGatherInt' : 'indexGather');
const SCATTER = op('indexScatter');

/** A live tensor of dtype `dtype` (DTypeError naming `what` otherwise). */
function typed(fn: string, what: string, t: unknown, dtype: DType): asserts t is Tensor {
  checkTensor(fn, what, t);
  const a = (d: DType) => (d === 'int32' ? `an ${d}` : `a ${d}`);
  if (t.dtype !== dtype) throw new DTypeError(fn, `${what} must be ${a(dtype)} tensor, got ${a(t.dtype)} tensor of shape ${fmtShape(t.shape)}`);
}

/** What an index along dim d of x points into, for range errors. */
const dimOf = (x: Tensor, d: number) => `dim ${d} of size ${x.shape[d] ?? 1} of an input of shape ${fmtShape(x.shape)}`;

/** gather and indexSelect: the index's values checked against dim's size (no wrapping, as PyTorch). */
function gatherAlong(fn: 'gather' | 'indexSelect', x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor(fn, 'input', x);
  typed(fn, 'index', index, 'int32');
  const { map, dim: d } = (fn === 'gather' ? planGather : planIndexSelect)(fn, x, dim, index);
  checkIndices(fn, index, map.dimSize, dimOf(x, d));
  return apply(gatherOf(x), [x, index], map);
}

/** out[i][j] = x[i][index[i][j]] along dim (dim 1 here): index int32 of x's rank, no larger than x but along dim. */
export const gather = (x: Tensor, dim: number, index: Tensor): Tensor => gatherAlong('gather', x, dim, index);

/** scatter's reductions (PyTorch's scatter_reduce with include_self = true, less 'prod'). */
export type ScatterReduce = 'sum' | 'mean' | 'amax' | 'amin';
const REDUCE_MODES: Record<ScatterReduce, ScatterMode> = { sum: 'add', mean: 'add', amax: 'amax', amin: 'amin' };

/**
 * A copy of x with src[i][j] written at [i][index[i][j]] (along dim; a number writes that value).
 * Repeated indices: the last position (row-major over index) wins, on both backends. With
 * `reduce`, x's element and every src value scattered into it are combined instead (PyTorch's
 * scatter_reduce, include_self): 'sum' (scatterAdd), 'mean' (their mean), 'amax'/'amin' (the
 * gradient shared evenly by the values equal to the result), and torch.scatter's own 'add'
 * ('sum'; torch has no gradient there, this one is scatterAdd's). 'prod'/'multiply' are not supported.
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number, opts: { reduce?: ScatterReduce | 'add' | 'multiply' } = {}): Tensor {
  const o = checkOptions<{ reduce?: ScatterReduce | 'add' | 'multiply' }>('scatter', opts, ['reduce']);
  // torch.scatter's own reduce names: 'add' is scatter_reduce's 'sum' with the input included
  const reduce = o.reduce === 'add' ? 'sum' : o.reduce;
  if (reduce !== undefined) checkReduce('scatter', reduce);
  return reduce === undefined ? scatterInto('scatter', x, dim, index, src, 'write') : scatterWith('scatter', x, dim, index, src, reduce);
}

function checkReduce(fn: 'scatter' | 'scatterReduce', reduce: unknown): asserts reduce is ScatterReduce {
  if (typeof reduce !== 'string' || !Object.hasOwn(REDUCE_MODES, reduce)) {
    const modes = fn === 'scatter' ? `'add' (= 'sum'), 'mean', 'amax', 'amin' or absent` : `'sum', 'mean', 'amax' or 'amin'`;
    throw new ValueError(fn, `reduce must be ${modes}, got ${fmtValue(reduce)} ('prod' and 'multiply' are not supported)`);
  }
}

/** int32 inputs reduce by 'sum' only (exact); PyTorch's integer mean, amax and amin are not supported. */
function intSumOnly(fn: string, x: Tensor, reduce: ScatterReduce): void {
  if (x instanceof Tensor && x.dtype === 'int32' && reduce !== 'sum')
    throw new DTypeError(fn, `reduce '${reduce}' takes a float32 input, got an int32 tensor of shape ${fmtShape(x.shape)} (int32 takes 'sum')`);
}

/** scatter with a reduction that includes x's element (PyTorch's include_self = true). */
function scatterWith(fn: string, x: Tensor, dim: number, index: Tensor, src: Tensor | number, reduce: ScatterReduce): Tensor {
  intSumOnly(fn, x, reduce);
  const y = scatterInto(fn, x, dim, index, src, REDUCE_MODES[reduce]);
  if (reduce !== 'mean') return y;
  // The mean of x's element and the values added to it: divided by 1 + how many were.
  return y.div(scatterInto(fn, ones(x.shape), dim, index, 1, 'add'));
}

/**
 * PyTorch's scatter_reduce(dim, index, src, reduce, include_self): src's values combined by `reduce`
 * into a copy of x along dim. includeSelf (default true) is `scatter(…, {reduce})`; with false, x's
 * element is left out wherever a value lands ('mean' divides by the values' count only) and kept
 * where none does.
 */
export function scatterReduce(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduce, opts: { includeSelf?: boolean } = {}): Tensor {
  const { includeSelf = true } = checkOptions<{ includeSelf?: boolean }>('scatterReduce', opts, ['includeSelf']);
  checkBool('scatterReduce', 'includeSelf', includeSelf);
  checkReduce('scatterReduce', reduce);
  intSumOnly('scatterReduce', x, reduce);
  checkTensor('scatterReduce', 'src', src);
  if (includeSelf) return scatterWith('scatterReduce', x, dim, index, src, reduce);
  const count = scatterInto('scatterReduce', zerosLike(x), dim, index, 1, 'add');
  const hit = count.gt(0);
  if (reduce === 'mean') {
    // the count is clamped to 1 where nothing lands so the unused quotient stays finite (no 0/0 in its gradient)
    const mean = scatterInto('scatterReduce', zerosLike(x), dim, index, src, 'add').div(count.clampMin(1));
    return where(hit, mean, x);
  }
  // x's element replaced by the reduction's identity where values land, so only they combine
  const identity = reduce === 'sum' ? 0 : reduce === 'amax' ? -Infinity : Infinity;
  return scatterInto('scatterReduce', where(hit, identity, x), dim, index, src, REDUCE_MODES[reduce]);
}

/** A copy of x with src[i][j] added at [i][index[i][j]] (along dim); repeated indices add up in index order. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkTensor('scatterAdd', 'src', src);
  return scatterInto('scatterAdd', x, dim, index, src, 'add');
}

function scatterInto(fn: string, x: Tensor, dim: number, index: Tensor, src: Tensor | number, mode: ScatterMode): Tensor {
  // int32 takes writes (values moved) and sums (exact, in digits); amax/amin compare floats
  typed(fn, 'input', x, x instanceof Tensor && x.dtype === 'int32' && mode !== 'amax' && mode !== 'amin' ? 'int32' : 'float32');
  typed(fn, 'index', index, 'int32');
  if (typeof src !== 'number') typed(fn, 'src', src, x.dtype);
  const { map, dim: d } = planGather(fn, x, dim, index, typeof src === 'number' ? undefined : src);
  checkIndices(fn, index, map.dimSize, dimOf(x, d));
  const into = (y: Tensor, s: Tensor | number, m: ScatterMode) => {
    const strides = typeof s === 'number' ? map.shape.map(() => 0) : contiguousView(s.shape).strides;
    return apply(SCATTER, [y, index, lift(s, y)], { ...map, src: strides, mode: m });
  };
  if (x.dtype === 'float32') return into(x, src, mode);
  // a scatter of positions: a number src is the fill of position 0
  if (mode === 'write')
    return typeof src === 'number' ? movedInt(fn, [x], ([p]) => into(p, 0, mode), Math.trunc(src)) : movedInt(fn, [x, src], ([p, q]) => into(p, q, mode));
  const s =
    typeof src === 'number' ? apply(op('copyInt'), [constant(intNumber(fn, 'the value', src), x.storage.backend, 'int32')], broadcastView([], map.shape)) : src;
  // values land on one element from index positions that differ only along dim
  return addedInt(fn, x, s, index.shape[d] ?? 1, (digits) => into(zeros(x.shape), digits, 'add'));
}

/** A copy of x with alpha·source added along dim at the 1-D index's positions (source: x's shape, len(index) along dim). */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, opts: { alpha?: number } = {}): Tensor {
  const { alpha = 1 } = checkOptions<{ alpha?: number }>('indexAdd', opts, ['alpha']);
  checkTensor('indexAdd', 'input', x);
  typed('indexAdd', 'index', index, 'int32');
  typed('indexAdd', 'source', source, x.dtype);
  checkFinite('indexAdd', 'alpha', alpha);
  const int = x.dtype === 'int32';
  const { map, dim: d } = planIndexAdd(x, dim, index, source, int ? 1 : alpha);
  checkIndices('indexAdd', index, map.dimSize, dimOf(x, d));
  if (!int) return apply(SCATTER, [x, index, source], map);
  const a = intNumber('indexAdd', 'alpha', alpha);
  const scaled = a === 1 ? source : apply(op('intMul'), [source, constant(a, x.storage.backend, 'int32')]);
  return addedInt('indexAdd', x, scaled, index.size, (digits) => apply(SCATTER, [zeros(x.shape), index, digits], map));
}

/**
 * A copy of x with source's slices written along dim at the 1-D index's positions (PyTorch's
 * index_copy; source: x's shape with len(index) along dim; a repeated index: the last slice wins).
 * float32 or int32 (exact), x and source of one dtype.
 */
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  checkTensor('indexCopy', 'input', x);
  typed('indexCopy', 'source', source, x.dtype);
  return indexWrite('indexCopy', x, dim, index, source);
}

/** A copy of x with `value` in the slices along dim at the 1-D index's positions (PyTorch's index_fill; int32 x: the value truncated toward 0). */
export function indexFill(x: Tensor, dim: number, index: Tensor, value: number): Tensor {
  checkTensor('indexFill', 'input', x);
  if (typeof value !== 'number') throw new ValueError('indexFill', `value must be a number, got ${fmtValue(value)}`);
  return indexWrite('indexFill', x, dim, index, value);
}

/** indexCopy and indexFill: indexAdd's scatter along dim, writing. */
function indexWrite(fn: string, x: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  typed(fn, 'index', index, 'int32');
  const shape = typeof src === 'number' ? planIndexSelect(fn, x, dim, index).map.shape : src.shape;
  const { map, dim: d } = planIndexAdd(x, dim, index, { shape, dtype: x.dtype }, 1, fn);
  checkIndices(fn, index, map.dimSize, dimOf(x, d));
  const write = (y: Tensor, s: Tensor | number) =>
    apply(SCATTER, [y, index, lift(s, y)], { ...map, src: typeof s === 'number' ? map.shape.map(() => 0) : map.src, mode: 'write' });
  if (x.dtype === 'float32') return write(x, src);
  return typeof src === 'number' ? movedInt(fn, [x], ([p]) => write(p, 0), Math.trunc(src)) : movedInt(fn, [x, src], ([p, q]) => write(p, q));
}

/**
 * The entries of x along dim at a 1-D int32 index (repeats allowed): dim's size becomes len(index).
 * A 0-d x, as PyTorch: dim 0 or -1, every index 0, and the result is a 0-d copy of x.
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  if (!(x instanceof Tensor) || x.ndim > 0) return gatherAlong('indexSelect', x, dim, index);
  typed('indexSelect', 'index', index, 'int32');
  checkDim('indexSelect', dim, 1, x.shape); // a 0-d tensor takes dims as if it had one
  if (index.ndim > 1) throw new ShapeError('indexSelect', `index must be 1-D, got shape ${fmtShape(index.shape)} (input [])`);
  checkIndices('indexSelect', index, 1, 'a 0-d input (read as one element)');
  return apply(copyFor(x.dtype), [x], contiguousView([]));
}

/** x read as 1-D at int32 indices of any shape (negatives count from the end): the result has the index's shape. */
export function take(x: Tensor, index: Tensor): Tensor {
  checkTensor('take', 'input', x);
  typed('take', 'index', index, 'int32');
  const map = planTake(x, index);
  checkIndices('take', index, map.dimSize, `an input of shape ${fmtShape(x.shape)} read as 1-D (${map.dimSize} elements)`, true);
  return apply(gatherOf(x), [x, index], map);
}

/**
 * PyTorch's x[idx] with int32 index tensors (negatives count from the end):
 * - `index(x, idx, dim = 0)`: along dim, the index of any shape: x.shape[:dim] + idx.shape + x.shape[dim+1:];
 * - `index(x, [e0, e1, …])`: x[e0, e1, …], each entry an int32 tensor, an integer or `null` (a full
 *   slice: x[:, i] is `index(x, [null, i])`). Integers select first (PyTorch's basic indexing);
 *   the tensors broadcast together and their dims replace the indexed dims where those are
 *   adjacent, else lead the result (PyTorch's rule). One gather per index tensor.
 */
export function index(x: Tensor, indices: Tensor | readonly (Tensor | number | null)[], dim?: number): Tensor {
  checkTensor('index', 'input', x);
  let entries: readonly (Tensor | number | null)[];
  if (indices instanceof Tensor) {
    if (x.ndim === 0) throw new ShapeError('index', `a 0-d tensor cannot be indexed (index ${fmtShape(indices.shape)})`);
    entries = [...new Array<null>(checkDim('index', dim ?? 0, x.ndim, x.shape)).fill(null), indices];
  } else if (Array.isArray(indices)) {
    if (dim !== undefined)
      throw new ValueError('index', `dim applies to one index tensor; with a list, put null for the dims before it (got dim ${fmtValue(dim)})`);
    entries = indices;
  } else throw new ValueError('index', `indices must be an int32 Tensor or an array of int32 Tensors, integers and nulls, got ${fmtValue(indices)}`);
  entries.forEach((e, k) => e === null || typeof e === 'number' || typed('index', `indices[${k}]`, e, 'int32'));
  // Validation first (too many entries, tensors that do not broadcast), integers as 0-d indices.
  planIndex(
    'index',
    x.shape,
    entries.map((e) => (e === null ? null : typeof e === 'number' ? [] : e.shape)),
  );
  entries.forEach((e, k) => {
    if (e instanceof Tensor) return checkIndices('index', e, x.shape[k], dimOf(x, k), true);
    if (e !== null && !(Number.isInteger(e) && e >= -x.shape[k] && e < x.shape[k]))
      throw new ValueError('index', `entry ${k}, ${fmtValue(e)}, is not an index of ${dimOf(x, k)} (an integer in ${-x.shape[k]}..${x.shape[k] - 1})`);
  });
  // Integers select first, from the last, so that the dims before each stay where they are.
  let z = x;
  const rest = [...entries];
  for (let k = entries.length - 1; k >= 0; k--) {
    const e = entries[k];
    if (typeof e !== 'number') continue;
    const st = contiguousView(z.shape).strides;
    const keep = (_: number, j: number) => j !== k;
    z = apply(copyFor(z.dtype), [z], { shape: z.shape.filter(keep), strides: st.filter(keep), offset: (e < 0 ? e + z.shape[k] : e) * st[k] });
    rest.splice(k, 1);
  }
  const tensors = rest as (Tensor | null)[];
  const { steps } = planIndex(
    'index',
    z.shape,
    tensors.map((e) => e?.shape ?? null),
  );
  if (steps.length === 0) return z === x ? apply(copyFor(x.dtype), [x], contiguousView(x.shape)) : z;
  return steps.reduce((t, s) => apply(gatherOf(x), [t, tensors[s.entry]!], s.map), z);
}

/** A float32 0/1 mask from a float32 (0/1) or int32 (nonzero = true) one. */
function floatMask(fn: string, mask: unknown): Tensor {
  checkTensor(fn, 'mask', mask);
  return mask.dtype === 'int32' ? apply(op('notEqualMask'), [mask], { value: 0 }) : mask;
}

/**
 * x with `value` where the mask is true (float32 0/1, or int32 nonzero: there is no bool dtype),
 * mask and x broadcast together; value a number or a 0-d tensor, which gets the gradient summed
 * over the masked elements (as PyTorch).
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  checkTensor('maskedFill', 'input', x);
  const m = floatMask('maskedFill', mask);
  if (x.dtype === 'int32') return where(m, intValue(value), x);
  typed('maskedFill', 'input', x, 'float32');
  if (typeof value !== 'number') typed('maskedFill', 'value', value, 'float32');
  return apply(op('maskedFill'), [x, m, lift(value, x)]);
}

/** maskedFill's value for an int32 input, cast to int32 as PyTorch (toward 0); outside int32 a ValueError, as PyTorch's overflow error. */
function intValue(value: unknown): number | Tensor {
  if (typeof value !== 'number') {
    checkTensor('maskedFill', 'value', value);
    return value.dtype === 'int32' ? value : value.to('int32');
  }
  const v = Math.trunc(value);
  if (!(v >= -(2 ** 31) && v < 2 ** 31))
    throw new ValueError('maskedFill', `value ${fmtValue(value)} cannot be converted to int32 (the input's dtype) without overflow`);
  return v;
}

/**
 * The elements of x where the mask is true, x and mask broadcast together, as a 1-D tensor in
 * row-major order; gradient to x at those elements. The result's size depends on the mask's
 * values, read in JavaScript: inside wg.compile the function re-runs its JavaScript every call.
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  checkTensor('maskedSelect', 'input', x);
  checkTensor('maskedSelect', 'mask', mask);
  const shape = broadcastShapes('maskedSelect', [x.shape, mask.shape]);
  if (sink.mode !== 'off')
    sink.slow(`maskedSelect reads its mask ${fmtShape(mask.shape)} ${mask.dtype} in JavaScript: the result's size is the number of true elements`);
  const m = mask.rawValues();
  const picked: number[] = [];
  const { params } = planBroadcast('maskedSelect', [mask, { shape, dtype: 'float32' }]);
  forEachBroadcast(params, 1, (i, [j]) => {
    if (m[j] !== 0) picked.push(i);
  });
  const be = x.storage.backend;
  const s = allocTransient(be, picked.length, 'maskedSelect (positions)');
  be.write(s.ptr, picked, 'int32');
  const positions = new Tensor([picked.length], 'int32', s, false);
  const xb = sameShape(x.shape, shape) ? x : apply(copyFor(x.dtype), [x], broadcastView(x.shape, shape));
  return apply(gatherOf(x), [xb, positions], planTake(xb, positions));
}

function triangle(fn: 'tril' | 'triu', x: Tensor, diagonal: number): Tensor {
  checkTensor(fn, 'input', x);
  // int32 (exact): x where the float32 triangle of ones is 1, else 0; a 1-D x fails the triangle's rank check
  if (x.dtype === 'int32') return where(triangle(fn, ones(x.ndim < 2 ? x.shape : x.shape.slice(-2)), diagonal), x, 0);
  return apply(op(fn), [x], { diagonal });
}

/** The lower triangle of the last two dims: elements with j − i ≤ diagonal kept, the rest 0. */
export const tril = (x: Tensor, diagonal = 0): Tensor => triangle('tril', x, diagonal);
/** The upper triangle of the last two dims: elements with j − i ≥ diagonal kept, the rest 0. */
export const triu = (x: Tensor, diagonal = 0): Tensor => triangle('triu', x, diagonal);
