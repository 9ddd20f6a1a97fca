/**
 * torch.geqrf and torch.ormqr: the QR in LAPACK's compact Householder form, and the product of its
 * Q (never formed) with another matrix. geqrf runs on the host (hostGeqrf, the same reflectors as
 * wg.linalg.qr); ormqr applies the reflectors with matmuls, so its gradient is autodiff's.
 */
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { checkBool, checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { add, mul, sub } from './elementwise.js';
import { eye } from './factories.js';
import { tril } from './indexing.js';
import { narrow, unsqueeze } from './layout.js';
import { matmul } from './linalg.js';
import { fromHost, hostMatrices, mT, named, type Named } from './linalg-host.js';
import { hostGeqrf } from './linalg-spectral-host.js';

/**
 * torch.geqrf(A) → { a, tau } (also `const [a, tau] = …`): A [..., m, n] factored as Q·R with
 * Q = H₁⋯H_k, k = min(m, n), H_i = I − τ_i·v_i·v_iᵀ; `a` holds R on and above the diagonal and
 * v_i's entries below the diagonal (v_i is 1 on it and 0 above), tau [..., k] the τ_i. Computed in
 * float64 on the host (LAPACK's dgeqrf without blocking), so values match torch's within float32
 * rounding. No gradient: torch 1.13 has no derivative for geqrf either (it raises in backward).
 */
export function geqrf(A: Tensor): Named<{ a: Tensor; tau: Tensor }> {
  const fn = 'geqrf';
  const h = hostMatrices(fn, 'input', A);
  const { m, n, batch, count } = h;
  const k = Math.min(m, n);
  const a = new Float64Array(count * m * n),
    tau = new Float64Array(count * k);
  for (let b = 0; b < count; b++) {
    const r = hostGeqrf(h.values, b * m * n, m, n);
    a.set(r.a, b * m * n);
    tau.set(r.tau, b * k);
  }
  return named({ a: fromHost(fn, A.shape, a), tau: fromHost(fn, [...batch, k], tau) });
}

/**
 * C·Q, Q = H₁⋯H_k of the unit lower-trapezoidal reflector vectors V [..., r, ≥k] and tau [..., k],
 * applied one reflector at a time without forming Q: from the left Hᵢ·C = C − τᵢ·vᵢ·(vᵢᵀ·C), from
 * the right C·Hᵢ = C − τᵢ·(C·vᵢ)·vᵢᵀ. Q·C and C·Qᵀ take the reflectors last to first, Qᵀ·C and C·Q
 * first to last (each Hᵢ is symmetric, so Qᵀ = H_k⋯H₁).
 */
export function applyReflectors(V: Tensor, tau: Tensor, C: Tensor, left: boolean, transpose: boolean): Tensor {
  const k = tau.shape[tau.ndim - 1];
  const order = Array.from({ length: k }, (_, i) => i);
  if (left !== transpose) order.reverse();
  for (const i of order) {
    const v = narrow(V, -1, i, 1),
      t = unsqueeze(narrow(tau, -1, i, 1), -1);
    C = left ? sub(C, matmul(v, mul(matmul(mT(v), C), t))) : sub(C, matmul(mul(matmul(C, v), t), mT(v)));
  }
  return C;
}

/** The reflector vectors of a compact QR `a` [..., m, n]: a's strict lower triangle and ones on the diagonal. */
export const reflectorVectors = (a: Tensor): Tensor => add(tril(a, -1), eye(a.shape[a.ndim - 2], a.shape[a.ndim - 1]));

/**
 * torch.ormqr(input, tau, other, left = true, transpose = false): op(Q)·other (left) or other·op(Q)
 * (right), op(Q) = Q or Qᵀ, for Q = H₁⋯H_k given as geqrf's (input, tau), input [..., m, n] with
 * other [..., m, c] (left) or [..., r, m] (right), tau [..., k], k ≤ n and k ≤ other's m, batch
 * dims equal. Differentiable in all three (torch 1.13 has no derivative for ormqr).
 */
export function ormqr(input: Tensor, tau: Tensor, other: Tensor, left = true, transpose = false): Tensor {
  const fn = 'ormqr';
  checkTensor(fn, 'input', input);
  checkTensor(fn, 'tau', tau);
  checkTensor(fn, 'other', other);
  checkBool(fn, 'left', left);
  checkBool(fn, 'transpose', transpose);
  for (const [name, t] of [
    ['input', input],
    ['tau', tau],
    ['other', other],
  ] as const)
    if (t.dtype !== 'float32') throw new DTypeError(fn, `${name} must be a float32 tensor, got ${t.dtype}`);
  if (input.ndim < 2) throw new ShapeError(fn, `input must have at least 2 dimensions, got ${fmtShape(input.shape)}`);
  if (other.ndim < 2) throw new ShapeError(fn, `other must have at least 2 dimensions, got ${fmtShape(other.shape)}`);
  if (tau.ndim !== input.ndim - 1)
    throw new ShapeError(fn, `expected tau to have one dimension less than input, got tau ${fmtShape(tau.shape)} and input ${fmtShape(input.shape)}`);
  const [m, n] = input.shape.slice(-2);
  const k = tau.shape[tau.ndim - 1];
  if (k > n)
    throw new ShapeError(fn, `tau.shape[-1] must be less than or equal to input.shape[-1], got tau ${fmtShape(tau.shape)} for input ${fmtShape(input.shape)}`);
  const side = left ? -2 : -1,
    sideName = left ? 'other.shape[-2]' : 'other.shape[-1]',
    rows = other.shape[other.ndim + side];
  if (rows !== m) throw new ShapeError(fn, `${sideName} must be equal to input.shape[-2] = ${m}, got other ${fmtShape(other.shape)}`);
  if (rows < k) throw new ShapeError(fn, `${sideName} must be greater than or equal to tau.shape[-1] = ${k}, got other ${fmtShape(other.shape)}`);
  const batch = input.shape.slice(0, -2).join();
  if (tau.shape.slice(0, -1).join() !== batch || other.shape.slice(0, -2).join() !== batch)
    throw new ShapeError(
      fn,
      `tau's and other's batch dims must be input's ${fmtShape(input.shape.slice(0, -2))}, got tau ${fmtShape(tau.shape)} and other ${fmtShape(other.shape)}`,
    );
  return applyReflectors(reflectorVectors(input), tau, other, left, transpose);
}
