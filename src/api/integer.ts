/**
 * int32 in the elementwise API: PyTorch's type promotion for the binary ops, the dtype casts
 * (t.to, t.float, t.int), int32 floor division and remainder, and the logical ops. Table:
 * src/ops/integer.ts.
 *
 * Promotion (PyTorch's, with int32 in the place of int64): an op whose tensors are all int32 and
 * whose numbers are all integers computes in int32, exactly, wrapping on overflow as int32 tensors
 * do in PyTorch; a float32 tensor or a fractional number among the operands makes it float32
 * (int32 tensors cast first); true division always gives float32.
 */
import { apply, constant } from '../engine/engine.js';
import { sink } from '../engine/sink.js';
import { Tensor, type TensorLike } from '../engine/tensor.js';
import { DTypeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { op, type OpName } from '../ops/index.js';
import type { DType, TableOp } from '../ops/types.js';

const INT32_MIN = -2147483648,
  INT32_MAX = 2147483647;

/** The first Tensor among an op's arguments, after checking each is a Tensor or a number. */
function firstTensor(name: string, args: readonly unknown[]): Tensor {
  args.forEach((t, i) => {
    if (!(t instanceof Tensor) && typeof t !== 'number') throw new ValueError(name, `argument ${i + 1} must be a Tensor or a number, got ${fmtValue(t)}`);
  });
  const like = args.find((t): t is Tensor => t instanceof Tensor);
  if (like === undefined) throw new ValueError(name, `needs a Tensor argument, got only numbers (${args.map((a) => fmtValue(a)).join(', ')})`);
  return like;
}

/**
 * The inputs of float32 op `name`: numbers become 0-d float32 constants on the first tensor's
 * backend; with `promote`, int32 tensors are cast to float32 (else the op's dtype check names
 * them), after the op's plan has accepted the shapes and `attrs`, so a bad call runs no cast.
 */
export function operands(name: OpName, args: readonly unknown[], promote = false, attrs: object = {}): Tensor[] {
  const be = firstTensor(name, args).storage.backend;
  if (promote && args.some((t) => t instanceof Tensor && t.dtype === 'int32'))
    (op(name) as TableOp).plan(
      args.map((t) => ({ shape: t instanceof Tensor ? t.shape : [], dtype: 'float32' })),
      attrs,
    );
  return args.map((t) => (t instanceof Tensor ? (promote ? asFloat(t) : t) : constant(t as number, be)));
}

const asFloat = (t: Tensor): Tensor => (t.dtype === 'int32' ? toFloat(t) : t);

/**
 * cond ≠ 0 ? a : b. int32 a and b (int32 tensors or integer numbers) give int32, exactly, as
 * PyTorch; otherwise float32 (int32 values cast). cond may be float32 or int32 (nonzero = true).
 */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const be = firstTensor('where', [cond, a, b]).storage.backend;
  // two integer numbers give an integer tensor too (PyTorch's where(c, 1, 0) is int64)
  const ints = intCall([a, b]) || (Number.isInteger(a) && Number.isInteger(b));
  if (!ints) return apply(op('where'), operands('where', [cond, a, b], true));
  const c = cond instanceof Tensor ? asFloat(cond) : constant(cond, be);
  return apply(op('intWhere'), [c, ...intOperands('where', [a, b], be)]);
}

/** Whether PyTorch's promotion keeps the call in int32: an int32 tensor, no float32 one, only integer numbers. */
function intCall(args: readonly unknown[]): boolean {
  return args.some((a) => a instanceof Tensor && a.dtype === 'int32') && args.every((a) => (a instanceof Tensor ? a.dtype === 'int32' : Number.isInteger(a)));
}

/** The inputs of int32 op `name`: integer numbers become 0-d int32 constants on `be` (wasmgrad has no int64 for larger ones). */
function intOperands(name: string, args: readonly (Tensor | number)[], be = firstTensor(name, args).storage.backend): Tensor[] {
  return args.map((a) => {
    if (a instanceof Tensor) return a;
    if (a < INT32_MIN || a > INT32_MAX)
      throw new ValueError(name, `the integer ${fmtValue(a)} does not fit in int32 (wasmgrad has no int64), mixed with an int32 tensor`);
    return constant(a, be, 'int32');
  });
}

/** Binary op `name` with PyTorch's promotion: int32 op `intName` when the call stays int32 (null: always float32, as true division). */
export function promoted(name: OpName, intName: OpName | null, a: TensorLike, b: TensorLike): Tensor {
  firstTensor(name, [a, b]);
  if (intName !== null && intCall([a, b])) return apply(op(intName), intOperands(name, [a, b]));
  return apply(op(name), operands(name, [a, b], true));
}

/** clamp of an int32 tensor by integer bounds stays int32 (PyTorch); null if the call is a float32 one. */
export function intClamp(x: Tensor, min: number | null, max: number | null): Tensor | null {
  const intBound = (v: unknown) => v === null || Number.isInteger(v);
  if (!(x instanceof Tensor) || x.dtype !== 'int32' || !intBound(min) || !intBound(max) || (min === null && max === null)) return null;
  return apply(op('intClamp'), [x], { min, max });
}

// ---- casts ---------------------------------------------------------------------------------
const toFloat = (x: Tensor): Tensor => apply(op('toFloat'), [x]);

/**
 * x as `dtype`: float32 → int32 truncates toward zero (NaN, ±∞ and values outside the int32 range
 * give −2³¹, as PyTorch on x86), int32 → float32 rounds to nearest beyond 2²⁴. The same dtype
 * returns x itself, as PyTorch (its gradient flows on); a cast result has no gradient.
 */
export function to(x: Tensor, dtype: DType): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError('to', `expects a Tensor, got ${fmtValue(x)}`);
  if (dtype !== 'float32' && dtype !== 'int32') throw new DTypeError('to', `unknown dtype ${fmtValue(dtype)} (wasmgrad tensors are 'float32' or 'int32')`);
  x.assertAlive('to');
  if (x.dtype === dtype) return x;
  return dtype === 'int32' ? apply(op('toInt'), [x]) : toFloat(x);
}

// ---- floor division and remainder ----------------------------------------------------------
/**
 * An int32 divisor must not hold 0 (PyTorch raises ZeroDivisionError): a number always, a tensor
 * by reading its values in eager mode. Inside wg.compile the values are not read (a program's
 * values are not readable while it is traced); the kernels give 0 there instead of trapping.
 */
function checkDivisor(name: string, b: TensorLike): void {
  if (typeof b === 'number') {
    if (b === 0) throw new ValueError(name, 'integer division by zero (the divisor is the number 0)');
    return;
  }
  if (sink.mode !== 'off') return;
  const at = b.rawValues().indexOf(0);
  if (at >= 0) throw new ValueError(name, `integer division by zero: the int32 divisor of shape ${fmtShape(b.shape)} holds 0 at flat index ${at}`);
}

/**
 * ⌊a/b⌋ or a mod b (sign of b): int32 when both operands are int32 tensors or integer numbers
 * (exact; a zero divisor is checked), else the float32 kernels of the math library (int32
 * operands promoted).
 */
function division(name: 'floorDivide' | 'remainder', intName: OpName, a: TensorLike, b: TensorLike): Tensor {
  firstTensor(name, [a, b]);
  if (!intCall([a, b])) return apply(op(name), operands(name, [a, b], true));
  checkDivisor(name, b);
  return apply(op(intName), intOperands(name, [a, b]));
}

/** ⌊a / b⌋ (Python's //); int32: −2³¹ // −1 wraps to −2³¹, a zero divisor is a ValueError; float32: no gradient. */
export const floorDivide = (a: TensorLike, b: TensorLike): Tensor => division('floorDivide', 'intFloorDivide', a, b);
/** a − b·⌊a / b⌋, with the sign of b (Python's %); int32 as floorDivide; float32 gradients as PyTorch. */
export const remainder = (a: TensorLike, b: TensorLike): Tensor => division('remainder', 'intRemainder', a, b);

/**
 * C's fmod a − trunc(a/b)·b, the sign of a. Both operands int32 (tensors or integer numbers): int32
 * as PyTorch, exact (through float32 it was not beyond 2²⁴), a zero divisor a ValueError as for
 * remainder; else the math library's float32 kernel (int32 operands promoted).
 */
export function fmod(a: TensorLike, b: TensorLike): Tensor {
  firstTensor('fmod', [a, b]);
  if (!intCall([a, b])) return apply(op('fmod'), operands('fmod', [a, b], true));
  checkDivisor('fmod', b);
  const [ia, ib] = intOperands('fmod', [a, b]);
  const r = apply(op('intRemainder'), [ia, ib]); // Python's %: the sign of b
  // a nonzero remainder moves by b to take a's sign (−7 % 2 = 1, fmod −1)
  return apply(op('intWhere'), [floorMisses('fmod', ia, ib, r), apply(op('intSub'), [r, ib]), r]);
}

/**
 * Where floor and truncation part for int32 a / b (r = a mod b, Python's): a and b of opposite signs
 * with a nonzero remainder, as a float32 mask. There trunc(a/b) = ⌊a/b⌋ + 1 and fmod = r − b.
 */
function floorMisses(name: string, a: Tensor, b: Tensor, r: Tensor): Tensor {
  const negative = (t: Tensor) => apply(op('intLt'), intOperands(name, [t, 0]));
  return logicalAnd(r, logicalXor(negative(a), negative(b)));
}

/**
 * a / b with PyTorch's rounding_mode: undefined is true division (float32); 'floor' is floorDivide;
 * 'trunc' rounds toward zero (int32: exact, a zero divisor a ValueError; float32: trunc(a / b)).
 * A rounded quotient has no gradient, as floorDivide (PyTorch's is 0; through trunc(a / b) it would
 * be 0·∞ = NaN where b = 0).
 */
export function divide(a: TensorLike, b: TensorLike, roundingMode: 'trunc' | 'floor' | undefined): Tensor {
  if (roundingMode === undefined) return promoted('div', null, a, b);
  if (roundingMode === 'floor') return zeroGradient(floorDivide(a, b), a, b);
  if (roundingMode !== 'trunc') throw new ValueError('div', `roundingMode must be 'trunc', 'floor' or undefined, got ${fmtValue(roundingMode)}`);
  firstTensor('div', [a, b]);
  // not trunc's own zero gradient: through the division it would be 0·(1/b), NaN where b = 0
  if (!intCall([a, b])) return zeroGradient(apply(op('trunc'), [promoted('div', null, a, b).detach()]), a, b);
  checkDivisor('div', b);
  const [ia, ib] = intOperands('div', [a, b]);
  const q = apply(op('intFloorDivide'), [ia, ib]);
  return apply(op('intWhere'), [floorMisses('div', ia, ib, apply(op('intRemainder'), [ia, ib])), apply(op('intAdd'), intOperands('div', [q, 1])), q]);
}

/**
 * y joined to the graph of a and b with a zero gradient, as PyTorch's div with a rounding mode
 * (floorDivide's result carries none): where(0, ·, y) is y itself and sends its operands 0.
 */
function zeroGradient(y: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const grads = [a, b].filter((t): t is Tensor => t instanceof Tensor && t.requiresGrad && t.dtype === 'float32');
  return grads.reduce((out, t) => where(0, t, out), y);
}

// ---- logical ops: nonzero = true (NaN too), any dtype, float32 0/1 masks ----------------------
const logical =
  (name: OpName) =>
  (a: TensorLike, b: TensorLike): Tensor =>
    apply(op(name), operands(name, [a, b], true));

/** a ≠ 0 and b ≠ 0, as a float32 1/0 mask (broadcasting; int32 or float32 operands). */
export const logicalAnd = logical('logicalAnd');
/** a ≠ 0 or b ≠ 0, as a float32 1/0 mask. */
export const logicalOr = logical('logicalOr');
/** Exactly one of a ≠ 0, b ≠ 0, as a float32 1/0 mask. */
export const logicalXor = logical('logicalXor');
/** x = 0 as a float32 1/0 mask (NaN counts as true, so its negation is 0). */
export const logicalNot = (x: Tensor): Tensor => {
  if (!(x instanceof Tensor)) throw new ValueError('logicalNot', `expects a Tensor, got ${fmtValue(x)}`);
  return promoted('eq', 'intEq', x, 0);
};

// ---- bitwise ops: int32 only, exact, no gradient --------------------------------------------
/**
 * The int32 operands of bitwise op `name`: PyTorch has no bitwise kernel for floats, so a float32
 * tensor or a fractional number (which would promote the call to float) is a DTypeError; integer
 * numbers become int32 constants (outside int32: a ValueError, there is no int64).
 */
function bitwiseOperands(name: string, args: readonly TensorLike[]): Tensor[] {
  firstTensor(name, args);
  args.forEach((a, i) => {
    if (a instanceof Tensor ? a.dtype !== 'int32' : !Number.isInteger(a))
      throw new DTypeError(
        name,
        `takes int32 tensors and integer numbers (PyTorch has no bitwise op on floats), got ${a instanceof Tensor ? `a ${a.dtype} tensor of shape ${fmtShape(a.shape)}` : fmtValue(a)} as argument ${i + 1}`,
      );
  });
  return intOperands(name, args as (Tensor | number)[]);
}

const bitwise =
  (name: 'bitwiseAnd' | 'bitwiseOr' | 'bitwiseXor' | 'bitwiseLeftShift' | 'bitwiseRightShift') =>
  (a: TensorLike, b: TensorLike): Tensor =>
    apply(op(name), bitwiseOperands(name, [a, b]));

/** a & b of int32 tensors or integer numbers (broadcasting), int32. */
export const bitwiseAnd = bitwise('bitwiseAnd');
/** a | b, int32. */
export const bitwiseOr = bitwise('bitwiseOr');
/** a ^ b, int32. */
export const bitwiseXor = bitwise('bitwiseXor');
/** a << b, int32, wrapping; the count is taken mod 32 (PyTorch 1.13 on the CPU: 1 << 33 is 2, 1 << −1 is −2³¹). */
export const bitwiseLeftShift = bitwise('bitwiseLeftShift');
/** a >> b, int32, arithmetic (−7 >> 1 is −4); the count is taken mod 32, as bitwiseLeftShift. */
export const bitwiseRightShift = bitwise('bitwiseRightShift');
/** ~x of an int32 tensor (−x − 1), computed as x ^ −1. */
export function bitwiseNot(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError('bitwiseNot', `expects a Tensor, got ${fmtValue(x)}`);
  const [t, ones] = bitwiseOperands('bitwiseNot', [x, -1]);
  return apply(op('bitwiseXor'), [t, ones]);
}
