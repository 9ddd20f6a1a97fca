/** Checking a loaded state dict against what a model expects (for nn Module.loadStateDict and users). */
import { StateDictError } from '../errors.js';
import { checkOptions } from '../engine/check.js';
import { fmtShape, sameShape } from '../ops/types.js';
import { stateDictEntries, type StateDictSource } from './safetensors.js';

export interface StateDictMatchOptions {
  /** When true (default), missing and unexpected keys are errors, as in PyTorch's strict=True. */
  strict?: boolean;
  /** The function the error names: its message starts `wasmgrad.<fn>: ` (default 'assertStateDictMatches'). */
  fn?: string;
}

/**
 * Throws one StateDictError listing every difference between `expected` (a model or its state dict) and
 * `loaded`: missing keys, unexpected keys (both ignored when strict is false), and shape or dtype
 * mismatches of the keys both have. Returns normally when `loaded` can be copied into `expected`.
 */
export function assertStateDictMatches(expected: StateDictSource, loaded: StateDictSource, options?: StateDictMatchOptions): void {
  const opts = checkOptions<StateDictMatchOptions>('assertStateDictMatches', options, ['strict', 'fn']);
  const fn = opts.fn ?? 'assertStateDictMatches';
  const strict = opts.strict ?? true;
  const want = new Map(stateDictEntries(expected, fn));
  const got = new Map(stateDictEntries(loaded, fn));
  const problems: string[] = [];
  const missing = [...want.keys()].filter((k) => !got.has(k));
  const unexpected = [...got.keys()].filter((k) => !want.has(k));
  if (strict && missing.length > 0) problems.push(`missing key(s): ${missing.map((k) => `'${k}'`).join(', ')}`);
  if (strict && unexpected.length > 0) problems.push(`unexpected key(s): ${unexpected.map((k) => `'${k}'`).join(', ')}`);
  for (const [k, w] of want) {
    const g = got.get(k);
    if (g === undefined) continue;
    if (!sameShape(g.shape, w.shape))
      problems.push(`size mismatch for '${k}': the loaded tensor has shape ${fmtShape(g.shape)}, the model's is ${fmtShape(w.shape)}`);
    if (g.dtype !== w.dtype) problems.push(`dtype mismatch for '${k}': the loaded tensor is ${g.dtype}, the model's is ${w.dtype}`);
  }
  if (problems.length > 0) throw new StateDictError(fn, `the state dict does not match the model:\n  ${problems.join('\n  ')}`);
}
