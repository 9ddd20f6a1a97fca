// The tape interpreter: walks a range of instruction records, dispatching on the opcode.
// Forward runs records in order; backward runs them in reverse, skipping records with no output
// gradient (GOUT = 0). Dispatch (one switch) is generated from the TS op table: generated/ops.ts.
import { arenaReset } from './arena';
import { dispatchBackward, dispatchForward, OPCODE_COUNT } from './generated/ops';
import { field, GOUT, OPCODE, REC_WORDS } from './record';

export function run(tape: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) {
    const rec = tape + ((<usize>i * REC_WORDS) << 2);
    arenaReset(rec);
    dispatchForward(field(rec, OPCODE), rec);
  }
}

export function runBackward(tape: usize, from: i32, to: i32): void {
  for (let i = to - 1; i >= from; i--) {
    const rec = tape + ((<usize>i * REC_WORDS) << 2);
    if (field(rec, GOUT) == 0) continue;
    arenaReset(rec);
    dispatchBackward(field(rec, OPCODE), rec);
  }
}

/** First byte after the module's static data: the TS allocator owns memory above it. */
export function heapBase(): usize {
  return __heap_base;
}

export function recordWords(): i32 {
  return REC_WORDS;
}

export function opcodeCount(): i32 {
  return OPCODE_COUNT;
}

export function simd(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}
