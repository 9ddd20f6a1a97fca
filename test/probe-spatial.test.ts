/**
 * Regressions from the differential probe of the spatial functions (interpolate, gridSample,
 * affineGrid, pad, the pools, the convolutions, pixelShuffle, fold/unfold) against PyTorch 1.13
 * (probe campaign h19-3). Expected values are PyTorch's (float64), written as literals with the
 * call that printed them.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';
import { expectClose } from './helpers/expect.js';
import { run } from './helpers/torch-run.js';

beforeAll(async () => {
  await initWasm();
});

const F = wg.nn.functional;
/** torch: x = (torch.arange(1, 36, dtype=torch.float64).reshape(1, 1, 5, 7) * 0.37).sin() */
const sinImage = () =>
  wg.tensor(
    Array.from({ length: 35 }, (_, i) => Math.sin((i + 1) * 0.37)),
    { shape: [1, 1, 5, 7] },
  );

for (const be of ['wasm', 'reference'] as const) {
  describe(`interpolate as PyTorch 1.13 on ${be}`, () => {
    // y = F.interpolate(x, antialias=True, **kw); (y * torch.arange(1, y.numel() + 1).reshape(y.shape)).sum().backward()
    test("antialias: 'bilinear' and 'bicubic' widen their filter when downsampling (PIL's resize), values and gradients", () => {
      wg.setBackend(be);
      const cases: [wg.InterpolateOptions, number[], number[][]][] = [
        [
          { size: [3, 2], mode: 'bilinear' },
          [0.2708195, 0.0828388, -0.0245072, 0.1264709, -0.2410729, -0.2363475],
          [
            [
              0.1196013, 0.1727575, 0.2259136, 0.2790698, 0.3322259, 0.345515, 0.2392027, 0.2292359, 0.3311185, 0.4019934, 0.4625323, 0.5230712, 0.5278701,
              0.3654485, 0.3488372, 0.503876, 0.5813953, 0.6330749, 0.6847545, 0.6718346, 0.4651163, 0.5880399, 0.8493909, 0.9601329, 1.0206718, 1.0812108,
              1.0461425, 0.7242525, 0.5980066, 0.8637874, 0.9700997, 1.0232558, 1.076412, 1.0365449, 0.717608,
            ],
          ],
        ],
        [
          { size: [2, 17], mode: 'bicubic', alignCorners: true },
          [
            0.0291006, 0.0306389, 0.0344103, 0.0394588, 0.0430162, 0.0454418, 0.0470031, 0.0476249, 0.0473469, 0.0461839, 0.0440927, 0.0411593, 0.0374903,
            0.0330166, 0.0279541, 0.0214507, 0.0147295, -0.3842907, -0.3923037, -0.4133472, -0.4397974, -0.4526836, -0.4546122, -0.4480355, -0.432699,
            -0.4088152, -0.3776639, -0.3387233, -0.2931685, -0.2428389, -0.1867863, -0.1275962, -0.0574693, 0.0116959,
          ],
          [
            [
              -2.495739, -1.5216915, -0.662224, 0.2366419, 1.1283934, 2.1144265, 0.9226861, -1.0078921, 0.5325234, 2.0468888, 3.5566924, 5.0507015, 6.7971911,
              2.656414, 5.4729953, 7.7182057, 10.2919237, 12.7010466, 15.0764176, 18.0639695, 6.6996947, 19.1376458, 22.4643185, 26.8599347, 30.760754,
              34.5945161, 39.7232501, 14.419271, 34.4984547, 38.9171839, 45.2350209, 50.689079, 56.0400335, 63.4303922, 22.85088,
            ],
          ],
        ],
        [
          { scaleFactor: 0.6, mode: 'bicubic' },
          [0.2743939, 0.2696878, 0.1669336, -0.0026615, -0.0717871, -0.0002118, 0.075093, 0.1201983, -0.1731089, -0.2693889, -0.2728829, -0.1669273],
          [
            [
              0.1974799, 0.3699201, 0.5551496, 0.7645422, 0.9881165, 1.2348723, 0.7686313, 0.7419981, 1.0599103, 1.2110828, 1.4727685, 1.7575122, 2.0701471,
              1.2651141, 1.5684447, 2.0469933, 2.0471667, 2.2925072, 2.5688679, 2.869475, 1.7228243, 2.8292298, 3.6009359, 3.4501583, 3.7470941, 4.0916024,
              4.4634268, 2.6576243, 2.756022, 3.4847257, 3.2998228, 3.5524252, 3.8492593, 4.1685699, 2.4755794,
            ],
          ],
        ],
        [
          { scaleFactor: [0.5, 1.3], mode: 'bilinear', recomputeScaleFactor: true },
          [
            0.0804477, 0.088953, 0.0932691, 0.0905726, 0.0808571, 0.0626299, 0.040085, 0.0146303, -0.0085396, -0.0584465, -0.0738333, -0.0868804, -0.093435,
            -0.0929538, -0.0826875, -0.0664243, -0.0452467, -0.0242195,
          ],
          [
            [
              0.530303, 0.9545455, 1.4141414, 2.2979798, 2.4747475, 2.9343434, 3.7121212, 1.3030303, 1.8636364, 2.520202, 3.8737374, 4.0353535, 4.6919192,
              5.8484848, 3.4848485, 3.8636364, 4.520202, 6.2373737, 6.0353535, 6.6919192, 8.030303, 5.6666667, 5.8636364, 6.520202, 8.6010101, 8.0353535,
              8.6919192, 10.2121212, 4.3484848, 4.4545455, 4.9141414, 6.4343434, 5.9747475, 6.4343434, 7.530303,
            ],
          ],
        ],
      ];
      for (const [opts, y, grads] of cases) run((x) => F.interpolate(x, { ...opts, antialias: true }), [sinImage()], [y, grads], 1e-5);
      // F.interpolate(torch.rand(0, 1, 5, 5), scale_factor=0.5, mode='bilinear', antialias=True).shape → [0, 1, 2, 2]
      expect(F.interpolate(wg.zeros([0, 1, 5, 5]), { scaleFactor: 0.5, mode: 'bilinear', antialias: true }).shape).toEqual([0, 1, 2, 2]);
      // torch: ValueError: Anti-alias option is only supported for bilinear and bicubic modes
      for (const [mode, shape] of [
        ['nearest', [1, 1, 5, 5]],
        ['area', [1, 1, 5, 5]],
        ['linear', [1, 1, 5]],
        ['trilinear', [1, 1, 5, 5, 5]],
      ] as const)
        expect(() => F.interpolate(wg.zeros([...shape]), { size: 3, mode, antialias: true })).toThrow(
          `wasmgrad.interpolate: antialias applies to modes 'bilinear' and 'bicubic' only (as PyTorch), got mode "${mode}"`,
        );
    });

    test("legacy 'nearest' on [N, 1, D, H, W] takes torch's channels-last size shortcuts (a kept size copies, a doubled one reads dst / 2)", () => {
      wg.setBackend(be);
      // x = torch.arange(1., 7.).reshape(2, 1, 3, 1, 1); y = F.interpolate(x, scale_factor=(1.1, 1, 1)) → [1, 2, 3, 4, 5, 6];
      // (y * torch.arange(1., 7.).reshape(y.shape)).sum().backward() → x.grad [1, 2, 3, 4, 5, 6]
      run((x) => F.interpolate(x, { scaleFactor: [1.1, 1, 1] }), [wg.arange(1, 7).reshape([2, 1, 3, 1, 1])], [[1, 2, 3, 4, 5, 6], [[1, 2, 3, 4, 5, 6]]]);
      // x = torch.arange(1., 4.).reshape(1, 1, 1, 1, 3); F.interpolate(x, scale_factor=(1, 1, 2.1)) → [1, 1, 2, 2, 3, 3], x.grad [3, 7, 11]
      run((x) => F.interpolate(x, { scaleFactor: [1, 1, 2.1] }), [wg.arange(1, 4).reshape([1, 1, 1, 1, 3])], [[1, 1, 2, 2, 3, 3], [[3, 7, 11]]]);
      // two channels take torch's other kernel, floor(dst · scale): F.interpolate(torch.arange(1., 7.).reshape(1, 2, 3, 1, 1), scale_factor=(1.1, 1, 1)) → [1, 1, 2, 4, 4, 5]
      expect(Array.from(F.interpolate(wg.arange(1, 7).reshape([1, 2, 3, 1, 1]), { scaleFactor: [1.1, 1, 1] }).data())).toEqual([1, 1, 2, 4, 4, 5]);
    });

    test("'area' to an empty size gives PyTorch's empty tensor (its adaptive average pool), with a zero gradient", () => {
      wg.setBackend(be);
      // F.interpolate(torch.rand(1, 1, 5), size=0, mode='area').shape → [1, 1, 0]; size=(0, 2) on [1, 1, 5, 5] → [1, 1, 0, 2];
      // size=(0, 2, 2) on [1, 1, 5, 5, 5] → [1, 1, 0, 2, 2]; scale_factor=0.1 on [1, 1, 5, 5] → [1, 1, 0, 0];
      // scale_factor=[0.3, 2] on [2, 3, 3, 1] → [2, 3, 0, 2]
      const cases: [number[], wg.InterpolateOptions, number[]][] = [
        [[1, 1, 5], { size: 0 }, [1, 1, 0]],
        [[1, 1, 5, 5], { size: [0, 2] }, [1, 1, 0, 2]],
        [[1, 1, 5, 5, 5], { size: [0, 2, 2] }, [1, 1, 0, 2, 2]],
        [[1, 1, 5, 5], { scaleFactor: 0.1 }, [1, 1, 0, 0]],
        [[2, 3, 3, 1], { scaleFactor: [0.3, 2] }, [2, 3, 0, 2]],
      ];
      for (const [shape, opts, want] of cases) {
        const x = wg.ones(shape, { requiresGrad: true });
        const y = F.interpolate(x, { ...opts, mode: 'area' });
        expect(y.shape).toEqual(want);
        y.sum().backward();
        expect(Array.from(x.grad!.data()).every((g) => g === 0)).toBe(true);
      }
      // the other modes refuse it, as PyTorch ("Input and output sizes should be greater than 0")
      expect(() => F.interpolate(wg.ones([1, 1, 5]), { size: 0, mode: 'nearest' })).toThrow(wg.ValueError);
      expect(() => F.interpolate(wg.ones([1, 1, 5, 5]), { scaleFactor: 0.1, mode: 'bilinear' })).toThrow(wg.ShapeError);
    });
  });

  describe(`PyTorch's None and empty sizes on ${be}`, () => {
    test('interpolate leaves out an option given as null (PyTorch: None)', () => {
      wg.setBackend(be);
      const x = wg.arange(6).reshape([1, 2, 3]);
      // F.interpolate(x, size=4, mode='linear', scale_factor=None, align_corners=None, recompute_scale_factor=None)
      //   → [[[0.0, 0.625, 1.375, 2.0], [3.0, 3.625, 4.375, 5.0]]]
      const opts = { size: 4, mode: 'linear', scaleFactor: null, alignCorners: null, recomputeScaleFactor: null } as unknown as wg.InterpolateOptions;
      expect(Array.from(F.interpolate(x, opts).data())).toEqual([0, 0.625, 1.375, 2, 3, 3.625, 4.375, 5]);
      // F.interpolate(x, scale_factor=2, size=None, mode='nearest', align_corners=None) → [[[0, 0, 1, 1, 2, 2], [3, 3, 4, 4, 5, 5]]]
      const nearest = { scaleFactor: 2, size: null, alignCorners: null } as unknown as wg.InterpolateOptions;
      expect(Array.from(F.interpolate(x, nearest).data())).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    });

    test("the pools, gridSample, affineGrid and pad take PyTorch's None (null) for an optional argument", () => {
      wg.setBackend(be);
      const none = <T>(o: object) => o as T;
      const x = wg.arange(10).reshape([1, 2, 5]);
      // F.max_pool1d(x, 2, stride=None, padding=1) → [[[0, 2, 4], [5, 7, 9]]]; F.avg_pool1d(x, 2, stride=None) → [[[0.5, 2.5], [5.5, 7.5]]]
      expect(Array.from(F.maxPool1d(x, 2, none<{ padding: number }>({ stride: null, padding: 1 })).data())).toEqual([0, 2, 4, 5, 7, 9]);
      expect(Array.from(F.avgPool1d(x, 2, none({ stride: null })).data())).toEqual([0.5, 2.5, 5.5, 7.5]);
      // F.avg_pool2d(torch.arange(16.).reshape(1, 1, 4, 4), 3, stride=None, padding=1, divisor_override=None)
      //   → [[[[1.1111111640930176, 2.0], [4.666666507720947, 5.55555534362793]]]]
      const x2 = wg.arange(16).reshape([1, 1, 4, 4]);
      expectClose(
        F.avgPool2d(x2, 3, none({ stride: null, padding: 1, divisorOverride: null })).data(),
        [1.1111111640930176, 2, 4.666666507720947, 5.55555534362793],
      );
      // F.avg_pool3d(torch.arange(8.).reshape(1, 1, 2, 2, 2), 2, stride=None, divisor_override=None) → [[[[[3.5]]]]]
      expect(Array.from(F.avgPool3d(wg.arange(8).reshape([1, 1, 2, 2, 2]), 2, none({ stride: null, divisorOverride: null })).data())).toEqual([3.5]);
      // F.grid_sample(x2, torch.tensor([[[[0.5, -0.25], [-1.0, 0.75]]]]), align_corners=None) → [[[[6.5, 6.0]]]]
      const grid = wg.tensor([
        [
          [
            [0.5, -0.25],
            [-1.0, 0.75],
          ],
        ],
      ]);
      expectClose(F.gridSample(x2, grid, none({ alignCorners: null })).data(), [6.5, 6]);
      // F.affine_grid(torch.tensor([[[1., 0.5, 0.1], [0., 1., -0.2]]]), [1, 1, 2, 2], align_corners=None)
      const theta = wg.tensor([
        [
          [1, 0.5, 0.1],
          [0, 1, -0.2],
        ],
      ]);
      expectClose(F.affineGrid(theta, [1, 1, 2, 2], none({ alignCorners: null })).data(), [-0.65, -0.7, 0.35, -0.7, -0.15, 0.3, 0.85, 0.3]);
      // F.pad(torch.tensor([[1., 2, 3]]), [1, 1], value=None) → [[0, 1, 2, 3, 0]]; mode='reflect', value=0.0 on [[[1., 2, 3]]] → [[[2, 1, 2, 3, 2]]]
      expect(Array.from(wg.pad(wg.tensor([[1, 2, 3]]), [1, 1], none({ value: null })).data())).toEqual([0, 1, 2, 3, 0]);
      expect(Array.from(wg.pad(wg.tensor([[[1, 2, 3]]]), [1, 1], { mode: 'reflect', value: 0 }).data())).toEqual([2, 1, 2, 3, 2]);
      // F.pad(torch.zeros(1, 2, 3), [1, 1], mode='replicate', value=1.0) → RuntimeError: Padding mode "replicate" doesn't take in value argument
      expect(() => wg.pad(wg.zeros([1, 2, 3]), [1, 1], { mode: 'replicate', value: 1 })).toThrow(wg.ValueError);
      // only torch's Optional arguments take None: F.avg_pool2d(x2, 2, count_include_pad=None) → TypeError (must be bool)
      expect(() => F.avgPool2d(x2, 2, none({ countIncludePad: null }))).toThrow(wg.ValueError);
      expect(() => F.gridSample(x2, grid, none({ mode: null }))).toThrow(wg.ValueError);
    });

    test("fractionalMaxPool2d takes torch's positional (outputSize, outputRatio, returnIndices, randomSamples)", () => {
      wg.setBackend(be);
      // x7 = (torch.arange(49.) * 0.37).sin().reshape(1, 1, 7, 7); u = torch.tensor([[[0.3, 0.7]]])
      // F.fractional_max_pool2d(x7, 2, (3, 3), None, True, u) and F.fractional_max_pool2d(x7, 2, None, 0.5, True, u) give
      const want = [
        0.5240442156791687, 0.9958808422088623, 0.9612752199172974, 0.9964756369590759, 0.5182281136512756, 0.013628887012600899, 0.6842896342277527,
        0.9970241189002991, 0.7882519364356995,
      ];
      const x7 = wg.tensor(
        Array.from({ length: 49 }, (_, i) => Math.sin(i * 0.37)),
        { shape: [1, 1, 7, 7] },
      );
      const u = wg.tensor([[[0.3, 0.7]]]);
      for (const [size, ratio] of [
        [[3, 3], null],
        [null, 0.5],
      ] as const) {
        const [v, i] = F.fractionalMaxPool2d(x7, 2, size, ratio, true, u) as [wg.Tensor, wg.Tensor];
        expectClose(v.data(), want);
        expect(Array.from(i.data())).toEqual([7, 4, 5, 21, 24, 34, 36, 38, 40]);
      }
    });

    test('adaptiveAvgPool3d / adaptiveMaxPool3d to a size holding 0 give empty results, as PyTorch', () => {
      wg.setBackend(be);
      // F.adaptive_avg_pool3d(torch.ones(1, 2, 3, 3, 3), [0, 2, 2]).shape → [1, 2, 0, 2, 2]
      const x = wg.ones([1, 2, 3, 3, 3], { requiresGrad: true });
      const y = F.adaptiveAvgPool3d(x, [0, 2, 2]);
      expect(y.shape).toEqual([1, 2, 0, 2, 2]);
      y.sum().backward();
      expect(Array.from(x.grad!.data()).every((g) => g === 0)).toBe(true);
      // F.adaptive_max_pool3d(torch.ones(2, 3, 3, 3), [2, 0, 2], return_indices=True) → shapes [2, 2, 0, 2] and [2, 2, 0, 2] (int64)
      const [v, i] = F.adaptiveMaxPool3d(wg.ones([2, 3, 3, 3]), [2, 0, 2], { returnIndices: true });
      expect([v.shape, i.shape, i.dtype]).toEqual([[2, 2, 0, 2], [2, 2, 0, 2], 'int32']);
      expect(() => F.adaptiveAvgPool3d(x, [-1, 2, 2])).toThrow(wg.ValueError);
    });
  });

  describe(`pad and avgPool3d refuse what PyTorch 1.13 refuses, on ${be}`, () => {
    test('constant: crops larger than the dim are a ShapeError naming pad; an empty result with a positive pad is refused', () => {
      wg.setBackend(be);
      // F.pad(torch.zeros(3, 1), [2, -2]) → RuntimeError: start (0) + length (-1) exceeds dimension size (1).
      expect(() => wg.pad(wg.zeros([3, 1]), [2, -2])).toThrow(
        "wasmgrad.pad: constant padding (2, -2) of dim 1 of a tensor of shape [3, 1]: the crops remove 2 of the dim's 1 elements",
      );
      // F.pad(torch.zeros(3, 3), [1, 0, -1, -2]) → RuntimeError: The input size 3, plus negative padding -1 and -2 resulted in a negative output size
      expect(() => wg.pad(wg.zeros([3, 3]), [1, 0, -1, -2])).toThrow(/constant padding \(-1, -2\) of dim 0 .*the result would be empty along it/);
      // F.pad(torch.zeros(3, 3), [0, 0, -1, -2]).shape → [0, 3]; F.pad(torch.zeros(2, 3), [-1, -2]).shape → [2, 0]
      expect(wg.pad(wg.zeros([3, 3]), [0, 0, -1, -2]).shape).toEqual([0, 3]);
      expect(wg.pad(wg.zeros([2, 3]), [-1, -2]).shape).toEqual([2, 0]);
    });

    test("reflect and replicate: an empty result of one pair of pads is refused (torch's 1-D kernels), of two or three pairs kept", () => {
      wg.setBackend(be);
      // F.pad(torch.zeros(3, 2, 3), [-2, -1], mode='replicate') → RuntimeError: input (W: 3) is too small. Calculated output W: 0
      for (const mode of ['reflect', 'replicate'] as const)
        expect(() => wg.pad(wg.zeros([3, 2, 3]), [-2, -1], { mode })).toThrow(
          /the result would be empty along it \(PyTorch refuses that in .* with one pair of pads\)/,
        );
      // F.pad(torch.zeros(3, 2, 3, 3), [-2, -1, 1, 3], mode='replicate').shape → [3, 2, 7, 0]
      // F.pad(torch.zeros(3, 2, 3, 3), [0, 0, -2, -1], mode='reflect').shape → [3, 2, 0, 3]
      expect(wg.pad(wg.zeros([3, 2, 3, 3]), [-2, -1, 1, 3], { mode: 'replicate' }).shape).toEqual([3, 2, 7, 0]);
      expect(wg.pad(wg.zeros([3, 2, 3, 3]), [0, 0, -2, -1], { mode: 'reflect' }).shape).toEqual([3, 2, 0, 3]);
    });

    test('avgPool3d needs the unpadded input to hold the kernel (PyTorch 1.13 checks it for avg_pool3d only)', () => {
      wg.setBackend(be);
      // F.avg_pool3d(torch.zeros(1, 3, 5, 1, 5), [3, 2, 2], stride=[2, 1, 2], padding=1)
      //   → RuntimeError: input image (T: 5 H: 1 W: 5) smaller than kernel size (kT: 3 kH: 2 kW: 2)
      expect(() => F.avgPool3d(wg.zeros([1, 3, 5, 1, 5]), [3, 2, 2], { stride: [2, 1, 2], padding: 1 })).toThrow(
        "wasmgrad.avgPool3d: the input 5×1×5 (shape [1, 3, 5, 1, 5]) is smaller than the kernel 3×2×2: PyTorch's avg_pool3d needs the unpadded input to hold it",
      );
      // F.avg_pool3d(torch.zeros(1, 1, 1, 1, 1), [2, 1, 1], ceil_mode=True) → the same error (T: 1 < kT: 2)
      expect(() => F.avgPool3d(wg.zeros([1, 1, 1, 1, 1]), [2, 1, 1], { ceilMode: true })).toThrow(wg.ShapeError);
      // max_pool3d has no such check: F.max_pool3d(torch.zeros(1, 1, 1, 1, 1), [2, 1, 1], padding=[1, 0, 0]).shape → [1, 1, 1, 1, 1]
      expect(F.maxPool3d(wg.zeros([1, 1, 1, 1, 1]), [2, 1, 1], { padding: [1, 0, 0] }).shape).toEqual([1, 1, 1, 1, 1]);
      // the padded input holds the kernel and so does the input: F.avg_pool3d(torch.arange(8.).reshape(1, 1, 2, 2, 2), 2, padding=1) → [[[[[0.0, 0.125], [0.25, 0.375]], [[0.5, 0.625], [0.75, 0.875]]]]]
      const y = F.avgPool3d(wg.arange(8).reshape([1, 1, 2, 2, 2]), 2, { padding: 1 });
      expect(Array.from(y.data())).toEqual([0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875]);
    });
  });
}
