/**
 * torch.distributions.kl: KL(p ‖ q) dispatched on the pair of classes. A function registered for
 * (P, Q) serves every (p, q) with p an instance of P and q of Q; among several, the most specific
 * pair wins, as torch's `_dispatch_kl`: the least in the order "P₁ is a subclass of P₂, then (if
 * P₁ is P₂) Q₁ of Q₂", ties kept in registration order. Results are memoized per pair of classes
 * and the memo is cleared by each registration.
 */
import type { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { Distribution } from './distribution.js';
import { NotImplementedError } from './errors.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor signature: a class, not how it is built
export type DistributionClass<D extends Distribution = Distribution> = abstract new (...args: any[]) => D;
export type KlFn<P extends Distribution, Q extends Distribution> = (p: P, q: Q) => Tensor;
type AnyKl = KlFn<Distribution, Distribution>;
type Pair = [DistributionClass, DistributionClass];

const registry = new Map<DistributionClass, Map<DistributionClass, AnyKl>>();
const memo = new Map<DistributionClass, Map<DistributionClass, AnyKl | null>>();

const isSubclass = (a: DistributionClass, b: DistributionClass): boolean => a === b || a.prototype instanceof b;

function checkClass(name: string, c: unknown): DistributionClass {
  if (typeof c !== 'function' || !(c === Distribution || c.prototype instanceof Distribution))
    throw new ValueError('distributions.registerKl', `Expected ${name} to be a Distribution subclass but got ${fmtValue(c)}`);
  return c as DistributionClass;
}

/**
 * Registers `fn` as KL(p ‖ q) for p of class P and q of class Q (torch's register_kl). Also torch's
 * decorator-like form: `registerKl(P, Q)(fn)`, which returns fn.
 */
export function registerKl<P extends Distribution, Q extends Distribution>(
  typeP: DistributionClass<P>,
  typeQ: DistributionClass<Q>,
  fn: KlFn<P, Q>,
): KlFn<P, Q>;
export function registerKl<P extends Distribution, Q extends Distribution>(
  typeP: DistributionClass<P>,
  typeQ: DistributionClass<Q>,
): (fn: KlFn<P, Q>) => KlFn<P, Q>;
export function registerKl<P extends Distribution, Q extends Distribution>(
  typeP: DistributionClass<P>,
  typeQ: DistributionClass<Q>,
  fn?: KlFn<P, Q>,
): KlFn<P, Q> | ((fn: KlFn<P, Q>) => KlFn<P, Q>) {
  const p = checkClass('typeP', typeP),
    q = checkClass('typeQ', typeQ);
  const register = (f: KlFn<P, Q>): KlFn<P, Q> => {
    if (typeof f !== 'function') throw new ValueError('distributions.registerKl', `expects a function (p, q) => Tensor, got ${fmtValue(f)}`);
    if (!registry.has(p)) registry.set(p, new Map());
    registry.get(p)!.set(q, f as unknown as AnyKl);
    memo.clear();
    return f;
  };
  return fn === undefined ? register : register(fn);
}

/** a before b in torch's _Match order: each class a subclass of the other's, compared left to right until one differs. */
function le(a: readonly DistributionClass[], b: readonly DistributionClass[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (!isSubclass(a[i], b[i])) return false;
    if (a[i] !== b[i]) break;
  }
  return true;
}
const lt = (a: readonly DistributionClass[], b: readonly DistributionClass[]) => le(a, b) && !(a[0] === b[0] && a[1] === b[1]);

/** The least of `items` (the first of equals), as Python's min over a total order. */
function least(items: readonly Pair[]): Pair {
  let best = items[0];
  for (const m of items.slice(1)) if (lt(m, best)) best = m;
  return best;
}

function dispatch(typeP: DistributionClass, typeQ: DistributionClass): AnyKl | null {
  const matches: Pair[] = [];
  for (const [sp, qs] of registry) for (const sq of qs.keys()) if (isSubclass(typeP, sp) && isSubclass(typeQ, sq)) matches.push([sp, sq]);
  if (matches.length === 0) return null;
  const [leftP, leftQ] = least(matches);
  const [rightQ, rightP] = least(matches.map(([a, b]) => [b, a]));
  const leftFn = registry.get(leftP)!.get(leftQ)!;
  if (leftFn !== registry.get(rightP)!.get(rightQ))
    console.warn(`wasmgrad.distributions.klDivergence: ambiguous kl_divergence(${typeP.name}, ${typeQ.name}); register the pair with registerKl to choose`);
  return leftFn;
}

/** KL(p ‖ q), of shape batchShape (NotImplementedError when no registered pair covers their classes). */
export function klDivergence(p: Distribution, q: Distribution): Tensor {
  if (!(p instanceof Distribution) || !(q instanceof Distribution))
    throw new ValueError('distributions.klDivergence', `expects two distributions, got ${fmtValue(p)} and ${fmtValue(q)}`);
  const typeP = p.constructor as DistributionClass,
    typeQ = q.constructor as DistributionClass;
  if (!memo.has(typeP)) memo.set(typeP, new Map());
  const row = memo.get(typeP)!;
  if (!row.has(typeQ)) row.set(typeQ, dispatch(typeP, typeQ));
  const fn = row.get(typeQ)!;
  if (fn === null)
    throw new NotImplementedError('distributions.klDivergence', `No KL(p || q) is implemented for p type ${p.typeName} and q type ${q.typeName}`);
  return fn(p, q);
}
