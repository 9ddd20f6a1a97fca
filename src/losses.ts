/**
 * wg.losses: the loss functions of the API contract, with PyTorch semantics. Each computes
 * per-element (or per-sample) losses with one fused op of src/ops/loss.ts, then reduces them:
 * reduction 'mean' (default) averages over every element (cross-entropy / nll: over the samples
 * N·d1·…; the mean of nothing is NaN), 'sum' adds them, 'none' returns them unreduced.
 */
import * as L from './ops/loss.js';
import { mean, sum } from './ops/reduce.js';
import type { Tensor } from './tensor.js';

export type Reduction = 'mean' | 'sum' | 'none';

function reduced(loss: string, reduction: Reduction | undefined, perElement: () => Tensor): Tensor {
  const r = reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none')
    throw new Error(`wasmgrad.losses.${loss}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(r)}`);
  const l = perElement();
  return r === 'none' ? l : r === 'sum' ? sum(l) : mean(l);
}

/** Squared error (pred − target)². */
export const mse = (pred: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor =>
  reduced('mse', opts.reduction, () => L.mseLoss(pred, target));

/** Absolute error |pred − target|; its gradient is sign(pred − target), 0 where they are equal. */
export const l1 = (pred: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor =>
  reduced('l1', opts.reduction, () => L.l1Loss(pred, target));

/** Huber loss (PyTorch HuberLoss): ½e² for |e| < delta, delta·(|e| − ½delta) beyond; delta > 0, default 1. */
export const huber = (pred: Tensor, target: Tensor, opts: { delta?: number; reduction?: Reduction } = {}): Tensor =>
  reduced('huber', opts.reduction, () => L.huberLoss(pred, target, opts.delta ?? 1));

/**
 * Softmax cross-entropy of logits [N, C] (or [C], or [N, C, d1, …]) with labels that are either
 * int32 class ids of shape [N] ([] or [N, d1, …]) or float32 probabilities of the logits' shape.
 * Stable at any logit scale (the max is subtracted inside the fused op).
 */
export const crossEntropy = (logits: Tensor, labels: Tensor, opts: { reduction?: Reduction } = {}): Tensor =>
  reduced('crossEntropy', opts.reduction, () => L.crossEntropyLoss(logits, labels));

/** Negative log-likelihood −logProbs[label] of log-probabilities [N, C] with int32 class ids [N]. */
export const nll = (logProbs: Tensor, labels: Tensor, opts: { reduction?: Reduction } = {}): Tensor =>
  reduced('nll', opts.reduction, () => L.nllLoss(logProbs, labels));

/** Binary cross-entropy of probabilities, each log clamped at −100 (PyTorch BCELoss). */
export const bce = (prob: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor =>
  reduced('bce', opts.reduction, () => L.bceLoss(prob, target));

/** Binary cross-entropy of logits, stable for any |x| (PyTorch BCEWithLogitsLoss). */
export const bceWithLogits = (logits: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor =>
  reduced('bceWithLogits', opts.reduction, () => L.bceWithLogitsLoss(logits, target));
