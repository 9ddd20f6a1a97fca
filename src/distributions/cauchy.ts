/** torch.distributions.Cauchy: 1/(π·scale·(1 + ((x − loc)/scale)²)), reparameterized samples loc + scale·tan(π(u − ½)). */
import type { Tensor } from '../engine/tensor.js';
import { full, rand } from '../api/creation.js';
import { positive, real, type Constraint } from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { broadcastAll } from './utils.js';

export class Cauchy extends Distribution {
  declare readonly loc: Tensor;
  declare readonly scale: Tensor;

  constructor(loc: Tensor | number, scale: Tensor | number, opts: DistributionOptions = {}) {
    const [l, s] = broadcastAll('distributions.Cauchy', loc, scale);
    super(l.shape, [], opts.validateArgs, { loc: l, scale: s });
  }
  override get typeName(): string {
    return 'Cauchy';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { loc: real, scale: positive };
  }
  override get support(): Constraint {
    return real;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** Undefined: NaN, as torch. */
  override get mean(): Tensor {
    return full(this.extendedShape(), NaN);
  }
  override get mode(): Tensor {
    return this.loc;
  }
  /** Infinite, as torch. */
  override get variance(): Tensor {
    return full(this.extendedShape(), Infinity);
  }
  override expand(batchShape: readonly number[]): Cauchy {
    return this.expanded(batchShape, { loc: this.loc.expand(batchShape), scale: this.scale.expand(batchShape) });
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
