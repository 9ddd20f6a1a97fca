// The entry point of the threads builds (asconfig.json: threads, relaxed-threads): the module of
// index.ts over an imported shared memory, plus what the worker pool needs (pool.ts). The main
// instance calls poolSetup once; each worker instance (src/engine/backend/pool.ts) calls poolAttach
// and then loops on poolWait / poolWork from JavaScript, so every job is a fresh call into code V8
// has tiered up.
import { CTRL_WORDS, jobKind, KIND_EXIT, poolTasks } from './pool';

export * from './index';
export { poolAttach, poolFail, poolRecover, poolSetup, poolSleepers, poolStop, poolTaken, poolThreadsNow, poolWait } from './pool';
export { gemmScratchBytes as poolScratchBytes } from './kernels/gemm';

/** Words of the control block the main instance hands to poolSetup. */
export function poolCtrlWords(): i32 {
  return CTRL_WORDS;
}

/** A worker runs the parts of the job posted that it claims, with scratch ws; 0 when told to exit. */
export function poolWork(ws: usize): i32 {
  if (jobKind() == KIND_EXIT) return 0;
  poolTasks(ws);
  return 1;
}
