/**
 * torch.distributions.Beta(concentration1, concentration0) on [0, 1]. torch builds it on a
 * Dirichlet of [c1, c0]; here the same formulas are written for two components, and samples are
 * G1/(G1 + G0) of two gamma draws (differentiable through their implicit gradients).
 */
import type { Tensor } from '../engine/tensor.js';
import { where } from '../api/integer.js';
import { ValueError } from '../errors.js';
import { stack } from '../api/shape.js';
import { independent, positive, unitInterval, type Constraint } from './constraints.js';
import { fmtParam, pyTuple, torchFormat } from './format.js';
import { ExponentialFamily, validates, type DistributionOptions } from './distribution.js';
import { standardGamma } from './draw.js';
import { broadcastAll } from './utils.js';

export class Beta extends ExponentialFamily {
  declare readonly concentration1: Tensor;
  declare readonly concentration0: Tensor;

  constructor(concentration1: Tensor | number, concentration0: Tensor | number, opts: DistributionOptions = {}) {
    const fn = 'distributions.Beta';
    const [c1, c0] = broadcastAll(fn, concentration1, concentration0);
    if (validates(opts.validateArgs)) {
      // torch validates its Dirichlet of [c1, c0] first: its message
      const both = stack([c1, c0], -1);
      const constraint = independent(positive, 1);
      if (!constraint.check(both).all().item())
        throw new ValueError(
          fn,
          `Expected parameter concentration (Tensor of shape ${pyTuple(both.shape)}) of distribution Dirichlet(concentration: ${fmtParam(both)}) to satisfy the constraint ${constraint}, but found invalid values:\n${torchFormat(both)}`,
        );
    }
    super(c1.shape, [], opts.validateArgs, { concentration1: c1, concentration0: c0 });
  }
  /** torch's repr: its parameters are properties of the Dirichlet inside, so none is listed. */
  override toString(): string {
    return 'Beta()';
  }
  override get typeName(): string {
    return 'Beta';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { concentration1: positive, concentration0: positive };
  }
  override get support(): Constraint {
    return unitInterval;
  }
  override get hasRsample(): boolean {
    return true;
  }
  override get mean(): Tensor {
    return this.concentration1.div(this.concentration1.add(this.concentration0));
  }
  /**
   * The Dirichlet's mode for two components: (c1 − 1)₊/((c1 − 1)₊ + (c0 − 1)₊); both < 1 gives
   * torch's one-hot of the first argmax of [0, 0], i.e. 1.
   */
  override get mode(): Tensor {
    const m1 = this.concentration1.sub(1).clamp(0),
      m0 = this.concentration0.sub(1).clamp(0);
    const both = this.concentration1.lt(1).mul(this.concentration0.lt(1));
    return where(both, 1, m1.div(m1.add(m0)));
  }
  override get variance(): Tensor {
    const total = this.concentration1.add(this.concentration0);
    return this.concentration1.mul(this.concentration0).div(total.square().mul(total.add(1)));
  }
  override expand(batchShape: readonly number[]): Beta {
    return this.expanded(batchShape, { concentration1: this.concentration1.expand(batchShape), concentration0: this.concentration0.expand(batchShape) });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const g1 = standardGamma(this.concentration1, shape),
      g0 = standardGamma(this.concentration0, shape);
    return g1.div(g1.add(g0));
  }
  /** The Dirichlet's log density at [x, 1 − x]: xlogy(c1 − 1, x) + xlogy(c0 − 1, 1 − x) + lgamma(c1 + c0) − lgamma(c1) − lgamma(c0). */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const c1 = this.concentration1,
      c0 = this.concentration0;
    return c1
      .sub(1)
      .xlogy(x)
      .add(c0.sub(1).xlogy(x.neg().add(1)))
      .add(c1.add(c0).lgamma())
      .sub(c1.lgamma().add(c0.lgamma()));
  }
  /** The Dirichlet's entropy for k = 2. */
  override entropy(): Tensor {
    const c1 = this.concentration1,
      c0 = this.concentration0;
    const a0 = c1.add(c0);
    return c1
      .lgamma()
      .add(c0.lgamma())
      .sub(a0.lgamma())
      .sub(a0.neg().add(2).mul(a0.digamma()))
      .sub(c1.sub(1).mul(c1.digamma()).add(c0.sub(1).mul(c0.digamma())));
  }
  override get naturalParams(): Tensor[] {
    return [this.concentration1, this.concentration0];
  }
  override logNormalizer(x: Tensor, y: Tensor): Tensor {
    return x.lgamma().add(y.lgamma()).sub(x.add(y).lgamma());
  }
  override get meanCarrierMeasure(): number {
    return 0;
  }
}
