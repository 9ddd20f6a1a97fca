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
    kind === 'sgd' ? new wg.optim.SGD(params, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })
    : kind === 'adam' ? new wg.optim.Adam(params, { lr: 0.01 })
    : kind === 'adamw' ? new wg.optim.AdamW(params, { lr: 0.01, weightDecay: 0.1 })
    : kind === 'rmsprop' ? new wg.optim.RMSprop(params, { lr: 0.01, momentum: 0.5 })
    : new wg.optim.Adagrad(params, { lr: 0.1 });
  const scheduler = new wg.optim.lr.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
  return { model, optimizer, scheduler };
}

/** Deterministic batches: step k always sees the same data. */
function batch(k: number) {
  const x = wg.tensor(Array.from({ length: 4 * 5 }, (_, i) => Math.sin(1.3 * i + k)), { shape: [4, 5] });
  const y = wg.tensor([k % 3, (k + 1) % 3, (k + 2) % 3, k % 3], { dtype: 'int32' });
  return { x, y };
}

function train(s: ReturnType<typeof setup>, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    const { x, y } = batch(k);
    const loss = wg.losses.crossEntropy(s.model.forward(x), y);
    s.optimizer.zeroGrad();
    loss.backward();
    s.optimizer.step();
    s.scheduler.step();
  }
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
    const sa = a.optimizer.stateDict(), sb = b.optimizer.stateDict();
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
    expect(() => wg.loadCheckpoint(bytes, b)).toThrow(/^wasmgrad\.loadCheckpoint: the checkpoint's model state does not match the model.*\n.*size mismatch for '0.weight'/);
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
    expect(() => wg.loadCheckpoint(modelOnly, { optimizer: s.optimizer })).toThrow('the checkpoint holds no optimizer state (it was saved without an optimizer)');
    expect(() => wg.loadCheckpoint(modelOnly, { scheduler: s.scheduler })).toThrow('the checkpoint holds no LR scheduler state (it was saved without a scheduler)');
    const odd = wg.save({ 'model.0.weight': wg.zeros([7, 5]), extra: wg.zeros([1]) }, { metadata: { 'wasmgrad.checkpoint': '1' } });
    expect(() => wg.loadCheckpoint(odd, { model: s.model })).toThrow("unexpected tensor 'extra' (a checkpoint holds model.* and optimizer.state.<index>.* tensors)");
    const badJson = wg.save({}, { metadata: { 'wasmgrad.checkpoint': '1', 'wasmgrad.optimizer': '{oops' } });
    expect(() => wg.loadCheckpoint(badJson, { optimizer: s.optimizer })).toThrow("wasmgrad.loadCheckpoint: the checkpoint's metadata key 'wasmgrad.optimizer' is not valid JSON (");
    expect(() => wg.saveCheckpoint({ model: s.model, metadata: { 'wasmgrad.x': '1' } })).toThrow("metadata key 'wasmgrad.x' is reserved");
    expect(() => wg.saveCheckpoint({ model: s.model, metadata: { epoch: 3 as unknown as string } })).toThrow("metadata value for 'epoch' must be a string");
    expect(() => wg.saveCheckpoint(null as never)).toThrow('wasmgrad.saveCheckpoint: expected { model, optimizer?, scheduler?, metadata? }, got null');
    expect(() => wg.loadCheckpoint(modelOnly, null as never)).toThrow('wasmgrad.loadCheckpoint: expected { model?, optimizer?, scheduler? } to load into');
    expect(() => wg.loadCheckpoint(new Uint8Array(3), { model: s.model })).toThrow(/^wasmgrad.loadCheckpoint: /);
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
