/** The elementwise ops as functions (wg.add, wg.exp, ...): numbers mix with tensors as 0-d constants. Table: src/ops/elementwise.ts. */
import { lift } from './creation.js';
import { apply } from '../engine/engine.js';
import { Tensor, type TensorLike } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { op, type OpName } from '../ops/index.js';

/** The tensor inputs of a call: numbers become 0-d constants on the backend of the first tensor. */
function operands(name: string, args: readonly unknown[]): Tensor[] {
  args.forEach((t, i) => {
    if (!(t instanceof Tensor) && typeof t !== 'number') throw new ValueError(name, `argument ${i + 1} must be a Tensor or a number, got ${fmtValue(t)}`);
  });
  const like = args.find((t): t is Tensor => t instanceof Tensor);
  if (like === undefined) throw new ValueError(name, `needs a Tensor argument, got only numbers (${args.map((a) => fmtValue(a)).join(', ')})`);
  return args.map((t) => lift(t as TensorLike, like));
}

const un =
  (name: OpName) =>
  (x: Tensor): Tensor =>
    apply(op(name), operands(name, [x]));
const bin =
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
/** x·Φ(x), PyTorch's default (exact, erf) GELU. */
export const gelu = un('gelu');
/** log(1 + eˣ), and x itself above 20 (PyTorch's beta 1, threshold 20). */
export const softplus = un('softplus');
/** x·σ(x) (SiLU, swish). */
export const silu = un('silu');
/** x for x > 0, else slope·x. */
export const leakyRelu = (x: Tensor, slope = 0.01): Tensor => apply(op('leakyRelu'), operands('leakyRelu', [x]), { slope });
/** min(max(x, min), max); a null bound is absent (one is needed). The gradient passes where min ≤ x ≤ max. */
export const clamp = (x: Tensor, min: number | null = null, max: number | null = null): Tensor => apply(op('clamp'), operands('clamp', [x]), { min, max });
/** xᵉ for a finite number e; the gradient is e·x^(e−1), and 0 for e = 0. */
export const pow = (x: Tensor, exponent: number): Tensor => apply(op('pow'), operands('pow', [x]), { exponent });
/** start + weight·(end − start), broadcasting; weight is a tensor or a number (PyTorch's lerp). */
export const lerp = (start: Tensor, end: TensorLike, weight: TensorLike): Tensor => apply(op('lerp'), operands('lerp', [start, end, weight]));
