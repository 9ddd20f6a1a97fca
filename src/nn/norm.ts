/**
 * Normalisation layers on the fused kernels of src/ops/normalization.ts (through src/api/norm.ts):
 * BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm2d.
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { filled } from '../api/creation.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import { batchNormEval, batchNormTraining, checkMomentum } from '../api/norm.js';
import { epsBits } from '../ops/normalization.js';
import { fmtShape } from '../ops/types.js';
import type { Tensor } from '../engine/tensor.js';
import { constantParameter } from './init.js';
import { checkChannelsInput, checkInt, pyFloat } from './layers.js';
import { Module, type AnyModule } from './module.js';
import * as forms from './module-forms.js';

export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /**
   * Weight of the new batch statistic in the running averages (default 0.1):
   * running = (1 − momentum)·running + momentum·batch. null: cumulative average over all batches
   * seen (factor 1/num_batches_tracked), as PyTorch.
   */
  momentum?: number | null;
  /** Learnable per-channel weight (init 1) and bias (init 0) (default true). */
  affine?: boolean;
  /**
   * Keep running_mean/running_var (and num_batches_tracked) and use them in eval mode (default
   * true). When false there are no such buffers and batch statistics are used in both modes.
   */
  trackRunningStats?: boolean;
}

/**
 * PyTorch's _NormBase buffers, in its registration (and state-dict) order: running_mean (zeros),
 * running_var (ones) and num_batches_tracked (a 0-d int32 0; PyTorch's is int64).
 */
function registerRunningStats(m: Module, fn: string, n: number): [Tensor, Tensor, Tensor] {
  return [
    m.registerBuffer('running_mean', filled(fn, [n], 0, {})),
    m.registerBuffer('running_var', filled(fn, [n], 1, {})),
    m.registerBuffer('num_batches_tracked', filled(fn, [], 0, { dtype: 'int32' })),
  ];
}

/**
 * Batch normalisation over the channel dim 1 of x [N, C, ...]: each channel is normalised with
 * statistics over N and all trailing dims, then scaled and shifted: y = (x − μ)/√(σ² + eps)·γ + β.
 *
 * Training mode uses the batch mean μ and the *biased* batch variance σ² = mean((x − μ)²) (the
 * normalisation itself is a property of this batch), and updates the running estimates in place:
 * running_mean ← (1 − m)·running_mean + m·μ, running_var ← (1 − m)·running_var + m·σ²·n/(n − 1),
 * with n = N·(trailing size) values per channel. The running variance uses the *unbiased*
 * estimate n/(n − 1)·σ² because it estimates the population variance used at inference (Bessel's
 * correction), as PyTorch does. Eval mode normalises with the running estimates instead.
 */
abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  /** γ [C] (null when affine is false). */
  readonly weight: Tensor | null;
  /** β [C] (null when affine is false). */
  readonly bias: Tensor | null;
  /** Running mean [C], init 0 (null when trackRunningStats is false). */
  readonly runningMean: Tensor | null;
  /** Running (unbiased) variance [C], init 1 (null when trackRunningStats is false). */
  readonly runningVar: Tensor | null;
  /** Number of training batches seen: a 0-d int32 tensor (PyTorch's is int64). */
  readonly numBatchesTracked: Tensor | null;

  constructor(name: string, numFeatures: number, opts: BatchNormOptions) {
    super();
    this.numFeatures = checkInt(name, 'numFeatures', numFeatures, 1);
    const fn = `nn.${name}`;
    const {
      eps = 1e-5,
      momentum = 0.1,
      affine = true,
      trackRunningStats = true,
    } = checkOptions<BatchNormOptions>(fn, opts, ['eps', 'momentum', 'affine', 'trackRunningStats']);
    epsBits(fn, eps);
    checkMomentum(fn, momentum, true);
    checkBool(fn, 'affine', affine);
    checkBool(fn, 'trackRunningStats', trackRunningStats);
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    // PyTorch's registration order, which is also its state-dict order.
    this.weight = affine ? this.registerParameter('weight', constantParameter(fn, [numFeatures], 1)) : null;
    this.bias = affine ? this.registerParameter('bias', constantParameter(fn, [numFeatures], 0)) : null;
    [this.runningMean, this.runningVar, this.numBatchesTracked] = trackRunningStats ? registerRunningStats(this, fn, numFeatures) : [null, null, null];
  }

  /** Throws unless x has a shape this layer accepts. */
  protected abstract checkInput(x: Tensor): void;

  /** Older PyTorch state dicts and some exporters have no num_batches_tracked: it starts at 0 (as PyTorch loads them). */
  override defaultsForMissingState(): Record<string, number> {
    return this.trackRunningStats ? { num_batches_tracked: 0 } : {};
  }

  forward(x: Tensor): Tensor {
    const fn = `nn.${this.constructor.name}`;
    checkTensor(fn, 'input', x);
    this.checkInput(x);
    const affine = { weight: this.weight, bias: this.bias, eps: this.eps };
    if (!this.training && this.runningMean !== null) return batchNormEval(fn, x, this.runningMean, this.runningVar!, affine);
    // Batch statistics (and in training, the running averages moved in place by one kernel that
    // reads the statistics the forward saved: the count never comes back to JavaScript, so a
    // compiled step with BatchNorm replays without running its JavaScript).
    const running =
      this.training && this.runningMean !== null
        ? { mean: this.runningMean, var: this.runningVar!, count: this.numBatchesTracked!, momentum: this.momentum }
        : null;
    if (x.size === x.shape[1]) throw new ShapeError(fn, `expected more than 1 value per channel when training, got input of shape ${fmtShape(x.shape)}`);
    return batchNormTraining(fn, x, affine, running);
  }

  /** The same parameter and running-stat tensors as `src` (of the same options), fields and registry alike. */
  protected shareStateOf(src: BatchNorm): void {
    const self = this as { -readonly [K in 'runningMean' | 'runningVar' | 'numBatchesTracked']: Tensor | null };
    if (src.weight !== null) this.setParameter('weight', src.weight);
    if (src.bias !== null) this.setParameter('bias', src.bias);
    if (src.runningMean === null) return;
    [self.runningMean, self.runningVar, self.numBatchesTracked] = [src.runningMean, src.runningVar, src.numBatchesTracked];
    this.setBuffer('running_mean', src.runningMean);
    this.setBuffer('running_var', src.runningVar);
    this.setBuffer('num_batches_tracked', src.numBatchesTracked);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, affine=${this.affine ? 'True' : 'False'}, track_running_stats=${this.trackRunningStats ? 'True' : 'False'}`;
  }
}

/** Batch normalisation of x [N, C] or [N, C, L] over N (and L) per channel C. See BatchNorm. */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, opts?: BatchNormOptions);
  constructor(...args: unknown[]) {
    const [numFeatures, opts = {}] = forms.moduleArgs(forms.BatchNorm1d, args) as [number, BatchNormOptions?];
    super('BatchNorm1d', numFeatures, opts);
  }
  protected checkInput(x: Tensor): void {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures)
      throw new ShapeError('nn.BatchNorm1d', `expected an input [N, ${this.numFeatures}] or [N, ${this.numFeatures}, L], got shape ${fmtShape(x.shape)}`);
  }
}

/** Batch normalisation of x [N, C, H, W] over N, H, W per channel C. See BatchNorm. */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, opts?: BatchNormOptions);
  constructor(...args: unknown[]) {
    const [numFeatures, opts = {}] = forms.moduleArgs(forms.BatchNorm2d, args) as [number, BatchNormOptions?];
    super('BatchNorm2d', numFeatures, opts);
  }
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4 || x.shape[1] !== this.numFeatures)
      throw new ShapeError('nn.BatchNorm2d', `expected an input [N, ${this.numFeatures}, H, W], got shape ${fmtShape(x.shape)}`);
  }
}

/** Batch normalisation of x [N, C, D, H, W] over N, D, H, W per channel C. See BatchNorm. */
export class BatchNorm3d extends BatchNorm {
  constructor(numFeatures: number, opts?: BatchNormOptions);
  constructor(...args: unknown[]) {
    const [numFeatures, opts = {}] = forms.moduleArgs(forms.BatchNorm3d, args) as [number, BatchNormOptions?];
    super('BatchNorm3d', numFeatures, opts);
  }
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 5 || x.shape[1] !== this.numFeatures)
      throw new ShapeError('nn.BatchNorm3d', `expected an input [N, ${this.numFeatures}, D, H, W], got shape ${fmtShape(x.shape)}`);
  }
}

/** SyncBatchNorm's options: BatchNorm's, and torch's process group (one process here: null only). */
export interface SyncBatchNormOptions extends BatchNormOptions {
  processGroup?: null;
}

/**
 * torch's SyncBatchNorm: batch normalisation over dim 1 of an input of any rank ≥ 2, its statistics
 * synchronised across the processes of a group. wasmgrad trains in one process, so the group is this
 * one and the statistics are the batch's: BatchNorm's values and state. torch 1.13 refuses a CPU
 * input ("expected input tensor to be on GPU"); here it runs (the one deviation, README).
 */
export class SyncBatchNorm extends BatchNorm {
  constructor(numFeatures: number, opts?: SyncBatchNormOptions);
  constructor(...args: unknown[]) {
    const [numFeatures, { processGroup = null, ...opts } = {}] = forms.moduleArgs(forms.SyncBatchNorm, args) as [number, SyncBatchNormOptions?];
    if (processGroup !== null) throw new ValueError('nn.SyncBatchNorm', `processGroup must be null (one process), got ${fmtValue(processGroup)}`);
    super('SyncBatchNorm', numFeatures, opts);
  }
  protected checkInput(x: Tensor): void {
    if (x.ndim < 2) throw new ValueError('nn.SyncBatchNorm', `expected at least 2D input (got ${x.ndim}D input)`);
    if (x.shape[1] === 0) throw new ValueError('nn.SyncBatchNorm', 'SyncBatchNorm number of input channels should be non-zero');
    if (x.shape[1] !== this.numFeatures)
      throw new ShapeError('nn.SyncBatchNorm', `expected an input [N, ${this.numFeatures}, ...], got shape ${fmtShape(x.shape)}`);
  }

  /**
   * torch's SyncBatchNorm.convert_sync_batchnorm: every BatchNorm of the tree (module itself
   * included) replaced by a SyncBatchNorm of its options holding the same parameter and buffer
   * tensors (so an optimizer over the old parameters still trains them). As torch's, the new
   * modules start in training mode and the children keep their names and order.
   */
  static convertSyncBatchnorm<M extends AnyModule>(module: M, processGroup: null = null): M extends BatchNorm ? SyncBatchNorm : M {
    const fn = 'nn.SyncBatchNorm.convertSyncBatchnorm';
    if (!(module instanceof Module)) throw new ValueError(fn, `module must be an nn.Module, got ${fmtValue(module)}`);
    if (processGroup !== null) throw new ValueError(fn, `processGroup must be null (one process), got ${fmtValue(processGroup)}`);
    let out: AnyModule = module;
    if (module instanceof BatchNorm) {
      const sync = new SyncBatchNorm(module.numFeatures, {
        eps: module.eps,
        momentum: module.momentum,
        affine: module.affine,
        trackRunningStats: module.trackRunningStats,
      });
      sync.shareStateOf(module);
      out = sync;
    }
    for (const [name, child] of module.namedChildren()) out.addModule(name, SyncBatchNorm.convertSyncBatchnorm(child));
    return out as M extends BatchNorm ? SyncBatchNorm : M;
  }
}

export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learnable weight (init 1) and bias (init 0) of the normalised shape (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, whether there is a bias (default true). */
  bias?: boolean;
}

/**
 * Layer normalisation over the trailing dims `normalizedShape` of x [..., *normalizedShape]:
 * each sample is normalised with its own mean and biased variance over those dims (the same in
 * training and eval; no running statistics), then scaled and shifted elementwise:
 * y = (x − μ)/√(σ² + eps)·γ + β.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  /** γ of normalizedShape, init 1 (null without elementwiseAffine). */
  readonly weight: Tensor | null;
  /** β of normalizedShape, init 0 (null without elementwiseAffine or bias). */
  readonly bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], opts?: LayerNormOptions);
  constructor(...args: unknown[]) {
    const [normalizedShape, opts = {}] = forms.moduleArgs(forms.LayerNorm, args) as [number | readonly number[], LayerNormOptions?];
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0)
      throw new ValueError('nn.LayerNorm', `normalizedShape must be a number or a non-empty array, got ${fmtValue(normalizedShape)}`);
    this.normalizedShape = Object.freeze(shape.map((d: unknown) => checkInt('LayerNorm', 'normalizedShape', d, 1)));
    const { eps = 1e-5, elementwiseAffine = true, bias = true } = checkOptions<LayerNormOptions>('nn.LayerNorm', opts, ['eps', 'elementwiseAffine', 'bias']);
    epsBits('nn.LayerNorm', eps);
    checkBool('nn.LayerNorm', 'elementwiseAffine', elementwiseAffine);
    checkBool('nn.LayerNorm', 'bias', bias);
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = elementwiseAffine ? this.registerParameter('weight', constantParameter('nn.LayerNorm', this.normalizedShape, 1)) : null;
    this.bias = elementwiseAffine && bias ? this.registerParameter('bias', constantParameter('nn.LayerNorm', this.normalizedShape, 0)) : null;
  }

  forward(x: Tensor): Tensor {
    checkTensor('nn.LayerNorm', 'input', x);
    const ns = this.normalizedShape,
      lead = x.ndim - ns.length;
    if (lead < 0 || ns.some((d, k) => x.shape[lead + k] !== d))
      throw new ShapeError('nn.LayerNorm', `expected an input [..., ${ns.join(', ')}], got shape ${fmtShape(x.shape)}`);
    return F.layerNorm(x, ns, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''}), eps=${pyFloat(this.eps)}, elementwise_affine=${this.elementwiseAffine ? 'True' : 'False'}`;
  }
}

export interface GroupNormOptions {
  eps?: number;
  /** Learnable per-channel weight (init 1) and bias (init 0) (default true). */
  affine?: boolean;
}

/**
 * Group normalisation (PyTorch nn.GroupNorm): the C channels of [N, C, *] are split into numGroups
 * groups, each normalised over its channels and positions per sample (no running statistics), then
 * a per-channel affine, in one kernel (F.groupNorm).
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(numGroups: number, numChannels: number, opts?: GroupNormOptions);
  constructor(...args: unknown[]) {
    const [numGroups, numChannels, opts = {}] = forms.moduleArgs(forms.GroupNorm, args) as [number, number, GroupNormOptions?];
    super();
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    checkInt('GroupNorm', 'numGroups', numGroups, 1);
    checkInt('GroupNorm', 'numChannels', numChannels, 1);
    if (numChannels % numGroups !== 0) throw new ValueError('nn.GroupNorm', `numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    const o = checkOptions<GroupNormOptions>('nn.GroupNorm', opts, ['eps', 'affine']);
    this.eps = o.eps ?? 1e-5;
    epsBits('nn.GroupNorm', this.eps);
    checkBool('nn.GroupNorm', 'affine', o.affine);
    this.affine = o.affine ?? true;
    this.weight = this.affine ? this.registerParameter('weight', constantParameter('nn.GroupNorm', [numChannels], 1)) : null;
    this.bias = this.affine ? this.registerParameter('bias', constantParameter('nn.GroupNorm', [numChannels], 0)) : null;
  }

  forward(x: Tensor): Tensor {
    checkTensor('nn.GroupNorm', 'input', x);
    if (x.ndim < 2 || x.shape[1] !== this.numChannels)
      throw new ShapeError('nn.GroupNorm', `expected an input [N, ${this.numChannels}, *], got shape ${fmtShape(x.shape)}`);
    return F.groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${this.affine ? 'True' : 'False'}`;
  }
}

export interface InstanceNormOptions {
  eps?: number;
  /** Weight of the new instance statistics in the running averages (default 0.1; used with trackRunningStats). */
  momentum?: number;
  /** Learnable per-channel weight and bias (default false, as PyTorch). */
  affine?: boolean;
  /**
   * Keep running_mean/running_var (default false, as PyTorch): training moves them towards the
   * batch's mean of the instance statistics and eval normalises with them. num_batches_tracked is
   * registered but stays 0 (PyTorch's instance norm never counts).
   */
  trackRunningStats?: boolean;
}

/**
 * Instance normalisation over the spatial dims per sample and channel (PyTorch's InstanceNorm1d
 * and InstanceNorm2d, whose defaults are affine false and no running statistics): group norm with
 * one group per channel, or with trackRunningStats wg.instanceNorm (PyTorch's F.instance_norm,
 * with the input statistics in training and the running ones in eval).
 */
abstract class InstanceNorm extends Module {
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  /** Running mean [C], running (unbiased) variance [C], count (null without trackRunningStats). */
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;

  protected constructor(
    private readonly name: string,
    /** The spatial dims after [N, C]: 1 (L), 2 (H, W) or 3 (D, H, W). */
    private readonly spatial: readonly string[],
    readonly numFeatures: number,
    opts: InstanceNormOptions,
  ) {
    super();
    const fn = `nn.${name}`;
    checkInt(name, 'numFeatures', numFeatures, 1);
    const o = checkOptions<InstanceNormOptions>(fn, opts, ['eps', 'momentum', 'affine', 'trackRunningStats']);
    this.eps = o.eps ?? 1e-5;
    epsBits(fn, this.eps);
    this.momentum = o.momentum ?? 0.1;
    checkMomentum(fn, this.momentum, false);
    checkBool(fn, 'affine', o.affine);
    checkBool(fn, 'trackRunningStats', o.trackRunningStats);
    this.affine = o.affine ?? false;
    this.trackRunningStats = o.trackRunningStats ?? false;
    this.weight = this.affine ? this.registerParameter('weight', constantParameter(fn, [numFeatures], 1)) : null;
    this.bias = this.affine ? this.registerParameter('bias', constantParameter(fn, [numFeatures], 0)) : null;
    [this.runningMean, this.runningVar, this.numBatchesTracked] = this.trackRunningStats ? registerRunningStats(this, fn, numFeatures) : [null, null, null];
  }

  override defaultsForMissingState(): Record<string, number> {
    return this.trackRunningStats ? { num_batches_tracked: 0 } : {};
  }

  forward(x: Tensor): Tensor {
    checkChannelsInput(`nn.${this.name}`, x, this.numFeatures, this.spatial.join(', '));
    const batched = x.ndim === 2 + this.spatial.length;
    const xb = batched ? x : F.reshape(x, [1, ...x.shape]);
    const { weight, bias, eps, momentum } = this;
    const y =
      this.runningMean === null
        ? // One group per channel: group norm with numGroups = C.
          F.groupNorm(xb, this.numFeatures, { weight, bias, eps })
        : F.instanceNorm(xb, this.runningMean, this.runningVar, { weight, bias, eps, momentum, useInputStats: this.training });
    return batched ? y : F.reshape(y, x.shape);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${this.affine ? 'True' : 'False'}, track_running_stats=${this.trackRunningStats ? 'True' : 'False'}`;
  }
}

/** Instance normalisation of x [N, C, L] or [C, L] over L. See InstanceNorm. */
export class InstanceNorm1d extends InstanceNorm {
  constructor(numFeatures: number, opts?: InstanceNormOptions);
  constructor(...args: unknown[]) {
    const [numFeatures, opts = {}] = forms.moduleArgs(forms.InstanceNorm1d, args) as [number, InstanceNormOptions?];
    super('InstanceNorm1d', ['L'], numFeatures, opts);
  }
}

/** Instance normalisation of x [N, C, H, W] or [C, H, W] over H×W. See InstanceNorm. */
export class InstanceNorm2d extends InstanceNorm {
  constructor(numFeatures: number, opts?: InstanceNormOptions);
  constructor(...args: unknown[]) {
    const [numFeatures, opts = {}] = forms.moduleArgs(forms.InstanceNorm2d, args) as [number, InstanceNormOptions?];
    super('InstanceNorm2d', ['H', 'W'], numFeatures, opts);
  }
}

/** Instance normalisation of x [N, C, D, H, W] or [C, D, H, W] over D×H×W. See InstanceNorm. */
export class InstanceNorm3d extends InstanceNorm {
  constructor(numFeatures: number, opts?: InstanceNormOptions);
  constructor(...args: unknown[]) {
    const [numFeatures, opts = {}] = forms.moduleArgs(forms.InstanceNorm3d, args) as [number, InstanceNormOptions?];
    super('InstanceNorm3d', ['D', 'H', 'W'], numFeatures, opts);
  }
}

export interface RMSNormOptions {
  /** Added to the mean square; default (omitted or null) float32's machine epsilon 2⁻²³, as torch's finfo(x.dtype).eps. */
  eps?: number | null;
  /** Learnable weight of normalizedShape, init 1 (default true). */
  elementwiseAffine?: boolean;
}

/**
 * Root-mean-square normalisation over the trailing dims `normalizedShape` (PyTorch ≥ 2.4's
 * nn.RMSNorm): y = x / √(mean(x²) + eps) · weight. No mean is subtracted and there is no bias.
 */
export class RMSNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;
  /** γ of normalizedShape, init 1 (null without elementwiseAffine). */
  readonly weight: Tensor | null;

  constructor(normalizedShape: number | readonly number[], opts?: RMSNormOptions);
  constructor(...args: unknown[]) {
    const [normalizedShape, opts = {}] = forms.moduleArgs(forms.RMSNorm, args) as [number | readonly number[], RMSNormOptions?];
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0)
      throw new ValueError('nn.RMSNorm', `normalizedShape must be a number or a non-empty array, got ${fmtValue(normalizedShape)}`);
    this.normalizedShape = Object.freeze(shape.map((d: unknown) => checkInt('RMSNorm', 'normalizedShape', d, 1)));
    const { eps = null, elementwiseAffine = true } = checkOptions<RMSNormOptions>('nn.RMSNorm', opts, ['eps', 'elementwiseAffine']);
    if (eps !== null && (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0))
      throw new ValueError('nn.RMSNorm', `eps must be a finite number ≥ 0 or null, got ${fmtValue(eps)}`);
    checkBool('nn.RMSNorm', 'elementwiseAffine', elementwiseAffine);
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = elementwiseAffine ? this.registerParameter('weight', constantParameter('nn.RMSNorm', this.normalizedShape, 1)) : null;
  }

  forward(x: Tensor): Tensor {
    return F.rmsNorm(x, this.normalizedShape, { weight: this.weight, eps: this.eps });
  }

  override extraRepr(): string {
    const ns = `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''})`;
    return `${ns}, eps=${this.eps === null ? 'None' : pyFloat(this.eps)}, elementwise_affine=${this.elementwiseAffine ? 'True' : 'False'}`;
  }
}

/** Divides each channel by its neighbours' mean square (PyTorch nn.LocalResponseNorm(size, alpha = 1e-4, beta = 0.75, k = 1)). */
export class LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  constructor(size: number, opts?: F.LocalResponseNormOptions);
  constructor(...args: unknown[]) {
    const [size, opts = {}] = forms.moduleArgs(forms.LocalResponseNorm, args) as [number, F.LocalResponseNormOptions?];
    super();
    this.size = size;
    checkInt('LocalResponseNorm', 'size', size, 1);
    const { alpha = 1e-4, beta = 0.75, k = 1 } = checkOptions<F.LocalResponseNormOptions>('nn.LocalResponseNorm', opts, ['alpha', 'beta', 'k']);
    this.alpha = alpha;
    this.beta = beta;
    this.k = k;
  }

  forward(x: Tensor): Tensor {
    return F.localResponseNorm(x, this.size, { alpha: this.alpha, beta: this.beta, k: this.k });
  }

  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
