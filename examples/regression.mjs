// Regression: fit y = sin(3x) + 0.1·noise on [-1, 1] with a 1-64-64-1 tanh MLP, Adam and the mean
// squared error, then print the train and test MSE. The noise has variance 0.1² = 0.01, so 0.01 is
// the best test MSE any model can reach (the noise floor).
import * as wg from 'wasmgrad';

const EPOCHS = Number(process.env.EPOCHS ?? 100);
const NOISE = 0.1;

await wg.init();
wg.manualSeed(42);

// n points x ~ U(-1, 1), y = sin(3x) + NOISE·N(0, 1), as [n, 1] tensors (x and the noise come from
// the seeded stream; sin is computed here, on the host).
function dataset(n) {
  const u = wg.rand([n, 1]).values(),
    e = wg.randn([n, 1]).values();
  const x = new Float32Array(n),
    y = new Float32Array(n);
  let noiseMse = 0; // what the true function sin(3x) itself scores on these points
  for (let i = 0; i < n; i++) {
    x[i] = 2 * u[i] - 1;
    y[i] = Math.sin(3 * x[i]) + NOISE * e[i];
    noiseMse += (y[i] - Math.sin(3 * x[i])) ** 2 / n;
  }
  return { x: wg.tensor(x, { shape: [n, 1] }), y: wg.tensor(y, { shape: [n, 1] }), noiseMse };
}
const train = dataset(512);
const test = dataset(1000);

const model = new wg.nn.Sequential(new wg.nn.Linear(1, 64), new wg.nn.Tanh(), new wg.nn.Linear(64, 64), new wg.nn.Tanh(), new wg.nn.Linear(64, 1));
const optimizer = new wg.optim.Adam(model.parameters(), { lr: 1e-2 });
// Anneal the learning rate to 0 over the run, so the fit settles instead of jittering.
const schedule = new wg.optim.lr.CosineAnnealingLR(optimizer, { tMax: EPOCHS });

const t0 = performance.now();
await wg.fit(model, train, {
  loss: wg.losses.mse,
  optimizer,
  epochs: EPOCHS,
  batchSize: 32,
  seed: 1,
  progress: false,
  callbacks: {
    onEpochEnd: (epoch, logs) => {
      schedule.step();
      if (epoch % 20 === 0) console.log(`epoch ${epoch}/${EPOCHS}  loss ${logs.loss.toFixed(5)}`);
    },
  },
});
const seconds = (performance.now() - t0) / 1000;

const mse = (data) => wg.evaluate(model, data, { loss: wg.losses.mse }).loss;
console.log(`train MSE: ${mse(train).toFixed(5)} on ${train.x.shape[0]} points, trained in ${seconds.toFixed(1)}s`);
console.log(
  `test MSE: ${mse(test).toFixed(5)} on ${test.x.shape[0]} held-out points ` +
    `(noise floor ${(NOISE * NOISE).toFixed(5)}; the true sin(3x) scores ${test.noiseMse.toFixed(5)} on them)`,
);
