/**
 * One process of test/threads-red.test.ts: `node --import tsx threads-red-run.ts <threads> <build>`
 * inits wasmgrad with that many threads and prints, as one JSON line, wg.info().threads, the jobs
 * each case posted to the pool, and a digest of the raw float32 (int32) bits of every result:
 * cross-entropy with int32 labels (class dim last and in the middle), reductions over a tensor's
 * first dim (and over the middle dim of a few long blocks), strided copies (transposes, permutes,
 * slices, flips, expands, int32), cat and stack forward and backward, and a training step through
 * all of them, eager and compiled. A case named `… small` is below its split threshold (it must post no job),
 * `… large` above it (it must post some); `… inline` is large but must stay on one thread.
 * Inputs come from a fixed integer sequence, not from the RNG, so every run sees the same values.
 */
import * as wg from '../../src/index.js';
import { digest, ints32, jobs as poolJobs, numel, param, values } from './threads-common.js';

const out: Record<string, string> = {};
const jobs: Record<string, { fwd: number; bwd: number }> = {};
/**
 * y = f(x) on x of `shape` (float32, requiring a gradient) from the sequence, then y.backward(g) for a
 * fixed g: digests of y and x.grad, and the jobs the forward and the backward posted.
 */
function record(name: string, shape: readonly number[], f: (x: wg.Tensor) => wg.Tensor) {
  recordAll(name, [shape], ([x]) => f(x));
}
/** record with several inputs (xs[k] of shapes[k]): digests of y and of every xs[k].grad. */
function recordAll(name: string, shapes: readonly (readonly number[])[], f: (xs: wg.Tensor[]) => wg.Tensor) {
  const xs = shapes.map(param);
  // x.grad exists (all ones) before the counted backward, which then adds into it: no zero fill
  // (a job of its own from 2¹⁸ elements) is counted with the op's backward.
  for (const x of xs) x.sum().backward();
  const before = poolJobs();
  const y = f(xs);
  const fwd = poolJobs() - before;
  y.backward(wg.tensor(values(numel(y.shape)), { shape: y.shape }));
  jobs[name] = { fwd, bwd: poolJobs() - before - fwd };
  out[name] = [y, ...xs.map((x) => x.grad!)].map(digest).join();
}
/** A forward-only result (int32 indices, int32 copies): its digest and the jobs it posted. */
function recordForward(name: string, f: () => wg.Tensor) {
  const before = poolJobs();
  out[name] = digest(f());
  jobs[name] = { fwd: poolJobs() - before, bwd: 0 };
}
/** An int32 tensor of `shape` from the sequence. */
const ints = (shape: readonly number[]) =>
  wg.tensor(
    ints32(values(numel(shape)), (v) => Math.floor(v * 1e6)),
    { shape },
  );
/** int32 labels in [0, classes) for a label tensor of `shape`, from the sequence. */
const labels = (shape: readonly number[], classes: number) =>
  wg.tensor(
    ints32(values(numel(shape)), (v) => Math.min(classes - 1, Math.floor(((v + 1) / 2) * classes))),
    { shape },
  );

// ---- cross-entropy: logits [N, C] (class dim last) and [N, C, d] (the K-dim form) ----------------
// Split from 2¹⁶ logits: by whole samples when there are at least 4 per thread, else by columns of d.
const CROSS: [string, number[]][] = [
  ['small 1x1', [1, 1]],
  ['small 17x5', [17, 5]],
  ['small 3x7x5 kdim', [3, 7, 5]],
  ['small 1023x64', [1023, 64]],
  ['large 1600x42', [1600, 42]],
  ['large 4099x17', [4099, 17]],
  ['large 9x10x1031 kdim', [9, 10, 1031]],
  ['large 3x7x4099 kdim', [3, 7, 4099]],
  ['large 1x5x20001 kdim', [1, 5, 20001]],
];
for (const [name, shape] of CROSS) {
  const y = labels([shape[0], ...shape.slice(2)], shape[1]);
  record(`crossEntropy ${name}`, shape, (x) => wg.losses.crossEntropy(x, y, { reduction: 'none' }));
}

// ---- reductions over dim 0 of [N, D] (outer 1: cut by columns) and over the middle dim ------------
// Split from 2¹⁹ input elements (2¹⁶ for softmax): columns in runs of 16, the last run with the tail.
const REDUCE: Record<string, (x: wg.Tensor, dim: number) => wg.Tensor> = {
  sum: (x, dim) => wg.sum(x, dim),
  mean: (x, dim) => wg.mean(x, dim),
  max: (x, dim) => wg.max(x, dim).values,
  min: (x, dim) => wg.min(x, dim).values,
  amax: (x, dim) => wg.amax(x, dim),
  prod: (x, dim) => wg.prod(x, dim),
  softmax: wg.softmax,
  logSoftmax: wg.logSoftmax,
};
const DIM0: [string, number[], number][] = [
  ['small 1x1', [1, 1], 0],
  ['small 5x3', [5, 3], 0],
  ['small 7x17', [7, 17], 0],
  ['small 255x1023', [255, 1023], 0],
  ['large 4096x129', [4096, 129], 0],
  ['large 1025x1031', [1025, 1031], 0],
  ['large 2x300007', [2, 300007], 0],
  ['large 3x1000x257 mid', [3, 1000, 257], 1],
  ['large 5x2000x53 mid', [5, 2000, 53], 1],
];
for (const [name, shape, dim] of DIM0) {
  for (const [op, f] of Object.entries(REDUCE)) {
    // softmax splits from 2¹⁶: its 'small' cases are the ones below that too
    if (op.includes('oftmax') && name === 'small 255x1023') continue;
    record(`${op} ${name}`, shape, (x) => f(x, dim));
  }
  const x = wg.tensor(values(numel(shape)), { shape }),
    xi = ints(shape);
  recordForward(`max indices ${name}`, () => wg.max(x, dim).indices);
  recordForward(`argmax int ${name}`, () => wg.argmax(xi, dim));
}

// ---- strided copies ---------------------------------------------------------------------------
// Forward and backward cut the output into runs of whole rows (or, for one long run, of 16
// elements); a backward where two output elements add into one input element (expand) stays inline.
const COPIES: [string, number[], (x: wg.Tensor) => wg.Tensor][] = [
  ['transpose small 1x1', [1, 1], (x) => x.transpose(0, 1)],
  ['transpose small 5x7', [5, 7], (x) => x.transpose(0, 1)],
  ['transpose small 512x64 W7', [512, 64], (x) => x.transpose(0, 1)],
  ['permute small 8x64x17', [8, 64, 17], (x) => x.permute([2, 0, 1])],
  ['transpose large 1031x1025', [1031, 1025], (x) => x.transpose(0, 1)],
  ['transpose large 2048x512', [2048, 512], (x) => x.transpose(0, 1)],
  ['permute large 64x128x33', [64, 128, 33], (x) => x.permute([2, 0, 1])],
  ['permute large 16x64x32x33', [16, 64, 32, 33], (x) => x.permute([0, 2, 1, 3])],
  ['slice small 1025x1031', [1025, 1031], (x) => x.narrow(1, 3, 1017)],
  ['slice large 1031x1031', [1031, 1031], (x) => x.narrow(1, 3, 1019)],
  ['flip large 1031x1027', [1031, 1027], (x) => x.flip([0, 1])],
  ['contiguous large 1x1048593', [1048593], (x) => x.narrow(0, 7, 1048577)],
  ['contiguous large 3x524289', [3, 524289], (x) => x.narrow(0, 1, 2)],
  ['contiguous small 3x349525', [3, 349525], (x) => x.narrow(0, 1, 2)],
  ['expand inline 1x1031 to 1025x1031', [1, 1031], (x) => x.expand([1025, 1031])],
  ['expand inline 1025x1 to 1025x1031', [1025, 1], (x) => x.expand([1025, 1031])],
];
for (const [name, shape, f] of COPIES) {
  record(`copy ${name}`, shape, f);
  const xi = ints(shape);
  recordForward(`copyInt ${name}`, () => f(xi));
}

// ---- cat / stack -------------------------------------------------------------------------------
// Split from 2²⁰ output elements: by runs of whole rows, or with fewer than 16 rows (cat along dim
// 0 has one) every part takes its share of each block; cat([x, x]) adds two blocks into one gradient.
const JOINS: [string, string, (xs: wg.Tensor[]) => wg.Tensor][] = [
  ['cat dim 1 small', '3x5 3x7', (xs) => wg.cat(xs, 1)],
  ['cat dim 1 small', '512x64 512x64 512x64', (xs) => wg.cat(xs, 1)],
  ['cat dim 1 large', '2048x300 2048x213', (xs) => wg.cat(xs, 1)],
  ['cat dim 0 large', '700x1031 331x1031', (xs) => wg.cat(xs, 0)],
  ['cat dim 1 large', '3x349527 3x5 3x17', (xs) => wg.cat(xs, 1)],
  ['cat [x, x] dim 1 large', '1031x517', ([x]) => wg.cat([x, x], 1)],
  ['cat [x, x, x] dim 0 large', '524291', ([x]) => wg.cat([x, x, x], 0)],
  ['stack dim 1 large', '1031x347 1031x347 1031x347', (xs) => wg.stack(xs, 1)],
  ['stack dim 0 large', '524309 524309', (xs) => wg.stack(xs, 0)],
];
for (const [kind, shapes, f] of JOINS) {
  const dims = shapes.split(' ').map((s) => s.split('x').map(Number));
  recordAll(`${kind} ${shapes}`, dims, f);
  recordForward(`catInt ${kind} ${shapes}`, () => f(dims.map(ints)));
}

/**
 * 3 SGD steps on a linear map whose [2048, 256] output goes through a transpose, a reduction over
 * dim 0, a max over dim 0, a cat and cross-entropy (each above its threshold); `compiled`: replayed by wg.compile.
 */
function train(compiled: boolean) {
  const w = param([64, 256]);
  const opt = new wg.optim.SGD([w], { lr: 0.1 });
  const step = (x: wg.Tensor, y: wg.Tensor) => {
    opt.zeroGrad();
    const h = x.matmul(w);
    const loss = wg.losses
      .crossEntropy(h, y)
      .add(h.transpose(0, 1).relu().mean())
      .add(wg.mean(h, 0).square().sum())
      .add(wg.max(h, 0).values.mean())
      .add(wg.cat([h, h.relu()], 1).square().mean());
    loss.backward();
    opt.step();
    return loss;
  };
  const run = compiled ? wg.compile(step) : step;
  const losses = [0, 1, 2].map(() => run(wg.tensor(values(2048 * 64), { shape: [2048, 64] }), labels([2048], 256)).item());
  return [losses.join(), digest(w)].join();
}
for (const compiled of [false, true]) {
  const name = `train ${compiled ? 'compiled' : 'eager'} large`,
    before = poolJobs();
  out[name] = train(compiled);
  jobs[name] = { fwd: poolJobs() - before, bwd: 0 };
}

console.log(JSON.stringify({ threads: wg.info().threads, build: wg.info().build, jobs, out }));
