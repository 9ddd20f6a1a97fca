/**
 * PyTorch's shape and creation functions that ported code calls by name: view/viewAs (reshape's
 * rules, a copy), the tensor facts (stride, type, isTensor, numel), the in-place random fills,
 * ravel, atleast1d/2d/3d, the stacks (dstack, columnStack, rowStack) and splits (tensorSplit,
 * hsplit, vsplit, dsplit), fliplr/flipud, rot90, diagEmbed, diagflat, blockDiag, cartesianProd,
 * combinations, broadcastTensors/broadcastShapes, trilIndices/triuIndices, vander and logspace.
 * Each is one composite (src/ops/parity-shape.ts) or a few existing ops, so gradients flow.
 */
import { checkBool, checkOptions, checkTensor, isRecord } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, ofTensor, fmtValue } from '../errors.js';
import { broadcastShapes as broadcastShapeOf } from '../ops/broadcast.js';
import { op } from '../ops/index.js';
import { rot90View, vanderColumns, type DiagEmbedAttrs, type Rot90Attrs, type VanderAttrs } from '../ops/parity-shape.js';
import { contiguousView, normDim } from '../ops/shape.js';
import { checkFinite, checkIntAtLeast, sameShape, type DType } from '../ops/types.js';
import { normal, uniform } from '../random.js';
import { checkShape, createOptions, make, tensor, writeGenerated, zeros, type CreateOptions } from './creation.js';
import { diag, meshgrid, vstack } from './convenience.js';
import { movedInt } from './int-moves.js';
import { bernoulli, linspacePoints, onesLike } from './factories.js';
import { readValues } from './counting.js';
import { assign } from './inplace.js';
import { take } from './indexing.js';
import { to } from './integer.js';
import { expand, flip, split } from './layout.js';
import { cat, copyFor, reshape, reshapeNamed, slice, stack, tensorList } from './shape.js';

type Opts = Omit<CreateOptions, 'shape'>;

// ---- view, tensor facts -------------------------------------------------------------------------
/**
 * x.view(shape): reshape's rules and errors (one -1, the same number of elements). Every tensor
 * here is contiguous, so a view always exists; it is a copy, as every view here (writes into it do
 * not reach x). view(dtype), a reinterpretation of the bits, is not supported.
 */
export function view(x: Tensor, shape: readonly number[] | number | DType): Tensor {
  checkTensor('view', 'input', x);
  if (typeof shape === 'string')
    throw new DTypeError(
      'view',
      `view(dtype) reinterprets the bits, which wasmgrad does not support (got ${fmtValue(shape)} for a ${x.dtype} tensor ${fmtShape(x.shape)}); to(dtype) converts the values`,
    );
  return reshapeNamed('view', x, shape);
}

/** x.viewAs(other): x.view(other.shape). */
export function viewAs(x: Tensor, other: Tensor): Tensor {
  checkTensor('viewAs', 'other', other);
  return view(x, other.shape);
}

/** Whether v is a wasmgrad Tensor (torch.is_tensor). */
export const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;

/** The number of elements of x (torch.numel). */
export function numel(x: Tensor): number {
  checkTensor('numel', 'input', x);
  return x.size;
}

/** Whether x is float32 (torch.is_floating_point; int32 is not). */
export function isFloatingPoint(x: Tensor): boolean {
  checkTensor('isFloatingPoint', 'input', x);
  return x.dtype === 'float32';
}

/**
 * x.stride(): the strides of x's contiguous row-major layout, which every tensor here has; as
 * PyTorch, a dim's stride is the product of the later sizes with empty dims counted as 1
 * ([2, 0, 3] → [3, 3, 1]). With a dim (negative from the end): that dim's stride.
 */
export function stride(x: Tensor, dim?: number): number[] | number {
  checkTensor('stride', 'input', x);
  const st = new Array<number>(x.ndim);
  for (let k = x.ndim - 1, acc = 1; k >= 0; acc *= Math.max(x.shape[k], 1), k--) st[k] = acc;
  if (dim === undefined) return st;
  if (x.ndim === 0) throw new ShapeError('stride', `a 0-d tensor has no dim ${fmtValue(dim)} (stride() gives [])`);
  return st[normDim('stride', dim, x.ndim, x.shape)];
}

const TORCH_TYPES: Record<DType, string> = { float32: 'torch.FloatTensor', int32: 'torch.IntTensor' };
/** x.type(): PyTorch's type string; x.type(dtype): x as dtype ('float32', 'int32' or their torch names), as to(dtype). */
export function type(x: Tensor, dtype?: DType | string): string | DType | Tensor {
  checkTensor('type', 'input', x);
  if (dtype === undefined) return TORCH_TYPES[x.dtype];
  const want = (Object.keys(TORCH_TYPES) as DType[]).find((d) => d === dtype || TORCH_TYPES[d] === dtype);
  if (want === undefined)
    throw new DTypeError(
      'type',
      `unknown type ${fmtValue(dtype)} (wasmgrad tensors are 'float32' ('torch.FloatTensor') or 'int32' ('torch.IntTensor'); tensor of shape ${fmtShape(x.shape)})`,
    );
  return to(x, want);
}

// ---- in-place random fills -----------------------------------------------------------------------

/**
 * Writes draw() into every element of x, in row-major order, under copy_'s rules (`assign`:
 * recorded by autograd, a leaf that requires grad only inside wg.noGrad). int32 x only where the
 * samples are integers (`ints`), as PyTorch, which has no integer kernel for the others.
 */
function drawInto(fn: string, x: Tensor, draw: () => number, ints = false): Tensor {
  checkTensor(fn, 'input', x);
  if (x.dtype !== 'float32' && !ints)
    throw new DTypeError(fn, `fills float32 tensors only, got an int32 tensor ${fmtShape(x.shape)} (as PyTorch, which has no integer kernel)`);
  return assign(
    fn,
    x,
    make(fn, [...x.shape], x.dtype, (be, p, n) => writeGenerated(be, p, n, x.dtype, draw)),
  );
}

/** x.uniform_(from = 0, to = 1): U(from, to) from the seeded stream, in place. */
export function uniform_(x: Tensor, from = 0, to = 1): Tensor {
  const [a, b] = [checkFinite('uniform_', 'from', from), checkFinite('uniform_', 'to', to)];
  if (a > b) throw new ValueError('uniform_', `expects from ≤ to, got from = ${a}, to = ${b}`);
  return drawInto('uniform_', x, () => a + (b - a) * uniform());
}

/** x.normal_(mean = 0, std = 1): N(mean, std²) from the seeded stream, in place. */
export function normal_(x: Tensor, mean = 0, std = 1): Tensor {
  const m = checkFinite('normal_', 'mean', mean),
    s = checkFinite('normal_', 'std', std);
  if (s < 0) throw new ValueError('normal_', `expects std ≥ 0, got ${s}`);
  return drawInto('normal_', x, () => m + s * normal());
}

/** x.exponential_(lambd = 1): Exp(λ) samples, −log(1 − u)/λ (λ ≥ 0 as PyTorch; 0 gives ∞). */
export function exponential_(x: Tensor, lambd = 1): Tensor {
  const l = checkFinite('exponential_', 'lambd', lambd);
  if (l < 0) throw new ValueError('exponential_', `expects lambda ≥ 0, got ${l}`);
  return drawInto('exponential_', x, () => -Math.log(1 - uniform()) / l);
}

/** x.cauchy_(median = 0, sigma = 1): median + σ·tan(π(u − ½)). */
export function cauchy_(x: Tensor, median = 0, sigma = 1): Tensor {
  const m = checkFinite('cauchy_', 'median', median),
    s = checkFinite('cauchy_', 'sigma', sigma);
  return drawInto('cauchy_', x, () => m + s * Math.tan(Math.PI * (uniform() - 0.5)));
}

/** x.logNormal_(mean = 1, std = 2): exp(N(mean, std²)) (std > 0, as PyTorch). */
export function logNormal_(x: Tensor, mean = 1, std = 2): Tensor {
  const m = checkFinite('logNormal_', 'mean', mean),
    s = checkFinite('logNormal_', 'std', std);
  if (!(s > 0)) throw new ValueError('logNormal_', `expects std > 0, got ${s}`);
  return drawInto('logNormal_', x, () => Math.exp(m + s * normal()));
}

/** x.geometric_(p): the number of Bernoulli(p) trials up to the first success (≥ 1), ⌈log(1 − u)/log(1 − p)⌉; float32 or int32, p in (0, 1). */
export function geometric_(x: Tensor, p: number): Tensor {
  if (typeof p !== 'number' || !(p > 0 && p < 1)) throw new ValueError('geometric_', `expects p in (0, 1), got ${fmtValue(p)}`);
  const q = Math.log1p(-p);
  return drawInto('geometric_', x, () => Math.max(1, Math.ceil(Math.log1p(-uniform()) / q)), true);
}

/**
 * x.random_(from, to) / random_(to) / random_(): integers uniform in [from, to − 1]; without
 * bounds [0, 2²⁴] for float32 (its exact integers, as PyTorch) and [0, 2³¹ − 1] for int32.
 */
export function random_(x: Tensor, from?: number, to?: number): Tensor {
  checkTensor('random_', 'input', x);
  const [lo, hi] = to === undefined ? (from === undefined ? [0, x.dtype === 'int32' ? 2 ** 31 : 2 ** 24 + 1] : [0, from]) : [from ?? 0, to];
  for (const [k, v] of [
    ['from', lo],
    ['to', hi],
  ] as const)
    if (!Number.isInteger(v)) throw new ValueError('random_', `${k} must be an integer, got ${fmtValue(v)}`);
  if (lo >= hi) throw new ValueError('random_', `expects 'from' to be less than 'to', got from = ${lo} ≥ to = ${hi}`);
  if (x.dtype === 'int32' && (lo < -(2 ** 31) || hi > 2 ** 31)) throw new ValueError('random_', `[${lo}, ${hi}) does not fit int32`);
  return drawInto('random_', x, () => lo + Math.floor(uniform() * (hi - lo)), true);
}

/**
 * x.fillDiagonal_(fillValue, wrap = false): writes fillValue on the main diagonal of a 2-D x, or of
 * an n-D x whose dims are all equal (positions i·(1, 1, …)); `wrap` continues a tall matrix's
 * diagonal below each square block, as PyTorch's.
 */
export function fillDiagonal_(x: Tensor, fillValue: number, wrap = false): Tensor {
  checkTensor('fillDiagonal_', 'input', x);
  if (typeof fillValue !== 'number') throw new ValueError('fillDiagonal_', `fillValue must be a number, got ${fmtValue(fillValue)}`);
  checkBool('fillDiagonal_', 'wrap', wrap);
  if (x.ndim < 2) throw new ShapeError('fillDiagonal_', `dimensions must be larger than 1, got shape ${fmtShape(x.shape)}`);
  if (x.ndim > 2 && x.shape.some((d) => d !== x.shape[0]))
    throw new ShapeError('fillDiagonal_', `all dimensions of input must be of equal length, got shape ${fmtShape(x.shape)}`);
  // the flat index advances by the sum of the strides (C + 1 for a matrix) from one diagonal element to the next
  const step = contiguousView(x.shape).strides.reduce((a, b) => a + b, 0);
  const end = x.ndim === 2 && wrap ? x.size : Math.min(...x.shape) * step;
  const mask = new Float32Array(x.size);
  for (let i = 0; i < end; i += step) mask[i] = 1;
  return x.maskedFill_(tensor(mask, { shape: [...x.shape] }), fillValue);
}

/**
 * x.bernoulli_(p = 0.5): 1 with probability p, else 0, in place (float32 or int32, as bernoulli(x, p));
 * p a number, or a float32 tensor of probabilities broadcast to x's shape (one draw per element, as torch).
 */
export function bernoulli_(x: Tensor, p: number | Tensor = 0.5): Tensor {
  checkTensor('bernoulli_', 'input', x);
  if (p instanceof Tensor) {
    if (p.dtype !== 'float32') throw new DTypeError('bernoulli_', `probabilities p must be a float32 tensor, got ${p.dtype} ${fmtShape(p.shape)}`);
    if (!sameShape(broadcastShapeOf('bernoulli_', [x.shape, p.shape]), x.shape))
      throw new ShapeError('bernoulli_', `probabilities p ${fmtShape(p.shape)} do not broadcast to the tensor's shape ${fmtShape(x.shape)}`);
    return assign('bernoulli_', x, bernoulli(expand(p.detach(), [...x.shape]).contiguous()));
  }
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new ValueError('bernoulli_', `p must be a number in [0, 1] or a tensor of probabilities, got ${fmtValue(p)}`);
  return assign('bernoulli_', x, bernoulli(x, p));
}

// ---- flattening and minimum ranks ----------------------------------------------------------------
/** x as one dim (torch.ravel; a 0-d tensor gives [1]). */
export function ravel(x: Tensor): Tensor {
  checkTensor('ravel', 'input', x);
  return reshape(x, [x.size]);
}

type AtLeast = {
  (x: Tensor): Tensor;
  (xs: readonly Tensor[]): Tensor[];
  (...xs: Tensor[]): Tensor[];
};
/**
 * torch.atleast_Nd: one tensor gives one tensor, a list (or several arguments) a list. A tensor
 * with at least n dims is returned itself; fewer dims are padded as PyTorch: 0-d → [1], [1, 1],
 * [1, 1, 1]; 1-D [k] → [1, k], [1, k, 1]; 2-D [m, k] → [m, k, 1].
 */
function atLeast(fn: string, n: 1 | 2 | 3): AtLeast {
  const lift = (x: Tensor): Tensor => {
    if (x.ndim >= n) return x;
    const s = x.shape;
    if (n === 1) return reshape(x, [1]);
    if (n === 2) return reshape(x, [1, x.size]);
    return reshape(x, s.length === 2 ? [s[0], s[1], 1] : [1, x.size, 1]);
  };
  return ((...args: (Tensor | readonly Tensor[])[]) => {
    if (args.length === 1 && !Array.isArray(args[0])) {
      checkTensor(fn, 'input', args[0]);
      return lift(args[0] as Tensor);
    }
    return tensorList(fn, args.length === 1 ? args[0] : args).map(lift);
  }) as AtLeast;
}
export const atleast1d = atLeast('atleast1d', 1);
export const atleast2d = atLeast('atleast2d', 2);
export const atleast3d = atLeast('atleast3d', 3);

// ---- stacks --------------------------------------------------------------------------------------
/** torch.dstack: each tensor made at least 3-D (atleast3d), joined along dim 2. */
export function dstack(tensors: readonly Tensor[]): Tensor {
  return cat(atleast3d(tensorList('dstack', tensors)), 2);
}

/** torch.column_stack: 0-d and 1-D tensors become columns [k, 1]; joined along dim 1. */
export function columnStack(tensors: readonly Tensor[]): Tensor {
  return cat(
    tensorList('columnStack', tensors).map((x) => (x.ndim < 2 ? reshape(x, [x.size, 1]) : x)),
    1,
  );
}

/** torch.row_stack = vstack. */
export const rowStack = vstack;

// ---- splits --------------------------------------------------------------------------------------
/**
 * torch.tensor_split: `sections` (an integer n ≥ 1) gives n pieces along dim, the first size % n
 * of them one longer; `indices` (an array) cuts before each index, as Python slices
 * x[0:i₀], x[i₀:i₁], …, x[iₖ:] (negative from the end, clamped, possibly empty). As PyTorch, an
 * int32 tensor works too: 0-d for sections, 1-D for indices (its values are read in JavaScript).
 */
export function tensorSplit(x: Tensor, indicesOrSections: number | readonly number[] | Tensor, dim = 0): Tensor[] {
  return splitAlong('tensorSplit', x, indicesOrSections instanceof Tensor ? splitArgOf(indicesOrSections) : indicesOrSections, dim);
}

/** tensorSplit's int32 tensor argument as a number (0-d: sections) or an array (1-D: indices). */
function splitArgOf(t: Tensor): number | number[] {
  if (t.dtype !== 'int32')
    throw new DTypeError('tensorSplit', `indicesOrSections must be an int32 tensor (or a number or an array), got a ${t.dtype} tensor ${fmtShape(t.shape)}`);
  if (t.ndim > 1) throw new ShapeError('tensorSplit', `indicesOrSections must be a 0-d or 1-D int32 tensor, got shape ${fmtShape(t.shape)}`);
  const v = Array.from(readValues('tensorSplit', t, 'the split points choose the number and sizes of the pieces'));
  return t.ndim === 0 ? v[0] : v;
}

/** The most pieces one split makes (each a tensor handle): far past any dim, short of exhausting the JavaScript heap. */
const MAX_PIECES = 2 ** 24;

function splitAlong(fn: string, x: Tensor, arg: number | readonly number[], dim: number): Tensor[] {
  checkTensor(fn, 'input', x);
  if (x.ndim === 0) throw new ShapeError(fn, 'expects a tensor with at least 1 dim, got a 0-d tensor');
  const d = normDim(fn, dim, x.ndim, x.shape);
  if (Array.isArray(arg)) {
    if (!arg.every(Number.isInteger)) throw new ValueError(fn, `indices must be integers, got ${fmtValue(arg)} ${ofTensor(x.shape)}`);
    const starts = [0, ...(arg as number[])];
    return starts.map((s, i) => slice(x, d, s, i < arg.length ? arg[i] : undefined));
  }
  if (typeof arg !== 'number' || !Number.isInteger(arg) || arg < 1)
    throw new ValueError(fn, `sections must be an integer ≥ 1 or an array of indices, got ${fmtValue(arg)} ${ofTensor(x.shape)}`);
  if (arg > MAX_PIECES) throw new ValueError(fn, `sections must be at most ${MAX_PIECES} (one tensor per piece), got ${arg} ${ofTensor(x.shape)}`);
  const size = x.shape[d],
    base = Math.floor(size / arg);
  return split(
    x,
    Array.from({ length: arg }, (_, i) => base + (i < size % arg ? 1 : 0)),
    d,
  );
}

/** hsplit/vsplit/dsplit: tensorSplit along `dim`, on tensors of at least `rank` dims; a number of sections must divide the dim. */
function splitOn(fn: string, rank: number, dimOf: (x: Tensor) => number) {
  return (x: Tensor, sectionsOrIndices: number | readonly number[]): Tensor[] => {
    checkTensor(fn, 'input', x);
    if (x.ndim < rank) throw new ShapeError(fn, `expects a tensor with at least ${rank} dim${rank > 1 ? 's' : ''}, got shape ${fmtShape(x.shape)}`);
    const d = dimOf(x);
    if (typeof sectionsOrIndices === 'number' && !(Number.isInteger(sectionsOrIndices) && sectionsOrIndices >= 1 && x.shape[d] % sectionsOrIndices === 0))
      throw new ValueError(
        fn,
        `cannot split dim ${d} of size ${x.shape[d]} into ${fmtValue(sectionsOrIndices)} equal sections (tensor of shape ${fmtShape(x.shape)}; tensorSplit allows unequal ones)`,
      );
    return splitAlong(fn, x, sectionsOrIndices, d);
  };
}
/** torch.hsplit: along dim 1 (dim 0 of a 1-D tensor). */
export const hsplit = splitOn('hsplit', 1, (x) => (x.ndim === 1 ? 0 : 1));
/** torch.vsplit: along dim 0 of a tensor of at least 2 dims. */
export const vsplit = splitOn('vsplit', 2, () => 0);
/** torch.dsplit: along dim 2 of a tensor of at least 3 dims. */
export const dsplit = splitOn('dsplit', 3, () => 2);

// ---- flips, rotations, diagonals -----------------------------------------------------------------
/** torch.fliplr: reversed along dim 1 (at least 2 dims). */
export function fliplr(x: Tensor): Tensor {
  checkTensor('fliplr', 'input', x);
  if (x.ndim < 2) throw new ShapeError('fliplr', `expects a tensor with at least 2 dims, got shape ${fmtShape(x.shape)}`);
  return flip(x, 1);
}

/** torch.flipud: reversed along dim 0 (at least 1 dim). */
export function flipud(x: Tensor): Tensor {
  checkTensor('flipud', 'input', x);
  if (x.ndim < 1) throw new ShapeError('flipud', 'expects a tensor with at least 1 dim, got a 0-d tensor');
  return flip(x, 0);
}

/** torch.rot90(x, k = 1, dims = [0, 1]); an int32 x takes the same strided copy, exactly. */
export function rot90(x: Tensor, k = 1, dims: readonly number[] = [0, 1]): Tensor {
  checkTensor('rot90', 'input', x);
  const attrs: Rot90Attrs = { k, dims };
  return x.dtype === 'int32' ? apply(copyFor('int32'), [x], rot90View('rot90', x.shape, attrs)) : apply(op('rot90'), [x], attrs);
}

/** torch.diag_embed: the last dim of x on the diagonal at offset (0) of planes at dims dim1, dim2 (-2, -1) of the result. */
export function diagEmbed(x: Tensor, opts: DiagEmbedAttrs = {}): Tensor {
  checkTensor('diagEmbed', 'input', x);
  const attrs = checkOptions<DiagEmbedAttrs>('diagEmbed', opts, ['offset', 'dim1', 'dim2']);
  if (x.dtype === 'float32') return apply(op('diagEmbed'), [x], attrs);
  op('diagEmbed').plan([x], attrs);
  return movedInt('diagEmbed', [x], ([p]) => apply(op('diagEmbed'), [p], attrs));
}

/** torch.diagflat: the flattened x on diagonal `offset` of a square matrix. */
export function diagflat(x: Tensor, offset = 0): Tensor {
  checkTensor('diagflat', 'input', x);
  return diag(ravel(x), offset);
}

/** torch.vander(x, N = len(x), increasing = false) of a 1-D x; int32 powers wrap as int32 (PyTorch's are int64). */
export function vander(x: Tensor, opts: VanderAttrs = {}): Tensor {
  checkTensor('vander', 'input', x);
  const attrs = checkOptions<VanderAttrs>('vander', opts, ['N', 'increasing']);
  if (x.dtype === 'float32') return apply(op('vander'), [x], attrs);
  const n = vanderColumns('vander', x.shape, attrs);
  if (n === 0) return zeros([x.size, 0], { dtype: 'int32' });
  // x^0 … x^(N−1) by repeated exact int32 products
  const powers = [onesLike(x)];
  while (powers.length < n) powers.push(apply(op('intMul'), [powers[powers.length - 1], x]));
  return stack(attrs.increasing === true ? powers : powers.reverse(), 1);
}

// ---- block and grid builders ---------------------------------------------------------------------
/**
 * torch.block_diag: the tensors (0-d → [1, 1], 1-D [k] → [1, k], 2-D as they are) along the
 * diagonal of one matrix, zeros elsewhere: each block row is zeros | block | zeros joined along
 * dim 1, the rows joined along dim 0. int32 blocks stay int32 unless mixed with float32. No
 * tensors gives [1, 0], as PyTorch.
 */
export function blockDiag(...tensors: Tensor[]): Tensor {
  tensors.forEach((x, i) => checkTensor('blockDiag', `tensors[${i}]`, x));
  const bad = tensors.findIndex((x) => x.ndim > 2);
  if (bad >= 0) throw new ShapeError('blockDiag', `expects tensors of at most 2 dims, got tensors[${bad}] of shape ${fmtShape(tensors[bad].shape)}`);
  if (tensors.length === 0) return zeros([1, 0]);
  const blocks = tensors.map((x) => (x.ndim === 2 ? x : reshape(x, [1, x.size])));
  const dtype: DType = blocks.every((x) => x.dtype === 'int32') ? 'int32' : 'float32';
  const width = blocks.reduce((w, x) => w + x.shape[1], 0);
  let left = 0;
  const rows = blocks.map((x) => {
    const [r, c] = x.shape;
    const parts = [zeros([r, left], { dtype }), x, zeros([r, width - left - c], { dtype })].filter((t) => t.shape[1] > 0 || t === x);
    left += c;
    return parts.length === 1 ? x : cat(parts, 1);
  });
  return rows.length === 1 ? rows[0] : cat(rows, 0);
}

/**
 * torch.cartesian_prod of 1-D tensors (one dtype): [Π nᵢ, k], the rows in lexicographic order
 * (meshgrid 'ij', each grid flattened, stacked as columns); one tensor gives itself, as PyTorch.
 */
export function cartesianProd(...tensors: Tensor[]): Tensor {
  const xs = tensorList('cartesianProd', tensors);
  const bad = xs.findIndex((x) => x.ndim !== 1);
  if (bad >= 0) throw new ShapeError('cartesianProd', `expects 1-D tensors, got tensors[${bad}] of shape ${fmtShape(xs[bad].shape)}`);
  if (xs.length === 1) return xs[0];
  return stack(
    meshgrid(xs).map((g) => reshape(g, [g.size])),
    1,
  );
}

/**
 * torch.combinations(x, r = 2, withReplacement = false) of a 1-D x: [C, r], the r-element
 * combinations of x's elements in lexicographic order of their positions (itertools'), read with
 * one `take` so gradients flow (an element used several times gets the sum). r = 0 gives [0].
 */
export function combinations(x: Tensor, opts: { r?: number; withReplacement?: boolean } = {}): Tensor {
  checkTensor('combinations', 'input', x);
  const { r = 2, withReplacement = false } = checkOptions<{ r?: number; withReplacement?: boolean }>('combinations', opts, ['r', 'withReplacement']);
  if (x.ndim !== 1) throw new ShapeError('combinations', `expects a 1-D tensor, got shape ${fmtShape(x.shape)}`);
  checkIntAtLeast('combinations', 'r', r, 0);
  checkBool('combinations', 'withReplacement', withReplacement);
  if (r === 0) return slice(x, 0, 0, 0);
  const n = x.size;
  // C(n, r) or, with replacement, C(n + r − 1, r): refused before enumerating past int32 indexing.
  let count = 1;
  for (let i = 1; i <= r && count > 0; i++) count = (count * (withReplacement ? n + r - i : n - r + i)) / i;
  count = Math.max(0, Math.round(count));
  if (count * r > 2 ** 31 - 1) throw new ValueError('combinations', `${count} combinations of ${r} of ${n} elements are too many (more than 2^31 - 1 indices)`);
  const idx = new Int32Array(count * r);
  const pick = Array.from({ length: r }, (_, j) => (withReplacement ? 0 : j));
  for (let c = 0; c < count; c++) {
    idx.set(pick, c * r);
    // The next tuple: the last position that can still grow grows, those after it restart from it.
    let j = r - 1;
    while (j >= 0 && pick[j] === (withReplacement ? n - 1 : n - r + j)) j--;
    if (j < 0) break;
    pick[j]++;
    for (let m = j + 1; m < r; m++) pick[m] = withReplacement ? pick[j] : pick[m - 1] + 1;
  }
  // The indices depend on n, r and withReplacement only: inside wg.compile they are a constant of the program.
  const index = make('combinations', [count, r], 'int32', (be, p) => be.write(p, idx, 'int32'), false, `${n}, ${r}, ${withReplacement}`);
  return take(x, index);
}

/** torch.broadcast_shapes: the shape the given shapes (arrays, or numbers as 1-D shapes) broadcast to. */
export function broadcastShapes(...shapes: (readonly number[] | number)[]): number[] {
  return broadcastShapeOf(
    'broadcastShapes',
    shapes.map((s, i) => checkShape('broadcastShapes', s, `shapes[${i}]`)),
  );
}

/** torch.broadcast_tensors: every tensor expanded to the shape they broadcast to (copies). */
export function broadcastTensors(...tensors: Tensor[]): Tensor[] {
  tensors.forEach((x, i) => checkTensor('broadcastTensors', `tensors[${i}]`, x));
  const shape = broadcastShapeOf(
    'broadcastTensors',
    tensors.map((x) => x.shape),
  );
  return tensors.map((x) => expand(x, shape));
}

// ---- index and value factories -------------------------------------------------------------------
/**
 * [2, n] (row; column) indices of the lower (tril: column − row ≤ offset) or upper (triu:
 * column − row ≥ offset) triangle of a row × col matrix, in row-major order; int32 unless dtype
 * says float32 (PyTorch makes int64).
 */
function triangleIndices(fn: string, lower: boolean) {
  return (row: number, col: number, offset = 0, opts?: { dtype?: DType }): Tensor => {
    for (const [what, v] of [
      ['row', row],
      ['col', col],
    ] as const)
      if (!Number.isSafeInteger(v) || v < 0) throw new ValueError(fn, `${what} must be an integer ≥ 0, got ${fmtValue(v)}`);
    if (!Number.isSafeInteger(offset)) throw new ValueError(fn, `offset must be an integer, got ${fmtValue(offset)}`);
    const dtype = createOptions(fn, opts, ['dtype']).dtype ?? 'int32';
    const span = (i: number) => (lower ? [0, Math.min(col, Math.max(0, i + offset + 1))] : [Math.min(col, Math.max(0, i + offset)), col]);
    let n = 0;
    for (let i = 0; i < row; i++) n += span(i)[1] - span(i)[0];
    // Written in one sequential pass: the n row indices, then the n column indices.
    let pass = 0,
      i = 0,
      j = span(0)[0] - 1;
    const next = () => {
      for (;;) {
        if (++j < span(i)[1]) return pass === 0 ? i : j;
        if (++i === row) [i, pass] = [0, 1];
        j = span(i)[0] - 1;
      }
    };
    return make(fn, [2, n], dtype, (be, p) => writeGenerated(be, p, 2 * n, dtype, next), false, `${row}, ${col}, ${offset}`);
  };
}
export const trilIndices = triangleIndices('trilIndices', true);
export const triuIndices = triangleIndices('triuIndices', false);

/**
 * torch.logspace: base^e for the `steps` exponents of linspace(start, end, steps) (computed as
 * linspace's, in float32), each power taken in float64 and rounded once to float32, as PyTorch.
 */
export function logspace(start: number, end: number, steps: number, base: number | Opts = 10, opts?: Opts): Tensor {
  if (isRecord(base)) [base, opts] = [10, base as Opts];
  const { n, at } = linspacePoints('logspace', start, end, steps);
  checkFinite('logspace', 'base', base);
  const o = createOptions('logspace', opts, ['requiresGrad', 'dtype'], ['float32']);
  const b = base;
  return make(
    'logspace',
    [n],
    'float32',
    (be, p) => writeGenerated(be, p, n, 'float32', (i) => Math.fround(b ** at(i))),
    o.requiresGrad,
    `${start}, ${end}, ${n}, ${b}`,
  );
}
