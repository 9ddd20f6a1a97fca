/**
 * Autograd habits from PyTorch: retainGrad, tensor hooks, wg.autograd.grad/backward, backward's
 * `inputs`, grad-mode switches, gradFn/isLeaf, module forward hooks and autograd.functional, on
 * both backends. Expected values are PyTorch 1.13's (torch run by hand, written here as literals)
 * or formulas derived by hand; every error path is checked.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { lifetimes } from '../src/engine/storage.js';
import { backend } from '../src/engine/engine.js';
import { initWasm } from './helpers/setup.js';
import { expectClose } from './helpers/expect.js';

beforeAll(async () => {
  await initWasm();
});

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5) => expectClose(got, want, tol);
const vals = (t: wg.Tensor | null | undefined) => Array.from(t!.data());
const leaf = (v: number[], shape?: number[]) => wg.tensor(v, { requiresGrad: true, shape });
const fill = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

for (const be of ['wasm', 'reference'] as const) {
  describe(`autograd habits on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    describe('retainGrad', () => {
      test('several retained tensors get their gradients (torch: a.grad = x, b.grad = 1, c.grad = 1)', () => {
        const x = leaf([0.5, -1, 2]);
        const a = x.exp();
        const b = a.mul(x);
        const c = b.sum();
        for (const t of [a, b, c]) t.retainGrad();
        c.backward();
        close(vals(a.grad), [0.5, -1, 2]);
        close(vals(b.grad), [1, 1, 1]);
        expect(c.grad!.item()).toBe(1);
        close(vals(x.grad), [2.47308183, 0, 22.16716766]);
        expect([x.retainsGrad, a.retainsGrad]).toEqual([false, true]);
      });

      test('accumulates across backward calls with retainGraph, in registration order with hooks (torch 1.13)', () => {
        const x = leaf([1, 2, 3]);
        const h = x.mul(2);
        h.retainGrad(); // before the hook: sees the gradient the hook receives
        h.registerHook((g) => g.mul(10));
        const y = h.mul(h).sum();
        y.backward(undefined, { retainGraph: true });
        expect(vals(h.grad)).toEqual([4, 8, 12]);
        expect(vals(x.grad)).toEqual([80, 160, 240]);
        y.backward();
        expect(vals(h.grad)).toEqual([8, 16, 24]);
        expect(vals(x.grad)).toEqual([160, 320, 480]);

        const x2 = leaf([1, 2, 3]);
        const h2 = x2.mul(2);
        h2.registerHook((g) => g.mul(10));
        h2.retainGrad(); // after the hook: sees its result
        h2.mul(h2).sum().backward();
        expect(vals(h2.grad)).toEqual([40, 80, 120]);
        expect(vals(x2.grad)).toEqual([80, 160, 240]);
      });

      test('retainGrad after a first hook sees the result of every hook, later ones too (torch 1.13: y.grad = [13, 25], then [7, 13])', () => {
        // torch: x = [1, 2], y = 3x, hooks g·2, retain_grad(), g+1, then (y·y).sum().backward()
        const x = leaf([1, 2]);
        const y = x.mul(3);
        y.registerHook((g) => g.mul(2));
        y.retainGrad();
        y.registerHook((g) => g.add(1));
        y.mul(y).sum().backward();
        expect(vals(y.grad)).toEqual([13, 25]);
        expect(vals(x.grad)).toEqual([39, 75]);
        // the same with the first hook removed before backward: torch y.grad = [7, 13], x.grad = [21, 39]
        const x2 = leaf([1, 2]);
        const y2 = x2.mul(3);
        const first = y2.registerHook((g) => g.mul(2));
        y2.retainGrad();
        y2.registerHook((g) => g.add(1));
        first.remove();
        y2.mul(y2).sum().backward();
        expect(vals(y2.grad)).toEqual([7, 13]);
        expect(vals(x2.grad)).toEqual([21, 39]);
      });

      test('a matmul graph of odd sizes: the retained gradient is 1 − tanh², the leaves get what the pass without hooks gives', () => {
        const xv = fill(15, (i) => Math.cos(i * 0.7));
        const wv = fill(35, (i) => Math.sin(i * 0.3) * 0.5);
        const run = (retain: boolean) => {
          const x = leaf(xv, [3, 5]);
          const w = leaf(wv, [5, 7]);
          const h = x.matmul(w);
          if (retain) h.retainGrad();
          h.tanh().sum().backward();
          return { x, w, h };
        };
        const plain = run(false);
        const kept = run(true);
        expect(plain.h.grad).toBeNull(); // a non-leaf that did not retain: null, as torch's None
        const hv = vals(kept.h);
        close(
          vals(kept.h.grad),
          hv.map((v) => 1 - Math.tanh(v) ** 2),
        );
        expect(vals(kept.x.grad)).toEqual(vals(plain.x.grad));
        expect(vals(kept.w.grad)).toEqual(vals(plain.w.grad));
      });

      test('a loop retaining a gradient every step keeps memory flat; a retained .grad held stays readable', () => {
        const heap = backend(be).heap;
        const x = leaf(
          fill(4096, (i) => Math.sin(i)),
          [64, 64],
        );
        let first: wg.Tensor | null = null;
        const step = () => {
          const h = x.mul(2);
          h.retainGrad();
          h.mul(h).sum().backward();
          first ??= h.grad;
        };
        for (let i = 0; i < 10; i++) step();
        const after = heap.inUse;
        for (let i = 0; i < 50; i++) step();
        expect(heap.inUse).toBeLessThanOrEqual(after);
        close(
          vals(first),
          fill(4096, (i) => 4 * Math.sin(i)),
        );
      });

      test('retainGrad on a leaf is a no-op; on a tensor without grad an AutogradError', () => {
        const x = leaf([1, 2]);
        x.retainGrad();
        expect(x.retainsGrad).toBe(false);
        x.mul(3).sum().backward();
        expect(vals(x.grad)).toEqual([3, 3]);
        expect(() => wg.tensor([1]).retainGrad()).toThrow(wg.AutogradError);
        expect(() => wg.tensor([1]).retainGrad()).toThrow(/retainGrad: cannot retain the gradient of a tensor \[1\] \(a leaf\) that does not require grad/);
      });
    });

    describe('registerHook', () => {
      test('a leaf hook sees the gradient before accumulation and its result is accumulated (torch: seen [2, 4], grad [6, 12])', () => {
        const x = leaf([1, 2]);
        const seen: number[][] = [];
        x.registerHook((g) => {
          seen.push(vals(g));
          return g.mul(3);
        });
        x.mul(x).sum().backward();
        expect(seen).toEqual([[2, 4]]);
        expect(vals(x.grad)).toEqual([6, 12]);
      });

      test('a hook on a leaf root: backward of the leaf itself goes through it (torch: [3, 3])', () => {
        const x = leaf([1, 2]);
        x.registerHook((g) => g.mul(3));
        x.backward(wg.tensor([1, 1]));
        expect(vals(x.grad)).toEqual([3, 3]);
      });

      test('a hook on the root sees the seed (torch: seen 1, y.grad 1, x.grad [4, 8])', () => {
        const x = leaf([1, 2]);
        const y = x.mul(x).sum();
        y.retainGrad();
        const seen: number[] = [];
        y.registerHook((g) => {
          seen.push(g.item());
          return g.mul(2);
        });
        y.backward();
        expect(seen).toEqual([1]);
        expect(y.grad!.item()).toBe(1);
        expect(vals(x.grad)).toEqual([4, 8]);
      });

      test('remove() unregisters; hooks run with grad mode off; a gradient a hook holds stays readable', () => {
        const x = leaf([1, 2, 3]);
        let calls = 0;
        let enabled: boolean | null = null;
        let held: wg.Tensor | null = null;
        const handle = x.registerHook((g) => {
          calls++;
          enabled = wg.isGradEnabled();
          held = g;
        });
        x.mul(5).sum().backward();
        expect([calls, enabled]).toEqual([1, false]);
        handle.remove();
        handle.remove(); // again: nothing
        x.mul(5).sum().backward();
        expect(calls).toBe(1);
        expect(vals(x.grad)).toEqual([10, 10, 10]);
        for (let k = 0; k < 3; k++) wg.tensor([1], { requiresGrad: true }).mul(2).sum().backward(); // later steps retire the first one's blocks
        expect(vals(held)).toEqual([5, 5, 5]);
      });

      test('a hook that throws: the error propagates as is, no .grad changes, the graph can run again', () => {
        const a = leaf([1, 2]);
        const b = leaf([3, 4]);
        b.grad = wg.tensor([100, 100]);
        const h = a.mul(2);
        const boom = new Error('boom');
        const handle = h.registerHook(() => {
          throw boom;
        });
        const y = h.mul(b).sum();
        let caught: unknown = null;
        try {
          y.backward();
        } catch (e) {
          caught = e;
        }
        expect(caught).toBe(boom);
        // torch keeps b.grad = [2, 4] added before the hook ran; here nothing is half-accumulated.
        expect(a.grad).toBeNull();
        expect(vals(b.grad)).toEqual([100, 100]);
        handle.remove();
        y.backward();
        expect(vals(a.grad)).toEqual([6, 8]);
        expect(vals(b.grad)).toEqual([102, 104]);
      });

      test('a backward pass started inside a hook is an AutogradError (the pass that called it is not finished)', () => {
        const x = leaf([1, 2]);
        const other = leaf([3]);
        const h = x.mul(2);
        h.registerHook(() => wg.enableGrad(() => other.mul(2).sum().backward()));
        expect(() => h.sum().backward()).toThrow(/backward: cannot run inside a tensor hook/);
        expect([x.grad, other.grad]).toEqual([null, null]);
      });

      test('bad hooks and bad replacements are typed errors naming the tensor', () => {
        const x = leaf([1, 2]);
        expect(() => wg.tensor([1]).registerHook((g) => g)).toThrow(wg.AutogradError);
        expect(() => x.registerHook(3 as never)).toThrow(wg.ValueError);
        const cases: [() => unknown, typeof wg.WasmgradError, RegExp][] = [
          [() => wg.zeros([3]), wg.ShapeError, /backward: a hook on the tensor \[2\] \(made by 'mul'\) returned a gradient of shape \[3\], expected \[2\]/],
          [() => wg.tensor([1, 2], { dtype: 'int32' }), wg.DTypeError, /returned a int32 gradient, expected float32/],
          [() => 7, wg.ValueError, /must return a Tensor or undefined, got 7/],
        ];
        for (const [make, cls, msg] of cases) {
          const h = x.mul(2);
          h.registerHook(() => make() as wg.Tensor);
          const y = h.sum();
          expect(() => y.backward(undefined, { retainGraph: true })).toThrow(cls);
          expect(() => y.backward()).toThrow(msg);
        }
        expect(x.grad).toBeNull();
      });
    });

    describe('wg.autograd.grad, wg.autograd.backward, backward inputs', () => {
      test('hooks where torch 1.13 runs them: grad captures a target before its hooks, runs no leaf hook, skips branches that reach no input', () => {
        // torch: a = [1, 2], hook g·10 on a; autograd.grad((a·a).sum(), a) → [2, 4], the hook not called
        const a = leaf([1, 2]);
        const calls: number[][] = [];
        a.registerHook((g) => (calls.push(vals(g)), g.mul(10)));
        expect(vals(wg.autograd.grad(a.mul(a).sum(), a)[0])).toEqual([2, 4]);
        expect(calls).toEqual([]);
        expect(a.grad).toBeNull();
        // y = 3a with hook g·10: grad((y·y).sum(), [y, a]) → y: [6, 12] (before the hook), a: [180, 360]
        const y = a.mul(3);
        y.registerHook((g) => (calls.push(vals(g)), g.mul(10)));
        const [gy, ga] = wg.autograd.grad(y.mul(y).sum(), [y, a]);
        expect([vals(gy), vals(ga), calls]).toEqual([[6, 12], [180, 360], [[6, 12]]]);
        // backward({inputs: [y]}) runs y's hook and accumulates its result: y.grad = [60, 120]
        const y2 = leaf([1, 2]).mul(3);
        y2.registerHook((g) => g.mul(10));
        y2.mul(y2)
          .sum()
          .backward(undefined, { inputs: [y2] });
        expect(vals(y2.grad)).toEqual([60, 120]);
        // a branch that reaches no input (w = 2b, hooked and retained) runs nothing: w.grad null, no call
        for (const capture of [true, false]) {
          const p = leaf([1, 2]);
          const b = leaf([1, 2]);
          const w = b.mul(2);
          const seen: number[] = [];
          w.registerHook(() => void seen.push(1));
          w.retainGrad();
          const z = p.mul(3).sum().add(w.sum());
          if (capture) expect(vals(wg.autograd.grad(z, [p])[0])).toEqual([3, 3]);
          else z.backward(undefined, { inputs: [p] });
          expect([seen, w.grad, b.grad]).toEqual([[], null, null]);
          if (!capture) expect(vals(p.grad)).toEqual([3, 3]);
        }
      });

      test('grad returns gradients without touching .grad (torch values)', () => {
        const a = leaf([1, 2]);
        const b = leaf([3, 4]);
        const y = a.mul(a).sum();
        const [ga, gb] = wg.autograd.grad(y, [a, b], { allowUnused: true, retainGraph: true });
        expect(vals(ga)).toEqual([2, 4]);
        expect(gb).toBeNull();
        expect(vals(wg.autograd.grad([y, a.mul(3).sum()], [a])[0])).toEqual([5, 7]);
        expect(a.grad).toBeNull();
        const h = a.mul(b);
        const [gh, ga2] = wg.autograd.grad(h.mul(a).sum(), [h, a]);
        expect([vals(gh), vals(ga2)]).toEqual([
          [1, 2],
          [6, 16],
        ]);
        expect(vals(wg.autograd.grad(a.mul(b), a, { gradOutputs: wg.tensor([1, 10]) })[0])).toEqual([3, 40]);
        expect(vals(wg.autograd.grad(a.mul(b), a, { gradOutputs: [1, 10] })[0])).toEqual([3, 40]);
        const r = a.mul(2);
        r.retainGrad();
        expect(vals(wg.autograd.grad(r.mul(r).sum(), a)[0])).toEqual([8, 16]);
        expect(vals(r.grad)).toEqual([4, 8]); // torch fills a retained gradient during autograd.grad too
        expect(a.grad).toBeNull();
      });

      test('grad errors: unused input, non-scalar without seed, freed graph, no grad; createGraph retains the graph', () => {
        const a = leaf([1, 2]);
        const b = leaf([3, 4]);
        const y = a.mul(a).sum();
        expect(() => wg.autograd.grad(y, [a, b])).toThrow(/autograd.grad: inputs\[1\] \[2\] was not used to compute the outputs; pass \{ allowUnused: true \}/);
        expect(() => wg.autograd.grad(a.mul(b), a)).toThrow(wg.AutogradError);
        // createGraph keeps the graph (retainGraph defaults to true): the calls below still find it
        expect(vals(wg.autograd.grad(y, a, { createGraph: true })[0])).toEqual([2, 4]);
        expect(() => wg.autograd.grad(y, wg.tensor([1, 2]))).toThrow(/inputs\[0\] \[2\] does not require grad/);
        expect(() => wg.autograd.grad(y, [])).toThrow(wg.ValueError);
        expect(() => wg.autograd.grad(y, a, { gradOutputs: [wg.tensor(1), wg.tensor(2)] })).toThrow(/one seed per output \(1\)/);
        expect(() => wg.autograd.grad(y, a, { bogus: 1 } as never)).toThrow(/unknown option 'bogus'/);
        wg.autograd.grad(y, a);
        expect(() => wg.autograd.grad(y, a)).toThrow(/backward through the graph a second time/);
      });

      test('autograd.backward sums several roots into .grad; backward inputs accumulate only into those (torch values)', () => {
        const a = leaf([1, 2]);
        wg.autograd.backward([a.mul(a).sum(), a.mul(3)], [undefined, wg.tensor([1, 1])]);
        expect(vals(a.grad)).toEqual([5, 7]);
        // one root twice: the sum of its seeds (a tensor, a typed array and a plain array)
        const b = leaf([1, 2, 3]);
        const y2 = b.mul(2);
        wg.autograd.backward([y2, y2, y2], [wg.tensor([1, 1, 1]), new Float32Array([0.5, 0.25, 2]), [0, 1, -1]]);
        expect(vals(b.grad)).toEqual([3, 4.5, 4]);

        const p = leaf([1, 2]);
        const q = leaf([3, 4]);
        const h = p.mul(q);
        const y = h.mul(h).sum();
        y.backward(undefined, { retainGraph: true, inputs: [p] });
        expect(vals(p.grad)).toEqual([18, 64]);
        expect(q.grad).toBeNull();
        y.backward(undefined, { inputs: [h] });
        expect(vals(h.grad)).toEqual([6, 16]);
        expect(vals(p.grad)).toEqual([18, 64]);
        expect(q.grad).toBeNull();
        expect(() => y.backward(undefined, { inputs: [] })).toThrow(wg.ValueError);
        expect(() => wg.autograd.backward([wg.tensor(1)])).toThrow(/autograd.backward: tensors\[0\] \[\] does not require grad/);
      });
    });

    describe('grad mode', () => {
      test('enableGrad inside noGrad records again; setGradEnabled and isGradEnabled; inferenceMode is noGrad', () => {
        const x = leaf([1, 2, 3]);
        expect(wg.isGradEnabled()).toBe(true);
        const r = wg.noGrad(() => {
          expect(wg.isGradEnabled()).toBe(false);
          const inner = wg.enableGrad(() => {
            expect(wg.isGradEnabled()).toBe(true);
            return x.mul(2);
          });
          expect(wg.isGradEnabled()).toBe(false);
          return [inner, x.mul(2)];
        });
        expect([r[0].requiresGrad, r[1].requiresGrad]).toEqual([true, false]);
        wg.setGradEnabled(false);
        try {
          expect(x.mul(2).requiresGrad).toBe(false);
        } finally {
          wg.setGradEnabled(true);
        }
        const y = wg.inferenceMode(() => x.mul(2));
        expect([y.requiresGrad, y.isLeaf, vals(y)]).toEqual([false, true, [2, 4, 6]]);
        expect(() => wg.setGradEnabled(1 as never)).toThrow(/setGradEnabled: expects a boolean, got 1/);
        expect(() => wg.enableGrad(async () => 1)).toThrow(/enableGrad: fn must be synchronous/);
        expect(() => wg.inferenceMode(3 as never)).toThrow(wg.ValueError);
        expect(wg.isGradEnabled()).toBe(true);
      });

      test("a graph made by enableGrad inside noGrad survives noGrad's scope: held results readable, backward correct", () => {
        const x = leaf([1, 2, 3]);
        let u: wg.Tensor | null = null;
        const out = wg.noGrad(() =>
          wg.enableGrad(() => {
            u = x.mul(3); // not returned: retired (spilled) when noGrad returns
            return u.add(1);
          }),
        );
        for (let k = 0; k < 3; k++) wg.tensor([1], { requiresGrad: true }).mul(2).sum().backward(); // steps go by
        expect(vals(u)).toEqual([3, 6, 9]);
        out.sum().backward();
        expect(vals(x.grad)).toEqual([3, 3, 3]);
        expect(vals(out)).toEqual([4, 7, 10]);
      });
    });

    test('gradFn and isLeaf follow torch (MulBackward0, AddBackward0, SumBackward0, ...)', () => {
      const x = leaf([1, 2]);
      expect(x.gradFn).toBeNull();
      const names = [x.mul(2), x.add(1), x.sum(), x.relu(), x.exp(), x.mean()].map((t) => t.gradFn!.name());
      expect(names).toEqual(['MulBackward0', 'AddBackward0', 'SumBackward0', 'ReluBackward0', 'ExpBackward0', 'MeanBackward0']);
      expect(String(x.mul(2).gradFn)).toBe('<MulBackward0>');
      expect([x.isLeaf, x.mul(2).isLeaf, wg.tensor([1]).mul(2).isLeaf, x.mul(2).detach().isLeaf]).toEqual([true, false, true, true]);
      const n = wg.noGrad(() => x.mul(2));
      expect([n.isLeaf, n.gradFn]).toEqual([true, null]);
    });

    describe('module forward hooks', () => {
      test('fire when Sequential calls its children; pre-hooks replace arguments, forward hooks the output; remove() restores', () => {
        wg.manualSeed(3);
        const model = new wg.nn.Sequential(new wg.nn.Linear(4, 5), new wg.nn.ReLU(), new wg.nn.Linear(5, 3));
        const x = wg.tensor(
          fill(8, (i) => Math.sin(i)),
          { shape: [2, 4] },
        );
        const before = vals(model.forward(x));
        const shapes: number[][] = [];
        const seen = model.at(1).registerForwardHook((m, args, out) => {
          expect(m).toBe(model.at(1));
          shapes.push([...(args[0] as wg.Tensor).shape, ...(out as wg.Tensor).shape]);
        });
        const zero = model.at(2).registerForwardPreHook((_m, args) => [(args[0] as wg.Tensor).mul(0)]);
        const bias = vals((model.at(2) as wg.nn.Linear).bias!);
        close(vals(model.forward(x)), [...bias, ...bias]);
        expect(shapes).toEqual([[2, 5, 2, 5]]);
        zero.remove();
        const doubled = model.at(2).registerForwardHook((_m, _a, out) => (out as wg.Tensor).mul(2));
        close(
          vals(model.forward(x)),
          before.map((v) => 2 * v),
        );
        doubled.remove();
        seen.remove();
        close(vals(model.forward(x)), before);
        expect(Object.hasOwn(model.at(2), 'forward')).toBe(false);
        const custom = (t: wg.Tensor) => t.mul(-1);
        const act = model.at(1);
        act.forward = custom; // a forward set on the instance is wrapped, then restored
        const neg = act.registerForwardHook((_m, _a, out) => (out as wg.Tensor).mul(3));
        expect(vals(act.forward(wg.tensor([1, -2])))).toEqual([-3, 6]);
        neg.remove();
        expect(act.forward).toBe(custom);
        expect(shapes.length).toBe(2);
      });

      test('fire inside a Transformer encoder (ModuleList of layers, their linear1), and survive wg.summary', () => {
        wg.manualSeed(5);
        const enc = new wg.nn.TransformerEncoder(new wg.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 }), 2);
        let calls = 0;
        const linear1 = enc.getSubmodule('layers.1.linear1');
        linear1.registerForwardHook(() => {
          calls++;
        });
        enc.forward(wg.zeros([3, 2, 8]));
        expect(calls).toBe(1);
        wg.summary(enc as never, [3, 2, 8], { print: false });
        expect(calls).toBe(2);
        enc.forward(wg.zeros([3, 2, 8]));
        expect(calls).toBe(3);
        expect(() => linear1.registerForwardPreHook('x' as never)).toThrow(/nn.Linear.registerForwardPreHook: expects a function, got "x"/);
      });
    });

    describe('module full backward hooks', () => {
      const linear = () => {
        const lin = new wg.nn.Linear(3, 2);
        wg.noGrad(() => {
          lin.weight.copy_(wg.tensor([0.1, -0.2, 0.3, 0.4, 0.5, -0.6], { shape: [2, 3] }));
          lin.bias!.copy_(wg.tensor([0.05, -0.05]));
        });
        return lin;
      };

      test('see gradInput and gradOutput and may replace gradInput (torch 1.13 values); an input without grad gives null', () => {
        const lin = linear();
        const seen: [(number[] | null)[], number[][]][] = [];
        const handle = lin.registerFullBackwardHook((_m, gi, go) => {
          seen.push([gi.map((g) => (g === null ? null : vals(g))), go.map(vals)]);
          return gi[0] === null ? undefined : [gi[0].mul(2)];
        });
        const x = leaf([1, 2, 3], [1, 3]);
        const y = lin.forward(x);
        y.mul(y).sum().backward();
        expect(seen.length).toBe(1);
        close(seen[0][0][0]!, [-0.23, -0.71, 0.93]);
        close(seen[0][1][0], [1.3, -0.9]);
        close(vals(x.grad), [-0.46, -1.42, 1.86]);
        close(vals(lin.weight.grad), [1.3, 2.6, 3.9, -0.9, -1.8, -2.7]);
        seen.length = 0;
        const y2 = lin.forward(wg.tensor([[1, 2, 3]]));
        y2.mul(y2).sum().backward();
        expect(seen.length).toBe(1);
        expect(seen[0][0]).toEqual([null]);
        close(seen[0][1][0], [1.3, -0.9]);
        handle.remove();
        expect(Object.hasOwn(lin, 'forward')).toBe(false);
      });

      test('only its own share of a shared input, inside Sequential; errors for what it cannot isolate', () => {
        const lin = linear();
        let gradIn: number[] = [];
        lin.registerFullBackwardHook((_m, gi) => {
          gradIn = vals(gi[0]);
        });
        const model = new wg.nn.Sequential(lin);
        const x = leaf([1, 2, 3], [1, 3]);
        // x also feeds the loss directly: the hook sees d(sum y)/dx = column sums of W only
        model.forward(x).sum().add(x.sum()).backward();
        close(gradIn, [0.5, 0.3, -0.3]);
        close(vals(x.grad), [1.5, 1.3, 0.7]);

        class Product extends wg.nn.Module<(a: wg.Tensor, b: wg.Tensor) => wg.Tensor> {
          forward(a: wg.Tensor, b: wg.Tensor) {
            return a.mul(b);
          }
        }
        const bad = new Product();
        bad.registerFullBackwardHook(() => undefined);
        expect(() => bad.forward(leaf([1, 2]), leaf([3, 4]))).toThrow(
          /nn.Product.registerFullBackwardHook: supports a forward with at most one tensor that requires grad, this call passes 2/,
        );
        expect(vals(bad.forward(leaf([1, 2]), wg.tensor([3, 4])))).toEqual([3, 8]); // one that requires grad: fine
        const lstm = new wg.nn.LSTM(2, 2);
        lstm.registerFullBackwardHook(() => undefined);
        expect(() => lstm.forward(leaf([1, 2], [1, 1, 2]))).toThrow(/supports a forward that returns one Tensor/);
        const wrong = linear();
        wrong.registerFullBackwardHook(() => [null, null]);
        expect(() =>
          wrong
            .forward(leaf([1, 2, 3], [1, 3]))
            .sum()
            .backward(),
        ).toThrow(/a hook must return undefined or an array of 1 gradient\(s\)/);
        const compiled = linear();
        compiled.registerFullBackwardHook(() => undefined);
        expect(() => wg.compile((x: wg.Tensor) => compiled.forward(x).sum())(wg.tensor([[1, 2, 3]]))).toThrow(wg.CompileError);
      });

      test('under autograd.grad it fires where torch 1.13 does: not for the weight alone when the input requires grad', () => {
        const lin = linear();
        let fired = 0;
        lin.registerFullBackwardHook(() => void fired++);
        const counts = [leaf([1, 2, 3], [1, 3]), wg.tensor([[1, 2, 3]]), leaf([1, 2, 3], [1, 3])].map((x, k) => {
          fired = 0;
          wg.autograd.grad(lin.forward(x).sum(), k < 2 ? [lin.weight] : [x]);
          return fired;
        });
        expect(counts).toEqual([0, 1, 1]); // torch: [], [1], [1]
      });
    });

    describe('autograd.functional', () => {
      test('jacobian of one input and of two (torch values)', () => {
        const f = (x: wg.Tensor) => wg.stack([x.slice(0, 0, 1).mul(x.slice(0, 1, 2)), x.slice(0, 0, 1).exp(), x.slice(0, 1, 2).pow(3)]).reshape([3]);
        const J = wg.autograd.functional.jacobian(f, wg.tensor([1, 2])) as wg.Tensor;
        expect(J.shape).toEqual([3, 2]);
        close(vals(J), [2, 1, 2.7182818, 0, 0, 12]);
        const g = (x: wg.Tensor, w: wg.Tensor) => x.matmul(w).tanh();
        const x = wg.tensor([0.5, -1, 2, 0.25], { shape: [2, 2] });
        const w = wg.tensor([0.3, -0.7]);
        const [jx, jw] = wg.autograd.functional.jacobian(g, [x, w]) as wg.Tensor[];
        expect([jx.shape, jw.shape]).toEqual([
          [2, 2, 2],
          [2, 2],
        ]);
        close(vals(jx), [0.1567, -0.3657, 0, 0, 0, 0, 0.2517, -0.5874], 2e-4);
        close(vals(jw), [0.2612, -0.5224, 1.6782, 0.2098], 2e-4);
        const [j1, j2] = wg.autograd.functional.jacobian((a) => [a.mul(a), a.sum()], wg.tensor([1, 2])) as wg.Tensor[];
        expect([vals(j1), vals(j2)]).toEqual([
          [2, 0, 0, 4],
          [1, 1],
        ]);
        const [[ja, jb]] = wg.autograd.functional.jacobian((a) => [a.mul(2)], [wg.tensor([1, 2]), wg.tensor([3])]) as wg.Tensor[][];
        expect([vals(ja), vals(jb), jb.shape]).toEqual([
          [2, 0, 0, 2],
          [0, 0],
          [2, 1],
        ]);
      });

      test("results live on the inputs' backend, whichever is current", () => {
        const other = be === 'wasm' ? 'reference' : 'wasm';
        wg.setBackend(other);
        const x = wg.tensor([1, 2]);
        wg.setBackend(be);
        const J = wg.autograd.functional.jacobian((a) => a.mul(a), x) as wg.Tensor;
        const [, v] = wg.autograd.functional.vjp((a) => a.mul(2).sum(), [x, x]) as [wg.Tensor, wg.Tensor[]];
        expect([J.storage.backend.name, v[1].storage.backend.name]).toEqual([other, other]);
        expect([vals(J), vals(v[0]), vals(v[1])]).toEqual([
          [2, 0, 0, 4],
          [2, 2],
          [0, 0],
        ]);
      });

      test('a loop calling vjp and jacobian keeps memory flat; an output that is an input stays readable', () => {
        const heap = backend(be).heap;
        const x = wg.tensor(
          fill(4096, (i) => Math.cos(i)),
          { shape: [64, 64] },
        );
        const step = () => {
          wg.autograd.functional.vjp((a) => a.mul(a).sum(), x);
          wg.autograd.functional.jacobian((a) => a.sum(), x);
        };
        const [same, ones] = wg.autograd.functional.vjp((a) => a, wg.tensor([1, 2]), [1, 1]) as [wg.Tensor, wg.Tensor]; // fn returned its input
        for (let i = 0; i < 10; i++) step();
        const after = heap.inUse;
        for (let i = 0; i < 40; i++) step();
        expect(heap.inUse).toBeLessThanOrEqual(after);
        expect([vals(same), vals(ones)]).toEqual([
          [1, 2],
          [1, 1],
        ]);
      });

      test('vjp (torch values) and its errors', () => {
        const g = (x: wg.Tensor, w: wg.Tensor) => x.matmul(w).tanh();
        const x = wg.tensor([0.5, -1, 2, 0.25], { shape: [2, 2] });
        const w = wg.tensor([0.3, -0.7]);
        const [out, [vx, vw]] = wg.autograd.functional.vjp(g, [x, w], wg.tensor([1, -2])) as [wg.Tensor, wg.Tensor[]];
        close(vals(out), [0.6911, 0.4011], 2e-4);
        expect(out.requiresGrad).toBe(false);
        close(vals(vx), [0.1567, -0.3657, -0.5035, 1.1747], 2e-4);
        close(vals(vw), [-3.0952, -0.942], 2e-4);
        const [s, v] = wg.autograd.functional.vjp((a) => a.mul(a).sum(), wg.tensor([1, 2, 3])) as [wg.Tensor, wg.Tensor];
        expect([s.item(), vals(v)]).toEqual([14, [2, 4, 6]]);
        expect(x.requiresGrad).toBe(false); // the inputs are copied, not changed
        expect(() => wg.autograd.functional.vjp(g, [x, w])).toThrow(wg.AutogradError);
        expect(() => wg.autograd.functional.vjp(() => 3 as never, x)).toThrow(/must return a Tensor or an array of Tensors, got 3/);
        expect(() => wg.autograd.functional.jacobian(g, wg.tensor([1], { dtype: 'int32' }))).toThrow(wg.DTypeError);
        expect(() => wg.autograd.functional.jacobian(3 as never, x)).toThrow(wg.ValueError);
      });

      test('vjp: an output that does not depend on the inputs adds zero (torch strict=False: [1] and [0, 0]; [2, 2])', () => {
        const [o, v] = wg.autograd.functional.vjp(() => wg.ones([]), wg.tensor([1, 2])) as [wg.Tensor, wg.Tensor];
        expect([o.item(), vals(v)]).toEqual([1, [0, 0]]);
        const two = (a: wg.Tensor) => [a.mul(2), wg.ones([3])];
        const [, v2] = wg.autograd.functional.vjp(two, wg.tensor([1, 2]), [wg.tensor([1, 1]), wg.tensor([1, 2, 3])]) as [wg.Tensor[], wg.Tensor];
        expect(vals(v2)).toEqual([2, 2]);
        // its seed is still checked (torch: "v has invalid size")
        expect(() => wg.autograd.functional.vjp(() => wg.ones([3]), wg.tensor([1, 2]), wg.tensor([1, 2]))).toThrow(wg.ShapeError);
      });
    });

    describe('inside wg.compile', () => {
      test('retainGrad, registerHook and autograd.grad are CompileErrors naming them; a hooked parameter too', () => {
        const p = leaf([1, 2]);
        const bad = [
          [(x: wg.Tensor) => x.mul(p).retainGrad(), /retainGrad: retainGrad\(\)/],
          [(x: wg.Tensor) => x.mul(p).registerHook((g) => g), /registerHook: a tensor hook \(registerHook\) cannot run inside wg.compile/],
          [(x: wg.Tensor) => wg.autograd.grad(x.mul(p).sum(), p), /autograd.grad: wg.autograd.grad cannot run inside wg.compile/],
        ] as const;
        for (const [fn, msg] of bad) expect(() => wg.compile(fn)(wg.tensor([1, 1]))).toThrow(msg);
        const h = p.registerHook((g) => g);
        const step = wg.compile((x: wg.Tensor) => x.mul(p).sum().backward());
        expect(() => step(wg.tensor([1, 1]))).toThrow(wg.CompileError);
        expect(() => step(wg.tensor([1, 1]))).toThrow(
          /backward: backward\(\) through a tensor with a hook \(registerHook\) or retainGrad\(\) cannot run inside wg.compile/,
        );
        h.remove();
      });

      test("backward's inputs naming leaves replays fast, as eager: only those leaves get gradients", () => {
        const run = (compiled: boolean) => {
          const w = leaf([0.5, -1, 2]);
          const b = leaf([0.25]);
          const fn = (x: wg.Tensor) => {
            const loss = x.mul(w).add(b).tanh().sum();
            loss.backward(undefined, { inputs: [w] });
            return loss;
          };
          const step = compiled ? wg.compile(fn) : fn;
          for (let k = 0; k < 5; k++) step(wg.tensor([1, 2, 3].map((v) => v * (k + 1))));
          return { w, b, info: compiled ? (step as ReturnType<typeof wg.compile>).replayInfo() : null };
        };
        const eager = run(false);
        const comp = run(true);
        // the first call finds no gradient, the others accumulate: two programs, the second replayed fast
        expect(comp.info!.map((i) => [i.variant, i.mode])).toEqual([
          [0, 'pending'],
          [1, 'fast'],
        ]);
        expect(comp.b.grad).toBeNull();
        close(vals(comp.w.grad), vals(eager.w.grad));
        expect(eager.b.grad).toBeNull();
      });

      test('forward hooks run on every call of a compiled step (its JavaScript re-runs), with the eager losses', () => {
        wg.manualSeed(11);
        const model = new wg.nn.Sequential(new wg.nn.Linear(3, 4), new wg.nn.Tanh(), new wg.nn.Linear(4, 1));
        let calls = 0;
        model.at(0).registerForwardHook((_m, _a, out) => {
          calls++;
          return (out as wg.Tensor).mul(0.5);
        });
        const x = wg.tensor(
          fill(6, (i) => Math.cos(i)),
          { shape: [2, 3] },
        );
        const eager = model.forward(x).sum().item();
        const step = wg.compile((xb: wg.Tensor) => model.forward(xb).sum(), { warn: false });
        const got = [step(x).item(), step(x).item(), step(x).item()];
        expect(calls).toBe(4);
        const [info] = step.replayInfo();
        expect([info.mode, info.reason]).toEqual(['rerun', 'nn.Linear has forward hooks (JavaScript that runs on every call)']);
        got.forEach((v) => expect(v).toBeCloseTo(eager, 5));
      });
    });

    test('a hook pass holds the memory turn-over while hooks run ops (the graph below the hook stays where its records point)', () => {
      const [words, largest] = [lifetimes.turnOverWords, lifetimes.largestStep];
      const xv = fill(17, (i) => i * 0.1 - 0.8);
      const x = leaf(xv);
      const b = x.mul(x).tanh();
      const h = b.mul(b);
      h.registerHook((g) => g.add(wg.zeros([17])).mul(1));
      const loss = h.sum();
      lifetimes.turnOverWords = 1; // without the hold, every op a hook runs would turn the generations over
      lifetimes.largestStep = 0;
      try {
        loss.backward();
      } finally {
        [lifetimes.turnOverWords, lifetimes.largestStep] = [words, largest];
      }
      // d/dx tanh(x²)² = 2 tanh(x²) (1 − tanh²(x²)) 2x
      close(
        vals(x.grad),
        xv.map((v) => 4 * v * Math.tanh(v * v) * (1 - Math.tanh(v * v) ** 2)),
      );
    });
  });
}
