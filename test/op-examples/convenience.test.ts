/**
 * The PyTorch conveniences (src/api/convenience.ts, src/ops/convenience.ts) on both backends:
 * values and gradients computed by PyTorch 1.13 (written here as literals; the gradients are of
 * Σ w·y with w = 1, 2, 3, … over y's elements), the float specials, int32 inputs, and every error.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const BACKENDS = ['wasm', 'reference'] as const;
const vals = (t: wg.Tensor) => Array.from(t.data());
const leaf = (data: wg.NestedArray) => wg.tensor(data, { requiresGrad: true });
const ints = (data: wg.NestedArray) => wg.tensor(data, { dtype: 'int32' });
const F32_MAX = 3.4028234663852886e38;

/** y's values, then backward of Σ w·y with w = 1, 2, 3, … (PyTorch's examples below use the same seed). */
function weighted(y: wg.Tensor): wg.NestedArray | number {
  const w = wg.arange(1, y.size + 1).reshape(y.shape);
  y.mul(w).sum().backward();
  return y.toArray();
}
const close = (got: number[] | wg.NestedArray | number, want: number[] | wg.NestedArray | number, digits = 5) => {
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
  const [g, w] = [flat(got), flat(want)];
  expect(g.length).toBe(w.length);
  g.forEach((x, i) => expect(x).toBeCloseTo(w[i], digits));
};

for (const be of BACKENDS) {
  describe(`PyTorch conveniences on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('mm, bmm, mv, dot, outer: values and gradients as torch', () => {
      let a = leaf([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      let b = leaf([
        [1, 0],
        [0, 1],
        [2, -1],
      ]);
      expect(weighted(a.mm(b))).toEqual([
        [7, -1],
        [16, -1],
      ]);
      expect(a.grad!.toArray()).toEqual([
        [1, 2, 0],
        [3, 4, 2],
      ]);
      expect(b.grad!.toArray()).toEqual([
        [13, 18],
        [17, 24],
        [21, 30],
      ]);
      a = leaf([[[1, 2]], [[3, 4]]]);
      b = leaf([
        [[1], [2]],
        [[-1], [0.5]],
      ]);
      expect(weighted(wg.bmm(a, b))).toEqual([[[5]], [[-1]]]);
      expect(vals(a.grad!)).toEqual([1, 2, -2, 1]);
      expect(vals(b.grad!)).toEqual([1, 2, 6, 8]);
      a = leaf([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      b = leaf([0.5, -1]);
      expect(weighted(a.mv(b))).toEqual([-1.5, -2.5, -3.5]);
      expect(vals(a.grad!)).toEqual([0.5, -1, 1, -2, 1.5, -3]);
      expect(vals(b.grad!)).toEqual([22, 28]);
      a = leaf([1, 2, 3]);
      b = leaf([4, -5, 6]);
      const d = wg.dot(a, b);
      expect(d.shape).toEqual([]);
      expect(weighted(d)).toBe(12);
      expect(vals(a.grad!)).toEqual([4, -5, 6]);
      expect(vals(b.grad!)).toEqual([1, 2, 3]);
      a = leaf([1, 2]);
      b = leaf([3, 4, 5]);
      expect(weighted(a.outer(b))).toEqual([
        [3, 4, 5],
        [6, 8, 10],
      ]);
      expect(vals(a.grad!)).toEqual([26, 62]);
      expect(vals(b.grad!)).toEqual([9, 12, 15]);
      expect(wg.mm(wg.zeros([0, 3]), wg.zeros([3, 2])).shape).toEqual([0, 2]);
      expect(wg.dot(wg.zeros([0]), wg.zeros([0])).item()).toBe(0);
    });

    test('isnan, isinf, isfinite: float32 masks, int32 all finite', () => {
      const x = wg.tensor([NaN, Infinity, -Infinity, 0, -2.5, F32_MAX]);
      expect(vals(x.isnan())).toEqual([1, 0, 0, 0, 0, 0]);
      expect(vals(wg.isinf(x))).toEqual([0, 1, 1, 0, 0, 0]);
      expect(vals(x.isfinite())).toEqual([0, 0, 0, 1, 1, 1]);
      expect(x.isnan().dtype).toBe('float32');
      const i = ints([[1, -2, 3]]);
      for (const [f, want] of [
        [wg.isnan, 0],
        [wg.isinf, 0],
        [wg.isfinite, 1],
      ] as const) {
        const m = f(i);
        expect(m.dtype).toBe('float32');
        expect(m.shape).toEqual([1, 3]);
        expect(vals(m)).toEqual([want, want, want]);
      }
      expect(wg.isnan(leaf([1, NaN])).requiresGrad).toBe(false);
      // no primitive inside writes NaN or ±∞, so they run under the finiteness checks
      wg.setDebug({ checkFinite: true });
      try {
        expect(vals(x.isinf().add(x.isnan()).add(x.isfinite()))).toEqual([1, 1, 1, 1, 1, 1]);
        expect(vals(wg.nanToNum(x))).toEqual([0, F32_MAX, -F32_MAX, 0, -2.5, F32_MAX]);
        expect(vals(wg.isclose(x, x, { equalNan: true }))).toEqual([1, 1, 1, 1, 1, 1]);
      } finally {
        wg.setDebug({ checkFinite: false });
      }
    });

    test('nanToNum: defaults of float32, replacements, gradient 1 where kept', () => {
      expect(vals(wg.nanToNum(wg.tensor([NaN, Infinity, -Infinity, 1.5])))).toEqual([0, F32_MAX, -F32_MAX, 1.5]);
      const x = leaf([NaN, Infinity, -Infinity, 2.5]);
      expect(weighted(x.nanToNum({ nan: -1, posinf: 100 }))).toEqual([-1, 100, -F32_MAX, 2.5]);
      expect(vals(x.grad!)).toEqual([0, 0, 0, 4]);
      const i = ints([3, -4]);
      const c = wg.nanToNum(i);
      expect(c).not.toBe(i);
      expect([c.dtype, ...vals(c)]).toEqual(['int32', 3, -4]);
    });

    test('isclose, allclose, equal as torch', () => {
      // (no pair near the bound: the reference computes in float64, torch here in float32)
      const a = wg.tensor([1, Infinity, NaN, 1e10, 1, Infinity, 0, 1]);
      const b = wg.tensor([1.0001, Infinity, NaN, 1.000001e10, Infinity, -Infinity, 1e-8, 1.000001]);
      expect(vals(wg.isclose(a, b))).toEqual([0, 1, 0, 1, 0, 0, 1, 1]);
      expect(vals(wg.tensor([1, NaN, 2]).isclose(wg.tensor([1.1, NaN, 2.25]), { rtol: 0.1, atol: 0.01, equalNan: true }))).toEqual([1, 1, 0]);
      expect(
        wg
          .isclose(
            wg.tensor([
              [1, 2],
              [3, 4],
            ]),
            wg.tensor([1, 4]),
          )
          .toArray(),
      ).toEqual([
        [1, 0],
        [0, 1],
      ]);
      expect(vals(wg.isclose(ints([1, 2]), ints([1, 3])))).toEqual([1, 0]);
      expect(wg.allclose(wg.tensor([1, 2]), wg.tensor([1.000001, 2]))).toBe(true);
      expect(wg.tensor([1, 2]).allclose(wg.tensor([1.001, 2]))).toBe(false);
      expect(wg.allclose(wg.zeros([0]), wg.zeros([0]))).toBe(true);
      expect(wg.equal(ints([1, 2]), wg.tensor([1, 2]))).toBe(true);
      expect(wg.tensor([1, 2]).equal(wg.tensor([[1, 2]]))).toBe(false);
      expect(wg.equal(wg.tensor([1, 2]), wg.tensor([1, 3]))).toBe(false);
      expect(wg.equal(wg.tensor([NaN]), wg.tensor([NaN]))).toBe(false);
      expect(wg.equal(wg.zeros([2, 0]), wg.zeros([2, 0]))).toBe(true);
    });

    test('oneHot: int32 [..., C], C inferred as max + 1', () => {
      const h = wg.oneHot(
        ints([
          [0, 2],
          [1, 0],
        ]),
      );
      expect([h.dtype, h.shape]).toEqual(['int32', [2, 2, 3]]);
      expect(h.toArray()).toEqual([
        [
          [1, 0, 0],
          [0, 0, 1],
        ],
        [
          [0, 1, 0],
          [1, 0, 0],
        ],
      ]);
      expect(wg.oneHot(ints([3, 0]), 5).toArray()).toEqual([
        [0, 0, 0, 1, 0],
        [1, 0, 0, 0, 0],
      ]);
      expect(wg.oneHot(ints(2), 4).toArray()).toEqual([0, 0, 1, 0]);
      expect(wg.oneHot(wg.zeros([0], { dtype: 'int32' }), 3).shape).toEqual([0, 3]);
    });

    test('normalize: values and gradients as F.normalize, zero rows and eps', () => {
      let x = leaf([
        [3, 4],
        [0, 0],
        [1, -2],
      ]);
      close(weighted(wg.normalize(x)), [0.6, 0.8, 0, 0, 0.4472135901451111, -0.8944271802902222], 6);
      // the zero row: x / eps, so its gradient is w / eps
      const g = vals(x.grad!);
      close(g.slice(0, 2), [-0.06399999558925629, 0.04800000786781311], 5);
      expect(g[2] / 3e12).toBeCloseTo(1, 5);
      expect(g[3] / 4e12).toBeCloseTo(1, 5);
      close(g.slice(4), [2.8621668815612793, 1.4310834407806396], 5);
      x = leaf([
        [3, 4],
        [1, -2],
      ]);
      close(weighted(wg.normalize(x, { p: 1, dim: 0 })), [0.75, 0.6666666865348816, 0.25, -0.3333333432674408], 6);
      close(vals(x.grad!), [-0.125, 0.3333333432674408, 0.375, 0.6666666865348816], 5);
      x = leaf([
        [3, 4],
        [1, -2],
      ]);
      close(weighted(wg.normalize(x, { eps: 10 })), [0.3, 0.4, 0.1, -0.2], 6);
      close(vals(x.grad!), [0.1, 0.2, 0.3, 0.4], 6);
      close(wg.normalize(wg.tensor([3, 4]), { dim: 0 }).toArray(), [0.6, 0.8], 6);
    });

    test('diag, diagonal, trace: values and gradients as torch', () => {
      let x = leaf([1, 2]);
      expect(weighted(wg.diag(x, 1))).toEqual([
        [0, 1, 0],
        [0, 0, 2],
        [0, 0, 0],
      ]);
      expect(vals(x.grad!)).toEqual([2, 6]);
      x = leaf([1, 2]);
      expect(weighted(x.diag(-1))).toEqual([
        [0, 0, 0],
        [1, 0, 0],
        [0, 2, 0],
      ]);
      expect(vals(x.grad!)).toEqual([4, 8]);
      expect(wg.diag(wg.tensor([5])).toArray()).toEqual([[5]]);
      expect(wg.diag(wg.zeros([0]), 2).toArray()).toEqual([
        [0, 0],
        [0, 0],
      ]);
      x = leaf([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(weighted(wg.diag(x, 1))).toEqual([2, 6]);
      expect(x.grad!.toArray()).toEqual([
        [0, 1, 0],
        [0, 0, 2],
      ]);
      expect(wg.diag(wg.arange(12).reshape([3, 4]), -2).toArray()).toEqual([8]);
      expect(wg.diag(wg.arange(12).reshape([3, 4]), 5).shape).toEqual([0]);
      x = leaf(wg.arange(24).reshape([2, 3, 4]).toArray() as wg.NestedArray);
      expect(weighted(x.diagonal({ offset: -1, dim1: 2, dim2: 0 }))).toEqual([
        [1, 14],
        [5, 18],
        [9, 22],
      ]);
      expect(vals(x.grad!)).toEqual([0, 1, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 6, 0]);
      expect(wg.diagonal(wg.arange(24).reshape([2, 3, 4]), { offset: 1, dim1: 1, dim2: 2 }).toArray()).toEqual([
        [1, 6, 11],
        [13, 18, 23],
      ]);
      x = leaf([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const tr = x.trace();
      expect([tr.shape, weighted(tr)]).toEqual([[], 6]);
      expect(vals(x.grad!)).toEqual([1, 0, 0, 0, 1, 0]);
      const i = ints([
        [1, 2],
        [3, 4],
      ]);
      expect([wg.trace(i).dtype, wg.trace(i).item()]).toEqual(['int32', 5]);
      expect([wg.diag(i).dtype, ...vals(wg.diag(i))]).toEqual(['int32', 1, 4]);
      expect(vals(wg.diagonal(i, { offset: 1 }))).toEqual([2]);
    });

    test('select, repeatInterleave: values and gradients as torch, int32 exact', () => {
      let x = leaf([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(weighted(x.select(1, -1))).toEqual([3, 6]);
      expect(vals(x.grad!)).toEqual([0, 0, 1, 0, 0, 2]);
      expect(wg.select(wg.tensor([7, 8]), 0, 1).shape).toEqual([]);
      x = leaf([
        [1, 2],
        [3, 4],
      ]);
      expect(weighted(x.repeatInterleave(2, 1))).toEqual([
        [1, 1, 2, 2],
        [3, 3, 4, 4],
      ]);
      expect(vals(x.grad!)).toEqual([3, 7, 11, 15]);
      x = leaf([
        [1, 2],
        [3, 4],
      ]);
      expect(weighted(wg.repeatInterleave(x, 2))).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
      expect(vals(x.grad!)).toEqual([3, 7, 11, 15]);
      expect(wg.repeatInterleave(wg.tensor(5), 3).toArray()).toEqual([5, 5, 5]);
      expect(wg.repeatInterleave(wg.tensor([1, 2]), 0).shape).toEqual([0]);
      const big = 2 ** 30 + 1; // not a float32: an int32 copy stays exact
      const i = ints([
        [big, 2],
        [3, 4],
      ]);
      expect(i.repeatInterleave(2, 0).toArray()).toEqual([
        [big, 2],
        [big, 2],
        [3, 4],
        [3, 4],
      ]);
      expect(i.select(0, 0).toArray()).toEqual([big, 2]);
    });

    test('aliases: dim, t, long, where, expandAs, reshapeAs, typeAs, swapaxes, moveaxis, broadcastTo', () => {
      const x = wg.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect([x.dim(), wg.tensor(1).dim()]).toEqual([2, 0]);
      expect(x.t().toArray()).toEqual([
        [1, 4],
        [2, 5],
        [3, 6],
      ]);
      expect(wg.t(wg.tensor([1, 2])).toArray()).toEqual([1, 2]);
      expect(wg.tensor(3).t().shape).toEqual([]);
      const l = wg.tensor([1.7, -2.7]).long();
      expect([l.dtype, ...vals(l)]).toEqual(['int32', 1, -2]);
      expect(x.where(x.gt(3), wg.tensor(0)).toArray()).toEqual([
        [0, 0, 0],
        [4, 5, 6],
      ]);
      expect(wg.tensor([1, 2, 3]).expandAs(x).toArray()).toEqual([
        [1, 2, 3],
        [1, 2, 3],
      ]);
      expect(wg.arange(6).reshapeAs(x).shape).toEqual([2, 3]);
      expect(x.typeAs(ints([1])).dtype).toBe('int32');
      const y = wg.zeros([2, 3, 4]);
      expect(y.swapaxes(0, 2).shape).toEqual([4, 3, 2]);
      expect(wg.swapdims(y, -1, 1).shape).toEqual([2, 4, 3]);
      expect(wg.swapaxes(x, 0, 1).toArray()).toEqual(x.t().toArray());
      expect(y.moveaxis(0, -1).shape).toEqual([3, 4, 2]);
      expect(wg.broadcastTo(wg.tensor([1, 2, 3]), [2, 3]).toArray()).toEqual(wg.tensor([1, 2, 3]).expandAs(x).toArray());
      expect(x.broadcastTo([1, 2, 3]).shape).toEqual([1, 2, 3]);
    });

    test('in place: fill_, div_, clamp_ (inside noGrad for tensors that require grad)', () => {
      const x = wg.tensor([
        [1, 2],
        [3, 4],
      ]);
      expect(x.clamp_(1.5, 3.5)).toBe(x);
      expect(vals(x)).toEqual([1.5, 2, 3, 3.5]);
      expect(vals(x.div_(2))).toEqual([0.75, 1, 1.5, 1.75]);
      expect(vals(x.fill_(7))).toEqual([7, 7, 7, 7]);
      expect(vals(x.fill_(wg.tensor(-1)))).toEqual([-1, -1, -1, -1]);
      const i = ints([1, 5, 9]);
      expect(vals(i.clamp_(2, 6))).toEqual([2, 5, 6]);
      expect(i.dtype).toBe('int32');
      const w = leaf([1, 2]);
      wg.noGrad(() => w.div_(2).clamp_(null, 0.75).fill_(w.sum().div(2)));
      expect(vals(w)).toEqual([0.625, 0.625]);
      expect(() => w.fill_(0)).toThrow(/^wasmgrad\.fill_: a leaf tensor .* that requires grad .*noGrad/);
    });

    test('hstack, vstack, meshgrid, empty', () => {
      expect(wg.hstack([wg.tensor(1), wg.tensor([2, 3])]).toArray()).toEqual([1, 2, 3]);
      expect(
        wg
          .hstack([
            wg.tensor([[1], [2]]),
            wg.tensor([
              [3, 4],
              [5, 6],
            ]),
          ])
          .toArray(),
      ).toEqual([
        [1, 3, 4],
        [2, 5, 6],
      ]);
      expect(
        wg
          .vstack([
            wg.tensor([1, 2]),
            wg.tensor([
              [3, 4],
              [5, 6],
            ]),
          ])
          .toArray(),
      ).toEqual([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      expect(wg.vstack([wg.tensor(1), wg.tensor(2)]).toArray()).toEqual([[1], [2]]);
      const a = leaf([1, 2]);
      wg.hstack([a, a])
        .mul(wg.tensor([1, 2, 3, 4]))
        .sum()
        .backward();
      expect(vals(a.grad!)).toEqual([4, 6]);
      const [gx, gy] = wg.meshgrid([ints([1, 2, 3]), ints([4, 5])]);
      expect(gx.toArray()).toEqual([
        [1, 1],
        [2, 2],
        [3, 3],
      ]);
      expect(gy.toArray()).toEqual([
        [4, 5],
        [4, 5],
        [4, 5],
      ]);
      const xy = wg.meshgrid([ints([1, 2, 3]), ints([4, 5]), ints([7])], { indexing: 'xy' });
      expect(xy.map((g) => g.toArray())).toEqual([
        [
          [[1], [2], [3]],
          [[1], [2], [3]],
        ],
        [
          [[4], [4], [4]],
          [[5], [5], [5]],
        ],
        [
          [[7], [7], [7]],
          [[7], [7], [7]],
        ],
      ]);
      expect(wg.meshgrid([wg.tensor(1), wg.tensor([4, 5])]).map((g) => g.toArray())).toEqual([[[1, 1]], [[4, 5]]]);
      expect(wg.meshgrid([wg.tensor([1, 2, 3]), wg.tensor([4, 5]), wg.zeros([4])], { indexing: 'xy' }).map((g) => g.shape)).toEqual([
        [2, 3, 4],
        [2, 3, 4],
        [2, 3, 4],
      ]);
      const e = wg.empty([2, 3]);
      expect([e.shape, e.dtype, vals(e).every((v) => v === 0)]).toEqual([[2, 3], 'float32', true]);
      const el = wg.emptyLike(ints([1, 2]));
      expect([el.dtype, ...vals(el)]).toEqual(['int32', 0, 0]);
    });
  });
}

test('randperm: a permutation from the seeded stream, reproducible after manualSeed', () => {
  wg.manualSeed(3);
  const p = wg.randperm(50);
  expect(p.dtype).toBe('int32');
  const v = vals(p);
  expect([...v].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  expect(v).not.toEqual([...v].sort((a, b) => a - b));
  wg.manualSeed(3);
  expect(vals(wg.randperm(50))).toEqual(v);
  expect(vals(wg.randperm(50))).not.toEqual(v);
  expect(wg.randperm(0).shape).toEqual([0]);
  expect(vals(wg.randperm(1))).toEqual([0]);
  expect(wg.randperm(4, { dtype: 'float32' }).dtype).toBe('float32');
  // each of the 6 orders of 3 comes up (Fisher–Yates with unbiased draws: about 1 in 6 each)
  const seen = new Map<string, number>();
  for (let k = 0; k < 600; k++) {
    const key = vals(wg.randperm(3)).join();
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  expect(seen.size).toBe(6);
  for (const n of seen.values()) expect(n).toBeGreaterThan(60);
});

describe('convenience errors', () => {
  beforeAll(() => wg.setBackend('reference'));
  const m = (...shape: number[]) => wg.zeros(shape);

  test('products', () => {
    expect(() => wg.mm(m(2, 3), m(4, 5))).toThrow('wasmgrad.mm: shapes [2, 3] and [4, 5] cannot be multiplied (mat1 has 3 columns, mat2 has 4 rows)');
    expect(() => wg.mm(m(3), m(3, 5))).toThrow('wasmgrad.mm: expects two 2-D matrices, got shapes [3] and [3, 5]');
    expect(() => wg.bmm(m(2, 2, 3), m(3, 3, 5))).toThrow('wasmgrad.bmm: shapes [2, 2, 3] and [3, 3, 5] cannot be multiplied (batch sizes 2 and 3 differ)');
    expect(() => wg.bmm(m(2, 2, 3), m(2, 4, 5))).toThrow(/bmm: .*cannot be multiplied \(the matrices of batch1 have 3 columns, those of batch2 4 rows\)/);
    expect(() => wg.bmm(m(2, 3), m(3, 5))).toThrow('wasmgrad.bmm: expects two 3-D batches of matrices, got shapes [2, 3] and [3, 5]');
    expect(() => wg.mv(m(2, 3), m(4))).toThrow('wasmgrad.mv: shapes [2, 3] and [4] cannot be multiplied (the matrix has 3 columns, the vector 4 elements)');
    expect(() => wg.mv(m(2, 3), m(3, 1))).toThrow('wasmgrad.mv: expects a 2-D matrix and a 1-D vector, got shapes [2, 3] and [3, 1]');
    expect(() => wg.dot(m(2), m(3))).toThrow('wasmgrad.dot: shapes [2] and [3] cannot be multiplied (2 and 3 elements)');
    expect(() => wg.dot(m(2, 1), m(2, 1))).toThrow('wasmgrad.dot: expects two 1-D tensors, got shapes [2, 1] and [2, 1]');
    expect(() => wg.outer(m(2, 1), m(2))).toThrow('wasmgrad.outer: expects two 1-D tensors, got shapes [2, 1] and [2]');
    expect(() => wg.mm(ints([[1]]), m(1, 1))).toThrow(/wasmgrad\.mm: .*int32/);
    expect(() => wg.mm([[1]] as never, m(1, 1))).toThrow('wasmgrad.mm: input must be a Tensor');
    expect(() => wg.dot(m(1), 2 as never)).toThrow('wasmgrad.dot: other must be a Tensor');
  });

  test('masks, nanToNum, isclose, allclose, equal', () => {
    expect(() => wg.isnan(NaN as never)).toThrow('wasmgrad.isnan: input must be a Tensor');
    expect(() => wg.nanToNum(m(2), { nan: 'x' as never })).toThrow('wasmgrad.nanToNum: nan must be a number, got "x" (x of shape [2])');
    expect(() => wg.nanToNum(m(2), { inf: 1 } as never)).toThrow("wasmgrad.nanToNum: unknown option 'inf'");
    expect(() => wg.isclose(m(2), m(2), { rtol: -1 })).toThrow('wasmgrad.isclose: rtol must be a number ≥ 0, got -1');
    expect(() => wg.isclose(m(2), m(2), { atol: NaN })).toThrow('wasmgrad.isclose: atol must be a number ≥ 0, got NaN');
    expect(() => wg.isclose(m(2), m(2), { equalNan: 1 as never })).toThrow('wasmgrad.isclose: equalNan must be a boolean, got 1');
    expect(() => wg.isclose(m(2), m(3))).toThrow(/wasmgrad\.isclose: .*\[2\].*\[3\]/);
    expect(() => wg.allclose(m(2), m(2), { rtol: -1 })).toThrow('wasmgrad.allclose: rtol must be a number ≥ 0, got -1');
    expect(() => wg.allclose(m(2), m(2), { tol: 1 } as never)).toThrow("wasmgrad.allclose: unknown option 'tol'");
    expect(() => wg.equal(m(2), [0, 0] as never)).toThrow('wasmgrad.equal: other must be a Tensor');
  });

  test('oneHot, normalize, randperm', () => {
    expect(() => wg.oneHot(ints([0, 2, -1]))).toThrow('wasmgrad.oneHot: index -1 at position [2] of indices [3] is out of range for 3 classes (valid: 0..2)');
    expect(() => wg.oneHot(ints([0, 3]), 3)).toThrow('wasmgrad.oneHot: index 3 at position [1] of indices [2] is out of range for 3 classes (valid: 0..2)');
    expect(() => wg.oneHot(ints([0, 1]), 0)).toThrow(/oneHot: index 0 .* out of range for 0 classes \(valid: none, it is empty\)/);
    expect(() => wg.oneHot(wg.zeros([0], { dtype: 'int32' }))).toThrow(
      'wasmgrad.oneHot: cannot infer the number of classes from empty labels [0]: pass numClasses',
    );
    expect(() => wg.oneHot(wg.tensor([1]))).toThrow('wasmgrad.oneHot: labels must be an int32 tensor of class indices, got float32 [1]');
    expect(() => wg.oneHot(ints([1]), -2)).toThrow('wasmgrad.oneHot: numClasses must be an integer ≥ 0, or -1 (max label + 1), got -2');
    expect(() => wg.oneHot(ints([1]), 2.5)).toThrow(/oneHot: numClasses must be .* got 2.5/);
    expect(() => wg.normalize(m(3))).toThrow('wasmgrad.normalize: dim 1 is out of range for a tensor of shape [3] (expected an integer in [-1, 0])');
    expect(() => wg.normalize(m(2, 3), { p: 'x' as never })).toThrow('wasmgrad.normalize: p must be a number, got "x" (x of shape [2, 3])');
    expect(() => wg.normalize(m(2, 3), { eps: -1 })).toThrow('wasmgrad.normalize: eps must be a number ≥ 0, got -1 (x of shape [2, 3])');
    expect(() => wg.normalize(m(2, 3), { axis: 0 } as never)).toThrow("wasmgrad.normalize: unknown option 'axis'");
    expect(() => wg.normalize(ints([[1]]))).toThrow(/wasmgrad\.normalize: .*int32/);
    expect(() => wg.randperm(-1)).toThrow('wasmgrad.randperm: n must be an integer in [0, 2^31 - 1], got -1');
    expect(() => wg.randperm(2.5)).toThrow('wasmgrad.randperm: n must be an integer in [0, 2^31 - 1], got 2.5');
    expect(() => wg.randperm(3, { dtype: 'int64' as never })).toThrow(/wasmgrad\.randperm: .*dtype/);
    expect(() => wg.randperm(3, { shape: [3] } as never)).toThrow("wasmgrad.randperm: unknown option 'shape'");
  });

  test('diag, diagonal, trace, select, repeatInterleave', () => {
    expect(() => wg.diag(m(2, 3, 4))).toThrow('wasmgrad.diag: expects a 1-D or 2-D tensor, got shape [2, 3, 4]');
    expect(() => wg.diag(m(0))).not.toThrow();
    expect(() => wg.diag(m(2), 1.5)).toThrow('wasmgrad.diag: diagonal must be an integer, got 1.5 (tensor of shape [2])');
    expect(() => wg.diag(m(2, 2), 1.5)).toThrow('wasmgrad.diag: offset must be an integer, got 1.5 (tensor of shape [2, 2])');
    expect(() => wg.diagonal(m(3, 3), { dim1: 1, dim2: 1 })).toThrow(
      'wasmgrad.diagonal: dim1 and dim2 must be different dims, got 1 and 1 (tensor of shape [3, 3])',
    );
    expect(() => wg.diagonal(m(3))).toThrow('wasmgrad.diagonal: dim 1 is out of range for a tensor of shape [3] (expected an integer in [-1, 0])');
    expect(() => wg.diagonal(m(3, 3), { dim: 0 } as never)).toThrow("wasmgrad.diagonal: unknown option 'dim'");
    expect(() => wg.trace(m(2, 3, 4))).toThrow('wasmgrad.trace: expects a 2-D matrix, got shape [2, 3, 4]');
    expect(() => wg.trace(ints([1]))).toThrow('wasmgrad.trace: expects a 2-D matrix, got shape [1]');
    expect(() => wg.select(m(2, 3), 1, 3)).toThrow('wasmgrad.select: index 3 is out of range for dim 1 of size 3 (tensor of shape [2, 3]; valid: -3..2)');
    expect(() => wg.select(m(2, 3), 0, -3)).toThrow(/select: index -3 is out of range for dim 0 of size 2 .*valid: -2\.\.1/);
    expect(() => wg.select(m(2, 3), 2, 0)).toThrow('wasmgrad.select: dim 2 is out of range for a tensor of shape [2, 3] (expected an integer in [-2, 1])');
    expect(() => wg.select(wg.tensor(1), 0, 0)).toThrow('wasmgrad.select: cannot be applied to a 0-d tensor (it has no dims)');
    expect(() => ints([1, 2]).select(0, 2)).toThrow(/wasmgrad\.select: index 2 is out of range/);
    expect(() => wg.repeatInterleave(m(2), -1)).toThrow('wasmgrad.repeatInterleave: repeats must be an integer ≥ 0, got -1 (tensor of shape [2])');
    expect(() => wg.repeatInterleave(m(2), 1.5)).toThrow(/repeatInterleave: repeats must be an integer ≥ 0, got 1.5/);
    expect(() => wg.repeatInterleave(wg.tensor(1), 2, 0)).toThrow('wasmgrad.repeatInterleave: a 0-d tensor has no dim 0 to repeat along (leave dim out)');
    expect(() => wg.repeatInterleave(m(2, 2), 2, 2)).toThrow(
      'wasmgrad.repeatInterleave: dim 2 is out of range for a tensor of shape [2, 2] (expected an integer in [-2, 1])',
    );
  });

  test('aliases, in place, joins, grids', () => {
    expect(() => wg.t(m(2, 3, 4))).toThrow('wasmgrad.t: expects a tensor with at most 2 dims, got shape [2, 3, 4] (use transpose(d0, d1) or permute)');
    expect(() => m(2, 3).swapaxes(0, 2)).toThrow('wasmgrad.swapaxes: dim 2 is out of range for a tensor of shape [2, 3] (expected an integer in [-2, 1])');
    expect(() => wg.swapaxes(m(2, 3), 0, undefined as never)).toThrow('wasmgrad.swapaxes: dim must be an integer, got undefined (tensor of shape [2, 3])');
    expect(() => m(2, 2).fill_(wg.tensor([1, 2]))).toThrow('wasmgrad.fill_: the value must be a number or a 0-d tensor, got a tensor of shape [2]');
    // (torch truncates 1.5 here; wasmgrad refuses fractional int32 data, see README)
    expect(() => ints([1, 2]).fill_(1.5)).toThrow(/^wasmgrad\.fill_: an int32 tensor can only be filled with a 32-bit integer, got 1.5/);
    // true division gives float32 (torch: "result type Float can't be cast to the desired output type Int"); floor division stays int32
    expect(() => ints([1, 2]).div_(2)).toThrow('wasmgrad.div_: the result is float32, which cannot be written into this int32 tensor [2]');
    expect(ints([3, -3]).div_(2, { roundingMode: 'floor' }).toArray()).toEqual([1, -2]);
    // torch: "result type Float can't be cast to the desired output type int"
    expect(() => ints([1, 2]).clamp_(0.5, 1.5)).toThrow('wasmgrad.clamp_: the result is float32, which cannot be written into this int32 tensor [2]');
    expect(() => ints([1, 2]).add_(0.5)).toThrow('wasmgrad.add_: the result is float32, which cannot be written into this int32 tensor [2]');
    expect(() => ints([1, 2]).mul_(wg.tensor([1, 2]))).toThrow(/wasmgrad\.mul_: the result is float32/);
    expect(() => ints([1, 2]).sub_(wg.tensor([1, 2]))).toThrow(/wasmgrad\.sub_: the result is float32/);
    // torch.zeros(2).add_(torch.tensor([1, 2], dtype=torch.int32)) → [1., 2.]; int32 + an integer stays int32
    expect(
      wg
        .zeros([2])
        .add_(ints([1, 2]))
        .toArray(),
    ).toEqual([1, 2]);
    expect(ints([1, 2]).add_(2).toArray()).toEqual([3, 4]);
    // torch: "a leaf Variable that requires grad is being used in an in-place operation."
    expect(() => leaf([1]).div_(2)).toThrow(/^wasmgrad\.div_: a leaf tensor \[1\] that requires grad is being used in an in-place operation/);
    expect(() => leaf([1]).clamp_(0, 1)).toThrow(/^wasmgrad\.clamp_: a leaf tensor \[1\] that requires grad/);
    expect(() => wg.hstack([])).toThrow('wasmgrad.hstack: expects a non-empty array of tensors, got []');
    expect(() => wg.vstack([m(1), 3 as never])).toThrow('wasmgrad.vstack: tensors[1] must be a Tensor, got 3');
    expect(() => wg.vstack([m(2), m(3)])).toThrow(/wasmgrad\.cat: .*\[1, 2\].*\[1, 3\]/);
    expect(() => wg.meshgrid([m(2, 2)])).toThrow('wasmgrad.meshgrid: expects 0-d or 1-D tensors, got tensors[0] of shape [2, 2]');
    expect(() => wg.meshgrid([m(2), ints([1])])).toThrow('wasmgrad.meshgrid: expects tensors of one dtype, got float32 and int32 (tensors[1])');
    expect(() => wg.meshgrid([m(2)], { indexing: 'yx' as never })).toThrow(`wasmgrad.meshgrid: indexing must be 'ij' or 'xy', got "yx"`);
    expect(() => (wg.meshgrid as (...a: unknown[]) => unknown)()).toThrow(/wasmgrad\.meshgrid: expects a non-empty array of tensors/);
    // torch's varargs form: meshgrid(x, y, {indexing}) as meshgrid([x, y], {indexing})
    expect(wg.meshgrid(m(2), ints([1, 2]).to('float32'), { indexing: 'xy' }).map((g) => g.toArray())).toEqual(
      wg.meshgrid([m(2), ints([1, 2]).to('float32')], { indexing: 'xy' }).map((g) => g.toArray()),
    );
    expect(() => wg.meshgrid(m(2), { indexing: 'xy' }, m(2))).toThrow(/wasmgrad\.meshgrid: takes tensors then one options object/);
    expect(() => wg.empty([-1])).toThrow(/wasmgrad\.empty: .*shape/);
    expect(() => wg.emptyLike([1] as never)).toThrow(/wasmgrad\.zerosLike: /);
  });
});

test('inside wg.compile: oneHot, mm, normalize, diagonal and isfinite replay as they run eagerly', () => {
  wg.setBackend('wasm');
  const run = (compiled: boolean) => {
    const w = wg.tensor([[1, 2, 3]], { requiresGrad: true });
    const body = (labels: wg.Tensor, x: wg.Tensor) => {
      const h = wg.oneHot(labels, 3).float();
      const loss = wg
        .normalize(x.mm(w).add(h.mul(w)))
        .diagonal()
        .sum()
        .add(wg.isfinite(x).sum());
      loss.backward();
      return loss;
    };
    const step = compiled ? wg.compile(body) : body;
    return [
      [0, 1],
      [2, 2],
      [1, 0],
    ].map((l) => {
      const loss = step(ints(l), wg.tensor([[1], [2]])).item();
      const grad = vals(w.grad!);
      w.grad = null;
      return [loss, ...grad];
    });
  };
  expect(run(true)).toEqual(run(false));
  const step = wg.compile((labels: wg.Tensor) => wg.oneHot(labels, 3).sum());
  expect(step(ints([0, 2])).item()).toBe(2);
  expect(() => step(ints([0, 5]))).toThrow('wasmgrad.oneHot: index 5 at position [1] of indices [2] is out of range for 3 classes (valid: 0..2)');
});
