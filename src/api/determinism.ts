/**
 * torch.use_deterministic_algorithms for ported code. Every wasmgrad kernel is deterministic
 * already (the same inputs give the same bits, run to run, with or without threads), so the
 * setting changes nothing and is only remembered.
 */
import { checkBool, checkOptions } from '../engine/check.js';
import { ValueError, fmtValue } from '../errors.js';

let enabled = false;

/** Accepted for PyTorch code (and its keyword `warnOnly`): wasmgrad's kernels are always deterministic. */
export function useDeterministicAlgorithms(mode: boolean, options?: { warnOnly?: boolean }): void {
  const fn = 'useDeterministicAlgorithms';
  if (typeof mode !== 'boolean') throw new ValueError(fn, `mode must be a boolean, got ${fmtValue(mode)}`);
  checkBool(fn, 'warnOnly', checkOptions<{ warnOnly?: boolean }>(fn, options, ['warnOnly']).warnOnly);
  enabled = mode;
}

/** The last mode given to useDeterministicAlgorithms (torch.are_deterministic_algorithms_enabled). */
export function areDeterministicAlgorithmsEnabled(): boolean {
  return enabled;
}
