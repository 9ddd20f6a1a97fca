/** The per-sample / per-element loss ops that src/api/losses.ts reduces. Table: src/ops/loss.ts. */
import { logSoftmax } from './reduce.js';
import { apply } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { CompileError, DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { sink } from '../engine/sink.js';
import { classDim, planLabels } from '../ops/loss.js';
import { fmtShape, sameShape } from '../ops/types.js';
import { op } from '../ops/index.js';

/** PyTorch's default ignore_index: samples labelled −100 contribute nothing. */
export const DEFAULT_IGNORE_INDEX = -100;

/**
 * Labels must be int32 class ids in 0..C−1, or `ignoreIndex`; they are read here because a bad id
 * would index outside the input. Returns whether some label equals ignoreIndex.
 */
function checkLabels(loss: string, x: Tensor, labels: Tensor, ignoreIndex: number | null = null): boolean {
  if (labels.dtype !== 'int32')
    throw new DTypeError(
      `losses.${loss}`,
      `labels must be int32 class ids, got a ${labels.dtype} tensor of shape ${fmtShape(labels.shape)} (make them with wg.tensor(ids, { dtype: 'int32' }))`,
    );
  planLabels(loss, x, labels);
  const C = x.shape[classDim(loss, x.shape)];
  const v = labels.rawValues();
  let ignored = false;
  for (let j = 0; j < v.length; j++) {
    if (v[j] === ignoreIndex) {
      ignored = true;
      continue;
    }
    if (v[j] >= 0 && v[j] < C) continue;
    const at = labels.shape.length === 0 ? '' : ` at position ${fmtShape(unravel(j, labels.shape))}`;
    const ignore = ignoreIndex === null ? '' : ` or the ignoreIndex ${ignoreIndex}`;
    throw new ValueError(`losses.${loss}`, `label ${v[j]}${at} is out of range for ${C} classes (expected 0..${C - 1}${ignore})`);
  }
  return ignored;
}

/** Class ids with the ignored ones replaced by class 0, and the float32 0/1 mask of the kept samples. */
export interface KeptLabels {
  labels: Tensor;
  kept: Tensor;
}

/**
 * The labels of a class-label loss with PyTorch's ignore_index: null when no sample is ignored
 * (the plain kernels run), else the safe labels and the kept-sample mask. The masked form is taken
 * from the values, except when ignoreIndex was passed explicitly: then always, so that a compiled
 * function runs the same ops whatever its batches hold. With the default −100 inside wg.compile, a
 * batch holding −100 after the trace would change the ops: that is a CompileError telling to pass
 * ignoreIndex explicitly.
 */
export function ignoredLabels(loss: string, x: Tensor, labels: Tensor, ignoreIndex: number | undefined): KeptLabels | null {
  const explicit = ignoreIndex !== undefined;
  const index = ignoreIndex ?? DEFAULT_IGNORE_INDEX;
  if (typeof index !== 'number' || !Number.isInteger(index))
    throw new ValueError(`losses.${loss}`, `ignoreIndex must be an integer, got ${fmtValue(ignoreIndex)}`);
  const ignored = checkLabels(loss, x, labels, index);
  if (!explicit && !ignored) return null;
  if (!explicit && sink.mode !== 'off')
    throw new CompileError(
      `losses.${loss}`,
      `labels hold the default ignoreIndex ${index} inside a compiled function: pass { ignoreIndex: ${index} } explicitly so the masked loss is traced from the first call`,
    );
  return {
    labels: apply(op('clearIgnoredLabels'), [labels], { ignoreIndex: index }),
    kept: apply(op('notEqualMask'), [labels], { value: index }),
  };
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

/**
 * Per-sample cross-entropy: int32 class labels, or float32 probabilities of the logits' shape.
 * `safe`: labels ignoredLabels already validated (or made: computed, so not readable in a compiled function).
 */
export function crossEntropyLoss(logits: Tensor, labels: Tensor, safe = false): Tensor {
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
  if (!safe) checkLabels('crossEntropy', logits, labels);
  return apply(op('crossEntropyLoss'), [logits, labels]);
}

export function nllLoss(logProbs: Tensor, labels: Tensor, safe = false): Tensor {
  if (!safe) checkLabels('nll', logProbs, labels);
  return apply(op('nllLoss'), [logProbs, labels]);
}

export const mseLoss = (pred: Tensor, target: Tensor): Tensor => apply(op('mseLoss'), [pred, target]);
export const l1Loss = (pred: Tensor, target: Tensor): Tensor => apply(op('l1Loss'), [pred, target]);
export const huberLoss = (pred: Tensor, target: Tensor, delta: number): Tensor => apply(op('huberLoss'), [pred, target], { delta });
export const bceLoss = (prob: Tensor, target: Tensor): Tensor => apply(op('bceLoss'), [prob, target]);
export const bceWithLogitsLoss = (logits: Tensor, target: Tensor): Tensor => apply(op('bceWithLogitsLoss'), [logits, target]);
