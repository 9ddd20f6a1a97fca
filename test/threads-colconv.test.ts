/**
 * The im2col convolution's weight gradient split across the worker pool by runs of taps
 * (assembly/kernels/conv.ts colWeightGrad): results with 2 threads are bit-identical to 1 thread
 * and run to run, compared on the raw float32 bits in separate processes
 * (test/helpers/threads-colconv-run.ts), one job per weight gradient exactly where it is above the
 * split threshold, none below. A plan that undercounted the parts' GEMM scratch would abort its
 * record (the arena's bound), so these runs also check the plans at 2 threads.
 */
import { expect, test } from 'vitest';
import { threadsRunner } from './helpers/threads-child.js';

const run = threadsRunner<Record<string, number>>('threads-colconv-run.ts');

/**
 * Weight gradients that stay inline: under 2²⁰ multiply-adds (one channel at 7 images: 968,688),
 * or a single group of 8 taps (the pointwise conv of 8 channels: 8.4·10⁶ multiply-adds).
 */
const INLINE = [
  'conv 2x3x9x9 o5 k3 s2 small',
  'conv 7x1x64x64 o16 k3 s2 one channel small',
  'conv 3x7x31x29 o5 k3 s2 p1',
  'conv 3x17x7x7 o3 k1 pointwise small',
  'conv 16x8x32x32 o64 k1 pointwise one tap group',
  'conv 3x10x15x15 o10 k3 s2 groups 5 small',
  'convTranspose 1x3x5x5 o5 k3 s2 small',
  'convTranspose 5x16x9x9 o12 k4 s2 p1 groups 4',
];

test('2 threads: im2col weight gradients (strided, pointwise, grouped, dilated, transposed) and a strided CNN trained eagerly and compiled, bit-identical to 1 thread and run to run', async () => {
  const [one, two, twoAgain] = await Promise.all([run(1, 'simd'), run(2, 'simd'), run(2, 'simd')]);
  expect([one.threads, two.threads]).toEqual([1, 2]);
  expect(Object.values(one.jobs).every((j) => j === 0)).toBe(true);
  // A conv's backward with only its weight requiring a gradient posts one job (the taps cut), or none.
  const weightGrads = Object.keys(two.jobs).filter((name) => name.endsWith(' dW'));
  expect(weightGrads).toHaveLength(22);
  for (const name of weightGrads) expect([name, two.jobs[name]]).toEqual([name, INLINE.includes(name.slice(0, -3)) ? 0 : 1]);
  // Whole cases: forward and input gradient by images where the batch is cut too, plus the weight gradient.
  expect(two.jobs['conv 4x32x32x32 o64 k3 s2 p1']).toBe(3);
  expect(two.jobs['conv 2x3x9x9 o5 k3 s2 small']).toBe(0);
  expect(two.jobs['cnn compiled']).toBeGreaterThan(0);
  expect(two.jobs['cnn compiled']).toBe(two.jobs['cnn eager']);
  expect(two.out).toEqual(one.out);
  expect(twoAgain.out).toEqual(two.out);
  expect(twoAgain.jobs).toEqual(two.jobs);
});

test('the relaxed-SIMD threads build: bit-identical to its own single-thread build', async () => {
  const [one, two] = await Promise.all([run(1, 'relaxed'), run(2, 'relaxed')]);
  expect([one.build, two.build, two.threads]).toEqual(['relaxed-simd', 'relaxed-simd', 2]);
  expect(two.jobs['conv 17x64x33x33 o1 k3 s2 p1 dW']).toBe(1);
  expect(two.jobs['conv 9x17x33x31 o24 k1 pointwise 17 taps dW']).toBe(1);
  expect(two.out).toEqual(one.out);
});
