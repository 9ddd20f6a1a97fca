/**
 * One process of test/threads.test.ts: `node --import tsx threads-run.ts <threads> <build>` inits
 * wasmgrad with that many threads and prints, as one JSON line, wg.info().threads and a digest of
 * the raw float32 bits of every result: matmul (all transpose forms) and linear (with relu)
 * forward and backward on odd and large shapes, a convolution and causal attention, and a small
 * MLP trained eagerly and compiled.
 * Inputs come from a fixed integer sequence, not from the RNG, so every run sees the same values.
 */
import * as wg from '../../src/index.js';
import { digest, jobs as poolJobs, param, trainDigest } from './threads-common.js';

const out: Record<string, string> = {};
// [m, k, n]: odd sizes around the micro-tile (4×8) and the split threshold (2²⁰ multiply-adds),
// and products well above it, tall (split by rows) and wide (split by columns).
const SHAPES = [
  [1, 3, 17],
  [3, 17, 63],
  [17, 63, 65],
  [65, 257, 63],
  [63, 65, 257],
  [257, 63, 65],
  [257, 257, 257],
  [520, 300, 257],
  [257, 300, 520],
  [1024, 96, 512],
];
for (const [m, k, n] of SHAPES) {
  for (const [ta, tb] of [
    [false, false],
    [false, true],
    [true, false],
  ]) {
    const a = param(ta ? [k, m] : [m, k]),
      b = param(tb ? [n, k] : [k, n]);
    const c = a.matmul(b, { transposeA: ta, transposeB: tb });
    c.mul(param([m, n]))
      .sum()
      .backward();
    out[`matmul ${m}x${k}x${n} ${ta}${tb}`] = [c, a.grad!, b.grad!].map(digest).join();
  }
  const x = param([m, k]),
    w = param([n, k]),
    bias = param([n]);
  const y = wg.linear(x, w, bias, { activation: 'relu' });
  y.mul(param([m, n]))
    .sum()
    .backward();
  out[`linear ${m}x${k}x${n}`] = [y, x.grad!, w.grad!, bias.grad!].map(digest).join();
}

// The other kernels built on gemm, forward and backward: the convolution takes its direct path,
// which splits by images and output channels (test/threads-conv.test.ts covers it case by case),
// and attention's block products stay below the GEMM split threshold.
{
  const x = param([4, 16, 32, 32]),
    w = param([32, 16, 3, 3]),
    b = param([32]);
  const y = wg.conv2d(x, w, b, { padding: 1 });
  y.mul(param(y.shape)).sum().backward();
  out['conv2d'] = [y, x.grad!, w.grad!, b.grad!].map(digest).join();
  const [q, k, v] = [param([2, 4, 256, 64]), param([2, 4, 256, 64]), param([2, 4, 256, 64])];
  const o = wg.scaledDotProductAttention(q, k, v, { isCausal: true });
  o.mul(param(o.shape)).sum().backward();
  out['attention'] = [o, q.grad!, k.grad!, v.grad!].map(digest).join();
}

/** An MLP 64-256-10 (batch 128: its GEMMs are above the split threshold) trained for 5 steps. */
function train(compiled: boolean) {
  wg.manualSeed(3);
  const model = new wg.nn.Sequential(new wg.nn.Linear(64, 256), new wg.nn.ReLU(), new wg.nn.Linear(256, 10));
  return trainDigest(model, [128, 64], 5, compiled);
}
out['mlp eager'] = train(false);
out['mlp compiled'] = train(true);

const jobs = poolJobs();
console.log(JSON.stringify({ threads: wg.info().threads, build: wg.info().build, jobs, out }));
