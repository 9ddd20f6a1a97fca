// The tape interpreter: walks a range of instruction records in order, dispatching on the opcode.
// A record flagged FLAG_BACKWARD runs its op's backward kernel (skipped when it has no output
// gradient, GOUT = 0); autodiff and wg.compile lay a backward pass out as such records in reverse
// order, so forward, backward and optimizer updates can run in one call. Dispatch (one switch) is
// generated from the TS op table: generated/ops.ts, with tableHash(), which init checks.
import { arenaReset } from './arena';
import { dispatchBackward, dispatchForward } from './generated/ops';
import { field, FLAG_BACKWARD, GOUT, OPCODE, OPCODE_MASK, REC_WORDS } from './record';
import { STREAM } from './kernels/shape';
import { poolActive } from './pool';

export { arenaDemand, arenaRecord } from './arena';
export { f32_first_nonfinite } from './debug';
export { tableHash } from './generated/ops';

export function run(tape: usize, from: i32, to: i32): void {
  if (ASC_FEATURE_THREADS) poolActive(true);
  for (let i = from; i < to; i++) {
    const rec = tape + ((<usize>i * REC_WORDS) << 2);
    const op = field(rec, OPCODE);
    if (op & FLAG_BACKWARD) {
      if (field(rec, GOUT) == 0) continue;
      arenaReset(rec);
      dispatchBackward(op & OPCODE_MASK, rec);
    } else {
      arenaReset(rec);
      dispatchForward(op, rec);
    }
  }
  if (ASC_FEATURE_THREADS) poolActive(false);
}

/** Byte address of the global random stream's 4 words (src/random.ts keeps a view of them). */
export function streamState(): usize {
  return STREAM;
}

/** First byte after the module's static data: the TS allocator owns memory above it. */
export function heapBase(): usize {
  return __heap_base;
}

export function simd(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

/**
 * Which of the three builds this is (asconfig.json targets), from the features it was compiled
 * with: 2 = relaxed SIMD (FMA), 1 = SIMD, 0 = scalar. src/engine/backend/wasm.ts reports it in wg.info().
 */
export function build(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 2 : ASC_FEATURE_SIMD ? 1 : 0;
}
