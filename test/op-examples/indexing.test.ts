/**
 * Hand-checked values of the indexing and selection ops (src/ops/indexing.ts) on both backends,
 * from PyTorch 1.13 (written here as literals), every error path, and their behaviour under
 * wg.compile.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const BACKENDS = ['wasm', 'reference'] as const;
const leaf = (data: wg.NestedArray) => wg.tensor(data, { requiresGrad: true });
const ints = (data: wg.NestedArray) => wg.tensor(data, { dtype: 'int32' });
const grid = (rows: number, cols: number, opts: { requiresGrad?: boolean } = {}) =>
  wg.tensor(
    Array.from({ length: rows * cols }, (_, i) => i),
    { shape: [rows, cols], ...opts },
  );

for (const be of BACKENDS) {
  describe(`indexing on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('gather along dim 1 and dim 0; repeated indices add their gradients', () => {
      const x = grid(3, 4, { requiresGrad: true });
      const y = x.gather(
        1,
        ints([
          [0, 0],
          [1, 0],
          [3, 2],
        ]),
      );
      expect(y.toArray()).toEqual([
        [0, 0],
        [5, 4],
        [11, 10],
      ]);
      y.backward([1, 2, 3, 4, 5, 6]);
      expect(x.grad!.toArray()).toEqual([
        [3, 0, 0, 0],
        [4, 3, 0, 0],
        [0, 0, 6, 5],
      ]);
      const x0 = grid(3, 4, { requiresGrad: true });
      const y0 = wg.gather(
        x0,
        -2,
        ints([
          [2, 0, 1],
          [1, 1, 0],
        ]),
      );
      expect(y0.toArray()).toEqual([
        [8, 1, 6],
        [4, 5, 2],
      ]);
      y0.sum().backward();
      expect(x0.grad!.toArray()).toEqual([
        [0, 1, 1, 0],
        [1, 1, 1, 0],
        [1, 0, 0, 0],
      ]);
      // 0-d input and index, and an empty index
      expect(wg.gather(wg.tensor(5), 0, ints(0)).toArray()).toEqual(5);
      expect(wg.gather(grid(3, 4), 1, wg.zeros([3, 0], { dtype: 'int32' })).shape).toEqual([3, 0]);
    });

    test('scatter: last write wins on repeated indices; x gets g without the written elements, src PyTorch’s gathered g', () => {
      const x = leaf([1, 2, 3]);
      const src = leaf([10, 20, 30]);
      const y = x.scatter(0, ints([1, 1, 0]), src);
      expect(y.toArray()).toEqual([30, 20, 3]);
      y.backward([1, 2, 3]);
      expect(x.grad!.toArray()).toEqual([0, 0, 3]);
      expect(src.grad!.toArray()).toEqual([2, 2, 1]);

      const z = wg.zeros([3, 4], { requiresGrad: true });
      const s = wg.tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { requiresGrad: true },
      );
      const out = wg.scatter(
        z,
        1,
        ints([
          [3, 0],
          [1, 1],
        ]),
        s,
      );
      expect(out.toArray()).toEqual([
        [2, 0, 0, 1],
        [0, 4, 0, 0],
        [0, 0, 0, 0],
      ]);
      out.mul(grid(3, 4)).sum().backward();
      expect(z.grad!.toArray()).toEqual([
        [0, 1, 2, 0],
        [4, 0, 6, 7],
        [8, 9, 10, 11],
      ]);
      expect(s.grad!.toArray()).toEqual([
        [3, 0],
        [5, 5],
      ]);
      // a number writes that value
      expect(
        wg
          .zeros([2, 3])
          .scatter(1, ints([[2], [0]]), 7.5)
          .toArray(),
      ).toEqual([
        [0, 0, 7.5],
        [7.5, 0, 0],
      ]);
    });

    test('scatterAdd and scatter({reduce: "sum"}) add in index order; gradients g and gathered g', () => {
      const idx = ints([
        [2, 0, 2],
        [2, 1, 0],
      ]);
      const x = wg.ones([3, 4], { requiresGrad: true });
      const src = wg.tensor(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        { requiresGrad: true },
      );
      const y = x.scatterAdd(0, idx, src);
      const want = [
        [1, 3, 7, 1],
        [1, 6, 1, 1],
        [6, 1, 4, 1],
      ];
      expect(y.toArray()).toEqual(want);
      expect(wg.scatter(wg.ones([3, 4]), 0, idx, src.detach(), { reduce: 'sum' }).toArray()).toEqual(want);
      y.mul(grid(3, 4)).sum().backward();
      expect(x.grad!.toArray()).toEqual(grid(3, 4).toArray());
      expect(src.grad!.toArray()).toEqual([
        [8, 1, 10],
        [8, 5, 2],
      ]);
    });

    test('scatter reduce mean, amax, amin (PyTorch scatter_reduce, include_self): ties share the gradient evenly', () => {
      const idx = ints([
        [1, 1, 0],
        [1, 2, 0],
      ]);
      const seed = wg.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const want = {
        mean: [
          [4, 10 / 3, 3],
          [2.5, 2, 7.5],
        ],
        amax: [
          [7, 5, 3],
          [4, 2, 9],
        ],
        amin: [
          [1, 0, 3],
          [1, 2, 6],
        ],
      };
      const grads = {
        mean: [
          [
            [0.5, 2 / 3, 3],
            [2, 2.5, 3],
          ],
          [
            [2 / 3, 2 / 3, 0.5],
            [2.5, 3, 2],
          ],
        ],
        amax: [
          [
            [0, 1, 3],
            [4, 2.5, 0],
          ],
          [
            [1, 0, 1],
            [2.5, 6, 0],
          ],
        ],
        amin: [
          [
            [1, 0, 3],
            [0, 2.5, 6],
          ],
          [
            [0, 2, 0],
            [2.5, 0, 4],
          ],
        ],
      };
      for (const reduce of ['mean', 'amax', 'amin'] as const) {
        const x = leaf([
          [1, 5, 3],
          [4, 2, 6],
        ]);
        const src = leaf([
          [5, 0, 7],
          [2, 9, 1],
        ]);
        const y = x.scatter(1, idx, src, { reduce });
        expect(Array.from(y.data())).toEqual(Array.from(Float32Array.from(want[reduce].flat())));
        y.mul(seed).sum().backward();
        expect(Array.from(x.grad!.data())).toEqual(Array.from(Float32Array.from(grads[reduce][0].flat())));
        expect(Array.from(src.grad!.data())).toEqual(Array.from(Float32Array.from(grads[reduce][1].flat())));
      }
      expect(
        wg
          .ones([2, 3])
          .scatter(1, ints([[0, 0]]), wg.tensor([[2, 3]]), { reduce: 'mean' })
          .toArray(),
      ).toEqual([
        [2, 1, 1],
        [1, 1, 1],
      ]);
    });

    test('indexAdd with alpha; source gradient alpha·g at its rows', () => {
      const x = wg.zeros([3, 2], { requiresGrad: true });
      const s = wg.tensor(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        { requiresGrad: true },
      );
      const y = x.indexAdd(0, ints([2, 0, 2]), s, { alpha: -0.5 });
      expect(y.toArray()).toEqual([
        [-1.5, -2],
        [0, 0],
        [-3, -4],
      ]);
      y.backward([1, 2, 3, 4, 5, 6]);
      expect(x.grad!.toArray()).toEqual([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      expect(s.grad!.toArray()).toEqual([
        [-2.5, -3],
        [-0.5, -1],
        [-2.5, -3],
      ]);
      expect(wg.indexAdd(wg.ones([2]), 0, ints([1, 1]), wg.tensor([2, 3])).toArray()).toEqual([1, 6]);
    });

    test('indexSelect and take (negative indices wrap in take)', () => {
      const x = grid(3, 4, { requiresGrad: true });
      const y = x.indexSelect(1, ints([3, 1, 3]));
      expect(y.toArray()).toEqual([
        [3, 1, 3],
        [7, 5, 7],
        [11, 9, 11],
      ]);
      y.sum().backward();
      expect(x.grad!.toArray()).toEqual([
        [0, 1, 0, 2],
        [0, 1, 0, 2],
        [0, 1, 0, 2],
      ]);
      expect(wg.indexSelect(grid(3, 4), 0, ints(2)).toArray()).toEqual([[8, 9, 10, 11]]);
      const t = grid(3, 4, { requiresGrad: true });
      const taken = wg.take(
        t,
        ints([
          [-1, 0],
          [5, 5],
        ]),
      );
      expect(taken.toArray()).toEqual([
        [11, 0],
        [5, 5],
      ]);
      taken.backward([1, 2, 3, 4]);
      expect(t.grad!.toArray()).toEqual([
        [2, 0, 0, 0],
        [0, 7, 0, 0],
        [0, 0, 0, 1],
      ]);
      expect(wg.take(wg.tensor(3), ints([0, -1])).toArray()).toEqual([3, 3]);
    });

    test('index: x[idx] along a dim, x[i0, i1] broadcast, null slices, PyTorch’s placement of the index dims', () => {
      const x = wg.arange(24).reshape([2, 3, 4]).keep();
      expect(
        x.index(
          ints([
            [1, -1],
            [0, 0],
          ]),
        ).shape,
      ).toEqual([2, 2, 3, 4]);
      expect(x.index(ints([1, -1])).toArray()).toEqual([x.toArray()[1 as never], x.toArray()[1 as never]]);
      const xs = wg.arange(24).reshape([2, 3, 4]);
      xs.requiresGrad = true;
      const y = xs.index(ints([2, 0, 2]), 1);
      expect(y.toArray()).toEqual([
        [
          [8, 9, 10, 11],
          [0, 1, 2, 3],
          [8, 9, 10, 11],
        ],
        [
          [20, 21, 22, 23],
          [12, 13, 14, 15],
          [20, 21, 22, 23],
        ],
      ]);
      y.sum().backward();
      expect(xs.grad!.toArray()).toEqual(
        [0, 1].map(() => [
          [1, 1, 1, 1],
          [0, 0, 0, 0],
          [2, 2, 2, 2],
        ]),
      );
      expect(wg.index(x, [null, ints([2, 0, 2])]).toArray()).toEqual(y.toArray());
      expect(x.index([ints([[0], [1]]), ints([2, -1])]).toArray()).toEqual([
        [
          [8, 9, 10, 11],
          [8, 9, 10, 11],
        ],
        [
          [20, 21, 22, 23],
          [20, 21, 22, 23],
        ],
      ]);
      // separated by a slice: the index dims come first
      expect(x.index([ints([0, 1]), null, ints([3, 0])]).toArray()).toEqual([
        [3, 7, 11],
        [12, 16, 20],
      ]);
      expect(x.index([null, ints([0, 2]), ints([1])]).toArray()).toEqual([
        [1, 9],
        [13, 21],
      ]);
      const p = grid(2, 3, { requiresGrad: true });
      const pairs = p.index([ints([1, 0, 1]), ints([2, 2, -3])]);
      expect(pairs.toArray()).toEqual([5, 2, 3]);
      pairs.backward([1, 2, 4]);
      expect(p.grad!.toArray()).toEqual([
        [0, 0, 2],
        [4, 0, 1],
      ]);
      // integers select first (PyTorch's basic indexing), then the tensors index what is left
      expect(x.index([0, null, ints([1, 2])]).toArray()).toEqual([
        [1, 2],
        [5, 6],
        [9, 10],
      ]);
      expect(x.index([ints([1, 0]), 0]).toArray()).toEqual([
        [12, 13, 14, 15],
        [0, 1, 2, 3],
      ]);
      expect(x.index([null, 1, ints([1, 0])]).toArray()).toEqual([
        [5, 4],
        [17, 16],
      ]);
      expect(x.index([ints([1, 0]), null, -1]).toArray()).toEqual([
        [15, 19, 23],
        [3, 7, 11],
      ]);
      expect(x.index([0, 1, -1]).toArray()).toEqual(7);
      const sel = wg.arange(24).reshape([2, 3, 4]).detach();
      sel.requiresGrad = true;
      sel
        .index([-1, ints([2, 2])])
        .sum()
        .backward();
      expect(sel.grad!.toArray()).toEqual([
        [
          [0, 0, 0, 0],
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ],
        [
          [0, 0, 0, 0],
          [0, 0, 0, 0],
          [2, 2, 2, 2],
        ],
      ]);
      // a 0-d index removes the dim; only slices copy
      expect(x.index(ints(1), 2).toArray()).toEqual([
        [1, 5, 9],
        [13, 17, 21],
      ]);
      expect(x.index([null, null]).toArray()).toEqual(x.toArray());
      expect(x.index(wg.zeros([0], { dtype: 'int32' })).shape).toEqual([0, 3, 4]);
    });

    test('int32 data (labels, indices) is gathered too, without gradient: gather, indexSelect, take, index, maskedSelect', () => {
      const labels = ints([7, -8, 9, 2147483647]);
      expect(labels.index(ints([3, 0, -3])).toArray()).toEqual([2147483647, 7, -8]);
      expect(labels.index(ints([3, 0])).dtype).toBe('int32');
      expect(wg.take(labels, ints([[1], [2]])).toArray()).toEqual([[-8], [9]]);
      expect(wg.indexSelect(labels, 0, ints([2, 2])).toArray()).toEqual([9, 9]);
      expect(
        wg
          .gather(
            ints([
              [1, 2],
              [3, 4],
            ]),
            1,
            ints([[1], [0]]),
          )
          .toArray(),
      ).toEqual([[2], [3]]);
      expect(wg.maskedSelect(labels, wg.tensor([0, 1, 1, 0])).toArray()).toEqual([-8, 9]);
      expect(labels.index([null]).toArray()).toEqual([7, -8, 9, 2147483647]);
    });

    test('maskedFill: float32 or int32 masks, broadcast; value number or 0-d tensor with its gradient', () => {
      const x = wg.ones([3], { requiresGrad: true });
      const v = wg.tensor(2, { requiresGrad: true });
      const y = x.maskedFill(wg.tensor([1, 0, 1]), v);
      expect(y.toArray()).toEqual([2, 1, 2]);
      y.backward([1, 2, 3]);
      expect(x.grad!.toArray()).toEqual([0, 2, 0]);
      expect(v.grad!.item()).toBe(4);
      expect(wg.maskedFill(grid(2, 3), ints([[0], [-3]]), -1).toArray()).toEqual([
        [0, 1, 2],
        [-1, -1, -1],
      ]);
      // a mask of more dims broadcasts the result (PyTorch's out-of-place masked_fill)
      expect(
        wg
          .maskedFill(
            wg.tensor([1, 2]),
            ints([
              [1, 0],
              [0, 0],
            ]),
            9,
          )
          .toArray(),
      ).toEqual([
        [9, 2],
        [1, 2],
      ]);
    });

    test('maskedSelect: the true elements in row-major order, broadcast; gradient scattered back', () => {
      const x = grid(2, 3, { requiresGrad: true });
      const y = x.maskedSelect(wg.tensor([[1], [0]]));
      expect(y.toArray()).toEqual([0, 1, 2]);
      y.backward([1, 2, 3]);
      expect(x.grad!.toArray()).toEqual([
        [1, 2, 3],
        [0, 0, 0],
      ]);
      expect(
        wg
          .maskedSelect(
            wg.tensor([1, 2]),
            ints([
              [0, 5],
              [7, 0],
              [1, 1],
            ]),
          )
          .toArray(),
      ).toEqual([2, 1, 1, 2]);
      expect(wg.maskedSelect(grid(2, 2), wg.zeros([2, 2])).shape).toEqual([0]);
    });

    test('tril and triu on the last two dims (batched), any diagonal; gradient masked alike', () => {
      const m = wg.arange(1, 13).reshape([3, 4]);
      expect(m.tril(-1).toArray()).toEqual([
        [0, 0, 0, 0],
        [5, 0, 0, 0],
        [9, 10, 0, 0],
      ]);
      expect(wg.triu(m, 1).toArray()).toEqual([
        [0, 2, 3, 4],
        [0, 0, 7, 8],
        [0, 0, 0, 12],
      ]);
      expect(wg.tril(wg.arange(1, 9).reshape([2, 2, 2])).toArray()).toEqual([
        [
          [1, 0],
          [3, 4],
        ],
        [
          [5, 0],
          [7, 8],
        ],
      ]);
      expect(m.tril(5).toArray()).toEqual(m.toArray());
      expect(m.triu(-5).toArray()).toEqual(m.toArray());
      expect(m.triu(2 ** 40).toArray()).toEqual(wg.zeros([3, 4]).toArray());
      const x = wg.arange(1, 7).reshape([2, 3]).detach();
      x.requiresGrad = true;
      x.triu().backward(wg.full([2, 3], 2));
      expect(x.grad!.toArray()).toEqual([
        [2, 2, 2],
        [0, 2, 2],
      ]);
    });

    test('errors: dtypes, shapes and index ranges, named after the op', () => {
      const x = grid(3, 4);
      const i = ints([[0, 1]]);
      expect(() => wg.gather(x, 1, wg.tensor([[0, 1]]))).toThrow(wg.DTypeError);
      expect(() => wg.gather(x, 1, wg.tensor([[0, 1]]))).toThrow('wasmgrad.gather: index must be an int32 tensor, got a float32 tensor of shape [1, 2]');
      expect(() => wg.scatterAdd(i, 0, i, x)).toThrow('wasmgrad.scatterAdd: src must be an int32 tensor, got a float32 tensor of shape [3, 4]');
      expect(() => wg.gather(x, 1, ints([0, 1]))).toThrow(wg.ShapeError);
      expect(() => wg.gather(x, 1, ints([0, 1]))).toThrow('wasmgrad.gather: index must have as many dims as the input: index [2], input [3, 4]');
      expect(() => wg.gather(x, 1, wg.zeros([4, 1], { dtype: 'int32' }))).toThrow(
        'wasmgrad.gather: index must be no larger than the input along every dim but dim 1: index [4, 1], input [3, 4]',
      );
      expect(() => wg.gather(x, 2, i)).toThrow(wg.ShapeError);
      expect(() => wg.gather(x, 1, ints([[0, 4]]))).toThrow(wg.ValueError);
      expect(() => wg.gather(x, 1, ints([[0, 4]]))).toThrow(
        'wasmgrad.gather: index 4 at position [0, 1] of indices [1, 2] is out of range for dim 1 of size 4 of an input of shape [3, 4] (valid: 0..3)',
      );
      expect(() => wg.gather(x, 1, ints([[-1, 0]]))).toThrow('index -1 at position [0, 0]');
      expect(() => wg.scatter(x, 1, i, wg.ones([1]))).toThrow(
        'wasmgrad.scatter: index and src must have as many dims as the input: index [1, 2], input [3, 4], src [1]',
      );
      expect(() => wg.scatter(x, 1, i, wg.ones([1, 1]))).toThrow(
        'wasmgrad.scatter: index must be no larger than the input along every dim but dim 1, and no larger than src along every dim: index [1, 2], input [3, 4], src [1, 1]',
      );
      expect(() => wg.scatter(x, 1, i, 1, { reduce: 'prod' as never })).toThrow(
        `wasmgrad.scatter: reduce must be 'add' (= 'sum'), 'mean', 'amax', 'amin' or absent, got "prod" ('prod' and 'multiply' are not supported)`,
      );
      expect(() => wg.scatter(x, 0, ints([[3, 0]]), 1)).toThrow('wasmgrad.scatter: index 3 at position [0, 0]');
      expect(() => wg.scatterAdd(x, 0, i, ints([[1, 2]]))).toThrow(wg.DTypeError);
      expect(() => wg.indexAdd(x, 0, ints([0]), wg.ones([1, 3]))).toThrow(
        "wasmgrad.indexAdd: source must have the input's shape with dim 0 of the index's length, [1, 4], got [1, 3] (input [3, 4], index [1])",
      );
      expect(() => wg.indexAdd(x, 0, ints([0]), wg.ones([1, 4]), { alpha: NaN })).toThrow('wasmgrad.indexAdd: alpha must be a finite number, got NaN');
      expect(() => wg.indexAdd(x, 0, ints([-1]), wg.ones([1, 4]))).toThrow(wg.ValueError);
      expect(() => wg.indexSelect(x, 0, i)).toThrow('wasmgrad.indexSelect: index must be 1-D, got shape [1, 2] (input [3, 4])');
      expect(() => wg.indexSelect(wg.tensor(1), 0, ints([1]))).toThrow('is out of range for a 0-d input (read as one element) (valid: 0..0)');
      expect(() => wg.indexSelect(x, 0, ints([3]))).toThrow('(valid: 0..2)');
      expect(() => wg.take(x, ints([12]))).toThrow(
        'wasmgrad.take: index 12 at position [0] of indices [1] is out of range for an input of shape [3, 4] read as 1-D (12 elements) (valid: -12..11)',
      );
      expect(() => wg.take(wg.zeros([0]), ints([0]))).toThrow('(valid: none, it is empty)');
      expect(() => x.index([i, i, i])).toThrow('wasmgrad.index: too many indices for a tensor of shape [3, 4]: 3 entries for 2 dims');
      expect(() => x.index([ints([0, 1]), ints([0, 1, 2])])).toThrow(wg.ShapeError);
      expect(() => x.index(ints([3]))).toThrow(
        'wasmgrad.index: index 3 at position [0] of indices [1] is out of range for dim 0 of size 3 of an input of shape [3, 4] (valid: -3..2)',
      );
      expect(() => x.index(i, 2)).toThrow(wg.ShapeError);
      expect(() => x.index([i], 0)).toThrow(wg.ValueError);
      expect(() => x.index([wg.ones([1])])).toThrow(wg.DTypeError);
      expect(() => x.index([3])).toThrow('wasmgrad.index: entry 0, 3, is not an index of dim 0 of size 3 of an input of shape [3, 4] (an integer in -3..2)');
      expect(() => x.index([null, 0.5])).toThrow(wg.ValueError);
      expect(() => x.index([0, 0, 0])).toThrow(wg.ShapeError);
      expect(() => wg.tensor(1).index(ints([0]))).toThrow(wg.ShapeError);
      expect(() => x.maskedFill(wg.ones([2]), 1)).toThrow(wg.ShapeError);
      expect(() => x.maskedFill(wg.ones([4]), wg.ones([1]))).toThrow('wasmgrad.maskedFill: value must be a number or a 0-d tensor, got shape [1]');
      expect(() => x.maskedSelect(wg.ones([2]))).toThrow(wg.ShapeError);
      expect(() => wg.tril(wg.ones([3]))).toThrow('wasmgrad.tril: needs a tensor of at least 2 dims (matrices in the last two), got shape [3]');
      expect(() => wg.triu(x, 0.5)).toThrow('wasmgrad.triu: diagonal must be an integer, got 0.5 (tensor of shape [3, 4])');
    });
  });
}

describe('indexing under wg.compile', () => {
  test('gather with an int32 input replays fast, as eager; a new index value re-runs the JavaScript, which validates it', () => {
    wg.setBackend('wasm');
    const f = wg.compile((x: wg.Tensor, idx: wg.Tensor) => wg.gather(x, 1, idx).mul(2));
    const idxs = [
      [
        [0, 2],
        [1, 1],
      ],
      [
        [2, 2],
        [0, 1],
      ],
      [
        [1, 0],
        [2, 0],
      ],
    ];
    for (let k = 0; k < 5; k++) {
      const x = wg.randn([2, 3]);
      const idx = ints(idxs[k % 3]);
      expect(Array.from(f(x, idx).data())).toEqual(Array.from(wg.gather(x, 1, idx).mul(2).data()));
    }
    expect(f.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 3 } });
    expect(() =>
      f(
        wg.randn([2, 3]),
        ints([
          [0, 3],
          [0, 0],
        ]),
      ),
    ).toThrow('wasmgrad.gather: index 3 at position [0, 1]');
  });

  test('a compiled training step picking logits with gather (forward, backward, SGD) replays fast and trains as eager', () => {
    wg.setBackend('wasm');
    const run = (compiled: boolean) => {
      wg.manualSeed(3);
      const lin = new wg.nn.Linear(4, 3);
      const opt = new wg.optim.SGD(lin.parameters(), { lr: 0.1 });
      const step = (x: wg.Tensor, y: wg.Tensor) => {
        const loss = lin.forward(x).logSoftmax(1).gather(1, y).mean().neg();
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss;
      };
      const f = compiled ? wg.compile(step) : step;
      wg.manualSeed(4);
      const losses = Array.from({ length: 5 }, (_, k) => f(wg.randn([6, 4]), ints([[k % 3], [2], [1], [0], [(k + 1) % 3], [2]])).item());
      return { losses, info: compiled ? (f as ReturnType<typeof wg.compile>).replayInfo()[0] : null };
    };
    const eager = run(false),
      comp = run(true);
    expect(comp.losses).toEqual(eager.losses);
    expect(comp.info).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 3 } });
  });

  test('maskedSelect makes the program re-run its JavaScript, naming why', () => {
    wg.setBackend('wasm');
    const f = wg.compile((x: wg.Tensor, m: wg.Tensor) => wg.maskedSelect(x, m).mul(10), { warn: false });
    const x = wg.tensor([1, 2, 3, 4]);
    expect(Array.from(f(x, ints([1, 0, 1, 0])).data())).toEqual([10, 30]);
    expect(Array.from(f(x, ints([0, 1, 0, 1])).data())).toEqual([20, 40]);
    expect(Array.from(f(x, ints([0, 0, 1, 1])).data())).toEqual([30, 40]);
    expect(f.replayInfo()[0]).toMatchObject({ mode: 'rerun', reason: expect.stringMatching(/maskedSelect reads its mask \[4\] int32/) });
    // Another number of true elements is another shape: not the recorded program.
    expect(() => f(x, ints([1, 1, 1, 0]))).toThrow(wg.CompileError);
  });
});
