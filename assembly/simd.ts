// Vector helpers shared by the kernels, resolved at compile time per build (see asconfig.json):
// the relaxed-SIMD build fuses multiply-add into one FMA (a single rounding), the SIMD build
// rounds the product and the sum separately.

/** a·b + c on four lanes. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
