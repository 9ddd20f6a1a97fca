/** Hand-computed matmul values and gradients on both backends, and every matmul error path. */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const grad = (t: wg.Tensor) => Array.from(t.grad!.data());

for (const be of ['wasm', 'reference'] as const) {
  describe(`matmul (${be})`, () => {
    test('2-D · 2-D with gradients dA = G·Bᵀ, dB = Aᵀ·G', () => {
      wg.setBackend(be);
      const a = wg.tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { requiresGrad: true },
      );
      const b = wg.tensor(
        [
          [5, 6],
          [7, 8],
        ],
        { requiresGrad: true },
      );
      const y = wg.matmul(a, b);
      expect(y.toArray()).toEqual([
        [19, 22],
        [43, 50],
      ]);
      y.backward(
        wg.tensor([
          [1, 0],
          [0, 2],
        ]),
      );
      // dA = [[1,0],[0,2]]·[[5,7],[6,8]]; dB = [[1,3],[2,4]]·[[1,0],[0,2]]
      expect(grad(a)).toEqual([5, 7, 12, 16]);
      expect(grad(b)).toEqual([1, 6, 2, 8]);
    });

    test('1-D · 1-D is a 0-d dot product', () => {
      wg.setBackend(be);
      const a = wg.tensor([1, 2, 3], { requiresGrad: true });
      const b = wg.tensor([4, 5, 6], { requiresGrad: true });
      const y = a.matmul(b);
      expect(y.shape).toEqual([]);
      expect(y.item()).toBe(32);
      y.backward();
      expect(grad(a)).toEqual([4, 5, 6]);
      expect(grad(b)).toEqual([1, 2, 3]);
    });

    test('1-D · 2-D and 2-D · 1-D promote and squeeze', () => {
      wg.setBackend(be);
      const v = wg.tensor([1, 2], { requiresGrad: true });
      const m = wg.tensor(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        { requiresGrad: true },
      );
      const y = wg.matmul(v, m);
      expect(y.shape).toEqual([3]);
      expect(y.toArray()).toEqual([9, 12, 15]);
      y.backward(wg.tensor([1, 1, 1]));
      expect(grad(v)).toEqual([6, 15]);
      expect(grad(m)).toEqual([1, 1, 1, 2, 2, 2]);
      const z = wg.matmul(
        wg.tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        wg.tensor([1, 0, -1]),
      );
      expect(z.shape).toEqual([2]);
      expect(z.toArray()).toEqual([-2, -2]);
    });

    test('broadcast batch dims: gradients sum over the batches an operand was broadcast to', () => {
      wg.setBackend(be);
      const a = wg.ones([2, 1, 3, 5], { requiresGrad: true });
      const b = wg.ones([4, 5, 6], { requiresGrad: true });
      const y = wg.matmul(a, b);
      expect(y.shape).toEqual([2, 4, 3, 6]);
      expect(Array.from(y.data()).every((v) => v === 5)).toBe(true);
      y.backward(wg.ones([2, 4, 3, 6]));
      // dA = G·Bᵀ: 6 per entry, summed over the 4 batches of b; dB = Aᵀ·G: 3, summed over a's 2.
      expect(grad(a).every((v) => v === 24)).toBe(true);
      expect(grad(b).every((v) => v === 6)).toBe(true);
    });

    test('K = 0: an empty sum is 0', () => {
      wg.setBackend(be);
      const y = wg.matmul(wg.zeros([3, 0]), wg.zeros([0, 2]));
      expect(y.toArray()).toEqual([
        [0, 0],
        [0, 0],
        [0, 0],
      ]);
    });

    test('x.matmul(x): aliased inputs receive both contributions', () => {
      wg.setBackend(be);
      const x = wg.tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { requiresGrad: true },
      );
      x.matmul(x).backward(wg.ones([2, 2]));
      // G·xᵀ = [[3,7],[3,7]] plus xᵀ·G = [[4,4],[6,6]]
      expect(grad(x)).toEqual([7, 11, 9, 13]);
    });
  });
}

for (const be of ['wasm', 'reference'] as const)
  test(`linear's other PyTorch forms: a 1-D weight, a 0-d or one-element bias (${be})`, () => {
    wg.setBackend(be);
    const x = wg.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    const w = wg.tensor([0.5, -1, 2], { requiresGrad: true });
    const y = wg.linear(x, w); // torch: F.linear(x, w) = x·w, shape [2]
    expect(y.toArray()).toEqual([4.5, 9]);
    y.backward([1, 2]);
    expect(grad(x)).toEqual([0.5, -1, 2, 1, -2, 4]);
    expect(grad(w)).toEqual([9, 12, 15]);
    const W = wg.tensor([
      [0.5, -1, 2],
      [1, 0, -1],
    ]);
    for (const shape of [[1], []]) {
      const b = wg.tensor(shape.length ? [0.25] : 0.25, { requiresGrad: true });
      const z = wg.linear(x.detach(), W, b);
      expect(z.toArray()).toEqual([
        [4.75, -1.75],
        [9.25, -1.75],
      ]);
      z.backward([1, 2, 3, 4]);
      expect(grad(b)).toEqual([10]); // torch: the bias gradient sums over every output
    }
    expect(() => wg.linear(x, W, wg.zeros([3]))).toThrow(/linear: bias must have shape \[2\]/);
    expect(() => wg.linear(x, w, wg.tensor(1))).toThrow(wg.ShapeError); // torch: "mat2 must be a matrix"
  });

describe('matmul errors', () => {
  test('inner dims must agree, naming both shapes', () => {
    expect(() => wg.matmul(wg.zeros([2, 3]), wg.zeros([4, 5]))).toThrow(
      /wasmgrad\.matmul: shapes \[2, 3\] and \[4, 5\] cannot be multiplied \(a has 3 columns, b has 4 rows\)/,
    );
    expect(() => wg.matmul(wg.zeros([3]), wg.zeros([2]))).toThrow(/shapes \[3\] and \[2\] cannot be multiplied/);
  });
  test('batch dims must broadcast', () => {
    expect(() => wg.matmul(wg.zeros([2, 3, 4]), wg.zeros([3, 4, 5]))).toThrow(
      /wasmgrad\.matmul: batch dims of shapes \[2, 3, 4\] and \[3, 4, 5\] cannot be broadcast \(2 vs 3\)/,
    );
  });
  test('0-d operands are rejected', () => {
    expect(() => wg.matmul(wg.tensor(2), wg.zeros([2]))).toThrow(/wasmgrad\.matmul: both arguments need at least 1 dimension, got shapes \[\] and \[2\]/);
  });
});
