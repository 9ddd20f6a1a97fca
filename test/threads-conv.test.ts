/**
 * The W6 kernels split across the worker pool (the convolutions of assembly/kernels/conv.ts, batch
 * norm in norm.ts, the pools in pool.ts, each in its section "across the worker pool"): results
 * with 2 threads are bit-identical to 1 thread and run to run, compared on the raw float32 bits in
 * separate processes (test/helpers/threads-conv-run.ts), with jobs posted exactly where the work is
 * above the split threshold. A plan that undercounted the parts' scratch would abort its record
 * (the arena's bound), so these runs also check the plans at 2 threads.
 */
import { expect, test } from 'vitest';
import { threadsRunner } from './helpers/threads-child.js';

const run = threadsRunner<Record<string, number>>('threads-conv-run.ts');

/** Cases below the split threshold (2²⁰ multiply-adds) or without two pieces to cut: they run inline. */
const INLINE = [
  'conv 1x1x5x5 k3 small',
  'conv 3x3x7x7 k3 small',
  'conv 5x3x17x17 k3 small',
  'conv 2x4x9x9 k3 s2 small',
  'conv 3x5x9x9 k3 depthwise small',
  'batchNorm 3x5x7x7',
  'batchNorm 2x3x17x17',
  'maxPool 2x3x7x7 k2',
  'avgPool 3x5x9x9 k3',
];

test('2 threads: the W6 kernels forward and backward, and a CNN trained eagerly and compiled, bit-identical to 1 thread and run to run', async () => {
  const [one, two, twoAgain] = await Promise.all([run(1, 'simd'), run(2, 'simd'), run(2, 'simd')]);
  expect([one.threads, two.threads]).toEqual([1, 2]);
  expect(Object.values(one.jobs).every((j) => j === 0)).toBe(true);
  for (const name of Object.keys(two.jobs)) expect([name, two.jobs[name] > 0]).toEqual([name, !INLINE.includes(name)]);
  // Forward, input gradient and weight gradient each split (one image: only the weight gradient).
  expect(two.jobs['conv 9x16x28x28 W6 second']).toBe(3);
  expect(two.jobs['conv 1x16x32x32 k3 one image']).toBe(1);
  // A bias gradient (a sum per channel over the images and planes) of ≥ 2¹⁹ values: one job more.
  expect(two.jobs['conv 12x8x28x28 k3 bias gradient split'] - two.jobs['conv 12x8x28x28 k3 no bias']).toBe(1);
  // im2col: forward and input gradient, and the weight gradient (by taps: threads-colconv.test.ts);
  // depthwise: those and the weight gradient (by channels).
  // A depthwise convTranspose2d splits only its weight gradient (its image passes stay inline).
  expect([two.jobs['conv 7x16x33x31 k3 s2 im2col'], two.jobs['conv 7x17x33x31 k3 depthwise']]).toEqual([3, 3]);
  expect(two.jobs['convTranspose 8x16x40x40 k3 depthwise']).toBe(1);
  // Batch norm and the pools: one job per record, forward and backward (the max pool's backward
  // clears its fresh input gradient plane by plane inside its parts: no fill record before it).
  expect(two.jobs['batchNorm 16x16x28x28']).toBe(2);
  expect(two.jobs['maxPool 16x32x28x28 k2 W6']).toBe(2);
  expect(two.out).toEqual(one.out);
  expect(twoAgain.out).toEqual(two.out);
  expect(twoAgain.jobs).toEqual(two.jobs);
});

test('the relaxed-SIMD threads build: bit-identical to its own single-thread build', async () => {
  const [one, two] = await Promise.all([run(1, 'relaxed'), run(2, 'relaxed')]);
  expect([one.build, two.build, two.threads]).toEqual(['relaxed-simd', 'relaxed-simd', 2]);
  expect(Object.values(two.jobs).some((j) => j > 0)).toBe(true);
  expect(two.out).toEqual(one.out);
});
