/**
 * One process of test/threads-elem.test.ts: `node --import tsx threads-elem-run.ts <threads> <build>`
 * inits wasmgrad with that many threads and prints, as one JSON line, a digest of the raw float32
 * bits of every result of the kernels split by record cuts (assembly/split.ts): unary maps,
 * broadcasting binary ops and where (forward and backward), reductions over many segments, the
 * optimizer updates, and a training step eager and compiled; and of bias gradients (reduce.ts
 * columnSums, split by columns); with the pool's job counts of the small shapes (below the split
 * thresholds) and of everything.
 * Inputs come from a fixed integer sequence, not from the RNG, so every run sees the same values.
 */
import * as wg from '../../src/index.js';
import { digest, jobs, numel, param, values } from './threads-common.js';

/** Runs f on fresh inputs, backward through a weighted sum of its result, and digests it and the inputs' gradients. */
function check(name: string, shapes: readonly (readonly number[])[], f: (...xs: wg.Tensor[]) => wg.Tensor) {
  const xs = shapes.map(param);
  const y = f(...xs);
  y.mul(wg.tensor(values(numel(y.shape)), { shape: y.shape }))
    .sum()
    .backward();
  out[name] = [y, ...xs.map((x) => x.grad)].map((t) => (t ? digest(t) : '-')).join();
}

const UNARY: Record<string, (x: wg.Tensor) => wg.Tensor> = {
  relu: wg.relu,
  exp: wg.exp,
  gelu: (x) => wg.gelu(x),
  tanh: wg.tanh,
  sigmoid: wg.sigmoid,
  sin: wg.sin, // math.ts: float64 lanes
  clamp: (x) => wg.clamp(x, -0.5, 0.25),
  pow: (x) => wg.pow(x.abs(), 1.5),
};
const BINARY: Record<string, (a: wg.Tensor, b: wg.Tensor) => wg.Tensor> = {
  add: wg.add,
  mul: wg.mul,
  div: (a, b) => wg.div(a, b.abs().add(0.5)),
  maximum: wg.maximum,
  atan2: wg.atan2, // math.ts
};
const REDUCE: Record<string, (x: wg.Tensor, dim: number) => wg.Tensor> = {
  sum: (x, dim) => wg.sum(x, dim),
  mean: (x, dim) => wg.mean(x, dim),
  max: (x, dim) => wg.max(x, dim).values,
  amax: (x, dim) => wg.amax(x, dim),
  softmax: wg.softmax,
  logSoftmax: wg.logSoftmax,
};

const out: Record<string, string> = {};
/** Sizes: 1, odd, a SIMD tile ± 1, and 16-float blocks ± 1: all below the thresholds (src/ops/contract.ts SPLIT). */
const SMALL = [1, 3, 5, 7, 15, 16, 17, 33, 4097];
/** Around the thresholds (SPLIT.COSTLY = 2¹⁶, SPLIT.MAP = 2¹⁸) and above, so that part boundaries and tails vary. */
const LARGE = [65535, 65537, 262143, 262144, 262145, 300007];

function maps(sizes: number[]) {
  for (const n of sizes) {
    for (const [name, f] of Object.entries(UNARY)) check(`${name} ${n}`, [[n]], f);
    for (const [name, f] of Object.entries(BINARY)) check(`${name} ${n}`, [[n], [n]], f);
    check(`where ${n}`, [[n], [n], [n]], (c, a, b) => wg.where(c.detach().gt(0), a, b));
  }
}

function broadcasts(rows: number, cols: number) {
  // Forward cut along rows; the backward is cut only where no gradient is summed over the output.
  const s = `${rows}x${cols}`;
  check(`add row ${s}`, [[rows, cols], [cols]], wg.add);
  check(
    `mul col ${s}`,
    [
      [rows, cols],
      [rows, 1],
    ],
    wg.mul,
  );
  check(
    `sub outer ${s}`,
    [
      [rows, 1],
      [1, cols],
    ],
    wg.sub,
  );
  check(
    `mul same ${s}`,
    [
      [rows, cols],
      [rows, cols],
    ],
    wg.mul,
  );
  check(
    `where bcast ${s}`,
    [
      [1, cols],
      [rows, cols],
      [rows, cols],
    ],
    (c, a, b) => wg.where(c.detach().gt(0), a, b),
  );
  // A 3-d broadcast whose collapsed plan keeps three dims: cut along the first.
  check(
    `add 3d ${s}`,
    [
      [rows, 3, cols],
      [rows, 1, cols],
    ],
    wg.add,
  );
}

/** linear with a bias: the bias gradient is a column sum of the output gradient (reduce.ts columnSums). */
function linears(rows: number, cols: number) {
  check(`linear ${rows}x${cols}`, [[rows, 16], [cols, 16], [cols]], (x, w, b) => wg.linear(x, w, b));
}

function reductions(outer: number, d: number, inner: number) {
  const s = `${outer}x${d}x${inner}`;
  for (const [name, f] of Object.entries(REDUCE)) {
    check(`${name} last ${s}`, [[outer * inner, d]], (x) => f(x, -1));
    check(`${name} mid ${s}`, [[outer, d, inner]], (x) => f(x, 1));
  }
  const x = wg.tensor(values(outer * d * inner), { shape: [outer, d, inner] });
  out[`argmax ${s}`] = digest(wg.argmax(x, 1));
  out[`max indices ${s}`] = digest(wg.max(x, 1).indices);
}

/** A few steps of each optimizer on a large and a small parameter. */
function updates(n: number) {
  const make: Record<string, (ps: wg.Tensor[]) => wg.optim.Optimizer> = {
    sgd: (ps) => new wg.optim.SGD(ps, { lr: 0.1 }),
    nesterov: (ps) => new wg.optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
    adam: (ps) => new wg.optim.Adam(ps, { lr: 0.01, weightDecay: 0.01 }),
    adamw: (ps) => new wg.optim.AdamW(ps, { lr: 0.01 }),
    rmsprop: (ps) => new wg.optim.RMSprop(ps, { lr: 0.01, momentum: 0.5 }),
    amsgrad: (ps) => new wg.optim.Adam(ps, { lr: 0.01, weightDecay: 0.01, amsgrad: true }),
    centered: (ps) => new wg.optim.RMSprop(ps, { lr: 0.01, momentum: 0.5, centered: true }),
    adamax: (ps) => new wg.optim.Adamax(ps, { lr: 0.01, weightDecay: 0.01 }),
    radam: (ps) => new wg.optim.RAdam(ps, { lr: 0.01, betas: [0.9, 0.9] }),
    adadelta: (ps) => new wg.optim.Adadelta(ps, { weightDecay: 0.01 }),
    nadam: (ps) => new wg.optim.NAdam(ps, { lr: 0.01, weightDecay: 0.01 }),
    adagrad: (ps) => new wg.optim.Adagrad(ps, { lr: 0.1 }),
    rprop: (ps) => new wg.optim.Rprop(ps, { lr: 0.01 }),
    asgd: (ps) => new wg.optim.ASGD(ps, { lr: 0.01, t0: 0, weightDecay: 0.01 }),
    sparseAdam: (ps) => new wg.optim.SparseAdam(ps, { lr: 0.01 }),
  };
  for (const [name, f] of Object.entries(make)) {
    const ps = [param([n]), param([17])];
    const opt = f(ps);
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      ps[0].mul(ps[0]).sum().add(ps[1].exp().sum()).backward();
      wg.optim.clipGradNorm(ps, 1);
      opt.step();
    }
    out[`${name} ${n}`] = ps.map(digest).join();
  }
}

/**
 * A model with large activations (ReLU over 256 × 1024 and Tanh over 256 × 512: split maps; an
 * MSE loss) trained by RMSprop with momentum for 3 steps; `compiled`: the step replayed by wg.compile.
 */
function train(compiled: boolean) {
  wg.manualSeed(3);
  const model = new wg.nn.Sequential(new wg.nn.Linear(64, 1024), new wg.nn.ReLU(), new wg.nn.Linear(1024, 512), new wg.nn.Tanh());
  const opt = new wg.optim.RMSprop(model.parameters(), { lr: 0.001, momentum: 0.5 });
  const step = (x: wg.Tensor, target: wg.Tensor) => {
    opt.zeroGrad();
    const loss = wg.losses.mse(model.forward(x), target);
    loss.backward();
    opt.step();
    return loss;
  };
  const replay = compiled ? wg.compile(step) : step;
  const losses = [0, 1, 2].map(() => replay(wg.tensor(values(256 * 64), { shape: [256, 64] }), wg.tensor(values(256 * 512), { shape: [256, 512] })).item());
  return [losses.join(), ...Object.values(model.stateDict()).map(digest)].join();
}

/** Shapes of each kind of case: `small` all below the thresholds, `large` around and above them. */
const SETS = {
  small: {
    sizes: SMALL,
    broadcasts: [
      [3, 17],
      [17, 257],
    ],
    reductions: [
      [5, 17, 3],
      [3, 1025, 1],
    ],
    linears: [
      [17, 33],
      [257, 63],
    ],
    update: 4097,
  },
  large: {
    sizes: LARGE,
    broadcasts: [
      [1023, 257],
      [8191, 33],
    ],
    reductions: [
      [4099, 129, 1],
      [1031, 17, 33],
    ],
    linears: [
      [1024, 520],
      [1031, 517],
    ],
    update: 300007,
  },
};
const posted: Record<string, number> = {};
for (const [set, c] of Object.entries(SETS)) {
  maps(c.sizes);
  for (const [rows, cols] of c.broadcasts) broadcasts(rows, cols);
  for (const [outer, d, inner] of c.reductions) reductions(outer, d, inner);
  for (const [rows, cols] of c.linears) linears(rows, cols);
  updates(c.update);
  posted[set] = jobs();
}
out['train eager'] = train(false);
out['train compiled'] = train(true);

console.log(JSON.stringify({ threads: wg.info().threads, build: wg.info().build, jobs: { small: posted.small, all: jobs() }, out }));
