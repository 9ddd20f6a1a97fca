/**
 * The fused attention split across the worker pool by (batch, head) pairs
 * (assembly/kernels/attention.ts): forward and backward, eager and compiled, at 1 and 2 threads in
 * separate processes (test/helpers/threads-attn-run.ts) give bit-identical float32 results, run to
 * run too; records above the threshold really post jobs, small ones none.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { relaxedSimdSupported } from '../src/engine/backend/wasm.js';

const run = async (threads: number, build: 'simd' | 'relaxed', only = '', flags: string[] = []) => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...flags, '--import', 'tsx', 'test/helpers/threads-attn-run.ts', String(threads), build, only],
    {
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout) as { threads: number; build: string; jobs: number; out: Record<string, string> };
};

test('2 threads: attention forward and backward (odd shapes, masks, causal, self-attention trained eagerly and compiled) bit-identical to 1 thread, and run to run', async () => {
  const [one, two, twoAgain] = await Promise.all([run(1, 'simd'), run(2, 'simd'), run(2, 'simd')]);
  expect([one.threads, two.threads, one.jobs]).toEqual([1, 2, 0]);
  // 6 large records forward, 5 backward (the shared mask's gradient stays on one thread), and the
  // self-attention steps (3 eager, 3 compiled, forward and backward each): one job each.
  expect(two.jobs).toBe(11 + 12);
  expect(Object.keys(one.out)).toHaveLength(12);
  expect(two.out).toEqual(one.out);
  expect(twoAgain.out).toEqual(two.out);
  expect(twoAgain.jobs).toBe(two.jobs);
});

test('2 threads: attention below the split threshold posts no job', async () => {
  const [one, two] = await Promise.all([run(1, 'simd', 'small'), run(2, 'simd', 'small')]);
  expect([two.threads, two.jobs]).toEqual([2, 0]);
  expect(Object.keys(two.out)).toHaveLength(4);
  expect(two.out).toEqual(one.out);
});

test('the relaxed-SIMD threads build: attention bit-identical to its own single-thread build', async () => {
  const flags = relaxedSimdSupported() ? [] : ['--experimental-wasm-relaxed-simd']; // Node 20 (vitest.config.ts)
  const [one, two] = await Promise.all([run(1, 'relaxed', '', flags), run(2, 'relaxed', '', flags)]);
  expect([one.build, two.build, two.threads]).toEqual(['relaxed-simd', 'relaxed-simd', 2]);
  expect(two.jobs).toBe(23);
  expect(two.out).toEqual(one.out);
});
