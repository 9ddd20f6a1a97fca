/**
 * The activations hardshrink, softshrink, tanhshrink, threshold, softmin, glu, prelu, the pixel
 * shuffles, channel dropout and the padding / 1-D pooling / Softmax2d modules against PyTorch 1.13
 * (test/fixtures/extras-torch.py → extras-torch.json), values and gradients on both backends,
 * including PyTorch's gradient exactly on the kinks. The ops' harness cases (gradcheck, the three
 * builds) run in test/ops.test.ts.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { loadSinStateDict, sinFilled as filled } from './helpers/sin-fill.js';

const REF = JSON.parse(readFileSync(new URL('./fixtures/extras-torch.json', import.meta.url), 'utf8'));
const KINKS = [-1.5, -0.5, -0.25, 0.0, 0.25, 0.5, 1.5, 0.7, -0.7];

beforeAll(async () => {
  await initWasm();
});

const vals = (t: wg.Tensor) => Array.from(t.data());
const TOL = 2e-6;

/** f(x) and the gradient of Σ f(x)·linspace(0.5, 1.5), as the fixture's grad_of. */
function gradOf(f: (x: wg.Tensor) => wg.Tensor, x: wg.Tensor, ref: { y: number[]; g: number[] }) {
  const y = f(x);
  const n = y.size;
  const w = wg.tensor(
    Array.from({ length: n }, (_, i) => (n === 1 ? 0.5 : 0.5 + i / (n - 1))),
    { shape: [...y.shape] },
  );
  y.mul(w).sum().backward();
  expectClose(vals(y), ref.y, TOL);
  expectClose(vals(x.grad!), ref.g, TOL);
}
const kinks = () => wg.tensor(KINKS, { requiresGrad: true });

for (const be of ['wasm', 'reference'] as const) {
  describe(`activations and layout layers on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('hardshrink, softshrink, tanhshrink, threshold: values and gradients, on the kinks too', () => {
      gradOf((x) => wg.hardshrink(x), kinks(), REF.hardshrink);
      gradOf((x) => x.hardshrink({ lambd: 0.25 }), kinks(), REF.hardshrink_02);
      gradOf((x) => new wg.nn.Hardshrink(0.25).forward(x), kinks(), REF.hardshrink_02);
      gradOf((x) => new wg.nn.Softshrink().forward(x), kinks(), REF.softshrink);
      gradOf((x) => wg.tanhshrink(x), kinks(), REF.tanhshrink);
      gradOf((x) => new wg.nn.Threshold(0.25, -2).forward(x), kinks(), REF.threshold);
    });

    test('softmin, glu, Softmax2d', () => {
      gradOf((x) => new wg.nn.Softmin(1).forward(x), filled([2, 3, 4], 0.7), REF.softmin);
      gradOf((x) => new wg.nn.GLU().forward(x), filled([2, 3, 4], 0.7), REF.glu);
      gradOf((x) => wg.glu(x, 0), filled([4, 3], 0.3), REF.glu0);
      gradOf((x) => new wg.nn.Softmax2d().forward(x), filled([1, 2, 3, 4], 0.55), REF.softmax2d);
    });

    test("PReLU: one weight per channel, PyTorch's key, x = 0 exactly; the default single weight 0.25", () => {
      const m = new wg.nn.PReLU(3);
      expect(Object.keys(m.stateDict())).toEqual(REF.prelu.keys);
      loadSinStateDict(m);
      const data = vals(filled([2, 3, 2, 2], 0.9));
      data[0] = 0;
      const x = wg.tensor(data, { shape: [2, 3, 2, 2], requiresGrad: true });
      const y = m.forward(x);
      y.mul(y).sum().backward();
      expectClose(vals(y), REF.prelu.y, TOL);
      expectClose(vals(x.grad!), REF.prelu.g, TOL);
      expectClose(vals(m.weight.grad!), REF.prelu.gw, TOL);
      const m1 = new wg.nn.PReLU();
      expectClose(vals(m1.weight), REF.prelu1.w, 0);
      expectClose(vals(m1.forward(wg.tensor([-2, 3]))), REF.prelu1.y, TOL);
      expect(m1.numParameters()).toBe(1);
      // torch's call forms: PReLU(3, 0.1), PReLU(3, init=0.1), PReLU(num_parameters=3, init=0.1), PReLU(init=0.5)
      const forms = [
        new wg.nn.PReLU(3, 0.1),
        new wg.nn.PReLU(3, { init: 0.1 }),
        new wg.nn.PReLU({ numParameters: 3, init: 0.1 }),
        new wg.nn.PReLU({ init: 0.5 }),
      ];
      expect(forms.map((f) => [f.weight.shape, Array.from(f.weight.data(), (v) => Math.round(v * 1e6) / 1e6)])).toEqual([
        [[3], [0.1, 0.1, 0.1]],
        [[3], [0.1, 0.1, 0.1]],
        [[3], [0.1, 0.1, 0.1]],
        [[1], [0.5]],
      ]);
      expect(() => new wg.nn.PReLU(3, { inits: 0.1 } as never)).toThrow(/nn\.PReLU: unknown option 'inits'/);
    });

    test('pixelShuffle and pixelUnshuffle (and their modules): values and gradients; they invert each other', () => {
      gradOf((x) => new wg.nn.PixelShuffle(2).forward(x), filled([1, 8, 2, 3], 0.4), REF.pixel_shuffle);
      gradOf((x) => wg.pixelUnshuffle(x, 2), filled([2, 1, 4, 6], 0.45), REF.pixel_unshuffle);
      const x = filled([2, 3, 18, 2, 4], 0.2, false);
      expect(vals(wg.pixelUnshuffle(wg.pixelShuffle(x, 3), 3))).toEqual(vals(x));
      expect(wg.pixelShuffle(x, 3).shape).toEqual([2, 3, 2, 6, 12]);
    });

    test('padding modules', () => {
      const x2 = filled([1, 2, 3, 4], 0.55, false);
      expectClose(vals(new wg.nn.ReflectionPad2d([1, 2, 2, 0]).forward(x2)), REF.reflection2d, TOL);
      expectClose(vals(new wg.nn.ReplicationPad1d(2).forward(filled([2, 3], 0.5, false))), REF.replication1d, TOL);
      expectClose(vals(new wg.nn.ConstantPad2d([1, 0, 0, 1], 3.5).forward(x2)), REF.constant2d, TOL);
      expectClose(vals(new wg.nn.ZeroPad2d(1).forward(x2)), REF.zero2d, TOL);
      expectClose(vals(new wg.nn.CircularPad1d([2, 1]).forward(filled([1, 2, 4], 0.5, false))), REF.circular1d, TOL);
      expect(vals(new wg.nn.ZeroPad1d(1).forward(wg.tensor([[1, 2]])))).toEqual([0, 1, 2, 0]);
    });

    test('MaxPool1d, AvgPool1d, AdaptiveAvgPool1d modules', () => {
      gradOf((x) => new wg.nn.MaxPool1d(3, { stride: 2, padding: 1 }).forward(x), filled([2, 3, 7], 0.65), REF.maxpool1d);
      gradOf((x) => new wg.nn.AvgPool1d(2, { stride: 1, padding: 1, countIncludePad: false }).forward(x), filled([2, 3, 7], 0.65), REF.avgpool1d);
      gradOf((x) => new wg.nn.AdaptiveAvgPool1d(3).forward(x), filled([2, 3, 7], 0.65), REF.adaptiveavg1d);
    });

    test('Dropout1d / Dropout2d zero whole channels, scale the rest by 1/(1 − p), pass x through in eval', () => {
      wg.manualSeed(5);
      const x = wg.ones([8, 16, 3, 5]);
      const m = new wg.nn.Dropout2d(0.5);
      const y = vals(m.forward(x));
      let dropped = 0;
      for (let c = 0; c < 8 * 16; c++) {
        const ch = new Set(y.slice(c * 15, c * 15 + 15));
        expect(ch.size).toBe(1);
        const [v] = ch;
        expect([0, 2]).toContain(v);
        if (v === 0) dropped++;
      }
      expect(dropped).toBeGreaterThan(32);
      expect(dropped).toBeLessThan(96);
      expect(vals(m.eval().forward(x))).toEqual(vals(x));
      const y1 = vals(new wg.nn.Dropout1d(0.25).forward(wg.ones([4, 10, 6])));
      for (let c = 0; c < 40; c++) expect(new Set(y1.slice(c * 6, c * 6 + 6)).size).toBe(1);
      expect(vals(new wg.nn.Dropout2d(1).forward(x)).every((v) => v === 0)).toBe(true);
    });
  });
}

describe('extras: printing, compile, errors', () => {
  beforeEach(() => wg.setBackend('wasm'));

  test("modules print as PyTorch's", () => {
    const mine = [
      new wg.nn.Hardshrink(0.3),
      new wg.nn.PReLU(3),
      new wg.nn.PixelShuffle(2),
      new wg.nn.ReflectionPad2d(1),
      new wg.nn.ConstantPad1d(2, 3.5),
      new wg.nn.MaxPool1d(3),
      new wg.nn.GLU(),
      new wg.nn.Softmin(1),
    ].map(String);
    const want = (REF.repr as string[]).filter((r) => !r.startsWith('Threshold') && !r.startsWith('Dropout2d'));
    expect(mine).toEqual(want);
  });

  test('PReLU and channel dropout train under wg.compile as eager does (fast replay)', () => {
    const run = (compiled: boolean) => {
      wg.manualSeed(11);
      const conv = new wg.nn.Conv2d(2, 4, 3, { padding: 1 });
      const act = new wg.nn.PReLU(4);
      const model = new wg.nn.Sequential(conv, act, new wg.nn.Dropout2d(0.2), new wg.nn.Flatten(), new wg.nn.Linear(4 * 5 * 5, 3));
      const opt = new wg.optim.SGD(model.parameters(), { lr: 0.05 });
      const x = filled([6, 2, 5, 5], 0.3, false),
        labels = wg.tensor([0, 1, 2, 0, 1, 2], { dtype: 'int32' });
      const step = (a: wg.Tensor, b: wg.Tensor) => {
        opt.zeroGrad();
        const loss = wg.losses.crossEntropy(model.forward(a), b);
        loss.backward();
        opt.step();
        return loss;
      };
      const f = compiled ? wg.compile(step) : step;
      const losses = Array.from({ length: 8 }, () => f(x, labels).item());
      if (compiled) for (const info of (f as ReturnType<typeof wg.compile>).replayInfo()) expect(info).toMatchObject({ mode: 'fast', reason: null });
      return { losses, w: vals(act.weight) };
    };
    const eager = run(false),
      compiled = run(true);
    expectClose(compiled.losses, eager.losses, 1e-5);
    expectClose(compiled.w, eager.w, 1e-5);
  });

  test('errors name the op and what was given', () => {
    const x = wg.zeros([2, 3]);
    expect(() => wg.softshrink(x, -1)).toThrow(/wasmgrad\.softshrink: lambd must be a finite number ≥ 0, got -1/);
    expect(() => wg.hardshrink(x, '1' as never)).toThrow(/wasmgrad\.hardshrink: lambd must be a number, got "1"/);
    expect(() => wg.softshrink(x, { lamb: 1 } as never)).toThrow(/softshrink: unknown option 'lamb'/);
    expect(() => wg.threshold(x, 'a' as never, 0)).toThrow(/threshold: threshold must be a number/);
    expect(() => wg.glu(x)).toThrow(/glu: dim 1 of x \[2, 3\] must have an even size, got 3/);
    expect(() => wg.glu(wg.tensor(1))).toThrow(/glu: cannot split a 0-d tensor/);
    expect(() => wg.softmin(x, 2)).toThrow(/softmin/);
    expect(() => wg.prelu(x, wg.ones([2]))).toThrow(/prelu: weight \[2\] must have 1 element or one per channel \(3\) of x \[2, 3\]/);
    expect(() => wg.prelu(x, wg.ones([3, 1]))).toThrow(/prelu: weight must be 1-D/);
    expect(() => wg.pixelShuffle(wg.zeros([1, 3, 2, 2]), 2)).toThrow(
      /pixelShuffle: the channels 3 of x \[1, 3, 2, 2\] must be divisible by upscaleFactor² = 4/,
    );
    expect(() => wg.pixelShuffle(wg.zeros([4, 2]), 2)).toThrow(/at least 3 dims/);
    expect(() => wg.pixelUnshuffle(wg.zeros([1, 1, 3, 4]), 2)).toThrow(/pixelUnshuffle: the height 3 and width 4/);
    expect(() => wg.pixelShuffle(wg.zeros([1, 4, 2, 2]), 0)).toThrow(/the factor must be a positive integer, got 0/);
    expect(() => wg.dropout2d(wg.zeros([2, 3]), 0.5)).toThrow(/dropout2d: expects x \[N, C, H, W\] or unbatched \[C, H, W\], got \[2, 3\]/);
    expect(() => wg.dropout1d(wg.zeros([2, 3, 4]), 1.5)).toThrow(/p/);
    expect(() => new wg.nn.PReLU(0)).toThrow(/nn\.PReLU: numParameters must be a positive integer, got 0/);
    expect(() => new wg.nn.ReflectionPad2d([1, 2])).toThrow(/nn\.ReflectionPad2d: padding must be an integer or 4 integers, got \[1, 2\]/);
    expect(() => new wg.nn.MaxPool1d(2, { strid: 1 } as never)).toThrow(/nn\.MaxPool1d: unknown option 'strid'/);
    expect(() => new wg.nn.Dropout2d(2)).toThrow(/nn\.Dropout2d: p must be a probability/);
    expect(() => new wg.nn.Softmax2d().forward(x)).toThrow(/nn\.Softmax2d: expects x \[N, C, H, W\] or \[C, H, W\]/);
    expect(() => wg.hardshrink(wg.zeros([2], { dtype: 'int32' }))).toThrow(/hardshrink/);
  });
});
