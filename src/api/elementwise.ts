/** The elementwise ops as functions (wg.add, wg.exp, ...): numbers mix with tensors as 0-d constants. Table: src/ops/elementwise.ts. */
import { intClamp, operands, promoted } from './integer.js';
import { checkOptions } from '../engine/check.js';
import { ValueError, fmtValue } from '../errors.js';
import { apply } from '../engine/engine.js';
import { Tensor, type TensorLike } from '../engine/tensor.js';
import { op, type OpName } from '../ops/index.js';

/** A unary op; an int32 x runs `intName` (neg, abs: int32 results) or meets the float op's dtype check. */
export const un =
  (name: OpName, intName: OpName | null = null) =>
  (x: Tensor): Tensor =>
    intName !== null && x instanceof Tensor && x.dtype === 'int32' ? apply(op(intName), [x]) : apply(op(name), operands(name, [x]));
/** A binary op; int32 operands follow PyTorch's promotion (src/api/integer.ts): `intName` when all are int32, else float32. */
export const bin =
  (name: OpName, intName: OpName | null = null) =>
  (a: TensorLike, b: TensorLike): Tensor =>
    promoted(name, intName, a, b);

export const add = bin('add', 'intAdd');
export const sub = bin('sub', 'intSub');
export const mul = bin('mul', 'intMul');
/** True division: int32 operands give float32 (PyTorch). */
export const div = bin('div');
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

export const relu = un('relu');
export const neg = un('neg', 'intNeg');
export const exp = un('exp');
export const log = un('log');
export const sqrt = un('sqrt');
export const abs = un('abs', 'intAbs');
export const square = un('square');
export const tanh = un('tanh');
export const sigmoid = un('sigmoid');
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
 * and, for a tensor e, xᵉ·ln x (0 where x = 0 and e ≥ 0), as PyTorch.
 */
export const pow = (x: TensorLike, exponent: TensorLike): Tensor =>
  exponent instanceof Tensor || !(x instanceof Tensor)
    ? apply(op('powTensor'), operands('pow', [x, exponent]))
    : apply(op('pow'), operands('pow', [x]), { exponent });
/** start + weight·(end − start), broadcasting; weight is a tensor or a number (PyTorch's lerp). */
export const lerp = (start: Tensor, end: TensorLike, weight: TensorLike): Tensor => apply(op('lerp'), operands('lerp', [start, end, weight]));
