/**
 * One process of test/threads-norm.test.ts: `node --import tsx threads-norm-run.ts <threads> <build>`
 * inits wasmgrad with that many threads and prints, as one JSON line, wg.info().threads, the jobs
 * each case posted to the pool, and a digest of the raw float32 bits of every result: layer norm,
 * group norm, batch norm over [N, C] and embedding, forward and backward, on shapes below and above
 * their split thresholds (odd ones among them: row counts off the 16-row blocks, column counts
 * off the 4-lane vectors), and small models with them trained eagerly and compiled.
 * Inputs come from a fixed integer sequence, not from the RNG, so every run sees the same values.
 */
import * as wg from '../../src/index.js';
import { digest, jobs as poolJobs, param, trainDigest } from './threads-common.js';

const out: Record<string, string> = {};
const jobs: Record<string, number> = {};
/** Runs f and records its results' digests and the jobs it posted. */
function record(name: string, f: () => wg.Tensor[] | string) {
  const before = poolJobs();
  const r = f();
  out[name] = typeof r === 'string' ? r : r.map(digest).join();
  jobs[name] = poolJobs() - before;
}
/** y, then the gradients of Σ y·r (r fixed) for the given tensors. */
function grads(y: wg.Tensor, of: (wg.Tensor | null)[]) {
  y.mul(param(y.shape)).sum().backward();
  return [y, ...of.filter((t) => t !== null).map((t) => t!.grad!)];
}
/** Weight and bias of `shape`, or null where `affine` leaves them out. */
const affine = (shape: number[], which: 'both' | 'weight' | 'bias' | 'none') => ({
  weight: which === 'both' || which === 'weight' ? param(shape) : null,
  bias: which === 'both' || which === 'bias' ? param(shape) : null,
});

// Layer norm over the last dim of [R, K]: W7's [512, 64], odd row counts (not whole 16-row blocks)
// and widths off the 4-lane vectors (the scalar tail), rows of one value, no weight or no bias.
const LAYER: [number[], 'both' | 'weight' | 'bias' | 'none'][] = [
  [[1, 1], 'both'],
  [[3, 5], 'both'],
  [[17, 7], 'both'],
  [[512, 64], 'both'],
  [[513, 67], 'both'],
  [[1000, 33], 'weight'],
  [[2049, 17], 'bias'],
  [[4096, 1], 'both'],
  [[700, 65], 'none'],
  [[4, 129, 63], 'both'],
];
for (const [shape, which] of LAYER) {
  record(`layerNorm ${shape.join('x')} ${which}`, () => {
    const x = param(shape),
      k = shape[shape.length - 1],
      { weight, bias } = affine([k], which);
    return grads(wg.layerNorm(x, k, { weight, bias }), [x, weight, bias]);
  });
}

// Group norm over [N, C, *]: spatial ones (S > 1) and [N, C] (S = 1, groups of channels in a row).
const GROUP: [number[], number, 'both' | 'weight' | 'none'][] = [
  [[2, 6, 5, 5], 3, 'both'],
  [[3, 5, 7], 5, 'both'],
  [[16, 32, 16, 16], 8, 'both'],
  [[7, 17, 9, 11], 17, 'both'],
  [[5, 34, 17, 17], 2, 'weight'],
  [[9, 12, 33, 7], 1, 'none'],
  [[1025, 64], 4, 'both'],
  [[600, 51], 3, 'both'],
];
for (const [shape, groups, which] of GROUP) {
  record(`groupNorm ${shape.join('x')} g${groups} ${which}`, () => {
    const x = param(shape),
      { weight, bias } = affine([shape[1]], which);
    return grads(wg.groupNorm(x, groups, { weight, bias }), [x, weight, bias]);
  });
}

// Batch norm (training) over [N, C]: channels are columns, cut in runs of 16.
const BATCH: [number[], 'both' | 'none'][] = [
  [[5, 3], 'both'],
  [[17, 7], 'both'],
  [[1024, 64], 'both'],
  [[1000, 67], 'both'],
  [[300, 257], 'none'],
  [[4096, 17], 'both'],
  [[2, 40000], 'both'],
];
for (const [shape, which] of BATCH) {
  record(`batchNorm ${shape.join('x')} ${which}`, () => {
    const x = param(shape),
      { weight, bias } = affine([shape[1]], which);
    return grads(wg.batchNorm(x, null, null, { weight, bias, training: true }), [x, weight, bias]);
  });
}

// Embedding: positions picking rows of an [n, d] table, many repeats (a row's gradient sums every
// position that picks it, in position order); count·d below and above 2¹⁸.
const EMBED: [number, number, number][] = [
  [7, 3, 5],
  [17, 5, 17],
  [512, 65, 64],
  [1600, 40, 64],
  [3000, 7, 67],
  [4096, 50, 67],
  [5000, 97, 64],
  [9, 4, 40000],
];
for (const [count, n, d] of EMBED) {
  // The jobs of the backward alone (the forward is a copy, the table's gradient starts as a small fill).
  const idx = wg.tensor(Int32Array.from({ length: count }, (_, p) => (p * 7 + ((p * p) % 5)) % n)),
    weight = param([n, d]),
    y = wg.embedding(idx, weight),
    r = param(y.shape);
  record(`embedding ${count} of ${n}x${d}`, () => {
    y.backward(r);
    return [y, weight.grad!];
  });
}

/** An MLP with layer, group and batch norm over [512, 64] (W7's layer-norm size), trained 3 steps with Adam. */
function train(compiled: boolean) {
  wg.manualSeed(3);
  const { nn } = wg;
  const model = new nn.Sequential(
    new nn.Linear(24, 64),
    new nn.LayerNorm(64),
    new nn.ReLU(),
    new nn.Linear(64, 64),
    new nn.BatchNorm1d(64),
    new nn.ReLU(),
    new nn.Linear(64, 64),
    new nn.GroupNorm(4, 64),
    new nn.Linear(64, 10),
  );
  return trainDigest(model, [512, 24], 3, compiled);
}

/**
 * Token lookups: an embedding table [50, 64] picked at 4096 fixed positions (its backward splits),
 * plus the input, through a linear head, trained 3 steps with Adam.
 */
class Lookup extends wg.nn.Module {
  readonly emb = this.registerModule('emb', new wg.nn.Embedding(50, 64));
  readonly head = this.registerModule('head', new wg.nn.Linear(64, 10));
  readonly idx = wg.tensor(Int32Array.from({ length: 4096 }, (_, p) => (p * 13 + ((p * p) % 7)) % 50));
  forward(x: wg.Tensor) {
    return this.head.forward(this.emb.forward(this.idx).add(x));
  }
}
function trainEmbedding(compiled: boolean) {
  wg.manualSeed(5);
  return trainDigest(new Lookup(), [4096, 64], 3, compiled);
}

for (const compiled of [false, true]) {
  const how = compiled ? 'compiled' : 'eager';
  record(`norm mlp ${how}`, () => train(compiled));
  record(`embedding ${how}`, () => trainEmbedding(compiled));
}

console.log(JSON.stringify({ threads: wg.info().threads, build: wg.info().build, jobs, out }));
