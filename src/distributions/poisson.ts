/**
 * torch.distributions.Poisson: counts with rate λ. Samples from the seeded stream (wg.poisson:
 * torch's PTRS / multiplication of uniforms). An exponential family with θ = log λ, F = e^θ; like
 * torch's it has no carrier measure, so entropy() is a NotImplementedError.
 */
import type { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/engine.js';
import { poisson } from '../api/sampling.js';
import { nonnegative, nonnegativeInteger, type Constraint } from './constraints.js';
import { ExponentialFamily, type DistributionOptions } from './distribution.js';
import { broadcastAll } from './utils.js';

export class Poisson extends ExponentialFamily {
  declare readonly rate: Tensor;

  constructor(rate: Tensor | number, opts: DistributionOptions = {}) {
    const [r] = broadcastAll('distributions.Poisson', rate);
    super(r.shape, [], opts.validateArgs, { rate: r });
  }
  override get typeName(): string {
    return 'Poisson';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { rate: nonnegative };
  }
  override get support(): Constraint {
    return nonnegativeInteger;
  }
  override get mean(): Tensor {
    return this.rate;
  }
  override get mode(): Tensor {
    return this.rate.floor();
  }
  override get variance(): Tensor {
    return this.rate;
  }
  override expand(batchShape: readonly number[]): Poisson {
    return this.expanded(batchShape, { rate: this.rate.expand(batchShape) });
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => poisson(this.rate.expand(shape)));
  }
  /** k·log λ − λ − log k! (xlogy: 0 at k = 0 even where λ = 0). */
  override logProb(value: Tensor | number): Tensor {
    const k = this.checked(value, 'logProb');
    const [r, v] = broadcastAll(this.fnName('logProb'), this.rate, k);
    return v.xlogy(r).sub(r).sub(v.add(1).lgamma());
  }
  override get naturalParams(): Tensor[] {
    return [this.rate.log()];
  }
  override logNormalizer(x: Tensor): Tensor {
    return x.exp();
  }
}
