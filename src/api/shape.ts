/** Copies and layout ops as functions: reshape, permute, slice, cat, stack, embedding, dropout, copy_. Table: src/ops/shape.ts. */
import { lift } from './creation.js';
import { mul } from './elementwise.js';
import { to } from './integer.js';
import { checkTensor } from '../engine/check.js';
import { apply, applyInto } from '../engine/engine.js';
import { allocTransient } from '../engine/memory.js';
import { Tensor, type TensorLike } from '../engine/tensor.js';
import { BackendError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { JOIN_MAX, broadcastView, contiguousView, normDim, permuteView, planJoin, sliceView, type View } from '../ops/shape.js';
import { fmtShape, ofTensor, type DType, sizeOf } from '../ops/types.js';
import { op } from '../ops/index.js';

export const copyFor = (dtype: DType) => op(dtype === 'int32' ? 'copyInt' : 'copy');
const JOINS = { float32: op('cat'), int32: op('catInt') } as const;
const DROPOUT = op('dropout');

const copyView = (x: Tensor, v: View): Tensor => apply(copyFor(x.dtype), [x], v);

// ---- public functions ----------------------------------------------------------------------
/**
 * Tensor.copy_'s write without autograd: copies src (a tensor broadcast to target's shape, or a
 * number) into target's storage. Refused outside wg.noGrad when either side requires grad;
 * `assign` (src/api/inplace.ts) is the recorded form the methods call.
 */
export function copyInto(target: Tensor, src: TensorLike, fn = 'copy_'): Tensor {
  return copyChecked(target, copySource(fn, target, src));
}

/** copyInto's write of a source copySource has checked and converted. */
export function copyChecked(target: Tensor, s: Tensor): Tensor {
  return applyInto(copyFor(target.dtype), target, [s], broadcastView(s.shape, target.shape));
}

/** copy_'s source: checked to broadcast to target's shape, in target's dtype (errors naming `fn`). */
export function copySource(fn: string, target: Tensor, src: TensorLike): Tensor {
  checkTensor(fn, 'target', target);
  const s = typeof src === 'number' ? scalarLike(fn, src, target) : src;
  if (!(s instanceof Tensor)) throw new ValueError(fn, `source must be a Tensor or a number, got ${fmtValue(src)}`);
  s.assertAlive(fn);
  const lead = target.ndim - s.ndim;
  if (lead < 0 || s.shape.some((d, k) => d !== 1 && d !== target.shape[lead + k]))
    throw new ShapeError(fn, `source of shape ${fmtShape(s.shape)} cannot be broadcast to the target shape ${fmtShape(target.shape)}`);
  // Another dtype is converted first, as PyTorch's copy_ (float32 → int32 truncates toward zero, as t.int()).
  return to(s, target.dtype);
}

/** A number as a 0-d tensor of target's dtype on target's backend (errors naming fn, the method called). */
function scalarLike(fn: string, value: number, target: Tensor): Tensor {
  if (target.dtype === 'float32') return lift(value, target);
  if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647)
    throw new ValueError(fn, `an int32 tensor can only be filled with a 32-bit integer, got ${fmtValue(value)}`);
  const s = allocTransient(target.storage.backend, 1, 'constant');
  target.storage.backend.write(s.ptr, [value], 'int32');
  return new Tensor([], 'int32', s, false);
}

/** A copy of x with a new shape of the same size; one dim may be -1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[] | number): Tensor {
  return reshapeNamed('reshape', x, shape);
}

/** reshape's rules, its errors naming `fn` (reshape, view). */
export function reshapeNamed(fn: string, x: Tensor, shape: readonly number[] | number): Tensor {
  checkTensor(fn, 'input', x);
  const given = shape;
  if (typeof shape === 'number') shape = [shape];
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < -1))
    throw new ShapeError(fn, `shape must be an array of integers ≥ -1, got ${fmtValue(given)} ${ofTensor(x.shape)}`);
  const holes = shape.filter((d) => d === -1).length;
  if (holes > 1) throw new ShapeError(fn, `only one dimension can be -1, got ${fmtShape(shape)} ${ofTensor(x.shape)}`);
  const n = x.size,
    known = shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
  if (holes === 1 && known === 0 && n === 0)
    throw new ShapeError(
      fn,
      `cannot reshape a tensor of shape ${fmtShape(x.shape)} (0 elements) into ${fmtShape(shape)}: the other dims multiply to 0, so the -1 could be any size`,
    );
  const fits = holes === 1 ? known > 0 && n % known === 0 : known === n;
  if (!fits) throw new ShapeError(fn, `cannot reshape a tensor of shape ${fmtShape(x.shape)} (${n} elements) into ${fmtShape(shape)}`);
  return copyView(x, contiguousView(shape.map((d) => (d === -1 ? n / known : d))));
}

/** Merges dims startDim..endDim (both included, default all) into one (torch.flatten); a 0-d tensor becomes [1]. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor('flatten', 'input', x);
  const s = normDim('flatten', startDim, Math.max(x.ndim, 1), x.shape),
    e = normDim('flatten', endDim, Math.max(x.ndim, 1), x.shape);
  if (s > e) throw new ShapeError('flatten', `startDim ${startDim} comes after endDim ${endDim} (dims ${s} > ${e}) for a tensor of shape ${fmtShape(x.shape)}`);
  return copyView(x, contiguousView([...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]));
}

/**
 * Splits dim `dim` into `sizes` (torch.unflatten): their product must be the dim's size; one
 * size may be -1 (inferred, as in reshape).
 */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  checkTensor('unflatten', 'input', x);
  if (x.ndim === 0) throw new ShapeError('unflatten', 'cannot unflatten a 0-d tensor (it has no dims)');
  const d = normDim('unflatten', dim, x.ndim, x.shape);
  if (!Array.isArray(sizes) || sizes.length === 0)
    throw new ValueError('unflatten', `sizes must be a non-empty array of integers, got ${fmtValue(sizes)} ${ofTensor(x.shape)}`);
  const known = sizes.reduce((a, k) => (k === -1 ? a : a * k), 1);
  const ok = sizes.every((k) => Number.isInteger(k) && k >= -1) && sizes.filter((k) => k === -1).length <= 1;
  const filled = sizes.map((k) => (k === -1 && known > 0 ? x.shape[d] / known : k));
  if (!ok || !filled.every((k) => Number.isInteger(k) && k >= 0) || sizeOf(filled) !== x.shape[d])
    throw new ShapeError('unflatten', `cannot split dim ${d} of size ${x.shape[d]} ${ofTensor(x.shape)} into ${fmtValue(sizes)}`);
  return copyView(x, contiguousView([...x.shape.slice(0, d), ...filled, ...x.shape.slice(d + 1)]));
}

/** A copy of x in a block of its own, differentiable (PyTorch's clone; grads flow back to x). */
export function clone(x: Tensor): Tensor {
  checkTensor('clone', 'input', x);
  return copyView(x, contiguousView(x.shape));
}

/** Swaps dims d0 and d1 (default the last two); a tensor with fewer than 2 dims is copied unchanged. */
export function transpose(x: Tensor, d0?: number, d1?: number): Tensor {
  checkTensor('transpose', 'input', x);
  if (x.ndim < 2) {
    // As in PyTorch, 0-d and 1-d tensors accept dims 0 and -1 (given explicitly), and transpose to themselves.
    for (const d of [d0, d1]) if (d !== undefined) normDim('transpose', d, 1, x.shape);
    return copyView(x, contiguousView(x.shape));
  }
  const a = normDim('transpose', d0 ?? -2, x.ndim, x.shape),
    b = normDim('transpose', d1 ?? -1, x.ndim, x.shape);
  const dims = x.shape.map((_, k) => (k === a ? b : k === b ? a : k));
  return copyView(x, permuteView(x.shape, dims));
}

/** Output dim k is input dim dims[k]; dims is a permutation of 0..ndim-1 (negatives count from the end). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor('permute', 'input', x);
  if (!Array.isArray(dims)) throw new ValueError('permute', `dims must be an array of dim indices, got ${fmtValue(dims)} ${ofTensor(x.shape)}`);
  const bad = () => new ShapeError('permute', `dims ${fmtValue(dims)} is not a permutation of 0..${x.ndim - 1} for a tensor of shape ${fmtShape(x.shape)}`);
  if (dims.length !== x.ndim) throw bad();
  const ds = dims.map((d) => normDim('permute', d, x.ndim, x.shape));
  if (new Set(ds).size !== ds.length) throw bad();
  return copyView(x, permuteView(x.shape, ds));
}

/**
 * x[..., start:end, ...] along dim with Python semantics (negative from the end, clamped, possibly
 * empty); an omitted (undefined or null) start is 0 and end the dim's size, as Python's x[:end].
 */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step: number = 1): Tensor {
  checkTensor('slice', 'input', x);
  if (x.ndim === 0) throw new ShapeError('slice', 'cannot slice a 0-d tensor (it has no dims)');
  const d = normDim('slice', dim, x.ndim, x.shape);
  if ((start != null && !Number.isInteger(start)) || (end != null && !Number.isInteger(end)))
    throw new ValueError('slice', `start and end must be integers, got ${fmtValue(start)} and ${fmtValue(end)} ${ofTensor(x.shape)}`);
  if (!Number.isInteger(step) || step < 1)
    throw new ValueError('slice', `step must be a positive integer (as Python's x[start:end:step] on a tensor), got ${fmtValue(step)}`);
  const size = x.shape[d];
  const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clamp(start ?? 0);
  return copyView(x, sliceView(x.shape, d, s, Math.max(s, clamp(end ?? size)), step));
}

/** Concatenates tensors along an existing dim. */
export function cat(xs: readonly Tensor[], dim = 0): Tensor {
  return join('cat', xs, dim, false);
}

/** Stacks same-shape tensors along a new dim (0..ndim). */
export function stack(xs: readonly Tensor[], dim = 0): Tensor {
  return join('stack', xs, dim, true);
}

/** `tensors` checked to be a non-empty array of live tensors (cat, stack, hstack, vstack, meshgrid). */
export function tensorList(fn: string, tensors: unknown): Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new ValueError(fn, `expects a non-empty array of tensors, got ${fmtValue(tensors)}`);
  tensors.forEach((x, i) => checkTensor(fn, `tensors[${i}]`, x));
  return tensors as Tensor[];
}

/**
 * cat/stack of any number of tensors: one record holds up to JOIN_MAX (17) inputs, so longer lists
 * are joined in balanced groups (stacked or concatenated) whose results are concatenated along the
 * same dim: log17(k) passes over the data, and the gradient reaches every input through the tree.
 */
function join(op: 'cat' | 'stack', xs: readonly Tensor[], dim: number, stack: boolean): Tensor {
  tensorList(op, xs);
  const desc = () => xs.map((t) => `${t.dtype} ${fmtShape(t.shape)} (${t.storage.backend.name})`).join(', ');
  if (xs.some((t) => t.storage.backend !== xs[0].storage.backend)) throw new BackendError(op, `tensors live on different backends: ${desc()}`);
  // PyTorch's promotion: int32 with float32 joins as float32 (the int32 tensors cast first).
  if (xs.some((t) => t.dtype !== xs[0].dtype)) xs = xs.map((t) => to(t, 'float32'));
  const p = planJoin(
    op,
    xs.map((t) => t.shape),
    dim,
    stack,
  );
  if (xs.length === 1) return copyView(xs[0], contiguousView(p.shape));
  const tree = (ts: readonly Tensor[], stacking: boolean): Tensor => {
    if (ts.length <= JOIN_MAX) return apply(JOINS[ts[0].dtype], ts, { dim: p.dim, stack: stacking });
    const g = Math.ceil(ts.length / JOIN_MAX);
    const parts = Array.from({ length: g }, (_, i) => tree(ts.slice(Math.floor((i * ts.length) / g), Math.floor(((i + 1) * ts.length) / g)), stacking));
    return tree(parts, false);
  };
  return tree(xs, stack);
}

/**
 * Inverted dropout: in training, zeroes each element with probability p and scales the others by
 * 1/(1-p); otherwise (or with p = 0) returns x itself. The mask's seed is drawn from the global
 * stream when the kernel runs (wg.manualSeed makes it reproducible; a compiled replay draws too).
 * Defaults are F.dropout's (p 0.5, training true); p = 1 gives x·0, as PyTorch (the op takes p < 1).
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  checkTensor('dropout', 'input', x);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ValueError('dropout', `p must be a probability in [0, 1], got ${fmtValue(p)}`);
  if (typeof training !== 'boolean') throw new ValueError('dropout', `training must be a boolean, got ${fmtValue(training)}`);
  if (!training || p === 0) return x;
  return p === 1 ? mul(x, 0) : apply(DROPOUT, [x], { p });
}
