/**
 * torch.distributions.Distribution (and ExponentialFamily) of PyTorch 1.13.
 *
 * README-internal: how a distribution is written (see normal.ts for a complete one).
 * - `export class Foo extends Distribution` (or ExponentialFamily). Parameters are declared with
 *   `declare readonly loc: Tensor;` (a `declare` field: a plain field would be re-initialised to
 *   undefined after super() returns, as ES2022 class fields are).
 * - Constructor: torch's positional arguments in torch's order, each `Tensor | number`, then an
 *   options object `{ validateArgs }` (`DistributionOptions`). It broadcasts the parameters
 *   (`broadcastAll(fn, a, b)`, numbers become float32 tensors) and calls
 *   `super(batchShape, eventShape, opts.validateArgs, { loc, scale })`: the base sets the params as
 *   own properties of the instance (what torch's `__dict__` holds: toString lists them), then
 *   checks `argConstraints` when validation is on (a ValueError with torch's message).
 * - Parameters computed from others on demand (torch's lazy_property: `probs` from `logits`):
 *   `lazyProperty(Foo.prototype, 'probs', (d) => logitsToProbs(d.logits))` after the class, and
 *   `declare readonly probs: Tensor;` in it; pass the one given in the params of super().
 * - Class facts are getters: `argConstraints` (a record of Constraints), `support`, `hasRsample`,
 *   `hasEnumerateSupport`; statistics are getters `mean`, `mode`, `variance` (stddev derives).
 * - Methods take values as Tensors (numbers are taken too) and call `this.validateSample(value)`
 *   first when `this.validateArgs`, where torch's method calls `self._validate_sample` (most check
 *   in logProb and cdf; `this.checked(value, 'logProb')` does both).
 * - `expand(batchShape)`: `this.expanded(batchShape, { loc: this.loc.expand(shape), … })` makes
 *   the copy without running the constructor (no validation), as torch's `_get_checked_instance`.
 * - `rsample` draws from the seeded stream (wg.randn / wg.rand: `draw.ts`), so samples do not equal
 *   torch's (its generator differs) but are the same on both backends for a seed.
 * - Errors name the function as `distributions.Foo` (the constructor) or `distributions.Foo.logProb`.
 * - KL pairs: `registerKl(Foo, Bar, (p, q) => …)` (kl.ts's) inside a `registerFooKl()` function of a
 *   kl-*.ts file, listed in kl-builtin.ts's BUILTINS (never at a module's top level: see there).
 */
import { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/engine.js';
import { ValueError, fmtValue } from '../errors.js';
import { grad } from '../api/autograd.js';
import { tensor } from '../api/creation.js';
import { isDependent, type Constraint } from './constraints.js';
import { NotImplementedError } from './errors.js';
import { fmtParam, pyTuple, torchFormat, torchSize } from './format.js';
import { isLazyPending, setOwn } from './utils.js';

export { NotImplementedError };

/** The options every distribution's constructor takes last. */
export interface DistributionOptions {
  /** Check the parameters against argConstraints and values against the support (default: Distribution's default, true). */
  validateArgs?: boolean;
}

let defaultValidateArgs = true;
/** Whether a distribution built with validateArgs `given` validates (the default when undefined). */
export const validates = (given: boolean | undefined): boolean => given ?? defaultValidateArgs;

/** A shape: an array of integers ≥ 0. */
function checkShape(fn: string, what: string, s: unknown): number[] {
  if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d) && d >= 0))
    throw new ValueError(fn, `${what} must be an array of integers ≥ 0, got ${fmtValue(s)}`);
  return [...s];
}

export class Distribution {
  protected _batchShape: number[];
  protected _eventShape: number[];
  protected _validateArgs: boolean;

  /** Sets whether distributions validate by default (torch's Distribution.set_default_validate_args; true at load). */
  static setDefaultValidateArgs(value: boolean): void {
    if (typeof value !== 'boolean') throw new ValueError('distributions.Distribution.setDefaultValidateArgs', `expects a boolean, got ${fmtValue(value)}`);
    defaultValidateArgs = value;
  }

  /**
   * `params`: the parameters, set as own properties of the instance before validation (the
   * subclass's `self.loc = …` before torch's `super().__init__`).
   */
  constructor(batchShape: readonly number[] = [], eventShape: readonly number[] = [], validateArgs?: boolean, params: Record<string, unknown> = {}) {
    const fn = this.fnName();
    this._batchShape = checkShape(fn, 'batchShape', batchShape);
    this._eventShape = checkShape(fn, 'eventShape', eventShape);
    if (validateArgs !== undefined && typeof validateArgs !== 'boolean')
      throw new ValueError(fn, `validateArgs must be a boolean, got ${fmtValue(validateArgs)}`);
    this._validateArgs = validateArgs ?? defaultValidateArgs;
    for (const [k, v] of Object.entries(params)) setOwn(this, k, v);
    if (!this._validateArgs) return;
    let argConstraints: Record<string, Constraint>;
    try {
      argConstraints = this.argConstraints;
    } catch (e) {
      if (!(e instanceof NotImplementedError)) throw e;
      argConstraints = {}; // torch warns that the class defines no arg_constraints, and checks nothing
    }
    for (const [param, constraint] of Object.entries(argConstraints)) {
      if (isDependent(constraint)) continue; // cannot be checked
      if (isLazyPending(this, param)) continue; // lazily-constructed arguments are not computed to be checked
      const value = (this as unknown as Record<string, unknown>)[param];
      if (!(value instanceof Tensor)) continue;
      if (!constraint.check(value).all().item())
        throw new ValueError(
          fn,
          `Expected parameter ${param} (Tensor of shape ${pyTuple(value.shape)}) of distribution ${this} to satisfy the constraint ${constraint}, but found invalid values:\n${torchFormat(value)}`,
        );
    }
  }

  /** The class's name, as messages and toString print it (a literal: minifiers rename classes). Subclasses override. */
  get typeName(): string {
    return 'Distribution';
  }
  protected fnName(method?: string): string {
    return `distributions.${this.typeName}${method ? `.${method}` : ''}`;
  }

  /** The shape over which parameters are batched. */
  get batchShape(): number[] {
    return [...this._batchShape];
  }
  /** The shape of a single sample (without batching). */
  get eventShape(): number[] {
    return [...this._eventShape];
  }
  /** Whether this instance validates its arguments. */
  get validateArgs(): boolean {
    return this._validateArgs;
  }
  /** The constraint each parameter satisfies. */
  get argConstraints(): Record<string, Constraint> {
    throw new NotImplementedError(this.fnName('argConstraints'), 'is not implemented');
  }
  /** The constraint of the values (the support). */
  get support(): Constraint {
    throw new NotImplementedError(this.fnName('support'), 'is not implemented');
  }
  get hasRsample(): boolean {
    return false;
  }
  get hasEnumerateSupport(): boolean {
    return false;
  }
  get mean(): Tensor {
    throw new NotImplementedError(this.fnName('mean'), 'is not implemented');
  }
  get mode(): Tensor {
    throw new NotImplementedError(this.fnName('mode'), `${this.typeName} does not implement mode`);
  }
  get variance(): Tensor {
    throw new NotImplementedError(this.fnName('variance'), 'is not implemented');
  }
  get stddev(): Tensor {
    return this.variance.sqrt();
  }

  /** A new distribution with the batch expanded to `batchShape` (parameters expanded, no copy of the validation). */
  expand(batchShape: readonly number[]): Distribution {
    throw new NotImplementedError(this.fnName('expand'), `is not implemented (batchShape ${fmtValue(batchShape)})`);
  }

  /**
   * A copy of this distribution with `params` (already expanded) and the batch `batchShape`, made
   * without the constructor (torch's `_get_checked_instance` + `__init__(validate_args=False)`):
   * the expand() of subclasses.
   */
  protected expanded(batchShape: readonly number[], params: Record<string, unknown>): this {
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    copy._batchShape = checkShape(this.fnName('expand'), 'batchShape', batchShape);
    copy._eventShape = [...this._eventShape];
    copy._validateArgs = this._validateArgs;
    for (const [k, v] of Object.entries(params)) setOwn(copy, k, v);
    return copy;
  }

  /** A sample of shape sampleShape + batchShape + eventShape, without gradient. */
  sample(sampleShape: readonly number[] = []): Tensor {
    return noGrad(() => this.rsample(sampleShape));
  }
  /** A reparameterized sample: gradients flow to the parameters. */
  rsample(sampleShape: readonly number[] = []): Tensor {
    throw new NotImplementedError(this.fnName('rsample'), `is not implemented (sampleShape ${fmtValue(sampleShape)})`);
  }
  /** sample([n]) (torch's deprecated sample_n). */
  sampleN(n: number): Tensor {
    if (!Number.isInteger(n) || n < 0) throw new ValueError(this.fnName('sampleN'), `n must be an integer ≥ 0, got ${fmtValue(n)}`);
    return this.sample([n]);
  }
  /** The log of the density (or mass) at `value`. */
  logProb(value: Tensor | number): Tensor {
    throw new NotImplementedError(this.fnName('logProb'), `is not implemented (value ${fmtValue(value)})`);
  }
  /** The cumulative distribution function at `value`. */
  cdf(value: Tensor | number): Tensor {
    throw new NotImplementedError(this.fnName('cdf'), `is not implemented (value ${fmtValue(value)})`);
  }
  /** The inverse cumulative distribution function at `value`. */
  icdf(value: Tensor | number): Tensor {
    throw new NotImplementedError(this.fnName('icdf'), `is not implemented (value ${fmtValue(value)})`);
  }
  /** The entropy, of shape batchShape. */
  entropy(): Tensor {
    throw new NotImplementedError(this.fnName('entropy'), 'is not implemented');
  }
  /** exp(entropy()). */
  perplexity(): Tensor {
    return this.entropy().exp();
  }
  /** Every value of a discrete support, along dim 0 (expanded over the batch unless expand is false). */
  enumerateSupport(expand = true): Tensor {
    throw new NotImplementedError(this.fnName('enumerateSupport'), `is not implemented (expand ${fmtValue(expand)})`);
  }

  /** sampleShape + batchShape + eventShape (torch's _extended_shape). */
  extendedShape(sampleShape: readonly number[] = []): number[] {
    return [...checkShape(this.fnName(), 'sampleShape', sampleShape), ...this._batchShape, ...this._eventShape];
  }

  /**
   * torch's _validate_sample: the value's rightmost dims equal eventShape, the rest broadcast with
   * batchShape, and every element lies in the support. ValueErrors as torch's (shape ones included).
   * Numbers are taken as 0-d tensors (torch asks for a Tensor); returns the value as a tensor.
   */
  validateSample(value: Tensor | number, method = 'logProb'): Tensor {
    const fn = this.fnName(method);
    if (!(value instanceof Tensor)) {
      if (typeof value !== 'number') throw new ValueError(fn, `The value argument to ${method} must be a Tensor, got ${fmtValue(value)}`);
      value = tensor(value);
    }
    value.assertAlive(fn);
    const shape = value.shape;
    const ev = this._eventShape;
    const start = shape.length - ev.length;
    if (start < 0 || ev.some((d, i) => shape[start + i] !== d))
      throw new ValueError(fn, `The right-most size of value must match event_shape: ${torchSize(shape)} vs ${torchSize(ev)}.`);
    const expected = [...this._batchShape, ...ev];
    for (let k = 1; k <= Math.min(shape.length, expected.length); k++) {
      const i = shape[shape.length - k],
        j = expected[expected.length - k];
      if (i !== 1 && j !== 1 && i !== j)
        throw new ValueError(fn, `Value is not broadcastable with batch_shape+event_shape: ${torchSize(shape)} vs ${torchSize(expected)}.`);
    }
    let support: Constraint;
    try {
      support = this.support;
    } catch (e) {
      if (!(e instanceof NotImplementedError)) throw e;
      return value; // torch warns that the support is not defined, and checks nothing
    }
    if (!support.check(value).all().item())
      throw new ValueError(
        fn,
        `Expected value argument (Tensor of shape ${pyTuple(shape)}) to be within the support (${support}) of the distribution ${this}, but found invalid values:\n${torchFormat(value)}`,
      );
    return value;
  }

  /** The value as a tensor, validated when validateArgs (the first line of logProb, cdf, …). */
  protected checked(value: Tensor | number, method: string): Tensor {
    if (this._validateArgs) return this.validateSample(value, method);
    return this.unchecked(value);
  }
  /** The value as a tensor, not validated (a method where torch validates nothing). */
  protected unchecked(value: Tensor | number): Tensor {
    return value instanceof Tensor ? value : tensor(value);
  }

  /** torch's repr: the class name and the parameters held (a number for 0-d ones, else their size). */
  toString(): string {
    let names: string[] = [];
    try {
      names = Object.keys(this.argConstraints);
    } catch (e) {
      if (!(e instanceof NotImplementedError)) throw e;
    }
    const own = this as unknown as Record<string, unknown>;
    const args = names
      .filter((p) => Object.prototype.hasOwnProperty.call(this, p) && own[p] instanceof Tensor)
      .map((p) => `${p}: ${fmtParam(own[p] as Tensor)}`);
    return `${this.typeName}(${args.join(', ')})`;
  }
}

/**
 * torch's ExponentialFamily: densities p(x; θ) = exp(⟨t(x), θ⟩ − F(θ) + k(x)). Subclasses give the
 * natural parameters θ, the log normalizer F and the carrier measure's mean E[k(x)]; the entropy
 * follows as a Bregman divergence: H = F(θ) − ⟨θ, ∇F(θ)⟩ − E[k(x)], with ∇F by autograd at a
 * detached θ (so, as torch's, it has no gradient to the parameters except through E[k(x)]).
 */
export class ExponentialFamily extends Distribution {
  override get typeName(): string {
    return 'ExponentialFamily';
  }
  /** θ, the natural parameters. */
  get naturalParams(): Tensor[] {
    throw new NotImplementedError(this.fnName('naturalParams'), 'is not implemented');
  }
  /** F(θ), the log normalizer, at the given natural parameters. */
  logNormalizer(...naturalParams: Tensor[]): Tensor {
    throw new NotImplementedError(this.fnName('logNormalizer'), `is not implemented (${naturalParams.length} parameters given)`);
  }
  /** E[k(x)], the expected carrier measure. */
  get meanCarrierMeasure(): Tensor | number {
    throw new NotImplementedError(this.fnName('meanCarrierMeasure'), 'is not implemented');
  }
  override entropy(): Tensor {
    const carrier = this.meanCarrierMeasure;
    const nparams = this.naturalParams.map((p) => p.detach().requiresGrad_());
    const lgNormal = this.logNormalizer(...nparams);
    const gradients = grad(lgNormal.sum(), nparams, { createGraph: true });
    let result = lgNormal.sub(carrier);
    nparams.forEach((np, i) => {
      result = result.sub(
        np
          .mul(gradients[i]!)
          .reshape([...this._batchShape, -1])
          .sum(-1),
      );
    });
    return result;
  }
}
