// The demo's training Worker (a module Worker): wg.fit runs here, so the page never waits for a
// training step. It is also the example of README's "Training in a Worker"; the protocol:
//
//   page → worker                                          worker → page
//   { type: 'train', images, labels, nTrain, options }      { type: 'ready', build, simd, threads }
//   { type: 'predict', id, pixels }  (784 floats in [0,1])  { type: 'progress', epoch, epochs, batch, batches,
//   { type: 'stop' }                                            loss, accuracy, samplesPerSec }
//                                                             (loss, accuracy: of the batches since the last progress)
//                                                           { type: 'epoch', ...EpochLogs }
//                                                           { type: 'prediction', id, probs } (null: no model yet)
//                                                           { type: 'done', history, weights } (safetensors bytes)
//                                                           { type: 'error', message }
//
// images: Uint8Array of n × 784 pixels (0–255), labels: Uint8Array of n classes; the first nTrain
// digits train, the rest validate. Both are transferred, not copied. options: { model: 'lenet' |
// 'mlp', epochs, batchSize, lr }. A predict message is answered between training batches: fit
// yields to the event loop every 50 ms in a Worker (options.yieldEveryMs), which is what lets
// messages in while it trains.
import * as wg from '../dist/wasmgrad.esm.js'; // the one-file build: a page with no bundler loads it in one request

const PROGRESS_MS = 100;
let model = null;
let stopRequested = false;
let training = false;

const MODELS = {
  // 784 → 128 → 10: ~100k parameters, tens of thousands of samples/s.
  mlp: () => new wg.nn.Sequential(new wg.nn.Flatten(), new wg.nn.Linear(784, 128), new wg.nn.ReLU(), new wg.nn.Linear(128, 10)),
  // LeNet-5 (ReLU, max pooling): ~10k samples/s, ~98 % test accuracy after 8 epochs.
  lenet: () =>
    new wg.nn.Sequential(
      new wg.nn.Conv2d(1, 6, 5, { padding: 2 }),
      new wg.nn.ReLU(),
      new wg.nn.MaxPool2d(2),
      new wg.nn.Conv2d(6, 16, 5),
      new wg.nn.ReLU(),
      new wg.nn.MaxPool2d(2),
      new wg.nn.Flatten(),
      new wg.nn.Linear(400, 120),
      new wg.nn.ReLU(),
      new wg.nn.Linear(120, 84),
      new wg.nn.ReLU(),
      new wg.nn.Linear(84, 10),
    ),
};

/** Digits [from, to) as { x: [n, 1, 28, 28] float32 in [0, 1], y: [n] int32 }, persistent. */
function split(images, labels, from, to) {
  const x = new Float32Array((to - from) * 784);
  for (let i = 0; i < x.length; i++) x[i] = images[from * 784 + i] / 255;
  return { x: wg.tensor(x, { shape: [to - from, 1, 28, 28] }), y: wg.tensor(Int32Array.from(labels.subarray(from, to))) };
}

async function train({ images, labels, nTrain, options }) {
  const { epochs = 8, batchSize = 64, lr = 2e-3 } = options;
  const make = MODELS[options.model ?? 'lenet'];
  if (!make) throw new Error(`unknown model ${JSON.stringify(options.model)} (known: ${Object.keys(MODELS).join(', ')})`);
  wg.manualSeed(1);
  const trainSet = split(images, labels, 0, nTrain);
  const testSet = split(images, labels, nTrain, labels.length);
  model = make();
  const optimizer = new wg.optim.Adam(model.parameters(), { lr });
  // Anneal the learning rate to 0 over the run: big steps early, careful ones at the end.
  const schedule = new wg.optim.lr.CosineAnnealingLR(optimizer, { tMax: epochs });
  stopRequested = false;
  // Progress covers the batches since the last message: samples, their summed loss, and the
  // epoch's running accuracy (fit's BatchLogs) turned back into correct counts.
  let last = performance.now(),
    samples = 0,
    lossSum = 0,
    epochSeen = 0,
    sentCorrect = 0;
  try {
    const history = await wg.fit(model, trainSet, {
      loss: wg.losses.crossEntropy,
      optimizer,
      epochs,
      batchSize,
      validation: testSet,
      metrics: ['accuracy'],
      progress: false,
      callbacks: {
        onBatchEnd(batch, logs, ctl) {
          if (stopRequested) ctl.stop('stopped from the page');
          if (batch === 1) epochSeen = sentCorrect = 0;
          samples += logs.size;
          epochSeen += logs.size;
          lossSum += logs.loss * logs.size;
          const epochCorrect = Math.round(logs.accuracy * epochSeen);
          const t = performance.now();
          if (t - last < PROGRESS_MS && batch < logs.batches) return;
          const accuracy = (epochCorrect - sentCorrect) / samples;
          postMessage({
            type: 'progress',
            epoch: logs.epoch,
            epochs,
            batch,
            batches: logs.batches,
            loss: lossSum / samples,
            accuracy,
            samplesPerSec: (samples / (t - last)) * 1000,
          });
          last = t;
          samples = lossSum = 0;
          sentCorrect = epochCorrect;
        },
        onEpochEnd(_epoch, logs) {
          last = performance.now(); // samples/s counts training time only, not the validation pass
          schedule.step();
          postMessage({ type: 'epoch', ...logs, epochs });
        },
      },
    });
    const weights = wg.save(model, { metadata: { model: options.model ?? 'lenet' } });
    postMessage({ type: 'done', history, weights }, [weights.buffer]);
  } finally {
    for (const t of [trainSet.x, trainSet.y, testSet.x, testSet.y]) t.dispose();
  }
}

/** Class probabilities for one 28×28 image, or null before the first model exists. */
function predict(pixels) {
  if (!model) return null;
  const x = wg.tensor(pixels, { shape: [1, 1, 28, 28] });
  const logits = wg.predict(model, x);
  const probs = wg.noGrad(() => Array.from(logits.softmax(-1).values()));
  x.dispose();
  logits.dispose();
  return probs;
}

// Threads need shared memory, which a browser gives only to a cross-origin-isolated page and its
// workers (npm run demo sends COOP/COEP): then the big products split across every core ('auto').
// Elsewhere one thread, without asking for more (which would only add init's console notice).
// Messages may arrive before init finishes (the page does not wait for 'ready'): each awaits it.
const ready = wg.init(self.crossOriginIsolated ? { threads: 'auto' } : {}).then(() => {
  const { build, simd, threads } = wg.info();
  postMessage({ type: 'ready', build, simd, threads });
});
ready.catch((e) => postMessage({ type: 'error', message: `wg.init failed: ${e instanceof Error ? e.message : String(e)}` }));

self.onmessage = async ({ data: msg }) => {
  try {
    await ready;
    if (msg.type === 'train') {
      if (training) throw new Error('already training: send { type: "stop" } and wait for "done" first');
      training = true;
      await train(msg).finally(() => (training = false));
    } else if (msg.type === 'predict') postMessage({ type: 'prediction', id: msg.id, probs: predict(msg.pixels) });
    else if (msg.type === 'stop') stopRequested = true;
  } catch (e) {
    postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
