/**
 * Composites behind the nn modules ported for parity with torch.nn: bilinear (nn.Bilinear),
 * rmsNorm (nn.RMSNorm), unfold and fold (nn.Unfold, nn.Fold: im2col and col2im). Each is made of
 * the table's strided copy, pad, matmul, reductions and convTranspose2d, so the gradients are
 * autodiff's through those primitives.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { reduceOver } from './reduce.js';
import { contiguousView, permuteView } from './shape.js';
import { defineOps, fmtShape, sizeOf, type Builder, type CompositeDef, type Meta, sameShape } from './types.js';
import { outSize, pair, type Size2 } from './window.js';

// ---- bilinear -----------------------------------------------------------------------------------
export interface BilinearAttrs {
  /** Whether input 3 is a bias [out] (otherwise it is a placeholder and ignored). */
  bias?: boolean;
}

/** bilinear's result shape: x1 [*, in1], x2 [*, in2] with the same leading dims, weight [out, in1, in2], bias [out]. */
function planBilinear([x1, x2, w, bias]: readonly Meta[], a: BilinearAttrs): { shape: number[] } {
  const op = 'bilinear';
  if (w.shape.length !== 3) throw new ShapeError(op, `weight must be 3-D [out, in1, in2], got shape ${fmtShape(w.shape)}`);
  const [o, in1, in2] = w.shape;
  const lead = x1.shape.slice(0, -1);
  if (x1.shape.length < 1 || x1.shape[x1.shape.length - 1] !== in1)
    throw new ShapeError(op, `input1 must be [*, in1 = ${in1}] for weight ${fmtShape(w.shape)}, got shape ${fmtShape(x1.shape)}`);
  if (x2.shape.length !== x1.shape.length || x2.shape[x2.shape.length - 1] !== in2 || x2.shape.slice(0, -1).some((d, k) => d !== lead[k]))
    throw new ShapeError(
      op,
      `input2 must be [${[...lead, `in2 = ${in2}`].join(', ')}] for input1 ${fmtShape(x1.shape)} and weight ${fmtShape(w.shape)}, got shape ${fmtShape(x2.shape)}`,
    );
  if (a.bias && (bias.shape.length !== 1 || bias.shape[0] !== o))
    throw new ShapeError(op, `bias must be [out = ${o}] for weight ${fmtShape(w.shape)}, got shape ${fmtShape(bias.shape)}`);
  return { shape: [...lead, o] };
}

/**
 * y[n, o] = Σᵢⱼ x1[n, i]·W[o, i, j]·x2[n, j] + b[o] as one GEMM and a row reduction: W laid out
 * [in1, out·in2] gives t = x1·W' [n, out, in2], then y = Σⱼ t[n, o, j]·x2[n, j]. The GEMM carries
 * the n·in1·out·in2 multiply-adds; the reduction adds n·out·in2.
 */
const bilinear: CompositeDef<BilinearAttrs, 'bilinear'> = {
  kind: 'composite',
  name: 'bilinear',
  arity: 4,
  gradInputs: [0, 1, 2, 3],
  doc: 'bilinear(x1 [*, in1], x2 [*, in2], weight [out, in1, in2], bias [out]) = x1ᵀ·W·x2 + b per row (torch F.bilinear); bias: false ignores input 3',
  plan: (ins, a) => planBilinear(ins, a),
  compose: (b, [x1, x2, w, bias], a) => {
    const [o, in1, in2] = b.shape(w);
    const lead = b.shape(x1).slice(0, -1);
    const n = sizeOf(lead);
    const wt = b.op('copy', [w], { ...permuteView([o, in1, in2], [1, 0, 2]), as: [in1, o * in2] });
    const t = b.op('matmul', [b.op('copy', [x1], contiguousView([n, in1])), wt]);
    const prod = b.op('mul', [b.op('copy', [t], contiguousView([n, o, in2])), b.op('copy', [x2], contiguousView([n, 1, in2]))]);
    const y = b.op('sumDims', [prod], { dim: 2 });
    return b.op('copy', [a.bias ? b.op('add', [y, bias]) : y], contiguousView([...lead, o]));
  },
  tests: {
    cases: [
      { inputs: [{ shape: [1, 1] }, { shape: [1, 1] }, { shape: [1, 1, 1] }, { shape: [1] }], attrs: { bias: true } },
      { inputs: [{ shape: [5, 3] }, { shape: [5, 7] }, { shape: [4, 3, 7] }, { shape: [4] }], attrs: { bias: true } },
      { inputs: [{ shape: [2, 3, 9] }, { shape: [2, 3, 2] }, { shape: [7, 9, 2] }, { shape: [7] }], attrs: { bias: true }, name: 'leading dims [2, 3]' },
      { inputs: [{ shape: [4, 17] }, { shape: [4, 5] }, { shape: [3, 17, 5] }, { shape: [], noGrad: true }], attrs: { bias: false }, name: 'no bias' },
      { inputs: [{ shape: [9] }, { shape: [8] }, { shape: [2, 9, 8] }, { shape: [2] }], attrs: { bias: true }, name: 'unbatched' },
      { inputs: [{ shape: [0, 3] }, { shape: [0, 2] }, { shape: [4, 3, 2] }, { shape: [4] }], attrs: { bias: true }, name: 'N = 0' },
    ],
  },
};

// ---- rmsNorm ------------------------------------------------------------------------------------
export interface RmsNormAttrs {
  /** The trailing dims normalised over (their sizes). */
  normalizedShape: readonly number[];
  /** Added to the mean square; default float32's machine epsilon 2⁻²³ (torch's finfo(x.dtype).eps). */
  eps?: number;
  /** Whether input 1 is a weight of shape normalizedShape (otherwise a placeholder, ignored). */
  weight?: boolean;
}

/** float32's machine epsilon, 2⁻²³: torch.finfo(torch.float32).eps, RMSNorm's default eps. */
export const FLOAT32_EPS = 2 ** -23;

function planRmsNorm([x, w]: readonly Meta[], a: RmsNormAttrs): { shape: number[] } {
  const op = 'rmsNorm';
  const ns = a.normalizedShape;
  if (!Array.isArray(ns) || ns.length === 0 || !ns.every((d) => Number.isInteger(d) && d >= 0))
    throw new ValueError(op, `normalizedShape must be a non-empty list of sizes, got ${fmtValue(ns)}`);
  if (a.eps !== undefined && (typeof a.eps !== 'number' || !(a.eps >= 0) || !Number.isFinite(a.eps)))
    throw new ValueError(op, `eps must be a finite number ≥ 0, got ${fmtValue(a.eps)}`);
  const tail = x.shape.slice(x.shape.length - ns.length);
  if (x.shape.length < ns.length || tail.some((d, k) => d !== ns[k]))
    throw new ShapeError(op, `input must end in normalizedShape ${fmtShape(ns)}, got shape ${fmtShape(x.shape)}`);
  if (a.weight && !sameShape(w.shape, ns)) throw new ShapeError(op, `weight must have normalizedShape ${fmtShape(ns)}, got shape ${fmtShape(w.shape)}`);
  return { shape: [...x.shape] };
}

/**
 * x / √(mean(x²) + eps) · weight over the trailing normalizedShape dims (torch ≥ 2.4's
 * F.rms_norm). No mean is subtracted, so there is no cancellation to guard against; the mean
 * square of float32 values cannot overflow below |x| ≈ 1.8e19.
 */
const rmsNorm: CompositeDef<RmsNormAttrs, 'rmsNorm'> = {
  kind: 'composite',
  name: 'rmsNorm',
  arity: 2,
  gradInputs: [0, 1],
  doc: 'x / √(mean of x² over the trailing normalizedShape dims + eps) · weight (torch F.rms_norm; eps default float32 eps 2⁻²³); weight: false ignores input 1',
  plan: (ins, a) => planRmsNorm(ins, a),
  compose: (b, [x, w], a) => {
    const nd = b.shape(x).length;
    const dims = a.normalizedShape.map((_, k) => nd - a.normalizedShape.length + k);
    const ms = reduceOver(b, 'meanDims', b.op('mul', [x, x]), { dim: dims, keepdim: true });
    const y = b.op('mul', [x, b.op('rsqrt', [b.op('add', [ms, b.scalar(a.eps ?? FLOAT32_EPS)])])]);
    return a.weight ? b.op('mul', [y, w]) : y;
  },
  tests: {
    cases: [
      { inputs: [{ shape: [1] }, { shape: [1] }], attrs: { normalizedShape: [1], weight: true } },
      { inputs: [{ shape: [5, 7] }, { shape: [7] }], attrs: { normalizedShape: [7], weight: true } },
      { inputs: [{ shape: [3, 9] }, { shape: [9] }], attrs: { normalizedShape: [9], weight: true, eps: 1e-3 }, name: 'eps 1e-3' },
      { inputs: [{ shape: [2, 3, 4, 5] }, { shape: [4, 5] }], attrs: { normalizedShape: [4, 5], weight: true }, name: 'two dims' },
      { inputs: [{ shape: [17, 3] }, { shape: [], noGrad: true }], attrs: { normalizedShape: [3] }, name: 'no weight' },
      { inputs: [{ shape: [2, 7] }, { shape: [7] }], attrs: { normalizedShape: [2, 7], weight: false }, name: 'whole tensor' },
      { inputs: [{ shape: [0, 5] }, { shape: [5] }], attrs: { normalizedShape: [5], weight: true }, name: 'N = 0' },
    ],
  },
};

// ---- unfold, fold -------------------------------------------------------------------------------
export interface UnfoldAttrs {
  kernelSize: Size2;
  dilation?: Size2;
  padding?: Size2;
  stride?: Size2;
}
export interface FoldAttrs extends UnfoldAttrs {
  /** The spatial size [H, W] of the result (a number for both). */
  outputSize: Size2;
}

interface Window {
  k: [number, number];
  d: [number, number];
  p: [number, number];
  s: [number, number];
  /** The sliding blocks along H and W. */
  blocks: [number, number];
}

/** The window's checked arguments and the number of blocks over a padded [h, w] (PyTorch requires at least one each way). */
function planWindow(op: string, a: UnfoldAttrs, [h, w]: readonly number[]): Window {
  const k = pair(op, 'kernelSize', a.kernelSize, 1);
  const d = pair(op, 'dilation', a.dilation ?? 1, 1);
  const p = pair(op, 'padding', a.padding ?? 0, 0);
  const s = pair(op, 'stride', a.stride ?? 1, 1);
  const blocks: [number, number] = [outSize(h, k[0], s[0], 2 * p[0], d[0]), outSize(w, k[1], s[1], 2 * p[1], d[1])];
  if (blocks[0] < 1 || blocks[1] < 1)
    throw new ShapeError(
      op,
      `spatial size ${fmtShape([h, w])} with padding ${fmtShape(p)} is smaller than the kernel ${fmtShape(k)} at dilation ${fmtShape(d)}: ${fmtShape(blocks)} sliding blocks`,
    );
  return { k, d, p, s, blocks };
}

/** The leading batch of a [N, ...] or unbatched [...] input of `rank` dims when batched: [N] or []. */
function batchOf(op: string, x: Meta, rank: number, layout: string): number[] {
  if (x.shape.length !== rank && x.shape.length !== rank - 1)
    throw new ShapeError(op, `input must be ${layout} or unbatched without N, got shape ${fmtShape(x.shape)}`);
  return x.shape.length === rank ? [x.shape[0]] : [];
}

function planUnfold([x]: readonly Meta[], a: UnfoldAttrs): { shape: number[]; win: Window } {
  const lead = batchOf('unfold', x, 4, '[N, C, H, W]');
  const [c, h, w] = x.shape.slice(lead.length);
  const win = planWindow('unfold', a, [h, w]);
  return { shape: [...lead, c * win.k[0] * win.k[1], win.blocks[0] * win.blocks[1]], win };
}

/**
 * im2col: block (by, bx) of channel c, kernel tap (i, j) is xp[c, by·sh + i·dh, bx·sw + j·dw] of
 * the zero-padded input, so the whole result is one strided view of xp, [N, C, kh, kw, bh, bw],
 * read by one copy; its backward adds every overlapping read back, which is col2im.
 */
const unfold: CompositeDef<UnfoldAttrs, 'unfold'> = {
  kind: 'composite',
  name: 'unfold',
  arity: 1,
  gradInputs: [0],
  doc: 'unfold(x [N, C, H, W], {kernelSize, dilation, padding, stride}) → [N, C·kh·kw, L] sliding blocks (im2col, torch F.unfold); one strided copy of the zero-padded input',
  plan: (ins, a) => ({ shape: planUnfold(ins, a).shape }),
  compose: (b, [x], a) => {
    const { shape, win } = planUnfold([{ shape: b.shape(x), dtype: 'float32' }], a);
    const lead = b.shape(x).length === 4 ? [b.shape(x)[0]] : [];
    const [c, h, w] = b.shape(x).slice(lead.length);
    const { k, d, p, s, blocks } = win;
    const xp = p[0] || p[1] ? b.op('pad', [x], { pad: [p[1], p[1], p[0], p[0]], mode: 'constant', value: 0 }) : x;
    const [hp, wp] = [h + 2 * p[0], w + 2 * p[1]];
    return b.op('copy', [xp], {
      shape: [...lead, c, k[0], k[1], blocks[0], blocks[1]],
      strides: [...lead.map(() => c * hp * wp), hp * wp, d[0] * wp, d[1], s[0] * wp, s[1]],
      as: shape,
    });
  },
  tests: {
    cases: [
      { inputs: [{ shape: [1, 1, 1, 1] }], attrs: { kernelSize: 1 } },
      { inputs: [{ shape: [2, 3, 5, 7] }], attrs: { kernelSize: [2, 3] } },
      { inputs: [{ shape: [1, 2, 9, 8] }], attrs: { kernelSize: 3, padding: 1, stride: 2 }, name: 'padding 1, stride 2' },
      { inputs: [{ shape: [2, 1, 7, 17] }], attrs: { kernelSize: [3, 2], dilation: [2, 3], padding: [1, 2], stride: [1, 3] }, name: 'per-dim everything' },
      { inputs: [{ shape: [3, 4, 4] }], attrs: { kernelSize: 2, stride: 2 }, name: 'unbatched, disjoint blocks' },
      { inputs: [{ shape: [0, 2, 3, 3] }], attrs: { kernelSize: 2 }, name: 'N = 0' },
    ],
  },
};

function planFold([x]: readonly Meta[], a: FoldAttrs): { shape: number[]; win: Window; c: number } {
  const op = 'fold';
  const lead = batchOf(op, x, 3, '[N, C·kh·kw, L]');
  const [ck, l] = x.shape.slice(lead.length);
  const size = pair(op, 'outputSize', a.outputSize, 0);
  const win = planWindow(op, a, size);
  const taps = win.k[0] * win.k[1];
  if (ck % taps !== 0)
    throw new ShapeError(
      op,
      `input dim ${lead.length} (${ck}) must be a multiple of kh·kw = ${taps} for kernelSize ${fmtShape(win.k)}, got shape ${fmtShape(x.shape)}`,
    );
  if (l !== win.blocks[0] * win.blocks[1])
    throw new ShapeError(
      op,
      `input dim ${lead.length + 1} must be the number of sliding blocks ${win.blocks[0]}·${win.blocks[1]} = ${win.blocks[0] * win.blocks[1]} for outputSize ${fmtShape(size)}, got shape ${fmtShape(x.shape)}`,
    );
  return { shape: [...lead, ck / taps, size[0], size[1]], win, c: ck / taps };
}

/**
 * The one-hot taps [c·kh·kw, 1, kh, kw] (tap t of every channel is 1 at its own kernel position):
 * the identity [kh·kw, kh·kw] is a view of r = (0, …, 0, 1, 0, …, 0), the 1 at index kh·kw − 1 of
 * 2·kh·kw − 1, as eye[i][j] = r[kh·kw − 1 + j − i] (strides −1, 1); then the same for every
 * channel (a broadcast, as a copy).
 */
function oneHotTaps<T>(b: Builder<T>, c: number, taps: number, k: readonly number[]): T {
  const one = b.op('copy', [b.scalar(1)], { shape: [1], strides: [0] });
  const row = b.op('pad', [one], { pad: [taps - 1, taps - 1], mode: 'constant', value: 0 });
  const eye = b.op('copy', [row], { shape: [taps, taps], strides: [-1, 1], offset: taps - 1 });
  return b.op('copy', [eye], { shape: [c, taps, taps], strides: [0, taps, 1], as: [c * taps, 1, k[0], k[1]] });
}

/**
 * col2im, the adjoint of unfold: every block's taps are added back at their positions. That is a
 * transposed convolution of the [N, C·kh·kw, bh, bw] blocks, in C groups, with one-hot taps; the
 * output padding adds the rows and columns past the last block that outputSize asks for. It
 * multiplies by kh·kw taps where a copy-based col2im would add once, yet measured (bench/fold.ts,
 * forward + backward, median of 21 interleaved rounds) it took 0.94× unfold's time on
 * [8, 16, 32, 32] with k 3 and 1.40× on [8, 32, 16, 16] with k 5.
 */
const fold: CompositeDef<FoldAttrs, 'fold'> = {
  kind: 'composite',
  name: 'fold',
  arity: 1,
  gradInputs: [0],
  doc: 'fold(x [N, C·kh·kw, L], {outputSize, kernelSize, dilation, padding, stride}) → [N, C, H, W], overlapping blocks summed (col2im, torch F.fold)',
  plan: (ins, a) => ({ shape: planFold(ins, a).shape }),
  compose: (b, [x], a) => {
    const { shape, win, c } = planFold([{ shape: b.shape(x), dtype: 'float32' }], a);
    const { k, d, p, s, blocks } = win;
    const lead = b.shape(x).length === 3 ? [b.shape(x)[0]] : [];
    const size = shape.slice(-2);
    const taps = k[0] * k[1];
    const x4 = b.op('copy', [x], contiguousView([lead[0] ?? 1, c * taps, blocks[0], blocks[1]]));
    // The transposed convolution's own size is (b − 1)·s − 2p + d·(k − 1) + 1; outputSize exceeds it by less than s.
    const extra = [0, 1].map((i) => size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1 - (blocks[i] - 1) * s[i]);
    const y = b.op('convTranspose2d', [x4, oneHotTaps(b, c, taps, k), b.scalar(0)], {
      stride: s,
      padding: p,
      dilation: d,
      outputPadding: extra,
      groups: c,
      bias: false,
    });
    return lead.length ? y : b.op('copy', [y], contiguousView(shape));
  },
  tests: {
    cases: [
      { inputs: [{ shape: [1, 1, 1] }], attrs: { outputSize: 1, kernelSize: 1 } },
      { inputs: [{ shape: [2, 18, 20] }], attrs: { outputSize: [5, 7], kernelSize: [2, 3] } },
      { inputs: [{ shape: [1, 18, 20] }], attrs: { outputSize: [9, 8], kernelSize: 3, padding: 1, stride: 2 }, name: 'padding 1, stride 2' },
      {
        inputs: [{ shape: [2, 6, 30] }],
        attrs: { outputSize: [7, 17], kernelSize: [3, 2], dilation: [2, 3], padding: [1, 2], stride: [1, 3] },
        name: 'per-dim everything',
      },
      { inputs: [{ shape: [12, 4] }], attrs: { outputSize: 4, kernelSize: 2, stride: 2 }, name: 'unbatched, disjoint blocks' },
      { inputs: [{ shape: [0, 8, 4] }], attrs: { outputSize: 3, kernelSize: 2 }, name: 'N = 0' },
    ],
  },
};

export const PARITY_NN_OPS = defineOps(bilinear, rmsNorm, unfold, fold);
