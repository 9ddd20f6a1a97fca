/**
 * wg.init({ threads }): the worker pool over shared memory (src/engine/backend/pool.ts) and the
 * GEMM split (assembly/kernels/gemm.ts gemmSplit). Results with 2 threads are bit-identical to 1
 * thread (and run to run), compared on the raw float32 bits in separate processes
 * (test/helpers/threads-run.ts), which also shows that a process with a pool exits by itself.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, expect, test, vi } from 'vitest';
import { runChild } from './helpers/threads-child.js';
import * as wg from '../src/index.js';
import { backend } from '../src/engine/engine.js';
import { WasmBackend } from '../src/engine/backend/wasm.js';
import { AUTO_MAX_THREADS, poolHooks, threadCount, WORKER_SOURCE } from '../src/engine/backend/pool.js';

// A timeout: a process whose workers kept Node alive (or that hung in a join) fails the test.
const run = (threads: number, build: 'simd' | 'relaxed') =>
  runChild<{ threads: number; build: string; jobs: number; out: Record<string, string> }>('threads-run.ts', threads, build, [], 30_000);

afterEach(() => {
  poolHooks.workerSource = WORKER_SOURCE;
  poolHooks.timeoutMs = 10_000;
  vi.restoreAllMocks();
});

test('2 threads: matmul, linear, conv2d, attention (forward and backward) and MLP training bit-identical to 1 thread, and run to run', async () => {
  const [one, two, twoAgain] = await Promise.all([run(1, 'simd'), run(2, 'simd'), run(2, 'simd')]);
  expect([one.threads, two.threads, one.jobs]).toEqual([1, 2, 0]);
  // The large products and the MLP's GEMMs really were split (several jobs per product and step).
  expect(two.jobs).toBeGreaterThan(50);
  expect(Object.keys(one.out)).toHaveLength(44);
  expect(two.out).toEqual(one.out);
  expect(twoAgain.out).toEqual(two.out);
  expect(twoAgain.jobs).toBe(two.jobs);
});

test('3 threads (on 2 cores, parts often go to whichever thread is free, the main one included): bit-identical to 1 thread', async () => {
  const [one, three] = await Promise.all([run(1, 'simd'), run(3, 'simd')]);
  expect(three.threads).toBe(3);
  expect(three.jobs).toBeGreaterThan(50);
  expect(three.out).toEqual(one.out);
});

test('the relaxed-SIMD threads build: bit-identical to its own single-thread build', async () => {
  const [one, two] = await Promise.all([run(1, 'relaxed'), run(2, 'relaxed')]);
  expect([one.build, two.build, two.threads]).toEqual(['relaxed-simd', 'relaxed-simd', 2]);
  expect(two.out).toEqual(one.out);
});

test('wg.init({ threads: 2 }) reports 2 threads and computes what the reference backend does', async () => {
  await wg.init({ threads: 2, build: 'simd' });
  expect(wg.info().threads).toBe(2);
  expect(wg.info().threadsNote).toBeNull();
  const a = wg.tensor(
    Float32Array.from({ length: 300 * 257 }, (_, i) => Math.sin(i)),
    { shape: [300, 257] },
  );
  const b = wg.tensor(
    Float32Array.from({ length: 257 * 130 }, (_, i) => Math.cos(i)),
    { shape: [257, 130] },
  );
  const got = a.matmul(b).data();
  wg.setBackend('reference');
  const want = wg
    .tensor(Array.from(a.data()), { shape: [300, 257] })
    .matmul(wg.tensor(Array.from(b.data()), { shape: [257, 130] }))
    .data();
  wg.setBackend('wasm');
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  expect(worst).toBeLessThan(1e-5);
});

// Workers poll for ~30–60 µs after a job, then sleep in Atomics.wait, and a post notifies only when
// one counted itself asleep (assembly/pool.ts poolPost): jobs posted right after one another and
// after pauses long enough to sleep must all be taken up (a lost wake-up would hang the join).
test('jobs posted back to back and after the workers fell asleep all run, with the same result', async () => {
  await wg.init({ threads: 2, build: 'simd' });
  const a = wg.tensor(
    Float32Array.from({ length: 200 * 160 }, (_, i) => Math.sin(i)),
    { shape: [200, 160] },
  );
  const b = wg.tensor(
    Float32Array.from({ length: 160 * 140 }, (_, i) => Math.cos(i)),
    { shape: [160, 140] },
  );
  const first = Array.from(a.matmul(b).data());
  const pool = () => (backend('wasm') as WasmBackend).poolJobs;
  const before = pool();
  for (const pause of [0, 0, 20, 0, 50, 5, 0, 100]) {
    if (pause) await new Promise((r) => setTimeout(r, pause));
    expect(Array.from(a.matmul(b).data())).toEqual(first);
  }
  expect(pool() - before).toBe(8);
  // Between runs the worker polls for a moment, then sleeps: it holds a core only while records run.
  await new Promise((r) => setTimeout(r, 50));
  expect((backend('wasm') as WasmBackend).poolSleeping).toBe(1);
});

test('a worker that fails to start, or does not answer: one thread and a notice naming why', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  poolHooks.workerSource = "throw new Error('no worker today')";
  const failed = await WasmBackend.create(undefined, 'simd', 0, undefined, 2);
  expect(failed.threads).toBe(1);
  expect(failed.threadsNote).toBe(warn.mock.lastCall?.[0]);
  expect(warn).toHaveBeenLastCalledWith(
    expect.stringMatching(/^wasmgrad\.init: running on one thread instead of 2: worker 1 failed to start: .*no worker today/),
  );

  poolHooks.workerSource = 'setInterval(() => {}, 1000)';
  poolHooks.timeoutMs = 300;
  const silent = await WasmBackend.create(undefined, 'simd', 0, undefined, 3);
  expect(silent.threads).toBe(1);
  expect(warn).toHaveBeenLastCalledWith('wasmgrad.init: running on one thread instead of 3: worker 1 did not answer within 300 ms');
  // The fallback is the ordinary single-thread build, and it computes.
  expect(silent.build).toBe('simd');
});

type Failed = { threads: number; note: string | null; message: string; worst: number | string; sleeping: number; taken: number };
/**
 * test/helpers/threads-fail.ts in `mode` (how its worker misbehaves). ~7 s on 2 idle cores; the
 * limit leaves room for a machine busy with the rest of the suite (30 s was exceeded there once).
 */
const failing = async (mode: string) =>
  JSON.parse((await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/helpers/threads-fail.ts', mode], { timeout: 100_000 })).stdout) as Failed;

test('a worker whose part traps: the op raises a BackendError instead of hanging or returning a half-computed product; the pool stays', async () => {
  const got = await failing('trap');
  expect(got.message).toBe('BackendError: wasmgrad.matmul: WebAssembly abort: wasmgrad: a worker thread failed');
  expect(got.threads).toBe(2);
  expect(got.sleeping).toBe(1); // the failed run did not leave the worker polling
  // Its next part traps again: the pool is kept for a trap (a bug in a kernel), which is reported each time.
  expect(got.worst).toBe(got.message);
}, 120_000);

test('a worker thread that dies in a job holding a part: a BackendError after the join gives up, then one thread, and the op computes', async () => {
  const got = await failing('exit');
  expect(got.message).toBe(
    'BackendError: wasmgrad.matmul: WebAssembly abort: wasmgrad: a worker thread stopped answering; wasmgrad runs on one thread from now on',
  );
  expect(got.threads).toBe(1);
  expect(got.note).toBe('wasmgrad.matmul: a worker thread stopped answering: the pool of 2 threads was stopped, wasmgrad runs on one thread');
  expect(got.worst).toBeLessThan(1e-5);
}, 120_000);

test('a worker that is late to a job: the main thread runs its part, nothing fails, the pool stays', async () => {
  const got = await failing('late');
  expect([got.message, got.threads, got.note]).toEqual(['no error', 2, null]);
  expect(got.taken).toBeGreaterThanOrEqual(1);
  expect(got.worst).toBeLessThan(1e-5);
}, 120_000);

test('a worker thread that ends between jobs: its parts run on the main thread, then the pool is dropped with a notice', async () => {
  const got = await failing('gone');
  expect(got.message).toBe('no error');
  expect(got.taken).toBeGreaterThanOrEqual(1);
  expect(got.threads).toBe(1);
  expect(got.note).toBe('wasmgrad.matmul: worker 1 exited: the pool of 2 threads was stopped, wasmgrad runs on one thread');
  expect(got.worst).toBeLessThan(1e-5);
}, 120_000);

test('threads: clear errors for bad values and for combinations that cannot thread', async () => {
  await expect(threadCount(0)).rejects.toThrow(/^wasmgrad\.init: threads must be an integer from 1 to 64 or 'auto', got 0$/);
  await expect(threadCount(2.5)).rejects.toThrow(/got 2\.5/);
  await expect(threadCount('all' as never)).rejects.toThrow(/got "all"/);
  expect(await threadCount(undefined)).toBe(1);
  const auto = await threadCount('auto');
  expect(auto).toBeGreaterThanOrEqual(1);
  expect(auto).toBeLessThanOrEqual(AUTO_MAX_THREADS);
  await expect(WasmBackend.create(new Uint8Array(8), undefined, 0, undefined, 2)).rejects.toThrow(
    /^wasmgrad\.init: threads run the packaged threads builds: give baseUrl \(or nothing\) instead of wasm$/,
  );
  await expect(WasmBackend.create(undefined, 'scalar', 0, undefined, 2)).rejects.toThrow(
    /^wasmgrad\.init: threads need a SIMD build, got build 'scalar' with threads 2$/,
  );
});
