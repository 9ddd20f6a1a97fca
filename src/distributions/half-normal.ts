/** torch.distributions.HalfNormal: |X|, X ~ Normal(0, scale). */
import type { Tensor } from '../engine/tensor.js';
import type { DistributionOptions } from './distribution.js';
import { HalfDistribution } from './half.js';
import { Normal } from './normal.js';

export class HalfNormal extends HalfDistribution<Normal> {
  constructor(scale: Tensor | number, opts: DistributionOptions = {}) {
    super(new Normal(0, scale, { validateArgs: false }), opts);
  }
  override get typeName(): string {
    return 'HalfNormal';
  }
  /** σ·√(2/π). */
  override get mean(): Tensor {
    return this.scale.mul(Math.sqrt(2 / Math.PI));
  }
  /** σ²(1 − 2/π). */
  override get variance(): Tensor {
    return this.scale.pow(2).mul(1 - 2 / Math.PI);
  }
}
