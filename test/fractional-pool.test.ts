/**
 * fractionalMaxPool2d/3d and nn.FractionalMaxPool2d/3d on both backends: given torch's
 * `_random_samples`, values, indices and gradients (of Σ w·y, w = 1, 2, …) equal torch 1.13's
 * (literals, the torch call quoted); seeded draws, gradcheck on the reference backend, a wg.compile
 * run and every error path.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

/** y and the gradient of Σ w·y of x (w = 1, 2, … over y) for a pool returning [values, indices]; the gradient as its nonzero [position, value] pairs. */
function run(f: (x: wg.Tensor) => [wg.Tensor, wg.Tensor], x: wg.Tensor): { y: wg.Tensor; i: wg.Tensor; grad: number[][] } {
  const leaf = x.detach().requiresGrad_(true);
  const [y, i] = f(leaf);
  y.mul(wg.arange(1, y.size + 1).reshape(y.shape))
    .sum()
    .backward();
  const grad = Array.from(leaf.grad!.data()).flatMap((v, j) => (v !== 0 ? [[j, v]] : []));
  return { y, i, grad };
}
/** ((i·m) mod p − c)/8 over n elements: exact float32 values with repeats (ties). */
const values = (n: number, m: number, p: number, c: number) => wg.arange(n).mul(m).remainder(p).sub(c).div(8);

for (const be of ['wasm', 'reference'] as const) {
  describe(`fractional max pooling on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test("2-D with torch's samples: values, indices, gradients (ties: the first maximum), as torch", () => {
      // x = ((arange(70.)*37) % 101 - 50)/8; F.fractional_max_pool2d(x.reshape(1,2,5,7), (2,3), output_size=(3,4), return_indices=True,
      //   _random_samples=tensor([[[0.1,0.7],[0.93,0.02]]]))
      const { y, i, grad } = run(
        (x) => wg.fractionalMaxPool2d(x, [2, 3], { outputSize: [3, 4], returnIndices: true, randomSamples: wg.tensor([[[0.1, 0.7], [0.93, 0.02]]]) }), // prettier-ignore
        values(70, 37, 101, 50).reshape([1, 2, 5, 7]),
      );
      expect(y.shape).toEqual([1, 2, 3, 4]);
      expect(i.dtype).toBe('int32');
      expect(Array.from(y.data())).toEqual([
        5.5, 5.5, 3.0, 4.25, 5.5, 5.5, 4.625, 5.875, 6.25, 6.25, 6.25, 5.0, 4.125, 5.375, 5.375, 4.5, 5.75, 3.25, 4.5, 4.5, 4.875, 4.875, 6.125, 6.125,
      ]);
      expect(Array.from(i.data())).toEqual([8, 8, 2, 5, 8, 8, 16, 19, 30, 30, 30, 27, 0, 3, 3, 11, 14, 8, 11, 11, 22, 22, 25, 25]);
      // prettier-ignore
      expect(grad).toEqual([[2, 3], [5, 4], [8, 14], [16, 7], [19, 8], [27, 12], [30, 30], [35, 13], [38, 29], [43, 18], [46, 55], [49, 17], [57, 43], [60, 47]]);
    });

    test('3-D unbatched with outputRatio: indices d·H·W + h·W + w and gradients as torch', () => {
      // x = ((arange(120.)*53) % 97 - 48)/8; F.fractional_max_pool3d(x.reshape(2,3,4,5), 2, output_ratio=(0.5,0.5,0.6), return_indices=True,
      //   _random_samples=tensor([[[0.2,0.6,0.9],[0.75,0.05,0.4]]]))
      const { y, i, grad } = run(
        (x) => wg.nn.functional.fractionalMaxPool3d(x, 2, { outputRatio: [0.5, 0.5, 0.6], returnIndices: true, randomSamples: wg.tensor([[[0.2, 0.6, 0.9], [0.75, 0.05, 0.4]]]) }), // prettier-ignore
        values(120, 53, 97, 48).reshape([2, 3, 4, 5]),
      );
      expect(y.shape).toEqual([2, 1, 2, 3]);
      expect(Array.from(y.data())).toEqual([5.25, 5.5, 4.25, 5.375, 5.375, 5.625, 6.0, 3.75, 4.875, 5.0, 5.25, 3.875]);
      expect(Array.from(i.data())).toEqual([20, 42, 29, 31, 31, 53, 26, 22, 24, 35, 57, 33]);
      // prettier-ignore
      expect(grad).toEqual([[20, 1], [29, 3], [31, 9], [42, 2], [53, 6], [82, 8], [84, 9], [86, 7], [93, 12], [95, 10], [117, 11]]);
    });

    test("the windows' starts in float32 as torch's; a window holding NaN gives its last NaN", () => {
      // F.fractional_max_pool2d(arange(10.).reshape(1,1,1,10), (1,2), output_size=(1,6), return_indices=True,
      //   _random_samples=tensor([[[0.9999998807907104, 0.5]]]))[1] → [1, 3, 4, 6, 8, 9] (in float64 the fifth window would start at 6, not 7)
      const [, i] = wg.fractionalMaxPool2d(wg.arange(10).reshape([1, 1, 1, 10]), [1, 2], {
        outputSize: [1, 6],
        returnIndices: true,
        randomSamples: wg.tensor([[[0.9999998807907104, 0.5]]]),
      });
      expect(Array.from(i.data())).toEqual([1, 3, 4, 6, 8, 9]);
      // x = tensor([[[[nan, nan, 2., 1.]]]]); F.fractional_max_pool2d(x, (1,3), output_size=(1,2), _random_samples=tensor([[[0.3,0.3]]])).sum().backward()
      // → y [nan, nan], x.grad [0, 2, 0, 0]
      const x = wg.tensor([[[[NaN, NaN, 2, 1]]]]).requiresGrad_(true);
      const y = wg.fractionalMaxPool2d(x, [1, 3], { outputSize: [1, 2], randomSamples: wg.tensor([[[0.3, 0.3]]]) });
      expect(Array.from(y.data())).toEqual([NaN, NaN]);
      y.sum().backward();
      expect(Array.from(x.grad!.data())).toEqual([0, 2, 0, 0]);
    });

    test('without samples: drawn from the seeded stream (wg.manualSeed repeats them); modules; unbatched 2-D', () => {
      const x = values(2 * 3 * 9 * 8, 29, 103, 51).reshape([2, 3, 9, 8]);
      const pool = new wg.nn.FractionalMaxPool2d(3, { outputRatio: 0.5, returnIndices: true });
      wg.manualSeed(7);
      const [a, ia] = pool.forward(x) as [wg.Tensor, wg.Tensor];
      wg.manualSeed(7);
      const [b, ib] = wg.fractionalMaxPool2d(x, 3, { outputSize: [4, 4], returnIndices: true });
      expect(a.shape).toEqual([2, 3, 4, 4]);
      expect(Array.from(a.data())).toEqual(Array.from(b.data()));
      expect(Array.from(ia.data())).toEqual(Array.from(ib.data()));
      // every value is the input's at its index, and the maximum of a 3 × 3 window there
      const flat = x.reshape([6, 72]);
      expect(Array.from(a.data())).toEqual(Array.from(flat.gather(1, ia.reshape([6, 16])).data()));
      expect(Array.from(a.data()).every((v, j) => v >= Array.from(flat.select(0, Math.floor(j / 16)).data()).sort((p, q) => p - q)[8])).toBe(true);
      // unbatched [C, H, W] takes samples [1, C, 2]
      const s = wg.tensor([
        [
          [0.4, 0.1],
          [0.6, 0.9],
          [0.2, 0.5],
        ],
      ]);
      const un = wg.fractionalMaxPool2d(x.select(0, 1), [2, 2], { outputSize: 3, randomSamples: s });
      const ba = wg.fractionalMaxPool2d(x.slice(0, 1, 2), [2, 2], { outputSize: 3, randomSamples: s });
      expect(un.shape).toEqual([3, 3, 3]);
      expect(Array.from(un.data())).toEqual(Array.from(ba.data()));
      const p3 = new wg.nn.FractionalMaxPool3d([2, 1, 2], { outputSize: [2, 3, 2] });
      expect((p3.forward(wg.zeros(1, 2, 4, 5, 4)) as wg.Tensor).shape).toEqual([1, 2, 2, 3, 2]);
      expect(String(pool)).toBe('FractionalMaxPool2d()');
    });

    test('errors', () => {
      const x = wg.zeros(1, 2, 5, 5);
      const F2 = wg.fractionalMaxPool2d;
      expect(() => F2(x, 2, {})).toThrow('wasmgrad.fractionalMaxPool2d: needs an outputSize or an outputRatio');
      expect(() => F2(x, 2, { outputSize: 2, outputRatio: 0.5 })).toThrow('wasmgrad.fractionalMaxPool2d: takes only one of outputSize and outputRatio');
      expect(() => F2(x, 2, { outputSize: 2, ratio: 0.5 } as never)).toThrow("wasmgrad.fractionalMaxPool2d: unknown option 'ratio'");
      expect(() => F2(x, 2, { outputSize: 2, returnIndices: 1 } as never)).toThrow('wasmgrad.fractionalMaxPool2d: returnIndices must be a boolean');
      expect(() => F2(x, [2, 2, 2], { outputSize: 2 })).toThrow(
        'wasmgrad.fractionalMaxPool2d: kernelSize must be a positive integer or a list of 2, got [2, 2, 2]',
      );
      expect(() => F2(x, 0, { outputSize: 2 })).toThrow('wasmgrad.fractionalMaxPool2d: kernelSize must be a positive integer or a list of 2, got 0');
      expect(() => F2(x, 2, { outputSize: [2, 1.5] })).toThrow(
        'wasmgrad.fractionalMaxPool2d: outputSize must be a positive integer or a list of 2, got [2, 1.5]',
      );
      expect(() => F2(x, 2, { outputRatio: 1 })).toThrow(
        'wasmgrad.fractionalMaxPool2d: outputRatio must be a number between 0 and 1 (exclusive) or a list of 2, got 1',
      );
      expect(() => F2(x.int(), 2, { outputSize: 2 })).toThrow('wasmgrad.fractionalMaxPool2d: input must be a float32 tensor, got int32 [1, 2, 5, 5]');
      expect(() => F2(wg.zeros(5, 5), 2, { outputSize: 2 })).toThrow('wasmgrad.fractionalMaxPool2d: input must be [C, H, W] or [N, C, H, W], got shape [5, 5]');
      // torch 1.13: output + kernel − 1 ≤ input in 2-D, < input in 3-D
      expect(F2(x, 2, { outputSize: 4 }).shape).toEqual([1, 2, 4, 4]);
      expect(() => F2(x, 2, { outputSize: [5, 4] })).toThrow(
        "wasmgrad.fractionalMaxPool2d: output size 5 with kernel 2 does not fit the input's size 5 along spatial dim 0 (needs 1 ≤ output ≤ input − kernel + 1)",
      );
      expect(() => F2(x, 2, { outputRatio: 0.1 })).toThrow('wasmgrad.fractionalMaxPool2d: output size 0 with kernel 2');
      expect(() => wg.fractionalMaxPool3d(wg.zeros(1, 5, 5, 5), 2, { outputSize: [3, 3, 4] })).toThrow(
        "wasmgrad.fractionalMaxPool3d: output size 4 with kernel 2 does not fit the input's size 5 along spatial dim 2 (needs 1 ≤ output ≤ input − kernel)",
      );
      expect(() => F2(x, 2, { outputSize: 2, randomSamples: wg.zeros(2, 2, 2) })).toThrow(
        'wasmgrad.fractionalMaxPool2d: randomSamples must be a float32 tensor [1, 2, 2] for an input [1, 2, 5, 5], got float32 [2, 2, 2]',
      );
      expect(() => F2(x.select(0, 0), 2, { outputSize: 2, randomSamples: wg.zeros(2, 2).int() })).toThrow(
        'wasmgrad.fractionalMaxPool2d: randomSamples must be a float32 tensor [1, 2, 2] for an input [2, 5, 5], got int32 [2, 2]',
      );
      expect(() =>
        F2(x, 2, {
          outputSize: 2,
          randomSamples: wg.tensor([
            [
              [0, 0.5],
              [1, 0],
            ],
          ]),
        }),
      ).toThrow('wasmgrad.fractionalMaxPool2d: randomSamples must lie in [0, 1), got 1 at flat position 2');
      expect(() => new wg.nn.FractionalMaxPool2d(2, { outputRatio: 1.5 })).toThrow(
        'wasmgrad.nn.FractionalMaxPool2d: outputRatio must be a number between 0 and 1',
      );
      expect(() => new wg.nn.FractionalMaxPool3d(2, {})).toThrow('wasmgrad.nn.FractionalMaxPool3d: needs an outputSize or an outputRatio');
      expect(() => new wg.nn.FractionalMaxPool2d(2, { outputSize: 2, randomSamples: x } as never)).toThrow(
        "wasmgrad.nn.FractionalMaxPool2d: unknown option 'randomSamples'",
      );
    });

    test('under wg.compile the samples are read each call (an input); gradcheck on the reference backend', () => {
      const x = values(2 * 7 * 6, 31, 89, 44).reshape([1, 2, 7, 6]);
      const f = (a: wg.Tensor, s: wg.Tensor) => wg.fractionalMaxPool2d(a, 2, { outputSize: [3, 4], randomSamples: s }).mul(a.sum());
      const c = wg.compile(f, { warn: false });
      for (const s of [
        wg.tensor([
          [
            [0.1, 0.8],
            [0.5, 0.3],
          ],
        ]),
        wg.tensor([
          [
            [0.9, 0.2],
            [0.05, 0.7],
          ],
        ]),
      ]) {
        expectClose(Array.from(c(x, s).data()), Array.from(f(x, s).data()), 1e-6);
      }
      if (be !== 'reference') return;
      // distinct values: the maxima are away from ties, where the max is not differentiable
      const res = wg.gradcheck(
        (a: wg.Tensor) => wg.fractionalMaxPool3d(a, [2, 1, 2], { outputSize: [2, 3, 2], randomSamples: wg.tensor([[[0.3, 0.6, 0.1]]]) }),
        [wg.arange(80).mul(0.91).sin().reshape([1, 1, 4, 4, 5]).requiresGrad_(true)],
      );
      expect(res.ok, String(res.maxAbsError)).toBe(true);
    });
  });
}
