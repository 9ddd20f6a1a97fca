/**
 * Record cuts across the worker pool (assembly/split.ts, OpSpec.split) and the column sums of bias
 * gradients (reduce.ts columnSums): unary and broadcasting binary maps, where, reductions over many
 * segments and the optimizer updates, forward and backward, eager and in a compiled training step.
 * Every element gets the single-thread kernel's
 * float operations, so 2 threads give the raw float32 bits of 1 thread (and the same run to run),
 * compared in separate processes (test/helpers/threads-elem-run.ts).
 */
import { expect, test } from 'vitest';
import { threadsRunner } from './helpers/threads-child.js';

const run = threadsRunner<{ small: number; all: number }>('threads-elem-run.ts');

test('2 threads: maps, where, reductions, updates and training bit-identical to 1 thread, and run to run; small records stay inline', async () => {
  const [one, two, twoAgain] = await Promise.all([run(1, 'simd'), run(2, 'simd'), run(2, 'simd')]);
  expect([one.threads, two.threads, one.jobs.all]).toEqual([1, 2, 0]);
  // Nothing below the thresholds was split; the large records were (several jobs per case).
  expect(two.jobs.small).toBe(0);
  expect(two.jobs.all).toBeGreaterThan(200);
  expect(Object.keys(one.out)).toHaveLength(326);
  expect(two.out).toEqual(one.out);
  expect(twoAgain.out).toEqual(two.out);
  expect(twoAgain.jobs).toEqual(two.jobs);
}, 300_000);

test('the relaxed-SIMD threads build: bit-identical to its own single-thread build', async () => {
  const [one, two] = await Promise.all([run(1, 'relaxed'), run(2, 'relaxed')]);
  expect([one.build, two.build, two.threads]).toEqual(['relaxed-simd', 'relaxed-simd', 2]);
  expect(two.jobs.all).toBeGreaterThan(200);
  expect(two.out).toEqual(one.out);
}, 300_000);
