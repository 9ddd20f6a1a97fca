/**
 * Convolutions, NCHW: conv2d, convTranspose2d (its adjoint, the same kernels with the roles
 * swapped) and conv1d (conv2d with H = 1). Kernels: assembly/kernels/conv.ts (direct or im2col +
 * GEMM, group by group). The pools are in ./pool.ts, interpolation in ./resample.ts; CONV_OPS
 * gathers the three groups.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import {
  colWeightGradWords,
  depthwiseWeightGradWords,
  depthwiseWords,
  directImagePartsWords,
  directInputWords,
  directWeightGradPartsWords,
  directWeightGradWords,
  directWeightWords,
  im2colScratchWords,
  imageRunWords,
  planThreads,
} from './contract.js';
import { POOL_OPS } from './pool.js';
import { RESAMPLE_OPS } from './resample.js';
import { reduceOver } from './reduce.js';
import { contiguousView, cropTo, permuteView, reshape } from './shape.js';
import {
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
  type OpInfo,
} from './types.js';
import { checkRank, outSize, perDim, type Size2, type Size3 } from './window.js';

/** Padding of a convolution: per side of each dim, or 'same' (output size = input size, stride 1), or 'valid' (none). */
export type ConvPadding<P> = number | P | 'same' | 'valid';

export interface Conv2dOptions {
  stride?: Size2;
  padding?: ConvPadding<[number] | [number, number]>;
  dilation?: Size2;
  groups?: number;
}
export interface Conv3dOptions {
  stride?: Size3;
  padding?: ConvPadding<[number] | [number, number, number]>;
  dilation?: Size3;
  groups?: number;
}
export interface ConvTranspose3dOptions {
  stride?: Size3;
  padding?: Size3;
  outputPadding?: Size3;
  groups?: number;
  dilation?: Size3;
}
export interface Conv1dOptions {
  stride?: number | [number];
  padding?: ConvPadding<[number]>;
  dilation?: number | [number];
  groups?: number;
}
export interface ConvTranspose2dOptions {
  stride?: Size2;
  padding?: Size2;
  outputPadding?: Size2;
  groups?: number;
  dilation?: Size2;
}

/** Attributes of the ops: the options, plus whether input 2 is a real bias (false: it is never read). */
export interface ConvAttrs extends Conv2dOptions {
  bias?: boolean;
}
export interface Conv1dAttrs extends Conv1dOptions {
  bias?: boolean;
}
export interface Conv3dAttrs extends Conv3dOptions {
  bias?: boolean;
}
export interface ConvTranspose3dAttrs extends ConvTranspose3dOptions {
  bias?: boolean;
}
export interface ConvTransposeAttrs extends ConvTranspose2dOptions {
  bias?: boolean;
}

/**
 * A convolution x [n, c, h, w] → [n, o, oh, ow] with weight [o, c/groups, kh, kw], as the kernels
 * read it (record words P0..P16). ph, pw are the top and left padding; the bottom and right
 * padding follow from oh, ow. convTranspose2d records the convolution it is the adjoint of.
 */
interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  bias: boolean;
  groups: number;
}

const toParams = (g: ConvGeometry) => [g.n, g.c, g.h, g.w, g.o, g.kh, g.kw, g.oh, g.ow, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.bias ? 1 : 0, g.groups];
function fromParams(p: readonly number[]): ConvGeometry {
  const [n, c, h, w, o, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, bias, groups] = p;
  return { n, c, h, w, o, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, bias: bias !== 0, groups };
}
const geomOf = (r: Int32Array) => fromParams(Array.from({ length: 17 }, (_, k) => param(r, k)));

// ---- scratch: mirrors assembly/kernels/conv.ts -------------------------------------------------

/** A 1×1 kernel at stride 1 without padding that reads every pixel: the image is its own column matrix. */
const isPointwise = (g: ConvGeometry) => g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0 && g.oh === g.h && g.ow === g.w;

/** One filter per channel (groups = C = O): the depthwise kernels, on every build (isDepthwise). */
const isDepthwise = (g: ConvGeometry) => g.groups === g.c && g.o === g.c;

/**
 * The depthwise kernels' scratch: one padded plane reaching every tap of every output and every
 * input row (padH, padW in assembly/kernels/depthwise.ts), and the weight gradient's sums; with a
 * pool, the image passes' parts (`parts`) and the weight gradient's (conv2d's and
 * convTranspose2d's backward both split it by channels, so planThreads() of them).
 */
function depthwiseScratch(g: ConvGeometry, weightGrad: boolean, parts: number): number {
  const hp = Math.max((g.oh - 1) * g.sh + g.dh * (g.kh - 1) + 1, g.ph + g.h),
    wp = Math.max((g.ow - 1) * g.sw + g.dw * (g.kw - 1) + 1, g.pw + g.w);
  const taps = g.kh * g.kw;
  const weightGradParts = weightGrad ? depthwiseWeightGradWords(planThreads(), hp * wp, taps) : 0;
  return depthwiseWords(hp, wp, taps, weightGrad) + imageRunWords(parts, hp * wp) + weightGradParts;
}

/** Whether the SIMD builds run g through the direct kernels (isDirect): stride 1, more than 1×1, each side's padding in [0, d·(k − 1)]. */
function isDirect(g: ConvGeometry): boolean {
  const eh = g.dh * (g.kh - 1),
    ew = g.dw * (g.kw - 1);
  const pb = g.oh + eh - g.h - g.ph,
    pr = g.ow + ew - g.w - g.pw;
  return g.sh === 1 && g.sw === 1 && g.kh * g.kw > 1 && g.ph <= eh && g.pw <= ew && pb >= 0 && pb <= eh && pr >= 0 && pr <= ew;
}

/**
 * Words the direct kernels take for the forward and the backward record of conv2d (or of
 * convTranspose2d, whose records run the other phases), or undefined where they do not run. Per
 * group: the forward pads the input to (oh + dh·(kh − 1)) × (ow + dw·(kw − 1)); the input gradient
 * pads G to (h + dh·(kh − 1)) × (w + dw·(kw − 1)); the weight gradient reuses the forward's padded
 * input (conv2d allocates it after the input gradient, convTranspose2d shares the forward's).
 */
export function directConvWords(params: readonly number[], transposed: boolean): { fwd: number; bwd: number } | undefined {
  const g = fromParams(params);
  if (isDepthwise(g) || !isDirect(g)) return undefined;
  const cg = g.c / g.groups,
    og = g.o / g.groups,
    eh = g.dh * (g.kh - 1),
    ew = g.dw * (g.kw - 1);
  // With a pool, each pass may also take its parts' buffers (directImagePartsWords, directWeightGradPartsWords).
  const t = planThreads();
  const input = directInputWords(cg, g.oh + eh, g.ow + ew, g.kh, g.kw, g.dw);
  const forward =
    input + directWeightWords(cg, g.oh + eh, g.ow + ew, og, g.kh, g.kw, g.dh) + directImagePartsWords(t, cg, g.oh + eh, g.ow + ew, og, g.kh, g.kw, g.dh, g.dw);
  const inputGrad =
    directInputWords(og, g.h + eh, g.w + ew, g.kh, g.kw, g.dw) +
    directWeightWords(og, g.h + eh, g.w + ew, cg, g.kh, g.kw, g.dh) +
    directImagePartsWords(t, og, g.h + eh, g.w + ew, cg, g.kh, g.kw, g.dh, g.dw);
  const weightGrad =
    directWeightGradWords(g.oh * g.ow, cg * g.kh * g.kw, og) + directWeightGradPartsWords(t, cg, g.oh + eh, g.ow + ew, g.kh, g.kw, g.dw, g.oh * g.ow, og);
  return transposed ? { fwd: inputGrad, bwd: forward + weightGrad } : { fwd: forward, bwd: inputGrad + input + weightGrad };
}

/** The plan of either op: its geometry as params, and the scratch of the depthwise kernels, or of the im2col path or the direct one, whichever is larger. */
function convPlan(shape: number[], g: ConvGeometry, transposed: boolean): Plan {
  // With a pool, conv2d's (not convTranspose2d's) per-image passes of the depthwise and im2col paths take their parts' buffers too.
  const parts = transposed ? 1 : planThreads();
  if (isDepthwise(g)) return { shape, params: toParams(g), workspace: depthwiseScratch(g, true, parts) };
  const cgkk = (g.c / g.groups) * g.kh * g.kw,
    ohw = g.oh * g.ow;
  // Both backwards may cut the im2col weight gradient by taps (colWeightGradWords).
  const im2col =
    im2colScratchWords(cgkk, ohw, isPointwise(g), Math.max(ohw, cgkk)) +
    imageRunWords(parts, isPointwise(g) ? 0 : cgkk * ohw) +
    colWeightGradWords(planThreads(), cgkk);
  const params = toParams(g),
    direct = directConvWords(params, transposed);
  return { shape, params, workspace: direct ? Math.max(im2col, direct.fwd, direct.bwd) : im2col };
}

// ---- validation shared by conv1d and conv2d ----------------------------------------------------

/** The checked arguments of a convolution with any number of spatial dims, one entry per dim. */
export interface ConvNd {
  shape: number[];
  k: number[];
  stride: number[];
  dilation: number[];
  /** Padding before each dim (top, left, front) and the total of both sides ('same' puts an odd extra after). */
  before: number[];
  total: number[];
  bias: boolean;
  groups: number;
}

const CONV_LAYOUTS: Record<number, [string, string]> = {
  1: ['[N, C, L] (or [C, L] unbatched)', '[O, C/groups, k]'],
  2: ['[N, C, H, W] (or [C, H, W] unbatched)', '[O, C/groups, kh, kw]'],
  3: ['[N, C, D, H, W] (or [C, D, H, W] unbatched)', '[O, C/groups, kd, kh, kw]'],
};

/**
 * Checks a convolution with `dims` spatial dims (1, 2 or 3) as PyTorch does and returns its
 * output shape and per-dim arguments. Shapes in messages are the caller's.
 */
export function checkConvNd(op: string, dims: number, [x, w, b]: readonly Meta[], attrs: ConvAttrs | Conv1dAttrs | Conv3dAttrs, noChannels = false): ConvNd {
  const layout = CONV_LAYOUTS[dims];
  checkRank(op, 'input', dims + 2, layout[0], x);
  checkRank(op, 'weight', dims + 2, layout[1], w);
  const [n, c, ...size] = x.shape,
    [o, cw, ...k] = w.shape;
  const groups = attrs.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ValueError(op, `groups must be a positive integer, got ${fmtValue(groups)}`);
  if (c !== cw * groups)
    throw new ShapeError(
      op,
      `input ${fmtShape(x.shape)} has ${c} channels but weight ${fmtShape(w.shape)} with groups ${groups} expects ${cw * groups} (weight dim 1 is the input channels per group)`,
    );
  if (o % groups !== 0) throw new ShapeError(op, `weight ${fmtShape(w.shape)} has ${o} output channels, not a multiple of groups ${groups}`);
  // As PyTorch, the batch may be empty (N = 0 gives an empty output); no input channels only
  // through convNoChannelsShape (the kernels never see C = 0).
  if ((c === 0 && !noChannels) || size.includes(0))
    throw new ShapeError(op, `input ${fmtShape(x.shape)} needs non-zero channels and spatial sizes (only the batch dim N may be 0)`);
  if (o === 0 || k.includes(0))
    throw new ShapeError(op, `weight ${fmtShape(w.shape)} needs at least one output channel and a kernel of at least 1 in each dim`);
  const bias = attrs.bias ?? true;
  if (bias && (b.shape.length !== 1 || b.shape[0] !== o))
    throw new ShapeError(op, `bias must have shape [${o}] (one per output channel of weight ${fmtShape(w.shape)}), got ${fmtShape(b.shape)}`);
  const stride = perDim(op, 'stride', attrs.stride ?? 1, dims, 1);
  const dilation = perDim(op, 'dilation', attrs.dilation ?? 1, dims, 1);
  // 'same': the total d·(k − 1), the odd one on the bottom / right (PyTorch pads the extra there).
  const padding = attrs.padding ?? 0;
  let before: number[], total: number[];
  if (padding === 'same') {
    if (stride.some((s) => s !== 1)) throw new ValueError(op, `padding 'same' needs stride 1 (as PyTorch), got stride ${fmtValue(attrs.stride)}`);
    total = k.map((kd, i) => dilation[i] * (kd - 1));
    before = total.map((t) => Math.floor(t / 2));
  } else if (padding === 'valid') before = total = Array<number>(dims).fill(0);
  else if (typeof padding === 'string') throw new ValueError(op, `padding must be a number, a list of ${dims}, 'same' or 'valid', got ${fmtValue(padding)}`);
  else {
    before = perDim(op, 'padding', padding, dims, 0);
    total = before.map((p) => 2 * p);
  }
  const outs = size.map((sz, i) => outSize(sz, k[i], stride[i], total[i], dilation[i]));
  const one = (v: number[]) => (dims === 1 ? v[0] : v);
  if (outs.some((v) => v < 1))
    throw new ShapeError(
      op,
      `kernel ${k.join('×')} with dilation ${fmtValue(one(dilation))} spans ${k.map((kd, i) => dilation[i] * (kd - 1) + 1).join('×')}, more than the padded input ${size.map((sz, i) => sz + total[i]).join('×')} (input ${fmtShape(x.shape)}, padding ${fmtValue(one(before))}${typeof padding === 'string' ? ` from '${padding}'` : ''})`,
    );
  return { shape: [n, o, ...outs], k, stride, dilation, before, total, bias, groups };
}

/** conv1d (dims 1) or conv2d checked, with its geometry (a 1-D one as 2-D with H = 1). */
function planConvNd(
  op: string,
  dims: number,
  ins: readonly Meta[],
  attrs: ConvAttrs | Conv1dAttrs,
  noChannels = false,
): { shape: number[]; geometry: ConvGeometry } {
  const { shape, k, stride, dilation, before, bias, groups } = checkConvNd(op, dims, ins, attrs, noChannels);
  const [n, c, ...size] = ins[0].shape,
    [, o, ...outs] = shape;
  // A 1-D convolution is the 2-D one with H = 1 and a 1-high kernel.
  const lift = (v: number[], one: number) => (dims === 2 ? v : [one, ...v]);
  const [h, wd] = lift(size, 1),
    [kh, kw] = lift(k, 1),
    [oh, ow] = lift(outs, 1),
    [sh, sw] = lift(stride, 1),
    [ph, pw] = lift(before, 0),
    [dh, dw] = lift(dilation, 1);
  return { shape, geometry: { n, c, h, w: wd, o, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, bias, groups } };
}

/**
 * The result's shape of conv2d (dims 2) or conv1d (dims 1) over an input with no channels, after
 * every other check of the op's plan: [N, 0, *out], PyTorch's eager rule (no input channels give
 * no output channels, whatever the weight's O).
 */
export function convNoChannelsShape(op: 'conv1d' | 'conv2d', ins: readonly Meta[], attrs: ConvAttrs | Conv1dAttrs): number[] {
  const [n, , ...outs] = planConvNd(op, op === 'conv2d' ? 2 : 1, ins, attrs, true).shape;
  return [n, 0, ...outs];
}

// ---- reference kernels -------------------------------------------------------------------------

/**
 * Calls f(output index, input index, weight index) for every (output, kernel tap) pair of g that
 * reads inside the input: output channel q of group floor(q / og) reads that group's cg input
 * channels.
 */
function forEachConvTap(g: ConvGeometry, f: (oi: number, xi: number, wi: number) => void): void {
  const { n, c, h, w, o, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw } = g;
  const cg = c / g.groups,
    og = o / g.groups;
  for (let img = 0; img < n; img++)
    for (let q = 0; q < o; q++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          const oi = ((img * o + q) * oh + oy) * ow + ox;
          for (let cl = 0; cl < cg; cl++) {
            const ch = Math.floor(q / og) * cg + cl;
            for (let i = 0; i < kh; i++) {
              const iy = oy * sh - ph + i * dh;
              if (iy < 0 || iy >= h) continue;
              for (let j = 0; j < kw; j++) {
                const ix = ox * sw - pw + j * dw;
                if (ix < 0 || ix >= w) continue;
                f(oi, ((img * c + ch) * h + iy) * w + ix, ((q * cg + cl) * kh + i) * kw + j);
              }
            }
          }
        }
}

/** Calls f(channel, flat index) for every element of an [n, chs, plane] tensor. */
function forEachChannel(n: number, chs: number, plane: number, f: (ch: number, i: number) => void): void {
  for (let i = 0; i < n * chs * plane; i++) f(Math.floor(i / plane) % chs, i);
}

/**
 * The reference kernels of conv2d (transposed false) or convTranspose2d, over the taps of the
 * recorded convolution g: conv2d's input is g's input and its output g's output; convTranspose2d's
 * input is g's output (gradient) and its output g's input (gradient), the bias per channel of that
 * output.
 */
function convReference(transposed: boolean): OpSpec['ref'] {
  const taps = (g: ConvGeometry, f: (ii: number, oi: number, wi: number) => void) =>
    forEachConvTap(g, transposed ? (oi, xi, wi) => f(oi, xi, wi) : (oi, xi, wi) => f(xi, oi, wi));
  /** [channels, plane] of the op's input and output. */
  const sides = (g: ConvGeometry) => {
    const small = [g.o, g.oh * g.ow],
      large = [g.c, g.h * g.w];
    return transposed ? { input: small, output: large } : { input: large, output: small };
  };
  return {
    fwd: (h: Float64Array, r: Int32Array) => {
      const g = geomOf(r),
        x = inp(r, 0),
        w = inp(r, 1),
        b = inp(r, 2),
        o = out(r),
        [chs, plane] = sides(g).output;
      h.fill(0, o, o + g.n * chs * plane);
      taps(g, (ii, oi, wi) => (h[o + oi] += h[x + ii] * h[w + wi]));
      if (g.bias) forEachChannel(g.n, chs, plane, (ch, i) => (h[o + i] += h[b + ch]));
    },
    bwd: (h: Float64Array, r: Int32Array) => {
      const g = geomOf(r),
        x = inp(r, 0),
        w = inp(r, 1),
        go = gout(r),
        gx = gin(r, 0),
        gw = gin(r, 1),
        gb = g.bias ? gin(r, 2) : 0,
        { input, output } = sides(g);
      clearOverwritten(h, r, [g.n * input[0] * input[1], g.o * (g.c / g.groups) * g.kh * g.kw, gb ? output[0] : 0]);
      taps(g, (ii, oi, wi) => {
        if (gx) h[gx + ii] += h[go + oi] * h[w + wi];
        if (gw) h[gw + wi] += h[go + oi] * h[x + ii];
      });
      if (gb) forEachChannel(g.n, output[0], output[1], (ch, i) => (h[gb + ch] += h[go + i]));
    },
  };
}

// ---- vjps (createGraph): the gradients as convolutions ------------------------------------------

/**
 * The weight gradient of the convolution of x [N, C, H, W] giving g [N, O, oh, ow] (kernel k,
 * padding `before` each dim and `total` over both sides), as a convolution:
 * dW[o, c, i, j] = Σ_n Σ_{y,x} g[n, o, y, x]·xp[n, o's group·C/G + c, y·s + i·d, x·s + j·d] (xp: x padded)
 * convolves x with g, the batch as the channels and the channels as the batch, stride and dilation
 * swapped: x as [C/G, G·N, H, W] with the weight g as [O, N, oh, ow], grouped by G. Its result
 * [C/G, O, kh', kw'] may pass the kernel (rows beyond the last stride), cut off as it is permuted.
 */
function convWeightGrad<T>(b: Builder<T>, x: T, g: T, k: readonly number[], c: ConvNdGeometry): T {
  const [n, ch, h, w] = b.shape(x),
    [, o, oh, ow] = b.shape(g),
    { groups } = c,
    cg = ch / groups;
  // With no batch the gradient is 0 (the convolution below would have no channels).
  if (n === 0) return b.op('copy', [b.scalar(0)], { shape: [o, cg, ...k], strides: [0, 0, 0, 0] });
  const grouped = [n, groups, cg, h, w];
  let xt = reshape(b, b.op('copy', [x], permuteView(grouped, [2, 1, 0, 3, 4])), [cg, groups * n, h, w]);
  const symmetric = c.before.every((p, i) => 2 * p === c.total[i]);
  // 'same' with an odd total pads one more after: padded explicitly.
  if (!symmetric) xt = b.op('pad', [xt], { pad: [c.before[1], c.total[1] - c.before[1], c.before[0], c.total[0] - c.before[0]], mode: 'constant', value: 0 });
  const dw = b.op('conv2d', [xt, b.op('copy', [g], permuteView([n, o, oh, ow], [1, 0, 2, 3])), b.scalar(0)], {
    stride: c.dilation,
    dilation: c.stride,
    padding: symmetric ? c.before : 0,
    groups,
    bias: false,
  });
  const [, , kh, kw] = b.shape(dw);
  return b.op('copy', [dw], { shape: [o, cg, ...k], strides: [kh * kw, o * kh * kw, kw, 1] });
}

/** A 2-D convolution's stride, dilation, padding (before each dim and in total) and groups. */
interface ConvNdGeometry {
  stride: number[];
  dilation: number[];
  before: number[];
  total: number[];
  groups: number;
}

/** The bias gradient: g summed over all but the channels. */
const biasGrad = <T>(b: Builder<T>, g: T): T => reduceOver(b, 'sumDims', g, { dim: [0, 2, 3] });

const metaOf = <T>(b: Builder<T>, ts: readonly T[]): Meta[] => ts.map((t) => ({ shape: [...b.shape(t)], dtype: 'float32' }));

const conv2dOp: OpSpec<ConvAttrs, 'conv2d'> = {
  name: 'conv2d',
  module: 'conv',
  arity: 3,
  gradInputs: [0, 1, 2],
  overwritesGrad: true,
  doc:
    'conv2d(x [N,C,H,W], w [O,C/groups,kh,kw], b [O]) with stride, padding (a number, [ph, pw], same or valid), dilation, groups (PyTorch cross-correlation). ' +
    'Without a bias, conv2d() passes a 0-d constant in the bias slot with attribute bias: false, and the kernels never read it.',
  plan: (ins: readonly Meta[], attrs: ConvAttrs): Plan => {
    const { shape, geometry } = planConvNd('conv2d', 2, ins, attrs);
    return convPlan(shape, geometry, false);
  },
  ref: convReference(false),
  // dx: the transposed convolution of g with the same weight, its outputPadding the rows the
  // strides skip (or one row cut off: 'same' with an odd total pads one more after); dW: convWeightGrad.
  vjp: (b, { inputs: [x, w], gout: g, attrs, needs }) => {
    const c = checkConvNd('conv2d', 2, metaOf(b, [x, w, b.scalar(0)]), { ...attrs, bias: false });
    const xs = b.shape(x),
      k = b.shape(w).slice(2);
    const outputPadding = k.map((kd, i) => {
      const reached = (b.shape(g)[2 + i] - 1) * c.stride[i] - 2 * c.before[i] + c.dilation[i] * (kd - 1) + 1;
      return Math.max(0, xs[2 + i] - reached);
    });
    const dx = () =>
      cropTo(
        b,
        b.op('convTranspose2d', [g, w, b.scalar(0)], {
          stride: c.stride,
          padding: c.before,
          outputPadding,
          dilation: c.dilation,
          groups: c.groups,
          bias: false,
        }),
        xs,
      );
    return [needs[0] ? dx() : null, needs[1] ? convWeightGrad(b, x, g, k, c) : null, needs[2] && attrs.bias !== false ? biasGrad(b, g) : null];
  },
  tests: {
    cases: [
      { inputs: [{ shape: [1, 1, 1, 1] }, { shape: [1, 1, 1, 1] }, { shape: [1] }] },
      { inputs: [{ shape: [1, 3, 5, 5] }, { shape: [3, 3, 3, 3] }, { shape: [3] }], attrs: { padding: 1 }, name: '3x3 padding 1' },
      { inputs: [{ shape: [2, 3, 7, 7] }, { shape: [1, 3, 3, 3] }, { shape: [1] }], attrs: { stride: 2 }, name: 'stride 2' },
      { inputs: [{ shape: [2, 1, 7, 5] }, { shape: [3, 1, 3, 3] }, { shape: [3] }], attrs: { dilation: 2, padding: 1 }, name: 'dilation 2, padding 1' },
      {
        inputs: [{ shape: [1, 3, 7, 7] }, { shape: [3, 3, 3, 3] }, { shape: [3] }],
        attrs: { stride: 2, padding: 1, dilation: 2 },
        name: 'stride 2, padding 1, dilation 2',
      },
      { inputs: [{ shape: [2, 3, 5, 7] }, { shape: [3, 3, 1, 1] }, { shape: [3] }], name: '1x1 pointwise' },
      { inputs: [{ shape: [2, 3, 5, 5] }, { shape: [1, 3, 1, 1] }, { shape: [1] }], attrs: { stride: 2 }, name: '1x1 stride 2' },
      {
        inputs: [{ shape: [1, 1, 7, 7] }, { shape: [3, 1, 3, 2] }, { shape: [], noGrad: true }],
        attrs: { stride: [2, 1], padding: [1, 0], bias: false },
        name: 'no bias, per-axis stride and padding',
      },
      { inputs: [{ shape: [2, 3, 1, 5] }, { shape: [3, 3, 1, 3] }, { shape: [3] }], attrs: { padding: [0, 1] }, name: 'H = 1' },
      { inputs: [{ shape: [1, 1, 5, 1] }, { shape: [1, 1, 5, 1] }, { shape: [1] }], attrs: { padding: [2, 0] }, name: 'W = 1, kernel as tall as the input' },
      { inputs: [{ shape: [1, 2, 9, 9] }, { shape: [9, 2, 3, 3] }, { shape: [9] }], attrs: { padding: 1 }, name: 'O = 9: full and edge GEMM tiles' },
      // Stride 1 (isDirect in assembly/kernels/conv.ts): tiles of 1, 2, 3→4 and 4 channels, dW tiles past 8 channels, rows crossing tiles.
      {
        inputs: [{ shape: [2, 1, 9, 9] }, { shape: [6, 1, 5, 5] }, { shape: [6] }],
        attrs: { padding: 2 },
        name: 'direct, LeNet conv1-like: 6 = 4 + 2 channels, dX to 1 channel',
      },
      { inputs: [{ shape: [1, 2, 7, 17] }, { shape: [17, 2, 3, 3] }, { shape: [17] }], attrs: { padding: 1 }, name: 'direct, O = 17, W = 17' },
      { inputs: [{ shape: [3, 2, 5, 5] }, { shape: [5, 2, 3, 3] }, { shape: [5] }], name: 'direct, O = 5, no padding: dX pads G by 2' },
      {
        inputs: [{ shape: [2, 3, 6, 7] }, { shape: [3, 3, 3, 2] }, { shape: [], noGrad: true }],
        attrs: { dilation: [2, 1], padding: [4, 1], bias: false },
        name: 'direct, dilation [2, 1], padding = the dilated extent, 3 channels',
      },
      {
        inputs: [{ shape: [1, 1, 3, 3] }, { shape: [2, 1, 3, 3] }, { shape: [2] }],
        attrs: { padding: 3 },
        name: 'stride 1, padding past the kernel extent: im2col',
      },
      // Groups: per-group GEMMs (im2col) and per-group direct kernels; depthwise is groups = C.
      { inputs: [{ shape: [2, 4, 5, 5] }, { shape: [6, 2, 3, 3] }, { shape: [6] }], attrs: { groups: 2, padding: 1 }, name: 'groups 2, direct' },
      { inputs: [{ shape: [2, 4, 7, 7] }, { shape: [4, 2, 3, 3] }, { shape: [4] }], attrs: { groups: 2, stride: 2 }, name: 'groups 2, stride 2 (im2col)' },
      { inputs: [{ shape: [1, 6, 5, 7] }, { shape: [3, 2, 1, 1] }, { shape: [3] }], attrs: { groups: 3 }, name: 'groups 3, pointwise' },
      // Depthwise (groups = C = O) runs its own kernels: rows of 4-wide vectors at stride 1 and tails.
      { inputs: [{ shape: [2, 5, 7, 9] }, { shape: [5, 1, 3, 3] }, { shape: [5] }], attrs: { groups: 5, padding: 1 }, name: 'depthwise 3x3, W 9' },
      {
        inputs: [{ shape: [1, 3, 6, 17] }, { shape: [3, 1, 3, 3] }, { shape: [3] }],
        attrs: { groups: 3, padding: 1, stride: 2 },
        name: 'depthwise, stride 2, W 17',
      },
      {
        inputs: [{ shape: [2, 2, 5, 7] }, { shape: [2, 1, 2, 4] }, { shape: [2] }],
        attrs: { groups: 2, padding: 'same' },
        name: "depthwise, 'same', even kernel 2x4",
      },
      {
        inputs: [{ shape: [1, 2, 4, 5] }, { shape: [2, 1, 3, 3] }, { shape: [2] }],
        attrs: { groups: 2, padding: [3, 4], stride: [1, 2], dilation: [2, 1] },
        name: 'depthwise, padding past the kernel extent, stride [1, 2], dilation [2, 1]',
      },
      {
        inputs: [{ shape: [1, 3, 7, 7] }, { shape: [6, 1, 3, 3] }, { shape: [6] }],
        attrs: { groups: 3, padding: 1, stride: 2 },
        name: 'depthwise ×2, stride 2',
      },
      {
        inputs: [{ shape: [1, 17, 5, 5] }, { shape: [17, 1, 3, 3] }, { shape: [], noGrad: true }],
        attrs: { groups: 17, dilation: 2, padding: 2, bias: false },
        name: 'depthwise, 17 channels, dilation 2',
      },
      // padding 'same' (odd totals put the extra row / column on the bottom / right) and 'valid'.
      { inputs: [{ shape: [2, 3, 5, 6] }, { shape: [2, 3, 3, 3] }, { shape: [2] }], attrs: { padding: 'same' }, name: "'same', 3x3" },
      { inputs: [{ shape: [1, 2, 5, 7] }, { shape: [3, 2, 2, 4] }, { shape: [3] }], attrs: { padding: 'same' }, name: "'same', even kernel 2x4" },
      {
        inputs: [{ shape: [1, 2, 6, 5] }, { shape: [2, 2, 2, 3] }, { shape: [2] }],
        attrs: { padding: 'same', dilation: [1, 2] },
        name: "'same', even kernel, dilation 2",
      },
      { inputs: [{ shape: [1, 2, 4, 6] }, { shape: [4, 1, 4, 1] }, { shape: [4] }], attrs: { padding: 'same', groups: 2 }, name: "'same', 4x1, groups 2" },
      { inputs: [{ shape: [2, 2, 5, 4] }, { shape: [3, 2, 3, 2] }, { shape: [3] }], attrs: { padding: 'valid' }, name: "'valid'" },
      // An empty batch (PyTorch allows N = 0): empty output, zero weight and bias gradients.
      { inputs: [{ shape: [0, 2, 5, 5] }, { shape: [3, 2, 3, 3] }, { shape: [3] }], attrs: { padding: 1 }, name: 'N = 0, direct' },
      { inputs: [{ shape: [0, 2, 7, 7] }, { shape: [3, 2, 3, 3] }, { shape: [3] }], attrs: { stride: 2 }, name: 'N = 0, im2col' },
      { inputs: [{ shape: [0, 3, 4, 5] }, { shape: [2, 3, 1, 1] }, { shape: [2] }], name: 'N = 0, pointwise' },
      { inputs: [{ shape: [0, 4, 4, 5] }, { shape: [4, 1, 3, 3] }, { shape: [4] }], attrs: { groups: 4, padding: 'same' }, name: 'N = 0, depthwise' },
    ],
  },
};

// ---- convTranspose2d ---------------------------------------------------------------------------

/** The checked arguments of a transposed convolution, one entry per spatial dim. */
export interface ConvTransposeNd {
  shape: number[];
  k: number[];
  stride: number[];
  padding: number[];
  outputPadding: number[];
  dilation: number[];
  groups: number;
  bias: boolean;
}

/**
 * Checks a transposed convolution with `dims` spatial dims (2 or 3) as PyTorch does: x [N, inC,
 * *size], w [inC, outC/groups, *k], each output size (size − 1)·stride − 2·padding +
 * dilation·(k − 1) + outputPadding + 1. Errors name `op` and the shapes of `shown`.
 */
export function checkConvTransposeNd(
  op: string,
  dims: number,
  [x, w, b]: readonly Meta[],
  attrs: ConvTransposeAttrs | ConvTranspose3dAttrs,
  shown: readonly Meta[] = [x, w],
): ConvTransposeNd {
  const [xs, ws] = shown.map((t) => fmtShape(t.shape));
  const sizes = dims === 2 ? 'H, W' : 'D, H, W';
  const ks = dims === 2 ? 'kh, kw' : 'kd, kh, kw';
  checkRank(op, 'input', dims + 2, `[N, inC, ${sizes}] (or [inC, ${sizes}] unbatched)`, x);
  checkRank(op, 'weight', dims + 2, `[inC, outC/groups, ${ks}]`, w);
  const [n, c, ...size] = x.shape,
    [cw, og, ...k] = w.shape;
  const groups = attrs.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ValueError(op, `groups must be a positive integer, got ${fmtValue(groups)}`);
  if (c !== cw) throw new ShapeError(op, `input ${xs} has ${c} channels but weight ${ws} expects ${cw} (weight dim 0 is the input channels)`);
  if (c % groups !== 0) throw new ShapeError(op, `input ${xs} has ${c} channels, not a multiple of groups ${groups}`);
  if (c === 0 || size.includes(0))
    throw new ShapeError(
      op,
      `input ${xs} needs non-zero channels, ${dims === 2 ? 'height and width' : 'depth, height and width'} (only the batch dim N may be 0)`,
    );
  if (og === 0 || k.includes(0))
    throw new ShapeError(op, `weight ${ws} needs at least one output channel and a kernel of at least ${k.map(() => 1).join('×')}`);
  const outC = og * groups,
    bias = attrs.bias ?? true;
  if (bias && (b.shape.length !== 1 || b.shape[0] !== outC))
    throw new ShapeError(op, `bias must have shape [${outC}] (output channels: weight ${ws} dim 1 × groups ${groups}), got ${fmtShape(b.shape)}`);
  const stride = perDim(op, 'stride', attrs.stride ?? 1, dims, 1);
  const padding = perDim(op, 'padding', attrs.padding ?? 0, dims, 0);
  const outputPadding = perDim(op, 'outputPadding', attrs.outputPadding ?? 0, dims, 0);
  const dilation = perDim(op, 'dilation', attrs.dilation ?? 1, dims, 1);
  if (outputPadding.some((p, i) => p >= stride[i] && p >= dilation[i]))
    throw new ValueError(
      op,
      `outputPadding ${fmtValue(outputPadding)} must be smaller than either the stride ${fmtValue(stride)} or the dilation ${fmtValue(dilation)} in each dim`,
    );
  const outs = size.map((sz, i) => (sz - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k[i] - 1) + outputPadding[i] + 1);
  if (outs.some((v) => v < 1))
    throw new ShapeError(
      op,
      `the output would be ${outs.join('×')} (input ${xs}, kernel ${k.join('×')}, stride ${fmtValue(stride)}, padding ${fmtValue(padding)})`,
    );
  return { shape: [n, outC, ...outs], k, stride, padding, outputPadding, dilation, groups, bias };
}

/**
 * x [N, inC, H, W], w [inC, outC/groups, kh, kw] → [N, outC, OH, OW]: the adjoint of the
 * convolution [N, outC, OH, OW] → [N, inC, H, W] with the same weight, whose geometry the record
 * holds (that convolution's output is exactly H × W: outputPadding < stride or < dilation adds
 * rows no output reads). Errors name `op` and the shapes of `shown` (convTranspose1d's own 3-D ones).
 */
function planConvTranspose(ins: readonly Meta[], attrs: ConvTransposeAttrs, op = 'convTranspose2d', shown?: readonly Meta[]): Plan {
  const { shape, k, stride, padding, dilation, groups, bias } = checkConvTransposeNd(op, 2, ins, attrs, shown);
  const [n, c, h, wd] = ins[0].shape,
    [, outC, outH, outW] = shape;
  const geometry = {
    n,
    c: outC,
    h: outH,
    w: outW,
    o: c,
    kh: k[0],
    kw: k[1],
    oh: h,
    ow: wd,
    sh: stride[0],
    sw: stride[1],
    ph: padding[0],
    pw: padding[1],
    dh: dilation[0],
    dw: dilation[1],
    bias,
    groups,
  };
  return convPlan(shape, geometry, true);
}

const convTranspose2dOp: OpSpec<ConvTransposeAttrs, 'convTranspose2d'> = {
  name: 'convTranspose2d',
  module: 'conv',
  arity: 3,
  gradInputs: [0, 1, 2],
  overwritesGrad: true,
  doc:
    'convTranspose2d(x [N,inC,H,W], w [inC,outC/groups,kh,kw], b [outC]) with stride, padding, outputPadding, groups, dilation: the adjoint (input gradient) of conv2d. ' +
    'Without a bias, a 0-d constant fills the bias slot with attribute bias: false.',
  plan: (ins: readonly Meta[], attrs: ConvTransposeAttrs): Plan => planConvTranspose(ins, attrs),
  ref: convReference(true),
  // The adjoint of a convolution: dx is that convolution of g (cut where outputPadding ≥ stride
  // added rows), dW its weight gradient with g as the input and x as the output's gradient.
  vjp: (b, { inputs: [x, w], gout: g, attrs, needs }) => {
    const t = checkConvTransposeNd('convTranspose2d', 2, metaOf(b, [x, w, b.scalar(0)]), { ...attrs, bias: false });
    const c = { ...t, before: t.padding, total: t.padding.map((p) => 2 * p) };
    const dx = () =>
      cropTo(b, b.op('conv2d', [g, w, b.scalar(0)], { stride: t.stride, padding: t.padding, dilation: t.dilation, groups: t.groups, bias: false }), b.shape(x));
    return [needs[0] ? dx() : null, needs[1] ? convWeightGrad(b, g, x, t.k, c) : null, needs[2] && attrs.bias !== false ? biasGrad(b, g) : null];
  },
  tests: {
    cases: [
      { inputs: [{ shape: [1, 1, 1, 1] }, { shape: [1, 1, 1, 1] }, { shape: [1] }] },
      { inputs: [{ shape: [2, 3, 4, 5] }, { shape: [3, 2, 3, 3] }, { shape: [2] }], name: 'stride 1 (direct)' },
      { inputs: [{ shape: [1, 2, 5, 5] }, { shape: [2, 3, 3, 3] }, { shape: [3] }], attrs: { padding: 1 }, name: 'stride 1, padding 1 (direct)' },
      {
        inputs: [{ shape: [2, 3, 3, 4] }, { shape: [3, 2, 3, 3] }, { shape: [2] }],
        attrs: { stride: 2, padding: 1, outputPadding: 1 },
        name: 'stride 2, outputPadding 1',
      },
      { inputs: [{ shape: [1, 2, 4, 4] }, { shape: [2, 1, 2, 2] }, { shape: [1] }], attrs: { stride: 2 }, name: '2x2 stride 2 (decoder upsampling)' },
      {
        inputs: [{ shape: [1, 4, 3, 5] }, { shape: [4, 3, 3, 2] }, { shape: [6] }],
        attrs: { stride: [2, 1], padding: [1, 0], groups: 2, dilation: [1, 2] },
        name: 'groups 2, per-axis stride, padding, dilation',
      },
      { inputs: [{ shape: [1, 3, 5, 5] }, { shape: [3, 1, 3, 3] }, { shape: [3] }], attrs: { groups: 3, padding: 1 }, name: 'depthwise' },
      {
        inputs: [{ shape: [2, 2, 3, 5] }, { shape: [2, 1, 3, 3] }, { shape: [2] }],
        attrs: { groups: 2, stride: 2, padding: 1, outputPadding: 1 },
        name: 'depthwise, stride 2, outputPadding 1',
      },
      {
        inputs: [{ shape: [1, 2, 4, 3] }, { shape: [2, 2, 3, 3] }, { shape: [], noGrad: true }],
        attrs: { dilation: 2, outputPadding: 1, bias: false },
        name: 'stride 1, outputPadding 1 < dilation 2: rows no input reaches',
      },
      {
        inputs: [{ shape: [1, 2, 3, 3] }, { shape: [2, 2, 1, 1] }, { shape: [2] }],
        attrs: { dilation: 2, outputPadding: 1 },
        name: '1x1, outputPadding 1 < dilation 2',
      },
      { inputs: [{ shape: [2, 3, 5, 7] }, { shape: [3, 2, 1, 1] }, { shape: [2] }], name: '1x1 pointwise' },
      { inputs: [{ shape: [1, 2, 1, 17] }, { shape: [2, 17, 1, 3] }, { shape: [17] }], attrs: { stride: [1, 2] }, name: 'H = 1, 17 channels' },
      { inputs: [{ shape: [0, 2, 3, 3] }, { shape: [2, 3, 3, 3] }, { shape: [3] }], attrs: { stride: 2 }, name: 'N = 0' },
    ],
  },
};

// ---- conv1d and convTranspose1d: the 2-D ops on one row ------------------------------------------

/** [a, b, L] as [a, b, 1, L]: a 1-D input or weight as the 2-D op's, one row high. */
const rowOf = (shape: readonly number[]) => [shape[0], shape[1], 1, shape[2]];
/** A 1-D size (a number or [n]) as the 2-D op's [one, n]. */
const lift = (v: number | readonly number[] | undefined, one: number): [number, number] | undefined =>
  v === undefined ? undefined : [one, typeof v === 'number' ? v : v[0]];

/** A 1-D convolution as a composite: the 2-D op `op2d` on [N, C, 1, L] with a one-row weight, reshaped back. */
function rowConv<A, N extends string>(
  name: N,
  op2d: 'conv2d' | 'convTranspose2d',
  plan1d: (ins: readonly Meta[], a: A) => number[],
  attrs2d: (a: A) => ConvAttrs | ConvTransposeAttrs,
  info: OpInfo<A>,
): CompositeDef<A, N> {
  return {
    kind: 'composite',
    name,
    arity: 3,
    gradInputs: [0, 1, 2],
    plan: (ins, a) => ({ shape: plan1d(ins, a) }),
    compose: (b, [x, w, bias], a) => {
      const shape = plan1d(
        [x, w, bias].map((t) => ({ shape: b.shape(t), dtype: 'float32' as const })),
        a,
      );
      const up = (t: typeof x) => b.op('copy', [t], contiguousView(rowOf(b.shape(t))));
      return b.op('copy', [b.op(op2d, [up(x), up(w), bias], attrs2d(a))], contiguousView(shape));
    },
    ...info,
  };
}

const conv1dOp = rowConv(
  'conv1d',
  'conv2d',
  (ins, a: Conv1dAttrs) => planConvNd('conv1d', 1, ins, a).shape,
  (a: Conv1dAttrs): ConvAttrs => ({
    stride: lift(a.stride, 1),
    padding: a.padding === 'same' || a.padding === 'valid' ? a.padding : lift(a.padding, 0),
    dilation: lift(a.dilation, 1),
    groups: a.groups,
    bias: a.bias,
  }),
  {
    doc: 'conv1d(x [N,C,L], w [O,C/groups,k], b [O]): conv2d on [N, C, 1, L] with a 1×k kernel',
    tests: {
      cases: [
        { inputs: [{ shape: [1, 1, 1] }, { shape: [1, 1, 1] }, { shape: [1] }] },
        { inputs: [{ shape: [2, 3, 17] }, { shape: [5, 3, 3] }, { shape: [5] }], attrs: { padding: 1 }, name: 'k 3, padding 1' },
        { inputs: [{ shape: [2, 4, 9] }, { shape: [4, 2, 4] }, { shape: [4] }], attrs: { padding: 'same', groups: 2 }, name: "'same', even kernel, groups 2" },
        {
          inputs: [{ shape: [1, 3, 11] }, { shape: [3, 1, 3] }, { shape: [], noGrad: true }],
          attrs: { stride: 2, dilation: 2, groups: 3, bias: false },
          name: 'depthwise, stride 2, dilation 2, no bias',
        },
        { inputs: [{ shape: [0, 2, 5] }, { shape: [3, 2, 3] }, { shape: [3] }], attrs: { padding: 'valid' }, name: 'N = 0' },
      ],
    },
  },
);

export interface ConvTranspose1dOptions {
  stride?: number | [number];
  padding?: number | [number];
  outputPadding?: number | [number];
  groups?: number;
  dilation?: number | [number];
}
export interface ConvTranspose1dAttrs extends ConvTranspose1dOptions {
  bias?: boolean;
}

/** convTranspose1d's attributes (each a number or [n], checked) as convTranspose2d's on one row. */
const transpose1dAttrs = (a: ConvTranspose1dAttrs): ConvTransposeAttrs => {
  const one = (name: string, v: number | [number] | undefined, min: number, h: number): [number, number] | undefined =>
    v === undefined ? undefined : [h, perDim('convTranspose1d', name, v, 1, min)[0]];
  return {
    stride: one('stride', a.stride, 1, 1),
    padding: one('padding', a.padding, 0, 0),
    outputPadding: one('outputPadding', a.outputPadding, 0, 0),
    dilation: one('dilation', a.dilation, 1, 1),
    groups: a.groups,
    bias: a.bias,
  };
};

/** convTranspose1d's output shape: x [N, inC, L] and w [inC, outC/groups, k] checked, planned as the 2-D op on one row. */
function planConvTranspose1d([x, w, b]: readonly Meta[], attrs: ConvTranspose1dAttrs): number[] {
  const op = 'convTranspose1d';
  checkRank(op, 'input', 3, '[N, inC, L] (or [inC, L] unbatched)', x);
  checkRank(op, 'weight', 3, '[inC, outC/groups, k]', w);
  const { shape } = planConvTranspose([{ ...x, shape: rowOf(x.shape) }, { ...w, shape: rowOf(w.shape) }, b], transpose1dAttrs(attrs), op, [x, w]);
  return [shape[0], shape[1], shape[3]];
}

const convTranspose1dOp = rowConv('convTranspose1d', 'convTranspose2d', planConvTranspose1d, transpose1dAttrs, {
  doc: 'convTranspose1d(x [N,inC,L], w [inC,outC/groups,k], b [outC]): convTranspose2d on [N, inC, 1, L] with a 1×k kernel',
  tests: {
    cases: [
      { inputs: [{ shape: [1, 1, 1] }, { shape: [1, 1, 1] }, { shape: [1] }] },
      {
        inputs: [{ shape: [2, 3, 7] }, { shape: [3, 2, 3] }, { shape: [2] }],
        attrs: { stride: 2, padding: 1, outputPadding: 1 },
        name: 'stride 2, outputPadding 1',
      },
      {
        inputs: [{ shape: [1, 4, 5] }, { shape: [4, 3, 4] }, { shape: [], noGrad: true }],
        attrs: { groups: 2, dilation: 2, bias: false },
        name: 'groups 2, dilation 2, no bias',
      },
      { inputs: [{ shape: [2, 2, 17] }, { shape: [2, 1, 3] }, { shape: [2] }], attrs: { groups: 2, padding: [1] }, name: 'depthwise, L 17' },
      { inputs: [{ shape: [0, 2, 5] }, { shape: [2, 3, 3] }, { shape: [3] }], attrs: { stride: 3 }, name: 'N = 0' },
    ],
  },
});

export const CONV_OPS = defineOps(conv2dOp, convTranspose2dOp, conv1dOp, convTranspose1dOp, ...POOL_OPS, ...RESAMPLE_OPS);
