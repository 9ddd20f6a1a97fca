/** Memory without dispose, graph lifetimes and the errors around them, on both backends. */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { backend } from '../src/engine/engine.js';
import { R, REC_WORDS } from '../src/ops/types.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

for (const be of ['wasm', 'reference'] as const) {
  describe(`lifetimes on ${be}`, () => {
    test('memory stays flat over 1,000 training steps', () => {
      wg.setBackend(be);
      const x = wg.randn([16, 33]);
      const w = wg.randn([33], { requiresGrad: true });
      const b = wg.randn([33], { requiresGrad: true });
      const seed = wg.ones([16, 33]);
      const heap = backend(be).heap;
      const step = () => {
        const y = x.mul(w).add(b).relu().mul(x);
        y.backward(seed);
        wg.noGrad(() => {
          w.sub_(w.grad!.mul(1e-3));
          b.sub_(b.grad!.mul(1e-3));
        });
        w.grad = null;
        b.grad = null;
      };
      for (let i = 0; i < 10; i++) step();
      const inUse = heap.inUse;
      const high = heap.highWater;
      for (let i = 0; i < 1000; i++) step();
      expect(heap.inUse).toBeLessThanOrEqual(inUse);
      expect(heap.highWater).toBe(high);
    });

    test('op results stay resident for one more step, then are spilled and stay valid', () => {
      wg.setBackend(be);
      const w = wg.tensor([1, 2, 3], { requiresGrad: true });
      const y = w.mul(w);
      const early = w.add(1);
      y.backward(wg.ones([3]));
      expect(y.storage.resident).toBe(true); // the step that made y has ended, its block is still there
      const z = w.mul(2);
      z.backward(wg.ones([3]));
      // Retired with step 0: the contents moved to the JS heap, the block back to the allocator.
      expect([early.storage.owner, y.storage.owner]).toEqual(['spilled', 'spilled']);
      expect(early.toArray()).toEqual([2, 3, 4]);
      expect(Array.from(y.data())).toEqual([1, 4, 9]);
      expect(early.add(1).toArray()).toEqual([3, 4, 5]); // used as an input: resident again
      expect(early.storage.resident).toBe(true);
    });

    test('spilled contents come back bit for bit, small and large blocks, read and made resident again', () => {
      wg.setBackend(be);
      // Made by creation functions: step-owned like op results.
      const ints = wg.tensor(new Int32Array([-2147483648, 2147483647, 0, -7]));
      const floats = wg.tensor([NaN, -0, Infinity, -Infinity, 1.5, 3.4e38]);
      const big = wg.arange(5000); // above the plain-array size: copied with slice
      const before = [ints, floats, big].map((t) => Array.from(t.data()));
      for (let i = 0; i < 2; i++) wg.ones([1], { requiresGrad: true }).sum().backward();
      expect([ints, floats, big].map((t) => t.storage.owner)).toEqual(['spilled', 'spilled', 'spilled']);
      expect([ints, floats, big].map((t) => Array.from(t.data()))).toEqual(before);
      expect(Object.is(floats.data()[1], -0)).toBe(true);
      const again = [ints, floats, big].map((t) => Array.from(t.reshape([-1]).data())); // inputs of an op: resident
      expect(again).toEqual(before);
      expect([ints, floats, big].every((t) => t.storage.resident)).toBe(true);
    });

    test('a cleared gradient: kept by a spill when the user read it, freed without a copy when not', () => {
      wg.setBackend(be);
      const w = wg.tensor([1, 2], { requiresGrad: true });
      w.mul(w).backward(wg.ones([2]));
      const old = w.grad!;
      w.grad = null;
      w.mul(3).backward(wg.ones([2]));
      const unread = w.peekGrad()!; // as an optimizer reads it
      w.grad = null;
      w.mul(3).backward(wg.ones([2]));
      w.mul(3).backward(wg.ones([2]));
      expect(old.storage.owner).toBe('spilled');
      expect(Array.from(old.data())).toEqual([2, 4]);
      expect(unread.storage.alive).toBe(false);
      expect(Array.from(w.grad!.data())).toEqual([6, 6]);
    });

    test('keep() makes an op result outlive its step', () => {
      wg.setBackend(be);
      const w = wg.tensor([1, 2], { requiresGrad: true });
      const kept = w.mul(3).keep();
      for (let i = 0; i < 3; i++) w.mul(w).backward(wg.ones([2]));
      expect(Array.from(kept.data())).toEqual([3, 6]);
    });

    test('noGrad gives back the blocks of what fn made and did not return; a handle to it stays valid', () => {
      wg.setBackend(be);
      const x = wg.tensor([1, -2, 3]);
      let inner: wg.Tensor | undefined;
      const out = wg.noGrad(() => {
        inner = x.mul(2);
        return { y: inner.relu() };
      });
      expect(Array.from(out.y.data())).toEqual([2, 0, 6]);
      expect(out.y.storage.resident).toBe(true);
      expect(inner!.storage.owner).toBe('spilled');
      expect(Array.from(inner!.data())).toEqual([2, -4, 6]);
      expect(out.y.requiresGrad).toBe(false);
    });

    test('what only the graph reaches (composite internals, constants) is freed without a copy once backward() freed the graph', () => {
      wg.setBackend(be);
      const x = wg.tensor([0.5, 1, 2], { requiresGrad: true });
      const internals = (y: wg.Tensor) => y.node!.inputs.filter((t) => t !== x); // silu = x · sigmoid(x)
      const silu = x.silu();
      const done = silu.mul(3).sum();
      const doneInner = [...internals(silu), done.node!.inputs[0].node!.inputs[1]]; // sigmoid(x), and the constant 3
      done.backward();
      const held = x.silu().sum(); // its graph stays alive: its internals are spilled, then resident again for backward
      const heldInner = internals(held.node!.inputs[0]);
      for (let i = 0; i < 2; i++) wg.ones([1], { requiresGrad: true }).sum().backward();
      expect(doneInner.map((t) => t.storage.alive)).toEqual([false, false]);
      expect(heldInner.map((t) => t.storage.owner)).toEqual(['spilled']);
      x.grad = null;
      held.backward();
      // PyTorch: x = torch.tensor([0.5, 1, 2.], requires_grad=True); (x * torch.sigmoid(x)).sum().backward()
      Array.from(x.grad!.data()).forEach((v, i) => expect(v).toBeCloseTo([0.739961, 0.927671, 1.090784][i], 5));
    });

    test('dispose() frees at once; using the tensor afterwards says it was disposed', () => {
      wg.setBackend(be);
      const t = wg.tensor([1, 2]).mul(2);
      const inUse = backend(be).heap.inUse;
      t.dispose();
      expect(backend(be).heap.inUse).toBeLessThan(inUse);
      expect(() => t.add(1)).toThrow(wg.RecycledTensorError);
      expect(() => t.item()).toThrow(/^wasmgrad\.item: this tensor \[2\] \(made by 'mul' in step \d+\) was freed by dispose\(\) in step \d+/);
      // A spilled tensor disposed: nothing left to read either.
      const s = wg.tensor([3]).mul(1);
      for (let i = 0; i < 2; i++) wg.ones([1], { requiresGrad: true }).sum().backward();
      expect(s.storage.owner).toBe('spilled');
      s.dispose();
      expect(() => s.data()).toThrow(/disposed|dispose\(\)/);
    });

    test('gradients accumulate across fan-out and across backward() calls until cleared', () => {
      wg.setBackend(be);
      const x = wg.tensor([2, 3], { requiresGrad: true });
      const y = x.mul(x).add(x); // dy/dx = 2x + 1
      y.backward(wg.ones([2]), { retainGraph: true });
      expect(Array.from(x.grad!.data())).toEqual([5, 7]);
      y.backward(wg.ones([2]));
      expect(Array.from(x.grad!.data())).toEqual([10, 14]);
      x.grad = null;
      x.mul(4).backward(wg.ones([2]));
      expect(Array.from(x.grad!.data())).toEqual([4, 4]);
    });

    test('backward errors: second pass through a freed graph, no grad, non-scalar without seed, bad seed', () => {
      wg.setBackend(be);
      const x = wg.tensor([1, 2], { requiresGrad: true });
      const y = x.mul(x);
      y.backward(wg.ones([2]));
      expect(() => y.backward(wg.ones([2]))).toThrow(/second time.*retainGraph/);
      expect(() =>
        wg
          .tensor([1, 2])
          .mul(2)
          .backward(wg.ones([2])),
      ).toThrow(/does not require grad/);
      expect(() => x.mul(2).backward()).toThrow(/seed gradient is needed.*\[2\]/);
      expect(() => x.mul(2).backward(wg.ones([3]))).toThrow(/seed shape \[3\] does not match tensor shape \[2\]/);
    });

    test('in-place updates: only inside noGrad for grad tensors; modifying a saved input breaks its backward', () => {
      wg.setBackend(be);
      const w = wg.tensor([1, 2], { requiresGrad: true });
      expect(() => w.sub_(1)).toThrow(/noGrad/);
      const a = wg.tensor([1, 2]);
      const y = w.mul(a);
      a.copy_(wg.tensor([5, 5]));
      expect(() => y.backward(wg.ones([2]))).toThrow(/modified in place/);
    });

    test('detach cuts the graph; requiresGrad only on float leaves', () => {
      wg.setBackend(be);
      const x = wg.tensor([1, 2], { requiresGrad: true });
      const d = x.mul(2).detach();
      expect(d.requiresGrad).toBe(false);
      expect(d.isLeaf).toBe(true);
      const y = x.mul(d);
      y.backward(wg.ones([2]));
      expect(Array.from(x.grad!.data())).toEqual([2, 4]);
      // true on a computed tensor is a no-op (it requires grad already), false an error: PyTorch's requires_grad_
      expect(() => {
        x.mul(2).requiresGrad = false;
      }).toThrow(/leaf/);
      expect(() => wg.tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow(/float32/);
      expect(() => {
        (x as { grad: unknown }).grad = [1, 2];
      }).toThrow(/Tensor or null/);
    });
  });
}

test('tensors from different backends cannot be mixed', () => {
  wg.setBackend('wasm');
  const a = wg.tensor([1, 2]);
  wg.setBackend('reference');
  const b = wg.tensor([1, 2]);
  expect(() => a.add(b)).toThrow(/different backends/);
  wg.setBackend('wasm');
});

test('an abort inside WebAssembly surfaces as a JS Error with its message', () => {
  const rec = new Int32Array(REC_WORDS);
  rec[R.OPCODE] = 9999;
  expect(() => backend('wasm').run([rec], 0)).toThrow(/wasmgrad\.run: WebAssembly abort: wasmgrad: unknown opcode/);
  // The instance is still usable afterwards.
  wg.setBackend('wasm');
  expect(Array.from(wg.tensor([1, 2]).add(1).data())).toEqual([2, 3]);
});

test('bad creation arguments give clear errors', () => {
  expect(() => wg.tensor([[1, 2], [3]])).toThrow(/ragged/);
  expect(() => wg.tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/needs 4 values, data has 3/);
  expect(() => wg.tensor([1.5], { dtype: 'int32' })).toThrow(/32-bit integers/);
  expect(() => wg.tensor([2147483648], { dtype: 'int32' })).toThrow(/32-bit integers/);
  expect(Array.from(wg.tensor(new Int32Array([-2147483648, 2147483647])).data())).toEqual([-2147483648, 2147483647]);
  expect(() => wg.zeros([2, -1])).toThrow(/non-negative integers/);
  expect(() => wg.setBackend('gpu' as 'wasm')).toThrow(/unknown backend/);
});
