/** wg.compile: whole-step replay equals the eager path, in one WASM call, with flat memory. */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import * as wg from '../src/index.js';
import { backend } from '../src/engine/engine.js';
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
  return { model, step: trainStep(model, opt, sched) };
}

/** The training step users write; `counter.js` counts how often its JavaScript runs. */
function trainStep(model: wg.nn.Module, opt: wg.optim.Adam, sched: wg.optim.lr.LRScheduler, counter = { js: 0 }) {
  return (x: wg.Tensor, y: wg.Tensor) => {
    counter.js++;
    const loss = wg.losses.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    sched.step();
    return loss;
  };
}

function batches() {
  const xs = Array.from({ length: 6 }, (_, i) =>
    wg.tensor(
      Array.from({ length: 35 }, (_, k) => Math.sin(k * 0.7 + i)),
      { shape: [7, 5] },
    ),
  );
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
      // The batches, made with wg.tensor, are spilled twice by the step ends before they settle as
      // persistent (docs/internals.md, "Memory and lifetimes"): 4 rounds of the 6.
      for (let i = 0; i < 24; i++) compiled(xs[i % 6], ys[i % 6]);
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

describe('fast replay (no JavaScript per call)', () => {
  /** An MLP with dropout, Adam and a schedule stepped inside; counts how often fn's JS runs. */
  function mlp(seed = 3) {
    wg.manualSeed(seed);
    const model = new wg.nn.Sequential(new wg.nn.Linear(5, 8), new wg.nn.ReLU(), new wg.nn.Dropout(0.25), new wg.nn.Linear(8, 3));
    const opt = new wg.optim.Adam(model.parameters(), { lr: 0.05 });
    const sched = new wg.optim.lr.ExponentialLR(opt, { gamma: 0.8 });
    const counter = { js: 0 };
    return { model, opt, sched, step: trainStep(model, opt, sched, counter), counter };
  }
  const state = (m: wg.nn.Module) => Object.values(m.stateDict()).map((t) => Array.from(t.data()));

  for (const be of ['wasm', 'reference'] as const) {
    test(`${be}: equals eager (Adam steps, schedule inside and lr set outside, dropout seeds) without re-running the JS`, () => {
      wg.setBackend(be);
      const { xs, ys } = batches();
      const run = (s: ReturnType<typeof mlp>, f: (x: wg.Tensor, y: wg.Tensor) => wg.Tensor) =>
        xs.concat(xs).map((x, i) => {
          if (i === 7) s.opt.lr = 0.01; // a hyperparameter changed between calls takes effect
          return f(x, ys[i % 6]).item();
        });
      const eager = mlp();
      const eagerLosses = run(eager, eager.step);
      const comp = mlp();
      const compiled = wg.compile(comp.step);
      const losses = run(comp, compiled);
      losses.forEach((l, i) => expect(l).toBeCloseTo(eagerLosses[i], 5));
      const want = state(eager.model);
      state(comp.model).forEach((v, k) => v.forEach((x, j) => expect(x).toBeCloseTo(want[k][j], 5)));
      expect(comp.sched.lastEpoch).toBe(eager.sched.lastEpoch);
      expect(comp.opt.lr).toBeCloseTo(eager.opt.lr, 12);
      expect(comp.opt.stateDict().state[0].step.item()).toBe(12);
      // JS runs: the trace, the verifying second call, and calls bringing labels no earlier run validated
      expect(compiled.replayInfo()[0].mode).toBe('fast');
      expect(comp.counter.js).toBeLessThan(6);
      comp.model
        .parameters()
        .forEach((p, i) => expect(Array.from(p.grad!.data())).toEqual(Array.from(eager.model.parameters()[i].grad!.data()).map((v) => expect.closeTo(v, 5))));
    });
  }

  test('train()/eval() between calls: the JS runs again; a function whose ops change with the mode is a clear error, and nothing runs', () => {
    wg.setBackend('wasm');
    const { xs, ys } = batches();
    const comp = mlp(5);
    const compiled = wg.compile(comp.step);
    for (let i = 0; i < 4; i++) compiled(xs[i], ys[i]);
    const jsRuns = comp.counter.js;
    comp.model.eval(); // Dropout becomes the identity: the step runs other ops
    const before = state(comp.model);
    expect(() => compiled(xs[4], ys[4])).toThrow(
      /^wasmgrad\.compile: the model or optimizer was reconfigured since this function last ran \(train\(\)\/eval\(\), requiresGrad_, addParamGroup, momentum, amsgrad or centered switched on or off\), and now it runs other ops \(the step function did not repeat its recorded work/,
    );
    expect(state(comp.model)).toEqual(before);
    comp.model.train();
    compiled(xs[4], ys[4]); // back in the traced mode: the JS runs once more, then replays are fast again
    compiled(xs[5], ys[5]);
    expect(comp.counter.js).toBe(jsRuns + 2);
    expect(compiled.replayInfo()[0].mode).toBe('fast');
    comp.model.train(); // no change of mode: no JS run
    compiled(xs[0], ys[0]);
    expect(comp.counter.js).toBe(jsRuns + 2);

    // A model without mode-dependent layers keeps working across modes (its JS is re-checked once).
    wg.manualSeed(1);
    const plain = new wg.nn.Sequential(new wg.nn.Linear(5, 3));
    const opt = new wg.optim.SGD(plain.parameters(), { lr: 0.1 });
    const f = wg.compile((x: wg.Tensor, y: wg.Tensor) => {
      const loss = wg.losses.crossEntropy(plain.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss;
    });
    for (let i = 0; i < 3; i++) f(xs[i], ys[i]);
    plain.eval();
    expect(() => f(xs[3], ys[3])).not.toThrow();
    expect(f.replayInfo()[0].calls.jsRuns).toBe(2);
  });

  test('fresh dropout masks every call, the same stream as eager', () => {
    wg.setBackend('wasm');
    const x = wg.ones([64]);
    wg.manualSeed(11);
    const eager = Array.from({ length: 5 }, () => Array.from(wg.dropout(x, 0.5, true).data()));
    wg.manualSeed(11);
    const f = wg.compile((t: wg.Tensor) => wg.dropout(t, 0.5, true));
    const comp = Array.from({ length: 5 }, () => Array.from(f(x).data()));
    expect(comp).toEqual(eager);
    expect(new Set(comp.map((m) => m.join())).size).toBe(5);
    expect(f.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 3 } });
  });

  test("cat of its six inputs (two past the record's fixed input slots) replays fast with new inputs, equal to eager", () => {
    wg.setBackend('wasm');
    // p joins as the 7th input: its gradient pointer also sits in the record's end words.
    const run = (compiled: boolean) => {
      const p = wg.tensor([0.5, -1.5], { shape: [2, 1], requiresGrad: true });
      const opt = new wg.optim.SGD([p], { lr: 0.1 });
      const step = (...xs: wg.Tensor[]) => {
        opt.zeroGrad();
        const y = wg.cat([...xs, p], 1);
        const loss = y.mul(y).sum();
        loss.backward();
        opt.step();
        return loss;
      };
      const f = compiled ? wg.compile(step) : step;
      const out = Array.from({ length: 5 }, (_, call) => {
        const xs = Array.from({ length: 6 }, (_, i) => wg.tensor([call + i, call * i - 2], { shape: [2, 1] }));
        return [f(...xs).item(), ...p.data()];
      });
      return { out, info: compiled ? (f as ReturnType<typeof wg.compile>).replayInfo()[0] : null };
    };
    const eager = run(false);
    const comp = run(true);
    expect(comp.out).toEqual(eager.out);
    // Call 1: rows [1..6] and [-2..3] of the inputs, p = 0.8·[0.5, -1.5] after one SGD step on 2p.
    expect(eager.out[1][0]).toBeCloseTo(91 + 19 + 0.4 ** 2 + 1.2 ** 2, 4);
    expect(comp.info).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 3 } });
  });

  test('bad labels on a fast replay: a clear error, parameters and optimizer state untouched; a new valid label re-runs the JS once', () => {
    wg.setBackend('wasm');
    const { model, opt, step, counter } = mlp();
    const compiled = wg.compile(step);
    const x = wg.tensor(
      Array.from({ length: 35 }, (_, k) => Math.cos(k)),
      { shape: [7, 5] },
    );
    const y01 = wg.tensor(Int32Array.from({ length: 7 }, (_, k) => k % 2));
    for (let i = 0; i < 4; i++) compiled(x, y01);
    expect(counter.js).toBe(2);
    const before = state(model);
    const lr = opt.lr;
    expect(() => compiled(x, wg.tensor(Int32Array.from({ length: 7 }, () => 3)))).toThrow(/crossEntropy.*out of range/);
    expect(state(model)).toEqual(before);
    expect(opt.lr).toBe(lr);
    expect(opt.stateDict().state[0].step.item()).toBe(4);
    compiled(x, wg.tensor(Int32Array.from({ length: 7 }, () => 2))); // label 2 is new: the JS checks it
    expect(counter.js).toBe(4);
    compiled(x, wg.tensor(Int32Array.from({ length: 7 }, (_, k) => k % 3))); // all seen: fast
    expect(counter.js).toBe(4);
  });

  test('zeroGrad outside the function, or grads cleared by the user, are re-bound; a leaf stays usable', () => {
    wg.setBackend('wasm');
    const { xs, ys } = batches();
    const a = mlp();
    const eager = xs.map((x, i) => {
      a.opt.zeroGrad();
      return a.step(x, ys[i]).item();
    });
    const b = mlp();
    const compiled = wg.compile(b.step);
    xs.forEach((x, i) => {
      if (i % 2 === 0) b.opt.zeroGrad();
      else b.model.parameters()[1].grad = null;
      expect(compiled(x, ys[i]).item()).toBeCloseTo(eager[i], 5);
    });
    expect(compiled.replayInfo()[0].calls.fastRuns).toBeGreaterThan(0);
    expect(b.model.parameters()[0].grad).not.toBeNull();
  });

  test('in-place updates of a replay bump versions: an eager graph over the old parameters refuses to backpropagate', () => {
    wg.setBackend('wasm');
    const { model, step } = mlp();
    const compiled = wg.compile(step);
    const { xs, ys } = batches();
    for (let i = 0; i < 3; i++) compiled(xs[i], ys[i]);
    const out = model.forward(xs[0]).sum();
    compiled(xs[1], ys[1]);
    expect(() => out.backward()).toThrow(/modified in place/);
  });

  test('memory stays flat with eager work between fast replays', () => {
    wg.setBackend('wasm');
    const { model, step } = mlp();
    const compiled = wg.compile(step);
    const { xs, ys } = batches();
    const heap = backend('wasm').heap;
    const tick = (i: number) => {
      compiled(xs[i % 6], ys[i % 6]);
      wg.noGrad(() => model.forward(xs[0]).sum()).item();
      xs[0].mul(2).sum().item(); // an op result outside, recycled by the replay's step ends
    };
    for (let i = 0; i < 24; i++) tick(i); // the batches settle as persistent (see above)
    const high = heap.highWater;
    for (let i = 0; i < 200; i++) tick(i);
    expect(heap.highWater).toBe(high);
    expect(compiled.replayInfo()[0].mode).toBe('fast');
  });

  test('functions whose JavaScript matters keep re-running it, and say why', () => {
    wg.setBackend('wasm');
    const w = wg.tensor([1, 2, 3]);
    let scale = 1;
    const f = wg.compile((x: wg.Tensor) => x.mul(w).mul(scale++).sum());
    const got = [1, 2, 3, 4].map(() => f(wg.ones([3])).item());
    expect(got).toEqual([6, 12, 18, 24]);
    expect(f.replayInfo()[0].mode).toBe('rerun');
    expect(f.replayInfo()[0].reason).toMatch(/constant/);
    // reading a tensor value into JavaScript
    const g = wg.compile((x: wg.Tensor, s: wg.Tensor) => x.mul(s.item()).sum());
    expect([2, 3, 4].map((v) => g(wg.ones([2]), wg.full([], v)).item())).toEqual([4, 6, 8]);
    expect(g.replayInfo()[0]).toMatchObject({ mode: 'rerun', reason: expect.stringMatching(/reads tensor values/) });
    // BatchNorm counts its batches in WASM: a model with BatchNorm and Dropout replays fast
    const { step } = setup();
    const bn = wg.compile(step);
    const { xs, ys } = batches();
    for (let i = 0; i < 3; i++) bn(xs[i], ys[i]);
    expect(bn.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, fastRuns: 1 } });
    const r = wg.compile((x: wg.Tensor) => ({ s: x.sum(), n: x.size }));
    r(wg.ones([2]));
    r(wg.ones([2]));
    expect(r.replayInfo()[0].reason).toMatch(/returns JavaScript values/);
  });

  test('verify: n re-runs the JavaScript every n calls; bad options are errors', () => {
    wg.setBackend('wasm');
    const { step, counter } = mlp();
    const compiled = wg.compile(step, { verify: 1 });
    const { xs, ys } = batches();
    for (let i = 0; i < 5; i++) compiled(xs[i], ys[i]);
    expect(counter.js).toBe(5);
    expect(() => wg.compile(step, { verify: -1 })).toThrow(/verify must be an integer/);
  });
});
