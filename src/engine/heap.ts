/**
 * The heap allocator of a backend: word offsets into its memory handed out in size-class bins, so
 * a step that allocates the sizes of the previous one reuses exactly its blocks (memory stays flat).
 * Every heap spans at most HEAP_LIMIT_WORDS words: a request beyond it, or one the engine cannot
 * provide, is an OutOfMemoryError naming the sizes, raised before anything changes. Before that, a
 * request the top cannot take is cut from a free block of a larger class, so memory a huge tensor
 * once took (an evaluation batch, a failed op's first buffer) serves smaller ones afterwards.
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

/** The largest size class of at most `words` words (a multiple of 16, at least 16). */
function classAtMost(words: number): number {
  if (words <= 16384) return words;
  const step = 2 ** (Math.floor(Math.log2(words)) - 3);
  return Math.floor(words / step) * step;
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
      const end = this.top + size;
      const full = end > this.limitWords;
      if (!full && this.ensure(end)) [p, this.top] = [this.top, end];
      else if ((p = this.carve(size)) < 0)
        throw new OutOfMemoryError(
          fn,
          words * 4,
          this.limitWords * 4,
          full ? `${fmtBytes(this.inUse * 4)} in use` : `the JavaScript engine could not grow the heap to ${fmtBytes(end * 4)}`,
        );
    }
    this.inUse += size;
    return p;
  }

  free(ptr: number, words: number): void {
    const size = sizeClass(words);
    this.inUse -= size;
    this.release(ptr, size);
  }

  private release(ptr: number, size: number): void {
    let bin = this.bins.get(size);
    if (bin === undefined) this.bins.set(size, (bin = []));
    bin.push(ptr);
  }

  /**
   * A block of class `size` cut from the front of the smallest free block of a larger class; the
   * rest goes back to the bins as blocks of the largest classes that fit (each takes at least 7/8
   * of what is left, so a few). −1 when no free block is larger.
   */
  private carve(size: number): number {
    let from = 0;
    for (const [s, bin] of this.bins) if (s > size && bin.length > 0 && (from === 0 || s < from)) from = s;
    if (from === 0) return -1;
    const p = this.bins.get(from)!.pop()!;
    for (let at = p + size, left = from - size; left >= 16;) {
      const piece = classAtMost(left);
      this.release(at, piece);
      at += piece;
      left -= piece;
    }
    return p;
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
