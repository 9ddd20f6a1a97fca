/**
 * torch's ATen-level names (src/api/aten-aliases.ts) on both backends: values and gradients from
 * torch 1.13 as literals (each quotes the call; `run` weights the output by 1, 2, … before backward,
 * see test/helpers/torch-run.ts), the returned statistics' shapes, and the error paths. Inputs are
 * V(shape, s, o) = float32(2·s·sin(1.3·i + o)) over the row-major index i, as the torch script made them.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { flat, run } from './helpers/torch-run.js';

beforeAll(async () => {
  await initWasm();
});

const V = (shape: number[], s = 1, o = 0.4): wg.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return wg.tensor(
    Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + o) * 2 * s),
    { shape },
  );
};

for (const be of ['wasm', 'reference'] as const) {
  describe(`ATen aliases on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('constantPadNd: pairs from the last dim, negative entries crop', () => {
      // torch.constant_pad_nd(x, [1, 2, -1, 1], 0.5)
      run(
        (x) => wg.constantPadNd(x, [1, 2, -1, 1], 0.5),
        [V([2, 3])],
        [
          [
            [0.5, -1.832332, -1.262533, 1.15688, 0.5, 0.5],
            [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
          ],
          [
            [
              [0, 0, 0],
              [2, 3, 4],
            ],
          ],
        ],
      );
      expect(wg.constantPadNd(wg.ones([2]), [1, 1]).toArray()).toEqual([0, 1, 1, 0]);
    });

    test('convolution: 1-D with bias and stride, grouped 2-D, transposed 2-D with outputPadding, 3-D', () => {
      // torch.convolution(x1, w1, b1, [2], [1], [1], False, [0], 1)
      run(
        (x, w, b) => wg.convolution(x, w, b, [2], [1], [1], false, [0], 1),
        [V([1, 2, 5]), V([3, 2, 2], 1, 1.1), V([3], 1, 2)],
        [
          [
            [
              [0.6520259, 4.029521, 0.6506835],
              [-0.4271303, 2.393263, -3.528261],
              [-0.9254225, -1.660115, -3.829942],
            ],
          ],
          [
            [12.33542, -10.27427, 16.08521, -10.20913, 19.83499, -3.273189, 18.87981, -5.98455, 20.8208, -8.695912],
            [-1.530337, -2.444283, -2.122695, -1.84161, -1.077344, -3.048654, -2.363929, -1.519763, -0.6243505, -3.653023, -2.605164, -1.197916],
            [6, 15, 24],
          ],
        ],
      );
      // torch.convolution(x2, w2, None, [1, 1], [0, 1], [1, 1], False, [0, 0], 2)
      run(
        (x, w) => wg.convolution(x, w, null, [1, 1], [0, 1], [1, 1], false, [0, 0], 2),
        [V([1, 2, 3, 3]), V([2, 1, 2, 2], 1, 1.1)],
        [
          [
            4.566286, 8.430562, 3.035553, -0.7228444, -6.083703, -6.67704, 3.234347, 4.140981, -0.9349054, 5.058141, 2.012025, -0.4380746, -3.543638, -4.142232,
            1.765628, -0.9929487,
          ],
          [
            [
              4.915756, 8.049097, 11.18244, 13.41193, 13.56775, 13.72357, -15.94728, -18.9248, -21.90232, 17.75883, 19.7283, 21.69777, 23.05937, 24.63113,
              26.20289, -4.168159, -4.565866, -4.963574,
            ],
            [-1.940065, -3.046487, -8.283073, -6.114375, -18.36444, -17.56809, -3.641188, -2.755145],
          ],
        ],
      );
      // torch.convolution(x2, wt, None, [2, 2], [1, 0], [1, 1], True, [1, 0], 1): [1, 3, 5, 6]
      const x2 = V([1, 2, 3, 3]).requiresGrad_(true),
        wt = V([2, 3, 2, 2], 1, 0.7).requiresGrad_(true);
      const yt = wg.convolution(x2, wt, null, [2, 2], [1, 0], [1, 1], true, [1, 0], 1);
      expect(yt.shape).toEqual([1, 3, 5, 6]);
      expectClose(yt.data().slice(0, 8), [-0.336406, -3.302947, -0.4763964, -1.051738, 0.08153503, 2.74027, -1.718181, -2.239567], 2e-6);
      expectClose(yt.data().slice(-6), [0.4414868, -0.08084893, -2.704675, -2.267407, -1.888482, -1.132209], 2e-6);
      yt.mul(wg.arange(1, yt.size + 1).reshape(yt.shape))
        .sum()
        .backward();
      expectClose(x2.grad!.data().slice(0, 6), [212.9234, 216.2707, 219.618, 133.4344, 140.0343, 146.6342], 2e-6);
      expectClose(wt.grad!.data().slice(0, 4), [-23.9951, -26.1638, -28.86727, -27.99156], 2e-6);
      // torch.convolution(x3, w3, None, [1, 1, 1], [0, 0, 0], [1, 1, 1], False, [0, 0, 0], 1)
      run(
        (x, w) => wg.convolution(x, w, null, [1, 1, 1], [0, 0, 0], [1, 1, 1], false, [0, 0, 0], 1),
        [V([1, 1, 2, 2, 3]), V([2, 1, 1, 2, 2], 1, 0.9)],
        [
          [8.228082, 2.144437, 0.3853309, -7.816663, 2.22525, -3.148049, -3.759149, -3.348573],
          [
            [-0.2549713, 11.55143, 14.01848, 5.928125, -0.8800426, -10.51291, 2.149687, 20.78491, 20.8473, 7.17687, -5.792042, -16.67365],
            [9.788671, -5.750587, -1.132277, 12.25945, 27.76197, -5.137007, -11.18591, 24.52582],
          ],
        ],
      );
      expect(() => wg.convolution(V([1, 2]), V([2, 2]), null, 1, 0, 1, false, 0, 1)).toThrow(
        new wg.ShapeError('convolution', 'expected a weight of 3, 4 or 5 dims (a 1-D, 2-D or 3-D convolution), got shape [2, 2]'),
      );
      expect(() => wg.convolution(V([1, 2, 5]), V([3, 2, 2]), null, 1, 0, 1, 0 as never, 0, 1)).toThrow(/convolution: transposed must be a boolean/);
    });

    test('convTbc: time-major [T, B, C] convolution with padding, and F.convTbc', () => {
      expect(wg.nn.functional.convTbc).toBe(wg.convTbc);
      // torch.conv_tbc(xt, wtb, bt, 1)
      run(
        (x, w, b) => wg.convTbc(x, w, b, 1),
        [V([5, 2, 3]), V([2, 3, 4], 1, 0.2), V([4], 1, 1.7)],
        [
          [
            5.653314, -2.061629, -6.75628, -1.552965, 2.234104, 6.273911, 1.122424, -5.673417, -5.327465, -3.262239, 3.582174, 5.178694, 6.677631, -2.59048,
            -8.063532, -1.72349, 2.478634, 7.99752, 1.80002, -7.034514, -3.430087, -8.046581, -0.8748159, 7.578557, 9.347572, 4.659282, -6.854868, -8.32662,
            -3.295138, 2.25619, 4.502194, 0.1524739, 2.282707, -6.96071, -6.00667, 3.747155, 6.827142, 8.824073, -2.106283, -9.950929, -2.242364, 1.760591,
            3.184276, -0.05701113, 2.319621, -5.178232, -5.089962, 2.455114,
          ],
          [
            [
              10.54216, 11.55665, 0.2868133, 10.17344, 11.946, 1.020352, 9.804735, 12.33533, 1.75388, 9.436024, 12.72467, 2.487411, 9.067318, 13.11401,
              3.220947, 8.698608, 13.50335, 3.954479, 8.329895, 13.89268, 4.688007, 7.961182, 14.28203, 5.421547, 7.592491, 14.67137, 6.15509, 7.223778,
              15.0607, 6.888626,
            ],
            [
              -49.522, -50.54286, -51.56372, -52.58458, -18.791, -18.28279, -17.77457, -17.26636, 39.46886, 40.76162, 42.05437, 43.34713, -41.35513, -42.37599,
              -43.39685, -44.41771, -22.85672, -22.34851, -21.84029, -21.33208, 29.12683, 30.41959, 31.71234, 33.0051,
            ],
            [276, 288, 300, 312],
          ],
        ],
        1e-5,
      ); // float32 dot products of terms up to ~10
      expect(wg.convTbc(V([5, 2, 3]), V([2, 3, 4]), V([4])).shape).toEqual([4, 2, 4]);
      // torch: "Input must have 3 dims: time, batch, in_channel"; "Input dim 2 (input channels) is not == dim 1 in the weight tensor"
      expect(() => wg.convTbc(V([2, 3]), V([2, 3, 4]), V([4]))).toThrow(
        /^wasmgrad\.convTbc: input must have 3 dims: time, batch, in_channel; got shape \[2, 3\]/,
      );
      expect(() => wg.convTbc(V([5, 2, 3]), V([2, 2, 4]), V([4]))).toThrow(/input dim 2 \(input channels, 3\) must equal dim 1 of the weight \(2\)/);
      expect(() => wg.convTbc(V([5, 2, 3]), V([2, 3, 4]), V([3]))).toThrow(wg.ShapeError);
      expect(() => wg.convTbc(V([5, 2, 3]), V([2, 3, 4]), V([4]), -1)).toThrow(/pad must be a non-negative integer, got -1/);
    });

    test('nativeLayerNorm: layerNorm and its detached mean and rstd, shaped as torch', () => {
      const x = V([2, 3, 5]);
      // torch.native_layer_norm(x, [5], None, None, 1e-5)[0]
      run(
        (t) => wg.nativeLayerNorm(t, [5], null, null, 1e-5)[0],
        [x],
        [
          [
            0.5702275, 1.44082, 0.2112937, -1.317092, -0.905249, 0.8328321, 1.356889, -0.1125938, -1.422821, -0.6543065, 1.052389, 1.204277, -0.429842,
            -1.455981, -0.3708432, 1.217129, 0.9931182, -0.7223457, -1.416103, -0.07179847, 1.320265, 0.7371285, -0.9752243, -1.308192, 0.2260232, 1.359768,
            0.451268, -1.177912, -1.14102, 0.5078971,
          ],
          [
            [
              -0.9749892, 0.4662626, 0.1743722, -0.3641552, 0.6985097, -0.7533274, 0.4061112, -0.09371424, -0.4609876, 0.9019175, -0.6061068, 0.2351913,
              -0.3411989, -0.4349899, 1.147099, -0.5626059, -0.006763458, -0.5156965, -0.2952137, 1.38028, -0.6257248, -0.2666111, -0.5858059, -0.07641983,
              1.554562, -0.7756958, -0.4937706, -0.5457611, 0.1741905, 1.641037,
            ],
          ],
        ],
        1e-5,
      ); // float32 sums of 5 terms of magnitude up to 5 on each side
      // torch.native_layer_norm(x, [5], w5, b5, 1e-5)[0] with w5 = V(5, 0.5) + 1, b5 = V(5, 0.3)
      run(
        (t, w, b) => wg.nativeLayerNorm(t, [5], w, b, 1e-5)[0],
        [x, V([5], 0.5).add(1), V([5], 0.3)],
        [
          [
            1.025936, 3.464629, 0.3257834, -0.6601167, -0.7125555, 1.390803, 3.297468, -0.04381099, -0.6689804, -0.6200246, 1.695859, 2.993516, -0.4058293,
            -0.6717603, -0.5155023, 1.924753, 2.572958, -0.739611, -0.6684172, -0.4052345, 2.068052, 2.063112, -1.028176, -0.6593706, -0.2954177, 2.122937,
            1.493774, -1.259467, -0.6453559, -0.1914814,
          ],
          [
            flat([
              [
                -1.006323, 0.2211186, 0.730701, -0.3647188, 0.4192214, -1.727737, 0.7080569, 1.764639, -0.2465811, -0.4983749, -3.006072, 2.443652, 4.090652,
                -0.6181345, -2.910096,
              ],
              [
                -3.844204, 5.859356, 6.901281, -2.384087, -6.532346, -3.343649, 10.73742, 9.12683, -5.953892, -10.56671, -1.012487, 16.32215, 9.822571,
                -11.12605, -14.00619,
              ],
            ]),
            [99.69709, 72.11526, -74.26874, -129.8497, 2.819564],
            [81, 87, 93, 99, 105],
          ],
        ],
      );
      // torch.native_layer_norm(x, [3, 5], None, None, 1e-5): mean [[[0.005290322]], [[0.04671701]]], rstd [[[0.7222266]], [[0.709266]]]
      const [out, m, r] = wg.nativeLayerNorm(x.detach().requiresGrad_(true), [3, 5], null, null, 1e-5);
      expect([out.shape, m.shape, r.shape]).toEqual([
        [2, 3, 5],
        [2, 1, 1],
        [2, 1, 1],
      ]);
      expectClose(m.data(), [0.005290322, 0.04671701], 1e-5);
      expectClose(r.data(), [0.7222266, 0.709266], 2e-6);
      expect([out.requiresGrad, m.requiresGrad, r.requiresGrad]).toEqual([true, false, false]);
      expect(() => wg.nativeLayerNorm(x, [5], V([3]), null, 1e-5)).toThrow(/nativeLayerNorm|layerNorm/);
    });

    test('nativeBatchNorm: training updates the running stats and returns the batch stats; eval returns empty ones', () => {
      const x = V([2, 3, 5]),
        w = V([3], 0.5).add(1),
        b = V([3], 0.3);
      const rm = wg.zeros([3]),
        rv = wg.ones([3]);
      // torch.native_batch_norm(x, w, b, rm, rv, True, 0.1, 1e-5)[0]
      run(
        (t, ww, bb) => wg.nativeBatchNorm(t, ww, bb, rm, rv, true, 0.1, 1e-5)[0],
        [x, w, b],
        [
          [
            0.9995105, 2.203055, 0.503305, -1.609601, -1.040252, 2.207399, 3.240883, 0.3429425, -2.240932, -0.7253591, 1.255166, 1.426284, -0.4147187,
            -1.570769, -0.3482505, 1.955209, 1.642489, -0.7522944, -1.720779, 0.1558681, 3.279549, 2.107089, -1.335785, -2.005254, 1.079456, 1.670682,
            0.6211321, -1.26099, -1.21837, 0.6865531,
          ],
          [
            [
              -8.970428, -7.150755, -7.310269, -7.751433, -6.364092, -12.5291, -10.44842, -10.85698, -11.06668, -8.680753, -7.065902, -6.159202, -6.366282,
              -6.194217, -4.705529, 6.669261, 7.455292, 6.82197, 7.160963, 9.439492, 9.544513, 10.22847, 9.474879, 10.47731, 13.85676, 5.343804, 5.574821,
              5.34498, 6.180552, 8.046975,
            ],
            [-9.479189, -8.841317, -7.779135],
            [105, 155, 205],
          ],
        ],
      );
      // the running stats after one call: rm [0.00123735, 0.002641598, 0.00392215], rv [1.114835, 1.116648, 1.119446]
      expectClose(rm.data(), [0.00123735, 0.002641598, 0.00392215], 1e-5);
      expectClose(rv.data(), [1.114835, 1.116648, 1.119446], 2e-6);
      // torch.native_batch_norm(x, w, b, None, None, True, 0.1, 1e-5)[1:]: [0.0123735, 0.02641598, 0.0392215], [0.7191588, 0.7161435, 0.7115643]
      const [, sm, si] = wg.nativeBatchNorm(x, w, b, null, null, true, 0.1, 1e-5);
      expect([sm.shape, si.shape, sm.requiresGrad]).toEqual([[3], [3], false]);
      expectClose(sm.data(), [0.0123735, 0.02641598, 0.0392215], 1e-5);
      expectClose(si.data(), [0.7191588, 0.7161435, 0.7115643], 2e-6);
      // eval: torch.native_batch_norm(x, w, b, rm2, rv2, False, 0.1, 1e-5) → out, tensor([]), tensor([])
      const rm2 = V([3], 0.2),
        rv2 = V([3], 0.3).abs().add(0.5);
      run(
        (t, ww, bb) => wg.nativeBatchNorm(t, ww, bb, rm2, rv2, false, 0.1, 1e-5)[0],
        [x, w, b],
        [
          [
            1.24435, 3.198192, 0.438806, -2.991302, -2.067015, 2.041914, 3.421011, -0.4460462, -3.89401, -1.871605, 2.210235, 2.524737, -0.8588748, -2.9836,
            -0.7367119, 2.795837, 2.288166, -1.599543, -3.171788, -0.1252256, 3.472608, 1.908058, -2.686166, -3.579516, 0.5367684, 2.97392, 1.044933, -2.414251,
            -2.335919, 1.165172,
          ],
          [
            [
              1.622129, 3.244257, 4.866386, 6.488515, 8.110643, 11.41981, 13.32311, 15.22641, 17.12971, 19.03301, 16.41588, 17.90823, 19.40059, 20.89294,
              22.38529, 25.95406, 27.57619, 29.19832, 30.82045, 32.44257, 39.96932, 41.87262, 43.77592, 45.67922, 47.58252, 38.80117, 40.29352, 41.78587,
              43.27823, 44.77058,
            ],
            [-32.96669, -66.64058, -18.9158],
            [105, 155, 205],
          ],
        ],
      );
      const ev = wg.nativeBatchNorm(x, w, b, rm2, rv2, false, 0.1, 1e-5);
      expect([ev[1].shape, ev[2].shape]).toEqual([[0], [0]]);
      expect(() => wg.nativeBatchNorm(x, w, b, null, null, false, 0.1, 1e-5)).toThrow(
        new wg.ValueError('nativeBatchNorm', 'evaluation (training false) normalizes with runningMean and runningVar, which must both be given'),
      );
    });

    test("nativeGroupNorm: groupNorm and each sample's group statistics [N, group]", () => {
      const x = V([2, 4, 3]),
        w = V([4], 0.5).add(1),
        b = V([4], 0.3);
      // torch.native_group_norm(x4, w4, b4, 2, 4, 3, 2, 1e-5)[0]
      run(
        (t, ww, bb) => wg.nativeGroupNorm(t, ww, bb, 2, 4, 3, 2, 1e-5)[0],
        [x, w, b],
        [
          [
            0.8519588, 2.104828, 0.335417, -2.412004, -1.56242, 2.044985, 1.299217, -0.3020332, -1.729747, -0.6214758, -0.4836721, -0.4714703, -0.2175993,
            -1.718217, -0.13132, 3.439876, 2.967031, -0.6539856, -1.153838, 0.3116032, 1.851883, -0.4669898, -0.6053584, -0.6322642,
          ],
          [
            [
              -3.202893, -1.099599, -1.56088, -0.5836711, 1.410279, 5.036767, 3.26787, 2.44491, 1.79655, -3.87487, -1.929733, -1.704727, -5.504295, -1.07835,
              -3.590178, -0.5061264, 1.745945, 8.933001, 8.425853, 6.765516, 4.980539, -9.075759, -5.881704, -5.214441,
            ],
            [-24.4714, 24.72588, 6.306765, -5.902114],
            [48, 66, 84, 102],
          ],
        ],
      );
      const [, m, r] = wg.nativeGroupNorm(x, w, b, 2, 4, 3, 2, 1e-5);
      expect([m.shape, r.shape]).toEqual([
        [2, 2],
        [2, 2],
      ]);
      expectClose(m.data(), [0.1844035, 0.3403728, -0.1476736, -0.3563083], 1e-5);
      expectClose(r.data(), [0.7486323, 0.6906447, 0.7585876, 0.6837735], 2e-6);
      // torch: "Expected X.numel() == N * C * HxW to be true"; "… divisible by num_groups …"
      expect(() => wg.nativeGroupNorm(x, w, b, 2, 4, 4, 2, 1e-5)).toThrow(
        new wg.ShapeError('nativeGroupNorm', 'expected an input [N, C, *] with N = 2, C = 4 and HxW = 4 elements per channel, got shape [2, 4, 3]'),
      );
      expect(() => wg.nativeGroupNorm(x, w, b, 2, 4, 3, 3, 1e-5)).toThrow(wg.WasmgradError);
    });

    test('nativeDropout: [out, mask] with out = x·mask/(1 − p); train false copies with a mask of ones', () => {
      wg.manualSeed(3);
      const x = V([40, 25]).requiresGrad_(true);
      const [out, mask] = wg.nativeDropout(x, 0.3, true);
      const mv = mask.data(),
        xv = x.data(),
        ov = out.data();
      expect(mv.every((v) => v === 0 || v === 1)).toBe(true);
      for (let i = 0; i < mv.length; i++) expect(ov[i]).toBeCloseTo((xv[i] * mv[i]) / 0.7, 5);
      const kept = Array.from(mv).reduce((a, v) => a + v, 0) / mv.length;
      expect(Math.abs(kept - 0.7)).toBeLessThan(0.05); // 1000 draws: 4.9 standard deviations
      out.sum().backward();
      for (let i = 0; i < mv.length; i++) expect(x.grad!.data()[i]).toBeCloseTo(mv[i] / 0.7, 5);
      const [same, all] = wg.nativeDropout(x, 0.3, false);
      expect([same.toArray(), Array.from(all.data()).every((v) => v === 1)]).toEqual([x.toArray(), true]);
      expect(Array.from(wg.nativeDropout(x, 1, true)[0].data()).every((v) => v === 0)).toBe(true);
      // torch: "dropout probability has to be between 0 and 1, but got 1.5"
      expect(() => wg.nativeDropout(x, 1.5, true)).toThrow(new wg.ValueError('nativeDropout', 'dropout probability has to be between 0 and 1, but got 1.5'));
    });

    test('nativeNorm and normExceptDim: norms of all elements and over every dim but one', () => {
      const v = V([3, 2, 4]);
      // torch.linalg.vector_norm(v) (native_norm is sparse-only in torch 1.13's CPU build) = norm_except_dim(v, 2, -1)
      run((t) => wg.nativeNorm(t), [v], [6.952376, [flat(v.div(6.952376).toArray() as number[][][])]]);
      // torch.norm_except_dim(v, 2, 0)
      run(
        (t) => wg.normExceptDim(t, 2, 0),
        [v],
        [
          [[[3.804225]], [[4.158895]], [[4.070257]]],
          [
            [
              0.2047294, 0.5213492, 0.07419119, -0.4816571, -0.3318766, 0.3041039, 0.4945714, -0.03950929, -0.9434585, -0.4324682, 0.712089, 0.8134342,
              -0.2769037, -0.961577, -0.2375378, 0.8344948, 1.048329, -0.7181481, -1.432536, -0.0482555, 1.40672, 0.8008473, -0.9782683, -1.324219,
            ],
          ],
        ],
      );
      // torch.norm_except_dim(v, 3, 1)
      run(
        (t) => wg.normExceptDim(t, 3, 1),
        [v],
        [
          [[[3.474867], [3.423604]]],
          [
            [
              0.05023617, 0.3257718, 0.006597218, -0.2780558, -0.2719873, 0.2283701, 0.604023, -0.00385473, -0.318761, -0.06697735, 0.1815884, 0.2369542,
              -0.05657392, -0.6822241, -0.04163171, 0.5138143, 0.1675405, -0.07862358, -0.3128499, -0.0003549918, 0.6215546, 0.2014482, -0.3005939, -0.5507867,
            ],
          ],
        ],
      );
      // torch.norm_except_dim(v, 2, -1) is the 0-d norm of all elements; norm_except_dim(v, 1, 2)
      expect(wg.normExceptDim(v, 2, -1).shape).toEqual([]);
      expectClose([wg.normExceptDim(v, 2, -1).item()], [6.952376], 2e-6);
      expect(wg.normExceptDim(v).shape).toEqual([3, 1, 1]);
      run(
        (t) => wg.normExceptDim(t, 1, 2),
        [v],
        [
          [[[7.909942, 8.099954, 7.409265, 7.271523]]],
          [
            flat(
              v
                .sign()
                .mul(wg.tensor([1, 2, 3, 4]))
                .toArray() as number[][][],
            ),
          ],
        ],
      );
      // torch: "Dimension out of range (expected to be in range of [-3, 2], but got 3)"
      expect(() => wg.normExceptDim(v, 2, 3)).toThrow(wg.WasmgradError);
    });

    test('featureDropout: whole [n, c] slices dropped and the rest scaled', () => {
      wg.manualSeed(5);
      const x = wg.ones([50, 20, 3]);
      const y = wg.featureDropout(x, 0.25, true).reshape([1000, 3]).toArray() as number[][];
      for (const row of y) expect(row[0] === 0 ? [0, 0, 0] : [4 / 3, 4 / 3, 4 / 3].map((v) => Math.fround(v))).toEqual(row.map((v) => Math.fround(v)));
      const dropped = y.filter((row) => row[0] === 0).length / 1000;
      expect(Math.abs(dropped - 0.25)).toBeLessThan(0.07); // 1000 slices: 5 standard deviations
      expect(wg.featureDropout(x, 0.25, false)).toBe(x);
      // torch.feature_dropout(torch.ones(2, 2), 1.0, True) → zeros; "Feature dropout requires at least 2 dimensions in the input"
      expect(wg.featureDropout(wg.ones([2, 2]), 1, true).toArray()).toEqual([
        [0, 0],
        [0, 0],
      ]);
      expect(() => wg.featureDropout(wg.ones([3]), 0.5, true)).toThrow(
        /featureDropout: feature dropout requires at least 2 dimensions in the input, got shape \[3\]/,
      );
      expect(() => wg.featureDropout(x, -0.5, true)).toThrow(/dropout probability has to be between 0 and 1, but got -0.5/);
    });

    test('gridSampler, gridSampler2d, gridSampler3d: ATen enums for mode and padding', () => {
      const gi = V([1, 1, 3, 4]),
        grid = V([1, 2, 3, 2], 1, 0.3).mul(0.6);
      // torch.grid_sampler(gi, grid, 0, 0, False)
      run(
        (i, g) => wg.gridSampler(i, g, 0, 0, false),
        [gi, grid],
        [
          [0.3061402, 0.0540429, -1.520255, -0.01174252, 0.1447072, 0.5881749],
          [
            [0.985514, 0, 0.7983438, 0.06398337, 0.3025194, 0, 0, 0.6583273, 2.152455, 0, 0.1587572, 2.15909],
            [0.08462024, -2.287274, -3.646906, 0.3760259, -11.30717, -2.538716, 0.5453265, 1.903652, 7.090857, -3.124457, -7.903518, -13.59503],
          ],
        ],
      );
      // torch.grid_sampler_2d(gi, grid, 1, 1, True)
      // (nearest: torch's grid gradient is zeros, here the grid gets none)
      run(
        (i) => wg.gridSampler2d(i, grid, 1, 1, true),
        [gi],
        [[1.480752, 0.28224, -1.961872, -0.1503022, 0.7788367, 1.691494], [[5, 0, 2, 0, 0, 0, 0, 4, 3, 0, 1, 6]]],
      );
      // torch.grid_sampler(gi, grid, 2, 2, False)
      run(
        (i, g) => wg.gridSampler(i, g, 2, 2, false),
        [gi, grid],
        [
          [1.774641, -0.241228, -2.054515, -0.2433253, 0.5745762, 2.063674],
          [
            [5.433225, -0.703054, 2.35283, 0.005881721, 0.4870407, -0.02223454, -0.8226381, 3.217658, 3.03969, -0.4281917, 0.501362, 7.93843],
            [2.098353, -0.1191973, -11.90357, -0.5327485, 3.302913, -0.8241017, 7.672894, 16.46255, -5.494466, -12.9333, 4.319935, -2.990527],
          ],
        ],
        1e-5,
      );
      // torch.grid_sampler_3d(gi3, grid3, 0, 1, False)
      run(
        (i, g) => wg.gridSampler3d(i, g, 0, 1, false),
        [V([1, 1, 2, 2, 3]), V([1, 1, 2, 2, 3], 1, 0.3).mul(0.6)],
        [
          [1.258937, 1.881461, 0.7455633, -0.8179718],
          [
            [0, 0, 1.410808, 0, 0.09965109, 1.702441, 2, 0, 0, 3.863325, 0.5050874, 0.4186867],
            [1.021454, 0, 1.568413, 0, 0, 0, 0, 2.623919, 0, 14.28028, 0, 0],
          ],
        ],
      );
      expect(() => wg.gridSampler2d(V([1, 1, 2, 2, 3]), V([1, 1, 2, 2, 3]), 0, 0, false)).toThrow(
        new wg.ShapeError('gridSampler2d', 'expects a 4-D input [N, C, H, W], got shape [1, 1, 2, 2, 3]'),
      );
      expect(() => wg.gridSampler3d(gi, grid, 0, 0, false)).toThrow(/gridSampler3d: expects a 5-D input/);
      expect(() => wg.gridSampler(gi, grid, 3, 0, false)).toThrow(
        new wg.ValueError('gridSampler', 'interpolationMode must be 0 (bilinear), 1 (nearest) or 2 (bicubic), got 3'),
      );
      expect(() => wg.gridSampler(gi, grid, 0, 'zeros' as never, false)).toThrow(
        /paddingMode must be 0 \(zeros\), 1 \(border\) or 2 \(reflection\), got "zeros"/,
      );
    });

    test('affineGridGenerator: F.affine_grid in ATen order', () => {
      // torch.affine_grid_generator(th, [1, 1, 2, 3], False)
      run(
        (t) => wg.affineGridGenerator(t, [1, 1, 2, 3], false),
        [V([1, 2, 3], 1, 0.8).mul(0.5)],
        [
          [-1.165383, 1.65676, -0.6871458, 0.9901444, -0.2089084, 0.3235289, -0.3021738, 1.377344, 0.1760636, 0.7107289, 0.6543009, 0.0441134],
          [[5.333333, 9, 36, 5.333333, 9, 42]],
        ],
      );
    });

    test('embeddingRenorm_: the named rows whose norm exceeds maxNorm are scaled to it, in place', () => {
      // torch.embedding_renorm_(W, torch.tensor([0, 2, 2]), 1.5, 2.0)
      const W = V([4, 3]);
      expect(wg.embeddingRenorm_(W, wg.tensor([0, 2, 2], { dtype: 'int32' }), 1.5, 2)).toBe(W);
      expectClose(
        W.data(),
        [0.5435306, 1.384116, 0.1969682, -1.832332, -1.262533, 1.15688, 1.036658, -0.08281437, -1.080963, -0.8992949, 1.480752, 1.691494],
        2e-6,
      );
      // torch.embedding_renorm_(W, torch.tensor([1, 3]), 2.0, 1.0)
      const W1 = V([4, 3]);
      wg.embeddingRenorm_(W1, wg.tensor([1, 3], { dtype: 'int32' }), 2, 1);
      expectClose(
        W1.data(),
        [0.7788367, 1.98333, 0.28224, -0.86192, -0.5938895, 0.5441905, 1.881461, -0.1503022, -1.961872, -0.4417468, 0.7273669, 0.8308863],
        2e-6,
      );
      expect(() => wg.embeddingRenorm_(V([4]), wg.tensor([0], { dtype: 'int32' }), 1, 2)).toThrow(
        /embeddingRenorm_: weight must be 2-D \[n, d\], got shape \[4\]/,
      );
      expect(() => wg.embeddingRenorm_(V([4, 3]), wg.tensor([4], { dtype: 'int32' }), 1, 2)).toThrow(/embeddingRenorm_/);
      expect(() => wg.embeddingRenorm_(V([4, 3]), wg.tensor([0], { dtype: 'int32' }), -1, 2)).toThrow(/maxNorm must be a non-negative number, got -1/);
    });

    test("nn.CrossMapLRN2d: torch's legacy window (an even size uses size − 1; channel 0 enters later sums), autodiff's gradient", () => {
      const x = V([2, 5, 2, 3]);
      // torch.nn.CrossMapLRN2d(3, 1e-2, 0.75, 1.5)(x)[0, :2] and (4, 0.5, 0.75, 1.0)(x)[1, 3:]
      const y3 = new wg.nn.CrossMapLRN2d(3, 1e-2, 0.75, 1.5).forward(x);
      expectClose(
        y3.data().slice(0, 12),
        [0.570677, 1.453702, 0.2068802, -1.342561, -0.9256462, 0.8476061, 1.377849, -0.1094434, -1.437461, -0.6556612, 1.082021, 1.23736],
        2e-6,
      );
      const y4 = new wg.nn.CrossMapLRN2d(4, { alpha: 0.5, beta: 0.75, k: 1 }).forward(x);
      expectClose(
        y4.data().slice(-12),
        [-0.03215122, 1.369893, 0.5864069, -0.7966211, -1.172092, 0.1894193, 1.190001, 0.5084653, -1.002506, -1.039186, 0.5378785, 1.201352],
        2e-6,
      );
      // torch.nn.CrossMapLRN2d(5)(x)[1, 4] (defaults alpha 1e-4, beta 0.75, k 1); CrossMapLRN2d(1, 0.3, 0.5, 2.0)(V(1, 3, 1, 2))
      expectClose(new wg.nn.CrossMapLRN2d(5).forward(x).data().slice(-6), [1.992281, 0.6981919, -1.618834, -1.56426, 0.7820357, 1.98253], 2e-6);
      expectClose(
        new wg.nn.CrossMapLRN2d(1, 0.3, 0.5, 2).forward(V([1, 3, 1, 2])).data(),
        [0.5272558, 1.112182, 0.1900327, -0.89544, -0.7740837, 0.611294],
        2e-6,
      );
      expect(String(new wg.nn.CrossMapLRN2d(4, 0.5, 0.75, 1.5))).toBe('CrossMapLRN2d(4, alpha=0.5, beta=0.75, k=1.5)');
      // the gradient is the forward's derivative (torch's hand-written backward fails torch's own gradcheck)
      wg.setBackend('reference');
      const m = new wg.nn.CrossMapLRN2d(4, 0.5, 0.75, 1);
      expect(wg.gradcheck((t: wg.Tensor) => m.forward(t), [wg.randn([2, 5, 2, 3], { requiresGrad: true })]).ok).toBe(true);
      wg.setBackend(be);
      // torch: AssertionError on a 3-D input
      expect(() => m.forward(V([5, 2, 3]))).toThrow(new wg.ShapeError('nn.CrossMapLRN2d', 'expected a 4-D input [N, C, H, W], got shape [5, 2, 3]'));
      expect(() => new wg.nn.CrossMapLRN2d(0)).toThrow(/size/);
    });

    test('segmentReduce: sum, mean, max, min, prod over runs of lengths or offsets, empty segments, initial, axis', () => {
      const d = V([6]);
      const lengths = wg.tensor([2, 0, 3, 1], { dtype: 'int32' });
      // torch.segment_reduce(d, red, lengths=torch.tensor([2, 0, 3, 1])) and with initial=0.5
      const want: Record<wg.SegmentReduction, [number[], number[]]> = {
        sum: [
          [2.762166, 0, -2.812625, 1.15688],
          [3.262167, 0.5, -2.312625, 1.65688],
        ],
        mean: [
          [1.381083, NaN, -0.9375417, 1.15688],
          [1.631083, 0.5, -0.770875, 1.65688],
        ],
        max: [
          [1.98333, -Infinity, 0.28224, 1.15688],
          [1.98333, 0.5, 0.5, 1.15688],
        ],
        min: [
          [0.7788367, Infinity, -1.832332, 1.15688],
          [0.5, 0.5, -1.832332, 0.5],
        ],
        prod: [
          [1.54469, 1, 0.6529284, 1.15688],
          [0.7723449, 0.5, 0.3264642, 0.5784398],
        ],
      };
      for (const [red, [plain, init]] of Object.entries(want) as [wg.SegmentReduction, [number[], number[]]][]) {
        const y = wg.segmentReduce(d, red, { lengths });
        expect(y.shape).toEqual([4]);
        const got = Array.from(y.data());
        plain.forEach((v, i) => (Number.isFinite(v) || Number.isNaN(v) ? expectClose([got[i]], [v], 2e-6) : expect(got[i]).toBe(v)));
        expectClose(wg.segmentReduce(d, red, { lengths, initial: 0.5 }).data(), init, 2e-6);
      }
      const d2 = V([5, 2]);
      // torch.segment_reduce(d2, 'sum', lengths=torch.tensor([2, 3]))
      run(
        (t) => wg.segmentReduce(t, 'sum', { lengths: wg.tensor([2, 3], { dtype: 'int32' }) }),
        [d2],
        [[1.061077, 0.1509978, -1.342945, 0.1072823], [[1, 2, 1, 2, 3, 4, 3, 4, 3, 4]]],
      );
      // torch.segment_reduce(d2, 'max', lengths=torch.tensor([2, 3]))
      run(
        (t) => wg.segmentReduce(t, 'max', { lengths: wg.tensor([2, 3], { dtype: 'int32' }) }),
        [d2],
        [[0.7788367, 1.98333, 1.881461, 1.15688], [[1, 2, 0, 0, 0, 4, 3, 0, 0, 0]]],
      );
      // torch.segment_reduce(d2, 'mean', lengths=torch.tensor([1, 0, 4]), initial=0.)
      run(
        (t) => wg.segmentReduce(t, 'mean', { lengths: wg.tensor([1, 0, 4], { dtype: 'int32' }), initial: 0 }),
        [d2],
        [[0.7788367, 1.98333, 0, 0, -0.2651761, -0.4312624], [[1, 2, 1.25, 1.5, 1.25, 1.5, 1.25, 1.5, 1.25, 1.5]]],
      );
      // torch.segment_reduce(d2, 'prod', lengths=torch.tensor([3, 2]))
      run(
        (t) => wg.segmentReduce(t, 'prod', { lengths: wg.tensor([3, 2], { dtype: 'int32' }) }),
        [d2],
        [
          [-0.2775286, -4.204237, -3.691187, 0.135166],
          [[-0.3563374, -4.239574, -0.9833072, 4.588947, 0.2198189, -7.268236, -5.885618, -3.59718, 5.644383, -0.601209]],
        ],
      );
      // torch.segment_reduce(d2, 'min', offsets=torch.tensor([0, 2, 5]))
      run(
        (t) => wg.segmentReduce(t, 'min', { offsets: wg.tensor([0, 2, 5], { dtype: 'int32' }) }),
        [d2],
        [[0.28224, -1.832332, -1.961872, -0.8992949], [[0, 0, 1, 2, 0, 0, 0, 0, 3, 4]]],
      );
      // torch.segment_reduce(d3, 'sum', lengths=torch.tensor([[1, 3], [2, 2]]), axis=1)
      run(
        (t) =>
          wg.segmentReduce(t, 'sum', {
            lengths: wg.tensor(
              [
                [1, 3],
                [2, 2],
              ],
              { dtype: 'int32' },
            ),
            axis: 1,
          }),
        [V([2, 4])],
        [[0.7788367, 0.4332378, -0.1056538, 1.731159], [[1, 2, 2, 2, 3, 3, 4, 4]]],
      );
      // unsafe: elements past the lengths are left out
      expectClose(wg.segmentReduce(d, 'sum', { lengths: wg.tensor([2, 1], { dtype: 'int32' }), unsafe: true }).data(), [2.762166, 0.28224], 2e-6);
      // torch: "Expected all rows of lengths along axis to sum to data.size(lengths.dim()-1) when !unsafe."
      expect(() => wg.segmentReduce(d, 'sum', { lengths: wg.tensor([2, 2], { dtype: 'int32' }) })).toThrow(
        /segmentReduce: expected the lengths of each row to add up to data's size 6 along axis 0/,
      );
      expect(() => wg.segmentReduce(d, 'foo' as never, { lengths })).toThrow(/unsupported reduction given! "foo"/);
      expect(() => wg.segmentReduce(d, 'sum')).toThrow(new wg.ValueError('segmentReduce', 'either lengths or offsets must be given'));
      expect(() => wg.segmentReduce(d, 'sum', { lengths: wg.tensor([7, -1], { dtype: 'int32' }) })).toThrow(/non-negative lengths/);
      expect(() => wg.segmentReduce(d2, 'sum', { lengths: wg.tensor([2, 3], { dtype: 'int32' }), axis: 1 })).toThrow(
        /expected axis to be the last dimension of lengths/,
      );
      expect(() => wg.segmentReduce(d, 'sum', { lengths: wg.tensor([6]) })).toThrow(wg.DTypeError);
    });
  });
}
