/**
 * wg.distributions.transforms and the constraint registry against torch 1.13 (literals in
 * fixtures/distributions-transforms-torch.json, written by the .py beside it): y = t(x), t.inv(y),
 * logAbsDetJacobian, the gradients of Σ w·y and Σ w·ladj (w = 1, 2, …) wrt x and the parameters,
 * domain/codomain, shapes, sign, repr; bijectTo/transformTo for every registered constraint; the
 * cache and the error paths; on both backends.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import fixture from './fixtures/distributions-transforms-torch.json';

const D = wg.distributions;
const T = D.transforms;
const C = D.constraints;

beforeAll(async () => {
  await initWasm();
});
afterEach(() => {
  wg.setBackend('wasm');
});

const BACKENDS = ['wasm', 'reference'] as const;
const arr = (t: wg.Tensor) => Array.from(t.data());
const weights = (t: wg.Tensor) => wg.arange(1, t.size + 1).reshape(t.shape);
const wsum = (t: wg.Tensor) => t.mul(weights(t)).sum();

interface Case {
  x: number[];
  xshape: number[];
  params: number[][];
  pshapes: number[][];
  y: number[];
  yshape: number[];
  inv: number[];
  gy: (number[] | null)[];
  repr: string;
  bijective: boolean;
  domain: string;
  codomain: string;
  domainEventDim: number;
  codomainEventDim: number;
  fshape: number[];
  ishape: number[];
  ladj: number[] | null;
  ladjshape?: number[];
  gl?: (number[] | null)[] | null;
  sign: number | number[] | null;
}
const cases = fixture as unknown as Record<string, Case>;

/** The transforms of the fixture, built from their parameters (tensors) as the script builds them. */
const MAKE: Record<string, (...p: wg.Tensor[]) => wg.distributions.transforms.Transform> = {
  exp: () => new T.ExpTransform(),
  power: (e) => new T.PowerTransform(e),
  sigmoid: () => new T.SigmoidTransform(),
  softplus: () => new T.SoftplusTransform(),
  tanh: () => new T.TanhTransform(),
  abs: () => new T.AbsTransform(),
  affine: (l, s) => new T.AffineTransform(l, s),
  affineNumber: () => new T.AffineTransform(1.5, -2.0),
  affineEvent2: (s) => new T.AffineTransform(0.5, s, 2),
  softmax: () => new T.SoftmaxTransform(),
  stickBreaking: () => new T.StickBreakingTransform(),
  stickBreaking1: () => new T.StickBreakingTransform(),
  lowerCholesky: () => new T.LowerCholeskyTransform(),
  corrCholesky: () => new T.CorrCholeskyTransform(),
  corrCholesky5: () => new T.CorrCholeskyTransform(),
  independent: () => new T.IndependentTransform(new T.ExpTransform(), 2),
  reshape: () => new T.ReshapeTransform([2, 3], [6]),
  compose: () => new T.ComposeTransform([new T.AffineTransform(0.5, 2.0), new T.TanhTransform(), new T.AffineTransform(1.0, 3.0)]),
  composeStick: () => new T.ComposeTransform([new T.ExpTransform().inv, new T.StickBreakingTransform()]),
  composeEvent: () => new T.ComposeTransform([new T.ExpTransform(), new T.StickBreakingTransform(), new T.AffineTransform(0.0, 2.0)]),
  expInv: () => new T.ExpTransform().inv,
  cat: () => new T.CatTransform([new T.ExpTransform(), new T.AffineTransform(1.0, 2.0), new T.SigmoidTransform()], 1, [2, 1, 2]),
  catEvent: () =>
    new T.CatTransform([new T.IndependentTransform(new T.SigmoidTransform(), 1), new T.IndependentTransform(new T.ExpTransform(), 1)], -1, [3, 2]),
  stack: () => new T.StackTransform([new T.ExpTransform(), new T.TanhTransform(), new T.AffineTransform(-1.0, 0.5)], 1),
  cdf: () => new T.CumulativeDistributionTransform(new D.Normal(0.5, 2.0)),
  identity: () => T.identityTransform,
};

describe('transforms: values, inverses, log-det-Jacobians and their gradients vs torch', () => {
  for (const backend of BACKENDS)
    test.each(Object.keys(MAKE))(`${backend}: %s`, (name) => {
      wg.setBackend(backend);
      const c = cases[name];
      const params = () => c.params.map((p, i) => wg.tensor(p).reshape(c.pshapes[i]).requiresGrad_());
      const ps = params();
      const t = MAKE[name](...ps);
      const x = wg.tensor(c.x).reshape(c.xshape).requiresGrad_();
      const y = t.call(x);
      expect(y.shape).toEqual(c.yshape);
      expectClose(y.data(), c.y, 2e-6);
      expectClose(t.inv.call(y.detach()).data(), c.inv, 2e-5);
      wsum(y).backward();
      expectClose(x.grad!.data(), c.gy[0]!, 2e-5);
      ps.forEach((p, i) => (c.gy[i + 1] === null ? expect(p.grad).toBeNull() : expectClose(p.grad!.data(), c.gy[i + 1]!, 2e-5)));
      expect(String(t)).toBe(c.repr);
      expect(t.bijective).toBe(c.bijective);
      expect(String(t.domain)).toBe(c.domain);
      expect(String(t.codomain)).toBe(c.codomain);
      expect(t.domain.eventDim).toBe(c.domainEventDim);
      expect(t.codomain.eventDim).toBe(c.codomainEventDim);
      expect(t.forwardShape(c.xshape)).toEqual(c.fshape);
      expect(t.inverseShape(c.yshape)).toEqual(c.ishape);
      if (c.sign === null) expect(() => t.sign).toThrow(D.NotImplementedError);
      else if (typeof c.sign === 'number') expect(t.sign).toBe(c.sign);
      else expect(arr(t.sign as wg.Tensor)).toEqual(c.sign);
      if (c.ladj === null) {
        expect(() => t.logAbsDetJacobian(x, y)).toThrow(D.NotImplementedError);
        return;
      }
      const ps2 = params();
      const t2 = MAKE[name](...ps2);
      const x2 = wg.tensor(c.x).reshape(c.xshape).requiresGrad_();
      const ladj = t2.logAbsDetJacobian(x2, t2.call(x2));
      expect(ladj.shape).toEqual(c.ladjshape);
      expectClose(ladj.data(), c.ladj, 2e-5);
      if (!c.gl) return;
      wsum(ladj).backward();
      if (c.gl[0] === null) expect(x2.grad).toBeNull();
      else expectClose(x2.grad!.data(), c.gl[0], 5e-5);
      ps2.forEach((p, i) => (c.gl![i + 1] === null ? expect(p.grad).toBeNull() : expectClose(p.grad!.data(), c.gl![i + 1]!, 5e-5)));
    });

  test('gradcheck of the matrix transforms and their log-dets (reference backend, float64 kernels)', () => {
    wg.setBackend('reference');
    const x = wg.tensor([0.3, -0.7, 1.1, 0.2, -0.4, 0.9]).requiresGrad_();
    const cc = new T.CorrCholeskyTransform();
    expect(wg.gradcheck((v: wg.Tensor) => cc.call(v), [x], { eps: 1e-3, atol: 5e-3, rtol: 5e-3 }).ok).toBe(true);
    expect(wg.gradcheck((v: wg.Tensor) => cc.logAbsDetJacobian(v, cc.call(v)), [x], { eps: 1e-3, atol: 5e-3, rtol: 5e-3 }).ok).toBe(true);
    const sb = new T.StickBreakingTransform();
    expect(wg.gradcheck((v: wg.Tensor) => sb.inv.call(sb.call(v)), [x], { eps: 1e-3, atol: 5e-3, rtol: 5e-3 }).ok).toBe(true);
  });
});

describe('Transform semantics', () => {
  test('inv of inv is the transform; equality as torch __eq__', () => {
    const e = new T.ExpTransform();
    expect(e.inv.inv).toBe(e);
    expect(e.inv).toBe(e.inv);
    expect(e.equals(new T.ExpTransform())).toBe(true);
    expect(e.inv.equals(new T.ExpTransform().inv)).toBe(true);
    expect(e.equals(new T.SigmoidTransform())).toBe(false);
    expect(new T.AffineTransform(1, 2).equals(new T.AffineTransform(1, 2))).toBe(true);
    expect(new T.AffineTransform(1, 2).equals(new T.AffineTransform(1, 3))).toBe(false);
    expect(new T.AffineTransform(wg.tensor([1, 1]), 2).equals(new T.AffineTransform(1, 2))).toBe(true);
    expect(new T.PowerTransform(2).equals(new T.PowerTransform(wg.tensor(2)))).toBe(true);
    const c = new T.ComposeTransform([e, new T.SigmoidTransform()]);
    expect(c.equals(new T.ComposeTransform([new T.ExpTransform(), new T.SigmoidTransform()]))).toBe(true);
    expect(c.inv.inv).toBe(c);
    expect(String(c.inv)).toBe('ComposeTransform(\n    _InverseTransform(SigmoidTransform()),\n    _InverseTransform(ExpTransform())\n)');
    expect(new T.IndependentTransform(e, 1).equals(new T.IndependentTransform(e, 1))).toBe(false); // torch: identity only
  });

  test('cacheSize 1: the same x object gives the cached y, and inv(y) the cached x', () => {
    const t = new T.ExpTransform(1);
    const x = wg.tensor([0.5, 1]);
    const y = t.call(x);
    expect(t.call(x)).toBe(y);
    expect(t.inv.call(y)).toBe(x);
    expect(t.call(wg.tensor([0.5, 1]))).not.toBe(y);
    const nc = new T.ExpTransform();
    expect(nc.call(x)).not.toBe(nc.call(x));
    expect(nc.withCache(0)).toBe(nc);
    expect(nc.withCache(1).cacheSize).toBe(1);
    expect(nc.inv.withCache(1).cacheSize).toBe(1);
    const a = new T.AffineTransform(1, 2).withCache(1) as wg.distributions.transforms.AffineTransform;
    expect([a.loc, a.scale, a.cacheSize]).toEqual([1, 2, 1]);
    const comp = new T.ComposeTransform([new T.ExpTransform(), new T.TanhTransform()], 1);
    expect(comp.parts.every((p) => p.cacheSize === 1)).toBe(true);
    expect(() => new T.ExpTransform(2 as 1)).toThrow(/cache_size must be 0 or 1/);
  });

  test('eventDim, identity and sign of compositions', () => {
    expect(new T.ExpTransform().eventDim).toBe(0);
    expect(new T.AffineTransform(0, 1, 2).eventDim).toBe(2);
    expect(() => new T.ReshapeTransform([6], [2, 3]).eventDim).toThrow(/Please use either .domain.event_dim or .codomain.event_dim/);
    const x = wg.tensor([1, 2, 3]);
    expect(T.identityTransform.call(x)).toBe(x);
    expect(arr(T.identityTransform.logAbsDetJacobian(x, x))).toEqual([0, 0, 0]);
    expect(new T.ComposeTransform([new T.AffineTransform(0, -1), new T.ExpTransform(), new T.AffineTransform(0, -2)]).sign).toBe(1);
    expect(arr(new T.ComposeTransform([new T.AffineTransform(0, wg.tensor([-1, 2])), new T.ExpTransform()]).sign as wg.Tensor)).toEqual([-1, 1]);
    expect(D.transforms.identityTransform).toBe(D.identityTransform);
  });

  test('errors name the transform and the problem', () => {
    expect(() => new T.ReshapeTransform([2, 3], [5])).toThrow(/ReshapeTransform.*different numbers of elements/);
    expect(() => new T.ReshapeTransform([2, 3], [6]).forwardShape([3, 2])).toThrow(/Shape mismatch/);
    expect(() => new T.StickBreakingTransform().forwardShape([])).toThrow(/Too few dimensions on input/);
    expect(() => new T.CorrCholeskyTransform().forwardShape([4])).toThrow(/not a flattend lower-diagonal number/);
    expect(() => new T.CorrCholeskyTransform().inverseShape([3, 2])).toThrow(/not square/);
    expect(() => new T.IndependentTransform(new T.ExpTransform(), 2).call(wg.tensor([1]))).toThrow(/Too few dimensions/);
    expect(() => new T.CatTransform([new T.ExpTransform()], 0, [2]).call(wg.tensor([1, 2, 3]))).toThrow(/CatTransform.*expects 2 entries along dim 0/);
    expect(() => new T.StackTransform([new T.ExpTransform()], 1).call(wg.tensor([1, 2]))).toThrow(/StackTransform.*dim 1 is out of range/);
    expect(() => new T.ComposeTransform([1 as unknown as wg.distributions.transforms.Transform])).toThrow(/array of Transforms/);
    expect(() => new T.ExpTransform().call([1] as unknown as wg.Tensor)).toThrow(wg.ValueError);
    expect(() => new T.AbsTransform().logAbsDetJacobian(wg.tensor(1), wg.tensor(1))).toThrow(D.NotImplementedError);
    expect(() => D.vecToTrilMatrix(wg.tensor([1, 2, 3, 4]))).toThrow(/cannot be expressed as the lower triangular part/);
  });

  test('vecToTrilMatrix / trilMatrixToVec (torch.distributions.utils)', () => {
    const m = D.vecToTrilMatrix(wg.tensor([1, 2, 3, 4, 5, 6]));
    expect(m.tolist()).toEqual([
      [1, 0, 0],
      [2, 3, 0],
      [4, 5, 6],
    ]);
    expect(arr(D.trilMatrixToVec(m))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(D.vecToTrilMatrix(wg.tensor([[7, 8, 9]]), -1).tolist()).toEqual([
      [
        [0, 0, 0],
        [7, 0, 0],
        [8, 9, 0],
      ],
    ]);
    expect(arr(D.trilMatrixToVec(m, -1))).toEqual([2, 4, 5]);
  });
});

describe('constraintRegistry: bijectTo / transformTo vs torch', () => {
  interface Reg {
    repr: string;
    x: number[];
    xshape: number[];
    y: number[];
    yshape: number[];
    check: number[];
    bijective: boolean;
  }
  const reg = (fixture as unknown as { registry: Record<string, Record<string, Reg | { error: string }>> }).registry;
  const CONSTRAINTS: Record<string, () => wg.distributions.Constraint> = {
    real: () => C.real,
    positive: () => C.positive,
    nonnegative: () => C.nonnegative,
    greaterThan: () => C.greaterThan(1.5),
    greaterThanEq: () => C.greaterThanEq(-1.0),
    lessThan: () => C.lessThan(2.0),
    unitInterval: () => C.unitInterval,
    interval: () => C.interval(-2.0, 3.0),
    halfOpenInterval: () => C.halfOpenInterval(0.0, 2.0),
    simplex: () => C.simplex,
    lowerCholesky: () => C.lowerCholesky,
    corrCholesky: () => C.corrCholesky,
    realVector: () => C.realVector,
    independentPositive: () => C.independent(C.positive, 1),
    cat: () => C.cat([C.positive, C.real, C.unitInterval], 0, [2, 1, 2]),
    stack: () => C.stack([C.positive, C.interval(-1.0, 1.0)], 1),
    boolean: () => C.boolean,
    positiveDefinite: () => C.positiveDefinite,
    dependent: () => C.dependent,
    integerInterval: () => C.integerInterval(0, 3),
  };
  for (const backend of BACKENDS)
    test.each(Object.keys(CONSTRAINTS))(`${backend}: %s`, (name) => {
      wg.setBackend(backend);
      for (const [kind, fn] of [
        ['biject', D.bijectTo],
        ['transform', D.transformTo],
      ] as const) {
        const want = reg[name][kind];
        if ('error' in want) {
          expect(() => fn(CONSTRAINTS[name]())).toThrow(D.NotImplementedError);
          expect(() => fn(CONSTRAINTS[name]())).toThrow(want.error);
          continue;
        }
        const t = fn(CONSTRAINTS[name]());
        const y = t.call(wg.tensor(want.x).reshape(want.xshape));
        expect(y.shape).toEqual(want.yshape);
        expectClose(y.data(), want.y, 2e-6);
        expect(arr(CONSTRAINTS[name]().check(y))).toEqual(want.check);
        expect(t.bijective).toBe(want.bijective);
        // CatTransform/StackTransform print their parts in neither torch nor here
        expect(String(t)).toBe(want.repr);
      }
    });

  test('register: a class or an instance, the decorator form, and bad arguments', () => {
    const r = new D.ConstraintRegistry();
    expect(() => r.call(C.positive)).toThrow(/Cannot transform _GreaterThan constraints/);
    const f = () => new T.SoftplusTransform();
    expect(r.register(C.positive, f)).toBe(f);
    expect(r.call(C.greaterThan(3))).toBeInstanceOf(T.SoftplusTransform);
    r.register(C.Simplex)(() => new T.SoftmaxTransform());
    expect(r.call(C.simplex)).toBeInstanceOf(T.SoftmaxTransform);
    expect(() => r.register(3 as unknown as wg.distributions.Constraint, f)).toThrow(/Expected constraint to be either a Constraint subclass or instance/);
    expect(D.constraintRegistry.bijectTo).toBe(D.bijectTo);
    expect(() => D.bijectTo('real' as unknown as wg.distributions.Constraint)).toThrow(/expects a Constraint/);
  });
});
