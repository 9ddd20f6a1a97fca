/**
 * torch.special's functions that wasmgrad lacked, as composites of the table's ops (no kernels):
 * the normal distribution and error-function family (ndtr, logNdtr, ndtri, erfcx), the modified
 * Bessel functions of the first kind (i0 with i0e, i1, i1e); entr and xlog1py are kernels
 * (assembly/kernels/math.ts); zeta and the incomplete gamma functions: src/ops/special-gamma.ts.
 * Each computes on safe stand-ins in the branches it does not take, so that no masked ∞ turns a
 * gradient NaN. The public functions: src/api/special.ts.
 */
import { unary as kernelUnary } from './elementwise.js';
import { horner, xlogKernel } from './parity-math.js';
import { defineOps, keepShape, type Builder, type CompositeDef, type Domain, type TestCase } from './types.js';

export const TILE = 8; // two f32x4 vectors: sizes around it reach the primitives' SIMD bodies and tails
const SQRT_PI = Math.sqrt(Math.PI);
const UNARY: number[][] = [[1], [3], [5, 7], [TILE - 1], [TILE + 1], [17, 3], [2, 3, 4], [0], [3, 0]];
export const unaryCases = (domain: Domain, more: Domain[] = []): TestCase[] => [
  ...UNARY.map((shape): TestCase => ({ inputs: [{ shape, domain }] })),
  ...more.map((d): TestCase => ({ inputs: [{ shape: [TILE + 1], domain: d }], name: `x ∈ ${JSON.stringify(d)}` })),
];
export const binaryCases = (domains: [Domain, Domain]): TestCase[] =>
  [
    [[3], [3]],
    [[5, 7], [7]],
    [
      [TILE + 1, 1],
      [1, 3],
    ],
    [[], [17]],
    [[0], [1]],
  ].map(([a, c]) => ({
    inputs: [
      { shape: a, domain: domains[0] },
      { shape: c, domain: domains[1] },
    ],
  }));

const unary = <N extends string>(
  name: N,
  gradInputs: number[],
  compose: <T>(b: Builder<T>, x: T) => T,
  doc: string,
  cases: TestCase[],
): CompositeDef<Record<string, never>, N> => ({
  kind: 'composite',
  name,
  arity: 1,
  gradInputs,
  doc,
  plan: keepShape,
  compose: (b, [x]) => compose(b, x),
  tests: { cases },
});

// ---- the error-function family --------------------------------------------------------------------
/**
 * exp(k·x²) without the rounding of x²: Dekker's split x = hi + lo (hi the top 12 bits of a float32,
 * exact in both backends; in float64 hi = x, lo = 0) gives x² = hi² + (2·hi·lo + lo²), hi² exact, so
 * the result is exp(k·hi²)·exp(k·(2·hi·lo + lo²)), each factor rounded once. x² rounded first would
 * cost x²·2⁻²⁴ relative error (6e-6 at x = 10). |x| must stay below 1e30 (4097·x finite).
 */
function expSquare<T>(b: Builder<T>, x: T, k: number): T {
  const c = b.op('mul', [x, b.scalar(4097)]);
  const hi = b.op('sub', [c, b.op('sub', [c, x])]);
  const lo = b.op('sub', [x, hi]);
  const rest = b.op('mul', [lo, b.op('add', [b.op('mul', [hi, b.scalar(2)]), lo])]);
  return b.op('mul', [b.op('exp', [b.op('mul', [b.op('mul', [hi, hi]), b.scalar(k)])]), b.op('exp', [b.op('mul', [rest, b.scalar(k)])])]);
}

const ERFCX_CF_FROM = 3;
const ERFCX_CF_TERMS = 10;
/**
 * erfcx(x) = e^(x²)·erfc(x). x < 3: the product, e^(x²) by expSquare (∞ below x ≈ −9.4, as torch).
 * x ≥ 3, where erfc underflows float32 from 9.2: Laplace's continued fraction
 * erfcx(x) = 1/(√π·(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))), 10 levels evaluated from the bottom
 * (relative truncation error below 5e-9 from x = 3; all terms positive, so no cancellation). The
 * gradient is autodiff's through each form (torch's 2x·erfcx(x) − 2/√π cancels for large x).
 */
function erfcxOf<T>(b: Builder<T>, x: T): T {
  const s = (v: number) => b.scalar(v);
  const far = b.op('ge', [x, s(ERFCX_CF_FROM)]);
  // the product below x = 3; −10 stands in below −10 (e^100 is ∞ in float32 anyway)
  const xn = b.op('maximum', [b.op('where', [far, s(0), x]), s(-10)]);
  const product = b.op('mul', [expSquare(b, xn, 1), b.op('erfc', [xn])]);
  const xf = b.op('where', [far, x, s(ERFCX_CF_FROM)]);
  let t = xf;
  for (let k = ERFCX_CF_TERMS; k >= 1; k--) t = b.op('add', [xf, b.op('div', [s(k / 2), t])]);
  const fraction = b.op('div', [s(1 / SQRT_PI), t]);
  return b.op('where', [far, fraction, product]);
}

const erfcx = unary(
  'erfcx',
  [0],
  erfcxOf,
  'e^(x²)·erfc(x), the scaled complementary error function; ∞ below x ≈ −9.4; gradient 2x·erfcx(x) − 2/√π',
  unaryCases('any', [
    [-9, 40],
    [2.5, 3.5],
  ]),
);

/**
 * Φ(x) = erfc(−x/√2)/2. Below x = −1 it is erfcx(−x/√2)·e^(−x²/2)/2 instead: erfc of the rounded
 * −x/√2 would carry that rounding times x² (6e-6 relative at x = −10, torch's float32 error), erfcx
 * hardly feels it and expSquare takes e^(−x²/2) exactly. Gradient φ(x) = e^(−x²/2)/√(2π).
 */
const ndtr = unary(
  'ndtr',
  [0],
  (b, x) => {
    const s = (v: number) => b.scalar(v);
    const tail = b.op('lt', [x, s(-1)]);
    const xt = b.op('maximum', [b.op('where', [tail, x, s(-2)]), s(-20)]); // Φ(−20) ≈ 3e-89 is 0 in float32
    const lower = b.op('mul', [b.op('mul', [erfcxOf(b, b.op('mul', [xt, s(-Math.SQRT1_2)])), expSquare(b, xt, -0.5)]), s(0.5)]);
    const upper = b.op('mul', [b.op('erfc', [b.op('mul', [b.op('where', [tail, s(0), x]), s(-Math.SQRT1_2)])]), s(0.5)]);
    return b.op('where', [tail, lower, upper]);
  },
  'the standard normal CDF Φ(x); gradient e^(−x²/2)/√(2π)',
  unaryCases('any', [[-14, 8]]),
);

/**
 * log Φ(x), torch 1.13's two forms: below x = −1 log(erfcx(−x/√2)/2) − x²/2 (no underflow to
 * −13.6 and beyond: −804.6 at x = −40), else log1p(−erfc(x/√2)/2). Gradient φ(x)/Φ(x) by autodiff.
 */
function logNdtrOf<T>(b: Builder<T>, x: T): T {
  const s = (v: number) => b.scalar(v);
  const tail = b.op('lt', [x, s(-1)]);
  const xt = b.op('where', [tail, x, s(-2)]);
  const lower = b.op('sub', [
    b.op('log', [b.op('mul', [erfcxOf(b, b.op('mul', [xt, s(-Math.SQRT1_2)])), s(0.5)])]),
    b.op('mul', [b.op('mul', [xt, xt]), s(0.5)]),
  ]);
  const xu = b.op('where', [tail, s(0), x]);
  const upper = b.op('log1p', [b.op('mul', [b.op('erfc', [b.op('mul', [xu, s(Math.SQRT1_2)])]), s(-0.5)])]);
  return b.op('where', [tail, lower, upper]);
}
const logNdtr = unary('logNdtr', [0], logNdtrOf, 'log Φ(x), accurate far into the lower tail; gradient φ(x)/Φ(x)', unaryCases('any', [[-40, 6]]));

/** Abramowitz & Stegun 26.2.23: Φ⁻¹(p) ≈ −(t − (c₀ + c₁t + c₂t²)/(1 + d₁t + d₂t² + d₃t³)), t = √(−2 log p), p ≤ 1/2, error < 4.5e-4. */
const AS_C = [2.515517, 0.802853, 0.010328];
const AS_D = [1, 1.432788, 0.189269, 0.001308];
const NDTRI_NEWTON_STEPS = 2;
const NDTRI_SLOPE_MAX = 13.19; // √(2·87): e^(x²/2)·√(2π) stays below float32's max
const F32_MAX = 3.4028234663852886e38;
/**
 * Φ⁻¹(p). p ≥ 1/4: √2·erfinv(2p − 1), 2p − 1 exact there (Sterbenz), erfinv's kernel accurate up to
 * p = 1. p < 1/4, where 2p − 1 would round p away: Abramowitz & Stegun's guess, then two Newton
 * steps on log Φ(x) = log p, x ← x − (log Φ(x) − log p)·Φ(x)/φ(x) with Φ/φ = √(π/2)·erfcx(−x/√2)
 * (no underflow down to p = 1e-45; quadratic convergence from 4.5e-4 leaves float32 rounding). The
 * gradient is torch's 1/φ(x) = √(2π)·e^(x²/2) attached to the detached value (x + (p − p̂)·slope),
 * saturating at float32's max where torch's is ∞ (p below 1e-43, p = 0 and 1). p = 0 → −∞, 1 → ∞, outside [0, 1] NaN.
 */
const ndtri = unary(
  'ndtri',
  [0],
  (b, p0) => {
    const s = (v: number) => b.scalar(v);
    const where = (c: typeof p0, t: typeof p0, f: typeof p0) => b.op('where', [c, t, f]);
    const p = b.detach(p0);
    const low = b.op('lt', [p, s(0.25)]);
    const centre = b.op('mul', [b.op('erfinv', [b.op('sub', [b.op('mul', [where(low, s(0.5), p), s(2)]), s(1)])]), s(Math.SQRT2)]);
    const lowPositive = b.op('mul', [low, b.op('gt', [p, s(0)])]);
    const pl = where(lowPositive, p, s(0.125));
    const logP = b.op('log', [pl]);
    const t = b.op('sqrt', [b.op('mul', [logP, s(-2)])]);
    let x = b.op('sub', [b.op('div', [horner(b, AS_C, t), horner(b, AS_D, t)]), t]);
    const ratio = (x: typeof p0) => b.op('mul', [erfcxOf(b, b.op('mul', [x, s(-Math.SQRT1_2)])), s(Math.sqrt(Math.PI / 2))]);
    for (let k = 0; k < NDTRI_NEWTON_STEPS; k++) x = b.op('sub', [x, b.op('mul', [b.op('sub', [logNdtrOf(b, x), logP]), ratio(x)])]);
    const value = where(low, where(b.op('eq', [p, s(0)]), s(-Infinity), x), centre);
    const outside = b.op('maximum', [b.op('lt', [p, s(0)]), b.op('gt', [p, s(1)])]);
    const xd = where(outside, s(NaN), value);
    // 1/φ(x): below p = 1/4 as (Φ/φ)(x)/p, which the rounding of x hardly moves (e^(x²/2) would carry
    // it times x: 1e-5 at p = 1e-30); above as e^(x²/2)·√(2π) by expSquare, x clamped short of its
    // overflow (p = 1). Kept below float32's max, so that (p − p̂)·slope stays 0.
    const xc = b.op('minimum', [b.op('maximum', [xd, s(-NDTRI_SLOPE_MAX)]), s(NDTRI_SLOPE_MAX)]);
    const viaExp = b.op('mul', [expSquare(b, xc, 0.5), s(Math.sqrt(2 * Math.PI))]);
    const slope = b.op('minimum', [where(lowPositive, b.op('div', [ratio(x), pl]), viaExp), s(F32_MAX)]);
    return b.op('add', [xd, b.op('mul', [b.op('sub', [p0, p]), slope])]);
  },
  'Φ⁻¹(p), the standard normal quantile; −∞ at 0, ∞ at 1, NaN outside [0, 1]; gradient √(2π)·e^(x²/2)',
  unaryCases('unit', [
    [1e-12, 0.3],
    [0.7, 0.9999999],
  ]),
);

/**
 * −x·log x: 0 at 0, −∞ below (and at +∞), NaN at NaN (torch.special.entr). A kernel
 * (assembly/kernels/math.ts, float64 inside), not a composite, for PyTorch's gradient −(1 + log x)
 * everywhere: ∞ at 0 (where a composite's value would be 0·∞), NaN below, −∞ at +∞.
 */
const entr = kernelUnary('entr', {
  module: 'math',
  costly: true,
  f: (x) => (Number.isNaN(x) ? x : x > 0 ? -x * Math.log(x) : x === 0 ? 0 : -Infinity),
  df: (x) => -(1 + Math.log(x)),
  dg: (b, g, x) => b.op('mul', [g, b.op('neg', [b.op('add', [b.op('log', [x]), b.scalar(1)])])]),
  doc: "−x·log x; 0 at 0, −∞ for x < 0; gradient −(log x + 1) (PyTorch's: ∞ at 0, NaN below)",
  tests: {
    variants: [
      { attrs: {}, domain: 'positive' },
      { attrs: {}, domain: [0.01, 40] },
    ],
  },
});

/** x·log1p(y), 0 where x = 0 unless y is NaN (torch.special.xlog1py): xlogy's kernel with log1p. */
const xlog1py = xlogKernel(
  'xlog1py',
  'log1p',
  -1,
  'x·log1p(y), 0 where x = 0 (unless y is NaN); broadcasting; gradients log1p(y) (0 where x = 0 and y ≤ −1) and x/(1 + y), as PyTorch',
);

// ---- modified Bessel functions of the first kind ---------------------------------------------------
const I_SWITCH = 10;
/** The largest float32 whose eˣ is finite in float32 (e^88.72283935546875 is above its max). */
const EXP_MAX = 88.72283172607422;
const I_SERIES_TERMS = 17;
const I_ASYMPTOTIC_TERMS = 10;
/** 1/(k!·(k + ν)!), k < 17: I_ν's power series in t = x²/4 (all terms positive, so Horner does not cancel). */
const iSeries = (nu: number) => Array.from({ length: I_SERIES_TERMS }, (_, k) => 1 / (factorial(k) * factorial(k + nu)));
export const factorial = (n: number): number => (n < 2 ? 1 : n * factorial(n - 1));
/** (−1)ᵏ·Πⱼ₌₁ᵏ (4ν² − (2j − 1)²)/(k!·8ᵏ), k < 10: the asymptotic series of I_ν(x)·√(2πx)/eˣ in 1/x (next term below 3e-8 from x = 10). */
const iAsymptotic = (nu: number) =>
  Array.from({ length: I_ASYMPTOTIC_TERMS - 1 }, (_, k) => k + 1).reduce<number[]>(
    (a, k) => [...a, (a[k - 1] * -(4 * nu * nu - (2 * k - 1) ** 2)) / (8 * k)],
    [1],
  );

/**
 * I_ν(x) for ν = 0, 1, or e^(−|x|)·I_ν(x) when scaled. |x| < 10: (x/2)^ν·Σ (x²/4)ᵏ/(k!(k + ν)!), 17
 * terms (the next is below 5e-10 of the sum); |x| ≥ 10: e^|x|·(Σ aₖ/|x|ᵏ)/√(2π|x|), 10 terms, odd ν
 * taking x's sign, e^|x| multiplied last (left out when scaled) so that it overflows where torch's
 * does (|x| > 88.72). Neither is torch's Chebyshev form (Cephes' coefficients); measured against torch
 * 1.13 for i0 (bench/special-accuracy.ts): within 6 ulp. Gradients by autodiff through both series.
 */
export function besselI<T>(b: Builder<T>, x: T, nu: 0 | 1, scaled: boolean): T {
  const s = (v: number) => b.scalar(v);
  const where = (c: T, t: T, f: T) => b.op('where', [c, t, f]);
  const ax = b.op('abs', [x]);
  const big = b.op('ge', [ax, s(I_SWITCH)]);
  const xs = where(big, s(0), x);
  let series = horner(b, iSeries(nu), b.op('mul', [b.op('mul', [xs, xs]), s(0.25)]));
  if (nu === 1) series = b.op('mul', [series, b.op('mul', [xs, s(0.5)])]);
  if (scaled) series = b.op('mul', [series, b.op('exp', [b.op('neg', [b.op('abs', [xs])])])]);
  // Past EXP_MAX eˣ overflows float32 and so does torch's I_ν: ∞ there, as e^|x| (whose gradient is ±∞
  // through abs, torch's too; at ±∞ both are NaN). The series' own branch is kept finite there, so that
  // no ∞·0 from its unused gradient (or eˣ·tail' = −∞ against +∞) turns the gradient into NaN.
  const over = scaled ? s(0) : b.op('gt', [ax, s(EXP_MAX)]);
  const xa = where(big, where(over, s(EXP_MAX), ax), s(I_SWITCH));
  // √x·√(2π), not √(2πx): 2πx overflows from x ≈ 5.4e37
  let tail = b.op('div', [horner(b, iAsymptotic(nu), b.op('div', [s(1), xa])), b.op('mul', [b.op('sqrt', [xa]), s(Math.sqrt(2 * Math.PI))])]);
  const sign = nu === 1 ? b.op('sign', [b.detach(x)]) : s(1);
  if (nu === 1) tail = b.op('mul', [tail, sign]);
  const asymptotic = scaled ? tail : b.op('mul', [b.op('exp', [xa]), tail]);
  if (scaled) return where(big, asymptotic, series);
  // ×(1 + 0·|x|) detached: NaN at ±∞ as torch's (its series gives NaN there), 1 elsewhere
  const nanAtInf = b.detach(b.op('add', [b.op('sub', [ax, ax]), s(1)]));
  const huge = b.op('mul', [b.op('mul', [b.op('exp', [where(over, ax, s(0))]), nanAtInf]), sign]);
  return where(over, huge, where(big, asymptotic, series));
}

/** Past |x| = 88.72 the unscaled functions are ∞ in float32 only: their wide case stops short of it. */
const besselCases = (limit: number) =>
  unaryCases('any', [
    [-30, 30],
    [-limit, limit],
  ]);
const i0 = unary(
  'i0',
  [0],
  (b, x) => besselI(b, x, 0, false),
  'modified Bessel function of the first kind, order 0; ∞ past |x| = 88.72 as torch; gradient I₁',
  besselCases(80),
);
const i0e = unary(
  'i0e',
  [0],
  (b, x) => besselI(b, x, 0, true),
  'e^(−|x|)·I₀(x), the exponentially scaled I₀; gradient i1e(x) − sign(x)·i0e(x)',
  besselCases(200),
);
const i1 = unary(
  'i1',
  [0],
  (b, x) => besselI(b, x, 1, false),
  'modified Bessel function of the first kind, order 1; ±∞ past |x| = 88.72 as torch; gradient I₀(x) − I₁(x)/x',
  besselCases(80),
);
const i1e = unary(
  'i1e',
  [0],
  (b, x) => besselI(b, x, 1, true),
  'e^(−|x|)·I₁(x), the exponentially scaled I₁; gradient i0e(x) − i1e(x)·(sign(x) + 1/x)',
  besselCases(200),
);

export const SPECIAL_OPS = defineOps(erfcx, ndtr, logNdtr, ndtri, entr, xlog1py, i0, i0e, i1, i1e);
