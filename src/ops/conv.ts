/**
 * Convolution and pooling, NCHW. Kernels: assembly/kernels/conv.ts (conv2d through im2col +
 * GEMM) and assembly/kernels/pool.ts.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { directInputWords, directWeightGradWords, directWeightWords, im2colScratchWords } from './contract.js';
import { aux, clearOverwritten, defineOps, fmtShape, gin, gout, inp, out, param, type Meta, type OpSpec, type Plan, type TestCase } from './types.js';

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
}
export interface PoolOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
}

/** conv2d attributes: the options, plus whether input 2 is a real bias (false: it is never read). */
export interface ConvAttrs extends Conv2dOptions {
  bias?: boolean;
}
export interface PoolAttrs extends PoolOptions {
  kernel: number | [number, number];
}

/** A number or [h, w] pair as [h, w], each an integer ≥ min. */
function pair(op: string, name: string, v: number | readonly number[], min: number): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= min))
    throw new ValueError(op, `${name} must be ${min > 0 ? 'a positive' : 'a non-negative'} integer or an [h, w] pair of them, got ${fmtValue(v)}`);
  return [p[0], p[1]];
}

function check4d(op: string, what: string, layout: string, t: Meta): void {
  if (t.shape.length !== 4) throw new ShapeError(op, `${what} must be 4-D ${layout}, got shape ${fmtShape(t.shape)}`);
}

/** PyTorch's output size: floor((size + 2·pad − dilation·(k − 1) − 1) / stride) + 1. */
const outSize = (size: number, k: number, s: number, p: number, d: number) => Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;

// ---- conv2d --------------------------------------------------------------------------------
// params: [N, C, H, W, O, kh, kw, OH, OW, sh, sw, ph, pw, dh, dw, hasBias]
function planConv([x, w, b]: readonly Meta[], attrs: ConvAttrs): Plan {
  check4d('conv2d', 'input', '[N, C, H, W]', x);
  check4d('conv2d', 'weight', '[O, C, kh, kw]', w);
  const [n, c, h, wd] = x.shape,
    [o, cw, kh, kw] = w.shape;
  if (c !== cw) throw new ShapeError('conv2d', `input ${fmtShape(x.shape)} has ${c} channels but weight ${fmtShape(w.shape)} expects ${cw}`);
  // As PyTorch, only the batch may be empty (N = 0 gives [0, O, OH, OW]).
  if (c === 0 || h === 0 || wd === 0)
    throw new ShapeError('conv2d', `input ${fmtShape(x.shape)} needs non-zero channels, height and width (only the batch dim N may be 0)`);
  if (o === 0 || kh === 0 || kw === 0)
    throw new ShapeError('conv2d', `weight ${fmtShape(w.shape)} needs at least one output channel and a kernel of at least 1×1`);
  const hasBias = attrs.bias ?? true;
  if (hasBias && (b.shape.length !== 1 || b.shape[0] !== o))
    throw new ShapeError('conv2d', `bias must have shape [${o}] (one per output channel of weight ${fmtShape(w.shape)}), got ${fmtShape(b.shape)}`);
  const [sh, sw] = pair('conv2d', 'stride', attrs.stride ?? 1, 1);
  const [ph, pw] = pair('conv2d', 'padding', attrs.padding ?? 0, 0);
  const [dh, dw] = pair('conv2d', 'dilation', attrs.dilation ?? 1, 1);
  const oh = outSize(h, kh, sh, ph, dh),
    ow = outSize(wd, kw, sw, pw, dw);
  if (oh < 1 || ow < 1)
    throw new ShapeError(
      'conv2d',
      `kernel ${kh}×${kw} with dilation [${dh}, ${dw}] spans ${dh * (kh - 1) + 1}×${dw * (kw - 1) + 1}, more than the padded input ${h + 2 * ph}×${wd + 2 * pw} (input ${fmtShape(x.shape)}, padding [${ph}, ${pw}])`,
    );
  const ckk = c * kh * kw,
    ohw = oh * ow;
  // Mirrors assembly/kernels/conv.ts: a pointwise conv uses the image as its column matrix; the
  // direct kernels (isDirect, SIMD builds only: the scalar build takes im2col) need their own.
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0;
  const direct = sh === 1 && sw === 1 && kh * kw > 1 && ph <= dh * (kh - 1) && pw <= dw * (kw - 1);
  const im2col = im2colScratchWords(ckk, ohw, pointwise, Math.max(ohw, ckk));
  if (!direct) return { shape: [n, o, oh, ow], params: [n, c, h, wd, o, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, hasBias ? 1 : 0], workspace: im2col };
  // Forward on the padded image; backward: dX on G padded by d·(k − 1) − p, dW with Gᵀ and the
  // dWᵀ sums, channels padded to a multiple of WO.
  const hp = h + 2 * ph,
    wp = wd + 2 * pw,
    ghp = oh + 2 * (dh * (kh - 1) - ph),
    gwp = ow + 2 * (dw * (kw - 1) - pw);
  const fwd = directInputWords(c, hp, wp, kh, kw, dw) + directWeightWords(c, hp, wp, o, kh, kw, dh);
  const bwd =
    directInputWords(o, ghp, gwp, kh, kw, dw) +
    directWeightWords(o, ghp, gwp, c, kh, kw, dh) +
    directInputWords(c, hp, wp, kh, kw, dw) +
    directWeightGradWords(ohw, ckk, o);
  return {
    shape: [n, o, oh, ow],
    params: [n, c, h, wd, o, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, hasBias ? 1 : 0],
    workspace: Math.max(im2col, fwd, bwd),
  };
}

/** Calls f(output index, input index, weight index) for every (output, kernel tap) pair that reads inside the input. */
function forEachConvTap(r: Int32Array, f: (oi: number, xi: number, wi: number) => void): void {
  const [n, c, h, w, oc, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw] = Array.from({ length: 15 }, (_, k) => param(r, k));
  for (let img = 0; img < n; img++)
    for (let q = 0; q < oc; q++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          const oi = ((img * oc + q) * oh + oy) * ow + ox;
          for (let ch = 0; ch < c; ch++)
            for (let i = 0; i < kh; i++) {
              const iy = oy * sh - ph + i * dh;
              if (iy < 0 || iy >= h) continue;
              for (let j = 0; j < kw; j++) {
                const ix = ox * sw - pw + j * dw;
                if (ix < 0 || ix >= w) continue;
                f(oi, ((img * c + ch) * h + iy) * w + ix, ((q * c + ch) * kh + i) * kw + j);
              }
            }
        }
}

const conv2dOp: OpSpec<ConvAttrs, 'conv2d'> = {
  name: 'conv2d',
  module: 'conv',
  arity: 3,
  gradInputs: [0, 1, 2],
  overwritesGrad: true,
  doc:
    'conv2d(x [N,C,H,W], w [O,C,kh,kw], b [O]) with stride, padding, dilation (PyTorch cross-correlation). ' +
    'Without a bias, conv2d() passes a 0-d constant in the bias slot with attribute bias: false, and the kernels never read it.',
  plan: planConv,
  ref: {
    fwd: (h: Float64Array, r: Int32Array) => {
      const x = inp(r, 0),
        w = inp(r, 1),
        b = inp(r, 2),
        o = out(r),
        hasBias = param(r, 15) !== 0;
      const n = param(r, 0) * param(r, 4) * param(r, 7) * param(r, 8);
      for (let i = 0; i < n; i++) h[o + i] = 0;
      forEachConvTap(r, (oi, xi, wi) => (h[o + oi] += h[x + xi] * h[w + wi]));
      if (hasBias) {
        const ohw = param(r, 7) * param(r, 8),
          oc = param(r, 4);
        for (let i = 0; i < n; i++) h[o + i] += h[b + (Math.floor(i / ohw) % oc)];
      }
    },
    bwd: (h: Float64Array, r: Int32Array) => {
      const x = inp(r, 0),
        w = inp(r, 1),
        g = gout(r),
        gx = gin(r, 0),
        gw = gin(r, 1),
        gb = param(r, 15) !== 0 ? gin(r, 2) : 0;
      const [n, c, hh, wd, oc, kh, kw, oh, ow] = Array.from({ length: 9 }, (_, k) => param(r, k));
      clearOverwritten(h, r, [n * c * hh * wd, oc * c * kh * kw, gb ? oc : 0]);
      forEachConvTap(r, (oi, xi, wi) => {
        if (gx) h[gx + xi] += h[g + oi] * h[w + wi];
        if (gw) h[gw + wi] += h[g + oi] * h[x + xi];
      });
      if (gb) for (let i = 0; i < n * oc * oh * ow; i++) h[gb + (Math.floor(i / (oh * ow)) % oc)] += h[g + i];
    },
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
      // An empty batch (PyTorch allows N = 0): empty output, zero weight and bias gradients.
      { inputs: [{ shape: [0, 2, 5, 5] }, { shape: [3, 2, 3, 3] }, { shape: [3] }], attrs: { padding: 1 }, name: 'N = 0, direct' },
      { inputs: [{ shape: [0, 2, 7, 7] }, { shape: [3, 2, 3, 3] }, { shape: [3] }], attrs: { stride: 2 }, name: 'N = 0, im2col' },
      { inputs: [{ shape: [0, 3, 4, 5] }, { shape: [2, 3, 1, 1] }, { shape: [2] }], name: 'N = 0, pointwise' },
    ],
  },
};

// ---- pooling -------------------------------------------------------------------------------
// params: [N·C, H, W, OH, OW, kh, kw, sh, sw, ph, pw]
function planPool(op: string, [x]: readonly Meta[], attrs: PoolAttrs): Plan {
  check4d(op, 'input', '[N, C, H, W]', x);
  const [n, c, h, w] = x.shape;
  if (c === 0 || h === 0 || w === 0)
    throw new ShapeError(op, `input ${fmtShape(x.shape)} needs non-zero channels, height and width (only the batch dim N may be 0)`);
  const [kh, kw] = pair(op, 'kernel size', attrs.kernel, 1);
  const [sh, sw] = pair(op, 'stride', attrs.stride ?? [kh, kw], 1);
  const [ph, pw] = pair(op, 'padding', attrs.padding ?? 0, 0);
  // As PyTorch: more padding than half the window would allow windows holding only padding.
  if (2 * ph > kh || 2 * pw > kw) throw new ValueError(op, `padding [${ph}, ${pw}] must be at most half the kernel size ${kh}×${kw}`);
  const oh = outSize(h, kh, sh, ph, 1),
    ow = outSize(w, kw, sw, pw, 1);
  if (oh < 1 || ow < 1)
    throw new ShapeError(
      op,
      `kernel ${kh}×${kw} is larger than the padded input ${h + 2 * ph}×${w + 2 * pw} (input ${fmtShape(x.shape)}, padding [${ph}, ${pw}])`,
    );
  return { shape: [n, c, oh, ow], params: [n * c, h, w, oh, ow, kh, kw, sh, sw, ph, pw] };
}

/** Calls f(output index, plane offset, window bounds clipped to the input) for every output. */
function forEachWindow(r: Int32Array, f: (oi: number, plane: number, ylo: number, yhi: number, xlo: number, xhi: number) => void): void {
  const [planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw] = Array.from({ length: 11 }, (_, k) => param(r, k));
  for (let p = 0; p < planes; p++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const y0 = oy * sh - ph,
          x0 = ox * sw - pw;
        f((p * oh + oy) * ow + ox, p * h * w, Math.max(y0, 0), Math.min(y0 + kh, h), Math.max(x0, 0), Math.min(x0 + kw, w));
      }
}

const poolCases: TestCase<PoolAttrs>[] = [
  { inputs: [{ shape: [1, 1, 1, 1] }], attrs: { kernel: 1 } },
  { inputs: [{ shape: [2, 3, 5, 5] }], attrs: { kernel: 2 }, name: 'k 2 (stride 2, odd size drops the last row)' },
  { inputs: [{ shape: [1, 3, 7, 7] }], attrs: { kernel: 3, stride: 2, padding: 1 }, name: 'k 3, stride 2, padding 1' },
  { inputs: [{ shape: [2, 1, 5, 7] }], attrs: { kernel: 3, stride: 1, padding: 1 }, name: 'k 3, stride 1, padding 1' },
  { inputs: [{ shape: [1, 3, 7, 5] }], attrs: { kernel: [3, 2], stride: [2, 1], padding: [1, 0] }, name: 'per-axis kernel, stride, padding' },
  { inputs: [{ shape: [1, 1, 9, 13] }], attrs: { kernel: 2, stride: 1 }, name: 'k 2 stride 1, several vector steps' },
  { inputs: [{ shape: [2, 2, 7, 17] }], attrs: { kernel: 3, stride: 2, padding: 1 }, name: 'W 17, stride 2 gather' },
  { inputs: [{ shape: [1, 1, 1, 5] }], attrs: { kernel: [1, 3], stride: 1 } },
  { inputs: [{ shape: [0, 3, 5, 5] }], attrs: { kernel: 3, stride: 2, padding: 1 }, name: 'N = 0' },
];

const maxPool2dOp: OpSpec<PoolAttrs, 'maxPool2d'> = {
  name: 'maxPool2d',
  module: 'pool',
  arity: 1,
  gradInputs: [0],
  doc: 'Max over kh×kw windows (padding acts as −∞); the gradient goes to the first maximum, whose index is saved in AUX0',
  plan: (ins: readonly Meta[], attrs: PoolAttrs): Plan => {
    const plan = planPool('maxPool2d', ins, attrs);
    return { ...plan, aux: [plan.shape.reduce((a, b) => a * b, 1)] };
  },
  ref: {
    // A value replaces the max when greater or NaN: ties keep the first, NaN propagates (PyTorch).
    fwd: (h: Float64Array, r: Int32Array) => {
      const x = inp(r, 0),
        o = out(r),
        arg = aux(r, 0),
        w = param(r, 2);
      forEachWindow(r, (oi, plane, ylo, yhi, xlo, xhi) => {
        let m = -Infinity,
          idx = ylo * w + xlo;
        for (let iy = ylo; iy < yhi; iy++)
          for (let ix = xlo; ix < xhi; ix++) {
            const v = h[x + plane + iy * w + ix];
            if (v > m || Number.isNaN(v)) [m, idx] = [v, iy * w + ix];
          }
        h[o + oi] = m;
        h[arg + oi] = idx;
      });
    },
    bwd: (h: Float64Array, r: Int32Array) => {
      const gx = gin(r, 0),
        g = gout(r),
        arg = aux(r, 0);
      if (gx) forEachWindow(r, (oi, plane) => (h[gx + plane + h[arg + oi]] += h[g + oi]));
    },
  },
  // Random continuous inputs: ties, where the gradient jumps, have probability 0.
  tests: { cases: poolCases },
};

const avgPool2dOp: OpSpec<PoolAttrs, 'avgPool2d'> = {
  name: 'avgPool2d',
  module: 'pool',
  arity: 1,
  gradInputs: [0],
  doc: 'Mean over kh×kw windows, padding counted as zeros (count_include_pad = true)',
  plan: (ins: readonly Meta[], attrs: PoolAttrs): Plan => planPool('avgPool2d', ins, attrs),
  ref: {
    fwd: (h: Float64Array, r: Int32Array) => {
      const x = inp(r, 0),
        o = out(r),
        w = param(r, 2),
        count = param(r, 5) * param(r, 6);
      forEachWindow(r, (oi, plane, ylo, yhi, xlo, xhi) => {
        let s = 0;
        for (let iy = ylo; iy < yhi; iy++) for (let ix = xlo; ix < xhi; ix++) s += h[x + plane + iy * w + ix];
        h[o + oi] = s / count;
      });
    },
    bwd: (h: Float64Array, r: Int32Array) => {
      const gx = gin(r, 0),
        g = gout(r),
        w = param(r, 2),
        count = param(r, 5) * param(r, 6);
      if (gx)
        forEachWindow(r, (oi, plane, ylo, yhi, xlo, xhi) => {
          for (let iy = ylo; iy < yhi; iy++) for (let ix = xlo; ix < xhi; ix++) h[gx + plane + iy * w + ix] += h[g + oi] / count;
        });
    },
  },
  tests: { cases: poolCases },
};

export const CONV_OPS = defineOps(conv2dOp, maxPool2dOp, avgPool2dOp);
