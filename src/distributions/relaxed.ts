/**
 * What RelaxedBernoulli and RelaxedOneHotCategorical share: a TransformedDistribution of a relaxed
 * base (LogitRelaxedBernoulli, ExpRelaxedCategorical) whose temperature, probs and logits are the
 * base's (torch's properties), with an rsample.
 */
import type { Tensor } from '../engine/tensor.js';
import type { Distribution } from './distribution.js';
import { TransformedDistribution } from './transformed-distribution.js';

/** A relaxed base's parameters. */
export interface RelaxedParams {
  readonly temperature: Tensor;
  readonly probs: Tensor;
  readonly logits: Tensor;
}

export abstract class RelaxedTransformed extends TransformedDistribution {
  declare readonly baseDist: Distribution & RelaxedParams;

  override get hasRsample(): boolean {
    return true;
  }
  get temperature(): Tensor {
    return this.baseDist.temperature;
  }
  get probs(): Tensor {
    return this.baseDist.probs;
  }
  get logits(): Tensor {
    return this.baseDist.logits;
  }
  /** The base's rsample pushed through the transforms (LogitRelaxedBernoulli's hasRsample is torch's false, so TransformedDistribution's rsample would refuse it). */
  override rsample(sampleShape: readonly number[] = []): Tensor {
    let x = this.baseDist.rsample(sampleShape);
    for (const t of this.transforms) x = t.call(x);
    return x;
  }
}
