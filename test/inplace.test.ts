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
  logit: [unit, () => []],
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
