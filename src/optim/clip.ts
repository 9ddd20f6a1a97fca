/** Gradient clipping by total L2 norm (torch.nn.utils.clip_grad_norm_). */
import { apply, applyUpdate, noGrad } from '../engine/engine.js';
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import { checkBool, checkOptions } from '../engine/check.js';
import { DTypeError, NonFiniteError, RecycledTensorError, ValueError, fmtValue } from '../errors.js';
import { paramList, type Params } from './optimizer.js';

export interface ClipGradNormOptions {
  /** Throw (changing nothing) when the total norm is NaN or ±Infinity. Default false, as in PyTorch. */
  errorIfNonfinite?: boolean;
}

/**
 * Clips the gradients of `params` so that their total L2 norm (all gradients viewed as one vector)
 * is at most maxNorm, as PyTorch does:
 *
 *     norm = √(Σ_params Σ g²)
 *     coef = maxNorm / (norm + 1e-6);  if coef < 1: every g ← coef·g   (in place)
 *
 * Parameters without a gradient are skipped. Returns the total norm before clipping (0 when no
 * parameter has a gradient). The sums of squares run as WASM kernels accumulating in float64.
 */
export function clipGradNorm(params: Params | Tensor, maxNorm: number, options: ClipGradNormOptions = {}): number {
  const FN = 'optim.clipGradNorm';
  const list = paramList(FN, params, true);
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0) throw new ValueError(FN, `maxNorm must be a number ≥ 0, got ${fmtValue(maxNorm)}`);
  const opts = checkOptions<ClipGradNormOptions>(FN, options, ['errorIfNonfinite']);
  checkBool(FN, 'errorIfNonfinite', opts.errorIfNonfinite);
  const grads: Tensor[] = [];
  list.forEach((p, i) => {
    const g = p.peekGrad();
    if (g === null) return;
    if (!g.storage.alive) throw new RecycledTensorError(FN, `the gradient of params[${i}] was freed (disposed)`);
    if (g.dtype !== 'float32') throw new DTypeError(FN, `the gradient of params[${i}] is ${g.dtype}, expected float32`);
    grads.push(g);
  });
  if (grads.length === 0) return 0;
  // noGrad recycles the one-element outputs of the sums when it returns.
  const sumSq = noGrad(() => grads.reduce((s, g) => s + apply(op('gradSumSquares'), [g]).item(), 0));
  const norm = Math.sqrt(sumSq);
  if (!Number.isFinite(norm) && opts.errorIfNonfinite)
    throw new NonFiniteError(FN, `the total norm of the gradients is ${norm}, so they cannot be clipped (gradients left unchanged)`);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of grads) applyUpdate(op('gradScale'), [g], { factor: coef }, [0]);
  return norm;
}
