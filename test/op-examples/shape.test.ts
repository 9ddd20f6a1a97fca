/**
 * Hand-computed values of the copy and layout ops, embedding and dropout on both backends, and
 * every error path of src/ops/shape.ts.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { apply } from '../../src/engine/engine.js';
import { op } from '../../src/ops/index.js';
import { copyInto } from '../../src/api/shape.js';
import { JOIN_MAX, dropoutHash } from '../../src/ops/shape.js';
import { MAX_INPUTS, R, ginWord, inWord, paramRoom } from '../../src/ops/types.js';
import { nextU32 } from '../../src/random.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const BACKENDS = ['wasm', 'reference'] as const;
const vals = (t: wg.Tensor) => Array.from(t.data());
const leaf = (data: wg.NestedArray) => wg.tensor(data, { requiresGrad: true });
const ints = (data: number[], shape = [data.length]) => wg.tensor(Int32Array.from(data), { shape });

test('join records: the slots of inputs past the 4 fixed ones stay clear of each other and of the join params', () => {
  for (let nin = 1; nin <= JOIN_MAX; nin++) {
    const words = Array.from({ length: nin }, (_, i) => [inWord(i), ginWord(i)]).flat();
    expect(new Set(words).size).toBe(2 * nin);
    // the join's params [outer, total, len_0..len_{nin-1}] end before the first end-of-record slot
    expect(2 + nin).toBeLessThanOrEqual(paramRoom(nin));
    for (let i = MAX_INPUTS; i < nin; i++) expect(Math.min(inWord(i), ginWord(i))).toBeGreaterThanOrEqual(R.P + paramRoom(nin));
  }
  expect(() =>
    apply(
      op('cat'),
      Array.from({ length: JOIN_MAX + 1 }, () => wg.zeros([1])),
      { dim: 0 },
    ),
  ).toThrow(`wasmgrad.cat: expects 1 to ${JOIN_MAX} tensor inputs, got ${JOIN_MAX + 1}`);
});

for (const be of BACKENDS) {
  describe(`shape ops on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('reshape: row-major order kept, -1 inferred, gradient reshaped back', () => {
      const x = leaf([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const y = wg.reshape(x, [3, -1]);
      expect(y.shape).toEqual([3, 2]);
      expect(y.toArray()).toEqual([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      y.backward([10, 20, 30, 40, 50, 60]);
      expect(x.grad!.toArray()).toEqual([
        [10, 20, 30],
        [40, 50, 60],
      ]);
      expect(wg.reshape(wg.tensor([7]), []).shape).toEqual([]);
      expect(wg.reshape(wg.zeros([2, 0]), [0, 5]).shape).toEqual([0, 5]);
    });

    test('flatten from startDim (negative allowed), 0-d becomes [1]', () => {
      const x = wg.arange(24).reshape([2, 3, 4]);
      expect(wg.flatten(x).shape).toEqual([24]);
      expect(x.flatten(1).shape).toEqual([2, 12]);
      expect(vals(x.flatten(1))).toEqual(vals(x));
      expect(x.flatten(-1).shape).toEqual([2, 3, 4]);
      expect(wg.flatten(wg.tensor(3)).toArray()).toEqual([3]);
    });

    test('cat/stack of int32 with float32 give float32, as torch (the int32 tensors cast, the float32 ones get the gradient)', () => {
      const f = leaf([[0.5, -1.5]]);
      const i = ints([3, -4, 16777217, 0], [2, 2]);
      const y = wg.cat([i, f]);
      expect(y.dtype).toBe('float32');
      expect(y.toArray()).toEqual([
        [3, -4],
        [16777216, 0], // int32 → float32 rounds to nearest beyond 2²⁴, as torch's cast
        [0.5, -1.5],
      ]);
      y.backward([1, 2, 3, 4, 5, 6]);
      expect(f.grad!.toArray()).toEqual([[5, 6]]);
      const s = wg.stack([ints([1, 2]), wg.tensor([0.25, 0.5])], 1);
      expect(s.dtype).toBe('float32');
      expect(s.toArray()).toEqual([
        [1, 0.25],
        [2, 0.5],
      ]);
      expect(wg.cat([ints([1]), ints([2])]).dtype).toBe('int32');
    });

    test("reshape and permute take PyTorch's separate numbers (x.reshape(3, -1), x.permute(1, 0))", () => {
      const m = wg.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(m.reshape(3, -1).toArray()).toEqual([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      expect(m.permute(1, 0).toArray()).toEqual([
        [1, 4],
        [2, 5],
        [3, 6],
      ]);
      expect(wg.tensor([1, 2, 3]).permute(0).toArray()).toEqual([1, 2, 3]);
      expect(wg.zeros([2, 3, 4]).permute(-1, 0, 1).shape).toEqual([4, 2, 3]);
      expect(m.reshape(6).shape).toEqual([6]);
      expect(() => m.reshape([3], 2)).toThrow(/reshape: shape must be an array of integers ≥ -1, got \[\[3\], 2\]/);
    });

    test('flatten(startDim, endDim) merges only dims startDim..endDim (torch.flatten(x, 1, 2) is [2, 12, 5])', () => {
      const x = wg.arange(120).reshape([2, 3, 4, 5]);
      expect(x.flatten(1, 2).shape).toEqual([2, 12, 5]);
      expect(wg.flatten(x, 0, 1).shape).toEqual([6, 4, 5]);
      expect(x.flatten(-3, -2).shape).toEqual([2, 12, 5]);
      expect(x.flatten(2, 2).shape).toEqual([2, 3, 4, 5]);
      expect(wg.flatten(wg.zeros([2, 0, 4]), 1).shape).toEqual([2, 0]);
      expect(vals(x.flatten(1, 2))).toEqual(vals(x));
      const l = leaf([[[1, 2]], [[3, 4]]]);
      l.flatten(0, 1).backward([10, 20, 30, 40]);
      expect(l.grad!.toArray()).toEqual([[[10, 20]], [[30, 40]]]);
    });

    test('unflatten splits one dim (one size may be -1), the gradient flows back', () => {
      const x = leaf([
        [1, 2, 3, 4, 5, 6],
        [7, 8, 9, 10, 11, 12],
      ]);
      const y = x.unflatten(-1, [3, -1]);
      expect(y.shape).toEqual([2, 3, 2]);
      expect(vals(y)).toEqual(vals(x));
      expect(wg.unflatten(x, 0, [1, 2, 1]).shape).toEqual([1, 2, 1, 6]);
      expect(wg.unflatten(wg.zeros([2, 0]), 1, [0, 5]).shape).toEqual([2, 0, 5]);
      y.backward(wg.arange(12).reshape([2, 3, 2]));
      expect(x.grad!.toArray()).toEqual([
        [0, 1, 2, 3, 4, 5],
        [6, 7, 8, 9, 10, 11],
      ]);
    });

    test('transpose: default last two dims, explicit dims, gradient transposed back', () => {
      const x = leaf([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const y = x.transpose();
      expect(y.toArray()).toEqual([
        [1, 4],
        [2, 5],
        [3, 6],
      ]);
      y.backward([1, 2, 3, 4, 5, 6]);
      expect(x.grad!.toArray()).toEqual([
        [1, 3, 5],
        [2, 4, 6],
      ]);
      const z = wg.arange(24).reshape([2, 3, 4]).transpose(0, 2);
      expect(z.shape).toEqual([4, 3, 2]);
      expect(z.toArray()).toEqual([
        [
          [0, 12],
          [4, 16],
          [8, 20],
        ],
        [
          [1, 13],
          [5, 17],
          [9, 21],
        ],
        [
          [2, 14],
          [6, 18],
          [10, 22],
        ],
        [
          [3, 15],
          [7, 19],
          [11, 23],
        ],
      ]);
      // fewer than 2 dims: a copy of x, unchanged
      const v = wg.tensor([1, 2, 3]);
      const vt = v.transpose();
      expect(vt).not.toBe(v);
      expect(vt.toArray()).toEqual([1, 2, 3]);
      expect(wg.tensor(5).transpose(0, -1).toArray()).toEqual(5);
    });

    test('permute: out[k][i][j] = x[i][j][k]; gradient permuted back', () => {
      const x = wg.tensor(
        Array.from({ length: 24 }, (_, i) => i),
        { shape: [2, 3, 4], requiresGrad: true },
      );
      const y = x.permute([2, 0, -2]);
      expect(y.shape).toEqual([4, 2, 3]);
      expect(y.toArray()).toEqual([
        [
          [0, 4, 8],
          [12, 16, 20],
        ],
        [
          [1, 5, 9],
          [13, 17, 21],
        ],
        [
          [2, 6, 10],
          [14, 18, 22],
        ],
        [
          [3, 7, 11],
          [15, 19, 23],
        ],
      ]);
      // seeding y with its own values sends every value home: x.grad = x
      y.backward(vals(y));
      expect(vals(x.grad!)).toEqual(vals(x));
    });

    test('slice: Python bounds (negative, clamped, empty); gradient only inside the window', () => {
      const x = wg.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { requiresGrad: true });
      expect(x.slice(0, -3).toArray()).toEqual([7, 8, 9]);
      expect(x.slice(0, 2, 100).toArray()).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
      expect(x.slice(0, -100, 3).toArray()).toEqual([0, 1, 2]);
      expect(x.slice(0, 5, 2).shape).toEqual([0]);
      expect(x.slice(0, 4, -4).toArray()).toEqual([4, 5]);
      const y = x.slice(-1, 3, 6);
      y.backward([1, 2, 3]);
      expect(vals(x.grad!)).toEqual([0, 0, 0, 1, 2, 3, 0, 0, 0, 0]);
      const m = wg.arange(12).reshape([3, 4]);
      expect(m.slice(1, 1, 3).toArray()).toEqual([
        [1, 2],
        [5, 6],
        [9, 10],
      ]);
      expect(m.slice(0, 1).toArray()).toEqual([
        [4, 5, 6, 7],
        [8, 9, 10, 11],
      ]);
    });

    test('cat: blocks along dim; each input gets its part of the gradient', () => {
      const a = leaf([
          [1, 2],
          [3, 4],
        ]),
        b = leaf([[5], [6]]);
      const y = wg.cat([a, b], 1);
      expect(y.toArray()).toEqual([
        [1, 2, 5],
        [3, 4, 6],
      ]);
      y.backward([10, 20, 30, 40, 50, 60]);
      expect(a.grad!.toArray()).toEqual([
        [10, 20],
        [40, 50],
      ]);
      expect(b.grad!.toArray()).toEqual([[30], [60]]);
      expect(wg.cat([wg.tensor([1, 2]), wg.tensor([3])], -1).toArray()).toEqual([1, 2, 3]);
      // one tensor: a copy
      const c = wg.tensor([1, 2]);
      expect(wg.cat([c]).toArray()).toEqual([1, 2]);
      expect(wg.cat([c])).not.toBe(c);
    });

    test('cat of the same tensor twice adds both gradient blocks', () => {
      const x = leaf([1, 2, 3]);
      wg.cat([x, x]).backward([1, 2, 3, 10, 20, 30]);
      expect(vals(x.grad!)).toEqual([11, 22, 33]);
    });

    // 17 inputs fit one record; 11 is one record past the 4 fixed slots, 40 joins three groups.
    for (const k of [11, 17, 18, 40])
      test(`cat of ${k} tensors keeps order and reaches every input`, () => {
        const xs = Array.from({ length: k }, (_, i) => wg.tensor([[i, 100 + i]], { requiresGrad: true }));
        const y = wg.cat(xs, 0);
        expect(y.shape).toEqual([k, 2]);
        expect(vals(y)).toEqual(xs.flatMap((_, i) => [i, 100 + i]));
        y.backward(Array.from({ length: 2 * k }, (_, j) => j));
        xs.forEach((x, i) => expect(vals(x.grad!)).toEqual([2 * i, 2 * i + 1]));
      });

    test('stack: new dim anywhere in 0..ndim (many tensors too); gradient unstacked', () => {
      const a = leaf([1, 2, 3]),
        b = leaf([4, 5, 6]);
      expect(wg.stack([a, b]).toArray()).toEqual([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const y = wg.stack([a, b], 1);
      expect(y.toArray()).toEqual([
        [1, 4],
        [2, 5],
        [3, 6],
      ]);
      y.backward([1, 2, 3, 4, 5, 6]);
      expect(vals(a.grad!)).toEqual([1, 3, 5]);
      expect(vals(b.grad!)).toEqual([2, 4, 6]);
      expect(wg.stack([a, b], -1).shape).toEqual([3, 2]);
      const s = Array.from({ length: 6 }, (_, i) => wg.tensor(i, { requiresGrad: true }));
      const z = wg.stack(s);
      expect(z.toArray()).toEqual([0, 1, 2, 3, 4, 5]);
      z.backward([6, 5, 4, 3, 2, 1]);
      expect(s.map((t) => t.grad!.item())).toEqual([6, 5, 4, 3, 2, 1]);
      const m = Array.from({ length: 7 }, (_, i) => wg.full([2, 2], i));
      const w = wg.stack(m, 1);
      expect(w.shape).toEqual([2, 7, 2]);
      expect(vals(w.slice(1, 3, 4))).toEqual([3, 3, 3, 3]);
    });

    test('the finite checks see the inputs and gradients past the 4 fixed record slots', () => {
      wg.setDebug({ checkFinite: true });
      try {
        const xs = Array.from({ length: 6 }, (_, i) => wg.tensor([i, i + 0.5], { requiresGrad: true }));
        const y = wg.cat(xs, 0);
        expect(vals(y)).toEqual(xs.flatMap((_, i) => [i, i + 0.5]));
        y.backward(Array.from({ length: 12 }, (_, k) => k));
        expect(vals(xs[5].grad!)).toEqual([10, 11]);
        const bad = [...xs.slice(0, 5), wg.tensor([1, NaN])];
        expect(() => wg.cat(bad, 0)).toThrow(
          'wasmgrad.cat: produced NaN at index 11 of its output [12] (forward; input 5 [2] already holds NaN at index 1: user data (or ±Inf passed on from it), or a value computed while the checks were off)',
        );
      } finally {
        wg.setDebug({ checkFinite: false });
      }
    });

    test('layout ops keep int32 tensors int32', () => {
      const i = ints([1, 2, 3, 4, 5, 6], [2, 3]);
      const t = i.transpose();
      expect(t.dtype).toBe('int32');
      expect(t.toArray()).toEqual([
        [1, 4],
        [2, 5],
        [3, 6],
      ]);
      expect(i.slice(1, 2).toArray()).toEqual([[3], [6]]);
      expect(wg.cat([i, i], 0).reshape([-1]).toArray()).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
      expect(wg.stack([ints([7]), ints([8])], 1).toArray()).toEqual([[7, 8]]);
    });

    test('embedding: rows picked by index of any shape; repeated indices accumulate in weight.grad', () => {
      const w = leaf([
        [0, 1],
        [10, 11],
        [20, 21],
      ]);
      const idx = ints([2, 0, 2, 2], [2, 2]);
      const y = wg.embedding(idx, w);
      expect(y.shape).toEqual([2, 2, 2]);
      expect(y.toArray()).toEqual([
        [
          [20, 21],
          [0, 1],
        ],
        [
          [20, 21],
          [20, 21],
        ],
      ]);
      y.backward([1, 2, 3, 4, 5, 6, 7, 8]);
      // row 2 was picked at positions 0, 2, 3: (1,2) + (5,6) + (7,8); row 1 never
      expect(w.grad!.toArray()).toEqual([
        [3, 4],
        [0, 0],
        [13, 16],
      ]);
      expect(idx.grad).toBeNull();
      expect(wg.embedding(ints([1], []), w).toArray()).toEqual([10, 11]);
    });

    test('copy_: broadcast source, numbers, int32; the in-place ops built on it', () => {
      const t = wg.zeros([2, 3]);
      t.copy_(wg.tensor([[1, 2, 3]]));
      expect(t.toArray()).toEqual([
        [1, 2, 3],
        [1, 2, 3],
      ]);
      t.copy_(wg.tensor([[4], [5]]));
      expect(t.toArray()).toEqual([
        [4, 4, 4],
        [5, 5, 5],
      ]);
      t.copy_(7);
      expect(vals(t)).toEqual([7, 7, 7, 7, 7, 7]);
      t.add_(1).mul_(wg.tensor([1, 2, 3]));
      expect(t.toArray()).toEqual([
        [8, 16, 24],
        [8, 16, 24],
      ]);
      t.zero_();
      expect(vals(t)).toEqual([0, 0, 0, 0, 0, 0]);
      const i = ints([1, 2, 3]);
      i.copy_(ints([9]));
      expect(i.toArray()).toEqual([9, 9, 9]);
      i.copy_(-4);
      expect(i.toArray()).toEqual([-4, -4, -4]);
    });

    test('copy_ into a tensor that requires grad works only inside noGrad', () => {
      const p = wg.ones([3], { requiresGrad: true });
      expect(() => p.copy_(wg.tensor([1, 2, 3]))).toThrow(
        /^wasmgrad\.copy_: a leaf tensor \[3\] that requires grad is being used in an in-place operation \(inside wg\.noGrad it is allowed/,
      );
      wg.noGrad(() => p.copy_(wg.tensor([1, 2, 3])));
      expect(vals(p)).toEqual([1, 2, 3]);
    });

    test('dropout: mask = hash(seed, i) ≥ ⌊p·2^32⌋, kept values scaled by 1/(1-p), gradient = mask·scale', () => {
      const n = 37,
        p = 0.25;
      wg.manualSeed(7);
      const seed = nextU32();
      const keep = Array.from({ length: n }, (_, i) => dropoutHash(seed, i) >= Math.floor(p * 2 ** 32));
      wg.manualSeed(7);
      const x = wg.tensor(
        Array.from({ length: n }, (_, i) => i + 1),
        { requiresGrad: true },
      );
      const y = wg.dropout(x, p, true);
      const want = keep.map((k, i) => (k ? (i + 1) / (1 - p) : 0));
      vals(y).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
      y.backward(new Array(n).fill(2));
      vals(x.grad!).forEach((g, i) => expect(g).toBeCloseTo(keep[i] ? 2 / (1 - p) : 0, 5));
      expect(keep.some((k) => k) && keep.some((k) => !k)).toBe(true);
    });

    test('dropout keeps a fraction 1-p of a large tensor (within 5 sigma)', () => {
      const n = 200_000,
        p = 0.3;
      const kept = vals(wg.dropout(wg.ones([n]), p, true)).filter((v) => v !== 0).length;
      expect(Math.abs(kept / n - (1 - p))).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n));
    });

    test('dropout returns x itself when not training or p = 0, and the same mask after manualSeed', () => {
      const x = wg.ones([5]);
      expect(wg.dropout(x, 0.5, false)).toBe(x);
      expect(wg.dropout(x, 0, true)).toBe(x);
      const big = wg.ones([64]);
      wg.manualSeed(3);
      const a = vals(wg.dropout(big, 0.5, true));
      const b = vals(wg.dropout(big, 0.5, true));
      wg.manualSeed(3);
      expect(vals(wg.dropout(big, 0.5, true))).toEqual(a);
      expect(b).not.toEqual(a);
    });

    test("dropout's defaults are F.dropout's (p 0.5, training true), and p = 1 gives x·0 with zero gradient (PyTorch)", () => {
      const big = wg.ones([64]);
      wg.manualSeed(5);
      const d = vals(wg.dropout(big));
      wg.manualSeed(5);
      expect(vals(wg.dropout(big, 0.5, true))).toEqual(d);
      expect(new Set(d)).toEqual(new Set([0, 2]));
      const x = wg.tensor([1, -2, 3], { requiresGrad: true });
      const y = wg.dropout(x, 1, true);
      expect(vals(y)).toEqual([0, -0, 0]);
      y.sum().backward();
      expect(vals(x.grad!)).toEqual([0, 0, 0]);
      expect(vals(wg.dropout(x, 1, false))).toEqual([1, -2, 3]);
    });
  });
}

test("PyTorch's clone, contiguous, numel and tolist", () => {
  for (const be of BACKENDS) {
    wg.setBackend(be);
    const x = leaf([
      [1, -2, 3],
      [4, 5, -6],
    ]);
    const c = x.clone();
    expect(c).not.toBe(x);
    expect(c.shape).toEqual([2, 3]);
    expect(c.requiresGrad).toBe(true);
    expect(c.toArray()).toEqual(x.toArray());
    // The copy owns its block: writing into it leaves x as it was; grads flow back through it.
    wg.noGrad(() => c.detach().zero_());
    expect(vals(x)).toEqual([1, -2, 3, 4, 5, -6]);
    wg.clone(x)
      .mul(wg.tensor([1, 2, 3]))
      .sum()
      .backward();
    expect(vals(x.grad!)).toEqual([1, 2, 3, 1, 2, 3]);
    const i = ints([7, -1, 0], [3]).clone();
    expect(i.dtype).toBe('int32');
    expect(vals(i)).toEqual([7, -1, 0]);
    expect(wg.tensor(2.5).clone().shape).toEqual([]);
    expect(wg.zeros([0, 4]).clone().shape).toEqual([0, 4]);
    expect(x.contiguous()).toBe(x);
    expect(x.numel()).toBe(6);
    expect(wg.zeros([3, 0, 2]).numel()).toBe(0);
    expect(wg.tensor(4).numel()).toBe(1);
    expect(x.tolist()).toEqual([
      [1, -2, 3],
      [4, 5, -6],
    ]);
    expect(wg.tensor(4).tolist()).toBe(4);
  }
  wg.setBackend('wasm');
  expect(() => wg.clone([1, 2] as never)).toThrow(/wasmgrad\.clone: .*input/);
});

test('dropout draws the same mask on both backends', () => {
  const masks = BACKENDS.map((be) => {
    wg.setBackend(be);
    wg.manualSeed(11);
    return vals(wg.dropout(wg.ones([1001]), 0.4, true)).map((v) => v !== 0);
  });
  expect(masks[0]).toEqual(masks[1]);
  wg.setBackend('wasm');
});

describe('shape op errors', () => {
  beforeAll(() => wg.setBackend('reference'));
  const x = () => wg.zeros([2, 3]);

  test('reshape', () => {
    expect(() => wg.reshape(x(), [4, 2])).toThrow('wasmgrad.reshape: cannot reshape a tensor of shape [2, 3] (6 elements) into [4, 2]');
    expect(() => wg.reshape(x(), [-1, -1])).toThrow(/reshape: only one dimension can be -1, got \[-1, -1\]/);
    expect(() => wg.reshape(x(), [4, -1])).toThrow(/reshape: cannot reshape .*\[2, 3\].* into \[4, -1\]/);
    expect(() => wg.reshape(wg.zeros([0, 3]), [0, -1])).toThrow(/reshape: cannot reshape .*\[0, 3\].* into \[0, -1\]/);
    expect(() => wg.reshape(x(), [2.5, 2])).toThrow(/reshape: shape must be an array of integers ≥ -1, got \[2.5, 2\]/);
    expect(() => wg.reshape(x(), [-2, -3])).toThrow(/reshape: shape must be/);
  });

  test('flatten, transpose, permute', () => {
    expect(() => x().flatten(2)).toThrow('wasmgrad.flatten: dim 2 is out of range for a tensor of shape [2, 3] (expected an integer in [-2, 1])');
    expect(() => x().flatten(0, 2)).toThrow('wasmgrad.flatten: dim 2 is out of range for a tensor of shape [2, 3] (expected an integer in [-2, 1])');
    expect(() => x().flatten(1, 0)).toThrow('wasmgrad.flatten: startDim 1 comes after endDim 0 (dims 1 > 0) for a tensor of shape [2, 3]');
    expect(() => x().flatten(-1, -2)).toThrow('wasmgrad.flatten: startDim -1 comes after endDim -2 (dims 1 > 0) for a tensor of shape [2, 3]');
    expect(() => x().unflatten(1, [2, 2])).toThrow('wasmgrad.unflatten: cannot split dim 1 of size 3 (tensor of shape [2, 3]) into [2, 2]');
    expect(() => x().unflatten(1, [-1, -1])).toThrow('wasmgrad.unflatten: cannot split dim 1 of size 3 (tensor of shape [2, 3]) into [-1, -1]');
    expect(() => x().unflatten(1, [2, -1])).toThrow('wasmgrad.unflatten: cannot split dim 1 of size 3 (tensor of shape [2, 3]) into [2, -1]');
    expect(() => x().unflatten(1, [1.5, 2])).toThrow(/unflatten: cannot split dim 1 of size 3/);
    expect(() => x().unflatten(2, [3])).toThrow(/unflatten: dim 2 is out of range for a tensor of shape \[2, 3\]/);
    expect(() => x().unflatten(1, [])).toThrow('wasmgrad.unflatten: sizes must be a non-empty array of integers, got [] (tensor of shape [2, 3])');
    expect(() => wg.tensor(1).unflatten(0, [1])).toThrow(wg.ShapeError);
    expect(() => x().transpose(0, 2)).toThrow(/transpose: dim 2 is out of range for a tensor of shape \[2, 3\]/);
    expect(() => wg.tensor([1, 2]).transpose(0, 1)).toThrow(/transpose: dim 1 is out of range for a tensor of shape \[2\]/);
    expect(() => x().permute([0])).toThrow('wasmgrad.permute: dims [0] is not a permutation of 0..1 for a tensor of shape [2, 3]');
    expect(() => x().permute([1, -1])).toThrow(/permute: dims \[1, -1\] is not a permutation/);
    expect(() => x().permute([0, 2])).toThrow(/permute: dim 2 is out of range for a tensor of shape \[2, 3\]/);
  });

  test('slice', () => {
    expect(() => wg.tensor(1).slice(0, 0)).toThrow('wasmgrad.slice: cannot slice a 0-d tensor');
    expect(() => x().slice(2, 0)).toThrow(/slice: dim 2 is out of range for a tensor of shape \[2, 3\]/);
    expect(() => x().slice(1, 0.5)).toThrow(/slice: start and end must be integers, got 0.5 and undefined \(tensor of shape \[2, 3\]\)/);
  });

  test('cat and stack', () => {
    expect(() => wg.cat([])).toThrow('wasmgrad.cat: expects a non-empty array of tensors');
    expect(() => wg.stack([x(), 3 as unknown as wg.Tensor])).toThrow('wasmgrad.stack: tensors[1] must be a Tensor, got 3');
    expect(() => wg.cat([x(), wg.zeros([2, 4])], 0)).toThrow('wasmgrad.cat: shapes must match except along dim 0, got shapes [2, 3], [2, 4]');
    expect(() => wg.cat([x(), wg.zeros([3])])).toThrow('wasmgrad.cat: tensors must have the same number of dimensions, got shapes [2, 3], [3]');
    expect(() => wg.cat([wg.tensor(1), wg.tensor(2)])).toThrow(/cat: 0-d tensors cannot be concatenated \(use stack\), got shapes \[\], \[\]/);
    expect(() => wg.cat([x(), x()], 2)).toThrow(/cat: dim 2 is out of range for a tensor of shape \[2, 3\]/);
    expect(() => wg.stack([x(), wg.zeros([3, 2])])).toThrow('wasmgrad.stack: tensors must all have the same shape, got shapes [2, 3], [3, 2]');
    expect(() => wg.stack([x(), x()], 3)).toThrow(/stack: dim 3 is out of range .* \(expected an integer in \[-3, 2\]\)/);
    wg.setBackend('wasm');
    const onWasm = wg.zeros([2, 3]);
    wg.setBackend('reference');
    expect(() => wg.cat([x(), onWasm])).toThrow('wasmgrad.cat: tensors live on different backends: float32 [2, 3] (reference), float32 [2, 3] (wasm)');
  });

  test('embedding', () => {
    const w = wg.zeros([3, 2]);
    expect(() => wg.embedding(ints([0, 1, 2, 1, 3, 0], [2, 3]), w)).toThrow(
      'wasmgrad.embedding: index 3 at position [1, 1] of indices [2, 3] is out of range for a weight with 3 rows (valid: 0..2)',
    );
    expect(() => wg.embedding(ints([-1]), w)).toThrow(/embedding: index -1 at position \[0\]/);
    expect(() => wg.embedding(wg.tensor([0, 1]), w)).toThrow('wasmgrad.embedding: indices must be an int32 tensor, got a float32 tensor of shape [2]');
    expect(() => wg.embedding(ints([0]), wg.zeros([3]))).toThrow('wasmgrad.embedding: weight must be 2-D [n, d], got shape [3] (indices [1])');
    expect(() => wg.embedding([0] as unknown as wg.Tensor, w)).toThrow('wasmgrad.embedding: indices must be a Tensor, got [0]');
  });

  test('dropout', () => {
    for (const p of [1.5, -0.1, NaN, '0.5'])
      expect(() => wg.dropout(x(), p as number, true)).toThrow(
        `wasmgrad.dropout: p must be a probability in [0, 1], got ${typeof p === 'string' ? JSON.stringify(p) : p}`,
      );
    expect(() => wg.dropout(x(), 0.5, 1 as unknown as boolean)).toThrow('wasmgrad.dropout: training must be a boolean, got 1');
  });

  test('copy_', () => {
    expect(() => x().copy_(wg.zeros([3, 3]))).toThrow('wasmgrad.copy_: source of shape [3, 3] cannot be broadcast to the target shape [2, 3]');
    expect(() => wg.zeros([3]).copy_(wg.zeros([1, 3]))).toThrow(/copy_: source of shape \[1, 3\] cannot be broadcast to the target shape \[3\]/);
    expect(() => ints([1]).copy_(0.5)).toThrow('wasmgrad.copy_: an int32 tensor can only be filled with a 32-bit integer, got 0.5');
    expect(() => x().copy_('1' as unknown as number)).toThrow('wasmgrad.copy_: source must be a Tensor or a number, got "1"');
    expect(() => copyInto({} as wg.Tensor, 1)).toThrow('wasmgrad.copy_: target must be a Tensor, got {}');
  });

  test('the strided copy op refuses views outside its input', () => {
    const copy = op('copy');
    expect(() => apply(copy, [x()], { shape: [2, 3], strides: [3, 1], offset: 1 })).toThrow(
      'wasmgrad.copy: view [2, 3] (strides [3, 1], offset 1) reads elements 1..6 of an input of shape [2, 3]',
    );
    expect(() => apply(copy, [x()], { shape: [2], strides: [1, 1] })).toThrow(/copy: a view needs equally long arrays/);
    expect(() => apply(copy, [x()], { shape: [2], strides: [-1] })).toThrow(
      'wasmgrad.copy: view [2] (strides [-1], offset 0) reads elements -1..0 of an input of shape [2, 3]',
    );
    expect(() => apply(copy, [x()], { shape: [2], strides: [0.5] })).toThrow(/copy: a view needs/);
    expect(() => apply(copy, [x()], { shape: [2, 3], strides: [3, 1], as: [5] })).toThrow(/copy: a view needs .* result shape as of the same size/);
    // reversing 9 dims leaves no two neighbours mergeable
    expect(() => wg.zeros(new Array(9).fill(2)).permute([8, 7, 6, 5, 4, 3, 2, 1, 0])).toThrow(
      /copy: views of more than 8 non-mergeable dimensions are not supported \(shape \[2, 2, 2, 2, 2, 2, 2, 2, 2\]\)/,
    );
  });
});
