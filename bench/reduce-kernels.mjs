// Reduction kernel timings, two builds side by side in one process: sums over the last dim, the
// first dim and all dims, softmax, an elementwise backward without broadcasting, broadcast-add
// backwards (whose broadcast input's gradient is an un-broadcasting sum), at 10^6 and 10^7
// elements, and LeNet-5's conv2d backwards, through the public eager API. The builds' rounds
// alternate (old, new, old, new, …) so that both see the same machine load; prints the median µs
// per call of each and the median over rounds of new / old (below 1: the new build is faster). The
// backward cases keep their gradients, so every call adds into the same buffers (no allocation).
//   bash bench/dev-build.sh old     (in a checkout of the baseline: builds bench/.wg-old/)
//   bash bench/dev-build.sh new     (in the working tree)
//   node bench/reduce-kernels.mjs --old=bench/.wg-old/index.js --new=bench/.wg-new/index.js [--rounds=9] [--ms=150] [--only=TEXT]
// Without --old only the new build (default ../dist/index.js) is timed; --only keeps the cases whose
// name contains TEXT.
const arg = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const ROUNDS = Number(arg('rounds', 9)),
  ROUND_MS = Number(arg('ms', 150));

async function load(path) {
  const wg = await import(new URL(path, `file://${process.cwd()}/`).href);
  await wg.init();
  wg.manualSeed(1);
  return wg;
}

const builds = [];
if (arg('old')) builds.push({ name: 'old', wg: await load(arg('old')) });
builds.push({ name: 'new', wg: await load(arg('new', new URL('../dist/index.js', import.meta.url).pathname)) });

/** One case: make(wg) returns the function to time (its results are recycled by noGrad / backward). */
const CASES = [];
for (const [rows, cols] of [
  [1000, 1000],
  [10_000, 1000],
]) {
  const n = `${(rows * cols) / 1e6}M`;
  const input = (wg) => wg.rand([rows, cols]);
  CASES.push(
    {
      name: `sum last dim [${rows}, ${cols}] (${n})`,
      make: (wg) => {
        const x = input(wg);
        return () => wg.noGrad(() => void x.sum(1));
      },
    },
    {
      name: `sum first dim [${rows}, ${cols}] (${n})`,
      make: (wg) => {
        const x = input(wg);
        return () => wg.noGrad(() => void x.sum(0));
      },
    },
    {
      name: `sum all [${rows}, ${cols}] (${n})`,
      make: (wg) => {
        const x = input(wg);
        return () => wg.noGrad(() => void x.sum());
      },
    },
    {
      name: `softmax last dim [${rows}, ${cols}] (${n})`,
      make: (wg) => {
        const x = input(wg);
        return () => wg.noGrad(() => void x.softmax(-1));
      },
    },
    {
      // No broadcast (the common case, no long sum): must not slow down.
      name: `mul [${rows}, ${cols}] · [${rows}, ${cols}] fwd+bwd (${n})`,
      make: (wg) => {
        const x = wg.rand([rows, cols], { requiresGrad: true }),
          y = wg.rand([rows, cols], { requiresGrad: true }),
          g = wg.rand([rows, cols]);
        return () => x.mul(y).backward(g);
      },
    },
    {
      // b̄ = column sums of the seed: each of b's elements takes one share per row.
      name: `add [${rows}, ${cols}] + [${cols}] fwd+bwd (${n})`,
      make: (wg) => {
        const x = wg.rand([rows, cols], { requiresGrad: true }),
          b = wg.rand([cols], { requiresGrad: true }),
          g = wg.rand([rows, cols]);
        return () => x.add(b).backward(g);
      },
    },
    {
      // s̄ = Σ of the whole seed, one broadcast row.
      name: `add [${rows * cols}] + [] fwd+bwd (${n})`,
      make: (wg) => {
        const x = wg.rand([rows * cols], { requiresGrad: true }),
          s = wg.rand([], { requiresGrad: true }),
          g = wg.rand([rows * cols]);
        return () => x.add(s).backward(g);
      },
    },
  );
}

// conv2d backward (LeNet-5's layers at batch 32, as bench/conv-kernels.mjs): the weight gradient
// sums each image's tile apart before adding it up, and the bias gradient is a long sum.
for (const L of [
  { c: 1, h: 28, o: 6, pad: 2 },
  { c: 6, h: 14, o: 16, pad: 0 },
]) {
  const oh = L.h + 2 * L.pad - 4;
  CASES.push({
    name: `conv2d ${L.c}→${L.o} 5×5 [32, ${L.c}, ${L.h}, ${L.h}] fwd+bwd`,
    make: (wg) => {
      const x = wg.rand([32, L.c, L.h, L.h]),
        w = wg.rand([L.o, L.c, 5, 5], { requiresGrad: true }),
        b = wg.rand([L.o], { requiresGrad: true });
      const g = wg.rand([32, L.o, oh, oh]);
      return () => wg.conv2d(x, w, b, { padding: L.pad }).backward(g);
    },
  });
}

/** µs per call of fn over one round of ~ROUND_MS (reps fixed by the calibration). */
function round(fn, reps) {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return ((performance.now() - t0) * 1000) / reps;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

console.log(`reduction kernels, eager, median of ${ROUNDS} alternating rounds of ~${ROUND_MS} ms (µs per call)`);
console.log(['case', ...builds.map((b) => b.name), ...(builds.length === 2 ? ['new/old'] : [])].join('\t'));
for (const c of CASES.filter((c) => c.name.includes(arg('only', '')))) {
  const runs = builds.map((b) => {
    const fn = c.make(b.wg);
    let reps = 0;
    for (const t0 = performance.now(); performance.now() - t0 < ROUND_MS; reps++) fn(); // warm-up and calibration
    return { fn, reps: Math.max(reps, 1), times: [] };
  });
  for (let r = 0; r < ROUNDS; r++) for (const run of runs) run.times.push(round(run.fn, run.reps));
  // The ratio is the median of each round's new / old: neighbouring rounds share the machine's load.
  const ratio = runs.length === 2 ? [median(runs[1].times.map((t, r) => t / runs[0].times[r])).toFixed(3)] : [];
  console.log([c.name, ...runs.map((run) => median(run.times).toFixed(0)), ...ratio].join('\t'));
}
