/** torch.distributions.Weibull(scale, concentration): scale·E^(1/k), E ~ Exponential(1). */
import type { Tensor } from '../engine/tensor.js';
import { onesLike } from '../api/factories.js';
import { positive, type Constraint } from './constraints.js';
import type { DistributionOptions } from './distribution.js';
import { Exponential } from './exponential.js';
import { EULER_CONSTANT } from './gumbel.js';
import { TransformedDistribution } from './transformed-distribution.js';
import { AffineTransform, PowerTransform } from './transforms-elementwise.js';
import { broadcastAll } from './utils.js';

const weibullTransforms = (scale: Tensor, concentrationReciprocal: Tensor) => [new PowerTransform(concentrationReciprocal), new AffineTransform(0, scale)];

export class Weibull extends TransformedDistribution {
  declare readonly scale: Tensor;
  declare readonly concentration: Tensor;
  declare readonly concentrationReciprocal: Tensor;
  constructor(scale: Tensor | number, concentration: Tensor | number, opts: DistributionOptions = {}) {
    const [s, k] = broadcastAll('distributions.Weibull', scale, concentration);
    const kr = k.reciprocal();
    super(new Exponential(onesLike(s), opts), weibullTransforms(s, kr), opts, { scale: s, concentration: k, concentrationReciprocal: kr });
  }
  override get typeName(): string {
    return 'Weibull';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { scale: positive, concentration: positive };
  }
  override get support(): Constraint {
    return positive;
  }
  /** New transforms at the expanded parameters, as torch's. */
  override expand(batchShape: readonly number[]): Weibull {
    const s = this.scale.expand(batchShape),
      k = this.concentration.expand(batchShape);
    const kr = k.reciprocal();
    return this.expanded(batchShape, {
      scale: s,
      concentration: k,
      concentrationReciprocal: kr,
      baseDist: this.baseDist.expand(batchShape),
      transforms: weibullTransforms(s, kr),
    });
  }
  /** λ·Γ(1 + 1/k). */
  override get mean(): Tensor {
    return this.scale.mul(this.concentrationReciprocal.add(1).lgamma().exp());
  }
  /** λ·((k − 1)/k)^(1/k). */
  override get mode(): Tensor {
    return this.scale.mul(this.concentration.sub(1).div(this.concentration).pow(this.concentration.reciprocal()));
  }
  /** λ²(Γ(1 + 2/k) − Γ(1 + 1/k)²). */
  override get variance(): Tensor {
    const kr = this.concentrationReciprocal;
    return this.scale.pow(2).mul(kr.mul(2).add(1).lgamma().exp().sub(kr.add(1).lgamma().mul(2).exp()));
  }
  /** γ(1 − 1/k) + log(λ/k) + 1. */
  override entropy(): Tensor {
    const kr = this.concentrationReciprocal;
    return kr.neg().add(1).mul(EULER_CONSTANT).add(this.scale.mul(kr).log()).add(1);
  }
}
