/**
 * Memory without tidy/dispose, and tensors you hold never expire.
 *
 * One allocator per backend hands out blocks of the backend's heap (word offsets). Blocks are kept
 * in exact size-class bins, so a training step that allocates the same sizes as the previous one
 * reuses exactly the same blocks: memory stays flat.
 *
 * Every block has an owner that decides when it goes back to the allocator (docs/internals.md,
 * "Memory and lifetimes", has the design, the rejected alternatives and the measurements):
 * - a step generation: results of ops, and tensors made by creation functions in user code
 *   (wg.tensor, zeros, randn, ...). A step ends when backward() finishes; the blocks of step k stay
 *   resident during steps k and k+1 and are retired when step k+2 begins. Code that never calls
 *   backward() (an evaluation loop) turns the generations over by volume instead: once the current
 *   one holds lifetimes.turnOverWords words (64 MB, or twice the largest step), at the next op;
 * - a noGrad scope: what wg.noGrad(fn) made and did not return is retired when fn returns (what it
 *   returns moves to the enclosing owner); a long fn (a loop) turns its own pair of generations
 *   over by volume in the same way;
 * - 'persistent': parameters (leaves that require grad), module buffers, optimizer state, leaf
 *   gradients, loaded state dicts, hoisted compile constants, kept tensors, and storages made
 *   resident again after a second spill. Freed on dispose() or when the Storage object is
 *   garbage-collected (FinalizationRegistry).
 *
 * Retiring a block spills instead of freeing when a user handle may still reach it: its contents
 * are copied to a typed array on the JS heap held by the Storage, whose life is then that of the
 * tensors referencing it (ordinary garbage collection, no finalizer, so synchronous loops stay
 * bounded), and the block goes back to the allocator. Using a spilled tensor as an op input (or in
 * backward, an in-place op, a compiled call) makes it resident again in a fresh block; reading it
 * (data(), item()) reads the copy. Blocks only the engine can reach (gradient buffers, scratch,
 * saved-for-backward buffers of a freed graph) are freed without a copy.
 *
 * Every heap spans at most HEAP_LIMIT_WORDS words: a request beyond it, or one the engine cannot
 * provide, is an OutOfMemoryError naming the sizes, raised before anything changes, so the heap
 * keeps working for smaller requests; the next op then retires both generations, freeing (or
 * spilling) what the failed call had made.
 */
import type { Backend } from './backend/types.js';
import { sink } from './sink.js';
import { lifetimes, SCRATCH, Storage } from './storage.js';

/** A block owned by the current step (or noGrad scope); `fn` names the caller in an OutOfMemoryError. */
export function allocTransient(be: Backend, words: number, label: string, fn = label): Storage {
  // Inside wg.compile: traced blocks are pinned to the program, replays reuse them.
  if (sink.mode === 'patch') return sink.recordedAlloc(words);
  const s = ownedBy(sink.mode === 'trace' ? sink.pinned() : lifetimes.transientOwner(), be, words, label, fn);
  if (sink.mode === 'trace') sink.traceAlloc(s);
  return s;
}

function ownedBy(owner: Storage[], be: Backend, words: number, label: string, fn: string): Storage {
  let ptr: number;
  try {
    ptr = be.heap.alloc(words, fn);
  } catch (e) {
    lifetimes.short = true; // the next op retires what the failed call made (Lifetimes.settle)
    throw e;
  }
  const s = new Storage(be, ptr, words, owner, label, lifetimes.step);
  lifetimes.place(s, owner);
  return s;
}

/** allocTransient for blocks no user handle reaches and nothing needs after the step (gradient buffers, scratch). */
export function allocScratch(be: Backend, words: number, label: string, fn = label): Storage {
  const s = allocTransient(be, words, label, fn);
  s.graphOnly = SCRATCH;
  return s;
}

/**
 * A block for a tensor a creation function makes in user code: owned by the current step, as an
 * op result (so a batch made every step is freed by the steps, without waiting for the garbage
 * collector), spilled and made resident again like one when held longer. Never pinned to a compiled
 * program: inside one, creating tensors makes the program re-run its JavaScript anyway.
 */
export function allocCreated(be: Backend, words: number, label: string): Storage {
  return ownedBy(lifetimes.transientOwner(), be, words, label, label);
}

/**
 * A block for state that must never move (parameters, optimizer state, leaf gradients, ...).
 * Inside a compiled function, creating tensors is JavaScript a replay cannot repeat (the program
 * then re-runs the JS every call), except for `state`: blocks the caller accounts for (optimizer
 * buffers made at the first step, then reused; constants a creation function hoists into the
 * program, see ReplaySink.hoist).
 */
export function allocPersistent(be: Backend, words: number, label: string, state = false, fn = label): Storage {
  const s = new Storage(be, be.heap.alloc(words, fn), words, 'persistent', label, lifetimes.step);
  s.persist();
  if (sink.mode !== 'off' && !state) sink.slow(`a tensor of ${words} element${words === 1 ? '' : 's'} is created inside the function by ${label}`);
  return s;
}

/**
 * Makes a storage resident (a spilled one gets a fresh block with its contents back) and returns
 * it; `fn` names the caller in an OutOfMemoryError. The first time, the block belongs to the current
 * step like a new result; after a second spill the storage has shown it is long-lived (a dataset,
 * a tensor held across epochs) and becomes persistent, so it is not copied out and in every step.
 */
export function ensureResident(s: Storage, fn: string): Storage {
  if (s.owner !== 'spilled') return s;
  s.ptr = s.backend.heap.alloc(s.words, fn);
  s.backend.restore(s.ptr, s.spilled!);
  s.spilled = null;
  if (s.spills > 1) s.persist();
  else lifetimes.place(s);
  return s;
}

/**
 * Makes a storage persistent where it is (no copy: ownership changes): keep(), tensors that must
 * not move (a leaf that requires grad, a module buffer, a storage a compiled program captured).
 */
export function makePersistent(s: Storage, fn: string): void {
  if (s.owner === 'borrowed') s.spill(); // a compiled program's block: this tensor gets its own
  ensureResident(s, fn);
  if (Array.isArray(s.owner) && lifetimes.owns(s.owner)) s.persist();
}

/**
 * Hands a persistent storage over to the current step, as if it were an op result: used for a
 * leaf's gradient when it is replaced or cleared (`t.grad = null`, zeroGrad), so a training loop
 * that clears gradients every step stays flat without waiting for the garbage collector. A
 * gradient the user never read through `t.grad` is freed without a copy when its step is retired.
 */
export function demote(s: Storage): void {
  if (s.owner !== 'persistent' || !s.alive) return;
  s.unpersist();
  lifetimes.place(s);
  if (!s.exposed) s.graphOnly = SCRATCH;
}
