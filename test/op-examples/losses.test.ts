/**
 * Hand-computed values of wg.losses (PyTorch semantics): every loss with all three reductions,
 * gradients of both inputs on both backends, logits of ±1000, BCE's clamped logs, and every error
 * path of src/api/losses.ts and src/ops/loss.ts.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { apply } from '../../src/engine/engine.js';
import { op } from '../../src/ops/index.js';
import type { NestedArray } from '../../src/engine/tensor.js';
import { expectClose } from '../helpers/expect.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

type Loss = (a: wg.Tensor, b: wg.Tensor) => wg.Tensor;

/** loss(a, b), its shape, and the gradients of Σ loss for a and (if float) b. b may be a tensor (labels). */
function run(f: Loss, a: NestedArray, b: NestedArray | wg.Tensor): { y: number[]; shape: readonly number[]; ga: number[]; gb: number[] | null } {
  const ta = wg.tensor(a, { requiresGrad: true });
  const tb = b instanceof wg.Tensor ? b : wg.tensor(b, { requiresGrad: true });
  const y = f(ta, tb);
  y.backward(new Array<number>(y.size).fill(1));
  return { y: Array.from(y.data()), shape: y.shape, ga: Array.from(ta.grad!.data()), gb: tb.grad ? Array.from(tb.grad.data()) : null };
}

const ids = (v: NestedArray) => wg.tensor(v, { dtype: 'int32' });
const lse = (xs: number[]) => Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));
const softmax = (xs: number[]) => xs.map((x) => Math.exp(x - lse(xs)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

for (const be of ['wasm', 'reference'] as const) {
  describe(`losses on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('crossEntropy with int32 labels: PyTorch value, reductions, gradient softmax − onehot', () => {
      let r = run((x, l) => wg.losses.crossEntropy(x, l), [[1, 2, 3]], ids([2]));
      expect(r.shape).toEqual([]);
      expectClose(r.y, [0.40760596]); // torch.nn.functional.cross_entropy(tensor([[1., 2, 3]]), tensor([2]))
      const p = softmax([1, 2, 3]);
      expectClose(r.ga, [p[0], p[1], p[2] - 1]);
      const logits = [
        [1, 2, 3],
        [3, 1, -1],
      ];
      const per = [lse([1, 2, 3]) - 1, lse([3, 1, -1]) - 3];
      r = run((x, l) => wg.losses.crossEntropy(x, l, { reduction: 'none' }), logits, ids([0, 0]));
      expect(r.shape).toEqual([2]);
      expectClose(r.y, per);
      r = run((x, l) => wg.losses.crossEntropy(x, l, { reduction: 'sum' }), logits, ids([0, 0]));
      expectClose(r.y, [per[0] + per[1]]);
      r = run((x, l) => wg.losses.crossEntropy(x, l), logits, ids([0, 0]));
      expectClose(r.y, [(per[0] + per[1]) / 2]);
      const q = softmax([3, 1, -1]);
      expectClose(r.ga, [(p[0] - 1) / 2, p[1] / 2, p[2] / 2, (q[0] - 1) / 2, q[1] / 2, q[2] / 2]);
    });

    test('crossEntropy: one sample [C] with a 0-d label, and [N, C, d1] with labels [N, d1]', () => {
      let r = run((x, l) => wg.losses.crossEntropy(x, l, { reduction: 'none' }), [1, 2, 3], ids(2));
      expect(r.shape).toEqual([]);
      expectClose(r.y, [0.40760596]);
      // logits [1, 3, 2]: position 0 has class scores [1, 2, 3], position 1 scores [0, 0, 0].
      r = run(
        (x, l) => wg.losses.crossEntropy(x, l, { reduction: 'none' }),
        [
          [
            [1, 0],
            [2, 0],
            [3, 0],
          ],
        ],
        ids([[2, 1]]),
      );
      expect(r.shape).toEqual([1, 2]);
      expectClose(r.y, [0.40760596, Math.log(3)]);
      const p = softmax([1, 2, 3]);
      expectClose(r.ga, [p[0], 1 / 3, p[1], 1 / 3 - 1, p[2] - 1, 1 / 3]);
    });

    test('crossEntropy stays finite at logits of ±1000', () => {
      const r = run(
        (x, l) => wg.losses.crossEntropy(x, l, { reduction: 'sum' }),
        [
          [1000, -1000],
          [-1000, 1000],
          [0, 1000],
        ],
        ids([1, 1, 0]),
      );
      expectClose(r.y, [3000]); // 2000 + 0 + 1000
      expectClose(r.ga, [1, -1, 0, 0, -1, 1]);
      const n = run(
        (x, l) => wg.losses.crossEntropy(x, l, { reduction: 'none' }),
        [
          [1000, -1000],
          [-1000, 1000],
          [0, 1000],
        ],
        ids([1, 1, 0]),
      );
      expectClose(n.y, [2000, 0, 1000]);
    });

    test('crossEntropy with probability targets: −Σ t·logSoftmax, gradients of logits and targets', () => {
      // lse([1, 2, 3]) − Σ t·x = 3.40760596 − 2.3
      let r = run((x, t) => wg.losses.crossEntropy(x, t), [[1, 2, 3]], [[0.2, 0.3, 0.5]]);
      expectClose(r.y, [1.10760596]);
      const p = softmax([1, 2, 3]);
      expectClose(r.ga, [p[0] - 0.2, p[1] - 0.3, p[2] - 0.5]); // softmax·Σt − t
      expectClose(r.gb!, [2.40760596, 1.40760596, 0.40760596]); // −logSoftmax
      r = run((x, t) => wg.losses.crossEntropy(x, t), [[1, 2, 3]], [[0, 0, 1]]);
      expectClose(r.y, [0.40760596]); // a one-hot target equals the class-id form
      r = run(
        (x, t) => wg.losses.crossEntropy(x, t, { reduction: 'none' }),
        [
          [1000, -1000],
          [5, 5],
        ],
        [
          [0.5, 0.5],
          [1, 0],
        ],
      );
      expectClose(r.y, [1000, Math.log(2)]);
      expectClose(r.ga, [0.5, -0.5, -0.5, 0.5]);
    });

    test('nll: −logProbs[label], reductions and gradient', () => {
      const lp = [
        [-1, -2, -3],
        [-0.5, -1, -4],
      ];
      expectClose(run((x, l) => wg.losses.nll(x, l, { reduction: 'none' }), lp, ids([1, 0])).y, [2, 0.5]);
      expectClose(run((x, l) => wg.losses.nll(x, l, { reduction: 'sum' }), lp, ids([1, 0])).y, [2.5]);
      const r = run((x, l) => wg.losses.nll(x, l), lp, ids([1, 0]));
      expectClose(r.y, [1.25]);
      expectClose(r.ga, [0, -0.5, 0, -0.5, 0, 0]);
      // nll after logSoftmax is cross-entropy.
      expectClose(run((x, l) => wg.losses.nll(x.logSoftmax(), l), [[1, 2, 3]], ids([2])).y, [0.40760596]);
    });

    test('mean over no samples is NaN (PyTorch), sum is 0', () => {
      const x = wg.zeros([0, 3]);
      expectClose(Array.from(wg.losses.crossEntropy(x, ids([])).data()), [NaN]);
      expectClose(Array.from(wg.losses.mse(wg.zeros([0]), wg.zeros([0]), { reduction: 'sum' }).data()), [0]);
    });

    test('bce: values, PyTorch gradient rule, both input gradients, logs clamped at −100', () => {
      let r = run((p, t) => wg.losses.bce(p, t, { reduction: 'none' }), [0.2, 0.9], [0, 1]);
      expectClose(r.y, [-Math.log(0.8), -Math.log(0.9)]);
      r = run((p, t) => wg.losses.bce(p, t), [0.2, 0.9], [0, 1]);
      expectClose(r.y, [(-Math.log(0.8) - Math.log(0.9)) / 2]);
      expectClose(r.ga, [0.2 / 0.16 / 2, -0.1 / 0.09 / 2]); // (p − t) / (p(1 − p)) / N
      expectClose(r.gb!, [Math.log(4) / 2, -Math.log(9) / 2]); // (ln(1 − p) − ln p) / N
      // p = 0 or 1: each log is clamped at −100, so a wrong certain prediction costs 100, a right one 0.
      r = run((p, t) => wg.losses.bce(p, t, { reduction: 'none' }), [0, 1, 0, 1], [1, 0, 0, 1]);
      expectClose(r.y, [100, 100, 0, 0]);
      expectClose(r.ga, [-1e12, 1e12, 0, 0], 1e-6); // (p − t) / max(p(1 − p), 1e-12)
      expectClose(run((p, t) => wg.losses.bce(p, t, { reduction: 'sum' }), [0.5, 0.5], [1, 0]).y, [2 * Math.log(2)]);
    });

    test('bceWithLogits: stable at ±1000, gradients σ(x) − t and −x', () => {
      const x = [0, 2, -1000, 1000, -1000, 1000];
      const t = [1, 0, 1, 0, 0, 1];
      let r = run((a, b) => wg.losses.bceWithLogits(a, b, { reduction: 'none' }), x, t);
      expectClose(r.y, [Math.log(2), 2 + Math.log1p(Math.exp(-2)), 1000, 1000, 0, 0]);
      expectClose(r.ga, [-0.5, sigmoid(2), -1, 1, 0, 0]);
      expectClose(
        r.gb!,
        x.map((v) => -v),
      );
      r = run((a, b) => wg.losses.bceWithLogits(a, b), [0, 0], [0.25, 1]);
      expectClose(r.y, [Math.log(2)]);
      expectClose(r.ga, [0.125, -0.25]);
      expectClose(run((a, b) => wg.losses.bceWithLogits(a, b, { reduction: 'sum' }), [0, 0], [0.25, 1]).y, [2 * Math.log(2)]);
    });

    test('mse and l1: reductions and gradients of both inputs', () => {
      let r = run((p, t) => wg.losses.mse(p, t), [1, 2, 3], [1, 0, 0]);
      expectClose(r.y, [13 / 3]); // torch.nn.functional.mse_loss
      expectClose(r.ga, [0, 4 / 3, 2]);
      expectClose(r.gb!, [0, -4 / 3, -2]);
      expectClose(run((p, t) => wg.losses.mse(p, t, { reduction: 'sum' }), [1, 2, 3], [1, 0, 0]).y, [13]);
      expectClose(
        run(
          (p, t) => wg.losses.mse(p, t, { reduction: 'none' }),
          [
            [1, 2],
            [3, 4],
          ],
          [
            [0, 0],
            [0, 5],
          ],
        ).y,
        [1, 4, 9, 1],
      );
      r = run((p, t) => wg.losses.l1(p, t), [1, -2, 3], [0, 0, 3]);
      expectClose(r.y, [1]);
      expectClose(r.ga, [1 / 3, -1 / 3, 0]); // sign, 0 where pred = target
      expectClose(r.gb!, [-1 / 3, 1 / 3, 0]);
      expectClose(run((p, t) => wg.losses.l1(p, t, { reduction: 'none' }), [1, -2, 3], [0, 0, 3]).y, [1, 2, 0]);
      expectClose(run((p, t) => wg.losses.l1(p, t, { reduction: 'sum' }), [1, -2, 3], [0, 0, 3]).y, [3]);
      // The same tensor on both sides: the two gradient contributions cancel.
      const x = wg.tensor([1, 2, 3, 4, 5], { requiresGrad: true });
      wg.losses.mse(x, x).backward();
      expectClose(Array.from(x.grad!.data()), [0, 0, 0, 0, 0]);
    });

    test('huber: quadratic inside delta, linear beyond, gradient clamped to ±delta', () => {
      const pred = [0.5, -2, 3, 1, 0];
      const zero = [0, 0, 0, 0, 0];
      let r = run((p, t) => wg.losses.huber(p, t, { reduction: 'none' }), pred, zero);
      expectClose(r.y, [0.125, 1.5, 2.5, 0.5, 0]);
      expectClose(r.ga, [0.5, -1, 1, 1, 0]);
      expectClose(r.gb!, [-0.5, 1, -1, -1, 0]);
      r = run((p, t) => wg.losses.huber(p, t, { delta: 2, reduction: 'sum' }), pred, zero);
      expectClose(r.y, [0.125 + 2 + 4 + 0.5]); // |e| = δ = 2: both branches give 2
      expectClose(r.ga, [0.5, -2, 2, 1, 0]);
      expectClose(run((p, t) => wg.losses.huber(p, t), pred, zero).y, [4.625 / 5]);
    });

    test('regression losses broadcast pred and target and take an int32 target (PyTorch); bce weight, bceWithLogits weight and posWeight', () => {
      const p = () => wg.tensor([[1, 2, 3], [0, -1, 4]], { requiresGrad: true }); // prettier-ignore
      const t = wg.tensor([1.5, 2, -1]);
      // F.mse_loss, F.l1_loss, F.huber_loss, F.smooth_l1_loss of p [2, 3] against t [3], and p's gradient
      const cases: [(a: wg.Tensor, b: wg.Tensor) => wg.Tensor, number, number[]][] = [
        [wg.losses.mse, 8.75, [-0.1666667, 0, 1.3333334, -0.5, -1, 1.6666667]],
        [wg.losses.l1, 2.3333333, [-0.1666667, 0, 0.1666667, -0.1666667, -0.1666667, 0.1666667]],
        [wg.losses.huber, 1.9375, [-0.0833333, 0, 0.1666667, -0.1666667, -0.1666667, 0.1666667]],
        [wg.losses.smoothL1, 1.9375, [-0.0833333, 0, 0.1666667, -0.1666667, -0.1666667, 0.1666667]],
      ];
      for (const [f, value, grad] of cases) {
        const x = p();
        const l = f(x, t);
        l.backward();
        expectClose([l.item()], [value]);
        expectClose(Array.from(x.grad!.data()), grad);
      }
      expectClose(
        [
          wg.losses
            .mse(
              p(),
              wg.tensor(
                [
                  [1, 2, 3],
                  [0, 0, 0],
                ],
                { dtype: 'int32' },
              ),
            )
            .item(),
        ],
        [2.8333333],
      );
      // F.binary_cross_entropy_with_logits(x, y, pos_weight=[2, 0.5, 3], weight=[[1], [0.5]], reduction='none')
      const x = wg.tensor([[1000, -1000, 0], [2, -3, 0.5]], { requiresGrad: true }); // prettier-ignore
      const y = wg.tensor([[0, 1, 0.5], [1, 1, 0]]); // prettier-ignore
      const posWeight = wg.tensor([2, 0.5, 3]);
      const l = wg.losses.bceWithLogits(x, y, { posWeight, weight: wg.tensor([[1], [0.5]]), reduction: 'none' });
      l.sum().backward();
      expectClose(Array.from(l.data()), [1000, 500, 1.3862944, 0.126928, 0.7621468, 0.4870385]);
      expectClose(Array.from(x.grad!.data()), [1, -0.5, -0.5, -0.119203, -0.2381435, 0.3112297]);
      expectClose([wg.losses.bceWithLogits(x, y, { posWeight }).item()], [250.6897583]);
      // F.binary_cross_entropy(q, t, weight=[2, 1, 0.5])
      const q = wg.tensor([0.2, 0.9, 0.5], { requiresGrad: true });
      const b = wg.losses.bce(q, wg.tensor([0, 1, 1]), { weight: wg.tensor([2, 1, 0.5]) });
      b.backward();
      expectClose([b.item()], [0.2994071]);
      expectClose(Array.from(q.grad!.data()), [0.8333333, -0.3703704, -0.3333333]);
    });

    test('errors: labels (dtype, shape, range), shapes, reduction, delta', () => {
      const logits = wg.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const CE = 'wasmgrad.losses.crossEntropy: ';
      expect(() => wg.losses.crossEntropy(logits, ids([0, 3]))).toThrow(
        `${CE}label 3 at position [1] is out of range for 3 classes (expected 0..2 or the ignoreIndex -100)`,
      );
      expect(() => wg.losses.crossEntropy(logits, ids([-1, 0]))).toThrow(`${CE}label -1 at position [0] is out of range for 3 classes`);
      expect(() =>
        wg.losses.crossEntropy(
          wg.zeros([2, 3, 2]),
          ids([
            [0, 1],
            [4, 2],
          ]),
        ),
      ).toThrow(`${CE}label 4 at position [1, 0] is out of range`);
      expect(() => wg.losses.crossEntropy(wg.zeros([3]), ids(3))).toThrow(`${CE}label 3 is out of range for 3 classes`);
      expect(() => wg.losses.crossEntropy(logits, ids([0, 1, 2]))).toThrow(
        `${CE}labels of shape [3] do not fit input [2, 3]: class ids need shape [2] (the input without its class dim 1)`,
      );
      expect(() => wg.losses.crossEntropy(logits, wg.tensor([0, 2]))).toThrow(
        `${CE}labels must be int32 class ids (shape [2]) or float32 probabilities of the logits' shape [2, 3]; got a float32 tensor of shape [2] (for class ids use wg.tensor(ids, { dtype: 'int32' }))`,
      );
      expect(() => wg.losses.crossEntropy(wg.tensor(1), ids(0))).toThrow(`${CE}the input needs a class dim: got a 0-d tensor`);
      expect(() => wg.losses.crossEntropy(wg.zeros([2, 0]), ids([0, 0]))).toThrow(`${CE}input [2, 0] has no classes (dim 1 is 0)`);
      expect(() => wg.losses.nll(logits, wg.tensor([0, 1]))).toThrow(
        "wasmgrad.losses.nll: labels must be int32 class ids, got a float32 tensor of shape [2] (make them with wg.tensor(ids, { dtype: 'int32' }))",
      );
      expect(() => wg.losses.nll(logits, ids([5, 0]))).toThrow(
        'wasmgrad.losses.nll: label 5 at position [0] is out of range for 3 classes (expected 0..2 or the ignoreIndex -100)',
      );
      // softNllLoss's own shape check (the public path checks first; the op table can be called directly).
      expect(() => apply(op('softNllLoss'), [logits, wg.zeros([3])], { dim: 1 })).toThrow(`${CE}probability targets [3] must have the logits' shape [2, 3]`);
      const a = wg.zeros([2, 3]),
        b = wg.zeros([3]);
      // the regression losses broadcast pred and target (PyTorch); shapes that do not broadcast are refused
      const c = wg.zeros([2]);
      expect(() => wg.losses.mse(a, c)).toThrow(new wg.ShapeError('losses.mse', 'shapes [2, 3] and [2] cannot be broadcast together (dim 1: 3 vs 2)'));
      expect(() => wg.losses.l1(a, c)).toThrow(new wg.ShapeError('losses.l1', 'shapes [2, 3] and [2] cannot be broadcast together (dim 1: 3 vs 2)'));
      expect(() => wg.losses.huber(a, c)).toThrow(new wg.ShapeError('losses.huber', 'shapes [2, 3] and [2] cannot be broadcast together (dim 1: 3 vs 2)'));
      expect(() => wg.losses.bce(a, b)).toThrow('wasmgrad.losses.bce: prob [2, 3] and target [3] must have the same shape');
      expect(() => wg.losses.bce(wg.tensor([0.5, 1.5]), wg.tensor([1, 0]))).toThrow(
        new wg.ValueError('losses.bce', 'prob must hold probabilities in [0, 1] (for logits use bceWithLogits), got 1.5 at flat index 1 of [2]'),
      );
      expect(() => wg.losses.bce(wg.tensor([NaN]), wg.tensor([1]))).toThrow(/losses.bce: prob must hold probabilities in \[0, 1\].*got NaN at flat index 0/);
      expect(() => wg.losses.bce(wg.tensor([0.5]), wg.tensor([1]), { weight: wg.tensor([1], { dtype: 'int32' }) })).toThrow(
        new wg.DTypeError('losses.bce', 'weight must be a float32 tensor, got Tensor([1], int32)'),
      );
      expect(() => wg.losses.bceWithLogits(wg.tensor([0.5]), wg.tensor([1]), { posWeight: [2] as never })).toThrow(
        /losses.bceWithLogits: posWeight must be a Tensor/,
      );
      expect(() => wg.losses.bceWithLogits(a, a, { posWeight: wg.ones([2]) })).toThrow(
        new wg.ShapeError('losses.bceWithLogits', 'shapes [2, 3] and [2] cannot be broadcast together (dim 1: 3 vs 2)'),
      );
      expect(() => wg.losses.bce(wg.tensor([0.5]), wg.tensor([1]), { weight: wg.ones([2]) })).toThrow(
        new wg.ShapeError('losses.bce', "weight [2] must broadcast to the input's shape [1]"),
      );
      expect(() => wg.losses.bceWithLogits(a, b)).toThrow('wasmgrad.losses.bceWithLogits: logits [2, 3] and target [3] must have the same shape');
      expect(() => wg.losses.huber(a, a, { delta: 0 })).toThrow('wasmgrad.losses.huber: delta must be a positive number, got 0');
      expect(() => wg.losses.huber(a, a, { delta: NaN })).toThrow('wasmgrad.losses.huber: delta must be a positive number, got NaN');
      expect(() => wg.losses.mse(a, a, { reduction: 'avg' as 'mean' })).toThrow(`wasmgrad.losses.mse: reduction must be 'mean', 'sum' or 'none', got "avg"`);
    });
  });
}
