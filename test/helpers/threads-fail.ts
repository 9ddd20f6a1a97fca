/**
 * A process of test/threads.test.ts whose worker traps in its part of every job (the worker
 * source swapped through poolHooks): prints the error a split matmul then raises, as JSON.
 */
import * as wg from '../../src/index.js';
import { poolHooks, WORKER_SOURCE } from '../../src/engine/backend/pool.js';

poolHooks.workerSource = WORKER_SOURCE.replace('ex.poolWork(d.part, d.scratch)', '(() => { throw new WebAssembly.RuntimeError("unreachable"); })()');
await wg.init({ threads: 2, build: 'simd' });
const a = wg.ones([256, 256]);
let message = 'no error';
try {
  a.matmul(a).data();
} catch (e) {
  message = `${(e as Error).name}: ${(e as Error).message}`;
}
console.log(JSON.stringify({ threads: wg.info().threads, message }));
