/**
 * Convergence on problems no linear model solves, on both backends, through the public training
 * API (wg.nn, wg.optim, wg.losses, wg.fit, wg.compile): XOR and two interleaved moons.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});
afterAll(() => wg.setBackend('wasm'));

/** Two moons (as sklearn.datasets.make_moons) with Gaussian noise, labels 0/1, seeded. */
function moons(n: number, noise: number, seed: number) {
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const x: number[] = [],
    y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2,
      t = Math.PI * rand();
    const [px, py] = c === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    x.push(px + noise * gauss(), py + noise * gauss());
    y.push(c);
  }
  return { x: wg.tensor(x, { shape: [n, 2] }), y: wg.tensor(Int32Array.from(y)) };
}

/** Fraction of rows whose arg-max logit is the label. */
function accuracy(model: wg.nn.Module, x: wg.Tensor, y: wg.Tensor): number {
  const logits = wg.noGrad(() => model.forward(x).data());
  const labels = y.data();
  let right = 0;
  for (let i = 0; i < labels.length; i++) if ((logits[2 * i + 1] > logits[2 * i] ? 1 : 0) === labels[i]) right++;
  return right / labels.length;
}

describe.each(['wasm', 'reference'] as const)('convergence on %s', (backend) => {
  beforeAll(() => wg.setBackend(backend));

  test('XOR: a 2-8-2 tanh MLP learns it in a compiled full-batch SGD loop', () => {
    wg.manualSeed(3);
    const model = new wg.nn.Sequential(new wg.nn.Linear(2, 8), new wg.nn.Tanh(), new wg.nn.Linear(8, 2));
    const opt = new wg.optim.SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });
    const x = wg.tensor([0, 0, 0, 1, 1, 0, 1, 1], { shape: [4, 2] });
    const y = wg.tensor([0, 1, 1, 0], { dtype: 'int32' });
    const step = wg.compile((xb: wg.Tensor, yb: wg.Tensor) => {
      const loss = wg.losses.crossEntropy(model.forward(xb), yb);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss;
    });
    const first = step(x, y).item();
    let last = first;
    for (let i = 0; i < 300; i++) last = step(x, y).item();
    expect(first).toBeGreaterThan(0.5); // chance level is ln 2 ≈ 0.69
    expect(last).toBeLessThan(0.02);
    expect(accuracy(model, x, y)).toBe(1);
  });

  test('two moons: wg.fit with Adam reaches ≥ 97% on held-out points', async () => {
    wg.manualSeed(4);
    const train = moons(400, 0.1, 1),
      test = moons(200, 0.1, 2);
    const model = new wg.nn.Sequential(new wg.nn.Linear(2, 32), new wg.nn.ReLU(), new wg.nn.Linear(32, 32), new wg.nn.ReLU(), new wg.nn.Linear(32, 2));
    const linearAcc = accuracy(model, test.x, test.y);
    const h = await wg.fit(model, train, {
      loss: wg.losses.crossEntropy,
      optimizer: new wg.optim.Adam(model.parameters(), { lr: 0.01 }),
      epochs: 40,
      batchSize: 32,
      seed: 5,
      validation: test,
      metrics: ['accuracy'],
      progress: false,
    });
    const last = h.epochs[h.epochs.length - 1];
    expect(last.accuracy).toBeGreaterThanOrEqual(0.97);
    expect(last.valAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(accuracy(model, test.x, test.y)).toBe(last.valAccuracy);
    expect(linearAcc).toBeLessThan(0.9); // the untrained start is far from it
  });
});
