/**
 * nn.TransformerEncoderLayer and nn.TransformerDecoderLayer with PyTorch's submodules (self_attn,
 * multihead_attn, linear1, linear2, norm1…3, dropout…), defaults and forward (post-norm by
 * default, pre-norm with normFirst), so their state dicts load from PyTorch and back.
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { isGradEnabled } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { causalMask } from '../api/attention.js';
import { checkIntAtLeast, fmtShape } from '../ops/types.js';
import * as F from '../api/functional.js';
import { arange } from '../api/creation.js';
import { MultiheadAttention } from './attention.js';
import { ModuleList } from './container.js';
import { xavierUniform_ } from './initializers.js';
import { Linear } from './layers.js';
import * as forms from './module-forms.js';
import { Module, type AnyModule } from './module.js';
import { LayerNorm } from './norm.js';
import { Dropout } from './simple.js';

export interface TransformerLayerOptions {
  /** Width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block (default 0.1). */
  dropout?: number;
  /** 'relu' (default), 'gelu' (the exact erf form), or a function x → Tensor. */
  activation?: 'relu' | 'gelu' | ((x: Tensor) => Tensor);
  layerNormEps?: number;
  /** Inputs [N, L, E] instead of [L, N, E] (default false). */
  batchFirst?: boolean;
  /** LayerNorm before each block (pre-norm) instead of after the residual add (default false). */
  normFirst?: boolean;
  /** Biases of the linear layers, attention projections and LayerNorms (default true). */
  bias?: boolean;
}

const OPTIONS = ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias'] as const;

/** The options with PyTorch's defaults, checked. */
function layerOptions(fn: string, o: TransformerLayerOptions): Required<TransformerLayerOptions> {
  const opts = checkOptions<TransformerLayerOptions>(fn, o, OPTIONS);
  const act = opts.activation ?? 'relu';
  if (act !== 'relu' && act !== 'gelu' && typeof act !== 'function')
    throw new ValueError(fn, `activation must be 'relu', 'gelu' or a function, got ${fmtValue(act)}`);
  for (const k of ['batchFirst', 'normFirst', 'bias'] as const) checkBool(fn, k, opts[k]);
  return {
    dimFeedforward: opts.dimFeedforward ?? 2048,
    dropout: opts.dropout ?? 0.1,
    activation: act,
    layerNormEps: opts.layerNormEps ?? 1e-5,
    batchFirst: opts.batchFirst ?? false,
    normFirst: opts.normFirst ?? false,
    bias: opts.bias ?? true,
  };
}

/** The layers' keyword form: `new TransformerEncoderLayer({ dModel, nhead, ...options })`. */
type LayerKeywords = TransformerLayerOptions & { dModel: number; nhead: number };

/** A layer's (dModel, nhead, options) from either form, checked. */
function layerArgs(name: 'TransformerEncoderLayer' | 'TransformerDecoderLayer', args: readonly unknown[]): [number, number, Required<TransformerLayerOptions>] {
  const fn = `nn.${name}`;
  const [dModel, nhead, options = {}] = forms.moduleArgs(forms[name], args) as [number, number, TransformerLayerOptions?];
  return [checkIntAtLeast(fn, 'dModel', dModel, 1), checkIntAtLeast(fn, 'nhead', nhead, 1), layerOptions(fn, options)];
}

/** The feed-forward block and norms both layers share; registration order is PyTorch's. */
abstract class TransformerLayer<Fw extends (...args: never[]) => Tensor> extends Module<Fw> {
  readonly selfAttn: MultiheadAttention;
  /** The decoder's attention over the encoder's memory (null in the encoder layer). */
  readonly multiheadAttn: MultiheadAttention | null;
  readonly linear1: Linear;
  readonly linear2: Linear;
  protected readonly dropoutFF: Dropout;
  readonly normFirst: boolean;
  private readonly act: (x: Tensor) => Tensor;
  /** The activation option: 'relu', 'gelu' or the function given. */
  readonly activation: 'relu' | 'gelu' | ((x: Tensor) => Tensor);
  /** The constructor's arguments, for the stacks' copies. */
  protected readonly config: { dModel: number; nhead: number; options: Required<TransformerLayerOptions> };

  protected constructor(fn: string, dModel: number, nhead: number, o: Required<TransformerLayerOptions>, cross: boolean) {
    super();
    this.config = { dModel, nhead, options: o };
    const attn = { dropout: o.dropout, bias: o.bias, batchFirst: o.batchFirst };
    this.selfAttn = this.registerModule('self_attn', new MultiheadAttention(dModel, nhead, attn));
    this.multiheadAttn = cross ? this.registerModule('multihead_attn', new MultiheadAttention(dModel, nhead, attn)) : null;
    this.linear1 = this.registerModule('linear1', new Linear(dModel, o.dimFeedforward, { bias: o.bias }));
    this.dropoutFF = this.registerModule('dropout', new Dropout(o.dropout));
    this.linear2 = this.registerModule('linear2', new Linear(o.dimFeedforward, dModel, { bias: o.bias }));
    this.normFirst = o.normFirst;
    const a = (this.activation = o.activation);
    this.act = a === 'relu' ? F.relu : a === 'gelu' ? (x) => F.gelu(x) : a;
    if (!Number.isInteger(o.dimFeedforward) || o.dimFeedforward < 1)
      throw new ValueError(fn, `dimFeedforward must be a positive integer, got ${fmtValue(o.dimFeedforward)}`);
  }

  protected norm(name: string, dModel: number, o: Required<TransformerLayerOptions>): LayerNorm {
    return this.registerModule(name, new LayerNorm(dModel, { eps: o.layerNormEps, bias: o.bias }));
  }

  /** linear2(dropout(activation(linear1(x)))), the block's own dropout applied by the caller. */
  protected feedForward(x: Tensor): Tensor {
    return this.linear2.forward(this.dropoutFF.forward(this.act(this.linear1.forward(x))));
  }

  /**
   * A copy with the same options, weights, buffers and mode: what PyTorch's stacks get from
   * copy.deepcopy(layer). A subclass with its own constructor signature must override it.
   */
  copy(): this {
    const { dModel, nhead, options } = this.config;
    const c = new (this.constructor as new (d: number, h: number, o: TransformerLayerOptions) => this)(dModel, nhead, options);
    c.loadStateDict(this.stateDict());
    return c.train(this.training);
  }

  /** x + block(norm(x)) with normFirst, else norm(x + block(x)). */
  protected residual(x: Tensor, norm: LayerNorm, block: (y: Tensor) => Tensor): Tensor {
    return this.normFirst ? x.add(block(norm.forward(x))) : norm.forward(x.add(block(x)));
  }
}

export interface EncoderLayerForwardOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

/** Self-attention then feed-forward, each with a residual and a LayerNorm (PyTorch's TransformerEncoderLayer). */
export class TransformerEncoderLayer extends TransformerLayer<(src: Tensor, options?: EncoderLayerForwardOptions) => Tensor> {
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  private readonly dropout1: Dropout;
  private readonly dropout2: Dropout;

  constructor(options: LayerKeywords);
  constructor(dModel: number, nhead: number, options?: TransformerLayerOptions);
  constructor(...args: unknown[]) {
    const [dModel, nhead, o] = layerArgs('TransformerEncoderLayer', args);
    super('nn.TransformerEncoderLayer', dModel, nhead, o, false);
    this.norm1 = this.norm('norm1', dModel, o);
    this.norm2 = this.norm('norm2', dModel, o);
    this.dropout1 = this.registerModule('dropout1', new Dropout(o.dropout));
    this.dropout2 = this.registerModule('dropout2', new Dropout(o.dropout));
  }

  forward(src: Tensor, options: EncoderLayerForwardOptions = {}): Tensor {
    checkTensor('nn.TransformerEncoderLayer', 'src', src);
    const o = checkOptions<EncoderLayerForwardOptions>('nn.TransformerEncoderLayer', options, ['srcMask', 'srcKeyPaddingMask', 'isCausal']);
    const sa = (x: Tensor) =>
      this.dropout1.forward(
        this.selfAttn.forward(x, x, x, { attnMask: o.srcMask, keyPaddingMask: o.srcKeyPaddingMask, isCausal: o.isCausal, needWeights: false })[0],
      );
    const x = this.residual(src, this.norm1, sa);
    return this.residual(x, this.norm2, (y) => this.dropout2.forward(this.feedForward(y)));
  }
}

export interface DecoderLayerForwardOptions {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  tgtIsCausal?: boolean;
  memoryIsCausal?: boolean;
}

const DECODER_FORWARD_OPTIONS = ['tgtMask', 'memoryMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'tgtIsCausal', 'memoryIsCausal'] as const;

/** Self-attention, attention over the encoder's memory, then feed-forward (PyTorch's TransformerDecoderLayer). */
export class TransformerDecoderLayer extends TransformerLayer<(tgt: Tensor, memory: Tensor, options?: DecoderLayerForwardOptions) => Tensor> {
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly norm3: LayerNorm;
  private readonly dropout1: Dropout;
  private readonly dropout2: Dropout;
  private readonly dropout3: Dropout;

  constructor(options: LayerKeywords);
  constructor(dModel: number, nhead: number, options?: TransformerLayerOptions);
  constructor(...args: unknown[]) {
    const [dModel, nhead, o] = layerArgs('TransformerDecoderLayer', args);
    super('nn.TransformerDecoderLayer', dModel, nhead, o, true);
    this.norm1 = this.norm('norm1', dModel, o);
    this.norm2 = this.norm('norm2', dModel, o);
    this.norm3 = this.norm('norm3', dModel, o);
    this.dropout1 = this.registerModule('dropout1', new Dropout(o.dropout));
    this.dropout2 = this.registerModule('dropout2', new Dropout(o.dropout));
    this.dropout3 = this.registerModule('dropout3', new Dropout(o.dropout));
  }

  forward(tgt: Tensor, memory: Tensor, options: DecoderLayerForwardOptions = {}): Tensor {
    const FN = 'nn.TransformerDecoderLayer';
    checkTensor(FN, 'tgt', tgt);
    checkTensor(FN, 'memory', memory);
    const o = checkOptions<DecoderLayerForwardOptions>(FN, options, DECODER_FORWARD_OPTIONS);
    const sa = (x: Tensor) =>
      this.dropout1.forward(
        this.selfAttn.forward(x, x, x, { attnMask: o.tgtMask, keyPaddingMask: o.tgtKeyPaddingMask, isCausal: o.tgtIsCausal, needWeights: false })[0],
      );
    const mha = (x: Tensor) =>
      this.dropout2.forward(
        this.multiheadAttn!.forward(x, memory, memory, {
          attnMask: o.memoryMask,
          keyPaddingMask: o.memoryKeyPaddingMask,
          isCausal: o.memoryIsCausal,
          needWeights: false,
        })[0],
      );
    let x = this.residual(tgt, this.norm1, sa);
    x = this.residual(x, this.norm2, mha);
    return this.residual(x, this.norm3, (y) => this.dropout3.forward(this.feedForward(y)));
  }
}

/** numLayers copies of `layer` under `layers.0…` (PyTorch's _get_clones: every copy starts with the layer's weights). */
function clones<L extends AnyModule & { copy(): L }>(fn: string, layer: unknown, cls: abstract new (...a: never[]) => L, numLayers: number): ModuleList<L> {
  if (!(layer instanceof cls)) throw new ValueError(fn, `expects a ${cls.name} to copy, got ${fmtValue(layer)}`);
  if (!Number.isInteger(numLayers) || numLayers < 1) throw new ValueError(fn, `numLayers must be a positive integer, got ${fmtValue(numLayers)}`);
  return new ModuleList(Array.from({ length: numLayers }, () => layer.copy()));
}

function optionalNorm(fn: string, norm: unknown): LayerNorm | null {
  if (norm === undefined || norm === null) return null;
  if (!(norm instanceof Module)) throw new ValueError(fn, `norm must be a Module (e.g. nn.LayerNorm) or null, got ${fmtValue(norm)}`);
  return norm as LayerNorm;
}

export interface EncoderForwardOptions {
  /** The attention mask of every layer (srcMask of TransformerEncoderLayer). */
  mask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

export interface TransformerEncoderOptions {
  /** A final LayerNorm (or module) after the layers (default none). */
  norm?: LayerNorm | Module | null;
  /**
   * PyTorch's nested-tensor inference path (default true, as PyTorch 1.13): in eval mode without
   * gradients, with a srcKeyPaddingMask and batchFirst, PyTorch drops the padded positions and
   * returns zeros there (before the final norm). Its results, those zeros included, are reproduced;
   * false computes every position, as PyTorch's other paths do.
   */
  enableNestedTensor?: boolean;
  /** With enableNestedTensor: take that path only when each row's padding is at its end (default true, as PyTorch). */
  maskCheck?: boolean;
}

/** A stack of encoder layers and an optional final norm (PyTorch's TransformerEncoder; state-dict keys layers.0…, norm). */
export class TransformerEncoder extends Module<(src: Tensor, options?: EncoderForwardOptions) => Tensor> {
  readonly layers: ModuleList<TransformerEncoderLayer>;
  readonly norm: LayerNorm | null;
  readonly numLayers: number;
  readonly enableNestedTensor: boolean;
  readonly maskCheck: boolean;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, options: TransformerEncoderOptions = {}) {
    super();
    const FN = 'nn.TransformerEncoder';
    const o = checkOptions<TransformerEncoderOptions>(FN, options, ['norm', 'enableNestedTensor', 'maskCheck']);
    checkBool(FN, 'enableNestedTensor', o.enableNestedTensor);
    checkBool(FN, 'maskCheck', o.maskCheck);
    this.layers = this.registerModule('layers', clones(FN, encoderLayer, TransformerEncoderLayer, numLayers));
    this.numLayers = numLayers;
    const n = optionalNorm(FN, o.norm);
    this.norm = n && this.registerModule('norm', n);
    this.enableNestedTensor = o.enableNestedTensor ?? true;
    this.maskCheck = o.maskCheck ?? true;
  }

  forward(src: Tensor, options: EncoderForwardOptions = {}): Tensor {
    const o = checkOptions<EncoderForwardOptions>('nn.TransformerEncoder', options, ['mask', 'srcKeyPaddingMask', 'isCausal']);
    const nested = o.srcKeyPaddingMask && this.nestedPath(src, o) ? this.nestedMasks(o.srcKeyPaddingMask) : null;
    const srcKeyPaddingMask = nested ? nested.layers : o.srcKeyPaddingMask;
    let x = src;
    for (const layer of this.layers) x = layer.forward(x, { srcMask: o.mask, srcKeyPaddingMask, isCausal: o.isCausal });
    if (nested) x = F.where(F.unsqueeze(nested.dropped, -1), 0, x);
    return this.norm ? this.norm.forward(x) : x;
  }

  /** PyTorch 1.13's conditions for its nested-tensor path (TransformerEncoder.forward), all but the mask's alignment. */
  private nestedPath(src: Tensor, o: EncoderForwardOptions): boolean {
    const first = this.layers.at(0);
    return (
      this.enableNestedTensor &&
      Object.getPrototypeOf(first) === TransformerEncoderLayer.prototype &&
      !first.normFirst &&
      !first.training &&
      first.selfAttn.batchFirst &&
      (first.activation === 'relu' || first.activation === 'gelu') &&
      src.ndim === 3 &&
      !o.mask &&
      !o.isCausal &&
      first.selfAttn.numHeads % 2 === 0 &&
      !(isGradEnabled() && [src, ...first.parameters()].some((t) => t.requiresGrad))
    );
  }

  /**
   * PyTorch's nested tensor from mask [N, S] (nonzero = padding), as masks: row n keeps its first
   * kₙ positions, kₙ its count of kept ones, and drops the rest (zeros in the output). With
   * maskCheck PyTorch takes this path only when every row's padding is at its end, else its dense
   * path with the mask as given: here the choice is an op on the data (`aligned`), so nothing is
   * read in JavaScript and it also runs inside wg.compile. Returns the layers' padding mask and the
   * positions to zero.
   */
  private nestedMasks(mask: Tensor): { layers: Tensor; dropped: Tensor } {
    const S = mask.shape[mask.ndim - 1];
    const kept = F.eq(mask, 0);
    const left = F.ge(F.unsqueeze(arange(S, { dtype: 'int32' }), 0), F.sum(kept, -1, true)); // 1 past the first kₙ
    if (!this.maskCheck) return { layers: left.int(), dropped: left };
    const aligned = F.all(F.eq(left, F.sub(1, kept)));
    const asMask = mask.dtype === 'int32' ? left.int() : F.where(left, -Infinity, 0);
    return { layers: F.where(aligned, asMask, mask), dropped: F.mul(left, aligned) };
  }
}

/** A stack of decoder layers and an optional final norm (PyTorch's TransformerDecoder). */
export class TransformerDecoder extends Module<(tgt: Tensor, memory: Tensor, options?: DecoderLayerForwardOptions) => Tensor> {
  readonly layers: ModuleList<TransformerDecoderLayer>;
  readonly norm: LayerNorm | null;
  readonly numLayers: number;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, options: { norm?: LayerNorm | Module | null } = {}) {
    super();
    const FN = 'nn.TransformerDecoder';
    const { norm } = checkOptions<{ norm?: LayerNorm | Module | null }>(FN, options, ['norm']);
    this.layers = this.registerModule('layers', clones(FN, decoderLayer, TransformerDecoderLayer, numLayers));
    this.numLayers = numLayers;
    const n = optionalNorm(FN, norm);
    this.norm = n && this.registerModule('norm', n);
  }

  forward(tgt: Tensor, memory: Tensor, options: DecoderLayerForwardOptions = {}): Tensor {
    const o = checkOptions<DecoderLayerForwardOptions>('nn.TransformerDecoder', options, DECODER_FORWARD_OPTIONS);
    let x = tgt;
    for (const layer of this.layers) x = layer.forward(x, memory, o);
    return this.norm ? this.norm.forward(x) : x;
  }
}

export interface TransformerOptions extends TransformerLayerOptions {
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  /** Used instead of the default encoder stack (PyTorch's custom_encoder). */
  customEncoder?: Module<(src: Tensor, options?: EncoderForwardOptions) => Tensor> | null;
  customDecoder?: Module<(tgt: Tensor, memory: Tensor, options?: DecoderLayerForwardOptions) => Tensor> | null;
}

export interface TransformerForwardOptions {
  srcMask?: Tensor | null;
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  srcIsCausal?: boolean;
  tgtIsCausal?: boolean;
  memoryIsCausal?: boolean;
}

/**
 * PyTorch's nn.Transformer: an encoder stack with a final LayerNorm, a decoder stack with a final
 * LayerNorm (keys encoder.layers.0…, encoder.norm, decoder.…), every parameter of rank > 1
 * re-initialised with xavierUniform_ as PyTorch's _reset_parameters does.
 */
export class Transformer extends Module<(src: Tensor, tgt: Tensor, options?: TransformerForwardOptions) => Tensor> {
  readonly encoder: Module<(src: Tensor, options?: EncoderForwardOptions) => Tensor>;
  readonly decoder: Module<(tgt: Tensor, memory: Tensor, options?: DecoderLayerForwardOptions) => Tensor>;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  constructor(options: TransformerOptions & { dModel?: number; nhead?: number });
  constructor(dModel?: number, nhead?: number, options?: TransformerOptions);
  constructor(...args: unknown[]) {
    super();
    const FN = 'nn.Transformer';
    const [dModel = 512, nhead = 8, options = {}] = forms.moduleArgs(forms.Transformer, args) as [number?, number?, TransformerOptions?];
    const {
      numEncoderLayers = 6,
      numDecoderLayers = 6,
      customEncoder,
      customDecoder,
      ...rest
    } = checkOptions<TransformerOptions>(FN, options, [...OPTIONS, 'numEncoderLayers', 'numDecoderLayers', 'customEncoder', 'customDecoder']);
    const o = layerOptions(FN, rest);
    const norm = () => new LayerNorm(dModel, { eps: o.layerNormEps, bias: o.bias });
    this.encoder = this.registerModule(
      'encoder',
      customEncoder ?? new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, o), numEncoderLayers, { norm: norm() }),
    );
    this.decoder = this.registerModule(
      'decoder',
      customDecoder ?? new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, o), numDecoderLayers, { norm: norm() }),
    );
    for (const p of this.parameters()) if (p.shape.length > 1) xavierUniform_(p);
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = o.batchFirst;
  }

  forward(src: Tensor, tgt: Tensor, options: TransformerForwardOptions = {}): Tensor {
    const FN = 'nn.Transformer';
    checkTensor(FN, 'src', src);
    checkTensor(FN, 'tgt', tgt);
    const o = checkOptions<TransformerForwardOptions>(FN, options, [
      'srcMask',
      'tgtMask',
      'memoryMask',
      'srcKeyPaddingMask',
      'tgtKeyPaddingMask',
      'memoryKeyPaddingMask',
      'srcIsCausal',
      'tgtIsCausal',
      'memoryIsCausal',
    ]);
    const batched = src.shape.length === 3;
    if (batched !== (tgt.shape.length === 3) || src.shape.length < 2 || src.shape.length > 3)
      throw new ShapeError(
        FN,
        `src and tgt must both be [L, N, E] (or [N, L, E] with batchFirst) or both unbatched [L, E], got ${fmtShape(src.shape)} and ${fmtShape(tgt.shape)}`,
      );
    const nAxis = this.batchFirst ? 0 : 1;
    if (batched && src.shape[nAxis] !== tgt.shape[nAxis])
      throw new ShapeError(FN, `the batch sizes of src ${fmtShape(src.shape)} and tgt ${fmtShape(tgt.shape)} must be equal`);
    if (src.shape.at(-1) !== this.dModel || tgt.shape.at(-1) !== this.dModel)
      throw new ShapeError(FN, `the feature size of src ${fmtShape(src.shape)} and tgt ${fmtShape(tgt.shape)} must be dModel = ${this.dModel}`);
    const memory = this.encoder.forward(src, { mask: o.srcMask, srcKeyPaddingMask: o.srcKeyPaddingMask, isCausal: o.srcIsCausal });
    return this.decoder.forward(tgt, memory, {
      tgtMask: o.tgtMask,
      memoryMask: o.memoryMask,
      tgtKeyPaddingMask: o.tgtKeyPaddingMask,
      memoryKeyPaddingMask: o.memoryKeyPaddingMask,
      tgtIsCausal: o.tgtIsCausal,
      memoryIsCausal: o.memoryIsCausal,
    });
  }

  /** The additive causal mask [sz, sz]: 0 on and below the diagonal, −∞ above (PyTorch's generate_square_subsequent_mask). */
  static generateSquareSubsequentMask(sz: number): Tensor {
    checkIntAtLeast('nn.Transformer.generateSquareSubsequentMask', 'sz', sz, 0);
    return causalMask(sz, sz);
  }
}
