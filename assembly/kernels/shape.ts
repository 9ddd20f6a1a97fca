// Copies and layout kernels: the strided copy (reshape, permute, slice, broadcast), cat/stack,
// embedding and dropout. The data movement is two run helpers: copyRun fills a contiguous output
// run from a strided input run, addRun adds a contiguous gradient run back into a strided one.
// Params are planned in src/ops/shape.ts.
import { AUX, field, GIN, ginIndex, GOUT, IN, inIndex, NIN, numel, OUT, overwrites, param, paramf, ptr } from '../record';
import { rowOffset } from '../strided';
import { sumRun } from './reduce';
import { partFrom, poolRun, poolThreads, setTaskArg, taskArg, taskPtr } from '../pool';

// ---- runs ----------------------------------------------------------------------------------
/** dst[k] = src[k·stride] for k < n. u32, not f32: a bit copy serves float32 and int32 alike. */
@inline export function copyRun(dst: usize, src: usize, n: i32, stride: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (stride == 1) {
      for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
    } else if (stride == 0) {
      const v = v128.load32_splat(src);
      for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v);
    }
  }
  for (; i < n; i++) store<u32>(dst + (<usize>i << 2), load<u32>(src + ((<usize>i * <usize>stride) << 2)));
}

/** dst[k·stride] = src[k] for k < n: copyRun's mirror, a bijective view's gradient written back. */
@inline function setRun(dst: usize, stride: i32, src: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && stride == 1) for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<u32>(dst + ((<usize>i * <usize>stride) << 2), load<u32>(src + (<usize>i << 2)));
}

/**
 * dst[k·stride] += g[k] for k < n, each its own load-add-store. Stride 0 means the run was
 * broadcast from one element, which receives the run's sum (a long sum: reduce.ts sumRun).
 */
@inline export function addRun(dst: usize, stride: i32, g: usize, n: i32): void {
  if (stride == 0) {
    store<f32>(dst, load<f32>(dst) + sumRun(g, n));
    return;
  }
  let i = 0;
  if (ASC_FEATURE_SIMD && stride == 1) {
    for (; i + 4 <= n; i += 4) {
      const j = <usize>i << 2;
      v128.store(dst + j, f32x4.add(v128.load(dst + j), v128.load(g + j)));
    }
  }
  for (; i < n; i++) {
    const p = dst + ((<usize>i * <usize>stride) << 2);
    store<f32>(p, load<f32>(p) + load<f32>(g + (<usize>i << 2)));
  }
}

// ---- strided copy (params: [rank, shape[rank], strides[rank], offset, input size]) ---------
// The output is row-major over `shape`; its element at multi-index idx is
// input[offset + Σ idx·strides]. The plan is collapsed, so the innermost dim is one long run.

/** Byte offset in the input of the first element of outer row `row`. */
@inline function rowStart(rec: usize, row: i32): usize {
  const rank = param(rec, 0);
  return (<usize>param(rec, 1 + 2 * rank) + rowOffset(rec, row, 1 + rank)) << 2;
}

/** Output elements per run (the innermost dim) and that dim's input stride. */
@inline function runLength(rec: usize): i32 {
  return param(rec, param(rec, 0));
}
@inline function runStride(rec: usize): i32 {
  const rank = param(rec, 0);
  return param(rec, 2 * rank);
}

/**
 * Output elements [from, to) of the copy (all of them, or a part's): forward copies them, backward
 * adds their gradient back into the input's (set: writes it, see f32_copy_bwd). Rows go in order
 * and each element is its own load-add-store, so outputs reading the same input element (broadcast
 * dims) all add into it.
 */
function copyElements(rec: usize, from: i32, to: i32, backward: bool, set: bool): void {
  if (from >= to) return; // also an empty plan, whose run length is 0
  const inner = runLength(rec), stride = runStride(rec);
  // y: the output (its gradient), contiguous; x: the input (its gradient), strided.
  const y = backward ? ptr(rec, GOUT) : ptr(rec, OUT), x = backward ? ptr(rec, GIN) : ptr(rec, IN);
  let row = from / inner, at = from - row * inner;
  while (from < to) {
    const n = min(inner - at, to - from);
    const xs = x + rowStart(rec, row) + ((<usize>at * <usize>stride) << 2), ys = y + (<usize>from << 2);
    if (!backward) copyRun(ys, xs, n, stride);
    else if (set) setRun(xs, stride, ys, n);
    else addRun(xs, stride, ys, n);
    from += n;
    row++;
    at = 0;
  }
}

export function f32_copy_fwd(rec: usize): void {
  if (ASC_FEATURE_THREADS) if (splitCopy(rec, false, false)) return;
  copyElements(rec, 0, numel(rec), false, false);
}
export function f32_copy_int_fwd(rec: usize): void { f32_copy_fwd(rec); }

/**
 * A record that overwrites its fresh input gradient (FLAG_OVERWRITE) writes it when the view is a
 * bijection (a reshape, permute or flip: every input element read exactly once), and otherwise
 * (slices, broadcasts) clears it here and adds as usual.
 */
export function f32_copy_bwd(rec: usize): void {
  const gx = ptr(rec, GIN);
  if (gx == 0) return;
  const fresh = overwrites(rec, 0), size = param(rec, 2 + 2 * param(rec, 0));
  const set = fresh && size == numel(rec) && injective(rec);
  if (fresh && !set) memory.fill(gx, 0, <usize>size << 2);
  if (ASC_FEATURE_THREADS) if (splitCopy(rec, true, set)) return;
  copyElements(rec, 0, numel(rec), true, set);
}

// With a pool, a large copy runs as runs of 16-element blocks of its output, one run per thread
// (a part may start and end inside a row). Every output element is written once, by a bit copy;
// the backward adds each into its input element with one add (f32x4 or scalar: the same rounding),
// so 1 and 2 threads give the same bits as long as no two output elements read the same input
// element. A view that might (a zero stride: expand, repeat; overlapping strides) keeps its
// backward on one thread, where the adds into a shared element run in output order.

/**
 * Output elements from which a copy splits: from contiguous input runs (stride 1: reshapes,
 * slices along outer dims), or by strided gathers (transposes, permutes, flips). Measured (eager
 * forward, medians of 200 copies, wall µs, 1 vs 2 threads in alternating processes, load ~4):
 * contiguous 2¹⁹ 44–48 vs 46, 2²⁰ 91–94 vs 48–49; transpose [2048, 64] (2¹⁷) 77 vs 40,
 * [4096, 64] 167–174 vs 86, 512² 294–324 vs 152. W7's [512, 64] (2¹⁵) takes 23 µs and stays inline.
 */
const SPLIT_RUNS = 1 << 20, SPLIT_GATHERS = 1 << 17;
const K_REC = 0, K_BWD = 1, K_SET = 2;

function splitCopy(rec: usize, backward: bool, set: bool): bool {
  if (poolThreads() <= 1 || numel(rec) < (runStride(rec) == 1 ? SPLIT_RUNS : SPLIT_GATHERS)) return false;
  if (backward && !injective(rec)) return false;
  setTaskArg(K_REC, <i32>rec);
  setTaskArg(K_BWD, backward ? 1 : 0);
  setTaskArg(K_SET, set ? 1 : 0);
  poolRun(copyTask, 0);
  return true;
}

/** Output elements [partFrom(part), partFrom(part + 1)) of the job's copy, cut at multiples of 16 (pool.ts Task; no scratch). */
function copyTask(part: i32, parts: i32, ws: usize): void {
  const rec = taskPtr(K_REC), n = numel(rec);
  copyElements(rec, partFrom(n, part, parts, 16), partFrom(n, part + 1, parts, 16), taskArg(K_BWD) != 0, taskArg(K_SET) != 0);
}

/**
 * Does the plan read every input element at most once? Sufficient test: taking the dims by
 * increasing |stride|, each |stride| exceeds the farthest offset the smaller ones reach together
 * (Σ |stride|·(d − 1)), so digits in this mixed radix never collide. Permutes, slices and flips
 * pass; a zero stride (expand, repeat) does not.
 */
function injective(rec: usize): bool {
  const rank = param(rec, 0);
  let reach: i64 = 0, used: u32 = 0;
  for (let taken = 0; taken < rank; taken++) {
    let best = -1, bestStride: i64 = 0;
    for (let k = 0; k < rank; k++) {
      const st = <i64>abs(param(rec, 1 + rank + k));
      if ((used & (1 << k)) == 0 && (best < 0 || st < bestStride)) {
        best = k;
        bestStride = st;
      }
    }
    if (bestStride <= reach) return false;
    used |= 1 << best;
    reach += bestStride * <i64>(param(rec, 1 + best) - 1);
  }
  return true;
}

// ---- cat / stack (params: [outer, total, len_0..len_{NIN-1}]) ------------------------------
// The output is `outer` rows of `total` elements; in each row, input j's contiguous block of
// len_j elements follows the blocks of inputs 0..j-1. Inputs past the 4 fixed slots have their
// pointers in the record's end words (inIndex, ginIndex).

/**
 * Rows [r0, r1) of the join, and of each block only elements [partFrom(len, part), partFrom(len,
 * part + 1)) (part 0 of 1: whole blocks). Forward copies the blocks in; backward adds each block of
 * the gradient into its input's. Inputs may alias (cat([x, x])): then one gradient element gets
 * the adds of several blocks, in block order, and always in the same part (aliased blocks have the
 * same length, so the same cut).
 */
function joinRows(rec: usize, r0: i32, r1: i32, part: i32, parts: i32, backward: bool): void {
  const total = param(rec, 1), y = backward ? ptr(rec, GOUT) : ptr(rec, OUT);
  for (let j = 0, at = 0; j < field(rec, NIN); j++) {
    const len = param(rec, 2 + j), from = partFrom(len, part, parts, 16), n = partFrom(len, part + 1, parts, 16) - from;
    const x = ptr(rec, backward ? ginIndex(j) : inIndex(j));
    const xs = x + ((<usize>r0 * len + from) << 2), ys = y + ((<usize>r0 * total + at + from) << 2);
    if (!backward) for (let row = 0; row < r1 - r0; row++) copyRun(ys + ((<usize>row * total) << 2), xs + ((<usize>row * len) << 2), n, 1);
    else if (x != 0) for (let row = 0; row < r1 - r0; row++) addRun(xs + ((<usize>row * len) << 2), 1, ys + ((<usize>row * total) << 2), n);
    at += len;
  }
}

function join(rec: usize, backward: bool): void {
  if (ASC_FEATURE_THREADS) if (splitJoin(rec, backward)) return;
  joinRows(rec, 0, param(rec, 0), 0, 1, backward);
}

export function f32_cat_fwd(rec: usize): void { join(rec, false); }
export function f32_cat_bwd(rec: usize): void { join(rec, true); }
export function f32_cat_int_fwd(rec: usize): void { join(rec, false); }

// With a pool, a join of at least SPLIT_RUNS elements (contiguous runs, as the copies') runs as
// runs of whole rows, one per thread, or, with fewer than JOIN_ROWS rows (cat along dim 0 has one),
// every part takes its 16-element-aligned share of each block. Either way an input (gradient)
// element is touched by one part with the single-thread operations: bit-identical for any count.
const JOIN_ROWS = 16;
const J_REC = 0, J_BWD = 1;

function splitJoin(rec: usize, backward: bool): bool {
  if (poolThreads() <= 1 || numel(rec) < SPLIT_RUNS) return false;
  setTaskArg(J_REC, <i32>rec);
  setTaskArg(J_BWD, backward ? 1 : 0);
  poolRun(joinTask, 0);
  return true;
}

/** Part `part` of a join job (pool.ts Task; no scratch): its run of rows, or its share of every block. */
function joinTask(part: i32, parts: i32, ws: usize): void {
  const rec = taskPtr(J_REC), outer = param(rec, 0), backward = taskArg(J_BWD) != 0;
  if (outer < JOIN_ROWS) joinRows(rec, 0, outer, part, parts, backward);
  else joinRows(rec, partFrom(outer, part, parts, 1), partFrom(outer, part + 1, parts, 1), 0, 1, backward);
}

// ---- embedding (params: [d, n, count]) -----------------------------------------------------
/** Row index at position p; TS checked every index, so a bad one means a corrupted tape. */
@inline function rowIndex(idx: usize, p: i32, n: i32): usize {
  const k = load<i32>(idx + (<usize>p << 2));
  if (<u32>k >= <u32>n) abort('wasmgrad.embedding: index out of range in kernel');
  return <usize>k;
}

export function f32_embedding_fwd(rec: usize): void {
  const o = ptr(rec, OUT), idx = ptr(rec, IN), w = ptr(rec, IN + 1);
  const d = param(rec, 0), n = param(rec, 1), count = param(rec, 2);
  for (let p = 0; p < count; p++) copyRun(o + ((<usize>p * d) << 2), w + ((rowIndex(idx, p, n) * d) << 2), d, 1);
}

// Scatter-add in index order: a row picked several times accumulates every position's gradient.
export function f32_embedding_bwd(rec: usize): void {
  if (ptr(rec, GIN + 1) == 0) return;
  if (ASC_FEATURE_THREADS) {
    if (embeddingSplit(rec)) return;
  }
  embeddingColumnsBwd(rec, 0, param(rec, 0));
}

/** Columns [c0, c1) of the embedding backward: every position in order adds those columns of its gradient row into its table row's. */
function embeddingColumnsBwd(rec: usize, c0: i32, c1: i32): void {
  const g = ptr(rec, GOUT) + (<usize>c0 << 2), idx = ptr(rec, IN), gw = ptr(rec, GIN + 1) + (<usize>c0 << 2);
  const d = param(rec, 0), n = param(rec, 1), count = param(rec, 2);
  for (let p = 0; p < count; p++) addRun(gw + ((rowIndex(idx, p, n) * d) << 2), 1, g + ((<usize>p * d) << 2), c1 - c0);
}

// The embedding backward across the worker pool (threads builds): by columns of the table, in
// runs of 16 (whole 64-byte lines of a row); each part walks every position in order over its
// columns, so each gradient element receives the single-thread adds in the same order (one add
// per element, on the SIMD or the scalar path alike): bit-identical for any thread count.

/** Gradient elements added (count·d) from which the embedding backward splits: one add each, as the plain maps (SPLIT.MAP in src/ops/contract.ts). */
const EMBEDDING_SPLIT: u64 = 1 << 18;

/** Runs the embedding backward's columns across the pool and returns true, or false when it stays inline. */
function embeddingSplit(rec: usize): bool {
  const d = param(rec, 0), t = poolThreads();
  if (t <= 1 || d < 32 || <u64>param(rec, 2) * <u64>d < EMBEDDING_SPLIT) return false;
  setTaskArg(0, <i32>rec);
  poolRun(embeddingTask, 0);
  return true;
}

/** Part `part` of an embedding backward (pool.ts Task; argument 0: the record): its run of columns. */
function embeddingTask(part: i32, parts: i32, ws: usize): void {
  const rec = taskPtr(0), d = param(rec, 0);
  embeddingColumnsBwd(rec, partFrom(d, part, parts, 16), partFrom(d, part + 1, parts, 16));
}

// ---- dropout (params: [threshold, scale as f32 bits]; AUX 0: the seed) --------------------
// Element i is kept iff hash(seed, i) ≥ threshold (unsigned), then scaled. The hash is murmur3's
// 32-bit finaliser of the Weyl sequence seed + i·φ, bit-identical to dropoutHash in
// src/ops/shape.ts (u32 arithmetic wraps like Math.imul). The forward kernel draws the seed from
// the global random stream when it runs and saves it in its one AUX word; backward recomputes the
// mask from that seed: a few integer ops per element instead of a saved mask.

/**
 * The global random stream's sfc32 state [a, b, c, d] once wg.init() has moved it here
 * (src/random.ts moveStream; the JS side reads and writes the same 4 words).
 */
export const STREAM: usize = memory.data(16, 16);

/** One sfc32 step on the state at s, bit-identical to sfc32Next in src/random.ts. */
@inline function sfc32Next(s: usize): u32 {
  const a = load<u32>(s), b = load<u32>(s, 4), c = load<u32>(s, 8), d = load<u32>(s, 12);
  const t = a + b + d;
  store<u32>(s, b ^ (b >>> 9));
  store<u32>(s, c + (c << 3), 4);
  store<u32>(s, rotl<u32>(c, 21) + t, 8);
  store<u32>(s, d + 1, 12);
  return t;
}
const PHI: u32 = 0x9e3779b9;
const M1: u32 = 0x85ebca6b;
const M2: u32 = 0xc2b2ae35;

@inline function hash(seed: u32, i: u32): u32 {
  let h = seed + i * PHI;
  h ^= h >>> 16;
  h *= M1;
  h ^= h >>> 13;
  h *= M2;
  return h ^ (h >>> 16);
}

@inline function hashv(seed: v128, i: v128): v128 {
  let h = i32x4.add(seed, i32x4.mul(i, i32x4.splat(<i32>PHI)));
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(<i32>M1));
  h = v128.xor(h, i32x4.shr_u(h, 13));
  h = i32x4.mul(h, i32x4.splat(<i32>M2));
  return v128.xor(h, i32x4.shr_u(h, 16));
}

/** dst = mask·scale·src (forward, and a backward that overwrites its fresh gradient) or dst += mask·scale·src (accumulate). */
@inline function maskedScale(rec: usize, seed: u32, dst: usize, src: usize, accumulate: bool): void {
  const n = numel(rec);
  const thr = <u32>param(rec, 0), scale = paramf(rec, 1);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vseed = i32x4.splat(seed), vthr = i32x4.splat(thr), vscale = f32x4.splat(scale);
    let vi = i32x4(0, 1, 2, 3);
    for (; i + 4 <= n; i += 4) {
      const j = <usize>i << 2;
      // The all-ones compare lanes select the kept products, dropped lanes become +0.
      let y = v128.and(f32x4.mul(v128.load(src + j), vscale), i32x4.ge_u(hashv(vseed, vi), vthr));
      if (accumulate) y = f32x4.add(v128.load(dst + j), y);
      v128.store(dst + j, y);
      vi = i32x4.add(vi, i32x4.splat(4));
    }
  }
  for (; i < n; i++) {
    const j = <usize>i << 2;
    let y: f32 = hash(seed, <u32>i) >= thr ? load<f32>(src + j) * scale : 0;
    if (accumulate) y += load<f32>(dst + j);
    store<f32>(dst + j, y);
  }
}

export function f32_dropout_fwd(rec: usize): void {
  const seed = sfc32Next(STREAM);
  store<u32>(ptr(rec, AUX), seed);
  maskedScale(rec, seed, ptr(rec, OUT), ptr(rec, IN), false);
}
export function f32_dropout_bwd(rec: usize): void {
  const gx = ptr(rec, GIN);
  if (gx != 0) maskedScale(rec, load<u32>(ptr(rec, AUX)), gx, ptr(rec, GOUT), !overwrites(rec, 0));
}

// dropoutSeeded: the mask of the seed in input 1 (dropout's gradient as an op, for createGraph).
export function f32_dropout_seeded_fwd(rec: usize): void {
  maskedScale(rec, load<u32>(ptr(rec, IN + 1)), ptr(rec, OUT), ptr(rec, IN), false);
}
export function f32_dropout_seeded_bwd(rec: usize): void {
  const gx = ptr(rec, GIN);
  if (gx != 0) maskedScale(rec, load<u32>(ptr(rec, IN + 1)), gx, ptr(rec, GOUT), !overwrites(rec, 0));
}
