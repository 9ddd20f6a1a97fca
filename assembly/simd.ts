// Vector helpers shared by the kernels, resolved at compile time per build (asconfig.json targets):
//  - wasmgrad-relaxed.wasm (simd + relaxed-simd): madd is one FMA (a single rounding);
//  - wasmgrad.wasm (simd): madd rounds the product and the sum separately;
//  - wasmgrad-scalar.wasm (no SIMD): every v128 path sits in `if (ASC_FEATURE_SIMD) { ... }`, which
//    the compiler drops unresolved when the feature is off, and the scalar loop after it covers the
//    whole range. Nothing here is compiled unless a kernel calls it.
// Also the lane types, the arithmetic of kernels written once for one float (Lane1) and for four
// side by side (Lane4), the vector exp/log (f32x4 has neither), and the long sums (blockSum,
// kahanAddAt) that every kernel adding up many terms goes through.

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
 * error from the reduction. e^r by Cephes' expf polynomial (≈ 1 ulp). 2^n is applied by adding n
 * to the exponent bits of e^r, which scales exactly while the result is a normal float, and also
 * for n = 128, where a 2^n to multiply by does not exist in float32: x is capped at 88.72283, the
 * largest x whose e^x is finite in float32 (3.40280e38), so r < 0 and e^r < 1 there. Past the cap
 * the result is +Inf, below ln(FLT_MIN) ≈ −87.34 (subnormal results) 0; NaN stays NaN.
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
  const scaled = i32x4.add(er, i32x4.shl(i32x4.trunc_sat_f32x4_s(n), 23));
  const big = v128.bitselect(f32x4.splat(Infinity), scaled, f32x4.gt(x, f32x4.splat(88.72283)));
  return v128.andnot(big, f32x4.lt(x, f32x4.splat(-87.33654)));
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

/**
 * eˣ − 1 in four lanes, Kahan's trick: u = eˣ rounds, but (u − 1)·x/ln u cancels that rounding
 * (ln u/(u − 1) varies slowly), so small |x| keeps its relative precision where u − 1 would not;
 * u == 1 (|x| below half an ulp of 1) gives x itself. x is raised to −80 first (e⁻⁸⁰ is a normal
 * float32, so ln u stays finite and the result is −1 below); where u overflows, +Inf; NaN stays NaN.
 */
@inline export function expm1v(x: v128): v128 {
  const xc = f32x4.max(x, f32x4.splat(-80));
  const u = expv(xc), um1 = f32x4.sub(u, f32x4.splat(1));
  let r = f32x4.div(f32x4.mul(um1, xc), logv(u));
  r = v128.bitselect(xc, r, f32x4.eq(u, f32x4.splat(1)));
  return v128.bitselect(u, r, f32x4.eq(u, f32x4.splat(Infinity)));
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
  @inline expm1(a: v128): v128 { return expm1v(a); }
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
  @inline expm1(a: f32): f32 { return Mathf.expm1(a); }
  @inline gather(p: usize, idx: usize, st: usize): f32 { return load<f32>(p + <usize>load<i32>(idx) * st); }
}

// ---- long sums -----------------------------------------------------------------------------------
// A float32 running total rounds every term it takes to the total's own ulp: with u = 2⁻²⁴ the
// error of n additions grows like n·u, so past a few million terms it is at the percent level, and
// 2²⁴ + 1 rounds back to 2²⁴ (a sum of ones stops at 16777216). Every long accumulation in the
// kernels (sums and means, softmax denominators, Σ g·y, un-broadcast gradients, bias gradients)
// therefore runs on two levels:
//  1. a block of BLOCK terms per lane is summed in plain float32, as two chains of 8 (the even and
//     the odd terms). Short chains keep the block's error small, and independent ones let the core
//     overlap them: in cache a row sum runs 1.6–1.9× faster than the one long chain it replaced;
//  2. each block's partial joins the running total by Kahan's compensated summation: c keeps what
//     the rounding of s + y dropped, (s + y − s) − y, exactly (Fast2Sum), and is taken off the next
//     partial, so the total behaves as if it had about twice float32's precision.
// Error: a chain of 8 terms of one sign is within 7u of its exact sum; the worst measured over
// 3000 constants for a whole f32x4 row sum is 2.3·10⁻⁷ relative (random data: ~10⁻⁹). Kahan's
// total adds 2u + N·u² of Σ|partials| for N partials, and N·u² is 6·10⁻⁹ at n = 10⁸ terms: sums
// of one sign are within 10⁻⁶ of the exact value at any length (a mixed-sign sum within that
// times Σ|x| / |Σx|, its condition number). Chains of 16 and 32 terms measured 2.7·10⁻⁷ and
// 5.1·10⁻⁷ alone, too close to 10⁻⁶ once the last roundings (lane fold, a mean's division) add up.
// Why Kahan and not a float64 total: the compensated state (s, c) has the lane type itself, so one
// generic driver serves f32x4 lanes and single floats alike, and the flush is 4 operations per
// block off the chains; float64 would need two f64x2 accumulators per f32x4 and, added per term
// (promote, shuffle, two adds), made in-cache row sums up to 2.3× slower than blocks. (A lone
// scalar total of float32 partials, conv2d's bias gradient over images, simply is a float64.)
// Non-finite totals: once s is ±Inf or NaN, c is held at 0 (Kahan's c would be Inf − Inf = NaN and
// poison the sum), so sums overflow to ±Inf and keep NaN as a plain float32 sum does.

/** Terms per lane summed in plain float32 before the block's partial joins the compensated total. */
export const BLOCK: i32 = 16;

/** What rounding dropped from u = s + y: (u − s) − y, exact when |s| ≥ |y|; 0 when u is ±Inf or NaN. */
@inline function dropped<L, V>(u: V, s: V, y: V): V {
  const l = changetype<L>(0);
  return l.select(l.lt(l.abs(u), l.splat(Infinity)), l.sub(l.sub(u, s), y), l.splat(0));
}

/**
 * Σ of n terms st bytes apart, from a (and from b, laid out like a: a second operand, or an output
 * written on the way): T.add<L, V>(p, a, b, m) returns p plus the term at a, b (m: a value the
 * terms need, e.g. the max subtracted before e^x). One lane of V per independent sum. Full blocks
 * go four terms per step into the two chains, then join the compensated total; the last
 * n % BLOCK terms are one chain, added at the end.
 */
@inline export function blockSum<T, L, V>(a: usize, b: usize, n: i32, st: usize, m: V): V {
  const t = changetype<T>(0), l = changetype<L>(0);
  let s: V = l.splat(0), c: V = l.splat(0);
  let k = 0;
  for (; k + BLOCK <= n; k += BLOCK) {
    let p: V = l.splat(0), q: V = l.splat(0);
    for (let j = 0; j < BLOCK; j += 4, a += st << 2, b += st << 2) {
      p = t.add<L, V>(p, a, b, m);
      q = t.add<L, V>(q, a + st, b + st, m);
      p = t.add<L, V>(p, a + 2 * st, b + 2 * st, m);
      q = t.add<L, V>(q, a + 3 * st, b + 3 * st, m);
    }
    const y = l.sub(l.add(p, q), c);
    const u = l.add(s, y);
    c = dropped<L, V>(u, s, y);
    s = u;
  }
  let p: V = l.splat(0);
  for (; k < n; k++, a += st, b += st) p = t.add<L, V>(p, a, b, m);
  return l.add(s, l.sub(p, c));
}

/**
 * *g += v with Kahan compensation kept at *c: the second level for a total in memory that many
 * partials (each of at most BLOCK terms) add into, an un-broadcast gradient. c starts at 0.
 */
@inline export function kahanAddAt<L, V>(g: usize, c: usize, v: V): void {
  const l = changetype<L>(0);
  const s = l.load(g), y = l.sub(v, l.load(c)), u = l.add(s, y);
  l.store(c, dropped<L, V>(u, s, y));
  l.store(g, u);
}
