/**
 * What MultivariateNormal and LowRankMultivariateNormal share: a Gaussian over vectors of length n
 * (event [n]), its mean and mode the location, reparameterized samples, and the entropy
 * ½·n·(1 + log 2π) + ½·log|Σ| over the batch. Not a torch class (both derive from Distribution
 * there); KL dispatch goes by the two concrete classes.
 */
import type { Tensor } from '../engine/tensor.js';
import { realVector, type Constraint } from './constraints.js';
import { Distribution } from './distribution.js';

const LOG_2PI = Math.log(2 * Math.PI);

export abstract class GaussianVector extends Distribution {
  declare readonly loc: Tensor;

  override get support(): Constraint {
    return realVector;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** batchShape + [n, n]. */
  get matrixShape(): number[] {
    return [...this._batchShape, ...this._eventShape, ...this._eventShape];
  }
  override get mean(): Tensor {
    return this.loc;
  }
  override get mode(): Tensor {
    return this.loc;
  }
  /** ½·n·(1 + log 2π) + ½·log|Σ|, expanded over the batch. */
  protected gaussianEntropy(halfLogDet: Tensor): Tensor {
    const h = halfLogDet.add(0.5 * this._eventShape[0] * (1 + LOG_2PI));
    return this._batchShape.length === 0 ? h : h.expand(this._batchShape);
  }
}
