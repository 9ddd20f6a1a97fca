/** The math library and the activations beyond relu/gelu/softplus as functions (wg.sin, wg.elu, ...). Table: src/ops/math.ts. */
import { bin, le, real, un } from './elementwise.js';
import { intClamp, operands, promoted, where } from './integer.js';
import { checkOptions } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import { Tensor, type TensorLike } from '../engine/tensor.js';
import { op, type OpName } from '../ops/index.js';

/** A unary op with an options object: unknown option names are a ValueError naming the op. */
const withOptions =
  <O extends object>(name: OpName, known: readonly (keyof O & string)[]) =>
  (x: Tensor, opts?: O): Tensor =>
    apply(op(name), operands(name, [x]), checkOptions<O>(name, opts, known));

export const sin = real('sin');
export const cos = real('cos');
export const tan = real('tan');
export const asin = real('asin');
export const acos = real('acos');
export const atan = real('atan');
export const sinh = real('sinh');
export const cosh = real('cosh');
export const asinh = real('asinh');
export const acosh = real('acosh');
export const atanh = real('atanh');
export const erf = real('erf');
export const erfc = real('erfc');
/** The inverse of erf on (−1, 1): ±∞ at ±1, NaN outside. */
export const erfinv = real('erfinv');
/** An int32 x rounds to itself: a copy, int32 (PyTorch). */
const intCopy = (x: Tensor): Tensor => promoted('add', 'intAdd', x, 0);
/** 1, −1 or 0 (0 for NaN too, as PyTorch); zero gradient; an int32 x stays int32. */
export const sign = un('sign', (x) => intClamp(x, -1, 1)!);
const roundFloat = withOptions<{ decimals?: number }>('round', ['decimals']);
/**
 * Round half to even; `decimals` places (negative: tens, hundreds…), in float32 arithmetic as PyTorch.
 * Zero gradient. An int32 x without decimals stays int32 (with decimals PyTorch has no integer kernel).
 */
export const round = (x: Tensor, opts?: { decimals?: number }): Tensor => {
  const { decimals = 0 } = checkOptions<{ decimals?: number }>('round', opts, ['decimals']);
  return x instanceof Tensor && x.dtype === 'int32' && decimals === 0 ? intCopy(x) : roundFloat(x, opts);
};
export const floor = un('floor', intCopy);
export const ceil = un('ceil', intCopy);
export const trunc = un('trunc', intCopy);
/** x − trunc(x) (the sign of x); gradient 1. */
export const frac = un('frac');
export const reciprocal = real('reciprocal');
export const rsqrt = real('rsqrt');
export const log2 = real('log2');
export const log10 = real('log10');
export const log1p = real('log1p');
export const exp2 = real('exp2');
export const expm1 = real('expm1');

/** x·tanh(softplus(x)). */
export const mish = un('mish');
/** x for x > 0, else α(eˣ − 1) (default α 1). */
export const elu = withOptions<{ alpha?: number }>('elu', ['alpha']);
/** scale·elu(x, α) with SELU's fixed α ≈ 1.6733 and scale ≈ 1.0507. */
export const selu = un('selu');
/** max(0, x) + min(0, α(e^(x/α) − 1)) (default α 1, must not be 0). */
export const celu = withOptions<{ alpha?: number }>('celu', ['alpha']);
export const hardswish = un('hardswish');
export const hardsigmoid = un('hardsigmoid');
const hardtanhFloat = withOptions<{ minVal?: number; maxVal?: number }>('hardtanh', ['minVal', 'maxVal']);
/** min(max(x, minVal), maxVal) (defaults −1, 1); the gradient is 0 at the bounds. An int32 x with integer bounds stays int32. */
export const hardtanh = (x: Tensor, opts?: { minVal?: number; maxVal?: number }): Tensor => {
  const { minVal = -1, maxVal = 1 } = checkOptions<{ minVal?: number; maxVal?: number }>('hardtanh', opts, ['minVal', 'maxVal']);
  return (x instanceof Tensor && x.dtype === 'int32' && minVal <= maxVal ? intClamp(x, minVal, maxVal) : null) ?? hardtanhFloat(x, opts);
};
/** min(max(x, 0), 6): hardtanh(x, {minVal: 0, maxVal: 6}); an int32 x stays int32. */
export const relu6 = un('relu6', (x) => intClamp(x, 0, 6)!);
export const softsign = real('softsign');
/** log σ(x), stable for large |x|. */
export const logsigmoid = un('logsigmoid');

/** The angle of the point (b, a): atan2(a, b), broadcasting. */
export const atan2 = bin('atan2');
/** log(eᵃ + eᵇ), stable. */
export const logaddexp = bin('logaddexp');
/** √(a² + b²) without overflow. */
export const hypot = bin('hypot');
/** C's fmod: a − trunc(a/b)·b, with the sign of a; int32 operands stay int32 (exact). */
export { fmod } from './integer.js';

export interface AddcOptions {
  /** The factor of t1·t2 or t1/t2 (default 1). */
  value?: number;
}
/** t + value·t1·t2, broadcasting all three. */
export const addcmul = (t: Tensor, t1: TensorLike, t2: TensorLike, opts?: AddcOptions): Tensor =>
  apply(op('addcmul'), operands('addcmul', [t, t1, t2]), checkOptions<AddcOptions>('addcmul', opts, ['value']));
/** t + value·t1/t2, broadcasting all three. */
export const addcdiv = (t: Tensor, t1: TensorLike, t2: TensorLike, opts?: AddcOptions): Tensor =>
  apply(op('addcdiv'), operands('addcdiv', [t, t1, t2]), checkOptions<AddcOptions>('addcdiv', opts, ['value']));

/** PyTorch's positional float (hardshrink(x, 0.3)) or an options object ({ lambd: 0.3 }). */
const lambdOf = (lambd: number | { lambd?: number } | undefined, fn: string): { lambd?: number } =>
  typeof lambd === 'object' && lambd !== null ? checkOptions<{ lambd?: number }>(fn, lambd, ['lambd']) : { lambd };
/** x where |x| > lambd (default 0.5), else 0. */
export const hardshrink = (x: Tensor, lambd?: number | { lambd?: number }): Tensor =>
  apply(op('hardshrink'), operands('hardshrink', [x]), lambdOf(lambd, 'hardshrink'));
/** x − lambd above lambd, x + lambd below −lambd, else 0 (default lambd 0.5). */
export const softshrink = (x: Tensor, lambd?: number | { lambd?: number }): Tensor =>
  apply(op('softshrink'), operands('softshrink', [x]), lambdOf(lambd, 'softshrink'));
/** x − tanh(x) (an int32 x is cast to float32, as PyTorch). */
export const tanhshrink = (x: Tensor): Tensor => apply(op('tanhshrink'), operands('tanhshrink', [x], true), {});
/**
 * value where x ≤ threshold, else x (PyTorch's F.threshold; both arguments required). An int32 x
 * stays int32, threshold and value truncated to integers as PyTorch casts them.
 */
export const threshold = (x: Tensor, threshold: number, value: number): Tensor =>
  x instanceof Tensor && x.dtype === 'int32' && Number.isFinite(threshold) && Number.isFinite(value)
    ? where(le(x, Math.trunc(threshold)), Math.trunc(value), x)
    : apply(op('threshold'), operands('threshold', [x]), { threshold, value });
/** softmax(−x) along dim (default the last). */
export const softmin = (x: Tensor, dim?: number): Tensor => apply(op('softmin'), operands('softmin', [x]), { dim });
/** The gated linear unit a·σ(b) of the halves a | b of x along dim (default −1). */
export const glu = (x: Tensor, dim?: number): Tensor => apply(op('glu'), operands('glu', [x]), { dim });
/** max(0, x) + weight·min(0, x); weight holds 1 value or one per channel (dim 1 of x). */
export const prelu = (x: Tensor, weight: Tensor): Tensor => apply(op('prelu'), operands('prelu', [x, weight]), {});
