/**
 * wg.distributions' directly parametrized continuous distributions against torch 1.13
 * (test/fixtures/distributions-torch.json, written by distributions-torch.py): every method and
 * statistic torch has for each, at broadcast parameters of shapes (2, 1) and (3,) (values; gradients
 * of Σ w·y, w = 1, 2, …), every KL pair torch registers among them, on both backends. Then the
 * samplers (statistics of seeded draws within a few standard errors, reparameterized gradients),
 * validation errors, expand and toString.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { closeOrExact as close, expectMoments, nums, type Num } from './helpers/distributions.js';
import { standardGammaGrad, igammaHost, lgammaHost } from '../src/distributions/draw.js';

const D = wg.distributions;
type Dist = wg.distributions.Distribution;

beforeAll(async () => {
  await initWasm();
});
afterEach(() => wg.setBackend('wasm'));

interface MethodCase {
  x: number[] | number[][] | null;
  shape: number[];
  y: Num[];
  grads?: (Num[] | null)[];
}
interface Fixture {
  [name: string]: { params: (number[] | number[][])[]; methods: Record<string, MethodCase> };
}
const RAW = JSON.parse(readFileSync(new URL('./fixtures/distributions-torch.json', import.meta.url), 'utf8'));
const KL: { p: Record<string, number[][]>; q: Record<string, number[][]>; pairs: Record<string, { y: Num[]; grads?: Num[][] }> } = RAW.kl;
delete RAW.kl;
const CASES = RAW as Fixture;
const arr = (t: wg.Tensor) => Array.from(t.data());
const BACKENDS = ['wasm', 'reference'] as const;

const MAKE: Record<string, (a: wg.Tensor[]) => Dist> = {
  Uniform: (a) => new D.Uniform(a[0], a[1]),
  Exponential: (a) => new D.Exponential(a[0]),
  Laplace: (a) => new D.Laplace(a[0], a[1]),
  Cauchy: (a) => new D.Cauchy(a[0], a[1]),
  Gamma: (a) => new D.Gamma(a[0], a[1]),
  Chi2: (a) => new D.Chi2(a[0]),
  Beta: (a) => new D.Beta(a[0], a[1]),
  StudentT: (a) => new D.StudentT(a[0], a[1], a[2]),
  FisherSnedecor: (a) => new D.FisherSnedecor(a[0], a[1]),
  VonMises: (a) => new D.VonMises(a[0], a[1]),
  ContinuousBernoulliP: (a) => new D.ContinuousBernoulli(a[0]),
  ContinuousBernoulliL: (a) => new D.ContinuousBernoulli(null, a[0]),
  IndependentNormal: (a) => new D.Independent(new D.Normal(a[0], a[1]), 1),
  Normal: (a) => new D.Normal(a[0], a[1]),
};
/**
 * ContinuousBernoulli's variance is torch's formula c(c − 1)/(1 − 2c)² + 1/log((1 − c)/c)², whose
 * terms (about ∓6 at c = 0.6) cancel to 0.083: float32 keeps ~3 digits of its gradient there
 * (torch's own float32 gradient is −0.0970459 against float64's −0.0972757; wasmgrad's WASM gives
 * the same −0.0970459).
 */
const GRAD_TOL: Record<string, number> = { 'ContinuousBernoulliP.variance': 5e-3, 'ContinuousBernoulliP.stddev': 5e-3 };
const STATS = new Set(['mean', 'mode', 'variance', 'stddev']);

/** A method or statistic of d as the fixture names it. */
function run(d: Dist, m: string, x: MethodCase['x']): wg.Tensor {
  const r = d as unknown as Record<string, unknown>;
  if (STATS.has(m)) return r[m] as wg.Tensor;
  const f = r[m] as (v?: wg.Tensor) => wg.Tensor;
  return x === null ? f.call(d) : f.call(d, wg.tensor(x));
}

describe('each distribution vs torch 1.13 (values, gradients of Σ w·y)', () => {
  for (const backend of BACKENDS)
    for (const [name, c] of Object.entries(CASES))
      test.each(Object.keys(c.methods))(`${backend}: ${name}.%s`, (m) => {
        wg.setBackend(backend);
        const want = c.methods[m];
        const params = c.params.map((p) => wg.tensor(p, { requiresGrad: true }));
        const y = run(MAKE[name](params), m, want.x);
        expect(y.shape).toEqual(want.shape);
        // float32 through lgamma/digamma/erf chains: a few float32 ulps of the larger terms
        close(arr(y), nums(want.y), 2e-5);
        if (!want.grads) return;
        y.mul(wg.arange(1, y.size + 1).reshape(y.shape))
          .sum()
          .backward();
        want.grads.forEach((g, i) => {
          if (g === null) return;
          const got = params[i].grad;
          if (got === null) expect(nums(g).every((v) => v === 0)).toBe(true);
          else close(arr(got), nums(g), GRAD_TOL[`${name}.${m}`] ?? 5e-5);
        });
      });
});

describe('KL pairs torch 1.13 registers among them', () => {
  const pairs = Object.keys(KL.pairs);
  test('the fixture covers every pair (43, Normal‖Normal and Cauchy‖Cauchy included)', () => {
    expect(pairs.length).toBe(43);
  });
  for (const backend of BACKENDS)
    test.each(pairs)(`${backend}: KL(%s)`, (key) => {
      wg.setBackend(backend);
      const [pn, qn] = key.split('|');
      const pp = KL.p[pn].map((v) => wg.tensor(v, { requiresGrad: true })),
        qp = KL.q[qn].map((v) => wg.tensor(v, { requiresGrad: true }));
      const want = KL.pairs[key];
      const y = D.klDivergence(MAKE[pn](pp), MAKE[qn](qp));
      close(arr(y), nums(want.y), 2e-5);
      if (!want.grads || !y.requiresGrad) return;
      const finite = y.isfinite();
      wg.where(finite, y.mul(wg.arange(1, y.size + 1)), 0)
        .sum()
        .backward();
      [...pp, ...qp].forEach((t, i) => {
        const g = t.grad;
        if (g === null) expect(nums(want.grads![i]).every((v) => v === 0)).toBe(true);
        else close(arr(g), nums(want.grads![i]), 5e-5);
      });
    });
  test('Independent‖Independent sums the base KL over the reinterpreted dims; mismatched dims are NotImplementedError', () => {
    const p = new D.Independent(new D.Normal(wg.tensor([[0, 1]]), 1), 1),
      q = new D.Independent(new D.Normal(wg.tensor([[1, 1]]), 2), 1);
    const base = D.klDivergence(new D.Normal(wg.tensor([[0, 1]]), 1), new D.Normal(wg.tensor([[1, 1]]), 2));
    expectClose(arr(D.klDivergence(p, q)), [arr(base)[0] + arr(base)[1]], 1e-6);
    const q0 = new D.Independent(new D.Normal(wg.tensor([[1, 1]]), 2), 0);
    expect(() => D.klDivergence(p, q0)).toThrow(D.NotImplementedError);
    expect(() => D.klDivergence(new D.Normal(0, 1), new D.Cauchy(0, 1))).toThrow('No KL(p || q) is implemented for p type Normal and q type Cauchy');
    expect(() => D.klDivergence(new D.Gamma(1, 1), new D.Beta(1, 1)).data()).not.toThrow();
  });
});

describe('samplers: moments of seeded draws, shapes, gradients', () => {
  const N = 20000;
  for (const backend of BACKENDS)
    test(`${backend}: sample moments match the distributions' mean and variance`, () => {
      wg.setBackend(backend);
      wg.manualSeed(1);
      const cases: Dist[] = [
        new D.Uniform(wg.tensor([-1, 2]), wg.tensor([1, 7])),
        new D.Exponential(wg.tensor([0.5, 4])),
        new D.Laplace(wg.tensor([1, -2]), wg.tensor([0.5, 3])),
        new D.Gamma(wg.tensor([0.3, 1, 7.5]), wg.tensor([1, 2, 0.5])),
        new D.Chi2(wg.tensor([1, 6])),
        new D.Beta(wg.tensor([0.5, 2, 5]), wg.tensor([0.5, 3, 1])),
        new D.StudentT(wg.tensor([5, 9]), wg.tensor([1, -1]), wg.tensor([2, 0.5])),
        new D.FisherSnedecor(wg.tensor([6, 12]), wg.tensor([9, 20])),
        new D.ContinuousBernoulli(wg.tensor([0.2, 0.5, 0.9])),
      ];
      for (const d of cases) {
        const x = d.sample([N]);
        expect(x.shape).toEqual([N, ...d.batchShape]);
        expect(arr(d.support.check(x)).every((v) => v === 1)).toBe(true);
        expectMoments(x, arr(d.mean), arr(d.variance));
      }
    });

  test('Cauchy: median and quartiles of the draws (no moments)', () => {
    wg.manualSeed(2);
    const x = new D.Cauchy(1, 2).sample([N]);
    const s = Float64Array.from(arr(x)).sort();
    // quartiles loc ∓ scale; the order statistic's standard error at p is √(p(1−p)/N)/f(x_p)
    const se = (p: number, fx: number) => Math.sqrt((p * (1 - p)) / N) / fx;
    const f = (z: number) => 1 / (Math.PI * 2 * (1 + ((z - 1) / 2) ** 2));
    [
      [0.25, -1],
      [0.5, 1],
      [0.75, 3],
    ].forEach(([p, q]) => expect(Math.abs(s[Math.floor(p * N)] - q)).toBeLessThan(6 * se(p, f(q))));
  });

  test('VonMises: circular mean and variance of the draws, values in [−π, π)', () => {
    wg.manualSeed(3);
    const d = new D.VonMises(wg.tensor([0.5, -3, 2]), wg.tensor([0.5, 2, 20]));
    const x = d.sample([N]);
    const v = arr(x);
    expect(v.every((a) => a >= -Math.PI && a < Math.PI)).toBe(true);
    const c = arr(x.cos().mean(0)),
      s = arr(x.sin().mean(0));
    const R = c.map((ci, i) => Math.hypot(ci, s[i]));
    const mu = c.map((ci, i) => Math.atan2(s[i], ci));
    const wantVar = arr(d.variance);
    [0.5, -3, 2].forEach((loc, i) => {
      expect(Math.abs(1 - R[i] - wantVar[i])).toBeLessThan(0.02);
      expect(Math.abs(Math.atan2(Math.sin(mu[i] - loc), Math.cos(mu[i] - loc)))).toBeLessThan(0.08);
    });
    expect(d.hasRsample).toBe(false);
    expect(() => d.rsample()).toThrow(D.NotImplementedError);
  });

  test('rsample gradients: exact pathwise ones for location-scale families', () => {
    wg.manualSeed(4);
    const loc = wg.tensor([0.5, -1], { requiresGrad: true }),
      scale = wg.tensor([2, 0.5], { requiresGrad: true });
    for (const d of [new D.Laplace(loc, scale), new D.Cauchy(loc, scale)]) {
      loc.grad = null;
      scale.grad = null;
      const r = d.rsample([7]);
      r.sum().backward();
      expect(arr(loc.grad!)).toEqual([7, 7]);
      const eps = arr(r.detach().sub(loc.detach()).div(scale.detach()));
      expectClose(
        arr(scale.grad!),
        [0, 1].map((j) => eps.filter((_, i) => i % 2 === j).reduce((a, b) => a + b, 0)),
        1e-4,
      );
    }
    const low = wg.tensor([0], { requiresGrad: true }),
      high = wg.tensor([2], { requiresGrad: true });
    const u = new D.Uniform(low, high).rsample([5]);
    u.sum().backward();
    // x = low + u·(high − low): d/dlow Σx = Σ(1 − u), d/dhigh = Σu with u = x/2
    const us = arr(u.detach()).map((v) => v / 2);
    expectClose(arr(high.grad!), [us.reduce((a, b) => a + b, 0)], 1e-5);
    expectClose(arr(low.grad!), [5 - us.reduce((a, b) => a + b, 0)], 1e-5);
    const rate = wg.tensor([2], { requiresGrad: true });
    const e = new D.Exponential(rate).rsample([4]);
    e.sum().backward();
    expectClose(arr(rate.grad!), [-arr(e.detach()).reduce((a, b) => a + b, 0) / 2], 1e-5);
  });

  test("Gamma's implicit reparameterization gradient equals torch's _standard_gamma_grad", () => {
    // [α, x, −(∂P/∂α)/(∂P/∂x) by mpmath (exact to the digits shown), torch._standard_gamma_grad(α, x) in float64]:
    // wasmgrad's is the exact one; torch's approximations are within 1e-4 of it
    const pts: [number, number, number, number][] = [
      [0.5, 0.1, 0.509765567, 0.509765567],
      [0.5, 1.3, 2.10873413, 2.10879868],
      [1.0, 0.7, 0.973218741, 0.973221045],
      [3.0, 2.5, 0.963361829, 0.96335311],
      [7.5, 9.0, 1.1185402, 1.11846478],
      [40, 35, 0.93862102, 0.938614231],
      [200, 210, 1.02544764, 1.02543787],
    ];
    pts.forEach(([a, x, exact, torch]) => {
      expectClose([standardGammaGrad(a, x)], [exact], 2e-8);
      expectClose([standardGammaGrad(a, x)], [torch], 1e-4);
    });
    // P(2.5, 1.5), P(30, 40) (torch.special.gammainc, float64), ln Γ (math.lgamma)
    expectClose(
      [igammaHost(2.5, 1.5), igammaHost(30, 40), lgammaHost(0.3), lgammaHost(50), lgammaHost(1e-8)],
      [0.300014164, 0.956771318, 1.09579799, 144.565744, 18.4206807],
      1e-8,
    );
    // and a rsample: d(x/rate)/dα through it, d/drate = −x/rate²
    wg.manualSeed(5);
    const a = wg.tensor([2.5], { requiresGrad: true }),
      r = wg.tensor([2], { requiresGrad: true });
    const x = new D.Gamma(a, r).rsample();
    x.sum().backward();
    const xv = arr(x.detach())[0];
    expectClose(arr(a.grad!), [standardGammaGrad(2.5, xv * 2) / 2], 1e-4);
    expectClose(arr(r.grad!), [-xv / 2], 1e-5);
  });

  test('Beta, Chi2, StudentT and FisherSnedecor rsamples carry gradients to every parameter', () => {
    wg.manualSeed(6);
    const c1 = wg.tensor([2], { requiresGrad: true }),
      c0 = wg.tensor([3], { requiresGrad: true });
    new D.Beta(c1, c0).rsample([50]).sum().backward();
    expect(c1.grad!.item()).toBeGreaterThan(0); // more c1 moves mass to 1
    expect(c0.grad!.item()).toBeLessThan(0);
    const df = wg.tensor([4], { requiresGrad: true });
    new D.Chi2(df).rsample([200]).mean().backward();
    expectClose(arr(df.grad!), [1], 0.2); // d E[x]/d df = 1, estimated from 200 draws
    for (const make of [(t: wg.Tensor) => new D.StudentT(t, 0, 1), (t: wg.Tensor) => new D.FisherSnedecor(t, t)]) {
      const t = wg.tensor([5], { requiresGrad: true });
      make(t).rsample([10]).sum().backward();
      expect(Number.isFinite(t.grad!.item())).toBe(true);
      expect(t.grad!.item()).not.toBe(0);
    }
  });

  test('sample shapes: sampleShape + batchShape for odd sizes, on every sampler', () => {
    const dists: Dist[] = [
      new D.Uniform(0, wg.ones([3])),
      new D.Exponential(wg.ones([3])),
      new D.Laplace(0, wg.ones([3])),
      new D.Cauchy(0, wg.ones([3])),
      new D.Gamma(wg.tensor([0.2, 1, 17]), 1),
      new D.Chi2(wg.ones([3])),
      new D.Beta(wg.tensor([0.2, 1, 17]), 2),
      new D.StudentT(wg.ones([3])),
      new D.FisherSnedecor(wg.ones([3]), 5),
      new D.VonMises(0, wg.tensor([1e-6, 1, 500])),
      new D.ContinuousBernoulli(wg.tensor([0.1, 0.5, 0.9])),
    ];
    for (const d of dists)
      for (const shape of [[1], [5, 7], []]) {
        const x = d.sample(shape);
        expect(x.shape).toEqual([...shape, 3]);
        expect(arr(x.isfinite()).every((v) => v === 1)).toBe(true);
      }
  });

  test('the same seed gives the same samples on both backends', () => {
    const draw = () => {
      wg.manualSeed(9);
      return [new D.Gamma(wg.tensor([0.5, 3]), 1).sample([3]), new D.VonMises(0, wg.tensor([1, 5])).sample([2]), new D.Laplace(0, 1).sample([4])].map(arr);
    };
    const a = draw();
    wg.setBackend('reference');
    // the same draws; the WASM backend stores the uniforms in float32, and a Laplace tail −log(1 − |u|)
    // multiplies that rounding (6e-8) by |u|/(1 − |u|)
    draw().forEach((b, i) => expectClose(b, a[i], 1e-4));
  });
});

describe('validation, shapes, expand, toString', () => {
  test('torch messages for parameters outside their constraints', () => {
    expect(() => new D.Exponential(wg.tensor([1, 0]))).toThrow(
      'Expected parameter rate (Tensor of shape (2,)) of distribution Exponential(rate: torch.Size([2])) to satisfy the constraint GreaterThan(lower_bound=0.0), but found invalid values:\ntensor([1., 0.])',
    );
    expect(() => new D.Uniform(1, 1)).toThrow('Uniform is not defined when low>= high');
    expect(() => new D.Uniform(1, 1, { validateArgs: false })).not.toThrow();
    expect(() => new D.Chi2(-1)).toThrow(
      'Expected parameter df (Tensor of shape ()) of distribution Chi2() to satisfy the constraint GreaterThan(lower_bound=0.0)',
    );
    expect(() => new D.StudentT(1, 0, -2)).toThrow('Expected parameter scale');
    // torch's Beta, StudentT and FisherSnedecor build a Dirichlet, a Chi2 and Gammas first: theirs are the messages
    expect(() => new D.Beta(1, wg.tensor([1, -1]))).toThrow(
      'Expected parameter concentration (Tensor of shape (2, 2)) of distribution Dirichlet(concentration: torch.Size([2, 2])) to satisfy the constraint IndependentConstraint(GreaterThan(lower_bound=0.0), 1), but found invalid values:\ntensor([[ 1.,  1.],\n        [ 1., -1.]])',
    );
    expect(() => new D.Beta(1, -1, { validateArgs: false })).not.toThrow();
    expect(() => new D.StudentT(wg.tensor([1, -1]))).toThrow(
      'Expected parameter df (Tensor of shape (2,)) of distribution Chi2() to satisfy the constraint GreaterThan(lower_bound=0.0), but found invalid values:\ntensor([ 1., -1.])',
    );
    expect(() => new D.FisherSnedecor(-1, 2)).toThrow(
      'Expected parameter concentration (Tensor of shape ()) of distribution Gamma(concentration: -0.5, rate: -1.0) to satisfy the constraint GreaterThan(lower_bound=0.0), but found invalid values:\n-0.5',
    );
    expect(() => new D.ContinuousBernoulli()).toThrow('Either `probs` or `logits` must be specified, but not both.');
    expect(() => new D.ContinuousBernoulli(0.5, 0)).toThrow(wg.ValueError);
    expect(() => new D.ContinuousBernoulli(1.5, null, undefined, { validateArgs: true })).toThrow('The parameter probs has invalid values');
    expect(() => new D.Independent(new D.Normal(wg.zeros([3]), 1), 2)).toThrow(
      'Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), actual 2 vs 1',
    );
    expect(() => new D.Laplace(wg.zeros([2]), wg.ones([3]))).toThrow(wg.ShapeError);
  });

  test('values outside the support are torch ValueErrors in logProb and cdf', () => {
    expect(() => new D.Uniform(0, 1).logProb(wg.tensor([2]))).toThrow(
      'Expected value argument (Tensor of shape (1,)) to be within the support (Interval(lower_bound=0.0, upper_bound=1.0)) of the distribution Uniform(low: 0.0, high: 1.0), but found invalid values:\ntensor([2.])',
    );
    expect(() => new D.Exponential(1).cdf(wg.tensor([-1]))).toThrow('GreaterThanEq(lower_bound=0.0)');
    expect(() => new D.Beta(2, 2).logProb(wg.tensor([1.5]))).toThrow(wg.ValueError);
    expect(() => new D.FisherSnedecor(2, 2).logProb(wg.tensor([0]))).toThrow(wg.ValueError);
    expect(() => new D.Independent(new D.Normal(wg.zeros([3]), 1), 1).logProb(wg.zeros([4]))).toThrow(wg.ValueError);
    expect(arr(new D.Exponential(1, { validateArgs: false }).logProb(wg.tensor([-1])))).toEqual([-(-1)]);
  });

  test('shapes: scalar parameters give batch [], broadcasting, event shapes of Independent', () => {
    expect(new D.Gamma(2, 3).batchShape).toEqual([]);
    expect(new D.StudentT(wg.ones([2, 1]), wg.zeros([5])).batchShape).toEqual([2, 5]);
    const ind = new D.Independent(new D.Normal(wg.zeros([4, 2, 3]), 1), 2);
    expect([ind.batchShape, ind.eventShape]).toEqual([[4], [2, 3]]);
    expect(ind.sample([5]).shape).toEqual([5, 4, 2, 3]);
    expect(ind.logProb(wg.zeros([2, 3])).shape).toEqual([4]);
    expect(ind.entropy().shape).toEqual([4]);
    expect(String(ind.support)).toBe('IndependentConstraint(Real(), 2)');
    expect(ind.hasRsample).toBe(true);
    expect(() => ind.enumerateSupport()).toThrow('Enumeration over cartesian product is not implemented');
  });

  test('expand keeps the class and parameters, and the lazy/given parameter of ContinuousBernoulli', () => {
    const dists: Dist[] = [
      new D.Uniform(0, wg.tensor([1, 2, 3])),
      new D.Exponential(wg.tensor([1, 2, 3])),
      new D.Laplace(0, wg.tensor([1, 2, 3])),
      new D.Cauchy(0, wg.tensor([1, 2, 3])),
      new D.Gamma(1, wg.tensor([1, 2, 3])),
      new D.Chi2(wg.tensor([1, 2, 3])),
      new D.Beta(1, wg.tensor([1, 2, 3])),
      new D.StudentT(wg.tensor([1, 2, 3])),
      new D.FisherSnedecor(1, wg.tensor([1, 2, 3])),
      new D.VonMises(0, wg.tensor([1, 2, 3])),
      new D.ContinuousBernoulli(null, wg.tensor([1, 2, 3])),
      new D.Independent(new D.Normal(wg.zeros([3, 2]), 1), 1),
    ];
    for (const d of dists) {
      const e = d.expand([4, 3]);
      expect(e.constructor).toBe(d.constructor);
      expect(e.batchShape).toEqual([4, 3]);
      expect(e.sample().shape).toEqual([4, 3, ...d.eventShape]);
      expect(arr(e.mean).slice(0, 3)).toEqual(arr(d.mean).slice(0, 3));
    }
    const cb = new D.ContinuousBernoulli(null, wg.tensor([1, 2, 3])).expand([2, 3]) as wg.distributions.ContinuousBernoulli;
    expect(String(cb)).toBe('ContinuousBernoulli(logits: torch.Size([2, 3]))');
    expect(cb.probs.shape).toEqual([2, 3]);
    expect((new D.Chi2(wg.tensor([1, 2, 3])).expand([2, 3]) as wg.distributions.Chi2).df.shape).toEqual([2, 3]);
  });

  test('toString as torch repr', () => {
    expect(String(new D.Uniform(0, 1))).toBe('Uniform(low: 0.0, high: 1.0)');
    expect(String(new D.Gamma(wg.tensor([1, 2]), 3))).toBe('Gamma(concentration: torch.Size([2]), rate: torch.Size([2]))');
    expect(String(new D.Chi2(3))).toBe('Chi2()');
    expect(String(new D.StudentT(3))).toBe('StudentT(df: 3.0, loc: 0.0, scale: 1.0)');
    expect(String(new D.ContinuousBernoulli(0.3))).toBe('ContinuousBernoulli(probs: 0.30000001192092896)');
    expect(String(new D.Independent(new D.Normal(wg.zeros([3]), 1), 1))).toBe('Independent(Normal(loc: torch.Size([3]), scale: torch.Size([3])), 1)');
    expect(String(new D.Beta(0.5, 0.5))).toBe('Beta()');
    expect(String(new D.FisherSnedecor(1, 2))).toBe('FisherSnedecor(df1: 1.0, df2: 2.0)');
  });
});
