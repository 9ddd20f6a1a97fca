/**
 * One process of test/threads-attn.test.ts: `node --import tsx threads-attn-run.ts <threads> <build>
 * [small]` inits wasmgrad with that many threads and prints, as one JSON line, wg.info().threads,
 * the pool jobs posted (in all and by each forward) and a digest of the raw float32 bits of every
 * result of the fused attention, the recurrences and cross-entropy (forward and backward) on shapes
 * below and above their split thresholds, odd ones, and a self-attention, a transformer encoder
 * layer and an LSTM trained eagerly and compiled. With `small`, only the shapes below the thresholds run.
 * Inputs come from a fixed integer sequence, not from the RNG, so every run sees the same values.
 */
import * as wg from '../../src/index.js';
import { digest, jobs as poolJobs, param, rest, values } from './threads-common.js';

const only = rest[0];

type Form = 'none' | 'causal' | 'mask' | 'maskShared';
/** [B, L, S, E, Ev, form]; the first ones are below the split threshold (2¹⁹ multiply-adds over the attended keys). */
const SMALL: [number, number, number, number, number, Form][] = [
  [1, 1, 1, 1, 1, 'none'],
  [3, 5, 7, 3, 5, 'causal'],
  [17, 7, 9, 8, 8, 'mask'],
  [5, 17, 17, 16, 16, 'none'],
];
const LARGE: [number, number, number, number, number, Form][] = [
  [64, 32, 32, 16, 16, 'causal'], // W7's heads
  [3, 65, 63, 33, 17, 'none'], // odd sizes, and a last part with fewer batches
  [17, 33, 31, 32, 32, 'causal'],
  [8, 40, 33, 32, 24, 'mask'], // a mask per batch: its gradient splits too
  [8, 40, 33, 32, 24, 'maskShared'], // one mask for all batches: its gradient keeps the backward on one thread
  [2, 256, 256, 64, 64, 'causal'],
];

/** f's result and the pool jobs it posted. */
const counted = <T>(f: () => T): [T, number] => {
  const before = poolJobs();
  return [f(), poolJobs() - before];
};

const out: Record<string, string> = {};
/** Jobs posted by each case's forward. */
const forwardJobs: Record<string, number> = {};
for (const [B, L, S, E, Ev, form] of only === 'small' ? SMALL : [...SMALL, ...LARGE]) {
  const key = `attention ${B}x${L}x${S}x${E}x${Ev} ${form}`;
  const [q, k, v] = [param([B, L, E]), param([B, S, E]), param([B, S, Ev])];
  const mask = form === 'mask' ? param([B, L, S]) : form === 'maskShared' ? param([L, S]) : undefined;
  const [o, jobs] = counted(() => wg.scaledDotProductAttention(q, k, v, { isCausal: form === 'causal', attnMask: mask }));
  forwardJobs[key] = jobs;
  o.mul(param(o.shape)).sum().backward();
  out[key] = [o, q.grad!, k.grad!, v.grad!, ...(mask ? [mask.grad!] : [])].map(digest).join();
}

/** [kind, L, N, input, H]: a recurrence below the split threshold (or with too few rows to cut), then above it. */
type Kind = 'LSTM' | 'GRU' | 'RNN';
const SMALL_RNN: [Kind, number, number, number, number][] = [
  ['LSTM', 1, 1, 1, 1],
  ['LSTM', 50, 3, 16, 32], // 3 rows: less than one MR tile per part
  ['GRU', 7, 17, 5, 7],
  ['RNN', 17, 5, 3, 33],
];
const LARGE_RNN: [Kind, number, number, number, number][] = [
  ['LSTM', 50, 32, 64, 128], // W8
  ['GRU', 60, 40, 8, 16], // depth 16 < DOT_K, 20 rows per part: the whole's path (blocked) in each part
  ['RNN', 17, 5, 3, 257], // odd: parts of 4 and 1 rows
  ['LSTM', 9, 17, 7, 129],
];
for (const [kind, L, N, I, H] of only === 'small' ? SMALL_RNN : [...SMALL_RNN, ...LARGE_RNN]) {
  const key = `${kind} L${L} N${N} ${I}->${H}`;
  wg.manualSeed(L * 1000 + N);
  const net = kind === 'LSTM' ? new wg.nn.LSTM(I, H) : kind === 'GRU' ? new wg.nn.GRU(I, H) : new wg.nn.RNN(I, H);
  const x = param([L, N, I]);
  const [y, jobs] = counted(() => (net as { forward(x: wg.Tensor): [wg.Tensor, unknown] }).forward(x)[0]);
  forwardJobs[key] = jobs;
  y.mul(param(y.shape)).sum().backward();
  out[key] = [y, x.grad!, ...net.parameters().map((p) => p.grad!)].map(digest).join();
}

/** [rows, classes, inner]: cross-entropy with int32 labels (class dim 1), below and above its split threshold. */
const SMALL_CE = [
  [1, 1, 1],
  [512, 42, 1], // W7's
  [17, 5, 3],
];
const LARGE_CE = [
  [1600, 42, 1], // W8's
  [3001, 33, 1], // odd rows: a ragged last part
  [700, 42, 7], // class dim in the middle
];
for (const [rows, C, inner] of only === 'small' ? SMALL_CE : [...SMALL_CE, ...LARGE_CE]) {
  const key = `crossEntropy ${rows}x${C}x${inner}`;
  const x = param(inner === 1 ? [rows, C] : [rows, C, inner]);
  const y = wg.tensor(
    Int32Array.from({ length: rows * inner }, (_, j) => (j * 7) % C),
    { shape: inner === 1 ? [rows] : [rows, inner] },
  );
  const [loss, jobs] = counted(() => wg.losses.crossEntropy(x, y, { reduction: 'none' }));
  forwardJobs[key] = jobs;
  loss.mul(param(loss.shape)).sum().backward();
  out[key] = [loss, x.grad!].map(digest).join();
}

/** A training step (zero the gradients, the loss's backward, the optimizer's step), compiled or eager. */
function trainingStep<A extends wg.Tensor[]>(opt: wg.optim.Optimizer, lossOf: (...a: A) => wg.Tensor, compiled: boolean) {
  const step = (...a: A) => {
    const loss = lossOf(...a);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss;
  };
  return compiled ? wg.compile(step) : step;
}

/** Causal self-attention on one tensor (q = k = v: the gradients alias) trained for 3 steps, eager or compiled. */
function train(compiled: boolean) {
  wg.manualSeed(5);
  const x = param([64, 32, 16]);
  const w = param([16, 16]);
  const run = trainingStep(
    new wg.optim.SGD([x, w], { lr: 0.1 }),
    (t: wg.Tensor) => {
      const h = wg.matmul(x, w);
      return wg.scaledDotProductAttention(h, h, h, { isCausal: true }).mul(t).sum();
    },
    compiled,
  );
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) losses.push(run(wg.tensor(values(64 * 32 * 16), { shape: [64, 32, 16] })).item());
  return [losses.join(), digest(x), digest(w)].join();
}

/**
 * W7 in small: a pre-norm causal TransformerEncoderLayer (batchFirst, 4 heads of 16: the attention
 * op reads the heads in place from the packed [16, 32, 192] projection, and its gradients of q, k
 * and v land in one buffer) trained with AdamW for 3 steps.
 */
function trainEncoder(compiled: boolean) {
  wg.manualSeed(9);
  const layer = new wg.nn.TransformerEncoderLayer(64, 4, { dimFeedforward: 128, dropout: 0, batchFirst: true, normFirst: true });
  const run = trainingStep(
    new wg.optim.AdamW(layer.parameters(), { lr: 0.01 }),
    (x: wg.Tensor, t: wg.Tensor) => layer.forward(x, { isCausal: true }).mul(t).sum(),
    compiled,
  );
  const losses: number[] = [];
  for (let i = 0; i < 3; i++)
    losses.push(run(wg.tensor(values(16 * 32 * 64), { shape: [16, 32, 64] }), wg.tensor(values(16 * 32 * 64), { shape: [16, 32, 64] })).item());
  return [losses.join(), ...layer.parameters().map(digest)].join();
}

/** W8 in small: an LSTM(16, 64) over 20 steps, batch 24, and Linear(64, 10) trained with Adam for 3 steps. */
function trainLstm(compiled: boolean) {
  wg.manualSeed(7);
  const lstm = new wg.nn.LSTM(16, 64),
    head = new wg.nn.Linear(64, 10);
  const run = trainingStep(
    new wg.optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 0.01 }),
    (x: wg.Tensor, y: wg.Tensor) => wg.losses.crossEntropy(head.forward(lstm.forward(x)[0].reshape([20 * 24, 64])), y),
    compiled,
  );
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const x = wg.tensor(values(20 * 24 * 16), { shape: [20, 24, 16] });
    const y = wg.tensor(Int32Array.from({ length: 20 * 24 }, (_, j) => (j * 7 + i) % 10));
    losses.push(run(x, y).item());
  }
  return [losses.join(), ...lstm.parameters().map(digest), ...head.parameters().map(digest)].join();
}
if (only !== 'small') {
  out['self-attention eager'] = train(false);
  out['self-attention compiled'] = train(true);
  out['lstm eager'] = trainLstm(false);
  out['lstm compiled'] = trainLstm(true);
  out['encoder layer eager'] = trainEncoder(false);
  out['encoder layer compiled'] = trainEncoder(true);
}

console.log(JSON.stringify({ threads: wg.info().threads, build: wg.info().build, jobs: poolJobs(), forwardJobs, out }));
