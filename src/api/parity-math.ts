/**
 * PyTorch names that ported code calls and wasmgrad lacked: ne and the comparison aliases, the
 * arithmetic aliases (clip, absolute, sgn, multiply, …), more elementwise functions (xlogy, logit,
 * fmax/fmin, copysign, sinc, logaddexp2, heaviside, ldexp, floatPower, nextafter, …), the
 * classification masks (signbit, isposinf, isneginf, isreal, isin), lgamma, digamma and i0, gcd and
 * lcm (int32), the add-a-product forms (addmm, addmv, addr, baddbmm, addbmm), inner, kron,
 * tensordot, cross, diff, trapezoid and cumulativeTrapezoid.
 * Differentiable composites live in src/ops/parity-math.ts; the rest are thin functions over the
 * API. int32 operands follow PyTorch where it keeps integers (ne, fmax/fmin, diff, heaviside) and are
 * cast to float32 where PyTorch computes in floating point.
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { apply, constant } from '../engine/engine.js';
import { Tensor, type TensorLike } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { sink } from '../engine/sink.js';
import { op } from '../ops/index.js';
import { planTensordot, type AddProductAttrs, type CrossAttrs, type LogitAttrs, type TensordotAttrs } from '../ops/parity-math.js';
import { intNumber, productInt } from './int-moves.js';
import { checkDim, checkIntAtLeast } from '../ops/types.js';
import { abs, add, clamp as clampNumbers, div, eq, ge, gt, le, lt, maximum, minimum, mul, neg, pow, sub } from './elementwise.js';
import { floorDivide, operands, to, where } from './integer.js';
import { atan2, exp2, sign } from './math.js';
import { onesLike, zerosLike } from './factories.js';
import { expand, narrow } from './layout.js';
import { all, any, norm, sum } from './reduce.js';
import { select } from './convenience.js';
import { cat, reshape } from './shape.js';
import { cumsum } from './sort.js';
import { unaryFn } from './special.js';

const float = (x: Tensor): Tensor => to(x, 'float32');
const isInt = (v: TensorLike) => (v instanceof Tensor ? v.dtype === 'int32' : Number.isInteger(v));

// ---- comparisons and arithmetic aliases ---------------------------------------------------------
/** a ≠ b as a float32 0/1 mask, broadcasting, no gradient; NaN ≠ everything (itself included); int32 exact. */
export function ne(a: TensorLike, b: TensorLike): Tensor {
  [a, b].forEach((t, i) => {
    if (!(t instanceof Tensor) && typeof t !== 'number') throw new ValueError('ne', `argument ${i + 1} must be a Tensor or a number, got ${fmtValue(t)}`);
  });
  if (a instanceof Tensor && b instanceof Tensor) broadcastShapes('ne', [a.shape, b.shape]);
  return sub(1, eq(a, b));
}
/** torch.not_equal = ne. */
export const notEqual = ne;
/** torch.greater = gt. */
export const greater = gt;
/** torch.less = lt. */
export const less = lt;
/** torch.greater_equal = ge. */
export const greaterEqual = ge;
/** torch.less_equal = le. */
export const lessEqual = le;
/**
 * x clamped by a tensor bound (torch.clamp_min/clamp_max with a Tensor), broadcasting: x where
 * `keeps` (x ≥ min, x ≤ max: ties keep x), the bound where it wins, NaN where either is NaN (neither
 * compares), as torch. The gradient is torch's: x's where x is kept, the bound's where it wins, none
 * at a NaN. int32 x and bound stay int32.
 */
function clampByTensor(x: Tensor, bound: Tensor, keeps: (x: Tensor, bound: Tensor) => Tensor, wins: (x: Tensor, bound: Tensor) => Tensor): Tensor {
  checkTensor('clamp', 'input', x);
  // int32 has no NaN: int32 operands stay int32, as torch's
  const other = x.dtype === 'int32' && bound.dtype === 'int32' ? bound : where(wins(x, bound), bound, NaN);
  return where(keeps(x, bound), x, other);
}
/** max(x, min) (torch.clamp_min); min a number or a tensor broadcasting with x. */
export const clampMin = (x: Tensor, min: number | Tensor): Tensor => (min instanceof Tensor ? clampByTensor(x, min, ge, lt) : clampNumbers(x, min, null));
/** min(x, max) (torch.clamp_max); max a number or a tensor broadcasting with x. */
export const clampMax = (x: Tensor, max: number | Tensor): Tensor => (max instanceof Tensor ? clampByTensor(x, max, le, gt) : clampNumbers(x, null, max));
/**
 * torch.clamp (and torch.clip): numbers run the clamp op; a tensor min or max (torch's clamp.Tensor)
 * is min(max(x, min), max) by clampMin and clampMax.
 */
export function clamp(x: Tensor, min: number | Tensor | null = null, max: number | Tensor | null = null): Tensor {
  if (!(min instanceof Tensor) && !(max instanceof Tensor)) return clampNumbers(x, min, max);
  const low = min === null ? x : clampMin(x, min);
  return max === null ? low : clampMax(low, max);
}
/** torch.absolute = abs. */
export const absolute = abs;
/** torch.sgn: sign for real tensors. */
export const sgn = sign;
/** torch.true_divide = div without rounding. */
export const trueDivide = (a: TensorLike, b: TensorLike): Tensor => div(a, b);
/** torch.negative = neg. */
export const negative = neg;
/** torch.multiply = mul. */
export const multiply = mul;
/** torch.subtract = sub. */
export const subtract = sub;
/** torch.divide = div (with roundingMode). */
export const divide = div;

// ---- elementwise functions ----------------------------------------------------------------------
/** x·log(y), 0 where x = 0 (unless y is NaN); broadcasting; numbers mix; int32 computed as float32. */
export const xlogy = (x: TensorLike, y: TensorLike): Tensor => apply(op('xlogy'), operands('xlogy', [x, y], true));

/** log(x/(1 − x)); with eps, x is clamped to [eps, 1 − eps] first (its gradient 0 outside). */
export function logit(x: Tensor, eps: number | null = null): Tensor {
  checkTensor('logit', 'input', x);
  const attrs: LogitAttrs = { eps };
  return apply(op('logit'), operands('logit', [x], true, attrs), attrs);
}

/** x·π/180 (float32; int32 cast). */
export const deg2rad = (x: Tensor): Tensor => {
  checkTensor('deg2rad', 'input', x);
  return mul(float(x), Math.PI / 180);
};
/** x·180/π (float32; int32 cast). */
export const rad2deg = (x: Tensor): Tensor => {
  checkTensor('rad2deg', 'input', x);
  return mul(float(x), 180 / Math.PI);
};

/** fmax/fmin: int32 operands have no NaN, so they are maximum/minimum (int32 stays int32). */
const nanIgnoring = (name: 'fmax' | 'fmin', ints: (a: TensorLike, b: TensorLike) => Tensor) => (a: TensorLike, b: TensorLike) =>
  isInt(a) && isInt(b) ? ints(a, b) : apply(op(name), operands(name, [a, b], true));
/** Elementwise max ignoring NaN (NaN only where both are); the gradient goes to a where a ≥ b, as torch.fmax. */
export const fmax = nanIgnoring('fmax', maximum);
/** Elementwise min ignoring NaN (NaN only where both are); the gradient goes to a where a ≤ b, as torch.fmin. */
export const fmin = nanIgnoring('fmin', minimum);

/** |a| with the sign of b (−0 counts as negative; a NaN b as positive); float32; gradient to a only. */
export const copysign = (a: TensorLike, b: TensorLike): Tensor => apply(op('copysign'), operands('copysign', [a, b], true));

/** sin(πx)/(πx), 1 at 0. */
export const sinc = (x: Tensor): Tensor => {
  checkTensor('sinc', 'input', x);
  return apply(op('sinc'), operands('sinc', [x], true));
};

/** log₂(2ᵃ + 2ᵇ), stable, broadcasting. */
export const logaddexp2 = (a: TensorLike, b: TensorLike): Tensor => apply(op('logaddexp2'), operands('logaddexp2', [a, b], true));

/** 0 where x < 0, values where x = 0, 1 where x > 0 (NaN x: 0); no gradient; int32 x and values give int32. */
export function heaviside(x: Tensor, values: TensorLike): Tensor {
  checkTensor('heaviside', 'input', x);
  const y = apply(op('heaviside'), operands('heaviside', [x, values], true));
  return isInt(x) && isInt(values) ? to(y, 'int32') : y;
}

/**
 * 1 where x's sign bit is set (−0 included), else 0, as a float32 mask. NaN's sign bit is not
 * readable from float32 arithmetic: NaN gives 0 (torch.signbit gives 1 for a negative NaN).
 */
export function signbit(x: Tensor): Tensor {
  checkTensor('signbit', 'input', x);
  return lt(x.dtype === 'int32' ? x : atan2(x, -1), 0);
}

/** x·2ᵉ (float32; int32 cast); gradients 2ᵉ and x·2ᵉ·ln 2 as torch.ldexp (which is x·pow(2, e)). */
export function ldexp(x: Tensor, e: TensorLike): Tensor {
  checkTensor('ldexp', 'input', x);
  if (!(e instanceof Tensor) && typeof e !== 'number') throw new ValueError('ldexp', `other must be a Tensor or a number, got ${fmtValue(e)}`);
  return mul(float(x), e instanceof Tensor ? exp2(e) : 2 ** e);
}

/** xᵉ computed in float32 (torch.float_power computes in float64: results differ in the last float32 bits). */
export function floatPower(x: TensorLike, e: TensorLike): Tensor {
  const f = (v: TensorLike) => (v instanceof Tensor ? float(v) : v);
  return pow(f(x), f(e));
}

/** ‖a − b‖_p over all elements (p = 2; ±Infinity, 0 and any number as norm), broadcasting; 0 for empty tensors. */
export function dist(a: Tensor, b: Tensor, p = 2): Tensor {
  checkTensor('dist', 'input', a);
  checkTensor('dist', 'other', b);
  if (typeof p !== 'number' || Number.isNaN(p)) throw new ValueError('dist', `p must be a number, got ${fmtValue(p)}`);
  const d = sub(float(a), float(b));
  // torch.dist of empty tensors is 0 for every p; norm has no max/min of nothing (±∞), the empty sum is that 0
  return d.size === 0 && !Number.isFinite(p) ? sum(d) : norm(d, p);
}

/** Each slice along dim whose p-norm exceeds maxnorm scaled down to maxnorm (torch.renorm). */
export function renorm(x: Tensor, p: number, dim: number, maxnorm: number): Tensor {
  checkTensor('renorm', 'input', x);
  const attrs = { p, dim, maxnorm };
  return apply(op('renorm'), operands('renorm', [x], true, attrs), attrs);
}

// ---- special functions ------------------------------------------------------------------------
/** log|Γ(x)|, +∞ at the poles (0, negative integers) and ±∞; gradient digamma (int32 cast to float32). */
export const lgamma = /* @__PURE__ */ unaryFn('lgamma');
/** ψ(x) = d/dx log Γ(x) as torch 1.13 (ψ(0) = −∞, ψ(−0) = ∞, NaN at negative integers); gradient trigamma. */
export const digamma = /* @__PURE__ */ unaryFn('digamma');
/** ψ⁽ⁿ⁾(x), the n-th derivative of digamma (torch.polygamma(n, x), n ≥ 0); gradient ψ⁽ⁿ⁺¹⁾; int32 cast to float32. */
export function polygamma(n: number, x: Tensor): Tensor {
  checkTensor('polygamma', 'input', x);
  return apply(op('polygamma'), operands('polygamma', [x], true, { n }), { n });
}
/** The multivariate log-gamma of dimension p (torch.mvlgamma), defined for x > (p − 1)/2 (+∞ at lgamma's poles below, unchecked as torch 1.13); int32 cast to float32. */
export function mvlgamma(x: Tensor, p: number): Tensor {
  checkTensor('mvlgamma', 'input', x);
  return apply(op('mvlgamma'), operands('mvlgamma', [x], true, { p }), { p });
}
/** The modified Bessel function I₀ (torch.i0); gradient I₁. */
export const i0 = /* @__PURE__ */ unaryFn('i0');

/** The next float32 after a in the direction of b (b where a = b); no gradient; int32 cast to float32. */
export const nextafter = (a: TensorLike, b: TensorLike): Tensor => apply(op('nextafter'), operands('nextafter', [a, b], true));

// ---- classification masks -----------------------------------------------------------------------
/** 1 where x = +∞ (float32 mask; int32: all 0). */
export function isposinf(x: Tensor): Tensor {
  checkTensor('isposinf', 'input', x);
  return x.dtype === 'int32' ? zerosLike(x, { dtype: 'float32' }) : eq(x, Infinity);
}
/** 1 where x = −∞ (float32 mask; int32: all 0). */
export function isneginf(x: Tensor): Tensor {
  checkTensor('isneginf', 'input', x);
  return x.dtype === 'int32' ? zerosLike(x, { dtype: 'float32' }) : eq(x, -Infinity);
}
/** 1 everywhere: wasmgrad has no complex dtype, so every element is real (float32 mask). */
export function isreal(x: Tensor): Tensor {
  checkTensor('isreal', 'input', x);
  return onesLike(x, { dtype: 'float32' });
}

export interface IsinOptions {
  /** 1 where the element is NOT among testElements. */
  invert?: boolean;
}
/**
 * 1 where an element of `elements` equals one of `testElements` (float32 mask of elements' shape;
 * int32 and float32 compare by value; NaN matches nothing). Each element is compared with every
 * test element (an [n, m] mask, reduced by any), so memory grows with both sizes.
 */
export function isin(elements: Tensor, testElements: TensorLike, opts: IsinOptions = {}): Tensor {
  checkTensor('isin', 'elements', elements);
  if (!(testElements instanceof Tensor) && typeof testElements !== 'number')
    throw new ValueError('isin', `testElements must be a Tensor or a number, got ${fmtValue(testElements)}`);
  const { invert = false } = checkOptions<IsinOptions>('isin', opts, ['invert']);
  checkBool('isin', 'invert', invert);
  const test = testElements instanceof Tensor ? reshape(testElements, [testElements.size]) : testElements;
  const found = any(eq(reshape(elements, [...elements.shape, 1]), test), -1);
  return invert ? sub(1, found) : found;
}

// ---- gcd, lcm (int32) ------------------------------------------------------------------------------
/** Euclid's steps never exceed 45 below 2³¹ (the worst case is consecutive Fibonacci numbers; F₄₇ > 2³¹). */
const EUCLID_STEPS = 46;

function intPair(name: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  checkTensor(name, 'input', a);
  checkTensor(name, 'other', b);
  for (const t of [a, b])
    if (t.dtype !== 'int32') throw new DTypeError(name, `expects int32 tensors (as torch, which has no float gcd), got ${a.dtype} and ${b.dtype}`);
  const shape = broadcastShapes(
    name,
    [a, b].map((t) => t.shape),
  );
  return [expand(a, shape), expand(b, shape)];
}

/**
 * The greatest common divisor of |a| and |b|, elementwise, broadcasting (torch.gcd; gcd(0, 0) = 0):
 * Euclid's (a, b) → (b mod a, a) as masked int32 steps, at most 46; in eager mode it stops once every
 * remainder is 0 (inside wg.compile all 46 are recorded). −2³¹ has no int32 absolute value: where
 * torch's C remainder and wasmgrad's floored one part on it, the sign can differ (gcd(−2³¹, 4): torch
 * 4, here −4; gcd(−2³¹, 6) = −2 and gcd(−2³¹, 0) = −2³¹ in both).
 */
export function gcd(a: Tensor, b: Tensor): Tensor {
  let [x, y] = intPair('gcd', a, b).map((t) => abs(t));
  for (let k = 0; k < EUCLID_STEPS; k++) {
    const live = ne(x, 0);
    const r = apply(op('intRemainder'), [y, where(live, x, 1)]);
    [x, y] = [where(live, r, x), where(live, x, y)];
    if (sink.mode === 'off' && all(eq(x, 0)).item() !== 0) break;
  }
  return y;
}

/** |a·b| / gcd(a, b), elementwise (torch.lcm; 0 where either is 0), int32 wrapping as torch's. */
export function lcm(a: Tensor, b: Tensor): Tensor {
  const [x, y] = intPair('lcm', a, b);
  const g = gcd(x, y);
  const zero = eq(g, 0);
  // g divides x exactly, so the floored quotient is C's
  return where(zero, 0, abs(mul(floorDivide(x, where(zero, 1, g)), y)));
}

// ---- add a product, contractions -----------------------------------------------------------------
const addProduct = (name: 'addmm' | 'addmv' | 'addr' | 'baddbmm' | 'addbmm', factors: [string, string]) =>
  function (input: Tensor, x: Tensor, y: Tensor, opts: AddProductAttrs = {}): Tensor {
    checkTensor(name, 'input', input);
    checkTensor(name, factors[0], x);
    checkTensor(name, factors[1], y);
    const attrs = checkOptions<AddProductAttrs>(name, opts, ['beta', 'alpha']);
    if (input.dtype !== 'int32' || x.dtype !== 'int32' || y.dtype !== 'int32') return apply(op(name), operands(name, [input, x, y], true, attrs), attrs);
    // int32: the product exact over digits (input left out: beta 0), then beta·input + alpha·product in int32
    op(name).plan([input, x, y], attrs);
    const [beta, alpha] = [intNumber(name, 'beta', attrs.beta ?? 1), intNumber(name, 'alpha', attrs.alpha ?? 1)];
    const be = x.storage.backend;
    const none = constant(0, be);
    const product = productInt(name, x, y, ADD_TERMS[name](x), (a, b) => apply(op(name), [none, a, b], { beta: 0 }));
    const scale = (t: Tensor, k: number) => (k === 1 ? t : apply(op('intMul'), [t, constant(k, be, 'int32')]));
    return beta === 0 ? scale(product, alpha) : apply(op('intAdd'), [scale(input, beta), scale(product, alpha)]);
  };
/** How many products each output of addProduct's product sums: the factors' inner size (addbmm's also over the batch). */
const ADD_TERMS = {
  addmm: (x: Tensor) => x.shape[1],
  addmv: (x: Tensor) => x.shape[1],
  addr: () => 1,
  baddbmm: (x: Tensor) => x.shape[2],
  addbmm: (x: Tensor) => x.shape[0] * x.shape[2],
};
/** beta·input + alpha·(mat1·mat2) (beta 1, alpha 1; beta 0 ignores input, NaN included). */
export const addmm = addProduct('addmm', ['mat1', 'mat2']);
/** beta·input + alpha·(mat·vec). */
export const addmv = addProduct('addmv', ['mat', 'vec']);
/** beta·input + alpha·(vec1 ⊗ vec2). */
export const addr = addProduct('addr', ['vec1', 'vec2']);
/** beta·input + alpha·(batch1·batch2), batched [b, m, k]·[b, k, n]. */
export const baddbmm = addProduct('baddbmm', ['batch1', 'batch2']);
/** beta·input + alpha·Σ_b batch1[b]·batch2[b] → [m, n]. */
export const addbmm = addProduct('addbmm', ['batch1', 'batch2']);

/** How many products each output of a bilinear op sums (productInt's digit width follows it). */
const TERMS = {
  inner: (a: Tensor, b: Tensor) => (a.ndim === 0 || b.ndim === 0 ? 1 : a.shape[a.ndim - 1]),
  kron: () => 1,
  tensordot: (a: Tensor, b: Tensor, attrs: TensordotAttrs) => planTensordot([a, b], attrs).da.reduce((p, d) => p * a.shape[d], 1),
  cross: () => 2,
};
const pair = <N extends keyof typeof TERMS>(name: N, a: Tensor, b: Tensor, attrs: TensordotAttrs & CrossAttrs = {}) => {
  checkTensor(name, 'input', a);
  checkTensor(name, 'other', b);
  if (a.dtype !== 'int32' || b.dtype !== 'int32') return apply(op(name), operands(name, [a, b], true, attrs), attrs);
  // bilinear in a and b: exact int32 over digits, as matmul
  op(name).plan([a, b], attrs);
  return productInt(name, a, b, TERMS[name](a, b, attrs), (x, y) => apply(op(name), [x, y], attrs));
};
/** Σ over the last dims → a.shape[:-1] + b.shape[:-1]; a 0-d operand multiplies. */
export const inner = (a: Tensor, b: Tensor): Tensor => pair('inner', a, b);
/** The Kronecker product. */
export const kron = (a: Tensor, b: Tensor): Tensor => pair('kron', a, b);
/** Σ over dims pairs: dims a count (a's last n with b's first n; default 2) or two lists of dims. */
export const tensordot = (a: Tensor, b: Tensor, dims: TensordotAttrs['dims'] = 2): Tensor => pair('tensordot', a, b, { dims });
/** The cross product along dim (default null: the first dim of a of size 3, torch 1.13's torch.cross). */
export const cross = (a: Tensor, b: Tensor, dim: CrossAttrs['dim'] = null): Tensor => pair('cross', a, b, { dim });

// ---- differences and integrals along a dim --------------------------------------------------------
export interface DiffOptions {
  /** How many times to difference (default 1; 0 returns x with prepend and append joined). */
  n?: number;
  /** The dim (default −1). */
  dim?: number;
  /** Joined before x along dim first: x's shape except along dim. */
  prepend?: Tensor;
  /** Joined after x along dim first. */
  append?: Tensor;
}
/** out[i] = x[i + 1] − x[i] along dim, n times (torch.diff); int32 stays int32. */
export function diff(x: Tensor, opts: DiffOptions = {}): Tensor {
  checkTensor('diff', 'input', x);
  const { n = 1, dim = -1, prepend, append } = checkOptions<DiffOptions>('diff', opts, ['n', 'dim', 'prepend', 'append']);
  if (x.ndim === 0) throw new ShapeError('diff', 'expects a tensor with at least 1 dim, got a 0-d tensor');
  checkIntAtLeast('diff', 'n', n, 0);
  const d = checkDim('diff', dim, x.ndim, x.shape);
  const parts: Tensor[] = [];
  for (const [what, t] of [
    ['prepend', prepend],
    ['input', x],
    ['append', append],
  ] as const) {
    if (t === undefined) continue;
    checkTensor('diff', what, t);
    if (t.ndim !== x.ndim || t.shape.some((s, k) => k !== d && s !== x.shape[k]))
      throw new ShapeError('diff', `${what} must have x's shape ${fmtShape(x.shape)} except along dim ${d}, got ${fmtShape(t.shape)}`);
    parts.push(t);
  }
  let y = parts.length === 1 ? x : cat(parts, d);
  for (let i = 0; i < n && y.shape[d] > 0; i++) {
    const len = y.shape[d] - 1;
    y = sub(narrow(y, d, 1, len), narrow(y, d, 0, len));
  }
  return y;
}

export interface TrapezoidOptions {
  /** The sample points: 1-D of y's length along dim, or y's rank broadcasting with y. */
  x?: Tensor;
  /** The spacing when x is not given (default 1). */
  dx?: number;
  /** The dim to integrate along (default −1). */
  dim?: number;
}
/**
 * The spacing of trapezoid and cumulativeTrapezoid along dim, and y (float32) with dim resolved:
 * a number dx, or the differences of x (a 1-D x lies along dim).
 */
function spacing(fn: string, y: Tensor, xOrOpts: Tensor | TrapezoidOptions, more: TrapezoidOptions): { y: Tensor; d: number; dx: Tensor | number } {
  checkTensor(fn, 'y', y);
  // torch's positional x: (y, x, {dim}) as well as (y, {x, dx, dim})
  const opts = xOrOpts instanceof Tensor ? { ...checkOptions<TrapezoidOptions>(fn, more, ['dim']), x: xOrOpts } : xOrOpts;
  const { x, dx, dim = -1 } = checkOptions<TrapezoidOptions>(fn, opts, ['x', 'dx', 'dim']);
  if (y.ndim === 0) throw new ShapeError(fn, 'expects y with at least 1 dim, got a 0-d tensor');
  const d = checkDim(fn, dim, y.ndim, y.shape);
  if (x !== undefined && dx !== undefined) throw new ValueError(fn, 'takes x or dx, not both');
  if (x === undefined) {
    if (dx !== undefined && (typeof dx !== 'number' || Number.isNaN(dx))) throw new ValueError(fn, `dx must be a number, got ${fmtValue(dx)}`);
    return { y: float(y), d, dx: dx ?? 1 };
  }
  checkTensor(fn, 'x', x);
  if (x.ndim === 1) {
    if (x.size !== y.shape[d])
      throw new ShapeError(fn, `a 1-D x must have y's length along dim ${d} (${y.shape[d]}), got shape ${fmtShape(x.shape)} (y ${fmtShape(y.shape)})`);
    const along = y.shape.map((s, k) => (k === d ? s : 1));
    return { y: float(y), d, dx: diff(reshape(float(x), along), { dim: d }) };
  }
  if (x.ndim !== y.ndim) throw new ShapeError(fn, `x must be 1-D or have y's ${y.ndim} dims, got shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  return { y: float(y), d, dx: diff(float(x), { dim: d }) };
}
const pairSums = (y: Tensor, d: number) => add(narrow(y, d, 0, y.shape[d] - 1), narrow(y, d, 1, y.shape[d] - 1));

/**
 * ∫y along dim by the trapezoidal rule (torch.trapezoid; x also positional: trapezoid(y, x, {dim})):
 * with a number dx PyTorch's
 * (Σy − (y₀ + yₙ)/2)·dx, with x Σ Δx·(yᵢ + yᵢ₊₁)/2; 0 over an empty dim.
 */
export function trapezoid(y: Tensor, xOrOpts: Tensor | TrapezoidOptions = {}, opts: { dim?: number } = {}): Tensor {
  const { y: yf, d, dx } = spacing('trapezoid', y, xOrOpts, opts);
  if (yf.shape[d] === 0) return sum(yf, d);
  if (typeof dx === 'number') return mul(sub(sum(yf, d), mul(add(select(yf, d, 0), select(yf, d, -1)), 0.5)), dx);
  return div(sum(mul(dx, pairSums(yf, d)), d), 2);
}

/** The running trapezoidal integral along dim (torch.cumulative_trapezoid): one element fewer along dim. */
export function cumulativeTrapezoid(y: Tensor, xOrOpts: Tensor | TrapezoidOptions = {}, opts: { dim?: number } = {}): Tensor {
  const { y: yf, d, dx } = spacing('cumulativeTrapezoid', y, xOrOpts, opts);
  if (yf.shape[d] === 0) return yf;
  return cumsum(typeof dx === 'number' ? mul(pairSums(yf, d), dx / 2) : div(mul(dx, pairSums(yf, d)), 2), d);
}
