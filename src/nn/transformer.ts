/**
 * nn.TransformerEncoderLayer and nn.TransformerDecoderLayer with PyTorch's submodules (self_attn,
 * multihead_attn, linear1, linear2, norm1…3, dropout…), defaults and forward (post-norm by
 * default, pre-norm with normFirst), so their state dicts load from PyTorch and back.
 */
import { checkOptions, checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import { MultiheadAttention } from './attention.js';
import { Linear } from './layers.js';
import { Module } from './module.js';
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
  for (const k of ['batchFirst', 'normFirst', 'bias'] as const)
    if (opts[k] !== undefined && typeof opts[k] !== 'boolean') throw new ValueError(fn, `${k} must be a boolean, got ${fmtValue(opts[k])}`);
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

  protected constructor(fn: string, dModel: number, nhead: number, o: Required<TransformerLayerOptions>, cross: boolean) {
    super();
    const attn = { dropout: o.dropout, bias: o.bias, batchFirst: o.batchFirst };
    this.selfAttn = this.registerModule('self_attn', new MultiheadAttention(dModel, nhead, attn));
    this.multiheadAttn = cross ? this.registerModule('multihead_attn', new MultiheadAttention(dModel, nhead, attn)) : null;
    this.linear1 = this.registerModule('linear1', new Linear(dModel, o.dimFeedforward, { bias: o.bias }));
    this.dropoutFF = this.registerModule('dropout', new Dropout(o.dropout));
    this.linear2 = this.registerModule('linear2', new Linear(o.dimFeedforward, dModel, { bias: o.bias }));
    this.normFirst = o.normFirst;
    const a = o.activation;
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

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    const o = layerOptions('nn.TransformerEncoderLayer', options);
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

/** Self-attention, attention over the encoder's memory, then feed-forward (PyTorch's TransformerDecoderLayer). */
export class TransformerDecoderLayer extends TransformerLayer<(tgt: Tensor, memory: Tensor, options?: DecoderLayerForwardOptions) => Tensor> {
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly norm3: LayerNorm;
  private readonly dropout1: Dropout;
  private readonly dropout2: Dropout;
  private readonly dropout3: Dropout;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    const o = layerOptions('nn.TransformerDecoderLayer', options);
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
    const o = checkOptions<DecoderLayerForwardOptions>(FN, options, [
      'tgtMask',
      'memoryMask',
      'tgtKeyPaddingMask',
      'memoryKeyPaddingMask',
      'tgtIsCausal',
      'memoryIsCausal',
    ]);
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
