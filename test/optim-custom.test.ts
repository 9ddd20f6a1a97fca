/**
 * Optimizers written as torch.optim.Optimizer subclasses: `class X extends wg.optim.Optimizer {
 * constructor(params, lr) { super(params, { lr }) } step() {...} }` with param groups, per-parameter
 * state (`this.state.get(p)`, torch's defaultdict), state dicts, LR schedulers and wg.compile.
 * Expected values: PyTorch 1.13 running the same classes in Python (float32), as literals.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

afterEach(() => {
  wg.setBackend('wasm');
});

const BACKENDS = ['wasm', 'reference'] as const;
/** Float32 rounding over ten steps. */
const TOL = 2e-6;

type Group = { params: readonly wg.Tensor[]; [key: string]: unknown };

/** torch's MySGD of the docs: a momentum buffer in the state. */
class MySGD extends wg.optim.Optimizer {
  constructor(params: wg.optim.OptimizerParams, lr = 0.01, momentum = 0) {
    super(params, { lr, momentum });
  }
  override step(): undefined {
    wg.noGrad(() => {
      for (const group of this.paramGroups as unknown as Group[])
        for (const p of group.params) {
          if (p.grad === null) continue;
          const state = (this.state as unknown as wg.optim.OptimizerState).get(p);
          if (!('buf' in state)) state.buf = wg.zerosLike(p);
          const buf = state.buf as wg.Tensor;
          buf.mul_(group.momentum as number).add_(p.grad);
          p.add_(buf, { alpha: -(group.lr as number) });
        }
    });
    return undefined;
  }
}

/** Adam written by hand: a number and two tensors in the state, a pair hyperparameter. */
class MyAdam extends wg.optim.Optimizer {
  constructor(params: wg.optim.OptimizerParams, lr = 0.01, betas: [number, number] = [0.9, 0.999], eps = 1e-8) {
    super(params, { lr, betas, eps });
  }
  override step(): undefined {
    wg.noGrad(() => {
      for (const group of this.paramGroups as unknown as Group[]) {
        const [b1, b2] = group.betas as number[];
        for (const p of group.params) {
          if (p.grad === null) continue;
          const st = (this.state as unknown as wg.optim.OptimizerState).get(p);
          if (Object.keys(st).length === 0) Object.assign(st, { step: 0, m: wg.zerosLike(p), v: wg.zerosLike(p) });
          st.step = (st.step as number) + 1;
          const [m, v, t] = [st.m as wg.Tensor, st.v as wg.Tensor, st.step as number];
          m.mul_(b1).add_(p.grad, { alpha: 1 - b1 });
          v.mul_(b2).add_(p.grad.mul(p.grad), { alpha: 1 - b2 });
          const mh = m.div(1 - b1 ** t);
          const vh = v.div(1 - b2 ** t);
          p.sub_(mh.div(vh.sqrt().add(group.eps as number)).mul(group.lr as number));
        }
      }
    });
    return undefined;
  }
}

/** w (5 elements) and b (3) in two groups, b's with lr 0.05; ten steps of a loss with curvature. */
function train(make: (groups: wg.optim.ParamGroupInput[]) => wg.optim.Optimizer, steps = 10) {
  const w = wg.tensor([0.5, -1.0, 2.0, 0.25, -0.75], { requiresGrad: true });
  const b = wg.tensor([0.1, -0.2, 0.3], { requiresGrad: true });
  const opt = make([{ params: [w] }, { params: [b], lr: 0.05 }]);
  const lossStep = () => {
    opt.zeroGrad();
    w.pow(3).sum().mul(0.1).add(w.mul(w).sum()).add(b.sin().mul(b).sum()).backward();
    opt.step();
  };
  for (let i = 0; i < steps; i++) lossStep();
  return { w, b, opt, lossStep };
}

describe('subclasses in torch form', () => {
  for (const backend of BACKENDS)
    test(`MySGD (momentum buffer) and MyAdam match torch over 10 steps (${backend})`, () => {
      wg.setBackend(backend);
      const sgd = train((g) => new MySGD(g, 0.02, 0.9));
      expectClose(sgd.w.data(), [-0.0965821, 0.0622704, -0.5996241, -0.0433315, 0.0646985], TOL);
      expectClose(sgd.b.data(), [-0.0588744, 0.1177134, -0.1764429], TOL);
      const adam = train((g) => new MyAdam(g, 0.1));
      expectClose(adam.w.data(), [-0.2056027, -0.0678613, 1.0303165, -0.0306977, 0.1224537], TOL);
      expectClose(adam.b.data(), [0.0181446, 0.0849277, -0.0959282], TOL);
    });

  test('paramGroups, defaults, addParamGroup and state as torch', () => {
    const { w, b, opt } = train((g) => new MySGD(g, 0.02, 0.9), 1);
    expect(opt.name).toBe('MySGD');
    expect(opt.defaults).toEqual({ lr: 0.02, momentum: 0.9 });
    expect({ ...opt.paramGroups[0] }).toEqual({ lr: 0.02, momentum: 0.9 });
    expect({ ...opt.paramGroups[1] }).toEqual({ lr: 0.05, momentum: 0.9 });
    expect(opt.paramGroups[1].params).toEqual([b]);
    // a group may add keys of its own (torch's add_param_group keeps them)
    const c = wg.tensor([1, 2], { requiresGrad: true });
    opt.addParamGroup({ params: c, momentum: 0, note: 'extra' });
    expect({ ...opt.paramGroups[2] }).toEqual({ lr: 0.02, momentum: 0, note: 'extra' });
    // torch's key order: the group's own keys, then the defaults it lacks
    expect(Object.keys(opt.paramGroups[2])).toEqual(['momentum', 'note', 'lr']);
    expect(opt.params).toEqual([w, b, c]);
    opt.paramGroups[0].lr = 0.5;
    expect(opt.paramGroups[0].lr).toBe(0.5);
    expect(opt.lr).toBe(0.5);
    // state: entries for the stepped parameters; get(p) of a parameter makes {} (defaultdict)
    const state = opt.state as unknown as wg.optim.OptimizerState;
    expect([...state.keys()]).toEqual([w, b]);
    expect(state.has(c)).toBe(false);
    expect(state.get(c)).toEqual({});
    expect(state.has(c)).toBe(true);
    expect(() => state.get(wg.tensor([1]))).toThrow(/state.get\(p\).*not a parameter of this optimizer/);
  });

  test('zeroGrad clears every group', () => {
    const { w, b, opt } = train((g) => new MySGD(g, 0.02, 0.9), 1);
    expect(w.grad).not.toBeNull();
    opt.zeroGrad();
    expect([w.grad, b.grad]).toEqual([null, null]);
  });

  test('stateDict / loadStateDict round trip copies the tensors (torch numbering)', () => {
    const a = train((g) => new MyAdam(g, 0.1), 3);
    const sd = a.opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['0', '1']);
    expect(sd.paramGroups).toEqual([
      { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, params: [0] },
      { lr: 0.05, betas: [0.9, 0.999], eps: 1e-8, params: [1] },
    ]);
    // a fresh optimizer over the same values continues as the first one
    const b = train((g) => new MyAdam(g, 0.7), 0);
    wg.noGrad(() => [b.w.copy_(a.w), b.b.copy_(a.b)]);
    b.opt.loadStateDict(sd);
    expect(b.opt.paramGroups[0].lr).toBe(0.1);
    const loaded = (b.opt.state as unknown as wg.optim.OptimizerState).get(b.w);
    const saved = sd.state[0] as unknown as Record<string, wg.Tensor>;
    expect(loaded.step).toBe(3);
    expect(loaded.m).not.toBe(saved.m); // a copy, as torch's deepcopy
    expectClose((loaded.m as wg.Tensor).data(), saved.m.data(), 0);
    for (let i = 0; i < 7; i++) {
      a.lossStep();
      b.lossStep();
    }
    expectClose(b.w.data(), [-0.2056027, -0.0678613, 1.0303165, -0.0306977, 0.1224537], TOL);
    expectClose(b.w.data(), a.w.data(), 0);
  });

  test('errors: no step(), bad defaults, groups that do not fit a state dict', () => {
    const p = wg.tensor([1, 2], { requiresGrad: true });
    const base = new wg.optim.Optimizer([p], { lr: 0.1 });
    expect(() => base.step()).toThrow(wg.ValueError);
    expect(() => base.step()).toThrow(/must define step\(\)/);
    expect(() => new wg.optim.Optimizer([p], null as never)).toThrow(/defaults must be an object/);
    // a string where the parameters go (the built-ins' name slot) is torch's form with bad params, not a crash
    expect(() => new (wg.optim.Optimizer as unknown as new (...a: unknown[]) => unknown)('abc', { lr: 1 })).toThrow(
      'wasmgrad.optim.Optimizer: params must be an array of tensors or a module with parameters(), got "abc"',
    );
    expect(() => new MySGD([p.mul(2)])).toThrow(/not a leaf tensor/);
    expect(() => new MySGD([{ params: [p] }, { params: [p] }])).toThrow(/more than one parameter group/);
    const opt = new MySGD([p]);
    expect(() => (opt.paramGroups[0].lr = NaN)).toThrow(/lr must be a finite number/);
    expect(() => opt.loadStateDict({ state: {}, paramGroups: [] } as never)).toThrow(wg.StateDictError);
    expect(() => opt.loadStateDict({ state: {}, paramGroups: [{ lr: 1, params: [0, 1] }] } as never)).toThrow(/has 2 parameters/);
  });

  test('an LR scheduler drives paramGroups[i].lr as torch', () => {
    const w = wg.tensor([1, 2], { requiresGrad: true });
    const opt = new MySGD([w], 0.1);
    const sched = new wg.optim.lr.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    for (let i = 0; i < 5; i++) {
      opt.zeroGrad();
      w.mul(w).sum().backward();
      opt.step();
      sched.step();
    }
    expectClose(w.data(), [0.49247995018959045, 0.9849599003791809], 1e-7);
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.025, 12);
    // schedules computed in JavaScript (LambdaLR) and ReduceLROnPlateau drive it too
    const lambda = new wg.optim.lr.LambdaLR(opt, { lrLambda: (e: number) => 1 / (e + 1) });
    for (let i = 0; i < 3; i++) lambda.step();
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.1 / 4, 7);
    const plateau = new wg.optim.lr.ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
    for (let i = 0; i < 3; i++) plateau.step(1);
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.1 / 4 / 4, 7);
  });

  test('inside wg.compile a step that reads paramGroups re-runs its JavaScript: a changed lr is used', () => {
    const run = (compiled: boolean) => {
      const w = wg.tensor([1, 2, 3], { requiresGrad: true });
      const opt = new MySGD([w], 0.1);
      const fn = () => {
        opt.zeroGrad();
        w.mul(w).sum().backward();
        opt.step();
      };
      const step = compiled ? wg.compile(fn, { warn: false }) : fn;
      for (let i = 0; i < 6; i++) {
        if (i === 3) opt.paramGroups[0].lr = 0.01;
        step();
      }
      return { w: Array.from(w.data()), step };
    };
    const eager = run(false);
    const compiled = run(true);
    expectClose(compiled.w, eager.w, 0);
    expect((compiled.step as ReturnType<typeof wg.compile>).replayInfo()[0].mode).toBe('rerun');
  });
});
