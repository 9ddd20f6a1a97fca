/** torch.distributions.Pareto(scale, alpha): scale·e^E, E ~ Exponential(alpha). */
import type { Tensor } from '../engine/tensor.js';
import { greaterThanEq, positive, type Constraint } from './constraints.js';
import type { DistributionOptions } from './distribution.js';
import { Exponential } from './exponential.js';
import { TransformedDistribution } from './transformed-distribution.js';
import { AffineTransform, ExpTransform } from './transforms-elementwise.js';
import { broadcastAll } from './utils.js';

export class Pareto extends TransformedDistribution {
  declare readonly scale: Tensor;
  declare readonly alpha: Tensor;
  constructor(scale: Tensor | number, alpha: Tensor | number, opts: DistributionOptions = {}) {
    const [s, a] = broadcastAll('distributions.Pareto', scale, alpha);
    super(new Exponential(a, opts), [new ExpTransform(), new AffineTransform(0, s)], opts, { scale: s, alpha: a });
  }
  override get typeName(): string {
    return 'Pareto';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { alpha: positive, scale: positive };
  }
  /** [scale, ∞). */
  override get support(): Constraint {
    return greaterThanEq(this.scale);
  }
  protected override expandParams(batchShape: readonly number[]): Record<string, unknown> {
    return { scale: this.scale.expand(batchShape), alpha: this.alpha.expand(batchShape) };
  }
  /** αx_m/(α − 1), α clamped at 1 (so ∞ for α ≤ 1). */
  override get mean(): Tensor {
    const a = this.alpha.clamp(1, null);
    return a.mul(this.scale).div(a.sub(1));
  }
  override get mode(): Tensor {
    return this.scale;
  }
  /** x_m²α/((α − 1)²(α − 2)), α clamped at 2 (∞ for α ≤ 2). */
  override get variance(): Tensor {
    const a = this.alpha.clamp(2, null);
    return this.scale
      .pow(2)
      .mul(a)
      .div(a.sub(1).pow(2).mul(a.sub(2)));
  }
  /** log(x_m/α) + 1 + 1/α. */
  override entropy(): Tensor {
    return this.scale.div(this.alpha).log().add(this.alpha.reciprocal().add(1));
  }
}
