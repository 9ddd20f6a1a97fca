/**
 * A process of test/threads.test.ts whose worker breaks in its part of every job (the worker
 * source swapped through poolHooks): `trap` (argv[2], the default) traps, `exit` ends the worker
 * thread outright. Prints, as JSON, the error a split matmul then raises, the thread count after
 * it, the workers asleep 100 ms later, and whether the same product then computes correctly.
 */
import * as wg from '../../src/index.js';
import { poolHooks, WORKER_SOURCE } from '../../src/engine/backend/pool.js';
import { backend } from '../../src/engine/engine.js';
import type { WasmBackend } from '../../src/engine/backend/wasm.js';

const broken = process.argv[2] === 'exit' ? 'process.exit(0)' : '(() => { throw new WebAssembly.RuntimeError("unreachable"); })()';
poolHooks.workerSource = WORKER_SOURCE.replace('ex.poolWork(d.part, d.scratch)', broken);
poolHooks.joinGraceMs = 300;
await wg.init({ threads: 2, build: 'simd' });
const values = Float32Array.from({ length: 256 * 256 }, (_, i) => Math.sin(i));
const product = () => {
  const a = wg.tensor(values, { shape: [256, 256] });
  return Array.from(a.matmul(a).data().slice(0, 4096));
};
let message = 'no error';
try {
  product();
} catch (e) {
  message = `${(e as Error).name}: ${(e as Error).message}`;
}
const { threads, threadsNote: note } = wg.info();
// A run that failed must not leave the workers polling (assembly/pool.ts poolActive): give the
// living worker time to fall asleep.
await new Promise((r) => setTimeout(r, 100));
const sleeping = (backend('wasm') as WasmBackend).poolSleeping;
let again: number[] | string;
try {
  again = product();
} catch (e) {
  again = `${(e as Error).name}: ${(e as Error).message}`;
}
wg.setBackend('reference');
const want = product();
const worst = typeof again === 'string' ? again : Math.max(...again.map((v, i) => Math.abs(v - want[i]) / (1 + Math.abs(want[i]))));
console.log(JSON.stringify({ threads, note, message, worst, sleeping }));
