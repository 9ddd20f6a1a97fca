/** t.apply_(fn), t.map_(other, fn), t.map2_(x, y, fn): torch's CPU element callbacks, values from torch 1.13. */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

describe.each(['wasm', 'reference'] as const)('%s backend', (backend) => {
  test('apply_ maps each element in place and returns the tensor; int32 truncates toward zero (torch)', () => {
    wg.setBackend(backend);
    const t = wg.tensor([1.5, -2, 0.25, 4, 7, 9, 11]);
    expect(t.apply_((v) => v * v + 1)).toBe(t);
    expect(t.toArray()).toEqual([3.25, 5, 1.0625, 17, 50, 82, 122]);
    // torch.tensor([1, 2, 3], dtype=torch.int32).apply_(lambda v: v * 2.7) → [2, 5, 8]
    expect(
      wg
        .tensor([1, 2, 3], { dtype: 'int32' })
        .apply_((v) => v * 2.7)
        .toArray(),
    ).toEqual([2, 5, 8]);
    expect(
      wg
        .tensor([1, 2])
        .apply_(() => 0.1)
        .toArray(),
    ).toEqual([Math.fround(0.1), Math.fround(0.1)]);
  });

  test('map_ broadcasts other to the tensor (torch literal)', () => {
    wg.setBackend(backend);
    const t = wg.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    t.map_(wg.tensor([10, 20, 30]), (x, y) => x * y + 0.5);
    expect(t.toArray()).toEqual([
      [10.5, 40.5, 90.5],
      [40.5, 100.5, 180.5],
    ]);
  });

  test('map2_ broadcasts both operands (torch literal)', () => {
    wg.setBackend(backend);
    const t = wg.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    t.map2_(wg.tensor([10, 20, 30]), wg.tensor([[1], [2]]), (a, b, c) => a + b * c);
    expect(t.toArray()).toEqual([
      [11, 22, 33],
      [24, 45, 66],
    ]);
  });

  test('the write bumps the version: a graph that saved the tensor refuses backward, as after any in-place write', () => {
    wg.setBackend(backend);
    const x = wg.tensor([1, 2]);
    const w = wg.tensor([3, 4], { requiresGrad: true });
    const y = x.mul(w).sum();
    x.apply_((v) => v + 1);
    expect(() => y.backward()).toThrow(/input 0 of 'mul' was modified in place/);
  });
});

test('refused as torch: a tensor that requires grad (also inside noGrad), a non-broadcastable operand, a result that is not a number, wg.compile', () => {
  const a = wg.ones([2], { requiresGrad: true });
  expect(() => a.apply_((v) => v)).toThrow(/apply_: can't call apply_\(\) on a tensor that requires grad/);
  expect(() => wg.noGrad(() => a.apply_((v) => v))).toThrow(wg.AutogradError);
  expect(() => a.mul(2).apply_((v) => v)).toThrow(wg.AutogradError);
  expect(() => wg.ones([2]).map_(a, (x, y) => x + y)).toThrow(/map_: can't call map_\(\)/);
  expect(() => wg.ones([2]).map_(wg.ones([3]), (x) => x)).toThrow(wg.ShapeError);
  expect(() => wg.ones([2]).apply_((() => 'a') as never)).toThrow(/apply_: fn must return a number, got "a" for element 0/);
  expect(() => wg.ones([2]).apply_(3 as never)).toThrow(wg.ValueError);
  const step = wg.compile((t: wg.Tensor) => t.apply_((v) => v + 1));
  expect(() => step(wg.ones([2]))).toThrow(wg.CompileError);
});
