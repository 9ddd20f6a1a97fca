/**
 * The 3-D convolutions and pools (PyTorch's conv3d, conv_transpose3d, max_pool3d, avg_pool3d,
 * adaptive_avg_pool3d, adaptive_max_pool3d) as compositions of the 2-D ops of ./conv.ts, with no
 * kernel of their own: x [N, C, D, H, W], or [C, D, H, W] unbatched. Their gradients are
 * autodiff's through the 2-D ops, copies and reshapes.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { op } from '../ops/index.js';
import { checkConvNd, checkConvTransposeNd, type Conv3dOptions, type ConvTranspose3dOptions } from '../ops/conv.js';
import { checkPoolNd, type AvgPool3dOptions, type MaxPool3dOptions } from '../ops/pool.js';
import { fmtShape, type Meta } from '../ops/types.js';
import { checkRank, type Size3 } from '../ops/window.js';
import {
  adaptiveAvgPool2d,
  adaptiveMaxPool2d,
  avgPool2d,
  conv2d,
  convInputs,
  convTranspose2d,
  emptyOf,
  maxPool2d,
  maxPoolArgs,
  poolOptions,
  unbatched,
} from './conv.js';
import { zeros } from './creation.js';
import { add, mul } from './elementwise.js';
import { gather } from './indexing.js';
import { floorDivide } from './integer.js';
import { pad } from './layout.js';
import { permute, reshape, slice } from './shape.js';

/** [N, C, D, H, W] checked for a pool: rank 5, non-zero channels and spatial sizes. */
function volumes(fn: string, x: Meta): readonly number[] {
  checkRank(fn, 'input', 5, '[N, C, D, H, W] (or [C, D, H, W] unbatched)', x);
  if (x.shape.slice(1).includes(0))
    throw new ShapeError(fn, `input ${fmtShape(x.shape)} needs non-zero channels, depth, height and width (only the batch dim N may be 0)`);
  return x.shape;
}

/**
 * 3-D convolution (cross-correlation, as PyTorch): x [N, C, D, H, W], w [O, C/groups, kd, kh, kw],
 * optional bias [O] → [N, O, OD, OH, OW], each size as conv2d's; stride, padding ('same', 'valid'
 * or numbers) and dilation are numbers or [d, h, w]. One conv2d does it: every output depth od
 * becomes a batch entry whose channels are the kd depth taps xpadded[:, :, od·sd + t·dd]
 * (t = 0..kd−1, ordered (group, t, channel) so groups still split the channels), convolved with the
 * weight laid out [O, kd·C/groups, kh, kw] in the same order: Σ over (t, c, i, j) is exactly the
 * 3-D sum, PyTorch's im2col in depth.
 */
export function conv3d(x: Tensor, w: Tensor, b?: Tensor | null, opts: Conv3dOptions = {}): Tensor {
  const o = checkOptions<Conv3dOptions>('conv3d', opts, ['stride', 'padding', 'dilation', 'groups']);
  const [, , bias] = convInputs('conv3d', x, w, b);
  return unbatched(x, 5, (x5) => {
    const { shape, k, stride, dilation, before, total, groups } = checkConvNd('conv3d', 3, [x5, w, bias], { ...o, bias: b != null });
    const [n, c, , h, wd] = x5.shape,
      [oc, cg] = w.shape,
      [, , od, oh, ow] = shape;
    // Depth padding as zeros here ('same' puts an odd extra after); height and width go to conv2d.
    const xp = total[0] > 0 ? pad(x5, [0, 0, 0, 0, before[0], total[0] - before[0]]) : x5;
    const dp = xp.shape[2],
      plane = h * wd;
    // taps[n, od, g, t, c', h, w] = xp[n, g·cg + c', od·sd + t·dd, h, w]: one strided copy.
    const taps = apply(op('copy'), [xp], {
      shape: [n, od, groups, k[0], cg, h, wd],
      strides: [c * dp * plane, stride[0] * plane, cg * dp * plane, dilation[0] * plane, dp * plane, wd, 1],
    });
    const w2 = reshape(permute(w, [0, 2, 1, 3, 4]), [oc, k[0] * cg, k[1], k[2]]);
    const y = conv2d(reshape(taps, [n * od, groups * k[0] * cg, h, wd]), w2, null, {
      stride: [stride[1], stride[2]],
      padding: o.padding === 'same' ? 'same' : [before[1], before[2]],
      dilation: [dilation[1], dilation[2]],
      groups,
    });
    const out = permute(reshape(y, [n, od, oc, oh, ow]), [0, 2, 1, 3, 4]);
    return b == null ? out : add(out, reshape(b, [oc, 1, 1, 1]));
  });
}

/**
 * Transposed 3-D convolution (PyTorch's conv_transpose3d, the adjoint of conv3d): x [N, inC, D, H, W],
 * w [inC, outC/groups, kd, kh, kw], optional bias [outC] → [N, outC, OD, OH, OW] with
 * OD = (D − 1)·stride − 2·padding + dilation·(kd − 1) + outputPadding + 1 (likewise OH, OW).
 * One convTranspose2d over every input depth slice (as a batch) with the kd depth taps as extra
 * output channels (w as [inC, outC/groups·kd, kh, kw]); tap t of input depth i lands at output
 * depth i·sd + t·dd − pd, placed by a zero interleave (stride) and a shift (pad), then summed.
 */
export function convTranspose3d(x: Tensor, w: Tensor, b?: Tensor | null, opts: ConvTranspose3dOptions = {}): Tensor {
  const o = checkOptions<ConvTranspose3dOptions>('convTranspose3d', opts, ['stride', 'padding', 'outputPadding', 'groups', 'dilation']);
  const [, , bias] = convInputs('convTranspose3d', x, w, b);
  return unbatched(x, 5, (x5) => {
    const { shape, k, stride, padding, outputPadding, dilation, groups } = checkConvTransposeNd('convTranspose3d', 3, [x5, w, bias], {
      ...o,
      bias: b != null,
    });
    const [n, c, d, h, wd] = x5.shape,
      [, oc, od, oh, ow] = shape,
      kd = k[0],
      [sd, dd, pd] = [stride[0], dilation[0], padding[0]];
    const y = convTranspose2d(reshape(permute(x5, [0, 2, 1, 3, 4]), [n * d, c, h, wd]), reshape(w, [c, (oc / groups) * kd, k[1], k[2]]), null, {
      stride: [stride[1], stride[2]],
      padding: [padding[1], padding[2]],
      outputPadding: [outputPadding[1], outputPadding[2]],
      dilation: [dilation[1], dilation[2]],
      groups,
    });
    // y[n·D + i, q·kd + t] (q the output channel): interleave sd − 1 zero depths after each i, so
    // depth j = i·sd holds input depth i, for all taps at once: [N, D·sd, outC, kd, OH·OW].
    const p = oh * ow;
    const spread = reshape(pad(reshape(y, [n, d, 1, oc * kd * p]), [0, 0, 0, sd - 1]), [n, d * sd, oc, kd, p]);
    // Tap t shifted by t·dd; the full length also covers the last output depth pd + OD.
    const length = Math.max(d * sd + (kd - 1) * dd, pd + od);
    let sum: Tensor | null = null;
    for (let t = 0; t < kd; t++) {
      const tap = reshape(slice(spread, 3, t, t + 1), [n, d * sd, oc, p]);
      const shifted = pad(tap, [0, 0, 0, 0, t * dd, length - t * dd - d * sd]);
      sum = sum === null ? shifted : add(sum, shifted);
    }
    const out = reshape(permute(slice(sum as Tensor, 1, pd, pd + od), [0, 2, 1, 3]), shape);
    return b == null ? out : add(out, reshape(b, [oc, 1, 1, 1]));
  });
}

export interface MaxPool3dCallOptions extends MaxPool3dOptions {
  returnIndices?: boolean;
}

/**
 * The flat indices d·H·W + i of a two-stage 3-D max pool: `depth` [N, C, OD, P] are the stage-2
 * indices over [N, C, D, P] (positions d·P + j: the column j is the output's own), `inPlane`
 * [N, C·D, ...] the stage-1 indices within each H×W plane, read at the chosen d.
 */
function volumeIndices(depth: Tensor, inPlane: Tensor, [n, c, d, h, w]: readonly number[], out: number[]): Tensor {
  const p = depth.shape[3];
  const dIdx = floorDivide(depth, p);
  const hw = gather(reshape(inPlane, [n, c, d, p]), 2, dIdx);
  return reshape(add(mul(dIdx, h * w), hw), out);
}

/**
 * Max pooling over kd×kh×kw windows (maxPool2d's rules in each dim: stride defaults to the kernel,
 * padding ≤ k/2, dilation, ceilMode). Separable: maxPool2d over (H, W) in every depth plane,
 * then over depth windows (kd×1 on [N, C, D, OH·OW]); both keep the first maximum, so ties go to
 * the first in (d, h, w) order as PyTorch's. With returnIndices, [values, int32 positions
 * d·H·W + h·W + w within each input volume].
 */
export function maxPool3d(x: Tensor, k: Size3, opts: MaxPool3dCallOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool3d(x: Tensor, k: Size3, opts?: MaxPool3dCallOptions & { returnIndices?: false }): Tensor;
export function maxPool3d(x: Tensor, k: Size3, opts?: MaxPool3dCallOptions): Tensor | [Tensor, Tensor];
export function maxPool3d(x: Tensor, k: Size3, stride: Size3, padding?: Size3): Tensor;
export function maxPool3d(x: Tensor, k: Size3, opts: MaxPool3dCallOptions | Size3 = {}, padding?: Size3): Tensor | [Tensor, Tensor] {
  checkTensor('maxPool3d', 'input', x);
  const { returnIndices, o } = maxPoolArgs<MaxPool3dCallOptions>('maxPool3d', opts, padding);
  return unbatched(x, 5, (x5): Tensor | [Tensor, Tensor] => {
    const [n, c, d, h, w] = volumes('maxPool3d', x5);
    const { k: ks, stride, padding: pd, dilation, outs } = checkPoolNd('maxPool3d', x5, [d, h, w], { ...o, kernel: k }, true);
    const [od, oh, ow] = outs;
    const [v1, i1] = maxPool2d(reshape(x5, [n, c * d, h, w]), [ks[1], ks[2]], {
      stride: [stride[1], stride[2]],
      padding: [pd[1], pd[2]],
      dilation: [dilation[1], dilation[2]],
      ceilMode: o.ceilMode,
      returnIndices: true,
    });
    const [v2, i2] = maxPool2d(reshape(v1, [n, c, d, oh * ow]), [ks[0], 1], {
      stride: [stride[0], 1],
      padding: [pd[0], 0],
      dilation: [dilation[0], 1],
      ceilMode: o.ceilMode,
      returnIndices: true,
    });
    const shape = [n, c, od, oh, ow];
    const values = reshape(v2, shape);
    return returnIndices ? [values, volumeIndices(i2, i1, [n, c, d, h, w], shape)] : values;
  });
}

/**
 * Average pooling over kd×kh×kw windows (avgPool2d's rules in each dim: stride defaults to the
 * kernel, padding ≤ k/2, ceilMode, countIncludePad, divisorOverride). PyTorch's divisor is a
 * product over the dims (the clipped window extents), so the mean is avgPool2d over (H, W) then
 * over depth windows; with divisorOverride the first stage sums and the second divides by it.
 */
export function avgPool3d(x: Tensor, k: Size3, opts?: AvgPool3dOptions): Tensor;
export function avgPool3d(x: Tensor, k: Size3, stride: Size3, padding?: Size3): Tensor;
export function avgPool3d(x: Tensor, k: Size3, opts: AvgPool3dOptions | Size3 = {}, padding?: Size3): Tensor {
  checkTensor('avgPool3d', 'input', x);
  const o = checkOptions<AvgPool3dOptions>('avgPool3d', poolOptions(opts, padding), ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
  checkBool('avgPool3d', 'ceilMode', o.ceilMode);
  checkBool('avgPool3d', 'countIncludePad', o.countIncludePad);
  return unbatched(x, 5, (x5) => {
    const [n, c, d, h, w] = volumes('avgPool3d', x5);
    const { k: ks, stride, padding: pd, outs } = checkPoolNd('avgPool3d', x5, [d, h, w], { ...o, kernel: k }, false);
    // PyTorch 1.13's avg_pool3d (pool3d_shape_check with check_input_size) also needs the input
    // itself, without its padding, to hold the kernel in every dim (avg_pool2d does not).
    if (d < ks[0] || h < ks[1] || w < ks[2])
      throw new ShapeError(
        'avgPool3d',
        `the input ${d}×${h}×${w} (shape ${fmtShape(x.shape)}) is smaller than the kernel ${ks.join('×')}: PyTorch's avg_pool3d needs the unpadded input to hold it`,
      );
    const [od, oh, ow] = outs;
    const common = { ceilMode: o.ceilMode, countIncludePad: o.countIncludePad };
    const y1 = avgPool2d(reshape(x5, [n, c * d, h, w]), [ks[1], ks[2]], {
      ...common,
      stride: [stride[1], stride[2]],
      padding: [pd[1], pd[2]],
      divisorOverride: o.divisorOverride === undefined ? undefined : 1,
    });
    const y2 = avgPool2d(reshape(y1, [n, c, d, oh * ow]), [ks[0], 1], {
      ...common,
      stride: [stride[0], 1],
      padding: [pd[0], 0],
      divisorOverride: o.divisorOverride,
    });
    return reshape(y2, [n, c, od, oh, ow]);
  });
}

/** An adaptive 3-D pool's output size: a number, or [od, oh, ow] where null keeps that input dim; each ≥ 0 (0: PyTorch's empty result). */
export type AdaptiveSize3 = number | [number | null, number | null, number | null];

function adaptiveSize3(fn: string, outputSize: unknown, [, , d, h, w]: readonly number[]): number[] {
  const size = typeof outputSize === 'number' ? [outputSize, outputSize, outputSize] : outputSize;
  if (!Array.isArray(size) || size.length !== 3 || !size.every((v) => v === null || (Number.isInteger(v) && v >= 0)))
    throw new ValueError(fn, `outputSize must be a non-negative integer or a list [d, h, w] of them (null keeps the input's), got ${fmtValue(outputSize)}`);
  return [size[0] ?? d, size[1] ?? h, size[2] ?? w];
}

/**
 * Mean of x [N, C, D, H, W] over PyTorch's adaptive windows giving [N, C, od, oh, ow]: the windows
 * are a product of per-dim ranges, so adaptiveAvgPool2d over (H, W), then over depth.
 */
export function adaptiveAvgPool3d(x: Tensor, outputSize: AdaptiveSize3): Tensor {
  checkTensor('adaptiveAvgPool3d', 'input', x);
  return unbatched(x, 5, (x5) => {
    const [n, c, d, h, w] = volumes('adaptiveAvgPool3d', x5);
    const [od, oh, ow] = adaptiveSize3('adaptiveAvgPool3d', outputSize, x5.shape);
    if (od * oh * ow === 0) return emptyOf(x5, [n, c, od, oh, ow]);
    const y1 = adaptiveAvgPool2d(reshape(x5, [n, c * d, h, w]), [oh, ow]);
    return reshape(adaptiveAvgPool2d(reshape(y1, [n, c, d, oh * ow]), [od, null]), [n, c, od, oh, ow]);
  });
}

/**
 * Max of x [N, C, D, H, W] over PyTorch's adaptive windows giving [N, C, od, oh, ow] (over (H, W),
 * then depth: ties go to the first in (d, h, w) order); with returnIndices, [values, int32
 * positions within each input volume].
 */
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize3, opts: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize3, opts?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize3, opts?: { returnIndices?: boolean }): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize3, opts: { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  checkTensor('adaptiveMaxPool3d', 'input', x);
  const { returnIndices } = checkOptions<{ returnIndices?: boolean }>('adaptiveMaxPool3d', opts, ['returnIndices']);
  checkBool('adaptiveMaxPool3d', 'returnIndices', returnIndices);
  return unbatched(x, 5, (x5): Tensor | [Tensor, Tensor] => {
    const [n, c, d, h, w] = volumes('adaptiveMaxPool3d', x5);
    const [od, oh, ow] = adaptiveSize3('adaptiveMaxPool3d', outputSize, x5.shape);
    if (od * oh * ow === 0) {
      const values = emptyOf(x5, [n, c, od, oh, ow]);
      return returnIndices ? [values, zeros(values.shape, { dtype: 'int32' })] : values;
    }
    const [v1, i1] = adaptiveMaxPool2d(reshape(x5, [n, c * d, h, w]), [oh, ow], { returnIndices: true });
    const [v2, i2] = adaptiveMaxPool2d(reshape(v1, [n, c, d, oh * ow]), [od, null], { returnIndices: true });
    const shape = [n, c, od, oh, ow];
    const values = reshape(v2, shape);
    return returnIndices ? [values, volumeIndices(i2, i1, [n, c, d, h, w], shape)] : values;
  });
}
