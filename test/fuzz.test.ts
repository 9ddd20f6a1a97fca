/**
 * Fuzzed cross-checks (test/helpers/fuzz.ts): random graphs of public ops, each run on the WASM
 * and the reference backend with the same leaf values; shapes, values and every leaf gradient
 * must agree, and the reference's gradients must match central differences along a random
 * direction. More seeds: npm run fuzz -- --count N --seed S.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { fuzzGraph, fuzzSeed, type Outcome } from './helpers/fuzz.js';
import { FUZZ_OPS, SKIP_ZERO_SIZE_MATMUL_BATCH } from './helpers/fuzz-ops.js';
import { initWasm } from './helpers/setup.js';

beforeAll(initWasm);

const SEEDS = Array.from({ length: 1000 }, (_, i) => i + 1);
const outcomes: Outcome[] = [];

describe('fuzzed graphs: wasm (float32) vs reference (float64)', () => {
  test.each(SEEDS)('seed %i', (seed) => {
    const r = fuzzSeed(seed);
    outcomes.push(r);
    expect(r.failures, `seed ${seed} (npm run fuzz -- --seed ${seed} --count 1):\n${r.code}\n`).toEqual([]);
  });

  test('the seeds reach every op of the catalogue', () => {
    const made = new Set(SEEDS.flatMap((seed) => fuzzGraph(seed).nodes.flatMap((n) => (n.kind === 'call' ? [n.fn.replace(/^wg\./, '')] : []))));
    expect(FUZZ_OPS.map((op) => op.name).filter((name) => !made.has(name))).toEqual([]);
  });

  // Rounding flips and kinks crossed by the finite-difference steps are rare; many would mean
  // the generator builds graphs that sit on their kinks, which then go unchecked.
  test('almost every graph is compared, and checked against central differences', () => {
    expect(outcomes.length).toBe(SEEDS.length);
    expect(outcomes.filter((r) => r.skipped).length).toBeLessThanOrEqual(SEEDS.length / 100);
    expect(outcomes.filter((r) => r.fd === undefined).length).toBeLessThanOrEqual(SEEDS.length / 20);
  });
});

// The temporary exclusion must not outlive its bug: this fails once matmul gets 0-size batch dims right.
test.runIf(SKIP_ZERO_SIZE_MATMUL_BATCH)('the temporary exclusion SKIP_ZERO_SIZE_MATMUL_BATCH is still needed', () => {
  const shapes = (['wasm', 'reference'] as const).map((be) => {
    wg.setBackend(be);
    return [...wg.ones([0, 2, 3]).matmul(wg.ones([3, 4])).shape];
  });
  const fixed = shapes.every((s) => s.join() === '0,2,4');
  expect(fixed, 'matmul handles 0-size batch dims now: remove SKIP_ZERO_SIZE_MATMUL_BATCH (test/helpers/fuzz-ops.ts) and this test').toBe(false);
});
