/**
 * wg.geqrf and wg.ormqr (src/api/householder.ts) on both backends against torch 1.13's float64
 * values (test/fixtures/householder-torch.py → householder-torch.json), their agreement with
 * linalg.householderProduct and linalg.qr, ormqr's gradients by gradcheck on the reference backend
 * (torch 1.13 has none), the method forms and every error path.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { onBothBackends, readFixture } from './helpers/both-backends.js';

interface GeqrfCase {
  A: wg.NestedArray;
  a: wg.NestedArray;
  tau: wg.NestedArray;
}
interface OrmqrCase {
  a: wg.NestedArray;
  tau: wg.NestedArray;
  other: wg.NestedArray;
  left: boolean;
  transpose: boolean;
  y: wg.NestedArray;
}
const REF = readFixture<{ geqrf: GeqrfCase[]; ormqr: OrmqrCase[] }>('householder-torch.json');
const T = (x: wg.NestedArray) => wg.tensor(x);
const flat = (x: wg.NestedArray): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

onBothBackends(() => {
  test.each(REF.geqrf.map((c, i) => [i, c] as const))('geqrf case %i equals torch', (_, c) => {
    const A = T(c.A);
    const { a, tau } = wg.geqrf(A);
    expect(a.shape).toEqual(A.shape);
    expect(tau.shape).toEqual([...A.shape.slice(0, -2), Math.min(...A.shape.slice(-2))]);
    // float32 input rounding: 3-decimal inputs are exact enough that the factors agree to ~1e-6 relative
    expectClose(a.data(), flat(c.a), 2e-5);
    expectClose(tau.data(), flat(c.tau), 2e-5);
    expect(a.requiresGrad).toBe(false);
    // the method form and the iterable form
    const [a2, tau2] = A.geqrf();
    expect(Array.from(a2.data())).toEqual(Array.from(a.data()));
    expect(Array.from(tau2.data())).toEqual(Array.from(tau.data()));
  });

  test.each(REF.ormqr.map((c, i) => [i, c] as const))('ormqr case %i equals torch', (_, c) => {
    const y = wg.ormqr(T(c.a), T(c.tau), T(c.other), c.left, c.transpose);
    expectClose(y.data(), flat(c.y), 2e-5);
    expectClose(T(c.a).ormqr(T(c.tau), T(c.other), c.left, c.transpose).data(), flat(c.y), 2e-5);
  });

  test('geqrf agrees with householderProduct (orgqr) and linalg.qr', () => {
    for (const shape of [
      [5, 3],
      [3, 3],
      [2, 7, 4],
      [1, 1],
    ]) {
      wg.manualSeed(3);
      const A = wg.randn(shape);
      const { a, tau } = wg.geqrf(A);
      const n = shape[shape.length - 1];
      const Q = wg.linalg.householderProduct(a, tau);
      const R = a.triu().narrow(-2, 0, n);
      const { Q: Qr, R: Rr } = wg.linalg.qr(A);
      expectClose(Q.data(), Qr.data(), 1e-5);
      expectClose(R.data(), Rr.data(), 1e-5);
      expectClose(Q.matmul(R).data(), A.data(), 1e-5);
      // ormqr with the identity's first n columns is orgqr, and Qᵀ·A is triu(a) (R over m − n zero rows)
      const I = wg.eye(shape[shape.length - 2], n).expand(A.shape);
      expectClose(wg.ormqr(a, tau, I).data(), Q.data(), 1e-5);
      expectClose(wg.ormqr(a, tau, A, true, true).data(), a.triu().data(), 1e-5);
    }
  });

  test('wide input: the full Q of min(m, n) reflectors', () => {
    wg.manualSeed(4);
    const A = wg.randn([3, 5]);
    const { a, tau } = wg.geqrf(A);
    expect(tau.shape).toEqual([3]);
    // Q·R = A with Q = ormqr(a, tau, I₃) and R = triu(a)
    const Q = wg.ormqr(a, tau, wg.eye(3));
    expectClose(Q.matmul(a.triu()).data(), A.data(), 1e-5);
    expectClose(Q.matmul(Q.mT).data(), wg.eye(3).data(), 1e-5);
  });

  test('empty batch and zero-size other', () => {
    const { a, tau } = wg.geqrf(wg.zeros([0, 4, 3]));
    expect(a.shape).toEqual([0, 4, 3]);
    expect(tau.shape).toEqual([0, 3]);
    const g = wg.geqrf(wg.randn([5, 3]));
    expect(wg.ormqr(g.a, g.tau, wg.zeros([0, 5]), false).shape).toEqual([0, 5]);
  });
});

describe('gradients (reference backend)', () => {
  beforeAll(() => wg.setBackend('reference'));
  for (const [left, transpose] of [
    [true, false],
    [true, true],
    [false, false],
    [false, true],
  ] as const)
    test(`ormqr left=${left} transpose=${transpose}: gradcheck in input, tau and other`, () => {
      wg.manualSeed(11);
      const { a, tau } = wg.geqrf(wg.randn([2, 5, 3]));
      const other = wg.randn(left ? [2, 5, 2] : [2, 4, 5]).requiresGrad_(true);
      const r = wg.gradcheck((x, t, o) => wg.ormqr(x, t, o, left, transpose), [a.requiresGrad_(true), tau.requiresGrad_(true), other]);
      expect(r.ok, JSON.stringify(r)).toBe(true);
    });

  test('householderProduct keeps its gradient through the shared reflector code', () => {
    wg.manualSeed(12);
    const { a, tau } = wg.geqrf(wg.randn([4, 3]));
    const r = wg.gradcheck((x, t) => wg.linalg.householderProduct(x, t), [a.requiresGrad_(true), tau.requiresGrad_(true)]);
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  test('geqrf results carry no gradient', () => {
    const A = wg.randn([3, 3]).requiresGrad_(true);
    const { a, tau } = wg.geqrf(A);
    expect(a.requiresGrad || tau.requiresGrad).toBe(false);
  });
});

describe('errors', () => {
  const a = () => wg.zeros([5, 3]),
    tau = () => wg.zeros([3]);
  test('geqrf', () => {
    expect(() => wg.geqrf(wg.zeros([3]))).toThrow('wasmgrad.geqrf: input must have at least 2 dims [..., m, n], got [3]');
    expect(() => wg.geqrf(wg.zeros([2, 2], { dtype: 'int32' }))).toThrow(wg.DTypeError);
    expect(() => wg.geqrf(3 as unknown as wg.Tensor)).toThrow(wg.ValueError);
  });
  test('ormqr', () => {
    expect(() => wg.ormqr(a(), wg.zeros([4]), wg.zeros([5, 2]))).toThrow(
      'wasmgrad.ormqr: tau.shape[-1] must be less than or equal to input.shape[-1], got tau [4] for input [5, 3]',
    );
    expect(() => wg.ormqr(a(), tau(), wg.zeros([4, 2]))).toThrow('wasmgrad.ormqr: other.shape[-2] must be equal to input.shape[-2] = 5, got other [4, 2]');
    expect(() => wg.ormqr(a(), tau(), wg.zeros([2, 4]), false)).toThrow(
      'wasmgrad.ormqr: other.shape[-1] must be equal to input.shape[-2] = 5, got other [2, 4]',
    );
    expect(() => wg.ormqr(wg.zeros([3, 6]), wg.zeros([6]), wg.zeros([3, 7]))).toThrow(
      'wasmgrad.ormqr: other.shape[-2] must be greater than or equal to tau.shape[-1] = 6, got other [3, 7]',
    );
    expect(() => wg.ormqr(a(), tau(), wg.zeros([5]))).toThrow('wasmgrad.ormqr: other must have at least 2 dimensions, got [5]');
    expect(() => wg.ormqr(wg.zeros([5]), tau(), wg.zeros([5, 2]))).toThrow('wasmgrad.ormqr: input must have at least 2 dimensions, got [5]');
    expect(() => wg.ormqr(wg.zeros([2, 5, 3]), tau(), wg.zeros([2, 5, 2]))).toThrow(
      'wasmgrad.ormqr: expected tau to have one dimension less than input, got tau [3] and input [2, 5, 3]',
    );
    expect(() => wg.ormqr(wg.zeros([2, 5, 3]), wg.zeros([2, 3]), wg.zeros([1, 5, 2]))).toThrow(
      "wasmgrad.ormqr: tau's and other's batch dims must be input's [2], got tau [2, 3] and other [1, 5, 2]",
    );
    expect(() => wg.ormqr(a(), tau(), wg.zeros([5, 2]), 1 as unknown as boolean)).toThrow(wg.ValueError);
    expect(() => wg.ormqr(a(), tau().int(), wg.zeros([5, 2]))).toThrow('wasmgrad.ormqr: tau must be a float32 tensor, got int32');
  });
});
