/** The elementwise ops as functions (wg.add, wg.exp, ...): numbers mix with tensors as 0-d constants. Table: src/ops/elementwise.ts. */
import { divide, intClamp, operands, promoted } from './integer.js';
import { checkOptions } from '../engine/check.js';
import { DTypeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { apply } from '../engine/engine.js';
import { Tensor, type TensorLike } from '../engine/tensor.js';
import { op, type OpName } from '../ops/index.js';
import { checkFinite } from '../ops/types.js';

/**
 * A unary op; an int32 x runs `int` when given (an int32 op or function: PyTorch keeps the dtype, as
 * neg, abs, relu, sign), else meets the float op's dtype check (PyTorch has no integer kernel either).
 */
export const un =
  (name: OpName, int: OpName | ((x: Tensor) => Tensor) | null = null) =>
  (x: Tensor): Tensor => {
    if (int === null || !(x instanceof Tensor) || x.dtype !== 'int32') return apply(op(name), operands(name, [x]));
    return typeof int === 'function' ? int(x) : apply(op(int), [x]);
  };
/** A floating function (exp, sin, …): an int32 x is cast to float32 first, as PyTorch computes it for integer tensors. */
export const real =
  (name: OpName) =>
  (x: Tensor): Tensor =>
    apply(op(name), operands(name, [x], true));
/** A binary op; int32 operands follow PyTorch's promotion (src/api/integer.ts): `intName` when all are int32, else float32. */
export const bin =
  (name: OpName, intName: OpName | null = null) =>
  (a: TensorLike, b: TensorLike): Tensor =>
    promoted(name, intName, a, b);

export const mul = bin('mul', 'intMul');
export interface AlphaOptions {
  /** PyTorch's alpha: b is multiplied by it first (default 1); an integer for int32 operands. */
  alpha?: number;
}
/** b·alpha for add/sub's `alpha` (b itself without it); a fractional alpha with integer operands is a ValueError, as PyTorch. */
function scaled(fn: 'add' | 'sub', a: TensorLike, b: TensorLike, opts: AlphaOptions | undefined): TensorLike {
  // only an options object is read: wg.add handed to Array.prototype.reduce gets the index there
  if (opts === null || typeof opts !== 'object') return b;
  const { alpha = 1 } = checkOptions<AlphaOptions>(fn, opts, ['alpha']);
  checkFinite(fn, 'alpha', alpha);
  const integral = (t: TensorLike) => (t instanceof Tensor ? t.dtype === 'int32' : Number.isInteger(t));
  if (!Number.isInteger(alpha) && integral(a) && integral(b)) throw new ValueError(fn, `alpha must be an integer for int32 operands, got ${fmtValue(alpha)}`);
  if (alpha === 1) return b;
  return typeof b === 'number' ? b * alpha : mul(b, alpha);
}
/** a + alpha·b (alpha 1 by default, PyTorch's add); the two-argument signature keeps wg.add assignable to (...xs: Tensor[]) => Tensor. */
export function add(a: TensorLike, b: TensorLike): Tensor;
export function add(a: TensorLike, b: TensorLike, opts?: AlphaOptions): Tensor;
export function add(a: TensorLike, b: TensorLike, opts?: AlphaOptions): Tensor {
  return promoted('add', 'intAdd', a, scaled('add', a, b, opts));
}
/** a − alpha·b (alpha 1 by default, PyTorch's sub). */
export function sub(a: TensorLike, b: TensorLike): Tensor;
export function sub(a: TensorLike, b: TensorLike, opts?: AlphaOptions): Tensor;
export function sub(a: TensorLike, b: TensorLike, opts?: AlphaOptions): Tensor {
  return promoted('sub', 'intSub', a, scaled('sub', a, b, opts));
}
export interface DivOptions {
  /** PyTorch's rounding_mode: undefined (true division), 'trunc' (toward zero) or 'floor' (floorDivide). */
  roundingMode?: 'trunc' | 'floor';
}
/** True division: int32 operands give float32 (PyTorch); `roundingMode` 'trunc' or 'floor' rounds the quotient (int32 stays int32). */
export const div = (a: TensorLike, b: TensorLike, opts?: DivOptions): Tensor =>
  divide(a, b, checkOptions<DivOptions>('div', opts, ['roundingMode']).roundingMode);
/** Elementwise max; NaN if either is NaN; a tie sends half the gradient to each. */
export const maximum = bin('maximum', 'intMaximum');
/** Elementwise min; NaN if either is NaN; a tie sends half the gradient to each. */
export const minimum = bin('minimum', 'intMinimum');
/** Comparisons give float32 masks of 1 and 0 and no gradient (int32 operands too: exact, no float round trip). */
export const gt = bin('gt', 'intGt');
export const lt = bin('lt', 'intLt');
export const ge = bin('ge', 'intGe');
export const le = bin('le', 'intLe');
export const eq = bin('eq', 'intEq');
/** cond ≠ 0 ? a : b elementwise, broadcasting all three; cond float32 or int32 (nonzero = true); a and b may be numbers; int32 a and b give int32. */
export { where } from './integer.js';

/** max(x, 0); an int32 x stays int32. */
export const relu = un('relu', (x) => intClamp(x, 0, null)!);
export const neg = un('neg', 'intNeg');
export const exp = real('exp');
export const log = real('log');
export const sqrt = real('sqrt');
export const abs = un('abs', 'intAbs');
/** x·x; an int32 x stays int32 (wrapping). */
export const square = un('square', (x) => promoted('mul', 'intMul', x, x));
export const tanh = real('tanh');
export const sigmoid = real('sigmoid');
export interface GeluOptions {
  /** 'none' (default): the exact x·Φ(x); 'tanh': 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
  approximate?: 'none' | 'tanh';
}
/** x·Φ(x), PyTorch's default (exact, erf) GELU, or its tanh approximation. */
export const gelu = (x: Tensor, opts?: GeluOptions): Tensor => {
  const { approximate = 'none' } = checkOptions<GeluOptions>('gelu', opts, ['approximate']);
  if (approximate !== 'none' && approximate !== 'tanh') throw new ValueError('gelu', `approximate must be 'none' or 'tanh', got ${fmtValue(approximate)}`);
  return approximate === 'tanh' ? apply(op('geluTanh'), operands('gelu', [x])) : apply(op('gelu'), operands('gelu', [x]));
};
export interface SoftplusOptions {
  /** β (default 1): log(1 + e^(βx))/β. */
  beta?: number;
  /** x itself where βx > threshold (default 20). */
  threshold?: number;
}
/** log(1 + e^(βx))/β, and x itself where βx > threshold (PyTorch's defaults β 1, threshold 20). */
export const softplus = (x: Tensor, opts?: SoftplusOptions): Tensor => {
  const { beta = 1, threshold = 20 } = checkOptions<SoftplusOptions>('softplus', opts, ['beta', 'threshold']);
  return apply(op('softplus'), operands('softplus', [x]), { beta, threshold });
};
/** x·σ(x) (SiLU, swish). */
export const silu = un('silu');
/** x for x > 0, else slope·x. */
export const leakyRelu = (x: Tensor, slope = 0.01): Tensor => apply(op('leakyRelu'), operands('leakyRelu', [x]), { slope });
/**
 * min(max(x, min), max); a null bound is absent (one is needed). The gradient passes where min ≤ x ≤ max.
 * An int32 x with integer bounds stays int32; a fractional bound makes the result float32 (PyTorch).
 */
export const clamp = (x: Tensor, min: number | null = null, max: number | null = null): Tensor =>
  intClamp(x, min, max) ?? apply(op('clamp'), operands('clamp', [x], true, { min, max }), { min, max });
/**
 * xᵉ, broadcasting when e is a Tensor (x may then be a number). Gradients e·x^(e−1) (0 where e = 0)
 * and, for a tensor e, xᵉ·ln x (0 where x = 0 and e ≥ 0), as PyTorch. An int32 x with an integer
 * e ≥ 0 stays int32 (exact, wrapping); with a fractional e or a float32 operand int32 is cast to
 * float32 (PyTorch's promotion).
 */
export const pow = (x: TensorLike, exponent: TensorLike): Tensor => {
  const isInt = (v: TensorLike) => (v instanceof Tensor ? v.dtype === 'int32' : Number.isInteger(v));
  if ((x instanceof Tensor && x.dtype === 'int32') || (exponent instanceof Tensor && exponent.dtype === 'int32')) {
    if (x instanceof Tensor && typeof exponent === 'number' && isInt(x) && isInt(exponent)) return intPow(x, exponent);
    if (isInt(x) && isInt(exponent))
      throw new DTypeError(
        'pow',
        `an int32 power with a tensor exponent is not supported (wasmgrad has no integer pow kernel): cast with .float(), got ${fmtValue(x)} and ${fmtValue(exponent)}`,
      );
  }
  if (!(exponent instanceof Tensor) && x instanceof Tensor) return apply(op('pow'), operands('pow', [x], true, { exponent }), { exponent });
  // int32 operands are cast after powTensor's plan accepted the shapes; other arguments are named as pow's
  const int = [x, exponent].some((t) => t instanceof Tensor && t.dtype === 'int32');
  return apply(op('powTensor'), int ? operands('powTensor', [x, exponent], true) : operands('pow', [x, exponent]));
};

/** xⁿ of an int32 x by squaring, in int32 products: exact and wrapping as PyTorch's integer pow. */
function intPow(x: Tensor, n: number): Tensor {
  if (n < 0)
    throw new ValueError(
      'pow',
      `integers to negative integer powers are not allowed (PyTorch), got exponent ${n} for an int32 x of shape ${fmtShape(x.shape)}`,
    );
  let result: Tensor | null = null;
  for (let k = n, base = x; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) result = result === null ? base : mul(result, base);
    if (k > 1) base = mul(base, base);
  }
  // x⁰ is 1 everywhere and x¹ a copy (never x itself)
  return result === null ? add(mul(x, 0), 1) : result === x ? mul(x, 1) : result;
}
/** start + weight·(end − start), broadcasting; weight is a tensor or a number (PyTorch's lerp). */
export const lerp = (start: Tensor, end: TensorLike, weight: TensorLike): Tensor => apply(op('lerp'), operands('lerp', [start, end, weight]));
