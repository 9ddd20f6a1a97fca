import { expect } from 'vitest';
import type { Tensor } from '../../src/index.js';

/** Elementwise |actual − expected| ≤ tol·max(1, |expected|); NaN must match NaN. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (Number.isNaN(e)) expect(actual[i], `index ${i}`).toBeNaN();
    else expect(Math.abs(actual[i] - e), `index ${i}: got ${actual[i]}, want ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  }
}

/** A case of values, int32 indices (returnIndices) and gradients written from PyTorch. */
export interface TorchCase {
  shape: number[];
  out: number[];
  indices?: number[];
  grads: number[][];
}

/**
 * Checks the result `r` of a case run on `ins` (tensors that require grad) against PyTorch's
 * literals: shape, values, indices (or none), then the gradients after backward(`seed`).
 */
export function expectTorchCase(c: TorchCase, ins: readonly Tensor[], r: Tensor | [Tensor, Tensor], seed: Tensor): void {
  const [y, idx] = Array.isArray(r) ? r : [r, undefined];
  expect(y.shape).toEqual(c.shape);
  expectClose(y.data(), c.out, 1e-5);
  if (c.indices) {
    expect(idx!.dtype).toBe('int32');
    expect(idx!.shape).toEqual(c.shape);
    expect(Array.from(idx!.data())).toEqual(c.indices);
  } else expect(idx).toBeUndefined();
  y.backward(seed);
  c.grads.forEach((g, i) => expectClose(ins[i].grad!.data(), g, 1e-5));
}
