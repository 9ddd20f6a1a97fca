/**
 * The KL pairs torch 1.13 registers between Gumbel or Pareto and the directly parametrized
 * continuous distributions (kl-gumbel-pareto.ts) against torch's values and gradients
 * (test/fixtures/distributions-matrix-torch.json, written by distributions-matrix-torch.py), on
 * both backends; +∞ where p puts mass outside q's support, as torch's.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';
import { closeOrExact, nums, type Num } from './helpers/distributions.js';

const D = wg.distributions;
type Dist = wg.distributions.Distribution;

beforeAll(async () => {
  await initWasm();
});
afterEach(() => wg.setBackend('wasm'));

interface Pair {
  p: number[][];
  q: number[][];
  shape: number[];
  y: Num[];
  grads?: Num[][];
}
const PAIRS: Record<string, Pair> = JSON.parse(readFileSync(new URL('./fixtures/distributions-matrix-torch.json', import.meta.url), 'utf8')).klGumbelPareto;
const MAKE: Record<string, (a: wg.Tensor[]) => Dist> = {
  Beta: (a) => new D.Beta(a[0], a[1]),
  ContinuousBernoulli: (a) => new D.ContinuousBernoulli(a[0]),
  Exponential: (a) => new D.Exponential(a[0]),
  Gamma: (a) => new D.Gamma(a[0], a[1]),
  Laplace: (a) => new D.Laplace(a[0], a[1]),
  Normal: (a) => new D.Normal(a[0], a[1]),
  Gumbel: (a) => new D.Gumbel(a[0], a[1]),
  Pareto: (a) => new D.Pareto(a[0], a[1]),
  Uniform: (a) => new D.Uniform(a[0], a[1]),
};
const arr = (t: wg.Tensor) => Array.from(t.data());

describe('KL pairs with Gumbel or Pareto vs torch 1.13 (values; gradients of Σ w·y over the finite entries)', () => {
  const keys = Object.keys(PAIRS);
  test('the fixture covers each of the 24 pairs torch registers (Gumbel‖Gumbel and Pareto‖Pareto aside, tested in distributions-transformed.test.ts)', () => {
    expect(new Set(keys.map((k) => k.split(' ')[0])).size).toBe(24);
  });
  for (const backend of ['wasm', 'reference'] as const)
    test.each(keys)(`${backend}: KL(%s)`, (key) => {
      wg.setBackend(backend);
      const [pn, qn] = key.split(' ')[0].split('||');
      const c = PAIRS[key];
      const pp = c.p.map((v) => wg.tensor(v, { requiresGrad: true })),
        qp = c.q.map((v) => wg.tensor(v, { requiresGrad: true }));
      const y = D.klDivergence(MAKE[pn](pp), MAKE[qn](qp));
      expect(y.shape).toEqual(c.shape);
      // float32 through exp/lgamma/digamma chains of terms up to ~30 that cancel to the KL: a few ulps of the terms
      closeOrExact(arr(y), nums(c.y), 2e-5);
      if (!c.grads) {
        expect(y.requiresGrad).toBe(false);
        return;
      }
      wg.where(y.isfinite(), y.mul(wg.arange(1, y.size + 1)), 0)
        .sum()
        .backward();
      [...pp, ...qp].forEach((t, i) => {
        const want = nums(c.grads![i]);
        if (t.grad === null) expect(want.every((v) => v === 0)).toBe(true);
        else closeOrExact(arr(t.grad), want, 5e-5);
      });
    });
});

describe('dispatch', () => {
  test('Pareto‖Gumbel and Gumbel‖Laplace stay unimplemented, as in torch 1.13', () => {
    expect(() => D.klDivergence(new D.Pareto(1, 2), new D.Gumbel(0, 1))).toThrow(D.NotImplementedError);
    expect(() => D.klDivergence(new D.Gumbel(0, 1), new D.Laplace(0, 1))).toThrow('No KL(p || q) is implemented for p type Gumbel and q type Laplace');
  });
  test('a Gumbel against a Pareto is +∞ over the batch, without the TransformedDistribution pair (whose transforms differ)', () => {
    const kl = D.klDivergence(new D.Gumbel(wg.zeros([2, 3]), 1), new D.Pareto(1, 2));
    expect(kl.shape).toEqual([2, 3]);
    expect(arr(kl).every((v) => v === Infinity)).toBe(true);
  });
});
