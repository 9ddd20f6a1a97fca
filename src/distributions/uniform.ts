/** torch.distributions.Uniform: U[low, high), reparameterized samples low + u·(high − low), u from the seeded stream. */
import type { Tensor } from '../engine/tensor.js';
import { ValueError } from '../errors.js';
import { rand } from '../api/creation.js';
import { dependent, interval, type Constraint } from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { broadcastAll } from './utils.js';

const undetermined = /* @__PURE__ */ dependent.with({ isDiscrete: false, eventDim: 0 });

export class Uniform extends Distribution {
  declare readonly low: Tensor;
  declare readonly high: Tensor;

  constructor(low: Tensor | number, high: Tensor | number, opts: DistributionOptions = {}) {
    const [l, h] = broadcastAll('distributions.Uniform', low, high);
    super(l.shape, [], opts.validateArgs, { low: l, high: h });
    if (this.validateArgs && !l.lt(h).all().item()) throw new ValueError(this.fnName(), 'Uniform is not defined when low>= high');
  }
  override get typeName(): string {
    return 'Uniform';
  }
  /** Both dependent (torch's): the constructor checks low < high instead. */
  override get argConstraints(): Record<string, Constraint> {
    return { low: undetermined, high: undetermined };
  }
  override get support(): Constraint {
    return interval(this.low, this.high);
  }
  override get hasRsample(): boolean {
    return true;
  }
  override get mean(): Tensor {
    return this.high.add(this.low).div(2);
  }
  /** Every point is a mode: NaN, as torch. */
  override get mode(): Tensor {
    return this.high.mul(NaN);
  }
  override get stddev(): Tensor {
    return this.high.sub(this.low).div(Math.sqrt(12));
  }
  override get variance(): Tensor {
    return this.high.sub(this.low).square().div(12);
  }
  override expand(batchShape: readonly number[]): Uniform {
    return this.expanded(batchShape, { low: this.low.expand(batchShape), high: this.high.expand(batchShape) });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const u = rand(this.extendedShape(sampleShape));
    return this.low.add(u.mul(this.high.sub(this.low)));
  }
  /** log 1[low ≤ x < high] − log(high − low). */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const inside = this.low.le(x).mul(this.high.gt(x));
    return inside.log().sub(this.high.sub(this.low).log());
  }
  override cdf(value: Tensor | number): Tensor {
    const x = this.checked(value, 'cdf');
    return x.sub(this.low).div(this.high.sub(this.low)).clamp(0, 1);
  }
  override icdf(value: Tensor | number): Tensor {
    return this.unchecked(value).mul(this.high.sub(this.low)).add(this.low);
  }
  override entropy(): Tensor {
    return this.high.sub(this.low).log();
  }
}
