/**
 * PyTorch's shape functions that are more than a reshape or a join, as composites of the table's
 * copies, pads and scans: rot90 (one strided copy), diagEmbed (pads and copies), vander (a running
 * product). Each checks its arguments here, so errors name it; gradients are autodiff's through
 * the primitives. The public functions, and the thin ones over existing ops (ravel, atleast*,
 * the stacks and splits, blockDiag, cartesianProd, combinations, …): src/api/parity-shape.ts.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { contiguousView, flipView, normDim, permuteView, type View } from './shape.js';
import { checkBool, defineOps, fmtShape, ofTensor, type CompositeDef, type TestCase } from './types.js';

const TILE = 8; // two f32x4 vectors: sizes around it reach the primitives' SIMD bodies and tails
const one = <A>(shape: number[], attrs: A): TestCase<A> => ({ inputs: [{ shape }], attrs, name: `${fmtShape(shape)} ${JSON.stringify(attrs)}` });

// ---- rot90 -------------------------------------------------------------------------------------
export interface Rot90Attrs {
  k?: number;
  dims?: readonly number[];
}
/**
 * torch.rot90 as one strided view: k quarter turns (mod 4, negative turning the other way) from
 * dims[0] towards dims[1]. One turn is flip(dims[1]) then transpose, two are a flip of both, three
 * flip(dims[0]) then transpose; the transpose swaps the flipped view's shape and strides.
 */
export function rot90View(fn: string, shape: readonly number[], { k = 1, dims = [0, 1] }: Rot90Attrs): View {
  if (!Number.isInteger(k)) throw new ValueError(fn, `k must be an integer, got ${fmtValue(k)} ${ofTensor(shape)}`);
  if (!Array.isArray(dims) || dims.length !== 2) throw new ValueError(fn, `dims must be an array of 2 dims, got ${fmtValue(dims)} ${ofTensor(shape)}`);
  if (shape.length < 2) throw new ShapeError(fn, `expects a tensor with at least 2 dims, got shape ${fmtShape(shape)}`);
  const [a, b] = dims.map((d) => normDim(fn, d, shape.length, shape));
  if (a === b) throw new ValueError(fn, `the two rotation dims must be different, got ${fmtValue(dims)} ${ofTensor(shape)}`);
  const turns = ((k % 4) + 4) % 4;
  if (turns === 0) return contiguousView(shape);
  if (turns === 2) return flipView(shape, [a, b]);
  const v = flipView(shape, [turns === 1 ? b : a]);
  const swap = <T>(xs: readonly T[]) => xs.map((x, i) => (i === a ? xs[b] : i === b ? xs[a] : x));
  return { shape: swap(v.shape), strides: swap(v.strides), offset: v.offset };
}
const rot90: CompositeDef<Rot90Attrs, 'rot90'> = {
  kind: 'composite',
  name: 'rot90',
  arity: 1,
  gradInputs: [0],
  doc: 'k quarter turns in the plane of dims (default 1, [0, 1]), from dims[0] towards dims[1] (torch.rot90)',
  plan: ([x], a) => ({ shape: rot90View('rot90', x.shape, a).shape }),
  compose: (b, [x], a) => b.op('copy', [x], rot90View('rot90', b.shape(x), a)),
  tests: {
    cases: [
      one([3, 4], {}),
      one([1, 1], { k: 2 }),
      one([TILE + 1, TILE - 1], { k: 3 }),
      one([5, 17], { k: -1 }),
      one([2, 3, 5], { k: 1, dims: [2, 0] }),
      one([3, 2, 4], { k: 6, dims: [-1, 1] }),
      one([0, 3], { k: 1 }),
      one([2, 0, 3], { k: 4, dims: [1, 2] }),
    ],
  },
};

// ---- diagEmbed ---------------------------------------------------------------------------------
export interface DiagEmbedAttrs {
  offset?: number;
  dim1?: number;
  dim2?: number;
}
/** The result of diagEmbed: rank ndim + 1; where the new dims go (d1 holds i, d2 holds i + offset) and their size. */
export function planDiagEmbed(fn: string, shape: readonly number[], { offset = 0, dim1 = -2, dim2 = -1 }: DiagEmbedAttrs) {
  if (shape.length === 0) throw new ShapeError(fn, 'expects a tensor with at least 1 dim (the diagonals are its last dim), got a 0-d tensor');
  if (!Number.isInteger(offset)) throw new ValueError(fn, `offset must be an integer, got ${fmtValue(offset)} ${ofTensor(shape)}`);
  const rank = shape.length + 1;
  const d1 = normDim(fn, dim1, rank, shape),
    d2 = normDim(fn, dim2, rank, shape);
  if (d1 === d2) throw new ShapeError(fn, `dim1 and dim2 must be different dims of the result, got ${dim1} and ${dim2} ${ofTensor(shape)}`);
  const n = shape[shape.length - 1] + Math.abs(offset);
  const batch = shape.slice(0, -1);
  const out: number[] = [];
  for (let p = 0, k = 0; p < rank; p++) out.push(p === d1 || p === d2 ? n : batch[k++]);
  return { shape: out, d1, d2, n };
}
/**
 * torch.diag_embed: the last dim of x as the diagonal at offset of new [n, n] planes, n = L + |k|,
 * placed at dims dim1 (row i) and dim2 (column i + k) of the result. The [B, n, n] planes are
 * built as torch.diag's (src/ops/convenience.ts) with a batch dim: each row x[b, i] padded to n + 1
 * values with max(k, 0) zeros in front, read back as rows of n, puts x[b, i] at (i, i + k); the
 * |k| rows of zeros go below (k ≥ 0) or above. One last copy moves the two plane dims to d1, d2.
 */
const diagEmbed: CompositeDef<DiagEmbedAttrs, 'diagEmbed'> = {
  kind: 'composite',
  name: 'diagEmbed',
  arity: 1,
  gradInputs: [0],
  doc: 'planes with the last dim of x on their diagonal at offset, at dims dim1, dim2 of the result (torch.diag_embed: 0, -2, -1)',
  plan: ([x], a) => ({ shape: planDiagEmbed('diagEmbed', x.shape, a).shape }),
  compose: (b, [x], a) => {
    const s = b.shape(x);
    const { d1, d2, n } = planDiagEmbed('diagEmbed', s, a);
    const k = a.offset ?? 0,
      L = s[s.length - 1],
      batch = s.slice(0, -1),
      B = batch.reduce((p, d) => p * d, 1),
      left = Math.max(k, 0);
    const rows = b.op('pad', [b.op('copy', [x], contiguousView([B, L, 1]))], { pad: [left, n - left], mode: 'constant', value: 0 });
    const planes = b.op('copy', [rows], { shape: [B, L, n], strides: [L * (n + 1), n, 1] });
    const full = b.op('pad', [planes], { pad: [0, 0, Math.max(-k, 0), left], mode: 'constant', value: 0 });
    // Output dim p reads the row dim (nb) at d1, the column dim (nb + 1) at d2, else the next batch dim.
    const nb = batch.length;
    const order: number[] = [];
    for (let p = 0, j = 0; p <= nb + 1; p++) order.push(p === d1 ? nb : p === d2 ? nb + 1 : j++);
    return b.op('copy', [full], permuteView([...batch, n, n], order));
  },
  tests: {
    cases: [
      one([3], {}),
      one([1], { offset: 2 }),
      one([TILE + 1], { offset: -1 }),
      one([2, 3], { offset: -1, dim1: 0, dim2: 2 }),
      one([3, TILE - 1], { offset: 1, dim1: -1, dim2: 0 }),
      one([2, 3, 5], { dim1: 1, dim2: 3 }),
      one([17], { offset: 3 }),
      one([0], { offset: 2 }),
      one([0, 3], {}),
      one([4, 0], { offset: 1 }),
    ],
  },
};

// ---- vander ------------------------------------------------------------------------------------
export interface VanderAttrs {
  N?: number | null;
  increasing?: boolean;
}
/** vander's columns: N (default the length of x), a non-negative integer. */
export function vanderColumns(fn: string, shape: readonly number[], { N, increasing = false }: VanderAttrs): number {
  if (shape.length !== 1) throw new ShapeError(fn, `expects a 1-D tensor, got shape ${fmtShape(shape)}`);
  checkBool(fn, 'increasing', increasing);
  const cols = N ?? shape[0];
  if (!Number.isInteger(cols) || cols < 0) throw new ValueError(fn, `N must be an integer ≥ 0, got ${fmtValue(N)} (x of shape ${fmtShape(shape)})`);
  return cols;
}
/**
 * torch.vander: [n, N] of powers x^0 … x^(N−1), decreasing unless `increasing`. As PyTorch: the
 * running product of x repeated N − 1 times (cumprod, whose gradient is exact at x = 0 where the
 * derivative of x^j through pow would divide by x), with a column of ones in front (a pad with 1).
 */
const vander: CompositeDef<VanderAttrs, 'vander'> = {
  kind: 'composite',
  name: 'vander',
  arity: 1,
  gradInputs: [0],
  doc: 'the Vandermonde matrix [n, N] of x^(N−1) … x^0 (increasing: x^0 … x^(N−1)); N defaults to n (torch.vander)',
  plan: ([x], a) => ({ shape: [x.shape[0], vanderColumns('vander', x.shape, a)] }),
  compose: (b, [x], a) => {
    const n = b.shape(x)[0],
      N = vanderColumns('vander', b.shape(x), a);
    if (N === 0) return b.op('copy', [x], { shape: [n, 0], strides: [1, 0] });
    const repeated = b.op('copy', [x], { shape: [n, N - 1], strides: [1, 0] });
    const powers = b.op('pad', [b.op('cumprod', [repeated], { dim: 1 })], { pad: [1, 0], mode: 'constant', value: 1 });
    return a.increasing ? powers : b.op('copy', [powers], flipView([n, N], [1]));
  },
  tests: {
    cases: [
      one([3], {}),
      one([1], {}),
      one([5], { increasing: true }),
      one([TILE - 1], { N: 4 }),
      one([TILE + 1], { N: 3, increasing: true }),
      one([4], { N: 1 }),
      one([3], { N: 0 }),
      one([0], { N: 2 }),
      one([17], { N: 2 }),
    ],
  },
};

export const PARITY_SHAPE_OPS = defineOps(rot90, diagEmbed, vander);
