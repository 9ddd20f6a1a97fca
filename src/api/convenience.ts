/**
 * PyTorch conveniences that code ported from PyTorch calls by name: the fixed-rank products, the
 * float classification masks and comparisons, nanToNum, normalize, oneHot, randperm, the diagonal
 * and index views, the aliases (t, swapaxes, moveaxis, broadcastTo), hstack/vstack/meshgrid and
 * empty. The differentiable ones are composites of the op table (src/ops/convenience.ts).
 */
import { checkIndices, checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import { Tensor } from '../engine/tensor.js';
import { sink } from '../engine/sink.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import {
  diagonalView,
  iscloseTolerances,
  repeatInterleaveView,
  selectView,
  type DiagonalAttrs,
  type IscloseAttrs,
  type NormalizeAttrs,
} from '../ops/convenience.js';
import { op } from '../ops/index.js';
import type { View } from '../ops/shape.js';
import { checkDim } from '../ops/types.js';
import { arange, checkShape, createOptions, filled, make, sizeArgs, tensor, writeGenerated, type CreateOptions, type SizeArgs } from './creation.js';
import { indexSelect } from './indexing.js';
import { eq } from './elementwise.js';
import { onesLike, permutation, zerosLike } from './factories.js';
import { operands, to } from './integer.js';
import { expand, movedim } from './layout.js';
import { movedInt, productInt } from './int-moves.js';
import { all, sum } from './reduce.js';
import { cat, clone, permute, reshape, tensorList, transpose } from './shape.js';

type Opts = Omit<CreateOptions, 'shape'>;

// ---- fixed-rank products --------------------------------------------------------------------
const product = (name: 'mm' | 'bmm' | 'mv' | 'dot' | 'outer') => (a: Tensor, b: Tensor) => {
  checkTensor(name, 'input', a);
  checkTensor(name, 'other', b);
  if (a.dtype !== 'int32' || b.dtype !== 'int32') return apply(op(name), [a, b]);
  op(name).plan([a, b], {});
  // each output sums a's last dim of products (outer: one)
  return productInt(name, a, b, name === 'outer' ? 1 : (a.shape[a.ndim - 1] ?? 1), (x, y) => apply(op(name), [x, y]));
};
/** [m, k]·[k, n] → [m, n], 2-D only (torch.mm; matmul broadcasts, mm does not). */
export const mm = product('mm');
/** [b, m, k]·[b, k, n] → [b, m, n], 3-D with equal batch sizes (torch.bmm). */
export const bmm = product('bmm');
/** [m, k]·[k] → [m] (torch.mv). */
export const mv = product('mv');
/** Σ aᵢbᵢ of two 1-D tensors of one length → 0-d (torch.dot). */
export const dot = product('dot');
/** [n] ⊗ [m] → [n, m] (torch.outer). */
export const outer = product('outer');

// ---- classification masks, comparisons ------------------------------------------------------
/** A float32 mask: the composite on float32 x; int32 values are all finite (int32 → `ints`: 0 or 1 everywhere). */
const classify = (name: 'isnan' | 'isinf' | 'isfinite', ints: 0 | 1) => (x: Tensor) => {
  checkTensor(name, 'input', x);
  if (x.dtype === 'int32') return (ints === 1 ? onesLike : zerosLike)(x, { dtype: 'float32' });
  return apply(op(name), [x]);
};
/** float32 1 where x is NaN, else 0 (no gradient). */
export const isnan = classify('isnan', 0);
/** float32 1 where x is +∞ or −∞, else 0. */
export const isinf = classify('isinf', 0);
/** float32 1 where x is neither NaN nor ±∞, else 0 (int32: all 1). */
export const isfinite = classify('isfinite', 1);

const F32_MAX = 3.4028234663852886e38; // the largest finite float32, (2 − 2⁻²³)·2¹²⁷

/**
 * x with NaN → nan (0), +∞ → posinf, −∞ → neginf (default: float32's largest finite values, as
 * torch.nan_to_num on float32); the gradient is 1 where x is kept and 0 where replaced. An int32 x
 * has none of them: a copy.
 */
export function nanToNum(x: Tensor, opts: { nan?: number; posinf?: number; neginf?: number } = {}): Tensor {
  checkTensor('nanToNum', 'input', x);
  const {
    nan = 0,
    posinf = F32_MAX,
    neginf = -F32_MAX,
  } = checkOptions<{ nan?: number; posinf?: number; neginf?: number }>('nanToNum', opts, ['nan', 'posinf', 'neginf']);
  if (x.dtype === 'int32') return clone(x);
  return apply(op('nanToNum'), [x], { nan, posinf, neginf });
}

/**
 * float32 1 where a and b are close, broadcasting: |a − b| ≤ atol + rtol·|b| (rtol 1e-5, atol 1e-8),
 * or equal (infinities of one sign included), or both NaN with equalNan. int32 operands are
 * compared as float32.
 */
export function isclose(a: Tensor, b: Tensor, opts: IscloseAttrs = {}): Tensor {
  checkTensor('isclose', 'input', a);
  checkTensor('isclose', 'other', b);
  const attrs = checkOptions<IscloseAttrs>('isclose', opts, ['rtol', 'atol', 'equalNan']);
  return apply(op('isclose'), operands('isclose', [a, b], true, attrs), attrs);
}

/** Whether every element of isclose(a, b, opts) holds (a JS boolean; empty tensors: true). */
export function allclose(a: Tensor, b: Tensor, opts: IscloseAttrs = {}): boolean {
  checkTensor('allclose', 'input', a);
  checkTensor('allclose', 'other', b);
  iscloseTolerances('allclose', checkOptions<IscloseAttrs>('allclose', opts, ['rtol', 'atol', 'equalNan']));
  return all(isclose(a, b, opts)).item() !== 0;
}

/** Whether a and b have the same shape and equal elements (a JS boolean; NaN ≠ NaN; int32 and float32 compare by value, as torch.equal). */
export function equal(a: Tensor, b: Tensor): boolean {
  checkTensor('equal', 'input', a);
  checkTensor('equal', 'other', b);
  if (a.ndim !== b.ndim || a.shape.some((d, k) => d !== b.shape[k])) return false;
  return all(eq(a, b)).item() !== 0;
}

// ---- oneHot, normalize, randperm --------------------------------------------------------------
/**
 * F.one_hot: int32 class labels [...] → int32 [..., C], 1 at each label's class. numClasses −1
 * (default) takes max(labels) + 1, which reads the labels (an empty tensor has none: ValueError).
 * A label < 0 or ≥ C is a ValueError naming it, its position and the valid range.
 */
export function oneHot(labels: Tensor, numClasses = -1): Tensor {
  checkTensor('oneHot', 'labels', labels);
  if (labels.dtype !== 'int32')
    throw new DTypeError('oneHot', `labels must be an int32 tensor of class indices, got ${labels.dtype} ${fmtShape(labels.shape)}`);
  if (!Number.isInteger(numClasses) || numClasses < -1)
    throw new ValueError('oneHot', `numClasses must be an integer ≥ 0, or -1 (max label + 1), got ${fmtValue(numClasses)}`);
  let c = numClasses;
  if (c === -1) {
    if (labels.size === 0) throw new ValueError('oneHot', `cannot infer the number of classes from empty labels ${fmtShape(labels.shape)}: pass numClasses`);
    c = 0;
    for (const v of labels.rawValues()) c = Math.max(c, v + 1);
  }
  checkIndices('oneHot', labels, c, `${c} classes`);
  const classes = arange(c, { dtype: 'int32' });
  return to(eq(reshape(labels, [...labels.shape, 1]), classes), 'int32');
}

/** F.normalize: x / max(‖x‖_p, eps) along dim (p 2, dim 1, eps 1e-12), gradient as PyTorch's. */
export function normalize(x: Tensor, opts: NormalizeAttrs = {}): Tensor {
  checkTensor('normalize', 'input', x);
  return apply(op('normalize'), [x], checkOptions<NormalizeAttrs>('normalize', opts, ['p', 'dim', 'eps']));
}

/**
 * A random permutation of 0..n−1 (int32 unless dtype says float32), drawn from the global seeded
 * stream (reproducible after manualSeed; not PyTorch's numbers): factories.ts permutation.
 */
export function randperm(n: number, opts: Opts = {}): Tensor {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) throw new ValueError('randperm', `n must be an integer in [0, 2^31 - 1], got ${fmtValue(n)}`);
  const o = createOptions('randperm', opts, ['requiresGrad', 'dtype']);
  const dtype = o.dtype ?? 'int32';
  const perm = permutation(n);
  return make('randperm', checkShape('randperm', [n]), dtype, (be, p, len) => writeGenerated(be, p, len, dtype, (i) => perm[i]), o.requiresGrad);
}

// ---- diagonals and index views (int32: the same strided copy) -------------------------------
/** The composite `name` on float32 x; an int32 x takes the same view as one exact int32 copy. */
function viewCall(name: 'select' | 'diagonal' | 'repeatInterleave', x: Tensor, attrs: object, view: () => View): Tensor {
  checkTensor(name, 'input', x);
  return x.dtype === 'int32' ? apply(op('copyInt'), [x], view()) : apply(op(name), [x], attrs);
}

/** x.select(dim, index): the slice at index along dim, that dim removed (negative index from the end). */
export const select = (x: Tensor, dim: number, index: number): Tensor => viewCall('select', x, { dim, index }, () => selectView('select', x.shape, dim, index));

/** torch.diagonal: the diagonal of dims dim1, dim2 (0, 1) at offset (0), as the result's last dim. */
export function diagonal(x: Tensor, opts: DiagonalAttrs = {}): Tensor {
  const attrs = checkOptions<DiagonalAttrs>('diagonal', opts, ['offset', 'dim1', 'dim2']);
  return viewCall('diagonal', x, attrs, () => diagonalView('diagonal', x.shape, attrs));
}

/**
 * Each element repeated `repeats` times along dim; without dim, of the flattened tensor
 * (torch.repeat_interleave). `repeats` an integer, or an int32 tensor of one count per element
 * (or one count for all).
 */
export const repeatInterleave = (x: Tensor, repeats: number | Tensor, dim?: number | null): Tensor =>
  repeats instanceof Tensor
    ? repeatByCounts(x, repeats, dim)
    : viewCall('repeatInterleave', x, { repeats, dim }, () => repeatInterleaveView('repeatInterleave', x.shape, repeats, dim));

/**
 * repeatInterleave with a tensor of counts: an indexSelect of each position repeated its count
 * times. The result's size is the counts' sum, so they are read in JavaScript: inside wg.compile
 * the function re-runs its JavaScript every call (as maskedSelect).
 */
function repeatByCounts(x: Tensor, repeats: Tensor, dim?: number | null): Tensor {
  const fn = 'repeatInterleave';
  checkTensor(fn, 'input', x);
  if (repeats.dtype !== 'int32') throw new DTypeError(fn, `repeats must be an int32 tensor, got a ${repeats.dtype} tensor of shape ${fmtShape(repeats.shape)}`);
  if (repeats.ndim > 1) throw new ShapeError(fn, `repeats must be 0-d or 1-D, got shape ${fmtShape(repeats.shape)}`);
  if (dim != null && x.ndim === 0) throw new ShapeError(fn, `a 0-d tensor has no dim ${fmtValue(dim)} to repeat along (leave dim out)`);
  const src = dim == null ? reshape(x, [-1]) : x;
  const d = dim == null ? 0 : checkDim(fn, dim, src.ndim, src.shape);
  const n = src.shape[d];
  if (repeats.size !== 1 && repeats.size !== n)
    throw new ShapeError(fn, `repeats ${fmtShape(repeats.shape)} must hold one count or ${n} (the size of dim ${d} of ${fmtShape(src.shape)})`);
  if (sink.mode !== 'off') sink.slow(`repeatInterleave reads its repeats ${fmtShape(repeats.shape)} in JavaScript: the result's size is their sum`);
  const counts = repeats.rawValues();
  if (counts.some((c) => c < 0)) throw new ValueError(fn, `repeats must be ≥ 0, got ${fmtValue(Array.from(counts))}`);
  const positions = Array.from({ length: n }, (_, i) => Array<number>(counts[counts.length === 1 ? 0 : i]).fill(i)).flat();
  return indexSelect(src, d, tensor(positions, { dtype: 'int32' }));
}

/** torch.diag: 1-D → the square matrix with x on diagonal k; 2-D → its diagonal k. */
export function diag(x: Tensor, diagonal = 0): Tensor {
  checkTensor('diag', 'input', x);
  if (x.dtype === 'float32') return apply(op('diag'), [x], { diagonal });
  if (x.ndim === 2) return apply(op('copyInt'), [x], diagonalView('diag', x.shape, { offset: diagonal }));
  op('diag').plan([x], { diagonal });
  return movedInt('diag', [x], ([p]) => apply(op('diag'), [p], { diagonal }));
}

/** The sum of a 2-D tensor's main diagonal → 0-d (torch.trace); int32 sums exactly in int32. */
export function trace(x: Tensor): Tensor {
  checkTensor('trace', 'input', x);
  if (x.dtype === 'float32') return apply(op('trace'), [x]);
  if (x.ndim !== 2) throw new ShapeError('trace', `expects a 2-D matrix, got shape ${fmtShape(x.shape)}`);
  return sum(apply(op('copyInt'), [x], diagonalView('trace', x.shape, {})));
}

// ---- aliases ------------------------------------------------------------------------------------
/** x.t(): a 2-D tensor transposed; 0-d and 1-D unchanged (a copy); more dims: ShapeError, as PyTorch. */
export function t(x: Tensor): Tensor {
  checkTensor('t', 'input', x);
  if (x.ndim > 2) throw new ShapeError('t', `expects a tensor with at most 2 dims, got shape ${fmtShape(x.shape)} (use transpose(d0, d1) or permute)`);
  return transpose(x);
}

/**
 * x.T: the dims reversed (0-d and 1-D unchanged, 2-D transposed; PyTorch 1.13 deprecates it past 2
 * dims but still reverses them), a copy as every view here.
 */
export function reversedDims(x: Tensor): Tensor {
  checkTensor('T', 'input', x);
  return x.ndim < 2
    ? transpose(x)
    : permute(
        x,
        x.shape.map((_, k) => x.ndim - 1 - k),
      );
}

/**
 * x.mT (and x.mH, x.H: conjugation is the identity on real tensors): the last two dims swapped, as
 * PyTorch 1.13 takes them: a 0-d tensor is unchanged, a 1-D one is a ShapeError, and `H` takes
 * only matrices (2-D, or 0-d).
 */
export function matrixTranspose(x: Tensor, name: 'mT' | 'mH' | 'H' | 'adjoint'): Tensor {
  checkTensor(name, 'input', x);
  if (x.ndim === 1 || (name === 'H' && x.ndim > 2))
    throw new ShapeError(
      name,
      `is only supported on ${name === 'H' ? 'matrices (2-D tensors)' : 'matrices or batches of matrices'}, got shape ${fmtShape(x.shape)}` +
        (name === 'H' && x.ndim > 2 ? ' (use mH for batches of matrices)' : ''),
    );
  return transpose(x);
}

/** torch.swapaxes / swapdims: transpose(x, axis0, axis1), both dims required. */
export function swapaxes(x: Tensor, axis0: number, axis1: number): Tensor {
  checkTensor('swapaxes', 'input', x);
  for (const d of [axis0, axis1]) checkDim('swapaxes', d, Math.max(x.ndim, 1), x.shape);
  return transpose(x, axis0, axis1);
}
export const swapdims = swapaxes;
/** torch.moveaxis = movedim. */
export const moveaxis = movedim;
/** torch.broadcast_to = expand. */
export const broadcastTo = expand;

// ---- joins and grids ----------------------------------------------------------------------------
/** torch.hstack: 0-d tensors become [1]; joined along dim 0 when the first is 1-D, else along dim 1. */
export function hstack(tensors: readonly Tensor[]): Tensor {
  const xs = tensorList('hstack', tensors).map((x) => (x.ndim === 0 ? reshape(x, [1]) : x));
  return cat(xs, xs[0].ndim === 1 ? 0 : 1);
}

/** torch.vstack: 0-d tensors become [1, 1], 1-D [n] become [1, n]; joined along dim 0. */
export function vstack(tensors: readonly Tensor[]): Tensor {
  return cat(
    tensorList('vstack', tensors).map((x) => (x.ndim < 2 ? reshape(x, [1, x.size]) : x)),
    0,
  );
}

/**
 * torch.meshgrid of 0-d or 1-D tensors of one dtype: each expanded to the grid [n₀, n₁, …] along
 * its own dim ('ij', the default: torch 1.13 warns without indexing and uses 'ij'); 'xy' swaps the
 * first two dims ([n₁, n₀, …], NumPy's Cartesian order).
 */
export function meshgrid(tensors: readonly Tensor[], opts?: { indexing?: 'ij' | 'xy' }): Tensor[];
/** torch's varargs form, meshgrid(x, y, …, {indexing}). */
export function meshgrid(...tensorsThenOptions: (Tensor | { indexing?: 'ij' | 'xy' })[]): Tensor[];
export function meshgrid(...args: unknown[]): Tensor[] {
  const [tensors, opts = {}] = args[0] instanceof Tensor ? [args.filter((a) => a instanceof Tensor), args.find((a) => !(a instanceof Tensor))] : args;
  if (args[0] instanceof Tensor && args.slice(0, -1).some((a) => !(a instanceof Tensor)))
    throw new ValueError('meshgrid', `takes tensors then one options object, got ${fmtValue(args)}`);
  const xs = tensorList('meshgrid', tensors);
  const { indexing = 'ij' } = checkOptions<{ indexing?: 'ij' | 'xy' }>('meshgrid', opts, ['indexing']);
  if (indexing !== 'ij' && indexing !== 'xy') throw new ValueError('meshgrid', `indexing must be 'ij' or 'xy', got ${fmtValue(indexing)}`);
  const bad = xs.findIndex((x) => x.ndim > 1);
  if (bad >= 0) throw new ShapeError('meshgrid', `expects 0-d or 1-D tensors, got tensors[${bad}] of shape ${fmtShape(xs[bad].shape)}`);
  const odd = xs.findIndex((x) => x.dtype !== xs[0].dtype);
  if (odd >= 0) throw new DTypeError('meshgrid', `expects tensors of one dtype, got ${xs[0].dtype} and ${xs[odd].dtype} (tensors[${odd}])`);
  const axis = (i: number) => (indexing === 'xy' && xs.length > 1 && i < 2 ? 1 - i : i);
  const grid = xs.map((_, i) => xs.find((__, j) => axis(j) === i)!.size);
  return xs.map((x, i) =>
    expand(
      reshape(
        x,
        grid.map((n, k) => (k === axis(i) ? n : 1)),
      ),
      grid,
    ),
  );
}

// ---- empty ------------------------------------------------------------------------------------
/** torch.empty: wasmgrad hands out no uninitialised memory, so zeros (as zeros(shape, opts)). */
export const empty = (...args: SizeArgs): Tensor => {
  const [shape, opts] = sizeArgs(args);
  return filled('empty', shape, 0, opts);
};
/** torch.empty_like: zeros of x's shape and dtype. */
export const emptyLike = (x: Tensor, opts?: Opts): Tensor => zerosLike(x, opts);
