/** wg.nn.utils.skipInit (torch.nn.utils.skip_init) and wg.nn.utils.rnn.invertPermutation (values from torch 1.13). */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

describe.each(['wasm', 'reference'] as const)('%s backend', (backend) => {
  test('skipInit builds the module without drawing from the seeded stream; parameters and buffers are zeros', () => {
    wg.setBackend(backend);
    wg.manualSeed(7);
    const expected = wg.rand([3]).toArray();
    wg.manualSeed(7);
    const lin = wg.nn.utils.skipInit(wg.nn.Linear, 5, 3);
    expect(lin).toBeInstanceOf(wg.nn.Linear);
    expect(lin.weight.shape).toEqual([3, 5]);
    expect(lin.weight.requiresGrad).toBe(true);
    expect([...lin.weight.data(), ...lin.bias!.data()].every((v) => v === 0)).toBe(true);
    expect(wg.rand([3]).toArray()).toEqual(expected); // the stream did not move
    const bn = wg.nn.utils.skipInit(wg.nn.BatchNorm1d, 4);
    expect(bn.buffers().every((b) => Array.from(b.data()).every((v) => v === 0))).toBe(true);
    // it trains like any module once initialised by the caller
    wg.noGrad(() => lin.weight.fill_(0.5));
    expect(lin.forward(wg.ones([1, 5])).toArray()).toEqual([[2.5, 2.5, 2.5]]);
  });

  test('invertPermutation: q[p[i]] = i (torch: [2, 0, 3, 1] → [1, 3, 0, 2]); null passes through', () => {
    wg.setBackend(backend);
    const q = wg.nn.utils.rnn.invertPermutation(wg.tensor([2, 0, 3, 1], { dtype: 'int32' }))!;
    expect([q.dtype, q.toArray()]).toEqual(['int32', [1, 3, 0, 2]]);
    expect(wg.nn.utils.rnn.invertPermutation(wg.tensor([0], { dtype: 'int32' }))!.toArray()).toEqual([0]);
    expect(wg.nn.utils.rnn.invertPermutation(null)).toBeNull();
  });
});

test('errors: not a Module class; a permutation that is not 1-D int32 of 0..n−1 once each', () => {
  expect(() => wg.nn.utils.skipInit(class Foo {} as never)).toThrow(/nn\.utils\.skipInit: expected a Module class/);
  expect(() => wg.nn.utils.skipInit(3 as never)).toThrow(wg.ValueError);
  const inv = wg.nn.utils.rnn.invertPermutation;
  expect(() => inv(wg.tensor([[1, 0]], { dtype: 'int32' }))).toThrow(wg.ShapeError);
  expect(() => inv(wg.tensor([1, 0]))).toThrow(wg.DTypeError);
  expect(() => inv(wg.tensor([1, 1, 0], { dtype: 'int32' }))).toThrow(/must hold each of 0\.\.2 once, got 1 at position 1/);
  expect(() => inv(wg.tensor([0, 3], { dtype: 'int32' }))).toThrow(wg.ValueError);
});
