/** Helpers of the distributions tests: torch fixtures (NaN and infinities written as strings in the JSON) and moments of draws. */
import { expect } from 'vitest';
import type { Tensor } from '../../src/index.js';
import { expectClose } from './expect.js';

export type Num = number | 'NaN' | 'Infinity' | '-Infinity';
export const nums = (a: readonly Num[]): number[] => a.map((v) => (typeof v === 'number' ? v : Number(v)));

/** expectClose over the entries where the wanted value is finite; ±∞ and NaN must be matched exactly. */
export function closeOrExact(got: ArrayLike<number>, want: readonly number[], tol: number): void {
  expect(got.length).toBe(want.length);
  const finite = want.map((w) => Number.isFinite(w));
  want.forEach((w, i) => {
    if (!finite[i]) expect(got[i], `element ${i}`).toBe(w);
  });
  expectClose(
    Array.from(got).filter((_, i) => finite[i]),
    want.filter((_, i) => finite[i]),
    tol,
  );
}

/**
 * The draws x [N, …] have, per entry, a mean within 6 standard errors σ/√N of `mean` and a
 * variance within 6 of its standard error √((μ₄ − var²)/N), μ₄ the draws' 4th central moment.
 */
export function expectMoments(x: Tensor, mean: number[], variance: number[]): void {
  const n = x.shape[0];
  const m = Array.from(x.mean(0).data()),
    v = Array.from(x.var(0).data());
  const m4 = Array.from(x.sub(x.mean(0)).pow(4).mean(0).data());
  mean.forEach((mu, i) => {
    expect(Math.abs(m[i] - mu), `mean ${i}: ${m[i]} vs ${mu}`).toBeLessThan(6 * Math.sqrt(variance[i] / n));
    expect(Math.abs(v[i] - variance[i]), `variance ${i}: ${v[i]} vs ${variance[i]}`).toBeLessThan(6 * Math.sqrt((m4[i] - v[i] * v[i]) / n));
  });
}
