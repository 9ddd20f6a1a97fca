/**
 * wg.losses: the loss functions of the API contract, with PyTorch semantics. Each computes
 * per-element (or per-sample) losses with one fused op of src/ops/loss.ts, then reduces them:
 * reduction 'mean' (default) averages over every element (cross-entropy / nll: over the samples
 * N·d1·…; the mean of nothing is NaN), 'sum' adds them, 'none' returns them unreduced.
 */
import { checkBool, checkFunction, checkIndices, checkOptions, checkTensor } from '../engine/check.js';
import { apply, internalTo, isGradEnabled } from '../engine/engine.js';
import { op } from '../ops/index.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import * as L from './loss.js';
import { logSoftmax, mean, sum } from './reduce.js';
import { embedding } from './embedding.js';
import { expand } from './layout.js';
import { clamp, minimum, softplus } from './elementwise.js';
import { sink } from '../engine/sink.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { planTake } from '../ops/indexing.js';
import { sameShape } from '../ops/types.js';
import { checkMargin } from '../ops/distance.js';
import { to, where } from './integer.js';
import { fmtShape } from '../ops/types.js';
import { Tensor } from '../engine/tensor.js';
import { arange, tensor } from './creation.js';
import { cumsum } from './sort.js';
import { isinf } from './convenience.js';
import { legacyReduction } from './loss-signatures.js';

export type Reduction = 'mean' | 'sum' | 'none';

/**
 * Checks a loss's arguments: live tensors, float32 except `labels` (int32 class ids too) and the
 * arguments named in `ints` (int32 too, cast by the loss as PyTorch promotes them), options with known keys.
 */
function lossArgs<O extends object>(loss: string, args: [string, unknown][], opts: unknown, known: readonly string[], ints: readonly string[] = []): O {
  const fn = `losses.${loss}`;
  for (const [name, t] of args) {
    checkTensor(fn, name, t);
    if (t.dtype !== 'float32' && !((name === 'labels' || ints.includes(name)) && t.dtype === 'int32'))
      throw new DTypeError(fn, `${name} must be a float32 tensor${name === 'labels' ? ' (probabilities) or int32 class ids' : ''}, got ${fmtValue(t)}`);
  }
  const o = checkOptions<O>(fn, opts, known);
  return known.includes('reduce') ? legacyReduction(fn, o) : o;
}

/** torch's deprecated size_average and reduce, in the losses whose torch signature has them. */
const LEGACY = ['sizeAverage', 'reduce'] as const;

/**
 * pred and target of a regression loss (mse, l1, huber, smoothL1) as PyTorch takes them: an int32
 * target cast to float32, an int32 pred too when the target is float32 (PyTorch's type promotion;
 * huber's kernel, and two integer tensors, have no integer path there: a DTypeError), and shapes
 * that differ broadcast together (PyTorch warns that this is likely a mistake but computes it;
 * shapes that do not broadcast are a ShapeError).
 */
function regressionPair(loss: string, pred: Tensor, target: Tensor): [Tensor, Tensor] {
  if (pred.dtype === 'int32' && (loss === 'huber' || target.dtype === 'int32'))
    throw new DTypeError(
      `losses.${loss}`,
      `pred must be a float32 tensor${loss === 'huber' ? '' : ' (int32 only with a float32 target)'}, got ${fmtValue(pred)}`,
    );
  const p = to(pred, 'float32'),
    t = to(target, 'float32');
  if (sameShape(p.shape, t.shape)) return [p, t];
  const shape = broadcastShapes(`losses.${loss}`, [pred.shape, t.shape]);
  const full = (x: Tensor) => (sameShape(x.shape, shape) ? x : expand(x, shape));
  return [full(p), full(t)];
}

function checkReduction(loss: string, reduction: Reduction | undefined): Reduction {
  const r = reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new ValueError(`losses.${loss}`, `reduction must be 'mean', 'sum' or 'none', got ${fmtValue(r)}`);
  return r;
}

function reduced(loss: string, reduction: Reduction | undefined, perElement: () => Tensor): Tensor {
  const r = checkReduction(loss, reduction);
  const l = perElement();
  // the per-element losses are the reduction's alone: freed with the step, never copied out
  return r === 'none' ? l : internalTo(l, r === 'sum' ? sum(l) : mean(l));
}

/** A per-element regression loss of (pred, target) with only a reduction option (target int32 or broadcasting, see regressionPair). */
const pairLoss =
  (loss: string, per: (a: Tensor, b: Tensor) => Tensor) =>
  (pred: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor => {
    const o = lossArgs<{ reduction?: Reduction }>(
      loss,
      [
        ['pred', pred],
        ['target', target],
      ],
      opts,
      ['reduction', ...LEGACY],
      ['target', 'pred'],
    );
    const [p, t] = regressionPair(loss, pred, target);
    return reduced(loss, o.reduction, () => per(p, t));
  };

/** Squared error (pred − target)². */
export const mse = pairLoss('mse', L.mseLoss);

/** Absolute error |pred − target|; its gradient is sign(pred − target), 0 where they are equal. */
export const l1 = pairLoss('l1', L.l1Loss);

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
    ['target', 'pred'],
  );
  const [p, t] = regressionPair('huber', pred, target);
  return reduced('huber', o.reduction, () => L.huberLoss(p, t, o.delta ?? 1));
}

export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** Per-class weights [C] (PyTorch `weight`): 'mean' then divides by the weights of the targets. */
  weight?: Tensor;
  /** ε ≤ 1: the target becomes (1 − ε)·target + ε/C (PyTorch `label_smoothing`; as PyTorch 1.13, ε < 0 smooths nothing). */
  labelSmoothing?: number;
  /**
   * Samples whose int32 label equals it contribute nothing and 'mean' does not count them
   * (PyTorch `ignore_index`, default −100). Pass it explicitly inside wg.compile when batches may hold it.
   */
  ignoreIndex?: number;
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
    ['reduction', 'weight', 'labelSmoothing', 'ignoreIndex', ...LEGACY],
  );
  const { weight, labelSmoothing = 0, ignoreIndex } = opts;
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing <= 1))
    throw new ValueError('losses.crossEntropy', `labelSmoothing must be a number in [0, 1], got ${fmtValue(labelSmoothing)}`);
  // PyTorch 1.13 checks only label_smoothing ≤ 1 and smooths when it is > 0: a negative one means none
  const eps = Math.max(labelSmoothing, 0);
  // PyTorch: "ignore_index is not supported for floating point target", unless negative (never a class)
  if (labels.dtype === 'float32' && ignoreIndex !== undefined && !(Number.isInteger(ignoreIndex) && ignoreIndex < 0))
    throw new ValueError(
      'losses.crossEntropy',
      `ignoreIndex is not supported with probability targets (float32 labels): leave it out or pass a negative integer, got ${fmtValue(ignoreIndex)}`,
    );
  const ignoring = labels.dtype === 'int32' ? L.ignoredLabels('crossEntropy', logits, labels, ignoreIndex) : null;
  if (weight === undefined && eps === 0 && ignoring === null)
    return reduced('crossEntropy', opts.reduction, () => L.crossEntropyLoss(logits, labels, labels.dtype === 'int32'));
  if (logits.ndim === 0) throw new ShapeError('losses.crossEntropy', 'the input needs a class dim: got a 0-d tensor (use shape [C] for one sample)');
  const classDim = logits.ndim === 1 ? 0 : 1;
  const C = logits.shape[classDim];
  if (weight !== undefined) checkWeight('crossEntropy', weight, C, logits, labels.dtype === 'int32');
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
  const ids = ignoring?.labels ?? labels;
  const per = L.crossEntropyLoss(logits, ids, ignoring !== null); // −log p_y per sample
  if (eps > 0) {
    const wy = weight ? classWeights(weight, ids) : null;
    // The two terms are reduced apart, as PyTorch: with 'mean' over kept weights summing to 0 the
    // label term is 0/0 = NaN, which the sum of both over 0 (±∞ from the smoothing term) would miss.
    const label = classLabelReduce('crossEntropy', opts.reduction, (wy ? per.mul(wy) : per).mul(1 - eps), wy, ignoring);
    return label.add(classLabelReduce('crossEntropy', opts.reduction, sum(weighted, classDim).mul(-eps / C), wy, ignoring));
  }
  return weightedClassLoss('crossEntropy', opts.reduction, per, weight, ids, ignoring);
}

/**
 * PyTorch's kernels have no derivative for some weights (and softMargin's target) and refuse, when
 * grad mode is on, one that requires grad ("not differentiable with respect to argument 'weight'"):
 * so do the losses here.
 */
function checkNoGrad(loss: string, name: string, w: Tensor): void {
  if (w.requiresGrad && isGradEnabled())
    throw new ValueError(`losses.${loss}`, `${name} must not require grad (PyTorch's ${loss} is not differentiable with respect to it): pass ${name}.detach()`);
}

/** A class weight [C]; with class-index labels PyTorch refuses one that requires grad (probability targets differentiate it). */
function checkWeight(loss: string, weight: Tensor, C: number, x: Tensor, classIds = true): void {
  checkTensor(`losses.${loss}`, 'weight', weight);
  if (weight.dtype !== 'float32') throw new DTypeError(`losses.${loss}`, `weight must be a float32 tensor of shape [${C}], got ${fmtValue(weight)}`);
  if (classIds) checkNoGrad(loss, 'weight', weight);
  if (weight.ndim !== 1 || weight.shape[0] !== C)
    throw new ShapeError(
      `losses.${loss}`,
      `weight must be a float32 tensor of shape [${C}] (one per class of input ${fmtShape(x.shape)}), got ${fmtShape(weight.shape)}`,
    );
}

/** w[label] per sample, shaped like the labels. */
const classWeights = (weight: Tensor, ids: Tensor): Tensor => embedding(ids, weight.reshape([weight.shape[0], 1])).reshape(ids.shape);

/** Per-sample losses of a class-label loss times the class weights, reduced (weights and ignored samples as PyTorch). */
function weightedClassLoss(
  loss: string,
  reduction: Reduction | undefined,
  per: Tensor,
  weight: Tensor | undefined,
  ids: Tensor,
  ignoring: L.KeptLabels | null,
): Tensor {
  const wy = weight ? classWeights(weight, ids) : null;
  return classLabelReduce(loss, reduction, wy ? per.mul(wy) : per, wy, ignoring);
}

/**
 * The reduction of a class-label loss: ignored samples are zeroed, and 'mean' divides by the
 * summed weights of the kept samples' classes (their count without weights), as PyTorch: with
 * every sample ignored that is 0/0 = NaN.
 */
function classLabelReduce(loss: string, reduction: Reduction | undefined, per: Tensor, wy: Tensor | null, ignoring: L.KeptLabels | null): Tensor {
  const kept = ignoring?.kept ?? null;
  const perKept = kept ? per.mul(kept) : per;
  const denom = wy && kept ? wy.mul(kept) : (wy ?? kept);
  if (denom === null || (reduction !== undefined && reduction !== 'mean')) return reduced(loss, reduction, () => perKept);
  const total = sum(denom);
  if (kept === null) return sum(perKept).div(total); // kept samples whose weights sum to 0: NaN value and gradients, as PyTorch
  // Every sample ignored: PyTorch's value is 0/0 = NaN but its gradient is 0 (no sample reaches the
  // loss). Dividing by 1 there and adding a constant NaN gives both (0/0 would make the gradient NaN).
  const none = sum(kept).eq(0);
  return sum(perKept)
    .div(where(none, 1, total))
    .add(where(none, NaN, 0));
}

export interface NllOptions {
  reduction?: Reduction;
  /** Per-class weights [C] (PyTorch `weight`): 'mean' then divides by the weights of the targets. */
  weight?: Tensor;
  /** Samples whose label equals it contribute nothing (PyTorch `ignore_index`, default −100). */
  ignoreIndex?: number;
}

/** Negative log-likelihood −logProbs[label] of log-probabilities [N, C] (or [C], [N, C, d1, …]) with int32 class ids. */
export function nll(logProbs: Tensor, labels: Tensor, options: NllOptions = {}): Tensor {
  const opts = lossArgs<NllOptions>(
    'nll',
    [
      ['logProbs', logProbs],
      ['labels', labels],
    ],
    options,
    ['reduction', 'weight', 'ignoreIndex', ...LEGACY],
  );
  const ignoring = L.ignoredLabels('nll', logProbs, labels, opts.ignoreIndex);
  const ids = ignoring?.labels ?? labels;
  if (opts.weight !== undefined) checkWeight('nll', opts.weight, logProbs.shape[logProbs.ndim === 1 ? 0 : 1], logProbs);
  return weightedClassLoss('nll', opts.reduction, L.nllLoss(logProbs, ids, ignoring !== null), opts.weight, ids, ignoring);
}

export interface BceOptions {
  reduction?: Reduction;
  /** Per-element weights broadcast against the losses (PyTorch `weight`, e.g. one per class along the last dim). */
  weight?: Tensor;
}

/**
 * A float32 weight of a binary cross-entropy option that broadcasts to the input's shape `x`; as
 * PyTorch, bce and bceWithLogits refuse one that requires grad, multiLabelSoftMargin differentiates it.
 */
function checkBceWeight(loss: string, name: string, w: unknown, x: Tensor): Tensor | null {
  if (w === undefined) return null;
  const fn = `losses.${loss}`;
  checkTensor(fn, name, w);
  if (w.dtype !== 'float32') throw new DTypeError(fn, `${name} must be a float32 tensor, got ${fmtValue(w)}`);
  if (loss !== 'multiLabelSoftMargin') checkNoGrad(loss, name, w);
  if (!sameShape(broadcastShapes(fn, [x.shape, w.shape]), x.shape))
    throw new ShapeError(fn, `${name} ${fmtShape(w.shape)} must broadcast to the input's shape ${fmtShape(x.shape)}`);
  return w;
}

/**
 * PyTorch raises for probabilities outside [0, 1] (and NaN): so does bce, in eager mode, naming the
 * first one (logits passed here by mistake). Inside wg.compile the values are not read.
 */
function checkProbabilities(prob: Tensor): void {
  if (sink.mode !== 'off') return;
  const v = prob.rawValues();
  for (let i = 0; i < v.length; i++)
    if (!(v[i] >= 0 && v[i] <= 1))
      throw new ValueError(
        'losses.bce',
        `prob must hold probabilities in [0, 1] (for logits use bceWithLogits), got ${fmtValue(v[i])} at flat index ${i} of ${fmtShape(prob.shape)}`,
      );
}

/** Binary cross-entropy of probabilities, each log clamped at −100 (PyTorch BCELoss); probabilities outside [0, 1] are a ValueError. */
export function bce(prob: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  const o = lossArgs<BceOptions>(
    'bce',
    [
      ['prob', prob],
      ['target', target],
    ],
    opts,
    ['reduction', 'weight', ...LEGACY],
  );
  const weight = checkBceWeight('bce', 'weight', o.weight, prob);
  checkProbabilities(prob);
  // 'mean' averages the weighted losses over every element, as PyTorch
  return reduced('bce', o.reduction, () => (weight ? L.bceLoss(prob, target).mul(weight) : L.bceLoss(prob, target)));
}

export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of the positive term, broadcast against the target (PyTorch `pos_weight`, one per class along the last dim). */
  posWeight?: Tensor;
}

/**
 * Binary cross-entropy of logits, stable for any |x| (PyTorch BCEWithLogitsLoss). With posWeight p:
 * −[p·t·log σ(x) + (1 − t)·log(1 − σ(x))], i.e. the plain loss plus (p − 1)·t·softplus(−x), whose
 * softplus stays exact at large |x|.
 */
export function bceWithLogits(logits: Tensor, target: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  const o = lossArgs<BceWithLogitsOptions>(
    'bceWithLogits',
    [
      ['logits', logits],
      ['target', target],
    ],
    opts,
    ['reduction', 'weight', 'posWeight', ...LEGACY],
  );
  const weight = checkBceWeight('bceWithLogits', 'weight', o.weight, logits),
    pos = checkBceWeight('bceWithLogits', 'posWeight', o.posWeight, logits);
  return reduced('bceWithLogits', o.reduction, () => {
    const plain = L.bceWithLogitsLoss(logits, target);
    const per = pos ? plain.add(pos.sub(1).mul(target).mul(softplus(logits.neg()))) : plain;
    return weight ? per.mul(weight) : per;
  });
}

/** Smooth L1 (PyTorch SmoothL1Loss): ½e²/β for |e| < β, |e| − ½β beyond; β ≥ 0, default 1 (β = 0 is L1). */
export function smoothL1(pred: Tensor, target: Tensor, opts: { beta?: number; reduction?: Reduction } = {}): Tensor {
  const o = lossArgs<{ beta?: number; reduction?: Reduction }>(
    'smoothL1',
    [
      ['pred', pred],
      ['target', target],
    ],
    opts,
    ['beta', 'reduction', ...LEGACY],
    ['target', 'pred'],
  );
  const [p, t] = regressionPair('smoothL1', pred, target);
  return reduced('smoothL1', o.reduction, () => apply(op('smoothL1Loss'), [p, t], { beta: o.beta }));
}

export interface KlDivOptions {
  /** 'mean' (PyTorch's default) averages over every element; 'batchmean' divides the sum by the batch size, the true KL. */
  reduction?: Reduction | 'batchmean';
  /** The target is given as log-probabilities. */
  logTarget?: boolean;
}
/** KL divergence of log-probabilities `input` against `target` probabilities (PyTorch KLDivLoss): Σ t·(log t − x). */
export function klDiv(input: Tensor, target: Tensor, options: KlDivOptions = {}): Tensor {
  const o = lossArgs<KlDivOptions>(
    'klDiv',
    [
      ['input', input],
      ['target', target],
    ],
    options,
    ['reduction', 'logTarget', ...LEGACY],
  );
  checkBool('losses.klDiv', 'logTarget', o.logTarget);
  if (o.reduction !== undefined && !['mean', 'sum', 'none', 'batchmean'].includes(o.reduction))
    throw new ValueError('losses.klDiv', `reduction must be 'mean', 'batchmean', 'sum' or 'none', got ${fmtValue(o.reduction)}`);
  if (o.reduction !== 'batchmean') return reduced('klDiv', o.reduction, () => apply(op('klDivLoss'), [input, target], { logTarget: o.logTarget }));
  const per = apply(op('klDivLoss'), [input, target], { logTarget: o.logTarget });
  return sum(per).div(input.ndim === 0 ? 1 : input.shape[0]);
}

/** max(0, −y·(x1 − x2) + margin) with y = ±1 (PyTorch MarginRankingLoss, margin 0), broadcasting among the same number of dims; y may be int32. */
export function marginRanking(x1: Tensor, x2: Tensor, y: Tensor, opts: { margin?: number; reduction?: Reduction } = {}): Tensor {
  const o = lossArgs<{ margin?: number; reduction?: Reduction }>(
    'marginRanking',
    [
      ['x1', x1],
      ['x2', x2],
      ['y', y],
    ],
    opts,
    ['margin', 'reduction', ...LEGACY],
    ['y', 'x1', 'x2'],
  );
  // PyTorch broadcasts the three only when they have the same number of dims
  if (x1.ndim !== x2.ndim || x1.ndim !== y.ndim)
    throw new ShapeError(
      'losses.marginRanking',
      `x1, x2 and y must have the same number of dims (they broadcast), got ${fmtShape(x1.shape)}, ${fmtShape(x2.shape)} and ${fmtShape(y.shape)}`,
    );
  return reduced('marginRanking', o.reduction, () =>
    apply(op('marginRankingLoss'), [to(x1, 'float32'), to(x2, 'float32'), to(y, 'float32')], { margin: o.margin }),
  );
}

/** x where y = 1, max(0, margin − x) where y = −1 (PyTorch HingeEmbeddingLoss, margin 1), broadcasting; y may be int32. */
export function hingeEmbedding(x: Tensor, y: Tensor, opts: { margin?: number; reduction?: Reduction } = {}): Tensor {
  const o = lossArgs<{ margin?: number; reduction?: Reduction }>(
    'hingeEmbedding',
    [
      ['input', x],
      ['target', y],
    ],
    opts,
    ['margin', 'reduction', ...LEGACY],
    ['target'],
  );
  return reduced('hingeEmbedding', o.reduction, () => apply(op('hingeEmbeddingLoss'), [x, to(y, 'float32')], { margin: o.margin }));
}

// ---- the losses of src/ops/loss-extra.ts -------------------------------------------------------------

export interface CosineEmbeddingOptions {
  margin?: number;
  reduction?: Reduction;
}
/**
 * 1 − cos(x1, x2) where y = 1 and max(0, cos − margin) where y = −1 (PyTorch CosineEmbeddingLoss,
 * margin 0): x1, x2 [N, D] with y [N] (int32 or float32 ±1), or [D] with a 0-d y.
 */
export function cosineEmbedding(x1: Tensor, x2: Tensor, y: Tensor, options: CosineEmbeddingOptions = {}): Tensor {
  const o = lossArgs<CosineEmbeddingOptions>(
    'cosineEmbedding',
    [
      ['x1', x1],
      ['x2', x2],
      ['y', y],
    ],
    options,
    ['margin', 'reduction', ...LEGACY],
    ['y', 'x1', 'x2'],
  );
  return reduced('cosineEmbedding', o.reduction, () =>
    apply(op('cosineEmbeddingLoss'), [to(x1, 'float32'), to(x2, 'float32'), to(y, 'float32')], { margin: o.margin }),
  );
}

export interface TripletMarginOptions {
  margin?: number;
  /** The norm of the distance (PyTorch `p`, default 2). */
  p?: number;
  eps?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (the harder negative). */
  swap?: boolean;
  reduction?: Reduction;
}
/**
 * max(0, margin + d(anchor, positive) − d(anchor, negative)) with d = pairwiseDistance (PyTorch
 * TripletMarginLoss: margin 1, p 2, eps 1e-6): inputs [N, D] (or [D]) with the same number of dims.
 */
export function tripletMargin(anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginOptions = {}): Tensor {
  const o = lossArgs<TripletMarginOptions>(
    'tripletMargin',
    [
      ['anchor', anchor],
      ['positive', positive],
      ['negative', negative],
    ],
    options,
    ['margin', 'p', 'eps', 'swap', 'reduction', ...LEGACY],
    ['anchor', 'positive', 'negative'],
  );
  checkBool('losses.tripletMargin', 'swap', o.swap);
  if (o.p !== undefined && (typeof o.p !== 'number' || !(o.p >= 0)))
    throw new ValueError('losses.tripletMargin', `p must be a number ≥ 0 or Infinity, got ${fmtValue(o.p)}`);
  const { margin, p, eps, swap } = o;
  return reduced('tripletMargin', o.reduction, () =>
    apply(
      op('tripletMarginLoss'),
      [anchor, positive, negative].map((t) => to(t, 'float32')),
      { margin, p, eps, swap },
    ),
  );
}

export interface TripletMarginWithDistanceOptions {
  /** (x1, x2) => distances; default wg.pairwiseDistance (p 2, eps 1e-6). */
  distanceFunction?: (x1: Tensor, x2: Tensor) => Tensor;
  margin?: number;
  swap?: boolean;
  reduction?: Reduction;
}
/**
 * tripletMargin with any distance (PyTorch TripletMarginWithDistanceLoss, margin 1): max(0, margin +
 * d(a, p) − d(a, n)), d(a, n) replaced by min(d(a, n), d(p, n)) with swap. The distance's results
 * broadcast; without a distanceFunction it is tripletMargin's pairwise distance.
 */
export function tripletMarginWithDistance(anchor: Tensor, positive: Tensor, negative: Tensor, options: TripletMarginWithDistanceOptions = {}): Tensor {
  const fn = 'losses.tripletMarginWithDistance';
  const o = lossArgs<TripletMarginWithDistanceOptions>(
    'tripletMarginWithDistance',
    [
      ['anchor', anchor],
      ['positive', positive],
      ['negative', negative],
    ],
    options,
    ['distanceFunction', 'margin', 'swap', 'reduction'],
    ['anchor', 'positive', 'negative'],
  );
  const { distanceFunction: d, margin = 1, swap = false } = o;
  checkBool(fn, 'swap', swap);
  checkMargin(fn, margin);
  if (d === undefined) return tripletMargin(anchor, positive, negative, { margin, swap, reduction: checkReduction('tripletMarginWithDistance', o.reduction) });
  checkFunction(fn, 'distanceFunction', d);
  const dist = (x1: Tensor, x2: Tensor): Tensor => {
    const r = d(x1, x2);
    if (!(r instanceof Tensor) || r.dtype !== 'float32') throw new ValueError(fn, `distanceFunction must return a float32 Tensor, got ${fmtValue(r)}`);
    return r;
  };
  return reduced('tripletMarginWithDistance', o.reduction, () => {
    const dn = swap ? minimum(dist(anchor, negative), dist(positive, negative)) : dist(anchor, negative);
    return clamp(dist(anchor, positive).add(margin).sub(dn), 0);
  });
}

/** log(1 + e^(−y·x)) (PyTorch SoftMarginLoss; y ±1, int32 or float32, broadcasting), stable where PyTorch's overflows to ∞. */
export function softMargin(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const o = lossArgs<{ reduction?: Reduction }>(
    'softMargin',
    [
      ['input', input],
      ['target', target],
    ],
    options,
    ['reduction', ...LEGACY],
    ['target'],
  );
  checkNoGrad('softMargin', 'target', target);
  return reduced('softMargin', o.reduction, () => apply(op('softMarginLoss'), [input, to(target, 'float32')]));
}

export interface PoissonNllOptions {
  /** input is log λ (default true): loss eˣ − t·x; false: λ − t·log(λ + eps). */
  logInput?: boolean;
  /** Add Stirling's approximation of log(t!) where t > 1. */
  full?: boolean;
  eps?: number;
  reduction?: Reduction;
}
/** Poisson negative log-likelihood (PyTorch PoissonNLLLoss: logInput true, full false, eps 1e-8), broadcasting; target may be int32 counts. */
export function poissonNll(input: Tensor, target: Tensor, options: PoissonNllOptions = {}): Tensor {
  const fn = 'losses.poissonNll';
  const o = lossArgs<PoissonNllOptions>(
    'poissonNll',
    [
      ['input', input],
      ['target', target],
    ],
    options,
    ['logInput', 'full', 'eps', 'reduction', ...LEGACY],
    ['target', 'input'],
  );
  checkBool(fn, 'logInput', o.logInput);
  checkBool(fn, 'full', o.full);
  return reduced('poissonNll', o.reduction, () =>
    apply(op('poissonNllLoss'), [to(input, 'float32'), to(target, 'float32')], { logInput: o.logInput, full: o.full, eps: o.eps }),
  );
}

export interface GaussianNllOptions {
  /** Add the constant ½·log(2π). */
  full?: boolean;
  /** var is clamped at eps (in value only, as PyTorch). */
  eps?: number;
  reduction?: Reduction;
}
/**
 * Gaussian negative log-likelihood ½(log var + (input − target)²/var) (PyTorch GaussianNLLLoss: full
 * false, eps 1e-6). var has the input's shape, or it without its last dim, or that dim as 1 (one
 * variance per sample: PyTorch's homoscedastic forms); input and target broadcast. A negative
 * variance is a ValueError (read in eager mode, as PyTorch; inside wg.compile values are not read).
 */
export function gaussianNll(input: Tensor, target: Tensor, variance: Tensor, options: GaussianNllOptions = {}): Tensor {
  const fn = 'losses.gaussianNll';
  const o = lossArgs<GaussianNllOptions>(
    'gaussianNll',
    [
      ['input', input],
      ['target', target],
      ['var', variance],
    ],
    options,
    ['full', 'eps', 'reduction'],
    ['input', 'target'],
  );
  checkBool(fn, 'full', o.full);
  const x = input.shape,
    v = variance.shape;
  let va = variance;
  if (!sameShape(x, v)) {
    if (sameShape(x.slice(0, -1), v)) va = variance.reshape([...v, 1]);
    else if (!(x.length > 0 && v.length === x.length && sameShape(x.slice(0, -1), v.slice(0, -1)) && v[v.length - 1] === 1))
      throw new ShapeError(
        fn,
        `var ${fmtShape(v)} must have the input's shape ${fmtShape(x)}, or it without its last dim ${fmtShape(x.slice(0, -1))}, or that dim as 1`,
      );
  }
  if (sink.mode === 'off') {
    const vals = variance.rawValues();
    const at = vals.findIndex((e) => e < 0);
    if (at >= 0) throw new ValueError(fn, `var must be ≥ 0 everywhere, got ${fmtValue(vals[at])} at flat index ${at} of ${fmtShape(v)}`);
  }
  return reduced('gaussianNll', o.reduction, () =>
    apply(op('gaussianNllLoss'), [to(input, 'float32'), to(target, 'float32'), va], { full: o.full, eps: o.eps }),
  );
}

/**
 * Multi-label soft margin (PyTorch MultiLabelSoftMarginLoss): per sample, the mean over the classes
 * (last dim) of −[t·log σ(x) + (1 − t)·log σ(−x)], which is bceWithLogits per class, times an
 * optional `weight` broadcast against the input (e.g. [C]).
 */
export function multiLabelSoftMargin(input: Tensor, target: Tensor, options: BceOptions = {}): Tensor {
  const o = lossArgs<BceOptions>(
    'multiLabelSoftMargin',
    [
      ['input', input],
      ['target', target],
    ],
    options,
    ['weight', 'reduction', ...LEGACY],
    ['target'],
  );
  if (input.ndim === 0) throw new ShapeError('losses.multiLabelSoftMargin', 'input needs a class dim (its last): got a 0-d tensor');
  const weight = checkBceWeight('multiLabelSoftMargin', 'weight', o.weight, input);
  const t = to(target, 'float32');
  if (!sameShape(t.shape, input.shape))
    throw new ShapeError('losses.multiLabelSoftMargin', `input ${fmtShape(input.shape)} and target ${fmtShape(t.shape)} must have the same shape`);
  return reduced('multiLabelSoftMargin', o.reduction, () => {
    const per = L.bceWithLogitsLoss(input, t);
    return mean(weight ? per.mul(weight) : per, -1);
  });
}

export interface MultiMarginOptions {
  /** 1 (hinge) or 2 (squared hinge). */
  p?: 1 | 2;
  margin?: number;
  /** Per-class weights [C]: a sample's loss is scaled by the weight of its class. */
  weight?: Tensor;
  reduction?: Reduction;
}
/**
 * Multi-class hinge loss (PyTorch MultiMarginLoss: p 1, margin 1): per sample Σ_{j≠y}
 * max(0, margin − x[y] + x[j])ᵖ / C, of input [N, C] (or [C]) and int32 class ids [N] (or []).
 */
export function multiMargin(input: Tensor, target: Tensor, options: MultiMarginOptions = {}): Tensor {
  const fn = 'losses.multiMargin';
  const o = lossArgs<MultiMarginOptions>(
    'multiMargin',
    [
      ['input', input],
      ['target', target],
    ],
    options,
    ['p', 'margin', 'weight', 'reduction', ...LEGACY],
    ['target'],
  );
  if (target.dtype !== 'int32') throw new DTypeError(fn, `target must be int32 class ids, got ${fmtValue(target)}`);
  const { p, margin, weight } = o;
  const MULTI_MARGIN = op('multiMarginLoss');
  MULTI_MARGIN.plan([input, target], { p, margin }); // shapes first: the labels are read next
  const C = input.shape[input.ndim - 1];
  checkIndices(fn, target, C, `the ${C} classes of input ${fmtShape(input.shape)}`);
  if (weight !== undefined) checkWeight('multiMargin', weight, C, input);
  return reduced('multiMargin', o.reduction, () => {
    const per = apply(MULTI_MARGIN, [input, target], { p, margin });
    return weight ? per.mul(classWeights(weight, target)) : per;
  });
}

/**
 * Multi-label hinge loss (PyTorch MultiLabelMarginLoss): per sample Σ over its target classes j and
 * the other classes k of max(0, 1 − (x[j] − x[k])) / C. Input [N, C] (or [C]); target int32 of the
 * same shape listing each sample's classes, ended by the first −1 (entries after it are ignored).
 */
export function multiLabelMargin(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const fn = 'losses.multiLabelMargin';
  const o = lossArgs<{ reduction?: Reduction }>(
    'multiLabelMargin',
    [
      ['input', input],
      ['target', target],
    ],
    options,
    ['reduction', ...LEGACY],
    ['target'],
  );
  if (target.dtype !== 'int32') throw new DTypeError(fn, `target must be int32 class ids (−1 ends a sample's list), got ${fmtValue(target)}`);
  const MULTI_LABEL_MARGIN = op('multiLabelMarginLoss');
  MULTI_LABEL_MARGIN.plan([input, target], {}); // shapes first: the targets are read next
  const C = input.shape[input.ndim - 1];
  const v = target.rawValues();
  const at = v.findIndex((c) => !(c >= -1 && c < C));
  if (at >= 0) throw new ValueError(fn, `target ${v[at]} at flat index ${at} of ${fmtShape(target.shape)} is out of range (expected −1..${C - 1})`);
  return reduced('multiLabelMargin', o.reduction, () => apply(MULTI_LABEL_MARGIN, [input, target]));
}

export interface CtcOptions {
  /** The blank class (default 0). */
  blank?: number;
  /** 'mean' (default) divides each sample's loss by its target length (at least 1), then averages over the batch. */
  reduction?: Reduction;
  /** Infinite losses (no alignment fits the input length) and their gradients become 0. */
  zeroInfinity?: boolean;
}
/**
 * Connectionist temporal classification (PyTorch CTCLoss): logProbs [T, N, C] (log-softmax
 * outputs; [T, C] unbatched, as PyTorch); targets int32 (float32 ids are truncated, as PyTorch), either [N, S] padded (entries past a sample's target length are
 * ignored) or PyTorch's 1-D concatenation of every sample's targets; inputLengths and
 * targetLengths int32 [N] (or number arrays), each input length in 1..T; target ids in 0..C−1
 * (values read in eager mode). The gradient with respect to logProbs is PyTorch's: the true
 * gradient plus exp(logProbs) at the sample's steps, which log_softmax's backward cancels, so
 * logits get the exact softmax − occupancy either way.
 */
export function ctc(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: Tensor | readonly number[],
  targetLengths: Tensor | readonly number[],
  options: CtcOptions = {},
): Tensor {
  const fn = 'losses.ctc';
  const lengths = (t: Tensor | readonly number[]) => (t instanceof Tensor ? t : tensor(t as number[], { dtype: 'int32' }));
  if (logProbs instanceof Tensor && logProbs.ndim === 2) return unbatchedCtc(logProbs, targets, lengths(inputLengths), lengths(targetLengths), options);
  const il = lengths(inputLengths),
    tl = lengths(targetLengths);
  const o = lossArgs<CtcOptions>(
    'ctc',
    [
      ['logProbs', logProbs],
      ['targets', targets],
      ['inputLengths', il],
      ['targetLengths', tl],
    ],
    options,
    ['blank', 'reduction', 'zeroInfinity'],
    ['targets', 'inputLengths', 'targetLengths'],
  );
  for (const [what, t] of [
    ['inputLengths', il],
    ['targetLengths', tl],
  ] as const)
    if (t.dtype !== 'int32') throw new DTypeError(fn, `${what} must be int32, got ${fmtValue(t)}`);
  // float32 targets are class ids truncated toward zero, as PyTorch casts them (it takes any dtype there)
  const ids = to(targets, 'int32');
  checkBool(fn, 'zeroInfinity', o.zeroInfinity);
  const r = checkReduction('ctc', o.reduction);
  const CTC = op('ctcLoss');
  // shapes and blank first (concatenated targets as the [N, total] they are padded to at most): the values are read next
  const flat = ids.ndim === 1;
  CTC.plan([logProbs, flat ? { shape: [logProbs.shape[1] ?? 0, ids.size], dtype: 'int32' } : ids, il, tl], { blank: o.blank });
  const [T, N] = logProbs.shape;
  const ins = il.rawValues();
  for (let n = 0; n < N; n++) if (!(ins[n] >= 1 && ins[n] <= T)) throw new ValueError(fn, `inputLengths[${n}] = ${ins[n]} must be in 1..${T} (the input's T)`);
  const { padded, used, tooLong } = ctcTargets(fn, logProbs.shape, ids, tl);
  const nll = apply(CTC, [logProbs, padded, il, used], { blank: o.blank });
  // PyTorch's extra exp(logProbs) in the gradient, at each sample's first inputLength steps: a term of value exactly 0 (e − e)
  const e = logProbs.exp();
  const steps = arange(T)
    .reshape([T, 1, 1])
    .lt(to(il, 'float32').reshape([1, N, 1]));
  const withGrad = nll.add(sum(steps.mul(e.sub(e.detach())), [0, 2]));
  const all = tooLong ? where(tooLong, Infinity, withGrad) : withGrad;
  const per = o.zeroInfinity ? where(isinf(all), 0, all) : all;
  if (r === 'none') return per;
  return r === 'sum' ? sum(per) : mean(per.div(clamp(to(tl, 'float32'), 1)));
}

/**
 * PyTorch's unbatched CTC: logProbs [T, C], targets [S], one input and one target length (0-d or
 * [1] tensors, or one-number arrays), as a batch of one whose targets are the 1-D concatenated
 * form; reduction 'none' gives the 0-d loss. The int32 arguments go in unreshaped: inside
 * wg.compile their values are read, which only a function's own arguments allow.
 */
function unbatchedCtc(logProbs: Tensor, targets: Tensor, il: Tensor, tl: Tensor, options: CtcOptions): Tensor {
  const fn = 'losses.ctc';
  checkTensor(fn, 'targets', targets);
  if (targets.ndim !== 1) throw new ShapeError(fn, `unbatched logProbs ${fmtShape(logProbs.shape)} takes 1-D targets [S], got ${fmtShape(targets.shape)}`);
  for (const [what, t] of [
    ['inputLengths', il],
    ['targetLengths', tl],
  ] as const)
    if (t.ndim > 1 || t.size !== 1)
      throw new ShapeError(fn, `unbatched logProbs ${fmtShape(logProbs.shape)} takes one ${what} (0-d or [1]), got ${fmtShape(t.shape)}`);
  const [T, C] = logProbs.shape;
  return ctc(logProbs.reshape([T, 1, C]), targets, il, tl, options).reshape([]);
}

/**
 * CTC targets as [N, S] with the lengths the recursion reads, their values checked. Padded targets
 * are used as given (lengths in 0..S). The 1-D concatenation is gathered into [N, S] with
 * S = min(total, T), a shape the values do not change (compiled functions replay it): a target
 * longer than T fits no alignment, so it is cut to S and `tooLong` marks its loss as ∞ (PyTorch's
 * value).
 */
function ctcTargets(fn: string, [T, N, C]: readonly number[], targets: Tensor, tl: Tensor): { padded: Tensor; used: Tensor; tooLong: Tensor | null } {
  const flat = targets.ndim === 1,
    total = targets.size,
    S = flat ? Math.min(total, T) : targets.shape[1];
  const tls = tl.rawValues(),
    ys = targets.rawValues();
  let offset = 0;
  for (let n = 0; n < N; n++) {
    if (!(tls[n] >= 0 && (flat || tls[n] <= S)))
      throw new ValueError(fn, `targetLengths[${n}] = ${tls[n]} must be ${flat ? '≥ 0' : `in 0..${S} (the targets' S)`}`);
    const at = flat ? offset : n * S;
    if (flat && offset + tls[n] > total)
      throw new ShapeError(
        fn,
        `targets ${fmtShape(targets.shape)} hold ${total} concatenated ids, fewer than the targetLengths' sum (${offset + tls[n]} by sample ${n})`,
      );
    for (let s = 0; s < tls[n]; s++)
      if (!(ys[at + s] >= 0 && ys[at + s] < C))
        throw new ValueError(fn, `target ${ys[at + s]} at ${flat ? `[${at + s}]` : `[${n}, ${s}]`} is out of range for ${C} classes (expected 0..${C - 1})`);
    offset += tls[n];
  }
  if (!flat) return { padded: targets, used: tl, tooLong: null };
  const starts = cumsum(tl, 0).sub(tl).reshape([N, 1]);
  const positions = clamp(starts.add(arange(S, { dtype: 'int32' }).reshape([1, S])), 0, Math.max(total - 1, 0));
  // positions are clamped into range, so the gather runs without take's value check (which a compiled step cannot make on computed indices)
  return { padded: apply(op('indexGatherInt'), [targets, positions], planTake(targets, positions)), used: minimum(tl, S), tooLong: tl.gt(S) };
}
