/**
 * One process of test/threads-colconv.test.ts: `node --import tsx threads-colconv-run.ts <threads>
 * <build>` inits wasmgrad with that many threads and prints, as one JSON line, wg.info().threads,
 * the jobs each case posted to the pool, and a digest of the raw float32 bits of every result: the
 * im2col convolutions (strided, pointwise, grouped, dilated, transposed at stride 2) forward and
 * backward, on shapes above and below the weight-gradient split's threshold (2²⁰ multiply-adds and
 * more than one group of NR = 8 taps), odd ones among them, and a small strided CNN trained eagerly
 * and compiled. Each convolution also runs with only its weight requiring a gradient and no bias,
 * so that its backward's jobs (`<name> dW`) are the weight gradient's alone.
 * Inputs come from a fixed integer sequence, not from the RNG, so every run sees the same values.
 */
import * as wg from '../../src/index.js';
import { digest, jobs as poolJobs, numel, param, trainDigest, values } from './threads-common.js';

const out: Record<string, string> = {};
const jobs: Record<string, number> = {};

/** conv2d or convTranspose2d of x by w (and b) with the case's options. */
type Conv = (x: wg.Tensor, w: wg.Tensor, b: wg.Tensor | null) => wg.Tensor;

/**
 * Runs a convolution of x `shape` by weight `wshape` twice: with x, w and a bias requiring
 * gradients (y and the gradients of Σ y·r, r fixed: digests and jobs under `name`), then with only
 * w requiring one and no bias, seeded with a fixed gradient (dW's digest and the jobs of the conv's
 * backward alone under `name dW`).
 */
function record(name: string, shape: number[], wshape: number[], bias: number, conv: Conv) {
  let before = poolJobs();
  const x = param(shape),
    w = param(wshape),
    b = param([bias]);
  const y = conv(x, w, b);
  y.mul(param(y.shape)).sum().backward();
  out[name] = [y, x.grad!, w.grad!, b.grad!].map(digest).join();
  jobs[name] = poolJobs() - before;

  const xc = wg.tensor(values(numel(shape)), { shape }),
    wc = param(wshape);
  const yc = conv(xc, wc, null),
    seed = wg.tensor(values(numel(y.shape)), { shape: y.shape });
  before = poolJobs();
  yc.backward(seed);
  jobs[`${name} dW`] = poolJobs() - before;
  out[`${name} dW`] = digest(wc.grad!);
}

// conv2d through im2col on every build (stride 2, a 1×1 kernel, padding past dilation·(k − 1)):
// [n, c, h, w], out channels, kernel, options. Taps (c/groups·kh·kw) on and off multiples of 8,
// output planes odd, output channels per group 1, 3, 5, 17 and past the GEMM's dot-product (16) and
// unpacked (64) row limits, with planes under its depth limit (32) so the blocked GEMM runs too.
const CONVS: [string, number[], number, number, wg.Conv2dOptions][] = [
  ['conv 2x3x9x9 o5 k3 s2 small', [2, 3, 9, 9], 5, 3, { stride: 2 }],
  ['conv 4x32x32x32 o64 k3 s2 p1', [4, 32, 32, 32], 64, 3, { stride: 2, padding: 1 }],
  ['conv 1x64x64x64 o32 k3 s2 p1 one image', [1, 64, 64, 64], 32, 3, { stride: 2, padding: 1 }],
  ['conv 9x1x64x64 o16 k3 s2 one channel', [9, 1, 64, 64], 16, 3, { stride: 2 }],
  ['conv 7x1x64x64 o16 k3 s2 one channel small', [7, 1, 64, 64], 16, 3, { stride: 2 }],
  ['conv 17x64x33x33 o1 k3 s2 p1', [17, 64, 33, 33], 1, 3, { stride: 2, padding: 1 }],
  ['conv 9x32x27x27 o3 k3 s2', [9, 32, 27, 27], 3, 3, { stride: 2 }],
  ['conv 3x7x31x29 o5 k3 s2 p1', [3, 7, 31, 29], 5, 3, { stride: 2, padding: 1 }],
  ['conv 16x32x9x9 o64 k3 s2 p1 blocked', [16, 32, 9, 9], 64, 3, { stride: 2, padding: 1 }],
  ['conv 12x24x7x7 o80 k3 s2 p1 blocked packed', [12, 24, 7, 7], 80, 3, { stride: 2, padding: 1 }],
  ['conv 3x17x7x7 o3 k1 pointwise small', [3, 17, 7, 7], 3, 1, {}],
  ['conv 5x32x17x17 o33 k1 pointwise', [5, 32, 17, 17], 33, 1, {}],
  ['conv 9x17x33x31 o24 k1 pointwise 17 taps', [9, 17, 33, 31], 24, 1, {}],
  ['conv 16x8x32x32 o64 k1 pointwise one tap group', [16, 8, 32, 32], 64, 1, {}],
  ['conv 8x24x33x33 o48 k3 s2 p1 groups 3', [8, 24, 33, 33], 48, 3, { stride: 2, padding: 1, groups: 3 }],
  ['conv 3x10x15x15 o10 k3 s2 groups 5 small', [3, 10, 15, 15], 10, 3, { stride: 2, groups: 5 }],
  ['conv 7x5x29x31 o17 k3 s2 p2 dilation 2', [7, 5, 29, 31], 17, 3, { stride: 2, padding: 2, dilation: 2 }],
  ['conv 3x8x17x17 o16 k3 p5 dilation 2', [3, 8, 17, 17], 16, 3, { padding: 5, dilation: 2 }],
];
for (const [name, shape, o, k, opts] of CONVS) record(name, shape, [o, shape[1] / (opts.groups ?? 1), k, k], o, (x, w, b) => wg.conv2d(x, w, b, opts));

// convTranspose2d at stride 2 (the adjoint of a strided conv: im2col on every build). x [n, c, h, w],
// weight [c, out/groups, k, k]; its weight gradient is the strided conv's with x and G swapped.
const TRANSPOSED: [string, number[], number[], wg.ConvTranspose2dOptions][] = [
  ['convTranspose 1x3x5x5 o5 k3 s2 small', [1, 3, 5, 5], [3, 5, 3, 3], { stride: 2 }],
  ['convTranspose 4x32x16x16 o24 k3 s2 p1 op1', [4, 32, 16, 16], [32, 24, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
  ['convTranspose 5x17x15x17 o7 k3 s2', [5, 17, 15, 17], [17, 7, 3, 3], { stride: 2 }],
  ['convTranspose 5x16x9x9 o12 k4 s2 p1 groups 4', [5, 16, 9, 9], [16, 3, 4, 4], { stride: 2, padding: 1, groups: 4 }],
];
for (const [name, shape, wshape, opts] of TRANSPOSED)
  record(name, shape, wshape, wshape[1] * (opts.groups ?? 1), (x, w, b) => wg.convTranspose2d(x, w, b, opts));

/** A strided CNN (strided conv, pointwise conv, grouped strided conv, linear) trained for 3 steps with Adam. */
function train(compiled: boolean) {
  wg.manualSeed(3);
  const { nn } = wg;
  const model = new nn.Sequential(
    new nn.Conv2d(3, 16, 3, { stride: 2, padding: 1 }),
    new nn.ReLU(),
    new nn.Conv2d(16, 24, 1),
    new nn.ReLU(),
    new nn.Conv2d(24, 32, 3, { stride: 2, padding: 1, groups: 2 }),
    new nn.ReLU(),
    new nn.Flatten(),
    new nn.Linear(32 * 8 * 8, 10),
  );
  return trainDigest(model, [16, 3, 32, 32], 3, compiled);
}
for (const compiled of [false, true]) {
  const name = `cnn ${compiled ? 'compiled' : 'eager'}`;
  const before = poolJobs();
  out[name] = train(compiled);
  jobs[name] = poolJobs() - before;
}

console.log(JSON.stringify({ threads: wg.info().threads, build: wg.info().build, jobs, out }));
