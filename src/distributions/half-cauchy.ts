/** torch.distributions.HalfCauchy: |X|, X ~ Cauchy(0, scale). */
import type { Tensor } from '../engine/tensor.js';
import { full } from '../api/creation.js';
import { Cauchy } from './cauchy.js';
import type { DistributionOptions } from './distribution.js';
import { HalfDistribution } from './half.js';

export class HalfCauchy extends HalfDistribution<Cauchy> {
  constructor(scale: Tensor | number, opts: DistributionOptions = {}) {
    super(new Cauchy(0, scale, { validateArgs: false }), opts);
  }
  override get typeName(): string {
    return 'HalfCauchy';
  }
  /** +∞ (the half of a Cauchy has an infinite mean). */
  override get mean(): Tensor {
    return full(this.extendedShape(), Infinity);
  }
  override get variance(): Tensor {
    return this.baseDist.variance;
  }
}
