// The scan behind wg.setDebug({ checkFinite: true }) (src/engine/debug.ts): where the first NaN or ±Inf
// of a float32 buffer sits. A float is non-finite exactly when its 8 exponent bits are all ones
// (Inf: zero mantissa, NaN: any other), so the test is one AND and one compare on the bits, exact
// for every NaN payload and free of float arithmetic.

const EXPONENT: i32 = 0x7f800000;

/** Index of the first NaN or ±Inf among the n float32 at byte address p, or -1 if all are finite. */
export function f32_first_nonfinite(p: usize, n: i32): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // Four vectors a round, their masks OR-ed: the common case (all finite) is one branch per 16
    // floats; a hit is located by the scalar loop below, starting at the round it fell in.
    const e = i32x4.splat(EXPONENT);
    for (; i + 16 <= n; i += 16) {
      const a = p + (<usize>i << 2);
      const m0 = i32x4.eq(v128.and(v128.load(a), e), e);
      const m1 = i32x4.eq(v128.and(v128.load(a, 16), e), e);
      const m2 = i32x4.eq(v128.and(v128.load(a, 32), e), e);
      const m3 = i32x4.eq(v128.and(v128.load(a, 48), e), e);
      if (v128.any_true(v128.or(v128.or(m0, m1), v128.or(m2, m3)))) break;
    }
  }
  for (; i < n; i++) if ((load<i32>(p + (<usize>i << 2)) & EXPONENT) == EXPONENT) return i;
  return -1;
}
