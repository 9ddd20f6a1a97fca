/** torch.distributions.Kumaraswamy(concentration1 a, concentration0 b): (1 − U^(1/b))^(1/a), U ~ Uniform(0, 1). */
import type { Tensor } from '../engine/tensor.js';
import { fullLike } from '../api/factories.js';
import { where } from '../api/integer.js';
import { positive, unitInterval, type Constraint } from './constraints.js';
import type { DistributionOptions } from './distribution.js';
import { EULER_CONSTANT } from './gumbel.js';
import { TransformedDistribution } from './transformed-distribution.js';
import { AffineTransform, PowerTransform } from './transforms-elementwise.js';
import { Uniform } from './uniform.js';
import { broadcastAll } from './utils.js';

/** E[Xⁿ] = b·B(1 + n/a, b), through lgamma. */
function moments(a: Tensor, b: Tensor, n: number): Tensor {
  const arg1 = a.reciprocal().mul(n).add(1);
  return b.mul(arg1.lgamma().add(b.lgamma()).sub(arg1.add(b).lgamma()).exp());
}

export class Kumaraswamy extends TransformedDistribution {
  declare readonly concentration1: Tensor;
  declare readonly concentration0: Tensor;
  constructor(concentration1: Tensor | number, concentration0: Tensor | number, opts: DistributionOptions = {}) {
    const [c1, c0] = broadcastAll('distributions.Kumaraswamy', concentration1, concentration0);
    const base = new Uniform(fullLike(c0, 0), fullLike(c0, 1), opts);
    const transforms = [new PowerTransform(c0.reciprocal()), new AffineTransform(1.0, -1.0), new PowerTransform(c1.reciprocal())];
    super(base, transforms, opts, { concentration1: c1, concentration0: c0 });
  }
  override get typeName(): string {
    return 'Kumaraswamy';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { concentration1: positive, concentration0: positive };
  }
  override get support(): Constraint {
    return unitInterval;
  }
  override get hasRsample(): boolean {
    return true;
  }
  protected override expandParams(batchShape: readonly number[]): Record<string, unknown> {
    return { concentration1: this.concentration1.expand(batchShape), concentration0: this.concentration0.expand(batchShape) };
  }
  override get mean(): Tensor {
    return moments(this.concentration1, this.concentration0, 1);
  }
  /** ((a − 1)/(ab − 1))^(1/a) in log form; NaN where a < 1 or b < 1 (no interior mode), as torch. */
  override get mode(): Tensor {
    const [a, b] = [this.concentration1, this.concentration0];
    const logMode = b.reciprocal().mul(b.neg().log1p()).sub(b.neg().mul(a).log1p());
    return where(b.lt(1).add(a.lt(1)).gt(0), NaN, logMode).exp();
  }
  override get variance(): Tensor {
    return moments(this.concentration1, this.concentration0, 2).sub(this.mean.pow(2));
  }
  /** (1 − 1/b) + (1 − 1/a)·(ψ(b + 1) + γ) − log a − log b. */
  override entropy(): Tensor {
    const [a, b] = [this.concentration1, this.concentration0];
    const t1 = a.reciprocal().neg().add(1);
    const t0 = b.reciprocal().neg().add(1);
    const h0 = b.add(1).digamma().add(EULER_CONSTANT);
    return t0.add(t1.mul(h0)).sub(a.log()).sub(b.log());
  }
}
