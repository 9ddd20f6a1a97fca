/**
 * Conv1d, Conv3d, ConvTranspose1d/2d/3d, Upsample, AdaptiveAvgPool2d/3d and AdaptiveMaxPool2d/3d modules over the
 * functions of src/api/conv.ts, with PyTorch's arguments, weight layouts, initialisation and
 * state-dict names (DESIGN.md section 5: Conv1d [outC, inC/groups, k], ConvTranspose2d
 * [inC, outC/groups, kh, kw]).
 */
import { checkBool, checkOptions } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import * as F from '../api/functional.js';
import type { AdaptiveSize } from '../ops/pool.js';
import type { InterpolateOptions } from '../ops/resample.js';
import { fanInBound, uniformParameter } from './init.js';
import { checkChannelsInput, checkInt, checkPair, checkTriple, modePadding, padByMode, pyFloat, pyPair, pySize, type PaddingMode } from './layers.js';
import type { ConvTranspose3dOptions } from '../ops/conv.js';
import type { Size3 } from '../ops/window.js';
import type { AdaptiveSize3 } from '../api/conv3d.js';
import { Module } from './module.js';
import { fractionalArgs } from '../api/fractional.js';
import * as forms from './module-forms.js';

/** A number or [n] as n, an integer ≥ min. */
function checkSingle(where: string, name: string, v: unknown, min: number): number {
  const n = Array.isArray(v) && v.length === 1 ? v[0] : v;
  return checkInt(where, name, n, min);
}

export interface Conv1dModuleOptions {
  /** As Conv2d's. */
  paddingMode?: PaddingMode;
  stride?: number | [number];
  padding?: number | [number] | 'same' | 'valid';
  dilation?: number | [number];
  groups?: number;
  bias?: boolean;
}

/** 1-D convolution over [N, C, L] (PyTorch nn.Conv1d): weight [outC, inC/groups, k], U(±1/√fanIn) init. */
export class Conv1d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: number;
  readonly padding: number | 'same' | 'valid';
  readonly dilation: number;
  readonly groups: number;

  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly paddingMode: PaddingMode;
  /** F.pad's list for a paddingMode other than 'zeros' (modePadding), else null. */
  private readonly modePad: number[] | null;

  constructor(inChannels: number, outChannels: number, kernelSize: number, opts?: Conv1dModuleOptions);
  constructor(...args: unknown[]) {
    const [inChannels, outChannels, kernelSize, opts = {}] = forms.moduleArgs(forms.Conv1d, args) as [number, number, number, Conv1dModuleOptions?];
    super();
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    checkInt('Conv1d', 'inChannels', inChannels, 1);
    checkInt('Conv1d', 'outChannels', outChannels, 1);
    this.kernelSize = checkSingle('Conv1d', 'kernelSize', kernelSize, 1);
    const o = checkOptions<Conv1dModuleOptions>('nn.Conv1d', opts, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']);
    checkBool('nn.Conv1d', 'bias', o.bias);
    this.stride = checkSingle('Conv1d', 'stride', o.stride ?? 1, 1);
    this.padding = o.padding === 'same' || o.padding === 'valid' ? o.padding : checkSingle('Conv1d', 'padding', o.padding ?? 0, 0);
    this.dilation = checkSingle('Conv1d', 'dilation', o.dilation ?? 1, 1);
    this.groups = checkInt('Conv1d', 'groups', o.groups ?? 1, 1);
    this.modePad = modePadding(
      'nn.Conv1d',
      o.paddingMode,
      typeof this.padding === 'string' ? this.padding : [this.padding],
      [this.kernelSize],
      [this.dilation],
    );
    this.paddingMode = o.paddingMode ?? 'zeros';
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0)
      throw new ValueError('nn.Conv1d', `inChannels ${inChannels} and outChannels ${outChannels} must both be multiples of groups ${this.groups}`);
    const bound = fanInBound((inChannels / this.groups) * this.kernelSize);
    this.weight = this.registerParameter('weight', uniformParameter('nn.Conv1d', [outChannels, inChannels / this.groups, this.kernelSize], bound));
    this.bias = (o.bias ?? true) ? this.registerParameter('bias', uniformParameter('nn.Conv1d', [outChannels], bound)) : null;
  }

  forward(x: Tensor): Tensor {
    checkChannelsInput('nn.Conv1d', x, this.inChannels, 'L');
    const padding = this.modePad === null ? this.padding : 0;
    return F.conv1d(padByMode(x, this.modePad, this.paddingMode), this.weight, this.bias, {
      stride: this.stride,
      padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=(${this.kernelSize},), stride=(${this.stride},)`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding !== 0) s += `, padding=(${this.padding},)`;
    if (this.dilation !== 1) s += `, dilation=(${this.dilation},)`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return this.paddingMode === 'zeros' ? s : `${s}, padding_mode=${this.paddingMode}`;
  }
}

export interface ConvTranspose2dModuleOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  outputPadding?: number | [number, number];
  groups?: number;
  bias?: boolean;
  dilation?: number | [number, number];
}

export interface ConvTranspose1dModuleOptions {
  stride?: number | [number];
  padding?: number | [number];
  outputPadding?: number | [number];
  groups?: number;
  bias?: boolean;
  dilation?: number | [number];
}

/**
 * The transposed convolutions (PyTorch nn.ConvTranspose1d/2d) over [N, inC, *spatial]: weight
 * [inC, outC/groups, *k]; PyTorch's init is kaiming_uniform_(a = √5) on that layout, so
 * U(±1/√fanIn) with fanIn = (outC/groups)·∏k, the bias the same bound. S is a size per spatial
 * dim: a number for 1-D (as Conv1d), an [h, w] pair for 2-D.
 */
abstract class ConvTransposeNd<S extends number | [number, number] | [number, number, number]> extends Module {
  readonly kernelSize: S;
  readonly stride: S;
  readonly padding: S;
  readonly outputPadding: S;
  readonly dilation: S;
  readonly groups: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    private readonly kind: 'ConvTranspose1d' | 'ConvTranspose2d' | 'ConvTranspose3d',
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: unknown,
    opts: ConvTranspose1dModuleOptions | ConvTranspose2dModuleOptions | ConvTranspose3dModuleOptions,
  ) {
    super();
    const where = `nn.${kind}`;
    const check = { ConvTranspose1d: checkSingle, ConvTranspose2d: checkPair, ConvTranspose3d: checkTriple }[kind];
    const size = (name: string, v: unknown, min: number) => check(kind, name, v, min) as S;
    checkInt(kind, 'inChannels', inChannels, 1);
    checkInt(kind, 'outChannels', outChannels, 1);
    this.kernelSize = size('kernelSize', kernelSize, 1);
    const o = checkOptions<ConvTranspose1dModuleOptions | ConvTranspose2dModuleOptions | ConvTranspose3dModuleOptions>(where, opts, [
      'stride',
      'padding',
      'outputPadding',
      'groups',
      'bias',
      'dilation',
      'paddingMode',
    ]);
    checkBool(where, 'bias', o.bias);
    const { paddingMode = 'zeros' } = o as { paddingMode?: unknown };
    if (paddingMode !== 'zeros') throw new ValueError(where, `only paddingMode 'zeros' is supported for ${kind} (as torch), got ${fmtValue(paddingMode)}`);
    this.stride = size('stride', o.stride ?? 1, 1);
    this.padding = size('padding', o.padding ?? 0, 0);
    this.outputPadding = size('outputPadding', o.outputPadding ?? 0, 0);
    this.dilation = size('dilation', o.dilation ?? 1, 1);
    this.groups = checkInt(kind, 'groups', o.groups ?? 1, 1);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0)
      throw new ValueError(where, `inChannels ${inChannels} and outChannels ${outChannels} must both be multiples of groups ${this.groups}`);
    const taps = asList(this.kernelSize);
    const bound = fanInBound((outChannels / this.groups) * taps.reduce((a, b) => a * b, 1));
    this.weight = this.registerParameter('weight', uniformParameter(where, [inChannels, outChannels / this.groups, ...taps], bound));
    this.bias = (o.bias ?? true) ? this.registerParameter('bias', uniformParameter(where, [outChannels], bound)) : null;
  }

  /**
   * outputSize (PyTorch's output_size: the spatial sizes, or the whole output shape) picks the
   * output padding in place of the module's: each size must lie in [min, min + stride − 1], where
   * min = (in − 1)·stride − 2·padding + dilation·(k − 1) + 1 is the size without output padding.
   */
  forward(x: Tensor, outputSize?: readonly number[] | null): Tensor {
    checkChannelsInput(`nn.${this.kind}`, x, this.inChannels, { ConvTranspose1d: 'L', ConvTranspose2d: 'H, W', ConvTranspose3d: 'D, H, W' }[this.kind]);
    const { stride, padding, groups, dilation } = this;
    const outputPadding = outputSize === undefined || outputSize === null ? this.outputPadding : this.paddingFor(x, outputSize);
    const opts = { stride, padding, outputPadding, groups, dilation };
    if (this.kind === 'ConvTranspose1d') return F.convTranspose1d(x, this.weight, this.bias, opts as ConvTranspose1dModuleOptions);
    if (this.kind === 'ConvTranspose2d') return F.convTranspose2d(x, this.weight, this.bias, opts as ConvTranspose2dModuleOptions);
    return F.convTranspose3d(x, this.weight, this.bias, opts as ConvTranspose3dModuleOptions);
  }

  private paddingFor(x: Tensor, outputSize: readonly number[]): S {
    const where = `nn.${this.kind}`;
    const [k, st, pad, dil] = [this.kernelSize, this.stride, this.padding, this.dilation].map(asList);
    const d = k.length;
    if (!Array.isArray(outputSize) || (outputSize.length !== d && outputSize.length !== x.ndim))
      throw new ValueError(where, `outputSize must list ${d} spatial size${d > 1 ? 's' : ''} (or the whole output shape), got ${fmtValue(outputSize)}`);
    const sizes = outputSize.slice(outputSize.length - d);
    const res = sizes.map((size, i) => {
      const min = (x.shape[x.ndim - d + i] - 1) * st[i] - 2 * pad[i] + dil[i] * (k[i] - 1) + 1;
      if (!Number.isInteger(size) || size < min || size > min + st[i] - 1)
        throw new ValueError(
          where,
          `outputSize ${fmtValue(size)} of spatial dim ${i} is not reachable: it must be in [${min}, ${min + st[i] - 1}] for input ${fmtShape(x.shape)}`,
        );
      return size - min;
    });
    return (this.kind === 'ConvTranspose1d' ? res[0] : res) as S;
  }

  override extraRepr(): string {
    const py = (v: S) => (typeof v === 'number' ? `(${v},)` : pyPair(v));
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}`;
    if (asList(this.padding).some((p) => p !== 0)) s += `, padding=${py(this.padding)}`;
    if (asList(this.outputPadding).some((p) => p !== 0)) s += `, output_padding=${py(this.outputPadding)}`;
    if (asList(this.dilation).some((d) => d !== 1)) s += `, dilation=${py(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    return this.bias === null ? `${s}, bias=False` : s;
  }
}

/** A checked size per spatial dim (one number for 1-D) as a list. */
const asList = (v: number | readonly number[]): number[] => (typeof v === 'number' ? [v] : [...v]);

/** Transposed 1-D convolution over [N, inC, L] (PyTorch nn.ConvTranspose1d): weight [inC, outC/groups, k]. */
export class ConvTranspose1d extends ConvTransposeNd<number> {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number], opts?: ConvTranspose1dModuleOptions);
  constructor(...args: unknown[]) {
    const [inChannels, outChannels, kernelSize, opts = {}] = forms.moduleArgs(forms.ConvTranspose1d, args) as [
      number,
      number,
      number | [number],
      ConvTranspose1dModuleOptions?,
    ];
    super('ConvTranspose1d', inChannels, outChannels, kernelSize, opts);
  }
}

/** Transposed 2-D convolution over [N, inC, H, W] (PyTorch nn.ConvTranspose2d): weight [inC, outC/groups, kh, kw]. */
export class ConvTranspose2d extends ConvTransposeNd<[number, number]> {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], opts?: ConvTranspose2dModuleOptions);
  constructor(...args: unknown[]) {
    const [inChannels, outChannels, kernelSize, opts = {}] = forms.moduleArgs(forms.ConvTranspose2d, args) as [
      number,
      number,
      number | [number, number],
      ConvTranspose2dModuleOptions?,
    ];
    super('ConvTranspose2d', inChannels, outChannels, kernelSize, opts);
  }
}

/** Transposed 3-D convolution over [N, inC, D, H, W] (PyTorch nn.ConvTranspose3d): weight [inC, outC/groups, kd, kh, kw]. */
export class ConvTranspose3d extends ConvTransposeNd<[number, number, number]> {
  constructor(inChannels: number, outChannels: number, kernelSize: Size3, opts?: ConvTranspose3dModuleOptions);
  constructor(...args: unknown[]) {
    const [inChannels, outChannels, kernelSize, opts = {}] = forms.moduleArgs(forms.ConvTranspose3d, args) as [
      number,
      number,
      Size3,
      ConvTranspose3dModuleOptions?,
    ];
    super('ConvTranspose3d', inChannels, outChannels, kernelSize, opts);
  }
}

export interface ConvTranspose3dModuleOptions extends ConvTranspose3dOptions {
  bias?: boolean;
}

/** Resizes [N, C, L], [N, C, H, W] or [N, C, D, H, W] with interpolate (PyTorch nn.Upsample: size or scaleFactor, mode, alignCorners). */
export class Upsample extends Module {
  readonly options: InterpolateOptions;
  constructor(options: InterpolateOptions);
  constructor(...args: unknown[]) {
    const [options] = forms.moduleArgs(forms.Upsample, args) as [InterpolateOptions];
    super();
    if (options === null || typeof options !== 'object')
      throw new ValueError('nn.Upsample', `expects options { size | scaleFactor, mode, alignCorners, recomputeScaleFactor }, got ${fmtValue(options)}`);
    this.options = checkOptions<InterpolateOptions>('nn.Upsample', options, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor']);
  }
  forward(x: Tensor): Tensor {
    return F.interpolate(x, this.options);
  }
  override extraRepr(): string {
    const o = this.options;
    // torch 1.13 stores scale_factor as float(s) and prints the mode unquoted
    const scale = o.scaleFactor ?? null;
    const what =
      o.size !== undefined && o.size !== null
        ? `size=${pySize(o.size)}`
        : `scale_factor=${typeof scale === 'number' || scale === null ? (scale === null ? 'None' : pyFloat(scale)) : `(${scale.map(pyFloat).join(', ')})`}`;
    return `${what}, mode=${o.mode ?? 'nearest'}`;
  }
}

/** PyTorch's nn.UpsamplingNearest2d: Upsample with mode 'nearest' ({ size } or { scaleFactor }). */
export class UpsamplingNearest2d extends Upsample {
  constructor(options: Pick<InterpolateOptions, 'size' | 'scaleFactor'>);
  constructor(...args: unknown[]) {
    const [options] = forms.moduleArgs(forms.UpsamplingNearest2d, args) as [Pick<InterpolateOptions, 'size' | 'scaleFactor'>];
    super({ ...checkOptions<InterpolateOptions>('nn.UpsamplingNearest2d', options, ['size', 'scaleFactor']), mode: 'nearest' });
  }
}

/** PyTorch's nn.UpsamplingBilinear2d: Upsample with mode 'bilinear' and alignCorners true. */
export class UpsamplingBilinear2d extends Upsample {
  constructor(options: Pick<InterpolateOptions, 'size' | 'scaleFactor'>);
  constructor(...args: unknown[]) {
    const [options] = forms.moduleArgs(forms.UpsamplingBilinear2d, args) as [Pick<InterpolateOptions, 'size' | 'scaleFactor'>];
    super({ ...checkOptions<InterpolateOptions>('nn.UpsamplingBilinear2d', options, ['size', 'scaleFactor']), mode: 'bilinear', alignCorners: true });
  }
}

/** An adaptive average pool: `pool` (the function) of the input to outputSize (1-D, 2-D and 3-D). */
export abstract class AdaptiveAvgPool<S> extends Module {
  readonly outputSize: S;
  /** `args`: the subclass's (outputSize), positional or by keyword. */
  protected constructor(
    args: readonly unknown[],
    private readonly pool: (x: Tensor, size: S) => Tensor,
  ) {
    super();
    [this.outputSize] = forms.moduleArgs(forms.AdaptiveAvgPool, args, new.target.name) as [S];
  }
  forward(x: Tensor): Tensor {
    return this.pool(x, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize as number | readonly (number | null)[])}`;
  }
}

/** An adaptive max pool: `pool` (the function) of the input to outputSize; returnIndices gives [out, indices] (1-D, 2-D and 3-D). */
export abstract class AdaptiveMaxPool<S> extends Module<(x: Tensor) => Tensor | [Tensor, Tensor]> {
  readonly outputSize: S;
  readonly returnIndices: boolean;
  /** `args`: the subclass's (outputSize, returnIndices = false), positional or by keyword. */
  protected constructor(
    args: readonly unknown[],
    private readonly pool: (x: Tensor, size: S, opts: { returnIndices: boolean }) => Tensor | [Tensor, Tensor],
  ) {
    super();
    const [outputSize, returnIndices = false] = forms.moduleArgs(forms.AdaptiveMaxPool, args, new.target.name) as [S, boolean?];
    checkBool(`nn.${new.target.name}`, 'returnIndices', returnIndices);
    this.outputSize = outputSize;
    this.returnIndices = returnIndices;
  }
  forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return this.pool(x, this.outputSize, { returnIndices: this.returnIndices });
  }
  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize as number | readonly (number | null)[])}`;
  }
}

/** Average pooling of [N, C, H, W] to a fixed output size (PyTorch nn.AdaptiveAvgPool2d). */
export class AdaptiveAvgPool2d extends AdaptiveAvgPool<AdaptiveSize> {
  constructor(outputSize: AdaptiveSize | { outputSize: AdaptiveSize });
  constructor(...args: unknown[]) {
    super(args, F.adaptiveAvgPool2d);
  }
}

/** Max pooling of [N, C, H, W] to a fixed output size (PyTorch nn.AdaptiveMaxPool2d; returnIndices gives [out, indices]). */
export class AdaptiveMaxPool2d extends AdaptiveMaxPool<AdaptiveSize> {
  constructor(outputSize: AdaptiveSize | { outputSize: AdaptiveSize; returnIndices?: boolean }, returnIndices?: boolean | { returnIndices?: boolean });
  constructor(...args: unknown[]) {
    super(args, F.adaptiveMaxPool2d);
  }
}

/** The options of nn.FractionalMaxPool2d/3d (torch's, without `_random_samples`: the module draws from the seeded stream). */
export type FractionalMaxPoolModuleOptions = Omit<F.FractionalMaxPoolOptions, 'randomSamples'>;

/** nn.FractionalMaxPool2d/3d: `pool` (the function) with the module's kernel and options, checked when made. */
abstract class FractionalMaxPool extends Module<(x: Tensor) => Tensor | [Tensor, Tensor]> {
  protected constructor(
    name: string,
    k: number,
    readonly kernelSize: number | readonly number[],
    readonly options: FractionalMaxPoolModuleOptions,
    private readonly pool: (x: Tensor, kernelSize: number | readonly number[], opts: F.FractionalMaxPoolOptions) => Tensor | [Tensor, Tensor],
  ) {
    super();
    fractionalArgs(`nn.${name}`, k, kernelSize, checkOptions(`nn.${name}`, options, ['outputSize', 'outputRatio', 'returnIndices']));
  }
  forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return this.pool(x, this.kernelSize, this.options);
  }
}

/** Max over windows at pseudo-random steps giving [N, C, oh, ow] (PyTorch nn.FractionalMaxPool2d; returnIndices gives [out, indices]). */
export class FractionalMaxPool2d extends FractionalMaxPool {
  constructor(kernelSize: number | readonly number[], options: FractionalMaxPoolModuleOptions) {
    super('FractionalMaxPool2d', 2, kernelSize, options, F.fractionalMaxPool2d);
  }
}

/** nn.FractionalMaxPool2d's windows in three dims, on [N, C, D, H, W] (PyTorch nn.FractionalMaxPool3d). */
export class FractionalMaxPool3d extends FractionalMaxPool {
  constructor(kernelSize: number | readonly number[], options: FractionalMaxPoolModuleOptions) {
    super('FractionalMaxPool3d', 3, kernelSize, options, F.fractionalMaxPool3d);
  }
}

/** Average pooling of [N, C, D, H, W] to a fixed output size (PyTorch nn.AdaptiveAvgPool3d). */
export class AdaptiveAvgPool3d extends AdaptiveAvgPool<AdaptiveSize3> {
  constructor(outputSize: AdaptiveSize3 | { outputSize: AdaptiveSize3 });
  constructor(...args: unknown[]) {
    super(args, F.adaptiveAvgPool3d);
  }
}

/** Max pooling of [N, C, D, H, W] to a fixed output size (PyTorch nn.AdaptiveMaxPool3d; returnIndices gives [out, indices]). */
export class AdaptiveMaxPool3d extends AdaptiveMaxPool<AdaptiveSize3> {
  constructor(outputSize: AdaptiveSize3 | { outputSize: AdaptiveSize3; returnIndices?: boolean }, returnIndices?: boolean | { returnIndices?: boolean });
  constructor(...args: unknown[]) {
    super(args, F.adaptiveMaxPool3d);
  }
}
