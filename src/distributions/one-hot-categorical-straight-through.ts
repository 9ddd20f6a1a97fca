/**
 * torch.distributions.OneHotCategoricalStraightThrough: a OneHotCategorical whose rsample is the
 * straight-through estimator (Bengio et al. 2013): the one-hot sample's value, the gradient of the
 * probabilities (sample + probs − stop(probs)).
 */
import type { Tensor } from '../engine/tensor.js';
import { OneHotCategorical } from './one-hot-categorical.js';

export class OneHotCategoricalStraightThrough extends OneHotCategorical {
  override get typeName(): string {
    return 'OneHotCategoricalStraightThrough';
  }
  override get hasRsample(): boolean {
    return true;
  }
  override expand(batchShape: readonly number[]): OneHotCategoricalStraightThrough {
    return super.expand(batchShape) as OneHotCategoricalStraightThrough;
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const samples = this.sample(sampleShape);
    const probs = this._categorical.probs;
    return samples.add(probs.sub(probs.detach()));
  }
}
