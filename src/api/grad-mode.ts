/**
 * Grad-mode switches beside wg.noGrad: enableGrad, setGradEnabled, isGradEnabled, inferenceMode
 * (PyTorch's torch.enable_grad, set_grad_enabled, is_grad_enabled, inference_mode).
 */
import { isGradEnabled, noGrad, setGradEnabled } from '../engine/engine.js';
import { checkFunction } from '../engine/check.js';
import { ValueError } from '../errors.js';

export { isGradEnabled, setGradEnabled };

/**
 * Runs fn with gradient recording on, also inside wg.noGrad (as torch.enable_grad). Only the grad
 * mode changes: inside noGrad, what fn makes still belongs to noGrad's memory scope (retired when
 * noGrad returns, except what noGrad's fn returns), so a result to keep is returned through both.
 */
export function enableGrad<T>(fn: () => T): T {
  checkFunction('enableGrad', 'fn', fn);
  const prev = isGradEnabled();
  setGradEnabled(true);
  try {
    const result = fn();
    if (result instanceof Promise)
      throw new ValueError('enableGrad', 'fn must be synchronous, got a function that returned a Promise (await outside wg.enableGrad)');
    return result;
  } finally {
    setGradEnabled(prev);
  }
}

/**
 * PyTorch's inference_mode: here exactly wg.noGrad (no recording, and noGrad's memory scope).
 * Tensors made inside are ordinary tensors: PyTorch's inference tensors, which refuse later use in
 * autograd, have no counterpart.
 */
export function inferenceMode<T>(fn: () => T): T {
  checkFunction('inferenceMode', 'fn', fn);
  return noGrad(fn);
}
