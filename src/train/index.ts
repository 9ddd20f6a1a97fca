/**
 * wg.fit / wg.evaluate / wg.predict: the training loop (minibatches, shuffling, validation,
 * metrics, callbacks, early stopping, progress) over any model with forward(x) and any optimizer
 * with step() and zeroGrad().
 */
export { fit } from './fit.js';
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
