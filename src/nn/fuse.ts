/**
 * torch.nn.utils.fuse_conv_bn_weights and fuse_conv_bn_eval: an eval-mode BatchNorm after a
 * convolution folded into the convolution's weight and bias, for inference. With s = γ/√(var + ε)
 * per output channel, bn(conv(x)) = conv_W·s(x) + (b − mean)·s + β, so W' = W·s (along the output
 * channels: dim 0, or dim 1 of a transposed convolution's [in, out/groups, ...k] weight) and
 * b' = (b − mean)·s + β.
 */
import { checkTensor } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import { getRngState, setRngState } from '../random.js';
import { onesLike, zerosLike } from '../api/factories.js';
import { Conv2d, Conv3d } from './layers.js';
import { Conv1d } from './conv-modules.js';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d } from './norm.js';
import { Parameter } from './parameter.js';

/**
 * The fused [weight, bias] as new Parameters (both require grad, as torch 1.13's). convB, bnW and
 * bnB may be null: zeros, ones and zeros.
 */
export function fuseConvBnWeights(
  convW: Tensor,
  convB: Tensor | null,
  bnRm: Tensor,
  bnRv: Tensor,
  bnEps: number,
  bnW: Tensor | null,
  bnB: Tensor | null,
  transpose = false,
): [Tensor, Tensor] {
  const fn = 'nn.utils.fuseConvBnWeights';
  const given = { convW, convB, bnRm, bnRv, bnW, bnB };
  for (const [name, t] of Object.entries(given)) if (t !== null) checkTensor(fn, name, t);
  if (typeof bnEps !== 'number' || !(bnEps >= 0)) throw new ValueError(fn, `bnEps must be a number ≥ 0, got ${fmtValue(bnEps)}`);
  const dim = transpose ? 1 : 0;
  const C = convW.ndim >= 2 ? convW.shape[dim] : -1;
  for (const [name, t] of Object.entries(given))
    if (t !== null && t !== convW && (t.ndim !== 1 || t.shape[0] !== C))
      throw new ShapeError(fn, `${name} must be [${C}] (the weight ${fmtShape(convW.shape)}'s output channels, dim ${dim}), got ${fmtShape(t.shape)}`);
  const scale = (bnW ?? onesLike(bnRm)).mul(bnRv.add(bnEps).rsqrt());
  const shape = convW.shape.map((_, k) => (k === dim ? C : 1));
  const w = convW.mul(scale.reshape(shape));
  const b = (convB ?? zerosLike(bnRm))
    .sub(bnRm)
    .mul(scale)
    .add(bnB ?? zerosLike(bnRm));
  return [new Parameter(w), new Parameter(b)];
}

type Conv = Conv1d | Conv2d | Conv3d;
type ConvClass = new (inC: number, outC: number, k: unknown, opts: object) => Conv;

/**
 * A copy of an eval-mode Conv1d/2d/3d with an eval-mode BatchNorm folded in (torch's
 * fuse_conv_bn_eval): the same options, a bias always, weight and bias from fuseConvBnWeights; the
 * inputs are left as they were. The copy is built without drawing from the seeded stream.
 */
export function fuseConvBnEval(conv: Conv, bn: BatchNorm1d | BatchNorm2d | BatchNorm3d): Conv {
  const fn = 'nn.utils.fuseConvBnEval';
  if (!(conv instanceof Conv1d || conv instanceof Conv2d || conv instanceof Conv3d))
    throw new ValueError(fn, `conv must be an nn.Conv1d, Conv2d or Conv3d, got ${fmtValue(conv)}`);
  if (!(bn instanceof BatchNorm1d || bn instanceof BatchNorm2d || bn instanceof BatchNorm3d))
    throw new ValueError(fn, `bn must be an nn.BatchNorm1d, 2d or 3d, got ${fmtValue(bn)}`);
  if (conv.training || bn.training) throw new ValueError(fn, 'Fusion only for eval! (call eval() on both modules first)');
  if (bn.runningMean === null || bn.runningVar === null) throw new ValueError(fn, 'bn must track running statistics (trackRunningStats: true)');
  const { inChannels, outChannels, kernelSize, stride, padding, dilation, groups, paddingMode } = conv;
  const rng = getRngState();
  const fused = new (conv.constructor as ConvClass)(inChannels, outChannels, kernelSize, { stride, padding, dilation, groups, paddingMode, bias: true });
  setRngState(rng);
  const [weight, bias] = noGrad(() => fuseConvBnWeights(conv.weight, conv.bias, bn.runningMean!, bn.runningVar!, bn.eps, bn.weight, bn.bias));
  fused.loadStateDict({ weight, bias });
  return fused.eval();
}
