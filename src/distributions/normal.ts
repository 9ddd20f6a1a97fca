/**
 * torch.distributions.Normal: N(loc, scale²), reparameterized samples loc + scale·ε with ε from
 * the seeded stream (wg.randn; not torch's generator, so not torch's numbers).
 */
import type { Tensor } from '../engine/tensor.js';
import { randn } from '../api/creation.js';
import { positive, real, type Constraint } from './constraints.js';
import { ExponentialFamily, type DistributionOptions } from './distribution.js';
import { broadcastAll } from './utils.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export class Normal extends ExponentialFamily {
  declare readonly loc: Tensor;
  declare readonly scale: Tensor;

  constructor(loc: Tensor | number, scale: Tensor | number, opts: DistributionOptions = {}) {
    const [l, s] = broadcastAll('distributions.Normal', loc, scale);
    super(l.shape, [], opts.validateArgs, { loc: l, scale: s });
  }
  override get typeName(): string {
    return 'Normal';
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
  override get mean(): Tensor {
    return this.loc;
  }
  override get mode(): Tensor {
    return this.loc;
  }
  override get stddev(): Tensor {
    return this.scale;
  }
  override get variance(): Tensor {
    return this.scale.square();
  }
  override expand(batchShape: readonly number[]): Normal {
    return this.expanded(batchShape, { loc: this.loc.expand(batchShape), scale: this.scale.expand(batchShape) });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const eps = randn(this.extendedShape(sampleShape));
    return this.loc.add(eps.mul(this.scale));
  }
  /** −(x − μ)²/(2σ²) − log σ − log √(2π). */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    return x.sub(this.loc).square().neg().div(this.variance.mul(2)).sub(this.scale.log()).sub(LOG_SQRT_2PI);
  }
  /** ½(1 + erf((x − μ)/(σ√2))). */
  override cdf(value: Tensor | number): Tensor {
    const x = this.checked(value, 'cdf');
    return x.sub(this.loc).mul(this.scale.reciprocal()).div(Math.SQRT2).erf().add(1).mul(0.5);
  }
  /** μ + σ·√2·erfinv(2p − 1) (torch validates nothing here). */
  override icdf(value: Tensor | number): Tensor {
    const p = this.unchecked(value);
    return this.loc.add(this.scale.mul(p.mul(2).sub(1).erfinv()).mul(Math.SQRT2));
  }
  /** ½ + ½·log 2π + log σ. */
  override entropy(): Tensor {
    return this.scale.log().add(0.5 + LOG_SQRT_2PI);
  }
  /** θ = (μ/σ², −1/(2σ²)). */
  override get naturalParams(): Tensor[] {
    return [this.loc.div(this.scale.square()), this.scale.square().reciprocal().mul(-0.5)];
  }
  /** F(x, y) = −x²/(4y) + ½·log(−π/y). */
  override logNormalizer(x: Tensor, y: Tensor): Tensor {
    return x.square().mul(-0.25).div(y).add(y.reciprocal().mul(-Math.PI).log().mul(0.5));
  }
  override get meanCarrierMeasure(): number {
    return 0;
  }
}
