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

    test("max()/min() over all elements split a tie's gradient evenly; max(dim) gives it to the first", () => {
      // PyTorch: max() of [5, 1, 5, 5, 2, 5, 5, 5, 5] sends 1/7 to each 5 (a row longer than one SIMD step).
      let r = run((x) => x.max(), [5, 1, 5, 5, 2, 5, 5, 5, 5]);
      expectClose(r.y, [5]);
      expectClose(r.g, [1 / 7, 0, 1 / 7, 1 / 7, 0, 1 / 7, 1 / 7, 1 / 7, 1 / 7]);
      r = run((x) => x.min(), [3, 0, 2, 0, 0]);
      expectClose(r.g, [0, 1 / 3, 0, 1 / 3, 1 / 3]);
      // Column kernels (dim 0 of [3, 5]): each column's first tie wins, and .indices says which (torch: [1, 0, 0, 0, 0]).
      const X = [
        [1, 4, 4, 0, 2],
        [4, 4, 1, 0, 2],
        [4, 1, 4, 0, 2],
      ];
      r = run((x) => x.max(0), X);
      expectClose(r.y, [4, 4, 4, 0, 2]);
      expectClose(r.g, [0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      const { indices } = wg.max(wg.tensor(X), 0);
      expect(indices.dtype).toBe('int32');
      expect(Array.from(indices.data())).toEqual([1, 0, 0, 0, 0]);
      const m = wg.tensor(X).min(1, true);
      expect(m.indices.shape).toEqual([3, 1]);
      expect(Array.from(m.indices.data())).toEqual([3, 3, 3]);
      // A list of dims is amax's rule.
      r = run(
        (x) => x.max([0, 1]),
        [
          [1, 3],
          [3, 0],
        ],
      );
      expectClose(r.g, [0, 0.5, 0.5, 0]);
    });

    test('.indices after the input changed in place is an error; before, it is the indices of the values', () => {
      const x = wg.tensor([
        [1, 9],
        [8, 2],
      ]);
      const y = x.max(1);
      x.copy_(
        wg.tensor([
          [9, 1],
          [2, 8],
        ]),
      );
      expect(() => y.indices).toThrow(wg.ValueError);
      expect(() => y.indices).toThrow('wasmgrad.max: .indices of max(dim 1): the input [2, 2] was modified in place after max ran');
      const z = x.min(0);
      expect(Array.from(z.indices.data())).toEqual([1, 0]);
      x.zero_();
      expect(Array.from(z.indices.data())).toEqual([1, 0]); // read before the change: kept
    });

    test('sum, mean over several dims (adjacent or not, negative, keepdim) as PyTorch', () => {
      const A = Array.from({ length: 2 }, (_, i) => Array.from({ length: 3 }, (_, j) => Array.from({ length: 4 }, (_, k) => 12 * i + 4 * j + k)));
      let r = run((x) => x.sum([0, 2]), A, [1, 2, 3]);
      expect(r.shape).toEqual([3]);
      expectClose(r.y, [60, 92, 124]);
      expectClose(r.g, [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
      r = run((x) => wg.sum(x, [2, 0], true), A, [1, 2, 3]);
      expect(r.shape).toEqual([1, 3, 1]);
      expectClose(r.y, [60, 92, 124]);
      r = run((x) => x.mean([-1, 0]), A);
      expectClose(r.y, [7.5, 11.5, 15.5]);
      expectClose(r.g, new Array(24).fill(0.125));
      expectClose(run((x) => x.sum([]), A).y, [276]); // [] reduces all dims, as torch.sum(dim=[])
      expect(wg.zeros([2, 0, 3]).sum([0, 2]).shape).toEqual([0]);
    });

    test("prod: values and PyTorch's gradient with no, one and several zeros", () => {
      let r = run(
        (x) => x.prod(1),
        [
          [1, 0, 3, 0],
          [2, 0, 4, 5],
          [2, 3, 4, 5],
        ],
        [1, 2, 3],
      );
      expectClose(r.y, [0, 0, 120]);
      expectClose(r.g, [0, 0, 0, 0, 0, 80, 0, 0, 180, 120, 90, 72]);
      r = run(
        (x) => wg.prod(x),
        [
          [2, 0.5],
          [3, -1],
        ],
      );
      expectClose(r.y, [-3]);
      expectClose(r.g, [-1.5, -6, -1, 3]);
      r = run(
        (x) => x.prod(0),
        [
          [2, 0.5, 0],
          [3, -1, 4],
        ],
      );
      expectClose(r.y, [6, -0.5, 0]);
      expectClose(r.g, [3, -1, 4, 2, 0.5, 0]);
      expectClose(Array.from(wg.zeros([2, 0]).prod(1).data()), [1, 1]);
    });

    test('amax/amin: the gradient is split evenly among ties, across non-adjacent dims too', () => {
      const X = [
        [
          [1, 3, 3],
          [3, 0, 2],
        ],
        [
          [3, 2, 1],
          [1, 3, 3],
        ],
      ];
      let r = run((x) => x.amax([0, 2]), X, [1, 2]);
      expectClose(r.y, [3, 3]);
      expectClose(r.g, [0, 1 / 3, 1 / 3, 2 / 3, 0, 0, 1 / 3, 0, 0, 0, 2 / 3, 2 / 3]);
      r = run(
        (x) => wg.amin(x, 1),
        [
          [1, 0, 0],
          [2, 2, 5],
        ],
      );
      expectClose(r.y, [0, 2]);
      expectClose(r.g, [0, 0.5, 0.5, 0.5, 0.5, 0]);
    });

    test('argmax/argmin: int32, first occurrence, NaN wins, flattened without a dim', () => {
      const x = wg.tensor([
        [1, NaN, 3, NaN, 2],
        [1, 5, 3, 5, 5],
      ]);
      expect(Array.from(x.argmax(1).data())).toEqual([1, 1]);
      expect(Array.from(wg.argmin(x, 1).data())).toEqual([1, 0]);
      const y = wg.tensor([
        [1, 7, 3],
        [9, -2, 9],
      ]);
      const a = y.argmax();
      expect(a.dtype).toBe('int32');
      expect(a.shape).toEqual([]);
      expect(a.item()).toBe(3);
      expect(y.argmax(undefined, true).shape).toEqual([1, 1]);
      const b = y.argmin(0, true);
      expect(b.shape).toEqual([1, 3]);
      expect(Array.from(b.data())).toEqual([0, 1, 0]);
    });

    test('all/any: float32 masks of float32 or int32 tensors, NaN is true, empty dims as PyTorch (all 1, any 0)', () => {
      const x = wg.tensor([
        [1, NaN, 0],
        [2, 3, 4],
      ]);
      expect(Array.from(x.all(1).data())).toEqual([0, 1]);
      expect(Array.from(wg.any(x, 1).data())).toEqual([1, 1]);
      expect(
        Array.from(
          wg
            .tensor([
              [0, 0],
              [0, 1],
            ])
            .any(0)
            .data(),
        ),
      ).toEqual([0, 1]);
      expect(x.all().dtype).toBe('float32');
      expect(x.all().item()).toBe(0);
      expect(x.any([0, 1], true).shape).toEqual([1, 1]);
      expect(Array.from(wg.zeros([2, 0]).all(1).data())).toEqual([1, 1]);
      expect(Array.from(wg.zeros([2, 0]).any(1).data())).toEqual([0, 0]);
      // int32 masks: nonzero is true; the result is a float32 mask too
      const m = wg.tensor(
        [
          [1, -3, 0],
          [2, 5, 7],
        ],
        { dtype: 'int32' },
      );
      expect(m.all(1).dtype).toBe('float32');
      expect(Array.from(m.all(1).data())).toEqual([0, 1]);
      expect(Array.from(wg.any(m, [0], true).data())).toEqual([1, 1, 1]);
      expect(Array.from(wg.zeros([2, 0], { dtype: 'int32' }).all(1).data())).toEqual([1, 1]);
      expect(() => m.any(2)).toThrow('wasmgrad.any: dim 2 is out of range for a tensor of shape [2, 3]');
    });

    test('norm: p = 2, 1, ±∞, 3, 0.5, fro, 0; gradient 0 at a zero vector and at zero elements (PyTorch)', () => {
      const N = [
        [3, -4, 0],
        [0, 0, 0],
      ];
      const cases: [number | 'fro', number[], number[]][] = [
        [2, [5, 0], [0.6, -0.8, 0, 0, 0, 0]],
        [1, [7, 0], [1, -1, 0, 0, 0, 0]],
        [Infinity, [4, 0], [0, -1, 0, 0, 0, 0]],
        [-Infinity, [0, 0], [0, 0, 0, 0, 0, 0]],
        [3, [4.497941445275415, 0], [0.4448513517305356, -0.7908468475209521, 0, 0, 0, 0]],
        [0.5, [13.928203230275509, 0], [2.154700538379252, -1.8660254037844386, 0, 0, 0, 0]],
        ['fro', [5, 0], [0.6, -0.8, 0, 0, 0, 0]],
        // p < 0: a zero element makes the norm 0 and, as torch's, every gradient 0 (not NaN)
        [-1, [0, 0], [0, 0, 0, 0, 0, 0]],
      ];
      for (const [p, y, g] of cases) {
        const r = run((x) => x.norm(p, 1), N);
        expectClose(r.y, y);
        expectClose(r.g, g);
      }
      const neg = run(
        (x) => x.norm(-1, 1),
        [
          [3, -4, 1],
          [1, 2, -4],
        ],
      );
      expectClose(neg.y, [0.6315789222717285, 0.5714285969734192]);
      expectClose(neg.g, [0.04432132467627525, -0.024930745363235474, 0.3988919258117676, 0.3265306353569031, 0.08163265883922577, -0.020408164709806442]);
      expectClose(Array.from(wg.norm(wg.tensor(N), 0, 1).data()), [2, 0]);
      let r = run((x) => wg.norm(x), N);
      expectClose(r.y, [5]);
      expectClose(r.g, [0.6, -0.8, 0, 0, 0, 0]);
      r = run(
        (x) => x.norm(Infinity),
        [
          [3, -3, 1],
          [2, 3, 0],
        ],
      );
      expectClose(r.y, [3]);
      expectClose(r.g, [1 / 3, -1 / 3, 0, 0, 1 / 3, 0]);
    });

    test('max/min with a tensor are the elementwise maximum/minimum, as torch.max(a, b)', () => {
      for (const [fn, y, ga, gb] of [
        ['max', [2, 5, 2], [0, 2, 2], [1, 0, 2]],
        ['min', [1, 2, 2], [1, 0, 2], [0, 2, 2]],
      ] as const) {
        const a = wg.tensor([1, 5, 2], { requiresGrad: true }),
          b = wg.tensor([2, 2, 2], { requiresGrad: true });
        const r = fn === 'max' ? a.max(b) : wg.min(a, b);
        r.backward([1, 2, 4]);
        expect(Array.from(r.data())).toEqual(y);
        expect(Array.from(a.grad!.data())).toEqual(ga); // a tie splits the gradient half/half (torch)
        expect(Array.from(b.grad!.data())).toEqual(gb);
      }
    });

    test('logsumexp of int32 is float32, as torch', () => {
      const y = wg.logsumexp(
        wg.tensor(
          [
            [1, 2, 3],
            [0, 0, 0],
          ],
          { dtype: 'int32' },
        ),
        1,
      );
      expect(y.dtype).toBe('float32');
      expectClose(Array.from(y.data()), [3.4076058864593506, 1.0986123085021973]);
    });

    test('logsumexp, var, varMean, stdMean over several dims', () => {
      const A = Array.from({ length: 2 }, (_, i) => Array.from({ length: 3 }, (_, j) => Array.from({ length: 4 }, (_, k) => 12 * i + 4 * j + k)));
      let r = run((x) => x.logsumexp([0, 2]), A);
      expectClose(r.y, [15.440195842754672, 19.440195842754672, 23.440195842754672]);
      const soft = [1.9697365605597577e-7, 5.354299099421009e-7, 1.4554493946090759e-6, 3.95632164160757e-6];
      const hard = [0.032058406306428956, 0.08714378331212268, 0.23688136264051568, 0.6439103035663312];
      expectClose(r.g, [...soft, ...soft, ...soft, ...hard, ...hard, ...hard]);
      r = run((x) => x.var([0, 2], { correction: 0 }), A);
      expectClose(r.y, [37.25, 37.25, 37.25]);
      const lo = [-1.875, -1.625, -1.375, -1.125],
        hi = [1.125, 1.375, 1.625, 1.875];
      expectClose(r.g, [...lo, ...lo, ...lo, ...hi, ...hi, ...hi]);
      const V = wg.tensor([
        [1, 2, 4],
        [3, 5, 9],
      ]);
      let [v, m] = V.varMean(1);
      expectClose(Array.from(v.data()), [7 / 3, 28 / 3]);
      expectClose(Array.from(m.data()), [7 / 3, 17 / 3]);
      [v, m] = wg.stdMean(V, [0, 1], { keepdim: true });
      expect(v.shape).toEqual([1, 1]);
      expectClose(Array.from(v.data()), [Math.sqrt(8)]);
      expectClose(Array.from(m.data()), [4]);
      [v, m] = wg.varMean(V, 0, { correction: 0 });
      expectClose(Array.from(v.data()), [1, 2.25, 6.25]);
      expectClose(Array.from(m.data()), [2, 3.5, 6.5]);
    });

    test("std/var take torch 1.13's unbiased flag; std's gradient is 0 where it is 0 (torch's std_backward)", () => {
      // torch.std(V, 1, unbiased=False) and its gradient for the seed [1, 2] (torch 1.13)
      let r = run(
        (x) => x.std(1, { unbiased: false }),
        [
          [1, 2, 4],
          [3, 5, 9],
        ],
        [1, 2],
      );
      expectClose(r.y, [1.2472190856933594, 2.4944381713867188]);
      expectClose(r.g, [-0.35634833574295044, -0.08908706903457642, 0.44543546438217163, -0.7126966714859009, -0.17817413806915283, 0.8908709287643433]);
      r = run(
        (x) => wg.var(x, 1, { unbiased: true, keepdim: true }),
        [
          [1, 2, 4],
          [3, 5, 9],
        ],
      );
      expect(r.shape).toEqual([2, 1]);
      expectClose(r.y, [7 / 3, 28 / 3]);
      // A constant row: torch.std gives 0 and the gradient 0 (not NaN from √'s infinite slope at 0).
      r = run(
        (x) => x.std(1),
        [
          [2, 2, 2],
          [1, 3, 5],
        ],
      );
      expectClose(r.y, [0, 2]);
      expectClose(r.g, [0, 0, 0, -0.5, 0, 0.5]);
      // One element per row with correction 0: var is 0 exactly, std's gradient 0 (torch: [[0], [0]]).
      r = run((x) => wg.std(x, 1, { correction: 0 }), [[7], [8]]);
      expectClose(r.y, [0, 0]);
      expectClose(r.g, [0, 0]);
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

    test('int32: sum stays int32 and wraps; max/min/amax/amin/argmax/argmin over dims; no gradient', () => {
      const I = wg.tensor(
        [
          [3, -1, 7],
          [7, 2, -5],
        ],
        { dtype: 'int32' },
      );
      const s = I.sum(1);
      expect(s.dtype).toBe('int32');
      expect(Array.from(s.data())).toEqual([9, 4]);
      expect(I.sum().item()).toBe(13);
      expect(Array.from(I.sum([0, 1], true).data())).toEqual([13]);
      // 2³¹ − 1 + 1 wraps to −2³¹ (PyTorch would widen to int64 and give 2147483648).
      expect(wg.tensor([2147483647, 1], { dtype: 'int32' }).sum().item()).toBe(-2147483648);
      expect(Array.from(I.max(0).data())).toEqual([7, 2, 7]);
      expect(Array.from(I.max(0).indices.data())).toEqual([1, 1, 0]);
      expect(I.max().dtype).toBe('int32');
      expect(I.max().item()).toBe(7);
      expect(Array.from(wg.min(I, 1, true).data())).toEqual([-1, -5]);
      expect(Array.from(I.amax([0, 1]).data())).toEqual([7]);
      expect(Array.from(I.amin(0).data())).toEqual([3, -1, -5]);
      // ties: the first index, as PyTorch
      expect(I.argmax().item()).toBe(2);
      expect(Array.from(I.argmax(1).data())).toEqual([2, 0]);
      expect(Array.from(I.argmin(0).data())).toEqual([0, 0, 1]);
      expect(I.sum(1).requiresGrad).toBe(false);
      expect(() => I.mean()).toThrow(wg.DTypeError);
      expect(() => wg.zeros([0], { dtype: 'int32' }).max()).toThrow('wasmgrad.max: cannot reduce over an empty dim');
    });

    test("torch's dtype keyword: sum, mean, prod, cumsum, cumprod cast x before reducing (functions and methods)", () => {
      const I = (v: wg.NestedArray) => wg.tensor(v, { dtype: 'int32' });
      const xi = () =>
        I([
          [2147483647, 1, 3],
          [-5, 7, 16777217],
        ]);
      // float32 16777217 is 16777216
      const xf = () =>
        wg.tensor([
          [1.5, -2.7, 3.2],
          [16777217, 2.5, -1],
        ]);
      // float32 results rounded to float32: the reference backend's float64 sums keep more bits
      const round = (v: unknown): unknown => (Array.isArray(v) ? v.map(round) : Math.fround(v as number));
      const f = (t: wg.Tensor) => [t.dtype, t.dtype === 'float32' ? round(t.tolist()) : t.tolist()];
      // torch.sum(xi, dtype=torch.int32): int32 arithmetic, wrapping (torch.sum(xi) is int64 2164260870)
      expect(f(wg.sum(xi(), { dtype: 'int32' }))).toEqual(['int32', -2130706426]);
      expect(f(xi().sum(1, { dtype: 'int32' }))).toEqual(['int32', [-2147483645, 16777219]]);
      // torch.sum(xi, dtype=torch.float32)
      expect(f(wg.sum(xi(), { dtype: 'float32' }))).toEqual(['float32', 2164260864]);
      // torch.sum(xf, dtype=torch.int32): the values truncated first (1 − 2 + 3 + 16777216 + 2 − 1)
      expect(f(xf().sum({ dtype: 'int32' }))).toEqual(['int32', 16777219]);
      expect(f(wg.sum(xf(), [0, 1], false, { dtype: 'int32' }))).toEqual(['int32', 16777219]);
      expect(f(wg.sum(xf(), 0, { dtype: 'int32' }))).toEqual(['int32', [16777217, 0, 2]]);
      expect(f(xf().sum(0, true, { dtype: 'int32' }))).toEqual(['int32', [[16777217, 0, 2]]]);
      // torch.mean(xi, dtype=torch.float32), torch.mean(xi, 1, dtype=torch.float32)
      expect(f(wg.mean(xi(), { dtype: 'float32' }))).toEqual(['float32', 360710144]);
      expect(f(xi().mean(1, { dtype: 'float32' }))).toEqual(['float32', [715827904, 5592406]]);
      // torch.prod(xi, dtype=torch.int32 / torch.float32), torch.prod(xi, 1, dtype=torch.float32), torch.prod(xf, [1,] dtype=torch.int32)
      expect(f(wg.prod(xi(), { dtype: 'int32' }))).toEqual(['int32', -385875863]);
      expect(f(xi().prod({ dtype: 'float32' }))).toEqual(['float32', -3.7830236869912166e18]);
      expect(f(xi().prod(1, { dtype: 'float32' }))).toEqual(['float32', [6442450944, -587202560]]);
      expect(f(wg.prod(xf(), { dtype: 'int32' }))).toEqual(['int32', 201326592]);
      expect(f(xf().prod(1, false, { dtype: 'int32' }))).toEqual(['int32', [-6, -33554432]]);
      // torch.cumsum / cumprod(·, 1, dtype=…)
      expect(f(wg.cumsum(xi(), 1, { dtype: 'float32' }))).toEqual([
        'float32',
        [
          [2147483648, 2147483648, 2147483648],
          [-5, 2, 16777218],
        ],
      ]);
      expect(f(xf().cumsum(1, { dtype: 'int32' }))).toEqual([
        'int32',
        [
          [1, -1, 2],
          [16777216, 16777218, 16777217],
        ],
      ]);
      expect(f(xi().cumsum(1, { dtype: 'int32' }))).toEqual([
        'int32',
        [
          [2147483647, -2147483648, -2147483645],
          [-5, 2, 16777219],
        ],
      ]);
      expect(f(wg.cumprod(xf(), 1, { dtype: 'int32' }))).toEqual([
        'int32',
        [
          [1, -2, -6],
          [16777216, 33554432, -33554432],
        ],
      ]);
      expect(f(xi().cumprod(1, { dtype: 'float32' }))).toEqual([
        'float32',
        [
          [2147483648, 2147483648, 6442450944],
          [-5, -35, -587202560],
        ],
      ]);
      // the same dtype is no cast: the gradient flows as without the option
      const w = wg.tensor([1, 2, 3, 4], { requiresGrad: true });
      w.mean({ dtype: 'float32' })
        .add(w.cumprod(0, { dtype: 'float32' }).sum())
        .backward();
      expect(w.grad!.tolist()).toEqual([0.25 + 33, 0.25 + 16, 0.25 + 10, 0.25 + 6]);
      expect(w.sum({ dtype: 'int32' }).requiresGrad).toBe(false);
    });

    test('dtype keyword errors: mean takes only float32 (torch: "could not infer output dtype"), unknown dtypes and options', () => {
      const i = wg.tensor([1, 2], { dtype: 'int32' });
      expect(() => wg.mean(i, { dtype: 'int32' })).toThrow(new wg.DTypeError('mean', 'dtype must be \'float32\', got "int32"'));
      expect(() => wg.tensor([1.5]).mean(0, { dtype: 'int32' })).toThrow(new wg.DTypeError('mean', 'dtype must be \'float32\', got "int32"'));
      expect(() => i.mean()).toThrow(new wg.DTypeError('mean', 'input 0 must be float32, got int32 (a tensor of shape [2])'));
      expect(() => i.sum({ dtype: 'int64' as never })).toThrow(new wg.DTypeError('sum', "dtype must be 'float32' or 'int32', got \"int64\""));
      expect(() => wg.cumsum(i, 0, { dtype: 'float64' as never })).toThrow(new wg.DTypeError('cumsum', "dtype must be 'float32' or 'int32', got \"float64\""));
      expect(() => i.prod({ dtyp: 'int32' } as never)).toThrow(new wg.ValueError('prod', "unknown option 'dtyp' (the options are dtype)"));
      expect(() => wg.cumprod(i, 0, 'int32' as never)).toThrow(new wg.ValueError('cumprod', 'takes 1 argument after the input (dim), got 2'));
      expect(() => wg.sum(i, { dtype: 'int32' }, true as never)).toThrow(
        new wg.ValueError('sum', 'the options object must be the last argument, got [{dtype: "int32"}, true]'),
      );
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

    test('errors: repeated dims, bad dim lists, argmax dims, norm p, extremes of nothing', () => {
      const x = wg.tensor([M, M]);
      expect(() => x.sum([0, -3])).toThrow(wg.ValueError);
      expect(() => x.sum([0, -3])).toThrow('wasmgrad.sum: dim 0 appears more than once in dims [0, -3] (tensor of shape [2, 2, 3])');
      expect(() => x.prod([1, 3])).toThrow('wasmgrad.prod: dim 3 is out of range for a tensor of shape [2, 2, 3] (expected an integer in [-3, 2])');
      expect(() => x.mean([0.5])).toThrow('wasmgrad.mean: dim must be an integer, got 0.5');
      expect(() => wg.sum(x, '1' as never)).toThrow('wasmgrad.sum: dim must be an integer or an array of integers, got "1"');
      expect(() => wg.argmax(x, [0, 1] as never)).toThrow('wasmgrad.argmax: dim must be an integer or undefined, got [0, 1] (tensor of shape [2, 2, 3])');
      expect(() => wg.zeros([0, 2]).argmax()).toThrow('wasmgrad.argmax: cannot reduce over an empty dim: tensor of shape [0, 2] has no argmax');
      expect(() => wg.zeros([0, 2]).argmin(0)).toThrow('wasmgrad.argmin: cannot reduce over an empty dim: tensor of shape [0, 2], dim 0 has no argmin');
      expect(() => wg.zeros([2, 0, 3]).amax([1, 2])).toThrow(
        'wasmgrad.amax: cannot reduce over an empty dim: tensor of shape [2, 0, 3], dim [1, 2] has no amax',
      );
      expect(() => wg.zeros([2, 0]).max([0, 1])).toThrow(wg.ShapeError);
      expect(() => x.norm('nuc' as never)).toThrow(wg.ValueError);
      expect(() => x.norm('nuc' as never)).toThrow(`wasmgrad.norm: p must be a number or 'fro', got "nuc" (tensor of shape [2, 2, 3])`);
      expect(() => x.norm(NaN)).toThrow("wasmgrad.norm: p must be a number or 'fro', got NaN");
      // torch.linalg.vector_norm refuses an ∞-norm of no elements; torch.norm gives 0 (test/probes-edges.test.ts)
      expect(() => wg.linalg.vectorNorm(wg.zeros([0]), { ord: Infinity })).toThrow(
        'wasmgrad.norm: cannot reduce over an empty dim: tensor of shape [0] has no norm',
      );
      expect(() => x.any(0, 1 as never)).toThrow('wasmgrad.any: keepdim must be a boolean, got 1');
      expect(() => x.varMean(0, { bessel: true } as never)).toThrow(wg.ValueError);
      // the checks of var/std inside name varMean/stdMean, the functions called
      expect(() => x.varMean(3)).toThrow('wasmgrad.varMean: dim 3 is out of range for a tensor of shape [2, 2, 3]');
      expect(() => wg.stdMean(x, 0, { correction: NaN })).toThrow('wasmgrad.stdMean: correction must be a finite number, got NaN');
      expect(() => wg.stdMean(wg.tensor([1], { dtype: 'int32' }))).toThrow(
        new wg.DTypeError('stdMean', 'input 0 must be float32, got int32 (a tensor of shape [1])'),
      );
    });
  });
}

test("max(dim) and min(dim) destructure as PyTorch's (values, indices); the result is still the values tensor", () => {
  wg.setBackend('wasm');
  const x = wg.tensor(
    [
      [1, 5, 2],
      [7, 0, 7],
    ],
    { requiresGrad: true },
  );
  const { values, indices } = x.max(1);
  expect(Array.from(values.data())).toEqual([5, 7]);
  expect(Array.from(indices.data())).toEqual([1, 0]);
  const [v, i] = wg.min(x, 0); // PyTorch's `v, i = x.min(0)`
  expect(Array.from(v.data())).toEqual([1, 0, 2]);
  expect(Array.from(i.data())).toEqual([0, 1, 0]);
  const r = x.min(1);
  expect(r.values).toBe(r);
  expect(Array.from(r.data())).toEqual([1, 0]);
  expect(r.item).toBeTypeOf('function');
  x.max(1).sum().backward();
  expect(Array.from(x.grad!.data())).toEqual([0, 1, 0, 1, 0, 0]);
});

test('the dtype keyword inside wg.compile gives the eager results, call after call', () => {
  wg.setBackend('wasm');
  const f = (x: wg.Tensor) => [x.sum(1, { dtype: 'int32' }), x.cumprod(0, { dtype: 'int32' }), x.int().mean({ dtype: 'float32' })];
  const step = wg.compile(f);
  for (const k of [0, 1, 2]) {
    const x = wg.tensor([
      [1.5 + k, -2.7, 3.2],
      [7.9, 2.5 - k, -1],
    ]);
    const want = f(x).map((t) => t.tolist());
    expect(step(x).map((t) => t.tolist())).toEqual(want);
  }
});

test('mean of int32 is a DTypeError naming the function called (not its kernel, meanDims); prod of int32 is int32', () => {
  const i = wg.tensor([1, 2], { dtype: 'int32' });
  for (const dim of [undefined, 0, [0]]) {
    expect(() => wg.mean(i, dim)).toThrow(new wg.DTypeError('mean', 'input 0 must be float32, got int32 (a tensor of shape [2])'));
    expect(wg.prod(i, dim).dtype).toBe('int32');
  }
});

test('a missing input is a ValueError naming the function, not a TypeError from reading its dtype', () => {
  const fns = {
    sum: wg.sum,
    amax: wg.amax,
    amin: wg.amin,
    argmax: wg.argmax,
    argmin: wg.argmin,
    all: wg.all,
    any: wg.any,
    max: wg.max,
    min: wg.min,
    logsumexp: wg.logsumexp,
    cumsum: wg.cumsum,
  };
  for (const [name, f] of Object.entries(fns))
    for (const bad of [undefined, null])
      expect(() => (f as (x: unknown) => unknown)(bad)).toThrow(new wg.ValueError(name, `input must be a Tensor, got ${String(bad)}`));
});
