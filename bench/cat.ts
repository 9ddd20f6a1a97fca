// cat of many tensors: one record of up to 17 inputs (the variadic join) against the former
// grouped way, which joined at most 4 tensors per record and concatenated the groups' results
// (8 tensors: two cats of 4, then one of 2; 32: eight of 4, two of 4, one of 2), interleaved in
// rounds so that machine noise hits both alike. Eager forward + backward, as a model calls it.
//
//   npx tsx bench/cat.ts [--rounds=N] [--reps=N]      (WASMGRAD_WASM: another build)
//
// Tensors [64, 16] (a batch of feature blocks) joined along dim 1, and along dim 0.
// Printed: the median time of each, and the median (quartiles) over rounds of grouped / one op.
import * as wg from '../src/index.js';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const ROUNDS = arg('rounds', 41),
  REPS = arg('reps', 50);

/** The former grouped join: groups of ≤ 4 (each one record), then their results, recursively. */
function grouped(ts: wg.Tensor[], dim: number): wg.Tensor {
  if (ts.length <= 4) return wg.cat(ts, dim);
  const g = Math.ceil(ts.length / 4);
  return grouped(
    Array.from({ length: g }, (_, i) => grouped(ts.slice(Math.floor((i * ts.length) / g), Math.floor(((i + 1) * ts.length) / g)), dim)),
    dim,
  );
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

await wg.init({ wasm: process.env.WASMGRAD_WASM ?? new URL('../build/wasmgrad.wasm', import.meta.url).pathname });
for (const k of [8, 32])
  for (const dim of [1, 0]) {
    wg.manualSeed(1);
    const xs = Array.from({ length: k }, () => wg.randn([64, 16], { requiresGrad: true }));
    const joins = [(ts: wg.Tensor[]) => wg.cat(ts, dim), (ts: wg.Tensor[]) => grouped(ts, dim)];
    const steps = joins.map((join) => () => {
      // CPU time of this process: on a shared machine the wall clock also counts other jobs.
      const t0 = process.cpuUsage();
      for (let r = 0; r < REPS; r++) join(xs).sum().backward();
      const dt = process.cpuUsage(t0);
      return (dt.user + dt.system) / 1000 / REPS;
    });
    steps.forEach((s) => s()); // warm-up
    const times: number[][] = [[], []];
    for (let r = 0; r < ROUNDS; r++) for (const i of r % 2 ? [1, 0] : [0, 1]) times[i].push(steps[i]());
    const ratios = times[1].map((t, r) => t / times[0][r]).sort((a, b) => a - b);
    const q = (f: number) => ratios[Math.floor(f * (ratios.length - 1))].toFixed(3);
    console.log(
      `cat of ${k} [64x16] dim ${dim}: one op ${median(times[0]).toFixed(4)} ms   grouped by 4 ${median(times[1]).toFixed(4)} ms   grouped / one op ${q(0.5)} (quartiles ${q(0.25)}–${q(0.75)})`,
    );
  }
