// A character-level LSTM: embedding → nn.LSTM (hidden 128) → linear, trained with Adam on
// windows of 50 characters (batch 32: the W8 shape of the benchmarks) from the opening of "Pride
// and Prejudice" (Jane Austen, 1813, public domain), predicting each next character. The step is
// compiled (MODE=eager runs it eagerly: the losses are the same). It prints the loss at the start
// and the end (nats per character; a uniform guess over the V characters scores ln V), the
// next-character accuracy over the whole text, and a greedy continuation of a prompt that carries
// the LSTM's state [h, c] from one character to the next.
import * as wg from 'wasmgrad';

const STEPS = Number(process.env.STEPS ?? 300);
const MODE = process.env.MODE ?? 'compiled';
const T = 50; // window length
const BATCH = 32;
const E = 32; // embedding width
const H = 128; // LSTM hidden size

const TEXT = `It is a truth universally acknowledged, that a single man in possession of a good fortune, must be
in want of a wife. However little known the feelings or views of such a man may be on his first
entering a neighbourhood, this truth is so well fixed in the minds of the surrounding families, that
he is considered the rightful property of some one or other of their daughters. "My dear Mr. Bennet,"
said his lady to him one day, "have you heard that Netherfield Park is let at last?" Mr. Bennet
replied that he had not. "But it is," returned she; "for Mrs. Long has just been here, and she told
me all about it." Mr. Bennet made no answer. "Do you not want to know who has taken it?" cried his
wife impatiently. "You want to tell me, and I have no objection to hearing it." This was invitation
enough.`.replace(/\s+/g, ' ');

await wg.init();
wg.manualSeed(1);

const chars = [...new Set(TEXT)].sort();
const V = chars.length;
const ids = Int32Array.from(TEXT, (c) => chars.indexOf(c));

class CharLSTM extends wg.nn.Module {
  constructor() {
    super();
    this.embed = this.registerModule('embed', new wg.nn.Embedding(V, E));
    this.lstm = this.registerModule('lstm', new wg.nn.LSTM(E, H, { batchFirst: true }));
    this.head = this.registerModule('head', new wg.nn.Linear(H, V));
  }
  /** [N, L] int32 character ids (and the state [h, c] to start from) → [N, L, V] logits and the final state. */
  forward(x, state = null) {
    const [out, next] = this.lstm.forward(this.embed.forward(x), state);
    return [this.head.forward(out), next];
  }
}

const model = new CharLSTM();
const opt = new wg.optim.Adam(model.parameters(), { lr: 3e-3 });

// Every window of T + 1 characters, as one int32 tensor [W, T + 1]: a batch is BATCH of its rows,
// inputs their first T columns and targets their last T (the same characters shifted by one).
const W = ids.length - T;
const windows = wg.tensor(
  Int32Array.from({ length: W * (T + 1) }, (_, k) => ids[Math.floor(k / (T + 1)) + (k % (T + 1))]),
  { shape: [W, T + 1], dtype: 'int32' },
);

/** A random batch: inputs [BATCH, T] and targets [BATCH·T], cut outside the step (compile validates int32 inputs by value). */
function batch() {
  const rows = windows.indexSelect(0, wg.randint(0, W, [BATCH]));
  return [rows.slice(1, 0, T), rows.slice(1, 1, T + 1).reshape([BATCH * T])];
}

function trainStep(x, y) {
  opt.zeroGrad();
  const [logits] = model.forward(x);
  const loss = wg.losses.crossEntropy(logits.reshape([BATCH * T, V]), y);
  loss.backward();
  wg.optim.clipGradNorm(model.parameters(), 1);
  opt.step();
  return loss;
}
const step = MODE === 'eager' ? trainStep : wg.compile(trainStep);

const t0 = performance.now();
let first = 0,
  recent = [];
for (let i = 0; i < STEPS; i++) {
  const loss = step(...batch()).item();
  if (i === 0) first = loss;
  recent = [...recent.slice(-19), loss];
  if ((i + 1) % 50 === 0) console.log(`step ${i + 1}/${STEPS}: loss ${loss.toFixed(3)}`);
}
const last = recent.reduce((a, b) => a + b, 0) / recent.length;
const how = MODE === 'eager' ? 'eager' : `compiled, ${step.replayInfo()[0].mode} replay`;
console.log(`vocabulary ${V} characters (uniform guess: ${Math.log(V).toFixed(3)} nats)`);
console.log(
  `loss: ${first.toFixed(4)} at step 1, ${last.toFixed(4)} over the last ${recent.length} of ${STEPS} steps (${((performance.now() - t0) / 1000).toFixed(1)} s, ${how})`,
);

wg.noGrad(() => {
  // Next-character accuracy over the whole text, read as one sequence.
  const [logits] = model.forward(wg.tensor(ids.subarray(0, -1), { shape: [1, ids.length - 1], dtype: 'int32' }));
  const guess = logits
    .reshape([ids.length - 1, V])
    .argmax(1)
    .data();
  const right = guess.reduce((n, g, k) => n + (g === ids[k + 1] ? 1 : 0), 0);
  console.log(`next-character accuracy: ${((100 * right) / (ids.length - 1)).toFixed(1)}% on the ${ids.length} characters of the text`);

  // Greedy continuation: the prompt once, then one character at a time from the carried state.
  let text = 'It is a truth universally ';
  let [out, state] = model.forward(
    wg.tensor(
      Int32Array.from(text, (c) => chars.indexOf(c)),
      { shape: [1, text.length], dtype: 'int32' },
    ),
  );
  for (let k = 0; k < 80; k++) {
    const next =
      chars[
        out
          .slice(1, out.shape[1] - 1)
          .reshape([V])
          .argmax()
          .item()
      ];
    text += next;
    [out, state] = model.forward(wg.tensor([chars.indexOf(next)], { shape: [1, 1], dtype: 'int32' }), state);
  }
  console.log(`sample: ${JSON.stringify(text)}`);
});
