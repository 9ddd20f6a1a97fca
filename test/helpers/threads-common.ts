/**
 * What the threads runners (test/helpers/threads-*run.ts, one child process each) share: wasmgrad
 * initialised from argv (`<threads> <build>`), inputs from a fixed integer sequence (not the RNG,
 * so every run sees the same values), a digest of raw bits, and the pool's job counter.
 */
import * as wg from '../../src/index.js';
import { backend } from '../../src/engine/engine.js';
import type { WasmBackend } from '../../src/engine/backend/wasm.js';

/** argv: the thread count, the build, and any further arguments. */
export const [threads, build, ...rest] = [Number(process.argv[2]), process.argv[3] as 'simd' | 'relaxed', ...process.argv.slice(4)];
await wg.init({ threads, build });

/** Jobs the kernels have posted to the pool so far. */
export const jobs = () => (backend('wasm') as WasmBackend).poolJobs;

let state = 12345;
/** Values in [-1, 1) from a 32-bit LCG (a plain loop: Float32Array.from with a callback took half a runner's time). */
export const values = (n: number) => {
  const v = new Float32Array(n);
  let s = state; // a local in the loop, the module's variable once after it
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  state = s;
  return v;
};
/** f of each value, as int32 (a plain loop, as `values`). */
export const ints32 = (v: Float32Array, f: (x: number) => number) => {
  const r = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) r[i] = f(v[i]);
  return r;
};
export const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
export const param = (shape: readonly number[]) => wg.tensor(values(numel(shape)), { shape, requiresGrad: true });

/** FNV-1a over the float32 (or int32) bits: equal digests ⇔ (with overwhelming odds) equal bits. */
export const digest = (t: wg.Tensor) => {
  const d = t.data(); // a fresh Float32Array or Int32Array: its bits are read in place
  const words = new Uint32Array(d.buffer, d.byteOffset, d.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193) >>> 0;
  return h.toString(16);
};

/**
 * `steps` Adam steps (lr 0.01) of cross-entropy over 10 classes, eager or compiled, on inputs of
 * `shape` from the sequence and labels (j·7 + i) mod 10: the losses and every state entry's digest.
 */
export function trainDigest(model: wg.nn.Module, shape: readonly number[], steps: number, compiled: boolean): string {
  const opt = new wg.optim.Adam(model.parameters(), { lr: 0.01 });
  const step = (x: wg.Tensor, y: wg.Tensor) => {
    const loss = wg.losses.crossEntropy(model.forward(x) as wg.Tensor, y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss;
  };
  const run = compiled ? wg.compile(step) : step;
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const x = wg.tensor(values(numel(shape)), { shape });
    const y = wg.tensor(Int32Array.from({ length: shape[0] }, (_, j) => (j * 7 + i) % 10));
    losses.push(run(x, y).item());
  }
  return [losses.join(), ...Object.values(model.stateDict()).map(digest)].join();
}
