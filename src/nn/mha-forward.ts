/**
 * Multi-head attention as torch 1.13's F.multi_head_attention_forward: the computation behind
 * nn.MultiheadAttention (which passes its own parameters) and, under torch's name and positional
 * arguments, F.multiHeadAttentionForward. Scores are q/√hd · kᵀ (+ masks), softmax over the keys,
 * dropout in training, then the weighted values through the output projection.
 */
import { checkTensor, isRecord, checkOptions } from '../engine/check.js';
import { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import { additiveMask, causalMask, fusedAttention } from '../api/attention.js';
import { zeros } from '../api/creation.js';
import { fmtShape } from '../ops/types.js';

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

/**
 * What the attention reads: nn.MultiheadAttention's fields (it passes itself), or
 * F.multiHeadAttentionForward's arguments. Declared here, not picked from the class, so that this
 * module does not import the one that imports it; the class `implements` it, so the two agree.
 */
export interface AttentionParameters {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly training: boolean;
  readonly batchFirst: boolean;
  readonly inProjWeight: Tensor | null;
  readonly qProjWeight: Tensor | null;
  readonly kProjWeight: Tensor | null;
  readonly vProjWeight: Tensor | null;
  readonly inProjBias: Tensor | null;
  readonly biasK: Tensor | null;
  readonly biasV: Tensor | null;
  readonly addZeroAttn: boolean;
  readonly outProj: { readonly weight: Tensor; readonly bias: Tensor | null };
  /** torch's static_k / static_v: [N·heads, S, hd] keys and values used in place of the projected ones. */
  readonly staticK?: Tensor | null;
  readonly staticV?: Tensor | null;
}

/** The projection weights and biases of q, k and v (slices of the packed ones when packed). */
function projections(p: AttentionParameters): [Tensor, Tensor | null][] {
  const E = p.embedDim;
  const w = p.inProjWeight;
  const ws = w !== null ? [0, 1, 2].map((i) => w.slice(0, i * E, (i + 1) * E)) : [p.qProjWeight!, p.kProjWeight!, p.vProjWeight!];
  const b = p.inProjBias;
  return ws.map((wi, i) => [wi, b === null ? null : b.slice(0, i * E, (i + 1) * E)]);
}

/**
 * Attention of query [L, N, E] over key [S, N, kdim] and value [S, N, vdim] ([N, L, E] … with
 * batchFirst; unbatched [L, E] … too) → [out, weights]: out like query, weights [N, L, S]
 * (averaged over heads), [N, heads, L, S], or null with needWeights false. `o` is checked.
 */
export function attend(
  FN: string,
  p: AttentionParameters,
  query: Tensor,
  key: Tensor,
  value: Tensor,
  o: MultiheadAttentionForwardOptions,
): [Tensor, Tensor | null] {
  checkTensor(FN, 'query', query);
  checkTensor(FN, 'key', key);
  checkTensor(FN, 'value', value);
  const batched = query.ndim === 3;
  if (!(query.ndim === 2 || batched) || key.ndim !== query.ndim || value.ndim !== query.ndim)
    throw new ShapeError(
      FN,
      `query, key and value must all be 3-D (batched) or 2-D (unbatched), got ${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)}`,
    );
  // [len, N, C] of each (the layout is read from the shapes: a transpose would be a copy)
  const dims = (t: Tensor) => (!batched ? [t.shape[0], 1, t.shape[1]] : p.batchFirst ? [t.shape[1], t.shape[0], t.shape[2]] : [...t.shape]);
  const [L, N, E] = dims(query),
    [S0, Nk, Ck] = dims(key),
    [Sv, Nv, Cv] = dims(value);
  if (E !== p.embedDim || Ck !== p.kdim || Cv !== p.vdim || Nk !== N || Nv !== N || Sv !== S0)
    throw new ShapeError(
      FN,
      `expects query [L, N, ${p.embedDim}], key [S, N, ${p.kdim}], value [S, N, ${p.vdim}]${p.batchFirst ? ' (batchFirst: N first)' : ''}, got ${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)}`,
    );
  const H = p.numHeads,
    hd = E / H;
  const staticK = p.staticK ?? null,
    staticV = p.staticV ?? null;
  for (const [name, t] of [
    ['staticK', staticK],
    ['staticV', staticV],
  ] as const)
    if (t !== null && (checkTensor(FN, name, t), t.ndim !== 3 || t.shape[0] !== N * H || t.shape[2] !== hd))
      throw new ShapeError(FN, `${name} must be [${N * H}, S, ${hd}] (N·heads, S, head dim), got ${fmtShape(t.shape)}`);
  if ((staticK !== null || staticV !== null) && p.biasK !== null)
    throw new ValueError(FN, 'staticK and staticV cannot be used with biasK and biasV (as torch)');
  // a static key sets the key count (torch checks only its batch and head dims)
  const S = staticK !== null ? staticK.shape[1] : S0;
  if (staticV !== null && staticV.shape[1] !== S) throw new ShapeError(FN, `staticV must have the ${S} keys of the keys, got ${fmtShape(staticV.shape)}`);
  let mask: Tensor | null = null;
  const attnMask = o.attnMask ?? null,
    keyPaddingMask = o.keyPaddingMask ?? null;
  // Without returned or dropped weights the fused op runs (the causal mask alone in its kernel).
  const extraKeys = (p.biasK === null ? 0 : 1) + (p.addZeroAttn ? 1 : 0);
  const dropping = p.dropout > 0 && p.training;
  const fused = o.needWeights === false && !dropping && extraKeys === 0 && staticK === null && staticV === null;
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
  if (fused) return [fusedForward(p, query, key, value, batched, mask, causalOnly), null];
  // bias_k/bias_v and the zero attention are keys no mask names: PyTorch pads the masks with 0 (kept)
  if (mask !== null && extraKeys > 0) mask = F.pad(mask, [0, extraKeys]);
  const Sk = S + extraKeys;
  // The weights are returned or dropped: composed from matmul and softmax over [N·H, len, hd].
  const seqFirst = (t: Tensor) => (!batched ? t.reshape([t.shape[0], 1, t.shape[1]]) : p.batchFirst ? t.transpose(0, 1) : t); // to [len, N, ·]
  const [[wq, bq], [wk, bk], [wv, bv]] = projections(p);
  // [len, N, E] → [N·H, len, hd]
  const heads = (t: Tensor, len: number) => t.reshape([len, N * H, hd]).transpose(0, 1);
  // [S, N, E], then bias_k/bias_v [1, N, E] as key S + 1 and, per head, zeros as the last key
  const withBias = (t: Tensor, b: Tensor | null) => (b === null ? t : F.cat([t, b.expand([1, N, E])], 0));
  const withZero = (t: Tensor) => (p.addZeroAttn ? F.cat([t, zeros([N * H, 1, hd])], 1) : t);
  const projected = (t: Tensor, w: Tensor, b: Tensor | null, kv: Tensor | null) =>
    heads(withBias(F.linear(seqFirst(t), w, b), kv), Sk - (p.addZeroAttn ? 1 : 0));
  const q = heads(F.linear(seqFirst(query), wq, bq), L),
    k = withZero(staticK ?? projected(key, wk, bk, p.biasK)),
    v = withZero(staticV ?? projected(value, wv, bv, p.biasV));
  // PyTorch scales q before the product: q/√hd · kᵀ (+ mask)
  let scores = F.matmul(q.mul(1 / Math.sqrt(hd)), k, { transposeB: true });
  if (mask !== null) scores = scores.add(mask);
  let weights = F.softmax(scores, -1);
  if (dropping) weights = F.dropout(weights, p.dropout, true);
  const ctx = F.matmul(weights, v);
  const attn = ctx.transpose(0, 1).reshape([L * N, E]); // [N·H, L, hd] → [L, N·H, hd] → [L·N, E]
  let out = F.linear(attn, p.outProj.weight, p.outProj.bias).reshape([L, N, E]);
  out = !batched ? out.reshape([L, E]) : p.batchFirst ? out.transpose(0, 1) : out;
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
function fusedForward(p: AttentionParameters, query: Tensor, key: Tensor, value: Tensor, batched: boolean, mask: Tensor | null, causal: boolean): Tensor {
  const E = p.embedDim,
    hd = E / p.numHeads;
  const asBatch = (t: Tensor) => (batched ? t : t.reshape([1, ...t.shape]));
  let q: Tensor, k: Tensor, v: Tensor, offsets: [number, number, number];
  if (p.inProjWeight !== null && query === key && key === value) {
    q = k = v = F.linear(asBatch(query), p.inProjWeight, p.inProjBias);
    offsets = [0, E, 2 * E];
  } else {
    const [[wq, bq], [wk, bk], [wv, bv]] = projections(p);
    [q, k, v] = [F.linear(asBatch(query), wq, bq), F.linear(asBatch(key), wk, bk), F.linear(asBatch(value), wv, bv)];
    offsets = [0, 0, 0];
  }
  const heads = { count: p.numHeads, dim: hd, batchFirst: !batched || p.batchFirst, offsets };
  const out = F.linear(fusedAttention(q, k, v, mask, 1 / Math.sqrt(hd), causal, heads), p.outProj.weight, p.outProj.bias);
  return batched ? out : out.reshape(out.shape.slice(1));
}

/** F.multiHeadAttentionForward's arguments after outProjBias, as torch's keywords. */
export interface MultiHeadAttentionForwardOptions extends Omit<MultiheadAttentionForwardOptions, 'isCausal'> {
  training?: boolean;
  useSeparateProjWeight?: boolean;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  staticK?: Tensor | null;
  staticV?: Tensor | null;
}
const LATER = [
  'training',
  'keyPaddingMask',
  'needWeights',
  'attnMask',
  'useSeparateProjWeight',
  'qProjWeight',
  'kProjWeight',
  'vProjWeight',
  'staticK',
  'staticV',
  'averageAttnWeights',
] as const;

/**
 * torch.nn.functional.multi_head_attention_forward with torch 1.13's positional arguments: query
 * [L, N, E], key [S, N, kdim], value [S, N, vdim] (sequence first; unbatched [L, E] …), then
 * embedDimToCheck, numHeads, inProjWeight, inProjBias, biasK, biasV, addZeroAttn, dropoutP,
 * outProjWeight, outProjBias, and training, keyPaddingMask, needWeights, attnMask,
 * useSeparateProjWeight, qProjWeight, kProjWeight, vProjWeight, staticK, staticV,
 * averageAttnWeights — those after outProjBias positionally or as one options object (torch's
 * keywords). → [out, weights | null], as nn.MultiheadAttention's forward.
 */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  embedDimToCheck: number,
  numHeads: number,
  inProjWeight: Tensor | null,
  inProjBias: Tensor | null,
  biasK: Tensor | null,
  biasV: Tensor | null,
  addZeroAttn: boolean,
  dropoutP: number,
  outProjWeight: Tensor,
  outProjBias: Tensor | null,
  ...rest: [MultiHeadAttentionForwardOptions?] | unknown[]
): [Tensor, Tensor | null] {
  const FN = 'nn.functional.multiHeadAttentionForward';
  const o: MultiHeadAttentionForwardOptions =
    rest.length === 1 && isRecord(rest[0]) && !(rest[0] instanceof Tensor)
      ? checkOptions<MultiHeadAttentionForwardOptions>(FN, rest[0], LATER)
      : Object.fromEntries(rest.map((v, i) => [LATER[i] ?? `argument ${14 + i}`, v]));
  if (rest.length > LATER.length) throw new ValueError(FN, `takes at most ${13 + LATER.length} arguments, got ${13 + rest.length}`);
  checkTensor(FN, 'query', query);
  const E = query.shape[query.ndim - 1];
  if (embedDimToCheck !== E)
    throw new ShapeError(FN, `was expecting embedding dimension of ${fmtValue(embedDimToCheck)}, but got ${E} (query ${fmtShape(query.shape)})`);
  if (!Number.isInteger(numHeads) || numHeads < 1 || E % numHeads !== 0)
    throw new ValueError(FN, `numHeads must be a positive integer dividing the embedding dimension ${E}, got ${fmtValue(numHeads)}`);
  if (typeof dropoutP !== 'number' || !(dropoutP >= 0 && dropoutP <= 1))
    throw new ValueError(FN, `dropoutP must be a probability in [0, 1], got ${fmtValue(dropoutP)}`);
  for (const k of ['training', 'needWeights', 'useSeparateProjWeight', 'averageAttnWeights'] as const)
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new ValueError(FN, `${k} must be a boolean, got ${fmtValue(o[k])}`);
  if (typeof addZeroAttn !== 'boolean') throw new ValueError(FN, `addZeroAttn must be a boolean, got ${fmtValue(addZeroAttn)}`);
  const separate = o.useSeparateProjWeight ?? false;
  const given = {
    inProjWeight,
    inProjBias,
    biasK,
    biasV,
    outProjWeight,
    outProjBias,
    qProjWeight: o.qProjWeight,
    kProjWeight: o.kProjWeight,
    vProjWeight: o.vProjWeight,
  };
  for (const [name, t] of Object.entries(given)) if (t !== null && t !== undefined) checkTensor(FN, name, t);
  const need = (name: string, t: Tensor | null | undefined, shape: number[]): Tensor => {
    if (!t || t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new ShapeError(FN, `${name} must be ${fmtShape(shape)}, got ${t ? fmtShape(t.shape) : fmtValue(t)}`);
    return t;
  };
  const kdim = key.shape[key.ndim - 1],
    vdim = value.shape[value.ndim - 1];
  if (!separate) {
    need('inProjWeight', inProjWeight, [3 * E, E]);
    if (kdim !== E || vdim !== E)
      throw new ShapeError(FN, `key and value must have the embedding dimension ${E} without useSeparateProjWeight, got ${kdim}, ${vdim}`);
  }
  if (inProjBias !== null) need('inProjBias', inProjBias, [3 * E]);
  if ((biasK === null) !== (biasV === null)) throw new ValueError(FN, 'biasK and biasV must be given together');
  if (biasK !== null) {
    need('biasK', biasK, [1, 1, E]);
    need('biasV', biasV, [1, 1, E]);
  }
  need('outProjWeight', outProjWeight, [E, E]);
  if (outProjBias !== null) need('outProjBias', outProjBias, [E]);
  const p: AttentionParameters = {
    embedDim: E,
    numHeads,
    kdim,
    vdim,
    dropout: dropoutP,
    training: o.training ?? true,
    batchFirst: false,
    inProjWeight: separate ? null : inProjWeight,
    qProjWeight: separate ? need('qProjWeight', o.qProjWeight, [E, E]) : null,
    kProjWeight: separate ? need('kProjWeight', o.kProjWeight, [E, kdim]) : null,
    vProjWeight: separate ? need('vProjWeight', o.vProjWeight, [E, vdim]) : null,
    inProjBias,
    outProj: { weight: outProjWeight, bias: outProjBias },
    biasK,
    biasV,
    addZeroAttn,
    staticK: o.staticK ?? null,
    staticV: o.staticV ?? null,
  };
  return attend(FN, p, query, key, value, {
    keyPaddingMask: o.keyPaddingMask,
    needWeights: o.needWeights,
    attnMask: o.attnMask,
    averageAttnWeights: o.averageAttnWeights,
  });
}
