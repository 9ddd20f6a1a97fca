// Fused recurrence vs the composite cell vs PyTorch: the W8 workload of issue 12 (an LSTM 64 → 128,
// sequence 50, batch 32), one training step = forward, loss = mean of the outputs, backward, SGD.
//
//   npx tsx bench/recurrent.ts [--rounds=N] [--steps=N] [--cell=lstm|gru|rnn]   (WASMGRAD_WASM: another build)
//
// Contenders, timed in interleaved rounds by CPU time of the process (bench/cpu-rounds.ts):
//   fused      nn.LSTM as the library runs it: one linear for the input projection, then one
//              lstmSequence record (the whole time loop in WASM), eager
//   compiled   the same step under wg.compile (one WebAssembly call per step)
//   composite  the cell as generic ops per time step (test/helpers/composite-cells.ts), eager
//   pytorch    torch.nn.LSTM with torch.set_num_threads(1), in a /usr/bin/python3 subprocess in
//              each round that times its own chunk (after a warm-up one) with time.process_time
//              (skipped with a note when torch cannot be imported)
// Printed: the median ms per step of each, and the median ratio over rounds to fused.
import { spawnSync } from 'node:child_process';
import * as wg from '../src/index.js';
import { compositeLayer, type CellKind } from '../test/helpers/composite-cells.js';
import { cpuRounds, median } from './cpu-rounds.js';

const argv = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1];
const ROUNDS = Number(argv('rounds') ?? 7),
  STEPS = Number(argv('steps') ?? 5),
  CELL = (argv('cell') ?? 'lstm') as 'lstm' | 'gru' | 'rnn';
const IN = 64,
  H = 128,
  L = 50,
  N = 32;

await wg.init();
wg.manualSeed(1);
const Cls = CELL === 'lstm' ? wg.nn.LSTM : CELL === 'gru' ? wg.nn.GRU : wg.nn.RNN;
const model = new Cls(IN, H);
const opt = new wg.optim.SGD(model.parameters(), { lr: 0.01 });
const x = wg.randn([L, N, IN]);
const p = Object.fromEntries(model.namedParameters());
const weights = { wIh: p.weight_ih_l0, wHh: p.weight_hh_l0, bIh: p.bias_ih_l0, bHh: p.bias_hh_l0 };
const kind: CellKind = CELL === 'rnn' ? 'rnnTanh' : CELL;

function fusedStep(): wg.Tensor {
  opt.zeroGrad();
  const [out] = model.forward(x);
  const loss = out.mean();
  loss.backward();
  opt.step();
  return loss;
}
const compiled = wg.compile(fusedStep);
function compositeStep(): void {
  opt.zeroGrad();
  const zero = wg.zeros([N, H]);
  const [out] = compositeLayer(kind, x, weights, CELL === 'lstm' ? [zero, zero] : [zero], false);
  out.mean().backward();
  opt.step();
}

const TORCH = `
import sys, time, torch
torch.set_num_threads(1)
torch.manual_seed(1)
cell, steps = sys.argv[1], int(sys.argv[2])
m = {'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU, 'rnn': torch.nn.RNN}[cell](${IN}, ${H})
opt = torch.optim.SGD(m.parameters(), lr=0.01)
x = torch.randn(${L}, ${N}, ${IN})
def step():
    opt.zero_grad()
    out, _ = m(x)
    out.mean().backward()
    opt.step()
for _ in range(steps): step()
t0 = time.process_time()
for _ in range(steps): step()
print((time.process_time() - t0) * 1000 / steps)
`;
/** One PyTorch chunk in a subprocess (warm-up chunk first): ms per step, or null without torch. */
function torchChunk(): number | null {
  const r = spawnSync('/usr/bin/python3', ['-c', TORCH, CELL, String(STEPS)], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : null;
}

const names = ['fused', 'compiled', 'composite'];
const steps = [fusedStep, () => void compiled(), compositeStep];
// Each round: one chunk of each of ours (after a warm-up chunk), then one PyTorch chunk.
const times: number[][] = steps.map(() => []);
const torch: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  cpuRounds(r % 2 ? [...steps].reverse() : steps, STEPS, 1).forEach(([t], i) => times[r % 2 ? steps.length - 1 - i : i].push(t));
  const t = torchChunk();
  if (t !== null) torch.push(t);
}
console.log(`${CELL.toUpperCase()} ${IN} → ${H}, L ${L}, N ${N}: forward + backward + SGD, CPU ms per step (median of ${ROUNDS} rounds of ${STEPS} steps)`);
const fmt = (v: number) => v.toFixed(2);
names.forEach((name, i) => {
  const ratio = median(times[i].map((t, r) => t / times[0][r]));
  console.log(`  ${name.padEnd(10)} ${fmt(median(times[i]))} ms   ×${ratio.toFixed(2)} of fused`);
});
if (torch.length === 0) console.log('  pytorch    skipped: /usr/bin/python3 cannot import torch');
else console.log(`  pytorch    ${fmt(median(torch))} ms   ×${(median(torch) / median(times[0])).toFixed(2)} of fused (one thread)`);
