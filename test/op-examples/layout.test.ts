/**
 * expand, repeat, tile, squeeze, unsqueeze, flip, roll, narrow, movedim, split, chunk, unbind and
 * pad on both backends: values and gradients from PyTorch 1.13 (the seed of every backward is
 * 1, 2, 3, … over the result, i.e. the gradient of Σ yₖ·(k + 1)), edge sizes, and every error path
 * of src/api/layout.ts and src/ops/layout.ts.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const BACKENDS = ['wasm', 'reference'] as const;
const seq = (n: number) => Array.from({ length: n }, (_, k) => k + 1);
const shapes = (ts: wg.Tensor[]) => ts.map((t) => t.shape);
/** y = f(x) and x's gradient for the seed 1, 2, 3, … */
function run(x: wg.NestedArray, f: (t: wg.Tensor) => wg.Tensor) {
  const t = wg.tensor(x, { requiresGrad: true });
  const y = f(t);
  y.backward(seq(y.size));
  return { y: y.toArray(), gx: t.grad!.toArray() };
}
const a23 = [
  [0, 1, 2],
  [3, 4, 5],
];
const x4 = [[[0, 1, 2, 3]]];

for (const be of BACKENDS) {
  describe(`layout ops on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test("methods take PyTorch's separate numbers: x.repeat(2, 1) of a 1-D tensor is [2, 3] (not [6])", () => {
      expect(run([1, 2, 3], (t) => t.repeat(2, 1))).toEqual({
        y: [
          [1, 2, 3],
          [1, 2, 3],
        ],
        gx: [5, 7, 9],
      });
      expect(wg.tensor([1, 2, 3]).tile(2, 2).toArray()).toEqual([
        [1, 2, 3, 1, 2, 3],
        [1, 2, 3, 1, 2, 3],
      ]);
      expect(wg.tensor([1, 2, 3]).expand(2, -1).toArray()).toEqual([
        [1, 2, 3],
        [1, 2, 3],
      ]);
      const m = wg.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(m.flip(0, 1).toArray()).toEqual([
        [6, 5, 4],
        [3, 2, 1],
      ]);
      expect(m.flip(1).toArray()).toEqual([
        [3, 2, 1],
        [6, 5, 4],
      ]);
      expect(() => m.repeat([2], 1)).toThrow(/repeat: reps must be non-negative integers, got \[\[2\], 1\]/);
    });

    test('expand: new leading dims, -1 keeps a dim, the gradient sums the copies', () => {
      expect(run([[1, 2, 3]], (t) => t.expand([2, 2, 3]))).toEqual({
        y: [
          [
            [1, 2, 3],
            [1, 2, 3],
          ],
          [
            [1, 2, 3],
            [1, 2, 3],
          ],
        ],
        gx: [[22, 26, 30]],
      });
      expect(run([[1], [2]], (t) => wg.expand(t, [-1, 4]))).toEqual({
        y: [
          [1, 1, 1, 1],
          [2, 2, 2, 2],
        ],
        gx: [[10], [26]],
      });
      expect(wg.tensor(5).expand([2, 3]).toArray()).toEqual([
        [5, 5, 5],
        [5, 5, 5],
      ]);
      expect(wg.zeros([1, 0]).expand([3, 0]).shape).toEqual([3, 0]);
      expect(wg.ones([3]).expand(3).shape).toEqual([3]);
    });

    test('repeat and tile', () => {
      expect(run(a23, (t) => t.repeat([2, 1, 2]))).toEqual({
        y: [
          [
            [0, 1, 2, 0, 1, 2],
            [3, 4, 5, 3, 4, 5],
          ],
          [
            [0, 1, 2, 0, 1, 2],
            [3, 4, 5, 3, 4, 5],
          ],
        ],
        gx: [
          [34, 38, 42],
          [58, 62, 66],
        ],
      });
      // tile pads reps with leading 1s: (2,) on [2, 3] is (1, 2)
      expect(run(a23, (t) => wg.tile(t, [2]))).toEqual({
        y: [
          [0, 1, 2, 0, 1, 2],
          [3, 4, 5, 3, 4, 5],
        ],
        gx: [
          [5, 7, 9],
          [17, 19, 21],
        ],
      });
      expect(wg.tensor([1, 2]).tile(2).toArray()).toEqual([1, 2, 1, 2]);
      expect(wg.tensor(3).repeat([2, 3]).shape).toEqual([2, 3]);
      expect(wg.zeros([3]).repeat([2, 2]).shape).toEqual([2, 6]);
      expect(wg.ones([2, 3]).repeat([0, 1]).shape).toEqual([0, 3]);
      const i = wg.tensor(Int32Array.from([7, 8]), { shape: [2] });
      expect(i.repeat([2]).dtype).toBe('int32');
      expect(i.repeat([2]).toArray()).toEqual([7, 8, 7, 8]);
    });

    test('squeeze (all, one dim, several, a non-1 dim is kept) and unsqueeze', () => {
      const x = wg.zeros([2, 1, 3, 1]);
      expect(x.squeeze().shape).toEqual([2, 3]);
      expect(x.squeeze(1).shape).toEqual([2, 3, 1]);
      expect(wg.squeeze(x, [1, -1]).shape).toEqual([2, 3]);
      expect(x.squeeze(0).shape).toEqual([2, 1, 3, 1]);
      expect(wg.tensor(3).squeeze(0).shape).toEqual([]);
      expect(wg.tensor(3).unsqueeze(0).shape).toEqual([1]);
      expect(wg.tensor(3).unsqueeze(-1).shape).toEqual([1]);
      expect(wg.zeros([2, 3]).unsqueeze(-1).shape).toEqual([2, 3, 1]);
      expect(wg.unsqueeze(wg.zeros([2, 3]), 1).shape).toEqual([2, 1, 3]);
      expect(run([[1], [2]], (t) => t.squeeze().unsqueeze(0))).toEqual({ y: [[1, 2]], gx: [[1], [2]] });
    });

    test('flip: reversed along dims, the gradient reversed back', () => {
      expect(run(a23, (t) => t.flip([0, 1]))).toEqual({
        y: [
          [5, 4, 3],
          [2, 1, 0],
        ],
        gx: [
          [6, 5, 4],
          [3, 2, 1],
        ],
      });
      expect(wg.flip(wg.arange(17), 0).toArray()).toEqual(seq(17).map((k) => 17 - k));
      expect(wg.tensor(3).flip(0).item()).toBe(3);
      expect(wg.zeros([2, 0]).flip(1).shape).toEqual([2, 0]);
    });

    test('roll: along dims with wrap-around, flattened without dims', () => {
      expect(run(a23, (t) => t.roll([1, -1], [0, 1]))).toEqual({
        y: [
          [4, 5, 3],
          [1, 2, 0],
        ],
        gx: [
          [6, 4, 5],
          [3, 1, 2],
        ],
      });
      expect(run(a23, (t) => wg.roll(t, 2))).toEqual({
        y: [
          [4, 5, 0],
          [1, 2, 3],
        ],
        gx: [
          [3, 4, 5],
          [6, 1, 2],
        ],
      });
      expect(wg.arange(5).roll(-7, 0).toArray()).toEqual([2, 3, 4, 0, 1]);
      expect(wg.tensor(3).roll(2).item()).toBe(3);
      expect(wg.zeros([0, 3]).roll(1, 0).shape).toEqual([0, 3]);
      const i = wg.tensor(Int32Array.from([1, 2, 3]), { shape: [3] }).roll(1);
      expect([i.dtype, i.toArray()]).toEqual(['int32', [3, 1, 2]]);
    });

    test('narrow and movedim', () => {
      expect(run(a23, (t) => t.narrow(1, -2, 2))).toEqual({
        y: [
          [1, 2],
          [4, 5],
        ],
        gx: [
          [0, 1, 2],
          [0, 3, 4],
        ],
      });
      expect(wg.narrow(wg.arange(5), 0, 5, 0).shape).toEqual([0]);
      const x = wg.arange(12).reshape([2, 3, 2]);
      expect(run(x.toArray() as wg.NestedArray, (t) => t.movedim(0, -1))).toEqual({
        y: [
          [
            [0, 6],
            [1, 7],
          ],
          [
            [2, 8],
            [3, 9],
          ],
          [
            [4, 10],
            [5, 11],
          ],
        ],
        gx: [
          [
            [1, 3],
            [5, 7],
            [9, 11],
          ],
          [
            [2, 4],
            [6, 8],
            [10, 12],
          ],
        ],
      });
      expect(wg.movedim(wg.zeros([2, 3, 4]), [0, 1], [2, 0]).shape).toEqual([3, 4, 2]);
    });

    test('split, chunk, unbind: pieces in order, each with its part of the gradient', () => {
      const x = wg.tensor(seq(5), { requiresGrad: true });
      const parts = x.split(2);
      expect(parts.map((p) => p.toArray())).toEqual([[1, 2], [3, 4], [5]]);
      parts[2].mul(10).sum().add(parts[0].sum()).backward();
      expect(x.grad!.toArray()).toEqual([1, 1, 0, 0, 10]);
      expect(wg.split(wg.arange(6).reshape([2, 3]), [1, 0, 2], 1).map((p) => p.shape)).toEqual([
        [2, 1],
        [2, 0],
        [2, 2],
      ]);
      expect(shapes(wg.zeros([0]).split(2))).toEqual([[0]]);
      expect(shapes(wg.zeros([0]).split(0))).toEqual([[0]]);
      // torch's rule: pieces of ⌈n/chunks⌉, so 6 in 4 chunks is 3 pieces of 2
      expect(shapes(wg.zeros([6]).chunk(4))).toEqual([[2], [2], [2]]);
      expect(shapes(wg.chunk(wg.zeros([5]), 3))).toEqual([[2], [2], [1]]);
      expect(shapes(wg.zeros([1]).chunk(3))).toEqual([[1]]);
      expect(shapes(wg.zeros([0]).chunk(3))).toEqual([[0], [0], [0]]);
      const m = wg.tensor(a23, { requiresGrad: true });
      const rows = m.unbind(1);
      expect(rows.map((r) => r.toArray())).toEqual([
        [0, 3],
        [1, 4],
        [2, 5],
      ]);
      wg.stack(rows, 0).backward(seq(6));
      expect(m.grad!.toArray()).toEqual([
        [1, 3, 5],
        [2, 4, 6],
      ]);
      expect(wg.unbind(wg.zeros([0, 2])).length).toBe(0);
    });

    test('pad: constant with asymmetric and negative pads over two dims', () => {
      expect(
        run(
          [
            [0, 1],
            [2, 3],
          ],
          (t) => wg.pad(t, [1, -1, -1, 2], { value: 7.5 }),
        ),
      ).toEqual({
        y: [
          [7.5, 2],
          [7.5, 7.5],
          [7.5, 7.5],
        ],
        gx: [
          [0, 0],
          [2, 0],
        ],
      });
      expect(wg.pad(wg.tensor([1, 2]), [1, 2]).toArray()).toEqual([0, 1, 2, 0, 0]);
      expect(wg.pad(wg.zeros([2, 3]), [1, 1, 1, 1]).shape).toEqual([4, 5]);
      expect(wg.pad(wg.zeros([0, 3]), [1, 1]).shape).toEqual([0, 5]);
      expect(wg.pad(wg.zeros([2, 3]), [-3, 0]).shape).toEqual([2, 0]);
      expect(wg.pad(wg.tensor(3), []).shape).toEqual([]);
    });

    test('pad: reflect, replicate, circular (PyTorch 1.13 values; reflected and wrapped positions add their gradients)', () => {
      const cases: [[number, number], 'reflect' | 'replicate' | 'circular', number[], number[]][] = [
        [[-1, 2], 'reflect', [1, 2, 3, 2, 1], [0, 6, 6, 3]],
        [[3, 1], 'reflect', [3, 2, 1, 0, 1, 2, 3, 2], [4, 8, 16, 8]],
        [[2, -3], 'replicate', [0, 0, 0], [6, 0, 0, 0]],
        [[-1, 2], 'circular', [1, 2, 3, 1, 2], [0, 5, 7, 3]],
        [[2, 3], 'circular', [2, 3, 0, 1, 2, 3, 0, 1, 2], [10, 12, 15, 8]],
      ];
      for (const [p, mode, y, gx] of cases)
        expect(
          run(x4, (t) => wg.pad(t, p, { mode })),
          `${mode} ${p}`,
        ).toEqual({ y: [[y]], gx: [[gx]] });
      expect(
        run(
          [
            [
              [0, 1, 2],
              [3, 4, 5],
              [6, 7, 8],
            ],
          ],
          (t) => wg.pad(t, [1, 1, 1, 0], { mode: 'reflect' }),
        ),
      ).toEqual({
        y: [
          [
            [4, 3, 4, 5, 4],
            [1, 0, 1, 2, 1],
            [4, 3, 4, 5, 4],
            [7, 6, 7, 8, 7],
          ],
        ],
        gx: [
          [
            [7, 24, 9],
            [14, 48, 18],
            [17, 54, 19],
          ],
        ],
      });
      // any number of dims, also without a batch dim (PyTorch 1.13 pads 1-3 dims of 2-5-D inputs)
      expect(wg.pad(wg.tensor([1, 2, 3]), [2, 0], { mode: 'replicate' }).toArray()).toEqual([1, 1, 1, 2, 3]);
      expect(wg.pad(wg.zeros([2, 3, 4, 5]), [1, 1, 1, 1, 1, 1, 1, 1], { mode: 'circular' }).shape).toEqual([4, 5, 6, 7]);
    });
  });
}

describe('layout errors', () => {
  beforeAll(() => wg.setBackend('reference'));
  const x = () => wg.zeros([2, 3]);

  test('expand, repeat, tile', () => {
    expect(() => x().expand([3, 3])).toThrow('wasmgrad.expand: cannot expand dim 0 of size 2 to 3 (only size-1 dims grow): tensor of shape [2, 3] to [3, 3]');
    expect(() => x().expand([-1, 2, 3])).toThrow('wasmgrad.expand: -1 is not allowed in the new leading dim 0 of [-1, 2, 3] (tensor of shape [2, 3])');
    expect(() => x().expand([3])).toThrow('wasmgrad.expand: the target shape [3] has fewer dims than the tensor of shape [2, 3]');
    expect(() => x().expand([2, -2])).toThrow('wasmgrad.expand: shape must be integers ≥ -1, got [2, -2] (tensor of shape [2, 3])');
    expect(() => x().repeat([2])).toThrow('wasmgrad.repeat: reps [2] has fewer entries than the 2 dims of the tensor of shape [2, 3] (use tile)');
    expect(() => x().repeat([2, -1])).toThrow('wasmgrad.repeat: reps must be non-negative integers, got [2, -1] (tensor of shape [2, 3])');
    expect(() => x().tile(1.5)).toThrow('wasmgrad.tile: reps must be non-negative integers, got 1.5 (tensor of shape [2, 3])');
    expect(() => wg.expand(3 as unknown as wg.Tensor, [2])).toThrow('wasmgrad.expand: input must be a Tensor, got 3');
  });

  test('squeeze, unsqueeze, flip, movedim, narrow', () => {
    expect(() => x().squeeze(2)).toThrow(/squeeze: dim 2 is out of range for a tensor of shape \[2, 3\]/);
    expect(() => x().squeeze([0, -2])).toThrow('wasmgrad.squeeze: dim 0 appears more than once in dim [0, -2] (tensor of shape [2, 3])');
    expect(() => x().unsqueeze(3)).toThrow(/unsqueeze: dim 3 is out of range .* \(expected an integer in \[-3, 2\]\)/);
    expect(() => x().flip([0, 0])).toThrow('wasmgrad.flip: dim 0 appears more than once in dims [0, 0] (tensor of shape [2, 3])');
    expect(() => x().flip('0' as unknown as number)).toThrow('wasmgrad.flip: dims must be a dim or an array of dims, got "0" (tensor of shape [2, 3])');
    expect(() => x().movedim([0, 1], [1])).toThrow('wasmgrad.movedim: source [0, 1] and destination [1] must name as many dims (tensor of shape [2, 3])');
    expect(() => x().movedim([0, 0], [1, 0])).toThrow('wasmgrad.movedim: dim 0 appears more than once in source [0, 0] (tensor of shape [2, 3])');
    expect(() => x().narrow(1, 2, 2)).toThrow('wasmgrad.narrow: length must be an integer in [0, 1] (start 2), got 2 (dim 1 of a tensor of shape [2, 3])');
    expect(() => x().narrow(1, -4, 1)).toThrow('wasmgrad.narrow: start must be an integer in [-3, 3], got -4 (dim 1 of a tensor of shape [2, 3])');
    expect(() => wg.tensor(1).narrow(0, 0, 1)).toThrow('wasmgrad.narrow: cannot narrow a 0-d tensor (it has no dims)');
  });

  test('split, chunk, unbind, roll', () => {
    expect(() => x().split(0, 1)).toThrow('wasmgrad.split: the split size can be 0 only for an empty dim, got 0 for dim 1 of size 3 (tensor of shape [2, 3])');
    expect(() => x().split([1, 1], 1)).toThrow('wasmgrad.split: section sizes [1, 1] sum to 2, dim 1 of the tensor of shape [2, 3] has 3');
    expect(() => x().split(-1)).toThrow('wasmgrad.split: the split size must be non-negative integers, got -1 (tensor of shape [2, 3])');
    expect(() => x().chunk(0)).toThrow('wasmgrad.chunk: chunks must be a positive integer, got 0 (tensor of shape [2, 3])');
    expect(() => wg.tensor(1).chunk(2)).toThrow('wasmgrad.chunk: cannot chunk a 0-d tensor (it has no dims)');
    expect(() => wg.tensor(1).split(1)).toThrow('wasmgrad.split: cannot split a 0-d tensor (it has no dims)');
    expect(() => wg.tensor(1).unbind()).toThrow('wasmgrad.unbind: cannot unbind a 0-d tensor (it has no dims)');
    expect(() => x().unbind(2)).toThrow(/unbind: dim 2 is out of range/);
    expect(() => x().roll([1, 2], 0)).toThrow(
      'wasmgrad.roll: shifts and dims must align: got 2 shifts [1, 2] and dims [0] (no dims: one shift of the flattened tensor)',
    );
    expect(() => x().roll([1, 2])).toThrow(/roll: shifts and dims must align: got 2 shifts/);
    expect(() => x().roll(0.5)).toThrow('wasmgrad.roll: shifts must be an integer or an array of integers, got [0.5]');
    expect(() => wg.tensor(1).roll(1, 0)).toThrow(/roll: dim 0 is out of range for a tensor of shape \[\]/);
  });

  test('pad', () => {
    const x4 = () => wg.zeros([1, 1, 4]);
    expect(() => wg.pad(x4(), [4, 0], { mode: 'reflect' })).toThrow(
      "wasmgrad.pad: reflect padding (4, 0) of dim 2 of a tensor of shape [1, 1, 4]: reflect padding must be less than the dim's size 4",
    );
    expect(() => wg.pad(x4(), [5, 0], { mode: 'circular' })).toThrow(
      'wasmgrad.pad: circular padding (5, 0) of dim 2 of a tensor of shape [1, 1, 4]: circular padding can wrap around at most once: at most 4 here',
    );
    expect(() => wg.pad(x4(), [-3, 2], { mode: 'circular' })).toThrow(/circular padding \(-3, 2\) .* at most 1 here/);
    expect(() => wg.pad(wg.zeros([1, 0]), [1, 0], { mode: 'replicate' })).toThrow(
      'wasmgrad.pad: replicate padding (1, 0) of dim 1 of a tensor of shape [1, 0]: an empty dim has no edge to replicate',
    );
    expect(() => wg.pad(x4(), [-3, -2])).toThrow(
      'wasmgrad.pad: constant padding (-3, -2) of dim 2 of a tensor of shape [1, 1, 4]: the result would have -1 elements along it',
    );
    expect(() => wg.pad(x4(), [1])).toThrow('wasmgrad.pad: pad must be an array of (left, right) integer pairs, got [1]');
    expect(() => wg.pad(x4(), [1, 0.5])).toThrow(/pad: pad must be an array of \(left, right\) integer pairs/);
    expect(() => wg.pad(wg.zeros([3]), [1, 1, 1, 1])).toThrow(
      'wasmgrad.pad: pad [1, 1, 1, 1] has 2 (left, right) pairs, more than the 1 dims of a tensor of shape [3]',
    );
    expect(() => wg.pad(x4(), [1, 1], { mode: 'wrap' as 'reflect' })).toThrow(
      "wasmgrad.pad: mode must be one of 'constant', 'reflect', 'replicate', 'circular', got \"wrap\"",
    );
    expect(() => wg.pad(x4(), [1, 1], { mode: 'reflect', value: 2 })).toThrow("wasmgrad.pad: mode 'reflect' takes no value, got 2");
    expect(() => wg.pad(x4(), [1, 1], { value: '2' as unknown as number })).toThrow('wasmgrad.pad: value must be a number, got "2"');
    expect(() => wg.pad(x4(), [1, 1], { fill: 2 } as wg.PadOptions)).toThrow(/pad: unknown option/);
  });
});
