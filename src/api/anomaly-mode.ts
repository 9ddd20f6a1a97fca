/**
 * torch.autograd's anomaly-detection switches (detect_anomaly, set_detect_anomaly) over the mode of
 * src/engine/anomaly.ts: torch's `with` blocks take the block as a function, as wg.noGrad(fn).
 */
import { anomaly, setAnomalyEnabled } from '../engine/anomaly.js';
import { checkFunction } from '../engine/check.js';
import { ValueError, fmtValue } from '../errors.js';
import { inBlock } from './grad-mode.js';

export { setAnomalyEnabled, isAnomalyEnabled, isAnomalyCheckNanEnabled } from '../engine/anomaly.js';

/** Switches the mode to (mode, checkNan) and returns the restore of the one before. */
function switchTo(mode: boolean, checkNan: boolean): () => void {
  const prev = { ...anomaly };
  setAnomalyEnabled(mode, checkNan);
  return () => setAnomalyEnabled(prev.enabled, prev.checkNan);
}

function checkNanArg(fn: string, checkNan: unknown): asserts checkNan is boolean {
  if (typeof checkNan !== 'boolean') throw new ValueError(fn, `checkNan must be a boolean, got ${fmtValue(checkNan)}`);
}

/**
 * torch.autograd.detect_anomaly(check_nan=True) as a block: fn runs with anomaly detection on and
 * the previous mode is restored after it (also when it throws). Returns fn's result.
 */
export function detectAnomaly<T>(fn: () => T, checkNan = true): T {
  checkNanArg('autograd.detectAnomaly', checkNan);
  return inBlock('autograd.detectAnomaly', fn, () => switchTo(true, checkNan));
}

/**
 * torch.autograd.set_detect_anomaly(mode, check_nan=True) in its two uses: without fn it switches
 * the mode until switched back (torch's call without `with`); with fn (last), fn runs in that mode
 * and the previous one is restored, as `with set_detect_anomaly(mode):`.
 */
export function setDetectAnomaly(mode: boolean, checkNan?: boolean): void;
export function setDetectAnomaly<T>(mode: boolean, fn: () => T): T;
export function setDetectAnomaly<T>(mode: boolean, checkNan: boolean, fn: () => T): T;
export function setDetectAnomaly<T>(mode: boolean, second?: boolean | (() => T), third?: () => T): T | void {
  const fn = 'autograd.setDetectAnomaly';
  if (typeof mode !== 'boolean') throw new ValueError(fn, `mode must be a boolean, got ${fmtValue(mode)}`);
  const block = typeof second === 'function' ? second : third;
  const checkNan = typeof second === 'function' || second === undefined ? true : second;
  checkNanArg(fn, checkNan);
  if (block === undefined) return setAnomalyEnabled(mode, checkNan);
  checkFunction(fn, 'fn', block);
  return inBlock(fn, block, () => switchTo(mode, checkNan));
}
