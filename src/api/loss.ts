/** The per-sample / per-element loss ops that src/api/losses.ts reduces. Table: src/ops/loss.ts. */
import { logSoftmax } from './reduce.js';
import { apply } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { classDim, planLabels } from '../ops/loss.js';
import { fmtShape, sameShape } from '../ops/types.js';
import { op } from '../ops/index.js';

/** Labels must be int32 class ids in 0..C−1; they are read here because a bad id would index outside the input. */
function checkLabels(loss: string, x: Tensor, labels: Tensor): void {
  if (labels.dtype !== 'int32')
    throw new DTypeError(
      `losses.${loss}`,
      `labels must be int32 class ids, got a ${labels.dtype} tensor of shape ${fmtShape(labels.shape)} (make them with wg.tensor(ids, { dtype: 'int32' }))`,
    );
  planLabels(loss, x, labels);
  const C = x.shape[classDim(loss, x.shape)];
  const v = labels.values();
  for (let j = 0; j < v.length; j++) {
    if (v[j] >= 0 && v[j] < C) continue;
    const at = labels.shape.length === 0 ? '' : ` at position ${fmtShape(unravel(j, labels.shape))}`;
    throw new ValueError(`losses.${loss}`, `label ${v[j]}${at} is out of range for ${C} classes (expected 0..${C - 1})`);
  }
}

function unravel(j: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = j % shape[k];
    j = Math.floor(j / shape[k]);
  }
  return idx;
}

// ---- per-sample / per-element losses for src/api/losses.ts ------------------------------------------

/** Per-sample cross-entropy: int32 class labels, or float32 probabilities of the logits' shape. */
export function crossEntropyLoss(logits: Tensor, labels: Tensor): Tensor {
  if (labels.dtype === 'float32') {
    const cd = classDim('crossEntropy', logits.shape);
    if (!sameShape(labels.shape, logits.shape))
      throw new ShapeError(
        'losses.crossEntropy',
        `labels must be int32 class ids (shape ${fmtShape(logits.shape.filter((_, i) => i !== cd))}) or float32 probabilities of the logits' shape ${fmtShape(logits.shape)}; ` +
          `got a float32 tensor of shape ${fmtShape(labels.shape)} (for class ids use wg.tensor(ids, { dtype: 'int32' }))`,
      );
    return apply(op('softNllLoss'), [logSoftmax(logits, cd), labels], { dim: cd });
  }
  checkLabels('crossEntropy', logits, labels);
  return apply(op('crossEntropyLoss'), [logits, labels]);
}

export function nllLoss(logProbs: Tensor, labels: Tensor): Tensor {
  checkLabels('nll', logProbs, labels);
  return apply(op('nllLoss'), [logProbs, labels]);
}

export const mseLoss = (pred: Tensor, target: Tensor): Tensor => apply(op('mseLoss'), [pred, target]);
export const l1Loss = (pred: Tensor, target: Tensor): Tensor => apply(op('l1Loss'), [pred, target]);
export const huberLoss = (pred: Tensor, target: Tensor, delta: number): Tensor => apply(op('huberLoss'), [pred, target], { delta });
export const bceLoss = (prob: Tensor, target: Tensor): Tensor => apply(op('bceLoss'), [prob, target]);
export const bceWithLogitsLoss = (logits: Tensor, target: Tensor): Tensor => apply(op('bceWithLogitsLoss'), [logits, target]);
