/**
 * int32 results from float32 kernels, exact past 2²⁴: ops that only move elements (pads, diagonals,
 * scatters' writes) run on the elements' positions, then the int32 values are gathered from there;
 * sums and products (scatter-adds, matmul and its kin) run on small digits of the values, whose
 * sums float32 holds exactly, recombined in int32.
 */
import { apply, constant } from '../engine/engine.js';
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtShape, fmtValue } from '../errors.js';
import { op } from '../ops/index.js';
import { planTake } from '../ops/indexing.js';
import { arange } from './creation.js';
import { cat, reshape } from './shape.js';

/** A number mixed into int32 sums or products: truncated toward 0 as PyTorch casts it, within int32 (NaN and ±∞ are not). */
export function intNumber(fn: string, what: string, v: number): number {
  const t = Math.trunc(v);
  if (!(t >= -(2 ** 31) && t < 2 ** 31)) throw new ValueError(fn, `${what} ${fmtValue(v)} does not fit in int32 (the input's dtype)`);
  return t;
}

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

/** Digit widths, widest first: each leaves the top digit's divisor 2^shift ≤ 2³⁰ in int32. */
const DIGIT_BITS = [16, 8, 4, 2];

/** The widest digit width w whose `bound(2^w − 1)` stays below 2²⁴ (float32's exact integers). */
function digitBits(fn: string, what: string, bound: (digit: number) => number): number {
  const w = DIGIT_BITS.find((b) => bound(2 ** b - 1) < MAX_POSITIONS);
  if (w === undefined) throw new ValueError(fn, `${what}: too many to stay exact in int32 through float32`);
  return w;
}

/** t = Σ_c 2^(c·w)·d_c as float32 tensors: the low digits t's base-2^w digits 0..2^w − 1 (floor remainders), the top one what is left, signed. */
function digitsOf(t: Tensor, w: number): Tensor[] {
  const int = (v: number) => constant(v, t.storage.backend, 'int32');
  const digits: Tensor[] = [];
  let rest = t;
  for (let shift = 0; shift + w < 32; shift += w) {
    digits.push(apply(op('intRemainder'), [rest, int(2 ** w)]));
    rest = apply(op('intFloorDivide'), [rest, int(2 ** w)]);
  }
  return [...digits, rest].map((d) => apply(op('toFloat'), [d]));
}

/** Σ_s 2^(s·w)·terms[s], in int32 (wrapping mod 2³², as int32 arithmetic does); terms are exact float32 integers. */
function recombine(terms: Tensor[][], w: number, be: Tensor['storage']['backend'], start?: Tensor): Tensor {
  let y = start;
  terms.forEach((group, s) =>
    group.forEach((term) => {
      const v = apply(op('toInt'), [term]);
      const t = s === 0 ? v : apply(op('intMul'), [v, constant(2 ** (s * w), be, 'int32')]);
      y = y === undefined ? t : apply(op('intAdd'), [y, t]);
    }),
  );
  return y as Tensor;
}

/**
 * x + the int32 values of `src` summed into it by `sumInto` (a float32 scatter-add into zeros of
 * x's shape, at most `n` values landing on one element), exactly and wrapping as int32 does: src
 * is cut into base-2^w digits narrow enough that n of them sum exactly in float32
 * (n·(2^w − 1) < 2²⁴, in any order), each digit is summed alone, and the sums are recombined.
 */
export function addedInt(fn: string, x: Tensor, src: Tensor, n: number, sumInto: (digits: Tensor) => Tensor): Tensor {
  const w = digitBits(fn, `up to ${n} int32 values summed into one element`, (d) => n * d);
  return recombine(
    digitsOf(src, w).map((d) => [sumInto(d)]),
    w,
    x.storage.backend,
    x,
  );
}

/**
 * A float32 product (matmul and its kin) of int32 a and b, each output a sum of k products, exactly
 * and wrapping as int32: a = Σ 2^(c·w)·a_c, b = Σ 2^(d·w)·b_d in digits narrow enough that
 * k·(2^w − 1)² < 2²⁴ (every partial sum of a digit product is an exact float32 integer, in any
 * order, FMA or not), and a·b ≡ Σ_{c+d < 32/w} 2^((c+d)·w)·(a_c·b_d) mod 2³² (the other terms vanish
 * mod 2³²): 10 products for k ≤ 258, 36 up to 74565, 136 past that.
 */
export function productInt(fn: string, a: Tensor, b: Tensor, k: number, product: (a: Tensor, b: Tensor) => Tensor): Tensor {
  const w = digitBits(fn, `int32 sums of ${k} products`, (d) => k * d * d);
  const da = digitsOf(a, w),
    db = digitsOf(b, w);
  const terms = da.map((_, s) => da.slice(0, s + 1).map((ac, c) => product(ac, db[s - c])));
  return recombine(terms, w, a.storage.backend);
}
