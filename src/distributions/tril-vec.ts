/**
 * torch.distributions.utils' vec_to_tril_matrix and tril_matrix_to_vec: the entries of a matrix on
 * and below its `diag`-th diagonal (j < i + diag + 1), in row-major order, to and from a vector.
 * Both are one differentiable indexSelect over the flattened last dims.
 */
import type { Tensor } from '../engine/tensor.js';
import { ValueError } from '../errors.js';
import { tensor } from '../api/creation.js';
import { pad } from '../api/layout.js';
import { FLOAT32_EPS } from './utils.js';

/** The row-major flat indices (i·n + j) of an n×n matrix's entries with j < i + diag + 1. */
function trilFlatIndices(n: number, diag: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (j < i + diag + 1) idx.push(i * n + j);
  return idx;
}

/** The entries on and below the `diag`-th diagonal of the (square) last two dims, as the last dim. */
export function trilMatrixToVec(mat: Tensor, diag = 0): Tensor {
  const fn = 'distributions.utils.trilMatrixToVec';
  if (mat.ndim < 2) throw new ValueError(fn, `expects a matrix (≥ 2 dims), got shape [${mat.shape}]`);
  const n = mat.shape[mat.ndim - 1];
  if (diag < -n || diag >= n) throw new ValueError(fn, `diag (${diag}) provided is outside [${-n}, ${n - 1}].`);
  const flat = mat.reshape([...mat.shape.slice(0, -2), -1]);
  return flat.indexSelect(-1, tensor(trilFlatIndices(n, diag), { dtype: 'int32' }));
}

/**
 * The n×n matrix whose entries on and below the `diag`-th diagonal are `vec`'s last dim (zeros
 * elsewhere); n solves n(n + 1)/2 + diag·n − … = vec's length (torch's formula, checked to be whole).
 */
export function vecToTrilMatrix(vec: Tensor, diag = 0): Tensor {
  const fn = 'distributions.utils.vecToTrilMatrix';
  if (vec.ndim < 1) throw new ValueError(fn, 'expects a vector (≥ 1 dim), got a 0-d tensor');
  const len = vec.shape[vec.ndim - 1];
  const b = 1 + 2 * diag;
  const nReal = (-b + Math.sqrt(b * b + 8 * len + 4 * Math.abs(diag) * (diag + 1))) / 2;
  const n = Math.round(nReal);
  if (Math.abs(n - nReal) > FLOAT32_EPS)
    throw new ValueError(fn, `The size of last dimension is ${len} which cannot be expressed as the lower triangular part of a square D x D matrix.`);
  const tril = trilFlatIndices(n, diag);
  // Each of the n² entries reads its vec element, or the zero appended at index len.
  const index = new Array<number>(n * n).fill(len);
  tril.forEach((flat, k) => (index[flat] = k));
  const padded = pad(vec, [0, 1]);
  return padded.indexSelect(-1, tensor(index, { dtype: 'int32' })).reshape([...vec.shape.slice(0, -1), n, n]);
}
