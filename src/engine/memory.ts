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
import { OutOfMemoryError, fmtBytes } from '../errors.js';
import { recorder } from '../compile/recorder.js';

/** Size classes: multiples of 16 words (64 bytes, a cache line and a SIMD-friendly alignment);
 * above 64 KiB, eighths of a power of two, so similar sizes share blocks. */
export function sizeClass(words: number): number {
  const w = Math.max(16, Math.ceil(words / 16) * 16);
  if (w <= 16384) return w;
  const step = 2 ** (Math.floor(Math.log2(w)) - 3);
  return Math.ceil(w / step) * step;
}

/**
 * The most words a heap spans: 2³⁰, the 4 GiB of a 32-bit WebAssembly memory (65536 pages, the
 * module's maximum) in 4-byte words. The reference backend keeps the same limit, in words, so both
 * backends accept and refuse the same tensors with the same message (its float64 words take
 * 8 GiB at that size).
 */
export const HEAP_LIMIT_WORDS = 2 ** 30;

export class Heap {
  private top: number;
  private readonly bins = new Map<number, number[]>();
  /** Words currently handed out (for tests of flat memory). */
  inUse = 0;

  /**
   * @param ensure makes the backend's memory span `endWord` words; false when the engine cannot
   *               (nothing changed then).
   */
  constructor(
    base: number,
    private readonly ensure: (endWord: number) => boolean,
    readonly limitWords = HEAP_LIMIT_WORDS,
  ) {
    this.top = Math.ceil(base / 16) * 16;
  }

  /** A block of at least `words` words; `fn` names the caller in an OutOfMemoryError. */
  alloc(words: number, fn = 'alloc'): number {
    const size = sizeClass(words);
    const bin = this.bins.get(size);
    let p: number;
    if (bin !== undefined && bin.length > 0) p = bin.pop()!;
    else {
      p = this.top;
      const oom = (why: string) => new OutOfMemoryError(fn, words * 4, this.limitWords * 4, why);
      if (p + size > this.limitWords) throw oom(`${fmtBytes(this.inUse * 4)} in use`);
      if (!this.ensure(p + size)) throw oom(`the JavaScript engine could not grow the heap to ${fmtBytes((p + size) * 4)}`);
      this.top = p + size;
    }
    this.inUse += size;
    return p;
  }

  free(ptr: number, words: number): void {
    const size = sizeClass(words);
    this.inUse -= size;
    let bin = this.bins.get(size);
    if (bin === undefined) this.bins.set(size, (bin = []));
    bin.push(ptr);
  }

  /** End of the highest block ever handed out, in words: the heap's footprint. */
  get highWater(): number {
    return this.top;
  }
}

/** A block of a heap reused across runs (kernel workspace, the WASM tape), grown on demand. */
export class GrowingBlock {
  ptr = 0;
  words = 0;
  constructor(private readonly heap: Heap) {}

  /** The block's pointer, reallocated first if it has fewer than `words` words (`fn`: the caller, for errors). */
  ensure(words: number, grow = words, fn = 'alloc'): number {
    if (words > this.words) {
      const size = Math.max(words, grow);
      // Allocated before the old block is freed: a failure leaves the block as it was.
      const ptr = this.heap.alloc(size, fn);
      if (this.words > 0) this.heap.free(this.ptr, this.words);
      this.ptr = ptr;
      this.words = size;
    }
    return this.ptr;
  }
}

type OwnerList = Storage[];
export type Owner = 'persistent' | OwnerList;

export class Storage {
  alive = true;
  /** Bumped by in-place writes; autodiff checks saved inputs were not modified. */
  version = 0;
  /** Number of Tensor handles registered for finalization (persistent storages only). */
  refs = 0;
  /** Step in which it was recycled (for the error message). */
  diedAt = -1;

  constructor(
    readonly backend: Backend,
    readonly ptr: number,
    readonly words: number,
    public owner: Owner,
    /** What made it: op name or creation function, for error messages. */
    readonly label: string,
    /** Step it was made in. */
    readonly born: number,
  ) {}

  release(): void {
    if (!this.alive) return;
    this.alive = false;
    this.diedAt = lifetimes.step;
    this.backend.heap.free(this.ptr, this.words);
  }
}

/** Step generations and noGrad scopes. */
class Lifetimes {
  step = 0;
  private current: OwnerList = [];
  private previous: OwnerList = [];
  private readonly scopes: OwnerList[] = [];

  transientOwner(): OwnerList {
    return this.scopes.length > 0 ? this.scopes[this.scopes.length - 1] : this.current;
  }

  /** Called when backward() finishes: recycle step k-1, keep step k valid for one more step. */
  endStep(): void {
    recycle(this.previous);
    this.previous = this.current;
    this.current = [];
    this.step++;
  }

  openScope(): void {
    this.scopes.push([]);
  }

  /** Recycle a scope's blocks except `survivors`, which move to the enclosing owner. */
  closeScope(survivors: Set<Storage>): void {
    const scope = this.scopes.pop()!;
    const parent = this.transientOwner();
    for (const s of scope) {
      if (s.owner !== scope) continue;
      if (survivors.has(s)) {
        s.owner = parent;
        parent.push(s);
      } else s.release();
    }
  }
}

function recycle(list: OwnerList): void {
  for (const s of list) if (s.owner === list) s.release();
  list.length = 0;
}

export const lifetimes = new Lifetimes();

/** A block owned by the current step (or noGrad scope); `fn` names the caller in an OutOfMemoryError. */
export function allocTransient(be: Backend, words: number, label: string, fn = label): Storage {
  // Inside wg.compile: traced blocks are pinned to the program, replays reuse them.
  if (recorder.mode === 'patch') return recorder.recordedAlloc(words);
  const owner = recorder.mode === 'trace' ? recorder.program!.owned : lifetimes.transientOwner();
  const s = new Storage(be, be.heap.alloc(words, fn), words, owner, label, lifetimes.step);
  owner.push(s);
  if (recorder.mode === 'trace') recorder.traceAlloc(s);
  return s;
}

/**
 * A block for creation functions and optimizer state. Inside a compiled function, creating tensors
 * is JavaScript a replay cannot repeat (the program then re-runs the JS every call), except for
 * `state` (optimizer buffers made at the first step, then reused).
 */
export function allocPersistent(be: Backend, words: number, label: string, state = false, fn = label): Storage {
  const s = new Storage(be, be.heap.alloc(words, fn), words, 'persistent', label, lifetimes.step);
  if (recorder.mode !== 'off' && !state) recorder.slow(`a tensor is created inside the function (${label})`);
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
