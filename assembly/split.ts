// Splitting a record across the worker pool by cutting it into sub-records (threads builds only:
// every caller sits under ASC_FEATURE_THREADS). A sub-record is a copy of the record describing a
// run of its items (elements, or indices of its outermost dim): its tensor pointers advance by the
// run's start, its item count and N shrink to the run, and the op's own kernel runs on it
// unchanged. So a part performs, for each element it owns, exactly the float operations of the
// single-thread kernel in the same order, and results are bit-identical for any thread count, as
// long as the cut keeps every element on the path (SIMD body or scalar tail) it takes in the whole:
// runs start at multiples of 16 elements along a contiguous row, or at whole rows.
//
// An op opts in by declaring `split` in the op table (src/ops/types.ts): the generated dispatch
// (scripts/gen-ops.ts) then calls splitFlat / splitRows / splitOuter with the op's own kernel and
// threshold, and runs the kernel on the whole record when they return false. Used for maps
// (elementwise.ts, math.ts), reductions over many segments (reduce.ts), optimizer updates
// (optim.ts) and fills; never for a kernel that draws from the random stream (sequential).
import { partFrom, poolRun, poolThreads, setTaskArg, taskArg, taskPtr } from './pool';
import { AUX, field, FLAG_BACKWARD, GIN, GOUT, IN, inIndex, N, NIN, numel, OPCODE, OUT, P, param, ptr, REC_WORDS } from './record';
import { MAX_INPUTS } from './generated/contract';

/** A kernel of the op table (f32_<name>_fwd / _bwd), run on a sub-record. */
export type Kernel = (rec: usize) => void;

// Argument words (pool.ts taskArg) of a cut job. SHIFT + k: elements the pointer word OUT + k
// (OUT, IN0..3, GOUT, GIN0..3, AUX0..1 are consecutive words) advances per item.
const A_REC = 0, A_KERNEL = 1, A_COUNT = 2, A_ALIGN = 3, A_PER = 4, A_DIM = 5, A_SHIFT = 6;
const POINTERS = AUX + 2 - OUT;

/** Work big enough to split, with a pool to split it across (and not already inside a job). */
@inline function pays(count: i32, work: i32, min: i32): bool {
  return poolThreads() > 1 && count > 1 && work >= min;
}

/** Posts the cut job and runs it; its shifts are set by the caller. */
@inline function post(rec: usize, kernel: Kernel, count: i32, align: i32, per: i32, dim: i32): void {
  setTaskArg(A_REC, <i32>rec);
  setTaskArg(A_KERNEL, <i32>changetype<usize>(kernel));
  setTaskArg(A_COUNT, count);
  setTaskArg(A_ALIGN, align);
  setTaskArg(A_PER, per);
  setTaskArg(A_DIM, dim);
  // The main instance's part builds its sub-record in a static slot (the workers' in their scratch).
  poolRun(cutTask, memory.data(REC_WORDS << 2, 64));
}

@inline function shift(word: i32, per: i32): void {
  setTaskArg(A_SHIFT + word - OUT, per);
}

/**
 * A flat record (every tensor pointer but AUX addresses N contiguous elements: maps, updates,
 * fills) of at least `min` elements: runs `kernel` across the pool on runs of whole 16-float blocks
 * and returns true, or returns false (nothing done) when it stays inline. AUX (an update's
 * coefficients) is shared, not cut.
 */
export function splitFlat(rec: usize, kernel: Kernel, min: i32): bool {
  const n = numel(rec);
  if (!pays(n, n, min)) return false;
  for (let w = OUT; w < AUX; w++) shift(w, 1);
  for (let w = AUX; w < OUT + POINTERS; w++) shift(w, 0);
  post(rec, kernel, n, 16, 1, -1);
  return true;
}

/**
 * A broadcasting record (params [rank, shape[rank], strides of each input[rank], ...], as
 * elementwise.ts reads them) of at least `min` output elements: cut along its outermost dim, each
 * input (and its gradient) advancing by its own stride there. With one dim that dim is the
 * contiguous row, cut at multiples of 16; with more, whole rows go together. A backward record
 * stays whole when an input's gradient is summed over the output (broadcast): parts would add into
 * the same elements.
 */
export function splitRows(rec: usize, kernel: Kernel, min: i32): bool {
  const rank = param(rec, 0), dim0 = param(rec, 1), n = numel(rec);
  if (!pays(dim0, n, min)) return false;
  const per = n / dim0, nin = field(rec, NIN);
  if (field(rec, OPCODE) & FLAG_BACKWARD) for (let k = 0; k < nin; k++) if (ptr(rec, GIN + k) != 0 && broadcast(rec, k)) return false;
  for (let w = OUT; w < OUT + POINTERS; w++) shift(w, 0);
  shift(OUT, per);
  shift(GOUT, per);
  for (let k = 0; k < nin; k++) {
    const stride = param(rec, 1 + rank * (k + 1));
    shift(IN + k, stride);
    shift(GIN + k, stride);
  }
  post(rec, kernel, dim0, rank == 1 ? 16 : 1, per, 1);
  return true;
}

/** Is input k of a broadcast plan broadcast along some dim (a zero stride on a dim longer than 1)? */
@inline function broadcast(rec: usize, k: i32): bool {
  const rank = param(rec, 0), at = 1 + rank * (k + 1);
  for (let j = 0; j < rank; j++) if (param(rec, at + j) == 0 && param(rec, 1 + j) > 1) return true;
  return false;
}

/**
 * A record viewing its input as [outer, d, inner] (P0..P2, reduce.ts) with at least `min` input
 * elements: every segment is reduced whole by one part. Cut along outer when there are enough
 * segment blocks to balance the parts: the input and its gradient advance by d·inner per item, the
 * output, its gradient and AUX by N / outer (per-segment results, or input-shaped ones such as
 * softmax's output), AUX by d·inner when `auxInput` (cross-entropy's saved softmax). Otherwise
 * (outer small, inner long: a reduction over a tensor's first dim) cut along inner, at multiples
 * of 16 columns: every buffer holds column i of a block at +i, so all pointers advance by the
 * part's first column, and the part keeps the whole record's row stride (innerStride).
 */
export function splitOuter(rec: usize, kernel: Kernel, min: i32, auxInput: bool = false): bool {
  const outer = param(rec, 0), d = param(rec, 1), inner = param(rec, 2), block = d * inner;
  if (outer >= OUTER_PER_THREAD * poolThreads() || inner < 32) {
    if (!pays(outer, outer * block, min)) return false;
    const per = numel(rec) / outer;
    for (let w = OUT; w < OUT + POINTERS; w++) shift(w, per);
    shift(IN, block);
    shift(GIN, block);
    if (auxInput) for (let w = AUX; w < OUT + POINTERS; w++) shift(w, block);
    post(rec, kernel, outer, 1, per, 0);
    return true;
  }
  if (!pays(inner, outer * block, min)) return false;
  for (let w = OUT; w < OUT + POINTERS; w++) shift(w, 1);
  // N is (output elements per column)·inner for every op of this view.
  post(rec, kernel, inner, 16, numel(rec) / inner, 2);
  return true;
}

/**
 * Segment blocks per thread from which splitOuter cuts along outer: with fewer, whole blocks would
 * leave the parts unbalanced (3 blocks on 2 threads: 2 and 1), so long rows are cut by columns.
 */
const OUTER_PER_THREAD = 4;

// The sub-record a part runs after an inner cut (its address: the static slot or a worker's scratch,
// never a record of the tape) and the whole record's inner, which stays its row stride while P2
// shrinks to the part's columns. Per instance (each part sets its own before running the kernel).
let innerCut: usize = 0;
let innerCutStride: i32 = 0;

/**
 * The number of elements between rows of the [outer, d, inner] view of `rec` whose P2 is `inner`:
 * inner itself, except in a sub-record of an inner cut (threads builds only), whose P2 counts its
 * columns. reduce.ts's segment walks read it, so whole records and parts run one body.
 */
@inline export function innerStride(rec: usize, inner: i32): i32 {
  if (ASC_FEATURE_THREADS) if (rec == innerCut) return innerCutStride;
  return inner;
}

/**
 * A part of a cut job (pool.ts Task): items [from, to) of the record, as a sub-record written at ws
 * (REC_WORDS words: the main instance's static slot, or the worker's scratch) and run by the kernel.
 */
function cutTask(part: i32, parts: i32, ws: usize): void {
  const count = taskArg(A_COUNT), align = taskArg(A_ALIGN);
  const from = partFrom(count, part, parts, align), to = partFrom(count, part + 1, parts, align);
  if (from >= to) return;
  const rec = taskPtr(A_REC);
  memory.copy(ws, rec, REC_WORDS << 2);
  for (let k = 0; k < POINTERS; k++) {
    const at = <usize>(OUT + k) << 2, p = load<i32>(rec + at);
    if (p != 0) store<i32>(ws + at, p + from * taskArg(A_SHIFT + k)); // 0 = no buffer stays 0
  }
  // A flat record's inputs past the fixed slots (updates with five buffers: amsgrad, centered
  // RMSprop with momentum) sit at the record's end and advance as IN0..3 do.
  if (taskArg(A_DIM) < 0)
    for (let k = MAX_INPUTS; k < field(rec, NIN); k++) {
      const at = <usize>inIndex(k) << 2, p = load<i32>(rec + at);
      if (p != 0) store<i32>(ws + at, p + from);
    }
  store<i32>(ws + (<usize>N << 2), (to - from) * taskArg(A_PER));
  const dim = taskArg(A_DIM);
  if (dim >= 0) store<i32>(ws + (<usize>(P + dim) << 2), to - from);
  // An inner cut (dim 2 of the segment view) keeps the whole record's inner as the row stride.
  innerCut = dim == 2 ? ws : 0;
  innerCutStride = param(rec, 2);
  changetype<Kernel>(taskPtr(A_KERNEL))(ws);
}
