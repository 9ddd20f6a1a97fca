/**
 * fit's yieldEveryMs: when fit hands the thread back to the event loop, on a fake clock (each
 * batch "takes" 10 ms), counted by a setImmediate ticker; and that yielding changes no result.
 */
import { afterEach, beforeAll, expect, test, vi } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const BATCH_MS = 10;

function problem() {
  wg.manualSeed(7);
  const x = wg.randn([96, 5]);
  const y = wg.tensor(Int32Array.from({ length: 96 }, (_, i) => i % 3));
  const model = new wg.nn.Sequential(new wg.nn.Linear(5, 8), new wg.nn.Tanh(), new wg.nn.Linear(8, 3));
  return { data: { x, y }, model, optimizer: new wg.optim.SGD(model.parameters(), { lr: 0.1 }) };
}

/**
 * Trains 2 epochs of 12 batches on a fake clock advanced BATCH_MS per batch and returns, per epoch,
 * the batches after which fit yielded (the event loop turned between that batch's end and the next).
 */
async function yieldPoints(yieldEveryMs: number | undefined): Promise<number[][]> {
  let clock = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => clock);
  let ticks = 0,
    running = true;
  const tick = () => {
    ticks++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const { data, model, optimizer } = problem();
  const seen: number[][] = [[], []];
  try {
    await wg.fit(model, data, {
      loss: wg.losses.crossEntropy,
      optimizer,
      epochs: 2,
      batchSize: 8,
      seed: 3,
      ...(yieldEveryMs === undefined ? {} : { yieldEveryMs }),
      callbacks: {
        onBatchEnd(_b, logs) {
          clock += BATCH_MS;
          seen[logs.epoch - 1].push(ticks);
        },
      },
    });
  } finally {
    running = false;
  }
  return seen.map((t) => t.slice(1).flatMap((v, i) => (v > t[i] ? [i + 1] : [])));
}

test('yields whenever yieldEveryMs passed since the last yield, the shuffle included', async () => {
  expect(await yieldPoints(25)).toEqual([
    [3, 6, 9],
    [3, 6, 9],
  ]);
  expect(await yieldPoints(0)).toEqual([Array.from({ length: 11 }, (_, i) => i + 1), Array.from({ length: 11 }, (_, i) => i + 1)]);
  expect(await yieldPoints(Infinity)).toEqual([[], []]);
});

test('the default is 50 ms in Node and Workers, 16 ms on a page (window and document)', async () => {
  expect(await yieldPoints(undefined)).toEqual([
    [5, 10],
    [5, 10],
  ]);
  vi.stubGlobal('window', {});
  vi.stubGlobal('document', {});
  expect(await yieldPoints(undefined)).toEqual([
    [2, 4, 6, 8, 10],
    [2, 4, 6, 8, 10],
  ]);
});

test('yielding changes no result: same history and parameters bit for bit', async () => {
  const run = async (yieldEveryMs: number) => {
    const { data, model, optimizer } = problem();
    const h = await wg.fit(model, data, { loss: wg.losses.crossEntropy, optimizer, epochs: 3, batchSize: 10, seed: 5, metrics: ['accuracy'], yieldEveryMs });
    return {
      losses: h.epochs.map((e) => e.loss),
      accuracies: h.epochs.map((e) => e.accuracy),
      params: model.parameters().map((p) => Array.from(p.rawValues())),
    };
  };
  const always = await run(0),
    never = await run(Infinity);
  expect(always.losses).toEqual(never.losses);
  expect(always.accuracies).toEqual(never.accuracies);
  expect(always.params).toEqual(never.params);
  expect(always.losses[2]).toBeLessThan(always.losses[0]);
});

test('a shuffled epoch trains on every sample once, in batches gathered from the seeded order', async () => {
  const x = wg.tensor(
    Float32Array.from({ length: 23 * 2 }, (_, i) => i),
    { shape: [23, 2] },
  );
  const y = wg.tensor(Int32Array.from({ length: 23 }, (_, i) => i % 2));
  const w = wg.zeros([2, 2], { requiresGrad: true });
  const rows: number[][] = [];
  const model = (xb: wg.Tensor) => {
    const v = xb.rawValues();
    rows.push(Array.from({ length: xb.shape[0] }, (_, r) => v[2 * r] / 2));
    return xb.matmul(w);
  };
  const optimizer = new wg.optim.SGD([w], { lr: 0 });
  await wg.fit(model, { x, y }, { loss: wg.losses.crossEntropy, optimizer, epochs: 2, batchSize: 5, seed: 11, yieldEveryMs: 0 });
  expect(rows.map((r) => r.length)).toEqual([5, 5, 5, 5, 3, 5, 5, 5, 5, 3]);
  const epoch1 = rows.slice(0, 5).flat(),
    epoch2 = rows.slice(5).flat();
  const all = Array.from({ length: 23 }, (_, i) => i);
  expect([...epoch1].sort((a, b) => a - b)).toEqual(all);
  expect([...epoch2].sort((a, b) => a - b)).toEqual(all);
  expect(epoch1).not.toEqual(epoch2);
  expect(epoch1).not.toEqual(all);
});

test('options.yieldEveryMs must be a number ≥ 0', async () => {
  const { data, model, optimizer } = problem();
  for (const bad of [-1, Number.NaN, '16'] as unknown as number[]) {
    const p = wg.fit(model, data, { loss: wg.losses.crossEntropy, optimizer, epochs: 1, batchSize: 8, yieldEveryMs: bad });
    await expect(p).rejects.toThrow(wg.ValueError);
    await expect(p).rejects.toThrow(/wasmgrad\.fit: options\.yieldEveryMs must be a number ≥ 0/);
  }
});
