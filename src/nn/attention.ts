/**
 * nn.MultiheadAttention with PyTorch's parameters, state-dict keys (`in_proj_weight`,
 * `in_proj_bias`, `out_proj.weight`, `out_proj.bias`; `q_proj_weight`, `k_proj_weight`,
 * `v_proj_weight` when kdim/vdim differ from embedDim; `bias_k`, `bias_v` with addBiasKv), initialisation and forward
 * (F.multi_head_attention_forward of PyTorch 1.13/2.0), so weights move both ways.
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import { additiveMask, causalMask, fusedAttention } from '../api/attention.js';
import { zeros } from '../api/creation.js';
import { fmtShape } from '../ops/types.js';
import { constantParameter, uniformParameter } from './init.js';
import { xavierNormal_, zeros_ } from './initializers.js';
import { Linear } from './layers.js';
import * as forms from './module-forms.js';
import { Module } from './module.js';

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

export interface MultiheadAttentionForwardOptions {
  /** [N, S]: float (added to the scores) or int32, nonzero = padding (ignored key), as PyTorch's bool mask. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true): [N, L, S] averaged over heads, or [N, heads, L, S]. */
  needWeights?: boolean;
  /** [L, S] or [N·heads, L, S]: float (added) or int32, nonzero = not allowed, as PyTorch's bool mask. */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads (default true). */
  averageAttnWeights?: boolean;
  /** A hint that attnMask is causal (PyTorch ≥ 2.0); without attnMask, the causal mask is built here. */
  isCausal?: boolean;
}

type MhaForward = (query: Tensor, key: Tensor, value: Tensor, options?: MultiheadAttentionForwardOptions) => [Tensor, Tensor | null];

/** Xavier-uniform bound √(6/(fanIn + fanOut)) of a [rows, cols] weight. */
const xavierBound = (rows: number, cols: number) => Math.sqrt(6 / (rows + cols));

/** PyTorch's class of `out_proj`: a Linear under another name, which is what torch prints. */
class NonDynamicallyQuantizableLinear extends Linear {}

export class MultiheadAttention extends Module<MhaForward> {
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

  /** The projection weights and biases of q, k and v (slices of the packed ones when packed). */
  private projections(): [Tensor, Tensor | null][] {
    const E = this.embedDim;
    const w = this.inProjWeight;
    const ws = w !== null ? [0, 1, 2].map((i) => w.slice(0, i * E, (i + 1) * E)) : [this.qProjWeight!, this.kProjWeight!, this.vProjWeight!];
    const b = this.inProjBias;
    return ws.map((wi, i) => [wi, b === null ? null : b.slice(0, i * E, (i + 1) * E)]);
  }

  /**
   * Attention of query [L, N, E] over key [S, N, kdim] and value [S, N, vdim] ([N, L, E] … with
   * batchFirst; unbatched [L, E] … too) → [out, weights]: out like query, weights [N, L, S]
   * (averaged over heads), [N, heads, L, S], or null with needWeights false.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const FN = 'nn.MultiheadAttention';
    checkTensor(FN, 'query', query);
    checkTensor(FN, 'key', key);
    checkTensor(FN, 'value', value);
    const o = checkOptions<MultiheadAttentionForwardOptions>(FN, options, ['keyPaddingMask', 'needWeights', 'attnMask', 'averageAttnWeights', 'isCausal']);
    const batched = query.ndim === 3;
    if (!(query.ndim === 2 || batched) || key.ndim !== query.ndim || value.ndim !== query.ndim)
      throw new ShapeError(
        FN,
        `query, key and value must all be 3-D (batched) or 2-D (unbatched), got ${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)}`,
      );
    // [len, N, C] of each (the layout is read from the shapes: a transpose would be a copy)
    const dims = (t: Tensor) => (!batched ? [t.shape[0], 1, t.shape[1]] : this.batchFirst ? [t.shape[1], t.shape[0], t.shape[2]] : [...t.shape]);
    const [L, N, E] = dims(query),
      [S, Nk, Ck] = dims(key),
      [Sv, Nv, Cv] = dims(value);
    if (E !== this.embedDim || Ck !== this.kdim || Cv !== this.vdim || Nk !== N || Nv !== N || Sv !== S)
      throw new ShapeError(
        FN,
        `expects query [L, N, ${this.embedDim}], key [S, N, ${this.kdim}], value [S, N, ${this.vdim}]${this.batchFirst ? ' (batchFirst: N first)' : ''}, got ${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)}`,
      );
    const H = this.numHeads,
      hd = this.headDim;
    let mask: Tensor | null = null;
    const attnMask = o.attnMask ?? null,
      keyPaddingMask = o.keyPaddingMask ?? null;
    // Without returned or dropped weights the fused op runs (the causal mask alone in its kernel).
    const extraKeys = (this.biasK === null ? 0 : 1) + (this.addZeroAttn ? 1 : 0);
    const fused = o.needWeights === false && !(this.dropout > 0 && this.training) && extraKeys === 0;
    const causalOnly = fused && attnMask === null && keyPaddingMask === null && o.isCausal === true;
    if (attnMask !== null) {
      const m = additiveMask(FN, 'attnMask', attnMask, false);
      const ok = (m.ndim === 2 && m.shape[0] === L && m.shape[1] === S) || (m.ndim === 3 && m.shape[0] === N * H && m.shape[1] === L && m.shape[2] === S);
      if (!ok) throw new ShapeError(FN, `attnMask must be [${L}, ${S}] or [${N * H}, ${L}, ${S}] (N·heads, L, S), got ${fmtShape(m.shape)}`);
      mask = m;
    } else if (o.isCausal && !causalOnly) mask = causalMask(L, S);
    if (keyPaddingMask !== null) {
      const kpm = additiveMask(FN, 'keyPaddingMask', keyPaddingMask, false);
      const want = batched ? [N, S] : [S];
      if (kpm.ndim !== want.length || kpm.shape.some((d, i) => d !== want[i]))
        throw new ShapeError(FN, `keyPaddingMask must be ${fmtShape(want)}, got ${fmtShape(kpm.shape)}`);
      // [N, S] → [N·H, 1, S]: each sample's mask repeated for its heads
      const perHead = kpm
        .reshape([N, 1, 1, S])
        .expand([N, H, 1, S])
        .reshape([N * H, 1, S]);
      mask = mask === null ? perHead : mask.add(perHead);
    }
    if (fused) return [this.fusedForward(query, key, value, batched, mask, causalOnly), null];
    // bias_k/bias_v and the zero attention are keys no mask names: PyTorch pads the masks with 0 (kept)
    if (mask !== null && extraKeys > 0) mask = F.pad(mask, [0, extraKeys]);
    const Sk = S + extraKeys;
    // The weights are returned or dropped: composed from matmul and softmax over [N·H, len, hd].
    const seqFirst = (t: Tensor) => (!batched ? t.reshape([t.shape[0], 1, t.shape[1]]) : this.batchFirst ? t.transpose(0, 1) : t); // to [len, N, ·]
    const [[wq, bq], [wk, bk], [wv, bv]] = this.projections();
    // [len, N, E] → [N·H, len, hd]
    const heads = (t: Tensor, len: number) => t.reshape([len, N * H, hd]).transpose(0, 1);
    // [S, N, E], then bias_k/bias_v [1, N, E] as key S + 1 and, per head, zeros as the last key
    const withBias = (t: Tensor, b: Tensor | null) => (b === null ? t : F.cat([t, b.expand([1, N, E])], 0));
    const withZero = (t: Tensor) => (this.addZeroAttn ? F.cat([t, zeros([N * H, 1, hd])], 1) : t);
    const q = heads(F.linear(seqFirst(query), wq, bq), L),
      k = withZero(heads(withBias(F.linear(seqFirst(key), wk, bk), this.biasK), Sk - (this.addZeroAttn ? 1 : 0))),
      v = withZero(heads(withBias(F.linear(seqFirst(value), wv, bv), this.biasV), Sk - (this.addZeroAttn ? 1 : 0)));
    // PyTorch scales q before the product: q/√hd · kᵀ (+ mask)
    let scores = F.matmul(q.mul(1 / Math.sqrt(hd)), k, { transposeB: true });
    if (mask !== null) scores = scores.add(mask);
    let weights = F.softmax(scores, -1);
    if (this.dropout > 0 && this.training) weights = F.dropout(weights, this.dropout, true);
    const ctx = F.matmul(weights, v);
    const attn = ctx.transpose(0, 1).reshape([L * N, E]); // [N·H, L, hd] → [L, N·H, hd] → [L·N, E]
    let out = this.outProj.forward(attn).reshape([L, N, E]);
    out = !batched ? out.reshape([L, E]) : this.batchFirst ? out.transpose(0, 1) : out;
    if (o.needWeights === false) return [out, null];
    let w = weights.reshape([N, H, L, Sk]);
    if (o.averageAttnWeights ?? true) w = F.mean(w, 1);
    return [out, batched ? w : w.reshape(w.shape.slice(1))];
  }

  /**
   * The fused path: the projections run on the inputs' own layout ([N, len, ·] or [len, N, ·];
   * unbatched as [1, len, ·]) and the attention op reads the heads where they land, writing its
   * output in the query's layout for out_proj, so no head is copied out or back. Self-attention
   * (one tensor as query, key and value) with packed weights projects once, to [·, ·, 3E].
   */
  private fusedForward(query: Tensor, key: Tensor, value: Tensor, batched: boolean, mask: Tensor | null, causal: boolean): Tensor {
    const E = this.embedDim;
    const asBatch = (t: Tensor) => (batched ? t : t.reshape([1, ...t.shape]));
    let q: Tensor, k: Tensor, v: Tensor, offsets: [number, number, number];
    if (this.inProjWeight !== null && query === key && key === value) {
      q = k = v = F.linear(asBatch(query), this.inProjWeight, this.inProjBias);
      offsets = [0, E, 2 * E];
    } else {
      const [[wq, bq], [wk, bk], [wv, bv]] = this.projections();
      [q, k, v] = [F.linear(asBatch(query), wq, bq), F.linear(asBatch(key), wk, bk), F.linear(asBatch(value), wv, bv)];
      offsets = [0, 0, 0];
    }
    const heads = { count: this.numHeads, dim: this.headDim, batchFirst: !batched || this.batchFirst, offsets };
    const out = this.outProj.forward(fusedAttention(q, k, v, mask, 1 / Math.sqrt(this.headDim), causal, heads));
    return batched ? out : out.reshape(out.shape.slice(1));
  }
}
