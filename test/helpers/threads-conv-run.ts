/**
 * One process of test/threads-conv.test.ts: `node --import tsx threads-conv-run.ts <threads> <build>`
 * inits wasmgrad with that many threads and prints, as one JSON line, wg.info().threads, the jobs
 * each case posted to the pool, and a digest of the raw float32 bits of every result: the W6
 * kernels (direct, im2col and depthwise convolutions, grouped and transposed ones, batch norm, the pools)
 * forward and backward on shapes above and below their split thresholds, odd ones among them, and
 * a small W6-like CNN trained eagerly and compiled.
 * Inputs come from a fixed integer sequence, not from the RNG, so every run sees the same values.
 */
import * as wg from '../../src/index.js';
import { digest, jobs as poolJobs, param, trainDigest } from './threads-common.js';

const out: Record<string, string> = {};
const jobs: Record<string, number> = {};
/** Runs f (forward, a weighted sum, backward) and records its results' digests and the jobs it posted. */
function record(name: string, f: () => wg.Tensor[]) {
  const before = poolJobs();
  out[name] = f().map(digest).join();
  jobs[name] = poolJobs() - before;
}
/** y, then the gradients of Σ y·r (r fixed) for the given tensors. */
function grads(y: wg.Tensor, of: wg.Tensor[]) {
  y.mul(param(y.shape)).sum().backward();
  return [y, ...of.map((t) => t.grad!)];
}

// conv2d, direct path (stride 1, 3×3 or 5×5): [n, c, h, w], out channels, options. Sizes below the
// split threshold (2²⁰ multiply-adds) and above it, odd channel counts (17: a weight-gradient cut
// into 16 + 1 channels), one image (only the weight gradient splits), groups, dilation, 'same'.
const CONVS: [string, number[], number, number, wg.Conv2dOptions][] = [
  ['conv 1x1x5x5 k3 small', [1, 1, 5, 5], 1, 3, { padding: 1 }],
  ['conv 3x3x7x7 k3 small', [3, 3, 7, 7], 5, 3, { padding: 1 }],
  ['conv 5x3x17x17 k3 small', [5, 3, 17, 17], 17, 3, { padding: 1 }],
  ['conv 7x5x17x17 k3 odd', [7, 5, 17, 17], 17, 3, { padding: 1 }],
  ['conv 1x16x32x32 k3 one image', [1, 16, 32, 32], 32, 3, { padding: 1 }],
  ['conv 16x1x28x28 W6 first', [16, 1, 28, 28], 16, 3, { padding: 1 }],
  ['conv 9x16x28x28 W6 second', [9, 16, 28, 28], 32, 3, { padding: 1 }],
  ['conv 12x8x28x28 k3 bias gradient split', [12, 8, 28, 28], 64, 3, { padding: 1 }], // 12·64·784 ≥ 2¹⁹ bias-gradient values
  ['conv 4x8x20x20 groups 2', [4, 8, 20, 20], 32, 3, { padding: 1, groups: 2 }],
  ['conv 3x6x19x21 k5 same dilation 2', [3, 6, 19, 21], 24, 5, { padding: 'same', dilation: 2 }],
  // The im2col path (stride 2, a pointwise 1×1) and the depthwise kernels: forward and input
  // gradient split by images, the weight gradient by taps (im2col) or channels (depthwise).
  ['conv 2x4x9x9 k3 s2 small', [2, 4, 9, 9], 8, 3, { stride: 2 }],
  ['conv 7x16x33x31 k3 s2 im2col', [7, 16, 33, 31], 17, 3, { stride: 2, padding: 1 }],
  ['conv 5x32x17x17 k1 pointwise', [5, 32, 17, 17], 33, 1, {}],
  ['conv 3x5x9x9 k3 depthwise small', [3, 5, 9, 9], 5, 3, { padding: 1, groups: 5 }],
  ['conv 7x17x33x31 k3 depthwise', [7, 17, 33, 31], 17, 3, { padding: 1, groups: 17 }],
  ['conv 9x16x56x56 k5 s2 depthwise', [9, 16, 56, 56], 16, 5, { stride: 2, padding: 2, groups: 16 }],
];
for (const [name, shape, o, k, opts] of CONVS) {
  record(name, () => {
    const x = param(shape),
      w = param([o, shape[1] / (opts.groups ?? 1), k, k]),
      b = param([o]);
    return grads(wg.conv2d(x, w, b, opts), [x, w, b]);
  });
}
// The same convolution as the bias-gradient case without a bias: the jobs its bias gradient posts.
record('conv 12x8x28x28 k3 no bias', () => {
  const x = param([12, 8, 28, 28]),
    w = param([64, 8, 3, 3]);
  return grads(wg.conv2d(x, w, null, { padding: 1 }), [x, w]);
});
// convTranspose2d at stride 1 runs the same direct passes with the roles swapped.
record('convTranspose 5x24x18x18 k3', () => {
  const x = param([5, 24, 18, 18]),
    w = param([24, 16, 3, 3]),
    b = param([16]);
  return grads(wg.convTranspose2d(x, w, b, { padding: 1 }), [x, w, b]);
});
// A depthwise convTranspose2d: its backward's weight gradient runs the depthwise kernel with the
// roles of x and G swapped, split by channels as conv2d's (its plan counts the parts' scratch).
record('convTranspose 8x16x40x40 k3 depthwise', () => {
  const x = param([8, 16, 40, 40]),
    w = param([16, 1, 3, 3]);
  return grads(wg.convTranspose2d(x, w, null, { padding: 1, groups: 16 }), [x, w]);
});

// Batch norm (training) over [N, C, H, W], split by channels: values N·C·H·W below and above 2¹⁶.
for (const shape of [
  [3, 5, 7, 7],
  [2, 3, 17, 17],
  [16, 16, 28, 28],
  [5, 7, 33, 65],
]) {
  record(`batchNorm ${shape.join('x')}`, () => {
    const x = param(shape),
      w = param([shape[1]]),
      b = param([shape[1]]);
    return grads(wg.batchNorm(x, null, null, { weight: w, bias: b, training: true }), [x, w, b]);
  });
}
// Pools, split by (image, channel) planes: planes·(H·W + OH·OW) below and above 2¹⁶.
const POOLS: [string, number[], (x: wg.Tensor) => wg.Tensor][] = [
  ['maxPool 2x3x7x7 k2', [2, 3, 7, 7], (x) => wg.maxPool2d(x, 2)],
  ['maxPool 16x32x28x28 k2 W6', [16, 32, 28, 28], (x) => wg.maxPool2d(x, 2)],
  ['maxPool 5x17x33x31 k3 s2 p1 ceil', [5, 17, 33, 31], (x) => wg.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true })],
  ['avgPool 3x5x9x9 k3', [3, 5, 9, 9], (x) => wg.avgPool2d(x, 3)],
  ['avgPool 7x17x33x31 k3 s1 p1', [7, 17, 33, 31], (x) => wg.avgPool2d(x, 3, { stride: 1, padding: 1 })],
  ['adaptiveAvgPool 9x16x33x33 to 5', [9, 16, 33, 33], (x) => wg.adaptiveAvgPool2d(x, 5)],
  ['adaptiveMaxPool 9x16x33x33 to 5', [9, 16, 33, 33], (x) => wg.adaptiveMaxPool2d(x, 5)],
];
for (const [name, shape, f] of POOLS) {
  record(name, () => {
    const x = param(shape);
    return grads(f(x), [x]);
  });
}
record('maxPool indices 16x32x28x28', () => wg.maxPool2d(param([16, 32, 28, 28]), 2, { returnIndices: true }));

/** A W6-like CNN (conv-BN-ReLU ×2, max pool, linear) trained for 3 steps with Adam. */
function train(compiled: boolean) {
  wg.manualSeed(3);
  const { nn } = wg;
  const model = new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }),
    new nn.BatchNorm2d(16),
    new nn.ReLU(),
    new nn.Conv2d(16, 32, 3, { padding: 1 }),
    new nn.BatchNorm2d(32),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(32 * 7 * 7, 10),
  );
  return trainDigest(model, [16, 1, 14, 14], 3, compiled);
}
for (const compiled of [false, true]) {
  const before = poolJobs();
  out[`cnn ${compiled ? 'compiled' : 'eager'}`] = train(compiled);
  jobs[`cnn ${compiled ? 'compiled' : 'eager'}`] = poolJobs() - before;
}

console.log(JSON.stringify({ threads: wg.info().threads, build: wg.info().build, jobs, out }));
