/** torch.distributions.Exponential: rate·e^(−rate·x) on x ≥ 0, samples −log(1 − u)/rate with u from the seeded stream. */
import type { Tensor } from '../engine/tensor.js';
import { rand } from '../api/creation.js';
import { nonnegative, positive, type Constraint } from './constraints.js';
import { ExponentialFamily, type DistributionOptions } from './distribution.js';
import { broadcastAll } from './utils.js';

export class Exponential extends ExponentialFamily {
  declare readonly rate: Tensor;

  constructor(rate: Tensor | number, opts: DistributionOptions = {}) {
    const [r] = broadcastAll('distributions.Exponential', rate);
    super(r.shape, [], opts.validateArgs, { rate: r });
  }
  override get typeName(): string {
    return 'Exponential';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { rate: positive };
  }
  override get support(): Constraint {
    return nonnegative;
  }
  override get hasRsample(): boolean {
    return true;
  }
  override get mean(): Tensor {
    return this.rate.reciprocal();
  }
  override get mode(): Tensor {
    return this.rate.mul(0);
  }
  override get stddev(): Tensor {
    return this.rate.reciprocal();
  }
  override get variance(): Tensor {
    return this.rate.pow(-2);
  }
  override expand(batchShape: readonly number[]): Exponential {
    return this.expanded(batchShape, { rate: this.rate.expand(batchShape) });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    // −log(1 − u) with u in [0, 1): a standard exponential, finite
    const e = rand(this.extendedShape(sampleShape)).neg().log1p().neg();
    return e.div(this.rate);
  }
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    return this.rate.log().sub(this.rate.mul(x));
  }
  override cdf(value: Tensor | number): Tensor {
    const x = this.checked(value, 'cdf');
    return this.rate.neg().mul(x).exp().neg().add(1);
  }
  override icdf(value: Tensor | number): Tensor {
    return this.unchecked(value).neg().add(1).log().neg().div(this.rate);
  }
  override entropy(): Tensor {
    return this.rate.log().neg().add(1);
  }
  override get naturalParams(): Tensor[] {
    return [this.rate.neg()];
  }
  override logNormalizer(x: Tensor): Tensor {
    return x.neg().log().neg();
  }
  override get meanCarrierMeasure(): number {
    return 0;
  }
}
