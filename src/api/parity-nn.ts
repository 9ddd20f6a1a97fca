/**
 * The functions behind the nn modules ported for parity with torch.nn: F.bilinear, F.rms_norm,
 * F.unfold, F.fold (composites of src/ops/parity-nn.ts), and F.channel_shuffle, F.lp_pool1d/2d,
 * F.alpha_dropout, F.feature_alpha_dropout, F.rrelu, F.max_unpool1d/2d written over existing ops.
 */
import { avgPool1d, avgPool2d } from './conv.js';
import { constant, ones, zeros } from './creation.js';
import { abs, add, ge, gt, leakyRelu, mul, pow, relu, sub, where } from './elementwise.js';
import { randLike } from './factories.js';
import { sign } from './math.js';
import { scatter } from './indexing.js';
import { dropout, reshape, transpose } from './shape.js';
import { checkBool, checkIndices, checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { op } from '../ops/index.js';
import type { FoldAttrs, UnfoldAttrs } from '../ops/parity-nn.js';
import { checkP } from '../ops/shape.js';
import { fmtShape, sameShape, sizeOf } from '../ops/types.js';
import { pair, perDim, type Size2, type Size3 } from '../ops/window.js';

/** y = x1ᵀ·W·x2 + b per row (torch F.bilinear): x1 [*, in1], x2 [*, in2], weight [out, in1, in2], bias [out] → [*, out]. */
export function bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkTensor('bilinear', 'input1', x1);
  checkTensor('bilinear', 'input2', x2);
  checkTensor('bilinear', 'weight', weight);
  if (bias !== null) checkTensor('bilinear', 'bias', bias);
  return apply(op('bilinear'), [x1, x2, weight, bias ?? constant(0, x1.storage.backend)], { bias: bias !== null });
}

export interface RmsNormOptions {
  /** Multiplies the normalised values, of shape normalizedShape (default none: 1). */
  weight?: Tensor | null;
  /** Added to the mean square (default float32's machine epsilon 2⁻²³, torch's finfo(x.dtype).eps). */
  eps?: number | null;
}

/** x / √(mean(x²) + eps) · weight over the trailing normalizedShape dims (torch ≥ 2.4's F.rms_norm). */
export function rmsNorm(x: Tensor, normalizedShape: number | readonly number[], opts: RmsNormOptions = {}): Tensor {
  checkTensor('rmsNorm', 'input', x);
  const { weight = null, eps = null } = checkOptions<RmsNormOptions>('rmsNorm', opts, ['weight', 'eps']);
  if (weight !== null) checkTensor('rmsNorm', 'weight', weight);
  return apply(op('rmsNorm'), [x, weight ?? constant(0, x.storage.backend)], {
    normalizedShape: typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape,
    eps: eps ?? undefined,
    weight: weight !== null,
  });
}

export type UnfoldOptions = Omit<UnfoldAttrs, 'kernelSize'>;

/** im2col (torch F.unfold): x [N, C, H, W] (or [C, H, W]) → [N, C·kh·kw, L], one column per sliding block. */
export function unfold(x: Tensor, kernelSize: Size2, opts: UnfoldOptions = {}): Tensor {
  checkTensor('unfold', 'input', x);
  const o = checkOptions<UnfoldOptions>('unfold', opts, ['dilation', 'padding', 'stride']);
  return apply(op('unfold'), [x], { ...o, kernelSize });
}

/** col2im (torch F.fold): x [N, C·kh·kw, L] (or [C·kh·kw, L]) → [N, C, H, W] with outputSize [H, W], overlapping blocks summed. */
export function fold(x: Tensor, outputSize: Size2, kernelSize: Size2, opts: UnfoldOptions = {}): Tensor {
  checkTensor('fold', 'input', x);
  const o = checkOptions<UnfoldOptions>('fold', opts, ['dilation', 'padding', 'stride']);
  return apply(op('fold'), [x], { ...o, outputSize, kernelSize } satisfies FoldAttrs);
}

/** Interleaves the channels of x [N, C, *] from `groups` groups (torch F.channel_shuffle): [N, g, C/g, *] transposed to [N, C/g, g, *]. */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  checkTensor('channelShuffle', 'input', x);
  if (!Number.isInteger(groups) || groups < 1) throw new ValueError('channelShuffle', `groups must be a positive integer, got ${fmtValue(groups)}`);
  if (x.ndim < 3) throw new ShapeError('channelShuffle', `expected an input [N, C, *] of at least 3 dims (as PyTorch), got shape ${fmtShape(x.shape)}`);
  const [n, c, ...rest] = x.shape;
  if (c % groups !== 0) throw new ValueError('channelShuffle', `the ${c} channels of shape ${fmtShape(x.shape)} must be divisible by groups ${groups}`);
  return reshape(transpose(reshape(x, [n, groups, c / groups, ...rest]), 1, 2), x.shape);
}

export interface LpPoolOptions<S> {
  /** Defaults to the kernel size. */
  stride?: S | null;
  ceilMode?: boolean;
}

function checkNormType(fn: string, normType: unknown): asserts normType is number {
  if (typeof normType !== 'number' || !Number.isFinite(normType) || normType === 0)
    throw new ValueError(fn, `normType must be a finite non-zero number, got ${fmtValue(normType)}`);
}

/**
 * torch's lp_pool: (Σ over the window xᵖ)^(1/p), written as torch 1.13 writes it: the average pool
 * of xᵖ, then sign(s)·relu(|s|) (s itself; its gradient is 0 where s = 0), times the window size,
 * to the power 1/p. So a negative window sum with a fractional 1/p is NaN, as in PyTorch, and
 * x < 0 with a non-integer p too (xᵖ is NaN).
 */
function lpPool(x: Tensor, normType: number, windowSize: number, pool: (xp: Tensor) => Tensor): Tensor {
  const s = pool(pow(x, normType));
  return pow(mul(mul(sign(s), relu(abs(s))), windowSize), 1 / normType);
}

/** Power-average pooling over windows of x [N, C, L] (or [C, L]) (torch F.lp_pool1d); stride defaults to kernelSize. */
export function lpPool1d(x: Tensor, normType: number, kernelSize: number, opts: LpPoolOptions<number> = {}): Tensor {
  checkTensor('lpPool1d', 'input', x);
  checkNormType('lpPool1d', normType);
  const { stride, ceilMode } = checkOptions<LpPoolOptions<number>>('lpPool1d', opts, ['stride', 'ceilMode']);
  const k = pair('lpPool1d', 'kernelSize', kernelSize, 1)[0];
  return lpPool(x, normType, k, (xp) => avgPool1d(xp, k, { stride: stride ?? k, ceilMode }));
}

/** Power-average pooling over windows of x [N, C, H, W] (or [C, H, W]) (torch F.lp_pool2d); stride defaults to kernelSize. */
export function lpPool2d(x: Tensor, normType: number, kernelSize: Size2, opts: LpPoolOptions<Size2> = {}): Tensor {
  checkTensor('lpPool2d', 'input', x);
  checkNormType('lpPool2d', normType);
  const { stride, ceilMode } = checkOptions<LpPoolOptions<Size2>>('lpPool2d', opts, ['stride', 'ceilMode']);
  const [kh, kw] = pair('lpPool2d', 'kernelSize', kernelSize, 1);
  return lpPool(x, normType, kh * kw, (xp) => avgPool2d(xp, [kh, kw], { stride: stride ?? [kh, kw], ceilMode }));
}

/** SELU's −λα: the value a dropped input takes before the affine correction. */
const SELU_NEG_SAT = 1.0507009873554805 * 1.6732632423543772;

/**
 * Alpha dropout (torch F.alpha_dropout, F.feature_alpha_dropout): in training, each element (or
 * each channel of [N, C, *] for the feature form) is kept with probability 1 − p, the others set
 * to SELU's saturation −λα; then a·y + b with a = ((1 − p)(1 + p·λ²α²))^(−½), b = −a·(−λα)·p, which
 * keeps a zero-mean, unit-variance input so. The mask is the dropout kernel's (hash of a seed
 * drawn from the stream, element i kept iff hash(seed, i) ≥ ⌊p·2³²⌋) on ones of the mask's shape.
 * Written as mask·(a·x + λα·a) − λα·a·(1 − p), torch's formula regrouped.
 */
function alphaDropoutImpl(fn: string, x: Tensor, p: number, training: boolean, feature: boolean): Tensor {
  checkTensor(fn, 'input', x);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError(fn, `p must be a probability in [0, 1], got ${fmtValue(p)}`);
  checkBool(fn, 'training', training);
  if (feature && x.ndim < 2) throw new ShapeError(fn, `expected an input [N, C, *] (or [C, *] unbatched) of at least 2 dims, got shape ${fmtShape(x.shape)}`);
  if (!training || p === 0) return x;
  const alpha = SELU_NEG_SAT;
  // p = 1 drops everything and a would be 1/0: torch returns x·0 there.
  if (p === 1) return mul(x, 0);
  checkP(p);
  const a = 1 / Math.sqrt((alpha * alpha * p + 1) * (1 - p));
  const maskShape = feature ? [...x.shape.slice(0, 2), ...Array<number>(x.ndim - 2).fill(1)] : x.shape;
  const mask = ge(dropout(ones(maskShape), p, true), 1);
  return sub(mul(mask, add(mul(x, a), alpha * a)), alpha * a * (1 - p));
}

/** Alpha dropout (torch F.alpha_dropout; default p 0.5, training false): keeps SELU's mean and variance. */
export const alphaDropout = (x: Tensor, p = 0.5, training = false): Tensor => alphaDropoutImpl('alphaDropout', x, p, training, false);
/** Alpha dropout of whole channels of [N, C, *] (torch F.feature_alpha_dropout; default p 0.5, training false). */
export const featureAlphaDropout = (x: Tensor, p = 0.5, training = false): Tensor => alphaDropoutImpl('featureAlphaDropout', x, p, training, true);

export interface RreluOptions {
  /** Lower bound of the random negative slope (default 1/8). */
  lower?: number;
  /** Upper bound (default 1/3). */
  upper?: number;
  /** Random slopes (true) or the fixed (lower + upper)/2 (default false, as torch F.rrelu). */
  training?: boolean;
}

/**
 * Randomized leaky ReLU (torch F.rrelu): x for x > 0, else a·x with a drawn per element from
 * U(lower, upper) in training (wg.manualSeed's stream, as wg.randLike, one draw for every element),
 * or a = (lower + upper)/2 otherwise. The gradient of an input ≤ 0 is its a (torch's, at 0 too).
 */
export function rrelu(x: Tensor, opts: RreluOptions = {}): Tensor {
  checkTensor('rrelu', 'input', x);
  const { lower = 1 / 8, upper = 1 / 3, training = false } = checkOptions<RreluOptions>('rrelu', opts, ['lower', 'upper', 'training']);
  checkBool('rrelu', 'training', training);
  if (typeof lower !== 'number' || typeof upper !== 'number' || !Number.isFinite(lower) || !Number.isFinite(upper) || lower > upper)
    throw new ValueError('rrelu', `lower and upper must be finite numbers with lower ≤ upper, got ${fmtValue(lower)} and ${fmtValue(upper)}`);
  if (!training) return leakyRelu(x, (lower + upper) / 2);
  const slopes = add(mul(randLike(x), upper - lower), lower);
  return where(gt(x, 0), x, mul(x, slopes));
}

export interface MaxUnpoolOptions<S> {
  /** Defaults to the kernel size. */
  stride?: S | null;
  padding?: S;
  /** The spatial output size (or with the leading [N, C]); default (in − 1)·stride + kernel − 2·padding. */
  outputSize?: readonly number[] | number | null;
}

/**
 * torch's max_unpool: every value of x [N, C, *spatial] (or [C, *spatial]) is written at its
 * int32 index (maxPool's returnIndices: a position within its output plane) of a zero plane of
 * the output size, a scatter along the flattened plane, so the gradient of each value is the
 * output gradient at its index (indices shared by overlapping windows each get it, as torch).
 * An outputSize must lie strictly within stride of the default, as torch checks.
 */
function maxUnpool(fn: string, spatial: number, x: Tensor, indices: Tensor, kernelSize: Size2 | Size3, opts: MaxUnpoolOptions<Size2 | Size3>): Tensor {
  checkTensor(fn, 'input', x);
  checkTensor(fn, 'indices', indices);
  const o = checkOptions<MaxUnpoolOptions<Size2 | Size3>>(fn, opts, ['stride', 'padding', 'outputSize']);
  if (x.dtype !== 'float32' || indices.dtype !== 'int32')
    throw new DTypeError(fn, `expects a float32 input and int32 indices (maxPool's returnIndices), got ${x.dtype} and ${indices.dtype}`);
  const layout = ['L', 'H, W', 'D, H, W'][spatial - 1];
  if ((x.ndim !== spatial + 1 && x.ndim !== spatial + 2) || !sameShape(x.shape, indices.shape))
    throw new ShapeError(
      fn,
      `expects an input [N, C, ${layout}] (or [C, ${layout}]) and indices of its shape, got ${fmtShape(x.shape)} and ${fmtShape(indices.shape)}`,
    );
  const k = perDim(fn, 'kernelSize', kernelSize, spatial, 1);
  const s = perDim(fn, 'stride', o.stride ?? k, spatial, 1);
  const p = perDim(fn, 'padding', o.padding ?? 0, spatial, 0);
  const inner = x.shape.slice(-spatial);
  const lead = x.shape.slice(0, -spatial);
  const byDefault = inner.map((n, d) => (n - 1) * s[d] + k[d] - 2 * p[d]);
  let size = byDefault;
  if (o.outputSize != null) {
    const given = typeof o.outputSize === 'number' ? [o.outputSize] : [...o.outputSize];
    size = given.length === spatial + 2 ? given.slice(2) : given;
    if (size.length !== spatial || size.some((v, d) => !Number.isInteger(v) || !(byDefault[d] - s[d] < v && v < byDefault[d] + s[d])))
      throw new ValueError(
        fn,
        `outputSize must be ${spatial} sizes (or ${spatial + 2} with N, C), each strictly between default − stride and default + stride (default ${fmtShape(byDefault)}, stride ${fmtShape(s)}), got ${fmtValue(o.outputSize)}`,
      );
  }
  if (size.some((v) => v < 0)) throw new ShapeError(fn, `padding ${fmtShape(p)} leaves an output of ${fmtShape(size)} for an input ${fmtShape(x.shape)}`);
  const plane = sizeOf(size),
    n = sizeOf(inner);
  checkIndices(fn, indices, plane, `an output plane of ${fmtShape(size)}`);
  const y = scatter(zeros([...lead, plane]), lead.length, reshape(indices, [...lead, n]), reshape(x, [...lead, n]));
  return reshape(y, [...lead, ...size]);
}

/** Partial inverse of maxPool1d (torch F.max_unpool1d): values of x [N, C, L] placed at their indices, zeros elsewhere. */
export const maxUnpool1d = (x: Tensor, indices: Tensor, kernelSize: number | [number], opts: MaxUnpoolOptions<number | [number]> = {}): Tensor =>
  maxUnpool('maxUnpool1d', 1, x, indices, kernelSize, opts);
/** Partial inverse of maxPool2d (torch F.max_unpool2d): values of x [N, C, H, W] placed at their indices, zeros elsewhere. */
export const maxUnpool2d = (x: Tensor, indices: Tensor, kernelSize: Size2, opts: MaxUnpoolOptions<Size2> = {}): Tensor =>
  maxUnpool('maxUnpool2d', 2, x, indices, kernelSize, opts);
/** Partial inverse of maxPool3d (torch F.max_unpool3d): values of x [N, C, D, H, W] placed at their indices, zeros elsewhere. */
export const maxUnpool3d = (x: Tensor, indices: Tensor, kernelSize: Size3, opts: MaxUnpoolOptions<Size3> = {}): Tensor =>
  maxUnpool('maxUnpool3d', 3, x, indices, kernelSize, opts);
