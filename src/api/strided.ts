/**
 * torch's strided family: as_strided (and its in-place, scatter and copy forms), empty_strided,
 * new_empty_strided, and torch 1.13's `*_copy` functions (each view op, then a copy).
 *
 * wasmgrad tensors are always contiguous (a view such as t() is a copy), so a strided view reads
 * x's elements in row-major order as its storage: the element at index (i0, i1, …) is
 * x.flatten()[offset + Σ iₖ·strideₖ], torch's result for a contiguous x. It is one strided `copy`
 * (the op every view of the library runs), whose backward adds each output gradient into the
 * element it was read from, so overlapping windows sum their gradients as torch's backward does.
 */
import { checkOptions, checkTensor } from '../engine/check.js';
import { apply, isGradEnabled } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue, type ErrorClass } from '../errors.js';
import type { DType } from '../ops/types.js';
import { arange, zeros } from './creation.js';
import { expand, squeeze, unbind, unfoldDim, unsqueeze } from './layout.js';
import { put } from './scatters.js';
import { clone, copyFor, permute, slice, transpose } from './shape.js';
import { diagonal, select, split } from './torch-forms.js';
import { t } from './convenience.js';
import { view } from './parity-shape.js';
import { like } from './factories.js';
import { torchForm } from './keywords.js';
import { writeInPlace } from './inplace.js';

/** torch's Python-int size lists: an integer is a 1-element list. */
function intList(fn: string, what: string, v: unknown): number[] {
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || !list.every(Number.isSafeInteger)) throw new ValueError(fn, `${what} must be an array of integers, got ${fmtValue(v)}`);
  return [...(list as number[])];
}

/** Size and stride lists of equal length, non-negative as torch requires (checked in torch's order). */
function sizesStrides(fn: string, size: unknown, stride: unknown): [number[], number[]] {
  const s = intList(fn, 'size', size),
    st = intList(fn, 'stride', stride);
  if (s.length !== st.length) throw new ShapeError(fn, `dimensionality of sizes (${s.length}) must match dimensionality of strides (${st.length})`);
  if (st.some((v) => v < 0)) throw new ValueError(fn, `negative strides are not supported, got strides ${fmtShape(st)}`);
  if (s.some((v) => v < 0)) throw new ShapeError(fn, `sizes must be non-negative, got sizes ${fmtShape(s)}`);
  return [s, st];
}

/**
 * The view {shape, strides, offset} of x's row-major elements, checked as torch's setStorage: the
 * last element read, offset + Σ (sizeₖ − 1)·strideₖ, must lie inside x (in bytes of 4-byte
 * elements, as torch counts; an empty view reads nothing and is always in bounds).
 */
function stridedView(fn: string, x: Tensor, size: unknown, stride: unknown, storageOffset: unknown) {
  const [shape, strides] = sizesStrides(fn, size, stride);
  const offset = storageOffset ?? 0;
  if (!Number.isSafeInteger(offset)) throw new ValueError(fn, `storageOffset must be an integer, got ${fmtValue(storageOffset)}`);
  if ((offset as number) < 0) throw new ValueError(fn, `invalid storage offset ${offset as number}`);
  const o = offset as number;
  const empty = shape.includes(0);
  const need = empty ? 0 : o + shape.reduce((acc, d, k) => acc + (d - 1) * strides[k], 0) + 1;
  if (need > x.size)
    throw new ShapeError(
      fn,
      `setStorage: sizes ${fmtShape(shape)}, strides ${fmtShape(strides)}, storage offset ${o}, and itemsize 4 requiring a storage size of ${4 * need} are out of bounds for storage of size ${4 * x.size}`,
    );
  return { shape, strides, offset: o };
}

/** torch.as_strided(x, size, stride, storageOffset = 0): the strided view of x's row-major elements, as a copy. */
function asStridedImpl(x: Tensor, size: readonly number[] | number, stride: readonly number[] | number, storageOffset: number | null = 0): Tensor {
  checkTensor('asStrided', 'input', x);
  return apply(copyFor(x.dtype), [x], stridedView('asStrided', x, size, stride, storageOffset));
}
export const asStrided = /* @__PURE__ */ torchForm('asStrided', asStridedImpl, { positional: ['size', 'stride', 'storageOffset'] });

/** torch.as_strided_copy: as_strided (a copy anyway). */
export const asStridedCopy = asStrided;

/**
 * x.as_strided_(size, stride, storageOffset): x becomes its strided view (shape and element count
 * may change). Under autograd x takes over the view's graph node; a leaf that requires grad is
 * refused, as torch's in-place rule.
 */
export function asStrided_(x: Tensor, size: readonly number[] | number, stride: readonly number[] | number, storageOffset: number | null = 0): Tensor {
  checkTensor('asStrided_', 'input', x);
  const r = apply(copyFor(x.dtype), [x], stridedView('asStrided_', x, size, stride, storageOffset));
  if (isGradEnabled() && (x.requiresGrad || r.requiresGrad)) return writeInPlace('asStrided_', x, r, 'shapes');
  x.takeOver(r);
  return x;
}

/**
 * torch.as_strided_scatter(x, src, size, stride, storageOffset = 0): a copy of x whose strided view
 * is src: a `put` at the view's flat positions (as_strided of arange). Gradients as torch's: x gets
 * g with the view's positions zeroed, src gets g read through the view. Where the view overlaps
 * itself, torch's element order of the writes is unspecified; here the last in row-major order wins.
 */
function asStridedScatterImpl(
  x: Tensor,
  src: Tensor,
  size: readonly number[] | number,
  stride: readonly number[] | number,
  storageOffset: number | null = 0,
): Tensor {
  checkTensor('asStridedScatter', 'input', x);
  checkTensor('asStridedScatter', 'src', src);
  const v = stridedView('asStridedScatter', x, size, stride, storageOffset);
  if (src.ndim !== v.shape.length || src.shape.some((d, k) => d !== v.shape[k]))
    throw new ShapeError(
      'asStridedScatter',
      `expected src to have a size equal to the slice of self. src size = ${fmtShape(src.shape)}, slice size = ${fmtShape(v.shape)}`,
    );
  if (src.dtype !== x.dtype) throw new DTypeError('asStridedScatter', `src must have the input's dtype ${x.dtype}, got ${src.dtype}`);
  const positions = apply(copyFor('int32'), [arange(x.size, { dtype: 'int32' })], v);
  return put(x, positions, src);
}
export const asStridedScatter = /* @__PURE__ */ torchForm('asStridedScatter', asStridedScatterImpl, {
  inputs: 2,
  positional: ['size', 'stride', 'storageOffset'],
});

interface EmptyStridedOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/**
 * torch.empty_strided(size, stride, {dtype, requiresGrad}): a tensor of `size`. wasmgrad hands out
 * no uninitialised memory and stores every tensor contiguously, so it is zeros and its strides are
 * the contiguous ones; the stride list is checked as torch's (one entry per dim, non-negative).
 */
export function emptyStrided(size: readonly number[] | number, stride: readonly number[] | number, opts?: EmptyStridedOptions): Tensor {
  const [shape] = sizesStrides('emptyStrided', size, stride);
  return zeros(shape, checkOptions<EmptyStridedOptions>('emptyStrided', opts, ['dtype', 'requiresGrad']));
}

/** x.new_empty_strided(size, stride, {dtype, requiresGrad}): emptyStrided in x's dtype unless dtype says otherwise. */
export function newEmptyStrided(x: Tensor, size: readonly number[] | number, stride: readonly number[] | number, opts?: EmptyStridedOptions): Tensor {
  const o = like('newEmptyStrided', x, opts);
  const [shape] = sizesStrides('newEmptyStrided', size, stride);
  return zeros(shape, o);
}

// ---- torch 1.13's *_copy functions ------------------------------------------------------------

/** Rethrows an argument error of the view op under the copy function's name. */
function renamed<A extends unknown[], R>(name: string, f: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    try {
      return f(...args);
    } catch (e) {
      if (!(e instanceof ShapeError || e instanceof ValueError || e instanceof DTypeError) || e.fn === name) throw e;
      const body = e.message.slice(`wasmgrad.${e.fn}: `.length);
      throw new (e.constructor as ErrorClass)(name, body);
    }
  };
}

/** A result that shares x's block (alias, detach, a reshape or squeeze that changed nothing) is cloned: a *_copy never aliases its input. */
const own = (x: Tensor, r: Tensor): Tensor => (r.storage === x.storage ? clone(r) : r);

/** Each torch `<view>_copy` with its view op here (torch's positional arguments pass through). */
const COPY_VIEWS = {
  aliasCopy: (x: Tensor) => (checkTensor('aliasCopy', 'input', x), x),
  detachCopy: (x: Tensor) => (checkTensor('detachCopy', 'input', x), x.detach()),
  diagonalCopy: (x: Tensor, offset = 0, dim1 = 0, dim2 = 1) => diagonal(x, { offset, dim1, dim2 }),
  /** torch's keyword-only `implicit` changes nothing in the values. */
  expandCopy: (x: Tensor, size: readonly number[] | number) => expand(x, size),
  permuteCopy: (x: Tensor, dims: readonly number[]) => permute(x, dims),
  selectCopy: (x: Tensor, dim: number, index: number) => select(x, dim, index),
  sliceCopy: (x: Tensor, dim = 0, start: number | null = null, end: number | null = null, step = 1) => slice(x, dim, start, end, step),
  splitCopy: (x: Tensor, splitSize: number, dim = 0) => split(x, splitSize, dim),
  splitWithSizesCopy: (x: Tensor, splitSizes: readonly number[], dim = 0) => split(x, splitSizes, dim),
  squeezeCopy: (x: Tensor, dim?: number) => squeeze(x, dim),
  tCopy: (x: Tensor) => t(x),
  transposeCopy: (x: Tensor, dim0: number, dim1: number) => transpose(x, dim0, dim1),
  unbindCopy: (x: Tensor, dim = 0) => unbind(x, dim),
  unfoldCopy: (x: Tensor, dimension: number, size: number, step: number) => unfoldDim(x, dimension, size, step),
  unsqueezeCopy: (x: Tensor, dim: number) => unsqueeze(x, dim),
  viewCopy: (x: Tensor, size: readonly number[] | number) => view(x, size),
};
type CopyViews = typeof COPY_VIEWS;

function copyForms(): CopyViews {
  const forms: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(COPY_VIEWS) as [string, (x: Tensor, ...rest: never[]) => Tensor | Tensor[]][])
    forms[name] = renamed(name, (x: Tensor, ...rest: never[]) => {
      checkTensor(name, 'input', x);
      const r = f(x, ...rest);
      return Array.isArray(r) ? r.map((p) => own(x, p)) : own(x, r);
    });
  return forms as CopyViews;
}

export const {
  aliasCopy,
  detachCopy,
  diagonalCopy,
  expandCopy,
  permuteCopy,
  selectCopy,
  sliceCopy,
  splitCopy,
  splitWithSizesCopy,
  squeezeCopy,
  tCopy,
  transposeCopy,
  unbindCopy,
  unfoldCopy,
  unsqueezeCopy,
  viewCopy,
} = /* @__PURE__ */ copyForms();
