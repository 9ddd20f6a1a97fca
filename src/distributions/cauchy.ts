/** torch.distributions.Cauchy: 1/(π·scale·(1 + ((x − loc)/scale)²)), reparameterized samples loc + scale·tan(π(u − ½)). */
import type { Tensor } from '../engine/tensor.js';
import { full, rand } from '../api/creation.js';
import type { DistributionOptions } from './distribution.js';
import { LocationScale } from './location-scale.js';

export class Cauchy extends LocationScale {
  constructor(loc: Tensor | number, scale: Tensor | number, opts: DistributionOptions = {}) {
    super('distributions.Cauchy', loc, scale, opts);
  }
  override get typeName(): string {
    return 'Cauchy';
  }
  /** Undefined: NaN, as torch. */
  override get mean(): Tensor {
    return full(this.extendedShape(), NaN);
  }
  /** Infinite, as torch. */
  override get variance(): Tensor {
    return full(this.extendedShape(), Infinity);
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const eps = rand(this.extendedShape(sampleShape)).sub(0.5).mul(Math.PI).tan();
    return this.loc.add(eps.mul(this.scale));
  }
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    return this.scale.log().neg().sub(Math.log(Math.PI)).sub(x.sub(this.loc).div(this.scale).square().log1p());
  }
  override cdf(value: Tensor | number): Tensor {
    const x = this.checked(value, 'cdf');
    return x.sub(this.loc).div(this.scale).atan().div(Math.PI).add(0.5);
  }
  override icdf(value: Tensor | number): Tensor {
    return this.unchecked(value).sub(0.5).mul(Math.PI).tan().mul(this.scale).add(this.loc);
  }
  override entropy(): Tensor {
    return this.scale.log().add(Math.log(4 * Math.PI));
  }
}
