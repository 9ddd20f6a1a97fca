/**
 * Loss modules (PyTorch's nn.MSELoss, nn.CrossEntropyLoss, …): each holds its options and calls the
 * wg.losses function of the same loss, so the maths and its checks live in one place. Option names
 * and unknown-option errors are checked when the module is built; tensors when forward runs. As in
 * PyTorch, a class `weight` is a buffer (in stateDict as 'weight'), and BCEWithLogitsLoss's `posWeight` too ('pos_weight').
 */
import { checkBool, checkFunction, checkOptions, checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ValueError, fmtValue } from '../errors.js';
import * as losses from '../api/losses.js';
import { legacyReduction } from '../api/loss-signatures.js';
import type {
  BceOptions,
  BceWithLogitsOptions,
  CosineEmbeddingOptions,
  CtcOptions,
  CrossEntropyOptions,
  GaussianNllOptions,
  KlDivOptions,
  MultiMarginOptions,
  NllOptions,
  PoissonNllOptions,
  Reduction,
  TripletMarginOptions,
  TripletMarginWithDistanceOptions,
} from '../api/losses.js';
import { Module } from './module.js';
import * as forms from './module-forms.js';

type Forward2 = (input: Tensor, target: Tensor) => Tensor;
type Forward3 = (input1: Tensor, input2: Tensor, target: Tensor) => Tensor;
type Forward4 = (input: Tensor, target: Tensor, inputLengths: Tensor | readonly number[], targetLengths: Tensor | readonly number[]) => Tensor;

abstract class Loss<
  O extends { reduction?: string; weight?: Tensor; posWeight?: Tensor },
  Fw extends Forward2 | Forward3 | Forward4 = Forward2,
> extends Module<Fw> {
  /** The options given, passed to the loss function on every call. */
  readonly options: Readonly<O>;

  /**
   * args: the subclass's constructor arguments in torch's form `form` (its options positionally,
   * with the deprecated sizeAverage/reduce folded into reduction) or in ours (one options object).
   */
  protected constructor(args: readonly unknown[], form: forms.ModuleForm, reductions: readonly string[] = ['mean', 'sum', 'none']) {
    super();
    const fn = `nn.${new.target.name}`;
    const [options] = forms.moduleArgs(form, args, new.target.name);
    const o = legacyReduction(fn, checkOptions<O>(fn, options, [...(form.options ?? []), ...(form.keywordOnly ?? [])])); // a copy: weights become buffers below
    if (o.reduction !== undefined && !reductions.includes(o.reduction))
      throw new ValueError(fn, `reduction must be ${reductions.map((r) => `'${r}'`).join(', ')}, got ${fmtValue(o.reduction)}`);
    checkOptionTypes(fn, o);
    if (o.weight !== undefined && o.weight !== null) o.weight = this.registerBuffer('weight', o.weight);
    if (o.posWeight !== undefined && o.posWeight !== null) o.posWeight = this.registerBuffer('pos_weight', o.posWeight);
    this.options = o;
  }

  /** Replaces the tensor option `key` and its buffer `name` (null: none), checked as when built. */
  protected replaceWeight(key: 'weight' | 'posWeight', name: string, t: Tensor | null): void {
    checkOptionTypes(`nn.${this.constructor.name}.${key}`, { [key]: t });
    this.setBuffer(name, t);
    (this.options as O)[key] = t ?? undefined;
  }
}

/**
 * A loss with PyTorch's class `weight` buffer (its _WeightedLoss): `loss.weight` reads it (null
 * without one), and assigning a float32 tensor or null replaces it for the next forward and in the
 * state dict, as torch's `loss.weight = w`.
 */
abstract class WeightedLoss<O extends { reduction?: string; weight?: Tensor; posWeight?: Tensor }> extends Loss<O> {
  get weight(): Tensor | null {
    return this.options.weight ?? null;
  }
  set weight(t: Tensor | null) {
    this.replaceWeight('weight', 'weight', t);
  }
}

/** Options of these names are numbers (integers where PyTorch takes an int), booleans or a function. */
const NUMBER_OPTIONS = ['margin', 'delta', 'beta', 'p', 'eps', 'labelSmoothing'];
const INTEGER_OPTIONS = ['ignoreIndex', 'blank'];
const BOOLEAN_OPTIONS = ['swap', 'full', 'logInput', 'logTarget', 'zeroInfinity'];

/**
 * The types of a loss module's options, checked when it is built as PyTorch's typed constructor
 * arguments are (their ranges are checked by the loss function when forward runs); a class weight
 * must be a float32 tensor, or null for none.
 */
function checkOptionTypes(fn: string, o: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (NUMBER_OPTIONS.includes(k) && typeof v !== 'number') throw new ValueError(fn, `${k} must be a number, got ${fmtValue(v)}`);
    if (INTEGER_OPTIONS.includes(k) && !Number.isInteger(v)) throw new ValueError(fn, `${k} must be an integer, got ${fmtValue(v)}`);
    if (BOOLEAN_OPTIONS.includes(k)) checkBool(fn, k, v);
    if (k === 'distanceFunction') checkFunction(fn, k, v);
    if ((k === 'weight' || k === 'posWeight') && v !== null) {
      checkTensor(fn, k, v);
      if (v.dtype !== 'float32') throw new DTypeError(fn, `${k} must be a float32 tensor, got ${fmtValue(v)}`);
    }
  }
}

type ReductionOnly = { reduction?: Reduction };

export class MSELoss extends Loss<ReductionOnly> {
  constructor(options?: ReductionOnly);
  constructor(...args: unknown[]) {
    super(args, forms.MSELoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.mse(input, target, this.options);
  }
}

export class L1Loss extends Loss<ReductionOnly> {
  constructor(options?: ReductionOnly);
  constructor(...args: unknown[]) {
    super(args, forms.MSELoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.l1(input, target, this.options);
  }
}

export class HuberLoss extends Loss<{ delta?: number; reduction?: Reduction }> {
  constructor(options?: { delta?: number; reduction?: Reduction });
  constructor(...args: unknown[]) {
    super(args, forms.HuberLoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.huber(input, target, this.options);
  }
}

export class SmoothL1Loss extends Loss<{ beta?: number; reduction?: Reduction }> {
  constructor(options?: { beta?: number; reduction?: Reduction });
  constructor(...args: unknown[]) {
    super(args, forms.SmoothL1Loss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.smoothL1(input, target, this.options);
  }
}

/** Logits [N, C] (or [C], [N, C, d1, …]) against int32 class ids or class probabilities. */
export class CrossEntropyLoss extends WeightedLoss<CrossEntropyOptions> {
  constructor(options?: CrossEntropyOptions);
  constructor(...args: unknown[]) {
    super(args, forms.CrossEntropyLoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.crossEntropy(input, target, this.options);
  }
}

export class NLLLoss extends WeightedLoss<NllOptions> {
  constructor(options?: NllOptions);
  constructor(...args: unknown[]) {
    super(args, forms.NLLLoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.nll(input, target, this.options);
  }
}

/** PyTorch's deprecated NLLLoss2d: NLLLoss, which takes [N, C, H, W] log-probabilities itself. */
export class NLLLoss2d extends NLLLoss {}

/** Probabilities against targets in [0, 1], with PyTorch's per-element `weight`. */
export class BCELoss extends WeightedLoss<BceOptions> {
  constructor(options?: BceOptions);
  constructor(...args: unknown[]) {
    super(args, forms.BCELoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.bce(input, target, this.options);
  }
}

/** Logits against targets in [0, 1], with PyTorch's `weight` and `posWeight`. */
export class BCEWithLogitsLoss extends WeightedLoss<BceWithLogitsOptions> {
  constructor(options?: BceWithLogitsOptions);
  constructor(...args: unknown[]) {
    super(args, forms.BCEWithLogitsLoss);
  }
  /** The `pos_weight` buffer (null without one); assigning replaces it, as torch's `loss.pos_weight = p`. */
  get posWeight(): Tensor | null {
    return this.options.posWeight ?? null;
  }
  set posWeight(t: Tensor | null) {
    this.replaceWeight('posWeight', 'pos_weight', t);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.bceWithLogits(input, target, this.options);
  }
}

export class KLDivLoss extends Loss<KlDivOptions> {
  constructor(options?: KlDivOptions);
  constructor(...args: unknown[]) {
    super(args, forms.KLDivLoss, ['mean', 'batchmean', 'sum', 'none']);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.klDiv(input, target, this.options);
  }
}

type MarginOptions = { margin?: number; reduction?: Reduction };

export class MarginRankingLoss extends Loss<MarginOptions, Forward3> {
  constructor(options?: MarginOptions);
  constructor(...args: unknown[]) {
    super(args, forms.MarginLoss);
  }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return losses.marginRanking(input1, input2, target, this.options);
  }
}

export class HingeEmbeddingLoss extends Loss<MarginOptions> {
  constructor(options?: MarginOptions);
  constructor(...args: unknown[]) {
    super(args, forms.MarginLoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.hingeEmbedding(input, target, this.options);
  }
}

export class CosineEmbeddingLoss extends Loss<CosineEmbeddingOptions, Forward3> {
  constructor(options?: CosineEmbeddingOptions);
  constructor(...args: unknown[]) {
    super(args, forms.MarginLoss);
  }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return losses.cosineEmbedding(input1, input2, target, this.options);
  }
}

/** forward(anchor, positive, negative). */
export class TripletMarginLoss extends Loss<TripletMarginOptions, Forward3> {
  constructor(options?: TripletMarginOptions);
  constructor(...args: unknown[]) {
    super(args, forms.TripletMarginLoss);
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return losses.tripletMargin(anchor, positive, negative, this.options);
  }
}

/** forward(anchor, positive, negative) with a JavaScript `distanceFunction` (default pairwise distance). */
export class TripletMarginWithDistanceLoss extends Loss<TripletMarginWithDistanceOptions, Forward3> {
  constructor(options?: TripletMarginWithDistanceOptions);
  constructor(...args: unknown[]) {
    super(args, forms.TripletMarginWithDistanceLoss);
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return losses.tripletMarginWithDistance(anchor, positive, negative, this.options);
  }
}

export class SoftMarginLoss extends Loss<ReductionOnly> {
  constructor(options?: ReductionOnly);
  constructor(...args: unknown[]) {
    super(args, forms.MSELoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.softMargin(input, target, this.options);
  }
}

export class PoissonNLLLoss extends Loss<PoissonNllOptions> {
  constructor(options?: PoissonNllOptions);
  constructor(...args: unknown[]) {
    super(args, forms.PoissonNLLLoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.poissonNll(input, target, this.options);
  }
}

/** forward(input, target, var). */
export class GaussianNLLLoss extends Loss<GaussianNllOptions, Forward3> {
  constructor(options?: GaussianNllOptions);
  constructor(...args: unknown[]) {
    super(args, forms.GaussianNLLLoss);
  }
  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return losses.gaussianNll(input, target, variance, this.options);
  }
}

/** With PyTorch's per-class `weight` (a buffer). */
export class MultiLabelSoftMarginLoss extends WeightedLoss<BceOptions> {
  constructor(options?: BceOptions);
  constructor(...args: unknown[]) {
    super(args, forms.MultiLabelSoftMarginLoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.multiLabelSoftMargin(input, target, this.options);
  }
}

/** Input [N, C] against int32 class ids [N], with PyTorch's per-class `weight` (a buffer). */
export class MultiMarginLoss extends WeightedLoss<MultiMarginOptions> {
  constructor(options?: MultiMarginOptions);
  constructor(...args: unknown[]) {
    super(args, forms.MultiMarginLoss);
    // PyTorch's constructor: "only p == 1 and p == 2 supported"
    const { p } = this.options;
    if (p !== undefined && p !== 1 && p !== 2) throw new ValueError('nn.MultiMarginLoss', `p must be 1 or 2, got ${fmtValue(p)}`);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.multiMargin(input, target, this.options);
  }
}

/** Input [N, C] against int32 target class lists [N, C] ended by −1. */
export class MultiLabelMarginLoss extends Loss<ReductionOnly> {
  constructor(options?: ReductionOnly);
  constructor(...args: unknown[]) {
    super(args, forms.MSELoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.multiLabelMargin(input, target, this.options);
  }
}

/** forward(logProbs [T, N, C], targets int32 [N, S], inputLengths [N], targetLengths [N]). */
export class CTCLoss extends Loss<CtcOptions, Forward4> {
  constructor(options?: CtcOptions);
  constructor(...args: unknown[]) {
    super(args, forms.CTCLoss);
  }
  forward(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[], targetLengths: Tensor | readonly number[]): Tensor {
    return losses.ctc(logProbs, targets, inputLengths, targetLengths, this.options);
  }
}
