/**
 * Creation factories beyond src/api/creation.ts: `eye`, `linspace`, the `*Like` family, and the
 * random integers and samples `randint`, `multinomial`, `bernoulli`. The random ones draw from
 * the global stream (wg.manualSeed) in JavaScript, so both backends get the same numbers; a
 * sample reads its probabilities, so inside wg.compile they must be inputs, not computed values.
 * Every argument is validated before anything is allocated, each error naming the function.
 */
import { checkShape, createOptions, filled, generated, make, writeGenerated, type CreateOptions } from './creation.js';
import { checkBool, checkOptions, checkTensor, isRecord } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { nextU32, normal, uniform } from '../random.js';
import { checkFinite, type DType } from '../ops/types.js';

type Opts = Omit<CreateOptions, 'shape'>;
const OPTS = ['requiresGrad', 'dtype'];

/** A count argument (eye's n and m, linspace's steps): a non-negative safe integer. */
function count(fn: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ValueError(fn, `${what} must be a non-negative integer, got ${fmtValue(v)}`);
  return v;
}

/** The 2-D identity: ones on the diagonal of an n×m matrix (m defaults to n), float32 unless dtype says int32. */
export function eye(n: number, m?: number | Opts, opts?: Opts): Tensor {
  if (isRecord(m)) [m, opts] = [undefined, m as Opts];
  const rows = count('eye', 'n', n);
  const cols = m === undefined ? rows : count('eye', 'm', m);
  const o = createOptions('eye', opts, OPTS);
  const dtype = o.dtype ?? 'float32';
  return make(
    'eye',
    [rows, cols],
    dtype,
    (be, p, size) => writeGenerated(be, p, size, dtype, (k) => (k % cols === Math.floor(k / cols) ? 1 : 0)),
    o.requiresGrad,
    `${rows}, ${cols}`,
  );
}

/**
 * `steps` evenly spaced values from start to end, both included, as torch.linspace computes them:
 * float32 (the default) in float32, step = (end − start)/(steps − 1), the first half as
 * start + i·step and the second as end − (steps − 1 − i)·step, so both ends are exact and the
 * rounding symmetric (one step gives start); int32 (dtype) the same in float64 on the ends
 * truncated to integers, each point truncated toward zero (torch's integer kernel:
 * linspace(0, 10, 4) is 0 3 6 10).
 */
export function linspace(start: number, end: number, steps: number, opts?: Opts): Tensor {
  const o = createOptions('linspace', opts, OPTS);
  const dtype = o.dtype ?? 'float32';
  const { n, at } = linspacePoints('linspace', start, end, steps, dtype);
  return make('linspace', [n], dtype, (be, p) => writeGenerated(be, p, n, dtype, at), o.requiresGrad, `${start}, ${end}, ${n}`);
}

/** linspace's arguments checked (errors naming `fn`: linspace, logspace) and its i-th value in dtype. */
export function linspacePoints(fn: string, start: number, end: number, steps: number, dtype: DType = 'float32'): { n: number; at: (i: number) => number } {
  for (const [what, v] of [
    ['start', start],
    ['end', end],
  ] as const)
    checkFinite(fn, what, v);
  const n = count(fn, 'steps', steps);
  const int = dtype === 'int32';
  // float32: every operation rounded to float32; int32: float64 operations, the result truncated.
  const f = int ? (v: number) => v : Math.fround;
  const [a, b] = int ? [Math.trunc(start), Math.trunc(end)] : [f(start), f(end)];
  if (int && (Math.min(a, b) < -(2 ** 31) || Math.max(a, b) > 2 ** 31 - 1))
    throw new ValueError(fn, `with dtype int32, start and end must fit in int32, got ${fmtValue(start)} and ${fmtValue(end)}`);
  const step = n > 1 ? f(f(b - a) / (n - 1)) : 0;
  const point = (i: number) => (n === 1 ? a : i < n >> 1 ? f(a + f(step * i)) : f(b - f(step * (n - 1 - i))));
  return { n, at: int ? (i) => Math.trunc(point(i)) : point };
}

// ---- *Like: x's shape, and its dtype unless the options give one ----------------------------
/** The options of a *Like (or new*) function: checked, with x's dtype unless they give one. */
export const like = (fn: string, x: unknown, opts: Opts | undefined): Opts => {
  checkTensor(fn, 'the first argument', x);
  const o = checkOptions<Opts>(fn, opts, OPTS);
  return { ...o, dtype: o.dtype ?? x.dtype };
};
/** Zeros of x's shape and dtype (options: dtype, requiresGrad). */
export const zerosLike = (x: Tensor, opts?: Opts): Tensor => filled('zerosLike', x?.shape, 0, like('zerosLike', x, opts));
/** Ones of x's shape and dtype. */
export const onesLike = (x: Tensor, opts?: Opts): Tensor => filled('onesLike', x?.shape, 1, like('onesLike', x, opts));
/** x's shape and dtype filled with value (an integer for int32). */
export const fullLike = (x: Tensor, value: number, opts?: Opts): Tensor => filled('fullLike', x?.shape, value, like('fullLike', x, opts));
/** Standard normal samples of x's shape (float32: an int32 x needs { dtype: 'float32' }, as PyTorch). */
export const randnLike = (x: Tensor, opts?: Opts): Tensor => generated('randnLike', x?.shape, normal, like('randnLike', x, opts));
/** Uniform [0, 1) samples of x's shape. */
export const randLike = (x: Tensor, opts?: Opts): Tensor => generated('randLike', x?.shape, uniform, like('randLike', x, opts));

// ---- random integers and samples -----------------------------------------------------------
/** A uniform integer in [0, r), r ≤ 2³², without modulo bias: 32-bit draws from the top partial block of r are redrawn. */
export function below(r: number): number {
  const limit = 2 ** 32 - (2 ** 32 % r);
  for (;;) {
    const x = nextU32();
    if (x < limit) return x % r;
  }
}

/**
 * A random permutation of 0..n−1 from the global seeded stream. Fisher–Yates: position i swaps
 * with a uniform j ≤ i (below's unbiased draw), so every permutation is equally likely.
 */
export function permutation(n: number): Int32Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = below(i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return perm;
}

/**
 * Uniform integers in [low, high) of `shape`: `randint(high, shape)` or `randint(low, high,
 * shape)`, int32 unless dtype says float32 (PyTorch makes int64). low and high are integers with
 * low < high within [−2³¹, 2³¹].
 */
export function randint(lowOrHigh: number, highOrShape: number | readonly number[], shapeOrOpts?: readonly number[] | Opts, opts?: Opts): Tensor {
  const short = typeof highOrShape !== 'number';
  const [low, high, shape, o] = short ? [0, lowOrHigh, highOrShape, shapeOrOpts as Opts | undefined] : [lowOrHigh, highOrShape, shapeOrOpts, opts];
  for (const [what, v] of [
    ['low', low],
    ['high', high],
  ] as const)
    if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > 2 ** 31)
      throw new ValueError('randint', `${what} must be an integer in [-2^31, 2^31], got ${fmtValue(v)}`);
  if (low >= high) throw new ValueError('randint', `low must be less than high, got low ${low} and high ${high}`);
  if (shape === undefined) throw new ShapeError('randint', `needs a shape: randint(high, shape) or randint(low, high, shape), got randint(${low}, ${high})`);
  const s = checkShape('randint', shape);
  const c = createOptions('randint', o, OPTS);
  const dtype = c.dtype ?? 'int32';
  return make('randint', s, dtype, (be, p, n) => writeGenerated(be, p, n, dtype, () => low + below(high - low)), c.requiresGrad);
}

/** The rows of a probability tensor (1-D: one row) after checking every entry is finite and ≥ 0 and every row sums to more than 0. */
function probabilityRows(fn: string, probs: Tensor): Float64Array[] {
  if (probs.dtype !== 'float32') throw new DTypeError(fn, `probabilities must be a float32 tensor, got ${probs.dtype} ${fmtShape(probs.shape)}`);
  if (probs.ndim !== 1 && probs.ndim !== 2) throw new ShapeError(fn, `probabilities must be 1-D or 2-D, got shape ${fmtShape(probs.shape)}`);
  const k = probs.shape[probs.ndim - 1];
  if (k === 0) throw new ShapeError(fn, `probabilities of shape ${fmtShape(probs.shape)} have no category`);
  const v = Float64Array.from(probs.rawValues(), Math.fround); // the float32 values, as on the WASM backend
  const bad = v.findIndex((p) => !Number.isFinite(p) || p < 0);
  if (bad >= 0) throw new ValueError(fn, `probabilities must be finite and non-negative, got ${fmtValue(v[bad])} at flat index ${bad}`);
  const rows = Array.from({ length: v.length / k }, (_, r) => v.subarray(r * k, (r + 1) * k));
  const empty = rows.findIndex((row) => !row.some((p) => p > 0));
  if (empty >= 0) throw new ValueError(fn, `row ${empty} of the probabilities sums to 0 (each row needs a positive entry)`);
  return rows;
}

/** `draws` category indices of one row drawn with replacement: inverse CDF of the row's running sums. */
function withReplacement(row: Float64Array, draws: number, out: Int32Array, at: number): void {
  const cum = new Float64Array(row.length);
  let total = 0;
  row.forEach((p, i) => (cum[i] = total += p));
  for (let s = 0; s < draws; s++) {
    const u = uniform() * total;
    let lo = 0,
      hi = row.length - 1;
    // The first running sum above u: a category of probability 0 never is (its sum equals the one before).
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    out[at + s] = lo;
  }
}

/**
 * `draws` distinct categories of one row drawn without replacement, in the order they are drawn:
 * each category gets an exponential clock E = −ln(1 − u)/p and the first `draws` to ring win, which
 * has the distribution of drawing one at a time and removing it (Efraimidis–Spirakis; PyTorch
 * samples the same way). p = 0 never rings.
 */
function withoutReplacement(row: Float64Array, draws: number, out: Int32Array, at: number): void {
  const clock = Float64Array.from(row, (p) => -Math.log(1 - uniform()) / p);
  const order = Array.from(row.keys()).sort((i, j) => clock[i] - clock[j] || i - j);
  for (let s = 0; s < draws; s++) out[at + s] = order[s];
}

/**
 * numSamples category indices per row of `probs` (1-D or 2-D, non-negative weights, not
 * necessarily normalised), int32 of shape [numSamples] or [rows, numSamples]. Without replacement
 * (the default, as PyTorch) the indices of a row are distinct, so numSamples is at most the
 * number of positive weights.
 */
export function multinomial(probs: Tensor, numSamples: number, opts?: { replacement?: boolean }): Tensor {
  checkTensor('multinomial', 'probs', probs);
  if (typeof numSamples !== 'number' || !Number.isSafeInteger(numSamples) || numSamples <= 0)
    throw new ValueError('multinomial', `numSamples must be a positive integer, got ${fmtValue(numSamples)}`);
  const o = checkOptions<{ replacement?: boolean }>('multinomial', opts, ['replacement']);
  checkBool('multinomial', 'replacement', o.replacement);
  const rows = probabilityRows('multinomial', probs);
  if (!o.replacement) {
    const k = probs.shape[probs.ndim - 1];
    if (numSamples > k) throw new ValueError('multinomial', `cannot draw ${numSamples} samples without replacement from ${k} categories`);
    const short = rows.findIndex((row) => row.filter((p) => p > 0).length < numSamples);
    if (short >= 0)
      throw new ValueError(
        'multinomial',
        `row ${short} has ${rows[short].filter((p) => p > 0).length} categories of positive probability, fewer than the ${numSamples} samples drawn without replacement`,
      );
  }
  const out = new Int32Array(rows.length * numSamples);
  rows.forEach((row, r) => (o.replacement ? withReplacement : withoutReplacement)(row, numSamples, out, r * numSamples));
  const shape = probs.ndim === 1 ? [numSamples] : [rows.length, numSamples];
  return make('multinomial', shape, 'int32', (be, p) => be.write(p, out, 'int32'));
}

/**
 * 0/1 samples: `bernoulli(probs)` draws 1 with probability probs[i] (float32 in [0, 1]), of probs'
 * shape; `bernoulli(x, p)` draws 1 with probability p for every element, of x's shape and dtype.
 */
export function bernoulli(x: Tensor, p?: number): Tensor {
  checkTensor('bernoulli', 'the input', x);
  if (p !== undefined) {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError('bernoulli', `p must be a number in [0, 1], got ${fmtValue(p)}`);
    return make('bernoulli', [...x.shape], x.dtype, (be, ptr, n) => writeGenerated(be, ptr, n, x.dtype, () => (uniform() < p ? 1 : 0)));
  }
  if (x.dtype !== 'float32') throw new DTypeError('bernoulli', `probabilities must be a float32 tensor, got ${x.dtype} ${fmtShape(x.shape)} (or pass p)`);
  const probs = Float64Array.from(x.rawValues(), Math.fround); // the float32 values, as on the WASM backend
  const bad = probs.findIndex((q) => !(q >= 0 && q <= 1));
  if (bad >= 0) throw new ValueError('bernoulli', `probabilities must be in [0, 1], got ${fmtValue(probs[bad])} at flat index ${bad}`);
  return make('bernoulli', [...x.shape], 'float32', (be, ptr, n) => writeGenerated(be, ptr, n, 'float32', (i) => (uniform() < probs[i] ? 1 : 0)));
}
