/**
 * Hand-computed values of the reductions, softmax and log-softmax (forward and gradient, on both
 * backends): dims, keepdim, empty dims, the max/min tie and NaN rules, stability at |x| = 1000,
 * and every error path of src/ops/reduce.ts.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { expectClose } from '../helpers/expect.js';
import { runGrad as run } from '../helpers/harness.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const M = [
  [1, 2, 3],
  [4, 5, 6],
];

for (const be of ['wasm', 'reference'] as const) {
  describe(`reductions on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('sum over all elements, one dim, negative dims, keepdim', () => {
      let r = run((x) => x.sum(), M);
      expect(r.shape).toEqual([]);
      expectClose(r.y, [21]);
      expectClose(r.g, [1, 1, 1, 1, 1, 1]);
      r = run((x) => x.sum(undefined, true), M);
      expect(r.shape).toEqual([1, 1]);
      r = run((x) => x.sum(0), M, [1, 2, 3]);
      expect(r.shape).toEqual([3]);
      expectClose(r.y, [5, 7, 9]);
      expectClose(r.g, [1, 2, 3, 1, 2, 3]); // each column's seed goes to both its elements
      r = run((x) => wg.sum(x, -1, true), M, [10, 20]);
      expect(r.shape).toEqual([2, 1]);
      expectClose(r.y, [6, 15]);
      expectClose(r.g, [10, 10, 10, 20, 20, 20]);
      // A 0-d tensor reduces over dim 0 or −1 to itself.
      expectClose(run((x) => x.sum(-1), 2.5).y, [2.5]);
    });

    test('sum over the middle dim of a 3-d tensor (column kernels: 4-lane block and a tail)', () => {
      // x[o, k, i] = 100·o + 10·k + i, shape [2, 3, 5]; sum over k: 3·(100·o + i) + 30.
      const x = Array.from({ length: 2 }, (_, o) => Array.from({ length: 3 }, (_, k) => Array.from({ length: 5 }, (_, i) => 100 * o + 10 * k + i)));
      const r = run((t) => t.sum(1), x);
      expect(r.shape).toEqual([2, 5]);
      expectClose(r.y, [30, 33, 36, 39, 42, 330, 333, 336, 339, 342]);
    });

    test('mean, and empty dims: sum 0, mean NaN (0/0, as PyTorch)', () => {
      let r = run((x) => x.mean(1), M);
      expectClose(r.y, [2, 5]);
      expectClose(r.g, [1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3]);
      r = run((x) => x.mean(), M);
      expectClose(r.y, [3.5]);
      expectClose(r.g, new Array(6).fill(1 / 6));
      const empty = wg.zeros([2, 0]);
      expectClose(Array.from(empty.sum(1).data()), [0, 0]);
      expectClose(Array.from(empty.sum().data()), [0]);
      expectClose(Array.from(empty.mean(1).data()), [NaN, NaN]);
      expect(empty.sum(0).shape).toEqual([0]);
    });

    test('max and min: values, keepdim, gradient to the picked element', () => {
      let r = run(
        (x) => x.max(1),
        [
          [1, 7, 3],
          [9, -2, 4],
        ],
      );
      expectClose(r.y, [7, 9]);
      expectClose(r.g, [0, 1, 0, 1, 0, 0]);
      r = run(
        (x) => x.min(0, true),
        [
          [1, 7, 3],
          [9, -2, 4],
        ],
        [1, 2, 3],
      );
      expect(r.shape).toEqual([1, 3]);
      expectClose(r.y, [1, -2, 3]);
      expectClose(r.g, [1, 0, 3, 0, 2, 0]);
      r = run(
        (x) => x.max(),
        [
          [1, 7, 3],
          [9, -2, 4],
        ],
      );
      expect(r.shape).toEqual([]);
      expectClose(r.y, [9]);
      expectClose(r.g, [0, 0, 0, 1, 0, 0]);
    });

    test('max/min ties: the first (lowest-index) extreme gets the whole gradient', () => {
      // A row longer than one SIMD step, ties in different lanes and in the tail.
      let r = run((x) => x.max(), [5, 1, 5, 5, 2, 5, 5, 5, 5]);
      expectClose(r.y, [5]);
      expectClose(r.g, [1, 0, 0, 0, 0, 0, 0, 0, 0]);
      r = run((x) => x.min(), [3, 0, 2, 0, 0]);
      expectClose(r.g, [0, 1, 0, 0, 0]);
      // Column kernels (dim 0 of [3, 5]): each column's first tie wins.
      r = run(
        (x) => x.max(0),
        [
          [1, 4, 4, 0, 2],
          [4, 4, 1, 0, 2],
          [4, 1, 4, 0, 2],
        ],
      );
      expectClose(r.y, [4, 4, 4, 0, 2]);
      expectClose(r.g, [0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    });

    test('max/min propagate NaN; the gradient goes to the first NaN', () => {
      let r = run(
        (x) => x.max(1),
        [
          [1, NaN, 3, NaN, 2],
          [1, 2, 3, 4, 5],
        ],
      );
      expectClose(r.y, [NaN, 5]);
      expectClose(r.g, [0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
      r = run(
        (x) => x.min(0),
        [
          [1, 2, 3, 4, 0],
          [NaN, 0, 3, NaN, NaN],
        ],
      );
      expectClose(r.y, [NaN, 0, 3, NaN, NaN]);
      expectClose(r.g, [0, 0, 1, 0, 0, 1, 1, 0, 1, 1]);
    });

    test('softmax and logSoftmax values and gradients', () => {
      // softmax([1, 2, 3]) = e^k / Σ e^k; logSoftmax = x − ln(e + e² + e³) = x − 3.40760596
      let r = run((x) => x.softmax(), [1, 2, 3], [1, 0, 0]);
      const y = [0.09003057317038046, 0.24472847105479764, 0.6652409557748219];
      expectClose(r.y, y);
      // gx = y ⊙ (g − Σ g⊙y) with g = [1, 0, 0]: gx_k = y_k·(δ_k0 − y_0)
      expectClose(r.g, [y[0] * (1 - y[0]), -y[1] * y[0], -y[2] * y[0]]);
      r = run((x) => x.logSoftmax(), [1, 2, 3]);
      expectClose(r.y, [-2.40760596444438, -1.40760596444438, -0.40760596444438]);
      expectClose(
        r.g,
        y.map((p) => 1 - 3 * p),
      ); // g − e^y·Σ g
      // Along dim 0 of [2, 2]: each column is a softmax of its own.
      r = run(
        (x) => wg.softmax(x, 0),
        [
          [0, 1],
          [0, 3],
        ],
        [0, 0, 0, 0],
      );
      expectClose(r.y, [0.5, 1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-2))]);
    });

    test('softmax and logSoftmax stay finite at logits of ±1000', () => {
      let r = run((x) => x.softmax(), [1000, -1000, 0, 999], [1, 0, 0, 0]);
      const p = 1 / (1 + Math.exp(-1));
      expectClose(r.y, [p, 0, 0, 1 - p]);
      expectClose(r.g, [p * (1 - p), 0, 0, -(1 - p) * p]);
      r = run(
        (x) => x.logSoftmax(),
        [
          [1000, -1000, 0],
          [-1000, -1000, -1000],
        ],
      );
      expectClose(r.y, [0, -2000, -1000, -Math.log(3), -Math.log(3), -Math.log(3)]);
      expectClose(r.g, [-2, 1, 1, 0, 0, 0]);
    });

    test('errors: dims out of range, max/min of nothing', () => {
      const x = wg.tensor(M);
      expect(() => x.sum(2)).toThrow('wasmgrad.sum: dim 2 is out of range for a tensor of shape [2, 3] (expected an integer in [-2, 1])');
      expect(() => x.mean(-3)).toThrow('wasmgrad.mean: dim -3 is out of range');
      expect(() => x.max(0.5)).toThrow('wasmgrad.max: dim must be an integer, got 0.5');
      expect(() => x.softmax(2)).toThrow('wasmgrad.softmax: dim 2 is out of range');
      expect(() => x.logSoftmax(-3)).toThrow('wasmgrad.logSoftmax: dim -3 is out of range');
      expect(() => wg.tensor(1).sum(1)).toThrow('wasmgrad.sum: dim 1 is out of range for a tensor of shape [] (expected an integer in [-1, 0])');
      expect(() => wg.zeros([3, 0]).max(1)).toThrow('wasmgrad.max: cannot reduce over an empty dim: tensor of shape [3, 0], dim 1 has no max');
      expect(() => wg.zeros([0]).min()).toThrow('wasmgrad.min: cannot reduce over an empty dim: tensor of shape [0] has no min');
    });
  });
}
