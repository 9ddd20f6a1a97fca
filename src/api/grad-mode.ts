/**
 * Grad-mode switches beside wg.noGrad: enableGrad, setGradEnabled, isGradEnabled, inferenceMode
 * (PyTorch's torch.enable_grad, set_grad_enabled, is_grad_enabled, inference_mode).
 */
import { isGradEnabled, noGrad, setGradEnabled as setMode } from '../engine/engine.js';
import { checkBlock, checkFunction, checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';

export { isGradEnabled };

/**
 * torch.set_grad_enabled in its two uses: `setGradEnabled(mode)` switches recording on or off until
 * switched back; `setGradEnabled(mode, fn)`, the form of torch's `with set_grad_enabled(mode):`,
 * runs fn in that mode and restores the previous one (it is wg.enableGrad(fn) or wg.noGrad(fn)).
 */
export function setGradEnabled(enabled: boolean): void;
export function setGradEnabled<T>(enabled: boolean, fn: () => T): T;
export function setGradEnabled<T>(enabled: boolean, fn?: () => T): T | void {
  if (typeof enabled !== 'boolean') throw new ValueError('setGradEnabled', `expects a boolean, got ${fmtValue(enabled)}`);
  if (fn === undefined) return setMode(enabled);
  checkFunction('setGradEnabled', 'fn', fn);
  return enabled ? enableGrad(fn) : noGrad(fn);
}

/**
 * Runs fn, a `with` block of torch's, between `enter()` and the restore it returns (also when fn
 * throws); fn must be synchronous (a Promise would run its rest outside the block).
 */
export function inBlock<T>(name: string, fn: () => T, enter: () => () => void): T {
  checkBlock(name, fn);
  const restore = enter();
  try {
    const result = fn();
    if (result instanceof Promise) throw new ValueError(name, `fn must be synchronous, got a function that returned a Promise (await outside wg.${name})`);
    return result;
  } finally {
    restore();
  }
}

/**
 * Runs fn with gradient recording on, also inside wg.noGrad (as torch.enable_grad). Only the grad
 * mode changes: inside noGrad, what fn makes still belongs to noGrad's memory scope (retired when
 * noGrad returns, except what noGrad's fn returns), so a result to keep is returned through both.
 */
export function enableGrad<T>(fn: () => T): T {
  return inBlock('enableGrad', fn, () => {
    const prev = isGradEnabled();
    setMode(true);
    return () => setMode(prev);
  });
}

/** inferenceMode blocks running now (torch.is_inference_mode_enabled). */
let inferenceDepth = 0;

/**
 * PyTorch's inference_mode: here exactly wg.noGrad (no recording, and noGrad's memory scope), and
 * wg.isInferenceModeEnabled() is true inside. Tensors made inside are ordinary tensors: PyTorch's
 * inference tensors, which refuse later use in autograd, have no counterpart (wg.isInference is
 * false for every tensor).
 */
export function inferenceMode<T>(fn: () => T): T {
  checkBlock('inferenceMode', fn);
  inferenceDepth++;
  try {
    return noGrad(fn);
  } finally {
    inferenceDepth--;
  }
}

/** torch.is_inference_mode_enabled(): whether an inferenceMode block is running. */
export function isInferenceModeEnabled(): boolean {
  return inferenceDepth > 0;
}

/**
 * torch.is_inference(t): whether t is an inference tensor. Always false here: inferenceMode makes
 * ordinary tensors (see inferenceMode).
 */
export function isInference(t: Tensor): boolean {
  checkTensor('isInference', 't', t);
  return false;
}
