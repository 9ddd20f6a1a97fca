/** wg.setPrintoptions: torch.set_printoptions over the tensor printing of src/engine/format.ts. */
import { checkOptions } from '../engine/check.js';
import { DEFAULT_PRINT_OPTIONS, printOptions, type PrintOptions } from '../engine/format.js';
import { ValueError, fmtValue } from '../errors.js';

export interface PrintOptionsGiven {
  /** Digits after the point (fixed) or of the mantissa (scientific); default 4. */
  precision?: number;
  /** More elements than this are summarised (Infinity: never); default 1000. */
  threshold?: number;
  /** Items shown at each end of every dim of a summarised tensor; default 3. */
  edgeitems?: number;
  /** Characters per line before a row wraps; default 80. */
  linewidth?: number;
  /** Presets applied first: 'default', 'short' (precision 2, edgeitems 2) or 'full' (threshold Infinity). */
  profile?: 'default' | 'short' | 'full';
  /** true / false forces scientific / fixed notation; null or omitted lets the formatter choose. */
  sciMode?: boolean | null;
}

const PROFILES: Record<string, Partial<PrintOptions>> = {
  default: { ...DEFAULT_PRINT_OPTIONS },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
};

/**
 * torch.set_printoptions({precision, threshold, edgeitems, linewidth, profile, sciMode}): a profile
 * first, then the options given; sciMode is reset to the formatter's choice unless given (as torch,
 * every call sets it). `profile: 'default'` restores the defaults.
 */
export function setPrintoptions(options: PrintOptionsGiven): void {
  const fn = 'setPrintoptions';
  const o = checkOptions<PrintOptionsGiven>(fn, options ?? null, ['precision', 'threshold', 'edgeitems', 'linewidth', 'profile', 'sciMode']);
  const int = (k: 'precision' | 'edgeitems' | 'linewidth', lo: number, hi: number) => {
    const v = o[k];
    if (v !== undefined && (!Number.isInteger(v) || v < lo || v > hi))
      throw new ValueError(fn, `${k} must be an integer in [${lo}, ${hi}], got ${fmtValue(v)}`);
  };
  int('precision', 0, 100); // JavaScript's toFixed / toExponential write at most 100 digits
  int('edgeitems', 1, 2 ** 31 - 1);
  int('linewidth', 1, 2 ** 31 - 1);
  if (o.threshold !== undefined && (typeof o.threshold !== 'number' || Number.isNaN(o.threshold) || o.threshold < 0))
    throw new ValueError(fn, `threshold must be a number ≥ 0 (Infinity: never summarise), got ${fmtValue(o.threshold)}`);
  if (o.profile !== undefined && !(o.profile in PROFILES)) throw new ValueError(fn, `profile must be 'default', 'short' or 'full', got ${fmtValue(o.profile)}`);
  if (o.sciMode !== undefined && o.sciMode !== null && typeof o.sciMode !== 'boolean')
    throw new ValueError(fn, `sciMode must be a boolean or null, got ${fmtValue(o.sciMode)}`);
  if (o.profile !== undefined) Object.assign(printOptions, PROFILES[o.profile]);
  for (const k of ['precision', 'threshold', 'edgeitems', 'linewidth'] as const) if (o[k] !== undefined) printOptions[k] = o[k];
  printOptions.sciMode = o.sciMode ?? null;
}
