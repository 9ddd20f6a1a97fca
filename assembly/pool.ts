// The worker pool's control block (threads builds only: every use sits under ASC_FEATURE_THREADS,
// so the single-thread builds compile none of it). One instance, the main one, runs the tape
// interpreter and owns allocation; the workers (src/engine/backend/pool.ts) are instances of the
// same module over the same shared memory that only compute parts of a job on pointers given to
// them. A job is a Task (a function of the module: its index is the same in every instance, and
// its function object sits in the static data every instance shares) plus argument words. The
// main instance writes them into the control block and bumps SEQ; part 0 is the main instance's,
// parts 1 … threads − 1 go to whoever claims them first (CLAIM): each worker claims and runs parts
// until none is left (poolWork in ../threads.ts), and so does the main instance after part 0, so a
// worker the OS has not scheduled yet costs one part's time, not a wait for its time slice. Each
// part done adds 1 to DONE; the main instance waits for DONE to reach threads − 1. A part computes
// the same on any thread (its own range, scratch of the same size), so who runs it never changes
// a bit. No message passing per job: Atomics only.
//
// A kernel splits only through poolRun, so a split job's parts never split again: during a job
// poolThreads() is 1 on the main instance too, and the workers always see 1.
//
// Control block (i32 words, allocated by the TS heap and handed over by poolSetup): SEQ and DONE
// sit on separate cache lines, so waiting workers polling SEQ do not bounce the line the finished
// ones write.
export const SEQ = 0;
export const KIND = 1;
/** The job's task (its function object's address). */
const TASK = 2;
/** Threads taking part in the job (the workers' own count is always 1). */
const PARTS = 3;
/** First of the job's argument words (taskArg). */
const ARGS = 4;
export const ARG_WORDS = 28;
export const DONE = 32;
/** Set by a worker whose part failed (a trap): the main instance aborts after the join. */
export const FAILED = 33;
/** The next part to hand out (from 1; parts ≥ PARTS: none left). Reset by every post. */
const CLAIM = 34;
/** Workers asleep in Atomics.wait (or about to be): a post notifies only when some are. */
const SLEEPERS = 48;
/** 1 while the main instance runs records (poolActive): idle workers keep polling instead of sleeping. */
const ACTIVE = 49;
export const CTRL_WORDS = 64;

/** KIND: what the workers do with the job just posted. */
export const KIND_EXIT = 0;
export const KIND_TASK = 1;

/**
 * Part `part` of `parts` of a split kernel, reading its arguments from taskArg; ws is the scratch of
 * the thread running it (the record's workspace on the main instance, the worker's own block
 * of gemmScratchBytes otherwise).
 */
export type Task = (part: i32, parts: i32, ws: usize) => void;

/**
 * Polls per round: an idle worker polls SEQ in rounds of this many loads (~30–60 µs here) while a
 * run is active (ACTIVE), and sleeps after one round once it is not. Before ACTIVE, one round was
 * all the spin there was, tuned on the gaps of small inline records between a step's jobs (W7 /
 * W6 at 2 over 1 thread, bench --threads 1,2, one run each): 4096 polls ×1.42 / ×1.82, 2¹⁷ ×1.53 /
 * ×1.82 (twice), 2¹⁸ ×1.61 / ×1.70, 2¹⁹ ×1.34 / ×1.69: longer spins took the core from the main
 * thread's JavaScript between steps on a shared 2-core machine, which ACTIVE now leaves alone.
 */
const SPIN = 1 << 17;

/**
 * Rounds of SPIN polls a worker keeps up while a run is active (~0.5–1 ms): the gaps between a
 * step's jobs are far shorter (W7's inline stretches), and a run that posts nothing for longer
 * (a small model with threads on) should not hold a core the whole time; past it a job pays one
 * wake-up, small against the millisecond without one.
 */
const ACTIVE_ROUNDS = 16;

/** Milliseconds from a fixed origin (performance.now): the join's patience with a worker that stopped answering. */
@external('env', 'poolNow') declare function poolNow(): f64;

let ctrl: usize = 0;
let threads: i32 = 1;
/** How long the join waits for the workers at least, in ms (poolSetup). */
let graceMs: f64 = 0;
/** A job is running: its parts keep to one thread (poolThreads). */
let busy = false;
/** Main instance: parts of workers' share it ran itself, so far (poolTaken, for tests). */
let taken = 0;
/** This instance is running a part it claimed (a trap in it: poolFail, poolRecover count it done). */
let claimed = false;

/** Main instance: the control block's byte address, the thread count (main included) and the join's least patience (ms). */
export function poolSetup(block: usize, n: i32, grace: f64): void {
  ctrl = block;
  threads = n;
  graceMs = grace;
  atomic.store<i32>(block + (SEQ << 2), 0);
  atomic.store<i32>(block + (DONE << 2), 0);
  atomic.store<i32>(block + (FAILED << 2), 0);
  atomic.store<i32>(block + (SLEEPERS << 2), 0);
  atomic.store<i32>(block + (ACTIVE << 2), 0);
}

/**
 * Main instance, around a run of records (index.ts run; poolRecover and poolStop clear it after a
 * failed one). While it is set, workers between jobs poll instead of sleeping: a step's jobs are
 * separated by inline records (norms, residual adds, small updates) that together take far longer
 * than SPIN, and a futex wake-up costs tens of microseconds per job. Between runs (JavaScript,
 * data loading) workers sleep after SPIN polls as before, so they hold a core only while a step
 * that may post jobs runs.
 */
export function poolActive(on: bool): void {
  if (ctrl) atomic.store<i32>(ctrl + (ACTIVE << 2), on ? 1 : 0);
}

/** Worker instance: the control block to read jobs from (it never posts, so it keeps one thread). */
export function poolAttach(block: usize): void {
  ctrl = block;
}

/** Threads a kernel may split its work across now (1: no pool, or inside a part of a job). */
@inline export function poolThreads(): i32 {
  return busy ? 1 : threads;
}

/** Main instance, before poolRun: argument word `w` (< ARG_WORDS) of the next job. */
@inline export function setTaskArg(w: i32, v: i32): void {
  store<i32>(ctrl + (<usize>(ARGS + w) << 2), v);
}

/** Inside a task: argument word `w` of the job. */
@inline export function taskArg(w: i32): i32 {
  return load<i32>(ctrl + (<usize>(ARGS + w) << 2));
}

/** Inside a task: argument word `w` as a byte address. */
@inline export function taskPtr(w: i32): usize {
  return <usize>load<i32>(ctrl + (<usize>(ARGS + w) << 2));
}

/**
 * [from, to) of part `part` when `count` items are cut into `parts` runs of whole multiples of
 * `align` (the last one ragged); empty for the parts past the end.
 */
@inline export function partFrom(count: i32, part: i32, parts: i32, align: i32): i32 {
  return min(count, part * ((count + parts * align - 1) / (parts * align) * align));
}

/**
 * Main instance: runs `task` on every thread (the arguments set with setTaskArg), part 0 here
 * with scratch ws, and returns once all parts are done. Call only when poolThreads() > 1.
 */
export function poolRun(task: Task, ws: usize): void {
  store<i32>(ctrl + (TASK << 2), <i32>changetype<usize>(task));
  store<i32>(ctrl + (PARTS << 2), threads);
  busy = true;
  poolPost(KIND_TASK);
  const start = poolNow();
  task(0, threads, ws);
  // Parts no worker has claimed yet run here: their scratch needs are a part's, which part 0's ws covers.
  for (let p = claimPart(); p < threads; p = claimPart()) {
    runClaimed(task, p, ws);
    taken++;
  }
  busy = false;
  const end = poolNow();
  // The parts are balanced: a worker still busy 100 times longer than part 0 took has stopped.
  poolJoin(end, max(graceMs, 100 * (end - start)));
}

/**
 * Main instance, after a trap inside its part of a job (part 0 or one it took; src/engine/backend/pool.ts
 * calls it when a run fails): waits for the workers' parts so that the next job starts clean.
 */
export function poolRecover(): void {
  poolActive(false);
  if (!busy) return;
  busy = false;
  // A trap in a part it took from the workers: that part is over too.
  if (claimed) poolDone();
  claimed = false;
  if (joined(poolNow(), graceMs)) atomic.store<i32>(ctrl + (FAILED << 2), 0);
}

/** The next unclaimed part of the job posted (≥ its PARTS when none is left). */
@inline function claimPart(): i32 {
  return atomic.add<i32>(ctrl + (CLAIM << 2), 1);
}

/**
 * Worker: claims and runs parts of the job posted, with its scratch ws, until none is left. A
 * worker that wakes late may find none (the main instance took them), or claim a part of the next
 * job, whose fields were all written before CLAIM was reset for it: either is right.
 */
export function poolTasks(ws: usize): void {
  for (let p = claimPart(); p < load<i32>(ctrl + (PARTS << 2)); p = claimPart()) runClaimed(changetype<Task>(<usize>load<i32>(ctrl + (TASK << 2))), p, ws);
}

/** Runs claimed part `part` on this thread; `claimed` tells poolFail / poolRecover that a trap left it unfinished, so they count it done. */
function runClaimed(task: Task, part: i32, ws: usize): void {
  claimed = true;
  task(part, load<i32>(ctrl + (PARTS << 2)), ws);
  claimed = false;
  poolDone();
}

/**
 * Main instance: publishes the job whose fields are written (plain stores before the atomic add are
 * visible to a worker that sees the new SEQ). Atomics.notify takes a lock and may enter the kernel
 * even with nobody waiting, so it runs only when a worker has counted itself into SLEEPERS: every
 * atomic is sequentially consistent, so either this load sees the count, or the worker's wait,
 * which compares SEQ after counting itself, sees the new SEQ and returns at once (poolWait).
 */
function poolPost(kind: i32): void {
  atomic.store<i32>(ctrl + (KIND << 2), kind);
  atomic.store<i32>(ctrl + (DONE << 2), 0);
  atomic.store<i32>(ctrl + (CLAIM << 2), 1);
  atomic.add<i32>(ctrl + (SEQ << 2), 1);
  if (atomic.load<i32>(ctrl + (SLEEPERS << 2)) != 0) atomic.notify(ctrl + (SEQ << 2));
}

/**
 * Main instance: returns once every worker has finished its part of the job posted last, or aborts
 * when one failed, or stopped answering for `patience` ms after `since`.
 */
function poolJoin(since: f64, patience: f64): void {
  if (!joined(since, patience)) abort('wasmgrad: a worker thread stopped answering; wasmgrad runs on one thread from now on');
  if (atomic.load<i32>(ctrl + (FAILED << 2))) {
    atomic.store<i32>(ctrl + (FAILED << 2), 0);
    abort('wasmgrad: a worker thread failed');
  }
}

/**
 * Polls DONE until every worker has finished (true), or gives up after `patience` ms from `since`
 * (false): the pool is then abandoned, threads is 1, and src/engine/backend/pool.ts terminates
 * the workers when it sees poolThreadsNow() drop. The clock is read once per 2¹⁶ polls.
 *
 * It polls, never sleeps (the panels are balanced, so it polls for about one part's imbalance).
 * A version sleeping in memory.atomic.wait32 between polls hung now and then in Node 20 (V8 11.3)
 * with DONE complete: only in Liftoff code (--liftoff-only hangs, --no-liftoff never did), and not
 * when the loop re-read everything from globals after the wait, as if a local held across the wait
 * were lost. That is what happens: poolWait's first count of SLEEPERS kept the word's address in a
 * local across its wait, and under --liftoff --no-wasm-tier-up the decrement after the wait missed
 * the word (the count only grew; with --no-liftoff it was right). So no wait here keeps a local
 * across it. The join still polls: a page's main thread may not wait at all, and the parts are
 * balanced (docs/internals.md, "Threads").
 */
function joined(since: f64, patience: f64): bool {
  const done = ctrl + (DONE << 2), want = threads - 1;
  for (let polls: u32 = 1; atomic.load<i32>(done) != want; polls++) {
    if ((polls & 0xffff) == 0 && poolNow() - since > patience) {
      threads = 1;
      return false;
    }
  }
  return true;
}

/** Main instance: parts of the workers' share it ran itself so far (tests check that a late worker's part is taken). */
export function poolTaken(): i32 {
  return taken;
}

/** Main instance: workers asleep in Atomics.wait now (tests check that they sleep between runs). */
export function poolSleepers(): i32 {
  return atomic.load<i32>(ctrl + (SLEEPERS << 2));
}

/** Main instance: the threads kernels split across now (it drops to 1 when the pool is abandoned). */
export function poolThreadsNow(): i32 {
  return threads;
}

/** Main instance: asks the workers to leave their loop (src/engine/backend/pool.ts stops them so). */
export function poolStop(): void {
  poolActive(false);
  if (threads > 1) poolPost(KIND_EXIT);
  threads = 1;
}

/**
 * Worker: returns SEQ once it differs from `seen` (a job was posted) or after one sleep in
 * Atomics.wait, which may also end spuriously: the caller calls again while it returns `seen`.
 * Nothing is kept in a local across the wait (see poolJoin).
 */
export function poolWait(seen: i32): i32 {
  let rounds = 0;
  do {
    for (let s = 0; s < SPIN; s++) if (atomic.load<i32>(ctrl + (SEQ << 2)) != seen) return atomic.load<i32>(ctrl + (SEQ << 2));
  } while (atomic.load<i32>(ctrl + (ACTIVE << 2)) != 0 && ++rounds < ACTIVE_ROUNDS);
  // SLEEPERS through the instruction's offset immediate: an address computed once would be held
  // in a local across the wait, which Node 20's Liftoff loses (see joined).
  atomic.add<i32>(ctrl, 1, SLEEPERS << 2);
  atomic.wait<i32>(ctrl + (SEQ << 2), seen);
  atomic.sub<i32>(ctrl, 1, SLEEPERS << 2);
  return atomic.load<i32>(ctrl + (SEQ << 2));
}

/** Worker: the kind of the job posted. */
@inline export function jobKind(): i32 {
  return atomic.load<i32>(ctrl + (KIND << 2));
}

/**
 * Worker: a trap in poolWork (src/engine/backend/pool.ts catches it). A part it was running counts
 * as done, so the main instance does not wait forever, and FAILED makes that job's join abort.
 */
export function poolFail(): void {
  atomic.store<i32>(ctrl + (FAILED << 2), 1);
  if (claimed) poolDone();
  claimed = false;
}

/** A part of the job is written (its stores are visible to the main instance once it sees DONE; it polls DONE, so nobody is notified). */
function poolDone(): void {
  atomic.add<i32>(ctrl + (DONE << 2), 1);
}
