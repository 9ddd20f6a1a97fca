/**
 * torch.nn.utils.fuse_conv_bn_weights and fuse_conv_bn_eval: an eval-mode BatchNorm after a
 * convolution folded into the convolution's weight and bias, for inference. With s = γ/√(var + ε)
 * per output channel, bn(conv(x)) = conv_W·s(x) + (b − mean)·s + β, so W' = W·s (along the output
 * channels: dim 0, or dim 1 of a transposed convolution's [in, out/groups, ...k] weight) and
 * b' = (b − mean)·s + β.
 */
import { checkOptions, checkTensor, isRecord } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import { getRngState, setRngState } from '../random.js';
import { onesLike, zerosLike } from '../api/factories.js';
import { Conv2d, Conv3d } from './layers.js';
import { Conv1d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d } from './conv-modules.js';
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

type PlainConv = Conv1d | Conv2d | Conv3d;
type TransposedConv = ConvTranspose1d | ConvTranspose2d | ConvTranspose3d;
type ConvClass = new (inC: number, outC: number, k: unknown, opts: object) => PlainConv | TransposedConv;

/**
 * A copy of an eval-mode convolution with an eval-mode BatchNorm folded in (torch's
 * fuse_conv_bn_eval(conv, bn, transpose=False)): Conv1d/2d/3d, or with `transpose` true (torch's
 * transpose=True, scaling the weight's dim 1) ConvTranspose1d/2d/3d. The same options, a bias
 * always, weight and bias from fuseConvBnWeights; the inputs are left as they were. The copy is
 * built without drawing from the seeded stream. Torch scales the wrong dim of a module whose kind
 * disagrees with `transpose`; here that is an error.
 */
export function fuseConvBnEval<C extends PlainConv | TransposedConv>(
  conv: C,
  bn: BatchNorm1d | BatchNorm2d | BatchNorm3d,
  transposeArg: boolean | { transpose?: boolean } = false,
): C {
  const fn = 'nn.utils.fuseConvBnEval';
  // torch's keyword form fuse_conv_bn_eval(conv, bn, transpose=True): { transpose: true }
  const transpose = isRecord(transposeArg) ? (checkOptions<{ transpose?: boolean }>(fn, transposeArg, ['transpose']).transpose ?? false) : transposeArg;
  if (typeof transpose !== 'boolean') throw new ValueError(fn, `transpose must be a boolean, got ${fmtValue(transpose)}`);
  const transposed = conv instanceof ConvTranspose1d || conv instanceof ConvTranspose2d || conv instanceof ConvTranspose3d;
  if (!(transposed || conv instanceof Conv1d || conv instanceof Conv2d || conv instanceof Conv3d))
    throw new ValueError(fn, `conv must be an nn.Conv1d, Conv2d or Conv3d, or a ConvTranspose1d/2d/3d with transpose, got ${fmtValue(conv)}`);
  if (transposed !== transpose)
    throw new ValueError(
      fn,
      `transpose must be ${transposed} for an nn.${conv.constructor.name} (its weight's output channels are dim ${transposed ? 1 : 0}), got ${transpose}`,
    );
  if (transposed && conv.groups > 1)
    throw new ValueError(
      fn,
      `a grouped transposed convolution (groups ${conv.groups}) cannot be fused: its weight's dim 1 holds outChannels/groups channels (torch's broadcast fails too)`,
    );
  if (!(bn instanceof BatchNorm1d || bn instanceof BatchNorm2d || bn instanceof BatchNorm3d))
    throw new ValueError(fn, `bn must be an nn.BatchNorm1d, 2d or 3d, got ${fmtValue(bn)}`);
  if (conv.training || bn.training) throw new ValueError(fn, 'Fusion only for eval! (call eval() on both modules first)');
  if (bn.runningMean === null || bn.runningVar === null) throw new ValueError(fn, 'bn must track running statistics (trackRunningStats: true)');
  const { inChannels, outChannels, kernelSize, stride, padding, dilation, groups } = conv;
  const opts =
    conv instanceof Conv1d || conv instanceof Conv2d || conv instanceof Conv3d ? { paddingMode: conv.paddingMode } : { outputPadding: conv.outputPadding };
  const rng = getRngState();
  const fused = new (conv.constructor as ConvClass)(inChannels, outChannels, kernelSize, { stride, padding, dilation, groups, ...opts, bias: true });
  setRngState(rng);
  const [weight, bias] = noGrad(() => fuseConvBnWeights(conv.weight, conv.bias, bn.runningMean!, bn.runningVar!, bn.eps, bn.weight, bn.bias, transpose));
  fused.loadStateDict({ weight, bias });
  return fused.eval() as C;
}
