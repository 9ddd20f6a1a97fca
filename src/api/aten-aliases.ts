/**
 * torch's ATen-level names that PyTorch-based op test suites call (torch.constant_pad_nd,
 * torch.convolution, torch.conv_tbc, torch.native_layer_norm/batch_norm/group_norm/dropout/norm,
 * torch.norm_except_dim, torch.feature_dropout, torch.grid_sampler*, torch.affine_grid_generator,
 * torch.embedding_renorm_), in ATen's positional argument order and return forms, each dispatching to
 * the library's own function (so values and gradients are those of the public ops).
 */
import { checkBool, checkTensor } from '../engine/check.js';
import { noGrad } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { checkDim } from '../ops/types.js';
import { ones, rand, zeros } from './creation.js';
import { add, lt, mul } from './elementwise.js';
import { rsqrt } from './math.js';
import { mean, variance } from './reduce.js';
import { dropout, permute, reshape } from './shape.js';
import { embeddingRenorm_ as renormRows } from './embedding.js';
import {
  affineGrid,
  batchNorm,
  conv1d,
  conv2d,
  conv3d,
  convTranspose1d,
  convTranspose2d,
  convTranspose3d,
  gridSample,
  groupNorm,
  layerNorm,
  pad as padFn,
  vectorNorm,
} from './torch-forms.js';
import type { GridSampleOptions } from './grid.js';

/** torch.constant_pad_nd(x, pad, value = 0): F.pad's constant mode (pairs from the last dim; negative entries crop). */
export function constantPadNd(x: Tensor, pad: readonly number[], value = 0): Tensor {
  checkTensor('constantPadNd', 'input', x);
  return padFn(x, pad, { mode: 'constant', value });
}

type IntOrList = number | readonly number[];

/**
 * torch.convolution(input, weight, bias, stride, padding, dilation, transposed, outputPadding,
 * groups): ATen's one convolution, dispatched by the weight's rank (3, 4, 5: 1-D, 2-D, 3-D) to
 * conv1d/2d/3d or, with `transposed`, convTranspose1d/2d/3d (which alone read outputPadding).
 */
export function convolution(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  stride: IntOrList,
  padding: IntOrList,
  dilation: IntOrList,
  transposed: boolean,
  outputPadding: IntOrList,
  groups: number,
): Tensor {
  const fn = 'convolution';
  checkTensor(fn, 'input', input);
  checkTensor(fn, 'weight', weight);
  checkBool(fn, 'transposed', transposed);
  const k = weight.ndim - 2;
  if (k < 1 || k > 3) throw new ShapeError(fn, `expected a weight of 3, 4 or 5 dims (a 1-D, 2-D or 3-D convolution), got shape ${fmtShape(weight.shape)}`);
  if (transposed) {
    const f = [convTranspose1d, convTranspose2d, convTranspose3d][k - 1] as typeof convTranspose2d;
    return f(input, weight, bias, { stride, padding, dilation, outputPadding, groups } as never);
  }
  const f = [conv1d, conv2d, conv3d][k - 1] as typeof conv2d;
  return f(input, weight, bias, { stride, padding, dilation, groups } as never);
}

/**
 * torch.conv_tbc(input, weight, bias, pad = 0) (also F.convTbc): a 1-D convolution of time-major
 * input [T, B, Cin] with weight [K, Cin, Cout] and bias [Cout] → [T + 2·pad − K + 1, B, Cout];
 * conv1d on the [B, Cin, T] layout with the weight as [Cout, Cin, K] (a cross-correlation, as torch's).
 */
export function convTbc(input: Tensor, weight: Tensor, bias: Tensor, pad = 0): Tensor {
  const fn = 'convTbc';
  checkTensor(fn, 'input', input);
  checkTensor(fn, 'weight', weight);
  checkTensor(fn, 'bias', bias);
  if (input.ndim !== 3) throw new ShapeError(fn, `input must have 3 dims: time, batch, in_channel; got shape ${fmtShape(input.shape)}`);
  if (weight.ndim !== 3) throw new ShapeError(fn, `weight must have 3 dims: kernel_width, in_channels, out_channels; got shape ${fmtShape(weight.shape)}`);
  if (bias.ndim !== 1 || bias.shape[0] !== weight.shape[2])
    throw new ShapeError(fn, `bias must be 1-D of the weight's out_channels ${weight.shape[2]}, got shape ${fmtShape(bias.shape)}`);
  if (input.shape[2] !== weight.shape[1])
    throw new ShapeError(fn, `input dim 2 (input channels, ${input.shape[2]}) must equal dim 1 of the weight (${weight.shape[1]})`);
  if (!Number.isSafeInteger(pad) || pad < 0) throw new ValueError(fn, `pad must be a non-negative integer, got ${fmtValue(pad)}`);
  const y = conv1d(permute(input, [1, 2, 0]), permute(weight, [2, 1, 0]), bias, { padding: pad });
  return permute(y, [2, 0, 1]);
}

/** The statistics of x over `dims` (keepdim), biased variance: [mean, 1/√(var + eps)]. */
function stats(x: Tensor, dims: number[], eps: number): [Tensor, Tensor] {
  return [mean(x, dims, true), rsqrt(add(variance(x, dims, { correction: 0, keepdim: true }), eps))];
}

const detachedStats = (x: Tensor, dims: number[], eps: number): [Tensor, Tensor] => noGrad(() => stats(x.detach(), dims, eps));

/**
 * torch.native_layer_norm(input, normalizedShape, weight, bias, eps) → [out, mean, rstd]: layerNorm's
 * output, and the mean and 1/√(biased var + eps) of each normalized group, shaped as torch's
 * (input's leading dims, then a 1 per normalized dim; no gradient, as torch's).
 */
export function nativeLayerNorm(input: Tensor, normalizedShape: IntOrList, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor[] {
  checkTensor('nativeLayerNorm', 'input', input);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const out = layerNorm(input, shape, { weight, bias, eps });
  const dims = shape.map((_, i) => input.ndim - shape.length + i);
  return [out, ...detachedStats(input, dims, eps)];
}

/**
 * torch.native_batch_norm(input, weight, bias, runningMean, runningVar, training, momentum, eps) →
 * [out, saveMean, saveInvstd]: in training, the batch's per-channel mean and 1/√(biased var + eps)
 * ([C], no gradient; the running statistics, when given, updated in place as batchNorm does); in
 * evaluation both are empty [0] tensors, as torch's, and the running statistics are required
 * (torch 1.13 crashes without them).
 */
export function nativeBatchNorm(
  input: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  training: boolean,
  momentum: number,
  eps: number,
): Tensor[] {
  const fn = 'nativeBatchNorm';
  checkTensor(fn, 'input', input);
  checkBool(fn, 'training', training);
  if (!training && (runningMean == null || runningVar == null))
    throw new ValueError(fn, 'evaluation (training false) normalizes with runningMean and runningVar, which must both be given');
  const out = batchNorm(input, runningMean, runningVar, { weight, bias, training, momentum, eps });
  if (!training) return [out, zeros([0]), zeros([0])];
  const dims = input.shape.map((_, k) => k).filter((k) => k !== 1);
  return [out, ...detachedStats(input, dims, eps).map((t) => reshape(t, [input.shape[1]]))];
}

/**
 * torch.native_group_norm(input, weight, bias, N, C, HxW, group, eps) → [out, mean, rstd]: groupNorm's
 * output and each sample's group statistics [N, group] (biased variance; differentiable, torch's
 * outputs require grad). N, C and HxW must describe the input, as torch checks.
 */
export function nativeGroupNorm(
  input: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  N: number,
  C: number,
  HxW: number,
  group: number,
  eps: number,
): Tensor[] {
  const fn = 'nativeGroupNorm';
  checkTensor(fn, 'input', input);
  if (input.ndim < 2 || input.shape[0] !== N || input.shape[1] !== C || N * C * HxW !== input.size)
    throw new ShapeError(
      fn,
      `expected an input [N, C, *] with N = ${fmtValue(N)}, C = ${fmtValue(C)} and HxW = ${fmtValue(HxW)} elements per channel, got shape ${fmtShape(input.shape)}`,
    );
  const out = groupNorm(input, group, { weight, bias, eps });
  const [m, r] = stats(reshape(input, [N, group, (C / group) * HxW]), [2], eps);
  return [out, reshape(m, [N, group]), reshape(r, [N, group])];
}

/** The dropout probability, checked as torch's. */
function probability(fn: string, p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(fn, `dropout probability has to be between 0 and 1, but got ${fmtValue(p)}`);
  return p;
}

/**
 * torch.native_dropout(input, p, train) → [out, mask]: in training each element kept with
 * probability 1 − p and scaled by 1/(1 − p), mask the float32 0/1 of the kept ones (torch's bool;
 * p = 1 gives zeros); outside training (train false) a copy of the input and a mask of ones. The
 * draws come from the seeded stream, so they differ from torch's.
 */
export function nativeDropout(input: Tensor, p: number, train: boolean | null): Tensor[] {
  const fn = 'nativeDropout';
  checkTensor(fn, 'input', input);
  probability(fn, p);
  if (train !== null) checkBool(fn, 'train', train);
  if (train === false) return [mul(input, 1), ones(input.shape)];
  const mask = noGrad(() => lt(rand(input.shape), 1 - p));
  return [p === 1 ? mul(input, 0) : mul(input, mul(mask, 1 / (1 - p))), mask];
}

/** torch.native_norm(x, p = 2): the p-norm of all elements (linalg.vectorNorm; torch 1.13 has it for sparse tensors only). */
export function nativeNorm(x: Tensor, p = 2): Tensor {
  checkTensor('nativeNorm', 'input', x);
  return vectorNorm(x, { ord: p });
}

/**
 * torch.norm_except_dim(v, pow = 2, dim = 0): the pow-norm over every dim but `dim`, kept as size-1
 * dims (weight normalization's ‖v‖ per output channel); dim −1 is torch's "no dim": the norm of all
 * elements, 0-d.
 */
export function normExceptDim(v: Tensor, pow = 2, dim = 0): Tensor {
  checkTensor('normExceptDim', 'input', v);
  if (dim === -1) return vectorNorm(v, { ord: pow });
  const d = checkDim('normExceptDim', dim, v.ndim, v.shape);
  const others = v.shape.map((_, k) => k).filter((k) => k !== d);
  return vectorNorm(v, { ord: pow, dim: others, keepdim: true });
}

/**
 * torch.feature_dropout(input, p, train): dropout of whole features: each [n, c] slice of an input
 * [N, C, *] zeroed with probability p in training, the kept ones scaled by 1/(1 − p) (a 2-D input
 * drops single elements, as torch's).
 */
export function featureDropout(input: Tensor, p: number, train: boolean): Tensor {
  const fn = 'featureDropout';
  checkTensor(fn, 'input', input);
  probability(fn, p);
  checkBool(fn, 'train', train);
  if (input.ndim < 2) throw new ShapeError(fn, `feature dropout requires at least 2 dimensions in the input, got shape ${fmtShape(input.shape)}`);
  if (!train || p === 0) return input;
  return mul(input, dropout(ones([...input.shape.slice(0, 2), ...Array<number>(input.ndim - 2).fill(1)]), p, true));
}

const MODES: readonly NonNullable<GridSampleOptions['mode']>[] = ['bilinear', 'nearest', 'bicubic'];
const PADDINGS: readonly NonNullable<GridSampleOptions['paddingMode']>[] = ['zeros', 'border', 'reflection'];

/** gridSample with ATen's integer enums; `rank` 4 or 5 checks the input's for the 2d/3d forms. */
function gridSamplerOf(fn: string, rank: number | null) {
  return (input: Tensor, grid: Tensor, interpolationMode: number, paddingMode: number, alignCorners: boolean): Tensor => {
    checkTensor(fn, 'input', input);
    checkTensor(fn, 'grid', grid);
    if (rank !== null && input.ndim !== rank)
      throw new ShapeError(fn, `expects a ${rank}-D input ${rank === 4 ? '[N, C, H, W]' : '[N, C, D, H, W]'}, got shape ${fmtShape(input.shape)}`);
    const mode = MODES[interpolationMode],
      padding = PADDINGS[paddingMode];
    if (!Number.isInteger(interpolationMode) || mode === undefined)
      throw new ValueError(fn, `interpolationMode must be 0 (bilinear), 1 (nearest) or 2 (bicubic), got ${fmtValue(interpolationMode)}`);
    if (!Number.isInteger(paddingMode) || padding === undefined)
      throw new ValueError(fn, `paddingMode must be 0 (zeros), 1 (border) or 2 (reflection), got ${fmtValue(paddingMode)}`);
    return gridSample(input, grid, { mode, paddingMode: padding, alignCorners });
  };
}
/** torch.grid_sampler(input, grid, interpolationMode, paddingMode, alignCorners): F.grid_sample with ATen's enums (0 bilinear, 1 nearest, 2 bicubic; 0 zeros, 1 border, 2 reflection). */
export const gridSampler = /* @__PURE__ */ gridSamplerOf('gridSampler', null);
/** torch.grid_sampler_2d: gridSampler of a 4-D input. */
export const gridSampler2d = /* @__PURE__ */ gridSamplerOf('gridSampler2d', 4);
/** torch.grid_sampler_3d: gridSampler of a 5-D input. */
export const gridSampler3d = /* @__PURE__ */ gridSamplerOf('gridSampler3d', 5);

/** torch.affine_grid_generator(theta, size, alignCorners): F.affine_grid. */
export function affineGridGenerator(theta: Tensor, size: readonly number[], alignCorners: boolean): Tensor {
  return affineGrid(theta, size, { alignCorners });
}

/**
 * torch.embedding_renorm_(weight, indices, maxNorm, normType): the rows of weight that indices name,
 * where their normType-norm exceeds maxNorm, scaled in place to maxNorm (by maxNorm/(norm + 1e-7),
 * as torch); weight returned. Not recorded by autograd, as torch's.
 */
export function embeddingRenorm_(weight: Tensor, indices: Tensor, maxNorm: number, normType: number): Tensor {
  const fn = 'embeddingRenorm_';
  checkTensor(fn, 'weight', weight);
  checkTensor(fn, 'indices', indices);
  if (weight.ndim !== 2) throw new ShapeError(fn, `weight must be 2-D [n, d], got shape ${fmtShape(weight.shape)}`);
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new ValueError(fn, `maxNorm must be a non-negative number, got ${fmtValue(maxNorm)}`);
  if (typeof normType !== 'number' || Number.isNaN(normType)) throw new ValueError(fn, `normType must be a number, got ${fmtValue(normType)}`);
  renormRows(fn, weight, indices, maxNorm, normType);
  return weight;
}
