/**
 * torch.histogramdd: the D-dimensional histogram of the points in a float32 tensor's rows, each
 * dim binned as wg.histogram bins its elements, the counts gathered into one flat scatterAdd.
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { filled } from './creation.js';
import { add, div, mul } from './elementwise.js';
import { binsOf, checkEdges, equalBins } from './histogram.js';
import { scatterAdd } from './indexing.js';
import { where } from './integer.js';
import { floatInput, sum } from './reduce.js';
import { diff } from './parity-math.js';
import { reshape } from './shape.js';
import { select } from './convenience.js';

export interface HistogramddOptions {
  /** [min₀, max₀, min₁, max₁, …]: the equal bins' range in each dim when `bins` are numbers; default each dim's data range. */
  range?: readonly number[];
  /** float32 weights of the input's shape without its last dim: each point adds its weight instead of 1. */
  weight?: Tensor;
  /** Divide by the total and by each bin's volume, so the histogram integrates to 1 (default false). */
  density?: boolean;
}

export interface HistogramddResult {
  hist: Tensor;
  binEdges: Tensor[];
  [Symbol.iterator](): Iterator<Tensor | Tensor[]>;
}

/**
 * torch.histogramdd(input, bins, {range, weight, density}) → { hist, binEdges } (also
 * `const [hist, binEdges] = …`): input [..., D] holds points of D coordinates; bins is one number of
 * equal bins for every dim, D numbers, or D 1-D float32 tensors of increasing edges. hist has one
 * dim per coordinate (its sizes the bin counts), binEdges one edges tensor per dim. Binning per
 * dim as wg.histogram (edgeᵢ ≤ x < edgeᵢ₊₁, the last bin holding its right edge); a point outside
 * the edges in any dim, or NaN, is not counted. No gradient.
 */
export function histogramdd(input: Tensor, bins: number | readonly number[] | readonly Tensor[], opts?: HistogramddOptions): HistogramddResult {
  const fn = 'histogramdd';
  const { range, weight, density = false } = checkOptions<HistogramddOptions>(fn, opts, ['range', 'weight', 'density']);
  floatInput(fn, input);
  checkBool(fn, 'density', density);
  if (input.ndim < 2) throw new ShapeError(fn, `input must have at least 2 dims [..., D], got ${fmtShape(input.shape)}`);
  const D = input.shape[input.ndim - 1];
  if (D < 1) throw new ShapeError(fn, `input's last dim holds the points' coordinates and must not be 0, got ${fmtShape(input.shape)}`);
  const lead = input.shape.slice(0, -1);
  const points = reshape(input.detach(), [-1, D]);
  const perDim: readonly (number | Tensor)[] = typeof bins === 'number' ? new Array<number>(D).fill(bins) : Array.isArray(bins) ? bins : [];
  if (
    perDim.length !== D ||
    !perDim.every((b) => typeof b === 'number' || b instanceof Tensor) ||
    (perDim.some((b) => b instanceof Tensor) && !perDim.every((b) => b instanceof Tensor))
  )
    throw new ValueError(fn, `bins must be a number, ${D} numbers or ${D} edge tensors (one per dim of the points), got ${fmtValue(bins)}`);
  const edgeTensors = perDim.every((b) => b instanceof Tensor);
  if (range !== undefined) {
    if (edgeTensors) throw new ValueError(fn, 'range applies to numbers of bins; bins given as edges set their own range');
    if (!Array.isArray(range) || range.length !== 2 * D || !range.every((v) => typeof v === 'number'))
      throw new ValueError(fn, `for a ${D}-dimensional histogram range must be ${2 * D} numbers [min₀, max₀, …], got ${fmtValue(range)}`);
  }
  if (weight !== undefined) {
    checkTensor(fn, 'weight', weight);
    if (weight.dtype !== 'float32' || weight.shape.join() !== lead.join())
      throw new ShapeError(
        fn,
        `weight must be a float32 tensor of the input's shape without its last dim ${fmtShape(lead)}, got ${weight.dtype} ${fmtShape(weight.shape)}`,
      );
  }
  const edges = perDim.map((b, d) =>
    b instanceof Tensor
      ? checkEdges(fn, `bins[${d}]`, b)
      : equalBins(fn, select(points, 1, d), b, range === undefined ? undefined : [range[2 * d], range[2 * d + 1]]),
  );
  const sizes = edges.map((e) => e.size - 1);
  // the flat bin index Σ bin_d·stride_d (row-major over the D bin dims), counted only inside every dim
  let flat: Tensor | null = null,
    inside: Tensor | null = null;
  for (let d = 0; d < D; d++) {
    const b = binsOf(select(points, 1, d), edges[d]);
    flat = flat === null ? b.bin : add(mul(flat, sizes[d]), b.bin);
    inside = inside === null ? b.inside : mul(inside, b.inside);
  }
  const counted = weight === undefined ? inside! : where(inside!, reshape(weight.detach(), [-1]), 0);
  let hist = reshape(scatterAdd(filled(fn, [sizes.reduce((p, s) => p * s, 1)], 0, {}), 0, flat!, counted), sizes);
  if (density) {
    // each bin's volume: the outer product of the dims' widths
    let volume = reshape(diff(edges[0]), [sizes[0], ...sizes.slice(1).map(() => 1)]);
    for (let d = 1; d < D; d++)
      volume = mul(
        volume,
        reshape(
          diff(edges[d]),
          sizes.map((s, j) => (j === d ? s : 1)),
        ),
      );
    hist = div(hist, mul(sum(hist), volume));
  }
  const result = { hist, binEdges: edges };
  return { ...result, [Symbol.iterator]: () => [hist, edges][Symbol.iterator]() };
}
