/**
 * torch.utils.data's iterable-style names: IterableDataset and ChainDataset through DataLoader
 * (batching, dropLast, collate, length), the Sampler base class, getWorkerInfo, defaultConvert.
 * Expected batches from torch 1.13 with the same datasets written in Python.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const { DataLoader, IterableDataset, ChainDataset, Sampler } = wg.utils.data;

/** range(n) as an iterable dataset, without a length (torch's R above). */
class Range extends IterableDataset<number> {
  constructor(readonly n: number) {
    super();
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.n; i++) yield i;
  }
}
/** Range with a length (torch's __len__). */
class SizedRange extends Range {
  get length(): number {
    return this.n;
  }
}

const batches = (loader: Iterable<unknown>) => [...loader].map((b) => (b instanceof wg.Tensor ? b.toArray() : b));

describe.each(['wasm', 'reference'] as const)('%s backend', (backend) => {
  test('DataLoader batches an IterableDataset as torch: a short last batch, dropped with dropLast', () => {
    wg.setBackend(backend);
    // torch: [tensor([0, 1, 2]), tensor([3, 4, 5]), tensor([6])] and without the last with drop_last
    expect(batches(new DataLoader(new Range(7), { batchSize: 3 }))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(batches(new DataLoader(new Range(7), { batchSize: 3, dropLast: true }))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(batches(new DataLoader(new Range(6), { batchSize: 3 }))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    const first = [...new DataLoader(new Range(7), { batchSize: 3 })][0] as wg.Tensor;
    expect(first.dtype).toBe('int32'); // numbers that are integers collate as torch's int64
  });

  test('ChainDataset chains the streams; batches run across the boundary (torch)', () => {
    wg.setBackend(backend);
    // torch: [tensor([0, 1]), tensor([0, 1]), tensor([2])]
    expect(batches(new DataLoader(new ChainDataset([new Range(2), new Range(3)]), { batchSize: 2 }))).toEqual([[0, 1], [0, 1], [2]]);
    expect([...new ChainDataset([new Range(2), new Range(1)])]).toEqual([0, 1, 0]);
  });
});

test('batchSize null yields the samples; collateFn gets each batch (torch: collate_fn=sum gives [1, 5, 4])', () => {
  expect([...new DataLoader(new Range(3), { batchSize: null })]).toEqual([0, 1, 2]);
  const sums = new DataLoader(new Range(5), { batchSize: 2, collateFn: (b: number[]) => b.reduce((a, c) => a + c, 0) });
  expect([...sums]).toEqual([1, 5, 4]);
  // one pass per loop, each from a fresh iterator
  expect([...sums]).toEqual([1, 5, 4]);
});

test('length: the dataset’s length batched (torch: 3, and 2 with dropLast); none is an error, as torch', () => {
  expect(new DataLoader(new SizedRange(7), { batchSize: 3 }).length).toBe(3);
  expect(new DataLoader(new SizedRange(7), { batchSize: 3, dropLast: true }).length).toBe(2);
  expect(new DataLoader(new SizedRange(7), { batchSize: null }).length).toBe(7);
  expect(() => new DataLoader(new Range(7)).length).toThrow(/its IterableDataset has no length/);
  expect(new ChainDataset([new SizedRange(2), new SizedRange(4)]).length).toBe(6);
  expect(() => new ChainDataset([new Range(2)]).length).toThrow(/datasets\[0\] has no length/);
});

test("shuffle, sampler or batchSampler with an IterableDataset: torch's ValueError", () => {
  expect(() => new DataLoader(new Range(3), { shuffle: true })).toThrow(
    'DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=true',
  );
  expect(() => new DataLoader(new Range(3), { sampler: [0, 1] })).toThrow(/expected unspecified sampler option, but got sampler=\[0, 1\]/);
  expect(() => new DataLoader(new Range(3), { batchSampler: [[0]] })).toThrow(/expected unspecified batch_sampler option/);
  expect(new DataLoader(new Range(3), { shuffle: false }).batchSize).toBe(1);
  expect(() => new ChainDataset([[1, 2] as never])).toThrow(/ChainDataset only supports IterableDataset, datasets\[0\]/);
});

test('a user Sampler subclass drives DataLoader; the built-in samplers are Samplers', () => {
  class Reversed extends Sampler {
    constructor(readonly n: number) {
      super();
    }
    *[Symbol.iterator](): Iterator<number> {
      for (let i = this.n - 1; i >= 0; i--) yield i;
    }
    get length(): number {
      return this.n;
    }
  }
  const ds = wg.tensor([10, 20, 30, 40, 50]);
  const loader = new DataLoader(ds, { sampler: new Reversed(5), batchSize: 2 });
  expect(batches(loader)).toEqual([[50, 40], [30, 20], [10]]);
  expect(loader.length).toBe(3);
  expect(new wg.data.SequentialSampler(ds)).toBeInstanceOf(Sampler);
  expect(new wg.data.RandomSampler(ds)).toBeInstanceOf(Sampler);
  expect(new wg.data.BatchSampler(new Reversed(3), 2, false)).toBeInstanceOf(Sampler);
  // as a batch sampler
  class Pairs extends Sampler<number[]> {
    *[Symbol.iterator](): Iterator<number[]> {
      yield [0, 4];
      yield [2];
    }
  }
  expect(batches(new DataLoader(ds, { batchSampler: new Pairs() }))).toEqual([[10, 50], [30]]);
});

test('getWorkerInfo is null (the main thread loads); defaultConvert converts typed arrays only, without stacking (torch)', () => {
  expect(wg.utils.data.getWorkerInfo()).toBeNull();
  const { defaultConvert } = wg.data;
  // torch: default_convert(3) → 3, default_convert([1, 2]) → [1, 2]
  expect(defaultConvert(3)).toBe(3);
  expect(defaultConvert([1, 2])).toEqual([1, 2]);
  const t = defaultConvert(Int32Array.of(1, 2)) as wg.Tensor;
  expect([t.dtype, t.toArray()]).toEqual(['int32', [1, 2]]);
  const o = defaultConvert({ a: Float32Array.of(1.5), b: 'x', c: [Float64Array.of(2.5, 3)] }) as { a: wg.Tensor; b: string; c: wg.Tensor[] };
  expect([o.a.dtype, o.a.toArray(), o.b, o.c[0].toArray()]).toEqual(['float32', [1.5], 'x', [2.5, 3]]);
  const same = wg.ones([2]);
  expect(defaultConvert(same)).toBe(same);
});
