/**
 * wg.linalg's names that compose existing ops (so their gradients are autodiff's): matrixPower,
 * matrixExp, multiDot, vecdot, cross, diagonal, vander, householderProduct, tensorinv, tensorsolve.
 */
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { checkOptions, checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { normDim } from '../ops/reduce.js';
import type { DiagonalAttrs } from '../ops/convenience.js';
import { diagonal as diagonalOf } from './convenience.js';
import { readValues } from './counting.js';
import { add, mul } from './elementwise.js';
import { eye } from './factories.js';
import { expand, movedim } from './layout.js';
import { matmul } from './linalg.js';
import { tangent } from './linalg-host.js';
import { applyReflectors, reflectorVectors } from './householder.js';
import { inv, solve } from './linalg-lu.js';
import { cross as crossOf } from './parity-math.js';
import { vander as vanderOf } from './parity-shape.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';

const prod = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

function squareMatrices(fn: string, A: Tensor): number {
  checkTensor(fn, 'A', A);
  if (A.dtype !== 'float32') throw new DTypeError(fn, `A must be a float32 tensor, got ${A.dtype}`);
  if (A.ndim < 2) throw new ShapeError(fn, `A must have at least 2 dims [..., n, n], got ${fmtShape(A.shape)}`);
  const [m, n] = A.shape.slice(-2);
  if (m !== n) throw new ShapeError(fn, `A must be batches of square matrices, but they are ${m} by ${n} matrices`);
  return n;
}

/** The identity in A's shape [..., n, n]. */
const identityLike = (A: Tensor, n: number): Tensor => expand(eye(n), A.shape);

/**
 * torch.linalg.matrix_power: Aⁿ for an integer n by repeated squaring (products of matmuls);
 * A⁰ = I, and a negative n is (A⁻¹)^|n|.
 */
export function matrixPower(A: Tensor, n: number): Tensor {
  const fn = 'linalg.matrixPower';
  const size = squareMatrices(fn, A);
  if (!Number.isInteger(n)) throw new ValueError(fn, `n must be an integer, got ${fmtValue(n)}`);
  // A⁰ = I, still a function of A with a zero gradient (as torch's copy_ of the identity into A's shape)
  if (n === 0) return add(identityLike(A, size), mul(tangent(A), 0));
  let base = n < 0 ? inv(A) : A;
  let result: Tensor | null = null;
  for (let e = Math.abs(n); ;) {
    if (e & 1) result = result ? matmul(result, base) : base;
    e = Math.floor(e / 2);
    if (e === 0) return result!;
    base = matmul(base, base);
  }
}

/**
 * torch.linalg.matrix_exp: e^A by scaling and squaring: A is scaled by 2⁻ˢ to a 1-norm ≤ ½ (s
 * chosen on the host from the largest norm of the batch), e^(A/2ˢ) summed as a degree-12 Taylor
 * polynomial in Horner form (its remainder is under (½)¹³/13! ≈ 2·10⁻¹⁴), then squared s times.
 * All matmuls, so autodiff differentiates the same approximation.
 */
export function matrixExp(A: Tensor): Tensor {
  const fn = 'linalg.matrixExp';
  const n = squareMatrices(fn, A);
  const v = readValues(fn, A, 'the scaling is chosen from its norm');
  let norm = 0;
  for (let b = 0; b < v.length; b += n * n)
    for (let j = 0; j < n; j++) {
      let col = 0;
      for (let i = 0; i < n; i++) col += Math.abs(v[b + i * n + j]);
      norm = Math.max(norm, col);
    }
  if (!Number.isFinite(norm)) throw new ValueError(fn, 'A has non-finite values');
  const s = norm > 0.5 ? Math.ceil(Math.log2(norm / 0.5)) : 0;
  const x = mul(A, 2 ** -s);
  const I = identityLike(A, n);
  // I + X(I + X/2(I + X/3(… (I + X/12))))
  let t = I;
  for (let k = 12; k >= 1; k--) t = add(I, mul(matmul(x, t), 1 / k));
  for (let i = 0; i < s; i++) t = matmul(t, t);
  return t;
}

/**
 * torch.linalg.multi_dot: the product of the matrices left to right; the first may be a 1-D row
 * vector and the last a 1-D column vector (their dims are dropped from the result, as torch).
 */
export function multiDot(tensors: readonly Tensor[]): Tensor {
  const fn = 'linalg.multiDot';
  if (!Array.isArray(tensors) || tensors.length < 2)
    throw new ValueError(fn, `expected at least 2 tensors but got ${Array.isArray(tensors) ? tensors.length : fmtValue(tensors)}`);
  tensors.forEach((t, i) => checkTensor(fn, `tensors[${i}]`, t));
  const last = tensors.length - 1;
  tensors.forEach((t, i) => {
    const ends = i === 0 || i === last;
    if (t.ndim !== 2 && !(ends && t.ndim === 1))
      throw new ShapeError(
        fn,
        `${i === 0 ? 'the first tensor' : i === last ? 'the last tensor' : `tensor ${i}`} must be ${ends ? '1D or 2D' : '2D'} but got ${t.ndim}D`,
      );
  });
  for (let i = 0; i < last; i++) {
    const [a, b] = [tensors[i], tensors[i + 1]];
    if (a.shape[a.ndim - 1] !== b.shape[b.ndim === 1 ? 0 : b.ndim - 2])
      throw new ShapeError(fn, `tensors ${i} and ${i + 1} with shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied`);
  }
  return tensors.slice(1).reduce((acc, t) => matmul(acc, t), tensors[0]);
}

/** torch.linalg.vecdot: Σ x·y over dim (default −1), x and y broadcasting. */
export function vecdot(x: Tensor, y: Tensor, opts?: { dim?: number }): Tensor {
  const { dim = -1 } = checkOptions<{ dim?: number }>('linalg.vecdot', opts, ['dim']);
  checkTensor('linalg.vecdot', 'x', x);
  checkTensor('linalg.vecdot', 'y', y);
  const p = mul(x, y);
  return sum(p, normDim('linalg.vecdot', p.shape, dim));
}

/** torch.linalg.cross: wg.cross along dim, default −1 (torch.cross's default is the first dim of size 3). */
export function cross(x: Tensor, y: Tensor, opts?: { dim?: number }): Tensor {
  const { dim = -1 } = checkOptions<{ dim?: number }>('linalg.cross', opts, ['dim']);
  return crossOf(x, y, dim);
}

/** torch.linalg.diagonal: wg.diagonal over the last two dims by default (dim1 −2, dim2 −1). */
export function diagonal(A: Tensor, opts?: DiagonalAttrs): Tensor {
  const { offset = 0, dim1 = -2, dim2 = -1 } = checkOptions<DiagonalAttrs>('linalg.diagonal', opts, ['offset', 'dim1', 'dim2']);
  return diagonalOf(A, { offset, dim1, dim2 });
}

/** torch.linalg.vander: x [..., n] → [..., n, N] of increasing powers x⁰ … x^(N−1) (torch.vander's are decreasing); N > 1, default n. */
export function vander(x: Tensor, opts?: { N?: number }): Tensor {
  const fn = 'linalg.vander';
  checkTensor(fn, 'x', x);
  if (x.ndim < 1) throw new ShapeError(fn, `x must have at least 1 dim, got ${fmtShape(x.shape)}`);
  const { N = x.shape[x.ndim - 1] } = checkOptions<{ N?: number }>(fn, opts, ['N']);
  if (!Number.isInteger(N) || N <= 1) throw new ValueError(fn, `N must be an integer greater than 1, got ${fmtValue(N)}`);
  return reshape(vanderOf(reshape(x, [x.size]), { N, increasing: true }), [...x.shape, N]);
}

/**
 * torch.linalg.householder_product (torch.orgqr): the first n columns of H₁·H₂⋯H_k, Hᵢ = I − τᵢ·vᵢ·vᵢᵀ
 * with vᵢ = A's column i below the diagonal and 1 on it; A [..., m, n] (m ≥ n), tau [..., k] (k ≤ n).
 */
export function householderProduct(A: Tensor, tau: Tensor): Tensor {
  const fn = 'linalg.householderProduct';
  checkTensor(fn, 'A', A);
  checkTensor(fn, 'tau', tau);
  if (A.ndim < 2) throw new ShapeError(fn, `A must have at least 2 dims [..., m, n], got ${fmtShape(A.shape)}`);
  const [m, n] = A.shape.slice(-2);
  const k = tau.shape[tau.ndim - 1];
  if (m < n) throw new ShapeError(fn, `A.shape[-2] must be greater than or equal to A.shape[-1], got ${fmtShape(A.shape)}`);
  if (tau.ndim !== A.ndim - 1 || k > n || tau.shape.slice(0, -1).join() !== A.shape.slice(0, -2).join())
    throw new ShapeError(fn, `tau must have shape [..., k] with A's batch dims and k ≤ ${n}, got ${fmtShape(tau.shape)} for A ${fmtShape(A.shape)}`);
  // Q = H₁⋯H_k·I[:, :n]
  return applyReflectors(reflectorVectors(A), tau, expand(eye(m, n), A.shape), true, false);
}

/**
 * torch.linalg.tensorinv: the inverse of A seen as a prod(shape[:ind]) × prod(shape[ind:]) matrix
 * (square), shaped shape[ind:] + shape[:ind].
 */
export function tensorinv(A: Tensor, opts?: { ind?: number }): Tensor {
  const fn = 'linalg.tensorinv';
  checkTensor(fn, 'A', A);
  const { ind = 2 } = checkOptions<{ ind?: number }>(fn, opts, ['ind']);
  if (!Number.isInteger(ind) || ind <= 0) throw new ValueError(fn, `ind must be a positive integer, got ${fmtValue(ind)}`);
  const [rows, cols] = [A.shape.slice(0, ind), A.shape.slice(ind)];
  if (prod(rows) !== prod(cols))
    throw new ShapeError(
      fn,
      `A must satisfy prod(shape[ind:]) == prod(shape[:ind]), got ${prod(cols)} != ${prod(rows)} (shape ${fmtShape(A.shape)}, ind ${ind})`,
    );
  return reshape(inv(reshape(A, [prod(rows), prod(cols)])), [...cols, ...rows]);
}

/**
 * torch.linalg.tensorsolve: X with tensordot(A, X, X.ndim) = B: A [*B.shape, *X.shape] solved as a
 * prod(B.shape) square matrix; `dims` first moves those dims of A to the end.
 */
export function tensorsolve(A: Tensor, B: Tensor, opts?: { dims?: readonly number[] | null }): Tensor {
  const fn = 'linalg.tensorsolve';
  checkTensor(fn, 'A', A);
  checkTensor(fn, 'B', B);
  const { dims = null } = checkOptions<{ dims?: readonly number[] | null }>(fn, opts, ['dims']);
  let a = A;
  if (dims !== null) {
    if (!Array.isArray(dims)) throw new ValueError(fn, `dims must be an array of dims or null, got ${fmtValue(dims)}`);
    const from = dims.map((d) => normDim(fn, A.shape, d));
    a = movedim(
      A,
      from,
      from.map((_, i) => A.ndim - from.length + i),
    );
  }
  const xShape = a.shape.slice(B.ndim);
  if (a.shape.slice(0, B.ndim).join() !== B.shape.join() || prod(xShape) !== B.size)
    throw new ShapeError(fn, `A's leading dims must be B's shape ${fmtShape(B.shape)} and the rest of the same size, got A ${fmtShape(a.shape)}`);
  return reshape(solve(reshape(a, [B.size, B.size]), reshape(B, [B.size])), xShape);
}
