/** nn.utils.fuseConvBnEval/fuseConvBnWeights and fuseLinearBnEval/fuseLinearBnWeights as torch 1.13's fuse_conv_bn_eval / fuse_conv_bn_weights (transpose=True included) and fuse_linear_bn_eval / fuse_linear_bn_weights. */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

/** An eval-mode BatchNorm of 3 channels with non-trivial statistics and affine parameters. */
function batchNorm<B extends wg.nn.BatchNorm1d | wg.nn.BatchNorm2d | wg.nn.BatchNorm3d>(bn: B): B {
  bn.loadStateDict({
    weight: wg.tensor([0.9, 1.2, -0.7]),
    bias: wg.tensor([0.05, 0, -0.3]),
    running_mean: wg.tensor([0.5, -0.1, 0.2]),
    running_var: wg.tensor([1.5, 0.3, 2.0]),
    num_batches_tracked: wg.tensor(0, { dtype: 'int32' }),
  });
  bn.eval();
  return bn;
}
const wave = (n: number, s: number, shape: number[]) => wg.arange(n).mul(s).sin().mul(0.3).reshape(shape);

for (const be of ['wasm', 'reference'] as const)
  describe(`conv–BatchNorm fusion on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('nn.utils.fuseConvBnEval and fuseConvBnWeights: BatchNorm folded into the convolution, as torch', () => {
      const conv = new wg.nn.Conv2d(2, 3, 3, { padding: 1 });
      const bn = batchNorm(new wg.nn.BatchNorm2d(3));
      conv.loadStateDict({ weight: wave(54, 0.37, [3, 2, 3, 3]), bias: wg.tensor([0.1, -0.2, 0.3]) });
      expect(() => wg.nn.utils.fuseConvBnEval(conv, bn.train())).toThrow(
        'wasmgrad.nn.utils.fuseConvBnEval: Fusion only for eval! (call eval() on both modules first)',
      );
      conv.eval();
      bn.eval();
      const state = wg.getRngState();
      const fused = wg.nn.utils.fuseConvBnEval(conv, bn) as wg.nn.Conv2d;
      expect(wg.getRngState()).toEqual(state);
      // torch: f = fuse_conv_bn_eval(conv, bn); f.bias, f.weight[0, 0].flatten()
      expectClose(fused.bias!.data(), [-0.24393777549266815, -0.21908538043498993, -0.34949737787246704], 1e-6);
      expectClose(
        fused.weight.narrow(0, 0, 1).narrow(1, 0, 1).data(),
        [
          0.0, 0.07971933484077454, 0.14864902198314667, 0.19745975732803345, 0.21954526007175446, 0.21191634237766266, 0.17560552060604095,
          0.11552730202674866, 0.03981304168701172,
        ],
        1e-6,
      );
      expect([fused.training, fused.padding, fused.weight.requiresGrad, fused]).toEqual([false, [1, 1], true, expect.any(wg.nn.Conv2d)]);
      // f(x)[1, 2, 3] with x = (torch.arange(80.).reshape(2, 2, 4, 5) · 0.13).cos(); f(x) ≈ bn(conv(x))
      const x = wg.arange(80).mul(0.13).cos().reshape([2, 2, 4, 5]);
      const y = fused.forward(x);
      expectClose(
        y.select(0, 1).select(0, 2).select(0, 3).data(),
        [-1.1558016538619995, -1.5513763427734375, -1.4831318855285645, -1.3957560062408447, -1.022423505783081],
        1e-5,
      );
      expectClose(y.data(), bn.forward(conv.forward(x)).data(), 1e-5);
      // a conv without bias, Conv1d
      const c1 = new wg.nn.Conv1d(2, 3, 3, { bias: false }).eval();
      const b1 = batchNorm(new wg.nn.BatchNorm1d(3));
      const x1 = wg.arange(14).mul(0.3).sin().reshape([1, 2, 7]);
      expectClose(wg.nn.utils.fuseConvBnEval(c1, b1).forward(x1).data(), b1.forward(c1.forward(x1)).data(), 1e-5);
      // fuse_conv_bn_weights(cw, None, rm, rv, 1e-3, None, None, True) of a transposed weight cw = (arange(6).reshape(2, 3, 1) · 0.37).sin()
      const [w, b] = wg.nn.utils.fuseConvBnWeights(
        wg.arange(6).mul(0.37).sin().reshape([2, 3, 1]),
        null,
        wg.tensor([0.5, -0.1, 0.2]),
        wg.tensor([1.5, 0.3, 2.0]),
        1e-3,
        null,
        null,
        true,
      );
      expectClose(w.data(), [0.0, 0.6591188311576843, 0.4766744375228882, 0.7310912013053894, 1.815198540687561, 0.6795544028282166], 1e-6);
      expectClose(b.data(), [-0.4081122577190399, 0.18227066099643707, -0.141386017203331], 1e-6);
      expect([w.requiresGrad, b.requiresGrad, w.isLeaf, w]).toEqual([true, true, true, expect.any(wg.nn.Parameter)]);
      expect(() => wg.nn.utils.fuseConvBnWeights(conv.weight, null, wg.zeros([2]), wg.ones([3]), 1e-5, null, null)).toThrow(
        "wasmgrad.nn.utils.fuseConvBnWeights: bnRm must be [3] (the weight [3, 2, 3, 3]'s output channels, dim 0), got [2]",
      );
      expect(() => wg.nn.utils.fuseConvBnEval(new wg.nn.Linear(2, 2) as never, bn)).toThrow(/conv must be an nn\.Conv1d, Conv2d or Conv3d/);
    });

    test("ConvTranspose2d: torch's fused weight, bias and outputs; the options are kept", () => {
      const conv = new wg.nn.ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1, outputPadding: 1 });
      conv.loadStateDict({ weight: wave(54, 0.37, [2, 3, 3, 3]), bias: wg.tensor([0.1, -0.2, 0.3]) });
      conv.eval();
      const bn = batchNorm(new wg.nn.BatchNorm2d(3));
      const state = wg.getRngState();
      const fused = wg.nn.utils.fuseConvBnEval(conv, bn, true);
      expect(wg.getRngState()).toEqual(state);
      expect(String(fused)).toBe('ConvTranspose2d(2, 3, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))');
      expect([fused.training, fused instanceof wg.nn.ConvTranspose2d]).toEqual([false, true]);
      // torch: f = fuse_conv_bn_eval(conv, bn, transpose=True); f.bias, f.weight[0, :, 0, 0], f.weight[1, 2].flatten()
      expectClose(fused.bias!.data(), [-0.24393777549266815, -0.21908538043498993, -0.34949737787246704], 1e-6);
      expectClose(fused.weight.select(0, 0).select(1, 0).select(1, 0).data(), [0.0, -0.12310052663087845, -0.054639190435409546], 1e-6);
      expectClose(
        fused.weight.select(0, 1).select(0, 2).data(),
        [
          0.12009404599666595, 0.14354848861694336, 0.14757424592971802, 0.13162653148174286, 0.09786367416381836, 0.05085565149784088, -0.0030356962233781815,
          -0.05651591345667839, -0.10234721004962921,
        ],
        1e-6,
      );
      // f(x)[1, 2, 3] with x = (torch.arange(48.) · 0.13).cos().reshape(2, 2, 3, 4)
      const x = wg.arange(48).mul(0.13).cos().reshape([2, 2, 3, 4]);
      const y = fused.forward(x);
      expect(y.shape).toEqual([2, 3, 6, 8]);
      expectClose(
        y.select(0, 1).select(0, 2).select(0, 3).data(),
        [
          -0.17898793518543243, -0.03604781627655029, -0.1896960288286209, -0.05925321578979492, -0.20310097932815552, -0.08735677599906921,
          -0.2189764678478241, -0.27944767475128174,
        ],
        1e-5,
      );
      expectClose(y.data(), bn.forward(conv.forward(x)).data(), 1e-5);
      // torch's keyword form
      expectClose(wg.nn.utils.fuseConvBnEval(conv, bn, { transpose: true }).weight.data(), fused.weight.data(), 0);
    });

    test('ConvTranspose1d without bias and ConvTranspose3d with dilation: the fused module is bn(conv(x))', () => {
      const c1 = new wg.nn.ConvTranspose1d(2, 3, 3, { bias: false, stride: 3 }).eval();
      const b1 = batchNorm(new wg.nn.BatchNorm1d(3));
      const x1 = wg.arange(14).mul(0.3).sin().reshape([1, 2, 7]);
      expectClose(wg.nn.utils.fuseConvBnEval(c1, b1, true).forward(x1).data(), b1.forward(c1.forward(x1)).data(), 1e-5);
      const c3 = new wg.nn.ConvTranspose3d(2, 3, 2, { dilation: 2, padding: 1 }).eval();
      const b3 = batchNorm(new wg.nn.BatchNorm3d(3));
      const x3 = wg.arange(36).mul(0.7).cos().reshape([1, 2, 2, 3, 3]);
      expectClose(wg.nn.utils.fuseConvBnEval(c3, b3, true).forward(x3).data(), b3.forward(c3.forward(x3)).data(), 1e-5);
    });

    test('transpose must match the module; grouped transposed convolutions are refused as torch', () => {
      const bn = batchNorm(new wg.nn.BatchNorm2d(3));
      const convT = new wg.nn.ConvTranspose2d(2, 3, 3).eval();
      expect(() => wg.nn.utils.fuseConvBnEval(convT, bn)).toThrow(
        "wasmgrad.nn.utils.fuseConvBnEval: transpose must be true for an nn.ConvTranspose2d (its weight's output channels are dim 1), got false",
      );
      expect(() => wg.nn.utils.fuseConvBnEval(new wg.nn.Conv2d(2, 3, 3).eval(), bn, true)).toThrow(
        "wasmgrad.nn.utils.fuseConvBnEval: transpose must be false for an nn.Conv2d (its weight's output channels are dim 0), got true",
      );
      expect(() => wg.nn.utils.fuseConvBnEval(convT, bn, 1 as never)).toThrow('wasmgrad.nn.utils.fuseConvBnEval: transpose must be a boolean, got 1');
      // torch: the [4] scale does not broadcast against the [2, 4/2, 3, 3] weight's dim 1
      const g2 = new wg.nn.ConvTranspose2d(2, 4, 3, { groups: 2 }).eval();
      const bn4 = new wg.nn.BatchNorm2d(4).eval();
      expect(() => wg.nn.utils.fuseConvBnEval(g2, bn4, true)).toThrow(
        "wasmgrad.nn.utils.fuseConvBnEval: a grouped transposed convolution (groups 2) cannot be fused: its weight's dim 1 holds outChannels/groups channels (torch's broadcast fails too)",
      );
    });

    test("nn.utils.fuseLinearBnEval and fuseLinearBnWeights: torch's fused Linear, weights and outputs", () => {
      const linear = new wg.nn.Linear(4, 3);
      linear.loadStateDict({ weight: wave(12, 0.37, [3, 4]), bias: wg.tensor([0.1, -0.2, 0.3]) });
      const bn = batchNorm(new wg.nn.BatchNorm1d(3));
      expect(() => wg.nn.utils.fuseLinearBnEval(linear, bn)).toThrow(
        'wasmgrad.nn.utils.fuseLinearBnEval: Fusion only for eval! (call eval() on both modules first)',
      );
      linear.eval();
      const state = wg.getRngState();
      const fused = wg.nn.utils.fuseLinearBnEval(linear, bn);
      expect(wg.getRngState()).toEqual(state);
      // torch: f = fuse_linear_bn_eval(linear, bn); f.weight.flatten(), f.bias, f(x) with x = (torch.arange(8.) · 0.13).cos().reshape(2, 4)
      expectClose(
        fused.weight.data(),
        [
          0.0, 0.07971933484077454, 0.14864902198314667, 0.19745975732803345, 0.6545488238334656, 0.6318041086196899, 0.5235475897789001, 0.3444313108921051,
          -0.02681710384786129, 0.02781175635755062, 0.07867646217346191, 0.11889266967773438,
        ],
        1e-6,
      );
      expectClose(fused.bias!.data(), [-0.24393777549266815, -0.21908538043498993, -0.34949737787246704], 1e-6);
      const x = wg.arange(8).mul(0.13).cos().reshape([2, 4]);
      expectClose(
        fused.forward(x).data(),
        [0.1613941341638565, 1.8864551782608032, -0.16274034976959229, 0.046392157673835754, 1.4355040788650513, -0.22172725200653076],
        1e-5,
      );
      expectClose(fused.forward(x).data(), bn.forward(linear.forward(x)).data(), 1e-5);
      expect([fused.training, fused.weight.requiresGrad, String(fused), fused !== linear]).toEqual([
        false,
        true,
        'Linear(in_features=4, out_features=3, bias=True)',
        true,
      ]);
      // a Linear without bias: the same as bn(linear(x))
      const noBias = new wg.nn.Linear(4, 3, { bias: false }).eval();
      expectClose(wg.nn.utils.fuseLinearBnEval(noBias, bn).forward(x).data(), bn.forward(noBias.forward(x)).data(), 1e-5);
      // fuse_linear_bn_weights((arange(6.) · 0.37).sin().reshape(3, 2), None, rm, rv, 1e-3, w, b)
      const [w, b] = wg.nn.utils.fuseLinearBnWeights(
        wg.arange(6).mul(0.37).sin().reshape([3, 2]),
        null,
        wg.tensor([0.5, -0.1, 0.2]),
        wg.tensor([1.5, 0.3, 2.0]),
        1e-3,
        wg.tensor([0.9, 1.2, -0.7]),
        wg.tensor([0.05, 0, -0.3]),
      );
      expectClose(w.data(), [0.0, 0.265643447637558, 1.47483491897583, 1.9591151475906372, -0.4928126931190491, -0.47568804025650024], 1e-6);
      expectClose(b.data(), [-0.3173010051250458, 0.2187248021364212, -0.20102980732917786], 1e-6);
      expect([w, b]).toEqual([expect.any(wg.nn.Parameter), expect.any(wg.nn.Parameter)]);
      // errors: sizes that disagree, a weight that is not [out, in], modules of other kinds
      expect(() => wg.nn.utils.fuseLinearBnEval(new wg.nn.Linear(4, 2).eval(), bn)).toThrow(
        "wasmgrad.nn.utils.fuseLinearBnWeights: bnRm must be [2] (the weight [2, 4]'s output channels, dim 0), got [3]",
      );
      expect(() => wg.nn.utils.fuseLinearBnWeights(wg.ones([3]), null, wg.zeros([3]), wg.ones([3]), 1e-5, null, null)).toThrow(
        "wasmgrad.nn.utils.fuseLinearBnWeights: linearW must be a Linear's [out, in] weight, got [3]",
      );
      expect(() => wg.nn.utils.fuseLinearBnEval(new wg.nn.Conv1d(4, 3, 1).eval() as never, bn)).toThrow(/linear must be an nn\.Linear/);
      expect(() => wg.nn.utils.fuseLinearBnEval(linear, new wg.nn.LayerNorm(3) as never)).toThrow(/bn must be an nn\.BatchNorm1d, 2d or 3d/);
    });
  });
