// Indexing ops, forward + backward, eager: the gather kernel's row runs (x.index(idx) along dim 0,
// the layout of an embedding lookup) against embedding's own kernel doing the same lookup, and its
// position walk (gather along the last dim, one index per element) against take, the same walk
// over a flat index. Interleaved in rounds so that machine noise hits all alike.
//
//   npx tsx bench/indexing.ts [--rounds=N] [--reps=N]      (WASMGRAD_WASM: another build)
//
// Printed per case: the median time of one forward + backward (µs) over rounds, and quartiles.
import * as wg from '../src/index.js';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const ROUNDS = arg('rounds', 21),
  REPS = arg('reps', 20);

await wg.init();
wg.manualSeed(1);
const ints = (n: number, hi: number, shape: number[]) =>
  wg.tensor(
    Int32Array.from({ length: n }, (_, i) => (i * 7919) % hi),
    { shape },
  );
const table = wg.randn([10000, 128], { requiresGrad: true });
const rows = ints(4096, 10000, [4096]);
const logits = wg.randn([256, 1000], { requiresGrad: true });
const picks = ints(256 * 8, 1000, [256, 8]);
const flat = wg.tensor(
  Int32Array.from(picks.data(), (k, i) => Math.floor(i / 8) * 1000 + k),
  { shape: [256, 8] },
);

const CASES: [string, () => wg.Tensor][] = [
  ['x.index(idx) [10000x128][4096]', () => table.index(rows)],
  ['embedding(idx, x) (same lookup)', () => wg.embedding(rows, table)],
  ['gather(x, 1, idx) [256x1000][256x8]', () => logits.gather(1, picks)],
  ['take(x, flat idx) (same elements)', () => logits.take(flat)],
];

const times = CASES.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++)
  CASES.forEach(([, run], c) => {
    const t0 = performance.now();
    for (let k = 0; k < REPS; k++) run().sum().backward();
    times[c].push(((performance.now() - t0) / REPS) * 1000);
  });

const q = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.floor(f * (xs.length - 1))];
CASES.forEach(([name], c) => {
  const t = times[c];
  console.log(`${name.padEnd(40)} ${q(t, 0.5).toFixed(1).padStart(8)} µs  (${q(t, 0.25).toFixed(1)}–${q(t, 0.75).toFixed(1)})`);
});
