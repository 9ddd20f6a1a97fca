/** wg.compile: whole-step replay equals the eager path, in one WASM call, with flat memory. */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import * as wg from '../src/index.js';
import { backend } from '../src/engine.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

/** A model with everything dynamic a replay must re-bind: dropout seeds, Adam's step, an LR schedule, BatchNorm stats. */
function setup() {
  wg.manualSeed(7);
  const model = new wg.nn.Sequential(new wg.nn.Linear(5, 9), new wg.nn.BatchNorm1d(9), new wg.nn.ReLU(), new wg.nn.Dropout(0.3), new wg.nn.Linear(9, 3));
  const opt = new wg.optim.Adam(model.parameters(), { lr: 0.05 });
  const sched = new wg.optim.lr.StepLR(opt, { stepSize: 2, gamma: 0.5 });
  const step = (x: wg.Tensor, y: wg.Tensor) => {
    const loss = wg.losses.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    sched.step();
    return loss;
  };
  return { model, step };
}

function batches() {
  const xs = Array.from({ length: 6 }, (_, i) => wg.tensor(Array.from({ length: 35 }, (_, k) => Math.sin(k * 0.7 + i)), { shape: [7, 5] }));
  const ys = Array.from({ length: 6 }, (_, i) => wg.tensor(Int32Array.from({ length: 7 }, (_, k) => (k + i) % 3)));
  return { xs, ys };
}

for (const be of ['wasm', 'reference'] as const) {
  describe(`compile on ${be}`, () => {
    test('replayed steps give the same losses and parameters as eager steps', () => {
      wg.setBackend(be);
      const eager = setup();
      const { xs, ys } = batches();
      const eagerLosses = xs.map((x, i) => eager.step(x, ys[i]).item());
      const eagerState = Object.values(eager.model.stateDict()).map((t) => Array.from(t.data()));

      const comp = setup();
      const step = wg.compile(comp.step);
      const losses = xs.map((x, i) => step(x, ys[i]).item());
      const state = Object.values(comp.model.stateDict()).map((t) => Array.from(t.data()));
      losses.forEach((l, i) => expect(l).toBeCloseTo(eagerLosses[i], 5));
      state.forEach((vals, k) => vals.forEach((v, j) => expect(v).toBeCloseTo(eagerState[k][j], 5)));
      expect(new Set(losses).size).toBe(losses.length); // the schedule, Adam's step and dropout really changed
    });

    test('memory stays flat over many replays', () => {
      wg.setBackend(be);
      const { step } = setup();
      const { xs, ys } = batches();
      const compiled = wg.compile(step);
      for (let i = 0; i < 3; i++) compiled(xs[i % 6], ys[i % 6]);
      const heap = backend(be).heap;
      const high = heap.highWater;
      const inUse = heap.inUse;
      for (let i = 0; i < 300; i++) compiled(xs[i % 6], ys[i % 6]);
      expect(heap.highWater).toBe(high);
      expect(heap.inUse).toBeLessThanOrEqual(inUse);
    });
  });
}

test('a replayed step is one call into WebAssembly', () => {
  wg.setBackend('wasm');
  const { step } = setup();
  const { xs, ys } = batches();
  const compiled = wg.compile(step);
  compiled(xs[0], ys[0]);
  const be = backend('wasm');
  const spy = vi.spyOn(be, 'run');
  compiled(xs[1], ys[1]);
  expect(spy).toHaveBeenCalledTimes(1);
  spy.mockRestore();
});

test('new input shapes are traced anew (e.g. a smaller last batch)', () => {
  wg.setBackend('wasm');
  const w = wg.tensor([1, 2, 3], { requiresGrad: true });
  const f = wg.compile((x: wg.Tensor) => x.mul(w).sum());
  expect(f(wg.ones([2, 3])).item()).toBe(12);
  expect(f(wg.ones([1, 3])).item()).toBe(6);
  expect(f(wg.full([2, 3], 2)).item()).toBe(24);
});

test('errors: reading a computed value inside, a function that changes its ops, bad input on replay leaves params untouched', () => {
  wg.setBackend('wasm');
  const w = wg.tensor([1, 2], { requiresGrad: true });
  expect(() => wg.compile((x: wg.Tensor) => x.mul(w).sum().item())(wg.ones([2]))).toThrow(/cannot be read inside it/);
  let calls = 0;
  const branchy = wg.compile((x: wg.Tensor) => (calls++ === 0 ? x.mul(w) : x.add(w)).sum());
  branchy(wg.ones([2]));
  expect(() => branchy(wg.ones([2]))).toThrow(/did not repeat its recorded work.*add where mul was recorded/);
  const { model, step } = setup();
  const compiled = wg.compile(step);
  const { xs, ys } = batches();
  compiled(xs[0], ys[0]);
  const before = Object.values(model.stateDict()).map((t) => Array.from(t.data()));
  expect(() => compiled(xs[1], wg.tensor(Int32Array.from({ length: 7 }, () => 5)))).toThrow(/crossEntropy/);
  expect(Object.values(model.stateDict()).map((t) => Array.from(t.data()))).toEqual(before);
  expect(() => compiled(xs[2], ys[2])).not.toThrow();
});
