/** conv2d and the pools as functions. Table: src/ops/conv.ts. */
import { constant } from './creation.js';
import { checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { op } from '../ops/index.js';
import type { Conv2dOptions, PoolOptions } from '../ops/conv.js';

/**
 * 2-D convolution (cross-correlation, as PyTorch): x [N, C, H, W], w [O, C, kh, kw], optional
 * bias [O] → [N, O, OH, OW] with OH = floor((H + 2·padding − dilation·(kh − 1) − 1) / stride) + 1.
 * stride (default 1), padding (default 0) and dilation (default 1) are numbers or [h, w] pairs.
 * Without b, a 0-d placeholder fills the op's bias input and the kernels skip the bias entirely.
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  checkTensor('conv2d', 'input', x);
  checkTensor('conv2d', 'weight', w);
  if (b != null) checkTensor('conv2d', 'bias', b);
  const bias = b ?? constant(0, x.storage.backend);
  return apply(op('conv2d'), [x, w, bias], { ...checkOptions<Conv2dOptions>('conv2d', opts, ['stride', 'padding', 'dilation']), bias: b != null });
}

/** Max pooling over k×k (or [kh, kw]) windows; stride defaults to the kernel size, padding (≤ k/2) to 0. */
export function maxPool2d(x: Tensor, k: number | [number, number], opts: PoolOptions = {}): Tensor {
  checkTensor('maxPool2d', 'input', x);
  return apply(op('maxPool2d'), [x], { ...checkOptions<PoolOptions>('maxPool2d', opts, ['stride', 'padding']), kernel: k });
}

/** Average pooling over k×k (or [kh, kw]) windows, padding counted as zeros (PyTorch's count_include_pad). */
export function avgPool2d(x: Tensor, k: number | [number, number], opts: PoolOptions = {}): Tensor {
  checkTensor('avgPool2d', 'input', x);
  return apply(op('avgPool2d'), [x], { ...checkOptions<PoolOptions>('avgPool2d', opts, ['stride', 'padding']), kernel: k });
}
