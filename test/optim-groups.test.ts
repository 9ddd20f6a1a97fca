/**
 * Optimizer parameter groups (issue 12 item 6, PyTorch's param_groups): `new wg.optim.AdamW([{ params,
 * ...options }, ...], defaults)`, live `opt.paramGroups`, `addParamGroup`, per-group schedulers,
 * state dicts and checkpoints with several groups, and the same inside wg.compile (fast replay).
 *
 * Expected values are PyTorch 1.13's (torch.optim and torch.optim.lr_scheduler, float32 model,
 * printed to 9 significant digits), written here as literals. The model and data:
 * test/helpers/optim-fixture.ts.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { fixtureData, fixtureLinear } from './helpers/optim-fixture.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

afterEach(() => {
  wg.setBackend('wasm');
});

const BACKENDS = ['wasm', 'reference'] as const;
/** Float32 rounding over three steps: a few ulps of values ≤ 1. */
const TOL = 3e-7;

function linear() {
  const model = fixtureLinear();
  return { model, weight: model.weight, bias: model.bias! };
}

/** One training step on the fixed data: zeroGrad, MSE, backward, step. */
function trainStep(model: wg.nn.Linear, opt: wg.optim.Optimizer, x: wg.Tensor, y: wg.Tensor): wg.Tensor {
  opt.zeroGrad();
  const loss = wg.losses.mse(model.forward(x), y);
  loss.backward();
  opt.step();
  return loss;
}

const data = fixtureData;
const snapshot = (m: { weight: wg.Tensor; bias: wg.Tensor }) => ({ w: Array.from(m.weight.data()), b: Array.from(m.bias.data()) });

// torch.optim.AdamW([{'params': [weight], 'weight_decay': 0.1, 'lr': 0.01}, {'params': [bias], 'weight_decay': 0}], lr=0.001)
const ADAMW = [
  { w: [0.109899998, -0.189799994, 0.289700031, 0.389600009, 0.489500016, -0.589400053], b: [0.050999999, -0.0989999995] },
  { w: [0.11973954, -0.179658204, 0.279488444, 0.379238874, 0.479015648, -0.578815877], b: [0.0519913547, -0.0979988202] },
  { w: [0.129474148, -0.169616297, 0.269441873, 0.368939251, 0.468550444, -0.568251014], b: [0.0529653095, -0.0969957337] },
  { w: [0.139049456, -0.159724697, 0.259662092, 0.358726889, 0.458107978, -0.557709098], b: [0.0539098904, -0.0959900692] },
];
// torch.optim.SGD([{'params': [weight], 'lr': 0.1, 'momentum': 0.9}, {'params': [bias]}], lr=0.05)
const SGD = [
  { w: [0.116675004, -0.170300007, 0.281525016, 0.375775009, 0.313975006, -0.436300009], b: [0.0532499999, -0.0933749974] },
  { w: [0.144645736, -0.121784925, 0.252885699, 0.341363966, 0.0131017696, -0.170400783], b: [0.0553264357, -0.0843170881] },
  { w: [0.176919952, -0.0689893737, 0.225521043, 0.31609866, -0.30602935, 0.114482626], b: [0.0556066483, -0.0714406893] },
];
// torch.optim.SGD([{'params': [weight], 'lr': 0.1}, {'params': [bias], 'lr': 0.2}], lr=0.05) with
// LambdaLR(opt, [lambda e: 0.5 ** e, lambda e: 1 / (e + 1)]): parameters and get_last_lr() after each step
const LAMBDA = [
  { w: [0.116675004, -0.170300007, 0.281525016, 0.375775009, 0.313975006, -0.436300009], b: [0.063000001, -0.0734999925], lr: [0.05, 0.1] },
  { w: [0.122766621, -0.159565896, 0.275445998, 0.368675739, 0.246926665, -0.377164453], b: [0.0661778748, -0.0573716797], lr: [0.025, 0.06666666666666667] },
  { w: [0.125438675, -0.154912278, 0.272963703, 0.365844399, 0.218021959, -0.35170868], b: [0.0675879344, -0.0464547053], lr: [0.0125, 0.05] },
];

const adamwGroups = (m: { weight: wg.Tensor; bias: wg.Tensor }) =>
  new wg.optim.AdamW(
    [
      { params: [m.weight], weightDecay: 0.1, lr: 0.01 },
      { params: [m.bias], weightDecay: 0 },
    ],
    { lr: 0.001 },
  );

const expectStep = (got: { w: number[]; b: number[] }, want: { w: number[]; b: number[] }) => {
  expectClose(got.w, want.w, TOL);
  expectClose(got.b, want.b, TOL);
};

/** Trains m with opt on the fixed data, one step per expected state, checking each against PyTorch's. */
function expectTrajectory(m: ReturnType<typeof linear>, opt: wg.optim.Optimizer, wants: readonly { w: number[]; b: number[] }[]) {
  const { x, y } = data();
  for (const want of wants) {
    trainStep(m.model, opt, x, y);
    expectStep(snapshot(m), want);
  }
}

describe.each(BACKENDS)('parameter groups against PyTorch 1.13 (%s)', (be) => {
  test('AdamW with a decay group and a no-decay group: the parameters after each of 3 steps', () => {
    wg.setBackend(be);
    const m = linear();
    const opt = adamwGroups(m);
    expect(opt.paramGroups.map((g) => ({ ...g }))).toEqual([
      { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.1, amsgrad: false, maximize: false },
      { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
    ]);
    expect(opt.paramGroups[0].params).toEqual([m.weight]);
    expect(opt.paramGroups[1].params).toEqual([m.bias]);
    expect(opt.params).toEqual([m.weight, m.bias]);
    expectTrajectory(m, opt, ADAMW.slice(0, 3));
  });

  test('SGD with momentum in one group and plain SGD at the default lr in the other', () => {
    wg.setBackend(be);
    const m = linear();
    const opt = new wg.optim.SGD([{ params: [m.weight], lr: 0.1, momentum: 0.9 }, { params: [m.bias] }], { lr: 0.05 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([
      [0.1, 0.9],
      [0.05, 0],
    ]);
    expectTrajectory(m, opt, SGD);
    // momentum_buffer only where the group has momentum, as PyTorch
    expect(Object.keys(opt.stateDict().state[0])).toEqual(['momentum_buffer']);
    expect(Object.keys(opt.stateDict().state[1])).toEqual([]);
  });

  test('LambdaLR with one function per group: getLastLr() per group and the parameters', () => {
    wg.setBackend(be);
    const m = linear();
    const { x, y } = data();
    const opt = new wg.optim.SGD(
      [
        { params: [m.weight], lr: 0.1 },
        { params: [m.bias], lr: 0.2 },
      ],
      { lr: 0.05 },
    );
    const sched = new wg.optim.lr.LambdaLR(opt, { lrLambda: [(e) => 0.5 ** e, (e) => 1 / (e + 1)] });
    expect(sched.baseLrs).toEqual([0.1, 0.2]);
    expect(sched.getLastLr()).toEqual([0.1, 0.2]);
    for (const want of LAMBDA) {
      trainStep(m.model, opt, x, y);
      sched.step();
      expectStep(snapshot(m), want);
      expectClose(sched.getLastLr(), want.lr, 1e-12);
    }
  });

  test('addParamGroup before the first step equals making the optimizer with both groups', () => {
    wg.setBackend(be);
    const m = linear();
    const opt = new wg.optim.AdamW([m.weight], { lr: 0.01, weightDecay: 0.1 });
    opt.addParamGroup({ params: [m.bias], weightDecay: 0, lr: 0.001 });
    expect(opt.paramGroups.map((g) => [g.lr, g.weightDecay])).toEqual([
      [0.01, 0.1],
      [0.001, 0],
    ]);
    expectTrajectory(m, opt, ADAMW.slice(0, 3));
  });

  test('paramGroups[1].lr changes that group only; opt.lr reads group 0 and sets every group', () => {
    wg.setBackend(be);
    const m = linear();
    const opt = adamwGroups(m);
    opt.paramGroups[1].lr = 0.002;
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.01, 0.002]);
    expect(opt.lr).toBe(0.01);
    opt.lr = 0.05;
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.05, 0.05]);
    // one learning rate per group into stepping: group 1 at lr 0 leaves the bias alone
    opt.paramGroups[1].lr = 0;
    const { x, y } = data();
    trainStep(m.model, opt, x, y);
    expect(Array.from(m.bias.data())).toEqual([Math.fround(0.05), Math.fround(-0.1)]);
    expect(Array.from(m.weight.data())).not.toEqual([0.1, -0.2, 0.3, 0.4, 0.5, -0.6].map(Math.fround));
  });
});

describe.each(BACKENDS)('schedulers act on every group, as PyTorch 1.13 (%s)', (be) => {
  /** SGD over two one-tensor groups with lrs 0.1 and 0.02 (defaults lr 0.05). */
  const twoGroups = () => {
    const a = wg.zeros([2], { requiresGrad: true }),
      b = wg.zeros([2], { requiresGrad: true });
    return new wg.optim.SGD(
      [
        { params: [a], lr: 0.1 },
        { params: [b], lr: 0.02 },
      ],
      { lr: 0.05 },
    );
  };
  /** getLastLr() at construction and after each of `n` steps (step(metric) when metrics are given). */
  const lrs = (sched: wg.optim.lr.LRScheduler, n: number, metrics?: number[]) => {
    const out = [sched.getLastLr()];
    for (let i = 0; i < n; i++) {
      if (metrics) (sched as wg.optim.lr.ReduceLROnPlateau).step(metrics[i]);
      else (sched as { step(): void }).step();
      out.push(sched.getLastLr());
    }
    return out;
  };
  const expectLrs = (got: number[][], want: number[][]) => {
    expect(got.length).toBe(want.length);
    got.forEach((row, i) => expectClose(row, want[i], 1e-9));
  };

  test('MultiStepLR([2, 4], gamma 0.5)', () => {
    wg.setBackend(be);
    const opt = twoGroups();
    const s = new wg.optim.lr.MultiStepLR(opt, { milestones: [2, 4], gamma: 0.5 });
    expect(s.baseLrs).toEqual([0.1, 0.02]);
    expectLrs(lrs(s, 6), [
      [0.1, 0.02],
      [0.1, 0.02],
      [0.05, 0.01],
      [0.05, 0.01],
      [0.025, 0.005],
      [0.025, 0.005],
      [0.025, 0.005],
    ]);
  });

  test('OneCycleLR(maxLr 1, totalSteps 6): every group follows the same cycle', () => {
    wg.setBackend(be);
    const s = new wg.optim.lr.OneCycleLR(twoGroups(), { maxLr: 1, totalSteps: 6 });
    expectLrs(
      lrs(s, 5),
      [0.04, 0.994415435451, 0.81174565395, 0.462637102667, 0.133477530189, 4e-6].map((v) => [v, v]),
    );
  });

  test('ReduceLROnPlateau(factor 0.5, patience 0, minLr per group [0.03, 0])', () => {
    wg.setBackend(be);
    const s = new wg.optim.lr.ReduceLROnPlateau(twoGroups(), { factor: 0.5, patience: 0, minLr: [0.03, 0] });
    expect(s.minLrs).toEqual([0.03, 0]);
    expectLrs(lrs(s, 6, [1, 2, 3, 4, 5, 6]), [
      [0.1, 0.02],
      [0.1, 0.02],
      [0.05, 0.01],
      [0.03, 0.005],
      [0.03, 0.0025],
      [0.03, 0.00125],
      [0.03, 0.000625],
    ]);
  });

  test('SequentialLR of ExponentialLR(0.5) then StepLR(2, 0.1) at milestone 3', () => {
    wg.setBackend(be);
    const opt = twoGroups();
    const a = new wg.optim.lr.ExponentialLR(opt, { gamma: 0.5 });
    const b = new wg.optim.lr.StepLR(opt, { stepSize: 2, gamma: 0.1 });
    const s = new wg.optim.lr.SequentialLR(opt, { schedulers: [a, b], milestones: [3] });
    expectLrs(lrs(s, 6), [
      [0.1, 0.02],
      [0.05, 0.01],
      [0.025, 0.005],
      [0.1, 0.02],
      [0.1, 0.02],
      [0.01, 0.002],
      [0.01, 0.002],
    ]);
  });

  test('a group added after the schedulers were made keeps its lr (PyTorch zips base_lrs with the groups)', () => {
    wg.setBackend(be);
    const opt = twoGroups();
    const step = new wg.optim.lr.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    const plateau = new wg.optim.lr.ReduceLROnPlateau(opt, { factor: 0.5, patience: 0 });
    const lambda = new wg.optim.lr.LambdaLR(opt, { lrLambda: (e) => 1 / (e + 1) });
    opt.addParamGroup({ params: [wg.zeros([2], { requiresGrad: true })], lr: 0.3 });
    step.step();
    plateau.step(1);
    plateau.step(2);
    lambda.step();
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.05, 0.01, 0.3]);
    expect(lambda.getLastLr()).toEqual([0.05, 0.01, 0.3]);
  });

  test('ChainedScheduler of ExponentialLR(0.9) and StepLR(2, 0.5)', () => {
    wg.setBackend(be);
    const opt = twoGroups();
    const s = new wg.optim.lr.ChainedScheduler([new wg.optim.lr.ExponentialLR(opt, { gamma: 0.9 }), new wg.optim.lr.StepLR(opt, { stepSize: 2, gamma: 0.5 })]);
    expectLrs(lrs(s, 6), [
      [0.1, 0.02],
      [0.09, 0.018],
      [0.0405, 0.0081],
      [0.03645, 0.00729],
      [0.0164025, 0.0032805],
      [0.01476225, 0.00295245],
      [0.0066430125, 0.0013286025],
    ]);
    expectClose(s.stateDict().lastLr, [0.0066430125, 0.0013286025], 1e-9);
  });
});

/**
 * The same training run eagerly and compiled, each on a fresh setup: `before(i)` runs before call
 * i, `record()` after it. Returns both records and the compiled function's replayInfo().
 */
function eagerAndCompiled<T>(calls: number, setup: () => { step: (x: wg.Tensor, y: wg.Tensor) => unknown; record: () => T; before?: (i: number) => void }) {
  const { x, y } = data();
  const run = (compiled: boolean) => {
    const { step, record, before } = setup();
    const f = compiled ? wg.compile(step) : step;
    const records: T[] = [];
    for (let i = 0; i < calls; i++) {
      before?.(i);
      f(x, y);
      records.push(record());
    }
    return { records, info: compiled ? (f as ReturnType<typeof wg.compile>).replayInfo() : [] };
  };
  return { eager: run(false), compiled: run(true) };
}

describe.each(BACKENDS)('parameter groups inside wg.compile (%s)', (be) => {
  test('the AdamW groups compiled give PyTorch parameters and replay fast, also when paramGroups[1].lr changes between calls', () => {
    wg.setBackend(be);
    const { eager, compiled } = eagerAndCompiled(6, () => {
      const m = linear();
      const opt = adamwGroups(m);
      const before = (i: number) => {
        if (i === 3) opt.paramGroups[1].lr = 0.05;
        if (i === 4) opt.paramGroups[0].weightDecay = 0.5;
      };
      return { step: (x: wg.Tensor, y: wg.Tensor) => trainStep(m.model, opt, x, y), record: () => snapshot(m), before };
    });
    for (let i = 0; i < 3; i++) expectStep(compiled.records[i], ADAMW[i]);
    expect(compiled.records).toEqual(eager.records);
    // the bias moved by the new lr from step 4 on, not the weight's group
    expect(Math.abs(eager.records[3].b[0] - eager.records[2].b[0])).toBeGreaterThan(0.02);
    expect(compiled.info).toMatchObject([{ mode: 'fast', reason: null, calls: { traces: 1, jsRuns: 1, fastRuns: 4 } }]);
  });

  test('maximize and clipGradNorm with normType Infinity compiled equal eager and replay fast; switching maximize between calls is a reconfiguration', () => {
    wg.setBackend(be);
    const { eager, compiled } = eagerAndCompiled(5, () => {
      const m = linear();
      const o = adamwGroups(m);
      o.paramGroups[0].maximize = true;
      const step = (x: wg.Tensor, y: wg.Tensor) => {
        o.zeroGrad();
        const loss = wg.losses.mse(m.model.forward(x), y);
        loss.backward();
        const norm = wg.optim.clipGradNorm(m.model.parameters(), 0.05, { normType: Infinity });
        o.step();
        return [loss, norm];
      };
      return { step, record: () => ({ ...snapshot(m), g: Array.from(m.weight.grad!.data()) }) };
    });
    expect(compiled.records).toEqual(eager.records);
    // the weight (group 0, maximize) moves up its clipped gradient: AdamW's first step is ≈ +lr·sign(g) after the decay
    const w0 = [0.1, -0.2, 0.3, 0.4, 0.5, -0.6];
    eager.records[0].w.forEach((w, i) => expect(Math.sign(w - w0[i] * (1 - 0.01 * 0.1))).toBe(Math.sign(eager.records[0].g[i])));
    expect(Math.max(...eager.records[0].g.map(Math.abs))).toBeCloseTo(0.05, 5);
    expect(compiled.info).toMatchObject([{ mode: 'fast', reason: null, calls: { traces: 1, jsRuns: 1, fastRuns: 3 } }]);
    // as momentum switched on or off: the compiled step now runs other ops
    const m = linear();
    const o2 = adamwGroups(m);
    const f = wg.compile((x: wg.Tensor, y: wg.Tensor) => trainStep(m.model, o2, x, y));
    const { x, y } = data();
    f(x, y);
    o2.paramGroups[1].maximize = true;
    expect(() => f(x, y)).toThrow(/reconfigured/);
  });

  test('a closed-form scheduler stepping inside the compiled function sets every group and replays fast', () => {
    wg.setBackend(be);
    const { eager, compiled } = eagerAndCompiled(5, () => {
      const m = linear();
      const opt = adamwGroups(m);
      const sched = new wg.optim.lr.MultiStepLR(opt, { milestones: [1, 3], gamma: 0.5 });
      const step = (x: wg.Tensor, y: wg.Tensor) => {
        const loss = trainStep(m.model, opt, x, y);
        sched.step();
        return loss;
      };
      return { step, record: () => ({ ...snapshot(m), lrs: sched.getLastLr(), epoch: sched.lastEpoch }) };
    });
    expectStep(compiled.records[0], ADAMW[0]);
    expect(compiled.records).toEqual(eager.records);
    expectClose(
      compiled.records.flatMap((r) => r.lrs),
      [0.005, 0.0005, 0.005, 0.0005, 0.0025, 0.00025, 0.0025, 0.00025, 0.0025, 0.00025],
      1e-12,
    );
    expect(compiled.records.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(compiled.info).toMatchObject([{ mode: 'fast', reason: null, calls: { traces: 1, jsRuns: 1, fastRuns: 3 } }]);
  });

  test('addParamGroup after compiling: the old program runs other ops (a CompileError, nothing stepped); a function compiled again steps the new group', () => {
    wg.setBackend(be);
    const { x, y } = data();
    const m = linear();
    const opt = new wg.optim.AdamW([m.weight], { lr: 0.01, weightDecay: 0.1 });
    const f = wg.compile((xb: wg.Tensor, yb: wg.Tensor) => trainStep(m.model, opt, xb, yb));
    f(x, y);
    f(x, y);
    const before = snapshot(m);
    expect(before.b).toEqual([0.05, -0.1].map(Math.fround)); // not optimized yet
    opt.addParamGroup({ params: [m.bias], lr: 0.001, weightDecay: 0 });
    expect(() => f(x, y)).toThrow(wg.CompileError);
    expect(snapshot(m)).toEqual(before);
    const g = wg.compile((xb: wg.Tensor, yb: wg.Tensor) => trainStep(m.model, opt, xb, yb));
    for (let i = 0; i < 4; i++) g(x, y);
    expect(snapshot(m).b).not.toEqual(before.b);
    expect(g.replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { traces: 1, jsRuns: 1, fastRuns: 2 } });
  });
});

describe.each(BACKENDS)('state dicts and checkpoints with several groups (%s)', (be) => {
  /** The AdamW groups after `n` steps on the fixed data. */
  const trained = (n: number) => {
    const m = linear();
    const opt = adamwGroups(m);
    const { x, y } = data();
    for (let i = 0; i < n; i++) trainStep(m.model, opt, x, y);
    return { m, opt, x, y };
  };

  test("stateDict(): PyTorch's layout, the parameters numbered across the groups in order", () => {
    wg.setBackend(be);
    const { opt } = trained(3);
    const sd = opt.stateDict();
    // PyTorch 1.13: param_groups [{weight_decay 0.1, lr 0.01, betas, eps, ..., params [0]}, {weight_decay 0, lr 0.001, ..., params [1]}],
    // state {0: [step, exp_avg, exp_avg_sq], 1: [...]}, step tensor(3.)
    expect(sd.paramGroups).toEqual([
      { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.1, amsgrad: false, maximize: false, params: [0] },
      { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [1] },
    ]);
    expect(Object.keys(sd.state)).toEqual(['0', '1']);
    for (const [i, shape] of [
      [0, [2, 3]],
      [1, [2]],
    ] as const) {
      expect(Object.keys(sd.state[i])).toEqual(['step', 'exp_avg', 'exp_avg_sq']);
      expect(sd.state[i].step.item()).toBe(3);
      expect(sd.state[i].exp_avg.shape).toEqual(shape);
    }
  });

  test('stateDict → loadStateDict into a fresh optimizer: the next step equals the uninterrupted one (and PyTorch)', () => {
    wg.setBackend(be);
    const a = trained(3);
    const b = trained(0);
    b.m.model.loadStateDict(a.m.model.stateDict());
    b.opt.loadStateDict(a.opt.stateDict());
    expect(b.opt.paramGroups.map((g) => ({ ...g }))).toEqual(a.opt.paramGroups.map((g) => ({ ...g })));
    trainStep(a.m.model, a.opt, a.x, a.y);
    trainStep(b.m.model, b.opt, b.x, b.y);
    expect(snapshot(b.m)).toEqual(snapshot(a.m));
    expectStep(snapshot(b.m), ADAMW[3]);
  });

  test('a checkpoint carries every group: saveCheckpoint → loadCheckpoint, then the same next step', () => {
    wg.setBackend(be);
    const a = trained(3);
    a.opt.paramGroups[1].lr = 0.004; // a group's own change travels too
    const sched = new wg.optim.lr.ExponentialLR(a.opt, { gamma: 0.5 });
    sched.step();
    const bytes = wg.saveCheckpoint({ model: a.m.model, optimizer: a.opt, scheduler: sched });
    // the reference backend keeps float64 values, which the float32 file rounds: resume a from it too
    if (be === 'reference') wg.loadCheckpoint(bytes, { model: a.m.model, optimizer: a.opt, scheduler: sched });
    const b = trained(0);
    const bSched = new wg.optim.lr.ExponentialLR(b.opt, { gamma: 0.5 });
    wg.loadCheckpoint(bytes, { model: b.m.model, optimizer: b.opt, scheduler: bSched });
    // the lrs as memory holds them (hi + lo float32 pairs: float64 to ~2⁻⁴⁸)
    expect(b.opt.paramGroups.map((g) => g.lr)).toEqual(a.opt.paramGroups.map((g) => g.lr));
    expectClose(
      b.opt.paramGroups.map((g) => g.lr),
      [0.005, 0.002],
      1e-15,
    );
    expect(bSched.stateDict()).toEqual({ lastEpoch: 1, baseLrs: [0.01, 0.004] });
    for (let i = 0; i < 2; i++) {
      trainStep(a.m.model, a.opt, a.x, a.y);
      sched.step();
      trainStep(b.m.model, b.opt, b.x, b.y);
      bSched.step();
    }
    expect(snapshot(b.m)).toEqual(snapshot(a.m));
    expect(b.opt.paramGroups.map((g) => g.lr)).toEqual(a.opt.paramGroups.map((g) => g.lr));
  });

  test('a 1-group state into a 2-group optimizer: a StateDictError, nothing changed (state dict and checkpoint)', () => {
    wg.setBackend(be);
    const one = linear();
    const single = new wg.optim.AdamW(one.model.parameters(), { lr: 0.01 });
    const { x, y } = data();
    trainStep(one.model, single, x, y);
    const a = trained(2),
      ref = trained(2);
    const before = JSON.stringify([a.opt.paramGroups, a.opt.stateDict().paramGroups]);
    expect(() => a.opt.loadStateDict(single.stateDict())).toThrow(wg.StateDictError);
    expect(() => a.opt.loadStateDict(single.stateDict())).toThrow('wasmgrad.optim.AdamW: loadStateDict: paramGroups: expected 2 parameter groups, got 1');
    const bytes = wg.saveCheckpoint({ model: one.model, optimizer: single });
    expect(() => wg.loadCheckpoint(bytes, { model: a.m.model, optimizer: a.opt })).toThrow(wg.StateDictError);
    expect(() => wg.loadCheckpoint(bytes, { optimizer: a.opt })).toThrow(
      "wasmgrad.loadCheckpoint: the checkpoint's metadata key 'wasmgrad.optimizer' (paramGroups): expected 2 parameter groups, got 1",
    );
    // two groups of other sizes: the first group's list is longer than ours
    const sd = a.opt.stateDict();
    const resized = {
      ...sd,
      paramGroups: [
        { ...sd.paramGroups[0], params: [0, 1] },
        { ...sd.paramGroups[1], params: [] },
      ],
    };
    expect(() => a.opt.loadStateDict(resized)).toThrow(
      'wasmgrad.optim.AdamW: loadStateDict: paramGroups[0]: the group has 2 parameters, this optimizer has 1 in that group',
    );
    expect(JSON.stringify([a.opt.paramGroups, a.opt.stateDict().paramGroups])).toBe(before);
    trainStep(a.m.model, a.opt, a.x, a.y);
    trainStep(ref.m.model, ref.opt, ref.x, ref.y);
    expect(snapshot(a.m)).toEqual(snapshot(ref.m));
  });

  test("saved parameter indices map to ours group by group (PyTorch's id_map)", () => {
    wg.setBackend(be);
    const a = trained(3);
    const sd = a.opt.stateDict();
    // the same state, numbered 7 and 4 by whoever saved it
    const renumbered = {
      state: { 7: sd.state[0], 4: sd.state[1] },
      paramGroups: [
        { ...sd.paramGroups[0], params: [7] },
        { ...sd.paramGroups[1], params: [4] },
      ],
    };
    const b = trained(0);
    b.m.model.loadStateDict(a.m.model.stateDict());
    b.opt.loadStateDict(renumbered);
    trainStep(b.m.model, b.opt, b.x, b.y);
    expectStep(snapshot(b.m), ADAMW[3]);
    expect(() => b.opt.loadStateDict({ ...renumbered, state: { 5: sd.state[0] } })).toThrow(
      "wasmgrad.optim.AdamW: loadStateDict: state[5] holds state for parameter index '5', but there are 2 parameters and no parameter group lists it",
    );
  });

  test('a scheduler state with one base lr into a 2-group scheduler: a StateDictError', () => {
    wg.setBackend(be);
    const a = trained(0);
    const s = new wg.optim.lr.StepLR(a.opt, { stepSize: 2 });
    expect(() => s.loadStateDict({ lastEpoch: 1, baseLrs: [0.1] })).toThrow(
      'wasmgrad.optim.lr.StepLR: loadStateDict: baseLrs holds 1 learning rates, the optimizer has 2 parameter groups',
    );
    const c = new wg.optim.lr.ChainedScheduler([s]);
    expect(() => c.loadStateDict({ schedulers: [s.stateDict()], lastLr: [0.1] })).toThrow(
      'wasmgrad.optim.lr.ChainedScheduler: loadStateDict: lastLr holds 1 learning rates, the optimizer has 2 parameter groups',
    );
    expect(a.opt.paramGroups.map((g) => g.lr)).toEqual([0.01, 0.001]);
  });
});

describe.each(BACKENDS)('step, zeroGrad and clipping across groups (%s)', (be) => {
  test('zeroGrad clears every group; clipGradNorm over opt.params clips the gradients of all groups together', () => {
    wg.setBackend(be);
    const m = linear();
    const opt = adamwGroups(m);
    const { x, y } = data();
    wg.losses.mse(m.model.forward(x), y).backward();
    const grads = opt.params.map((p) => Array.from(p.grad!.data()));
    const norm = Math.hypot(...grads.flat());
    expect(wg.optim.clipGradNorm(opt.params, norm / 2).item()).toBeCloseTo(norm, 5);
    opt.params.forEach((p, i) =>
      expectClose(
        p.grad!.data(),
        grads[i].map((v) => v / 2),
        1e-6,
      ),
    );
    opt.zeroGrad();
    expect(opt.params.map((p) => p.grad)).toEqual([null, null]);
  });

  test("a step that fails on group 1's gradient leaves both groups' parameters and state untouched", () => {
    wg.setBackend(be);
    const m = linear();
    const opt = adamwGroups(m);
    m.weight.grad = wg.ones([2, 3]);
    wg.setBackend(be === 'wasm' ? 'reference' : 'wasm');
    m.bias.grad = wg.ones([2]);
    wg.setBackend(be);
    const before = snapshot(m);
    expect(() => opt.step()).toThrow(wg.BackendError);
    expect(() => opt.step()).toThrow(/^wasmgrad\.optim\.AdamW: the gradient of params\[1\] lives on the /);
    expect(snapshot(m)).toEqual(before);
    expect(opt.stateDict().state).toEqual({});
  });
});

describe('parameter group errors name the optimizer and the group, and change nothing', () => {
  const leaf = (n = 2) => wg.zeros([n], { requiresGrad: true });
  const cases: [string, () => unknown, typeof wg.WasmgradError, string][] = [
    [
      'an unknown option in a group',
      () => new wg.optim.AdamW([{ params: [leaf()] }, { params: [leaf()], momentum: 0.9 }]),
      wg.ValueError,
      "wasmgrad.optim.AdamW: unknown option 'momentum' in paramGroups[1] (the options are params, lr, betas, eps, weightDecay, amsgrad, maximize)",
    ],
    [
      'a bad value in a group',
      () => new wg.optim.AdamW([{ params: [leaf()] }, { params: [leaf()], eps: -1 }]),
      wg.ValueError,
      'wasmgrad.optim.AdamW: paramGroups[1]: eps must be a finite number ≥ 0, got -1',
    ],
    [
      'a bad pair in a group',
      () => new wg.optim.AdamW([{ params: [leaf()], betas: [0.9, 1] }]),
      wg.ValueError,
      'wasmgrad.optim.AdamW: paramGroups[0]: betas[1] must be a finite number in [0, 1), got 1',
    ],
    [
      'a bad default, which a group takes',
      () => new wg.optim.AdamW([{ params: [leaf()], eps: 1e-6 }, { params: [leaf()] }], { eps: -1 }),
      wg.ValueError,
      'wasmgrad.optim.AdamW: paramGroups[1]: eps must be a finite number ≥ 0, got -1',
    ],
    [
      'an empty params list',
      () => new wg.optim.AdamW([{ params: [leaf()] }, { params: [] }]),
      wg.ValueError,
      'wasmgrad.optim.AdamW: got an empty parameter list in paramGroups[1]',
    ],
    [
      'a parameter in two groups',
      () => {
        const p = leaf();
        return new wg.optim.AdamW([{ params: [p] }, { params: [leaf(), p] }]);
      },
      wg.ValueError,
      'wasmgrad.optim.AdamW: some parameters appear in more than one parameter group: paramGroups[1].params[1] is also in paramGroups[0]',
    ],
    [
      'a non-leaf tensor',
      () => new wg.optim.AdamW([{ params: [leaf()] }, { params: [leaf().mul(2)] }]),
      wg.ValueError,
      "wasmgrad.optim.AdamW: paramGroups[1].params[0] [2] is not a leaf tensor (it was computed by 'mul'); optimize the tensors it was computed from",
    ],
    [
      'a non-float tensor',
      () => new wg.optim.AdamW([{ params: [leaf()] }, { params: [wg.tensor([1, 2], { dtype: 'int32' })] }]),
      wg.DTypeError,
      'wasmgrad.optim.AdamW: paramGroups[1].params[0] is a int32 tensor; only float32 tensors can be optimized',
    ],
    [
      'a group that is not an object',
      () => new wg.optim.AdamW([{ params: [leaf()] }, 5 as unknown as wg.optim.ParamGroupInput]),
      wg.ValueError,
      'wasmgrad.optim.AdamW: paramGroups[1] must be an object { params, ...options }, got 5',
    ],
    [
      'a group without params',
      () => new wg.optim.AdamW([{ params: [leaf()] }, { lr: 0.1 } as unknown as wg.optim.ParamGroupInput]),
      wg.ValueError,
      'wasmgrad.optim.AdamW: paramGroups[1] must be an object { params, ...options }, got {lr: 0.1}',
    ],
    [
      'an SGD group without lr and no default lr',
      () => new wg.optim.SGD([{ params: [leaf()], lr: 0.1 }, { params: [leaf()] }]),
      wg.ValueError,
      'wasmgrad.optim.SGD: paramGroups[1] does not give lr, which has no default (it is required)',
    ],
    [
      'LambdaLR with fewer functions than groups',
      () => new wg.optim.lr.LambdaLR(new wg.optim.SGD([{ params: [leaf()] }, { params: [leaf()] }], { lr: 0.1 }), { lrLambda: [() => 1] }),
      wg.ValueError,
      'wasmgrad.optim.lr.LambdaLR: lrLambda holds 1 functions, the optimizer has 2 parameter groups (give one function, or one per group)',
    ],
    [
      'LambdaLR with a list entry that is not a function',
      () =>
        new wg.optim.lr.LambdaLR(new wg.optim.SGD([{ params: [leaf()] }, { params: [leaf()] }], { lr: 0.1 }), {
          lrLambda: [() => 1, 2 as unknown as wg.optim.lr.LrLambda],
        }),
      wg.ValueError,
      'wasmgrad.optim.lr.LambdaLR: lrLambda[1] must be a function (epoch) => factor, got 2',
    ],
    [
      'ReduceLROnPlateau with a minLr list of another length',
      () => new wg.optim.lr.ReduceLROnPlateau(new wg.optim.SGD([{ params: [leaf()] }, { params: [leaf()] }], { lr: 0.1 }), { minLr: [0] }),
      wg.ValueError,
      'wasmgrad.optim.lr.ReduceLROnPlateau: minLr holds 1 values, the optimizer has 2 parameter groups',
    ],
    [
      'ReduceLROnPlateau with a negative minLr in the list',
      () => new wg.optim.lr.ReduceLROnPlateau(new wg.optim.SGD([{ params: [leaf()] }, { params: [leaf()] }], { lr: 0.1 }), { minLr: [0, -1] }),
      wg.ValueError,
      'wasmgrad.optim.lr.ReduceLROnPlateau: minLr[1] must be a finite number ≥ 0, got -1',
    ],
  ];
  test.each(cases)('%s', (_, make, Kind, message) => {
    expect(make).toThrow(Kind);
    expect(make).toThrow(message);
  });

  test('addParamGroup with a parameter already in a group or a bad option: an error, no group added', () => {
    const a = leaf(),
      b = leaf();
    const opt = new wg.optim.AdamW([a], { lr: 0.01 });
    expect(() => opt.addParamGroup({ params: [b, a] })).toThrow(
      'wasmgrad.optim.AdamW: some parameters appear in more than one parameter group: paramGroups[1].params[1] is also in paramGroups[0]',
    );
    expect(() => opt.addParamGroup({ params: [b], weightDecay: -1 })).toThrow(
      'wasmgrad.optim.AdamW: paramGroups[1]: weightDecay must be a finite number ≥ 0, got -1',
    );
    expect(() => opt.addParamGroup({ params: [b], foo: 1 })).toThrow("wasmgrad.optim.AdamW: unknown option 'foo' in paramGroups[1]");
    expect(opt.paramGroups.length).toBe(1);
    expect(opt.params).toEqual([a]);
    opt.addParamGroup({ params: [b], weightDecay: 0 });
    expect(opt.paramGroups.map((g) => g.weightDecay)).toEqual([0.01, 0]);
    expect(opt.params).toEqual([a, b]);
  });

  test('an invalid assignment to a group or to opt.lr changes no group', () => {
    const opt = new wg.optim.AdamW([{ params: [leaf()] }, { params: [leaf()], lr: 0.02 }], { lr: 0.01 });
    expect(() => (opt.paramGroups[1].lr = Infinity)).toThrow('wasmgrad.optim.AdamW: paramGroups[1]: lr must be a finite number, got Infinity');
    expect(() => (opt.lr = NaN)).toThrow('wasmgrad.optim.AdamW: paramGroups[0]: lr must be a finite number, got NaN');
    expect(() => (opt.paramGroups[0].betas = [2, 0.9])).toThrow(wg.ValueError);
    expect(opt.paramGroups.map((g) => ({ ...g }))).toEqual([
      { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false },
      { lr: 0.02, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false },
    ]);
  });

  test('a LambdaLR function failing for group 1 sets no group', () => {
    const opt = new wg.optim.SGD([{ params: [leaf()] }, { params: [leaf()] }], { lr: 0.1 });
    const s = new wg.optim.lr.LambdaLR(opt, { lrLambda: [(e) => 1 / (e + 1), (e) => (e === 0 ? 1 : NaN)] });
    expect(() => s.step()).toThrow('wasmgrad.optim.lr.LambdaLR: lrLambda[1](1) must return a finite number, got NaN');
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.1]);
  });
});
