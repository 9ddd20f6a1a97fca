/**
 * wg.linalg's norms and what the SVD gives: vectorNorm, matrixNorm, norm, pinv, matrixRank, cond,
 * lstsq. All compose existing ops and the spectral decompositions (linalg-spectral.ts), so their
 * gradients are autodiff's through those (torch 1.13 composes them the same way).
 */
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { checkOptions, checkTensor } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import { Tensor } from '../engine/tensor.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { sameShape } from '../ops/types.js';
import { make, zeros } from './creation.js';
import { abs, add, div, lt, mul, neg, square, sub, where } from './elementwise.js';
import { eye } from './factories.js';
import { readValues } from './counting.js';
import { expand, squeeze, unsqueeze } from './layout.js';
import { matmul } from './linalg.js';
import { fromHost, hostMatrices, needsGrad, tangent, mT, named, type Named } from './linalg-host.js';
import { checkFiniteSvd, svdvals } from './linalg-spectral.js';
import { hostEigh, hostSvd } from './linalg-spectral-host.js';
import { amax, amin, pNorm as pnorm, sum, type Dims } from './reduce.js';
import { permute } from './shape.js';

/** float32 epsilon: torch's default rtol is eps·max(m, n) of A's dtype. */
const EPS32 = 2 ** -23;

function floatMatrix(fn: string, A: Tensor, vector = false): void {
  checkTensor(fn, 'A', A);
  if (A.dtype !== 'float32') throw new DTypeError(fn, `expected a float32 tensor as input, got ${A.dtype}`);
  if (!vector && A.ndim < 2) throw new ShapeError(fn, `A must have at least 2 dims [..., m, n], got ${fmtShape(A.shape)}`);
}

export interface VectorNormOptions {
  /** The order: any number (default 2; ±Infinity: max/min |x|; 0: count of nonzeros). */
  ord?: number;
  /** The dims reduced (default: all elements). */
  dim?: Dims | null;
  keepdim?: boolean;
}

/** torch.linalg.vector_norm: (Σ|x|^ord)^(1/ord) over dim (all elements by default), wasmgrad's `norm`. */
export function vectorNorm(x: Tensor, opts?: VectorNormOptions): Tensor {
  const fn = 'linalg.vectorNorm';
  const { ord = 2, dim = null, keepdim = false } = checkOptions<VectorNormOptions>(fn, opts, ['ord', 'dim', 'keepdim']);
  floatMatrix(fn, x, true);
  if (typeof ord !== 'number' || Number.isNaN(ord)) throw new ValueError(fn, `ord must be a number, got ${fmtValue(ord)}`);
  return pnorm(x, ord, dim ?? undefined, keepdim);
}

export type MatrixOrd = 'fro' | 'nuc' | number;

export interface MatrixNormOptions {
  /** 'fro' (default), 'nuc', ±1 (max/min column sum of |A|), ±2 (largest/smallest singular value), ±Infinity (row sums). */
  ord?: MatrixOrd;
  /** The two matrix dims (default [−2, −1]). */
  dim?: readonly [number, number];
  keepdim?: boolean;
}

/** torch.linalg.matrix_norm: the ord-norm of the matrices in dims `dim` of A. */
export function matrixNorm(A: Tensor, opts?: MatrixNormOptions): Tensor {
  const fn = 'linalg.matrixNorm';
  const { ord = 'fro', dim = [-2, -1], keepdim = false } = checkOptions<MatrixNormOptions>(fn, opts, ['ord', 'dim', 'keepdim']);
  floatMatrix(fn, A);
  if (!['fro', 'nuc', 1, -1, 2, -2, Infinity, -Infinity].includes(ord))
    throw new ValueError(fn, `ord must be 'fro', 'nuc', ±1, ±2 or ±Infinity, got ${fmtValue(ord)}`);
  const nd = A.ndim;
  const dims = Array.isArray(dim) && dim.length === 2 && dim.every((d) => Number.isInteger(d) && d >= -nd && d < nd) ? dim.map((d) => (d + nd) % nd) : null;
  if (dims === null || dims[0] === dims[1]) throw new ValueError(fn, `dim must be two different dims of A ${fmtShape(A.shape)}, got ${fmtValue(dim)}`);
  const [r, c] = dims;
  if (ord === 'fro') return pnorm(A, 2, dims, keepdim);
  // the rest reduce with keepdim, then drop both dims unless keepdim
  const done = (y: Tensor) => (keepdim ? y : squeeze(y, dims));
  if (ord === 'nuc' || Math.abs(ord) === 2) {
    // the singular values of A with its matrix dims moved last, put back as size-1 dims
    const rest = Array.from({ length: nd }, (_, i) => i).filter((i) => i !== r && i !== c);
    const s = svdvals(permute(A, [...rest, r, c]));
    const y = ord === 'nuc' ? sum(s, -1) : ord > 0 ? amax(s, -1) : amin(s, -1);
    return done(unsqueeze(unsqueeze(y, Math.min(r, c)), Math.max(r, c)));
  }
  // ±1: extreme column sum of |A| (sum over rows r, extreme over columns c); ±∞: the transpose
  const [inner, outer] = Math.abs(ord) === 1 ? [r, c] : [c, r];
  const sums = sum(abs(A), inner, true);
  return done(ord > 0 ? amax(sums, outer, true) : amin(sums, outer, true));
}

export interface NormOptions {
  ord?: MatrixOrd | null;
  dim?: Dims | null;
  keepdim?: boolean;
}

/**
 * torch.linalg.norm: a matrix norm when dim has two dims, or without dim for a 2-D A with an ord
 * given; a vector norm when dim is one dim, or without dim and ord (all elements, 2-norm), or for
 * a 1-D A.
 */
export function norm(A: Tensor, opts?: NormOptions): Tensor {
  const fn = 'linalg.norm';
  const { ord = null, dim = null, keepdim = false } = checkOptions<NormOptions>(fn, opts, ['ord', 'dim', 'keepdim']);
  checkTensor(fn, 'A', A);
  const dims = dim === null ? null : typeof dim === 'number' ? [dim] : dim;
  if (dims === null && ord !== null && A.ndim !== 1 && A.ndim !== 2)
    throw new ShapeError(fn, `if dim is not given but ord is, the input must be 1-D or 2-D, got ${fmtShape(A.shape)}`);
  const matrix = dims === null ? ord !== null && A.ndim === 2 : dims.length === 2;
  if (matrix) return matrixNorm(A, { ord: ord ?? 'fro', dim: (dims ?? [-2, -1]) as [number, number], keepdim });
  if (typeof ord === 'string') throw new ValueError(fn, `ord ${fmtValue(ord)} is a matrix norm: it needs dim with two dims or a 2-D input`);
  if (dims !== null && dims.length !== 1) throw new ValueError(fn, `dim must be one dim or two, got ${fmtValue(dim)}`);
  return vectorNorm(A, { ord: ord ?? 2, dim: dims, keepdim });
}

// ── through the SVD ──

export interface TolOptions {
  /** Absolute tolerance: singular values ≤ it count as zero (default 0); a tensor broadcasts with A's batch, as torch's. */
  atol?: number | Tensor;
  /** Relative tolerance, times the largest singular value (default eps·max(m, n), or 0 where atol > 0); a number or a tensor as atol. */
  rtol?: number | Tensor;
  /** A is symmetric: its eigendecomposition stands in for the SVD (reading its lower triangle). */
  hermitian?: boolean;
}

interface Tolerances {
  A: Tensor;
  atol: Float64Array;
  rtol: Float64Array;
  hermitian: boolean;
}

/** fn's checked options: A broadcast with tensor tolerances (torch's batch), one atol and rtol per matrix of it (torch's defaults), and hermitian. */
function tolerances(fn: string, A: Tensor, opts: TolOptions | undefined): Tolerances {
  const { atol, rtol, hermitian = false } = checkOptions<TolOptions>(fn, opts, ['atol', 'rtol', 'hermitian']);
  floatMatrix(fn, A);
  for (const [name, v] of [
    ['atol', atol],
    ['rtol', rtol],
  ] as const)
    if (v !== undefined && !(v instanceof Tensor) && (typeof v !== 'number' || Number.isNaN(v)))
      throw new ValueError(fn, `${name} must be a number or a tensor, got ${fmtValue(v)}`);
  if (typeof hermitian !== 'boolean') throw new ValueError(fn, `hermitian must be a boolean, got ${fmtValue(hermitian)}`);
  if (hermitian && A.shape[A.ndim - 1] !== A.shape[A.ndim - 2]) throw new ShapeError(fn, `hermitian A must be square matrices, got ${fmtShape(A.shape)}`);
  const mn = A.shape.slice(-2);
  // torch broadcasts the tolerances against the batch of singular values: [...batch] grows to their common shape
  const batch = broadcastShapes(fn, [A.shape.slice(0, -2), ...[atol, rtol].flatMap((t) => (t instanceof Tensor ? [t.shape] : []))]);
  const count = batch.reduce((p, d) => p * d, 1);
  const read = (t: number | Tensor) =>
    t instanceof Tensor
      ? Float64Array.from(
          readValues(
            fn,
            noGrad(() => expand(t, batch)),
            'the tolerances are compared in JavaScript',
          ),
        )
      : new Float64Array(count).fill(t);
  const atols = read(atol ?? 0);
  // the default rtol: eps·max(m, n), or 0 where an atol > 0 is given
  const rtols = rtol === undefined ? atols.map((a) => (atol !== undefined && a > 0 ? 0 : EPS32 * Math.max(...mn))) : read(rtol);
  const grown = sameShape(batch, A.shape.slice(0, -2)) ? A : expand(A, [...batch, ...mn]);
  return { A: grown, atol: atols, rtol: rtols, hermitian };
}

/**
 * Per matrix of A, from its SVD (its eigendecomposition when hermitian, reading the lower
 * triangle): the rank, the count of singular values (|eigenvalues|) above max(atol, rtol·σ₁),
 * and with `inverse` the pseudo-inverse over those, V·diag(1/s)·Uᵀ (V·diag(1/λ)·Vᵀ), n×m each.
 */
function hostPinv(fn: string, { A, atol, rtol, hermitian }: Tolerances, inverse: boolean): { p: Float64Array; ranks: Int32Array } {
  const h = hostMatrices(fn, 'A', A);
  if (!hermitian) checkFiniteSvd(fn, h);
  const { values, m, n, count } = h;
  const p = new Float64Array(inverse ? count * n * m : 0),
    ranks = new Int32Array(count);
  for (let b = 0; b < count; b++) {
    // left (m×lc) and right (n×rc) singular vectors as columns, with their values
    const [vals, left, lc, right, rc] = hermitian
      ? ((e) => [e.w, e.v, n, e.v, n] as const)(hostEigh(values, b * m * n, n, true))
      : ((e) => [e.s, e.u, e.ucols, e.v, e.vcols] as const)(hostSvd(values, b * m * n, m, n, false));
    const sig = Array.from(vals, Math.abs);
    const tol = Math.max(atol[b], rtol[b] * Math.max(0, ...sig));
    const kept = sig.flatMap((x, l) => (x > tol ? [l] : []));
    ranks[b] = kept.length;
    if (inverse)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < m; j++) for (const l of kept) p[b * n * m + i * m + j] += (right[i * rc + l] * left[j * lc + l]) / vals[l];
  }
  return { p, ranks };
}

/**
 * The pseudo-inverse P of A and the ranks. Its tangent is the derivative of the pseudo-inverse
 * (Golub & Pereyra), −P·dA·P + P·Pᵀ·dAᵀ·(I − A·P) + (I − P·A)·dAᵀ·Pᵀ·P, whose adjoint is
 * torch's pinv_backward (used for hermitian too, as torch); finite for every A.
 */
function pinvParts(fn: string, A0: Tensor, opts: TolOptions | undefined): [Tensor, Int32Array] {
  const tol = tolerances(fn, A0, opts);
  const A = tol.A;
  const [m, n] = A.shape.slice(-2);
  const { p, ranks } = hostPinv(fn, tol, true);
  const P = fromHost(fn, [...A.shape.slice(0, -2), n, m], p);
  if (!needsGrad(A)) return [P, ranks];
  const dA = tangent(A),
    dAt = mT(dA),
    Ad = A.detach(),
    Pt = mT(P);
  const dP = add(
    neg(matmul(matmul(P, dA), P)),
    add(matmul(matmul(matmul(P, Pt), dAt), sub(eye(m), matmul(Ad, P))), matmul(matmul(sub(eye(n), matmul(P, Ad)), dAt), matmul(Pt, P))),
  );
  return [add(P, dP), ranks];
}

/** torch.linalg.pinv: the pseudo-inverse, singular values (|eigenvalues| when hermitian) ≤ max(atol, rtol·σ₁) taken as 0. */
export const pinv = (A: Tensor, opts?: TolOptions): Tensor => pinvParts('linalg.pinv', A, opts)[0];

/** torch.pinverse(A, rcond = 1e-15): linalg.pinv with rtol = rcond. */
export function pinverse(A: Tensor, rcond = 1e-15): Tensor {
  return pinvParts('pinverse', A, { rtol: rcond })[0];
}

/** int32 ranks shaped as A's batch. */
const rankTensor = (fn: string, A: Tensor, ranks: Int32Array) => make(fn, A.shape.slice(0, -2), 'int32', (be, ptr) => be.write(ptr, ranks, 'int32'));

/** torch.linalg.matrix_rank: the count of singular values (|eigenvalues| when hermitian) above the tolerance, int32 [...]. */
export function matrixRank(A: Tensor, opts?: TolOptions): Tensor {
  const fn = 'linalg.matrixRank';
  const tol = tolerances(fn, A, opts);
  return rankTensor(fn, tol.A, hostPinv(fn, tol, false).ranks);
}

/**
 * torch.linalg.cond: ‖A‖_p·‖A⁻¹‖_p. p 2 (default) and −2 are ratios of the extreme singular
 * values (any shape; inf for a singular A); the others ('fro', 'nuc', ±1, ±∞) need square A and
 * take A⁻¹ as its pseudo-inverse of every nonzero singular value, inf where one is 0 (torch: where
 * the LU finds a zero pivot).
 */
export function cond(A: Tensor, opts?: { p?: MatrixOrd | null }): Tensor {
  const fn = 'linalg.cond';
  const { p = null } = checkOptions<{ p?: MatrixOrd | null }>(fn, opts, ['p']);
  floatMatrix(fn, A);
  if (!(p === null || ['fro', 'nuc', 1, -1, 2, -2, Infinity, -Infinity].includes(p)))
    throw new ValueError(fn, `p must be 'fro', 'nuc', ±1, ±2, ±Infinity or null, got ${fmtValue(p)}`);
  const [m, n] = A.shape.slice(-2);
  if (p === null || Math.abs(p as number) === 2) {
    if (Math.min(m, n) === 0) return zeros(A.shape.slice(0, -2));
    const s = svdvals(A);
    const big = amax(s, -1),
      small = amin(s, -1);
    return p === -2 ? div(small, big) : div(big, small);
  }
  if (m !== n) throw new ShapeError(fn, `p ${fmtValue(p)} needs square matrices, got ${fmtShape(A.shape)}`);
  if (n === 0) return zeros(A.shape.slice(0, -2));
  const [P, ranks] = pinvParts(fn, A, { atol: 0, rtol: 0 });
  const c = mul(matrixNorm(A, { ord: p }), matrixNorm(P, { ord: p }));
  return ranks.every((r) => r === n) ? c : where(lt(rankTensor(fn, A, ranks), n), Infinity, c);
}

export interface LstsqOptions {
  /** Singular values below rcond·σ₁ count as zero (default eps·max(m, n)). */
  rcond?: number | null;
  /** LAPACK's driver as torch names them; it decides which results are filled (default 'gelsy'). */
  driver?: 'gelsy' | 'gelsd' | 'gelss' | 'gels';
}

/**
 * torch.linalg.lstsq: X minimizing ‖A·X − B‖ for A [..., m, n] and B [..., m, k] (or [..., m]),
 * as pinv(A)·B, the minimum-norm solution, for every driver. As torch's CPU drivers: residuals
 * (‖A·X − B‖² per column) only for m > n, every A of full rank and a driver other than gelsy; rank
 * (int32) for all but gels; singularValues for gelsd and gelss; the others empty tensors [0].
 */
export function lstsq(A: Tensor, B: Tensor, opts?: LstsqOptions): Named<{ solution: Tensor; residuals: Tensor; rank: Tensor; singularValues: Tensor }> {
  const fn = 'linalg.lstsq';
  const { rcond = null, driver = 'gelsy' } = checkOptions<LstsqOptions>(fn, opts, ['rcond', 'driver']);
  floatMatrix(fn, A);
  checkTensor(fn, 'B', B);
  if (B.dtype !== 'float32') throw new DTypeError(fn, `B must be a float32 tensor, got ${B.dtype}`);
  if (!['gelsy', 'gelsd', 'gelss', 'gels'].includes(driver))
    throw new ValueError(fn, `driver must be 'gelsy', 'gelsd', 'gelss' or 'gels', got ${fmtValue(driver)}`);
  if (rcond !== null && (typeof rcond !== 'number' || Number.isNaN(rcond))) throw new ValueError(fn, `rcond must be a number or null, got ${fmtValue(rcond)}`);
  const vector = B.ndim === A.ndim - 1;
  if (!(vector || B.ndim === A.ndim)) throw new ShapeError(fn, `B must have A's dims ${fmtShape(A.shape)} or one fewer, got ${fmtShape(B.shape)}`);
  const [m, n] = A.shape.slice(-2);
  const B2 = vector ? unsqueeze(B, -1) : B;
  if (B2.shape[B2.ndim - 2] !== m) throw new ShapeError(fn, `B's rows must match A's ${m}, got ${fmtShape(B.shape)}`);
  // a negative rcond is LAPACK's "machine precision"
  const rtol = rcond === null || rcond < 0 ? EPS32 * Math.max(m, n) : rcond;
  const [P, ranks] = pinvParts(fn, A, { rtol });
  const X = matmul(P, B2);
  const none = () => zeros([0]);
  const fullRank = driver === 'gels' || ranks.every((r) => r === n);
  const residuals = driver !== 'gelsy' && m > n && fullRank ? sum(square(sub(matmul(A, X), B2)), -2) : none();
  const rank = driver === 'gels' ? zeros([0], { dtype: 'int32' }) : rankTensor(fn, A, ranks);
  const singularValues = driver === 'gelsd' || driver === 'gelss' ? noGrad(() => svdvals(A)) : none();
  return named({ solution: vector ? squeeze(X, -1) : X, residuals, rank, singularValues });
}
