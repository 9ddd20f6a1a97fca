/**
 * wg.distributions.LowRankMultivariateNormal, Wishart and LKJCholesky against torch 1.13
 * (test/fixtures/distributions-matrix-torch.json, written by distributions-matrix-torch.py): every
 * method and statistic at batch shapes (), (2,) and (3,) with events of size 1, 2, 3, 5 and 7
 * (values; gradients of Σ w·y, w = 1, 2, …, to every input), the KL pairs with
 * LowRankMultivariateNormal and Wishart‖Wishart, on both backends. Then the samplers: seeded
 * Monte-Carlo moments, rsample gradients by gradcheck (reference backend), and the errors.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { closeOrExact, expectMoments, nums, type Num } from './helpers/distributions.js';

const D = wg.distributions;

beforeAll(async () => {
  await initWasm();
});
afterEach(() => wg.setBackend('wasm'));

type Nested = number | Nested[];
interface Rec {
  shape: number[];
  y: Num[];
  grads?: Num[][];
}
const FIX = JSON.parse(readFileSync(new URL('./fixtures/distributions-matrix-torch.json', import.meta.url), 'utf8'));
const LR: Record<string, { loc: Nested; covFactor: Nested; covDiag: Nested; value: Nested; batchShape: number[]; methods: Record<string, Rec> }> =
  FIX.LowRankMultivariateNormal;
const WI: Record<
  string,
  {
    df: number | number[];
    kind: 'covarianceMatrix' | 'precisionMatrix' | 'scaleTril';
    matrix: Nested;
    value: Nested;
    batchShape: number[];
    methods: Record<string, Rec>;
  }
> = FIX.Wishart;
const LK: Record<string, { dim: number; concentration: number | number[]; value: Nested; logProb: Rec }> = FIX.LKJCholesky;
const KL_LR: Record<string, Rec & { p: Record<string, Nested>; q: Record<string, Nested> }> = FIX.klLowRank;
const KL_WI: Rec & { p: { df: number[]; S: Nested }; q: { df: number[]; S: Nested } } = FIX.klWishart;

const BACKENDS = ['wasm', 'reference'] as const;
const arr = (t: wg.Tensor) => Array.from(t.data());
const leaf = (v: Nested) => wg.tensor(v as number[], { requiresGrad: true });
/**
 * float32 (wasm) through Cholesky factors, triangular solves and log-determinants of matrices up to
 * 7×7 with condition numbers below ~10: a few float32 ulps of the largest intermediate
 * (|logProb| terms ~ 50), so 1e-4 relative; the float64 reference backend agrees to 1e-6.
 */
const TOL = { wasm: 1e-4, reference: 1e-6 };

/**
 * The entries of a batch of n×n matrices (flattened) above the diagonal: where a scaleTril's
 * gradient differs from torch's when it only reaches L through choleskySolve or choleskyInverse,
 * which read L's lower triangle: wasmgrad's gradient there is 0 (the entries are not read), torch's
 * the formula for a full L (torch.cholesky_solve's backward does not mask it).
 */
const aboveDiagonal = (size: number, n: number) => Array.from({ length: size }, (_, k) => k % n > Math.floor(k / n) % n);

/**
 * y and the gradients of Σ w·y (over y's finite entries) to `inputs`, against a fixture record;
 * `lowerOnly`: the index of an input (a scaleTril) whose gradient is compared on and below the
 * diagonal, and must be 0 above it.
 */
function checkRec(y: wg.Tensor, inputs: wg.Tensor[], want: Rec, tol: number, lowerOnly = -1): void {
  expect(y.shape).toEqual(want.shape);
  closeOrExact(arr(y), nums(want.y), tol);
  if (!want.grads) return;
  wg.where(y.isfinite(), y.mul(wg.arange(1, y.size + 1).reshape(y.shape)), 0)
    .sum()
    .backward();
  inputs.forEach((t, i) => {
    let g = nums(want.grads![i]);
    if (t.grad === null) return expect(g.every((v) => v === 0)).toBe(true);
    let got = arr(t.grad);
    if (i === lowerOnly) {
      const upper = aboveDiagonal(got.length, t.shape[t.ndim - 1]);
      expect(got.filter((_, k) => upper[k]).every((v) => v === 0)).toBe(true);
      [got, g] = [got.filter((_, k) => !upper[k]), g.filter((_, k) => !upper[k])];
    }
    closeOrExact(got, g, tol);
  });
}

/** The statistic or method `m` of d (logProb at `value`). */
function run(d: wg.distributions.Distribution, m: string, value?: wg.Tensor): wg.Tensor {
  if (m === 'logProb') return d.logProb(value!);
  if (m === 'entropy') return d.entropy();
  return (d as unknown as Record<string, wg.Tensor>)[m];
}

/** f's result and the messages it gave console.warn (kept off the test's output). */
function withWarnings<T>(f: () => T): [T, string[]] {
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (m: string) => warned.push(m);
  try {
    return [f(), warned];
  } finally {
    console.warn = warn;
  }
}

describe('LowRankMultivariateNormal vs torch 1.13', () => {
  for (const backend of BACKENDS)
    for (const [name, c] of Object.entries(LR))
      test.each(Object.keys(c.methods))(`${backend}: ${name}.%s`, (m) => {
        wg.setBackend(backend);
        const ps = [leaf(c.loc), leaf(c.covFactor), leaf(c.covDiag)];
        const d = new D.LowRankMultivariateNormal(ps[0], ps[1], ps[2]);
        expect(d.batchShape).toEqual(c.batchShape);
        const x = leaf(c.value);
        checkRec(run(d, m, x), m === 'logProb' ? [...ps, x] : ps, c.methods[m], TOL[backend]);
      });
});

describe('Wishart vs torch 1.13', () => {
  for (const backend of BACKENDS)
    for (const [name, c] of Object.entries(WI))
      test.each(Object.keys(c.methods))(`${backend}: ${name}.%s`, (m) => {
        wg.setBackend(backend);
        const df = typeof c.df === 'number' ? c.df : leaf(c.df);
        const M = leaf(c.matrix);
        const d = new D.Wishart(df, { [c.kind]: M });
        expect(d.batchShape).toEqual(c.batchShape);
        expect(d.eventShape).toEqual([M.shape[M.ndim - 1], M.shape[M.ndim - 1]]);
        const ps = typeof df === 'number' ? [M] : [df, M];
        const x = leaf(c.value);
        const lowerOnly = c.kind === 'scaleTril' && (m === 'logProb' || m === 'precisionMatrix') ? ps.indexOf(M) : -1;
        checkRec(run(d, m, x), m === 'logProb' ? [...ps, x] : ps, c.methods[m], TOL[backend], lowerOnly);
      });
});

describe('LKJCholesky.logProb vs torch 1.13', () => {
  for (const backend of BACKENDS)
    test.each(Object.keys(LK))(`${backend}: %s`, (name) => {
      wg.setBackend(backend);
      const c = LK[name];
      const conc = leaf(c.concentration),
        x = leaf(c.value);
      const d = new D.LKJCholesky(c.dim, conc);
      expect(d.eventShape).toEqual([c.dim, c.dim]);
      checkRec(d.logProb(x), [conc, x], c.logProb, TOL[backend]);
    });
});

describe('KL pairs', () => {
  const make = (a: Record<string, Nested>): [wg.distributions.Distribution, wg.Tensor[]] => {
    if ('S' in a) {
      const ps = [leaf(a.loc), leaf(a.S)];
      return [new D.MultivariateNormal(ps[0], ps[1]), ps];
    }
    const ps = [leaf(a.loc), leaf(a.W), leaf(a.D)];
    return [new D.LowRankMultivariateNormal(ps[0], ps[1], ps[2]), ps];
  };
  for (const backend of BACKENDS) {
    test.each(Object.keys(KL_LR))(`${backend}: KL(%s) vs torch 1.13`, (key) => {
      wg.setBackend(backend);
      const c = KL_LR[key];
      const [p, pp] = make(c.p),
        [q, qp] = make(c.q);
      checkRec(D.klDivergence(p, q), [...pp, ...qp], c, TOL[backend]);
    });
    test(`${backend}: KL(Wishart‖Wishart) by ExponentialFamily's Bregman pair vs torch 1.13 (batch ())`, () => {
      wg.setBackend(backend);
      const ins = [wg.tensor(KL_WI.p.df[0], { requiresGrad: true }), leaf(KL_WI.p.S), wg.tensor(KL_WI.q.df[0], { requiresGrad: true }), leaf(KL_WI.q.S)];
      const kl = D.klDivergence(new D.Wishart(ins[0], ins[1]), new D.Wishart(ins[2], ins[3]));
      checkRec(kl, ins, KL_WI, TOL[backend]);
    });
  }
  test('KL(p ‖ p) = 0 for each pair; the low-rank and full forms of one Gaussian agree', () => {
    wg.setBackend('reference');
    const W = wg.tensor([[0.5], [-1], [0.25]]),
      Dg = wg.tensor([0.5, 1, 2]);
    const lr = new D.LowRankMultivariateNormal(wg.tensor([1, 0, -1]), W, Dg);
    const mvn = new D.MultivariateNormal(wg.tensor([1, 0, -1]), lr.covarianceMatrix);
    for (const [p, q] of [
      [lr, lr],
      [lr, mvn],
      [mvn, lr],
    ])
      expectClose(arr(D.klDivergence(p, q)), [0], 1e-6);
    const other = new D.LowRankMultivariateNormal(
      wg.tensor([0, 1, 0]),
      wg.tensor([
        [1, 0.5],
        [0, 1],
        [0.5, 0],
      ]),
      wg.tensor([1, 0.5, 1.5]),
    );
    const otherFull = new D.MultivariateNormal(other.loc, other.covarianceMatrix);
    const ref = arr(D.klDivergence(new D.MultivariateNormal(lr.loc, lr.covarianceMatrix), otherFull));
    expectClose(arr(D.klDivergence(lr, other)), ref, 1e-6);
    expectClose(arr(D.klDivergence(lr, otherFull)), ref, 1e-6);
    expectClose(arr(lr.logProb(wg.tensor([0.3, -0.2, 2]))), arr(mvn.logProb(wg.tensor([0.3, -0.2, 2]))), 1e-6);
    expectClose(arr(lr.entropy()), arr(mvn.entropy()), 1e-6);
  });
  test('different event sizes are a ValueError naming klDivergence and both sizes', () => {
    const a = new D.LowRankMultivariateNormal(wg.zeros([3]), wg.ones([3, 1]), wg.ones([3]));
    const b = new D.LowRankMultivariateNormal(wg.zeros([2]), wg.ones([2, 1]), wg.ones([2]));
    const m2 = new D.MultivariateNormal(wg.zeros([2]), wg.eye(2));
    for (const [p, q] of [
      [a, b],
      [a, m2],
      [m2, a],
    ] as const) {
      expect(() => D.klDivergence(p, q)).toThrow(/distributions\.klDivergence.*different event shapes cannot be computed \((3 and 2|2 and 3)\)/);
      expect(() => D.klDivergence(p, q)).toThrow(wg.ValueError);
    }
  });
});

describe('samplers', () => {
  /**
   * Seeded Monte Carlo: with N = 20000 draws, each sample mean is within 6 standard errors of the
   * distribution's mean (σ from its own variance, itself checked against torch above), each sample
   * variance within 6 of its standard error (estimated by the draws' 4th central moment): a false
   * failure has probability ~2e-9 per entry, and the seed makes the run reproducible.
   */
  const N = 20000;
  for (const backend of BACKENDS) {
    test(`${backend}: LowRankMultivariateNormal draws: moments, covariance, shapes`, () => {
      wg.setBackend(backend);
      wg.manualSeed(11);
      const W = wg.tensor([
        [1, 0.5],
        [-0.5, 1],
        [0.25, 0],
      ]);
      const d = new D.LowRankMultivariateNormal(wg.tensor([1, -2, 0.5]), W, wg.tensor([0.5, 0.2, 1]));
      const x = d.sample([N]);
      expect(x.shape).toEqual([N, 3]);
      expect(x.requiresGrad).toBe(false);
      expectMoments(x, arr(d.mean), arr(d.variance));
      const S = arr(d.covarianceMatrix);
      const c = x.sub(x.mean(0));
      const cov = arr(c.mT.matmul(c).div(N - 1));
      // the standard error of a sample covariance of Gaussians: √((Σii·Σjj + Σij²)/N)
      S.forEach((s, k) => {
        const [i, j] = [Math.floor(k / 3), k % 3];
        expect(Math.abs(cov[k] - s)).toBeLessThan(6 * Math.sqrt((S[i * 3 + i] * S[j * 3 + j] + s * s) / N));
      });
      const e = d.expand([2, 1]);
      expect(e.sample([4]).shape).toEqual([4, 2, 1, 3]);
    });

    test(`${backend}: Wishart draws (Bartlett): moments of each entry, symmetric positive definite, finite logProb`, () => {
      wg.setBackend(backend);
      wg.manualSeed(12);
      const S = wg.tensor([
        [2, 0.5, -0.3],
        [0.5, 1, 0.2],
        [-0.3, 0.2, 0.5],
      ]);
      for (const df of [2.5, 6]) {
        // ν = 2.5 < p = 3: the low-df warning, and singular draws likely (then redrawn: each draw below is positive definite)
        const [d, warned] = withWarnings(() => new D.Wishart(df, S));
        expect(warned.length).toBe(df < 3 ? 1 : 0);
        const [x] = withWarnings(() => d.sample([N]));
        expect(x.shape).toEqual([N, 3, 3]);
        expect(arr(x.sub(x.mT).abs().max())[0]).toBe(0);
        expect(arr(D.constraints.positiveDefinite.check(x)).every((v) => v === 1)).toBe(true);
        expect(arr(d.logProb(x)).every(Number.isFinite)).toBe(true);
        expectMoments(x.reshape([N, 9]), arr(d.mean), arr(d.variance));
      }
    });

    test(`${backend}: Wishart.rsample's gradient to df: its mean over draws is ∂E[X]/∂ν = Σ`, () => {
      wg.setBackend(backend);
      wg.manualSeed(13);
      const n = 20000;
      const df = wg.full([n], 4.5, { requiresGrad: true });
      const S = wg.tensor([
        [1, 0.4],
        [0.4, 2],
      ]);
      new D.Wishart(df, S).rsample().sum().backward();
      // per draw, the gradient of Σᵢⱼ Xᵢⱼ by the χ² draws' implicit reparameterization: unbiased for ∂E/∂ν = ΣᵢⱼΣᵢⱼ = 3.8
      const g = df.grad!;
      const se = Math.sqrt(arr(g.var())[0] / n);
      expect(Math.abs(arr(g.mean())[0] - 3.8)).toBeLessThan(6 * se);
    });

    test(`${backend}: LKJCholesky draws: in the support, correlations with the LKJ marginal's moments`, () => {
      wg.setBackend(backend);
      wg.manualSeed(14);
      for (const [dim, eta] of [
        [2, 0.5],
        [3, 1],
        [5, 2.5],
      ]) {
        const d = new D.LKJCholesky(dim, eta);
        const L = d.sample([N]);
        expect(L.shape).toEqual([N, dim, dim]);
        expect(arr(d.support.check(L)).every((v) => v === 1)).toBe(true);
        expect(arr(d.logProb(L)).every(Number.isFinite)).toBe(true);
        // each off-diagonal correlation of M = L·Lᵀ is 2·Beta(b, b) − 1 with b = η − 1 + dim/2: mean 0, variance 1/(2b + 1)
        const M = L.matmul(L.mT).reshape([N, dim * dim]);
        const off = Array.from({ length: dim * dim }, (_, k) => k).filter((k) => Math.floor(k / dim) !== k % dim);
        const r = M.indexSelect(1, wg.tensor(off, { dtype: 'int32' }));
        const b = eta - 1 + dim / 2;
        expectMoments(
          r,
          off.map(() => 0),
          off.map(() => 1 / (2 * b + 1)),
        );
      }
    });
  }

  test('rsample gradients by gradcheck (reference backend, one seed per evaluation)', () => {
    wg.setBackend('reference');
    const opts = { eps: 1e-4, atol: 1e-4, rtol: 1e-3 };
    const loc = wg.tensor([0.5, -1, 2], { requiresGrad: true }),
      W = wg.tensor(
        [
          [1, 0.5],
          [-0.5, 1],
          [0.25, 0],
        ],
        { requiresGrad: true },
      ),
      Dg = wg.tensor([0.5, 0.2, 1], { requiresGrad: true });
    const lowRank = (l: wg.Tensor, w: wg.Tensor, dg: wg.Tensor) => {
      wg.manualSeed(21);
      return new D.LowRankMultivariateNormal(l, w, dg).rsample([2]);
    };
    expect(wg.gradcheck(lowRank, [loc, W, Dg], opts).ok).toBe(true);
    // Wishart in its scale factor at a fixed df (the χ² draws then do not move); validateArgs off,
    // as the finite differences also perturb the zeros above the diagonal of L (used as a full matrix)
    const L = wg.tensor(
      [
        [1.2, 0, 0],
        [0.3, 0.8, 0],
        [-0.5, 0.1, 1.5],
      ],
      { requiresGrad: true },
    );
    const wishart = (l: wg.Tensor) => {
      wg.manualSeed(22);
      return new D.Wishart(4, { scaleTril: l, validateArgs: false }).rsample([2]);
    };
    expect(wg.gradcheck(wishart, [L], opts).ok).toBe(true);
  });
});

describe('construction, expand, toString, errors', () => {
  test('LowRankMultivariateNormal: broadcast batch, expand, derived matrices, toString', () => {
    const d = new D.LowRankMultivariateNormal(wg.zeros([2, 1, 3]), wg.ones([5, 3, 2]), wg.ones([3]));
    expect([d.batchShape, d.eventShape]).toEqual([[2, 5], [3]]);
    expect(d.covFactor.shape).toEqual([2, 5, 3, 2]);
    expect(d.covDiag.shape).toEqual([2, 5, 3]);
    expect(d.hasRsample).toBe(true);
    expect(String(d)).toBe('LowRankMultivariateNormal(loc: torch.Size([2, 5, 3]), covFactor: torch.Size([2, 5, 3, 2]), covDiag: torch.Size([2, 5, 3]))');
    const e = d.expand([4, 2, 5]);
    expect(e.batchShape).toEqual([4, 2, 5]);
    expect(e.covarianceMatrix.shape).toEqual([4, 2, 5, 3, 3]);
    expect(e.precisionMatrix.shape).toEqual([4, 2, 5, 3, 3]);
    expect(e.scaleTril.shape).toEqual([4, 2, 5, 3, 3]);
    expect(e.logProb(wg.zeros([3])).shape).toEqual([4, 2, 5]);
    expect(e.entropy().shape).toEqual([4, 2, 5]);
    expect(e.mode.shape).toEqual([4, 2, 5, 3]);
    expectClose(arr(e.scaleTril.matmul(e.scaleTril.mT)), arr(e.covarianceMatrix), 1e-5);
    expectClose(arr(e.precisionMatrix.matmul(e.covarianceMatrix)), arr(wg.eye(3).expand([4, 2, 5, 3, 3])), 1e-5);
  });

  test('Wishart: forms of the matrix, number df expanded to the batch, expand, toString, rsample option', () => {
    const S = wg.tensor([
      [2, 0.5],
      [0.5, 1],
    ]);
    const a = new D.Wishart(3, S),
      b = new D.Wishart(3, { precisionMatrix: wg.linalg.inv(S) }),
      c = new D.Wishart(3, null, null, wg.linalg.cholesky(S));
    for (const d of [b, c]) expectClose(arr(d.logProb(S)), arr(a.logProb(S)), 1e-5);
    expect(String(a)).toBe('Wishart(covarianceMatrix: torch.Size([2, 2]), df: 3.0)');
    const batched = new D.Wishart(2.5, S.expand([3, 2, 2]));
    expect(batched.df.shape).toEqual([3]);
    expect(batched.mean.shape).toEqual([3, 2, 2]);
    const e = a.expand([4]);
    expect([e.batchShape, e.eventShape]).toEqual([[4], [2, 2]]);
    expect(e.df.shape).toEqual([4]);
    expect(e.sample([2]).shape).toEqual([2, 4, 2, 2]);
    expect(e.entropy().shape).toEqual([4]);
    expect(() => a.rsample([], -1)).toThrow('distributions.Wishart.rsample: maxTryCorrection must be an integer ≥ 0, got -1');
  });

  test('Wishart: ExponentialFamily entropy from naturalParams/logNormalizer equals the closed form; precisionMatrix form expands', () => {
    wg.setBackend('reference');
    const P = wg.tensor([
      [1.5, -0.4, 0.1],
      [-0.4, 1, 0.3],
      [0.1, 0.3, 2],
    ]);
    const d = new D.Wishart(wg.tensor([4.5, 6]), { precisionMatrix: P });
    const bregman = D.ExponentialFamily.prototype.entropy.call(d);
    expectClose(arr(bregman), arr(d.entropy()), 1e-6);
    const e = d.expand([3, 2]);
    expect(e.precisionMatrix.shape).toEqual([3, 2, 3, 3]);
    expect(Object.prototype.hasOwnProperty.call(e, 'covarianceMatrix')).toBe(false);
    expectClose(arr(e.covarianceMatrix.matmul(e.precisionMatrix)), arr(wg.eye(3).expand([3, 2, 3, 3])), 1e-6);
    expectClose(arr(e.logProb(P)), [...arr(d.logProb(P)), ...arr(d.logProb(P)), ...arr(d.logProb(P))], 1e-6);
  });

  test('validateArgs: false skips the parameter and support checks, as torch', () => {
    const off = { validateArgs: false };
    expect(() => new D.LowRankMultivariateNormal(wg.zeros([2]), wg.ones([2, 1]), wg.tensor([1, -1]), off)).not.toThrow();
    expect(() => new D.LKJCholesky(2, 0, off)).not.toThrow();
    expect(() =>
      new D.Wishart(3, { covarianceMatrix: wg.eye(2), ...off }).logProb(
        wg.tensor([
          [1, 2],
          [2, 1],
        ]),
      ),
    ).not.toThrow();
    // df ≤ p − 1 is refused whatever validateArgs says (torch's check runs in __init__)
    expect(() => new D.Wishart(0.5, { covarianceMatrix: wg.eye(2), ...off })).toThrow('expected to be greater than ndim - 1 = 1.');
  });

  test('LKJCholesky: batch, expand, toString; sample has no gradient and there is no rsample', () => {
    const conc = wg.tensor([0.5, 2], { requiresGrad: true });
    const d = new D.LKJCholesky(4, conc);
    expect([d.batchShape, d.eventShape, d.dim]).toEqual([[2], [4, 4], 4]);
    expect(String(d)).toBe('LKJCholesky(concentration: torch.Size([2]))');
    expect(d.sample([3]).requiresGrad).toBe(false);
    expect(d.hasRsample).toBe(false);
    expect(() => d.rsample()).toThrow(D.NotImplementedError);
    const e = d.expand([5, 2]);
    expect(e.sample().shape).toEqual([5, 2, 4, 4]);
    expect(e.logProb(wg.eye(4)).shape).toEqual([5, 2]);
    expect(String(new D.LKJCholesky(2))).toBe('LKJCholesky(concentration: 1.0)');
  });

  test('bad arguments: typed errors naming the class, with the expected and the given', () => {
    const z3 = wg.zeros([3]);
    const I2 = wg.eye(2);
    const cases: [() => unknown, typeof wg.WasmgradError, string | RegExp][] = [
      [() => new D.LowRankMultivariateNormal(wg.tensor(0), wg.ones([1, 1]), wg.ones([1])), wg.ValueError, 'loc must be at least one-dimensional.'],
      [
        () => new D.LowRankMultivariateNormal(z3, wg.ones([3]), wg.ones([3])),
        wg.ValueError,
        'cov_factor must be at least two-dimensional, with optional leading batch dimensions, got [3]',
      ],
      [
        () => new D.LowRankMultivariateNormal(z3, wg.ones([2, 1]), wg.ones([3])),
        wg.ValueError,
        'cov_factor must be a batch of matrices with shape 3 x m, got [2, 1]',
      ],
      [
        () => new D.LowRankMultivariateNormal(z3, wg.ones([3, 1]), wg.ones([2])),
        wg.ValueError,
        'cov_diag must be a batch of vectors with shape torch.Size([3]), got [2]',
      ],
      [
        () => new D.LowRankMultivariateNormal(wg.zeros([2, 3]), wg.ones([4, 3, 1]), wg.ones([3])),
        wg.ValueError,
        'distributions.LowRankMultivariateNormal: Incompatible batch shapes: loc torch.Size([2, 3]), cov_factor torch.Size([4, 3, 1]), cov_diag torch.Size([3])',
      ],
      [() => new D.LowRankMultivariateNormal(z3, [[1], [1], [1]] as never, wg.ones([3])), wg.ValueError, 'covFactor must be a Tensor, got'],
      [
        () => new D.LowRankMultivariateNormal(z3, wg.ones([3, 1]), wg.tensor([1, 0, 1])),
        wg.ValueError,
        /Expected parameter covDiag .* to satisfy the constraint IndependentConstraint\(GreaterThan\(lower_bound=0\.0\), 1\)/,
      ],
      [
        () => new D.LowRankMultivariateNormal(z3, wg.ones([3, 1]), wg.ones([3])).logProb(wg.zeros([2])),
        wg.ValueError,
        'The right-most size of value must match event_shape: torch.Size([2]) vs torch.Size([3]).',
      ],
      [() => new D.Wishart(3), wg.ValueError, 'distributions.Wishart: Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.'],
      [() => new D.Wishart(3, I2, I2), wg.ValueError, 'Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.'],
      [() => new D.Wishart(1, I2), wg.ValueError, 'distributions.Wishart: Value of df=1 expected to be greater than ndim - 1 = 1.'],
      [() => new D.Wishart(wg.tensor([3, 0.5]), I2), wg.ValueError, 'expected to be greater than ndim - 1 = 1.'],
      [
        () => new D.Wishart(3, wg.ones([2])),
        wg.ValueError,
        'covarianceMatrix must be at least two-dimensional, with optional leading batch dimensions, got shape [2]',
      ],
      [() => new D.Wishart(3, wg.ones([2, 3])), wg.ValueError, 'covarianceMatrix must be a batch of square matrices, got shape [2, 3]'],
      [() => new D.Wishart(wg.full([3], 4), I2.expand([2, 2, 2])), wg.ShapeError, 'distributions.Wishart: shapes [2] and [3] cannot be broadcast together'],
      [() => new D.Wishart('3' as never, I2), wg.ValueError, 'df must be a number or a Tensor, got'],
      [() => new D.Wishart(3, { covariance: I2 } as never), wg.ValueError, "unknown option 'covariance'"],
      [
        () =>
          new D.Wishart(
            3,
            wg.tensor([
              [1, 2],
              [2, 1],
            ]),
          ),
        wg.ValueError,
        /Expected parameter covarianceMatrix .* to satisfy the constraint PositiveDefinite\(\)/,
      ],
      [
        () =>
          new D.Wishart(3, I2).logProb(
            wg.tensor([
              [1, 2],
              [2, 1],
            ]),
          ),
        wg.ValueError,
        /Expected value argument .* to be within the support \(PositiveDefinite\(\)\)/,
      ],
      [() => new D.LKJCholesky(1), wg.ValueError, 'distributions.LKJCholesky: Expected dim to be an integer greater than or equal to 2. Found dim=1.'],
      [() => new D.LKJCholesky(2.5), wg.ValueError, 'Found dim=2.5.'],
      [() => new D.LKJCholesky(3, 0), wg.ValueError, /Expected parameter concentration .* to satisfy the constraint GreaterThan\(lower_bound=0\.0\)/],
      [() => new D.LKJCholesky(2).logProb(I2.mul(2)), wg.ValueError, /to be within the support \(CorrCholesky\(\)\)/],
    ];
    for (const [f, cls, message] of cases) {
      expect(f).toThrow(message);
      expect(f).toThrow(cls);
    }
  });

  test('Wishart warns for ν < p, where singular draws are likely (as torch)', () => {
    const [, warned] = withWarnings(() => new D.Wishart(1.5, wg.eye(2)));
    expect(warned).toEqual(['wasmgrad.distributions.Wishart: Low df values detected. Singular samples are highly likely to occur for ndim - 1 < df < ndim.']);
  });
});
