/**
 * Where wasmgrad's optimizers used to depart from PyTorch 1.13 knowingly (literals written by
 * /usr/bin/python3 with torch 1.13): SGD's state holds torch's keys alone (momentum_buffer, no
 * step), and a negative lr, which torch refuses only in the constructor's options, is stepped with
 * wherever else it comes from (a group, an assignment, schedulers composing below 0), eager and
 * inside wg.compile.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

/** |got − want| ≤ 1e-6·max(|want|, 1e-3) element by element. */
function expectNear(got: readonly number[], want: readonly number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) =>
    expect(Math.abs(g - want[i]), `${what} [${i}]: got ${g}, want ${want[i]}`).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(want[i]), 1e-3)),
  );
}

const vals = (t: wg.Tensor) => Array.from(t.data());
const GRADS = [
  [0.5, -1, 2],
  [-0.25, 0.75, 1.5],
  [1, 1, -1],
  [0.3, -0.2, 0.1],
  [2, 0, -2],
  [1, -1, 1],
  [0.5, 0.5, 0.5],
  [-1, 2, 0],
];

/** One training step whose gradient is g: loss Σ p·g, backward, opt.step(), then the schedulers' steps. */
function stepper(p: wg.Tensor, opt: wg.optim.Optimizer, scheds: { step(): void }[], compiled: boolean): (g: wg.Tensor) => void {
  const step = (g: wg.Tensor) => {
    opt.zeroGrad();
    p.mul(g).sum().backward();
    opt.step();
    for (const s of scheds) s.step();
  };
  return compiled ? wg.compile(step) : step;
}

describe.each(['wasm', 'reference'] as const)("SGD's state holds torch 1.13's keys on %s", (be) => {
  for (const compiled of [false, true])
    test(`momentum: opt.state and stateDict() hold momentum_buffer alone (${compiled ? 'compiled' : 'eager'} steps)`, () => {
      wg.setBackend(be);
      // torch: p = Parameter([1, -2, 0.5]); SGD([p], lr=0.1, momentum=0.9); two steps with the gradients GRADS[0], GRADS[1]
      // → p [0.9300000071525574, -1.8849999904632568, -0.02999998815357685], state {0: {'momentum_buffer': [...]}}
      const p = wg.tensor([1, -2, 0.5], { requiresGrad: true });
      const opt = new wg.optim.SGD([p], { lr: 0.1, momentum: 0.9 });
      const f = stepper(p, opt, [], compiled);
      for (const g of GRADS.slice(0, 2)) f(wg.tensor(g));
      expectNear(vals(p), [0.9300000071525574, -1.8849999904632568, -0.02999998815357685], 'p');
      const sd = opt.stateDict();
      expect(Object.keys(sd.state)).toEqual(['0']);
      expect(Object.keys(sd.state[0])).toEqual(['momentum_buffer']);
      expect(Object.keys(opt.state.get(p)!)).toEqual(['momentum_buffer']);
      expectNear(vals(sd.state[0].momentum_buffer), [0.19999998807907104, -0.1499999761581421, 3.299999952316284], 'momentum_buffer');
    });

  test('without momentum the entry is empty (torch: momentum_buffer None), and the parameter has state', () => {
    wg.setBackend(be);
    const p = wg.tensor([1, -2, 0.5], { requiresGrad: true });
    const opt = new wg.optim.SGD([p], { lr: 0.1 });
    p.grad = wg.tensor(GRADS[0]);
    opt.step();
    expect(opt.state.has(p)).toBe(true);
    expect(opt.state.get(p)).toEqual({});
    expect(opt.stateDict().state).toEqual({ 0: {} });
    // torch's json.dumps of the state dict round-trips: {"state": {"0": {"momentum_buffer": null}}, ...}
    const q = wg.tensor([1, -2, 0.5], { requiresGrad: true });
    const opt2 = new wg.optim.SGD([q], { lr: 0.5 });
    opt2.loadStateDict(JSON.parse(JSON.stringify(opt.stateDict())) as wg.optim.OptimizerStateDict);
    expect([opt2.lr, opt2.stateDict().state]).toEqual([0.1, { 0: {} }]);
  });

  test("torch's state without a momentum_buffer (None) under momentum: the buffer starts at the next step, as torch's", () => {
    wg.setBackend(be);
    // torch: SGD([p], lr=0.1, momentum=0.9, dampening=0.5).load_state_dict({'state': {0: {'momentum_buffer': None}}, ...}),
    // then steps with GRADS[0], GRADS[1]: p and momentum_buffer after each
    const p = wg.tensor([1, -2, 0.5], { requiresGrad: true });
    const opt = new wg.optim.SGD([p], { lr: 1 });
    opt.loadStateDict({
      state: { 0: { momentum_buffer: null } },
      param_groups: [{ lr: 0.1, momentum: 0.9, dampening: 0.5, weight_decay: 0, nesterov: false, maximize: false, foreach: null, params: [0] }],
    });
    const want = [
      { p: [0.949999988079071, -1.899999976158142, 0.30000001192092896], buf: [0.5, -1.0, 2.0] },
      { p: [0.9174999594688416, -1.847499966621399, 0.04500001296401024], buf: [0.32499998807907104, -0.5249999761581421, 2.549999952316284] },
    ];
    GRADS.slice(0, 2).forEach((g, k) => {
      p.grad = wg.tensor(g);
      opt.step();
      expectNear(vals(p), want[k].p, `p after step ${k + 1}`);
      expectNear(vals(opt.state.get(p)!.momentum_buffer), want[k].buf, `momentum_buffer after step ${k + 1}`);
    });
  });

  test('a state dict saved with a step (before SGD dropped it) still loads and continues', () => {
    wg.setBackend(be);
    const p = wg.tensor([1, -2, 0.5], { requiresGrad: true });
    const opt = new wg.optim.SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 });
    const old = {
      state: { 0: { step: wg.tensor(1), momentum_buffer: wg.tensor([0.5, -1, 2]) } },
      paramGroups: [{ lr: 0.1, momentum: 0.9, dampening: 0.5, nesterov: false, weightDecay: 0, maximize: false, params: [0] }],
    };
    opt.loadStateDict(old);
    wg.noGrad(() => p.copy_(wg.tensor([0.949999988079071, -1.899999976158142, 0.30000001192092896])));
    p.grad = wg.tensor(GRADS[1]);
    opt.step(); // torch's second step above
    expectNear(vals(p), [0.9174999594688416, -1.847499966621399, 0.04500001296401024], 'p');
    expect(Object.keys(opt.stateDict().state[0])).toEqual(['momentum_buffer']);
    // a step that is no count is still refused
    expect(() => opt.loadStateDict({ ...old, state: { 0: { ...old.state[0], step: wg.tensor(-1) } } })).toThrow(
      /state\[0\]\.step must be a non-negative integer/,
    );
  });
});

describe.each(['wasm', 'reference'] as const)("Adagrad's state is made in the constructor, as torch 1.13's, on %s", (be) => {
  for (const compiled of [false, true])
    test(`every parameter, frozen too, has step 0 and sum at initialAccumulatorValue; a later group's state comes at its first step (${compiled ? 'compiled' : 'eager'} steps)`, () => {
      wg.setBackend(be);
      // torch: p = Parameter(zeros(2)); q = Parameter(zeros(1), requires_grad=False);
      // Adagrad([p, q], lr=0.1, initial_accumulator_value=0.5).state_dict()['state']
      // → {0: {'step': 0., 'sum': [0.5, 0.5]}, 1: {'step': 0., 'sum': [0.5]}}; after add_param_group, len(opt.state) == 2
      const p = wg.zeros([2], { requiresGrad: true });
      const q = wg.zeros([1]);
      const opt = new wg.optim.Adagrad([p, q], { lr: 0.1, initialAccumulatorValue: 0.5 });
      const sd = opt.stateDict().state;
      expect(Object.keys(sd)).toEqual(['0', '1']);
      expect([sd[0].step.item(), vals(sd[0].sum), sd[1].step.item(), vals(sd[1].sum)]).toEqual([0, [0.5, 0.5], 0, [0.5]]);
      const r = wg.tensor([1, -2, 0.5], { requiresGrad: true });
      opt.addParamGroup({ params: [r] });
      expect(opt.state.size).toBe(2);
      // the steps use the state made here: sum = 0.5 + g², p − 0.1·g/(√sum + 1e-10) (hand-computed), g = [1, −2]
      const f = stepper(p, opt, [], compiled);
      f(wg.tensor([1, -2]));
      expectNear(vals(p), [-0.1 / Math.sqrt(1.5), 0.2 / Math.sqrt(4.5)], 'p');
      expect(opt.stateDict().state[0].step.item()).toBe(1);
      expect(opt.state.has(r)).toBe(false);
    });
});

describe.each(['wasm', 'reference'] as const)('a negative lr steps as torch 1.13 on %s', (be) => {
  for (const compiled of [false, true])
    test(`CosineAnnealingLR with etaMin over ExponentialLR goes below 0; the steps take it (${compiled ? 'compiled' : 'eager'})`, () => {
      wg.setBackend(be);
      // torch: p = Parameter([1, -2, 0.5]); opt = SGD([p], lr=0.1, momentum=0.5); CosineAnnealingLR(opt, 3, 0.05),
      // ExponentialLR(opt, 0.5); per gradient of GRADS: opt.step(), both schedulers' step(); the lr and p after each
      const want: [number, number[]][] = [
        [0.043750000000000004, [0.949999988079071, -1.899999976158142, 0.30000001192092896]],
        [0.023958333333333335, [0.949999988079071, -1.9109374284744263, 0.19062501192092896]],
        [0.025, [0.9260416626930237, -1.9378905296325684, 0.18463543057441711]],
        [0.01875, [0.90604168176651, -1.9469530582427979, 0.17901043593883514]],
        [-0.02187500000000004, [0.8610416650772095, -1.9503514766693115, 0.21440106630325317]],
        [-0.022916666666666696, [0.909166693687439, -1.97024405002594, 0.21563152968883514]],
        [-0.0023437500000000194, [0.9458333849906921, -1.969205617904663, 0.22773438692092896]],
        [0.016276041666666654, [0.9453646540641785, -1.9644650220870972, 0.22835327684879303]],
      ];
      const p = wg.tensor([1, -2, 0.5], { requiresGrad: true });
      const opt = new wg.optim.SGD([p], { lr: 0.1, momentum: 0.5 });
      const scheds = [new wg.optim.lr.CosineAnnealingLR(opt, 3, 0.05), new wg.optim.lr.ExponentialLR(opt, 0.5)];
      const f = stepper(p, opt, scheds, compiled);
      GRADS.forEach((g, k) => {
        f(wg.tensor(g));
        expectNear([opt.lr], [want[k][0]], `lr after step ${k + 1}`);
        expectNear(vals(p), want[k][1], `p after step ${k + 1}`);
      });
      expectNear(scheds[1].getLastLr(), [0.016276041666666654], 'getLastLr');
    });

  for (const compiled of [false, true])
    test(`LambdaLR and MultiplicativeLR factors below 0 give a negative lr, which steps (${compiled ? 'compiled' : 'eager'})`, () => {
      wg.setBackend(be);
      // torch: p = Parameter([1, 2]); SGD([p], lr=0.1); MultiplicativeLR(opt, lambda e: -1.0 if e == 1 else 0.5),
      // per gradient [1, 1], [0.5, -1]: opt.step(), s.step(); the lr and p after each. Then a new SGD([p], lr=0.1) with
      // LambdaLR(opt, lambda e: 1 - 0.5 * e) and the gradients [1, 1], [0.5, -1], [1, 2].
      const p = wg.tensor([1, 2], { requiresGrad: true });
      const runs: [(o: wg.optim.SGD) => { step(): void }, [number, number[]][]][] = [
        [
          (o) => new wg.optim.lr.MultiplicativeLR(o, (e: number) => (e === 1 ? -1 : 0.5)),
          [
            [-0.1, [0.8999999761581421, 1.899999976158142]],
            [-0.05, [0.949999988079071, 1.7999999523162842]],
          ],
        ],
        [
          (o) => new wg.optim.lr.LambdaLR(o, (e: number) => 1 - 0.5 * e),
          [
            [0.05, [0.8499999642372131, 1.6999999284744263]],
            [0.0, [0.824999988079071, 1.7499998807907104]],
            [-0.05, [0.824999988079071, 1.7499998807907104]],
          ],
        ],
      ];
      const grads = [
        [1, 1],
        [0.5, -1],
        [1, 2],
      ];
      for (const [make, want] of runs) {
        const opt = new wg.optim.SGD([p], { lr: 0.1 });
        const f = stepper(p, opt, [make(opt)], compiled);
        want.forEach(([lr, values], k) => {
          f(wg.tensor(grads[k]));
          expectNear([opt.lr], [lr], `lr after step ${k + 1}`);
          expectNear(vals(p), values, `p after step ${k + 1}`);
        });
      }
    });

  test("a group's negative lr (given or assigned) steps; the constructor's options refuse one, as torch", () => {
    wg.setBackend(be);
    // torch: AdamW([{'params': [p]}, {'params': [q], 'lr': -1}]); param_groups[0]['lr'] = -0.5; p.grad = q.grad = ones(2); step()
    // → p [1.5049999952316284, 2.509999990463257], q [2.009999990463257, 3.0199999809265137]
    const p = wg.tensor([1, 2], { requiresGrad: true });
    const q = wg.tensor([1, 2], { requiresGrad: true });
    const opt = new wg.optim.AdamW([{ params: [p] }, { params: [q], lr: -1 }]);
    opt.paramGroups[0].lr = -0.5;
    p.grad = wg.ones([2]);
    q.grad = wg.ones([2]);
    opt.step();
    expectNear(vals(p), [1.5049999952316284, 2.509999990463257], 'p');
    expectNear(vals(q), [2.009999990463257, 3.0199999809265137], 'q');
    // a state dict holding a negative lr loads (torch's load_state_dict checks nothing)
    const opt2 = new wg.optim.AdamW([wg.tensor([1, 2], { requiresGrad: true })]);
    const sd = opt.stateDict();
    opt2.loadStateDict({ state: { 0: sd.state[1] }, paramGroups: [{ ...sd.paramGroups[1], params: [0] }] });
    expect(opt2.lr).toBe(-1);
    // torch: 'Invalid learning rate: -0.1' from every constructor (SparseAdam's also for 0)
    expect(() => new wg.optim.SGD([wg.zeros([2], { requiresGrad: true })], { lr: -0.1 })).toThrow(
      /^wasmgrad\.optim\.SGD: lr must be a finite number ≥ 0, got -0\.1$/,
    );
    expect(() => new wg.optim.Adam([wg.zeros([2], { requiresGrad: true })], -1)).toThrow(/^wasmgrad\.optim\.Adam: lr must be a finite number ≥ 0, got -1$/);
    expect(() => new wg.optim.SparseAdam([wg.zeros([2], { requiresGrad: true })], { lr: 0 })).toThrow(
      /^wasmgrad\.optim\.SparseAdam: lr must be a finite number > 0, got 0$/,
    );
    // not a number at all is refused wherever it comes from
    expect(() => (opt.paramGroups[1].lr = NaN)).toThrow(/^wasmgrad\.optim\.AdamW: paramGroups\[1\]: lr must be a finite number, got NaN$/);
    expect(opt.paramGroups[1].lr).toBe(-1);
  });
});

describe.each(['wasm', 'reference'] as const)("CosineAnnealingWarmRestarts's step(epoch) as torch 1.13 on %s", (be) => {
  // torch: SGD([{'params': [p]}, {'params': [q], 'lr': 0.05}], lr=0.1); s = CosineAnnealingWarmRestarts(opt, 3, 2, 0.001);
  // per entry: opt.step(), then s.step() (null) or s.step(epoch); the groups' lrs, last_epoch, T_cur, T_i
  const WANT: [number | null, number[], number, number, number][] = [
    [0.5, [0.09336825748732973, 0.046717622392718754], 0, 0.5, 3],
    [1.25, [0.06331154273257478, 0.03184106660501176], 1, 1.25, 3],
    [null, [0.0154982143312659, 0.008175883860929586], 2, 2.25, 3],
    [7.3, [0.019348640643033058, 0.010081650419278988], 7, 4.3, 6],
    [null, [0.00428776888838852, 0.00262727955081856], 8, 5.3, 6],
    [null, [0.09984740801978985, 0.04992447467646164], 9, 0.2999999999999998, 12],
    [2.0, [0.025750000000000012, 0.013250000000000005], 2, 2.0, 3],
    [9, [0.1, 0.05], 9, 0.0, 12],
    [20.75, [0.0011059832996891277, 0.0010524563806542148], 20, 11.75, 12],
    [null, [0.09976164397027375, 0.04988202580346883], 21, 0.75, 24],
    [0, [0.1, 0.05], 0, 0, 3],
  ];
  const make = () => {
    const opt = new wg.optim.SGD([{ params: [wg.zeros([2], { requiresGrad: true })] }, { params: [wg.zeros([1], { requiresGrad: true })], lr: 0.05 }], {
      lr: 0.1,
    });
    return { opt, s: new wg.optim.lr.CosineAnnealingWarmRestarts(opt, 3, 2, 0.001) };
  };
  const stepTo = (s: wg.optim.lr.CosineAnnealingWarmRestarts, e: number | null) => (e === null ? s.step() : s.step(e));

  test('fractional and jumping epochs, then step(): the lrs, lastEpoch, tCur and tI', () => {
    wg.setBackend(be);
    const { opt, s } = make();
    for (const [e, lrs, lastEpoch, tCur, tI] of WANT) {
      stepTo(s, e);
      expectNear(
        opt.paramGroups.map((g) => g.lr),
        lrs,
        `lrs after step(${e})`,
      );
      expectNear(s.getLastLr(), lrs, `getLastLr after step(${e})`);
      expect(s.stateDict()).toMatchObject({ lastEpoch, baseLrs: [0.1, 0.05] });
      expectNear([s.stateDict().tCur, s.stateDict().tI], [tCur, tI], `tCur, tI after step(${e})`);
    }
  });

  test('a state dict saved after a fractional epoch resumes there; one without tCur/tI (older) follows lastEpoch', () => {
    wg.setBackend(be);
    const a = make();
    for (const [e] of WANT.slice(0, 4)) stepTo(a.s, e); // at epoch 7.3
    const b = make();
    b.s.loadStateDict(JSON.parse(JSON.stringify(a.s.stateDict())) as wg.optim.lr.WarmRestartsState);
    b.s.step();
    expectNear(b.s.getLastLr(), WANT[4][1], 'resumed step');
    const c = make();
    c.s.loadStateDict({ lastEpoch: 7, baseLrs: [0.1, 0.05] });
    expect([c.s.stateDict().tCur, c.s.stateDict().tI]).toEqual([4, 6]); // 7 = 3 + 4 within the period of 6
    expect(() => c.s.step(-1)).toThrow(/^wasmgrad\.optim\.lr\.CosineAnnealingWarmRestarts: step\(epoch\) expects a finite epoch ≥ 0, got -1$/);
    expect(() => c.s.loadStateDict({ lastEpoch: 7, baseLrs: [0.1, 0.05], tCur: 1, tI: 0 } as wg.optim.lr.WarmRestartsState)).toThrow(/tI must be finite/);
    expect(c.s.stateDict().tI).toBe(6);
  });
});
