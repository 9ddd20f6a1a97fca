/**
 * torch's legacy nn.CrossMapLRN2d(size, alpha = 1e-4, beta = 0.75, k = 1): local response
 * normalization across the channels of a 4-D input, as torch/nn/_functions.py computes it, which is
 * not LocalResponseNorm's:
 *
 *   y[:, c] = x[:, c] · (k + α/size · S_c)^(−β),
 *   S_c = Σ x[:, c']² over c' ∈ [c − h, c + h] ∩ [0, C), h = ⌊(size + 1)/2⌋ − 1,
 *         plus x[:, 0]² for c > h (torch's running window never subtracts channel 0).
 *
 * So an even size uses the window of size − 1, and channel 0 enters every later channel's sum:
 * torch's values exactly. The gradient is autodiff's, the derivative of this forward; torch's
 * hand-written backward assumes a centred window of `size` without the channel-0 term and fails
 * torch's own gradcheck, so its gradients differ.
 */
import { checkOptions, checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { ShapeError, fmtShape } from '../errors.js';
import * as F from '../api/functional.js';
import { unfoldDim } from '../api/layout.js';
import { tensor } from '../api/creation.js';
import { checkInt, pyFloat } from './layers.js';
import { Module } from './module.js';
import * as forms from './module-forms.js';

export class CrossMapLRN2d extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  constructor(size: number, opts?: F.LocalResponseNormOptions);
  /** torch's positional form. */
  constructor(size: number, alpha?: number, beta?: number, k?: number);
  constructor(...args: unknown[]) {
    const [size, opts = {}] = forms.moduleArgs(forms.LocalResponseNorm, args) as [number, F.LocalResponseNormOptions?];
    super();
    checkInt('nn.CrossMapLRN2d', 'size', size, 1);
    const { alpha = 1e-4, beta = 0.75, k = 1 } = checkOptions<F.LocalResponseNormOptions>('nn.CrossMapLRN2d', opts, ['alpha', 'beta', 'k']);
    this.size = size;
    this.alpha = alpha;
    this.beta = beta;
    this.k = k;
  }

  forward(x: Tensor): Tensor {
    checkTensor('nn.CrossMapLRN2d', 'input', x);
    if (x.ndim !== 4) throw new ShapeError('nn.CrossMapLRN2d', `expected a 4-D input [N, C, H, W], got shape ${fmtShape(x.shape)}`);
    const C = x.shape[1];
    const h = Math.floor((this.size + 1) / 2) - 1;
    const sq = F.square(x);
    // windows of 2h + 1 channels over the zero-padded squares: [N, C, H, W, 2h + 1] summed
    const windows = F.sum(unfoldDim(F.pad(sq, [0, 0, 0, 0, h, h]), 1, 2 * h + 1, 1), -1);
    const late = tensor(
      Array.from({ length: C }, (_, c) => (c > h ? 1 : 0)),
      { shape: [1, C, 1, 1] },
    );
    const s = F.add(windows, F.mul(F.narrow(sq, 1, 0, 1), late));
    return F.mul(x, F.pow(F.add(F.mul(s, this.alpha / this.size), this.k), -this.beta));
  }

  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${this.k}`;
  }
}
