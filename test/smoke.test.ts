import { test, expect } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';
test('smoke', async () => {
  await initWasm();
  for (const be of ['wasm', 'reference'] as const) {
    wg.setBackend(be);
    const x = wg.tensor(
      [
        [1, -2, 3],
        [4, 5, -6],
      ],
      { requiresGrad: true },
    );
    const b = wg.tensor([10, 20, 30], { requiresGrad: true });
    const y = x.mul(b).add(1).relu();
    expect(y.toArray()).toEqual([
      [11, 0, 91],
      [41, 101, 0],
    ]);
    y.backward(wg.ones([2, 3]));
    expect(Array.from(x.grad!.data())).toEqual([10, 0, 30, 10, 20, 0]);
    expect(Array.from(b.grad!.data())).toEqual([5, 5, 3]);
  }
});
