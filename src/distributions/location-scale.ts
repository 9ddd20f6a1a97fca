/** What Laplace and Cauchy share: a location on the real line, a positive scale, reparameterized samples. */
import type { Tensor } from '../engine/tensor.js';
import { positive, real, type Constraint } from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { broadcastAll } from './utils.js';

export abstract class LocationScale extends Distribution {
  declare readonly loc: Tensor;
  declare readonly scale: Tensor;

  /** `fn`: the constructor's name in errors (distributions.Laplace). */
  constructor(fn: string, loc: Tensor | number, scale: Tensor | number, opts: DistributionOptions) {
    const [l, s] = broadcastAll(fn, loc, scale);
    super(l.shape, [], opts.validateArgs, { loc: l, scale: s });
  }
  override get argConstraints(): Record<string, Constraint> {
    return { loc: real, scale: positive };
  }
  override get support(): Constraint {
    return real;
  }
  override get hasRsample(): boolean {
    return true;
  }
  override get mode(): Tensor {
    return this.loc;
  }
  override expand(batchShape: readonly number[]): this {
    return this.expanded(batchShape, { loc: this.loc.expand(batchShape), scale: this.scale.expand(batchShape) });
  }
}
