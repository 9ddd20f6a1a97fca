/**
 * torch.histogram: counts (or summed weights) of a float32 tensor's elements in bins given by their
 * number over a range or by their edges, with the edges.
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { checkIntAtLeast } from '../ops/types.js';
import { bucketize, readValues } from './counting.js';
import { filled } from './creation.js';
import { clamp, div, ge, le, mul, sub } from './elementwise.js';
import { linspace } from './factories.js';
import { scatterAdd } from './indexing.js';
import { to, where } from './integer.js';
import { named, type Named } from './linalg-host.js';
import { diff } from './parity-math.js';
import { amax, amin, floatInput, sum } from './reduce.js';
import { narrow } from './layout.js';
import { reshape } from './shape.js';

export interface HistogramOptions {
  /** [min, max] of the equal bins when `bins` is a number; default the data's smallest and largest element. */
  range?: readonly [number, number];
  /** float32 weights of the input's shape: each element adds its weight to its bin instead of 1. */
  weight?: Tensor;
  /** Divide by the total and by each bin's width, so the histogram integrates to 1 (default false). */
  density?: boolean;
}

export type HistogramResult = Named<{ hist: Tensor; binEdges: Tensor }>;

/** The edges of `bins` equal bins over `range` (or the data's range, read in JavaScript), as torch's. */
export function equalBins(fn: string, x: Tensor, bins: number, range: readonly [number, number] | undefined): Tensor {
  checkIntAtLeast(fn, 'bins', bins, 1);
  if (range !== undefined && (!Array.isArray(range) || range.length !== 2 || range.some((v) => typeof v !== 'number')))
    throw new ValueError(fn, `range must be [min, max], two numbers, got ${fmtValue(range)}`);
  // torch: no data gives [0, 1]; equal ends are widened by 0.5 each way
  let [lo, hi] = range ?? (x.size === 0 ? [0, 1] : [amin(x), amax(x)].map((t) => readValues(fn, t, 'the data range sets the bins')[0]));
  if (!Number.isFinite(lo) || !Number.isFinite(hi))
    throw new ValueError(fn, `the range [${lo}, ${hi}] is not finite${range ? '' : ' (the data holds NaN or ±∞: give a range)'}`);
  if (lo > hi) throw new ValueError(fn, `range's min must not exceed its max, got [${lo}, ${hi}]`);
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  return linspace(lo, hi, bins + 1);
}

/** A tensor of bin edges checked: float32, 1-D, at least 2 of them (detached: no gradient flows to edges). */
export function checkEdges(fn: string, name: string, bins: Tensor): Tensor {
  if (bins.dtype !== 'float32') throw new DTypeError(fn, `${name} must be a float32 tensor of edges (the input's dtype), got ${bins.dtype}`);
  if (bins.ndim !== 1 || bins.size < 2) throw new ShapeError(fn, `${name} must be a 1-D tensor of at least 2 edges, got shape ${fmtShape(bins.shape)}`);
  return bins.detach();
}

/**
 * The bin of each element of the 1-D e among `edges` (int32 in [0, n − 1] for n bins) and whether
 * it counts (float32 0/1: within the edges, not NaN). The bin is the number of edges ≤ e, less one
 * (bucketize's right form), the last edge in the last bin.
 */
export function binsOf(e: Tensor, edges: Tensor): { bin: Tensor; inside: Tensor } {
  const n = edges.size - 1;
  const bin = to(clamp(sub(to(bucketize(e, edges, { right: true }), 'float32'), 1), 0, n - 1), 'int32');
  const inside = mul(ge(e, narrow(edges, 0, 0, 1)), le(e, narrow(edges, 0, n, 1)));
  return { bin, inside };
}

/**
 * torch.histogram(x, bins, {range, weight, density}) → { hist, binEdges } (also `const [hist,
 * binEdges] = …`): bins a number of equal bins (over `range`, default the data's range, read in
 * JavaScript) or a 1-D float32 tensor of increasing edges. Element e counts in bin i when
 * edges[i] ≤ e < edges[i + 1], the last bin holding its right edge too; elements outside the edges
 * and NaN are not counted. No gradient (hist does not require grad).
 */
export function histogram(x: Tensor, bins: number | Tensor, opts?: HistogramOptions): HistogramResult {
  const fn = 'histogram';
  const { range, weight, density = false } = checkOptions<HistogramOptions>(fn, opts, ['range', 'weight', 'density']);
  floatInput(fn, x);
  checkBool(fn, 'density', density);
  let edges: Tensor;
  if (bins instanceof Tensor) {
    if (range !== undefined) throw new ValueError(fn, 'range applies to a number of bins; bins given as edges set their own range');
    edges = checkEdges(fn, 'bins', bins);
  } else if (typeof bins === 'number') edges = equalBins(fn, x, bins, range);
  else throw new ValueError(fn, `bins must be a number of bins or a 1-D tensor of edges, got ${fmtValue(bins)}`);
  if (weight !== undefined) {
    checkTensor(fn, 'weight', weight);
    if (weight.dtype !== 'float32' || weight.ndim !== x.ndim || weight.shape.some((d, k) => d !== x.shape[k]))
      throw new ShapeError(fn, `weight must be a float32 tensor of the input's shape ${fmtShape(x.shape)}, got ${weight.dtype} ${fmtShape(weight.shape)}`);
  }
  const n = edges.size - 1;
  const e = reshape(x.detach(), [-1]);
  const { bin, inside } = binsOf(e, edges);
  const counted = weight === undefined ? inside : where(inside, reshape(weight.detach(), [-1]), 0);
  let hist = scatterAdd(filled(fn, [n], 0, {}), 0, bin, counted);
  if (density) hist = div(hist, mul(sum(hist), diff(edges)));
  return named({ hist, binEdges: edges });
}
