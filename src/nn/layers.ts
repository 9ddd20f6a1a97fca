/** Layers with weights: Linear, Conv2d, Embedding. */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import { tensor } from '../api/creation.js';
import { bagOptions, embeddingRenorm_, tableOptions, type EmbeddingBagMode } from '../api/embedding.js';
import { checkIntAtLeast, fmtShape } from '../ops/types.js';
import { Tensor } from '../engine/tensor.js';
import { fanInBound, normalParameter, uniformParameter } from './init.js';
import { Module } from './module.js';
import type { Conv3dOptions } from '../ops/conv.js';
import type { Size3 } from '../ops/window.js';
import * as forms from './module-forms.js';

/** Throws unless v is an integer ≥ min. */
export function checkInt(where: string, name: string, v: unknown, min: number): number {
  return checkIntAtLeast(`nn.${where}`, name, v, min);
}

/** A number or [h, w] pair as [h, w] of integers ≥ min. */
/** A number or [d, h, w] as a checked triple, each an integer ≥ min (3-D modules). */
export function checkTriple(where: string, name: string, v: unknown, min: number): [number, number, number] {
  const p = typeof v === 'number' ? [v, v, v] : v;
  if (!Array.isArray(p) || p.length !== 3) throw new ValueError(`nn.${where}`, `${name} must be a number or a [d, h, w] triple, got ${fmtValue(v)}`);
  return [checkInt(where, name, p[0], min), checkInt(where, name, p[1], min), checkInt(where, name, p[2], min)];
}

export function checkPair(where: string, name: string, v: unknown, min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2) throw new ValueError(`nn.${where}`, `${name} must be a number or an [h, w] pair, got ${fmtValue(v)}`);
  return [checkInt(where, name, p[0], min), checkInt(where, name, p[1], min)];
}

/**
 * The input check of a module over channels (convolutions, instance norm): x is
 * [N, inChannels, *spatial] or, as PyTorch accepts, unbatched [inChannels, *spatial]; `spatial`
 * names the spatial dims ('L' or 'H, W').
 */
export function checkChannelsInput(fn: string, x: Tensor, inChannels: number, spatial: string): void {
  checkTensor(fn, 'input', x);
  const rank = spatial.split(',').length + 2;
  if ((x.ndim !== rank && x.ndim !== rank - 1) || x.shape[x.ndim - rank + 1] !== inChannels)
    throw new ShapeError(fn, `expected an input [N, ${inChannels}, ${spatial}] or [${inChannels}, ${spatial}], got shape ${fmtShape(x.shape)}`);
}

const pyBool = (b: boolean) => (b ? 'True' : 'False');
export const pyPair = (p: readonly number[]) => `(${p.join(', ')})`;
/** A number as torch prints what it was given, reading an integer as Python's int (nn.Softplus's defaults are the ints 1 and 20). */
export const pyNumber = (x: number): string => (Number.isInteger(x) ? String(x) : pyFloat(x));
/** A size as torch prints what it was given: a number as itself, a list as a tuple (null is None; one element keeps its comma). */
export const pySize = (v: number | null | readonly (number | null)[]): string =>
  typeof v === 'number' ? String(v) : v === null ? 'None' : `(${v.map((d) => (d === null ? 'None' : String(d))).join(', ')}${v.length === 1 ? ',' : ''})`;
/** A float as Python's repr prints it (1e-05, 0.1, 1.0), for PyTorch-like toString(). */
export function pyFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e16)) return x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/**
 * y = x·Wᵀ + b over the last dim: x [..., inFeatures] → [..., outFeatures].
 * weight [outFeatures, inFeatures] (PyTorch layout) and bias [outFeatures], both initialised from
 * U(−1/√inFeatures, 1/√inFeatures) (PyTorch's default: kaiming_uniform_ with a = √5).
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, opts?: { bias?: boolean });
  constructor(...args: unknown[]) {
    const [inFeatures, outFeatures, opts = {}] = forms.moduleArgs(forms.Linear, args) as [number, number, { bias?: boolean }?];
    super();
    this.inFeatures = checkInt('Linear', 'inFeatures', inFeatures, 0);
    this.outFeatures = checkInt('Linear', 'outFeatures', outFeatures, 0);
    const { bias = true } = checkOptions<{ bias?: boolean }>('nn.Linear', opts, ['bias']);
    checkBool('nn.Linear', 'bias', bias);
    const bound = fanInBound(inFeatures);
    // Drawn in PyTorch's order: the whole weight, then the bias.
    this.weight = this.registerParameter('weight', uniformParameter('nn.Linear', [outFeatures, inFeatures], bound));
    this.bias = bias ? this.registerParameter('bias', uniformParameter('nn.Linear', [outFeatures], bound)) : null;
  }

  forward(x: Tensor): Tensor {
    return this.forwardActivated(x, 'none');
  }

  /**
   * forward(x) followed by the activation, in one kernel (F.linear's epilogue): nn.Sequential runs
   * a Linear followed by a ReLU this way.
   */
  forwardActivated(x: Tensor, activation: F.LinearOptions['activation']): Tensor {
    checkTensor('nn.Linear', 'input', x);
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== this.inFeatures)
      throw new ShapeError('nn.Linear', `expected an input whose last dim is in_features = ${this.inFeatures}, got shape ${fmtShape(x.shape)}`);
    return F.linear(x, this.weight, this.bias, { activation });
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** How a convolution module pads: with zeros inside the convolution, or by F.pad's mode first (torch's padding_mode). */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/**
 * torch's _reversed_padding_repeated_twice for a padding mode other than 'zeros': F.pad's list (last
 * dim first, both sides), the convolution then running with padding 0; null for 'zeros'. 'same'
 * splits each dim's total dilation·(k − 1) with the smaller half first, as torch.
 */
export function modePadding(
  fn: string,
  mode: unknown,
  padding: readonly number[] | 'same' | 'valid',
  kernelSize: readonly number[],
  dilation: readonly number[],
): number[] | null {
  if (mode === undefined || mode === 'zeros') return null;
  if (mode !== 'reflect' && mode !== 'replicate' && mode !== 'circular')
    throw new ValueError(fn, `paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got ${fmtValue(mode)}`);
  const sides = kernelSize.map((k, i): [number, number] => {
    if (padding === 'valid') return [0, 0];
    if (padding !== 'same') return [padding[i], padding[i]];
    const total = dilation[i] * (k - 1);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  });
  return sides.reverse().flat();
}

/** x padded by modePadding's list in the paddingMode (the convolution then pads nothing), or x itself for 'zeros' (a null list). */
export function padByMode(x: Tensor, modePad: number[] | null, mode: PaddingMode): Tensor {
  return modePad === null ? x : F.pad(x, modePad, { mode: mode as Exclude<PaddingMode, 'zeros'> });
}

export interface Conv2dModuleOptions {
  /** torch's padding_mode (default 'zeros'): 'reflect', 'replicate' or 'circular' pad with F.pad's mode first. */
  paddingMode?: PaddingMode;
  stride?: number | [number, number];
  /** A number, [ph, pw], 'same' (stride 1; output size = input size) or 'valid' (no padding). */
  padding?: number | [number, number] | 'same' | 'valid';
  dilation?: number | [number, number];
  /** Input and output channels split into groups convolved separately (groups = inChannels: depthwise). */
  groups?: number;
  bias?: boolean;
}

/**
 * Conv2d and Conv3d: weight [outChannels, inChannels/groups, *kernelSize], bias [outChannels],
 * both from U(−1/√fan_in, 1/√fan_in) with fan_in = (inChannels/groups)·∏kernelSize (PyTorch's
 * kaiming_uniform_(a = √5)); S holds one size per spatial dim, checked by `sizes`.
 */
export abstract class ConvNd<S extends number[]> extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: S;
  readonly stride: S;
  readonly padding: S | 'same' | 'valid';
  readonly dilation: S;
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  /** F.pad's list for a paddingMode other than 'zeros' (see modePadding), else null. */
  private readonly modePad: number[] | null;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  protected constructor(
    name: string,
    sizes: (where: string, what: string, v: unknown, min: number) => S,
    inChannels: number,
    outChannels: number,
    kernelSize: unknown,
    opts: Conv2dModuleOptions | Conv3dModuleOptions,
  ) {
    super();
    const fn = `nn.${name}`;
    this.inChannels = checkInt(name, 'inChannels', inChannels, 1);
    this.outChannels = checkInt(name, 'outChannels', outChannels, 1);
    this.kernelSize = sizes(name, 'kernelSize', kernelSize, 1);
    const o = checkOptions<Conv2dModuleOptions | Conv3dModuleOptions>(fn, opts, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']);
    checkBool(fn, 'bias', o.bias);
    this.stride = sizes(name, 'stride', o.stride ?? 1, 1);
    this.padding = o.padding === 'same' || o.padding === 'valid' ? o.padding : sizes(name, 'padding', o.padding ?? 0, 0);
    this.dilation = sizes(name, 'dilation', o.dilation ?? 1, 1);
    this.groups = checkInt(name, 'groups', o.groups ?? 1, 1);
    this.modePad = modePadding(fn, o.paddingMode, this.padding, this.kernelSize, this.dilation);
    this.paddingMode = o.paddingMode ?? 'zeros';
    // As PyTorch, checked when the module is made rather than at the first forward.
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0)
      throw new ValueError(fn, `inChannels ${inChannels} and outChannels ${outChannels} must both be multiples of groups ${this.groups}`);
    if (this.padding === 'same' && this.stride.some((s) => s !== 1))
      throw new ValueError(fn, `padding 'same' needs stride 1 (as PyTorch), got stride ${fmtValue(this.stride)}`);
    const bound = fanInBound((inChannels / this.groups) * this.kernelSize.reduce((a, b) => a * b, 1));
    this.weight = this.registerParameter('weight', uniformParameter(fn, [outChannels, inChannels / this.groups, ...this.kernelSize], bound));
    this.bias = (o.bias ?? true) ? this.registerParameter('bias', uniformParameter(fn, [outChannels], bound)) : null;
  }

  /** The function's options from the module's. */
  protected get convOptions() {
    return { stride: this.stride, padding: this.modePad === null ? this.padding : 0, dilation: this.dilation, groups: this.groups };
  }

  protected padded(x: Tensor): Tensor {
    return padByMode(x, this.modePad, this.paddingMode);
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyPair(this.kernelSize)}, stride=${pyPair(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyPair(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyPair(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/** 2-D convolution over x [N, inChannels, H, W] → [N, outChannels, OH, OW] (or unbatched [inChannels, H, W]; cross-correlation, as PyTorch). See ConvNd. */
export class Conv2d extends ConvNd<[number, number]> {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], opts?: Conv2dModuleOptions);
  constructor(...args: unknown[]) {
    const [inChannels, outChannels, kernelSize, opts = {}] = forms.moduleArgs(forms.Conv2d, args) as [
      number,
      number,
      number | [number, number],
      Conv2dModuleOptions?,
    ];
    super('Conv2d', checkPair, inChannels, outChannels, kernelSize, opts);
  }
  forward(x: Tensor): Tensor {
    checkChannelsInput('nn.Conv2d', x, this.inChannels, 'H, W');
    return F.conv2d(this.padded(x), this.weight, this.bias, this.convOptions as Conv2dModuleOptions);
  }
}

export interface Conv3dModuleOptions extends Conv3dOptions {
  /** As Conv2d's. */
  paddingMode?: PaddingMode;
  bias?: boolean;
}

/** 3-D convolution over x [N, inChannels, D, H, W] (or unbatched [inChannels, D, H, W]; PyTorch nn.Conv3d): weight [outChannels, inChannels/groups, kd, kh, kw]. See ConvNd. */
export class Conv3d extends ConvNd<[number, number, number]> {
  constructor(inChannels: number, outChannels: number, kernelSize: Size3, opts?: Conv3dModuleOptions);
  constructor(...args: unknown[]) {
    const [inChannels, outChannels, kernelSize, opts = {}] = forms.moduleArgs(forms.Conv3d, args) as [number, number, Size3, Conv3dModuleOptions?];
    super('Conv3d', checkTriple, inChannels, outChannels, kernelSize, opts);
  }
  forward(x: Tensor): Tensor {
    checkChannelsInput('nn.Conv3d', x, this.inChannels, 'D, H, W');
    return F.conv3d(this.padded(x), this.weight, this.bias, this.convOptions as Conv3dOptions);
  }
}

export interface EmbeddingOptions {
  /**
   * A row index (negative counts from the end, as PyTorch) whose row is initialised to zeros and
   * receives no gradient: lookups of it return the row's current value, but training never moves it.
   */
  paddingIdx?: number | null;
  /**
   * PyTorch's max_norm (default null, off): before each lookup, every row the indices refer to
   * whose normType-norm exceeds maxNorm is scaled in place, outside autograd, to maxNorm (by
   * maxNorm/(norm + 1e-7), as torch.embedding_renorm_), so the weight itself changes.
   */
  maxNorm?: number | null;
  /** The p of maxNorm's p-norm (default 2). */
  normType?: number;
  /** PyTorch's scale_grad_by_freq (default false): each lookup's gradient is divided by how often its row is looked up in the batch. */
  scaleGradByFreq?: boolean;
  /**
   * PyTorch's sparse (default false): accepted and printed; the weight's gradient is a dense tensor
   * either way, holding the values torch's sparse gradient densifies to, so every optimizer takes it.
   */
  sparse?: boolean;
}

type Settings = [
  numEmbeddings: number,
  embeddingDim: number,
  paddingIdx: number | null,
  maxNorm: number | null,
  normType: number,
  scaleGradByFreq: boolean,
  sparse: boolean,
];
/** The sizes and options nn.Embedding and nn.EmbeddingBag share, checked (errors name nn.<where>); paddingIdx wrapped. */
function embeddingSettings(where: string, numEmbeddings: number, embeddingDim: number, opts: object, more: readonly string[]): Settings {
  const fn = `nn.${where}`;
  const n = checkInt(where, 'numEmbeddings', numEmbeddings, 1);
  const d = checkInt(where, 'embeddingDim', embeddingDim, 1);
  return [n, d, ...tableOptions(fn, n, checkOptions<EmbeddingOptions>(fn, opts, [...EMBEDDING_KEYS, ...more]))];
}
/** The weight of an embedding: N(0, 1) with the padding row 0 (PyTorch's init), or a copy of `pretrained`. */
const embeddingWeight = (fn: string, [n, d, paddingIdx]: Settings, pretrained?: Tensor): Tensor =>
  pretrained === undefined ? normalParameter(fn, n, d, paddingIdx) : tensor(pretrained.data(), { shape: [n, d], requiresGrad: true });
/** fromPretrained's embeddings (2-D float32) and options: its shape, freeze (default true) and the rest. */
function pretrainedSettings<O extends object>(fn: string, embeddings: Tensor, opts: O & { freeze?: boolean }, more: readonly string[]): [number[], boolean, O] {
  checkTensor(fn, 'embeddings', embeddings);
  if (embeddings.ndim !== 2) throw new ShapeError(fn, `embeddings must be 2-D [numEmbeddings, embeddingDim], got shape ${fmtShape(embeddings.shape)}`);
  if (embeddings.dtype !== 'float32') throw new DTypeError(fn, `embeddings must be float32, got ${embeddings.dtype}`);
  const { freeze = true, ...rest } = checkOptions<O & { freeze?: boolean }>(fn, opts, ['freeze', ...EMBEDDING_KEYS, ...more]);
  checkBool(fn, 'freeze', freeze);
  return [[...embeddings.shape], freeze, rest as unknown as O];
}
const EMBEDDING_KEYS = ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse'];
const BAG_KEYS = ['mode', 'includeLastOffset'];

/** The table nn.Embedding and nn.EmbeddingBag share: sizes, options and the weight (key `weight`). */
abstract class EmbeddingTable extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** The padding row, in [0, numEmbeddings) (a negative paddingIdx is stored wrapped, as PyTorch), or null. */
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;
  readonly weight: Tensor;

  /** `pretrained`: the weight's values instead of a random init (fromPretrained); `more`: the subclass's option names. */
  constructor(where: string, numEmbeddings: number, embeddingDim: number, opts: object, more: readonly string[], pretrained?: Tensor) {
    super();
    const o = embeddingSettings(where, numEmbeddings, embeddingDim, opts, more);
    [this.numEmbeddings, this.embeddingDim, this.paddingIdx, this.maxNorm, this.normType, this.scaleGradByFreq, this.sparse] = o;
    this.weight = this.registerParameter('weight', embeddingWeight(`nn.${where}`, o, pretrained));
  }
}

/**
 * A lookup table: int32 indices of any shape → [...idx.shape, embeddingDim], rows of weight
 * [numEmbeddings, embeddingDim] initialised from N(0, 1) (PyTorch's default).
 */
export class Embedding extends EmbeddingTable {
  /** `_weight` (torch's): the weight's values instead of a random init (fromPretrained). */
  constructor(numEmbeddings: number, embeddingDim: number, opts?: EmbeddingOptions & { _weight?: Tensor });
  constructor(...args: unknown[]) {
    const [numEmbeddings, embeddingDim, { _weight, ...opts } = {}] = forms.moduleArgs(forms.Embedding, args) as [
      number,
      number,
      EmbeddingOptions & { _weight?: Tensor },
    ];
    super('Embedding', numEmbeddings, embeddingDim, opts, [], _weight);
  }

  /**
   * An Embedding holding a copy of `embeddings` [numEmbeddings, embeddingDim] (PyTorch's
   * from_pretrained, whose weight shares the tensor instead), frozen (requiresGrad false) unless
   * `freeze` is false. A paddingIdx row keeps its given values (it gets no gradient).
   */
  static fromPretrained(embeddings: Tensor, opts: EmbeddingOptions & { freeze?: boolean } = {}): Embedding {
    const [[n, d], freeze, rest] = pretrainedSettings('nn.Embedding.fromPretrained', embeddings, opts, []);
    return new Embedding(n, d, { ...rest, _weight: embeddings }).requiresGrad_(!freeze);
  }

  forward(idx: Tensor): Tensor {
    checkTensor('nn.Embedding', 'input', idx);
    // torch.embedding_renorm_ of the rows idx names (no gradient recorded: the lookup's gradient then
    // reaches the rows as if they had always held these values, as PyTorch's)
    if (this.maxNorm !== null && idx.dtype === 'int32') embeddingRenorm_('nn.Embedding', this.weight, idx, this.maxNorm, this.normType);
    // PyTorch's padding_idx: the looked-up value stays, but its gradient does not reach the row
    return F.embedding(idx, this.weight, { paddingIdx: this.paddingIdx, scaleGradByFreq: this.scaleGradByFreq });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, padding_idx=${this.paddingIdx}`}${this.maxNorm === null ? '' : `, max_norm=${pyFloat(this.maxNorm)}`}${this.normType === 2 ? '' : `, norm_type=${pyFloat(this.normType)}`}${this.scaleGradByFreq ? ', scale_grad_by_freq=True' : ''}${this.sparse ? ', sparse=True' : ''}`;
  }
}

export interface EmbeddingBagModuleOptions extends EmbeddingOptions {
  /** How a bag's rows combine: 'mean' (default), 'sum' or 'max'. */
  mode?: EmbeddingBagMode;
  /** forward's offsets have one entry more than there are bags: the end of the last. */
  includeLastOffset?: boolean;
}

/**
 * PyTorch's nn.EmbeddingBag: sums, means or maxima of bags of rows of weight [numEmbeddings,
 * embeddingDim] (N(0, 1), the padding row 0) without building the [..., embeddingDim] lookups
 * (F.embeddingBag); forward(input, offsets?, perSampleWeights?) → [bags, embeddingDim]. State-dict
 * key `weight`, as PyTorch.
 */
export class EmbeddingBag extends EmbeddingTable {
  readonly mode: EmbeddingBagMode;
  readonly includeLastOffset: boolean;

  /** `_weight` (torch's): the weight's values instead of a random init (fromPretrained). */
  constructor(numEmbeddings: number, embeddingDim: number, opts?: EmbeddingBagModuleOptions & { _weight?: Tensor });
  constructor(...args: unknown[]) {
    const [numEmbeddings, embeddingDim, { _weight, ...opts } = {}] = forms.moduleArgs(forms.EmbeddingBag, args) as [
      number,
      number,
      EmbeddingBagModuleOptions & { _weight?: Tensor },
    ];
    super('EmbeddingBag', numEmbeddings, embeddingDim, opts, BAG_KEYS, _weight);
    [this.mode, this.includeLastOffset] = bagOptions('nn.EmbeddingBag', opts.mode ?? 'mean', opts.includeLastOffset ?? false, this.scaleGradByFreq);
  }

  /** An EmbeddingBag holding a copy of `embeddings`, frozen unless `freeze` is false (PyTorch's from_pretrained). */
  static fromPretrained(embeddings: Tensor, opts: EmbeddingBagModuleOptions & { freeze?: boolean } = {}): EmbeddingBag {
    const [[n, d], freeze, rest] = pretrainedSettings('nn.EmbeddingBag.fromPretrained', embeddings, opts, BAG_KEYS);
    return new EmbeddingBag(n, d, { ...rest, _weight: embeddings }).requiresGrad_(!freeze);
  }

  forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    const { maxNorm, normType, scaleGradByFreq, mode, includeLastOffset, paddingIdx } = this;
    return F.embeddingBag(input, this.weight, { offsets, perSampleWeights, maxNorm, normType, scaleGradByFreq, mode, includeLastOffset, paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.maxNorm === null ? '' : `, max_norm=${pyFloat(this.maxNorm)}`}${this.normType === 2 ? '' : `, norm_type=${pyFloat(this.normType)}`}${this.scaleGradByFreq ? ', scale_grad_by_freq=True' : ''}, mode=${this.mode}${this.paddingIdx === null ? '' : `, padding_idx=${this.paddingIdx}`}`;
  }
}
