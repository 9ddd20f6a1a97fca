/**
 * Loss modules (PyTorch's nn.MSELoss, nn.CrossEntropyLoss, …): each holds its options and calls the
 * wg.losses function of the same loss, so the maths and its checks live in one place. Option names
 * and unknown-option errors are checked when the module is built; tensors when forward runs. As in
 * PyTorch, a class `weight` is a buffer (in stateDict as 'weight'), and BCEWithLogitsLoss's `posWeight` too ('pos_weight').
 */
import { checkOptions } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import * as losses from '../api/losses.js';
import type { BceOptions, BceWithLogitsOptions, CrossEntropyOptions, KlDivOptions, NllOptions, Reduction } from '../api/losses.js';
import { Module } from './module.js';

type Forward2 = (input: Tensor, target: Tensor) => Tensor;
type Forward3 = (input1: Tensor, input2: Tensor, target: Tensor) => Tensor;

abstract class Loss<O extends { reduction?: string; weight?: Tensor; posWeight?: Tensor }, Fw extends Forward2 | Forward3 = Forward2> extends Module<Fw> {
  /** The options given, passed to the loss function on every call. */
  readonly options: Readonly<O>;

  protected constructor(options: O | undefined, known: readonly (keyof O & string)[], reductions: readonly string[] = ['mean', 'sum', 'none']) {
    super();
    const fn = `nn.${new.target.name}`;
    const o = { ...checkOptions<O>(fn, options, known) };
    if (o.reduction !== undefined && !reductions.includes(o.reduction))
      throw new ValueError(fn, `reduction must be ${reductions.map((r) => `'${r}'`).join(', ')}, got ${fmtValue(o.reduction)}`);
    if (o.weight !== undefined && o.weight !== null) o.weight = this.registerBuffer('weight', o.weight);
    if (o.posWeight !== undefined && o.posWeight !== null) o.posWeight = this.registerBuffer('pos_weight', o.posWeight);
    this.options = o;
  }

  override extraRepr(): string {
    return this.options.reduction !== undefined ? `reduction=${this.options.reduction}` : '';
  }
}

type ReductionOnly = { reduction?: Reduction };

export class MSELoss extends Loss<ReductionOnly> {
  constructor(options?: ReductionOnly) {
    super(options, ['reduction']);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.mse(input, target, this.options);
  }
}

export class L1Loss extends Loss<ReductionOnly> {
  constructor(options?: ReductionOnly) {
    super(options, ['reduction']);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.l1(input, target, this.options);
  }
}

export class HuberLoss extends Loss<{ delta?: number; reduction?: Reduction }> {
  constructor(options?: { delta?: number; reduction?: Reduction }) {
    super(options, ['delta', 'reduction']);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.huber(input, target, this.options);
  }
}

export class SmoothL1Loss extends Loss<{ beta?: number; reduction?: Reduction }> {
  constructor(options?: { beta?: number; reduction?: Reduction }) {
    super(options, ['beta', 'reduction']);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.smoothL1(input, target, this.options);
  }
}

/** Logits [N, C] (or [C], [N, C, d1, …]) against int32 class ids or class probabilities. */
export class CrossEntropyLoss extends Loss<CrossEntropyOptions> {
  constructor(options?: CrossEntropyOptions) {
    super(options, ['reduction', 'weight', 'labelSmoothing', 'ignoreIndex']);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.crossEntropy(input, target, this.options);
  }
}

export class NLLLoss extends Loss<NllOptions> {
  constructor(options?: NllOptions) {
    super(options, ['reduction', 'weight', 'ignoreIndex']);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.nll(input, target, this.options);
  }
}

/** Probabilities against targets in [0, 1], with PyTorch's per-element `weight`. */
export class BCELoss extends Loss<BceOptions> {
  constructor(options?: BceOptions) {
    super(options, ['reduction', 'weight']);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.bce(input, target, this.options);
  }
}

/** Logits against targets in [0, 1], with PyTorch's `weight` and `posWeight`. */
export class BCEWithLogitsLoss extends Loss<BceWithLogitsOptions> {
  constructor(options?: BceWithLogitsOptions) {
    super(options, ['reduction', 'weight', 'posWeight']);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.bceWithLogits(input, target, this.options);
  }
}

export class KLDivLoss extends Loss<KlDivOptions> {
  constructor(options?: KlDivOptions) {
    super(options, ['reduction', 'logTarget'], ['mean', 'batchmean', 'sum', 'none']);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.klDiv(input, target, this.options);
  }
}

type MarginOptions = { margin?: number; reduction?: Reduction };

export class MarginRankingLoss extends Loss<MarginOptions, Forward3> {
  constructor(options?: MarginOptions) {
    super(options, ['margin', 'reduction']);
  }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return losses.marginRanking(input1, input2, target, this.options);
  }
}

export class HingeEmbeddingLoss extends Loss<MarginOptions> {
  constructor(options?: MarginOptions) {
    super(options, ['margin', 'reduction']);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return losses.hingeEmbedding(input, target, this.options);
  }
}
