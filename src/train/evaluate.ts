/** wg.evaluate and wg.predict: batched passes in eval mode without gradients. */
import { isRecord } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import { ShapeError, fmtValue } from '../errors.js';
import { cat } from '../api/shape.js';
import { fmtShape } from '../ops/types.js';
import { Tensor } from '../engine/tensor.js';
import type { Dataset, EvaluateOptions, EvaluateResult, LossFn, MetricName, Model, ModelLike, PredictOptions } from './types.js';
import { asModel, checkDataset, checkInputs, checkInt, checkKeys, checkMetrics, countCorrect, fail } from './util.js';

/** Runs fn with the model in eval mode, then restores training mode if `model.training` was true. */
export function inEvalMode<T>(model: Model, fn: () => T): T {
  const was = model.training;
  model.eval?.();
  try {
    return fn();
  } finally {
    if (was === true) model.train?.();
  }
}

/** The model's output for a batch, checked to be a Tensor. */
export function forward(fn: string, model: Model, xb: Tensor): Tensor {
  const pred = model.forward(xb);
  if (!(pred instanceof Tensor)) fail(fn, `model.forward must return a Tensor, got ${fmtValue(pred)}`);
  return pred;
}

/** The value of a loss result, checked to be a one-element tensor. */
export function lossValue(fn: string, t: unknown): number {
  if (!(t instanceof Tensor)) fail(fn, `options.loss must return a Tensor, got ${fmtValue(t)}`);
  if (t.size !== 1) fail(fn, `options.loss must return a one-element tensor (use reduction 'mean' or 'sum'), got shape ${fmtShape(t.shape)}`, ShapeError);
  return t.item();
}

/** @internal Batched evaluation with checked arguments (fit's validation pass uses it too). */
export function runEvaluation(
  fn: string,
  model: Model,
  data: Dataset,
  n: number,
  loss: LossFn | undefined,
  batchSize: number,
  metrics: Set<MetricName>,
): EvaluateResult {
  const accuracy = metrics.has('accuracy');
  return inEvalMode(model, () => {
    let lossSum = 0,
      correct = 0,
      total = 0;
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      // Everything a batch makes is recycled when its noGrad scope returns (only numbers leave it).
      const r = noGrad(() => {
        const xb = data.x.slice(0, start, end),
          yb = data.y.slice(0, start, end);
        const pred = forward(fn, model, xb);
        return { l: loss ? lossValue(fn, loss(pred, yb)) : 0, acc: accuracy ? countCorrect(fn, pred, yb) : null };
      });
      lossSum += r.l * (end - start);
      if (r.acc) {
        correct += r.acc.correct;
        total += r.acc.total;
      }
    }
    const out: EvaluateResult = {};
    if (loss) out.loss = lossSum / n;
    if (accuracy) out.accuracy = correct / total;
    return out;
  });
}

/**
 * Loss and metrics of a model on a dataset, in batches, under wg.noGrad with the model in eval
 * mode (its training mode is restored afterwards when it has a `training` flag). The loss is the
 * sample-weighted mean of the batch losses (the dataset mean for a 'mean' reduction loss).
 *
 *   const { loss, accuracy } = wg.evaluate(model, test, { loss: wg.losses.crossEntropy, metrics: ['accuracy'] });
 */
export function evaluate(model: ModelLike, data: Dataset, opts: EvaluateOptions = {}): EvaluateResult {
  const fn = 'evaluate';
  const m = asModel(fn, model);
  if (!isRecord(opts)) fail(fn, `options must be an object, got ${fmtValue(opts)}`);
  checkKeys(fn, 'options.', opts, ['loss', 'batchSize', 'metrics']);
  const n = checkDataset(fn, 'data', data);
  if (opts.loss !== undefined && typeof opts.loss !== 'function')
    fail(fn, `options.loss must be a function (pred, target) => Tensor, got ${fmtValue(opts.loss)}`);
  const batchSize = opts.batchSize === undefined ? 256 : checkInt(fn, 'options.batchSize', opts.batchSize, 1);
  const metrics = checkMetrics(fn, opts.metrics);
  if (opts.loss === undefined && metrics.size === 0) fail(fn, "nothing to compute: pass options.loss and/or options.metrics (e.g. ['accuracy'])");
  return runEvaluation(fn, m, data, n, opts.loss, batchSize, metrics);
}

/**
 * The model's outputs for every row of x, computed in batches under wg.noGrad in eval mode and
 * concatenated along dim 0. The result is persistent (kept): hold it as long as you like.
 */
export function predict(model: ModelLike, x: Tensor, opts: PredictOptions = {}): Tensor {
  const fn = 'predict';
  const m = asModel(fn, model);
  checkInputs(fn, 'x', x);
  if (!isRecord(opts)) fail(fn, `options must be an object, got ${fmtValue(opts)}`);
  checkKeys(fn, 'options.', opts, ['batchSize']);
  const batchSize = opts.batchSize === undefined ? 256 : checkInt(fn, 'options.batchSize', opts.batchSize, 1);
  const n = x.shape[0];
  const out = inEvalMode(m, () =>
    noGrad(() => {
      // Each batch's intermediates die with its own scope; only its output reaches this one.
      const parts: Tensor[] = [];
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        parts.push(noGrad(() => forward(fn, m, x.slice(0, start, end))));
      }
      return parts.length === 1 ? parts[0] : cat(parts, 0);
    }),
  );
  return out.keep();
}
