// Scratch arena for kernels: a bump allocator over the workspace block whose address the backend
// puts in each record (WS). Reset before every record; 64-byte aligned blocks (cache lines, SIMD).
// The TS op table declares each op's workspace size, so the block is always large enough.
import { ptr, WS } from './record';

let top: usize = 0;

export function arenaReset(rec: usize): void {
  top = ptr(rec, WS);
}

/** A scratch block of `bytes`, valid until the next record runs. */
export function arenaAlloc(bytes: usize): usize {
  const p = (top + 63) & ~(<usize>63);
  top = p + bytes;
  return p;
}
