// Composite vs kernel: eager training-step time of a model calling an op as the table declares
// it, against the same step with the op written by hand as a composition of other ops (what a
// composite runs), interleaved in rounds so that machine noise hits both alike. The results and
// the rule they support are in docs/internals.md ("Composite ops").
//
//   npx tsx bench/composite.ts [--rounds=N] [--steps=N]      (WASMGRAD_WASM: another build)
//
// Model: MLP 784-128-10, batch 64, SGD lr 0.05, eager (every op launched as it is called), with
//   ln     a hand-written LayerNorm after the first layer, variance = mean(c²): c.square() vs c.mul(c)
//   mse    regression to one-hot targets, loss mean((y − t)²): square() vs mul
//   huber  the same with losses.huber (δ = 1): its fused kernel vs q·(|e| − q/2), q = min(|e|, δ)
// Printed: the median step time of each, and the median (quartiles) over rounds of by-hand / op.
import * as wg from '../src/index.js';
import { cpuRounds, median } from './cpu-rounds.js';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const ROUNDS = arg('rounds', 41),
  STEPS = arg('steps', 20),
  B = 64;

type Sq = (t: wg.Tensor) => wg.Tensor;
type Loss = (y: wg.Tensor, t: wg.Tensor) => wg.Tensor;
interface Case {
  name: string;
  op: string;
  byHand: string;
  sq: [Sq, Sq];
  loss?: [Loss, Loss];
}

const square: [Sq, Sq] = [(t) => t.square(), (t) => t.mul(t)];
const huberByHand: Loss = (y, t) => {
  const a = y.sub(t).abs(),
    q = a.clamp(null, 1);
  return q.mul(a.sub(q.mul(0.5))).mean();
};
const CASES: Case[] = [
  { name: 'ln', op: 'square', byHand: 'x.mul(x)', sq: square },
  { name: 'mse', op: 'square', byHand: 'x.mul(x)', sq: square, loss: [(y, t) => square[0](y.sub(t)).mean(), (y, t) => square[1](y.sub(t)).mean()] },
  { name: 'huber', op: 'losses.huber', byHand: 'q·(|e| − q/2)', sq: square, loss: [(y, t) => wg.losses.huber(y, t), huberByHand] },
];

function model(c: Case, variant: 0 | 1) {
  wg.manualSeed(1);
  const l1 = new wg.nn.Linear(784, 128),
    l2 = new wg.nn.Linear(128, 10);
  const opt = new wg.optim.SGD([...l1.parameters(), ...l2.parameters()], { lr: 0.05 });
  const x = wg.randn([B, 784]),
    labels = wg.tensor(
      Array.from({ length: B }, (_, i) => i % 10),
      { dtype: 'int32' },
    );
  const onehot = wg.tensor(
    Array.from({ length: B * 10 }, (_, k) => (k % 10 === Math.floor(k / 10) % 10 ? 1 : 0)),
    { shape: [B, 10] },
  );
  const sq = c.name === 'ln' ? c.sq[variant] : c.sq[0];
  const hidden = (h: wg.Tensor) => {
    const cen = h.sub(h.mean(1, true));
    return cen.div(sq(cen).mean(1, true).add(1e-5).sqrt());
  };
  return () => {
    opt.zeroGrad();
    const y = l2.forward(hidden(l1.forward(x)).relu());
    const loss = c.loss ? c.loss[variant](y, onehot) : wg.losses.crossEntropy(y, labels);
    loss.backward();
    opt.step();
  };
}

await wg.init({ wasm: process.env.WASMGRAD_WASM ?? new URL('../build/wasmgrad.wasm', import.meta.url).pathname });
for (const c of CASES) {
  const times = cpuRounds(
    ([0, 1] as const).map((v) => model(c, v)),
    STEPS,
    ROUNDS,
  );
  const [k, hand] = times.map(median);
  // the ratio within each round (both ran back to back), then its median and quartiles over rounds
  const ratios = times[1].map((t, r) => t / times[0][r]).sort((a, b) => a - b);
  const q = (f: number) => ratios[Math.floor(f * (ratios.length - 1))].toFixed(3);
  console.log(
    `${c.name.padEnd(6)} ${c.op} ${k.toFixed(3)} ms/step   ${c.byHand} ${hand.toFixed(3)} ms/step   by hand / op ${q(0.5)} (quartiles ${q(0.25)}–${q(0.75)})`,
  );
}
