// The --threads axis of the training workloads (issue 15): `node bench/run.mjs --threads 1,2[,auto]`.
// wg.init fixes the thread count for a process, so wasmgrad at each count runs in its own child
// process (this file with --child; BENCH_THREADS tells runner-wasmgrad.mjs the count) that
// rebuilds the workload's initial weights and batches itself (same seed, same data) and times its
// chunks itself, like the PyTorch peer; PyTorch runs one Python process per count
// (torch.set_num_threads). All contenders of a workload go through timing.mjs' rotating rounds.
// Wall-clock time per chunk (not CPU time, which counts every thread's work) is what threads shorten.
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { WORKLOADS, fmtRate, initParams, makeBatches, median } from './common.mjs';
import { torchInfo, torchRunner } from './runner-torch.mjs';
import { loadText } from './text.mjs';
import { loadWasmgrad, mnistArrays, wasmgradRunner } from './runner-wasmgrad.mjs';

/** Issue 15's targets: speedup at 2 threads over 1 (W3 and W5: small work stays inline, no slowdown beyond noise). */
export const THREAD_TARGETS = { W1: 1.3, W2: 1.6, W3: 0.97, W5: 0.97, W6: 1.5, W7: 1.5 };
/** …and wasmgrad / PyTorch at 2 threads each. */
export const TORCH_TARGETS = { W2: 1, W6: 1 };

const label = (who, t) => `${who} ${t}T`;

/** A wasmgrad contender in a child process at `threads`: the timer's out-of-process runner interface (step, chunk timed in the child). */
function childRunner(threads, api) {
  return async (spec) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child'], { env: { ...process.env, BENCH_THREADS: String(threads) } });
    const waiting = [];
    child.on('message', (m) => {
      const w = waiting.shift();
      if (m.error) w.reject(new Error(m.error));
      else w.resolve(m);
    });
    child.on('exit', (code) => {
      for (const w of waiting.splice(0)) w.reject(new Error(`wasmgrad child (threads ${threads}) exited (${code})`));
    });
    const request = (msg) => new Promise((resolve, reject) => (waiting.push({ resolve, reject }), child.send(msg)));
    const { note } = await request({ cmd: 'load', id: spec.id, api });
    return {
      name: label('wasmgrad', threads),
      note,
      step: async (i, wantLoss) => (await request({ cmd: 'step', i, wantLoss })).loss,
      chunk: async (from, steps) => (await request({ cmd: 'chunk', from, steps })).ms,
      afterCheck: () => request({ cmd: 'afterCheck' }),
      sync() {},
      dispose: () => child.kill(),
    };
  };
}

/** The child: loads wasmgrad at BENCH_THREADS, builds the workload the parent names, answers step/chunk requests. */
async function child() {
  const wg = await loadWasmgrad();
  const train = { ...(await mnistArrays()), ...loadText() };
  let runner;
  const handle = async (m) => {
    if (m.cmd === 'load') {
      const spec = WORKLOADS[m.id];
      runner = await wasmgradRunner(spec, initParams(spec, train), makeBatches(spec, train), { api: m.api });
      return { note: `${runner.note}; wg.info().threads = ${wg.info().threads}, build ${wg.info().build}` };
    }
    if (m.cmd === 'step') return { loss: runner.step(m.i, m.wantLoss) };
    if (m.cmd === 'afterCheck') return (runner.afterCheck(), {});
    if (m.cmd === 'chunk') {
      const t0 = performance.now();
      for (let k = 0; k < m.steps; k++) runner.step(m.from + k, false);
      return { ms: performance.now() - t0 };
    }
    throw new Error(`unknown command ${m.cmd}`);
  };
  process.on('message', (m) =>
    handle(m).then(
      (r) => process.send(r),
      (e) => process.send({ error: String(e?.message ?? e) }),
    ),
  );
}

/**
 * Measures `ids` at each of `counts` (numbers or 'auto'): wasmgrad, and PyTorch when `torch.ok`
 * (run.mjs' torchInfo(); its note says why not). Returns the report text (markdown).
 */
export async function threadsAxis(ids, counts, { measureWith, api, torch, log }) {
  const auto = os.cpus().length;
  // torch has no 'auto': it runs at the core count ('auto' and that count share one process).
  const torchCounts = [...new Set(counts.map((t) => (t === 'auto' ? auto : t)))];
  const torchInfos = torch.ok ? await Promise.all(torchCounts.map((t) => torchInfo(t))) : [torch];
  const withTorch = torchInfos.length > 0 && torchInfos.every((i) => i.ok);
  for (const i of torchInfos) log(i.note);
  const train = { ...(await mnistArrays()), ...loadText() };
  const loadStart = os.loadavg();
  const rows = [];
  for (const id of ids) {
    const spec = WORKLOADS[id];
    const defs = counts.map((t) => ({ name: label('wasmgrad', t), make: childRunner(t, api) }));
    if (withTorch) for (const t of torchCounts) defs.push({ name: label('PyTorch', t), make: (s, i, b) => torchRunner(s, i, b, t) });
    const r = await measureWith(spec, defs, initParams(spec, train), makeBatches(spec, train));
    rows.push({ id, r });
  }
  return report(rows, counts, { withTorch, torchCounts, torchInfos, loadStart, api, auto });
}

/** Median over rounds of the per-round rate ratio of contenders a / b; undefined when either is missing. */
function roundRatio(cs, a, b) {
  a = cs[a]?.perRound ?? [];
  b = cs[b]?.perRound ?? [];
  const ratios = a.map((v, i) => (v && b[i] ? v / b[i] : undefined)).filter((x) => x !== undefined);
  return ratios.length ? median(ratios) : undefined;
}

const verdict = (got, min) => (got === undefined ? 'not measured' : got >= min ? 'met' : 'not met');

function report(rows, counts, { withTorch, torchCounts, torchInfos, loadStart, api, auto }) {
  const fmtLoad = (l) => l.map((x) => x.toFixed(2)).join(' ');
  const who = withTorch
    ? [
        ['wasmgrad', counts],
        ['PyTorch', torchCounts],
      ]
    : [['wasmgrad', counts]];
  const torchOf = (t) => (t === 'auto' ? auto : t);
  const head = [
    'Workload',
    ...who.flatMap(([w, [t1, ...more]]) => [...[t1, ...more].map((t) => `${w} ${t}T samples/s`), ...more.map((t) => `${w} ${t}T/${t1}T`)]),
    ...(withTorch ? counts.map((t) => `wasmgrad/PyTorch ${t}T`) : []),
  ];
  const lines = [
    `# wasmgrad bench: the --threads axis (${counts.join(', ')}; 'auto' = ${auto} here)`,
    '',
    `- machine: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores (shared: load average ${fmtLoad(loadStart)} at start, ${fmtLoad(os.loadavg())} at end); Node ${process.version}, ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
    `- wasmgrad: one child process per thread count (\`wg.init({ threads })\`), step api '${api}'; ${withTorch ? `PyTorch: one process per count (${torchInfos.map((i) => i.note).join('; ')})` : `PyTorch: not run (${torchInfos.find((i) => !i.ok)?.note ?? 'excluded by --peers'})`}`,
    '- samples/s = median over rounds; nT/1T = median over rounds of the per-round ratio (same round, rotating order); wall-clock time per chunk, timed inside each process.',
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
  ];
  const targets = [];
  // Same weights, same batches: the step-5 losses show every thread count trains the same model.
  const losses = [];
  for (const { id, r } of rows) {
    const cs = r.contenders;
    const cell = (name) => cs[name]?.error ?? fmtRate(cs[name]?.rate);
    const sp = (w, t, t1) => roundRatio(cs, label(w, t), label(w, t1));
    const fmt = (x) => (x === undefined ? '' : `${x.toFixed(2)}×`);
    const vsTorch = (t) => roundRatio(cs, label('wasmgrad', t), label('PyTorch', torchOf(t)));
    const cells = [
      id,
      ...who.flatMap(([w, [t1, ...more]]) => [...[t1, ...more].map((t) => cell(label(w, t))), ...more.map((t) => fmt(sp(w, t, t1)))]),
      ...(withTorch ? counts.map((t) => fmt(vsTorch(t))) : []),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
    const loss5 = Object.entries(cs).filter(([, c]) => c.loss5 !== undefined);
    losses.push(`- ${id}: ${loss5.map(([name, c]) => `${name} ${c.loss5.toFixed(6)}`).join(', ')}`);
    const min = THREAD_TARGETS[id];
    if (min !== undefined && counts.includes(1) && counts.includes(2)) {
      const got = sp('wasmgrad', 2, 1);
      targets.push(`- ${id}: 2T/1T ${fmt(got) || 'n/a'} (target ≥ ${min}×): ${verdict(got, min)}`);
    }
    const vs = TORCH_TARGETS[id];
    if (vs !== undefined && withTorch && counts.includes(2)) {
      const got = vsTorch(2);
      targets.push(`- ${id}: wasmgrad/PyTorch at 2 threads ${fmt(got) || 'n/a'} (target ≥ ${vs}×): ${verdict(got, vs)}`);
    }
  }
  lines.push('', 'Loss at step 5 (dropout off):', '', ...losses);
  lines.push('', "Issue 15's targets (2 threads, this run):", '', ...(targets.length ? targets : ['- (need --threads 1,2,…)']));
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--child') await child();
