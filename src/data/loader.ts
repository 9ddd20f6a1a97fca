/**
 * torch.utils.data for map-style datasets: Dataset, TensorDataset, Subset, ConcatDataset,
 * randomSplit, the samplers, DataLoader and defaultCollate, with PyTorch's rules and messages.
 *
 * A dataset is anything with `length` and `getItem(i)` (PyTorch's __len__ and __getitem__), a JS
 * array of samples, or a Tensor (its rows). Loading runs on the calling thread, in order: there are
 * no worker processes, so `numWorkers` is accepted and changes nothing. Shuffles, random samplers
 * and randomSplit draw from wasmgrad's seeded stream (`wg.manualSeed`), or from the `generator` given
 * (a wg.Generator: its own stream, the global one left as it was), with sfc32's numbers, not torch's.
 */
import { checkBool, checkFunction, checkOptions } from '../engine/check.js';
import { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { tensor } from '../api/creation.js';
import { below, multinomial, permutation } from '../api/factories.js';
import { Generator as RandomGenerator, defaultGenerator, withGenerator } from '../api/generator.js';
import { stack } from '../api/shape.js';
import { fmtShape, sameShape } from '../ops/types.js';
import { IterableDataset, streamLength } from './iterable.js';

/** A map-style dataset: PyTorch's Dataset with __getitem__ as getItem and __len__ as length. */
export abstract class Dataset<T = unknown> {
  abstract readonly length: number;
  abstract getItem(index: number): T;
}

/** What the loaders and Subset take: a Dataset-like object, an array of samples, or a Tensor (its rows). */
export type MapDataset<T = unknown> = { readonly length: number; getItem(index: number): T } | readonly T[] | Tensor;

const sizeOf = (ds: MapDataset): number => (ds instanceof Tensor ? ds.shape[0] : ds.length);
/** Sample i: a Tensor's row or an array's element (negative i counts from the end), else the dataset's getItem(i). */
function itemOf<T>(fn: string, ds: MapDataset<T>, i: number): T {
  if (ds instanceof Tensor) return ds.select(0, wrapIndex(fn, i, ds.shape[0])) as T;
  if (Array.isArray(ds)) return (ds as readonly T[])[wrapIndex(fn, i, ds.length)];
  return (ds as Dataset<T>).getItem(i);
}

function checkDataset(fn: string, ds: unknown): asserts ds is MapDataset {
  if (ds instanceof Tensor) {
    if (ds.ndim === 0) throw new ShapeError(fn, 'a 0-d tensor has no rows to be a dataset');
    return;
  }
  const ok =
    Array.isArray(ds) || (ds !== null && typeof ds === 'object' && typeof (ds as Dataset).getItem === 'function' && Number.isInteger((ds as Dataset).length));
  if (!ok) throw new ValueError(fn, `dataset must have an integer length and a getItem(index) method (or be an array or a Tensor), got ${fmtValue(ds)}`);
}

/** torch's `generator` argument: a wg.Generator, or null / undefined for the global stream (null). */
function checkGenerator(fn: string, g: unknown): RandomGenerator | null {
  if (g === undefined || g === null) return null;
  if (!(g instanceof RandomGenerator)) throw new ValueError(fn, `generator must be a wg.Generator or null, got ${fmtValue(g)}`);
  return g;
}

/** An index in [−n, n) as one in [0, n) (Python's negative indexing), else a ValueError. */
function wrapIndex(fn: string, i: unknown, n: number): number {
  if (!Number.isInteger(i) || (i as number) < -n || (i as number) >= n)
    throw new ValueError(fn, `index ${fmtValue(i)} is out of range for a dataset of length ${n}`);
  return (i as number) < 0 ? (i as number) + n : (i as number);
}

/** Rows i of each tensor (PyTorch's TensorDataset): every tensor has the same size of dim 0. */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];
  constructor(...tensors: Tensor[]) {
    super();
    const FN = 'data.TensorDataset';
    if (tensors.length === 0) throw new ValueError(FN, 'needs at least one tensor');
    tensors.forEach((t, k) => {
      if (!(t instanceof Tensor)) throw new ValueError(FN, `tensors[${k}] must be a Tensor, got ${fmtValue(t)}`);
      checkDataset(`${FN} (tensor ${k})`, t);
    });
    if (tensors.some((t) => t.shape[0] !== tensors[0].shape[0]))
      throw new ShapeError(FN, `size mismatch between tensors: dim 0 must be equal, got ${tensors.map((t) => fmtShape(t.shape)).join(', ')}`);
    this.tensors = tensors;
  }
  get length(): number {
    return this.tensors[0].shape[0];
  }
  getItem(index: number): Tensor[] {
    const i = wrapIndex('data.TensorDataset.getItem', index, this.length);
    return this.tensors.map((t) => t.select(0, i));
  }
}

/** The samples of `dataset` at `indices`, in that order (PyTorch's Subset). */
export class Subset<T = unknown> extends Dataset<T> {
  readonly dataset: MapDataset<T>;
  readonly indices: readonly number[];
  constructor(dataset: MapDataset<T>, indices: readonly number[]) {
    super();
    const FN = 'data.Subset';
    checkDataset(FN, dataset);
    if (!Array.isArray(indices)) throw new ValueError(FN, `indices must be an array of integers, got ${fmtValue(indices)}`);
    const n = sizeOf(dataset);
    this.dataset = dataset;
    this.indices = indices.map((i) => wrapIndex(FN, i, n));
  }
  get length(): number {
    return this.indices.length;
  }
  getItem(index: number): T {
    return itemOf('data.Subset.getItem', this.dataset, this.indices[wrapIndex('data.Subset.getItem', index, this.length)]);
  }
}

/** Datasets one after another (PyTorch's ConcatDataset). */
export class ConcatDataset<T = unknown> extends Dataset<T> {
  readonly datasets: readonly MapDataset<T>[];
  /** Running totals of the datasets' lengths (PyTorch's cumulative_sizes). */
  readonly cumulativeSizes: readonly number[];
  constructor(datasets: readonly MapDataset<T>[]) {
    super();
    const FN = 'data.ConcatDataset';
    if (!Array.isArray(datasets) || datasets.length === 0) throw new ValueError(FN, `datasets should not be an empty iterable, got ${fmtValue(datasets)}`);
    datasets.forEach((d, k) => checkDataset(`${FN} (dataset ${k})`, d));
    let total = 0;
    this.cumulativeSizes = datasets.map((d) => (total += sizeOf(d)));
    this.datasets = datasets;
  }
  get length(): number {
    return this.cumulativeSizes.at(-1)!;
  }
  getItem(index: number): T {
    const i = wrapIndex('data.ConcatDataset.getItem', index, this.length);
    const d = this.cumulativeSizes.findIndex((end) => i < end);
    return itemOf('data.ConcatDataset.getItem', this.datasets[d], i - (d === 0 ? 0 : this.cumulativeSizes[d - 1]));
  }
}

/**
 * Splits a dataset into non-overlapping random subsets of the given lengths (PyTorch's
 * random_split). Fractions summing to 1 become ⌊n·f⌋ each, the remainder given one by one to the
 * subsets in turn (torch 1.13's rule). The order is one permutation drawn from `generator` (torch's
 * default: wg.defaultGenerator, the global stream).
 */
export function randomSplit<T>(dataset: MapDataset<T>, lengths: readonly number[], generator: RandomGenerator | null = defaultGenerator): Subset<T>[] {
  const FN = 'data.randomSplit';
  checkDataset(FN, dataset);
  const g = checkGenerator(FN, generator);
  const n = sizeOf(dataset);
  if (!Array.isArray(lengths) || lengths.length === 0 || lengths.some((l) => typeof l !== 'number' || !(l >= 0)))
    throw new ValueError(FN, `lengths must be a non-empty array of non-negative numbers, got ${fmtValue(lengths)}`);
  let sizes = lengths;
  const total = lengths.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) <= 1e-9 && total <= 1 && lengths.some((l) => !Number.isInteger(l))) {
    sizes = lengths.map((f) => Math.floor(n * f));
    const rest = n - sizes.reduce((a, b) => a + b, 0);
    for (let k = 0; k < rest; k++) sizes[k % sizes.length]++;
  }
  if (sizes.some((l) => !Number.isInteger(l)) || sizes.reduce((a, b) => a + b, 0) !== n)
    throw new ValueError(FN, `sum of input lengths ${fmtValue(lengths)} does not equal the length of the input dataset (${n})`);
  const order = Array.from(withGenerator(FN, g, () => permutation(n)));
  let start = 0;
  return sizes.map((l) => new Subset(dataset, order.slice(start, (start += l))));
}

// ---- samplers: iterables of indices (or of batches of indices) ---------------------------------

/**
 * torch's Sampler base class: a subclass defines `[Symbol.iterator]()` over dataset indices (and
 * may define `length`); DataLoader takes any of them as `sampler` (or, yielding index arrays, as
 * `batchSampler`). torch's data_source argument is accepted and ignored, as torch 1.13 does.
 */
export abstract class Sampler<T = number> implements Iterable<T> {
  constructor(dataSource?: unknown) {
    void dataSource;
  }
  abstract [Symbol.iterator](): Iterator<T>;
}

/** 0, 1, …, n−1 (PyTorch's SequentialSampler). */
export class SequentialSampler extends Sampler {
  constructor(readonly dataSource: MapDataset) {
    super();
    checkDataset('data.SequentialSampler', dataSource);
  }
  get length(): number {
    return sizeOf(this.dataSource);
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.length; i++) yield i;
  }
}

export interface RandomSamplerOptions {
  /** Draw with replacement (default false). */
  replacement?: boolean;
  /** How many indices a pass yields (default the dataset's length). */
  numSamples?: number;
  /** The stream the draws come from (default null: the global stream). */
  generator?: RandomGenerator | null;
}

/**
 * Random indices (PyTorch's RandomSampler): a fresh permutation each pass, or with `replacement`
 * `numSamples` uniform draws. Without replacement, numSamples beyond n takes further permutations.
 * Each permutation, and each draw with replacement, is taken from `generator` when it is made, so an
 * unfinished pass leaves the stream after the draws its yielded indices needed.
 */
export class RandomSampler extends Sampler {
  readonly replacement: boolean;
  readonly numSamples: number;
  readonly generator: RandomGenerator | null;
  constructor(
    readonly dataSource: MapDataset,
    options: RandomSamplerOptions = {},
  ) {
    super();
    const FN = 'data.RandomSampler';
    checkDataset(FN, dataSource);
    const o = checkOptions<RandomSamplerOptions>(FN, options, ['replacement', 'numSamples', 'generator']);
    checkBool(FN, 'replacement', o.replacement);
    this.generator = checkGenerator(FN, o.generator);
    this.replacement = o.replacement ?? false;
    this.numSamples = o.numSamples ?? sizeOf(dataSource);
    if (!Number.isInteger(this.numSamples) || this.numSamples <= 0)
      throw new ValueError(FN, `numSamples should be a positive integer value, but got numSamples=${fmtValue(this.numSamples)}`);
  }
  get length(): number {
    return this.numSamples;
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = sizeOf(this.dataSource);
    // the generator's stream is swapped in around each draw, never across a yield
    const draw = <R>(f: () => R) => withGenerator('data.RandomSampler', this.generator, f);
    if (this.replacement) {
      for (let k = 0; k < this.numSamples; k++) yield draw(() => below(n)); // randint(n, [numSamples])'s draws
      return;
    }
    for (let left = this.numSamples; left > 0; left -= n) yield* draw(() => permutation(n)).slice(0, left);
  }
}

/** The given indices in a random order each pass (PyTorch's SubsetRandomSampler), drawn from `generator` (null: the global stream). */
export class SubsetRandomSampler extends Sampler {
  readonly generator: RandomGenerator | null;
  constructor(
    readonly indices: readonly number[],
    generator: RandomGenerator | null = null,
  ) {
    super();
    if (!Array.isArray(indices)) throw new ValueError('data.SubsetRandomSampler', `indices must be an array of integers, got ${fmtValue(indices)}`);
    this.generator = checkGenerator('data.SubsetRandomSampler', generator);
  }
  get length(): number {
    return this.indices.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (const k of withGenerator('data.SubsetRandomSampler', this.generator, () => permutation(this.indices.length))) yield this.indices[k];
  }
}

/**
 * numSamples indices drawn with probabilities proportional to `weights` (PyTorch's
 * WeightedRandomSampler, torch.multinomial), from `generator` (null: the global stream).
 */
export class WeightedRandomSampler extends Sampler {
  readonly weights: Tensor;
  readonly generator: RandomGenerator | null;
  constructor(
    weights: Tensor | readonly number[],
    readonly numSamples: number,
    readonly replacement = true,
    generator: RandomGenerator | null = null,
  ) {
    super();
    const FN = 'data.WeightedRandomSampler';
    this.generator = checkGenerator(FN, generator);
    if (!Number.isInteger(numSamples) || numSamples <= 0)
      throw new ValueError(FN, `numSamples should be a positive integer value, but got numSamples=${fmtValue(numSamples)}`);
    checkBool(FN, 'replacement', replacement);
    const w = weights instanceof Tensor ? weights.float() : tensor(weights as number[]);
    if (w.ndim !== 1) throw new ShapeError(FN, `weights should be a 1-d sequence, got shape ${fmtShape(w.shape)}`);
    this.weights = w;
  }
  get length(): number {
    return this.numSamples;
  }
  *[Symbol.iterator](): Iterator<number> {
    yield* withGenerator('data.WeightedRandomSampler', this.generator, () =>
      multinomial(this.weights, this.numSamples, { replacement: this.replacement }),
    ).data();
  }
}

/** Groups a sampler's indices into batches of batchSize (PyTorch's BatchSampler); the last holds the rest unless dropLast. */
export class BatchSampler extends Sampler<number[]> {
  constructor(
    readonly sampler: Iterable<number>,
    readonly batchSize: number,
    readonly dropLast: boolean,
  ) {
    super();
    const FN = 'data.BatchSampler';
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new ValueError(FN, `batchSize should be a positive integer value, but got batchSize=${fmtValue(batchSize)}`);
    if (typeof dropLast !== 'boolean') throw new ValueError(FN, `dropLast should be a boolean value, but got dropLast=${fmtValue(dropLast)}`);
    if (sampler === null || typeof (sampler as Iterable<number>)[Symbol.iterator] !== 'function')
      throw new ValueError(FN, `sampler must be an iterable of indices, got ${fmtValue(sampler)}`);
  }
  get length(): number {
    const n = (this.sampler as { length?: number }).length;
    if (n === undefined) throw new ValueError('data.BatchSampler', 'its sampler has no length');
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}

// ---- collation -----------------------------------------------------------------------------------

/**
 * PyTorch's default_collate: tensors are stacked into a new dim 0; numbers become a tensor (int32
 * when all are integers, as torch's int64, else float32); booleans float32 0/1 (wasmgrad has no
 * bool); typed arrays a [batch, length] tensor (float32, or int32 from integer arrays); strings stay
 * an array; arrays (tuples) and objects are collated position by position and key by key.
 */
export function defaultCollate(batch: readonly unknown[]): unknown {
  const FN = 'data.defaultCollate';
  if (!Array.isArray(batch) || batch.length === 0) throw new ValueError(FN, `batch must be a non-empty array of samples, got ${fmtValue(batch)}`);
  const elem = batch[0];
  const same = (test: (v: unknown) => boolean, what: string) => {
    const k = batch.findIndex((v) => !test(v));
    if (k >= 0) throw new ValueError(FN, `sample ${k} is ${fmtValue(batch[k])}, sample 0 is ${what}: a batch must hold samples of one kind`);
  };
  if (elem instanceof Tensor) {
    same((v) => v instanceof Tensor, 'a Tensor');
    const bad = (batch as Tensor[]).find((t) => !sameShape(t.shape, elem.shape));
    if (bad !== undefined)
      throw new ShapeError(
        FN,
        `stack expects each tensor to be equal size, but got ${fmtShape(elem.shape)} at entry 0 and ${fmtShape(bad.shape)} at entry ${batch.indexOf(bad)}`,
      );
    return stack(batch as Tensor[]);
  }
  if (typeof elem === 'number' || typeof elem === 'boolean') {
    same((v) => typeof v === typeof elem, `a ${typeof elem}`);
    const ints = typeof elem === 'number' && (batch as number[]).every(Number.isInteger);
    return tensor((batch as (number | boolean)[]).map(Number), { dtype: ints ? 'int32' : 'float32' });
  }
  if (typeof elem === 'string') {
    same((v) => typeof v === 'string', 'a string');
    return [...batch];
  }
  if (ArrayBuffer.isView(elem) && !(elem instanceof DataView)) {
    const rows = batch as ArrayLike<number>[];
    same((v) => ArrayBuffer.isView(v) && (v as unknown as ArrayLike<number>).length === rows[0].length, `a typed array of length ${rows[0].length}`);
    const ints = !(elem instanceof Float32Array || elem instanceof Float64Array);
    return tensor(
      rows.map((r) => Array.from(r)),
      { dtype: ints ? 'int32' : 'float32' },
    );
  }
  if (Array.isArray(elem)) {
    same((v) => Array.isArray(v) && v.length === elem.length, `an array of ${elem.length}`);
    return elem.map((_, k) => defaultCollate((batch as unknown[][]).map((s) => s[k])));
  }
  if (elem !== null && typeof elem === 'object' && Object.getPrototypeOf(elem) === Object.prototype) {
    same((v) => v !== null && typeof v === 'object', 'an object');
    return Object.fromEntries(Object.keys(elem).map((key) => [key, defaultCollate(batch.map((s) => (s as Record<string, unknown>)[key]))]));
  }
  throw new ValueError(FN, `default_collate: batch must contain tensors, numbers, typed arrays, strings, arrays or plain objects; found ${fmtValue(elem)}`);
}

// ---- DataLoader ----------------------------------------------------------------------------------

export interface DataLoaderOptions<T = unknown> {
  /** Samples per batch (default 1); null yields the samples one by one, uncollated. */
  batchSize?: number | null;
  /** A fresh random order each pass (default false). */
  shuffle?: boolean;
  /** Iterable of indices; excludes shuffle. */
  sampler?: Iterable<number>;
  /** Iterable of index batches; excludes batchSize, shuffle, sampler and dropLast. */
  batchSampler?: Iterable<number[]>;
  /** Turns an array of samples into a batch (default defaultCollate). */
  collateFn?: (samples: T[]) => unknown;
  /** Drop a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Accepted for ported code; loading runs on the calling thread. */
  numWorkers?: number;
  /** Accepted for ported code; there is no device to pin for. */
  pinMemory?: boolean;
  /** The stream shuffle draws from (default null: the global stream). torch also draws worker seeds from it; there are no workers here. */
  generator?: RandomGenerator | null;
}

/**
 * Batches of a dataset, one pass per `for…of` (PyTorch's DataLoader). A TensorDataset, a Subset of
 * one, or a Tensor, with the default collate, gathers each batch with one indexSelect per tensor
 * (the values equal stacking the rows).
 */
export class DataLoader<T = unknown, B = unknown> implements Iterable<B> {
  readonly dataset: MapDataset<T> | IterableDataset<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly sampler: Iterable<number>;
  readonly batchSampler: Iterable<number[]> | null;
  readonly collateFn: ((samples: T[]) => unknown) | null;
  readonly generator: RandomGenerator | null;

  constructor(dataset: MapDataset<T> | IterableDataset<T>, options: DataLoaderOptions<T> = {}) {
    const FN = 'data.DataLoader';
    const stream = dataset instanceof IterableDataset;
    if (!stream) checkDataset(FN, dataset);
    const o = checkOptions<DataLoaderOptions<T>>(FN, options, [
      'batchSize',
      'shuffle',
      'sampler',
      'batchSampler',
      'collateFn',
      'dropLast',
      'numWorkers',
      'pinMemory',
      'generator',
    ]);
    const generator = checkGenerator(FN, o.generator);
    for (const k of ['shuffle', 'dropLast', 'pinMemory'] as const) checkBool(FN, k, o[k]);
    if (o.numWorkers !== undefined && (!Number.isInteger(o.numWorkers) || o.numWorkers < 0))
      throw new ValueError(FN, `numWorkers option should be non-negative; use numWorkers=0 to disable multiprocessing, got ${fmtValue(o.numWorkers)}`);
    if (o.collateFn !== undefined) checkFunction(FN, 'collateFn', o.collateFn);
    const batchSize = o.batchSize === undefined ? 1 : o.batchSize;
    if (batchSize !== null && (!Number.isInteger(batchSize) || batchSize <= 0))
      throw new ValueError(FN, `batchSize should be a positive integer value or null, but got batchSize=${fmtValue(batchSize)}`);
    if (stream) {
      // torch: an iterable dataset gives its own order, so no sampling option may be given
      if (o.shuffle) throw new ValueError(FN, 'DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=true');
      for (const [k, torchName] of [
        ['sampler', 'sampler'],
        ['batchSampler', 'batch_sampler'],
      ] as const)
        if (o[k] !== undefined)
          throw new ValueError(FN, `DataLoader with IterableDataset: expected unspecified ${torchName} option, but got ${k}=${fmtValue(o[k])}`);
    }
    if (o.sampler !== undefined && o.shuffle) throw new ValueError(FN, 'sampler option is mutually exclusive with shuffle');
    if (o.batchSampler !== undefined) {
      if (batchSize !== 1 || o.shuffle || o.sampler !== undefined || o.dropLast)
        throw new ValueError(FN, 'batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast');
    } else if (batchSize === null && o.dropLast) {
      throw new ValueError(FN, 'batchSize=null option disables auto-batching and is mutually exclusive with dropLast');
    }
    this.dataset = dataset;
    this.dropLast = o.dropLast ?? false;
    // (an iterable dataset is read in its own order: its loader's samplers are empty, never used)
    const mapped = stream ? [] : dataset;
    this.sampler = o.sampler ?? (o.shuffle ? new RandomSampler(mapped, { generator }) : new SequentialSampler(mapped));
    this.batchSampler = o.batchSampler ?? (batchSize === null || stream ? null : new BatchSampler(this.sampler, batchSize, this.dropLast));
    this.batchSize = o.batchSampler !== undefined ? null : batchSize;
    this.collateFn = o.collateFn ?? null;
    this.generator = generator;
  }

  /** The number of batches in a pass (PyTorch's len(loader)). */
  get length(): number {
    if (this.dataset instanceof IterableDataset) {
      // torch: len(dataset) batched as the loader batches it
      const n = streamLength(this.dataset);
      if (n === undefined) throw new ValueError('data.DataLoader', 'its IterableDataset has no length');
      return this.batchSize === null ? n : this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    }
    const s = (this.batchSampler ?? this.sampler) as { length?: number };
    if (s.length === undefined) throw new ValueError('data.DataLoader', 'its sampler has no length');
    return s.length;
  }

  *[Symbol.iterator](): Iterator<B> {
    const ds = this.dataset;
    if (ds instanceof IterableDataset) {
      yield* this.batchesOf(ds);
      return;
    }
    if (this.batchSampler === null) {
      for (const i of this.sampler) {
        const s = itemOf('data.DataLoader', ds, i);
        yield (this.collateFn ? this.collateFn([s]) : s) as B;
      }
      return;
    }
    const rows = this.collateFn === null ? tensorRows(ds) : null;
    for (const idx of this.batchSampler) {
      if (rows !== null) {
        const at = tensor(rows.map(idx), { dtype: 'int32' });
        const picked = rows.tensors.map((t) => t.indexSelect(0, at));
        yield (this.dataset instanceof Tensor ? picked[0] : picked) as B;
      } else {
        const samples = idx.map((i) => itemOf('data.DataLoader', ds, i));
        yield (this.collateFn ?? defaultCollate)(samples) as B;
      }
    }
  }

  /**
   * An iterable dataset's batches (torch's _IterableDatasetFetcher): batchSize samples taken from
   * one iterator at a time; the last, shorter batch is kept unless dropLast. Without batching each
   * sample is handed on as the map-style path hands it.
   */
  private *batchesOf(ds: IterableDataset<T>): Generator<B> {
    const it = ds[Symbol.iterator]();
    const size = this.batchSize;
    if (size === null) {
      for (let r = it.next(); r.done !== true; r = it.next()) yield (this.collateFn ? this.collateFn([r.value]) : r.value) as B;
      return;
    }
    for (;;) {
      const batch: T[] = [];
      while (batch.length < size) {
        const r = it.next();
        if (r.done === true) break;
        batch.push(r.value);
      }
      if (batch.length === 0 || (batch.length < size && this.dropLast)) return;
      yield (this.collateFn ?? defaultCollate)(batch) as B;
      if (batch.length < size) return;
    }
  }
}

/** The tensors behind a Tensor, a TensorDataset or Subsets of one, and how a batch's indices map to their rows. */
function tensorRows(ds: MapDataset): { tensors: readonly Tensor[]; map: (idx: readonly number[]) => number[] } | null {
  if (ds instanceof Tensor) return { tensors: [ds], map: (idx) => idx.map((i) => wrapIndex('data.DataLoader', i, ds.shape[0])) };
  if (ds instanceof TensorDataset) return { tensors: ds.tensors, map: (idx) => idx.map((i) => wrapIndex('data.DataLoader', i, ds.length)) };
  if (ds instanceof Subset) {
    const inner = tensorRows(ds.dataset);
    return inner && { tensors: inner.tensors, map: (idx) => inner.map(idx.map((i) => ds.indices[wrapIndex('data.DataLoader', i, ds.length)])) };
  }
  return null;
}
