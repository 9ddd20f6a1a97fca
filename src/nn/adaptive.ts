/** AdaptiveLogSoftmaxWithLoss: the adaptive softmax of Grave et al. (2017) for large vocabularies, as PyTorch's module. */
import { checkOptions, checkTensor } from '../engine/check.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import { arange } from '../api/creation.js';
import { fmtShape } from '../ops/types.js';
import type { Tensor } from '../engine/tensor.js';
import { sink } from '../engine/sink.js';
import { Linear, checkInt } from './layers.js';
import { ModuleList, Sequential } from './container.js';
import { Module } from './module.js';

export interface AdaptiveLogSoftmaxOptions {
  /** Each cluster's hidden size is inFeatures // divValue^(i+1) (default 4). */
  divValue?: number;
  /** A bias on the head (default false). */
  headBias?: boolean;
}

/** PyTorch's _ASMoutput named tuple: `[output, loss]`, also readable as `.output` and `.loss`. */
export type ASMOutput = [Tensor, Tensor] & { output: Tensor; loss: Tensor };

const NAME = 'nn.AdaptiveLogSoftmaxWithLoss';

/**
 * Classes [0, cutoffs[0]) form the head's shortlist; each later range [cutoffs[i−1], cutoffs[i])
 * (the last ending at nClasses) is a cluster, one more entry of the head, whose classes a two-layer
 * tail `Linear(in, in // divValue^i) → Linear(…, size)` scores. log p(class) = the head's log-softmax
 * at the class (shortlist) or at its cluster, plus the cluster's own log-softmax at the class.
 *
 * forward(input [N, in], target int32 [N]) (or [in] and a 0-d target) → `[output, loss]`: each
 * sample's log-probability of its target, and the mean of their negatives. Unlike PyTorch, every
 * tail runs on every row and a mask keeps each row's own cluster (the same values and gradients):
 * fixed shapes, so a compiled step replays it without re-running JavaScript.
 */
/**
 * Row i's entry at column at[i] of lp [N, K]: a sum over a one-hot mask (exact: one term is not
 * zero), which reads no index in JavaScript, so a compiled step replays it.
 */
function pick(lp: Tensor, at: Tensor): Tensor {
  return F.sum(F.where(F.eq(F.unsqueeze(at, 1), arange(lp.shape[1], { dtype: 'int32' })), lp, 0), 1);
}

export class AdaptiveLogSoftmaxWithLoss extends Module<(input: Tensor, target: Tensor) => ASMOutput> {
  readonly inFeatures: number;
  readonly nClasses: number;
  /** The cutoffs given, then nClasses (PyTorch's `self.cutoffs`). */
  readonly cutoffs: readonly number[];
  readonly divValue: number;
  readonly headBias: boolean;
  readonly shortlistSize: number;
  readonly nClusters: number;
  readonly headSize: number;
  readonly head: Linear;
  readonly tail: ModuleList<Sequential>;

  constructor(inFeatures: number, nClasses: number, cutoffs: readonly number[], opts: AdaptiveLogSoftmaxOptions = {}) {
    super();
    this.inFeatures = checkInt('AdaptiveLogSoftmaxWithLoss', 'inFeatures', inFeatures, 1);
    this.nClasses = checkInt('AdaptiveLogSoftmaxWithLoss', 'nClasses', nClasses, 1);
    const { divValue = 4, headBias = false } = checkOptions<AdaptiveLogSoftmaxOptions>(NAME, opts, ['divValue', 'headBias']);
    const ok =
      Array.isArray(cutoffs) &&
      cutoffs.length > 0 &&
      cutoffs.every((c, i) => Number.isInteger(c) && c >= 1 && c <= nClasses - 1 && (i === 0 || c > cutoffs[i - 1]));
    if (!ok)
      throw new ValueError(
        NAME,
        `cutoffs should be a sequence of unique, positive integers sorted in an increasing order, where each value is between 1 and nClasses-1 = ${nClasses - 1}, got ${fmtValue(cutoffs)}`,
      );
    if (typeof divValue !== 'number' || !(divValue > 0)) throw new ValueError(NAME, `divValue must be a number > 0, got ${fmtValue(divValue)}`);
    if (typeof headBias !== 'boolean') throw new ValueError(NAME, `headBias must be a boolean, got ${fmtValue(headBias)}`);
    this.cutoffs = [...cutoffs, nClasses];
    this.divValue = divValue;
    this.headBias = headBias;
    this.shortlistSize = this.cutoffs[0];
    this.nClusters = this.cutoffs.length - 1;
    this.headSize = this.shortlistSize + this.nClusters;
    // Created (and so drawn from the seeded stream) in PyTorch's order: the head, then each tail.
    this.head = this.registerModule('head', new Linear(inFeatures, this.headSize, { bias: headBias }));
    const tails: Sequential[] = [];
    for (let i = 0; i < this.nClusters; i++) {
      const hidden = Math.floor(inFeatures / divValue ** (i + 1));
      const size = this.cutoffs[i + 1] - this.cutoffs[i];
      tails.push(new Sequential(new Linear(inFeatures, hidden, { bias: false }), new Linear(hidden, size, { bias: false })));
    }
    this.tail = this.registerModule('tail', new ModuleList(tails));
  }

  forward(input: Tensor, target: Tensor): ASMOutput {
    checkTensor(NAME, 'input', input);
    checkTensor(NAME, 'target', target);
    if (target.dtype !== 'int32') throw new DTypeError(NAME, `target must be int32 class ids, got ${target.dtype} ${fmtShape(target.shape)}`);
    if (target.ndim === 1 && (input.ndim !== 2 || input.shape[0] !== target.shape[0]))
      throw new ShapeError(
        NAME,
        `a 1-D target [N] needs a 2-D input [N, ${this.inFeatures}] with the same N, got input ${fmtShape(input.shape)} and target ${fmtShape(target.shape)}`,
      );
    if (target.ndim === 0 && input.ndim !== 1)
      throw new ShapeError(NAME, `a 0-D target needs a 1-D input [${this.inFeatures}], got input ${fmtShape(input.shape)}`);
    if (target.ndim > 1) throw new ShapeError(NAME, `a 0-D or 1-D target is expected (multi-target is not supported), got ${fmtShape(target.shape)}`);
    this.checkFeatures(input);
    const batched = target.ndim === 1;
    const x = batched ? input : F.unsqueeze(input, 0);
    const t = batched ? target : F.unsqueeze(target, 0);
    // Read at the trace in a compiled step (as crossEntropy's labels); the ops below never use the
    // ids as indices (an id out of range would only pick nothing).
    if (sink.mode === 'off') this.checkTargets(t);
    const headLogProb = F.logSoftmax(this.head.forward(x), 1);
    let headAt = t; // the head entry each row reads: its class, or its cluster's entry
    let output: Tensor | null = null;
    for (let i = 1; i <= this.nClusters; i++) {
      const [low, high] = [this.cutoffs[i - 1], this.cutoffs[i]];
      const inCluster = F.logicalAnd(F.ge(t, low), F.lt(t, high));
      headAt = F.where(inCluster, this.shortlistSize + i - 1, headAt);
      const clusterLogProb = F.logSoftmax(this.tail.at(i - 1).forward(x) as Tensor, 1);
      const local = F.where(inCluster, pick(clusterLogProb, F.sub(t, low)), 0);
      output = output === null ? local : F.add(output, local);
    }
    // PyTorch adds the head's term to the cluster's (0 for the shortlist): the same sum, exactly.
    const rows = F.add(output!, pick(headLogProb, headAt));
    const loss = F.mean(F.neg(rows));
    const result = [batched ? rows : F.squeeze(rows, 0), loss] as ASMOutput;
    result.output = result[0];
    result.loss = loss;
    return result;
  }

  /** The log-probabilities of all nClasses classes, [N, nClasses], for input [N, inFeatures]. */
  logProb(input: Tensor): Tensor {
    return this.fullLogProb(input, this.head.forward(this.check2d('logProb', input)));
  }

  /** The most likely class of each row, int32 [N]: `logProb(input).argmax(1)`, with PyTorch's shortcut for rows whose head argmax is in the shortlist. */
  predict(input: Tensor): Tensor {
    const head = this.head.forward(this.check2d('predict', input));
    const best = F.argmax(head, 1);
    return F.where(F.lt(best, this.shortlistSize), best, F.argmax(this.fullLogProb(input, head), 1));
  }

  private fullLogProb(input: Tensor, headOutput: Tensor): Tensor {
    const headLogProb = F.logSoftmax(headOutput, 1);
    const parts = [F.slice(headLogProb, 1, 0, this.shortlistSize)];
    for (let i = 0; i < this.nClusters; i++) {
      const cluster = F.logSoftmax(this.tail.at(i).forward(input) as Tensor, 1);
      parts.push(F.add(cluster, F.slice(headLogProb, 1, this.shortlistSize + i, this.shortlistSize + i + 1)));
    }
    return F.cat(parts, 1);
  }

  private check2d(fn: string, input: Tensor): Tensor {
    checkTensor(`${NAME}.${fn}`, 'input', input);
    if (input.ndim !== 2) throw new ShapeError(`${NAME}.${fn}`, `expected an input [N, ${this.inFeatures}], got ${fmtShape(input.shape)}`);
    this.checkFeatures(input, fn);
    return input;
  }

  private checkFeatures(input: Tensor, fn?: string): void {
    if (input.shape[input.ndim - 1] !== this.inFeatures)
      throw new ShapeError(
        fn ? `${NAME}.${fn}` : NAME,
        `expected an input whose last dim is inFeatures = ${this.inFeatures}, got shape ${fmtShape(input.shape)}`,
      );
  }

  private checkTargets(t: Tensor): void {
    const v = t.rawValues();
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < v.length; i++) {
      lo = Math.min(lo, v[i]);
      hi = Math.max(hi, v[i]);
    }
    if (lo < 0 || hi > this.nClasses - 1)
      throw new ValueError(NAME, `target values should be in [0, ${this.nClasses - 1}], but values in range [${lo}, ${hi}] were found`);
  }
}
