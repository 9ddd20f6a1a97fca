/** The distance modules: PyTorch's nn.CosineSimilarity and nn.PairwiseDistance over the functions of the same names. */
import { checkOptions } from '../engine/check.js';
import * as F from '../api/functional.js';
import type { Tensor } from '../engine/tensor.js';
import type { CosineAttrs, PairwiseAttrs } from '../ops/distance.js';
import { Module } from './module.js';
import * as forms from './module-forms.js';

/** cos(x1, x2) along dim (default 1), eps 1e-8 (PyTorch's defaults); x1 and x2 broadcast. */
export class CosineSimilarity extends Module<(x1: Tensor, x2: Tensor) => Tensor> {
  readonly options: Readonly<CosineAttrs>;
  constructor(options?: CosineAttrs);
  constructor(...args: unknown[]) {
    const [options = {}] = forms.moduleArgs(forms.CosineSimilarity, args) as [CosineAttrs?];
    super();
    this.options = { ...checkOptions<CosineAttrs>('nn.CosineSimilarity', options, ['dim', 'eps']) };
  }
  forward(x1: Tensor, x2: Tensor): Tensor {
    return F.cosineSimilarity(x1, x2, this.options);
  }
}

/** ‖x1 − x2 + eps‖_p over the last dim (p 2, eps 1e-6, keepdim false: PyTorch's defaults). */
export class PairwiseDistance extends Module<(x1: Tensor, x2: Tensor) => Tensor> {
  readonly options: Readonly<PairwiseAttrs>;
  constructor(options?: PairwiseAttrs);
  constructor(...args: unknown[]) {
    const [options = {}] = forms.moduleArgs(forms.PairwiseDistance, args) as [PairwiseAttrs?];
    super();
    this.options = { ...checkOptions<PairwiseAttrs>('nn.PairwiseDistance', options, ['p', 'eps', 'keepdim']) };
  }
  forward(x1: Tensor, x2: Tensor): Tensor {
    return F.pairwiseDistance(x1, x2, this.options);
  }
}
