/**
 * torch.distributions.utils: broadcasting parameters, probabilities ↔ logits, and torch's
 * lazy_property (a value computed on first use, e.g. `probs` of a distribution given `logits`).
 */
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { tensor } from '../api/creation.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { sameShape } from '../ops/types.js';

/** float32's machine epsilon (torch.finfo(torch.float32).eps): every distribution computes in float32. */
export const FLOAT32_EPS = 2 ** -23;
/** float32's smallest normal number (torch.finfo(torch.float32).tiny). */
export const FLOAT32_TINY = 2 ** -126;

/**
 * The values broadcast to one shape (torch's broadcast_all): numbers become float32 tensors,
 * tensors are expanded (differentiably). `fn` names the caller in errors.
 */
export function broadcastAll(fn: string, ...values: readonly (Tensor | number)[]): Tensor[] {
  values.forEach((v, i) => {
    if (!(v instanceof Tensor) && typeof v !== 'number')
      throw new ValueError(fn, `Input arguments must all be instances of Number or Tensor, got ${fmtValue(v)} as argument ${i}`);
    if (v instanceof Tensor) v.assertAlive(fn);
  });
  const shape = broadcastShapes(
    fn,
    values.map((v) => (v instanceof Tensor ? v.shape : [])),
  );
  return values.map((v) => {
    const t = v instanceof Tensor ? v : tensor(v);
    return sameShape(t.shape, shape) ? t : t.expand(shape);
  });
}

/** A number or a tensor as a tensor (float32). */
export const asTensor = (v: Tensor | number): Tensor => (v instanceof Tensor ? v : tensor(v));

/** Probabilities clamped to [eps, 1 − eps] (torch's clamp_probs, float32's eps). */
export function clampProbs(probs: Tensor): Tensor {
  return probs.clamp(FLOAT32_EPS, 1 - FLOAT32_EPS);
}

/**
 * Logits of probabilities: log p − log1p(−p) of clamped p for a binary event, else log p (each
 * row along the last dim a categorical distribution).
 */
export function probsToLogits(probs: Tensor, isBinary = false): Tensor {
  const p = clampProbs(probs);
  return isBinary ? p.log().sub(p.neg().log1p()) : p.log();
}

/** Probabilities of logits: sigmoid for a binary event, else softmax over the last dim. */
export function logitsToProbs(logits: Tensor, isBinary = false): Tensor {
  return isBinary ? logits.sigmoid() : logits.softmax(-1);
}

/** Sums the `dim` rightmost dims (torch's _sum_rightmost). */
export function sumRightmost(value: Tensor, dim: number): Tensor {
  if (dim === 0) return value;
  return value.reshape([...value.shape.slice(0, value.ndim - dim), -1]).sum(-1);
}

const LAZY = Symbol('wasmgrad.lazyProperty');

/**
 * torch's lazy_property: installs on `proto` a getter `name` that computes `compute(this)` on first
 * use and stores it as the instance's own property (later reads are a plain field). A constructor
 * that is given the value sets it with `setOwn`. Distribution's argument validation skips a lazy
 * parameter not computed yet, as torch's.
 */
export function lazyProperty<T extends object>(proto: T, name: string, compute: (self: T) => unknown): void {
  const get = function (this: T) {
    const value = compute(this);
    setOwn(this, name, value);
    return value;
  };
  Object.defineProperty(get, LAZY, { value: true });
  Object.defineProperty(proto, name, { get, configurable: true, enumerable: false });
}

/** Sets `name` as an own, writable property of `obj` (a lazy property's value, or a parameter). */
export function setOwn(obj: object, name: string, value: unknown): void {
  Object.defineProperty(obj, name, { value, writable: true, configurable: true, enumerable: true });
}

/** Whether `name` is a lazy property of `obj` that was not computed (nor given) yet. */
export function isLazyPending(obj: object, name: string): boolean {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return false;
  for (let p = Object.getPrototypeOf(obj); p !== null; p = Object.getPrototypeOf(p)) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d) return typeof d.get === 'function' && LAZY in d.get;
  }
  return false;
}
