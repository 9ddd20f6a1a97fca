/** The math library and the activations beyond relu/gelu/softplus as functions (wg.sin, wg.elu, ...). Table: src/ops/math.ts. */
import { bin, un } from './elementwise.js';
import { operands } from './integer.js';
import { checkOptions } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import type { Tensor, TensorLike } from '../engine/tensor.js';
import { op, type OpName } from '../ops/index.js';

/** A unary op with an options object: unknown option names are a ValueError naming the op. */
const withOptions =
  <O extends object>(name: OpName, known: readonly (keyof O & string)[]) =>
  (x: Tensor, opts?: O): Tensor =>
    apply(op(name), operands(name, [x]), checkOptions<O>(name, opts, known));

export const sin = un('sin');
export const cos = un('cos');
export const tan = un('tan');
export const asin = un('asin');
export const acos = un('acos');
export const atan = un('atan');
export const sinh = un('sinh');
export const cosh = un('cosh');
export const asinh = un('asinh');
export const acosh = un('acosh');
export const atanh = un('atanh');
export const erf = un('erf');
export const erfc = un('erfc');
/** The inverse of erf on (−1, 1): ±∞ at ±1, NaN outside. */
export const erfinv = un('erfinv');
/** 1, −1 or 0 (0 for NaN too, as PyTorch); zero gradient. */
export const sign = un('sign');
/** Round half to even; `decimals` places (negative: tens, hundreds…), in float32 arithmetic as PyTorch. Zero gradient. */
export const round = withOptions<{ decimals?: number }>('round', ['decimals']);
export const floor = un('floor');
export const ceil = un('ceil');
export const trunc = un('trunc');
/** x − trunc(x) (the sign of x); gradient 1. */
export const frac = un('frac');
export const reciprocal = un('reciprocal');
export const rsqrt = un('rsqrt');
export const log2 = un('log2');
export const log10 = un('log10');
export const log1p = un('log1p');
export const exp2 = un('exp2');
export const expm1 = un('expm1');

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
/** min(max(x, minVal), maxVal) (defaults −1, 1); the gradient is 0 at the bounds. */
export const hardtanh = withOptions<{ minVal?: number; maxVal?: number }>('hardtanh', ['minVal', 'maxVal']);
/** min(max(x, 0), 6): hardtanh(x, {minVal: 0, maxVal: 6}). */
export const relu6 = un('relu6');
export const softsign = un('softsign');
/** log σ(x), stable for large |x|. */
export const logsigmoid = un('logsigmoid');

/** The angle of the point (b, a): atan2(a, b), broadcasting. */
export const atan2 = bin('atan2');
/** log(eᵃ + eᵇ), stable. */
export const logaddexp = bin('logaddexp');
/** √(a² + b²) without overflow. */
export const hypot = bin('hypot');
/** C's fmod: a − trunc(a/b)·b, with the sign of a. */
export const fmod = bin('fmod');

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
/** x − tanh(x). */
export const tanhshrink = (x: Tensor): Tensor => apply(op('tanhshrink'), operands('tanhshrink', [x]), {});
/** x where x > threshold, else value (PyTorch's F.threshold; both arguments required). */
export const threshold = (x: Tensor, threshold: number, value: number): Tensor => apply(op('threshold'), operands('threshold', [x]), { threshold, value });
/** softmax(−x) along dim (default the last). */
export const softmin = (x: Tensor, dim?: number): Tensor => apply(op('softmin'), operands('softmin', [x]), { dim });
/** The gated linear unit a·σ(b) of the halves a | b of x along dim (default −1). */
export const glu = (x: Tensor, dim?: number): Tensor => apply(op('glu'), operands('glu', [x]), { dim });
/** max(0, x) + weight·min(0, x); weight holds 1 value or one per channel (dim 1 of x). */
export const prelu = (x: Tensor, weight: Tensor): Tensor => apply(op('prelu'), operands('prelu', [x, weight]), {});
