/**
 * torch.distributions.Independent(baseDistribution, reinterpretedBatchNdims): the rightmost
 * `reinterpretedBatchNdims` batch dims of the base become event dims (log densities summed over them).
 */
import type { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { independent, type Constraint } from './constraints.js';
import { Distribution, NotImplementedError, type DistributionOptions } from './distribution.js';
import { sumRightmost } from './utils.js';

export class Independent extends Distribution {
  declare readonly baseDist: Distribution;
  declare readonly reinterpretedBatchNdims: number;

  constructor(baseDistribution: Distribution, reinterpretedBatchNdims: number, opts: DistributionOptions = {}) {
    const fn = 'distributions.Independent';
    if (!(baseDistribution instanceof Distribution)) throw new ValueError(fn, `baseDistribution must be a Distribution, got ${fmtValue(baseDistribution)}`);
    const n = reinterpretedBatchNdims;
    if (!Number.isInteger(n) || n < 0) throw new ValueError(fn, `reinterpretedBatchNdims must be an integer ≥ 0, got ${fmtValue(n)}`);
    const batch = baseDistribution.batchShape;
    if (n > batch.length) throw new ValueError(fn, `Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), actual ${n} vs ${batch.length}`);
    const shape = [...batch, ...baseDistribution.eventShape];
    const eventDim = n + baseDistribution.eventShape.length;
    super(shape.slice(0, shape.length - eventDim), shape.slice(shape.length - eventDim), opts.validateArgs, {
      baseDist: baseDistribution,
      reinterpretedBatchNdims: n,
    });
  }
  override get typeName(): string {
    return 'Independent';
  }
  override get argConstraints(): Record<string, Constraint> {
    return {};
  }
  override get hasRsample(): boolean {
    return this.baseDist.hasRsample;
  }
  override get hasEnumerateSupport(): boolean {
    return this.reinterpretedBatchNdims > 0 ? false : this.baseDist.hasEnumerateSupport;
  }
  override get support(): Constraint {
    const s = this.baseDist.support;
    return this.reinterpretedBatchNdims ? independent(s, this.reinterpretedBatchNdims) : s;
  }
  override get mean(): Tensor {
    return this.baseDist.mean;
  }
  override get mode(): Tensor {
    return this.baseDist.mode;
  }
  override get variance(): Tensor {
    return this.baseDist.variance;
  }
  override expand(batchShape: readonly number[]): Independent {
    const n = this.reinterpretedBatchNdims;
    const base = this.baseDist.expand([...batchShape, ...this._eventShape.slice(0, n)]);
    return this.expanded(batchShape, { baseDist: base, reinterpretedBatchNdims: n });
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    return this.baseDist.sample(sampleShape);
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    return this.baseDist.rsample(sampleShape);
  }
  override logProb(value: Tensor | number): Tensor {
    return sumRightmost(this.baseDist.logProb(value), this.reinterpretedBatchNdims);
  }
  override entropy(): Tensor {
    return sumRightmost(this.baseDist.entropy(), this.reinterpretedBatchNdims);
  }
  override enumerateSupport(expand = true): Tensor {
    if (this.reinterpretedBatchNdims > 0)
      throw new NotImplementedError(this.fnName('enumerateSupport'), 'Enumeration over cartesian product is not implemented');
    return this.baseDist.enumerateSupport(expand);
  }
  /** torch's repr: Independent(<base>, n). */
  override toString(): string {
    return `Independent(${this.baseDist}, ${this.reinterpretedBatchNdims})`;
  }
}
