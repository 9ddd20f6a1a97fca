/**
 * nn.utils.parametrize and nn.utils.parametrizations against PyTorch 1.13 (test/fixtures/parametrize-torch.py
 * → parametrize-torch.json; weight_norm is torch 2.1's, written out there): state-dict keys and
 * order, values and gradients of custom, chained, several-original and buffer parametrizations,
 * spectral norm's power-iteration buffers in training and eval mode, orthogonal's three maps on
 * square, tall, wide and batched weights, assignment through rightInverse, removal, and the error
 * paths, on both backends; then optimizers, wg.compile and the cache.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { loadSinStateDict, sinFilled as filled } from './helpers/sin-fill.js';

const REF = JSON.parse(readFileSync(new URL('./fixtures/parametrize-torch.json', import.meta.url), 'utf8'));
const P = wg.nn.utils.parametrize;
const PZ = wg.nn.utils.parametrizations;
const TOL = 2e-5;

beforeAll(async () => {
  await initWasm();
});

type Run = { y: number[]; gx: number[]; grads: Record<string, number[]> };
type AnyM = wg.nn.AnyModule;
const vals = (t: wg.Tensor) => Array.from(t.data());
const fwd = (m: AnyM, x: wg.Tensor) => (m.forward as (x: wg.Tensor) => wg.Tensor)(x);
const weightOf = (m: AnyM, name = 'weight') => (m as unknown as Record<string, wg.Tensor>)[name];

/** y = m(x) and the gradients of Σ y·linspace(0.5, 1.5), as the fixture's run(). */
function expectRun(m: AnyM, x: wg.Tensor, ref: Run, tol = TOL) {
  m.zeroGrad();
  const y = fwd(m, x);
  const n = y.size;
  const w = wg.linspace(0.5, 1.5, n).reshape([...y.shape]);
  y.mul(w).sum().backward();
  expectClose(vals(y), ref.y, tol);
  expectClose(vals(x.grad!), ref.gx, tol);
  expect(m.namedParameters().map(([k]) => k)).toEqual(Object.keys(ref.grads));
  for (const [k, p] of m.namedParameters()) expectClose(vals(p.grad!), ref.grads[k], tol);
}

/** The state dict's keys in order and its values. */
function expectStateDict(m: AnyM, ref: Record<string, number[]>, tol = TOL) {
  const sd = m.stateDict();
  expect(Object.keys(sd)).toEqual(Object.keys(ref));
  for (const [k, v] of Object.entries(ref)) expectClose(vals(sd[k]), v, tol);
}

class Symmetric extends wg.nn.Module {
  forward(X: wg.Tensor) {
    return X.triu().add(X.triu(1).mT);
  }
  rightInverse(A: wg.Tensor) {
    return A.triu();
  }
}

/** A parametrization with a parameter of its own. */
class Scale extends wg.nn.Module {
  readonly scale = this.registerParameter('scale', wg.tensor([1.5], { requiresGrad: true }));
  forward(X: wg.Tensor) {
    return X.mul(this.scale);
  }
  rightInverse(X: wg.Tensor) {
    return X.div(this.scale);
  }
}

class RankOne extends wg.nn.Module<(x: wg.Tensor, y: wg.Tensor) => wg.Tensor> {
  forward(x: wg.Tensor, y: wg.Tensor) {
    return x.unsqueeze(-1).matmul(y.unsqueeze(-2));
  }
  rightInverse(Z: wg.Tensor) {
    return [Z.narrow(1, 0, 1).reshape([-1]), Z.narrow(0, 0, 1).reshape([-1])];
  }
}

/** A parametrization without rightInverse. */
class Softplus extends wg.nn.Module {
  forward(X: wg.Tensor) {
    return wg.softplus(X);
  }
}

/** A module holding a buffer in a field of its name. */
class Gain extends wg.nn.Module {
  readonly w = this.registerParameter('w', wg.ones([3], { requiresGrad: true }));
  readonly gain = this.registerBuffer('gain', wg.ones([3]));
  forward(x: wg.Tensor) {
    return x.mul(this.w).mul(this.gain);
  }
}

/** t + I on its last two dims, in place: the sin fill alone has rank 2, which leaves a QR's last columns to rounding. */
const plusEye = (t: wg.Tensor) => wg.noGrad(() => t.copy_(t.add(wg.eye(t.shape[t.ndim - 2], t.shape[t.ndim - 1]))));
const linear = (i: number, o: number) => {
  const m = new wg.nn.Linear(i, o);
  loadSinStateDict(m);
  return m;
};
/** The fixture's symmetric 4×4 A = B + Bᵀ. */
const symmetricA = () => {
  const B = filled([4, 4], 0.8, false);
  return B.add(B.mT);
};

for (const be of ['wasm', 'reference'] as const) {
  describe(`parametrize on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test("a custom parametrization: torch's keys and repr, the original is the same tensor object, values and gradients, assignment", () => {
      const ref = REF.symmetric;
      const m = linear(4, 4);
      const w0 = m.weight;
      const pm = P.registerParametrization(m, 'weight', new Symmetric());
      expect(pm).toBe(m);
      expect(Object.keys(m.stateDict())).toEqual(ref.keys);
      expect(m.namedParameters().map(([k]) => k)).toEqual(ref.params);
      expectStateDict(m, ref.sd);
      expect(pm.parametrizations.weight.original).toBe(w0);
      expect(pm.parametrizations.get('weight').at(0)).toBeInstanceOf(Symmetric);
      expectClose(vals(m.weight), ref.weight, TOL);
      expect(String(m)).toBe(ref.repr);
      expect(m).toBeInstanceOf(wg.nn.Linear);
      expect(m.constructor.name).toBe('ParametrizedLinear');
      expect(P.isParametrized(m)).toBe(true);
      expect(P.isParametrized(m, 'weight')).toBe(true);
      expect(P.isParametrized(m, 'bias')).toBe(false);
      expect(P.typeBeforeParametrizations(m)).toBe(wg.nn.Linear);
      expectRun(m, filled([2, 4], 0.6), ref.run);
      (m as { weight: wg.Tensor }).weight = symmetricA();
      expectClose(vals(pm.parametrizations.weight.original), ref.assigned.original, TOL);
      expectClose(vals(m.weight), ref.assigned.weight, TOL);
      expect(pm.parametrizations.weight.original).toBe(w0);
    });

    test('removeParametrizations: the parametrized value (in the original tensor) or the original; the class comes back', () => {
      const m = linear(4, 4);
      const w0 = m.weight;
      P.registerParametrization(m, 'weight', new Symmetric());
      expect(P.removeParametrizations(m, 'weight')).toBe(m);
      expect(Object.keys(m.stateDict())).toEqual(REF.remove_true.keys);
      expectClose(vals(m.weight), REF.remove_true.weight, TOL);
      expect(m.weight).toBe(w0);
      expect(String(m)).toBe(REF.remove_true.repr);
      expect(m.constructor).toBe(wg.nn.Linear);
      expect(P.isParametrized(m)).toBe(false);
      expect('parametrizations' in m).toBe(false);
      expect(m.namedChildren()).toEqual([]);
      // the field is live again: assigning registers the tensor
      const w1 = wg.zeros([4, 4], { requiresGrad: true });
      (m as { weight: wg.Tensor }).weight = w1;
      expect(m.getParameter('weight')).toBe(w1);
      const m2 = linear(4, 4);
      P.registerParametrization(m2, 'weight', new Symmetric());
      P.removeParametrizations(m2, 'weight', { leaveParametrized: false });
      expect(Object.keys(m2.stateDict())).toEqual(REF.remove_false.keys);
      expectClose(vals(m2.weight), REF.remove_false.weight, TOL);
    });

    test('chained parametrizations, one with a parameter: keys, repr, gradients to both, assignment through both rightInverses, a state dict loaded', () => {
      const ref = REF.chained;
      const m = linear(4, 4);
      P.registerParametrization(m, 'weight', new Symmetric());
      const pm = P.registerParametrization(m, 'weight', new Scale());
      expect(Object.keys(m.stateDict())).toEqual(ref.keys);
      expect(m.namedParameters().map(([k]) => k)).toEqual(ref.params);
      expectStateDict(m, ref.sd);
      expectClose(vals(m.weight), ref.weight, TOL);
      expect(String(m)).toBe(ref.repr);
      expect(pm.parametrizations.weight.length).toBe(2);
      expectRun(m, filled([3, 4], 0.5), ref.run);
      (m as { weight: wg.Tensor }).weight = symmetricA();
      expectClose(vals(pm.parametrizations.weight.original), ref.assigned.original, TOL);
      expectClose(vals(m.weight), ref.assigned.weight, TOL);
      loadSinStateDict(m);
      expectClose(vals(m.weight), ref.filled.weight, TOL);
      expectRun(m, filled([3, 4], 0.5), ref.filled.run);
    });

    test('several originals (original0, original1), then removal to a new parameter', () => {
      const ref = REF.rank_one;
      const m = linear(3, 5);
      const pm = P.registerParametrization(m, 'weight', new RankOne());
      expect(Object.keys(m.stateDict())).toEqual(ref.keys);
      expectStateDict(m, ref.sd);
      expect(pm.parametrizations.weight.isTensor).toBe(false);
      expect(pm.parametrizations.weight.ntensors).toBe(2);
      expectClose(vals(m.weight), ref.weight, TOL);
      expectRun(m, filled([2, 3], 0.7), ref.run);
      expect(() => P.removeParametrizations(m, 'weight', { leaveParametrized: false })).toThrow(
        /removeParametrizations: cannot leave unparametrized .* several tensors/,
      );
      expect(Object.keys(m.stateDict())).toEqual(ref.keys);
      P.removeParametrizations(m, 'weight');
      expect(Object.keys(m.stateDict())).toEqual(ref.removed.keys);
      expectClose(vals(m.weight), ref.removed.weight, TOL);
      expect(m.weight.isLeaf && m.weight.requiresGrad).toBe(true);
    });

    test('a buffer parametrized: its original is a buffer', () => {
      const ref = REF.buffer;
      const g = new Gain();
      loadSinStateDict(g);
      P.registerParametrization(g, 'gain', new Softplus());
      expect(Object.keys(g.stateDict())).toEqual(ref.keys);
      expect(g.namedParameters().map(([k]) => k)).toEqual(ref.params);
      expect(g.namedBuffers().map(([k]) => k)).toEqual(ref.buffers);
      expectClose(vals(g.gain), ref.gain, TOL);
      expectRun(g, filled([2, 3], 0.3), ref.run);
    });
  });

  describe(`parametrizations.spectralNorm on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    const cases: [string, () => AnyM, string, number[], number, object][] = [
      ['sn_linear', () => new wg.nn.Linear(5, 3), 'weight', [2, 5], 0.45, {}],
      ['sn_linear3', () => new wg.nn.Linear(3, 4), 'weight', [2, 3], 0.45, { nPowerIterations: 3 }],
      ['sn_conv', () => new wg.nn.Conv2d(2, 3, 2), 'weight', [1, 2, 3, 3], 0.35, {}],
      ['sn_convt', () => new wg.nn.ConvTranspose2d(2, 3, 2), 'weight', [1, 2, 2, 2], 0.35, {}],
      ['sn_dim1', () => new wg.nn.Linear(5, 3), 'weight', [2, 5], 0.45, { dim: 1, eps: 1e-3 }],
      ['sn_bias', () => new wg.nn.Linear(3, 4), 'bias', [2, 3], 0.45, {}],
    ];
    for (const [key, make, name, shape, s, opts] of cases)
      test(`${key}: keys, the power iteration's buffers over two training calls, then eval`, () => {
        const ref = REF[key];
        const m = make();
        loadSinStateDict(m);
        PZ.spectralNorm(m, name, opts);
        expect(Object.keys(m.stateDict())).toEqual(ref.keys);
        expect(m.namedParameters().map(([k]) => k)).toEqual(ref.params);
        loadSinStateDict(m); // torch's _u, _v start random: both load the same filled state dict
        expectStateDict(m, ref.sd);
        const x = filled(shape, s);
        expectRun(m, x, ref.train1);
        expectStateDict(m, ref.u1);
        expectRun(m, filled(shape, s), ref.train2);
        expectStateDict(m, ref.u2);
        m.eval();
        expectRun(m, filled(shape, s), ref.eval);
        expectStateDict(m, ref.u3);
        expectClose(vals(weightOf(m, name)), ref.weight_eval, TOL);
        expect(String(m)).toBe(ref.repr);
      });

    test("positional arguments as torch's, the registration's 15 steps converge to W/σ", () => {
      const m = new wg.nn.Linear(3, 3, { bias: false });
      wg.noGrad(() => m.weight.copy_(wg.tensor(REF.sn_converged.w, { shape: [3, 3] })));
      PZ.spectralNorm(m, 'weight', 1, 1e-12, 0);
      m.eval();
      expectClose(vals(m.weight), REF.sn_converged.weight, 1e-4);
      expectClose(
        vals(m.weight),
        REF.sn_converged.w.map((v: number) => v / REF.sn_converged.sigma),
        1e-4,
      );
    });

    test("a state dict written by torch (its keys, its vectors) loads and gives torch's weight", () => {
      const ref = REF.sn_linear;
      const m = PZ.spectralNorm(new wg.nn.Linear(5, 3));
      const sd: Record<string, wg.Tensor> = {};
      for (const [k, v] of Object.entries(ref.sd as Record<string, number[]>)) sd[k] = wg.tensor(v, { shape: [...m.stateDict()[k].shape] });
      m.loadStateDict(sd);
      expect(m.parametrizations.weight.at(0).getBuffer('_u')).toBe(m.stateDict()['parametrizations.weight.0._u']);
      expectRun(m, filled([2, 5], 0.45), ref.train1);
    });
  });

  describe(`parametrizations.orthogonal and weightNorm on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    const shapes: [string, number, number, number[]][] = [
      ['square', 4, 4, [2, 4]],
      ['tall', 3, 5, [2, 3]],
      ['wide', 5, 3, [2, 5]],
    ];
    for (const map of ['matrix_exp', 'cayley', 'householder'] as const)
      for (const triv of [true, false])
        for (const [shape, i, o, xs] of shapes) {
          const key = `orth_${shape}_${map}_${triv ? 'triv' : 'plain'}`;
          test(`${key}: the registered state, an orthogonal weight, values and gradients`, () => {
            const ref = REF[key];
            const m = linear(i, o);
            plusEye(m.weight);
            const pm = PZ.orthogonal(m, 'weight', { orthogonalMap: map, useTrivialization: triv });
            expect(Object.keys(m.stateDict())).toEqual(ref.keys);
            expect(m.namedParameters().map(([k]) => k)).toEqual(ref.params);
            // a tall or wide base is completed with random columns; its first columns, the weight, are not random
            const random = triv && shape !== 'square';
            if (!random) expectStateDict(m, ref.registered, 1e-4);
            expectClose(vals(m.weight), ref.weight0, 1e-4);
            const W = o >= i ? m.weight : m.weight.mT;
            expectClose(vals(W.mT.matmul(W)), vals(wg.eye(Math.min(i, o))), 1e-5);
            loadSinStateDict(m);
            plusEye(pm.parametrizations.weight.original);
            expectStateDict(m, ref.sd);
            expectClose(vals(m.weight), ref.weight, 1e-4);
            expectRun(m, filled(xs, 0.55), ref.run, 1e-4);
            expect(String(m)).toBe(ref.repr);
          });
        }

    test('a batch of matrices (Conv1d [2, 3, 3]), the default maps', () => {
      const ref = REF.orth_conv1d;
      const m = new wg.nn.Conv1d(3, 2, 3);
      loadSinStateDict(m);
      plusEye(m.weight);
      const pm = PZ.orthogonal(m);
      expect(Object.keys(m.stateDict())).toEqual(ref.keys);
      expectStateDict(m, ref.registered, 1e-4);
      expectClose(vals(m.weight), ref.weight0, 1e-4);
      loadSinStateDict(m);
      plusEye(pm.parametrizations.weight.original);
      expectClose(vals(m.weight), ref.weight, 1e-4);
      expectRun(m, filled([1, 3, 5], 0.5), ref.run, 1e-4);
      type Orth = { orthogonalMap: string };
      expect((PZ.orthogonal(new wg.nn.Linear(3, 5)).parametrizations.weight.at(0) as unknown as Orth).orthogonalMap).toBe(REF.orth_default_tall);
      expect((PZ.orthogonal(new wg.nn.Linear(4, 4)).parametrizations.weight.at(0) as unknown as Orth).orthogonalMap).toBe(REF.orth_default_square);
    });

    test('assigning an orthogonal matrix: it becomes the base (trivialization) or the reflectors (householder), the weight is that matrix', () => {
      const Q = wg.tensor(REF.orth_assign.Q, { shape: [4, 4] });
      const m = PZ.orthogonal(new wg.nn.Linear(4, 4));
      (m as { weight: wg.Tensor }).weight = Q;
      expectClose(vals(m.weight), REF.orth_assign.weight, 1e-5);
      for (const k of ['parametrizations.weight.original', 'parametrizations.weight.0.base']) expectClose(vals(m.stateDict()[k]), REF.orth_assign.sd[k], 1e-5);
      const h = PZ.orthogonal(new wg.nn.Linear(4, 4), 'weight', { orthogonalMap: 'householder', useTrivialization: false });
      (h as { weight: wg.Tensor }).weight = Q;
      expectClose(vals(h.weight), REF.orth_assign_householder.weight, 1e-5);
      expectClose(vals(h.parametrizations.weight.original), REF.orth_assign_householder.sd['parametrizations.weight.original'], 1e-5);
      const r = linear(3, 5);
      plusEye(r.weight);
      PZ.orthogonal(r, 'weight', { orthogonalMap: 'householder', useTrivialization: false });
      P.removeParametrizations(r, 'weight');
      expect(Object.keys(r.stateDict())).toEqual(REF.orth_removed.keys);
      expectClose(vals(r.weight), REF.orth_removed.weight, 1e-5);
    });

    const wn: [string, () => AnyM, number[], number | null][] = [
      ['wn_linear', () => new wg.nn.Linear(3, 4), [2, 3], 0],
      ['wn_conv_dim1', () => new wg.nn.Conv1d(2, 3, 2), [1, 2, 4], 1],
      ['wn_none', () => new wg.nn.Linear(3, 4), [2, 3], null],
    ];
    for (const [key, make, xs, dim] of wn)
      test(`weightNorm (torch 2.1) ${key}: original0 = g, original1 = v, values and gradients`, () => {
        const ref = REF[key];
        const m = make();
        loadSinStateDict(m);
        PZ.weightNorm(m, 'weight', dim);
        expect(Object.keys(m.stateDict())).toEqual(ref.keys);
        expect(m.namedParameters().map(([k]) => k)).toEqual(ref.params);
        expectStateDict(m, ref.registered);
        expectClose(vals(weightOf(m)), ref.weight0, TOL);
        loadSinStateDict(m);
        expectClose(vals(weightOf(m)), ref.weight, TOL);
        expectRun(m, filled(xs, 0.5), ref.run);
      });
  });
}

describe('parametrizations with optimizers, wg.compile, modes and the cache', () => {
  beforeEach(() => wg.setBackend('wasm'));

  /** A spectral-normed, an orthogonal (householder) and a plain layer, filled, with a compiled-or-eager SGD step. */
  function model() {
    wg.manualSeed(5); // the random u, v and base: the same in both models
    const a = new wg.nn.Linear(4, 5);
    const b = new wg.nn.Linear(5, 3);
    loadSinStateDict(a);
    loadSinStateDict(b);
    plusEye(b.weight);
    const net = new wg.nn.Sequential(PZ.spectralNorm(a), new wg.nn.Tanh(), PZ.orthogonal(b, 'weight', { orthogonalMap: 'householder' }));
    const opt = new wg.optim.SGD(net.parameters(), { lr: 0.1 });
    const step = (x: wg.Tensor, y: wg.Tensor) => {
      opt.zeroGrad();
      const loss = wg.losses.mse(net.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    };
    return { net, step };
  }

  test('an optimizer trains the originals; a compiled step replays fast, equal to eager (power iteration included)', () => {
    const x = filled([6, 4], 0.3, false);
    const y = filled([6, 3], 0.7, false);
    const eager = model();
    const comp = model();
    expect(eager.net.namedParameters().map(([k]) => k)).toEqual([
      '0.bias',
      '0.parametrizations.weight.original',
      '2.bias',
      '2.parametrizations.weight.original',
    ]);
    const f = wg.compile(comp.step);
    const want = Array.from({ length: 5 }, () => eager.step(x, y).item());
    const got = Array.from({ length: 5 }, () => f(x, y).item());
    expectClose(got, want, 1e-5);
    expect(want[4]).toBeLessThan(want[0]);
    const [se, sc] = [eager.net.stateDict(), comp.net.stateDict()];
    for (const k of Object.keys(se)) expectClose(vals(sc[k]), vals(se[k]), 1e-5);
    expect(f.replayInfo()[0].mode).toBe('fast');
    // the orthogonal weight stays orthogonal after the updates
    const W = (comp.net.at(2) as wg.nn.Linear).weight;
    expectClose(vals(W.matmul(W.mT)), vals(wg.eye(3)), 1e-5); // [3, 5]: orthonormal rows
  });

  test('matrix_exp and cayley read values on the host: inside wg.compile a CompileError, eager fine', () => {
    for (const map of ['matrix_exp', 'cayley'] as const) {
      const m = PZ.orthogonal(linear(3, 3), 'weight', { orthogonalMap: map });
      const x = filled([2, 3], 0.4, false);
      expect(fwd(m, x).shape).toEqual([2, 3]);
      const f = wg.compile((t: wg.Tensor) => fwd(m, t).sum());
      expect(() => f(x)).toThrow(wg.CompileError);
    }
  });

  test('train()/eval() reach the parametrizations; in eval mode spectral norm leaves its vectors', () => {
    const m = PZ.spectralNorm(linear(3, 4));
    const sn = m.parametrizations.weight.at(0);
    expect(sn.training).toBe(true);
    m.eval();
    expect(sn.training).toBe(false);
    const u = vals(sn.getBuffer('_u'));
    void m.weight;
    expect(vals(sn.getBuffer('_u'))).toEqual(u);
    m.train();
    void m.weight;
    expect(vals(sn.getBuffer('_u'))).not.toEqual(u);
    // a parametrization takes the module's mode at registration
    const e = linear(3, 4).eval();
    expect(PZ.spectralNorm(e).parametrizations.weight.at(0).training).toBe(false);
  });

  test('cached(): one value per tensor while it runs (one power-iteration step for two reads), fresh ones after', () => {
    const m = PZ.spectralNorm(linear(3, 4));
    const sn = m.parametrizations.weight.at(0);
    const once = PZ.spectralNorm(linear(3, 4));
    once.loadStateDict(m.stateDict());
    const [a, b] = P.cached(() => [m.weight, m.weight]);
    expect(a).toBe(b);
    void once.weight;
    expectClose(vals(sn.getBuffer('_u')), vals(once.parametrizations.weight.at(0).getBuffer('_u')), 1e-6);
    expect(P.cached(() => P.cached(() => m.weight) === m.weight)).toBe(true);
    expect(m.weight).not.toBe(m.weight);
    expect(P.cached(() => 7)).toBe(7);
    expect(() => P.cached(3 as never)).toThrow(/parametrize\.cached: expects a function/);
  });

  test('transferParametrizationsAndParams: the same parametrizations and original tensors on the target', () => {
    const src = P.registerParametrization(linear(4, 4), 'weight', new Symmetric());
    P.registerParametrization(src, 'weight', new Scale());
    const dst = P.transferParametrizationsAndParams(src, new wg.nn.Linear(4, 4));
    expect(Object.keys(dst.stateDict())).toEqual(REF.chained.keys);
    const list = (dst as typeof src).parametrizations.weight;
    expect(list.original).toBe(src.parametrizations.weight.original);
    expect(list.length).toBe(2);
    [...list].forEach((p, i) => expect(p).toBe(src.parametrizations.weight.at(i)));
    expectClose(vals(dst.weight), vals(src.weight), 1e-6);
    // a tensor the target lacks is made first, from the source's value
    class Bare extends wg.nn.Module {
      forward(x: wg.Tensor) {
        return x;
      }
    }
    const bare = P.transferParametrizationsAndParams(src, new Bare(), 'weight') as unknown as typeof src;
    expect(Object.keys(bare.stateDict())).toEqual(['parametrizations.weight.original', 'parametrizations.weight.1.scale']);
    expectClose(vals(bare.weight), vals(src.weight), 1e-6);
    expect(P.transferParametrizationsAndParams(linear(2, 2), bare)).toBe(bare);
    expect(() => P.transferParametrizationsAndParams(src, new wg.nn.Linear(4, 4), 'bias')).toThrow(
      /transferParametrizationsAndParams: ParametrizedLinear does not have a parametrization on "bias"/,
    );
  });

  test("weightNorm loads the hook form's state dict (weight_g, weight_v renamed, as torch 2.1), inside a container too", () => {
    const hooked = wg.nn.utils.weightNorm(linear(3, 4));
    const net = new wg.nn.Sequential(PZ.weightNorm(new wg.nn.Linear(3, 4)));
    const sd = Object.fromEntries(Object.entries(hooked.stateDict()).map(([k, t]) => [`0.${k}`, t]));
    expect(Object.keys(sd)).toEqual(['0.bias', '0.weight_g', '0.weight_v']);
    net.loadStateDict(sd);
    expect(Object.keys(sd)).toEqual(['0.bias', '0.weight_g', '0.weight_v']);
    const x = filled([2, 3], 0.5, false);
    expectClose(vals(net.forward(x)), vals(hooked.forward(x)), 1e-6);
    expect(() => net.loadStateDict({ '0.bias': sd['0.bias'], '0.weight_g': sd['0.weight_g'] })).toThrow(/unexpected key\(s\): '0\.weight_g'/);
  });

  test('unsafe: a rightInverse that changes the shape gives a new original, read through the field, trained, assigned', () => {
    class Unflatten extends wg.nn.Module {
      forward(X: wg.Tensor) {
        return X.reshape([3, 3]);
      }
      rightInverse(W: wg.Tensor) {
        return W.reshape([-1]);
      }
    }
    const m = linear(3, 3);
    const w = vals(m.weight);
    const pm = P.registerParametrization(m, 'weight', new Unflatten(), { unsafe: true });
    const list = pm.parametrizations.weight;
    expect(list.original.shape).toEqual([9]);
    expect(m.stateDict()['parametrizations.weight.original']).toBe(list.original);
    expect(vals(m.weight)).toEqual(w);
    (m as { weight: wg.Tensor }).weight = wg.eye(3);
    expect(vals(list.original)).toEqual(vals(wg.eye(3)));
    expect(m.parameters()).toContain(list.original);
    expect(list.unsafe).toBe(true);
  });

  test('a frozen parameter stays frozen as the original; the parametrized tensor has no gradient then', () => {
    const m = linear(3, 3);
    m.weight.requiresGrad = false;
    const pm = P.registerParametrization(m, 'weight', new Symmetric());
    expect(pm.parametrizations.weight.original.requiresGrad).toBe(false);
    expect(m.namedParameters().map(([k]) => k)).toEqual(['bias', 'parametrizations.weight.original']);
    expect(m.weight.requiresGrad).toBe(false);
    P.removeParametrizations(m, 'weight');
    expect(m.weight.requiresGrad).toBe(false);
    expect(m.namedParameters().map(([k]) => k)).toEqual(['bias', 'weight']);
  });

  test('errors: torch-like messages, and a failed call changes nothing', () => {
    const m = linear(3, 3);
    const keys = Object.keys(m.stateDict());
    expect(() => P.registerParametrization(m, 'nope', new Symmetric())).toThrow(
      /registerParametrization: Linear does not have a parameter, a buffer, or a parametrized element with name 'nope'/,
    );
    expect(() => P.registerParametrization(m, 'weight', {} as never)).toThrow(/parametrization must be an nn\.Module/);
    expect(() => P.registerParametrization({} as never, 'weight', new Symmetric())).toThrow(/module must be an nn\.Module/);
    expect(() => P.registerParametrization(m, 'weight', new Symmetric(), { unsafe: 1 } as never)).toThrow(/unsafe must be a boolean/);
    class Grow extends wg.nn.Module {
      forward(X: wg.Tensor) {
        return wg.cat([X, X], 0);
      }
    }
    expect(() => P.registerParametrization(m, 'weight', new Grow())).toThrow(
      /may not change the shape of the tensor, unless the unsafe flag is set: unparametrized \[3, 3\], parametrized \[6, 3\]/,
    );
    class NotATensor extends wg.nn.Module {
      forward() {
        return 1 as unknown as wg.Tensor;
      }
    }
    expect(() => P.registerParametrization(m, 'weight', new NotATensor())).toThrow(/a parametrization must return a tensor, got 1/);
    expect(Object.keys(m.stateDict())).toEqual(keys);
    expect(P.isParametrized(m)).toBe(false);
    expect(m.constructor).toBe(wg.nn.Linear);
    // unsafe: the shape may change
    const g = P.registerParametrization(linear(3, 3), 'weight', new Grow(), { unsafe: true });
    expect(g.weight.shape).toEqual([6, 3]);
    // chained: checked against the parametrized tensor
    const pm = P.registerParametrization(m, 'weight', new Symmetric());
    expect(() => P.registerParametrization(m, 'weight', new Grow())).toThrow(
      /may not change the shape of the tensor, unless the unsafe flag is set: module\.weight \[3, 3\], parametrized \[6, 3\]/,
    );
    expect(pm.parametrizations.weight.length).toBe(1);
    // assignment: every parametrization needs rightInverse; a failed one changes nothing
    P.registerParametrization(m, 'weight', new Softplus());
    const before = vals(pm.parametrizations.weight.original);
    expect(() => ((m as { weight: wg.Tensor }).weight = wg.zeros([3, 3]))).toThrow(/rightInverse: parametrization Softplus does not implement rightInverse/);
    expect(vals(pm.parametrizations.weight.original)).toEqual(before);
    expect(() => P.removeParametrizations(m, 'bias')).toThrow(/removeParametrizations: ParametrizedLinear does not have a parametrization on "bias"/);
    expect(() => P.removeParametrizations(m, 'weight', { leaveParametrized: 'no' } as never)).toThrow(/leaveParametrized must be a boolean/);
    // modules whose forward does not read a field of that name
    expect(() => P.registerParametrization(new wg.nn.RNN(2, 3), 'weight_ih_l0', new Softplus())).toThrow(
      /RNN keeps 'weight_ih_l0' outside a field of that name/,
    );
    expect(() => P.registerParametrization(new wg.nn.BatchNorm1d(3), 'running_var', new Softplus())).toThrow(/BatchNorm1d keeps 'running_var' outside a field/);
  });

  test('parametrizations: errors', () => {
    expect(() => PZ.orthogonal(linear(3, 3), 'bias')).toThrow(/orthogonal: expected a matrix or batch of matrices, got a tensor of 1 dimensions/);
    expect(() => PZ.orthogonal(linear(3, 3), 'nope' as never)).toThrow(/orthogonal: Linear has no parameter or buffer with name "nope"/);
    expect(() => PZ.orthogonal(linear(3, 3), 'weight', { orthogonalMap: 'qr' as never })).toThrow(
      /orthogonalMap has to be one of 'matrix_exp', 'cayley', 'householder', got "qr"/,
    );
    expect(() => PZ.orthogonal(linear(3, 3), 'weight', { useTrivialization: 0 as never })).toThrow(/useTrivialization must be a boolean/);
    const plain = PZ.orthogonal(linear(3, 3), 'weight', { orthogonalMap: 'cayley', useTrivialization: false });
    expect(() => ((plain as { weight: wg.Tensor }).weight = wg.eye(3))).toThrow(P.NotImplementedError);
    expect(() => ((plain as { weight: wg.Tensor }).weight = wg.eye(3))).toThrow(
      /not possible to assign to the matrix exponential or the Cayley parametrizations/,
    );
    const o = PZ.orthogonal(linear(3, 3));
    expect(() => ((o as { weight: wg.Tensor }).weight = wg.eye(2))).toThrow(
      /orthogonal: expected a matrix or batch of matrices of shape \[3, 3\], got \[2, 2\]/,
    );
    expect(() => PZ.spectralNorm(linear(3, 3), 'weight', { nPowerIterations: 0 })).toThrow(/spectralNorm: nPowerIterations must be an integer ≥ 1/);
    expect(() => PZ.spectralNorm(linear(3, 3), 'weight', { dim: 2 })).toThrow(/spectralNorm: dim 2 is out of range for a tensor of shape \[3, 3\]/);
    expect(() => PZ.spectralNorm(linear(3, 3), 'weight', { eps: -1 })).toThrow(/eps must be a number ≥ 0/);
    expect(() => PZ.spectralNorm(linear(3, 3), 'weight', { bad: 1 } as never)).toThrow(/spectralNorm: unknown option 'bad'/);
    expect(() => PZ.weightNorm(linear(3, 3), 'weight', 2)).toThrow(/weightNorm: dim 2 is out of range/);
  });
});
