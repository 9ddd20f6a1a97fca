/**
 * TransformedDistribution and the transformed distributions of torch 1.13 (LogNormal, HalfNormal,
 * HalfCauchy, Gumbel, Weibull, Pareto, Kumaraswamy, LogisticNormal) against torch literals
 * (fixtures/distributions-transformed-torch.json, written by the .py beside it): logProb and its
 * gradients wrt the parameters, cdf, icdf, mean, mode, variance, entropy, shapes, repr, the KL
 * pairs; samples in the support; on both backends.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

const D = wg.distributions;
const T = D.transforms;

beforeAll(async () => {
  await initWasm();
});
afterEach(() => {
  wg.setBackend('wasm');
});

// Python's json writes NaN and Infinity, which JSON.parse refuses: 1e999 parses as Infinity, null stands for NaN.
const RAW = JSON.parse(
  readFileSync(new URL('./fixtures/distributions-transformed-torch.json', import.meta.url), 'utf8')
    .replace(/-Infinity/g, '-1e999')
    .replace(/Infinity/g, '1e999')
    .replace(/NaN/g, 'null'),
);
const nums = (a: (number | null)[]) => a.map((v) => (v === null ? NaN : v));
/** expectClose, with infinite expected values compared exactly (their difference is NaN). */
function expectNear(actual: ArrayLike<number>, expected: (number | null)[], tol: number): void {
  const want = nums(expected);
  const got = Array.from(actual);
  const plain = (v: number) => Number.isFinite(v) || Number.isNaN(v);
  expect(got.map((v, i) => (plain(want[i]) ? 0 : v))).toEqual(want.map((v) => (plain(v) ? 0 : v)));
  expectClose(
    got.map((v, i) => (plain(want[i]) ? v : 0)),
    want.map((v) => (Number.isFinite(v) || Number.isNaN(v) ? v : 0)),
    tol,
  );
}

const BACKENDS = ['wasm', 'reference'] as const;
const wsum = (t: wg.Tensor) => t.mul(wg.arange(1, t.size + 1).reshape(t.shape)).sum();

interface Case {
  params: wg.NestedArray[];
  value: wg.NestedArray;
  batchShape: number[];
  eventShape: number[];
  logProb: number[];
  logProbShape: number[];
  grad: (number | null)[][];
  repr: string;
  support: string;
  mean?: (number | null)[];
  mode?: (number | null)[];
  variance?: (number | null)[];
  entropy?: (number | null)[];
  cdf?: number[];
  probs?: wg.NestedArray;
  icdf?: number[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each class its own parameters
type Ctor = new (...args: any[]) => wg.distributions.Distribution;
const CLASSES: Record<string, Ctor> = {
  LogNormal: D.LogNormal,
  HalfNormal: D.HalfNormal,
  HalfCauchy: D.HalfCauchy,
  Gumbel: D.Gumbel,
  Weibull: D.Weibull,
  Pareto: D.Pareto,
  Kumaraswamy: D.Kumaraswamy,
  LogisticNormal: D.LogisticNormal,
};

describe('transformed distributions vs torch', () => {
  for (const backend of BACKENDS)
    test.each(Object.keys(CLASSES))(`${backend}: %s`, (name) => {
      wg.setBackend(backend);
      const c = RAW[name] as Case;
      const ps = c.params.map((p) => wg.tensor(p).requiresGrad_());
      const d = new CLASSES[name](...ps);
      expect(d.batchShape).toEqual(c.batchShape);
      expect(d.eventShape).toEqual(c.eventShape);
      expect(String(d)).toBe(c.repr);
      if (name !== 'Pareto') expect(String(d.support)).toBe(c.support);
      const lp = d.logProb(wg.tensor(c.value));
      expect(lp.shape).toEqual(c.logProbShape);
      expectClose(lp.data(), c.logProb, 2e-5);
      wsum(lp).backward();
      ps.forEach((p, i) => expectNear(p.grad!.data(), c.grad[i], 5e-5));
      for (const m of ['mean', 'mode', 'variance'] as const) if (c[m]) expectNear(d[m].data(), c[m]!, 2e-5);
      if (c.entropy) expectNear(d.entropy().data(), c.entropy, 2e-5);
      if (c.cdf) {
        expectClose(d.cdf(wg.tensor(c.value)).data(), c.cdf, 2e-5);
        expectClose(d.icdf(wg.tensor(c.probs!)).data(), c.icdf!, 5e-5);
      }
      wg.manualSeed(3);
      const s = d.sample([4]);
      expect(s.shape).toEqual([4, ...c.batchShape, ...c.eventShape]);
      expect(d.support.check(s).all().item()).toBe(1);
      if (d.hasRsample) {
        // a fresh instance: the first one's parameter graph was freed by the backward above (as in torch)
        const qs = c.params.map((p) => wg.tensor(p).requiresGrad_());
        wsum(new CLASSES[name](...qs).rsample([2])).backward();
        expect(qs[qs.length - 1].grad).not.toBeNull();
      }
      const e = d.expand([2, ...c.batchShape]);
      expect(e.batchShape).toEqual([2, ...c.batchShape]);
      const elp = e.logProb(wg.tensor(c.value));
      expect(elp.shape).toEqual(wg.broadcastShapes(e.batchShape, c.logProbShape));
      expectClose(elp.data(), d.logProb(wg.tensor(c.value)).detach().expand(elp.shape).contiguous().data(), 1e-6);
    });
});

describe('KL pairs torch registers for them', () => {
  const kl = RAW.kl as Record<string, number[]>;
  for (const backend of BACKENDS)
    test(`${backend}`, () => {
      wg.setBackend(backend);
      const t = (a: number[]) => wg.tensor(a);
      const cases: [string, wg.distributions.Distribution, wg.distributions.Distribution][] = [
        ['Gumbel', new D.Gumbel(t([0.3, -1.0, 2.0]), t([0.5, 1.5, 2.5])), new D.Gumbel(t([0.0, 1.0, 1.0]), t([1.0, 0.7, 3.0]))],
        ['HalfNormal', new D.HalfNormal(t([0.7, 1.5, 2.0])), new D.HalfNormal(t([1.0, 0.5, 2.5]))],
        ['Pareto', new D.Pareto(t([1.0, 0.5, 2.0]), t([3.0, 1.5, 0.8])), new D.Pareto(t([0.8, 1.0, 1.5]), t([2.0, 1.0, 1.2]))],
        ['LogNormal', new D.LogNormal(t([0.3, -0.5]), t([0.7, 1.5])), new D.LogNormal(t([0.0, 1.0]), t([1.0, 0.5]))],
        ['LogisticNormal', new D.LogisticNormal(t([0.3, -0.5]), t([0.7, 1.5])), new D.LogisticNormal(t([0.0, 1.0]), t([1.0, 0.5]))],
      ];
      for (const [name, p, q] of cases) expectNear(D.klDivergence(p, q).data(), kl[name], 2e-5);
      const ln = new D.LogNormal(0, 1);
      expect(() => D.klDivergence(ln, new D.TransformedDistribution(new D.Normal(0, 1), new T.SigmoidTransform()))).toThrow(D.NotImplementedError);
    });
});

describe('TransformedDistribution', () => {
  test('a logistic from Uniform(0, 1) as in torch docs: logProb, cdf, icdf, shapes', () => {
    const base = new D.Uniform(0, 1);
    const d = new D.TransformedDistribution(base, [new T.SigmoidTransform().inv, new T.AffineTransform(1, 2)]);
    expect(d.batchShape).toEqual([]);
    // logistic(1, 2): log p(x) = −z − log 2 − 2·log(1 + e^(−z)), z = (x − 1)/2
    const x = wg.tensor([-1, 0.5, 3]);
    const z = [-1, -0.25, 1];
    expectClose(
      d.logProb(x).data(),
      z.map((v) => -v - Math.log(2) - 2 * Math.log1p(Math.exp(-v))),
      1e-5,
    );
    expectClose(
      d.cdf(x).data(),
      z.map((v) => 1 / (1 + Math.exp(-v))),
      1e-6,
    );
    expectClose(d.icdf(wg.tensor([0.25, 0.5])).data(), [1 + 2 * Math.log(1 / 3), 1], 1e-5);
    expect(String(d)).toBe('TransformedDistribution()');
  });

  test('a decreasing chain flips the cdf (torch _monotonize_cdf); an empty chain is the base', () => {
    const d = new D.TransformedDistribution(new D.Normal(0, 1), new T.AffineTransform(0, -1));
    expectClose(d.cdf(wg.tensor([0.5])).data(), [0.6914624612740131], 1e-6); // P(−X ≤ ½) = Φ(½)
    const e = new D.TransformedDistribution(new D.Normal(0, 1), []);
    expectClose(e.logProb(wg.tensor([0.5])).data(), new D.Normal(0, 1).logProb(wg.tensor([0.5])).data(), 1e-7);
    expect(String(e.support)).toBe('Real()');
  });

  test('a vector transform makes the batch dim an event dim (Independent base)', () => {
    const d = new D.TransformedDistribution(new D.Normal(wg.zeros([2, 3]), 1), new T.StickBreakingTransform());
    expect(d.batchShape).toEqual([2]);
    expect(d.eventShape).toEqual([4]);
    expect(d.baseDist).toBeInstanceOf(D.Independent);
    expect(String(d.support)).toBe('Simplex()');
  });

  test('errors: not a distribution, not transforms, too few dims, value outside the support', () => {
    expect(() => new D.TransformedDistribution(3 as unknown as wg.distributions.Distribution, [])).toThrow(/baseDistribution must be a Distribution/);
    expect(() => new D.TransformedDistribution(new D.Normal(0, 1), [3 as unknown as wg.distributions.transforms.Transform])).toThrow(
      /transforms must be a Transform or a list of Transforms/,
    );
    expect(() => new D.TransformedDistribution(new D.Normal(0, 1), new T.StickBreakingTransform())).toThrow(/needs to have shape with size at least 1/);
    expect(() => new D.LogNormal(0, 1).logProb(wg.tensor(-1))).toThrow(/to be within the support \(GreaterThan\(lower_bound=0.0\)\)/);
    expect(() => new D.HalfNormal(-1)).toThrow(/Expected parameter scale/);
    expect(() => new D.Gumbel(0, 0)).toThrow(/Expected parameter scale/);
  });
});
