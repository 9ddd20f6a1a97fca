/**
 * Regression tests for differences from PyTorch 1.13 found by the differential op probe (values
 * from torch 1.13 as literals, on both backends): scatterReduce's includeSelf, logcumsumexp at +∞,
 * mish's gradient at huge x, embedding's paddingIdx, int32 tril/triu/maskedFill, slice's omitted bounds, i0 past overflow, exp up to float32's limit, 0-d scans' dims, int32 prod/cumprod/cummax/cummin, add/sub's alpha, repeatInterleave's tensor counts, the elus' and hardshrink's gradient at NaN, std/var's positional forms.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { expectClose } from '../helpers/expect.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const flat = (t: wg.Tensor | null) => Array.from(t!.data());

type Reduce = 'sum' | 'mean' | 'amax' | 'amin';
// torch.scatter_reduce(x, 1, index, src, reduce, include_self) and the gradients of Σ g·result
const SCATTER_REDUCE: [Reduce, boolean, number[][], number[][], number[][]][] = [
  [
    'sum',
    true,
    [
      [6.5, 5, -5],
      [7, 11, 3],
    ],
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    [
      [1, 1, 3],
      [5, 5, 4],
    ],
  ],
  [
    'sum',
    false,
    [
      [5, 5, -3],
      [7, 8, 3],
    ],
    [
      [0, 2, 0],
      [0, 0, 6],
    ],
    [
      [1, 1, 3],
      [5, 5, 4],
    ],
  ],
  [
    'mean',
    true,
    [
      [2.1666667, 5, -2.5],
      [3.5, 3.6666667, 3],
    ],
    [
      [0.3333333, 2, 1.5],
      [2, 1.6666666, 6],
    ],
    [
      [0.3333333, 0.3333333, 1.5],
      [1.6666666, 1.6666666, 2],
    ],
  ],
  [
    'mean',
    false,
    [
      [2.5, 5, -3],
      [7, 4, 3],
    ],
    [
      [0, 2, 0],
      [0, 0, 6],
    ],
    [
      [0.5, 0.5, 3],
      [2.5, 2.5, 4],
    ],
  ],
  [
    'amax',
    true,
    [
      [4, 5, -2],
      [7, 6, 3],
    ],
    [
      [0, 2, 3],
      [0, 0, 6],
    ],
    [
      [1, 0, 0],
      [0, 5, 4],
    ],
  ],
  [
    'amax',
    false,
    [
      [4, 5, -3],
      [7, 6, 3],
    ],
    [
      [0, 2, 0],
      [0, 0, 6],
    ],
    [
      [1, 0, 3],
      [0, 5, 4],
    ],
  ],
  [
    'amin',
    true,
    [
      [1, 5, -3],
      [0, 2, 3],
    ],
    [
      [0, 2, 0],
      [4, 0, 6],
    ],
    [
      [0, 1, 3],
      [5, 0, 0],
    ],
  ],
  [
    'amin',
    false,
    [
      [1, 5, -3],
      [7, 2, 3],
    ],
    [
      [0, 2, 0],
      [0, 0, 6],
    ],
    [
      [0, 1, 3],
      [5, 0, 4],
    ],
  ],
];

for (const be of ['wasm', 'reference'] as const) {
  describe(`probe regressions on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test.each(SCATTER_REDUCE)('scatterReduce %s includeSelf %s: values and gradients as torch.scatter_reduce', (reduce, includeSelf, y, gx, gs) => {
      const x = wg.tensor(
        [
          [1.5, 5, -2],
          [0, 3, 3],
        ],
        { requiresGrad: true },
      );
      const src = wg.tensor(
        [
          [4, 1, -3],
          [2, 6, 7],
        ],
        { requiresGrad: true },
      );
      const index = wg.tensor(
        [
          [0, 0, 2],
          [1, 1, 0],
        ],
        { dtype: 'int32' },
      );
      const r = x.scatterReduce(1, index, src, reduce, { includeSelf });
      expect(r.shape).toEqual([2, 3]);
      expectClose(flat(r), y.flat(), 1e-6);
      r.mul(
        wg.tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      )
        .sum()
        .backward();
      expectClose(flat(x.grad), gx.flat(), 1e-6);
      expectClose(flat(src.grad), gs.flat(), 1e-6);
      // the function form and the default includeSelf (true) agree with scatter's reduce
      if (includeSelf) expectClose(flat(wg.scatterReduce(x, 1, index, src, reduce)), flat(x.scatter(1, index, src, { reduce })), 0);
    });

    test('scatterReduce errors name the op', () => {
      const x = wg.zeros([2, 3]);
      const index = wg.tensor([[0, 3]], { dtype: 'int32' });
      const src = wg.ones([1, 2]);
      expect(() => x.scatterReduce(1, index, src, 'sum')).toThrow(wg.ValueError);
      expect(() => x.scatterReduce(1, index, src, 'sum')).toThrow(/wasmgrad\.scatterReduce: .*3/);
      const ok = wg.tensor([[0, 1]], { dtype: 'int32' });
      expect(() => x.scatterReduce(1, ok, src, 'prod' as Reduce)).toThrow(
        `wasmgrad.scatterReduce: reduce must be 'sum', 'mean', 'amax' or 'amin', got "prod" ('prod' and 'multiply' are not supported)`,
      );
      expect(() => x.scatterReduce(1, ok, src, 'sum', { includeSelf: 1 as unknown as boolean })).toThrow(
        'wasmgrad.scatterReduce: includeSelf must be a boolean, got 1',
      );
      expect(() => x.scatterReduce(1, ok, 2 as unknown as wg.Tensor, 'sum')).toThrow(wg.WasmgradError);
    });

    test('logcumsumexp: logaddexp(∞, ∞) is ∞, and elements before an ∞ keep their gradient', () => {
      const x = wg.tensor([1, Infinity, 2, Infinity, -Infinity, 3]);
      expect(flat(x.logcumsumexp(0))).toEqual([1, Infinity, Infinity, Infinity, Infinity, Infinity]);
      const z = wg.tensor([0.5, 1, Infinity], { requiresGrad: true });
      const y = z.logcumsumexp(0);
      expect(flat(y)[2]).toBe(Infinity);
      expectClose(flat(y).slice(0, 2), [0.5, 1.474077], 1e-6);
      y.mul(wg.tensor([1, 2, 3]))
        .sum()
        .backward();
      expectClose(flat(z.grad), [1.7550813, 1.2449187, NaN], 1e-6);
    });

    test('embedding paddingIdx (F.embedding padding_idx): the padding row gets no gradient', () => {
      const idx = wg.tensor(
        [
          [0, 2],
          [1, 1],
        ],
        { dtype: 'int32' },
      );
      const seed = wg.tensor([
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ]);
      for (const [paddingIdx, grad] of [
        [1, [1, 2, 0, 0, 3, 4]],
        [-1, [1, 2, 12, 14, 0, 0]],
      ] as const) {
        const w = wg.tensor(
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
          { requiresGrad: true },
        );
        const r = wg.embedding(idx, w, { paddingIdx });
        expect(flat(r)).toEqual([1, 2, 5, 6, 3, 4, 3, 4]);
        r.mul(seed).sum().backward();
        expect(flat(w.grad)).toEqual(grad);
      }
      const w = wg.ones([3, 2]);
      expect(() => wg.embedding(idx, w, { paddingIdx: 3 })).toThrow('wasmgrad.embedding: paddingIdx must be an integer in [-3, 2] or null, got 3');
      expect(() => wg.embedding(idx, w, { maxNorm: 1 } as never)).toThrow(wg.ValueError);
    });

    test('tril, triu, maskedFill take int32 and stay int32 (exact), as torch', () => {
      const x = wg.tensor(
        [
          [0, 1, 2, 3],
          [4, 5, 6, 7],
          [8, 9, 2147483647, -2147483648],
        ],
        { dtype: 'int32' },
      );
      const lo = x.tril(-1);
      expect(lo.dtype).toBe('int32');
      expect(flat(lo)).toEqual([0, 0, 0, 0, 4, 0, 0, 0, 8, 9, 0, 0]);
      expect(flat(x.triu(2))).toEqual([0, 0, 2, 3, 0, 0, 0, 7, 0, 0, 0, 0]);
      expect(
        flat(
          wg.tril(
            wg.tensor(
              [
                [
                  [1, 2],
                  [3, 4],
                ],
              ],
              { dtype: 'int32' },
            ),
          ),
        ),
      ).toEqual([1, 0, 3, 4]);
      expect(() => wg.tensor([1, 2], { dtype: 'int32' }).tril()).toThrow(wg.ShapeError);
      const y = wg.tensor([1, 2, 3], { dtype: 'int32' });
      const m = wg.tensor([1, 0, 1], { dtype: 'int32' });
      // torch.tensor([1, 2, 3], dtype=torch.int32).masked_fill(m, 2.7) → [2, 2, 2]; −2.7 → [−2, 2, −2]
      const f = y.maskedFill(m, 2.7);
      expect(f.dtype).toBe('int32');
      expect(flat(f)).toEqual([2, 2, 2]);
      expect(flat(y.maskedFill(m, -2.7))).toEqual([-2, 2, -2]);
      expect(flat(y.maskedFill(m, wg.tensor(5.9)))).toEqual([5, 2, 5]);
      expect(flat(y.maskedFill(wg.tensor([[1], [0]]), 7))).toEqual([7, 7, 7, 1, 2, 3]);
      expect(() => y.maskedFill(m, NaN)).toThrow("wasmgrad.maskedFill: value NaN cannot be converted to int32 (the input's dtype) without overflow");
      expect(() => y.maskedFill(m, 3e9)).toThrow(wg.ValueError);
    });

    test("slice with an omitted start or end is Python's x[:, :end] / x[:, start:]", () => {
      const x = wg.tensor([
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ]);
      expect(flat(x.slice(1, undefined, 2))).toEqual([1, 2, 5, 6]);
      expect(flat(x.slice(1, null, -1))).toEqual([1, 2, 3, 5, 6, 7]);
      expect(flat(x.slice(1, -1, null))).toEqual([4, 8]);
      expect(wg.slice(x, 0).shape).toEqual([2, 4]);
    });

    test("i0 past eˣ's float32 overflow: ∞ with a ±∞ gradient (was NaN), NaN at ±∞, as torch", () => {
      const x = wg.tensor([88.72283172607422, 88.72283935546875, 50, -20, 5, 1e38, -3.4e38, Infinity], { requiresGrad: true });
      const y = wg.i0(x);
      y.mul(wg.tensor([1, 1, 1, 0.5, 2, 1, 1, 1]))
        .sum()
        .backward();
      const [v, g] = [flat(y), flat(x.grad)];
      // torch.i0 and its gradient (·[1, 1, 1, 0.5, 2, …]) at the finite points 0, 2, 3, 4
      const at = (a: number[]) => [0, 2, 3, 4].map((i) => a[i]);
      expectClose(at(v), [1.443257857582666e37, 2.932553553968806e20, 43558276, 27.2398738861084], 2e-6);
      expectClose(at(g), [1.4351011597954974e37, 2.9030785499388287e20, -21227484, 48.67128372192383], 2e-6);
      expect([v[1], v[5], v[6], g[1], g[5], g[6]]).toEqual([Infinity, Infinity, Infinity, Infinity, Infinity, -Infinity]);
      expect(v[7]).toBeNaN();
      expect(g[7]).toBeNaN();
    });

    test("exp is finite up to float32's limit (88.7228), on the SIMD lanes too (was ∞ from 88.38)", () => {
      const x = wg.tensor([88, 88.375, 88.5, 88.6875, 88.72283172607422, 88.72283935546875, 89, -87.25]);
      const e = flat(x.exp());
      // torch.exp
      expectClose(
        e.filter((_, i) => i !== 5 && i !== 6),
        [1.6516362661361307e38, 2.40311668058754e38, 2.723087918012828e38, 3.2846709259524643e38, 3.402798519021476e38, 1.2817592975271242e-38],
        1e-6,
      );
      expect([e[5], e[6]]).toEqual([Infinity, Infinity]);
      expectClose(
        flat(x.neg().sigmoid()).slice(0, 5),
        [6.054601485195952e-39, 4.161263689794297e-39, 3.672301610145117e-39, 3.04444562930899e-39, 2.938758297831148e-39],
        1e-5,
      );
    });

    test('scans and sorts of a 0-d tensor take dim 0 or −1 only, as torch (dim 1 was accepted)', () => {
      const x = wg.tensor(2.5);
      expect(x.cumsum(-1).item()).toBe(2.5);
      expect(x.argsort({ dim: 0 }).item()).toBe(0);
      for (const f of [
        () => x.cumsum(1),
        () => x.cumprod(1),
        () => x.logcumsumexp(-2),
        () => x.argsort({ dim: 1 }),
        () => x.sort({ dim: 1 }),
        () => x.cummax(1),
      ])
        expect(f).toThrow(wg.ShapeError);
      expect(() => x.cumsum(1)).toThrow('wasmgrad.cumsum: dim 1 is out of range for a tensor of shape [] (expected an integer in [-1, 0])');
    });

    test('prod, cumprod, cummax, cummin take int32 and stay int32 (exact, wrapping as int32), as torch', () => {
      const x = wg.tensor(
        [
          [3, -7, 0, 5],
          [-1, 5, 2, 5],
          [2, 2, -3, 1],
        ],
        { dtype: 'int32' },
      );
      const p = x.prod(1);
      expect(p.dtype).toBe('int32');
      expect(flat(p)).toEqual([0, -50, -12]);
      expect(x.prod(0, true).shape).toEqual([1, 4]);
      expect(flat(x.prod(0, true))).toEqual([-6, -70, 0, 25]);
      expect(x.prod().item()).toBe(0);
      expect(
        wg
          .tensor([], { dtype: 'int32', shape: [0, 2] })
          .prod(0)
          .toArray(),
      ).toEqual([1, 1]);
      expect(flat(x.cumprod(1))).toEqual([3, -21, 0, 0, -1, -5, -10, -50, 2, 4, -12, -12]);
      const [mv, mi] = x.cummax(1);
      expect(mv.dtype).toBe('int32');
      expect(flat(mv)).toEqual([3, 3, 3, 5, -1, 5, 5, 5, 2, 2, 2, 2]);
      expect(flat(mi)).toEqual([0, 0, 0, 3, 0, 1, 1, 3, 0, 1, 1, 1]);
      const [nv, ni] = x.cummin(0);
      expect(flat(nv)).toEqual([3, -7, 0, 5, -1, -7, 0, 5, -1, -7, -3, 1]);
      expect(flat(ni)).toEqual([0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 2, 2]);
      // 65536² wraps to 0 in int32 (torch's int64 product cast to int32)
      const b = wg.tensor([65536, 65536, 3], { dtype: 'int32' });
      expect(b.prod().item()).toBe(0);
      expect(flat(b.cumprod(0))).toEqual([65536, 0, 0]);
      expect(() => x.cumprod(2)).toThrow(wg.ShapeError);
      expect(() => x.prod(2)).toThrow(wg.ShapeError);
    });

    test("add and sub take PyTorch's alpha (it was ignored): a ± alpha·b, with its gradient", () => {
      const a = wg.tensor([1, 2], { requiresGrad: true });
      const b = wg.tensor([3, 4], { requiresGrad: true });
      const y = wg.add(a, b, { alpha: 2 });
      expect(flat(y)).toEqual([7, 10]);
      y.sum().backward();
      expect([flat(a.grad), flat(b.grad)]).toEqual([
        [1, 1],
        [2, 2],
      ]);
      expect(flat(a.sub(b, { alpha: -0.5 }))).toEqual([2.5, 4]);
      // int32 stays int32: torch.sub(x, 2, alpha=3)
      const i = wg.tensor([5, -3, 0], { dtype: 'int32' });
      const r = wg.sub(i, 2, { alpha: 3 });
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([-1, -9, -6]);
      expect(() => wg.add(i, 2, { alpha: 1.5 })).toThrow('wasmgrad.add: alpha must be an integer for int32 operands, got 1.5');
      expect(() => wg.add(a, b, { alpha: NaN })).toThrow(wg.ValueError);
      expect(() => wg.add(a, b, { beta: 1 } as never)).toThrow(wg.ValueError);
      expect(flat(i.clone().add_(wg.tensor([1, 1, 1], { dtype: 'int32' }), { alpha: 2 }))).toEqual([7, -1, 2]);
      // handed to Array.prototype.reduce, the index in the third place is not an options object
      expect(flat([a, b, b].reduce(wg.add))).toEqual([7, 10]);
    });

    test('repeatInterleave takes an int32 tensor of counts, as torch (it was a ValueError)', () => {
      const x = wg.tensor(
        [
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ],
        { requiresGrad: true },
      );
      const r = x.repeatInterleave(wg.tensor([2, 0, 1, 3], { dtype: 'int32' }), 1);
      expect(r.shape).toEqual([2, 6]);
      expect(flat(r)).toEqual([1, 1, 3, 4, 4, 4, 5, 5, 7, 8, 8, 8]);
      r.mul(wg.arange(12).reshape(2, 6)).sum().backward();
      expect(flat(x.grad)).toEqual([1, 0, 2, 12, 13, 0, 8, 30]);
      // one count for all; without dim the flattened input
      expect(flat(wg.repeatInterleave(wg.tensor([1, 2]), wg.tensor([2], { dtype: 'int32' })))).toEqual([1, 1, 2, 2]);
      const c = wg.tensor([1, 2], { dtype: 'int32' });
      expect(() => x.repeatInterleave(c, 1)).toThrow('wasmgrad.repeatInterleave: repeats [2] must hold one count or 4 (the size of dim 1 of [2, 4])');
      expect(() => x.repeatInterleave(wg.tensor([1, -1]), 0)).toThrow(wg.DTypeError);
      expect(() => x.repeatInterleave(wg.tensor([1, -1], { dtype: 'int32' }), 0)).toThrow('wasmgrad.repeatInterleave: repeats must be ≥ 0, got [1, -1]');
    });

    test('elu, selu, celu, hardshrink pass the gradient at NaN as torch (its x ≤ 0 / |x| ≤ λ tests are false there); softshrink(NaN) is 0', () => {
      const seed = wg.tensor([1, 2, 3, 4, 5]);
      // torch 1.13's gradients of Σ seed·f(x) at x = [NaN, −1, 0, 0.5, 2]
      for (const [f, grad] of [
        [(x: wg.Tensor) => wg.elu(x), [1, 0.7357589, 3, 4, 5]],
        [(x: wg.Tensor) => wg.selu(x), [1.050701, 1.2935373, 5.2742977, 4.202804, 5.2535052]],
        [(x: wg.Tensor) => wg.celu(x, { alpha: 2 }), [1, 1.2130613, 3, 4, 5]],
        [(x: wg.Tensor) => wg.hardshrink(x), [1, 2, 0, 0, 5]],
      ] as const) {
        const x = wg.tensor([NaN, -1, 0, 0.5, 2], { requiresGrad: true });
        f(x).mul(seed).sum().backward();
        expectClose(flat(x.grad), grad, 1e-6);
      }
      // softshrink(NaN) is 0, as torch's (no comparison holds), with gradient 0
      const x = wg.tensor([NaN, -1, 0.25, 2], { requiresGrad: true });
      const y = wg.softshrink(x);
      expect(flat(y)).toEqual([0, -0.5, 0, 1.5]);
      y.sum().backward();
      expect(flat(x.grad)).toEqual([0, 1, 0, 1]);
    });

    test("std, var, varMean, stdMean take PyTorch's positional (unbiased) and (dim, unbiased, keepdim)", () => {
      const a = wg.tensor([
        [1, 2, 4],
        [3, 3, 9],
      ]);
      // torch: a.std(1, False, True), a.var(False), a.std(True), torch.var_mean(a, 0, False)
      const s = a.std(1, false, true);
      expect(s.shape).toEqual([2, 1]);
      expectClose(flat(s), [1.2472191, 2.8284271], 1e-6);
      expectClose([a.var(false).item(), a.std(true).item()], [6.5555553, 2.8047578], 1e-6);
      const [v, m] = wg.varMean(a, 0, false);
      expectClose([...flat(v), ...flat(m)], [1, 0.25, 6.25, 2, 2.5, 6.5], 1e-6);
      expect(() => a.std(true, { keepdim: true })).toThrow(wg.ValueError);
    });

    test('mish: the gradient is 1 for large x up to float32 max', () => {
      const x = wg.tensor([30, 1e10, 1e20, 3.4e38], { requiresGrad: true });
      wg.mish(x).sum().backward();
      expectClose(flat(x.grad), [1, 1, 1, 1], 1e-6);
    });
  });
}
