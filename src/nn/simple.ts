/** Modules without parameters: activations, pooling, Flatten, Dropout. */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import { checkFinite, fmtShape } from '../ops/types.js';
import type { Tensor } from '../engine/tensor.js';
import type { AvgPool2dOptions, AvgPool3dOptions, MaxPool2dOptions, MaxPool3dOptions, PoolOptions } from '../ops/pool.js';
import type { Size3 } from '../ops/window.js';
import { checkPair, checkTriple, pyFloat, pySize } from './layers.js';
import { InPlaceActivation, InPlaceModule } from './inplace.js';
import { Module, type Forward } from './module.js';
import * as forms from './module-forms.js';

/** max(x, 0) elementwise. */
export class ReLU extends InPlaceActivation {
  forward(x: Tensor): Tensor {
    return this.output(x, F.relu(x));
  }
}

/** x for x > 0, else negativeSlope·x (PyTorch's default slope 0.01). */
export class LeakyReLU extends InPlaceModule {
  readonly negativeSlope: number;
  constructor(negativeSlope?: number | { negativeSlope?: number; inplace?: boolean }, inplace?: boolean | { inplace?: boolean });
  constructor(...args: unknown[]) {
    const [negativeSlope = 0.01, inplace = false] = forms.moduleArgs(forms.LeakyReLU, args) as [number?, boolean?];
    super(inplace);
    this.negativeSlope = checkFinite('nn.LeakyReLU', 'negativeSlope', negativeSlope);
  }
  forward(x: Tensor): Tensor {
    return this.output(x, F.leakyRelu(x, this.negativeSlope));
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplaceRepr()}`;
  }
}

/** tanh(x) elementwise. */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

/** 1 / (1 + e^(−x)) elementwise. */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

/** x·Φ(x) (PyTorch's default exact GELU). */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  /** approximate: 'none' (default, the exact erf form) or 'tanh', as PyTorch's nn.GELU(approximate). */
  constructor(approximate: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' } = 'none') {
    super();
    const a = typeof approximate === 'object' && approximate !== null ? (approximate.approximate ?? 'none') : approximate;
    if (a !== 'none' && a !== 'tanh') throw new ValueError('nn.GELU', `approximate must be 'none' or 'tanh', got ${fmtValue(a)}`);
    this.approximate = a;
  }
  forward(x: Tensor): Tensor {
    return F.gelu(x, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** The modules take the options of the functions (src/ops/pool.ts). */
export type PoolModuleOptions = PoolOptions;
export interface MaxPoolModuleOptions extends MaxPool2dOptions {
  /** forward returns [values, indices] (int32 positions iy·W + ix, for MaxUnpool2d), as PyTorch's return_indices. */
  returnIndices?: boolean;
}
/** What a max pool's forward returns: the values, or with returnIndices [values, indices]. */
export type MaxPoolOutput<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;
export type AvgPoolModuleOptions = AvgPool2dOptions;

abstract class Pool<S extends number[], F extends Forward = (x: Tensor) => Tensor> extends Module<F> {
  readonly kernelSize: S;
  readonly stride: S;
  readonly padding: S;
  readonly ceilMode: boolean;
  /** The sizes as given (a number or a list), which torch prints. */
  protected readonly given: { kernelSize: number | readonly number[]; stride: number | readonly number[]; padding: number | readonly number[] };
  /** Checks the options every pool has (`sizes` checks a per-dim size), and `more` (which the subclass reads from the result). */
  protected constructor(
    name: string,
    protected readonly sizes: (where: string, what: string, v: unknown, min: number) => S,
    kernelSize: number | S,
    opts: PoolModuleOptions | AvgPool3dOptions,
    more: readonly string[],
  ) {
    super();
    this.kernelSize = sizes(name, 'kernelSize', kernelSize, 1);
    const o = checkOptions<PoolModuleOptions>(`nn.${name}`, opts, ['stride', 'padding', 'ceilMode', ...more]);
    this.stride = sizes(name, 'stride', o.stride ?? this.kernelSize, 1);
    this.padding = sizes(name, 'padding', o.padding ?? 0, 0);
    checkBool(`nn.${name}`, 'ceilMode', o.ceilMode);
    this.ceilMode = o.ceilMode ?? false;
    this.given = { kernelSize, stride: o.stride ?? kernelSize, padding: o.padding ?? 0 };
  }
  override extraRepr(): string {
    const g = this.given;
    return `kernel_size=${pySize(g.kernelSize)}, stride=${pySize(g.stride)}, padding=${pySize(g.padding)}`;
  }
}

type MaxPoolFn<S> = (x: Tensor, k: S, opts: { stride: S; padding: S; dilation: S; ceilMode: boolean; returnIndices: boolean }) => Tensor | [Tensor, Tensor];
type AvgPoolFn<S> = (x: Tensor, k: S, opts: { stride: S; padding: S; ceilMode: boolean; countIncludePad: boolean; divisorOverride?: number }) => Tensor;

/** MaxPool2d and MaxPool3d: `pool` (the function) over the module's windows. */
abstract class MaxPool<S extends number[], R extends boolean> extends Pool<S, (x: Tensor) => MaxPoolOutput<R>> {
  readonly dilation: S;
  readonly returnIndices: R;
  private readonly givenDilation: number | readonly number[];
  protected constructor(
    name: string,
    sizes: (where: string, what: string, v: unknown, min: number) => S,
    kernelSize: unknown,
    opts: (MaxPoolModuleOptions | MaxPool3dModuleOptions) & { returnIndices?: R },
    private readonly pool: MaxPoolFn<S>,
  ) {
    super(name, sizes, kernelSize as S, opts, ['dilation', 'returnIndices']);
    this.dilation = sizes(name, 'dilation', opts.dilation ?? 1, 1);
    this.givenDilation = opts.dilation ?? 1;
    checkBool(`nn.${name}`, 'returnIndices', opts.returnIndices);
    this.returnIndices = (opts.returnIndices ?? false) as R;
  }
  forward(x: Tensor): MaxPoolOutput<R> {
    const { stride, padding, dilation, ceilMode, returnIndices } = this;
    return this.pool(x, this.kernelSize, { stride, padding, dilation, ceilMode, returnIndices }) as MaxPoolOutput<R>;
  }
  override extraRepr(): string {
    return `${super.extraRepr()}, dilation=${pySize(this.givenDilation)}, ceil_mode=${this.ceilMode ? 'True' : 'False'}`;
  }
}

/** AvgPool2d and AvgPool3d: `pool` (the function) over the module's windows. */
abstract class AvgPool<S extends number[]> extends Pool<S> {
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | undefined;
  protected constructor(
    name: string,
    sizes: (where: string, what: string, v: unknown, min: number) => S,
    kernelSize: unknown,
    opts: AvgPoolModuleOptions | AvgPool3dOptions,
    private readonly pool: AvgPoolFn<S>,
  ) {
    super(name, sizes, kernelSize as S, opts, ['countIncludePad', 'divisorOverride']);
    checkBool(`nn.${name}`, 'countIncludePad', opts.countIncludePad);
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride;
  }
  forward(x: Tensor): Tensor {
    const { stride, padding, ceilMode, countIncludePad, divisorOverride } = this;
    return this.pool(x, this.kernelSize, { stride, padding, ceilMode, countIncludePad, divisorOverride });
  }
}

/**
 * Max over k×k windows of x [N, C, H, W] (or unbatched [C, H, W]); stride defaults to the kernel
 * size. With returnIndices, forward returns [values, indices] (R is inferred from the option).
 */
export class MaxPool2d<R extends boolean = false> extends MaxPool<[number, number], R> {
  constructor(kernelSize: number | [number, number], opts?: MaxPoolModuleOptions & { returnIndices?: R });
  constructor(...args: unknown[]) {
    const [kernelSize, opts = {}] = forms.moduleArgs(forms.MaxPool2d, args) as [number | [number, number], (MaxPoolModuleOptions & { returnIndices?: R })?];
    super('MaxPool2d', checkPair, kernelSize, opts, F.maxPool2d);
  }
}

/** Mean over k×k windows of x [N, C, H, W] or [C, H, W] (padding counted as zeros unless countIncludePad is false); stride defaults to the kernel size. */
export class AvgPool2d extends AvgPool<[number, number]> {
  constructor(kernelSize: number | [number, number], opts?: AvgPoolModuleOptions);
  constructor(...args: unknown[]) {
    const [kernelSize, opts = {}] = forms.moduleArgs(forms.AvgPool2d, args) as [number | [number, number], AvgPoolModuleOptions?];
    super('AvgPool2d', checkPair, kernelSize, opts, F.avgPool2d);
  }
}

export interface MaxPool3dModuleOptions extends MaxPool3dOptions {
  /** forward returns [values, indices] (int32 positions d·H·W + h·W + w, for MaxUnpool3d), as PyTorch's return_indices. */
  returnIndices?: boolean;
}

/**
 * Max over kd×kh×kw windows of x [N, C, D, H, W] (or unbatched [C, D, H, W]); stride defaults to
 * the kernel size. With returnIndices, forward returns [values, indices] (R is inferred from the option).
 */
export class MaxPool3d<R extends boolean = false> extends MaxPool<[number, number, number], R> {
  constructor(kernelSize: Size3, opts?: MaxPool3dModuleOptions & { returnIndices?: R });
  constructor(...args: unknown[]) {
    const [kernelSize, opts = {}] = forms.moduleArgs(forms.MaxPool3d, args) as [Size3, (MaxPool3dModuleOptions & { returnIndices?: R })?];
    super('MaxPool3d', checkTriple, kernelSize, opts, F.maxPool3d);
  }
}

/** Mean over kd×kh×kw windows of x [N, C, D, H, W] or [C, D, H, W] (AvgPool2d's options); stride defaults to the kernel size. */
export class AvgPool3d extends AvgPool<[number, number, number]> {
  constructor(kernelSize: Size3, opts?: AvgPool3dOptions);
  constructor(...args: unknown[]) {
    const [kernelSize, opts = {}] = forms.moduleArgs(forms.AvgPool3d, args) as [Size3, AvgPool3dOptions?];
    super('AvgPool3d', checkTriple, kernelSize, opts, F.avgPool3d);
  }
}

/**
 * Merges dims startDim..endDim into one. PyTorch's nn.Flatten defaults (startDim 1, endDim −1)
 * keep the batch dim: [N, C, H, W] → [N, C·H·W].
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(startDim?: number, endDim?: number);
  constructor(...args: unknown[]) {
    const [startDim = 1, endDim = -1] = forms.moduleArgs(forms.Flatten, args) as [number?, number?];
    super();
    if (!Number.isInteger(startDim) || !Number.isInteger(endDim))
      throw new ValueError('nn.Flatten', `startDim and endDim must be integers, got ${fmtValue(startDim)} and ${fmtValue(endDim)}`);
    this.startDim = startDim;
    this.endDim = endDim;
  }
  forward(x: Tensor): Tensor {
    checkTensor('nn.Flatten', 'input', x);
    const nd = Math.max(x.ndim, 1);
    const norm = (d: number, name: string) => {
      if (d < -nd || d >= nd) throw new ShapeError('nn.Flatten', `${name} ${d} is out of range for an input of shape ${fmtShape(x.shape)}`);
      return d < 0 ? d + nd : d;
    };
    const s = norm(this.startDim, 'startDim'),
      e = norm(this.endDim, 'endDim');
    if (s > e) throw new ShapeError('nn.Flatten', `startDim ${this.startDim} comes after endDim ${this.endDim} for an input of shape ${fmtShape(x.shape)}`);
    if (e === nd - 1) return F.flatten(x, s);
    const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
    return F.reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Inverted dropout while training: zeroes each element with probability p and scales the rest by
 * 1/(1−p); the identity in eval mode. Masks come from the seeded stream (wg.manualSeed).
 */
export class Dropout extends InPlaceModule {
  readonly p: number;
  constructor(p?: number, inplace?: boolean);
  constructor(...args: unknown[]) {
    const [p = 0.5, inplace = false] = forms.moduleArgs(forms.Dropout, args, new.target.name) as [number?, boolean?];
    super(inplace);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(`nn.${new.target.name}`, `p must be a probability in [0, 1], got ${fmtValue(p)}`);
    this.p = p;
  }
  forward(x: Tensor): Tensor {
    checkTensor('nn.Dropout', 'input', x);
    return this.output(x, F.dropout(x, this.p, this.training));
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${this.inplace ? 'True' : 'False'}`;
  }
}

/** Zeroes whole channels of [N, C, L] (or [C, L]) with probability p in training (PyTorch's nn.Dropout1d). */
export class Dropout1d extends Dropout {
  override forward(x: Tensor): Tensor {
    return this.output(x, this.p === 1 && this.training ? F.mul(F.dropout1d(x, 0, false), 0) : F.dropout1d(x, this.p, this.training));
  }
}

/** Zeroes whole channels of [N, C, H, W] (or [C, H, W]) with probability p in training (PyTorch's nn.Dropout2d). */
export class Dropout2d extends Dropout {
  override forward(x: Tensor): Tensor {
    return this.output(x, this.p === 1 && this.training ? F.mul(F.dropout2d(x, 0, false), 0) : F.dropout2d(x, this.p, this.training));
  }
}

/** Zeroes whole channels of x [N, C, D, H, W] (or [C, D, H, W]) with probability p in training (PyTorch nn.Dropout3d). */
export class Dropout3d extends Dropout {
  override forward(x: Tensor): Tensor {
    return this.output(x, this.p === 1 && this.training ? F.mul(F.dropout3d(x, 0, false), 0) : F.dropout3d(x, this.p, this.training));
  }
}

/** The input, unchanged (a placeholder, e.g. for a layer switched off; PyTorch's Identity ignores its arguments). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** x·σ(x) (swish). */
export class SiLU extends InPlaceActivation {
  forward(x: Tensor): Tensor {
    return this.output(x, F.silu(x));
  }
}

/** A module applying a function along one dim (Softmax, LogSoftmax: the dim is required, there is no implicit one). */
abstract class AlongDim extends Module {
  readonly dim: number;
  constructor(dim: number);
  constructor(...args: unknown[]) {
    const [dim] = forms.moduleArgs(forms.Softmax, args, new.target.name) as [number];
    super();
    this.dim = dim;
    if (!Number.isInteger(dim)) throw new ValueError(`nn.${new.target.name}`, `dim must be an integer, got ${fmtValue(dim)}`);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Softmax along `dim` (PyTorch's nn.Softmax(dim)). */
export class Softmax extends AlongDim {
  forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
}

/** log-softmax along `dim` (PyTorch's nn.LogSoftmax(dim)). */
export class LogSoftmax extends AlongDim {
  forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
}

/** Splits dim `dim` into `unflattenedSize` (PyTorch's nn.Unflatten; −1 once allowed). */
export class Unflatten extends Module {
  readonly unflattenedSize: readonly number[];
  readonly dim: number;
  constructor(dim: number, unflattenedSize: readonly number[]);
  constructor(...args: unknown[]) {
    const [dim, unflattenedSize] = forms.moduleArgs(forms.Unflatten, args) as [number, readonly number[]];
    super();
    this.dim = dim;
    if (!Number.isInteger(dim)) throw new ValueError('nn.Unflatten', `dim must be an integer, got ${fmtValue(dim)}`);
    if (
      !Array.isArray(unflattenedSize) ||
      unflattenedSize.length === 0 ||
      unflattenedSize.some((d) => !Number.isInteger(d) || d < -1) ||
      unflattenedSize.filter((d) => d === -1).length > 1
    )
      throw new ValueError('nn.Unflatten', `unflattenedSize must be a non-empty array of sizes (one −1 at most), got ${fmtValue(unflattenedSize)}`);
    this.unflattenedSize = [...unflattenedSize];
  }
  forward(x: Tensor): Tensor {
    checkTensor('nn.Unflatten', 'input', x);
    const nd = x.ndim;
    const d = this.dim < 0 ? this.dim + nd : this.dim;
    if (d < 0 || d >= nd) throw new ShapeError('nn.Unflatten', `dim ${this.dim} is out of range for an input of shape ${fmtShape(x.shape)}`);
    const known = this.unflattenedSize.reduce((p, s) => (s === -1 ? p : p * s), 1);
    const sizes = this.unflattenedSize.map((s) => (s === -1 ? (known === 0 ? 0 : x.shape[d] / known) : s));
    if (!sizes.every(Number.isInteger) || sizes.reduce((p, s) => p * s, 1) !== x.shape[d])
      throw new ShapeError(
        'nn.Unflatten',
        `cannot split dim ${this.dim} of size ${x.shape[d]} (input ${fmtShape(x.shape)}) into ${fmtShape(this.unflattenedSize)}`,
      );
    return F.reshape(x, [...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=(${this.unflattenedSize.join(', ')})`;
  }
}
