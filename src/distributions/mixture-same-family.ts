/**
 * torch.distributions.MixtureSameFamily(mixtureDistribution, componentDistribution): K components
 * of one family, batched along the component distribution's rightmost batch dim, weighted by a
 * Categorical over K. p(x) = Σ_k π_k p_k(x); mean, variance by the laws of total expectation and
 * variance; samples pick each draw's component by a Categorical draw (no rsample, as torch).
 */
import type { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/engine.js';
import { ValueError, fmtValue } from '../errors.js';
import { Categorical } from './categorical.js';
import type { Constraint } from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { torchSize } from './format.js';

export class MixtureSameFamily extends Distribution {
  declare readonly _mixtureDistribution: Categorical;
  declare readonly _componentDistribution: Distribution;
  declare readonly _numComponent: number;
  declare readonly _eventNdims: number;

  constructor(mixtureDistribution: Categorical, componentDistribution: Distribution, opts: DistributionOptions = {}) {
    const fn = 'distributions.MixtureSameFamily';
    if (!(mixtureDistribution instanceof Categorical))
      throw new ValueError(fn, `The Mixture distribution needs to be an instance of Categorical, got ${fmtValue(mixtureDistribution)}`);
    if (!(componentDistribution instanceof Distribution))
      throw new ValueError(fn, `The Component distribution needs to be an instance of Distribution, got ${fmtValue(componentDistribution)}`);
    const mdbs = mixtureDistribution.batchShape;
    const cbs = componentDistribution.batchShape;
    if (cbs.length === 0) throw new ValueError(fn, `component_distribution needs a batch dim of the K components, got batch_shape ${torchSize(cbs)}`);
    const cdbs = cbs.slice(0, -1);
    for (let i = 1; i <= Math.min(mdbs.length, cdbs.length); i++) {
      const a = mdbs[mdbs.length - i],
        b = cdbs[cdbs.length - i];
      if (a !== 1 && b !== 1 && a !== b)
        throw new ValueError(
          fn,
          `\`mixture_distribution.batch_shape\` (${torchSize(mdbs)}) is not compatible with \`component_distribution.batch_shape\`(${torchSize(cdbs)})`,
        );
    }
    const km = mixtureDistribution._numEvents,
      kc = cbs[cbs.length - 1];
    if (km !== kc) throw new ValueError(fn, `\`mixture_distribution component\` (${km}) does not equal \`component_distribution.batch_shape[-1]\` (${kc})`);
    const eventShape = componentDistribution.eventShape;
    super(cdbs, eventShape, opts.validateArgs, {
      _mixtureDistribution: mixtureDistribution,
      _componentDistribution: componentDistribution,
      _numComponent: km,
      _eventNdims: eventShape.length,
    });
  }
  override get typeName(): string {
    return 'MixtureSameFamily';
  }
  override get argConstraints(): Record<string, Constraint> {
    return {};
  }
  /** The components' support. */
  override get support(): Constraint {
    return this._componentDistribution.support;
  }
  get mixtureDistribution(): Categorical {
    return this._mixtureDistribution;
  }
  get componentDistribution(): Distribution {
    return this._componentDistribution;
  }
  override expand(batchShape: readonly number[]): MixtureSameFamily {
    return this.expanded(batchShape, {
      _componentDistribution: this._componentDistribution.expand([...batchShape, this._numComponent]),
      _mixtureDistribution: this._mixtureDistribution.expand(batchShape),
      _numComponent: this._numComponent,
      _eventNdims: this._eventNdims,
    });
  }
  /** x with a size-1 component dim before the event dims. */
  private pad(x: Tensor): Tensor {
    return x.unsqueeze(-1 - this._eventNdims);
  }
  /**
   * The mixture weights [...mixtureBatch, K] with 1s after K for the event dims, to broadcast with
   * the components' statistics [...batch, K, ...event] (the batches align from the right, as the
   * constructor checks). torch 1.13 also inserts numel(batch) − numel(mixtureBatch) 1s before K
   * when the mixture's batch has more than one element: 0 when the batches are equal, and a wrong
   * shape otherwise, so this agrees with torch wherever torch's result is right.
   */
  private padMixture(w: Tensor): Tensor {
    return w.reshape([...w.shape, ...Array<number>(this._eventNdims).fill(1)]);
  }
  /** Σ_k π_k·mean_k. */
  override get mean(): Tensor {
    const probs = this.padMixture(this._mixtureDistribution.probs);
    return probs.mul(this._componentDistribution.mean).sum(-1 - this._eventNdims);
  }
  /** Σ_k π_k·var_k + Σ_k π_k·(mean_k − mean)² (total variance). */
  override get variance(): Tensor {
    const probs = this.padMixture(this._mixtureDistribution.probs);
    const c = this._componentDistribution;
    const meanCondVar = probs.mul(c.variance).sum(-1 - this._eventNdims);
    const varCondMean = probs.mul(c.mean.sub(this.pad(this.mean)).square()).sum(-1 - this._eventNdims);
    return meanCondVar.add(varCondMean);
  }
  /** Σ_k π_k·F_k(x) (torch validates nothing here). */
  override cdf(value: Tensor | number): Tensor {
    const cdfX = this._componentDistribution.cdf(this.pad(this.unchecked(value)));
    return cdfX.mul(this._mixtureDistribution.probs).sum(-1);
  }
  /** logsumexp_k(log p_k(x) + log π_k). */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const logProbX = this._componentDistribution.logProb(this.pad(x));
    const logMixProb = this._mixtureDistribution.logits.logSoftmax(-1);
    return logProbX.add(logMixProb).logsumexp(-1);
  }
  /**
   * A draw of every component and of the mixture index, then the drawn component's value picked by
   * gather along the component dim (the mixture's batch broadcast to the distribution's: torch's
   * gather needs them equal).
   */
  override sample(sampleShape: readonly number[] = []): Tensor {
    const head = this.extendedShape(sampleShape).slice(0, sampleShape.length + this._batchShape.length);
    const gatherDim = head.length;
    const es = this._eventShape;
    return noGrad(() => {
      const mix = this._mixtureDistribution.sample(sampleShape);
      const comp = this._componentDistribution.sample(sampleShape);
      const missing = this._batchShape.length - this._mixtureDistribution.batchShape.length;
      const index = mix
        .reshape([...sampleShape, ...Array<number>(missing).fill(1), ...mix.shape.slice(sampleShape.length), 1, ...es.map(() => 1)])
        .expand([...head, 1, ...es]);
      return comp.gather(gatherDim, index).squeeze(gatherDim);
    });
  }
  override toString(): string {
    return `MixtureSameFamily(\n  ${this._mixtureDistribution},\n  ${this._componentDistribution})`;
  }
}
