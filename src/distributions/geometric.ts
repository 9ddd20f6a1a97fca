/**
 * torch.distributions.Geometric: the number of failures before the first success of
 * probability p (probs or logits), on 0, 1, 2, …; samples ⌊log u / log(1 − p)⌋ with u uniform on
 * [tiny, 1) from the seeded stream.
 */
import type { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import { rand, zeros } from '../api/creation.js';
import { nonnegativeInteger, real, unitInterval, type Constraint } from './constraints.js';
import { Distribution } from './distribution.js';
import { bceWithLogits, expandedParams, probsOrLogits, setWhere, type ProbsOptions } from './discrete-utils.js';
import { pyTuple } from './format.js';
import { FLOAT32_TINY, broadcastAll, lazyProperty, logitsToProbs, probsToLogits } from './utils.js';

export class Geometric extends Distribution {
  declare readonly probs: Tensor;
  declare readonly logits: Tensor;

  constructor(probs?: Tensor | number | null | ProbsOptions, logits?: Tensor | number | null | ProbsOptions, opts?: ProbsOptions) {
    const fn = 'distributions.Geometric';
    const a = probsOrLogits(fn, probs, logits, opts);
    const name = a.probs !== undefined ? 'probs' : 'logits';
    const [param] = broadcastAll(fn, (a.probs ?? a.logits)!);
    super(param.shape, [], a.validateArgs, { [name]: param });
    // p = 0 is in unitInterval but has no geometric distribution: torch checks it separately
    if (this._validateArgs && name === 'probs') {
      const valid = param.gt(0);
      if (!valid.all().item())
        throw new ValueError(
          fn,
          `Expected parameter probs (Tensor of shape ${pyTuple(param.shape)}) of distribution ${this} to be positive but found invalid values:\n${param.detach().maskedSelect(valid.eq(0))}`,
        );
    }
  }
  override get typeName(): string {
    return 'Geometric';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { probs: unitInterval, logits: real };
  }
  override get support(): Constraint {
    return nonnegativeInteger;
  }
  /** 1/p − 1. */
  override get mean(): Tensor {
    return this.probs.reciprocal().sub(1);
  }
  override get mode(): Tensor {
    return zeros(this.probs.shape);
  }
  /** (1/p − 1)/p. */
  override get variance(): Tensor {
    return this.probs.reciprocal().sub(1).div(this.probs);
  }
  override expand(batchShape: readonly number[]): Geometric {
    return this.expanded(batchShape, expandedParams(this, batchShape));
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => {
      const u = rand(shape).clampMin(FLOAT32_TINY);
      return u.log().div(this.probs.neg().log1p()).floor();
    });
  }
  /** k·log(1 − p) + log p, with 0·log 0 taken as 0 at p = 1, k = 0. */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const [k, p] = broadcastAll(this.fnName('logProb'), x, this.probs);
    const probs = setWhere(p, p.eq(1).mul(k.eq(0)), 0);
    return k.mul(probs.neg().log1p()).add(this.probs.log());
  }
  /** BCE(logits, probs)/p. */
  override entropy(): Tensor {
    return bceWithLogits(this.logits, this.probs).div(this.probs);
  }
}
lazyProperty(Geometric.prototype, 'logits', (d) => probsToLogits(d.probs, true));
lazyProperty(Geometric.prototype, 'probs', (d) => logitsToProbs(d.logits, true));
