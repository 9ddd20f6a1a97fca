/**
 * torch.distributions.OneHotCategorical: a Categorical whose samples are one-hot float32 vectors
 * of length K (the event); it holds the Categorical as torch's `_categorical`.
 */
import type { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/engine.js';
import { oneHot as oneHotOf } from '../api/convenience.js';
import { eye } from '../api/factories.js';
import { oneHot, type Constraint } from './constraints.js';
import { Categorical, CategoricalBacked } from './categorical.js';
import type { ProbsOptions } from './discrete-utils.js';
import { probsOrLogits } from './discrete-utils.js';

export class OneHotCategorical extends CategoricalBacked {
  constructor(probs?: Tensor | null | ProbsOptions, logits?: Tensor | null | ProbsOptions, opts?: ProbsOptions) {
    const a = probsOrLogits('distributions.OneHotCategorical', probs, logits, opts);
    // torch builds the Categorical with the default validation, whatever validate_args says
    const categorical = new Categorical(a.probs === undefined ? null : (a.probs as Tensor), a.logits === undefined ? null : (a.logits as Tensor));
    super(categorical.batchShape, categorical.paramShape.slice(-1), a.validateArgs, { _categorical: categorical });
  }
  override get typeName(): string {
    return 'OneHotCategorical';
  }
  override get support(): Constraint {
    return oneHot;
  }
  override get hasEnumerateSupport(): boolean {
    return true;
  }
  override get mean(): Tensor {
    return this._categorical.probs;
  }
  /** The one-hot vector of the most probable category. */
  override get mode(): Tensor {
    const probs = this._categorical.probs;
    return oneHotOf(probs.argmax(-1), probs.shape[probs.ndim - 1]).float();
  }
  override get variance(): Tensor {
    const p = this._categorical.probs;
    return p.mul(p.neg().add(1));
  }
  override expand(batchShape: readonly number[]): OneHotCategorical {
    return this.expanded(batchShape, { _categorical: this._categorical.expand(batchShape) });
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const indices = this._categorical.sample(sampleShape);
    return noGrad(() => oneHotOf(indices, this._categorical._numEvents).float());
  }
  /** The Categorical's logProb at the index of the one. */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    return this._categorical.logProb(x.argmax(-1));
  }
  override entropy(): Tensor {
    return this._categorical.entropy();
  }
  /** The K one-hot vectors along dim 0, shaped [K, 1, …, K] (or expanded to [K, ...batchShape, K]). */
  override enumerateSupport(expand = true): Tensor {
    const n = this._eventShape[0];
    const values = eye(n).reshape([n, ...this._batchShape.map(() => 1), n]);
    return expand ? values.expand([n, ...this._batchShape, n]) : values;
  }
}
