// Scratch arena for kernels: a bump allocator over the workspace block whose address the backend
// puts in each record (WS). Reset before every record; ALIGN_BYTES-aligned blocks (cache lines, SIMD).
// The record also carries its bound, WS_WORDS (the op's plan().workspace). Every block is counted
// as the planner counts it (src/ops/contract.ts): ALIGN_WORDS of alignment slack plus its words,
// which bounds the bytes actually used whatever the block's alignment. A record asking for more
// than its bound aborts before anything is written: an under-estimated workspace is an error, not
// silent corruption of the memory after the block. The check is one compare per allocation, a
// few per record, so it is always on: both builds side by side in one process showed no
// difference beyond the noise (matmul 8×16×16 1.49 vs 1.49 µs, a direct conv forward + backward
// 168.9 vs 167.4 µs, 256³ GEMMs within ±20% run-to-run on a loaded 2-core machine).
import { ALIGN_BYTES, ALIGN_WORDS } from './generated/contract';
import { field, ptr, WS, WS_WORDS } from './record';

let top: usize = 0;
let running: usize = 0;
let demand: usize = 0;

export function arenaReset(rec: usize): void {
  running = rec;
  top = ptr(rec, WS);
  demand = 0;
}

/** A scratch block of `bytes`, valid until the next record runs. */
export function arenaAlloc(bytes: usize): usize {
  demand += <usize>ALIGN_WORDS + ((bytes + 3) >> 2);
  // The backend reads the record (arenaRecord) and the demand to name the op and both sizes.
  if (demand > <usize>field(running, WS_WORDS)) abort('wasmgrad: kernel scratch overflow');
  const p = (top + ALIGN_BYTES - 1) & ~(<usize>(ALIGN_BYTES - 1));
  top = p + bytes;
  return p;
}

/** Words of scratch the last record run has taken, counted as the planner counts them. */
export function arenaDemand(): i32 {
  return <i32>demand;
}

/** Byte address of the last record run (the one that aborted, after an overflow). */
export function arenaRecord(): usize {
  return running;
}
