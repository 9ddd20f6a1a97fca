/**
 * wg.fit / wg.evaluate / wg.predict: the training loop (minibatches, shuffling, validation,
 * metrics, callbacks, early stopping, progress) over any model with forward(x) and any optimizer
 * with step() and zeroGrad().
 */
import type { Dataset, FitOptions, History, ModelLike } from './types.js';

/**
 * Trains `model` on `data` with minibatches and returns the History (one record per epoch).
 *
 *   const history = await wg.fit(model, train, {
 *     loss: wg.losses.crossEntropy, optimizer: new wg.optim.Adam(model.parameters(), { lr: 1e-3 }),
 *     epochs: 10, batchSize: 64, seed: 1, validation: test, metrics: ['accuracy'],
 *     earlyStopping: { patience: 3, restoreBest: true },
 *   });
 *
 * - Batches: `batchSize` rows at a time, the last batch holds the remainder; with `shuffle`
 *   (default true) the order changes every epoch, reproducibly with `seed`.
 * - The loss is read once per batch and checked before the optimizer runs: a NaN or ±Infinity
 *   loss throws an Error naming the epoch and batch, with the parameters as after the last good
 *   step (and their gradients cleared).
 * - Callbacks (may be async) get a TrainingControl; `ctl.stop()` ends training (see Callbacks).
 * - `earlyStopping` stops after `patience` epochs without improvement of `monitor`.
 * - The model's training mode is restored at the end when it has a `training` flag.
 * - fit yields to the event loop (a macrotask) whenever `yieldEveryMs` passed since the last
 *   yield (default 16 ms on a page's main thread, 50 ms in Node and Workers), so the page stays
 *   responsive, progress renders and messages arrive; the results do not depend on it.
 */
export async function fit(model: ModelLike, data: Dataset, options: FitOptions): Promise<History> {
  // The loop loads on first use: a bundler puts it (with the progress reporting) in its own chunk,
  // which pages that train with their own loop never fetch.
  const loop = await import('./fit.js');
  return loop.fit(model, data, options);
}
export { evaluate, predict } from './evaluate.js';
export type {
  BatchLogs,
  Callbacks,
  Dataset,
  EarlyStoppingOptions,
  EpochLogs,
  EvaluateOptions,
  EvaluateResult,
  FitOptions,
  History,
  LossFn,
  MetricName,
  Model,
  ModelLike,
  Monitor,
  OptimizerLike,
  PredictOptions,
  TrainingControl,
} from './types.js';
