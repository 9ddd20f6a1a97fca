/**
 * wg.autograd.Function (PyTorch's torch.autograd.Function): forward and backward in JavaScript,
 * values from torch 1.13 with the same class written in Python.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

class MulAdd extends wg.autograd.Function {
  static calls = 0;
  static forward(ctx: wg.autograd.FunctionCtx, x: wg.Tensor, y: wg.Tensor, k: number) {
    ctx.saveForBackward(x, y);
    ctx.k = k;
    return [x.mul(y).add(k), x.sub(y)];
  }
  static backward(ctx: wg.autograd.FunctionCtx, ga: wg.Tensor, gb: wg.Tensor) {
    MulAdd.calls++;
    const [x, y] = ctx.savedTensors;
    return [ga.mul(y).add(gb), ga.mul(x).sub(gb), null];
  }
}

class STE extends wg.autograd.Function {
  static forward(_ctx: wg.autograd.FunctionCtx, x: wg.Tensor) {
    return x.round();
  }
  static backward(_ctx: wg.autograd.FunctionCtx, g: wg.Tensor) {
    return g;
  }
}

const leaf = (v: number[]) => wg.tensor(v, { requiresGrad: true });

describe.each(['wasm', 'reference'] as const)('autograd.Function on %s', (backend) => {
  beforeAll(() => wg.setBackend(backend));
  test('two tensor inputs and a number, two outputs: values and gradients as torch', () => {
    const x = leaf([1, -2, 3]);
    const y = leaf([0.5, 4, -1]);
    const [a, b] = MulAdd.apply(x, y, 2) as wg.Tensor[];
    // torch: a, b = MulAdd.apply(x, y, 2.0); (a * tensor([1., 2., 3.])).sum().backward()
    expect([a.toArray(), b.toArray(), a.requiresGrad, b.requiresGrad]).toEqual([[2.5, -6, -1], [0.5, -6, 4], true, true]); // prettier-ignore
    a.mul(wg.tensor([1, 2, 3]))
      .sum()
      .backward();
    // b is unused: its gradient is materialized as zeros, as torch
    expect([x.grad!.toArray(), y.grad!.toArray()]).toEqual([[0.5, 8, -3], [1, -4, 9]]); // prettier-ignore
    x.grad = null;
    y.grad = null;
    const [a2, b2] = MulAdd.apply(x, y, 2) as wg.Tensor[];
    const calls = MulAdd.calls;
    a2.sum().add(b2.mul(b2).sum()).backward();
    expect(MulAdd.calls - calls, 'one backward call for both outputs').toBe(1);
    // torch: (a.sum() + (b * b).sum()).backward()
    expect([x.grad!.toArray(), y.grad!.toArray()]).toEqual([[1.5, -8, 7], [0, 10, -5]]); // prettier-ignore
  });

  test('the straight-through estimator: round forward, identity backward', () => {
    const x = leaf([0.4, 1.6, -2.5]);
    const y = STE.apply(x) as wg.Tensor;
    // torch: y.grad_fn.name() is the class's name + 'Backward'; the outputs of ops on y are the ops'
    expect([y.gradFn!.name(), String(y.gradFn), y.isLeaf, y.mul(2).gradFn!.name()]).toEqual(['STEBackward', '<STEBackward>', false, 'MulBackward0']);
    y.mul(y).sum().backward();
    // torch: y = STE.apply(x); (y * y).sum().backward() → [0, 2, -2], grad [0, 4, -4]
    expect([y.toArray(), x.grad!.toArray()]).toEqual([[0, 2, -2], [0, 4, -4]]); // prettier-ignore
  });

  test('outputs keep their values bit for bit (−0, ±∞, NaN), and the graph reaches through other ops', () => {
    class Ident extends wg.autograd.Function {
      static forward(_ctx: wg.autograd.FunctionCtx, x: wg.Tensor) {
        return x.mul(1);
      }
      static backward(_ctx: wg.autograd.FunctionCtx, g: wg.Tensor) {
        return g.mul(3);
      }
    }
    const x = leaf([-0, Infinity, -Infinity, NaN, 2]);
    const y = Ident.apply(x) as wg.Tensor;
    expect(Object.is(y.data()[0], -0)).toBe(true);
    expect(Array.from(y.data())).toEqual([-0, Infinity, -Infinity, NaN, 2]);
    const z = leaf([1, 2, 3]);
    const w = Ident.apply(z.mul(2)) as wg.Tensor;
    w.sum().backward();
    expect(z.grad!.toArray()).toEqual([6, 6, 6]);
  });

  test('retainGraph: a second backward calls backward again and accumulates; autograd.grad reaches it', () => {
    const x = leaf([1, 2]);
    const y = STE.apply(x.mul(x)) as wg.Tensor;
    y.sum().backward(undefined, { retainGraph: true });
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([4, 8]);
    const x2 = leaf([3]);
    const [g] = wg.autograd.grad([(STE.apply(x2.mul(x2)) as wg.Tensor).sum()], [x2]);
    expect(g!.toArray()).toEqual([6]);
  });

  test('needsInputGrad, markNonDifferentiable, setMaterializeGrads(false), and the setupContext form', () => {
    const seen: unknown[] = [];
    class Split extends wg.autograd.Function {
      static forward(ctx: wg.autograd.FunctionCtx, x: wg.Tensor, y: wg.Tensor) {
        seen.push(ctx.needsInputGrad);
        ctx.setMaterializeGrads(false);
        const idx = x.argmax();
        ctx.markNonDifferentiable(idx);
        return [x.add(y), idx, x.mul(2)];
      }
      static backward(_ctx: wg.autograd.FunctionCtx, g: wg.Tensor | null, gIdx: wg.Tensor | null, g2: wg.Tensor | null) {
        seen.push([g === null, gIdx === null, g2 === null]);
        return [g, null];
      }
    }
    const x = leaf([1, 5, 2]);
    const [s, idx, twice] = Split.apply(x, wg.tensor([1, 1, 1])) as wg.Tensor[];
    expect([idx.requiresGrad, twice.requiresGrad, idx.item()]).toEqual([false, true, 1]);
    s.sum().backward();
    expect(seen).toEqual([
      [true, false],
      [false, true, true],
    ]);
    expect(x.grad!.toArray()).toEqual([1, 1, 1]);

    class Cube extends wg.autograd.Function {
      static forward(x: wg.Tensor) {
        return x.pow(3);
      }
      static setupContext(ctx: wg.autograd.FunctionCtx, inputs: readonly unknown[]) {
        ctx.saveForBackward(inputs[0] as wg.Tensor);
      }
      static backward(ctx: wg.autograd.FunctionCtx, g: wg.Tensor) {
        const [x] = ctx.savedTensors;
        return g.mul(x.square()).mul(3);
      }
    }
    const c = leaf([1, -2]);
    (Cube.apply(c) as wg.Tensor).sum().backward();
    expect(c.grad!.toArray()).toEqual([3, 12]);
  });

  test("a gradient of a shape the input broadcasts to is summed down to the input's shape, as torch", () => {
    class Spread extends wg.autograd.Function {
      static forward(_ctx: wg.autograd.FunctionCtx, b: wg.Tensor, s: wg.Tensor) {
        return b.add(s);
      }
      static backward(_ctx: wg.autograd.FunctionCtx, g: wg.Tensor) {
        return [g, g];
      }
    }
    const b = leaf([1, 2, 3]);
    const s = wg.tensor([[5], [6]], { requiresGrad: true });
    (Spread.apply(b, s) as wg.Tensor)
      .mul(
        wg.tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      )
      .sum()
      .backward();
    // torch: the [2, 3] gradient summed to b's [3] and s's [2, 1]
    expect([b.grad!.toArray(), s.grad!.toArray()]).toEqual([[5, 7, 9], [[6], [15]]]); // prettier-ignore
  });

  test('gradcheck agrees with a Function whose backward is right', () => {
    class Sin extends wg.autograd.Function {
      static forward(ctx: wg.autograd.FunctionCtx, x: wg.Tensor) {
        ctx.saveForBackward(x);
        return x.sin();
      }
      static backward(ctx: wg.autograd.FunctionCtx, g: wg.Tensor) {
        return g.mul(ctx.savedTensors[0].cos());
      }
    }
    const r = wg.gradcheck((x: wg.Tensor) => Sin.apply(x) as wg.Tensor, [wg.tensor([0.3, -1.2, 2.5, 0.9, -0.1], { requiresGrad: true })], {
      eps: 1e-2,
      atol: 1e-3,
      rtol: 1e-2,
    });
    expect(r.ok).toBe(true);
  });
});

describe('autograd.Function: no recording, and errors', () => {
  test('without inputs that require grad, or under noGrad, the outputs are forward’s own', () => {
    const x = wg.tensor([1, 2]);
    expect((STE.apply(x) as wg.Tensor).requiresGrad).toBe(false);
    const y = wg.noGrad(() => STE.apply(leaf([1.4])) as wg.Tensor);
    expect([y.requiresGrad, y.toArray()]).toEqual([false, [1]]);
  });

  test('bad forward or backward results are clear errors naming the Function', () => {
    class NoTensor extends wg.autograd.Function {
      static forward() {
        return 3;
      }
    }
    expect(() => NoTensor.apply(leaf([1]))).toThrow(
      'wasmgrad.autograd.Function NoTensor.apply: forward must return a Tensor or an array holding tensors, got 3',
    );
    class NoForward extends wg.autograd.Function {}
    expect(() => NoForward.apply(leaf([1]))).toThrow(
      'wasmgrad.autograd.Function NoForward.forward: a Function subclass must define static forward(ctx, ...args)',
    );
    class Two extends wg.autograd.Function {
      static forward(_ctx: wg.autograd.FunctionCtx, x: wg.Tensor) {
        return x.mul(2);
      }
      static backward(_ctx: wg.autograd.FunctionCtx, g: wg.Tensor) {
        return [g, g];
      }
    }
    expect(() => (Two.apply(leaf([1])) as wg.Tensor).sum().backward()).toThrow(
      'wasmgrad.autograd.Function Two.apply: backward returned 2 gradient(s), expected 1 (one per forward argument, null where none)',
    );
    class BadShape extends wg.autograd.Function {
      static forward(_ctx: wg.autograd.FunctionCtx, x: wg.Tensor) {
        return x.sum();
      }
      static backward(_ctx: wg.autograd.FunctionCtx, g: wg.Tensor) {
        return g;
      }
    }
    const x = leaf([1, 2]);
    expect(() => (BadShape.apply(x) as wg.Tensor).backward()).toThrow(
      "wasmgrad.autograd.Function BadShape.apply: backward's gradient 0 has shape [], which input 0's shape [2] does not broadcast to",
    );
    expect(x.grad, 'a failed backward leaves .grad as it was').toBeNull();
    class NoBackward extends wg.autograd.Function {
      static forward(_ctx: wg.autograd.FunctionCtx, x: wg.Tensor) {
        return x.mul(2);
      }
    }
    expect(() => (NoBackward.apply(leaf([1])) as wg.Tensor).sum().backward()).toThrow(
      'wasmgrad.autograd.Function NoBackward.backward: a Function subclass must define static backward(ctx, ...gradOutputs) to be differentiated',
    );
  });

  test('inside wg.compile it is a CompileError', () => {
    const w = leaf([1, 2]);
    const step = wg.compile(() => (STE.apply(w) as wg.Tensor).sum());
    expect(() => step()).toThrow('an autograd.Function cannot run inside wg.compile');
  });
});
