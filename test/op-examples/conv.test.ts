/** Hand-computed conv2d / maxPool2d / avgPool2d values and gradients on both backends, and every error path. */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { initWasm } from '../helpers/setup.js';
import { expectClose } from '../helpers/expect.js';

beforeAll(async () => {
  await initWasm();
});

const grad = (t: wg.Tensor) => Array.from(t.grad!.data());
const vals = (t: wg.Tensor) => Array.from(t.data());
/** x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]] as [1, 1, 3, 3]. */
const x3 = () => wg.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [1, 1, 3, 3], requiresGrad: true });

for (const be of ['wasm', 'reference'] as const) {
  describe(`conv2d (${be})`, () => {
    test('2×2 kernel with bias', () => {
      wg.setBackend(be);
      const x = x3();
      const w = wg.tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2], requiresGrad: true });
      const b = wg.tensor([1], { requiresGrad: true });
      const y = wg.conv2d(x, w, b);
      expect(y.shape).toEqual([1, 1, 2, 2]);
      // out[0][0] = 1·1 + 2·2 + 3·4 + 4·5 + 1
      expect(vals(y)).toEqual([38, 48, 68, 78]);
      y.backward(wg.ones([1, 1, 2, 2]));
      // dx: Σ of the taps that read each pixel; dw: Σ of the pixels each tap reads; db: # outputs
      expect(grad(x)).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
      expect(grad(w)).toEqual([12, 16, 24, 28]);
      expect(grad(b)).toEqual([4]);
    });

    test('3×3 kernel, stride 2, padding 1, no bias', () => {
      wg.setBackend(be);
      const x = x3();
      const w = wg.ones([1, 1, 3, 3], { requiresGrad: true });
      const y = wg.conv2d(x, w, null, { stride: 2, padding: 1 });
      expect(y.shape).toEqual([1, 1, 2, 2]);
      expect(vals(y)).toEqual([12, 16, 24, 28]);
      y.backward(wg.ones([1, 1, 2, 2]));
      expect(grad(x)).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
      expect(grad(w)).toEqual([5, 10, 5, 10, 20, 10, 5, 10, 5]);
    });

    test('dilation 2 spreads a 2×2 kernel over the 3×3 corners', () => {
      wg.setBackend(be);
      const x = x3();
      const w = wg.tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2], requiresGrad: true });
      const y = wg.conv2d(x, w, undefined, { dilation: 2 });
      expect(y.shape).toEqual([1, 1, 1, 1]);
      expect(y.item()).toBe(64);
      y.backward();
      expect(grad(x)).toEqual([1, 0, 2, 0, 0, 0, 3, 0, 4]);
      expect(grad(w)).toEqual([1, 3, 7, 9]);
    });

    test('1×1 kernel mixes channels', () => {
      wg.setBackend(be);
      const x = wg.tensor([1, 2], { shape: [1, 2, 1, 1], requiresGrad: true });
      const w = wg.tensor([1, 1, 1, -1, 2, 0], { shape: [3, 2, 1, 1], requiresGrad: true });
      const b = wg.tensor([0, 0, 1], { requiresGrad: true });
      const y = wg.conv2d(x, w, b);
      expect(y.shape).toEqual([1, 3, 1, 1]);
      expect(vals(y)).toEqual([3, -1, 3]);
      y.backward(wg.ones([1, 3, 1, 1]));
      expect(grad(x)).toEqual([4, 0]);
      expect(grad(w)).toEqual([1, 2, 1, 2, 1, 2]);
      expect(grad(b)).toEqual([1, 1, 1]);
    });
  });

  describe(`maxPool2d (${be})`, () => {
    test("PyTorch's positional stride and padding (F.max_pool2d(x, 3, 2, 1)), 2-D and 1-D, max and average", () => {
      wg.setBackend(be);
      const x = wg.arange(1, 26).reshape([1, 1, 5, 5]);
      const x2 = wg.where(wg.eq(x, 13), -7, x);
      expect(vals(wg.maxPool2d(x2, 3, 2, 1))).toEqual([7, 9, 10, 17, 19, 20, 22, 24, 25]);
      expectClose(vals(wg.avgPool2d(x2, 3, 2, 1)), [1.7777778, 3.6666667, 3.1111112, 7.6666665, 10.777778, 9.666667, 8.444445, 13.666667, 9.777778], 1e-6);
      expect(wg.maxPool2d(x2, 2, 1).shape).toEqual([1, 1, 4, 4]);
      expect(vals(wg.maxPool2d(x2, 2, [1, 1]))).toEqual(vals(wg.maxPool2d(x2, 2, { stride: 1 })));
      const y = wg.tensor([1, -3, 4, 0, 2, 6, 5], { shape: [1, 1, 7] });
      expect(vals(wg.maxPool1d(y, 3, 2, 1))).toEqual([1, 4, 6, 6]);
      expect(vals(wg.avgPool1d(y, 2, 1))).toEqual([-1, 0.5, 2, 1, 4, 5.5]);
      expect(wg.nn.functional.maxPool2d).toBe(wg.maxPool2d);
    });

    test('2×2 windows route the gradient to each maximum', () => {
      wg.setBackend(be);
      const x = wg.tensor([1, 5, 2, 0, 3, 4, 8, 7, 0, 0, 1, 1, 9, 0, 1, 2], { shape: [1, 1, 4, 4], requiresGrad: true });
      const y = wg.maxPool2d(x, 2);
      expect(vals(y)).toEqual([5, 8, 9, 2]);
      y.backward(wg.tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] }));
      expect(grad(x)).toEqual([0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 4]);
    });

    test('ties go to the first maximum; NaN propagates', () => {
      wg.setBackend(be);
      const x = wg.tensor([3, 3, 3, 1, 1, NaN, 3, 2], { shape: [1, 2, 2, 2], requiresGrad: true });
      const y = wg.maxPool2d(x, 2);
      expect(vals(y)).toEqual([3, NaN]);
      y.backward(wg.ones([1, 2, 1, 1]));
      expect(grad(x)).toEqual([1, 0, 0, 0, 0, 1, 0, 0]);
    });

    test('four windows at once (the SIMD path): ties and NaN as in the scalar path', () => {
      wg.setBackend(be);
      const ties = wg.tensor([2, 2, 2, 2, 2], { shape: [1, 1, 1, 5], requiresGrad: true });
      wg.maxPool2d(ties, [1, 2], { stride: 1 }).backward(wg.ones([1, 1, 1, 4]));
      expect(grad(ties)).toEqual([1, 1, 1, 1, 0]);
      const x = wg.tensor([1, NaN, 0, 5, 4], { shape: [1, 1, 1, 5], requiresGrad: true });
      const y = wg.maxPool2d(x, [1, 2], { stride: 1 });
      expect(vals(y)).toEqual([NaN, NaN, 5, 5]);
      y.backward(wg.ones([1, 1, 1, 4]));
      expect(grad(x)).toEqual([0, 2, 0, 2, 0]);
    });

    test('padding acts as −∞', () => {
      wg.setBackend(be);
      const x = wg.tensor([-1, -2, -3, -4], { shape: [1, 1, 2, 2], requiresGrad: true });
      const y = wg.maxPool2d(x, 2, { stride: 1, padding: 1 });
      expect(y.shape).toEqual([1, 1, 3, 3]);
      expect(vals(y)).toEqual([-1, -1, -2, -1, -1, -2, -3, -3, -4]);
      y.backward(wg.ones([1, 1, 3, 3]));
      expect(grad(x)).toEqual([4, 2, 2, 1]);
    });
  });

  describe(`avgPool2d (${be})`, () => {
    test('2×2 windows', () => {
      wg.setBackend(be);
      const x = wg.tensor(
        Array.from({ length: 16 }, (_, i) => i),
        { shape: [1, 1, 4, 4], requiresGrad: true },
      );
      const y = wg.avgPool2d(x, 2);
      expect(vals(y)).toEqual([2.5, 4.5, 10.5, 12.5]);
      y.backward(wg.ones([1, 1, 2, 2]));
      expect(grad(x).every((v) => v === 0.25)).toBe(true);
    });

    test('padding counts as zeros in the mean (count_include_pad)', () => {
      wg.setBackend(be);
      const x = wg.tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2], requiresGrad: true });
      const y = wg.avgPool2d(x, 2, { stride: 1, padding: 1 });
      expect(vals(y)).toEqual([0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1]);
      y.backward(wg.ones([1, 1, 3, 3]));
      // every input lies in 4 windows, each passing on 1/4
      expect(grad(x)).toEqual([1, 1, 1, 1]);
    });
  });
}

describe('conv2d errors', () => {
  const x = () => wg.zeros([1, 3, 5, 5]);
  const w = () => wg.zeros([2, 3, 3, 3]);
  test('ranks', () => {
    expect(() => wg.conv2d(wg.zeros([5, 5]), w())).toThrow(
      /wasmgrad\.conv2d: input must be 4-D \[N, C, H, W\] \(or \[C, H, W\] unbatched\), got shape \[5, 5\]/,
    );
    expect(() => wg.conv2d(x(), wg.zeros([2, 3, 3]))).toThrow(/wasmgrad\.conv2d: weight must be 4-D \[O, C\/groups, kh, kw\], got shape \[2, 3, 3\]/);
  });
  test('channels must match', () => {
    expect(() => wg.conv2d(x(), wg.zeros([2, 4, 3, 3]))).toThrow(/input \[1, 3, 5, 5\] has 3 channels but weight \[2, 4, 3, 3\] with groups 1 expects 4/);
  });
  test('bias shape', () => {
    expect(() => wg.conv2d(x(), w(), wg.zeros([3]))).toThrow(/bias must have shape \[2\] \(one per output channel of weight \[2, 3, 3, 3\]\), got \[3\]/);
  });
  test('stride, padding and dilation', () => {
    expect(() => wg.conv2d(x(), w(), null, { stride: 0 })).toThrow(/wasmgrad\.conv2d: stride must be a positive integer or an \[h, w\] pair of them, got 0/);
    expect(() => wg.conv2d(x(), w(), null, { padding: [1, -1] })).toThrow(/padding must be a non-negative integer .* got \[1, -1\]/);
    expect(() => wg.conv2d(x(), w(), null, { dilation: 1.5 })).toThrow(/dilation must be a positive integer/);
  });
  test('kernel larger than the padded input', () => {
    expect(() => wg.conv2d(x(), w(), null, { dilation: 3 })).toThrow(
      /wasmgrad\.conv2d: kernel 3×3 with dilation \[3, 3\] spans 7×7, more than the padded input 5×5 \(input \[1, 3, 5, 5\], padding \[0, 0\]\)/,
    );
  });
});

describe('pool errors', () => {
  test('input rank', () => {
    expect(() => wg.maxPool2d(wg.zeros([4, 4]), 2)).toThrow(
      /wasmgrad\.maxPool2d: input must be 4-D \[N, C, H, W\] \(or \[C, H, W\] unbatched\), got shape \[4, 4\]/,
    );
  });
  test('kernel, stride, padding', () => {
    expect(() => wg.avgPool2d(wg.zeros([1, 1, 4, 4]), 0)).toThrow(/wasmgrad\.avgPool2d: kernel size must be a positive integer/);
    expect(() => wg.maxPool2d(wg.zeros([1, 1, 4, 4]), 2, { stride: -1 })).toThrow(/wasmgrad\.maxPool2d: stride must be a positive integer/);
    expect(() => wg.maxPool2d(wg.zeros([1, 1, 4, 4]), 2, { padding: -1 })).toThrow(/padding must be a non-negative integer/);
    expect(() => wg.avgPool2d(wg.zeros([1, 1, 4, 4]), 3, { padding: 2 })).toThrow(
      /wasmgrad\.avgPool2d: padding \[2, 2\] must be at most half the kernel size 3×3/,
    );
  });
  test('kernel larger than the padded input', () => {
    expect(() => wg.maxPool2d(wg.zeros([1, 1, 2, 2]), 3)).toThrow(
      /wasmgrad\.maxPool2d: kernel 3×3 is larger than the padded input 2×2 \(input \[1, 1, 2, 2\], padding \[0, 0\]\)/,
    );
  });
});
