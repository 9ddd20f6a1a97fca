/**
 * torch's storage-level Tensor methods that make sense without views of a shared storage:
 * resize_, resize_as_ (torch.resize_as_), share_memory_, is_shared and is_set_to.
 */
import { makePersistent } from '../engine/memory.js';
import { sink } from '../engine/sink.js';
import { checkTensor } from '../engine/check.js';
import type { Storage } from '../engine/storage.js';
import type { Tensor } from '../engine/tensor.js';
import { AutogradError, CompileError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { make } from './creation.js';

/**
 * The elements a resize_ dropped off the end, per tensor: torch shrinks the shape, not the
 * storage, so growing back shows the old elements again (t.resize_(2); t.resize_(6) gives t's six
 * values back). Elements beyond everything the tensor ever held are zeros here (torch leaves
 * them uninitialized).
 */
const tails = new WeakMap<Tensor, number[]>();

/** torch's resize_ size argument: non-negative integers, as separate numbers or one array. */
function checkSize(fn: string, size: readonly (number | readonly number[])[]): number[] {
  const dims = size.length === 1 && Array.isArray(size[0]) ? (size[0] as readonly number[]) : size;
  if (!dims.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0))
    throw new ValueError(fn, `size must be non-negative integers, got ${fmtValue(size.length === 1 ? size[0] : size)}`);
  return [...(dims as readonly number[])];
}

function resizeTo(fn: string, t: Tensor, shape: number[]): Tensor {
  checkTensor(fn, 'self', t);
  // torch: "cannot resize variables that require grad", inside no_grad too
  if (t.requiresGrad) throw new AutogradError(fn, `cannot resize a tensor ${fmtShape(t.shape)} that requires grad (resize t.detach() or a clone)`);
  if (sink.mode !== 'off') throw new CompileError(fn, 'changes a tensor’s element count, which a compiled program cannot replay: call it outside wg.compile');
  const n = shape.reduce((p, d) => p * d, 1);
  const held = [...t.rawValues(), ...(tails.get(t) ?? [])];
  const r = make(fn, shape, t.dtype, (be, p) =>
    be.write(p, held.length >= n ? held.slice(0, n) : [...held, ...new Array<number>(n - held.length).fill(0)], t.dtype),
  );
  if (t.storage.owner === 'persistent') makePersistent(r.storage, fn);
  tails.set(t, held.slice(n));
  t.adopt(r);
  return t;
}

/**
 * t.resize_(...size): t gets the shape `size` (numbers or one array), keeping its first elements in
 * row-major order; new elements are zeros, or the ones an earlier resize_ dropped (torch: the
 * storage's old contents, else uninitialized). Refused on a tensor that requires grad, as torch.
 */
export function resize_(t: Tensor, ...size: (number | readonly number[])[]): Tensor {
  return resizeTo('resize_', t, checkSize('resize_', size));
}

/** t.resizeAs_(other) (torch.resize_as_): t.resize_(other.shape). */
export function resizeAs_(t: Tensor, other: Tensor): Tensor {
  checkTensor('resizeAs_', 'the_template', other);
  return resizeTo('resizeAs_', t, [...other.shape]);
}

/**
 * The storages shareMemory_ marked. wasmgrad's memory is its WebAssembly heap, which no other
 * process sees, so nothing moves; the mark only makes isShared() answer as torch's after
 * share_memory_ (torch moves the storage to shared memory for multiprocessing).
 */
const shared = new WeakSet<Storage>();

/** t.shareMemory_(): marks t's storage as shared (a no-op otherwise, see above) and returns t. */
export function shareMemory_(t: Tensor): Tensor {
  checkTensor('shareMemory_', 'self', t);
  shared.add(t.storage);
  return t;
}

/** t.isShared(): whether shareMemory_ was called on t (torch: whether its storage is in shared memory). */
export function isShared(t: Tensor): boolean {
  checkTensor('isShared', 'self', t);
  return shared.has(t.storage);
}

/**
 * t.isSetTo(other): whether both are the same storage with the same shape (torch: same storage,
 * offset, sizes and strides; wasmgrad's tensors are contiguous from offset 0, and its views are
 * copies, so only the same tensor, or one handle sharing its block, is).
 */
export function isSetTo(t: Tensor, other: Tensor): boolean {
  checkTensor('isSetTo', 'self', t);
  checkTensor('isSetTo', 'tensor', other);
  return t.storage === other.storage && t.dtype === other.dtype && t.shape.length === other.shape.length && t.shape.every((d, i) => d === other.shape[i]);
}
