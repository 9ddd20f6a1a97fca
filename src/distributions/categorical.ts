/**
 * torch.distributions.Categorical: integers 0 … K−1 drawn with the probabilities of the last dim
 * (probs normalized to sum 1, or logits normalized by logsumexp). Samples are int32 (torch's
 * int64) from the seeded stream (wg.multinomial with replacement).
 */
import { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/engine.js';
import { ValueError, fmtValue } from '../errors.js';
import { arange, full, zeros } from '../api/creation.js';
import { multinomial } from '../api/factories.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { integerInterval, realVector, simplex, type Constraint } from './constraints.js';
import { Distribution } from './distribution.js';
import { expandedParams, probsOrLogits, type ProbsOptions } from './discrete-utils.js';
import { lazyProperty, logitsToProbs, probsToLogits } from './utils.js';

/** float32's most negative finite value (torch.finfo(torch.float32).min). */
const FLOAT32_MIN = -3.4028234663852886e38;

export class Categorical extends Distribution {
  declare readonly probs: Tensor;
  declare readonly logits: Tensor;
  /** The parameter given (normalized probs or logits). */
  declare readonly _param: Tensor;
  declare readonly _numEvents: number;

  constructor(probs?: Tensor | null | ProbsOptions, logits?: Tensor | null | ProbsOptions, opts?: ProbsOptions) {
    const fn = 'distributions.Categorical';
    const a = probsOrLogits(fn, probs, logits, opts);
    const name = a.probs !== undefined ? 'probs' : 'logits';
    const given = (a.probs ?? a.logits)!;
    if (!(given instanceof Tensor) || given.ndim < 1)
      throw new ValueError(fn, `\`${name}\` parameter must be at least one-dimensional, got ${fmtValue(given)}`);
    given.assertAlive(fn);
    const param = name === 'probs' ? given.div(given.sum(-1, true)) : given.sub(given.logsumexp(-1, true));
    super(param.shape.slice(0, -1), [], a.validateArgs, { [name]: param, _param: param, _numEvents: param.shape[param.ndim - 1] });
  }
  override get typeName(): string {
    return 'Categorical';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { probs: simplex, logits: realVector };
  }
  /** torch's dependent property: the integers 0 … K−1. */
  override get support(): Constraint {
    return integerInterval(0, this._numEvents - 1);
  }
  override get hasEnumerateSupport(): boolean {
    return true;
  }
  get paramShape(): number[] {
    return [...this._param.shape];
  }
  /** NaN (a category has no mean), of batchShape. */
  override get mean(): Tensor {
    return full(this.extendedShape(), NaN);
  }
  /** The most probable category (int32). */
  override get mode(): Tensor {
    return this.probs.argmax(-1);
  }
  override get variance(): Tensor {
    return full(this.extendedShape(), NaN);
  }
  override expand(batchShape: readonly number[]): Categorical {
    const shape = [...batchShape, this._numEvents];
    return this.expanded(batchShape, { ...expandedParams(this, shape), _numEvents: this._numEvents });
  }
  /** int32 category indices of shape sampleShape + batchShape. */
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const n = sampleShape.reduce((a, b) => a * b, 1);
    return noGrad(() => {
      const probs2d = this.probs.reshape([-1, this._numEvents]);
      if (n === 0 || probs2d.shape[0] === 0) return zeros(shape, { dtype: 'int32' });
      return multinomial(probs2d, n, { replacement: true }).t().reshape(shape);
    });
  }
  /** The normalized logit of the category `value` (truncated to an integer, as torch's .long()). */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const idx = (x.dtype === 'int32' ? x : x.int()).unsqueeze(-1);
    const shape = broadcastShapes(this.fnName('logProb'), [idx.shape, this.logits.shape]);
    const logPmf = this.logits.expand(shape);
    return logPmf.gather(-1, idx.expand([...shape.slice(0, -1), 1])).squeeze(-1);
  }
  /** −Σ p·log p, with logits clamped to float32's min so that p = 0 gives 0, not NaN. */
  override entropy(): Tensor {
    const logits = this.logits.clampMin(FLOAT32_MIN);
    return logits.mul(this.probs).sum(-1).neg();
  }
  /** 0 … K−1 (int32) along dim 0, shaped [K, 1, …] (or expanded to [K, ...batchShape]). */
  override enumerateSupport(expand = true): Tensor {
    const k = this._numEvents;
    const values = arange(k, { dtype: 'int32' }).reshape([k, ...this._batchShape.map(() => 1)]);
    return expand ? values.expand([k, ...this._batchShape]) : values;
  }
}
lazyProperty(Categorical.prototype, 'logits', (d) => probsToLogits(d.probs));
lazyProperty(Categorical.prototype, 'probs', (d) => logitsToProbs(d.logits));

/**
 * A distribution over counts of K categories that holds a Categorical (torch's `_categorical`,
 * OneHotCategorical's and Multinomial's): its parameters are the Categorical's, not own
 * properties, so toString lists none, as torch's repr.
 */
export abstract class CategoricalBacked extends Distribution {
  declare readonly _categorical: Categorical;

  override get argConstraints(): Record<string, Constraint> {
    return { probs: simplex, logits: realVector };
  }
  get _param(): Tensor {
    return this._categorical._param;
  }
  get probs(): Tensor {
    return this._categorical.probs;
  }
  get logits(): Tensor {
    return this._categorical.logits;
  }
  get paramShape(): number[] {
    return this._categorical.paramShape;
  }
}
