// int32 kernels (src/ops/integer.ts): exact integer arithmetic wrapping mod 2^32 (i32 add, sub,
// mul wrap by definition), comparisons and logical ops into float32 1/0 masks, the dtype casts.
// Scalar loops: these ops are rarely hot in training (indices, counts, masks), and one loop per
// op keeps them identical on the three builds. No gradients.
import { IN, numel, OUT, param, ptr } from '../record';
import { rowOffset } from '../strided';
import { f32_where_fwd } from './elementwise';

// ---- broadcasting binary ops (plan: [rank, shape[rank], strides of a[rank], strides of b[rank]]) ----
// The plan is collapsed as for the float elementwise ops: along the inner dim each operand steps
// by 1 element or 0 (broadcast). Op.put(o, a, b) reads both operands and writes one result.
@inline function broadcast2<Op>(rec: usize): void {
  const op = changetype<Op>(0);
  const o = ptr(rec, OUT), a = ptr(rec, IN), b = ptr(rec, IN + 1);
  const rank = param(rec, 0), inner = param(rec, rank);
  if (inner == 0) return;
  const sa = <usize>param(rec, 2 * rank) << 2, sb = <usize>param(rec, 3 * rank) << 2; // inner strides, bytes
  const rows = numel(rec) / inner;
  for (let row = 0; row < rows; row++) {
    let pa = a + (rowOffset(rec, row, 1 + rank) << 2), pb = b + (rowOffset(rec, row, 1 + 2 * rank) << 2);
    let po = o + ((<usize>row * inner) << 2);
    for (let i = 0; i < inner; i++) {
      op.put(po, pa, pb);
      pa += sa;
      pb += sb;
      po += 4;
    }
  }
}

/** int32 operands, int32 result F.f(a, b). */
class Ints<F> {
  @inline put(o: usize, a: usize, b: usize): void { store<i32>(o, changetype<F>(0).f(load<i32>(a), load<i32>(b))); }
}
/** int32 operands, float32 1/0 result of the predicate F.f(a, b). */
class IntMask<F> {
  @inline put(o: usize, a: usize, b: usize): void { store<f32>(o, <f32>changetype<F>(0).f(load<i32>(a), load<i32>(b))); }
}
/** float32 operands read as truth values (x ≠ 0, true for NaN), float32 1/0 result of F.f on 0/1. */
class Truths<F> {
  @inline put(o: usize, a: usize, b: usize): void {
    store<f32>(o, <f32>changetype<F>(0).f(load<f32>(a) != 0 ? 1 : 0, load<f32>(b) != 0 ? 1 : 0));
  }
}

class Add { @inline f(a: i32, b: i32): i32 { return a + b; } }
class Sub { @inline f(a: i32, b: i32): i32 { return a - b; } }
class Mul { @inline f(a: i32, b: i32): i32 { return a * b; } }
class Max { @inline f(a: i32, b: i32): i32 { return max(a, b); } }
class Min { @inline f(a: i32, b: i32): i32 { return min(a, b); } }
// Floor division and remainder as Python's // and %: WebAssembly's i32.div_s/rem_s truncate
// toward zero, so a quotient with a nonzero remainder of the other sign than b steps down by one
// and the remainder up by b. Divisor −1 is taken apart because INT32_MIN / −1 traps (its quotient
// 2^31 does not fit; it wraps to INT32_MIN as every other int32 result, remainder 0), and 0 gives 0
// (the API refuses it eagerly; inside wg.compile it cannot read the values, and a trap would abort
// the whole program).
class FloorDiv {
  @inline f(a: i32, b: i32): i32 {
    if (b == -1) return -a;
    if (b == 0) return 0;
    const q = a / b;
    return (a % b != 0) && ((a ^ b) < 0) ? q - 1 : q;
  }
}
class FloorMod {
  @inline f(a: i32, b: i32): i32 {
    if (b == -1 || b == 0) return 0;
    const r = a % b;
    return (r != 0) && ((r ^ b) < 0) ? r + b : r;
  }
}
class Gt { @inline f(a: i32, b: i32): i32 { return a > b ? 1 : 0; } }
class Lt { @inline f(a: i32, b: i32): i32 { return a < b ? 1 : 0; } }
class Ge { @inline f(a: i32, b: i32): i32 { return a >= b ? 1 : 0; } }
class Le { @inline f(a: i32, b: i32): i32 { return a <= b ? 1 : 0; } }
class Eq { @inline f(a: i32, b: i32): i32 { return a == b ? 1 : 0; } }
class And { @inline f(a: i32, b: i32): i32 { return a & b; } }
class Or { @inline f(a: i32, b: i32): i32 { return a | b; } }
class Xor { @inline f(a: i32, b: i32): i32 { return a ^ b; } }
// i32.shl and i32.shr_s take the count mod 32, as x86's shifts give PyTorch 1.13 on the CPU.
class Shl { @inline f(a: i32, b: i32): i32 { return a << b; } }
class Shr { @inline f(a: i32, b: i32): i32 { return a >> b; } }

export function f32_int_add_fwd(rec: usize): void { broadcast2<Ints<Add>>(rec); }
export function f32_int_sub_fwd(rec: usize): void { broadcast2<Ints<Sub>>(rec); }
export function f32_int_mul_fwd(rec: usize): void { broadcast2<Ints<Mul>>(rec); }
export function f32_int_floor_divide_fwd(rec: usize): void { broadcast2<Ints<FloorDiv>>(rec); }
export function f32_int_remainder_fwd(rec: usize): void { broadcast2<Ints<FloorMod>>(rec); }
export function f32_int_maximum_fwd(rec: usize): void { broadcast2<Ints<Max>>(rec); }
export function f32_int_minimum_fwd(rec: usize): void { broadcast2<Ints<Min>>(rec); }
export function f32_int_gt_fwd(rec: usize): void { broadcast2<IntMask<Gt>>(rec); }
export function f32_int_lt_fwd(rec: usize): void { broadcast2<IntMask<Lt>>(rec); }
export function f32_int_ge_fwd(rec: usize): void { broadcast2<IntMask<Ge>>(rec); }
export function f32_int_le_fwd(rec: usize): void { broadcast2<IntMask<Le>>(rec); }
export function f32_int_eq_fwd(rec: usize): void { broadcast2<IntMask<Eq>>(rec); }
export function f32_bitwise_and_fwd(rec: usize): void { broadcast2<Ints<And>>(rec); }
export function f32_bitwise_or_fwd(rec: usize): void { broadcast2<Ints<Or>>(rec); }
export function f32_bitwise_xor_fwd(rec: usize): void { broadcast2<Ints<Xor>>(rec); }
export function f32_bitwise_left_shift_fwd(rec: usize): void { broadcast2<Ints<Shl>>(rec); }
export function f32_bitwise_right_shift_fwd(rec: usize): void { broadcast2<Ints<Shr>>(rec); }
// where's kernel selects 32-bit words by a bit mask or a load and a store, never through float
// arithmetic, so int32 values come through exactly.
export function f32_int_where_fwd(rec: usize): void { f32_where_fwd(rec); }
export function f32_logical_and_fwd(rec: usize): void { broadcast2<Truths<And>>(rec); }
export function f32_logical_or_fwd(rec: usize): void { broadcast2<Truths<Or>>(rec); }
export function f32_logical_xor_fwd(rec: usize): void { broadcast2<Truths<Xor>>(rec); }

// ---- unary (params P0, P1: clamp's int32 bounds) --------------------------------------------
@inline function unary<Op>(rec: usize): void {
  const op = changetype<Op>(0);
  const o = ptr(rec, OUT), x = ptr(rec, IN), n = <usize>numel(rec);
  const lo = param(rec, 0), hi = param(rec, 1);
  for (let i: usize = 0; i < n; i++) op.put(o + (i << 2), x + (i << 2), lo, hi);
}

class Neg { @inline put(o: usize, x: usize, lo: i32, hi: i32): void { store<i32>(o, -load<i32>(x)); } }
// |INT32_MIN| wraps to INT32_MIN, as PyTorch.
class Abs {
  @inline put(o: usize, x: usize, lo: i32, hi: i32): void {
    const v = load<i32>(x);
    store<i32>(o, v < 0 ? -v : v);
  }
}
// min(max(x, lo), hi) as PyTorch: lo > hi gives hi.
class Clamp { @inline put(o: usize, x: usize, lo: i32, hi: i32): void { store<i32>(o, min(max(load<i32>(x), lo), hi)); } }
// float32 → int32 truncating toward zero; NaN, ±∞ and values outside [−2^31, 2^31) give INT32_MIN
// as x86's cvttss2si does for PyTorch (i32.trunc_f32_s would trap there, the saturating form
// would give 0 and INT32_MAX).
class ToInt {
  @inline put(o: usize, x: usize, lo: i32, hi: i32): void {
    const v = load<f32>(x);
    store<i32>(o, v >= -2147483648.0 && v < 2147483648.0 ? <i32>v : i32.MIN_VALUE);
  }
}
// int32 → float32, rounding to nearest (even) beyond 2^24 (f32.convert_i32_s).
class ToFloat { @inline put(o: usize, x: usize, lo: i32, hi: i32): void { store<f32>(o, <f32>load<i32>(x)); } }

export function f32_int_neg_fwd(rec: usize): void { unary<Neg>(rec); }
export function f32_int_abs_fwd(rec: usize): void { unary<Abs>(rec); }
export function f32_int_clamp_fwd(rec: usize): void { unary<Clamp>(rec); }
export function f32_to_int_fwd(rec: usize): void { unary<ToInt>(rec); }
export function f32_to_float_fwd(rec: usize): void { unary<ToFloat>(rec); }
