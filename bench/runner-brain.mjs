// brain.js peer (W5 only): NeuralNetwork.trainPattern is exactly one online SGD step on one sample
// (forward, backward, weight update). Same sizes and initial weights as ours; brain.js has no
// softmax cross-entropy: with activation 'relu' every layer (output too) is ReLU and the output
// error is (target − output). Momentum 0, learning rate 0.1. Plain JS, Float32Array, no SIMD.
import { createRequire } from 'node:module';
import { LR } from './common.mjs';

const require = createRequire(import.meta.url);

export async function brainRunner(spec, init, batches) {
  if (spec.kind !== 'mlp' || spec.batch !== 1) throw new Error('brain.js trains one sample at a time: W5 only');
  const brain = require('brain.js');
  const version = require('brain.js/package.json').version;
  const net = new brain.NeuralNetwork({ hiddenLayers: spec.sizes.slice(1, -1), activation: 'relu', learningRate: LR });
  net.sizes = spec.sizes;
  net.initialize();
  // brain.js's option check rejects momentum 0 ("out of normal training range"): set it directly.
  // adjustWeights does the same arithmetic whatever the value (change = lr·δ·x + momentum·change).
  net.trainOpts.momentum = 0;
  net.trainOpts.learningRate = LR;
  init.linear.forEach((l, i) => {
    const [out, inF] = l.weight.shape;
    for (let o = 0; o < out; o++) {
      net.weights[i + 1][o].set(l.weight.data.subarray(o * inF, (o + 1) * inF));
      net.biases[i + 1][o] = l.bias.data[o];
    }
  });
  const data = batches.map((b) => ({ input: b.x, output: b.onehot }));
  const step = (i, wantLoss) => {
    const mse = net.trainPattern(data[i % data.length], wantLoss);
    return wantLoss ? mse : undefined;
  };
  return {
    name: 'brain.js',
    note: `brain.js ${version} NeuralNetwork (ReLU outputs, MSE-style error: loss not comparable)`,
    lossComparable: false,
    step,
    sync() {},
  };
}
