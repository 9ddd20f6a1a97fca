/**
 * torch.distributions.ExpRelaxedCategorical and RelaxedOneHotCategorical (the Concrete / Gumbel-
 * softmax distribution, Maddison et al. 2017; Jang et al. 2017): at temperature λ, the log of a
 * relaxed one-hot sample is log_softmax((logits + g)/λ) with g standard Gumbel noise
 * (−log(−log u), u clamped away from 0 and 1 by float32's eps as torch's clamp_probs), and
 * RelaxedOneHotCategorical is its exp, a point of the simplex.
 */
import type { Tensor } from '../engine/tensor.js';
import { rand } from '../api/creation.js';
import { lgammaHost } from './draw.js';
import { realVector, simplex, type Constraint } from './constraints.js';
import { Categorical, CategoricalBacked } from './categorical.js';
import { probsOrLogits, type ProbsOptions } from './discrete-utils.js';
import { RelaxedTransformed } from './relaxed.js';
import { ExpTransform } from './transforms-elementwise.js';
import { broadcastAll, clampProbs } from './utils.js';

export class ExpRelaxedCategorical extends CategoricalBacked {
  declare readonly temperature: Tensor;

  /** `temperature` (a tensor or a number) broadcasts with the batch in the methods; the categories are the last dim of probs / logits. */
  constructor(temperature: Tensor | number, probs?: Tensor | null | ProbsOptions, logits?: Tensor | null | ProbsOptions, opts?: ProbsOptions) {
    const fn = 'distributions.ExpRelaxedCategorical';
    const a = probsOrLogits(fn, probs, logits, opts);
    const [t] = broadcastAll(fn, temperature);
    // torch builds the Categorical with the default validation, whatever validate_args says
    const categorical = new Categorical(a.probs === undefined ? null : (a.probs as Tensor), a.logits === undefined ? null : (a.logits as Tensor));
    super(categorical.batchShape, categorical.paramShape.slice(-1), a.validateArgs, { _categorical: categorical, temperature: t });
  }
  override get typeName(): string {
    return 'ExpRelaxedCategorical';
  }
  /** Vectors of reals (the true support is the submanifold logsumexp(x) = 0, as torch notes). */
  override get support(): Constraint {
    return realVector;
  }
  override get hasRsample(): boolean {
    return true;
  }
  override expand(batchShape: readonly number[]): ExpRelaxedCategorical {
    return this.expanded(batchShape, { _categorical: this._categorical.expand(batchShape), temperature: this.temperature });
  }
  /** log_softmax((logits + g)/λ), g = −log(−log u), differentiable in the logits and λ. */
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const uniforms = clampProbs(rand(this.extendedShape(sampleShape)));
    const gumbels = uniforms.log().neg().log().neg();
    const scores = this.logits.add(gumbels).div(this.temperature);
    return scores.sub(scores.logsumexp(-1, true));
  }
  /**
   * log Γ(K) + (K − 1)·log λ + Σ_k (s_k − logsumexp(s)), s = logits − λx: the Concrete density of
   * exp(x) with the log-Jacobian of x ↦ exp(x) on the simplex folded in (torch's formula).
   */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const k = this._categorical._numEvents;
    const logScale = this.temperature
      .log()
      .mul(k - 1)
      .add(lgammaHost(k));
    const score = this.logits.sub(x.mul(this.temperature));
    return score.sub(score.logsumexp(-1, true)).sum(-1).add(logScale);
  }
}

export class RelaxedOneHotCategorical extends RelaxedTransformed {
  declare readonly baseDist: ExpRelaxedCategorical;

  constructor(temperature: Tensor | number, probs?: Tensor | null | ProbsOptions, logits?: Tensor | null | ProbsOptions, opts?: ProbsOptions) {
    const a = probsOrLogits('distributions.RelaxedOneHotCategorical', probs, logits, opts);
    const base = new ExpRelaxedCategorical(temperature, (a.probs as Tensor | undefined) ?? null, (a.logits as Tensor | undefined) ?? null, {
      validateArgs: a.validateArgs,
    });
    super(base, new ExpTransform(), { validateArgs: a.validateArgs });
  }
  override get typeName(): string {
    return 'RelaxedOneHotCategorical';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { probs: simplex, logits: realVector };
  }
  override get support(): Constraint {
    return simplex;
  }
  override expand(batchShape: readonly number[]): RelaxedOneHotCategorical {
    return super.expand(batchShape) as RelaxedOneHotCategorical;
  }
}
