/**
 * torch.distributions.transforms of PyTorch 1.13, the base and the structural transforms:
 * `Transform` (y = t.call(x), t.inv, logAbsDetJacobian(x, y), domain/codomain constraints, shapes,
 * a cache of the last (x, y) pair when cacheSize is 1), its inverse, `ComposeTransform` (and
 * `identityTransform`, the empty composition), `IndependentTransform` and `ReshapeTransform`.
 *
 * README-internal: a transform subclass gives `typeName` (a literal: minifiers rename classes),
 * `domain`/`codomain` getters, `bijective`/`sign` where torch has them, `_call`/`_inverse`
 * (the maths, called through the cache by `call` and `invCall`), `logAbsDetJacobian`,
 * `forwardShape`/`inverseShape` when it changes shapes, `equals` (torch's `__eq__`) and, when its
 * constructor takes parameters, `withCache` (the base's builds `new Class(cacheSize)`).
 */
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { zeros } from '../api/creation.js';
import { independent, real, type Constraint } from './constraints.js';
import { NotImplementedError } from './errors.js';
import { pyTuple, torchSize } from './format.js';
import { sumRightmost } from './utils.js';

/** torch's cache_size: 0 (no cache) or 1 (the last pair). */
export type CacheSize = 0 | 1;

function checkCacheSize(fn: string, cacheSize: unknown): CacheSize {
  if (cacheSize !== 0 && cacheSize !== 1) throw new ValueError(fn, `cache_size must be 0 or 1, got ${fmtValue(cacheSize)}`);
  return cacheSize;
}

export class Transform {
  protected readonly _cacheSize: CacheSize;
  /** The inverse once built (torch keeps a weak reference; a strong one here: `t.inv.inv === t` either way). */
  protected _inv: Transform | null = null;
  private cachedX: Tensor | null = null;
  private cachedY: Tensor | null = null;

  constructor(cacheSize: CacheSize = 0) {
    this._cacheSize = checkCacheSize(`distributions.transforms.${this.typeName}`, cacheSize);
  }

  /** The class's name, as toString and messages print it. */
  get typeName(): string {
    return 'Transform';
  }
  protected fnName(method?: string): string {
    return `distributions.transforms.${this.typeName}${method ? `.${method}` : ''}`;
  }
  get cacheSize(): CacheSize {
    return this._cacheSize;
  }
  /** The constraint of valid inputs. */
  get domain(): Constraint {
    throw new NotImplementedError(this.fnName('domain'), 'is not implemented');
  }
  /** The constraint of the outputs (the inputs of the inverse). */
  get codomain(): Constraint {
    throw new NotImplementedError(this.fnName('codomain'), 'is not implemented');
  }
  /** Whether t.inv(t(x)) == x and t(t.inv(y)) == y on the domain and codomain. */
  get bijective(): boolean {
    return false;
  }
  /** The sign of the Jacobian's determinant (+1, −1, or a tensor of them), for bijective univariate transforms. */
  get sign(): number | Tensor {
    throw new NotImplementedError(this.fnName('sign'), 'is not implemented');
  }
  /** The event dim of the domain, when it equals the codomain's. */
  get eventDim(): number {
    const d = this.domain.eventDim;
    if (d === this.codomain.eventDim) return d;
    throw new ValueError(this.fnName('eventDim'), 'Please use either .domain.event_dim or .codomain.event_dim');
  }
  /** The inverse transform (`t.inv.inv === t`). */
  get inv(): Transform {
    if (this._inv === null) this._inv = new InverseTransform(this);
    return this._inv;
  }
  /** This transform with another cache size (itself when it already has it). */
  withCache(cacheSize: CacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new (this.constructor as new (c: CacheSize) => Transform)(cacheSize);
  }
  /** torch's `__eq__`: the same transform (the parameterless ones: the same class). */
  equals(other: Transform): boolean {
    return this === other;
  }

  /** y = t(x) (torch's `t(x)`); with cacheSize 1 the same x object returns the cached y. */
  call(x: Tensor): Tensor {
    const fn = this.fnName();
    if (!(x instanceof Tensor)) throw new ValueError(fn, `expects a Tensor, got ${fmtValue(x)}`);
    if (this._cacheSize === 0) return this._call(x);
    if (x === this.cachedX) return this.cachedY!;
    const y = this._call(x);
    [this.cachedX, this.cachedY] = [x, y];
    return y;
  }
  /** The same as `call`. */
  forward(x: Tensor): Tensor {
    return this.call(x);
  }
  /** x = t⁻¹(y) through the cache (torch's `_inv_call`; `t.inv.call(y)` is the public form). */
  invCall(y: Tensor): Tensor {
    if (!(y instanceof Tensor)) throw new ValueError(this.fnName('inv'), `expects a Tensor, got ${fmtValue(y)}`);
    if (this._cacheSize === 0) return this._inverse(y);
    if (y === this.cachedY) return this.cachedX!;
    const x = this._inverse(y);
    [this.cachedX, this.cachedY] = [x, y];
    return x;
  }
  protected _call(x: Tensor): Tensor {
    throw new NotImplementedError(this.fnName(), `is not implemented (x of shape ${pyTuple(x.shape)})`);
  }
  protected _inverse(y: Tensor): Tensor {
    throw new NotImplementedError(this.fnName('inv'), `is not implemented (y of shape ${pyTuple(y.shape)})`);
  }
  /** log |dy/dx| at the pair (x, y = t(x)), summed over the event dims of the domain. */
  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    throw new NotImplementedError(this.fnName('logAbsDetJacobian'), `is not implemented (x ${pyTuple(x.shape)}, y ${pyTuple(y.shape)})`);
  }
  /** The output shape for an input of `shape`. */
  forwardShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  /** The input shape for an output of `shape`. */
  inverseShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  toString(): string {
    return `${this.typeName}()`;
  }
}

/** The inverse of a transform (torch's private _InverseTransform): everything swapped, the log-det negated. */
export class InverseTransform extends Transform {
  constructor(transform: Transform) {
    super(transform.cacheSize);
    this._inv = transform;
  }
  override get typeName(): string {
    return '_InverseTransform';
  }
  private get base(): Transform {
    return this._inv!;
  }
  override get domain(): Constraint {
    return this.base.codomain;
  }
  override get codomain(): Constraint {
    return this.base.domain;
  }
  override get bijective(): boolean {
    return this.base.bijective;
  }
  override get sign(): number | Tensor {
    return this.base.sign;
  }
  override get inv(): Transform {
    return this.base;
  }
  override withCache(cacheSize: CacheSize = 1): Transform {
    return this.base.withCache(cacheSize).inv;
  }
  override equals(other: Transform): boolean {
    return other instanceof InverseTransform && this.base.equals(other.base);
  }
  override call(x: Tensor): Tensor {
    return this.base.invCall(x);
  }
  override invCall(y: Tensor): Tensor {
    return this.base.call(y);
  }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    return this.base.logAbsDetJacobian(y, x).neg();
  }
  override forwardShape(shape: readonly number[]): number[] {
    return this.base.inverseShape(shape);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.base.forwardShape(shape);
  }
  override toString(): string {
    return `_InverseTransform(${this.base})`;
  }
}

function checkTransforms(fn: string, parts: unknown): Transform[] {
  if (!Array.isArray(parts) || !parts.every((p) => p instanceof Transform)) throw new ValueError(fn, `expects an array of Transforms, got ${fmtValue(parts)}`);
  return parts as Transform[];
}

/** The product of two signs (numbers or tensors of ±1). */
export function mulSign(a: number | Tensor, b: number | Tensor): number | Tensor {
  if (a instanceof Tensor) return a.mul(b);
  return b instanceof Tensor ? b.mul(a) : a * b;
}

/** Elementwise equality of two lists of transforms (Python's list ==). */
export const transformsEqual = (a: readonly Transform[], b: readonly Transform[]): boolean => a.length === b.length && a.every((t, i) => t.equals(b[i]));

/**
 * The transforms applied in order: y = partsₙ(…parts₁(x)). Its domain is the first part's domain
 * and its codomain the last part's codomain, each reinterpreted over as many event dims as the
 * chain needs (a part with a larger event dim makes the dims before it dependent too).
 */
export class ComposeTransform extends Transform {
  readonly parts: Transform[];
  constructor(parts: readonly Transform[], cacheSize: CacheSize = 0) {
    super(cacheSize);
    const ps = checkTransforms('distributions.transforms.ComposeTransform', parts);
    this.parts = cacheSize ? ps.map((p) => p.withCache(cacheSize)) : [...ps];
  }
  override get typeName(): string {
    return 'ComposeTransform';
  }
  override equals(other: Transform): boolean {
    return other instanceof ComposeTransform && transformsEqual(this.parts, other.parts);
  }
  override get domain(): Constraint {
    if (this.parts.length === 0) return real;
    const domain = this.parts[0].domain;
    let eventDim = this.parts[this.parts.length - 1].codomain.eventDim;
    for (const part of [...this.parts].reverse()) {
      eventDim += part.domain.eventDim - part.codomain.eventDim;
      eventDim = Math.max(eventDim, part.domain.eventDim);
    }
    return eventDim > domain.eventDim ? independent(domain, eventDim - domain.eventDim) : domain;
  }
  override get codomain(): Constraint {
    if (this.parts.length === 0) return real;
    const codomain = this.parts[this.parts.length - 1].codomain;
    let eventDim = this.parts[0].domain.eventDim;
    for (const part of this.parts) {
      eventDim += part.codomain.eventDim - part.domain.eventDim;
      eventDim = Math.max(eventDim, part.codomain.eventDim);
    }
    return eventDim > codomain.eventDim ? independent(codomain, eventDim - codomain.eventDim) : codomain;
  }
  override get bijective(): boolean {
    return this.parts.every((p) => p.bijective);
  }
  override get sign(): number | Tensor {
    return this.parts.reduce<number | Tensor>((sign, p) => mulSign(sign, p.sign), 1);
  }
  override get inv(): Transform {
    if (this._inv === null) {
      const inv = new ComposeTransform([...this.parts].reverse().map((p) => p.inv));
      inv._inv = this;
      this._inv = inv;
    }
    return this._inv;
  }
  override withCache(cacheSize: CacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new ComposeTransform(this.parts, cacheSize);
  }
  /** The parts cache (each its own pair); the composition itself keeps none, as torch's. */
  override call(x: Tensor): Tensor {
    for (const part of this.parts) x = part.call(x);
    return x;
  }
  override invCall(y: Tensor): Tensor {
    return this.inv.call(y);
  }
  /** Σ of the parts' log-dets at the intermediate values, each summed over the dims it treats as batch but the chain as event. */
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    if (this.parts.length === 0) return zeros(x.shape);
    const xs = [x];
    for (const part of this.parts.slice(0, -1)) xs.push(part.call(xs[xs.length - 1]));
    xs.push(y);
    let eventDim = this.domain.eventDim;
    let result: Tensor | null = null;
    this.parts.forEach((part, i) => {
      const term = sumRightmost(part.logAbsDetJacobian(xs[i], xs[i + 1]), eventDim - part.domain.eventDim);
      result = result === null ? term : result.add(term);
      eventDim += part.codomain.eventDim - part.domain.eventDim;
    });
    return result!;
  }
  override forwardShape(shape: readonly number[]): number[] {
    let s = [...shape];
    for (const part of this.parts) s = part.forwardShape(s);
    return s;
  }
  override inverseShape(shape: readonly number[]): number[] {
    let s = [...shape];
    for (const part of [...this.parts].reverse()) s = part.inverseShape(s);
    return s;
  }
  override toString(): string {
    return `ComposeTransform(\n    ${this.parts.map(String).join(',\n    ')}\n)`;
  }
}

/** The identity (torch's identity_transform: the empty ComposeTransform). */
export const identityTransform = /* @__PURE__ */ new ComposeTransform([]);

/** `base` with `reinterpretedBatchNdims` more rightmost dims as event dims: the log-det is summed over them. */
export class IndependentTransform extends Transform {
  readonly baseTransform: Transform;
  constructor(
    baseTransform: Transform,
    readonly reinterpretedBatchNdims: number,
    cacheSize: CacheSize = 0,
  ) {
    super(cacheSize);
    const fn = 'distributions.transforms.IndependentTransform';
    if (!(baseTransform instanceof Transform)) throw new ValueError(fn, `baseTransform must be a Transform, got ${fmtValue(baseTransform)}`);
    if (!Number.isInteger(reinterpretedBatchNdims) || reinterpretedBatchNdims < 0)
      throw new ValueError(fn, `reinterpretedBatchNdims must be an integer ≥ 0, got ${fmtValue(reinterpretedBatchNdims)}`);
    this.baseTransform = baseTransform.withCache(cacheSize);
  }
  override get typeName(): string {
    return 'IndependentTransform';
  }
  override withCache(cacheSize: CacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new IndependentTransform(this.baseTransform, this.reinterpretedBatchNdims, cacheSize);
  }
  override get domain(): Constraint {
    return independent(this.baseTransform.domain, this.reinterpretedBatchNdims);
  }
  override get codomain(): Constraint {
    return independent(this.baseTransform.codomain, this.reinterpretedBatchNdims);
  }
  override get bijective(): boolean {
    return this.baseTransform.bijective;
  }
  override get sign(): number | Tensor {
    return this.baseTransform.sign;
  }
  protected override _call(x: Tensor): Tensor {
    if (x.ndim < this.domain.eventDim) throw new ValueError(this.fnName(), `Too few dimensions on input: ${x.ndim} < ${this.domain.eventDim}`);
    return this.baseTransform.call(x);
  }
  protected override _inverse(y: Tensor): Tensor {
    if (y.ndim < this.codomain.eventDim) throw new ValueError(this.fnName('inv'), `Too few dimensions on input: ${y.ndim} < ${this.codomain.eventDim}`);
    return this.baseTransform.inv.call(y);
  }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    return sumRightmost(this.baseTransform.logAbsDetJacobian(x, y), this.reinterpretedBatchNdims);
  }
  override forwardShape(shape: readonly number[]): number[] {
    return this.baseTransform.forwardShape(shape);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.baseTransform.inverseShape(shape);
  }
  override toString(): string {
    return `IndependentTransform(${this.baseTransform}, ${this.reinterpretedBatchNdims})`;
  }
}

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function checkShapeArg(fn: string, what: string, s: unknown): number[] {
  if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d) && d >= 0))
    throw new ValueError(fn, `${what} must be an array of integers ≥ 0, got ${fmtValue(s)}`);
  return [...s];
}

/** Reshapes the rightmost `inShape` dims to `outShape` (same number of elements): a unit Jacobian. */
export class ReshapeTransform extends Transform {
  readonly inShape: number[];
  readonly outShape: number[];
  constructor(inShape: readonly number[], outShape: readonly number[], cacheSize: CacheSize = 0) {
    super(cacheSize);
    const fn = 'distributions.transforms.ReshapeTransform';
    this.inShape = checkShapeArg(fn, 'inShape', inShape);
    this.outShape = checkShapeArg(fn, 'outShape', outShape);
    if (numel(this.inShape) !== numel(this.outShape))
      throw new ValueError(fn, `in_shape, out_shape have different numbers of elements: ${torchSize(this.inShape)} vs ${torchSize(this.outShape)}`);
  }
  override get typeName(): string {
    return 'ReshapeTransform';
  }
  override get bijective(): boolean {
    return true;
  }
  override get domain(): Constraint {
    return independent(real, this.inShape.length);
  }
  override get codomain(): Constraint {
    return independent(real, this.outShape.length);
  }
  override withCache(cacheSize: CacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new ReshapeTransform(this.inShape, this.outShape, cacheSize);
  }
  protected override _call(x: Tensor): Tensor {
    return x.reshape([...this.forwardShape(x.shape)]);
  }
  protected override _inverse(y: Tensor): Tensor {
    return y.reshape([...this.inverseShape(y.shape)]);
  }
  override logAbsDetJacobian(x: Tensor): Tensor {
    return zeros(x.shape.slice(0, x.ndim - this.inShape.length));
  }
  override forwardShape(shape: readonly number[]): number[] {
    return reshapeShape(this.fnName('forwardShape'), shape, this.inShape, this.outShape);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return reshapeShape(this.fnName('inverseShape'), shape, this.outShape, this.inShape);
  }
}

/** `shape` with its rightmost `from` dims replaced by `to` (ValueError as torch's when they are not `from`). */
function reshapeShape(fn: string, shape: readonly number[], from: readonly number[], to: readonly number[]): number[] {
  if (shape.length < from.length) throw new ValueError(fn, `Too few dimensions on input: ${torchSize(shape)} for an event of ${torchSize(from)}`);
  const cut = shape.length - from.length;
  const tail = shape.slice(cut);
  if (tail.some((d, i) => d !== from[i])) throw new ValueError(fn, `Shape mismatch: expected ${torchSize(tail)} but got ${torchSize(from)}`);
  return [...shape.slice(0, cut), ...to];
}
