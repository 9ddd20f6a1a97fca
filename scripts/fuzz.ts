/**
 * npm run fuzz -- --count N --seed S: the fuzzed cross-checks of test/helpers/fuzz.ts for seeds
 * S..S+N−1 (defaults: 1000 graphs from seed 1), with progress, a summary of the calls made, and
 * every failing graph as code. Exit code 1 when any graph fails.
 * WASMGRAD_WASM=/tmp/wasmgrad-NAME.wasm runs a private build (scripts/dev-build.sh).
 */
import { parseArgs } from 'node:util';
import * as wg from '../src/index.js';
import { FD_TOL, TOL, fuzzSeed, type Outcome } from '../test/helpers/fuzz.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' } } });
const count = Number(values.count),
  first = Number(values.seed);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(first) || first < 0) {
  console.error(`usage: npm run fuzz -- [--count N] [--seed S]: N ≥ 1 graphs from seed S ≥ 0 (got --count ${values.count} --seed ${values.seed})`);
  process.exit(2);
}
await wg.init({ wasm: process.env.WASMGRAD_WASM });

const failed: Outcome[] = [];
const calls = new Map<string, number>();
let skipped = 0,
  fdChecked = 0,
  fdWorst = 0,
  worst = 0,
  worstSeed = first;
const start = performance.now();
const every = Math.max(1, Math.round(count / 20));
for (let i = 0; i < count; i++) {
  const seed = first + i;
  let r: Outcome;
  try {
    r = fuzzSeed(seed);
  } catch (e) {
    // A throw outside the library's calls is the generator's own bug: report it like a failure.
    r = { seed, code: '(the generator threw)', failures: [`fuzz: ${(e as Error).stack}`], skipped: false, calls: [], worst: Infinity, fd: undefined };
  }
  if (r.skipped) skipped++;
  if (r.failures.length === 0 && r.worst > worst) [worst, worstSeed] = [r.worst, seed];
  if (r.fd !== undefined) [fdChecked, fdWorst] = [fdChecked + 1, Math.max(fdWorst, r.fd)];
  for (const c of r.calls) calls.set(c, (calls.get(c) ?? 0) + 1);
  if (r.failures.length > 0) {
    failed.push(r);
    console.log(`seed ${seed}: FAILED: ${r.failures[0]}`);
  }
  if ((i + 1) % every === 0 || i + 1 === count)
    console.log(
      `fuzz: ${i + 1}/${count} graphs, ${failed.length} failed, ${skipped} skipped (rounding crossed a kink in every draw), ${((performance.now() - start) / 1000).toFixed(1)} s`,
    );
}

console.log(`\ncalls made (${[...calls.values()].reduce((a, n) => a + n, 0)} in all):`);
console.log(
  [...calls]
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ${n}`)
    .join(', '),
);
console.log(`wasm vs reference: worst normalised error ${worst.toExponential(2)} (seed ${worstSeed}) among the graphs that agree (tolerance ${TOL})`);
console.log(
  `reference gradients vs central differences: ${fdChecked} graphs checked (others stepped across a kink), worst normalised error ${fdWorst.toExponential(2)} (tolerance ${FD_TOL})`,
);
for (const r of failed) console.log(`\n---- seed ${r.seed} ----\n${r.failures.join('\n')}\n${r.code}`);
console.log(
  `\n${count} graphs from seed ${first}: ${count - failed.length - skipped} agreed, ${failed.length} failed${failed.length ? ` (seeds ${failed.map((r) => r.seed).join(', ')})` : ''}, ${skipped} skipped (rounding crossed a kink in every draw)`,
);
process.exitCode = failed.length > 0 ? 1 : 0;
