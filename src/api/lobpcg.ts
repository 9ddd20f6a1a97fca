/**
 * torch.lobpcg: the k largest (or smallest) eigenpairs of the symmetric generalized eigenproblem
 * A·x = λ·B·x (B symmetric positive definite, default I) by Knyazev's locally optimal block
 * preconditioned conjugate gradient. The iteration runs on the host in float64 (its steps are
 * small dense Rayleigh–Ritz problems, solved by hostEigh); the eigenvalues are then attached to A
 * and B as Rayleigh quotients with ops, so they are differentiable.
 */
import { checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { randn } from './creation.js';
import { div, mul } from './elementwise.js';
import { matmul } from './linalg.js';
import { fromHost, hostMatrices, named, type Named } from './linalg-host.js';
import { hostEigh } from './linalg-spectral-host.js';
import { sum } from './reduce.js';
import { torchForm } from './keywords.js';

/** A dense row-major rows×cols float64 matrix. */
interface Mat {
  v: Float64Array;
  rows: number;
  cols: number;
}

const mat = (rows: number, cols: number, v = new Float64Array(rows * cols)): Mat => ({ v, rows, cols });

function mm(a: Mat, b: Mat, transA = false): Mat {
  const [r, inner] = transA ? [a.cols, a.rows] : [a.rows, a.cols];
  const out = mat(r, b.cols);
  for (let i = 0; i < r; i++)
    for (let l = 0; l < inner; l++) {
      const x = transA ? a.v[l * a.cols + i] : a.v[i * a.cols + l];
      if (x === 0) continue;
      for (let j = 0; j < b.cols; j++) out.v[i * b.cols + j] += x * b.v[l * b.cols + j];
    }
  return out;
}

/** The columns of the matrices side by side. */
function hcat(parts: Mat[]): Mat {
  const rows = parts[0].rows,
    cols = parts.reduce((c, p) => c + p.cols, 0);
  const out = mat(rows, cols);
  for (let i = 0; i < rows; i++) {
    let o = i * cols;
    for (const p of parts) for (let j = 0; j < p.cols; j++) out.v[o++] = p.v[i * p.cols + j];
  }
  return out;
}

const frob = (a: Mat) => Math.sqrt(a.v.reduce((s, x) => s + x * x, 0));
const column = (a: Mat, j: number) => Math.sqrt(Array.from({ length: a.rows }, (_, i) => a.v[i * a.cols + j] ** 2).reduce((s, x) => s + x, 0));

/** Operator application: x ↦ M·x for a given matrix, the identity for none. */
type Apply = (x: Mat) => Mat;

/**
 * A B-orthonormal basis Q of span(S) (QᵀBQ = I), with B·Q alongside: the columns are scaled to unit
 * B-norm, then the Gram matrix G = SᵀBS is diagonalized and S·V·Λ^(−½) kept for the eigenvalues
 * above 10⁻¹⁰·max (directions that S spans only to within ~10⁻⁵ of a dependence are dropped, as
 * LOBPCG's R and P columns become dependent near convergence). Done twice: the second pass
 * removes the first one's rounding.
 */
function bOrthonormalize(S: Mat, B: Apply): [Mat, Mat] {
  let Q = S;
  for (let pass = 0; pass < 2; pass++) {
    const BQ = B(Q);
    const G = mm(Q, BQ, true);
    const p = Q.cols;
    const scale = Array.from({ length: p }, (_, j) => (G.v[j * p + j] > 0 ? 1 / Math.sqrt(G.v[j * p + j]) : 0));
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) G.v[i * p + j] *= scale[i] * scale[j];
    const { w, v } = hostEigh(G.v, 0, p, true);
    const top = Math.max(...w);
    const keep = [...w.keys()].filter((j) => w[j] > 1e-10 * top);
    const T = mat(p, keep.length);
    keep.forEach((j, c) => {
      for (let i = 0; i < p; i++) T.v[i * keep.length + c] = (scale[i] * v[i * p + j]) / Math.sqrt(w[j]);
    });
    Q = mm(Q, T);
  }
  return [Q, B(Q)];
}

interface Eigenpairs {
  E: Float64Array;
  X: Mat;
}

/**
 * The Rayleigh–Ritz step: the n extreme eigenpairs of Qᵀ·A·Q for a B-orthonormal basis Q, as
 * columns of coefficients C and their values, descending for `largest`, else ascending.
 */
function rayleighRitz(Q: Mat, AQ: Mat, n: number, largest: boolean): { C: Mat; E: Float64Array } {
  const H = mm(Q, AQ, true);
  const r = H.cols;
  const { w, v } = hostEigh(H.v, 0, r, true);
  const order = Array.from({ length: n }, (_, i) => (largest ? r - 1 - i : i));
  const C = mat(r, n);
  order.forEach((j, c) => {
    for (let i = 0; i < r; i++) C.v[i * n + c] = v[i * r + j];
  });
  return { C, E: Float64Array.from(order, (j) => w[j]) };
}

interface Params {
  n: number;
  k: number;
  niter: number;
  tol: number;
  largest: boolean;
}

/**
 * LOBPCG on one matrix: X ← the Ritz vectors of span[X, W, P] with W = iK·R the preconditioned
 * residuals R = A·X − B·X·Λ and P the last step's update without its X part, until the first k
 * pairs meet torch's backward-stable test ‖rⱼ‖ < tol·‖xⱼ‖·(‖A‖ + |λⱼ|·‖B‖) (the norms estimated
 * as ‖A·X₀‖/‖X₀‖ on the initial block, as torch) or niter steps ran (niter −1: no limit).
 */
function lobpcgOne(A: Apply, B: Apply, iK: Apply | null, X0: Mat, p: Params): Eigenpairs {
  const x0 = frob(X0);
  const Anorm = frob(A(X0)) / x0,
    Bnorm = frob(B(X0)) / x0;
  let [Q, BQ] = bOrthonormalize(X0, B);
  let AQ = A(Q);
  let { C, E } = rayleighRitz(Q, AQ, p.n, p.largest);
  let X = mm(Q, C),
    AX = mm(AQ, C),
    BX = mm(BQ, C);
  let P: Mat | null = null;
  for (let it = 0; p.niter < 0 || it < p.niter; it++) {
    const R = mat(X.rows, p.n);
    for (let i = 0; i < X.rows; i++) for (let j = 0; j < p.n; j++) R.v[i * p.n + j] = AX.v[i * p.n + j] - BX.v[i * p.n + j] * E[j];
    let converged = 0;
    while (converged < p.k && column(R, converged) < p.tol * column(X, converged) * (Anorm + Math.abs(E[converged]) * Bnorm)) converged++;
    if (converged >= p.k) break;
    [Q, BQ] = bOrthonormalize(hcat(P === null ? [X, iK ? iK(R) : R] : [X, iK ? iK(R) : R, P]), B);
    AQ = A(Q);
    ({ C, E } = rayleighRitz(Q, AQ, p.n, p.largest));
    const Xn = mm(Q, C);
    // the search direction: the new block's part B-orthogonal to the old X
    const XtBXn = mm(X, mm(BQ, C), true);
    const proj = mm(X, XtBXn);
    P = mat(
      Xn.rows,
      p.n,
      Xn.v.map((x, i) => x - proj.v[i]),
    );
    X = Xn;
    AX = mm(AQ, C);
    BX = mm(BQ, C);
  }
  return { E, X };
}

/** A tensor's matrix b as an operator on host blocks. */
function operator(values: Float64Array, b: number, m: number): Apply {
  const M = mat(m, m, values.slice(b * m * m, (b + 1) * m * m));
  return (x) => mm(M, x);
}

function checkSquareLike(fn: string, name: string, t: Tensor | null | undefined, A: Tensor): void {
  if (t === null || t === undefined) return;
  checkTensor(fn, name, t);
  if (t.dtype !== 'float32') throw new DTypeError(fn, `${name} must be a float32 tensor, got ${t.dtype}`);
  if (t.shape.join() !== A.shape.join()) throw new ShapeError(fn, `${name} must have A's shape ${fmtShape(A.shape)}, got ${fmtShape(t.shape)}`);
}

/**
 * torch.lobpcg(A, k?, B?, X?, n?, iK?, niter?, tol?, largest?, method?) → { E [..., k], X [..., m, k] }
 * (also `const [E, X] = …`): the k largest (largest, default true) or smallest eigenvalues of
 * A·x = λ·B·x, descending or ascending, and B-orthonormal eigenvectors. A [..., m, m] symmetric
 * (read whole), B SPD of A's shape (default I), X an initial block [..., m, n] (default Gaussian from
 * the global generator, n = k, as torch), iK a preconditioner of A's shape; k defaults to X's
 * columns or 1; m ≥ 3n as torch; niter default 1000 (−1: until converged); tol default
 * √(1.2·10⁻⁷). torch's tracker and ortho parameters are not taken; `method` 'ortho' (default) or
 * 'basic' both run the orthonormalized iteration above. E is differentiable in A and B (the
 * Rayleigh quotient xᵀAx / xᵀBx with x held fixed, the first-order eigenvalue gradient); X is not
 * (torch differentiates it too).
 */
function lobpcgImpl(
  A: Tensor,
  k: number | null = null,
  B: Tensor | null = null,
  X: Tensor | null = null,
  n: number | null = null,
  iK: Tensor | null = null,
  niter: number | null = null,
  tol: number | null = null,
  largest: boolean | null = null,
  method: 'ortho' | 'basic' | null = null,
): Named<{ E: Tensor; X: Tensor }> {
  const fn = 'lobpcg';
  const h = hostMatrices(fn, 'A', A);
  if (h.m !== h.n) throw new ShapeError(fn, `A must be batches of square matrices, got ${fmtShape(A.shape)}`);
  checkSquareLike(fn, 'B', B, A);
  checkSquareLike(fn, 'iK', iK, A);
  const m = h.m;
  if (X !== null) {
    checkTensor(fn, 'X', X);
    if (X.dtype !== 'float32') throw new DTypeError(fn, `X must be a float32 tensor, got ${X.dtype}`);
    if (X.ndim !== A.ndim || X.shape.slice(0, -1).join() !== A.shape.slice(0, -1).join())
      throw new ShapeError(fn, `X must have shape [..., ${m}, n] with A's batch dims, got ${fmtShape(X.shape)} for A ${fmtShape(A.shape)}`);
  }
  const kk = k ?? (X === null ? 1 : X.shape[X.ndim - 1]);
  const nn = X === null ? (n ?? kk) : X.shape[X.ndim - 1];
  if (!Number.isInteger(kk) || kk < 1) throw new ValueError(fn, `k must be a positive integer, got ${fmtValue(k)}`);
  if (!Number.isInteger(nn) || nn < kk) throw new ValueError(fn, `n (the block size, X's columns) must be an integer ≥ k = ${kk}, got ${fmtValue(nn)}`);
  if (m < 3 * nn)
    throw new ValueError(
      fn,
      `LPBPCG algorithm is not applicable when the number of A rows (=${m}) is smaller than 3 x the number of requested eigenpairs (=${nn})`,
    );
  const its = niter ?? 1000;
  if (!Number.isInteger(its) || its < -1) throw new ValueError(fn, `niter must be a non-negative integer or -1, got ${fmtValue(niter)}`);
  const t = tol ?? Math.sqrt(1.2e-7);
  if (typeof t !== 'number' || !(t > 0)) throw new ValueError(fn, `tol must be a positive number, got ${fmtValue(tol)}`);
  const big = largest ?? true;
  if (typeof big !== 'boolean') throw new ValueError(fn, `largest must be a boolean, got ${fmtValue(largest)}`);
  if (method !== null && method !== 'ortho' && method !== 'basic') throw new ValueError(fn, `method must be 'ortho' or 'basic', got ${fmtValue(method)}`);
  const Bv = B === null ? null : hostMatrices(fn, 'B', B).values,
    Kv = iK === null ? null : hostMatrices(fn, 'iK', iK).values;
  const X0 = X === null ? null : hostMatrices(fn, 'X', X).values;
  const E = new Float64Array(h.count * kk),
    V = new Float64Array(h.count * m * kk);
  for (let b = 0; b < h.count; b++) {
    const start = X0 === null ? Float64Array.from(randn([m, nn]).rawValues()) : X0.slice(b * m * nn, (b + 1) * m * nn);
    const r = lobpcgOne(operator(h.values, b, m), Bv === null ? (x) => x : operator(Bv, b, m), Kv === null ? null : operator(Kv, b, m), mat(m, nn, start), {
      n: nn,
      k: kk,
      niter: its,
      tol: t,
      largest: big,
    });
    E.set(r.E.subarray(0, kk), b * kk);
    for (let i = 0; i < m; i++) for (let j = 0; j < kk; j++) V[b * m * kk + i * kk + j] = r.X.v[i * nn + j];
  }
  const Xt = fromHost(fn, [...h.batch, m, kk], V);
  // λⱼ = xⱼᵀAxⱼ / xⱼᵀBxⱼ with x fixed (xⱼᵀBxⱼ = 1): its value is E to the tolerance and float32
  // rounding (the quotient is stationary at an eigenvector), its gradient xⱼxⱼᵀ in A and −λⱼ·xⱼxⱼᵀ in B
  const quotient = (M: Tensor) => sum(mul(Xt, matmul(M, Xt)), -2);
  const Et = B === null ? quotient(A) : div(quotient(A), quotient(B));
  return named({ E: Et, X: Xt });
}

export const lobpcg = /* @__PURE__ */ torchForm('lobpcg', lobpcgImpl, {
  positional: ['k', 'B', 'X', 'n', 'iK', 'niter', 'tol', 'largest', 'method'],
});
