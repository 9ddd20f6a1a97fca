/**
 * wg.linalg's LU family: inv, det, slogdet, logdet, solve, luFactor, lu, luSolve, luUnpack and
 * solveTriangular. The factorizations run on the host (linalg-host.ts, loops in linalg-lu-core.ts);
 * each result y₀ gets its first-order gradient as y₀ + L(tangent(A)), L written with ops whose
 * coefficients are host constants:
 *   inv:      dY = −Y·dA·Y                 det: d(det) = Σ cof(A) ⊙ dA (cof = adj(A)ᵀ)
 *   slogdet:  d(logabsdet) = Σ A⁻ᵀ ⊙ dA     solve (AX = B): dX = A⁻¹·(dB − dA·X)
 *   lu (A = P·L·U, k = min(m, n)): X = L₁⁻¹·(Pᵀ·dA)₁₁·U₁⁻¹ (the k×k blocks), dL₁ = L₁·tril(X, −1),
 *   dU₁ = triu(X)·U₁, and the rest of a wide U or a tall L from the remaining columns or rows.
 */
import { ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { checkOptions, checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { checkBool } from '../ops/types.js';
import { readValues } from './counting.js';
import { add, mul, sub } from './elementwise.js';
import { tril, triu } from './indexing.js';
import { eye } from './factories.js';
import { narrow, pad } from './layout.js';
import { matmul } from './linalg.js';
import { batchElement, fromHost, hostMatrices, needsGrad, tangent, type HostMatrices, checkSquare, mT, named } from './linalg-host.js';
import { cofactorInto, luDet, luInPlace, luSolveInPlace, triangularSolveInPlace } from './linalg-lu-core.js';
import { sum } from './reduce.js';
import { cat } from './shape.js';
import { batchSource, identities, intFromHost, isVectorRhs, solveSystem, type LinearSystem } from './linalg-system.js';

/** Every square matrix of h factored in place; pivots and info per matrix. */
function factorAll(h: HostMatrices): { piv: Int32Array; info: Int32Array } {
  const k = Math.min(h.m, h.n);
  const piv = new Int32Array(h.count * k);
  const info = new Int32Array(h.count);
  for (let b = 0; b < h.count; b++) info[b] = luInPlace(h.values, b * h.m * h.n, h.m, h.n, piv, b * k);
  return { piv, info };
}

/** The inverses of h's factored square matrices (∞ or NaN entries where one is singular). */
function inverses(h: HostMatrices, piv: Int32Array): Float64Array {
  const n = h.n;
  const out = identities(h.count, n);
  for (let b = 0; b < h.count; b++) luSolveInPlace(h.values, b * n * n, piv, b * n, n, out, b * n * n, n, false);
  return out;
}

/** torch's LinAlgError for the first matrix whose info is not 0, naming its batch element; `what` says it from that info. */
function throwSingular(fn: string, h: HostMatrices, info: Int32Array, what: (info: number) => string): void {
  const b = info.findIndex((v) => v !== 0);
  if (b >= 0) throw new ValueError(fn, `${batchElement(h, b)}${what(info[b])}`);
}

function inverseOf(fn: string, A: Tensor, checkErrors: boolean): { inverse: Tensor; info: Tensor } {
  const h = hostMatrices(fn, 'A', A);
  checkSquare(fn, 'A', h);
  const { piv, info } = factorAll(h);
  if (checkErrors)
    throwSingular(fn, h, info, (i) => `The diagonal element ${i} is zero, the inversion could not be completed because the input matrix is singular`);
  let y = fromHost(fn, A.shape, inverses(h, piv));
  if (needsGrad(A)) y = sub(y, matmul(matmul(y, tangent(A)), y));
  return { inverse: y, info: intFromHost(fn, h.batch, info) };
}

/** torch.linalg.inv: A⁻¹ of every square matrix of A [..., n, n]; a singular one is an error naming it. */
export const inv = (A: Tensor): Tensor => inverseOf('linalg.inv', A, true).inverse;

/** torch.linalg.inv_ex: { inverse, info } (info: 0, or the 1-based index of U's first zero pivot; inverse undefined there) without the error unless checkErrors. */
export function invEx(A: Tensor, opts?: { checkErrors?: boolean }): { inverse: Tensor; info: Tensor } & Iterable<Tensor> {
  const { checkErrors = false } = checkOptions<{ checkErrors?: boolean }>('linalg.invEx', opts, ['checkErrors']);
  checkBool('linalg.invEx', 'checkErrors', checkErrors);
  return named(inverseOf('linalg.invEx', A, checkErrors));
}

/**
 * det and log|det| of A's square matrices (0 and −∞ for a singular one), with A's factorization
 * (h holds the LU factors, `piv` their pivots) and a copy of its values.
 */
function determinants(fn: string, A: Tensor): { h: HostMatrices; piv: Int32Array; det: Float64Array; logabs: Float64Array; original: Float64Array } {
  const h = hostMatrices(fn, 'A', A);
  checkSquare(fn, 'A', h);
  const original = h.values.slice();
  const { piv } = factorAll(h);
  const n = h.n;
  const det = new Float64Array(h.count);
  const logabs = new Float64Array(h.count);
  for (let b = 0; b < h.count; b++) {
    det[b] = luDet(h.values, b * n * n, piv, b * n, n);
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.log(Math.abs(h.values[b * n * n + i * n + i]));
    logabs[b] = s;
  }
  return { h, piv, det, logabs, original };
}

/** torch.linalg.det. Its gradient is the cofactor matrix, finite at singular matrices (torch 1.13 gives 0 there). */
export function det(A: Tensor): Tensor {
  const { h, det: d, original } = determinants('linalg.det', A);
  const y = fromHost('linalg.det', h.batch, d);
  if (!needsGrad(A)) return y;
  const cof = new Float64Array(original.length);
  for (let b = 0; b < h.count; b++) cofactorInto(original, b * h.n * h.n, h.n, cof, b * h.n * h.n);
  return add(y, sum(mul(fromHost('linalg.det', A.shape, cof), tangent(A)), [-2, -1]));
}

/** logabsdet's linearization: Σ A⁻ᵀ ⊙ dA, with a zero coefficient for a singular matrix (its −∞ stays −∞). */
function withLogabsGrad(fn: string, A: Tensor, y: Tensor, h: HostMatrices, piv: Int32Array, d: Float64Array): Tensor {
  if (!needsGrad(A)) return y;
  const n = h.n;
  const aInv = inverses(h, piv);
  const coef = new Float64Array(aInv.length);
  for (let b = 0; b < h.count; b++)
    if (d[b] !== 0) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) coef[b * n * n + j * n + i] = aInv[b * n * n + i * n + j];
  return add(y, sum(mul(fromHost(fn, A.shape, coef), tangent(A)), [-2, -1]));
}

/** torch.linalg.slogdet: { sign, logabsdet } of A's square matrices. */
export function slogdet(A: Tensor): { sign: Tensor; logabsdet: Tensor } & Iterable<Tensor> {
  const fn = 'linalg.slogdet';
  const { h, piv, det: d, logabs } = determinants(fn, A);
  const sign = fromHost(fn, h.batch, Array.from(d, Math.sign));
  return named({ sign, logabsdet: withLogabsGrad(fn, A, fromHost(fn, h.batch, logabs), h, piv, d) });
}

/** torch.logdet: log(det A): NaN where det < 0, −∞ where A is singular. */
export function logdet(A: Tensor): Tensor {
  const fn = 'logdet';
  const { h, piv, det: d, logabs } = determinants(fn, A);
  const y = fromHost(
    fn,
    h.batch,
    logabs.map((v, b) => (d[b] < 0 ? NaN : v)),
  );
  return withLogabsGrad(fn, A, y, h, piv, d);
}

export interface SolveOptions {
  /** true (default): solve A·X = B; false: X·A = B. */
  left?: boolean;
}

function solveOf(fn: string, A: Tensor, B: Tensor, opts: SolveOptions | undefined, checkErrors: boolean): { result: Tensor; info: Tensor } {
  const { left = true } = checkOptions<SolveOptions>(fn, opts, ['left']);
  checkBool(fn, 'left', left);
  const h = hostMatrices(fn, 'A', A);
  checkSquare(fn, 'A', h);
  checkTensor(fn, 'B', B);
  const n = h.n;
  const { piv, info } = factorAll(h);
  if (checkErrors) throwSingular(fn, h, info, () => 'The solver failed because the input matrix is singular');
  const sys: LinearSystem = {
    n,
    batch: h.batch,
    solve: (i, b, bo, k, t) => luSolveInPlace(h.values, i * n * n, piv, i * n, n, b, bo, k, t),
    dA: needsGrad(A) ? () => tangent(A) : null,
  };
  const result = solveSystem(fn, sys, B, left, isVectorRhs(A, B), needsGrad(B) ? tangent(B) : null);
  // info over the broadcast batch, as torch expands A
  const batch = result.shape.slice(0, isVectorRhs(A, B) ? -1 : -2);
  return {
    result,
    info: intFromHost(
      fn,
      batch,
      Array.from(batchSource(batch, h.batch), (i) => info[i]),
    ),
  };
}

/**
 * torch.linalg.solve: X with A·X = B (or X·A = B with left false). B is a vector (or batch of
 * vectors) under torch's rule, else matrices [..., n, k]; batch dims broadcast. A singular matrix
 * is an error naming it.
 */
export const solve = (A: Tensor, B: Tensor, opts?: SolveOptions): Tensor => solveOf('linalg.solve', A, B, opts, true).result;

/** torch.linalg.solve_ex: { result, info } without the singular-matrix error unless checkErrors. */
export function solveEx(A: Tensor, B: Tensor, opts?: SolveOptions & { checkErrors?: boolean }): { result: Tensor; info: Tensor } & Iterable<Tensor> {
  const { checkErrors = false, ...rest } = checkOptions<SolveOptions & { checkErrors?: boolean }>('linalg.solveEx', opts, ['left', 'checkErrors']);
  checkBool('linalg.solveEx', 'checkErrors', checkErrors);
  return named(solveOf('linalg.solveEx', A, B, rest, checkErrors));
}

interface LuParts {
  h: HostMatrices;
  k: number;
  piv: Int32Array;
  info: Int32Array;
  /** the packed factors LU₀, L₀ [..., m, k], U₀ [..., k, n], P [..., m, m] */
  packed: Tensor;
  L: Tensor;
  U: Tensor;
  P: Tensor;
  /** the tangents of L and U, when A needs a gradient */
  dL: Tensor | null;
  dU: Tensor | null;
}

/** The permutation matrices P [..., m, m] (A = P·L·U) of LAPACK's pivots (0-based swaps, k per matrix). */
function permutations(count: number, m: number, k: number, piv: Int32Array): Float64Array {
  const out = new Float64Array(count * m * m);
  const perm = new Int32Array(m);
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < m; i++) perm[i] = i;
    for (let j = 0; j < k; j++) {
      const p = piv[b * k + j];
      [perm[j], perm[p]] = [perm[p], perm[j]];
    }
    // Pᵀ·A has A's row perm[i] as its row i, so P[perm[i]][i] = 1
    for (let i = 0; i < m; i++) out[b * m * m + perm[i] * m + i] = 1;
  }
  return out;
}

/** The packed factors of h split: L [m, k] with its unit diagonal, U [k, n], per matrix. */
function splitLU(h: HostMatrices): { lower: Float64Array; upper: Float64Array } {
  const { m, n, count } = h;
  const k = Math.min(m, n);
  const lower = new Float64Array(count * m * k);
  const upper = new Float64Array(count * k * n);
  for (let b = 0; b < count; b++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        const v = h.values[b * m * n + i * n + j];
        if (j < k) lower[b * m * k + i * k + j] = i === j ? 1 : i > j ? v : 0;
        if (i < k && j >= i) upper[b * k * n + i * n + j] = v;
      }
  return { lower, upper };
}

function luParts(fn: string, A: Tensor, pivot: unknown): LuParts {
  checkBool(fn, 'pivot', pivot);
  if (pivot === false) throw new ValueError(fn, 'LU without pivoting is not implemented on the CPU (as torch 1.13): give pivot true');
  const h = hostMatrices(fn, 'A', A);
  const { m, n, count, batch } = h;
  const k = Math.min(m, n);
  const { piv, info } = factorAll(h);
  const { lower, upper } = splitLU(h);
  const L = fromHost(fn, [...batch, m, k], lower);
  const U = fromHost(fn, [...batch, k, n], upper);
  const P = fromHost(fn, [...batch, m, m], permutations(count, m, k, piv));
  const parts: LuParts = { h, k, piv, info, packed: fromHost(fn, A.shape, h.values), L, U, P, dL: null, dU: null };
  if (!needsGrad(A)) return parts;
  const lk = narrow(L, -2, 0, k);
  const uk = narrow(U, -1, 0, k);
  // L₁⁻¹ and U₁⁻¹ of the leading k×k blocks (L's first k rows are contiguous; U₁ is copied out).
  // A singular U₁ has no derivative (torch's is ∞/NaN): its U₁⁻¹ is left zero, which keeps the
  // values of lu(A) and luFactorEx(A) finite and drops those terms of the gradient.
  const lkInv = identities(count, k);
  const ukInv = identities(count, k);
  const u1 = new Float64Array(k * k);
  for (let b = 0; b < count; b++) {
    triangularSolveInPlace(lower, b * m * k, k, false, true, false, lkInv, b * k * k, k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) u1[i * k + j] = upper[b * k * n + i * n + j];
    if (info[b] === 0) triangularSolveInPlace(u1, 0, k, true, false, false, ukInv, b * k * k, k);
    else ukInv.fill(0, b * k * k, (b + 1) * k * k);
  }
  const [l1Inv, u1Inv] = [lkInv, ukInv].map((v) => fromHost(fn, [...batch, k, k], v));
  const pda = matmul(mT(P), tangent(A));
  const x = matmul(matmul(l1Inv, narrow(narrow(pda, -2, 0, k), -1, 0, k)), u1Inv);
  let dL = matmul(lk, tril(x, -1));
  let dU = matmul(triu(x), uk);
  // a wide A: U's last n − k columns from Pᵀ·dA = L·dU + dL·U there; a tall A: L's last m − k rows likewise
  if (n > k) dU = cat([dU, matmul(l1Inv, sub(narrow(narrow(pda, -2, 0, k), -1, k, n - k), matmul(dL, narrow(U, -1, k, n - k))))], -1);
  if (m > k) dL = cat([dL, matmul(sub(narrow(narrow(pda, -2, k, m - k), -1, 0, k), matmul(narrow(L, -2, k, m - k), dU)), u1Inv)], -2);
  return { ...parts, dL, dU };
}

interface LuOptions {
  /** Only true (the default) is supported, as torch 1.13 on the CPU. */
  pivot?: boolean;
}

export function luFactorOf(fn: string, A: Tensor, pivot: unknown, checkErrors: boolean): { LU: Tensor; pivots: Tensor; info: Tensor } & Iterable<Tensor> {
  const { h, k, piv, info, packed, dL, dU } = luParts(fn, A, pivot);
  if (checkErrors)
    throwSingular(
      fn,
      h,
      info,
      (i) =>
        `U[${i},${i}] is zero and using it on luSolve would result in a division by zero. If you still want to perform the factorization, consider calling linalg.lu(A) or linalg.luFactorEx(A)`,
    );
  const { m, n } = h;
  const LU = dL && dU ? add(packed, add(pad(dL, [0, n - k]), pad(dU, [0, 0, 0, m - k]))) : packed;
  return named({
    LU,
    pivots: intFromHost(
      fn,
      [...h.batch, k],
      piv.map((p) => p + 1),
    ),
    info: intFromHost(fn, h.batch, info),
  });
}

/** torch.linalg.lu_factor: { LU, pivots } of A [..., m, n] (pivots int32, 1-based as LAPACK); a singular matrix is an error, as torch. */
export function luFactor(A: Tensor, opts?: LuOptions): { LU: Tensor; pivots: Tensor } & Iterable<Tensor> {
  const { pivot = true } = checkOptions<LuOptions>('linalg.luFactor', opts, ['pivot']);
  const { LU, pivots } = luFactorOf('linalg.luFactor', A, pivot, true);
  return named({ LU, pivots });
}

/** torch.linalg.lu_factor_ex: { LU, pivots, info } (info: 0, or the 1-based index of U's first zero pivot). */
export function luFactorEx(A: Tensor, opts?: LuOptions & { checkErrors?: boolean }): { LU: Tensor; pivots: Tensor; info: Tensor } & Iterable<Tensor> {
  const fn = 'linalg.luFactorEx';
  const { pivot = true, checkErrors = false } = checkOptions<LuOptions & { checkErrors?: boolean }>(fn, opts, ['pivot', 'checkErrors']);
  checkBool(fn, 'checkErrors', checkErrors);
  return luFactorOf(fn, A, pivot, checkErrors);
}

/** torch.linalg.lu: { P, L, U } with A = P·L·U, L [..., m, k] unit lower, U [..., k, n] upper, k = min(m, n). */
export function lu(A: Tensor, opts?: LuOptions): { P: Tensor; L: Tensor; U: Tensor } & Iterable<Tensor> {
  const { pivot = true } = checkOptions<LuOptions>('linalg.lu', opts, ['pivot']);
  const { P, L, U, dL, dU } = luParts('linalg.lu', A, pivot);
  return named({ P, L: dL ? add(L, dL) : L, U: dU ? add(U, dU) : U });
}

/** LU's pivots [..., k] checked and read as 0-based swaps. */
function pivotValues(fn: string, LU: Tensor, pivots: Tensor): Int32Array {
  checkTensor(fn, 'pivots', pivots);
  const m = LU.shape[LU.ndim - 2];
  const k = Math.min(m, LU.shape[LU.ndim - 1]);
  const batch = LU.shape.slice(0, -2);
  if (pivots.dtype !== 'int32' || pivots.shape.join() !== [...batch, k].join())
    throw new ShapeError(
      fn,
      `pivots must be an int32 tensor of shape ${fmtShape([...batch, k])} for LU of shape ${fmtShape(LU.shape)}, got ${pivots.dtype} ${fmtShape(pivots.shape)}`,
    );
  const piv = readValues(fn, pivots, 'the permutation is built in JavaScript');
  const bad = piv.findIndex((p, i) => !(p >= (i % k) + 1 && p <= m));
  if (bad >= 0) throw new ValueError(fn, `pivots[${bad}] must be in [${(bad % k) + 1}, ${m}] (LAPACK's 1-based row swaps), got ${fmtValue(piv[bad])}`);
  return Int32Array.from(piv, (p) => p - 1);
}

/** torch.lu_unpack: { P, L, U } of lu_factor's packed LU and pivots (differentiable in LU). */
export function luUnpack(LU: Tensor, pivots: Tensor, unpackData = true, unpackPivots = true): { P: Tensor; L: Tensor; U: Tensor } & Iterable<Tensor> {
  const fn = 'luUnpack';
  checkTensor(fn, 'LU_data', LU);
  if (LU.ndim < 2) throw new ShapeError(fn, `LU_data must have at least 2 dims [..., m, n], got ${fmtShape(LU.shape)}`);
  checkBool(fn, 'unpack_data', unpackData);
  checkBool(fn, 'unpack_pivots', unpackPivots);
  const [m, n] = LU.shape.slice(-2);
  const k = Math.min(m, n);
  const empty = fromHost(fn, [0], []);
  const count = LU.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const P = unpackPivots ? fromHost(fn, [...LU.shape.slice(0, -2), m, m], permutations(count, m, k, pivotValues(fn, LU, pivots))) : empty;
  if (!unpackData) return named({ P, L: empty, U: empty });
  return named({ P, L: add(tril(narrow(LU, -1, 0, k), -1), eye(m, k)), U: triu(narrow(LU, -2, 0, k)) });
}

export interface LuSolveOptions {
  /** true (default): solve A·X = B; false: X·A = B. */
  left?: boolean;
  /** Solve with Aᴴ (= Aᵀ) instead of A. */
  adjoint?: boolean;
}

/**
 * torch.linalg.lu_solve: X with A·X = B (X·A = B with left false; Aᴴ with adjoint) for A = P·L·U
 * given by lu_factor's { LU, pivots }; B [..., n, k], batch dims broadcasting. Its gradient in LU
 * goes through dA = P·(tril(dLU, −1)·U + L·triu(dLU)).
 */
export function luSolve(LU: Tensor, pivots: Tensor, B: Tensor, opts?: LuSolveOptions): Tensor {
  const fn = 'linalg.luSolve';
  const { left = true, adjoint = false } = checkOptions<LuSolveOptions>(fn, opts, ['left', 'adjoint']);
  checkBool(fn, 'left', left);
  checkBool(fn, 'adjoint', adjoint);
  const h = hostMatrices(fn, 'LU', LU);
  checkSquare(fn, 'LU', h);
  checkTensor(fn, 'B', B);
  if (B.ndim < 2) throw new ShapeError(fn, `The input tensor B must have at least 2 dimensions, got ${fmtShape(B.shape)}`);
  const n = h.n;
  const piv = pivotValues(fn, LU, pivots);
  const dA = (): Tensor => {
    const { lower, upper } = splitLU(h);
    const t = tangent(LU);
    const P = fromHost(fn, [...h.batch, n, n], permutations(h.count, n, n, piv));
    const d = matmul(P, add(matmul(tril(t, -1), fromHost(fn, LU.shape, upper)), matmul(fromHost(fn, LU.shape, lower), triu(t))));
    return adjoint ? mT(d) : d;
  };
  const sys: LinearSystem = {
    n,
    batch: h.batch,
    solve: (i, b, bo, k, t) => luSolveInPlace(h.values, i * n * n, piv, i * n, n, b, bo, k, t !== adjoint),
    dA: needsGrad(LU) ? dA : null,
  };
  return solveSystem(fn, sys, B, left, false, needsGrad(B) ? tangent(B) : null);
}

/** torch.lu_solve(b, LU_data, LU_pivots): the older argument order of linalg.luSolve. */
export const luSolveTorch = (b: Tensor, LU: Tensor, pivots: Tensor): Tensor => luSolve(LU, pivots, b);

export interface SolveTriangularOptions {
  /** Required, as torch: whether A is upper (true) or lower (false) triangular; the other triangle is not read. */
  upper: boolean;
  /** true (default): solve A·X = B; false: X·A = B. */
  left?: boolean;
  /** A's diagonal taken as ones (not read). */
  unitriangular?: boolean;
}

/** The system of op(A), A's upper or lower triangle (unit diagonal with `unit`), op(A) = Aᵀ with `transpose`. */
export function triangularSystem(fn: string, A: Tensor, upper: boolean, unit: boolean, transpose: boolean): LinearSystem {
  const h = hostMatrices(fn, 'A', A);
  checkSquare(fn, 'A', h);
  const n = h.n;
  // only the triangle that is read has a gradient (the strict one with a unit diagonal)
  const dA = (): Tensor => {
    const d = (upper ? triu : tril)(tangent(A), unit ? (upper ? 1 : -1) : 0);
    return transpose ? mT(d) : d;
  };
  return {
    n,
    batch: h.batch,
    solve: (i, b, bo, k, t) => triangularSolveInPlace(h.values, i * n * n, n, upper, unit, t !== transpose, b, bo, k),
    dA: needsGrad(A) ? dA : null,
  };
}

/** torch.linalg.solve_triangular: X with A·X = B (or X·A = B) for triangular A [..., n, n], B [..., n, k] (batches broadcast). */
export function solveTriangular(A: Tensor, B: Tensor, opts: SolveTriangularOptions): Tensor {
  const fn = 'linalg.solveTriangular';
  const { upper, left = true, unitriangular = false } = checkOptions<SolveTriangularOptions>(fn, opts, ['upper', 'left', 'unitriangular']);
  if (typeof upper !== 'boolean') throw new ValueError(fn, `upper is required (true or false), got ${fmtValue(upper)}`);
  checkBool(fn, 'left', left);
  checkBool(fn, 'unitriangular', unitriangular);
  return solveSystem(fn, triangularSystem(fn, A, upper, unitriangular, false), B, left, false, needsGrad(B) ? tangent(B) : null);
}
