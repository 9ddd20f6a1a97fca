// Gradient accumulation and clipping under wg.compile (issue 13): CPU time per optimizer step of
// an MLP 784-128-10 trained on 4 micro-batches of 16 per step, eager and in the compiled forms
// docs/internals.md ("Gradients and accumulation") supports, interleaved in rounds so that machine
// noise hits all alike. Every compiled form must replay fast (checked before timing).
//
//   npx tsx bench/accumulate.ts [--rounds=N] [--steps=N]      (WASMGRAD_WASM: another build)
//
//   outside  compiled micro-batch (forward + backward), opt.step()/zeroGrad() outside every 4 calls
//   flag     compiled micro-batch with a boolean argument: step and zeroGrad inside when true
//   inside   compiled step slicing its batch of 64 into 4 micro-batches (4 backward(), one step)
//   clip     `inside` with clipGradNorm(params, 1) before the step
// Printed: the median ms per optimizer step of each, and eager / compiled (median over rounds).
import * as wg from '../src/index.js';
import { cpuRounds, median } from './cpu-rounds.js';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const ROUNDS = arg('rounds', 21),
  STEPS = arg('steps', 10),
  K = 4,
  B = 16;

type Form = 'outside' | 'flag' | 'inside' | 'clip';
const FORMS: Form[] = ['outside', 'flag', 'inside', 'clip'];

/** One optimizer step (K micro-batches) of `form`, eager or compiled; checks compiled forms replay fast. */
function trainer(form: Form, compiled: boolean): () => void {
  wg.manualSeed(1);
  const model = new wg.nn.Sequential(new wg.nn.Linear(784, 128), new wg.nn.ReLU(), new wg.nn.Linear(128, 10));
  const opt = new wg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = wg.randn([K * B, 784]);
  const xs = Array.from({ length: K }, () => wg.randn([B, 784]));
  const ys = Array.from({ length: K }, (_, m) => wg.tensor(Int32Array.from({ length: B }, (_, i) => (i + m) % 10)));
  const loss = (xb: wg.Tensor, yb: wg.Tensor) => wg.losses.crossEntropy(model.forward(xb), yb).div(K);
  const micro = (xb: wg.Tensor, yb: wg.Tensor, last: boolean) => {
    const l = loss(xb, yb);
    l.backward();
    if (last) {
      opt.step();
      opt.zeroGrad();
    }
    return l;
  };
  const whole = (xb: wg.Tensor) => {
    opt.zeroGrad();
    for (let m = 0; m < K; m++) loss(xb.slice(0, m * B, (m + 1) * B), ys[m]).backward();
    if (form === 'clip') wg.optim.clipGradNorm(model, 1);
    opt.step();
  };
  const c = { whole: compiled ? wg.compile(whole) : whole, micro: compiled ? wg.compile(micro) : micro };
  const step =
    form === 'inside' || form === 'clip'
      ? () => c.whole(x)
      : () => {
          for (let m = 0; m < K; m++) c.micro(xs[m], ys[m], form === 'flag' && m === K - 1);
          if (form === 'outside') {
            opt.step();
            opt.zeroGrad();
          }
        };
  if (compiled) {
    for (let s = 0; s < 3; s++) step();
    const used = form === 'inside' || form === 'clip' ? c.whole : c.micro;
    for (const info of (used as ReturnType<typeof wg.compile>).replayInfo())
      if (info.mode !== 'fast') throw new Error(`bench/accumulate: ${form} does not replay fast: ${JSON.stringify(info)}`);
  }
  return step;
}

await wg.init({ wasm: process.env.WASMGRAD_WASM ?? new URL('../build/wasmgrad.wasm', import.meta.url).pathname });
for (const form of FORMS) {
  const times = cpuRounds(
    [false, true].map((compiled) => trainer(form, compiled)),
    STEPS,
    ROUNDS,
  );
  const ratio = median(times[0].map((t, r) => t / times[1][r]));
  console.log(
    `${form.padEnd(8)} eager ${median(times[0]).toFixed(3)} ms/step   compiled ${median(times[1]).toFixed(3)} ms/step   eager / compiled ${ratio.toFixed(2)}`,
  );
}
