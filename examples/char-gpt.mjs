// A tiny character-level GPT: token and position embeddings, two pre-norm causal transformer
// layers, a linear head; trained with AdamW and a compiled step on the opening of "Alice's
// Adventures in Wonderland" (Lewis Carroll, 1865, public domain), then asked to continue a prompt.
// It prints the loss at the start and the end (in nats per character: a uniform guess over the
// V characters scores ln V) and a sample.
import * as wg from 'wasmgrad';

const STEPS = Number(process.env.STEPS ?? 400);
const T = 32; // context length
const D = 64; // model width
const BATCH = 16;

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
const ids = Int32Array.from(TEXT, (c) => chars.indexOf(c));

class CharGPT extends wg.nn.Module {
  constructor() {
    super();
    this.tok = this.registerModule('tok', new wg.nn.Embedding(V, D));
    this.pos = this.registerModule('pos', new wg.nn.Embedding(T, D));
    this.blocks = this.registerModule(
      'blocks',
      new wg.nn.ModuleList([0, 1].map(() => new wg.nn.TransformerEncoderLayer(D, 4, { dimFeedforward: 4 * D, dropout: 0, batchFirst: true, normFirst: true }))),
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
const opt = new wg.optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01 });

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
  wg.optim.clipGradNorm(model.parameters(), 1);
  opt.step();
  return loss;
});

const t0 = performance.now();
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

// Greedy continuation of a prompt, one character at a time.
let text = 'Alice was beginning to get very ';
wg.noGrad(() => {
  for (let k = 0; k < 60; k++) {
    const ctx = Int32Array.from(text.slice(-T), (c) => chars.indexOf(c));
    const logits = model.forward(wg.tensor(ctx, { shape: [1, ctx.length], dtype: 'int32' }));
    text +=
      chars[
        logits
          .slice(1, ctx.length - 1, ctx.length)
          .reshape([V])
          .argmax()
          .item()
      ];
  }
});
console.log(`sample: ${JSON.stringify(text)}`);
