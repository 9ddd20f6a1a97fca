/**
 * torch.distributions.ContinuousBernoulli(probs | logits, lims = [0.499, 0.501]): the density
 * C(λ)·λˣ(1 − λ)¹⁻ˣ on [0, 1] (Loaiza-Ganem & Cunningham 2019). Near λ = ½ the closed forms cancel,
 * so inside `lims` torch's Taylor expansions around ½ are used (the closed forms then read a λ
 * moved to lims[0], only to keep them finite). Samples: the inverse CDF of u from the seeded stream.
 */
import type { Tensor } from '../engine/tensor.js';
import { ValueError } from '../errors.js';
import { rand } from '../api/creation.js';
import { where } from '../api/integer.js';
import { bceWithLogits } from '../api/losses.js';
import { real, unitInterval, type Constraint } from './constraints.js';
import { ExponentialFamily, type DistributionOptions } from './distribution.js';
import { broadcastAll, clampProbs, lazyProperty, logitsToProbs, probsToLogits } from './utils.js';

export class ContinuousBernoulli extends ExponentialFamily {
  declare readonly probs: Tensor;
  declare readonly logits: Tensor;
  declare readonly lims: readonly [number, number];

  /** torch's (probs, logits, lims, validate_args): exactly one of probs and logits. */
  constructor(
    probs?: Tensor | number | null,
    logits?: Tensor | number | null,
    lims: readonly [number, number] = [0.499, 0.501],
    opts: DistributionOptions = {},
  ) {
    const fn = 'distributions.ContinuousBernoulli';
    if ((probs == null) === (logits == null)) throw new ValueError(fn, 'Either `probs` or `logits` must be specified, but not both.');
    let params: Record<string, unknown>;
    if (probs != null) {
      let [p] = broadcastAll(fn, probs);
      // torch checks probs here only when validate_args was given, then clamps them to [eps, 1 − eps]
      if (opts.validateArgs !== undefined && !unitInterval.check(p).all().item()) throw new ValueError(fn, 'The parameter probs has invalid values');
      p = clampProbs(p);
      params = { probs: p };
    } else params = { logits: broadcastAll(fn, logits!)[0] };
    const param = (params.probs ?? params.logits) as Tensor;
    super(param.shape, [], opts.validateArgs, { ...params, lims: [lims[0], lims[1]] });
  }
  override get typeName(): string {
    return 'ContinuousBernoulli';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { probs: unitInterval, logits: real };
  }
  override get support(): Constraint {
    return unitInterval;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** The shape of the given parameter. */
  get paramShape(): number[] {
    return this.batchShape;
  }
  override expand(batchShape: readonly number[]): ContinuousBernoulli {
    const own = (k: string) => Object.prototype.hasOwnProperty.call(this, k);
    const params: Record<string, unknown> = { lims: this.lims };
    if (own('probs')) params.probs = this.probs.expand(batchShape);
    if (own('logits')) params.logits = this.logits.expand(batchShape);
    return this.expanded(batchShape, params);
  }
  /** 1 where λ is outside the unstable region around ½ (λ ≤ lims[0] or λ > lims[1]). */
  private outsideUnstableRegion(): Tensor {
    return this.probs.le(this.lims[0]).add(this.probs.gt(this.lims[1])).gt(0);
  }
  /** λ, or lims[0] inside the unstable region. */
  private cutProbs(): Tensor {
    return where(this.outsideUnstableRegion(), this.probs, this.lims[0]);
  }
  /** log C(λ) = log|log(1 − λ) − log λ| − log|1 − 2λ|; its Taylor series log 2 + (4/3 + 104/45·x)·x, x = (λ − ½)², near ½. */
  contBernLogNorm(): Tensor {
    const cut = this.cutProbs();
    const below = where(cut.le(0.5), cut, 0),
      above = where(cut.ge(0.5), cut, 1);
    const logNorm = cut
      .neg()
      .log1p()
      .sub(cut.log())
      .abs()
      .log()
      .sub(where(cut.le(0.5), below.mul(-2).log1p(), above.mul(2).sub(1).log()));
    const x = this.probs.sub(0.5).square();
    const taylor = x
      .mul(104 / 45)
      .add(4 / 3)
      .mul(x)
      .add(Math.LN2);
    return where(this.outsideUnstableRegion(), logNorm, taylor);
  }
  override get mean(): Tensor {
    const cut = this.cutProbs();
    const mus = cut.div(cut.mul(2).sub(1)).add(cut.neg().log1p().sub(cut.log()).reciprocal());
    const x = this.probs.sub(0.5);
    const taylor = x
      .square()
      .mul(16 / 45)
      .add(1 / 3)
      .mul(x)
      .add(0.5);
    return where(this.outsideUnstableRegion(), mus, taylor);
  }
  override get stddev(): Tensor {
    return this.variance.sqrt();
  }
  override get variance(): Tensor {
    const cut = this.cutProbs();
    const vars = cut.mul(cut.sub(1)).div(cut.mul(-2).add(1).square()).add(cut.neg().log1p().sub(cut.log()).square().reciprocal());
    const x = this.probs.sub(0.5).square();
    const taylor = x
      .mul(-128 / 945)
      .add(1 / 15)
      .mul(x)
      .neg()
      .add(1 / 12);
    return where(this.outsideUnstableRegion(), vars, taylor);
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const u = rand(this.extendedShape(sampleShape));
    return this.icdf(u).detach();
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    return this.icdf(rand(this.extendedShape(sampleShape)));
  }
  /** −BCE-with-logits(logits, x) + log C(λ). */
  override logProb(value: Tensor | number): Tensor {
    const v = this.checked(value, 'logProb');
    const [logits, x] = broadcastAll(this.fnName('logProb'), this.logits, v);
    return bceWithLogits(logits, x, { reduction: 'none' }).neg().add(this.contBernLogNorm());
  }
  override cdf(value: Tensor | number): Tensor {
    const x = this.checked(value, 'cdf');
    const cut = this.cutProbs();
    const cdfs = cut
      .pow(x)
      .mul(cut.neg().add(1).pow(x.neg().add(1)))
      .add(cut)
      .sub(1)
      .div(cut.mul(2).sub(1));
    const unbounded = where(this.outsideUnstableRegion(), cdfs, x);
    return where(x.le(0), 0, where(x.ge(1), 1, unbounded));
  }
  override icdf(value: Tensor | number): Tensor {
    const x = this.unchecked(value);
    const cut = this.cutProbs();
    const inv = cut
      .neg()
      .add(x.mul(cut.mul(2).sub(1)))
      .log1p()
      .sub(cut.neg().log1p())
      .div(cut.log().sub(cut.neg().log1p()));
    return where(this.outsideUnstableRegion(), inv, x);
  }
  override entropy(): Tensor {
    const logProbs0 = this.probs.neg().log1p(),
      logProbs1 = this.probs.log();
    return this.mean.mul(logProbs0.sub(logProbs1)).sub(this.contBernLogNorm()).sub(logProbs0);
  }
  override get naturalParams(): Tensor[] {
    return [this.logits];
  }
  /** log|eˣ − 1| − log|x| (x the logits), its Taylor series x/2 + x²/24 − x⁴/2880 near 0. */
  override logNormalizer(x: Tensor): Tensor {
    const [lo, hi] = this.lims;
    const outside = x
      .le(lo - 0.5)
      .add(x.gt(hi - 0.5))
      .gt(0);
    const cut = where(outside, x, lo - 0.5);
    const logNorm = cut.exp().sub(1).abs().log().sub(cut.abs().log());
    const taylor = x.mul(0.5).add(x.square().div(24)).sub(x.pow(4).div(2880));
    return where(outside, logNorm, taylor);
  }
  override get meanCarrierMeasure(): number {
    return 0;
  }
}
lazyProperty(ContinuousBernoulli.prototype, 'logits', (d) => probsToLogits(d.probs, true));
lazyProperty(ContinuousBernoulli.prototype, 'probs', (d) => clampProbs(logitsToProbs(d.logits, true)));
