/**
 * wg.distributions' foundation: constraints, the Distribution base (shapes, validation, messages,
 * toString), klDivergence's dispatch, the utils, and Normal against torch 1.13 literals (values and
 * gradients of Σ w·y, w = 1, 2, …), on both backends.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

const D = wg.distributions;
const C = D.constraints;

beforeAll(async () => {
  await initWasm();
});
afterEach(() => {
  wg.setBackend('wasm');
  D.Distribution.setDefaultValidateArgs(true);
});

const BACKENDS = ['wasm', 'reference'] as const;
const arr = (t: wg.Tensor) => Array.from(t.data());
/** Σ w·y with w = 1, 2, … backpropagated (as the torch scripts). */
const weighted = (y: wg.Tensor) =>
  y
    .mul(wg.arange(1, y.size + 1).reshape(y.shape))
    .sum()
    .backward();

describe('constraints (torch 1.13 check() on [-1, 0, 0.5, 1, 2, NaN, ∞], repr, isDiscrete)', () => {
  const v = () => wg.tensor([-1, 0, 0.5, 1, 2, NaN, Infinity]);
  const cases: [string, () => wg.distributions.Constraint, number[], string, boolean][] = [
    ['real', () => C.real, [1, 1, 1, 1, 1, 0, 1], 'Real()', false],
    ['positive', () => C.positive, [0, 0, 1, 1, 1, 0, 1], 'GreaterThan(lower_bound=0.0)', false],
    ['nonnegative', () => C.nonnegative, [0, 1, 1, 1, 1, 0, 1], 'GreaterThanEq(lower_bound=0.0)', false],
    ['unitInterval', () => C.unitInterval, [0, 1, 1, 1, 0, 0, 0], 'Interval(lower_bound=0.0, upper_bound=1.0)', false],
    ['boolean', () => C.boolean, [0, 1, 0, 1, 0, 0, 0], 'Boolean()', true],
    ['nonnegativeInteger', () => C.nonnegativeInteger, [0, 1, 0, 1, 1, 0, 0], 'IntegerGreaterThan(lower_bound=0)', true],
    ['positiveInteger', () => C.positiveInteger, [0, 0, 0, 1, 1, 0, 0], 'IntegerGreaterThan(lower_bound=1)', true],
    ['greaterThan(0.5)', () => C.greaterThan(0.5), [0, 0, 0, 1, 1, 0, 1], 'GreaterThan(lower_bound=0.5)', false],
    ['greaterThanEq(0.5)', () => C.greaterThanEq(0.5), [0, 0, 1, 1, 1, 0, 1], 'GreaterThanEq(lower_bound=0.5)', false],
    ['lessThan(1)', () => C.lessThan(1), [1, 1, 1, 0, 0, 0, 0], 'LessThan(upper_bound=1)', false],
    ['integerInterval(0, 2)', () => C.integerInterval(0, 2), [0, 1, 0, 1, 1, 0, 0], 'IntegerInterval(lower_bound=0, upper_bound=2)', true],
    ['halfOpenInterval(0, 1)', () => C.halfOpenInterval(0, 1), [0, 1, 1, 0, 0, 0, 0], 'HalfOpenInterval(lower_bound=0, upper_bound=1)', false],
  ];
  for (const backend of BACKENDS)
    test.each(cases)(`${backend}: %s`, (_, c, want, repr, discrete) => {
      wg.setBackend(backend);
      expect(arr(c().check(v()))).toEqual(want);
      expect(String(c())).toBe(repr);
      expect(c().isDiscrete).toBe(discrete);
      expect(c().eventDim).toBe(0);
    });

  test('event constraints: simplex, oneHot, multinomial, independent, realVector', () => {
    const p = wg.tensor([
      [0.2, 0.3, 0.5],
      [0.5, 0.6, -0.1],
      [0.5, 0.5, 1e-7],
    ]);
    expect(arr(C.simplex.check(p))).toEqual([1, 0, 1]);
    expect(C.simplex.eventDim).toBe(1);
    const oh = wg.tensor([
      [0, 1, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
    expect(arr(C.oneHot.check(oh))).toEqual([1, 0, 0]);
    expect(arr(C.multinomial(2).check(oh))).toEqual([1, 1, 1]);
    expect(arr(C.multinomial(1).check(oh))).toEqual([1, 0, 1]);
    const c = C.independent(C.positive, 2);
    expect(c.eventDim).toBe(2);
    expect(String(c)).toBe('IndependentConstraint(GreaterThan(lower_bound=0.0), 2)');
    expect(
      arr(
        c.check(
          wg.tensor([
            [
              [1, 2],
              [3, 4],
            ],
            [
              [1, 0],
              [3, 4],
            ],
          ]),
        ),
      ),
    ).toEqual([1, 0]);
    expect(() => c.check(wg.tensor([1, 2]))).toThrow(/Expected value.dim\(\) >= 2 but got 1/);
    expect(String(C.realVector)).toBe('IndependentConstraint(Real(), 1)');
    expect(
      arr(
        C.realVector.check(
          wg.tensor([
            [1, NaN],
            [1, 2],
          ]),
        ),
      ),
    ).toEqual([0, 1]);
  });

  test('matrix constraints: lowerTriangular, lowerCholesky, corrCholesky, square, symmetric, positive(semi)definite', () => {
    const L = wg.tensor([
      [
        [1, 0],
        [2, 3],
      ],
      [
        [1, 1],
        [2, 3],
      ],
      [
        [-1, 0],
        [2, 3],
      ],
    ]);
    expect(arr(C.lowerTriangular.check(L))).toEqual([1, 0, 1]);
    expect(arr(C.lowerCholesky.check(L))).toEqual([1, 0, 0]);
    const corr = wg.tensor([
      [
        [1, 0],
        [0.6, 0.8],
      ],
      [
        [1, 0],
        [0.6, 0.9],
      ],
    ]);
    expect(arr(C.corrCholesky.check(corr))).toEqual([1, 0]);
    expect(arr(C.square.check(wg.zeros([4, 2, 2])))).toEqual([1, 1, 1, 1]);
    expect(arr(C.square.check(wg.zeros([2, 2, 3])))).toEqual([0, 0]);
    const S = wg.tensor([
      [
        [2, 1],
        [1, 2],
      ],
      [
        [1, 2],
        [2, 1],
      ],
      [
        [1, 2],
        [0, 1],
      ],
    ]);
    expect(arr(C.symmetric.check(S))).toEqual([1, 1, 0]);
    const S2 = S.slice(0, 0, 2);
    expect(arr(C.positiveDefinite.check(S2))).toEqual([1, 0]);
    expect(arr(C.positiveSemidefinite.check(S2))).toEqual([1, 0]);
    expect(
      arr(
        C.positiveSemidefinite.check(
          wg.tensor([
            [
              [1, 1],
              [1, 1],
            ],
          ]),
        ),
      ),
    ).toEqual([1]);
    expect(
      arr(
        C.positiveDefinite.check(
          wg.tensor([
            [
              [1, 1],
              [1, 1],
            ],
          ]),
        ),
      ),
    ).toEqual([0]);
    expect(String(C.positiveDefinite)).toBe('PositiveDefinite()');
    expect(C.lowerCholesky.eventDim).toBe(2);
  });

  test('cat and stack apply one constraint per slice; dependent cannot be checked', () => {
    const c = C.cat([C.real, C.positive], 1, [1, 2]);
    expect(
      arr(
        c.check(
          wg.tensor([
            [-1, 1, 2],
            [-1, 0, 2],
          ]),
        ),
      ),
    ).toEqual([1, 1, 1, 1, 0, 1]);
    expect(String(c)).toBe('Cat()');
    const s = C.stack([C.real, C.positive], 1);
    expect(
      arr(
        s.check(
          wg.tensor([
            [-1, 1],
            [-1, 0],
          ]),
        ),
      ),
    ).toEqual([1, 1, 1, 0]);
    expect(() => C.stack([C.real], 2).check(wg.zeros([2]))).toThrow(wg.ValueError);
    expect(C.cat([C.real, C.nonnegativeInteger]).isDiscrete).toBe(true);
    expect(() => C.dependent.check()).toThrow(/Cannot determine validity of dependent constraint/);
    expect(C.isDependent(C.dependent)).toBe(true);
    expect(C.isDependent(C.real)).toBe(false);
    const dp = C.dependentProperty((d: { lo: number }) => C.greaterThan(d.lo), { isDiscrete: false, eventDim: 0 });
    expect(C.isDependent(dp)).toBe(true);
    expect(String(dp.get({ lo: 3 }))).toBe('GreaterThan(lower_bound=3)');
    expect(dp.eventDim).toBe(0);
    expect(() => C.dependent.eventDim).toThrow(wg.ValueError);
    expect(String(C.greaterThanEq(wg.tensor(1)))).toBe('GreaterThanEq(lower_bound=1.0)');
    expect(String(C.lessThan(wg.tensor([1, 2])))).toBe('LessThan(upper_bound=tensor([1., 2.]))');
    expect(() => new C.Constraint().check(wg.zeros([1]))).toThrow(D.NotImplementedError);
  });
});

describe('Distribution base', () => {
  test('shapes, extendedShape, defaults and NotImplementedError for what a subclass must give', () => {
    const d = new D.Distribution([2, 3], [4]);
    expect(d.batchShape).toEqual([2, 3]);
    expect(d.eventShape).toEqual([4]);
    expect(d.extendedShape([5])).toEqual([5, 2, 3, 4]);
    expect(d.extendedShape()).toEqual([2, 3, 4]);
    expect(d.hasRsample).toBe(false);
    expect(d.hasEnumerateSupport).toBe(false);
    expect(d.validateArgs).toBe(true);
    for (const f of [
      () => d.mean,
      () => d.variance,
      () => d.stddev,
      () => d.support,
      () => d.rsample(),
      () => d.sample([2]),
      () => d.entropy(),
      () => d.perplexity(),
    ])
      expect(f).toThrow(D.NotImplementedError);
    expect(() => d.mode).toThrow('Distribution does not implement mode');
    expect(() => d.logProb(wg.zeros([4]))).toThrow(D.NotImplementedError);
    expect(() => d.cdf(wg.zeros([4]))).toThrow(D.NotImplementedError);
    expect(() => d.icdf(wg.zeros([4]))).toThrow(D.NotImplementedError);
    expect(() => d.enumerateSupport()).toThrow(D.NotImplementedError);
    expect(() => d.expand([2])).toThrow(D.NotImplementedError);
    expect(String(d)).toBe('Distribution()');
    expect(() => new D.Distribution([2, -1])).toThrow(wg.ValueError);
    expect(() => new D.Distribution([], [], 'yes' as unknown as boolean)).toThrow(wg.ValueError);
    expect(() => d.extendedShape([1.5])).toThrow(wg.ValueError);
    expect(() => D.Distribution.setDefaultValidateArgs(1 as unknown as boolean)).toThrow(wg.ValueError);
  });

  test('validateSample: event shape, broadcasting with the batch, the support (torch messages); skipped without validateArgs', () => {
    const n = new D.Normal(wg.zeros([3]), 1);
    expect(() => n.logProb(wg.zeros([2]))).toThrow('Value is not broadcastable with batch_shape+event_shape: torch.Size([2]) vs torch.Size([3]).');
    expect(() => n.logProb(wg.tensor([[NaN, NaN]]).reshape(2, 1))).toThrow(
      'Expected value argument (Tensor of shape (2, 1)) to be within the support (Real()) of the distribution Normal(loc: torch.Size([3]), scale: torch.Size([3])), but found invalid values:\ntensor([[nan],\n        [nan]])',
    );
    expect(() => n.logProb('a' as unknown as number)).toThrow('The value argument to logProb must be a Tensor');
    expect(n.logProb(wg.zeros([4, 1])).shape).toEqual([4, 3]);
    expect(n.logProb(0).shape).toEqual([3]);
    const free = new D.Normal(wg.zeros([3]), 1, { validateArgs: false });
    expect(free.logProb(wg.tensor([NaN])).shape).toEqual([3]);
    // an event shape: rightmost dims must match
    class Vec extends D.Distribution {
      override get support() {
        return C.realVector;
      }
    }
    const v = new Vec([2], [3]);
    expect(() => v.validateSample(wg.zeros([2, 4]))).toThrow('The right-most size of value must match event_shape: torch.Size([2, 4]) vs torch.Size([3]).');
    expect(v.validateSample(wg.zeros([5, 1, 3])).shape).toEqual([5, 1, 3]);
  });

  test('argument validation: torch message, setDefaultValidateArgs, per-instance validateArgs', () => {
    const bad = () => new D.Normal(wg.zeros([3]), wg.tensor([1, -1, 2]));
    expect(bad).toThrow(wg.ValueError);
    expect(bad).toThrow(
      'wasmgrad.distributions.Normal: Expected parameter scale (Tensor of shape (3,)) of distribution Normal(loc: torch.Size([3]), scale: torch.Size([3])) to satisfy the constraint GreaterThan(lower_bound=0.0), but found invalid values:\ntensor([ 1., -1.,  2.])',
    );
    expect(() => new D.Normal(NaN, 1)).toThrow(
      'Expected parameter loc (Tensor of shape ()) of distribution Normal(loc: nan, scale: 1.0) to satisfy the constraint Real()',
    );
    expect(() => new D.Normal(0, wg.zeros([3]), { validateArgs: false })).not.toThrow();
    D.Distribution.setDefaultValidateArgs(false);
    expect(new D.Normal(0, -1).validateArgs).toBe(false);
    expect(new D.Normal(0, 1, { validateArgs: true }).validateArgs).toBe(true);
    D.Distribution.setDefaultValidateArgs(true);
    expect(() => new D.Normal(0, -1)).toThrow(wg.ValueError);
    expect(() => new D.Normal('0' as unknown as number, 1)).toThrow(/Input arguments must all be instances of Number or Tensor/);
    expect(() => new D.Normal(wg.zeros([2]), wg.ones([3]))).toThrow(wg.ShapeError);
  });

  test('toString as torch repr: 0-d parameters as numbers, one-element ones as tensors, others by size', () => {
    expect(String(new D.Normal(0, 1))).toBe('Normal(loc: 0.0, scale: 1.0)');
    expect(String(new D.Normal(wg.tensor([0.1]), 2))).toBe('Normal(loc: tensor([0.1000]), scale: tensor([2.]))');
    expect(String(new D.Normal(wg.tensor(0.1), 1e-5))).toBe('Normal(loc: 0.10000000149011612, scale: 9.999999747378752e-06)');
    expect(String(new D.Normal(wg.zeros([2, 1]), wg.ones([3])))).toBe('Normal(loc: torch.Size([2, 3]), scale: torch.Size([2, 3]))');
  });

  test('lazyProperty: computed once on first use, set when given, skipped by validation until computed', () => {
    let calls = 0;
    class Lazy extends D.Distribution {
      declare readonly probs: wg.Tensor;
      declare readonly logits: wg.Tensor;
      constructor(params: { probs?: wg.Tensor; logits?: wg.Tensor }) {
        super([], [], true, params);
      }
      override get typeName() {
        return 'Lazy';
      }
      override get argConstraints() {
        return { probs: C.unitInterval, logits: C.real };
      }
    }
    D.lazyProperty(Lazy.prototype, 'probs', (d) => {
      calls++;
      return D.logitsToProbs(d.logits, true);
    });
    D.lazyProperty(Lazy.prototype, 'logits', (d) => D.probsToLogits(d.probs, true));
    const l = new Lazy({ logits: wg.tensor(0) });
    expect(calls).toBe(0);
    expect(String(l)).toBe('Lazy(logits: 0.0)');
    expect(l.probs.item()).toBe(0.5);
    expect(l.probs.item()).toBe(0.5);
    expect(calls).toBe(1);
    expect(String(l)).toBe('Lazy(probs: 0.5, logits: 0.0)');
    expect(() => new Lazy({ probs: wg.tensor(1.5) })).toThrow('Expected parameter probs');
  });
});

describe('utils (torch 1.13 values)', () => {
  test('probsToLogits, logitsToProbs, clampProbs, broadcastAll', () => {
    // torch.distributions.utils.probs_to_logits(tensor([0, 0.25, 1]), is_binary=True) and is_binary=False
    expectClose(arr(D.probsToLogits(wg.tensor([0, 0.25, 1]), true)), [-15.9423847, -1.09861231, 15.9423847], 1e-6);
    expectClose(arr(D.probsToLogits(wg.tensor([0, 0.25, 1]))), [-15.9423847, -1.38629436, -1.19209304e-7], 1e-6);
    expectClose(arr(D.logitsToProbs(wg.tensor([[0, 1, 2]]))), [0.0900305733, 0.244728476, 0.665240943], 1e-6);
    expectClose(arr(D.logitsToProbs(wg.tensor([0, 1, 2]), true)), [0.5, 0.731058598, 0.880797088], 1e-6);
    expect(arr(D.clampProbs(wg.tensor([0, 0.5, 1])))).toEqual([2 ** -23, 0.5, 1 - 2 ** -23]);
    const [a, b, c] = D.broadcastAll('f', wg.zeros([2, 1]), 3, wg.ones([5]));
    expect([a.shape, b.shape, c.shape]).toEqual([
      [2, 5],
      [2, 5],
      [2, 5],
    ]);
    expect(b.item === undefined).toBe(false);
  });
});

describe('klDivergence dispatch', () => {
  class A extends D.Distribution {}
  class B extends A {}
  class Cc extends B {}
  test('the most specific registered pair wins; the memo is cleared by a registration; none is NotImplementedError', () => {
    D.registerKl(A, A, () => wg.tensor(1));
    expect(D.klDivergence(new Cc(), new B()).item()).toBe(1);
    D.registerKl(B, A)(() => wg.tensor(2));
    expect(D.klDivergence(new Cc(), new B()).item()).toBe(2);
    expect(D.klDivergence(new A(), new Cc()).item()).toBe(1);
    D.registerKl(Cc, Cc, () => wg.tensor(3));
    expect(D.klDivergence(new Cc(), new Cc()).item()).toBe(3);
    expect(D.klDivergence(new Cc(), new B()).item()).toBe(2);
    expect(() => D.klDivergence(new D.Normal(0, 1), new A())).toThrow('No KL(p || q) is implemented for p type Normal and q type Distribution');
    expect(() => D.klDivergence(new D.Normal(0, 1), 3 as unknown as A)).toThrow(wg.ValueError);
    expect(() => D.registerKl(Object as unknown as typeof A, A, () => wg.tensor(0))).toThrow('Expected typeP to be a Distribution subclass');
  });
});

/* torch 1.13: loc (2,1) [[0.5], [-1]], scale (3,) [0.3, 1, 2.5], both requiring grad; y of batch (2, 3); grads of Σ w·y, w = 1..6. */
const NORMAL = {
  logProb: {
    x: [0.2, -0.7, 3.0],
    y: [-0.214965701, -1.63893855, -2.3352294, -7.71496582, -0.963938534, -3.11522913],
    gl: [-4.53333378, 58.6733322],
    gs: [200.0, -3.67000008, 3.74399948],
  },
  cdf: {
    x: [0.2, -0.7, 3.0],
    y: [0.158655256, 0.115069658, 0.841344714, 0.99996829, 0.617911458, 0.945200682],
    gl: [-1.48530614, -2.17493367],
    gs: [0.799431622, -0.106035262, -0.716300964],
  },
  icdf: {
    x: [0.05, 0.5, 0.99],
    y: [0.00654393435, 0.5, 6.31587029, -1.49345613, -1.0, 4.81587029],
    gl: [6.0, 15.0],
    gs: [-8.22426701, 0.0, 20.9371338],
  },
};

describe('Normal vs torch 1.13', () => {
  const params = () => [wg.tensor([[0.5], [-1]], { requiresGrad: true }), wg.tensor([0.3, 1, 2.5], { requiresGrad: true })] as const;
  for (const backend of BACKENDS) {
    test.each(Object.keys(NORMAL) as (keyof typeof NORMAL)[])(`${backend}: %s values and gradients`, (k) => {
      wg.setBackend(backend);
      const [loc, scale] = params();
      const n = new D.Normal(loc, scale);
      const c = NORMAL[k];
      const y = n[k](wg.tensor(c.x));
      expect(y.shape).toEqual([2, 3]);
      expectClose(arr(y), c.y, 2e-6);
      weighted(y);
      expectClose(arr(loc.grad!), c.gl, 2e-5);
      expectClose(arr(scale.grad!), c.gs, 2e-5);
    });

    test(`${backend}: entropy, KL Normal‖Normal (and the Bregman forms agree), statistics, expand`, () => {
      wg.setBackend(backend);
      const [loc, scale] = params();
      const n = new D.Normal(loc, scale);
      const h = n.entropy();
      expectClose(arr(h), [0.214965701, 1.41893852, 2.3352294, 0.214965701, 1.41893852, 2.3352294], 2e-6);
      weighted(h);
      expectClose(arr(scale.grad!), [16.666666, 7.0, 3.6], 2e-5);
      expect(loc.grad).toBeNull();
      expectClose(arr(n.perplexity()), arr(n.entropy().exp()), 1e-6);

      const [l2, s2] = params();
      const p = new D.Normal(l2, s2);
      const q = new D.Normal(wg.tensor([0.1, 0.2, -0.3]), wg.tensor([1.5, 0.4, 0.9]));
      const kl = D.klDivergence(p, q);
      expectClose(arr(kl), [1.16499341, 1.98995924, 2.73143578, 1.39832675, 6.20870924, 2.63884306], 2e-6);
      weighted(kl);
      expectClose(arr(l2.grad!), [6.89074135, -44.6407394], 2e-5);
      expectClose(arr(s2.grad!), [-15.999999, 36.75, 24.1777802], 2e-5);
      // torch's _kl_expfamily_expfamily (the Bregman divergence of the log normalizer), through a
      // family that gives only θ and F: the same numbers as the closed form
      class Bregman extends D.ExponentialFamily {
        constructor(readonly n: wg.distributions.Normal) {
          super(n.batchShape);
        }
        override get naturalParams() {
          return this.n.naturalParams;
        }
        override logNormalizer(x: wg.Tensor, y: wg.Tensor) {
          return this.n.logNormalizer(x, y);
        }
        override get meanCarrierMeasure() {
          return 0;
        }
      }
      expectClose(arr(D.klDivergence(new Bregman(new D.Normal(l2.detach(), s2.detach())), new Bregman(q))), arr(kl), 1e-5);
      expectClose(arr(new Bregman(n).entropy()), arr(n.entropy()), 1e-5);
      expect(() => D.klDivergence(new Bregman(q), q)).toThrow('The cross KL-divergence between different exponential families');
      expect(arr(n.mean)).toEqual(arr(n.mode));
      expectClose(arr(n.variance), [0.09, 1, 6.25, 0.09, 1, 6.25], 1e-6);
      expectClose(arr(n.stddev), [0.3, 1, 2.5, 0.3, 1, 2.5], 1e-6);
      expect(n.batchShape).toEqual([2, 3]);
      expect(n.eventShape).toEqual([]);
      expect(n.hasRsample).toBe(true);
      const e = n.expand([4, 2, 3]);
      expect(e).toBeInstanceOf(D.Normal);
      expect(e.batchShape).toEqual([4, 2, 3]);
      expect(e.loc.shape).toEqual([4, 2, 3]);
      expect(e.validateArgs).toBe(true);
      expect(String(e)).toBe('Normal(loc: torch.Size([4, 2, 3]), scale: torch.Size([4, 2, 3]))');
      expect(() => n.expand([5, 3])).toThrow(wg.ShapeError);
    });

    test(`${backend}: rsample is loc + scale·ε (gradients 1 and ε), sample has no gradient; statistics of 20,000 draws`, () => {
      wg.setBackend(backend);
      wg.manualSeed(3);
      const [loc, scale] = params();
      const n = new D.Normal(loc, scale);
      const r = n.rsample([5]);
      expect(r.shape).toEqual([5, 2, 3]);
      r.sum().backward();
      expect(arr(loc.grad!)).toEqual([15, 15]);
      // d/dscale Σ (loc + scale·ε) = Σ ε over the sample and the loc rows
      const eps = arr(r.detach().sub(loc.detach()).div(scale.detach()));
      const want = [0, 1, 2].map((j) => eps.filter((_, i) => i % 3 === j).reduce((a, b) => a + b, 0));
      expectClose(arr(scale.grad!), want, 1e-4);
      const s = n.sample([2]);
      expect(s.requiresGrad).toBe(false);
      expect(n.sampleN(7).shape).toEqual([7, 2, 3]);

      const N = 20000;
      const big = new D.Normal(wg.tensor([1, -2]), wg.tensor([0.5, 3])).sample([N]);
      const mean = arr(big.mean(0));
      const variance = arr(big.var(0));
      // 5 standard errors of the mean (σ/√N) and of the variance (σ²·√(2/N))
      [0.5, 3].forEach((sd, i) => {
        expect(Math.abs(mean[i] - [1, -2][i])).toBeLessThan((5 * sd) / Math.sqrt(N));
        expect(Math.abs(variance[i] - sd * sd)).toBeLessThan(5 * sd * sd * Math.sqrt(2 / N));
      });
    });
  }

  test('the same seed gives the same samples on both backends', () => {
    const draw = () => {
      wg.manualSeed(11);
      return arr(new D.Normal(wg.tensor([0, 1]), 2).sample([3]));
    };
    const a = draw();
    wg.setBackend('reference');
    expectClose(draw(), a, 1e-6);
  });
});
