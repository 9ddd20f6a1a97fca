// Reductions over one dim, softmax and log-softmax; also the segment machinery and the vector
// exp/log that assembly/kernels/loss.ts builds on.
//
// Every op here views its input as [outer, d, inner] around the reduced dim (params P0..P2):
// element (o, k, i) sits at word (o·d + k)·inner + i, and the *segment* (o, ·, i) is the d elements
// reduced together, inner words apart; its result sits at word o·inner + i. `eachSegment` walks
// all segments:
//  - inner == 1: one contiguous row per o, SIMD along the row (`Row`);
//  - inner > 1: four neighbouring segments i..i+3 at once, one per f32x4 lane (`Cols<Lane4>`,
//    their results are contiguous too), then the inner % 4 left one by one (`Cols<Lane1>`).
// An op's kernel is a class whose `run<S, L>` is written once against a segment type S and the
// lane type L of its reduced values (f32 for Row and Cols<Lane1>, v128 for Cols<Lane4>); each
// instantiation inlines into its own loop.
import { AUX, GIN, GOUT, IN, OUT, param, paramf, ptr } from '../record';

// ---- vector exp and log (f32x4 has neither) ----------------------------------------------------

/**
 * e^x in four lanes. x = n·ln2 + r with n = round(x·log2 e), |r| ≤ ln2/2; ln2 is split into a
 * short high part (n·0.693359375 is exact) and a low correction (Cody–Waite), so r carries no
 * error from the reduction. e^r by Cephes' expf polynomial (≈ 1 ulp); 2^n goes straight into the
 * exponent bits. Below ln(FLT_MIN) ≈ −87.34 (subnormal results) the result is 0; x is capped at
 * 88.7228, so n ≤ 128 and the result overflows to +Inf from x ≈ 88.38 (float32's own limit is
 * 88.72). NaN stays NaN. Softmax and the losses only exponentiate x ≤ 0.
 */
// @ts-ignore: decorator
@inline export function expv(x: v128): v128 {
  const xc = f32x4.min(x, f32x4.splat(88.72283));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const er = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(er, pow2n), f32x4.lt(x, f32x4.splat(-87.33654)));
}

/**
 * ln x in four lanes (Cephes logf): x = m·2^e with m ∈ [√½, √2), ln x = e·ln2 + ln(1 + f) with
 * f = m − 1 and ln(1 + f) = f − f²/2 + f³·P(f) (≈ 1 ulp); e·ln2 is added in two parts as in expv.
 * Subnormals are scaled by 2^23 first. x = 0 → −Inf, x < 0 → NaN, +Inf and NaN pass through.
 */
// @ts-ignore: decorator
@inline export function logv(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608)), x, tiny);
  // Exponent and mantissa with m ∈ [0.5, 1): x = m·2^e.
  let e = i32x4.add(i32x4.sub(i32x4.shr_u(xs, 23), i32x4.splat(126)), v128.and(tiny, i32x4.splat(-23)));
  const m = v128.or(v128.and(xs, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  // Below √½ take 2m and e − 1 (the mask is −1 in those lanes), so f = m − 1 ∈ [√½ − 1, √2 − 1).
  const low = f32x4.lt(m, f32x4.splat(0.707106781));
  e = i32x4.add(e, low);
  const f = f32x4.sub(f32x4.add(m, v128.and(m, low)), f32x4.splat(1));
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(f, f);
  let p = f32x4.splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(-1.1514610310e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.1676998740e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(-2.4999993993e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let r = f32x4.add(f32x4.add(f, y), f32x4.mul(ef, f32x4.splat(0.693359375)));
  r = v128.bitselect(x, r, v128.or(f32x4.ne(x, x), f32x4.eq(x, f32x4.splat(Infinity))));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0)));
  return v128.bitselect(f32x4.splat(NaN), r, f32x4.lt(x, f32x4.splat(0)));
}

/**
 * ln(1 + u) in four lanes (u ≥ −1). Goldberg's trick: w = 1 + u rounds, but w − 1 is exact and
 * ln(w)/(w − 1) varies slowly, so ln(w)·u/(w − 1) cancels the rounding; where w == 1, ln(1+u) = u.
 */
// @ts-ignore: decorator
@inline function log1pv(u: v128): v128 {
  const w = f32x4.add(u, f32x4.splat(1));
  const r = f32x4.div(f32x4.mul(logv(w), u), f32x4.sub(w, f32x4.splat(1)));
  return v128.bitselect(u, r, f32x4.eq(w, f32x4.splat(1)));
}

// ---- lanes: arithmetic on reduced values, f32 (Lane1) or four side by side (Lane4) -------------
// max/min let NaN win, as PyTorch's max/min (f32.max and f32x4.max both do).

export class Lane4 {
  @inline width(): i32 { return 4; }
  @inline load(p: usize): v128 { return v128.load(p); }
  @inline store(p: usize, v: v128): void { v128.store(p, v); }
  @inline splat(x: f32): v128 { return f32x4.splat(x); }
  @inline add(a: v128, b: v128): v128 { return f32x4.add(a, b); }
  @inline sub(a: v128, b: v128): v128 { return f32x4.sub(a, b); }
  @inline mul(a: v128, b: v128): v128 { return f32x4.mul(a, b); }
  @inline div(a: v128, b: v128): v128 { return f32x4.div(a, b); }
  @inline neg(a: v128): v128 { return f32x4.neg(a); }
  @inline abs(a: v128): v128 { return f32x4.abs(a); }
  @inline max(a: v128, b: v128): v128 { return f32x4.max(a, b); }
  @inline min(a: v128, b: v128): v128 { return f32x4.min(a, b); }
  @inline lt(a: v128, b: v128): v128 { return f32x4.lt(a, b); }
  /** m ? a : b per lane. */
  @inline select(m: v128, a: v128, b: v128): v128 { return v128.bitselect(a, b, m); }
  /** 1, −1 or 0 (also for NaN). */
  @inline sign(a: v128): v128 {
    const zero = f32x4.splat(0);
    return v128.or(v128.and(f32x4.gt(a, zero), f32x4.splat(1)), v128.and(f32x4.lt(a, zero), f32x4.splat(-1)));
  }
  @inline exp(a: v128): v128 { return expv(a); }
  @inline log(a: v128): v128 { return logv(a); }
  @inline log1p(a: v128): v128 { return log1pv(a); }
  /** Lane j reads segment j (4j bytes on from p) at the int32 index idx[j]: p + idx[j]·st + 4j. */
  @inline gather(p: usize, idx: usize, st: usize): v128 {
    let v = f32x4.splat(0);
    v = f32x4.replace_lane(v, 0, load<f32>(p + <usize>load<i32>(idx) * st));
    v = f32x4.replace_lane(v, 1, load<f32>(p + 4 + <usize>load<i32>(idx, 4) * st));
    v = f32x4.replace_lane(v, 2, load<f32>(p + 8 + <usize>load<i32>(idx, 8) * st));
    return f32x4.replace_lane(v, 3, load<f32>(p + 12 + <usize>load<i32>(idx, 12) * st));
  }
}

export class Lane1 {
  @inline width(): i32 { return 1; }
  @inline load(p: usize): f32 { return load<f32>(p); }
  @inline store(p: usize, v: f32): void { store<f32>(p, v); }
  @inline splat(x: f32): f32 { return x; }
  @inline add(a: f32, b: f32): f32 { return a + b; }
  @inline sub(a: f32, b: f32): f32 { return a - b; }
  @inline mul(a: f32, b: f32): f32 { return a * b; }
  @inline div(a: f32, b: f32): f32 { return a / b; }
  @inline neg(a: f32): f32 { return -a; }
  @inline abs(a: f32): f32 { return Mathf.abs(a); }
  @inline max(a: f32, b: f32): f32 { return Mathf.max(a, b); }
  @inline min(a: f32, b: f32): f32 { return Mathf.min(a, b); }
  @inline lt(a: f32, b: f32): bool { return a < b; }
  @inline select(m: bool, a: f32, b: f32): f32 { return select<f32>(a, b, m); }
  @inline sign(a: f32): f32 { return a > 0 ? 1 : a < 0 ? -1 : 0; }
  @inline exp(a: f32): f32 { return Mathf.exp(a); }
  @inline log(a: f32): f32 { return Mathf.log(a); }
  @inline log1p(a: f32): f32 { return Mathf.log1p(a); }
  @inline gather(p: usize, idx: usize, st: usize): f32 { return load<f32>(p + <usize>load<i32>(idx) * st); }
}

// ---- segments ------------------------------------------------------------------------------------
// The loops an op runs along its segments: n elements `st` bytes apart from x (and from y, g, ...,
// which are laid out like x). Reductions return one value per lane; maps write every element.

export class Cols<L, V> {
  /** max (largest) or min of the segment; NaN wins. */
  @inline extreme(x: usize, n: i32, st: usize, largest: bool): V {
    const l = changetype<L>(0);
    let m: V = l.splat(largest ? -Infinity : Infinity);
    for (let k = 0; k < n; k++, x += st) m = largest ? l.max(m, l.load(x)) : l.min(m, l.load(x));
    return m;
  }
  @inline sum(x: usize, n: i32, st: usize): V {
    const l = changetype<L>(0);
    let s: V = l.splat(0);
    for (let k = 0; k < n; k++, x += st) s = l.add(s, l.load(x));
    return s;
  }
  /** Σ a·b */
  @inline dot(a: usize, b: usize, n: i32, st: usize): V {
    const l = changetype<L>(0);
    let s: V = l.splat(0);
    for (let k = 0; k < n; k++, a += st, b += st) s = l.add(s, l.mul(l.load(a), l.load(b)));
    return s;
  }
  /** y = e^(x − m); returns Σ y. */
  @inline expSum(x: usize, y: usize, n: i32, st: usize, m: V): V {
    const l = changetype<L>(0);
    let s: V = l.splat(0);
    for (let k = 0; k < n; k++, x += st, y += st) {
      const e = l.exp(l.sub(l.load(x), m));
      l.store(y, e);
      s = l.add(s, e);
    }
    return s;
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
    for (let k = 0; k < n; k++, x += st, y += st) l.store(y, l.add(l.load(y), l.mul(c, l.load(x))));
  }
  /** gx += y·(g − c) */
  @inline softmaxBwd(gx: usize, g: usize, y: usize, n: i32, st: usize, c: V): void {
    const l = changetype<L>(0);
    for (let k = 0; k < n; k++, gx += st, g += st, y += st) l.store(gx, l.add(l.load(gx), l.mul(l.load(y), l.sub(l.load(g), c))));
  }
  /** gx += g − e^y·c */
  @inline logSoftmaxBwd(gx: usize, g: usize, y: usize, n: i32, st: usize, c: V): void {
    const l = changetype<L>(0);
    for (let k = 0; k < n; k++, gx += st, g += st, y += st) l.store(gx, l.add(l.load(gx), l.sub(l.load(g), l.mul(l.exp(l.load(y)), c))));
  }
}

const V4 = changetype<Cols<Lane4, v128>>(0);
const V1 = changetype<Cols<Lane1, f32>>(0);

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}
// @ts-ignore: decorator
@inline function hextreme(v: v128, largest: bool): f32 {
  const a = f32x4.extract_lane(v, 0), b = f32x4.extract_lane(v, 1), c = f32x4.extract_lane(v, 2), d = f32x4.extract_lane(v, 3);
  return largest ? Mathf.max(Mathf.max(a, b), Mathf.max(c, d)) : Mathf.min(Mathf.min(a, b), Mathf.min(c, d));
}
/** Bytes from a row's start to its scalar tail: the first n & ~3 elements go four at a time. */
// @ts-ignore: decorator
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

/**
 * Runs K.run<S, L>(rec, xo, ro, d, st) on every segment of the [outer, d, inner] view in P0..P2:
 * xo is the byte offset of the segment's first element (o, 0, i), ro that of its result (o, i),
 * st the bytes between consecutive elements.
 */
// @ts-ignore: decorator
@inline export function eachSegment<K>(rec: usize): void {
  const op = changetype<K>(0);
  const outer = param(rec, 0), d = param(rec, 1), inner = param(rec, 2);
  const st = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const x0 = <usize>o * d * inner, r0 = <usize>o * inner;
    if (inner == 1) {
      op.run<Row, Lane1>(rec, x0 << 2, r0 << 2, d, st);
      continue;
    }
    let i = 0;
    for (; i + 4 <= inner; i += 4) op.run<Cols<Lane4, v128>, Lane4>(rec, (x0 + i) << 2, (r0 + i) << 2, d, st);
    for (; i < inner; i++) op.run<Cols<Lane1, f32>, Lane1>(rec, (x0 + i) << 2, (r0 + i) << 2, d, st);
  }
}

/**
 * gx(o, idx[o, i], i) += sign · g(o, i) for every segment: the backward of ops that pick one
 * element per segment (max/min here; nll and the one-hot part of cross-entropy in loss.ts).
 */
export function scatterAdd(rec: usize, idx: usize, sign: f32): void {
  const gx = ptr(rec, GIN), g = ptr(rec, GOUT);
  const outer = param(rec, 0), d = param(rec, 1), inner = param(rec, 2);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const r = (<usize>o * inner + i) << 2;
      const e = ((<usize>o * d + load<i32>(idx + r)) * inner + i) << 2;
      store<f32>(gx + e, load<f32>(gx + e) + sign * load<f32>(g + r));
    }
  }
}

// ---- sum, mean (P3 = scale: 1, or 1/d for the mean) ----------------------------------------------

class SumFwd {
  @inline run<S, L>(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const s = changetype<S>(0), l = changetype<L>(0);
    l.store(ptr(rec, OUT) + ro, l.mul(s.sum(ptr(rec, IN) + xo, d, st), l.splat(paramf(rec, 3))));
  }
}
class SumBwd {
  @inline run<S, L>(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const s = changetype<S>(0), l = changetype<L>(0);
    s.addConst(ptr(rec, GIN) + xo, d, st, l.mul(l.load(ptr(rec, GOUT) + ro), l.splat(paramf(rec, 3))));
  }
}
export function f32_sum_fwd(rec: usize): void { eachSegment<SumFwd>(rec); }
export function f32_sum_bwd(rec: usize): void { eachSegment<SumBwd>(rec); }
export function f32_mean_fwd(rec: usize): void { eachSegment<SumFwd>(rec); }
export function f32_mean_bwd(rec: usize): void { eachSegment<SumBwd>(rec); }

// ---- max, min (AUX0: int32 index of the picked element per segment) ------------------------------

class Largest { @inline largest(): bool { return true; } }
class Smallest { @inline largest(): bool { return false; } }

/** Index of the first of n elements (st bytes apart) equal to v; NaN matches the first NaN. */
// @ts-ignore: decorator
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
export function f32_max_fwd(rec: usize): void { eachSegment<ExtremeFwd<Largest>>(rec); }
export function f32_max_bwd(rec: usize): void { scatterAdd(rec, ptr(rec, AUX), 1); }
export function f32_min_fwd(rec: usize): void { eachSegment<ExtremeFwd<Smallest>>(rec); }
export function f32_min_bwd(rec: usize): void { scatterAdd(rec, ptr(rec, AUX), 1); }

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
