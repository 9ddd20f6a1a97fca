/**
 * The fused normalisations (src/ops/normalization.ts) against PyTorch 1.13 (values written as
 * literals, computed by PyTorch in float64 from the float32 inputs: its float32 CPU kernels take
 * one-pass moments, E[x²] − mean², whose rounding exceeds ours on small groups): wg.layerNorm, wg.groupNorm and wg.batchNorm (training and eval), the modules
 * BatchNorm1d/2d, LayerNorm, GroupNorm and InstanceNorm2d, values and every gradient on both
 * backends; the large-mean accuracy of the statistics; every error path. Inputs are sin(i·s + o)
 * patterns and each case backpropagates (y·G).sum() for a fixed pattern G. The op-table harness
 * (test/ops.test.ts) checks the kernels against the reference and central differences.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { ShapeError, ValueError } from '../../src/errors.js';
import { expectClose } from '../helpers/expect.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const vals = (t: wg.Tensor) => Array.from(t.data());
/** add + scale·sin(i·s + off) laid out in `shape` (as the PyTorch script that made the literals). */
const sinT = (shape: number[], s: number, { off = 1, scale = 1, add = 0, requiresGrad = false } = {}) =>
  wg.tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => add + scale * Math.sin(i * s + off)),
    { shape, requiresGrad },
  );
/** Backpropagates (y·G).sum() with G = sin(i·s + 1) of y's shape. */
const backward = (y: wg.Tensor, s: number) =>
  y
    .mul(sinT([...y.shape], s))
    .sum()
    .backward();
/** A module's parameter set to values (in place, outside the graph). */
const set = (p: wg.Tensor | null, v: number[]) => wg.noGrad(() => p!.copy_(wg.tensor(v)));
const TOL = 2e-6;

for (const be of ['wasm', 'reference'] as const) {
  describe(`normalisation on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('layerNorm over the last two dims with weight and bias', () => {
      const x = sinT([2, 3, 4], 0.7, { requiresGrad: true }),
        w = sinT([3, 4], 0.3, { add: 1, requiresGrad: true }),
        b = sinT([3, 4], 0.5, { scale: 0.5, requiresGrad: true });
      const y = wg.layerNorm(x, [3, 4], { weight: w, bias: b });
      backward(y, 1.3);
      expectClose(
        vals(y),
        [
          2.0508193, 2.6501983, 1.7594971, -0.159629, -2.0119141, -2.8351687, -2.4237524, -1.3407642, -0.373331, 0.0693298, 0.1259752, 0.1607992, 0.846215,
          -0.906961, -2.0137535, -1.8042343, -0.5209242, 0.8990147, 1.5532174, 1.212002, 0.371118, -0.2556552, -0.3184323, 0.0036876,
        ],
        TOL,
      );
      expectClose(
        vals(x.grad!),
        [
          2.0030693, 1.8808933, -1.4056058, -2.8341888, -0.353665, 1.964528, 0.955962, -1.0596386, -1.1183367, -0.0808411, 0.1665637, -0.1187401, -1.8469165,
          -2.3781044, 0.7883917, 2.6627806, 0.5696155, -1.706908, -0.6831867, 1.4911713, 1.5613499, 0.2165344, -0.4010999, -0.273628,
        ],
        TOL,
      );
      expectClose(
        vals(w.grad!),
        [0.5650348, 1.3991996, -0.7125826, -0.8457014, 0.0335402, -2.1624812, -1.8640164, 1.3886773, 0.9616447, 0.1143111, 1.7951219, 0.8632129],
        TOL,
      );
      expectClose(
        vals(b.grad!),
        [0.0631189, -0.067452, -0.0992055, 0.0143772, 0.1068973, 0.0428126, -0.0839927, -0.0877485, 0.0370474, 0.1075687, 0.0205017, -0.0966004],
        TOL,
      );
    });

    test('layerNorm without affine, eps 1e-3, normalizedShape as a number', () => {
      const x = sinT([3, 5], 0.9, { requiresGrad: true });
      const y = wg.layerNorm(x, 5, { eps: 1e-3 });
      backward(y, 1.1);
      expectClose(
        vals(y),
        [
          0.9447571, 1.0820003, 0.2816654, -0.85057, -1.4578528, -1.7002927, -0.3160588, 0.9196606, 1.0716975, 0.0249934, -0.4439845, -1.1213046, -0.6683058,
          0.5721914, 1.6614035,
        ],
        TOL,
      );
      expectClose(
        vals(x.grad!),
        [
          0.2177194, 0.1161495, -0.3321247, -0.3824259, 0.3806817, -0.0754266, 1.4157113, 1.1018227, -0.6070058, -1.8351016, -1.2679025, -0.0720108, 0.9113274,
          0.6912091, -0.2626231,
        ],
        TOL,
      );
    });

    test('groupNorm: 3 groups of 2 channels with weight and bias', () => {
      const x = sinT([2, 6, 3], 0.6, { requiresGrad: true }),
        w = sinT([6], 0.4, { add: 1, requiresGrad: true }),
        b = sinT([6], 0.8, { scale: 0.5, requiresGrad: true });
      const y = wg.groupNorm(x, 3, { weight: w, bias: b });
      backward(y, 1.7);
      expectClose(
        vals(y),
        [
          1.8945303, 2.3489432, 1.7997561, 0.5064176, -1.3235652, -2.876917, -2.1186032, -1.8254651, -0.7116618, 0.3999521, 1.7166823, 2.4742445, 1.8260112,
          1.087675, -0.074656, -1.09626, -1.6880457, -1.7761715, -2.7855248, -1.1905966, 0.5791061, 2.0876427, 2.5399762, 1.8566639, 3.9204798, 1.25918,
          -0.949252, -2.1353182, -1.6002275, 0.1846878, -2.0710474, 0.1172789, 1.3258323, 0.7013515, -0.4490264, -2.2022969,
        ],
        TOL,
      );
      expectClose(
        vals(x.grad!),
        [
          2.0516637, 0.9132787, -3.1127221, -1.0972424, 2.3682241, -1.123202, -2.2004716, 1.2390292, 2.6141848, -1.3100182, -1.9522639, 1.6095397, 1.2425972,
          -1.7292233, -0.4829784, 1.7924992, 0.4232752, -1.2461699, -0.674484, 1.9510746, -1.8788464, -3.0715054, 1.8486489, 1.8251123, -0.4050916, -0.6342771,
          4.1627292, 0.1778378, -4.4442914, 1.1430931, 3.1795229, -1.0924187, -3.1190039, 2.1688223, 2.2740225, -3.4109452,
        ],
        TOL,
      );
      expectClose(vals(w.grad!), [-0.7796074, -0.3306444, -1.9346799, 0.7226272, -2.3762987, 2.1826333], TOL);
      expectClose(vals(b.grad!), [1.0234306, 1.2199436, -0.1012075, -1.2964519, -0.8788525, 0.6320787], TOL);
    });

    test('groupNorm of a 2-D input [N, C] without affine', () => {
      const x = sinT([2, 4], 1.2, { requiresGrad: true });
      const y = wg.groupNorm(x, 2);
      backward(y, 0.3);
      expectClose(vals(y), [0.9820986, -0.9820986, 0.9999633, -0.9999633, -0.9999841, 0.9999841, 0.9999762, -0.9999762], TOL);
      expectClose(vals(x.grad!), [-0.1290207, 0.1290207, 5.3e-6, -5.3e-6, 6e-6, -6e-6, 1.53e-5, -1.53e-5], TOL);
    });

    test('batchNorm in training: batch statistics, running averages updated in place (momentum 0.2, unbiased variance)', () => {
      const x = sinT([4, 3, 2], 0.5, { requiresGrad: true }),
        w = sinT([3], 0.4, { add: 1, requiresGrad: true }),
        b = sinT([3], 0.8, { scale: 0.5, requiresGrad: true });
      const rm = wg.tensor([0.1, -0.2, 0.3]),
        rv = wg.tensor([1, 0.5, 2]);
      const y = wg.batchNorm(x, rm, rv, { weight: w, bias: b, training: true, momentum: 0.2 });
      backward(y, 1.9);
      expectClose(
        vals(y),
        [
          2.1963732, 2.5396792, 2.6455945, 1.9316711, 1.6509774, -1.6343235, -1.3203729, -1.8060489, -1.6454567, -1.0634681, -1.1576758, 2.1452052, 1.7904447,
          2.4087699, 2.8294834, 2.3910784, 3.4609098, 0.2065557, -0.8521814, -1.59078, -1.7397796, -1.4537326, -2.8751673, 0.2655239,
        ],
        TOL,
      );
      expectClose(
        vals(x.grad!),
        [
          1.5192042, 0.1460431, -1.663057, 1.4580587, 2.3254474, -5.3768823, -0.2043031, 2.3993194, -1.0420556, -1.4429207, 6.1491847, -2.4345064, -2.4137697,
          0.8202342, 2.0840466, -1.5709416, -4.3813921, 5.1274723, -1.2238795, -1.0428486, 2.243948, -0.0670783, -4.520183, 3.1108595,
        ],
        TOL,
      );
      expectClose(vals(w.grad!), [0.9374389, -0.9378777, 2.2149985], TOL);
      expectClose(vals(b.grad!), [0.3043191, -1.1571701, 1.5262492], TOL);
      expectClose(vals(rm), [0.0868976, -0.1661073, 0.2265029], TOL);
      expectClose(vals(rv), [0.9600905, 0.5707903, 1.6199622], TOL);
    });

    test('batchNorm in eval mode (the default): running statistics, gradients to x, weight and bias', () => {
      const x = sinT([4, 3, 2], 0.5, { requiresGrad: true }),
        w = sinT([3], 0.4, { add: 1, requiresGrad: true }),
        b = sinT([3], 0.8, { scale: 0.5, requiresGrad: true });
      const rm = wg.tensor([0.1, -0.2, 0.3]),
        rv = wg.tensor([1, 0.5, 2]);
      const y = wg.batchNorm(x, rm, rv, { weight: w, bias: b });
      backward(y, 1.9);
      expectClose(
        vals(y),
        [
          1.7861259, 2.0734382, 3.6016332, 2.7288912, 0.0359991, -0.6505589, -1.1570336, -1.563495, -1.6440003, -0.9325432, -0.5509497, 0.1392822, 1.446405,
          1.9638804, 3.8264298, 3.2904977, 0.4142364, -0.2658543, -0.7652048, -1.3833368, -1.7593062, -1.4096255, -0.9098689, -0.2535312,
        ],
        TOL,
      );
      expectClose(
        vals(x.grad!),
        [
          1.5495366, 0.4405685, -2.7970527, 1.1367464, 1.0250109, -1.2278068, -0.3049538, 1.8171028, -1.3264767, -1.9130076, 1.2742137, 0.1270416, -1.7895296,
          0.9894582, 1.7531397, -2.6422484, -0.022228, 1.3277862, -1.1033734, -1.0384173, 2.7061656, -0.1663937, -1.2917068, 0.9179019,
        ],
        TOL,
      );
      expectClose(vals(w.grad!), [0.7646047, -1.4238387, 0.0662901], TOL);
      expectClose(vals(b.grad!), [0.3043191, -1.1571701, 1.5262492], TOL);
      expect(vals(rm)).toEqual([0.1, -0.2, 0.3].map(Math.fround));
    });

    test('batchNorm in training without running statistics only normalises', () => {
      const x = sinT([4, 3, 2], 0.5);
      const y = wg.batchNorm(x, null, null, { training: true });
      expectClose(vals(y), vals(wg.batchNorm(x, wg.zeros([3]), wg.ones([3]), { training: true })), 0);
    });

    test('BatchNorm1d on [N, C], momentum null (cumulative average over 2 batches), then eval', () => {
      const m = new wg.nn.BatchNorm1d(3, { momentum: null });
      set(m.weight, [1.5, 0.5, -1]);
      set(m.bias, [0.1, 0.2, 0.3]);
      const x = sinT([5, 3], 0.8, { requiresGrad: true });
      const y = m.forward(x);
      backward(y, 1.4);
      expectClose(
        vals(y),
        [
          1.7540923, 0.8609925, -0.5504703, -0.4761524, -0.3680028, 1.6518234, -0.9011772, 0.4199168, -1.1228516, 1.9558888, 0.4868981, 0.7669105, -1.8326514,
          -0.3998047, 0.754588,
        ],
        TOL,
      );
      expectClose(
        vals(x.grad!),
        [
          0.1825996, 0.3045593, 0.3835302, -1.2499609, 0.084749, -0.3523221, 0.9917819, -0.7904586, -0.4256577, 0.0308841, 0.2946575, 1.4132271, 0.0446953,
          0.1064928, -1.0187775,
        ],
        TOL,
      );
      expectClose(vals(m.weight!.grad!), [3.4310525, 0.0688796, -2.5168451], TOL);
      expectClose(vals(m.bias!.grad!), [-0.0252487, 0.9996711, 0.3650711], TOL);
      const x2 = sinT([5, 3], 0.35, { scale: 2, add: 0.5 });
      m.forward(x2);
      expectClose(vals(m.runningMean!), [0.2721234, 0.1808353, 0.1024666], TOL);
      expectClose(vals(m.runningVar!), [1.8367593, 1.795281, 1.5559786], TOL);
      expect(m.numBatchesTracked!.item()).toBe(2);
      m.eval();
      expectClose(
        vals(m.forward(x2)),
        [
          2.2148686, 1.047316, -1.6086715, 2.3164526, 0.8232219, -0.6306254, 0.4442527, 0.0925585, 0.9623274, -1.5204363, -0.4104613, 1.5694957, -1.6033811,
          -0.1803742, 0.5807616,
        ],
        TOL,
      );
    });

    test('BatchNorm2d without affine: training step, running statistics, eval', () => {
      const m = new wg.nn.BatchNorm2d(3, { affine: false });
      const x = sinT([2, 3, 2, 2], 0.45, { requiresGrad: true });
      const y = m.forward(x);
      backward(y, 1.15);
      expectClose(
        vals(y),
        [
          0.3317936, 0.873357, 0.707163, -0.1336984, 0.4412771, -0.3431699, -1.0894865, -1.6490767, -0.9038579, -0.6837917, 0.3607866, 2.021895, -2.2639871,
          -0.7586356, 0.3638976, 0.8801098, 1.5134585, 1.0865751, 0.4131517, -0.3727292, 1.0696668, -0.294418, -0.9115174, -0.6587634,
        ],
        TOL,
      );
      expectClose(
        vals(x.grad!),
        [
          3.4246015, 3.7548184, 0.0868611, -3.3446347, -1.6245498, 0.3145452, 1.3100311, 0.2077604, -2.6740767, -3.8079497, -0.4076033, 3.0864714, 1.5727942,
          -1.1446076, -3.0916835, -1.2581495, 0.3842843, 1.2272996, 0.001803, -1.8211738, -4.3791194, 0.2255572, 4.4369768, 3.5197437,
        ],
        TOL,
      );
      expectClose(vals(m.runningMean!), [0.0748811, 0.0085683, -0.0787746], TOL);
      expectClose(vals(m.runningVar!), [0.9089122, 0.9364769, 0.9059321], TOL);
      m.eval();
      expectClose(
        vals(m.forward(x.detach())),
        [
          0.8040808, 0.9627195, 0.9140368, 0.6677255, 0.3373073, -0.120658, -0.5563624, -0.8830548, -0.9612386, -0.9085575, -0.6584988, -0.2608506, 0.0437059,
          0.4846644, 0.813485, 0.9646976, 0.9632537, 0.7140364, 0.3208875, -0.1379149, -0.4888019, -0.8153464, -0.9630722, -0.9025661,
        ],
        TOL,
      );
    });

    test('LayerNorm on a 3-D input', () => {
      const m = new wg.nn.LayerNorm(5);
      set(m.weight, [1, 2, 0.5, -1, 1.5]);
      set(m.bias, [0, 0.1, 0.2, 0.3, 0.4]);
      const x = sinT([2, 2, 5], 0.75, { requiresGrad: true });
      const y = m.forward(x);
      backward(y, 0.95);
      expectClose(
        vals(y),
        [
          0.8109887, 2.1583806, 0.4194692, 0.9430244, -2.0541395, -1.2857007, -1.702206, 0.1895954, -0.5827957, 2.3872256, 1.6058633, 1.4575574, 0.0065953,
          1.3190829, -0.9181243, -1.7426644, -0.1733805, 0.6870641, -0.6937011, 0.2672879,
        ],
        TOL,
      );
      expectClose(
        vals(x.grad!),
        [
          -0.4771292, 0.7668687, -1.0498982, 1.3114818, -0.5513231, -0.9621318, 0.8624209, 0.6699216, -0.7001016, 0.1298909, 0.8004072, -1.4368472, 0.1010697,
          -1.4209296, 1.9562999, 0.6165011, -2.0952346, -0.8780849, 1.7111749, 0.6456435,
        ],
        TOL,
      );
      expectClose(vals(m.weight!.grad!), [-0.8472235, 0.0459487, -0.817369, -0.3296566, 0.5796137], TOL);
      expectClose(vals(m.bias!.grad!), [-0.1043817, -0.0371256, 0.061191, 0.1083132, 0.0648168], TOL);
    });

    test('GroupNorm(2, 4) on [2, 4, 3]', () => {
      const m = new wg.nn.GroupNorm(2, 4);
      const x = sinT([2, 4, 3], 0.65, { requiresGrad: true });
      const y = m.forward(x);
      backward(y, 1.25);
      expectClose(
        vals(y),
        [
          0.8589619, 1.0806934, 0.722314, -0.0700174, -0.9731625, -1.6187894, -1.4546108, -1.0398853, -0.2637627, 0.5572292, 1.0882632, 1.1127664, 1.8312253,
          0.7060383, -0.4001811, -1.0362808, -0.9428385, -0.1579633, -0.7977408, 0.5335853, 1.1956238, 0.9183735, -0.1850936, -1.6647481,
        ],
        TOL,
      );
      expectClose(
        vals(x.grad!),
        [
          0.9419967, 0.8346729, -0.7488367, -1.6139405, -0.5180694, 1.104177, 1.2188405, -0.3572616, -1.437459, -0.7148681, 0.6387768, 0.6519714, 1.0458257,
          -1.1852884, -0.8766557, 0.6806743, 0.8548028, -0.5193586, -0.7091554, -1.3163048, 0.300832, 0.9431504, 0.1434509, 0.6380269,
        ],
        TOL,
      );
      expectClose(vals(m.weight!.grad!), [0.2143665, -2.5509399, 0.943204, 4.0948972], TOL);
      expectClose(vals(m.bias!.grad!), [-0.3612095, 0.9086607, -1.1300106, 0.9458209], TOL);
    });

    test('InstanceNorm2d with affine on an unbatched [C, H, W] input', () => {
      const m = new wg.nn.InstanceNorm2d(3, { affine: true });
      set(m.weight, [1, 2, -0.5]);
      set(m.bias, [0.5, 0, 0.25]);
      const x = sinT([3, 2, 2], 0.85, { requiresGrad: true });
      const y = m.forward(x);
      backward(y, 1.05);
      expectClose(
        vals(y),
        [1.2201929, 1.4453396, 0.4419965, -1.107529, -1.9307103, -1.6364671, 0.5124568, 3.0547206, -0.3160182, -0.1024755, 0.4508396, 0.9676541],
        TOL,
      );
      expectClose(
        vals(x.grad!),
        [0.1988176, -0.0113751, -0.2798063, 0.0923638, -1.5800777, 0.8346641, 1.5582221, -0.8128085, -0.3654553, 0.2779867, 0.3321202, -0.2446516],
        TOL,
      );
      expectClose(vals(m.weight!.grad!), [2.8024117, 2.4411916, -0.1994194], TOL);
      expectClose(vals(m.bias!.grad!), [0.9244303, 0.8132872, -1.721876], TOL);
    });

    test('batchNorm in training with eps 0: a constant channel gives its bias and no gradient (PyTorch), not NaN', () => {
      // [N, C] (the column kernels) and [N, C, S] (the channel kernels); channel 0 is constant.
      for (const [data, shape, g, y, gx, gw, gb] of [
        [
          [2, 1, 2, 3, 2, 5, 2, 7],
          [4, 2],
          [1, 2, -1, 0.5, 3, -1, 0.25, 1],
          [0.5, -2.3416408, 0.5, -1.4472136, 0.5, -0.5527864, 0.5, 0.3416408],
          [0, 0.3130495, 0, -0.1565248, 0, -0.626099, 0, 0.4695743],
          [0, -2.0124612],
          [3.25, 2.5],
        ],
        [
          [2, 2, 1, 3, 2, 2, 5, 7],
          [2, 2, 2],
          [1, 2, -1, 0.5, 3, -1, 0.25, 1],
          [0.5, 0.5, -2.3416408, -1.4472136, 0.5, 0.5, -0.5527864, 0.3416408],
          [0, 0, -0.1453444, 0.2683282, 0, 0, -0.1006231, -0.0223607],
          [0, 2.5714782],
          [5, 0.75],
        ],
      ]) {
        const x = wg.tensor(data, { shape, requiresGrad: true }),
          w = wg.tensor([3, 1], { requiresGrad: true }),
          b = wg.tensor([0.5, -1], { requiresGrad: true });
        const out = wg.batchNorm(x, null, null, { weight: w, bias: b, training: true, eps: 0 });
        out.backward(wg.tensor(g, { shape }));
        expectClose(vals(out), y, TOL);
        expectClose(vals(x.grad!), gx, TOL);
        expectClose(vals(w.grad!), gw, TOL);
        expectClose(vals(b.grad!), gb, TOL);
      }
    });

    test('instanceNorm: instance statistics with weight, bias and running statistics (momentum 0.2); useInputStats false', () => {
      const x = sinT([2, 3, 4], 0.7, { requiresGrad: true }),
        w = sinT([3], 1.1, { requiresGrad: true }),
        b = sinT([3], 0.4, { requiresGrad: true });
      const rm = wg.tensor([0.5, -0.25, 0.125]),
        rv = wg.tensor([1.5, 0.75, 2]);
      const y = wg.instanceNorm(x, rm, rv, { weight: w, bias: b, momentum: 0.2 });
      backward(y, 0.3);
      expectClose(
        vals(y),
        [
          1.315742, 1.665047, 0.9296575, -0.5445627, 1.349331, 0.01634614, 0.3592792, 2.216843, 1.063848, 0.9401326, 0.90824, 0.9831699, 2.216916, 0.8180074,
          0.0519436, 0.2790167, -0.336993, 0.7797276, 1.645621, 1.853444, 0.8907043, 0.9506246, 1.010894, 1.043167,
        ],
        TOL,
      );
      expectClose(
        vals(x.grad!),
        [
          -0.2118625, 0.08091174, 0.1460703, -0.01511958, 1.51958, 0.02956951, -0.7445415, -0.8046079, -0.0278919, -0.0398857, -0.007105508, 0.07488311,
          0.0402443, -0.2007023, -0.132786, 0.2932441, 0.0749696, -0.1241968, -0.1488128, 0.19804, 0.002250852, -0.003192698, -0.001476062, 0.002417908,
        ],
        TOL,
      );
      expectClose(vals(w.grad!), [-0.3329597, 0.7366597, -1.142744], TOL);
      expectClose(vals(b.grad!), [0.1857642, 1.658172, 1.015939], TOL);
      // Moved towards the batch's mean of the instance means and of the unbiased instance variances.
      expectClose(vals(rm), [0.4023374, -0.2257885, 0.1462596], TOL);
      expectClose(vals(rv), [1.237825, 0.6449328, 1.660827], TOL);
      const x2 = sinT([2, 3, 2, 2], 0.9, { requiresGrad: true });
      const y2 = wg.instanceNorm(x2, wg.tensor([0.5, -0.25, 0.125]), wg.tensor([1.5, 0.75, 2]), { useInputStats: false, eps: 1e-3 });
      backward(y2, 0.3);
      expectClose(
        vals(y2),
        [
          0.278717, 0.3642811, -0.1346867, -0.8405775, -0.8581685, -0.5256623, 0.4229727, 1.269828, 0.5766645, 0.137214, -0.4729512, -0.7920701, -0.9741845,
          -0.299365, 0.2931567, 0.354972, 0.6382607, -0.3554712, -0.8618715, -0.4977065, 0.01758644, 0.5249974, 0.568227, 0.1145599,
        ],
        TOL,
      );
      expectClose(
        vals(x2.grad!),
        [
          0.6868293, 0.7864799, 0.8158765, 0.7723934, 0.9329495, 0.6905958, 0.3865534, 0.04798124, -0.1806497, -0.3745571, -0.5350064, -0.6476653, -0.811075,
          -0.801902, -0.7210974, -0.5758793, -0.5361191, -0.2102031, 0.1344898, 0.4671691, 0.4644436, 0.6011992, 0.6842515, 0.7061817,
        ],
        TOL,
      );
    });

    test('localResponseNorm: defaults on [2, 5, 3]; size 4 (window past both ends), alpha, beta, k on [1, 4, 2, 2]', () => {
      const x = sinT([2, 5, 3], 0.7, { requiresGrad: true });
      const y = wg.localResponseNorm(x, 3);
      backward(y, 0.3);
      expectClose(
        vals(y),
        [
          0.841456, 0.9916312, 0.6754394, 0.04157911, -0.611835, -0.9774932, -0.8834214, -0.3738627, 0.3115297, 0.8504046, 0.9893209, 0.6629444, 0.02477498,
          -0.6250492, -0.9809019, -0.8754192, -0.3582194, 0.3274701, 0.8591295, 0.9867347, 0.6502635, 0.007962887, -0.6380828, -0.9840279, -0.8671695,
          -0.3424679, 0.3433021, 0.8676114, 0.98388, 0.6374143,
        ],
        TOL,
      );
      expectClose(
        vals(x.grad!),
        [
          0.8414246, 0.9635026, 0.9995353, 0.9462639, 0.8084798, 0.5984501, 0.3349443, 0.04155558, -0.2555118, -0.5297834, -0.7567665, -0.9161376, -0.9936725,
          -0.9824232, -0.883411, -0.7054823, -0.4645792, -0.1821661, 0.1165137, 0.4048372, 0.656982, 0.8504052, 0.9678677, 0.9988862, 0.9406721, 0.7984425,
          0.5849118, 0.3191097, 0.02478701, -0.2717579,
        ],
        TOL,
      );
      const x4 = sinT([1, 4, 2, 2], 0.9, { requiresGrad: true });
      const y4 = wg.localResponseNorm(x4, 4, { alpha: 0.5, beta: 0.3, k: 2 });
      backward(y4, 0.3);
      expectClose(
        vals(y4),
        [
          0.6631432, 0.7496206, 0.2714564, -0.4225747, -0.7717229, -0.5579226, 0.09393131, 0.6668442, 0.7250125, 0.2522578, -0.4327013, -0.769514, -0.540598,
          0.1069959, 0.684703, 0.7259704,
        ],
        TOL,
      );
      expectClose(
        vals(x4.grad!),
        [
          0.6690834, 0.7548827, 0.8023979, 0.7596201, 0.6383325, 0.4768477, 0.2698155, 0.03881317, -0.1890238, -0.4125265, -0.6066701, -0.7014565, -0.7664404,
          -0.7878715, -0.695609, -0.5533721,
        ],
        TOL,
      );
    });

    test('statistics keep the variance of values around 1e4 with a spread of 1e-2 (as the float64 reference)', () => {
      // float32 values on both backends (the reference's heap is float64): ~20 steps of 2⁻¹⁰ apart.
      const big = (shape: number[], s: number) =>
        wg.tensor(
          Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.fround(1e4 + 0.01 * Math.sin(i * s + 1))),
          { shape, requiresGrad: true },
        );
      const runs: [string, (x: wg.Tensor) => wg.Tensor, number[]][] = [
        ['batchNorm', (x) => wg.batchNorm(x, null, null, { training: true }), [6, 3, 7]],
        ['layerNorm', (x) => wg.layerNorm(x, 33), [3, 33]],
        ['groupNorm', (x) => wg.groupNorm(x, 2, { weight: wg.tensor([1, 2, 3, 4]), bias: wg.tensor([0, 1, 0, 1]) }), [2, 4, 9]],
      ];
      for (const [name, f, shape] of runs) {
        const got = [be, 'reference'].map((b) => {
          wg.setBackend(b as 'wasm' | 'reference');
          const x = big(shape, 0.37);
          const y = f(x);
          backward(y, 0.9);
          return [vals(y), vals(x.grad!)];
        });
        // |y| and |dx/dy·g| are O(1) and O(100) (1/std = 100): errors relative to the largest.
        for (const k of [0, 1]) {
          const scale = Math.max(...got[1][k].map(Math.abs));
          expect(scale, name).toBeGreaterThan(0.5);
          expectClose(
            got[0][k].map((v) => v / scale),
            got[1][k].map((v) => v / scale),
            1e-5,
          );
        }
      }
    });
  });
}

describe('normalisation errors', () => {
  beforeEach(() => wg.setBackend('wasm'));
  const x24 = () => wg.zeros([2, 4]);

  test('layerNorm: normalizedShape, weight and bias shapes, eps, options', () => {
    expect(() => wg.layerNorm(x24(), [3])).toThrow(
      new ShapeError('layerNorm', 'normalizedShape [3] must match the trailing dims of the input, got shape [2, 4]'),
    );
    expect(() => wg.layerNorm(x24(), [-1])).toThrow(
      new ValueError('layerNorm', 'normalizedShape must be a non-empty array of non-negative integers, got [-1]'),
    );
    expect(() => wg.layerNorm(x24(), [])).toThrow('wasmgrad.layerNorm: normalizedShape must be a non-empty array of non-negative integers, got []');
    expect(() => wg.layerNorm(x24(), [4], { weight: wg.ones([3]) })).toThrow(
      new ShapeError('layerNorm', 'weight must have shape [4] for an input of shape [2, 4], got [3]'),
    );
    expect(() => wg.layerNorm(x24(), [4], { bias: wg.ones([2, 4]) })).toThrow(
      'wasmgrad.layerNorm: bias must have shape [4] for an input of shape [2, 4], got [2, 4]',
    );
    expect(() => wg.layerNorm(x24(), [4], { eps: -1 })).toThrow(new ValueError('layerNorm', 'eps must be a finite number ≥ 0, got -1'));
    expect(() => wg.layerNorm(x24(), [4], { eps: NaN })).toThrow('wasmgrad.layerNorm: eps must be a finite number ≥ 0, got NaN');
    expect(() => wg.layerNorm(x24(), [4], { elementwiseAffine: true } as never)).toThrow(
      "wasmgrad.layerNorm: unknown option 'elementwiseAffine' (the options are weight, bias, eps)",
    );
    expect(() => wg.layerNorm(x24(), [4], { weight: [1, 2, 3, 4] as never })).toThrow('wasmgrad.layerNorm: weight must be a Tensor, got [1, 2, 3, 4]');
  });

  test('groupNorm: numGroups, input rank, weight shape', () => {
    const x = wg.zeros([2, 6, 3]);
    expect(() => wg.groupNorm(x, 4)).toThrow(new ValueError('groupNorm', 'numGroups 4 must divide the 6 channels of the input of shape [2, 6, 3]'));
    expect(() => wg.groupNorm(x, 0)).toThrow('wasmgrad.groupNorm: numGroups must be a positive integer, got 0');
    expect(() => wg.groupNorm(x, 1.5)).toThrow('wasmgrad.groupNorm: numGroups must be a positive integer, got 1.5');
    expect(() => wg.groupNorm(wg.zeros([6]), 2)).toThrow(new ShapeError('groupNorm', 'expected an input [N, C, *] (at least 2 dims), got shape [6]'));
    expect(() => wg.groupNorm(x, 3, { weight: wg.ones([3]) })).toThrow(
      'wasmgrad.groupNorm: weight must have shape [6] for an input of shape [2, 6, 3], got [3]',
    );
  });

  test('batchNorm: momentum, one value per channel, running statistics, mode, shapes, eps', () => {
    const rm = wg.zeros([3]),
      rv = wg.ones([3]),
      x = wg.zeros([4, 3]);
    expect(() => wg.batchNorm(x, rm, rv, { training: true, momentum: 1.5 })).toThrow(
      new ValueError('batchNorm', 'momentum must be a number in [0, 1], got 1.5'),
    );
    expect(() => wg.batchNorm(x, rm, rv, { training: true, momentum: null as never })).toThrow(
      'wasmgrad.batchNorm: momentum must be a number in [0, 1], got null',
    );
    expect(() => wg.batchNorm(wg.zeros([1, 3]), null, null, { training: true })).toThrow(
      new ShapeError('batchNorm', 'expected more than 1 value per channel when training, got input of shape [1, 3]'),
    );
    expect(() => wg.batchNorm(wg.zeros([1, 3, 1]), null, null, { training: true })).toThrow(
      'wasmgrad.batchNorm: expected more than 1 value per channel when training, got input of shape [1, 3, 1]',
    );
    expect(() => wg.batchNorm(x, wg.zeros([2]), rv, { training: true })).toThrow(
      new ShapeError('batchNorm', 'expected an input [N, C, *] with runningMean and runningVar [C], got input [4, 3], runningMean [2], runningVar [3]'),
    );
    expect(() => wg.batchNorm(x, rm, null)).toThrow(
      new ValueError('batchNorm', 'runningMean and runningVar must be given together (or both null), got one of them'),
    );
    expect(() => wg.batchNorm(x, null, null)).toThrow(
      new ValueError('batchNorm', 'eval mode (training false) normalises with the running statistics: runningMean and runningVar are required, got null'),
    );
    expect(() => wg.batchNorm(x, null, null, { training: 1 as never })).toThrow('wasmgrad.batchNorm: training must be a boolean, got 1');
    expect(() => wg.batchNorm(wg.zeros([4]), null, null, { training: true })).toThrow(
      'wasmgrad.batchNorm: expected an input [N, C, *] (at least 2 dims), got shape [4]',
    );
    expect(() => wg.batchNorm(x, null, null, { training: true, weight: wg.ones([4]) })).toThrow(
      new ShapeError('batchNorm', 'weight must have shape [3] for an input of shape [4, 3], got [4]'),
    );
    expect(() => wg.batchNorm(x, rm, rv, { weight: wg.ones([4]) })).toThrow(
      'wasmgrad.batchNorm: weight must have shape [3] for an input of shape [4, 3], got [4]',
    );
    expect(() => wg.batchNorm(x, rm, rv, { eps: -1 })).toThrow(new ValueError('batchNorm', 'eps must be a finite number ≥ 0, got -1'));
    expect(() => wg.batchNorm(x, null, null, { training: true, eps: Infinity })).toThrow('wasmgrad.batchNorm: eps must be a finite number ≥ 0, got Infinity');
    // A rejected call changed nothing.
    expect(vals(rm)).toEqual([0, 0, 0]);
    expect(vals(rv)).toEqual([1, 1, 1]);
  });

  test('instanceNorm: spatial size, statistics, shapes, options', () => {
    const x = wg.zeros([2, 3, 4]);
    expect(() => wg.instanceNorm(wg.zeros([2, 3, 1]))).toThrow(
      new ValueError('instanceNorm', 'expected more than 1 spatial element when using the input statistics (as PyTorch), got input of shape [2, 3, 1]'),
    );
    expect(() => wg.instanceNorm(x, null, null, { useInputStats: false })).toThrow(
      new ValueError('instanceNorm', 'useInputStats false normalises with the running statistics: runningMean and runningVar are required, got null'),
    );
    expect(() => wg.instanceNorm(x, null, null, { weight: wg.ones([4]) })).toThrow(
      new ShapeError('instanceNorm', 'weight must have shape [3] for an input of shape [2, 3, 4], got [4]'),
    );
    expect(() => wg.instanceNorm(x, wg.zeros([4]), wg.ones([4]))).toThrow(
      new ShapeError('instanceNorm', 'expected an input [N, C, *] with runningMean and runningVar [C], got input [2, 3, 4], runningMean [4], runningVar [4]'),
    );
    expect(() => wg.instanceNorm(x, wg.zeros([3]), null)).toThrow(ValueError);
    expect(() => wg.instanceNorm(wg.zeros([3]))).toThrow(new ShapeError('instanceNorm', 'expected an input [N, C, *] (at least 2 dims), got shape [3]'));
    expect(() => wg.instanceNorm(x, null, null, { momentum: 2 })).toThrow(new ValueError('instanceNorm', 'momentum must be a number in [0, 1], got 2'));
  });

  test('localResponseNorm: size, input rank, options', () => {
    const x = wg.zeros([2, 5, 3]);
    expect(() => wg.localResponseNorm(x, 0)).toThrow(new ValueError('localResponseNorm', 'size must be a positive integer, got 0'));
    expect(() => wg.localResponseNorm(wg.zeros([2, 5]), 3)).toThrow(
      new ShapeError('localResponseNorm', 'expected an input [N, C, *] of at least 3 dims (as PyTorch), got shape [2, 5]'),
    );
    expect(() => wg.localResponseNorm(x, 3, { beta: NaN })).toThrow(new ValueError('localResponseNorm', 'beta must be a finite number, got NaN'));
    expect(() => wg.localResponseNorm(x, 3, { bias: 1 } as object)).toThrow(ValueError);
  });

  test('the modules name themselves', () => {
    expect(() => new wg.nn.GroupNorm(3, 4)).toThrow(new ValueError('nn.GroupNorm', 'numChannels 4 must be divisible by numGroups 3'));
    expect(() => new wg.nn.GroupNorm(2, 4).forward(wg.zeros([2, 3, 5]))).toThrow('wasmgrad.nn.GroupNorm: expected an input [N, 4, *], got shape [2, 3, 5]');
    expect(() => new wg.nn.LayerNorm([3, 4]).forward(wg.zeros([2, 4, 3]))).toThrow(
      new ShapeError('nn.LayerNorm', 'expected an input [..., 3, 4], got shape [2, 4, 3]'),
    );
    expect(() => new wg.nn.BatchNorm2d(3, { momentum: 2 })).toThrow('wasmgrad.nn.BatchNorm2d: momentum must be a number in [0, 1] or null, got 2');
    expect(() => new wg.nn.BatchNorm1d(3, { eps: -1 })).toThrow(new ValueError('nn.BatchNorm1d', 'eps must be a finite number ≥ 0, got -1'));
    expect(() => new wg.nn.BatchNorm1d(3).forward(wg.zeros([1, 3]))).toThrow(
      new ShapeError('nn.BatchNorm1d', 'expected more than 1 value per channel when training, got input of shape [1, 3]'),
    );
    expect(() => new wg.nn.BatchNorm2d(3).forward(wg.zeros([2, 3, 4]))).toThrow('wasmgrad.nn.BatchNorm2d: expected an input [N, 3, H, W], got shape [2, 3, 4]');
    expect(() => new wg.nn.InstanceNorm2d(3, { eps: NaN })).toThrow('wasmgrad.nn.InstanceNorm2d: eps must be a finite number ≥ 0, got NaN');
  });
});
