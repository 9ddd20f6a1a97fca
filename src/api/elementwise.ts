/** The elementwise ops as functions (wg.add, wg.exp, ...): numbers mix with tensors as 0-d constants. Table: src/ops/elementwise.ts. */
import { lift } from './creation.js';
import { checkOptions } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import { Tensor, type TensorLike } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { op, type OpName } from '../ops/index.js';

/** The tensor inputs of a call: numbers become 0-d constants on the backend of the first tensor. */
export function operands(name: string, args: readonly unknown[]): Tensor[] {
  args.forEach((t, i) => {
    if (!(t instanceof Tensor) && typeof t !== 'number') throw new ValueError(name, `argument ${i + 1} must be a Tensor or a number, got ${fmtValue(t)}`);
  });
  const like = args.find((t): t is Tensor => t instanceof Tensor);
  if (like === undefined) throw new ValueError(name, `needs a Tensor argument, got only numbers (${args.map((a) => fmtValue(a)).join(', ')})`);
  return args.map((t) => lift(t as TensorLike, like));
}

export const un =
  (name: OpName) =>
  (x: Tensor): Tensor =>
    apply(op(name), operands(name, [x]));
export const bin =
  (name: OpName) =>
  (a: TensorLike, b: TensorLike): Tensor =>
    apply(op(name), operands(name, [a, b]));

export const add = bin('add');
export const sub = bin('sub');
export const mul = bin('mul');
export const div = bin('div');
/** Elementwise max; NaN if either is NaN; a tie sends half the gradient to each. */
export const maximum = bin('maximum');
/** Elementwise min; NaN if either is NaN; a tie sends half the gradient to each. */
export const minimum = bin('minimum');
/** Comparisons give float32 masks of 1 and 0 and no gradient. */
export const gt = bin('gt');
export const lt = bin('lt');
export const ge = bin('ge');
export const le = bin('le');
export const eq = bin('eq');
/** cond ≠ 0 ? a : b elementwise, broadcasting all three; a and b may be numbers. */
export const where = (cond: TensorLike, a: TensorLike, b: TensorLike): Tensor => apply(op('where'), operands('where', [cond, a, b]));

export const relu = un('relu');
export const neg = un('neg');
export const exp = un('exp');
export const log = un('log');
export const sqrt = un('sqrt');
export const abs = un('abs');
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
/** min(max(x, min), max); a null bound is absent (one is needed). The gradient passes where min ≤ x ≤ max. */
export const clamp = (x: Tensor, min: number | null = null, max: number | null = null): Tensor => apply(op('clamp'), operands('clamp', [x]), { min, max });
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
