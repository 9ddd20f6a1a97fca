/**
 * The float64 reference backend: the op table's plain-TS kernels over a Float64Array heap.
 * Same records, same pointers (word indices) as WASM, so it is a drop-in interpreter and the
 * oracle every WASM result is checked against.
 */
import { BackendError } from '../../errors.js';
import { GrowingBlock, Heap } from '../heap.js';
import { FLAG_BACKWARD, OPCODE_MASK, R, type DType } from '../../ops/types.js';
import { OPS } from '../../ops/index.js';
import { nextU32 } from '../../random.js';
import { saveWords, savedInto, type Backend, type HostWords } from './types.js';

export class ReferenceBackend implements Backend {
  readonly name = 'reference' as const;
  readonly heap: Heap;
  private h = new Float64Array(1 << 16);
  private readonly ws: GrowingBlock;

  constructor() {
    // Word 0 stays unused so that pointer 0 can mean "none" in records.
    this.heap = new Heap(16, (end) => this.ensure(end));
    this.ws = new GrowingBlock(this.heap);
  }

  /** Grows the heap to at least `end` words (doubling, else exactly `end`); false if the engine cannot. */
  private ensure(end: number): boolean {
    if (end <= this.h.length) return true;
    let n = this.h.length;
    while (n < end) n *= 2;
    for (const words of n > end ? [n, end] : [n]) {
      let bigger: Float64Array<ArrayBuffer>;
      try {
        bigger = new Float64Array(words);
      } catch (e) {
        if (e instanceof RangeError) continue; // "Array buffer allocation failed": try the exact size
        throw e;
      }
      bigger.set(this.h);
      this.h = bigger;
      return true;
    }
    return false;
  }

  write(ptr: number, data: ArrayLike<number>, dtype: DType): void {
    if (dtype === 'int32') for (let i = 0; i < data.length; i++) this.h[ptr + i] = data[i] | 0;
    else this.h.set(data, ptr);
  }

  read(ptr: number, n: number): Float64Array {
    return this.h.slice(ptr, ptr + n);
  }

  save(ptr: number, n: number): HostWords {
    return saveWords(this.h, ptr, n);
  }

  restore(ptr: number, words: HostWords): void {
    this.h.set(words, ptr);
  }

  readSaved(words: HostWords, n: number): Float64Array {
    return savedInto(words, new Float64Array(n));
  }

  fill(ptr: number, n: number, value: number): void {
    this.h.fill(value, ptr, ptr + n);
  }

  firstNonFinite(ptr: number, n: number): number {
    for (let i = 0; i < n; i++) if (!Number.isFinite(this.h[ptr + i])) return i;
    return -1;
  }

  run(recs: readonly Int32Array[], workspace: number, fn = 'run'): void {
    const ws = this.ws.ensure(workspace, workspace, fn);
    for (const r of recs) {
      const code = r[R.OPCODE];
      const op = OPS[code & OPCODE_MASK];
      if (op === undefined) throw new BackendError(fn, `unknown opcode ${code & OPCODE_MASK} (internal)`);
      r[R.WS] = ws;
      if (!(code & FLAG_BACKWARD)) op.ref.fwd(this.h, r, nextU32);
      else if (r[R.GOUT] !== 0) {
        if (op.ref.bwd === undefined) throw new BackendError(fn, `op '${op.name}' has no backward kernel (internal)`);
        op.ref.bwd(this.h, r, nextU32);
      }
    }
  }
}
