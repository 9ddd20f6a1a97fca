// Normalisation layers, forward + backward per layer in training mode, as the step
// (layer(x)·g).sum().backward() (a fixed upstream gradient g; compile needs a one-element loss): the
// fused kernels (src/ops/normalization.ts) compiled and eager, the same layer composed from generic
// ops (mean, sub, square, add, sqrt, div, mul: how src/nn/norm.ts computed them before) compiled,
// and PyTorch on one thread (`/usr/bin/python3` with torch; skipped with a note when absent). The
// compiled step replays its records in one WebAssembly call: the kernels' time; eager adds the
// engine's per-op JavaScript and the copies of results it cannot prove dead (docs/internals.md 5).
// PyTorch runs in a child process driven round by round: each round times every case on every
// side in turn, in CPU time (process.cpuUsage here, time.process_time there), so load on the
// shared machine hits all alike; the table shows medians of per-round times and of ratios.
//
//   npx tsx bench/norm.ts [--rounds=N] [--ms=chunk]      (WASMGRAD_WASM: another build)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as wg from '../src/index.js';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const ROUNDS = arg('rounds', 15),
  CHUNK_MS = arg('ms', 60);

interface Case {
  name: string;
  shape: number[];
  /** The layer as wasmgrad's module. */
  fused: () => wg.nn.Module;
  /** The same layer composed from generic ops, with the module's parameters. */
  composed: (m: wg.nn.Module, x: wg.Tensor) => wg.Tensor;
  /** The PyTorch constructor, evaluated in the child process. */
  torch: string;
}

/** (x − mean)/√(var + eps) over `dims` (biased variance), composed. */
function normalise(x: wg.Tensor, dims: number[]): wg.Tensor {
  const centred = x.sub(x.mean(dims, true));
  return centred.div(centred.square().mean(dims, true).add(1e-5).sqrt());
}
const channelAffine = (y: wg.Tensor, m: wg.nn.Module) => {
  const { weight, bias } = m as unknown as { weight: wg.Tensor; bias: wg.Tensor };
  const along = (t: wg.Tensor) => t.reshape([t.size, ...y.shape.slice(2).map(() => 1)]);
  return y.mul(along(weight)).add(along(bias));
};
const batchNorm2d = (C: number, shape: number[]): Case => ({
  name: `BatchNorm2d(${C}) [${shape}]`,
  shape,
  fused: () => new wg.nn.BatchNorm2d(C, { trackRunningStats: false }),
  composed: (m, x) => channelAffine(normalise(x, [0, 2, 3]), m),
  torch: `torch.nn.BatchNorm2d(${C}, track_running_stats=False)`,
});
const layerNorm = (shape: number[]): Case => ({
  name: `LayerNorm(${shape[1]}) [${shape}]`,
  shape,
  fused: () => new wg.nn.LayerNorm(shape[1]),
  composed: (m, x) => {
    const { weight, bias } = m as wg.nn.LayerNorm;
    return normalise(x, [1]).mul(weight!).add(bias!);
  },
  torch: `torch.nn.LayerNorm(${shape[1]})`,
});
const CASES: Case[] = [
  batchNorm2d(16, [64, 16, 14, 14]),
  batchNorm2d(6, [64, 6, 28, 28]),
  {
    name: 'BatchNorm1d(512) [256,512]',
    shape: [256, 512],
    fused: () => new wg.nn.BatchNorm1d(512, { trackRunningStats: false }),
    composed: (m, x) => {
      const { weight, bias } = m as wg.nn.BatchNorm1d;
      return normalise(x, [0]).mul(weight!).add(bias!);
    },
    torch: 'torch.nn.BatchNorm1d(512, track_running_stats=False)',
  },
  layerNorm([16 * 32, 128]),
  layerNorm([512, 768]),
  {
    name: 'GroupNorm(8, 64) [32,64,8,8]',
    shape: [32, 64, 8, 8],
    fused: () => new wg.nn.GroupNorm(8, 64),
    composed: (m, x) => channelAffine(normalise(x.reshape([32, 8, 8 * 8 * 8]), [2]).reshape([32, 64, 8, 8]), m),
    torch: 'torch.nn.GroupNorm(8, 64)',
  },
];

// ---- PyTorch child: 'ping' → ok, 'case|shape|constructor' → ok, 'run|case|reps' → CPU seconds ------------------------------
const PY = `
import sys, time, torch
torch.set_num_threads(1)
torch.manual_seed(0)
cases = []
for line in sys.stdin:
    parts = line.strip().split('|')
    if parts[0] == 'ping':
        print('ok', flush=True)
    elif parts[0] == 'case':
        shape = [int(d) for d in parts[1].split(',')]
        m = eval(parts[2]); x = torch.randn(*shape, requires_grad=True); g = torch.randn(*shape)
        cases.append((m, x, g)); print('ok', flush=True)
    else:
        m, x, g = cases[int(parts[1])]; reps = int(parts[2])
        t0 = time.process_time()
        for _ in range(reps): (m(x) * g).sum().backward()
        print(time.process_time() - t0, flush=True)
`;
async function startTorch(): Promise<((line: string) => Promise<string>) | null> {
  const child = spawn('/usr/bin/python3', ['-c', PY], { stdio: ['pipe', 'pipe', 'inherit'] });
  const failed = new Promise<null>((resolve) => child.on('error', () => resolve(null)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ask = async (line: string) => {
    child.stdin.write(`${line}\n`);
    const r = await lines.next();
    if (r.done) throw new Error('torch child exited');
    return r.value;
  };
  try {
    const ok = await Promise.race([failed, ask('ping')]);
    if (ok !== 'ok') throw new Error(`torch child said ${ok}`);
  } catch {
    console.log('PyTorch (/usr/bin/python3 with torch) not available: its columns are skipped.');
    child.kill();
    return null;
  }
  process.on('exit', () => child.kill());
  return ask;
}

// ---- our side ------------------------------------------------------------------------------------
await wg.init({ wasm: process.env.WASMGRAD_WASM ?? new URL('../build/wasmgrad.wasm', import.meta.url).pathname });
wg.manualSeed(0);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const ours = CASES.map((c) => {
  const m = c.fused();
  const x = wg.randn(c.shape).keep(),
    g = wg.randn(c.shape).keep();
  x.requiresGrad = true;
  const fused = (xx: wg.Tensor, gg: wg.Tensor) => m.forward(xx).mul(gg).sum().backward();
  const composed = wg.compile((xx: wg.Tensor, gg: wg.Tensor) => c.composed(m, xx).mul(gg).sum().backward());
  const compiled = wg.compile(fused);
  return { compiled: () => compiled(x, g), composed: () => composed(x, g), eager: () => fused(x, g) };
});
/** CPU ms of `reps` calls. */
function time(f: () => void, reps: number): number {
  const t0 = cpuMs();
  for (let i = 0; i < reps; i++) f();
  return cpuMs() - t0;
}

const torch = await startTorch();
if (torch) for (const c of CASES) await torch(`case|${c.shape.join(',')}|${c.torch}`);
// Warm up, then size each case's chunk to about CHUNK_MS of the fused layer.
const reps = ours.map((o) => {
  for (const f of [o.compiled, o.composed, o.eager]) time(f, 5);
  return Math.max(1, Math.round(CHUNK_MS / Math.max(time(o.eager, 5) / 5, 1e-3)));
});
if (torch) for (let k = 0; k < CASES.length; k++) await torch(`run|${k}|${reps[k]}`);

const sides = ['compiled', 'composed', 'eager', 'torch'] as const;
const perCall = CASES.map(() => ({ compiled: [] as number[], composed: [] as number[], eager: [] as number[], torch: [] as number[] }));
for (let r = 0; r < ROUNDS; r++)
  for (let k = 0; k < CASES.length; k++) {
    for (const s of ['compiled', 'composed', 'eager'] as const) perCall[k][s].push(time(ours[k][s], reps[k]) / reps[k]);
    if (torch) perCall[k].torch.push((Number(await torch(`run|${k}|${reps[k]}`)) * 1000) / reps[k]);
  }

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ratio = (a: number[], b: number[]) => median(a.map((v, i) => v / b[i]));
console.log(`(layer(x)·g).sum().backward() per call, CPU ms, median of ${ROUNDS} rounds (ratios: median of per-round ratios)`);
console.log(`compiled, eager: the fused layer; composed: generic ops, compiled`);
console.log(`${'layer'.padEnd(30)} ${sides.map((s) => s.padStart(8)).join(' ')}  composed/compiled  compiled/torch  eager/torch`);
CASES.forEach((c, k) => {
  const p = perCall[k];
  const cols = sides.map((s) => (p[s].length ? median(p[s]).toFixed(3) : '-').padStart(8)).join(' ');
  const vsTorch = (s: 'compiled' | 'eager') => (p.torch.length ? ratio(p[s], p.torch).toFixed(2) : '-');
  console.log(
    `${c.name.padEnd(30)} ${cols}  ${ratio(p.composed, p.compiled).toFixed(2).padStart(17)}  ${vsTorch('compiled').padStart(14)}  ${vsTorch('eager').padStart(11)}`,
  );
});
process.exit(0);
