/**
 * The heap allocator of a backend: word offsets into its memory handed out in size-class bins, so
 * a step that allocates the sizes of the previous one reuses exactly its blocks (memory stays flat).
 * Every heap spans at most HEAP_LIMIT_WORDS words: a request beyond it, or one the engine cannot
 * provide, is an OutOfMemoryError naming the sizes, raised before anything changes.
 */
import { OutOfMemoryError, fmtBytes } from '../errors.js';

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
