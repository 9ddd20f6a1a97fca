/**
 * nn edge cases of the last probe campaign, against PyTorch 1.13 (literals from it): convolutions
 * over no input channels, layer norm over a zero-size normalized shape, instance norm with eps 0 on
 * a constant instance, attention rows whose keys are all masked, and BatchNorm on an empty batch.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const leaf = (shape: number[]) => wg.zeros(shape, { requiresGrad: true });
const data = (t: wg.Tensor | null) => Array.from(t!.data());

for (const be of ['wasm', 'reference'] as const) {
  describe(`nn edge cases on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));
    const tol = be === 'wasm' ? 2e-5 : 1e-6;

    test('conv2d and conv1d over no input channels: [N, 0, *out] (PyTorch’s eager rule), zero gradients', () => {
      const x = leaf([2, 0, 5, 5]),
        w = leaf([3, 0, 3, 3]),
        b = wg.tensor([1, 2, 3], { requiresGrad: true });
      const y = wg.conv2d(x, w, b, { padding: 1 });
      expect(y.shape).toEqual([2, 0, 5, 5]);
      y.sum().backward();
      expect(x.grad!.shape).toEqual([2, 0, 5, 5]);
      expect(w.grad!.shape).toEqual([3, 0, 3, 3]);
      expect(data(b.grad)).toEqual([0, 0, 0]);
      expect(wg.conv2d(wg.zeros([2, 0, 5, 5]), wg.zeros([3, 0, 3, 3])).shape).toEqual([2, 0, 3, 3]);
      expect(wg.conv2d(wg.zeros([2, 0, 5, 5]), wg.zeros([4, 0, 3, 3]), null, { groups: 2 }).shape).toEqual([2, 0, 3, 3]);
      expect(wg.conv2d(wg.zeros([0, 5, 5]), wg.zeros([3, 0, 3, 3])).shape).toEqual([0, 3, 3]);
      const x1 = leaf([2, 0, 7]),
        w1 = leaf([4, 0, 3]);
      const y1 = wg.conv1d(x1, w1, null, { stride: 2 });
      expect(y1.shape).toEqual([2, 0, 3]);
      y1.sum().backward();
      expect(x1.grad!.shape).toEqual([2, 0, 7]);
      expect(w1.grad!.shape).toEqual([4, 0, 3]);
      // the other checks still apply: channels must match, the kernel must fit
      expect(() => wg.conv2d(wg.zeros([2, 0, 5, 5]), wg.zeros([3, 1, 3, 3]))).toThrow(wg.ShapeError);
      expect(() => wg.conv2d(wg.zeros([2, 0, 5, 5]), wg.zeros([3, 1, 3, 3]))).toThrow('input [2, 0, 5, 5] has 0 channels but weight [3, 1, 3, 3]');
      expect(() => wg.conv2d(wg.zeros([2, 0, 2, 2]), wg.zeros([3, 0, 3, 3]))).toThrow('kernel 3×3 with dilation');
      expect(() => wg.conv2d(wg.zeros([2, 0, 5, 5]), wg.zeros([3, 0, 3, 3]), wg.zeros([2]))).toThrow('bias must have shape [3]');
    });

    test('layerNorm over a zero-size normalized shape: an empty result and empty gradients', () => {
      const x = leaf([3, 0]);
      const y = wg.layerNorm(x, [0]);
      expect(y.shape).toEqual([3, 0]);
      y.sum().backward();
      expect(x.grad!.shape).toEqual([3, 0]);
      const x3 = leaf([3, 4, 0]),
        w = leaf([4, 0]),
        b = leaf([4, 0]);
      const y3 = wg.layerNorm(x3, [4, 0], { weight: w, bias: b });
      expect(y3.shape).toEqual([3, 4, 0]);
      y3.sum().backward();
      expect([x3.grad!.shape, w.grad!.shape, b.grad!.shape]).toEqual([
        [3, 4, 0],
        [4, 0],
        [4, 0],
      ]);
      expect(wg.layerNorm(wg.zeros([0, 0]), 0).shape).toEqual([0, 0]);
      expect(() => wg.layerNorm(wg.zeros([3, 2]), [0])).toThrow(wg.ShapeError);
      expect(() => wg.layerNorm(wg.zeros([3, 0]), [-1])).toThrow(wg.ValueError);
    });

    test('instanceNorm with eps 0: a constant instance gives its bias and no gradient (PyTorch’s batch-norm InvStd)', () => {
      const x = wg.tensor(
        [
          [
            [1, 1, 1, 1],
            [1, 2, 3, 5],
            [2, 2, 2, 2],
          ],
          [
            [0.5, 0.5, 0.5, 0.5],
            [7, 7, 7, 7],
            [1, -1, 1, -1],
          ],
        ],
        { requiresGrad: true },
      );
      const w = wg.tensor([1.5, -2, 0.5], { requiresGrad: true }),
        b = wg.tensor([0.1, 0.2, -0.3], { requiresGrad: true });
      const y = wg.instanceNorm(x, null, null, { weight: w, bias: b, eps: 0 });
      y.mul(wg.arange(24).reshape([2, 3, 4]))
        .sum()
        .backward();
      // F.instance_norm(x, weight=w, bias=b, eps=0), gradients of Σ y·arange(24)
      expectClose(
        data(y),
        [
          0.1, 0.1, 0.1, 0.1, 2.56643176, 1.214185, -0.138061762, -2.84255528, -0.3, -0.3, -0.3, -0.3, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2, -0.8, 0.2,
          -0.8,
        ],
        tol,
      );
      expectClose(
        data(x.grad),
        [0, 0, 0, 0, 0.27044946, -0.0772712007, -0.424991846, 0.231813595, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.5, -0.5, 0.5, 0.5],
        tol,
      );
      expectClose(data(w.grad), [0, 4.39480209, -2], tol);
      expectClose(data(b.grad), [60, 92, 124], tol);
    });

    test('MultiheadAttention with a sample whose keys are all padding: NaN for that sample only, values and gradients as PyTorch', () => {
      const mha = new wg.nn.MultiheadAttention(4, 2);
      mha.loadStateDict({
        in_proj_weight: wg.tensor([
          [0.22242416, 0.50850672, -0.12602636, 0.45824552],
          [-0.098704249, 0.06479764, 0.55448872, -0.56807977],
          [-0.3855117, -0.15503143, -0.23870276, 0.52909029],
          [-0.39692736, -0.28189516, -0.42782819, -0.57352418],
          [-0.35746658, 0.52639419, 0.27325183, 0.29680011],
          [0.032205623, -0.31395325, 0.10360404, -0.57176894],
          [-0.44247967, -0.31569636, 0.38636902, 0.35904697],
          [-0.27158415, -0.022095861, 0.39164937, 0.60877973],
          [0.24303971, 0.082727142, 0.41058737, -0.36056635],
          [0.11411195, -0.47477573, -0.42442685, -0.31634155],
          [0.27708203, 0.24627195, -0.36274037, 0.18500206],
          [0.33617535, -0.07729204, 0.023381326, 0.14188959],
        ]),
        in_proj_bias: wg.zeros([12]),
        'out_proj.weight': wg.tensor([
          [-0.0037434101, 0.2682218, -0.41152257, -0.36796951],
          [-0.19257718, 0.13407868, -0.00990659, 0.39644474],
          [-0.044372022, 0.13230628, -0.15110654, -0.098282695],
          [-0.47767425, -0.33114105, -0.20611155, 0.018521786],
        ]),
        'out_proj.bias': wg.zeros([4]),
      });
      const q = wg.tensor(
        [
          [
            [-1.478174, 2.5672328, -0.4731198, 0.33555076],
            [1.5091219, 2.0819554, 1.7067116, 2.3803675],
          ],
          [
            [-1.0669804, 1.1149396, -0.14067143, 0.80575359],
            [0.32761431, -0.7607072, -1.599082, 0.018486667],
          ],
        ],
        { requiresGrad: true },
      );
      const k = wg.tensor(
        [
          [
            [0.84189409, -0.40003416, 1.039462, 0.3581531],
            [-0.0033038729, -0.5344407, 1.1686878, 0.39450276],
          ],
          [
            [-0.80249292, -1.2951862, -0.7501815, -1.3119657],
            [-0.21883368, -2.4350653, -0.072914757, -0.033986408],
          ],
          [
            [0.79688716, -0.18484163, -0.37014726, -1.2102815],
            [-0.62269849, -0.46372217, 1.9217824, -0.40254554],
          ],
        ],
        { requiresGrad: true },
      );
      const v = wg.tensor([
        [
          [0.092950232, -0.66609973, 0.60804719, -0.73001987],
          [-0.88337576, -0.41891348, -0.8048265, 0.56560963],
        ],
        [
          [0.28857616, 0.38659775, -0.20106392, -0.11792699],
          [-0.82936686, -1.4072566, 1.6268467, 0.1722732],
        ],
        [
          [-0.70429397, 0.31472096, 0.15739289, 0.38536271],
          [0.57365459, 0.9979313, 0.54360944, 0.078804389],
        ],
      ]);
      // sample 0 pads every key (int32, nonzero = padding), sample 1 pads key 1
      for (const keyPaddingMask of [
        wg.tensor(
          [
            [1, 1, 1],
            [0, 1, 0],
          ],
          { dtype: 'int32' },
        ),
        wg.tensor([
          [-Infinity, -Infinity, -Infinity],
          [0, -Infinity, 0],
        ]),
      ]) {
        q.grad = null;
        k.grad = null;
        const [out] = mha.forward(q, k, v, { keyPaddingMask });
        out.sum().backward();
        const N = NaN;
        expectClose(
          data(out),
          [N, N, N, N, -0.1134643, -0.02355199, -0.04615507, 0.1109646, N, N, N, N, -0.07791363, 0.02763886, -0.02120824, 0.1491038],
          1e-5,
        );
        expectClose(
          data(q.grad),
          [N, N, N, N, 0.002018306, -0.02621241, -0.04336865, 0.02805763, N, N, N, N, 0.002025295, -0.02568546, -0.04249867, 0.02743477],
          1e-5,
        );
        expectClose(
          data(k.grad),
          [N, N, N, N, -0.1358228, 0.2875836, 0.05926687, 0.2245914, N, N, N, N, 0, 0, 0, 0, N, N, N, N, 0.1358228, -0.2875836, -0.05926686, -0.2245913],
          1e-5,
        );
        for (const p of mha.parameters()) p.grad = null;
      }
    });

    test('scaledDotProductAttention: a query row with every key masked is NaN, the other rows stay finite', () => {
      const q = wg.tensor(
        [
          [
            [0.5, -1],
            [1, 0.25],
            [0, 1],
          ],
        ],
        { requiresGrad: true },
      );
      const kv = wg.tensor(
        [
          [
            [1, 0],
            [0.5, 0.5],
          ],
        ],
        { requiresGrad: true },
      );
      // int32: nonzero = may attend; row 1 attends nothing
      const attnMask = wg.tensor(
        [
          [1, 1],
          [0, 0],
          [1, 0],
        ],
        { dtype: 'int32' },
      );
      const o = wg.scaledDotProductAttention(q, kv, kv, { attnMask });
      o.sum().backward();
      const [[r0, r1, r2]] = o.toArray() as number[][][];
      expect(r0.concat(r2).flat().every(Number.isFinite)).toBe(true);
      expect(r1.every(Number.isNaN)).toBe(true);
      const gq = q.grad!.toArray() as number[][][];
      expect(gq[0][1].every(Number.isNaN)).toBe(true);
      expect([...gq[0][0], ...gq[0][2]].every(Number.isFinite)).toBe(true);
      // as PyTorch's keys and values, whose gradients sum over every query row, the NaN one included
      expect(data(kv.grad).every(Number.isNaN)).toBe(true);
    });

    test('BatchNorm1d/2d on an empty batch in training mode: running statistics unchanged, the batch counted (PyTorch)', () => {
      for (const momentum of [0.1, null]) {
        const bn = new wg.nn.BatchNorm1d(3, { momentum });
        expect(bn.forward(wg.zeros([0, 3])).shape).toEqual([0, 3]);
        expect([data(bn.runningMean), data(bn.runningVar), bn.numBatchesTracked!.item()]).toEqual([[0, 0, 0], [1, 1, 1], 1]);
        bn.forward(
          wg.tensor([
            [1, 2, 3],
            [3, 0, -1],
          ]),
        );
        // PyTorch: momentum 0.1 → mean [0.2, 0.1, 0.1], var [1.1, 1.1, 1.7]; cumulative (null) → the empty batch counts: 1/2
        expectClose(data(bn.runningMean), momentum === null ? [1, 0.5, 0.5] : [0.2, 0.1, 0.1], tol);
        expectClose(data(bn.runningVar), momentum === null ? [1.5, 1.5, 4.5] : [1.1, 1.1, 1.7], tol);
        expect(bn.numBatchesTracked!.item()).toBe(2);
      }
      const bn2 = new wg.nn.BatchNorm2d(2);
      wg.noGrad(() => bn2.runningMean!.copy_(wg.tensor([2, -1])));
      const x = leaf([0, 2, 3, 3]);
      const y = bn2.forward(x);
      y.sum().backward();
      expect(y.shape).toEqual([0, 2, 3, 3]);
      expect([data(bn2.runningMean), data(bn2.runningVar), bn2.numBatchesTracked!.item()]).toEqual([[2, -1], [1, 1], 1]);
      expect([data(bn2.weight!.grad), data(bn2.bias!.grad)]).toEqual([
        [0, 0],
        [0, 0],
      ]);
    });
  });
}
