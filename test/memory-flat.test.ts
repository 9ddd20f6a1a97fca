/**
 * Issue 13, item 2: training loops keep WebAssembly memory flat without gc() and without dispose,
 * including a batch made with wg.tensor every step, eager and compiled. (`npm run soak` runs the
 * 20,000-step versions and also watches the JS heap and RSS.)
 */
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { backend } from '../src/engine/engine.js';
import { lifetimes } from '../src/engine/storage.js';
import type { WasmBackend } from '../src/engine/backend/wasm.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const STEPS = 2_000;
const WARM_UP = 200;
const BATCH = 8;

/** A batch's plain arrays as a data loader would give them (new arrays every step). */
function batchArrays(i: number): { x: Float32Array; y: Int32Array } {
  return {
    x: Float32Array.from({ length: BATCH * 6 }, (_, k) => Math.sin(i * 0.37 + k)),
    y: Int32Array.from({ length: BATCH }, (_, k) => (i + k) % 3),
  };
}

/** Runs `step(i)` STEPS times and returns the heap's words in use and footprint, and the WASM memory size, after the warm-up and at the end. */
function measure(be: 'wasm' | 'reference', step: (i: number) => void) {
  const heap = backend(be).heap;
  const memory = () => (be === 'wasm' ? (backend('wasm') as WasmBackend).memoryBytes : 0);
  for (let i = 0; i < WARM_UP; i++) step(i);
  const after = { inUse: heap.inUse, highWater: heap.highWater, memory: memory() };
  for (let i = WARM_UP; i < STEPS; i++) step(i);
  return { after, end: { inUse: heap.inUse, highWater: heap.highWater, memory: memory() } };
}

function expectFlat({ after, end }: ReturnType<typeof measure>): void {
  expect(end.highWater).toBe(after.highWater);
  expect(end.memory).toBe(after.memory);
  expect(end.inUse).toBeLessThanOrEqual(after.inUse);
}

function setup() {
  wg.manualSeed(9);
  const model = new wg.nn.Sequential(new wg.nn.Linear(6, 16), new wg.nn.ReLU(), new wg.nn.Linear(16, 3));
  const opt = new wg.optim.Adam(model.parameters(), { lr: 1e-3 });
  const train = (x: wg.Tensor, y: wg.Tensor): wg.Tensor => {
    const loss = wg.losses.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss;
  };
  return train;
}

for (const be of ['wasm', 'reference'] as const) {
  describe(`flat memory on ${be}, ${STEPS} steps, no gc()`, () => {
    test('eager, a batch made with wg.tensor every step', () => {
      wg.setBackend(be);
      const train = setup();
      expectFlat(
        measure(be, (i) => {
          const { x, y } = batchArrays(i);
          train(wg.tensor(x, { shape: [BATCH, 6] }), wg.tensor(y));
        }),
      );
    });

    test('eager, holding nothing: batches sliced from a dataset', () => {
      wg.setBackend(be);
      const train = setup();
      const X = wg.randn([64, 6]);
      const Y = wg.tensor(Int32Array.from({ length: 64 }, (_, k) => k % 3));
      expectFlat(
        measure(be, (i) => {
          const b = (i % 8) * BATCH;
          train(X.slice(0, b, b + BATCH), Y.slice(0, b, b + BATCH)).item();
        }),
      );
    });

    test('compiled, a batch made with wg.tensor every step', () => {
      wg.setBackend(be);
      const train = wg.compile(setup());
      expectFlat(
        measure(be, (i) => {
          const { x, y } = batchArrays(i);
          train(wg.tensor(x, { shape: [BATCH, 6] }), wg.tensor(y)).item();
        }),
      );
      expect(train.replayInfo()[0].mode).toBe('fast');
    });

    test('compiled, a function that makes its batch with wg.tensor inside (it re-runs its JavaScript)', () => {
      wg.setBackend(be);
      const train = setup();
      const step = wg.compile(
        (i: number) => {
          const { x, y } = batchArrays(i);
          return train(wg.tensor(x, { shape: [BATCH, 6] }), wg.tensor(y));
        },
        { warn: false },
      );
      expectFlat(measure(be, (i) => step(i % 3).item()));
      expect(step.replayInfo()[0].mode).toBe('rerun');
    });
  });
}

// Loops that never call backward() (evaluation, inference; outside noGrad or inside one noGrad
// around the whole loop): the generations turn over by volume instead of by step, so memory stays
// flat and every result a handle still holds stays readable. turnOverWords is lowered so that the
// 2,000 iterations turn over every few of them (each makes ~8,200 words).
for (const be of ['wasm', 'reference'] as const) {
  describe(`loops without backward() on ${be}: flat memory, held results intact`, () => {
    let before: number;
    beforeEach(() => {
      before = lifetimes.turnOverWords;
      lifetimes.turnOverWords = 1 << 16;
      wg.setBackend(be);
    });
    afterEach(() => {
      lifetimes.turnOverWords = before;
    });
    /** Operands, and a result kept every 500 iterations with what it must equal (recomputed after the loop). */
    const operands = () => {
      wg.manualSeed(4);
      return [wg.randn([64, 64]), wg.randn([64, 64])];
    };
    const expectIntact = (a: wg.Tensor, b: wg.Tensor, kept: [number, wg.Tensor][]) => {
      expect(kept.length).toBeGreaterThanOrEqual(4);
      for (const [i, c] of kept) expect([i, Array.from(c.data())]).toEqual([i, Array.from(wg.noGrad(() => a.matmul(b).add(i)).data())]);
    };

    test('eager, outside noGrad', () => {
      const [a, b] = operands();
      const kept: [number, wg.Tensor][] = [];
      expectFlat(
        measure(be, (i) => {
          const c = a.matmul(b).add(i);
          if (i % 500 === 0) kept.push([i, c]);
        }),
      );
      expectIntact(a, b, kept);
    });

    test('inside one noGrad around the whole loop, and what it returns', () => {
      const [a, b] = operands();
      const kept: [number, wg.Tensor][] = [];
      const heap = backend(be).heap;
      let afterWarmUp = 0;
      const first = wg.noGrad(() => {
        let made: wg.Tensor | null = null;
        for (let i = 0; i < STEPS; i++) {
          const c = a.matmul(b).add(i);
          made ??= c;
          if (i % 500 === 0) kept.push([i, c]);
          if (i === WARM_UP) afterWarmUp = heap.highWater;
        }
        return made!;
      });
      expect(heap.highWater).toBe(afterWarmUp);
      expectIntact(a, b, [[0, first], ...kept]);
    });

    test('a training step whose forward turns the generations over: the same losses and weights as without', () => {
      const run = (words: number) => {
        lifetimes.turnOverWords = words;
        lifetimes.largestStep = 0; // as in a fresh process: no step has run yet
        wg.manualSeed(2);
        const model = new wg.nn.Sequential(new wg.nn.Linear(32, 64), new wg.nn.Tanh(), new wg.nn.Linear(64, 64), new wg.nn.Tanh(), new wg.nn.Linear(64, 5));
        const opt = new wg.optim.SGD(model.parameters(), { lr: 0.1 });
        const x = wg.randn([48, 32]);
        const y = wg.tensor(Int32Array.from({ length: 48 }, (_, k) => k % 5));
        const losses: number[] = [];
        const turnOvers = [lifetimes.turnOvers];
        for (let s = 0; s < 3; s++) {
          opt.zeroGrad();
          const loss = wg.losses.crossEntropy(model.forward(x), y);
          loss.backward();
          opt.step();
          losses.push(loss.item());
          turnOvers.push(lifetimes.turnOvers);
        }
        return { turnOvers: turnOvers.map((t) => t - turnOvers[0]), trained: [losses, ...model.parameters().map((p) => Array.from(p.data()))] };
      };
      // 256 words: the first step's forward turns over after nearly every op, spilling the graph's
      // activations, which its backward makes resident again; the later steps know the step's size
      // (all of it, not what the last turn-over left) and do not turn over.
      const small = run(256);
      expect(small.turnOvers[1]).toBeGreaterThanOrEqual(5);
      expect(small.turnOvers.slice(2)).toEqual([small.turnOvers[1], small.turnOvers[1]]);
      const large = run(1 << 26);
      expect(large.turnOvers).toEqual([0, 0, 0, 0]);
      expect(small.trained).toEqual(large.trained);
    });
  });
}
