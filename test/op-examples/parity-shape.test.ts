/**
 * PyTorch parity of the shape and creation functions (src/api/parity-shape.ts,
 * src/ops/parity-shape.ts) on both backends: values and gradients computed by PyTorch 1.13
 * (literals; the gradients are of Σ w·y with w = 1, 2, 3, … over each result's elements, summed
 * over the pieces of a list), the tensor facts, the seeded in-place fills, and every error.
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
const m = (...shape: number[]) => wg.zeros(shape);

/** The results' values, after backward of Σ over them of Σ w·y, w = 1, 2, 3, … (as the PyTorch runs). */
function weighted(ys: wg.Tensor | wg.Tensor[]): unknown {
  const list = Array.isArray(ys) ? ys : [ys];
  list
    .map((y) => y.mul(wg.arange(1, y.size + 1).reshape(y.shape)).sum())
    .reduce((a, b) => a.add(b))
    .backward();
  return Array.isArray(ys) ? ys.map((y) => y.toArray()) : ys.toArray();
}

for (const be of BACKENDS) {
  describe(`PyTorch parity shapes on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('view and viewAs: reshape as a copy, gradients as torch', () => {
      const x = leaf([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const v = x.view(3, -1);
      expect(weighted(v)).toEqual([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      expect(x.grad!.toArray()).toEqual([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(wg.view(x, [6]).shape).toEqual([6]);
      expect(x.view(-1).shape).toEqual([6]);
      expect(x.viewAs(m(3, 1, 2)).shape).toEqual([3, 1, 2]);
      expect(wg.viewAs(x, m(6)).toArray()).toEqual([1, 2, 3, 4, 5, 6]);
      expect(m(0, 3).view(-1).shape).toEqual([0]);
      // A copy: writing into the view does not reach the source (the README says so).
      const y = wg.tensor([1, 2, 3, 4]);
      y.view(2, 2).fill_(0);
      expect(y.toArray()).toEqual([1, 2, 3, 4]);
      expect(ints([1, 2, 3, 4]).view(2, 2).dtype).toBe('int32');
    });

    test('tensor facts: type, elementSize, isContiguous, isFloatingPoint, stride, nelement, isTensor, numel', () => {
      const x = wg.tensor([5.5, 6.5]);
      const i = ints([5, 6]);
      expect(x.type()).toBe('torch.FloatTensor');
      expect(i.type()).toBe('torch.IntTensor');
      expect(x.type('int32').toArray()).toEqual([5, 6]);
      expect(x.type('torch.IntTensor').dtype).toBe('int32');
      expect(i.type('torch.FloatTensor').dtype).toBe('float32');
      expect(i.type('int32').dtype).toBe('int32');
      expect([x.elementSize(), i.elementSize()]).toEqual([4, 4]);
      expect(x.isContiguous()).toBe(true);
      expect([x.isFloatingPoint(), i.isFloatingPoint(), wg.isFloatingPoint(i)]).toEqual([true, false, false]);
      // PyTorch's contiguous strides: empty dims count as 1.
      expect(m(2, 0, 3).stride()).toEqual([3, 3, 1]);
      expect(m(0, 3).stride()).toEqual([3, 1]);
      expect(m(2, 1, 3).stride()).toEqual([3, 3, 1]);
      expect(m(2, 3, 4).stride(0)).toBe(12);
      expect(m(2, 3, 4).stride(-2)).toBe(4);
      expect(wg.tensor(1).stride()).toEqual([]);
      expect(m(3, 4).nelement()).toBe(12);
      expect([wg.numel(m(3, 4)), wg.numel(wg.tensor(1)), wg.numel(m(2, 0))]).toEqual([12, 1, 0]);
      expect([wg.isTensor(x), wg.isTensor([1, 2]), wg.isTensor(null), wg.isTensor(1)]).toEqual([true, false, false, false]);
    });

    test('newZeros, newOnes, newFull, newEmpty, newTensor: the source dtype unless given', () => {
      const x = wg.tensor([1.5]);
      const i = ints([1]);
      expect(x.newZeros([2, 3]).toArray()).toEqual([
        [0, 0, 0],
        [0, 0, 0],
      ]);
      expect(i.newZeros(2).dtype).toBe('int32');
      expect(i.newOnes([2], { dtype: 'float32' }).dtype).toBe('float32');
      expect(i.newOnes(3).toArray()).toEqual([1, 1, 1]);
      // PyTorch's varargs form: x.new_zeros(2, 3), x.new_ones(1, 2, dtype=…), x.new_empty(2, 1)
      expect([x.newZeros(2, 3).shape, i.newZeros(2, 3).dtype]).toEqual([[2, 3], 'int32']);
      expect(i.newOnes(1, 2, { dtype: 'float32' }).toArray()).toEqual([[1, 1]]);
      expect(x.newEmpty(2, 1).shape).toEqual([2, 1]);
      expect(x.newFull([2], 7).toArray()).toEqual([7, 7]);
      expect(i.newFull([1], -3).dtype).toBe('int32');
      expect(x.newEmpty([2]).toArray()).toEqual([0, 0]);
      expect(i.newTensor([3, 4]).dtype).toBe('int32');
      expect(x.newTensor([3, 4]).dtype).toBe('float32');
      expect(x.newTensor([1, 2, 3, 4], { shape: [2, 2] }).shape).toEqual([2, 2]);
      const p = x.newZeros([2], { requiresGrad: true });
      expect(p.requiresGrad).toBe(true);
    });

    test('uniform_, normal_, bernoulli_: the seeded stream, in place, under copy_ rules', () => {
      const x = wg.zeros([2, 3]);
      wg.manualSeed(7);
      expect(x.uniform_(2, 3)).toBe(x);
      wg.manualSeed(7);
      const u = wg.rand([2, 3]); // the same draws of the stream, in row-major order
      Array.from(x.data()).forEach((v, k) => expect(v).toBeCloseTo(2 + u.data()[k], 6));
      expect(Array.from(x.data()).every((v) => v >= 2 && v < 3)).toBe(true);
      wg.manualSeed(8);
      x.normal_(-1, 0.5);
      wg.manualSeed(8);
      const n = wg.randn([2, 3]);
      Array.from(x.data()).forEach((v, k) => expect(v).toBeCloseTo(-1 + 0.5 * n.data()[k], 6));
      wg.manualSeed(9);
      x.bernoulli_(0.3);
      wg.manualSeed(9);
      expect(x.toArray()).toEqual(wg.bernoulli(m(2, 3), 0.3).toArray());
      const i = ints([5, 6, 7]);
      expect(i.bernoulli_(1).toArray()).toEqual([1, 1, 1]);
      expect(i.dtype).toBe('int32');
      expect(Array.from(wg.zeros([4]).uniform_().data()).every((v) => v >= 0 && v < 1)).toBe(true);
      expect(wg.zeros([3]).uniform_(1, 1).toArray()).toEqual([1, 1, 1]);
      expect(wg.zeros([3]).normal_(4, 0).toArray()).toEqual([4, 4, 4]);
      const w = leaf([1, 2]);
      expect(() => w.uniform_()).toThrow(/^wasmgrad\.uniform_: a leaf tensor .* that requires grad .*noGrad/);
      expect(() => w.normal_()).toThrow(/^wasmgrad\.normal_: a leaf tensor .* that requires grad .*noGrad/);
      expect(() => w.bernoulli_()).toThrow(/^wasmgrad\.bernoulli_: a leaf tensor .* that requires grad .*noGrad/);
      wg.noGrad(() => w.uniform_(-1, 1));
      expect(Array.from(w.data()).every((v) => v >= -1 && v < 1)).toBe(true);
    });

    test('ravel, atleast1d/2d/3d, dstack, columnStack, rowStack', () => {
      const x = leaf([
        [1, 2],
        [3, 4],
      ]);
      expect(weighted(x.ravel())).toEqual([1, 2, 3, 4]);
      expect(x.grad!.toArray()).toEqual([
        [1, 2],
        [3, 4],
      ]);
      expect(wg.ravel(wg.tensor(5)).shape).toEqual([1]);
      const s = wg.tensor(5);
      expect(wg.atleast1d(s).shape).toEqual([1]);
      expect(wg.atleast2d(s).shape).toEqual([1, 1]);
      expect(wg.atleast3d(wg.tensor([1, 2])).shape).toEqual([1, 2, 1]);
      expect(wg.atleast3d(m(2, 3)).shape).toEqual([2, 3, 1]);
      expect(wg.atleast2d(wg.tensor([1, 2])).shape).toEqual([1, 2]);
      const big = m(2, 3, 4);
      expect(wg.atleast3d(big)).toBe(big);
      expect(wg.atleast1d([s, big]).map((t) => t.shape)).toEqual([[1], [2, 3, 4]]);
      expect(wg.atleast2d(s, wg.tensor([1, 2])).map((t) => t.shape)).toEqual([
        [1, 1],
        [1, 2],
      ]);
      let a = leaf([[1, 2]]);
      let b = leaf([5, 6]);
      expect(weighted(wg.dstack([a, b]))).toEqual([
        [
          [1, 5],
          [2, 6],
        ],
      ]);
      expect(a.grad!.toArray()).toEqual([[1, 3]]);
      expect(b.grad!.toArray()).toEqual([2, 4]);
      a = leaf([1, 2]);
      b = leaf([
        [3, 4],
        [5, 6],
      ]);
      const c = leaf([7, 8]);
      expect(weighted(wg.columnStack([a, b, c]))).toEqual([
        [1, 3, 4, 7],
        [2, 5, 6, 8],
      ]);
      expect(a.grad!.toArray()).toEqual([1, 5]);
      expect(b.grad!.toArray()).toEqual([
        [2, 3],
        [6, 7],
      ]);
      expect(c.grad!.toArray()).toEqual([4, 8]);
      expect(wg.columnStack([wg.tensor(1), wg.tensor(2)]).toArray()).toEqual([[1, 2]]);
      a = leaf([1, 2]);
      b = leaf([[3, 4]]);
      expect(weighted(wg.rowStack([a, b]))).toEqual([
        [1, 2],
        [3, 4],
      ]);
      expect([a.grad!.toArray(), b.grad!.toArray()]).toEqual([[1, 2], [[3, 4]]]);
    });

    test('tensorSplit, hsplit, vsplit, dsplit: sections and indices', () => {
      let x = leaf([1, 2, 3, 4, 5, 6, 7]);
      expect(weighted(x.tensorSplit(3))).toEqual([
        [1, 2, 3],
        [4, 5],
        [6, 7],
      ]);
      expect(x.grad!.toArray()).toEqual([1, 2, 3, 1, 2, 1, 2]);
      expect(wg.tensorSplit(wg.arange(7), [1, 5, 3, 9]).map((t) => t.shape)).toEqual([[1], [4], [0], [4], [0]]);
      expect(wg.tensorSplit(wg.arange(7), [-2]).map((t) => t.shape)).toEqual([[5], [2]]);
      expect(wg.tensorSplit(m(2, 5), 3, 1).map((t) => t.shape)).toEqual([
        [2, 2],
        [2, 2],
        [2, 1],
      ]);
      expect(wg.tensorSplit(m(0), 2).map((t) => t.shape)).toEqual([[0], [0]]);
      // torch.tensor_split(torch.arange(7), torch.tensor([2, 5])) and (…, torch.tensor(3)): an int32 tensor as PyTorch's int64 one
      expect(wg.tensorSplit(wg.arange(7), ints([2, 5])).map((t) => t.toArray())).toEqual([
        [0, 1],
        [2, 3, 4],
        [5, 6],
      ]);
      expect(
        wg
          .arange(7)
          .tensorSplit(ints(3))
          .map((t) => t.toArray()),
      ).toEqual([
        [0, 1, 2],
        [3, 4],
        [5, 6],
      ]);
      x = leaf([
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ]);
      expect(weighted(wg.tensorSplit(x, [1, -2], -1))).toEqual([
        [[1], [5]],
        [[2], [6]],
        [
          [3, 4],
          [7, 8],
        ],
      ]);
      expect(x.grad!.toArray()).toEqual([
        [1, 1, 1, 2],
        [2, 2, 3, 4],
      ]);
      x = leaf([
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ]);
      expect(weighted(x.hsplit(2))).toEqual([
        [
          [1, 2],
          [5, 6],
        ],
        [
          [3, 4],
          [7, 8],
        ],
      ]);
      expect(x.grad!.toArray()).toEqual([
        [1, 2, 1, 2],
        [3, 4, 3, 4],
      ]);
      expect(wg.hsplit(wg.arange(6), 3).map((t) => t.toArray())).toEqual([
        [0, 1],
        [2, 3],
        [4, 5],
      ]);
      x = leaf([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      expect(weighted(x.vsplit([1]))).toEqual([
        [[1, 2]],
        [
          [3, 4],
          [5, 6],
        ],
      ]);
      expect(x.grad!.toArray()).toEqual([
        [1, 2],
        [1, 2],
        [3, 4],
      ]);
      x = leaf([
        [
          [1, 2],
          [3, 4],
        ],
      ]);
      expect(weighted(wg.dsplit(x, 2))).toEqual([[[[1], [3]]], [[[2], [4]]]]);
      expect(x.grad!.toArray()).toEqual([
        [
          [1, 1],
          [2, 2],
        ],
      ]);
    });

    test('fliplr, flipud, rot90 (int32 exactly)', () => {
      let x = leaf([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(weighted(x.fliplr())).toEqual([
        [3, 2, 1],
        [6, 5, 4],
      ]);
      expect(x.grad!.toArray()).toEqual([
        [3, 2, 1],
        [6, 5, 4],
      ]);
      x = leaf([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(weighted(wg.flipud(x))).toEqual([
        [4, 5, 6],
        [1, 2, 3],
      ]);
      expect(x.grad!.toArray()).toEqual([
        [4, 5, 6],
        [1, 2, 3],
      ]);
      x = leaf([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(weighted(x.rot90())).toEqual([
        [3, 6],
        [2, 5],
        [1, 4],
      ]);
      expect(x.grad!.toArray()).toEqual([
        [5, 3, 1],
        [6, 4, 2],
      ]);
      x = leaf([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(weighted(wg.rot90(x, -3, [1, 0]))).toEqual([
        [4, 1],
        [5, 2],
        [6, 3],
      ]);
      expect(x.grad!.toArray()).toEqual([
        [2, 4, 6],
        [1, 3, 5],
      ]);
      x = leaf([
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ]);
      expect(weighted(x.rot90(2, [0, 2]))).toEqual([
        [
          [6, 5],
          [8, 7],
        ],
        [
          [2, 1],
          [4, 3],
        ],
      ]);
      expect(x.grad!.toArray()).toEqual([
        [
          [6, 5],
          [8, 7],
        ],
        [
          [2, 1],
          [4, 3],
        ],
      ]);
      const r = ints([
        [1, 2],
        [3, 4],
      ]).rot90();
      expect([r.dtype, r.toArray()]).toEqual([
        'int32',
        [
          [2, 4],
          [1, 3],
        ],
      ]);
      expect(wg.rot90(m(2, 3), 4).shape).toEqual([2, 3]);
    });

    test('diagEmbed, diagflat', () => {
      let x = leaf([
        [1, 2],
        [3, 4],
      ]);
      expect(weighted(x.diagEmbed({ offset: 1 }))).toEqual([
        [
          [0, 1, 0],
          [0, 0, 2],
          [0, 0, 0],
        ],
        [
          [0, 3, 0],
          [0, 0, 4],
          [0, 0, 0],
        ],
      ]);
      expect(x.grad!.toArray()).toEqual([
        [2, 6],
        [11, 15],
      ]);
      x = leaf([
        [1, 2],
        [3, 4],
      ]);
      expect(weighted(wg.diagEmbed(x, { offset: -1, dim1: 0, dim2: 2 }))).toEqual([
        [
          [0, 0, 0],
          [0, 0, 0],
        ],
        [
          [1, 0, 0],
          [3, 0, 0],
        ],
        [
          [0, 2, 0],
          [0, 4, 0],
        ],
      ]);
      expect(x.grad!.toArray()).toEqual([
        [7, 14],
        [10, 17],
      ]);
      expect(wg.diagEmbed(wg.tensor([1, 2])).toArray()).toEqual([
        [1, 0],
        [0, 2],
      ]);
      x = leaf([
        [1, 2],
        [3, 4],
      ]);
      expect(weighted(x.diagflat(-1))).toEqual([
        [0, 0, 0, 0, 0],
        [1, 0, 0, 0, 0],
        [0, 2, 0, 0, 0],
        [0, 0, 3, 0, 0],
        [0, 0, 0, 4, 0],
      ]);
      expect(x.grad!.toArray()).toEqual([
        [6, 12],
        [18, 24],
      ]);
      expect(wg.diagflat(wg.tensor(3)).toArray()).toEqual([[3]]);
    });

    test('vander (gradient exact at 0), logspace as torch float32', () => {
      let x = leaf([0, 2, -1.5]);
      expect(weighted(wg.vander(x))).toEqual([
        [0, 0, 1],
        [4, 2, 1],
        [2.25, -1.5, 1],
      ]);
      expect(x.grad!.toArray()).toEqual([2, 21, -13]);
      x = leaf([0, 2, -1.5]);
      expect(weighted(wg.vander(x, { N: 4, increasing: true }))).toEqual([
        [1, 0, 0, 0],
        [1, 2, 4, 8],
        [1, -1.5, 2.25, -3.375],
      ]);
      expect(x.grad!.toArray()).toEqual([2, 130, 58]);
      expect(wg.vander(wg.tensor([1, 2]), { N: 0 }).shape).toEqual([2, 0]);
      expect(wg.logspace(0, 2, 5).toArray()).toEqual([1, 3.1622776985168457, 10, 31.62277603149414, 100]);
      expect(wg.logspace(-1, 1.5, 4, 2).toArray()).toEqual([0.5, 0.8908987045288086, 1.587401032447815, 2.8284270763397217]);
      expect(wg.logspace(0.3, -2.7, 7).toArray()).toEqual([
        1.9952623844146729, 0.6309573650360107, 0.19952623546123505, 0.06309572607278824, 0.019952621310949326, 0.006309572607278824, 0.0019952619913965464,
      ]);
      expect(wg.logspace(-3, 3, 17, 3.5).toArray()).toEqual([
        0.02332361601293087, 0.0373096689581871, 0.05968248471617699, 0.09547121077775955, 0.15272070467472076, 0.2442999929189682, 0.390794962644577,
        0.6251359581947327, 1.0, 1.5996520519256592, 2.5588865280151367, 4.09332799911499, 6.547900199890137, 10.47436237335205, 16.755334854125977,
        26.802703857421875, 42.875,
      ]);
      expect(wg.logspace(1, 5, 1).toArray()).toEqual([10]);
      expect(wg.logspace(1, 5, 0).shape).toEqual([0]);
      expect(wg.logspace(0, 1, 2, { requiresGrad: true }).requiresGrad).toBe(true);
    });

    test('blockDiag, cartesianProd, combinations, broadcastTensors, broadcastShapes', () => {
      const a = leaf(1);
      const b = leaf([2, 3]);
      const c = leaf([[4], [5]]);
      expect(weighted(wg.blockDiag(a, b, c))).toEqual([
        [1, 0, 0, 0],
        [0, 2, 3, 0],
        [0, 0, 0, 4],
        [0, 0, 0, 5],
      ]);
      expect([a.grad!.toArray(), b.grad!.toArray(), c.grad!.toArray()]).toEqual([1, [6, 7], [[12], [16]]]);
      const bi = wg.blockDiag(ints([[1, 2]]), ints([3]));
      expect([bi.dtype, bi.toArray()]).toEqual([
        'int32',
        [
          [1, 2, 0],
          [0, 0, 3],
        ],
      ]);
      expect(wg.blockDiag(ints([[1, 2]]), wg.tensor([3])).dtype).toBe('float32');
      expect(wg.blockDiag().shape).toEqual([1, 0]);
      expect(wg.blockDiag(m(0), m(2, 0)).shape).toEqual([3, 0]);
      let p = leaf([1, 2]);
      let q = leaf([3, 4, 5]);
      expect(weighted(wg.cartesianProd(p, q))).toEqual([
        [1, 3],
        [1, 4],
        [1, 5],
        [2, 3],
        [2, 4],
        [2, 5],
      ]);
      expect([p.grad!.toArray(), q.grad!.toArray()]).toEqual([
        [9, 27],
        [10, 14, 18],
      ]);
      expect(wg.cartesianProd(p)).toBe(p);
      expect(wg.cartesianProd(m(2), m(0)).shape).toEqual([0, 2]);
      p = leaf([1, 2, 3, 4]);
      expect(weighted(wg.combinations(p))).toEqual([
        [1, 2],
        [1, 3],
        [1, 4],
        [2, 3],
        [2, 4],
        [3, 4],
      ]);
      expect(p.grad!.toArray()).toEqual([9, 18, 23, 28]);
      p = leaf([1, 2]);
      expect(weighted(wg.combinations(p, { r: 3, withReplacement: true }))).toEqual([
        [1, 1, 1],
        [1, 1, 2],
        [1, 2, 2],
        [2, 2, 2],
      ]);
      expect(p.grad!.toArray()).toEqual([22, 56]);
      expect(wg.combinations(wg.tensor([1, 2, 3]), { r: 0 }).shape).toEqual([0]);
      expect(wg.combinations(wg.tensor([1, 2, 3]), { r: 4 }).shape).toEqual([0, 4]);
      expect(wg.combinations(wg.tensor([1, 2, 3]), { r: 4, withReplacement: true }).shape).toEqual([15, 4]);
      expect(wg.combinations(m(0)).shape).toEqual([0, 2]);
      expect(wg.combinations(ints([7, 8, 9])).toArray()).toEqual([
        [7, 8],
        [7, 9],
        [8, 9],
      ]);
      p = leaf([[1], [2]]);
      q = leaf([3, 4, 5]);
      expect(weighted(wg.broadcastTensors(p, q))).toEqual([
        [
          [1, 1, 1],
          [2, 2, 2],
        ],
        [
          [3, 4, 5],
          [3, 4, 5],
        ],
      ]);
      expect([p.grad!.toArray(), q.grad!.toArray()]).toEqual([
        [[6], [15]],
        [5, 7, 9],
      ]);
      expect(wg.broadcastTensors()).toEqual([]);
      expect(wg.broadcastShapes([2, 1], [3], 1)).toEqual([2, 3]);
      expect(wg.broadcastShapes([5, 1, 4], [3, 1])).toEqual([5, 3, 4]);
      expect(wg.broadcastShapes()).toEqual([]);
    });

    test('trilIndices, triuIndices: int32 [2, n] in row-major order', () => {
      const t = wg.trilIndices(3, 4, 1);
      expect([t.dtype, t.toArray()]).toEqual([
        'int32',
        [
          [0, 0, 1, 1, 1, 2, 2, 2, 2],
          [0, 1, 0, 1, 2, 0, 1, 2, 3],
        ],
      ]);
      expect(wg.triuIndices(3, 4, -1).toArray()).toEqual([
        [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2],
        [0, 1, 2, 3, 0, 1, 2, 3, 1, 2, 3],
      ]);
      expect(wg.trilIndices(4, 3, -1).toArray()).toEqual([
        [1, 2, 2, 3, 3, 3],
        [0, 0, 1, 0, 1, 2],
      ]);
      expect(wg.triuIndices(3, 3).toArray()).toEqual([
        [0, 0, 0, 1, 1, 2],
        [0, 1, 2, 1, 2, 2],
      ]);
      expect(wg.triuIndices(2, 5, 3).toArray()).toEqual([
        [0, 0, 1],
        [3, 4, 4],
      ]);
      expect(wg.trilIndices(2, 2, -5).shape).toEqual([2, 0]);
      expect(wg.trilIndices(0, 4).shape).toEqual([2, 0]);
      expect(wg.triuIndices(2, 2, 0, { dtype: 'float32' }).dtype).toBe('float32');
    });
  });
}

test('inside wg.compile: view, rot90, diagEmbed, vander, blockDiag, combinations, tensorSplit replay as they run eagerly, fast', () => {
  wg.setBackend('wasm');
  const run = (compiled: boolean) => {
    const w = wg.tensor([1, -2, 3, 0.5], { requiresGrad: true });
    const body = (x: wg.Tensor) => {
      const a = x.mul(w).view(2, -1).rot90(1, [1, 0]);
      const b = wg.diagEmbed(wg.vander(w, { N: 3 }).sum(1), { offset: 1 });
      const [c, d] = wg.tensorSplit(wg.combinations(w).prod(1), [2]);
      const loss = wg.blockDiag(a, b).sum().add(c.sum()).add(d.mul(d).sum());
      loss.backward();
      return loss;
    };
    const step = compiled ? wg.compile(body) : body;
    const out = [
      [1, 2, 3, 4],
      [0.5, 0, -1, 2],
      [3, 3, 3, 3],
    ].map((v) => {
      const loss = step(wg.tensor(v)).item();
      const grad = Array.from(w.grad!.data());
      w.grad = null;
      return [loss, ...grad];
    });
    return { out, modes: compiled ? (step as ReturnType<typeof wg.compile>).replayInfo().map((r) => r.mode) : null };
  };
  const compiled = run(true);
  expect(compiled.out).toEqual(run(false).out);
  expect(compiled.modes).toEqual(['fast']);
});

describe('PyTorch parity shapes: errors', () => {
  beforeAll(() => wg.setBackend('wasm'));

  test('view, facts, new*, random fills', () => {
    expect(() => wg.arange(6).view(4, -1)).toThrow('wasmgrad.view: cannot reshape a tensor of shape [6] (6 elements) into [4, -1]');
    expect(() => wg.arange(6).view(-1, -1)).toThrow('wasmgrad.view: only one dimension can be -1, got [-1, -1] (tensor of shape [6])');
    expect(() => wg.arange(6).view(2.5)).toThrow('wasmgrad.view: shape must be an array of integers ≥ -1, got 2.5 (tensor of shape [6])');
    expect(() => wg.arange(6).view('int32')).toThrow(
      'wasmgrad.view: view(dtype) reinterprets the bits, which wasmgrad does not support (got "int32" for a float32 tensor [6]); to(dtype) converts the values',
    );
    expect(() => wg.arange(6).view('int32')).toThrow(wg.DTypeError);
    expect(() => m(2).viewAs([2] as never)).toThrow(/wasmgrad\.viewAs: other must be a Tensor/);
    expect(() => wg.view(null as never, [1])).toThrow(/wasmgrad\.view: input must be a Tensor/);
    expect(() => m(2).type('float64')).toThrow(
      "wasmgrad.type: unknown type \"float64\" (wasmgrad tensors are 'float32' ('torch.FloatTensor') or 'int32' ('torch.IntTensor'); tensor of shape [2])",
    );
    expect(() => wg.tensor(1).stride(0)).toThrow('wasmgrad.stride: a 0-d tensor has no dim 0 (stride() gives [])');
    expect(() => m(2).stride(1)).toThrow('wasmgrad.stride: dim 1 is out of range for a tensor of shape [2] (expected an integer in [-1, 0])');
    expect(() => m(2).stride(0.5)).toThrow(wg.ValueError);
    expect(() => wg.numel([1] as never)).toThrow(/wasmgrad\.numel: input must be a Tensor/);
    expect(() => wg.isFloatingPoint(1 as never)).toThrow(/wasmgrad\.isFloatingPoint: input must be a Tensor/);
    expect(() => m(2).newZeros([-1])).toThrow(/wasmgrad\.zeros: shape must be an array of non-negative integers/);
    expect(() => m(2).newOnes([1], { device: 'cpu' } as never)).toThrow("wasmgrad.newOnes: unknown option 'device'");
    expect(() => m(2).newZeros(2, -1)).toThrow(/wasmgrad\.zeros: shape must be an array of non-negative integers/);
    expect(() => m(2).newOnes(2, 3, { device: 'cpu' } as never)).toThrow("wasmgrad.newOnes: unknown option 'device'");
    expect(() => m(2).newFull([1], 1.5, { dtype: 'int32' })).toThrow(/wasmgrad\.full: int32 data must be 32-bit integers, got 1.5/);
    expect(() => ints([1]).newTensor([1.5])).toThrow(/wasmgrad\.tensor: int32 data must be 32-bit integers, got 1.5/);
    expect(() => ints([1, 2]).uniform_()).toThrow(
      'wasmgrad.uniform_: fills float32 tensors only, got an int32 tensor [2] (as PyTorch, which has no integer kernel)',
    );
    expect(() => ints([1, 2]).normal_()).toThrow(wg.DTypeError);
    expect(() => m(2).uniform_(2, 1)).toThrow('wasmgrad.uniform_: expects from ≤ to, got from = 2, to = 1');
    expect(() => m(2).uniform_(0, Infinity)).toThrow('wasmgrad.uniform_: to must be a finite number, got Infinity');
    expect(() => m(2).normal_(0, -1)).toThrow('wasmgrad.normal_: expects std ≥ 0, got -1');
    expect(() => m(2).normal_(NaN)).toThrow('wasmgrad.normal_: mean must be a finite number, got NaN');
    expect(() => m(2).bernoulli_(1.5)).toThrow('wasmgrad.bernoulli_: p must be a number in [0, 1] or a tensor of probabilities, got 1.5');
  });

  test('shape functions', () => {
    expect(() => wg.ravel(1 as never)).toThrow(/wasmgrad\.ravel: input must be a Tensor/);
    expect(() => wg.atleast2d([])).toThrow('wasmgrad.atleast2d: expects a non-empty array of tensors, got []');
    expect(() => wg.atleast3d([m(1), 2 as never])).toThrow(/wasmgrad\.atleast3d: tensors\[1\] must be a Tensor/);
    expect(() => wg.atleast1d(null as never)).toThrow(/wasmgrad\.atleast1d: input must be a Tensor/);
    expect(() => wg.dstack([])).toThrow('wasmgrad.dstack: expects a non-empty array of tensors, got []');
    expect(() => wg.columnStack([m(2), m(3)])).toThrow(/wasmgrad\.cat: /);
    expect(() => wg.tensorSplit(m(7), 0)).toThrow('wasmgrad.tensorSplit: sections must be an integer ≥ 1 or an array of indices, got 0 (tensor of shape [7])');
    expect(() => wg.tensorSplit(m(7), [1.5])).toThrow('wasmgrad.tensorSplit: indices must be integers, got [1.5] (tensor of shape [7])');
    expect(() => wg.tensorSplit(wg.tensor(1), 1)).toThrow('wasmgrad.tensorSplit: expects a tensor with at least 1 dim, got a 0-d tensor');
    expect(() => wg.tensorSplit(m(7), 2 ** 31)).toThrow(
      'wasmgrad.tensorSplit: sections must be at most 16777216 (one tensor per piece), got 2147483648 (tensor of shape [7])',
    );
    expect(() => wg.tensorSplit(m(7), wg.tensor([1.5]))).toThrow(
      'wasmgrad.tensorSplit: indicesOrSections must be an int32 tensor (or a number or an array), got a float32 tensor [1]',
    );
    expect(() => wg.tensorSplit(m(7), ints([[1]]))).toThrow('wasmgrad.tensorSplit: indicesOrSections must be a 0-d or 1-D int32 tensor, got shape [1, 1]');
    expect(() => wg.tensorSplit(m(2, 3), 2, 2)).toThrow(
      'wasmgrad.tensorSplit: dim 2 is out of range for a tensor of shape [2, 3] (expected an integer in [-2, 1])',
    );
    expect(() => m(3, 4).hsplit(3)).toThrow(
      'wasmgrad.hsplit: cannot split dim 1 of size 4 into 3 equal sections (tensor of shape [3, 4]; tensorSplit allows unequal ones)',
    );
    expect(() => m(3, 4).hsplit(0)).toThrow(/wasmgrad\.hsplit: cannot split dim 1 of size 4 into 0 equal sections/);
    expect(() => wg.hsplit(wg.tensor(1), 1)).toThrow('wasmgrad.hsplit: expects a tensor with at least 1 dim, got shape []');
    expect(() => wg.vsplit(m(3), 3)).toThrow('wasmgrad.vsplit: expects a tensor with at least 2 dims, got shape [3]');
    expect(() => wg.dsplit(m(3, 4), 2)).toThrow('wasmgrad.dsplit: expects a tensor with at least 3 dims, got shape [3, 4]');
    expect(() => wg.vsplit(m(3, 2), [1, 'a'] as never)).toThrow(/wasmgrad\.vsplit: indices must be integers/);
    expect(() => wg.fliplr(m(3))).toThrow('wasmgrad.fliplr: expects a tensor with at least 2 dims, got shape [3]');
    expect(() => wg.flipud(wg.tensor(1))).toThrow('wasmgrad.flipud: expects a tensor with at least 1 dim, got a 0-d tensor');
    expect(() => wg.rot90(m(3))).toThrow('wasmgrad.rot90: expects a tensor with at least 2 dims, got shape [3]');
    expect(() => wg.rot90(m(2, 2), 1, [0])).toThrow('wasmgrad.rot90: dims must be an array of 2 dims, got [0] (tensor of shape [2, 2])');
    expect(() => wg.rot90(m(2, 2), 1, [0, -2])).toThrow('wasmgrad.rot90: the two rotation dims must be different, got [0, -2] (tensor of shape [2, 2])');
    expect(() => wg.rot90(m(2, 2), 1, [0, 2])).toThrow('wasmgrad.rot90: dim 2 is out of range for a tensor of shape [2, 2] (expected an integer in [-2, 1])');
    expect(() => wg.rot90(m(2, 2), 0.5)).toThrow('wasmgrad.rot90: k must be an integer, got 0.5 (tensor of shape [2, 2])');
    expect(() => ints([[1]]).rot90(1, [1, 1])).toThrow(/wasmgrad\.rot90: the two rotation dims must be different/);
    expect(() => wg.diagEmbed(wg.tensor(1))).toThrow(
      'wasmgrad.diagEmbed: expects a tensor with at least 1 dim (the diagonals are its last dim), got a 0-d tensor',
    );
    expect(() => wg.diagEmbed(m(2, 2), { dim1: 1, dim2: 1 })).toThrow(
      'wasmgrad.diagEmbed: dim1 and dim2 must be different dims of the result, got 1 and 1 (tensor of shape [2, 2])',
    );
    expect(() => wg.diagEmbed(m(2, 2), { dim1: 3 })).toThrow(
      'wasmgrad.diagEmbed: dim 3 is out of range for a tensor of shape [2, 2] (expected an integer in [-3, 2])',
    );
    expect(() => wg.diagEmbed(m(2), { offset: 0.5 })).toThrow('wasmgrad.diagEmbed: offset must be an integer, got 0.5 (tensor of shape [2])');
    expect(() => wg.diagEmbed(m(2), { dim: 0 } as never)).toThrow("wasmgrad.diagEmbed: unknown option 'dim'");
    expect(() => wg.diagflat(m(2), 0.5)).toThrow(/wasmgrad\.diag: diagonal must be an integer, got 0.5/);
    expect(() => wg.vander(m(2, 2))).toThrow('wasmgrad.vander: expects a 1-D tensor, got shape [2, 2]');
    expect(() => wg.vander(m(2), { N: -1 })).toThrow('wasmgrad.vander: N must be an integer ≥ 0, got -1 (x of shape [2])');
    expect(() => wg.vander(m(2), { increasing: 1 } as never)).toThrow('wasmgrad.vander: increasing must be a boolean, got 1');
    expect(() => wg.blockDiag(m(2, 2, 2))).toThrow('wasmgrad.blockDiag: expects tensors of at most 2 dims, got tensors[0] of shape [2, 2, 2]');
    expect(() => wg.blockDiag(m(2), 3 as never)).toThrow(/wasmgrad\.blockDiag: tensors\[1\] must be a Tensor/);
    expect(() => wg.cartesianProd()).toThrow('wasmgrad.cartesianProd: expects a non-empty array of tensors, got []');
    expect(() => wg.cartesianProd(m(2, 2))).toThrow('wasmgrad.cartesianProd: expects 1-D tensors, got tensors[0] of shape [2, 2]');
    expect(() => wg.cartesianProd(m(2), ints([1]))).toThrow(/wasmgrad\.meshgrid: expects tensors of one dtype, got float32 and int32/);
    expect(() => wg.combinations(m(2, 2))).toThrow('wasmgrad.combinations: expects a 1-D tensor, got shape [2, 2]');
    expect(() => wg.combinations(m(3), { r: -1 })).toThrow('wasmgrad.combinations: r must be an integer ≥ 0, got -1');
    expect(() => wg.combinations(m(3), { withReplacement: 'yes' } as never)).toThrow('wasmgrad.combinations: withReplacement must be a boolean, got "yes"');
    expect(() => wg.combinations(m(3), { k: 2 } as never)).toThrow("wasmgrad.combinations: unknown option 'k'");
    expect(() => wg.combinations(m(100000), { r: 3 })).toThrow(
      'wasmgrad.combinations: 166661666700000 combinations of 3 of 100000 elements are too many (more than 2^31 - 1 indices)',
    );
    expect(() => wg.broadcastShapes([2], [3])).toThrow('wasmgrad.broadcastShapes: shapes [2] and [3] cannot be broadcast together (dim 0: 2 vs 3)');
    expect(() => wg.broadcastShapes([2, -1])).toThrow(/wasmgrad\.broadcastShapes: shapes\[0\] must be an array of non-negative integers, got \[2, -1\]/);
    expect(() => wg.broadcastTensors(m(2, 1), m(3, 2))).toThrow(
      'wasmgrad.broadcastTensors: shapes [2, 1] and [3, 2] cannot be broadcast together (dim 0: 2 vs 3)',
    );
    expect(() => wg.broadcastTensors(m(2), [1] as never)).toThrow(/wasmgrad\.broadcastTensors: tensors\[1\] must be a Tensor/);
  });

  test('index and value factories', () => {
    expect(() => wg.trilIndices(-1, 4)).toThrow('wasmgrad.trilIndices: row must be an integer ≥ 0, got -1');
    expect(() => wg.triuIndices(2, 1.5)).toThrow('wasmgrad.triuIndices: col must be an integer ≥ 0, got 1.5');
    expect(() => wg.triuIndices(2, 2, 0.5)).toThrow('wasmgrad.triuIndices: offset must be an integer, got 0.5');
    expect(() => wg.trilIndices(2, 2, 0, { dtype: 'int64' } as never)).toThrow(/wasmgrad\.trilIndices: unknown dtype "int64"/);
    expect(() => wg.logspace(0, 1, -1)).toThrow('wasmgrad.logspace: steps must be a non-negative integer, got -1');
    expect(() => wg.logspace(NaN, 1, 2)).toThrow('wasmgrad.logspace: start must be a finite number, got NaN');
    expect(() => wg.logspace(0, 1, 2, Infinity)).toThrow('wasmgrad.logspace: base must be a finite number, got Infinity');
    expect(() => wg.logspace(0, 1, 2, 10, { dtype: 'int32' })).toThrow(/wasmgrad\.logspace: makes float32 tensors, got dtype "int32"/);
  });
});
