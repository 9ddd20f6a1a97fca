/** Runs in its own module instance (vitest isolates files): nothing has called init() here. */
import { expect, test } from 'vitest';
import * as wg from '../src/index.js';

test('using the wasm backend before init() says what to do', () => {
  expect(() => wg.tensor([1, 2])).toThrow(/await wg.init\(\)/);
});

test('init() is idempotent and a bad source rejects with a clear error', async () => {
  await expect(wg.init({ wasm: new Uint8Array([0, 1, 2, 3]) })).rejects.toThrow();
  await wg.init({ wasm: process.env.WASMGRAD_WASM });
  await wg.init();
  expect(wg.info().wasmLoaded).toBe(true);
  expect(wg.info().build).toBe(process.env.WASMGRAD_EXPECT_BUILD ?? 'simd');
  expect(wg.info().simd).toBe(wg.info().build !== 'scalar');
  expect(Array.from(wg.tensor([1, 2]).mul(3).data())).toEqual([3, 6]);
});
