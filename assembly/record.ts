// The instruction record: REC_WORDS int32 words laid out by src/ops/contract.ts, whose constants
// scripts/gen-ops.ts emits into generated/contract.ts (re-exported here for the kernels).
// Pointers in records are word indices (4-byte units); `ptr` turns them into byte addresses.
import { FLAG_OVERWRITE, GIN, IN, MAX_INPUTS, N, OPCODE, P, REC_WORDS } from './generated/contract';

export {
  AUX, FLAG_BACKWARD, FLAG_OVERWRITE, GIN, GOUT, IN, N, NIN, OPCODE, OPCODE_MASK, OUT, P, REC_WORDS, WS, WS_WORDS,
} from './generated/contract';

/** An int32 field of the record. */
@inline export function field(rec: usize, k: i32): i32 {
  return load<i32>(rec + (<usize>k << 2));
}

/** A pointer field as a byte address (0 stays 0: "no buffer"). */
@inline export function ptr(rec: usize, k: i32): usize {
  return <usize>load<u32>(rec + (<usize>k << 2)) << 2;
}

/**
 * Input i's pointer (inIndex) and its gradient's (ginIndex) as record words, as contract.ts
 * inWord/ginWord: IN + i and GIN + i for the first MAX_INPUTS, then pairs from the record's end
 * (variadic ops).
 */
@inline export function inIndex(i: i32): i32 {
  return i < MAX_INPUTS ? IN + i : REC_WORDS - 1 - 2 * (i - MAX_INPUTS);
}
@inline export function ginIndex(i: i32): i32 {
  return i < MAX_INPUTS ? GIN + i : REC_WORDS - 2 - 2 * (i - MAX_INPUTS);
}

/** Kernel parameter k (int32). */
@inline export function param(rec: usize, k: i32): i32 {
  return load<i32>(rec + (<usize>(P + k) << 2));
}

/** Kernel parameter k holding float32 bits. */
@inline export function paramf(rec: usize, k: i32): f32 {
  return load<f32>(rec + (<usize>(P + k) << 2));
}

/** Does this backward record write GIN + i (FLAG_OVERWRITE) rather than add into it? */
@inline export function overwrites(rec: usize, i: i32): bool {
  return (field(rec, OPCODE) & (FLAG_OVERWRITE << i)) != 0;
}

/** Number of output elements. */
@inline export function numel(rec: usize): i32 {
  return load<i32>(rec + (<usize>N << 2));
}
