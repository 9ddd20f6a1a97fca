/**
 * torch's window functions: hannWindow, hammingWindow, blackmanWindow, bartlettWindow and
 * kaiserWindow (n, periodic = true, …): float32 1-D tensors of length n. A periodic window is the
 * symmetric window of length n + 1 without its last point (torch's rule, for spectral analysis);
 * n = 0 gives an empty tensor and n = 1 a single 1, as torch. Values are computed in float64 and
 * rounded once (torch computes in float32: the last bit may differ).
 */
import { checkBool, checkOptions } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { checkFinite } from '../ops/types.js';
import { make, tensor, writeGenerated } from './creation.js';
import { div } from './elementwise.js';
import { i0 } from './parity-math.js';

interface WindowOptions {
  periodic?: boolean;
  requiresGrad?: boolean;
}

/**
 * The window of length n whose point i of the symmetric window of m points is at(i, m − 1), as a
 * float32 tensor (hoisted as a constant inside wg.compile). `periodic` may be the options object.
 */
function window(fn: string, n: number, periodic: boolean | WindowOptions, at: (i: number, last: number) => number, args: string): Tensor {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new ValueError(fn, `window length must be a non-negative integer, got ${fmtValue(n)}`);
  const o: WindowOptions = typeof periodic === 'object' ? checkOptions(fn, periodic, ['periodic', 'requiresGrad']) : { periodic };
  const p = o.periodic ?? true;
  checkBool(fn, 'periodic', p);
  const last = (p ? n + 1 : n) - 1;
  const value = (i: number) => (n === 1 ? 1 : at(i, last));
  return make(fn, [n], 'float32', (be, ptr) => writeGenerated(be, ptr, n, 'float32', value), o.requiresGrad ?? false, `${n}, ${p}, ${args}`);
}

/** A raised cosine Σ_k c_k·cos(2πki/(m − 1)) (Hann, Hamming, Blackman). */
const cosines = (coefficients: readonly number[]) => (i: number, last: number) =>
  coefficients.reduce((s, c, k) => s + c * Math.cos((2 * Math.PI * k * i) / last), 0);

/** torch.hann_window: 0.5 − 0.5·cos(2πi/(m − 1)). */
export const hannWindow = (n: number, periodic: boolean | WindowOptions = true): Tensor => window('hannWindow', n, periodic, cosines([0.5, -0.5]), '');

/** torch.hamming_window(n, periodic, alpha = 0.54, beta = 0.46): alpha − beta·cos(2πi/(m − 1)); also `(n, {periodic, alpha, beta})`. */
export function hammingWindow(n: number, periodic: boolean | (WindowOptions & { alpha?: number; beta?: number }) = true, alpha = 0.54, beta = 0.46): Tensor {
  let p: boolean | WindowOptions = periodic;
  if (typeof periodic === 'object') {
    ({
      alpha = 0.54,
      beta = 0.46,
      ...p
    } = checkOptions<WindowOptions & { alpha?: number; beta?: number }>('hammingWindow', periodic, ['periodic', 'alpha', 'beta', 'requiresGrad']));
  }
  checkFinite('hammingWindow', 'alpha', alpha);
  checkFinite('hammingWindow', 'beta', beta);
  return window('hammingWindow', n, p, cosines([alpha, -beta]), `${alpha}, ${beta}`);
}

/** torch.blackman_window: 0.42 − 0.5·cos(2πi/(m − 1)) + 0.08·cos(4πi/(m − 1)). */
export const blackmanWindow = (n: number, periodic: boolean | WindowOptions = true): Tensor =>
  window('blackmanWindow', n, periodic, cosines([0.42, -0.5, 0.08]), '');

/** torch.bartlett_window: the triangle 1 − |2i/(m − 1) − 1|. */
export const bartlettWindow = (n: number, periodic: boolean | WindowOptions = true): Tensor =>
  window('bartlettWindow', n, periodic, (i, last) => 1 - Math.abs((2 * i) / last - 1), '');

/**
 * torch.kaiser_window(n, periodic, beta = 12): I₀(beta·√(1 − ((i − c)/c)²)) / I₀(beta), c = (m − 1)/2,
 * with wasmgrad's i0 op (so both backends use one I₀); also `(n, {periodic, beta})`.
 */
export function kaiserWindow(n: number, periodic: boolean | (WindowOptions & { beta?: number }) = true, beta = 12): Tensor {
  let p: boolean | WindowOptions = periodic;
  if (typeof periodic === 'object')
    ({ beta = 12, ...p } = checkOptions<WindowOptions & { beta?: number }>('kaiserWindow', periodic, ['periodic', 'beta', 'requiresGrad']));
  checkFinite('kaiserWindow', 'beta', beta);
  const o: WindowOptions = typeof p === 'object' ? p : { periodic: p };
  const args = window(
    'kaiserWindow',
    n,
    { periodic: o.periodic },
    (i, last) => beta * Math.sqrt(Math.max(0, 1 - ((i - last / 2) / (last / 2)) ** 2)),
    `${beta}`,
  );
  // n = 1 is torch's single 1 (window() gives it), not I₀(0)/I₀(beta)
  const w = n === 1 ? args : div(i0(args), i0(tensor(beta)));
  return o.requiresGrad === true ? w.detach().requiresGrad_(true) : w;
}
