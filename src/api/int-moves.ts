/**
 * int32 results of float32 ops that only move elements (pads, diagonals, scatters' writes): the op
 * runs on the elements' positions, then the int32 values are gathered from those positions. The
 * float32 kernels are never fed int32 words, so every int32 value stays exact (past 2²⁴ too).
 */
import { apply, constant } from '../engine/engine.js';
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtShape, fmtValue } from '../errors.js';
import { op } from '../ops/index.js';
import { planTake } from '../ops/indexing.js';
import { arange } from './creation.js';
import { cat, reshape } from './shape.js';

/** float32 counts positions exactly up to 2²⁴. */
const MAX_POSITIONS = 2 ** 24;

/**
 * `move` applied to int32 tensors `xs`: `move` gets float32 tensors of the same shapes holding the
 * positions 1, 2, … of the elements of all `xs` (one numbering), and must only copy them or write
 * 0 (never combine them); position 0 reads `fill`. The result is int32, exactly `move` of the values.
 */
export function movedInt(fn: string, xs: readonly Tensor[], move: (positions: Tensor[]) => Tensor, fill = 0): Tensor {
  if (!Number.isInteger(fill) || fill < -(2 ** 31) || fill >= 2 ** 31)
    throw new ValueError(fn, `the fill value of an int32 tensor must be an integer in int32's range, got ${fmtValue(fill)}`);
  const total = xs.reduce((n, x) => n + x.size, 0);
  if (total >= MAX_POSITIONS)
    throw new ValueError(fn, `int32 inputs of at most ${MAX_POSITIONS - 1} elements, got ${total} (${xs.map((x) => fmtShape(x.shape)).join(', ')})`);
  let at = 1;
  const positions = xs.map((x) => {
    const p = reshape(arange(at, at + x.size), x.shape);
    at += x.size;
    return p;
  });
  const where = apply(op('toInt'), [move(positions)]);
  const be = xs[0].storage.backend;
  const values = cat([reshape(constant(fill, be, 'int32'), [1]), ...xs.map((x) => reshape(x, [x.size]))]);
  return apply(op('indexGatherInt'), [values, where], planTake(values, where));
}

/** Digit widths for addedInt, widest first: each leaves the top digit's divisor 2^shift ≤ 2³⁰ in int32. */
const DIGIT_BITS = [16, 8, 4, 2];

/**
 * x + the int32 values of `src` summed into it by `sumInto` (a float32 scatter-add into zeros of
 * x's shape, at most `n` values landing on one element), exactly and wrapping as int32 does: src
 * is cut into base-2^w digits (the top one signed) narrow enough that n of them sum exactly in
 * float32 (n·(2^w − 1) < 2²⁴, in any order), each digit is summed alone, and the sums are
 * recombined in int32 (Σ_c 2^(c·w)·S_c ≡ Σ src mod 2³²).
 */
export function addedInt(fn: string, x: Tensor, src: Tensor, n: number, sumInto: (digits: Tensor) => Tensor): Tensor {
  const w = DIGIT_BITS.find((b) => n * (2 ** b - 1) < MAX_POSITIONS);
  if (w === undefined) throw new ValueError(fn, `sums at most ${Math.floor(MAX_POSITIONS / 3)} int32 values into one element, got up to ${n}`);
  const be = x.storage.backend;
  const int = (v: number) => constant(v, be, 'int32');
  let rest = src,
    y = x;
  for (let shift = 0; shift < 32; shift += w) {
    const top = shift + w >= 32;
    // the low digits are rest mod 2^w (floor remainder: 0..2^w − 1), the top one what is left, signed
    const digit = top ? rest : apply(op('intRemainder'), [rest, int(2 ** w)]);
    const sum = apply(op('toInt'), [sumInto(apply(op('toFloat'), [digit]))]);
    y = apply(op('intAdd'), [y, shift === 0 ? sum : apply(op('intMul'), [sum, int(2 ** shift)])]);
    if (!top) rest = apply(op('intFloorDivide'), [rest, int(2 ** w)]);
  }
  return y;
}
