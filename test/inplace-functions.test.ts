/**
 * PyTorch's in-place functional forms (src/api/inplace-functions.ts): F.relu_(x) and the others
 * are F.relu(x) made x, recorded by autograd. Expected values are PyTorch 1.13's (float64).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

type T = wg.Tensor;
const F = wg.nn.functional;
const r5 = (z: T) => Array.from(z.data(), (v) => Math.round(v * 1e5) / 1e5 + 0); // + 0: -0 as 0

for (const be of ['wasm', 'reference'] as const)
  describe(`in-place functional forms on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('each makes its input the result, with torch 1.13 values and gradients', () => {
      // x = leaf [[-1.5, .5], [2., -.25]] (float64); h = x.mul(2); y = F.<name>_(h, …); y is h; (y * y).sum().backward()
      const cases: [string, (h: T) => T, number[], number[]][] = [
        ['relu_', (h) => F.relu_(h), [0, 1, 4, 0], [0, 4, 16, 0]],
        ['elu_', (h) => F.elu_(h, { alpha: 2 }), [-1.90043, 1, 4, -0.78694], [-0.75693, 4, 16, -3.81842]],
        ['celu_', (h) => F.celu_(h, { alpha: 0.5 }), [-0.49876, 1, 4, -0.31606], [-0.00495, 4, 16, -0.46509]],
        ['selu_', (h) => F.selu_(h), [-1.67057, 1.0507, 4.2028, -0.69176], [-0.5849, 4.41589, 17.66356, -2.9506]],
        ['leaky_relu_', (h) => F.leakyRelu_(h, 0.2), [-0.6, 1, 4, -0.1], [-0.48, 4, 16, -0.08]],
        ['hardtanh_', (h) => F.hardtanh_(h, { minVal: -1, maxVal: 1 }), [-1, 1, 1, -0.5], [0, 0, 0, -2]],
        ['threshold_', (h) => F.threshold_(h, 0.1, 20), [20, 1, 4, 20], [0, 4, 16, 0]],
        // F.rrelu_(h, 0.1, 0.3, False): eval's fixed slope (lower + upper) / 2
        ['rrelu_', (h) => F.rrelu_(h, { lower: 0.1, upper: 0.3, training: false }), [-0.6, 1, 4, -0.1], [-0.48, 4, 16, -0.08]],
      ];
      for (const [name, f, y, grad] of cases) {
        const x = wg.tensor([[-1.5, 0.5], [2, -0.25]], { requiresGrad: true }); // prettier-ignore
        const h = x.mul(2);
        const out = f(h);
        expect(out, name).toBe(h);
        out.mul(out).sum().backward();
        expect([name, r5(out), r5(x.grad!)]).toEqual([name, y, grad]);
      }
    });

    test('top-level names, dropout outside training, and the errors', () => {
      expect([wg.relu_, wg.selu_, wg.celu_, wg.threshold_, wg.rrelu_]).toEqual([F.relu_, F.selu_, F.celu_, F.threshold_, F.rrelu_]);
      // torch.dropout_(x, 0.5, False) is x, unchanged; in training the kept elements are scaled by 1/(1 − p)
      const x = wg.tensor([1, 2, 3, 4, 5, 6, 7, 8]);
      expect([wg.dropout_(x, 0.5, false), x.toArray()]).toEqual([x, [1, 2, 3, 4, 5, 6, 7, 8]]);
      expect(wg.dropout_(x, 0.5, true)).toBe(x);
      expect(x.data().every((v, k) => v === 0 || v === 2 * (k + 1))).toBe(true);
      const z = wg.tensor([[1, -2]]);
      expect([wg.alphaDropout_(z, 0.5, false), wg.featureAlphaDropout_(z, 0.5, false), z.toArray()]).toEqual([z, z, [[1, -2]]]);
      // torch: F.relu_(leaf) → "a leaf Variable that requires grad is being used in an in-place operation."
      const leaf = wg.tensor([1, -2], { requiresGrad: true });
      expect(() => F.relu_(leaf)).toThrow(/^wasmgrad\.relu_: a leaf tensor \[2\] that requires grad/);
      expect(wg.noGrad(() => F.relu_(leaf)).toArray()).toEqual([1, 0]);
      expect(() => F.elu_([1, 2] as never)).toThrow(/^wasmgrad\.elu_: /);
      // an int32 input stays int32 where the function keeps int32 (relu, hardtanh), as torch's
      const i = wg.tensor([3, -4], { dtype: 'int32' });
      expect([F.relu_(i).toArray(), F.hardtanh_(i, { minVal: -1, maxVal: 2 }).toArray(), i.dtype]).toEqual([[3, 0], [2, 0], 'int32']);
    });
  });
