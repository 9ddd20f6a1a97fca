/**
 * Memory without tidy/dispose.
 *
 * One allocator per backend hands out blocks of the backend's heap (word offsets). Blocks are kept
 * in exact size-class bins, so a training step that allocates the same sizes as the previous one
 * reuses exactly the same blocks: memory stays flat.
 *
 * Every block has an owner that decides when it is recycled:
 * - 'persistent': tensors made by creation functions (wg.tensor, zeros, randn, ...), leaf
 *   gradients, and anything kept with t.keep(). Freed when the last Tensor handle to it is garbage
 *   collected (FinalizationRegistry) or on t.dispose().
 * - a step generation: results of ops. A step ends when backward() finishes. The results of step k
 *   stay valid during step k and step k+1 (so `loss.item()` or an accuracy computed on the logits
 *   after backward() work) and are recycled when step k+2 begins.
 * - a noGrad scope: results of ops run inside wg.noGrad(fn) are recycled when fn returns, except the
 *   tensors fn returns, which move to the enclosing owner.
 * Using a tensor whose block was recycled throws a RecycledTensorError that says so: never silent
 * garbage.
 *
 * Every heap spans at most HEAP_LIMIT_WORDS words: a request beyond it, or one the engine cannot
 * provide, is an OutOfMemoryError naming the sizes, raised before anything changes, so the heap
 * keeps working for smaller requests.
 */
import type { Backend } from './backend/types.js';
import { sink } from './sink.js';
import { lifetimes, Storage } from './storage.js';

/** A block owned by the current step (or noGrad scope); `fn` names the caller in an OutOfMemoryError. */
export function allocTransient(be: Backend, words: number, label: string, fn = label): Storage {
  // Inside wg.compile: traced blocks are pinned to the program, replays reuse them.
  if (sink.mode === 'patch') return sink.recordedAlloc(words);
  const owner = sink.mode === 'trace' ? sink.pinned() : lifetimes.transientOwner();
  const s = new Storage(be, be.heap.alloc(words, fn), words, owner, label, lifetimes.step);
  owner.push(s);
  if (sink.mode === 'trace') sink.traceAlloc(s);
  return s;
}

/**
 * A block for creation functions and optimizer state. Inside a compiled function, creating tensors
 * is JavaScript a replay cannot repeat (the program then re-runs the JS every call), except for
 * `state`: blocks the caller accounts for (optimizer buffers made at the first step, then reused;
 * constants a creation function hoists into the program, see ReplaySink.hoist).
 */
export function allocPersistent(be: Backend, words: number, label: string, state = false, fn = label): Storage {
  const s = new Storage(be, be.heap.alloc(words, fn), words, 'persistent', label, lifetimes.step);
  if (sink.mode !== 'off' && !state) sink.slow(`a tensor of ${words} element${words === 1 ? '' : 's'} is created inside the function by ${label}`);
  return s;
}

const finalizer = new FinalizationRegistry<Storage>((s) => {
  if (--s.refs === 0 && s.owner === 'persistent') s.release();
});

/**
 * Ties a persistent storage's life to a JS handle object. The storage is the unregister token, so
 * demote can drop all its registrations at once.
 */
export function attachHandle(handle: object, s: Storage): void {
  if (s.owner !== 'persistent') return;
  s.refs++;
  finalizer.register(handle, s, s);
}

/** Moves a transient storage to the persistent region's rules (no copy: ownership changes). */
export function makePersistent(handle: object, s: Storage): void {
  if (s.owner === 'persistent') return;
  s.owner = 'persistent';
  attachHandle(handle, s);
}

/**
 * Hands a persistent storage over to the current step, as if it were an op result: used for a
 * leaf's gradient when it is replaced or cleared (`t.grad = null`, zeroGrad), so a training loop
 * that clears gradients every step stays flat without waiting for the garbage collector.
 */
export function demote(s: Storage): void {
  if (s.owner !== 'persistent' || !s.alive) return;
  // The step frees it now. Its registrations would otherwise stay (a WeakCell and the Storage per
  // handle) until the handles are collected AND the finalizer's cleanup task runs, which a
  // synchronous training loop never lets happen: +740 bytes of JS heap per step in `npm run soak`.
  finalizer.unregister(s);
  s.refs = 0;
  const owner = lifetimes.transientOwner();
  s.owner = owner;
  owner.push(s);
}
