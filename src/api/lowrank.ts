/**
 * torch.svd_lowrank and torch.pca_lowrank: randomized truncated SVD (Halko, Martinsson & Tropp
 * 2009, algorithms 4.4 and 5.1) written with matmul, linalg.qr and linalg.svd, so the results are
 * differentiable through those ops' gradients.
 */
import { checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { randn } from './creation.js';
import { sub } from './elementwise.js';
import { matmul } from './linalg.js';
import { mT, named, type Named } from './linalg-host.js';
import { qr, svd } from './linalg-spectral.js';
import { mean } from './reduce.js';

export type LowrankResult = Named<{ U: Tensor; S: Tensor; V: Tensor }>;

/**
 * Q [..., m, q] with orthonormal columns such that Q·Qᵀ·A ≈ A: the range of A·R for a Gaussian
 * R [n, q] (drawn from the global generator, as torch), refined by `niter` power iterations
 * (Q ← qr(Aᵀ·Q), Q ← qr(A·Q)), which sharpen the decay of A's spectrum before the projection.
 */
function approximateBasis(A: Tensor, q: number, niter: number): Tensor {
  const n = A.shape[A.ndim - 1];
  let Q = qr(matmul(A, randn([n, q]))).Q;
  for (let i = 0; i < niter; i++) {
    Q = qr(matmul(mT(A), Q)).Q;
    Q = qr(matmul(A, Q)).Q;
  }
  return Q;
}

function checkArgs(fn: string, A: Tensor, q: unknown, niter: unknown): void {
  checkTensor(fn, 'A', A);
  if (A.dtype !== 'float32') throw new DTypeError(fn, `A must be a float32 tensor, got ${A.dtype}`);
  if (A.ndim < 2) throw new ShapeError(fn, `A must have at least 2 dims [..., m, n], got ${fmtShape(A.shape)}`);
  const [m, n] = A.shape.slice(-2);
  if (!Number.isInteger(q) || (q as number) < 1 || (q as number) > Math.min(m, n))
    throw new ValueError(fn, `q must be an integer in [1, min(m, n) = ${Math.min(m, n)}], got ${fmtValue(q)}`);
  if (!Number.isInteger(niter) || (niter as number) < 0) throw new ValueError(fn, `niter must be a non-negative integer, got ${fmtValue(niter)}`);
}

/**
 * Halko's algorithm 5.1 on A [..., m, n] (A − M already): with a basis Q of A's range, the SVD of
 * the small Qᵀ·A gives A's; torch takes the basis of Aᵀ's range when m < n or n > q, so the small
 * matrix is A·Q [m, q], else of A's range, Aᵀ·Q transposed [q, n].
 */
function lowrank(A: Tensor, q: number, niter: number): LowrankResult {
  const [m, n] = A.shape.slice(-2);
  if (m < n || n > q) {
    const Q = approximateBasis(mT(A), q, niter);
    const { U, S, Vh } = svd(matmul(A, Q), { fullMatrices: false });
    return named({ U, S, V: matmul(Q, mT(Vh)) });
  }
  const Q = approximateBasis(A, q, niter);
  const { U, S, Vh } = svd(mT(matmul(mT(A), Q)), { fullMatrices: false });
  return named({ U: matmul(Q, U), S, V: mT(Vh) });
}

/**
 * torch.svd_lowrank(A, q = 6, niter = 2, M?) → { U [..., m, q], S [..., q], V [..., n, q] } (also
 * `const [U, S, V] = …`) with A − M ≈ U·diag(S)·Vᵀ, the q largest singular triplets approximated
 * (exact when q ≥ A's rank, up to rounding). M broadcasts to A's shape. Random: the result depends
 * on the global generator (wg.manualSeed). q must lie in [1, min(m, n)] (torch fails on an
 * assertion otherwise).
 */
export function svdLowrank(A: Tensor, q = 6, niter = 2, M?: Tensor | null): LowrankResult {
  const fn = 'svdLowrank';
  checkArgs(fn, A, q, niter);
  if (M !== undefined && M !== null) checkTensor(fn, 'M', M);
  return lowrank(M === undefined || M === null ? A : sub(A, M), q, niter);
}

/**
 * torch.pca_lowrank(A, q = min(6, m, n), center = true, niter = 2) → { U, S, V }: svdLowrank of A
 * with each column's mean removed (center), so V's columns are the principal directions and
 * S²/(m − 1) the variances along them.
 */
export function pcaLowrank(A: Tensor, q?: number | null, center = true, niter = 2): LowrankResult {
  const fn = 'pcaLowrank';
  checkTensor(fn, 'A', A);
  if (typeof center !== 'boolean') throw new ValueError(fn, `center must be a boolean, got ${fmtValue(center)}`);
  const [m, n] = A.ndim >= 2 ? A.shape.slice(-2) : [0, 0];
  const k = q ?? Math.min(6, m, n);
  checkArgs(fn, A, k, niter);
  return lowrank(center ? sub(A, mean(A, -2, true)) : A, k, niter);
}
