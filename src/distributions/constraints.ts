/**
 * torch.distributions.constraints of PyTorch 1.13: objects saying which values a parameter or a
 * sample may take. `check(value)` returns a 0/1 float32 tensor (wasmgrad has no bool dtype) of
 * the shape `value.shape` minus the constraint's `eventDim` rightmost dims; `toString()` is torch's
 * repr (`GreaterThan(lower_bound=0.0)`), bounds given as integers print as integers, as Python's ints.
 */
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { full } from '../api/creation.js';
import { cat as catTensors, stack as stackTensors } from '../api/shape.js';
import { choleskyEx } from '../api/linalg-cholesky.js';
import { eigvalsh, vectorNorm } from '../api/torch-forms.js';
import { NotImplementedError } from './errors.js';
import { pyFloat, torchFormat } from './format.js';

type Bound = number | Tensor;

/** A bound as torch's format() prints it: a 0-d tensor's number, another tensor's repr, an integer as Python's int, else Python's float. */
function fmtBound(b: Bound, float: boolean): string {
  if (b instanceof Tensor) return torchFormat(b);
  return Number.isInteger(b) && !float ? String(b) : pyFloat(b);
}

/** Elementwise `&` of two 0/1 tensors. */
const and = (a: Tensor, b: Tensor): Tensor => a.mul(b);
/** `|` of two 0/1 tensors. */
const or = (a: Tensor, b: Tensor): Tensor => a.add(b).gt(0);
/** value % 1 == 0 (integers; NaN and ±∞ are not). */
const isInteger = (v: Tensor): Tensor => v.sub(v.floor()).eq(0); // ±∞ − ±∞ is NaN: not integers, as torch's inf % 1
/** The last `n` dims of a 0/1 tensor folded by `all` (torch's `.view(shape[:-n] + (-1,)).min(-1)`). */
function allLast(t: Tensor, n: number): Tensor {
  if (n === 0) return t;
  return t.reshape([...t.shape.slice(0, t.ndim - n), -1]).all(-1);
}

/** An abstract constraint: subclasses give `check`; `isDiscrete`, `eventDim` as torch's class attributes. */
export class Constraint {
  /** Whether the constrained space is discrete. */
  get isDiscrete(): boolean {
    return false;
  }
  /** How many rightmost dims form one event (check reduces them). */
  get eventDim(): number {
    return 0;
  }
  /** A 0/1 tensor: 1 where `value` satisfies the constraint. */
  check(value: Tensor): Tensor {
    throw new NotImplementedError('distributions.constraints', `${this.name()}.check is not implemented (given ${fmtValue(value)})`);
  }
  /** The name torch prints (its class name without the leading underscore); a literal, as minifiers rename classes. */
  protected name(): string {
    return 'Constraint';
  }
  toString(): string {
    return `${this.name()}()`;
  }
}

/** A placeholder for a constraint that depends on other variables (torch's `_Dependent`): cannot be checked. */
export class Dependent extends Constraint {
  protected override name(): string {
    return 'Dependent';
  }
  constructor(
    private readonly discrete?: boolean,
    private readonly dim?: number,
  ) {
    super();
  }
  override get isDiscrete(): boolean {
    if (this.discrete === undefined) throw new ValueError('distributions.constraints', '.isDiscrete cannot be determined for a Dependent constraint');
    return this.discrete;
  }
  override get eventDim(): number {
    if (this.dim === undefined) throw new ValueError('distributions.constraints', '.eventDim cannot be determined for a Dependent constraint');
    return this.dim;
  }
  override check(): Tensor {
    throw new ValueError('distributions.constraints', 'Cannot determine validity of dependent constraint');
  }
  /** A copy with isDiscrete / eventDim set (torch's `dependent(is_discrete=…, event_dim=…)`). */
  with(opts: { isDiscrete?: boolean; eventDim?: number } = {}): Dependent {
    return new Dependent(opts.isDiscrete ?? this.discrete, opts.eventDim ?? this.dim);
  }
}

/** Whether `c` is a Dependent constraint (torch's `is_dependent`). */
export const isDependent = (c: unknown): boolean => c instanceof Dependent;

/**
 * torch's `dependent_property`: in Python a property that is a Dependent constraint on the class
 * and `fn(self)` on instances. Here a Dependent constraint carrying `fn`; `.get(self)` evaluates it.
 */
export class DependentProperty<T = unknown> extends Dependent {
  constructor(
    readonly fn: (self: T) => Constraint,
    opts: { isDiscrete?: boolean; eventDim?: number } = {},
  ) {
    super(opts.isDiscrete, opts.eventDim);
  }
  get(self: T): Constraint {
    return this.fn(self);
  }
}

/** Reinterprets `n` batch dims of `base` as event dims: check folds them with `all`. */
export class IndependentConstraint extends Constraint {
  constructor(
    readonly baseConstraint: Constraint,
    readonly reinterpretedBatchNdims: number,
  ) {
    super();
    if (!(baseConstraint instanceof Constraint))
      throw new ValueError('distributions.constraints.independent', `baseConstraint must be a Constraint, got ${fmtValue(baseConstraint)}`);
    if (!Number.isInteger(reinterpretedBatchNdims) || reinterpretedBatchNdims < 0)
      throw new ValueError('distributions.constraints.independent', `reinterpretedBatchNdims must be an integer ≥ 0, got ${fmtValue(reinterpretedBatchNdims)}`);
  }
  override get isDiscrete(): boolean {
    return this.baseConstraint.isDiscrete;
  }
  override get eventDim(): number {
    return this.baseConstraint.eventDim + this.reinterpretedBatchNdims;
  }
  override check(value: Tensor): Tensor {
    const result = this.baseConstraint.check(value);
    if (result.ndim < this.reinterpretedBatchNdims)
      throw new ValueError('distributions.constraints.independent', `Expected value.dim() >= ${this.eventDim} but got ${value.ndim}`);
    return allLast(result, this.reinterpretedBatchNdims);
  }
  override toString(): string {
    return `IndependentConstraint(${this.baseConstraint}, ${this.reinterpretedBatchNdims})`;
  }
}

/** 0 or 1. */
export class Boolean_ extends Constraint {
  override get isDiscrete(): boolean {
    return true;
  }
  override check(value: Tensor): Tensor {
    return or(value.eq(0), value.eq(1));
  }
  protected override name(): string {
    return 'Boolean';
  }
}

/** One-hot vectors along the last dim. */
export class OneHot extends Constraint {
  protected override name(): string {
    return 'OneHot';
  }
  override get isDiscrete(): boolean {
    return true;
  }
  override get eventDim(): number {
    return 1;
  }
  override check(value: Tensor): Tensor {
    return and(or(value.eq(0), value.eq(1)).all(-1), value.sum(-1).eq(1));
  }
}

/** The extended real line (−∞, ∞): everything but NaN. */
export class Real extends Constraint {
  protected override name(): string {
    return 'Real';
  }
  override check(value: Tensor): Tensor {
    return value.eq(value);
  }
}

/**
 * A constraint with bounds, printed `Name(lower_bound=…, upper_bound=…)`. `float` marks bounds
 * torch writes as floats (its `positive` is `_GreaterThan(0.)`, printed `0.0`); numbers given by
 * the user print as Python prints them (an integer bound as an int).
 */
abstract class Bounded extends Constraint {
  constructor(
    private readonly label: string,
    private readonly bounds: Record<string, Bound>,
    private readonly float: boolean,
    private readonly discrete: boolean,
  ) {
    super();
  }
  override get isDiscrete(): boolean {
    return this.discrete;
  }
  protected override name(): string {
    return this.label;
  }
  override toString(): string {
    const args = Object.entries(this.bounds).map(([k, b]) => `${k}=${fmtBound(b, this.float)}`);
    return `${this.label}(${args.join(', ')})`;
  }
}

/** Integers in [lowerBound, upperBound]. */
export class IntegerInterval extends Bounded {
  constructor(
    readonly lowerBound: Bound,
    readonly upperBound: Bound,
  ) {
    super('IntegerInterval', { lower_bound: lowerBound, upper_bound: upperBound }, false, true);
  }
  override check(value: Tensor): Tensor {
    return and(and(isInteger(value), value.ge(this.lowerBound)), value.le(this.upperBound));
  }
}

/** Integers ≤ upperBound. */
export class IntegerLessThan extends Bounded {
  constructor(readonly upperBound: Bound) {
    super('IntegerLessThan', { upper_bound: upperBound }, false, true);
  }
  override check(value: Tensor): Tensor {
    return and(isInteger(value), value.le(this.upperBound));
  }
}

/** Integers ≥ lowerBound. */
export class IntegerGreaterThan extends Bounded {
  constructor(readonly lowerBound: Bound) {
    super('IntegerGreaterThan', { lower_bound: lowerBound }, false, true);
  }
  override check(value: Tensor): Tensor {
    return and(isInteger(value), value.ge(this.lowerBound));
  }
}

/** (lowerBound, ∞). */
export class GreaterThan extends Bounded {
  constructor(
    readonly lowerBound: Bound,
    float = false,
  ) {
    super('GreaterThan', { lower_bound: lowerBound }, float, false);
  }
  override check(value: Tensor): Tensor {
    return value.gt(this.lowerBound);
  }
}

/** [lowerBound, ∞). */
export class GreaterThanEq extends Bounded {
  constructor(
    readonly lowerBound: Bound,
    float = false,
  ) {
    super('GreaterThanEq', { lower_bound: lowerBound }, float, false);
  }
  override check(value: Tensor): Tensor {
    return value.ge(this.lowerBound);
  }
}

/** (−∞, upperBound). */
export class LessThan extends Bounded {
  constructor(
    readonly upperBound: Bound,
    float = false,
  ) {
    super('LessThan', { upper_bound: upperBound }, float, false);
  }
  override check(value: Tensor): Tensor {
    return value.lt(this.upperBound);
  }
}

/** [lowerBound, upperBound]. */
export class Interval extends Bounded {
  constructor(
    readonly lowerBound: Bound,
    readonly upperBound: Bound,
    float = false,
  ) {
    super('Interval', { lower_bound: lowerBound, upper_bound: upperBound }, float, false);
  }
  override check(value: Tensor): Tensor {
    return and(value.ge(this.lowerBound), value.le(this.upperBound));
  }
}

/** [lowerBound, upperBound). */
export class HalfOpenInterval extends Bounded {
  constructor(
    readonly lowerBound: Bound,
    readonly upperBound: Bound,
    float = false,
  ) {
    super('HalfOpenInterval', { lower_bound: lowerBound, upper_bound: upperBound }, float, false);
  }
  override check(value: Tensor): Tensor {
    return and(value.ge(this.lowerBound), value.lt(this.upperBound));
  }
}

/** The unit simplex along the last dim: x ≥ 0 and |Σx − 1| < 1e-6 (torch's tolerance). */
export class Simplex extends Constraint {
  protected override name(): string {
    return 'Simplex';
  }
  override get eventDim(): number {
    return 1;
  }
  override check(value: Tensor): Tensor {
    return and(value.ge(0).all(-1), value.sum(-1).sub(1).abs().lt(1e-6));
  }
}

/** Nonnegative counts along the last dim summing to at most upperBound (torch's `multinomial`). */
export class Multinomial extends Constraint {
  constructor(readonly upperBound: number) {
    super();
  }
  override get isDiscrete(): boolean {
    return true;
  }
  override get eventDim(): number {
    return 1;
  }
  override check(value: Tensor): Tensor {
    return and(value.ge(0).all(-1), value.sum(-1).le(this.upperBound));
  }
  /** torch's _Multinomial has no repr of its own: Constraint's, the class name without its underscore. */
  protected override name(): string {
    return 'Multinomial';
  }
}

/** Lower-triangular matrices (last two dims). */
export class LowerTriangular extends Constraint {
  protected override name(): string {
    return 'LowerTriangular';
  }
  override get eventDim(): number {
    return 2;
  }
  override check(value: Tensor): Tensor {
    return allLast(value.tril().eq(value), 2);
  }
}

/** Lower-triangular matrices with a positive diagonal. */
export class LowerCholesky extends Constraint {
  protected override name(): string {
    return 'LowerCholesky';
  }
  override get eventDim(): number {
    return 2;
  }
  override check(value: Tensor): Tensor {
    const positiveDiagonal = value.diagonal({ dim1: -2, dim2: -1 }).gt(0).all(-1);
    return and(allLast(value.tril().eq(value), 2), positiveDiagonal);
  }
}

/** Lower Cholesky factors of correlation matrices: rows of unit norm (within 10·n·eps of float32). */
export class CorrCholesky extends Constraint {
  protected override name(): string {
    return 'CorrCholesky';
  }
  override get eventDim(): number {
    return 2;
  }
  override check(value: Tensor): Tensor {
    const tol = 2 ** -23 * value.shape[value.ndim - 1] * 10;
    const rowNorm = vectorNorm(value.detach(), { dim: -1 });
    const unitRowNorm = rowNorm.sub(1).abs().le(tol).all(-1);
    return and(lowerCholesky.check(value), unitRowNorm);
  }
}

/** Square matrices: one value per matrix of the batch. */
export class Square extends Constraint {
  protected override name(): string {
    return 'Square';
  }
  override get eventDim(): number {
    return 2;
  }
  override check(value: Tensor): Tensor {
    const n = value.ndim;
    return full(value.shape.slice(0, n - 2), value.shape[n - 2] === value.shape[n - 1] ? 1 : 0);
  }
}

/** Symmetric square matrices (isclose with atol 1e-6, as torch). */
export class Symmetric extends Square {
  protected override name(): string {
    return 'Symmetric';
  }
  override check(value: Tensor): Tensor {
    const square = super.check(value);
    if (!square.all().item()) return square;
    return value.isclose(value.transpose(-2, -1), { atol: 1e-6 }).all(-2).all(-1);
  }
}

/** Positive semidefinite matrices: symmetric, eigenvalues ≥ 0. */
export class PositiveSemidefinite extends Symmetric {
  protected override name(): string {
    return 'PositiveSemidefinite';
  }
  override check(value: Tensor): Tensor {
    const sym = super.check(value);
    if (!sym.all().item()) return sym;
    return eigvalsh(value).ge(0).all(-1);
  }
}

/** Positive definite matrices: symmetric, and a Cholesky factorisation succeeds. */
export class PositiveDefinite extends Symmetric {
  protected override name(): string {
    return 'PositiveDefinite';
  }
  override check(value: Tensor): Tensor {
    const sym = super.check(value);
    if (!sym.all().item()) return sym;
    return choleskyEx(value).info.eq(0);
  }
}

/** Applies each of `cseq` to a slice of `lengths[i]` (default 1) along `dim`, then concatenates. */
export class Cat extends Constraint {
  protected override name(): string {
    return 'Cat';
  }
  readonly lengths: number[];
  constructor(
    readonly cseq: readonly Constraint[],
    readonly dim = 0,
    lengths?: readonly number[],
  ) {
    super();
    if (!cseq.every((c) => c instanceof Constraint)) throw new ValueError('distributions.constraints.cat', `cseq must hold Constraints, got ${fmtValue(cseq)}`);
    this.lengths = lengths ? [...lengths] : cseq.map(() => 1);
    if (this.lengths.length !== cseq.length)
      throw new ValueError('distributions.constraints.cat', `lengths must have one entry per constraint (${cseq.length}), got ${fmtValue(lengths)}`);
  }
  override get isDiscrete(): boolean {
    return this.cseq.some((c) => c.isDiscrete);
  }
  override get eventDim(): number {
    return Math.max(...this.cseq.map((c) => c.eventDim));
  }
  override check(value: Tensor): Tensor {
    const dim = checkDim('cat', this.dim, value);
    let start = 0;
    const checks = this.cseq.map((c, i) => {
      const v = value.narrow(dim, start, this.lengths[i]);
      start += this.lengths[i];
      return c.check(v);
    });
    return catTensors(checks, dim);
  }
}

/** Applies each of `cseq` to the slices of `value` along `dim` (one constraint per index), then stacks. */
export class Stack extends Constraint {
  protected override name(): string {
    return 'Stack';
  }
  constructor(
    readonly cseq: readonly Constraint[],
    readonly dim = 0,
  ) {
    super();
    if (!cseq.every((c) => c instanceof Constraint))
      throw new ValueError('distributions.constraints.stack', `cseq must hold Constraints, got ${fmtValue(cseq)}`);
  }
  override get isDiscrete(): boolean {
    return this.cseq.some((c) => c.isDiscrete);
  }
  override get eventDim(): number {
    const dim = Math.max(...this.cseq.map((c) => c.eventDim));
    return this.dim + dim < 0 ? dim + 1 : dim;
  }
  override check(value: Tensor): Tensor {
    const dim = checkDim('stack', this.dim, value);
    if (value.shape[dim] !== this.cseq.length)
      throw new ValueError(
        'distributions.constraints.stack',
        `value has ${value.shape[dim]} entries along dim ${this.dim}, the constraint ${this.cseq.length}`,
      );
    return stackTensors(
      this.cseq.map((c, i) => c.check(value.select(dim, i))),
      dim,
    );
  }
}

/** torch asserts -value.dim() <= dim < value.dim(). */
function checkDim(fn: string, dim: number, value: Tensor): number {
  if (!(dim >= -value.ndim && dim < value.ndim))
    throw new ValueError(`distributions.constraints.${fn}`, `dim ${dim} is out of range for a value of ${value.ndim} dims`);
  return dim < 0 ? dim + value.ndim : dim;
}

export const dependent = /* @__PURE__ */ new Dependent();
/** torch's `dependent_property(fn, is_discrete=…, event_dim=…)`. */
export const dependentProperty = <T>(fn: (self: T) => Constraint, opts: { isDiscrete?: boolean; eventDim?: number } = {}): DependentProperty<T> =>
  new DependentProperty(fn, opts);
export const independent = (base: Constraint, reinterpretedBatchNdims: number): IndependentConstraint =>
  new IndependentConstraint(base, reinterpretedBatchNdims);
export const boolean = /* @__PURE__ */ new Boolean_();
export const oneHot = /* @__PURE__ */ new OneHot();
export const nonnegativeInteger = /* @__PURE__ */ new IntegerGreaterThan(0);
export const positiveInteger = /* @__PURE__ */ new IntegerGreaterThan(1);
export const integerInterval = (lowerBound: Bound, upperBound: Bound): IntegerInterval => new IntegerInterval(lowerBound, upperBound);
export const real = /* @__PURE__ */ new Real();
export const realVector = /* @__PURE__ */ independent(real, 1);
export const positive = /* @__PURE__ */ new GreaterThan(0, true);
export const nonnegative = /* @__PURE__ */ new GreaterThanEq(0, true);
export const greaterThan = (lowerBound: Bound): GreaterThan => new GreaterThan(lowerBound);
export const greaterThanEq = (lowerBound: Bound): GreaterThanEq => new GreaterThanEq(lowerBound);
export const lessThan = (upperBound: Bound): LessThan => new LessThan(upperBound);
export const multinomial = (upperBound: number): Multinomial => new Multinomial(upperBound);
export const unitInterval = /* @__PURE__ */ new Interval(0, 1, true);
export const interval = (lowerBound: Bound, upperBound: Bound): Interval => new Interval(lowerBound, upperBound);
export const halfOpenInterval = (lowerBound: Bound, upperBound: Bound): HalfOpenInterval => new HalfOpenInterval(lowerBound, upperBound);
export const simplex = /* @__PURE__ */ new Simplex();
export const lowerTriangular = /* @__PURE__ */ new LowerTriangular();
export const lowerCholesky = /* @__PURE__ */ new LowerCholesky();
export const corrCholesky = /* @__PURE__ */ new CorrCholesky();
export const square = /* @__PURE__ */ new Square();
export const symmetric = /* @__PURE__ */ new Symmetric();
export const positiveSemidefinite = /* @__PURE__ */ new PositiveSemidefinite();
export const positiveDefinite = /* @__PURE__ */ new PositiveDefinite();
export const cat = (cseq: readonly Constraint[], dim = 0, lengths?: readonly number[]): Cat => new Cat(cseq, dim, lengths);
export const stack = (cseq: readonly Constraint[], dim = 0): Stack => new Stack(cseq, dim);
