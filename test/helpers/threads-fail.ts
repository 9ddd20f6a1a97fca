/**
 * A process of test/threads.test.ts whose worker misbehaves (its source swapped through poolHooks),
 * mode argv[2]:
 *  - `trap`: every part the worker claims traps (its scratch pointer lies past the memory);
 *  - `exit`: the same, and the worker thread then ends instead of reporting it, holding the part;
 *  - `late`: the worker sleeps 300 ms before it looks at each job, so the main thread takes its parts;
 *  - `gone`: the worker thread ends at its first job, before claiming anything.
 * Prints, as JSON, the first error of up to three split matmuls, the thread count and notice after a
 * further three 100 ms later (their first error, or the worst deviation from the reference backend),
 * and before those, the workers asleep and the parts the main thread took from the workers.
 */
import * as wg from '../../src/index.js';
import { poolHooks, WORKER_SOURCE } from '../../src/engine/backend/pool.js';
import { backend } from '../../src/engine/engine.js';
import type { WasmBackend } from '../../src/engine/backend/wasm.js';

const PAST_MEMORY = 'ex.poolWork(0xf0000000)';
const HOOKS: Record<string, [string, string][]> = {
  trap: [['ex.poolWork(d.scratch)', PAST_MEMORY]],
  exit: [
    ['ex.poolWork(d.scratch)', PAST_MEMORY],
    ['ex.poolFail()', 'process.exit(0)'],
  ],
  late: [['ex.poolWork(d.scratch)', '(Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300), ex.poolWork(d.scratch))']],
  gone: [['ex.poolWork(d.scratch)', 'process.exit(0)']],
};
poolHooks.workerSource = HOOKS[process.argv[2] ?? 'trap'].reduce((src, [from, to]) => src.replace(from, to), WORKER_SOURCE);
poolHooks.joinGraceMs = 300;
await wg.init({ threads: 2, build: 'simd' });
const wasm = backend('wasm') as WasmBackend;
// 512 × 512 × 512: part 0 takes about a millisecond, time enough for the worker to claim part 1.
const values = Float32Array.from({ length: 512 * 512 }, (_, i) => Math.sin(i));
const product = () => {
  const a = wg.tensor(values, { shape: [512, 512] });
  return Array.from(a.matmul(a).data().slice(0, 4096));
};
/** The first error of up to three products (a worker that wakes after the main thread took its part cannot fail in it), or their last result. */
const attempts = (): number[] | string => {
  let last: number[] = [];
  for (let i = 0; i < 3; i++) {
    try {
      last = product();
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  }
  return last;
};
const first = attempts();
const message = typeof first === 'string' ? first : 'no error';
// A run that failed must not leave the workers polling (assembly/pool.ts poolActive): give the
// living worker time to fall asleep (and a worker that ended, time to be reported).
await new Promise((r) => setTimeout(r, 100));
const sleeping = wasm.poolSleeping,
  taken = wasm.poolTaken;
const again = attempts();
const { threads, threadsNote: note } = wg.info();
wg.setBackend('reference');
const want = product();
const worst = typeof again === 'string' ? again : Math.max(...again.map((v, i) => Math.abs(v - want[i]) / (1 + Math.abs(want[i]))));
console.log(JSON.stringify({ threads, note, message, worst, sleeping, taken }));
