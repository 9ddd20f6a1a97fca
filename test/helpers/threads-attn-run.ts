/**
 * One process of test/threads-attn.test.ts: `node --import tsx threads-attn-run.ts <threads> <build>
 * [small]` inits wasmgrad with that many threads and prints, as one JSON line, wg.info().threads,
 * the pool jobs posted and a digest of the raw float32 bits of every result of the fused attention
 * (forward and backward) on shapes below and above its split threshold, odd ones, and a
 * self-attention training step, eager and compiled. With `small`, only the shapes below the
 * threshold run (no job may be posted).
 * Inputs come from a fixed integer sequence, not from the RNG, so every run sees the same values.
 */
import * as wg from '../../src/index.js';
import { backend } from '../../src/engine/engine.js';
import type { WasmBackend } from '../../src/engine/backend/wasm.js';

const [threads, build, only] = [Number(process.argv[2]), process.argv[3] as 'simd' | 'relaxed', process.argv[4]];
await wg.init({ threads, build });

let state = 12345;
/** Values in [-1, 1) from a 32-bit LCG. */
const values = (n: number) => Float32Array.from({ length: n }, () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 31 - 1);
const param = (shape: readonly number[]) => wg.tensor(values(shape.reduce((a, b) => a * b, 1)), { shape, requiresGrad: true });

/** FNV-1a over the float32 bits: equal digests ⇔ (with overwhelming odds) equal bits. */
const digest = (t: wg.Tensor) => {
  let h = 0x811c9dc5;
  for (const w of new Uint32Array(Float32Array.from(t.data()).buffer)) h = Math.imul(h ^ w, 0x01000193) >>> 0;
  return h.toString(16);
};

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

const out: Record<string, string> = {};
for (const [B, L, S, E, Ev, form] of only === 'small' ? SMALL : [...SMALL, ...LARGE]) {
  const [q, k, v] = [param([B, L, E]), param([B, S, E]), param([B, S, Ev])];
  const mask = form === 'mask' ? param([B, L, S]) : form === 'maskShared' ? param([L, S]) : undefined;
  const o = wg.scaledDotProductAttention(q, k, v, { isCausal: form === 'causal', attnMask: mask });
  o.mul(param(o.shape)).sum().backward();
  out[`attention ${B}x${L}x${S}x${E}x${Ev} ${form}`] = [o, q.grad!, k.grad!, v.grad!, ...(mask ? [mask.grad!] : [])].map(digest).join();
}

/** Causal self-attention on one tensor (q = k = v: the gradients alias) trained for 3 steps, eager or compiled. */
function train(compiled: boolean) {
  wg.manualSeed(5);
  const x = param([64, 32, 16]);
  const w = param([16, 16]);
  const opt = new wg.optim.SGD([x, w], { lr: 0.1 });
  const step = (t: wg.Tensor) => {
    const h = wg.matmul(x, w);
    const loss = wg.scaledDotProductAttention(h, h, h, { isCausal: true }).mul(t).sum();
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss;
  };
  const run = compiled ? wg.compile(step) : step;
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) losses.push(run(wg.tensor(values(64 * 32 * 16), { shape: [64, 32, 16] })).item());
  return [losses.join(), digest(x), digest(w)].join();
}
if (only !== 'small') {
  out['self-attention eager'] = train(false);
  out['self-attention compiled'] = train(true);
}

const jobs = (backend('wasm') as WasmBackend).poolJobs;
console.log(JSON.stringify({ threads: wg.info().threads, build: wg.info().build, jobs, out }));
