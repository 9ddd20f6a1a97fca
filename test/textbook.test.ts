/**
 * The worked examples of the standard backprop lectures (DESIGN.md section 1), as acceptance tests
 * on both backends: values computed by hand (or by the hand-derived formulas in plain float64 JS).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5) => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    expect(Math.abs(got[i] - want[i]), `element ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i])));
};
const grad = (t: wg.Tensor) => Array.from(t.grad!.data());
const sig = (z: number) => 1 / (1 + Math.exp(-z));

for (const be of ['wasm', 'reference'] as const) {
  describe(`textbook backprop on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('f = (x + y)·z at x=-2, y=5, z=-4: the add gate distributes, the mul gate switches', () => {
      const [x, y, z] = [-2, 5, -4].map((v) => wg.tensor(v, { requiresGrad: true }));
      const f = x.add(y).mul(z);
      expect(f.item()).toBe(-12);
      f.backward();
      expect([x.grad!.item(), y.grad!.item(), z.grad!.item()]).toEqual([-4, -4, 3]);
    });

    test('the sigmoid neuron, staged gate by gate and with the sigmoid op, gives the same gradients', () => {
      const wv = [2, -3, -3];
      const xv = [-1, -2];
      const dot = wv[0] * xv[0] + wv[1] * xv[1] + wv[2];
      const s = sig(dot);
      const want = { w: [xv[0] * s * (1 - s), xv[1] * s * (1 - s), s * (1 - s)], x: [wv[0] * s * (1 - s), wv[1] * s * (1 - s)] };
      // the lecture's rounded values
      close(want.w, [-0.19661, -0.39322, 0.19661], 1e-4);
      close(want.x, [0.39322, -0.58983], 1e-4);
      for (const form of ['staged', 'sigmoid'] as const) {
        const w = wv.map((v) => wg.tensor(v, { requiresGrad: true }));
        const x = xv.map((v) => wg.tensor(v, { requiresGrad: true }));
        const z = w[0].mul(x[0]).add(w[1].mul(x[1])).add(w[2]);
        // staged: 1 / (1 + exp(-z)), each gate's local derivative chained by hand in the lecture
        const f = form === 'staged' ? wg.div(1, z.neg().exp().add(1)) : z.sigmoid();
        close([f.item()], [s]);
        f.backward();
        close(w.map(grad).flat(), want.w);
        close(x.map(grad).flat(), want.x);
      }
    });

    test('a ReLU neuron passes the gradient when active and blocks it when not', () => {
      for (const [b, active] of [
        [1, true],
        [-10, false],
      ] as const) {
        const w = wg.tensor([[0.5, -1, 2]], { requiresGrad: true });
        const x = wg.tensor([[1], [2], [3]]);
        const bias = wg.tensor(b, { requiresGrad: true });
        const f = w.matmul(x).add(bias).relu().sum(); // w·x = 4.5
        close([f.item()], [active ? 4.5 + b : 0]);
        f.backward();
        close(grad(w), active ? [1, 2, 3] : [0, 0, 0]);
        close([bias.grad!.item()], [active ? 1 : 0]);
      }
    });

    test('the 2-layer MLP with squared error matches its hand-derived formulas', () => {
      const d = 3,
        h = 4,
        o = 2;
      const X = [0.5, -1.2, 2.0];
      const T = [1.0, -0.5];
      const W1v = Array.from({ length: h * d }, (_, k) => Math.fround(Math.sin(k + 1) * 0.7));
      const W2v = Array.from({ length: o * h }, (_, k) => Math.fround(Math.cos(k + 2) * 0.9));
      // float64 hand derivation: z = W1 x, h = σ(z), y = W2 h, L = ½‖y − t‖²
      const z = Array.from({ length: h }, (_, i) => W1v.slice(i * d, i * d + d).reduce((s, w, j) => s + w * X[j], 0));
      const hv = z.map(sig);
      const y = Array.from({ length: o }, (_, i) => W2v.slice(i * h, i * h + h).reduce((s, w, j) => s + w * hv[j], 0));
      const yb = y.map((v, i) => v - T[i]); // ȳ = y − t
      const W2b = yb.flatMap((g) => hv.map((hj) => g * hj)); // W̄(2) = ȳ hᵀ
      const hb = hv.map((_, j) => yb.reduce((s, g, i) => s + W2v[i * h + j] * g, 0)); // h̄ = W(2)ᵀ ȳ
      const zb = hb.map((g, j) => g * hv[j] * (1 - hv[j])); // z̄ = h̄ ⊙ σ'(z), σ' from the kept σ(z)
      const W1b = zb.flatMap((g) => X.map((xj) => g * xj)); // W̄(1) = z̄ xᵀ
      const L = 0.5 * yb.reduce((s, v) => s + v * v, 0);

      const W1 = wg.tensor(W1v, { shape: [h, d], requiresGrad: true });
      const W2 = wg.tensor(W2v, { shape: [o, h], requiresGrad: true });
      const x = wg.tensor(X, { shape: [d, 1] });
      const t = wg.tensor(T, { shape: [o, 1] });
      const out = W2.matmul(W1.matmul(x).sigmoid());
      const loss = out.sub(t).square().sum().mul(0.5);
      close([loss.item()], [L]);
      loss.backward();
      close(grad(W2), W2b);
      close(grad(W1), W1b);
    });

    test('the L2-regularised logistic neuron: w̄ = (σ(w·x) − t)·x + λw, and a gradient step lowers the loss', () => {
      const wv = [0.3, -0.8, 0.5];
      const xv = [1.5, 0.4, -2.0];
      const tv = 1;
      const lam = 0.1;
      const p = sig(wv.reduce((s, w, i) => s + w * xv[i], 0));
      const want = wv.map((w, i) => (p - tv) * xv[i] + lam * w);
      const w = wg.tensor(wv, { shape: [1, 3], requiresGrad: true });
      const x = wg.tensor(xv, { shape: [3, 1] });
      const lossOf = () => {
        const q = w.matmul(x).sigmoid().sum();
        // −[t log σ + (1−t) log(1−σ)] with t = 1, plus λ/2·‖w‖²
        return q
          .log()
          .neg()
          .add(
            w
              .square()
              .sum()
              .mul(lam / 2),
          );
      };
      const loss = lossOf();
      loss.backward();
      close(grad(w), want);
      const before = loss.item();
      wg.noGrad(() => w.sub_(w.grad!.mul(0.5))); // θ ← θ − η∇L
      w.grad = null;
      expect(lossOf().item()).toBeLessThan(before);
    });
  });
}
