/**
 * Layer norm, group norm, batch norm over [N, C] (assembly/kernels/norm.ts) and the embedding
 * backward (shape.ts) split across the worker pool: results with 2 threads are bit-identical to 1
 * thread and run to run, compared on the raw float32 bits in separate processes
 * (test/helpers/threads-norm-run.ts), with jobs posted exactly where the work is above the split
 * threshold. A plan that undercounted the deferred dγ/dβ scratch would abort its record (the
 * arena's bound), so these runs also check the plans at 2 threads.
 */
import { expect, test } from 'vitest';
import { threadsRunner } from './helpers/threads-child.js';

const run = threadsRunner<Record<string, number>>('threads-norm-run.ts');

/**
 * Cases that post no job: group and layer norm below 2¹⁵ values, batch norm over [N, C] below 2¹⁶
 * values or with fewer than two 16-channel runs, embedding below 2¹⁸ gradient elements.
 */
const INLINE = [
  'layerNorm 1x1 both',
  'layerNorm 3x5 both',
  'layerNorm 17x7 both',
  'layerNorm 4096x1 both',
  'layerNorm 4x129x63 both',
  'groupNorm 2x6x5x5 g3 both',
  'groupNorm 3x5x7 g5 both',
  'groupNorm 7x17x9x11 g17 both',
  'groupNorm 9x12x33x7 g1 none',
  'groupNorm 600x51 g3 both',
  'batchNorm 5x3 both',
  'batchNorm 17x7 both',
  'batchNorm 4096x17 both',
  'embedding 7 of 3x5',
  'embedding 17 of 5x17',
  'embedding 512 of 65x64',
  'embedding 1600 of 40x64',
  'embedding 3000 of 7x67',
];

test('2 threads: layer, group and [N, C] batch norm and the embedding backward, and models with them trained eagerly and compiled, bit-identical to 1 thread and run to run', async () => {
  const [one, two, twoAgain] = await Promise.all([run(1, 'simd'), run(2, 'simd'), run(2, 'simd')]);
  expect([one.threads, two.threads]).toEqual([1, 2]);
  expect(Object.values(one.jobs).every((j) => j === 0)).toBe(true);
  for (const name of Object.keys(two.jobs)) expect([name, two.jobs[name] > 0]).toEqual([name, !INLINE.includes(name)]);
  // One job for the forward and one for the backward record (nothing else of these is large).
  for (const name of ['layerNorm 512x64 both', 'layerNorm 513x67 both', 'groupNorm 16x32x16x16 g8 both', 'groupNorm 1025x64 g4 both', 'batchNorm 1000x67 both'])
    expect([name, two.jobs[name]]).toEqual([name, 2]);
  // The embedding cases count their backward alone: one job.
  for (const name of ['embedding 4096 of 50x67', 'embedding 5000 of 97x64', 'embedding 9 of 4x40000']) expect([name, two.jobs[name]]).toEqual([name, 1]);
  expect(two.out).toEqual(one.out);
  expect(twoAgain.out).toEqual(two.out);
  expect(twoAgain.jobs).toEqual(two.jobs);
});

test('the relaxed-SIMD threads build: bit-identical to its own single-thread build (madd fused or not, a column keeps its path)', async () => {
  const [one, two] = await Promise.all([run(1, 'relaxed'), run(2, 'relaxed')]);
  expect([one.build, two.build, two.threads]).toEqual(['relaxed-simd', 'relaxed-simd', 2]);
  expect(Object.values(two.jobs).some((j) => j > 0)).toBe(true);
  expect(two.out).toEqual(one.out);
});
