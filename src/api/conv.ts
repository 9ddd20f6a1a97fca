/** Convolutions, pools and interpolate as functions. Tables: src/ops/conv.ts, pool.ts, resample.ts. */
import { constant } from './creation.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { op } from '../ops/index.js';
import { reshape, slice } from './shape.js';
import { expand } from './layout.js';
import { sum } from './reduce.js';
import {
  convNoChannelsShape,
  type Conv1dAttrs,
  type ConvAttrs,
  type Conv1dOptions,
  type Conv2dOptions,
  type ConvTranspose1dOptions,
  type ConvTranspose2dOptions,
} from '../ops/conv.js';
import { adaptive1d, lift1d } from '../ops/pool.js';
import type { AdaptiveAttrs, AdaptiveSize, AvgPool1dOptions, AvgPool2dOptions, MaxPool1dOptions, MaxPool2dOptions, PoolAttrs } from '../ops/pool.js';
import { antialiasWeights, resampleScale, resampleSize, type InterpolateOptions } from '../ops/resample.js';
import { tensor } from './creation.js';
import { matmul } from './linalg.js';
import type { Size2, Size3 } from '../ops/window.js';

/** An empty result of `shape` (it holds a 0) read from x [N, C, ...]: a slice of nothing, so a (zero) gradient still reaches x. */
export function emptyOf(x: Tensor, shape: readonly number[]): Tensor {
  return reshape(slice(reshape(x, [x.shape[0], x.shape[1], -1]), 2, 0, 0), [...shape]);
}

/**
 * PyTorch's unbatched form: an input of rank `batched` − 1 (e.g. [C, H, W] for a 2-D op) runs as a
 * batch of one, and the batch dim is removed from every result (a gradient flows through both
 * reshapes); other ranks go to `f` unchanged, whose plan names the ranks it takes.
 */
export function unbatched<R extends Tensor | [Tensor, Tensor]>(x: Tensor, batched: number, f: (x: Tensor) => R): R {
  if (x.ndim !== batched - 1) return f(x);
  const strip = (t: Tensor) => reshape(t, t.shape.slice(1));
  const r = f(reshape(x, [1, ...x.shape]));
  return (Array.isArray(r) ? [strip(r[0]), strip(r[1])] : strip(r)) as R;
}

/** The tensors of a convolution; without b, a 0-d placeholder fills the bias input and the kernels skip the bias entirely. */
export function convInputs(fn: string, x: Tensor, w: Tensor, b: Tensor | null | undefined): [Tensor, Tensor, Tensor] {
  checkTensor(fn, 'input', x);
  checkTensor(fn, 'weight', w);
  if (b != null) checkTensor(fn, 'bias', b);
  return [x, w, b ?? constant(0, x.storage.backend)];
}

/**
 * 2-D convolution (cross-correlation, as PyTorch): x [N, C, H, W], w [O, C/groups, kh, kw],
 * optional bias [O] → [N, O, OH, OW] with OH = floor((H + 2·padding − dilation·(kh − 1) − 1) / stride) + 1.
 * stride (default 1), padding (default 0) and dilation (default 1) are numbers or [h, w] pairs;
 * padding 'same' keeps H × W (stride 1; an odd total pads the extra row and column on the bottom
 * and right, as PyTorch), 'valid' is 0. groups (default 1) splits the channels into groups
 * convolved separately (groups = C: depthwise).
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const o = checkOptions<Conv2dOptions>('conv2d', opts, ['stride', 'padding', 'dilation', 'groups']);
  const inputs = convInputs('conv2d', x, w, b);
  const attrs = { ...o, bias: b != null };
  return unbatched(x, 4, (x4) => noChannels('conv2d', 4, [x4, inputs[1], inputs[2]], attrs) ?? apply(op('conv2d'), [x4, inputs[1], inputs[2]], attrs));
}

/**
 * PyTorch's conv2d or conv1d over no input channels (x [N, 0, …] of rank `rank`), else null: an
 * empty [N, 0, *out] that still reaches x, w and the bias, so each gets its (zero, or empty)
 * gradient as in PyTorch. The sums of the empty x and w are exactly 0 and b's slice is empty, so
 * adding them changes nothing but the graph.
 */
function noChannels(fn: 'conv1d' | 'conv2d', rank: number, [x, w, b]: Tensor[], attrs: ConvAttrs | Conv1dAttrs): Tensor | null {
  if (x.ndim !== rank || x.shape[1] !== 0) return null;
  const shape = convNoChannelsShape(fn, [x, w, b], attrs);
  const empty = expand(sum(x).add(sum(w)), shape);
  if (!attrs.bias) return empty;
  const noBias = reshape(slice(b, 0, 0, 0), [1, 0, ...shape.slice(2).map(() => 1)]);
  return empty.add(noBias);
}

/** 1-D convolution: x [N, C, L], w [O, C/groups, k], optional bias [O] → [N, O, OL]; options as conv2d's, per dim numbers or [n]. */
export function conv1d(x: Tensor, w: Tensor, b?: Tensor | null, opts: Conv1dOptions = {}): Tensor {
  const o = checkOptions<Conv1dOptions>('conv1d', opts, ['stride', 'padding', 'dilation', 'groups']);
  const inputs = convInputs('conv1d', x, w, b);
  const attrs = { ...o, bias: b != null };
  return unbatched(x, 3, (x3) => noChannels('conv1d', 3, [x3, inputs[1], inputs[2]], attrs) ?? apply(op('conv1d'), [x3, inputs[1], inputs[2]], attrs));
}

/**
 * Transposed 2-D convolution (the adjoint of conv2d, PyTorch's conv_transpose2d): x [N, inC, H, W],
 * w [inC, outC/groups, kh, kw], optional bias [outC] → [N, outC, OH, OW] with
 * OH = (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1; outputPadding must be
 * smaller than the stride or the dilation.
 */
export function convTranspose2d(x: Tensor, w: Tensor, b?: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor {
  const o = checkOptions<ConvTranspose2dOptions>('convTranspose2d', opts, ['stride', 'padding', 'outputPadding', 'groups', 'dilation']);
  const inputs = convInputs('convTranspose2d', x, w, b);
  return unbatched(x, 4, (x4) => apply(op('convTranspose2d'), [x4, inputs[1], inputs[2]], { ...o, bias: b != null }));
}

/**
 * Transposed 1-D convolution (PyTorch's conv_transpose1d): x [N, inC, L] (or [inC, L]),
 * w [inC, outC/groups, k], optional bias [outC] → [N, outC, OL] with
 * OL = (L − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1; convTranspose2d on one row.
 */
export function convTranspose1d(x: Tensor, w: Tensor, b?: Tensor | null, opts: ConvTranspose1dOptions = {}): Tensor {
  const o = checkOptions<ConvTranspose1dOptions>('convTranspose1d', opts, ['stride', 'padding', 'outputPadding', 'groups', 'dilation']);
  const inputs = convInputs('convTranspose1d', x, w, b);
  return unbatched(x, 3, (x3) => apply(op('convTranspose1d'), [x3, inputs[1], inputs[2]], { ...o, bias: b != null }));
}

export interface MaxPool2dCallOptions extends MaxPool2dOptions {
  returnIndices?: boolean;
}

/** opts without the null entries of `optional`, the arguments PyTorch declares Optional: their None is the default (stride=None, align_corners=None). */
export function withoutNone<O extends object>(opts: O, optional: readonly string[]): O {
  return Object.fromEntries(Object.entries(opts).filter(([k, v]) => v !== null || !optional.includes(k))) as O;
}

/**
 * PyTorch's positional pooling arguments (F.max_pool2d(x, 2, 2), F.avg_pool2d(x, 3, 2, 1)): a
 * number or list after the kernel is the stride and the next one the padding; an options object
 * is taken as it is.
 */
export function poolOptions<O>(opts: O | Size2 | Size3 | undefined, padding: Size2 | Size3 | undefined): O {
  if (typeof opts === 'object' && opts !== null && !Array.isArray(opts)) return withoutNone(opts, ['stride', 'divisorOverride']);
  if (typeof opts !== 'number' && !Array.isArray(opts)) return (opts ?? {}) as O;
  return (padding === undefined ? { stride: opts } : { stride: opts, padding }) as O;
}

/**
 * A max pool's call arguments checked: the options object (or a stride and padding, poolOptions),
 * its keys, and ceilMode and returnIndices booleans; → returnIndices and the op's attributes.
 */
export function maxPoolArgs<O extends { ceilMode?: boolean; returnIndices?: boolean }>(
  fn: string,
  opts: O | Size2 | Size3 | undefined,
  padding: Size2 | Size3 | undefined,
): { returnIndices: boolean | undefined; o: Omit<O, 'returnIndices'> } {
  const { returnIndices, ...o } = checkOptions<O>(fn, poolOptions(opts, padding), ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices']);
  checkBool(fn, 'ceilMode', o.ceilMode);
  checkBool(fn, 'returnIndices', returnIndices);
  return { returnIndices, o };
}

/**
 * Max pooling over k×k (or [kh, kw]) windows; stride defaults to the kernel size, padding (≤ k/2)
 * to 0, dilation to 1; ceilMode rounds the output size up (the last window starting inside the
 * input or its left padding). With returnIndices, [values, indices]: int32 positions iy·W + ix of
 * each maximum within its input plane (PyTorch's), computed by a second, forward-only kernel.
 */
export function maxPool2d(x: Tensor, k: Size2, opts: MaxPool2dCallOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(x: Tensor, k: Size2, opts?: MaxPool2dCallOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(x: Tensor, k: Size2, opts?: MaxPool2dCallOptions): Tensor | [Tensor, Tensor];
export function maxPool2d(x: Tensor, k: Size2, stride: Size2, padding?: Size2): Tensor;
export function maxPool2d(x: Tensor, k: Size2, opts: MaxPool2dCallOptions | Size2 = {}, padding?: Size2): Tensor | [Tensor, Tensor] {
  checkTensor('maxPool2d', 'input', x);
  const { returnIndices, o } = maxPoolArgs<MaxPool2dCallOptions>('maxPool2d', opts, padding);
  return unbatched(x, 4, (x4): Tensor | [Tensor, Tensor] => {
    const values = apply(op('maxPool2d'), [x4], { ...o, kernel: k });
    return returnIndices ? [values, apply(op('maxPool2dIndices'), [x4], { ...o, kernel: k })] : values;
  });
}

/**
 * Average pooling over k×k (or [kh, kw]) windows; stride defaults to the kernel size, padding
 * (≤ k/2) to 0. The divisor: divisorOverride if given, else the window's size counting the
 * padding (countIncludePad, default true; ceil mode's last windows are clipped to the padded
 * input) or only the input values it covers (countIncludePad false).
 */
export function avgPool2d(x: Tensor, k: Size2, opts?: AvgPool2dOptions): Tensor;
export function avgPool2d(x: Tensor, k: Size2, stride: Size2, padding?: Size2): Tensor;
export function avgPool2d(x: Tensor, k: Size2, opts: AvgPool2dOptions | Size2 = {}, padding?: Size2): Tensor {
  checkTensor('avgPool2d', 'input', x);
  const o = checkOptions<AvgPool2dOptions>('avgPool2d', poolOptions(opts, padding), ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
  checkBool('avgPool2d', 'ceilMode', o.ceilMode);
  checkBool('avgPool2d', 'countIncludePad', o.countIncludePad);
  return unbatched(x, 4, (x4) => apply(op('avgPool2d'), [x4], { ...o, kernel: k }));
}

/** Mean over PyTorch's adaptive windows giving [N, C, oh, ow]; outputSize a number, or [oh, ow] with null keeping that dim. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  checkTensor('adaptiveAvgPool2d', 'input', x);
  return unbatched(x, 4, (x4) => apply(op('adaptiveAvgPool2d'), [x4], { outputSize }));
}

/** Max over PyTorch's adaptive windows; with returnIndices, [values, int32 indices within each input plane]. */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts?: { returnIndices?: boolean }): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts: { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  checkTensor('adaptiveMaxPool2d', 'input', x);
  const { returnIndices } = checkOptions<{ returnIndices?: boolean }>('adaptiveMaxPool2d', opts, ['returnIndices']);
  checkBool('adaptiveMaxPool2d', 'returnIndices', returnIndices);
  return unbatched(x, 4, (x4): Tensor | [Tensor, Tensor] => {
    const values = apply(op('adaptiveMaxPool2d'), [x4], { outputSize });
    return returnIndices ? [values, apply(op('adaptiveMaxPool2dIndices'), [x4], { outputSize })] : values;
  });
}

/**
 * The int32 indices of a 1-D max pool: the 2-D argmax kernel `indices2d` on [N, C, 1, L] (a
 * position iy·L + ix in a one-row plane is ix, PyTorch's 1-D index), reshaped to the values' shape.
 */
function indices1d(values: Tensor, x3: Tensor, indices2d: 'maxPool2dIndices' | 'adaptiveMaxPool2dIndices', attrs: PoolAttrs | AdaptiveAttrs): Tensor {
  const [n, c, l] = x3.shape;
  return reshape(apply(op(indices2d), [reshape(x3, [n, c, 1, l])], attrs), values.shape);
}

export interface MaxPool1dCallOptions extends MaxPool1dOptions {
  returnIndices?: boolean;
}

/**
 * Max pooling of x [N, C, L] over windows of k (maxPool2d's rules with 1×k windows); stride
 * defaults to k. With returnIndices, [values, int32 positions along L].
 */
export function maxPool1d(x: Tensor, k: number | [number], opts: MaxPool1dCallOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(x: Tensor, k: number | [number], opts?: MaxPool1dCallOptions & { returnIndices?: false }): Tensor;
export function maxPool1d(x: Tensor, k: number | [number], opts?: MaxPool1dCallOptions): Tensor | [Tensor, Tensor];
export function maxPool1d(x: Tensor, k: number | [number], stride: number | [number], padding?: number | [number]): Tensor;
export function maxPool1d(
  x: Tensor,
  k: number | [number],
  opts: MaxPool1dCallOptions | number | [number] = {},
  padding?: number | [number],
): Tensor | [Tensor, Tensor] {
  checkTensor('maxPool1d', 'input', x);
  const { returnIndices, o } = maxPoolArgs<MaxPool1dCallOptions>('maxPool1d', opts, padding);
  return unbatched(x, 3, (x3): Tensor | [Tensor, Tensor] => {
    const values = apply(op('maxPool1d'), [x3], { ...o, kernel: k });
    return returnIndices ? [values, indices1d(values, x3, 'maxPool2dIndices', lift1d('maxPool1d', { ...o, kernel: k }))] : values;
  });
}

/** Average pooling of x [N, C, L] over windows of k (avgPool2d's rules with 1×k windows); stride defaults to k. */
export function avgPool1d(x: Tensor, k: number | [number], opts?: AvgPool1dOptions): Tensor;
export function avgPool1d(x: Tensor, k: number | [number], stride: number | [number], padding?: number | [number]): Tensor;
export function avgPool1d(x: Tensor, k: number | [number], opts: AvgPool1dOptions | number | [number] = {}, padding?: number | [number]): Tensor {
  checkTensor('avgPool1d', 'input', x);
  const o = checkOptions<AvgPool1dOptions>('avgPool1d', poolOptions(opts, padding), ['stride', 'padding', 'ceilMode', 'countIncludePad']);
  checkBool('avgPool1d', 'ceilMode', o.ceilMode);
  checkBool('avgPool1d', 'countIncludePad', o.countIncludePad);
  return unbatched(x, 3, (x3) => apply(op('avgPool1d'), [x3], { ...o, kernel: k }));
}

/** Mean of x [N, C, L] over PyTorch's adaptive windows giving [N, C, outputSize]. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number | [number]): Tensor {
  checkTensor('adaptiveAvgPool1d', 'input', x);
  return unbatched(x, 3, (x3) => apply(op('adaptiveAvgPool1d'), [x3], { outputSize }));
}

/** Max of x [N, C, L] over PyTorch's adaptive windows giving [N, C, outputSize]; with returnIndices, [values, int32 positions along L]. */
export function adaptiveMaxPool1d(x: Tensor, outputSize: number | [number], opts: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool1d(x: Tensor, outputSize: number | [number], opts?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool1d(x: Tensor, outputSize: number | [number], opts?: { returnIndices?: boolean }): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool1d(x: Tensor, outputSize: number | [number], opts: { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  checkTensor('adaptiveMaxPool1d', 'input', x);
  const { returnIndices } = checkOptions<{ returnIndices?: boolean }>('adaptiveMaxPool1d', opts, ['returnIndices']);
  checkBool('adaptiveMaxPool1d', 'returnIndices', returnIndices);
  return unbatched(x, 3, (x3): Tensor | [Tensor, Tensor] => {
    const values = apply(op('adaptiveMaxPool1d'), [x3], { outputSize });
    return returnIndices ? [values, indices1d(values, x3, 'adaptiveMaxPool2dIndices', adaptive1d('adaptiveMaxPool1d', outputSize))] : values;
  });
}

/** The spatial dims each mode takes (PyTorch raises for the others): 1 = [N, C, L], 2 = [N, C, H, W], 3 = [N, C, D, H, W]. */
const MODE_DIMS: Record<string, readonly number[]> = {
  nearest: [1, 2, 3],
  'nearest-exact': [1, 2, 3],
  linear: [1],
  bilinear: [2],
  bicubic: [2],
  trilinear: [3],
  area: [1, 2, 3],
};
const LAYOUTS = ['an input [N, C, L]', 'an input [N, C, H, W]', 'an input [N, C, D, H, W]'];

/** A 1-D size or scale factor (a number or [n]) as the 2-D op's [1, n] on [N, C, 1, L]. */
function along1d(name: string, v: number | readonly number[] | undefined, one: number): [number, number] | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : v.length === 1 ? v[0] : undefined;
  if (n === undefined)
    throw new ValueError('interpolate', `${name} must be a number or [n] for an input [N, C, L] (one spatial dim, as PyTorch), got ${fmtValue(v)}`);
  return [one, n];
}

/** A 3-D size or scale factor (a number or [d, h, w]) as a list of three. */
function along3d(name: string, v: number | readonly number[] | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return [v, v, v];
  if (Array.isArray(v) && v.length === 3) return [...v];
  throw new ValueError(
    'interpolate',
    `${name} must be a number or [d, h, w] for an input [N, C, D, H, W] (three spatial dims, as PyTorch), got ${fmtValue(v)}`,
  );
}

/**
 * PyTorch's antialiased 'bilinear' / 'bicubic' on x [N, C, H, W]: separable, so y = A_h·x·A_wᵀ
 * per plane with the [out, in] weights of antialiasWeights, two matmuls (and their gradients).
 */
function antialiased(x: Tensor, o: Omit<InterpolateOptions, 'mode' | 'antialias'>, mode: 'bilinear' | 'bicubic'): Tensor {
  const {
    out: [oh, ow],
    factors,
  } = resampleSize(x, o);
  const [, , h, w] = x.shape;
  const given = o.recomputeScaleFactor ? undefined : factors,
    align = o.alignCorners ?? false;
  const rows = tensor(antialiasWeights(mode, h, oh, resampleScale(h, oh, given?.[0], align)), { shape: [oh, h] });
  const cols = tensor(antialiasWeights(mode, w, ow, resampleScale(w, ow, given?.[1], align)), { shape: [ow, w] });
  return matmul(rows, matmul(x, cols, { transposeB: true }));
}

/**
 * Mode 'area''s output shape when it is empty (a size of 0, or a scaleFactor flooring a dim to 0:
 * PyTorch's adaptive average pool then returns an empty tensor), else null (the other arguments
 * are checked on the ordinary path).
 */
function emptyAreaShape(x: Tensor, o: Omit<InterpolateOptions, 'mode' | 'antialias'>): number[] | null {
  const spatial = x.shape.slice(2),
    nd = spatial.length;
  const per = (v: number | readonly number[]) => (typeof v === 'number' ? spatial.map(() => v) : v.length === nd ? [...v] : null);
  const out =
    o.size !== undefined && o.scaleFactor === undefined
      ? per(o.size)
      : o.scaleFactor !== undefined && o.size === undefined
        ? per(o.scaleFactor)?.map((f, i) => (Number.isFinite(f) && f > 0 ? Math.floor(spatial[i] * f) : -1))
        : null;
  if (!out || !out.every((d) => Number.isInteger(d) && d >= 0) || !out.includes(0) || x.shape.slice(1).includes(0)) return null;
  return [...x.shape.slice(0, 2), ...out];
}

/**
 * Resizes x [N, C, H, W] (modes 'nearest', 'nearest-exact', 'bilinear', 'bicubic', 'area') or
 * [N, C, L] ('nearest', 'nearest-exact', 'linear', 'area') to size or by scaleFactor (output
 * floor(In · scaleFactor)), with PyTorch's source positions and gradients: 'nearest' is its legacy
 * floor(dst · scale), 'nearest-exact' floor((dst + ½) · scale); the linear and cubic modes take
 * alignCorners (default false); 'area' is an adaptive average pool to the output size; the scale
 * is 1 / scaleFactor when given, In / Out with recomputeScaleFactor or a size.
 */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  checkTensor('interpolate', 'input', x);
  const given = checkOptions<InterpolateOptions>('interpolate', opts, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor', 'antialias']);
  const { mode = 'nearest', antialias, ...o } = withoutNone(given, ['size', 'scaleFactor', 'alignCorners', 'recomputeScaleFactor']);
  checkBool('interpolate', 'alignCorners', o.alignCorners);
  checkBool('interpolate', 'recomputeScaleFactor', o.recomputeScaleFactor);
  checkBool('interpolate', 'antialias', antialias);
  const dims = MODE_DIMS[mode as string];
  if (!Object.hasOwn(MODE_DIMS, mode as string))
    throw new ValueError(
      'interpolate',
      `mode must be 'nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear' or 'area', got ${fmtValue(mode)}`,
    );
  if (antialias && mode !== 'bilinear' && mode !== 'bicubic')
    throw new ValueError('interpolate', `antialias applies to modes 'bilinear' and 'bicubic' only (as PyTorch), got mode ${fmtValue(mode)}`);
  if (!dims.includes(x.ndim - 2))
    throw new ShapeError('interpolate', `mode '${mode}' takes ${dims.map((d) => LAYOUTS[d - 1]).join(' or ')}, got shape ${fmtShape(x.shape)}`);
  if (antialias) return antialiased(x, o, mode as 'bilinear' | 'bicubic');
  const empty = mode === 'area' && o.alignCorners === undefined && !(o.recomputeScaleFactor && o.size !== undefined) ? emptyAreaShape(x, o) : null;
  // An empty output (a 0 size, or floor(In · scaleFactor) = 0) is PyTorch's empty adaptive pool:
  // a slice of nothing, so a gradient (of zeros) still reaches x.
  if (empty) return emptyOf(x, empty);
  const linear = mode === 'linear' || mode === 'bilinear' || mode === 'trilinear';
  const run = (x4: Tensor, a: typeof o) => {
    if (linear) return apply(op('interpolateBilinear'), [x4], a);
    if (mode === 'bicubic') return apply(op('interpolateBicubic'), [x4], a);
    // PyTorch 1.13 sends a contiguous [N, 1, H, W] or [N, 1, D, H, W] to its channels-last kernel,
    // the only one with legacy nearest's size shortcuts (ResampleAttrs.sizeShortcuts, per dim, so
    // they hold through the separable 3-D stages); [N, C, L] never goes there.
    const sizeShortcuts = mode === 'nearest' && x.ndim >= 4 && x.shape[1] === 1;
    if (mode !== 'area') return apply(op('interpolateNearest'), [x4], { ...a, exact: mode === 'nearest-exact', sizeShortcuts });
    // 'area' is PyTorch's adaptive average pool to the output size (no scale, no corners).
    if (a.alignCorners !== undefined)
      throw new ValueError(
        'interpolate',
        `alignCorners applies to the linear modes only (as PyTorch), got alignCorners ${fmtValue(a.alignCorners)} with mode 'area'`,
      );
    return apply(op('adaptiveAvgPool2d'), [x4], { outputSize: resampleSize(x4, a).out });
  };
  if (x.ndim === 4) return run(x, o);
  if (x.ndim === 5) {
    // Every mode is separable: (H, W) on [N, C·D, H, W], then depth on [N, C, D, OH·OW], whose
    // second dim keeps its size at scale 1 (an exact copy in each mode).
    const [n, c, d, h, w] = x.shape;
    const size = along3d('size', o.size),
      factor = along3d('scaleFactor', o.scaleFactor);
    const planes = run(reshape(x, [n, c * d, h, w]), { ...o, size: size && [size[1], size[2]], scaleFactor: factor && [factor[1], factor[2]] });
    const [oh, ow] = planes.shape.slice(2);
    const y = run(reshape(planes, [n, c, d, oh * ow]), { ...o, size: size && [size[0], oh * ow], scaleFactor: factor && [factor[0], 1] });
    return reshape(y, [n, c, y.shape[2], oh, ow]);
  }
  // [N, C, L] as [N, C, 1, L]: the row dim keeps its size, which both kernels copy.
  const [n, c, l] = x.shape;
  const y = run(reshape(x, [n, c, 1, l]), { ...o, size: along1d('size', o.size, 1), scaleFactor: along1d('scaleFactor', o.scaleFactor, 1) });
  return reshape(y, [n, c, y.shape[3]]);
}
