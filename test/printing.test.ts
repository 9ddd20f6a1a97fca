/**
 * Seeing things (issue 12 item 7): tensors print as PyTorch's repr (strings from PyTorch 1.13, with
 * our option names), through toString and Node's util.inspect; wg.summary and numParameters.
 */
import { inspect } from 'node:util';
import { beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

for (const be of ['wasm', 'reference'] as const) {
  describe(`tensor printing on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('the number formats PyTorch chooses (fixed, integer, scientific), alignment and dims', () => {
      const cases: [wg.Tensor, string][] = [
        [
          wg.tensor([
            [1.5, -2.25],
            [1e3, 4],
          ]),
          'tensor([[   1.5000,   -2.2500],\n        [1000.0000,    4.0000]])',
        ],
        [wg.arange(8).add(1).reshape([2, 2, 2]), 'tensor([[[1., 2.],\n         [3., 4.]],\n\n        [[5., 6.],\n         [7., 8.]]])'],
        [wg.tensor(-0.5), 'tensor(-0.5000)'],
        [wg.tensor([0, 0]), 'tensor([0., 0.])'],
        [wg.tensor([1e-5, 2e-5]), 'tensor([1.0000e-05, 2.0000e-05])'],
        [wg.tensor([123456792, 1]), 'tensor([1.2346e+08, 1.0000e+00])'],
        [wg.tensor([NaN, Infinity, -1.5]), 'tensor([    nan,     inf, -1.5000])'],
        [wg.arange(1100).mul(0.5), 'tensor([0.0000e+00, 5.0000e-01, 1.0000e+00,  ..., 5.4850e+02, 5.4900e+02,\n        5.4950e+02])'],
        [wg.arange(40).mul(0.25).slice(0, 0, 10), 'tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000, 1.2500, 1.5000, 1.7500, 2.0000,\n        2.2500])'],
      ];
      for (const [t, want] of cases) expect(t.toString()).toBe(want);
    });

    test('suffixes: dtype, requiresGrad, gradFn; empty tensors show their size', () => {
      expect(String(wg.tensor([1, 2, 3], { dtype: 'int32' }))).toBe('tensor([1, 2, 3], dtype=int32)');
      const x = wg.tensor([[0.1, -2]], { requiresGrad: true });
      expect(String(x)).toBe('tensor([[ 0.1000, -2.0000]], requiresGrad=true)');
      expect(String(x.mul(2))).toBe('tensor([[ 0.2000, -4.0000]], gradFn=<mul>)');
      expect(String(wg.zeros([0]))).toBe('tensor([])');
      expect(String(wg.zeros([0, 3]))).toBe('tensor([], size=[0, 3])');
    });

    test('summarised beyond 1000 elements: 3 at each end of every dim', () => {
      const s = wg.arange(2000).reshape([40, 50]).toString().split('\n');
      // the same 13 lines as torch.arange(2000.).reshape(40, 50)
      expect(s).toHaveLength(13);
      expect(s[0]).toBe('tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,');
      expect(s[1]).toBe('         4.9000e+01],');
      expect(s[6]).toBe('        ...,');
      expect(s[11]).toBe('        [1.9500e+03, 1.9510e+03, 1.9520e+03,  ..., 1.9970e+03, 1.9980e+03,');
      expect(s[12]).toBe('         1.9990e+03]])');
    });

    test("Node's util.inspect and console.log print the same; a disposed tensor prints its shape", () => {
      const t = wg.tensor([1.25, 2]);
      expect(inspect(t)).toBe('tensor([1.2500, 2.0000])');
      const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
      console.log(t);
      expect(inspect(spy.mock.calls[0][0])).toBe('tensor([1.2500, 2.0000])');
      spy.mockRestore();
      t.dispose();
      expect(String(t)).toBe('Tensor([2], float32, freed)');
    });
  });
}

describe('wg.summary and numParameters', () => {
  test('layers with output shapes and own parameter counts; totals; Linear+ReLU pairs are shown separately', () => {
    const model = new wg.nn.Sequential(new wg.nn.Linear(784, 128), new wg.nn.ReLU(), new wg.nn.Linear(128, 10));
    const text = wg.summary(model, [64, 784], { print: false });
    expect(text.split('\n')).toEqual([
      '===================================',
      'Layer (type)  Output shape   Params',
      '===================================',
      'Sequential    [64, 10]            0',
      '  0: Linear   [64, 128]     100,480',
      '  1: ReLU     [64, 128]           0',
      '  2: Linear   [64, 10]        1,290',
      '===================================',
      'Total params: 101,770',
      'Trainable params: 101,770',
      'Non-trainable params: 0',
      'Input shape: [64, 784]',
      '===================================',
    ]);
    // the wrapped forwards are gone: the model runs its fused Linear+ReLU again, same result
    expect(Object.prototype.hasOwnProperty.call(model.at(0), 'forward')).toBe(false);
    expect(model.numParameters()).toBe(101770);
  });

  test('prints by default; nested modules indent; frozen parameters are not trainable', () => {
    const inner = new wg.nn.Sequential(new wg.nn.Conv2d(1, 4, 3), new wg.nn.BatchNorm2d(4));
    const model = new wg.nn.Sequential(inner, new wg.nn.Flatten(), new wg.nn.Linear(4 * 26 * 26, 2));
    model.at(2).parameters()[1].requiresGrad = false;
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    const text = wg.summary(model, [1, 1, 28, 28]);
    expect(spy).toHaveBeenCalledWith(text);
    spy.mockRestore();
    expect(text).toContain('\n  0: Sequential       [1, 4, 26, 26]       0\n    0.0: Conv2d       [1, 4, 26, 26]      40\n');
    expect(text).toContain('Total params: 5,458');
    expect(text).toContain('Trainable params: 5,456');
    expect(model.numParameters()).toBe(5458);
    expect(model.numParameters(true)).toBe(5456);
  });

  test('errors name the function', () => {
    expect(() => wg.summary({} as wg.nn.Module, [1])).toThrow('wasmgrad.summary: model must be a wg.nn.Module');
    expect(() => wg.summary(new wg.nn.Linear(2, 2), [1, -2])).toThrow('wasmgrad.summary: inputShape must be an array of sizes (integers ≥ 0), got [1, -2]');
    expect(() => wg.summary(new wg.nn.Linear(2, 2), [1, 3], { print: false })).toThrow(/wasmgrad\.nn\.Linear: expected an input/);
  });
});

describe('a one-element tensor converts to its number where JavaScript wants a primitive', () => {
  test('comparisons, unary plus, Number(); other sizes are a ShapeError; strings still print the tensor', () => {
    const loss = wg.tensor(0.25);
    // plain JavaScript compares through valueOf (TypeScript wants +loss or Number(loss))
    const asJs = (t: wg.Tensor) => t as unknown as number;
    expect(asJs(loss) < 0.5).toBe(true);
    expect(+loss).toBe(0.25);
    expect(Number(wg.tensor([3], { dtype: 'int32' }))).toBe(3);
    expect(`${loss}`).toBe('tensor(0.2500)');
    expect('loss ' + loss).toBe('loss tensor(0.2500)'); // + with a string prints, as for any object
    expect('x ' + wg.tensor([1, 2])).toBe('x tensor([1., 2.])');
    expect(() => +wg.tensor([1, 2])).toThrow('wasmgrad.valueOf: a tensor of shape [2] has 2 elements: only a one-element tensor converts to a number');
    const p = wg.tensor([3, 4], { requiresGrad: true });
    p.mul(p).sum().backward();
    const norm = wg.optim.clipGradNorm([p], 1);
    expect(asJs(norm) > 9.9 && asJs(norm) < 10.1).toBe(true);
  });
});
