/** torch.distributions.FisherSnedecor(df1, df2): samples X1/X2 of Gamma(df1/2, df1) and Gamma(df2/2, df2) draws. */
import type { Tensor } from '../engine/tensor.js';
import { where } from '../api/integer.js';
import { positive, type Constraint } from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { Gamma } from './gamma.js';
import { FLOAT32_TINY, broadcastAll } from './utils.js';

/** x clamped below at float32's tiny in value only (torch's in-place clamp_ keeps the gradient). */
const clampTiny = (x: Tensor): Tensor => x.add(x.detach().clamp(FLOAT32_TINY).sub(x.detach()));

export class FisherSnedecor extends Distribution {
  declare readonly df1: Tensor;
  declare readonly df2: Tensor;
  /** Gamma(df/2, df) of each, built first with the default validation as torch's (a bad df is reported by Gamma). */
  declare private readonly gamma1: Gamma;
  declare private readonly gamma2: Gamma;

  constructor(df1: Tensor | number, df2: Tensor | number, opts: DistributionOptions = {}) {
    const [a, b] = broadcastAll('distributions.FisherSnedecor', df1, df2);
    const gamma1 = new Gamma(a.mul(0.5), a),
      gamma2 = new Gamma(b.mul(0.5), b);
    super(a.shape, [], opts.validateArgs, { df1: a, df2: b, gamma1, gamma2 });
  }
  override get typeName(): string {
    return 'FisherSnedecor';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { df1: positive, df2: positive };
  }
  override get support(): Constraint {
    return positive;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** df2/(df2 − 2) where df2 > 2, else NaN. */
  override get mean(): Tensor {
    const df2 = where(this.df2.le(2), NaN, this.df2);
    return df2.div(df2.sub(2));
  }
  /** (df1 − 2)/df1 · df2/(df2 + 2) where df1 > 2, else NaN. */
  override get mode(): Tensor {
    const m = this.df1.sub(2).div(this.df1).mul(this.df2).div(this.df2.add(2));
    return where(this.df1.le(2), NaN, m);
  }
  /** 2·df2²·(df1 + df2 − 2)/(df1·(df2 − 2)²·(df2 − 4)) where df2 > 4, else NaN. */
  override get variance(): Tensor {
    const df1 = this.df1;
    const df2 = where(this.df2.le(4), NaN, this.df2);
    return df2
      .square()
      .mul(2)
      .mul(df1.add(df2).sub(2))
      .div(df1.mul(df2.sub(2).square()).mul(df2.sub(4)));
  }
  override expand(batchShape: readonly number[]): FisherSnedecor {
    return this.expanded(batchShape, {
      df1: this.df1.expand(batchShape),
      df2: this.df2.expand(batchShape),
      gamma1: this.gamma1.expand(batchShape),
      gamma2: this.gamma2.expand(batchShape),
    });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const x1 = this.gamma1.rsample(sampleShape);
    const x2 = clampTiny(this.gamma2.rsample(sampleShape));
    return clampTiny(x1.div(x2));
  }
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const ct1 = this.df1.mul(0.5),
      ct2 = this.df2.mul(0.5),
      ct3 = this.df1.div(this.df2);
    const t1 = ct1.add(ct2).lgamma().sub(ct1.lgamma()).sub(ct2.lgamma());
    const t2 = ct1.mul(ct3.log()).add(ct1.sub(1).mul(x.log()));
    const t3 = ct1.add(ct2).mul(ct3.mul(x).log1p());
    return t1.add(t2).sub(t3);
  }
}
