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
import { broadcastShapes } from '../ops/broadcast.js';
import { checkBool } from '../ops/types.js';
import { readValues } from './counting.js';
import { make } from './creation.js';
import { add, mul, neg, sub } from './elementwise.js';
import { tril, triu } from './indexing.js';
import { eye } from './factories.js';
import { expand, narrow, pad, squeeze, unsqueeze } from './layout.js';
import { matmul } from './linalg.js';
import { fromHost, hostMatrices, needsGrad, tangent, type HostMatrices } from './linalg-host.js';
import { cofactorInto, luDet, luInPlace, luSolveInPlace, triangularSolveInPlace } from './linalg-lu-core.js';
import { sum } from './reduce.js';
import { cat, transpose } from './shape.js';

/** torch's named tuples: fields by name, and iterable in torch's order (`const [sign, logabsdet] = wg.linalg.slogdet(A)`). */
export function namedTuple<T extends Record<string, Tensor>>(fields: T): T & Iterable<Tensor> {
  return { ...fields, [Symbol.iterator]: () => Object.values(fields)[Symbol.iterator]() };
}

/** The last two dims swapped (torch's .mT). */
export const mT = (x: Tensor): Tensor => transpose(x, -2, -1);

/** An int32 tensor of `shape` holding `values` (pivots, info). */
export function intFromHost(fn: string, shape: readonly number[], values: ArrayLike<number>): Tensor {
  return make(fn, [...shape], 'int32', (be, p) => be.write(p, values, 'int32'));
}

/** torch's error for a non-square matrix. */
export function checkSquare(fn: string, name: string, h: HostMatrices): void {
  if (h.m !== h.n) throw new ShapeError(fn, `${name} must be batches of square matrices, but they are ${h.m} by ${h.n} matrices`);
}

/** "(Batch element i): " for a batched input, as torch's LinAlgError names the failing matrix. */
export const batchElement = (h: { batch: number[] }, i: number): string => (h.batch.length > 0 ? `(Batch element ${i}): ` : '');

/** The n×n identity matrices of `count` batch elements, back to back. */
function identities(count: number, n: number): Float64Array {
  const out = new Float64Array(count * n * n);
  for (let b = 0; b < count; b++) for (let i = 0; i < n; i++) out[b * n * n + i * n + i] = 1;
  return out;
}

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

/** X₀ + A⁻¹·(dB − dA·X₀): the linearized solution of A·X = B, from the tangents that need one. */
function linearizedSolve(x0: Tensor, aInv: () => Tensor, dA: Tensor | null, dB: Tensor | null): Tensor {
  if (!dA && !dB) return x0;
  const r = dA ? (dB ? sub(dB, matmul(dA, x0)) : neg(matmul(dA, x0))) : dB!;
  return add(x0, matmul(aInv(), r));
}

function throwSingular(fn: string, h: HostMatrices, info: Int32Array, what: string): void {
  const b = info.findIndex((v) => v !== 0);
  if (b >= 0) throw new ValueError(fn, `${batchElement(h, b)}${what}`);
}

function inverseOf(fn: string, A: Tensor, checkErrors: boolean): { inverse: Tensor; info: Tensor } {
  const h = hostMatrices(fn, 'A', A);
  checkSquare(fn, 'A', h);
  const { piv, info } = factorAll(h);
  if (checkErrors) {
    const b = info.findIndex((v) => v !== 0);
    if (b >= 0)
      throw new ValueError(
        fn,
        `${batchElement(h, b)}The diagonal element ${info[b]} is zero, the inversion could not be completed because the input matrix is singular`,
      );
  }
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
  return namedTuple(inverseOf('linalg.invEx', A, checkErrors));
}

/**
 * The determinants of A's square matrices, or with `log`, { sign, logabsdet } (sign 0 and
 * logabsdet −∞ for a singular matrix).
 */
function determinants(fn: string, A: Tensor): { h: HostMatrices; det: Float64Array; logabs: Float64Array; original: Float64Array } {
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
  return { h, det, logabs, original };
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
function withLogabsGrad(fn: string, A: Tensor, y: Tensor, h: HostMatrices, original: Float64Array, d: Float64Array): Tensor {
  if (!needsGrad(A)) return y;
  const n = h.n;
  const work: HostMatrices = { ...h, values: original };
  const { piv } = factorAll(work);
  const aInv = inverses(work, piv);
  const coef = new Float64Array(aInv.length);
  for (let b = 0; b < h.count; b++)
    if (d[b] !== 0) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) coef[b * n * n + j * n + i] = aInv[b * n * n + i * n + j];
  return add(y, sum(mul(fromHost(fn, A.shape, coef), tangent(A)), [-2, -1]));
}

/** torch.linalg.slogdet: { sign, logabsdet } of A's square matrices. */
export function slogdet(A: Tensor): { sign: Tensor; logabsdet: Tensor } & Iterable<Tensor> {
  const fn = 'linalg.slogdet';
  const { h, det: d, logabs, original } = determinants(fn, A);
  const sign = fromHost(fn, h.batch, Array.from(d, Math.sign));
  return namedTuple({ sign, logabsdet: withLogabsGrad(fn, A, fromHost(fn, h.batch, logabs), h, original, d) });
}

/** torch.logdet: log(det A): NaN where det < 0, −∞ where A is singular. */
export function logdet(A: Tensor): Tensor {
  const fn = 'logdet';
  const { h, det: d, logabs, original } = determinants(fn, A);
  const y = fromHost(
    fn,
    h.batch,
    logabs.map((v, b) => (d[b] < 0 ? NaN : v)),
  );
  return withLogabsGrad(fn, A, y, h, original, d);
}

export interface SolveOptions {
  /** true (default): solve A·X = B; false: X·A = B. */
  left?: boolean;
}

/** torch's rule: B is a (batch of) vector(s) if 1-D, or if its shape is A's without the last dim. */
const isVectorRhs = (A: Tensor, B: Tensor): boolean => B.ndim === 1 || (B.ndim === A.ndim - 1 && B.shape.every((d, i) => d === A.shape[i]));

function solveOf(fn: string, A: Tensor, B: Tensor, opts: SolveOptions | undefined, checkErrors: boolean): { result: Tensor; info: Tensor } {
  const { left = true } = checkOptions<SolveOptions>(fn, opts, ['left']);
  checkBool(fn, 'left', left);
  checkTensor(fn, 'B', B);
  const vector = isVectorRhs(A, B);
  if (!left) {
    const r = solveOf(fn, mT(A), vector ? B : mT(B), {}, checkErrors);
    return { result: vector ? r.result : mT(r.result), info: r.info };
  }
  const hA = hostMatrices(fn, 'A', A);
  checkSquare(fn, 'A', hA);
  const b = vector ? unsqueeze(B, -1) : B;
  if (b.ndim < 2 || b.shape[b.ndim - 2] !== hA.n)
    throw new ShapeError(
      fn,
      `Incompatible shapes of A and B for the equation AX = B (${hA.n}x${hA.n} and ${b.ndim < 2 ? fmtShape(b.shape) : `${b.shape[b.ndim - 2]}x${b.shape[b.ndim - 1]}`})`,
    );
  const n = hA.n;
  const k = b.shape[b.ndim - 1];
  const batch = broadcastShapes(fn, [hA.batch, b.shape.slice(0, -2)]);
  const a = hostMatrices(fn, 'A', expand(A, [...batch, n, n]));
  const x = hostMatrices(fn, 'B', expand(b, [...batch, n, k]));
  const original = needsGrad(A, B) ? a.values.slice() : a.values;
  const { piv, info } = factorAll(a);
  if (checkErrors) throwSingular(fn, a, info, 'The solver failed because the input matrix is singular');
  for (let i = 0; i < a.count; i++) luSolveInPlace(a.values, i * n * n, piv, i * n, n, x.values, i * n * k, k, false);
  const x0 = fromHost(fn, [...batch, n, k], x.values);
  const aInv = (): Tensor => fromHost(fn, [...batch, n, n], inverses({ ...a, values: original }, factorAll({ ...a, values: original }).piv));
  const result = linearizedSolve(x0, aInv, needsGrad(A) ? tangent(A) : null, needsGrad(B) ? tangent(b) : null);
  return { result: vector ? squeeze(result, -1) : result, info: intFromHost(fn, batch, info) };
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
  return namedTuple(solveOf('linalg.solveEx', A, B, rest, checkErrors));
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
function permutations(count: number, m: number, k: number, piv: ArrayLike<number>, base: number): Float64Array {
  const out = new Float64Array(count * m * m);
  const perm = new Int32Array(m);
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < m; i++) perm[i] = i;
    for (let j = 0; j < k; j++) {
      const p = piv[b * k + j] - base;
      [perm[j], perm[p]] = [perm[p], perm[j]];
    }
    // Pᵀ·A has A's row perm[i] as its row i, so P[perm[i]][i] = 1
    for (let i = 0; i < m; i++) out[b * m * m + perm[i] * m + i] = 1;
  }
  return out;
}

function luParts(fn: string, A: Tensor, pivot: unknown): LuParts {
  checkBool(fn, 'pivot', pivot);
  if (pivot === false) throw new ValueError(fn, 'LU without pivoting is not implemented on the CPU (as torch 1.13): give pivot true');
  const h = hostMatrices(fn, 'A', A);
  const { m, n, count, batch } = h;
  const k = Math.min(m, n);
  const { piv, info } = factorAll(h);
  const lower = new Float64Array(count * m * k);
  const upper = new Float64Array(count * k * n);
  for (let b = 0; b < count; b++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        const v = h.values[b * m * n + i * n + j];
        if (j < k) lower[b * m * k + i * k + j] = i === j ? 1 : i > j ? v : 0;
        if (i < k && j >= i) upper[b * k * n + i * n + j] = v;
      }
  const L = fromHost(fn, [...batch, m, k], lower);
  const U = fromHost(fn, [...batch, k, n], upper);
  const P = fromHost(fn, [...batch, m, m], permutations(count, m, k, piv, 0));
  const parts: LuParts = { h, k, piv, info, packed: fromHost(fn, A.shape, h.values), L, U, P, dL: null, dU: null };
  if (!needsGrad(A)) return parts;
  const lk = narrow(L, -2, 0, k);
  const uk = narrow(U, -1, 0, k);
  const eye = identities(count, k);
  const triInv = (t: Tensor, up: boolean): Tensor => {
    const ht = hostMatrices(fn, 'A', t);
    const out = eye.slice();
    for (let b = 0; b < count; b++) triangularSolveInPlace(ht.values, b * k * k, k, up, !up, false, out, b * k * k, k);
    return fromHost(fn, [...batch, k, k], out);
  };
  const lkInv = triInv(lk, false);
  const ukInv = triInv(uk, true);
  const pda = matmul(mT(P), tangent(A));
  const x = matmul(matmul(lkInv, narrow(narrow(pda, -2, 0, k), -1, 0, k)), ukInv);
  let dL = matmul(lk, tril(x, -1));
  let dU = matmul(triu(x), uk);
  // a wide A: U's last n − k columns from Pᵀ·dA = L·dU + dL·U there; a tall A: L's last m − k rows likewise
  if (n > k) dU = cat([dU, matmul(lkInv, sub(narrow(narrow(pda, -2, 0, k), -1, k, n - k), matmul(dL, narrow(U, -1, k, n - k))))], -1);
  if (m > k) dL = cat([dL, matmul(sub(narrow(narrow(pda, -2, k, m - k), -1, 0, k), matmul(narrow(L, -2, k, m - k), dU)), ukInv)], -2);
  return { ...parts, dL, dU };
}

interface LuOptions {
  /** Only true (the default) is supported, as torch 1.13 on the CPU. */
  pivot?: boolean;
}

function luFactorOf(fn: string, A: Tensor, pivot: unknown, checkErrors: boolean): { LU: Tensor; pivots: Tensor; info: Tensor } & Iterable<Tensor> {
  const { h, k, piv, info, packed, dL, dU } = luParts(fn, A, pivot);
  if (checkErrors) {
    const b = info.findIndex((v) => v !== 0);
    if (b >= 0)
      throw new ValueError(
        fn,
        `${batchElement(h, b)}U[${info[b]},${info[b]}] is zero and using it on luSolve would result in a division by zero. If you still want to perform the factorization, consider calling linalg.lu(A) or linalg.luFactorEx(A)`,
      );
  }
  const { m, n } = h;
  const LU = dL && dU ? add(packed, add(pad(dL, [0, n - k]), pad(dU, [0, 0, 0, m - k]))) : packed;
  return namedTuple({
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
  return namedTuple({ LU, pivots });
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
  return namedTuple({ P, L: dL ? add(L, dL) : L, U: dU ? add(U, dU) : U });
}

/** The pivots' permutation matrices, after checking them against LU [..., m, n]. */
function pivotMatrices(fn: string, LU: Tensor, pivots: Tensor): Tensor {
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
  return fromHost(fn, [...batch, m, m], permutations(piv.length / Math.max(k, 1), m, k, piv, 1));
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
  const P = unpackPivots ? pivotMatrices(fn, LU, pivots) : empty;
  if (!unpackData) return namedTuple({ P, L: empty, U: empty });
  return namedTuple({ P, L: add(tril(narrow(LU, -1, 0, k), -1), eye(m, k)), U: triu(narrow(LU, -2, 0, k)) });
}

export interface LuSolveOptions {
  /** true (default): solve A·X = B; false: X·A = B. */
  left?: boolean;
  /** Solve with Aᴴ (= Aᵀ) instead of A. */
  adjoint?: boolean;
}

/**
 * torch.linalg.lu_solve: X with A·X = B for A = P·L·U given as lu_factor's { LU, pivots }; B
 * [..., n, k], batch dims broadcasting. Composed of solveTriangular and the permutation, so its
 * gradient (in LU and B) is autodiff's.
 */
export function luSolve(LU: Tensor, pivots: Tensor, B: Tensor, opts?: LuSolveOptions): Tensor {
  const fn = 'linalg.luSolve';
  const { left = true, adjoint = false } = checkOptions<LuSolveOptions>(fn, opts, ['left', 'adjoint']);
  checkBool(fn, 'left', left);
  checkBool(fn, 'adjoint', adjoint);
  checkTensor(fn, 'LU', LU);
  checkTensor(fn, 'B', B);
  if (LU.ndim < 2 || LU.shape[LU.ndim - 1] !== LU.shape[LU.ndim - 2])
    throw new ShapeError(fn, `LU must be batches of square matrices, got ${fmtShape(LU.shape)}`);
  if (B.ndim < 2) throw new ShapeError(fn, `The input tensor B must have at least 2 dimensions, got ${fmtShape(B.shape)}`);
  const n = LU.shape[LU.ndim - 1];
  if (B.shape[B.ndim - (left ? 2 : 1)] !== n)
    throw new ShapeError(fn, `Incompatible shapes of A and B for the equation ${left ? 'AX' : 'XA'} = B (${n}x${n} and ${B.shape.slice(-2).join('x')})`);
  if (!left) return mT(luSolve(LU, pivots, mT(B), { adjoint: !adjoint }));
  const P = pivotMatrices(fn, LU, pivots);
  if (!adjoint) return solveTriangularOf(fn, LU, solveTriangularOf(fn, LU, matmul(mT(P), B), false, true), true, false);
  // Aᵀ = Uᵀ·Lᵀ·Pᵀ: X = P·L⁻ᵀ·U⁻ᵀ·B
  const LUt = mT(LU);
  return matmul(P, solveTriangularOf(fn, LUt, solveTriangularOf(fn, LUt, B, false, false), true, true));
}

/** torch.lu_solve(b, LU_data, LU_pivots): the older argument order of linalg.luSolve. */
export const luSolveTorch = (b: Tensor, LU: Tensor, pivots: Tensor): Tensor => luSolve(LU, pivots, b);

/** A·X = B for the triangle of A [..., n, n] (upper or lower, unit diagonal with `unit`); B [..., n, k], batches broadcasting. */
function solveTriangularOf(fn: string, A: Tensor, B: Tensor, upper: boolean, unit: boolean): Tensor {
  const hA = hostMatrices(fn, 'A', A);
  checkSquare(fn, 'A', hA);
  checkTensor(fn, 'B', B);
  const n = hA.n;
  if (B.ndim < 2 || B.shape[B.ndim - 2] !== n)
    throw new ShapeError(
      fn,
      `Incompatible shapes of A and B for the equation AX = B (${n}x${n} and ${B.ndim < 2 ? fmtShape(B.shape) : B.shape.slice(-2).join('x')})`,
    );
  const k = B.shape[B.ndim - 1];
  const batch = broadcastShapes(fn, [hA.batch, B.shape.slice(0, -2)]);
  const a = hostMatrices(fn, 'A', expand(A, [...batch, n, n]));
  const x = hostMatrices(fn, 'B', expand(B, [...batch, n, k]));
  for (let i = 0; i < a.count; i++) triangularSolveInPlace(a.values, i * n * n, n, upper, unit, false, x.values, i * n * k, k);
  const x0 = fromHost(fn, [...batch, n, k], x.values);
  const aInv = (): Tensor => {
    const out = identities(a.count, n);
    for (let i = 0; i < a.count; i++) triangularSolveInPlace(a.values, i * n * n, n, upper, unit, false, out, i * n * n, n);
    return fromHost(fn, [...batch, n, n], out);
  };
  // only the triangle that was read has a gradient (the strict one with a unit diagonal)
  const dA = needsGrad(A) ? (upper ? triu : tril)(tangent(A), unit ? (upper ? 1 : -1) : 0) : null;
  return linearizedSolve(x0, aInv, dA, needsGrad(B) ? tangent(B) : null);
}

export interface SolveTriangularOptions {
  /** Required, as torch: whether A is upper (true) or lower (false) triangular; the other triangle is not read. */
  upper: boolean;
  /** true (default): solve A·X = B; false: X·A = B. */
  left?: boolean;
  /** A's diagonal taken as ones (not read). */
  unitriangular?: boolean;
}

/** torch.linalg.solve_triangular: X with A·X = B (or X·A = B) for triangular A [..., n, n], B [..., n, k] (batches broadcast). */
export function solveTriangular(A: Tensor, B: Tensor, opts: SolveTriangularOptions): Tensor {
  const fn = 'linalg.solveTriangular';
  const { upper, left = true, unitriangular = false } = checkOptions<SolveTriangularOptions>(fn, opts, ['upper', 'left', 'unitriangular']);
  if (typeof upper !== 'boolean') throw new ValueError(fn, `upper is required (true or false), got ${fmtValue(upper)}`);
  checkBool(fn, 'left', left);
  checkBool(fn, 'unitriangular', unitriangular);
  checkTensor(fn, 'A', A);
  checkTensor(fn, 'B', B);
  if (left) return solveTriangularOf(fn, A, B, upper, unitriangular);
  if (A.ndim < 2 || B.ndim < 2) throw new ShapeError(fn, `A and B must have at least 2 dims, got ${fmtShape(A.shape)} and ${fmtShape(B.shape)}`);
  return mT(solveTriangularOf(fn, mT(A), mT(B), !upper, unitriangular));
}
