// Shared by every runner: the workload specs, the MNIST batches and the initial weights, so that
// every library trains the same model, from the same weights, on the same batches.

/** Workloads of ../../shared/notes/benchmarks.md (W1–W5). Linear layers are [out, in] as in PyTorch. */
export const WORKLOADS = {
  W1: { id: 'W1', title: 'MLP 784-128-10, batch 64', kind: 'mlp', sizes: [784, 128, 10], batch: 64 },
  W2: { id: 'W2', title: 'MLP 784-512-512-10, batch 128', kind: 'mlp', sizes: [784, 512, 512, 10], batch: 128 },
  W3: { id: 'W3', title: 'MLP 784-32-10, batch 16', kind: 'mlp', sizes: [784, 32, 10], batch: 16 },
  W4: { id: 'W4', title: 'LeNet-5, batch 32', kind: 'lenet', batch: 32 },
  W5: { id: 'W5', title: 'online SGD 784-128-10, batch 1', kind: 'mlp', sizes: [784, 128, 10], batch: 1 },
};
export const LR = 0.1;

/**
 * LeNet-5 on 28×28 MNIST, NCHW, ReLU after every conv and hidden fc:
 * conv 1→6 5×5 pad 2 (28×28) → maxpool 2 (14×14) → conv 6→16 5×5 (10×10) → maxpool 2 (5×5)
 * → flatten 400 → fc 120 → fc 84 → fc 10.
 */
export const LENET = {
  conv1: { out: 6, in: 1, k: 5, pad: 2 },
  conv2: { out: 16, in: 6, k: 5, pad: 0 },
  fc: [400, 120, 84, 10],
};

/** Mulberry32: a tiny seeded PRNG, so the initial weights are identical for every library. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** PyTorch's default Linear/Conv2d init: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weight and bias. */
function uniformParam(next, shape, fanIn) {
  const n = shape.reduce((a, b) => a * b, 1);
  const bound = 1 / Math.sqrt(fanIn);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (next() * 2 - 1) * bound;
  return { shape, data };
}

/**
 * Initial parameters in PyTorch layouts: { linear: [{ weight [out, in], bias [out] }, …] } and, for
 * LeNet, { conv: [{ weight [out, in, k, k], bias [out], pad }, …] } too.
 */
export function initParams(spec, seed = 42) {
  const next = rng(seed);
  const linear = (sizes) =>
    sizes.slice(1).map((out, i) => ({
      weight: uniformParam(next, [out, sizes[i]], sizes[i]),
      bias: uniformParam(next, [out], sizes[i]),
    }));
  if (spec.kind === 'mlp') return { linear: linear(spec.sizes) };
  const conv = [LENET.conv1, LENET.conv2].map((c) => ({
    weight: uniformParam(next, [c.out, c.in, c.k, c.k], c.in * c.k * c.k),
    bias: uniformParam(next, [c.out], c.in * c.k * c.k),
    pad: c.pad,
  }));
  return { conv, linear: linear(LENET.fc) };
}

/** [rows, cols] row-major → [cols, rows] row-major (for libraries whose dense kernels are [in, out]). */
export function transpose2d(data, rows, cols) {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = data[r * cols + c];
  return t;
}

/** OIHW → HWIO (tfjs conv filters). */
export function oihwToHwio(data, [o, i, h, w]) {
  const t = new Float32Array(data.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) t[((y * w + x) * i + b) * o + a] = data[((a * i + b) * h + y) * w + x];
  return t;
}

/**
 * The training set cut into consecutive batches: x [batch·784] (pixels in [0, 1], the same for the
 * NCHW [batch, 1, 28, 28] and NHWC [batch, 28, 28, 1] views), labels as int32 ids and as one-hot.
 * All libraries cycle over the same `count` batches in the same order.
 */
export function makeBatches(train, batch, maxSamples = train.x.length / 784) {
  const n = Math.floor(Math.min(maxSamples, train.x.length / 784) / batch);
  const out = [];
  for (let b = 0; b < n; b++) {
    const x = train.x.slice(b * batch * 784, (b + 1) * batch * 784);
    const y = train.y.slice(b * batch, (b + 1) * batch);
    const onehot = new Float32Array(batch * 10);
    for (let i = 0; i < batch; i++) onehot[i * 10 + y[i]] = 1;
    out.push({ x, y, onehot });
  }
  return out;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Error text fit for one table cell. */
export function cellError(e) {
  const msg = String(e?.message ?? e)
    .split('\n')[0]
    .replace(/\|/g, '\\|')
    .trim();
  return msg.length > 140 ? `${msg.slice(0, 137)}…` : msg;
}

/** True when an error says a wasmgrad op is still a `todo` placeholder. */
export const isNotReady = (e) => /not implemented yet/.test(String(e?.message ?? e));

/** samples/s or GFLOP/s for a table cell. */
export function fmtRate(x) {
  if (x === undefined || !Number.isFinite(x)) return '-';
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3);
}
/** ours/peer ratio for a table cell. */
export const fmtRatio = (r) => (r === undefined ? '' : r >= 10 ? `×${r.toFixed(1)}` : `×${r.toFixed(2)}`);
