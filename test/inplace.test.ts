/**
 * PyTorch's in-place methods (src/api/inplace.ts): x.name_(...args) is x.name(...args) made x,
 * with PyTorch 1.13's rules (shape kept, no float32 into int32, comparisons in x's dtype, leaves
 * that require grad refused) and its autograd (an in-place op on a computed tensor is recorded).
 * Expected values are PyTorch 1.13's, written as literals with the torch call that gave them.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { IN_PLACE_CASTS, IN_PLACE_SHAPES, IN_PLACE_VALUES } from '../src/api/inplace.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

type T = wg.Tensor;
const t = (v: wg.NestedArray) => wg.tensor(v);
const int = (v: wg.NestedArray) => wg.tensor(v, { dtype: 'int32' });
const idx = (v: wg.NestedArray) => int(v);
const leaf = (v: wg.NestedArray) => wg.tensor(v, { requiresGrad: true });
const round7 = (x: T) => Array.from(x.data(), (v) => Math.round(v * 1e7) / 1e7);
/** Method access by name (the in-place forms are installed in a loop). */
const call = (x: T, name: string, args: readonly unknown[]) => (x as unknown as Record<string, (...a: unknown[]) => T>)[name](...args);

// Inputs in each op's domain: x in (-1, 1), pos > 0, big ≥ 1, unit in (0, 1), o a second operand.
const x = () => t([-0.9, -0.25, 0.3, 0.8, 0.95]);
const pos = () => t([1.5, 0.25, 0.3, 0.8, 2.2]);
const big = () => t([1.5, 2, 3.5, 1.1, 4]);
const unit = () => t([0.1, 0.25, 0.3, 0.8, 0.95]);
const o = () => t([0.5, -2, 1.5, 3, -0.7]);
const ints = () => int([-3, 5, 7, -8, 6]);
const m23 = () =>
  t([
    [1, -2, 3],
    [-4, 5, -6],
  ]);

/** name → [the tensor, the arguments]: every in-place form, checked against its out-of-place method. */
const CASES: Record<string, [() => T, () => unknown[]]> = {
  ...Object.fromEntries(
    ['abs', 'absolute', 'acos', 'asin', 'asinh', 'atan', 'atanh', 'ceil', 'cos', 'cosh', 'deg2rad', 'erf', 'erfc', 'erfinv', 'exp', 'exp2', 'expm1'].map(
      (n) => [n, [x, () => []]],
    ),
  ),
  ...Object.fromEntries(
    ['floor', 'frac', 'i0', 'nanToNum', 'neg', 'negative', 'rad2deg', 'relu', 'round', 'sgn', 'sigmoid', 'sign', 'sin', 'sinc', 'sinh'].map((n) => [
      n,
      [x, () => []],
    ]),
  ),
  ...Object.fromEntries(['square', 'tan', 'tanh', 'trunc', 'tril', 'triu'].map((n) => [n, [n.startsWith('tri') ? m23 : x, () => []]])),
  ...Object.fromEntries(['digamma', 'lgamma', 'log', 'log10', 'log1p', 'log2', 'reciprocal', 'rsqrt', 'sqrt'].map((n) => [n, [pos, () => []]])),
  acosh: [big, () => []],
  ...Object.fromEntries(['arccos', 'arcsin', 'arcsinh', 'arctan', 'arctanh', 'fix'].map((n) => [n, [x, () => []]])),
  arccosh: [big, () => []],
  arctan2: [x, () => [o()]],
  indexPut: [m23, () => [[idx([1, 0]), idx([2, 2])], t([7, -1]), true]],
  put: [m23, () => [idx([5, 0, 5]), t([1, 2, 3]), true]],
  maskedScatter: [m23, () => [t([[1, 0, 1], [0, 0, 1]]), t([9, 8, 7, 6])]], // prettier-ignore
  indexReduce: [m23, () => [0, idx([1, 1]), t([[2, 3, 4], [5, 6, 7]]), 'prod']], // prettier-ignore
  logit: [unit, () => []],
  conjPhysical: [x, () => []],
  igamma: [pos, () => [big()]],
  igammac: [pos, () => [big()]],
  mvlgamma: [big, () => [2]],
  polygamma: [pos, () => [1]],
  ...Object.fromEntries(
    ['add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'trueDivide', 'atan2', 'copysign', 'fmod', 'remainder', 'hypot'].map((n) => [
      n,
      [x, () => [o()]],
    ]),
  ),
  ...Object.fromEntries(['floorDivide', 'heaviside', 'nextafter', 'ldexp'].map((n) => [n, [x, () => [o()]]])),
  xlogy: [x, () => [pos()]],
  pow: [pos, () => [o()]],
  clamp: [x, () => [-0.5, 0.5]],
  clip: [x, () => [-0.5, 0.5]],
  clampMin: [x, () => [0]],
  clampMax: [x, () => [0]],
  lerp: [x, () => [o(), 0.3]],
  addcmul: [x, () => [o(), pos(), { value: 0.5 }]],
  addcdiv: [x, () => [o(), pos(), { value: 0.5 }]],
  renorm: [m23, () => [2, 0, 3]],
  cumsum: [m23, () => [1]],
  cumprod: [m23, () => [1]],
  ...Object.fromEntries(
    ['gcd', 'lcm', 'bitwiseAnd', 'bitwiseOr', 'bitwiseXor', 'bitwiseLeftShift', 'bitwiseRightShift'].map((n) => [n, [ints, () => [int([2, 3, 4, 1, 9])]]]),
  ),
  bitwiseNot: [ints, () => []],
  addmm: [() => t([[1, 2], [3, 4]]), () => [m23(), m23().t(), { beta: 0.5, alpha: 2 }]], // prettier-ignore
  addmv: [() => t([1, -1]), () => [m23(), t([0.5, 1, -2])]],
  addr: [m23, () => [t([1, 2]), t([3, -1, 0.5])]],
  baddbmm: [() => wg.ones([2, 2, 2]), () => [wg.arange(12).reshape(2, 2, 3), wg.arange(12).reshape(2, 3, 2)]],
  addbmm: [() => wg.ones([2, 2]), () => [wg.arange(12).reshape(2, 2, 3), wg.arange(12).reshape(2, 3, 2)]],
  indexAdd: [() => wg.zeros([3, 3]), () => [0, idx([0, 2, 0]), m23().repeat(1, 1).slice(0, 0, 2).reshape(2, 3).repeat(2, 1).slice(0, 0, 3), { alpha: 2 }]],
  indexCopy: [() => wg.zeros([3, 3]), () => [0, idx([2, 0]), m23()]],
  indexFill: [m23, () => [1, idx([0, 2]), -1]],
  maskedFill: [m23, () => [t([[1, 0, 1], [0, 0, 1]]), -Infinity]], // prettier-ignore
  scatter: [() => wg.zeros([2, 3]), () => [1, idx([[2, 0], [1, 1]]), m23()]], // prettier-ignore
  scatterAdd: [() => wg.ones([2, 3]), () => [1, idx([[2, 0, 2], [1, 1, 0]]), m23()]], // prettier-ignore
  scatterReduce: [() => wg.ones([2, 3]), () => [1, idx([[2, 0, 2], [1, 1, 0]]), m23(), 'amax']], // prettier-ignore
  ...Object.fromEntries(
    ['eq', 'ne', 'notEqual', 'lt', 'less', 'le', 'lessEqual', 'gt', 'greater', 'ge', 'greaterEqual', 'logicalAnd', 'logicalOr', 'logicalXor'].map((n) => [
      n,
      [x, () => [t([0.5, -0.25, 0, 3, 0.95])]],
    ]),
  ),
  logicalNot: [() => t([0, 1, -2, 0, 0.5]), () => []],
  t: [m23, () => []],
  transpose: [() => wg.arange(6).reshape(1, 2, 3), () => [0, 2]],
  swapaxes: [() => wg.arange(6).reshape(1, 2, 3), () => [1, 2]],
  swapdims: [() => wg.arange(6).reshape(1, 2, 3), () => [0, 1]],
  squeeze: [() => wg.arange(6).reshape(1, 2, 1, 3), () => []],
  unsqueeze: [m23, () => [1]],
};

for (const be of ['wasm', 'reference'] as const)
  describe(`in-place methods on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('every in-place form gives its out-of-place result, in the tensor itself', () => {
      const names = [...IN_PLACE_VALUES, ...IN_PLACE_CASTS, ...IN_PLACE_SHAPES];
      expect(Object.keys(CASES).sort()).toEqual([...names].sort());
      for (const name of names) {
        const [make, args] = CASES[name];
        const expected = call(make(), name, args());
        const self = make();
        expect(call(self, `${name}_`, args()), name).toBe(self);
        expect([self.shape, self.dtype, self.toArray()], name).toEqual([expected.shape, make().dtype, expected.toArray()]);
      }
    });

    test('bernoulli_ with a tensor of probabilities draws each element with its own p, broadcast to the tensor', () => {
      // p ∈ {0, 1} makes the draw certain: torch.zeros(2, 3).bernoulli_(torch.tensor([0., 1, 1])) is [[0, 1, 1], [0, 1, 1]]
      expect(
        wg
          .zeros([2, 3])
          .bernoulli_(t([0, 1, 1]))
          .toArray(),
      ).toEqual([
        [0, 1, 1],
        [0, 1, 1],
      ]);
      expect(
        wg
          .zeros([2, 3], { dtype: 'int32' })
          .bernoulli_(t([[1], [0]]))
          .toArray(),
      ).toEqual([
        [1, 1, 1],
        [0, 0, 0],
      ]);
      wg.manualSeed(3);
      const mean = wg
        .zeros([4000])
        .bernoulli_(wg.full([4000], 0.25))
        .mean()
        .item();
      expect(Math.abs(mean - 0.25)).toBeLessThan(0.035); // 5 standard errors of a mean of 4000 draws: sqrt(0.25·0.75/4000) ≈ 0.0068
      expect(() => wg.zeros([2, 3]).bernoulli_(t([0.5, 0.5]))).toThrow(/bernoulli_: shapes \[2, 3\] and \[2\] cannot be broadcast together/);
      expect(() => wg.zeros([3]).bernoulli_(wg.full([2, 3], 0.5))).toThrow(/bernoulli_: probabilities p \[2, 3\] do not broadcast to the tensor's shape \[3\]/);
      expect(() => wg.zeros([3]).bernoulli_(int([0, 1, 1]))).toThrow(/bernoulli_: probabilities p must be a float32 tensor/);
      expect(() => wg.zeros([3]).bernoulli_(t([0.5, 1.5, 0]))).toThrow(/bernoulli: probabilities must be in \[0, 1\], got 1\.5/);
    });

    test('values as PyTorch', () => {
      // torch.tensor([-1.5, -0.25, 0.3, 0.8, 2.2]).relu_() / .sigmoid_() / .clamp_(-1, 1)
      const v = [-1.5, -0.25, 0.3, 0.8, 2.2];
      expect(round7(t(v).relu_())).toEqual([0, 0, 0.3, 0.8, 2.2]);
      expect(round7(t(v).sigmoid_())).toEqual([0.1824255, 0.4378235, 0.5744425, 0.6899745, 0.9002495]);
      expect(round7(t(v).clamp_(-1, 1))).toEqual([-1, -0.25, 0.3, 0.8, 1]);
      // torch.tensor([-3, 5, 7, -8], dtype=torch.int32).div_(2, rounding_mode='floor') → [-2, 2, 3, -4]
      expect(int([-3, 5, 7, -8]).div_(2, { roundingMode: 'floor' }).toArray()).toEqual([-2, 2, 3, -4]);
      // s = torch.tensor([[0., 1, 2], [3, 4, 5]]); s.masked_fill_(m, -inf)
      expect(wg.arange(6).reshape(2, 3).maskedFill_(t([[1, 0, 1], [0, 0, 1]]), -Infinity).toArray()).toEqual([[-Infinity, 1, -Infinity], [3, 4, -Infinity]]); // prettier-ignore
      // torch.zeros(3, 2).index_add_(0, torch.tensor([0, 2, 0]), torch.tensor([[1., 2], [3, 4], [5, 6]]), alpha=2)
      expect(wg.zeros([3, 2]).indexAdd_(0, idx([0, 2, 0]), t([[1, 2], [3, 4], [5, 6]]), { alpha: 2 }).toArray()).toEqual([[12, 16], [0, 0], [6, 8]]); // prettier-ignore
    });

    test("comparisons write 0/1 in the tensor's dtype", () => {
      // torch.tensor([-3, 5, 7, -8], dtype=torch.int32).gt_(0) → tensor([0, 1, 1, 0], dtype=torch.int32)
      const i = int([-3, 5, 7, -8]).gt_(0);
      expect([i.dtype, i.toArray()]).toEqual(['int32', [0, 1, 1, 0]]);
      // torch.tensor([-1.5, -0.25, 0.3, 0.8, 2.2]).eq_(0.3) → [0., 0., 1., 0., 0.]
      const f = t([-1.5, -0.25, 0.3, 0.8, 2.2]).eq_(0.3);
      expect([f.dtype, f.toArray()]).toEqual(['float32', [0, 0, 1, 0, 0]]);
    });

    test('shape ops give the tensor their shape', () => {
      // a = torch.arange(6.).reshape(2, 3); a.t_() → [3, 2] [[0, 3], [1, 4], [2, 5]]
      const a = wg.arange(6).reshape(2, 3);
      expect(a.t_().shape).toEqual([3, 2]);
      expect(a.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]); // prettier-ignore
      // torch.arange(6.).reshape(1, 2, 3).transpose_(0, 2) → [3, 2, 1]
      expect(wg.arange(6).reshape(1, 2, 3).transpose_(0, 2).toArray()).toEqual([[[0], [3]], [[1], [4]], [[2], [5]]]); // prettier-ignore
      // torch.arange(6.).reshape(1, 2, 1, 3).squeeze_() → [2, 3]; torch.arange(3.).unsqueeze_(0) → [1, 3]
      expect(wg.arange(6).reshape(1, 2, 1, 3).squeeze_().shape).toEqual([2, 3]);
      expect(wg.arange(3).unsqueeze_(0).shape).toEqual([1, 3]);
    });

    test('errors as PyTorch, and the tensor unchanged', () => {
      const a = t([1, 2, 3]);
      // torch.ones(3).add_(torch.ones(2, 3)): "output with shape [3] doesn't match the broadcast shape [2, 3]"
      expect(() => a.add_(wg.ones([2, 3]))).toThrow(wg.ShapeError);
      expect(() => a.add_(wg.ones([2, 3]))).toThrow(/^wasmgrad\.add_: output with shape \[3\] doesn't match the broadcast shape \[2, 3\]/);
      expect(() => a.unsqueeze_(5)).toThrow(wg.ShapeError);
      expect(() => a.t_()).not.toThrow(); // 1-D: unchanged, as torch
      // torch.ones(3, dtype=torch.int32).sqrt_() / .div_(2): "result type Float can't be cast to the desired output type Int"
      const i = int([1, 4, 9]);
      expect(() => i.sqrt_()).toThrow(wg.DTypeError);
      expect(() => i.div_(2)).toThrow(/^wasmgrad\.div_: the result is float32, which cannot be written into this int32 tensor \[3\]/);
      expect(() => i.mul_(0.5)).toThrow(wg.DTypeError);
      // torch.ones(3, requires_grad=True).relu_(): "a leaf Variable that requires grad is being used in an in-place operation."
      const w = leaf([-1, 2, 3]);
      expect(() => w.relu_()).toThrow(wg.AutogradError);
      expect(() => w.t_()).toThrow(/^wasmgrad\.t_: a leaf tensor \[3\] that requires grad is being used in an in-place operation/);
      expect([a.toArray(), i.toArray(), w.toArray(), w.isLeaf]).toEqual([[1, 2, 3], [1, 4, 9], [-1, 2, 3], true]);
      // the out-of-place method's own checks run first, naming it
      const gone = t([1, 2]);
      gone.dispose();
      expect(() => gone.relu_()).toThrow(wg.RecycledTensorError);
      expect(() => a.indexFill_(0, idx([3]), 1)).toThrow(/^wasmgrad\.indexFill: index 3 at position \[0\] of indices \[1\] is out of range/);
      expect(a.toArray()).toEqual([1, 2, 3]);
      // inside noGrad a leaf is written (an optimizer's update, as torch.no_grad())
      wg.noGrad(() => w.relu_());
      expect([w.toArray(), w.isLeaf, w.requiresGrad]).toEqual([[0, 2, 3], true, true]);
    });

    test('a tensor a graph saved, written in place outside autograd, still refuses backward', () => {
      // x = torch.tensor([1., 2., 3.]); w = leaf; b = x * w; x.relu_(); b.sum().backward(): version error
      const xs = t([1, -2, 3]);
      const w = leaf([0.5, 1, 2]);
      const b = xs.mul(w);
      xs.relu_();
      expect(() => b.sum().backward()).toThrow(/input 0 of 'mul' was modified in place after it was used/);
    });
  });

for (const be of ['wasm', 'reference'] as const)
  describe(`in-place autograd on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('a = x.mul(2); a.add_(1): x.grad = 2', () => {
      const xl = leaf([1, 2, 3]);
      const a = xl.mul(2);
      a.add_(1);
      expect([a.isLeaf, a.gradFn?.name(), a.toArray()]).toEqual([false, 'AddBackward0', [3, 5, 7]]);
      a.sum().backward();
      expect(xl.grad!.toArray()).toEqual([2, 2, 2]);
    });

    test('a chain of in-place ops', () => {
      // x = torch.tensor([0.5, -1., 2.], requires_grad=True)
      // a = x.mul(3); a.sub_(1).mul_(x).pow_(2).sin_().relu_(); a.sum().backward()
      const xl = leaf([0.5, -1, 2]);
      const a = xl.mul(3);
      expect(a.sub_(1).mul_(xl).pow_(2).sin_().relu_()).toBe(a);
      expect(a.gradFn?.name()).toBe('ReluBackward0');
      expect(round7(a)).toEqual([0.0624593, 0, 0]);
      a.sum().backward();
      expect(round7(xl.grad!)).toEqual([0.9980475, 0, 0]);
    });

    test('in place after the value was used by others: their edges keep the former value', () => {
      // x = leaf [0.5, -1., 2.]; w = torch.tensor([2., 3., -1.]); a = x.mul(2); b = a.mul(w); a.add_(1)
      // (b.sum() + (a * a).sum()).backward() → x.grad [12, 2, 18]
      const xl = leaf([0.5, -1, 2]);
      const w = t([2, 3, -1]);
      const a = xl.mul(2);
      const b = a.mul(w);
      const e = a.exp(); // saves its output, the former a's exp
      a.add_(1);
      b.sum().add(a.mul(a).sum()).add(e.sum()).backward();
      // with e = a.exp() before a.add_(1) and + e.sum() in the loss: x.grad [17.43656, 2.27067, 127.19630]
      expect(Array.from(xl.grad!.data(), (v) => Math.round(v * 1e4) / 1e4)).toEqual([17.4366, 2.2707, 127.1963]);
    });

    test('a saved value written in place: the graph keeps the former one (PyTorch refuses)', () => {
      // torch: w requiring grad makes b = a.mul(w) save a, and a.add_(1) then fails its backward
      // ("modified by an inplace operation"). Here a's former value is untouched and used; the
      // gradients are those of a.clone().add_(1): x.grad [12, 2, 18], w.grad [1, -2, 4].
      const xl = leaf([0.5, -1, 2]);
      const w = leaf([2, 3, -1]);
      const a = xl.mul(2);
      const b = a.mul(w);
      a.add_(1);
      b.sum().add(a.mul(a).sum()).backward();
      expect([xl.grad!.toArray(), w.grad!.toArray()]).toEqual([
        [12, 2, 18],
        [1, -2, 4],
      ]);
    });

    test('a tensor that did not require grad takes the graph of its in-place result', () => {
      // x = torch.tensor([1., 2., 3.]); w = leaf [0.5, -1., 2.]; x.mul_(w) → is_leaf False, MulBackward0
      // x.exp().sum().backward() → w.grad [1.6487212, 0.2706706, 1210.286377]
      const xs = t([1, 2, 3]);
      const w = leaf([0.5, -1, 2]);
      xs.mul_(w);
      expect([xs.isLeaf, xs.requiresGrad, xs.gradFn?.name()]).toEqual([false, true, 'MulBackward0']);
      xs.exp().sum().backward();
      expect(round7(w.grad!)).toEqual([1.6487212, 0.2706706, 1210.286377].map((v) => Math.round(v * 1e7) / 1e7));
    });

    test('shape ops on a computed tensor', () => {
      // x = leaf [[1., 2., 3.], [4., 5., 6.]]; c = [[1., -1.], [2., .5], [3., -2.]]
      // a = x.mul(1.5); a.t_(); (a * c).pow(2).sum().backward() → [3, 2], TBackward1
      const xl = leaf([[1, 2, 3], [4, 5, 6]]); // prettier-ignore
      const a = xl.mul(1.5);
      a.t_();
      expect(a.shape).toEqual([3, 2]);
      a.mul(t([[1, -1], [2, 0.5], [3, -2]])).pow(2).sum().backward(); // prettier-ignore
      expect(xl.grad!.toArray()).toEqual([[4.5, 36, 121.5], [18, 5.625, 108]]); // prettier-ignore
      // torch: x.mul(1.5).unsqueeze(0).squeeze_(0).unsqueeze_(1) → [2, 1, 3]
      const b = xl.mul(1.5).unsqueeze(0);
      b.squeeze_(0).unsqueeze_(1);
      expect(b.shape).toEqual([2, 1, 3]);
    });

    test("in place on a Module's input", () => {
      // class M(nn.Module): lin = Linear(2, 1), weight [[0.5, -1.]], bias [0.25]; forward(z): z.mul_(2); return lin(z)
      // x = leaf [[1., -2.], [0.5, 3.]]; h2 = x.mul(1.0).mul(1.5).add(0.5); M()(h2).sum().backward()
      // → h2 [[4, -5], [2.5, 10]], x.grad [[1.5, -3], [1.5, -3]], lin.weight.grad [[6.5, 5]]
      class M extends wg.nn.Module {
        lin = new wg.nn.Linear(2, 1);
        constructor() {
          super();
          wg.noGrad(() => {
            this.lin.weight.copy_(t([[0.5, -1]]));
            this.lin.bias!.copy_(t([0.25]));
          });
        }
        forward(z: T): T {
          z.mul_(2);
          return this.lin.forward(z);
        }
      }
      const xl = leaf([[1, -2], [0.5, 3]]); // prettier-ignore
      const h2 = xl.mul(1).mul(1.5).add(0.5);
      const m = new M();
      m.forward(h2).sum().backward();
      expect([h2.toArray(), xl.grad!.toArray(), m.lin.weight.grad!.toArray()]).toEqual([
        [[4, -5], [2.5, 10]], // prettier-ignore
        [[1.5, -3], [1.5, -3]], // prettier-ignore
        [[6.5, 5]],
      ]);
      // torch: M()(torch.ones(1, 2, requires_grad=True)): "a leaf Variable that requires grad is being used in an in-place operation."
      expect(() => new M().forward(wg.ones([1, 2], { requiresGrad: true }))).toThrow(/^wasmgrad\.mul_: a leaf tensor \[1, 2\] that requires grad/);
    });

    // W0 = [[0.2, -0.3], [0.5, 0.1], [-0.4, 0.6]], b0 = [0.1, -0.2, 0.05], W1 = [[0.3, -0.5, 0.7]], b1 = [0.2]
    // X = [[1., 2.], [-1., .5], [.3, -.7], [2., 1.]], Y = [[1.], [0.], [-1.], [2.]], SGD(lr=0.1), 3 steps of
    // h = F.linear(X, W0, b0).relu_(); loss = F.mse_loss(F.linear(h, W1, b1), Y)
    const MLP_AFTER = [
      [0.3574608, -0.1668862, 0.2448772, -0.0503078, -0.2996133, 0.6179162],
      [0.1285397, -0.3351436, 0.0041009],
      [0.3288442, -0.3170574, 0.6596279],
      [0.2210467],
    ];
    const MLP_LOSSES = [1.8118677, 1.4508598, 1.2930828];
    const mlp = () => {
      const params = [leaf([[0.2, -0.3], [0.5, 0.1], [-0.4, 0.6]]), leaf([0.1, -0.2, 0.05]), leaf([[0.3, -0.5, 0.7]]), leaf([0.2])]; // prettier-ignore
      const X = t([[1, 2], [-1, 0.5], [0.3, -0.7], [2, 1]]); // prettier-ignore
      const Y = t([[1], [0], [-1], [2]]);
      const opt = new wg.optim.SGD(params, { lr: 0.1 });
      const step = () => {
        opt.zeroGrad();
        const h = wg.linear(X, params[0], params[1]).relu_();
        const loss = wg.losses.mse(wg.linear(h, params[2], params[3]), Y);
        loss.backward();
        opt.step();
        return loss;
      };
      return { params, step };
    };

    test('relu_ inside a trained MLP: the weights after 3 SGD steps are torch', () => {
      const { params, step } = mlp();
      const losses = [step().item(), step().item(), step().item()];
      expect(losses.map((v) => Math.round(v * 1e6) / 1e6)).toEqual(MLP_LOSSES.map((v) => Math.round(v * 1e6) / 1e6));
      params.forEach((p, k) => round7(p).forEach((v, j) => expect(v).toBeCloseTo(MLP_AFTER[k][j], 6)));
    });

    test('under wg.compile: replays give the eager results', () => {
      const { params, step } = mlp();
      const compiled = wg.compile(step);
      const losses = [compiled().item(), compiled().item(), compiled().item()];
      const [info] = compiled.replayInfo();
      expect([info.mode, info.reason, info.calls.fastRuns]).toEqual(['fast', null, 1]);
      expect(losses.map((v) => Math.round(v * 1e6) / 1e6)).toEqual(MLP_LOSSES.map((v) => Math.round(v * 1e6) / 1e6));
      params.forEach((p, k) => round7(p).forEach((v, j) => expect(v).toBeCloseTo(MLP_AFTER[k][j], 6)));
    });

    test('gradcheck through in-place ops', () => {
      const f = (xl: T, w: T) => {
        const a = xl.mul(w);
        const b = a.sin(); // saves a's former value
        a.tanh_().mul_(xl).addcmul_(w, w);
        return a.add(b);
      };
      expect(wg.gradcheck(f, [leaf([0.3, -0.7, 1.2]), leaf([0.5, 1.5, -0.4])]).ok).toBe(true);
    });

    test('copy_, fill_, zero_ and the random fills are recorded as torch records them', () => {
      // x = leaf [1., 2., 3.]; s = leaf [5.]; a = x * 2; b = a * 1; a.copy_(s)  → a [5, 5, 5], grad_fn CopyBackwards
      // ((a * [1., 2., 3.]).sum() + b.sum()).backward() → x.grad [2, 2, 2], s.grad [6]
      let xl = leaf([1, 2, 3]);
      const s = leaf([5]);
      const a = xl.mul(2);
      const b = a.mul(1);
      expect(a.copy_(s)).toBe(a);
      expect([a.toArray(), a.requiresGrad]).toEqual([[5, 5, 5], true]);
      a.mul(t([1, 2, 3]))
        .sum()
        .add(b.sum())
        .backward();
      expect([xl.grad!.toArray(), s.grad!.toArray()]).toEqual([[2, 2, 2], [6]]);
      // c = x * 3; c.zero_() → requires_grad True; c.sum().backward() → x.grad [0, 0, 0]
      xl = leaf([1, 2, 3]);
      const c = xl.mul(3).zero_();
      expect([c.toArray(), c.requiresGrad]).toEqual([[0, 0, 0], true]);
      c.sum().backward();
      expect(xl.grad!.toArray()).toEqual([0, 0, 0]);
      // d = x * 1; d.fill_(s.sum() * 2); d.sum().backward() → s.grad [6] (3 elements × 2)
      s.grad = null;
      xl.mul(1).fill_(s.sum().mul(2)).sum().backward();
      expect(s.grad!.toArray()).toEqual([6]);
      // buf = torch.zeros(2, 3); buf.copy_(x) → requires_grad True, is_leaf False; (buf * [[1.], [2.]]).sum().backward() → x.grad [3, 3, 3]
      xl = leaf([1, 2, 3]);
      const buf = wg.zeros([2, 3]).copy_(xl);
      expect([buf.requiresGrad, buf.isLeaf]).toEqual([true, false]);
      buf
        .mul(t([[1], [2]]))
        .sum()
        .backward();
      expect(xl.grad!.toArray()).toEqual([3, 3, 3]);
      // u = x * 1; u.uniform_(); u.sum().backward() → x.grad [0, 0, 0]
      xl = leaf([1, 2, 3]);
      const u = xl.mul(1).uniform_();
      u.sum().backward();
      expect([u.data().every((v) => v >= 0 && v < 1), xl.grad!.toArray()]).toEqual([true, [0, 0, 0]]);
      // x.copy_(s), x.zero_(): "a leaf Variable that requires grad is being used in an in-place operation."
      expect(() => xl.copy_(s)).toThrow(/^wasmgrad\.copy_: a leaf tensor \[3\] that requires grad is being used in an in-place operation/);
      expect(() => xl.zero_()).toThrow(/^wasmgrad\.zero_: a leaf tensor \[3\] that requires grad/);
      expect(() => xl.normal_()).toThrow(/^wasmgrad\.normal_: a leaf tensor \[3\] that requires grad/);
      expect(xl.toArray()).toEqual([1, 2, 3]);
      const f = (x0: T, w: T) => {
        const h = x0.mul(w);
        h.copy_(w.mul(3).tanh());
        return h.mul(x0);
      };
      expect(wg.gradcheck(f, [leaf([0.3, -0.7, 1.2]), leaf([0.5, 1.5, -0.4])]).ok).toBe(true);
    });

    test('copy_ under wg.compile: replays give the eager gradient', () => {
      const w = leaf([0.5, -1, 2]);
      const opt = new wg.optim.SGD([w], { lr: 0.05 });
      const rows = t([[1], [2]]);
      const step = () => {
        opt.zeroGrad();
        const h = wg.zeros([2, 3]).copy_(w);
        const loss = h.mul(rows).pow(2).sum();
        loss.backward();
        opt.step();
        return loss;
      };
      // A tensor made inside the function and then updated in place is made again at every call
      // (its object took over the op's result): the JavaScript re-runs, with the eager results.
      const compiled = wg.compile(step, { warn: false });
      // loss = 5·Σw² = 26.25, grad 10w, so each SGD step with lr 0.05 halves w (lr is float32's 0.05 on both backends)
      const losses = [compiled().item(), compiled().item(), compiled().item()];
      const [info] = compiled.replayInfo();
      expect([info.mode, info.reason]).toEqual(['rerun', 'a tensor made inside the function by wg.zeros([2, 3], 0, float32) is updated in place']);
      [26.25, 6.5625, 1.640625].forEach((v, k) => expect(losses[k]).toBeCloseTo(v, 6));
      [0.0625, -0.125, 0.25].forEach((v, k) => expect(round7(w)[k]).toBeCloseTo(v, 6));
    });

    test('hooks: one registered before sees the former value; retainGrad stays with the tensor', () => {
      // x = leaf [1., 2.]; a = x * 2; a.register_hook(lambda g: g * 10); a.add_(1); a.sum().backward() → x.grad [20, 20]
      let xl = leaf([1, 2]);
      let a = xl.mul(2);
      a.registerHook((g) => g.mul(10));
      a.add_(1);
      a.sum().backward();
      expect(xl.grad!.toArray()).toEqual([20, 20]);
      // a = x * 2; a.retain_grad(); a.mul_(3); a.sum().backward() → x.grad [6, 6], a.grad [1, 1]
      xl = leaf([1, 2]);
      a = xl.mul(2);
      a.retainGrad();
      a.mul_(3);
      a.sum().backward();
      expect([xl.grad!.toArray(), a.grad!.toArray()]).toEqual([
        [6, 6],
        [1, 1],
      ]);
    });

    test('a detach() taken before keeps the former values (PyTorch: shares them)', () => {
      // torch: a = x * 2; d = a.detach(); a.add_(1) → d [3, 5]. Here the recorded in-place op gives a
      // a block of its own, so d keeps [2, 4] (README, "Not supported").
      const a = leaf([1, 2]).mul(2);
      const d = a.detach();
      a.add_(1);
      expect([a.toArray(), d.toArray()]).toEqual([
        [3, 5],
        [2, 4],
      ]);
    });

    test("nn modules' inplace argument: the input becomes the output, with PyTorch's values and gradients", () => {
      // x = leaf [[-1.5, .5], [2., -.25]]; h = x.mul(2); y = m(h); (y * y).sum().backward(), m with inplace=True: y is h
      const cases: [{ forward(x: T): T }, number[], number[]][] = [
        [new wg.nn.ReLU(true), [0, 1, 4, 0], [0, 4, 16, 0]],
        [new wg.nn.LeakyReLU(0.2, true), [-0.6, 1, 4, -0.1], [-0.48, 4, 16, -0.08]],
        [new wg.nn.ELU(1, true), [-0.95021, 1, 4, -0.39347], [-0.18923, 4, 16, -0.9546]],
        [new wg.nn.Hardtanh(-1, 1, true), [-1, 1, 1, -0.5], [0, 0, 0, -2]],
        [new wg.nn.Threshold(0.1, 20, true), [20, 1, 4, 20], [0, 4, 16, 0]],
        // torch.nn.SiLU(inplace=True), nn.ReLU6(inplace=True)
        [new wg.nn.SiLU({ inplace: true }), [-0.14228, 0.73106, 3.92806, -0.18877], [0.05014, 2.71273, 16.5397, -0.19635]],
        [new wg.nn.ReLU6(true), [0, 1, 4, 0], [0, 4, 16, 0]],
      ];
      for (const [m, y, grad] of cases) {
        const xl = leaf([[-1.5, 0.5], [2, -0.25]]); // prettier-ignore
        const h = xl.mul(2);
        const out = m.forward(h);
        expect(out).toBe(h);
        out.mul(out).sum().backward();
        const r5 = (z: T) => Array.from(z.data(), (v) => Math.round(v * 1e5) / 1e5 + 0); // + 0: -0 as 0
        expect([r5(out), r5(xl.grad!)]).toEqual([y, grad]);
      }
      // torch: nn.ReLU(inplace=True)(leaf): "a leaf Variable that requires grad is being used in an in-place operation."
      expect(() => new wg.nn.ReLU(true).forward(leaf([1, -2]))).toThrow(/^wasmgrad\.nn\.ReLU: a leaf tensor \[2\] that requires grad/);
      // Dropout(p, inplace=True): training writes the masked, scaled input into it; eval returns the input itself
      const d = new wg.nn.Dropout(0.5, true);
      const z = t([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(d.forward(z)).toBe(z);
      expect(z.data().every((v, k) => v === 0 || v === 2 * (k + 1))).toBe(true);
      d.eval();
      const e = t([1, 2]);
      expect([d.forward(e), e.toArray()]).toEqual([e, [1, 2]]);
    });

    test('retainGraph: a second backward through the in-place graph', () => {
      const xl = leaf([1, 2]);
      const a = xl.mul(xl);
      a.mul_(3);
      const s = a.sum();
      s.backward(undefined, { retainGraph: true });
      s.backward();
      // d/dx 3x² = 6x, twice
      expect(xl.grad!.toArray()).toEqual([12, 24]);
    });
  });
