/**
 * Soak run (issue 9, item 9; issue 13): `npm run soak`. Trains an MNIST-shaped MLP (784-128-10,
 * ReLU, Adam, batch 32) for 20,000 steps in each of four phases, each one synchronous loop: eager
 * and compiled, each with its batch sliced from a dataset tensor and with its batch made by
 * wg.tensor from plain arrays every step (as a data loader gives them). Prints every 1,000 steps
 * the WebAssembly memory, the JS heap in use and the process RSS. Verdict: in each phase, each of
 * the three may grow by less than 1% from the end of the warm-up (step 10,000 of the phase) to
 * step 20,000; exit code 1 otherwise.
 *
 * Data: 1,024 random samples with learnable labels (the largest of the first 10 features): one
 * dataset tensor made with wg.randn (spilled twice by the step ends, then persistent, see
 * docs/internals.md "Memory and lifetimes"), and the same values as plain arrays.
 *
 * What the measurement has to step around (V8, not the library):
 * - the JS heap is read after a full GC (node --expose-gc), so it counts live data, not garbage;
 * - node --min-semi-space-size=16 starts V8's young generation at its full size: left to itself,
 *   V8 doubles it (16 → 32 MiB) around step 10,000 of the eager phase, a one-time +16 MiB of RSS;
 * - the warm-up is long because V8 keeps compiling and re-laying out its heap for thousands of
 *   steps: heap used after GC at steps 5,000 / 10,000 / 60,000 of an eager run without sampling
 *   was 8,760 / 8,579 / 8,619 KiB, and heap snapshots at 10,000 and 20,000 steps differed by
 *   9 KiB, nearly all compiled code.
 */
import * as wg from '../src/index.js';
import { backend } from '../src/engine/engine.js';
import type { WasmBackend } from '../src/engine/backend/wasm.js';

const STEPS = 20_000;
const EVERY = 1_000;
const WARM_UP = 10_000;
const MAX_GROWTH = 0.01;
const N = 1024,
  BATCH = 32,
  IN = 784,
  CLASSES = 10;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('soak: run with node --expose-gc --min-semi-space-size=16 (npm run soak does)');
  process.exit(2);
}

await wg.init();
const wasm = backend('wasm') as WasmBackend;
wg.manualSeed(1);

const X = wg.randn([N, IN]);
const xs = Float32Array.from(X.rawValues());
const labels = Int32Array.from({ length: N }, (_, i) => {
  let best = 0;
  for (let c = 1; c < CLASSES; c++) if (xs[i * IN + c] > xs[i * IN + best]) best = c;
  return best;
});
const Y = wg.tensor(labels, { dtype: 'int32' });

const model = new wg.nn.Sequential(new wg.nn.Linear(IN, 128), new wg.nn.ReLU(), new wg.nn.Linear(128, CLASSES));
const opt = new wg.optim.Adam(model.parameters(), { lr: 1e-3 });
const step = (x: wg.Tensor, y: wg.Tensor): wg.Tensor => {
  const loss = wg.losses.crossEntropy(model.forward(x), y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  return loss;
};

interface Sample {
  wasm: number;
  heap: number;
  rss: number;
}
function sample(): Sample {
  gc!();
  const m = process.memoryUsage();
  return { wasm: wasm.memoryBytes, heap: m.heapUsed, rss: m.rss };
}

const mib = (b: number) => (b / 2 ** 20).toFixed(2).padStart(8);

type Batch = (at: number) => [wg.Tensor, wg.Tensor];
/** The batch at row `at` as op results: slices of the dataset tensors. */
const sliced: Batch = (at) => [X.slice(0, at, at + BATCH), Y.slice(0, at, at + BATCH)];
/** The batch at row `at` made with wg.tensor from plain arrays, a new pair of tensors every step. */
const uploaded: Batch = (at) => [wg.tensor(xs.subarray(at * IN, (at + BATCH) * IN), { shape: [BATCH, IN] }), wg.tensor(labels.subarray(at, at + BATCH))];

/** Runs one phase; returns its samples after warm-up (the first is the baseline). */
function phase(name: string, run: (x: wg.Tensor, y: wg.Tensor) => wg.Tensor, batch: Batch): Sample[] {
  console.log(`\n${name}: ${STEPS} steps`);
  console.log('    step   wasm MiB   heap MiB    rss MiB   ms/step    loss');
  const kept: Sample[] = [];
  let t0 = performance.now();
  for (let s = 1; s <= STEPS; s++) {
    const at = ((s - 1) * BATCH) % N;
    const loss = run(...batch(at));
    if (s % EVERY !== 0) continue;
    const ms = (performance.now() - t0) / EVERY;
    const v = sample();
    if (s >= WARM_UP) kept.push(v);
    console.log(`${String(s).padStart(8)} ${mib(v.wasm)}   ${mib(v.heap)}   ${mib(v.rss)}   ${ms.toFixed(3).padStart(7)}  ${loss.item().toFixed(4)}`);
    t0 = performance.now();
  }
  return kept;
}

function verdict(name: string, samples: Sample[]): boolean {
  const base = samples[0],
    last = samples[samples.length - 1];
  let ok = true;
  for (const k of ['wasm', 'heap', 'rss'] as const) {
    const growth = (last[k] - base[k]) / base[k];
    const pass = growth < MAX_GROWTH;
    ok &&= pass;
    console.log(
      `${name} ${k.padEnd(4)}: ${mib(base[k])} MiB at step ${WARM_UP} → ${mib(last[k])} MiB at step ${STEPS}: ${(growth * 100).toFixed(2)}% ${pass ? 'ok' : 'FAIL'}`,
    );
  }
  return ok;
}

const started = performance.now();
const phases: [string, Sample[]][] = [
  ['eager, sliced batches           ', phase('eager, batches sliced from the dataset', step, sliced)],
  ['compiled, sliced batches        ', phase('compiled, batches sliced from the dataset', wg.compile(step), sliced)],
  ['eager, wg.tensor every step     ', phase('eager, a batch made with wg.tensor every step', step, uploaded)],
  ['compiled, wg.tensor every step  ', phase('compiled, a batch made with wg.tensor every step', wg.compile(step), uploaded)],
];
console.log(
  `\nsoak: ${(phases.length * STEPS).toLocaleString('en')} steps in ${((performance.now() - started) / 1000).toFixed(1)} s; growth after warm-up (limit ${MAX_GROWTH * 100}%):`,
);
const ok = phases.map(([name, samples]) => verdict(name, samples)).every(Boolean);
console.log(ok ? 'soak: PASS' : 'soak: FAIL');
process.exit(ok ? 0 : 1);
