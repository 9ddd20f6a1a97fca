/**
 * wg.special: torch.special of PyTorch 1.13 under camelCase names. The functions torch.special
 * repeats from the top level are the same functions as wg.erf, wg.lgamma, … (aliases, not copies);
 * the rest are src/api/special.ts (composites) and special-bessel.ts / special-polynomials.ts.
 */
export {
  erf,
  erfc,
  erfinv,
  expm1,
  log1p,
  exp2,
  round,
  sinc,
  logit,
  xlogy,
  digamma,
  digamma as psi,
  lgamma as gammaln,
  polygamma,
  mvlgamma as multigammaln,
  i0,
  sigmoid as expit,
  logsumexp,
  softmax,
  logSoftmax,
} from './functional.js';
export { erfcx, ndtr, logNdtr, ndtri, entr, i0e, i1, i1e, xlog1py, zeta, igamma as gammainc, igammac as gammaincc } from './special.js';
