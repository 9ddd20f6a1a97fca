/**
 * torch 1.13's legacy linear-algebra names outside torch.linalg, as torch 1.13 has them: symeig
 * still runs (torch warns; here it is linalg.eigh), while lstsq, matrix_rank, solve and eig were
 * removed in 1.9 and raise, pointing at their torch.linalg replacement, as torch's do.
 */
import { checkBool, checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { ValueError } from '../errors.js';
import { zeros } from './creation.js';
import { eigh } from './linalg-spectral.js';
import { named, type Named } from './linalg-host.js';

/**
 * torch.symeig(A, eigenvectors = false, upper = true) → {eigenvalues, eigenvectors}: linalg.eigh of
 * A's upper (or lower) triangle, eigenvalues ascending; without `eigenvectors` the eigenvectors are
 * an empty [0] tensor, as torch's.
 */
export function symeig(A: Tensor, eigenvectors = false, upper = true): Named<{ eigenvalues: Tensor; eigenvectors: Tensor }> {
  checkTensor('symeig', 'input', A);
  checkBool('symeig', 'eigenvectors', eigenvectors);
  checkBool('symeig', 'upper', upper);
  const r = eigh(A, { UPLO: upper ? 'U' : 'L' });
  return named({ eigenvalues: r.eigenvalues, eigenvectors: eigenvectors ? r.eigenvectors : zeros([0]) });
}

/** A function torch 1.13 removed: calling it raises torch's message with the replacement here. */
const removed =
  (name: string, replacement: string, note = ''): ((...args: unknown[]) => never) =>
  () => {
    throw new ValueError(
      name,
      `this function was deprecated since version 1.9 and is now removed. Please use the \`wg.${replacement}\` function instead.${note}`,
    );
  };

/** torch.lstsq: removed in torch 1.9; use wg.linalg.lstsq (note its (A, B) argument order). */
export const lstsq = removed('lstsq', 'linalg.lstsq');
/** torch.matrix_rank: removed in torch 1.9; use wg.linalg.matrixRank. */
export const matrixRank = removed('matrixRank', 'linalg.matrixRank');
/** torch.solve: removed in torch 1.9; use wg.linalg.solve. */
export const solve = removed('solve', 'linalg.solve');
/** torch.eig: removed in torch 1.9; torch points at linalg.eig, which is complex-valued: wasmgrad has linalg.eigh for symmetric matrices. */
export const eig = removed('eig', 'linalg.eigh', ' (torch.linalg.eig returns complex tensors, which wasmgrad has not; linalg.eigh covers symmetric matrices)');
