/**
 * Hand-checked values of sort, argsort, topk, cumsum, cumprod, cummax, cummin and logcumsumexp
 * (values, int32 indices and gradients from PyTorch 1.13, on both backends): stability, NaN, ties,
 * zeros in cumprod, stability of logcumsumexp at ±1000, and every error path of src/api/sort.ts
 * and src/ops/sort.ts.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { expectClose } from '../helpers/expect.js';
import { runGrad as run } from '../helpers/harness.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const S = [
  [3, 1, 2, 1, 5],
  [0, -1, 4, 4, 2],
];
const SEED = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** values, indices and the gradient of a { values, indices } op, the values seeded with `seed`. */
function runPair(f: (x: wg.Tensor) => wg.ValuesIndices, x: number[][], seed: number[]) {
  const t = wg.tensor(x, { requiresGrad: true });
  const { values, indices } = f(t);
  values.backward(seed);
  expect(indices.dtype).toBe('int32');
  expect(indices.shape).toEqual(values.shape);
  return { shape: values.shape, v: Array.from(values.data()), i: Array.from(indices.data()), g: Array.from(t.grad!.data()) };
}

for (const be of ['wasm', 'reference'] as const) {
  describe(`sorting and scans on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('sort: stable ascending and descending, gradient to the sorted positions', () => {
      let r = runPair((x) => x.sort({ dim: 1, stable: true }), S, SEED);
      expectClose(r.v, [1, 1, 2, 3, 5, -1, 0, 2, 4, 4]);
      expect(r.i).toEqual([1, 3, 2, 0, 4, 1, 0, 4, 2, 3]);
      expectClose(r.g, [4, 1, 3, 2, 5, 7, 6, 9, 10, 8]);
      r = runPair((x) => wg.sort(x, { dim: 0, descending: true }), S, SEED);
      expectClose(r.v, [3, 1, 4, 4, 5, 0, -1, 2, 1, 2]);
      expect(r.i).toEqual([0, 0, 1, 1, 0, 1, 1, 0, 0, 1]);
      expectClose(r.g, [1, 2, 8, 9, 5, 6, 7, 3, 4, 10]);
    });

    test("sort: NaN sorts as the largest; argsort is sort's indices", () => {
      const { values, indices } = wg.tensor([3, NaN, 1, 3, 1]).sort();
      expectClose(Array.from(values.data()), [1, 1, 3, 3, NaN]);
      expect(Array.from(indices.data())).toEqual([2, 4, 0, 3, 1]);
      expect(Array.from(wg.tensor([3, NaN, 1, 3, 1]).sort({ descending: true }).indices.data())).toEqual([1, 0, 3, 2, 4]);
      const a = wg.argsort(
        wg.tensor([
          [3, 1, 2],
          [1, 1, 0],
        ]),
        { dim: 0 },
      );
      expect(a.dtype).toBe('int32');
      expect(Array.from(a.data())).toEqual([1, 0, 1, 0, 1, 0]);
    });

    test('sort and topk of 1, 7, 17 and 100 elements with ties match a stable sort', () => {
      for (const n of [1, 7, 17, 100]) {
        const v = Array.from({ length: n }, (_, k) => (k * 7) % 5);
        const want = v.map((_, k) => k).sort((i, j) => v[i] - v[j]);
        const { values, indices } = wg.tensor(v).sort();
        expect(Array.from(indices.data())).toEqual(want);
        expectClose(
          Array.from(values.data()),
          want.map((k) => v[k]),
        );
        const down = v.map((_, k) => k).sort((i, j) => v[j] - v[i]);
        expect(Array.from(wg.tensor(v).argsort({ descending: true }).data())).toEqual(down);
        const k = Math.min(n, 7);
        const top = wg.tensor(v).topk(k);
        expect(Array.from(top.indices.data())).toEqual(down.slice(0, k));
        expectClose(
          Array.from(top.values.data()),
          down.slice(0, k).map((i) => v[i]),
        );
        expect(Array.from(wg.tensor(v).topk(k, { largest: false }).indices.data())).toEqual(want.slice(0, k));
      }
    });

    test('topk: largest and smallest, gradient scattered to the picked elements; ties keep index order', () => {
      let r = runPair((x) => x.topk(2), S, [1, 2, 3, 4]);
      expect(r.shape).toEqual([2, 2]);
      expectClose(r.v, [5, 3, 4, 4]);
      // PyTorch leaves the order of ties open (it gives [3, 2] for the two 4s); ours is stable.
      expect(r.i).toEqual([4, 0, 2, 3]);
      expectClose(r.g, [2, 0, 0, 0, 1, 0, 0, 3, 4, 0]);
      r = runPair((x) => wg.topk(x, 1, { dim: 0, largest: false }), S, [1, 2, 3, 4, 5]);
      expectClose(r.v, [0, -1, 2, 1, 2]);
      expect(r.i).toEqual([1, 1, 0, 0, 1]);
      expectClose(r.g, [0, 0, 3, 4, 0, 1, 2, 0, 0, 5]);
      expect(wg.tensor(S).topk(0).values.shape).toEqual([2, 0]);
      expectClose(Array.from(wg.tensor(S).topk(5, { sorted: true }).values.data()), [5, 3, 2, 1, 1, 4, 4, 2, 0, -1]);
    });

    test("cumsum, and cumprod with zeros (PyTorch's gradient, no division by zero)", () => {
      let r = run((x) => x.cumsum(1), S, SEED);
      expectClose(r.y, [3, 4, 6, 7, 12, 0, -1, 3, 7, 9]);
      expectClose(r.g, [15, 14, 12, 9, 5, 40, 34, 27, 19, 10]);
      r = run(
        (x) => wg.cumprod(x, 0),
        [
          [2, 0, 3],
          [0, 0, 4],
          [5, 6, 0],
        ],
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      expectClose(r.y, [2, 0, 3, 0, 0, 12, 0, 0, 0]);
      expectClose(r.g, [1, 2, 27, 78, 0, 18, 0, 0, 108]);
      r = run((x) => x.cumprod(-1), [2, 0, 3, 0, 4], [1, 2, 3, 4, 5]);
      expectClose(r.y, [2, 0, 0, 0, 0]);
      expectClose(r.g, [1, 22, 0, 0, 0]);
      r = run((x) => x.cumprod(-1), [2, 3, 0, 4], [1, 2, 3, 4]);
      expectClose(r.y, [2, 6, 0, 0]);
      expectClose(r.g, [7, 4, 114, 0]);
    });

    test('logcumsumexp: values and gradient, stable at ±1000', () => {
      let r = run((x) => x.logcumsumexp(0), [-1000, 0, 1000, -3], [1, 2, 3, 4]);
      expectClose(r.y, [-1000, 0, 1000, 1000]);
      expectClose(r.g, [1, 2, 7, 0]);
      r = run(
        (x) => wg.logcumsumexp(x, 1),
        [
          [1, 2, 3],
          [0.5, -1, 2],
        ],
        [1, -2, 3, 1, 1, 1],
      );
      expectClose(r.y, [1, 2.313261687518223, 3.4076059644443806, 0.5, 0.7014132779827524, 2.241311296657157]);
      expectClose(r.g, [0.7322088767711512, -0.7279317440956166, 1.9957228673244658, 1.9928648683336803, 0.2215380970770438, 0.7855970345892758]);
      expect(Array.from(wg.tensor([-Infinity, -Infinity, 1]).logcumsumexp(0).data())).toEqual([-Infinity, -Infinity, 1]);
    });

    test('cummax/cummin: ties take the later index, NaN sticks, gradient to the indices', () => {
      let r = runPair(
        (x) => x.cummax(1),
        [
          [1, 3, 2, 3, 0],
          [2, 1, 4, 1, 5],
        ],
        SEED,
      );
      expectClose(r.v, [1, 3, 3, 3, 3, 2, 2, 4, 4, 5]);
      expect(r.i).toEqual([0, 1, 1, 3, 3, 0, 0, 2, 2, 4]);
      expectClose(r.g, [1, 5, 0, 9, 0, 13, 0, 17, 0, 10]);
      r = runPair(
        (x) => wg.cummin(x, 0),
        [
          [1, 3],
          [0, 3],
          [0, 5],
        ],
        [1, 2, 3, 4, 5, 6],
      );
      expectClose(r.v, [1, 3, 0, 3, 0, 3]);
      expect(r.i).toEqual([0, 0, 1, 1, 2, 1]);
      expectClose(r.g, [1, 2, 3, 10, 5, 0]);
      const n = wg.tensor([1, 1, 0, 1, NaN, 2]).cummax(0);
      expectClose(Array.from(n.values.data()), [1, 1, 1, 1, NaN, NaN]);
      expect(Array.from(n.indices.data())).toEqual([0, 1, 1, 3, 4, 4]);
    });

    test("sort, argsort and topk take PyTorch's positional (dim, flags) too: x.sort(0, true), x.topk(1, 0, false)", () => {
      const x = wg.tensor([
        [3, 1, 2],
        [0, 5, 4],
      ]);
      const [v, i] = x.sort(0, true);
      expect(v.toArray()).toEqual([
        [3, 5, 4],
        [0, 1, 2],
      ]);
      expect(i.toArray()).toEqual([
        [0, 1, 1],
        [1, 0, 0],
      ]);
      expect(wg.argsort(x, 1, true).toArray()).toEqual([
        [0, 2, 1],
        [1, 2, 0],
      ]);
      expect(x.topk(1, 0, false).values.toArray()).toEqual([[0, 1, 2]]);
      expect(x.topk(2, 1).indices.toArray()).toEqual([
        [0, 2],
        [1, 2],
      ]);
      expect(() => x.sort({ dim: 0 }, true)).toThrow(new wg.ValueError('sort', 'the options object must be the last argument, got [{dim: 0}, true]'));
      expect(() => x.topk(1, 0, 'yes' as never)).toThrow(new wg.ValueError('topk', 'largest must be a boolean, got "yes"'));
    });

    test("sort, topk, cummax and cummin unpack as PyTorch's tuples: const [values, indices] = wg.sort(x)", () => {
      const x = wg.tensor([3, 1, 2]);
      const [v, i] = wg.sort(x);
      expect(Array.from(v.data())).toEqual([1, 2, 3]);
      expect(Array.from(i.data())).toEqual([1, 2, 0]);
      const [tv, ti] = x.topk(2, { largest: false });
      expect(Array.from(tv.data())).toEqual([1, 2]);
      expect(Array.from(ti.data())).toEqual([1, 2]);
      const r = x.cummin(0);
      expect([...r]).toEqual([r.values, r.indices]);
      expect(Array.from(r.indices.data())).toEqual([0, 1, 1]);
    });

    test('0-d and 0-size tensors', () => {
      expectClose(Array.from(wg.tensor(2.5).cumsum(0).data()), [2.5]);
      expect(wg.tensor(2.5).sort().values.shape).toEqual([]);
      expect(wg.zeros([3, 0]).sort().indices.shape).toEqual([3, 0]);
      expect(wg.zeros([0, 4]).cumprod(1).shape).toEqual([0, 4]);
      expect(wg.zeros([2, 0]).topk(0).values.shape).toEqual([2, 0]);
      // torch.topk of a 0-d tensor gives the element, 0-d, for k = 0 as for k = 1
      for (const k of [0, 1]) {
        const t = wg.tensor(3.5).topk(k);
        expect(t.values.shape).toEqual([]);
        expect(Array.from(t.values.data())).toEqual([3.5]);
        expect(Array.from(t.indices.data())).toEqual([0]);
      }
      expect(() => wg.tensor(3.5).topk(2)).toThrow(/topk: k must be an integer in \[0, 1\]/);
    });

    test('int32: sort, argsort, topk and cumsum keep int32 values (no gradient)', () => {
      const I = wg.tensor([3, 1, 2, 1, -7], { dtype: 'int32' });
      const { values, indices } = I.sort();
      expect(values.dtype).toBe('int32');
      expect(Array.from(values.data())).toEqual([-7, 1, 1, 2, 3]);
      expect(Array.from(indices.data())).toEqual([4, 1, 3, 2, 0]);
      expect(Array.from(I.argsort({ descending: true }).data())).toEqual([0, 2, 1, 3, 4]);
      const t = wg.topk(I, 3);
      expect(Array.from(t.values.data())).toEqual([3, 2, 1]);
      expect(Array.from(t.indices.data())).toEqual([0, 2, 1]);
      const c = I.cumsum(0);
      expect(c.dtype).toBe('int32');
      expect(Array.from(c.data())).toEqual([3, 4, 6, 7, 0]);
      // wraps as int32 arithmetic (PyTorch's int32 cumsum is int64)
      expect(Array.from(wg.tensor([2147483647, 1, 1], { dtype: 'int32' }).cumsum(0).data())).toEqual([2147483647, -2147483648, -2147483647]);
      expect(I.cumprod(0).dtype).toBe('int32');
    });

    test('errors name the function, the argument and the shape', () => {
      const x = wg.tensor(S);
      expect(() => x.sort({ dim: 2 })).toThrow(wg.ShapeError);
      expect(() => x.sort({ dim: 2 })).toThrow('wasmgrad.sort: dim 2 is out of range for a tensor of shape [2, 5] (expected an integer in [-2, 1])');
      expect(() => x.argsort({ descending: 'yes' as never })).toThrow('wasmgrad.argsort: descending must be a boolean, got "yes"');
      expect(() => x.sort({ axis: 0 } as never)).toThrow("wasmgrad.sort: unknown option 'axis' (the options are dim, descending, stable)");
      expect(() => x.topk(6)).toThrow(wg.ValueError);
      expect(() => x.topk(6)).toThrow('wasmgrad.topk: k must be an integer in [0, 5] (the size of dim -1 of a tensor of shape [2, 5]), got 6');
      expect(() => x.topk(1.5, { dim: 0 })).toThrow('wasmgrad.topk: k must be an integer in [0, 2] (the size of dim 0 of a tensor of shape [2, 5]), got 1.5');
      expect(() => x.topk(1, { dim: -3 })).toThrow('wasmgrad.topk: dim -3 is out of range');
      expect(() => x.topk(1, { largest: 0 } as never)).toThrow('wasmgrad.topk: largest must be a boolean, got 0');
      expect(() => x.cumsum(undefined as never)).toThrow('wasmgrad.cumsum: dim must be an integer, got undefined (tensor of shape [2, 5])');
      expect(() => x.cumprod(2)).toThrow('wasmgrad.cumprod: dim 2 is out of range');
      expect(() => x.logcumsumexp(0.5)).toThrow('wasmgrad.logcumsumexp: dim must be an integer, got 0.5');
      expect(() => x.cummax(-3)).toThrow('wasmgrad.cummax: dim -3 is out of range');
      expect(() => x.cummin(5)).toThrow('wasmgrad.cummin: dim 5 is out of range');
      // int32 cummax/cummin run without the float32 kernel (cummaxIndex); their errors name them too
      const i = wg.tensor([1, 2], { dtype: 'int32' });
      expect(() => i.cummax(1)).toThrow('wasmgrad.cummax: dim 1 is out of range');
      expect(Array.from(wg.cummin(i, 0).indices.data())).toEqual([0, 0]);
      expect(() => wg.cummin(null as never, 0)).toThrow(new wg.ValueError('cummin', 'input must be a Tensor, got null'));
    });
  });
}
