/**
 * Fuzzed cross-checks (test/helpers/fuzz.ts): random graphs of public ops, each run on the WASM
 * and the reference backend with the same leaf values; shapes, values and every leaf gradient
 * must agree, and the reference's gradients must match central differences along a random
 * direction. More seeds: npm run fuzz -- --count N --seed S.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { fuzzGraph, fuzzSeed, type Outcome } from './helpers/fuzz.js';
import { FUZZ_OPS } from './helpers/fuzz-ops.js';
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
