/**
 * Parameter-free modules over layout and 1-D pooling functions (PyTorch's nn.MaxPool1d,
 * nn.AvgPool1d, nn.AdaptiveAvgPool1d, nn.PixelShuffle, nn.PixelUnshuffle and the padding layers):
 * each keeps its constructor's arguments and calls the function, which checks them and the input.
 */
import { checkBool, checkOptions } from '../engine/check.js';
import { ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import type { Tensor } from '../engine/tensor.js';
import type { PadMode } from '../ops/layout.js';
import type { AvgPool1dOptions, MaxPool1dOptions } from '../ops/pool.js';
import { Module } from './module.js';
import { AdaptiveAvgPool } from './conv-modules.js';
import type { MaxPoolOutput } from './simple.js';
import * as forms from './module-forms.js';

const pyBool = (b: boolean | undefined) => (b ? 'True' : 'False');

/**
 * Max over windows of x [N, C, L] (or [C, L]); stride defaults to the kernel size. With
 * returnIndices, forward returns [values, int32 positions along L] (R is inferred from the option).
 */
export class MaxPool1d<R extends boolean = false> extends Module<(x: Tensor) => MaxPoolOutput<R>> {
  readonly kernelSize: number;
  readonly options: Readonly<MaxPool1dOptions>;
  readonly returnIndices: R;
  constructor(kernelSize: number, options?: MaxPool1dOptions & { returnIndices?: R });
  constructor(...args: unknown[]) {
    const [kernelSize, options = {}] = forms.moduleArgs(forms.MaxPool1d, args) as [number, (MaxPool1dOptions & { returnIndices?: R })?];
    super();
    this.kernelSize = kernelSize;
    const { returnIndices, ...o } = checkOptions<MaxPool1dOptions & { returnIndices?: R }>('nn.MaxPool1d', options, [
      'stride',
      'padding',
      'dilation',
      'ceilMode',
      'returnIndices',
    ]);
    checkBool('nn.MaxPool1d', 'returnIndices', returnIndices);
    this.options = o;
    this.returnIndices = (returnIndices ?? false) as R;
  }
  forward(x: Tensor): MaxPoolOutput<R> {
    return F.maxPool1d(x, this.kernelSize, { ...this.options, returnIndices: this.returnIndices }) as MaxPoolOutput<R>;
  }
  override extraRepr(): string {
    const o = this.options;
    return `kernel_size=${this.kernelSize}, stride=${o.stride ?? this.kernelSize}, padding=${o.padding ?? 0}, dilation=${o.dilation ?? 1}, ceil_mode=${pyBool(o.ceilMode)}`;
  }
}

/** Mean over windows of x [N, C, L] (or [C, L]); stride defaults to the kernel size. */
export class AvgPool1d extends Module {
  readonly kernelSize: number;
  readonly options: Readonly<AvgPool1dOptions>;
  constructor(kernelSize: number, options?: AvgPool1dOptions);
  constructor(...args: unknown[]) {
    const [kernelSize, options = {}] = forms.moduleArgs(forms.AvgPool1d, args) as [number, AvgPool1dOptions?];
    super();
    this.kernelSize = kernelSize;
    this.options = { ...checkOptions<AvgPool1dOptions>('nn.AvgPool1d', options, ['stride', 'padding', 'ceilMode', 'countIncludePad']) };
  }
  forward(x: Tensor): Tensor {
    return F.avgPool1d(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    const o = this.options;
    return `kernel_size=(${this.kernelSize},), stride=(${o.stride ?? this.kernelSize},), padding=(${o.padding ?? 0},)`;
  }
}

/** Mean pooling of x [N, C, L] (or [C, L]) to `outputSize` positions. */
export class AdaptiveAvgPool1d extends AdaptiveAvgPool<number> {
  constructor(outputSize: number | { outputSize: number });
  constructor(...args: unknown[]) {
    super(args, F.adaptiveAvgPool1d);
  }
}

/** [*, C·r², H, W] → [*, C, H·r, W·r]. */
export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.pixelShuffle(x, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

/** [*, C, H·r, W·r] → [*, C·r², H, W]. */
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.pixelUnshuffle(x, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}

/**
 * A padding layer over the last `dims` dims: one number pads every side, or (left, right[, top,
 * bottom[, front, back]]) as PyTorch's tuple, which is also F.pad's order.
 */
abstract class PadNd extends Module {
  readonly padding: readonly number[];
  readonly value: number;
  /** `args`: the subclass's constructor arguments, (padding) or, for ConstantPad*d, (padding, value), positional or by keyword. */
  protected constructor(
    dims: number,
    args: readonly unknown[],
    readonly mode: PadMode,
    /** ZeroPad*d print only their padding, as torch's. */
    private readonly showValue = true,
  ) {
    super();
    const fn = `nn.${new.target.name}`;
    const constantValue = mode === 'constant' && showValue;
    const [padding, value = constantValue ? undefined : 0] = forms.moduleArgs(constantValue ? forms.ConstantPad : forms.Pad, args, new.target.name) as [
      number | readonly number[],
      number?,
    ];
    const p = typeof padding === 'number' ? Array<number>(2 * dims).fill(padding) : Array.isArray(padding) ? [...padding] : null;
    if (p === null || p.length !== 2 * dims || p.some((v) => !Number.isInteger(v)))
      throw new ValueError(fn, `padding must be an integer or ${2 * dims} integers, got ${fmtValue(padding)}`);
    if (typeof value !== 'number' || Number.isNaN(value)) throw new ValueError(fn, `value must be a number, got ${fmtValue(value)}`);
    this.padding = p;
    this.value = value as number;
  }
  forward(x: Tensor): Tensor {
    return F.pad(x, this.padding, this.mode === 'constant' ? { mode: 'constant', value: this.value } : { mode: this.mode });
  }
  override extraRepr(): string {
    return this.mode === 'constant' && this.showValue ? `padding=(${this.padding.join(', ')}), value=${this.value}` : `(${this.padding.join(', ')})`;
  }
}

export class ConstantPad1d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[]; value: number }, value?: number | { value: number });
  constructor(...args: unknown[]) {
    super(1, args, 'constant');
  }
}
export class ConstantPad2d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[]; value: number }, value?: number | { value: number });
  constructor(...args: unknown[]) {
    super(2, args, 'constant');
  }
}
export class ZeroPad1d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] });
  constructor(...args: unknown[]) {
    super(1, args, 'constant', false);
  }
}
export class ZeroPad2d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] });
  constructor(...args: unknown[]) {
    super(2, args, 'constant', false);
  }
}
export class ReflectionPad1d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] });
  constructor(...args: unknown[]) {
    super(1, args, 'reflect');
  }
}
export class ReflectionPad2d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] });
  constructor(...args: unknown[]) {
    super(2, args, 'reflect');
  }
}
export class ReplicationPad1d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] });
  constructor(...args: unknown[]) {
    super(1, args, 'replicate');
  }
}
export class ReplicationPad2d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] });
  constructor(...args: unknown[]) {
    super(2, args, 'replicate');
  }
}
export class CircularPad1d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] });
  constructor(...args: unknown[]) {
    super(1, args, 'circular');
  }
}
export class CircularPad2d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] });
  constructor(...args: unknown[]) {
    super(2, args, 'circular');
  }
}
export class ConstantPad3d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[]; value: number }, value?: number | { value: number });
  constructor(...args: unknown[]) {
    super(3, args, 'constant');
  }
}
export class ZeroPad3d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] });
  constructor(...args: unknown[]) {
    super(3, args, 'constant', false);
  }
}
export class ReflectionPad3d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] });
  constructor(...args: unknown[]) {
    super(3, args, 'reflect');
  }
}
export class ReplicationPad3d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] });
  constructor(...args: unknown[]) {
    super(3, args, 'replicate');
  }
}
export class CircularPad3d extends PadNd {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] });
  constructor(...args: unknown[]) {
    super(3, args, 'circular');
  }
}
