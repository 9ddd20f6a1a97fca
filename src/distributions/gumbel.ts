/**
 * torch.distributions.Gumbel(loc, scale): loc − scale·log(−log U), U ~ Uniform(tiny, 1 − eps) of
 * float32 (so both logs stay finite), written as torch's chain of four transforms.
 */
import type { Tensor } from '../engine/tensor.js';
import { fullLike, onesLike } from '../api/factories.js';
import { positive, real, type Constraint } from './constraints.js';
import type { DistributionOptions } from './distribution.js';
import { TransformedDistribution } from './transformed-distribution.js';
import { AffineTransform, ExpTransform } from './transforms-elementwise.js';
import { Uniform } from './uniform.js';
import { FLOAT32_EPS, FLOAT32_TINY, broadcastAll } from './utils.js';

/** The Euler–Mascheroni constant γ. */
export const EULER_CONSTANT = 0.5772156649015328606;

export class Gumbel extends TransformedDistribution {
  declare readonly loc: Tensor;
  declare readonly scale: Tensor;
  constructor(loc: Tensor | number, scale: Tensor | number, opts: DistributionOptions = {}) {
    const [l, s] = broadcastAll('distributions.Gumbel', loc, scale);
    const base = new Uniform(fullLike(l, FLOAT32_TINY), fullLike(l, 1 - FLOAT32_EPS));
    const transforms = [new ExpTransform().inv, new AffineTransform(0, onesLike(s).neg()), new ExpTransform().inv, new AffineTransform(loc, s.neg())];
    super(base, transforms, opts, { loc: l, scale: s });
  }
  override get typeName(): string {
    return 'Gumbel';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { loc: real, scale: positive };
  }
  override get support(): Constraint {
    return real;
  }
  protected override expandParams(batchShape: readonly number[]): Record<string, unknown> {
    return { loc: this.loc.expand(batchShape), scale: this.scale.expand(batchShape) };
  }
  /** z − eᶻ − log σ, z = (μ − x)/σ. */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const z = this.loc.sub(x).div(this.scale);
    return z.sub(z.exp()).sub(this.scale.log());
  }
  /** μ + σγ. */
  override get mean(): Tensor {
    return this.loc.add(this.scale.mul(EULER_CONSTANT));
  }
  override get mode(): Tensor {
    return this.loc;
  }
  /** πσ/√6. */
  override get stddev(): Tensor {
    return this.scale.mul(Math.PI / Math.sqrt(6));
  }
  override get variance(): Tensor {
    return this.stddev.pow(2);
  }
  /** log σ + 1 + γ. */
  override entropy(): Tensor {
    return this.scale.log().add(1 + EULER_CONSTANT);
  }
}
