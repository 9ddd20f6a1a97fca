/**
 * The fused attention split across the worker pool by (batch, head) pairs, the recurrences and
 * cross-entropy by batch rows (assembly/kernels/attention.ts, recurrent.ts, loss.ts): forward and backward, eager
 * and compiled, at 1 and 2 threads in separate processes (test/helpers/threads-attn-run.ts) give
 * bit-identical float32 results, run to run too; records above the thresholds really post a job,
 * small ones none.
 */
import { expect, test } from 'vitest';
import { runChild } from './helpers/threads-child.js';

interface Run {
  threads: number;
  build: string;
  jobs: number;
  forwardJobs: Record<string, number>;
  out: Record<string, string>;
}

const run = (threads: number, build: 'simd' | 'relaxed', only = '') => runChild<Run>('threads-attn-run.ts', threads, build, [only], 120_000);

/** Jobs each forward posts at 2 threads: one per split record (W8's LSTM also splits its input projection GEMM; cross-entropy with the class dim in the middle splits too: test/threads-red.test.ts). */
const SPLIT_FORWARDS = {
  'attention 64x32x32x16x16 causal': 1,
  'attention 3x65x63x33x17 none': 1,
  'attention 17x33x31x32x32 causal': 1,
  'attention 8x40x33x32x24 mask': 1,
  'attention 8x40x33x32x24 maskShared': 1,
  'attention 2x256x256x64x64 causal': 1,
  'LSTM L50 N32 64->128': 2,
  'GRU L60 N40 8->16': 1,
  'RNN L17 N5 3->257': 1,
  'LSTM L9 N17 7->129': 1,
  'crossEntropy 1600x42x1': 1,
  'crossEntropy 3001x33x1': 1,
  'crossEntropy 700x42x7': 1,
};
const SMALL_FORWARDS = {
  'attention 1x1x1x1x1 none': 0,
  'attention 3x5x7x3x5 causal': 0,
  'attention 17x7x9x8x8 mask': 0,
  'attention 5x17x17x16x16 none': 0,
  'LSTM L1 N1 1->1': 0,
  'LSTM L50 N3 16->32': 0,
  'GRU L7 N17 5->7': 0,
  'RNN L17 N5 3->33': 0,
  'crossEntropy 1x1x1': 0,
  'crossEntropy 512x42x1': 0,
  'crossEntropy 17x5x3': 0,
};

test('2 threads: attention, recurrences and cross-entropy forward and backward (odd shapes, masks, causal; self-attention, a transformer encoder layer and an LSTM trained eagerly and compiled) bit-identical to 1 thread, and run to run', async () => {
  const [one, two, twoAgain] = await Promise.all([run(1, 'simd'), run(2, 'simd'), run(2, 'simd')]);
  expect([one.threads, two.threads, one.jobs]).toEqual([1, 2, 0]);
  expect(two.forwardJobs).toEqual({ ...SMALL_FORWARDS, ...SPLIT_FORWARDS });
  expect(Object.keys(one.out)).toHaveLength(30);
  expect(two.out).toEqual(one.out);
  expect(twoAgain.out).toEqual(two.out);
  expect(twoAgain.jobs).toBe(two.jobs);
});

test('2 threads: attention, recurrences and cross-entropy below the split thresholds post no job', async () => {
  const [one, two] = await Promise.all([run(1, 'simd', 'small'), run(2, 'simd', 'small')]);
  expect([two.threads, two.jobs]).toEqual([2, 0]);
  expect(two.forwardJobs).toEqual(SMALL_FORWARDS);
  expect(two.out).toEqual(one.out);
});

test('the relaxed-SIMD threads build: bit-identical to its own single-thread build', async () => {
  const [one, two] = await Promise.all([run(1, 'relaxed'), run(2, 'relaxed')]);
  expect([one.build, two.build, two.threads]).toEqual(['relaxed-simd', 'relaxed-simd', 2]);
  expect(two.forwardJobs).toEqual({ ...SMALL_FORWARDS, ...SPLIT_FORWARDS });
  expect(two.out).toEqual(one.out);
});
