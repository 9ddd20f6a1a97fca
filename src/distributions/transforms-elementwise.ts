/**
 * torch.distributions.transforms of PyTorch 1.13 acting elementwise: Exp, Power, Sigmoid, Softplus,
 * Tanh, Abs, Affine and CumulativeDistribution (a distribution's cdf).
 */
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { full } from '../api/creation.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { Interval, independent, positive, real, unitInterval, type Constraint } from './constraints.js';
import type { Distribution } from './distribution.js';
import { Transform, type CacheSize } from './transform.js';
import { FLOAT32_EPS, FLOAT32_TINY, broadcastAll } from './utils.js';

/**
 * A parameterless, increasing bijection of the reals onto its codomain, acting elementwise (Exp,
 * Sigmoid, Softplus, Tanh): domain real, bijective, sign +1, and equal to any instance of its class
 * (torch's `isinstance(other, Cls)` __eq__).
 */
abstract class RealBijection extends Transform {
  override get domain(): Constraint {
    return real;
  }
  override get bijective(): boolean {
    return true;
  }
  override get sign(): number {
    return 1;
  }
  override equals(other: Transform): boolean {
    return other instanceof (this.constructor as abstract new (...args: never[]) => Transform);
  }
}

/** y = exp(x). */
export class ExpTransform extends RealBijection {
  override get typeName(): string {
    return 'ExpTransform';
  }
  override get codomain(): Constraint {
    return positive;
  }
  protected override _call(x: Tensor): Tensor {
    return x.exp();
  }
  protected override _inverse(y: Tensor): Tensor {
    return y.log();
  }
  override logAbsDetJacobian(x: Tensor): Tensor {
    return x;
  }
}

/** y = x^exponent on the positive reals. */
export class PowerTransform extends Transform {
  readonly exponent: Tensor;
  constructor(exponent: Tensor | number, cacheSize: CacheSize = 0) {
    super(cacheSize);
    [this.exponent] = broadcastAll('distributions.transforms.PowerTransform', exponent);
  }
  override get typeName(): string {
    return 'PowerTransform';
  }
  override get domain(): Constraint {
    return positive;
  }
  override get codomain(): Constraint {
    return positive;
  }
  override get bijective(): boolean {
    return true;
  }
  override get sign(): number {
    return 1;
  }
  override withCache(cacheSize: CacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new PowerTransform(this.exponent, cacheSize);
  }
  override equals(other: Transform): boolean {
    return other instanceof PowerTransform && this.exponent.eq(other.exponent).all().item() === 1;
  }
  protected override _call(x: Tensor): Tensor {
    return x.pow(this.exponent);
  }
  protected override _inverse(y: Tensor): Tensor {
    return y.pow(this.exponent.reciprocal());
  }
  /** log |e·y/x| (= log |e·x^(e−1)|, from the pair as torch). */
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    return this.exponent.mul(y).div(x).abs().log();
  }
  override forwardShape(shape: readonly number[]): number[] {
    return broadcastShapes(this.fnName('forwardShape'), [shape, this.exponent.shape]);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return broadcastShapes(this.fnName('inverseShape'), [shape, this.exponent.shape]);
  }
}

/** sigmoid clamped to [tiny, 1 − eps] of float32 (torch's _clipped_sigmoid): finite logits at both ends. */
export const clippedSigmoid = (x: Tensor): Tensor => x.sigmoid().clamp(FLOAT32_TINY, 1 - FLOAT32_EPS);

/** y = sigmoid(x), x = logit(y) (both clipped to float32's range, as torch). */
export class SigmoidTransform extends RealBijection {
  override get typeName(): string {
    return 'SigmoidTransform';
  }
  override get codomain(): Constraint {
    return unitInterval;
  }
  protected override _call(x: Tensor): Tensor {
    return clippedSigmoid(x);
  }
  protected override _inverse(y: Tensor): Tensor {
    const c = y.clamp(FLOAT32_TINY, 1 - FLOAT32_EPS);
    return c.log().sub(c.neg().log1p());
  }
  /** log σ'(x) = −softplus(−x) − softplus(x). */
  override logAbsDetJacobian(x: Tensor): Tensor {
    return x.neg().softplus().neg().sub(x.softplus());
  }
}

/** y = softplus(x) = log(1 + eˣ) (linear above 20, as torch's softplus). */
export class SoftplusTransform extends RealBijection {
  override get typeName(): string {
    return 'SoftplusTransform';
  }
  override get codomain(): Constraint {
    return positive;
  }
  protected override _call(x: Tensor): Tensor {
    return x.softplus();
  }
  /** x = log(1 − e^(−y)) + y, the form that stays accurate for large y. */
  protected override _inverse(y: Tensor): Tensor {
    return y.neg().expm1().neg().log().add(y);
  }
  /** log σ(x) = −softplus(−x). */
  override logAbsDetJacobian(x: Tensor): Tensor {
    return x.neg().softplus().neg();
  }
}

/** (−1, 1) with float bounds, printed -1.0 and 1.0 as torch's `interval(-1.0, 1.0)`. */
const TANH_CODOMAIN = /* @__PURE__ */ new Interval(-1, 1, true);

/** y = tanh(x). */
export class TanhTransform extends RealBijection {
  override get typeName(): string {
    return 'TanhTransform';
  }
  override get codomain(): Constraint {
    return TANH_CODOMAIN;
  }
  protected override _call(x: Tensor): Tensor {
    return x.tanh();
  }
  protected override _inverse(y: Tensor): Tensor {
    return y.atanh();
  }
  /** log(1 − tanh²x) = 2(log 2 − x − softplus(−2x)), stable for large |x| (torch's form). */
  override logAbsDetJacobian(x: Tensor): Tensor {
    return x.neg().sub(x.mul(-2).softplus()).add(Math.LN2).mul(2);
  }
}

/** y = |x| (not bijective: the inverse is the identity, no log-det). */
export class AbsTransform extends Transform {
  override get typeName(): string {
    return 'AbsTransform';
  }
  override get domain(): Constraint {
    return real;
  }
  override get codomain(): Constraint {
    return positive;
  }
  override equals(other: Transform): boolean {
    return other instanceof AbsTransform;
  }
  protected override _call(x: Tensor): Tensor {
    return x.abs();
  }
  protected override _inverse(y: Tensor): Tensor {
    return y;
  }
}

/** Equality of two parameters as torch's AffineTransform.__eq__: numbers by value, else all elements equal. */
function paramEqual(a: Tensor | number, b: Tensor | number): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  const [t, o] = a instanceof Tensor ? [a, b] : [b as Tensor, a];
  return t.eq(o).all().item() === 1;
}

/** y = loc + scale·x, elementwise, with `eventDim` rightmost dims forming one event (the log-det summed over them). */
export class AffineTransform extends Transform {
  constructor(
    readonly loc: Tensor | number,
    readonly scale: Tensor | number,
    private readonly _eventDim = 0,
    cacheSize: CacheSize = 0,
  ) {
    super(cacheSize);
    const fn = 'distributions.transforms.AffineTransform';
    for (const [what, v] of [
      ['loc', loc],
      ['scale', scale],
    ] as const)
      if (!(v instanceof Tensor) && typeof v !== 'number') throw new ValueError(fn, `${what} must be a Tensor or a number, got ${fmtValue(v)}`);
    if (!Number.isInteger(_eventDim) || _eventDim < 0) throw new ValueError(fn, `event_dim must be an integer ≥ 0, got ${fmtValue(_eventDim)}`);
  }
  override get typeName(): string {
    return 'AffineTransform';
  }
  override get eventDim(): number {
    return this._eventDim;
  }
  override get domain(): Constraint {
    return this._eventDim === 0 ? real : independent(real, this._eventDim);
  }
  override get codomain(): Constraint {
    return this.domain;
  }
  override get bijective(): boolean {
    return true;
  }
  override withCache(cacheSize: CacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new AffineTransform(this.loc, this.scale, this._eventDim, cacheSize);
  }
  override equals(other: Transform): boolean {
    return other instanceof AffineTransform && paramEqual(this.loc, other.loc) && paramEqual(this.scale, other.scale);
  }
  /** A number's sign for a number scale, else the tensor scale.sign(). */
  override get sign(): number | Tensor {
    if (typeof this.scale === 'number') return this.scale > 0 ? 1 : this.scale < 0 ? -1 : 0;
    return this.scale.sign();
  }
  protected override _call(x: Tensor): Tensor {
    return x.mul(this.scale).add(this.loc);
  }
  protected override _inverse(y: Tensor): Tensor {
    return y.sub(this.loc).div(this.scale);
  }
  /** log |scale| per element (summed over the event dims), expanded to x's batch shape. */
  override logAbsDetJacobian(x: Tensor): Tensor {
    let shape = x.shape;
    let result = typeof this.scale === 'number' ? full(shape, Math.log(Math.abs(this.scale))) : this.scale.abs().log();
    if (this._eventDim) {
      result = result.reshape([...result.shape.slice(0, result.ndim - this._eventDim), -1]).sum(-1);
      shape = shape.slice(0, shape.length - this._eventDim);
    }
    return result.expand(shape);
  }
  override forwardShape(shape: readonly number[]): number[] {
    return broadcastShapes(this.fnName('forwardShape'), [shape, ...[this.loc, this.scale].map((p) => (p instanceof Tensor ? p.shape : []))]);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.forwardShape(shape);
  }
}

/** y = F(x), the cdf of `distribution` (its icdf the inverse, its density the Jacobian). */
export class CumulativeDistributionTransform extends Transform {
  constructor(
    readonly distribution: Distribution,
    cacheSize: CacheSize = 0,
  ) {
    super(cacheSize);
  }
  override get typeName(): string {
    return 'CumulativeDistributionTransform';
  }
  override get domain(): Constraint {
    return this.distribution.support;
  }
  override get codomain(): Constraint {
    return unitInterval;
  }
  override get bijective(): boolean {
    return true;
  }
  override get sign(): number {
    return 1;
  }
  override withCache(cacheSize: CacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new CumulativeDistributionTransform(this.distribution, cacheSize);
  }
  protected override _call(x: Tensor): Tensor {
    return this.distribution.cdf(x);
  }
  protected override _inverse(y: Tensor): Tensor {
    return this.distribution.icdf(y);
  }
  override logAbsDetJacobian(x: Tensor): Tensor {
    return this.distribution.logProb(x);
  }
}
