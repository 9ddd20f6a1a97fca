import type { Heap } from '../heap.js';
import type { DType } from '../../ops/types.js';

export type BackendName = 'wasm' | 'reference';

/**
 * A block's words copied to the JS heap, bit for bit: int32 words on WASM, the float64 words of the
 * reference. Blocks up to SMALL_WORDS are copied into a plain array, allocated in the garbage
 * collector's young generation, where a typed array would get a backing store of its own to
 * allocate and free (a few small results are spilled every eager step; docs/internals.md,
 * "Memory and lifetimes", has the measurements). Large blocks (a dataset) are copied with slice.
 */
export type HostWords = Int32Array | Float64Array | number[];

const SMALL_WORDS = 4096;

/** A HostWords copy of n words of `view` at ptr. */
export function saveWords(view: Int32Array | Float64Array, ptr: number, n: number): HostWords {
  if (n > SMALL_WORDS) return view.slice(ptr, ptr + n);
  const words = new Array<number>(n);
  for (let k = 0; k < n; k++) words[k] = view[ptr + k];
  return words;
}

/** The first `into.length` saved words, in `into`. */
export function savedInto<T extends Int32Array | Float64Array>(words: HostWords, into: T): T {
  if (Array.isArray(words)) for (let k = 0; k < into.length; k++) into[k] = words[k];
  else into.set(words.subarray(0, into.length));
  return into;
}

/**
 * What an execution backend provides. Both backends execute the same instruction records
 * (src/ops/types.ts) over their own heap; the TS layer plans memory through `heap`.
 */
export interface Backend {
  readonly name: BackendName;
  readonly heap: Heap;
  write(ptr: number, data: ArrayLike<number>, dtype: DType): void;
  /** A copy of n elements: Float32Array/Int32Array on WASM, Float64Array on the reference. */
  read(ptr: number, n: number, dtype: DType): Float32Array | Int32Array | Float64Array;
  fill(ptr: number, n: number, value: number, dtype: DType): void;
  /** A bit-exact copy of n words (a spilled storage's contents, whatever its dtype). */
  save(ptr: number, n: number): HostWords;
  /** Writes back words `save` copied. */
  restore(ptr: number, words: HostWords): void;
  /** The first n values of saved words, as read() would have returned them. */
  readSaved(words: HostWords, n: number, dtype: DType): Float32Array | Int32Array | Float64Array;
  /**
   * Runs `recs` in order, in one interpreter call: each record's forward kernel, or its backward
   * kernel when flagged FLAG_BACKWARD (skipped when GOUT is 0). `workspace`: scratch words needed;
   * `fn`: what the user called (an op, 'backward', 'compile'), named by an error raised on the way.
   */
  run(recs: readonly Int32Array[], workspace: number, fn?: string): void;
  /** Index of the first NaN or ±Inf among the n float values at ptr, or -1 (wg.setDebug's check). */
  firstNonFinite(ptr: number, n: number): number;
}
