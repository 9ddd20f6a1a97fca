/**
 * conv2d groups and 'same', conv1d, convTranspose2d, the pools' ceilMode / dilation /
 * countIncludePad / divisorOverride / returnIndices, the adaptive pools and interpolate: values and
 * gradients from PyTorch 1.13 (float64, written here as literals) on both backends, and the error
 * paths of the new options. Inputs are ((i·a) mod m − c) / 4 over the flat index i (exact in
 * float32); the gradient fed back is ((i·5) mod 7 − 3) / 4 over the output.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { expectClose } from '../helpers/expect.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

/** The input of shape with values ((i·a) mod m − c) / 4. */
function pattern(shape: number[], a: number, m: number, c: number, requiresGrad = false): wg.Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return wg.tensor(
    Array.from({ length: n }, (_, i) => (((i * a) % m) - c) / 4),
    { shape, requiresGrad },
  );
}

interface Case {
  name: string;
  /** [shape, a, m, c] of each input (all require grad). */
  inputs: [number[], number, number, number][];
  run: (ins: wg.Tensor[]) => wg.Tensor | [wg.Tensor, wg.Tensor];
  shape: number[];
  out: number[];
  /** int32 positions within each input plane (returnIndices). */
  indices?: number[];
  grads: number[][];
}

const CASES: Case[] = [
  {
    name: "conv2d, groups 2, padding 'same' with a 2\u00d73 kernel (the odd column padded on the right)",
    inputs: [
      [[1, 4, 3, 4], 7, 11, 5],
      [[4, 2, 2, 3], 3, 5, 2],
      [[4], 1, 3, 1],
    ],
    run: ([x, w, b]) => wg.conv2d(x, w, b, { padding: 'same', groups: 2 }),
    shape: [1, 4, 3, 4],
    out: [
      -0.0625, 0.625, -1.875, 1.5625, -0.125, -1.8125, 1.875, -0.875, -1.0, 0.125, 0.125, -0.875, 0.5625, -0.8125, -0.375, 1.125, -1.125, -0.4375, 2.0625,
      -0.875, -0.375, 1.625, -0.6875, -1.1875, 2.0625, -1.3125, -1.5, 2.25, -0.375, -1.375, 1.875, -1.1875, -0.375, 1.875, -0.8125, 1.0625, 0.875, -1.4375,
      0.625, -0.125, -1.125, 0.625, -0.0625, -0.1875, -1.4375, 0.8125, -1.3125, 0.75,
    ],
    grads: [
      [
        -0.25, 0.375, -0.375, 0.125, 0.625, 0.1875, -0.3125, 0.3125, 0.5625, -1.375, -0.5625, 0.3125, 0.1875, -1.0, 0.5, 0.5, -0.125, 0.1875, 0.6875, -0.5625,
        -1.0, 0.875, 0.5, -0.0625, 0.125, -0.375, 0.375, -0.25, -0.4375, 0.0, 0.75, -0.875, -1.125, 0.8125, 0.25, -0.0625, -0.25, 0.3125, -0.4375, 0.25, 0.25,
        0.875, -1.375, 0.3125, 0.625, 0.1875, -0.3125, 0.3125,
      ],
      [
        -1.4375, -1.0, 0.0625, -0.625, -0.125, 1.875, -1.625, 1.0625, 1.625, 0.8125, 2.0, -1.375, 0.375, 1.25, -1.8125, 2.0, -1.375, -1.25, 1.3125, -1.9375,
        -0.125, -1.4375, -1.625, 2.0, 0.75, 0.0625, -1.8125, 0.625, -1.125, 0.625, 0.75, -2.875, 0.625, -0.8125, 0.0625, 0.375, -1.875, 1.3125, 0.0625, 0.5,
        1.1875, -0.4375, 1.3125, 1.0, 0.5625, 0.75, 0.0, -1.0625,
      ],
      [0.0, -0.25, -0.5, 1.0],
    ],
  },
  {
    name: 'conv2d, depthwise (groups = C), stride 2, padding 1, no bias',
    inputs: [
      [[1, 3, 4, 5], 7, 11, 5],
      [[3, 1, 3, 3], 3, 5, 2],
    ],
    run: ([x, w]) => wg.conv2d(x, w, null, { stride: 2, padding: 1, groups: 3 }),
    shape: [1, 3, 2, 3],
    out: [0.4375, -0.625, 0.1875, -0.25, -1.0625, 0.6875, 0.625, -1.125, -0.875, -1.5, -0.0625, 1.1875, -0.875, -1.125, 0.625, 0.75, 0.8125, 0.25],
    grads: [
      [
        0.0, 0.625, 0.0, -0.25, 0.0, 0.0625, -0.5, 0.0625, -0.0625, 0.0625, 0.0, 0.625, 0.0, -0.25, 0.0, 0.125, -0.0625, -0.1875, 0.4375, -0.0625, -0.125,
        0.1875, -0.375, -0.125, 0.25, -0.0625, 0.4375, 0.0625, -0.1875, -0.25, 0.0, 0.125, -0.25, -0.1875, 0.375, 0.0, 0.25, -0.125, -0.25, 0.1875, -0.0625,
        0.0625, 0.0625, -0.3125, 0.1875, -0.125, -0.1875, 0.125, -0.3125, 0.375, -0.125, 0.25, 0.0, -0.125, 0.125, -0.25, 0.125, 0.0, 0.0, 0.25,
      ],
      [
        0.5, 0.5625, -1.25, -0.8125, 1.5, 0.5, -0.0625, 0.9375, -0.875, 0.625, 0.375, -0.5, -0.875, 1.0, 0.3125, -0.875, 0.875, -0.4375, -0.125, 0.625, -0.25,
        0.0625, 1.375, -0.1875, -0.6875, -0.375, 0.0625,
      ],
    ],
  },
  {
    name: "conv1d, padding 'same' with an even kernel and dilation 2",
    inputs: [
      [[2, 2, 7], 7, 11, 5],
      [[2, 2, 4], 3, 5, 2],
      [[2], 1, 3, 1],
    ],
    run: ([x, w, b]) => wg.conv1d(x, w, b, { padding: 'same', dilation: 2 }),
    shape: [2, 2, 7],
    out: [
      0.0625, 0.1875, -0.5, 0.125, 0.25, 0.3125, -1.3125, 0.1875, 0.9375, -1.5625, 0.125, 0.75, -1.5625, 0.9375, 0.0, 0.1875, -0.5, -0.4375, 0.4375, -0.875,
      -1.125, 0.375, -0.375, -1.5, 1.5, 0.6875, -0.25, 0.75,
    ],
    grads: [
      [
        0.125, 0.5625, -0.5, -0.375, 0.8125, -0.625, -0.5625, 0.125, -0.375, 0.0625, 0.625, -0.5, 0.1875, 0.4375, 0.125, 0.5625, -0.5, -0.375, 0.8125, -0.625,
        -0.5625, 0.125, -0.375, 0.0625, 0.625, -0.5, 0.1875, 0.4375,
      ],
      [-0.3125, 2.8125, -2.1875, -2.4375, -1.0625, -1.5, 2.5625, 1.1875, -0.3125, 2.8125, -2.1875, -2.4375, -1.0625, -1.5, 2.5625, 1.1875],
      [0.0, 0.0],
    ],
  },
  {
    name: 'convTranspose2d, stride 2, padding 1, outputPadding 1, groups 2',
    inputs: [
      [[1, 2, 2, 3], 7, 11, 5],
      [[2, 2, 3, 3], 3, 5, 2],
      [[4], 1, 3, 1],
    ],
    run: ([x, w, b]) => wg.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
    shape: [1, 4, 4, 6],
    out: [
      -0.25, 0.625, -0.25, -0.75, -0.25, 0.0, 0.375, -1.1875, -0.3125, 0.1875, -0.3125, -0.3125, -0.25, -0.75, -0.25, -0.75, -0.25, 0.125, -0.5625, 0.4375,
      -0.3125, -0.3125, -0.0625, -0.625, -0.625, -0.125, 0.25, 0.125, -0.25, 0.0, -0.9375, 0.375, 0.0, 0.1875, 0.25, -0.0625, 0.625, -0.0625, 0.125, 0.1875,
      -0.375, 0.0, 0.3125, -0.4375, 0.0625, 0.3125, -0.1875, 0.1875, 0.0, 0.75, 0.25, 0.0, 0.5, -0.25, -0.25, 0.0, 0.25, -0.25, 0.75, 0.625, 0.0625, 0.5625,
      0.3125, -0.1875, 0.5625, -0.375, -0.125, 0.4375, 0.375, 0.1875, 0.875, -0.0625, 0.0, -0.5, -0.25, 0.25, -0.5, 0.0, 0.125, -0.6875, -0.375, -0.4375,
      -0.875, 0.25, -0.0625, -0.3125, -0.3125, 0.4375, -0.5625, 0.0625, -0.25, -0.75, -0.25, -0.75, -0.25, 0.375,
    ],
    grads: [
      [-0.6875, 0.5, -0.1875, 0.0, -0.8125, 0.125, -0.375, 0.1875, 0.875, 0.8125, -1.5625, 0.625],
      [
        -0.1875, 0.1875, -1.5, 0.0625, 0.6875, -0.8125, 0.25, 1.3125, 0.6875, -0.3125, 0.375, 0.0, -0.0625, 1.4375, -0.9375, 0.125, -1.0, 1.4375, -0.5625,
        0.375, 0.3125, 0.875, 0.25, -1.125, -0.375, 0.75, 0.25, -0.9375, 0.1875, 0.125, 0.25, -1.25, 0.4375, -0.5625, 0.5625, -1.25,
      ],
      [-0.25, 0.5, -0.5, 0.25],
    ],
  },
  {
    name: 'maxPool2d 3\u00d73, stride 2, padding 1, ceilMode, returnIndices',
    inputs: [[[1, 1, 5, 5], 7, 13, 6]],
    run: ([x]) => wg.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, returnIndices: true }),
    shape: [1, 1, 3, 3],
    out: [0.75, 1.0, 1.25, 1.5, 1.5, 1.25, 1.0, 1.25, 1.5],
    indices: [5, 7, 9, 11, 11, 9, 20, 22, 24],
    grads: [[0.0, 0.0, 0.0, 0.0, 0.0, -0.75, 0.0, 0.5, 0.0, 0.25, 0.0, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.25, 0.0, -0.75, 0.0, 0.5]],
  },
  {
    name: 'maxPool2d 2\u00d72, dilation 2, stride 1, returnIndices',
    inputs: [[[1, 1, 6, 7], 7, 13, 6]],
    run: ([x]) => wg.maxPool2d(x, 2, { stride: 1, dilation: 2, returnIndices: true }),
    shape: [1, 1, 4, 5],
    out: [0.5, 0.5, 0.75, 0.75, 1.0, 1.25, 1.5, 1.5, 1.5, 1.5, 0.5, 0.75, 0.75, 1.0, 1.0, 1.5, 1.5, 1.5, 1.5, 0.25],
    indices: [16, 3, 18, 5, 20, 9, 24, 11, 24, 11, 16, 31, 18, 33, 20, 37, 24, 37, 24, 27],
    grads: [
      [
        0.0, 0.0, 0.0, 0.5, 0.0, -0.5, 0.0, 0.0, 0.0, 0.25, 0.0, -0.75, 0.0, 0.0, 0.0, 0.0, -1.25, 0.0, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.25, 0.0,
        0.0, 0.0, 0.75, 0.0, -0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
      ],
    ],
  },
  {
    name: 'avgPool2d 3\u00d73, stride 2, padding 1, ceilMode, countIncludePad false',
    inputs: [[[1, 1, 5, 5], 7, 13, 6]],
    run: ([x]) => wg.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
    shape: [1, 1, 3, 3],
    out: [-0.3125, -0.125, 0.0625, 0.083333, 0.0, -0.083333, -0.0625, 0.125, 0.3125],
    grads: [
      [
        -0.1875, -0.104167, 0.083333, 0.083333, 0.0, -0.270833, -0.104167, 0.166667, 0.208333, 0.041667, -0.083333, 0.0, 0.083333, 0.125, 0.041667, -0.145833,
        -0.1875, -0.041667, 0.125, 0.166667, -0.0625, -0.1875, -0.125, 0.0, 0.125,
      ],
    ],
  },
  {
    name: 'avgPool2d 3\u00d73, stride 2, padding 1, ceilMode (the last windows divide by their part inside the padded input)',
    inputs: [[[1, 1, 5, 5], 7, 13, 6]],
    run: ([x]) => wg.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
    shape: [1, 1, 3, 3],
    out: [-0.138889, -0.083333, 0.027778, 0.055556, 0.0, -0.055556, -0.027778, 0.083333, 0.138889],
    grads: [
      [
        -0.083333, -0.027778, 0.055556, 0.055556, 0.0, -0.138889, 0.0, 0.138889, 0.166667, 0.027778, -0.055556, 0.027778, 0.083333, 0.111111, 0.027778,
        -0.083333, -0.083333, 0.0, 0.083333, 0.083333, -0.027778, -0.111111, -0.083333, -0.027778, 0.055556,
      ],
    ],
  },
  {
    name: 'avgPool2d 2\u00d72, stride 1, padding 1, divisorOverride 3',
    inputs: [[[1, 1, 5, 5], 7, 13, 6]],
    run: ([x]) => wg.avgPool2d(x, 2, { stride: 1, padding: 1, divisorOverride: 3 }),
    shape: [1, 1, 6, 6],
    out: [
      -0.5, -0.416667, -0.333333, -0.25, -0.166667, -0.333333, -0.25, -0.416667, -0.25, -0.083333, 0.083333, 0.083333, 0.166667, 0.416667, 0.583333, -0.333333,
      -0.166667, 0.5, -0.5, 0.166667, 0.333333, -0.583333, -0.416667, -0.166667, -0.083333, -0.083333, 0.083333, 0.25, 0.416667, 0.25, 0.333333, 0.166667, 0.25,
      0.333333, 0.416667, 0.5,
    ],
    grads: [
      [
        -0.416667, 0.083333, 0.0, -0.083333, 0.416667, -0.333333, -0.416667, 0.083333, 0.0, -0.083333, 0.333333, -0.333333, -0.416667, 0.083333, 0.0, 0.416667,
        0.333333, -0.333333, -0.416667, 0.083333, -0.083333, 0.416667, 0.333333, -0.333333, -0.416667,
      ],
    ],
  },
  {
    name: 'adaptiveAvgPool2d to [3, 4] from 5\u00d77 (overlapping windows)',
    inputs: [[[1, 1, 5, 7], 7, 13, 6]],
    run: ([x]) => wg.adaptiveAvgPool2d(x, [3, 4]),
    shape: [1, 1, 3, 4],
    out: [-0.1875, 0.0, 0.25, -0.375, 0.041667, 0.138889, 0.027778, -0.416667, 0.0, 0.458333, 0.166667, -0.1875],
    grads: [
      [
        -0.1875, -0.104167, 0.083333, 0.083333, 0.0, -0.125, -0.125, -0.0625, 0.048611, 0.111111, 0.083333, -0.027778, -0.277778, -0.25, 0.125, 0.152778,
        0.027778, 0.0, -0.027778, -0.152778, -0.125, 0.25, 0.277778, 0.027778, -0.083333, -0.111111, -0.048611, 0.0625, 0.125, 0.125, 0.0, -0.083333, -0.083333,
        0.104167, 0.1875,
      ],
    ],
  },
  {
    name: 'adaptiveMaxPool2d to [2, null] (W kept), returnIndices',
    inputs: [[[1, 1, 5, 7], 7, 13, 6]],
    run: ([x]) => wg.adaptiveMaxPool2d(x, [2, null], { returnIndices: true }),
    shape: [1, 1, 2, 7],
    out: [1.0, 0.25, 1.25, 0.5, 1.5, 0.75, 1.0, 0.25, 1.25, 0.5, 1.5, 0.75, 1.0, 1.0],
    indices: [7, 1, 9, 3, 11, 5, 20, 14, 22, 16, 24, 18, 33, 20],
    grads: [
      [
        0.0, 0.5, 0.0, -0.5, 0.0, 0.25, 0.0, -0.75, 0.0, 0.0, 0.0, 0.75, 0.0, 0.0, -0.75, 0.0, 0.0, 0.0, 0.75, 0.0, -0.5, 0.0, 0.5, 0.0, -0.5, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.0,
      ],
    ],
  },
  {
    name: 'interpolate nearest, scaleFactor 1.7',
    inputs: [[[1, 1, 3, 4], 7, 13, 6]],
    run: ([x]) => wg.interpolate(x, { scaleFactor: 1.7 }),
    shape: [1, 1, 5, 6],
    out: [
      -1.5, -1.5, 0.25, 0.25, -1.25, -1.25, -1.5, -1.5, 0.25, 0.25, -1.25, -1.25, -1.0, -1.0, 0.75, 0.75, -0.75, -0.75, -1.0, -1.0, 0.75, 0.75, -0.75, -0.75,
      -0.5, -0.5, 1.25, 1.25, -0.25, -0.25,
    ],
    grads: [[-1.25, 0.0, 1.25, 0.0, 1.0, -1.25, 0.0, 0.0, 0.25, 0.0, -0.25, 0.0]],
  },
  {
    name: 'interpolate nearest, size [2, 7]',
    inputs: [[[1, 1, 3, 4], 7, 13, 6]],
    run: ([x]) => wg.interpolate(x, { size: [2, 7], mode: 'nearest' }),
    shape: [1, 1, 2, 7],
    out: [-1.5, -1.5, 0.25, 0.25, -1.25, -1.25, 0.5, -1.0, -1.0, 0.75, 0.75, -0.75, -0.75, 1.0],
    grads: [[-0.25, -0.5, 1.0, -0.25, -0.25, -0.5, 1.0, -0.25, 0.0, 0.0, 0.0, 0.0]],
  },
  {
    name: 'interpolate bilinear, size [5, 3]',
    inputs: [[[1, 1, 3, 4], 7, 13, 6]],
    run: ([x]) => wg.interpolate(x, { size: [5, 3], mode: 'bilinear' }),
    shape: [1, 1, 5, 3],
    out: [-1.208333, -0.5, 0.208333, -1.008333, -0.3, 0.408333, -0.708333, 0.0, 0.708333, -0.408333, 0.3, 1.008333, -0.208333, 0.5, 1.208333],
    grads: [[-0.875, 0.3, 0.5, 0.125, -0.375, -0.4, -0.175, 0.75, 0.208333, -0.233333, -0.325, -0.25]],
  },
  {
    name: 'interpolate bilinear, scaleFactor 1.5, alignCorners',
    inputs: [[[1, 1, 3, 4], 7, 13, 6]],
    run: ([x]) => wg.interpolate(x, { scaleFactor: 1.5, mode: 'bilinear', alignCorners: true }),
    shape: [1, 1, 4, 6],
    out: [
      -1.5, -0.45, -0.05, -0.95, -0.55, 0.5, -1.166667, -0.116667, 0.283333, -0.616667, -0.216667, 0.833333, -0.833333, 0.216667, 0.616667, -0.283333, 0.116667,
      1.166667, -0.5, 0.55, 0.95, 0.05, 0.45, 1.5,
    ],
    grads: [[-0.733333, 0.183333, -0.016667, 0.733333, -0.266667, -0.466667, 0.033333, 0.033333, 0.9, -0.416667, -0.266667, 0.033333]],
  },
  {
    name: 'interpolate bilinear, scaleFactor [2, 0.5]',
    inputs: [[[1, 1, 3, 4], 7, 13, 6]],
    run: ([x]) => wg.interpolate(x, { scaleFactor: [2, 0.5], mode: 'bilinear' }),
    shape: [1, 1, 6, 2],
    out: [-0.625, -0.375, -0.5, -0.25, -0.25, 0.0, 0.0, 0.25, 0.25, 0.5, 0.375, 0.625],
    grads: [[-0.28125, -0.28125, 0.09375, 0.09375, 0.25, 0.25, -0.25, -0.25, -0.09375, -0.09375, 0.28125, 0.28125]],
  },
  {
    name: 'maxPool1d 3, stride 2, padding 1, dilation 2, ceilMode',
    inputs: [[[1, 2, 7], 7, 13, 6]],
    run: ([x]) => wg.maxPool1d(x, 3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }),
    shape: [1, 2, 3],
    out: [0.5, 0.75, 0.75, -0.25, 0.0, 0.0],
    grads: [[0.0, 0.0, 0.0, -0.75, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, -0.5, 0.0, 1.0, 0.0]],
  },
  {
    name: 'avgPool1d 3, stride 2, padding 1, ceilMode, countIncludePad false',
    inputs: [[[1, 2, 7], 7, 13, 6]],
    run: ([x]) => wg.avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
    shape: [1, 2, 4],
    out: [-0.625, -0.166667, 0.083333, 0.0, 0.25, 0.166667, 0.416667, -0.75],
    grads: [[-0.375, -0.208333, 0.166667, 0.166667, 0.0, -0.25, -0.25, 0.375, 0.458333, 0.083333, 0.0, -0.083333, -0.458333, -0.375]],
  },
  {
    name: 'adaptiveAvgPool1d to 3 from 7',
    inputs: [[[1, 2, 7], 7, 13, 6]],
    run: ([x]) => wg.adaptiveAvgPool1d(x, 3),
    shape: [1, 2, 3],
    out: [-0.833333, -0.583333, -0.333333, 0.583333, 0.833333, 0.0],
    grads: [[-0.25, -0.25, -0.083333, 0.166667, 0.166667, 0.0, 0.0, -0.166667, -0.166667, 0.083333, 0.25, 0.333333, 0.083333, 0.083333]],
  },
  // PyTorch's unbatched forms ([C, H, W], [C, L]) and one-element lists for a 2-D op's sizes.
  {
    name: 'unbatched conv2d [C, H, W], stride given as [1]',
    inputs: [
      [[2, 4, 5], 3, 7, 2],
      [[3, 2, 2, 3], 5, 9, 4],
      [[3], 1, 3, 1],
    ],
    run: ([x, w, b]) => wg.conv2d(x, w, b, { stride: [1], padding: 1 }),
    shape: [3, 5, 5],
    out: [
      0.6875, -0.6875, -0.8125, 0.8125, -1.625, 0.8125, -3.0, 1.5625, -1.3125, -0.125, 0.875, -2.0625, 0.75, -3.0, 1.0, 0.5, -0.6875, 0.375, -2.0625, 0.375,
      -1.4375, 0.125, -0.875, -0.125, -0.3125, -1.125, 1.0625, 1.3125, -0.625, 1.25, 0.125, 1.0, -1.9375, 2.125, -0.8125, 0.375, -0.125, 0.4375, 1.0, -0.8125,
      1.5, -0.8125, 0.625, -0.125, 0.0625, 0.3125, -0.5625, 1.0625, -2.125, 0.6875, 0.4375, -0.5625, 0.625, -0.375, 0.1875, -0.5625, 1.625, 1.3125, -1.1875,
      1.875, -0.125, 1.8125, -1.5625, 1.625, 0.75, -1.4375, 2.4375, -1.375, 1.8125, -0.8125, 0.9375, 1.5625, -0.375, 2.0625, -0.5625,
    ],
    grads: [
      [
        1.4375, -0.125, -1.4375, 1.1875, -1.3125, 1.0, -1.4375, 1.625, -0.125, -0.25, -0.3125, -1.0, 1.1875, -1.4375, 1.25, 1.0, -1.4375, 1.1875, -1.0, 1.0,
        0.125, 0.625, -2.0, 0.625, 0.0, -1.625, 1.9375, -0.25, 0.625, -1.5625, 1.0, 1.0625, -2.0, 1.9375, -0.0625, -0.3125, -2.0, 0.625, 1.0625, -1.625,
      ],
      [
        -0.1875, -1.6875, -0.75, -1.75, 2.75, 0.125, 2.125, 0.1875, -0.9375, 2.5, -2.6875, 1.875, 0.1875, 2.375, -2.0625, -0.9375, -1.0625, -0.3125, -1.5,
        0.125, 1.625, 0.625, -1.4375, -0.8125, 1.875, -0.125, -1.625, 1.625, -2.25, 2.3125, -2.5, 2.6875, -0.1875, 0.5, 2.4375, -1.75,
      ],
      [-0.75, 0.0, 0.75],
    ],
  },
  {
    name: 'unbatched conv1d [C, L]',
    inputs: [
      [[2, 7], 3, 7, 2],
      [[3, 2, 3], 5, 9, 4],
      [[3], 1, 3, 1],
    ],
    run: ([x, w, b]) => wg.conv1d(x, w, b, { padding: 'same' }),
    shape: [3, 7],
    out: [
      -0.125, -0.0625, -0.625, -0.75, -0.4375, -0.5625, -0.25, -0.8125, 0.1875, 0.9375, -1.8125, 1.125, -1.625, 0.9375, 0.1875, 1.0, 0.8125, 1.0625, 0.4375,
      0.6875, 0.4375,
    ],
    grads: [
      [-0.9375, 0.375, 0.375, -0.9375, 0.375, 0.375, -0.1875, -0.9375, 0.375, 0.375, -0.9375, 0.375, 0.375, -0.1875],
      [-0.5, 0.875, -0.125, -0.5, 0.875, -0.125, -0.5, 0.875, -0.125, -0.5, 0.875, -0.125, -0.5, 0.875, -0.125, -0.5, 0.875, -0.125],
      [0.0, 0.0, 0.0],
    ],
  },
  {
    name: 'unbatched convTranspose2d [inC, H, W]',
    inputs: [
      [[2, 3, 2], 3, 7, 2],
      [[2, 3, 2, 2], 5, 9, 4],
      [[3], 1, 3, 1],
    ],
    run: ([x, w, b]) => wg.convTranspose2d(x, w, b, { stride: 2, padding: [1] }),
    shape: [3, 4, 2],
    out: [
      -0.625, -0.8125, -0.125, 0.25, 0.1875, 0.5, -0.0625, 0.375, -0.375, 0.4375, 0.75, 1.0, 1.0625, -1.0, 0.5625, 0.875, 1.0, 0.5625, -0.625, -0.5, -0.3125,
      -0.25, -0.5, -0.3125,
    ],
    grads: [
      [0.125, -0.5, -0.3125, -0.1875, -1.125, 0.5, 0.3125, 0.625, 0.0625, 1.125, 0.375, 0.125],
      [
        0.1875, -0.1875, 0.125, 1.125, -0.125, -1.0625, 0.0, 0.0, 0.0, 1.125, -0.125, -0.25, -1.0625, 0.0, 0.0, -0.1875, 1.125, -0.125, -0.25, 0.3125, 0.25,
        0.1875, -0.5, -0.0625,
      ],
      [-0.75, 0.5, 0.0],
    ],
  },
  {
    name: 'unbatched maxPool2d [C, H, W] with indices, kernel [3]',
    inputs: [[[2, 5, 5], 7, 11, 5]],
    run: ([x]) => wg.maxPool2d(x, [3], { stride: 2, padding: 1, returnIndices: true }),
    shape: [2, 3, 3],
    out: [1.0, 1.25, 1.25, 1.0, 1.0, 1.25, 0.75, 1.0, 0.5, 1.25, 1.0, 1.0, 1.25, 1.25, 1.0, 0.5, 1.25, 0.25],
    indices: [6, 3, 3, 6, 6, 14, 20, 17, 23, 0, 3, 3, 11, 11, 14, 20, 22, 23],
    grads: [
      [
        0.0, 0.0, 0.0, 0.5, 0.0, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0, -0.75, 0.0, 0.0, -0.25, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.25,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.75, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, -0.5, 0.0,
      ],
    ],
  },
  {
    name: 'unbatched avgPool1d [C, L]',
    inputs: [[[2, 7], 3, 7, 2]],
    run: ([x]) => wg.avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
    shape: [2, 4],
    out: [-0.125, 0.416667, 0.166667, 0.125, -0.125, 0.416667, 0.166667, 0.125],
    grads: [[-0.375, -0.208333, 0.166667, 0.166667, 0.0, -0.25, -0.25, 0.375, 0.458333, 0.083333, 0.0, -0.083333, -0.458333, -0.375]],
  },
  {
    name: 'unbatched adaptiveMaxPool2d [C, H, W] with indices',
    inputs: [[[2, 5, 7], 7, 11, 5]],
    run: ([x]) => wg.adaptiveMaxPool2d(x, [2, 3], { returnIndices: true }),
    shape: [2, 2, 3],
    out: [1.25, 1.25, 1.0, 1.25, 1.25, 1.25, 1.25, 1.0, 1.25, 1.25, 1.25, 1.25],
    indices: [14, 3, 6, 14, 25, 25, 1, 4, 12, 23, 23, 34],
    grads: [
      [
        0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.25, 0.0, 0.0, -0.75, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.75,
      ],
    ],
  },
  // 1-D max pools with indices (the 2-D argmax kernels on [N, C, 1, L]).
  {
    name: 'maxPool1d with returnIndices (ties: the first), ceilMode, padding, dilation',
    inputs: [[[2, 3, 9], 7, 11, 5]],
    run: ([x]) => wg.maxPool1d(x, 3, { stride: 2, padding: 1, dilation: 2, ceilMode: true, returnIndices: true }),
    shape: [2, 3, 4],
    out: [1.25, 1.25, 1.25, 0.0, 0.5, 1.25, 1.25, 1.25, -0.25, 0.5, 1.25, 1.25, 1.0, 1.0, 0.5, 0.5, 1.0, 1.0, 1.0, -0.25, 0.25, 1.0, 1.0, 1.0],
    indices: [3, 3, 3, 7, 3, 5, 5, 5, 3, 5, 7, 7, 1, 1, 7, 7, 3, 3, 3, 7, 3, 5, 5, 5],
    grads: [
      [
        0.0, 0.0, 0.0, -0.25, 0.0, 0.0, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.75, 0.0, -0.75, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, -0.25, 0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0, 0.0, -0.25, 0.0, -0.25, 0.0, 0.0, 0.0,
      ],
    ],
  },
  {
    name: 'adaptiveMaxPool1d with returnIndices, overlapping windows',
    inputs: [[[2, 2, 7], 7, 11, 5]],
    run: ([x]) => wg.adaptiveMaxPool1d(x, 4, { returnIndices: true }),
    shape: [2, 2, 4],
    out: [0.5, 1.25, 1.25, 1.0, 0.0, 0.75, 0.5, 0.5, 1.25, 1.0, 1.0, 0.75, -0.25, 0.5, 1.25, 0.25],
    indices: [1, 3, 3, 6, 0, 2, 5, 5, 0, 3, 3, 6, 0, 2, 4, 5],
    grads: [
      [0.0, -0.75, 0.0, 0.5, 0.0, 0.0, -0.5, 0.75, 0.0, 0.25, 0.0, 0.0, -1.0, 0.0, 0.5, 0.0, 0.0, -0.5, 0.0, 0.0, 0.75, 0.25, 0.0, -0.25, 0.0, -0.75, 0.5, 0.0],
    ],
  },
  {
    name: 'adaptiveMaxPool1d, output larger than the input, unbatched',
    inputs: [[[3, 3], 7, 11, 5]],
    run: ([x]) => wg.adaptiveMaxPool1d(x, [5]),
    shape: [3, 5],
    out: [-1.25, 0.5, 0.5, 0.5, -0.5, 1.25, 1.25, 0.25, 0.25, -0.75, 1.0, 1.0, 0.0, 0.0, -1.0],
    grads: [[-0.75, 0.0, 0.75, 0.0, -0.25, 0.0, 0.25, 0.0, -0.75]],
  },
  // interpolate's 'nearest-exact', the 1-D modes on [N, C, L] and recomputeScaleFactor.
  {
    name: "interpolate 'nearest-exact', scaleFactor [1.7, 0.6]",
    inputs: [[[1, 2, 5, 6], 3, 7, 2]],
    run: ([x]) => wg.interpolate(x, { scaleFactor: [1.7, 0.6], mode: 'nearest-exact' }),
    shape: [1, 2, 8, 3],
    out: [
      -0.5, 1.0, 0.75, -0.5, 1.0, 0.75, 0.5, 0.25, 0.0, -0.25, -0.5, 1.0, -0.25, -0.5, 1.0, 0.75, 0.5, 0.25, 0.75, 0.5, 0.25, 0.0, -0.25, -0.5, 1.0, 0.75, 0.5,
      1.0, 0.75, 0.5, 0.25, 0.0, -0.25, -0.5, 1.0, 0.75, -0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.5, 0.25, 0.0, -0.25, -0.5, 1.0,
    ],
    grads: [
      [
        -1.25, 0.0, 1.25, 0.0, 0.25, 0.0, -0.25, 0.0, -0.75, 0.0, 0.5, 0.0, 0.25, 0.0, -0.75, 0.0, 0.0, 0.0, 1.25, 0.0, 0.25, 0.0, -0.75, 0.0, -0.75, 0.0, 0.5,
        0.0, 0.0, 0.0, -0.75, 0.0, 0.0, 0.0, 0.75, 0.0, 0.0, 0.0, -0.5, 0.0, 0.75, 0.0, 0.75, 0.0, -0.25, 0.0, -1.25, 0.0, 0.0, 0.0, 0.75, 0.0, -0.25, 0.0,
        -0.5, 0.0, 0.75, 0.0, 0.25, 0.0,
      ],
    ],
  },
  {
    name: "interpolate 'nearest-exact' to size [7, 4]",
    inputs: [[[1, 1, 3, 5], 3, 7, 2]],
    run: ([x]) => wg.interpolate(x, { size: [7, 4], mode: 'nearest-exact' }),
    shape: [1, 1, 7, 4],
    out: [
      -0.5, 0.25, 0.0, 0.75, -0.5, 0.25, 0.0, 0.75, -0.25, 0.5, 0.25, 1.0, -0.25, 0.5, 0.25, 1.0, -0.25, 0.5, 0.25, 1.0, 0.0, 0.75, 0.5, -0.5, 0.0, 0.75, 0.5,
      -0.5,
    ],
    grads: [[0.0, 0.75, 0.0, -0.25, -1.25, 0.75, -0.75, 0.0, -0.5, 1.5, -0.75, 0.0, 0.0, 0.75, -0.25]],
  },
  {
    name: "interpolate 'linear' on [N, C, L], scaleFactor 2.5",
    inputs: [[[2, 2, 4], 3, 7, 2]],
    run: ([x]) => wg.interpolate(x, { scaleFactor: 2.5, mode: 'linear' }),
    shape: [2, 2, 10],
    out: [
      -0.5, -0.425, -0.125, 0.175, 0.475, 0.775, 0.9, 0.5, 0.1, 0.0, 0.75, 0.65, 0.25, -0.15, -0.025, 0.275, 0.4, 0.0, -0.4, -0.5, 0.25, 0.325, 0.625, 0.925,
      0.7, 0.3, 0.075, 0.375, 0.675, 0.75, -0.25, -0.175, 0.125, 0.425, 0.2, -0.2, -0.425, -0.125, 0.175, 0.25,
    ],
    grads: [[-0.35, 0.2, -0.15, 0.05, 0.275, -0.4, -0.05, 0.675, -0.675, 0.05, 0.4, -0.275, -0.05, 0.15, -0.2, 0.35]],
  },
  {
    name: "interpolate 'linear' on [N, C, L], alignCorners, size [3]",
    inputs: [[[1, 2, 7], 3, 7, 2]],
    run: ([x]) => wg.interpolate(x, { size: [3], mode: 'linear', alignCorners: true }),
    shape: [1, 2, 3],
    out: [-0.5, 0.0, 0.5, -0.5, 0.0, 0.5],
    grads: [[-0.75, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, -0.5, 0.0, 0.0, 0.75, 0.0, 0.0, 0.25]],
  },
  {
    name: "interpolate 'nearest' on [N, C, L], size 11",
    inputs: [[[1, 2, 4], 3, 7, 2]],
    run: ([x]) => wg.interpolate(x, { size: 11 }),
    shape: [1, 2, 11],
    out: [-0.5, -0.5, -0.5, 0.25, 0.25, 0.25, 1.0, 1.0, 1.0, 0.0, 0.0, 0.75, 0.75, 0.75, -0.25, -0.25, -0.25, 0.5, 0.5, 0.5, -0.5, -0.5],
    grads: [[-0.25, 0.5, -0.5, -0.5, 0.75, -0.25, 0.5, -1.0]],
  },
  {
    name: "interpolate 'nearest-exact' on [N, C, L], scaleFactor 0.7",
    inputs: [[[1, 1, 9], 3, 7, 2]],
    run: ([x]) => wg.interpolate(x, { scaleFactor: 0.7, mode: 'nearest-exact' }),
    shape: [1, 1, 6],
    out: [-0.5, 1.0, 0.0, -0.25, 0.5, -0.5],
    grads: [[-0.75, 0.0, 0.5, 0.0, 0.0, -0.5, 0.75, 0.25, 0.0]],
  },
  {
    name: "interpolate 'bilinear', recomputeScaleFactor (scale In / Out, not 1 / 1.7)",
    inputs: [[[1, 1, 3, 4], 3, 7, 2]],
    run: ([x]) => wg.interpolate(x, { scaleFactor: 1.7, mode: 'bilinear', recomputeScaleFactor: true }),
    shape: [1, 1, 5, 6],
    out: [
      -0.5, -0.125, 0.375, 0.875, 0.5, 0.0, 0.0, 0.025, 0.175, 0.675, 0.3, -0.2, 0.75, 0.25, -0.125, 0.375, 0.0, -0.5, 0.45, 0.475, 0.45, 0.25, 0.225, 0.25,
      0.25, 0.625, 0.833333, 0.166667, 0.375, 0.75,
    ],
    grads: [[-0.875, 0.191667, -0.141667, 0.925, 0.225, -0.733333, 0.058333, -0.2, 0.4, 0.416667, -0.791667, 0.275]],
  },
  {
    name: "interpolate 'nearest', recomputeScaleFactor",
    inputs: [[[1, 1, 5, 3], 3, 7, 2]],
    run: ([x]) => wg.interpolate(x, { scaleFactor: 1.7, recomputeScaleFactor: true }),
    shape: [1, 1, 8, 5],
    out: [
      -0.5, -0.5, 0.25, 0.25, 1.0, -0.5, -0.5, 0.25, 0.25, 1.0, 0.0, 0.0, 0.75, 0.75, -0.25, 0.0, 0.0, 0.75, 0.75, -0.25, 0.5, 0.5, -0.5, -0.5, 0.25, 1.0, 1.0,
      0.0, 0.0, 0.75, 1.0, 1.0, 0.0, 0.0, 0.75, -0.25, -0.25, 0.5, 0.5, -0.5,
    ],
    grads: [[-0.25, -0.75, 0.75, 0.75, 0.25, -0.5, -1.0, 0.5, -0.5, 0.5, 0.0, 0.25, -0.25, -0.5, 0.75]],
  },
  {
    name: "interpolate 'area' (adaptive average pool) to size [3, 4]",
    inputs: [[[1, 2, 5, 7], 3, 7, 2]],
    run: ([x]) => wg.interpolate(x, { size: [3, 4], mode: 'area' }),
    shape: [1, 2, 3, 4],
    out: [
      -0.125, 0.416667, 0.166667, 0.125, -0.125, 0.416667, 0.166667, 0.125, -0.125, 0.416667, 0.166667, 0.125, -0.125, 0.416667, 0.166667, 0.125, -0.125,
      0.416667, 0.166667, 0.125, -0.125, 0.416667, 0.166667, 0.125,
    ],
    grads: [
      [
        -0.1875, -0.104167, 0.083333, 0.083333, 0.0, -0.125, -0.125, -0.0625, 0.048611, 0.111111, 0.083333, -0.027778, -0.277778, -0.25, 0.125, 0.152778,
        0.027778, 0.0, -0.027778, -0.152778, -0.125, 0.25, 0.277778, 0.027778, -0.083333, -0.111111, -0.048611, 0.0625, 0.125, 0.125, 0.0, -0.083333, -0.083333,
        0.104167, 0.1875, 0.0625, 0.020833, -0.041667, -0.166667, -0.125, 0.0, 0.125, 0.0625, -0.034722, -0.097222, -0.138889, -0.041667, 0.125, 0.166667, 0.0,
        -0.055556, -0.055556, 0.027778, 0.083333, 0.125, 0.041667, -0.0625, -0.243056, -0.180556, -0.013889, 0.166667, 0.208333, 0.041667, -0.0625, -0.1875,
        -0.125, -0.041667, 0.083333, 0.083333, 0.0,
      ],
    ],
  },
  {
    name: "interpolate 'area' on [N, C, L], scaleFactor 0.6",
    inputs: [[[1, 2, 8], 3, 7, 2]],
    run: ([x]) => wg.interpolate(x, { scaleFactor: 0.6, mode: 'area' }),
    shape: [1, 2, 4],
    out: [-0.125, 0.5, 0.25, 0.0, 0.625, 0.375, 0.125, -0.125],
    grads: [[-0.375, -0.375, 0.25, 0.25, 0.0, 0.0, -0.25, -0.25, 0.375, 0.375, 0.125, 0.125, -0.125, -0.125, -0.375, -0.375]],
  },
  {
    name: "interpolate 'bicubic', scaleFactor 2 (taps past the borders clamped)",
    inputs: [[[1, 2, 3, 4], 3, 7, 2]],
    run: ([x]) => wg.interpolate(x, { scaleFactor: 2, mode: 'bicubic' }),
    shape: [1, 2, 6, 8],
    out: [
      -0.730404, -0.446465, 0.011894, 0.60638, 1.021137, 0.905273, 0.305664, -0.052734, -0.230015, -0.161594, -0.058971, 0.344749, 0.842659, 0.749386, 0.111805,
      -0.269184, 0.60265, 0.308125, -0.188572, -0.098289, 0.551506, 0.496204, -0.217319, -0.64349, 0.851673, 0.577576, 0.121735, -0.001339, 0.289837, 0.234535,
      -0.120369, -0.333183, 0.376431, 0.494598, 0.696716, 0.580853, 0.205418, 0.112144, 0.347908, 0.486504, 0.098698, 0.450649, 1.045033, 0.929169, 0.149933,
      0.034069, 0.628452, 0.980404, -0.480404, -0.128452, 0.465931, 0.350067, -0.429169, -0.545033, 0.049351, 0.401302, 0.013496, 0.152092, 0.387856, 0.294582,
      -0.080853, -0.196716, 0.005402, 0.123569, 0.833183, 0.620369, 0.265465, 0.210163, 0.501339, 0.378265, -0.077576, -0.351673, 1.14349, 0.717319, 0.003796,
      -0.051506, 0.598289, 0.688572, 0.191875, -0.10265, 0.769184, 0.388195, -0.249386, -0.342659, 0.155251, 0.558971, 0.661594, 0.730015, 0.552734, 0.194336,
      -0.405273, -0.521137, -0.10638, 0.488106, 0.946465, 1.230404,
    ],
    grads: [
      [
        -0.291618, 0.359169, 0.68232, -1.165886, 0.33366, 0.569336, -0.964493, 0.001926, 0.683544, -0.979286, -0.002983, 1.024311, -1.024311, 0.002983,
        0.979286, -0.683544, -0.001926, 0.964493, -0.569336, -0.33366, 1.165886, -0.68232, -0.359169, 0.291618,
      ],
    ],
  },
  {
    name: "interpolate 'bicubic', alignCorners, size [5, 3]",
    inputs: [[[1, 1, 4, 5], 3, 7, 2]],
    run: ([x]) => wg.interpolate(x, { size: [5, 3], mode: 'bicubic', alignCorners: true }),
    shape: [1, 1, 5, 3],
    out: [-0.5, 1.0, 0.75, -0.333008, -0.186523, 1.101562, -0.125, -0.539062, 0.25, 0.083008, -0.166992, -0.601562, 0.25, 0.0, -0.25],
    grads: [
      [
        -0.839844, 0.0, 0.740234, 0.0, 0.009766, -0.587891, 0.0, 0.266602, 0.0, 0.4375, -0.095703, 0.0, -0.963867, 0.0, 0.929688, 0.273438, 0.0, -0.292969, 0.0,
        -0.626953,
      ],
    ],
  },
];

for (const be of ['wasm', 'reference'] as const) {
  describe(`values and gradients vs PyTorch (${be})`, () => {
    for (const c of CASES)
      test(c.name, () => {
        wg.setBackend(be);
        const ins = c.inputs.map(([shape, a, m, k]) => pattern(shape, a, m, k, true));
        const r = c.run(ins);
        const [y, idx] = Array.isArray(r) ? r : [r, undefined];
        expect(y.shape).toEqual(c.shape);
        expectClose(y.data(), c.out, 1e-5);
        if (c.indices) {
          expect(idx!.dtype).toBe('int32');
          expect(idx!.shape).toEqual(c.shape);
          expect(Array.from(idx!.data())).toEqual(c.indices);
        } else expect(idx).toBeUndefined();
        y.backward(pattern(c.shape, 5, 7, 3));
        c.grads.forEach((g, i) => expectClose(ins[i].grad!.data(), g, 1e-5));
      });
  });
}

describe('errors of the new options', () => {
  const x = () => wg.zeros([1, 4, 5, 5]);
  test('conv2d groups', () => {
    expect(() => wg.conv2d(x(), wg.zeros([4, 2, 3, 3]), null, { groups: 3 })).toThrow(wg.ShapeError);
    expect(() => wg.conv2d(x(), wg.zeros([4, 2, 3, 3]), null, { groups: 3 })).toThrow(
      /^wasmgrad\.conv2d: input \[1, 4, 5, 5\] has 4 channels but weight \[4, 2, 3, 3\] with groups 3 expects 6 \(weight dim 1 is the input channels per group\)$/,
    );
    expect(() => wg.conv2d(x(), wg.zeros([3, 2, 3, 3]), null, { groups: 2 })).toThrow(
      /^wasmgrad\.conv2d: weight \[3, 2, 3, 3\] has 3 output channels, not a multiple of groups 2$/,
    );
    expect(() => wg.conv2d(x(), wg.zeros([4, 4, 3, 3]), null, { groups: 0 })).toThrow(wg.ValueError);
    expect(() => wg.conv2d(x(), wg.zeros([4, 4, 3, 3]), null, { groups: 1.5 })).toThrow(/^wasmgrad\.conv2d: groups must be a positive integer, got 1\.5$/);
  });
  test("conv2d padding 'same' and strings", () => {
    expect(() => wg.conv2d(x(), wg.zeros([2, 4, 3, 3]), null, { padding: 'same', stride: 2 })).toThrow(wg.ValueError);
    expect(() => wg.conv2d(x(), wg.zeros([2, 4, 3, 3]), null, { padding: 'same', stride: 2 })).toThrow(
      /^wasmgrad\.conv2d: padding 'same' needs stride 1 \(as PyTorch\), got stride 2$/,
    );
    expect(() => wg.conv2d(x(), wg.zeros([2, 4, 3, 3]), null, { padding: 'full' as 'same' })).toThrow(
      /^wasmgrad\.conv2d: padding must be a number, a list of 2, 'same' or 'valid', got "full"$/,
    );
    expect(() => wg.conv2d(x(), wg.zeros([2, 4, 7, 3]), null, { padding: 'valid' })).toThrow(wg.ShapeError);
  });
  test('conv1d shapes', () => {
    expect(() => wg.conv1d(x(), wg.zeros([2, 4, 3]))).toThrow(
      /^wasmgrad\.conv1d: input must be 3-D \[N, C, L\] \(or \[C, L\] unbatched\), got shape \[1, 4, 5, 5\]$/,
    );
    expect(() => wg.conv1d(wg.zeros([1, 4, 5]), wg.zeros([2, 3, 3]))).toThrow(
      /^wasmgrad\.conv1d: input \[1, 4, 5\] has 4 channels but weight \[2, 3, 3\] with groups 1 expects 3/,
    );
    expect(() => wg.conv1d(wg.zeros([1, 4, 5]), wg.zeros([2, 4, 3]), null, { stride: [1, 1] as unknown as number })).toThrow(
      /^wasmgrad\.conv1d: stride must be a positive integer or a list of 1 of them, got \[1, 1\]$/,
    );
    expect(() => wg.conv1d(wg.zeros([1, 4, 5]), wg.zeros([2, 4, 7]))).toThrow(wg.ShapeError);
  });
  test('convTranspose2d', () => {
    const w = () => wg.zeros([4, 2, 3, 3]);
    expect(() => wg.convTranspose2d(x(), w(), null, { stride: 2, outputPadding: 2 })).toThrow(wg.ValueError);
    expect(() => wg.convTranspose2d(x(), w(), null, { stride: 2, outputPadding: 2 })).toThrow(
      /^wasmgrad\.convTranspose2d: outputPadding \[2, 2\] must be smaller than either the stride \[2, 2\] or the dilation \[1, 1\] in each dim$/,
    );
    expect(() => wg.convTranspose2d(x(), wg.zeros([3, 2, 3, 3]))).toThrow(
      /^wasmgrad\.convTranspose2d: input \[1, 4, 5, 5\] has 4 channels but weight \[3, 2, 3, 3\] expects 3 \(weight dim 0 is the input channels\)$/,
    );
    expect(() => wg.convTranspose2d(x(), w(), null, { groups: 3 })).toThrow(
      /^wasmgrad\.convTranspose2d: input \[1, 4, 5, 5\] has 4 channels, not a multiple of groups 3$/,
    );
    expect(() => wg.convTranspose2d(x(), w(), wg.zeros([2]), { groups: 2 })).toThrow(
      /^wasmgrad\.convTranspose2d: bias must have shape \[4\] \(output channels: weight \[4, 2, 3, 3\] dim 1 × groups 2\), got \[2\]$/,
    );
    expect(() => wg.convTranspose2d(wg.zeros([1, 4, 1, 1]), wg.zeros([4, 2, 1, 1]), null, { padding: 1 })).toThrow(
      /^wasmgrad\.convTranspose2d: the output would be -1×-1/,
    );
    expect(() => wg.convTranspose2d(x(), w(), null, { output_padding: 1 } as object)).toThrow(/unknown option 'output_padding'/);
  });
  test('pool options', () => {
    const p = () => wg.zeros([1, 1, 5, 5]);
    expect(() => wg.maxPool2d(p(), 2, { dilation: 0 })).toThrow(
      /^wasmgrad\.maxPool2d: dilation must be a positive integer or an \[h, w\] pair of them, got 0$/,
    );
    expect(() => wg.maxPool2d(p(), 2, { ceilMode: 1 as unknown as boolean })).toThrow(/^wasmgrad\.maxPool2d: ceilMode must be a boolean, got 1$/);
    expect(() => wg.maxPool2d(p(), 2, { returnIndices: 'yes' as unknown as boolean })).toThrow(wg.ValueError);
    expect(() => wg.maxPool2d(p(), 3, { dilation: 3 })).toThrow(
      /^wasmgrad\.maxPool2d: kernel 3×3 with dilation \[3, 3\] spans 7×7, more than the padded input 5×5 \(input \[1, 1, 5, 5\], padding \[0, 0\]\)$/,
    );
    expect(() => wg.avgPool2d(p(), 2, { dilation: 2 } as object)).toThrow(/unknown option 'dilation'/);
    expect(() => wg.avgPool2d(p(), 2, { divisorOverride: 0 })).toThrow(/^wasmgrad\.avgPool2d: divisorOverride must be a non-zero integer, got 0$/);
    expect(() => wg.avgPool2d(p(), 2, { divisorOverride: 1.5 })).toThrow(wg.ValueError);
    expect(() => wg.avgPool2d(p(), 2, { countIncludePad: null as unknown as boolean })).toThrow(wg.ValueError);
  });
  test('adaptive pools', () => {
    const p = () => wg.zeros([1, 1, 5, 5]);
    expect(() => wg.adaptiveAvgPool2d(p(), -1)).toThrow(
      /^wasmgrad\.adaptiveAvgPool2d: outputSize must be a non-negative integer or an \[h, w\] pair of them \(null keeps the input's\), got -1$/,
    );
    // 0 is an empty output, as PyTorch (values and indices alike).
    const [v, i] = wg.adaptiveMaxPool2d(p(), [0, 2], { returnIndices: true });
    expect([v.shape, i.shape, i.dtype]).toEqual([[1, 1, 0, 2], [1, 1, 0, 2], 'int32']);
    expect(() => wg.adaptiveMaxPool2d(p(), [2] as unknown as number)).toThrow(wg.ValueError);
    expect(() => wg.adaptiveAvgPool2d(wg.zeros([5, 5]), 2)).toThrow(
      /^wasmgrad\.adaptiveAvgPool2d: input must be 4-D \[N, C, H, W\] \(or \[C, H, W\] unbatched\), got shape \[5, 5\]$/,
    );
    expect(() => wg.adaptiveMaxPool2d(wg.zeros([1, 0, 5, 5]), 2)).toThrow(wg.ShapeError);
  });
  test('1-D pools', () => {
    const p = () => wg.zeros([1, 2, 5]);
    expect(() => wg.maxPool1d(wg.zeros([1, 2, 5, 5]), 2)).toThrow(
      /^wasmgrad\.maxPool1d: input must be 3-D \[N, C, L\] \(or \[C, L\] unbatched\), got shape \[1, 2, 5, 5\]$/,
    );
    expect(() => wg.avgPool1d(wg.zeros([1, 0, 5]), 2)).toThrow(
      /^wasmgrad\.avgPool1d: input \[1, 0, 5\] needs non-zero channels and length \(only the batch dim N may be 0\)$/,
    );
    expect(() => wg.maxPool1d(p(), [2, 2] as unknown as number)).toThrow(
      /^wasmgrad\.maxPool1d: kernel size must be a positive integer or a list of 1 of them, got \[2, 2\]$/,
    );
    expect(() => wg.avgPool1d(p(), 2, { dilation: 2 } as object)).toThrow(/unknown option 'dilation'/);
    expect(() => wg.maxPool1d(p(), 2, { padding: 2 })).toThrow(wg.ValueError);
    expect(() => wg.adaptiveAvgPool1d(p(), 1.5)).toThrow(
      /^wasmgrad\.adaptiveAvgPool1d: outputSize must be a non-negative integer or a list of 1 of them, got 1\.5$/,
    );
  });
  test('interpolate', () => {
    const p = () => wg.zeros([1, 1, 3, 4]);
    expect(() => wg.interpolate(p(), {})).toThrow(
      /^wasmgrad\.interpolate: give exactly one of size and scaleFactor, got size undefined and scaleFactor undefined$/,
    );
    expect(() => wg.interpolate(p(), { size: 2, scaleFactor: 2 })).toThrow(wg.ValueError);
    expect(() => wg.interpolate(p(), { size: 6, alignCorners: true })).toThrow(
      /^wasmgrad\.interpolate: alignCorners applies to the linear modes only \(as PyTorch\), got alignCorners true with mode 'nearest'$/,
    );
    expect(() => wg.interpolate(p(), { size: 6, mode: 'trilinear' as 'nearest' })).toThrow(
      /^wasmgrad\.interpolate: mode must be 'nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic' or 'area', got "trilinear"$/,
    );
    expect(() => wg.interpolate(p(), { size: 6, mode: 'linear' })).toThrow(
      /^wasmgrad\.interpolate: mode 'linear' takes an input \[N, C, L\], got shape \[1, 1, 3, 4\]$/,
    );
    expect(() => wg.interpolate(wg.zeros([1, 3, 4]), { size: 2, mode: 'bilinear' })).toThrow(
      /^wasmgrad\.interpolate: mode 'bilinear' takes an input \[N, C, H, W\], got shape \[1, 3, 4\]$/,
    );
    expect(() => wg.interpolate(wg.zeros([1, 3, 4, 2, 2]), { size: 2 })).toThrow(
      /^wasmgrad\.interpolate: mode 'nearest' takes an input \[N, C, L\] or an input \[N, C, H, W\], got shape \[1, 3, 4, 2, 2\]$/,
    );
    expect(() => wg.interpolate(wg.zeros([1, 3, 4]), { size: [2, 2] })).toThrow(
      /^wasmgrad\.interpolate: size must be a number or \[n\] for an input \[N, C, L\] \(one spatial dim, as PyTorch\), got \[2, 2\]$/,
    );
    expect(() => wg.interpolate(p(), { size: 6, mode: 'bilinear', antialias: true })).toThrow(
      /^wasmgrad\.interpolate: antialias true is not supported \(PyTorch's default false is\), with mode "bilinear"$/,
    );
    expect(() => wg.interpolate(p(), { size: 6, recomputeScaleFactor: true })).toThrow(
      /^wasmgrad\.interpolate: recomputeScaleFactor is not meaningful with an explicit size \(as PyTorch\), got size 6$/,
    );
    expect(() => wg.interpolate(p(), { size: [2, 2.5] })).toThrow(
      /^wasmgrad\.interpolate: size must be a positive integer or an \[h, w\] pair of them, got \[2, 2\.5\]$/,
    );
    expect(() => wg.interpolate(p(), { scaleFactor: 0.2 })).toThrow(wg.ShapeError);
    expect(() => wg.interpolate(p(), { scaleFactor: 0.2 })).toThrow(
      /^wasmgrad\.interpolate: the output would be 0×0 \(input \[1, 1, 3, 4\], scaleFactor 0\.2\)$/,
    );
  });
});

describe('nn modules pass the options through', () => {
  test('Conv2d groups, padding same, dilation: weight shape, state-dict names, forward = conv2d', () => {
    wg.manualSeed(3);
    const m = new wg.nn.Conv2d(4, 6, [2, 3], { groups: 2, padding: 'same', dilation: 2 });
    expect(m.weight.shape).toEqual([6, 2, 2, 3]);
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias']);
    // fan_in = (inChannels / groups)·kh·kw = 12: weights within 1/√12
    expect(Math.max(...Array.from(m.weight.data(), Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(12));
    expect(m.toString()).toBe('Conv2d(4, 6, kernel_size=(2, 3), stride=(1, 1), padding=same, dilation=(2, 2), groups=2)');
    const x = pattern([2, 4, 5, 6], 7, 11, 5);
    const y = m.forward(x);
    expect(y.shape).toEqual([2, 6, 5, 6]);
    expect(Array.from(y.data())).toEqual(Array.from(wg.conv2d(x, m.weight, m.bias, { groups: 2, padding: 'same', dilation: 2 }).data()));
    expect(new wg.nn.Conv2d(3, 3, 3, { groups: 3, padding: 'valid' }).forward(pattern([1, 3, 5, 5], 7, 11, 5)).shape).toEqual([1, 3, 3, 3]);
  });
  test('Conv2d option errors', () => {
    expect(() => new wg.nn.Conv2d(4, 6, 3, { groups: 3 })).toThrow(/^wasmgrad\.nn\.Conv2d: inChannels 4 and outChannels 6 must both be multiples of groups 3$/);
    expect(() => new wg.nn.Conv2d(4, 6, 3, { padding: 'same', stride: 2 })).toThrow(
      /^wasmgrad\.nn\.Conv2d: padding 'same' needs stride 1 \(as PyTorch\), got stride \[2, 2\]$/,
    );
    expect(() => new wg.nn.Conv2d(4, 6, 3, { groups: 0 })).toThrow(wg.ValueError);
  });
  test('MaxPool2d and AvgPool2d: ceilMode, dilation, countIncludePad, divisorOverride', () => {
    const x = pattern([1, 1, 5, 5], 7, 13, 6);
    const max = new wg.nn.MaxPool2d(2, { stride: 1, dilation: 2, ceilMode: true });
    expect(max.toString()).toBe('MaxPool2d(kernel_size=(2, 2), stride=(1, 1), padding=(0, 0), ceil_mode=True, dilation=(2, 2))');
    expect(Array.from(max.forward(x).data())).toEqual(Array.from(wg.maxPool2d(x, 2, { stride: 1, dilation: 2, ceilMode: true }).data()));
    const avg = new wg.nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false });
    expect(avg.toString()).toBe('AvgPool2d(kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), ceil_mode=True, count_include_pad=False)');
    // The PyTorch values of the functional case above.
    expectClose(avg.forward(x).data(), [-0.3125, -0.125, 0.0625, 0.083333, 0.0, -0.083333, -0.0625, 0.125, 0.3125], 1e-5);
    expectClose(new wg.nn.AvgPool2d(2, { stride: 1, padding: 1, divisorOverride: 3 }).forward(x).data().subarray(0, 3), [-0.5, -0.416667, -0.333333], 1e-5);
    expect(() => new wg.nn.MaxPool2d(2, { countIncludePad: false } as object)).toThrow(/unknown option 'countIncludePad'/);
    expect(() => new wg.nn.AvgPool2d(2, { ceilMode: 'no' as unknown as boolean })).toThrow(/^wasmgrad\.nn\.AvgPool2d: ceilMode must be a boolean, got "no"$/);
  });
});
