/**
 * Argument checks shared by the public functions: each throws the typed error of src/errors.ts
 * naming the function, the argument and the value given.
 */
import { ValueError, fmtValue } from '../errors.js';
import { fmtShape, sizeOf } from '../ops/types.js';
import { Tensor } from './tensor.js';

export { checkBool } from '../ops/types.js';

/** Throws unless v is a Tensor (ValueError) whose storage is alive (RecycledTensorError). */
export function checkTensor(fn: string, what: string, v: unknown): asserts v is Tensor {
  if (!(v instanceof Tensor)) throw new ValueError(fn, `${what} must be a Tensor, got ${fmtValue(v)}`);
  v.assertAlive(fn);
}

/** An object that can hold options or named fields: not null, an array, a typed array or a Tensor. */
export function isRecord(v: unknown): v is object {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof Tensor);
}

/**
 * An options argument: undefined (no options) or an object (isRecord) whose keys are all in
 * `known`. Returns it (an empty object for undefined).
 */
export function checkOptions<T extends object = Record<string, unknown>>(fn: string, opts: unknown, known: readonly string[]): T {
  if (opts === undefined) return {} as T;
  if (!isRecord(opts)) throw new ValueError(fn, `options must be an object${known.length > 0 ? ` { ${known.join(', ')} }` : ''}, got ${fmtValue(opts)}`);
  for (const k of Object.keys(opts))
    if (!known.includes(k)) throw new ValueError(fn, `unknown option '${k}' (the options are ${known.length > 0 ? known.join(', ') : 'none'})`);
  return opts as T;
}

/** Throws a ValueError unless v is a function. */
export function checkFunction(fn: string, name: string, v: unknown): asserts v is (...args: never[]) => unknown {
  if (typeof v !== 'function') throw new ValueError(fn, `${name} must be a function, got ${fmtValue(v)}`);
}

/**
 * Checks the function of a grad-mode block (wg.noGrad(fn), enableGrad, inferenceMode): it runs at
 * once with no arguments, as torch's `with torch.no_grad():`. One that declares parameters was
 * meant as torch's decorator `@torch.no_grad()` and would run with them undefined.
 */
export function checkBlock(fn: string, v: unknown): asserts v is () => unknown {
  checkFunction(fn, 'fn', v);
  if (v.length > 0)
    throw new ValueError(
      fn,
      `runs fn at once with no arguments (torch's \`with\` block), got a function of ${v.length} parameter${v.length === 1 ? '' : 's'}; for torch's decorator form wrap the call: (...args) => wg.${fn}(() => f(...args))`,
    );
}

/**
 * Checks int32 indices before a kernel trusts them: each in [0, n), or in [-n, n) with `wrap`
 * (negatives count from the end). Reading int32 values is allowed inside wg.compile for inputs
 * of the function (a replay checks them against the values a JS run validated). Out of range: a
 * ValueError naming the value, its position among the indices, `target` and the valid range.
 */
export function checkIndices(fn: string, idx: Tensor, n: number, target: string, wrap = false): void {
  const v = idx.rawValues();
  const lo = wrap ? -n : 0;
  for (let p = 0; p < v.length; p++) {
    if (v[p] >= lo && v[p] < n) continue;
    const at = idx.shape.map((_, k) => Math.floor(p / sizeOf(idx.shape.slice(k + 1))) % idx.shape[k]);
    throw new ValueError(
      fn,
      `index ${v[p]} at position ${fmtShape(at)} of indices ${fmtShape(idx.shape)} is out of range for ${target} (valid: ${n > 0 ? `${lo}..${n - 1}` : 'none, it is empty'})`,
    );
  }
}
