/**
 * Rprop, ASGD and SparseAdam against torch 1.13 (test/fixtures/optim-extra-torch.py → .json): 8 steps
 * on parameters of 1, 3, 5, 7, 17 elements and a [4, 5] one, with gradients that flip sign (Rprop's
 * step sizes grow, shrink and clamp) and have rows of exact zeros (SparseAdam leaves those rows
 * alone, as torch with the rows of their sparse gradient), ASGD with weight decay and a t0 small
 * enough that averaging starts; on both backends, eager and compiled (the same bits); their state
 * (PyTorch's names, eta/mu as 0-d tensors in memory), a load mid-run from our format and from torch's
 * own, SparseAdam on an Embedding, and every error path.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { fixtureData, fixtureLinear, fixtureSnapshot, fixtureStep } from './helpers/optim-fixture.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

afterEach(() => {
  wg.setBackend('wasm');
});

type Kind = 'Rprop' | 'ASGD' | 'SparseAdam';
interface Case {
  kind: Kind;
  /** torch's keyword arguments (snake_case; pairs as lists) */
  opts: Record<string, unknown>;
  /** the parameters (flattened) after each step */
  after: number[][][];
  /** per parameter, torch's opt.state[p] after the last step (0-d tensors and numbers as numbers) */
  state: Record<string, number | number[]>[];
  torchStateDict: wg.optim.TorchOptimizerStateDict;
}
const REF: {
  shapes: number[][];
  steps: number;
  loadAt: number;
  init: number[][];
  grads: number[][][];
  cases: Case[];
  embedding: { weight: number[]; c: number[]; idx: number[][]; after: number[][] };
} = JSON.parse(readFileSync(new URL('./fixtures/optim-extra-torch.json', import.meta.url), 'utf8'));

const BACKENDS = ['wasm', 'reference'] as const;
/** Relative to max(1, |value|): float32 rounding over 8 steps (the reference backend computes in float64). */
const TOL = 1e-6;

/** torch's keyword arguments as our options. */
const options = (opts: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(opts).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
const make = (kind: Kind, params: wg.optim.OptimizerParams, opts: Record<string, unknown>): wg.optim.Optimizer =>
  new (wg.optim[kind] as unknown as new (p: wg.optim.OptimizerParams, o: object) => wg.optim.Optimizer)(params, opts);
const label = (c: Case) => `${c.kind} ${JSON.stringify(c.opts)}`;

const params = (values = REF.init) => values.map((v, k) => wg.tensor(v, { shape: REF.shapes[k], requiresGrad: true }));
const grads = (t: number) => REF.grads[t].map((g, k) => wg.tensor(g, { shape: REF.shapes[k] }));
const snapshot = (ps: wg.Tensor[]) => ps.map((p) => Array.from(p.data()));

/**
 * A step whose gradients are the given tensors: loss = Σ_k Σ p_k·G_k (its gradient is G_k exactly),
 * so the same function runs eagerly and under wg.compile.
 */
function stepWith(ps: wg.Tensor[], opt: wg.optim.Optimizer) {
  return (...gs: wg.Tensor[]) => {
    opt.zeroGrad();
    ps.map((p, k) => p.mul(gs[k]).sum())
      .reduce((a, b) => a.add(b))
      .backward();
    opt.step();
  };
}

/** Steps `from` + 1 … `to` of the fixture, eagerly or compiled: the parameters after each. */
function run(ps: wg.Tensor[], opt: wg.optim.Optimizer, compiled: boolean, from = 0, to = REF.steps) {
  const step = stepWith(ps, opt);
  const f = compiled ? wg.compile(step) : step;
  const records: number[][][] = [];
  for (let t = from; t < to; t++) {
    f(...grads(t));
    records.push(snapshot(ps));
  }
  return { records, info: compiled ? (f as ReturnType<typeof wg.compile>).replayInfo() : [] };
}

describe.each(BACKENDS)('Rprop, ASGD and SparseAdam follow torch 1.13 (%s)', (be) => {
  for (const c of REF.cases)
    test(`${label(c)}: 8 steps eager and compiled, then the state`, () => {
      wg.setBackend(be);
      const ps = params();
      const opt = make(c.kind, ps, options(c.opts));
      const eager = run(ps, opt, false);
      eager.records.forEach((got, t) => got.forEach((p, k) => expectClose(p, c.after[t][k], TOL)));
      const sd = opt.stateDict();
      c.state.forEach((want, k) => {
        expect(Object.keys(sd.state[k])).toEqual(Object.keys(want));
        for (const [name, v] of Object.entries(want)) {
          const got = sd.state[k][name];
          expect(got.shape, name).toEqual(Array.isArray(v) ? REF.shapes[k] : []);
          expectClose(Array.from(got.data()), Array.isArray(v) ? v : [v], TOL);
        }
      });
      const again = params();
      const compiled = run(again, make(c.kind, again, options(c.opts)), true);
      expect(compiled.records).toEqual(eager.records);
      expect(compiled.info).toMatchObject([{ mode: 'fast', reason: null, calls: { traces: 1 } }]);
    });

  for (const c of REF.cases)
    test(`${label(c)}: torch's state_dict after 3 steps loads and continues as torch`, () => {
      wg.setBackend(be);
      const ps = params(c.after[REF.loadAt - 1]);
      const opt = make(c.kind, ps, { lr: 0.5 });
      opt.loadStateDict(c.torchStateDict);
      expect(opt.stateDict().paramGroups[0]).toMatchObject(options(c.opts));
      run(ps, opt, false, REF.loadAt).records.forEach((got, t) => got.forEach((p, k) => expectClose(p, c.after[REF.loadAt + t][k], TOL)));
    });

  for (const c of REF.cases)
    test(`${label(c)}: a state dict after 3 steps, loaded into a fresh optimizer, continues exactly as uninterrupted`, () => {
      wg.setBackend(be);
      const whole = params();
      const uninterrupted = run(whole, make(c.kind, whole, options(c.opts)), false).records;
      const ps = params();
      const before = make(c.kind, ps, options(c.opts));
      run(ps, before, false, 0, REF.loadAt);
      const opt = make(c.kind, ps, {});
      opt.loadStateDict(before.stateDict());
      expect({ ...opt.paramGroups[0] }).toEqual({ ...before.paramGroups[0] });
      expect(run(ps, opt, true, REF.loadAt).records).toEqual(uninterrupted.slice(REF.loadAt));
    });

  test('SparseAdam on an Embedding (sparse: true) follows torch 1.13, eager and compiled: rows not looked up stay as they were', () => {
    wg.setBackend(be);
    const e = REF.embedding;
    const train = (compiled: boolean) => {
      const emb = new wg.nn.Embedding(10, 3, { sparse: true });
      emb.loadStateDict({ weight: wg.tensor(e.weight, { shape: [10, 3] }) });
      const opt = new wg.optim.SparseAdam(emb.parameters(), { lr: 0.05 });
      const c = wg.tensor(e.c);
      const step = (idx: wg.Tensor) => {
        opt.zeroGrad();
        emb.forward(idx).mul(c).square().sum().backward();
        opt.step();
      };
      const f = compiled ? wg.compile(step) : step;
      return e.idx.map((idx) => {
        f(wg.tensor(idx, { dtype: 'int32' }));
        return Array.from(emb.weight.data());
      });
    };
    const eager = train(false);
    eager.forEach((got, t) => expectClose(got, e.after[t], TOL));
    // step 1 looks up rows 0, 7, 4 (and 0 again): the other rows are untouched
    for (const row of [1, 2, 3, 5, 6, 8, 9]) expect(eager[0].slice(3 * row, 3 * row + 3)).toEqual(e.weight.slice(3 * row, 3 * row + 3).map(Math.fround));
    expect(train(true)).toEqual(eager);
  });
});

describe.each(BACKENDS)('their behaviour (%s)', (be) => {
  test('Rprop: a sign flip zeroes the step and the stored prev, and leaves p.grad as it was (torch 1.13 values: it clones the gradient)', () => {
    wg.setBackend(be);
    const p = wg.tensor([1, 1, 1], { requiresGrad: true });
    const opt = new wg.optim.Rprop([p], { lr: 0.1 });
    p.grad = wg.tensor([1, -1, 0]);
    opt.step(); // g·prev = 0 everywhere: step sizes stay 0.1, p −= 0.1·sign(g)
    expectClose(Array.from(p.data()), [0.9, 1.1, 1], 1e-7);
    p.grad = wg.tensor([-2, -3, 5]);
    opt.step(); // flip (×0.5, no move), agreement (×1.2), 0 (×1)
    const st = opt.stateDict().state[0];
    expectClose(Array.from(st.step_size.data()), [0.05, 0.12, 0.1], 1e-7);
    expect(Array.from(st.prev.data())).toEqual([0, -3, 5]);
    expectClose(Array.from(p.data()), [0.9, 1.22, 0.9], 1e-7);
    expect(Array.from(p.grad.data())).toEqual([-2, -3, 5]);
    expect(st.step.item()).toBe(2);
  });

  test('Rprop with a NaN gradient: the NaN product keeps the step size and the element does not move (torch.sign(NaN) is 0), as torch 1.13', () => {
    wg.setBackend(be);
    const p = wg.tensor([1, 1], { requiresGrad: true });
    const opt = new wg.optim.Rprop([p], { lr: 0.1 });
    // torch 1.13: p, prev and step_size after each step
    const want = [
      [
        [1, 0.8999999761581421],
        [NaN, 1],
        [0.10000000149011612, 0.10000000149011612],
      ],
      [
        [0.8999999761581421, 0.7799999713897705],
        [1, 1],
        [0.10000000149011612, 0.12000000476837158],
      ],
      [
        [0.7799999713897705, 0.6359999775886536],
        [1, 1],
        [0.12000000476837158, 0.14400000870227814],
      ],
    ];
    [
      [NaN, 1],
      [1, 1],
      [1, 1],
    ].forEach((g, t) => {
      p.grad = wg.tensor(g);
      opt.step();
      const st = opt.stateDict().state[0];
      [p, st.prev, st.step_size].forEach((x, k) => expectClose(Array.from(x.data()), want[t][k], 1e-7));
    });
  });

  test('SparseAdam on a 0-d parameter (one row of one) and on empty ones', () => {
    wg.setBackend(be);
    const [s, e1, e2] = [wg.tensor(1, { requiresGrad: true }), wg.ones([0, 3], { requiresGrad: true }), wg.ones([2, 0], { requiresGrad: true })];
    const opt = new wg.optim.SparseAdam([s, e1, e2], { lr: 0.1 });
    [s.grad, e1.grad, e2.grad] = [wg.tensor(0), wg.ones([0, 3]), wg.ones([2, 0])];
    opt.step();
    expect([s.item(), opt.stateDict().state[0].exp_avg.item(), e1.shape, e2.shape]).toEqual([1, 0, [0, 3], [2, 0]]);
    s.grad = wg.tensor(2);
    opt.step(); // the first update of its moments, at step 2: p −= lr·√(1 − β2²)/(1 − β1²) · m/(√v + ε)
    const m = 0.2,
      v = 0.001 * 4;
    expectClose([s.item()], [1 - ((0.1 * Math.sqrt(1 - 0.999 ** 2)) / (1 - 0.9 ** 2)) * (m / (Math.sqrt(v) + 1e-8))], 1e-6);
  });

  test('SparseAdam leaves a row whose gradient is all zero alone, its moments included (Adam would decay them), as torch 1.13', () => {
    wg.setBackend(be);
    const p = wg.zeros([3, 2], { requiresGrad: true });
    const opt = new wg.optim.SparseAdam([p], { lr: 0.1 });
    p.grad = wg.ones([3, 2]);
    opt.step();
    const after1 = Array.from(p.data());
    p.grad = wg.tensor([0, 0, 1, 1, 0, 2], { shape: [3, 2] });
    opt.step();
    const st = opt.stateDict().state[0];
    const m = Array.from(st.exp_avg.data());
    expect(m.slice(0, 2)).toEqual([Math.fround(0.1), Math.fround(0.1)]);
    expect(Array.from(p.data()).slice(0, 2)).toEqual(after1.slice(0, 2));
    // row 2 is updated as a whole, its zero element too: m ← 0.1 + (0 − 0.1)·0.1
    expectClose(m.slice(4), [0.09, 0.1 + (2 - 0.1) * 0.1], 1e-7);
    expect(st.step.item()).toBe(2);
    // torch 1.13: SparseAdam([q], lr=0.1), q.grad = the same gradients .to_sparse(1)
    const want = [-0.09999995678663254, -0.09999995678663254, -0.19999992847442627, -0.19999992847442627, -0.1670057624578476, -0.19651813805103302];
    expectClose(Array.from(p.data()), want, 1e-6);
  });

  test("ASGD keeps eta and mu as 0-d tensors (torch's state names); they load from numbers and are required", () => {
    wg.setBackend(be);
    const c = REF.cases.find((k) => k.kind === 'ASGD' && k.opts.t0 === 0)!;
    const ps = params();
    const opt = make('ASGD', ps, options(c.opts));
    run(ps, opt, false, 0, REF.loadAt);
    const sd = opt.stateDict();
    expect(Object.keys(sd.state[0])).toEqual(['step', 'eta', 'mu', 'ax']);
    expect([sd.state[0].eta.shape, sd.state[0].mu.item()]).toEqual([[], Math.fround(1 / 3)]);
    expect(sd.paramGroups[0]).toEqual({ lr: 0.02, lambd: 1e-4, alpha: 0.75, t0: 0, weightDecay: 0, maximize: true, params: [0, 1, 2, 3, 4, 5] });
    const fresh = make('ASGD', params(c.after[REF.loadAt - 1]), {});
    const without = { ...sd.state[0] };
    delete without.mu;
    expect(() => fresh.loadStateDict({ ...sd, state: { ...sd.state, 0: without } })).toThrow(/optim\.ASGD: loadStateDict: state\[0\] has no 'mu'/);
    const bad = { ...sd.state[0], eta: NaN as unknown as wg.Tensor };
    expect(() => fresh.loadStateDict({ ...sd, state: { ...sd.state, 0: bad } })).toThrow(/state\[0\]\.eta must be a finite number/);
    expect(fresh.stateDict().state).toEqual({});
    const numbers = Object.fromEntries(
      Object.entries(sd.state).map(([k, s]) => [k, { ...s, eta: s.eta.item() as unknown as wg.Tensor, mu: s.mu.item() as unknown as wg.Tensor }]),
    );
    fresh.loadStateDict({ ...sd, state: numbers });
    expect(fresh.stateDict().state[2].eta.item()).toBe(sd.state[2].eta.item());
  });

  test("ASGD's state, eta and mu included, goes through a checkpoint file (optimizer.state.<i>.eta)", () => {
    wg.setBackend(be);
    const { x, y } = fixtureData();
    const model = fixtureLinear();
    const opt = new wg.optim.ASGD(model, { lr: 0.05, t0: 1 });
    const step = fixtureStep(model, opt);
    for (let t = 0; t < 4; t++) step(x, y);
    const bytes = wg.saveCheckpoint({ model, optimizer: opt });
    expect(wg.readHeader(bytes).tensors.map((e) => e.name)).toEqual(expect.arrayContaining(['optimizer.state.0.eta', 'optimizer.state.1.mu']));
    // the file holds float32: the reference backend's uninterrupted run continues from the same rounded state
    if (be === 'reference') wg.loadCheckpoint(bytes, { model, optimizer: opt });
    const model2 = fixtureLinear();
    const opt2 = new wg.optim.ASGD(model2, {});
    wg.loadCheckpoint(bytes, { model: model2, optimizer: opt2 });
    const step2 = fixtureStep(model2, opt2);
    for (let t = 4; t < 7; t++) {
      step(x, y);
      step2(x, y);
    }
    expect(fixtureSnapshot(model2)).toEqual(fixtureSnapshot(model));
    expect(opt2.stateDict().state[0].mu.item()).toBe(Math.fround(1 / 6));
  });

  test('parameter groups: each group its own etas and step sizes; assigning one writes the memory a compiled step reads', () => {
    wg.setBackend(be);
    const [a, b] = params().slice(3, 5);
    const [a2, b2] = params().slice(3, 5);
    const grouped = new wg.optim.Rprop([{ params: [a], etas: [0.3, 1.5] }, { params: [b] }], { lr: 0.05 });
    const alone = [new wg.optim.Rprop([a2], { lr: 0.05, etas: [0.3, 1.5] }), new wg.optim.Rprop([b2], { lr: 0.05 })];
    const step = stepWith([a, b], grouped);
    const f = wg.compile(step);
    for (let t = 0; t < 4; t++) {
      const [ga, gb] = grads(t).slice(3, 5);
      f(ga, gb);
      stepWith([a2], alone[0])(ga);
      stepWith([b2], alone[1])(gb);
      if (t === 1) {
        grouped.paramGroups[1].stepSizes = [0.01, 0.02];
        alone[1].paramGroups[0].stepSizes = [0.01, 0.02];
      }
    }
    expect(snapshot([a, b])).toEqual(snapshot([a2, b2]));
    const sizes = Array.from(grouped.stateDict().state[1].step_size.data());
    expect(sizes.every((s) => s >= Math.fround(0.01) && s <= Math.fround(0.02))).toBe(true);
    expect(grouped.paramGroups.map((g) => ({ ...g }))).toEqual([
      { lr: 0.05, etas: [0.3, 1.5], stepSizes: [1e-6, 50], maximize: false },
      { lr: 0.05, etas: [0.5, 1.2], stepSizes: [0.01, 0.02], maximize: false },
    ]);
  });

  test("ASGD's eta follows the scheduled lr, compiled as eager (the lr, eta and mu in memory)", () => {
    wg.setBackend(be);
    const train = (compiled: boolean) => {
      const ps = params();
      const opt = new wg.optim.ASGD(ps, { lr: 0.05, t0: 1, lambd: 0.01 });
      const sched = new wg.optim.lr.ExponentialLR(opt, { gamma: 0.5 });
      const step = stepWith(ps, opt);
      const epoch = (...gs: wg.Tensor[]) => {
        step(...gs);
        sched.step();
      };
      const f = compiled ? wg.compile(epoch) : epoch;
      for (let t = 0; t < 5; t++) f(...grads(t));
      return { ps: snapshot(ps), eta: opt.stateDict().state[0].eta.item(), lr: opt.lr };
    };
    const eager = train(false);
    expect(train(true)).toEqual(eager);
    // after step 5 at lr 0.05·0.5⁴: eta = lr/(1 + λ·lr·5)^0.75
    const lr5 = 0.05 * 0.5 ** 4;
    expect(eager.eta).toBe(Math.fround(lr5 / (1 + 0.01 * lr5 * 5) ** 0.75));
    expect(eager.lr).toBeCloseTo(0.05 * 0.5 ** 5, 12);
  });

  test('a step that fails changes nothing: no parameter moves, no state is made', () => {
    wg.setBackend(be);
    for (const kind of ['Rprop', 'ASGD', 'SparseAdam'] as const) {
      const ps = params().slice(0, 2);
      const opt = make(kind, ps, {});
      ps[0].grad = wg.tensor(REF.grads[0][0], { shape: REF.shapes[0] });
      wg.setBackend(be === 'wasm' ? 'reference' : 'wasm');
      ps[1].grad = wg.tensor(REF.grads[0][1]);
      wg.setBackend(be);
      const before = snapshot(ps);
      expect(() => opt.step(), kind).toThrow(new RegExp(`optim\\.${kind}: the gradient of params\\[1\\] lives on the`));
      expect(snapshot(ps)).toEqual(before);
      expect(opt.stateDict().state).toEqual({});
    }
  });
});

describe('option errors name the optimizer and the bad value, and change nothing', () => {
  const p = () => wg.tensor([1, 2, 3], { requiresGrad: true });
  const cases: [string, () => unknown, RegExp][] = [
    ['Rprop negative lr', () => new wg.optim.Rprop([p()], { lr: -1 }), /^wasmgrad\.optim\.Rprop: lr must be a finite number ≥ 0, got -1$/],
    [
      'Rprop etaminus 1',
      () => new wg.optim.Rprop([p()], { etas: [1, 1.2] }),
      /^wasmgrad\.optim\.Rprop: Invalid eta values: 1, 1\.2 \(etas must be \[etaminus, etaplus\] with 0 < etaminus < 1 < etaplus\)$/,
    ],
    ['Rprop etaplus 1', () => new wg.optim.Rprop([p()], { etas: [0.5, 1] }), /Rprop: Invalid eta values: 0\.5, 1 /],
    ['Rprop etaminus 0', () => new wg.optim.Rprop([p()], { etas: [0, 2] }), /Rprop: Invalid eta values: 0, 2 /],
    ['Rprop etas NaN', () => new wg.optim.Rprop([p()], { etas: [NaN, 2] }), /Rprop: Invalid eta values: NaN, 2 /],
    [
      'Rprop etas not a pair',
      () => new wg.optim.Rprop([p()], { etas: [0.5] as unknown as [number, number] }),
      /Rprop: etas must be a pair \[etaminus, etaplus\], got \[0\.5\]/,
    ],
    ['Rprop stepSizes reversed', () => new wg.optim.Rprop([p()], { stepSizes: [1, 0.5] }), /Rprop: stepSizes\[1\] must be a finite number ≥ 1, got 0\.5/],
    ['Rprop negative min step', () => new wg.optim.Rprop([p()], { stepSizes: [-1, 1] }), /Rprop: stepSizes\[0\] must be a finite number ≥ 0, got -1/],
    [
      'Rprop infinite max step',
      () => new wg.optim.Rprop([p()], { stepSizes: [0, Infinity] }),
      /Rprop: stepSizes\[1\] must be a finite number ≥ 0, got Infinity/,
    ],
    ['Rprop step_sizes', () => new wg.optim.Rprop([p()], { step_sizes: [0, 1] } as object), /Rprop: unknown option 'step_sizes'/],
    ['ASGD negative lr', () => new wg.optim.ASGD([p()], { lr: -0.1 }), /^wasmgrad\.optim\.ASGD: lr must be a finite number ≥ 0, got -0\.1$/],
    ['ASGD negative weightDecay', () => new wg.optim.ASGD([p()], { weightDecay: -1 }), /ASGD: weightDecay must be a finite number ≥ 0, got -1/],
    ['ASGD negative lambd', () => new wg.optim.ASGD([p()], { lambd: -1e-4 }), /ASGD: lambd must be a finite number ≥ 0, got -0\.0001/],
    ['ASGD NaN alpha', () => new wg.optim.ASGD([p()], { alpha: NaN }), /ASGD: alpha must be a finite number ≥ 0, got NaN/],
    ['ASGD infinite t0', () => new wg.optim.ASGD([p()], { t0: Infinity }), /ASGD: t0 must be a finite number ≥ 0, got Infinity/],
    ['SparseAdam lr 0', () => new wg.optim.SparseAdam([p()], { lr: 0 }), /^wasmgrad\.optim\.SparseAdam: lr must be a finite number > 0, got 0$/],
    ['SparseAdam eps 0', () => new wg.optim.SparseAdam([p()], { eps: 0 }), /SparseAdam: eps must be a finite number > 0, got 0/],
    ['SparseAdam beta1 1', () => new wg.optim.SparseAdam([p()], { betas: [1, 0.999] }), /SparseAdam: betas\[0\] must be a finite number in \[0, 1\), got 1/],
    [
      'SparseAdam beta2 < 0',
      () => new wg.optim.SparseAdam([p()], { betas: [0.9, -0.1] }),
      /SparseAdam: betas\[1\] must be a finite number in \[0, 1\), got -0\.1/,
    ],
    [
      'SparseAdam weight decay',
      () => new wg.optim.SparseAdam([p()], { weightDecay: 0.1 } as object),
      /SparseAdam: unknown option 'weightDecay' \(the options are lr, betas, eps, maximize\)/,
    ],
  ];
  for (const [name, f, re] of cases) test(name, () => expect(f).toThrow(re));

  test('an invalid assignment is refused and leaves the group as it was', () => {
    const opt = new wg.optim.Rprop([p()]);
    expect(() => (opt.paramGroups[0].etas = [2, 3])).toThrow(/optim\.Rprop: Invalid eta values: 2, 3/);
    expect(() => (opt.paramGroups[0].stepSizes = [1, 0])).toThrow(/optim\.Rprop: stepSizes\[1\] must be a finite number ≥ 1, got 0/);
    expect({ ...opt.paramGroups[0] }).toEqual({ lr: 0.01, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false });
    const asgd = new wg.optim.ASGD([p()]);
    expect(() => (asgd.paramGroups[0].t0 = -1)).toThrow(/optim\.ASGD: t0 must be a finite number ≥ 0, got -1/);
    expect(asgd.paramGroups[0].t0).toBe(1e6);
    const sparse = new wg.optim.SparseAdam([p()]);
    expect(() => (sparse.lr = NaN)).toThrow(/optim\.SparseAdam: lr must be a finite number, got NaN/);
    expect(sparse.lr).toBe(1e-3);
  });
});
