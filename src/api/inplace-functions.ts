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
