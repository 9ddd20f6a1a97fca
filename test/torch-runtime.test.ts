/**
 * torch's runtime names: wg.random (torch.random, fork_rng), inference-mode queries, threads,
 * denormals, matmul precision, typename, isStorage, getDevice. Behaviour as torch 1.13 where the
 * notion exists here; the README says what the others do.
 */
import { beforeAll, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

test('wg.random holds the seeding functions (torch.random.manual_seed is torch.manual_seed)', () => {
  expect(wg.random.manualSeed).toBe(wg.manualSeed);
  expect(wg.random.seed).toBe(wg.seed);
  expect(wg.random.initialSeed).toBe(wg.initialSeed);
  expect(wg.random.getRngState).toBe(wg.getRngState);
  expect(wg.random.setRngState).toBe(wg.setRngState);
  expect('forkRng' in wg).toBe(false); // torch has no top-level fork_rng
});

test('forkRng: draws inside leave the stream (and initialSeed) as before, also when fn throws; enabled false forks nothing', () => {
  for (const backend of ['wasm', 'reference'] as const) {
    wg.setBackend(backend);
    wg.manualSeed(3);
    const plain = wg.rand([4]).toArray();
    wg.manualSeed(3);
    const inside = wg.random.forkRng(() => {
      wg.manualSeed(5);
      expect(wg.initialSeed()).toBe(5);
      return wg.rand([7]).toArray();
    });
    expect(inside).toHaveLength(7);
    expect(wg.initialSeed()).toBe(3);
    expect(wg.rand([4]).toArray()).toEqual(plain);
    wg.manualSeed(3);
    expect(() =>
      wg.random.forkRng(() => {
        wg.randn([9]);
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(wg.rand([4]).toArray()).toEqual(plain);
    wg.manualSeed(3);
    wg.random.forkRng(() => wg.rand([2]), { enabled: false, devices: [] });
    expect(wg.rand([4]).toArray()).not.toEqual(plain);
  }
  expect(() => wg.random.forkRng(() => 1, { devices: [0] })).toThrow(/random\.forkRng: devices lists CUDA devices/);
  expect(() => wg.random.forkRng(() => 1, { enabled: 'no' as never })).toThrow(wg.ValueError);
  expect(() => wg.random.forkRng((() => Promise.resolve()) as never)).toThrow(/must be synchronous/);
});

test('isInferenceModeEnabled is true inside inferenceMode only; isInference is false (no inference tensors)', () => {
  expect(wg.isInferenceModeEnabled()).toBe(false);
  const made = wg.inferenceMode(() => {
    expect(wg.isInferenceModeEnabled()).toBe(true);
    expect(wg.autograd.inferenceMode(() => wg.isInferenceModeEnabled())).toBe(true);
    return wg.ones([1]);
  });
  expect(wg.isInferenceModeEnabled()).toBe(false);
  expect(wg.isInference(made)).toBe(false);
  expect(() =>
    wg.inferenceMode(() => {
      throw new Error('x');
    }),
  ).toThrow('x');
  expect(wg.isInferenceModeEnabled()).toBe(false);
  expect(() => wg.isInference(3 as never)).toThrow(wg.ValueError);
});

test('threads: setNumThreads keeps the pool wg.init started; one inter-op thread', () => {
  const n = wg.getNumThreads();
  wg.setNumThreads(n + 1);
  expect(wg.getNumThreads()).toBe(n);
  expect(wg.getNumInteropThreads()).toBe(1);
  wg.setNumInteropThreads(4);
  expect(wg.getNumInteropThreads()).toBe(1);
  expect(() => wg.setNumThreads(0)).toThrow(/setNumThreads: expects a positive integer number of threads, got 0/);
  expect(() => wg.setNumInteropThreads(1.5)).toThrow(wg.ValueError);
});

test('setFlushDenormal reports no support (WebAssembly keeps subnormals), and they are computed', () => {
  expect(wg.setFlushDenormal(true)).toBe(false);
  expect(wg.setFlushDenormal(false)).toBe(false);
  // 1e-39 is a float32 subnormal; flushed it would read 0
  expect(wg.tensor([1e-39]).mul(2).item()).toBeCloseTo(2e-39, 44);
  expect(() => wg.setFlushDenormal(1 as never)).toThrow(/setFlushDenormal: mode must be a boolean, got 1/);
});

test("float32 matmul precision: 'highest' by default, the last value set, others refused", () => {
  expect(wg.getFloat32MatmulPrecision()).toBe('highest');
  wg.setFloat32MatmulPrecision('medium');
  expect(wg.getFloat32MatmulPrecision()).toBe('medium');
  wg.setFloat32MatmulPrecision('highest');
  expect(() => wg.setFloat32MatmulPrecision('low' as never)).toThrow(/precision must be 'highest', 'high' or 'medium', got "low"/);
  expect(wg.getFloat32MatmulPrecision()).toBe('highest');
});

test('typename, isStorage, getDevice', () => {
  expect(wg.typename(wg.zeros([2]))).toBe('torch.FloatTensor');
  expect(wg.typename(wg.zeros([2], { dtype: 'int32' }))).toBe('torch.IntTensor');
  expect(wg.typename(new wg.nn.Linear(1, 1))).toBe('Linear');
  expect(wg.typename(3)).toBe('number');
  expect(wg.typename(null)).toBe('null');
  expect(wg.isStorage(wg.zeros([2]))).toBe(false);
  expect(wg.getDevice(wg.zeros([2]))).toBe(-1);
  expect(() => wg.getDevice([1] as never)).toThrow(wg.ValueError);
});
