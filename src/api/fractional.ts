/**
 * F.fractional_max_pool2d / 3d (Graham's fractional max-pooling) composed of the API: the windows'
 * starts follow torch's generate_intervals from one uniform u per plane and dim (given as
 * `randomSamples`, torch's `_random_samples`, or drawn from wasmgrad's seeded stream), the windows'
 * elements are gathered from the flat plane, and the max is picked by an int32 position, so the
 * gradient goes to that one element (torch's max-pool routing) and the indices are torch's.
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { sizeOf } from '../ops/types.js';
import { op } from '../ops/index.js';
import { planGather } from '../ops/indexing.js';
import { apply } from '../engine/engine.js';
import { uniform } from '../random.js';
import { unbatched, withoutNone } from './conv.js';
import { mul } from './elementwise.js';
import { arange } from './creation.js';
import { where } from './integer.js';
import { isnan } from './convenience.js';
import { argmax, max } from './reduce.js';
import { reshape } from './shape.js';
import { positions } from './scatters.js';

export interface FractionalMaxPoolOptions {
  /** The output's spatial size (a number for every dim); this or outputRatio. */
  outputSize?: number | readonly number[];
  /** The output's size as a fraction in (0, 1) of the input's, truncated (torch's int(in · ratio)). */
  outputRatio?: number | readonly number[];
  /** Also return the int32 flat positions of the maxima within their input planes (volumes). */
  returnIndices?: boolean;
  /** torch's `_random_samples`: [N, C, k] (N = 1 for an unbatched input) uniforms in [0, 1), one per plane and spatial dim. */
  randomSamples?: Tensor;
}

/** A size per spatial dim from a number or a list of k, each passing `ok`; a ValueError naming `what` otherwise. */
function perDim(fn: string, what: string, v: unknown, k: number, ok: (n: unknown) => boolean, expected: string): number[] {
  const a = typeof v === 'number' ? Array<number>(k).fill(v) : v;
  if (!Array.isArray(a) || a.length !== k || !a.every(ok)) throw new ValueError(fn, `${what} must be ${expected} or a list of ${k}, got ${fmtValue(v)}`);
  return a as number[];
}
const positiveInt = (n: unknown) => Number.isInteger(n) && (n as number) > 0;

/**
 * torch's generate_intervals in float32 (its scalar_t for float input): the start of each of the
 * `out` windows of size k over n, alpha = (n − k)/(out − 1), start_i = ⌊(i + u)·alpha⌋ − ⌊u·alpha⌋,
 * and the last window ends at n.
 */
function intervals(u: number, n: number, out: number, k: number): number[] {
  const f = Math.fround;
  const alpha = out > 1 ? f(f(n - k) / f(out - 1)) : 0;
  return Array.from({ length: out }, (_, i) => (i === out - 1 ? n - k : Math.trunc(f(f(i + u) * alpha)) - Math.trunc(f(u * alpha))));
}

/** The checked options: the kernel and the output size per spatial dim (from outputSize or outputRatio of the input's sizes). */
export function fractionalArgs(fn: string, k: number, kernelSize: unknown, opts: FractionalMaxPoolOptions) {
  const o = checkOptions<FractionalMaxPoolOptions>(fn, opts, ['outputSize', 'outputRatio', 'returnIndices', 'randomSamples']);
  checkBool(fn, 'returnIndices', o.returnIndices);
  const kernel = perDim(fn, 'kernelSize', kernelSize, k, positiveInt, 'a positive integer');
  if ((o.outputSize === undefined) === (o.outputRatio === undefined))
    throw new ValueError(fn, o.outputSize === undefined ? 'needs an outputSize or an outputRatio' : 'takes only one of outputSize and outputRatio');
  const size = o.outputSize !== undefined ? perDim(fn, 'outputSize', o.outputSize, k, positiveInt, 'a positive integer') : undefined;
  const ratio =
    o.outputRatio !== undefined
      ? perDim(fn, 'outputRatio', o.outputRatio, k, (r) => typeof r === 'number' && r > 0 && r < 1, 'a number between 0 and 1 (exclusive)')
      : undefined;
  return { o, kernel, outSize: (input: readonly number[]) => size ?? ratio!.map((r, i) => Math.trunc(input[i] * r)) };
}

/** fractionalMaxPool2d/3d over the last k dims of x ([N, C, …] or unbatched [C, …]). */
function fractionalMaxPool(fn: string, k: number, x: Tensor, kernelSize: unknown, opts: FractionalMaxPoolOptions): Tensor | [Tensor, Tensor] {
  const { o, kernel, outSize } = fractionalArgs(fn, k, kernelSize, opts);
  checkTensor(fn, 'input', x);
  if (x.dtype !== 'float32') throw new DTypeError(fn, `input must be a float32 tensor, got int32 ${fmtShape(x.shape)}`);
  const dims = k === 2 ? 'H, W' : 'D, H, W';
  if (x.ndim !== k + 1 && x.ndim !== k + 2) throw new ShapeError(fn, `input must be [C, ${dims}] or [N, C, ${dims}], got shape ${fmtShape(x.shape)}`);
  return unbatched(x, k + 2, (xb): Tensor | [Tensor, Tensor] => {
    const [N, C, ...input] = xb.shape;
    const out = outSize(input);
    // torch 1.13 lets a 2-D window end on the input's last element (output + kernel − 1 ≤ input) but
    // not a 3-D one (< input): both kept
    const slack = k === 2 ? 1 : 0;
    out.forEach((s, d) => {
      if (s < 1 || s > input[d] - kernel[d] + slack)
        throw new ValueError(
          fn,
          `output size ${s} with kernel ${kernel[d]} does not fit the input's size ${input[d]} along spatial dim ${d} (needs 1 ≤ output ≤ input − kernel${slack ? ' + 1' : ''})`,
        );
    });
    let u: ArrayLike<number>;
    if (o.randomSamples === undefined) u = Array.from({ length: N * C * k }, () => Math.fround(uniform()));
    else {
      const s = o.randomSamples;
      checkTensor(fn, 'randomSamples', s);
      if (s.dtype !== 'float32' || s.ndim !== 3 || s.shape[0] !== N || s.shape[1] !== C || s.shape[2] !== k)
        throw new ShapeError(
          fn,
          `randomSamples must be a float32 tensor [${N}, ${C}, ${k}] for an input ${fmtShape(x.shape)}, got ${s.dtype} ${fmtShape(s.shape)}`,
        );
      u = s.rawValues();
      const bad = Array.prototype.findIndex.call(u, (v: number) => !(v >= 0 && v < 1));
      if (bad >= 0) throw new ValueError(fn, `randomSamples must lie in [0, 1), got ${u[bad]} at flat position ${bad}`);
    }
    // every window's elements as flat positions in its plane: planes, then output points, then the
    // window's offsets, each row-major (the first of equal maxima is the first in this order, as torch's loop)
    const strides = input.map((_, d) => sizeOf(input.slice(d + 1)));
    const [P, K] = [sizeOf(out), sizeOf(kernel)];
    const flat: number[] = [];
    for (let plane = 0; plane < N * C; plane++) {
      // the plane's samples by dim as torch reads them: 3-D (D, H, W) in order, 2-D reversed (sample 0 the width's)
      const starts = input.map((n, d) => intervals(u[plane * k + (k === 2 ? 1 - d : d)], n, out[d], kernel[d]));
      for (let p = 0; p < P; p++)
        for (let q = 0; q < K; q++) {
          let at = 0;
          for (let d = k - 1, pr = p, qr = q; d >= 0; pr = Math.floor(pr / out[d]), qr = Math.floor(qr / kernel[d]), d--)
            at += (starts[d][pr % out[d]] + (qr % kernel[d])) * strides[d];
          flat.push(at);
        }
    }
    // the positions and picks are in range by construction: gathered without reading them (the picks
    // are computed values, which inside wg.compile cannot be read)
    const take = (src: Tensor, dim: number, index: Tensor) =>
      apply(op(src.dtype === 'int32' ? 'indexGatherInt' : 'indexGather'), [src, index], planGather(fn, src, dim, index).map);
    const pos = reshape(positions(fn, flat, false), [N, C, P, K]);
    const windows = reshape(take(reshape(xb, [N, C, sizeOf(input)]), 2, reshape(pos, [N, C, P * K])), [N, C, P, K]);
    // torch's `val > max || isnan(val)`: the first maximum, or the last NaN of a window holding one
    const nan = isnan(windows);
    const lastNaN = argmax(mul(nan, arange(1, K + 1)), -1, true);
    const pick = where(max(nan, -1, true), lastNaN, argmax(windows, -1, true));
    const shape = [N, C, ...out];
    const values = reshape(take(windows, 3, pick), shape);
    return o.returnIndices ? [values, reshape(take(pos, 3, pick), shape)] : values;
  });
}

/** fractionalMaxPool2d/3d's signature: returnIndices true gives [values, indices]. */
export interface FractionalMaxPoolFn {
  (x: Tensor, kernelSize: number | readonly number[], opts: FractionalMaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
  (x: Tensor, kernelSize: number | readonly number[], opts: FractionalMaxPoolOptions & { returnIndices?: false }): Tensor;
  (x: Tensor, kernelSize: number | readonly number[], opts: FractionalMaxPoolOptions): Tensor | [Tensor, Tensor];
  /** torch's positional form (x, kernel_size, output_size, output_ratio, return_indices, _random_samples), null for None. */
  (
    x: Tensor,
    kernelSize: number | readonly number[],
    outputSize: number | readonly number[] | null,
    outputRatio?: number | readonly number[] | null,
    returnIndices?: boolean | null,
    randomSamples?: Tensor | null,
  ): Tensor | [Tensor, Tensor];
}

/**
 * The options of a call: an options object as it is (its nulls left out, torch's None), or torch's
 * positional (output_size, output_ratio, return_indices, _random_samples), nulls and missing ones left out.
 */
function fractionalOptions(args: unknown[]): FractionalMaxPoolOptions {
  const [first] = args;
  if (args.length === 1 && typeof first === 'object' && first !== null && !Array.isArray(first))
    return withoutNone(first, ['outputSize', 'outputRatio', 'randomSamples']);
  const names = ['outputSize', 'outputRatio', 'returnIndices', 'randomSamples'] as const;
  return Object.fromEntries(names.map((name, i) => [name, args[i]]).filter(([, v]) => v != null));
}

/**
 * F.fractional_max_pool2d(x [N, C, H, W] or [C, H, W], kernelSize, {outputSize | outputRatio,
 * returnIndices, randomSamples}): the max over kernel windows whose starts step pseudo-randomly
 * (torch's intervals); with returnIndices, [values, int32 positions h·W + w]. Sample 0 of each
 * plane places the columns, sample 1 the rows, as torch's.
 */
export const fractionalMaxPool2d = ((x: Tensor, kernelSize: number | readonly number[], ...opts: unknown[]) =>
  fractionalMaxPool('fractionalMaxPool2d', 2, x, kernelSize, fractionalOptions(opts))) as FractionalMaxPoolFn;

/**
 * F.fractional_max_pool3d(x [N, C, D, H, W] or [C, D, H, W], kernelSize, {outputSize | outputRatio,
 * returnIndices, randomSamples}): fractionalMaxPool2d's windows in three dims (samples 0, 1, 2 for
 * D, H, W); indices d·H·W + h·W + w.
 */
export const fractionalMaxPool3d = ((x: Tensor, kernelSize: number | readonly number[], ...opts: unknown[]) =>
  fractionalMaxPool('fractionalMaxPool3d', 3, x, kernelSize, fractionalOptions(opts))) as FractionalMaxPoolFn;
