/**
 * Regressions from the differential probe of tensor creation, dtypes, Tensor methods and the
 * autograd API against PyTorch 1.13 (probe campaign p11). Expected values, shapes and errors are
 * PyTorch 1.13's, written as literals with the torch call that gave them.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const leaf = (v = [1, 2, 3]) => wg.tensor(v, { requiresGrad: true });

describe("PyTorch's transposing properties T, mT, mH, H", () => {
  const arange3 = () => wg.arange(24).reshape(2, 3, 4);
  test('x.T reverses the dims (0-d and 1-D unchanged)', () => {
    // torch.tensor([[1., 2., 3.], [4., 5., 6.]]).T
    expect(
      wg
        .tensor([
          [1, 2, 3],
          [4, 5, 6],
        ])
        .T.toArray(),
    ).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    // torch.arange(24.).reshape(2, 3, 4).T: shape [4, 3, 2], T[1, 2, 0] = x[0, 2, 1] = 9, T[3, 0, 1] = x[1, 0, 3] = 15
    const t = arange3().T;
    expect(t.shape).toEqual([4, 3, 2]);
    expect([(t.toArray() as number[][][])[1][2][0], (t.toArray() as number[][][])[3][0][1]]).toEqual([9, 15]);
    expect(wg.tensor([1, 2], { dtype: 'int32' }).T.toArray()).toEqual([1, 2]);
    expect(wg.tensor(5).T.toArray()).toBe(5);
    expect(wg.zeros([0, 3]).T.shape).toEqual([3, 0]);
  });
  test('x.mT / x.mH swap the last two dims; x.H takes matrices only', () => {
    const x3 = arange3();
    // torch.arange(24.).reshape(2, 3, 4).mT: shape [2, 4, 3], mT[1, 3, 2] = x[1, 2, 3] = 23
    expect(x3.mT.shape).toEqual([2, 4, 3]);
    expect((x3.mT.toArray() as number[][][])[1][3][2]).toBe(23);
    expect(x3.mH.shape).toEqual([2, 4, 3]);
    expect(wg.tensor([[1, 2]]).H.toArray()).toEqual([[1], [2]]);
    // torch.tensor(1.).mT, .mH, .H are the 0-d tensor itself
    expect([wg.tensor(1).mT.toArray(), wg.tensor(1).mH.toArray(), wg.tensor(1).H.toArray()]).toEqual([1, 1, 1]);
    // torch: "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
    expect(() => wg.tensor([1, 2]).mT).toThrow(/^wasmgrad\.mT: is only supported on matrices or batches of matrices, got shape \[2\]/);
    expect(() => wg.tensor([1, 2]).mH).toThrow(wg.ShapeError);
    // torch: "tensor.H is only supported on matrices (2-D tensors). Got 3-D tensor."
    expect(() => x3.H).toThrow(/^wasmgrad\.H: is only supported on matrices \(2-D tensors\), got shape \[2, 3, 4\] \(use mH/);
    expect(() => wg.tensor([1, 2]).H).toThrow(wg.ShapeError);
  });
  test('the gradient flows through them', () => {
    const x = wg.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    x.T.mul(wg.tensor([[1], [2], [3]]))
      .sum()
      .backward();
    expect(x.grad!.toArray()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });
});

describe('detach_ and requiresGrad_ as PyTorch', () => {
  test('detach_() makes a computed tensor a leaf that does not require grad, in place', () => {
    // x = torch.tensor([1., 2., 3.], requires_grad=True); z = x * 2; r = z.detach_()
    // r is z, z.requires_grad False, z.is_leaf True, z.grad_fn None, z = [2, 4, 6]
    const z = leaf().mul(2);
    const r = z.detach_();
    expect(r).toBe(z);
    expect([z.requiresGrad, z.isLeaf, z.gradFn]).toEqual([false, true, null]);
    expect(z.toArray()).toEqual([2, 4, 6]);
    // x.detach_() on a leaf: requires_grad False, is_leaf True
    const x = leaf().detach_();
    expect([x.requiresGrad, x.isLeaf]).toEqual([false, true]);
    expect(() => x.mul(2).sum().backward()).toThrow(wg.AutogradError);
  });
  test('requiresGrad_(true) on a computed tensor is a no-op; false is an error', () => {
    // (x * 2).requires_grad_(True): requires_grad True, is_leaf False
    const y = leaf().mul(2);
    expect(y.requiresGrad_(true)).toBe(y);
    expect([y.requiresGrad, y.isLeaf]).toEqual([true, false]);
    // (x * 2).requires_grad_(False): "you can only change requires_grad flags of leaf variables"
    expect(() => y.requiresGrad_(false)).toThrow(/^wasmgrad\.Tensor\.requiresGrad: can only be set to false on leaf tensors/);
    expect(y.requiresGrad).toBe(true);
  });
});

describe('assigning .grad checks shape and dtype, as PyTorch', () => {
  test('a gradient of another shape or dtype is refused and changes nothing', () => {
    const x = leaf();
    x.grad = wg.ones([3]);
    // x.grad = torch.ones(2): "assigned grad has data of a different size"
    expect(() => (x.grad = wg.ones([2]))).toThrow(/^wasmgrad\.Tensor\.grad: the assigned gradient must have this tensor's shape \[3\], got \[2\]/);
    expect(() => (x.grad = wg.ones([1, 3]))).toThrow(wg.ShapeError);
    // x.grad = torch.ones(3, dtype=torch.int32): "assigned grad has data of a different type"
    expect(() => (x.grad = wg.ones([3], { dtype: 'int32' }))).toThrow(
      /^wasmgrad\.Tensor\.grad: the assigned gradient must have this tensor's dtype float32, got int32/,
    );
    expect(x.grad!.toArray()).toEqual([1, 1, 1]);
    // x.grad = torch.ones(3); (x * 2).sum().backward(): x.grad accumulates to [3, 3, 3]
    x.mul(2).sum().backward();
    expect(x.grad!.toArray()).toEqual([3, 3, 3]);
  });
});

test('gradcheck with no input that requires grad is a ValueError (torch.autograd.gradcheck raises)', () => {
  // torch.autograd.gradcheck(lambda x: (x * x).sum(), (torch.tensor([0.3, -0.7, 1.2], dtype=torch.float64),)):
  // "gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True."
  expect(() => wg.gradcheck((x) => x.mul(x).sum(), [wg.tensor([0.3, -0.7, 1.2])])).toThrow(
    /^wasmgrad\.gradcheck: expects at least one input to require grad, got 1 input\(s\) none of which requires grad/,
  );
  expect(wg.gradcheck((x, y) => x.mul(y), [wg.tensor([0.3, -0.7], { requiresGrad: true }), wg.tensor([1.5, 2])]).ok).toBe(true);
});

describe('in-place writes into what a backward pass reads', () => {
  test("a result modified in place after the op that made it is an error at backward (torch: 'modified by an inplace operation')", () => {
    // x = torch.tensor([1., 2., 3.], requires_grad=True); e = x.exp()
    // with torch.no_grad(): e.mul_(2)
    // e.sum().backward(): RuntimeError "one of the variables needed for gradient computation has been
    // modified by an inplace operation: [torch.FloatTensor [3]], which is output 0 of ExpBackward0"
    const x = leaf();
    const e = x.exp();
    wg.noGrad(() => e.mul_(2));
    expect(() => e.sum().backward()).toThrow(/^wasmgrad\.backward: the result \[3\] of 'exp' was modified in place after it was computed/);
    expect(x.grad).toBe(null);
    // (before, this silently gave 2·eˣ)
    const x2 = leaf();
    const s = x2.sigmoid();
    wg.noGrad(() => s.detach().add_(1));
    expect(() => s.sum().backward()).toThrow(wg.AutogradError);
  });
  test('an input modified in place is an error too (torch: version counter)', () => {
    // x = leaf; b = x * x; with torch.no_grad(): x.add_(1); b.sum().backward(): RuntimeError
    // "one of the variables needed for gradient computation has been modified by an inplace operation"
    const x = leaf();
    const b = x.mul(x);
    wg.noGrad(() => x.add_(1));
    expect(() => b.sum().backward()).toThrow(/input 0 of 'mul' was modified in place after it was used/);
    // an untouched graph backpropagates: d/dx sum(exp(x)) = exp(x)
    const y = leaf([0, 1]);
    y.exp().sum().backward();
    expect(Array.from(y.grad!.data())).toEqual([1, Math.fround(Math.E)]);
  });
});

describe("factories take PyTorch's varargs sizes", () => {
  test('zeros(2, 3), ones(2, 3), empty(2, 3), rand(2, 3), randn(2, 3), with options last', () => {
    // torch.zeros(2, 3).shape, torch.ones(2, 3), torch.empty(2, 3).shape, torch.rand(2, 3).shape: [2, 3]
    expect(wg.zeros(2, 3).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(wg.ones(2, 3).toArray()).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    for (const t of [wg.empty(2, 3), wg.rand(2, 3), wg.randn(2, 3)]) expect([t.shape, t.dtype]).toEqual([[2, 3], 'float32']);
    // torch.ones(2, 1, dtype=torch.int32)
    const i = wg.ones(2, 1, { dtype: 'int32' });
    expect([i.shape, i.dtype, i.toArray()]).toEqual([[2, 1], 'int32', [[1], [1]]]);
    // torch.zeros(3): one number is the 1-D size, as before
    expect(wg.zeros(3).shape).toEqual([3]);
    expect(wg.zeros([2, 3], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => wg.zeros(2, -1)).toThrow(/^wasmgrad\.zeros: shape must be an array of non-negative integers, got \[2, -1\]/);
  });
});

test('copy_ converts the source to the target dtype, as PyTorch', () => {
  // torch.tensor([1, -2, 3], dtype=torch.int32).copy_(torch.tensor([1.7, -1.7, 2.])) → int32 [1, -1, 2]
  const i = wg.tensor([1, -2, 3], { dtype: 'int32' }).copy_(wg.tensor([1.7, -1.7, 2]));
  expect([i.dtype, i.toArray()]).toEqual(['int32', [1, -1, 2]]);
  // torch.zeros(2, 3).copy_(torch.tensor([7, 8, 9], dtype=torch.int32)): float32, broadcast rows
  const f = wg.zeros([2, 3]).copy_(wg.tensor([7, 8, 9], { dtype: 'int32' }));
  expect([f.dtype, f.toArray()]).toEqual([
    'float32',
    [
      [7, 8, 9],
      [7, 8, 9],
    ],
  ]);
});

test('tensor() takes a tensor and nested one-element tensors, as torch.tensor', () => {
  // torch.tensor([torch.tensor(1.), torch.tensor(2.)]) → float32 [1, 2]; of one-element 1-D tensors the same
  const a = wg.tensor([wg.tensor(1), wg.tensor(2)]);
  expect([a.shape, a.dtype, a.toArray()]).toEqual([[2], 'float32', [1, 2]]);
  expect(wg.tensor([wg.tensor([1]), wg.tensor([2])]).toArray()).toEqual([1, 2]);
  // torch.tensor([torch.tensor(1, dtype=torch.int32), torch.tensor(2, dtype=torch.int32)]) → int32
  const i = wg.tensor([wg.tensor(1, { dtype: 'int32' }), wg.tensor(2, { dtype: 'int32' })]);
  expect([i.dtype, i.toArray()]).toEqual(['int32', [1, 2]]);
  // a number beside them makes float32; rows of them nest
  expect(wg.tensor([wg.tensor(1, { dtype: 'int32' }), 2.5]).dtype).toBe('float32');
  expect(
    wg
      .tensor([
        [wg.tensor(1), 2],
        [3, wg.tensor([[4]])],
      ])
      .toArray(),
  ).toEqual([
    [1, 2],
    [3, 4],
  ]);
  // torch.tensor(t) copies t (its dtype, no gradient)
  const src = wg.tensor([[1, 2]], { requiresGrad: true });
  const copy = wg.tensor(src);
  expect([copy.shape, copy.dtype, copy.requiresGrad, copy.toArray()]).toEqual([[1, 2], 'float32', false, [[1, 2]]]);
  expect(wg.tensor(wg.tensor([3, 4], { dtype: 'int32' })).dtype).toBe('int32');
  // torch.tensor([torch.tensor([1., 2.]), torch.tensor([3., 4.])]): "only one element tensors can be converted to Python scalars"
  expect(() => wg.tensor([wg.tensor([1, 2]), wg.tensor([3, 4])])).toThrow(
    /^wasmgrad\.tensor: data\[0\] is a tensor of shape \[2\]: only one-element tensors can stand for numbers/,
  );
});

test('linspace with dtype int32 truncates as torch.linspace', () => {
  const cases: [number, number, number, number[]][] = [
    // torch.linspace(start, end, steps, dtype=torch.int32)
    [0, 10, 4, [0, 3, 6, 10]],
    [0, 10, 7, [0, 1, 3, 5, 6, 8, 10]],
    [-7, 7, 6, [-7, -4, -1, 1, 4, 7]],
    [10, 0, 4, [10, 6, 3, 0]],
    [0.5, 10.7, 4, [0, 3, 6, 10]],
    [-0.5, -10.7, 4, [0, -3, -6, -10]],
    [0, 1, 5, [0, 0, 0, 0, 1]],
    [3, 3, 1, [3]],
  ];
  for (const [a, b, n, want] of cases) {
    const t = wg.linspace(a, b, n, { dtype: 'int32' });
    expect([t.dtype, t.toArray()]).toEqual(['int32', want]);
  }
  expect(wg.linspace(0, 1, 0, { dtype: 'int32' }).shape).toEqual([0]);
  expect(() => wg.linspace(0, 1, 3, { dtype: 'int32', requiresGrad: true })).toThrow(wg.DTypeError);
});
