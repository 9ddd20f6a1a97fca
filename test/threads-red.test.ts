/**
 * Cross-entropy through the outer cut (assembly/split.ts, AUX cut like the logits; class dim last
 * and in the middle), reductions over a tensor's first dim (cut along inner, by columns) and strided
 * copies and cat/stack (shape.ts, runs of whole output rows) across the worker pool: every output element gets
 * the single-thread kernel's float operations, so 2 threads give the raw bits of 1 thread (and the
 * same run to run), forward and backward, eager and in a compiled training step, compared in
 * separate processes (test/helpers/threads-red-run.ts).
 */
import { expect, test } from 'vitest';
import { threadsRunner } from './helpers/threads-child.js';

type Jobs = { fwd: number; bwd: number };
const run = threadsRunner<Record<string, Jobs>>('threads-red-run.ts');

/** Case names by the runner's naming: below the thresholds, above them, above but kept on one thread. */
const kind = (name: string) => (name.includes(' small') ? 'small' : name.includes(' inline') ? 'inline' : 'large');
/** Forward-only cases: int32 results (no gradient). */
const forwardOnly = (name: string) => /^(copyInt|catInt|argmax int|max indices) /.test(name);

test('2 threads: cross-entropy, reductions over dim 0, copies and joins bit-identical to 1 thread, and run to run; small ones stay inline', async () => {
  const [one, two, twoAgain] = await Promise.all([run(1, 'simd'), run(2, 'simd'), run(2, 'simd')]);
  expect([one.threads, two.threads]).toEqual([1, 2]);
  expect(Object.values(one.jobs).every((j) => j.fwd === 0 && j.bwd === 0)).toBe(true);
  expect(Object.keys(one.out)).toHaveLength(149);
  for (const [name, j] of Object.entries(two.jobs)) {
    const k = kind(name);
    if (k === 'small') expect([name, j]).toEqual([name, { fwd: 0, bwd: 0 }]);
    // expand: the forward splits; its backward adds several outputs into one input element: inline
    else if (k === 'inline') expect([name, j]).toEqual([name, { fwd: 1, bwd: 0 }]);
    else if (name.startsWith('train')) expect(j.fwd).toBeGreaterThan(20);
    else if (forwardOnly(name)) expect([name, j.fwd >= 1]).toEqual([name, true]);
    // the op's own record, forward and backward (x.grad exists already, so no zero fill is counted)
    else expect([name, j]).toEqual([name, { fwd: 1, bwd: 1 }]);
  }
  expect(two.out).toEqual(one.out);
  expect(twoAgain.out).toEqual(two.out);
  expect(twoAgain.jobs).toEqual(two.jobs);
}, 300_000);

test('the relaxed-SIMD threads build: bit-identical to its own single-thread build', async () => {
  const relaxed = (threads: number) => run(threads, 'relaxed');
  const [one, two] = await Promise.all([relaxed(1), relaxed(2)]);
  expect(two.out).toEqual(one.out);
  // one case of each kind of cut: outer (K-dim cross-entropy, 9 samples), inner (3 samples; a sum over dim 0), output rows (a transpose),
  // a join's rows and its blocks' shares
  const cases = [
    'crossEntropy large 9x10x1031 kdim',
    'crossEntropy large 3x7x4099 kdim',
    'sum large 4096x129',
    'copy transpose large 2048x512',
    'cat dim 1 large 2048x300 2048x213',
    'cat dim 1 large 3x349527 3x5 3x17',
  ];
  expect(cases.map((c) => two.jobs[c])).toEqual(cases.map(() => ({ fwd: 1, bwd: 1 })));
  expect([one.build, two.build, two.threads]).toEqual(['relaxed-simd', 'relaxed-simd', 2]);
}, 300_000);
