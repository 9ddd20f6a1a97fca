/**
 * PyTorch's two other ways of passing a function's arguments, for the functions whose wasmgrad form
 * takes some arguments positionally and the rest in a trailing options object, `f(x, a, {b, c})`:
 *
 *  - torch's positional form, every argument in torch's order: `f(x, a, b, c)`
 *    (F.elu(x, 0.5), F.conv2d(x, w, b, 2, 1), F.pad(x, [1, 1], 'constant', 0));
 *  - torch's keyword form, any argument by its (camelCased) name in the last object:
 *    `f(x, {a, c})`, `f(x, a, {b})` (torch.sum(x, dim=0, keepdim=True) → wg.sum(x, {dim: 0, keepdim: true})).
 *
 * Each such function is declared once (`TorchSignature`, src/api/torch-forms.ts); `torchForm` wraps
 * the implementation, rewrites either form into the implementation's own and leaves that own form
 * untouched. Arguments beyond torch's, or an argument given twice, are ValueErrors instead of being
 * ignored.
 */
import { isRecord } from '../engine/check.js';
import { ValueError, fmtValue } from '../errors.js';

export interface TorchSignature {
  /** How many leading arguments pass through unchanged (the tensor inputs; default 1). */
  inputs?: number;
  /** The parameters after the inputs that the implementation takes positionally, in torch's order. */
  positional: readonly string[];
  /** torch's later positional parameters, which the implementation reads from its options object. */
  options?: readonly string[];
  /** torch's keyword-only parameters (after `*`), also read from the options object. */
  keywordOnly?: readonly string[];
  /** The options whose None is a value rather than the default (BatchNorm's momentum None: a cumulative average): null is passed on. */
  keepNull?: readonly string[];
}

/** The torch keyword object: any of the named parameters, by camelCase name. */
export type Keywords<N extends string> = { readonly [K in N]?: unknown };

/** Adds the keyword form to F's own signatures (TypeScript sees the named keys; torch's positional form is JavaScript's). */
export type WithKeywords<F extends (...args: never[]) => unknown, N extends string> = F &
  ((...args: [...unknown[], Keywords<N>]) => F extends (...args: never[]) => infer R ? R : never);

export function torchForm<
  F extends (...args: never[]) => unknown,
  const P extends readonly string[],
  const O extends readonly string[] = [],
  const K extends readonly string[] = [],
>(name: string, impl: F, sig: TorchSignature & { positional: P; options?: O; keywordOnly?: K }): WithKeywords<F, P[number] | O[number] | K[number]> {
  const call = impl as unknown as (...args: unknown[]) => unknown;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    return call.apply(this, torchArgs(name, args, sig) as unknown[]);
  };
  return wrapped as unknown as WithKeywords<F, P[number] | O[number] | K[number]>;
}

/** The arguments of a call in any of the three forms, rewritten into the implementation's own (the same array if they are in it). */
export function torchArgs(name: string, args: readonly unknown[], sig: TorchSignature): readonly unknown[] {
  const inputs = sig.inputs ?? 1;
  const rest = args.slice(inputs);
  const last = rest[rest.length - 1];
  const keywords = isRecord(last) ? (last as Record<string, unknown>) : undefined;
  const given = keywords === undefined ? rest : rest.slice(0, -1);
  if (given.some(isRecord)) throw new ValueError(name, `the options object must be the last argument, got ${fmtValue(rest)}`);
  // The implementation's own form: its positional arguments, then its options object.
  if (
    keywords === undefined
      ? given.length <= sig.positional.length
      : given.length === sig.positional.length && !Object.keys(keywords).some((k) => sig.positional.includes(k))
  )
    return args;
  const options = sig.options ?? [];
  const order = [...sig.positional, ...options];
  const optionNames = [...options, ...(sig.keywordOnly ?? [])];
  const known = [...order, ...(sig.keywordOnly ?? [])];
  if (given.length > order.length) {
    const after = inputs === 0 ? '' : ` after the input${inputs === 1 ? '' : 's'}`;
    throw new ValueError(name, `takes ${order.length} argument${order.length === 1 ? '' : 's'}${after} (${order.join(', ')}), got ${given.length}`);
  }
  const values = new Map<string, unknown>(given.map((v, i) => [order[i], v]));
  const unknown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(keywords ?? {})) {
    if (values.has(k)) throw new ValueError(name, `got '${k}' both as an argument and as an option`);
    if (known.includes(k)) values.set(k, v);
    else if (optionNames.length > 0)
      unknown[k] = v; // the implementation's own options: it checks them
    else throw new ValueError(name, `unknown option '${k}' (the options are ${known.join(', ')})`);
  }
  const positional = sig.positional.map((k) => values.get(k));
  const opts: Record<string, unknown> = { ...unknown };
  // torch's None is the default (but for the options it means something else): an option given as null is left out.
  for (const k of optionNames) if (values.get(k) !== undefined && (values.get(k) !== null || sig.keepNull?.includes(k))) opts[k] = values.get(k);
  if (Object.keys(opts).length > 0) return [...args.slice(0, inputs), ...positional, opts];
  while (positional.length > 0 && positional[positional.length - 1] === undefined) positional.pop();
  return [...args.slice(0, inputs), ...positional];
}
