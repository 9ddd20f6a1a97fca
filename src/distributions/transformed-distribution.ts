/**
 * torch.distributions.TransformedDistribution of PyTorch 1.13: Y = f(X), X from a base distribution,
 * f the composition of `transforms`; log p(y) = log p(x) − log |det ∂y/∂x| at x = f⁻¹(y). The event
 * shape is the largest of the base's and the transforms' (a vector transform makes the base's
 * rightmost batch dim an event dim: the base is wrapped in Independent, as torch's).
 */
import type { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/engine.js';
import { ValueError, fmtValue } from '../errors.js';
import { independent, type Constraint } from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { Independent } from './independent.js';
import { NotImplementedError } from './errors.js';
import { torchSize } from './format.js';
import { ComposeTransform, Transform, mulSign } from './transform.js';
import { sumRightmost } from './utils.js';

export const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** torch's constructor steps: the base expanded to what the transforms broadcast to, wrapped in Independent as needed, and the shapes. */
function layout(fn: string, base: unknown, transforms: unknown) {
  if (!(base instanceof Distribution)) throw new ValueError(fn, `baseDistribution must be a Distribution, got ${fmtValue(base)}`);
  let ts: Transform[];
  if (transforms instanceof Transform) ts = [transforms];
  else if (Array.isArray(transforms)) {
    if (!transforms.every((t) => t instanceof Transform)) throw new ValueError(fn, 'transforms must be a Transform or a list of Transforms');
    ts = [...(transforms as Transform[])];
  } else throw new ValueError(fn, `transforms must be a Transform or list, but was ${fmtValue(transforms)}`);
  const baseShape = [...base.batchShape, ...base.eventShape];
  const baseEventDim = base.eventShape.length;
  const transform = new ComposeTransform(ts);
  const domainEventDim = transform.domain.eventDim;
  if (baseShape.length < domainEventDim)
    throw new ValueError(fn, `base_distribution needs to have shape with size at least ${domainEventDim}, but got ${torchSize(baseShape)}.`);
  const shape = transform.forwardShape(baseShape);
  const expandedBaseShape = transform.inverseShape(shape);
  let baseDist: Distribution = base;
  if (!sameShape(baseShape, expandedBaseShape)) baseDist = baseDist.expand(expandedBaseShape.slice(0, expandedBaseShape.length - baseEventDim));
  const reinterpreted = domainEventDim - baseEventDim;
  if (reinterpreted > 0) baseDist = new Independent(baseDist, reinterpreted);
  const eventDim = transform.codomain.eventDim + Math.max(baseEventDim - domainEventDim, 0);
  const cut = shape.length - eventDim;
  return { baseDist, transforms: ts, batchShape: shape.slice(0, cut), eventShape: shape.slice(cut) };
}

export class TransformedDistribution extends Distribution {
  /** The base, as expanded and wrapped by the constructor. */
  declare readonly baseDist: Distribution;
  declare readonly transforms: Transform[];

  /** `params`: the subclass's own parameters, set before validation (torch's `self.loc = …` before `super().__init__`). */
  constructor(
    baseDistribution: Distribution,
    transforms: Transform | readonly Transform[],
    opts: DistributionOptions = {},
    params: Record<string, unknown> = {},
  ) {
    const l = layout('distributions.TransformedDistribution', baseDistribution, transforms);
    super(l.batchShape, l.eventShape, opts.validateArgs, { ...params, baseDist: l.baseDist, transforms: l.transforms });
  }
  override get typeName(): string {
    return 'TransformedDistribution';
  }
  override get argConstraints(): Record<string, Constraint> {
    return {};
  }
  /** The last transform's codomain, reinterpreted over the event dims it does not cover. */
  override get support(): Constraint {
    if (this.transforms.length === 0) return this.baseDist.support;
    const support = this.transforms[this.transforms.length - 1].codomain;
    const n = this._eventShape.length;
    return n > support.eventDim ? independent(support, n - support.eventDim) : support;
  }
  override get hasRsample(): boolean {
    return this.baseDist.hasRsample;
  }
  override expand(batchShape: readonly number[]): TransformedDistribution {
    let shape = [...batchShape, ...this._eventShape];
    for (const t of [...this.transforms].reverse()) shape = t.inverseShape(shape);
    const baseBatch = shape.slice(0, shape.length - this.baseDist.eventShape.length);
    return this.expanded(batchShape, { ...this.expandParams(batchShape), baseDist: this.baseDist.expand(baseBatch), transforms: this.transforms });
  }
  /** The subclass's own parameters expanded to `batchShape` (none here). */
  protected expandParams(batchShape: readonly number[]): Record<string, unknown> {
    void batchShape;
    return {};
  }
  private applyTransforms(x: Tensor): Tensor {
    for (const t of this.transforms) x = t.call(x);
    return x;
  }
  /** A base sample pushed through the transforms, without gradient. */
  override sample(sampleShape: readonly number[] = []): Tensor {
    return noGrad(() => this.applyTransforms(this.baseDist.sample(sampleShape)));
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    if (!this.baseDist.hasRsample) throw new NotImplementedError(this.fnName('rsample'), `the base ${this.baseDist.typeName} has no rsample`);
    return this.applyTransforms(this.baseDist.rsample(sampleShape));
  }
  /** Inverts the transforms from the value back, subtracting each log-det summed over the dims the chain treats as event. */
  override logProb(value: Tensor | number): Tensor {
    let y = this.checked(value, 'logProb');
    let eventDim = this._eventShape.length;
    let logProb: Tensor | null = null;
    for (const t of [...this.transforms].reverse()) {
      const x = t.inv.call(y);
      eventDim += t.domain.eventDim - t.codomain.eventDim;
      const term = sumRightmost(t.logAbsDetJacobian(x, y), eventDim - t.domain.eventDim);
      logProb = logProb === null ? term.neg() : logProb.sub(term);
      y = x;
    }
    const base = sumRightmost(this.baseDist.logProb(y), eventDim - this.baseDist.eventShape.length);
    return logProb === null ? base : logProb.add(base);
  }
  /** value ↦ 1 − value where the chain is decreasing (its sign −1), so the cdf increases. */
  private monotonizeCdf(value: Tensor): Tensor {
    const sign = this.transforms.reduce<number | Tensor>((s, t) => mulSign(s, t.sign), 1);
    if (sign === 1) return value;
    return value.sub(0.5).mul(sign).add(0.5);
  }
  override cdf(value: Tensor | number): Tensor {
    let x = this.unchecked(value);
    for (const t of [...this.transforms].reverse()) x = t.inv.call(x);
    if (this._validateArgs) this.baseDist.validateSample(x, 'cdf');
    return this.monotonizeCdf(this.baseDist.cdf(x));
  }
  override icdf(value: Tensor | number): Tensor {
    return this.applyTransforms(this.baseDist.icdf(this.monotonizeCdf(this.unchecked(value))));
  }
}
