/**
 * 0-size dims (issue 9, item 2) on both backends, with PyTorch's semantics written as literals:
 * a dim of 0 broadcast against 1 stays 0 and against n > 1 is an error; empty sums are 0 and
 * empty means NaN; an empty batch goes through matmul, linear, conv, pooling, losses and
 * BatchNorm; what PyTorch refuses (max over an empty dim, a -1 next to a 0 dim, 0 channels) is a
 * typed error naming the op and the shapes. Outputs that have elements but sum over nothing (k = 0)
 * are written into a block just filled with NaN, so an element a kernel forgets shows.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const vals = (t: wg.Tensor) => Array.from(t.data());
const zeros = (n: number) => new Array<number>(n).fill(0);
const param = (shape: number[], values?: number[]) => (values ? wg.tensor(values, { shape, requiresGrad: true }) : wg.ones(shape, { requiresGrad: true }));
const labels = (ids: number[], shape = [ids.length]) => wg.tensor(ids, { shape, dtype: 'int32' });

/** The gradient of a leaf as { shape, values }. */
function gradOf(t: wg.Tensor): { shape: number[]; values: number[] } {
  expect(t.grad, `gradient of a ${JSON.stringify(t.shape)} leaf`).not.toBeNull();
  return { shape: [...t.grad!.shape], values: vals(t.grad!) };
}
/** Every leaf's gradient has its shape and is zero (nothing flowed back), empty for an empty leaf. */
function expectZeroGrads(...leaves: wg.Tensor[]): void {
  for (const t of leaves) expect(gradOf(t)).toEqual({ shape: [...t.shape], values: zeros(t.size) });
}

/** Frees a block of n words filled with NaN, which the next allocation of that size reuses. */
function dirtyHeap(n: number): void {
  wg.full([n], NaN).dispose();
}

/** fn throws an instance of cls whose message is `wasmgrad.<op>: ...` and contains every detail. */
function expectError(fn: () => unknown, cls: typeof wg.WasmgradError, op: string, ...details: string[]): void {
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(cls);
  const msg = (err as Error).message;
  expect(msg.startsWith(`wasmgrad.${op}: `), msg).toBe(true);
  for (const d of details) expect(msg).toContain(d);
}
// Errors thrown by checks that predate the typed classes: the branch converting every opError
// makes them ShapeErrors; until then they are the WasmgradError base class.
const UNTYPED = wg.WasmgradError;

describe.each(['wasm', 'reference'] as const)('0-size dims (%s)', (be) => {
  beforeEach(() => wg.setBackend(be));

  describe('matmul', () => {
    test('issue 9: a batch dim of 0 against none or 1 gives 0 (PyTorch), the other operand a zero gradient', () => {
      const cases: [number[], number[], wg.MatmulOptions, number[]][] = [
        [[0, 2, 3], [3, 4], {}, [0, 2, 4]],
        [[1, 2, 3], [0, 3, 4], {}, [0, 2, 4]],
        [[2, 0, 2, 3], [3, 4], {}, [2, 0, 2, 4]],
        [[3], [0, 3, 4], {}, [0, 4]],
        [[0, 2, 3], [3], {}, [0, 2]],
        [[0, 3, 2], [3, 4], { transposeA: true }, [0, 2, 4]],
        [[1, 2, 3], [0, 4, 3], { transposeB: true }, [0, 2, 4]],
      ];
      for (const [as, bs, opts, want] of cases) {
        const a = param(as),
          b = param(bs);
        const y = wg.matmul(a, b, opts);
        expect(y.shape, `${JSON.stringify(as)}·${JSON.stringify(bs)}`).toEqual(want);
        expect(vals(y)).toEqual([]);
        y.sum().backward();
        expectZeroGrads(a, b);
      }
    });

    test('a batch dim of 0 against 2 is an error naming both shapes (PyTorch: size 0 must match size 2)', () => {
      expectError(() => wg.matmul(wg.ones([0, 2, 3]), wg.ones([2, 3, 4])), UNTYPED, 'matmul', '[0, 2, 3]', '[2, 3, 4]', '0 vs 2');
      expectError(() => wg.matmul(wg.ones([3, 2, 3]), wg.ones([0, 3, 4])), UNTYPED, 'matmul', '[3, 2, 3]', '[0, 3, 4]', '3 vs 0');
    });

    test('k = 0: every form gives zeros of the result shape, and empty operand gradients', () => {
      const cases: [number[], number[], wg.MatmulOptions, number[]][] = [
        [[2, 0], [0, 3], {}, [2, 3]],
        [[0], [0, 3], {}, [3]],
        [[2, 0], [0], {}, [2]],
        [[0], [0], {}, []],
        [[2, 2, 0], [0, 3], {}, [2, 2, 3]],
        [[2, 1, 2, 0], [3, 0, 4], {}, [2, 3, 2, 4]],
        [[0, 2], [0, 3], { transposeA: true }, [2, 3]],
        [[2, 0], [3, 0], { transposeB: true }, [2, 3]],
        [[3, 0, 2], [3, 4, 0], { transposeA: true, transposeB: true }, [3, 2, 4]],
      ];
      for (const [as, bs, opts, want] of cases) {
        const a = param(as),
          b = param(bs);
        const n = want.reduce((p, q) => p * q, 1);
        dirtyHeap(n);
        const y = wg.matmul(a, b, opts);
        expect(y.shape, `${JSON.stringify(as)}·${JSON.stringify(bs)}`).toEqual(want);
        expect(vals(y)).toEqual(zeros(n));
        y.sum().backward();
        expectZeroGrads(a, b);
      }
    });

    test('m = 0 or n = 0: an empty result, and a zero gradient for the non-empty operand', () => {
      const a = param([0, 3]),
        b = param([3, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      const y = a.matmul(b);
      expect(y.shape).toEqual([0, 4]);
      y.sum().backward();
      expectZeroGrads(a, b);
      const c = param([2, 3]),
        d = param([3, 0]);
      const z = c.matmul(d);
      expect(z.shape).toEqual([2, 0]);
      z.sum().backward();
      expectZeroGrads(c, d);
    });

    test('linear (F.linear) with no rows gives [0, out]; with no in-features the bias broadcast (relu applied), or zeros', () => {
      const x = param([0, 3]),
        w = param([2, 3]),
        b = param([2]);
      const y = wg.linear(x, w, b);
      expect(y.shape).toEqual([0, 2]);
      y.sum().backward();
      expectZeroGrads(x, w, b);

      const seed = wg.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const x0 = param([2, 0]),
        w0 = param([3, 0]),
        b0 = param([3], [1, -2, 3]);
      dirtyHeap(6);
      const y0 = wg.linear(x0, w0, b0);
      expect(y0.toArray()).toEqual([
        [1, -2, 3],
        [1, -2, 3],
      ]);
      y0.backward(seed);
      expect(gradOf(b0)).toEqual({ shape: [3], values: [5, 7, 9] }); // column sums of the seed
      expectZeroGrads(x0, w0);

      const r = param([3], [1, -2, 3]);
      const yr = wg.linear(wg.ones([2, 0]), wg.ones([3, 0]), r, { activation: 'relu' });
      expect(yr.toArray()).toEqual([
        [1, 0, 3],
        [1, 0, 3],
      ]);
      yr.backward(seed);
      expect(gradOf(r).values).toEqual([5, 0, 9]); // masked where relu gave 0

      dirtyHeap(6);
      expect(vals(wg.linear(wg.ones([2, 0]), wg.ones([3, 0])))).toEqual(zeros(6));
    });
  });

  describe('elementwise', () => {
    test('a 0 dim broadcast against 1 stays 0; the broadcast operand gets a zero gradient', () => {
      const a = param([2, 0, 3]),
        b = param([3], [1, 2, 3]);
      const y = a.mul(b);
      expect(y.shape).toEqual([2, 0, 3]);
      y.sum().backward();
      expectZeroGrads(a, b);
      expect(wg.add(wg.ones([0]), wg.ones([1])).shape).toEqual([0]);
      expect(wg.sub(wg.ones([0, 1]), wg.ones([1, 5])).shape).toEqual([0, 5]);
      expect(wg.where(wg.ones([0]), 1, wg.ones([2, 1])).shape).toEqual([2, 0]);
      expect(wg.exp(wg.ones([3, 0])).shape).toEqual([3, 0]);
    });

    test('a 0 dim against n > 1 is an error naming both shapes', () => {
      expectError(() => wg.add(wg.ones([0]), wg.ones([3])), UNTYPED, 'add', '[0]', '[3]');
      expectError(() => wg.where(wg.ones([2, 0]), wg.ones([2, 1]), wg.ones([3])), UNTYPED, 'where', '[2, 0]', '[3]');
    });
  });

  describe('reductions', () => {
    test('the sum of nothing is 0 and the mean NaN, over all dims or an empty one; reducing a non-empty dim is empty', () => {
      const x = param([0, 3]);
      const s = x.sum();
      expect(s.shape).toEqual([]);
      expect(s.item()).toBe(0);
      s.backward();
      expectZeroGrads(x);
      dirtyHeap(3);
      expect(vals(x.sum(0))).toEqual([0, 0, 0]);
      expect(x.sum(0, true).shape).toEqual([1, 3]);
      expect(x.sum(1).shape).toEqual([0]);
      expect(x.mean().item()).toBeNaN();
      const m = x.mean(0);
      expect(vals(m)).toEqual([NaN, NaN, NaN]);
      m.backward(wg.ones([3]));
      expect(x.mean(1).shape).toEqual([0]);
    });

    test('max and min need a non-empty reduced dim (PyTorch: "Expected reduction dim 0 to have non-zero size")', () => {
      expectError(() => wg.ones([0, 3]).max(0), UNTYPED, 'max', '[0, 3]', 'dim 0', 'empty');
      expectError(() => wg.ones([3, 0]).min(-1), UNTYPED, 'min', '[3, 0]', 'empty');
      expectError(() => wg.ones([0, 3]).max(), UNTYPED, 'max', '[0, 3]', 'empty');
      const x = param([0, 3]);
      const y = x.max(1);
      expect(y.shape).toEqual([0]);
      y.sum().backward();
      expectZeroGrads(x);
      expect(wg.ones([3, 0]).min(0, true).shape).toEqual([1, 0]);
    });

    test('softmax and logSoftmax of empty tensors are empty, along either dim', () => {
      for (const [shape, dim] of [
        [[0, 3], -1],
        [[3, 0], 1],
        [[3, 0], 0],
      ] as [number[], number][]) {
        const x = param(shape);
        const y = wg.softmax(x, dim).add(wg.logSoftmax(x, dim));
        expect(y.shape).toEqual(shape);
        y.sum().backward();
        expectZeroGrads(x);
      }
    });
  });

  describe('layout', () => {
    test('reshape infers a -1 next to a 0 dim only when the other dims fix it', () => {
      const x = wg.ones([0, 3]);
      expect(x.reshape([-1, 3]).shape).toEqual([0, 3]);
      expect(x.reshape([-1]).shape).toEqual([0]);
      expect(x.reshape([5, -1]).shape).toEqual([5, 0]);
      expect(x.reshape([3, 0]).shape).toEqual([3, 0]);
      expectError(() => x.reshape([-1, 0]), wg.ShapeError, 'reshape', '[0, 3]', '[-1, 0]', 'any size');
      expectError(() => x.reshape([1]), UNTYPED, 'reshape', '[0, 3]', '[1]');
    });

    test('transpose, permute, slice and flatten carry 0 dims where they move them', () => {
      const x = param([2, 0, 3]);
      expect(x.transpose(0, 2).shape).toEqual([3, 0, 2]);
      expect(x.permute([1, 2, 0]).shape).toEqual([0, 3, 2]);
      expect(x.flatten(1).shape).toEqual([2, 0]);
      expect(x.flatten().shape).toEqual([0]);
      expect(x.slice(2, 1, 3).shape).toEqual([2, 0, 2]);
      expect(x.slice(1, 0, 5).shape).toEqual([2, 0, 3]);
      expect(wg.ones([4]).slice(0, 2, 2).shape).toEqual([0]);
      x.permute([1, 2, 0]).sum().backward();
      expectZeroGrads(x);
    });

    test('cat skips empty 1-D tensors (PyTorch legacy rule) and joins other empty tensors along dim', () => {
      const x = param([2, 3], [1, 2, 3, 4, 5, 6]),
        e = param([0]);
      for (const dim of [0, 1, -1])
        expect(wg.cat([e, x, e], dim).toArray()).toEqual([
          [1, 2, 3],
          [4, 5, 6],
        ]);
      const y = wg.cat([e, x], 0);
      y.backward(
        wg.tensor([
          [6, 5, 4],
          [3, 2, 1],
        ]),
      );
      expect(gradOf(x).values).toEqual([6, 5, 4, 3, 2, 1]);
      expect(gradOf(e)).toEqual({ shape: [0], values: [] });
      expect(wg.cat([wg.ones([0]), wg.ones([0])], 0).shape).toEqual([0]);
      expect(wg.cat([wg.ones([0, 3]), x], 0).toArray()).toEqual([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      expect(wg.cat([wg.ones([2, 0]), x], 1).toArray()).toEqual([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      // More than 4 inputs join in groups; a group of skipped [0] tensors is itself a [0].
      const five = wg.cat([x, e, e, e, e, x], 0);
      expect(five.shape).toEqual([4, 3]);
      expect(vals(five)).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
      expectError(() => wg.cat([wg.ones([0, 3]), wg.ones([2, 4])], 0), wg.ShapeError, 'cat', '[0, 3]', '[2, 4]');
      expectError(() => wg.cat([e, x], 2), UNTYPED, 'cat', 'dim 2', '[2, 3]');
    });

    test('stack stacks empty tensors into a new dim', () => {
      expect(wg.stack([wg.ones([0]), wg.ones([0])], 1).shape).toEqual([0, 2]);
      const parts = Array.from({ length: 5 }, () => param([0, 2]));
      const y = wg.stack(parts, 1);
      expect(y.shape).toEqual([0, 5, 2]);
      y.sum().backward();
      expectZeroGrads(...parts);
      expectError(() => wg.stack([wg.ones([0]), wg.ones([3])], 0), wg.ShapeError, 'stack', '[0]', '[3]');
    });
  });

  describe('conv and pooling', () => {
    test('an empty batch gives [0, O, OH, OW] and zero weight and bias gradients (direct and im2col paths)', () => {
      for (const [xs, opts, want] of [
        [[0, 2, 5, 5], { padding: 1 }, [0, 3, 5, 5]],
        [[0, 2, 7, 7], { stride: 2 }, [0, 3, 3, 3]],
      ] as [number[], wg.Conv2dOptions, number[]][]) {
        const x = param(xs),
          w = param([3, 2, 3, 3]),
          b = param([3], [1, 2, 3]);
        const y = wg.conv2d(x, w, b, opts);
        expect(y.shape).toEqual(want);
        y.sum().backward();
        expectZeroGrads(x, w, b);
      }
      const p = param([0, 3, 4, 4]);
      const pooled = wg.maxPool2d(p, 2).add(wg.avgPool2d(p, 2));
      expect(pooled.shape).toEqual([0, 3, 2, 2]);
      pooled.sum().backward();
      expectZeroGrads(p);
    });

    // 0 input channels give PyTorch's empty [N, 0, OH, OW]: test/edge-nn.test.ts
    test('0 height or width, 0 output channels or an empty kernel are ShapeErrors (only N and C may be 0)', () => {
      expectError(() => wg.conv2d(wg.ones([1, 3, 5, 0]), wg.ones([2, 3, 1, 1]), null, { padding: 1 }), wg.ShapeError, 'conv2d', '[1, 3, 5, 0]');
      expectError(() => wg.conv2d(wg.ones([1, 3, 5, 5]), wg.ones([0, 3, 3, 3])), wg.ShapeError, 'conv2d', '[0, 3, 3, 3]', 'output channel');
      expectError(() => wg.conv2d(wg.ones([1, 3, 5, 5]), wg.ones([2, 3, 0, 3])), wg.ShapeError, 'conv2d', '[2, 3, 0, 3]', 'kernel');
      expectError(() => wg.maxPool2d(wg.ones([1, 0, 4, 4]), 2), wg.ShapeError, 'maxPool2d', '[1, 0, 4, 4]');
      expectError(() => wg.avgPool2d(wg.ones([0, 3, 0, 4]), 1), wg.ShapeError, 'avgPool2d', '[0, 3, 0, 4]');
    });
  });

  describe('losses', () => {
    test('an empty batch: mean NaN, sum 0, none empty, and empty gradients (PyTorch)', () => {
      const pairs: [string, (p: wg.Tensor, t: wg.Tensor, o: { reduction: wg.losses.Reduction }) => wg.Tensor][] = [
        ['mse', wg.losses.mse],
        ['l1', wg.losses.l1],
        ['huber', wg.losses.huber],
        ['bce', wg.losses.bce],
        ['bceWithLogits', wg.losses.bceWithLogits],
      ];
      for (const [name, loss] of pairs) {
        const p = param([0, 3]),
          t = param([0, 3]);
        expect(loss(p, t, { reduction: 'mean' }).item(), name).toBeNaN();
        expect(loss(p, t, { reduction: 'none' }).shape, name).toEqual([0, 3]);
        const s = loss(p, t, { reduction: 'sum' });
        expect(s.item(), name).toBe(0);
        s.backward();
        expectZeroGrads(p, t);
      }
    });

    test('cross-entropy and nll of no samples: mean NaN, sum 0, none empty, with weights, smoothing or probabilities', () => {
      const none = labels([]);
      const logits = param([0, 3]);
      expect(wg.losses.crossEntropy(logits, none).item()).toBeNaN();
      expect(wg.losses.crossEntropy(logits, none, { weight: wg.ones([3]) }).item()).toBeNaN();
      expect(wg.losses.crossEntropy(logits, none, { labelSmoothing: 0.1 }).item()).toBeNaN();
      expect(wg.losses.crossEntropy(logits, wg.zeros([0, 3])).item()).toBeNaN();
      expect(wg.losses.nll(logits, none).item()).toBeNaN();
      expect(wg.losses.crossEntropy(logits, none, { reduction: 'none' }).shape).toEqual([0]);
      const s = wg.losses.crossEntropy(logits, none, { reduction: 'sum' }).add(wg.losses.nll(logits, none, { reduction: 'sum' }));
      expect(s.item()).toBe(0);
      s.backward();
      expectZeroGrads(logits);
      expect(wg.losses.crossEntropy(wg.ones([2, 3, 0]), labels([], [2, 0]), { reduction: 'none' }).shape).toEqual([2, 0]);
      expect(wg.losses.crossEntropy(wg.ones([0, 0]), none).item()).toBeNaN();
      expectError(() => wg.losses.crossEntropy(wg.ones([2, 0]), labels([0, 0])), wg.ShapeError, 'losses.crossEntropy', '[2, 0]', 'no classes');
    });
  });

  describe('embedding, dropout', () => {
    test('no indices give [0, d] and a zero weight gradient; empty rows give [..., 0]', () => {
      const w = param([3, 2], [1, 2, 3, 4, 5, 6]);
      const y = wg.embedding(labels([]), w);
      expect(y.shape).toEqual([0, 2]);
      y.sum().backward();
      expectZeroGrads(w);
      expect(wg.embedding(labels([], [2, 0]), w).shape).toEqual([2, 0, 2]);
      expect(wg.embedding(labels([0, 2]), wg.ones([3, 0])).shape).toEqual([2, 0]);
    });

    test('dropout of an empty tensor is empty', () => {
      const x = param([0, 3]);
      const y = wg.dropout(x, 0.5, true);
      expect(y.shape).toEqual([0, 3]);
      y.sum().backward();
      expectZeroGrads(x);
    });
  });

  describe('nn', () => {
    test('BatchNorm in training takes an empty batch (PyTorch): empty output, counted, running stats unchanged', () => {
      const bn = new wg.nn.BatchNorm1d(2, { momentum: null });
      const x = param([0, 2]);
      const y = bn.forward(x);
      expect(y.shape).toEqual([0, 2]);
      y.sum().backward();
      expectZeroGrads(x, bn.weight!, bn.bias!);
      expect(vals(bn.runningMean!)).toEqual([0, 0]);
      expect(vals(bn.runningVar!)).toEqual([1, 1]);
      expect(bn.numBatchesTracked!.item()).toBe(1);
      // The empty batch counts in the cumulative average: the next batch has weight 1/2.
      // Batch [[1, 2], [3, 6]]: mean [2, 4], unbiased variance [2, 8].
      bn.forward(
        wg.tensor([
          [1, 2],
          [3, 6],
        ]),
      );
      expect(vals(bn.runningMean!)).toEqual([1, 2]);
      expect(vals(bn.runningVar!)).toEqual([1.5, 4.5]);
      expect(bn.numBatchesTracked!.item()).toBe(2);
      expect(new wg.nn.BatchNorm2d(3).forward(wg.ones([0, 3, 2, 2])).shape).toEqual([0, 3, 2, 2]);
      expect(new wg.nn.LayerNorm(3).forward(wg.ones([0, 3])).shape).toEqual([0, 3]);
    });

    test('a Linear with no in-features outputs its bias; an optimizer steps it', () => {
      const lin = new wg.nn.Linear(0, 2);
      const opt = new wg.optim.Adam(lin.parameters(), { lr: 0.1 });
      const bias = vals(lin.bias!);
      const y = lin.forward(wg.ones([4, 0]));
      expect(vals(y)).toEqual([...bias, ...bias, ...bias, ...bias]);
      y.sum().backward();
      expect(gradOf(lin.bias!).values).toEqual([4, 4]);
      opt.step();
      // Adam's first step moves each parameter by lr (m̂ / √v̂ = 1); the empty weight stays empty.
      vals(lin.bias!).forEach((v, j) => expect(v).toBeCloseTo(bias[j] - 0.1, 6));
      expect(lin.weight.shape).toEqual([2, 0]);
    });
  });
});
