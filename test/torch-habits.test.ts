/**
 * PyTorch names ported code reaches for that wasmgrad answers trivially: the complex-number names
 * on real tensors (conj, angle, adjoint, …) and F's older names (max_pool2d_with_indices,
 * upsample_bilinear, …); and training-code habits translated line by line (torch's keyword and
 * positional forms of backward, zero_grad, register_buffer, load_state_dict, set_grad_enabled as a
 * context, ModuleDict's dict methods, JSON of a state dict). Expected values are PyTorch 1.13's.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';
import { expectClose } from './helpers/expect.js';

beforeAll(async () => {
  await initWasm();
});

const F = wg.nn.functional;
const r6 = (t: wg.Tensor) => Array.from(t.data(), (v) => Math.round(v * 1e6) / 1e6);

for (const be of ['wasm', 'reference'] as const)
  describe(`PyTorch habits on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('complex-number names of a real tensor', () => {
      const x = wg.tensor([1, -2, 0, NaN, -0, -Infinity], { requiresGrad: true });
      // torch: conj(x) is x, resolve_conj(x) is x, resolve_neg(x) is x, real(x) is x, conj_physical(x) is x
      for (const f of [wg.conj, wg.conjPhysical, wg.resolveConj, wg.resolveNeg, wg.real]) expect(f(x)).toBe(x);
      expect([x.conj(), x.conjPhysical(), x.resolveConj(), x.resolveNeg(), x.isConj(), x.isNeg(), wg.isConj(x)]).toEqual([x, x, x, x, false, false, false]);
      expect(() => wg.imag(x)).toThrow('wasmgrad.imag: imag is not implemented for tensors with non-complex dtypes');
      // torch.angle(x) → [0, π, 0, nan, 0, π] (AngleBackward0); angle(x).sum().backward() → zeros
      const a = x.angle();
      expect([a.requiresGrad, Array.from(a.data())]).toEqual([true, [0, Math.fround(Math.PI), 0, NaN, 0, Math.fround(Math.PI)]]);
      a.sum().backward();
      expect(x.grad!.toArray()).toEqual([0, 0, 0, 0, 0, 0]);
      // torch.angle(tensor([3, -1, 0])) → float [0, π, 0]
      const ai = wg.angle(wg.tensor([3, -1, 0], { dtype: 'int32' }));
      expect([ai.dtype, r6(ai)]).toEqual(['float32', [0, 3.141593, 0]]);
      // torch.adjoint(ones(2, 3)).shape → [3, 2]; 1-D: "only supported on matrices or batches of matrices"
      expect([wg.adjoint(wg.ones([2, 3])).shape, wg.ones([4, 2, 3]).adjoint().shape]).toEqual([
        [3, 2],
        [4, 3, 2],
      ]);
      expect(() => wg.adjoint(wg.ones([3]))).toThrow('wasmgrad.adjoint: is only supported on matrices or batches of matrices, got shape [3]');
    });

    test('the random fills exponential_, cauchy_, logNormal_, geometric_, random_ (seeded stream) and fillDiagonal_', () => {
      wg.manualSeed(3);
      const z = () => wg.zeros([2000]);
      const mean = (t: wg.Tensor) => t.mean().item();
      // sample means within ~4.5 standard errors of the distributions' means (the draws differ from torch's generator)
      expect(Math.abs(mean(z().exponential_(2)) - 0.5)).toBeLessThan(0.05);
      expect(Math.abs(mean(z().logNormal_(0, 0.5)) - Math.exp(0.125))).toBeLessThan(0.06);
      const g = z().geometric_(0.25);
      expect([Math.abs(mean(g) - 4) < 0.35, g.data().every((v) => Number.isInteger(v) && v >= 1)]).toEqual([true, true]);
      expect(Math.abs(Array.from(z().cauchy_(1, 2).data()).sort((a, b) => a - b)[1000] - 1)).toBeLessThan(0.3);
      const r = wg.zeros([500], { dtype: 'int32' }).random_(3, 7);
      expect([r.dtype, [...new Set(r.data())].sort()]).toEqual(['int32', [3, 4, 5, 6]]);
      expect([...new Set(wg.zeros([500]).random_(2).data())].sort()).toEqual([0, 1]);
      expect(
        wg
          .zeros([100])
          .random_()
          .data()
          .every((v) => Number.isInteger(v) && v >= 0 && v <= 2 ** 24),
      ).toBe(true);
      expect(() => wg.zeros([3]).random_(5, 2)).toThrow("wasmgrad.random_: expects 'from' to be less than 'to', got from = 5 ≥ to = 2");
      expect(() => wg.zeros([3]).geometric_(0)).toThrow('wasmgrad.geometric_: expects p in (0, 1), got 0');
      expect(() => wg.zeros([3]).exponential_(-1)).toThrow('wasmgrad.exponential_: expects lambda ≥ 0, got -1');
      expect(() => wg.zeros([3]).logNormal_(0, -1)).toThrow('wasmgrad.logNormal_: expects std > 0, got -1');
      expect(() => wg.zeros([3], { dtype: 'int32' }).exponential_()).toThrow(wg.DTypeError);
      expect(() => wg.zeros([3], { requiresGrad: true }).cauchy_()).toThrow(/^wasmgrad\.cauchy_: a leaf tensor \[3\] that requires grad/);
      // torch: zeros(7, 3).fill_diagonal_(5, wrap=True); zeros(3, 5).fill_diagonal_(5); zeros(2, 2, 2).fill_diagonal_(5)
      expect(wg.zeros([7, 3]).fillDiagonal_(5, true).toArray()).toEqual([[5, 0, 0], [0, 5, 0], [0, 0, 5], [0, 0, 0], [5, 0, 0], [0, 5, 0], [0, 0, 5]]); // prettier-ignore
      expect(wg.zeros([7, 3]).fillDiagonal_(5).sum().item()).toBe(15);
      expect(wg.zeros([3, 5]).fillDiagonal_(5).toArray()).toEqual([[5, 0, 0, 0, 0], [0, 5, 0, 0, 0], [0, 0, 5, 0, 0]]); // prettier-ignore
      expect(wg.zeros([2, 2, 2]).fillDiagonal_(5).toArray()).toEqual([[[5, 0], [0, 0]], [[0, 0], [0, 5]]]); // prettier-ignore
      // a = zeros(2, 2, requires_grad=True); b = a * 2; b.fill_diagonal_(1); b.sum().backward() → a.grad [[0, 2], [2, 0]]
      const a = wg.zeros([2, 2], { requiresGrad: true });
      const b = a.mul(2).fillDiagonal_(1);
      b.sum().backward();
      expect(a.grad!.toArray()).toEqual([[0, 2], [2, 0]]); // prettier-ignore
      expect(() => wg.zeros([2, 3, 2]).fillDiagonal_(1)).toThrow(
        'wasmgrad.fillDiagonal_: all dimensions of input must be of equal length, got shape [2, 3, 2]',
      );
      expect(() => wg.zeros([3]).fillDiagonal_(1)).toThrow('wasmgrad.fillDiagonal_: dimensions must be larger than 1, got shape [3]');
    });

    test("F's older names: the pools with indices, upsample, native channel shuffle", () => {
      // F.max_pool2d_with_indices(x, 2, 1) → [7, 9, 8, 9], [3, 5, 7, 5]
      const [o, i] = F.maxPool2dWithIndices(wg.tensor([[[[1, 5, 2], [7, 3, 9], [4, 8, 6]]]]), 2, { stride: 1 }); // prettier-ignore
      expect([o.toArray(), i.toArray()]).toEqual([[[[[7, 9], [8, 9]]]], [[[[3, 5], [7, 5]]]]]); // prettier-ignore
      // F.adaptive_max_pool1d_with_indices([[[1, 5, 2, 7]]], 2) → [5, 7], [1, 3]
      const [o1, i1] = F.adaptiveMaxPool1dWithIndices(wg.tensor([[[1, 5, 2, 7]]]), 2);
      expect([o1.toArray(), i1.toArray()]).toEqual([[[[5, 7]]], [[[1, 3]]]]);
      const [o3] = F.maxPool3dWithIndices(wg.ones([1, 1, 2, 2, 2]), 2);
      const [a2] = F.adaptiveMaxPool2dWithIndices(wg.ones([1, 1, 2, 2]), 1);
      const [a3] = F.adaptiveMaxPool3dWithIndices(wg.ones([1, 1, 2, 2, 2]), 1);
      const [m1] = F.maxPool1dWithIndices(wg.ones([1, 1, 4]), 2);
      expect([o3.shape, a2.shape, a3.shape, m1.shape]).toEqual([
        [1, 1, 1, 1, 1],
        [1, 1, 1, 1],
        [1, 1, 1, 1, 1],
        [1, 1, 2],
      ]);
      const x = wg.tensor([
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      ]);
      // F.upsample_bilinear(x, scale_factor=2): align_corners=True
      expect(r6(F.upsampleBilinear(x, { scaleFactor: 2 }))).toEqual([
        1, 1.333333, 1.666667, 2, 1.666667, 2, 2.333333, 2.666667, 2.333333, 2.666667, 3, 3.333333, 3, 3.333333, 3.666667, 4,
      ]);
      // F.upsample_nearest(x, size=3); F.upsample(x, scale_factor=2, mode='bilinear', align_corners=False)
      expect(Array.from(F.upsampleNearest(x, { size: 3 }).data())).toEqual([1, 1, 2, 1, 1, 2, 3, 3, 4]);
      expect(Array.from(F.upsample(x, { scaleFactor: 2, mode: 'bilinear' }).data())).toEqual([
        1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4,
      ]);
      expect(() => F.upsampleBilinear(x, { scaleFactor: 2, mode: 'nearest' } as never)).toThrow("wasmgrad.upsampleBilinear: unknown option 'mode'");
      // F.native_channel_shuffle(arange(8.).reshape(1, 4, 2), 2) → [0, 1, 4, 5, 2, 3, 6, 7]
      expect(Array.from(F.nativeChannelShuffle(wg.arange(8).reshape([1, 4, 2]), 2).data())).toEqual([0, 1, 4, 5, 2, 3, 6, 7]);
    });
    test("backward's keyword and positional forms: backward({ retainGraph }), backward(gradient, retainGraph), backward({ gradient })", () => {
      // x = tensor([2.], requires_grad=True); y = x.exp() * x; y.backward(retain_graph=True); y.backward() → x.grad [44.334335]
      const x = wg.tensor([2], { requiresGrad: true });
      const y = x.exp().mul(x);
      y.backward({ retainGraph: true });
      y.backward();
      expect(x.grad!.item()).toBeCloseTo(44.334335, 4);
      // x = tensor([1., 2., 3.], requires_grad=True); (x * x).backward(tensor([1, .1, .01]), True) → [2, 0.4, 0.06]
      const u = wg.tensor([1, 2, 3], { requiresGrad: true });
      const sq = u.mul(u);
      sq.backward(wg.tensor([1, 0.1, 0.01]), true);
      sq.backward({ gradient: wg.tensor([1, 0.1, 0.01]) });
      expect(r6(u.grad!)).toEqual([4, 0.8, 0.12]);
      // (x * w).sum().backward(inputs=[w]) → x.grad None, w.grad [1]
      const a = wg.tensor([1], { requiresGrad: true });
      const w = wg.tensor([2], { requiresGrad: true });
      a.mul(w)
        .sum()
        .backward({ inputs: [w] });
      expect([a.grad, w.grad!.toArray()]).toEqual([null, [1]]);
      expect(() =>
        x
          .exp()
          .sum()
          .backward({ retainGraf: true } as never),
      ).toThrow("wasmgrad.backward: unknown option 'retainGraf'");
    });

    test("setGradEnabled(mode, fn) is torch's `with set_grad_enabled(mode):` (the mode restored after)", () => {
      const x = wg.ones([2], { requiresGrad: true });
      // with torch.set_grad_enabled(False): y = x * 2 → y.requires_grad False; is_grad_enabled() True after
      const y = wg.setGradEnabled(false, () => x.mul(2));
      expect([y.requiresGrad, wg.isGradEnabled()]).toEqual([false, true]);
      const z = wg.noGrad(() => wg.setGradEnabled(true, () => x.mul(2)));
      expect([z.requiresGrad, wg.isGradEnabled()]).toEqual([true, true]);
      expect(() => wg.setGradEnabled(false, 3 as never)).toThrow('wasmgrad.setGradEnabled: fn must be a function');
      expect(wg.isGradEnabled()).toBe(true);
    });

    test("zeroGrad({ setToNone }), registerBuffer(name, t, { persistent }), loadStateDict(sd, strict) as torch's keyword and positional forms", () => {
      const m = new wg.nn.Sequential(new wg.nn.Linear(3, 4), new wg.nn.ReLU(), new wg.nn.Linear(4, 2));
      const opt = new wg.optim.SGD(m.parameters(), { lr: 0.1 });
      const w = (m.at(0) as wg.nn.Linear).weight;
      m.forward(wg.ones([2, 3]))
        .sum()
        .backward();
      m.zeroGrad({ setToNone: false }); // torch: m.zero_grad(set_to_none=False) → zeros
      expect(w.grad!.sum().item()).toBe(0);
      opt.zeroGrad({ setToNone: true });
      expect(w.grad).toBe(null);
      m.zeroGrad({});
      expect(() => opt.zeroGrad({ setToNone: 1 } as never)).toThrow('wasmgrad.optim.SGD.zeroGrad: setToNone must be a boolean, got 1');
      expect(() => m.zeroGrad({ set_to_none: true } as never)).toThrow("wasmgrad.nn.Sequential.zeroGrad: unknown option 'set_to_none'");
      // mm.register_buffer('steps', zeros(1), persistent=False); mm.register_buffer('running', ones(2)) → state dict ['running'], buffers ['steps', 'running']
      const mm = new wg.nn.Sequential();
      mm.registerBuffer('steps', wg.zeros([1]), { persistent: false });
      mm.registerBuffer('running', wg.ones([2]), {});
      expect([Object.keys(mm.stateDict()), mm.namedBuffers().map(([n]) => n)]).toEqual([['running'], ['steps', 'running']]);
      // sd without '0.bias', with 'extra': m.load_state_dict(sd, False) → missing ['0.bias'], unexpected ['extra']
      const sd = m.stateDict();
      const partial: Record<string, wg.Tensor> = { ...sd, extra: wg.zeros([1]) };
      delete partial['0.bias'];
      expect(m.loadStateDict(partial, false)).toEqual({ missingKeys: ['0.bias'], unexpectedKeys: ['extra'] });
      expect(() => m.loadStateDict(partial, true)).toThrow(wg.StateDictError);
    });

    test("ModuleDict's dict methods: items(), update(), length, iteration", () => {
      // md = ModuleDict({'a': Linear(2, 2), 'b': ReLU()}); md.update({'c': Tanh(), 'a': Sigmoid()}) → keys [a, b, c], md['a'] Sigmoid
      const md = new wg.nn.ModuleDict<wg.nn.Module>({ a: new wg.nn.Linear(2, 2), b: new wg.nn.ReLU() });
      const sig = new wg.nn.Sigmoid();
      expect(md.update({ c: new wg.nn.Tanh(), a: sig })).toBe(md);
      expect([md.length, md.items().map(([k]) => k), [...md].map(([k]) => k), md.get('a')]).toEqual([3, ['a', 'b', 'c'], ['a', 'b', 'c'], sig]);
      expect(Object.keys(md.stateDict())).toEqual([]);
      md.update([['d', new wg.nn.Linear(1, 1)]]);
      expect(Object.keys(md.stateDict())).toEqual(['d.weight', 'd.bias']);
      expect(() => md.update([['e']] as never)).toThrow('wasmgrad.nn.ModuleDict: expects an object or [key, module] entries, got the entry');
    });

    test("JSON.stringify of a tensor and of an optimizer's state dict gives nested lists, which loadStateDict takes back", () => {
      expect(JSON.stringify(wg.tensor([[1, 2], [3, NaN]]))).toBe('[[1,2],[3,null]]'); // prettier-ignore
      expect(JSON.stringify({ t: wg.tensor(0.5) })).toBe('{"t":0.5}');
      // w = Parameter([1., 2.]); SGD([w], lr=0.1, momentum=0.9); (w.sum() * 2).backward(); step()
      // → state {0: {momentum_buffer: [2., 2.]}}, w [0.8, 1.8]; a second step gives w [0.42, 1.42]
      const run = (load?: string) => {
        const w = wg.tensor([0.8, 1.8], { requiresGrad: true });
        const opt = new wg.optim.SGD([w], { lr: 0.1, momentum: 0.9 });
        if (load !== undefined) opt.loadStateDict(JSON.parse(load));
        return { w, opt };
      };
      const w0 = wg.tensor([1, 2], { requiresGrad: true });
      const opt0 = new wg.optim.SGD([w0], { lr: 0.1, momentum: 0.9 });
      w0.sum().mul(2).backward();
      opt0.step();
      const saved = JSON.stringify(opt0.stateDict());
      expect(JSON.parse(saved).state).toEqual({ 0: { momentum_buffer: [2, 2] } });
      const { w, opt } = run(saved);
      w.sum().mul(2).backward();
      opt.step();
      expect(r6(w)).toEqual([0.42, 1.42]);
      expect(() => run(saved.replace('[2,2]', '[2,[2]]'))).toThrow("state[0].momentum_buffer is not a tensor's nested list");
    });
    test("a field set to a module or an nn.Parameter registers it, as torch's Module.__setattr__ (class fields, assignments, replacements)", () => {
      class Net extends wg.nn.Module {
        scale = new wg.nn.Parameter(wg.tensor([2]));
        fc: wg.nn.Linear;
        frozen = new wg.nn.Parameter(wg.ones([1]), false);
        constructor() {
          super();
          this.fc = new wg.nn.Linear(2, 1);
          this.plain = wg.ones([1], { requiresGrad: true }); // a tensor that is no Parameter: not registered (torch too)
        }
        plain: wg.Tensor;
        forward(x: wg.Tensor) {
          return this.fc.forward(x).mul(this.scale).add(this.frozen);
        }
      }
      const n = new Net();
      wg.noGrad(() => {
        n.fc.weight.copy_(wg.tensor([[0.5, -0.5]]));
        n.fc.bias!.fill_(0.1);
      });
      // torch: named_parameters ['scale', 'frozen', 'fc.weight', 'fc.bias']; 4 trainable elements
      expect([n.namedParameters().map(([k]) => k), Object.keys(n.stateDict()), n.numParameters(true)]).toEqual([
        ['scale', 'frozen', 'fc.weight', 'fc.bias'],
        ['scale', 'frozen', 'fc.weight', 'fc.bias'],
        4,
      ]);
      // SGD(lr=0.1), x [[1, 2], [3, -1]], y [[1], [0]], mse → loss 13.839998; scale [0.876], fc.weight [[-2.46, 0.86]], fc.bias [-0.78], frozen [1]
      const opt = new wg.optim.SGD(n.parameters(), { lr: 0.1 });
      const loss = n
        .forward(
          wg.tensor([
            [1, 2],
            [3, -1],
          ]),
        )
        .sub(wg.tensor([[1], [0]]))
        .square()
        .mean();
      loss.backward();
      opt.step();
      expect(loss.item()).toBeCloseTo(13.839998, 4);
      expect([r6(n.scale), r6(n.fc.weight), r6(n.fc.bias!), r6(n.frozen)]).toEqual([[0.876], [-2.46, 0.86], [-0.78], [1]]);
      // n.fc = nn.Linear(2, 3): replaced in its place; isinstance(n.fc.weight, nn.Parameter) True, of a plain tensor False
      const fc3 = new wg.nn.Linear(2, 3);
      n.fc = fc3;
      expect([n.getSubmodule('fc'), n.namedParameters().map(([k]) => k)]).toEqual([fc3, ['scale', 'frozen', 'fc.weight', 'fc.bias']]);
      expect([n.fc.weight instanceof wg.nn.Parameter, n.scale instanceof wg.nn.Parameter, wg.ones([1]) instanceof wg.nn.Parameter]).toEqual([
        true,
        true,
        false,
      ]);
      // p = nn.Parameter(t) shares t's memory: p.add_(1) under no_grad → t [1, 1]
      const t = wg.zeros([2]);
      const p = new wg.nn.Parameter(t);
      wg.noGrad(() => p.add_(1));
      expect([t.toArray(), p.isLeaf, p.requiresGrad]).toEqual([[1, 1], true, true]);
      expect(() => new wg.nn.Parameter(wg.zeros([2], { dtype: 'int32' }))).toThrow(
        'wasmgrad.nn.Parameter: only float32 tensors can be parameters, got an int32 tensor of shape [2]',
      );
    });

    test("m.addModule(name, child) then m.name, seq[0]; assigning a container's child by field is refused", () => {
      // m = nn.Module(); m.add_module('fc', nn.Linear(1, 2)); m.fc.out_features → 2; Sequential(Linear, ReLU)[0] → Linear
      const m = new (class extends wg.nn.Module {
        forward(x: wg.Tensor) {
          return x;
        }
      })();
      const fc = m.addModule('fc', new wg.nn.Linear(1, 2));
      expect((m as unknown as { fc: wg.nn.Linear }).fc).toBe(fc);
      const relu = new wg.nn.ReLU();
      (m as unknown as { fc: wg.nn.Module }).fc = relu; // torch: m.fc = nn.ReLU() replaces the child
      expect(m.namedChildren()).toEqual([['fc', relu]]);
      const seq = new wg.nn.Sequential(new wg.nn.Linear(1, 1), new wg.nn.ReLU());
      const s = seq as unknown as Record<number | string, wg.nn.Module>;
      expect([s[0], s[1], s[2]]).toEqual([seq.at(0), seq.at(1), undefined]);
      expect(() => (s[0] = new wg.nn.Tanh())).toThrow("wasmgrad.nn.Sequential.0: a container's children are set by its methods");
      expect(() => (s.extra = new wg.nn.Tanh())).toThrow("wasmgrad.nn.Sequential.extra: a container's children are set by its methods");
      expect(seq.length).toBe(2);
    });
    test("the schedulers take torch's positional form: StepLR(opt, 2, 0.5), LambdaLR(opt, fn), SequentialLR(opt, [a, b], [2]), …", () => {
      const L = wg.optim.lrScheduler;
      const run = (make: (o: wg.optim.SGD) => { step(): void }) => {
        const o = new wg.optim.SGD([wg.zeros([1], { requiresGrad: true })], { lr: 1 });
        const s = make(o);
        return Array.from({ length: 4 }, () => {
          o.step();
          s.step();
          return Math.round(o.paramGroups[0].lr * 1e6) / 1e6;
        });
      };
      // torch: StepLR(o, 2, 0.5); MultiStepLR(o, [1, 3], 0.1); LambdaLR(o, lambda e: 0.9 ** e);
      // SequentialLR(o, [LinearLR(o, 0.25, 1.0, 2), ExponentialLR(o, 0.5)], [2]); OneCycleLR(o, 1.0, 7); CosineAnnealingLR(o, 4, 0.1)
      expect(run((o) => new L.StepLR(o, 2, 0.5))).toEqual([1, 0.5, 0.5, 0.25]);
      expect(run((o) => new L.MultiStepLR(o, [1, 3], 0.1))).toEqual([0.1, 0.1, 0.01, 0.01]);
      expect(run((o) => new L.LambdaLR(o, (e) => 0.9 ** e))).toEqual([0.9, 0.81, 0.729, 0.6561]);
      expect(run((o) => new L.SequentialLR(o, [new L.LinearLR(o, 0.25, 1, 2), new L.ExponentialLR(o, 0.5)], [2]))).toEqual([0.625, 1, 0.5, 0.25]);
      expect(run((o) => new L.OneCycleLR(o, 1, 7))).toEqual([0.980557, 0.919044, 0.672684, 0.357739]);
      expect(run((o) => new L.CosineAnnealingLR(o, 4, 0.1))).toEqual([0.868198, 0.55, 0.231802, 0.1]);
      expect(run((o) => new L.StepLR(o, 2, { gamma: 0.5 } as never))).toEqual([1, 0.5, 0.5, 0.25]);
      const o = new wg.optim.SGD([wg.zeros([1], { requiresGrad: true })], { lr: 1 });
      expect(() => new L.StepLR(o, ...([2, 0.5, -1] as unknown as [number]))).toThrow('wasmgrad.optim.lr.StepLR: takes 2 arguments (stepSize, gamma), got 3');
      expect(() => new L.StepLR(o, 2, { stepSize: 3 } as never)).toThrow("wasmgrad.optim.lr.StepLR: got 'stepSize' both as an argument and as an option");
    });

    test("clipGradNorm_/clipGradValue_ take torch's forms: (params, 1, 'inf'), (params, { maxNorm }), (params, { clipValue })", () => {
      const grads = () => {
        const p1 = wg.tensor([3, 4], { requiresGrad: true });
        p1.grad = wg.tensor([3, 4]);
        return p1;
      };
      // torch: clip_grad_norm_(p1, 1.0, norm_type='inf') → 4, p1.grad [0.75, 1] (times 1/(4 + 1e-6))
      const p1 = grads();
      expect(wg.nn.utils.clipGradNorm_(p1, 1, 'inf' as never).item()).toBe(4);
      expect(r6(p1.grad!)).toEqual([0.75, 1]);
      // clip_grad_norm_(p1, max_norm=1.0) → 5
      expect(wg.nn.utils.clipGradNorm_(grads(), { maxNorm: 1 }).item()).toBe(5);
      // clip_grad_value_([p], clip_value=3.5) with grad [3, -4] → [3, -3.5]
      const p2 = grads();
      p2.grad = wg.tensor([3, -4]);
      wg.nn.utils.clipGradValue_([p2], { clipValue: 3.5 });
      expect(p2.grad!.toArray()).toEqual([3, -3.5]);
      expect(() => wg.optim.clipGradNorm([p2], 1, { foreach: true } as never)).toThrow("wasmgrad.optim.clipGradNorm: unknown option 'foreach'");
    });

    test("optimizers take torch's positional hyperparameters: SGD(params, 0.1, 0.9), Adam(params, 0.01), …", () => {
      // torch: w = Parameter([1., 2.]); O([w], *args); twice: zero_grad, (w * w).sum().backward(), step
      const cases: [string, (w: wg.Tensor) => wg.optim.Optimizer, number[]][] = [
        // name, torch call, torch's w
        ['SGD(0.1, 0.9)', (w) => new wg.optim.SGD([w], 0.1, 0.9), [0.46, 0.92]],
        ['Adam(0.01)', (w) => new wg.optim.Adam([w], 0.01), [0.980003, 1.980001]],
        ['AdamW(0.01, (0.8, 0.9))', (w) => new wg.optim.AdamW([w], 0.01, [0.8, 0.9]), [0.979804, 1.979603]],
        ['RMSprop(0.01, 0.9)', (w) => new wg.optim.RMSprop([w], 0.01, 0.9), [0.945788, 1.94561]],
        ['Adagrad(0.1)', (w) => new wg.optim.Adagrad([w], 0.1), [0.833104, 1.831125]],
        ['Adadelta(0.5, 0.8)', (w) => new wg.optim.Adadelta([w], 0.5, 0.8), [0.997704, 1.997704]],
        ['Adamax(0.01)', (w) => new wg.optim.Adamax([w], 0.01), [0.980043, 1.980016]],
        ['RAdam(0.01)', (w) => new wg.optim.RAdam([w], 0.01), [0.960211, 1.920421]],
        ['Rprop(0.01, (0.4, 1.1))', (w) => new wg.optim.Rprop([w], 0.01, [0.4, 1.1]), [0.979, 1.979]],
        ['ASGD(0.01)', (w) => new wg.optim.ASGD([w], 0.01), [0.960398, 1.920796]],
      ];
      for (const [, make, want] of cases) {
        const w = wg.tensor([1, 2], { requiresGrad: true });
        const opt = make(w);
        for (let i = 0; i < 2; i++) {
          opt.zeroGrad();
          w.mul(w).sum().backward();
          opt.step();
        }
        expectClose(w.data(), want, 2e-6);
      }
      const w = wg.tensor([1], { requiresGrad: true });
      expect(new wg.optim.SGD([w], 0.1, { momentum: 0.5 } as never).paramGroups[0].momentum).toBe(0.5);
      // NAdam(params, lr, betas, eps, weight_decay, momentum_decay)
      const g = new wg.optim.NAdam([w], 0.01, [0.8, 0.9], 1e-7, 0, 0.005).paramGroups[0];
      expect([g.lr, g.betas, g.eps, g.momentumDecay]).toEqual([0.01, [0.8, 0.9], 1e-7, 0.005]);
      expect(new wg.optim.SparseAdam([w], 0.05).paramGroups[0].lr).toBe(0.05);
      // LBFGS([p], 0.5, 5, None, 1e-7, 1e-9, 10, 'strong_wolfe'): max_eval None → 6; one step on
      // ((p − [3, 1])² + 0.1·p⁴).sum() from [1.5, −0.5] → [1.8052544593811035, 0.8324204087257385]
      const p = wg.tensor([1.5, -0.5], { requiresGrad: true });
      const lbfgs = new wg.optim.LBFGS([p], 0.5, 5, null, 1e-7, 1e-9, 10, 'strong_wolfe');
      expect([lbfgs.lr, lbfgs.maxIter, lbfgs.maxEval, lbfgs.historySize, lbfgs.lineSearchFn]).toEqual([0.5, 5, 6, 10, 'strong_wolfe']);
      lbfgs.step(() => {
        lbfgs.zeroGrad();
        const l = p
          .sub(wg.tensor([3, 1]))
          .pow(2)
          .sum()
          .add(p.pow(4).sum().mul(0.1));
        l.backward();
        return l;
      });
      expectClose(p.data(), [1.8052544593811035, 0.8324204087257385], 1e-5);
      expect(() => new wg.optim.SGD([w], 0.1, 0, 0, 0, false, true)).toThrow(
        'wasmgrad.optim.SGD: takes 5 arguments (lr, momentum, dampening, weightDecay, nesterov), got 6',
      );
    });

    test("a grad-mode block given a function of parameters (torch's @torch.no_grad() decorator habit) is a clear error; module.double()/half()", () => {
      const double = (x: wg.Tensor) => x.mul(2);
      expect(() => wg.noGrad(double as never)).toThrow(
        "wasmgrad.noGrad: runs fn at once with no arguments (torch's `with` block), got a function of 1 parameter; for torch's decorator form wrap the call: (...args) => wg.noGrad(() => f(...args))",
      );
      expect(() => wg.enableGrad(double as never)).toThrow('wasmgrad.enableGrad: runs fn at once with no arguments');
      expect(() => wg.inferenceMode(double as never)).toThrow('wasmgrad.inferenceMode: runs fn at once with no arguments');
      const x = wg.ones([2], { requiresGrad: true });
      const f = (t: wg.Tensor) => wg.noGrad(() => double(t));
      expect(f(x).requiresGrad).toBe(false);
      const m = new wg.nn.Linear(2, 2);
      expect(() => m.double()).toThrow(wg.DTypeError);
      expect(() => m.half()).toThrow("wasmgrad.nn.Linear.half: a module's parameters are float32 (wasmgrad has no float64 or float16 tensors): drop the call");
    });
    test("two schedulers stepped on one optimizer compose as torch's, as ChainedScheduler of them", () => {
      const L = wg.optim.lrScheduler;
      const lrs = (make: (o: wg.optim.SGD) => () => void) => {
        const o = new wg.optim.SGD([wg.zeros([1], { requiresGrad: true })], { lr: 1 });
        const step = make(o);
        return Array.from({ length: 4 }, () => {
          o.step();
          step();
          return Math.round(o.paramGroups[0].lr * 1e6) / 1e6;
        });
      };
      // torch: a = StepLR(o, 2, 0.5); b = ExponentialLR(o, 0.9); a.step(); b.step() → [0.9, 0.405, 0.3645, 0.164025] (as ChainedScheduler([a, b]))
      const chained = lrs((o) => {
        const c = new L.ChainedScheduler([new L.StepLR(o, 2, 0.5), new L.ExponentialLR(o, 0.9)]);
        return () => c.step();
      });
      expect(chained).toEqual([0.9, 0.405, 0.3645, 0.164025]);
      // the same two stepped one after the other (torch's chainable forms)
      const separate = lrs((o) => {
        const a = new L.StepLR(o, 2, 0.5);
        const b = new L.ExponentialLR(o, 0.9);
        return () => {
          a.step();
          b.step();
        };
      });
      expect(separate).toEqual([0.9, 0.405, 0.3645, 0.164025]);
    });
  });
