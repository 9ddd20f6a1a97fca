/**
 * Host-side samplers of the distributions, on the seeded stream (wg.manualSeed): the same numbers
 * on both backends, not torch's (its generator differs). Parameters are read in JavaScript (float64)
 * and samples written as float32 tensors, as wg.poisson / wg.binomial do.
 *
 * Gamma (Gamma, Chi2, Beta, and NegativeBinomial's gamma–Poisson mixture): torch's algorithm
 * (Marsaglia & Tsang 2000, with the boost u^(1/α) for α < 1). Its
 * rsample gradient is the implicit reparameterization one, as torch's _standard_gamma_grad:
 * dx/dα = −(∂P/∂α)/(∂P/∂x) at the drawn x, P(α, x) the regularized lower incomplete gamma function;
 * ∂P/∂x = x^(α−1)e^(−x)/Γ(α) in closed form, ∂P/∂α by a float64 central difference (step 1e-5·α:
 * truncation ~1e-10, rounding ~1e-11 relative, far below float32's 6e-8).
 */
import { Tensor } from '../engine/tensor.js';
import { isGradEnabled } from '../engine/engine.js';
import { normal, uniform } from '../random.js';
import { tensor } from '../api/creation.js';

/**
 * ln Γ(x) for x > 0: Stirling's series at x + n ≥ 15 (error < 1e-15) less ln(x(x+1)…(x+n−1)).
 * One smooth formula for every x, so a difference quotient of it has no jump to amplify.
 */
export function lgammaHost(x: number): number {
  let prod = 1;
  while (x < 15) prod *= x++;
  const x2 = 1 / (x * x);
  const series = (1 / x) * (1 / 12 - x2 * (1 / 360 - x2 * (1 / 1260 - x2 * (1 / 1680 - x2 / 1188))));
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - Math.log(prod);
}

/** P(a, x), the regularized lower incomplete gamma function: its series below a + 1, else 1 − the continued fraction of Q. */
export function igammaHost(a: number, x: number): number {
  if (x <= 0) return 0;
  const lead = a * Math.log(x) - x - lgammaHost(a);
  if (x < a + 1) {
    let sum = 1 / a,
      term = sum;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    return sum * Math.exp(lead);
  }
  // Lentz's method for the continued fraction of Q(a, x)
  const tiny = 1e-300;
  let b = x + 1 - a,
    c = 1 / tiny,
    d = 1 / b,
    h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-17) break;
  }
  return 1 - Math.exp(lead) * h;
}

/** One Gamma(α, 1) draw (torch's sample_gamma): 0 for α = 0, NaN for a NaN or negative α (unvalidated parameters). */
export function gammaSample(alpha: number): number {
  if (!(alpha > 0)) return alpha === 0 ? 0 : NaN;
  let scale = 1;
  if (alpha < 1) {
    scale *= Math.pow(1 - uniform(), 1 / alpha);
    alpha += 1;
  }
  const d = alpha - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, y: number;
    do {
      x = normal();
      y = 1 + c * x;
    } while (y <= 0);
    const v = y * y * y;
    const u = 1 - uniform();
    const xx = x * x;
    if (u < 1 - 0.0331 * xx * xx) return scale * d * v;
    if (Math.log(u) < 0.5 * xx + d * (1 - v + Math.log(v))) return scale * d * v;
  }
}

/** dx/dα of a Gamma(α, 1) sample x held fixed in its CDF (implicit reparameterization). */
export function standardGammaGrad(alpha: number, x: number): number {
  if (!(x > 0) || !(alpha > 0)) return 0;
  const h = 1e-5 * alpha;
  const dPdAlpha = (igammaHost(alpha + h, x) - igammaHost(alpha - h, x)) / (2 * h);
  const dPdx = Math.exp((alpha - 1) * Math.log(x) - x - lgammaHost(alpha));
  return dPdx > 0 ? -dPdAlpha / dPdx : 0;
}

/** The values of t broadcast over `shape` (t's shape a suffix-broadcastable one), as float64 numbers in row-major order. */
export function hostValues(t: Tensor, shape: readonly number[]): Float64Array {
  const src = t.expand(shape).rawValues();
  return Float64Array.from(src);
}

/**
 * Gamma(α, 1) samples of `shape` (α broadcast to it), differentiable in α by the implicit
 * gradient: x + (α − stop(α))·stop(dx/dα) has value x and gradient dx/dα.
 */
export function standardGamma(alpha: Tensor, shape: readonly number[]): Tensor {
  const a = hostValues(alpha.detach(), shape);
  const x = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) x[i] = gammaSample(a[i]);
  const xs = tensor(x).reshape([...shape]);
  if (!alpha.requiresGrad || !isGradEnabled()) return xs; // sample() (under noGrad) skips the gradient's host work
  const g = Float32Array.from(x, (xi, i) => standardGammaGrad(a[i], xi));
  const aExp = alpha.expand(shape);
  return xs.add(aExp.sub(aExp.detach()).mul(tensor(g).reshape([...shape])));
}
