/**
 * The host side of wg.linalg. Decompositions (LU, Cholesky, QR, eigen, SVD) run in JavaScript on
 * float64 copies of the matrices: their loops are sequential pivots and rotations over small
 * matrices, where a kernel would not pay, and float64 leaves float32 results correctly rounded
 * where LAPACK's float32 loses digits. Their gradients are attached with existing ops through the
 * linearization below, so both backends, autodiff and the debug checks see ordinary ops.
 */
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { checkTensor } from '../engine/check.js';
import { isGradEnabled } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { readValues } from './counting.js';
import { make } from './creation.js';
import { sub } from './elementwise.js';
import { transpose } from './shape.js';

/** A float32 tensor [..., m, n] read as float64 matrices, `count` of them, row-major one after another. */
export interface HostMatrices {
  values: Float64Array;
  batch: number[];
  m: number;
  n: number;
  count: number;
}

/**
 * `a`'s matrices in float64 (a copy). Inside wg.compile the function re-runs its JavaScript every
 * call (`readValues`), so each call decomposes its own data; `a` must then be an argument of the
 * step or a tensor made outside it (a value computed inside the step cannot be read there).
 */
export function hostMatrices(fn: string, name: string, a: Tensor): HostMatrices {
  checkTensor(fn, name, a);
  if (a.dtype !== 'float32') throw new DTypeError(fn, `${name} must be a float32 tensor, got ${a.dtype}`);
  if (a.ndim < 2) throw new ShapeError(fn, `${name} must have at least 2 dims [..., m, n], got ${fmtShape(a.shape)}`);
  const m = a.shape[a.ndim - 2];
  const n = a.shape[a.ndim - 1];
  const batch = a.shape.slice(0, -2);
  const values = Float64Array.from(readValues(fn, a, 'the decomposition runs in JavaScript'));
  return { values, batch, m, n, count: batch.reduce((p, d) => p * d, 1) };
}

/** "(Batch element i): " for a batched input, as torch's LinAlgError names the failing matrix. */
export const batchElement = (h: { batch: number[] }, i: number): string => (h.batch.length > 0 ? `(Batch element ${i}): ` : '');

/** A float32 tensor of `shape` holding `values` (rounded once on the WebAssembly backend, float64 on the reference one). */
export function fromHost(fn: string, shape: readonly number[], values: ArrayLike<number>): Tensor {
  return make(fn, [...shape], 'float32', (be, p) => be.write(p, values, 'float32'));
}

/** Whether a result of `inputs` needs its linearization (some input records a gradient). */
export function needsGrad(...inputs: (Tensor | undefined)[]): boolean {
  return isGradEnabled() && inputs.some((x) => x?.requiresGrad === true);
}

/**
 * x − detach(x): zero in value, with the identity as its gradient. A result y₀ = f(x₀) computed in
 * JavaScript becomes y₀ + L(tangent(x)) for f's derivative L written with ops (inv: −Y·dA·Y), which
 * keeps y₀'s value exactly (it adds zeros) and gives autodiff f's first-order gradient. L's
 * coefficients are constants, so differentiating twice through it gives no second-order terms.
 */
export function tangent(x: Tensor): Tensor {
  return sub(x, x.detach());
}

/** A torch named tuple: its fields by name, and iterable in torch's order (`const [U, S, Vh] = wg.linalg.svd(A)`). */
export type Named<T extends Record<string, Tensor>> = Readonly<T> & Iterable<Tensor>;

export function named<T extends Record<string, Tensor>>(fields: T): Named<T> {
  return { ...fields, [Symbol.iterator]: () => Object.values(fields)[Symbol.iterator]() };
}

/** The last two dims swapped (torch's .mT). */
export const mT = (x: Tensor): Tensor => transpose(x, -2, -1);

/** torch's error for a non-square matrix. */
export function checkSquare(fn: string, name: string, h: HostMatrices): void {
  if (h.m !== h.n) throw new ShapeError(fn, `${name} must be batches of square matrices, but they are ${h.m} by ${h.n} matrices`);
}
