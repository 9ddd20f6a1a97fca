import type { Heap } from '../memory.js';
import type { DType } from '../ops/types.js';

export type BackendName = 'wasm' | 'reference';

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
  /** Runs the forward kernels of `recs` in order. `workspace`: scratch words the kernels need. */
  run(recs: readonly Int32Array[], workspace: number): void;
  /** Runs the backward kernels of `recs` in reverse order, skipping records whose GOUT is 0. */
  runBackward(recs: readonly Int32Array[], workspace: number): void;
}
