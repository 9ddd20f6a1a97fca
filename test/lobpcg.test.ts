/**
 * wg.lobpcg (src/api/lobpcg.ts) on both backends: eigenvalues and the gradient of Σ E against
 * torch 1.13 (test/fixtures/lobpcg-torch.py → lobpcg-torch.json, converged to tol 10⁻¹⁰, so
 * independent of the random start), against wg.linalg.eigh with the default tolerance, the
 * eigenvectors' defining equations, the generalized problem, a given start and preconditioner,
 * keyword forms, gradcheck on the reference backend, and the errors.
 */
import { describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { onBothBackends, readFixture } from './helpers/both-backends.js';

interface Case {
  A: number[][];
  B: number[][] | null;
  kw: { k: number; n?: number; largest?: boolean };
  E: number[];
  gradA: number[][] | null;
}
const REF = readFixture<Case[]>('lobpcg-torch.json');
const flat = (x: number[][]) => x.flat();

/** A symmetric positive-definite m×m matrix with well separated eigenvalues 1, 2, …, m (Q·diag·Qᵀ, Q from a seeded QR). */
function spd(m: number): wg.Tensor {
  const Q = wg.linalg.qr(wg.randn([m, m])).Q;
  return Q.mul(wg.arange(1, m + 1)).matmul(Q.mT);
}

onBothBackends(() => {
  test.each(REF.map((c, i) => [i, c] as const))('case %i: E and d(ΣE)/dA equal torch', (_, c) => {
    wg.manualSeed(1);
    const A = wg.tensor(c.A, { requiresGrad: c.gradA !== null });
    const B = c.B === null ? null : wg.tensor(c.B);
    const { E, X } = wg.lobpcg(A, { ...c.kw, B, tol: 1e-6 });
    const m = c.A.length;
    expect(E.shape).toEqual([c.kw.k]);
    expect(X.shape).toEqual([m, c.kw.k]);
    // the eigenvalues are O(10–100): float32 storage of A and X bounds the agreement near 10⁻⁶ relative
    expectClose(E.data(), c.E, 2e-5);
    if (c.gradA !== null) {
      E.sum().backward();
      expectClose(A.grad!.data(), flat(c.gradA), 2e-4);
    }
    // A·X = B·X·diag(E) and XᵀBX = I
    const BX = B === null ? X : B.matmul(X);
    const scale = Math.max(...c.E.map(Math.abs));
    expectClose(A.detach().matmul(X).sub(BX.mul(E)).div(scale).data(), new Array(m * c.kw.k).fill(0), 1e-3);
    expectClose(X.mT.matmul(BX).data(), wg.eye(c.kw.k).data(), 1e-4);
  });

  test('the default tolerance: largest and smallest eigenvalues match linalg.eigh, odd sizes, batched', () => {
    for (const [m, k] of [
      [3, 1],
      [7, 2],
      [17, 5],
    ] as const) {
      wg.manualSeed(m);
      const A = spd(m);
      const exact = wg.linalg.eigvalsh(A);
      // tol = √ε₃₂ bounds the residual; the eigenvalue error is its square times ‖A‖ ≈ 10⁻⁷·m
      expectClose(wg.lobpcg(A, k).E.data(), exact.flip(0).narrow(0, 0, k).data(), 1e-5);
      expectClose(wg.lobpcg(A, k, { largest: false }).E.data(), exact.narrow(0, 0, k).data(), 1e-5);
    }
    wg.manualSeed(2);
    const batch = wg.stack([spd(6), spd(6).mul(2)]);
    const { E, X } = wg.lobpcg(batch, 2);
    expect(E.shape).toEqual([2, 2]);
    expect(X.shape).toEqual([2, 6, 2]);
    expectClose(E.data(), [6, 5, 12, 10], 1e-5);
  });

  test('a given start X (n = its columns), a preconditioner iK, and niter', () => {
    wg.manualSeed(3);
    const A = spd(12);
    const X0 = wg.randn([12, 3]);
    const r = wg.lobpcg(A, 2, null, X0);
    expectClose(r.E.data(), [12, 11], 1e-5);
    // iK ≈ A⁻¹ (the ideal preconditioner) converges to the smallest pairs too
    const pre = wg.lobpcg(A, { k: 2, iK: wg.linalg.inv(A), largest: false, method: 'basic' });
    expectClose(pre.E.data(), [1, 2], 1e-5);
    // no iteration: the Rayleigh–Ritz values of the start block, between the extreme eigenvalues
    const rough = wg.lobpcg(A, { k: 1, X: X0.narrow(1, 0, 1), niter: 0 });
    expect(rough.E.item()).toBeGreaterThanOrEqual(1 - 1e-5);
    expect(rough.E.item()).toBeLessThanOrEqual(12 + 1e-5);
    // the iterable form
    const [E, X] = wg.lobpcg(A, 1);
    expect([E.shape, X.shape]).toEqual([[1], [12, 1]]);
  });
});

describe('gradients (reference backend)', () => {
  const sym = (t: wg.Tensor) => t.add(t.mT).add(wg.eye(t.shape[0]).mul(8));
  test('E in A (gradcheck, converged to tol 1e-11)', () => {
    wg.setBackend('reference');
    wg.manualSeed(9);
    const r = wg.gradcheck((t) => wg.lobpcg(sym(t), { k: 2, tol: 1e-11, niter: -1 }).E, [wg.randn([7, 7]).requiresGrad_(true)]);
    wg.setBackend('wasm');
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });
  test('E in A and B of the generalized problem (gradcheck)', () => {
    wg.setBackend('reference');
    wg.manualSeed(10);
    const B0 = spd(7);
    const r = wg.gradcheck(
      (t, b) => wg.lobpcg(sym(t), { k: 2, B: b.add(b.mT).mul(0.5), tol: 1e-11, niter: -1, largest: false }).E,
      [wg.randn([7, 7]).requiresGrad_(true), B0.requiresGrad_(true)],
    );
    wg.setBackend('wasm');
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });
});

describe('errors', () => {
  const A = () => wg.eye(6);
  test.each([
    [() => wg.lobpcg(wg.zeros([6, 5])), 'wasmgrad.lobpcg: A must be batches of square matrices, got [6, 5]'],
    [
      () => wg.lobpcg(A(), 3),
      'wasmgrad.lobpcg: LPBPCG algorithm is not applicable when the number of A rows (=6) is smaller than 3 x the number of requested eigenpairs (=3)',
    ],
    [() => wg.lobpcg(A(), 0), 'wasmgrad.lobpcg: k must be a positive integer, got 0'],
    [() => wg.lobpcg(A(), { k: 2, n: 1 }), "wasmgrad.lobpcg: n (the block size, X's columns) must be an integer ≥ k = 2, got 1"],
    [() => wg.lobpcg(A(), { B: wg.eye(5) }), "wasmgrad.lobpcg: B must have A's shape [6, 6], got [5, 5]"],
    [() => wg.lobpcg(A(), { iK: wg.eye(5) }), "wasmgrad.lobpcg: iK must have A's shape [6, 6], got [5, 5]"],
    [() => wg.lobpcg(A(), { X: wg.zeros([5, 1]) }), "wasmgrad.lobpcg: X must have shape [..., 6, n] with A's batch dims, got [5, 1] for A [6, 6]"],
    [() => wg.lobpcg(A(), { niter: -2 }), 'wasmgrad.lobpcg: niter must be a non-negative integer or -1, got -2'],
    [() => wg.lobpcg(A(), { tol: 0 }), 'wasmgrad.lobpcg: tol must be a positive number, got 0'],
    [() => wg.lobpcg(A(), { largest: 1 as unknown as boolean }), 'wasmgrad.lobpcg: largest must be a boolean, got 1'],
    [() => wg.lobpcg(A(), { method: 'lanczos' as 'basic' }), "wasmgrad.lobpcg: method must be 'ortho' or 'basic', got"],
    [() => wg.lobpcg(wg.eye(6).int()), 'wasmgrad.lobpcg: A must be a float32 tensor, got int32'],
    [() => wg.lobpcg(A(), { tracker: 1 } as never), 'wasmgrad.lobpcg'],
  ])('%#', (f, msg) => {
    expect(f).toThrow(msg);
  });
});
