/** wg.gradcheck, the public finite-difference checker (float64, reference backend). */
import { beforeAll, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
  wg.setBackend('wasm');
});

test('accepts a correct gradient for inputs made on the wasm backend, and restores the backend', () => {
  const a = wg.randn([3, 4], { requiresGrad: true });
  const b = wg.randn([4, 2], { requiresGrad: true });
  const r = wg.gradcheck((x, y) => x.matmul(y).tanh().sum(), [a, b]);
  expect(r.ok).toBe(true);
  expect(r.maxAbsError).toBeLessThan(1e-6);
  expect(wg.getBackend()).toBe('wasm');
});

test('reduces a non-scalar output with fixed weights, so every output element is checked', () => {
  const x = wg.rand([5], { requiresGrad: true });
  expect(wg.gradcheck((t) => t.mul(t).exp(), [x]).ok).toBe(true);
});

test('flags a wrong gradient: detach() hides a dependence from autodiff but not from the differences', () => {
  const x = wg.randn([4], { requiresGrad: true });
  const r = wg.gradcheck((t) => t.mul(t.detach()).sum(), [x]);
  expect(r.ok).toBe(false);
  expect(r.maxAbsError).toBeGreaterThan(0.01);
});
