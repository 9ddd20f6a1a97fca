/**
 * Standard Gamma(α, 1) draws on the seeded stream, without gradient: what torch's
 * _standard_gamma samples (Marsaglia and Tsang's squeeze method, with torch's boost
 * Gamma(α) = Gamma(α + 1)·U^(1/α) for α < 1). For NegativeBinomial's gamma–Poisson mixture.
 */
import type { Tensor } from '../engine/tensor.js';
import { make, writeGenerated } from '../api/creation.js';
import { normal, uniform } from '../random.js';
import { FLOAT32_TINY } from './utils.js';

/** One Gamma(α, 1) sample, α ≥ 0 (0 for α = 0, NaN for NaN; at least float32's tiny otherwise, as torch clamps). */
function gammaSample(alpha: number): number {
  if (!(alpha > 0)) return alpha === 0 ? 0 : NaN;
  let boost = 1;
  if (alpha < 1) {
    boost = uniform() ** (1 / alpha);
    alpha += 1;
  }
  const d = alpha - 1 / 3,
    c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - uniform();
    const xx = x * x;
    if (u < 1 - 0.0331 * xx * xx) return Math.max(d * v * boost, FLOAT32_TINY);
    if (Math.log(u) < 0.5 * xx + d * (1 - v + Math.log(v))) return Math.max(d * v * boost, FLOAT32_TINY);
  }
}

/** Gamma(α, 1) samples, one per element of `concentration` (float32, its shape). */
export function standardGamma(concentration: Tensor): Tensor {
  const alpha = Float64Array.from(concentration.rawValues(), Math.fround);
  return make('distributions.standardGamma', [...concentration.shape], 'float32', (be, ptr, n) =>
    writeGenerated(be, ptr, n, 'float32', (i) => gammaSample(alpha[i])),
  );
}
