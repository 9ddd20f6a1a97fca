/**
 * torch.utils.data's iterable-style datasets: IterableDataset (samples from `[Symbol.iterator]`, in
 * place of getItem), ChainDataset, and getWorkerInfo. DataLoader (loader.ts) batches them as
 * torch does: batchSize samples taken from the iterator at a time, a short last batch kept unless
 * dropLast.
 */
import { ValueError, fmtValue } from '../errors.js';

/**
 * An iterable-style dataset (torch's IterableDataset): subclasses define `[Symbol.iterator]()`
 * (torch's __iter__), and may define `length` (torch's __len__) for DataLoader's length.
 */
export abstract class IterableDataset<T = unknown> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
}

/** The length of an iterable dataset, or undefined when it defines none. */
export function streamLength(ds: Iterable<unknown>): number | undefined {
  const n = (ds as { length?: unknown }).length;
  return Number.isInteger(n) && (n as number) >= 0 ? (n as number) : undefined;
}

/** The samples of several iterable datasets one after the other (torch's ChainDataset). */
export class ChainDataset<T = unknown> extends IterableDataset<T> {
  readonly datasets: readonly Iterable<T>[];
  constructor(datasets: readonly Iterable<T>[]) {
    super();
    const FN = 'data.ChainDataset';
    if (!Array.isArray(datasets)) throw new ValueError(FN, `datasets must be an array of iterable datasets, got ${fmtValue(datasets)}`);
    datasets.forEach((d: unknown, i) => {
      if (!(d instanceof IterableDataset)) throw new ValueError(FN, `ChainDataset only supports IterableDataset, datasets[${i}] is ${fmtValue(d)}`);
    });
    this.datasets = datasets;
  }
  *[Symbol.iterator](): Iterator<T> {
    for (const d of this.datasets) yield* d;
  }
  /** The sum of the datasets' lengths (torch's __len__); a dataset without one is a ValueError (torch's TypeError). */
  get length(): number {
    return this.datasets.reduce((sum, d, i) => {
      const n = streamLength(d);
      if (n === undefined) throw new ValueError('data.ChainDataset', `datasets[${i}] has no length`);
      return sum + n;
    }, 0);
  }
}

/**
 * torch.utils.data.get_worker_info(): null, as in torch's main process. Loading always runs on the
 * calling thread here (DataLoader's numWorkers changes nothing), so an IterableDataset needs no
 * per-worker split.
 */
export function getWorkerInfo(): null {
  return null;
}
