/**
 * torch.distributions.Multinomial: the counts of each of K categories in totalCount draws of a
 * Categorical (one integer totalCount for the whole batch, as torch). Samples are float32 counts
 * from the seeded stream.
 */
import type { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/engine.js';
import { tensor } from '../api/creation.js';
import { oneHot as oneHotOf } from '../api/convenience.js';
import { fmtValue } from '../errors.js';
import { Binomial } from './binomial.js';
import { Categorical, CategoricalBacked } from './categorical.js';
import { multinomial, type Constraint } from './constraints.js';
import { probsOrLogits, setWhere, type ProbsOptions } from './discrete-utils.js';
import { NotImplementedError } from './errors.js';
import { broadcastAll } from './utils.js';

export class Multinomial extends CategoricalBacked {
  declare readonly totalCount: number;
  declare readonly _binomial: Binomial;

  constructor(totalCount: number = 1, probs?: Tensor | null | ProbsOptions, logits?: Tensor | null | ProbsOptions, opts?: ProbsOptions) {
    const fn = 'distributions.Multinomial';
    if (!Number.isInteger(totalCount)) throw new NotImplementedError(fn, `inhomogeneous total_count is not supported (got ${fmtValue(totalCount)})`);
    const a = probsOrLogits(fn, probs, logits, opts);
    // torch builds both with the default validation, whatever validate_args says
    const categorical = new Categorical(a.probs === undefined ? null : (a.probs as Tensor), a.logits === undefined ? null : (a.logits as Tensor));
    const binomial = new Binomial(totalCount, categorical.probs);
    super(categorical.batchShape, categorical.paramShape.slice(-1), a.validateArgs, { totalCount, _categorical: categorical, _binomial: binomial });
  }
  override get typeName(): string {
    return 'Multinomial';
  }
  /** torch's dependent property: counts summing to at most totalCount. */
  override get support(): Constraint {
    return multinomial(this.totalCount);
  }
  override get mean(): Tensor {
    return this.probs.mul(this.totalCount);
  }
  override get variance(): Tensor {
    return this.probs.mul(this.probs.neg().add(1)).mul(this.totalCount);
  }
  /** The Binomial is expanded too (torch's expand leaves it unset, so entropy() of an expanded Multinomial fails there). */
  override expand(batchShape: readonly number[]): Multinomial {
    const _binomial = this._binomial.expand([...batchShape, this._eventShape[0]]);
    return this.expanded(batchShape, { totalCount: this.totalCount, _categorical: this._categorical.expand(batchShape), _binomial });
  }
  /** float32 counts of shape sampleShape + batchShape + [K]: totalCount Categorical draws, one-hot, summed. */
  override sample(sampleShape: readonly number[] = []): Tensor {
    const k = this._eventShape[0];
    const draws = this._categorical.sample([this.totalCount, ...sampleShape]);
    return noGrad(() => oneHotOf(draws, k).sum(0).float());
  }
  /** log n! − Σ log xᵢ! + Σ xᵢ·lᵢ (n = Σ xᵢ; a logit of −∞ with a count of 0 contributes 0). */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const [l, v] = broadcastAll(this.fnName('logProb'), this.logits, x);
    const logFactorialN = v.sum(-1).add(1).lgamma();
    const logFactorialXs = v.add(1).lgamma().sum(-1);
    const logits = setWhere(l, v.eq(0).mul(l.eq(-Infinity)), 0);
    return logFactorialN.sub(logFactorialXs).add(logits.mul(v).sum(-1));
  }
  /**
   * n·H(Categorical) − log n! + Σᵢ E[log xᵢ!], each count xᵢ ~ Binomial(n, pᵢ), its expectation a
   * sum over the support 1 … n.
   */
  override entropy(): Tensor {
    const n = tensor(this.totalCount);
    const catEntropy = this._categorical.entropy();
    const term1 = n.mul(catEntropy).sub(n.add(1).lgamma());
    const binomial = this._binomial;
    const support = binomial.enumerateSupport(false).narrow(0, 1, this.totalCount);
    const binomialProbs = binomial.logProb(support).exp();
    const weights = support.add(1).lgamma();
    const term2 = binomialProbs.mul(weights).sum([0, -1]);
    return term1.add(term2);
  }
}
