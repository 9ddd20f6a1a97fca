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

const CHUNK_MS = 300;

async function threadsChild(threads) {
  const url = process.env.WASMGRAD_DIST ? new URL(process.env.WASMGRAD_DIST, `file://${process.cwd()}/`) : new URL('../dist/index.js', import.meta.url);
  const wg = await import(url.href);
  await wg.init({ threads });
  const gemms = new Map();
  process.on('message', ({ n, calls }) => {
    if (!gemms.has(n)) {
      const g = wasmgradGemm(wg, n, 'AB');
      for (let k = 0; k < 5; k++) g.run(); // tier-up
      const t0 = performance.now();
      g.run();
      gemms.set(n, { g, calls: Math.max(2, Math.round(CHUNK_MS / (performance.now() - t0))) });
    }
    const e = gemms.get(n);
    const t0 = performance.now();
    for (let k = 0; k < (calls ?? e.calls); k++) e.g.run();
    process.send({ ms: performance.now() - t0, calls: calls ?? e.calls });
  });
  process.send({ ready: true, threads: wg.info().threads, build: wg.info().build });
}

async function threadsAxis(args) {
  const list = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1].split(',').map((s) => (s === 'auto' ? s : Number(s))) : dflt;
  };
  const counts = list('threads', [1, 2]);
  const sizes = list('n', [256, 512, 1024]);
  const rounds = list('rounds', [7])[0];
  const { fork } = await import('node:child_process');
  const os = await import('node:os');
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
  const ask = (kid, n) => new Promise((resolve) => (kid.child.once('message', resolve), kid.child.send({ n })));
  console.log(
    `G1 A·B, threads axis: ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} before`,
  );
  for (const k of kids) console.log(`  threads ${k.t}: wasmgrad runs ${k.info.threads} thread(s), build ${k.info.build}`);
  const rates = new Map(); // `${n} ${t}` → GFLOP/s per chunk
  for (let r = 0; r < rounds; r++)
    for (const n of sizes)
      for (const kid of r % 2 ? [...kids].reverse() : kids) {
        const { ms, calls } = await ask(kid, n);
        const key = `${n} ${kid.t}`;
        rates.set(key, [...(rates.get(key) ?? []), (2 * n ** 3 * calls) / ms / 1e6]);
      }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(`\n| n | ${counts.map((t) => `${t} thread(s) GFLOP/s`).join(' | ')} | speedup (${counts.at(-1)} vs ${counts[0]}) |`);
  console.log(`|---|${counts.map(() => '---|').join('')}---|`);
  for (const n of sizes) {
    const med = counts.map((t) => median(rates.get(`${n} ${t}`)));
    console.log(`| ${n} | ${med.map((x) => x.toFixed(1)).join(' | ')} | ${(med.at(-1) / med[0]).toFixed(2)}× |`);
  }
  console.log(
    `\n(${rounds} rounds, medians; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} after)`,
  );
  for (const k of kids) k.child.kill();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') await threadsChild(args[1] === 'auto' ? 'auto' : Number(args[1]));
  else await threadsAxis(args);
}
