/**
 * torch's `generator` argument of the data pipeline: DataLoader (shuffle), RandomSampler,
 * SubsetRandomSampler, WeightedRandomSampler (and a BatchSampler over one) and randomSplit draw from
 * the wg.Generator given: the order is reproducible from its seed, does not depend on wg.manualSeed,
 * and leaves the global stream where it was. A generator seeded with s gives the order the global
 * stream gives after wg.manualSeed(s) (the same sfc32 stream).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const { data } = wg;
const seeded = (s: number) => new wg.Generator().manualSeed(s);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * `make(g)` run with generators seeded 5: the same result twice whatever wg.manualSeed says, the
 * global stream untouched, and the result of the global stream after manualSeed(5) with no generator.
 */
function checkGenerator<R>(make: (g: wg.Generator | null) => R): R {
  wg.manualSeed(1);
  const before = wg.getRngState();
  const a = make(seeded(5));
  expect(wg.getRngState()).toEqual(before); // the global stream did not move
  wg.manualSeed(123456);
  const b = make(seeded(5));
  expect(b).toEqual(a);
  wg.manualSeed(5);
  expect(make(null)).toEqual(a);
  expect(make(seeded(6))).not.toEqual(a);
  return a;
}

describe('generator in the samplers', () => {
  const ten = range(10).map((i) => i * 10);

  test('RandomSampler without replacement: a permutation per pass from the generator', () => {
    const order = checkGenerator((generator) => [...new data.RandomSampler(ten, { generator })]);
    expect([...order].sort((p, q) => p - q)).toEqual(range(10));
    // numSamples beyond n: further permutations from the same generator
    const long = checkGenerator((generator) => [...new data.RandomSampler(range(7), { numSamples: 17, generator })]);
    expect(long).toHaveLength(17);
    expect([...long.slice(0, 7)].sort((p, q) => p - q)).toEqual(range(7));
  });

  test('RandomSampler with replacement, and the generator carried on from pass to pass', () => {
    checkGenerator((generator) => [...new data.RandomSampler(range(5), { replacement: true, numSamples: 17, generator })]);
    const g = seeded(9);
    const s = new data.RandomSampler(range(17), { generator: g });
    const [p1, p2] = [[...s], [...s]];
    expect(p2).not.toEqual(p1);
    const h = seeded(9);
    expect([...new data.RandomSampler(range(17), { generator: h })]).toEqual(p1);
    expect(h.getState()).not.toEqual(seeded(9).getState()); // the pass advanced h
    expect(s.generator).toBe(g);
  });

  test('an unfinished pass leaves the stream after the draws it made, the global one untouched between yields', () => {
    const g = seeded(3);
    const it = new data.RandomSampler(range(1), { replacement: true, numSamples: 5, generator: g })[Symbol.iterator]();
    wg.manualSeed(0);
    const global = wg.getRngState();
    it.next();
    expect(wg.getRngState()).toEqual(global);
    expect(g.getState()).not.toEqual(seeded(3).getState());
  });

  test('SubsetRandomSampler and WeightedRandomSampler', () => {
    const order = checkGenerator((g) => [...new data.SubsetRandomSampler([2, 4, 6, 8, 10], g)]);
    expect([...order].sort((p, q) => p - q)).toEqual([10, 2, 4, 6, 8].sort((p, q) => p - q));
    const drawn = checkGenerator((g) => [...new data.WeightedRandomSampler([0.1, 0.9, 0, 0.5], 17, true, g)]);
    expect(drawn.every((i) => [0, 1, 3].includes(i))).toBe(true);
    checkGenerator((g) => [...new data.WeightedRandomSampler(wg.tensor([1, 2, 3, 4, 5]), 3, false, g)]);
  });

  test('a BatchSampler over a seeded RandomSampler', () => {
    const batches = checkGenerator((generator) => [...new data.BatchSampler(new data.RandomSampler(range(7), { generator }), 3, false)]);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
  });

  test('a generator that is not a wg.Generator is a ValueError naming the sampler', () => {
    expect(() => new data.RandomSampler([1, 2], { generator: 42 as never })).toThrow(/data\.RandomSampler: generator must be a wg\.Generator or null, got 42/);
    expect(() => new data.SubsetRandomSampler([1], {} as never)).toThrow(/data\.SubsetRandomSampler: generator must be a wg\.Generator/);
    expect(() => new data.WeightedRandomSampler([1], 1, true, 'g' as never)).toThrow(/data\.WeightedRandomSampler: generator must be/);
    expect(() => new data.DataLoader([1], { shuffle: true, generator: 1 as never })).toThrow(/data\.DataLoader: generator must be/);
    expect(() => data.randomSplit([1, 2], [1, 1], Math.random as never)).toThrow(/data\.randomSplit: generator must be/);
  });
});

describe('generator in DataLoader and randomSplit', () => {
  test('DataLoader shuffle: the batches come in the generator order', () => {
    const x = wg.tensor(range(17).map((i) => [i, -i]));
    const y = wg.tensor(range(17), { dtype: 'int32' });
    const labels = checkGenerator((generator) =>
      [...new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 5, shuffle: true, generator })].map((b) => Array.from((b as wg.Tensor[])[1].data())),
    );
    expect(labels.map((b) => b.length)).toEqual([5, 5, 5, 2]);
    expect(labels.flat().sort((p, q) => p - q)).toEqual(range(17));
    const loader = new data.DataLoader(range(3), { shuffle: true, generator: seeded(1) });
    expect(loader.generator).toBeInstanceOf(wg.Generator);
    expect(new data.DataLoader(range(3)).generator).toBe(null);
  });

  test('DataLoader without shuffle keeps the order and draws nothing from the generator', () => {
    const g = seeded(2);
    const state = g.getState();
    expect([...new data.DataLoader(range(5), { batchSize: 2, generator: g })].map((b) => Array.from((b as wg.Tensor).data()))).toEqual([[0, 1], [2, 3], [4]]);
    expect(g.getState()).toEqual(state);
  });

  test('randomSplit(dataset, lengths, generator): one permutation from the generator; the default is wg.defaultGenerator', () => {
    const parts = checkGenerator((g) => data.randomSplit(range(17), [0.5, 0.3, 0.2], g ?? undefined).map((s) => [...s.indices]));
    expect(parts.map((p) => p.length)).toEqual([9, 5, 3]); // torch 1.13: floor 8, 5, 3 and the remainder to the first
    expect(parts.flat().sort((p, q) => p - q)).toEqual(range(17));
    wg.manualSeed(8);
    const viaDefault = data.randomSplit(range(7), [3, 4], wg.defaultGenerator).map((s) => [...s.indices]);
    wg.manualSeed(8);
    expect(data.randomSplit(range(7), [3, 4]).map((s) => [...s.indices])).toEqual(viaDefault);
    wg.manualSeed(8);
    expect(data.randomSplit(range(7), [3, 4], null).map((s) => [...s.indices])).toEqual(viaDefault);
  });
});
