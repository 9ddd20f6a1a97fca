/**
 * torch.segment_reduce (torch 1.13's `_segment_reduce`): data's consecutive runs along `axis`,
 * given by their lengths (or offsets), each reduced to one value by sum, mean, max, min or prod.
 * Each element's segment number is computed on the host from the lengths (read in JavaScript: inside
 * wg.compile the function re-runs its JavaScript every call, as maskedSelect), then one scatter
 * reduction combines each segment into an output whose `axis` has one entry per segment; its
 * gradient is scatterReduce's. A product has no scatter reduction here: it gathers each segment into
 * a row padded with ones and takes prod over it (prod's gradient, exact with zeros).
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { checkDim } from '../ops/types.js';
import { full, tensor } from './creation.js';
import { readValues } from './counting.js';
import { expand, pad } from './layout.js';
import { gather } from './indexing.js';
import { prod } from './reduce.js';
import { mul } from './elementwise.js';
import { reshape, slice } from './shape.js';
import { scatterReduce, type ScatterReduce } from './indexing.js';
import { where } from './integer.js';

export type SegmentReduction = 'sum' | 'mean' | 'max' | 'min' | 'prod';

export interface SegmentReduceOptions {
  /** int32 [..., S]: the segments' lengths along axis, the leading dims data's before axis. */
  lengths?: Tensor | null;
  /** int32 [..., S + 1]: the segments' boundaries (lengths = their differences); give lengths or offsets. */
  offsets?: Tensor | null;
  /** The reduced dim (default 0); it must be the lengths' last dim. */
  axis?: number;
  /** Skip the check that the lengths of each row add up to data's size along axis (elements beyond are left out). */
  unsafe?: boolean;
  /** A value every segment starts from (empty segments give it): added for sum, multiplied for prod, a candidate for max and min, added to the sum for mean. */
  initial?: number | null;
}

const KINDS: Record<Exclude<SegmentReduction, 'prod'>, ScatterReduce> = { sum: 'sum', mean: 'sum', max: 'amax', min: 'amin' };
/** What an empty segment gives without `initial`, as torch's (mean: 0/0). */
const EMPTY: Record<SegmentReduction, number> = { sum: 0, mean: NaN, max: -Infinity, min: Infinity, prod: 1 };

export function segmentReduce(data: Tensor, reduce: SegmentReduction, opts: SegmentReduceOptions = {}): Tensor {
  const fn = 'segmentReduce';
  checkTensor(fn, 'data', data);
  const {
    lengths = null,
    offsets = null,
    axis = 0,
    unsafe = false,
    initial = null,
  } = checkOptions<SegmentReduceOptions>(fn, opts, ['lengths', 'offsets', 'axis', 'unsafe', 'initial']);
  if (reduce !== 'prod' && !Object.hasOwn(KINDS, reduce))
    throw new ValueError(fn, `unsupported reduction given! ${fmtValue(reduce)} (one of 'sum', 'mean', 'max', 'min', 'prod')`);
  checkBool(fn, 'unsafe', unsafe);
  if (data.dtype !== 'float32') throw new DTypeError(fn, `data must be a float32 tensor, got ${data.dtype} ${fmtShape(data.shape)}`);
  if (initial !== null && typeof initial !== 'number') throw new ValueError(fn, `initial must be a number or null, got ${fmtValue(initial)}`);
  const bounds = lengths ?? offsets;
  if (bounds === null) throw new ValueError(fn, 'either lengths or offsets must be given');
  if (lengths !== null && offsets !== null) throw new ValueError(fn, 'give lengths or offsets, not both');
  const what = lengths !== null ? 'lengths' : 'offsets';
  checkTensor(fn, what, bounds);
  if (bounds.dtype !== 'int32') throw new DTypeError(fn, `${what} must be an int32 tensor, got ${bounds.dtype}`);
  const ax = checkDim(fn, axis, data.ndim, data.shape, 'axis');
  if (bounds.ndim !== ax + 1)
    throw new ShapeError(fn, `expected axis to be the last dimension of ${what} (${what} ${fmtShape(bounds.shape)}), got axis ${axis}`);
  const lead = data.shape.slice(0, ax);
  if (bounds.shape.slice(0, ax).some((d, k) => d !== lead[k]))
    throw new ShapeError(fn, `${what} ${fmtShape(bounds.shape)} must have data's dims before axis ${fmtShape(lead)}`);
  const S = bounds.shape[ax] - (offsets !== null ? 1 : 0);
  if (S < 0) throw new ShapeError(fn, `offsets needs at least one entry along axis, got ${fmtShape(bounds.shape)}`);
  const D = data.shape[ax];
  const raw = readValues(fn, bounds, 'the lengths decide which elements each segment reduces');
  const rows = raw.length / Math.max(1, bounds.shape[ax]);
  // segment number of each position along axis, per leading row; S (an extra, dropped segment) where none
  const seg = new Int32Array(rows * D).fill(S);
  const counts = new Float32Array(rows * S);
  for (let r = 0; r < rows; r++) {
    const row = raw.subarray(r * bounds.shape[ax], (r + 1) * bounds.shape[ax]);
    const lens = Array.from({ length: S }, (_, s) => (offsets !== null ? row[s + 1] - row[s] : row[s]));
    if (lens.some((len) => len < 0)) throw new ValueError(fn, `${what} must give non-negative lengths, got ${fmtValue(Array.from(row))}`);
    let at = 0;
    for (let s = 0; s < S; s++) {
      const len = lens[s];
      if (at + len > D)
        throw new ValueError(fn, `the lengths of row ${r}, ${fmtValue(Array.from(row))}, add up to more than data's ${D} elements along axis ${ax}`);
      seg.fill(s, r * D + at, r * D + at + len);
      counts[r * S + s] = len;
      at += len;
    }
    if (at !== D && !unsafe)
      throw new ValueError(
        fn,
        `expected the lengths of each row to add up to data's size ${D} along axis ${ax} (unless unsafe), got ${fmtValue(Array.from(row))}`,
      );
  }
  const trail = data.shape.slice(ax + 1).map(() => 1);
  if (reduce === 'prod') return segmentProd(data, ax, seg, counts, S, initial ?? 1);
  const index = expand(tensor(seg, { shape: [...lead, D, ...trail], dtype: 'int32' }), data.shape);
  const start = initial ?? (reduce === 'mean' ? 0 : EMPTY[reduce]);
  const outShape = [...lead, S + 1, ...data.shape.slice(ax + 1)];
  const y = slice(scatterReduce(full(outShape, start), ax, index, data, KINDS[reduce]), ax, 0, S);
  if (reduce !== 'mean') return y;
  // mean = (initial + Σ)/count, as torch's; an empty segment gives initial, or 0/0 = NaN without one
  const count = reshape(tensor(counts, { shape: [...lead, S] }), [...lead, S, ...trail]);
  const empty = count.eq(0);
  return where(empty, initial ?? NaN, y.div(where(empty, 1, count)));
}

/** prod: segments gathered into [..., S, L, ...] rows (L the longest; short ones padded with a 1 appended to data), times initial. */
function segmentProd(data: Tensor, ax: number, seg: Int32Array, counts: Float32Array, S: number, initial: number): Tensor {
  const lead = data.shape.slice(0, ax),
    D = data.shape[ax],
    trail = data.shape.slice(ax + 1);
  const rows = seg.length / Math.max(1, D);
  const L = Math.max(0, ...counts);
  const pos = new Int32Array(rows * S * L).fill(D);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < D; i++) {
      const s = seg[r * D + i];
      if (s === S) continue;
      const first = seg.indexOf(s, r * D) - r * D;
      pos[(r * S + s) * L + i - first] = i;
    }
  const padded = pad(data, [...trail.flatMap(() => [0, 0]), 0, 1], { mode: 'constant', value: 1 });
  const index = expand(tensor(pos, { shape: [...lead, S * L, ...trail.map(() => 1)], dtype: 'int32' }), [...lead, S * L, ...trail]);
  const rowsOfSegments = reshape(gather(padded, ax, index), [...lead, S, L, ...trail]);
  return mul(prod(rowsOfSegments, ax + 1), initial);
}
