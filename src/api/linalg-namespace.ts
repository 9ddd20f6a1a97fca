/**
 * wg.linalg: PyTorch's torch.linalg names. The decompositions run on the host (linalg-host.ts);
 * the rest compose existing ops.
 */
export { matmul } from './linalg.js';

// ── LU and Cholesky family (linalg-lu.ts) ──
export { inv, invEx, det, slogdet, solve, solveEx, luFactor, luFactorEx, lu, luSolve, solveTriangular } from './linalg-lu.js';
export type { SolveOptions, LuSolveOptions, SolveTriangularOptions } from './linalg-lu.js';
export { cholesky, choleskyEx, type CholeskyOptions } from './linalg-cholesky.js';
export { matrixPower, matrixExp, multiDot, vecdot, cross, diagonal, vander, householderProduct } from './linalg-compose.js';

// ── spectral family and norms (linalg-spectral.ts) ──
export { svdvals, type EighOptions, type SvdOptions, type QrOptions } from './linalg-spectral.js';
export { pinv, matrixRank } from './linalg-norms.js';
export { vectorNorm, matrixNorm, linalgNorm as norm, cond, eigh, eigvalsh, svd, qr, lstsq, tensorinv, tensorsolve } from './torch-forms.js';
export type { MatrixOrd, VectorNormOptions, MatrixNormOptions, NormOptions, TolOptions, LstsqOptions } from './linalg-norms.js';
