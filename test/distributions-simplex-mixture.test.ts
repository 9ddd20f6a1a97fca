/**
 * wg.distributions' Dirichlet, MixtureSameFamily, LogitRelaxedBernoulli / RelaxedBernoulli,
 * ExpRelaxedCategorical / RelaxedOneHotCategorical and OneHotCategoricalStraightThrough against
 * torch 1.13 (test/fixtures/distributions-h1-torch.json, written by distributions-h1-torch.py): every
 * method torch has for each, at batch shapes (), (1,), (3,), (2, 5) and event sizes 1–7 (values;
 * gradients of Σ w·y, w = 1, 2, …), KL Dirichlet‖Dirichlet, on both backends. Then rsample
 * gradients (gradcheck of the seeded relaxed samplers, Dirichlet's implicit gamma gradient, the
 * straight-through one), seeded Monte-Carlo checks of the samplers, and bad arguments.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { standardGamma, standardGammaGrad } from '../src/distributions/draw.js';

const D = wg.distributions;
type Dist = wg.distributions.Distribution;

beforeAll(async () => {
  await initWasm();
});
afterEach(() => wg.setBackend('wasm'));

type Num = number | 'NaN' | 'Infinity' | '-Infinity';
type Nested = number | Nested[];
interface Output {
  y: Num[];
  shape: number[];
  grads: (Num[] | null)[];
}
interface Case {
  kind: string;
  params: Nested[];
  batchShape: number[];
  eventShape: number[];
  repr: string;
  support: string;
  hasRsample: boolean;
  x?: Nested;
  methods: Record<string, Output>;
}
interface KlCase {
  p: Nested;
  q: Nested;
  y: Num[];
  shape: number[];
  grads: Num[][];
}
const RAW = JSON.parse(readFileSync(new URL('./fixtures/distributions-h1-torch.json', import.meta.url), 'utf8'));
const KL: Record<string, KlCase> = RAW.klDirichlet;
const ST: Record<string, { probs: Nested; sampleShape: number[]; grad: number[] }> = RAW.straightThroughGrad;
delete RAW.klDirichlet;
delete RAW.straightThroughGrad;
const CASES = RAW as Record<string, Case>;
const num = (v: Num): number => (typeof v === 'number' ? v : Number(v));
const nums = (a: readonly Num[]) => a.map(num);
const arr = (t: wg.Tensor) => Array.from(t.data());
const t = (v: Nested, requiresGrad = false) => wg.tensor(v as number[], { requiresGrad });
const BACKENDS = ['wasm', 'reference'] as const;

const MAKE: Record<string, (a: wg.Tensor[]) => Dist> = {
  Dirichlet: (a) => new D.Dirichlet(a[0]),
  MixtureNormal: (a) => new D.MixtureSameFamily(new D.Categorical(null, a[0]), new D.Normal(a[1], a[2])),
  MixtureIndependent: (a) => new D.MixtureSameFamily(new D.Categorical({ logits: a[0] }), new D.Independent(new D.Normal(a[1], a[2]), 1)),
  LogitRelaxedBernoulliP: (a) => new D.LogitRelaxedBernoulli(a[0], a[1]),
  LogitRelaxedBernoulliL: (a) => new D.LogitRelaxedBernoulli(a[0], null, a[1]),
  RelaxedBernoulliP: (a) => new D.RelaxedBernoulli(a[0], a[1]),
  RelaxedBernoulliL: (a) => new D.RelaxedBernoulli(a[0], { logits: a[1] }),
  ExpRelaxedCategoricalP: (a) => new D.ExpRelaxedCategorical(a[0], a[1]),
  ExpRelaxedCategoricalL: (a) => new D.ExpRelaxedCategorical(a[0], null, a[1]),
  RelaxedOneHotCategoricalP: (a) => new D.RelaxedOneHotCategorical(a[0], a[1]),
  RelaxedOneHotCategoricalL: (a) => new D.RelaxedOneHotCategorical(a[0], null, a[1]),
  OneHotCategoricalStraightThrough: (a) => new D.OneHotCategoricalStraightThrough(a[0]),
};
const STATS = new Set(['mean', 'mode', 'variance', 'stddev']);

/** expectClose where the wanted value is finite; ±∞ and NaN must be matched exactly. */
function close(got: ArrayLike<number>, want: readonly number[], tol: number): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    if (!Number.isFinite(w)) expect(got[i], `element ${i}`).toBe(w);
  });
  const keep = (_: unknown, i: number) => Number.isFinite(want[i]);
  expectClose(Array.from(got).filter(keep), want.filter(keep), tol);
}

/** Σ w·y with w = 1, 2, … over y's elements (the fixture's gradient seed). */
const wsum = (y: wg.Tensor) => y.mul(wg.arange(1, y.size + 1).reshape(y.shape)).sum();

function run(d: Dist, m: string, x: Nested | undefined): wg.Tensor {
  const r = d as unknown as Record<string, unknown>;
  if (STATS.has(m)) return r[m] as wg.Tensor;
  const f = r[m] as (v?: wg.Tensor) => wg.Tensor;
  return m === 'entropy' ? f.call(d) : f.call(d, t(x!));
}

describe('each distribution vs torch 1.13 (values, gradients of Σ w·y)', () => {
  for (const backend of BACKENDS)
    for (const [name, c] of Object.entries(CASES)) {
      test(`${backend}: ${name} shapes, repr, support`, () => {
        wg.setBackend(backend);
        const d = MAKE[c.kind](c.params.map((p) => t(p)));
        expect(d.batchShape).toEqual(c.batchShape);
        expect(d.eventShape).toEqual(c.eventShape);
        expect(String(d)).toBe(c.repr);
        expect(String(d.support)).toBe(c.support);
        expect(d.hasRsample).toBe(c.hasRsample);
        if (c.x !== undefined) expect(d.sample([4]).shape).toEqual([4, ...c.batchShape, ...c.eventShape]);
      });
      test.each(Object.keys(c.methods))(`${backend}: ${name}.%s`, (m) => {
        wg.setBackend(backend);
        const want = c.methods[m];
        const params = c.params.map((p) => t(p, true));
        const y = run(MAKE[c.kind](params), m, c.x);
        expect(y.shape).toEqual(want.shape);
        // float32 through lgamma/digamma/logsumexp chains: a few float32 ulps of the larger terms
        close(arr(y), nums(want.y), 3e-5);
        if (!y.requiresGrad) return;
        wsum(y).backward();
        want.grads.forEach((g, i) => {
          if (g === null) return;
          const got = params[i].grad;
          if (got === null) expect(nums(g).every((v) => v === 0)).toBe(true);
          else close(arr(got), nums(g), 1e-4);
        });
      });
    }
});

describe('KL Dirichlet‖Dirichlet', () => {
  for (const backend of BACKENDS)
    test.each(Object.keys(KL))(`${backend}: batch %s`, (key) => {
      wg.setBackend(backend);
      const c = KL[key];
      const a = t(c.p, true),
        b = t(c.q, true);
      const y = D.klDivergence(new D.Dirichlet(a), new D.Dirichlet(b));
      expect(y.shape).toEqual(c.shape);
      close(arr(y), nums(c.y), 3e-5);
      wsum(y).backward();
      close(arr(a.grad!), nums(c.grads[0]), 1e-4);
      close(arr(b.grad!), nums(c.grads[1]), 1e-4);
    });
  test('OneHotCategoricalStraightThrough takes OneHotCategorical‖OneHotCategorical', () => {
    const p = wg.tensor([0.2, 0.3, 0.5]),
      q = wg.tensor([0.4, 0.4, 0.2]);
    const want = D.klDivergence(new D.OneHotCategorical(p), new D.OneHotCategorical(q));
    expectClose(arr(D.klDivergence(new D.OneHotCategoricalStraightThrough(p), new D.OneHotCategoricalStraightThrough(q))), arr(want), 0);
  });
});

describe('rsample gradients', () => {
  test('the relaxed samplers: gradcheck of the seeded draw in logits/probs and temperature (float64 reference)', () => {
    wg.setBackend('reference');
    // re-seeding inside fn makes the draw a fixed smooth function of the parameters: u is the same
    // uniform at every evaluation, so finite differences see exactly the reparameterized path
    const cases: [string, (tt: wg.Tensor, p: wg.Tensor) => wg.Tensor, number[]][] = [
      ['LogitRelaxedBernoulli(probs)', (tt, p) => new D.LogitRelaxedBernoulli(tt, p).rsample([3]), [0.2, 0.5, 0.7, 0.9, 0.35]],
      ['RelaxedBernoulli(logits)', (tt, p) => new D.RelaxedBernoulli(tt, null, p).rsample([3]), [-1, 0.5, 2, 0, -0.3]],
      ['ExpRelaxedCategorical(logits)', (tt, p) => new D.ExpRelaxedCategorical(tt, null, p.reshape([1, 5])).rsample([3]), [-1, 0.5, 2, 0, -0.3]],
      ['RelaxedOneHotCategorical(probs)', (tt, p) => new D.RelaxedOneHotCategorical(tt, p.reshape([1, 5])).rsample([2]), [0.2, 0.5, 0.7, 0.9, 0.35]],
    ];
    for (const [name, draw, p] of cases) {
      const tt = wg.tensor(0.7, { requiresGrad: true }),
        pp = wg.tensor(p, { requiresGrad: true });
      const r = wg.gradcheck(
        (a, b) => {
          wg.manualSeed(21);
          return draw(a, b);
        },
        [tt, pp],
      );
      expect(r.ok, `${name}: ${JSON.stringify(r)}`).toBe(true);
    }
  });

  test("Dirichlet: each draw's gradient is (δ − x)·(∂G/∂α)/ΣG of its gamma draws (the implicit gradient)", () => {
    for (const backend of BACKENDS) {
      wg.setBackend(backend);
      const alpha = [0.4, 1.5, 3, 7.5, 0.9];
      const a = wg.tensor(alpha, { requiresGrad: true });
      wg.manualSeed(31);
      const x = new D.Dirichlet(a).rsample();
      const w = [1, -2, 3, 0.5, 2];
      x.mul(wg.tensor(w)).sum().backward();
      wg.manualSeed(31);
      const g = arr(standardGamma(wg.tensor(alpha), [5]));
      const total = g.reduce((s, v) => s + v, 0);
      const xs = g.map((v) => v / total);
      expectClose(arr(x.detach()), xs, 1e-5);
      const wx = w.reduce((s, wi, i) => s + wi * xs[i], 0);
      // d(Σ w·x)/dα_k = (w_k − Σ w·x)·(∂G_k/∂α_k)/ΣG
      const want = alpha.map((ak, k) => ((w[k] - wx) * standardGammaGrad(ak, g[k])) / total);
      expectClose(arr(a.grad!), want, 2e-4);
    }
  });

  test('Dirichlet: the mean of the rsample gradients estimates ∂E[Σ w·x]/∂α (Monte Carlo)', () => {
    wg.manualSeed(32);
    const alpha = [0.7, 2, 4];
    const w = [1, -1, 2];
    const n = 20000;
    const a = wg.tensor(alpha, { requiresGrad: true });
    const x = new D.Dirichlet(a).rsample([n]);
    const perDraw = x.mul(wg.tensor(w)).sum(-1);
    perDraw.sum().backward();
    const got = arr(a.grad!).map((v) => v / n);
    // E[x_j] = α_j/α₀: ∂/∂α_k Σ_j w_j α_j/α₀ = (w_k − Σ w·E[x])/α₀
    const a0 = alpha.reduce((s, v) => s + v, 0);
    const ewx = w.reduce((s, wi, i) => s + (wi * alpha[i]) / a0, 0);
    const want = alpha.map((_, k) => (w[k] - ewx) / a0);
    // the tolerance: 6 standard errors of the per-draw gradients' mean; one autograd pass sums the
    // draws' gradients, so each draw's is recomputed on the host from the same gamma draws (same seed)
    const gs: number[][] = [[], [], []];
    wg.manualSeed(32);
    const g = arr(standardGamma(wg.tensor(alpha), [n, 3]));
    for (let i = 0; i < n; i++) {
      const tot = g[3 * i] + g[3 * i + 1] + g[3 * i + 2];
      const xi = [0, 1, 2].map((k) => g[3 * i + k] / tot);
      const wxi = w.reduce((s, wk, k) => s + wk * xi[k], 0);
      for (let k = 0; k < 3; k++) gs[k].push(((w[k] - wxi) * standardGammaGrad(alpha[k], g[3 * i + k])) / tot);
    }
    gs.forEach((col, k) => {
      const m = col.reduce((s, v) => s + v, 0) / n;
      const sd = Math.sqrt(col.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1));
      expectClose([got[k]], [m], 1e-3); // the autograd pass equals the host recomputation of the same draws
      expect(Math.abs(m - want[k]), `component ${k}: ${m} vs ${want[k]}`).toBeLessThan((6 * sd) / Math.sqrt(n));
    });
  });

  for (const backend of BACKENDS)
    test.each(Object.keys(ST))(`${backend}: OneHotCategoricalStraightThrough rsample gradient %s is torch's`, (key) => {
      wg.setBackend(backend);
      const c = ST[key];
      const p = t(c.probs, true);
      const r = new D.OneHotCategoricalStraightThrough(p).rsample(c.sampleShape);
      expect(arr(r.detach()).every((v) => v === 0 || v === 1)).toBe(true);
      wsum(r).backward();
      // the normalization's gradient (w_k − Σ w·p)/Σp cancels terms of size Σ w·p (up to ~100 with
      // w = 1 … 210): float32's 6e-8 of them is ~1e-5 absolute
      expectClose(arr(p.grad!), c.grad, 5e-5);
    });
});

/** |mean of the draws − want| within 6 standard errors (the draws' own spread). */
function expectMean(samples: number[], want: number, what: string): void {
  const n = samples.length;
  const m = samples.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(samples.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1));
  expect(Math.abs(m - want), `${what}: ${m} vs ${want}`).toBeLessThan((6 * sd) / Math.sqrt(n) + 1e-12);
}
/** Column j of an [n, k] array. */
const col = (v: number[], k: number, j: number) => v.filter((_, i) => i % k === j);

describe('samplers: seeded Monte-Carlo checks (6 standard errors: a false failure has probability < 1e-8 per check)', () => {
  const N = 20000;
  for (const backend of BACKENDS)
    test(`${backend}: moments and Gumbel-max frequencies`, () => {
      wg.setBackend(backend);
      wg.manualSeed(41);
      // Dirichlet: the draws' mean and variance per component, on the simplex
      const dir = new D.Dirichlet(wg.tensor([0.3, 1, 2.5, 6, 0.8]));
      const xd = dir.sample([N]);
      expect(arr(dir.support.check(xd)).every((v) => v === 1)).toBe(true);
      const xv = arr(xd),
        mean = arr(dir.mean),
        variance = arr(dir.variance);
      for (let j = 0; j < 5; j++) {
        const c = col(xv, 5, j);
        expectMean(c, mean[j], `Dirichlet mean ${j}`);
        expectMean(
          c.map((v) => (v - mean[j]) ** 2),
          variance[j],
          `Dirichlet variance ${j}`,
        );
      }
      // MixtureSameFamily: mean and variance of the mixture (batch 3, the mixture's batch broadcast)
      const mix = new D.MixtureSameFamily(
        new D.Categorical(wg.tensor([0.2, 0.5, 0.3])),
        new D.Normal(
          wg.tensor([
            [-2, 0, 3],
            [1, 1, 1],
            [0, 5, -5],
          ]),
          wg.tensor([0.5, 1, 2]),
        ),
      );
      const xm = arr(mix.sample([N]));
      const mm = arr(mix.mean),
        mv = arr(mix.variance);
      for (let j = 0; j < 3; j++) {
        const c = col(xm, 3, j);
        expectMean(c, mm[j], `mixture mean ${j}`);
        expectMean(
          c.map((v) => (v - mm[j]) ** 2),
          mv[j],
          `mixture variance ${j}`,
        );
      }
      // LogitRelaxedBernoulli: x > 0 iff u > 1 − p, so P(x > 0) = p at every temperature
      const probs = [0.1, 0.5, 0.85];
      const xb = arr(new D.LogitRelaxedBernoulli(0.4, wg.tensor(probs)).sample([N]));
      probs.forEach((p, j) =>
        expectMean(
          col(xb, 3, j).map((v) => (v > 0 ? 1 : 0)),
          p,
          `P(logit > 0) ${j}`,
        ),
      );
      const xr = arr(new D.RelaxedBernoulli(2, wg.tensor(probs)).sample([N]));
      expect(xr.every((v) => v >= 0 && v <= 1)).toBe(true);
      probs.forEach((p, j) =>
        expectMean(
          col(xr, 3, j).map((v) => (v > 0.5 ? 1 : 0)),
          p,
          `P(x > ½) ${j}`,
        ),
      );
      // RelaxedOneHotCategorical: the argmax of a draw is Categorical(probs) (the Gumbel-max trick)
      const cp = [0.1, 0.2, 0.3, 0.4];
      const xc = new D.RelaxedOneHotCategorical(0.5, wg.tensor(cp)).sample([N]);
      expectClose(arr(xc.sum(-1)), Array<number>(N).fill(1), 1e-5);
      const idx = arr(xc.argmax(-1));
      cp.forEach((p, k) =>
        expectMean(
          idx.map((i) => (i === k ? 1 : 0)),
          p,
          `P(argmax = ${k})`,
        ),
      );
      const xe = arr(new D.ExpRelaxedCategorical(0.5, wg.tensor(cp)).sample([N]).argmax(-1));
      cp.forEach((p, k) =>
        expectMean(
          xe.map((i) => (i === k ? 1 : 0)),
          p,
          `P(exp argmax = ${k})`,
        ),
      );
      // OneHotCategoricalStraightThrough: one-hot draws with the category frequencies
      const xs = new D.OneHotCategoricalStraightThrough(wg.tensor(cp)).rsample([N]);
      const sv = arr(xs);
      cp.forEach((p, k) => expectMean(col(sv, 4, k), p, `one-hot ${k}`));
    });

  test('the same seed gives the same draws on both backends', () => {
    const draw = () => {
      wg.manualSeed(43);
      return [
        new D.Dirichlet(wg.tensor([0.5, 2, 3])).sample([3]),
        new D.MixtureSameFamily(new D.Categorical(wg.tensor([0.5, 0.5])), new D.Normal(wg.tensor([0, 3]), 1)).sample([4]),
        new D.RelaxedBernoulli(0.5, wg.tensor([0.3, 0.6])).sample([2]),
        new D.RelaxedOneHotCategorical(0.5, wg.tensor([0.3, 0.7])).sample([2]),
      ].map(arr);
    };
    const a = draw();
    wg.setBackend('reference');
    draw().forEach((b, i) => expectClose(b, a[i], 1e-5));
  });

  test('sample shapes: sampleShape + batchShape + eventShape, expand', () => {
    const dists: Dist[] = [
      new D.Dirichlet(wg.ones([3, 5])),
      new D.MixtureSameFamily(new D.Categorical(wg.ones([3, 5])), new D.Normal(wg.zeros([3, 5]), 1)),
      new D.MixtureSameFamily(new D.Categorical(wg.ones([5])), new D.Independent(new D.Normal(wg.zeros([3, 5, 2]), 1), 1)),
      new D.LogitRelaxedBernoulli(1, wg.full([3], 0.5)),
      new D.RelaxedBernoulli(1, wg.full([3], 0.5)),
      new D.ExpRelaxedCategorical(1, wg.ones([3, 5])),
      new D.RelaxedOneHotCategorical(1, wg.ones([3, 5])),
      new D.OneHotCategoricalStraightThrough(wg.ones([3, 5])),
    ];
    for (const d of dists) {
      for (const shape of [[1], [5, 7], []]) {
        const x = d.sample(shape);
        expect(x.shape, d.typeName).toEqual([...shape, ...d.batchShape, ...d.eventShape]);
        expect(arr(x.isfinite()).every((v) => v === 1)).toBe(true);
      }
      const e = d.expand([2, 3]);
      expect(e.typeName).toBe(d.typeName);
      expect(e.batchShape).toEqual([2, 3]);
      expect(e.eventShape).toEqual(d.eventShape);
      expect(e.sample([4]).shape).toEqual([4, 2, 3, ...d.eventShape]);
    }
    const e = new D.Dirichlet(wg.tensor([1, 2, 3])).expand([2]);
    expectClose(
      arr(e.logProb(wg.tensor([0.2, 0.3, 0.5]))),
      Array<number>(2).fill(arr(new D.Dirichlet(wg.tensor([1, 2, 3])).logProb(wg.tensor([0.2, 0.3, 0.5])))[0]),
      1e-6,
    );
  });
});

describe('MixtureSameFamily with a shorter mixture batch', () => {
  test('the weights broadcast from the right: each batch row is the mixture of its own components', () => {
    // mixture batch (3,), components (2, 3, K = 2): row (i, j) mixes components (i, j, ·) with weights j
    const logits = wg.tensor([
      [0, 1],
      [2, -1],
      [0.5, 0.5],
    ]);
    const loc = wg.arange(12).reshape([2, 3, 2]).mul(0.5),
      scale = wg.arange(12).reshape([2, 3, 2]).mul(0.1).add(0.5);
    const m = new D.MixtureSameFamily(new D.Categorical(null, logits), new D.Normal(loc, scale));
    expect(m.batchShape).toEqual([2, 3]);
    const x = wg.tensor([0.7]);
    const w = arr(logits.softmax(-1)),
      mu = arr(loc),
      sd = arr(scale);
    const mean: number[] = [],
      variance: number[] = [],
      logProb: number[] = [],
      cdf: number[] = [];
    const phi = (z: number) => 0.5 * (1 + erf(z / Math.SQRT2));
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++) {
        const ks = [0, 1].map((k) => ({ w: w[2 * j + k], mu: mu[6 * i + 2 * j + k], sd: sd[6 * i + 2 * j + k] }));
        const m1 = ks.reduce((s, c) => s + c.w * c.mu, 0);
        mean.push(m1);
        variance.push(ks.reduce((s, c) => s + c.w * (c.sd ** 2 + (c.mu - m1) ** 2), 0));
        logProb.push(Math.log(ks.reduce((s, c) => s + (c.w * Math.exp(-0.5 * ((0.7 - c.mu) / c.sd) ** 2)) / (c.sd * Math.sqrt(2 * Math.PI)), 0)));
        cdf.push(ks.reduce((s, c) => s + c.w * phi((0.7 - c.mu) / c.sd), 0));
      }
    expectClose(arr(m.mean), mean, 1e-5);
    expectClose(arr(m.variance), variance, 1e-5);
    expectClose(arr(m.logProb(x)), logProb, 1e-5);
    expectClose(arr(m.cdf(x)), cdf, 1e-5);
    expect(m.sample([4]).shape).toEqual([4, 2, 3]);
  });
});

/** erf by Abramowitz–Stegun 7.1.26 is too coarse here: the series to convergence (|z| < 6 in this test). */
function erf(z: number): number {
  let sum = 0,
    term = z;
  for (let n = 0; n < 200; n++) {
    sum += term / (2 * n + 1);
    term *= (-z * z) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

describe('bad arguments', () => {
  test('Dirichlet', () => {
    expect(() => new D.Dirichlet(wg.tensor(1))).toThrow('`concentration` parameter must be at least one-dimensional');
    expect(() => new D.Dirichlet(2 as unknown as wg.Tensor)).toThrow(wg.ValueError);
    expect(() => new D.Dirichlet(wg.tensor([1, 0, 2]))).toThrow(
      'Expected parameter concentration (Tensor of shape (3,)) of distribution Dirichlet(concentration: torch.Size([3])) to satisfy the constraint IndependentConstraint(GreaterThan(lower_bound=0.0), 1), but found invalid values:',
    );
    expect(() => new D.Dirichlet(wg.tensor([1, 0, 2]), { validateArgs: false })).not.toThrow();
    const d = new D.Dirichlet(wg.tensor([1, 2, 3]));
    expect(() => d.logProb(wg.tensor([0.5, 0.6, 0.1]))).toThrow('to be within the support (Simplex())');
    expect(() => d.logProb(wg.tensor([0.5, 0.5]))).toThrow('The right-most size of value must match event_shape: torch.Size([2]) vs torch.Size([3]).');
    expect(() => d.cdf(wg.tensor([0.2, 0.3, 0.5]))).toThrow(D.NotImplementedError);
  });
  test('MixtureSameFamily', () => {
    const normal = new D.Normal(wg.zeros([3]), 1);
    expect(() => new D.MixtureSameFamily(normal as unknown as wg.distributions.Categorical, normal)).toThrow(
      'The Mixture distribution needs to be an instance of Categorical',
    );
    expect(() => new D.MixtureSameFamily(new D.Categorical(wg.ones([3])), 1 as unknown as Dist)).toThrow(
      'The Component distribution needs to be an instance of Distribution',
    );
    expect(() => new D.MixtureSameFamily(new D.Categorical(wg.ones([4])), normal)).toThrow(
      '`mixture_distribution component` (4) does not equal `component_distribution.batch_shape[-1]` (3)',
    );
    expect(() => new D.MixtureSameFamily(new D.Categorical(wg.ones([2, 3])), new D.Normal(wg.zeros([5, 3]), 1))).toThrow(
      '`mixture_distribution.batch_shape` (torch.Size([2])) is not compatible with `component_distribution.batch_shape`(torch.Size([5]))',
    );
    expect(() => new D.MixtureSameFamily(new D.Categorical(wg.ones([1])), new D.Normal(0, 1))).toThrow(wg.ValueError);
    const m = new D.MixtureSameFamily(new D.Categorical(wg.ones([2])), new D.Gamma(wg.ones([2]), 1));
    expect(() => m.logProb(wg.tensor([-1]))).toThrow('to be within the support (GreaterThanEq(lower_bound=0.0))');
    expect(m.hasRsample).toBe(false);
    expect(() => m.rsample()).toThrow(D.NotImplementedError);
    expect(m.componentDistribution).toBeInstanceOf(D.Gamma);
    expect(m.mixtureDistribution).toBeInstanceOf(D.Categorical);
  });
  test('relaxed distributions and straight-through', () => {
    for (const make of [
      () => new D.LogitRelaxedBernoulli(1, wg.tensor([0.5]), wg.tensor([0])),
      () => new D.RelaxedBernoulli(1),
      () => new D.ExpRelaxedCategorical(1),
      () => new D.RelaxedOneHotCategorical(1, wg.tensor([0.5, 0.5]), wg.tensor([0, 0])),
    ])
      expect(make).toThrow('Either `probs` or `logits` must be specified, but not both.');
    expect(() => new D.RelaxedBernoulli(1, wg.tensor([1.5]))).toThrow('Expected parameter probs');
    expect(() => new D.LogitRelaxedBernoulli('1' as unknown as number, wg.tensor([0.5]))).toThrow('Input arguments must all be instances of Number or Tensor');
    expect(() => new D.RelaxedOneHotCategorical(1, wg.tensor([0.5, -0.5]))).toThrow(wg.ValueError);
    expect(() => new D.ExpRelaxedCategorical(1, wg.tensor(0.5))).toThrow('`probs` parameter must be at least one-dimensional');
    expect(() => new D.RelaxedBernoulli(1, wg.tensor([0.5])).logProb(wg.tensor([1.5]))).toThrow('to be within the support');
    expect(() => new D.RelaxedOneHotCategorical(1, wg.tensor([0.5, 0.5])).logProb(wg.tensor([0.7, 0.7]))).toThrow('to be within the support (Simplex())');
    const lrb = new D.LogitRelaxedBernoulli(1, wg.tensor([0.5]));
    for (const get of [() => lrb.mean, () => lrb.variance, () => lrb.entropy(), () => lrb.cdf(wg.tensor([0]))]) expect(get).toThrow(D.NotImplementedError);
    const st = new D.OneHotCategoricalStraightThrough(wg.tensor([0.5, 0.5]));
    expect(() => st.logProb(wg.tensor([0.5, 0.5]))).toThrow('to be within the support (OneHot())');
  });
});
