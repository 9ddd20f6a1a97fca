/**
 * torch.special's gamma-family functions of two arguments, as composites: Hurwitz's zeta and the
 * regularized incomplete gamma functions (torch.igamma/igammac = special.gammainc/gammaincc). torch
 * 1.13 has a derivative for the second argument only; the first is detached here (the public
 * functions, src/api/special.ts, refuse it when it requires a gradient).
 */
import { broadcastShapes } from './broadcast.js';
import { arange } from './loss.js';
import { reshape } from './shape.js';
import { horner } from './parity-math.js';
import { TILE, binaryCases, factorial } from './special.js';
import { defineOps, type Builder, type CompositeDef, type Meta } from './types.js';

const planPair = (name: string) => (ins: readonly Meta[]) => ({
  shape: broadcastShapes(
    name,
    ins.map((m) => m.shape),
  ),
});
/** t with a trailing axis of 1, broadcasting against a trailing axis of terms. */
const trailing = <T>(b: Builder<T>, t: T): T => reshape(b, t, [...b.shape(t), 1]);

// ---- Hurwitz zeta -----------------------------------------------------------------------------------
const ZETA_DIRECT = 9;
/** B₂ⱼ/(2j)!, j = 1..12: the Euler–Maclaurin correction's coefficients. */
const EM = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730].map(
  (B, j) => B / factorial(2 * j + 2),
);

/**
 * ζ(x, q) for q > 0 (Hurwitz; x > 1), as Cephes (torch's): the first 9 terms summed along a trailing
 * axis, then at a = q + 9 Euler–Maclaurin: a¹⁻ˣ/(x − 1) + a⁻ˣ/2 + Σⱼ B₂ⱼ/(2j)!·x(x+1)…(x+2j−2)·a^(−x−2j+1),
 * 12 terms. xs and q broadcast against each other.
 */
function hurwitzSeries<T>(b: Builder<T>, xs: T, q: T): T {
  const s = (v: number) => b.scalar(v);
  const negX = b.op('neg', [xs]);
  // (q + k)^(−x) along a trailing axis of the 9 shifts
  const head = b.op('sumDims', [b.op('powTensor', [b.op('add', [trailing(b, q), arange(b, ZETA_DIRECT)]), trailing(b, negX)])], { dim: -1 });
  const a = b.op('add', [q, s(ZETA_DIRECT)]);
  const aPow = b.op('powTensor', [a, negX]);
  let tail = b.op('add', [b.op('div', [b.op('mul', [aPow, a]), b.op('sub', [xs, s(1)])]), b.op('mul', [aPow, s(0.5)])]);
  // x(x+1)…(x+2j−2)·a^(−x−2j+1), grown by (x+2j−1)(x+2j)/a² from j to j + 1
  let rising = b.op('div', [b.op('mul', [xs, aPow]), a]);
  const a2 = b.op('mul', [a, a]);
  EM.forEach((c, j) => {
    if (j > 0) rising = b.op('div', [b.op('mul', [rising, b.op('mul', [b.op('add', [xs, s(2 * j - 1)]), b.op('add', [xs, s(2 * j)])])]), a2]);
    tail = b.op('add', [tail, b.op('mul', [rising, s(c)])]);
  });
  return b.op('add', [head, tail]);
}

/**
 * ζ(x, q) = Σₖ (q + k)⁻ˣ (Hurwitz): x = 1 → ∞, x < 1 → NaN; q ≤ 0: ∞ at integers, NaN when x is
 * not an integer. For q < 0 with an integer x torch sums on until q + k > 9; here the terms with
 * q + k < 0 are gathered into two series at positive arguments, with r = q − ⌊q⌋ ∈ (0, 1):
 * Σ_{k<−⌊q⌋} (q + k)⁻ˣ = (−1)ˣ Σ_{j=1}^{−⌊q⌋} (j − r)⁻ˣ = (−1)ˣ(ζ(x, 1 − r) − ζ(x, 1 − q)), so
 * ζ(x, q) = ζ(x, r) + (−1)ˣ(ζ(x, 1 − r) − ζ(x, 1 − q)), for any q (torch's loop has as many terms as
 * −q). The three arguments go through one series along a trailing axis of 3 (elsewhere the second and
 * third are 1, and their difference 0). Gradient for q only (torch's −x·ζ(x + 1, q)), by autodiff
 * (the same identity holds for it); x is detached (torch has no derivative for it).
 */
const zeta: CompositeDef<Record<string, never>, 'zeta'> = {
  kind: 'composite',
  name: 'zeta',
  arity: 2,
  gradInputs: [1],
  doc: 'the Hurwitz zeta function ζ(x, q) = Σₖ (q + k)^(−x); broadcasting; gradient −x·ζ(x + 1, q) for q, none for x',
  plan: planPair('zeta'),
  compose: (b, [x0, q]) => {
    const s = (v: number) => b.scalar(v);
    const where = (c: typeof q, t: typeof q, f: typeof q) => b.op('where', [c, t, f]);
    const x = b.detach(x0);
    const integer = (t: typeof q) => b.op('eq', [b.op('floor', [t]), t]);
    const bad = b.op('le', [q, s(0)]);
    const intQ = integer(q);
    // q < 0, not an integer, with a finite integer x: the reflected sum (torch's NaN for x not an integer)
    const shifted = b.op('mul', [b.op('mul', [bad, b.op('sub', [s(1), intQ])]), b.op('mul', [integer(x), b.op('isfinite', [x])])]);
    const r = b.op('sub', [q, b.op('floor', [q])]);
    const one = s(1);
    const args = [where(shifted, r, where(bad, one, q)), where(shifted, b.op('sub', [one, r]), one), where(shifted, b.op('sub', [one, q]), one)];
    const xs = where(b.op('gt', [x, one]), x, s(2));
    const series = hurwitzSeries(
      b,
      trailing(b, xs),
      b.op(
        'cat',
        args.map((t) => trailing(b, t)),
        { dim: -1 },
      ),
    );
    // weights (1, ±1, ∓1) on the three: (−1)ˣ for the shifted elements, 0 elsewhere (exactly ζ(x, q) + 0 − 0)
    const sign = where(shifted, b.op('sub', [one, b.op('mul', [b.op('remainder', [x, s(2)]), s(2)])]), s(0));
    const k = arange(b, 3);
    const weights = b.op('add', [b.op('eq', [k, s(0)]), b.op('mul', [trailing(b, sign), b.op('sub', [b.op('eq', [k, one]), b.op('eq', [k, s(2)])])])]);
    const value = b.op('sumDims', [b.op('mul', [series, weights])], { dim: -1 });
    const nonPositive = where(intQ, s(Infinity), s(NaN));
    return where(
      b.op('eq', [x, one]),
      s(Infinity),
      where(b.op('lt', [x, one]), s(NaN), where(b.op('sub', [bad, shifted]), nonPositive, where(b.op('isnan', [x]), s(NaN), value))),
    );
  },
  tests: {
    cases: [
      ...binaryCases([[1.2, 6], 'positive']),
      {
        inputs: [
          { shape: [TILE + 1], domain: [1.01, 30] },
          { shape: [TILE + 1], domain: [0.05, 50] },
        ],
        name: 'wide',
      },
    ],
  },
};

// ---- the regularized incomplete gamma functions ------------------------------------------------------
const SERIES_TERMS = 64;
const FRACTION_TERMS = 40;
const Q_SERIES_TERMS = 20; // x ≤ 1.1: the next term 1.1²¹/21! is below 1e-19
/** log Γ(1 + a) = −γa + Σₖ₌₂ (−1)ᵏ ζ(k)/k·aᵏ: these coefficients of a, a², …, a²⁶ (1.9e-10 on [0, 1/2]). */
const LGAMMA_1P = [
  -0.57721566490153287, 0.8224670334241132, -0.40068563438653143, 0.27058080842778454, -0.20738555102867398, 0.16955717699740819, -0.14404989676884611,
  0.12550966952474304, -0.11133426586956469, 0.10009945751278181, -0.090954017145829041, 0.083353840546109004, -0.076932516411352195, 0.07143294629536133,
  -0.066668705882420465, 0.062500955141213038, -0.058823978658684585, 0.055555767627403614, -0.052631679379616658, 0.050000047698101693, -0.047619070330142226,
  0.045454556293204669, -0.043478266053040261, 0.041666669150341208, -0.040000001192140137, 0.038461539034675182,
];

/** log Γ(1 + a) for a ≥ 0: its series below 1/2, where 1 + a would round a away (relative 2⁻²⁴/a), lgamma above. */
function lgamma1p<T>(b: Builder<T>, a: T): T {
  const small = b.op('lt', [a, b.scalar(0.5)]);
  const series = b.op('mul', [b.op('where', [small, a, b.scalar(0)]), horner(b, LGAMMA_1P, b.op('where', [small, a, b.scalar(0)]))]);
  return b.op('where', [small, series, b.op('lgamma', [b.op('add', [b.op('where', [small, b.scalar(1), a]), b.scalar(1)])])]);
}

/**
 * Q(a, x) for x ≤ 1.1 where a is small against x (Cephes' igamc_series, torch's region: x ≤ 1/2 with
 * a ≤ −0.4/log x, or x ≤ 1.1 with a ≤ 1.1·x), as Q = −expm1(e) − a·eᵉ·Σₙ₌₁ (−x)ⁿ/(n!(a + n)),
 * e = a·log x − log Γ(1 + a): relative accuracy where Q ≪ 1 (1 − P would leave only absolute).
 * Returns the region's mask and the values (computed on stand-ins outside it).
 */
function upperSeries<T>(b: Builder<T>, a: T, x: T): [T, T] {
  const s = (v: number) => b.scalar(v);
  const logX = b.op('log', [x]);
  const small = b.op('le', [x, s(0.5)]);
  const limit = b.op('where', [small, b.op('div', [s(-0.4), b.op('where', [small, logX, s(-1)])]), b.op('mul', [x, s(1.1)])]);
  const region = b.op('mul', [b.op('le', [x, s(1.1)]), b.op('le', [a, limit])]);
  const [aq, xq] = [b.op('where', [region, a, s(0.5)]), b.op('where', [region, x, s(0.5)])];
  const n = b.op('add', [arange(b, Q_SERIES_TERMS), s(1)]);
  const powers = b.op('cumprod', [b.op('div', [b.op('neg', [trailing(b, xq)]), n])], { dim: -1 }); // (−x)ⁿ/n!
  const sum = b.op('sumDims', [b.op('div', [powers, b.op('add', [trailing(b, aq), n])])], { dim: -1 });
  const e = b.op('sub', [b.op('mul', [aq, b.op('log', [xq])]), lgamma1p(b, aq)]);
  const q = b.op('sub', [b.op('neg', [b.op('expm1', [e])]), b.op('mul', [b.op('mul', [aq, b.op('exp', [e])]), sum])]);
  return [region, q];
}

export interface IgammaAttrs {
  /** Q(a, x) = Γ(a, x)/Γ(a) (igammac) rather than P(a, x) = γ(a, x)/Γ(a) (igamma). */
  upper: boolean;
}

const STIRLING_FROM = 10;
/**
 * log(xᵃe⁻ˣ/Γ(a)). Below a = 10 directly, a·log x − x − log Γ(a). From 10 as
 * a·(log1p(u) − u) + (a·log a − a − log Γ(a)), u = (x − a)/a, the bracket by Stirling's series
 * ½·log(a/2π) − 1/(12a) + 1/(360a³) − 1/(1260a⁵) (next term below 1e-10): the direct form subtracts
 * terms of size a·log x and rounds away 2⁻²⁴·a·log x (3e-5 relative at x = a = 100), this one the
 * much smaller a·|u|·2⁻²⁴ near x = a where the function is not tiny.
 */
function logPrefactor<T>(b: Builder<T>, a: T, x: T): T {
  const s = (v: number) => b.scalar(v);
  const direct = b.op('sub', [b.op('sub', [b.op('mul', [a, b.op('log', [x])]), x]), b.op('lgamma', [a])]);
  const large = b.op('ge', [a, s(STIRLING_FROM)]);
  const al = b.op('where', [large, a, s(STIRLING_FROM)]);
  const u = b.op('div', [b.op('sub', [x, al]), al]);
  const inv = b.op('div', [s(1), al]);
  const inv2 = b.op('mul', [inv, inv]);
  const series = b.op('mul', [inv, b.op('add', [s(-1 / 12), b.op('mul', [inv2, b.op('add', [s(1 / 360), b.op('mul', [inv2, s(-1 / 1260)])])])])]);
  const bracket = b.op('add', [b.op('mul', [b.op('log', [b.op('mul', [al, s(1 / (2 * Math.PI))])]), s(0.5)]), series]);
  const stirling = b.op('add', [b.op('mul', [al, b.op('sub', [b.op('log1p', [u]), u])]), bracket]);
  return b.op('where', [large, stirling, direct]);
}

// ---- Temme's uniform expansion, large a near x = a ---------------------------------------------------
const TEMME_FROM = 100;
const TEMME_RATIO = 0.3; // |x − a| < 0.3·a: |η| ≤ 0.34
/** 2(σ − log1p σ)/σ² = Σⱼ 2(−σ)ʲ/(j + 2): η² without the cancellation of σ − log1p σ (|σ| < 0.3: 16 terms to 2e-9). */
const ETA2_SERIES = Array.from({ length: 16 }, (_, j) => (2 * (-1) ** j) / (j + 2));
/**
 * Cₖ(η) = Σₙ dₖₙ ηⁿ, k = 0..3, of Temme's expansion (below), derived here: with μ = λ − 1 the series
 * solving η²/2 = μ − log(1 + μ) (sign of η that of μ), C₀ = 1/μ − 1/η and Cₖ = Cₖ₋₁′/η − c/μ, c the
 * η¹ coefficient of Cₖ₋₁ (which cancels the pole at 0), taken in 50-digit arithmetic. Truncated where
 * the dropped terms are below 3e-9 of the sum for |η| ≤ 0.34 and a ≥ 100 (they agree with Cephes' igam.h).
 */
const TEMME_C = [
  [
    -0.3333333333333333, 0.08333333333333333, -0.014814814814814815, 0.0011574074074074073, 0.0003527336860670194, -0.0001787551440329218, 3.919263178522438e-5,
    -2.185448510679992e-6, -1.85406221071516e-6, 8.296711340953087e-7,
  ],
  [
    -0.001851851851851852, -0.003472222222222222, 0.0026455026455026454, -0.0009902263374485596, 0.00020576131687242798, -4.018775720164609e-7,
    -1.8098550334489977e-5, 7.64916091608111e-6,
  ],
  [0.004133597883597883, -0.0026813271604938273, 0.0007716049382716049, 2.0093878600823047e-6, -0.0001073665322636516, 5.2923448829120125e-5],
  [0.0006494341563786008, 0.00022947209362139917, -0.0004691894943952557],
];

/**
 * P or Q for a > 100 and |x − a| < 0.3·a, by Temme's uniform asymptotic expansion (Cephes'
 * asymptotic_series, torch's for a > 20 there; the series and the fraction converge slowly there):
 * with σ = (x − a)/a, η = σ·√(2(σ − log1p σ)/σ²) and z = η·√(a/2),
 * Q = ½·erfc(z) + e^(−z²)/√(2πa)·Σₖ Cₖ(η)·a⁻ᵏ and P = ½·erfc(−z) − the same sum.
 * Returns the region's mask and the values (computed on the stand-in a = x = 200 outside it).
 */
function temme<T>(b: Builder<T>, a: T, x: T, upper: boolean): [T, T] {
  const s = (v: number) => b.scalar(v);
  const region = b.op('mul', [b.op('gt', [a, s(TEMME_FROM)]), b.op('lt', [b.op('abs', [b.op('sub', [x, a])]), b.op('mul', [a, s(TEMME_RATIO)])])]);
  const [at, xt] = [b.op('where', [region, a, s(200)]), b.op('where', [region, x, s(200)])];
  const sigma = b.op('div', [b.op('sub', [xt, at]), at]);
  const eta = b.op('mul', [sigma, b.op('sqrt', [horner(b, ETA2_SERIES, sigma)])]);
  const z = b.op('mul', [eta, b.op('sqrt', [b.op('mul', [at, s(0.5)])])]);
  const inv = b.op('div', [s(1), at]);
  const sum = TEMME_C.map((c) => horner(b, c, eta)).reduceRight((acc, ck) => b.op('add', [b.op('mul', [acc, inv]), ck]));
  const correction = b.op('div', [b.op('mul', [b.op('exp', [b.op('neg', [b.op('mul', [z, z])])]), sum]), b.op('sqrt', [b.op('mul', [at, s(2 * Math.PI)])])]);
  const half = b.op('mul', [b.op('erfc', [upper ? z : b.op('neg', [z])]), s(0.5)]);
  return [region, b.op(upper ? 'add' : 'sub', [half, correction])];
}

/**
 * P(a, x) = γ(a, x)/Γ(a) or Q = 1 − P, as Cephes' igam/igamc (torch's); a > 100 near x = a takes
 * Temme's expansion (temme), elsewhere x > max(a, 1) takes Q by Legendre's continued fraction
 * Q = xᵃe⁻ˣ/Γ(a)·1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(x + 5 − a − …))), 40 levels from the
 * bottom; elsewhere P = xᵃe⁻ˣ/Γ(a + 1)·Σₖ xᵏ/((a + 1)…(a + k)), 64 terms as a cumulative product
 * along a trailing axis (the terms shrink once a + k > x: in float64 within 5e-8 relative up to a =
 * 100; beyond, near x = a, they would not, hence Temme's there). The other function is 1 minus it, but for Q with
 * x ≤ 1.1 and a small, where Q ≪ 1 is possible, upperSeries. The prefactor: logPrefactor. torch's special values: x < 0 or a < 0 NaN; a = 0: P = 1 (x > 0) or NaN;
 * x = 0: P = 0; a = ∞: P = 0 (NaN with x = ∞); x = ∞: P = 1. The gradient for x is torch's
 * ±xᵃ⁻¹e⁻ˣ/Γ(a) attached to the detached value (0 where that is not finite: x = 0 with a ≤ 1).
 */
function igammaDef<N extends 'igamma' | 'igammac'>(name: N, upper: boolean): CompositeDef<Record<string, never>, N> {
  return {
    kind: 'composite',
    name,
    arity: 2,
    gradInputs: [1],
    doc: upper
      ? 'Q(a, x) = Γ(a, x)/Γ(a), the regularized upper incomplete gamma function; broadcasting; gradient −x^(a−1)·e^(−x)/Γ(a) for x, none for a'
      : 'P(a, x) = γ(a, x)/Γ(a), the regularized lower incomplete gamma function; broadcasting; gradient x^(a−1)·e^(−x)/Γ(a) for x, none for a',
    plan: planPair(name),
    compose: (b, [a0, x0]) => {
      const s = (v: number) => b.scalar(v);
      const where = (c: typeof a0, t: typeof a0, f: typeof a0) => b.op('where', [c, t, f]);
      const [a, x] = [b.detach(a0), b.detach(x0)];
      const pre = logPrefactor(b, a, x);
      // Q by the continued fraction, x > max(a, 1)
      const fraction = b.op('gt', [x, b.op('maximum', [a, s(1)])]);
      const base = b.op('sub', [b.op('add', [x, s(1)]), a]);
      let t = b.op('add', [base, s(2 * FRACTION_TERMS)]);
      for (let k = FRACTION_TERMS; k >= 1; k--) {
        const num = b.op('mul', [b.op('sub', [s(k), a]), s(k)]);
        t = b.op('sub', [b.op('add', [base, s(2 * k - 2)]), b.op('div', [num, t])]);
      }
      const q = b.op('div', [b.op('exp', [pre]), t]);
      // P by the series
      const ratios = b.op('div', [trailing(b, x), b.op('add', [trailing(b, a), b.op('add', [arange(b, SERIES_TERMS), s(1)])])]);
      const sum = b.op('add', [b.op('sumDims', [b.op('cumprod', [ratios], { dim: -1 })], { dim: -1 }), s(1)]);
      const p = b.op('mul', [b.op('div', [b.op('exp', [pre]), a]), sum]); // Γ(a + 1) = a·Γ(a)
      let value = upper ? where(fraction, q, b.op('sub', [s(1), p])) : where(fraction, b.op('sub', [s(1), q]), p);
      if (upper) {
        const [region, qSmall] = upperSeries(b, a, x);
        value = where(region, qSmall, value);
      }
      const [nearA, uniform] = temme(b, a, x, upper);
      value = where(nearA, uniform, value);
      // torch's special values, as P; Q swaps 0 and 1
      const [zero, one] = upper ? [s(1), s(0)] : [s(0), s(1)];
      const nan = s(NaN);
      const isInf = (v: typeof a) => b.op('eq', [v, s(Infinity)]);
      const special = where(
        b.op('maximum', [b.op('lt', [x, s(0)]), b.op('lt', [a, s(0)])]),
        nan,
        where(
          b.op('eq', [a, s(0)]),
          where(b.op('gt', [x, s(0)]), one, nan),
          where(b.op('eq', [x, s(0)]), zero, where(isInf(a), where(isInf(x), nan, zero), where(isInf(x), one, value))),
        ),
      );
      const slope = b.op('div', [b.op('exp', [pre]), x]);
      const finite = where(b.op('isfinite', [slope]), slope, s(0));
      // x − x̂ is 0 with slope 1 (NaN at x = ±∞: there 0 instead)
      const zero0 = where(b.op('isfinite', [x]), b.op('sub', [x0, x]), s(0));
      return b.op('add', [special, b.op('mul', [zero0, upper ? b.op('neg', [finite]) : finite])]);
    },
    tests: {
      cases: [
        ...binaryCases(['positive', 'positive']),
        ...(
          [
            [
              [0.1, 3],
              [0.01, 10],
            ],
            [
              [3, 30],
              [0.5, 60],
            ],
            [
              [120, 400],
              [100, 500],
            ],
          ] as [number, number][][]
        ).map(([da, dx]) => ({
          inputs: [
            { shape: [TILE + 1], domain: da },
            { shape: [TILE + 1], domain: dx },
          ],
          name: `a ∈ [${da}], x ∈ [${dx}]`,
        })),
      ],
    },
  };
}

export const SPECIAL_GAMMA_OPS = defineOps(zeta, igammaDef('igamma', false), igammaDef('igammac', true));
