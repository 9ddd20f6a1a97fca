/** torch.distributions.LogNormal: exp(X), X ~ Normal(loc, scale). */
import type { Tensor } from '../engine/tensor.js';
import { positive, real, type Constraint } from './constraints.js';
import type { DistributionOptions } from './distribution.js';
import { Normal } from './normal.js';
import { TransformedDistribution } from './transformed-distribution.js';
import { ExpTransform } from './transforms-elementwise.js';

export class LogNormal extends TransformedDistribution {
  declare readonly baseDist: Normal;
  constructor(loc: Tensor | number, scale: Tensor | number, opts: DistributionOptions = {}) {
    super(new Normal(loc, scale, opts), new ExpTransform(), opts);
  }
  override get typeName(): string {
    return 'LogNormal';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { loc: real, scale: positive };
  }
  override get support(): Constraint {
    return positive;
  }
  override get hasRsample(): boolean {
    return true;
  }
  get loc(): Tensor {
    return this.baseDist.loc;
  }
  get scale(): Tensor {
    return this.baseDist.scale;
  }
  /** exp(μ + σ²/2). */
  override get mean(): Tensor {
    return this.loc.add(this.scale.pow(2).div(2)).exp();
  }
  /** exp(μ − σ²). */
  override get mode(): Tensor {
    return this.loc.sub(this.scale.square()).exp();
  }
  /** (exp σ² − 1)·exp(2μ + σ²). */
  override get variance(): Tensor {
    const s2 = this.scale.pow(2);
    return s2.exp().sub(1).mul(this.loc.mul(2).add(s2).exp());
  }
  override entropy(): Tensor {
    return this.baseDist.entropy().add(this.loc);
  }
}
