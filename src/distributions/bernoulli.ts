/**
 * torch.distributions.Bernoulli: 1 with probability p, else 0; parameterized by probs or logits
 * (the other computed on first use). Samples from the seeded stream (wg.bernoulli).
 */
import type { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/engine.js';
import { arange } from '../api/creation.js';
import { bernoulli } from '../api/factories.js';
import { where } from '../api/integer.js';
import { boolean, real, unitInterval, type Constraint } from './constraints.js';
import { ExponentialFamily } from './distribution.js';
import { bceWithLogits, expandedParams, probsOrLogits, type ProbsOptions } from './discrete-utils.js';
import { broadcastAll, lazyProperty, logitsToProbs, probsToLogits } from './utils.js';

export class Bernoulli extends ExponentialFamily {
  declare readonly probs: Tensor;
  declare readonly logits: Tensor;
  /** The parameter given (probs or logits). */
  declare readonly _param: Tensor;

  constructor(probs?: Tensor | number | null | ProbsOptions, logits?: Tensor | number | null | ProbsOptions, opts?: ProbsOptions) {
    const a = probsOrLogits('distributions.Bernoulli', probs, logits, opts);
    const [param] = broadcastAll('distributions.Bernoulli', (a.probs ?? a.logits)!);
    const name = a.probs !== undefined ? 'probs' : 'logits';
    super(param.shape, [], a.validateArgs, { [name]: param, _param: param });
  }
  override get typeName(): string {
    return 'Bernoulli';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { probs: unitInterval, logits: real };
  }
  override get support(): Constraint {
    return boolean;
  }
  override get hasEnumerateSupport(): boolean {
    return true;
  }
  /** The shape of the parameter given. */
  get paramShape(): number[] {
    return [...this._param.shape];
  }
  override get mean(): Tensor {
    return this.probs;
  }
  /** 1 where p > ½, 0 where p < ½, NaN at p = ½. */
  override get mode(): Tensor {
    return where(this.probs.eq(0.5), NaN, this.probs.ge(0.5));
  }
  override get variance(): Tensor {
    return this.probs.mul(this.probs.neg().add(1));
  }
  override expand(batchShape: readonly number[]): Bernoulli {
    return this.expanded(batchShape, expandedParams(this, batchShape));
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => bernoulli(this.probs.expand(shape)));
  }
  /** −BCE(logits, x) = x·l − softplus(l). */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const [l, v] = broadcastAll(this.fnName('logProb'), this.logits, x);
    return bceWithLogits(l, v).neg();
  }
  /** BCE(logits, probs). */
  override entropy(): Tensor {
    return bceWithLogits(this.logits, this.probs);
  }
  /** [0, 1] along dim 0, shaped [2, 1, …] (or expanded to [2, ...batchShape]). */
  override enumerateSupport(expand = true): Tensor {
    const values = arange(2).reshape([2, ...this._batchShape.map(() => 1)]);
    return expand ? values.expand([2, ...this._batchShape]) : values;
  }
  /** θ = log(p/(1 − p)). */
  override get naturalParams(): Tensor[] {
    return [this.probs.div(this.probs.neg().add(1)).log()];
  }
  /** F(x) = log(1 + eˣ). */
  override logNormalizer(x: Tensor): Tensor {
    return x.exp().add(1).log();
  }
  override get meanCarrierMeasure(): number {
    return 0;
  }
}
lazyProperty(Bernoulli.prototype, 'logits', (d) => probsToLogits(d.probs, true));
lazyProperty(Bernoulli.prototype, 'probs', (d) => logitsToProbs(d.logits, true));
