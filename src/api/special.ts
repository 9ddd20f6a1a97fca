/**
 * The functions of torch.special that wasmgrad lacked (composites: src/ops/special.ts,
 * src/ops/special-gamma.ts), and torch.igamma/igammac. The wg.special namespace
 * (special-namespace.ts) joins them with the top-level functions torch.special repeats.
 */
import { checkTensor } from '../engine/check.js';
import { apply, isGradEnabled } from '../engine/engine.js';
import { Tensor, type TensorLike } from '../engine/tensor.js';
import { AutogradError, ValueError } from '../errors.js';
import { op } from '../ops/index.js';
import { operands } from './integer.js';
import { readValues } from './counting.js';

type UnaryName =
  | 'lgamma'
  | 'digamma'
  | 'i0'
  | 'erfcx'
  | 'ndtr'
  | 'logNdtr'
  | 'ndtri'
  | 'entr'
  | 'i0e'
  | 'i1'
  | 'i1e'
  | 'besselJ0'
  | 'besselJ1'
  | 'besselY0'
  | 'besselY1'
  | 'modifiedBesselI0'
  | 'modifiedBesselI1'
  | 'modifiedBesselK0'
  | 'modifiedBesselK1'
  | 'scaledModifiedBesselK0'
  | 'scaledModifiedBesselK1'
  | 'airyAi'
  | 'sphericalBesselJ0';
type BinaryName = 'xlog1py' | 'zeta' | 'igamma' | 'igammac';

/** The function form of a one-input composite of the table (int32 cast to float32). */
export const unaryFn = (name: UnaryName) => (x: Tensor) => {
  checkTensor(name, 'input', x);
  return apply(op(name), operands(name, [x], true));
};

/**
 * The function form of a broadcasting two-input composite (numbers mix, int32 cast to float32).
 * `noGradFirst`: torch 1.13 has no derivative for the first argument ("the derivative for … is not
 * implemented"): refused here at the call, as soon as that argument requires a gradient.
 */
const binaryFn =
  (name: BinaryName, noGradFirst = false) =>
  (a: TensorLike, b: TensorLike): Tensor => {
    if (noGradFirst && a instanceof Tensor && a.requiresGrad && isGradEnabled())
      throw new AutogradError(name, `has no derivative for its first argument (as torch 1.13): detach it, or call inside wg.noGrad`);
    return apply(op(name), operands(name, [a, b], true));
  };

/** e^(x²)·erfc(x) (torch.special.erfcx), without overflow for large x. */
export const erfcx = /* @__PURE__ */ unaryFn('erfcx');
/** Φ(x), the standard normal CDF (torch.special.ndtr). */
export const ndtr = /* @__PURE__ */ unaryFn('ndtr');
/** log Φ(x) (torch.special.log_ndtr), accurate far into the lower tail (−804.6 at x = −40). */
export const logNdtr = /* @__PURE__ */ unaryFn('logNdtr');
/** Φ⁻¹(p), the standard normal quantile (torch.special.ndtri); −∞ at 0, ∞ at 1, NaN outside [0, 1]. */
export const ndtri = /* @__PURE__ */ unaryFn('ndtri');
/** −x·log x elementwise (torch.special.entr): 0 at 0, −∞ for x < 0. */
export const entr = /* @__PURE__ */ unaryFn('entr');
/** e^(−|x|)·I₀(x) (torch.special.i0e). */
export const i0e = /* @__PURE__ */ unaryFn('i0e');
/** The modified Bessel function I₁ (torch.special.i1). */
export const i1 = /* @__PURE__ */ unaryFn('i1');
/** e^(−|x|)·I₁(x) (torch.special.i1e). */
export const i1e = /* @__PURE__ */ unaryFn('i1e');
/** x·log1p(y), 0 where x = 0 unless y is NaN (torch.special.xlog1py); broadcasting. */
export const xlog1py = /* @__PURE__ */ binaryFn('xlog1py');
/** The Hurwitz zeta function ζ(x, q) = Σₖ (q + k)^(−x) (torch.special.zeta); gradient for q only. */
export const zeta = /* @__PURE__ */ binaryFn('zeta', true);
/** P(a, x), the regularized lower incomplete gamma function (torch.igamma = special.gammainc); gradient for x only. */
export const igamma = /* @__PURE__ */ binaryFn('igamma', true);
/** Q(a, x) = 1 − P(a, x), the regularized upper incomplete gamma function (torch.igammac = special.gammaincc); gradient for x only. */
export const igammac = /* @__PURE__ */ binaryFn('igammac', true);

// ---- Bessel and Airy functions (src/ops/special-bessel.ts): no gradient, as torch 1.13 ----
/** J₀(x) (torch.special.bessel_j0). */
export const besselJ0 = /* @__PURE__ */ unaryFn('besselJ0');
/** J₁(x) (torch.special.bessel_j1). */
export const besselJ1 = /* @__PURE__ */ unaryFn('besselJ1');
/** Y₀(x) (torch.special.bessel_y0): NaN below 0, −∞ at 0. */
export const besselY0 = /* @__PURE__ */ unaryFn('besselY0');
/** Y₁(x) (torch.special.bessel_y1): NaN below 0, −∞ at 0. */
export const besselY1 = /* @__PURE__ */ unaryFn('besselY1');
/** I₀(x) without a gradient (torch.special.modified_bessel_i0). */
export const modifiedBesselI0 = /* @__PURE__ */ unaryFn('modifiedBesselI0');
/** I₁(x) without a gradient (torch.special.modified_bessel_i1). */
export const modifiedBesselI1 = /* @__PURE__ */ unaryFn('modifiedBesselI1');
/** K₀(x) (torch.special.modified_bessel_k0): ∞ at 0, NaN below. */
export const modifiedBesselK0 = /* @__PURE__ */ unaryFn('modifiedBesselK0');
/** K₁(x) (torch.special.modified_bessel_k1): ∞ at 0, NaN below. */
export const modifiedBesselK1 = /* @__PURE__ */ unaryFn('modifiedBesselK1');
/** eˣ·K₀(x) (torch.special.scaled_modified_bessel_k0). */
export const scaledModifiedBesselK0 = /* @__PURE__ */ unaryFn('scaledModifiedBesselK0');
/** eˣ·K₁(x) (torch.special.scaled_modified_bessel_k1). */
export const scaledModifiedBesselK1 = /* @__PURE__ */ unaryFn('scaledModifiedBesselK1');
/** Ai(x) (torch.special.airy_ai). */
export const airyAi = /* @__PURE__ */ unaryFn('airyAi');
/** sin x/x (torch.special.spherical_bessel_j0). */
export const sphericalBesselJ0 = /* @__PURE__ */ unaryFn('sphericalBesselJ0');

// ---- orthogonal polynomials (src/ops/special-polynomials.ts): no gradient, as torch 1.13 ----
type PolynomialName =
  | 'chebyshevPolynomialT'
  | 'chebyshevPolynomialU'
  | 'chebyshevPolynomialV'
  | 'chebyshevPolynomialW'
  | 'shiftedChebyshevPolynomialT'
  | 'shiftedChebyshevPolynomialU'
  | 'shiftedChebyshevPolynomialV'
  | 'shiftedChebyshevPolynomialW'
  | 'hermitePolynomialH'
  | 'hermitePolynomialHe'
  | 'laguerrePolynomialL'
  | 'legendrePolynomialP';
/** The recurrence records a few ops per degree: beyond this a call would record millions. */
const MAX_DEGREE = 10000;

/**
 * The function form of a polynomial (x, n): x and n tensors or numbers, broadcasting. The
 * recurrence's length is the largest n, read in JavaScript when n is a tensor (inside wg.compile,
 * every call re-runs to read it).
 */
const polynomialFn =
  (name: PolynomialName) =>
  (x: TensorLike, n: TensorLike): Tensor => {
    const degrees = n instanceof Tensor ? Array.from(readValues(name, n, "the recurrence's length is the largest degree")) : [n];
    const top = degrees.reduce((m, d) => (d > m ? d : m), 0);
    if (!(top <= MAX_DEGREE)) throw new ValueError(name, `degrees up to ${MAX_DEGREE} (the recurrence records a step per degree), got n = ${top}`);
    const attrs = { steps: Math.trunc(top) };
    return apply(op(name), operands(name, [x, n], true, attrs), attrs);
  };
/** Tₙ(x), the Chebyshev polynomial of the first kind (torch.special.chebyshev_polynomial_t). */
export const chebyshevPolynomialT = /* @__PURE__ */ polynomialFn('chebyshevPolynomialT');
/** Uₙ(x), of the second kind (torch.special.chebyshev_polynomial_u). */
export const chebyshevPolynomialU = /* @__PURE__ */ polynomialFn('chebyshevPolynomialU');
/** Vₙ(x), of the third kind (torch.special.chebyshev_polynomial_v). */
export const chebyshevPolynomialV = /* @__PURE__ */ polynomialFn('chebyshevPolynomialV');
/** Wₙ(x), of the fourth kind (torch.special.chebyshev_polynomial_w). */
export const chebyshevPolynomialW = /* @__PURE__ */ polynomialFn('chebyshevPolynomialW');
/** Tₙ(2x − 1) (torch.special.shifted_chebyshev_polynomial_t). */
export const shiftedChebyshevPolynomialT = /* @__PURE__ */ polynomialFn('shiftedChebyshevPolynomialT');
/** Uₙ(2x − 1) (torch.special.shifted_chebyshev_polynomial_u). */
export const shiftedChebyshevPolynomialU = /* @__PURE__ */ polynomialFn('shiftedChebyshevPolynomialU');
/** Vₙ(2x − 1) (torch.special.shifted_chebyshev_polynomial_v). */
export const shiftedChebyshevPolynomialV = /* @__PURE__ */ polynomialFn('shiftedChebyshevPolynomialV');
/** Wₙ(2x − 1) (torch.special.shifted_chebyshev_polynomial_w). */
export const shiftedChebyshevPolynomialW = /* @__PURE__ */ polynomialFn('shiftedChebyshevPolynomialW');
/** Hₙ(x), the physicists' Hermite polynomial (torch.special.hermite_polynomial_h). */
export const hermitePolynomialH = /* @__PURE__ */ polynomialFn('hermitePolynomialH');
/** Heₙ(x), the probabilists' Hermite polynomial (torch.special.hermite_polynomial_he). */
export const hermitePolynomialHe = /* @__PURE__ */ polynomialFn('hermitePolynomialHe');
/** Lₙ(x), the Laguerre polynomial (torch.special.laguerre_polynomial_l). */
export const laguerrePolynomialL = /* @__PURE__ */ polynomialFn('laguerrePolynomialL');
/** Pₙ(x), the Legendre polynomial (torch.special.legendre_polynomial_p). */
export const legendrePolynomialP = /* @__PURE__ */ polynomialFn('legendrePolynomialP');
