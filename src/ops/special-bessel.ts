/**
 * torch.special's Bessel and Airy functions new in 1.13 (bessel_j0/j1/y0/y1, modified_bessel_i0/i1/k0/k1,
 * scaled_modified_bessel_k0/k1, airy_ai, spherical_bessel_j0), as composites. torch 1.13 gives them no
 * derivative (their results do not require a gradient): the input is detached. Each smooth piece is a
 * Chebyshev series fitted here (numpy's chebinterpolate of the float64 function from scipy and mpmath,
 * truncated where the tail's coefficients sum below 1e-9) and summed by Clenshaw's recurrence, whose
 * float32 rounding stays near 2⁻²⁴·Σ|cₖ| (Σ|cₖ| ≤ 1.7 here): absolute accuracy, relative away from the
 * zeros. The oscillating tails take cos x and sin x of the float32 x itself (the kernels reduce it in
 * float64): cos(x − π/4) = (cos x + sin x)/√2, never x − π/4 rounded in float32.
 */
import { besselI, TILE, unaryCases } from './special.js';
import { defineOps, keepShape, type Builder, type CompositeDef, type TestCase } from './types.js';

/** c₀ + c₁T₁(t) + … by Clenshaw's recurrence. */
function chebyshev<T>(b: Builder<T>, c: readonly number[], t: T): T {
  const t2 = b.op('mul', [t, b.scalar(2)]);
  let [b1, b2] = [b.scalar(0), b.scalar(0)];
  for (let k = c.length - 1; k >= 1; k--) [b1, b2] = [b.op('add', [b.op('sub', [b.op('mul', [t2, b1]), b2]), b.scalar(c[k])]), b1];
  return b.op('add', [b.op('sub', [b.op('mul', [t, b1]), b2]), b.scalar(c[0])]);
}

// |x| ≤ 8, t = x²/32 − 1: J₀(x); J₁(x)/x; Y₀(x) − (2/π)·log x·J₀(x); (Y₁(x) − (2/π)(J₁(x)·log x − 1/x))/x
const J0_SMALL = [
  0.1577279715, -0.008723442353, 0.2651786132, -0.3700949939, 0.1580671023, -0.03489376941, 0.004819180069, -0.0004606261662, 3.246032882e-5, -1.761946908e-6,
  7.60816355e-8, -2.679253261e-9,
];
const J1_SMALL = [
  0.08104484633, -0.1489751451, 0.1609992624, -0.08268049177, 0.02221363965, -0.003646940601, 0.0004050337728, -3.255554867e-5, 1.985877405e-6, -9.52198474e-8,
  3.687133541e-9, -1.178024479e-10,
];
const Y0_SMALL = [
  -0.0331461132, -0.2744743055, 0.1790343141, 0.2615673463, -0.1773020128, 0.0471966896, -0.00728796248, 0.0007531135933, -5.632079141e-5, 3.206532538e-6,
  -1.440723327e-7, 5.24879483e-9,
];
const Y1_SMALL = [
  0.002538013236, -0.01608717305, -0.09591204536, 0.0844519726, -0.02832812394, 0.005289897544, -0.0006414551451, 5.505982873e-5, -3.538080019e-6,
  1.770780457e-7, -7.110550087e-9,
];
// |x| > 8, t = 2·64/x² − 1: Hankel's Pₙ and Qₙ·x/8 in Jₙ = √(2/(πx))·(Pₙ cos χ − Qₙ sin χ), Yₙ = √(2/(πx))·(Pₙ sin χ + Qₙ cos χ), χ = x − (2n + 1)π/4
const P0 = [0.9994603493, -0.0005365220468, 3.075184787e-6, -5.170594539e-8, 1.630646242e-9];
const Q0 = [-0.01555585461, 6.838519943e-5, -7.414498411e-7, 1.797245725e-8, -7.271915905e-10];
const P1 = [1.000903041, 0.0008989898331, -3.987284301e-6, 6.177633963e-8, -1.871890972e-9];
const Q1 = [0.04677778707, -9.627723549e-5, 9.138615258e-7, -2.095978139e-8, 8.229193214e-10];
// x ≤ 2, t = x²/2 − 1: K₀(x) + log x·I₀(x); (K₁(x) − log x·I₁(x) − 1/x)/x (used below x = 1)
const K0_SMALL = [0.8433977276, 0.7870789909, 0.0615257786, 0.001945894614, 3.32479987e-5, 3.556382515e-7, 2.605620494e-9];
const K1_SMALL = [-0.5089237845, -0.2114356598, -0.01072557531, -0.0002513233587, -3.411200252e-6, -3.026704425e-8, -1.894569376e-10];
// x > 1, t = 2/x − 1: Kₙ(x)·eˣ·√x
const K0_LARGE = [
  1.194433076, -0.05385532331, 0.004362000068, -0.000552127035, 8.959565556e-5, -1.713872686e-5, 3.695146089e-6, -8.737284519e-7, 2.225046275e-7,
  -6.025216748e-8, 1.718666896e-8, -5.127205918e-9, 1.590734952e-9, -5.109582209e-10,
];
const K1_LARGE = [
  1.453275668, 0.190513502, -0.00840670646, 0.0008815363165, -0.0001299957696, 2.344163898e-5, -4.853489414e-6, 1.113996951e-6, -2.772707641e-7, 7.372471848e-8,
  -2.071789167e-8, 6.103966662e-9, -1.873778943e-9, 5.963885929e-10,
];
// −2.5 ≤ x ≤ 1, t = (x + 0.75)/1.75: Ai(x)
const AI_MID = [
  0.2498926371, 0.06128657071, -0.2547405205, 0.07372285135, 0.01489731679, -0.01160168323, 0.001592172479, 0.0003889913914, -0.0001618836534, 1.307573696e-5,
  3.901884956e-6, -1.084788656e-6, 5.439422782e-8, 2.070859328e-8, -4.256430551e-9,
];
// x > 1, ζ = (2/3)x^(3/2), t = (4/3)/ζ − 1: Ai(x)·2√π·x^(1/4)·e^ζ
const AI_POS = [
  0.963768361, -0.03241600019, 0.003194123961, -0.000494225405, 9.706517942e-5, -2.224444511e-5, 5.694838989e-6, -1.586839706e-6, 4.731160989e-7,
  -1.491467906e-7, 4.928201014e-8, -1.69559496e-8, 6.043323285e-9, -2.222086354e-9, 8.400786056e-10, -3.256487446e-10,
];
// x = −z < −2.5, ζ = (2/3)z^(3/2), t = 2ζ₂/ζ − 1 (ζ₂ = ζ at z = 2.5): with Ai(−z) = M sin φ, Bi(−z) = M cos φ,
// M·√π·z^(1/4) and (φ − ζ − π/4)·ζ
const AI_NEG_M = [
  0.9983405498, -0.002162927486, -0.0004703022279, 3.456783521e-5, 7.036750959e-7, -6.001324507e-7, 8.979185134e-8, -2.474250124e-9, -2.398350708e-9,
  7.477819869e-10,
];
const AI_NEG_D = [
  -0.06790451801, 0.001970836622, 0.0003783686243, -5.273690545e-5, 1.060484631e-6, 1.001065416e-6, -2.39380922e-7, 2.219342654e-8, 3.994356316e-9,
  -2.270219469e-9, 5.285031007e-10,
];
const AI_NEG_FROM = 2.5;
const ZETA_2 = (2 / 3) * AI_NEG_FROM ** 1.5;

type Op = <T>(b: Builder<T>, x: T) => T;

const noGrad = <N extends string>(name: N, f: Op, doc: string, cases: TestCase[]): CompositeDef<Record<string, never>, N> => ({
  kind: 'composite',
  name,
  arity: 1,
  gradInputs: [],
  doc: `${doc}; no gradient (as torch 1.13)`,
  plan: keepShape,
  compose: (b, [x]) => f(b, b.detach(x)),
  tests: { cases },
});

/** The pieces x ↦ value of a function of x ≥ 0 split at `at`: each evaluated on x clamped to its side. */
function split<T>(b: Builder<T>, x: T, at: number, below: (x: T) => T, above: (x: T) => T): T {
  const low = b.op('le', [x, b.scalar(at)]);
  return b.op('where', [low, below(b.op('where', [low, x, b.scalar(at)])), above(b.op('where', [low, b.scalar(at), x]))]);
}

/**
 * Jₙ (sign: |x| and the sign of odd n applied by the caller) or Yₙ of x > 0: the small series, or
 * Hankel's form (cos x ± sin x)/√(πx) with its P, Q.
 */
function besselJY<T>(b: Builder<T>, x: T, n: 0 | 1, kind: 'J' | 'Y'): T {
  const s = (v: number) => b.scalar(v);
  const small = (xs: T) => {
    const t = b.op('sub', [b.op('mul', [b.op('mul', [xs, xs]), s(1 / 32)]), s(1)]);
    const j = n === 0 ? chebyshev(b, J0_SMALL, t) : b.op('mul', [xs, chebyshev(b, J1_SMALL, t)]);
    if (kind === 'J') return j;
    const log = b.op('mul', [b.op('log', [xs]), s(2 / Math.PI)]);
    if (n === 0) return b.op('add', [b.op('mul', [log, j]), chebyshev(b, Y0_SMALL, t)]);
    const singular = b.op('sub', [b.op('mul', [log, j]), b.op('div', [s(2 / Math.PI), xs])]);
    return b.op('add', [singular, b.op('mul', [xs, chebyshev(b, Y1_SMALL, t)])]);
  };
  const large = (xl: T) => {
    const t = b.op('sub', [b.op('div', [s(128), b.op('mul', [xl, xl])]), s(1)]);
    const p = chebyshev(b, n === 0 ? P0 : P1, t);
    const q = b.op('div', [b.op('mul', [chebyshev(b, n === 0 ? Q0 : Q1, t), s(8)]), xl]);
    const [c, sn] = [b.op('cos', [xl]), b.op('sin', [xl])];
    const [plus, minus] = [b.op('add', [c, sn]), b.op('sub', [sn, c])];
    // √2·(cos χ, sin χ) = (c + s, s − c) for n = 0 and (s − c, −(c + s)) for n = 1
    const [cosChi, sinChi] = n === 0 ? [plus, minus] : [minus, b.op('neg', [plus])];
    const mix =
      kind === 'J' ? b.op('sub', [b.op('mul', [p, cosChi]), b.op('mul', [q, sinChi])]) : b.op('add', [b.op('mul', [p, sinChi]), b.op('mul', [q, cosChi])]);
    return b.op('div', [mix, b.op('sqrt', [b.op('mul', [xl, s(Math.PI)])])]);
  };
  return split(b, x, 8, small, large);
}

/** Yₙ: NaN below 0, −∞ at 0 (the series' log and 1/x give it: kept explicit). */
const besselY =
  (n: 0 | 1): Op =>
  (b, x) => {
    const s = (v: number) => b.scalar(v);
    const positive = b.op('gt', [x, s(0)]);
    const y = besselJY(b, b.op('where', [positive, x, s(1)]), n, 'Y');
    return b.op('where', [positive, y, b.op('where', [b.op('eq', [x, s(0)]), s(-Infinity), s(NaN)])]);
  };

/**
 * Kₙ(x), or Kₙ(x)·eˣ when scaled: x ≤ 1 the log-singular series with I_ν (its terms cancel more the
 * closer x gets to 2: switching at 1 keeps that within a factor 3), above Kₙ·eˣ·√x. ∞ at 0, NaN below.
 */
const besselK =
  (n: 0 | 1, scaled: boolean): Op =>
  (b, x) => {
    const s = (v: number) => b.scalar(v);
    const positive = b.op('gt', [x, s(0)]);
    const xp = b.op('where', [positive, x, s(1)]);
    const value = split(
      b,
      xp,
      1,
      (xs) => {
        const t = b.op('sub', [b.op('mul', [b.op('mul', [xs, xs]), s(0.5)]), s(1)]);
        const log = b.op('log', [xs]);
        const k =
          n === 0
            ? b.op('sub', [chebyshev(b, K0_SMALL, t), b.op('mul', [log, besselI(b, xs, 0, false)])])
            : b.op('add', [b.op('add', [b.op('mul', [log, besselI(b, xs, 1, false)]), b.op('div', [s(1), xs])]), b.op('mul', [xs, chebyshev(b, K1_SMALL, t)])]);
        return scaled ? b.op('mul', [k, b.op('exp', [xs])]) : k;
      },
      (xl) => {
        const g = b.op('div', [chebyshev(b, n === 0 ? K0_LARGE : K1_LARGE, b.op('sub', [b.op('div', [s(2), xl]), s(1)])), b.op('sqrt', [xl])]);
        return scaled ? g : b.op('mul', [g, b.op('exp', [b.op('neg', [xl])])]);
      },
    );
    return b.op('where', [positive, value, b.op('where', [b.op('eq', [x, s(0)]), s(Infinity), s(NaN)])]);
  };

/** Jₙ of |x| (even J₀, odd J₁); NaN at ±∞ as torch's (cos ∞ is NaN). */
const besselJ =
  (n: 0 | 1): Op =>
  (b, x) => {
    const j = besselJY(b, b.op('abs', [x]), n, 'J');
    return n === 0 ? j : b.op('mul', [j, b.op('sign', [x])]);
  };

/**
 * Ai(x): [−2.5, 1] one Chebyshev series; x > 1 e^(−ζ)/(2√π·x^(1/4)) times a series in 1/ζ, ζ = (2/3)x^(3/2)
 * (0 once e^(−ζ) underflows); x < −2.5 the modulus and phase, M·sin(ζ + π/4 + δ) = M·(sin(ζ + δ) +
 * cos(ζ + δ))/√2, whose ζ rounds in float32 as torch's does (an absolute phase error of ulp(ζ)). ±∞ give
 * NaN, as torch 1.13.
 */
const airy: Op = (b, x) => {
  const s = (v: number) => b.scalar(v);
  const where = (c: typeof x, t: typeof x, f: typeof x) => b.op('where', [c, t, f]);
  const zetaOf = (z: typeof x) => b.op('mul', [b.op('mul', [z, b.op('sqrt', [z])]), s(2 / 3)]);
  const quarter = (z: typeof x) => b.op('sqrt', [b.op('sqrt', [z])]);
  const neg = b.op('lt', [x, s(-AI_NEG_FROM)]);
  const pos = b.op('gt', [x, s(1)]);
  const xm = where(b.op('maximum', [neg, pos]), s(0), x);
  const mid = chebyshev(b, AI_MID, b.op('mul', [b.op('add', [xm, s(0.75)]), s(1 / 1.75)]));
  // x > 1 (∞ stands in by 2: NaN there, as torch's)
  const xp = where(b.op('mul', [pos, b.op('lt', [x, s(Infinity)])]), x, s(2));
  const zp = zetaOf(xp);
  const g = chebyshev(b, AI_POS, b.op('sub', [b.op('div', [s(4 / 3), zp]), s(1)]));
  const right = b.op('div', [b.op('mul', [g, b.op('exp', [b.op('neg', [zp])])]), b.op('mul', [quarter(xp), s(2 * Math.sqrt(Math.PI))])]);
  // x < −2.5
  const z = b.op('neg', [where(neg, x, s(-3))]);
  const zn = zetaOf(z);
  const t = b.op('sub', [b.op('div', [s(2 * ZETA_2), zn]), s(1)]);
  const m = b.op('div', [chebyshev(b, AI_NEG_M, t), b.op('mul', [quarter(z), s(Math.sqrt(Math.PI))])]);
  const phase = b.op('add', [zn, b.op('div', [chebyshev(b, AI_NEG_D, t), zn])]);
  const left = b.op('mul', [b.op('mul', [m, b.op('add', [b.op('sin', [phase]), b.op('cos', [phase])])]), s(Math.SQRT1_2)]);
  return where(b.op('isinf', [x]), s(NaN), where(neg, left, where(pos, right, mid)));
};

const SINC_SERIES_BELOW = 0.5;
/** sin x/x; below |x| = 1/2 its series 1 − x²/6 + x⁴/120 − x⁶/5040 + x⁸/362880 (next term below 3e-11); 0 at ±∞. */
const sphericalJ0: Op = (b, x) => {
  const s = (v: number) => b.scalar(v);
  const ax = b.op('abs', [x]);
  const near = b.op('lt', [ax, s(SINC_SERIES_BELOW)]);
  const xs = b.op('where', [near, x, s(0)]);
  const x2 = b.op('mul', [xs, xs]);
  const series = [1 / 362880, -1 / 5040, 1 / 120, -1 / 6, 1].reduce((p, c) => b.op('add', [b.op('mul', [p, x2]), s(c)]), s(0));
  const xf = b.op('where', [b.op('maximum', [near, b.op('eq', [ax, s(Infinity)])]), s(1), x]);
  const quotient = b.op('div', [b.op('sin', [xf]), xf]);
  return b.op('where', [near, series, b.op('where', [b.op('eq', [ax, s(Infinity)]), s(0), quotient])]);
};

const wide = (limit: number, positive = false) => unaryCases(positive ? 'positive' : 'any', [[positive ? 0.01 : -limit, limit]]);

export const SPECIAL_BESSEL_OPS = defineOps(
  noGrad('besselJ0', besselJ(0), 'the Bessel function of the first kind J₀', [
    ...wide(40),
    { inputs: [{ shape: [TILE + 1], domain: [6, 10] }], name: 'x ∈ [6, 10]' },
  ]),
  noGrad('besselJ1', besselJ(1), 'the Bessel function of the first kind J₁', wide(40)),
  noGrad('besselY0', besselY(0), 'the Bessel function of the second kind Y₀ (NaN below 0, −∞ at 0)', wide(40, true)),
  noGrad('besselY1', besselY(1), 'the Bessel function of the second kind Y₁ (NaN below 0, −∞ at 0)', wide(40, true)),
  noGrad('modifiedBesselI0', (b, x) => besselI(b, x, 0, false), 'the modified Bessel function of the first kind I₀ (as i0)', wide(80)),
  noGrad('modifiedBesselI1', (b, x) => besselI(b, x, 1, false), 'the modified Bessel function of the first kind I₁ (as special.i1)', wide(80)),
  noGrad('modifiedBesselK0', besselK(0, false), 'the modified Bessel function of the second kind K₀ (∞ at 0, NaN below)', wide(80, true)),
  noGrad('modifiedBesselK1', besselK(1, false), 'the modified Bessel function of the second kind K₁ (∞ at 0, NaN below)', wide(80, true)),
  noGrad('scaledModifiedBesselK0', besselK(0, true), 'eˣ·K₀(x)', wide(200, true)),
  noGrad('scaledModifiedBesselK1', besselK(1, true), 'eˣ·K₁(x)', wide(200, true)),
  noGrad('airyAi', airy, 'the Airy function Ai', wide(30)),
  noGrad('sphericalBesselJ0', sphericalJ0, 'the spherical Bessel function of the first kind j₀(x) = sin x/x', wide(100)),
);
