// Two builds of wasmgrad in ONE process, eager and compiled training steps of W1–W5 interleaved:
//   node bench/interleaved.mjs --base ../other-checkout/dist/index.js [--only W3,W5] [--rounds 21]
// Per round, a chunk of steps of each build (alternating which goes first), timed as CPU time of
// this process (process.cpuUsage: other processes' load does not count); prints the median and the
// quartiles over rounds of the per-round ratio this / base (< 1: this build is faster). Chunks are
// long enough (~0.1–0.5 s) that a garbage-collection pause does not decide a round. Complements
// bench/versus.mjs, which compares samples/s of separate processes and is noisier on a shared machine.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : process.argv[i + 1];
};
const base = arg('base');
if (!base) {
  console.error('bench/interleaved: --base PATH/dist/index.js is required (the build to compare against)');
  process.exit(2);
}
const ONLY = arg('only', 'W1,W2,W3,W4,W5').split(',');
const ROUNDS = Number(arg('rounds', 21));
const THIS = process.env.WASMGRAD_DIST ? resolve(process.env.WASMGRAD_DIST) : fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** The workloads of notes/benchmarks.md: model, batch, input shape, and steps per timed chunk. */
const WORKLOADS = {
  W1: { mlp: [784, 128, 10], batch: 64, chunk: 800 },
  W2: { mlp: [784, 512, 512, 10], batch: 128, chunk: 60 },
  W3: { mlp: [784, 32, 10], batch: 16, chunk: 3000 },
  W4: { lenet: true, batch: 32, chunk: 150 },
  W5: { mlp: [784, 128, 10], batch: 1, chunk: 3000 },
};

/** An SGD step of workload w on build wg, eager and compiled, cycling over 4 fixed batches. */
function steps(wg, w) {
  wg.manualSeed(1);
  const nn = wg.nn;
  const layers = [];
  if (w.lenet)
    layers.push(new nn.Conv2d(1, 6, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten());
  const dims = w.lenet ? [256, 120, 84, 10] : w.mlp;
  for (let k = 0; k + 1 < dims.length; k++) {
    layers.push(new nn.Linear(dims[k], dims[k + 1]));
    if (k + 2 < dims.length) layers.push(new nn.ReLU());
  }
  const model = new nn.Sequential(...layers);
  const opt = new wg.optim.SGD(model.parameters(), { lr: 0.01 });
  const shape = w.lenet ? [w.batch, 1, 28, 28] : [w.batch, dims[0]];
  const xs = Array.from({ length: 4 }, () => wg.randn(shape));
  const ys = Array.from({ length: 4 }, () =>
    wg.tensor(
      Array.from({ length: w.batch }, (_, i) => i % 10),
      { dtype: 'int32' },
    ),
  );
  const body = (x, y) => {
    opt.zeroGrad();
    const loss = wg.losses.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss;
  };
  const compiled = wg.compile(body);
  return { eager: (i) => body(xs[i % 4], ys[i % 4]), compiled: (i) => compiled(xs[i % 4], ys[i % 4]) };
}

const cpu = (f, n) => {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f(i);
  const c = process.cpuUsage(c0);
  return c.user + c.system;
};

const builds = [await import(THIS), await import(resolve(base))];
for (const wg of builds) await wg.init();
console.log(`this build: ${THIS}\nbase:       ${resolve(base)}\n`);
console.log('| workload | mode | this / base (median) | quartiles |\n|---|---|---:|---|');
for (const name of ONLY) {
  const w = WORKLOADS[name];
  const [a, b] = builds.map((wg) => steps(wg, w));
  for (const mode of ['eager', 'compiled']) {
    const fa = a[mode],
      fb = b[mode];
    // warm-up: tier-up, first spills
    for (let i = 0; i < Math.min(w.chunk, 200); i++) {
      fa(i);
      fb(i);
    }
    const ratios = [];
    for (let r = 0; r < ROUNDS; r++) {
      const first = r % 2 === 0 ? fa : fb;
      const t1 = cpu(first, w.chunk),
        t2 = cpu(first === fa ? fb : fa, w.chunk);
      ratios.push(first === fa ? t1 / t2 : t2 / t1);
    }
    ratios.sort((x, y) => x - y);
    const q = (p) => ratios[Math.round(p * (ratios.length - 1))].toFixed(3);
    console.log(`| ${name} | ${mode} | ×${q(0.5)} | ${q(0.25)}–${q(0.75)} |`);
  }
}
