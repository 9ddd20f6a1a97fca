// wasmgrad ("ours"), imported from the repo's build (../dist/index.js) so the bench measures what
// users get. WASMGRAD_DIST / WASMGRAD_WASM point elsewhere for development (see dev-build.sh).
import { CNN, GPT, LENET, LR, LSTM, inputShape, isModern, isText } from './common.mjs';

let wg;
/** Loads and initialises wasmgrad once; returns the module. */
export async function loadWasmgrad() {
  if (wg) return wg;
  // In a page there is no process: the repo build served next to bench/ (the entry picks the build).
  const env = globalThis.process?.env ?? {};
  const url = env.WASMGRAD_DIST ? new URL(env.WASMGRAD_DIST, `file://${process.cwd()}/`) : new URL('../dist/index.js', import.meta.url);
  wg = await import(url.href);
  // BENCH_THREADS: the wg.init thread count of this process (a child of run.mjs --threads).
  const threads = env.BENCH_THREADS === undefined ? {} : { threads: env.BENCH_THREADS === 'auto' ? 'auto' : Number(env.BENCH_THREADS) };
  await wg.init({ ...(env.WASMGRAD_WASM ? { wasm: env.WASMGRAD_WASM } : {}), ...threads });
  return wg;
}

/**
 * How a training step is written:
 *  - 'compiled': wg.nn modules + wg.optim.SGD, the step wrapped in wg.compile (whole-step replay:
 *    forward, backward and update in one WASM call per step);
 *  - 'nn': the same step run eagerly (one WASM call per op, one for the whole backward);
 *  - 'ops': eager ops only (matmul/add/relu, crossEntropy, backward, p.sub_(p.grad.mul(lr))),
 *    for builds without wg.nn / wg.optim.
 * 'auto' picks the first the build supports, in that order.
 */
export function pickApi(wg, requested = 'auto') {
  const hasNn = typeof wg.nn?.Linear === 'function' && typeof wg.nn?.Sequential === 'function' && typeof wg.optim?.SGD === 'function';
  const hasCompile = hasNn && typeof wg.compile === 'function';
  if (requested === 'compiled' && !hasCompile) throw new Error('--api=compiled: this build does not export wg.compile / wg.nn / wg.optim.SGD yet');
  if (requested === 'nn' && !hasNn) throw new Error('--api=nn: this build does not export wg.nn / wg.optim.SGD yet');
  if (!['auto', 'compiled', 'nn', 'ops'].includes(requested)) throw new Error(`--api: expected auto, compiled, nn or ops, got ${requested}`);
  return requested === 'auto' ? (hasCompile ? 'compiled' : hasNn ? 'nn' : 'ops') : requested;
}

export const API_NOTES = {
  compiled: 'wg.nn + wg.optim in wg.compile (whole-step replay)',
  nn: 'wg.nn + wg.optim, eager',
  ops: 'eager ops + manual SGD',
};

/** The MNIST train split as plain typed arrays (x [8000·784] float32, y [8000] int32). */
export async function mnistArrays() {
  const wg = await loadWasmgrad();
  const { train } = await wg.data.mnist();
  return { x: train.x.data(), y: train.y.data() };
}

const tensorOf = (p, requiresGrad) => wg.tensor(p.data, { shape: p.shape, requiresGrad });

/** Builds the model with the eager op API: returns { params, forward(x) → logits }. */
function opsModel(spec, init) {
  const lin = init.linear.map((l) => ({ w: tensorOf(l.weight, true), b: tensorOf(l.bias, true) }));
  const dense = (h, i, relu) => {
    const y = h.matmul(lin[i].w.transpose()).add(lin[i].b);
    return relu ? y.relu() : y;
  };
  const mlp = (h) => {
    for (let i = 0; i < lin.length; i++) h = dense(h, i, i < lin.length - 1);
    return h;
  };
  const params = lin.flatMap((l) => [l.w, l.b]);
  if (spec.kind === 'mlp') return { params, forward: mlp };
  const conv = init.conv.map((c) => ({ w: tensorOf(c.weight, true), b: tensorOf(c.bias, true), pad: c.pad }));
  params.unshift(...conv.flatMap((c) => [c.w, c.b]));
  const forward = (x) => {
    let h = x;
    for (const c of conv) h = wg.maxPool2d(wg.conv2d(h, c.w, c.b, { padding: c.pad }).relu(), 2);
    return mlp(h.flatten(1));
  };
  return { params, forward };
}

/** Builds the model with wg.nn modules and copies the shared initial weights into it. */
function nnModel(spec, init) {
  const { nn } = wg;
  const linears = (sizes) =>
    sizes.slice(1).flatMap((out, i) => (i < sizes.length - 2 ? [new nn.Linear(sizes[i], out), new nn.ReLU()] : [new nn.Linear(sizes[i], out)]));
  const layers =
    spec.kind === 'mlp'
      ? linears(spec.sizes)
      : [
          new nn.Conv2d(LENET.conv1.in, LENET.conv1.out, LENET.conv1.k, { padding: LENET.conv1.pad }),
          new nn.ReLU(),
          new nn.MaxPool2d(2),
          new nn.Conv2d(LENET.conv2.in, LENET.conv2.out, LENET.conv2.k, { padding: LENET.conv2.pad }),
          new nn.ReLU(),
          new nn.MaxPool2d(2),
          new nn.Flatten(),
          ...linears(LENET.fc),
        ];
  const model = new nn.Sequential(...layers);
  const sources = [...(init.conv ?? []), ...init.linear].flatMap((l) => [l.weight, l.bias]);
  const params = model.parameters();
  if (params.length !== sources.length) throw new Error(`wg.nn model has ${params.length} parameters, expected ${sources.length}`);
  wg.noGrad(() => params.forEach((p, i) => p.copy_(tensorOf(sources[i], false))));
  return { params, forward: (x) => model.forward(x) };
}

/** Copies `named` ([[name, { shape, data }]]) into the module's parameters, which must have exactly those names and shapes. */
function loadNamed(module, named) {
  const params = new Map(module.namedParameters());
  const missing = named.filter(([n]) => !params.has(n)).map(([n]) => n);
  const extra = [...params.keys()].filter((n) => !named.some(([m]) => m === n));
  if (missing.length || extra.length)
    throw new Error(`wg.nn model: parameters ${extra.join(', ') || '-'} not in the shared init; ${missing.join(', ') || '-'} missing`);
  wg.noGrad(() => {
    for (const [n, src] of named) {
      const p = params.get(n);
      if (p.shape.join() !== src.shape.join()) throw new Error(`wg.nn model: ${n} is [${p.shape}], the shared init [${src.shape}]`);
      p.copy_(tensorOf(src, false));
    }
  });
}

/** W6–W8 with wg.nn modules (names = PyTorch's, see paramSpecs): { model, forward(x) → logits [rows, classes], dropouts }. */
function modernModel(spec, init) {
  const { nn } = wg;
  const { vocab } = init;
  let model, forward;
  if (spec.kind === 'cnn') {
    const { c1, c2, k, pad } = CNN;
    model = new nn.Sequential(
      new nn.Conv2d(1, c1, k, { padding: pad }),
      new nn.BatchNorm2d(c1),
      new nn.ReLU(),
      new nn.Conv2d(c1, c2, k, { padding: pad }),
      new nn.BatchNorm2d(c2),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Dropout(CNN.dropout),
      new nn.Flatten(),
      new nn.Linear(CNN.fcIn, CNN.classes),
    );
    forward = (x) => model.forward(x);
  } else if (spec.kind === 'gpt') {
    const { dModel: d, heads, ff, layers } = GPT;
    model = new nn.Module();
    const tok = model.registerModule('tok', new nn.Embedding(vocab, d));
    const pos = model.registerModule('pos', new nn.Embedding(spec.seq, d));
    const blocks = model.registerModule(
      'blocks',
      new nn.ModuleList(
        Array.from({ length: layers }, () => new nn.TransformerEncoderLayer(d, heads, { dimFeedforward: ff, dropout: 0, batchFirst: true, normFirst: true })),
      ),
    );
    const norm = model.registerModule('norm', new nn.LayerNorm(d));
    const head = model.registerModule('head', new nn.Linear(d, vocab));
    const positions = wg.arange(spec.seq, { dtype: 'int32' });
    forward = (x) => {
      let h = tok.forward(x).add(pos.forward(positions));
      for (const block of blocks) h = block.forward(h, { isCausal: true });
      return head.forward(norm.forward(h)).reshape([spec.batch * spec.seq, vocab]);
    };
  } else {
    model = new nn.Module();
    const emb = model.registerModule('emb', new nn.Embedding(vocab, LSTM.embed));
    const lstm = model.registerModule('lstm', new nn.LSTM(LSTM.embed, LSTM.hidden, { batchFirst: true }));
    const head = model.registerModule('head', new nn.Linear(LSTM.hidden, vocab));
    forward = (x) => head.forward(lstm.forward(emb.forward(x))[0]).reshape([spec.batch * spec.seq, vocab]);
  }
  loadNamed(model, init.named);
  return { params: model.parameters(), forward, dropouts: model.modules().filter((m) => m instanceof nn.Dropout) };
}

/** The wasmgrad runner for one workload. */
export async function wasmgradRunner(spec, init, batches, { api = 'auto', name = 'wasmgrad' } = {}) {
  await loadWasmgrad();
  const how = pickApi(wg, api);
  if (how === 'ops' && isModern(spec)) throw new Error(`${spec.id} needs wg.nn (--api ops covers W1–W5 only)`);
  const { params, forward, dropouts = [] } = isModern(spec) ? modernModel(spec, init) : how === 'ops' ? opsModel(spec, init) : nnModel(spec, init);
  const text = isText(spec);
  const shapeX = inputShape(spec);
  // Persistent batch tensors made once (as every peer does), outside the timed loop.
  const data = batches.map((b) => ({ x: wg.tensor(b.x, { shape: shapeX, dtype: text ? 'int32' : 'float32' }), y: wg.tensor(b.y, { dtype: 'int32' }) }));
  let rawStep;
  if (how === 'ops') {
    rawStep = (x, y) => {
      const loss = wg.losses.crossEntropy(forward(x), y);
      loss.backward();
      wg.noGrad(() => {
        for (const p of params) {
          p.sub_(p.grad.mul(LR));
          p.grad = null;
        }
      });
      return loss;
    };
  } else {
    const { name: optName = 'SGD', ...optOptions } = spec.opt ?? { lr: LR };
    const opt = new wg.optim[optName](params, optOptions);
    rawStep = (x, y) => {
      const loss = wg.losses.crossEntropy(forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss;
    };
  }
  // Dropout is off (eval) for the checked steps 1–5. Its mode changes the ops a step runs, so the
  // timed steps get their own compiled function, as users compile one step per mode.
  const build = () => (how === 'compiled' ? wg.compile(rawStep) : rawStep);
  let train = build();
  for (const m of dropouts) m.eval();
  const afterCheck = () => {
    if (!dropouts.length) return;
    for (const m of dropouts) m.train();
    train = build();
  };
  const step = (i, wantLoss) => {
    const { x, y } = data[i % data.length];
    const loss = train(x, y);
    return wantLoss ? loss.item() : undefined;
  };
  return { name, note: API_NOTES[how], api: how, step, afterCheck, sync() {} };
}
