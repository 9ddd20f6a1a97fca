/**
 * torch.distributions.Gamma (shape `concentration`, `rate`) and Chi2 (Gamma(df/2, 1/2)). Samples:
 * Marsaglia–Tsang on the seeded stream; rsample differentiable in the concentration by implicit
 * reparameterization (draw.ts), in the rate by x/rate.
 */
import type { Tensor } from '../engine/tensor.js';
import { nonnegative, positive, type Constraint } from './constraints.js';
import { ExponentialFamily, type DistributionOptions } from './distribution.js';
import { standardGamma } from './draw.js';
import { FLOAT32_TINY, broadcastAll } from './utils.js';

export class Gamma extends ExponentialFamily {
  declare readonly concentration: Tensor;
  declare readonly rate: Tensor;

  constructor(concentration: Tensor | number, rate: Tensor | number, opts: DistributionOptions = {}) {
    const [c, r] = broadcastAll('distributions.Gamma', concentration, rate);
    super(c.shape, [], opts.validateArgs, { concentration: c, rate: r });
  }
  override get typeName(): string {
    return 'Gamma';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { concentration: positive, rate: positive };
  }
  override get support(): Constraint {
    return nonnegative;
  }
  override get hasRsample(): boolean {
    return true;
  }
  override get mean(): Tensor {
    return this.concentration.div(this.rate);
  }
  override get mode(): Tensor {
    return this.concentration.sub(1).div(this.rate).clamp(0);
  }
  override get variance(): Tensor {
    return this.concentration.div(this.rate.square());
  }
  override expand(batchShape: readonly number[]): Gamma {
    return this.expanded(batchShape, { concentration: this.concentration.expand(batchShape), rate: this.rate.expand(batchShape) });
  }
  /** A standard gamma draw over the rate, kept ≥ float32's tiny (torch clamps the value, not the gradient). */
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const value = standardGamma(this.concentration, shape).div(this.rate.expand(shape));
    return value.add(value.detach().clamp(FLOAT32_TINY).sub(value.detach()));
  }
  /** xlogy(α, β) + xlogy(α − 1, x) − βx − lgamma(α). */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const a = this.concentration;
    return a.xlogy(this.rate).add(a.sub(1).xlogy(x)).sub(this.rate.mul(x)).sub(a.lgamma());
  }
  override entropy(): Tensor {
    const a = this.concentration;
    return a.sub(this.rate.log()).add(a.lgamma()).add(a.neg().add(1).mul(a.digamma()));
  }
  override get naturalParams(): Tensor[] {
    return [this.concentration.sub(1), this.rate.neg()];
  }
  override logNormalizer(x: Tensor, y: Tensor): Tensor {
    return x.add(1).lgamma().add(x.add(1).mul(y.reciprocal().neg().log()));
  }
  override get meanCarrierMeasure(): number {
    return 0;
  }
}

/** Chi-squared with `df` degrees of freedom: Gamma(df/2, 1/2). Its repr lists no parameter, as torch's (df is a property). */
export class Chi2 extends Gamma {
  constructor(df: Tensor | number, opts: DistributionOptions = {}) {
    const [d] = broadcastAll('distributions.Chi2', df);
    super(d.mul(0.5), 0.5, opts);
  }
  override get typeName(): string {
    return 'Chi2';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { df: positive };
  }
  get df(): Tensor {
    return this.concentration.mul(2);
  }
  override expand(batchShape: readonly number[]): Chi2 {
    return super.expand(batchShape) as Chi2;
  }
}
