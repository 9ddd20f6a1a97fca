// Fused recurrences (src/ops/recurrent.ts): the whole time loop of one RNN / GRU / LSTM layer and
// direction in one record. Per step, forward: gh = h_prev·W_hhᵀ [N, G·H] with the GEMM of
// gemm.ts (dot products: both operands run along H), then the gate maths row by row, four lanes
// at a time with a scalar tail, reading the precomputed input projection xp_t. Backward runs the
// loop in reverse: the gates' pre-activation gradients dA_t from the saved gates, dxp_t += dA_t,
// the carried dh = dA_t·W_hh (one GEMM per step: the only sequential product), and after the loop
// dW_hh += Σ_t dA_tᵀ·h_prev,t as two GEMMs over all steps at once (the steps whose h_prev is a row
// of the output, which are contiguous in time order, and the one step whose h_prev is h0).
//
// Why one record per layer-direction: the composite cell took ~8 records per step forward and as
// many backward (each a JS call in eager mode and a buffer); here the per-step work is one GEMM and
// one pass over N·G·H gates. Measured (npx tsx bench/recurrent.ts, W8: LSTM 64 → 128, L 50, N 32,
// forward + backward + SGD, CPU ms per step, medians of 9 interleaved rounds on the shared 2-core
// machine at load ~10): fused 26.5 eager / 23.8 compiled, composite cell 59.5 (×2.3 the fused);
// GRU (5 rounds): fused 21.4 / 19.3, composite 57.3 (×3.0).
//
// params: [L, N, H, reverse, kind]; inputs (xp, W_hh, h0, extra) with extra = b_hn (GRU) or c0
// (LSTM); AUX0 the saved gates [L, N, 4H] (GRU: r, z, n, W_hn h + b_hn; LSTM: i, f, g, o), AUX1
// the LSTM's cell states [L, N, H]; the LSTM's output has a row L holding cn.
// Activations: sigmoid as σ(x) = 1/(1 + e^−|x|) mirrored for x < 0 and tanh through e^(2|x|) for
// large |x| (elementwise.ts): saturated gates give exact 0/1 and ±1, never NaN, and their
// derivatives y(1 − y), 1 − y² are then 0.
import { arenaAlloc } from '../arena';
import { DOT_K, DOT_M, MR, UNPACKED_M } from '../generated/contract';
import { partFrom, poolRun, poolThreads, setTaskArg, taskArg, taskPtr } from '../pool';
import { AUX, GIN, GOUT, IN, OUT, param, ptr } from '../record';
import { Lane1, Lane4 } from '../simd';
import { sigmoid1, sigmoidV, tanhV } from './elementwise';
import { gemm, gemmScratch, gemmScratchParts, partGemmScratch } from './gemm';

/** Kernels may run as a part of a pool job (threads builds only: elsewhere the job terms compile away). */
const JOB = ASC_FEATURE_THREADS;

const RNN_TANH: i32 = 0, RNN_RELU: i32 = 1, GRU: i32 = 2, LSTM: i32 = 3;

@inline function gates(kind: i32): i32 {
  return kind == LSTM ? 4 : kind == GRU ? 3 : 1;
}

/** Lane types with the gate activations. */
class Gates4 extends Lane4 {
  @inline sig(x: v128): v128 { return sigmoidV(x); }
  @inline tanh(x: v128): v128 { return tanhV(x); }
}
class Gates1 extends Lane1 {
  @inline sig(x: f32): f32 { return sigmoid1(x); }
  @inline tanh(x: f32): f32 { return Mathf.tanh(x); }
}

// ---- gate maths of one row, columns [j0, j1) (byte offsets o = 4j); hb = 4H, a gate's stride ----

@inline function rnnFwdCols<L, V>(j0: i32, j1: i32, x: usize, q: usize, y: usize, relu: bool): void {
  const l = changetype<L>(0);
  const zero = l.splat(0);
  for (let j = j0; j < j1; j += l.width()) {
    const o = <usize>j << 2;
    const a = pre<L, V>(x, q, o);
    // relu as x < 0 ? 0 : x (NaN stays NaN, as the relu op).
    l.store(y + o, relu ? l.select(l.lt(a, zero), zero, a) : l.tanh(a));
  }
}

/** Gate k's pre-activation at column offset o: its input part xp plus its hidden part h·W_hhᵀ. */
@inline function pre<L, V>(x: usize, q: usize, o: usize): V {
  const l = changetype<L>(0);
  return l.add(l.load(x + o), l.load(q + o));
}

/** The four saved values of a column, a gate's stride hb apart. */
@inline function saveGates<L, V>(p: usize, hb: usize, a: V, b: V, c: V, d: V): void {
  const l = changetype<L>(0);
  l.store(p, a);
  l.store(p + hb, b);
  l.store(p + 2 * hb, c);
  l.store(p + 3 * hb, d);
}

@inline function gruFwdCols<L, V>(j0: i32, j1: i32, x: usize, q: usize, bn: usize, hp: usize, sv: usize, y: usize, hb: usize): void {
  const l = changetype<L>(0);
  for (let j = j0; j < j1; j += l.width()) {
    const o = <usize>j << 2;
    const r = l.sig(pre<L, V>(x, q, o));
    const z = l.sig(pre<L, V>(x, q, hb + o));
    const ghn = l.add(l.load(q + 2 * hb + o), l.load(bn + o));
    const n = l.tanh(l.madd(r, ghn, l.load(x + 2 * hb + o)));
    saveGates<L, V>(sv + o, hb, r, z, n, ghn);
    // (h − n)·z + n, PyTorch's CPU form of (1 − z)·n + z·h.
    l.store(y + o, l.madd(l.sub(l.load(hp + o), n), z, n));
  }
}

@inline function lstmFwdCols<L, V>(j0: i32, j1: i32, x: usize, q: usize, cp: usize, sv: usize, cs: usize, y: usize, hb: usize): void {
  const l = changetype<L>(0);
  for (let j = j0; j < j1; j += l.width()) {
    const o = <usize>j << 2;
    const i = l.sig(pre<L, V>(x, q, o));
    const f = l.sig(pre<L, V>(x, q, hb + o));
    const g = l.tanh(pre<L, V>(x, q, 2 * hb + o));
    const u = l.sig(pre<L, V>(x, q, 3 * hb + o));
    saveGates<L, V>(sv + o, hb, i, f, g, u);
    const c = l.madd(f, l.load(cp + o), l.mul(i, g));
    l.store(cs + o, c);
    l.store(y + o, l.mul(u, l.tanh(c)));
  }
}

/** gx (if any) += v, then dA = w (the hidden side of a gate's gradient). */
@inline function putGrad<L, V>(dA: usize, gx: usize, o: usize, w: V, v: V): void {
  const l = changetype<L>(0);
  l.store(dA + o, w);
  if (gx) l.store(gx + o, l.add(l.load(gx + o), v));
}

/** dy·y(1 − y): a sigmoid's gradient from its output. */
@inline function dsig<L, V>(dy: V, y: V): V {
  const l = changetype<L>(0);
  return l.mul(dy, l.mul(y, l.sub(l.splat(1), y)));
}

/** dy·(1 − y²): tanh's gradient from its output. */
@inline function dtanh<L, V>(dy: V, y: V): V {
  const l = changetype<L>(0);
  return l.mul(dy, l.sub(l.splat(1), l.mul(y, y)));
}

@inline function rnnBwdCols<L, V>(j0: i32, j1: i32, g: usize, dhc: usize, y: usize, dA: usize, gx: usize, relu: bool): void {
  const l = changetype<L>(0);
  const zero = l.splat(0);
  for (let j = j0; j < j1; j += l.width()) {
    const o = <usize>j << 2;
    const dh = l.add(l.load(g + o), l.load(dhc + o));
    const h = l.load(y + o);
    // relu: the gradient passes where the output is > 0 (0 at 0, as the relu op).
    const da = relu ? l.select(l.lt(zero, h), dh, zero) : dtanh<L, V>(dh, h);
    putGrad<L, V>(dA, gx, o, da, da);
  }
}

// h' = (h − n)·z + n, n = tanh(x_n + r·ghn): dn_pre = dh·(1 − z)·(1 − n²); the hidden side of n's
// gradient is r·dn_pre (through ghn = W_hn h + b_hn), the input side dn_pre; h's direct part dh·z
// overwrites the carried dh, to which the caller's GEMM then adds dA·W_hh.
@inline function gruBwdCols<L, V>(j0: i32, j1: i32, g: usize, dhc: usize, hp: usize, sv: usize, dA: usize, gx: usize, hb: usize): void {
  const l = changetype<L>(0);
  const one = l.splat(1);
  for (let j = j0; j < j1; j += l.width()) {
    const o = <usize>j << 2;
    const dh = l.add(l.load(g + o), l.load(dhc + o));
    const r = l.load(sv + o), z = l.load(sv + hb + o), n = l.load(sv + 2 * hb + o), ghn = l.load(sv + 3 * hb + o);
    const dnp = dtanh<L, V>(l.mul(dh, l.sub(one, z)), n);
    const dr = dsig<L, V>(l.mul(dnp, ghn), r);
    putGrad<L, V>(dA, gx, o, dr, dr);
    const dz = dsig<L, V>(l.mul(dh, l.sub(l.load(hp + o), n)), z);
    putGrad<L, V>(dA + hb, gx ? gx + hb : 0, o, dz, dz);
    putGrad<L, V>(dA + 2 * hb, gx ? gx + 2 * hb : 0, o, l.mul(dnp, r), dnp);
    l.store(dhc + o, l.mul(dh, z));
  }
}

// c' = f·c + i·g, h' = o·tanh(c'): dc = dc_carried + dh·o·(1 − tanh²c'), then the gates'
// gradients; the carried dc becomes dc·f.
@inline function lstmBwdCols<L, V>(j0: i32, j1: i32, g: usize, dhc: usize, dcc: usize, cp: usize, sv: usize, cs: usize, dA: usize, gx: usize, hb: usize): void {
  const l = changetype<L>(0);
  for (let j = j0; j < j1; j += l.width()) {
    const o = <usize>j << 2;
    const dh = l.add(l.load(g + o), l.load(dhc + o));
    const i = l.load(sv + o), f = l.load(sv + hb + o), gg = l.load(sv + 2 * hb + o), u = l.load(sv + 3 * hb + o);
    const tc = l.tanh(l.load(cs + o));
    const dc = l.add(l.load(dcc + o), dtanh<L, V>(l.mul(dh, u), tc));
    const di = dsig<L, V>(l.mul(dc, gg), i);
    putGrad<L, V>(dA, gx, o, di, di);
    const df = dsig<L, V>(l.mul(dc, l.load(cp + o)), f);
    putGrad<L, V>(dA + hb, gx ? gx + hb : 0, o, df, df);
    const dg = dtanh<L, V>(l.mul(dc, i), gg);
    putGrad<L, V>(dA + 2 * hb, gx ? gx + 2 * hb : 0, o, dg, dg);
    const du = dsig<L, V>(l.mul(dh, tc), u);
    putGrad<L, V>(dA + 3 * hb, gx ? gx + 3 * hb : 0, o, du, du);
    l.store(dcc + o, l.mul(dc, f));
  }
}

// ---- the loops ------------------------------------------------------------------------------------

/** Time position of loop step s. */
@inline function at(s: i32, L: i32, reverse: bool): i32 {
  return reverse ? L - 1 - s : s;
}

/** dst[i] += src[i], n floats. */
function addInto(dst: usize, src: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), f32x4.add(v128.load(dst + (<usize>i << 2)), v128.load(src + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(dst + (<usize>i << 2)) + load<f32>(src + (<usize>i << 2)));
}

/**
 * Part `part` of `parts` of the forward: batch rows [n0, n1) (rowsFrom) through every step, with
 * the job's shared gh and the part's gemm scratch; one thread (0, 1) takes all rows and its scratch
 * here.
 */
@inline function sequenceFwd(rec: usize, kind: i32, part: i32, parts: i32): void {
  const L = param(rec, 0), N = param(rec, 1), H = param(rec, 2), reverse = param(rec, 3) != 0;
  const GH = gates(kind) * H, relu = kind == RNN_RELU;
  const xp = ptr(rec, IN), w = ptr(rec, IN + 1), extra = ptr(rec, IN + 3);
  const y = ptr(rec, OUT), sv = ptr(rec, AUX), cs = ptr(rec, AUX + 1);
  const gh = JOB && parts > 1 ? taskPtr(J_GH) : arenaAlloc(<usize>N * GH << 2);
  const ws = JOB && parts > 1 ? partGemmScratch(part, J_WS) : gemmScratch(GH);
  const hb = <usize>H << 2, gb = <usize>GH << 2, rowH = <usize>N * hb;
  const H4 = ASC_FEATURE_SIMD ? H & ~3 : 0;
  const n0 = rowsFrom(N, part, parts), n1 = rowsFrom(N, part + 1, parts);
  let hp = ptr(rec, IN + 2), cp = extra;
  for (let s = 0; s < L; s++) {
    const t = <usize>at(s, L, reverse);
    gemm(n1 - n0, GH, H, hp + <usize>n0 * hb, H, false, w, H, true, gh + <usize>n0 * gb, GH, false, ws);
    for (let n: usize = <usize>n0; n < <usize>n1; n++) {
      const x = xp + (t * N + n) * gb, q = gh + n * gb, yr = y + t * rowH + n * hb;
      if (kind == LSTM) {
        const svr = sv + (t * N + n) * 4 * hb, cpr = cp + n * hb, csr = cs + t * rowH + n * hb;
        if (ASC_FEATURE_SIMD) lstmFwdCols<Gates4, v128>(0, H4, x, q, cpr, svr, csr, yr, hb);
        lstmFwdCols<Gates1, f32>(H4, H, x, q, cpr, svr, csr, yr, hb);
      } else if (kind == GRU) {
        const svr = sv + (t * N + n) * 4 * hb, hpr = hp + n * hb;
        if (ASC_FEATURE_SIMD) gruFwdCols<Gates4, v128>(0, H4, x, q, extra, hpr, svr, yr, hb);
        gruFwdCols<Gates1, f32>(H4, H, x, q, extra, hpr, svr, yr, hb);
      } else {
        if (ASC_FEATURE_SIMD) rnnFwdCols<Gates4, v128>(0, H4, x, q, yr, relu);
        rnnFwdCols<Gates1, f32>(H4, H, x, q, yr, relu);
      }
    }
    hp = y + t * rowH;
    cp = cs + t * rowH;
  }
  // The LSTM's row L: the last cell state (c0 for an empty sequence).
  if (kind == LSTM) memory.copy(y + <usize>L * rowH + <usize>n0 * hb, cp + <usize>n0 * hb, <usize>(n1 - n0) * hb);
}

/**
 * Part `part` of `parts` of the backward: the loop over the steps for its rows (as sequenceFwd)
 * with the job's dA, dh, dc. After the join the main instance calls it with part = parts (no rows:
 * the loop does nothing) for the sums over all rows; one thread (0, 1) does everything, with its
 * buffers taken here.
 */
@inline function sequenceBwd(rec: usize, kind: i32, part: i32, parts: i32): void {
  const L = param(rec, 0), N = param(rec, 1), H = param(rec, 2), reverse = param(rec, 3) != 0;
  const GH = gates(kind) * H, relu = kind == RNN_RELU;
  const w = ptr(rec, IN + 1), h0 = ptr(rec, IN + 2), extra = ptr(rec, IN + 3);
  const y = ptr(rec, OUT), g = ptr(rec, GOUT), sv = ptr(rec, AUX), cs = ptr(rec, AUX + 1);
  const gx = ptr(rec, GIN), gw = ptr(rec, GIN + 1), gh0 = ptr(rec, GIN + 2), gex = ptr(rec, GIN + 3);
  const hb = <usize>H << 2, gb = <usize>GH << 2, rowH = <usize>N * hb, rowG = <usize>N * gb;
  const dA = JOB && parts > 1 ? taskPtr(J_DA) : arenaAlloc(<usize>L * rowG);
  const dhc = JOB && parts > 1 ? taskPtr(J_DHC) : arenaAlloc(rowH);
  const dcc = kind == LSTM ? (JOB && parts > 1 ? taskPtr(J_DCC) : arenaAlloc(rowH)) : 0;
  const ws = JOB && parts > 1 ? partGemmScratch(part % parts, J_WS) : gemmScratch(H);
  const H4 = ASC_FEATURE_SIMD ? H & ~3 : 0;
  const n0 = rowsFrom(N, part, parts), n1 = rowsFrom(N, part + 1, parts);
  // The LSTM's cn is row L of the output: its gradient starts the carried dc.
  memory.fill(dhc + <usize>n0 * hb, 0, <usize>(n1 - n0) * hb);
  if (kind == LSTM) memory.copy(dcc + <usize>n0 * hb, g + <usize>L * rowH + <usize>n0 * hb, <usize>(n1 - n0) * hb);
  for (let s = L - 1; s >= 0; s--) {
    const t = <usize>at(s, L, reverse);
    const prev = <usize>at(s - 1, L, reverse);
    const hp = s > 0 ? y + prev * rowH : h0, cp = s > 0 ? cs + prev * rowH : extra;
    for (let n: usize = <usize>n0; n < <usize>n1; n++) {
      const gr = g + t * rowH + n * hb, dhr = dhc + n * hb, dAr = dA + t * rowG + n * gb, gxr = gx ? gx + t * rowG + n * gb : 0;
      if (kind == LSTM) {
        const dcr = dcc + n * hb, cpr = cp + n * hb, svr = sv + (t * N + n) * 4 * hb, csr = cs + t * rowH + n * hb;
        if (ASC_FEATURE_SIMD) lstmBwdCols<Gates4, v128>(0, H4, gr, dhr, dcr, cpr, svr, csr, dAr, gxr, hb);
        lstmBwdCols<Gates1, f32>(H4, H, gr, dhr, dcr, cpr, svr, csr, dAr, gxr, hb);
      } else if (kind == GRU) {
        const hpr = hp + n * hb, svr = sv + (t * N + n) * 4 * hb;
        if (ASC_FEATURE_SIMD) gruBwdCols<Gates4, v128>(0, H4, gr, dhr, hpr, svr, dAr, gxr, hb);
        gruBwdCols<Gates1, f32>(H4, H, gr, dhr, hpr, svr, dAr, gxr, hb);
      } else {
        const yr = y + t * rowH + n * hb;
        if (ASC_FEATURE_SIMD) rnnBwdCols<Gates4, v128>(0, H4, gr, dhr, yr, dAr, gxr, relu);
        rnnBwdCols<Gates1, f32>(H4, H, gr, dhr, yr, dAr, gxr, relu);
      }
    }
    // The carried dh = dA_t·W_hh (the GRU adds it to its direct part dh·z).
    gemm(n1 - n0, H, GH, dA + t * rowG + <usize>n0 * gb, GH, false, w, H, false, dhc + <usize>n0 * hb, H, kind == GRU, ws);
  }
  if (JOB && parts > 1 && part < parts) return;
  if (gw && L > 0) {
    // dW_hh += Σ_t dA_tᵀ·h_prev,t: the steps whose h_prev is the output at the neighbouring time
    // (t − 1 forward, t + 1 reverse: L − 1 contiguous rows of both), then the step after h0.
    const k = (L - 1) * N, first = reverse ? <usize>(L - 1) : 0;
    gemm(GH, H, k, reverse ? dA : dA + rowG, GH, true, reverse ? y + rowH : y, H, false, gw, H, true, ws);
    gemm(GH, H, N, dA + first * rowG, GH, true, h0, H, false, gw, H, true, ws);
  }
  if (gh0) addInto(gh0, dhc, N * H);
  if (kind == LSTM && gex) addInto(gex, dcc, N * H);
  if (kind == GRU && gex) {
    // db_hn = Σ over steps and rows of n's hidden-side gradient, totalled in float64 (L·N terms).
    for (let j: usize = 0; j < <usize>H; j++) {
      let sum: f64 = 0;
      for (let r: usize = 0; r < <usize>(L * N); r++) sum += <f64>load<f32>(dA + r * gb + 2 * hb + (j << 2));
      store<f32>(gex + (j << 2), <f32>(<f64>load<f32>(gex + (j << 2)) + sum));
    }
  }
}

// ---- the split across the worker pool (threads builds) ---------------------------------------
// The batch rows of a recurrence never meet inside the time loop: row n's h_t and c_t depend only
// on row n's h_{t−1}, c_{t−1} and inputs, and backward's carried dh, dc of row n only on row n's
// dA_t (dA_t·W_hh mixes columns, not rows). So a part takes a run of whole rows through the entire
// loop, and a record costs one job, not one per step (the single-thread path's per-step GEMM
// splits by columns with a join each, its gate maths not at all). Backward's sums over all rows
// and steps (dW_hh, db_hn) and the initial states' gradients follow on the main instance after the
// join, as on one thread after the loop. An element gets the single-thread float operations in
// the same order as long as each part's rows take the GEMM path the whole took (gemm.ts gemmPath:
// dot products for h·W_hhᵀ from depth DOT_K on or up to DOT_M rows, in 2-row tiles; dA·W_hh read
// in place up to UNPACKED_M rows): rows are cut in multiples of MR, and a record whose parts would
// change path stays on one thread. The main instance takes the shared buffers (gh; dA, dh, dc:
// parts write disjoint rows) and one gemm scratch per part from the arena before posting (the
// plan counts planThreads() of them).

/**
 * Multiply-adds of the record's per-step products (L·N·G·H·H) from which it is split: one job per
 * record, whose wake-up (tens of µs) the GEMM split's threshold (gemm.ts SPLIT_MACS) also pays for.
 */
const SPLIT_MACS: u64 = 1 << 20;

// Argument words of a split recurrence.
// J_WS + 1: gemmScratchParts' stride.
const J_REC = 0, J_KIND = 1, J_WS = 2, J_GH = 4, J_DA = 4, J_DHC = 5, J_DCC = 6;

/** First batch row of part `part`: runs of whole MR-row tiles, the last one ragged. */
@inline function rowsFrom(N: i32, part: i32, parts: i32): i32 {
  return partFrom(N, part, parts, MR);
}

/** Whether every part's rows take the GEMM path of all N rows: both on the same side of `cut` rows. */
@inline function samePath(N: i32, parts: i32, cut: i32): bool {
  return N <= cut || N - rowsFrom(N, parts - 1, parts) > cut;
}

/**
 * Posts the forward (or backward's loop) of a recurrence of `kind` across the pool and returns
 * true, or false when it stays on this thread.
 */
function split(rec: usize, kind: i32, backward: bool): bool {
  const t = poolThreads(), L = param(rec, 0), N = param(rec, 1), H = param(rec, 2), GH = gates(kind) * H;
  if (t <= 1 || rowsFrom(N, 1, t) >= N) return false;
  if (<u64>L * <u64>N * <u64>GH * <u64>H < SPLIT_MACS) return false;
  if (backward ? !samePath(N, t, UNPACKED_M) : H < DOT_K && !samePath(N, t, DOT_M)) return false;
  setTaskArg(J_REC, <i32>rec);
  setTaskArg(J_KIND, kind);
  if (!backward) {
    setTaskArg(J_GH, <i32>arenaAlloc(<usize>N * GH << 2));
    poolRun(recurrenceFwdTask, gemmScratchParts(t, GH, J_WS));
    return true;
  }
  const rowH = <usize>N * H << 2;
  setTaskArg(J_DA, <i32>arenaAlloc(<usize>L * N * GH << 2));
  setTaskArg(J_DHC, <i32>arenaAlloc(rowH));
  setTaskArg(J_DCC, kind == LSTM ? <i32>arenaAlloc(rowH) : 0);
  poolRun(recurrenceBwdTask, gemmScratchParts(t, H, J_WS));
  // The sums over all rows, on this thread: part `t` of t has no rows.
  bwdPart(rec, kind, t, t);
  return true;
}

// The tasks (pool.ts Task; their scratch is the job's, see above). A part dispatches on the kind
// read at run time to the instantiations with LSTM and GRU constant, as the exported kernels do.

@inline function bwdPart(rec: usize, kind: i32, part: i32, parts: i32): void {
  if (kind == LSTM) sequenceBwd(rec, LSTM, part, parts);
  else if (kind == GRU) sequenceBwd(rec, GRU, part, parts);
  else sequenceBwd(rec, kind, part, parts);
}

function recurrenceFwdTask(part: i32, parts: i32, ws: usize): void {
  const rec = taskPtr(J_REC), kind = taskArg(J_KIND);
  if (kind == LSTM) sequenceFwd(rec, LSTM, part, parts);
  else if (kind == GRU) sequenceFwd(rec, GRU, part, parts);
  else sequenceFwd(rec, kind, part, parts);
}

function recurrenceBwdTask(part: i32, parts: i32, ws: usize): void {
  bwdPart(taskPtr(J_REC), taskArg(J_KIND), part, parts);
}

@inline function fwd(rec: usize, kind: i32): void {
  if (ASC_FEATURE_THREADS) if (split(rec, kind, false)) return;
  sequenceFwd(rec, kind, 0, 1);
}

@inline function bwd(rec: usize, kind: i32): void {
  if (ASC_FEATURE_THREADS) if (split(rec, kind, true)) return;
  sequenceBwd(rec, kind, 0, 1);
}

export function f32_rnn_sequence_fwd(rec: usize): void {
  fwd(rec, param(rec, 4) == RNN_RELU ? RNN_RELU : RNN_TANH);
}
export function f32_rnn_sequence_bwd(rec: usize): void {
  bwd(rec, param(rec, 4) == RNN_RELU ? RNN_RELU : RNN_TANH);
}
export function f32_gru_sequence_fwd(rec: usize): void { fwd(rec, GRU); }
export function f32_gru_sequence_bwd(rec: usize): void { bwd(rec, GRU); }
export function f32_lstm_sequence_fwd(rec: usize): void { fwd(rec, LSTM); }
export function f32_lstm_sequence_bwd(rec: usize): void { bwd(rec, LSTM); }
