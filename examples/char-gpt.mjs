// A tiny character-level GPT: token and position embeddings, two pre-norm causal transformer
// layers, a linear head; trained on the opening of "Alice's Adventures in Wonderland" (Lewis
// Carroll, 1865, public domain) with the usual recipe: AdamW with two parameter groups (weight
// decay on the matrices, none on biases and norms), a warmup then a cosine decay of the learning
// rate (OneCycleLR), gradient clipping, all in one compiled step. The last tenth of the text is
// held out: the validation loss is measured on it. Then it continues a prompt, sampling with a
// temperature and top-k. Losses are in nats per character (a uniform guess over the V characters
// scores ln V).
import * as wg from 'wasmgrad';

const STEPS = Number(process.env.STEPS ?? 400);
const T = 32; // context length
const D = 64; // model width
const BATCH = 16;
const DROPOUT = 0.1;

const TEXT = `Alice was beginning to get very tired of sitting by her sister on the bank, and of having nothing
to do: once or twice she had peeped into the book her sister was reading, but it had no pictures or
conversations in it, "and what is the use of a book," thought Alice "without pictures or
conversations?" So she was considering in her own mind (as well as she could, for the hot day made
her feel very sleepy and stupid), whether the pleasure of making a daisy-chain would be worth the
trouble of getting up and picking the daisies, when suddenly a White Rabbit with pink eyes ran close
by her. There was nothing so very remarkable in that; nor did Alice think it so very much out of the
way to hear the Rabbit say to itself, "Oh dear! Oh dear! I shall be late!" (when she thought it over
afterwards, it occurred to her that she ought to have wondered at this, but at the time it all seemed
quite natural); but when the Rabbit actually took a watch out of its waistcoat-pocket, and looked at
it, and then hurried on, Alice started to her feet, for it flashed across her mind that she had never
before seen a rabbit with either a waistcoat-pocket, or a watch to take out of it, and burning with
curiosity, she ran across the field after it, and fortunately was just in time to see it pop down a
large rabbit-hole under the hedge.`.replace(/\s+/g, ' ');

await wg.init();
wg.manualSeed(1);

const chars = [...new Set(TEXT)].sort();
const V = chars.length;
const all = Int32Array.from(TEXT, (c) => chars.indexOf(c));
const split = Math.floor(all.length * 0.9);
const ids = all.subarray(0, split); // training text
const heldOut = all.subarray(split - T); // validation windows predict its last tenth (their context may reach back)

class CharGPT extends wg.nn.Module {
  constructor() {
    super();
    this.tok = this.registerModule('tok', new wg.nn.Embedding(V, D));
    this.pos = this.registerModule('pos', new wg.nn.Embedding(T, D));
    this.blocks = this.registerModule(
      'blocks',
      new wg.nn.ModuleList(
        [0, 1].map(() => new wg.nn.TransformerEncoderLayer(D, 4, { dimFeedforward: 4 * D, dropout: DROPOUT, batchFirst: true, normFirst: true })),
      ),
    );
    this.norm = this.registerModule('norm', new wg.nn.LayerNorm(D));
    this.head = this.registerModule('head', new wg.nn.Linear(D, V));
    this.positions = wg.arange(T, { dtype: 'int32' }); // stored on the module: a replay guards it, no re-upload
  }
  /** [N, L] int32 character ids → [N, L, V] logits, each position seeing only itself and earlier ones. */
  forward(x) {
    const L = x.shape[1];
    let h = this.tok.forward(x).add(this.pos.forward(L === T ? this.positions : this.positions.slice(0, 0, L)));
    for (const block of this.blocks) h = block.forward(h, { isCausal: true });
    return this.head.forward(this.norm.forward(h));
  }
}

const model = new CharGPT();
// Parameter groups: decay the matrices (embeddings, projections), not the biases and LayerNorm weights.
const params = model.parameters();
const opt = new wg.optim.AdamW(
  [
    { params: params.filter((p) => p.ndim >= 2), weightDecay: 0.1 },
    { params: params.filter((p) => p.ndim < 2), weightDecay: 0 },
  ],
  { lr: 3e-3 },
);
// Warmup over the first 10% of the steps, then a cosine decay (stepped inside the compiled step: it runs in a kernel).
const schedule = new wg.optim.lr.OneCycleLR(opt, { maxLr: 3e-3, totalSteps: STEPS, pctStart: 0.1, divFactor: 10, finalDivFactor: 10 });

/** A random batch of windows: inputs ids[s..s+T), targets shifted by one. */
function batch() {
  const x = new Int32Array(BATCH * T),
    y = new Int32Array(BATCH * T);
  const starts = wg.randint(0, ids.length - T - 1, [BATCH]).data();
  starts.forEach((s, b) => {
    x.set(ids.subarray(s, s + T), b * T);
    y.set(ids.subarray(s + 1, s + T + 1), b * T);
  });
  return [wg.tensor(x, { shape: [BATCH, T], dtype: 'int32' }), wg.tensor(y, { shape: [BATCH * T], dtype: 'int32' })];
}

const step = wg.compile((x, y) => {
  opt.zeroGrad();
  const loss = wg.losses.crossEntropy(model.forward(x).reshape([BATCH * T, V]), y);
  loss.backward();
  wg.optim.clipGradNorm(params, 1);
  opt.step();
  schedule.step();
  return loss;
});

/** The mean loss over every window of the held-out text, in eval mode (no dropout), without gradients. */
function validationLoss() {
  model.eval();
  const n = heldOut.length - T;
  const x = new Int32Array(n * T),
    y = new Int32Array(n * T);
  for (let s = 0; s < n; s++) {
    x.set(heldOut.subarray(s, s + T), s * T);
    y.set(heldOut.subarray(s + 1, s + T + 1), s * T);
  }
  return wg.noGrad(() => {
    // each window predicts only its last position's character: every held-out character once, with a full context
    const logits = model
      .forward(wg.tensor(x, { shape: [n, T], dtype: 'int32' }))
      .slice(1, T - 1, T)
      .reshape([n, V]);
    const last = wg.tensor(
      Array.from({ length: n }, (_, s) => y[s * T + T - 1]),
      { dtype: 'int32' },
    );
    const loss = wg.losses.crossEntropy(logits, last).item();
    model.train(); // back before the compiled step runs again (it was compiled in training mode)
    return loss;
  });
}

const t0 = performance.now();
const val0 = validationLoss();
let first = 0,
  recent = [];
for (let i = 0; i < STEPS; i++) {
  const loss = step(...batch()).item();
  if (i === 0) first = loss;
  recent = [...recent.slice(-19), loss];
}
const last = recent.reduce((a, b) => a + b, 0) / recent.length;
console.log(`vocabulary ${V} characters (uniform guess: ${Math.log(V).toFixed(3)} nats)`);
console.log(
  `loss: ${first.toFixed(3)} at step 1, ${last.toFixed(3)} over the last 20 of ${STEPS} steps (${((performance.now() - t0) / 1000).toFixed(1)} s, ${step.replayInfo()[0].mode} replay)`,
);
console.log(`validation loss on the held-out tenth: ${val0.toFixed(3)} before training, ${validationLoss().toFixed(3)} after`);

/** Continues `text` by n characters, each drawn from the top-k of the next-character distribution at a temperature. */
function sample(text, n, { temperature = 0.8, topK = 5 } = {}) {
  model.eval();
  return wg.noGrad(() => {
    for (let k = 0; k < n; k++) {
      const ctx = Int32Array.from(text.slice(-T), (c) => chars.indexOf(c));
      const logits = model
        .forward(wg.tensor(ctx, { shape: [1, ctx.length], dtype: 'int32' }))
        .slice(1, ctx.length - 1, ctx.length)
        .reshape([V]);
      const { values, indices } = wg.topk(logits.div(temperature), topK);
      const pick = wg.multinomial(values.softmax(0), 1).item();
      text += chars[indices.data()[pick]];
    }
    return text;
  });
}
console.log(`sample (temperature 0.8, top-5): ${JSON.stringify(sample('Alice was beginning to get very ', 60))}`);
