/**
 * torch's arguments of each loss after its inputs, in torch's order, declared once for F's losses
 * (src/api/torch-forms.ts: `F.nll_loss(input, target, weight, size_average, ignore_index, …)`)
 * and the loss modules' constructors (src/nn/module-forms.ts: `nn.NLLLoss(weight, size_average,
 * ignore_index, …)`). size_average and reduce, deprecated in torch, hold their places and fold
 * into reduction (legacyReduction). Written out whole (no spreads), one export per list, so a bundle keeps only the
 * lists of the losses it uses.
 */
import { checkBool } from '../engine/check.js';

/** mse, l1, soft margin, multilabel margin. */
export const REDUCTION = ['sizeAverage', 'reduce', 'reduction'] as const;
/** bce, multilabel soft margin. */
export const WEIGHTED = ['weight', 'sizeAverage', 'reduce', 'reduction'] as const;
/** margin ranking, hinge embedding, cosine embedding. */
export const MARGIN = ['margin', 'sizeAverage', 'reduce', 'reduction'] as const;
export const CROSS_ENTROPY = ['weight', 'sizeAverage', 'ignoreIndex', 'reduce', 'reduction', 'labelSmoothing'] as const;
export const NLL = ['weight', 'sizeAverage', 'ignoreIndex', 'reduce', 'reduction'] as const;
export const BCE_WITH_LOGITS = ['weight', 'sizeAverage', 'reduce', 'reduction', 'posWeight'] as const;
export const HUBER = ['reduction', 'delta'] as const;
export const SMOOTH_L1 = ['sizeAverage', 'reduce', 'reduction', 'beta'] as const;
export const KL_DIV = ['sizeAverage', 'reduce', 'reduction', 'logTarget'] as const;
export const TRIPLET_MARGIN = ['margin', 'p', 'eps', 'swap', 'sizeAverage', 'reduce', 'reduction'] as const;
export const MULTI_MARGIN = ['p', 'margin', 'weight', 'sizeAverage', 'reduce', 'reduction'] as const;
export const POISSON_NLL = ['logInput', 'full', 'sizeAverage', 'eps', 'reduce', 'reduction'] as const;
/** Positional in F.gaussian_nll_loss, keyword-only in nn.GaussianNLLLoss (torch's `*, full=False, …`). */
export const GAUSSIAN_NLL = ['full', 'eps', 'reduction'] as const;
export const CTC = ['blank', 'reduction', 'zeroInfinity'] as const;

/**
 * A copy of o with torch's deprecated sizeAverage / reduce folded into reduction as torch's
 * _Reduction.legacy_get_string does: either given (not null) overrides reduction, reduce false
 * giving 'none', else sizeAverage false 'sum', else 'mean' (an absent one counts as true).
 */
export function legacyReduction<O extends object>(fn: string, o: O): O {
  const { sizeAverage, reduce, ...rest } = o as O & { sizeAverage?: unknown; reduce?: unknown };
  if ((sizeAverage ?? null) === null && (reduce ?? null) === null) return rest as O;
  for (const [k, v] of [
    ['sizeAverage', sizeAverage],
    ['reduce', reduce],
  ] as const)
    if ((v ?? null) !== null) checkBool(fn, k, v);
  const reduction: 'mean' | 'sum' | 'none' = reduce === false ? 'none' : sizeAverage === false ? 'sum' : 'mean';
  return { ...rest, reduction } as O;
}
