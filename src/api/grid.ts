/**
 * Spatial transformers (F.affine_grid, F.grid_sample) composed of the API: the grid is a batched
 * matmul of a base grid by theta; sampling unnormalises the grid's coordinates, pads them
 * (border clamps, reflection folds), and reads the corners with gathers weighted by differentiable
 * bilinear weights, so the gradient reaches the input (through the gathers) and the grid (through
 * the weights), as torch's.
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { op } from '../ops/index.js';
import { planGather } from '../ops/indexing.js';
import { linspace } from './factories.js';
import { abs, add, clamp, div, eq, ge, gt, le, lt, mul, sub } from './elementwise.js';
import { to, where } from './integer.js';
import { expand } from './layout.js';
import { matmul } from './linalg.js';
import { floor, fmod, round } from './math.js';
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
  const { alignCorners = false } = checkOptions<{ alignCorners?: boolean }>('affineGrid', opts, ['alignCorners']);
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
  mode?: 'bilinear' | 'nearest';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  alignCorners?: boolean;
}

/** Where grid coordinate g (in [−1, 1] across the size n) lands in pixels, padded as torch's grid_sampler_compute_source_index. */
function source(g: Tensor, n: number, paddingMode: string, alignCorners: boolean): Tensor {
  let x = alignCorners ? mul(add(g, 1), (n - 1) / 2) : div(sub(mul(add(g, 1), n), 1), 2);
  if (paddingMode === 'reflection') {
    // fold x into [lo, hi] = [0, n − 1] (alignCorners) or [−0.5, n − 0.5] by reflections at the ends
    const [lo, hi] = alignCorners ? [0, n - 1] : [-0.5, n - 0.5];
    if (hi === lo) return mul(g, 0);
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
 * F.grid_sample(input [N, C, H, W], grid [N, Ho, Wo, 2], {mode = 'bilinear', paddingMode = 'zeros',
 * alignCorners = false}) → [N, C, Ho, Wo]: input read at the grid's (x, y) in [−1, 1] (−1 the left or
 * top edge: the first pixel's centre with alignCorners, its outer edge without). 'bilinear' weighs
 * the four neighbours (gradient to input and grid); 'nearest' takes the nearest pixel (half to even,
 * as torch; gradient to input only). Outside the input: 0 ('zeros'), the edge ('border'), or the
 * coordinate reflected back ('reflection').
 */
export function gridSample(input: Tensor, grid: Tensor, opts: GridSampleOptions = {}): Tensor {
  const FN = 'gridSample';
  const { mode = 'bilinear', paddingMode = 'zeros', alignCorners = false } = checkOptions<GridSampleOptions>(FN, opts, ['mode', 'paddingMode', 'alignCorners']);
  checkTensor(FN, 'input', input);
  checkTensor(FN, 'grid', grid);
  if (mode !== 'bilinear' && mode !== 'nearest')
    throw new ValueError(FN, `mode must be 'bilinear' or 'nearest', got ${fmtValue(mode)} ('bicubic' is not supported)`);
  if (paddingMode !== 'zeros' && paddingMode !== 'border' && paddingMode !== 'reflection')
    throw new ValueError(FN, `paddingMode must be 'zeros', 'border' or 'reflection', got ${fmtValue(paddingMode)}`);
  checkBool(FN, 'alignCorners', alignCorners);
  if (input.dtype !== 'float32' || grid.dtype !== 'float32')
    throw new DTypeError(FN, `input and grid must be float32 tensors, got ${input.dtype} and ${grid.dtype}`);
  if (input.ndim !== 4) throw new ShapeError(FN, `input must be 4-D [N, C, H, W] (5-D is not supported), got shape ${fmtShape(input.shape)}`);
  const [N, C, H, W] = input.shape;
  if (grid.ndim !== 4 || grid.shape[0] !== N || grid.shape[3] !== 2)
    throw new ShapeError(FN, `grid must be [${N}, Ho, Wo, 2] for an input ${fmtShape(input.shape)}, got ${fmtShape(grid.shape)}`);
  const [Ho, Wo] = grid.shape.slice(1, 3);
  const P = Ho * Wo;
  const g = reshape(grid, [N, P, 2]);
  const ix = source(reshape(g.select(2, 0), [N, P]), W, paddingMode, alignCorners);
  const iy = source(reshape(g.select(2, 1), [N, P]), H, paddingMode, alignCorners);
  const flat = reshape(input, [N, C, H * W]);
  /** input at integer pixel (x, y) [N, P] (detached floats), 0 outside: a gather of the clamped flat position. */
  const at = (x: Tensor, y: Tensor): Tensor => {
    const inside = mul(mul(ge(x, 0), le(x, W - 1)), mul(ge(y, 0), le(y, H - 1)));
    const pos = to(add(mul(clamp(y, 0, H - 1), W), clamp(x, 0, W - 1)), 'int32');
    const index = expand(reshape(pos, [N, 1, P]), [N, C, P]);
    // the positions are in range by construction: the gather op is applied without reading them
    // (inside wg.compile they are computed values, which cannot be read)
    const values = apply(op('indexGather'), [flat, index], planGather(FN, flat, 2, index).map);
    return mul(values, reshape(inside, [N, 1, P]));
  };
  if (mode === 'nearest') return reshape(at(round(ix.detach()), round(iy.detach())), [N, C, Ho, Wo]);
  const [x0, y0] = [floor(ix.detach()), floor(iy.detach())];
  const [wx1, wy1] = [sub(ix, x0), sub(iy, y0)];
  const [wx0, wy0] = [sub(1, wx1), sub(1, wy1)];
  const weigh = (w: Tensor) => reshape(w, [N, 1, P]);
  const [x1, y1] = [add(x0, 1), add(y0, 1)];
  const out = add(
    add(mul(at(x0, y0), weigh(mul(wx0, wy0))), mul(at(x1, y0), weigh(mul(wx1, wy0)))),
    add(mul(at(x0, y1), weigh(mul(wx0, wy1))), mul(at(x1, y1), weigh(mul(wx1, wy1)))),
  );
  return reshape(out, [N, C, Ho, Wo]);
}
