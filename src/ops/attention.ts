/**
 * Fused scaled-dot-product attention: softmax(q·kᵀ·scale + mask)·v per batch (B = batch × heads,
 * flattened by src/api/attention.ts), with the top-left causal mask applied inside the kernel
 * instead of materialised. Kernels: assembly/kernels/attention.ts.
 *
 * Inputs: q [B, L, E], k [B, S, E], v [B, S, Ev] and an additive float mask [Bm, Lm, S] or
 * [Lm, S] with Bm ∈ {1, B}, Lm ∈ {1, L} (read with stride 0 along a broadcast dim, never
 * expanded), or a 0-d placeholder the kernels never read when attrs.mask is false.
 * params: [B, L, S, E, Ev, scale (f32 bits), causal, hasMask, mask batch stride, mask row stride].
 * aux: the attention weights P [B, L, S] (see the kernel file for why P is kept, not recomputed).
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { attentionScratchWords } from './contract.js';
import { aux, defineOps, f32bits, fmtShape, gin, gout, inp, out, param, paramf, sameShape, type Meta, type OpSpec, type Plan, type TestCase } from './types.js';

export interface AttentionAttrs {
  /** Multiplies q·kᵀ. */
  scale: number;
  /** Query i attends to keys 0..i only (top-left aligned, PyTorch's is_causal). */
  causal: boolean;
  /** Input 3 is an additive mask (else a placeholder). */
  mask: boolean;
}

const FN = 'scaledDotProductAttention';

function planAttention([q, k, v, m]: readonly Meta[], attrs: AttentionAttrs): Plan {
  const shapes = `query ${fmtShape(q.shape)}, key ${fmtShape(k.shape)}, value ${fmtShape(v.shape)}`;
  if (q.shape.length !== 3 || k.shape.length !== 3 || v.shape.length !== 3)
    throw new ShapeError(FN, `the fused op takes query [B, L, E], key [B, S, E], value [B, S, Ev], got ${shapes}`);
  const [B, L, E] = q.shape,
    S = k.shape[1],
    Ev = v.shape[2];
  if (!sameShape(k.shape, [B, S, E]) || !sameShape(v.shape, [B, S, Ev]))
    throw new ShapeError(FN, `key must be [${B}, S, ${E}] and value [${B}, S, Ev] with key's S, got ${shapes}`);
  if (typeof attrs.scale !== 'number' || !Number.isFinite(attrs.scale)) throw new ValueError(FN, `scale must be a finite number, got ${fmtValue(attrs.scale)}`);
  if (attrs.mask && attrs.causal) throw new ValueError(FN, 'takes attnMask or isCausal, not both (PyTorch): put the causal part into attnMask');
  let maskBatch = 0,
    maskRow = 0;
  if (attrs.mask) {
    const ms = m.shape.length === 2 ? [1, ...m.shape] : m.shape;
    const [bm, lm, sm] = ms;
    if (ms.length !== 3 || (bm !== 1 && bm !== B) || (lm !== 1 && lm !== L) || sm !== S)
      throw new ShapeError(FN, `attnMask must be [Lm, ${S}] or [Bm, Lm, ${S}] with Lm ∈ {1, ${L}} and Bm ∈ {1, ${B}}, got ${fmtShape(m.shape)} for ${shapes}`);
    maskRow = lm === 1 ? 0 : S;
    maskBatch = bm === 1 ? 0 : lm * S;
  }
  // Backward: dS [L, S] of one batch (per part when split), then the GEMMs' scratch (the widest
  // product has S, E or Ev columns); the forward needs only the latter.
  return {
    shape: [B, L, Ev],
    params: [B, L, S, E, Ev, f32bits(attrs.scale), attrs.causal ? 1 : 0, attrs.mask ? 1 : 0, maskBatch, maskRow],
    aux: [B * L * S],
    workspace: attentionScratchWords(L, S, Math.max(S, E, Ev)),
  };
}

/** Calls f(b, i, n) for every row: batch b, query i, and n = the keys it attends (0..n). */
function forRows(r: Int32Array, f: (b: number, i: number, n: number) => void): void {
  const [B, L, S] = [param(r, 0), param(r, 1), param(r, 2)],
    causal = param(r, 6) === 1;
  for (let b = 0; b < B; b++) for (let i = 0; i < L; i++) f(b, i, causal ? Math.min(i + 1, S) : S);
}

const attention = {
  name: 'attention',
  module: 'attention',
  arity: 4,
  gradInputs: [0, 1, 2, 3],
  doc: 'Fused softmax(q·kᵀ·scale + mask)·v over [B, L, E], [B, S, E], [B, S, Ev] with an optional additive mask broadcast over batches and rows, or the top-left causal mask without a mask tensor (keys j > i are skipped, flops included); P is saved for backward',
  plan: planAttention,
  ref: {
    // P[i, j] = softmax_j(scale·q_i·k_j + mask[i, j]) over the keys the row attends (max
    // subtracted), 0 for the others; O = P·v.
    fwd: (h, r) => {
      const [L, S, E, Ev] = [param(r, 1), param(r, 2), param(r, 3), param(r, 4)],
        scale = paramf(r, 5),
        hasMask = param(r, 7) === 1;
      const [q, k, v, m, o, p] = [inp(r, 0), inp(r, 1), inp(r, 2), inp(r, 3), out(r), aux(r, 0)];
      forRows(r, (b, i, n) => {
        const qi = q + (b * L + i) * E,
          pi = p + (b * L + i) * S,
          mi = m + b * param(r, 8) + i * param(r, 9);
        let max = -Infinity;
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let e = 0; e < E; e++) s += h[qi + e] * h[k + (b * S + j) * E + e];
          s = s * scale + (hasMask ? h[mi + j] : 0);
          h[pi + j] = s;
          max = Math.max(max, s);
        }
        let z = 0;
        for (let j = 0; j < n; j++) z += h[pi + j] = Math.exp(h[pi + j] - max);
        for (let j = 0; j < S; j++) h[pi + j] = j < n ? h[pi + j] / z : 0;
        for (let c = 0; c < Ev; c++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += h[pi + j] * h[v + (b * S + j) * Ev + c];
          h[o + (b * L + i) * Ev + c] = s;
        }
      });
    },
    // dV += Pᵀ·dO; dP = dO·vᵀ; dS = P ⊙ (dP − Σ_c dO ⊙ O) (the row's Σ_j P·dP, as softmax's
    // backward); dmask += dS; dq += scale·dS·k; dk += scale·dSᵀ·q.
    bwd: (h, r) => {
      const [L, S, E, Ev] = [param(r, 1), param(r, 2), param(r, 3), param(r, 4)],
        scale = paramf(r, 5);
      const [q, k, v, o, p, g] = [inp(r, 0), inp(r, 1), inp(r, 2), out(r), aux(r, 0), gout(r)];
      const [gq, gk, gv, gm] = [gin(r, 0), gin(r, 1), gin(r, 2), param(r, 7) === 1 ? gin(r, 3) : 0];
      forRows(r, (b, i, n) => {
        const row = b * L + i,
          mi = gm + b * param(r, 8) + i * param(r, 9);
        let d = 0;
        for (let c = 0; c < Ev; c++) d += h[g + row * Ev + c] * h[o + row * Ev + c];
        for (let j = 0; j < n; j++) {
          const pij = h[p + row * S + j],
            kj = b * S + j;
          let dp = 0;
          for (let c = 0; c < Ev; c++) {
            dp += h[g + row * Ev + c] * h[v + kj * Ev + c];
            if (gv) h[gv + kj * Ev + c] += pij * h[g + row * Ev + c];
          }
          const ds = pij * (dp - d);
          if (gm) h[mi + j] += ds;
          for (let e = 0; e < E; e++) {
            if (gq) h[gq + row * E + e] += scale * ds * h[k + kj * E + e];
            if (gk) h[gk + kj * E + e] += scale * ds * h[q + row * E + e];
          }
        }
      });
    },
  },
  tests: { cases: attentionCases() },
} satisfies OpSpec<AttentionAttrs, 'attention'>;

/**
 * The table's cases: L, S, E over 1, odd sizes, the causal row block (8) ± 1 and 16 ± 1, causal with L < S and
 * L > S, Ev ≠ E, masks of every broadcast form, and empty batches, rows and keys.
 */
function attentionCases(): TestCase<AttentionAttrs>[] {
  const mk = (
    B: number,
    L: number,
    S: number,
    E: number,
    Ev: number,
    form: 'none' | 'causal' | number[],
    scale = 1 / Math.sqrt(Math.max(E, 1)),
  ): TestCase<AttentionAttrs> => {
    const mask = Array.isArray(form);
    return {
      inputs: [{ shape: [B, L, E] }, { shape: [B, S, E] }, { shape: [B, S, Ev] }, mask ? { shape: form } : { shape: [], noGrad: true }],
      attrs: { scale, causal: form === 'causal', mask },
      name: `B ${B}, L ${L}, S ${S}, E ${E}, Ev ${Ev}${mask ? `, mask [${form.join('x')}]` : form === 'causal' ? ', causal' : ''}`,
    };
  };
  return [
    mk(1, 1, 1, 1, 1, 'none'),
    mk(1, 1, 1, 1, 1, 'causal'),
    mk(2, 3, 5, 7, 3, 'none'),
    mk(2, 5, 3, 4, 7, 'causal'),
    mk(2, 3, 7, 5, 2, 'causal'),
    mk(1, 17, 17, 5, 3, 'causal'),
    mk(1, 9, 9, 3, 2, 'causal'),
    mk(2, 8, 11, 4, 4, 'causal'),
    mk(1, 15, 16, 3, 4, 'causal'),
    mk(1, 33, 17, 2, 3, 'causal'),
    mk(1, 7, 17, 33, 5, 'none', 0.3),
    mk(2, 17, 15, 3, 2, 'none'),
    mk(2, 3, 5, 4, 6, [3, 5]),
    mk(2, 3, 5, 4, 6, [1, 5]),
    mk(2, 3, 5, 4, 6, [2, 3, 5]),
    mk(2, 3, 5, 4, 6, [2, 1, 5]),
    mk(3, 17, 7, 5, 3, [1, 17, 7]),
    mk(1, 1, 17, 1, 1, [1, 17]),
    mk(0, 3, 4, 2, 2, 'causal'),
    mk(2, 0, 4, 2, 2, 'none'),
    mk(2, 3, 0, 2, 2, 'none'),
    mk(2, 3, 4, 0, 2, 'causal'),
    mk(2, 3, 4, 2, 0, [3, 4]),
  ];
}

export const ATTENTION_OPS = defineOps(attention);
