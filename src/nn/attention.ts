/**
 * nn.MultiheadAttention with PyTorch's parameters, state-dict keys (`in_proj_weight`,
 * `in_proj_bias`, `out_proj.weight`, `out_proj.bias`; `q_proj_weight`, `k_proj_weight`,
 * `v_proj_weight` when kdim/vdim differ from embedDim; `bias_k`, `bias_v` with addBiasKv), initialisation and forward
 * (F.multi_head_attention_forward of PyTorch 1.13/2.0, ./mha-forward.ts), so weights move both ways.
 */
import { checkBool, checkOptions } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { constantParameter, uniformParameter } from './init.js';
import { xavierNormal_, zeros_ } from './initializers.js';
import { Linear } from './layers.js';
import * as forms from './module-forms.js';
import { Module } from './module.js';
import { attend, type AttentionParameters, type MultiheadAttentionForwardOptions } from './mha-forward.js';

export type { MultiheadAttentionForwardOptions };

export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights in training mode (default 0). */
  dropout?: number;
  /** Biases of the input and output projections (default true). */
  bias?: boolean;
  /** Inputs and output are [N, L, E] instead of [L, N, E] (default false). */
  batchFirst?: boolean;
  /** Feature sizes of key and value (default embedDim). */
  kdim?: number;
  vdim?: number;
  /** Learned biases bias_k, bias_v [1, 1, E] appended to the projected keys and values as one more key (default false). */
  addBiasKv?: boolean;
  /** A zero key and value appended per head after the projections (and the biases), as one more key (default false). */
  addZeroAttn?: boolean;
}

type MhaForward = (query: Tensor, key: Tensor, value: Tensor, options?: MultiheadAttentionForwardOptions) => [Tensor, Tensor | null];

/** Xavier-uniform bound √(6/(fanIn + fanOut)) of a [rows, cols] weight. */
const xavierBound = (rows: number, cols: number) => Math.sqrt(6 / (rows + cols));

/** PyTorch's class of `out_proj`: a Linear under another name, which is what torch prints. */
class NonDynamicallyQuantizableLinear extends Linear {}

export class MultiheadAttention extends Module<MhaForward> implements AttentionParameters {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  /** [3E, E] packed q, k, v projections (null when kdim or vdim differ from embedDim). */
  readonly inProjWeight: Tensor | null;
  readonly qProjWeight: Tensor | null;
  readonly kProjWeight: Tensor | null;
  readonly vProjWeight: Tensor | null;
  /** [3E] packed biases (null without bias). */
  readonly inProjBias: Tensor | null;
  readonly outProj: Linear;
  /** [1, 1, E] each, appended to the keys and values (null without addBiasKv). */
  readonly biasK: Tensor | null;
  readonly biasV: Tensor | null;
  readonly addZeroAttn: boolean;

  constructor(options: MultiheadAttentionOptions & { embedDim: number; numHeads: number });
  constructor(embedDim: number, numHeads: number, options?: MultiheadAttentionOptions);
  constructor(...args: unknown[]) {
    super();
    const FN = 'nn.MultiheadAttention';
    const [embedDim, numHeads, options = {}] = forms.moduleArgs(forms.MultiheadAttention, args) as [number, number, MultiheadAttentionOptions?];
    const o = checkOptions<MultiheadAttentionOptions>(FN, options, ['dropout', 'bias', 'batchFirst', 'kdim', 'vdim', 'addBiasKv', 'addZeroAttn']);
    const size = (what: string, v: unknown): number => {
      if (!Number.isInteger(v) || (v as number) < 1) throw new ValueError(FN, `${what} must be a positive integer, got ${fmtValue(v)}`);
      return v as number;
    };
    this.embedDim = size('embedDim', embedDim);
    this.numHeads = size('numHeads', numHeads);
    if (embedDim % numHeads !== 0) throw new ValueError(FN, `embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.kdim = size('kdim', o.kdim ?? embedDim);
    this.vdim = size('vdim', o.vdim ?? embedDim);
    const p = o.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ValueError(FN, `dropout must be a probability in [0, 1), got ${fmtValue(o.dropout)}`);
    this.dropout = p;
    for (const k of ['bias', 'batchFirst', 'addBiasKv', 'addZeroAttn'] as const) checkBool(FN, k, o[k]);
    this.batchFirst = o.batchFirst ?? false;
    const E = embedDim;
    // PyTorch's _reset_parameters: xavier_uniform_ on the projections, zero biases; out_proj's
    // weight keeps Linear's default init. Registration order gives PyTorch's state-dict order.
    if (this.kdim === E && this.vdim === E) {
      this.inProjWeight = this.registerParameter('in_proj_weight', uniformParameter(FN, [3 * E, E], xavierBound(3 * E, E)));
      this.qProjWeight = this.kProjWeight = this.vProjWeight = null;
    } else {
      this.inProjWeight = null;
      this.qProjWeight = this.registerParameter('q_proj_weight', uniformParameter(FN, [E, E], xavierBound(E, E)));
      this.kProjWeight = this.registerParameter('k_proj_weight', uniformParameter(FN, [E, this.kdim], xavierBound(E, this.kdim)));
      this.vProjWeight = this.registerParameter('v_proj_weight', uniformParameter(FN, [E, this.vdim], xavierBound(E, this.vdim)));
    }
    const bias = o.bias ?? true;
    this.inProjBias = bias ? this.registerParameter('in_proj_bias', constantParameter(FN, [3 * E], 0)) : null;
    this.outProj = this.registerModule('out_proj', new NonDynamicallyQuantizableLinear(E, E, { bias }));
    if (this.outProj.bias !== null) zeros_(this.outProj.bias);
    // after out_proj, as PyTorch registers them; xavier_normal_ as its _reset_parameters
    const kvBias = (name: string) => this.registerParameter(name, xavierNormal_(constantParameter(FN, [1, 1, E], 0)));
    [this.biasK, this.biasV] = o.addBiasKv ? [kvBias('bias_k'), kvBias('bias_v')] : [null, null];
    this.addZeroAttn = o.addZeroAttn ?? false;
  }

  /**
   * Attention of query [L, N, E] over key [S, N, kdim] and value [S, N, vdim] ([N, L, E] … with
   * batchFirst; unbatched [L, E] … too) → [out, weights]: out like query, weights [N, L, S]
   * (averaged over heads), [N, heads, L, S], or null with needWeights false. As torch's, out_proj
   * enters through its weight and bias (F.multiHeadAttentionForward), not its forward.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const o = checkOptions<MultiheadAttentionForwardOptions>('nn.MultiheadAttention', options, [
      'keyPaddingMask',
      'needWeights',
      'attnMask',
      'averageAttnWeights',
      'isCausal',
    ]);
    return attend('nn.MultiheadAttention', this, query, key, value, o);
  }
}
