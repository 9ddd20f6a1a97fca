/** Gradient clipping: by total L2 norm (torch.nn.utils.clip_grad_norm_) and by value (clip_grad_value_). */
import { add, amax, clamp, div, norm as pNorm, sqrt, stack, sum } from '../api/functional.js';
import { zeros } from '../api/creation.js';
import { apply, applyInto, noGrad } from '../engine/engine.js';
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import { checkBool, checkOptions } from '../engine/check.js';
import { sink } from '../engine/sink.js';
import { CompileError, DTypeError, NonFiniteError, RecycledTensorError, ValueError, fmtValue } from '../errors.js';
import { paramList, type Params } from './optimizer.js';
import { torchForm } from '../api/keywords.js';

export interface ClipGradNormOptions {
  /**
   * Throw (changing nothing) when the total norm is NaN or ±Infinity. Default false, as in PyTorch.
   * It reads the norm in JavaScript, so it cannot be used inside wg.compile (a CompileError).
   */
  errorIfNonfinite?: boolean;
  /**
   * The p of the p-norm (default 2, PyTorch's norm_type): a number > 0, Infinity or 'inf' (the
   * largest |g| over all gradients).
   */
  normType?: number | 'inf';
}

/**
 * Clips the gradients of `params` so that their total p-norm (all gradients viewed as one vector;
 * L2 by default) is at most maxNorm, as PyTorch does:
 *
 *     norm = √(Σ_params Σ g²)          (normType 2; p: the p-norm of the per-gradient p-norms,
 *                                        which is the p-norm of all elements; ∞: max |g|)
 *     coef = min(1, maxNorm / (norm + 1e-6));  every g ← coef·g   (in place)
 *
 * Parameters without a gradient are skipped. Returns the total norm before clipping as a 0-d
 * float32 tensor (PyTorch's type; 0 when no parameter has a gradient): `norm.item()` reads it.
 * Everything runs as kernels, the coefficient included, so JavaScript reads nothing and a
 * compiled step with clipping replays without its JavaScript. Each gradient's Σ g² accumulates in
 * float64 (gradSumSquares); the sum over parameters, the root and the coefficient are float32, as
 * PyTorch's tensor arithmetic. A coefficient of exactly 1 leaves the gradients unchanged.
 */
function clipGradNormImpl(params: Params | Tensor, maxNorm: number, options: ClipGradNormOptions = {}): Tensor {
  const FN = 'optim.clipGradNorm';
  const list = paramList(FN, params, true);
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0) throw new ValueError(FN, `maxNorm must be a number ≥ 0, got ${fmtValue(maxNorm)}`);
  const opts = checkOptions<ClipGradNormOptions>(FN, options, ['errorIfNonfinite', 'normType']);
  checkBool(FN, 'errorIfNonfinite', opts.errorIfNonfinite);
  const p = opts.normType === 'inf' ? Infinity : (opts.normType ?? 2);
  // PyTorch's p ≤ 0 norms are no norms (0 counts nonzeros; negative p is not a vector norm) and
  // would make clipping meaningless.
  if (typeof p !== 'number' || !(p > 0)) throw new ValueError(FN, `normType must be a number > 0, Infinity or 'inf', got ${fmtValue(opts.normType)}`);
  if (opts.errorIfNonfinite && sink.mode !== 'off')
    throw new CompileError(
      FN,
      'errorIfNonfinite reads the norm in JavaScript before the gradients are scaled, which a compiled function cannot do ' +
        '(its values are computed when the whole step runs): return the norm from the function and check it after the call, or clip outside it',
    );
  const grads = gradsOf(FN, list);
  return noGrad(() => {
    if (grads.length === 0) return zeros([]);
    const norm =
      p === 2
        ? sqrt(sum(stack(grads.map((g) => apply(op('gradSumSquares'), [g])))))
        : p === Infinity
          ? amax(stack(grads.map((g) => amax(g.abs()))))
          : pNorm(stack(grads.map((g) => pNorm(g, p))), p);
    if (opts.errorIfNonfinite && !Number.isFinite(norm.item()))
      throw new NonFiniteError(FN, `the total norm of the gradients is ${norm.item()}, so they cannot be clipped (gradients left unchanged)`);
    const coef = clamp(div(maxNorm, add(norm, 1e-6)), null, 1);
    for (const g of grads) applyInto(op('mul'), g, [g, coef]);
    return norm;
  });
}

/**
 * Clamps every gradient element of `params` to [−clipValue, clipValue] in place, as PyTorch's
 * clip_grad_value_ (parameters without a gradient are skipped; NaN stays NaN, as torch.clamp).
 * It is one clamp launch per gradient, so a compiled step with it replays without its JavaScript.
 */
function clipGradValueImpl(params: Params | Tensor, clipValue: number): void {
  const FN = 'optim.clipGradValue';
  const list = paramList(FN, params, true);
  // PyTorch accepts a negative clip_value (then clamp(min=−v, max=v) sets everything to max = v);
  // that is never intended, so it is an error here, as NaN and a non-number are.
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue) || clipValue < 0)
    throw new ValueError(FN, `clipValue must be a number ≥ 0, got ${fmtValue(clipValue)}`);
  const grads = gradsOf(FN, list);
  noGrad(() => {
    for (const g of grads) applyInto(op('clamp'), g, [g], { min: -clipValue, max: clipValue });
  });
}

/** The float32 gradients of the parameters that have one (a compiled function notes each read). */
function gradsOf(FN: string, list: Tensor[]): Tensor[] {
  const grads: Tensor[] = [];
  list.forEach((p, i) => {
    const g = p.peekGrad();
    // Inside wg.compile: a replay must find the same gradients (as for an optimizer step).
    if (sink.mode !== 'off') sink.gradRead(p, g);
    if (g === null) return;
    if (!g.storage.alive) throw new RecycledTensorError(FN, `the gradient of params[${i}] was freed (disposed)`);
    if (g.dtype !== 'float32') throw new DTypeError(FN, `the gradient of params[${i}] is ${g.dtype}, expected float32`);
    grads.push(g);
  });
  return grads;
}

/** clipGradNorm(params, maxNorm, {normType, errorIfNonfinite}), also in torch's forms: `(params, 1, 'inf')`, `(params, {maxNorm: 1})`. */
export const clipGradNorm = /* @__PURE__ */ torchForm('optim.clipGradNorm', clipGradNormImpl, {
  positional: ['maxNorm'],
  options: ['normType', 'errorIfNonfinite'],
});

/** clipGradValue(params, clipValue), also in torch's keyword form `(params, {clipValue})`. */
export const clipGradValue = /* @__PURE__ */ torchForm('optim.clipGradValue', clipGradValueImpl, { positional: ['clipValue'] });
