/**
 * wg.losses: the loss functions of the API contract, with PyTorch semantics. Each computes
 * per-element (or per-sample) losses with one fused op of src/ops/loss.ts, then reduces them:
 * reduction 'mean' (default) averages over every element (cross-entropy / nll: over the samples
 * N·d1·…; the mean of nothing is NaN), 'sum' adds them, 'none' returns them unreduced.
 */
import { checkOptions, checkTensor } from '../engine/check.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import * as L from './loss.js';
import { logSoftmax, mean, sum } from './reduce.js';
import { embedding } from './shape.js';
import { fmtShape } from '../ops/types.js';
import { Tensor } from '../engine/tensor.js';

export type Reduction = 'mean' | 'sum' | 'none';

/** Checks a loss's arguments: two live tensors (float32 unless `labels` may be int32), options with known keys. */
function lossArgs<O extends object>(loss: string, args: [string, unknown][], opts: unknown, known: readonly string[]): O {
  const fn = `losses.${loss}`;
  for (const [name, t] of args) {
    checkTensor(fn, name, t);
    if (t.dtype !== 'float32' && !(name === 'labels' && t.dtype === 'int32'))
      throw new DTypeError(fn, `${name} must be a float32 tensor${name === 'labels' ? ' (probabilities) or int32 class ids' : ''}, got ${t}`);
  }
  return checkOptions<O>(fn, opts, known);
}

function reduced(loss: string, reduction: Reduction | undefined, perElement: () => Tensor): Tensor {
  const r = reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new ValueError(`losses.${loss}`, `reduction must be 'mean', 'sum' or 'none', got ${fmtValue(r)}`);
  const l = perElement();
  return r === 'none' ? l : r === 'sum' ? sum(l) : mean(l);
}

/** A per-element loss of (a, b) with only a reduction option. */
const pairLoss =
  (loss: string, names: [string, string], per: (a: Tensor, b: Tensor) => Tensor) =>
  (a: Tensor, b: Tensor, opts: { reduction?: Reduction } = {}): Tensor => {
    const o = lossArgs<{ reduction?: Reduction }>(
      loss,
      [
        [names[0], a],
        [names[1], b],
      ],
      opts,
      ['reduction'],
    );
    return reduced(loss, o.reduction, () => per(a, b));
  };

/** Squared error (pred − target)². */
export const mse = pairLoss('mse', ['pred', 'target'], L.mseLoss);

/** Absolute error |pred − target|; its gradient is sign(pred − target), 0 where they are equal. */
export const l1 = pairLoss('l1', ['pred', 'target'], L.l1Loss);

/** Huber loss (PyTorch HuberLoss): ½e² for |e| < delta, delta·(|e| − ½delta) beyond; delta > 0, default 1. */
export function huber(pred: Tensor, target: Tensor, opts: { delta?: number; reduction?: Reduction } = {}): Tensor {
  const o = lossArgs<{ delta?: number; reduction?: Reduction }>(
    'huber',
    [
      ['pred', pred],
      ['target', target],
    ],
    opts,
    ['delta', 'reduction'],
  );
  return reduced('huber', o.reduction, () => L.huberLoss(pred, target, o.delta ?? 1));
}

export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** Per-class weights [C] (PyTorch `weight`): 'mean' then divides by the weights of the targets. */
  weight?: Tensor;
  /** ε in [0, 1]: the target becomes (1 − ε)·target + ε/C (PyTorch `label_smoothing`). */
  labelSmoothing?: number;
}

/**
 * Softmax cross-entropy of logits [N, C] (or [C], or [N, C, d1, …]) with labels that are either
 * int32 class ids of shape [N] ([] or [N, d1, …]) or float32 probabilities of the logits' shape.
 * Stable at any logit scale (the max is subtracted inside the fused op). With class weights w and
 * smoothing ε, as PyTorch: per sample w_y·(1 − ε)·(−log p_y) + (ε/C)·Σ_c w_c·(−log p_c).
 */
export function crossEntropy(logits: Tensor, labels: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const opts = lossArgs<CrossEntropyOptions>(
    'crossEntropy',
    [
      ['logits', logits],
      ['labels', labels],
    ],
    options,
    ['reduction', 'weight', 'labelSmoothing'],
  );
  const { weight, labelSmoothing: eps = 0 } = opts;
  if (weight === undefined && eps === 0) return reduced('crossEntropy', opts.reduction, () => L.crossEntropyLoss(logits, labels));
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1))
    throw new ValueError('losses.crossEntropy', `labelSmoothing must be a number in [0, 1], got ${fmtValue(eps)}`);
  if (logits.ndim === 0) throw new ShapeError('losses.crossEntropy', 'the input needs a class dim: got a 0-d tensor (use shape [C] for one sample)');
  const classDim = logits.ndim === 1 ? 0 : 1;
  const C = logits.shape[classDim];
  if (weight !== undefined) {
    checkTensor('losses.crossEntropy', 'weight', weight);
    if (weight.dtype !== 'float32') throw new DTypeError('losses.crossEntropy', `weight must be a float32 tensor of shape [${C}], got ${weight}`);
    if (weight.ndim !== 1 || weight.shape[0] !== C)
      throw new ShapeError(
        'losses.crossEntropy',
        `weight must be a float32 tensor of shape [${C}] (one per class of logits ${fmtShape(logits.shape)}), got ${fmtShape(weight.shape)}`,
      );
  }
  // weights laid along the class dim so they broadcast against [N, C, d1, …]
  const wAlong = weight?.reshape(logits.shape.map((d, k) => (k === classDim ? d : 1)));
  const logp = logSoftmax(logits, classDim);
  const weighted = wAlong ? logp.mul(wAlong) : logp;
  if (labels.dtype === 'float32') {
    const target = eps > 0 ? labels.mul(1 - eps).add(eps / C) : labels;
    if (target.ndim !== logits.ndim || target.shape.some((d, k) => d !== logits.shape[k]))
      throw new ShapeError('losses.crossEntropy', `probability targets ${fmtShape(labels.shape)} must have the logits' shape ${fmtShape(logits.shape)}`);
    return reduced('crossEntropy', opts.reduction, () => sum(weighted.mul(target), classDim).neg());
  }
  const nll = L.crossEntropyLoss(logits, labels); // validates the labels: −log p_y per sample
  const wy = weight ? embedding(labels, weight.reshape([C, 1])).reshape(labels.shape) : null;
  let per = wy ? nll.mul(wy) : nll;
  if (eps > 0) per = per.mul(1 - eps).add(sum(weighted, classDim).mul(-eps / C));
  if (opts.reduction === undefined || opts.reduction === 'mean') return wy ? sum(per).div(sum(wy)) : mean(per);
  return reduced('crossEntropy', opts.reduction, () => per);
}

/** Negative log-likelihood −logProbs[label] of log-probabilities [N, C] with int32 class ids [N]. */
export const nll = pairLoss('nll', ['logProbs', 'labels'], L.nllLoss);

/** Binary cross-entropy of probabilities, each log clamped at −100 (PyTorch BCELoss). */
export const bce = pairLoss('bce', ['prob', 'target'], L.bceLoss);

/** Binary cross-entropy of logits, stable for any |x| (PyTorch BCEWithLogitsLoss). */
export const bceWithLogits = pairLoss('bceWithLogits', ['logits', 'target'], L.bceWithLogitsLoss);
