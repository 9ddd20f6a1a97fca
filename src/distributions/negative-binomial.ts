/**
 * torch.distributions.NegativeBinomial: the number of successes (probability p, probs or
 * logits) before totalCount failures; totalCount may be any real ≥ 0. Samples are torch's
 * gamma–Poisson mixture: Poisson(Gamma(totalCount, rate e^−logits)), both from the seeded stream.
 */
import type { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/engine.js';
import { poisson } from '../api/sampling.js';
import { HalfOpenInterval, greaterThanEq, nonnegativeInteger, real, type Constraint } from './constraints.js';
import { Distribution } from './distribution.js';
import { expandedParams, probsOrLogits, setWhere, type ProbsOptions } from './discrete-utils.js';
import { standardGamma } from './draw.js';
import { broadcastAll, lazyProperty, logitsToProbs, probsToLogits } from './utils.js';

/** torch's half_open_interval(0., 1.): float bounds, printed 0.0 and 1.0. */
const PROBS = /* @__PURE__ */ new HalfOpenInterval(0, 1, true);

export class NegativeBinomial extends Distribution {
  declare readonly totalCount: Tensor;
  declare readonly probs: Tensor;
  declare readonly logits: Tensor;
  declare readonly _param: Tensor;

  constructor(totalCount: Tensor | number, probs?: Tensor | number | null | ProbsOptions, logits?: Tensor | number | null | ProbsOptions, opts?: ProbsOptions) {
    const fn = 'distributions.NegativeBinomial';
    const a = probsOrLogits(fn, probs, logits, opts);
    const name = a.probs !== undefined ? 'probs' : 'logits';
    const [n, param] = broadcastAll(fn, totalCount, (a.probs ?? a.logits)!);
    super(param.shape, [], a.validateArgs, { totalCount: n.dtype === 'float32' ? n : n.float(), [name]: param, _param: param });
  }
  override get typeName(): string {
    return 'NegativeBinomial';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { totalCount: greaterThanEq(0), probs: PROBS, logits: real };
  }
  override get support(): Constraint {
    return nonnegativeInteger;
  }
  get paramShape(): number[] {
    return [...this._param.shape];
  }
  /** r·eˡ (= r·p/(1 − p)). */
  override get mean(): Tensor {
    return this.totalCount.mul(this.logits.exp());
  }
  /** ⌊(r − 1)·eˡ⌋, at least 0. */
  override get mode(): Tensor {
    return this.totalCount.sub(1).mul(this.logits.exp()).floor().clampMin(0);
  }
  /** mean/(1 − p). */
  override get variance(): Tensor {
    return this.mean.div(this.logits.neg().sigmoid());
  }
  override expand(batchShape: readonly number[]): NegativeBinomial {
    return this.expanded(batchShape, expandedParams(this, batchShape, { totalCount: this.totalCount.expand(batchShape) }));
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => {
      const rate = standardGamma(this.totalCount, shape).mul(this.logits.exp());
      return poisson(rate);
    });
  }
  /**
   * r·log σ(−l) + k·log σ(l) − (log Γ(k + 1) + log Γ(r) − log Γ(r + k)), the normalization taken
   * as 0 where r + k = 0 (the mass 1 at k = 0 when r = 0).
   */
  override logProb(value: Tensor | number): Tensor {
    const k = this.checked(value, 'logProb');
    const r = this.totalCount,
      l = this.logits;
    const logUnnormalizedProb = r.mul(l.neg().logsigmoid()).add(k.mul(l.logsigmoid()));
    const logNormalization = r.add(k).lgamma().neg().add(k.add(1).lgamma()).add(r.lgamma());
    return logUnnormalizedProb.sub(setWhere(logNormalization, r.add(k).eq(0), 0));
  }
}
lazyProperty(NegativeBinomial.prototype, 'logits', (d) => probsToLogits(d.probs, true));
lazyProperty(NegativeBinomial.prototype, 'probs', (d) => logitsToProbs(d.logits, true));
