// Math-library kernels (src/ops/math.ts). Two kinds:
//  - maps that float32 arithmetic gets right (rounding, reciprocal) and the activations, which are
//    hot in training (mish, elu/selu/celu, logsigmoid, the piecewise ones, gelu's tanh form): f32
//    op classes with SIMD forms, as in ./elementwise;
//  - transcendental maps (trigonometric, hyperbolic, erf family, logarithms, the binary maps):
//    classes of float64 methods on AS's Math (musl's libm, within 1 ulp in float64), whose
//    results round once to float32, so they are float32's correctly rounded values but for rare
//    double-rounding ties, for every x and with no range reduction or cancellation of our own.
//    These are rarely hot; F64Unary / F64Binary give them the f32 interface of the generic
//    templates (./elementwise: unaryFwd, binaryFwd with broadcasting), their vector forms lane by lane.
import { binaryBwd, binaryFwd, ones, sigmoid1, sigmoidV, unaryBwd, unaryFwd } from './elementwise';
import { Lane1, Lane4, madd } from '../simd';

@inline function pack(a: f32, b: f32, c: f32, d: f32): v128 {
  return f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(a), 1, b), 2, c), 3, d);
}

/** A unary op of float64 methods f(x, p, q), d(x, y, p, q) as the f32 op the unary templates take. */
class F64Unary<Op> {
  @inline f(x: f32, p: f32, q: f32): f32 { return <f32>changetype<Op>(0).f(<f64>x, <f64>p, <f64>q); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return <f32>changetype<Op>(0).d(<f64>x, <f64>y, <f64>p, <f64>q); }
  @inline v(x: v128, p: f32, q: f32): v128 {
    return pack(
      this.f(f32x4.extract_lane(x, 0), p, q),
      this.f(f32x4.extract_lane(x, 1), p, q),
      this.f(f32x4.extract_lane(x, 2), p, q),
      this.f(f32x4.extract_lane(x, 3), p, q),
    );
  }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 {
    return pack(
      this.d(f32x4.extract_lane(x, 0), f32x4.extract_lane(y, 0), p, q),
      this.d(f32x4.extract_lane(x, 1), f32x4.extract_lane(y, 1), p, q),
      this.d(f32x4.extract_lane(x, 2), f32x4.extract_lane(y, 2), p, q),
      this.d(f32x4.extract_lane(x, 3), f32x4.extract_lane(y, 3), p, q),
    );
  }
}

/** A binary op of float64 methods f(a, b), da/db(a, b, y) as the f32 op the broadcasting templates take. */
class F64Binary<Op> {
  @inline f(a: f32, b: f32): f32 { return <f32>changetype<Op>(0).f(<f64>a, <f64>b); }
  @inline da(a: f32, b: f32, y: f32): f32 { return <f32>changetype<Op>(0).da(<f64>a, <f64>b, <f64>y); }
  @inline db(a: f32, b: f32, y: f32): f32 { return <f32>changetype<Op>(0).db(<f64>a, <f64>b, <f64>y); }
  @inline v(a: v128, b: v128): v128 {
    return pack(
      this.f(f32x4.extract_lane(a, 0), f32x4.extract_lane(b, 0)),
      this.f(f32x4.extract_lane(a, 1), f32x4.extract_lane(b, 1)),
      this.f(f32x4.extract_lane(a, 2), f32x4.extract_lane(b, 2)),
      this.f(f32x4.extract_lane(a, 3), f32x4.extract_lane(b, 3)),
    );
  }
  @inline vda(a: v128, b: v128, y: v128): v128 {
    return pack(
      this.da(f32x4.extract_lane(a, 0), f32x4.extract_lane(b, 0), f32x4.extract_lane(y, 0)),
      this.da(f32x4.extract_lane(a, 1), f32x4.extract_lane(b, 1), f32x4.extract_lane(y, 1)),
      this.da(f32x4.extract_lane(a, 2), f32x4.extract_lane(b, 2), f32x4.extract_lane(y, 2)),
      this.da(f32x4.extract_lane(a, 3), f32x4.extract_lane(b, 3), f32x4.extract_lane(y, 3)),
    );
  }
  @inline vdb(a: v128, b: v128, y: v128): v128 {
    return pack(
      this.db(f32x4.extract_lane(a, 0), f32x4.extract_lane(b, 0), f32x4.extract_lane(y, 0)),
      this.db(f32x4.extract_lane(a, 1), f32x4.extract_lane(b, 1), f32x4.extract_lane(y, 1)),
      this.db(f32x4.extract_lane(a, 2), f32x4.extract_lane(b, 2), f32x4.extract_lane(y, 2)),
      this.db(f32x4.extract_lane(a, 3), f32x4.extract_lane(b, 3), f32x4.extract_lane(y, 3)),
    );
  }
}

// ---- trigonometric and hyperbolic (float64) ---------------------------------------------------
class Sin {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.sin(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return Math.cos(x); }
}
export function f32_sin_fwd(rec: usize): void { unaryFwd<F64Unary<Sin>>(rec); }
export function f32_sin_bwd(rec: usize): void { unaryBwd<F64Unary<Sin>>(rec); }

class Cos {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.cos(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return -Math.sin(x); }
}
export function f32_cos_fwd(rec: usize): void { unaryFwd<F64Unary<Cos>>(rec); }
export function f32_cos_bwd(rec: usize): void { unaryBwd<F64Unary<Cos>>(rec); }

// Near π/2 the float32 x is a float64 value off π/2 by ≥ 1e-8, so tan x stays finite (as PyTorch's
// float32 tan). Gradient 1 + y² from the saved output.
class Tan {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.tan(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return 1 + y * y; }
}
export function f32_tan_fwd(rec: usize): void { unaryFwd<F64Unary<Tan>>(rec); }
export function f32_tan_bwd(rec: usize): void { unaryBwd<F64Unary<Tan>>(rec); }

class Asin {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.asin(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return 1 / Math.sqrt(1 - x * x); }
}
export function f32_asin_fwd(rec: usize): void { unaryFwd<F64Unary<Asin>>(rec); }
export function f32_asin_bwd(rec: usize): void { unaryBwd<F64Unary<Asin>>(rec); }

class Acos {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.acos(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return -1 / Math.sqrt(1 - x * x); }
}
export function f32_acos_fwd(rec: usize): void { unaryFwd<F64Unary<Acos>>(rec); }
export function f32_acos_bwd(rec: usize): void { unaryBwd<F64Unary<Acos>>(rec); }

class Atan {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.atan(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return 1 / (1 + x * x); }
}
export function f32_atan_fwd(rec: usize): void { unaryFwd<F64Unary<Atan>>(rec); }
export function f32_atan_bwd(rec: usize): void { unaryBwd<F64Unary<Atan>>(rec); }

class Sinh {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.sinh(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return Math.cosh(x); }
}
export function f32_sinh_fwd(rec: usize): void { unaryFwd<F64Unary<Sinh>>(rec); }
export function f32_sinh_bwd(rec: usize): void { unaryBwd<F64Unary<Sinh>>(rec); }

class Cosh {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.cosh(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return Math.sinh(x); }
}
export function f32_cosh_fwd(rec: usize): void { unaryFwd<F64Unary<Cosh>>(rec); }
export function f32_cosh_bwd(rec: usize): void { unaryBwd<F64Unary<Cosh>>(rec); }

// PyTorch's float32 backward of asinh and acosh squares x in float32, which overflows from
// |x| = 2⁶⁴ on: its slope 1/√(x² ± 1) is 0 there (and at ±∞). Ours takes x² in float64 below 2⁶⁴
// (no overflow) and PyTorch's 0 from there on.
const SQUARE_OVERFLOWS_F32: f64 = 1.8446744073709552e19; // 2⁶⁴

class Asinh {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.asinh(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return Math.abs(x) >= SQUARE_OVERFLOWS_F32 ? 0 : 1 / Math.sqrt(1 + x * x); }
}
export function f32_asinh_fwd(rec: usize): void { unaryFwd<F64Unary<Asinh>>(rec); }
export function f32_asinh_bwd(rec: usize): void { unaryBwd<F64Unary<Asinh>>(rec); }

// (x − 1)(x + 1) rather than x² − 1: exact factors near x = 1, where the gradient is large.
class Acosh {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.acosh(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return Math.abs(x) >= SQUARE_OVERFLOWS_F32 ? 0 : 1 / Math.sqrt((x - 1) * (x + 1)); }
}
export function f32_acosh_fwd(rec: usize): void { unaryFwd<F64Unary<Acosh>>(rec); }
export function f32_acosh_bwd(rec: usize): void { unaryBwd<F64Unary<Acosh>>(rec); }

class Atanh {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.atanh(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return 1 / (1 - x * x); }
}
export function f32_atanh_fwd(rec: usize): void { unaryFwd<F64Unary<Atanh>>(rec); }
export function f32_atanh_bwd(rec: usize): void { unaryBwd<F64Unary<Atanh>>(rec); }

// entr = −x·log x as PyTorch's kernel: NaN stays NaN, 0 at 0, −∞ below 0 (and at +∞). Gradient
// PyTorch's −(1 + log x) everywhere: ∞ at 0, NaN below, −∞ at +∞ (a composite of table ops could
// not give ∞ at 0 with the value 0 there: its value would be 0·∞).
class Entr {
  @inline f(x: f64, p: f64, q: f64): f64 { return isNaN(x) ? x : x > 0 ? -x * Math.log(x) : x == 0 ? 0 : -Infinity; }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return -(1 + Math.log(x)); }
}
export function f32_entr_fwd(rec: usize): void { unaryFwd<F64Unary<Entr>>(rec); }
export function f32_entr_bwd(rec: usize): void { unaryBwd<F64Unary<Entr>>(rec); }

// ---- error function (float64, W. J. Cody, Math. Comp. 23 (1969), SPECFUN's CALERF) --------------
// The float64 twin of src/ops/elementwise.ts's erf/erfc (the reference), relative error ~1e-16.
const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;

/** erf x for |x| ≤ 0.46875: x·A(x²)/B(x²). */
@inline function erfSmall(x: f64): f64 {
  const z = x * x;
  let num = 1.85777706184603153e-1 * z, den = z;
  num = (num + 3.1611237438705656) * z; den = (den + 2.36012909523441209e1) * z;
  num = (num + 1.13864154151050156e2) * z; den = (den + 2.44024637934444173e2) * z;
  num = (num + 3.77485237685302021e2) * z; den = (den + 1.28261652607737228e3) * z;
  return (x * (num + 3.20937758913846947e3)) / (den + 2.84423683343917062e3);
}

/** erfc y for y > 0.46875 (or NaN): exp(−y²)·R(y), a product without cancellation; 0 from y = 27. */
function erfcTail(y: f64): f64 {
  if (y >= 27) return 0;
  let r: f64;
  if (y <= 4) {
    let num = 2.15311535474403846e-8 * y, den = y;
    num = (num + 5.64188496988670089e-1) * y; den = (den + 1.57449261107098347e1) * y;
    num = (num + 8.88314979438837594) * y; den = (den + 1.17693950891312499e2) * y;
    num = (num + 6.61191906371416295e1) * y; den = (den + 5.37181101862009858e2) * y;
    num = (num + 2.98635138197400131e2) * y; den = (den + 1.62138957456669019e3) * y;
    num = (num + 8.8195222124176909e2) * y; den = (den + 3.29079923573345963e3) * y;
    num = (num + 1.71204761263407058e3) * y; den = (den + 4.36261909014324716e3) * y;
    num = (num + 2.05107837782607147e3) * y; den = (den + 3.43936767414372164e3) * y;
    r = (num + 1.23033935479799725e3) / (den + 1.23033935480374942e3);
  } else {
    const z = 1 / (y * y);
    let num = 1.63153871373020978e-2 * z, den = z;
    num = (num + 3.05326634961232344e-1) * z; den = (den + 2.56852019228982242) * z;
    num = (num + 3.60344899949804439e-1) * z; den = (den + 1.87295284992346047) * z;
    num = (num + 1.25781726111229246e-1) * z; den = (den + 5.27905102951428412e-1) * z;
    num = (num + 1.60837851487422766e-2) * z; den = (den + 6.05183413124413191e-2) * z;
    r = (0.56418958354775628695 - (z * (num + 6.58749161529837803e-4)) / (den + 2.33520497626869185e-3)) / y;
  }
  // exp(−y²) = exp(−t²)·exp(−(y − t)(y + t)) with t = y truncated to sixteenths: t² is exact.
  const t = Math.trunc(y * 16) / 16;
  return Math.exp(-t * t) * Math.exp(-(y - t) * (y + t)) * r;
}

function erf64(x: f64): f64 {
  const y = Math.abs(x);
  if (y <= 0.46875) return erfSmall(x);
  const e = 0.5 - erfcTail(y) + 0.5;
  return x < 0 ? -e : e;
}

function erfc64(x: f64): f64 {
  const y = Math.abs(x);
  if (y <= 0.46875) return 1 - erfSmall(x);
  const t = erfcTail(y);
  return x < 0 ? 2 - t : t;
}

class Erf {
  @inline f(x: f64, p: f64, q: f64): f64 { return erf64(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return TWO_OVER_SQRT_PI * Math.exp(-x * x); }
}
export function f32_erf_fwd(rec: usize): void { unaryFwd<F64Unary<Erf>>(rec); }
export function f32_erf_bwd(rec: usize): void { unaryBwd<F64Unary<Erf>>(rec); }

class Erfc {
  @inline f(x: f64, p: f64, q: f64): f64 { return erfc64(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return -TWO_OVER_SQRT_PI * Math.exp(-x * x); }
}
export function f32_erfc_fwd(rec: usize): void { unaryFwd<F64Unary<Erfc>>(rec); }
export function f32_erfc_bwd(rec: usize): void { unaryBwd<F64Unary<Erfc>>(rec); }

/**
 * erfinv as src/ops/math.ts's reference: M. Giles, "Approximating the erfinv function" (GPU
 * Computing Gems, 2011), single-precision polynomials in w = −ln(1 − x²) (relative error < 4e-7),
 * then Newton steps on erf (on erfc above 0.5, where 1 − |x| is exact) until a step is below
 * 1e-15 of y (two for float32 x): ~1e-16.
 */
function erfinv64(x: f64): f64 {
  const a = Math.abs(x);
  if (!(a < 1)) return a == 1 ? x * Infinity : NaN;
  let w = -Math.log((1 - x) * (1 + x)), p: f64;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w; p = -3.5233877e-6 + p * w; p = -4.39150654e-6 + p * w;
    p = 2.1858087e-4 + p * w; p = -1.25372503e-3 + p * w; p = -4.17768164e-3 + p * w;
    p = 2.46640727e-1 + p * w; p = 1.50140941 + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -2.00214257e-4;
    p = 1.00950558e-4 + p * w; p = 1.34934322e-3 + p * w; p = -3.67342844e-3 + p * w;
    p = 5.73950773e-3 + p * w; p = -7.6224613e-3 + p * w; p = 9.43887047e-3 + p * w;
    p = 1.00167406 + p * w; p = 2.83297682 + p * w;
  }
  let y = p * a;
  for (let k = 0; k < 8; k++) {
    const step = (a <= 0.5 ? erf64(y) - a : 1 - a - erfc64(y)) / (TWO_OVER_SQRT_PI * Math.exp(-y * y));
    y -= step;
    if (Math.abs(step) <= 1e-15 * y) break;
  }
  return x < 0 ? -y : y;
}

// d erfinv/dx = (√π/2)·e^(y²) from the saved output.
class Erfinv {
  @inline f(x: f64, p: f64, q: f64): f64 { return erfinv64(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return Math.exp(y * y) / TWO_OVER_SQRT_PI; }
}
export function f32_erfinv_fwd(rec: usize): void { unaryFwd<F64Unary<Erfinv>>(rec); }
export function f32_erfinv_bwd(rec: usize): void { unaryBwd<F64Unary<Erfinv>>(rec); }

// ---- rounding (float32, exact): zero gradient, frac's is 1 ---------------------------------------
// sign: 1, −1, or 0 for ±0 and NaN (PyTorch).
class Sign {
  @inline f(x: f32, p: f32, q: f32): f32 { return x > 0 ? 1 : x < 0 ? -1 : 0; }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.sub(ones(f32x4.gt(x, f32x4.splat(0))), ones(f32x4.lt(x, f32x4.splat(0)))); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return 0; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return f32x4.splat(0); }
}
export function f32_sign_fwd(rec: usize): void { unaryFwd<Sign>(rec); }
export function f32_sign_bwd(rec: usize): void { unaryBwd<Sign>(rec); }

// torch.round(x, decimals) in float32 arithmetic as PyTorch: p = decimals, q = float32(10^|p|);
// nearbyint(x·q)/q, or nearbyint(x/q)·q for p < 0 (nearest = round half to even).
class Round {
  @inline f(x: f32, p: f32, q: f32): f32 { return p < 0 ? nearest<f32>(x / q) * q : nearest<f32>(x * q) / q; }
  @inline v(x: v128, p: f32, q: f32): v128 {
    const s = f32x4.splat(q);
    return p < 0 ? f32x4.mul(f32x4.nearest(f32x4.div(x, s)), s) : f32x4.div(f32x4.nearest(f32x4.mul(x, s)), s);
  }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return 0; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return f32x4.splat(0); }
}
export function f32_round_fwd(rec: usize): void { unaryFwd<Round>(rec); }
export function f32_round_bwd(rec: usize): void { unaryBwd<Round>(rec); }

class Floor {
  @inline f(x: f32, p: f32, q: f32): f32 { return floor<f32>(x); }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.floor(x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return 0; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return f32x4.splat(0); }
}
export function f32_floor_fwd(rec: usize): void { unaryFwd<Floor>(rec); }
export function f32_floor_bwd(rec: usize): void { unaryBwd<Floor>(rec); }

class Ceil {
  @inline f(x: f32, p: f32, q: f32): f32 { return ceil<f32>(x); }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.ceil(x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return 0; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return f32x4.splat(0); }
}
export function f32_ceil_fwd(rec: usize): void { unaryFwd<Ceil>(rec); }
export function f32_ceil_bwd(rec: usize): void { unaryBwd<Ceil>(rec); }

class Trunc {
  @inline f(x: f32, p: f32, q: f32): f32 { return trunc<f32>(x); }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.trunc(x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return 0; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return f32x4.splat(0); }
}
export function f32_trunc_fwd(rec: usize): void { unaryFwd<Trunc>(rec); }
export function f32_trunc_bwd(rec: usize): void { unaryBwd<Trunc>(rec); }

// x − trunc x is exact in float32; ±∞ gives NaN (PyTorch).
class Frac {
  @inline f(x: f32, p: f32, q: f32): f32 { return x - trunc<f32>(x); }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.sub(x, f32x4.trunc(x)); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return 1; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return f32x4.splat(1); }
}
export function f32_frac_fwd(rec: usize): void { unaryFwd<Frac>(rec); }
export function f32_frac_bwd(rec: usize): void { unaryBwd<Frac>(rec); }

// ---- powers and logarithms -----------------------------------------------------------------------
// 1/x is correctly rounded in float32; gradient −y² from the saved output (PyTorch).
class Reciprocal {
  @inline f(x: f32, p: f32, q: f32): f32 { return 1 / x; }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.div(f32x4.splat(1), x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return -y * y; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return f32x4.neg(f32x4.mul(y, y)); }
}
export function f32_reciprocal_fwd(rec: usize): void { unaryFwd<Reciprocal>(rec); }
export function f32_reciprocal_bwd(rec: usize): void { unaryBwd<Reciprocal>(rec); }

// 1/√x, two float32 roundings (≤ 1.5 ulp); gradient −y³/2 (PyTorch).
class Rsqrt {
  @inline f(x: f32, p: f32, q: f32): f32 { return 1 / Mathf.sqrt(x); }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.div(f32x4.splat(1), f32x4.sqrt(x)); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return -0.5 * y * y * y; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return f32x4.mul(f32x4.splat(-0.5), f32x4.mul(y, f32x4.mul(y, y))); }
}
export function f32_rsqrt_fwd(rec: usize): void { unaryFwd<Rsqrt>(rec); }
export function f32_rsqrt_bwd(rec: usize): void { unaryBwd<Rsqrt>(rec); }

class Log2 {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.log2(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return 1 / (x * Math.LN2); }
}
export function f32_log_2_fwd(rec: usize): void { unaryFwd<F64Unary<Log2>>(rec); }
export function f32_log_2_bwd(rec: usize): void { unaryBwd<F64Unary<Log2>>(rec); }

class Log10 {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.log10(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return 1 / (x * Math.LN10); }
}
export function f32_log_10_fwd(rec: usize): void { unaryFwd<F64Unary<Log10>>(rec); }
export function f32_log_10_bwd(rec: usize): void { unaryBwd<F64Unary<Log10>>(rec); }

class Log1p {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.log1p(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return 1 / (1 + x); }
}
export function f32_log_1p_fwd(rec: usize): void { unaryFwd<F64Unary<Log1p>>(rec); }
export function f32_log_1p_bwd(rec: usize): void { unaryBwd<F64Unary<Log1p>>(rec); }

class Exp2 {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.pow(2, x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return y * Math.LN2; }
}
export function f32_exp_2_fwd(rec: usize): void { unaryFwd<F64Unary<Exp2>>(rec); }
export function f32_exp_2_bwd(rec: usize): void { unaryBwd<F64Unary<Exp2>>(rec); }

class Expm1 {
  @inline f(x: f64, p: f64, q: f64): f64 { return Math.expm1(x); }
  @inline d(x: f64, y: f64, p: f64, q: f64): f64 { return y + 1; }
}
export function f32_expm_1_fwd(rec: usize): void { unaryFwd<F64Unary<Expm1>>(rec); }
export function f32_expm_1_bwd(rec: usize): void { unaryBwd<F64Unary<Expm1>>(rec); }

// ---- activations ----------------------------------------------------------------------------------
// Hot in training, so float32 SIMD: each written once against a lane type L (Lane1: one float,
// Lane4: f32x4, assembly/simd.ts) with its value type V.

/** σ(x) = e/(1 + e), e = e^min(x, 20): no overflow; from 20 on σ rounds to 1 in float32 anyway. */
@inline function sigmoidE<L, V>(e: V): V {
  const l = changetype<L>(0);
  return l.div(e, l.add(e, l.splat(1)));
}

// mish = x·tanh(softplus x). With e = eˣ and n = e(e + 2), tanh(ln(1 + e)) = n/(n + 2): no
// cancellation for negative x (≈ e there), and 1 − t = 2/(n + 2) exactly, so the derivative
// d = t + x·σ(x)·(1 − t²) = t + x·σ(x)·2w(1 + t), w = 1/(n + 2), does not cancel for large x.
// x is capped at 20 inside the exponential (t rounds to 1 from there; n stays finite). The
// gradient adds x − x (0, or NaN at ±∞ and NaN): PyTorch's is NaN at ±∞, where its x·σ(x)·(1 − t²)
// is ∞·0 (two vector ops, no branch).
@inline function mishF<L, V>(x: V): V {
  const l = changetype<L>(0);
  const e = l.exp(l.min(x, l.splat(20)));
  const n = l.mul(e, l.add(e, l.splat(2)));
  return l.mul(x, l.div(n, l.add(n, l.splat(2))));
}
@inline function mishD<L, V>(x: V): V {
  const l = changetype<L>(0);
  // past x = 20 the second term x·σ·(1 − t²) is below 1e-15 but x·w is not where x is huge (w
  // stops at e⁻⁴⁰): the clamped x keeps the term ~0, so the gradient is 1 up to float32's max.
  const xc = l.min(x, l.splat(20));
  const e = l.exp(xc);
  const n = l.mul(e, l.add(e, l.splat(2)));
  const w = l.div(l.splat(1), l.add(n, l.splat(2)));
  const t = l.mul(n, w);
  return l.add(l.madd(l.mul(xc, sigmoidE<L, V>(e)), l.mul(l.add(w, w), l.add(l.splat(1), t)), t), l.sub(x, x));
}
class Mish {
  @inline f(x: f32, p: f32, q: f32): f32 { return mishF<Lane1, f32>(x); }
  @inline v(x: v128, p: f32, q: f32): v128 { return mishF<Lane4, v128>(x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return mishD<Lane1, f32>(x); }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return mishD<Lane4, v128>(x); }
}
export function f32_mish_fwd(rec: usize): void { unaryFwd<Mish>(rec); }
export function f32_mish_bwd(rec: usize): void { unaryBwd<Mish>(rec); }

// elu and selu, p = α, q = scale (1 for elu): q·x for x > 0, else q·α·(eˣ − 1) (expm1: exact near
// 0). x ≤ 0 is the exponential side as in PyTorch, so the gradient at 0 is q·α; NaN stays NaN,
// and its gradient is the linear side's q (x ≤ 0 is false for NaN, as in PyTorch's backward).
@inline function eluF<L, V>(x: V, p: f32, q: f32): V {
  const l = changetype<L>(0);
  return l.mul(l.splat(q), l.select(l.lt(l.splat(0), x), x, l.mul(l.splat(p), l.expm1(x))));
}
@inline function eluD<L, V>(x: V, p: f32, q: f32): V {
  const l = changetype<L>(0);
  return l.select(l.le(x, l.splat(0)), l.mul(l.splat(p * q), l.exp(x)), l.splat(q));
}
class Elu {
  @inline f(x: f32, p: f32, q: f32): f32 { return eluF<Lane1, f32>(x, p, q); }
  @inline v(x: v128, p: f32, q: f32): v128 { return eluF<Lane4, v128>(x, p, q); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return eluD<Lane1, f32>(x, p, q); }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return eluD<Lane4, v128>(x, p, q); }
}
export function f32_elu_fwd(rec: usize): void { unaryFwd<Elu>(rec); }
export function f32_elu_bwd(rec: usize): void { unaryBwd<Elu>(rec); }
export function f32_selu_fwd(rec: usize): void { unaryFwd<Elu>(rec); }
export function f32_selu_bwd(rec: usize): void { unaryBwd<Elu>(rec); }

// celu, p = α ≠ 0: x for x > 0, else α(e^(x/α) − 1); gradient 1 or e^(x/α) (both 1 at 0; 1 at NaN, as elu).
@inline function celuF<L, V>(x: V, p: f32): V {
  const l = changetype<L>(0);
  return l.select(l.lt(l.splat(0), x), x, l.mul(l.splat(p), l.expm1(l.div(x, l.splat(p)))));
}
@inline function celuD<L, V>(x: V, p: f32): V {
  const l = changetype<L>(0);
  return l.select(l.le(x, l.splat(0)), l.exp(l.div(x, l.splat(p))), l.splat(1));
}
class Celu {
  @inline f(x: f32, p: f32, q: f32): f32 { return celuF<Lane1, f32>(x, p); }
  @inline v(x: v128, p: f32, q: f32): v128 { return celuF<Lane4, v128>(x, p); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return celuD<Lane1, f32>(x, p); }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return celuD<Lane4, v128>(x, p); }
}
export function f32_celu_fwd(rec: usize): void { unaryFwd<Celu>(rec); }
export function f32_celu_bwd(rec: usize): void { unaryBwd<Celu>(rec); }

// logσ(x) = min(x, 0) − log1p(e^−|x|): no overflow, and exactly x for large negative x. Gradient
// σ(−x) from e = e^−|x| ≤ 1: e/(1 + e) for x ≥ 0, 1/(1 + e) below.
@inline function logsigmoidF<L, V>(x: V): V {
  const l = changetype<L>(0);
  return l.sub(l.min(x, l.splat(0)), l.log1p(l.exp(l.neg(l.abs(x)))));
}
@inline function logsigmoidD<L, V>(x: V): V {
  const l = changetype<L>(0);
  const e = l.exp(l.neg(l.abs(x))), r = l.div(l.splat(1), l.add(l.splat(1), e));
  return l.select(l.le(l.splat(0), x), l.mul(e, r), r);
}
class Logsigmoid {
  @inline f(x: f32, p: f32, q: f32): f32 { return logsigmoidF<Lane1, f32>(x); }
  @inline v(x: v128, p: f32, q: f32): v128 { return logsigmoidF<Lane4, v128>(x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return logsigmoidD<Lane1, f32>(x); }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return logsigmoidD<Lane4, v128>(x); }
}
export function f32_logsigmoid_fwd(rec: usize): void { unaryFwd<Logsigmoid>(rec); }
export function f32_logsigmoid_bwd(rec: usize): void { unaryBwd<Logsigmoid>(rec); }

// The piecewise activations in float32, PyTorch's operation order. hardswish = x·min(max(x + 3, 0),
// 6)/6, gradient 0 below −3, x/3 + 1/2 on [−3, 3] (both ends, PyTorch), 1 above.
class Hardswish {
  @inline f(x: f32, p: f32, q: f32): f32 { return (x * min<f32>(max<f32>(x + 3, 0), 6)) / 6; }
  @inline v(x: v128, p: f32, q: f32): v128 {
    const r = f32x4.min(f32x4.max(f32x4.add(x, f32x4.splat(3)), f32x4.splat(0)), f32x4.splat(6));
    return f32x4.div(f32x4.mul(x, r), f32x4.splat(6));
  }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 {
    const mid = f32x4.add(f32x4.div(x, f32x4.splat(3)), f32x4.splat(0.5));
    const r = v128.bitselect(mid, f32x4.splat(1), f32x4.le(x, f32x4.splat(3)));
    return v128.andnot(r, f32x4.lt(x, f32x4.splat(-3)));
  }
}
export function f32_hardswish_fwd(rec: usize): void { unaryFwd<Hardswish>(rec); }
export function f32_hardswish_bwd(rec: usize): void { unaryBwd<Hardswish>(rec); }

// hardsigmoid = min(max(x + 3, 0), 6)/6; gradient 1/6 strictly inside (−3, 3) (PyTorch).
class Hardsigmoid {
  @inline f(x: f32, p: f32, q: f32): f32 { return min<f32>(max<f32>(x + 3, 0), 6) / 6; }
  @inline v(x: v128, p: f32, q: f32): v128 {
    return f32x4.div(f32x4.min(f32x4.max(f32x4.add(x, f32x4.splat(3)), f32x4.splat(0)), f32x4.splat(6)), f32x4.splat(6));
  }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return x > -3 && x < 3 ? <f32>1 / 6 : 0; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 {
    return v128.and(v128.and(f32x4.gt(x, f32x4.splat(-3)), f32x4.lt(x, f32x4.splat(3))), f32x4.splat(<f32>1 / 6));
  }
}
export function f32_hardsigmoid_fwd(rec: usize): void { unaryFwd<Hardsigmoid>(rec); }
export function f32_hardsigmoid_bwd(rec: usize): void { unaryBwd<Hardsigmoid>(rec); }

// hardtanh to [p, q] = min(max(x, p), q) (NaN stays NaN: f32.max/min and f32x4.max/min propagate
// it); the gradient is 0 where x ≤ p or x ≥ q (the bounds included, PyTorch) and passes elsewhere.
class Hardtanh {
  @inline f(x: f32, p: f32, q: f32): f32 { return min<f32>(max<f32>(x, p), q); }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.min(f32x4.max(x, f32x4.splat(p)), f32x4.splat(q)); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return x <= p || x >= q ? 0 : 1; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 {
    return v128.andnot(f32x4.splat(1), v128.or(f32x4.le(x, f32x4.splat(p)), f32x4.ge(x, f32x4.splat(q))));
  }
}
export function f32_hardtanh_fwd(rec: usize): void { unaryFwd<Hardtanh>(rec); }
export function f32_hardtanh_bwd(rec: usize): void { unaryBwd<Hardtanh>(rec); }

// softsign = x/(1 + |x|), gradient 1/(1 + |x|)² + (x − x): the added 0 is NaN at ±∞ (and NaN),
// PyTorch's gradient there (its quotient rule gives 1/∞ − ∞/∞²), where the value is NaN too.
class Softsign {
  @inline f(x: f32, p: f32, q: f32): f32 { return x / (1 + Mathf.abs(x)); }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.div(x, f32x4.add(f32x4.splat(1), f32x4.abs(x))); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { const s: f32 = 1 + Mathf.abs(x); return 1 / (s * s) + (x - x); }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 {
    const s = f32x4.add(f32x4.splat(1), f32x4.abs(x));
    return f32x4.add(f32x4.div(f32x4.splat(1), f32x4.mul(s, s)), f32x4.sub(x, x));
  }
}
export function f32_softsign_fwd(rec: usize): void { unaryFwd<Softsign>(rec); }
export function f32_softsign_bwd(rec: usize): void { unaryBwd<Softsign>(rec); }

// gelu's tanh form 0.5x(1 + tanh u), u = √(2/π)(x + 0.044715x³), evaluated as x·σ(2u) (equal, as
// (1 + tanh u)/2 = σ(2u)) so that negative x does not cancel in 1 + tanh u. With s = σ(2u):
// d = s + x·s(1 − s)·2u', 2u' = 2√(2/π)(1 + 3·0.044715x²).
const GELU_2K: f32 = 1.5957691216057308; // 2√(2/π)
const GELU_2KC: f32 = 0.07135481627159337; // 2√(2/π)·0.044715
class GeluTanh {
  @inline f(x: f32, p: f32, q: f32): f32 { return x * sigmoid1(x * (GELU_2K + GELU_2KC * x * x)); }
  @inline v(x: v128, p: f32, q: f32): v128 {
    return f32x4.mul(x, sigmoidV(f32x4.mul(x, madd(f32x4.mul(x, x), f32x4.splat(GELU_2KC), f32x4.splat(GELU_2K)))));
  }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 {
    const s = sigmoid1(x * (GELU_2K + GELU_2KC * x * x));
    return s + x * s * (1 - s) * (GELU_2K + 3 * GELU_2KC * x * x);
  }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 {
    const x2 = f32x4.mul(x, x);
    const s = sigmoidV(f32x4.mul(x, madd(x2, f32x4.splat(GELU_2KC), f32x4.splat(GELU_2K))));
    const du = madd(x2, f32x4.splat(3 * GELU_2KC), f32x4.splat(GELU_2K));
    return madd(f32x4.mul(f32x4.mul(x, s), f32x4.sub(f32x4.splat(1), s)), du, s);
  }
}
export function f32_gelu_tanh_fwd(rec: usize): void { unaryFwd<GeluTanh>(rec); }
export function f32_gelu_tanh_bwd(rec: usize): void { unaryBwd<GeluTanh>(rec); }

// ---- binary, broadcasting (float64) --------------------------------------------------------------
// One instantiation of the broadcasting templates serves all nine maps: BinaryMap calls the map
// chosen by `binaryMap` through one switch per element of the scalar loops and per four lanes of the
// SIMD loops. These maps cost a libm call or several float64 operations per element already, and a
// copy of the templates per map (four access patterns each, forward and backward) cost ~7 KB
// gzipped of every .wasm. The arithmetic of each element is unchanged, so are the results.
// `binaryMap` is a global of the instance running the kernel: a worker of the threads builds sets
// its own when it runs its part of the record.
const ATAN2 = 0, LOGADDEXP = 1, HYPOT = 2, POW_TENSOR = 3, FMOD = 4, REMAINDER = 5, FLOOR_DIVIDE = 6, XLOGY = 7, XLOG1PY = 8;
let binaryMap = ATAN2;

// a² + b² cannot overflow in float64 for float32 inputs.
class Atan2 {
  @inline f(a: f64, b: f64): f64 { return Math.atan2(a, b); }
  @inline da(a: f64, b: f64, y: f64): f64 { return b / (a * a + b * b); }
  @inline db(a: f64, b: f64, y: f64): f64 { return -a / (a * a + b * b); }
}
export function f32_atan_2_fwd(rec: usize): void { mapFwd(rec, ATAN2); }
export function f32_atan_2_bwd(rec: usize): void { mapBwd(rec, ATAN2); }

/** σ(x) in float64 without overflow. */
@inline function sigmoid64(x: f64): f64 {
  const e = Math.exp(-Math.abs(x)), r = 1 / (1 + e);
  return x >= 0 ? r : e * r;
}

// log(eᵃ + eᵇ) = max + log1p(e^−|a − b|) (PyTorch's form; equal infinities give themselves, not
// NaN); gradients σ(a − b), σ(b − a), which need neither the output nor an overflowing exp.
class Logaddexp {
  @inline f(a: f64, b: f64): f64 {
    return a == b && Math.abs(a) == Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
  }
  @inline da(a: f64, b: f64, y: f64): f64 { return sigmoid64(a - b); }
  @inline db(a: f64, b: f64, y: f64): f64 { return sigmoid64(b - a); }
}
export function f32_logaddexp_fwd(rec: usize): void { mapFwd(rec, LOGADDEXP); }
export function f32_logaddexp_bwd(rec: usize): void { mapBwd(rec, LOGADDEXP); }

class Hypot {
  @inline f(a: f64, b: f64): f64 { return Math.hypot(a, b); }
  @inline da(a: f64, b: f64, y: f64): f64 { return a / y; }
  @inline db(a: f64, b: f64, y: f64): f64 { return b / y; }
}
export function f32_hypot_fwd(rec: usize): void { mapFwd(rec, HYPOT); }
export function f32_hypot_bwd(rec: usize): void { mapBwd(rec, HYPOT); }

// aᵇ as C's pow (PyTorch's): pow(1, NaN) = pow(−1, ±∞) = 1, where AssemblyScript's Math.pow follows
// JavaScript's (NaN). PyTorch's gradients: b·a^(b−1), 0 where b = 0; y·ln a, 0 where a = 0 and b ≥ 0
// (NaN for a < 0, the real log's).
function cpow(a: f64, b: f64): f64 { return a == 1 || (a == -1 && abs(b) == Infinity) ? 1 : Math.pow(a, b); }
class PowTensor {
  @inline f(a: f64, b: f64): f64 { return cpow(a, b); }
  @inline da(a: f64, b: f64, y: f64): f64 { return b == 0 ? 0 : b * cpow(a, b - 1); }
  @inline db(a: f64, b: f64, y: f64): f64 { return a == 0 && b >= 0 ? 0 : y * Math.log(a); }
}
export function f32_pow_tensor_fwd(rec: usize): void { mapFwd(rec, POW_TENSOR); }
export function f32_pow_tensor_bwd(rec: usize): void { mapBwd(rec, POW_TENSOR); }

// fmod, remainder and floorDivide follow PyTorch's float kernels: fmod is exact; fmod's gradient
// wrt b is −trunc(a/b) with PyTorch's float32 quotient (a float64 quotient of float32 values rounded
// once to float32 is the float32 quotient), remainder's −floorDivide(a, b).

/**
 * PyTorch's div_floor_floating in float32 steps: the quotient (a − fmod(a, b))/b is an integer up
 * to rounding, moved down by one where fmod has the other sign than b, then rounded to the nearest
 * integer; a zero result takes the sign of a/b; b = 0 gives a/b.
 */
function floorDivide64(a: f64, b: f64): f64 {
  if (b == 0) return a / b;
  const mod = a % b;
  let div = <f64><f32>(<f64><f32>(a - mod) / b);
  if (mod != 0 && (b < 0) != (mod < 0)) div = <f64><f32>(div - 1);
  if (div == 0) return copysign<f64>(0, a / b);
  let fl = Math.floor(div);
  if (div - fl > 0.5) fl += 1;
  return fl;
}

class Fmod {
  @inline f(a: f64, b: f64): f64 { return a % b; }
  @inline da(a: f64, b: f64, y: f64): f64 { return 1; }
  @inline db(a: f64, b: f64, y: f64): f64 { return -Math.trunc(<f64><f32>(a / b)); }
}
export function f32_fmod_fwd(rec: usize): void { mapFwd(rec, FMOD); }
export function f32_fmod_bwd(rec: usize): void { mapBwd(rec, FMOD); }

// Python's %: fmod moved into b's sign by adding b (rounded to float32 once, with the output, as
// PyTorch's float32 sum).
class Remainder {
  @inline f(a: f64, b: f64): f64 {
    const mod = a % b;
    return mod != 0 && (b < 0) != (mod < 0) ? mod + b : mod;
  }
  @inline da(a: f64, b: f64, y: f64): f64 { return 1; }
  @inline db(a: f64, b: f64, y: f64): f64 { return -floorDivide64(a, b); }
}
export function f32_remainder_fwd(rec: usize): void { mapFwd(rec, REMAINDER); }
export function f32_remainder_bwd(rec: usize): void { mapBwd(rec, REMAINDER); }

class FloorDivide {
  @inline f(a: f64, b: f64): f64 { return floorDivide64(a, b); }
}
export function f32_floor_divide_fwd(rec: usize): void { mapFwd(rec, FLOOR_DIVIDE); }

// xlogy(a, b) = a·log b and xlog1py(a, b) = a·log1p b as PyTorch's kernels: NaN where b is NaN,
// else 0 where a = 0 (b = 0 and b = ∞ included). Their gradients are PyTorch 1.13's formulas, the
// degenerate points included, which a composite of table ops could not give (its value there
// would be 0·∞): for a, log b (log1p b), but 0 where a = 0 and b ≤ 0 (b ≤ −1), so ∞ at a = 0,
// b = ∞; for b, a/b (a/(1 + b)), NaN at a = b = 0 (a = 0, b = −1).
class Xlogy {
  @inline f(a: f64, b: f64): f64 { return isNaN(b) ? b : a == 0 ? 0 : a * Math.log(b); }
  @inline da(a: f64, b: f64, y: f64): f64 { return a == 0 && b <= 0 ? 0 : Math.log(b); }
  @inline db(a: f64, b: f64, y: f64): f64 { return a / b; }
}
export function f32_xlogy_fwd(rec: usize): void { mapFwd(rec, XLOGY); }
export function f32_xlogy_bwd(rec: usize): void { mapBwd(rec, XLOGY); }

class Xlog1py {
  @inline f(a: f64, b: f64): f64 { return isNaN(b) ? b : a == 0 ? 0 : a * Math.log1p(b); }
  @inline da(a: f64, b: f64, y: f64): f64 { return a == 0 && b <= -1 ? 0 : Math.log1p(b); }
  @inline db(a: f64, b: f64, y: f64): f64 { return a / (1 + b); }
}
export function f32_xlog_1py_fwd(rec: usize): void { mapFwd(rec, XLOG1PY); }
export function f32_xlog_1py_bwd(rec: usize): void { mapBwd(rec, XLOG1PY); }

function mapF(a: f64, b: f64): f64 {
  switch (binaryMap) {
    case ATAN2: return changetype<Atan2>(0).f(a, b);
    case LOGADDEXP: return changetype<Logaddexp>(0).f(a, b);
    case HYPOT: return changetype<Hypot>(0).f(a, b);
    case POW_TENSOR: return changetype<PowTensor>(0).f(a, b);
    case FMOD: return changetype<Fmod>(0).f(a, b);
    case REMAINDER: return changetype<Remainder>(0).f(a, b);
    case XLOGY: return changetype<Xlogy>(0).f(a, b);
    case XLOG1PY: return changetype<Xlog1py>(0).f(a, b);
    default: return changetype<FloorDivide>(0).f(a, b);
  }
}
function mapDa(a: f64, b: f64, y: f64): f64 {
  switch (binaryMap) {
    case ATAN2: return changetype<Atan2>(0).da(a, b, y);
    case LOGADDEXP: return changetype<Logaddexp>(0).da(a, b, y);
    case HYPOT: return changetype<Hypot>(0).da(a, b, y);
    case POW_TENSOR: return changetype<PowTensor>(0).da(a, b, y);
    case FMOD: return changetype<Fmod>(0).da(a, b, y);
    case XLOGY: return changetype<Xlogy>(0).da(a, b, y);
    case XLOG1PY: return changetype<Xlog1py>(0).da(a, b, y);
    default: return changetype<Remainder>(0).da(a, b, y);
  }
}
function mapDb(a: f64, b: f64, y: f64): f64 {
  switch (binaryMap) {
    case ATAN2: return changetype<Atan2>(0).db(a, b, y);
    case LOGADDEXP: return changetype<Logaddexp>(0).db(a, b, y);
    case HYPOT: return changetype<Hypot>(0).db(a, b, y);
    case POW_TENSOR: return changetype<PowTensor>(0).db(a, b, y);
    case FMOD: return changetype<Fmod>(0).db(a, b, y);
    case XLOGY: return changetype<Xlogy>(0).db(a, b, y);
    case XLOG1PY: return changetype<Xlog1py>(0).db(a, b, y);
    default: return changetype<Remainder>(0).db(a, b, y);
  }
}
// The vector forms switch once per four lanes, each case F64Binary's four lanes of its map inline.
function mapV(a: v128, b: v128): v128 {
  switch (binaryMap) {
    case ATAN2: return changetype<F64Binary<Atan2>>(0).v(a, b);
    case LOGADDEXP: return changetype<F64Binary<Logaddexp>>(0).v(a, b);
    case HYPOT: return changetype<F64Binary<Hypot>>(0).v(a, b);
    case POW_TENSOR: return changetype<F64Binary<PowTensor>>(0).v(a, b);
    case FMOD: return changetype<F64Binary<Fmod>>(0).v(a, b);
    case REMAINDER: return changetype<F64Binary<Remainder>>(0).v(a, b);
    case XLOGY: return changetype<F64Binary<Xlogy>>(0).v(a, b);
    case XLOG1PY: return changetype<F64Binary<Xlog1py>>(0).v(a, b);
    default: return changetype<F64Binary<FloorDivide>>(0).v(a, b);
  }
}
function mapVda(a: v128, b: v128, y: v128): v128 {
  switch (binaryMap) {
    case ATAN2: return changetype<F64Binary<Atan2>>(0).vda(a, b, y);
    case LOGADDEXP: return changetype<F64Binary<Logaddexp>>(0).vda(a, b, y);
    case HYPOT: return changetype<F64Binary<Hypot>>(0).vda(a, b, y);
    case POW_TENSOR: return changetype<F64Binary<PowTensor>>(0).vda(a, b, y);
    case FMOD: return changetype<F64Binary<Fmod>>(0).vda(a, b, y);
    case XLOGY: return changetype<F64Binary<Xlogy>>(0).vda(a, b, y);
    case XLOG1PY: return changetype<F64Binary<Xlog1py>>(0).vda(a, b, y);
    default: return changetype<F64Binary<Remainder>>(0).vda(a, b, y);
  }
}
function mapVdb(a: v128, b: v128, y: v128): v128 {
  switch (binaryMap) {
    case ATAN2: return changetype<F64Binary<Atan2>>(0).vdb(a, b, y);
    case LOGADDEXP: return changetype<F64Binary<Logaddexp>>(0).vdb(a, b, y);
    case HYPOT: return changetype<F64Binary<Hypot>>(0).vdb(a, b, y);
    case POW_TENSOR: return changetype<F64Binary<PowTensor>>(0).vdb(a, b, y);
    case FMOD: return changetype<F64Binary<Fmod>>(0).vdb(a, b, y);
    case XLOGY: return changetype<F64Binary<Xlogy>>(0).vdb(a, b, y);
    case XLOG1PY: return changetype<F64Binary<Xlog1py>>(0).vdb(a, b, y);
    default: return changetype<F64Binary<Remainder>>(0).vdb(a, b, y);
  }
}
/** The map `binaryMap` names, as the f32 op the broadcasting templates take. */
class BinaryMap {
  @inline f(a: f32, b: f32): f32 { return <f32>mapF(<f64>a, <f64>b); }
  @inline da(a: f32, b: f32, y: f32): f32 { return <f32>mapDa(<f64>a, <f64>b, <f64>y); }
  @inline db(a: f32, b: f32, y: f32): f32 { return <f32>mapDb(<f64>a, <f64>b, <f64>y); }
  @inline v(a: v128, b: v128): v128 { return mapV(a, b); }
  @inline vda(a: v128, b: v128, y: v128): v128 { return mapVda(a, b, y); }
  @inline vdb(a: v128, b: v128, y: v128): v128 { return mapVdb(a, b, y); }
}
function mapFwd(rec: usize, map: i32): void {
  binaryMap = map;
  binaryFwd<BinaryMap>(rec);
}
function mapBwd(rec: usize, map: i32): void {
  binaryMap = map;
  binaryBwd<BinaryMap>(rec);
}
