// G1: SGEMM throughput (ours and peers) and the SIMD mul+add peak probe of bench/peak.ts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Compiles bench/peak.ts with the repo's AssemblyScript (root devDependency) when out of date. */
export function buildPeak() {
  const src = path.join(here, 'peak.ts');
  const out = path.join(here, '.build', 'peak.wasm');
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const asc = path.join(here, '..', 'node_modules', '.bin', process.platform === 'win32' ? 'asc.cmd' : 'asc');
  if (!fs.existsSync(asc)) throw new Error(`peak probe: ${asc} not found (run npm install at the repo root first)`);
  // Run from bench/ so the repo's asconfig.json (the library's targets) is not picked up.
  execFileSync(asc, ['peak.ts', '--runtime', 'stub', '--enable', 'simd', '-O3', '--noAssert', '-o', out], {
    cwd: here,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return out;
}

/** The peak probes: { name: (iters) => void }, 64 flops per iteration each. */
export async function loadPeak() {
  const file = buildPeak();
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(file), {
    env: {
      abort() {
        throw new Error('peak probe aborted');
      },
    },
  });
  instance.exports.setup();
  return {
    'regs (8 acc, operands in registers)': (n) => instance.exports.regs(n),
    'l1 4×8 (8 acc, loads from L1, as the GEMM micro-kernel)': (n) => instance.exports.l1kernel(n),
  };
}

export const FORMS = [
  { id: 'AB', label: 'A·B' },
  { id: 'ABt', label: 'A·Bᵀ' },
  { id: 'AtB', label: 'Aᵀ·B' },
];

/**
 * wasmgrad GEMM: matmul of contiguous persistent tensors. The transposed forms pass matmul's
 * transposeA / transposeB flags: the GEMM reads the operand with swapped strides while packing, no
 * copy is made. (A build without the flags, i.e. without wg.linear, falls back to a transpose copy.)
 */
export function wasmgradGemm(wg, n, form) {
  const a = wg.randn([n, n]),
    b = wg.randn([n, n]);
  const flags = typeof wg.linear === 'function';
  const f =
    form === 'AB'
      ? () => a.matmul(b)
      : form === 'ABt'
        ? flags
          ? () => a.matmul(b, { transposeB: true })
          : () => a.matmul(b.transpose())
        : flags
          ? () => a.matmul(b, { transposeA: true })
          : () => a.transpose().matmul(b);
  // noGrad recycles what fn makes when it returns: no growth over repeats.
  return {
    run: () =>
      wg.noGrad(() => {
        f();
      }),
  };
}

/** The footnote of the transposed forms in the G1 table (wg: the measured build). */
export function gemmFootnote(wg) {
  const ours =
    typeof wg.linear === 'function'
      ? 'wasmgrad: `a.matmul(b, { transposeB: true })` / `a.matmul(b, { transposeA: true })`: the GEMM reads the transposed operand in place (its packing swaps strides), no copy'
      : 'wasmgrad: `a.matmul(b.transpose())` / `a.transpose().matmul(b)` (this build has no transpose flags): a strided transpose copy, then the GEMM, copy time included';
  return `\\* ${ours}. GFLOP/s counts 2n³ per product. Peers: tfjs-wasm \`tf.matMul(a, b, transposeA, transposeB)\`; jax-js \`jit(matmul)\` with \`.transpose()\` fused, plus a \`dataSync()\` of the result.`;
}

// ---- the --threads axis of G1 (issue 15) ------------------------------------------------------
// `node bench/gemm.mjs --threads 1,2 [--n 256,512,1024] [--rounds 7]`: A·B at each thread count.
// wg.init fixes the thread count for a process, so each count runs in its own child process
// (wasmgrad from ../dist, or WASMGRAD_DIST), all alive at once; the parent asks them in turn, the
// order alternating per round, for a chunk of products of ~0.3 s and reports the median rate per
// count. Wall-clock time (not CPU time, which counts every thread's work) is what threads shorten.
// Each n is timed twice: as G1 everywhere (eager `noGrad(() => a.matmul(b))`, whose result the
// scope's end copies out to the JS heap, as it does any tensor the code might still hold: ~2 ms
// for n = 1024 that no thread count shortens), and as the product alone (a compiled function
// that computes a·b and keeps nothing: the GEMM the threads split).

const CHUNK_MS = 300;

async function threadsChild(threads) {
  const url = process.env.WASMGRAD_DIST ? new URL(process.env.WASMGRAD_DIST, `file://${process.cwd()}/`) : new URL('../dist/index.js', import.meta.url);
  const wg = await import(url.href);
  await wg.init({ threads });
  const gemms = new Map();
  process.on('message', ({ n, product, calls }) => {
    const key = `${n} ${product}`;
    if (!gemms.has(key)) {
      const g = product ? productOnly(wg, n) : wasmgradGemm(wg, n, 'AB');
      for (let k = 0; k < 5; k++) g.run(); // tier-up
      const t0 = performance.now();
      g.run();
      gemms.set(key, { g, calls: Math.max(2, Math.round(CHUNK_MS / (performance.now() - t0))) });
    }
    const e = gemms.get(key);
    const t0 = performance.now();
    for (let k = 0; k < (calls ?? e.calls); k++) e.g.run();
    process.send({ ms: performance.now() - t0, calls: calls ?? e.calls });
  });
  process.send({ ready: true, threads: wg.info().threads, build: wg.info().build });
}

/** A·B alone: a compiled function that computes the product and keeps nothing (no result to copy out). */
function productOnly(wg, n) {
  const a = wg.randn([n, n]),
    b = wg.randn([n, n]);
  const step = wg.compile((x, y) => {
    x.matmul(y);
  });
  return { run: () => step(a, b) };
}

/**
 * G1's threads axis: A·B at each of `counts` (numbers or 'auto') for each n in `sizes`, wasmgrad in
 * one child process per count and, when `torchGemm` is given (runner-torch.mjs), PyTorch's torch.mm
 * at the same counts ('auto' = the core count). Returns the report (markdown).
 */
export async function gemmThreadsAxis(counts, { sizes = [256, 512, 1024], rounds = 7, torchGemm } = {}) {
  const { fork } = await import('node:child_process');
  const os = await import('node:os');
  const cores = os.cpus().length;
  const fmtLoad = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  const loadBefore = fmtLoad();
  const kids = await Promise.all(
    counts.map(
      (t) =>
        new Promise((resolve, reject) => {
          const child = fork(fileURLToPath(import.meta.url), ['--child', String(t)], { execArgv: process.execArgv });
          child.once('message', (m) => resolve({ t, child, info: m }));
          child.once('error', reject);
        }),
    ),
  );
  const ask = (kid, n, product) => new Promise((resolve) => (kid.child.once('message', resolve), kid.child.send({ n, product })));
  // 'auto': the count wasmgrad's own 'auto' child runs, which PyTorch is then given too.
  const auto = kids.find((k) => k.t === 'auto')?.info.threads ?? cores;
  // PyTorch per count: as many products as take ~CHUNK_MS, found from one timed product per n.
  const torch = torchGemm
    ? await Promise.all([...new Set(counts.map((t) => (t === 'auto' ? auto : t)))].map(async (t) => ({ t, mm: await torchGemm(t), calls: new Map() })))
    : [];
  const askTorch = async (tk, n) => {
    if (!tk.calls.has(n)) tk.calls.set(n, Math.max(1, Math.round(CHUNK_MS / (await tk.mm(n, 1)))));
    const calls = tk.calls.get(n);
    return { ms: await tk.mm(n, calls), calls };
  };
  const rates = new Map(); // `${who} ${n} ${t}` → GFLOP/s per chunk
  const add = (key, n, { ms, calls }) => rates.set(key, [...(rates.get(key) ?? []), (2 * n ** 3 * calls) / ms / 1e6]);
  for (let r = 0; r < rounds; r++)
    for (const n of sizes) {
      for (const product of [false, true])
        for (const kid of r % 2 ? [...kids].reverse() : kids) add(`wasmgrad ${n}${product ? ' product' : ''} ${kid.t}`, n, await ask(kid, n, product));
      for (const tk of torch) add(`PyTorch ${n} ${tk.t}`, n, await askTorch(tk, n));
    }
  for (const k of kids) k.child.kill();
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const [t1, ...more] = counts;
  const head = [
    'n',
    ...counts.map((t) => `wasmgrad ${t}T GFLOP/s`),
    ...more.map((t) => `wasmgrad ${t}T/${t1}T`),
    ...torch.map((tk) => `PyTorch ${tk.t}T GFLOP/s`),
  ];
  const lines = [
    `## G1 A·B, threads axis (${counts.join(', ')}; 'auto' = ${auto} here)`,
    '',
    `${cores} cores, load average ${loadBefore} before, ${fmtLoad()} after; ${rounds} rounds, medians of wall-clock GFLOP/s per chunk of ~${CHUNK_MS} ms, order alternating per round.`,
    ...kids.map((k) => `- threads ${k.t}: wasmgrad runs ${k.info.threads} thread(s), build ${k.info.build}`),
    ...(torchGemm ? [] : ['- PyTorch: not run']),
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
  ];
  for (const n of sizes)
    for (const product of [false, true]) {
      const med = (who, t) => median(rates.get(`${who} ${n}${who === 'wasmgrad' && product ? ' product' : ''} ${t}`));
      const ours = counts.map((t) => med('wasmgrad', t));
      const row = [
        ...ours.map((x) => x.toFixed(1)),
        ...ours.slice(1).map((x) => `${(x / ours[0]).toFixed(2)}×`),
        ...torch.map((tk) => (product ? '' : med('PyTorch', tk.t).toFixed(1))),
      ];
      lines.push(`| ${n}${product ? ', product alone' : ''} | ${row.join(' | ')} |`);
    }
  lines.push(
    '',
    "'product alone': a compiled `(a, b) => { a.matmul(b); }`, nothing kept; the other rows are G1 as everywhere (eager, the result copied out of WebAssembly memory when its `noGrad` scope ends).",
  );
  // Issue 15's G1 target: n = 1024 at two threads ≥ 1.8× one thread.
  if (sizes.includes(1024) && counts.includes(1) && counts.includes(2)) {
    const ratio = (kind) => median(rates.get(`wasmgrad 1024${kind} 2`)) / median(rates.get(`wasmgrad 1024${kind} 1`));
    const [eager, product] = [ratio(''), ratio(' product')];
    const met = (x) => `${x.toFixed(2)}× ${x >= 1.8 ? 'met' : 'not met'}`;
    lines.push('', `Issue 15's target (G1 n = 1024, 2T/1T ≥ 1.8×): eager ${met(eager)}, the product alone ${met(product)}.`);
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const list = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1].split(',').map((s) => (s === 'auto' ? s : Number(s))) : dflt;
  };
  if (args[0] === '--child') await threadsChild(args[1] === 'auto' ? 'auto' : Number(args[1]));
  else console.log(await gemmThreadsAxis(list('threads', [1, 2]), { sizes: list('n', [256, 512, 1024]), rounds: list('rounds', [7])[0] }));
}
