#!/usr/bin/env node
// wasmgrad benchmark: training throughput of W1–W8 side by side with PyTorch (one thread), tfjs
// (cpu, wasm), jax-js and brain.js, and G1 (SGEMM vs the measured WASM SIMD mul+add peak).
// See bench/README.md.
//
//   node bench/run.mjs                 full run, writes bench/RESULTS.md
//   node bench/run.mjs --quick         few short repeats (smoke test), writes nothing
//   node bench/run.mjs --only W1,G1    a subset
//   node bench/run.mjs --browser       W1, W3 in Chromium vs Node, tfjs-wasm, jax-js: RESULTS-browser.md
//   node bench/run.mjs --only W6,W7,W8 --layers   also forward+backward per layer type vs PyTorch
//   node bench/run.mjs --threads 1,2,auto [--only W1,W2]   wasmgrad and PyTorch per thread count: RESULTS-threads.md
//   options: --peers=PyTorch,tfjs-cpu,tfjs-wasm,jax-js,brain.js  --api=auto|compiled|nn|ops
//            --rounds=N  --chunk=SECONDS  --save | --no-save
//
// Method: every contender trains the same model (same initial weights, same batches in the same
// order, same batch size, same optimizer) after a warm-up; then R rounds, each running one timed
// chunk of steps per contender in a rotating order (ours, tfjs-cpu, tfjs-wasm, jax-js, …).
// samples/s = median over rounds; ours/peer = median over rounds of the per-round ratio.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { WORKLOADS, cellError, fmtRate, fmtRatio, median } from './common.mjs';
import { measureLayers, layersReport } from './layers.mjs';
import { FORMS, gemmFootnote, gemmThreadsAxis, loadPeak, wasmgradGemm } from './gemm.mjs';
import { brainRunner } from './runner-brain.mjs';
import { jaxGemm, jaxRunner } from './runner-jax.mjs';
import { tfjsGemm, tfjsRunner } from './runner-tfjs.mjs';
import { torchGemm, torchInfo, torchRunner } from './runner-torch.mjs';
import { loadText } from './text.mjs';
import { API_NOTES, loadWasmgrad, mnistArrays, pickApi, wasmgradRunner } from './runner-wasmgrad.mjs';
import { threadsAxis } from './threads.mjs';
import { describeError, timer } from './timing.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- options
const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const a = argv[i];
  if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
  const next = argv[i + 1];
  return next !== undefined && !next.startsWith('--') ? next : true;
};
const known = new Set(['browser', 'quick', 'only', 'peers', 'api', 'rounds', 'chunk', 'save', 'no-save', 'layers', 'threads', 'help']);
for (const a of argv) {
  if (a.startsWith('--') && !known.has(a.slice(2).split('=')[0])) {
    console.error(`bench: unknown option ${a}`);
    process.exit(2);
  }
}
if (opt('help')) {
  console.log(
    fs
      .readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .slice(1, 13)
      .map((l) => l.replace(/^\/\/ ?/, ''))
      .join('\n'),
  );
  process.exit(0);
}
const QUICK = Boolean(opt('quick'));
const BROWSER = Boolean(opt('browser'));
const ONLY =
  typeof opt('only') === 'string'
    ? opt('only')
        .toUpperCase()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : BROWSER
      ? ['W1', 'W3']
      : ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'W7', 'W8', 'G1'];
if (BROWSER && ONLY.some((id) => !['W1', 'W2', 'W3', 'W4', 'W5'].includes(id))) {
  console.error('bench: --browser runs the training workloads W1…W5, not W6…W8 or G1');
  process.exit(2);
}
for (const id of ONLY) {
  if (!WORKLOADS[id] && id !== 'G1') {
    console.error(`bench: --only: unknown workload ${id} (W1…W8, G1)`);
    process.exit(2);
  }
}
const PEER_FILTER =
  typeof opt('peers') === 'string'
    ? opt('peers')
        .split(',')
        .map((s) => s.trim())
    : undefined;
const API = typeof opt('api') === 'string' ? opt('api') : 'auto';
const CFG = QUICK
  ? { rounds: 2, chunkSec: 0.15, warmSec: 0.5, minWarmSteps: 5, minChunkSteps: 2, gemmRounds: 2, gemmChunkSec: 0.1 }
  : { rounds: 7, chunkSec: 0.8, warmSec: 2.5, minWarmSteps: 5, minChunkSteps: 3, gemmRounds: 5, gemmChunkSec: 0.3 };
if (opt('rounds')) CFG.rounds = CFG.gemmRounds = Math.max(1, Number(opt('rounds')) | 0);
if (opt('chunk')) CFG.chunkSec = Number(opt('chunk'));
const LAYERS = Boolean(opt('layers'));
const THREADS =
  typeof opt('threads') === 'string'
    ? opt('threads')
        .split(',')
        .map((s) => (s.trim() === 'auto' ? 'auto' : Number(s)))
    : undefined;
if (THREADS && (BROWSER || THREADS.some((t) => t !== 'auto' && !(Number.isInteger(t) && t >= 1)))) {
  console.error(`bench: --threads takes thread counts ≥ 1 or 'auto' (e.g. 1,2,auto), in Node; got ${opt('threads')}`);
  process.exit(2);
}
const SAVE = opt('no-save') ? false : opt('save') ? true : !QUICK && (BROWSER || !opt('only'));
const RESULTS_FILE = BROWSER ? 'RESULTS-browser.md' : THREADS ? 'RESULTS-threads.md' : 'RESULTS.md';

const log = (...a) => console.error(...a);
const now = () => performance.now();

// ---------------------------------------------------------------- the contenders per workload
const TFJS_CPU = { name: 'tfjs-cpu', make: (s, i, b) => tfjsRunner('cpu', s, i, b) };
const TFJS_WASM = { name: 'tfjs-wasm', make: (s, i, b) => tfjsRunner('wasm', s, i, b) };
const JAX = { name: 'jax-js', make: jaxRunner };
const BRAIN = { name: 'brain.js', make: brainRunner };
const TORCH = { name: 'PyTorch', make: torchRunner };
const OURS = { name: 'wasmgrad', make: (s, i, b) => wasmgradRunner(s, i, b, { api: API }) };
// When "ours" is the compiled step, the same step run eagerly is shown too (not a target).
const EAGER = { name: 'wasmgrad eager', make: (s, i, b) => wasmgradRunner(s, i, b, { api: 'nn', name: 'wasmgrad eager' }) };
const CONTENDERS = {
  W1: [OURS, EAGER, TORCH, TFJS_CPU, TFJS_WASM, JAX],
  W2: [OURS, EAGER, TORCH, TFJS_CPU, TFJS_WASM, JAX],
  W3: [OURS, EAGER, TORCH, TFJS_CPU, TFJS_WASM, JAX],
  W4: [OURS, EAGER, TORCH, TFJS_CPU, TFJS_WASM, JAX],
  W5: [OURS, EAGER, TORCH, BRAIN, TFJS_CPU, TFJS_WASM, JAX],
  W6: [OURS, EAGER, TORCH, TFJS_WASM, { ...TFJS_CPU, optIn: true }],
  W7: [OURS, EAGER, TORCH],
  W8: [OURS, EAGER, TORCH],
};
/** Why peers are missing on W6–W8 (shown under the table). */
const NOT_RUN =
  'W6–W8 peers: tfjs-wasm runs W6 (it stops at its missing Conv2DBackpropFilter kernel, as on W4); tfjs-cpu runs W6 only when named in `--peers` (≈ 100 s per step here: the warm-up alone takes over half an hour); jax-js is not run on W6 for the same reason (W4: 177 samples/s), nor are tfjs and jax-js on W7/W8, where attention and the LSTM would have to be written by hand in both.';
const PEERS = ['wasmgrad in Node', 'wasmgrad eager', 'PyTorch', 'tfjs-cpu', 'tfjs-wasm', 'jax-js', 'brain.js'];

/** The issue's targets (ours/peer speed ratios, and GEMM as a fraction of the measured peak). */
const TARGETS = [
  { w: 'W1', peer: 'tfjs-wasm', min: 5 },
  { w: 'W1', peer: 'jax-js', min: 1.5 },
  { w: 'W2', peer: 'tfjs-wasm', min: 10 },
  { w: 'W2', peer: 'jax-js', min: 1.3 },
  { w: 'W3', peer: 'tfjs-wasm', min: 8 },
  { w: 'W3', peer: 'jax-js', min: 3 },
  { w: 'W4', peer: 'tfjs-cpu', min: 10 },
  { w: 'W5', peer: 'brain.js', min: 20 },
  // Issue #12: native PyTorch CPU speed (one thread) on the modern workloads.
  { w: 'W6', peer: 'PyTorch', min: 1 },
  { w: 'W7', peer: 'PyTorch', min: 1 },
  { w: 'W8', peer: 'PyTorch', min: 1 },
  // Information only (no target): how far W1–W5 are from PyTorch.
  ...['W1', 'W2', 'W3', 'W4', 'W5'].map((w) => ({ w, peer: 'PyTorch' })),
];
const GEMM_TARGET = 0.85;
const GEMM_TARGET_N = [512, 1024];

// ---------------------------------------------------------------- timing
/**
 * Before each timed chunk: a full GC (when available) and two turns of the event loop, so that
 * deferred work of the previous contender (FinalizationRegistry callbacks, pending promises, its
 * garbage) is not billed to the next one.
 */
const gc = (() => {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc');
  } catch {
    return () => {};
  }
})();
async function settle() {
  gc();
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
}

const { measure, measureWith } = timer({ cfg: CFG, settle, log });

function measureWorkload(spec, train) {
  const defs = CONTENDERS[spec.id]
    .filter((d) => d !== EAGER || OURS_API === 'compiled')
    .filter((d) => d !== TORCH || TORCH_INFO.ok)
    .filter((d) => !d.optIn || PEER_FILTER?.includes(d.name))
    .filter((d) => d === OURS || !PEER_FILTER || PEER_FILTER.includes(d.name));
  return measure(spec, defs, train);
}

/**
 * --browser: each workload runs first here (wasmgrad alone), then in one Chromium page (wasmgrad,
 * tfjs-wasm, jax-js in rotating rounds, see browser/page.mjs). The Node rate joins the page's
 * result as the "wasmgrad in Node" column, its ratio = Chromium / Node of the two medians (they
 * run one after the other, not in alternating rounds).
 */
async function measureInChromium(ids, train) {
  const { openBenchPage } = await import('./browser/chromium.mjs'); // playwright-core: only for --browser
  const page = await openBenchPage(train, (text) => log(text.replace(/^\n*/, '$&  chromium: ')));
  const results = [];
  try {
    for (const id of ids) {
      const inNode = (await measure(WORKLOADS[id], [OURS], train)).contenders.wasmgrad;
      const r = await page.run(id, { cfg: CFG, api: OURS_API, peers: PEER_FILTER });
      const ours = r.contenders.wasmgrad;
      r.contenders['wasmgrad in Node'] = { ...inNode, ratio: ours.rate && inNode.rate ? ours.rate / inNode.rate : undefined };
      results.push(r);
    }
  } finally {
    await page.close();
  }
  return { results, browser: { version: page.version, build: results[0]?.build } };
}

// ---------------------------------------------------------------- G1
async function measureGemm() {
  log('\n[G1] SGEMM and the SIMD peak probe');
  const out = { peak: {}, rows: [] };
  let probes;
  try {
    probes = await loadPeak();
  } catch (e) {
    out.peakError = cellError(e);
    log(`  peak probe failed: ${out.peakError}`);
  }
  const probeState = probes
    ? Object.entries(probes).map(([name, f]) => {
        f(1e5);
        f(1e6); // tier-up: TurboFan code is used from a later call on
        const t0 = now();
        f(2e6);
        const ms = now() - t0;
        return { name, f, iters: Math.max(1e6, Math.round((2e6 * CFG.gemmChunkSec * 1000) / ms)), rates: [] };
      })
    : [];
  const wg = await loadWasmgrad();
  const makers = {
    wasmgrad: (n, form) => wasmgradGemm(wg, n, form),
    'tfjs-wasm': (n, form) => tfjsGemm('wasm', n, form),
    'jax-js': (n, form) => jaxGemm(n, form),
  };
  const entries = [];
  for (const n of [256, 512, 1024]) {
    for (const form of FORMS) {
      const e = { n, form, cs: {} };
      for (const [name, mk] of Object.entries(makers)) {
        const c = { rates: [] };
        try {
          c.g = await mk(n, form.id);
          await c.g.enter?.();
          for (let k = 0; k < 3; k++) c.g.run();
          const t0 = now();
          c.g.run();
          const ms = now() - t0;
          c.calls = Math.max(2, Math.round((CFG.gemmChunkSec * 1000) / ms));
        } catch (err) {
          c.error = describeError(err, name);
          log(`  ${name} ${form.label} n=${n}: ${c.error}`);
        }
        e.cs[name] = c;
      }
      entries.push(e);
    }
  }
  for (let r = 0; r < CFG.gemmRounds; r++) {
    for (const p of probeState) {
      const t0 = now();
      p.f(p.iters);
      p.rates.push((p.iters * 64) / ((now() - t0) * 1e6));
    }
    for (const e of entries) {
      const names = Object.keys(e.cs);
      for (let i = 0; i < names.length; i++) {
        const c = e.cs[names[(i + r) % names.length]];
        if (c.error) continue;
        try {
          await c.g.enter?.();
          await settle();
          const t0 = now();
          for (let k = 0; k < c.calls; k++) c.g.run();
          c.rates.push((2 * e.n ** 3 * c.calls) / ((now() - t0) * 1e6));
        } catch (err) {
          c.error = describeError(err, names[(i + r) % names.length]);
        }
      }
    }
    log(
      `  round ${r + 1}/${CFG.gemmRounds}: peak ${probeState.map((p) => p.rates.at(-1).toFixed(1)).join(' / ')} GFLOP/s, ours n=1024 A·B ${entries.at(-3)?.cs.wasmgrad.rates.at(-1)?.toFixed(1) ?? '-'} GFLOP/s`,
    );
  }
  for (const p of probeState) out.peak[p.name] = median(p.rates);
  const peak = probeState.length ? Math.max(...Object.values(out.peak)) : undefined;
  out.peakValue = peak;
  out.footnote = gemmFootnote(wg);
  for (const e of entries) {
    const row = { n: e.n, form: e.form, cs: {} };
    for (const [name, c] of Object.entries(e.cs)) row.cs[name] = { error: c.error, gflops: c.rates.length ? median(c.rates) : undefined };
    out.rows.push(row);
  }
  return out;
}

// ---------------------------------------------------------------- report
function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // no /proc/cpuinfo (not Linux): keep os.cpus()' model
  }
  let built = '';
  try {
    const f = process.env.WASMGRAD_DIST ? path.resolve(process.env.WASMGRAD_DIST) : path.join(here, '..', 'dist', 'index.js');
    built = `, built ${fs
      .statSync(f)
      .mtime.toISOString()
      .replace(/\.\d+Z$/, 'Z')}`;
  } catch {
    // no build to date: the report says nothing about it
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: here, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', '../src', '../assembly'], { cwd: here, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    if (dirty) commit += ' + uncommitted changes in src/ or assembly/';
  } catch {
    // not a git checkout: the commit stays 'unknown'
  }
  const ver = (p) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(here, 'node_modules', p, 'package.json'), 'utf8')).version;
    } catch {
      return 'not installed';
    }
  };
  return {
    cpu,
    cores: os.cpus().length,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    load: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    commit: commit + built,
    peers: `@tensorflow/tfjs ${ver('@tensorflow/tfjs')}, @tensorflow/tfjs-backend-wasm ${ver('@tensorflow/tfjs-backend-wasm')}, @jax-js/jax ${ver('@jax-js/jax')}, brain.js ${ver('brain.js')}`,
  };
}

/** The report's first lines: machine, load, versions, what was loaded. */
function machineLines(m, loadEnd) {
  return [
    `- machine: ${m.cpu}, ${m.cores} cores (shared: load average ${m.load} at start, ${loadEnd} at end)`,
    `- Node ${m.node}, ${m.date}; wasmgrad ${m.commit}, loaded from ${process.env.WASMGRAD_DIST ? `${process.env.WASMGRAD_DIST} (WASMGRAD_DIST: a private build of the working tree, bench/dev-build.sh)` : '../dist/index.js (the repo build)'}; step: ${API_NOTES[OURS_API]}`,
    `- peers: ${m.peers}`,
    ...(TORCH_INFO.note ? [`- PyTorch peer: ${TORCH_INFO.note}`] : []),
  ];
}

/** The markdown report; `browser` = { version, build } when the workloads ran in Chromium (--browser). */
function report(results, gemm, m, loadEnd, browser) {
  const L = [];
  const works = results.filter(Boolean);
  const oursLabel = browser ? 'wasmgrad in Chromium' : 'wasmgrad';
  L.push(
    `# wasmgrad benchmark results${browser ? ' in Chromium' : ''}${QUICK ? ' (quick smoke run: few short repeats, noisy)' : ''}`,
    '',
    ...machineLines(m, loadEnd),
  );
  if (browser)
    L.push(
      `- browser: Chromium ${browser.version} headless (the system's chromium driven by playwright-core), one page, not cross-origin isolated (so jax-js runs its kernels on the page's thread, as in Node); wasmgrad build in the page: **${browser.build}**, in Node: **${m.build}**. The "wasmgrad in Node" column is the same workload in the Node process just before the page's run; its (×r) = Chromium / Node of the two medians.`,
    );
  L.push(
    `- method: same model, initial weights, batches and optimizer for every contender (W1–W5: SGD lr 0.1; W6, W8: Adam lr 1e-3; W7: AdamW lr 3e-4, weight decay 0.1); warm-up ≥ ${CFG.warmSec} s; then ${CFG.rounds} rounds of ≈ ${CFG.chunkSec} s chunks per contender in rotating order; samples/s = median of rounds; (×r) = ours/peer, median of the per-round ratios (> 1: wasmgrad faster; in the "wasmgrad eager" column: compiled/eager). One thread everywhere.`,
  );
  L.push('');
  if (works.length) {
    const peers = PEERS.filter((p) => works.some((w) => w.contenders[p]));
    L.push('## Training throughput (samples/s, higher is better)', '');
    L.push(`| workload | ${oursLabel} | ${peers.join(' | ')} |`);
    L.push(`|---|---:|${peers.map(() => '---:').join('|')}|`);
    for (const w of works) {
      const o = w.contenders.wasmgrad;
      const cells = peers.map((p) => {
        const c = w.contenders[p];
        if (!c) return '';
        if (c.rate === undefined) return c.error ?? 'failed';
        return `${fmtRate(c.rate)} (${fmtRatio(c.ratio)})${c.error ? ` then ${c.error}` : ''}`;
      });
      L.push(`| ${w.spec.id} ${w.spec.title} | ${o.rate !== undefined ? fmtRate(o.rate) : o.error} | ${cells.join(' | ')} |`);
    }
    L.push('');
    const notes = new Map();
    for (const w of works) for (const [n, c] of Object.entries(w.contenders)) if (c.note && !notes.has(n)) notes.set(n, c.note);
    L.push(
      'How each ran: ' +
        [...notes].map(([n, s]) => `**${n}**: ${s}`).join('; ') +
        '. tfjs: `optimizer.minimize` with `tf.train.sgd` and `tf.losses.softmaxCrossEntropy`; jax-js: the whole step (valueAndGrad + SGD update) in one `jit`; PyTorch: `zero_grad(set_to_none=True)`, `F.cross_entropy`, `backward`, `optimizer.step()` in a Python loop.',
      '',
    );
    if (works.some((w) => ['W6', 'W7', 'W8'].includes(w.spec.id))) L.push(NOT_RUN, '');
    const variants = works.filter((w) => w.contenders['jax-js']?.variant).map((w) => `${w.spec.id} ${w.contenders['jax-js'].variant}`);
    if (variants.length)
      L.push(
        `jax-js evaluates lazily and slows down when steps pile up unrealized, so each step is realized before the next, by \`loss.dataSync()\` ("read") or \`await blockUntilReady(params)\` ("await"), whichever was faster in the warm-up: ${variants.join('; ')}.`,
        '',
      );
    L.push(
      'Same-model check: mean cross-entropy at step 1 (initial weights, batch 0) and step 5 (after 4 updates); all must agree up to float32 rounding. Dropout (W6) is off for these five steps in every library, since each draws its masks from its own generator; it is on for the timed steps.',
      '',
    );
    L.push(`| workload | ${[oursLabel, ...peers].join(' | ')} |`);
    L.push(`|---|${['wasmgrad', ...peers].map(() => '---').join('|')}|`);
    for (const w of works) {
      const cells = ['wasmgrad', ...peers].map((p) => {
        const c = w.contenders[p];
        if (!c || c.loss1 === undefined) return '';
        return c.lossComparable ? `${c.loss1.toFixed(4)} / ${c.loss5.toFixed(4)}` : 'n/a (other loss)';
      });
      L.push(`| ${w.spec.id} | ${cells.join(' | ')} |`);
    }
    L.push('');
  }
  if (gemm) {
    L.push('## G1: SGEMM, one thread (GFLOP/s, higher is better)', '');
    if (gemm.peakError) L.push(`Peak probe failed: ${gemm.peakError}`, '');
    else {
      L.push(
        `SIMD mul+add peak probes (bench/peak.ts, f32x4, 64 flops per iteration): ${Object.entries(gemm.peak)
          .map(([k, v]) => `${k}: **${v.toFixed(1)}**`)
          .join('; ')}. Peak used below = the higher, **${gemm.peakValue.toFixed(1)} GFLOP/s**.`,
        '',
      );
    }
    const names = Object.keys(gemm.rows[0]?.cs ?? {});
    L.push(`| n | form | ${names.join(' | ')} | wasmgrad % of peak |`);
    L.push(`|---:|---|${names.map(() => '---:').join('|')}|---:|`);
    for (const r of gemm.rows) {
      const cells = names.map((nm) => {
        const c = r.cs[nm];
        return c.gflops !== undefined ? c.gflops.toFixed(1) : (c.error ?? '-');
      });
      const ours = r.cs.wasmgrad?.gflops;
      const pct = ours !== undefined && gemm.peakValue ? `${((100 * ours) / gemm.peakValue).toFixed(0)}%` : '-';
      L.push(`| ${r.n} | ${r.form.label}${r.form.id !== 'AB' ? '*' : ''} | ${cells.join(' | ')} | ${pct} |`);
    }
    L.push('');
    L.push(gemm.footnote, '');
  }
  // Targets (the issue set them for Node)
  const rows = [];
  for (const t of browser ? [] : TARGETS) {
    const w = works.find((x) => x.spec.id === t.w);
    if (!w) continue;
    const c = w.contenders[t.peer],
      o = w.contenders.wasmgrad;
    let measured, status;
    if (o.rate === undefined) [measured, status] = [o.error ?? 'not measured', 'not measured'];
    else if (!c || c.ratio === undefined) [measured, status] = [c?.error ?? 'peer not measured', 'not measured'];
    else [measured, status] = [fmtRatio(c.ratio), t.min === undefined ? 'information' : c.ratio >= t.min ? 'met' : 'not met'];
    rows.push(`| ${t.w} vs ${t.peer} | ${t.min === undefined ? '–' : `≥ ×${t.min}`} | ${measured} | ${status} |`);
  }
  if (gemm) {
    for (const r of gemm.rows.filter((x) => GEMM_TARGET_N.includes(x.n))) {
      const ours = r.cs.wasmgrad?.gflops;
      let measured, status;
      if (ours === undefined || !gemm.peakValue) [measured, status] = [r.cs.wasmgrad?.error ?? 'not measured', 'not measured'];
      else {
        const f = ours / gemm.peakValue;
        [measured, status] = [`${(100 * f).toFixed(0)}% (${ours.toFixed(1)} / ${gemm.peakValue.toFixed(1)})`, f >= GEMM_TARGET ? 'met' : 'not met'];
      }
      rows.push(`| G1 ${r.form.label}${r.form.id !== 'AB' ? '*' : ''} n = ${r.n} | ≥ ${GEMM_TARGET * 100}% of peak | ${measured} | ${status} |`);
    }
  }
  if (rows.length) {
    L.push('## Targets (the performance issue; W6–W8: issue #12)', '');
    L.push('| target | wanted | measured | status |', '|---|---|---|---|', ...rows, '');
  }
  return L.join('\n');
}

// ---------------------------------------------------------------- main
/** Installs the peers (bench/package-lock.json, exact versions) when bench/node_modules is missing or stale. */
function ensurePeers() {
  const lock = path.join(here, 'package-lock.json');
  const installed = path.join(here, 'node_modules', '.package-lock.json');
  if (fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  log('bench: installing the peers into bench/node_modules (npm ci, exact versions from bench/package-lock.json)…');
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: here,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
function ensureBuild() {
  if (process.env.WASMGRAD_DIST) return;
  for (const f of ['index.js', 'wasmgrad.wasm'])
    if (!fs.existsSync(path.join(here, '..', 'dist', f))) {
      console.error(`bench: ../dist/${f} is missing: build wasmgrad first (npm install, or npm run build, at the repo root)`);
      process.exit(1);
    }
}
ensureBuild();
ensurePeers();
const m = machine();
log(`wasmgrad bench${QUICK ? ' --quick' : ''}: ${ONLY.join(',')} on ${m.cpu} (${m.cores} cores, load ${m.load}), Node ${m.node}`);
const OURS_API = pickApi(await loadWasmgrad(), API);
m.build = (await loadWasmgrad()).info().build;
log(`wasmgrad step: ${API_NOTES[OURS_API]}`);
const TORCH_INFO = BROWSER || (PEER_FILTER && !PEER_FILTER.includes('PyTorch')) ? { ok: false } : await torchInfo();
if (TORCH_INFO.note) log(TORCH_INFO.note);
if (THREADS) {
  const ids = ONLY.filter((id) => WORKLOADS[id]);
  let text = ids.length ? await threadsAxis(ids, THREADS, { measureWith, api: OURS_API, torch: TORCH_INFO, log }) : '# wasmgrad bench: the --threads axis\n';
  if (ONLY.includes('G1')) {
    log('G1 on the threads axis…');
    text += '\n' + (await gemmThreadsAxis(THREADS, { rounds: QUICK ? 3 : 7, torchGemm: TORCH_INFO.ok ? torchGemm : undefined }));
  }
  console.log('\n' + text);
  if (SAVE) {
    fs.writeFileSync(path.join(here, RESULTS_FILE), text);
    log(`\nsaved bench/${RESULTS_FILE}`);
  }
  process.exit(0);
}
let results = [],
  browser;
const need = ONLY.filter((id) => WORKLOADS[id]);
if (need.length) {
  const train = { ...(await mnistArrays()), ...loadText() };
  if (BROWSER) ({ results, browser } = await measureInChromium(need, train));
  else for (const id of need) results.push(await measureWorkload(WORKLOADS[id], train));
}
const gemm = ONLY.includes('G1') ? await measureGemm() : undefined;
const layers = LAYERS ? await measureLayers(need, { cfg: CFG, log, settle, torch: TORCH_INFO.ok, api: OURS_API }) : undefined;
const text =
  report(
    results,
    gemm,
    m,
    os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    browser,
  ) + (layers ? layersReport(layers) : '');
console.log('\n' + text);
if (SAVE) {
  fs.writeFileSync(path.join(here, RESULTS_FILE), text);
  log(`\nsaved bench/${RESULTS_FILE}`);
}
// tfjs-wasm / jax-js keep handles alive; the run is over.
process.exit(0);
