/**
 * wg.linalg's Cholesky family: cholesky, choleskyEx and torch's cholesky, choleskySolve,
 * choleskyInverse and triangularSolve. The factorization runs on the host (linalg-host.ts); its
 * gradient is the linearization dL = L·Φ(L⁻¹·sym(dA)·L⁻ᵀ), Φ the lower triangle with its diagonal
 * halved and sym(dA) = (dA + dAᵀ)/2 (torch symmetrizes the gradient likewise, though only A's lower
 * triangle is read). The solves compose solveTriangular, so their gradients are autodiff's.
 */
import { ValueError } from '../errors.js';
import { checkOptions, checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { checkBool } from '../ops/types.js';
import { add, mul, sub } from './elementwise.js';
import { matmul } from './linalg.js';
import { batchElement, fromHost, hostMatrices, needsGrad, tangent, checkSquare, mT, named } from './linalg-host.js';
import { choleskyInPlace, triangularSolveInPlace } from './linalg-lu-core.js';
import { triangularSystem } from './linalg-lu.js';
import { identities, intFromHost, solveSystem, type LinearSystem } from './linalg-system.js';
import { tril, triu } from './indexing.js';
import { clone } from './shape.js';

function choleskyOf(fn: string, A: Tensor, upper: unknown, checkErrors: boolean): { L: Tensor; info: Tensor } & Iterable<Tensor> {
  checkBool(fn, 'upper', upper);
  const h = hostMatrices(fn, 'A', A);
  checkSquare(fn, 'A', h);
  const { n, count, batch } = h;
  const info = new Int32Array(count);
  for (let b = 0; b < count; b++) info[b] = choleskyInPlace(h.values, b * n * n, n);
  const bad = info.findIndex((v) => v !== 0);
  if (checkErrors && bad >= 0)
    throw new ValueError(
      fn,
      `${batchElement(h, bad)}The factorization could not be completed because the input is not positive-definite (the leading minor of order ${info[bad]} is not positive-definite)`,
    );
  let L = fromHost(fn, A.shape, h.values);
  if (needsGrad(A)) {
    // a matrix that failed (choleskyEx's info > 0) gets no gradient: its L⁻¹ stays zero, not ∞
    const lInv = new Float64Array(count * n * n);
    for (let b = 0; b < count; b++) {
      if (info[b] !== 0) continue;
      for (let i = 0; i < n; i++) lInv[b * n * n + i * n + i] = 1;
      triangularSolveInPlace(h.values, b * n * n, n, false, false, false, lInv, b * n * n, n);
    }
    const li = fromHost(fn, A.shape, lInv);
    const ta = tangent(A);
    const sym = mul(add(ta, mT(ta)), 0.5);
    // Φ: the strict lower triangle and half the diagonal, as a constant mask
    const phi = fromHost(
      fn,
      [n, n],
      Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) > i % n ? 1 : Math.floor(i / n) === i % n ? 0.5 : 0)),
    );
    L = add(L, matmul(L, mul(matmul(matmul(li, sym), mT(li)), phi)));
  }
  return named({ L: upper ? mT(L) : L, info: intFromHost(fn, batch, info) });
}

export interface CholeskyOptions {
  /** Return U = Lᴴ (upper triangular) instead of L. */
  upper?: boolean;
}

/**
 * torch.linalg.cholesky: L (lower, A = L·Lᵀ) of the symmetric positive-definite matrices of A
 * [..., n, n], from their lower triangle; not positive-definite is an error naming the leading minor.
 */
export function cholesky(A: Tensor, opts?: CholeskyOptions): Tensor {
  const { upper = false } = checkOptions<CholeskyOptions>('linalg.cholesky', opts, ['upper']);
  return choleskyOf('linalg.cholesky', A, upper, true).L;
}

/** torch.linalg.cholesky_ex: { L, info } (info: 0, or the order of the first leading minor that is not positive-definite; L undefined from there). */
export function choleskyEx(A: Tensor, opts?: CholeskyOptions & { checkErrors?: boolean }): { L: Tensor; info: Tensor } & Iterable<Tensor> {
  const fn = 'linalg.choleskyEx';
  const { upper = false, checkErrors = false } = checkOptions<CholeskyOptions & { checkErrors?: boolean }>(fn, opts, ['upper', 'checkErrors']);
  checkBool(fn, 'checkErrors', checkErrors);
  return choleskyOf(fn, A, upper, checkErrors);
}

/** torch.cholesky(A, upper = false): the older form of linalg.cholesky. */
export const choleskyTorch = (A: Tensor, upper = false): Tensor => choleskyOf('cholesky', A, upper, true).L;

/**
 * The system A·X = B of A = F·Fᵀ given by its Cholesky factor (F = L, or Uᵀ with upper): two
 * triangular solves; dA = dF·Fᵀ + F·dFᵀ with dF the tangent of the triangle read.
 */
function choleskySystem(fn: string, factor: Tensor, upper: boolean): LinearSystem {
  checkBool(fn, 'upper', upper);
  const h = hostMatrices(fn, 'input2', factor);
  checkSquare(fn, 'input2', h);
  const n = h.n;
  const dA = (): Tensor => {
    const F = fromHost(fn, factor.shape, h.values);
    const dF = (upper ? triu : tril)(tangent(factor));
    return upper ? add(matmul(mT(dF), F), matmul(mT(F), dF)) : add(matmul(dF, mT(F)), matmul(F, mT(dF)));
  };
  return {
    n,
    batch: h.batch,
    // F·y = b, then Fᵀ·x = y (A is symmetric: the transposed system is the same)
    solve: (i, b, bo, k) => {
      triangularSolveInPlace(h.values, i * n * n, n, upper, false, upper, b, bo, k);
      triangularSolveInPlace(h.values, i * n * n, n, upper, false, !upper, b, bo, k);
    },
    dA: needsGrad(factor) ? dA : null,
  };
}

/** torch.cholesky_solve(B, L, upper = false): X with A·X = B for A = L·Lᵀ (or Uᵀ·U with upper), B [..., n, k], batches broadcasting. */
export function choleskySolve(B: Tensor, L: Tensor, upper = false): Tensor {
  checkTensor('choleskySolve', 'input', B);
  const sys = choleskySystem('choleskySolve', L, upper);
  return solveSystem('choleskySolve', sys, B, true, false, needsGrad(B) ? tangent(B) : null);
}

/** torch.cholesky_inverse(L, upper = false): A⁻¹ for A = L·Lᵀ (or Uᵀ·U with upper); dA⁻¹ = −A⁻¹·dA·A⁻¹. */
export function choleskyInverse(L: Tensor, upper = false): Tensor {
  const fn = 'choleskyInverse';
  const sys = choleskySystem(fn, L, upper);
  const n = sys.n;
  const count = sys.batch.reduce((p, d) => p * d, 1);
  const values = identities(count, n);
  for (let i = 0; i < count; i++) sys.solve(i, values, i * n * n, n, false);
  const y = fromHost(fn, L.shape, values);
  return sys.dA ? sub(y, matmul(matmul(y, sys.dA()), y)) : y;
}

/**
 * torch.triangular_solve(b, A, upper = true, transpose = false, unitriangular = false):
 * { solution, clonedCoefficient }, the solution of op(A)·X = b (op(A) = Aᵀ with transpose).
 */
export function triangularSolve(
  b: Tensor,
  A: Tensor,
  upper = true,
  transpose = false,
  unitriangular = false,
): { solution: Tensor; clonedCoefficient: Tensor } & Iterable<Tensor> {
  checkBool('triangularSolve', 'upper', upper);
  checkBool('triangularSolve', 'transpose', transpose);
  checkBool('triangularSolve', 'unitriangular', unitriangular);
  const sys = triangularSystem('triangularSolve', A, upper, unitriangular, transpose);
  const solution = solveSystem('triangularSolve', sys, b, true, false, needsGrad(b) ? tangent(b) : null);
  return named({ solution, clonedCoefficient: clone(A) });
}
