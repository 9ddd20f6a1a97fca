/**
 * Regressions from the PyTorch-habits probe of wg.nn (probe campaign p10): module options PyTorch
 * code passes that wasmgrad rejected or handled differently. Expected values are PyTorch 1.13's,
 * written as literals.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

describe('max pool modules take returnIndices (nn.MaxPool2d(k, return_indices=True))', () => {
  test('MaxPool2d returns [values, indices] that MaxUnpool2d inverts, with the gradient', () => {
    const x = wg.tensor([0.5, -1, 2, 0.25, 3, 1.5, 0, -2, 4, 1, -0.5, 2.5, 1, -3, 0.75], { shape: [1, 1, 3, 5], requiresGrad: true });
    const pool = new wg.nn.MaxPool2d([2, 3], { stride: [1, 2], returnIndices: true });
    const [v, i] = pool.forward(x);
    expect(v.shape).toEqual([1, 1, 2, 2]);
    expectClose(v.data(), [2, 4, 2.5, 4]);
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.data())).toEqual([2, 8, 11, 8]);
    const u = new wg.nn.MaxUnpool2d([2, 3], [1, 2]).forward(v, i, [3, 5]);
    expectClose(u.data(), [0, 0, 2, 0, 0, 0, 0, 0, 4, 0, 0, 2.5, 0, 0, 0]);
    v.mul(wg.tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] }))
      .sum()
      .backward();
    // The window maxima at 8 (= 4) are shared by two windows: their weights 2 and 4 add up.
    expectClose(x.grad!.data(), [0, 0, 1, 0, 0, 0, 0, 0, 6, 0, 0, 3, 0, 0, 0]);
  });

  test('MaxPool1d returns [values, indices] along L, unbatched too', () => {
    const x = wg.tensor([[0.5, -1, 2, 0.25, 3, 1, -2]]);
    const [v, i] = new wg.nn.MaxPool1d(3, { stride: 2, padding: 1, returnIndices: true }).forward(x);
    expectClose(v.data(), [0.5, 2, 3, 1]);
    expect(Array.from(i.data())).toEqual([0, 2, 4, 5]);
  });

  test('without the option forward returns the values tensor; a non-boolean is a ValueError', () => {
    const x = wg.tensor([0.5, -1, 2, 0.25], { shape: [1, 1, 4] });
    const y: wg.Tensor = new wg.nn.MaxPool1d(2).forward(x);
    expectClose(y.data(), [0.5, 2]);
    const z: wg.Tensor = new wg.nn.MaxPool2d(1, { returnIndices: false }).forward(x.reshape([1, 1, 2, 2]));
    expect(z.shape).toEqual([1, 1, 2, 2]);
    expect(() => new wg.nn.MaxPool2d(2, { returnIndices: 1 as unknown as boolean })).toThrow(wg.ValueError);
    expect(() => new wg.nn.MaxPool1d(2, { returnIndices: 'yes' as unknown as boolean })).toThrow(/nn\.MaxPool1d.*returnIndices/);
  });
});

describe("ParameterDict.set on an existing key replaces the parameter in its place (PyTorch's pd[key] = p)", () => {
  test('the order of keys, parameters and state dict is kept; the new tensor is the one used; bad values stay errors', () => {
    const pd = new wg.nn.ParameterDict(
      new Map([
        ['b', wg.ones([1])],
        ['a', wg.ones([2])],
        ['c', wg.ones([3])],
      ]),
    );
    const replacement = wg.zeros([4, 4]).requiresGrad_();
    pd.set('a', replacement);
    // PyTorch 1.13: pd['a'] = nn.Parameter(torch.zeros(4, 4)) keeps ['b', 'a', 'c'], a of size (4, 4)
    expect(pd.keys()).toEqual(['b', 'a', 'c']);
    expect(pd.namedParameters().map(([k, p]) => `${k}:${p.shape.join('x')}`)).toEqual(['b:1', 'a:4x4', 'c:3']);
    expect(Object.keys(pd.stateDict())).toEqual(['b', 'a', 'c']);
    expect(pd.get('a')).toBe(replacement);
    expect(pd.getParameter('a')).toBe(replacement);
    expect(() => pd.set('a', 3 as never)).toThrow('wasmgrad.nn.ParameterDict.set: a parameter must be a Tensor, got 3');
    expect(() => pd.set('a.b', wg.ones([1]))).toThrow(/wasmgrad\.nn\.ParameterDict\.registerParameter: a name must be a non-empty string without '\.'/);
  });
});

describe("ModuleDict.set on an existing key replaces the module in its place (PyTorch's md[key] = m)", () => {
  test('the order of keys, parameters and state dict is kept; the new module is the one used', () => {
    const md = new wg.nn.ModuleDict({ b: new wg.nn.Linear(1, 1), a: new wg.nn.Linear(1, 2) });
    md.set('c', new wg.nn.Linear(2, 2));
    const replacement = new wg.nn.Linear(4, 4);
    md.set('a', replacement);
    // PyTorch 1.13: ['b.weight', 'b.bias', 'a.weight', 'a.bias', 'c.weight', 'c.bias'], a.weight (4, 4)
    expect(md.keys()).toEqual(['b', 'a', 'c']);
    expect(md.namedParameters().map(([k, p]) => `${k}:${p.shape.join('x')}`)).toEqual([
      'b.weight:1x1',
      'b.bias:1',
      'a.weight:4x4',
      'a.bias:4',
      'c.weight:2x2',
      'c.bias:2',
    ]);
    expect(Object.keys(md.stateDict())).toEqual(['b.weight', 'b.bias', 'a.weight', 'a.bias', 'c.weight', 'c.bias']);
    expect(md.get('a')).toBe(replacement);
    expect(md.getSubmodule('a')).toBe(replacement);
    expect(md.size).toBe(3);
  });

  test('a non-module is still a ValueError, and registerModule still refuses a taken name', () => {
    const md = new wg.nn.ModuleDict({ a: new wg.nn.ReLU() });
    expect(() => md.set('a', 3 as never)).toThrow("wasmgrad.nn.ModuleDict.registerModule: 'a' must be a Module, got 3");
    expect(md.get('a')).toBeInstanceOf(wg.nn.ReLU);
    expect(() => md.registerModule('a', new wg.nn.Tanh())).toThrow("wasmgrad.nn.ModuleDict.registerModule: 'a' is already registered");
  });
});

describe("Embedding takes maxNorm and normType (PyTorch's max_norm, norm_type: embedding_renorm_)", () => {
  const W = [0.6, -0.8, 0, 3, 4, 0, 0.1, 0.2, -0.2, -2, 1, 2, 1, 1, 1];
  const table = () => wg.tensor(W, { shape: [5, 3] });

  test('the looked-up rows above maxNorm are scaled to it in the weight itself; the gradient is the plain lookup’s', () => {
    const e = wg.nn.Embedding.fromPretrained(table(), { freeze: false, maxNorm: 1.5 });
    const y = e.forward(wg.tensor([1, 3, 1, 2], { shape: [2, 2], dtype: 'int32' }));
    y.mul(wg.arange(12).reshape([2, 2, 3]))
      .sum()
      .backward();
    // PyTorch 1.13: rows 1 (norm 5) and 3 (norm 3) become norm 1.5; rows 0 (norm 1, not looked up), 2, 4 keep theirs
    expectClose(y.data(), [0.9, 1.2, 0, -1, 0.5, 1, 0.9, 1.2, 0, 0.1, 0.2, -0.2], 1e-6);
    expectClose(e.weight.data(), [0.6, -0.8, 0, 0.9, 1.2, 0, 0.1, 0.2, -0.2, -1, 0.5, 1, 1, 1, 1], 1e-6);
    expectClose(e.weight.grad!.data(), [0, 0, 0, 6, 8, 10, 9, 10, 11, 3, 4, 5, 0, 0, 0]);
  });

  test('normType 1 and ∞; the padding row is renormed too (as PyTorch) and still gets no gradient', () => {
    const e = wg.nn.Embedding.fromPretrained(table(), { maxNorm: 2, normType: 1, paddingIdx: 4 });
    const y = e.forward(wg.tensor([4, 0, 3], { dtype: 'int32' }));
    expectClose(y.data(), [0.6666666, 0.6666666, 0.6666666, 0.6, -0.8, 0, -0.8, 0.4, 0.8], 1e-6);
    expectClose(e.weight.data(), [0.6, -0.8, 0, 3, 4, 0, 0.1, 0.2, -0.2, -0.8, 0.4, 0.8, 0.6666666, 0.6666666, 0.6666666], 1e-6);
    const inf = wg.nn.Embedding.fromPretrained(table(), { maxNorm: 1, normType: Infinity });
    expectClose(inf.forward(wg.tensor([3, 1], { dtype: 'int32' })).data(), [-1, 0.5, 1, 0.75, 1, 0], 1e-6);
    expect(String(new wg.nn.Embedding(5, 3, { maxNorm: 1.5, normType: 1 }))).toBe('Embedding(5, 3, max_norm=1.5, norm_type=1.0)');
  });

  test('inside wg.compile the renorm re-runs every call and matches eager steps', () => {
    const make = () => wg.nn.Embedding.fromPretrained(table(), { freeze: false, maxNorm: 1.5 });
    const [eager, compiled] = [make(), make()];
    const [o1, o2] = [eager, compiled].map((e) => new wg.optim.SGD(e.parameters(), { lr: 0.5 }));
    const run = (e: wg.nn.Embedding, o: wg.optim.SGD, idx: wg.Tensor) => {
      o.zeroGrad();
      const l = e.forward(idx).pow(2).sum();
      l.backward();
      o.step();
      return l;
    };
    const step = wg.compile((idx: wg.Tensor) => run(compiled, o2, idx), { warn: false });
    for (const ids of [
      [1, 3],
      [3, 4],
      [0, 1],
      [2, 3],
    ]) {
      const idx = wg.tensor(ids, { dtype: 'int32' });
      expect(step(idx).item()).toBe(run(eager, o1, idx).item());
      expect(Array.from(compiled.weight.data())).toEqual(Array.from(eager.weight.data()));
    }
  });

  test('bad options and indices are ValueErrors naming the module', () => {
    expect(() => new wg.nn.Embedding(5, 3, { maxNorm: 0 })).toThrow('wasmgrad.nn.Embedding: maxNorm must be a finite number > 0 or null, got 0');
    expect(() => new wg.nn.Embedding(5, 3, { maxNorm: 1, normType: -1 })).toThrow('wasmgrad.nn.Embedding: normType must be a number > 0, got -1');
    const e = new wg.nn.Embedding(5, 3, { maxNorm: 1 });
    const before = Array.from(e.weight.data());
    expect(() => e.forward(wg.tensor([1, 5], { dtype: 'int32' }))).toThrow(
      /wasmgrad\.nn\.Embedding: index 5 at position \[1\] .* out of range for 5 embeddings/,
    );
    expect(Array.from(e.weight.data())).toEqual(before);
  });
});

describe('InstanceNorm1d/2d take momentum and trackRunningStats (PyTorch’s running statistics)', () => {
  const x = () => wg.tensor([0.5, -1, 2, 0.25, 1.5, 0, -2, 4, 1, 3, -0.5, 0, 2, 2.5, 1, -3], { shape: [2, 2, 4], requiresGrad: true });

  test('training normalises per instance and moves the running statistics; eval uses them (PyTorch 1.13 values)', () => {
    const m = new wg.nn.InstanceNorm1d(2, { momentum: 0.3, affine: true, trackRunningStats: true });
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    const xs = x();
    const y = m.forward(xs);
    y.mul(wg.arange(16).reshape([2, 2, 4]))
      .sum()
      .backward();
    expectClose(
      y.data(),
      [
        0.058621, -1.348278, 1.46552, -0.175862, 0.285365, -0.399511, -1.312678, 1.426824, 0.09325, 1.585254, -1.025752, -0.652752, 0.636146, 0.867472,
        0.173494, -1.677112,
      ],
      2e-6,
    );
    expectClose(
      xs.grad!.data(),
      [
        -1.421403, -0.135375, 0.106367, 1.450411, -0.725775, -0.171033, 0.416428, 0.48038, -1.076838, 0.343805, -0.090815, 0.823847, -0.413137, 0.151637,
        0.307918, -0.046418,
      ],
      2e-5,
    );
    expectClose(m.runningMean!.data(), [0.196875, 0.225], 1e-6);
    expectClose(m.runningVar!.data(), [1.2867188, 2.59375], 1e-6);
    // PyTorch's instance norm never counts batches
    expect(m.numBatchesTracked!.item()).toBe(0);
    m.eval();
    expectClose(
      m.forward(wg.tensor([0.5, -1, 2, 0.25, 1.5, 0, -2, 4], { shape: [2, 4] })).data(),
      [0.267226, -1.055128, 1.58958, 0.046833, 0.791672, -0.139707, -1.381545, 2.34397],
      2e-6,
    );
    expect(String(m)).toBe('InstanceNorm1d(2, eps=1e-05, momentum=0.3, affine=True, track_running_stats=True)');
  });

  test('without trackRunningStats eval still uses the instance statistics; momentum is accepted and validated', () => {
    const m = new wg.nn.InstanceNorm2d(2, { momentum: 0.2 });
    expect(Object.keys(m.stateDict())).toEqual([]);
    const input = x().detach().reshape([2, 2, 2, 2]);
    const train = Array.from(m.forward(input).data());
    m.eval();
    expect(Array.from(m.forward(input).data())).toEqual(train);
    expect(() => new wg.nn.InstanceNorm2d(2, { momentum: 2 })).toThrow(wg.ValueError);
    expect(() => new wg.nn.InstanceNorm1d(2, { trackRunningStats: 1 as unknown as boolean })).toThrow(/nn\.InstanceNorm1d.*trackRunningStats/);
    expect(() => new wg.nn.InstanceNorm1d(2, { trackRunningStats: true }).forward(wg.ones([2, 2, 1]))).toThrow(/more than 1 spatial element/);
  });
});

describe('a module registered twice is one module, as PyTorch (named_modules, named_children, apply)', () => {
  const shared = () => {
    const lin = new wg.nn.Linear(2, 2);
    const bn = new wg.nn.BatchNorm1d(2);
    return { lin, bn, seq: new wg.nn.Sequential(lin, bn, lin, bn) };
  };

  test('traversals list it once under its first name; the state dict and the printout under every name', () => {
    const { lin, bn, seq } = shared();
    // PyTorch 1.13 on Sequential(l, b, l, b)
    expect(seq.namedModules('m').map(([k]) => k)).toEqual(['m', 'm.0', 'm.1']);
    expect(seq.namedModules('', false).map(([k]) => k)).toEqual(['', '0', '1', '2', '3']);
    expect(seq.namedChildren().map(([k]) => k)).toEqual(['0', '1']);
    expect(seq.children()).toEqual([lin, bn]);
    expect(seq.modules()).toHaveLength(3);
    expect(seq.namedParameters().map(([k]) => k)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect(seq.namedBuffers().map(([k]) => k)).toEqual(['1.running_mean', '1.running_var', '1.num_batches_tracked']);
    expect(Object.keys(seq.stateDict())).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '2.weight',
      '2.bias',
      '3.weight',
      '3.bias',
      '3.running_mean',
      '3.running_var',
      '3.num_batches_tracked',
    ]);
    expect(
      String(seq)
        .split('\n')
        .filter((l) => l.startsWith('  (')),
    ).toEqual([
      '  (0): Linear(in_features=2, out_features=2, bias=True)',
      '  (1): BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
      '  (2): Linear(in_features=2, out_features=2, bias=True)',
      '  (3): BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
    ]);
  });

  test('apply visits it once; a state dict without num_batches_tracked loads under every name', () => {
    const { seq } = shared();
    const visited: string[] = [];
    seq.apply((m) => visited.push(m.constructor.name));
    expect(visited).toEqual(['Linear', 'BatchNorm1d', 'Sequential']);
    const sd = Object.fromEntries(Object.entries(seq.stateDict()).filter(([k]) => !k.endsWith('num_batches_tracked')));
    expect(seq.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });
});

describe('MultiheadAttention takes addBiasKv and addZeroAttn (PyTorch’s add_bias_kv, add_zero_attn)', () => {
  const load = (m: wg.nn.MultiheadAttention) =>
    m.loadStateDict({
      in_proj_weight: wg.tensor([0.2397, 0.3822, 0.4729, 0.4996, 0.4587, 0.3557, 0.2046, 0.0258, -0.1565, -0.3177, -0.4358, -0.4949], { shape: [6, 2] }),
      in_proj_bias: wg.tensor([0.2397, 0.4152, 0.4969, 0.4663, 0.3303, 0.1196]),
      bias_k: wg.tensor([0.2397, 0.4433], { shape: [1, 1, 2] }),
      bias_v: wg.tensor([0.2397, 0.466], { shape: [1, 1, 2] }),
      'out_proj.weight': wg.tensor([0.2397, 0.4831, 0.4265, 0.105], { shape: [2, 2] }),
      'out_proj.bias': wg.tensor([0.2397, 0.4943]),
    });

  test('the bias key and the zero key join every query’s softmax, masks padded with kept columns (PyTorch 1.13 values)', () => {
    const m = new wg.nn.MultiheadAttention(2, 2, { addBiasKv: true, addZeroAttn: true });
    expect(m.namedParameters().map(([k]) => k)).toEqual(['in_proj_weight', 'in_proj_bias', 'bias_k', 'bias_v', 'out_proj.weight', 'out_proj.bias']);
    expect(Object.keys(m.stateDict())).toEqual(['in_proj_weight', 'in_proj_bias', 'bias_k', 'bias_v', 'out_proj.weight', 'out_proj.bias']);
    load(m);
    const x = wg.tensor([0.5, -1, 1.5, 0.25, -0.75, 2], { shape: [3, 1, 2], requiresGrad: true });
    const kpm = wg.tensor([[0, 1, 0]], { dtype: 'int32' });
    const [y, w] = m.forward(x, x, x, { keyPaddingMask: kpm, averageAttnWeights: false });
    y.mul(wg.tensor([1, -2], { shape: [1, 1, 2] }))
      .sum()
      .backward();
    expectClose(y.data(), [0.317821, 0.569731, 0.326894, 0.561163, 0.322607, 0.557836], 2e-6);
    expect(w!.shape).toEqual([1, 2, 3, 5]);
    expectClose(
      w!.data(),
      [
        0.249983, 0, 0.247203, 0.250725, 0.25209, 0.24418, 0, 0.344105, 0.22296, 0.188755, 0.241731, 0, 0.36315, 0.217014, 0.178105, 0.257798, 0, 0.250901,
        0.253927, 0.237375, 0.313394, 0, 0.250792, 0.276757, 0.159057, 0.303924, 0, 0.251584, 0.273509, 0.170982,
      ],
      2e-6,
    );
    expectClose(x.grad!.data(), [-0.058924, 0.002349, 0.010926, 0.015335, 0.037391, 0.133553], 2e-6);
    expectClose(m.biasK!.grad!.data(), [-0.023285, 0.065062], 2e-6);
    expectClose(m.biasV!.grad!.data(), [-0.423606, 0.219625], 2e-6);
  });

  test('needWeights false gives the same output (no fused kernel for the extra keys); the options are booleans', () => {
    const m = new wg.nn.MultiheadAttention(2, 2, { addBiasKv: true, addZeroAttn: true });
    load(m);
    const x = wg.tensor([0.5, -1, 1.5, 0.25, -0.75, 2], { shape: [3, 1, 2] });
    const kpm = wg.tensor([[0, 1, 0]], { dtype: 'int32' });
    const [y, w] = m.forward(x, x, x, { keyPaddingMask: kpm, needWeights: false });
    expect(w).toBeNull();
    expectClose(y.data(), [0.317821, 0.569731, 0.326894, 0.561163, 0.322607, 0.557836], 2e-6);
    expect(new wg.nn.MultiheadAttention(4, 2).biasK).toBeNull();
    expect(() => new wg.nn.MultiheadAttention(4, 2, { addBiasKv: 1 as unknown as boolean })).toThrow(/nn\.MultiheadAttention.*addBiasKv/);
    expect(() => new wg.nn.MultiheadAttention(4, 2, { addZeroAttn: 'yes' as unknown as boolean })).toThrow(wg.ValueError);
  });
});

describe("registerBuffer takes PyTorch's persistent flag", () => {
  class Masked extends wg.nn.Module {
    lin = this.registerModule('lin', new wg.nn.Linear(2, 2));
    mask = this.registerBuffer('mask', wg.ones([2, 2]), false);
    scale = this.registerBuffer('scale', wg.ones([1]));
    forward(x: wg.Tensor): wg.Tensor {
      return this.lin.forward(x).mul(this.scale);
    }
  }

  test('a non-persistent buffer is listed by namedBuffers but not saved nor expected when loading (PyTorch 1.13 keys)', () => {
    const m = new Masked();
    expect(Object.keys(m.stateDict())).toEqual(['scale', 'lin.weight', 'lin.bias']);
    expect(m.namedBuffers().map(([k]) => k)).toEqual(['mask', 'scale']);
    const torchSd = { scale: wg.full([1], 2), 'lin.weight': wg.zeros([2, 2]), 'lin.bias': wg.ones([2]) };
    expect(m.loadStateDict(torchSd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expectClose(m.forward(wg.ones([1, 2])).data(), [2, 2]);
    expect(Object.keys(wg.load(wg.save(m)))).toEqual(['scale', 'lin.weight', 'lin.bias']);
    expect(() => m.loadStateDict({ ...torchSd, mask: wg.ones([2, 2]) })).toThrow(/unexpected key\(s\): 'mask'/);
  });

  test('persistent must be a boolean', () => {
    const m = new wg.nn.Identity();
    expect(() => m.registerBuffer('b', wg.ones([1]), 'no' as unknown as boolean)).toThrow(
      'wasmgrad.nn.Identity.registerBuffer: persistent must be a boolean, got "no"',
    );
  });
});

describe("namedParameters/parameters/namedBuffers/buffers take PyTorch's prefix and recurse", () => {
  test('names after the prefix; recurse false lists the module’s own tensors only (PyTorch 1.13)', () => {
    const bn = new wg.nn.BatchNorm1d(2);
    const m = new wg.nn.Sequential(new wg.nn.Linear(2, 2), bn);
    expect(m.namedParameters('model').map(([k]) => k)).toEqual(['model.0.weight', 'model.0.bias', 'model.1.weight', 'model.1.bias']);
    expect(bn.namedParameters('', false).map(([k]) => k)).toEqual(['weight', 'bias']);
    expect(m.namedParameters('', false)).toEqual([]);
    expect(m.parameters(false)).toEqual([]);
    expect(m.parameters()).toHaveLength(4);
    expect(m.namedBuffers('m').map(([k]) => k)).toEqual(['m.1.running_mean', 'm.1.running_var', 'm.1.num_batches_tracked']);
    expect(bn.namedBuffers('bn', false).map(([k]) => k)).toEqual(['bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    expect(bn.buffers(false)).toHaveLength(3);
    expect(() => m.parameters('no' as unknown as boolean)).toThrow('wasmgrad.nn.Sequential.namedParameters: recurse must be a boolean, got "no"');
    expect(() => m.namedBuffers(3 as unknown as string)).toThrow('wasmgrad.nn.Sequential.namedBuffers: prefix must be a string, got 3');
  });
});
