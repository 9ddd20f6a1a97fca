/**
 * torch's top-level losses (torch.binary_cross_entropy_with_logits, torch.kl_div, …): the ATen
 * functions under F's, in ATen's positional order, whose `reduction` is the at::Reduction enum's
 * integer (0 = 'none', 1 = 'mean', 2 = 'sum'; the name is taken too). Each computes as
 * wg.losses' function (same values, gradients and errors); keywords work as everywhere
 * (`wg.klDiv(x, y, {reduction: 2, logTarget: true})`).
 */
import type { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { torchForm } from './keywords.js';
import * as losses from './losses.js';

const REDUCTIONS = ['none', 'mean', 'sum'] as const;

/** at::Reduction's integer (or its name) → the name wg.losses takes; undefined stays the default ('mean'). */
function reductionName(fn: string, r: unknown): losses.Reduction | undefined {
  if (r === undefined || (REDUCTIONS as readonly unknown[]).includes(r)) return r as losses.Reduction | undefined;
  if (r === 0 || r === 1 || r === 2) return REDUCTIONS[r];
  throw new ValueError(fn, `reduction must be 0 (none), 1 (mean) or 2 (sum), or its name, got ${fmtValue(r)}`);
}

/** A top-level loss: its tensor inputs, then ATen's parameters positionally or by name. */
export type AtenLoss = (...args: unknown[]) => Tensor;

/**
 * The ATen form of a wg.losses function of `inputs` leading arguments: torchForm maps ATen's
 * positional `params` onto the options object, then the reduction's integer becomes its name.
 */
function aten(name: string, impl: (...args: never[]) => Tensor, inputs: number, params: readonly string[], keywordOnly: readonly string[] = []): AtenLoss {
  const call = impl as unknown as (...args: unknown[]) => Tensor;
  const withEnum = (...args: unknown[]): Tensor => {
    const opts = (args[inputs] ?? {}) as Record<string, unknown>;
    if (opts.reduction === undefined) return call(...args);
    return call(...args.slice(0, inputs), { ...opts, reduction: reductionName(name, opts.reduction) });
  };
  return torchForm(name, withEnum, { inputs, positional: [], options: params, keywordOnly }) as AtenLoss;
}

/** torch.binary_cross_entropy_with_logits(input, target, weight?, pos_weight?, reduction = 1). */
export const binaryCrossEntropyWithLogits = /* @__PURE__ */ aten('binaryCrossEntropyWithLogits', losses.bceWithLogits, 2, ['weight', 'posWeight', 'reduction']);
/** torch.kl_div(input, target, reduction = 1, *, log_target = False). */
export const klDiv = /* @__PURE__ */ aten('klDiv', losses.klDiv, 2, ['reduction'], ['logTarget']);
/** torch.hinge_embedding_loss(input, target, margin = 1, reduction = 1). */
export const hingeEmbeddingLoss = /* @__PURE__ */ aten('hingeEmbeddingLoss', losses.hingeEmbedding, 2, ['margin', 'reduction']);
/** torch.margin_ranking_loss(input1, input2, target, margin = 0, reduction = 1). */
export const marginRankingLoss = /* @__PURE__ */ aten('marginRankingLoss', losses.marginRanking, 3, ['margin', 'reduction']);
/** torch.cosine_embedding_loss(input1, input2, target, margin = 0, reduction = 1). */
export const cosineEmbeddingLoss = /* @__PURE__ */ aten('cosineEmbeddingLoss', losses.cosineEmbedding, 3, ['margin', 'reduction']);
/** torch.triplet_margin_loss(anchor, positive, negative, margin = 1, p = 2, eps = 1e-6, swap = False, reduction = 1). */
export const tripletMarginLoss = /* @__PURE__ */ aten('tripletMarginLoss', losses.tripletMargin, 3, ['margin', 'p', 'eps', 'swap', 'reduction']);
/** torch.poisson_nll_loss(input, target, log_input, full, eps, reduction): F's defaults (true, false, 1e-8, 1) when left out. */
export const poissonNllLoss = /* @__PURE__ */ aten('poissonNllLoss', losses.poissonNll, 2, ['logInput', 'full', 'eps', 'reduction']);
/** torch.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank = 0, reduction = 1, zero_infinity = False). */
export const ctcLoss = /* @__PURE__ */ aten('ctcLoss', losses.ctc, 4, ['blank', 'reduction', 'zeroInfinity']);
