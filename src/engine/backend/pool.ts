/**
 * The worker pool of the threads builds (wg.init({ threads })): n − 1 workers, each an instance of
 * the same compiled module over the main instance's shared WebAssembly.Memory. The main instance
 * owns allocation and runs the tape; a kernel that splits its work (assembly/pool.ts poolRun: GEMMs,
 * convolutions, attention, big maps, …) posts a job into a control block in shared memory and the
 * workers, blocked in Atomics.wait inside their loop (assembly/pool.ts), compute their part on the
 * pointers it names. No message is posted per job; messages only start the workers: worker_threads
 * in Node, Web Workers from a Blob URL in browsers (cross-origin-isolated pages and their workers).
 *
 * Workers never allocate and never run the interpreter, so they need no heap; each gets a scratch
 * block from the main heap for its GEMM panels.
 */
import { BackendError, ValueError, fmtValue } from '../../errors.js';
import { isNode, nodeHost } from '../host.js';

/** What the threads builds export beyond the single-thread ones (assembly/threads.ts). */
export interface PoolExports {
  poolCtrlWords(): number;
  poolScratchBytes(): number;
  poolSetup(ctrl: number, threads: number, graceMs: number): void;
  poolStop(): void;
  poolRecover(): void;
  poolThreadsNow(): number;
  poolSleepers(): number;
  poolTaken(): number;
}

/** wg.init's `threads` option. */
export type ThreadsOption = number | 'auto';

/**
 * 'auto' takes every core up to this many: a GEMM split into panels scales while each panel keeps
 * whole packed blocks (NC = 1024 columns, MC = 64 rows), and past 8 panels of a typical training
 * product (n ≤ 4096) the wake-up and the duplicated packing of the shared operand dominate.
 */
export const AUTO_MAX_THREADS = 8;
/** The most threads wg.init accepts when asked for a number. */
export const MAX_THREADS = 64;
/** How long a worker has to instantiate the module and answer before the pool is given up. */
export const START_TIMEOUT_MS = 10_000;
/**
 * How long a kernel's join waits at least for a worker's part before giving the pool up (it also
 * waits 100 times as long as its own part took): parts are balanced, so a worker that far behind
 * has died or hangs, and the main instance must not poll forever.
 */
export const JOIN_GRACE_MS = 20_000;

/** The thread count `threads` asks for (1 when not given), or a ValueError. */
export async function threadCount(threads: ThreadsOption | undefined): Promise<number> {
  if (threads === undefined) return 1;
  if (threads === 'auto') return Math.max(1, Math.min(await cores(), AUTO_MAX_THREADS));
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)
    throw new ValueError('init', `threads must be an integer from 1 to ${MAX_THREADS} or 'auto', got ${fmtValue(threads)}`);
  return threads;
}

async function cores(): Promise<number> {
  if (isNode) return (await nodeHost('init', 'threads')).availableParallelism();
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/**
 * Why threads cannot run here (the notice init prints before running on one thread), or null:
 * shared memory needs SharedArrayBuffer, which browsers only give cross-origin-isolated pages
 * (and their workers).
 */
export function threadsUnavailable(): string | null {
  if (!isNode && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true)
    return 'the page is not cross-origin isolated: serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';
  if (typeof SharedArrayBuffer === 'undefined') return 'this engine has no SharedArrayBuffer';
  if (!isNode && typeof Worker === 'undefined') return 'this context cannot start Web Workers';
  return null;
}

/** What a worker is given: the module, the memory, the control block and its scratch (byte addresses), and its number (1 …, for messages). */
interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: number;
  index: number;
  scratch: number;
}

/**
 * What every worker runs, in Node and in browsers: `attach(d)` instantiates the module over the
 * shared memory and attaches to the control block (it throws if it cannot); `serve(ex, d)` takes
 * jobs until told to exit. The job loop runs in JavaScript so that each job is a fresh call into
 * the module, which the engine runs in its optimised tier once that has compiled (V8 never swaps
 * code inside a running call).
 */
const WORKER_CORE = `
function attach(d) {
  const ex = new WebAssembly.Instance(d.module, { env: { memory: d.memory, poolNow: () => performance.now(), abort() { throw new WebAssembly.RuntimeError('wasmgrad worker: abort'); } } }).exports;
  ex.poolAttach(d.ctrl);
  return ex;
}
function serve(ex, d) {
  for (let seen = 0; ; ) {
    let seq = ex.poolWait(seen);
    while (seq === seen) seq = ex.poolWait(seen); // a spurious wake-up
    seen = seq;
    try {
      if (!ex.poolWork(d.scratch)) break;
    } catch (e) {
      ex.poolFail();
    }
  }
}
const why = (e) => String((e && e.message) || e);
`;

/** The Node worker (a CommonJS script eval'd by worker_threads, its data in workerData). */
export const WORKER_SOURCE = `${WORKER_CORE}
const { parentPort, workerData: d } = require('worker_threads');
let ex;
try {
  ex = attach(d);
} catch (e) {
  parentPort.postMessage({ error: why(e) });
}
if (ex) {
  parentPort.postMessage({ ready: true });
  parentPort.close();
  serve(ex, d);
}
`;

/**
 * The browser worker (a classic script from a Blob URL, so it needs no file of its own and works
 * from the ESM entry, the script-tag build and bundles alike): its data is the first message; it
 * never returns to its event loop after answering, it blocks in Atomics.wait between jobs.
 */
const WEB_WORKER_SOURCE = `${WORKER_CORE}
onmessage = ({ data: d }) => {
  onmessage = null;
  let ex;
  try {
    ex = attach(d);
  } catch (e) {
    postMessage({ error: why(e) });
    return;
  }
  postMessage({ ready: true });
  serve(ex, d);
};
`;

/** Test hook: the source the Node workers run (a test swaps it for one that fails or never answers). */
export const poolHooks = { workerSource: WORKER_SOURCE, timeoutMs: START_TIMEOUT_MS, joinGraceMs: JOIN_GRACE_MS };

/** A worker on its way: its answer (resolves once it is ready, rejects with why it is not) and how to end it. */
interface Starting {
  answer: Promise<void>;
  stop(): void;
}

/** A worker's first answer: `ready`, or why it could not instantiate. */
type Answer = { ready?: boolean; error?: string };

interface NodeWorker {
  on(event: 'message', f: (m: Answer) => void): void;
  on(event: 'error', f: (e: Error) => void): void;
  on(event: 'exit', f: (code: number) => void): void;
  unref(): void;
  removeAllListeners(event: 'message'): void;
  terminate(): Promise<number>;
}

/**
 * Worker `d.index` on worker_threads; `exited(index)` once it ends after answering (a worker that
 * dies between jobs holds no part: the main thread runs its parts until the pool is dropped).
 */
function nodeWorker(startWorker: (source: string, data: unknown) => unknown, d: WorkerData, exited: (index: number) => void): Starting {
  const w = startWorker(poolHooks.workerSource, d) as NodeWorker;
  let ready = false;
  const answer = new Promise<void>((resolve, reject) => {
    const settle = (err?: string) => {
      // A 'message' listener keeps the worker's port, hence Node, alive: only the answer is awaited.
      w.removeAllListeners('message');
      ready = err === undefined;
      if (ready) resolve();
      else reject(new BackendError('init', `worker ${d.index} ${err}`));
    };
    w.on('message', (m) => settle(m.ready ? undefined : `failed to start: ${m.error ?? 'no answer'}`));
    w.on('error', (e) => settle(`failed to start: ${e.message}`));
    w.on('exit', (code) => (ready ? exited(d.index) : settle(`exited with code ${code} before answering`)));
  });
  // The workers never keep Node alive (they block in Atomics.wait for the life of the process);
  // unref after the listeners, which ref the worker again when added.
  w.unref();
  return { answer, stop: () => void w.terminate() };
}

/** What a page (or a worker) that refuses blob: workers must allow, in the notice. */
const ALLOW_BLOB_WORKERS = "allow them in the Content Security Policy, e.g. worker-src 'self' blob:";

/**
 * Worker `d.index` as a Web Worker from a Blob URL. A Content Security Policy without `blob:` in
 * worker-src (or its fallbacks child-src, script-src) blocks such a worker silently in Chromium:
 * no exception, no error event, only a securitypolicyviolation event on the creating global, which
 * is what turns that case into a clear message instead of a timeout.
 */
function webWorker(d: WorkerData): Starting {
  const url = URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
  const fail = (why: string) => new BackendError('init', `worker ${d.index} ${why}`);
  let w: Worker;
  try {
    w = new Worker(url, { name: `wasmgrad pool ${d.index}` });
  } catch (e) {
    URL.revokeObjectURL(url);
    // An engine that refuses the worker by throwing (not Chromium: it reports a violation event).
    const policy = (e as Error)?.name === 'SecurityError' ? `: blob: workers are refused, ${ALLOW_BLOB_WORKERS}` : '';
    return { answer: Promise.reject(fail(`could not be created (${(e as Error)?.message ?? String(e)})${policy}`)), stop() {} };
  }
  const scope = globalThis as unknown as Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  let blocked: (e: Event) => void = () => {};
  const done = () => {
    scope.removeEventListener?.('securitypolicyviolation', blocked);
    URL.revokeObjectURL(url);
    w.onmessage = w.onerror = null;
  };
  const answer = new Promise<void>((resolve, reject) => {
    blocked = (e) => {
      const v = e as SecurityPolicyViolationEvent;
      if (v.effectiveDirective === 'worker-src' && v.blockedURI.startsWith('blob'))
        reject(fail(`was blocked by the Content Security Policy (${v.violatedDirective}): ${ALLOW_BLOB_WORKERS}`));
    };
    scope.addEventListener?.('securitypolicyviolation', blocked);
    w.onmessage = ({ data: m }: MessageEvent<Answer>) => (m.ready ? resolve() : reject(fail(`failed to start: ${m.error ?? 'no answer'}`)));
    w.onerror = (e) => {
      e.preventDefault(); // reported here, not as an uncaught error of the page
      reject(fail(`failed to start: ${e.message || 'its script did not run'}`));
    };
  }).finally(done);
  w.postMessage(d);
  return {
    answer,
    stop: () => {
      done();
      w.terminate();
    },
  };
}

/** `answer`, or a BackendError once part `part` has been silent for poolHooks.timeoutMs. */
function inTime(answer: Promise<void>, part: number): Promise<void> {
  const ms = poolHooks.timeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BackendError('init', `worker ${part} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

export class Pool {
  private constructor(
    private readonly ex: PoolExports,
    private readonly workers: Starting[],
    private readonly seq: Int32Array,
    private readonly lost: { worker: number },
  ) {}

  /** The first worker that ended after answering (Node: its 'exit' event), or 0. */
  get exited(): number {
    return this.lost.worker;
  }

  /** Jobs posted to the workers so far (the control block's SEQ word: assembly/pool.ts). */
  get jobs(): number {
    return Atomics.load(this.seq, 0);
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Workers asleep in Atomics.wait now: all of them some time after a run (assembly/pool.ts poolActive). */
  get sleeping(): number {
    return this.ex.poolSleepers();
  }

  /** Parts of jobs the main thread ran because no worker had claimed them yet (assembly/pool.ts poolRun). */
  get taken(): number {
    return this.ex.poolTaken();
  }

  /**
   * Starts `scratch.length` workers (worker i + 1 with scratch[i]): worker_threads in Node, Web
   * Workers elsewhere. Hands the control block to the main instance; resolves once every worker
   * answered, or rejects (all workers stopped) when one fails or is silent for poolHooks.timeoutMs.
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, ex: PoolExports, ctrl: number, scratch: number[]): Promise<Pool> {
    const startWorker = isNode ? (await nodeHost('init', 'threads')).startWorker : null;
    ex.poolSetup(ctrl, scratch.length + 1, poolHooks.joinGraceMs);
    const lost = { worker: 0 };
    const exited = (index: number) => {
      lost.worker ||= index;
    };
    const workers = scratch.map((s, i) => {
      const d: WorkerData = { module, memory, ctrl, index: i + 1, scratch: s };
      return startWorker ? nodeWorker(startWorker, d, exited) : webWorker(d);
    });
    try {
      await Promise.all(workers.map((w, i) => inTime(w.answer, i + 1)));
    } catch (e) {
      for (const w of workers) w.stop();
      throw e;
    }
    return new Pool(ex, workers, new Int32Array(memory.buffer, ctrl, 1), lost);
  }

  /**
   * After a run that failed: lets the workers finish the job it left (assembly/pool.ts
   * poolRecover). False when the pool was given up because a worker stopped answering: the caller
   * then stops it and runs on one thread.
   */
  recover(): boolean {
    this.ex.poolRecover();
    return this.ex.poolThreadsNow() > 1;
  }

  /** Tells the workers to leave their loop (unless given up) and terminates them: the module then runs on one thread. */
  stop(): void {
    this.ex.poolStop();
    for (const w of this.workers) w.stop();
  }
}
