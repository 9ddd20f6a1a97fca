/**
 * torch.nn modules ported for parity, with PyTorch's arguments, defaults, initialisation and
 * state-dict names: Bilinear (with weights); AdaptiveMaxPool1d, ChannelShuffle,
 * LPPool1d, LPPool2d, Unfold, Fold, AlphaDropout, FeatureAlphaDropout, RReLU, MaxUnpool1d and
 * MaxUnpool2d (without).
 */
import { checkBool, checkOptions } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import { perDim, type Size2, type Size3 } from '../ops/window.js';
import { fanInBound, uniformParameter } from './init.js';
import { checkInt, pyFloat, pySize } from './layers.js';
import { InPlaceModule } from './inplace.js';
import { Module } from './module.js';
import { AdaptiveMaxPool } from './conv-modules.js';
import { Dropout } from './simple.js';
import * as forms from './module-forms.js';

const pyBool = (b: boolean) => (b ? 'True' : 'False');
/** A number or a per-dim list as torch prints the argument: 2 or (2, 3). */

/**
 * y = x1ᵀ·W·x2 + b (PyTorch nn.Bilinear): x1 [*, in1], x2 [*, in2] → [*, out]; weight
 * [out, in1, in2] and bias [out], both U(±1/√in1) (torch's reset_parameters).
 */
export class Bilinear extends Module<(x1: Tensor, x2: Tensor) => Tensor> {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(in1Features: number, in2Features: number, outFeatures: number, opts?: { bias?: boolean });
  constructor(...args: unknown[]) {
    const [in1Features, in2Features, outFeatures, opts = {}] = forms.moduleArgs(forms.Bilinear, args) as [number, number, number, { bias?: boolean }?];
    super();
    [this.in1Features, this.in2Features, this.outFeatures] = [in1Features, in2Features, outFeatures];
    checkInt('Bilinear', 'in1Features', in1Features, 1);
    checkInt('Bilinear', 'in2Features', in2Features, 1);
    checkInt('Bilinear', 'outFeatures', outFeatures, 1);
    const { bias = true } = checkOptions<{ bias?: boolean }>('nn.Bilinear', opts, ['bias']);
    checkBool('nn.Bilinear', 'bias', bias);
    const bound = fanInBound(in1Features);
    this.weight = this.registerParameter('weight', uniformParameter('nn.Bilinear', [outFeatures, in1Features, in2Features], bound));
    this.bias = bias ? this.registerParameter('bias', uniformParameter('nn.Bilinear', [outFeatures], bound)) : null;
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    return F.bilinear(x1, x2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Max pooling of x [N, C, L] (or [C, L]) to `outputSize` positions (PyTorch nn.AdaptiveMaxPool1d; returnIndices gives [out, indices]). */
export class AdaptiveMaxPool1d extends AdaptiveMaxPool<number> {
  constructor(outputSize: number | { outputSize: number; returnIndices?: boolean }, returnIndices?: boolean | { returnIndices?: boolean });
  constructor(...args: unknown[]) {
    super(args, F.adaptiveMaxPool1d);
  }
}

/** Interleaves the channels of [N, C, *] from `groups` groups (PyTorch nn.ChannelShuffle). */
export class ChannelShuffle extends Module {
  readonly groups: number;
  constructor(groups: number | { groups: number });
  constructor(...args: unknown[]) {
    super();
    const [groups] = forms.moduleArgs(forms.ChannelShuffle, args) as [number];
    this.groups = groups;
    checkInt('ChannelShuffle', 'groups', groups, 1);
  }
  forward(x: Tensor): Tensor {
    return F.channelShuffle(x, this.groups);
  }
  override extraRepr(): string {
    return `groups=${this.groups}`;
  }
}

/** PyTorch's LPPool1d and LPPool2d: the power, the window and the function differ; arguments and repr are shared. */
abstract class LPPool<S extends Size2> extends Module {
  constructor(
    readonly normType: number,
    readonly kernelSize: S,
    readonly stride: S | null = null,
    readonly ceilMode = false,
  ) {
    super();
  }
  override extraRepr(): string {
    return `norm_type=${this.normType}, kernel_size=${pySize(this.kernelSize)}, stride=${this.stride === null ? 'None' : pySize(this.stride)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** (Σ over each window of xᵖ)^(1/p) over [N, C, L] (PyTorch nn.LPPool1d; stride defaults to kernelSize). */
export class LPPool1d extends LPPool<number> {
  forward(x: Tensor): Tensor {
    return F.lpPool1d(x, this.normType, this.kernelSize, { stride: this.stride, ceilMode: this.ceilMode });
  }
}

/** (Σ over each window of xᵖ)^(1/p) over [N, C, H, W] (PyTorch nn.LPPool2d; stride defaults to kernelSize). */
export class LPPool2d extends LPPool<Size2> {
  forward(x: Tensor): Tensor {
    return F.lpPool2d(x, this.normType, this.kernelSize, { stride: this.stride, ceilMode: this.ceilMode });
  }
}

export interface UnfoldModuleOptions {
  dilation?: Size2;
  padding?: Size2;
  stride?: Size2;
}

/** im2col (PyTorch nn.Unfold): [N, C, H, W] → [N, C·kh·kw, L] sliding blocks. */
export class Unfold extends Module {
  readonly kernelSize: Size2;
  readonly options: Readonly<UnfoldModuleOptions>;
  constructor(kernelSize: Size2, options?: UnfoldModuleOptions);
  constructor(...args: unknown[]) {
    const [kernelSize, options = {}] = forms.moduleArgs(forms.Unfold, args) as [Size2, UnfoldModuleOptions?];
    super();
    this.kernelSize = kernelSize;
    this.options = { ...checkOptions<UnfoldModuleOptions>('nn.Unfold', options, ['dilation', 'padding', 'stride']) };
  }
  forward(x: Tensor): Tensor {
    return F.unfold(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    const o = this.options;
    return `kernel_size=${pySize(this.kernelSize)}, dilation=${pySize(o.dilation ?? 1)}, padding=${pySize(o.padding ?? 0)}, stride=${pySize(o.stride ?? 1)}`;
  }
}

/** col2im (PyTorch nn.Fold): [N, C·kh·kw, L] → [N, C, H, W], overlapping blocks summed. */
export class Fold extends Module {
  readonly outputSize: Size2;
  readonly kernelSize: Size2;
  readonly options: Readonly<UnfoldModuleOptions>;
  constructor(outputSize: Size2, kernelSize: Size2, options?: UnfoldModuleOptions);
  constructor(...args: unknown[]) {
    const [outputSize, kernelSize, options = {}] = forms.moduleArgs(forms.Fold, args) as [Size2, Size2, UnfoldModuleOptions?];
    super();
    [this.outputSize, this.kernelSize] = [outputSize, kernelSize];
    this.options = { ...checkOptions<UnfoldModuleOptions>('nn.Fold', options, ['dilation', 'padding', 'stride']) };
  }
  forward(x: Tensor): Tensor {
    return F.fold(x, this.outputSize, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    const o = this.options;
    return `output_size=${pySize(this.outputSize)}, kernel_size=${pySize(this.kernelSize)}, dilation=${pySize(o.dilation ?? 1)}, padding=${pySize(o.padding ?? 0)}, stride=${pySize(o.stride ?? 1)}`;
  }
}

/** Alpha dropout in training, the identity in eval (PyTorch nn.AlphaDropout, default p 0.5): keeps SELU's zero mean and unit variance. */
export class AlphaDropout extends Dropout {
  override forward(x: Tensor): Tensor {
    return this.output(x, F.alphaDropout(x, this.p, this.training));
  }
}

/** Alpha dropout of whole channels of [N, C, *] in training (PyTorch nn.FeatureAlphaDropout, default p 0.5). */
export class FeatureAlphaDropout extends Dropout {
  override forward(x: Tensor): Tensor {
    return this.output(x, F.featureAlphaDropout(x, this.p, this.training));
  }
}

/** Randomized leaky ReLU (PyTorch nn.RReLU(lower = 1/8, upper = 1/3)): random slopes in training, (lower + upper)/2 in eval. */
export class RReLU extends InPlaceModule {
  readonly lower: number;
  readonly upper: number;
  constructor(
    lower?: number | { lower?: number; upper?: number; inplace?: boolean },
    upper?: number | { upper?: number; inplace?: boolean },
    inplace?: boolean | { inplace?: boolean },
  );
  constructor(...args: unknown[]) {
    const [lower = 1 / 8, upper = 1 / 3, inplace = false] = forms.moduleArgs(forms.RReLU, args) as [number?, number?, boolean?];
    super(inplace);
    this.lower = lower;
    this.upper = upper;
    if (typeof lower !== 'number' || typeof upper !== 'number' || !Number.isFinite(lower) || !Number.isFinite(upper) || lower > upper)
      throw new ValueError('nn.RReLU', `lower and upper must be finite numbers with lower ≤ upper, got ${fmtValue(lower)} and ${fmtValue(upper)}`);
  }
  forward(x: Tensor): Tensor {
    return this.output(x, F.rrelu(x, { lower: this.lower, upper: this.upper, training: this.training }));
  }
  override extraRepr(): string {
    return `lower=${pyFloat(this.lower)}, upper=${pyFloat(this.upper)}${this.inplaceRepr()}`;
  }
}

/** PyTorch's MaxUnpool1d, MaxUnpool2d and MaxUnpool3d: kernel, stride (default the kernel) and padding per spatial dim, printed as torch does. */
abstract class MaxUnpool extends Module<(x: Tensor, indices: Tensor, outputSize?: readonly number[] | null) => Tensor> {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  /** `args`: the subclass's (kernelSize, stride = kernelSize, padding = 0), positional or by keyword. */
  constructor(spatial: number, args: readonly unknown[]) {
    super();
    const fn = `nn.${new.target.name}`;
    const [kernelSize, stride = null, padding = 0] = forms.moduleArgs(forms.MaxUnpool, args, new.target.name) as [Size3, (Size3 | null)?, Size3?];
    this.kernelSize = perDim(fn, 'kernelSize', kernelSize, spatial, 1);
    this.stride = perDim(fn, 'stride', stride ?? kernelSize, spatial, 1);
    this.padding = perDim(fn, 'padding', padding, spatial, 0);
  }
  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}`;
  }
}

/** Partial inverse of MaxPool1d (PyTorch nn.MaxUnpool1d): forward(x, indices, outputSize?). */
export class MaxUnpool1d extends MaxUnpool {
  constructor(
    kernelSize: number | [number] | { kernelSize: number | [number]; stride?: number | [number] | null; padding?: number | [number] },
    stride?: number | [number] | null | { stride?: number | [number] | null; padding?: number | [number] },
    padding?: number | [number] | { padding?: number | [number] },
  );
  constructor(...args: unknown[]) {
    super(1, args);
  }
  forward(x: Tensor, indices: Tensor, outputSize: readonly number[] | null = null): Tensor {
    return F.maxUnpool1d(x, indices, this.kernelSize[0], { stride: this.stride[0], padding: this.padding[0], outputSize });
  }
}

/** Partial inverse of MaxPool2d (PyTorch nn.MaxUnpool2d): forward(x, indices, outputSize?). */
export class MaxUnpool2d extends MaxUnpool {
  constructor(
    kernelSize: Size2 | { kernelSize: Size2; stride?: Size2 | null; padding?: Size2 },
    stride?: Size2 | null | { stride?: Size2 | null; padding?: Size2 },
    padding?: Size2 | { padding?: Size2 },
  );
  constructor(...args: unknown[]) {
    super(2, args);
  }
  forward(x: Tensor, indices: Tensor, outputSize: readonly number[] | null = null): Tensor {
    const [kh, kw] = this.kernelSize;
    return F.maxUnpool2d(x, indices, [kh, kw], { stride: [this.stride[0], this.stride[1]], padding: [this.padding[0], this.padding[1]], outputSize });
  }
}

/** Partial inverse of MaxPool3d (PyTorch nn.MaxUnpool3d): forward(x, indices, outputSize?). */
export class MaxUnpool3d extends MaxUnpool {
  constructor(
    kernelSize: Size3 | { kernelSize: Size3; stride?: Size3 | null; padding?: Size3 },
    stride?: Size3 | null | { stride?: Size3 | null; padding?: Size3 },
    padding?: Size3 | { padding?: Size3 },
  );
  constructor(...args: unknown[]) {
    super(3, args);
  }
  forward(x: Tensor, indices: Tensor, outputSize: readonly number[] | null = null): Tensor {
    const [k, s, p] = [this.kernelSize, this.stride, this.padding].map(([d, h, w]): [number, number, number] => [d, h, w]);
    return F.maxUnpool3d(x, indices, k, { stride: s, padding: p, outputSize });
  }
}
