/**
 * The math library (issue #11 item 4): trigonometric, hyperbolic, error-function, rounding and
 * logarithmic maps, the activations beyond relu/gelu/softplus, and the broadcasting binary maps
 * atan2, logaddexp, hypot, pow with a tensor exponent, fmod, remainder, floorDivide; addcmul and
 * addcdiv as composites. Kernels: assembly/kernels/math.ts (float64 inside for the transcendental
 * maps, one rounding to float32; float32 SIMD for the activations and the rounding ops).
 */
import { ValueError, fmtValue } from '../errors.js';
import { planBroadcast } from './broadcast.js';
import { TERNARY_SHAPES, binary, erf, erfc, finiteParam, sigmoid1, unary, type BinarySpec, type UnarySpec } from './elementwise.js';
import { defineOps, fmtShape, keepShape, type Builder, type CompositeDef, type Domain, type Meta } from './types.js';

// Most maps here evaluate float64 library functions: costly unless they say otherwise.
const un = <A = Record<string, never>, N extends string = string>(name: N, spec: UnarySpec<A>) => unary<A, N>(name, { module: 'math', costly: true, ...spec });
const bin = <N extends string>(name: N, spec: BinarySpec) => binary(name, { module: 'math', costly: true, ...spec });

/** The default test domain and a second, wide one (large |x|, where stable forms matter). */
const wide = (domain: Domain, far: Domain) => [
  { attrs: {}, domain },
  { attrs: {}, domain: far },
];

/** g·d, and the pieces the vjps below share (table ops). */
const mulBy = <T>(b: Builder<T>, g: T, d: T): T => b.op('mul', [g, d]);
const oneMinusSq = <T>(b: Builder<T>, x: T): T => b.op('sub', [b.scalar(1), b.op('mul', [x, x])]);
/** lo < x < hi as a 1/0 mask. */
const inside = <T>(b: Builder<T>, x: T, lo: number, hi: number): T => b.op('mul', [b.op('gt', [x, b.scalar(lo)]), b.op('lt', [x, b.scalar(hi)])]);
/** The rounding ops' gradient, 0 (PyTorch), with g's shape. */
const zeroDg = <T>(b: Builder<T>, g: T): T => b.op('mul', [g, b.scalar(0)]);

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * PyTorch's float32 backward of asinh and acosh squares x in float32, which overflows from |x| = 2⁶⁴
 * on: its slope 1/√(x² ± 1) is 0 there (and at ±∞). Below, x² is taken in float64 (no overflow).
 */
const SQUARE_OVERFLOWS_F32 = 2 ** 64;
const squareOverflows = (x: number): boolean => Math.abs(x) >= SQUARE_OVERFLOWS_F32;
/** slope with PyTorch's 0 where x² overflows float32 (as a table op; the mask has no gradient). */
const zeroWhereSquareOverflows = <T>(b: Builder<T>, x: T, slope: T): T =>
  b.op('where', [b.op('ge', [b.op('abs', [x]), b.scalar(SQUARE_OVERFLOWS_F32)]), b.scalar(0), slope]);

/**
 * erfinv in float64: M. Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011), the
 * single-precision polynomials in w = −ln(1 − x²) (relative error < 4e-7 for float32 x), then
 * Newton steps on erf (on erfc beyond |x| = 0.5, where 1 − |x| is exact and erf's rounding near 1
 * would not be) until a step is below 1e-15 of y: two for float32 x, a few more for float64 x
 * closer to ±1, where the polynomial is extrapolated. ~1e-16 relative. ±1 → ±∞, |x| > 1 → NaN.
 */
export function erfinv(x: number): number {
  const a = Math.abs(x);
  if (!(a < 1)) return a === 1 ? x * Infinity : NaN;
  let w = -Math.log((1 - x) * (1 + x)),
    p: number;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-8;
    for (const c of [3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 2.1858087e-4, -1.25372503e-3, -4.17768164e-3, 2.46640727e-1, 1.50140941]) p = c + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -2.00214257e-4;
    for (const c of [1.00950558e-4, 1.34934322e-3, -3.67342844e-3, 5.73950773e-3, -7.6224613e-3, 9.43887047e-3, 1.00167406, 2.83297682]) p = c + p * w;
  }
  let y = p * a;
  for (let k = 0; k < 8; k++) {
    const step = (a <= 0.5 ? erf(y) - a : 1 - a - erfc(y)) / (TWO_OVER_SQRT_PI * Math.exp(-y * y));
    y -= step;
    if (Math.abs(step) <= 1e-15 * y) break;
  }
  return x < 0 ? -y : y;
}

/** Round half to even (C's nearbyint), which Math.round is not. */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * torch.round(x, decimals) in float32 arithmetic as PyTorch (its opmath for float is float):
 * nearbyint(x·10ᵈ)/10ᵈ, or nearbyint(x/10⁻ᵈ)·10⁻ᵈ for d < 0; p = [d, float32(10^|d|)].
 */
function roundDecimals(x: number, [d, ten]: readonly number[]): number {
  const f = Math.fround;
  return d < 0 ? f(rint(f(x / ten)) * ten) : f(rint(f(x * ten)) / ten);
}

function roundParams({ decimals = 0 }: { decimals?: number }, x: Meta): number[] {
  if (typeof decimals !== 'number' || !Number.isInteger(decimals))
    throw new ValueError('round', `decimals must be an integer, got ${fmtValue(decimals)} (x of shape ${fmtShape(x.shape)})`);
  return [decimals, Math.fround(10 ** Math.abs(decimals))];
}

/** log(1 + eˣ) without overflow. */
const softplus1 = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

// SELU's constants (Klambauer et al. 2017), as PyTorch.
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** g·eluD as ops: scale·α·eˣ where x ≤ 0, else scale (NaN included, as eluD). */
function eluDg<T>(b: Builder<T>, g: T, x: T, a: number, s: number): T {
  const f = Math.fround; // the kernel's float32 parameters
  return b.op('where', [
    b.op('le', [x, b.scalar(0)]),
    b.op('mul', [g, b.op('mul', [b.op('exp', [x]), b.scalar(f(s) * f(a))])]),
    b.op('mul', [g, b.scalar(f(s))]),
  ]);
}

/** elu with p = [α, scale] (selu: its constants; elu: scale 1). PyTorch takes x ≤ 0 as the exponential side, so the gradient at 0 is scale·α. */
const eluF = (x: number, [a, s]: readonly number[]) => (x > 0 ? s * x : s * a * Math.expm1(x));
const eluD = (x: number, _: number, [a, s]: readonly number[]) => (x <= 0 ? s * a * Math.exp(x) : s); // NaN: s, as PyTorch's x ≤ 0 test

// gelu, tanh form: 0.5·x·(1 + tanh u), u = √(2/π)(x + 0.044715x³), written x·σ(2u) (the same
// function, as (1 + tanh u)/2 = σ(2u)), which does not cancel for negative x.
const GELU_K = 0.7978845608028654;
const GELU_C = 0.044715;
const geluTanhS = (x: number) => sigmoid1(2 * GELU_K * (x + GELU_C * x * x * x));

export interface HardtanhAttrs {
  minVal?: number;
  maxVal?: number;
}

// fmod/remainder/floorDivide follow PyTorch's float kernels: fmod is exact in any precision (and
// remainder's mod + b is rounded to float32 once, with the output); floorDivide's steps round to
// float32 (fround) as PyTorch's, since the quotient's rounding decides the integer part.
const fr = Math.fround;
function remainder1(a: number, b: number): number {
  const mod = a % b;
  return mod !== 0 && b < 0 !== mod < 0 ? mod + b : mod;
}
/** PyTorch's div_floor_floating: floor of the exact quotient (a − fmod(a, b))/b, corrected to the nearest integer. */
function floorDivide1(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let div = fr(fr(a - mod) / b);
  if (mod !== 0 && b < 0 !== mod < 0) div = fr(div - 1);
  if (div === 0) return a / b < 0 || Object.is(a / b, -0) ? -0 : 0; // copysign(0, a/b)
  let fl = Math.floor(div);
  if (div - fl > 0.5) fl += 1;
  return fl;
}

/** C's pow: pow(1, y) and pow(−1, ±∞) are 1 (Math.pow gives NaN), as PyTorch. */
const cpow = (a: number, b: number) => (a === 1 || (a === -1 && Math.abs(b) === Infinity) ? 1 : Math.pow(a, b));

// ---- addcmul, addcdiv ---------------------------------------------------------------------------
export interface AddcAttrs {
  value?: number;
}
function planAddc(name: string, ins: readonly Meta[], { value = 1 }: AddcAttrs) {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ValueError(name, `value must be a finite number, got ${fmtValue(value)} (input of shape ${fmtShape(ins[0].shape)})`);
  return { shape: planBroadcast(name, ins).shape };
}
const addc = <N extends string>(name: N, inner: 'mul' | 'div', info: { doc: string }): CompositeDef<AddcAttrs, N> => ({
  kind: 'composite',
  name,
  arity: 3,
  gradInputs: [0, 1, 2],
  doc: info.doc,
  plan: (ins, a) => planAddc(name, ins, a),
  compose: (b, [t, t1, t2], { value = 1 }) => {
    const prod = b.op(inner, [t1, t2]);
    return b.op('add', [t, value === 1 ? prod : b.op('mul', [prod, b.scalar(value)])]);
  },
  tests: {
    cases: TERNARY_SHAPES.map((shapes, k) => {
      const value = [1, -0.5, 2.5][k % 3];
      return {
        inputs: [{ shape: shapes[0] }, { shape: shapes[1] }, { shape: shapes[2], domain: (inner === 'div' ? 'awayFromZero' : 'any') as Domain }],
        attrs: { value },
        name: `${shapes.map((s) => `[${s.join('x')}]`).join(' ')} value=${value}`,
      };
    }),
  },
});

const relu6: CompositeDef<any, 'relu6'> = {
  kind: 'composite',
  name: 'relu6',
  arity: 1,
  gradInputs: [0],
  doc: 'hardtanh(x, 0, 6), as PyTorch: gradient 0 at 0 and at 6',
  plan: keepShape,
  compose: (b, [x]) => b.op('hardtanh', [x], { minVal: 0, maxVal: 6 }),
  tests: { cases: [[1], [3], [5, 7], [9], [0]].map((shape) => ({ inputs: [{ shape, domain: [-3, 9] as Domain }] })) },
};

export const MATH_OPS = defineOps(
  // ---- trigonometric and hyperbolic ----
  un('sin', {
    f: Math.sin,
    df: (x) => Math.cos(x),
    dg: (b, g, x) => b.op('mul', [g, b.op('cos', [x])]),
    doc: 'sin x',
    tests: { variants: wide('any', [-100, 100]) },
  }),
  un('cos', {
    f: Math.cos,
    df: (x) => -Math.sin(x),
    dg: (b, g, x) => b.op('neg', [b.op('mul', [g, b.op('sin', [x])])]),
    doc: 'cos x',
    tests: { variants: wide('any', [-100, 100]) },
  }),
  un('tan', {
    f: Math.tan,
    df: (_, y) => 1 + y * y,
    dg: (b, g, _, y) => mulBy(b, g, b.op('add', [b.scalar(1), b.op('mul', [y, y])])),
    doc: 'tan x; gradient 1 + y² from the saved output',
    tests: { domain: [-1.5, 1.5] },
  }),
  un('asin', {
    f: Math.asin,
    df: (x) => 1 / Math.sqrt(1 - x * x),
    dg: (b, g, x) => mulBy(b, g, b.op('rsqrt', [oneMinusSq(b, x)])),
    doc: 'arcsin x; NaN outside [−1, 1]',
    tests: { domain: [-0.95, 0.95] },
  }),
  un('acos', {
    f: Math.acos,
    df: (x) => -1 / Math.sqrt(1 - x * x),
    dg: (b, g, x) => b.op('neg', [mulBy(b, g, b.op('rsqrt', [oneMinusSq(b, x)]))]),
    doc: 'arccos x; NaN outside [−1, 1]',
    tests: { domain: [-0.95, 0.95] },
  }),
  un('atan', {
    f: Math.atan,
    df: (x) => 1 / (1 + x * x),
    dg: (b, g, x) => b.op('div', [g, b.op('add', [b.scalar(1), b.op('mul', [x, x])])]),
    doc: 'arctan x',
    tests: { variants: wide('any', [-1e3, 1e3]) },
  }),
  un('sinh', {
    f: Math.sinh,
    df: (x) => Math.cosh(x),
    dg: (b, g, x) => mulBy(b, g, b.op('cosh', [x])),
    doc: 'sinh x',
    tests: { variants: wide('any', [-20, 20]) },
  }),
  un('cosh', {
    f: Math.cosh,
    df: (x) => Math.sinh(x),
    dg: (b, g, x) => mulBy(b, g, b.op('sinh', [x])),
    doc: 'cosh x',
    tests: { variants: wide('any', [-20, 20]) },
  }),
  un('asinh', {
    f: Math.asinh,
    df: (x) => (squareOverflows(x) ? 0 : 1 / Math.sqrt(1 + x * x)),
    dg: (b, g, x) => mulBy(b, g, zeroWhereSquareOverflows(b, x, b.op('rsqrt', [b.op('add', [b.scalar(1), b.op('mul', [x, x])])]))),
    doc: 'arsinh x (no overflow at large |x|)',
    tests: { variants: wide('any', [-1e6, 1e6]) },
  }),
  un('acosh', {
    f: Math.acosh,
    df: (x) => (squareOverflows(x) ? 0 : 1 / Math.sqrt((x - 1) * (x + 1))),
    dg: (b, g, x) => mulBy(b, g, zeroWhereSquareOverflows(b, x, b.op('rsqrt', [b.op('mul', [b.op('sub', [x, b.scalar(1)]), b.op('add', [x, b.scalar(1)])])]))),
    doc: 'arcosh x; NaN below 1',
    tests: { variants: wide([1.05, 3], [1.05, 1e6]) },
  }),
  un('atanh', {
    f: Math.atanh,
    df: (x) => 1 / (1 - x * x),
    dg: (b, g, x) => b.op('div', [g, oneMinusSq(b, x)]),
    doc: 'artanh x; ±∞ at ±1, NaN outside',
    tests: { domain: [-0.95, 0.95] },
  }),
  // ---- error function ----
  un('erf', {
    f: erf,
    df: (x) => TWO_OVER_SQRT_PI * Math.exp(-x * x),
    dg: (b, g, x) => b.op('mul', [g, b.op('mul', [b.op('exp', [b.op('neg', [b.op('mul', [x, x])])]), b.scalar(TWO_OVER_SQRT_PI)])]),
    doc: 'erf x (Cody)',
    tests: { variants: wide('any', [-6, 6]) },
  }),
  un('erfc', {
    f: erfc,
    df: (x) => -TWO_OVER_SQRT_PI * Math.exp(-x * x),
    dg: (b, g, x) => mulBy(b, g, b.op('mul', [b.op('exp', [b.op('neg', [b.op('mul', [x, x])])]), b.scalar(-TWO_OVER_SQRT_PI)])),
    doc: '1 − erf x, without cancellation for large x',
    tests: { variants: wide('any', [-3, 9]) },
  }),
  un('erfinv', {
    f: erfinv,
    df: (_, y) => Math.exp(y * y) / TWO_OVER_SQRT_PI,
    dg: (b, g, _, y) => mulBy(b, g, b.op('mul', [b.op('exp', [b.op('mul', [y, y])]), b.scalar(1 / TWO_OVER_SQRT_PI)])),
    doc: 'the inverse of erf on (−1, 1); ±∞ at ±1, NaN outside',
    tests: { variants: wide([-0.9, 0.9], [-0.999, 0.999]) },
  }),
  // ---- rounding: zero gradient (PyTorch), frac gradient 1 ----
  un('sign', {
    costly: false,
    f: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
    df: () => 0,
    dg: zeroDg,
    doc: '1, −1 or 0 (also for NaN, as PyTorch); zero gradient',
    tests: { domain: 'awayFromZero' },
  }),
  un<{ decimals?: number }, 'round'>('round', {
    costly: false,
    f: roundDecimals,
    df: () => 0,
    dg: zeroDg,
    doc: 'round half to even, optionally to `decimals` places (in float32 arithmetic as PyTorch); zero gradient',
    params: roundParams,
    tests: { variants: [{ attrs: { decimals: 0 }, domain: [-10, 10] }, { attrs: { decimals: 2 } }, { attrs: { decimals: -1 }, domain: [-200, 200] }] },
  }),
  un('floor', { costly: false, f: Math.floor, df: () => 0, dg: zeroDg, doc: '⌊x⌋; zero gradient', tests: { variants: wide('any', [-100, 100]) } }),
  un('ceil', { costly: false, f: Math.ceil, df: () => 0, dg: zeroDg, doc: '⌈x⌉; zero gradient', tests: { variants: wide('any', [-100, 100]) } }),
  un('trunc', {
    costly: false,
    f: Math.trunc,
    df: () => 0,
    dg: zeroDg,
    doc: 'x rounded toward 0; zero gradient',
    tests: { variants: wide('any', [-100, 100]) },
  }),
  un('frac', {
    costly: false,
    f: (x) => x - Math.trunc(x),
    df: () => 1,
    dg: (_, g) => g,
    doc: 'x − trunc x (sign of x); gradient 1',
    tests: { variants: wide('any', [-100, 100]) },
  }),
  // ---- powers and logarithms ----
  un('reciprocal', {
    costly: false,
    f: (x) => 1 / x,
    df: (_, y) => -y * y,
    dg: (b, g, _, y) => b.op('neg', [mulBy(b, g, b.op('mul', [y, y]))]),
    doc: '1/x; gradient −y²',
    tests: { domain: 'awayFromZero' },
  }),
  un('rsqrt', {
    costly: false,
    f: (x) => 1 / Math.sqrt(x),
    df: (_, y) => -0.5 * y * y * y,
    dg: (b, g, _, y) => b.op('mul', [g, b.op('mul', [b.op('mul', [y, b.op('mul', [y, y])]), b.scalar(-0.5)])]),
    doc: '1/√x; gradient −y³/2',
    tests: { domain: 'positive' },
  }),
  un('log2', {
    f: Math.log2,
    df: (x) => 1 / (x * Math.LN2),
    dg: (b, g, x) => b.op('div', [g, b.op('mul', [x, b.scalar(Math.LN2)])]),
    doc: 'log₂ x',
    tests: { variants: wide('positive', [1e-3, 1e6]) },
  }),
  un('log10', {
    f: Math.log10,
    df: (x) => 1 / (x * Math.LN10),
    dg: (b, g, x) => b.op('div', [g, b.op('mul', [x, b.scalar(Math.LN10)])]),
    doc: 'log₁₀ x',
    tests: { variants: wide('positive', [1e-3, 1e6]) },
  }),
  un('log1p', {
    f: Math.log1p,
    df: (x) => 1 / (1 + x),
    dg: (b, g, x) => b.op('div', [g, b.op('add', [x, b.scalar(1)])]),
    doc: 'ln(1 + x), exact near 0',
    tests: { variants: wide([-0.9, 2], [-1e-4, 1e-4]) },
  }),
  un('exp2', {
    f: (x) => 2 ** x,
    df: (_, y) => y * Math.LN2,
    dg: (b, g, _, y) => mulBy(b, g, b.op('mul', [y, b.scalar(Math.LN2)])),
    doc: '2ˣ',
    tests: { variants: wide('any', [-60, 60]) },
  }),
  un('expm1', {
    f: Math.expm1,
    df: (_, y) => y + 1,
    dg: (b, g, _, y) => mulBy(b, g, b.op('add', [y, b.scalar(1)])),
    doc: 'eˣ − 1, exact near 0',
    tests: { variants: wide('any', [-1e-4, 1e-4]) },
  }),
  // ---- activations ----
  un('mish', {
    f: (x) => x * Math.tanh(softplus1(x)),
    df: (x) => {
      const t = Math.tanh(softplus1(x));
      return t + x * sigmoid1(x) * (1 - t * t);
    },
    dg: (b, g, x) => {
      const t = b.op('tanh', [b.op('softplus', [x], { beta: 1, threshold: 20 })]);
      return mulBy(b, g, b.op('add', [t, b.op('mul', [b.op('mul', [x, b.op('sigmoid', [x])]), oneMinusSq(b, t)])]));
    },
    doc: 'x·tanh(softplus x)',
    tests: { variants: wide('any', [-30, 30]) },
  }),
  un<{ alpha?: number }, 'elu'>('elu', {
    f: eluF,
    df: eluD,
    dg: (b, g, x, _, { alpha = 1 }) => eluDg(b, g, x, alpha, 1),
    doc: 'x for x > 0, else α(eˣ − 1) (default α 1); gradient α at 0 (PyTorch)',
    params: ({ alpha = 1 }, x) => [finiteParam('elu', 'alpha', alpha, x), 1],
    tests: {
      variants: [
        { attrs: { alpha: 1 }, domain: 'awayFromZero' },
        { attrs: { alpha: 0.5 }, domain: [-20, 5] },
        { attrs: { alpha: -1.5 }, domain: 'awayFromZero' },
      ],
    },
  }),
  un('selu', {
    f: eluF,
    df: eluD,
    dg: (b, g, x) => eluDg(b, g, x, SELU_ALPHA, SELU_SCALE),
    doc: 'scale·elu(x, α) with SELU’s α ≈ 1.6733, scale ≈ 1.0507',
    params: () => [SELU_ALPHA, SELU_SCALE],
    tests: { variants: wide('awayFromZero', [-20, 5]) },
  }),
  un<{ alpha?: number }, 'celu'>('celu', {
    f: (x, [a]) => (x > 0 ? x : a * Math.expm1(x / a)),
    df: (x, _, [a]) => (x <= 0 ? Math.exp(x / a) : 1),
    dg: (b, g, x, _, { alpha = 1 }) =>
      b.op('where', [b.op('le', [x, b.scalar(0)]), mulBy(b, g, b.op('exp', [b.op('div', [x, b.scalar(Math.fround(alpha))])])), g]),
    doc: 'max(0, x) + min(0, α(e^(x/α) − 1)) (default α 1; α = 0 is an error)',
    params: ({ alpha = 1 }, x) => {
      if (finiteParam('celu', 'alpha', alpha, x) === 0)
        throw new ValueError('celu', `alpha must not be 0 (it divides x), got 0 (x of shape ${fmtShape(x.shape)})`);
      return [alpha];
    },
    tests: {
      variants: [
        { attrs: { alpha: 1 }, domain: 'awayFromZero' },
        { attrs: { alpha: 2.5 }, domain: [-20, 5] },
      ],
    },
  }),
  un('hardswish', {
    costly: false,
    f: (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6,
    df: (x) => (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1),
    dg: (b, g, x) =>
      b.op('where', [
        b.op('lt', [x, b.scalar(-3)]),
        b.scalar(0),
        b.op('where', [b.op('le', [x, b.scalar(3)]), mulBy(b, g, b.op('add', [b.op('div', [x, b.scalar(3)]), b.scalar(0.5)])), g]),
      ]),
    doc: 'x·relu6(x + 3)/6; gradient x/3 + 1/2 on [−3, 3] (both ends included, PyTorch)',
    tests: { variants: wide('any', [-5, 5]) },
  }),
  un('hardsigmoid', {
    costly: false,
    f: (x) => Math.min(Math.max(x + 3, 0), 6) / 6,
    df: (x) => (x > -3 && x < 3 ? 1 / 6 : 0),
    dg: (b, g, x) => b.op('where', [inside(b, x, -3, 3), b.op('div', [g, b.scalar(6)]), b.scalar(0)]),
    doc: 'relu6(x + 3)/6; gradient 1/6 on (−3, 3), 0 at the ends (PyTorch)',
    tests: { variants: wide('any', [-5, 5]) },
  }),
  un<HardtanhAttrs, 'hardtanh'>('hardtanh', {
    costly: false,
    f: (x, [lo, hi]) => Math.min(Math.max(x, lo), hi),
    df: (x, _, [lo, hi]) => (x <= lo || x >= hi ? 0 : 1),
    dg: (b, g, x, _, { minVal = -1, maxVal = 1 }) => b.op('where', [inside(b, x, Math.fround(minVal), Math.fround(maxVal)), g, b.scalar(0)]),
    doc: 'min(max(x, minVal), maxVal) (defaults −1, 1); gradient 1 strictly inside, 0 at the bounds (PyTorch)',
    params: ({ minVal = -1, maxVal = 1 }, x) => [finiteParam('hardtanh', 'minVal', minVal, x), finiteParam('hardtanh', 'maxVal', maxVal, x)],
    tests: { variants: [{ attrs: { minVal: -1, maxVal: 1 } }, { attrs: { minVal: -0.5, maxVal: 1.5 } }, { attrs: { minVal: 0, maxVal: 6 }, domain: [-3, 9] }] },
  }),
  un('softsign', {
    costly: false,
    f: (x) => x / (1 + Math.abs(x)),
    // + (x − x): 0, or NaN at ±∞ (and NaN), PyTorch's gradient there (1/∞ − ∞/∞² in its quotient rule)
    df: (x) => 1 / (1 + Math.abs(x)) ** 2 + (x - x),
    dg: (b, g, x) => {
      const d = b.op('add', [b.op('abs', [x]), b.scalar(1)]);
      return mulBy(b, g, b.op('add', [b.op('div', [b.scalar(1), b.op('mul', [d, d])]), b.op('sub', [x, x])]));
    },
    doc: 'x/(1 + |x|)',
    tests: { variants: wide('any', [-1e3, 1e3]) },
  }),
  un('logsigmoid', {
    f: (x) => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x))),
    df: (x) => sigmoid1(-x),
    dg: (b, g, x) => mulBy(b, g, b.op('sigmoid', [b.op('neg', [x])])),
    doc: 'log σ(x) = −softplus(−x), stable at large |x|; gradient σ(−x)',
    tests: { variants: wide('any', [-50, 50]) },
  }),
  un('geluTanh', {
    f: (x) => x * geluTanhS(x),
    df: (x) => {
      const s = geluTanhS(x);
      return s + 2 * x * s * (1 - s) * GELU_K * (1 + 3 * GELU_C * x * x);
    },
    dg: (b, g, x) => {
      const c = (v: number) => b.scalar(v),
        mul = (p: typeof x, q: typeof x) => b.op('mul', [p, q]),
        x2 = mul(x, x);
      const s = b.op('sigmoid', [mul(mul(x, b.op('add', [mul(x2, c(GELU_C)), c(1)])), c(2 * GELU_K))]);
      const ds = mul(mul(mul(x, mul(s, b.op('sub', [c(1), s]))), c(2 * GELU_K)), b.op('add', [mul(x2, c(3 * GELU_C)), c(1)]));
      return mul(g, b.op('add', [s, ds]));
    },
    doc: "gelu's tanh approximation 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))), as x·σ(2u)",
    tests: { variants: wide('any', [-10, 10]) },
  }),
  // ---- binary, broadcasting ----
  bin('atan2', {
    f: Math.atan2,
    da: (a, b) => b / (a * a + b * b),
    db: (a, b) => -a / (a * a + b * b),
    dg: (b, { inputs: [p, q], gout }, i) =>
      mulBy(b, gout, b.op('div', [i === 0 ? q : b.op('neg', [p]), b.op('add', [b.op('mul', [p, p]), b.op('mul', [q, q])])])),
    doc: 'the angle of (b, a) in (−π, π], broadcasting; gradients b/(a² + b²), −a/(a² + b²)',
  }),
  bin('logaddexp', {
    f: (a, b) => (a === b && Math.abs(a) === Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)))),
    da: (a, b) => sigmoid1(a - b),
    db: (a, b) => sigmoid1(b - a),
    dg: (b, { inputs, gout }, i) => mulBy(b, gout, b.op('sigmoid', [b.op('sub', [inputs[i], inputs[1 - i]])])),
    doc: 'log(eᵃ + eᵇ), stable (max + log1p(e^−|a−b|)); gradients σ(a − b), σ(b − a)',
  }),
  bin('hypot', {
    f: Math.hypot,
    da: (a, _, y) => a / y,
    db: (_, b, y) => b / y,
    dg: (b, { inputs, out, gout }, i) => mulBy(b, gout, b.op('div', [inputs[i], out])),
    doc: '√(a² + b²) without overflow or underflow, broadcasting; gradients a/y, b/y (NaN at 0, 0 as PyTorch)',
  }),
  bin('powTensor', {
    fn: 'pow',
    f: cpow,
    da: (a, b) => (b === 0 ? 0 : b * cpow(a, b - 1)),
    db: (a, b, y) => (a === 0 && b >= 0 ? 0 : y * Math.log(a)),
    // the two rules above, their exceptions by where
    dg: (b, { inputs: [x, e], out, gout }, i) =>
      i === 0
        ? b.op('where', [
            b.op('eq', [e, b.scalar(0)]),
            b.scalar(0),
            b.op('mul', [gout, b.op('mul', [e, b.op('powTensor', [x, b.op('sub', [e, b.scalar(1)])])])]),
          ])
        : b.op('where', [
            b.op('mul', [b.op('eq', [x, b.scalar(0)]), b.op('ge', [e, b.scalar(0)])]),
            b.scalar(0),
            b.op('mul', [gout, b.op('mul', [out, b.op('log', [x])])]),
          ]),
    doc: 'aᵇ with a tensor exponent, broadcasting; gradients b·a^(b−1) (0 where b = 0) and aᵇ·ln a (0 where a = 0 and b ≥ 0), as PyTorch',
    tests: { domains: ['positive', 'any'] },
  }),
  bin('fmod', {
    f: (a, b) => a % b,
    da: () => 1,
    db: (a, b) => -Math.trunc(fr(a / b)),
    dg: (b, { inputs: [p, q], gout }, i) => (i === 0 ? gout : b.op('neg', [mulBy(b, gout, b.detach(b.op('trunc', [b.op('div', [p, q])])))])),
    doc: 'C fmod: a − trunc(a/b)·b, the sign of a; gradients 1 and −trunc(a/b)',
    tests: { domains: ['any', 'awayFromZero'] },
  }),
  bin('remainder', {
    f: remainder1,
    da: () => 1,
    db: (a, b) => -floorDivide1(a, b),
    dg: (b, { inputs: [p, q], gout }, i) => (i === 0 ? gout : b.op('neg', [mulBy(b, gout, b.detach(b.op('floorDivide', [p, q])))])),
    doc: "Python's %: a − floor(a/b)·b, the sign of b; gradients 1 and −floorDivide(a, b) (PyTorch's)",
    tests: { domains: ['any', 'awayFromZero'] },
  }),
  bin('floorDivide', {
    f: floorDivide1,
    doc: 'floor(a/b) (PyTorch’s float floor division), broadcasting; not differentiable (PyTorch 1.13 has no gradient for it)',
    tests: { domains: ['any', 'awayFromZero'] },
  }),
  // ---- composites ----
  relu6,
  addc('addcmul', 'mul', { doc: 't + value·t1·t2, broadcasting all three (value default 1)' }),
  addc('addcdiv', 'div', { doc: 't + value·t1/t2, broadcasting all three (value default 1)' }),
);
