/** torch.distributions.LogisticNormal(loc, scale): StickBreakingTransform of Normal(loc, scale) (a point of the simplex of one more dim). */
import type { Tensor } from '../engine/tensor.js';
import { positive, real, simplex, type Constraint } from './constraints.js';
import type { DistributionOptions } from './distribution.js';
import type { Independent } from './independent.js';
import { Normal } from './normal.js';
import { TransformedDistribution } from './transformed-distribution.js';
import { StickBreakingTransform } from './transforms-vector.js';

export class LogisticNormal extends TransformedDistribution {
  declare readonly baseDist: Independent;
  constructor(loc: Tensor | number, scale: Tensor | number, opts: DistributionOptions = {}) {
    let base = new Normal(loc, scale, opts);
    if (base.batchShape.length === 0) base = base.expand([1]); // the transform needs a vector
    super(base, new StickBreakingTransform(), opts);
  }
  override get typeName(): string {
    return 'LogisticNormal';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { loc: real, scale: positive };
  }
  override get support(): Constraint {
    return simplex;
  }
  override get hasRsample(): boolean {
    return true;
  }
  get loc(): Tensor {
    return (this.baseDist.baseDist as Normal).loc;
  }
  get scale(): Tensor {
    return (this.baseDist.baseDist as Normal).scale;
  }
}
