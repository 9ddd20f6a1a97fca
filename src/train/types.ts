/** The public types of the training loop: wg.fit, wg.evaluate, wg.predict. */
import type { Tensor } from '../engine/tensor.js';

/**
 * What fit/evaluate/predict need from a model (duck-typed: a wg.nn Module fits, and so does any
 * object with a `forward`). A plain function `(x) => Tensor` is accepted too.
 * - `forward(x)`: the model's output for a batch (first dim = batch).
 * - `train()` / `eval()` (optional): switch training mode (dropout, batch norm); fit calls
 *   `train()` before each epoch, evaluate and predict call `eval()` and then restore the previous
 *   mode from `training` when the model has that flag.
 * - `parameters()` / `stateDict()` (optional): only used by `earlyStopping.restoreBest`
 *   (stateDict() is preferred because it includes buffers such as BatchNorm running statistics).
 */
export interface Model {
  forward(x: Tensor): Tensor;
  parameters?(): Iterable<Tensor>;
  stateDict?(): Record<string, Tensor>;
  train?(): unknown;
  eval?(): unknown;
  training?: boolean;
}
export type ModelLike = Model | ((x: Tensor) => Tensor);

/** What fit needs from an optimizer (a wg.optim optimizer fits). */
export interface OptimizerLike {
  step(): unknown;
  zeroGrad(): unknown;
}

/** A loss: (prediction, target) → a one-element tensor, e.g. wg.losses.crossEntropy. */
export type LossFn = (pred: Tensor, target: Tensor) => Tensor;

/** Inputs and targets with the same first (sample) dimension. */
export interface Dataset {
  x: Tensor;
  y: Tensor;
}

/**
 * Metric names. 'accuracy': the argmax over the last dim of the prediction compared with int32
 * class ids (targets shaped like the prediction without its last dim) or with the argmax of
 * one-hot / probability targets (targets shaped like the prediction). Ties go to the first index.
 */
export type MetricName = 'accuracy';
export const METRICS: readonly MetricName[] = ['accuracy'];

/** One epoch's record in History.epochs. Epochs are numbered from 1. */
export interface EpochLogs {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's samples (each batch's loss weighted by its size). */
  loss: number;
  /** Training accuracy over the epoch (metrics: ['accuracy']), measured on the batches as they trained. */
  accuracy?: number;
  /** Loss on options.validation after the epoch (eval mode, no gradient). */
  valLoss?: number;
  /** Accuracy on options.validation after the epoch (metrics: ['accuracy']). */
  valAccuracy?: number;
  /** Wall-clock seconds of the whole epoch, validation included. */
  seconds: number;
  /** Training samples per second (the training batches only, validation excluded). */
  samplesPerSecond: number;
}

/** What onBatchEnd receives. Batches are numbered from 1 within each epoch. */
export interface BatchLogs {
  epoch: number;
  /** 1-based batch number within the epoch. */
  batch: number;
  /** Number of batches per epoch. */
  batches: number;
  /** Samples in this batch (the last batch may be smaller). */
  size: number;
  /** This batch's loss. */
  loss: number;
  /** Mean loss of the epoch so far (sample-weighted). */
  meanLoss: number;
  /** Accuracy of the epoch so far (metrics: ['accuracy']). */
  accuracy?: number;
}

/**
 * fit's result: one record per epoch that ran, in order (Keras-like data, one object per epoch):
 *
 *   const h = await wg.fit(model, train, opts);
 *   h.epochs.map((e) => e.valLoss);          // the validation-loss curve
 *   h.epochs.at(-1)!.accuracy;
 */
export interface History {
  epochs: EpochLogs[];
  /** Set when training was stopped (early stopping or a callback's stop()): the last epoch that ran and why; else null. */
  stopped: { epoch: number; reason: string } | null;
  /** With earlyStopping: the epoch with the best monitored value (restored if restoreBest). */
  bestEpoch?: number;
}

/**
 * Passed to every callback. `stop(reason?)` ends training cleanly: called in onBatchEnd, the rest
 * of that epoch is skipped, but its end still runs (validation, history record, onEpochEnd);
 * called in onEpochEnd or onEpochBegin, no further epoch starts. It is the one way to stop.
 */
export interface TrainingControl {
  stop(reason?: string): void;
  readonly stopped: boolean;
  /** Number of epochs requested. */
  readonly epochs: number;
  /** Batches per epoch. */
  readonly batches: number;
}

/** Callbacks may be async (fit awaits them). */
export interface Callbacks {
  onTrainBegin?(ctl: TrainingControl): void | Promise<void>;
  onEpochBegin?(epoch: number, ctl: TrainingControl): void | Promise<void>;
  onBatchEnd?(batch: number, logs: BatchLogs, ctl: TrainingControl): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs, ctl: TrainingControl): void | Promise<void>;
  onTrainEnd?(history: History, ctl: TrainingControl): void | Promise<void>;
}

export type Monitor = 'valLoss' | 'loss' | 'valAccuracy' | 'accuracy';

/**
 * Stop when the monitored value has not improved for `patience` epochs in a row. Losses improve
 * by going down by more than minDelta, accuracies by going up by more than minDelta; a NaN never
 * improves.
 */
export interface EarlyStoppingOptions {
  /** Default 'valLoss' (needs options.validation). */
  monitor?: Monitor;
  /** Epochs without improvement tolerated before stopping (integer ≥ 0). */
  patience: number;
  /** Minimum change that counts as an improvement (≥ 0, default 0). */
  minDelta?: number;
  /**
   * At the end of training (stopped or not), copy back the parameter (and buffer) values of the
   * best epoch. Optimizer state is not restored. Default false.
   */
  restoreBest?: boolean;
}

export interface FitOptions {
  /** (pred, target) → one-element loss tensor. Required. */
  loss: LossFn;
  /** Anything with step() and zeroGrad(). Required. */
  optimizer: OptimizerLike;
  /** Integer ≥ 1. Required. */
  epochs: number;
  /** Integer ≥ 1. Required. The last batch of an epoch holds the remainder (it is not dropped). */
  batchSize: number;
  /** Reshuffle the samples each epoch (default true). */
  shuffle?: boolean;
  /**
   * Seed of the shuffling permutations, drawn from a generator local to this fit call, so the
   * same seed gives the same batches without touching wg.manualSeed's stream. Without a seed, one
   * number is drawn from the global stream (so wg.manualSeed still makes runs reproducible).
   */
  seed?: number;
  /** Evaluated after every epoch (eval mode, no gradient): valLoss and valAccuracy. */
  validation?: Dataset;
  /** Batch size of the validation pass (default 256). */
  validationBatchSize?: number;
  metrics?: MetricName[];
  callbacks?: Callbacks;
  earlyStopping?: EarlyStoppingOptions;
  /**
   * 'auto' (default): a progress bar per epoch when process.stdout is a TTY (Node), nothing
   * otherwise. true: the bar in a TTY, else one summary line per epoch (console in browsers).
   * false: nothing.
   */
  progress?: boolean | 'auto';
  /** One summary line per epoch even when the progress bar is off. */
  verbose?: boolean;
  /**
   * Bounds how long fit blocks its thread: after a batch, when this many milliseconds passed since
   * the last yield, fit awaits a macrotask so rendering, input, timers and messages run. Default 16
   * on a page's main thread (one 60 Hz frame), 50 in Node and Workers. 0 yields after every batch;
   * Infinity only between epochs. The shuffle is gathered per batch, so it is bounded too (the
   * validation pass after each epoch is one block). Results do not depend on this option.
   */
  yieldEveryMs?: number;
}

export interface EvaluateOptions {
  loss?: LossFn;
  /** Default 256. */
  batchSize?: number;
  metrics?: MetricName[];
}

export interface EvaluateResult {
  /** Sample-weighted mean loss (when options.loss was given). */
  loss?: number;
  accuracy?: number;
}

export interface PredictOptions {
  /** Default 256. */
  batchSize?: number;
}
