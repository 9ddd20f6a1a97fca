/**
 * Values from PyTorch 1.13 (written as literals) for the losses and distances of issue 11 item 7 —
 * ignoreIndex of crossEntropy and nll, smoothL1, klDiv, marginRanking, hingeEmbedding,
 * cosineSimilarity, pairwiseDistance, cdist — and einsum (item 8), on both backends, with their
 * gradients and error paths. The op-table harness (test/ops.test.ts) checks the composites'
 * gradients against the reference and central differences.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import type { NestedArray } from '../../src/engine/tensor.js';
import { expectClose } from '../helpers/expect.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const ids = (v: NestedArray) => wg.tensor(v, { dtype: 'int32' });
const vals = (t: wg.Tensor) => Array.from(t.data());
const X = [
  [1, 2, 0.5],
  [0.1, -1, 2],
  [3, 0, -2],
  [0, 0, 1],
];
/** sin(i·s + 1) laid out in `shape`: deterministic operands for einsum. */
const sinT = (shape: number[], s = 1, requiresGrad = false) =>
  wg.tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * s + 1)),
    { shape, requiresGrad },
  );

for (const be of ['wasm', 'reference'] as const) {
  describe(`losses and distances on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('crossEntropy ignores label −100 by default: value, gradient, and the mean over kept samples', () => {
      const x = wg.tensor(X, { requiresGrad: true });
      const l = wg.losses.crossEntropy(x, ids([2, -100, 0, 1]));
      l.backward();
      expectClose(vals(l), [1.1902663]);
      expectClose(vals(x.grad!), [0.0770746, 0.2095106, -0.2865852, 0, 0, 0, -0.0178336, 0.0157078, 0.0021258, 0.0706472, -0.2626862, 0.192039]);
    });

    test('crossEntropy with weights, label smoothing and an ignored sample', () => {
      const x = wg.tensor(X, { requiresGrad: true });
      const l = wg.losses.crossEntropy(x, ids([2, -100, 0, 1]), { weight: wg.tensor([1, 2, 0.5]), labelSmoothing: 0.1 });
      l.backward();
      expectClose(vals(l), [1.2264705]);
      expectClose(vals(x.grad!), [0.0279124, 0.0827146, -0.1106271, 0, 0, 0, 0.0082688, -0.0053594, -0.0029094, 0.1065394, -0.4172701, 0.3107307]);
    });

    test('an explicit ignoreIndex may be a class; reductions; every sample ignored gives NaN', () => {
      const x = wg.tensor(X);
      expectClose(vals(wg.losses.crossEntropy(x, ids([2, 1, 0, 1]), { ignoreIndex: 1, reduction: 'sum' })), [2.0193541]);
      expectClose(vals(wg.losses.crossEntropy(x, ids([2, 1, 0, 1]), { ignoreIndex: 1, reduction: 'none' })), [1.9643688, 0, 0.0549852, 0]);
      expectClose(vals(wg.losses.crossEntropy(x, ids([-100, -100, -100, -100]))), [NaN]);
      // no label ignored, but the option given: the masked form, same value as the plain one
      expectClose(vals(wg.losses.crossEntropy(x, ids([2, 1, 0, 1]), { ignoreIndex: 7 })), vals(wg.losses.crossEntropy(x, ids([2, 1, 0, 1]))));
    });

    test('every sample ignored: NaN loss but zero gradients (PyTorch), with smoothing and weights too', () => {
      const x = wg.tensor(X, { requiresGrad: true });
      const none = ids([-100, -100, -100, -100]);
      for (const l of [
        wg.losses.crossEntropy(x, none),
        wg.losses.crossEntropy(x, none, { labelSmoothing: 0.1 }),
        wg.losses.crossEntropy(x, none, { weight: wg.tensor([1, 2, 0.5]) }),
        wg.losses.nll(x, none),
      ]) {
        x.grad = null;
        l.backward();
        expect(l.item()).toBeNaN();
        expect(Array.from(x.grad!.data())).toEqual(new Array(12).fill(0));
      }
      // kept samples whose class weights sum to 0: 0/0 in value and gradient, as PyTorch
      const l = wg.losses.crossEntropy(x, ids([0, 1, 2, 0]), { weight: wg.tensor([0, 0, 0]) });
      x.grad = null;
      l.backward();
      expect(l.item()).toBeNaN();
      expect(Array.from(x.grad!.data()).every(Number.isNaN)).toBe(true);
    });

    test('nll with ignoreIndex and class weights', () => {
      const lp = wg.tensor(X).logSoftmax(1);
      expectClose(vals(wg.losses.nll(lp, ids([2, -100, 0, 1]), { weight: wg.tensor([1, 2, 0.5]) })), [1.1828741]);
      expectClose(vals(wg.losses.nll(lp, ids([2, 5, 0, 1]), { ignoreIndex: 5, reduction: 'none' })), [1.9643688, 0, 0.0549852, 1.5514448]);
    });

    test('ignoreIndex errors: out-of-range labels name it, a non-integer is a ValueError', () => {
      expect(() => wg.losses.crossEntropy(wg.tensor(X), ids([2, 3, 0, 1]))).toThrow(
        'wasmgrad.losses.crossEntropy: label 3 at position [1] is out of range for 3 classes (expected 0..2 or the ignoreIndex -100)',
      );
      expect(() => wg.losses.nll(wg.tensor(X), ids([0, 0, 0, 0]), { ignoreIndex: 0.5 })).toThrow(
        'wasmgrad.losses.nll: ignoreIndex must be an integer, got 0.5',
      );
    });

    test('smoothL1: β = 1 by default, other β, β = 0 is L1', () => {
      const p = wg.tensor([0, 0.5, 2, -3], { requiresGrad: true });
      const t = wg.tensor([0.2, 0, 0, 1]);
      expectClose(vals(wg.losses.smoothL1(p, t, { reduction: 'none' })), [0.02, 0.125, 1.5, 3.5]);
      expectClose(vals(wg.losses.smoothL1(p, t, { beta: 0.5, reduction: 'none' })), [0.04, 0.25, 1.75, 3.75]);
      expectClose(vals(wg.losses.smoothL1(p, t, { beta: 0 })), [1.675]);
      const l = wg.losses.smoothL1(p, t);
      l.backward();
      expectClose(vals(l), [1.28625]);
      expectClose(vals(p.grad!), [-0.05, 0.125, 0.25, -0.25]); // clamp(e, −1, 1)/4
      expect(() => wg.losses.smoothL1(p, t, { beta: -1 })).toThrow('wasmgrad.losses.smoothL1: beta must be a number ≥ 0, got -1');
    });

    test('klDiv: zero targets contribute 0; mean, batchmean, logTarget; gradient −t for the input', () => {
      const i = wg.tensor(
        [
          [-1, -2, -0.5],
          [-0.3, -1.5, -2],
        ],
        { requiresGrad: true },
      );
      const t = wg.tensor([
        [0, 0.5, 0.5],
        [0.2, 0.3, 0.5],
      ]);
      expectClose(vals(wg.losses.klDiv(i, t, { reduction: 'none' })), [0, 0.6534264, -0.0965736, -0.2618876, 0.0888081, 0.6534264]);
      expectClose(vals(wg.losses.klDiv(i, t)), [0.1728666]);
      const l = wg.losses.klDiv(i, t, { reduction: 'batchmean' });
      l.backward();
      expectClose(vals(l), [0.5185999]);
      expectClose(vals(i.grad!), [0, -0.25, -0.25, -0.1, -0.15, -0.25]);
      const logT = wg.tensor([
        [Math.log(1e-3), Math.log(0.5), Math.log(0.5)],
        [Math.log(0.2), Math.log(0.3), Math.log(0.5)],
      ]);
      expectClose(vals(wg.losses.klDiv(i, logT, { logTarget: true, reduction: 'sum' })), [1.0312921]);
      expect(() => wg.losses.klDiv(i, t, { reduction: 'batch' as 'sum' })).toThrow(
        "wasmgrad.losses.klDiv: reduction must be 'mean', 'batchmean', 'sum' or 'none', got \"batch\"",
      );
    });

    test('marginRanking and hingeEmbedding', () => {
      const a = wg.tensor([1, 2, 3]),
        b = wg.tensor([2, 1, 3.5]),
        y = wg.tensor([1, -1, 1]);
      expectClose(vals(wg.losses.marginRanking(a, b, y, { reduction: 'none' })), [1, 1, 0.5]);
      expectClose(vals(wg.losses.marginRanking(a, b, y, { margin: 0.5 })), [1.3333334]);
      const x = wg.tensor([0.3, -0.5, 2, 0.7], { requiresGrad: true });
      const yh = wg.tensor([1, -1, -1, 0]);
      expectClose(vals(wg.losses.hingeEmbedding(x, yh, { reduction: 'none' })), [0.3, 1.5, 0, 1]);
      const l = wg.losses.hingeEmbedding(x, yh, { margin: 2 });
      l.backward();
      expectClose(vals(l), [1.2]);
      // y = 1: 1; y = −1 inside the margin and at it (clamp_min passes the gradient at 0): −1; y = 0 gets both terms: 1 − 1
      expectClose(vals(x.grad!), [0.25, -0.25, -0.25, 0]);
    });

    test('marginRanking and hingeEmbedding at the hinge: the gradient passes (PyTorch clamp_min); klDiv of a negative target is NaN', () => {
      const a = wg.tensor([1, 2, 0], { requiresGrad: true }),
        b = wg.tensor([1, 2.5, 0], { requiresGrad: true });
      const l = wg.losses.marginRanking(a, b, wg.tensor([1, -1, -1]), { reduction: 'sum' });
      l.backward();
      expect(l.item()).toBe(0);
      expectClose(vals(a.grad!), [-1, 0, 1]);
      expectClose(vals(b.grad!), [1, 0, -1]);
      const x = wg.tensor([1, 0.5, 1], { requiresGrad: true });
      const h = wg.losses.hingeEmbedding(x, wg.tensor([-1, -1, 1]), { reduction: 'sum' });
      h.backward();
      expect(h.item()).toBe(1.5);
      expectClose(vals(x.grad!), [-1, -1, 1]);
      // int32 targets y, as PyTorch takes them: F.margin_ranking_loss([1, 2], [0, 1], int [1, −1]) = 0.5, F.hinge_embedding_loss([0.3, 2], int [1, −1]) = 0.15
      const iy = wg.tensor([1, -1], { dtype: 'int32' });
      expectClose(vals(wg.losses.marginRanking(wg.tensor([1, 2]), wg.tensor([0, 1]), iy)), [0.5]);
      expectClose(vals(wg.losses.hingeEmbedding(wg.tensor([0.3, 2]), iy)), [0.15]);
      // F.kl_div(i, t, reduction='none'): xlogy(t, t) − t·i is NaN for t < 0
      const i = wg.tensor([-1, -2, -1], { requiresGrad: true });
      const k = wg.losses.klDiv(i, wg.tensor([-0.5, 0.5, 0]), { reduction: 'none' });
      k.sum().backward();
      expectClose(vals(k), [NaN, 0.6534264, 0]);
      expectClose(vals(i.grad!), [0.5, -0.5, 0]);
    });

    test('cosineSimilarity (a zero vector gives 0), pairwiseDistance (eps added), cdist', () => {
      const u = wg.tensor([
        [1, 2, 3],
        [0, 0, 0],
        [1, 0, -1],
      ]);
      const v = wg.tensor([
        [1, 0, 1],
        [1, 1, 1],
        [2, 1, 0],
      ]);
      expectClose(vals(wg.cosineSimilarity(u, v)), [0.7559289, 0, 0.6324555]);
      expectClose(vals(wg.cosineSimilarity(u, v, { dim: 0 })), [0.8660254, 0, 0.6708204]);
      expectClose(vals(wg.pairwiseDistance(u, v)), [2.8284285, 1.7320491, 1.7320491]);
      expectClose(vals(wg.pairwiseDistance(u, v, { p: 1 })), [4.0000029, 2.9999969, 2.9999969]);
      const pinf = wg.pairwiseDistance(u, v, { p: Infinity, keepdim: true });
      expect(pinf.shape).toEqual([3, 1]);
      expectClose(vals(pinf), [2.000001, 0.999999, 0.999999]);
      expectClose(vals(wg.cdist(u, v)), [2.8284271, 2.236068, 3.3166249, 1.4142135, 1.7320508, 2.236068, 2, 2.236068, 1.7320508]);
      expectClose(vals(wg.cdist(u, v, { p: 1 })), [4, 3, 5, 2, 3, 3, 2, 3, 3]);
      expect(() => wg.cdist(u, wg.ones([2, 2]))).toThrow('wasmgrad.cdist: expects x1 [..., P, M] and x2 [..., R, M] with the same M, got [3, 3] and [2, 2]');
      expect(() => wg.pairwiseDistance(u, v, { p: -1 })).toThrow('wasmgrad.pairwiseDistance: p must be a number ≥ 0 or Infinity, got -1');
      expect(() => wg.cosineSimilarity(u, v, { dims: 1 } as object)).toThrow(/cosineSimilarity/);
    });

    test('cdist: identical rows have distance 0 and gradient 0 (PyTorch), p = 2 and p = ∞', () => {
      const x = wg.tensor(
        [
          [
            [0, 1],
            [2, 3],
          ],
        ],
        { requiresGrad: true },
      );
      const y = wg.tensor(
        [
          [
            [0, 1],
            [1, 1],
            [2, 3.5],
          ],
        ],
        { requiresGrad: true },
      );
      const d = wg.cdist(x, y);
      d.sum().backward();
      expectClose(vals(d), [0, 1, 3.2015621187, 2.8284271247, 2.2360679775, 0.5]);
      expectClose(vals(x.grad!), [-1.6246950476, -0.7808688094, 1.1543203767, 0.6015339722]);
      expectClose(vals(y.grad!), [-0.7071067812, -0.7071067812, 0.5527864045, -0.894427191, 0.6246950476, 1.7808688094]);
      x.grad = null;
      wg.cdist(x, y, { p: 3 }).sum().backward();
      expectClose(vals(x.grad!), [-1.4858237925, -0.7590996757, 0.8610809497, 0.5544422241]);
    });

    test('einsum: batched matmul, outer, trace, diagonal, transpose, bilinear, implicit output, ellipsis, broadcast', () => {
      const r = (t: wg.Tensor) => vals(t).map((v) => Math.round(v * 1e5) / 1e5);
      const bmm = wg.einsum('bij,bjk->bik', sinT([2, 3, 4]), sinT([2, 4, 5], 2));
      expect(bmm.shape).toEqual([2, 3, 5]);
      expectClose(vals(bmm), vals(wg.matmul(sinT([2, 3, 4]), sinT([2, 4, 5], 2))), 1e-5);
      expect(r(wg.einsum('i,j->ij', sinT([3]), sinT([2], 2)))).toEqual([0.70807, 0.11875, 0.76515, 0.12832, 0.11875, 0.01991]);
      expect(r(wg.einsum('ii->', sinT([4, 4])))).toEqual([-0.72584]);
      expect(r(wg.einsum('ii->i', sinT([3, 3])))).toEqual([0.84147, -0.95892, 0.41212]);
      expect(r(wg.einsum('ij->ji', sinT([2, 3])))).toEqual([0.84147, -0.7568, 0.9093, -0.95892, 0.14112, -0.27942]);
      expect(r(wg.einsum('bn,anm,bm->ba', sinT([2, 3]), sinT([4, 3, 5], 2), sinT([2, 5], 3)))).toEqual([
        -0.24749, -0.0415, 0.23469, 0.11391, -0.16165, -0.11716, 0.1255, 0.15588,
      ]);
      expect(r(wg.einsum('ij,jk', [sinT([2, 3]), sinT([3, 4], 2)]))).toEqual([0.94714, -0.76939, -0.30678, 1.02472, -0.76339, 0.81024, 0.08903, -0.88434]);
      const ell = wg.einsum('...ij,...jk->...ik', sinT([2, 2, 3]), sinT([3, 4], 2));
      expect(ell.shape).toEqual([2, 2, 4]);
      expect(r(ell).slice(8)).toEqual([0.56436, -0.83487, 0.1305, 0.72626, -0.35403, 0.84279, -0.34741, -0.55364]);
      expect(r(wg.einsum('i,i', sinT([3]), sinT([1], 2)))).toEqual([1.59197]);
      expect(r(wg.einsum('bA,ab', sinT([2, 3]), sinT([4, 2], 2)))).toEqual([
        0.60127, -1.30412, 1.10358, -0.13858, 0.62982, -1.50195, 1.33365, -0.24152, 0.07932, -0.3189, 0.33757, -0.12241,
      ]);
    });

    test('einsum gradients equal central differences (gradcheck)', () => {
      const cases: [string, number[][]][] = [
        [
          'bij,bjk->bik',
          [
            [2, 3, 4],
            [2, 4, 5],
          ],
        ],
        ['ii->i', [[3, 3]]],
        [
          'bn,anm,bm->ba',
          [
            [2, 3],
            [4, 3, 5],
            [2, 5],
          ],
        ],
        ['i,i', [[3], [1]]],
      ];
      for (const [eq, shapes] of cases) {
        const res = wg.gradcheck(
          (...ts: wg.Tensor[]) => wg.einsum(eq, ...ts),
          shapes.map((s, k) => sinT(s, k + 1, true)),
        );
        expect(res.ok, `${eq}: max abs error ${res.maxAbsError}`).toBe(true);
      }
    });

    test('einsum errors name the equation', () => {
      const a = sinT([2, 3]);
      expect(() => wg.einsum('ij,jk->ik', a)).toThrow('wasmgrad.einsum: the equation "ij,jk->ik" names 2 operands, got 1');
      expect(() => wg.einsum('ijk->i', a)).toThrow('wasmgrad.einsum: operand 0 has shape [2, 3] (2 dims) but its subscripts "ijk" name 3');
      expect(() => wg.einsum('ij,ij->i', a, sinT([3, 3]))).toThrow(
        'wasmgrad.einsum: subscript "i" has size 2 in one operand and 3 in operand 1 ([3, 3]) of "ij,ij->i"',
      );
      expect(() => wg.einsum('ij->iz', a)).toThrow('wasmgrad.einsum: the output subscript "z" is not in any operand of "ij->iz"');
      expect(() => wg.einsum('ij->ii', a)).toThrow('wasmgrad.einsum: the output subscript "i" appears more than once in "ij->ii"');
      expect(() => wg.einsum('i-j', a)).toThrow('wasmgrad.einsum: invalid character "-" in operand 0 of "i-j"');
    });
  });
}

describe('class-label losses inside wg.compile', () => {
  beforeEach(() => wg.setBackend('wasm'));

  test('an explicit ignoreIndex replays fast with batches that do and do not hold it, equal to eager', () => {
    const w = wg.tensor(X);
    const loss = (labels: wg.Tensor) => wg.losses.crossEntropy(w, labels, { ignoreIndex: -1 });
    const step = wg.compile((labels: wg.Tensor) => loss(labels));
    const batches = [ids([2, -1, 0, 1]), ids([0, 1, 2, 2]), ids([-1, -1, 0, 1]), ids([1, 1, 1, -1])];
    for (const labels of [...batches, ...batches]) expectClose(vals(step(labels)), vals(loss(labels)));
    expect(step.replayInfo()[0].mode).toBe('fast');
  });

  test('the default −100 appearing after the trace is a CompileError asking for an explicit ignoreIndex', () => {
    const w = wg.tensor(X);
    const step = wg.compile((labels: wg.Tensor) => wg.losses.crossEntropy(w, labels), { warn: false });
    step(ids([2, 1, 0, 1]));
    step(ids([2, 1, 0, 1]));
    expect(() => step(ids([2, -100, 0, 1]))).toThrow(
      'labels hold the default ignoreIndex -100 inside a compiled function: pass { ignoreIndex: -100 } explicitly',
    );
  });
});
