/**
 * PyTorch names ported code reaches for that wasmgrad answers trivially: the complex-number names
 * on real tensors (conj, angle, adjoint, …) and F's older names (max_pool2d_with_indices,
 * upsample_bilinear, …). Expected values are PyTorch 1.13's.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const F = wg.nn.functional;
const r6 = (t: wg.Tensor) => Array.from(t.data(), (v) => Math.round(v * 1e6) / 1e6);

for (const be of ['wasm', 'reference'] as const)
  describe(`PyTorch habits on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('complex-number names of a real tensor', () => {
      const x = wg.tensor([1, -2, 0, NaN, -0, -Infinity], { requiresGrad: true });
      // torch: conj(x) is x, resolve_conj(x) is x, resolve_neg(x) is x, real(x) is x, conj_physical(x) is x
      for (const f of [wg.conj, wg.conjPhysical, wg.resolveConj, wg.resolveNeg, wg.real]) expect(f(x)).toBe(x);
      expect([x.conj(), x.conjPhysical(), x.resolveConj(), x.resolveNeg(), x.isConj(), x.isNeg(), wg.isConj(x)]).toEqual([x, x, x, x, false, false, false]);
      expect(() => wg.imag(x)).toThrow('wasmgrad.imag: imag is not implemented for tensors with non-complex dtypes');
      // torch.angle(x) → [0, π, 0, nan, 0, π] (AngleBackward0); angle(x).sum().backward() → zeros
      const a = x.angle();
      expect([a.requiresGrad, Array.from(a.data())]).toEqual([true, [0, Math.fround(Math.PI), 0, NaN, 0, Math.fround(Math.PI)]]);
      a.sum().backward();
      expect(x.grad!.toArray()).toEqual([0, 0, 0, 0, 0, 0]);
      // torch.angle(tensor([3, -1, 0])) → float [0, π, 0]
      const ai = wg.angle(wg.tensor([3, -1, 0], { dtype: 'int32' }));
      expect([ai.dtype, r6(ai)]).toEqual(['float32', [0, 3.141593, 0]]);
      // torch.adjoint(ones(2, 3)).shape → [3, 2]; 1-D: "only supported on matrices or batches of matrices"
      expect([wg.adjoint(wg.ones([2, 3])).shape, wg.ones([4, 2, 3]).adjoint().shape]).toEqual([
        [3, 2],
        [4, 3, 2],
      ]);
      expect(() => wg.adjoint(wg.ones([3]))).toThrow('wasmgrad.adjoint: is only supported on matrices or batches of matrices, got shape [3]');
    });

    test("F's older names: the pools with indices, upsample, native channel shuffle", () => {
      // F.max_pool2d_with_indices(x, 2, 1) → [7, 9, 8, 9], [3, 5, 7, 5]
      const [o, i] = F.maxPool2dWithIndices(wg.tensor([[[[1, 5, 2], [7, 3, 9], [4, 8, 6]]]]), 2, { stride: 1 }); // prettier-ignore
      expect([o.toArray(), i.toArray()]).toEqual([[[[[7, 9], [8, 9]]]], [[[[3, 5], [7, 5]]]]]); // prettier-ignore
      // F.adaptive_max_pool1d_with_indices([[[1, 5, 2, 7]]], 2) → [5, 7], [1, 3]
      const [o1, i1] = F.adaptiveMaxPool1dWithIndices(wg.tensor([[[1, 5, 2, 7]]]), 2);
      expect([o1.toArray(), i1.toArray()]).toEqual([[[[5, 7]]], [[[1, 3]]]]);
      const [o3] = F.maxPool3dWithIndices(wg.ones([1, 1, 2, 2, 2]), 2);
      const [a2] = F.adaptiveMaxPool2dWithIndices(wg.ones([1, 1, 2, 2]), 1);
      const [a3] = F.adaptiveMaxPool3dWithIndices(wg.ones([1, 1, 2, 2, 2]), 1);
      const [m1] = F.maxPool1dWithIndices(wg.ones([1, 1, 4]), 2);
      expect([o3.shape, a2.shape, a3.shape, m1.shape]).toEqual([
        [1, 1, 1, 1, 1],
        [1, 1, 1, 1],
        [1, 1, 1, 1, 1],
        [1, 1, 2],
      ]);
      const x = wg.tensor([
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      ]);
      // F.upsample_bilinear(x, scale_factor=2): align_corners=True
      expect(r6(F.upsampleBilinear(x, { scaleFactor: 2 }))).toEqual([
        1, 1.333333, 1.666667, 2, 1.666667, 2, 2.333333, 2.666667, 2.333333, 2.666667, 3, 3.333333, 3, 3.333333, 3.666667, 4,
      ]);
      // F.upsample_nearest(x, size=3); F.upsample(x, scale_factor=2, mode='bilinear', align_corners=False)
      expect(Array.from(F.upsampleNearest(x, { size: 3 }).data())).toEqual([1, 1, 2, 1, 1, 2, 3, 3, 4]);
      expect(Array.from(F.upsample(x, { scaleFactor: 2, mode: 'bilinear' }).data())).toEqual([
        1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4,
      ]);
      expect(() => F.upsampleBilinear(x, { scaleFactor: 2, mode: 'nearest' } as never)).toThrow("wasmgrad.upsampleBilinear: unknown option 'mode'");
      // F.native_channel_shuffle(arange(8.).reshape(1, 4, 2), 2) → [0, 1, 4, 5, 2, 3, 6, 7]
      expect(Array.from(F.nativeChannelShuffle(wg.arange(8).reshape([1, 4, 2]), 2).data())).toEqual([0, 1, 4, 5, 2, 3, 6, 7]);
    });
  });
