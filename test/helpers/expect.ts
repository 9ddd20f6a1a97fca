import { expect } from 'vitest';

/** Elementwise |actual − expected| ≤ tol·max(1, |expected|); NaN must match NaN. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (Number.isNaN(e)) expect(actual[i], `index ${i}`).toBeNaN();
    else expect(Math.abs(actual[i] - e), `index ${i}: got ${actual[i]}, want ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  }
}
