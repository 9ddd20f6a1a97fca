/**
 * Replay state in memory (issue 10): hyperparameters, step counts and schedules are memory the
 * kernels read, so a fast replay of wg.compile follows them without running any JavaScript, and
 * its results equal the eager steps bit for bit.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { apply } from '../src/engine/engine.js';
import { op } from '../src/ops/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const BACKENDS = ['wasm', 'reference'] as const;

function data(n = 8) {
  const xs = Array.from({ length: n }, (_, i) =>
    wg.tensor(
      Array.from({ length: 28 }, (_, k) => Math.sin(k * 0.9 + i)),
      { shape: [7, 4] },
    ),
  );
  const ys = Array.from({ length: n }, (_, i) => wg.tensor(Int32Array.from({ length: 7 }, (_, k) => (k + i) % 3)));
  return { xs, ys };
}

type Sched = (opt: wg.optim.Adam) => wg.optim.lr.LRScheduler | null;

/** A small model with dropout, Adam and an optional scheduler stepped inside the step; counts JS runs. */
function setup(sched: Sched = () => null, dropout = 0) {
  wg.manualSeed(11);
  const layers: wg.nn.Module[] = [new wg.nn.Linear(4, 6), new wg.nn.Tanh()];
  if (dropout > 0) layers.push(new wg.nn.Dropout(dropout));
  const model = new wg.nn.Sequential(...layers, new wg.nn.Linear(6, 3));
  const opt = new wg.optim.Adam(model.parameters(), { lr: 0.02 });
  const s = sched(opt);
  const counter = { js: 0 };
  const step = (x: wg.Tensor, y: wg.Tensor) => {
    counter.js++;
    opt.zeroGrad();
    const loss = wg.losses.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    s?.step();
    return loss;
  };
  return { model, opt, sched: s, step, counter };
}

const params = (m: wg.nn.Module) => m.parameters().map((p) => Array.from(p.data()));

for (const be of BACKENDS)
  describe(`replay state on ${be}`, () => {
    for (const how of ['opt.lr', 'paramGroups[0].lr'] as const)
      test(`${how} = x between compiled calls takes effect in a fast replay (no JS run)`, () => {
        wg.setBackend(be);
        const { xs, ys } = data();
        const setLr = (opt: wg.optim.Adam, v: number) => (how === 'opt.lr' ? (opt.lr = v) : (opt.paramGroups[0].lr = v));
        const run = (s: ReturnType<typeof setup>, f: (x: wg.Tensor, y: wg.Tensor) => wg.Tensor) =>
          xs.map((x, i) => {
            if (i === 4) setLr(s.opt, 0.3);
            return f(x, ys[i]).item();
          });
        const eager = setup();
        const want = run(eager, eager.step);
        const comp = setup();
        const compiled = wg.compile(comp.step);
        const got = run(comp, compiled);
        expect(got).toEqual(want);
        expect(params(comp.model)).toEqual(params(eager.model));
        // the trace and the verifying second call run the JS; the lr change does not add a run
        expect(comp.counter.js).toBe(2);
        expect(compiled.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 6 } });
        expect(comp.opt.lr).toBe(0.3);
      });

    const schedulers: [string, Sched][] = [
      ['StepLR', (o) => new wg.optim.lr.StepLR(o, { stepSize: 7, gamma: 0.6 })],
      ['ExponentialLR', (o) => new wg.optim.lr.ExponentialLR(o, { gamma: 0.95 })],
      ['CosineAnnealingLR', (o) => new wg.optim.lr.CosineAnnealingLR(o, { tMax: 20, etaMin: 0.001 })],
      ['LinearWarmup', (o) => new wg.optim.lr.LinearWarmup(o, { warmupSteps: 10, startFactor: 0.1 })],
    ];
    for (const [name, make] of schedulers)
      test(`${name} stepped inside the compiled function matches eager for 50 steps`, () => {
        wg.setBackend(be);
        const { xs, ys } = data(5);
        const eager = setup(make);
        const want = Array.from({ length: 50 }, (_, i) => eager.step(xs[i % 5], ys[i % 5]).item());
        const comp = setup(make);
        const compiled = wg.compile(comp.step);
        const got = Array.from({ length: 50 }, (_, i) => compiled(xs[i % 5], ys[i % 5]).item());
        expect(got).toEqual(want);
        expect(params(comp.model)).toEqual(params(eager.model));
        expect(comp.sched!.lastEpoch).toBe(50);
        expect(comp.opt.lr).toBe(eager.opt.lr);
        expect(comp.sched!.getLastLr()).toEqual(eager.sched!.getLastLr());
        expect(compiled.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { fastRuns: 48 } });
      });

    test('dropout inside the compiled function matches eager, and the global stream continues the same', () => {
      wg.setBackend(be);
      const { xs, ys } = data();
      const eager = setup(() => null, 0.3);
      const want = xs.map((x, i) => eager.step(x, ys[i]).item());
      const eagerNext = Array.from(wg.randn([6]).data());
      const comp = setup(() => null, 0.3);
      const compiled = wg.compile(comp.step);
      const got = xs.map((x, i) => compiled(x, ys[i]).item());
      expect(got).toEqual(want);
      expect(Array.from(wg.randn([6]).data())).toEqual(eagerNext);
      expect(compiled.replayInfo()[0].mode).toBe('fast');
    });

    test("Adam's bias correction continues across a checkpoint saved and loaded during compiled training", () => {
      wg.setBackend(be);
      const { xs, ys } = data();
      // 4 steps, a checkpoint, 3 steps that loading it undoes, then 4 more steps (step counts 5..8)
      const train = (s: ReturnType<typeof setup>, f: (x: wg.Tensor, y: wg.Tensor) => wg.Tensor) => {
        for (let i = 0; i < 4; i++) f(xs[i], ys[i]);
        const bytes = wg.save(s.model);
        const sd = s.opt.stateDict();
        const copy = (st: Record<string, wg.Tensor>) =>
          Object.fromEntries(Object.entries(st).map(([n, t]) => [n, wg.tensor(t.data(), { shape: [...t.shape] })]));
        const saved = { state: Object.fromEntries(Object.entries(sd.state).map(([k, st]) => [k, copy(st)])), paramGroups: sd.paramGroups };
        for (let i = 4; i < 7; i++) f(xs[i], ys[i]);
        s.model.loadStateDict(wg.load(bytes));
        s.opt.loadStateDict(saved);
        expect(s.opt.stateDict().state[0].step.item()).toBe(4);
        const jsBefore = s.counter.js;
        for (let i = 4; i < 8; i++) f(xs[i], ys[i]);
        expect(s.opt.stateDict().state[0].step.item()).toBe(8);
        return s.counter.js - jsBefore;
      };
      const eager = setup();
      train(eager, eager.step);
      const comp = setup();
      const compiled = wg.compile(comp.step);
      // the state was loaded where the program reads it: the replays after the load stay fast
      expect(train(comp, compiled)).toBe(0);
      expect(params(comp.model)).toEqual(params(eager.model));
    });
  });

test('the coefficients from memory equal the params path bit for bit (hyperparameters as float32 pairs)', () => {
  wg.setBackend('wasm');
  const lr = 1e-3,
    betas = [0.9, 0.999] as const,
    eps = 1e-8,
    weightDecay = 0.013;
  const p = wg.tensor([0.5, -1.25, 2, 0.1, -0.7], { requiresGrad: true });
  const opt = new wg.optim.AdamW([p], { lr, betas: [...betas], eps, weightDecay });
  // the same steps through the params path: the op run with float64 attrs
  let x = wg.tensor([0.5, -1.25, 2, 0.1, -0.7]);
  const m = wg.zeros([5]),
    v = wg.zeros([5]);
  for (let step = 1; step <= 30; step++) {
    const g = wg.tensor([0.3, -0.2, 0.05 * step, -1, 0.7]);
    p.grad = g;
    opt.step();
    x = apply(op('adamUpdate'), [x, g, m, v], { lr, beta1: betas[0], beta2: betas[1], eps, weightDecay, decoupled: true, step }).keep();
  }
  expect(Array.from(p.data())).toEqual(Array.from(x.data()));
});
