/**
 * wg.nn.utils: torch.nn.utils' parameters_to_vector, vector_to_parameters, clip_grad_norm_ and
 * clip_grad_value_ (wg.optim's, under torch's names; clip_grad_norm, torch's deprecated name, too), rnn (padding and packed sequences,
 * ./packed.ts), the weight_norm / spectral_norm reparametrizations (./reparam.ts) and the
 * conv– and Linear–BatchNorm fusion for inference (./fuse.ts), skip_init (./skip-init.ts).
 */
import { cat, reshape, slice } from '../api/functional.js';
import { copyInto } from '../api/shape.js';
import { checkTensor } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { ShapeError } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import { clipGradNorm, clipGradValue } from '../optim/clip.js';
import { paramList, type Params } from '../optim/optimizer.js';
import { PackedSequence, packPaddedSequence, packSequence, padPackedSequence, padSequence, unpackSequence, unpadSequence } from './packed.js';
import { invertPermutation } from './skip-init.js';

export { fuseConvBnEval, fuseConvBnWeights, fuseLinearBnEval, fuseLinearBnWeights } from './fuse.js';

/** torch.nn.utils.clip_grad_norm_: wg.optim.clipGradNorm. */
export const clipGradNorm_ = clipGradNorm;
/**
 * torch.nn.utils.clip_grad_norm, deprecated in torch 1.13 in favour of clip_grad_norm_: the same
 * function (torch also warns on each call; this alias is silent).
 */
export { clipGradNorm };
/** torch.nn.utils.clip_grad_value_: wg.optim.clipGradValue. */
export const clipGradValue_ = clipGradValue;

/** Every parameter flattened and joined into one 1-D tensor, in order (torch parameters_to_vector); gradients flow back to the parameters. */
export function parametersToVector(parameters: Params | Tensor): Tensor {
  return cat(
    paramList('nn.utils.parametersToVector', parameters).map((p) => reshape(p, [-1])),
    0,
  );
}

/** Copies consecutive slices of the 1-D `vec` into the parameters, in order, in place (torch vector_to_parameters); no gradient. */
export function vectorToParameters(vec: Tensor, parameters: Params | Tensor): void {
  const fn = 'nn.utils.vectorToParameters';
  checkTensor(fn, 'vec', vec);
  const params = paramList(fn, parameters);
  const total = params.reduce((n, p) => n + p.size, 0);
  if (vec.ndim !== 1 || vec.size !== total)
    throw new ShapeError(
      fn,
      `vec must be 1-D with the parameters' ${total} elements (${params.map((p) => fmtShape(p.shape)).join(', ')}), got shape ${fmtShape(vec.shape)}`,
    );
  noGrad(() => {
    let at = 0;
    for (const p of params) {
      copyInto(p, reshape(slice(vec, 0, at, at + p.size), p.shape));
      at += p.size;
    }
  });
}

/** torch.nn.utils.rnn. */
export const rnn = { padSequence, PackedSequence, packPaddedSequence, padPackedSequence, packSequence, unpackSequence, unpadSequence, invertPermutation };
export { skipInit } from './skip-init.js';
export { weightNorm, removeWeightNorm, spectralNorm, removeSpectralNorm, type SpectralNormOptions } from './reparam.js';
/** torch.nn.utils.parametrize: registerParametrization, removeParametrizations, isParametrized, cached, … (./parametrize.ts). */
export * as parametrize from './parametrize.js';
/** torch.nn.utils.parametrizations: orthogonal, spectralNorm, weightNorm (./parametrizations.ts). */
export * as parametrizations from './parametrizations.js';
