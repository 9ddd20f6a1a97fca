/**
 * matmul's transposeA / transposeB, the fused linear op (hand-computed values, errors) and
 * nn.Sequential running Linear → ReLU as one fused linear: same values and gradients as the
 * unfused ops, eager and under wg.compile, in train and eval mode. Edge shapes of every form vs
 * the float64 reference and finite differences: the op table (src/ops/linalg.ts, test/ops.test.ts).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const vals = (t: wg.Tensor) => Array.from(t.data());
const grad = (t: wg.Tensor) => Array.from(t.grad!.data());

for (const be of ['wasm', 'reference'] as const) {
  describe(`matmul transposes and linear (${be})`, () => {
    test('transposeA / transposeB equal a transpose copy, values and gradients', () => {
      wg.setBackend(be);
      wg.manualSeed(3);
      const a = wg.randn([2, 5, 3], { requiresGrad: true }),
        b = wg.randn([2, 4, 5], { requiresGrad: true });
      // a stored [.., K=5, M=3], b stored [.., N=4, K=5]: aᵀ·bᵀ is [2, 3, 4].
      const g = wg.randn([2, 3, 4]);
      const y = wg.matmul(a, b, { transposeA: true, transposeB: true });
      expect(y.shape).toEqual([2, 3, 4]);
      const yv = vals(y);
      y.backward(g);
      const [ga, gb] = [grad(a), grad(b)];
      a.grad = null;
      b.grad = null;
      const z = a.transpose(1, 2).matmul(b.transpose(1, 2));
      expectClose(yv, vals(z), 1e-6);
      z.backward(g);
      expectClose(ga, grad(a), 1e-6);
      expectClose(gb, grad(b), 1e-6);
    });

    test('method form and hand-computed A·Bᵀ', () => {
      wg.setBackend(be);
      const a = wg.tensor([
          [1, 2],
          [3, 4],
        ]),
        b = wg.tensor([
          [5, 6],
          [7, 8],
        ]);
      expect(a.matmul(b, { transposeB: true }).toArray()).toEqual([
        [17, 23],
        [39, 53],
      ]);
      expect(a.matmul(b, { transposeA: true }).toArray()).toEqual([
        [26, 30],
        [38, 44],
      ]);
    });

    test('matmul option errors name the op and the shapes', () => {
      wg.setBackend(be);
      expect(() => wg.matmul(wg.ones([3]), wg.ones([3, 2]), { transposeA: true })).toThrow(/wasmgrad\.matmul: .*at least 2 dimensions.*\[3\]ᵀ and \[3, 2\]/);
      expect(() => wg.matmul(wg.ones([2, 3]), wg.ones([2, 3]), { transposeB: false })).toThrow(
        /wasmgrad\.matmul: shapes \[2, 3\] and \[2, 3\] cannot be multiplied/,
      );
      expect(() => wg.matmul(wg.ones([2, 3]), wg.ones([4, 2]), { transposeB: true })).toThrow(/\[2, 3\] and \[4, 2\]ᵀ cannot be multiplied/);
      expect(() => wg.matmul(wg.ones([2, 3]), wg.ones([3, 2]), { transposeA: 1 as unknown as boolean })).toThrow(
        /wasmgrad\.matmul: transposeA must be a boolean/,
      );
    });

    test('linear: x·Wᵀ + b and relu, with hand-computed gradients', () => {
      wg.setBackend(be);
      const x = wg.tensor(
        [
          [1, 2],
          [-3, 1],
        ],
        { requiresGrad: true },
      );
      const w = wg.tensor(
        [
          [1, 1],
          [2, -1],
          [0, 1],
        ],
        { requiresGrad: true },
      );
      const b = wg.tensor([0.5, 0, -3], { requiresGrad: true });
      // x·Wᵀ = [[3, 0, 2], [-2, -7, 1]]; + b = [[3.5, 0, -1], [-1.5, -7, -2]]
      expect(wg.linear(x, w, b).toArray()).toEqual([
        [3.5, 0, -1],
        [-1.5, -7, -2],
      ]);
      expect(wg.linear(x, w).toArray()).toEqual([
        [3, 0, 2],
        [-2, -7, 1],
      ]);
      const y = wg.linear(x, w, b, { activation: 'relu' });
      expect(y.toArray()).toEqual([
        [3.5, 0, 0],
        [0, 0, 0],
      ]);
      y.backward(wg.ones([2, 3]));
      // G' = [[1, 0, 0], [0, 0, 0]] (0 at y = 0): dX = G'·W, dW = G'ᵀ·X, db = Σ rows G'.
      expect(grad(x)).toEqual([1, 1, 0, 0]);
      expect(grad(w)).toEqual([1, 2, 0, 0, 0, 0]);
      expect(grad(b)).toEqual([1, 0, 0]);
    });

    test('linear: 1-D and batched inputs, NaN propagates through relu as in relu()', () => {
      wg.setBackend(be);
      const w = wg.tensor([[1, 2, 3]]);
      expect(wg.linear(wg.tensor([1, 1, 1]), w).toArray()).toEqual([6]);
      expect(wg.linear(wg.ones([2, 2, 3]), w, wg.tensor([1])).shape).toEqual([2, 2, 1]);
      expect(vals(wg.linear(wg.tensor([NaN, 1, 1]), w, null, { activation: 'relu' }))[0]).toBeNaN();
    });

    test('fresh gradient buffers: the first backward record overwrites them, later ones add', () => {
      wg.setBackend(be);
      wg.manualSeed(11);
      const x1 = wg.randn([3, 4]),
        x2 = wg.randn([5, 4]);
      const w = wg.randn([4, 4], { requiresGrad: true }),
        b = wg.randn([4], { requiresGrad: true });
      // w is reached by three records (two linears and a matmul by its transpose), h by a linear
      // and by h·h: each gradient buffer is overwritten by the first and added into by the others.
      const parts = [
        () => wg.linear(wg.linear(x1, w, b, { activation: 'relu' }), w).sum(),
        () => wg.linear(x1, w, b, { activation: 'relu' }).pow(2).sum(),
        () => wg.matmul(x2, w, { transposeB: true }).sum(),
      ];
      const grads = () => [w, b].map((t) => (t.grad === null ? new Array<number>(t.size).fill(0) : grad(t)));
      const separate = parts.map((f) => {
        w.grad = b.grad = null;
        f().backward();
        return grads();
      });
      w.grad = b.grad = null;
      const h = wg.linear(x1, w, b, { activation: 'relu' });
      wg.linear(h, w)
        .sum()
        .add(h.pow(2).sum())
        .add(wg.matmul(x2, w, { transposeB: true }).sum())
        .backward();
      const total = grads();
      for (const k of [0, 1])
        expectClose(
          total[k],
          separate[0][k].map((_, i) => separate.reduce((s, p) => s + p[k][i], 0)),
          1e-5,
        );
      // A later backward adds into the existing leaf gradients rather than overwriting them.
      wg.linear(x2, w, b).sum().backward();
      const after = grads();
      w.grad = b.grad = null;
      wg.linear(x2, w, b).sum().backward();
      const alone = grads();
      for (const k of [0, 1])
        expectClose(
          after[k],
          total[k].map((v, i) => v + alone[k][i]),
          1e-5,
        );
    });

    test('linear errors name the op and the shapes', () => {
      wg.setBackend(be);
      expect(() => wg.linear(wg.ones([2, 3]), wg.ones([4, 2]))).toThrow(/wasmgrad\.linear: .*input \[2, 3\], weight \[4, 2\]/);
      expect(() => wg.linear(wg.ones([2, 3]), wg.ones([4]))).toThrow(/wasmgrad\.linear: expects input \[\.\.\., K\] and weight \[N, K\]/);
      expect(() => wg.linear(wg.ones([2, 3]), wg.ones([4, 3]), wg.ones([3]))).toThrow(/wasmgrad\.linear: bias must have shape \[4\].*bias \[3\]/);
      expect(() => wg.linear(wg.ones([2, 3]), wg.ones([4, 3]), null, { activation: 'tanh' as 'relu' })).toThrow(
        /wasmgrad\.linear: activation must be one of 'none', 'relu', got "tanh"/,
      );
    });
  });
}

describe('nn.Sequential fuses Linear → ReLU', () => {
  /** The same MLP written with separate ops: x·Wᵀ (a transpose copy), + b, relu. */
  function unfused(model: wg.nn.Sequential, x: wg.Tensor): wg.Tensor {
    let h = x;
    for (let i = 0; i < model.length; i++) {
      const m = model.at(i);
      if (m instanceof wg.nn.Linear) h = h.matmul(m.weight.transpose()).add(m.bias!);
      else h = m.forward(h);
    }
    return h;
  }

  const build = () => {
    wg.manualSeed(7);
    return new wg.nn.Sequential(
      new wg.nn.Linear(13, 17),
      new wg.nn.ReLU(),
      new wg.nn.Linear(17, 9),
      new wg.nn.ReLU(),
      new wg.nn.Dropout(0.5),
      new wg.nn.Linear(9, 3),
    );
  };

  test('the fused path runs one linear op per Linear → ReLU pair; state-dict names do not change', () => {
    wg.setBackend('wasm');
    const model = build();
    expect(Object.keys(model.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '5.weight', '5.bias']);
    const y = new wg.nn.Sequential(model.at(0), model.at(1)).forward(wg.randn([2, 13]));
    expect(y.node?.op.name).toBe('linear');
    // A ReLU that is not right after the Linear, or a Linear subclass, keeps its own op.
    class MyLinear extends wg.nn.Linear {}
    expect(new wg.nn.Sequential(new MyLinear(3, 2), new wg.nn.ReLU()).forward(wg.randn([1, 3])).node?.op.name).toBe('relu');
  });

  for (const be of ['wasm', 'reference'] as const)
    for (const mode of ['train', 'eval'] as const)
      for (const how of ['eager', 'compiled'] as const)
        test(`${be}, ${mode}, ${how}: outputs and gradients equal the unfused ops up to float32 rounding`, () => {
          wg.setBackend(be);
          const model = build();
          if (mode === 'eval') model.eval();
          const x = wg.randn([5, 13]),
            t = wg.randn([5, 3]);
          const step = (f: (x: wg.Tensor) => wg.Tensor, seed: number) => {
            // The same dropout mask on both paths: the same seed before each forward.
            wg.manualSeed(seed);
            for (const p of model.parameters()) p.grad = null;
            const loss = wg.losses.mse(f(x), t);
            loss.backward();
            return loss;
          };
          const fused =
            how === 'compiled' ? wg.compile((x: wg.Tensor) => step(() => model.forward(x), 11)) : (x: wg.Tensor) => step(() => model.forward(x), 11);
          for (let rep = 0; rep < (how === 'compiled' ? 2 : 1); rep++) {
            const lf = fused(x).item();
            const gf = model.parameters().map(grad);
            const lu = step((x) => unfused(model, x), 11).item();
            const gu = model.parameters().map(grad);
            expectClose([lf], [lu], 1e-5);
            gf.forEach((g, i) => expectClose(g, gu[i], 1e-5));
          }
        });
});
