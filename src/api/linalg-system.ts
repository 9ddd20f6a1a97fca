/**
 * What wg.linalg's LU and Cholesky family share: batch helpers, torch's messages, and `solveSystem`, the one place a linear system A·X = B (or X·A = B) is solved on the
 * host with batch broadcasting and linearized for its gradient. It reads only the caller's own
 * tensors (never one made here), so the functions also run inside wg.compile, where a value
 * computed in the step cannot be read.
 */
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { readValues } from './counting.js';
import { make } from './creation.js';
import { add, neg, sub } from './elementwise.js';
import { squeeze, unsqueeze } from './layout.js';
import { matmul } from './linalg.js';
import { fromHost } from './linalg-host.js';

/** An int32 tensor of `shape` holding `values` (pivots, info). */
export function intFromHost(fn: string, shape: readonly number[], values: ArrayLike<number>): Tensor {
  return make(fn, [...shape], 'int32', (be, p) => be.write(p, values, 'int32'));
}

/** The n×n identity matrices of `count` batch elements, back to back. */
export function identities(count: number, n: number): Float64Array {
  const out = new Float64Array(count * n * n);
  for (let b = 0; b < count; b++) for (let i = 0; i < n; i++) out[b * n * n + i * n + i] = 1;
  return out;
}

/** For each matrix of the broadcast `batch`, the index of the matrix of `src` (a batch shape broadcasting to it) it reads. */
export function batchSource(batch: readonly number[], src: readonly number[]): Int32Array {
  const count = batch.reduce((p, d) => p * d, 1);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let rest = i;
    let index = 0;
    let stride = 1;
    for (let d = batch.length - 1, s = src.length - 1; d >= 0; d--, s--) {
      const coord = rest % batch[d];
      rest = Math.floor(rest / batch[d]);
      if (s >= 0) {
        if (src[s] !== 1) index += coord * stride;
        stride *= src[s];
      }
    }
    out[i] = index;
  }
  return out;
}

/** The coefficient side of a system: `count` square n×n matrices with batch shape `batch`. */
export interface LinearSystem {
  n: number;
  batch: number[];
  /** Solves A_i·X = b (Aᵢᵀ·X = b with `transpose`) in place in b[bo..], n×k. */
  solve(i: number, b: Float64Array, bo: number, k: number, transpose: boolean): void;
  /** A's tangent as ops (the part of A the solve reads), when A needs a gradient. */
  dA: (() => Tensor) | null;
}

/** torch's rule: B is a (batch of) vector(s) if 1-D, or if its shape is A's without the last dim. */
export const isVectorRhs = (A: Tensor, B: Tensor): boolean => B.ndim === 1 || (B.ndim === A.ndim - 1 && B.shape.every((d, i) => d === A.shape[i]));

/**
 * X with A·X = B (left) or X·A = B, A given by `sys`, B [..., n, k] ([..., k, n] on the right) or
 * a vector [..., n] with `vector`; batch dims broadcast. The value is solved in float64 on the host
 * (X·A = B as Aᵀ·Xᵀ = Bᵀ); the gradient is the linearization dX = A⁻¹·(dB − dA·X) (on the
 * right: (dB − X·dA)·A⁻¹) with A⁻¹ a host constant. `dB`: B's tangent when B needs a gradient.
 */
export function solveSystem(fn: string, sys: LinearSystem, B: Tensor, left: boolean, vector: boolean, dB: Tensor | null): Tensor {
  checkTensor(fn, 'B', B);
  if (B.dtype !== 'float32') throw new DTypeError(fn, `B must be a float32 tensor, got ${B.dtype}`);
  const n = sys.n;
  const equation = left ? 'AX = B' : 'XA = B';
  if (!vector && B.ndim < 2) throw new ShapeError(fn, `B must have at least 2 dims [..., n, k], got ${fmtShape(B.shape)}`);
  // a vector is one column n×1 either way; a matrix on the right is solved transposed
  const rows = vector ? B.shape[B.ndim - 1] : B.shape[B.ndim - (left ? 2 : 1)];
  const k = vector ? 1 : B.shape[B.ndim - (left ? 1 : 2)];
  if (rows !== n)
    throw new ShapeError(
      fn,
      `Incompatible shapes of A and B for the equation ${equation} (${n}x${n} and ${vector ? `${rows}x1` : B.shape.slice(-2).join('x')})`,
    );
  const bBatch = B.shape.slice(0, vector ? -1 : -2);
  const batch = broadcastShapes(fn, [sys.batch, bBatch]);
  const fromA = batchSource(batch, sys.batch);
  const fromB = batchSource(batch, bBatch);
  const bv = readValues(fn, B, 'the solve runs in JavaScript');
  const x = new Float64Array(fromA.length * n * k);
  for (let i = 0; i < fromA.length; i++) {
    const o = i * n * k;
    const bo = fromB[i] * n * k;
    // x_i = B's matrix as n×k (its transpose on the right)
    for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) x[o + r * k + c] = bv[bo + (left || vector ? r * k + c : c * n + r)];
    sys.solve(fromA[i], x, o, k, !left);
  }
  let values: Float64Array = x;
  if (!left && !vector) {
    values = new Float64Array(x.length);
    for (let i = 0; i < fromA.length; i++) for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) values[i * n * k + c * n + r] = x[i * n * k + r * k + c];
  }
  const x0 = fromHost(fn, vector ? [...batch, n] : left ? [...batch, n, k] : [...batch, k, n], values);
  if (!sys.dA && !dB) return x0;
  const count = sys.batch.reduce((p, d) => p * d, 1);
  const inverse = identities(count, n);
  for (let i = 0; i < count; i++) sys.solve(i, inverse, i * n * n, n, false);
  const aInv = fromHost(fn, [...sys.batch, n, n], inverse);
  const dim = left ? -1 : -2;
  const x0m = vector ? unsqueeze(x0, dim) : x0;
  let r = dB ? (vector ? unsqueeze(dB, dim) : dB) : null;
  if (sys.dA) {
    const dAx = left ? matmul(sys.dA(), x0m) : matmul(x0m, sys.dA());
    r = r ? sub(r, dAx) : neg(dAx);
  }
  const dX = left ? matmul(aInv, r!) : matmul(r!, aInv);
  return add(x0, vector ? squeeze(dX, dim) : dX);
}
