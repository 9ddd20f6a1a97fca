/**
 * Spatial transformers (F.affine_grid, F.grid_sample) composed of the API: the grid is a batched
 * matmul of a base grid by theta; sampling unnormalises the grid's coordinates, pads them
 * (border clamps, reflection folds), and reads the taps (2ᵏ for bilinear/trilinear, 4 × 4 for
 * bicubic, one for nearest) with gathers weighted by differentiable weights, so the gradient
 * reaches the input (through the gathers) and the grid (through the weights), as torch's.
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { op } from '../ops/index.js';
import { sizeOf } from '../ops/types.js';
import { planGather } from '../ops/indexing.js';
import { linspace } from './factories.js';
import { abs, add, clamp, div, eq, ge, gt, le, lt, mul, sub } from './elementwise.js';
import { to, where } from './integer.js';
import { withoutNone } from './conv.js';
import { expand } from './layout.js';
import { matmul } from './linalg.js';
import { floor, fmod, round, sign, trunc } from './math.js';
import { ones } from './creation.js';
import { reshape, stack } from './shape.js';

/** torch's base coordinates of n points along a dim: linspace(−1, 1, n), scaled by (n − 1)/n without alignCorners; one point is 0. */
const base = (n: number, alignCorners: boolean): Tensor => (n <= 1 ? linspace(0, 0, n) : linspace(-1, 1, n).mul(alignCorners ? 1 : (n - 1) / n));

/**
 * F.affine_grid(theta, size, {alignCorners = false}): the sampling grid of affine maps theta [N, 2, 3]
 * for an output of size [N, C, H, W] → [N, H, W, 2] (x, y), or theta [N, 3, 4] and [N, C, D, H, W]
 * → [N, D, H, W, 3]; grid = base · thetaᵀ, differentiable in theta.
 */
export function affineGrid(theta: Tensor, size: readonly number[], opts: { alignCorners?: boolean } = {}): Tensor {
  const { alignCorners = false } = withoutNone(checkOptions<{ alignCorners?: boolean }>('affineGrid', opts, ['alignCorners']), ['alignCorners']);
  checkBool('affineGrid', 'alignCorners', alignCorners);
  checkTensor('affineGrid', 'theta', theta);
  if (theta.dtype !== 'float32') throw new DTypeError('affineGrid', `theta must be a float32 tensor, got int32 ${fmtShape(theta.shape)}`);
  if (!Array.isArray(size) || (size.length !== 4 && size.length !== 5) || !size.every((s) => Number.isInteger(s) && s > 0))
    throw new ValueError('affineGrid', `size must be [N, C, H, W] or [N, C, D, H, W] of positive integers, got ${fmtValue(size)}`);
  const k = size.length - 2; // spatial dims
  if (theta.ndim !== 3 || theta.shape[0] !== size[0] || theta.shape[1] !== k || theta.shape[2] !== k + 1)
    throw new ShapeError(
      'affineGrid',
      `expected a batch of affine matrices [${size[0]}, ${k}, ${k + 1}] for size ${fmtShape(size)}, got theta ${fmtShape(theta.shape)}`,
    );
  const spatial = size.slice(2);
  // (x, y[, z], 1) at every output point, x along the last dim: meshgrid of the reversed dims
  const axes = spatial.map((n, i) => {
    const shape = spatial.map((_, j) => (j === i ? n : 1));
    return expand(reshape(base(n, alignCorners), shape), spatial);
  });
  const points = stack([...axes.reverse(), ones(spatial)], -1).reshape([1, -1, k + 1]);
  return reshape(matmul(points, theta, { transposeB: true }), [size[0], ...spatial, k]);
}

export interface GridSampleOptions {
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  alignCorners?: boolean;
}

/** Grid coordinate g (in [−1, 1] across the size n) in pixels, as torch's grid_sampler_unnormalize. */
const unnormalize = (g: Tensor, n: number, alignCorners: boolean): Tensor => (alignCorners ? mul(add(g, 1), (n - 1) / 2) : div(sub(mul(add(g, 1), n), 1), 2));

/** Pixel coordinate x padded as torch's compute_coordinates: 'border' clamps, 'reflection' folds then clamps, 'zeros' keeps it. */
function pad(x: Tensor, n: number, paddingMode: string, alignCorners: boolean): Tensor {
  if (paddingMode === 'reflection') {
    // fold x into [lo, hi] = [0, n − 1] (alignCorners) or [−0.5, n − 0.5] by reflections at the ends
    const [lo, hi] = alignCorners ? [0, n - 1] : [-0.5, n - 0.5];
    if (hi === lo) return mul(x, 0);
    const span = hi - lo;
    const a = abs(sub(x, lo));
    const extra = fmod(a, span);
    const even = eq(fmod(floor(div(a.detach(), span)), 2), 0);
    x = where(even, add(extra, lo), sub(span + lo, extra));
  }
  if (paddingMode === 'zeros') return x;
  // clamped into [0, n − 1] with torch's gradient: 1 strictly inside, 0 on the ends and beyond
  const inside = mul(gt(x, 0), lt(x, n - 1));
  return where(inside, x, clamp(x.detach(), 0, n - 1));
}

/**
 * The nearest pixel to x as torch 1.13's grid samplers round: half to even in 2-D (nearbyint),
 * half away from zero in 3-D (std::round: 2.5 → 3, −0.5 → −1); exact, no x + 0.5 rounding.
 */
function nearest(x: Tensor, k: number): Tensor {
  if (k === 2) return round(x);
  const t = trunc(x);
  return where(eq(abs(sub(x, t)), 0.5), add(t, sign(x)), round(x));
}

/**
 * Keys' cubic convolution weights (A = −0.75, torch's get_cubic_upsample_coefficients) of the four
 * taps x0 − 1 … x0 + 2 at the fraction t = x − x0: W(t + 1), W(t), W(1 − t), W(2 − t), with
 * W(s) = ((A + 2)s − (A + 3))s² + 1 on [0, 1] and ((As − 5A)s + 8A)s − 4A on [1, 2].
 */
function cubicWeights(t: Tensor): Tensor[] {
  const A = -0.75;
  const near = (s: Tensor) => add(mul(mul(sub(mul(s, A + 2), A + 3), s), s), 1);
  const far = (s: Tensor) => sub(mul(add(mul(sub(mul(s, A), 5 * A), s), 8 * A), s), 4 * A);
  return [far(add(t, 1)), near(t), near(sub(1, t)), far(sub(2, t))];
}

/**
 * F.grid_sample(input [N, C, H, W], grid [N, Ho, Wo, 2], {mode = 'bilinear', paddingMode = 'zeros',
 * alignCorners = false}) → [N, C, Ho, Wo], or input [N, C, D, H, W] with grid [N, Do, Ho, Wo, 3]
 * (x, y, z) → [N, C, Do, Ho, Wo]: input read at the grid's coordinates in [−1, 1] (−1 the left or
 * top edge: the first pixel's centre with alignCorners, its outer edge without). 'bilinear' weighs
 * the 2ᵏ neighbours (trilinear in 5-D); 'bicubic' (4-D only) the 4 × 4 taps around the point with
 * Keys' cubic weights, each tap's coordinate padded on its own as torch's; gradients to input and
 * grid. 'nearest' takes the nearest pixel (half to even, as torch's nearbyint; gradient to input
 * only). Outside the input: 0 ('zeros'), the edge ('border'), or the coordinate reflected back
 * ('reflection').
 */
export function gridSample(input: Tensor, grid: Tensor, opts: GridSampleOptions = {}): Tensor {
  const FN = 'gridSample';
  const {
    mode = 'bilinear',
    paddingMode = 'zeros',
    alignCorners = false,
  } = withoutNone(checkOptions<GridSampleOptions>(FN, opts, ['mode', 'paddingMode', 'alignCorners']), ['alignCorners']);
  checkTensor(FN, 'input', input);
  checkTensor(FN, 'grid', grid);
  if (mode !== 'bilinear' && mode !== 'nearest' && mode !== 'bicubic')
    throw new ValueError(FN, `mode must be 'bilinear', 'nearest' or 'bicubic', got ${fmtValue(mode)}`);
  if (paddingMode !== 'zeros' && paddingMode !== 'border' && paddingMode !== 'reflection')
    throw new ValueError(FN, `paddingMode must be 'zeros', 'border' or 'reflection', got ${fmtValue(paddingMode)}`);
  checkBool(FN, 'alignCorners', alignCorners);
  if (input.dtype !== 'float32' || grid.dtype !== 'float32')
    throw new DTypeError(FN, `input and grid must be float32 tensors, got ${input.dtype} and ${grid.dtype}`);
  if (input.ndim !== 4 && input.ndim !== 5)
    throw new ShapeError(FN, `input must be 4-D [N, C, H, W] or 5-D [N, C, D, H, W], got shape ${fmtShape(input.shape)}`);
  if (mode === 'bicubic' && input.ndim === 5) throw new ValueError(FN, `mode 'bicubic' needs a 4-D input (as torch), got shape ${fmtShape(input.shape)}`);
  const [N, C, ...spatial] = input.shape;
  const k = spatial.length;
  if (grid.ndim !== k + 2 || grid.shape[0] !== N || grid.shape[k + 1] !== k) {
    const want = k === 2 ? `[${N}, Ho, Wo, 2]` : `[${N}, Do, Ho, Wo, 3]`;
    throw new ShapeError(FN, `grid must be ${want} for an input ${fmtShape(input.shape)}, got ${fmtShape(grid.shape)}`);
  }
  const outSpatial = grid.shape.slice(1, k + 1);
  const P = sizeOf(outSpatial);
  const g = reshape(grid, [N, P, k]);
  const strides = spatial.map((_, i) => sizeOf(spatial.slice(i + 1)));
  const flat = reshape(input, [N, C, sizeOf(spatial)]);
  /** input at integer pixels xs [N, P] (detached floats, one per spatial dim), 0 outside: a gather of the clamped flat position. */
  const at = (xs: Tensor[]): Tensor => {
    const inside = xs.map((x, i) => mul(ge(x, 0), le(x, spatial[i] - 1))).reduce((u, v) => mul(u, v));
    const pos = to(
      xs.map((x, i) => mul(clamp(x, 0, spatial[i] - 1), strides[i])).reduce((u, v) => add(u, v)),
      'int32',
    );
    const index = expand(reshape(pos, [N, 1, P]), [N, C, P]);
    // the positions are in range by construction: the gather op is applied without reading them
    // (inside wg.compile they are computed values, which cannot be read)
    const values = apply(op('indexGather'), [flat, index], planGather(FN, flat, 2, index).map);
    return mul(values, reshape(inside, [N, 1, P]));
  };
  // per spatial dim (the grid's last dim holds them reversed: x is W's), its taps: a detached
  // integer coordinate and its differentiable weight [N, P] (none for 'nearest')
  const taps = spatial.map((n, i): [Tensor, Tensor | null][] => {
    const x = unnormalize(reshape(g.select(2, k - 1 - i), [N, P]), n, alignCorners);
    if (mode === 'bicubic') {
      // torch pads each tap's coordinate, not the point's; the weights follow the unpadded fraction
      const x0 = floor(x.detach());
      return cubicWeights(sub(x, x0)).map((w, j) => [pad(add(x0, j - 1), n, paddingMode, alignCorners).detach(), w]);
    }
    const xp = pad(x, n, paddingMode, alignCorners);
    if (mode === 'nearest') return [[nearest(xp.detach(), k), null]];
    const x0 = floor(xp.detach());
    const w1 = sub(xp, x0);
    return [
      [x0, sub(1, w1)],
      [add(x0, 1), w1],
    ];
  });
  // Σ over every combination of one tap per dim: input there × the product of the taps' weights
  let out: Tensor | null = null;
  const visit = (i: number, xs: Tensor[], w: Tensor | null): void => {
    if (i === k) {
      const v = w === null ? at(xs) : mul(at(xs), reshape(w, [N, 1, P]));
      out = out === null ? v : add(out, v);
      return;
    }
    for (const [x, wi] of taps[i]) visit(i + 1, [...xs, x], wi === null ? w : w === null ? wi : mul(w, wi));
  };
  visit(0, [], null);
  return reshape(out!, [N, C, ...outSpatial]);
}
