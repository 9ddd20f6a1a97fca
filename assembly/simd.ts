// Vector helpers shared by the kernels, resolved at compile time per build (asconfig.json targets):
//  - wasmgrad-relaxed.wasm (simd + relaxed-simd): madd is one FMA (a single rounding);
//  - wasmgrad.wasm (simd): madd rounds the product and the sum separately;
//  - wasmgrad-scalar.wasm (no SIMD): every v128 path sits in `if (ASC_FEATURE_SIMD) { ... }`, which
//    the compiler drops unresolved when the feature is off, and the scalar loop after it covers the
//    whole range. Nothing here is compiled unless a kernel calls it.
// Also the lane types, the arithmetic of kernels written once for one float (Lane1) and for four
// side by side (Lane4), and the vector exp/log (f32x4 has neither).

/** a·b + c on four lanes. */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Sum of the four lanes, as (l0 + l1) + (l2 + l3). */
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * e^x in four lanes. x = n·ln2 + r with n = round(x·log2 e), |r| ≤ ln2/2; ln2 is split into a
 * short high part (n·0.693359375 is exact) and a low correction (Cody–Waite), so r carries no
 * error from the reduction. e^r by Cephes' expf polynomial (≈ 1 ulp); 2^n goes straight into the
 * exponent bits. Below ln(FLT_MIN) ≈ −87.34 (subnormal results) the result is 0; x is capped at
 * 88.7228, so n ≤ 128 and the result overflows to +Inf from x ≈ 88.38 (float32's own limit is
 * 88.72). NaN stays NaN.
 */
@inline export function expv(x: v128): v128 {
  const xc = f32x4.min(x, f32x4.splat(88.72283));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  const er = f32x4.add(madd(p, f32x4.mul(r, r), r), f32x4.splat(1));
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(er, pow2n), f32x4.lt(x, f32x4.splat(-87.33654)));
}

/**
 * ln x in four lanes (Cephes logf): x = m·2^e with m ∈ [√½, √2), ln x = e·ln2 + ln(1 + f) with
 * f = m − 1 and ln(1 + f) = f − f²/2 + f³·P(f) (≈ 1 ulp); e·ln2 is added in two parts as in expv.
 * Subnormals are scaled by 2^23 first. x = 0 → −Inf, x < 0 → NaN, +Inf and NaN pass through.
 */
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
  p = madd(p, f, f32x4.splat(-1.1514610310e-1));
  p = madd(p, f, f32x4.splat(1.1676998740e-1));
  p = madd(p, f, f32x4.splat(-1.2420140846e-1));
  p = madd(p, f, f32x4.splat(1.4249322787e-1));
  p = madd(p, f, f32x4.splat(-1.6668057665e-1));
  p = madd(p, f, f32x4.splat(2.0000714765e-1));
  p = madd(p, f, f32x4.splat(-2.4999993993e-1));
  p = madd(p, f, f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = madd(ef, f32x4.splat(-2.12194440e-4), y);
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let r = madd(ef, f32x4.splat(0.693359375), f32x4.add(f, y));
  r = v128.bitselect(x, r, v128.or(f32x4.ne(x, x), f32x4.eq(x, f32x4.splat(Infinity))));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0)));
  return v128.bitselect(f32x4.splat(NaN), r, f32x4.lt(x, f32x4.splat(0)));
}

/**
 * ln(1 + u) in four lanes (u ≥ −1). Goldberg's trick: w = 1 + u rounds, but w − 1 is exact and
 * ln(w)/(w − 1) varies slowly, so ln(w)·u/(w − 1) cancels the rounding; where w == 1, ln(1+u) = u.
 */
@inline export function log1pv(u: v128): v128 {
  const w = f32x4.add(u, f32x4.splat(1));
  const r = f32x4.div(f32x4.mul(logv(w), u), f32x4.sub(w, f32x4.splat(1)));
  return v128.bitselect(u, r, f32x4.eq(w, f32x4.splat(1)));
}

// ---- lanes: kernel arithmetic on one f32 (Lane1) or four side by side (Lane4) --------------------
// A kernel written against a lane type L and its value type V (f32 or v128) compiles once per lane
// type; Lane4 appears only under `if (ASC_FEATURE_SIMD)`. max/min let NaN win, as PyTorch's
// max/min (f32.max and f32x4.max both do).

export class Lane4 {
  @inline width(): i32 { return 4; }
  @inline load(p: usize): v128 { return v128.load(p); }
  @inline store(p: usize, v: v128): void { v128.store(p, v); }
  @inline splat(x: f32): v128 { return f32x4.splat(x); }
  @inline add(a: v128, b: v128): v128 { return f32x4.add(a, b); }
  @inline sub(a: v128, b: v128): v128 { return f32x4.sub(a, b); }
  @inline mul(a: v128, b: v128): v128 { return f32x4.mul(a, b); }
  /** a·b + c (one FMA in the relaxed build). */
  @inline madd(a: v128, b: v128, c: v128): v128 { return madd(a, b, c); }
  @inline div(a: v128, b: v128): v128 { return f32x4.div(a, b); }
  @inline sqrt(a: v128): v128 { return f32x4.sqrt(a); }
  @inline neg(a: v128): v128 { return f32x4.neg(a); }
  @inline abs(a: v128): v128 { return f32x4.abs(a); }
  @inline max(a: v128, b: v128): v128 { return f32x4.max(a, b); }
  @inline min(a: v128, b: v128): v128 { return f32x4.min(a, b); }
  /** b < a ? b : a (keeps a NaN a): one minps. */
  @inline pmin(a: v128, b: v128): v128 { return f32x4.pmin(a, b); }
  @inline lt(a: v128, b: v128): v128 { return f32x4.lt(a, b); }
  @inline le(a: v128, b: v128): v128 { return f32x4.le(a, b); }
  /** m ? a : b per lane. */
  @inline select(m: v128, a: v128, b: v128): v128 { return v128.bitselect(a, b, m); }
  /** |a| with the sign of b. */
  @inline copysign(a: v128, b: v128): v128 {
    return v128.or(v128.andnot(a, i32x4.splat(0x80000000)), v128.and(b, i32x4.splat(0x80000000)));
  }
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
  @inline madd(a: f32, b: f32, c: f32): f32 { return a * b + c; }
  @inline div(a: f32, b: f32): f32 { return a / b; }
  @inline sqrt(a: f32): f32 { return Mathf.sqrt(a); }
  @inline neg(a: f32): f32 { return -a; }
  @inline abs(a: f32): f32 { return Mathf.abs(a); }
  @inline max(a: f32, b: f32): f32 { return Mathf.max(a, b); }
  @inline min(a: f32, b: f32): f32 { return Mathf.min(a, b); }
  @inline pmin(a: f32, b: f32): f32 { return b < a ? b : a; }
  @inline lt(a: f32, b: f32): bool { return a < b; }
  @inline le(a: f32, b: f32): bool { return a <= b; }
  @inline select(m: bool, a: f32, b: f32): f32 { return select<f32>(a, b, m); }
  @inline copysign(a: f32, b: f32): f32 { return copysign<f32>(a, b); }
  @inline sign(a: f32): f32 { return a > 0 ? 1 : a < 0 ? -1 : 0; }
  @inline exp(a: f32): f32 { return Mathf.exp(a); }
  @inline log(a: f32): f32 { return Mathf.log(a); }
  @inline log1p(a: f32): f32 { return Mathf.log1p(a); }
  @inline gather(p: usize, idx: usize, st: usize): f32 { return load<f32>(p + <usize>load<i32>(idx) * st); }
}
