/** torch 1.13's remaining Tensor facts and legacy forms: device/layout/name facts, toDense, cuda/pinMemory errors, Tensor.new. */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

for (const be of ['wasm', 'reference'] as const)
  describe(`Tensor facts on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test("a CPU strided tensor's facts, as torch's", () => {
      const x = wg.ones([2, 3]);
      // torch: x.is_xpu … x.is_vulkan False, x.layout torch.strided, x.names (None, None), has_names/is_pinned/is_distributed False
      expect([x.isXpu, x.isIpu, x.isMps, x.isOrt, x.isVulkan]).toEqual([false, false, false, false, false]);
      expect(x.layout).toBe('strided');
      expect(x.names).toEqual([null, null]);
      expect(wg.tensor(1).names).toEqual([]);
      expect([x.hasNames(), x.isPinned(), x.isDistributed()]).toEqual([false, false, false]);
      expect(x.toDense()).toBe(x);
      expect(() => x.cuda()).toThrow(
        new wg.ValueError('cuda', 'wasmgrad computes on the CPU: there is no CUDA device (torch without CUDA: "Torch not compiled with CUDA enabled")'),
      );
      expect(() => x.pinMemory()).toThrow('wasmgrad.pinMemory: pinned memory needs a CUDA device');
    });

    test("Tensor.new: torch's legacy constructor of the tensor's dtype", () => {
      const x = wg.ones([2]);
      const i = wg.ones([2], { dtype: 'int32' });
      // torch: x.new([1, 2]) tensor([1., 2.]); i.new([1.7, -2.5]) tensor([1, -2], int32); i.new(2, 2) int32 [2, 2]; x.new() [0]
      const a = x.new([1, 2]);
      expect([a.dtype, Array.from(a.data())]).toEqual(['float32', [1, 2]]);
      const b = i.new([1.7, -2.5]);
      expect([b.dtype, Array.from(b.data())]).toEqual(['int32', [1, -2]]);
      const c = i.new(2, 2);
      expect([c.dtype, c.shape, Array.from(c.data())]).toEqual(['int32', [2, 2], [0, 0, 0, 0]]);
      expect(x.new().shape).toEqual([0]);
      expect(x.new(new Float32Array([3, 4])).shape).toEqual([2]);
      // torch: x.new(t) is an alias of t that keeps its graph (AliasBackward0)
      const t = wg.tensor([1, 2], { requiresGrad: true });
      const n = x.new(t);
      expect(n.requiresGrad).toBe(true);
      n.mul(wg.tensor([3, 5]))
        .sum()
        .backward();
      expect(Array.from(t.grad!.data())).toEqual([3, 5]);
      expect(() => x.new(i)).toThrow("wasmgrad.new: expects a tensor of dtype float32 (this tensor's), got int32");
      expect(() => x.new('a')).toThrow('wasmgrad.new: expects data (nested arrays, a typed array or a tensor), sizes as numbers, or nothing');
    });
  });
