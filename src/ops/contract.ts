/**
 * The TS ↔ AssemblyScript contract, declared once: the instruction record's layout and flags, the
 * GEMM blocking and the direct-convolution tiles the kernels are compiled with, and the scratch
 * sizes the kernels allocate. Data and plain arithmetic only, importing nothing, so that
 * scripts/gen-ops.ts can read it without the runtime. The generator emits every constant of
 * CONTRACT into assembly/generated/contract.ts (the kernels import them from there) and a hash of
 * this contract and of the op table into assembly/generated/ops.ts; the WASM backend compares that
 * hash with contractHash() at init, so a module built from another version is refused.
 */

/** Input (and input-gradient) slots of a record, and saved-for-backward buffers. */
export const MAX_INPUTS = 4;
export const MAX_AUX = 2;
/** Words of one instruction record. */
export const REC_WORDS = 64;

/**
 * The record's fields in order, with their widths in words; P (the kernel parameters) takes the
 * rest. The offsets (R) follow from the widths: a field is added here and nowhere else.
 */
const FIELDS = {
  /** The opcode, with FLAG_BACKWARD and the FLAG_OVERWRITE bits. */
  OPCODE: 1,
  /** Number of inputs. */
  NIN: 1,
  /** Output pointer. */
  OUT: 1,
  /** Input pointers, IN + i. */
  IN: MAX_INPUTS,
  /** Output-gradient pointer; 0 = the backward interpreter skips this record. */
  GOUT: 1,
  /** Input-gradient pointers, GIN + i; 0 = input i receives no gradient. */
  GIN: MAX_INPUTS,
  /** Buffers the forward kernel fills for the backward one (arg-max, masks, statistics), AUX + j. */
  AUX: MAX_AUX,
  /** The kernel's scratch block, set by the backend right before running. */
  WS: 1,
  /** Words of that block the record may use (its plan's workspace): the arena's bound. */
  WS_WORDS: 1,
  /** Number of output elements. */
  N: 1,
} as const;

type Field = keyof typeof FIELDS | 'P';
/** Word offsets of the record's fields. Pointers are word indices (4-byte units) into the heap. */
export const R: { readonly [F in Field]: number } = (() => {
  const offsets: Partial<Record<Field, number>> = {};
  let at = 0;
  for (const [name, words] of Object.entries(FIELDS)) {
    offsets[name as Field] = at;
    at += words;
  }
  offsets.P = at;
  return offsets as Record<Field, number>;
})();
/** Kernel parameters a record holds (P + k, k < MAX_PARAMS): int32 words, or float32 bits. */
export const MAX_PARAMS = REC_WORDS - R.P;

/**
 * Variadic ops (cat, stack) take more than MAX_INPUTS inputs. Input i ≥ MAX_INPUTS keeps its
 * pointer and its gradient's pointer in a pair of words taken from the END of the record (input 4
 * in the last two words, input 5 in the two before, ...), so the slots are a function of i alone:
 * the engine, autodiff, the debug checks and wg.compile's recorder find every input pointer without
 * knowing the op. A record with nin inputs leaves its op paramRoom(nin) parameter words.
 */
export const inWord = (i: number): number => (i < MAX_INPUTS ? R.IN + i : REC_WORDS - 1 - 2 * (i - MAX_INPUTS));
export const ginWord = (i: number): number => (i < MAX_INPUTS ? R.GIN + i : REC_WORDS - 2 - 2 * (i - MAX_INPUTS));
export const paramRoom = (nin: number): number => MAX_PARAMS - 2 * Math.max(0, nin - MAX_INPUTS);
/** Every word of a record of nin inputs that can hold a buffer pointer. */
export function pointerWords(nin: number): number[] {
  const words = [R.OUT];
  for (let j = 0; j < MAX_AUX; j++) words.push(R.AUX + j);
  for (let i = 0; i < Math.max(nin, MAX_INPUTS); i++) words.push(inWord(i), ginWord(i));
  return words;
}

/** Set in the OPCODE word of a record that runs its op's backward kernel instead of the forward. */
export const FLAG_BACKWARD = 1 << 16;
/** The opcode bits of the OPCODE word. */
export const OPCODE_MASK = FLAG_BACKWARD - 1;
/**
 * Bit (FLAG_OVERWRITE << i) in the OPCODE word of a backward record: its kernel WRITES GIN + i
 * instead of adding into it, because this record is the first to reach that fresh gradient buffer
 * (which then needs no zero-fill). Set by autodiff only for ops declaring `overwritesGrad`, and
 * only where the buffer sits in no other GIN slot of the record (x·x keeps adding twice).
 */
export const FLAG_OVERWRITE = 1 << 17;

/** Scratch blocks are 64-byte aligned (cache lines, SIMD); the slack of one block, in words. */
export const ALIGN_BYTES = 64;
export const ALIGN_WORDS = ALIGN_BYTES / 4;

/**
 * GEMM blocking (assembly/kernels/gemm.ts): an MR×NR micro-tile, MC×KC blocks of op(A), KC×NC
 * panels of op(B). Up to UNPACKED_M rows of op(A) (op(B) not transposed) the micro-kernel reads
 * the operands in place; A·Bᵀ takes dot products from depth DOT_K on, or up to DOT_M rows; a packed
 * B panel of at most ROWS_FIRST_PANEL floats (16 KiB, half of L1) is walked by rows of tiles.
 * The cut-offs come from the sweep in docs/internals.md ("GEMM paths").
 */
export const GEMM = { MR: 4, NR: 8, MC: 64, KC: 256, NC: 1024, UNPACKED_M: 64, DOT_K: 32, DOT_M: 16, ROWS_FIRST_PANEL: 4096 } as const;

/**
 * Direct convolution tiles (assembly/kernels/conv.ts): DP output positions (two f32x4) × DO output
 * channels per forward tile, WO channels per weight-gradient tile; DIRECT_WORDS is the size of its
 * Direct struct (15 i32 fields and 4 pointers of a 32-bit module).
 */
export const CONV = { DP: 8, DO: 4, WO: 8, DIRECT_WORDS: 19 } as const;

/** Every constant the AS side is compiled with, by the name the generator gives it there. */
export const CONTRACT = {
  REC_WORDS,
  MAX_INPUTS,
  MAX_AUX,
  MAX_PARAMS,
  FLAG_BACKWARD,
  FLAG_OVERWRITE,
  OPCODE_MASK,
  ALIGN_BYTES,
  ALIGN_WORDS,
  ...R,
  ...GEMM,
  ...CONV,
} as const;

// ---- splitting records across the worker pool (assembly/split.ts, OpSpec.split) --------------
/**
 * Elements from which an op's record runs in parts across the pool (OpSpec.split.min), by the work
 * per element: a job costs ~10–15 µs (posting, waking, joining; measured with every record split),
 * so a record splits from ~60 µs of single-thread work. MAP: memory-bound maps, fills and SGD (relu
 * over 2¹⁸ floats took 69 µs); COSTLY: transcendental maps and softmax (exp over 2¹⁶: 95 µs, gelu
 * 242 µs); UPDATE: Adam, RMSprop, Adagrad (Adam over 2¹⁷: 82 µs); SUM: sums and extremes over many
 * segments (2¹⁹ input elements: ~38 µs, a sum is one add per element).
 */
export const SPLIT = { MAP: 1 << 18, COSTLY: 1 << 16, UPDATE: 1 << 17, SUM: 1 << 19 } as const;

// ---- scratch sizes ---------------------------------------------------------------------------
// A kernel that splits a record across the worker pool (assembly/pool.ts poolRun) takes one
// scratch block per part from the record's arena: its plan sizes that part by planThreads().

let threads = 1;

/** The most threads a worker pool of this process splits records across (1 without one): plans size per-part scratch by it. */
export function planThreads(): number {
  return threads;
}

/** Called when a pool of n threads starts (src/engine/backend/wasm.ts); only ever raises the count, since plans of other backends may still be replayed. */
export function setPlanThreads(n: number): void {
  threads = Math.max(threads, n);
}

// Words of scratch (plan().workspace) the kernels take from the arena (assembly/arena.ts), counted
// as the arena counts them: every arenaAlloc costs ALIGN_WORDS of alignment slack plus its words.
// The kernels allocate in the order these sums are written; the arena aborts a record that asks
// for more than its WS_WORDS, and test/contract.test.ts compares these sums with what the kernels
// of every build actually take.

const ceilTo = (x: number, m: number) => Math.ceil(x / m) * m;
/** One arena block of `words`. */
const block = (words: number) => ALIGN_WORDS + words;

/** argsort: the indices of one segment of d elements and the merge sort's second buffer. */
export function sortScratchWords(d: number): number {
  return 2 * block(d);
}

/** gemmScratch(nMax): the MR×NR edge tile, the packed MC×KC block of A, the packed KC×nc panel of B. */
export function gemmScratchWords(nMax: number): number {
  const { MR, NR, MC, KC, NC } = GEMM;
  return block(MR * NR + MC * KC + KC * Math.min(NC, ceilTo(nMax, NR)));
}

/**
 * Fused attention: backward's dS [L, S] of one batch and its products' gemm scratch, one of each
 * per part when a pool splits the record (assembly/kernels/attention.ts).
 */
export function attentionScratchWords(L: number, S: number, gemmColumns: number): number {
  return block(planThreads() * L * S) + planThreads() * gemmScratchWords(gemmColumns);
}

/** The column matrix of im2col ([C·kh·kw, OH·OW]; none for a pointwise conv) and its GEMMs' scratch. */
export function im2colScratchWords(ckk: number, ohw: number, pointwise: boolean, gemmColumns: number): number {
  return (pointwise ? 0 : block(ckk * ohw)) + gemmScratchWords(gemmColumns);
}

/**
 * direct(): the Direct struct, the tap offsets (one per C·kh·kw), and the zero-padded input planes
 * (hp×wp each) with the zeroed slack the last tile reads past them: DP positions, plus the last
 * tap's dw·(kw − 1).
 */
export function directInputWords(cin: number, hp: number, wp: number, kh: number, kw: number, dw: number): number {
  return block(CONV.DIRECT_WORDS) + block(cin * kh * kw) + paddedPlanesWords(cin, hp, wp, kw, dw);
}

/** direct()'s zero-padded input planes with the slack the last tile reads past them. */
function paddedPlanesWords(cin: number, hp: number, wp: number, kw: number, dw: number): number {
  return block(cin * hp * wp + CONV.DP + dw * (kw - 1));
}

/** directWeights()' output buffer: oh·wp padded-width positions, whole DP tiles, per channel (rounded up to DO). */
function directOutputWords(cout: number, oh: number, wp: number): number {
  return block(ceilTo(cout, CONV.DO) * ceilTo(oh * wp, CONV.DP));
}

/**
 * directWeights(): the weights packed DO output channels at a time, and the output buffer of
 * oh·wp padded-width positions rounded up to whole DP tiles, per channel.
 */
export function directWeightWords(cin: number, hp: number, wp: number, cout: number, kh: number, kw: number, dh: number): number {
  return block(ceilTo(cout, CONV.DO) * cin * kh * kw) + directOutputWords(cout, hp - dh * (kh - 1), wp);
}

/**
 * The direct kernels cut across a pool of `parts` threads (assembly/kernels/conv.ts; nothing for one
 * part). An image split (forward, input gradient: imageParts) gives every part but the first a copy
 * of the Direct struct with its own padded planes (as directInputWords') and output buffer (as
 * directWeightWords'), listed in a table of one word per part.
 */
export function directImagePartsWords(
  parts: number,
  cin: number,
  hp: number,
  wp: number,
  cout: number,
  kh: number,
  kw: number,
  dh: number,
  dw: number,
): number {
  if (parts <= 1) return 0;
  const part = block(CONV.DIRECT_WORDS) + paddedPlanesWords(cin, hp, wp, kw, dw) + directOutputWords(cout, hp - dh * (kh - 1), wp);
  return block(parts) + (parts - 1) * part;
}

/**
 * A weight-gradient split (weightGradSplit): output channels cut into runs of whole WO tiles, each
 * part a Direct struct of its channels with its own padded planes, Gᵀ and dWᵀ sums (at most
 * ⌈cout / (parts·WO)⌉·WO channels), listed in a table of three words per part.
 */
export function directWeightGradPartsWords(
  parts: number,
  cin: number,
  hp: number,
  wp: number,
  kh: number,
  kw: number,
  dw: number,
  ohw: number,
  cout: number,
): number {
  if (parts <= 1) return 0;
  const co = Math.ceil(cout / (parts * CONV.WO)) * CONV.WO;
  const part = block(CONV.DIRECT_WORDS) + paddedPlanesWords(cin, hp, wp, kw, dw) + block(ohw * co) + block(cin * kh * kw * co);
  return block(3 * parts) + parts * part;
}

/**
 * conv2d's per-image passes of the depthwise and im2col paths cut across `parts` threads
 * (assembly/kernels/conv.ts imageRuns; nothing for one part): a table of two words per part, and
 * per part a copy of the convolution's geometry (17 words) and `scratch` words of its own (a
 * padded plane or a column matrix; none for a pointwise conv).
 */
export function imageRunWords(parts: number, scratch: number): number {
  return parts > 1 ? block(2 * parts) + parts * (block(17) + (scratch ? block(scratch) : 0)) : 0;
}

/**
 * The depthwise weight gradient cut by channels across `parts` threads
 * (assembly/kernels/conv.ts depthwiseWeights; nothing for one part): a table of two words per
 * part, and per part a padded plane and its float64 sums, two words per tap.
 */
export function depthwiseWeightGradWords(parts: number, plane: number, taps: number): number {
  return parts > 1 ? block(2 * parts) + parts * (block(plane) + block(2 * taps)) : 0;
}

/**
 * The im2col weight gradient cut by taps across `parts` threads (assembly/kernels/conv.ts
 * colWeightGrad; nothing for one part, or for `taps` ≤ NR, one column group): per part a GEMM
 * scratch for the longest run of taps, ⌈taps / (parts·NR)⌉·NR columns. The parts' rows of the
 * column matrix are the record's own (im2colScratchWords).
 */
export function colWeightGradWords(parts: number, taps: number): number {
  if (parts <= 1 || taps <= GEMM.NR) return 0;
  return parts * gemmScratchWords(Math.min(taps, ceilTo(Math.ceil(taps / parts), GEMM.NR)));
}

/** The pools cut across `parts` threads (assembly/kernels/pool.ts planeSplit): part 0's narrowed copy of the record (nothing for one part). */
export function planeSplitWords(parts: number): number {
  return parts > 1 ? block(REC_WORDS) : 0;
}

/**
 * Group and layer norm's backward with a weight or bias cut across `parts` threads
 * (assembly/kernels/norm.ts groupNormSplit; nothing for one part): what dγ and dβ defer until the
 * join, the [C] partials of each per 16-row block (rows = N·G, S = 1), else two totals per row and
 * channel of its group (2·N·C).
 */
export function groupNormDeferWords(parts: number, N: number, C: number, S: number, G: number): number {
  if (parts <= 1) return 0;
  return block(S === 1 ? Math.ceil((N * G) / 16) * 2 * C : 2 * N * C);
}

/** The weight-gradient sums of the direct backward: Gᵀ per image and dWᵀ, channels padded to WO. */
export function directWeightGradWords(ohw: number, ckk: number, cout: number): number {
  const co = ceilTo(cout, CONV.WO);
  return block(ohw * co) + block(ckk * co);
}

/**
 * The depthwise kernels (assembly/kernels/depthwise.ts): the padded plane, hp × wp; the weight
 * gradient then adds its float64 sums, two words per tap.
 */
export function depthwiseWords(hp: number, wp: number, taps: number, weightGrad: boolean): number {
  return block(hp * wp) + (weightGrad ? block(2 * taps) : 0);
}

// ---- the hash init checks --------------------------------------------------------------------

/** What of an op the AS side is built from: its name (kernel names), arity, and whether it has a backward kernel. */
export interface OpSignature {
  readonly name: string;
  readonly arity: number;
  readonly gradInputs: readonly number[];
}

/**
 * 32-bit FNV-1a over a canonical text of the contract and the op table in opcode order (opcodes
 * are positions in the table, so the order is part of it). Computed by the generator, emitted into
 * the module, and recomputed at init from the same declarations: a mismatch means the module was
 * built from another version. Not cryptographic; it only has to change when the table does.
 */
export function contractHash(ops: readonly OpSignature[], contract: Readonly<Record<string, number>> = CONTRACT): number {
  const text = JSON.stringify([contract, ops.map((op) => [op.name, op.arity, op.gradInputs.length > 0])]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
