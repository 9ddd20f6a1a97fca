// The worker pool's control block (threads builds only: every use sits under ASC_FEATURE_THREADS,
// so the single-thread builds compile none of it). One instance, the main one, runs the tape
// interpreter and owns allocation; the workers (src/engine/backend/pool.ts) are instances of the
// same module over the same shared memory that only compute parts of a job on pointers given to
// them. A job is posted by writing its fields into the control block and bumping SEQ; each worker
// runs its part (poolWork in ../threads.ts) and adds 1 to DONE; the main instance runs part 0
// itself and then waits for DONE to reach threads − 1. No message passing per job: Atomics only.
//
// Control block (i32 words, allocated by the TS heap and handed over by poolSetup): SEQ and DONE
// sit on separate cache lines, so waiting workers polling SEQ do not bounce the line the finished
// ones write.
export const SEQ = 0;
export const KIND = 1;
/** First word of the job's own fields (gemm.ts: JOB_*). */
export const JOB = 2;
export const DONE = 32;
/** Set by a worker whose part failed (a trap): the main instance aborts after the join. */
export const FAILED = 33;
export const CTRL_WORDS = 48;

/** KIND: what the workers do with the job just posted. */
export const KIND_EXIT = 0;
export const KIND_GEMM = 1;

/**
 * Polls before sleeping: a job posted within this many loads of the previous one (back-to-back
 * GEMMs of one step) is picked up without the tens of microseconds a futex wake-up costs.
 */
const SPIN = 4096;

let ctrl: usize = 0;
let threads: i32 = 1;

/** Main instance: the control block's byte address and the thread count (main included). */
export function poolSetup(block: usize, n: i32): void {
  ctrl = block;
  threads = n;
  atomic.store<i32>(block + (SEQ << 2), 0);
  atomic.store<i32>(block + (DONE << 2), 0);
  atomic.store<i32>(block + (FAILED << 2), 0);
}

/** Worker instance: the control block to read jobs from (it never posts, so it keeps one thread). */
export function poolAttach(block: usize): void {
  ctrl = block;
}

/** Threads taking part in a job (1: no pool, everything inline). */
@inline export function poolThreads(): i32 {
  return threads;
}

/** The byte address of job word `w` of the control block. */
@inline export function jobWord(w: i32): usize {
  return ctrl + (<usize>(JOB + w) << 2);
}

/** Main instance: publishes the job whose fields are written (plain stores before the atomic add are visible to a worker that sees the new SEQ). */
export function poolPost(kind: i32): void {
  atomic.store<i32>(ctrl + (KIND << 2), kind);
  atomic.store<i32>(ctrl + (DONE << 2), 0);
  atomic.add<i32>(ctrl + (SEQ << 2), 1);
  atomic.notify(ctrl + (SEQ << 2));
}

/**
 * Main instance: returns once every worker has finished its part of the job posted last. It polls
 * (the panels are balanced, so it polls for about one panel's imbalance). A version sleeping in
 * memory.atomic.wait32 between polls hung now and then in Node 20 (V8 11.3) with DONE complete:
 * only in Liftoff code (--liftoff-only hangs, --no-liftoff never did), and not when the loop
 * re-read everything from globals after the wait, as if a local held across the wait were lost.
 * Since the caller's locals (inlined into the GEMM kernels) would be held across it too, this
 * waits without a call until that is understood (docs/internals.md, "Threads").
 */
export function poolJoin(): void {
  const done = ctrl + (DONE << 2), want = threads - 1;
  while (atomic.load<i32>(done) != want) {}
  if (atomic.load<i32>(ctrl + (FAILED << 2))) abort('wasmgrad: a worker thread failed');
}

/** Main instance: asks the workers to leave their loop (src/engine/backend/pool.ts stops them so). */
export function poolStop(): void {
  if (threads > 1) poolPost(KIND_EXIT);
  threads = 1;
}

/**
 * Worker: returns SEQ once it differs from `seen` (a job was posted) or after one sleep in
 * Atomics.wait, which may also end spuriously: the caller calls again while it returns `seen`.
 * Nothing is kept in a local across the wait (see poolJoin).
 */
export function poolWait(seen: i32): i32 {
  for (let s = 0; s < SPIN; s++) if (atomic.load<i32>(ctrl + (SEQ << 2)) != seen) return atomic.load<i32>(ctrl + (SEQ << 2));
  atomic.wait<i32>(ctrl + (SEQ << 2), seen);
  return atomic.load<i32>(ctrl + (SEQ << 2));
}

/** Worker: the kind of the job posted. */
@inline export function jobKind(): i32 {
  return atomic.load<i32>(ctrl + (KIND << 2));
}

/** Worker: its part of the job trapped (src/engine/backend/pool.ts catches it); counts as done so the main instance does not wait forever. */
export function poolFail(): void {
  atomic.store<i32>(ctrl + (FAILED << 2), 1);
  poolDone();
}

/** Worker: its part of the job is written (its stores are visible to the main instance once it sees DONE). */
export function poolDone(): void {
  atomic.add<i32>(ctrl + (DONE << 2), 1);
  atomic.notify(ctrl + (DONE << 2));
}
