// What the pages and the Worker of test/browser/threads.test.ts run, given the library's namespace
// `wg` (whichever entry loaded it): wg.init({ threads }) and the raw float32 bits of matmul and
// linear (forward and backward) below and above the GEMM split threshold (2²⁰ multiply-adds), and
// of an MLP whose GEMMs split, trained eagerly and compiled. Inputs come from a fixed integer
// sequence, so every page load sees the same values.
/* global Worker */

/**
 * Watches the pool's job counter. The pool posts each worker { module, memory, ctrl, part,
 * scratch } (src/engine/backend/pool.ts); word 0 of the control block is SEQ, the number of jobs
 * posted (assembly/pool.ts). Call before wg.init; the result reads 0 while there is no pool.
 */
export function watchJobs() {
  let block = null;
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (m, ...rest) {
    if (m?.memory instanceof WebAssembly.Memory && Number.isInteger(m.ctrl)) block = m;
    return post.call(this, m, ...rest);
  };
  return () => (block ? Atomics.load(new Int32Array(block.memory.buffer, block.ctrl, 1), 0) : 0);
}

/** FNV-1a over the float32 bits: equal digests ⇔ (with overwhelming odds) equal bits. */
function digest(t) {
  let h = 0x811c9dc5;
  for (const w of new Uint32Array(Float32Array.from(t.data()).buffer)) h = Math.imul(h ^ w, 0x01000193) >>> 0;
  return h.toString(16);
}

// [m, k, n]: odd sizes around the 4×8 micro-tile below the threshold (these must post no job), one
// either side of it, and products above it, tall (split by rows of C) and wide (split by columns).
const SMALL = [
  [1, 3, 17],
  [3, 17, 63],
  [17, 63, 65],
  [63, 127, 129], // 2²⁰ − 16447
];
const LARGE = [
  [65, 257, 63], // 2²⁰ + 3839
  [257, 63, 65],
  [257, 257, 257],
  [129, 300, 520],
];

/**
 * Inits `wg` with `threads` (more init options in `opts`) and returns { threads, build, out, jobs }:
 * out maps each case to the digests of its results and gradients, jobs to the pool jobs it posted
 * (`jobsNow` from watchJobs).
 */
export async function run(wg, threads, jobsNow, opts = {}) {
  await wg.init({ threads, ...opts });
  let state = 12345;
  const values = (n) => Float32Array.from({ length: n }, () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 31 - 1);
  const param = (shape) => wg.tensor(values(shape.reduce((a, b) => a * b, 1)), { shape, requiresGrad: true });
  const out = {};
  const jobs = {};
  const record = (name, f) => {
    const before = jobsNow();
    out[name] = f();
    jobs[name] = jobsNow() - before;
  };
  for (const [m, k, n] of [...SMALL, ...LARGE]) {
    record(`matmul ${m}x${k}x${n}`, () => {
      const a = param([k, m]);
      const b = param([n, k]);
      const c = a.matmul(b, { transposeA: true, transposeB: true });
      c.mul(param([m, n]))
        .sum()
        .backward();
      return [c, a.grad, b.grad].map(digest).join();
    });
    record(`linear ${m}x${k}x${n}`, () => {
      const [x, w, bias] = [param([m, k]), param([n, k]), param([n])];
      const y = wg.linear(x, w, bias, { activation: 'relu' });
      y.mul(param([m, n]))
        .sum()
        .backward();
      return [y, x.grad, w.grad, bias.grad].map(digest).join();
    });
  }
  // An MLP 64-256-10 at batch 128 (its GEMMs are above the threshold), 3 Adam steps.
  const train = (compiled) => {
    wg.manualSeed(3);
    const model = new wg.nn.Sequential(new wg.nn.Linear(64, 256), new wg.nn.ReLU(), new wg.nn.Linear(256, 10));
    const opt = new wg.optim.Adam(model.parameters(), { lr: 0.01 });
    const step = (x, y) => {
      const loss = wg.losses.crossEntropy(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss;
    };
    const go = compiled ? wg.compile(step) : step;
    const losses = [];
    for (let i = 0; i < 3; i++) {
      const x = wg.tensor(values(128 * 64), { shape: [128, 64] });
      const y = wg.tensor(Int32Array.from({ length: 128 }, (_, j) => (j * 7 + i) % 10));
      losses.push(go(x, y).item());
    }
    return [losses.join(), ...Object.values(model.stateDict()).map(digest)].join();
  };
  record('mlp eager', () => train(false));
  record('mlp compiled', () => train(true));
  return { threads: wg.info().threads, build: wg.info().build, out, jobs };
}
