// The instruction record, as laid out by src/ops/types.ts (R): REC_WORDS int32 words.
// Pointers in records are word indices (4-byte units); `ptr` turns them into byte addresses.
export const REC_WORDS: i32 = 64;
/** In the OPCODE word: run the op's backward kernel (src/ops/types.ts FLAG_BACKWARD). */
export const FLAG_BACKWARD: i32 = 1 << 16;
/** Bit FLAG_OVERWRITE << i: the backward kernel writes GIN + i instead of adding (src/ops/types.ts). */
export const FLAG_OVERWRITE: i32 = 1 << 17;
export const OPCODE: i32 = 0;
export const NIN: i32 = 1;
export const OUT: i32 = 2;
export const IN: i32 = 3;
export const GOUT: i32 = 7;
export const GIN: i32 = 8;
export const AUX: i32 = 12;
export const WS: i32 = 14;
export const N: i32 = 15;
export const P: i32 = 16;

/** An int32 field of the record. */
@inline export function field(rec: usize, k: i32): i32 {
  return load<i32>(rec + (<usize>k << 2));
}

/** A pointer field as a byte address (0 stays 0: "no buffer"). */
@inline export function ptr(rec: usize, k: i32): usize {
  return <usize>load<u32>(rec + (<usize>k << 2)) << 2;
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
