/**
 * PyTorch's view and layout functions: expand, repeat, tile, squeeze, unsqueeze, flip, narrow,
 * movedim, split, chunk, unbind (each result one strided copy, src/ops/shape.ts), and the
 * composites roll and pad (src/ops/layout.ts). Tensors are contiguous blocks, so what PyTorch
 * returns as a view is a copy here; gradients flow back through the copy's index map.
 */
import { checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import type { PadMode } from '../ops/layout.js';
import { contiguousView, flipView, normDim, permuteView, repeatView, stepView, type View } from '../ops/shape.js';
import { fmtShape, ofTensor } from '../ops/types.js';
import { op } from '../ops/index.js';
import { ones } from './creation.js';
import { movedInt } from './int-moves.js';
import { dropout, reshape } from './shape.js';
import { mul } from './elementwise.js';

const ROLL = { float32: op('roll'), int32: op('rollInt') } as const;
const PAD = op('pad');
const copyView = (x: Tensor, v: View): Tensor => apply(op(x.dtype === 'int32' ? 'copyInt' : 'copy'), [x], v);
/** A number or an array of numbers as an array (dims, sizes, shifts). */
const list = (v: number | readonly number[]): number[] => (typeof v === 'number' ? [v] : Array.isArray(v) ? [...v] : (v as number[]));

/** Distinct dims of x (negative from the end); `nd` is the rank they index (ndim, or ndim + 1 for unsqueeze). */
function dimList(fn: string, x: Tensor, dims: unknown, what = 'dims', nd = x.ndim): number[] {
  if (typeof dims !== 'number' && !Array.isArray(dims))
    throw new ValueError(fn, `${what} must be a dim or an array of dims, got ${fmtValue(dims)} ${ofTensor(x.shape)}`);
  const ds = list(dims).map((d) => normDim(fn, d, nd, x.shape));
  const dup = ds.find((d, i) => ds.indexOf(d) !== i);
  if (dup !== undefined) throw new ValueError(fn, `dim ${dup} appears more than once in ${what} ${fmtValue(dims)} ${ofTensor(x.shape)}`);
  return ds;
}

/** Non-negative integer counts (repeat/tile reps, split sizes). */
function counts(fn: string, what: string, v: unknown, x: Tensor): number[] {
  const ok = (a: unknown): a is number[] => Array.isArray(a) && a.every((k) => Number.isInteger(k) && k >= 0);
  const arr = typeof v === 'number' ? [v] : v;
  if (!ok(arr)) throw new ValueError(fn, `${what} must be non-negative integers, got ${fmtValue(v)} ${ofTensor(x.shape)}`);
  return arr;
}

/**
 * x broadcast to `shape` (torch.Tensor.expand): new dims are prepended, -1 keeps a dim, a size-1
 * dim may grow; the gradient sums over the expanded positions.
 */
export function expand(x: Tensor, shape: readonly number[] | number): Tensor {
  checkTensor('expand', 'input', x);
  const s = list(shape);
  if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d) && d >= -1))
    throw new ValueError('expand', `shape must be integers ≥ -1, got ${fmtValue(shape)} ${ofTensor(x.shape)}`);
  const lead = s.length - x.ndim;
  if (lead < 0) throw new ShapeError('expand', `the target shape ${fmtShape(s)} has fewer dims than the tensor of shape ${fmtShape(x.shape)}`);
  const to = s.map((d, k) => {
    if (k < lead) {
      if (d === -1) throw new ShapeError('expand', `-1 is not allowed in the new leading dim ${k} of ${fmtShape(s)} ${ofTensor(x.shape)}`);
      return d;
    }
    const have = x.shape[k - lead];
    if (d !== -1 && d !== have && have !== 1)
      throw new ShapeError(
        'expand',
        `cannot expand dim ${k - lead} of size ${have} to ${d} (only size-1 dims grow): tensor of shape ${fmtShape(x.shape)} to ${fmtShape(s)}`,
      );
    return d === -1 ? have : d;
  });
  const st = contiguousView(x.shape).strides;
  return copyView(x, { shape: to, strides: to.map((d, k) => (k < lead || x.shape[k - lead] !== d ? 0 : st[k - lead])) });
}

/** torch.Tensor.repeat: the tensor tiled reps[k] times along dim k; reps may be longer than ndim (new leading dims), not shorter. */
export function repeat(x: Tensor, reps: readonly number[] | number): Tensor {
  checkTensor('repeat', 'input', x);
  const r = counts('repeat', 'reps', reps, x);
  if (r.length < x.ndim)
    throw new ShapeError('repeat', `reps ${fmtValue(reps)} has fewer entries than the ${x.ndim} dims of the tensor of shape ${fmtShape(x.shape)} (use tile)`);
  return copyView(x, repeatView(x.shape, r));
}

/** torch.tile: as repeat, but fewer reps than dims are padded with leading 1s. */
export function tile(x: Tensor, reps: readonly number[] | number): Tensor {
  checkTensor('tile', 'input', x);
  const r = counts('tile', 'reps', reps, x);
  return copyView(x, repeatView(x.shape, [...new Array<number>(Math.max(0, x.ndim - r.length)).fill(1), ...r]));
}

/** Removes size-1 dims: all of them, or those of `dim` (a dim or an array); a listed dim of another size stays (PyTorch). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  checkTensor('squeeze', 'input', x);
  const listed = dim === undefined ? null : dimList('squeeze', x, dim, 'dim', Math.max(x.ndim, 1));
  return copyView(x, contiguousView(x.shape.filter((d, k) => d !== 1 || (listed !== null && !listed.includes(k)))));
}

/** Inserts a size-1 dim at position dim of the result (in [-ndim-1, ndim]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor('unsqueeze', 'input', x);
  const d = normDim('unsqueeze', dim, x.ndim + 1, x.shape);
  return copyView(x, contiguousView([...x.shape.slice(0, d), 1, ...x.shape.slice(d)]));
}

/** Reverses the order of elements along each of dims. */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  checkTensor('flip', 'input', x);
  const ds = dimList('flip', x, dims, 'dims', Math.max(x.ndim, 1));
  return copyView(x, flipView(x.shape, x.ndim === 0 ? [] : ds));
}

/** Elements start..start+length-1 along dim (start may be negative: from the end). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor('narrow', 'input', x);
  if (x.ndim === 0) throw new ShapeError('narrow', 'cannot narrow a 0-d tensor (it has no dims)');
  const d = normDim('narrow', dim, x.ndim, x.shape);
  const n = x.shape[d];
  if (!Number.isInteger(start) || start < -n || start > n)
    throw new ValueError('narrow', `start must be an integer in [${-n}, ${n}], got ${fmtValue(start)} (dim ${d} of a tensor of shape ${fmtShape(x.shape)})`);
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(length) || length < 0 || s + length > n)
    throw new ValueError(
      'narrow',
      `length must be an integer in [0, ${n - s}] (start ${s}), got ${fmtValue(length)} (dim ${d} of a tensor of shape ${fmtShape(x.shape)})`,
    );
  return copyView(x, stepView(contiguousView(x.shape), d, s, length, 1));
}

/** Moves dims `source` to positions `destination` (numbers or equally long arrays); the other dims keep their order. */
export function movedim(x: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  checkTensor('movedim', 'input', x);
  const src = dimList('movedim', x, source, 'source', Math.max(x.ndim, 1)),
    dst = dimList('movedim', x, destination, 'destination', Math.max(x.ndim, 1));
  if (src.length !== dst.length)
    throw new ValueError('movedim', `source ${fmtValue(source)} and destination ${fmtValue(destination)} must name as many dims ${ofTensor(x.shape)}`);
  if (x.ndim === 0) return copyView(x, contiguousView([]));
  const rest = x.shape.map((_, k) => k).filter((k) => !src.includes(k));
  const order = new Array<number>(x.ndim);
  src.forEach((s, i) => (order[dst[i]] = s));
  for (let k = 0; k < x.ndim; k++) if (order[k] === undefined) order[k] = rest.shift()!;
  return copyView(x, permuteView(x.shape, order));
}

/**
 * Pieces along dim: an integer size gives pieces of that size (the last one smaller), an array
 * gives pieces of those sizes (summing to the dim's size). Each piece is a copy with its gradient.
 */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  checkTensor('split', 'input', x);
  if (x.ndim === 0) throw new ShapeError('split', 'cannot split a 0-d tensor (it has no dims)');
  const d = normDim('split', dim, x.ndim, x.shape);
  const n = x.shape[d];
  let sizes: number[];
  if (typeof sizeOrSections === 'number') {
    const [size] = counts('split', 'the split size', sizeOrSections, x);
    if (size === 0 && n > 0)
      throw new ValueError('split', `the split size can be 0 only for an empty dim, got 0 for dim ${d} of size ${n} ${ofTensor(x.shape)}`);
    sizes = size === 0 ? [0] : Array.from({ length: Math.max(1, Math.ceil(n / size)) }, (_, i) => Math.min(size, n - i * size));
  } else {
    sizes = counts('split', 'the section sizes', sizeOrSections, x);
    const total = sizes.reduce((a, b) => a + b, 0);
    if (sizes.length === 0 || total !== n)
      throw new ShapeError('split', `section sizes ${fmtValue(sizeOrSections)} sum to ${total}, dim ${d} of the tensor of shape ${fmtShape(x.shape)} has ${n}`);
  }
  let at = 0;
  return sizes.map((len) => copyView(x, stepView(contiguousView(x.shape), d, (at += len) - len, len, 1)));
}

/**
 * torch.chunk: pieces of ⌈size/chunks⌉ along dim (the last smaller), so possibly fewer than
 * `chunks` pieces; an empty dim gives `chunks` empty pieces.
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor('chunk', 'input', x);
  if (!Number.isInteger(chunks) || chunks < 1) throw new ValueError('chunk', `chunks must be a positive integer, got ${fmtValue(chunks)} ${ofTensor(x.shape)}`);
  if (x.ndim === 0) throw new ShapeError('chunk', 'cannot chunk a 0-d tensor (it has no dims)');
  const d = normDim('chunk', dim, x.ndim, x.shape);
  const n = x.shape[d];
  return n === 0 ? split(x, new Array<number>(chunks).fill(0), d) : split(x, Math.ceil(n / chunks), d);
}

/** The slices along dim, each without that dim. */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  checkTensor('unbind', 'input', x);
  if (x.ndim === 0) throw new ShapeError('unbind', 'cannot unbind a 0-d tensor (it has no dims)');
  const d = normDim('unbind', dim, x.ndim, x.shape);
  const v = contiguousView(x.shape);
  const without = <T>(a: readonly T[]) => a.filter((_, k) => k !== d);
  return Array.from({ length: x.shape[d] }, (_, i) => copyView(x, { shape: without(v.shape), strides: without(v.strides), offset: i * v.strides[d] }));
}

/** torch.roll: elements shifted along dims with wrap-around; without dims, the flattened tensor is rolled and the shape kept. */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  checkTensor('roll', 'input', x);
  return apply(ROLL[x.dtype], [x], { shifts: typeof shifts === 'number' ? [shifts] : (shifts as number[]), dims: dims === undefined ? [] : list(dims) });
}

export interface PadOptions {
  mode?: PadMode;
  /** The fill of 'constant' mode (default 0). */
  value?: number;
}

/**
 * torch.nn.functional.pad: `pad` holds (left, right) pairs starting from the last dim, for any
 * number of dims; negative values crop. Modes: 'constant' (value), 'reflect' (pads < the dim's
 * size), 'replicate', 'circular' (pads ≤ the dim's size).
 */
export function pad(x: Tensor, padding: readonly number[], options: PadOptions = {}): Tensor {
  checkTensor('pad', 'input', x);
  const o = checkOptions<PadOptions>('pad', options, ['mode', 'value']);
  const mode = o.mode ?? 'constant';
  // PyTorch 1.13: value None is 0, and the other modes take a value of 0 (or None) too
  const value = o.value === null || (mode !== 'constant' && o.value === 0) ? undefined : o.value;
  const attrs = { pad: padding as number[], mode, value: mode === 'constant' ? (value ?? 0) : value };
  if (x.dtype === 'float32') return apply(PAD, [x], attrs);
  // int32 as PyTorch: constant and circular only (reflect and replicate have no integer kernels there)
  if (mode === 'reflect' || mode === 'replicate')
    throw new DTypeError(
      'pad',
      `${mode} padding takes a float32 tensor, got an int32 tensor of shape ${fmtShape(x.shape)} (PyTorch has no integer ${mode} pad)`,
    );
  PAD.plan([x], attrs); // bad pads are named before the fill value
  return movedInt(
    'pad',
    [x],
    ([p]) => apply(PAD, [p], mode === 'constant' ? { ...attrs, value: 0 } : attrs),
    mode === 'constant' ? Math.trunc(attrs.value ?? 0) : 0,
  );
}

/** r as a positive integer factor of pixelShuffle / pixelUnshuffle. */
function factor(fn: string, r: unknown, x: Tensor): number {
  if (!Number.isInteger(r) || (r as number) < 1)
    throw new ValueError(fn, `the factor must be a positive integer, got ${fmtValue(r)} (x of shape ${fmtShape(x.shape)})`);
  if (x.ndim < 3) throw new ShapeError(fn, `expects x of at least 3 dims [*, C, H, W], got ${fmtShape(x.shape)}`);
  return r as number;
}

/**
 * [*, C·r², H, W] → [*, C, H·r, W·r] (PyTorch's pixel_shuffle): out[c, h·r + i, w·r + j] =
 * x[c·r² + i·r + j, h, w]. One strided copy: x read as [B, C, r, r, H, W], permuted to [B, C, H, r, W, r].
 */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  checkTensor('pixelShuffle', 'input', x);
  const r = factor('pixelShuffle', upscaleFactor, x);
  const [c2, h, w] = x.shape.slice(-3);
  if (c2 % (r * r) !== 0) throw new ShapeError('pixelShuffle', `the channels ${c2} of x ${fmtShape(x.shape)} must be divisible by upscaleFactor² = ${r * r}`);
  const lead = x.shape.slice(0, -3),
    c = c2 / (r * r),
    b = lead.reduce((p, d) => p * d, 1);
  const y = copyView(x, permuteView([b, c, r, r, h, w], [0, 1, 4, 2, 5, 3]));
  return reshape(y, [...lead, c, h * r, w * r]);
}

/** The inverse of pixelShuffle: [*, C, H·r, W·r] → [*, C·r², H, W]. */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  checkTensor('pixelUnshuffle', 'input', x);
  const r = factor('pixelUnshuffle', downscaleFactor, x);
  const [c, hr, wr] = x.shape.slice(-3);
  if (hr % r !== 0 || wr % r !== 0)
    throw new ShapeError('pixelUnshuffle', `the height ${hr} and width ${wr} of x ${fmtShape(x.shape)} must be divisible by downscaleFactor = ${r}`);
  const lead = x.shape.slice(0, -3),
    b = lead.reduce((p, d) => p * d, 1);
  const y = copyView(x, permuteView([b, c, hr / r, r, wr / r, r], [0, 1, 3, 5, 2, 4]));
  return reshape(y, [...lead, c * r * r, hr / r, wr / r]);
}

/**
 * Channel dropout: every channel of every sample is zeroed with probability p, the rest scaled by
 * 1/(1 − p), one draw per channel (a mask [N, C, 1, …] from dropout on ones, times x).
 */
function channelDropout(fn: string, x: Tensor, p: number, training: boolean, spatial: number): Tensor {
  checkTensor(fn, 'input', x);
  const dims = ['L', 'H, W', 'D, H, W'][spatial - 1];
  if (x.ndim !== spatial + 1 && x.ndim !== spatial + 2)
    throw new ShapeError(fn, `expects x [N, C, ${dims}] or unbatched [C, ${dims}], got ${fmtShape(x.shape)}`);
  if (training !== true || p === 0) return dropout(x, p, training); // checks p and training, then x itself
  return mul(x, dropout(ones([...x.shape.slice(0, x.ndim - spatial), ...Array<number>(spatial).fill(1)]), p, true));
}

/** Zeroes whole channels of x [N, C, L] (or [C, L]) with probability p in training (PyTorch's dropout1d). */
export const dropout1d = (x: Tensor, p = 0.5, training = true): Tensor => channelDropout('dropout1d', x, p, training, 1);
/** Zeroes whole channels of x [N, C, H, W] (or [C, H, W]) with probability p in training (PyTorch's dropout2d). */
export const dropout2d = (x: Tensor, p = 0.5, training = true): Tensor => channelDropout('dropout2d', x, p, training, 2);
/** Zeroes whole channels of x [N, C, D, H, W] (or [C, D, H, W]) with probability p in training (PyTorch's dropout3d). */
export const dropout3d = (x: Tensor, p = 0.5, training = true): Tensor => channelDropout('dropout3d', x, p, training, 3);

/**
 * PyTorch's Tensor.unfold(dimension, size, step): every slice of `size` elements along the dim,
 * starting each `step`, as a new last dim ([7].unfold(0, 3, 2) → [3, 3]); one strided copy (any
 * dtype; the gradient sums the overlaps). A 0-d x is taken as [1].
 */
export function unfoldDim(x: Tensor, dimension: number, size: number, step: number): Tensor {
  checkTensor('unfold', 'input', x);
  const d = normDim('unfold', dimension, Math.max(x.ndim, 1), x.shape);
  const shape = x.ndim === 0 ? [1] : x.shape;
  if (!Number.isInteger(size) || size < 0) throw new ValueError('unfold', `size must be an integer ≥ 0, got ${fmtValue(size)} ${ofTensor(x.shape)}`);
  if (!Number.isInteger(step) || step <= 0) throw new ValueError('unfold', `step must be an integer > 0, got ${fmtValue(step)} ${ofTensor(x.shape)}`);
  if (size > shape[d])
    throw new ShapeError('unfold', `size ${size} is more than the ${shape[d]} elements of dim ${d} of a tensor of shape ${fmtShape(x.shape)}`);
  const st = contiguousView(shape).strides;
  const windows = Math.floor((shape[d] - size) / step) + 1;
  const out = x.ndim === 0 ? [size] : [...shape.slice(0, d), windows, ...shape.slice(d + 1), size];
  const strides = x.ndim === 0 ? [0] : [...st.slice(0, d), st[d] * step, ...st.slice(d + 1), st[d]];
  return copyView(x, { shape: out, strides });
}
