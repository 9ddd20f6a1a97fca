/**
 * The functions of torch.special that wasmgrad lacked (composites: src/ops/special.ts,
 * src/ops/special-gamma.ts), and torch.igamma/igammac. The wg.special namespace
 * (special-namespace.ts) joins them with the top-level functions torch.special repeats.
 */
import { checkTensor } from '../engine/check.js';
import { apply, isGradEnabled } from '../engine/engine.js';
import { Tensor, type TensorLike } from '../engine/tensor.js';
import { AutogradError } from '../errors.js';
import { op } from '../ops/index.js';
import { operands } from './integer.js';

type UnaryName = 'lgamma' | 'digamma' | 'i0' | 'erfcx' | 'ndtr' | 'logNdtr' | 'ndtri' | 'entr' | 'i0e' | 'i1' | 'i1e';
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
