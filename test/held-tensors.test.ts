/**
 * Issue 13, item 1: tensors a PyTorch user holds stay valid, whatever step made them, without
 * keep(): the friction cases as a user writes them, on both backends.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const labels = (n: number, offset = 0) => wg.tensor(Int32Array.from({ length: n }, (_, i) => (i + offset) % 3));

/** A Linear 5 → 3 with fixed weights, an SGD optimizer on it, and its training step (returns the loss). */
function model() {
  wg.manualSeed(3);
  const m = new wg.nn.Linear(5, 3);
  const opt = new wg.optim.SGD(m.parameters(), { lr: 0.1 });
  const train = (x: wg.Tensor, y: wg.Tensor): wg.Tensor => {
    const loss = wg.losses.crossEntropy(m.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss;
  };
  return { m, opt, train };
}

/** Runs `n` training steps, holding every loss and reading each one as it comes. */
function holdLosses(train: (x: wg.Tensor, y: wg.Tensor) => wg.Tensor, n: number) {
  const x = wg.randn([8, 5]);
  const y = labels(8);
  const held: wg.Tensor[] = [];
  const readThen: number[] = [];
  for (let i = 0; i < n; i++) {
    const loss = train(x, y);
    held.push(loss);
    readThen.push(loss.item());
  }
  return { held, readThen };
}

/** Ends `n` steps with backward() on tensors of their own (so earlier steps are retired). */
function otherSteps(n: number): void {
  for (let i = 0; i < n; i++) wg.ones([2], { requiresGrad: true }).mul(2).sum().backward();
}

for (const be of ['wasm', 'reference'] as const) {
  describe(`held tensors on ${be}`, () => {
    test('a train/test split made with slice is held across epochs of eager steps', () => {
      wg.setBackend(be);
      wg.manualSeed(1);
      const data = wg.randn([40, 5]);
      const y = labels(40);
      const [trainX, testX] = [data.slice(0, 0, 32), data.slice(0, 32, 40)];
      const [trainY, testY] = [y.slice(0, 0, 32), y.slice(0, 32, 40)];
      const atStart = [trainX, testX, trainY, testY].map((t) => Array.from(t.data()));
      const { m, train } = model();
      const testLosses: number[] = [];
      for (let epoch = 0; epoch < 4; epoch++) {
        for (let b = 0; b < 32; b += 8) train(trainX.slice(0, b, b + 8), trainY.slice(0, b, b + 8));
        testLosses.push(wg.noGrad(() => wg.losses.crossEntropy(m.forward(testX), testY).item()));
      }
      expect([trainX, testX, trainY, testY].map((t) => Array.from(t.data()))).toEqual(atStart);
      expect(testX.storage.spills).toBeGreaterThan(0); // the held split did go through a spill
      expect(testLosses.every(Number.isFinite)).toBe(true);
    });

    test('a batch reused across 4 gradient-accumulation micro-batches gives the big batch gradient', () => {
      wg.setBackend(be);
      wg.manualSeed(2);
      const x = wg.randn([16, 5]);
      const y = labels(16);
      const a = model();
      for (let k = 0; k < 4; k++) {
        // Each backward() ends a step: x and y are retired (spilled) after the second one.
        const part = wg.losses.crossEntropy(a.m.forward(x.slice(0, 4 * k, 4 * k + 4)), y.slice(0, 4 * k, 4 * k + 4));
        part.div(4).backward();
      }
      expect(x.storage.spills).toBeGreaterThan(0);
      const b = model();
      wg.losses.crossEntropy(b.m.forward(x), y).backward();
      const grads = (o: { m: wg.nn.Linear }) => o.m.parameters().map((p) => Array.from(p.grad!.data()));
      const [ga, gb] = [grads(a), grads(b)];
      ga.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(gb[i][j], 6)));
      a.opt.step();
      b.opt.step();
      const weights = (o: { m: wg.nn.Linear }) => o.m.parameters().flatMap((p) => Array.from(p.data()));
      weights(a).forEach((v, i) => expect(v).toBeCloseTo(weights(b)[i], 6));
    });

    test('a list of held losses is read after 100 steps', () => {
      wg.setBackend(be);
      const { held, readThen } = holdLosses(model().train, 100);
      expect(held[0].storage.owner).toBe('spilled');
      expect(held.map((l) => l.item())).toEqual(readThen);
      expect(readThen[99]).toBeLessThan(readThen[0]);
    });

    test('an intermediate activation held for 10 steps is then used in an op', () => {
      wg.setBackend(be);
      wg.manualSeed(5);
      const x = wg.randn([4, 5]);
      const { m, train } = model();
      const h = m.forward(x).relu();
      const copy = Array.from(h.data());
      for (let i = 0; i < 10; i++) train(x, labels(4));
      expect(h.storage.owner).toBe('spilled');
      const doubled = Array.from(h.mul(2).data());
      doubled.forEach((v, i) => expect(v).toBeCloseTo(2 * copy[i], 6));
    });

    test('a graph held across steps backpropagates later: its spilled tensors become resident again', () => {
      wg.setBackend(be);
      const w = wg.tensor([0.5, -1, 2], { requiresGrad: true });
      // crossEntropy saves its softmax for backward (a saved buffer of an unfreed node: spilled).
      const held = wg.losses.crossEntropy(w.mul(w).reshape([1, 3]), labels(1, 1));
      otherSteps(4);
      expect(held.storage.owner).toBe('spilled');
      held.backward();
      // d/dw CE(w², class 1) = (softmax(w²) − onehot(1)) · 2w, from PyTorch:
      // w = torch.tensor([0.5, -1, 2.], requires_grad=True); F.cross_entropy((w*w)[None], torch.tensor([1])).backward()
      const want = [0.02191, 1.90723, 3.72681];
      Array.from(w.grad!.data()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
    });

    test('a graph kept with retainGraph backpropagates again after later steps spilled it', () => {
      wg.setBackend(be);
      const w = wg.tensor([0.5, -1, 2], { requiresGrad: true });
      const held = wg.losses.crossEntropy(w.mul(w).reshape([1, 3]), labels(1, 1));
      held.backward(undefined, { retainGraph: true });
      const once = Array.from(w.grad!.data());
      otherSteps(4);
      expect(held.storage.owner).toBe('spilled');
      held.backward(); // accumulates: twice the gradient
      Array.from(w.grad!.data()).forEach((v, i) => expect(v).toBeCloseTo(2 * once[i], 5));
    });

    test('a tensor made inside noGrad and held in a closure stays valid', () => {
      wg.setBackend(be);
      const x = wg.tensor([1, -2, 3]);
      let scaled: () => wg.Tensor = () => x;
      wg.noGrad(() => {
        const t = x.mul(2).relu();
        scaled = () => t;
      });
      otherSteps(3);
      expect(scaled().storage.owner).toBe('spilled');
      expect(Array.from(scaled().add(1).data())).toEqual([3, 1, 7]);
    });

    test('losses returned by a compiled step and held across calls keep their values', () => {
      wg.setBackend(be);
      const step = wg.compile(model().train);
      const { held, readThen } = holdLosses(step, 20);
      expect(step.replayInfo()[0].mode).toBe('fast');
      expect(held.map((l) => l.item())).toEqual(readThen);
      expect(new Set(readThen).size).toBe(20); // each call's own value, not the last one's
      // A result passed back in as an input is copied out first, then gets a block of its own.
      const twice = wg.compile((t: wg.Tensor) => t.mul(2));
      const a = twice(wg.tensor([1, 2]));
      const b = twice(a);
      expect([a.toArray(), b.toArray()]).toEqual([
        [2, 4],
        [4, 8],
      ]);
    });

    test('a dataset made once with wg.tensor settles as persistent after at most two spills', () => {
      wg.setBackend(be);
      wg.manualSeed(7);
      const X = wg.tensor(
        Float32Array.from({ length: 64 * 5 }, (_, i) => Math.sin(i)),
        { shape: [64, 5] },
      );
      const Y = labels(64);
      const { train } = model();
      for (let i = 0; i < 40; i++) {
        const b = (i % 8) * 8;
        train(X.slice(0, b, b + 8), Y.slice(0, b, b + 8));
      }
      expect(X.storage.spills).toBeLessThanOrEqual(2);
      expect([X.storage.owner, Y.storage.owner]).toEqual(['persistent', 'persistent']);
    });
  });
}
