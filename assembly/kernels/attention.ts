// Fused scaled-dot-product attention (src/ops/attention.ts): per batch b,
//   P = softmax_rows(scale·Q·Kᵀ + mask), O = P·V
// with Q [L, E], K [S, E], V [S, Ev], P [L, S] saved in AUX0 for backward.
//
// The products run on gemm.ts (dot products for Q·Kᵀ and dO·Vᵀ, both operands along depth; the
// in-place micro-kernel for P·V and the transposed products of backward). The causal mask is
// top-left (query i attends keys j ≤ i) and never stored: rows go in blocks of RB, and a block
// computes only the keys its last row attends, so about half the score, P·V and backward flops are
// skipped (the triangle above the block diagonal); entries above the diagonal inside a block are
// computed, then zeroed in P and dS. The softmax of a row is reduce.ts's (max subtracted, the same
// f32 exp and compensated sum as the softmax op), over the keys it attends only.
//
// Saving P versus recomputing it in backward from the row log-sum-exp (flash attention): P is
// B·L·S floats, at the lengths trained here (L = S ≤ 256) about what the composite path kept anyway
// (scores and weights); recomputing costs a second Q·Kᵀ product and exp pass. Measured with
// bench/attention.ts (causal, forward + backward, compiled, median CPU ms, three alternating runs)
// against a build whose backward recomputed the scores and softmax: W7 (64 heads, L = 32, E = 16)
// 0.48–0.50 → 0.67–0.68 ms, B·H = 8, L = 256, E = 64: 6.2–6.3 → 7.6–8.1 ms. P is kept.
import { arenaAlloc } from '../arena';
import { poolRun, poolThreads, setTaskArg, taskArg, taskPtr } from '../pool';
import { Lane1, madd } from '../simd';
import { AUX, GIN, GOUT, IN, OUT, param, paramf, ptr } from '../record';
import { gemm, gemmScratch, gemmScratchParts, partGemmScratch } from './gemm';
import { Cols, Row } from './reduce';

/**
 * Rows per causal block: smaller blocks skip more of the triangle but call gemm more often, and the
 * score product of at most DOT_M rows always takes gemm's dot-product path (no packing). Measured
 * (bench/attention.ts, fused forward + backward, median CPU ms of two runs each): W7 RB = 8:
 * 0.45, 0.46; 16: 0.48, 0.50; 32: 0.54, 0.54; L = 256, E = 64: 5.7, 6.0; 6.0, 5.9; 6.3, 6.1.
 * Transposing K (and V in backward) first so that shallow products (E < 32) run on the micro-kernel
 * instead of dot products was slower at W7 (0.54–0.57 ms with RB = 8).
 */
const RB: i32 = 8;

/** Bytes of `n` floats. */
@inline function f4(n: i32): usize {
  return <usize>n << 2;
}

/** x[j] = x[j]·scale + mask[j] for j < n (no mask when mask = 0). */
@inline function scoreRow(x: usize, mask: usize, n: i32, scale: f32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const c = f32x4.splat(scale);
    if (mask) for (; j + 4 <= n; j += 4) v128.store(x + f4(j), madd(v128.load(x + f4(j)), c, v128.load(mask + f4(j))));
    else for (; j + 4 <= n; j += 4) v128.store(x + f4(j), f32x4.mul(v128.load(x + f4(j)), c));
  }
  for (; j < n; j++) store<f32>(x + f4(j), load<f32>(x + f4(j)) * scale + (mask ? load<f32>(mask + f4(j)) : 0));
}

/** The softmax of n contiguous floats in place, as the softmax op: e^(x − max) / Σ. */
@inline function softmaxRow<R>(x: usize, n: i32): void {
  const s = changetype<R>(0);
  const z = s.expSum(x, x, n, 4, s.extreme(x, n, 4, true));
  s.scale(x, n, 4, <f32>1 / z);
}

/**
 * One row of softmax's backward: ds = p ⊙ (dp − d), d = Σ_j p·dp (as PyTorch; the equal Σ_c dO·O
 * loses the small dp − d of a saturated row to O's rounding: 10× the error of dK at scores ~100), written over dp
 * times `scale` (ready for dQ and dK); the unscaled ds is added into the mask's gradient gm (0:
 * none).
 */
@inline function gradRow(dp: usize, p: usize, n: i32, d: f32, scale: f32, gm: usize): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const dv = f32x4.splat(d), c = f32x4.splat(scale);
    for (; j + 4 <= n; j += 4) {
      const s = f32x4.mul(v128.load(p + f4(j)), f32x4.sub(v128.load(dp + f4(j)), dv));
      if (gm) v128.store(gm + f4(j), f32x4.add(v128.load(gm + f4(j)), s));
      v128.store(dp + f4(j), f32x4.mul(s, c));
    }
  }
  for (; j < n; j++) {
    const s = load<f32>(p + f4(j)) * (load<f32>(dp + f4(j)) - d);
    if (gm) store<f32>(gm + f4(j), load<f32>(gm + f4(j)) + s);
    store<f32>(dp + f4(j), s * scale);
  }
}

// Layout (src/ops/attention.ts): P10 = heads H; for q, k, v (t = 0, 1, 2) P11 + 3t.. = offset,
// batch stride, row stride; the output (and its gradient) P20, P21 = batch stride, row stride.
// Batch b = n·H + h starts at offset + n·batch stride + h·(head width); rows are a row stride apart.

/** Element offset of batch b's first row in tensor t (0 q, 1 k, 2 v, 3 the output). */
@inline function batchAt(rec: usize, t: i32, b: i32): i32 {
  const H = param(rec, 10), width = t < 2 ? param(rec, 3) : param(rec, 4);
  const off = t < 3 ? param(rec, 11 + 3 * t) : 0, sN = t < 3 ? param(rec, 12 + 3 * t) : param(rec, 20);
  return off + (b / H) * sN + (b % H) * width;
}

/** Row stride of tensor t. */
@inline function rowStride(rec: usize, t: i32): i32 {
  return t < 3 ? param(rec, 13 + 3 * t) : param(rec, 21);
}

/** Keys row i attends: 0..n. */
@inline function attended(i: i32, S: i32, causal: bool): i32 {
  return causal ? min(i + 1, S) : S;
}

/** Zeroes row entries n..S (keys not attended). */
@inline function clearFrom(row: usize, n: i32, S: i32): void {
  if (n < S) memory.fill(row + f4(n), 0, f4(S - n));
}

/**
 * Part `part` of `parts` of the forward: batches [part·run, min(B, (part + 1)·run)) with run the
 * job's J_RUN, and the part's gemm scratch in the job's block. One thread calls it with (0, 1) and
 * takes the scratch here.
 */
@inline function forward<R>(rec: usize, part: i32, parts: i32): void {
  const B = parts == 1 ? param(rec, 0) : min(param(rec, 0), (part + 1) * taskArg(J_RUN)), L = param(rec, 1), S = param(rec, 2), E = param(rec, 3), Ev = param(rec, 4);
  const scale = paramf(rec, 5), causal = param(rec, 6) != 0, hasMask = param(rec, 7) != 0;
  const q = ptr(rec, IN), k = ptr(rec, IN + 1), v = ptr(rec, IN + 2), mask = hasMask ? ptr(rec, IN + 3) : 0;
  const o = ptr(rec, OUT), p = ptr(rec, AUX);
  const ws = parts == 1 ? gemmScratch(max(S, Ev)) : partGemmScratch(part, J_WS);
  const rb = causal ? RB : L;
  const sq = rowStride(rec, 0), sk = rowStride(rec, 1), sv = rowStride(rec, 2), so = rowStride(rec, 3);
  for (let b = parts == 1 ? 0 : part * taskArg(J_RUN); b < B; b++) {
    const qb = q + f4(batchAt(rec, 0, b)), kb = k + f4(batchAt(rec, 1, b)), vb = v + f4(batchAt(rec, 2, b)), pb = p + f4(b * L * S), ob = o + f4(batchAt(rec, 3, b));
    const mb = hasMask ? mask + f4(b * param(rec, 8)) : 0, mrs = param(rec, 9);
    for (let i0 = 0; i0 < L; i0 += rb) {
      const m = min(rb, L - i0), nk = causal ? min(i0 + m, S) : S;
      const p0 = pb + f4(i0 * S);
      gemm(m, nk, E, qb + f4(i0 * sq), sq, false, kb, sk, true, p0, S, false, ws);
      for (let i = i0; i < i0 + m; i++) {
        const row = pb + f4(i * S), n = attended(i, S, causal);
        scoreRow(row, hasMask ? mb + f4(i * mrs) : 0, n, scale);
        softmaxRow<R>(row, n);
        clearFrom(row, n, S);
      }
      gemm(m, Ev, nk, p0, S, false, vb, sv, false, ob + f4(i0 * so), so, false, ws);
    }
  }
}

// Backward per batch, adding into every GIN: first by row blocks, dP = dO·Vᵀ over the block's keys,
// turned row by row into scale·dS (gradRow, which also adds dS into the mask's gradient), then
// dQ += scale·dS·K; then by key blocks, dK += (scale·dS)ᵀ·Q and dV += Pᵀ·dO over the rows that
// attend those keys (causal: rows i ≥ the block's first key; the depth of those products is L −
// j0). dS of one batch is kept whole ([L, S] scratch) for the key-block pass. The GEMMs read only
// inputs, P, dO and dS, so aliased inputs (self-attention on one tensor) just add several times.
/**
 * Part `part` of `parts` of the backward (batches as forward's). Its scratch, dS [L, S] and the
 * gemm scratch, is taken here on one thread, else the part's in the job's blocks (split).
 */
@inline function backward<R>(rec: usize, part: i32, parts: i32): void {
  const B = parts == 1 ? param(rec, 0) : min(param(rec, 0), (part + 1) * taskArg(J_RUN)), L = param(rec, 1), S = param(rec, 2), E = param(rec, 3), Ev = param(rec, 4);
  const scale = paramf(rec, 5), causal = param(rec, 6) != 0, hasMask = param(rec, 7) != 0;
  const q = ptr(rec, IN), k = ptr(rec, IN + 1), v = ptr(rec, IN + 2), o = ptr(rec, OUT), p = ptr(rec, AUX), g = ptr(rec, GOUT);
  const gq = ptr(rec, GIN), gk = ptr(rec, GIN + 1), gv = ptr(rec, GIN + 2), gm = hasMask ? ptr(rec, GIN + 3) : 0;
  const ds = parts == 1 ? arenaAlloc(f4(L * S)) : taskPtr(J_DS) + f4(part * L * S);
  const ws = parts == 1 ? gemmScratch(max(max(S, E), Ev)) : partGemmScratch(part, J_WS);
  const needDs = gq != 0 || gk != 0 || gm != 0;
  const rb = causal ? RB : L, kbs = causal ? RB : S;
  const r = changetype<R>(0);
  const sq = rowStride(rec, 0), sk = rowStride(rec, 1), sv = rowStride(rec, 2), so = rowStride(rec, 3);
  for (let b = parts == 1 ? 0 : part * taskArg(J_RUN); b < B; b++) {
    const qb = f4(batchAt(rec, 0, b)), kb = f4(batchAt(rec, 1, b)), vb = f4(batchAt(rec, 2, b)), pb = p + f4(b * L * S), ob = f4(batchAt(rec, 3, b));
    const gmb = gm ? gm + f4(b * param(rec, 8)) : 0, mrs = param(rec, 9);
    if (needDs)
      for (let i0 = 0; i0 < L; i0 += rb) {
        const m = min(rb, L - i0), nk = causal ? min(i0 + m, S) : S;
        const d0 = ds + f4(i0 * S);
        gemm(m, nk, Ev, g + ob + f4(i0 * so), so, false, v + vb, sv, true, d0, S, false, ws);
        for (let i = i0; i < i0 + m; i++) {
          const row = ds + f4(i * S), n = attended(i, S, causal);
          const d = r.dot(row, pb + f4(i * S), n, 4);
          gradRow(row, pb + f4(i * S), n, d, scale, gmb ? gmb + f4(i * mrs) : 0);
          clearFrom(row, n, S);
        }
        if (gq) gemm(m, E, nk, d0, S, false, k + kb, sk, false, gq + qb + f4(i0 * sq), sq, true, ws);
      }
    if (gk == 0 && gv == 0) continue;
    for (let j0 = 0; j0 < S; j0 += kbs) {
      const nkb = min(kbs, S - j0), r0 = causal ? j0 : 0;
      if (r0 >= L) break;
      if (gk) gemm(nkb, E, L - r0, ds + f4(r0 * S + j0), S, true, q + qb + f4(r0 * sq), sq, false, gk + kb + f4(j0 * sk), sk, true, ws);
      if (gv) gemm(nkb, Ev, L - r0, pb + f4(r0 * S + j0), S, true, g + ob + f4(r0 * so), so, false, gv + vb + f4(j0 * sv), sv, true, ws);
    }
  }
}

// ---- the split across the worker pool (threads builds) ---------------------------------------
// Batches (batch × head pairs) are independent: a part takes a run of whole batches and computes
// their P, O and gradients with the calls of the single-thread loop, so every element gets the
// same float operations in the same order (bit-identical for any thread count). GIN slices of
// different batches are disjoint (q, k, v and their gradients are [B, ·, ·]); the one shared
// target is a mask gradient broadcast over batches (mask batch stride 0), where batches add into
// the same rows in batch order: that backward stays on one thread. Each part's backward needs its
// own dS block [L, S] and each part its gemm scratch: the main instance takes them from the arena
// before posting (parts gemm blocks, then parts·L·S words; the plan counts planThreads() of each:
// attentionScratchWords), so both directions index one layout (the workers' own scratch goes
// unused).

/**
 * Multiply-adds of the score and P·V products over the attended keys (backward takes about twice
 * that) from which a record is split. Measured (compiled causal forward + backward, L = S = 32,
 * E = 16, wall ms, medians of 15 × 40 steps, 1 vs 2 threads in three alternating pairs of
 * processes, load 8–9): B = 16 (2.7·10⁵) 0.19–0.23 vs 0.19–0.38; B = 32 (5.4·10⁵) 0.43–0.52 vs
 * 0.34–1.03; B = 64 (W7's heads, 1.1·10⁶) 0.91–1.84 vs 0.52–0.65.
 */
const SPLIT_MACS: u64 = 1 << 19;

const FWD = 0, BWD = 1;
// Argument words of a split attention record.
const J_REC = 0, J_RUN = 1, J_DS = 2, J_WS = 3; // J_WS + 1: gemmScratchParts' stride

/**
 * Posts direction `dir` of the record across the pool and returns true, or false when it stays on
 * this thread (small work, or a mask gradient shared by the batches).
 */
function split(rec: usize, dir: i32): bool {
  const t = poolThreads(), B = param(rec, 0), L = param(rec, 1), S = param(rec, 2), E = param(rec, 3), Ev = param(rec, 4);
  if (t <= 1 || B < 2) return false;
  // Keys attended in all: L·S, or the causal triangle's rows min(i + 1, S).
  const C = min(L, S), pairs: u64 = param(rec, 6) ? <u64>C * (C + 1) / 2 + <u64>(L - C) * S : <u64>L * S;
  if (<u64>B * pairs * <u64>(E + Ev) < SPLIT_MACS) return false;
  if (dir == BWD && param(rec, 7) && param(rec, 8) == 0 && ptr(rec, GIN + 3)) return false;
  setTaskArg(J_REC, <i32>rec);
  setTaskArg(J_RUN, (B + t - 1) / t);
  const ws = gemmScratchParts(t, dir == FWD ? max(S, Ev) : max(max(S, E), Ev), J_WS);
  if (dir == FWD) poolRun(attentionFwdTask, ws);
  else {
    setTaskArg(J_DS, <i32>arenaAlloc(f4(t * L * S)));
    poolRun(attentionBwdTask, ws);
  }
  return true;
}

// The tasks (pool.ts Task; their scratch is the job's, see above). The threads builds are SIMD
// builds, hence Row.

function attentionFwdTask(part: i32, parts: i32, ws: usize): void {
  forward<Row>(taskPtr(J_REC), part, parts);
}

function attentionBwdTask(part: i32, parts: i32, ws: usize): void {
  backward<Row>(taskPtr(J_REC), part, parts);
}

export function f32_attention_fwd(rec: usize): void {
  if (ASC_FEATURE_THREADS) if (split(rec, FWD)) return;
  if (ASC_FEATURE_SIMD) forward<Row>(rec, 0, 1);
  else forward<Cols<Lane1, f32>>(rec, 0, 1);
}

export function f32_attention_bwd(rec: usize): void {
  if (ASC_FEATURE_THREADS) if (split(rec, BWD)) return;
  if (ASC_FEATURE_SIMD) backward<Row>(rec, 0, 1);
  else backward<Cols<Lane1, f32>>(rec, 0, 1);
}
