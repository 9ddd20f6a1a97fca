// Reductions over one dim, softmax and log-softmax; also the segment machinery that
// assembly/kernels/loss.ts builds on, and the long sums that other kernels call (sumRun,
// columnSums: bias gradients, broadcast copies' backward).
//
// Every op here views its input as [outer, d, inner] around the reduced dim (params P0..P2):
// element (o, k, i) sits at word (o·d + k)·inner + i, and the *segment* (o, ·, i) is the d elements
// reduced together, inner words apart; its result sits at word o·inner + i. (A part of a record cut
// along inner, assembly/split.ts, walks columns 0..P2 − 1 of rows still `innerStride` words long.)
// `eachSegment` walks all segments:
//  - inner == 1: one contiguous row per o, SIMD along the row (`Row`);
//  - inner > 1: four neighbouring segments i..i+3 at once, one per f32x4 lane (`Cols<Lane4>`,
//    their results are contiguous too), then the inner % 4 left one by one (`Cols<Lane1>`).
//  - in the scalar build every segment goes one by one through `Cols<Lane1>` (a row is st = 4).
// An op's kernel is a class whose `run<S, L>` is written once against a segment type S and the
// lane type L of its reduced values (f32 for Row and Cols<Lane1>, v128 for Cols<Lane4>); each
// instantiation inlines into its own loop.
import { AUX, GIN, GOUT, IN, OUT, param, ptr } from '../record';
import { blockSum, hsum, Lane1, Lane4 } from '../simd';
import { partFrom, poolRun, poolThreads, setTaskArg, taskArg, taskPtr } from '../pool';
import { innerStride } from '../split';

// ---- segments ------------------------------------------------------------------------------------
// The loops an op runs along its segments: n elements `st` bytes apart from x (and from y, g, ...,
// which are laid out like x). Reductions return one value per lane; maps write every element.

// The terms of the long sums (assembly/simd.ts blockSum): p plus the term at a (and b).
class SumTerm {
  @inline add<L, V>(p: V, x: usize, unused: usize, m: V): V { const l = changetype<L>(0); return l.add(p, l.load(x)); }
}
class DotTerm {
  @inline add<L, V>(p: V, a: usize, b: usize, m: V): V { const l = changetype<L>(0); return l.madd(l.load(a), l.load(b), p); }
}
/** y = e^(x − m), stored on the way. */
class ExpTerm {
  @inline add<L, V>(p: V, x: usize, y: usize, m: V): V {
    const l = changetype<L>(0), e = l.exp(l.sub(l.load(x), m));
    l.store(y, e);
    return l.add(p, e);
  }
}

export class Cols<L, V> {
  /** max (largest) or min of the segment; NaN wins. */
  @inline extreme(x: usize, n: i32, st: usize, largest: bool): V {
    const l = changetype<L>(0);
    let m: V = l.splat(largest ? -Infinity : Infinity);
    for (let k = 0; k < n; k++, x += st) m = largest ? l.max(m, l.load(x)) : l.min(m, l.load(x));
    return m;
  }
  // The three sums run in blocks with a compensated total (assembly/simd.ts blockSum).
  @inline sum(x: usize, n: i32, st: usize): V {
    return blockSum<SumTerm, L, V>(x, 0, n, st, changetype<L>(0).splat(0));
  }
  /** Σ a·b */
  @inline dot(a: usize, b: usize, n: i32, st: usize): V {
    return blockSum<DotTerm, L, V>(a, b, n, st, changetype<L>(0).splat(0));
  }
  /** y = e^(x − m); returns Σ y. */
  @inline expSum(x: usize, y: usize, n: i32, st: usize, m: V): V {
    return blockSum<ExpTerm, L, V>(x, y, n, st, m);
  }
  /** y *= c */
  @inline scale(y: usize, n: i32, st: usize, c: V): void {
    const l = changetype<L>(0);
    for (let k = 0; k < n; k++, y += st) l.store(y, l.mul(l.load(y), c));
  }
  /** y = (x − m) − c */
  @inline shift(x: usize, y: usize, n: i32, st: usize, m: V, c: V): void {
    const l = changetype<L>(0);
    for (let k = 0; k < n; k++, x += st, y += st) l.store(y, l.sub(l.sub(l.load(x), m), c));
  }
  /** y += c */
  @inline addConst(y: usize, n: i32, st: usize, c: V): void {
    const l = changetype<L>(0);
    for (let k = 0; k < n; k++, y += st) l.store(y, l.add(l.load(y), c));
  }
  /** y += c·x */
  @inline axpy(y: usize, x: usize, n: i32, st: usize, c: V): void {
    const l = changetype<L>(0);
    for (let k = 0; k < n; k++, x += st, y += st) l.store(y, l.madd(c, l.load(x), l.load(y)));
  }
  /** gx += y·(g − c) */
  @inline softmaxBwd(gx: usize, g: usize, y: usize, n: i32, st: usize, c: V): void {
    const l = changetype<L>(0);
    for (let k = 0; k < n; k++, gx += st, g += st, y += st) l.store(gx, l.madd(l.load(y), l.sub(l.load(g), c), l.load(gx)));
  }
  /** gx += g − e^y·c */
  @inline logSoftmaxBwd(gx: usize, g: usize, y: usize, n: i32, st: usize, c: V): void {
    const l = changetype<L>(0);
    for (let k = 0; k < n; k++, gx += st, g += st, y += st) l.store(gx, l.add(l.load(gx), l.sub(l.load(g), l.mul(l.exp(l.load(y)), c))));
  }
}

const V4 = changetype<Cols<Lane4, v128>>(0);
const V1 = changetype<Cols<Lane1, f32>>(0);

@inline function hextreme(v: v128, largest: bool): f32 {
  const a = f32x4.extract_lane(v, 0), b = f32x4.extract_lane(v, 1), c = f32x4.extract_lane(v, 2), d = f32x4.extract_lane(v, 3);
  return largest ? Mathf.max(Mathf.max(a, b), Mathf.max(c, d)) : Mathf.min(Mathf.min(a, b), Mathf.min(c, d));
}
/** Bytes from a row's start to its scalar tail: the first n & ~3 elements go four at a time. */
@inline function tail(n: i32): usize {
  return <usize>(n & ~3) << 2;
}

/**
 * One contiguous segment (inner == 1, st == 4): the same loops as Cols, run as f32x4 steps 16 bytes
 * apart over the first n & ~3 elements and one by one over the rest; reductions fold the lanes.
 */
export class Row {
  @inline extreme(x: usize, n: i32, st: usize, largest: bool): f32 {
    const t = V1.extreme(x + tail(n), n & 3, 4, largest), v = hextreme(V4.extreme(x, n >> 2, 16, largest), largest);
    return largest ? Mathf.max(v, t) : Mathf.min(v, t);
  }
  @inline sum(x: usize, n: i32, st: usize): f32 {
    return hsum(V4.sum(x, n >> 2, 16)) + V1.sum(x + tail(n), n & 3, 4);
  }
  @inline dot(a: usize, b: usize, n: i32, st: usize): f32 {
    return hsum(V4.dot(a, b, n >> 2, 16)) + V1.dot(a + tail(n), b + tail(n), n & 3, 4);
  }
  @inline expSum(x: usize, y: usize, n: i32, st: usize, m: f32): f32 {
    return hsum(V4.expSum(x, y, n >> 2, 16, f32x4.splat(m))) + V1.expSum(x + tail(n), y + tail(n), n & 3, 4, m);
  }
  @inline scale(y: usize, n: i32, st: usize, c: f32): void {
    V4.scale(y, n >> 2, 16, f32x4.splat(c));
    V1.scale(y + tail(n), n & 3, 4, c);
  }
  @inline shift(x: usize, y: usize, n: i32, st: usize, m: f32, c: f32): void {
    V4.shift(x, y, n >> 2, 16, f32x4.splat(m), f32x4.splat(c));
    V1.shift(x + tail(n), y + tail(n), n & 3, 4, m, c);
  }
  @inline addConst(y: usize, n: i32, st: usize, c: f32): void {
    V4.addConst(y, n >> 2, 16, f32x4.splat(c));
    V1.addConst(y + tail(n), n & 3, 4, c);
  }
  @inline axpy(y: usize, x: usize, n: i32, st: usize, c: f32): void {
    V4.axpy(y, x, n >> 2, 16, f32x4.splat(c));
    V1.axpy(y + tail(n), x + tail(n), n & 3, 4, c);
  }
  @inline softmaxBwd(gx: usize, g: usize, y: usize, n: i32, st: usize, c: f32): void {
    V4.softmaxBwd(gx, g, y, n >> 2, 16, f32x4.splat(c));
    V1.softmaxBwd(gx + tail(n), g + tail(n), y + tail(n), n & 3, 4, c);
  }
  @inline logSoftmaxBwd(gx: usize, g: usize, y: usize, n: i32, st: usize, c: f32): void {
    V4.logSoftmaxBwd(gx, g, y, n >> 2, 16, f32x4.splat(c));
    V1.logSoftmaxBwd(gx + tail(n), g + tail(n), y + tail(n), n & 3, 4, c);
  }
}

/** Σ of n contiguous floats at x (both builds): the sum for callers outside the segment walk. */
export function sumRun(x: usize, n: i32): f32 {
  if (ASC_FEATURE_SIMD) return changetype<Row>(0).sum(x, n, 4);
  return V1.sum(x, n, 4);
}

@inline function storeSum<L, V>(p: usize, s: V, add: bool): void {
  const l = changetype<L>(0);
  l.store(p, add ? l.add(l.load(p), s) : s);
}

/** out[j] = Σ_i x[i·cols + j] over `rows` rows (added into out[j] when `add`): column sums, such as bias gradients. */
export function columnSums(x: usize, rows: i32, cols: i32, out: usize, add: bool): void {
  if (ASC_FEATURE_THREADS) if (splitColumns(x, rows, cols, out, add)) return;
  columnsOf(x, rows, cols, <usize>cols << 2, out, add);
}

/** columnSums of `cols` columns whose rows are st bytes apart (all of them, or a run of a split). */
@inline function columnsOf(x: usize, rows: i32, cols: i32, st: usize, out: usize, add: bool): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) for (; j + 4 <= cols; j += 4) storeSum<Lane4, v128>(out + (<usize>j << 2), V4.sum(x + (<usize>j << 2), rows, st), add);
  for (; j < cols; j++) storeSum<Lane1, f32>(out + (<usize>j << 2), V1.sum(x + (<usize>j << 2), rows, st), add);
}

// With a pool, column sums of at least SPLIT_SUMS elements (SPLIT.SUM in src/ops/contract.ts) run
// as runs of whole 4-column groups, one per thread: every column is summed by the same operations
// (SIMD group or scalar tail, rows in order) as in one thread.
export const SPLIT_SUMS: i32 = 1 << 19;
const C_X = 0, C_ROWS = 1, C_COLS = 2, C_OUT = 3, C_ADD = 4;

function splitColumns(x: usize, rows: i32, cols: i32, out: usize, add: bool): bool {
  if (poolThreads() <= 1 || cols < 8 || rows * cols < SPLIT_SUMS) return false;
  setTaskArg(C_X, <i32>x);
  setTaskArg(C_ROWS, rows);
  setTaskArg(C_COLS, cols);
  setTaskArg(C_OUT, <i32>out);
  setTaskArg(C_ADD, add ? 1 : 0);
  poolRun(columnsTask, 0);
  return true;
}

/** Columns [from, to) of the split column sums (pool.ts Task; no scratch). */
function columnsTask(part: i32, parts: i32, ws: usize): void {
  const cols = taskArg(C_COLS), from = partFrom(cols, part, parts, 4), to = partFrom(cols, part + 1, parts, 4);
  if (from >= to) return;
  const at = <usize>from << 2;
  columnsOf(taskPtr(C_X) + at, taskArg(C_ROWS), to - from, <usize>cols << 2, taskPtr(C_OUT) + at, taskArg(C_ADD) != 0);
}

/**
 * Runs K.run<S, L>(rec, xo, ro, d, st) on every segment of the [outer, d, inner] view in P0..P2:
 * xo is the byte offset of the segment's first element (o, 0, i), ro that of its result (o, i),
 * st the bytes between consecutive elements.
 */
@inline export function eachSegment<K>(rec: usize): void {
  const op = changetype<K>(0);
  const outer = param(rec, 0), d = param(rec, 1), inner = param(rec, 2), stride = innerStride(rec, inner);
  const st = <usize>stride << 2;
  for (let o = 0; o < outer; o++) {
    const x0 = <usize>o * d * stride, r0 = <usize>o * stride;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      if (stride == 1) {
        op.run<Row, Lane1>(rec, x0 << 2, r0 << 2, d, st);
        continue;
      }
      for (; i + 4 <= inner; i += 4) op.run<Cols<Lane4, v128>, Lane4>(rec, (x0 + i) << 2, (r0 + i) << 2, d, st);
    }
    for (; i < inner; i++) op.run<Cols<Lane1, f32>, Lane1>(rec, (x0 + i) << 2, (r0 + i) << 2, d, st);
  }
}

/**
 * gx(o, idx[o, i], i) += sign · g(o, i) for every segment: the backward of ops that pick one
 * element per segment (max/min here; nll and the one-hot part of cross-entropy in loss.ts).
 */
export function scatterAdd(rec: usize, idx: usize, sign: f32): void {
  const gx = ptr(rec, GIN), g = ptr(rec, GOUT);
  const outer = param(rec, 0), d = param(rec, 1), inner = param(rec, 2), stride = innerStride(rec, inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const r = (<usize>o * stride + i) << 2;
      const e = ((<usize>o * d + load<i32>(idx + r)) * stride + i) << 2;
      store<f32>(gx + e, load<f32>(gx + e) + sign * load<f32>(g + r));
    }
  }
}

// ---- sum, mean (P3 = divisor: 1 for the sum, d for the mean) --------------------------------------
// The mean divides the segment's sum by d (exact in float32 up to 2²⁴): one rounding, where a product
// with a rounded 1/d would make two. Division by 1 is exact, so the sum is the same kernel.

class SumFwd {
  @inline run<S, L>(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const s = changetype<S>(0), l = changetype<L>(0);
    l.store(ptr(rec, OUT) + ro, l.div(s.sum(ptr(rec, IN) + xo, d, st), l.splat(<f32>param(rec, 3))));
  }
}
class SumBwd {
  @inline run<S, L>(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const s = changetype<S>(0), l = changetype<L>(0);
    s.addConst(ptr(rec, GIN) + xo, d, st, l.div(l.load(ptr(rec, GOUT) + ro), l.splat(<f32>param(rec, 3))));
  }
}
export function f32_sum_dims_fwd(rec: usize): void { eachSegment<SumFwd>(rec); }
export function f32_sum_dims_bwd(rec: usize): void { eachSegment<SumBwd>(rec); }
export function f32_mean_dims_fwd(rec: usize): void { eachSegment<SumFwd>(rec); }
export function f32_mean_dims_bwd(rec: usize): void { eachSegment<SumBwd>(rec); }

/**
 * Runs K.seg(rec, xo, ro, d, st) on every segment one at a time (byte offsets as eachSegment): the
 * walk of the scalar kernels below, which are not hot in training.
 */
@inline export function eachSegment1<K>(rec: usize): void {
  const op = changetype<K>(0);
  const outer = param(rec, 0), d = param(rec, 1), inner = param(rec, 2), stride = innerStride(rec, inner);
  const st = <usize>stride << 2;
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) op.seg(rec, (<usize>o * d * stride + i) << 2, (<usize>o * stride + i) << 2, d, st);
}

// ---- prod (float32 accumulation, as PyTorch's float32 prod) -----------------------------------------
// Accumulated in float32 so that a product past float32's range is ±∞ (or 0) at the step where it
// leaves it, as torch.prod: [1e20, 1e20, 1e-20] is ∞, where a float64 product would come back to
// 1e20. The gradient of Π x by x_k is the product of the others, never y/x_k where x_k = 0: with no
// zero it is (g·p)/x_k; with one zero that element gets the product of the rest, and the others
// PyTorch's (product before)·(product after), which holds the zero: 0, or NaN (0·∞) where another
// element than the zero and x_k itself is ±∞ or NaN; with more zeros, 0.

class ProdFwd {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    let x = ptr(rec, IN) + xo, p: f32 = 1;
    for (let k = 0; k < d; k++, x += st) p *= load<f32>(x);
    store<f32>(ptr(rec, OUT) + ro, p);
  }
}
class ProdBwd {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const x = ptr(rec, IN) + xo, gx = ptr(rec, GIN) + xo, g = load<f32>(ptr(rec, GOUT) + ro);
    let zeros = 0, nonFinite = 0, at: usize = 0, p: f32 = 1;
    for (let k = 0; k < d; k++) {
      const v = load<f32>(x + <usize>k * st);
      if (v == 0) {
        zeros++;
        at = <usize>k * st;
      } else {
        p *= v;
        if (!isFinite(v)) nonFinite++;
      }
    }
    if (zeros == 1) {
      store<f32>(gx + at, load<f32>(gx + at) + g * p);
      if (nonFinite > 0)
        for (let k = 0; k < d; k++) {
          const e = <usize>k * st, v = load<f32>(x + e);
          if (e != at && nonFinite > (isFinite(v) ? 0 : 1)) store<f32>(gx + e, load<f32>(gx + e) + <f32>NaN);
        }
    } else if (zeros == 0)
      for (let k = 0; k < d; k++) {
        const e = <usize>k * st;
        store<f32>(gx + e, load<f32>(gx + e) + (g * p) / load<f32>(x + e));
      }
  }
}
export function f32_prod_dims_fwd(rec: usize): void { eachSegment1<ProdFwd>(rec); }
export function f32_prod_dims_bwd(rec: usize): void { eachSegment1<ProdBwd>(rec); }

// ---- max, min (AUX0: int32 index of the picked element per segment) ------------------------------

class Largest { @inline largest(): bool { return true; } }
class Smallest { @inline largest(): bool { return false; } }

/** Index of the first of n elements (st bytes apart) equal to v; NaN matches the first NaN. */
@inline function firstIndexOf(x: usize, n: i32, st: usize, v: f32): i32 {
  for (let k = 0; k < n; k++, x += st) {
    const a = load<f32>(x);
    if (a == v || (a != a && v != v)) return k;
  }
  return 0; // unreachable: v is one of the elements
}

// The extreme by a SIMD reduction, then its index by a scan that stops at the first match: so ties
// give the lowest index, and a NaN anywhere gives NaN and the first NaN's index.
class ExtremeFwd<E> {
  @inline run<S, L>(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const s = changetype<S>(0), l = changetype<L>(0);
    const x = ptr(rec, IN) + xo, y = ptr(rec, OUT) + ro, idx = ptr(rec, AUX) + ro;
    l.store(y, s.extreme(x, d, st, changetype<E>(0).largest()));
    for (let j = 0; j < l.width(); j++) {
      const lane = <usize>j << 2;
      store<i32>(idx + lane, firstIndexOf(x + lane, d, st, load<f32>(y + lane)));
    }
  }
}
export function f32_max_dim_fwd(rec: usize): void { eachSegment<ExtremeFwd<Largest>>(rec); }
export function f32_max_dim_bwd(rec: usize): void { scatterAdd(rec, ptr(rec, AUX), 1); }
export function f32_min_dim_fwd(rec: usize): void { eachSegment<ExtremeFwd<Smallest>>(rec); }
export function f32_min_dim_bwd(rec: usize): void { scatterAdd(rec, ptr(rec, AUX), 1); }

// argmax/argmin: the extreme goes through OUT (as float bits), then each lane is replaced by the
// int32 index of its first match, as ExtremeFwd finds it.
class ArgFwd<E> {
  @inline run<S, L>(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const s = changetype<S>(0), l = changetype<L>(0);
    const x = ptr(rec, IN) + xo, y = ptr(rec, OUT) + ro;
    l.store(y, s.extreme(x, d, st, changetype<E>(0).largest()));
    for (let j = 0; j < l.width(); j++) {
      const lane = <usize>j << 2;
      store<i32>(y + lane, firstIndexOf(x + lane, d, st, load<f32>(y + lane)));
    }
  }
}
export function f32_argmax_fwd(rec: usize): void { eachSegment<ArgFwd<Largest>>(rec); }
export function f32_argmin_fwd(rec: usize): void { eachSegment<ArgFwd<Smallest>>(rec); }

// ---- amax, amin: gx += g / (number of elements equal to y) on each of them (NaN ties with NaN) ----
// With P3 set (torch.amax's rule), a NaN result sends NaN to every element of its segment instead.

class AmaxFwd<E> {
  @inline run<S, L>(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const s = changetype<S>(0), l = changetype<L>(0);
    l.store(ptr(rec, OUT) + ro, s.extreme(ptr(rec, IN) + xo, d, st, changetype<E>(0).largest()));
  }
}
@inline function ties(a: f32, y: f32): bool {
  return a == y || (a != a && y != y);
}
class AmaxBwd {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const x = ptr(rec, IN) + xo, gx = ptr(rec, GIN) + xo, y = load<f32>(ptr(rec, OUT) + ro);
    const poison = y != y && param(rec, 3) != 0;
    let n = 0;
    for (let k = 0; k < d; k++) if (ties(load<f32>(x + <usize>k * st), y)) n++;
    const share = poison ? <f32>NaN : load<f32>(ptr(rec, GOUT) + ro) / <f32>n;
    for (let k = 0; k < d; k++) {
      const e = <usize>k * st;
      if (poison || ties(load<f32>(x + e), y)) store<f32>(gx + e, load<f32>(gx + e) + share);
    }
  }
}
export function f32_amax_dims_fwd(rec: usize): void { eachSegment<AmaxFwd<Largest>>(rec); }
export function f32_amax_dims_bwd(rec: usize): void { eachSegment1<AmaxBwd>(rec); }
export function f32_amin_dims_fwd(rec: usize): void { eachSegment<AmaxFwd<Smallest>>(rec); }
export function f32_amin_dims_bwd(rec: usize): void { eachSegment1<AmaxBwd>(rec); }

// ---- softmax, log-softmax (output shaped like the input) -----------------------------------------
// Shifting by the segment max m keeps every exponent ≤ 0 (no overflow) and the largest term 1
// (Σ ≥ 1: no 0/0, and ln Σ is well conditioned). Backward uses only the saved output y.

class SoftmaxFwd {
  @inline run<S, L>(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const s = changetype<S>(0), l = changetype<L>(0);
    const x = ptr(rec, IN) + xo, y = ptr(rec, OUT) + xo;
    const z = s.expSum(x, y, d, st, s.extreme(x, d, st, true));
    s.scale(y, d, st, l.div(l.splat(1), z));
  }
}
// gx = y ⊙ (g − Σ g⊙y)
class SoftmaxBwd {
  @inline run<S, L>(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const s = changetype<S>(0);
    const g = ptr(rec, GOUT) + xo, y = ptr(rec, OUT) + xo;
    s.softmaxBwd(ptr(rec, GIN) + xo, g, y, d, st, s.dot(g, y, d, st));
  }
}
export function f32_softmax_fwd(rec: usize): void { eachSegment<SoftmaxFwd>(rec); }
export function f32_softmax_bwd(rec: usize): void { eachSegment<SoftmaxBwd>(rec); }

// y = (x − m) − ln Σ e^(x − m): subtracting the two parts separately keeps y accurate when |m| is
// large (m + ln Σ would round to m's ulp). y holds e^(x − m) until the second pass overwrites it.
class LogSoftmaxFwd {
  @inline run<S, L>(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const s = changetype<S>(0), l = changetype<L>(0);
    const x = ptr(rec, IN) + xo, y = ptr(rec, OUT) + xo;
    const m = s.extreme(x, d, st, true);
    s.shift(x, y, d, st, m, l.log(s.expSum(x, y, d, st, m)));
  }
}
// gx = g − e^y · Σ g
class LogSoftmaxBwd {
  @inline run<S, L>(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const s = changetype<S>(0);
    const g = ptr(rec, GOUT) + xo;
    s.logSoftmaxBwd(ptr(rec, GIN) + xo, g, ptr(rec, OUT) + xo, d, st, s.sum(g, d, st));
  }
}
export function f32_log_softmax_fwd(rec: usize): void { eachSegment<LogSoftmaxFwd>(rec); }
export function f32_log_softmax_bwd(rec: usize): void { eachSegment<LogSoftmaxBwd>(rec); }

// ---- int32: sum (wrapping i32 adds), amax, amin, argmax, argmin -----------------------------------

class SumI32 {
  @inline init(): i32 { return 0; }
  @inline f(a: i32, b: i32): i32 { return a + b; }
}
class MaxI32 {
  @inline init(): i32 { return i32.MIN_VALUE; }
  @inline f(a: i32, b: i32): i32 { return max(a, b); }
}
class MinI32 {
  @inline init(): i32 { return i32.MAX_VALUE; }
  @inline f(a: i32, b: i32): i32 { return min(a, b); }
}
class AllI32 {
  @inline init(): i32 { return 1; }
  @inline f(a: i32, b: i32): i32 { return i32(a != 0 && b != 0); }
}
class AnyI32 {
  @inline init(): i32 { return 0; }
  @inline f(a: i32, b: i32): i32 { return i32(a != 0 || b != 0); }
}
/** The fold of each segment, stored as int32 (T = i32) or as a float32 0/1 mask (T = f32: all, any). */
class FoldI32<F, T> {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const f = changetype<F>(0);
    let x = ptr(rec, IN) + xo, acc = f.init();
    for (let k = 0; k < d; k++, x += st) acc = f.f(acc, load<i32>(x));
    store<T>(ptr(rec, OUT) + ro, <T>acc);
  }
}
export function f32_sum_int_dims_fwd(rec: usize): void { eachSegment1<FoldI32<SumI32, i32>>(rec); }
export function f32_amax_int_dims_fwd(rec: usize): void { eachSegment1<FoldI32<MaxI32, i32>>(rec); }
export function f32_amin_int_dims_fwd(rec: usize): void { eachSegment1<FoldI32<MinI32, i32>>(rec); }
export function f32_all_int_dims_fwd(rec: usize): void { eachSegment1<FoldI32<AllI32, f32>>(rec); }
export function f32_any_int_dims_fwd(rec: usize): void { eachSegment1<FoldI32<AnyI32, f32>>(rec); }

/** The index of the first largest (smallest) int32 of the segment: only a strict improvement moves it. */
class ArgI32<E> {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const x = ptr(rec, IN) + xo, largest = changetype<E>(0).largest();
    let best = 0, v = load<i32>(x);
    for (let k = 1; k < d; k++) {
      const a = load<i32>(x + <usize>k * st);
      if (largest ? a > v : a < v) {
        best = k;
        v = a;
      }
    }
    store<i32>(ptr(rec, OUT) + ro, best);
  }
}
export function f32_argmax_int_fwd(rec: usize): void { eachSegment1<ArgI32<Largest>>(rec); }
export function f32_argmin_int_fwd(rec: usize): void { eachSegment1<ArgI32<Smallest>>(rec); }
