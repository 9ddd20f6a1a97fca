/**
 * Helpers the discrete distributions share: torch's `probs=None, logits=None` argument pair (given
 * positionally, with null for None, or by name in the trailing options object), the elementwise
 * binary cross entropy with logits, and masked assignment as torch's `t[mask] = v`.
 */
import { Tensor } from '../engine/tensor.js';
import { isRecord } from '../engine/check.js';
import { ValueError, fmtValue } from '../errors.js';
import { where } from '../api/integer.js';
import type { DistributionOptions } from './distribution.js';

/** The trailing options of a distribution parameterized by probs or logits. */
export interface ProbsOptions extends DistributionOptions {
  probs?: Tensor | number | null;
  logits?: Tensor | number | null;
}

/** The one of probs / logits given (by position, null for None, or by name in `opts`), and validateArgs. */
export interface ProbsOrLogits {
  probs?: Tensor | number;
  logits?: Tensor | number;
  validateArgs?: boolean;
}

/**
 * Reads torch's `(probs=None, logits=None, validate_args=None)`: positional probs and logits (null
 * or undefined for None), or an options object in probs' or logits' place or after them.
 * "Either `probs` or `logits` must be specified, but not both." as torch otherwise.
 */
export function probsOrLogits(fn: string, probs: unknown, logits: unknown, opts: unknown): ProbsOrLogits {
  let o: unknown = opts;
  if (isRecord(probs) && !(probs instanceof Tensor) && logits === undefined && opts === undefined) [o, probs] = [probs, undefined];
  else if (isRecord(logits) && !(logits instanceof Tensor) && opts === undefined) [o, logits] = [logits, undefined];
  if (o !== undefined && !isRecord(o)) throw new ValueError(fn, `options must be an object { probs, logits, validateArgs }, got ${fmtValue(o)}`);
  const given = (o ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(given))
    if (!['probs', 'logits', 'validateArgs'].includes(k)) throw new ValueError(fn, `unknown option '${k}' (the options are probs, logits, validateArgs)`);
  const pick = (pos: unknown, name: string): unknown => {
    const named = given[name];
    if (pos != null && named != null) throw new ValueError(fn, `${name} is given both positionally and in the options`);
    return pos ?? named ?? undefined;
  };
  const p = pick(probs, 'probs'),
    l = pick(logits, 'logits');
  if ((p === undefined) === (l === undefined)) throw new ValueError(fn, 'Either `probs` or `logits` must be specified, but not both.');
  for (const [name, v] of [
    ['probs', p],
    ['logits', l],
  ] as const)
    if (v !== undefined && !(v instanceof Tensor) && typeof v !== 'number')
      throw new ValueError(fn, `${name} must be a Tensor or a number, got ${fmtValue(v)}`);
  return { probs: p as Tensor | number | undefined, logits: l as Tensor | number | undefined, validateArgs: given.validateArgs as boolean | undefined };
}

/**
 * torch's binary_cross_entropy_with_logits(logits, target, reduction='none'), elementwise:
 * softplus(l) − l·t (= −t·log σ(l) − (1 − t)·log(1 − σ(l))), with gradient σ(l) − t in l.
 */
export function bceWithLogits(logits: Tensor, target: Tensor): Tensor {
  return logits.softplus().sub(logits.mul(target));
}

/** `t` with `value` where `mask` is 1 (torch's `t[mask] = value` on a clone: no gradient flows there). */
export function setWhere(t: Tensor, mask: Tensor, value: number): Tensor {
  return where(mask, value, t);
}

/**
 * The params of a probs-or-logits distribution expanded to `shape` (torch's expand copies the
 * ones in `__dict__`, given or computed, and points `_param` at the last).
 */
export function expandedParams(d: object, shape: readonly number[], extra: Record<string, Tensor> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...extra };
  for (const name of ['probs', 'logits'])
    if (Object.prototype.hasOwnProperty.call(d, name)) out[name] = out._param = (d as Record<string, Tensor>)[name].expand(shape);
  return out;
}
