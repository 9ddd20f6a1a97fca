/**
 * torch.distributions.LogitRelaxedBernoulli and RelaxedBernoulli (the binary Concrete / Gumbel-
 * softmax relaxation, Maddison et al. 2017): at temperature λ, the logit sample is
 * (logit u + logit p)/λ for u ~ U(0, 1) (both clamped away from 0 and 1 by float32's eps, as torch's
 * clamp_probs), and RelaxedBernoulli is its sigmoid, a point of [0, 1].
 */
import type { Tensor } from '../engine/tensor.js';
import { rand } from '../api/creation.js';
import { real, unitInterval, type Constraint } from './constraints.js';
import { Distribution } from './distribution.js';
import { expandedParams, probsOrLogits, type ProbsOptions } from './discrete-utils.js';
import { RelaxedTransformed } from './relaxed.js';
import { SigmoidTransform } from './transforms-elementwise.js';
import { broadcastAll, clampProbs, lazyProperty, logitsToProbs, probsToLogits } from './utils.js';

/** logit(p) = log p − log(1 − p). */
const logit = (p: Tensor): Tensor => p.log().sub(p.neg().log1p());

export class LogitRelaxedBernoulli extends Distribution {
  declare readonly temperature: Tensor;
  declare readonly probs: Tensor;
  declare readonly logits: Tensor;
  /** The parameter given (probs or logits). */
  declare readonly _param: Tensor;

  /** `temperature` (a tensor or a number) broadcasts with the parameter in the methods; it is not part of the batch. */
  constructor(
    temperature: Tensor | number,
    probs?: Tensor | number | null | ProbsOptions,
    logits?: Tensor | number | null | ProbsOptions,
    opts?: ProbsOptions,
  ) {
    const fn = 'distributions.LogitRelaxedBernoulli';
    const a = probsOrLogits(fn, probs, logits, opts);
    const [t] = broadcastAll(fn, temperature);
    const [param] = broadcastAll(fn, (a.probs ?? a.logits)!);
    const name = a.probs !== undefined ? 'probs' : 'logits';
    super(param.shape, [], a.validateArgs, { temperature: t, [name]: param, _param: param });
  }
  override get typeName(): string {
    return 'LogitRelaxedBernoulli';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { probs: unitInterval, logits: real };
  }
  override get support(): Constraint {
    return real;
  }
  get paramShape(): number[] {
    return [...this._param.shape];
  }
  override expand(batchShape: readonly number[]): LogitRelaxedBernoulli {
    return this.expanded(batchShape, { ...expandedParams(this, batchShape), temperature: this.temperature });
  }
  /**
   * (logit u + logit p)/λ, differentiable in p and λ. torch 1.13 leaves has_rsample False on this
   * class (hasRsample is false here too) though its rsample works; RelaxedBernoulli's is true.
   */
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const probs = clampProbs(this.probs.expand(shape));
    const uniforms = clampProbs(rand(shape));
    return logit(uniforms).add(logit(probs)).div(this.temperature);
  }
  /**
   * log λ + d − 2·log(1 + eᵈ), d = l − λx: the logistic density of the logit sample. softplus for
   * log(1 + eᵈ) (torch's log1p(exp(d)) overflows to ∞ past d ≈ 88; equal below).
   */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const diff = this.logits.sub(x.mul(this.temperature));
    return this.temperature.log().add(diff).sub(diff.softplus().mul(2));
  }
}
lazyProperty(LogitRelaxedBernoulli.prototype, 'logits', (d) => probsToLogits(d.probs, true));
lazyProperty(LogitRelaxedBernoulli.prototype, 'probs', (d) => logitsToProbs(d.logits, true));

export class RelaxedBernoulli extends RelaxedTransformed {
  declare readonly baseDist: LogitRelaxedBernoulli;

  constructor(
    temperature: Tensor | number,
    probs?: Tensor | number | null | ProbsOptions,
    logits?: Tensor | number | null | ProbsOptions,
    opts?: ProbsOptions,
  ) {
    const a = probsOrLogits('distributions.RelaxedBernoulli', probs, logits, opts);
    // torch builds the base with the default validation, whatever validate_args says
    const base = new LogitRelaxedBernoulli(temperature, a.probs ?? null, a.logits ?? null);
    super(base, new SigmoidTransform(), { validateArgs: a.validateArgs });
  }
  override get typeName(): string {
    return 'RelaxedBernoulli';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { probs: unitInterval, logits: real };
  }
  override get support(): Constraint {
    return unitInterval;
  }
  override expand(batchShape: readonly number[]): RelaxedBernoulli {
    return super.expand(batchShape) as RelaxedBernoulli;
  }
}
