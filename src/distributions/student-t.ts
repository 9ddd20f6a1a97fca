/**
 * torch.distributions.StudentT(df, loc = 0, scale = 1): samples loc + scale·X/√(Z/df), X standard
 * normal and Z ~ χ²(df) (differentiable in df through the gamma draw's implicit gradient).
 */
import type { Tensor } from '../engine/tensor.js';
import { randn } from '../api/creation.js';
import { where } from '../api/integer.js';
import { positive, real, type Constraint } from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { Chi2 } from './gamma.js';
import { broadcastAll } from './utils.js';

const LGAMMA_HALF = 0.5 * Math.log(Math.PI); // lgamma(0.5)

export class StudentT extends Distribution {
  declare readonly df: Tensor;
  declare readonly loc: Tensor;
  declare readonly scale: Tensor;
  /** χ²(df), built first with the default validation as torch's (so a bad df is reported by Chi2, as torch's). */
  declare private readonly chi2: Chi2;

  constructor(df: Tensor | number, loc: Tensor | number = 0, scale: Tensor | number = 1, opts: DistributionOptions = {}) {
    const [d, l, s] = broadcastAll('distributions.StudentT', df, loc, scale);
    const chi2 = new Chi2(d);
    super(d.shape, [], opts.validateArgs, { df: d, loc: l, scale: s, chi2 });
  }
  override get typeName(): string {
    return 'StudentT';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { df: positive, loc: real, scale: positive };
  }
  override get support(): Constraint {
    return real;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** loc where df > 1, else NaN. */
  override get mean(): Tensor {
    return where(this.df.le(1), NaN, this.loc);
  }
  override get mode(): Tensor {
    return this.loc;
  }
  /** scale²·df/(df − 2) where df > 2, ∞ for 1 < df ≤ 2, NaN for df ≤ 1. */
  override get variance(): Tensor {
    const df = this.df;
    const finite = this.scale.square().mul(df).div(df.sub(2));
    return where(df.gt(2), finite, where(df.gt(1), Infinity, NaN));
  }
  override expand(batchShape: readonly number[]): StudentT {
    return this.expanded(batchShape, {
      df: this.df.expand(batchShape),
      loc: this.loc.expand(batchShape),
      scale: this.scale.expand(batchShape),
      chi2: this.chi2.expand(batchShape),
    });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const x = randn(shape);
    const z = this.chi2.rsample(sampleShape);
    const y = x.mul(z.div(this.df).rsqrt());
    return this.loc.add(this.scale.mul(y));
  }
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const df = this.df;
    const y = x.sub(this.loc).div(this.scale);
    const z = this.scale.log().add(df.log().mul(0.5)).add(LGAMMA_HALF).add(df.mul(0.5).lgamma()).sub(df.add(1).mul(0.5).lgamma());
    return df.add(1).mul(-0.5).mul(y.square().div(df).log1p()).sub(z);
  }
  override entropy(): Tensor {
    const df = this.df;
    const lbeta = df.mul(0.5).lgamma().add(LGAMMA_HALF).sub(df.add(1).mul(0.5).lgamma());
    return this.scale
      .log()
      .add(
        df
          .add(1)
          .mul(0.5)
          .mul(df.add(1).mul(0.5).digamma().sub(df.mul(0.5).digamma())),
      )
      .add(df.log().mul(0.5))
      .add(lbeta);
  }
}
