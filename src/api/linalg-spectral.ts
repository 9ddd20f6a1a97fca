/**
 * wg.linalg's spectral family: eigh, eigvalsh, svd, svdvals, qr (and torch.svd, torch.qr). The
 * decompositions run on the host (linalg-spectral-host.ts); each result is y₀ + L(tangent(A))
 * with L the decomposition's first-order derivative written with ops (linalg-host.ts), whose
 * adjoint is torch 1.13's backward formula.
 */
import { ValueError, fmtValue } from '../errors.js';
import { checkOptions } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { add, mul, sub } from './elementwise.js';
import { narrow } from './layout.js';
import { matmul } from './linalg.js';
import { batchElement, checkSquare, fromHost, hostMatrices, mT, named, needsGrad, tangent, type HostMatrices, type Named } from './linalg-host.js';
import { hostEigh, hostQr, hostSvd, upperInverse } from './linalg-spectral-host.js';
import { sum } from './reduce.js';
import { zeros } from './creation.js';

/** torch's SVD refuses non-finite matrices (LAPACK would not converge), naming the batch element as its LinAlgError. */
export function checkFiniteSvd(fn: string, h: HostMatrices): void {
  const bad = h.values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new ValueError(
      fn,
      `${batchElement(h, Math.floor(bad / (h.m * h.n)))}The algorithm failed to converge because the input matrix contained non-finite values`,
    );
}

/** A k×k host constant per matrix of the batch: `f(b, i, j)`. */
function perMatrix(fn: string, batch: readonly number[], rows: number, cols: number, f: (b: number, i: number, j: number) => number): Tensor {
  const count = batch.reduce((p, d) => p * d, 1);
  const v = new Float64Array(count * rows * cols);
  for (let b = 0, o = 0; b < count; b++) for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) v[o++] = f(b, i, j);
  return fromHost(fn, [...batch, rows, cols], v);
}

/**
 * The gaps' reciprocals F_ij = 1/(d_j − d_i) of eigenvalues (or squared singular values) d, 0 on
 * the diagonal and where d_i = d_j: torch divides by the 0 there (inf/NaN gradients); 0 is the
 * limit for losses that do not depend on the basis chosen inside a repeated eigenspace.
 */
const gaps = (fn: string, batch: readonly number[], k: number, d: Float64Array) =>
  perMatrix(fn, batch, k, k, (b, i, j) => (d[b * k + j] === d[b * k + i] ? 0 : 1 / (d[b * k + j] - d[b * k + i])));

// ── eigh ──

export interface EighOptions {
  /** Which triangle is read: 'L' (default) or 'U'. */
  UPLO?: 'L' | 'U';
}

function eighParts(fn: string, A: Tensor, opts: EighOptions | undefined, vectors: boolean): [Tensor, Tensor] {
  const { UPLO = 'L' } = checkOptions<EighOptions>(fn, opts, ['UPLO']);
  if (UPLO !== 'L' && UPLO !== 'U') throw new ValueError(fn, `UPLO must be 'L' or 'U', got ${fmtValue(UPLO)}`);
  const h = hostMatrices(fn, 'A', A);
  checkSquare(fn, 'A', h);
  const { n, batch, count } = h;
  const w = new Float64Array(count * n),
    v = new Float64Array(count * n * n);
  for (let b = 0; b < count; b++) {
    const r = hostEigh(h.values, b * n * n, n, UPLO === 'L');
    w.set(r.w, b * n);
    v.set(r.v, b * n * n);
  }
  const L0 = fromHost(fn, [...batch, n], w),
    V = fromHost(fn, [...batch, n, n], v);
  if (!needsGrad(A)) return [L0, V];
  // dλ = diag(Vᵀ·dS·V), dV = V·(F ∘ Vᵀ·dS·V) with dS = (dA + dAᵀ)/2: torch's gradient is symmetric
  // (V·(diag(gλ) + F ∘ skew(Vᵀ·gV))·Vᵀ), the adjoint of this tangent taken on symmetric dA
  const dA = tangent(A);
  const SV = matmul(mul(add(dA, mT(dA)), 0.5), V);
  const L = add(L0, sum(mul(V, SV), -2));
  return [L, vectors ? add(V, matmul(V, mul(gaps(fn, batch, n, w), matmul(mT(V), SV)))) : V];
}

/** torch.linalg.eigh: { eigenvalues ascending, eigenvectors as columns } of symmetric matrices, reading only the UPLO triangle. */
export function eigh(A: Tensor, opts?: EighOptions): Named<{ eigenvalues: Tensor; eigenvectors: Tensor }> {
  const [eigenvalues, eigenvectors] = eighParts('linalg.eigh', A, opts, true);
  return named({ eigenvalues, eigenvectors });
}

/** torch.linalg.eigvalsh: the eigenvalues of symmetric matrices, ascending. */
export const eigvalsh = (A: Tensor, opts?: EighOptions): Tensor => eighParts('linalg.eigvalsh', A, opts, false)[0];

// ── svd ──

/**
 * U, S, Vh of A [..., m, n] (k = min(m, n) values; U [..., m, m] and Vh [..., n, n] with `full`,
 * else [..., m, k] and [..., k, n]). The tangent is Townsend's (torch's svd_jvp), with
 * dP = Uᵀ·dA·V and F_ij = 1/(s_j² − s_i²):
 *   dS = diag(dP), dU = U·(F ∘ (dP·S + S·dPᵀ)) + (I − UUᵀ)·dA·V·S⁻¹,
 *   dV = V·(F ∘ (S·dP + dPᵀ·S)) + (I − VVᵀ)·dAᵀ·U·S⁻¹,
 * the last terms only for m > n (dU) and m < n (dV). The extra columns of a full U or Vh get no
 * tangent (torch's backward drops their gradient). S⁻¹ is taken as 0 where S = 0 (torch: inf).
 */
function svdParts(fn: string, A: Tensor, full: boolean, vectors: boolean): [Tensor, Tensor, Tensor] {
  const h = hostMatrices(fn, 'A', A);
  checkFiniteSvd(fn, h);
  const { m, n, batch, count } = h;
  const k = Math.min(m, n);
  const ucols = full ? m : k,
    vrows = full ? n : k;
  const s = new Float64Array(count * k),
    u = new Float64Array(count * m * ucols),
    vh = new Float64Array(count * vrows * n);
  for (let b = 0; b < count; b++) {
    const r = hostSvd(h.values, b * m * n, m, n, full && vectors);
    s.set(r.s, b * k);
    u.set(r.u, b * m * ucols);
    for (let i = 0; i < vrows; i++) for (let j = 0; j < n; j++) vh[b * vrows * n + i * n + j] = r.v[j * r.vcols + i];
  }
  const S0 = fromHost(fn, [...batch, k], s),
    U0 = fromHost(fn, [...batch, m, ucols], u),
    Vh0 = fromHost(fn, [...batch, vrows, n], vh);
  if (!needsGrad(A)) return [U0, S0, Vh0];
  const Uk = full ? narrow(U0, -1, 0, k) : U0,
    Vk = mT(full ? narrow(Vh0, -2, 0, k) : Vh0);
  const dA = tangent(A),
    dAV = matmul(dA, Vk);
  const S = add(S0, sum(mul(Uk, dAV), -2));
  if (!vectors) return [U0, S, Vh0];
  const dP = matmul(mT(Uk), dAV);
  const row = perMatrix(fn, batch, 1, k, (b, _, j) => s[b * k + j]),
    col = mT(row),
    F = gaps(
      fn,
      batch,
      k,
      s.map((x) => x * x),
    );
  const sinv = () => perMatrix(fn, batch, 1, k, (b, _, j) => (s[b * k + j] === 0 ? 0 : 1 / s[b * k + j]));
  let dU = matmul(Uk, mul(F, add(mul(dP, row), mul(col, mT(dP)))));
  if (m > n) dU = add(dU, mul(sub(dAV, matmul(Uk, dP)), sinv()));
  let dV = matmul(Vk, mul(F, add(mul(col, dP), mul(mT(dP), row))));
  if (m < n) dV = add(dV, mul(sub(matmul(mT(dA), Uk), matmul(Vk, mT(dP))), sinv()));
  // a full U's or Vh's extra columns (rows) are constants: the k tangent columns padded by [I_k 0]
  const pad = (d: Tensor, cols: number) =>
    cols === k
      ? d
      : matmul(
          d,
          perMatrix(fn, [], k, cols, (_, i, j) => (i === j ? 1 : 0)),
        );
  return [add(U0, pad(dU, ucols)), S, add(Vh0, mT(pad(dV, vrows)))];
}

export interface SvdOptions {
  /** U [..., m, m] and Vh [..., n, n] (default true), else [..., m, k] and [..., k, n]. */
  fullMatrices?: boolean;
}

/** torch.linalg.svd: { U, S (descending), Vh } with A = U·diag(S)·Vh. */
export function svd(A: Tensor, opts?: SvdOptions): Named<{ U: Tensor; S: Tensor; Vh: Tensor }> {
  const { fullMatrices = true } = checkOptions<SvdOptions>('linalg.svd', opts, ['fullMatrices']);
  if (typeof fullMatrices !== 'boolean') throw new ValueError('linalg.svd', `fullMatrices must be a boolean, got ${fmtValue(fullMatrices)}`);
  const [U, S, Vh] = svdParts('linalg.svd', A, fullMatrices, true);
  return named({ U, S, Vh });
}

/** torch.linalg.svdvals: the singular values, descending. */
export const svdvals = (A: Tensor): Tensor => svdParts('linalg.svdvals', A, false, false)[1];

/**
 * torch.svd(A, some = true, computeUv = true): { U, S, V } with A = U·diag(S)·Vᵀ (V, not Vh);
 * some = false gives the full U and V; without computeUv U and V are zeros [..., m, m], [..., n, n].
 */
export function torchSvd(A: Tensor, some = true, computeUv = true): Named<{ U: Tensor; S: Tensor; V: Tensor }> {
  for (const [name, v] of [
    ['some', some],
    ['computeUv', computeUv],
  ] as const)
    if (typeof v !== 'boolean') throw new ValueError('svd', `${name} must be a boolean, got ${fmtValue(v)}`);
  const [U, S, Vh] = svdParts('svd', A, !some, computeUv);
  if (computeUv) return named({ U, S, V: mT(Vh) });
  const lead = A.shape.slice(0, -2),
    [m, n] = A.shape.slice(-2);
  return named({ U: zeros([...lead, m, m]), S, V: zeros([...lead, n, n]) });
}

// ── qr ──

export interface QrOptions {
  /** 'reduced' (default): Q [..., m, k], R [..., k, n]; 'complete': Q [..., m, m], R [..., m, n]; 'r': R only (Q empty). */
  mode?: 'reduced' | 'complete' | 'r';
}

/**
 * Q, R of A [..., m, n] by Householder reflections (LAPACK's signs). The tangent, for the square
 * block (A = [X | Y], X = Q·U of size k×k): C = Qᵀ·dX·U⁻¹, W = triu(C) + tril(C, −1)ᵀ,
 * dQ = dX·U⁻¹ − Q·W, and dR = W·R (m ≥ n) or triu(dQᵀ·A + Qᵀ·dA) (m < n): the unique
 * first-order change keeping Q orthonormal and R upper triangular.
 */
function qrParts(fn: string, A: Tensor, mode: string): [Tensor, Tensor] {
  if (mode !== 'reduced' && mode !== 'complete' && mode !== 'r') throw new ValueError(fn, `mode must be 'reduced', 'complete' or 'r', got ${fmtValue(mode)}`);
  const h = hostMatrices(fn, 'A', A);
  const { m, n, batch, count } = h;
  const k = Math.min(m, n),
    complete = mode === 'complete';
  const parts = Array.from({ length: count }, (_, b) => hostQr(h.values, b * m * n, m, n, complete));
  const qcols = complete ? m : k,
    rrows = complete ? m : k;
  const gather = (key: 'q' | 'r', size: number) => {
    const out = new Float64Array(count * size);
    parts.forEach((p, b) => out.set(p[key], b * size));
    return out;
  };
  const Q0 = mode === 'r' ? zeros([0]) : fromHost(fn, [...batch, m, qcols], gather('q', m * qcols)),
    R0 = fromHost(fn, [...batch, rrows, n], gather('r', rrows * n));
  if (!needsGrad(A)) return [Q0, R0];
  // torch raises these in backward; here the tangent is built with the result, so at the call
  if (mode === 'r')
    throw new ValueError(
      fn,
      "the derivative of linalg.qr depends on Q, which is not computed when mode='r'. Use mode 'reduced' to differentiate through linalg.qr",
    );
  if (complete && m > n) throw new ValueError(fn, "the QR decomposition is not differentiable when mode='complete' and nrows > ncols");
  const inverses = parts.map((p, b) => {
    const inv = upperInverse(p.r, k, n);
    if (inv === null)
      throw new ValueError(fn, `the gradient needs R's inverse, but R${count > 1 ? ` (batch ${b})` : ''} has a zero on its diagonal (A has rank < ${k})`);
    return inv;
  });
  const Uinv = perMatrix(fn, batch, k, k, (b, i, j) => inverses[b][i * k + j]);
  const dA = tangent(A),
    dX = m >= n ? dA : narrow(dA, -1, 0, k);
  const dXUinv = matmul(dX, Uinv);
  const C = matmul(mT(Q0), dXUinv);
  const triu = (rows: number, cols: number, shift: number) => perMatrix(fn, [], rows, cols, (_, i, j) => (j >= i + shift ? 1 : 0));
  const W = add(mul(C, triu(k, k, 0)), mT(mul(C, mT(triu(k, k, 1)))));
  const dQ = sub(dXUinv, matmul(Q0, W));
  const dR = m >= n ? matmul(W, R0) : mul(add(matmul(mT(dQ), A.detach()), matmul(mT(Q0), dA)), triu(k, n, 0));
  return [add(Q0, dQ), add(R0, dR)];
}

/** torch.linalg.qr: { Q, R } with A = Q·R, Q orthonormal columns, R upper triangular. */
export function qr(A: Tensor, opts?: QrOptions): Named<{ Q: Tensor; R: Tensor }> {
  const { mode = 'reduced' } = checkOptions<QrOptions>('linalg.qr', opts, ['mode']);
  const [Q, R] = qrParts('linalg.qr', A, mode);
  return named({ Q, R });
}

/** torch.qr(A, some = true): { Q, R }, reduced (some) or complete. */
export function torchQr(A: Tensor, some = true): Named<{ Q: Tensor; R: Tensor }> {
  if (typeof some !== 'boolean') throw new ValueError('qr', `some must be a boolean, got ${fmtValue(some)}`);
  const [Q, R] = qrParts('qr', A, some ? 'reduced' : 'complete');
  return named({ Q, R });
}
