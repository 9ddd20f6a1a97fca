/**
 * Hand-checked values of median, nanmedian, kthvalue, mode, msort, quantile, nanquantile, nansum,
 * nanmean, countNonzero, aminmax and takeAlongDim: values, int32 indices and gradients from
 * PyTorch 1.13 (the gradient of Σ y·[1, 2, 3, …]), on both backends; NaN, ties, and every error
 * path of src/api/statistics.ts and src/ops/statistics.ts.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { apply } from '../../src/engine/engine.js';
import { op } from '../../src/ops/index.js';
import { expectClose } from '../helpers/expect.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const X = [
  [0.5, -1.25, 3.0, 2.0, -0.75, 1.5, 0.25],
  [4.0, 1.0, -2.0, 0.0, 3.5, -1.0, 2.5],
  [1.75, -0.5, 0.75, -3.0, 2.25, 1.25, -2.5],
];
const N = [
  [1, NaN, 3, 2],
  [NaN, NaN, NaN, NaN],
  [4, NaN, NaN, 1],
  [2, 5, 1, 3],
];
const M = [
  [1, 2, 2, 1, 3, 3, 1],
  [5, 4, 4, 5, 6, 6, 0],
  [NaN, 2, NaN, 2, 7, 7, 7],
];

/** y = f(x), seeded with [1, 2, 3, …]: y's values and shape, the indices if it has them, x's gradient. */
function run(f: (x: wg.Tensor) => wg.Tensor | wg.ValuesIndices, x: number[][]) {
  const t = wg.tensor(x, { requiresGrad: true });
  const r = f(t);
  const y = r instanceof wg.Tensor ? r : r.values;
  y.backward(Array.from({ length: y.size }, (_, k) => k + 1));
  const indices = r instanceof wg.Tensor ? undefined : r.indices;
  if (indices) {
    expect(indices.dtype).toBe('int32');
    expect(indices.shape).toEqual(y.shape);
  }
  return { shape: y.shape, v: Array.from(y.data()), i: indices && Array.from(indices.data()), g: Array.from(t.grad!.data()) };
}

/** A gradient with `value` at the given flat positions of a [rows, cols] input, 0 elsewhere. */
const at = (n: number, entries: Record<number, number>) => Array.from({ length: n }, (_, k) => entries[k] ?? 0);

for (const be of ['wasm', 'reference'] as const) {
  describe(`statistics on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('median: all elements (0-d) and along a dim, the gradient to the chosen element', () => {
      let r = run((x) => x.median(), X);
      expect(r.shape).toEqual([]);
      expectClose(r.v, [0.75]);
      expectClose(r.g, at(21, { 16: 1 }));
      r = run((x) => wg.median(x, 1), X);
      expectClose(r.v, [0.5, 1, 0.75]);
      expect(r.i).toEqual([0, 1, 2]);
      expectClose(r.g, at(21, { 0: 1, 8: 2, 16: 3 }));
      r = run((x) => x.median(0, true), X);
      expect(r.shape).toEqual([1, 7]);
      expectClose(r.v, [1.75, -0.5, 0.75, 0, 2.25, 1.25, 0.25]);
      expect(r.i).toEqual([2, 2, 2, 1, 2, 2, 0]);
      expectClose(r.g, [0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 4, 0, 0, 0, 1, 2, 3, 0, 5, 6, 0]);
    });

    test('median with NaN: NaN at the first NaN; nanmedian: the median of the rest', () => {
      let r = run((x) => x.median(1), N);
      expectClose(r.v, [NaN, NaN, NaN, 2]);
      expect(r.i).toEqual([1, 0, 1, 0]);
      expectClose(r.g, at(16, { 1: 1, 4: 2, 9: 3, 12: 4 }));
      r = run((x) => wg.nanmedian(x, 1), N);
      expectClose(r.v, [2, NaN, 1, 2]);
      // PyTorch's index in the all-NaN row comes from its selection algorithm (2 here, 0 for
      // [NaN, NaN]); ours is the first NaN
      expect(r.i).toEqual([3, 0, 3, 0]);
      expectClose(r.g, at(16, { 3: 1, 4: 2, 11: 3, 12: 4 }));
      // over all elements the gradient is shared by the elements equal to the result (the NaNs, for NaN)
      r = run((x) => x.median(), N);
      expectClose(r.v, [NaN]);
      expectClose(
        r.g,
        [0, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0].map((v) => v / 7),
      );
      r = run((x) => wg.nanmedian(x), N);
      expectClose(r.v, [2]);
      expectClose(r.g, at(16, { 3: 0.5, 12: 0.5 }));
      expectClose(Array.from(wg.median(wg.zeros([0])).data()), [NaN]);
      expectClose(Array.from(wg.nanmedian(wg.tensor([NaN, NaN])).data()), [NaN]);
      expect(wg.median(wg.zeros([0, 3]), 1).values.shape).toEqual([0]);
    });

    test('kthvalue: the k-th smallest along a dim (default −1), NaN the largest', () => {
      let r = run((x) => x.kthvalue(3), X);
      expectClose(r.v, [0.25, 0, -0.5]);
      expect(r.i).toEqual([6, 3, 1]);
      expectClose(r.g, at(21, { 6: 1, 10: 2, 15: 3 }));
      r = run((x) => wg.kthvalue(x, 2, 0, true), X);
      expect(r.shape).toEqual([1, 7]);
      expectClose(r.v, [1.75, -0.5, 0.75, 0, 2.25, 1.25, 0.25]);
      expect(r.i).toEqual([2, 2, 2, 1, 2, 2, 0]);
      r = run((x) => x.kthvalue(3, 1), N);
      expectClose(r.v, [3, NaN, NaN, 3]);
      // rows 1 and 2 pick among equal NaNs: PyTorch gives index 2 in both, we the stable sort's
      expect([r.i![0], r.i![3]]).toEqual([2, 3]);
      expect(N[1][r.i![1]]).toBeNaN();
      expect(N[2][r.i![2]]).toBeNaN();
      const [v, i] = wg.tensor(2.5).kthvalue(1);
      expect(v.shape).toEqual([]);
      expect(Array.from(i.data())).toEqual([0]);
    });

    test('mode: the smallest most frequent value, at its last index; each NaN counts alone', () => {
      let r = run((x) => x.mode(1), M);
      expectClose(r.v, [1, 4, 7]);
      expect(r.i).toEqual([6, 2, 6]);
      expectClose(r.g, at(21, { 6: 1, 9: 2, 20: 3 }));
      r = run((x) => wg.mode(x, 0, true), M);
      expect(r.shape).toEqual([1, 7]);
      expectClose(r.v, [1, 2, 2, 1, 3, 3, 0]);
      expect(r.i).toEqual([0, 2, 0, 0, 0, 0, 1]);
      expectClose(r.g, [1, 0, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 7, 0, 2, 0, 0, 0, 0, 0]);
      r = run((x) => x.mode(), X);
      expectClose(r.v, [-1.25, -2, -3]);
      expect(r.i).toEqual([1, 2, 3]);
      const m = wg.tensor([1, 1, 2, 2, 3, 3, 1, 2]).mode();
      expect([m.values.item(), m.indices.item()]).toEqual([1, 6]);
      const n = wg.tensor([NaN, NaN]).mode();
      expect(n.values.item()).toBeNaN();
      expect(n.indices.item()).toBe(0);
    });

    test('msort sorts along dim 0', () => {
      const r = run((x) => x.msort(), X);
      expectClose(r.v, [0.5, -1.25, -2, -3, -0.75, -1, -2.5, 1.75, -0.5, 0.75, 0, 2.25, 1.25, 0.25, 4, 1, 3, 2, 3.5, 1.5, 2.5]);
      expectClose(r.g, [1, 2, 17, 18, 5, 20, 14, 15, 16, 3, 11, 19, 6, 21, 8, 9, 10, 4, 12, 13, 7]);
    });

    test('quantile: the five interpolations along a dim, q first in the result', () => {
      const q = wg.tensor([0, 0.25, 0.6, 1]);
      const want: Record<string, { v: number[]; g: number[] }> = {
        linear: {
          v: [-1.25, -2, -3, -0.25, -0.5, -1.5, 1.1, 1.9, 1.05, 3, 4, 2.25],
          g: [2.8, 1, 10, 0, 2, 4.2, 2, 11, 3.2, 2, 2.5, 0, 2.5, 4.8, 0, 3, 3.6, 3, 12, 5.4, 3],
        },
        lower: { v: [-1.25, -2, -3, -0.75, -1, -2.5, 0.5, 1, 0.75, 3, 4, 2.25], g: [7, 1, 10, 0, 4, 0, 0, 11, 8, 2, 0, 0, 5, 0, 0, 0, 9, 3, 12, 0, 6] },
        higher: { v: [-1.25, -2, -3, 0.25, 0, -0.5, 1.5, 2.5, 1.25, 3, 4, 2.25], g: [0, 1, 10, 0, 0, 7, 4, 11, 0, 2, 5, 0, 0, 8, 0, 6, 0, 3, 12, 9, 0] },
        midpoint: {
          v: [-1.25, -2, -3, -0.25, -0.5, -1.5, 1, 1.75, 1, 3, 4, 2.25],
          g: [3.5, 1, 10, 0, 2, 3.5, 2, 11, 4, 2, 2.5, 0, 2.5, 4, 0, 3, 4.5, 3, 12, 4.5, 3],
        },
        nearest: { v: [-1.25, -2, -3, 0.25, 0, -0.5, 1.5, 2.5, 1.25, 3, 4, 2.25], g: [0, 1, 10, 0, 0, 7, 4, 11, 0, 2, 5, 0, 0, 8, 0, 6, 0, 3, 12, 9, 0] },
      };
      for (const [interpolation, w] of Object.entries(want)) {
        const r = run((x) => x.quantile(q, { dim: 1, interpolation: interpolation as wg.Interpolation }), X);
        expect(r.shape).toEqual([4, 3]);
        expectClose(r.v, w.v, 1e-6);
        expectClose(r.g, w.g, 1e-5);
      }
    });

    test('quantile: all elements, keepdim, a number or a list as q', () => {
      let r = run((x) => wg.quantile(x, 0.3), X);
      expect(r.shape).toEqual([]);
      expectClose(r.v, [-0.5]);
      expectClose(r.g, at(21, { 15: 1 }));
      r = run((x) => x.quantile([0.5, 0.9], { dim: 0, keepdim: true }), X);
      expect(r.shape).toEqual([2, 1, 7]);
      expectClose(r.v, [1.75, -0.5, 0.75, 0, 2.25, 1.25, 0.25, 3.55, 0.7, 2.55, 1.6, 3.25, 1.45, 2.05], 1e-6);
      expectClose(r.g, [0, 0, 8, 8.8, 0, 10.4, 9.8, 6.4, 7.2, 0, 6.2, 9.6, 0, 11.2, 2.6, 3.8, 5, 0, 7.4, 8.6, 0], 1e-5);
      expect(wg.quantile(wg.tensor(X), 0.5, { keepdim: true }).shape).toEqual([1, 1]);
      expect(wg.quantile(wg.tensor(X), 0.5, 1).shape).toEqual([3]);
      // torch's positional keepdim after a number dim (it was silently ignored): torch.quantile(x, 0.5, 0, True)
      const p = wg.tensor([
        [1, 5, 2, 8],
        [3, 0, 7, 4],
        [6, 9, 1, 2],
      ]);
      expect(wg.quantile(p, 0.5, 0, true).toArray()).toEqual([[3, 5, 2, 4]]);
      expect(p.nanquantile(0.25, 1, true).toArray()).toEqual([[1.75], [2.25], [1.75]]);
      expect(() => p.quantile(0.5, { dim: 0 }, true)).toThrow(
        new wg.ValueError('quantile', 'the options object must be the last argument, got [0.5, {dim: 0}, true]'),
      );
      expect(wg.quantile(wg.tensor(2.5), [0.1, 0.7]).toArray()).toEqual([2.5, 2.5]);
    });

    test('quantile with NaN gives NaN; nanquantile ranks the rest', () => {
      const q = [0.2, 0.5];
      let r = run((x) => x.quantile(q, { dim: 1 }), N);
      expectClose(r.v, [NaN, NaN, NaN, 1.6, NaN, NaN, NaN, 2.5], 1e-6);
      expectClose(r.g, [0, 6, 0, 0, 0, 0, 0, 8, 0, 0, 10, 0, 6.4, 0, 1.6, 4], 1e-5);
      r = run((x) => wg.nanquantile(x, q, { dim: 1 }), N);
      expectClose(r.v, [1.4, NaN, 1.6, 1.6, 2, NaN, 2.5, 2.5], 1e-6);
      expectClose(r.g, [0.6, 0, 0, 5.4, 8, 0, 0, 0, 4.1, 0, 0, 5.9, 6.4, 0, 1.6, 4], 1e-5);
      r = run((x) => x.nanquantile(q, { dim: 1, interpolation: 'nearest' }), N);
      expectClose(r.v, [1, NaN, 1, 2, 2, NaN, 1, 3]);
      expectClose(r.g, [1, 0, 0, 5, 8, 0, 0, 0, 0, 0, 0, 10, 4, 0, 0, 8]);
    });

    test('nansum and nanmean skip NaN (gradient 0 there)', () => {
      let r = run((x) => x.nansum(), N);
      expectClose(r.v, [22]);
      expectClose(r.g, [1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1]);
      r = run((x) => wg.nansum(x, 1), N);
      expectClose(r.v, [6, 0, 5, 11]);
      expectClose(r.g, [1, 0, 1, 1, 0, 0, 0, 0, 3, 0, 0, 3, 4, 4, 4, 4]);
      r = run((x) => x.nansum(0, true), N);
      expect(r.shape).toEqual([1, 4]);
      expectClose(r.v, [7, 5, 4, 6]);
      r = run((x) => wg.nanmean(x), N);
      expectClose(r.v, [22 / 9]);
      expectClose(
        r.g,
        [1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1].map((v) => v / 9),
      );
      r = run((x) => x.nanmean(1), N);
      expectClose(r.v, [2, NaN, 2.5, 2.75]);
      // (PyTorch's gradient in the all-NaN row is NaN, from 0·∞; ours is 0 there as at every NaN)
      expectClose([...r.g.slice(0, 4), ...r.g.slice(8)], [1 / 3, 0, 1 / 3, 1 / 3, 1.5, 0, 0, 1.5, 1, 1, 1, 1]);
      expect(wg.nanmean(wg.tensor(N), [0, 1], true).shape).toEqual([1, 1]);
      expect(wg.nansum(wg.tensor([[1, 2]], { dtype: 'int32' })).dtype).toBe('int32');
    });

    test('countNonzero counts NaN as nonzero; int32 too', () => {
      const z = wg.tensor([
        [0, 1, NaN],
        [0, 0, -2],
      ]);
      const c = wg.countNonzero(z);
      expect(c.dtype).toBe('int32');
      expect(c.item()).toBe(3);
      expect(z.countNonzero(0).toArray()).toEqual([0, 1, 2]);
      expect(z.countNonzero([0, 1]).item()).toBe(3);
      expect(
        wg
          .tensor(
            [
              [0, 3, 0],
              [-1, 0, 0],
            ],
            { dtype: 'int32' },
          )
          .countNonzero(1)
          .toArray(),
      ).toEqual([1, 1]);
    });

    test('aminmax returns (min, max)', () => {
      const x = wg.tensor(X);
      const [lo, hi] = wg.aminmax(x);
      expect([lo.item(), hi.item()]).toEqual([-3, 4]);
      const r = x.aminmax({ dim: 1, keepdim: true });
      expect(r.min.toArray()).toEqual([[-1.25], [-2], [-3]]);
      expect(r.max.toArray()).toEqual([[3], [4], [2.25]]);
      expect(wg.aminmax(wg.tensor([3, 1, 2], { dtype: 'int32' })).max.dtype).toBe('int32');
    });

    test('takeAlongDim: along a dim with broadcasting, or flattened; gradient as gather', () => {
      const idx = (v: number[][] | number[]) => wg.tensor(v, { dtype: 'int32' });
      let r = run(
        (x) =>
          x.takeAlongDim(
            idx([
              [0, 6, 2],
              [1, 1, 5],
              [3, 0, 0],
            ]),
            1,
          ),
        X,
      );
      expectClose(r.v, [0.5, 0.25, 3, 1, 1, -1, -3, 1.75, 1.75]);
      expectClose(r.g, [1, 0, 3, 0, 0, 0, 2, 0, 9, 0, 0, 0, 6, 0, 17, 0, 0, 7, 0, 0, 0]);
      r = run((x) => wg.takeAlongDim(x, idx([[2, 0, 1, 2, 0, 1, 1]]), 0), X);
      expectClose(r.v, [1.75, -1.25, -2, -3, -0.75, -1, 2.5]);
      r = run((x) => x.takeAlongDim(idx([20, 0, 7])), X);
      expectClose(r.v, [-2.5, 0.5, 4]);
      expectClose(r.g, at(21, { 0: 2, 7: 3, 20: 1 }));
      // x [1, 7] broadcasts against indices [2, 1] outside the dim
      expect(wg.takeAlongDim(wg.tensor([X[0]]), idx([[1], [3]]), 1).toArray()).toEqual([[-1.25], [2]]);
    });

    test('cov: rows are variables; correction, frequency and observation weights; corrcoef', () => {
      const fweights = wg.tensor([1, 2, 0, 3, 1, 1, 2], { dtype: 'int32' });
      const aweights = wg.tensor([0.5, 1, 2, 0.25, 1.5, 1, 0.75]);
      let r = run((x) => x.cov(), X);
      expect(r.shape).toEqual([3, 3]);
      expectClose(r.v, [2.291667, -2.458333, -0.447917, -2.458333, 5.226191, 0.895834, -0.447917, 0.895834, 4.291667], 1e-6);
      expectClose(
        r.g,
        [
          5.690476, -1.642857, -1.142857, -5.726191, 5.607143, 0.190476, -2.976191, 8.595239, -3.404762, -1.238095, -7.654762, 7.678571, 0.095238, -4.071429,
          11.5, -5.166667, -1.333333, -9.583334, 9.75, 0, -5.166667,
        ],
        1e-5,
      );
      r = run((x) => wg.cov(x, { correction: 0, fweights, aweights }), X);
      expectClose(r.v, [1.301724, -0.827586, -0.607759, -0.827586, 2.605232, 0.85107, -0.607759, 0.85107, 3.724435], 1e-6);
      expectClose(
        r.g,
        [
          2.388823, -2.582639, 0, -3.502973, 7.06302, 0.225922, -3.592152, 3.713437, -5.008324, 0, -4.516052, 10.002378, 0.39239, -4.583829, 5.03805, -7.434008,
          0, -5.529132, 12.941735, 0.558858, -5.575505,
        ],
        1e-5,
      );
      r = run((x) => x.cov({ fweights, correction: 2 }), X);
      expectClose(r.v, [1.944531, -1.307813, -1.477344, -1.307813, 3.190625, 1.660938, -1.477344, 1.660938, 5.022656], 1e-6);
      // aweights receive a gradient too (they are float32, as PyTorch's)
      const a = wg.tensor([0.5, 1, 2, 0.25, 1.5, 1, 0.75], { requiresGrad: true });
      const c = wg.cov(wg.tensor(X), { aweights: a });
      expectClose(Array.from(c.data()), [3.261266, -3.80192, -0.073472, -3.80192, 6.549766, 0.533307, -0.073472, 0.533307, 2.958856], 1e-6);
      c.backward(Array.from({ length: 9 }, (_, k) => k + 1));
      expectClose(Array.from(a.grad!.data()), [10.7105, -2.134393, -4.336719, 9.981696, 7.552846, -7.236275, -1.514453], 1e-5);
      // one variable: 0-d; no degrees of freedom left: ∞ (PyTorch's divisor 0)
      r = run((x) => wg.cov(x), [X[0]]);
      expect(r.shape).toEqual([]);
      expectClose(r.v, [2.291667], 1e-6);
      expectClose(r.g, [-0.083333, -0.666667, 0.75, 0.416667, -0.5, 0.25, -0.166667], 1e-5);
      expect(wg.cov(wg.tensor([[1, 2]]), { correction: 2 }).item()).toBe(Infinity);
      r = run((x) => x.corrcoef(), X);
      expectClose(r.v, [1, -0.71035, -0.142826, -0.71035, 1, 0.189157, -0.142826, 0.189157, 1], 1e-6);
      expectClose(
        r.g,
        [
          1.65216, -1.134692, 0.421589, -1.407271, 1.256099, 0.355501, -1.143386, 0.937016, -0.831608, 0.857908, -1.175687, 0.796431, 0.722286, -1.306345,
          1.191908, -1.10959, -0.388221, 0.243366, 0.257567, -0.716393, 0.521363,
        ],
        1e-5,
      );
      expect(wg.corrcoef(wg.tensor(X[0])).item()).toBe(1);
      // int32 observations are cast, as torch.cov(torch.tensor([[1, 2, 4], [0, 5, 1]], dtype=torch.int32)) (float32)
      const xi = wg.tensor(
        [
          [1, 2, 4],
          [0, 5, 1],
        ],
        { dtype: 'int32' },
      );
      const ci = xi.cov();
      expect(ci.dtype).toBe('float32');
      const closeTo = (t: wg.Tensor, want: number[]) => Array.from(t.data()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
      closeTo(ci, [2.3333334922790527, 0, 0, 7]);
      closeTo(wg.corrcoef(xi), [1, 0, 0, 1]);
    });

    test('cov errors', () => {
      const x = wg.tensor(X);
      expect(() => wg.cov(wg.zeros([2, 2, 2]))).toThrow(
        new wg.ShapeError('cov', 'the input must have at most 2 dims (variables × observations), got a tensor of shape [2, 2, 2]'),
      );
      expect(() => wg.corrcoef(wg.zeros([2, 2, 2]))).toThrow(wg.ShapeError);
      expect(() => x.cov({ correction: NaN })).toThrow(new wg.ValueError('cov', 'correction must be a finite number, got NaN'));
      expect(() => x.cov({ fweights: wg.tensor([1, 2]) })).toThrow(
        new wg.DTypeError('cov', 'fweights must be an int32 tensor, got a float32 tensor of shape [2]'),
      );
      expect(() => x.cov({ aweights: wg.tensor([1, 2], { dtype: 'int32' }) })).toThrow(
        new wg.DTypeError('cov', 'aweights must be a float32 tensor, got an int32 tensor of shape [2]'),
      );
      expect(() => x.cov({ fweights: wg.tensor([1, 2], { dtype: 'int32' }) })).toThrow(
        new wg.ShapeError('cov', 'fweights must be 1-D with one weight per observation (7), got shape [2]'),
      );
      expect(() => x.cov({ aweights: wg.tensor([1, 1, 1, -1, 1, 1, 1]) })).toThrow(new wg.ValueError('cov', 'aweights must be ≥ 0, got -1 at aweights[3]'));
      expect(() => x.cov({ fweights: wg.tensor([1, 1, 1, 1, 1, 1, -2], { dtype: 'int32' }) })).toThrow(
        new wg.ValueError('cov', 'fweights must be ≥ 0, got -2 at fweights[6]'),
      );
      expect(() => x.cov({ ddof: 1 } as never)).toThrow("wasmgrad.cov: unknown option 'ddof' (the options are correction, fweights, aweights)");
      // torch: RuntimeError cov(): weights sum to zero, can't be normalized
      expect(() => x.cov({ fweights: wg.tensor([0, 0, 0, 0, 0, 0, 0], { dtype: 'int32' }) })).toThrow(
        new wg.ValueError('cov', 'the weights sum to 0 (fweights × aweights over 7 observations): the covariance cannot be normalized'),
      );
      expect(() => x.cov({ fweights: wg.tensor([1, 0, 0, 0, 0, 0, 0], { dtype: 'int32' }), aweights: wg.tensor([0, 1, 1, 1, 1, 1, 1]) })).toThrow(
        /wasmgrad\.cov: the weights sum to 0/,
      );
    });

    test('searchsorted and bucketize: left and right, rows, sorter, numbers, NaN at the end', () => {
      const s = wg.tensor([1, 3, 5, 7, 9]);
      const v = wg.tensor([
        [3, 6, 9],
        [3, NaN, 0],
      ]);
      const left = wg.searchsorted(s, v);
      expect(left.dtype).toBe('int32');
      expect(left.toArray()).toEqual([
        [1, 3, 4],
        [1, 5, 0],
      ]);
      expect(wg.searchsorted(s, v, { right: true }).toArray()).toEqual([
        [2, 3, 5],
        [2, 5, 0],
      ]);
      const rows = wg.tensor([
        [1, 3, 5, 7, 9],
        [2, 4, 6, 8, 10],
      ]);
      expect(
        wg
          .searchsorted(
            rows,
            wg.tensor([
              [3, 6, 9],
              [3, 6, 9],
            ]),
            { side: 'right' },
          )
          .toArray(),
      ).toEqual([
        [2, 3, 5],
        [1, 3, 4],
      ]);
      const sorter = wg.tensor([1, 3, 0, 4, 2], { dtype: 'int32' });
      expect(wg.searchsorted(wg.tensor([5, 1, 9, 3, 7]), wg.tensor([3, 6]), { sorter }).toArray()).toEqual([1, 3]);
      const one = wg.searchsorted(wg.tensor([1, 3, 5]), 4);
      expect([one.shape, one.item()]).toEqual([[], 2]);
      expect(wg.searchsorted(wg.tensor([1, 3, 5], { dtype: 'int32' }), wg.tensor([3], { dtype: 'int32' })).toArray()).toEqual([1]);
      const x = wg.tensor([
        [1, 3, 6],
        [9, 0, 5],
      ]);
      expect(wg.bucketize(x, s).toArray()).toEqual([
        [0, 1, 3],
        [4, 0, 2],
      ]);
      expect(wg.bucketize(x, s, { right: true }).toArray()).toEqual([
        [1, 2, 3],
        [5, 0, 3],
      ]);
    });

    test('histc: edges, the last bin takes max, outliers skipped, NaN in the first bin, the data range for min = max', () => {
      // PyTorch 1.13 counts a NaN in the first bin
      expect(wg.histc(wg.tensor([1, 2, 1, 4, 2.5, NaN]), { bins: 4, min: 0, max: 3 }).toArray()).toEqual([1, 2, 1, 1]);
      expect(wg.histc(wg.tensor([1, 2, 1, 4, 2.5]), { bins: 4, min: 0, max: 3 }).toArray()).toEqual([0, 2, 1, 1]);
      expect(wg.tensor([1, 2, 1, 4, 2.5]).histc({ bins: 4 }).toArray()).toEqual([2, 1, 1, 1]);
      expect(wg.histc(wg.tensor([2, 2, 2]), { bins: 4 }).toArray()).toEqual([0, 0, 3, 0]);
      expect(wg.histc(wg.tensor([2, 2, 2]), { bins: 4, min: 3, max: 3 }).toArray()).toEqual([0, 0, 3, 0]);
      expect(wg.histc(wg.tensor([0, 0.1, 0.2, 0.3, 0.7, 1]), { bins: 10, min: 0, max: 1 }).toArray()).toEqual([1, 1, 1, 1, 0, 0, 0, 1, 0, 1]);
      const h = wg.histc(wg.zeros([0]));
      expect([h.shape, h.dtype, wg.sum(h).item()]).toEqual([[100], 'float32', 0]);
    });

    test('histogram: equal bins over a range or the data, given edges, weights and density; NaN and outliers not counted', () => {
      const x = wg.tensor([1, 2, 1, 2.5, 4, -1, 7]);
      const got = (r: wg.HistogramResult) => [r.hist.toArray(), r.binEdges.toArray(), r.hist.dtype, r.hist.requiresGrad];
      // torch.histogram(x, 3, range=(0., 3.)): the last bin holds its right edge (x = 3 would count), 4, 7 and −1 are outside
      expect(got(wg.histogram(x, 3, { range: [0, 3] }))).toEqual([[0, 2, 2], [0, 1, 2, 3], 'float32', false]);
      // the data's range [−1, 7]: edges linspace(−1, 7, 4) in float32
      const d = wg.histogram(x, 3);
      expect(d.hist.toArray()).toEqual([3, 3, 1]);
      expectClose(d.binEdges.data(), [-1, 1.6666667461395264, 4.3333330154418945, 7], 1e-6);
      // edges given; weights and density: hist / (Σ hist · widths) = [0, 0.2667, 0.4]
      const edges = wg.tensor([0, 1, 2.5, 4]);
      expect(got(wg.histogram(x, edges))).toEqual([[0, 3, 2], [0, 1, 2.5, 4], 'float32', false]);
      const w = wg.tensor([1, 2, 3, 4, 5, 6, 7]);
      expectClose(wg.histogram(x, edges, { weight: w, density: true }).hist.data(), [0, 0.2666666805744171, 0.4000000059604645], 1e-6);
      // equal ends widen by 0.5 each way; no data gives [0, 1]; a method, any shape, unpacked as torch's tuple
      expect(got(wg.histogram(wg.tensor([1, 1]), 2))).toEqual([[0, 2], [0.5, 1, 1.5], 'float32', false]);
      expect(got(wg.histogram(wg.zeros([0]), 2))).toEqual([[0, 0], [0, 0.5, 1], 'float32', false]);
      const [hist, binEdges] = wg
        .tensor([
          [1, 2],
          [3, 4],
        ])
        .histogram(2);
      expect([hist.toArray(), binEdges.toArray()]).toEqual([
        [2, 2],
        [1, 2.5, 4],
      ]);
      // NaN and ±∞ are outside; a NaN weight of a counted element makes its bin NaN (torch: hist [0, nan])
      expect(wg.histogram(wg.tensor([1, Infinity, NaN, 2, -Infinity]), 2, { range: [0, 2] }).hist.toArray()).toEqual([0, 2]);
      expect(wg.histogram(wg.tensor([1, 2, 3]), 2, { range: [0, 2], weight: wg.tensor([NaN, 1, NaN]) }).hist.toArray()).toEqual([0, NaN]);
      expect(wg.histogram(wg.tensor([0.25, 0.5, 0.75, 1]), 4, { range: [0, 1] }).hist.toArray()).toEqual([0, 1, 1, 2]);
      // float32 data on float32 edges (WASM) tie as torch's: 0.3 is the edge linspace(0, 1, 11)[3]; the float64
      // reference compares the unrounded values (0.3 < 0.30000000000000004: bin 2)
      if (be === 'wasm') expect(wg.histogram(wg.tensor([0, 0.1, 0.2, 0.3, 0.7, 1]), 10).hist.toArray()).toEqual([1, 1, 1, 1, 0, 0, 0, 1, 0, 1]);
      // errors, as torch's
      expect(() => wg.histogram(x, 0)).toThrow('wasmgrad.histogram: bins must be an integer ≥ 1, got 0');
      expect(() => wg.histogram(x, 2, { range: [3, 1] })).toThrow("wasmgrad.histogram: range's min must not exceed its max, got [3, 1]");
      expect(() => wg.histogram(wg.tensor([1, Infinity]), 2)).toThrow(
        'wasmgrad.histogram: the range [1, Infinity] is not finite (the data holds NaN or ±∞: give a range)',
      );
      expect(() => wg.histogram(x, edges, { range: [0, 1] })).toThrow('range applies to a number of bins');
      expect(() => wg.histogram(x, wg.tensor([1]))).toThrow('wasmgrad.histogram: bins must be a 1-D tensor of at least 2 edges, got shape [1]');
      expect(() => wg.histogram(x, wg.tensor([0, 1], { dtype: 'int32' }))).toThrow(wg.DTypeError);
      expect(() => wg.histogram(wg.tensor([1, 2], { dtype: 'int32' }), 2)).toThrow(wg.DTypeError);
      expect(() => wg.histogram(x, 2, { weight: wg.ones([2]) })).toThrow(
        "wasmgrad.histogram: weight must be a float32 tensor of the input's shape [7], got float32 [2]",
      );
    });

    test('int32 median, nanmedian, kthvalue, mode, msort: int32 values and indices, exact (PyTorch 1.13 values)', () => {
      const x = wg.tensor(
        [
          [7, -2, 7, 4, -2, 9, 0],
          [1, 1, 1, 1, 1, 1, 1],
          [-5, 3, 8, 3, -5, 2, 3],
        ],
        { dtype: 'int32' },
      );
      const got = (r: wg.ValuesIndices) => [r.values.dtype, r.values.shape, r.values.toArray(), r.indices.toArray()];
      expect(got(x.median(0, true))).toEqual(['int32', [1, 7], [[1, 1, 7, 3, -2, 2, 1]], [[1, 1, 0, 2, 0, 2, 1]]]);
      expect(got(wg.nanmedian(x, 1))).toEqual(['int32', [3], [4, 1, 3], [3, 3, 1]]);
      expect(got(x.mode(0))).toEqual(['int32', [7], [-5, -2, 1, 1, -5, 1, 0], [2, 0, 1, 1, 2, 1, 0]]);
      expect(got(wg.mode(x))).toEqual(['int32', [3], [-2, 1, 3], [4, 6, 6]]);
      const k = x.kthvalue(2);
      expect(k.values.toArray()).toEqual([-2, 1, -5]);
      // among equal values the stable sort's (PyTorch's quickselect gives [1, 4, 4])
      expect(k.indices.toArray()).toEqual([4, 1, 4]);
      const m = wg.median(x);
      expect([m.dtype, m.shape, m.item()]).toEqual(['int32', [], 1]);
      expect(x.nanmedian().item()).toBe(1);
      expect(wg.msort(x).toArray()).toEqual([
        [-5, -2, 1, 1, -5, 1, 0],
        [1, 1, 7, 3, -2, 2, 1],
        [7, 3, 8, 4, 1, 9, 3],
      ]);
      // values past 2²⁴ stay distinct (float32 would merge 16777217 into 16777216)
      const big = wg.mode(wg.tensor([16777217, 16777216, 16777217, 16777216, 16777216], { dtype: 'int32' }));
      expect([big.values.item(), big.indices.item()]).toEqual([16777216, 4]);
      expect(
        wg
          .tensor([2 ** 31 - 1, -(2 ** 31), 2 ** 31 - 1], { dtype: 'int32' })
          .mode()
          .values.item(),
      ).toBe(2 ** 31 - 1);
      const [v, i] = wg.median(wg.tensor(7, { dtype: 'int32' }), 0);
      expect([v.shape, v.item(), i.item()]).toEqual([[], 7, 0]);
      expect(x.median(1).values.requiresGrad).toBe(false);
    });

    test('nonzero and argwhere: coordinates in row-major order (NaN counts), or one tensor per dim', () => {
      const x = wg.tensor([
        [0, 1, 0],
        [NaN, 0, 2],
      ]);
      const n = wg.nonzero(x) as wg.Tensor;
      expect(n.dtype).toBe('int32');
      expect(n.toArray()).toEqual([
        [0, 1],
        [1, 0],
        [1, 2],
      ]);
      expect((x.nonzero({ asTuple: true }) as wg.Tensor[]).map((t) => t.toArray())).toEqual([
        [0, 1, 1],
        [1, 0, 2],
      ]);
      expect((wg.nonzero(wg.tensor(3)) as wg.Tensor).shape).toEqual([1, 0]);
      expect((wg.nonzero(wg.tensor(3), { asTuple: true }) as wg.Tensor[]).map((t) => t.toArray())).toEqual([[0]]);
      expect((wg.nonzero(wg.zeros([2, 3])) as wg.Tensor).shape).toEqual([0, 2]);
      expect(wg.argwhere(wg.tensor([0, 4, 0, 5], { dtype: 'int32' })).toArray()).toEqual([[1], [3]]);
    });

    test('unique and uniqueConsecutive, with inverse and counts', () => {
      const [u, inv, counts] = wg.unique(wg.tensor([3, 1, 1, 3, 2]), { returnInverse: true, returnCounts: true }) as wg.Tensor[];
      expect(u.toArray()).toEqual([1, 2, 3]);
      expect(inv.dtype).toBe('int32');
      expect(inv.toArray()).toEqual([2, 0, 0, 2, 1]);
      expect(counts.toArray()).toEqual([2, 1, 2]);
      expect((wg.tensor([3, 1, 1, 3, 2]).unique({ sorted: false }) as wg.Tensor).toArray()).toEqual([1, 2, 3]);
      // NaN sorts last and each NaN is its own value (PyTorch 1.13's CPU unique mis-sorts NaN)
      expectClose(Array.from((wg.unique(wg.tensor([3, NaN, 1, NaN])) as wg.Tensor).data()), [1, 3, NaN, NaN]);
      const i = wg.unique(
        wg.tensor(
          [
            [4, 2],
            [4, 7],
          ],
          { dtype: 'int32' },
        ),
        { returnInverse: true },
      ) as wg.Tensor[];
      expect([i[0].dtype, i[0].toArray(), i[1].toArray()]).toEqual([
        'int32',
        [2, 4, 7],
        [
          [1, 0],
          [1, 2],
        ],
      ]);
      const [c, ci, cc] = wg.uniqueConsecutive(wg.tensor([1, 1, 2, 2, 3, 1, 1, NaN, NaN]), { returnInverse: true, returnCounts: true }) as wg.Tensor[];
      expectClose(Array.from(c.data()), [1, 2, 3, 1, NaN, NaN]);
      expect(ci.toArray()).toEqual([0, 0, 1, 1, 2, 3, 3, 4, 5]);
      expect(cc.toArray()).toEqual([2, 2, 1, 2, 1, 1]);
      expect((wg.unique(wg.zeros([0])) as wg.Tensor).shape).toEqual([0]);
    });

    test('unique and uniqueConsecutive along a dim: slices sorted lexicographically (PyTorch 1.13 values)', () => {
      const all = { returnInverse: true, returnCounts: true };
      const got = (r: wg.Tensor | wg.Tensor[]) => (r as wg.Tensor[]).map((t) => [t.dtype, t.shape, t.toArray()]);
      const m = wg.tensor(
        [
          [3, 1, 3],
          [2, 2, 2],
          [3, 1, 3],
        ],
        { dtype: 'int32' },
      );
      expect(got(wg.unique(m, { dim: 1, ...all }))).toEqual([
        [
          'int32',
          [3, 2],
          [
            [1, 3],
            [2, 2],
            [1, 3],
          ],
        ],
        ['int32', [3], [1, 0, 1]],
        ['int32', [2], [1, 2]],
      ]);
      // consecutive: columns 0 and 2 are equal but not adjacent
      expect(got(m.uniqueConsecutive({ dim: -1, ...all }))[2]).toEqual(['int32', [3], [1, 1, 1]]);
      expect(got(wg.uniqueConsecutive(m, { dim: 0, returnCounts: true }))[1]).toEqual(['int32', [3], [1, 1, 1]]);
      const x = wg.tensor([
        [
          [1, 2],
          [3, 4],
        ],
        [
          [1, 2],
          [3, 4],
        ],
        [
          [0, 9],
          [3, 4],
        ],
      ]);
      expect(got(x.unique({ dim: 0, ...all }))).toEqual([
        [
          'float32',
          [2, 2, 2],
          [
            [
              [0, 9],
              [3, 4],
            ],
            [
              [1, 2],
              [3, 4],
            ],
          ],
        ],
        ['int32', [3], [1, 1, 0]],
        ['int32', [2], [1, 2]],
      ]);
      expect(got(wg.unique(x, { dim: 2, ...all })).slice(1)).toEqual([
        ['int32', [2], [0, 1]],
        ['int32', [2], [1, 1]],
      ]);
      // a slice holding NaN equals no slice (PyTorch's at::equal); we sort NaN above every number, where
      // PyTorch 1.13's comparison treats NaN as equal to anything and leaves the order unspecified
      // (it gives [[0, 5, 1], [1, 2, NaN], [1, 2, NaN], [1, 2, 3]] here)
      const [u, inv, counts] = wg.unique(
        wg.tensor([
          [1, 2, NaN],
          [1, 2, NaN],
          [0, 5, 1],
          [1, 2, 3],
        ]),
        { dim: 0, ...all },
      ) as wg.Tensor[];
      expectClose(Array.from(u.data()), [0, 5, 1, 1, 2, 3, 1, 2, NaN, 1, 2, NaN]);
      expect([inv.toArray(), counts.toArray()]).toEqual([
        [2, 3, 0, 1],
        [1, 1, 1, 1],
      ]);
      // −0 equals 0: the first in order is kept
      expect(Object.is((wg.unique(wg.tensor([-0, 0, 1]), { dim: 0 }) as wg.Tensor).toArray()[0 as never], -0)).toBe(true);
      // an empty dim along which to find slices gives empty results
      expect(got(wg.unique(wg.zeros([3, 0]), { dim: 1, ...all }))).toEqual([
        ['float32', [3, 0], [[], [], []]],
        ['int32', [0], []],
        ['int32', [0], []],
      ]);
    });

    test('bincount: counts (int32) or summed weights; minlength', () => {
      const x = wg.tensor([1, 1, 3, 0, 1], { dtype: 'int32' });
      const c = wg.bincount(x);
      expect([c.dtype, c.toArray()]).toEqual(['int32', [1, 3, 0, 1]]);
      expect(wg.tensor([1, 1, 3], { dtype: 'int32' }).bincount({ minlength: 6 }).toArray()).toEqual([0, 2, 0, 1, 0, 0]);
      const w = wg.tensor([0.5, 1, 2], { requiresGrad: true });
      const b = wg.bincount(wg.tensor([1, 1, 3], { dtype: 'int32' }), { weights: w });
      expect(b.toArray()).toEqual([0, 1.5, 0, 2]);
      b.backward([1, 2, 3, 4]);
      expect(w.grad!.toArray()).toEqual([2, 2, 4]);
      expect(wg.bincount(wg.zeros([0], { dtype: 'int32' })).shape).toEqual([0]);
    });

    test('the fixed-shape composites replay inside wg.compile with new data', () => {
      const f = wg.compile((x: wg.Tensor) => {
        const m = x.median(1);
        return wg.stack([m.values, x.kthvalue(2).values, x.mode().values, x.nanmean(1), wg.quantile(x, 0.5, 1), wg.histc(x, { bins: 3, min: 0, max: 9 })]);
      });
      const x1 = [
        [5, 1, 3],
        [2, 2, 9],
        [7, 4, 4],
      ];
      const x2 = [
        [0, 8, 6],
        [1, 1, 1],
        [3, NaN, 2],
      ];
      for (let k = 0; k < 3; k++) {
        expectClose(Array.from(f(wg.tensor(x1)).data()), [3, 2, 4, 3, 2, 4, 1, 2, 4, 3, 13 / 3, 5, 3, 2, 4, 3, 4, 2], 1e-6);
        expectClose(Array.from(f(wg.tensor(x2)).data()), [6, 1, NaN, 6, 1, 3, 0, 1, 2, 14 / 3, 1, 2.5, 6, 1, NaN, 6, 1, 2], 1e-6);
      }
    });

    test('data-dependent shapes inside wg.compile re-run their JavaScript every call', () => {
      const f = wg.compile((x: wg.Tensor) => wg.argwhere(x));
      expect(f(wg.tensor([0, 1, 1])).toArray()).toEqual([[1], [2]]);
      expect(f(wg.tensor([1, 0, 0])).toArray()).toEqual([[0]]);
      expect(f(wg.tensor([1, 1, 1])).toArray()).toEqual([[0], [1], [2]]);
      const g = wg.compile((x: wg.Tensor, q: wg.Tensor) => wg.quantile(x, q));
      const x = wg.tensor([1, 2, 3, 4, 5]);
      expect(g(x, wg.tensor(0.5)).item()).toBe(3);
      expect(g(x, wg.tensor(0.25)).item()).toBe(2);
      expect(() => g(x, wg.tensor(2))).toThrow(new wg.ValueError('quantile', 'q values must be in [0, 1], got 2 at q[0] (q of shape [])'));
    });

    test('.indices is computed on first access, and refuses an input changed in place since', () => {
      const x = wg.tensor([3, 1, 2]);
      const r = x.median(0);
      x.add_(1);
      expect(() => r.indices).toThrow(new wg.ValueError('median', '.indices: the input [3] was modified in place after median ran; read .indices first'));
      const [v, i] = wg.tensor([3, 1, 2]).median(0);
      expect([v.item(), i.item()]).toEqual([2, 2]);
    });

    test('errors name the function, the argument and the shape', () => {
      const x = wg.tensor(X);
      expect(() => x.kthvalue(8)).toThrow(
        new wg.ValueError('kthvalue', 'k must be an integer in [1, 7] (the size of dim -1 of a tensor of shape [3, 7]), got 8'),
      );
      expect(() => x.kthvalue(1.5, 0)).toThrow('wasmgrad.kthvalue: k must be an integer in [1, 3] (the size of dim 0 of a tensor of shape [3, 7]), got 1.5');
      expect(() => wg.zeros([3, 0]).median(1)).toThrow(new wg.ShapeError('median', 'cannot select along dim 1 of size 0 (tensor of shape [3, 0])'));
      expect(() => wg.zeros([3, 0]).mode()).toThrow(new wg.ShapeError('mode', 'cannot select along dim -1 of size 0 (tensor of shape [3, 0])'));
      expect(() => x.median(2)).toThrow(new wg.ShapeError('median', 'dim 2 is out of range for a tensor of shape [3, 7] (expected an integer in [-2, 1])'));
      expect(() => x.nanmedian(0.5)).toThrow(new wg.ValueError('nanmedian', 'dim must be an integer, got 0.5 (tensor of shape [3, 7])'));
      expect(() => x.mode(0, 1 as never)).toThrow(new wg.ValueError('mode', 'keepdim must be a boolean, got 1'));
      expect(() => wg.median(wg.zeros([2, 0], { dtype: 'int32' }))).toThrow(new wg.ShapeError('median', 'an empty int32 tensor (shape [2, 0]) has no median'));
      expect(() => wg.tensor([1, 2], { dtype: 'int32' }).kthvalue(3)).toThrow(
        new wg.ValueError('kthvalue', 'k must be an integer in [1, 2] (the size of dim -1 of a tensor of shape [2]), got 3'),
      );
      // the int32 pair's own attribute (the API always sets it)
      expect(() => apply(op('selectInt'), [wg.tensor([1], { dtype: 'int32' })], { of: 'max' as never })).toThrow(
        new wg.ValueError('selectInt', 'of must be one of kthvalue, median, nanmedian, mode, got "max"'),
      );
      expect(() => wg.zeros([3, 0], { dtype: 'int32' }).mode()).toThrow(
        new wg.ShapeError('mode', 'cannot select along dim -1 of size 0 (tensor of shape [3, 0])'),
      );
      expect(() => x.quantile(1.5)).toThrow(new wg.ValueError('quantile', 'q values must be in [0, 1], got 1.5'));
      expect(() => x.quantile([0.5, NaN])).toThrow(new wg.ValueError('quantile', 'q values must be in [0, 1], got [0.5, NaN]'));
      expect(() => x.nanquantile(wg.tensor([0.5, -0.25]))).toThrow(
        new wg.ValueError('nanquantile', 'q values must be in [0, 1], got -0.25 at q[1] (q of shape [2])'),
      );
      expect(() => x.quantile(wg.tensor([[0.5]]))).toThrow(new wg.ShapeError('quantile', 'q must be a number, a 0-d or a 1-d tensor, got q of shape [1, 1]'));
      expect(() => x.quantile(wg.tensor([0], { dtype: 'int32' }))).toThrow(
        new wg.DTypeError('quantile', 'q must be a float32 tensor, got an int32 tensor of shape [1]'),
      );
      expect(() => x.quantile('half' as never)).toThrow(
        new wg.ValueError('quantile', 'q must be a number, an array of numbers or a float32 tensor, got "half"'),
      );
      expect(() => x.quantile(0.5, { interpolation: 'cubic' as never })).toThrow(
        new wg.ValueError('quantile', "interpolation must be one of 'linear', 'lower', 'higher', 'midpoint', 'nearest', got \"cubic\""),
      );
      expect(() => x.quantile(0.5, { axis: 0 } as never)).toThrow("wasmgrad.quantile: unknown option 'axis' (the options are dim, keepdim, interpolation)");
      expect(() => wg.zeros([0, 3]).quantile(0.5, 1)).toThrow(new wg.ShapeError('quantile', 'the input must be non-empty, got a tensor of shape [0, 3]'));
      expect(() => x.quantile(0.5, { dim: [0, 1] as never })).toThrow(
        new wg.ValueError('quantile', 'dim must be an integer or undefined, got [0, 1] (tensor of shape [3, 7])'),
      );
      expect(() => x.nanquantile(0.5, { dim: 2 })).toThrow(wg.ShapeError);
      expect(() => wg.tensor([1], { dtype: 'int32' }).nanmean()).toThrow(wg.DTypeError);
      expect(() => x.nansum(3)).toThrow(new wg.ShapeError('nansum', 'dim 3 is out of range for a tensor of shape [3, 7] (expected an integer in [-2, 1])'));
      expect(() => x.countNonzero([0, 0])).toThrow(new wg.ValueError('countNonzero', 'dim 0 appears more than once in dims [0, 0] (tensor of shape [3, 7])'));
      expect(() => wg.zeros([2, 0]).aminmax({ dim: 1 })).toThrow(
        new wg.ShapeError('aminmax', 'cannot reduce over an empty dim: tensor of shape [2, 0], dim 1 has no min or max'),
      );
      expect(() => wg.zeros([0]).aminmax()).toThrow(wg.ShapeError);
      expect(() => x.aminmax({ dim: [0] as never })).toThrow(
        new wg.ValueError('aminmax', 'dim must be an integer or undefined, got [0] (tensor of shape [3, 7])'),
      );
      expect(() => x.takeAlongDim(wg.tensor([[0]]), 1)).toThrow(
        new wg.DTypeError('takeAlongDim', 'indices must be an int32 tensor, got a float32 tensor of shape [1, 1]'),
      );
      const i = wg.tensor([[0, 7]], { dtype: 'int32' });
      expect(() => x.takeAlongDim(i, 1)).toThrow(
        new wg.ValueError(
          'takeAlongDim',
          'index 7 at position [0, 1] of indices [1, 2] is out of range for dim 1 of size 7 of an input of shape [3, 7] (valid: 0..6)',
        ),
      );
      expect(() => x.takeAlongDim(wg.tensor([21], { dtype: 'int32' }))).toThrow(/takeAlongDim: index 21 at position \[0\] of indices \[1\] is out of range/);
      expect(() => x.takeAlongDim(wg.tensor([0], { dtype: 'int32' }), 0)).toThrow(
        new wg.ShapeError('takeAlongDim', 'input and indices must have the same number of dims, got input [3, 7] and indices [1]'),
      );
      expect(() => x.takeAlongDim(wg.tensor([[0], [1]], { dtype: 'int32' }), 1)).toThrow(wg.ShapeError);
      const s = wg.tensor([1, 3, 5]);
      expect(() => wg.searchsorted(wg.tensor(1), s)).toThrow(
        new wg.ShapeError('searchsorted', 'the sorted sequence must have at least 1 dim, got a 0-d tensor (values [3])'),
      );
      expect(() => wg.searchsorted(wg.zeros([2, 3]), wg.zeros([3, 1]))).toThrow(
        new wg.ShapeError('searchsorted', 'a sorted sequence of more than 1 dim needs values with the same leading dims, got sorted [2, 3] and values [3, 1]'),
      );
      expect(() => wg.searchsorted(s, 2, { side: 'middle' as never })).toThrow(
        new wg.ValueError('searchsorted', "side must be 'left' or 'right', got \"middle\""),
      );
      expect(() => wg.searchsorted(s, 2, { side: 'left', right: true })).toThrow(
        new wg.ValueError('searchsorted', 'side "left" and right true are opposites: give one of them'),
      );
      // torch.searchsorted(torch.tensor([1., 3, 5]), torch.tensor([3., 5]), right=False, side='right') -> [2, 3]: side wins
      expect(wg.searchsorted(s, wg.tensor([3, 5]), { side: 'right', right: false }).toArray()).toEqual([2, 3]);
      expect(() => wg.searchsorted(s, 2, { right: 1 as never })).toThrow(new wg.ValueError('searchsorted', 'right must be a boolean, got 1'));
      expect(() => wg.searchsorted(s, 2, { sorter: wg.tensor([0, 1, 2]) })).toThrow(
        new wg.ShapeError('searchsorted', "sorter must be an int32 tensor of the sorted sequence's shape [3], got float32 [3]"),
      );
      expect(() => wg.searchsorted(s, 2, { sorter: wg.tensor([0, 3, 1], { dtype: 'int32' }) })).toThrow(
        /searchsorted: index 3 at position \[1\] of indices \[3\] is out of range/,
      );
      expect(() => wg.bucketize(s, wg.zeros([2, 2]))).toThrow(new wg.ShapeError('bucketize', 'boundaries must be 1-D, got a tensor of shape [2, 2]'));
      expect(() => wg.histc(s, { bins: 0 })).toThrow(new wg.ValueError('histc', 'bins must be a positive integer, got 0'));
      expect(() => wg.histc(s, { bins: 4, min: 3, max: 1 })).toThrow(new wg.ValueError('histc', 'max must be larger than min, got min 3 and max 1'));
      expect(() => wg.histc(wg.tensor([1, Infinity]), { bins: 4 })).toThrow(
        new wg.ValueError('histc', 'range of [1, Infinity] is not finite (tensor of shape [2])'),
      );
      expect(() => wg.histc(wg.tensor([1], { dtype: 'int32' }))).toThrow(wg.DTypeError);
      expect(() => wg.nonzero(s, { asTuple: 1 as never })).toThrow(new wg.ValueError('nonzero', 'asTuple must be a boolean, got 1'));
      expect(() => wg.unique(wg.zeros([3, 0]), { dim: 0 })).toThrow(
        new wg.ShapeError('unique', 'dim 0 of size 3 leaves empty slices (tensor of shape [3, 0]): only an empty dim 0 is allowed'),
      );
      expect(() => wg.uniqueConsecutive(wg.zeros([0, 0]), { dim: 1 })).toThrow(
        new wg.ShapeError('uniqueConsecutive', 'a tensor of shape [0, 0] has more than one empty dim'),
      );
      expect(() => wg.unique(wg.tensor(3), { dim: 0 })).toThrow(new wg.ShapeError('unique', 'dim 0 needs a tensor with dims, got a 0-d tensor'));
      expect(() => wg.unique(s, { dim: 1 })).toThrow(
        new wg.ShapeError('unique', 'dim 1 is out of range for a tensor of shape [3] (expected an integer in [-1, 0])'),
      );
      expect(() => wg.uniqueConsecutive(s, { sorted: true } as never)).toThrow("wasmgrad.uniqueConsecutive: unknown option 'sorted'");
      expect(() => wg.unique(s, { returnCounts: 'yes' as never })).toThrow(new wg.ValueError('unique', 'returnCounts must be a boolean, got "yes"'));
      expect(() => wg.bincount(s)).toThrow(new wg.DTypeError('bincount', 'the input must be an int32 tensor, got a float32 tensor of shape [3]'));
      const neg = wg.tensor([0, 2, -1], { dtype: 'int32' });
      expect(() => wg.bincount(neg)).toThrow(new wg.ValueError('bincount', 'the input must hold values ≥ 0, got -1 at position 2'));
      expect(() => wg.bincount(wg.zeros([2, 2], { dtype: 'int32' }))).toThrow(
        new wg.ShapeError('bincount', 'the input must be 1-D, got a tensor of shape [2, 2]'),
      );
      expect(() => wg.bincount(neg.abs(), { minlength: -1 })).toThrow(new wg.ValueError('bincount', 'minlength must be an integer ≥ 0, got -1'));
      // the result is allocated before the counting: a length the heap cannot hold is a typed error (it crashed Node)
      expect(() => wg.bincount(neg.abs(), { minlength: 2 ** 31 })).toThrow(wg.OutOfMemoryError);
      expect(() => wg.bincount(neg.abs(), { minlength: 2 ** 31 })).toThrow(/^wasmgrad\.bincount: out of memory/);
      expect(() => wg.bincount(neg.abs(), { weights: wg.ones([3]), minlength: 2 ** 31 })).toThrow(/^wasmgrad\.bincount: out of memory/);
      expect(() => wg.bincount(neg.abs(), { weights: wg.ones([2]) })).toThrow(
        new wg.ShapeError('bincount', "weights must be a float32 tensor of the input's shape [3], got float32 [2]"),
      );
    });
  });
}

// Fixes to the reductions (src/ops/reduce.ts, src/ops/composite.ts), each a repro against PyTorch 1.13.
for (const be of ['wasm', 'reference'] as const) {
  describe(`reduction fixes on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('amax/amin: a segment holding NaN gets NaN gradients everywhere (torch.amax); max() keeps its split among the NaNs', () => {
      const x = [
        [1, NaN, 3, NaN],
        [1, 2, 3, 3],
      ];
      let r = run((t) => t.amax(1), x);
      expectClose(r.v, [NaN, 3]);
      expectClose(r.g, [NaN, NaN, NaN, NaN, 0, 0, 1, 1]);
      r = run((t) => wg.amin(t, 1, true), x);
      expect(r.shape).toEqual([2, 1]);
      expectClose(r.v, [NaN, 1]);
      expectClose(r.g, [NaN, NaN, NaN, NaN, 2, 0, 0, 0]);
      r = run((t) => t.amax([0, 1]), x);
      expectClose(r.g, [NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN]);
      r = run(
        (t) => t.amax(0),
        [
          [1, NaN],
          [3, 4],
        ],
      );
      expectClose(r.v, [3, NaN]);
      expectClose(r.g, [0, NaN, 1, NaN]);
      r = run((t) => t.max(), x);
      expectClose(r.g, [0, 0.5, 0, 0.5, 0, 0, 0, 0]);
    });

    test('prod accumulates in float32 on WASM: [1e20, 1e20, 1e-20] is ∞ (as PyTorch; the float64 reference gives 1e20)', () => {
      const r = run(
        (t) => t.prod(1),
        [
          [1e20, 1e20, 1e-20],
          [2, 3, 4],
        ],
      );
      if (be === 'wasm') {
        expect(r.v).toEqual([Infinity, 24]);
        expect(r.g).toEqual([Infinity, Infinity, Infinity, 12 * 2, 8 * 2, 6 * 2]);
      } else expectClose(r.v, [1e20, 24]);
    });

    test('std/var of float32 values whose squares overflow: finite where PyTorch is (std of ±3e19 is 4.2e19)', () => {
      expectClose(Array.from(wg.tensor([3e19, -3e19]).std().data()), [4.2426407e19], 1e-6);
      // the variance itself, 1.8e39, is past float32 (∞ as PyTorch's); the float64 reference holds it
      expect(wg.tensor([3e19, -3e19]).var().item()).toBe(be === 'wasm' ? Infinity : 1.8e39);
      expectClose(
        Array.from(
          wg
            .tensor([
              [3e19, -3e19],
              [1, 2],
            ])
            .std(1)
            .data(),
        ),
        [4.2426407e19, 0.70710677],
        1e-6,
      );
      const r = run((t) => t.std(), [[3e19, -3e19, 1e19]]);
      expectClose(r.v, [3.0550505e19], 1e-6);
      expectClose(r.g, [0.4364358, -0.5455447, 0.1091089], 1e-5);
      // 20 values ±1e19: Σ (x − mean)² = 2e39 overflows float32, the variance 1.05e38 does not
      const big = wg.tensor([...new Array<number>(10).fill(1e19), ...new Array<number>(10).fill(-1e19)]);
      expectClose(Array.from(big.var().data()), [1.0526316e38], 1e-6);
      expectClose(Array.from(big.std().data()), [1.0259784e19], 1e-6); // var's gradient 2(x − mean)/(N − 1) stays finite (PyTorch 1.13 values) even where var is ∞
      const gv = run((t) => t.var(), [[3e19, -3e19, 1e19]]);
      expectClose(gv.g, [2.6666667e19, -3.3333335e19, 6.6666667e18], 1e-6);
      const x = wg.tensor(
        [
          [3e18, -3e18, 1e18],
          [1, 2, 4],
        ],
        { requiresGrad: true },
      );
      const v = x.var(1, { correction: 0 });
      expectClose(Array.from(v.data()), [6.2222218e36, 1.5555556], 1e-6);
      v.sum().backward();
      expectClose(Array.from(x.grad!.data()), [1.7777777e18, -2.2222222e18, 4.4444442e17, -0.8888889, -0.2222222, 1.1111112], 1e-5);
    });
  });
}
