/**
 * PyTorch's in-place functional forms: F.relu_ elu_ leaky_relu_ hardtanh_ threshold_ rrelu_ celu_
 * selu_ (torch.nn.functional) and torch.dropout_ alpha_dropout_ feature_alpha_dropout_. Each is its
 * function, whose result x then becomes by x.relu_()'s rules (`writeInPlace`: recorded by autograd,
 * a leaf that requires grad refused outside wg.noGrad).
 */
import { checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import * as F from './functional.js';
import { becomeResult } from './inplace.js';

function inPlace<A extends unknown[]>(name: string, f: (x: Tensor, ...args: A) => Tensor): (x: Tensor, ...args: A) => Tensor {
  return (x, ...args) => {
    checkTensor(name, 'input', x);
    return becomeResult(name, x, f(x, ...args));
  };
}

export const relu_ = inPlace('relu_', (x) => F.relu(x));
export const elu_ = inPlace('elu_', (x, opts?: { alpha?: number }) => F.elu(x, opts));
export const celu_ = inPlace('celu_', (x, opts?: { alpha?: number }) => F.celu(x, opts));
export const selu_ = inPlace('selu_', (x) => F.selu(x));
export const leakyRelu_ = inPlace('leakyRelu_', (x, slope?: number) => F.leakyRelu(x, slope));
export const hardtanh_ = inPlace('hardtanh_', (x, opts?: { minVal?: number; maxVal?: number }) => F.hardtanh(x, opts));
export const threshold_ = inPlace('threshold_', (x, threshold: number, value: number) => F.threshold(x, threshold, value));
export const rrelu_ = inPlace('rrelu_', (x, opts?: F.RreluOptions) => F.rrelu(x, opts));
export const dropout_ = inPlace('dropout_', (x, p?: number, training?: boolean) => F.dropout(x, p, training));
export const alphaDropout_ = inPlace('alphaDropout_', (x, p?: number, training?: boolean) => F.alphaDropout(x, p, training));
export const featureAlphaDropout_ = inPlace('featureAlphaDropout_', (x, p?: number, training?: boolean) => F.featureAlphaDropout(x, p, training));

/** torch's top-level forms of the tensor's in-place methods: torch.exp_(x) is x.exp_(). */
type MethodForm<K extends keyof Tensor> = Tensor[K] extends (...args: infer A) => unknown ? (x: Tensor, ...args: A) => Tensor : never;

function methodForms<K extends keyof Tensor & `${string}_`>(...names: K[]): { [N in K]: MethodForm<N> } {
  const form =
    (name: K) =>
    (x: Tensor, ...args: unknown[]) => {
      checkTensor(name, 'input', x);
      return (x[name] as (...a: unknown[]) => Tensor).apply(x, args);
    };
  return Object.fromEntries(names.map((name) => [name, form(name)])) as { [N in K]: MethodForm<N> };
}

// torch 1.13's `[n for n in dir(torch) if n.endswith('_') and not n.startswith('_')]` that are tensor methods here
// (the others above; torch's as_strided_, embedding_renorm_, feature_dropout_, resize_as_sparse_ have none; resize_as_ is wg.resizeAs_, src/api/resize.ts)
export const {
  abs_,
  acos_,
  acosh_,
  addmv_,
  arccos_,
  arccosh_,
  arcsin_,
  arcsinh_,
  arctan_,
  arctanh_,
  asin_,
  asinh_,
  atan_,
  atanh_,
  ceil_,
  clamp_,
  clampMax_,
  clampMin_,
  clip_,
  conjPhysical_,
  cos_,
  cosh_,
  deg2rad_,
  detach_,
  erf_,
  erfc_,
  exp2_,
  exp_,
  expm1_,
  fill_,
  fix_,
  floor_,
  frac_,
  gcd_,
  i0_,
  indexPut_,
  lcm_,
  ldexp_,
  log10_,
  log1p_,
  log2_,
  log_,
  logit_,
  nanToNum_,
  neg_,
  negative_,
  rad2deg_,
  reciprocal_,
  round_,
  rsqrt_,
  sigmoid_,
  sin_,
  sinc_,
  sinh_,
  sqrt_,
  square_,
  tan_,
  tanh_,
  trunc_,
  xlogy_,
  zero_,
} = methodForms(
  'abs_',
  'acos_',
  'acosh_',
  'addmv_',
  'arccos_',
  'arccosh_',
  'arcsin_',
  'arcsinh_',
  'arctan_',
  'arctanh_',
  'asin_',
  'asinh_',
  'atan_',
  'atanh_',
  'ceil_',
  'clamp_',
  'clampMax_',
  'clampMin_',
  'clip_',
  'conjPhysical_',
  'cos_',
  'cosh_',
  'deg2rad_',
  'detach_',
  'erf_',
  'erfc_',
  'exp2_',
  'exp_',
  'expm1_',
  'fill_',
  'fix_',
  'floor_',
  'frac_',
  'gcd_',
  'i0_',
  'indexPut_',
  'lcm_',
  'ldexp_',
  'log10_',
  'log1p_',
  'log2_',
  'log_',
  'logit_',
  'nanToNum_',
  'neg_',
  'negative_',
  'rad2deg_',
  'reciprocal_',
  'round_',
  'rsqrt_',
  'sigmoid_',
  'sin_',
  'sinc_',
  'sinh_',
  'sqrt_',
  'square_',
  'tan_',
  'tanh_',
  'trunc_',
  'xlogy_',
  'zero_',
);
