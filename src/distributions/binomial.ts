/**
 * torch.distributions.Binomial: the number of successes in totalCount trials of probability p
 * (probs or logits). Samples from the seeded stream (wg.binomial: torch's BTRS / inversion).
 */
import type { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/engine.js';
import { arange } from '../api/creation.js';
import { binomial } from '../api/sampling.js';
import { integerInterval, nonnegativeInteger, real, unitInterval, type Constraint } from './constraints.js';
import { Distribution } from './distribution.js';
import { expandedParams, probsOrLogits, type ProbsOptions } from './discrete-utils.js';
import { NotImplementedError } from './errors.js';
import { broadcastAll, lazyProperty, logitsToProbs, probsToLogits } from './utils.js';

/** (max(x, 0) + x − min(x, 0))/2 = max(x, 0) with gradient ½ at 0 (torch's _clamp_by_zero). */
const clampByZero = (x: Tensor): Tensor => x.clampMin(0).add(x).sub(x.clamp(null, 0)).div(2);

export class Binomial extends Distribution {
  declare readonly totalCount: Tensor;
  declare readonly probs: Tensor;
  declare readonly logits: Tensor;
  declare readonly _param: Tensor;

  constructor(
    totalCount: Tensor | number = 1,
    probs?: Tensor | number | null | ProbsOptions,
    logits?: Tensor | number | null | ProbsOptions,
    opts?: ProbsOptions,
  ) {
    const fn = 'distributions.Binomial';
    const a = probsOrLogits(fn, probs, logits, opts);
    const name = a.probs !== undefined ? 'probs' : 'logits';
    const [n, param] = broadcastAll(fn, totalCount, (a.probs ?? a.logits)!);
    super(param.shape, [], a.validateArgs, { totalCount: n.dtype === 'float32' ? n : n.float(), [name]: param, _param: param });
  }
  override get typeName(): string {
    return 'Binomial';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { totalCount: nonnegativeInteger, probs: unitInterval, logits: real };
  }
  /** torch's dependent property: the integers 0 … totalCount. */
  override get support(): Constraint {
    return integerInterval(0, this.totalCount);
  }
  override get hasEnumerateSupport(): boolean {
    return true;
  }
  get paramShape(): number[] {
    return [...this._param.shape];
  }
  override get mean(): Tensor {
    return this.totalCount.mul(this.probs);
  }
  /** ⌊(n + 1)·p⌋, at most n. */
  override get mode(): Tensor {
    return this.totalCount.add(1).mul(this.probs).floor().clamp(null, this.totalCount);
  }
  override get variance(): Tensor {
    return this.totalCount.mul(this.probs).mul(this.probs.neg().add(1));
  }
  override expand(batchShape: readonly number[]): Binomial {
    return this.expanded(batchShape, expandedParams(this, batchShape, { totalCount: this.totalCount.expand(batchShape) }));
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => binomial(this.totalCount.expand(shape), this.probs.expand(shape)));
  }
  /**
   * k·l − log k! − log (n − k)! − (n·max(l, 0) + n·log(1 + e^−|l|) − log n!): the binomial mass
   * in logits l, with n·log(1 + eˡ) written so that it does not overflow.
   */
  override logProb(value: Tensor | number): Tensor {
    const k = this.checked(value, 'logProb');
    const n = this.totalCount,
      l = this.logits;
    const logFactorialN = n.add(1).lgamma();
    const logFactorialK = k.add(1).lgamma();
    const logFactorialNmK = n.sub(k).add(1).lgamma();
    const normalizeTerm = n.mul(clampByZero(l)).add(n.mul(l.abs().neg().exp().log1p())).sub(logFactorialN);
    return k.mul(l).sub(logFactorialK).sub(logFactorialNmK).sub(normalizeTerm);
  }
  /** −Σₖ P(k)·log P(k) over 0 … n (one n for the whole batch, as torch). */
  override entropy(): Tensor {
    this.homogeneousCount('entropy');
    const logProb = this.logProb(this.enumerateSupport(false));
    return logProb.exp().mul(logProb).sum(0).neg();
  }
  /** 0 … n along dim 0, shaped [n + 1, 1, …] (or expanded to [n + 1, ...batchShape]). */
  override enumerateSupport(expand = true): Tensor {
    const n = this.homogeneousCount('enumerateSupport');
    const values = arange(n + 1).reshape([n + 1, ...this._batchShape.map(() => 1)]);
    return expand ? values.expand([n + 1, ...this._batchShape]) : values;
  }
  /** The one totalCount of the batch (torch's int(total_count.max())); NotImplementedError when they differ. */
  private homogeneousCount(method: string): number {
    const n = Math.trunc(this.totalCount.max().item());
    if (this.totalCount.min().item() !== n) throw new NotImplementedError(this.fnName(method), `Inhomogeneous total count not supported by \`${method}\`.`);
    return n;
  }
}
lazyProperty(Binomial.prototype, 'logits', (d) => probsToLogits(d.probs, true));
lazyProperty(Binomial.prototype, 'probs', (d) => logitsToProbs(d.logits, true));
