/** Similarities and distances between tensors (PyTorch's F.cosine_similarity, F.pairwise_distance, torch.cdist). Table: src/ops/distance.ts. */
import { checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import type { CdistAttrs, CosineAttrs, PairwiseAttrs } from '../ops/distance.js';
import { op } from '../ops/index.js';
import { operands } from './integer.js';

const tensors = (fn: string, a: unknown, b: unknown): void => {
  checkTensor(fn, 'x1', a);
  checkTensor(fn, 'x2', b);
};

/** x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) along `dim` (default 1, eps 1e-8), broadcasting. */
export function cosineSimilarity(x1: Tensor, x2: Tensor, options: CosineAttrs = {}): Tensor {
  tensors('cosineSimilarity', x1, x2);
  return apply(op('cosineSimilarity'), [x1, x2], checkOptions<CosineAttrs>('cosineSimilarity', options, ['dim', 'eps']));
}

/** ‖x1 − x2 + eps‖_p over the last dim (p 2, eps 1e-6, keepdim false), broadcasting; int32 inputs give float32. */
export function pairwiseDistance(x1: Tensor, x2: Tensor, options: PairwiseAttrs = {}): Tensor {
  tensors('pairwiseDistance', x1, x2);
  const attrs = checkOptions<PairwiseAttrs>('pairwiseDistance', options, ['p', 'eps', 'keepdim']);
  // int32 inputs are cast, as PyTorch's float32 result of integer tensors
  return apply(op('pairwiseDistance'), operands('pairwiseDistance', [x1, x2], true, attrs), attrs);
}

/** p-norm distances between the rows of x1 [..., P, M] and x2 [..., R, M] → [..., P, R] (p 2). */
export function cdist(x1: Tensor, x2: Tensor, options: CdistAttrs = {}): Tensor {
  tensors('cdist', x1, x2);
  return apply(op('cdist'), [x1, x2], checkOptions<CdistAttrs>('cdist', options, ['p']));
}
