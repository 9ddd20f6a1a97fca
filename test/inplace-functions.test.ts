/**
 * PyTorch's in-place functional forms (src/api/inplace-functions.ts): F.relu_(x) and the others
 * are F.relu(x) made x, recorded by autograd; torch's top-level wg.exp_(x) and the others are x.exp_().
 * Expected values are PyTorch 1.13's (float64).
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

    test("torch's top-level in-place functions are the tensor's in-place methods", () => {
      // x = leaf [[0.1, 0.3], [0.2, 0.4]] (float64); h = x.mul(2); y = torch.<name>(h, …); y is h; (y * y).sum().backward()
      const cases: [string, (h: T) => T, number[], number[]][] = [
        ['exp_', (h) => wg.exp_(h), [1.2214, 1.82212, 1.49182, 2.22554], [5.9673, 13.28047, 8.90216, 19.81213]],
        ['sigmoid_', (h) => wg.sigmoid_(h), [0.54983, 0.64566, 0.59869, 0.68997], [0.54437, 0.59086, 0.57536, 0.59037]],
        ['sqrt_', (h) => wg.sqrt_(h), [0.44721, 0.7746, 0.63246, 0.89443], [2, 2, 2, 2]],
        ['clamp_', (h) => wg.clamp_(h, 0.3, 0.6), [0.3, 0.6, 0.4, 0.6], [0, 2.4, 1.6, 0]],
        ['xlogy_', (h) => wg.xlogy_(h, wg.tensor([2, 3])), [0.13863, 0.65917, 0.27726, 0.87889], [0.38436, 2.89668, 0.76872, 3.86224]],
        ['conjPhysical_', (h) => wg.conjPhysical_(h), [0.2, 0.6, 0.4, 0.8], [0.8, 2.4, 1.6, 3.2]], // a real tensor: itself
      ];
      for (const [name, f, y, grad] of cases) {
        const x = wg.tensor([[0.1, 0.3], [0.2, 0.4]], { requiresGrad: true }); // prettier-ignore
        const h = x.mul(2);
        expect(f(h), name).toBe(h);
        h.mul(h).sum().backward();
        expect([name, r5(h), r5(x.grad!)]).toEqual([name, y, grad]);
      }
      // torch.gcd_(i, torch.tensor([8, 27])) makes i [4, 9]; torch.index_put_, torch.fill_, torch.zero_ write into x
      const i = wg.tensor([12, 18], { dtype: 'int32' });
      expect([wg.gcd_(i, wg.tensor([8, 27], { dtype: 'int32' })), i.toArray()]).toEqual([i, [4, 9]]);
      const z = wg.tensor([1, 2, 3]);
      expect(wg.indexPut_(z, [wg.tensor([2, 0], { dtype: 'int32' })], 5)).toBe(z);
      expect(z.toArray()).toEqual([5, 2, 5]);
      expect([wg.fill_(z, 7).toArray(), wg.zero_(z).toArray(), z.toArray()]).toEqual([
        [7, 7, 7],
        [0, 0, 0],
        [0, 0, 0],
      ]);
      // the names torch 1.13 has (`[n for n in dir(torch) if n.endswith('_') and not n.startswith('_')]`) whose tensor method exists here
      const names =
        'abs acos acosh arccos arccosh arcsin arcsinh arctan arctanh asin asinh atan atanh ceil cos cosh deg2rad erf erfc exp2 exp expm1 fix floor frac i0 log10 log1p log2 log logit nanToNum neg negative rad2deg reciprocal round rsqrt sigmoid sin sinc sinh sqrt square tan tanh trunc'.split(
          ' ',
        );
      for (const name of names) {
        const v = wg.tensor([0.25, 0.5, 0.75]);
        const want = (v as unknown as Record<string, () => T>)[name]().toArray();
        const got = (wg as unknown as Record<string, (t: T) => T>)[`${name}_`](v);
        expect([name, got === v, v.toArray()]).toEqual([name, true, want]);
      }
      expect([wg.addmv_, wg.clampMax_, wg.clampMin_, wg.clip_, wg.detach_, wg.lcm_, wg.ldexp_].every((f) => typeof f === 'function')).toBe(true);
      expect(() => wg.exp_([1, 2] as never)).toThrow(/^wasmgrad\.exp_: input must be a Tensor/);
      expect(() => wg.tanh_(wg.tensor([1], { requiresGrad: true }))).toThrow(/^wasmgrad\.tanh_: a leaf tensor \[1\] that requires grad/);
    });
  });
