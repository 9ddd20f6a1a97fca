/**
 * wg.nn.init (issue 12 item 5): each initialiser's distribution (bounds exact, moments within 5
 * standard errors on 131,072 draws), PyTorch's gains and fans, in-place filling of parameters
 * without a graph, seeding by wg.manualSeed identical on both backends, and the errors.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const I = wg.nn.init;
/** Mean, standard deviation, min and max of the values. */
function stats(t: wg.Tensor): { mean: number; std: number; min: number; max: number } {
  const v = t.data();
  let s = 0,
    min = Infinity,
    max = -Infinity;
  for (const x of v) {
    s += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = s / v.length;
  let q = 0;
  for (const x of v) q += (x - mean) ** 2;
  return { mean, std: Math.sqrt(q / v.length), min, max };
}
/** The moments of n draws agree with (mean, std) within 5 standard errors. */
function expectMoments(t: wg.Tensor, mean: number, std: number): void {
  const n = t.size,
    s = stats(t);
  expect(Math.abs(s.mean - mean)).toBeLessThan((5 * std) / Math.sqrt(n));
  expect(Math.abs(s.std - std)).toBeLessThan((5 * std) / Math.sqrt(2 * n));
}

for (const be of ['wasm', 'reference'] as const) {
  describe(`nn.init on ${be}`, () => {
    beforeEach(() => {
      wg.setBackend(be);
      wg.manualSeed(7);
    });

    test('uniform_, normal_, constant_, zeros_, ones_ (positional or options)', () => {
      const w = wg.zeros([256, 512]);
      expect(I.uniform_(w, -0.5, 1.5)).toBe(w);
      let s = stats(w);
      expect(s.min).toBeGreaterThanOrEqual(-0.5);
      expect(s.max).toBeLessThan(1.5);
      expectMoments(w, 0.5, 2 / Math.sqrt(12));
      I.uniform_(w, { b: 2 });
      s = stats(w);
      expect(s.min).toBeGreaterThanOrEqual(0);
      expectMoments(w, 1, 2 / Math.sqrt(12));
      I.normal_(w, 1, 0.5);
      expectMoments(w, 1, 0.5);
      I.normal_(w, { std: 3 });
      expectMoments(w, 0, 3);
      expect(Array.from(I.constant_(wg.zeros([3]), 2.5).data())).toEqual([2.5, 2.5, 2.5]);
      expect(Array.from(I.ones_(wg.zeros([2])).data())).toEqual([1, 1]);
      expect(Array.from(I.zeros_(wg.ones([2])).data())).toEqual([0, 0]);
    });

    test("PyTorch's gains, and fans over the receptive field (conv weights)", () => {
      expect(I.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 12);
      expect(I.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
      expect(I.calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / 1.0001), 12);
      expect(I.calculateGain('leakyRelu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
      expect(I.calculateGain('selu')).toBe(0.75);
      expect(I.calculateGain('conv2d')).toBe(1);
      // conv weight [64, 32, 3, 3]: fanIn 288, fanOut 576
      const w = wg.zeros([64, 32, 3, 3]);
      I.kaimingNormal_(w, { mode: 'fanOut', nonlinearity: 'relu' });
      expectMoments(w, 0, Math.SQRT2 / Math.sqrt(576));
      I.kaimingUniform_(w, 0, 'fan_in', 'relu');
      const bound = Math.sqrt(3) * (Math.SQRT2 / Math.sqrt(288));
      expect(stats(w).max).toBeLessThan(bound);
      expect(stats(w).min).toBeGreaterThanOrEqual(-bound);
      expectMoments(w, 0, bound / Math.sqrt(3));
      // PyTorch's Linear default: kaiming_uniform_(a = √5) gives the bound 1/√fanIn
      I.kaimingUniform_(w, { a: Math.sqrt(5) });
      expect(stats(w).max).toBeLessThan(1 / Math.sqrt(288));
      expect(stats(w).max).toBeGreaterThan(0.99 / Math.sqrt(288));
    });

    test('xavierUniform_ and xavierNormal_ with a gain', () => {
      const w = wg.zeros([300, 200]);
      I.xavierUniform_(w, 2);
      const a = 2 * Math.sqrt(6 / 500);
      expect(stats(w).max).toBeLessThan(a);
      expect(stats(w).min).toBeGreaterThanOrEqual(-a);
      expectMoments(w, 0, a / Math.sqrt(3));
      I.xavierNormal_(w, { gain: 0.5 });
      expectMoments(w, 0, 0.5 * Math.sqrt(2 / 500));
    });

    test('truncNormal_: inside [a, b], the truncated moments', () => {
      const w = wg.zeros([256, 512]);
      I.truncNormal_(w, { std: 0.02, a: -0.04, b: 0.04 });
      const s = stats(w);
      expect(s.min).toBeGreaterThanOrEqual(-0.04);
      expect(s.max).toBeLessThanOrEqual(0.04);
      // N(0, σ²) truncated at ±2σ: std = σ·√(1 − 2·2φ(2)/(2Φ(2) − 1)) = 0.87962566·σ
      expectMoments(w, 0, 0.87962566 * 0.02);
      // one-sided: N(1, 1) cut to [1, 10] is the half-normal: mean 1 + √(2/π), std √(1 − 2/π)
      I.truncNormal_(w, 1, 1, 1, 10);
      expectMoments(w, 1 + Math.sqrt(2 / Math.PI), Math.sqrt(1 - 2 / Math.PI));
    });

    test('orthogonal_: QQᵀ = gain²·I for wide, QᵀQ = gain²·I for tall (dims after the first flattened)', () => {
      const wide = I.orthogonal_(wg.zeros([3, 5]));
      const eye = (n: number, g: number) => Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? g * g : 0));
      const near = (a: wg.Tensor, want: number[]) => a.data().forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
      near(wide.matmul(wide.transpose(0, 1)), eye(3, 1));
      const tall = I.orthogonal_(wg.zeros([6, 2, 2]), 2).reshape([6, 4]);
      near(tall.transpose(0, 1).matmul(tall), eye(4, 2));
    });

    test('fills a parameter in place: same leaf, no graph, version bumped; seeded like every draw', () => {
      const lin = new wg.nn.Linear(4, 3);
      const w = lin.weight;
      const v = w.storage.version;
      I.xavierUniform_(w);
      expect(w.isLeaf && w.requiresGrad).toBe(true);
      expect(w.storage.version).toBeGreaterThan(v);
      wg.manualSeed(3);
      const first = Array.from(I.normal_(wg.zeros([5])).data());
      wg.manualSeed(3);
      expect(Array.from(I.normal_(wg.zeros([5])).data())).toEqual(first);
    });

    test('errors name the initialiser', () => {
      expect(() => I.xavierUniform_(wg.zeros([5]))).toThrow('wasmgrad.nn.init.xavierUniform_: fan in and fan out need a tensor of at least 2 dims, got [5]');
      expect(() => I.kaimingNormal_(wg.zeros([2, 2]), { mode: 'in' as 'fanIn' })).toThrow(
        "wasmgrad.nn.init.kaimingNormal_: mode must be 'fanIn' or 'fanOut', got \"in\"",
      );
      expect(() => I.uniform_(wg.zeros([2]), 2, 1)).toThrow('wasmgrad.nn.init.uniform_: a must be ≤ b, got a = 2, b = 1');
      expect(() => I.normal_(wg.zeros([2], { dtype: 'int32' }))).toThrow('wasmgrad.nn.init.normal_: needs a float32 tensor, got int32 [2]');
      expect(() => I.calculateGain('swish' as 'relu')).toThrow('wasmgrad.nn.init.calculateGain: unsupported nonlinearity "swish"');
      expect(() => I.truncNormal_(wg.zeros([2]), 0, 1, 1, -1)).toThrow('wasmgrad.nn.init.truncNormal_: a must be < b, got a = 1, b = -1');
      expect(() => I.constant_(3 as unknown as wg.Tensor, 1)).toThrow('wasmgrad.nn.init.constant_: needs a Tensor to fill, got 3');
    });
  });
}
