/**
 * Regressions from the PyTorch-habits probe of wg.optim (probe campaign p10). Expected values are
 * PyTorch 1.13's, written as literals.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

describe("OneCycleLR takes one maxLr per parameter group (PyTorch's max_lr list)", () => {
  const twoGroups = () => {
    const [a, b] = [wg.zeros([1], { requiresGrad: true }), wg.zeros([1], { requiresGrad: true })];
    return new wg.optim.SGD([{ params: [a] }, { params: [b] }], { lr: 0.1 });
  };
  // torch 1.13: OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=6, pct_start=0.4, anneal_strategy='linear',
  // div_factor=10, final_div_factor=5, cycle_momentum=False), lrs after construction and each step
  const TORCH = [
    [0.1, 0.05],
    [0.74285714, 0.37142857],
    [0.83666667, 0.41833333],
    [0.56444444, 0.28222222],
    [0.29222222, 0.14611111],
    [0.02, 0.01],
  ];
  const options = { maxLr: [1, 0.5], totalSteps: 6, pctStart: 0.4, annealStrategy: 'linear', divFactor: 10, finalDivFactor: 5 } as const;

  test('each group follows its own cycle', () => {
    const opt = twoGroups();
    const sched = new wg.optim.lr.OneCycleLR(opt, options);
    const lrs = [opt.paramGroups.map((g) => g.lr)];
    for (let i = 0; i < 5; i++) {
      opt.step();
      sched.step();
      lrs.push(opt.paramGroups.map((g) => g.lr));
    }
    lrs.forEach((row, i) => expectClose(row, TORCH[i], 1e-6));
    expect(sched.baseLrs).toEqual([0.1, 0.05]);
  });

  test('a compiled step replays the per-group schedule without its JavaScript', () => {
    const opt = twoGroups();
    const sched = new wg.optim.lr.OneCycleLR(opt, options);
    const step = wg.compile(() => {
      opt.step();
      sched.step();
    });
    for (let i = 1; i < 6; i++) {
      step();
      expectClose(
        opt.paramGroups.map((g) => g.lr),
        TORCH[i],
        1e-6,
      );
    }
    expect(step.replayInfo()[0].mode).toBe('fast');
  });

  test('a list of the wrong length or with a bad value is a ValueError that changes no lr', () => {
    const opt = twoGroups();
    expect(() => new wg.optim.lr.OneCycleLR(opt, { ...options, maxLr: [1, 0.5, 0.2] })).toThrow(
      'wasmgrad.optim.lr.OneCycleLR: maxLr holds 3 values, the optimizer has 2 parameter groups',
    );
    expect(() => new wg.optim.lr.OneCycleLR(opt, { ...options, maxLr: [1, -0.5] })).toThrow(
      'wasmgrad.optim.lr.OneCycleLR: maxLr must be a finite number ≥ 0 or one per parameter group, got [1, -0.5]',
    );
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.1]);
  });

  test("PyTorch's cycleMomentum false is accepted: the same schedule, the momentum left as it is", () => {
    const opt = twoGroups();
    const sched = new wg.optim.lr.OneCycleLR(opt, { ...options, cycleMomentum: false });
    opt.step();
    sched.step();
    expectClose(
      opt.paramGroups.map((g) => g.lr),
      TORCH[1],
      1e-6,
    );
    expect(opt.paramGroups[0].momentum).toBe(0);
  });
});
