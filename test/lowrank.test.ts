/**
 * wg.svdLowrank and wg.pcaLowrank (src/api/lowrank.ts). Their factors are random (a Gaussian
 * sketch), so only sign-free quantities are compared: S and U·diag(S)·Vᵀ against torch 1.13 on
 * matrices of rank ≤ q, where the sketch spans A's whole range and the result is exact up to
 * rounding (test/fixtures/lowrank-torch.py → lowrank-torch.json), and against wg.linalg's exact
 * SVD on a matrix with a decaying spectrum; orthonormal columns; gradients by gradcheck on the
 * reference backend (q = min(m, n), where the result does not depend on the draw); errors.
 *
 * Tolerances: the matmuls run in float32 on the wasm backend (ε ≈ 6·10⁻⁸), the entries and
 * singular values are O(10), the QR/SVD steps are backward stable, so errors of ~10⁻⁵ are
 * expected; 10⁻⁴ (relative to max(1, |value|)) leaves a factor 10.
 */
import { describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { onBothBackends, readFixture } from './helpers/both-backends.js';

interface Case {
  fn: 'svd_lowrank' | 'pca_lowrank';
  A: wg.NestedArray;
  kw: { q?: number; niter?: number; center?: boolean };
  S: wg.NestedArray;
  USVt: wg.NestedArray;
  shapes: number[][];
}
const REF = readFixture<Case[]>('lowrank-torch.json');
const flat = (x: wg.NestedArray): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
const TOL = 1e-4;
const usvt = ({ U, S, V }: wg.LowrankResult) => U.mul(S.unsqueeze(-2)).matmul(V.mT);

onBothBackends(() => {
  test.each(REF.map((c, i) => [i, c.fn, c] as const))('case %i: %s equals torch (S and U·diag(S)·Vᵀ)', (_, fn, c) => {
    wg.manualSeed(1);
    const A = wg.tensor(c.A);
    const { q, niter, center } = c.kw;
    const r = fn === 'svd_lowrank' ? wg.svdLowrank(A, q, niter) : wg.pcaLowrank(A, q, center, niter);
    expect([r.U.shape, r.S.shape, r.V.shape]).toEqual(c.shapes);
    expectClose(r.S.data(), flat(c.S), TOL);
    expectClose(usvt(r).data(), flat(c.USVt), TOL);
    // orthonormal columns of U and V (where S is not ~0: a null direction's U column is arbitrary but still unit)
    const k = c.shapes[1][c.shapes[1].length - 1];
    const I = wg.eye(k).expand([...c.shapes[1].slice(0, -1), k, k]);
    expectClose(r.V.mT.matmul(r.V).data(), I.data(), TOL);
  });

  test('the q leading singular values of a matrix with a decaying spectrum match linalg.svdvals', () => {
    wg.manualSeed(2);
    // A = P·diag(σ)·Qᵀ with orthonormal P [9, 5], Q [6, 5] and σ = 10, 5, 1, 10⁻³, 10⁻⁴
    const P = wg.linalg.qr(wg.randn([9, 5])).Q,
      Q = wg.linalg.qr(wg.randn([6, 5])).Q;
    const A = P.mul(wg.tensor([10, 5, 1, 1e-3, 1e-4])).matmul(Q.mT);
    const exact = wg.linalg.svdvals(A);
    for (const [q, niter] of [
      [3, 2],
      [3, 0],
      [4, 1],
    ]) {
      const r = wg.svdLowrank(A, q, niter);
      expectClose(r.S.data(), exact.narrow(0, 0, q).data(), TOL);
    }
    // the rank-3 approximation's error is σ₄ = 10⁻³ in the spectral norm, so below 2·10⁻³ entrywise
    const approx = usvt(wg.svdLowrank(A, 3));
    expect(wg.linalg.matrixNorm(approx.sub(A), { ord: 2 }).item()).toBeLessThan(2e-3);
  });

  test('M is subtracted (A − M), broadcasting', () => {
    wg.manualSeed(3);
    const B = wg.randn([6, 2]).matmul(wg.randn([2, 4]));
    const M = wg.randn([1, 4]);
    const r = wg.svdLowrank(B.add(M), 2, 2, M);
    expectClose(usvt(r).data(), B.data(), TOL);
  });

  test('pcaLowrank: S²/(m − 1) are the covariance eigenvalues (linalg.eigh of cov)', () => {
    wg.manualSeed(4);
    const X = wg
      .randn([40, 3])
      .matmul(
        wg.tensor([
          [3, 0, 0],
          [1, 1, 0],
          [0, 0.5, 0.2],
        ]),
      )
      .add(7);
    const { S } = wg.pcaLowrank(X);
    const variances = S.square().div(39);
    const eig = wg.linalg.eigvalsh(wg.cov(X.mT)).flip(0);
    expectClose(variances.data(), eig.data(), TOL);
  });
});

describe('gradients (reference backend)', () => {
  const cases: [string, (A: wg.Tensor) => wg.Tensor, number[]][] = [
    ['svdLowrank S, tall', (A) => wg.svdLowrank(A, 3).S, [5, 3]],
    ['svdLowrank U·diag(S)·Vᵀ, wide', (A) => usvt(wg.svdLowrank(A, 2, 1)), [2, 4]],
    ['svdLowrank batched, niter 0', (A) => wg.svdLowrank(A, 2, 0).S, [2, 3, 2]],
    ['pcaLowrank S', (A) => wg.pcaLowrank(A, 3).S, [6, 3]],
  ];
  for (const [name, f, shape] of cases)
    test(name, () => {
      wg.setBackend('reference');
      wg.manualSeed(7);
      const r = wg.gradcheck(f, [wg.randn(shape).requiresGrad_(true)]);
      wg.setBackend('wasm');
      expect(r.ok, JSON.stringify(r)).toBe(true);
    });
});

describe('errors', () => {
  test.each([
    [() => wg.svdLowrank(wg.zeros([4, 3])), 'wasmgrad.svdLowrank: q must be an integer in [1, min(m, n) = 3], got 6'],
    [() => wg.svdLowrank(wg.zeros([4, 3]), 0), 'wasmgrad.svdLowrank: q must be an integer in [1, min(m, n) = 3], got 0'],
    [() => wg.svdLowrank(wg.zeros([4, 3]), 2, -1), 'wasmgrad.svdLowrank: niter must be a non-negative integer, got -1'],
    [() => wg.svdLowrank(wg.zeros([4]), 1), 'wasmgrad.svdLowrank: A must have at least 2 dims [..., m, n], got [4]'],
    [() => wg.svdLowrank(wg.zeros([4, 3], { dtype: 'int32' }), 1), 'wasmgrad.svdLowrank: A must be a float32 tensor, got int32'],
    [() => wg.svdLowrank(wg.zeros([4, 3]), 2, 2, 1 as unknown as wg.Tensor), 'wasmgrad.svdLowrank'],
    [() => wg.pcaLowrank(wg.zeros([4, 3]), 4), 'wasmgrad.pcaLowrank: q must be an integer in [1, min(m, n) = 3], got 4'],
    [() => wg.pcaLowrank(wg.zeros([4, 3]), 2, 1 as unknown as boolean), 'wasmgrad.pcaLowrank: center must be a boolean, got 1'],
    [() => wg.pcaLowrank(wg.zeros([4]), 2), 'wasmgrad.pcaLowrank: A must have at least 2 dims'],
  ])('%#', (f, msg) => {
    expect(f).toThrow(msg);
  });
});
