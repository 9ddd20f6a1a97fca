/**
 * torch.normal, torch.poisson and torch.binomial on the seeded stream (wg.manualSeed), drawn in
 * JavaScript so both backends get the same samples (not torch's: its generator differs). Poisson
 * and binomial use torch's algorithms: PTRS (Hörmann 1993) for rates ≥ 10, else multiplying
 * uniforms; BTRS (Hörmann 1993) when count·min(p, 1 − p) ≥ 10, else geometric waiting times.
 * The samples carry no gradient (torch's derivatives of these are zeros).
 */
import { checkTensor } from '../engine/check.js';
import { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { sameShape } from '../ops/types.js';
import { uniform } from '../random.js';
import { generated, make, writeGenerated } from './creation.js';
import { add, mul } from './elementwise.js';
import { normal as standardNormal } from '../random.js';

/**
 * torch.normal: mean + std·N(0, 1) with mean and std tensors (broadcast together) or numbers (one
 * of them a tensor, or both numbers and a `size`); std ≥ 0. No gradient flows to mean or std
 * (torch's are zeros).
 */
export function normal(mean: Tensor | number, std: Tensor | number = 1, size?: readonly number[]): Tensor {
  [mean, std].forEach((v, i) => {
    if (!(v instanceof Tensor) && typeof v !== 'number')
      throw new ValueError('normal', `${i === 0 ? 'mean' : 'std'} must be a Tensor or a number, got ${fmtValue(v)}`);
  });
  const tensors = [mean, std].filter((v): v is Tensor => v instanceof Tensor);
  tensors.forEach((t) => {
    t.assertAlive('normal');
    if (t.dtype !== 'float32') throw new DTypeError('normal', `mean and std must be float32 tensors, got ${t.dtype} ${fmtShape(t.shape)}`);
  });
  if (tensors.length > 0 && size !== undefined)
    throw new ValueError('normal', `size is taken only with a number mean and std, got tensors and size ${fmtValue(size)}`);
  if (tensors.length === 0 && size === undefined) throw new ValueError('normal', 'with a number mean and std, size is required');
  const bad = std instanceof Tensor ? Array.from(std.rawValues()).find((s) => !(s >= 0)) : std >= 0 ? undefined : std;
  if (bad !== undefined) throw new ValueError('normal', `std must be ≥ 0 everywhere, got ${fmtValue(bad)}`);
  const shape =
    size ??
    broadcastShapes(
      'normal',
      tensors.map((t) => t.shape),
    );
  const eps = generated('normal', shape, standardNormal, undefined);
  const detached = (v: Tensor | number) => (v instanceof Tensor ? v.detach() : v);
  return add(detached(mean), mul(detached(std), eps));
}

/** ln k! for an integer k ≥ 0: the sum for k < 10, else Stirling's series (error < 1e-10 there). */
function logFactorial(k: number): number {
  if (k < 10) {
    let s = 0;
    for (let i = 2; i <= k; i++) s += Math.log(i);
    return s;
  }
  const n = k + 1;
  return (n - 0.5) * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * n) - 1 / (360 * n ** 3) + 1 / (1260 * n ** 5);
}
/** ln k! minus Stirling's leading terms: torch's stirling_approx_tail. */
const stirlingTail = (k: number) => logFactorial(k) - ((k + 0.5) * Math.log(k + 1) - (k + 1) + 0.5 * Math.log(2 * Math.PI));

/** One Poisson(λ) sample (torch's sample_poisson). */
function poissonSample(lambda: number): number {
  if (lambda >= 10) {
    // PTRS: transformed rejection with squeeze
    const slam = Math.sqrt(lambda),
      loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam,
      a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4),
      vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = uniform() - 0.5,
        v = uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) return k;
    }
  }
  if (lambda === 0) return 0;
  // count uniforms until their product falls below e^-λ
  const enlam = Math.exp(-lambda);
  let x = 0,
    prod = 1;
  for (;;) {
    prod *= uniform();
    if (prod <= enlam) return x;
    x++;
  }
}

/** float32 values of a float32 tensor, as the WASM backend holds them. */
function values(fn: string, what: string, t: Tensor): Float64Array {
  checkTensor(fn, what, t);
  if (t.dtype !== 'float32') throw new DTypeError(fn, `${what} must be a float32 tensor, got an int32 tensor of shape ${fmtShape(t.shape)}`);
  return Float64Array.from(t.rawValues(), Math.fround);
}
const sampled = (fn: string, shape: readonly number[], draw: (i: number) => number) =>
  make(fn, [...shape], 'float32', (be, ptr, n) => writeGenerated(be, ptr, n, 'float32', draw));

/** torch.poisson(rates): one Poisson sample per rate (finite float32 ≥ 0), float32 counts of rates' shape. */
export function poisson(rates: Tensor): Tensor {
  const r = values('poisson', 'rates', rates);
  const bad = r.findIndex((l) => !(l >= 0 && l < Infinity));
  if (bad >= 0) throw new ValueError('poisson', `rates must be finite and ≥ 0, got ${fmtValue(r[bad])} at flat index ${bad}`);
  return sampled('poisson', rates.shape, (i) => poissonSample(r[i]));
}

/** One Binomial(n, p) sample with p ≤ 0.5 (torch's sample_binomial). */
function binomialSample(n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (n * p >= 10) {
    // BTRS: transformed rejection
    const spq = Math.sqrt(n * p * (1 - p));
    const b = 1.15 + 2.53 * spq,
      a = -0.0873 + 0.0248 * b + 0.01 * p,
      c = n * p + 0.5;
    const vr = 0.92 - 4.2 / b,
      r = p / (1 - p),
      alpha = (2.83 + 5.1 / b) * spq,
      m = Math.floor((n + 1) * p);
    for (;;) {
      const u = uniform() - 0.5;
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + c);
      let v = uniform();
      if (k < 0 || k > n) continue;
      if (us >= 0.07 && v <= vr) return k;
      v = Math.log((v * alpha) / (a / (us * us) + b));
      const upper =
        (m + 0.5) * Math.log((m + 1) / (r * (n - m + 1))) +
        (n + 1) * Math.log((n - m + 1) / (n - k + 1)) +
        (k + 0.5) * Math.log((r * (n - k + 1)) / (k + 1)) +
        stirlingTail(m) +
        stirlingTail(n - m) -
        stirlingTail(k) -
        stirlingTail(n - k);
      if (v <= upper) return k;
    }
  }
  // successes counted by geometric waiting times between them
  const logq = Math.log1p(-p);
  let sum = 0,
    k = 0;
  for (;;) {
    sum += Math.ceil(Math.log(uniform()) / logq);
    if (sum > n) return k;
    k++;
  }
}

/**
 * torch.binomial(count, prob): one Binomial(count, prob) sample per element (float32 tensors of
 * one shape; count a non-negative integer, prob in [0, 1]), float32.
 */
export function binomial(count: Tensor, prob: Tensor): Tensor {
  const [n, p] = [values('binomial', 'count', count), values('binomial', 'prob', prob)];
  if (!sameShape(count.shape, prob.shape))
    throw new ShapeError('binomial', `count and prob must have one shape, got ${fmtShape(count.shape)} and ${fmtShape(prob.shape)}`);
  // torch checks neither (a NaN never ends its sampling loop): refused here
  const badN = n.findIndex((v) => !(Number.isInteger(v) && v >= 0));
  if (badN >= 0) throw new ValueError('binomial', `count must hold non-negative integers, got ${fmtValue(n[badN])} at flat index ${badN}`);
  const badP = p.findIndex((v) => !(v >= 0 && v <= 1));
  if (badP >= 0) throw new ValueError('binomial', `prob must be in [0, 1], got ${fmtValue(p[badP])} at flat index ${badP}`);
  return sampled('binomial', count.shape, (i) => (p[i] <= 0.5 ? binomialSample(n[i], p[i]) : n[i] - binomialSample(n[i], 1 - p[i])));
}
