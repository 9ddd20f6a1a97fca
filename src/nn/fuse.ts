/**
 * torch.nn.utils.fuse_conv_bn_weights / fuse_conv_bn_eval and fuse_linear_bn_weights /
 * fuse_linear_bn_eval: an eval-mode BatchNorm after a convolution or a Linear folded into its
 * weight and bias, for inference. With s = γ/√(var + ε) per output channel,
 * bn(conv(x)) = conv_W·s(x) + (b − mean)·s + β, so W' = W·s (along the output channels: dim 0 of a
 * convolution's or Linear's weight, or dim 1 of a transposed convolution's [in, out/groups, ...k]
 * weight) and b' = (b − mean)·s + β.
 */
import { checkOptions, checkTensor, isRecord } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import { withoutDraws } from '../random.js';
import { onesLike, zerosLike } from '../api/factories.js';
import { Conv2d, Conv3d, Linear } from './layers.js';
import { Conv1d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d } from './conv-modules.js';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d } from './norm.js';
import { Parameter } from './parameter.js';

/**
 * The fused [weight, bias] as new Parameters (both require grad, as torch 1.13's), the output
 * channels along `dim` of w. b, bnW and bnB may be null: zeros, ones and zeros. The names are the
 * caller's argument names, for the errors.
 */
function fuseWeights(
  fn: string,
  [wName, bName]: [string, string],
  w: Tensor,
  b: Tensor | null,
  bnRm: Tensor,
  bnRv: Tensor,
  bnEps: number,
  bnW: Tensor | null,
  bnB: Tensor | null,
  dim: number,
): [Tensor, Tensor] {
  const given = { [wName]: w, [bName]: b, bnRm, bnRv, bnW, bnB };
  for (const [name, t] of Object.entries(given)) if (t !== null) checkTensor(fn, name, t);
  if (typeof bnEps !== 'number' || !(bnEps >= 0)) throw new ValueError(fn, `bnEps must be a number ≥ 0, got ${fmtValue(bnEps)}`);
  const C = w.ndim >= 2 ? w.shape[dim] : -1;
  for (const [name, t] of Object.entries(given))
    if (t !== null && t !== w && (t.ndim !== 1 || t.shape[0] !== C))
      throw new ShapeError(fn, `${name} must be [${C}] (the weight ${fmtShape(w.shape)}'s output channels, dim ${dim}), got ${fmtShape(t.shape)}`);
  const scale = (bnW ?? onesLike(bnRm)).mul(bnRv.add(bnEps).rsqrt());
  const shape = w.shape.map((_, k) => (k === dim ? C : 1));
  const fusedW = w.mul(scale.reshape(shape));
  const fusedB = (b ?? zerosLike(bnRm))
    .sub(bnRm)
    .mul(scale)
    .add(bnB ?? zerosLike(bnRm));
  return [new Parameter(fusedW), new Parameter(fusedB)];
}

/** torch's fuse_conv_bn_weights: the output channels are dim 0 of convW, dim 1 with `transpose`. */
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
  return fuseWeights('nn.utils.fuseConvBnWeights', ['convW', 'convB'], convW, convB, bnRm, bnRv, bnEps, bnW, bnB, transpose ? 1 : 0);
}

/** torch's fuse_linear_bn_weights: linearW is a Linear's [out, in] weight, the BatchNorm's channels its out. */
export function fuseLinearBnWeights(
  linearW: Tensor,
  linearB: Tensor | null,
  bnRm: Tensor,
  bnRv: Tensor,
  bnEps: number,
  bnW: Tensor | null,
  bnB: Tensor | null,
): [Tensor, Tensor] {
  const fn = 'nn.utils.fuseLinearBnWeights';
  checkTensor(fn, 'linearW', linearW);
  if (linearW.ndim !== 2) throw new ShapeError(fn, `linearW must be a Linear's [out, in] weight, got ${fmtShape(linearW.shape)}`);
  return fuseWeights(fn, ['linearW', 'linearB'], linearW, linearB, bnRm, bnRv, bnEps, bnW, bnB, 0);
}

/** The eval-mode BatchNorm with running statistics that a fusion folds in, or an error naming fn. */
function evalBatchNorm(fn: string, module: { training: boolean }, bn: BatchNorm1d | BatchNorm2d | BatchNorm3d): { runningMean: Tensor; runningVar: Tensor } {
  if (!(bn instanceof BatchNorm1d || bn instanceof BatchNorm2d || bn instanceof BatchNorm3d))
    throw new ValueError(fn, `bn must be an nn.BatchNorm1d, 2d or 3d, got ${fmtValue(bn)}`);
  if (module.training || bn.training) throw new ValueError(fn, 'Fusion only for eval! (call eval() on both modules first)');
  if (bn.runningMean === null || bn.runningVar === null) throw new ValueError(fn, 'bn must track running statistics (trackRunningStats: true)');
  return { runningMean: bn.runningMean, runningVar: bn.runningVar };
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
  const { runningMean, runningVar } = evalBatchNorm(fn, conv, bn);
  const { inChannels, outChannels, kernelSize, stride, padding, dilation, groups } = conv;
  const opts =
    conv instanceof Conv1d || conv instanceof Conv2d || conv instanceof Conv3d ? { paddingMode: conv.paddingMode } : { outputPadding: conv.outputPadding };
  const fused = withoutDraws(
    () => new (conv.constructor as ConvClass)(inChannels, outChannels, kernelSize, { stride, padding, dilation, groups, ...opts, bias: true }),
  );
  const [weight, bias] = noGrad(() => fuseConvBnWeights(conv.weight, conv.bias, runningMean, runningVar, bn.eps, bn.weight, bn.bias, transpose));
  fused.loadStateDict({ weight, bias });
  return fused.eval() as C;
}

/**
 * A copy of an eval-mode nn.Linear with an eval-mode BatchNorm over its outputs folded in (torch's
 * fuse_linear_bn_eval(linear, bn)): an nn.Linear of the same sizes with a bias, built without
 * drawing from the seeded stream; the inputs are left as they were. The BatchNorm's channels must
 * be the Linear's outFeatures (torch 1.13 leaves that to the broadcast).
 */
export function fuseLinearBnEval(linear: Linear, bn: BatchNorm1d | BatchNorm2d | BatchNorm3d): Linear {
  const fn = 'nn.utils.fuseLinearBnEval';
  if (!(linear instanceof Linear)) throw new ValueError(fn, `linear must be an nn.Linear, got ${fmtValue(linear)}`);
  const { runningMean, runningVar } = evalBatchNorm(fn, linear, bn);
  const fused = withoutDraws(() => new Linear(linear.inFeatures, linear.outFeatures, { bias: true }));
  const [weight, bias] = noGrad(() => fuseLinearBnWeights(linear.weight, linear.bias, runningMean, runningVar, bn.eps, bn.weight, bn.bias));
  fused.loadStateDict({ weight, bias });
  return fused.eval();
}
