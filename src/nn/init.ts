/**
 * Parameter initialisation as PyTorch's defaults, drawn from the seeded stream (wg.manualSeed), so
 * the same seed builds the same model on both backends. Values are computed in JS (float64) and
 * written once into persistent leaf tensors that require grad. `fn` names the layer in errors (a
 * layer too large for the heap is an OutOfMemoryError of 'nn.Linear', ...).
 */
import { filled, generated } from '../api/creation.js';
import { normal, uniform } from '../random.js';
import type { Tensor } from '../engine/tensor.js';

/** A parameter with values drawn from U(−bound, bound), element by element in row-major order. */
export function uniformParameter(fn: string, shape: readonly number[], bound: number): Tensor {
  return generated(fn, shape, () => -bound + 2 * bound * uniform(), { requiresGrad: true });
}

/**
 * A [rows, cols] parameter drawn from N(0, 1), with row `zeroRow` (if not null) then set to zeros
 * (Embedding's padding row): every element is drawn, so the stream moves as without it.
 */
export function normalParameter(fn: string, rows: number, cols: number, zeroRow: number | null): Tensor {
  let i = 0;
  const draw = () => {
    const v = normal();
    return Math.floor(i++ / cols) === zeroRow ? 0 : v;
  };
  return generated(fn, [rows, cols], draw, { requiresGrad: true });
}

/** A parameter filled with one value (BatchNorm/LayerNorm weight 1, bias 0). */
export function constantParameter(fn: string, shape: readonly number[], value: number): Tensor {
  return filled(fn, shape, value, { requiresGrad: true });
}

/**
 * The bound 1/√fan_in of PyTorch's default Linear/Conv2d init. The weight uses
 * kaiming_uniform_(a=√5): gain = √(2/(1+a²)) = √(1/3), std = gain/√fan_in, bound = √3·std =
 * 1/√fan_in; the bias uses U(−1/√fan_in, 1/√fan_in) directly. fan_in = 0 gives bound 0.
 */
export function fanInBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}
