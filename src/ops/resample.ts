/**
 * Resampling, NCHW: interpolate's nearest (legacy and exact), bilinear and bicubic modes; the 1-D modes on
 * [N, C, L] run these on [N, C, 1, L] (src/api/conv.ts). Kernels:
 * assembly/kernels/resample.ts. Source positions are computed in float32 on both backends exactly
 * as PyTorch's CPU kernels compute them (each step rounded to float32: Math.fround here), so both
 * pick the same source pixels; the weights are then exact differences of those float32 values.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { bitsf32, defineOps, f32bits, fmtShape, gin, gout, inp, out, param, type Meta, type OpSpec, type Plan, type TestCase, type OpInfo } from './types.js';
import { eyeImage } from './pool.js';
import { checkRank } from './window.js';

export interface InterpolateOptions {
  /** The output [oh, ow] (a number for both; [n] or a number on [N, C, L]; [od, oh, ow] or a number on [N, C, D, H, W]); or scaleFactor. */
  size?: number | [number] | [number, number] | [number, number, number];
  /** Output = floor(input · scaleFactor) per dim; the kernels then use 1 / scaleFactor as the scale, as PyTorch. */
  scaleFactor?: number | [number] | [number, number] | [number, number, number];
  /** 'nearest' (default), 'nearest-exact', 'area', 'bilinear' and 'bicubic' on [N, C, H, W]; 'nearest', 'nearest-exact', 'area' and 'linear' on [N, C, L]; 'nearest', 'nearest-exact', 'area' and 'trilinear' on [N, C, D, H, W]. */
  mode?: 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area';
  /** linear modes only: map the corner pixels' centres onto each other (scale (In − 1) / (Out − 1)). */
  alignCorners?: boolean;
  /** With scaleFactor: the kernels use In / Out, not 1 / scaleFactor, as the scale (PyTorch's recompute_scale_factor). */
  recomputeScaleFactor?: boolean;
  /** 'bilinear' and 'bicubic' only: PyTorch's (and PIL's) antialiased resize, whose filter widens by the scale when downsampling (default false). */
  antialias?: boolean;
}
export interface ResampleAttrs extends Omit<InterpolateOptions, 'mode' | 'antialias'> {
  /** nearest only: PyTorch's 'nearest-exact' (source floor((dst + ½) · scale)). */
  exact?: boolean;
  /**
   * legacy nearest only: an output of the input's size copies it and one of twice the size takes
   * source dst / 2, whatever the scale. PyTorch 1.13 does so in its channels-last kernel, which a
   * contiguous [N, 1, H, W] input takes (interpolate sets it there); its kernel for [N, C, L] and
   * for [N, C, H, W] with C > 1 floors dst · scale (with scaleFactor 2.1, 5 → 10 reads 0 0 0 1 …).
   */
  sizeShortcuts?: boolean;
}

const f32 = Math.fround;

/** A positive number or an [h, w] pair of them; integers for sizes. */
function perDim(name: string, v: unknown, integer: boolean): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => typeof d === 'number' && Number.isFinite(d) && d > 0 && (!integer || Number.isInteger(d))))
    throw new ValueError('interpolate', `${name} must be a positive ${integer ? 'integer' : 'number'} or an [h, w] pair of them, got ${fmtValue(v)}`);
  return [p[0], p[1]];
}

/**
 * params: [N·C, H, W, OH, OW, scaleH, scaleW (float32 bits), alignCorners (bilinear) or exact
 * (nearest)]. The scale is PyTorch's: 1 / scaleFactor when given (and not recomputed), else
 * In / Out; with alignCorners (In − 1) / (Out − 1), 0 for one output.
 */
/**
 * The checked output [oh, ow] of x [N, C, H, W] for size or scaleFactor (floor(In · scaleFactor)),
 * and the factors given; also what mode 'area' (an adaptive average pool to that size) reads.
 */
export function resampleSize(
  x: Meta,
  attrs: Pick<ResampleAttrs, 'size' | 'scaleFactor' | 'recomputeScaleFactor'>,
): { out: [number, number]; factors?: [number, number] } {
  checkRank('interpolate', 'input', 4, '[N, C, H, W]', x);
  const [, c, h, w] = x.shape;
  if (c === 0 || h === 0 || w === 0)
    throw new ShapeError('interpolate', `input ${fmtShape(x.shape)} needs non-zero channels, height and width (only the batch dim N may be 0)`);
  if ((attrs.size === undefined) === (attrs.scaleFactor === undefined))
    throw new ValueError(
      'interpolate',
      `give exactly one of size and scaleFactor, got size ${fmtValue(attrs.size)} and scaleFactor ${fmtValue(attrs.scaleFactor)}`,
    );
  if (attrs.recomputeScaleFactor && attrs.size !== undefined)
    throw new ValueError('interpolate', `recomputeScaleFactor is not meaningful with an explicit size (as PyTorch), got size ${fmtValue(attrs.size)}`);
  const factors = attrs.scaleFactor === undefined ? undefined : perDim('scaleFactor', attrs.scaleFactor, false);
  const out: [number, number] = factors ? [Math.floor(h * factors[0]), Math.floor(w * factors[1])] : perDim('size', attrs.size, true);
  if (out[0] < 1 || out[1] < 1)
    throw new ShapeError('interpolate', `the output would be ${out[0]}×${out[1]} (input ${fmtShape(x.shape)}, scaleFactor ${fmtValue(attrs.scaleFactor)})`);
  return { out, factors };
}

/**
 * PyTorch's source scale along one dim, in float32 (area_pixel_compute_scale): with alignCorners
 * (In − 1) / (Out − 1), 0 for one output; else 1 / scaleFactor when a factor is given (and not
 * recomputed), In / Out otherwise.
 */
export function resampleScale(size: number, o: number, factor: number | undefined, alignCorners: boolean): number {
  if (alignCorners) return o > 1 ? f32(f32(size - 1) / (o - 1)) : 0;
  return factor !== undefined ? f32(1 / factor) : f32(f32(size) / o);
}

function planResample([x]: readonly Meta[], attrs: ResampleAttrs, linear: boolean): Plan {
  const {
    out: [oh, ow],
    factors,
  } = resampleSize(x, attrs);
  const [n, c, h, w] = x.shape;
  const align = attrs.alignCorners ?? false;
  if (!linear && attrs.alignCorners !== undefined)
    throw new ValueError(
      'interpolate',
      `alignCorners applies to the linear modes only (as PyTorch), got alignCorners ${fmtValue(attrs.alignCorners)} with mode '${attrs.exact ? 'nearest-exact' : 'nearest'}'`,
    );
  const given = attrs.recomputeScaleFactor ? undefined : factors;
  const sy = resampleScale(h, oh, given?.[0], linear && align),
    sx = resampleScale(w, ow, given?.[1], linear && align);
  // flag: alignCorners (linear modes); nearest: 1 = exact, 2 = size shortcuts
  const flag = linear ? +align : attrs.exact ? 1 : attrs.sizeShortcuts ? 2 : 0;
  return { shape: [n, c, oh, ow], params: [n * c, h, w, oh, ow, f32bits(sy), f32bits(sx), flag] };
}

/**
 * PyTorch's nearest source index (flag as planResample's): legacy 'nearest' floor(dst · scale) in
 * float32, clipped, with sizeShortcuts the same size and twice the size exact; 'nearest-exact'
 * floor((dst + ½) · scale), the product in float64 rounded to float32 (its C++ floorf of a
 * double), clipped.
 */
function nearestIndex(o: number, size: number, n: number, scale: number, flag: number): number {
  if (flag === 1) return Math.min(Math.floor(f32((o + 0.5) * scale)), size - 1);
  if (flag === 2 && n === size) return o;
  if (flag === 2 && n === 2 * size) return o >> 1;
  return Math.min(Math.floor(f32(o * scale)), size - 1);
}

/**
 * PyTorch's bilinear source: [i0, i1, λ1] with the output at (1 − λ1)·x[i0] + λ1·x[i1]; the
 * position is scale·dst (alignCorners) or scale·(dst + ½) − ½ clamped at 0, in float32. The same
 * size copies.
 */
function linearSource(o: number, size: number, n: number, scale: number, align: boolean): [number, number, number] {
  if (n === size) return [o, o, 0];
  const src = align ? f32(scale * o) : Math.max(0, f32(f32(scale * f32(o + 0.5)) - 0.5));
  const i0 = Math.floor(src);
  return [i0, i0 < size - 1 ? i0 + 1 : i0, Math.min(Math.max(src - i0, 0), 1)];
}

/**
 * PyTorch's bicubic source taps of output o: the position as bilinear's but never clamped, its floor
 * i and t = position − i in float32, then 4 taps i − 1 … i + 2 clamped into the input, weighted by
 * Keys' cubic convolution with A = −0.75 in float32 (PyTorch's get_cubic_upsample_coefficients).
 */
function cubicTaps(o: number, size: number, scale: number, align: boolean): [number[], number[]] {
  const src = align ? f32(scale * o) : f32(f32(scale * f32(o + 0.5)) - 0.5);
  const i = Math.floor(src),
    t = f32(src - i);
  const A = -0.75;
  // |d| ≤ 1: ((A + 2)·d − (A + 3))·d² + 1; 1 < |d| < 2: ((A·d − 5A)·d + 8A)·d − 4A.
  const near = (d: number) => f32(f32(f32(f32(f32(A + 2) * d) - (A + 3)) * d) * d) + 1;
  const far = (d: number) => f32(f32(f32(f32(f32(f32(A * d) - 5 * A) * d) + 8 * A) * d) - 4 * A);
  const u = f32(1 - t);
  const weights = [far(f32(t + 1)), near(t), near(u), far(f32(u + 1))].map(f32);
  return [[-1, 0, 1, 2].map((k) => Math.min(Math.max(i + k, 0), size - 1)), weights];
}

/**
 * PyTorch 1.13's antialiased resize along one dim (_compute_indices_weights_aa, as PIL's): the
 * weights [out, in] (row-major) with output o = Σ_i W[o, i]·x[i]. The filter (the triangle for
 * 'bilinear', Keys' cubic with A = −0.5 for 'bicubic') is stretched by the scale when it is > 1
 * (downsampling), so every input pixel under the output pixel contributes; each output's window
 * [xmin, xmax) around its centre scale·(o + ½) is clipped to the input and its weights normalized
 * to sum 1. scale is planResample's (float32); the window bounds are rounded as torch's float32
 * code rounds them (truncation of centre ∓ support + ½), the weights computed in float64.
 */
export function antialiasWeights(mode: 'bilinear' | 'bicubic', size: number, n: number, scale: number): Float64Array {
  const A = -0.5;
  const filter =
    mode === 'bilinear'
      ? (d: number) => Math.max(0, 1 - Math.abs(d))
      : (d: number) => {
          const t = Math.abs(d);
          if (t < 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
          return t < 2 ? ((A * t - 5 * A) * t + 8 * A) * t - 4 * A : 0;
        };
  const half = mode === 'bilinear' ? 1 : 2; // half the filter's width at scale 1
  const support = scale >= 1 ? f32(half * scale) : half,
    invScale = scale >= 1 ? f32(1 / scale) : 1;
  const weights = new Float64Array(n * size);
  for (let o = 0; o < n; o++) {
    const centre = f32(scale * f32(o + 0.5));
    const xmin = Math.max(Math.trunc(f32(centre - support) + 0.5), 0),
      xmax = Math.min(Math.trunc(f32(centre + support) + 0.5), size);
    let total = 0;
    for (let i = xmin; i < xmax; i++) total += weights[o * size + i] = filter((i - centre + 0.5) * invScale);
    if (total !== 0) for (let i = xmin; i < xmax; i++) weights[o * size + i] /= total;
  }
  return weights;
}

/** Calls f(output index, input index, weight) for every (output, source pixel) pair of the record. */
function forEachSource(r: Int32Array, kind: Kind, f: (oi: number, xi: number, wt: number) => void): void {
  const [planes, h, w, oh, ow] = Array.from({ length: 5 }, (_, k) => param(r, k));
  const sy = bitsf32(param(r, 5)),
    sx = bitsf32(param(r, 6)),
    flag = param(r, 7);
  for (let p = 0; p < planes; p++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const oi = (p * oh + oy) * ow + ox,
          base = p * h * w;
        if (kind === 'nearest') {
          f(oi, base + nearestIndex(oy, h, oh, sy, flag) * w + nearestIndex(ox, w, ow, sx, flag), 1);
          continue;
        }
        if (kind === 'cubic') {
          const [ys, wy] = cubicTaps(oy, h, sy, flag !== 0),
            [xs, wx] = cubicTaps(ox, w, sx, flag !== 0);
          for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) f(oi, base + ys[j] * w + xs[i], wy[j] * wx[i]);
          continue;
        }
        const [y0, y1, ly] = linearSource(oy, h, oh, sy, flag !== 0),
          [x0, x1, lx] = linearSource(ox, w, ow, sx, flag !== 0);
        f(oi, base + y0 * w + x0, (1 - ly) * (1 - lx));
        f(oi, base + y0 * w + x1, (1 - ly) * lx);
        f(oi, base + y1 * w + x0, ly * (1 - lx));
        f(oi, base + y1 * w + x1, ly * lx);
      }
}

/** The three families of kernels: one source, two per dim, four per dim. */
type Kind = 'nearest' | 'linear' | 'cubic';

function resampleOp<N extends string>(name: N, kind: Kind, info: OpInfo<ResampleAttrs>): OpSpec<ResampleAttrs, N> {
  return {
    name,
    module: 'resample',
    arity: 1,
    gradInputs: [0],
    plan: (ins: readonly Meta[], attrs: ResampleAttrs): Plan => planResample(ins, attrs, kind !== 'nearest'),
    ref: {
      fwd: (h: Float64Array, r: Int32Array) => {
        const x = inp(r, 0),
          o = out(r),
          n = param(r, 0) * param(r, 3) * param(r, 4);
        h.fill(0, o, o + n);
        forEachSource(r, kind, (oi, xi, wt) => (h[o + oi] += wt * h[x + xi]));
      },
      bwd: (h: Float64Array, r: Int32Array) => {
        const gx = gin(r, 0),
          g = gout(r);
        if (gx) forEachSource(r, kind, (oi, xi, wt) => (h[gx + xi] += wt * h[g + oi]));
      },
    },
    // Separable (a source's weight is w_y·w_x): y = A_h·x·A_wᵀ per plane. A_h [oh, H] is the op on
    // the identity image [1, 1, H, H] with W kept (size H, or factor 1: the identity along W in every
    // mode), A_wᵀ likewise along W; so the weights are the kernel's own, and dx = A_hᵀ·g·A_w.
    vjp: (b, { inputs: [x], gout: g, attrs }) => {
      const [, , h, w] = b.shape(x),
        [, , oh, ow] = b.shape(g);
      const f = attrs.size === undefined ? perDim('scaleFactor', attrs.scaleFactor, false) : null;
      const rows = b.op(name, [eyeImage(b, h)], f ? { ...attrs, scaleFactor: [f[0], 1] } : { ...attrs, size: [oh, h] });
      const colsT = b.op(name, [eyeImage(b, w)], f ? { ...attrs, scaleFactor: [1, f[1]] } : { ...attrs, size: [w, ow] });
      return [b.op('matmul', [b.op('matmul', [rows, g], { transposeA: true }), colsT], { transposeB: true })];
    },
    ...info,
  };
}

function resampleCases(): TestCase<ResampleAttrs>[] {
  return [
    { inputs: [{ shape: [1, 1, 1, 1] }], attrs: { size: 1 } },
    { inputs: [{ shape: [1, 1, 1, 1] }], attrs: { size: [3, 2] }, name: '1×1 → 3×2' },
    { inputs: [{ shape: [2, 3, 4, 5] }], attrs: { scaleFactor: 2 }, name: 'scaleFactor 2' },
    { inputs: [{ shape: [1, 2, 5, 7] }], attrs: { size: [3, 17] }, name: 'down in H, up to 17 in W' },
    { inputs: [{ shape: [1, 1, 7, 3] }], attrs: { scaleFactor: [0.5, 1.7] }, name: 'scaleFactor [0.5, 1.7]' },
    { inputs: [{ shape: [1, 2, 3, 3] }], attrs: { scaleFactor: 1.2 }, name: 'scaleFactor 1.2 keeps the size (the linear modes copy)' },
    { inputs: [{ shape: [0, 2, 3, 3] }], attrs: { size: 5 }, name: 'N = 0' },
  ];
}

const interpolateNearestOp = resampleOp('interpolateNearest', 'nearest', {
  doc: "interpolate mode 'nearest' (PyTorch's legacy nearest: source floor(dst · scale)) or, with exact, 'nearest-exact' (floor((dst + ½) · scale))",
  tests: {
    cases: [
      ...resampleCases(),
      ...resampleCases().map((c) => ({ ...c, attrs: { ...c.attrs, exact: true }, name: `nearest-exact: ${c.name ?? fmtValue(c.attrs)}` })),
      { inputs: [{ shape: [1, 1, 5, 3] }], attrs: { scaleFactor: 1.7, recomputeScaleFactor: true }, name: 'recomputeScaleFactor: scale In / Out' },
      { inputs: [{ shape: [1, 2, 5, 5] }], attrs: { scaleFactor: [1.1, 2.1] }, name: 'sizes kept and doubled, floor(dst · scale)' },
      { inputs: [{ shape: [1, 1, 5, 5] }], attrs: { scaleFactor: [1.1, 2.1], sizeShortcuts: true }, name: 'sizes kept and doubled, with the size shortcuts' },
    ],
  },
});
function linearCases(): TestCase<ResampleAttrs>[] {
  return [
    ...resampleCases(),
    { inputs: [{ shape: [1, 2, 4, 5] }], attrs: { size: [7, 9], alignCorners: true }, name: 'alignCorners' },
    { inputs: [{ shape: [1, 1, 5, 6] }], attrs: { scaleFactor: [0.6, 3], alignCorners: true }, name: 'alignCorners, scaleFactor' },
    { inputs: [{ shape: [1, 1, 4, 4] }], attrs: { size: [1, 3], alignCorners: true }, name: 'alignCorners, one output row' },
    { inputs: [{ shape: [1, 2, 5, 3] }], attrs: { scaleFactor: [1.7, 2.6], recomputeScaleFactor: true }, name: 'recomputeScaleFactor: scale In / Out' },
  ];
}
const interpolateBilinearOp = resampleOp('interpolateBilinear', 'linear', {
  doc: "interpolate mode 'bilinear', alignCorners false or true",
  tests: { cases: linearCases() },
});
const interpolateBicubicOp = resampleOp('interpolateBicubic', 'cubic', {
  doc: "interpolate mode 'bicubic' (Keys, A = −0.75, taps clamped into the input), alignCorners false or true",
  tests: {
    cases: [
      ...linearCases(),
      { inputs: [{ shape: [1, 1, 2, 3] }], attrs: { size: [5, 7] }, name: 'taps past both borders' },
      { inputs: [{ shape: [2, 3, 9, 17] }], attrs: { size: [4, 6] }, name: 'downsampling' },
    ],
  },
});

export const RESAMPLE_OPS = defineOps(interpolateNearestOp, interpolateBilinearOp, interpolateBicubicOp);
