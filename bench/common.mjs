// Shared by every runner: the workload specs, the MNIST batches and the initial weights, so that
// every library trains the same model, from the same weights, on the same batches.

/**
 * Workloads of ../../shared/notes/benchmarks.md (W1–W5) and issue #12 (W6–W8). Linear layers are
 * [out, in] as in PyTorch. `opt` = the optimizer every contender uses (W1–W5: SGD with LR).
 */
export const WORKLOADS = {
  W1: { id: 'W1', title: 'MLP 784-128-10, batch 64', kind: 'mlp', sizes: [784, 128, 10], batch: 64 },
  W2: { id: 'W2', title: 'MLP 784-512-512-10, batch 128', kind: 'mlp', sizes: [784, 512, 512, 10], batch: 128 },
  W3: { id: 'W3', title: 'MLP 784-32-10, batch 16', kind: 'mlp', sizes: [784, 32, 10], batch: 16 },
  W4: { id: 'W4', title: 'LeNet-5, batch 32', kind: 'lenet', batch: 32 },
  W5: { id: 'W5', title: 'online SGD 784-128-10, batch 1', kind: 'mlp', sizes: [784, 128, 10], batch: 1 },
  W6: { id: 'W6', title: 'CNN conv-BN-ReLU ×2, batch 64, Adam', kind: 'cnn', batch: 64, opt: { name: 'Adam', lr: 1e-3 } },
  W7: {
    id: 'W7',
    title: 'char-GPT 2 pre-norm blocks, batch 16×32, AdamW',
    kind: 'gpt',
    batch: 16,
    seq: 32,
    opt: { name: 'AdamW', lr: 3e-4, weightDecay: 0.1 },
  },
  W8: { id: 'W8', title: 'char-LSTM hidden 128, batch 32×50, Adam', kind: 'lstm', batch: 32, seq: 50, opt: { name: 'Adam', lr: 1e-3 } },
};
/** Workloads whose step is built from named modules and a parameter list (paramSpecs), not the W1–W5 layer lists. */
export const isModern = (spec) => ['cnn', 'gpt', 'lstm'].includes(spec.kind);
/** Workloads on the text (int32 character ids), not MNIST. */
export const isText = (spec) => spec.kind === 'gpt' || spec.kind === 'lstm';
/** A batch's input shape: MLP [B, 784], text [B, seq] (int32 ids), conv nets NCHW [B, 1, 28, 28]. */
export const inputShape = (spec) => (spec.kind === 'mlp' ? [spec.batch, 784] : isText(spec) ? [spec.batch, spec.seq] : [spec.batch, 1, 28, 28]);
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

/** W6: [64, 1, 28, 28] → conv 3×3 1→16 pad 1 → BN → ReLU → conv 3×3 16→32 pad 1 → BN → ReLU → maxpool 2 → dropout → fc. */
export const CNN = { c1: 16, c2: 32, k: 3, pad: 1, dropout: 0.25, fcIn: 32 * 14 * 14, classes: 10 };
/** W7: token + position embeddings, `layers` pre-norm encoder blocks with causal attention, final LayerNorm, head. */
export const GPT = { dModel: 64, heads: 4, ff: 256, layers: 2 };
/** W8: Embedding(vocab, 64) → LSTM(64, 128) → Linear(128, vocab). */
export const LSTM = { embed: 64, hidden: 128 };

/**
 * Parameters of W6–W8 in registration order as [PyTorch state-dict name, shape, init]; the same
 * names in every library's model (wg.nn names are PyTorch's). init: ['u', fanIn] = U(±1/√fanIn)
 * (PyTorch's Linear/Conv2d default, also W1–W5's; LSTM uses fanIn = hidden), ['xavier', fanIn, fanOut] (the
 * attention in-projection), 'normal' (Embedding), 'ones' / 'zeros' (norms, attention biases).
 */
export function paramSpecs(spec, vocab) {
  const lin = (name, out, inF) => [
    [`${name}.weight`, [out, inF], ['u', inF]],
    [`${name}.bias`, [out], ['u', inF]],
  ];
  const norm = (name, n) => [
    [`${name}.weight`, [n], 'ones'],
    [`${name}.bias`, [n], 'zeros'],
  ];
  if (spec.kind === 'cnn') {
    const { c1, c2, k } = CNN;
    const conv = (name, out, inC) => [
      [`${name}.weight`, [out, inC, k, k], ['u', inC * k * k]],
      [`${name}.bias`, [out], ['u', inC * k * k]],
    ];
    // Sequential indices: 0 conv, 1 bn, 2 relu, 3 conv, 4 bn, 5 relu, 6 pool, 7 dropout, 8 flatten, 9 fc.
    return [...conv('0', c1, 1), ...norm('1', c1), ...conv('3', c2, c1), ...norm('4', c2), ...lin('9', CNN.classes, CNN.fcIn)];
  }
  if (spec.kind === 'gpt') {
    const { dModel: d, ff } = GPT;
    const block = (b) => [
      [`${b}.self_attn.in_proj_weight`, [3 * d, d], ['xavier', d, 3 * d]],
      [`${b}.self_attn.in_proj_bias`, [3 * d], 'zeros'],
      [`${b}.self_attn.out_proj.weight`, [d, d], ['u', d]],
      [`${b}.self_attn.out_proj.bias`, [d], 'zeros'],
      ...lin(`${b}.linear1`, ff, d),
      ...lin(`${b}.linear2`, d, ff),
      ...norm(`${b}.norm1`, d),
      ...norm(`${b}.norm2`, d),
    ];
    return [
      ['tok.weight', [vocab, d], 'normal'],
      ['pos.weight', [spec.seq, d], 'normal'],
      ...Array.from({ length: GPT.layers }, (_, i) => block(`blocks.${i}`)).flat(),
      ...norm('norm', d),
      ...lin('head', vocab, d),
    ];
  }
  const { embed: e, hidden: h } = LSTM;
  return [
    ['emb.weight', [vocab, e], 'normal'],
    ['lstm.weight_ih_l0', [4 * h, e], ['u', h]],
    ['lstm.weight_hh_l0', [4 * h, h], ['u', h]],
    ['lstm.bias_ih_l0', [4 * h], ['u', h]],
    ['lstm.bias_hh_l0', [4 * h], ['u', h]],
    ...lin('head', vocab, h),
  ];
}

/** Draws one parameter of paramSpecs from the seeded generator. */
function drawParam(next, shape, init) {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  if (init === 'ones') data.fill(1);
  else if (init === 'normal') {
    // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
    for (let i = 0; i < n; i++) data[i] = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  } else if (init !== 'zeros') {
    const bound = init[0] === 'xavier' ? Math.sqrt(6 / (init[1] + init[2])) : 1 / Math.sqrt(init[1]);
    for (let i = 0; i < n; i++) data[i] = (next() * 2 - 1) * bound;
  }
  return { shape, data };
}

/**
 * Initial parameters in PyTorch layouts: { linear: [{ weight [out, in], bias [out] }, …] } and, for
 * LeNet, { conv: [{ weight [out, in, k, k], bias [out], pad }, …] } too; for W6–W8
 * { vocab, named: [[name, { shape, data }], …] } (paramSpecs order; vocab = the text's, `data.vocab`).
 * Every form also has `named`, the parameters under the names of the equivalent torch model.
 */
export function initParams(spec, data, seed = 42) {
  const next = rng(seed);
  if (isModern(spec)) return { vocab: data.vocab, named: paramSpecs(spec, data.vocab).map(([name, shape, init]) => [name, drawParam(next, shape, init)]) };
  const linear = (sizes) =>
    sizes.slice(1).map((out, i) => ({
      weight: drawParam(next, [out, sizes[i]], ['u', sizes[i]]),
      bias: drawParam(next, [out], ['u', sizes[i]]),
    }));
  // torch.nn.Sequential indices: Linear/ReLU pairs (MLP); LeNet's convs at 0 and 3, its fcs at 7, 9, 11.
  const named = (layers, first, stride) =>
    layers.flatMap((l, i) => [
      [`${first + stride * i}.weight`, l.weight],
      [`${first + stride * i}.bias`, l.bias],
    ]);
  if (spec.kind === 'mlp') {
    const lin = linear(spec.sizes);
    return { linear: lin, named: named(lin, 0, 2) };
  }
  const conv = [LENET.conv1, LENET.conv2].map((c) => ({
    weight: drawParam(next, [c.out, c.in, c.k, c.k], ['u', c.in * c.k * c.k]),
    bias: drawParam(next, [c.out], ['u', c.in * c.k * c.k]),
    pad: c.pad,
  }));
  const lin = linear(LENET.fc);
  return { conv, linear: lin, named: [...named(conv, 0, 3), ...named(lin, 7, 2)] };
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
 * Text workloads (W7, W8; `data.text` = int32 character ids): TEXT_BATCHES batches of `batch`
 * windows of seq + 1 characters at seeded random offsets: x [batch·seq] int32 ids, y the same
 * windows shifted by one (next-character targets).
 */
export function makeBatches(spec, data, maxSamples = data.x.length / 784) {
  const batch = spec.batch;
  if (isText(spec)) return textBatches(data.text, batch, spec.seq);
  const n = Math.floor(Math.min(maxSamples, data.x.length / 784) / batch);
  const out = [];
  for (let b = 0; b < n; b++) {
    const x = data.x.slice(b * batch * 784, (b + 1) * batch * 784);
    const y = data.y.slice(b * batch, (b + 1) * batch);
    const onehot = new Float32Array(batch * 10);
    for (let i = 0; i < batch; i++) onehot[i * 10 + y[i]] = 1;
    out.push({ x, y, onehot });
  }
  return out;
}

const TEXT_BATCHES = 32;
function textBatches(ids, batch, seq) {
  const next = rng(7);
  return Array.from({ length: TEXT_BATCHES }, () => {
    const x = new Int32Array(batch * seq),
      y = new Int32Array(batch * seq);
    for (let b = 0; b < batch; b++) {
      const s = Math.floor(next() * (ids.length - seq - 1));
      x.set(ids.subarray(s, s + seq), b * seq);
      y.set(ids.subarray(s + 1, s + seq + 1), b * seq);
    }
    return { x, y };
  });
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
