/**
 * Training checkpoints (wg.saveCheckpoint / wg.loadCheckpoint, wg.node.*CheckpointFile): a resumed
 * run continues bit-exactly as the uninterrupted one, on both backends; a bad checkpoint changes
 * nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const dir = mkdtempSync(join(tmpdir(), 'wasmgrad-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Kind = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';

/** A model with parameters and BatchNorm buffers, its optimizer and a scheduler, seeded. */
function setup(kind: Kind, seed: number) {
  wg.manualSeed(seed);
  const model = new wg.nn.Sequential(new wg.nn.Linear(5, 7), new wg.nn.BatchNorm1d(7), new wg.nn.ReLU(), new wg.nn.Linear(7, 3));
  const params = model.parameters();
  const optimizer =
    kind === 'sgd'
      ? new wg.optim.SGD(params, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })
      : kind === 'adam'
        ? new wg.optim.Adam(params, { lr: 0.01 })
        : kind === 'adamw'
          ? new wg.optim.AdamW(params, { lr: 0.01, weightDecay: 0.1 })
          : kind === 'rmsprop'
            ? new wg.optim.RMSprop(params, { lr: 0.01, momentum: 0.5 })
            : new wg.optim.Adagrad(params, { lr: 0.1 });
  const scheduler = new wg.optim.lr.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
  return { model, optimizer, scheduler };
}

/** Deterministic batches: step k always sees the same data. */
function batch(k: number) {
  const x = wg.tensor(
    Array.from({ length: 4 * 5 }, (_, i) => Math.sin(1.3 * i + k)),
    { shape: [4, 5] },
  );
  const y = wg.tensor([k % 3, (k + 1) % 3, (k + 2) % 3, k % 3], { dtype: 'int32' });
  return { x, y };
}

/** Trains on batches from..to−1 (stepping the scheduler when there is one); returns the losses. */
function train(s: { model: wg.nn.Module; optimizer: wg.optim.Optimizer; scheduler?: wg.optim.lr.LRScheduler }, from: number, to: number): number[] {
  const losses: number[] = [];
  for (let k = from; k < to; k++) {
    const { x, y } = batch(k);
    const loss = wg.losses.crossEntropy(s.model.forward(x), y);
    s.optimizer.zeroGrad();
    loss.backward();
    s.optimizer.step();
    s.scheduler?.step();
    losses.push(loss.item());
  }
  return losses;
}

const values = (m: wg.nn.Module) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.data())]));

describe.each(['wasm', 'reference'] as const)('checkpoints (%s backend)', (backend) => {
  beforeAll(() => wg.setBackend(backend));
  afterAll(() => wg.setBackend('wasm'));

  test.each(['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'] as Kind[])('%s: resuming from a checkpoint continues bit-exactly', (kind) => {
    const a = setup(kind, 1);
    train(a, 0, 3);
    const bytes = wg.saveCheckpoint({ model: a.model, optimizer: a.optimizer, scheduler: a.scheduler, metadata: { epoch: '3' } });
    const lrAtSave = a.optimizer.lr;
    // The file holds float32; the reference backend computes in float64, so its uninterrupted run
    // continues from the same float32-rounded state to be comparable bit for bit.
    if (backend === 'reference') wg.loadCheckpoint(bytes, a);
    train(a, 3, 6);

    const b = setup(kind, 99); // other initial weights, fresh optimizer state, scheduler at epoch 0
    const { metadata } = wg.loadCheckpoint(bytes, { model: b.model, optimizer: b.optimizer, scheduler: b.scheduler });
    expect(metadata).toEqual({ epoch: '3' });
    expect(b.scheduler.lastEpoch).toBe(3);
    expect(b.optimizer.lr).toBe(lrAtSave);
    train(b, 3, 6);
    expect(values(b.model)).toEqual(values(a.model));
    expect(b.optimizer.lr).toBe(a.optimizer.lr);
    const sa = a.optimizer.stateDict(),
      sb = b.optimizer.stateDict();
    expect(Object.keys(sb.state)).toEqual(Object.keys(sa.state));
    for (const [i, st] of Object.entries(sa.state))
      for (const [name, t] of Object.entries(st)) expect(Array.from(sb.state[Number(i)][name].data()), `${i}.${name}`).toEqual(Array.from(t.data()));
  });
});

describe('checkpoint file layout', () => {
  test('model.* and optimizer.state.<i>.* tensors, hyperparameters and scheduler as JSON metadata', () => {
    const s = setup('adam', 2);
    train(s, 0, 1);
    const h = wg.readHeader(wg.saveCheckpoint({ model: s.model, optimizer: s.optimizer, scheduler: s.scheduler }));
    const names = h.tensors.map((e) => e.name);
    expect(names.slice(0, 2)).toEqual(['model.0.weight', 'model.0.bias']);
    expect(names).toContain('model.1.running_mean');
    expect(names).toContain('model.1.num_batches_tracked');
    expect(names).toContain('optimizer.state.0.step');
    expect(names).toContain('optimizer.state.5.exp_avg_sq');
    const step = h.tensors.find((e) => e.name === 'optimizer.state.0.step')!;
    expect([step.dtype, step.shape]).toEqual(['F32', []]);
    expect(h.metadata!['wasmgrad.checkpoint']).toBe('1');
    const opt = JSON.parse(h.metadata!['wasmgrad.optimizer']);
    expect(opt.class).toBe('Adam');
    expect(opt.paramGroups).toEqual([{ ...s.optimizer.paramGroups[0], betas: [0.9, 0.999], params: [0, 1, 2, 3, 4, 5] }]);
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.01, eps: 1e-8, weightDecay: 0 });
    expect(JSON.parse(h.metadata!['wasmgrad.scheduler'])).toEqual({ class: 'StepLR', state: { lastEpoch: 1, baseLrs: [0.01] } });
  });

  test('a never-stepped optimizer and a model alone round-trip', () => {
    const a = setup('sgd', 3);
    const b = setup('sgd', 4);
    wg.loadCheckpoint(wg.saveCheckpoint({ model: a.model, optimizer: a.optimizer }), { model: b.model, optimizer: b.optimizer });
    expect(values(b.model)).toEqual(values(a.model));
    expect(b.optimizer.stateDict().state).toEqual({});
    const c = setup('sgd', 5);
    wg.loadCheckpoint(wg.saveCheckpoint({ model: a.model.stateDict() }), { model: c.model });
    expect(values(c.model)).toEqual(values(a.model));
  });

  test('wg.node.saveCheckpointFile / loadCheckpointFile', async () => {
    const a = setup('adam', 6);
    train(a, 0, 2);
    const path = join(dir, 'run.ckpt.safetensors');
    await wg.node.saveCheckpointFile(path, { model: a.model, optimizer: a.optimizer, scheduler: a.scheduler, metadata: { note: 'x' } });
    const b = setup('adam', 7);
    expect(await wg.node.loadCheckpointFile(path, { model: b.model, optimizer: b.optimizer, scheduler: b.scheduler })).toEqual({ metadata: { note: 'x' } });
    train(a, 2, 4);
    train(b, 2, 4);
    expect(values(b.model)).toEqual(values(a.model));
    await expect(wg.node.loadCheckpointFile(join(dir, 'missing'), { model: b.model })).rejects.toThrow(/loadCheckpointFile: cannot read/);
    await expect(wg.node.loadCheckpointFile(join(dir, 'missing'), { model: b.model })).rejects.toMatchObject({ name: 'IOError', code: 'ENOENT' });
  });
});

describe('bad checkpoints change nothing', () => {
  function snapshot(s: ReturnType<typeof setup>) {
    return { model: values(s.model), opt: JSON.stringify(s.optimizer.paramGroups), step: s.optimizer.stateDict(), epoch: s.scheduler.lastEpoch };
  }
  function expectUnchanged(s: ReturnType<typeof setup>, before: ReturnType<typeof snapshot>) {
    expect(values(s.model)).toEqual(before.model);
    expect(JSON.stringify(s.optimizer.paramGroups)).toBe(before.opt);
    expect(Object.keys(s.optimizer.stateDict().state)).toEqual(Object.keys(before.step.state));
    expect(s.scheduler.lastEpoch).toBe(before.epoch);
  }

  test('an optimizer of another class: error, and the model is not loaded either', () => {
    const a = setup('adam', 8);
    train(a, 0, 1);
    const bytes = wg.saveCheckpoint({ model: a.model, optimizer: a.optimizer, scheduler: a.scheduler });
    const b = setup('sgd', 9);
    const before = snapshot(b);
    expect(() => wg.loadCheckpoint(bytes, { model: b.model, optimizer: b.optimizer, scheduler: b.scheduler })).toThrow(
      'wasmgrad.loadCheckpoint: the checkpoint holds Adam state, the optimizer is SGD',
    );
    expect(() => wg.loadCheckpoint(bytes, { model: b.model, optimizer: b.optimizer })).toThrow(wg.StateDictError);
    expectUnchanged(b, before);
  });

  test('a model of another shape: error naming the key, and nothing changes', () => {
    const a = setup('adam', 10);
    train(a, 0, 1);
    const bytes = wg.saveCheckpoint({ model: a.model, optimizer: a.optimizer, scheduler: a.scheduler });
    wg.manualSeed(11);
    const model = new wg.nn.Sequential(new wg.nn.Linear(5, 8), new wg.nn.BatchNorm1d(8), new wg.nn.ReLU(), new wg.nn.Linear(8, 3));
    const optimizer = new wg.optim.Adam(model.parameters(), { lr: 0.5 });
    const scheduler = new wg.optim.lr.StepLR(optimizer, { stepSize: 1 });
    const b = { model, optimizer, scheduler };
    const before = snapshot(b);
    expect(() => wg.loadCheckpoint(bytes, b)).toThrow(
      /^wasmgrad\.loadCheckpoint: the checkpoint's model state does not match the model.*\n.*size mismatch for '0.weight'/,
    );
    expectUnchanged(b, before);
  });

  test('optimizer state of the wrong shape (edited file): error, and the model is not loaded', () => {
    const a = setup('adam', 12);
    train(a, 0, 1);
    const sd = a.optimizer.stateDict();
    sd.state[0].exp_avg = wg.zeros([2, 2]);
    const tensors: Record<string, wg.Tensor> = {};
    for (const [k, t] of Object.entries(a.model.stateDict())) tensors[`model.${k}`] = t;
    for (const [i, st] of Object.entries(sd.state)) for (const [n, t] of Object.entries(st)) tensors[`optimizer.state.${i}.${n}`] = t;
    const h = wg.readHeader(wg.saveCheckpoint({ model: a.model, optimizer: a.optimizer }));
    const bytes = wg.save(tensors, { metadata: { 'wasmgrad.checkpoint': '1', 'wasmgrad.optimizer': h.metadata!['wasmgrad.optimizer'] } });
    const b = setup('adam', 13);
    const before = snapshot(b);
    expect(() => wg.loadCheckpoint(bytes, { model: b.model, optimizer: b.optimizer })).toThrow(
      "wasmgrad.loadCheckpoint: the checkpoint's tensor 'optimizer.state.0.exp_avg' is float32 [2, 2], parameter 0 needs float32 [7, 5]",
    );
    expectUnchanged(b, before);
  });

  test('not a checkpoint, missing parts, unexpected tensors, bad metadata', () => {
    const s = setup('sgd', 14);
    expect(() => wg.loadCheckpoint(wg.save(s.model), { model: s.model })).toThrow(
      "wasmgrad.loadCheckpoint: not a wasmgrad checkpoint (no 'wasmgrad.checkpoint' = '1' in its metadata); a file from wg.save or PyTorch is a plain state dict: use wg.load and model.loadStateDict",
    );
    const modelOnly = wg.saveCheckpoint({ model: s.model });
    expect(() => wg.loadCheckpoint(modelOnly, { optimizer: s.optimizer })).toThrow(
      'the checkpoint holds no optimizer state (it was saved without an optimizer)',
    );
    expect(() => wg.loadCheckpoint(modelOnly, { scheduler: s.scheduler })).toThrow(
      'the checkpoint holds no LR scheduler state (it was saved without a scheduler)',
    );
    const odd = wg.save({ 'model.0.weight': wg.zeros([7, 5]), extra: wg.zeros([1]) }, { metadata: { 'wasmgrad.checkpoint': '1' } });
    expect(() => wg.loadCheckpoint(odd, { model: s.model })).toThrow(
      "unexpected tensor 'extra' (a checkpoint holds model.* and optimizer.state.<index>.* tensors)",
    );
    const badJson = wg.save({}, { metadata: { 'wasmgrad.checkpoint': '1', 'wasmgrad.optimizer': '{oops' } });
    expect(() => wg.loadCheckpoint(badJson, { optimizer: s.optimizer })).toThrow(
      "wasmgrad.loadCheckpoint: the checkpoint's metadata key 'wasmgrad.optimizer' is not valid JSON (",
    );
    expect(() => wg.saveCheckpoint({ model: s.model, metadata: { best: { loss: NaN } } })).toThrow(
      'wasmgrad.saveCheckpoint: metadata.best.loss must be a JSON value (string, finite number, boolean, null, array or plain object), got NaN',
    );
    expect(() => wg.saveCheckpoint({ model: s.model, metadata: { at: [1, new Date(0)] } })).toThrow(/metadata\.at\[1\] must be a JSON value/);
    expect(() => wg.saveCheckpoint(null as never)).toThrow('wasmgrad.saveCheckpoint: expected { model, optimizer?, scheduler?, metadata? }, got null');
    expect(() => wg.loadCheckpoint(modelOnly, null as never)).toThrow('wasmgrad.loadCheckpoint: expected { model?, optimizer?, scheduler? } to load into');
    expect(() => wg.loadCheckpoint(new Uint8Array(3), { model: s.model })).toThrow(/^wasmgrad.loadCheckpoint: /);
    // The classes: the caller's arguments, a part the file lacks, the file itself.
    expect(() => wg.saveCheckpoint(null as never)).toThrow(wg.ValueError);
    expect(() => wg.saveCheckpoint({ model: s.model, metadata: { f: (() => 1) as never } })).toThrow(wg.ValueError);
    expect(() => wg.saveCheckpoint({ model: s.model, metadata: 'epoch 3' as never })).toThrow(
      'wasmgrad.saveCheckpoint: metadata must be an object of JSON values, got "epoch 3"',
    );
    expect(() => wg.saveCheckpoint({ model: s.model, optimizer: {} as never })).toThrow(wg.ValueError);
    expect(() => wg.loadCheckpoint(modelOnly, null as never)).toThrow(wg.ValueError);
    expect(() => wg.loadCheckpoint(modelOnly, { optimizer: s.optimizer })).toThrow(wg.StateDictError);
    expect(() => wg.loadCheckpoint(odd, { model: s.model })).toThrow(wg.FileFormatError);
    expect(() => wg.loadCheckpoint(new Uint8Array(3), { model: s.model })).toThrow(wg.FileFormatError);
    expect(() => wg.loadCheckpoint(wg.save(s.model), { model: s.model })).toThrow(wg.FileFormatError);
  });
});

test('state dict objects: StateDictError for what does not fit or is malformed, ValueError for a bad argument or value', () => {
  const s = setup('adam', 40);
  train(s, 0, 1);
  const sd = s.optimizer.stateDict() as wg.optim.OptimizerStateDict;
  const group = sd.paramGroups[0] as Record<string, unknown>;
  const cases: [() => void, typeof wg.WasmgradError, string][] = [
    [
      () => s.optimizer.loadStateDict(null as never),
      wg.ValueError,
      'wasmgrad.optim.Adam: loadStateDict expects { state: {...}, paramGroups: [...] } as made by stateDict(), got null',
    ],
    [
      () => s.optimizer.loadStateDict({ ...sd, paramGroups: [{ ...group, params: [0] }] } as never),
      wg.StateDictError,
      'wasmgrad.optim.Adam: loadStateDict: paramGroups[0]: the group has 1 parameters, this optimizer has 6',
    ],
    [
      () => s.optimizer.loadStateDict({ ...sd, state: { ...sd.state, 0: { ...sd.state[0], exp_avg: wg.zeros([2]) } } }),
      wg.StateDictError,
      'wasmgrad.optim.Adam: loadStateDict: state[0].exp_avg is float32 [2], parameter 0 needs float32 [7, 5]',
    ],
    [
      () => s.optimizer.loadStateDict({ ...sd, state: { x: sd.state[0] } as never }),
      wg.StateDictError,
      "wasmgrad.optim.Adam: loadStateDict: state: 'x' is not a parameter index",
    ],
    [
      () => s.optimizer.loadStateDict({ ...sd, paramGroups: [{ ...group, lr: NaN }] } as never),
      wg.ValueError,
      'wasmgrad.optim.Adam: lr must be a finite number, got NaN',
    ],
    [
      () => s.scheduler.loadStateDict({ lastEpoch: 1, baseLrs: [] }),
      wg.StateDictError,
      'wasmgrad.optim.lr.StepLR: loadStateDict: baseLrs holds 0 learning rates, the optimizer has 1 parameter groups',
    ],
    [
      () => s.scheduler.loadStateDict({ lastEpoch: 0.5, baseLrs: [0.1] }),
      wg.StateDictError,
      'wasmgrad.optim.lr.StepLR: loadStateDict: lastEpoch must be an integer ≥ 0, got 0.5',
    ],
    [
      () => s.model.loadStateDict(5 as never),
      wg.ValueError,
      'wasmgrad.nn.Sequential.loadStateDict: expected a state dict (an object or Map of name → Tensor), got 5',
    ],
    [
      () => s.model.loadStateDict({}),
      wg.StateDictError,
      'wasmgrad.nn.Sequential.loadStateDict: the state dict does not match the model (nothing was loaded):\n  missing key(s): ',
    ],
  ];
  const before = JSON.stringify([values(s.model), s.optimizer.paramGroups, s.scheduler.lastEpoch]);
  for (const [load, cls, message] of cases) {
    expect(load).toThrow(cls);
    expect(load).toThrow(message);
  }
  expect(JSON.stringify([values(s.model), s.optimizer.paramGroups, s.scheduler.lastEpoch])).toBe(before);
});

describe.each(['wasm', 'reference'] as const)('corrupted checkpoints (%s backend): the error says which key, and nothing changes', (backend) => {
  beforeAll(() => wg.setBackend(backend));
  afterAll(() => wg.setBackend('wasm'));

  type Edit = (tensors: Record<string, wg.Tensor>, meta: Record<string, string>) => void;
  /** An Adam checkpoint after one step, edited: its tensors and metadata as saved, changed by `edit`. */
  function edited(edit: Edit): Uint8Array {
    const a = setup('adam', 30);
    train(a, 0, 1);
    const { stateDict, metadata } = wg.loadWithMetadata(wg.saveCheckpoint({ model: a.model, optimizer: a.optimizer, scheduler: a.scheduler }));
    edit(stateDict, metadata!);
    return wg.save(stateDict, { metadata: metadata! });
  }
  const json = (meta: Record<string, string>, key: string, change: (o: { paramGroups: Record<string, unknown>[]; state: Record<string, unknown> }) => void) => {
    const o = JSON.parse(meta[key]);
    change(o);
    meta[key] = JSON.stringify(o);
  };
  const OPT = "the checkpoint's metadata key 'wasmgrad.optimizer'";

  const fileErrors: [string, Edit, string | RegExp][] = [
    ['optimizer metadata that is not JSON', (_, m) => (m['wasmgrad.optimizer'] = '{"class": "Adam", '), `${OPT} is not valid JSON (`],
    [
      'optimizer metadata without a class',
      (_, m) => (m['wasmgrad.optimizer'] = '{"paramGroups": []}'),
      `${OPT} must hold a JSON object with a "class" name, got {"paramGroups": []}`,
    ],
    [
      'paramGroups not an array',
      (_, m) => json(m, 'wasmgrad.optimizer', (o) => (o.paramGroups = 5 as never)),
      `${OPT} (paramGroups) must be an array of parameter groups, got 5`,
    ],
    [
      'a paramGroups entry of the wrong type',
      (_, m) => json(m, 'wasmgrad.optimizer', (o) => (o.paramGroups = [7 as never])),
      `${OPT} (paramGroups[0]) must be an object of hyperparameters, got 7`,
    ],
    [
      'a hyperparameter of the wrong type',
      (_, m) => json(m, 'wasmgrad.optimizer', (o) => (o.paramGroups[0].lr = '0.01')),
      `${OPT} (paramGroups[0]) is invalid: lr must be a finite number, got "0.01"`,
    ],
    [
      'an invalid hyperparameter',
      (_, m) => json(m, 'wasmgrad.optimizer', (o) => (o.paramGroups[0].betas = [0.9, 1.5])),
      `${OPT} (paramGroups[0]) is invalid: betas[1] must be a finite number in [0, 1), got 1.5`,
    ],
    [
      'an unknown hyperparameter',
      (_, m) => json(m, 'wasmgrad.optimizer', (o) => (o.paramGroups[0].toString = 1 as never)),
      `unknown hyperparameter 'toString' in ${OPT} (paramGroups[0]) (Adam has lr, `,
    ],
    [
      'params of the wrong type',
      (_, m) => json(m, 'wasmgrad.optimizer', (o) => (o.paramGroups[0].params = 'all')),
      `${OPT} (paramGroups[0].params) must be an array of parameter indices, got "all"`,
    ],
    [
      'a missing optimizer.state tensor',
      (t) => delete t['optimizer.state.3.exp_avg_sq'],
      "the checkpoint's optimizer.state.3 has no 'exp_avg_sq' (needed by these hyperparameters)",
    ],
    ['a missing step', (t) => delete t['optimizer.state.0.step'], "the checkpoint's tensor 'optimizer.state.0.step' must be a non-negative integer"],
    [
      'a step that is not an integer',
      (t) => (t['optimizer.state.0.step'] = wg.tensor(1.5)),
      "the checkpoint's tensor 'optimizer.state.0.step' must be a non-negative integer",
    ],
    [
      'an extra optimizer.state tensor',
      (t) => (t['optimizer.state.2.momentum_buffer'] = wg.zeros([7])),
      "unknown state 'momentum_buffer' in the checkpoint's optimizer.state.2 (Adam keeps exp_avg, exp_avg_sq, max_exp_avg_sq)",
    ],
    [
      'state of a parameter the file does not list',
      (t) => (t['optimizer.state.6.step'] = wg.tensor(1)),
      "the checkpoint's optimizer.state.6 holds state for parameter index '6', but there are 6 parameters",
    ],
    [
      'optimizer state of the wrong dtype',
      (t) => (t['optimizer.state.0.exp_avg'] = wg.zeros([7, 5], { dtype: 'int32' })),
      "the checkpoint's tensor 'optimizer.state.0.exp_avg' is int32 [7, 5], parameter 0 needs float32 [7, 5]",
    ],
    [
      'an index written two ways',
      (t) => (t['optimizer.state.01.exp_avg'] = wg.zeros([7, 5])),
      "unexpected tensor 'optimizer.state.01.exp_avg' (a checkpoint holds model.* and optimizer.state.<index>.* tensors)",
    ],
    [
      'optimizer state without its metadata',
      (_, m) => delete m['wasmgrad.optimizer'],
      "the checkpoint has optimizer.state.* tensors but no metadata key 'wasmgrad.optimizer' to say whose state they are",
    ],
    [
      'scheduler metadata that is not JSON',
      (_, m) => (m['wasmgrad.scheduler'] = 'StepLR'),
      "the checkpoint's metadata key 'wasmgrad.scheduler' is not valid JSON (",
    ],
    [
      'a scheduler lastEpoch of the wrong type',
      (_, m) => json(m, 'wasmgrad.scheduler', (o) => ((o.state as Record<string, unknown>).lastEpoch = '1')),
      `the checkpoint's metadata key 'wasmgrad.scheduler' (state.lastEpoch) must be an integer ≥ 0, got "1"`,
    ],
    [
      'scheduler baseLrs that are not numbers',
      (_, m) => json(m, 'wasmgrad.scheduler', (o) => ((o.state as Record<string, unknown>).baseLrs = [null])),
      `the checkpoint's metadata key 'wasmgrad.scheduler' (state.baseLrs) must be an array of finite numbers, got [null]`,
    ],
    ['no checkpoint format key', (_, m) => delete m['wasmgrad.checkpoint'], "not a wasmgrad checkpoint (no 'wasmgrad.checkpoint' = '1' in its metadata)"],
  ];
  const fitErrors: [string, Edit, string | RegExp][] = [
    [
      'a model parameter of another shape',
      (t) => (t['model.3.bias'] = wg.zeros([4])),
      /^wasmgrad\.loadCheckpoint: the checkpoint's model state does not match the model \(nothing was loaded\):\n {2}size mismatch for '3\.bias': the loaded tensor has shape \[4\], the model's is \[3\]$/,
    ],
    [
      'optimizer state of another shape',
      (t) => (t['optimizer.state.1.exp_avg'] = wg.zeros([5])),
      "the checkpoint's tensor 'optimizer.state.1.exp_avg' is float32 [5], parameter 1 needs float32 [7]",
    ],
    [
      'another optimizer class',
      (_, m) => json(m, 'wasmgrad.optimizer', (o) => ((o as unknown as { class: string }).class = 'AdamW')),
      'wasmgrad.loadCheckpoint: the checkpoint holds AdamW state, the optimizer is Adam',
    ],
    [
      'a parameter group of another size',
      (_, m) => json(m, 'wasmgrad.optimizer', (o) => (o.paramGroups[0].params = [0, 1, 2])),
      `${OPT} (paramGroups[0]): the group has 3 parameters, this optimizer has 6`,
    ],
    [
      'two parameter groups',
      (_, m) => json(m, 'wasmgrad.optimizer', (o) => (o.paramGroups = [o.paramGroups[0], o.paramGroups[0]])),
      `${OPT} (paramGroups): expected 1 parameter group, got 2`,
    ],
    [
      'scheduler state for two parameter groups',
      (_, m) => json(m, 'wasmgrad.scheduler', (o) => ((o.state as Record<string, unknown>).baseLrs = [0.1, 0.1])),
      "the checkpoint's metadata key 'wasmgrad.scheduler' (state.baseLrs) holds 2 learning rates, the optimizer has 1 parameter groups",
    ],
    ['no scheduler state', (_, m) => delete m['wasmgrad.scheduler'], 'the checkpoint holds no LR scheduler state (it was saved without a scheduler)'],
  ];

  function expectRejected(bytes: Uint8Array, cls: typeof wg.FileFormatError | typeof wg.StateDictError, message: string | RegExp): void {
    const b = setup('adam', 31);
    train(b, 0, 2);
    const before = { model: values(b.model), opt: b.optimizer.stateDict(), groups: JSON.stringify(b.optimizer.paramGroups), epoch: b.scheduler.lastEpoch };
    let error: unknown;
    try {
      wg.loadCheckpoint(bytes, { model: b.model, optimizer: b.optimizer, scheduler: b.scheduler });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(cls);
    expect((error as wg.WasmgradError).fn).toBe('loadCheckpoint');
    if (typeof message === 'string') expect((error as Error).message).toContain(message);
    else expect((error as Error).message).toMatch(message);
    expect(values(b.model)).toEqual(before.model);
    expect(JSON.stringify(b.optimizer.paramGroups)).toBe(before.groups);
    expect(b.scheduler.lastEpoch).toBe(before.epoch);
    const now = b.optimizer.stateDict();
    expect(Object.keys(now.state)).toEqual(Object.keys(before.opt.state));
    for (const [i, st] of Object.entries(before.opt.state))
      for (const [name, t] of Object.entries(st)) expect(Array.from(now.state[Number(i)][name].data()), `${i}.${name}`).toEqual(Array.from(t.data()));
  }

  test.each(fileErrors)('%s: FileFormatError', (_, edit, message) => expectRejected(edited(edit), wg.FileFormatError, message));
  test.each(fitErrors)('%s: StateDictError', (_, edit, message) => expectRejected(edited(edit), wg.StateDictError, message));

  test('the unedited file loads (the edits above are what breaks it)', () => {
    const b = setup('adam', 31);
    wg.loadCheckpoint(
      edited(() => {}),
      { model: b.model, optimizer: b.optimizer, scheduler: b.scheduler },
    );
    expect(b.optimizer.stateDict().state[0].step.item()).toBe(1);
  });
});

describe.each(['wasm', 'reference'] as const)('saves that cannot tear (%s backend)', (backend) => {
  beforeAll(() => wg.setBackend(backend));
  afterAll(() => wg.setBackend('wasm'));

  /** Steps of every parameter's optimizer state, in index order. */
  const steps = (o: wg.optim.Optimizer) => Object.values(o.stateDict().state).map((st) => st.step.item());

  test('saveCheckpointFile not awaited while Adam keeps training writes the state at the call, bit-exact', async () => {
    const a = setup('adam', 21);
    train(a, 0, 2);
    const atCall = wg.saveCheckpoint({ model: a.model, optimizer: a.optimizer, scheduler: a.scheduler });
    const path = join(dir, `torn-${backend}.ckpt.safetensors`);
    const pending = wg.node.saveCheckpointFile(path, { model: a.model, optimizer: a.optimizer, scheduler: a.scheduler });
    train(a, 2, 5); // synchronously, before the save's first await resumes
    await pending;
    expect(steps(a.optimizer)).toEqual([5, 5, 5, 5, 5, 5]);
    expect(new Uint8Array(readFileSync(path))).toEqual(atCall);

    const b = setup('adam', 22);
    await wg.node.loadCheckpointFile(path, { model: b.model, optimizer: b.optimizer, scheduler: b.scheduler });
    expect(steps(b.optimizer)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(b.scheduler.lastEpoch).toBe(2);
    // The resumed run continues exactly as an uninterrupted one from step 2 (on the reference
    // backend from the same float32-rounded state, as in the resume test above).
    const u = setup('adam', 21);
    train(u, 0, 2);
    if (backend === 'reference') wg.loadCheckpoint(wg.saveCheckpoint({ model: u.model, optimizer: u.optimizer, scheduler: u.scheduler }), u);
    train(u, 2, 5);
    train(b, 2, 5);
    expect(values(b.model)).toEqual(values(u.model));
    expect(steps(b.optimizer)).toEqual(steps(u.optimizer));
  });

  test('saveFile not awaited while the model changes writes the values at the call', async () => {
    const a = setup('sgd', 23);
    const atCall = values(a.model);
    const path = join(dir, `torn-${backend}.safetensors`);
    const pending = wg.node.saveFile(path, a.model);
    train(a, 0, 3);
    await pending;
    const loaded = await wg.node.loadFile(path);
    expect(Object.fromEntries(Object.entries(loaded).map(([k, t]) => [k, Array.from(t.data())]))).toEqual(atCall);
  });
});

describe('the random stream in checkpoints (wg.getRngState / setRngState)', () => {
  test('setRngState(getRngState()) replays the same numbers; bad states are ValueErrors', () => {
    wg.manualSeed(7);
    wg.randn([3]);
    const s = wg.getRngState();
    expect(s).toBeInstanceOf(Uint32Array);
    const a = Array.from(wg.randn([5]).data());
    wg.setRngState(s);
    expect(Array.from(wg.randn([5]).data())).toEqual(a);
    wg.setRngState(Array.from(s));
    expect(Array.from(wg.rand([2]).data())).not.toEqual(a.slice(0, 2));
    for (const bad of [[1, 2, 3], [1, 2, 3, 0.5], [1, 2, 3, 2 ** 32], 'seed', null])
      expect(() => wg.setRngState(bad as never)).toThrow(/wasmgrad\.setRngState: a random state is 4 integers in \[0, 2\^32\)/);
  });

  for (const be of ['wasm', 'reference'] as const) {
    test(`${be}: a run with Dropout resumed from a checkpoint continues bit for bit (rng: false does not)`, () => {
      wg.setBackend(be);
      const make = (seed: number) => {
        wg.manualSeed(seed);
        const model = new wg.nn.Sequential(new wg.nn.Linear(5, 16), new wg.nn.ReLU(), new wg.nn.Dropout(0.5), new wg.nn.Linear(16, 3));
        return { model, optimizer: new wg.optim.Adam(model.parameters(), { lr: 0.01 }) };
      };
      const run = make(1);
      train(run, 0, 3);
      const bytes = wg.saveCheckpoint(run);
      // The file holds float32: on the float64 reference backend the uninterrupted run continues from
      // the same float32-rounded state (as in the resume tests above) to be comparable bit for bit.
      if (be === 'reference') wg.loadCheckpoint(bytes, run);
      const after = train(run, 3, 6);

      const resumed = make(2);
      wg.randn([11]); // draws between the save and the load do not matter: the load restores the stream
      wg.loadCheckpoint(bytes, resumed);
      expect(train(resumed, 3, 6)).toEqual(after);

      const withoutRng = make(3);
      wg.loadCheckpoint(bytes, { ...withoutRng, rng: false });
      expect(train(withoutRng, 3, 6)).not.toEqual(after);
    });
  }

  test('a bad random state in the metadata is a FileFormatError naming the key, and changes nothing', () => {
    wg.setBackend('wasm');
    wg.manualSeed(5);
    const model = new wg.nn.Linear(3, 2);
    const { stateDict, metadata } = wg.loadWithMetadata(wg.saveCheckpoint({ model }));
    const bytes = wg.save(stateDict, { metadata: { ...metadata, 'wasmgrad.rng': '[1, 2]' } });
    const target = new wg.nn.Linear(3, 2);
    const before = wg.getRngState();
    const w = Array.from(target.weight.data());
    const e = (() => {
      try {
        wg.loadCheckpoint(bytes, { model: target });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(wg.FileFormatError);
    expect((e as Error).message).toMatch(/the checkpoint's metadata key 'wasmgrad\.rng' must hold the 4 words of a random state/);
    expect(wg.getRngState()).toEqual(before);
    expect(Array.from(target.weight.data())).toEqual(w);
  });
});

test('checkpoint metadata holds any JSON and comes back as saved; files of earlier versions (string entries) still load', () => {
  wg.setBackend('wasm');
  const model = new wg.nn.Linear(3, 2);
  const metadata = { epoch: 3, best: { loss: 0.25, at: [1, 2] }, note: 'x', done: false, none: null, 'wasmgrad.x': '1' };
  expect(wg.loadCheckpoint(wg.saveCheckpoint({ model, metadata }), { model }).metadata).toEqual(metadata);
  // An earlier version's file: the model under model.*, the caller's entries as top-level strings.
  const renamed = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [`model.${k}`, t]));
  expect(wg.loadCheckpoint(wg.save(renamed, { metadata: { 'wasmgrad.checkpoint': '1', epoch: '3' } }), { model }).metadata).toEqual({ epoch: '3' });
  const bad = wg.save(renamed, { metadata: { 'wasmgrad.checkpoint': '1', 'wasmgrad.metadata': '[1]' } });
  expect(() => wg.loadCheckpoint(bad, { model })).toThrow("the checkpoint's metadata key 'wasmgrad.metadata' must hold a JSON object");
});
