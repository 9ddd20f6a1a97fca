/** Clearing gradients, for Optimizer.zeroGrad and Module.zeroGrad (PyTorch's zero_grad(set_to_none)). */
import { fillRecord, launch } from '../engine/engine.js';
import { ValueError, fmtValue } from '../errors.js';
import { checkOptions, isRecord } from '../engine/check.js';
import { sink } from '../engine/sink.js';
import type { Tensor } from '../engine/tensor.js';

/** zeroGrad's argument: the flag, or torch's keyword form `zeroGrad({ setToNone })`. */
export type SetToNone = boolean | { setToNone?: boolean };

/**
 * Sets the gradients of `params` to null (setToNone, the default of PyTorch ≥ 2.0), or fills them
 * with zeros in place (PyTorch 1.13's default). `fn` names the caller in errors.
 */
export function zeroGrads(fn: string, params: readonly Tensor[], arg: SetToNone): void {
  const setToNone = isRecord(arg) ? (checkOptions<{ setToNone?: boolean }>(fn, arg, ['setToNone']).setToNone ?? true) : arg;
  if (typeof setToNone !== 'boolean') throw new ValueError(fn, `setToNone must be a boolean, got ${fmtValue(setToNone)}`);
  // Inside wg.compile: cleared gradients let the program use its own buffers whatever it finds;
  // zeroed ones are filled by a record of the program, so a replay needs the very same tensors.
  if (sink.mode !== 'off')
    for (const p of params) {
      if (setToNone) sink.gradCleared(p);
      else sink.gradRead(p, p.grad);
    }
  for (const p of params) {
    const g = p.peekGrad();
    if (g === null) continue;
    if (setToNone || !g.storage.alive) p.grad = null;
    else {
      g.storage.version++;
      launch(g.storage.backend, [fillRecord(g.storage.ptr, g.size, 0)], 0, fn);
      if (sink.mode !== 'off') {
        sink.uses(g.storage);
        sink.bump(g.storage);
      }
    }
  }
}
