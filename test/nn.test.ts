/** wg.nn: module tree, names and state-dict order, PyTorch initialisation, layer numerics and gradients, loadStateDict. */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { uniform } from '../src/random.js';
import { expectClose as expectCloseTo } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

const expectClose = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => expectCloseTo(a, b, tol);

beforeAll(async () => {
  await initWasm();
});

const vals = (t: wg.Tensor) => Array.from(t.data());
const grad = (t: wg.Tensor) => Array.from(t.grad!.data());
/** Sets a tensor's values in place (outside the graph). */
const setValues = (t: wg.Tensor, v: number[]) => wg.noGrad(() => t.copy_(wg.tensor(v, { shape: t.shape })));
/** A snapshot of a state dict's values. */
const snapshot = (m: nn.Module) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, vals(t)]));

/** Hand-written float64 batch norm over channel dim 1 of x (shape [N, C, S...] flattened row-major). */
function batchNormRef(x: number[], shape: number[], eps = 1e-5) {
  const [N, C] = shape;
  const S = shape.slice(2).reduce((a, b) => a * b, 1);
  const mean: number[] = [],
    biased: number[] = [],
    unbiased: number[] = [];
  for (let c = 0; c < C; c++) {
    const xs: number[] = [];
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) xs.push(x[(n * C + c) * S + s]);
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const ss = xs.reduce((a, b) => a + (b - m) ** 2, 0);
    mean.push(m);
    biased.push(ss / xs.length);
    unbiased.push(ss / (xs.length - 1));
  }
  const y = x.map((v, i) => {
    const c = Math.floor(i / S) % C;
    return (v - mean[c]) / Math.sqrt(biased[c] + eps);
  });
  return { y, mean, biased, unbiased };
}

/**
 * Central finite differences (on the reference backend, float64) of loss() with respect to every
 * element of every parameter of m, compared with the gradients backward() left in .grad.
 */
function checkParamGrads(m: nn.Module, loss: () => wg.Tensor, tol = 1e-6): void {
  m.zeroGrad();
  loss().backward();
  const eps = 1e-6;
  for (const [name, p] of m.namedParameters()) {
    const analytic = grad(p);
    const base = Array.from(p.rawValues());
    const numeric = base.map((_, k) => {
      const at = (d: number) => {
        setValues(
          p,
          base.map((v, j) => (j === k ? v + d : v)),
        );
        return wg.noGrad(() => loss().item());
      };
      const g = (at(eps) - at(-eps)) / (2 * eps);
      setValues(p, base);
      return g;
    });
    try {
      expectClose(analytic, numeric, tol);
    } catch (e) {
      throw new Error(`gradient of ${name}: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** The CNN of the state-dict tests and the PyTorch keys it must have (written by hand from PyTorch's conventions). */
const cnn = () =>
  new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(4 * 4 * 4, 10),
  );
const CNN_KEYS = ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked', '5.weight', '5.bias'];

for (const be of ['wasm', 'reference'] as const) {
  describe(`nn module tree (${be})`, () => {
    test('a Sequential CNN: output shape, parameter names and shapes, state-dict key order', () => {
      wg.setBackend(be);
      const model = cnn();
      const y = model.forward(wg.randn([2, 1, 8, 8]));
      expect(y.shape).toEqual([2, 10]);
      expect(Object.keys(model.stateDict())).toEqual(CNN_KEYS);
      expect(model.namedParameters().map(([k, t]) => [k, t.shape])).toEqual([
        ['0.weight', [4, 1, 3, 3]],
        ['0.bias', [4]],
        ['1.weight', [4]],
        ['1.bias', [4]],
        ['5.weight', [10, 64]],
        ['5.bias', [10]],
      ]);
      expect(model.namedBuffers().map(([k, t]) => [k, t.shape, t.dtype])).toEqual([
        ['1.running_mean', [4], 'float32'],
        ['1.running_var', [4], 'float32'],
        ['1.num_batches_tracked', [], 'int32'],
      ]);
      expect(model.parameters()).toEqual(model.namedParameters().map(([, t]) => t));
      expect(model.buffers().length).toBe(3);
      for (const p of model.parameters()) {
        expect(p.requiresGrad).toBe(true);
        expect(p.isLeaf).toBe(true);
        expect(p.storage.owner).toBe('persistent');
      }
      // The state dict holds the live tensors, not copies.
      const sd = model.stateDict();
      expect(sd['5.weight']).toBe((model.at(5) as nn.Linear).weight);
      expect(model.children().length).toBe(6);
      expect(model.namedModules().map(([k]) => k)).toEqual(['', '0', '1', '2', '3', '4', '5']);
    });

    test('nested containers give dotted names; a shared module is listed once in parameters()', () => {
      wg.setBackend(be);
      const shared = new nn.Linear(3, 3);
      const model = new nn.Sequential(new nn.Sequential(new nn.Linear(2, 3), new nn.Tanh()), shared, shared);
      expect(model.namedParameters().map(([k]) => k)).toEqual(['0.0.weight', '0.0.bias', '1.weight', '1.bias']);
      expect(Object.keys(model.stateDict())).toEqual(['0.0.weight', '0.0.bias', '1.weight', '1.bias', '2.weight', '2.bias']);
      expect(model.forward(wg.ones([5, 2])).shape).toEqual([5, 3]);
    });

    test('a custom module registers parameters, buffers and children explicitly', () => {
      wg.setBackend(be);
      class Affine extends nn.Module {
        readonly scale = this.registerParameter('scale', wg.ones([2], { requiresGrad: true }));
        readonly count = this.registerBuffer('count', wg.zeros([1]));
        readonly inner = this.registerModule('inner', new nn.Linear(2, 2, { bias: false }));
        forward(x: wg.Tensor): wg.Tensor {
          return this.inner.forward(x.mul(this.scale));
        }
      }
      const m = new Affine();
      expect(Object.keys(m.stateDict())).toEqual(['scale', 'count', 'inner.weight']);
      expect(m.namedParameters().map(([k]) => k)).toEqual(['scale', 'inner.weight']);
      expect(m.forward(wg.ones([1, 2])).shape).toEqual([1, 2]);
      expect(() => m.registerParameter('scale', wg.ones([2], { requiresGrad: true }))).toThrow(/'scale' is already registered/);
      expect(() => m.registerParameter('a.b', wg.ones([2], { requiresGrad: true }))).toThrow(/without '\.'/);
      expect(() => m.registerParameter('p', wg.ones([2]))).toThrow(/must be a float32 leaf tensor with requiresGrad/);
      expect(() => m.registerParameter('q', wg.ones([2], { requiresGrad: true }).mul(2))).toThrow(/must be a float32 leaf tensor.*computed by 'mul'/);
      // An op result registered as a buffer becomes persistent, as module state must be.
      const r = new Affine().registerBuffer('r', wg.ones([2]).mul(2));
      for (let i = 0; i < 3; i++) wg.ones([1], { requiresGrad: true }).sum().backward();
      expect(r.storage.owner).toBe('persistent');
      expect(Array.from(r.data())).toEqual([2, 2]);
      expect(() => m.registerModule('s', {} as nn.Module)).toThrow(/must be a Module/);
    });

    test('train() and eval() propagate to every descendant; Dropout is the identity in eval mode', () => {
      wg.setBackend(be);
      const drop = new nn.Dropout(0.5);
      const inner = new nn.Sequential(new nn.Linear(4, 4), drop);
      const model = new nn.Sequential(inner, new nn.BatchNorm1d(4));
      expect(model.modules().every((m) => m.training)).toBe(true);
      expect(model.eval()).toBe(model);
      expect(model.modules().every((m) => !m.training)).toBe(true);
      const x = wg.randn([8, 4]);
      const y = drop.forward(x);
      expect(vals(y)).toEqual(vals(x));
      model.train();
      expect(model.modules().every((m) => m.training)).toBe(true);
      model.train(false);
      expect(drop.training).toBe(false);
      inner.train();
      expect([model.training, inner.training, drop.training]).toEqual([false, true, true]);
      // Training mode: elements are dropped or scaled by 1/(1 − p) = 2.
      const big = wg.ones([1000]);
      const d = vals(drop.forward(big));
      expect(d.every((v) => v === 0 || v === 2)).toBe(true);
      const kept = d.filter((v) => v === 2).length;
      expect(kept).toBeGreaterThan(400);
      expect(kept).toBeLessThan(600);
      expect(vals(new nn.Dropout(1).forward(big)).every((v) => v === 0)).toBe(true);
      expect(() => new nn.Dropout(1.5)).toThrow(/p must be a probability in \[0, 1\]/);
    });
  });

  describe(`nn initialisation (${be})`, () => {
    test('Linear draws weight then bias from U(−1/√in, 1/√in) of the seeded stream, in PyTorch order', () => {
      wg.setBackend(be);
      wg.manualSeed(7);
      const lin = new nn.Linear(3, 2);
      wg.manualSeed(7);
      const b = 1 / Math.sqrt(3);
      const expected = Array.from({ length: 8 }, () => -b + 2 * b * uniform());
      expectClose(vals(lin.weight), expected.slice(0, 6), 1e-6);
      expectClose(vals(lin.bias!), expected.slice(6), 1e-6);
    });

    test('bounds: Linear and Conv2d within ±1/√fan_in and spread over it; Embedding ~ N(0, 1); norms 1/0', () => {
      wg.setBackend(be);
      wg.manualSeed(1);
      const check = (t: wg.Tensor, bound: number) => {
        const v = vals(t).map(Math.abs);
        expect(Math.max(...v)).toBeLessThanOrEqual(bound);
        expect(Math.max(...v)).toBeGreaterThan(0.9 * bound);
      };
      const lin = new nn.Linear(50, 30);
      check(lin.weight, 1 / Math.sqrt(50));
      check(lin.bias!, 1 / Math.sqrt(50));
      const conv = new nn.Conv2d(3, 8, [3, 2]);
      expect(conv.weight.shape).toEqual([8, 3, 3, 2]);
      check(conv.weight, 1 / Math.sqrt(18));
      check(conv.bias!, 1 / Math.sqrt(18));
      const emb = vals(new nn.Embedding(100, 40).weight);
      const mean = emb.reduce((a, b) => a + b, 0) / emb.length;
      const std = Math.sqrt(emb.reduce((a, b) => a + (b - mean) ** 2, 0) / emb.length);
      expect(Math.abs(mean)).toBeLessThan(0.05);
      expect(Math.abs(std - 1)).toBeLessThan(0.05);
      const bn = new nn.BatchNorm2d(3);
      expect(vals(bn.weight!)).toEqual([1, 1, 1]);
      expect(vals(bn.bias!)).toEqual([0, 0, 0]);
      expect(vals(bn.runningMean!)).toEqual([0, 0, 0]);
      expect(vals(bn.runningVar!)).toEqual([1, 1, 1]);
      expect(bn.numBatchesTracked!.item()).toBe(0);
      const ln = new nn.LayerNorm([2, 3]);
      expect(ln.weight!.shape).toEqual([2, 3]);
      expect(vals(ln.weight!)).toEqual([1, 1, 1, 1, 1, 1]);
      expect(vals(ln.bias!)).toEqual([0, 0, 0, 0, 0, 0]);
    });

    test('manualSeed makes a model reproducible; another seed gives another model', () => {
      wg.setBackend(be);
      wg.manualSeed(42);
      const a = snapshot(cnn());
      wg.manualSeed(42);
      const b = snapshot(cnn());
      wg.manualSeed(43);
      const c = snapshot(cnn());
      expect(b).toEqual(a);
      expect(c['0.weight']).not.toEqual(a['0.weight']);
    });

    test('options: no bias, no affine, no running stats, no elementwise affine', () => {
      wg.setBackend(be);
      expect(Object.keys(new nn.Linear(2, 3, { bias: false }).stateDict())).toEqual(['weight']);
      expect(Object.keys(new nn.Conv2d(2, 3, 1, { bias: false }).stateDict())).toEqual(['weight']);
      expect(Object.keys(new nn.BatchNorm1d(2, { affine: false }).stateDict())).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
      expect(Object.keys(new nn.BatchNorm1d(2, { trackRunningStats: false }).stateDict())).toEqual(['weight', 'bias']);
      expect(Object.keys(new nn.LayerNorm(4, { elementwiseAffine: false }).stateDict())).toEqual([]);
      expect(Object.keys(new nn.LayerNorm(4, { bias: false }).stateDict())).toEqual(['weight']);
      expect(() => new nn.Linear(2.5, 3)).toThrow(/wasmgrad\.nn\.Linear: inFeatures must be an integer ≥ 0, got 2\.5/);
      expect(() => new nn.Conv2d(1, 1, 0)).toThrow(/kernelSize must be an integer ≥ 1, got 0/);
      expect(() => new nn.BatchNorm2d(2, { momentum: 2 })).toThrow(/momentum must be a number in \[0, 1\] or null/);
    });
  });

  describe(`nn layers (${be})`, () => {
    test('Linear forward is x·Wᵀ + b (2-D, 1-D and 3-D inputs); gradients by hand', () => {
      wg.setBackend(be);
      const lin = new nn.Linear(3, 2);
      setValues(lin.weight, [1, 2, 3, -1, 0, 2]);
      setValues(lin.bias!, [0.5, -2]);
      const x = wg.tensor(
        [
          [1, 0, -1],
          [2, 1, 1],
        ],
        { requiresGrad: true },
      );
      const y = lin.forward(x);
      // row 0: [1 − 3 + 0.5, −1 − 2 − 2]; row 1: [2 + 2 + 3 + 0.5, −2 + 2 − 2]
      expect(y.shape).toEqual([2, 2]);
      expect(vals(y)).toEqual([-1.5, -5, 7.5, -2]);
      y.sum().backward();
      // dW = Σ_rows xᵀ (each output row gets the same seed 1); db = N; dx = Σ_out W
      expect(grad(lin.weight)).toEqual([3, 1, 0, 3, 1, 0]);
      expect(grad(lin.bias!)).toEqual([2, 2]);
      expect(grad(x)).toEqual([0, 2, 5, 0, 2, 5]);
      expect(vals(lin.forward(wg.tensor([1, 0, -1])))).toEqual([-1.5, -5]);
      expect(lin.forward(wg.zeros([4, 5, 3])).shape).toEqual([4, 5, 2]);
      const nb = new nn.Linear(3, 2, { bias: false });
      setValues(nb.weight, [1, 2, 3, -1, 0, 2]);
      expect(vals(nb.forward(wg.tensor([[1, 0, -1]])))).toEqual([-2, -3]);
      expect(() => lin.forward(wg.zeros([2, 4]))).toThrow(/wasmgrad\.nn\.Linear: expected an input whose last dim is in_features = 3, got shape \[2, 4\]/);
    });

    test('Conv2d, pooling, Flatten and activations: shapes and values', () => {
      wg.setBackend(be);
      const conv = new nn.Conv2d(1, 1, 2, { stride: 1 });
      setValues(conv.weight, [1, 2, 3, 4]);
      setValues(conv.bias!, [1]);
      const x = wg.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [1, 1, 3, 3] });
      expect(vals(conv.forward(x))).toEqual([38, 48, 68, 78]);
      expect(new nn.Conv2d(3, 5, 3, { stride: 2, padding: 1 }).forward(wg.zeros([2, 3, 7, 7])).shape).toEqual([2, 5, 4, 4]);
      expect(new nn.Conv2d(1, 2, 3, { dilation: 2 }).forward(wg.zeros([1, 1, 7, 7])).shape).toEqual([1, 2, 3, 3]);
      expect(() => conv.forward(wg.zeros([1, 2, 3, 3]))).toThrow(/Conv2d: expected an input \[N, 1, H, W\] or \[1, H, W\], got shape \[1, 2, 3, 3\]/);
      const x4 = wg.tensor([1, 5, 2, 0, 3, 4, 8, 7, 0, 0, 1, 1, 9, 0, 1, 2], { shape: [1, 1, 4, 4] });
      expect(vals(new nn.MaxPool2d(2).forward(x4))).toEqual([5, 8, 9, 2]);
      expect(vals(new nn.AvgPool2d(2).forward(x4))).toEqual([13 / 4, 17 / 4, 9 / 4, 5 / 4]);
      expect(new nn.MaxPool2d(3, { stride: 1, padding: 1 }).forward(x4).shape).toEqual([1, 1, 4, 4]);
      expect(new nn.AvgPool2d([2, 1]).forward(x4).shape).toEqual([1, 1, 2, 4]);
      const x5 = wg.zeros([2, 3, 4, 5]);
      expect(new nn.Flatten().forward(x5).shape).toEqual([2, 60]);
      expect(new nn.Flatten(0).forward(x5).shape).toEqual([120]);
      expect(new nn.Flatten(1, 2).forward(x5).shape).toEqual([2, 12, 5]);
      expect(new nn.Flatten(-3, -2).forward(x5).shape).toEqual([2, 12, 5]);
      expect(() => new nn.Flatten(2, 1).forward(x5)).toThrow(/startDim 2 comes after endDim 1/);
      expect(() => new nn.Flatten(4).forward(x5)).toThrow(/startDim 4 is out of range/);
      const v = wg.tensor([-2, 0, 3]);
      expect(vals(new nn.ReLU().forward(v))).toEqual([0, 0, 3]);
      expectClose(vals(new nn.LeakyReLU().forward(v)), [-0.02, 0, 3], 1e-6);
      expectClose(vals(new nn.LeakyReLU(0.5).forward(v)), [-1, 0, 3], 1e-6);
      expectClose(vals(new nn.Tanh().forward(v)), [Math.tanh(-2), 0, Math.tanh(3)], 1e-6);
      expectClose(vals(new nn.Sigmoid().forward(v)), [1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-3))], 1e-6);
      expectClose(vals(new nn.GELU().forward(v)), [-0.04550026389635842, 0, 2.9959503059051], 1e-5);
    });

    test('Embedding picks rows of its weight', () => {
      wg.setBackend(be);
      const emb = new nn.Embedding(4, 2);
      setValues(emb.weight, [0, 1, 10, 11, 20, 21, 30, 31]);
      const y = emb.forward(
        wg.tensor(
          [
            [3, 0],
            [1, 1],
          ],
          { dtype: 'int32' },
        ),
      );
      expect(y.shape).toEqual([2, 2, 2]);
      expect(vals(y)).toEqual([30, 31, 0, 1, 10, 11, 10, 11]);
    });

    test('BatchNorm1d [N, C]: batch statistics in training, running-stat updates with the unbiased variance, running stats in eval', () => {
      wg.setBackend(be);
      const bn = new nn.BatchNorm1d(2);
      setValues(bn.weight!, [2, -1]);
      setValues(bn.bias!, [0.5, 1]);
      // channel 0: 1, 2, 3, 4 (mean 2.5, biased var 1.25, unbiased 5/3); channel 1: 2, 4, 6, 8 (mean 5, var 5, unbiased 20/3)
      const xs = [1, 2, 2, 4, 3, 6, 4, 8];
      const y = bn.forward(wg.tensor(xs, { shape: [4, 2] }));
      const ref = batchNormRef(xs, [4, 2]);
      expectClose(
        vals(y),
        ref.y.map((v, i) => (i % 2 === 0 ? 2 * v + 0.5 : -v + 1)),
        1e-5,
      );
      expectClose(vals(bn.runningMean!), [0.25, 0.5], 1e-6);
      expectClose(vals(bn.runningVar!), [0.9 + 0.1 * (5 / 3), 0.9 + 0.1 * (20 / 3)], 1e-6);
      expect(bn.numBatchesTracked!.item()).toBe(1);
      // A second batch moves the averages again.
      const xs2 = [0, 0, 2, 1, 4, 2, 6, 3];
      bn.forward(wg.tensor(xs2, { shape: [4, 2] }));
      const ref2 = batchNormRef(xs2, [4, 2]);
      const rm = [0.25, 0.5].map((r, c) => 0.9 * r + 0.1 * ref2.mean[c]);
      const rv = [0.9 + 0.1 * (5 / 3), 0.9 + 0.1 * (20 / 3)].map((r, c) => 0.9 * r + 0.1 * ref2.unbiased[c]);
      expectClose(vals(bn.runningMean!), rm, 1e-6);
      expectClose(vals(bn.runningVar!), rv, 1e-6);
      expect(bn.numBatchesTracked!.item()).toBe(2);
      // Eval: (x − running_mean)/√(running_var + eps)·γ + β, and no update.
      bn.eval();
      const ye = bn.forward(wg.tensor(xs, { shape: [4, 2] }));
      const w = [2, -1],
        b = [0.5, 1];
      expectClose(
        vals(ye),
        xs.map((v, i) => ((v - rm[i % 2]) / Math.sqrt(rv[i % 2] + 1e-5)) * w[i % 2] + b[i % 2]),
        1e-5,
      );
      expectClose(vals(bn.runningMean!), rm, 1e-6);
      expect(bn.numBatchesTracked!.item()).toBe(2);
      expect(() => bn.forward(wg.zeros([4, 3]))).toThrow(/BatchNorm1d: expected an input \[N, 2\] or \[N, 2, L\], got shape \[4, 3\]/);
      bn.train();
      expect(() => bn.forward(wg.zeros([1, 2]))).toThrow(/expected more than 1 value per channel when training/);
    });

    test('BatchNorm1d [N, C, L] and BatchNorm2d [N, C, H, W] normalise over every dim but the channel', () => {
      wg.setBackend(be);
      wg.manualSeed(3);
      const x3 = Array.from({ length: 2 * 3 * 5 }, () => 4 * uniform() - 1);
      const bn1 = new nn.BatchNorm1d(3);
      expectClose(vals(bn1.forward(wg.tensor(x3, { shape: [2, 3, 5] }))), batchNormRef(x3, [2, 3, 5]).y, 1e-4);
      expectClose(
        vals(bn1.runningVar!),
        batchNormRef(x3, [2, 3, 5]).unbiased.map((u) => 0.9 + 0.1 * u),
        1e-5,
      );
      const x4 = Array.from({ length: 3 * 2 * 3 * 4 }, () => 10 * uniform() + 5);
      const bn2 = new nn.BatchNorm2d(2);
      const ref = batchNormRef(x4, [3, 2, 3, 4]);
      expectClose(vals(bn2.forward(wg.tensor(x4, { shape: [3, 2, 3, 4] }))), ref.y, 1e-4);
      expectClose(
        vals(bn2.runningMean!),
        ref.mean.map((m) => 0.1 * m),
        1e-5,
      );
      expectClose(
        vals(bn2.runningVar!),
        ref.unbiased.map((u) => 0.9 + 0.1 * u),
        1e-5,
      );
      expect(() => bn2.forward(wg.zeros([3, 2, 4]))).toThrow(/BatchNorm2d: expected an input \[N, 2, H, W\], got shape \[3, 2, 4\]/);
      // momentum null: the cumulative average of the batch statistics.
      const cum = new nn.BatchNorm2d(2, { momentum: null });
      const xb = x4.map((v) => v * 0.5 - 3);
      cum.forward(wg.tensor(x4, { shape: [3, 2, 3, 4] }));
      cum.forward(wg.tensor(xb, { shape: [3, 2, 3, 4] }));
      const refb = batchNormRef(xb, [3, 2, 3, 4]);
      expectClose(
        vals(cum.runningMean!),
        ref.mean.map((m, c) => (m + refb.mean[c]) / 2),
        1e-5,
      );
      expectClose(
        vals(cum.runningVar!),
        ref.unbiased.map((u, c) => (u + refb.unbiased[c]) / 2),
        1e-5,
      );
      // No running stats: batch statistics in eval mode too.
      const free = new nn.BatchNorm2d(2, { trackRunningStats: false }).eval();
      expectClose(vals(free.forward(wg.tensor(x4, { shape: [3, 2, 3, 4] }))), ref.y, 1e-4);
    });

    test('LayerNorm normalises each sample over the trailing dims', () => {
      wg.setBackend(be);
      const ln = new nn.LayerNorm(3);
      setValues(ln.weight!, [1, 2, -1]);
      setValues(ln.bias!, [0, 1, 0.5]);
      // row [1, 2, 3]: mean 2, biased var 2/3; row [0, 0, 6]: mean 2, var 8
      const y = ln.forward(
        wg.tensor([
          [1, 2, 3],
          [0, 0, 6],
        ]),
      );
      const s1 = Math.sqrt(2 / 3 + 1e-5),
        s2 = Math.sqrt(8 + 1e-5);
      expectClose(vals(y), [-1 / s1, 0 * 2 + 1, (1 / s1) * -1 + 0.5, -2 / s2, (-2 / s2) * 2 + 1, (4 / s2) * -1 + 0.5], 1e-5);
      // Over the last two dims of [2, 2, 3]: each [2, 3] block on its own, the same in eval mode.
      const ln2 = new nn.LayerNorm([2, 3]).eval();
      const xs = [1, 2, 3, 4, 5, 6, -3, 0, 3, 0, 0, 0];
      const m2 = [3.5, 0],
        v2 = [35 / 12, 3];
      expectClose(
        vals(ln2.forward(wg.tensor(xs, { shape: [2, 2, 3] }))),
        xs.map((v, i) => (v - m2[Math.floor(i / 6)]) / Math.sqrt(v2[Math.floor(i / 6)] + 1e-5)),
        1e-5,
      );
      expect(() => ln2.forward(wg.zeros([2, 3, 2]))).toThrow(/LayerNorm: expected an input \[\.\.\., 2, 3\], got shape \[2, 3, 2\]/);
    });
  });

  describe(`nn training (${be})`, () => {
    test('SGD on a CNN with BatchNorm, Dropout and LayerNorm: the loss falls and memory stays flat', () => {
      wg.setBackend(be);
      wg.manualSeed(21);
      const model = new nn.Sequential(
        new nn.Conv2d(1, 4, 3, { padding: 1 }),
        new nn.BatchNorm2d(4),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Flatten(),
        new nn.Dropout(0.1),
        new nn.Linear(36, 3),
        new nn.LayerNorm(3),
      );
      const x = wg.randn([8, 1, 6, 6]);
      const target = wg.randn([8, 3]).keep();
      const evalLoss = () => {
        model.eval();
        const l = wg.noGrad(() => model.forward(x).sub(target).square().mean().item());
        model.train();
        return l;
      };
      const heap = x.storage.backend.heap;
      const step = () => {
        const loss = model.forward(x).sub(target).square().mean();
        model.zeroGrad();
        loss.backward();
        wg.noGrad(() => {
          for (const p of model.parameters()) p.sub_(p.grad!.mul(0.05));
        });
      };
      const first = evalLoss();
      for (let i = 0; i < 20; i++) step();
      const inUse = heap.inUse;
      const high = heap.highWater;
      for (let i = 0; i < 300; i++) step();
      expect(heap.inUse).toBeLessThanOrEqual(inUse);
      expect(heap.highWater).toBe(high);
      expect(evalLoss()).toBeLessThan(0.5 * first);
      expect((model.at(1) as nn.BatchNorm2d).numBatchesTracked!.item()).toBe(320);
    });
  });

  describe(`nn loadStateDict (${be})`, () => {
    test('round trip copies values in place (the same tensor objects), buffers included', () => {
      wg.setBackend(be);
      wg.manualSeed(1);
      const a = cnn();
      a.forward(wg.randn([2, 1, 8, 8])); // moves a's running stats and num_batches_tracked
      wg.manualSeed(2);
      const b = cnn();
      const before = b.stateDict();
      expect(snapshot(b)).not.toEqual(snapshot(a));
      expect(b.loadStateDict(a.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect(snapshot(b)).toEqual(snapshot(a));
      expect(snapshot(b)['1.num_batches_tracked']).toEqual([1]);
      const after = b.stateDict();
      for (const k of CNN_KEYS) expect(after[k]).toBe(before[k]);
      // The loaded model computes what the original does (in eval mode, from the running stats).
      const x = wg.randn([3, 1, 8, 8]);
      a.eval();
      b.eval();
      expect(vals(b.forward(x))).toEqual(vals(a.forward(x)));
      // Loading a model's own state dict and a Map work too.
      b.loadStateDict(b.stateDict());
      b.loadStateDict(new Map(Object.entries(a.stateDict())));
      expect(snapshot(b)).toEqual(snapshot(a));
    });

    test('every mismatch is reported in one Error and nothing is modified', () => {
      wg.setBackend(be);
      const model = cnn();
      const good = model.stateDict();
      const original = snapshot(model);
      const src = snapshot(cnn());
      const sd: Record<string, unknown> = Object.fromEntries(
        Object.entries(src).map(([k, v]) => [k, wg.tensor(v, { shape: good[k].shape, dtype: good[k].dtype })]),
      );
      delete sd['0.bias'];
      delete sd['1.running_var'];
      sd['extra.weight'] = wg.zeros([2]);
      sd['5.weight'] = wg.zeros([64, 10]);
      sd['1.num_batches_tracked'] = wg.zeros([]);
      sd['1.weight'] = [1, 1, 1, 1];
      let message = '';
      try {
        model.loadStateDict(sd as nn.StateDict);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^wasmgrad\.nn\.Sequential\.loadStateDict: the state dict does not match the model \(nothing was loaded\)/);
      expect(message).toContain("missing key(s): '0.bias', '1.running_var'");
      expect(message).toContain("unexpected key(s): 'extra.weight'");
      expect(message).toContain("size mismatch for '5.weight': the loaded tensor has shape [64, 10], the model's is [10, 64]");
      expect(message).toContain("dtype mismatch for '1.num_batches_tracked': the loaded tensor is float32, the model's is int32");
      expect(message).toContain("'1.weight' is not a Tensor");
      expect(snapshot(model)).toEqual(original);
      // One problem at a time too.
      const only = (k: string, t: unknown) => ({ ...model.stateDict(), [k]: t }) as nn.StateDict;
      expect(() => model.loadStateDict(only('0.weight', wg.zeros([4, 1, 3])))).toThrow(/size mismatch for '0\.weight'/);
      expect(() => model.loadStateDict(only('5.bias', wg.zeros([10], { dtype: 'int32' })))).toThrow(/dtype mismatch for '5\.bias'/);
      const stale = wg.ones([10]).mul(2);
      stale.dispose();
      expect(() => model.loadStateDict(only('5.bias', stale))).toThrow(/'5\.bias' is a freed tensor \(made by 'mul' in step \d+, then disposed\)/);
      expect(() => model.loadStateDict([] as unknown as nn.StateDict)).toThrow(/expected a state dict/);
      expect(snapshot(model)).toEqual(original);
    });

    test('strict: false skips missing and unexpected keys and reports them, but not shape mismatches', () => {
      wg.setBackend(be);
      const lin = new nn.Linear(2, 2);
      const r = lin.loadStateDict({ bias: wg.tensor([7, 8]), other: wg.zeros([1]) }, { strict: false });
      expect(r).toEqual({ missingKeys: ['weight'], unexpectedKeys: ['other'] });
      expect(vals(lin.bias!)).toEqual([7, 8]);
      expect(() => lin.loadStateDict({ bias: wg.zeros([3]) }, { strict: false })).toThrow(/size mismatch for 'bias'/);
      expect(vals(lin.bias!)).toEqual([7, 8]);
    });

    test('a state dict from the other backend loads', () => {
      const other = be === 'wasm' ? 'reference' : 'wasm';
      wg.setBackend(other);
      const a = new nn.Linear(3, 2);
      wg.setBackend(be);
      const b = new nn.Linear(3, 2);
      b.loadStateDict(a.stateDict());
      expectClose(vals(b.weight), vals(a.weight), 1e-7);
      expectClose(vals(b.bias!), vals(a.bias!), 1e-7);
      expect(wg.getBackend()).toBe(be);
    });
  });
}

describe('nn gradients (reference backend, float64)', () => {
  test('BatchNorm2d in training mode: input gradient vs wg.gradcheck, parameter gradients vs finite differences', () => {
    wg.setBackend('reference');
    wg.manualSeed(5);
    const bn = new nn.BatchNorm2d(2);
    setValues(bn.weight!, [1.5, -0.7]);
    setValues(bn.bias!, [0.2, 0.3]);
    const x = wg.randn([3, 2, 2, 2], { requiresGrad: true });
    expect(wg.gradcheck((xx) => bn.forward(xx), [x]).ok).toBe(true);
    const w = wg.randn([3, 2, 2, 2]);
    checkParamGrads(bn, () => bn.forward(x).mul(w).sum());
  });

  test('BatchNorm1d in eval mode and LayerNorm: gradients vs wg.gradcheck and finite differences', () => {
    wg.setBackend('reference');
    wg.manualSeed(6);
    const bn = new nn.BatchNorm1d(3);
    bn.forward(wg.randn([5, 3, 4])); // move the running stats away from 0/1
    bn.eval();
    const x = wg.randn([2, 3, 4], { requiresGrad: true });
    expect(wg.gradcheck((xx) => bn.forward(xx), [x]).ok).toBe(true);
    const bn1 = new nn.BatchNorm1d(3);
    expect(wg.gradcheck((xx) => bn1.forward(xx), [wg.randn([4, 3], { requiresGrad: true })]).ok).toBe(true);
    const ln = new nn.LayerNorm([2, 3]);
    setValues(ln.weight!, [1, 2, 3, -1, 0.5, 0.1]);
    setValues(ln.bias!, [0, 1, 2, 3, 4, 5]);
    const xl = wg.randn([4, 2, 3], { requiresGrad: true });
    expect(wg.gradcheck((xx) => ln.forward(xx), [xl]).ok).toBe(true);
    const wl = wg.randn([4, 2, 3]);
    checkParamGrads(ln, () => ln.forward(xl).mul(wl).sum());
  });

  test('a small model: Linear → LayerNorm → GELU → Linear → BatchNorm1d, every parameter', () => {
    wg.setBackend('reference');
    wg.manualSeed(9);
    const model = new nn.Sequential(new nn.Linear(4, 6), new nn.LayerNorm(6), new nn.GELU(), new nn.Linear(6, 3), new nn.BatchNorm1d(3));
    const x = wg.randn([5, 4]);
    const w = wg.randn([5, 3]);
    checkParamGrads(model, () => model.forward(x).mul(w).sum(), 1e-5);
  });

  test('the same model and data give the same gradients on wasm (float32) as on the reference', () => {
    const run = (be: 'wasm' | 'reference') => {
      wg.setBackend(be);
      wg.manualSeed(11);
      const model = new nn.Sequential(
        new nn.Conv2d(2, 3, 3, { padding: 1 }),
        new nn.BatchNorm2d(3),
        new nn.ReLU(),
        new nn.AvgPool2d(2),
        new nn.Flatten(),
        new nn.Linear(12, 4),
        new nn.LayerNorm(4),
      );
      const x = wg.randn([2, 2, 4, 4]);
      const w = wg.randn([2, 4]);
      model.forward(x).mul(w).sum().backward();
      return model.namedParameters().map(([k, p]) => [k, grad(p)] as const);
    };
    const ref = run('reference');
    const got = run('wasm');
    got.forEach(([k, g], i) => {
      expect(k).toBe(ref[i][0]);
      expectClose(g, ref[i][1], 1e-3);
    });
  });
});

test('toString prints the module tree as PyTorch does', () => {
  wg.setBackend('reference');
  expect(cnn().toString()).toBe(
    [
      'Sequential(',
      '  (0): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))',
      '  (1): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
      '  (2): ReLU()',
      '  (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)',
      '  (4): Flatten(start_dim=1, end_dim=-1)',
      '  (5): Linear(in_features=64, out_features=10, bias=True)',
      ')',
    ].join('\n'),
  );
  expect(new nn.Sequential(new nn.Sequential(new nn.Tanh())).toString()).toBe('Sequential(\n  (0): Sequential(\n    (0): Tanh()\n  )\n)');
});
