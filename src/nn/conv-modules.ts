/**
 * Conv1d, ConvTranspose2d, Upsample, AdaptiveAvgPool2d and AdaptiveMaxPool2d modules over the
 * functions of src/api/conv.ts, with PyTorch's arguments, weight layouts, initialisation and
 * state-dict names (DESIGN.md section 5: Conv1d [outC, inC/groups, k], ConvTranspose2d
 * [inC, outC/groups, kh, kw]).
 */
import { checkBool, checkOptions } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import type { AdaptiveSize } from '../ops/pool.js';
import type { InterpolateOptions } from '../ops/resample.js';
import { fanInBound, uniformParameter } from './init.js';
import { checkChannelsInput, checkInt, checkPair, pyPair } from './layers.js';
import { Module } from './module.js';

/** A number or [n] as n, an integer ≥ min. */
function checkSingle(where: string, name: string, v: unknown, min: number): number {
  const n = Array.isArray(v) && v.length === 1 ? v[0] : v;
  return checkInt(where, name, n, min);
}

export interface Conv1dModuleOptions {
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

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    opts: Conv1dModuleOptions = {},
  ) {
    super();
    checkInt('Conv1d', 'inChannels', inChannels, 1);
    checkInt('Conv1d', 'outChannels', outChannels, 1);
    this.kernelSize = checkSingle('Conv1d', 'kernelSize', kernelSize, 1);
    const o = checkOptions<Conv1dModuleOptions>('nn.Conv1d', opts, ['stride', 'padding', 'dilation', 'groups', 'bias']);
    checkBool('nn.Conv1d', 'bias', o.bias);
    this.stride = checkSingle('Conv1d', 'stride', o.stride ?? 1, 1);
    this.padding = o.padding === 'same' || o.padding === 'valid' ? o.padding : checkSingle('Conv1d', 'padding', o.padding ?? 0, 0);
    this.dilation = checkSingle('Conv1d', 'dilation', o.dilation ?? 1, 1);
    this.groups = checkInt('Conv1d', 'groups', o.groups ?? 1, 1);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0)
      throw new ValueError('nn.Conv1d', `inChannels ${inChannels} and outChannels ${outChannels} must both be multiples of groups ${this.groups}`);
    const bound = fanInBound((inChannels / this.groups) * this.kernelSize);
    this.weight = this.registerParameter('weight', uniformParameter('nn.Conv1d', [outChannels, inChannels / this.groups, this.kernelSize], bound));
    this.bias = (o.bias ?? true) ? this.registerParameter('bias', uniformParameter('nn.Conv1d', [outChannels], bound)) : null;
  }

  forward(x: Tensor): Tensor {
    checkChannelsInput('nn.Conv1d', x, this.inChannels, 'L');
    return F.conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=(${this.kernelSize},), stride=(${this.stride},)`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding !== 0) s += `, padding=(${this.padding},)`;
    if (this.dilation !== 1) s += `, dilation=(${this.dilation},)`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    return this.bias === null ? `${s}, bias=False` : s;
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

/**
 * Transposed 2-D convolution (PyTorch nn.ConvTranspose2d): weight [inC, outC/groups, kh, kw]; its
 * init is PyTorch's kaiming_uniform_(a = √5) on that layout, so fanIn = (outC/groups)·kh·kw, the
 * bias U(±1/√fanIn) too.
 */
export class ConvTranspose2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | [number, number],
    opts: ConvTranspose2dModuleOptions = {},
  ) {
    super();
    checkInt('ConvTranspose2d', 'inChannels', inChannels, 1);
    checkInt('ConvTranspose2d', 'outChannels', outChannels, 1);
    this.kernelSize = checkPair('ConvTranspose2d', 'kernelSize', kernelSize, 1);
    const o = checkOptions<ConvTranspose2dModuleOptions>('nn.ConvTranspose2d', opts, ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation']);
    checkBool('nn.ConvTranspose2d', 'bias', o.bias);
    this.stride = checkPair('ConvTranspose2d', 'stride', o.stride ?? 1, 1);
    this.padding = checkPair('ConvTranspose2d', 'padding', o.padding ?? 0, 0);
    this.outputPadding = checkPair('ConvTranspose2d', 'outputPadding', o.outputPadding ?? 0, 0);
    this.dilation = checkPair('ConvTranspose2d', 'dilation', o.dilation ?? 1, 1);
    this.groups = checkInt('ConvTranspose2d', 'groups', o.groups ?? 1, 1);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0)
      throw new ValueError('nn.ConvTranspose2d', `inChannels ${inChannels} and outChannels ${outChannels} must both be multiples of groups ${this.groups}`);
    const [kh, kw] = this.kernelSize;
    const bound = fanInBound((outChannels / this.groups) * kh * kw);
    this.weight = this.registerParameter('weight', uniformParameter('nn.ConvTranspose2d', [inChannels, outChannels / this.groups, kh, kw], bound));
    this.bias = (o.bias ?? true) ? this.registerParameter('bias', uniformParameter('nn.ConvTranspose2d', [outChannels], bound)) : null;
  }

  forward(x: Tensor): Tensor {
    checkChannelsInput('nn.ConvTranspose2d', x, this.inChannels, 'H, W');
    const { stride, padding, outputPadding, groups, dilation } = this;
    return F.convTranspose2d(x, this.weight, this.bias, { stride, padding, outputPadding, groups, dilation });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyPair(this.kernelSize)}, stride=${pyPair(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${pyPair(this.padding)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyPair(this.outputPadding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyPair(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    return this.bias === null ? `${s}, bias=False` : s;
  }
}

/** Resizes [N, C, H, W] with interpolate (PyTorch nn.Upsample: size or scaleFactor, mode 'nearest' or 'bilinear', alignCorners). */
export class Upsample extends Module {
  readonly options: InterpolateOptions;
  constructor(options: InterpolateOptions) {
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
    const what = o.size !== undefined ? `size=${fmtValue(o.size)}` : `scale_factor=${fmtValue(o.scaleFactor)}`;
    return `${what}, mode='${o.mode ?? 'nearest'}'`;
  }
}

/** PyTorch's nn.UpsamplingNearest2d: Upsample with mode 'nearest' ({ size } or { scaleFactor }). */
export class UpsamplingNearest2d extends Upsample {
  constructor(options: Pick<InterpolateOptions, 'size' | 'scaleFactor'>) {
    super({ ...checkOptions<InterpolateOptions>('nn.UpsamplingNearest2d', options, ['size', 'scaleFactor']), mode: 'nearest' });
  }
}

/** PyTorch's nn.UpsamplingBilinear2d: Upsample with mode 'bilinear' and alignCorners true. */
export class UpsamplingBilinear2d extends Upsample {
  constructor(options: Pick<InterpolateOptions, 'size' | 'scaleFactor'>) {
    super({ ...checkOptions<InterpolateOptions>('nn.UpsamplingBilinear2d', options, ['size', 'scaleFactor']), mode: 'bilinear', alignCorners: true });
  }
}

/** Average pooling to a fixed output size (PyTorch nn.AdaptiveAvgPool2d). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${fmtValue(this.outputSize)}`;
  }
}

/** Max pooling to a fixed output size (PyTorch nn.AdaptiveMaxPool2d; returnIndices gives [out, indices]). */
export class AdaptiveMaxPool2d extends Module<(x: Tensor) => Tensor | [Tensor, Tensor]> {
  constructor(
    readonly outputSize: AdaptiveSize,
    readonly returnIndices = false,
  ) {
    super();
    checkBool('nn.AdaptiveMaxPool2d', 'returnIndices', returnIndices);
  }
  forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return this.returnIndices ? F.adaptiveMaxPool2d(x, this.outputSize, { returnIndices: true }) : F.adaptiveMaxPool2d(x, this.outputSize);
  }
  override extraRepr(): string {
    return `output_size=${fmtValue(this.outputSize)}`;
  }
}
