/** torch.distributions.Laplace: e^(−|x − loc|/scale)/(2·scale), reparameterized samples by the inverse CDF of u from the seeded stream. */
import type { Tensor } from '../engine/tensor.js';
import { rand } from '../api/creation.js';
import type { DistributionOptions } from './distribution.js';
import { LocationScale } from './location-scale.js';
import { FLOAT32_EPS } from './utils.js';

export class Laplace extends LocationScale {
  constructor(loc: Tensor | number, scale: Tensor | number, opts: DistributionOptions = {}) {
    super('distributions.Laplace', loc, scale, opts);
  }
  override get typeName(): string {
    return 'Laplace';
  }
  override get mean(): Tensor {
    return this.loc;
  }
  override get variance(): Tensor {
    return this.scale.square().mul(2);
  }
  override get stddev(): Tensor {
    return this.scale.mul(Math.SQRT2);
  }
  /** loc − scale·sign(u)·log(1 − |u|), u uniform in [eps − 1, 1) as torch (so |u| < 1). */
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const u = rand(this.extendedShape(sampleShape))
      .mul(2 - FLOAT32_EPS)
      .add(FLOAT32_EPS - 1);
    return this.loc.sub(this.scale.mul(u.sign().mul(u.abs().neg().log1p())));
  }
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    return this.scale.mul(2).log().neg().sub(x.sub(this.loc).abs().div(this.scale));
  }
  override cdf(value: Tensor | number): Tensor {
    const d = this.checked(value, 'cdf').sub(this.loc);
    return d.sign().mul(d.abs().neg().div(this.scale).expm1()).mul(-0.5).add(0.5);
  }
  override icdf(value: Tensor | number): Tensor {
    const term = this.unchecked(value).sub(0.5);
    return this.loc.sub(this.scale.mul(term.sign()).mul(term.abs().mul(-2).log1p()));
  }
  override entropy(): Tensor {
    return this.scale.mul(2).log().add(1);
  }
}
