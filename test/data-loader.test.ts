/**
 * wg.data's torch.utils.data names: datasets, randomSplit, samplers, defaultCollate and DataLoader,
 * against torch 1.13's behaviour (the literals below come from the python lines beside them).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const { data } = wg;
const vals = (t: unknown) => Array.from((t as wg.Tensor).data());
/** x [n, 2] with row i = [i, 10i], y [n] int32 = i. */
const rows = (n: number) => ({
  x: wg.tensor(Array.from({ length: n }, (_, i) => [i, 10 * i])),
  y: wg.tensor(
    Array.from({ length: n }, (_, i) => i),
    { dtype: 'int32' },
  ),
});

describe('datasets', () => {
  test('TensorDataset: rows of every tensor, negative indices, a size mismatch is a ShapeError', () => {
    const { x, y } = rows(5);
    const ds = new data.TensorDataset(x, y);
    expect(ds.length).toBe(5);
    const [xi, yi] = ds.getItem(-2);
    expect([vals(xi), yi.item()]).toEqual([[3, 30], 3]);
    expect(() => ds.getItem(5)).toThrow(/data\.TensorDataset\.getItem: index 5 is out of range for a dataset of length 5/);
    expect(() => new data.TensorDataset(x, wg.zeros([4]))).toThrow(
      /data\.TensorDataset: size mismatch between tensors: dim 0 must be equal, got \[5, 2\], \[4\]/,
    );
    expect(() => new data.TensorDataset()).toThrow(/needs at least one tensor/);
    expect(() => new data.TensorDataset(x, [1, 2] as never)).toThrow(/data\.TensorDataset: tensors\[1\] must be a Tensor, got \[1, 2\]/);
    expect(() => [...new data.DataLoader([1, 2], { sampler: [5] })]).toThrow(/data\.DataLoader: index 5 is out of range for a dataset of length 2/);
  });

  test('Subset, ConcatDataset, and a dataset class with length and getItem', () => {
    class Squares extends data.Dataset<number> {
      readonly length = 4;
      getItem(i: number) {
        return i * i;
      }
    }
    const sub = new data.Subset(new Squares(), [3, 1, -1]);
    expect([sub.length, sub.getItem(0), sub.getItem(1), sub.getItem(2)]).toEqual([3, 9, 1, 9]);
    const cat = new data.ConcatDataset<number>([new Squares(), [100, 101], sub]);
    expect(cat.cumulativeSizes).toEqual([4, 6, 9]);
    expect(Array.from({ length: cat.length }, (_, i) => cat.getItem(i))).toEqual([0, 1, 4, 9, 100, 101, 9, 1, 9]);
    expect(cat.getItem(-4)).toBe(101);
    expect(() => new data.Subset(new Squares(), [4])).toThrow(/data\.Subset: index 4 is out of range for a dataset of length 4/);
    expect(() => new data.ConcatDataset([])).toThrow(/datasets should not be an empty iterable/);
    expect(() => new data.DataLoader({ length: 3 } as never)).toThrow(/data\.DataLoader: dataset must have an integer length and a getItem\(index\) method/);
  });

  test("randomSplit: lengths or fractions (torch 1.13's remainder rule), disjoint subsets covering the dataset, seeded", () => {
    const size = (ls: number[], n: number) =>
      data
        .randomSplit(
          Array.from({ length: n }, (_, i) => i),
          ls,
        )
        .map((s) => s.length);
    // [len(s) for s in random_split(range(5), [0.5, 0.5])], (range(10), [.3, .3, .4]), (range(7), [.25] * 4)
    expect(size([0.5, 0.5], 5)).toEqual([3, 2]);
    expect(size([0.3, 0.3, 0.4], 10)).toEqual([3, 3, 4]);
    expect(size([0.25, 0.25, 0.25, 0.25], 7)).toEqual([2, 2, 2, 1]);
    wg.manualSeed(3);
    const [a, b] = data.randomSplit(
      Array.from({ length: 10 }, (_, i) => i),
      [7, 3],
    );
    const seen = [...Array.from({ length: 7 }, (_, i) => a.getItem(i)), ...Array.from({ length: 3 }, (_, i) => b.getItem(i))];
    expect([...seen].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    wg.manualSeed(3);
    expect(
      data.randomSplit(
        Array.from({ length: 10 }, (_, i) => i),
        [7, 3],
      )[0].indices,
    ).toEqual(a.indices);
    // random_split(range(5), [2, 2]) → ValueError: Sum of input lengths does not equal the length of the input dataset!
    expect(() => data.randomSplit([1, 2, 3, 4, 5], [2, 2])).toThrow(
      /data\.randomSplit: sum of input lengths \[2, 2\] does not equal the length of the input dataset \(5\)/,
    );
  });
});

describe('samplers', () => {
  test('sequential, random (a permutation each pass, or draws with replacement), subset-random, weighted, batches', () => {
    const ten = Array.from({ length: 10 }, (_, i) => i);
    expect([...new data.SequentialSampler(ten)]).toEqual(ten);
    wg.manualSeed(1);
    const rs = new data.RandomSampler(ten);
    const [p1, p2] = [[...rs], [...rs]];
    expect([...p1].sort((a, b) => a - b)).toEqual(ten);
    expect(p1).not.toEqual(p2);
    const more = [...new data.RandomSampler(ten, { numSamples: 25 })];
    expect(more.length).toBe(25);
    for (const part of [more.slice(0, 10), more.slice(10, 20)]) expect([...part].sort((a, b) => a - b)).toEqual(ten);
    const drawn = [...new data.RandomSampler(ten, { replacement: true, numSamples: 200 })];
    expect(drawn.length).toBe(200);
    expect(drawn.every((i) => Number.isInteger(i) && i >= 0 && i < 10)).toBe(true);
    expect([...new data.SubsetRandomSampler([5, 7, 9])].sort()).toEqual([5, 7, 9]);
    const w = [...new data.WeightedRandomSampler([0, 1, 0, 3], 50)];
    expect(w.length).toBe(50);
    expect(w.every((i) => i === 1 || i === 3)).toBe(true);
    // list(BatchSampler(SequentialSampler(range(10)), 3, False))
    expect([...new data.BatchSampler(new data.SequentialSampler(ten), 3, false)]).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(new data.BatchSampler(new data.SequentialSampler(ten), 3, true).length).toBe(3);
    expect(() => new data.BatchSampler(ten, 0, false)).toThrow(/batchSize should be a positive integer value, but got batchSize=0/);
    expect(() => new data.RandomSampler(ten, { numSamples: 0 })).toThrow(/numSamples should be a positive integer value, but got numSamples=0/);
  });
});

describe('defaultCollate', () => {
  test("torch's rules: tensors stacked, integers int32, floats float32, strings kept, arrays by position, objects by key", () => {
    const b = data.defaultCollate([
      { x: new Float32Array([1, 2]), y: 3, name: 'a', pair: [wg.tensor([1, 2]), 0.5] },
      { x: new Float32Array([3, 4]), y: 5, name: 'b', pair: [wg.tensor([3, 4]), 1.5] },
    ]) as { x: wg.Tensor; y: wg.Tensor; name: string[]; pair: [wg.Tensor, wg.Tensor] };
    expect([b.x.shape, vals(b.x), b.x.dtype]).toEqual([[2, 2], [1, 2, 3, 4], 'float32']);
    expect([vals(b.y), b.y.dtype]).toEqual([[3, 5], 'int32']);
    expect(b.name).toEqual(['a', 'b']);
    expect([b.pair[0].shape, vals(b.pair[0]), vals(b.pair[1]), b.pair[1].dtype]).toEqual([[2, 2], [1, 2, 3, 4], [0.5, 1.5], 'float32']);
    // DataLoader([{'x': [1.0, 2.0], 'y': 3}, {'x': [3.0, 4.0], 'y': 5}], batch_size=2): a list collates by position
    const listed = data.defaultCollate([{ x: [1, 2] }, { x: [3, 4] }]) as { x: wg.Tensor[] };
    expect(listed.x.map(vals)).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(() => data.defaultCollate([wg.zeros([2]), wg.zeros([3])])).toThrow(
      /data\.defaultCollate: stack expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1/,
    );
    expect(() => data.defaultCollate([1, 'a'])).toThrow(/sample 1 is "a", sample 0 is a number/);
    expect(() => data.defaultCollate([null])).toThrow(/batch must contain tensors, numbers, typed arrays, strings, arrays or plain objects; found null/);
  });
});

describe('DataLoader', () => {
  test('batches in order with the remainder last (dropLast drops it); length as len(loader)', () => {
    const { x, y } = rows(10);
    const dl = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 3 });
    expect(dl.length).toBe(4);
    const got = [...dl] as wg.Tensor[][];
    expect(got.map(([bx, by]) => [bx.shape, vals(by)])).toEqual([
      [
        [3, 2],
        [0, 1, 2],
      ],
      [
        [3, 2],
        [3, 4, 5],
      ],
      [
        [3, 2],
        [6, 7, 8],
      ],
      [[1, 2], [9]],
    ]);
    expect(vals(got[3][0])).toEqual([9, 90]);
    const dropped = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 3, dropLast: true });
    expect([dropped.length, [...dropped].length]).toEqual([3, 3]);
    // a Tensor is a dataset of its rows; batchSize null yields samples one by one
    expect(([...new data.DataLoader(x, { batchSize: 4 })] as wg.Tensor[]).map((t) => t.shape)).toEqual([
      [4, 2],
      [4, 2],
      [2, 2],
    ]);
    expect([...new data.DataLoader([7, 8, 9], { batchSize: null })]).toEqual([7, 8, 9]);
  });

  test('shuffle: each pass a fresh permutation of all rows, reproducible after manualSeed; the gather equals stacking the rows', () => {
    const { x, y } = rows(10);
    const ds = new data.TensorDataset(x, y);
    const pass = (dl: Iterable<unknown>) => ([...dl] as wg.Tensor[][]).flatMap(([, by]) => vals(by));
    wg.manualSeed(5);
    const dl = new data.DataLoader(ds, { batchSize: 4, shuffle: true });
    const [a, b] = [pass(dl), pass(dl)];
    expect([...a].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(a).not.toEqual(b);
    wg.manualSeed(5);
    expect(pass(new data.DataLoader(ds, { batchSize: 4, shuffle: true }))).toEqual(a);
    // the same samples as an array of [x_i, y_i] go through defaultCollate: same batches
    const samples = Array.from({ length: 10 }, (_, i) => ds.getItem(i));
    wg.manualSeed(5);
    const generic = [...new data.DataLoader(samples, { batchSize: 4, shuffle: true })] as wg.Tensor[][];
    wg.manualSeed(5);
    const gathered = [...new data.DataLoader(ds, { batchSize: 4, shuffle: true })] as wg.Tensor[][];
    expect(generic.map((bt) => bt.map(vals))).toEqual(gathered.map((bt) => bt.map(vals)));
    expect(generic.map((bt) => bt.map((t) => t.dtype))).toEqual(gathered.map((bt) => bt.map((t) => t.dtype)));
    // a Subset of a TensorDataset gathers from the tensors through the subset's indices
    const sub = new data.Subset(ds, [9, 0, 4]);
    expect(([...new data.DataLoader(sub, { batchSize: 2 })] as wg.Tensor[][]).map(([, by]) => vals(by))).toEqual([[9, 0], [4]]);
  });

  test('a sampler, a batchSampler and a collateFn are used as given', () => {
    const dl = new data.DataLoader([10, 11, 12, 13], { sampler: [3, 1], batchSize: 2 });
    expect(([...dl] as wg.Tensor[]).map(vals)).toEqual([[13, 11]]);
    const bs = new data.DataLoader([10, 11, 12, 13], { batchSampler: [[0], [2, 3]], collateFn: (s: number[]) => s.join('+') });
    expect([...bs]).toEqual(['10', '12+13']);
    expect(bs.length).toBe(2);
  });

  test("option errors as torch's", () => {
    const ds = [1, 2, 3];
    expect(() => new data.DataLoader(ds, { batchSize: 0 })).toThrow(
      /data\.DataLoader: batchSize should be a positive integer value or null, but got batchSize=0/,
    );
    expect(() => new data.DataLoader(ds, { sampler: [0], shuffle: true })).toThrow(/sampler option is mutually exclusive with shuffle/);
    expect(() => new data.DataLoader(ds, { batchSampler: [[0]], batchSize: 2 })).toThrow(
      /batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast/,
    );
    expect(() => new data.DataLoader(ds, { batchSize: null, dropLast: true })).toThrow(/mutually exclusive with dropLast/);
    expect(() => new data.DataLoader(ds, { numWorkers: -1 })).toThrow(/numWorkers option should be non-negative/);
    expect(() => new data.DataLoader(ds, { batchsize: 2 } as never)).toThrow(/unknown option 'batchsize'/);
    expect([...new data.DataLoader(ds, { numWorkers: 4, pinMemory: true, batchSize: 3 })].length).toBe(1);
  });

  test('a PyTorch-style loop trains on its batches, eager and under wg.compile alike', () => {
    const run = (compiled: boolean) => {
      wg.manualSeed(0);
      const x = wg.randn([40, 3]);
      const y = x.matmul(wg.tensor([[1], [-2], [0.5]])).squeeze(1);
      const model = new wg.nn.Linear(3, 1);
      const opt = new wg.optim.SGD(model.parameters(), { lr: 0.1 });
      const step = (bx: wg.Tensor, by: wg.Tensor) => {
        opt.zeroGrad();
        const loss = wg.losses.mse(model.forward(bx).squeeze(1), by);
        loss.backward();
        opt.step();
        return loss;
      };
      const f = compiled ? wg.compile(step) : step;
      const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 8, shuffle: true, dropLast: true });
      const losses: number[] = [];
      for (let epoch = 0; epoch < 5; epoch++) for (const [bx, by] of loader as Iterable<wg.Tensor[]>) losses.push(f(bx, by).item());
      return losses;
    };
    const eager = run(false);
    expect(eager.length).toBe(25);
    expect(eager.at(-1)!).toBeLessThan(eager[0] / 10);
    expect(run(true)).toEqual(eager);
  });
});

test("wg.utils.data is wg.data (torch.utils.data's path)", () => {
  expect(wg.utils.data.DataLoader).toBe(wg.data.DataLoader);
  expect(wg.utils.data.TensorDataset).toBe(wg.data.TensorDataset);
});
