/**
 * int32 inputs where PyTorch takes integer tensors (src/api/int-moves.ts): the ops that only move
 * elements (pad constant and circular, scatter's writes, diag, diagflat, diagEmbed, indexSelect of
 * a 0-d tensor), the scatters' sums (scatterAdd, scatter/scatterReduce 'sum', indexAdd) and the
 * matrix products (matmul, mm, bmm, mv, dot, outer, linear, inner, kron, tensordot, cross, addmm and
 * its kin), vander, pairwiseDistance (float32),
 * and the new indexCopy, indexFill and t.unfold (float32 too). Expected values from PyTorch 1.13 on int32 tensors, with values past
 * 2²⁴ and at int32's limits to show nothing goes through float32; every error path.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { DTypeError, ShapeError, ValueError } from '../../src/index.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const i32 = (v: wg.NestedArray) => wg.tensor(v, { dtype: 'int32' });
const MIN = -2147483648,
  MAX = 2147483647,
  BIG = 16777217; // 2²⁴ + 1: the first integer float32 cannot hold

const exact = (t: wg.Tensor, shape: number[], values: unknown) => {
  expect(t.dtype).toBe('int32');
  expect(t.shape).toEqual(shape);
  expect(t.tolist()).toEqual(values);
};

for (const be of ['wasm', 'reference'] as const) {
  describe(`int32 element moves on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));
    const a = () =>
      i32([
        [BIG, MIN, 3],
        [4, MAX, -6],
      ]);

    // the right factor of a()'s products: [3, 2]
    const b = () =>
      i32([
        [3, -7],
        [100003, 2],
        [-2147483647, 65537],
      ]);

    test('pad: constant (the value truncated toward 0, as PyTorch) and circular', () => {
      exact(
        wg.pad(a(), [1, 2], { value: -7 }),
        [2, 6],
        [
          [-7, BIG, MIN, 3, -7, -7],
          [-7, 4, MAX, -6, -7, -7],
        ],
      );
      exact(
        wg.pad(a(), [1, -1, 1, 0], { value: 2.7 }),
        [3, 3],
        [
          [2, 2, 2],
          [2, BIG, MIN],
          [2, 4, MAX],
        ],
      );
      exact(
        wg.pad(a(), [2, 1], { mode: 'circular' }),
        [2, 6],
        [
          [MIN, 3, BIG, MIN, 3, BIG],
          [MAX, -6, 4, MAX, -6, 4],
        ],
      );
      exact(wg.pad(i32([9]), [0, 0]), [1], [9]);
      exact(wg.pad(wg.zeros([0, 3], { dtype: 'int32' }), [1, 1], { value: 5 }), [0, 5], []);
      exact(wg.pad(i32([MAX]), [2, 0], { value: MIN }), [3], [MIN, MIN, MAX]);
    });

    test('scatter writes int32 src values and numbers (last write wins)', () => {
      const index = i32([
        [0, 2, 0],
        [1, 1, 2],
      ]);
      const src = i32([
        [1, 2, 3],
        [-2147483647, 16777219, 6],
      ]);
      exact(
        wg.scatter(a(), 1, index, src),
        [2, 3],
        [
          [3, MIN, 2],
          [4, 16777219, 6],
        ],
      );
      exact(
        wg.scatter(a(), 0, i32([[1, 0]]), 2.7),
        [2, 3],
        [
          [BIG, 2, 3],
          [2, MAX, -6],
        ],
      );
      exact(
        a().scatter(0, i32([[0]]), MIN),
        [2, 3],
        [
          [MIN, MIN, 3],
          [4, MAX, -6],
        ],
      );
    });

    test('scatterAdd, scatter/scatterReduce with sum, and indexAdd sum int32 exactly, wrapping as PyTorch', () => {
      const index = i32([
        [0, 0, 0],
        [2, 1, 2],
      ]);
      const sums = [
        [-2113929211, MIN, 3],
        [4, -2, -8],
      ];
      exact(wg.scatterAdd(a(), 1, index, a()), [2, 3], sums);
      exact(wg.scatter(a(), 1, index, a(), { reduce: 'sum' }), [2, 3], sums);
      exact(wg.scatterReduce(a(), 1, index, a(), 'sum'), [2, 3], sums);
      exact(
        wg.scatterReduce(a(), 1, index, a(), 'sum', { includeSelf: false }),
        [2, 3],
        [
          [-2130706428, MIN, 3],
          [4, MAX, -2],
        ],
      );
      exact(
        wg.scatter(a(), 1, index, 5, { reduce: 'sum' }),
        [2, 3],
        [
          [16777232, MIN, 3],
          [4, -2147483644, 4],
        ],
      );
      // alpha truncated toward 0, as PyTorch casts it to the input's dtype
      exact(
        wg.indexAdd(a(), 0, i32([1, 1]), a(), { alpha: 2.5 }),
        [2, 3],
        [
          [BIG, MIN, 3],
          [33554446, 2147483645, -12],
        ],
      );
      exact(
        a().indexAdd(0, i32([1, 1]), a(), { alpha: 3 }),
        [2, 3],
        [
          [BIG, MIN, 3],
          [50331667, 2147483644, -15],
        ],
      );
    });

    test('sums of many int32 values into one element stay exact (narrower digits past 256 values)', () => {
      for (const n of [257, 70000]) {
        const values = Array.from({ length: n }, (_, k) => (k % 2 ? MAX : k - MAX));
        let expected = 0;
        for (const v of values) expected = (expected + v) | 0;
        const zero = wg.zeros([1], { dtype: 'int32' });
        exact(wg.scatterAdd(zero, 0, wg.zeros([n], { dtype: 'int32' }), i32(values)), [1], [expected]);
      }
    });

    test('matmul, mm, bmm, mv, dot, outer and linear of int32 are exact and wrap as PyTorch', () => {
      const v = () => i32([16777219, -5, MAX]);
      const ab = [
        [50331654, -117243908],
        [2147383651, -393252],
      ];
      exact(wg.matmul(a(), b()), [2, 2], ab);
      exact(a().matmul(b()), [2, 2], ab);
      exact(wg.mm(a(), b()), [2, 2], ab);
      exact(wg.bmm(a().reshape([1, 2, 3]), b().reshape([1, 3, 2])), [1, 2, 2], [ab]);
      exact(
        wg.matmul(a(), a(), { transposeB: true }),
        [2, 2],
        [
          [33554442, -2080374798],
          [-2080374798, 53],
        ],
      );
      exact(wg.mv(a(), v()), [2], [67108864, -2080374761]);
      exact(wg.matmul(v(), b()), [2], [49831641, 2029977568]);
      exact(wg.dot(v(), v()), [], 100663331);
      exact(
        wg.outer(v(), i32([3, MIN])),
        [3, 2],
        [
          [50331657, MIN],
          [-15, MIN],
          [2147483645, MIN],
        ],
      );
      exact(
        wg.linear(a(), b().t(), i32([1, MAX])),
        [2, 2],
        [
          [50331655, 2030239739],
          [2147383652, 2147090395],
        ],
      );
      exact(
        wg.matmul(wg.zeros([2, 0], { dtype: 'int32' }), wg.zeros([0, 3], { dtype: 'int32' })),
        [2, 3],
        [
          [0, 0, 0],
          [0, 0, 0],
        ],
      );
    });

    test('inner, kron, tensordot and cross of int32 are exact int32, as PyTorch', () => {
      exact(
        wg.inner(a(), a()),
        [2, 2],
        [
          [33554442, -2080374798],
          [-2080374798, 53],
        ],
      );
      exact(wg.inner(i32([16777219, -5, MAX]), i32(3)), [3], [50331657, -15, 2147483645]);
      exact(
        wg.kron(i32([BIG, -2]), i32([[3], [MAX]])),
        [2, 2],
        [
          [50331651, -6],
          [2130706431, 2],
        ],
      );
      exact(
        wg.tensordot(a(), a(), [[1], [1]]),
        [2, 2],
        [
          [33554442, -2080374798],
          [-2080374798, 53],
        ],
      );
      exact(wg.tensordot(a(), a()), [], 33554495);
      exact(
        wg.tensordot(
          a(),
          i32([
            [1, 2],
            [3, 4],
            [5, 6],
          ]),
          1,
        ),
        [2, 2],
        [
          [-2130706416, 33554452],
          [2147483619, -32],
        ],
      );
      exact(
        wg.cross(
          a(),
          i32([
            [1, 2, 3],
            [65537, -1, 2],
          ]),
          1,
        ),
        [2, 3],
        [
          [2147483642, -50331648, -2113929214],
          [-8, -393230, -2147418115],
        ],
      );
      expect(() => wg.tensordot(a(), a(), 1)).toThrow(ShapeError);
      expect(() => wg.cross(a(), a(), 0)).toThrow(ShapeError);
    });

    test('addmm, addmv, addr, baddbmm and addbmm of int32: beta·input + alpha·product in exact int32', () => {
      exact(
        wg.addmm(
          i32([
            [1, 2],
            [3, 4],
          ]),
          a(),
          b(),
          { beta: 3, alpha: -2 },
        ),
        [2, 2],
        [
          [-100663305, 234487822],
          [200003, 786516],
        ],
      );
      exact(
        wg.addmm(i32([5, BIG]), a(), b()),
        [2, 2],
        [
          [50331659, -100466691],
          [2147383656, 16383965],
        ],
      );
      exact(wg.addmv(i32([1, 2]), a(), i32([1, 2, 3]), { beta: 0 }), [2], [16777226, -16]);
      exact(
        wg.addr(i32(1), i32([2, 3]), i32([BIG, -1]), { alpha: 3 }),
        [2, 2],
        [
          [100663303, -5],
          [150994954, -8],
        ],
      );
      exact(
        wg.baddbmm(i32([1]), a().reshape([1, 2, 3]), b().reshape([1, 3, 2])),
        [1, 2, 2],
        [
          [
            [50331655, -117243907],
            [2147383652, -393251],
          ],
        ],
      );
      exact(
        wg.addbmm(i32([[0]]), wg.stack([a(), a()]), wg.stack([b(), b()])),
        [2, 2],
        [
          [100663308, -234487816],
          [-199994, -786504],
        ],
      );
      expect(() => wg.addmm(i32([[1]]), a(), b(), { alpha: 2 ** 31 })).toThrow(
        new ValueError('addmm', "alpha 2147483648 does not fit in int32 (the input's dtype)"),
      );
      expect(() => wg.addmm(i32([1, 2, 3]), a(), b())).toThrow(ShapeError);
    });

    test('a long int32 dot product (narrower digits past 258 terms) matches int32 arithmetic', () => {
      const n = 300;
      const x = Array.from({ length: n }, (_, k) => Math.imul(k, -1640531535));
      const y = Array.from({ length: n }, (_, k) => (k * 40503 + 7) | 0);
      let expected = 0;
      for (let k = 0; k < n; k++) expected = (expected + Math.imul(x[k], y[k])) | 0;
      exact(wg.dot(i32(x), i32(y)), [], expected);
    });

    test('vander of int32 (powers wrap as int32; PyTorch gives int64) and pairwiseDistance of int32 (float32)', () => {
      exact(
        wg.vander(i32([2, -3, 65536]), { N: 4 }),
        [3, 4],
        [
          [8, 4, 2, 1],
          [-27, 9, -3, 1],
          [0, 0, 65536, 1],
        ],
      );
      exact(
        wg.vander(i32([2, -3, 1291]), { increasing: true }),
        [3, 3],
        [
          [1, 2, 4],
          [1, -3, 9],
          [1, 1291, 1666681],
        ],
      );
      exact(wg.vander(i32([]), { N: 0 }), [0, 0], []);
      exact(wg.vander(i32([5]), { N: 0 }), [1, 0], [[]]);
      const d = wg.pairwiseDistance(i32([[1, 2, 3]]), i32([[4, 6, 3]]));
      expect(d.dtype).toBe('float32');
      expect(d.item()).toBeCloseTo(4.999998569488525, 6);
      expect(wg.pairwiseDistance(i32([[1, 2, 3]]), wg.tensor([[4, 6, 3]])).item()).toBeCloseTo(4.999998569488525, 6);
    });

    test('indexCopy and indexFill (new, float32 and int32), as PyTorch', () => {
      exact(
        wg.indexCopy(
          a(),
          1,
          i32([2, 0]),
          i32([
            [7, -2147483647],
            [16777219, 9],
          ]),
        ),
        [2, 3],
        [
          [-2147483647, MIN, 7],
          [9, MAX, 16777219],
        ],
      );
      exact(
        a().indexFill(0, i32([1]), -5.7),
        [2, 3],
        [
          [BIG, MIN, 3],
          [-5, -5, -5],
        ],
      );
      exact(
        wg.indexFill(a(), 1, i32([0, 2]), MAX),
        [2, 3],
        [
          [MAX, MIN, MAX],
          [MAX, MAX, MAX],
        ],
      );
      const w = () =>
        wg.tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]);
      const x = w().requiresGrad_(),
        s = wg.tensor([[10], [20]], { requiresGrad: true });
      const y = x.indexCopy(1, i32([1]), s);
      expect(y.tolist()).toEqual([
        [1, 10, 3],
        [4, 20, 6],
      ]);
      y.mul(w()).sum().backward();
      expect(x.grad?.tolist()).toEqual([
        [1, 0, 3],
        [4, 0, 6],
      ]);
      expect(s.grad?.tolist()).toEqual([[2], [5]]);
      const x2 = w().requiresGrad_();
      const f = wg.indexFill(x2, 0, i32([0]), -1.5);
      expect(f.tolist()).toEqual([
        [-1.5, -1.5, -1.5],
        [4, 5, 6],
      ]);
      f.mul(w()).sum().backward();
      expect(x2.grad?.tolist()).toEqual([
        [0, 0, 0],
        [4, 5, 6],
      ]);
    });

    test("t.unfold(dimension, size, step) (new: PyTorch's Tensor.unfold), float32 with its gradient and int32", () => {
      exact(
        a().unfold(1, 2, 1),
        [2, 2, 2],
        [
          [
            [BIG, MIN],
            [MIN, 3],
          ],
          [
            [4, MAX],
            [MAX, -6],
          ],
        ],
      );
      exact(
        a().unfold(0, 2, 1),
        [1, 3, 2],
        [
          [
            [BIG, 4],
            [MIN, MAX],
            [3, -6],
          ],
        ],
      );
      exact(
        a().unfold(-1, 1, 2),
        [2, 2, 1],
        [
          [[BIG], [3]],
          [[4], [-6]],
        ],
      );
      const x = wg.arange(7).requiresGrad_();
      const y = x.unfold(0, 3, 2);
      expect(y.tolist()).toEqual([
        [0, 1, 2],
        [2, 3, 4],
        [4, 5, 6],
      ]);
      y.mul(wg.arange(9).reshape([3, 3]))
        .sum()
        .backward();
      expect(x.grad?.tolist()).toEqual([0, 1, 5, 4, 11, 7, 8]);
      expect(wg.tensor(5).unfold(0, 1, 1).tolist()).toEqual([5]);
      expect(wg.zeros([2, 0]).unfold(1, 0, 1).shape).toEqual([2, 1, 0]);
      expect(() => wg.arange(7).unfold(0, 8, 1)).toThrow(new ShapeError('unfold', 'size 8 is more than the 7 elements of dim 0 of a tensor of shape [7]'));
      expect(() => wg.arange(7).unfold(0, 2, 0)).toThrow(new ValueError('unfold', 'step must be an integer > 0, got 0 (tensor of shape [7])'));
      expect(() => wg.arange(7).unfold(0, -1, 1)).toThrow(ValueError);
      expect(() => wg.arange(7).unfold(1, 1, 1)).toThrow(ShapeError);
    });

    test('diag, diagflat and diagEmbed build int32 matrices', () => {
      exact(
        wg.diag(i32([BIG, MIN]), 1),
        [3, 3],
        [
          [0, BIG, 0],
          [0, 0, MIN],
          [0, 0, 0],
        ],
      );
      exact(wg.diag(i32([5])), [1, 1], [[5]]);
      exact(wg.diag(i32([])), [0, 0], []);
      exact(
        wg.diagflat(i32([[BIG, MIN, 3]])),
        [3, 3],
        [
          [BIG, 0, 0],
          [0, MIN, 0],
          [0, 0, 3],
        ],
      );
      exact(
        wg.diagEmbed(a(), { offset: -1 }),
        [2, 4, 4],
        [
          [
            [0, 0, 0, 0],
            [BIG, 0, 0, 0],
            [0, MIN, 0, 0],
            [0, 0, 3, 0],
          ],
          [
            [0, 0, 0, 0],
            [4, 0, 0, 0],
            [0, MAX, 0, 0],
            [0, 0, -6, 0],
          ],
        ],
      );
    });

    test('indexSelect of a 0-d tensor: dim 0 or -1, every index 0, a 0-d copy (float32 and int32)', () => {
      exact(wg.indexSelect(i32(BIG), 0, i32([0, 0])), [], BIG);
      const x = wg.tensor(2.5, { requiresGrad: true });
      const y = wg.indexSelect(x, -1, i32([0]));
      expect(y.shape).toEqual([]);
      expect(y.item()).toBe(2.5);
      y.mul(3).backward();
      expect(x.grad?.item()).toBe(3);
    });

    test('inside wg.compile: pad, diagEmbed, scatter, scatterAdd and matmul of int32 give the eager results, call after call', () => {
      const f = (x: wg.Tensor, idx: wg.Tensor) => [
        wg.pad(x, [1, 1], { value: 3 }),
        wg.diagEmbed(x),
        wg.scatter(x, 1, idx, x),
        wg.scatterAdd(x, 1, idx, x),
        x.matmul(x.transpose(0, 1)),
      ];
      const step = wg.compile(f);
      for (const k of [0, 1, 2]) {
        const x = i32([
          [BIG + k, MIN, 3 - k],
          [4, MAX - k, -6],
        ]);
        const idx = i32([
          [2, 0, 1],
          [0, 0, 2],
        ]);
        const want = f(x, idx).map((t) => t.tolist());
        const got = step(x, idx);
        expect(got.map((t) => t.dtype)).toEqual(['int32', 'int32', 'int32', 'int32', 'int32']);
        expect(got.map((t) => t.tolist())).toEqual(want);
      }
    });

    test('errors: as for float32, plus what PyTorch refuses for integers', () => {
      expect(() => wg.pad(a(), [1, 1], { mode: 'reflect' })).toThrow(
        new DTypeError('pad', 'reflect padding takes a float32 tensor, got an int32 tensor of shape [2, 3] (PyTorch has no integer reflect pad)'),
      );
      expect(() => wg.pad(a(), [1, 1], { mode: 'replicate' })).toThrow(DTypeError);
      expect(() => wg.pad(a(), [1, 1], { value: 1e10 })).toThrow(
        new ValueError('pad', "the fill value of an int32 tensor must be an integer in int32's range, got 10000000000"),
      );
      expect(() => wg.pad(a(), [1])).toThrow(new ValueError('pad', 'pad must be an array of (left, right) integer pairs, got [1]'));
      expect(() => wg.pad(a(), [4, 0], { mode: 'circular' })).toThrow(ShapeError);
      expect(() => wg.scatter(a(), 1, i32([[0]]), wg.tensor([[1]]))).toThrow(
        new DTypeError('scatter', 'src must be an int32 tensor, got a float32 tensor of shape [1, 1]'),
      );
      expect(() => wg.scatter(a(), 1, i32([[3]]), 1)).toThrow(
        new ValueError('scatter', 'index 3 at position [0, 0] of indices [1, 1] is out of range for dim 1 of size 3 of an input of shape [2, 3] (valid: 0..2)'),
      );
      expect(() => wg.scatter(a(), 1, i32([[0]]), 1e10)).toThrow(ValueError);
      expect(() => wg.scatterAdd(a(), 1, i32([[0]]), wg.tensor([[1]]))).toThrow(
        new DTypeError('scatterAdd', 'src must be an int32 tensor, got a float32 tensor of shape [1, 1]'),
      );
      expect(() => wg.scatterReduce(a(), 1, i32([[0]]), a(), 'amax')).toThrow(
        new DTypeError('scatterReduce', "reduce 'amax' takes a float32 input, got an int32 tensor of shape [2, 3] (int32 takes 'sum')"),
      );
      expect(() => wg.scatter(a(), 1, i32([[0]]), a(), { reduce: 'mean' })).toThrow(DTypeError);
      expect(() => wg.indexAdd(a(), 0, i32([1]), wg.ones([1, 3]))).toThrow(
        new DTypeError('indexAdd', 'source must be an int32 tensor, got a float32 tensor of shape [1, 3]'),
      );
      expect(() => wg.indexAdd(a(), 0, i32([2]), a().slice(0, 0, 1))).toThrow(ValueError);
      expect(() => wg.indexAdd(a(), 0, i32([1]), a().slice(0, 0, 1), { alpha: 2 ** 31 })).toThrow(
        new ValueError('indexAdd', "alpha 2147483648 does not fit in int32 (the input's dtype)"),
      );
      // PyTorch: "value cannot be converted to type int without overflow"; NaN summed in gave zeros
      expect(() => wg.scatter(a(), 1, i32([[0]]), NaN, { reduce: 'sum' })).toThrow(
        new ValueError('scatter', "the value NaN does not fit in int32 (the input's dtype)"),
      );
      expect(() => wg.matmul(a(), a())).toThrow(ShapeError);
      expect(() => wg.matmul(a(), wg.ones([3, 2]))).toThrow(DTypeError);
      expect(() => wg.mm(a(), i32([1, 2, 3]))).toThrow(ShapeError);
      expect(() => wg.dot(i32([1, 2]), i32([1, 2, 3]))).toThrow(ShapeError);
      expect(() => wg.linear(a(), i32([[1, 2]]))).toThrow(ShapeError);
      expect(() => wg.indexCopy(a(), 1, i32([3]), i32([[1], [2]]))).toThrow(
        new ValueError('indexCopy', 'index 3 at position [0] of indices [1] is out of range for dim 1 of size 3 of an input of shape [2, 3] (valid: 0..2)'),
      );
      expect(() => wg.indexCopy(a(), 1, i32([0]), i32([[1, 2]]))).toThrow(
        new ShapeError('indexCopy', "source must have the input's shape with dim 1 of the index's length, [2, 1], got [1, 2] (input [2, 3], index [1])"),
      );
      expect(() => wg.indexCopy(a(), 1, i32([0]), wg.ones([2, 1]))).toThrow(
        new DTypeError('indexCopy', 'source must be an int32 tensor, got a float32 tensor of shape [2, 1]'),
      );
      expect(() => wg.indexFill(a(), 2, i32([0]), 1)).toThrow(ShapeError);
      expect(() => wg.indexFill(a(), 0, i32([[0]]), 1)).toThrow(new ShapeError('indexFill', 'index must be 1-D, got shape [1, 1] (input [2, 3])'));
      expect(() => wg.indexFill(a(), 0, wg.tensor([0]), 1)).toThrow(DTypeError);
      expect(() => wg.indexFill(a(), 0, i32([0]), '1' as never)).toThrow(new ValueError('indexFill', 'value must be a number, got "1"'));
      expect(() => wg.indexFill(a(), 0, i32([0]), 2 ** 31)).toThrow(ValueError);
      expect(() => wg.diag(i32([[[1]]]))).toThrow(new ShapeError('diag', 'expects a 1-D or 2-D tensor, got shape [1, 1, 1]'));
      expect(() => wg.diagEmbed(i32([1, 2]), { dim1: 0, dim2: 0 })).toThrow(ShapeError);
      expect(() => wg.indexSelect(i32(5), 0, i32([1]))).toThrow(
        new ValueError('indexSelect', 'index 1 at position [0] of indices [1] is out of range for a 0-d input (read as one element) (valid: 0..0)'),
      );
      expect(() => wg.indexSelect(i32(5), 1, i32([0]))).toThrow(
        new ShapeError('indexSelect', 'dim 1 is out of range for a tensor of shape [] (expected an integer in [-1, 0])'),
      );
      expect(() => wg.indexSelect(i32(5), 0, i32([[0]]))).toThrow(new ShapeError('indexSelect', 'index must be 1-D, got shape [1, 1] (input [])'));
      expect(() => wg.indexSelect(i32(5), 0, wg.tensor([0]))).toThrow(DTypeError);
      expect(() => wg.vander(i32([[1, 2]]))).toThrow(new ShapeError('vander', 'expects a 1-D tensor, got shape [1, 2]'));
      expect(() => wg.vander(i32([1, 2]), { N: -1 })).toThrow(ValueError);
      expect(() => wg.pairwiseDistance(i32([[1, 2, 3]]), i32([[1, 2]]))).toThrow(ShapeError);
    });
  });
}
