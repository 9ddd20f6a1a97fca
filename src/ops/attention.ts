/**
 * Fused scaled-dot-product attention: softmax(q·kᵀ·scale + mask)·v per batch (B = batch × heads,
 * flattened by src/api/attention.ts), with the top-left causal mask applied inside the kernel
 * instead of materialised. Kernels: assembly/kernels/attention.ts.
 *
 * Inputs: q [B, L, E], k [B, S, E], v [B, S, Ev] and an additive float mask [Bm, Lm, S] or
 * [Lm, S] with Bm ∈ {1, B}, Lm ∈ {1, L} (read with stride 0 along a broadcast dim, never
 * expanded), or a 0-d placeholder the kernels never read when attrs.mask is false.
 *
 * With attrs.heads the op reads the heads where a projection wrote them instead (nn.MultiheadAttention,
 * which would otherwise copy every head out and back, since a transpose is a copy here): q is
 * [N, L, Cq] ([L, N, Cq] unless batchFirst), k [N, S, Ck], v [N, S, Cv], head h of q taking columns
 * offsets[0] + h·dim … + dim (k and v alike), so q, k and v may be one packed projection [·, ·, 3E]
 * passed three times. Batch b = n·H + h (the order of PyTorch's [N·H, L, S] masks); the output is
 * [N, L, H·dim] ([L, N, H·dim]), head h in columns h·dim … + dim: what the output projection reads.
 *
 * params: [B, L, S, E, Ev, scale (f32 bits), causal, hasMask, mask batch stride, mask row stride,
 * H, then for q, k, v: offset, batch stride, row stride, then for the output: batch stride, row
 * stride]: batch b's rows start at offset + (b / H)·batch stride + (b % H)·(E or Ev), one row
 * stride apart (every gradient has its tensor's layout). Without heads, H = 1 and the strides are
 * the contiguous [B, rows, cols] ones.
 * aux: the attention weights P [B, L, S] (see the kernel file for why P is kept, not recomputed).
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { attentionScratchWords } from './contract.js';
import { arange } from './loss.js';
import { sumTo } from './reduce.js';
import { broadcastView, permuteView, reshape } from './shape.js';
import {
  aux,
  checkFinite,
  defineOps,
  f32bits,
  fmtShape,
  gin,
  gout,
  inp,
  out,
  param,
  paramf,
  sameShape,
  type Builder,
  type Meta,
  type OpSpec,
  type Plan,
  type TestCase,
} from './types.js';

export interface AttentionAttrs {
  /** Multiplies q·kᵀ. */
  scale: number;
  /** Query i attends to keys 0..i only (top-left aligned, PyTorch's is_causal). */
  causal: boolean;
  /** Input 3 is an additive mask (else a placeholder). */
  mask: boolean;
  /** Read the heads in place from projections (see above); absent: q, k, v are [B, ·, ·]. */
  heads?: HeadLayout;
}

export interface HeadLayout {
  /** Heads H: the batch is N·H. */
  count: number;
  /** Columns of one head (q, k and v alike). */
  dim: number;
  /** Inputs and output are [N, len, C] (else [len, N, C]). */
  batchFirst: boolean;
  /** First column of head 0 in q, k and v. */
  offsets: readonly [number, number, number];
}

const FN = 'scaledDotProductAttention';

/** Shapes of q, k, v for the messages. */
const shapesOf = ([q, k, v]: readonly Meta[]) => `query ${fmtShape(q.shape)}, key ${fmtShape(k.shape)}, value ${fmtShape(v.shape)}`;

/** [B, L, S, E, Ev] and the layout params (H, strides) of contiguous q [B, L, E], k [B, S, E], v [B, S, Ev]. */
function flatLayout([q, k, v]: readonly Meta[]): { dims: number[]; layout: number[] } {
  if (q.shape.length !== 3 || k.shape.length !== 3 || v.shape.length !== 3)
    throw new ShapeError(FN, `the fused op takes query [B, L, E], key [B, S, E], value [B, S, Ev], got ${shapesOf([q, k, v])}`);
  const [B, L, E] = q.shape,
    S = k.shape[1],
    Ev = v.shape[2];
  if (!sameShape(k.shape, [B, S, E]) || !sameShape(v.shape, [B, S, Ev]))
    throw new ShapeError(FN, `key must be [${B}, S, ${E}] and value [${B}, S, Ev] with key's S, got ${shapesOf([q, k, v])}`);
  return { dims: [B, L, S, E, Ev], layout: [1, 0, L * E, E, 0, S * E, E, 0, S * Ev, Ev, L * Ev, Ev] };
}

/** The same for heads read in place from projections (HeadLayout). */
function headLayout([q, k, v]: readonly Meta[], h: HeadLayout): { dims: number[]; layout: number[] } {
  const { count: H, dim: D, batchFirst, offsets } = h;
  const isSize = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
  if (!isSize(H) || H < 1 || !isSize(D) || typeof batchFirst !== 'boolean' || !Array.isArray(offsets) || offsets.length !== 3 || !offsets.every(isSize))
    throw new ValueError(FN, `heads must be { count ≥ 1, dim ≥ 0, batchFirst, offsets: [q, k, v] ≥ 0 }, got ${fmtValue(h)}`);
  const form = batchFirst ? '[N, len, C]' : '[len, N, C]';
  if (q.shape.length !== 3 || k.shape.length !== 3 || v.shape.length !== 3)
    throw new ShapeError(FN, `with heads, query, key and value are ${form}, got ${shapesOf([q, k, v])}`);
  const [nAt, lenAt] = batchFirst ? [0, 1] : [1, 0];
  const N = q.shape[nAt],
    L = q.shape[lenAt],
    S = k.shape[lenAt];
  if (k.shape[nAt] !== N || v.shape[nAt] !== N || v.shape[lenAt] !== S)
    throw new ShapeError(FN, `with heads (${form}), key and value must have query's N and the same length, got ${shapesOf([q, k, v])}`);
  const ins = [q, k, v].map((t, i) => {
    const C = t.shape[2];
    if (offsets[i] + H * D > C)
      throw new ShapeError(
        FN,
        `${['query', 'key', 'value'][i]} ${fmtShape(t.shape)} has no columns ${offsets[i]}…${offsets[i] + H * D - 1} for ${H} heads of ${D}`,
      );
    const len = t.shape[lenAt];
    return batchFirst ? [offsets[i], len * C, C] : [offsets[i], C, N * C];
  });
  const E = H * D;
  const outStrides = batchFirst ? [L * E, E] : [E, N * E];
  return { dims: [N * H, L, S, D, D], layout: [H, ...ins.flat(), ...outStrides] };
}

function planAttention(inputs: readonly Meta[], attrs: AttentionAttrs): Plan {
  const m = inputs[3];
  const { dims, layout } = attrs.heads === undefined ? flatLayout(inputs) : headLayout(inputs, attrs.heads);
  const [B, L, S, E, Ev] = dims;
  checkFinite(FN, 'scale', attrs.scale);
  if (attrs.mask && attrs.causal) throw new ValueError(FN, 'takes attnMask or isCausal, not both (PyTorch): put the causal part into attnMask');
  let maskBatch = 0,
    maskRow = 0;
  if (attrs.mask) {
    const ms = m.shape.length === 2 ? [1, ...m.shape] : m.shape;
    const [bm, lm, sm] = ms;
    if (ms.length !== 3 || (bm !== 1 && bm !== B) || (lm !== 1 && lm !== L) || sm !== S)
      throw new ShapeError(
        FN,
        `attnMask must be [Lm, ${S}] or [Bm, Lm, ${S}] with Lm ∈ {1, ${L}} and Bm ∈ {1, ${B}}, got ${fmtShape(m.shape)} for ${shapesOf(inputs)}`,
      );
    maskRow = lm === 1 ? 0 : S;
    maskBatch = bm === 1 ? 0 : lm * S;
  }
  const H = layout[0];
  const N = B / H;
  // Backward: dS [L, S] of one batch (per part when split), then the GEMMs' scratch (the widest
  // product has S, E or Ev columns); the forward needs only the latter.
  return {
    shape: attrs.heads === undefined ? [B, L, Ev] : attrs.heads.batchFirst ? [N, L, H * Ev] : [L, N, H * Ev],
    params: [B, L, S, E, Ev, f32bits(attrs.scale), attrs.causal ? 1 : 0, attrs.mask ? 1 : 0, maskBatch, maskRow, ...layout],
    aux: [B * L * S],
    workspace: attentionScratchWords(L, S, Math.max(S, E, Ev)),
  };
}

// ---- vjp (createGraph) ---------------------------------------------------------------------------
/**
 * Head h of batch n of t as batch n·H + h of a [N·H, len, D] tensor (one strided copy): t is
 * [N, len, C] (batchFirst) or [len, N, C], the heads in columns off + h·D … + D.
 */
function headsOf<T>(b: Builder<T>, t: T, { count: H, dim: D, batchFirst }: HeadLayout, off: number): T {
  const [a0, a1, C] = b.shape(t);
  const [N, len] = batchFirst ? [a0, a1] : [a1, a0];
  const strides = batchFirst ? [len * C, D, C, 1] : [C, D, N * C, 1];
  return b.op('copy', [t], { shape: [N, H, len, D], strides, offset: off, as: [N * H, len, D] });
}

/** headsOf's adjoint: g [N·H, len, D] put back into t's layout [·, ·, C], zeros in the other columns. */
function headsBack<T>(b: Builder<T>, g: T, { count: H, dim: D, batchFirst }: HeadLayout, off: number, tShape: readonly number[]): T {
  const [a0, a1, C] = tShape;
  const [N, len] = batchFirst ? [a0, a1] : [a1, a0];
  const rows = b.op('copy', [g], { ...permuteView([N, H, len, D], batchFirst ? [0, 2, 1, 3] : [2, 0, 1, 3]), as: [a0, a1, H * D] });
  const zeros = (w: number) => b.op('copy', [b.scalar(0)], broadcastView([], [a0, a1, w]));
  const parts = [...(off > 0 ? [zeros(off)] : []), rows, ...(C - off - H * D > 0 ? [zeros(C - off - H * D)] : [])];
  return parts.length === 1 ? rows : b.op('cat', parts, { dim: 2 });
}

/**
 * The kernel's backward as ops, P recomputed (the kernel's saved P has no graph): S = scale·q·kᵀ
 * (+ mask; causal: −∞ past the diagonal), P = softmax(S); dv = Pᵀ·g, dS = P ⊙ (g·vᵀ − Σ_j P ⊙ g·vᵀ),
 * dq = scale·dS·k, dk = scale·dSᵀ·q, dmask = dS summed to the mask's shape. With heads, q, k, v and
 * g are first copied out per head and the gradients put back into the projections' layout.
 */
function attentionVjp<T>(b: Builder<T>, [q0, k0, v0, m]: readonly T[], g0: T, a: AttentionAttrs, needs: readonly boolean[]): (T | null)[] {
  const h = a.heads;
  const [q, k, v] = [q0, k0, v0].map((t, i) => (h === undefined ? t : headsOf(b, t, h, h.offsets[i])));
  const g = h === undefined ? g0 : headsOf(b, g0, h, 0); // the output [·, ·, H·Ev] holds its heads from column 0
  const L = b.shape(q)[1],
    S = b.shape(k)[1];
  let s = b.op('mul', [b.op('matmul', [q, k], { transposeB: true }), b.scalar(Math.fround(a.scale))]);
  if (a.mask) s = b.op('add', [s, m]);
  if (a.causal) s = b.op('where', [b.op('ge', [reshape(b, arange(b, L), [L, 1]), reshape(b, arange(b, S), [1, S])]), s, b.scalar(-Infinity)]);
  const p = b.op('softmax', [s], { dim: -1 });
  const dp = b.op('matmul', [g, v], { transposeB: true });
  const ds = b.op('mul', [p, b.op('sub', [dp, b.op('sum', [b.op('mul', [p, dp])], { dim: -1, keepdim: true })])]);
  const scaled = b.op('mul', [ds, b.scalar(Math.fround(a.scale))]);
  const grads = [
    needs[0] ? b.op('matmul', [scaled, k]) : null,
    needs[1] ? b.op('matmul', [scaled, q], { transposeA: true }) : null,
    needs[2] ? b.op('matmul', [p, g], { transposeA: true }) : null,
  ];
  const back = grads.map((d, i) => (d === null || h === undefined ? d : headsBack(b, d, h, h.offsets[i], b.shape([q0, k0, v0][i]))));
  return [...back, a.mask && needs[3] ? sumTo(b, ds, b.shape(m)) : null];
}

/** Word offset of batch b's row i in tensor t (0 q, 1 k, 2 v, 3 the output and its gradient), per the layout params. */
function rowAt(r: Int32Array, t: number, b: number, i: number): number {
  const H = param(r, 10),
    width = t === 0 || t === 1 ? param(r, 3) : param(r, 4);
  const at = 11 + 3 * t;
  // The output has no offset word: its strides sit at 20, 21.
  const [off, sN, sL] = t < 3 ? [param(r, at), param(r, at + 1), param(r, at + 2)] : [0, param(r, 20), param(r, 21)];
  return off + Math.floor(b / H) * sN + (b % H) * width + i * sL;
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
  doc: 'Fused softmax(q·kᵀ·scale + mask)·v over [B, L, E], [B, S, E], [B, S, Ev] with an optional additive mask broadcast over batches and rows, or the top-left causal mask without a mask tensor (keys j > i are skipped, flops included); P is saved for backward. With attrs.heads, q, k, v are projections [N, len, C] or [len, N, C] whose heads are read in place (nn.MultiheadAttention)',
  plan: planAttention,
  ref: {
    // P[i, j] = softmax_j(scale·q_i·k_j + mask[i, j]) over the keys the row attends (max
    // subtracted), 0 for the others; O = P·v.
    fwd: (h, r) => {
      const [S, E, Ev] = [param(r, 2), param(r, 3), param(r, 4)],
        scale = paramf(r, 5),
        hasMask = param(r, 7) === 1;
      const [q, k, v, m, o, p] = [inp(r, 0), inp(r, 1), inp(r, 2), inp(r, 3), out(r), aux(r, 0)];
      forRows(r, (b, i, n) => {
        const qi = q + rowAt(r, 0, b, i),
          oi = o + rowAt(r, 3, b, i),
          pi = p + (b * param(r, 1) + i) * S,
          mi = m + b * param(r, 8) + i * param(r, 9);
        let max = -Infinity;
        for (let j = 0; j < n; j++) {
          const kj = k + rowAt(r, 1, b, j);
          let s = 0;
          for (let e = 0; e < E; e++) s += h[qi + e] * h[kj + e];
          s = s * scale + (hasMask ? h[mi + j] : 0);
          h[pi + j] = s;
          max = Math.max(max, s);
        }
        let z = 0;
        for (let j = 0; j < n; j++) z += h[pi + j] = Math.exp(h[pi + j] - max);
        for (let j = 0; j < S; j++) h[pi + j] = j < n ? h[pi + j] / z : 0;
        for (let c = 0; c < Ev; c++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += h[pi + j] * h[v + rowAt(r, 2, b, j) + c];
          h[oi + c] = s;
        }
      });
    },
    // dV += Pᵀ·dO; dP = dO·vᵀ; dS = P ⊙ (dP − Σ_c dO ⊙ O) (equal to the row's Σ_j P·dP, which the
    // float32 kernel sums, as softmax's backward); dmask += dS; dq += scale·dS·k;
    // dk += scale·dSᵀ·q. Every gradient has its tensor's layout.
    bwd: (h, r) => {
      const [S, E, Ev] = [param(r, 2), param(r, 3), param(r, 4)],
        scale = paramf(r, 5);
      const [q, k, v, o, p, g] = [inp(r, 0), inp(r, 1), inp(r, 2), out(r), aux(r, 0), gout(r)];
      const [gq, gk, gv, gm] = [gin(r, 0), gin(r, 1), gin(r, 2), param(r, 7) === 1 ? gin(r, 3) : 0];
      forRows(r, (b, i, n) => {
        const qi = rowAt(r, 0, b, i),
          oi = rowAt(r, 3, b, i),
          pi = p + (b * param(r, 1) + i) * S,
          mi = gm + b * param(r, 8) + i * param(r, 9);
        let d = 0;
        for (let c = 0; c < Ev; c++) d += h[g + oi + c] * h[o + oi + c];
        for (let j = 0; j < n; j++) {
          const pij = h[pi + j],
            kj = rowAt(r, 1, b, j),
            vj = rowAt(r, 2, b, j);
          let dp = 0;
          for (let c = 0; c < Ev; c++) {
            dp += h[g + oi + c] * h[v + vj + c];
            if (gv) h[gv + vj + c] += pij * h[g + oi + c];
          }
          const ds = pij * (dp - d);
          if (gm) h[mi + j] += ds;
          for (let e = 0; e < E; e++) {
            if (gq) h[gq + qi + e] += scale * ds * h[k + kj + e];
            if (gk) h[gk + kj + e] += scale * ds * h[q + qi + e];
          }
        }
      });
    },
  },
  vjp: (b, { inputs, gout, attrs, needs }) => attentionVjp(b, inputs, gout, attrs, needs),
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
  // Heads read in place: q [N, L, C] or [L, N, C] with C = 3·H·D + 1 (an unread last column), k
  // and v likewise with S, heads at the given column offsets (packed q | k | v, or shuffled).
  const heads = (
    N: number,
    L: number,
    S: number,
    H: number,
    D: number,
    batchFirst: boolean,
    form: 'none' | 'causal' | number[],
    offsets: [number, number, number] = [0, H * D, 2 * H * D],
  ): TestCase<AttentionAttrs> => {
    const mask = Array.isArray(form),
      C = 3 * H * D + 1;
    const at = (len: number) => ({ shape: batchFirst ? [N, len, C] : [len, N, C] });
    return {
      inputs: [at(L), at(S), at(S), mask ? { shape: form } : { shape: [], noGrad: true }],
      attrs: { scale: 1 / Math.sqrt(Math.max(D, 1)), causal: form === 'causal', mask, heads: { count: H, dim: D, batchFirst, offsets } },
      name: `heads ${H}×${D}${batchFirst ? ' batchFirst' : ''}, N ${N}, L ${L}, S ${S}, offsets ${offsets.join('/')}${mask ? `, mask [${form.join('x')}]` : form === 'causal' ? ', causal' : ''}`,
    };
  };
  return [
    heads(2, 3, 3, 2, 3, true, 'causal'),
    heads(3, 5, 4, 3, 2, false, 'none', [4, 0, 13]),
    heads(2, 17, 17, 1, 5, false, 'causal'),
    heads(1, 9, 7, 2, 4, true, [2, 9, 7]),
    heads(2, 3, 5, 2, 1, false, [3, 5], [1, 3, 5]),
    heads(1, 1, 1, 1, 1, true, 'none'),
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
