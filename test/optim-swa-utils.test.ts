/**
 * wg.optim.swaUtils against torch 1.13 (test/fixtures/swa-utils-torch.py): AveragedModel's state-dict
 * keys and averaged tensors after each update (torch's equal average; an EMA avgFn with useBuffers),
 * the deep copy it makes, SWALR's lr sequences (cos and linear, annealEpochs 0, 1, 3, 10, one swaLr
 * or one per group, after a CosineAnnealingLR, in a SequentialLR, lastEpoch given), updateBn's running statistics, and
 * the errors.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

type Flat = Record<string, number[]>;
const fx = JSON.parse(readFileSync(new URL('./fixtures/swa-utils-torch.json', import.meta.url), 'utf8')) as {
  averaged: Record<'default' | 'ema', { keys: string[]; snapshots: Flat[]; averaged: Flat[] }>;
  swalr: Record<string, { lrs: number[][]; last_epoch: number }>;
  update_bn: { state: Flat; batches: number[][][]; after: Flat; training: boolean; momenta: (number | null)[] };
};
const { swaUtils } = wg.optim;
const nn = wg.nn;

/** Every entry of m's state dict set to the fixture's values (int32 entries too). */
function load(m: wg.nn.Module, flat: Flat): void {
  wg.noGrad(() => {
    for (const [k, t] of Object.entries(m.stateDict())) t.copy_(wg.tensor(flat[k]).reshape(t.shape));
  });
}
/** m's state dict equals the fixture's within float32 rounding. */
function expectState(m: wg.nn.Module, flat: Flat, tol = 2e-6): void {
  const sd = m.stateDict();
  expect(Object.keys(sd)).toEqual(Object.keys(flat));
  for (const [k, want] of Object.entries(flat)) {
    const got = Array.from(sd[k].data());
    expect(got.length, k).toBe(want.length);
    got.forEach((v, i) => expect(Math.abs(v - want[i]), `${k}[${i}]: ${v} vs ${want[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]))));
  }
}
const model = () => new nn.Sequential(new nn.Linear(3, 5), new nn.BatchNorm1d(5), new nn.ReLU(), new nn.Linear(5, 2));

for (const be of ['wasm', 'reference'] as const) {
  describe(`AveragedModel on ${be}`, () => {
    beforeEach(() => {
      wg.setBackend(be);
      wg.manualSeed(0);
    });

    for (const kind of ['default', 'ema'] as const)
      test(`${kind}: torch's keys and averaged tensors after each updateParameters`, () => {
        const { keys, snapshots, averaged } = fx.averaged[kind];
        const m = model();
        load(
          m,
          Object.fromEntries(
            Object.entries(snapshots[0]).map(([k, v], j) => [
              k,
              v.map((_, i) => (k.endsWith('tracked') ? 1 : Math.sin(0.7 * i + 1.3 * j) + (k.endsWith('running_var') ? 1.5 : 0))),
            ]),
          ),
        );
        const avg =
          kind === 'default'
            ? new swaUtils.AveragedModel(m)
            : new swaUtils.AveragedModel(m, { avgFn: (a, p) => a.mul(0.75).add(p.mul(0.25)), useBuffers: true });
        expect(Object.keys(avg.stateDict())).toEqual(keys);
        expect(avg.nAveraged.item()).toBe(0);
        snapshots.forEach((snap, k) => {
          load(m, snap);
          avg.updateParameters(m);
          expect(avg.nAveraged.item()).toBe(k + 1);
          expectState(avg, averaged[k]);
        });
      });
  });
}

describe('AveragedModel: the copy and the forward', () => {
  test("a deep copy: the model's later changes reach the average only through updateParameters", () => {
    wg.manualSeed(4);
    const m = model();
    const avg = new swaUtils.AveragedModel(m);
    const x = wg.randn([7, 3]);
    m.eval();
    avg.eval();
    expect(Array.from(avg.forward(x).data())).toEqual(Array.from(m.forward(x).data()));
    expect(avg.module).not.toBe(m);
    expect(avg.module).toBeInstanceOf(nn.Sequential);
    const mp = m.parameters(),
      ap = avg.module.parameters();
    expect(ap).toHaveLength(mp.length);
    ap.forEach((p, i) => {
      expect(p).not.toBe(mp[i]);
      expect(p).toBeInstanceOf(nn.Parameter);
      expect(p.requiresGrad).toBe(true);
      expect(p.grad).toBe(null);
    });
    wg.noGrad(() => mp[0].fill_(3));
    expect(Array.from(ap[0].data())).not.toContain(3);
    // children reachable by index and field, as the original's
    expect((avg.module as unknown as wg.nn.Module[])[0]).toBe(avg.module.children()[0]);
    // the copy trains: gradients reach its own parameters only
    avg.train();
    avg.forward(x).sum().backward();
    expect(ap[0].grad).not.toBe(null);
    expect(mp[0].grad).toBe(null);
  });

  test('tied weights stay tied, frozen parameters stay frozen, the mode and options are copied', () => {
    wg.manualSeed(5);
    const a = new nn.Linear(4, 4);
    const b = new nn.Linear(4, 4, { bias: false });
    (b as unknown as { weight: wg.Tensor }).weight = a.weight; // tie
    a.bias!.requiresGrad = false;
    const m = new nn.Sequential(a, b, new nn.Dropout(0.25)).eval();
    const avg = new swaUtils.AveragedModel(m);
    const [ca, cb, cd] = avg.module.children() as [wg.nn.Linear, wg.nn.Linear, wg.nn.Dropout];
    expect(cb.weight).toBe(ca.weight);
    expect(ca.weight).not.toBe(a.weight);
    expect(ca.bias!.requiresGrad).toBe(false);
    expect(avg.module.training).toBe(false);
    expect(cd.p).toBe(0.25);
    expect(Object.keys(avg.stateDict())).toEqual(['n_averaged', 'module.0.weight', 'module.0.bias', 'module.1.weight']);
  });

  /** Every tensor of a forward's output (arrays of them nested, as LSTM's), flattened. */
  const flat = (o: unknown): number[] => (o instanceof wg.Tensor ? Array.from(o.data()) : Array.isArray(o) ? o.flatMap(flat) : []);
  type Call = (...a: unknown[]) => unknown;
  const modules: [string, () => wg.nn.AnyModule, () => unknown[]][] = [
    ['TransformerEncoderLayer', () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 }), () => [wg.randn([3, 2, 8])]],
    ['LSTM', () => new nn.LSTM(3, 4, { numLayers: 2 }), () => [wg.randn([5, 2, 3])]],
    [
      'MultiheadAttention',
      () => new nn.MultiheadAttention(4, 2),
      () => {
        const x = wg.randn([3, 2, 4]);
        return [x, x, x];
      },
    ],
    ['Conv2d + BatchNorm2d', () => new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2)), () => [wg.randn([2, 1, 5, 5])]],
    ['ModuleList', () => new nn.Sequential(new nn.ModuleList([new nn.Linear(2, 3)]).at(0), new nn.Tanh()), () => [wg.randn([2, 2])]],
    ['parametrizations.spectralNorm', () => nn.utils.parametrizations.spectralNorm(new nn.Linear(3, 3)), () => [wg.randn([2, 3])]],
    [
      'LazyLinear after its first forward',
      () => {
        const l = new nn.LazyLinear(3);
        l.forward(wg.randn([2, 4]));
        return l;
      },
      () => [wg.randn([2, 4])],
    ],
  ];
  for (const [name, make, input] of modules)
    test(`copies of ${name}: the same outputs and keys, tensors of their own`, () => {
      wg.manualSeed(1);
      const m = make().eval();
      const avg = new swaUtils.AveragedModel(m).eval();
      const x = input();
      expect(flat((avg.forward as Call)(...x))).toEqual(flat((m.forward as Call)(...x)));
      expect(Object.keys(avg.stateDict())).toEqual(['n_averaged', ...Object.keys(m.stateDict()).map((k) => `module.${k}`)]);
      const own = new Set([...m.parameters(), ...m.buffers()]);
      for (const t of [...avg.parameters(), ...avg.buffers()]) expect(own.has(t)).toBe(false);
      avg.updateParameters(m);
      avg.updateParameters(m); // the mean of two equal models is the model
      expect(flat((avg.forward as Call)(...x))).toEqual(flat((m.forward as Call)(...x)));
    });

  test('a state dict saved from one AveragedModel loads into another', () => {
    wg.manualSeed(6);
    const m = model();
    const avg = new swaUtils.AveragedModel(m);
    avg.updateParameters(m);
    avg.updateParameters(m);
    const other = new swaUtils.AveragedModel(model());
    other.loadStateDict(avg.stateDict());
    expect(other.nAveraged.item()).toBe(2);
    expect(Array.from(other.module.parameters()[0].data())).toEqual(Array.from(m.parameters()[0].data()));
  });

  test('errors', () => {
    const m = model();
    const F = 'optim.swaUtils.AveragedModel';
    expect(() => new swaUtils.AveragedModel({} as never)).toThrow(new RegExp(`${F}: model must be an nn.Module`));
    expect(() => new swaUtils.AveragedModel(m, { device: 'cuda' })).toThrow(/device must be 'cpu' or null, got "cuda"/);
    expect(() => new swaUtils.AveragedModel(m, { avgFn: 3 as never })).toThrow(/avgFn must be a function/);
    expect(() => new swaUtils.AveragedModel(m, { useBuffers: 1 as never })).toThrow(wg.ValueError);
    expect(() => new swaUtils.AveragedModel(m, { lr: 1 } as never)).toThrow(wg.ValueError);
    const hooked = new nn.Linear(2, 2);
    hooked.registerForwardHook(() => undefined);
    expect(() => new swaUtils.AveragedModel(hooked)).toThrow(/cannot copy the module Linear: its forward is set on the instance/);
    const avg = new swaUtils.AveragedModel(m);
    expect(() => avg.updateParameters(new nn.Linear(3, 5))).toThrow(/updateParameters: the model has 2 parameters, the averaged model 6/);
    const other = new nn.Sequential(new nn.Linear(3, 5), new nn.BatchNorm1d(5), new nn.ReLU(), new nn.Linear(5, 3));
    expect(() => avg.updateParameters(other)).toThrow(wg.ShapeError);
    const bad = new swaUtils.AveragedModel(m, { avgFn: (a) => a.sum() });
    bad.updateParameters(m);
    const before = Array.from(bad.module.parameters()[0].data());
    expect(() => bad.updateParameters(m)).toThrow(/avgFn must return a tensor of the parameters' shape \[5, 3\]/);
    expect(Array.from(bad.module.parameters()[0].data())).toEqual(before);
    expect(bad.nAveraged.item()).toBe(1);
  });
});

describe('SWALR', () => {
  const sgd = () =>
    new wg.optim.SGD([{ params: [wg.zeros([1], { requiresGrad: true })] }, { params: [wg.zeros([1], { requiresGrad: true })], lr: 0.02 }], { lr: 0.1 });
  const lrs = (opt: wg.optim.Optimizer) => opt.paramGroups.map((g) => g.lr as number);
  /** `n` epochs of opt.step() then sched.step(), each epoch's lrs pushed onto `seq` (returned). */
  const stepped = (opt: wg.optim.Optimizer, sched: { step(): void }, n: number, seq: number[][] = [lrs(opt)]) => {
    for (let k = 0; k < n; k++) {
      opt.step();
      sched.step();
      seq.push(lrs(opt));
    }
    return seq;
  };
  const expectLrs = (got: number[][], want: number[][]) => {
    expect(got).toHaveLength(want.length);
    got.forEach((row, k) => row.forEach((v, i) => expect(Math.abs(v - want[k][i]), `step ${k} group ${i}: ${v} vs ${want[k][i]}`).toBeLessThan(1e-7)));
  };
  const cases: Record<string, wg.optim.swaUtils.SWALROptions> = {
    cos3: { swaLr: 0.05, annealEpochs: 3 },
    linear3: { swaLr: 0.05, annealEpochs: 3, annealStrategy: 'linear' },
    cos_default: { swaLr: [0.05, 0.001] },
    linear1: { swaLr: 0.3, annealEpochs: 1, annealStrategy: 'linear' },
    cos0: { swaLr: 0.05, annealEpochs: 0 },
  };
  for (const [name, opts] of Object.entries(cases))
    test(`${name}: torch's lr sequence`, () => {
      const opt = sgd();
      const s = new swaUtils.SWALR(opt, opts);
      const seq = stepped(opt, s, 12);
      expectLrs(seq, fx.swalr[name].lrs);
      expect(s.lastEpoch).toBe(fx.swalr[name].last_epoch);
    });

  test("torch's positional form", () => {
    const opt = sgd();
    const s = new swaUtils.SWALR(opt, 0.05, 3, 'linear');
    for (let k = 0; k < 2; k++) s.step();
    expectLrs([lrs(opt)], [fx.swalr.linear3.lrs[2]]);
  });

  test('after a CosineAnnealingLR: from the lr it left', () => {
    const opt = sgd();
    const cos = new wg.optim.lr.CosineAnnealingLR(opt, { tMax: 5 });
    const seq = stepped(opt, cos, 3);
    const s = new swaUtils.SWALR(opt, { swaLr: 0.01, annealEpochs: 4, annealStrategy: 'linear' });
    seq.push(lrs(opt));
    stepped(opt, s, 6, seq);
    expectLrs(seq, fx.swalr.after_cosine.lrs);
    expect(s.lastEpoch).toBe(6);
    expect(s.baseLrs).toEqual([0.1, 0.02]); // torch's initial_lr, from the first scheduler
  });

  test("in a SequentialLR after a CosineAnnealingLR: the switch is torch's step(0)", () => {
    const opt = new wg.optim.SGD([wg.zeros([1], { requiresGrad: true })], { lr: 0.1 });
    const a = new wg.optim.lr.CosineAnnealingLR(opt, { tMax: 5 });
    const b = new swaUtils.SWALR(opt, { swaLr: 0.01, annealEpochs: 3, annealStrategy: 'linear' });
    const seqLr = new wg.optim.lr.SequentialLR(opt, { schedulers: [a, b], milestones: [3] });
    const seq = stepped(opt, seqLr, 8);
    expectLrs(seq, fx.swalr.sequential.lrs);
    expect(b.lastEpoch).toBe(fx.swalr.sequential.last_epoch);
  });

  test('lastEpoch given: the epoch resumes, the annealing follows the steps since construction (as torch)', () => {
    const opt = sgd();
    const s = new swaUtils.SWALR(opt, { swaLr: 0.05, annealEpochs: 3, lastEpoch: 4 });
    const seq = stepped(opt, s, 5);
    expectLrs(seq, fx.swalr.last_epoch4.lrs);
    expect(s.lastEpoch).toBe(fx.swalr.last_epoch4.last_epoch);
  });

  test('stateDict / loadStateDict resume the annealing where it was', () => {
    const opt = sgd();
    const s = new swaUtils.SWALR(opt, { swaLr: [0.05, 0.001] });
    for (let k = 0; k < 4; k++) s.step();
    const sd = s.stateDict();
    expect(sd).toEqual({ lastEpoch: 4, baseLrs: [0.1, 0.02], stepCount: 5 });
    const opt2 = sgd();
    opt2.loadStateDict(opt.stateDict());
    const s2 = new swaUtils.SWALR(opt2, { swaLr: [0.05, 0.001] });
    s2.loadStateDict(sd);
    opt2.loadStateDict(opt.stateDict());
    for (let k = 0; k < 3; k++) {
      s.step();
      s2.step();
    }
    expectLrs([lrs(opt), lrs(opt2)], [fx.swalr.cos_default.lrs[7], fx.swalr.cos_default.lrs[7]]);
    expect(() => s2.loadStateDict({ ...sd, stepCount: 0 } as wg.optim.swaUtils.SWALRState)).toThrow(/stepCount must be an integer ≥ 1, got 0/);
  });

  test('errors name optim.swaUtils.SWALR', () => {
    const opt = sgd();
    expect(() => new swaUtils.SWALR(opt, {} as never)).toThrow(/optim\.swaUtils\.SWALR: the option swaLr is required/);
    expect(() => new swaUtils.SWALR(opt, { swaLr: [0.1] })).toThrow(/swaLr holds 1 values, the optimizer has 2 parameter groups/);
    expect(() => new swaUtils.SWALR(opt, { swaLr: 0.1, annealStrategy: 'exp' as never })).toThrow(
      /optim\.swaUtils\.SWALR: annealStrategy must be one of 'cos' or 'linear', got "exp"/,
    );
    expect(() => new swaUtils.SWALR(opt, { swaLr: 0.1, annealEpochs: 1.5 })).toThrow(/annealEpochs must be an integer ≥ 0, got 1\.5/);
    expect(() => new swaUtils.SWALR(opt, { swaLr: 0.1, lastEpoch: -2 })).toThrow(/lastEpoch must be an integer ≥ −1/);
    expect(() => new swaUtils.SWALR({} as never, { swaLr: 0.1 })).toThrow(/optim\.swaUtils\.SWALR: expects an optimizer/);
  });
});

describe('updateBn', () => {
  const bnModel = () =>
    new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4, { momentum: 0.3 }), new nn.ReLU(), new nn.Linear(4, 4), new nn.BatchNorm1d(4));
  for (const be of ['wasm', 'reference'] as const)
    test(`on ${be}: torch's running statistics over the loader's batches (arrays: the first element is the input)`, () => {
      wg.setBackend(be);
      const { state, batches, after, training, momenta } = fx.update_bn;
      const m = bnModel();
      load(m, state);
      m.eval();
      const loader = batches.map((x) => [wg.tensor(x), wg.zeros([x.length])]);
      swaUtils.updateBn(loader, m);
      expectState(m, after, 1e-5);
      expect(m.training).toBe(training);
      const [bn1, bn2] = [m.children()[1], m.children()[4]] as wg.nn.BatchNorm1d[];
      expect([bn1.momentum, bn2.momentum]).toEqual(momenta);
    });

  test('a DataLoader of tensors, an AveragedModel, the training mode kept; a model without BatchNorm is left alone', () => {
    wg.setBackend('wasm');
    wg.manualSeed(2);
    const avg = new swaUtils.AveragedModel(bnModel());
    const x = wg.randn([17, 3]);
    swaUtils.updateBn(new wg.data.DataLoader(x, { batchSize: 17 }), avg);
    expect(avg.training).toBe(true);
    // one batch: the running statistics are that batch's (momentum null, count 1)
    const h = wg.noGrad(() => (avg.module.children()[0] as wg.nn.Linear).forward(x));
    const bn = avg.module.children()[1] as wg.nn.BatchNorm1d;
    const mean = Array.from(h.mean(0).data());
    Array.from(bn.runningMean!.data()).forEach((v, i) => expect(v).toBeCloseTo(mean[i], 5));
    expect(bn.numBatchesTracked!.item()).toBe(1);
    expect(bn.runningMean!.grad).toBe(null);
    const plain = new nn.Linear(3, 2);
    const w = Array.from(plain.weight.data());
    swaUtils.updateBn([x], plain.eval());
    expect(plain.training).toBe(false);
    expect(Array.from(plain.weight.data())).toEqual(w);
  });

  test('BatchNorm2d: each batch weighted equally, whatever its size (the mean of the batch means and unbiased variances)', () => {
    wg.setBackend('wasm');
    wg.manualSeed(9);
    const bn = new nn.BatchNorm2d(2, { momentum: 0.5 });
    const batches = [wg.randn([3, 2, 3, 5]), wg.randn([5, 2, 3, 5]).mul(2).add(1), wg.randn([1, 2, 3, 5])];
    swaUtils.updateBn(batches, bn);
    const perChannel = (x: wg.Tensor) => x.transpose(0, 1).reshape([2, -1]);
    const means = batches.map((x) => Array.from(perChannel(x).mean(1).data()));
    const vars = batches.map((x) => Array.from(perChannel(x).var(1).data())); // unbiased, as the running variance
    const avg = (rows: number[][]) => rows[0].map((_, c) => rows.reduce((a, r) => a + r[c], 0) / rows.length);
    Array.from(bn.runningMean!.data()).forEach((v, c) => expect(v).toBeCloseTo(avg(means)[c], 5));
    Array.from(bn.runningVar!.data()).forEach((v, c) => expect(v).toBeCloseTo(avg(vars)[c], 5));
    expect(bn.numBatchesTracked!.item()).toBe(3);
    expect(bn.momentum).toBe(0.5);
  });

  test('errors; a failing batch restores the momenta and the mode', () => {
    const m = bnModel().eval();
    const F = 'optim\\.swaUtils\\.updateBn';
    expect(() => swaUtils.updateBn(3 as never, m)).toThrow(new RegExp(`${F}: loader must be an iterable of batches`));
    expect(() => swaUtils.updateBn([], {} as never)).toThrow(new RegExp(`${F}: model must be an nn.Module`));
    expect(() => swaUtils.updateBn([], m, 'cuda')).toThrow(/device must be 'cpu' or null/);
    expect(() => swaUtils.updateBn([wg.zeros([2, 3]), 'x'], m)).toThrow(
      new RegExp(`${F}: batch 1 must be a tensor or an array whose first element is one, got "x"`),
    );
    expect(m.training).toBe(false);
    expect((m.children()[1] as wg.nn.BatchNorm1d).momentum).toBe(0.3);
  });
});
