/**
 * The shared part of HalfNormal and HalfCauchy: |X| for X symmetric about 0 (torch writes each in
 * full): density and cdf doubled on x ≥ 0, icdf at (p + 1)/2, entropy less log 2, mode 0.
 */
import type { Tensor } from '../engine/tensor.js';
import { zerosLike } from '../api/factories.js';
import { where } from '../api/integer.js';
import { nonnegative, positive, type Constraint } from './constraints.js';
import type { Distribution, DistributionOptions } from './distribution.js';
import { TransformedDistribution } from './transformed-distribution.js';
import { AbsTransform } from './transforms-elementwise.js';

/** A base of location 0 with a `scale`. */
type ScaledBase = Distribution & { readonly scale: Tensor };

export abstract class HalfDistribution<B extends ScaledBase> extends TransformedDistribution {
  declare readonly baseDist: B;
  constructor(base: B, opts: DistributionOptions) {
    super(base, new AbsTransform(), opts);
  }
  override get argConstraints(): Record<string, Constraint> {
    return { scale: positive };
  }
  override get support(): Constraint {
    return nonnegative;
  }
  override get hasRsample(): boolean {
    return true;
  }
  get scale(): Tensor {
    return this.baseDist.scale;
  }
  override get mode(): Tensor {
    return zerosLike(this.scale);
  }
  /** The base's density doubled on x ≥ 0, −∞ below. */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    return where(x.ge(0), this.baseDist.logProb(x).add(Math.LN2), -Infinity);
  }
  /** 2F(x) − 1. */
  override cdf(value: Tensor | number): Tensor {
    const x = this.checked(value, 'cdf');
    return this.baseDist.cdf(x).mul(2).sub(1);
  }
  override icdf(prob: Tensor | number): Tensor {
    return this.baseDist.icdf(this.unchecked(prob).add(1).div(2));
  }
  override entropy(): Tensor {
    return this.baseDist.entropy().sub(Math.LN2);
  }
}
