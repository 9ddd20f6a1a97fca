/**
 * Pooling, NCHW: maxPool2d (and the indices of its maxima), avgPool2d, adaptiveAvgPool2d,
 * adaptiveMaxPool2d (and its indices). Kernels: assembly/kernels/pool.ts. Every op works one
 * (n, c) plane at a time; an index is a position within its input plane, iy·W + ix (PyTorch's).
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { broadcastView, contiguousView, cropTo } from './shape.js';
import { planeSplitWords, planThreads } from './contract.js';
import {
  aux,
  clearOverwritten,
  defineOps,
  fmtShape,
  gin,
  gout,
  inp,
  out,
  param,
  type Builder,
  type CompositeDef,
  type Meta,
  type OpSpec,
  type Plan,
  type TestCase,
  type OpInfo,
} from './types.js';
import { checkRank, outSize, perDim, type Size2, type Size3 } from './window.js';

/** The options every window pool has. */
export interface PoolOptions {
  /** Defaults to the kernel size. */
  stride?: Size2;
  padding?: Size2;
  /** Round the output size up (the last window starting inside the input or its left padding). */
  ceilMode?: boolean;
}
export interface MaxPool2dOptions extends PoolOptions {
  dilation?: Size2;
}
export interface AvgPool2dOptions extends PoolOptions {
  /** Divide by the whole window, padding included (default true), or by the input values it covers. */
  countIncludePad?: boolean;
  divisorOverride?: number;
}
/** Attributes of the window pools: the options and the kernel size. */
export interface PoolAttrs extends MaxPool2dOptions, AvgPool2dOptions {
  kernel: Size2;
}
export interface MaxPool3dOptions {
  /** Defaults to the kernel size. */
  stride?: Size3;
  padding?: Size3;
  dilation?: Size3;
  ceilMode?: boolean;
}
export interface AvgPool3dOptions {
  /** Defaults to the kernel size. */
  stride?: Size3;
  padding?: Size3;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number;
}
export interface Pool3dAttrs extends MaxPool3dOptions, AvgPool3dOptions {
  kernel: Size3;
}
/** An adaptive pool's output size: a number, or [oh, ow] where null keeps that input dim. */
export type AdaptiveSize = number | [number | null, number | null];
export interface AdaptiveAttrs {
  outputSize: AdaptiveSize;
}

function checkPlanes(op: string, x: Meta): [number, number, number, number] {
  checkRank(op, 'input', 4, '[N, C, H, W] (or [C, H, W] unbatched)', x);
  const [n, c, h, w] = x.shape;
  if (c === 0 || h === 0 || w === 0)
    throw new ShapeError(op, `input ${fmtShape(x.shape)} needs non-zero channels, height and width (only the batch dim N may be 0)`);
  return [n, c, h, w];
}

/**
 * PyTorch's pooling output size: floor mode as a convolution; ceil mode rounds up, but the last
 * window must start inside the input or its left padding (a window starting in the right padding
 * is dropped), so every window holds at least one input value.
 */
function poolSize(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  if (!ceil) return outSize(size, k, s, 2 * p, d);
  const o = outSize(size, k, s, 2 * p + s - 1, d);
  return (o - 1) * s >= size + p ? o - 1 : o;
}

/** Elements of a pool record's input (params N·C, H, W first, in every pool's layout): its gradient's extent. */
const inputSize = (r: Int32Array) => param(r, 0) * param(r, 1) * param(r, 2);

/** A window pool's arguments, one entry per spatial dim, and its output sizes. */
export interface PoolNd {
  k: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  outs: number[];
}

/**
 * Checks a window pool over the spatial sizes `size` of x (2 or 3 dims) as PyTorch does: the
 * stride defaults to the kernel, the padding must be at most half the kernel, every output size ≥ 1.
 */
export function checkPoolNd(op: string, x: Meta, size: readonly number[], attrs: PoolAttrs | Pool3dAttrs, max: boolean): PoolNd {
  const dims = size.length;
  const k = perDim(op, 'kernel size', attrs.kernel, dims, 1);
  const stride = perDim(op, 'stride', attrs.stride ?? k, dims, 1);
  const padding = perDim(op, 'padding', attrs.padding ?? 0, dims, 0);
  const dilation = max ? perDim(op, 'dilation', attrs.dilation ?? 1, dims, 1) : k.map(() => 1);
  const ceil = attrs.ceilMode ?? false;
  if (attrs.divisorOverride !== undefined && (!Number.isInteger(attrs.divisorOverride) || attrs.divisorOverride === 0))
    throw new ValueError(op, `divisorOverride must be a non-zero integer, got ${fmtValue(attrs.divisorOverride)}`);
  // As PyTorch: more padding than half the window would allow windows holding only padding.
  if (padding.some((p, i) => 2 * p > k[i])) throw new ValueError(op, `padding ${fmtShape(padding)} must be at most half the kernel size ${k.join('×')}`);
  const outs = size.map((sz, i) => poolSize(sz, k[i], stride[i], padding[i], dilation[i], ceil));
  if (outs.some((o) => o < 1)) {
    const dilated = dilation.some((d) => d > 1);
    throw new ShapeError(
      op,
      `kernel ${k.join('×')}${dilated ? ` with dilation ${fmtShape(dilation)} spans ${k.map((kd, i) => dilation[i] * (kd - 1) + 1).join('×')}, more than` : ' is larger than'} the padded input ${size.map((sz, i) => sz + 2 * padding[i]).join('×')} (input ${fmtShape(x.shape)}, padding ${fmtShape(padding)})`,
    );
  }
  return { k, stride, padding, dilation, outs };
}

// params: [N·C, H, W, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw, countIncludePad, divisorOverride]
function planPool(op: string, [x]: readonly Meta[], attrs: PoolAttrs, max: boolean): Plan {
  const [n, c, h, w] = checkPlanes(op, x);
  const { k, stride, padding, dilation, outs } = checkPoolNd(op, x, [h, w], attrs, max);
  const [oh, ow] = outs;
  const countPad = attrs.countIncludePad ?? true;
  return {
    shape: [n, c, oh, ow],
    params: [n * c, h, w, oh, ow, ...k, ...stride, ...padding, ...dilation, countPad ? 1 : 0, attrs.divisorOverride ?? 0],
    workspace: planeSplitWords(planThreads()),
  };
}

/**
 * Calls f(output index, plane offset, rows, cols) for every output window: rows = [lo, hi, step]
 * are the input rows the window reads (lo, lo + step, … < hi: its taps inside the input), cols
 * likewise, plus the unclipped window start y0, x0 (avgPool2d's divisor).
 */
type Window = (oi: number, plane: number, ys: [number, number, number], xs: [number, number, number], y0: number, x0: number) => void;
function forEachWindow(r: Int32Array, f: Window): void {
  const [planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw] = Array.from({ length: 13 }, (_, k) => param(r, k));
  // Taps i of a window starting at s: s + i·d inside [0, size).
  const taps = (s: number, d: number, k: number, size: number): [number, number, number] => {
    const lo = Math.max(0, Math.ceil(-s / d)),
      hi = Math.max(lo, Math.min(k, Math.ceil((size - s) / d)));
    return [s + lo * d, s + hi * d, d];
  };
  for (let p = 0; p < planes; p++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const y0 = oy * sh - ph,
          x0 = ox * sw - pw;
        f((p * oh + oy) * ow + ox, p * h * w, taps(y0, dh, kh, h), taps(x0, dw, kw, w), y0, x0);
      }
}

/** Calls f(input position iy·W + ix) over a window's rows and columns. */
function forEachTap(ys: readonly number[], xs: readonly number[], w: number, f: (pos: number) => void): void {
  for (let iy = ys[0]; iy < ys[1]; iy += ys[2]) for (let ix = xs[0]; ix < xs[1]; ix += xs[2]) f(iy * w + ix);
}

/**
 * The max of x's plane over a window and its position: a value replaces the max when greater or
 * NaN, so ties keep the first in row-major order and NaN propagates (PyTorch).
 */
function windowMax(h: Float64Array, x: number, ys: readonly number[], xs: readonly number[], w: number): [number, number] {
  let m = -Infinity,
    idx = ys[0] * w + xs[0];
  forEachTap(ys, xs, w, (pos) => {
    const v = h[x + pos];
    if (v > m || Number.isNaN(v)) [m, idx] = [v, pos];
  });
  return [m, idx];
}

function poolCases(): TestCase<PoolAttrs>[] {
  return [
    { inputs: [{ shape: [1, 1, 1, 1] }], attrs: { kernel: 1 } },
    { inputs: [{ shape: [2, 3, 5, 5] }], attrs: { kernel: 2 }, name: 'k 2 (stride 2, odd size drops the last row)' },
    { inputs: [{ shape: [1, 3, 7, 7] }], attrs: { kernel: 3, stride: 2, padding: 1 }, name: 'k 3, stride 2, padding 1' },
    { inputs: [{ shape: [2, 1, 5, 7] }], attrs: { kernel: 3, stride: 1, padding: 1 }, name: 'k 3, stride 1, padding 1' },
    { inputs: [{ shape: [1, 3, 7, 5] }], attrs: { kernel: [3, 2], stride: [2, 1], padding: [1, 0] }, name: 'per-axis kernel, stride, padding' },
    { inputs: [{ shape: [1, 1, 9, 13] }], attrs: { kernel: 2, stride: 1 }, name: 'k 2 stride 1, several vector steps' },
    { inputs: [{ shape: [2, 2, 7, 17] }], attrs: { kernel: 3, stride: 2, padding: 1 }, name: 'W 17, stride 2 gather' },
    { inputs: [{ shape: [1, 1, 1, 5] }], attrs: { kernel: [1, 3], stride: 1 } },
    { inputs: [{ shape: [0, 3, 5, 5] }], attrs: { kernel: 3, stride: 2, padding: 1 }, name: 'N = 0' },
    // ceil mode: odd sizes get a last, clipped window; with padding the last start must stay inside.
    { inputs: [{ shape: [1, 2, 5, 7] }], attrs: { kernel: 2, ceilMode: true }, name: 'ceilMode, k 2 on 5×7' },
    { inputs: [{ shape: [2, 1, 7, 17] }], attrs: { kernel: 3, stride: 2, padding: 1, ceilMode: true }, name: 'ceilMode, k 3 stride 2 padding 1, W 17' },
    {
      inputs: [{ shape: [1, 1, 6, 9] }],
      attrs: { kernel: [3, 2], stride: [2, 3], padding: [1, 1], ceilMode: true },
      name: 'ceilMode, window past the padded input',
    },
  ];
}

function maxCases(): TestCase<PoolAttrs>[] {
  return [
    ...poolCases(),
    { inputs: [{ shape: [1, 2, 7, 9] }], attrs: { kernel: 3, stride: 1, dilation: 2 }, name: 'dilation 2' },
    { inputs: [{ shape: [2, 1, 9, 17] }], attrs: { kernel: 3, stride: 1, padding: 1, dilation: [1, 2] }, name: 'dilation [1, 2], padding, vector columns' },
    { inputs: [{ shape: [1, 1, 8, 11] }], attrs: { kernel: 2, stride: 2, dilation: 3, ceilMode: true, padding: 1 }, name: 'dilation 3, ceilMode, padding' },
  ];
}

function avgCases(): TestCase<PoolAttrs>[] {
  return [
    ...poolCases(),
    { inputs: [{ shape: [1, 2, 7, 9] }], attrs: { kernel: 3, stride: 2, padding: 1, countIncludePad: false }, name: 'countIncludePad false, padding 1' },
    { inputs: [{ shape: [2, 1, 5, 17] }], attrs: { kernel: 3, stride: 1, padding: 1, countIncludePad: false }, name: 'countIncludePad false, stride 1, W 17' },
    {
      inputs: [{ shape: [1, 1, 6, 7] }],
      attrs: { kernel: [3, 2], stride: 2, padding: 1, ceilMode: true, countIncludePad: false },
      name: 'countIncludePad false, ceilMode',
    },
    {
      inputs: [{ shape: [1, 2, 5, 7] }],
      attrs: { kernel: 3, stride: 2, padding: 1, ceilMode: true },
      name: 'countIncludePad, ceilMode: divisor clipped to the padded input',
    },
    { inputs: [{ shape: [2, 1, 5, 9] }], attrs: { kernel: 3, stride: 1, padding: 1, divisorOverride: 4 }, name: 'divisorOverride 4' },
  ];
}

/** Calls f(output index, plane offset, rows, cols) for every window of a record. */
type Windows = (r: Int32Array, f: (oi: number, plane: number, ys: [number, number, number], xs: [number, number, number]) => void) => void;

/**
 * A max pool over the windows `each` walks, and its returnIndices twin: the same windows, a
 * forward-only kernel writing the int32 argmax instead of the values. The max op saves the argmax
 * in AUX0 and its gradient goes there.
 */
/** g [N, C, oh, ow] added into zeros shaped like x [N, C, H, W] at the plane positions idx (int32, iy·W + ix). */
function routeToArgmax<T>(b: Builder<T>, x: T, idx: T, g: T): T {
  const [n, c, h, w] = b.shape(x),
    gs = b.shape(g),
    st = contiguousView(gs).strides;
  const map = { shape: [...gs], x: [c * h * w, h * w, 0, 0], index: st, src: st, dimStride: 1, dimSize: h * w, mode: 'add' };
  return b.op('indexScatter', [b.op('copy', [b.scalar(0)], broadcastView([], [n, c, h, w])), idx, g], map);
}

function maxPoolOps<A, N extends string, NI extends string>(
  name: N,
  indices: NI,
  windows: string,
  plan: (ins: readonly Meta[], attrs: A) => Plan,
  each: Windows,
  info: Pick<OpInfo<A>, 'tests'>,
): [OpSpec<A, N>, OpSpec<A, NI>] {
  const values: OpSpec<A, N> = {
    name,
    module: 'pool',
    arity: 1,
    gradInputs: [0],
    overwritesGrad: true,
    doc: `Max over ${windows}; the gradient goes to the first maximum, whose index is saved in AUX0`,
    plan: (ins: readonly Meta[], attrs: A): Plan => {
      const p = plan(ins, attrs);
      return { ...p, aux: [p.shape.reduce((a, b) => a * b, 1)] };
    },
    ref: {
      fwd: (h: Float64Array, r: Int32Array) => {
        const x = inp(r, 0),
          o = out(r),
          arg = aux(r, 0),
          w = param(r, 2);
        each(r, (oi, plane, ys, xs) => ([h[o + oi], h[arg + oi]] = windowMax(h, x + plane, ys, xs, w)));
      },
      bwd: (h: Float64Array, r: Int32Array) => {
        const gx = gin(r, 0),
          g = gout(r),
          arg = aux(r, 0);
        clearOverwritten(h, r, [inputSize(r)]);
        if (gx) each(r, (oi, plane) => (h[gx + plane + h[arg + oi]] += h[g + oi]));
      },
    },
    // g to each window's first maximum: the argmax recomputed, g scatter-added there (the index
    // a position iy·W + ix in the flattened plane of its (n, c)).
    vjp: (b, { inputs: [x], gout: g, attrs }) => [routeToArgmax(b, x, b.op(indices, [x], attrs as object), g)],
    // Random continuous inputs: ties, where the gradient jumps, have probability 0.
    ...info,
  };
  const argmax: OpSpec<A, NI> = {
    name: indices,
    module: 'pool',
    arity: 1,
    gradInputs: [],
    doc: `${name}'s argmax (returnIndices): int32 positions iy·W + ix within each input plane`,
    plan: (ins: readonly Meta[], attrs: A): Plan => ({ ...plan(ins, attrs), dtype: 'int32' }),
    ref: {
      fwd: (h: Float64Array, r: Int32Array) => {
        const x = inp(r, 0),
          o = out(r),
          w = param(r, 2);
        each(r, (oi, plane, ys, xs) => (h[o + oi] = windowMax(h, x + plane, ys, xs, w)[1]));
      },
    },
    ...info,
  };
  return [values, argmax];
}

const [maxPool2dOp, maxPool2dIndicesOp] = maxPoolOps(
  'maxPool2d',
  'maxPool2dIndices',
  'kh×kw windows (stride, padding acting as −∞, dilation, ceilMode)',
  (ins, attrs: PoolAttrs) => planPool('maxPool2d', ins, attrs, true),
  forEachWindow,
  { tests: { cases: maxCases() } },
);

/** avgPool2d's divisor: divisorOverride, or the window clipped to the padded input (countIncludePad), or to the input. */
function avgDivisor(r: Int32Array, ys: readonly number[], xs: readonly number[], y0: number, x0: number): number {
  const [h, w, , , kh, kw, , , ph, pw] = Array.from({ length: 10 }, (_, k) => param(r, k + 1));
  if (param(r, 14) !== 0) return param(r, 14);
  if (param(r, 13) !== 0) return (Math.min(y0 + kh, h + ph) - y0) * (Math.min(x0 + kw, w + pw) - x0);
  return (ys[1] - ys[0]) * (xs[1] - xs[0]);
}

const avgPool2dOp: OpSpec<PoolAttrs, 'avgPool2d'> = {
  name: 'avgPool2d',
  module: 'pool',
  arity: 1,
  gradInputs: [0],
  overwritesGrad: true,
  doc: 'Mean over kh×kw windows (stride, padding, ceilMode); divides by the window size counting padding (countIncludePad, default), or the input values only, or divisorOverride',
  plan: (ins: readonly Meta[], attrs: PoolAttrs): Plan => planPool('avgPool2d', ins, attrs, false),
  // A sum pool times 1/divisor per window, that constant as avgPool(1) / sumPool(1) over one plane
  // of ones (sumPool: divisorOverride 1; padding adds nothing). The sum pool's adjoint is the
  // depthwise transposed convolution with a kernel of ones: outputPadding restores the rows the
  // stride skipped, rows past the input (ceilMode) are cut.
  vjp: (b, { inputs: [x], gout: g, attrs }) => {
    const xs = b.shape(x),
      [, c, h, w] = xs,
      ones = (shape: number[]) => b.op('copy', [b.scalar(1)], broadcastView([], shape));
    const { k, stride, padding, outs } = checkPoolNd('avgPool2d', { shape: [...xs], dtype: 'float32' }, [h, w], attrs, false);
    const plane = ones([1, 1, h, w]);
    const scale = b.op('div', [b.op('avgPool2d', [plane], attrs), b.op('avgPool2d', [plane], { ...attrs, divisorOverride: 1 })]);
    const outputPadding = [h, w].map((sz, i) => Math.max(0, sz - ((outs[i] - 1) * stride[i] - 2 * padding[i] + k[i])));
    const spread = b.op('convTranspose2d', [b.op('mul', [g, scale]), ones([c, 1, ...k]), b.scalar(0)], {
      stride,
      padding,
      outputPadding,
      groups: c,
      bias: false,
    });
    return [cropTo(b, spread, xs)];
  },
  ref: {
    fwd: (h: Float64Array, r: Int32Array) => {
      const x = inp(r, 0),
        o = out(r),
        w = param(r, 2);
      forEachWindow(r, (oi, plane, ys, xs, y0, x0) => {
        let s = 0;
        forEachTap(ys, xs, w, (pos) => (s += h[x + plane + pos]));
        h[o + oi] = s / avgDivisor(r, ys, xs, y0, x0);
      });
    },
    bwd: (h: Float64Array, r: Int32Array) => {
      const gx = gin(r, 0),
        g = gout(r),
        w = param(r, 2);
      clearOverwritten(h, r, [inputSize(r)]);
      if (gx)
        forEachWindow(r, (oi, plane, ys, xs, y0, x0) => {
          const v = h[g + oi] / avgDivisor(r, ys, xs, y0, x0);
          forEachTap(ys, xs, w, (pos) => (h[gx + plane + pos] += v));
        });
    },
  },
  tests: { cases: avgCases() },
};

// ---- adaptive pools ----------------------------------------------------------------------------
// Output i of a dim covers inputs [floor(i·In / Out), ceil((i + 1)·In / Out)) (PyTorch): windows
// of varying size that tile the input, overlapping when Out does not divide In.

// params: [N·C, H, W, OH, OW]
function planAdaptive(op: string, [x]: readonly Meta[], { outputSize }: AdaptiveAttrs): Plan {
  const [n, c, h, w] = checkPlanes(op, x);
  const size = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  // 0 gives an empty output (PyTorch's; the input's gradient is then 0).
  if (!Array.isArray(size) || size.length !== 2 || !size.every((d) => d === null || (Number.isInteger(d) && d >= 0)))
    throw new ValueError(op, `outputSize must be a non-negative integer or an [h, w] pair of them (null keeps the input's), got ${fmtValue(outputSize)}`);
  const oh = size[0] ?? h,
    ow = size[1] ?? w;
  return { shape: [n, c, oh, ow], params: [n * c, h, w, oh, ow], workspace: planeSplitWords(planThreads()) };
}

/** Calls f(output index, plane offset, rows, cols) for every adaptive window (steps of 1). */
const forEachAdaptive: Windows = (r, f) => {
  const [planes, h, w, oh, ow] = Array.from({ length: 5 }, (_, k) => param(r, k));
  const span = (i: number, size: number, n: number): [number, number, number] => [Math.floor((i * size) / n), Math.ceil(((i + 1) * size) / n), 1];
  for (let p = 0; p < planes; p++)
    for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) f((p * oh + oy) * ow + ox, p * h * w, span(oy, h, oh), span(ox, w, ow));
};

function adaptiveCases(): TestCase<AdaptiveAttrs>[] {
  return [
    { inputs: [{ shape: [1, 1, 1, 1] }], attrs: { outputSize: 1 } },
    { inputs: [{ shape: [2, 3, 7, 5] }], attrs: { outputSize: 1 }, name: 'global' },
    { inputs: [{ shape: [1, 2, 7, 17] }], attrs: { outputSize: [3, 5] }, name: 'overlapping windows' },
    { inputs: [{ shape: [1, 1, 4, 6] }], attrs: { outputSize: [2, 3] }, name: 'exact division' },
    { inputs: [{ shape: [1, 2, 3, 5] }], attrs: { outputSize: [5, null] }, name: 'larger than the input, null keeps W' },
    { inputs: [{ shape: [2, 3, 4, 5] }], attrs: { outputSize: [0, 3] }, name: 'an empty output' },
    { inputs: [{ shape: [0, 2, 5, 5] }], attrs: { outputSize: 2 }, name: 'N = 0' },
  ];
}

/** The n×n identity as a [1, 1, n, n] image: a separable op applied to it gives its matrix along one dim (vjps). */
export function eyeImage<T>(b: Builder<T>, n: number): T {
  const k = b.op('cumsum', [b.op('fill', [], { shape: [n], value: 1 })], { dim: 0 });
  return b.op('eq', [b.op('copy', [k], { shape: [1, 1, n, 1], strides: [0, 0, 1, 0] }), b.op('copy', [k], { shape: [1, 1, 1, n], strides: [0, 0, 0, 1] })]);
}

const adaptiveAvgPool2dOp: OpSpec<AdaptiveAttrs, 'adaptiveAvgPool2d'> = {
  name: 'adaptiveAvgPool2d',
  module: 'pool',
  arity: 1,
  gradInputs: [0],
  overwritesGrad: true,
  doc: 'Mean over adaptive windows giving outputSize [oh, ow] (PyTorch: rows floor(i·H/oh) to ceil((i+1)·H/oh))',
  plan: (ins: readonly Meta[], attrs: AdaptiveAttrs): Plan => planAdaptive('adaptiveAvgPool2d', ins, attrs),
  // Separable: y = A_h·x·A_wᵀ per plane, A_h [oh, H] holding 1/len of each window's rows (the pool
  // of an identity along one dim), so dx = A_hᵀ·g·A_w, two broadcast matmuls.
  vjp: (b, { inputs: [x], gout: g }) => {
    const [, , h, w] = b.shape(x),
      [, , oh, ow] = b.shape(g);
    const windows = (n: number, o: number) => b.op('adaptiveAvgPool2d', [eyeImage(b, n)], { outputSize: [o, n] });
    return [b.op('matmul', [b.op('matmul', [windows(h, oh), g], { transposeA: true }), windows(w, ow)])];
  },
  ref: {
    fwd: (h: Float64Array, r: Int32Array) => {
      const x = inp(r, 0),
        o = out(r),
        w = param(r, 2);
      forEachAdaptive(r, (oi, plane, ys, xs) => {
        let s = 0;
        forEachTap(ys, xs, w, (pos) => (s += h[x + plane + pos]));
        h[o + oi] = s / ((ys[1] - ys[0]) * (xs[1] - xs[0]));
      });
    },
    bwd: (h: Float64Array, r: Int32Array) => {
      const gx = gin(r, 0),
        g = gout(r),
        w = param(r, 2);
      clearOverwritten(h, r, [inputSize(r)]);
      if (gx)
        forEachAdaptive(r, (oi, plane, ys, xs) => {
          const v = h[g + oi] / ((ys[1] - ys[0]) * (xs[1] - xs[0]));
          forEachTap(ys, xs, w, (pos) => (h[gx + plane + pos] += v));
        });
    },
  },
  tests: { cases: adaptiveCases() },
};

const [adaptiveMaxPool2dOp, adaptiveMaxPool2dIndicesOp] = maxPoolOps(
  'adaptiveMaxPool2d',
  'adaptiveMaxPool2dIndices',
  'adaptive windows giving outputSize [oh, ow]',
  (ins, attrs: AdaptiveAttrs) => planAdaptive('adaptiveMaxPool2d', ins, attrs),
  forEachAdaptive,
  { tests: { cases: adaptiveCases() } },
);

// ---- 1-D pools: the 2-D ones on [N, C, 1, L] ----------------------------------------------------

export interface MaxPool1dOptions {
  stride?: number | [number];
  padding?: number | [number];
  dilation?: number | [number];
  ceilMode?: boolean;
}
export interface AvgPool1dOptions {
  stride?: number | [number];
  padding?: number | [number];
  ceilMode?: boolean;
  countIncludePad?: boolean;
}
export interface Pool1dAttrs extends MaxPool1dOptions, AvgPool1dOptions {
  kernel: number | [number];
}

/** A 1-D pool's attributes as the 2-D pool's on [N, C, 1, L]: windows one row high. */
export function lift1d(op: string, a: Pool1dAttrs): PoolAttrs {
  const along = (name: string, v: unknown, min: number, h: number): [number, number] => [h, perDim(op, name, v, 1, min)[0]];
  const kernel = along('kernel size', a.kernel, 1, 1);
  return {
    kernel,
    stride: a.stride === undefined ? kernel : along('stride', a.stride, 1, 1),
    padding: along('padding', a.padding ?? 0, 0, 0),
    dilation: along('dilation', a.dilation ?? 1, 1, 1),
    ceilMode: a.ceilMode,
    countIncludePad: a.countIncludePad,
  };
}

/** [N, C, L] checked, as the [N, C, 1, L] the 2-D op runs on. */
function lift3d(op: string, x: Meta): Meta {
  checkRank(op, 'input', 3, '[N, C, L] (or [C, L] unbatched)', x);
  const [n, c, l] = x.shape;
  if (c === 0 || l === 0) throw new ShapeError(op, `input ${fmtShape(x.shape)} needs non-zero channels and length (only the batch dim N may be 0)`);
  return { shape: [n, c, 1, l], dtype: x.dtype };
}

/** A 1-D pool as a composite: the 2-D op `pool2d` between two reshapes, with its attributes lifted by `attrs`. */
function pool1d<A, N extends string>(
  name: N,
  pool2d: 'maxPool2d' | 'avgPool2d' | 'adaptiveAvgPool2d' | 'adaptiveMaxPool2d',
  attrs: (a: A) => PoolAttrs | AdaptiveAttrs,
  info: OpInfo<A>,
): CompositeDef<A, N> {
  const planned = (x: Meta, a: A): number[] => {
    const lifted = lift3d(name, x),
      a2 = attrs(a);
    const { shape } = pool2d.startsWith('adaptive')
      ? planAdaptive(name, [lifted], a2 as AdaptiveAttrs)
      : planPool(name, [lifted], a2 as PoolAttrs, pool2d === 'maxPool2d');
    return [shape[0], shape[1], shape[3]];
  };
  return {
    kind: 'composite',
    name,
    arity: 1,
    gradInputs: [0],
    plan: ([x], a) => ({ shape: planned(x, a) }),
    compose: (b, [x], a) => {
      const meta: Meta = { shape: b.shape(x), dtype: 'float32' },
        shape = planned(meta, a);
      const y = b.op(pool2d, [b.op('copy', [x], contiguousView(lift3d(name, meta).shape))], attrs(a));
      return b.op('copy', [y], contiguousView(shape));
    },
    ...info,
  };
}

const pool1dCases: TestCase<Pool1dAttrs>[] = [
  { inputs: [{ shape: [1, 1, 1] }], attrs: { kernel: 1 } },
  { inputs: [{ shape: [2, 3, 17] }], attrs: { kernel: 3, stride: 2, padding: 1, ceilMode: true }, name: 'k 3, stride 2, padding 1, ceilMode' },
  { inputs: [{ shape: [0, 2, 5] }], attrs: { kernel: 2 }, name: 'N = 0' },
];

const maxPool1dOp = pool1d('maxPool1d', 'maxPool2d', (a: Pool1dAttrs) => lift1d('maxPool1d', a), {
  doc: 'maxPool2d on [N, C, 1, L] with 1×k windows',
  tests: { cases: [...pool1dCases, { inputs: [{ shape: [1, 2, 9] }], attrs: { kernel: 2, stride: 1, dilation: 3 }, name: 'dilation 3' }] },
});
const avgPool1dOp = pool1d('avgPool1d', 'avgPool2d', (a: Pool1dAttrs) => lift1d('avgPool1d', a), {
  doc: 'avgPool2d on [N, C, 1, L] with 1×k windows',
  tests: {
    cases: [
      ...pool1dCases,
      { inputs: [{ shape: [1, 2, 7] }], attrs: { kernel: 3, stride: 2, padding: 1, countIncludePad: false }, name: 'countIncludePad false' },
    ],
  },
});
/** An adaptive 1-D pool's output size (a number or [n]) as the 2-D pool's [1, n]. */
export const adaptive1d = (op: string, outputSize: number | [number]): AdaptiveAttrs => ({ outputSize: [1, perDim(op, 'outputSize', outputSize, 1, 0)[0]] });
const adaptive1dCases: TestCase<{ outputSize: number | [number] }>[] = [
  { inputs: [{ shape: [1, 1, 1] }], attrs: { outputSize: 1 } },
  { inputs: [{ shape: [2, 3, 17] }], attrs: { outputSize: 5 }, name: 'overlapping windows' },
  { inputs: [{ shape: [1, 2, 3] }], attrs: { outputSize: 7 }, name: 'larger than the input' },
  { inputs: [{ shape: [2, 2, 3] }], attrs: { outputSize: 0 }, name: 'an empty output' },
  { inputs: [{ shape: [0, 2, 5] }], attrs: { outputSize: 2 }, name: 'N = 0' },
];
/** An adaptive 1-D pool: the 2-D one on [N, C, 1, L] to [1, outputSize]. */
const adaptive1dOp = <N extends string>(name: N, pool2d: 'adaptiveAvgPool2d' | 'adaptiveMaxPool2d') =>
  pool1d(name, pool2d, ({ outputSize }: { outputSize: number | [number] }) => adaptive1d(name, outputSize), {
    doc: `${pool2d} on [N, C, 1, L] to [1, outputSize]`,
    tests: { cases: adaptive1dCases },
  });
const adaptiveAvgPool1dOp = adaptive1dOp('adaptiveAvgPool1d', 'adaptiveAvgPool2d');
const adaptiveMaxPool1dOp = adaptive1dOp('adaptiveMaxPool1d', 'adaptiveMaxPool2d');

export const POOL_OPS = defineOps(
  maxPool2dOp,
  maxPool2dIndicesOp,
  avgPool2dOp,
  adaptiveAvgPool2dOp,
  adaptiveMaxPool2dOp,
  adaptiveMaxPool2dIndicesOp,
  maxPool1dOp,
  avgPool1dOp,
  adaptiveAvgPool1dOp,
  adaptiveMaxPool1dOp,
);
