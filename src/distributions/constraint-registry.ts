/**
 * torch.distributions.constraint_registry of PyTorch 1.13: `bijectTo(c)` gives a bijective
 * transform from the reals (of c's event dims) onto c, `transformTo(c)` a transform onto c that
 * may not be bijective (softmax for the simplex). Dispatch is on the constraint's exact class, as
 * torch's; `register(constraintOrClass, factory)` adds or replaces one.
 */
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import {
  Cat,
  Constraint,
  CorrCholesky,
  GreaterThan,
  GreaterThanEq,
  HalfOpenInterval,
  IndependentConstraint,
  Interval,
  LessThan,
  LowerCholesky,
  Real,
  Simplex,
  Stack,
} from './constraints.js';
import { NotImplementedError } from './errors.js';
import { ComposeTransform, IndependentTransform, Transform, identityTransform } from './transform.js';
import { AffineTransform, ExpTransform, SigmoidTransform } from './transforms-elementwise.js';
import { CatTransform, CorrCholeskyTransform, LowerCholeskyTransform, SoftmaxTransform, StackTransform, StickBreakingTransform } from './transforms-vector.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor signature: a class, not how it is built
export type ConstraintClass = abstract new (...args: any[]) => Constraint;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each factory takes its own constraint class
export type TransformFactory = (constraint: any) => Transform;

/** A registry linking constraint classes to transform factories (torch's ConstraintRegistry). */
export class ConstraintRegistry {
  private readonly registry = new Map<ConstraintClass, TransformFactory>();
  constructor(private readonly name = 'ConstraintRegistry') {}

  /**
   * Registers `factory` for the class of `constraint` (a Constraint subclass or an instance of it).
   * Without a factory, returns a function that registers the one it is given (torch's decorator form).
   */
  register(constraint: ConstraintClass | Constraint, factory: TransformFactory): TransformFactory;
  register(constraint: ConstraintClass | Constraint): (factory: TransformFactory) => TransformFactory;
  register(constraint: ConstraintClass | Constraint, factory?: TransformFactory): TransformFactory | ((factory: TransformFactory) => TransformFactory) {
    if (factory === undefined) return (f: TransformFactory) => this.register(constraint, f);
    const cls = constraint instanceof Constraint ? (constraint.constructor as ConstraintClass) : constraint;
    if (typeof cls !== 'function' || !(cls === Constraint || cls.prototype instanceof Constraint))
      throw new ValueError(
        `distributions.${this.name}.register`,
        `Expected constraint to be either a Constraint subclass or instance, but got ${fmtValue(constraint)}`,
      );
    if (typeof factory !== 'function') throw new ValueError(`distributions.${this.name}.register`, `factory must be a function, got ${fmtValue(factory)}`);
    this.registry.set(cls, factory);
    return factory;
  }

  /** The transform for `constraint` (NotImplementedError when its class has no factory). */
  call(constraint: Constraint): Transform {
    const fn = `distributions.${this.name}`;
    if (!(constraint instanceof Constraint)) throw new ValueError(fn, `expects a Constraint, got ${fmtValue(constraint)}`);
    const factory = this.registry.get(constraint.constructor as ConstraintClass);
    if (factory === undefined) throw new NotImplementedError(fn, `Cannot transform _${String(constraint).split('(')[0]} constraints`);
    return factory(constraint);
  }
}

/** A registry callable as a function (`bijectTo(c)`), with `register` and `registry` on it. */
export interface RegistryFunction {
  (constraint: Constraint): Transform;
  register: ConstraintRegistry['register'];
  registry: ConstraintRegistry;
}
function callable(registry: ConstraintRegistry): RegistryFunction {
  const f = ((c: Constraint) => registry.call(c)) as RegistryFunction;
  f.register = registry.register.bind(registry) as ConstraintRegistry['register'];
  f.registry = registry;
  return f;
}

/** torch's biject_to: bijections from unconstrained space (for HMC-like uses). */
export const bijectTo = callable(new ConstraintRegistry('bijectTo'));
/** torch's transform_to: transforms onto the constraint (for optimisation; not always bijective). */
export const transformTo = callable(new ConstraintRegistry('transformTo'));

const both = (cls: ConstraintClass, factory: TransformFactory) => {
  bijectTo.register(cls, factory);
  transformTo.register(cls, factory);
};

both(Real, () => identityTransform);
bijectTo.register(IndependentConstraint, (c: IndependentConstraint) => new IndependentTransform(bijectTo(c.baseConstraint), c.reinterpretedBatchNdims));
transformTo.register(IndependentConstraint, (c: IndependentConstraint) => new IndependentTransform(transformTo(c.baseConstraint), c.reinterpretedBatchNdims));
// torch registers ExpTransform for positive and nonnegative, then the greater_than factory for the
// same classes: the later one wins, so positive maps to exp then "+ 0" (kept for torch's structure).
both(GreaterThan, (c: GreaterThan) => new ComposeTransform([new ExpTransform(), new AffineTransform(c.lowerBound, 1)]));
both(GreaterThanEq, (c: GreaterThanEq) => new ComposeTransform([new ExpTransform(), new AffineTransform(c.lowerBound, 1)]));
both(LessThan, (c: LessThan) => new ComposeTransform([new ExpTransform(), new AffineTransform(c.upperBound, -1)]));
/** (0, 1) bounds given as numbers: a plain sigmoid; else sigmoid then lower + (upper − lower)·y. */
const toInterval = (c: Interval | HalfOpenInterval): Transform => {
  if (c.lowerBound === 0 && c.upperBound === 1) return new SigmoidTransform();
  const [lo, hi] = [c.lowerBound, c.upperBound];
  const scale = hi instanceof Tensor ? hi.sub(lo) : lo instanceof Tensor ? lo.neg().add(hi) : hi - lo;
  return new ComposeTransform([new SigmoidTransform(), new AffineTransform(c.lowerBound, scale)]);
};
both(Interval, toInterval);
both(HalfOpenInterval, toInterval);
bijectTo.register(Simplex, () => new StickBreakingTransform());
transformTo.register(Simplex, () => new SoftmaxTransform());
transformTo.register(LowerCholesky, () => new LowerCholeskyTransform());
both(CorrCholesky, () => new CorrCholeskyTransform());
bijectTo.register(
  Cat,
  (c: Cat) =>
    new CatTransform(
      c.cseq.map((x) => bijectTo(x)),
      c.dim,
      c.lengths,
    ),
);
transformTo.register(
  Cat,
  (c: Cat) =>
    new CatTransform(
      c.cseq.map((x) => transformTo(x)),
      c.dim,
      c.lengths,
    ),
);
bijectTo.register(
  Stack,
  (c: Stack) =>
    new StackTransform(
      c.cseq.map((x) => bijectTo(x)),
      c.dim,
    ),
);
transformTo.register(
  Stack,
  (c: Stack) =>
    new StackTransform(
      c.cseq.map((x) => transformTo(x)),
      c.dim,
    ),
);
