/** wg.gradcheck: analytic gradients vs central finite differences, in float64 on the reference backend. */
import { checkFunction, checkOptions, checkTensor } from '../engine/check.js';
import { getBackend, noGrad, setBackend } from '../engine/engine.js';
import { tensor } from './creation.js';
import { enableGrad } from './grad-mode.js';
import { ValueError, fmtValue } from '../errors.js';
import { Tensor } from '../engine/tensor.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}
export interface GradcheckResult {
  ok: boolean;
  maxAbsError: number;
  maxRelError: number;
}

/**
 * Checks d fn(inputs)/d inputs. fn must return a tensor; a non-scalar output is reduced with fixed
 * random weights (so every output element's gradient is exercised). Runs on the reference backend
 * (float64); the inputs' values are copied there.
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  return checkGradients('gradcheck', fn, inputs, opts, false);
}

/**
 * gradcheck's work, named `name` in errors. `withGraph`: fn itself differentiates (gradgradcheck's
 * first gradient), so the finite-difference evaluations also run with grad mode on and inputs that
 * require grad, as torch's do; otherwise they run under noGrad.
 */
export function checkGradients(
  name: string,
  fn: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts: GradcheckOptions,
  withGraph: boolean,
): GradcheckResult {
  checkFunction(name, 'fn', fn);
  if (!Array.isArray(inputs) || inputs.length === 0) throw new ValueError(name, `inputs must be a non-empty array of tensors, got ${fmtValue(inputs)}`);
  inputs.forEach((t, i) => checkTensor(name, `inputs[${i}]`, t));
  // As torch.autograd.gradcheck: with no input to differentiate, nothing would be checked.
  if (!inputs.some((t) => t.requiresGrad))
    throw new ValueError(name, `expects at least one input to require grad, got ${inputs.length} input(s) none of which requires grad`);
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = checkOptions<GradcheckOptions>(name, opts, ['eps', 'atol', 'rtol']);
  const bounds: [string, unknown, '> 0' | '≥ 0'][] = [
    ['eps', eps, '> 0'],
    ['atol', atol, '≥ 0'],
    ['rtol', rtol, '≥ 0'],
  ];
  for (const [opt, v, bound] of bounds)
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (v === 0 && bound === '> 0'))
      throw new ValueError(name, `${opt} must be a finite number ${bound}, got ${fmtValue(v)}`);
  const prev = getBackend();
  setBackend('reference');
  try {
    const vals = inputs.map((t) => Float64Array.from(t.values()));
    const make = (i: number, v: Float64Array, grad: boolean) =>
      tensor(v, { shape: inputs[i].shape, dtype: inputs[i].dtype, requiresGrad: grad && inputs[i].requiresGrad && inputs[i].dtype === 'float32' });
    let weights: Float64Array | null = null;
    const objective = (xs: Tensor[]): Tensor => {
      const y = fn(...xs);
      if (!(y instanceof Tensor)) throw new ValueError(name, `fn must return a Tensor, got ${fmtValue(y)}`);
      weights ??= Float64Array.from({ length: y.size }, (_, k) => Math.cos(1 + 1.7 * k));
      return y.size === 1 ? y.sum() : y.mul(tensor(weights, { shape: y.shape })).sum();
    };
    const xs = vals.map((v, i) => make(i, v, true));
    const at0 = enableGrad(() => objective(xs));
    // A result no input reaches (a zero second derivative everywhere) has no graph: its gradients are zeros.
    if (at0.requiresGrad) at0.backward();
    let maxAbsError = 0;
    let maxRelError = 0;
    let ok = true;
    for (let i = 0; i < inputs.length; i++) {
      if (!inputs[i].requiresGrad || inputs[i].dtype !== 'float32') continue;
      const analytic = xs[i].grad ? xs[i].grad!.rawValues() : new Float64Array(inputs[i].size);
      for (let k = 0; k < vals[i].length; k++) {
        const at = (delta: number) => {
          const v = Float64Array.from(vals[i]);
          v[k] += delta;
          const ys = vals.map((u, j) => make(j, j === i ? v : u, withGraph));
          return withGraph ? enableGrad(() => objective(ys).item()) : noGrad(() => objective(ys).item());
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        const err = Math.abs(numeric - analytic[k]);
        maxAbsError = Math.max(maxAbsError, err);
        maxRelError = Math.max(maxRelError, err / Math.max(Math.abs(numeric), 1e-12));
        if (err > atol + rtol * Math.abs(numeric)) ok = false;
      }
    }
    return { ok, maxAbsError, maxRelError };
  } finally {
    setBackend(prev);
  }
}
