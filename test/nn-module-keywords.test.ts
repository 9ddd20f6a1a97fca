/**
 * nn modules take PyTorch's three call forms (src/nn/module-forms.ts): positional, positional then a
 * keyword object, and one keyword object (torch's `nn.LeakyReLU(0.2, inplace=True)`,
 * `nn.ConstantPad1d(padding=2, value=3)`); each form builds the same module, and an unknown keyword
 * is a ValueError naming the module.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const nn = wg.nn as unknown as Record<string, new (...args: unknown[]) => wg.nn.Module>;

// [module, positional form, mixed form, keyword form]: torch's names, camelCased
const FORMS: [string, unknown[], unknown[], unknown[]][] = [
  ['LeakyReLU', [0.2, true], [0.2, { inplace: true }], [{ negativeSlope: 0.2, inplace: true }]],
  ['ELU', [0.5, true], [0.5, { inplace: true }], [{ alpha: 0.5, inplace: true }]],
  ['CELU', [0.5], [{ alpha: 0.5 }], [{ alpha: 0.5, inplace: false }]],
  ['Hardtanh', [-2, 2, true], [-2, { maxVal: 2, inplace: true }], [{ minVal: -2, maxVal: 2, inplace: true }]],
  ['Softplus', [2, 10], [2, { threshold: 10 }], [{ beta: 2, threshold: 10 }]],
  ['Hardshrink', [0.3], [{ lambd: 0.3 }], [{ lambd: 0.3 }]],
  ['Softshrink', [0.3], [{ lambd: 0.3 }], [{ lambd: 0.3 }]],
  ['Threshold', [0.1, 20, true], [0.1, { value: 20, inplace: true }], [{ threshold: 0.1, value: 20, inplace: true }]],
  ['RReLU', [0.1, 0.3], [0.1, { upper: 0.3 }], [{ lower: 0.1, upper: 0.3 }]],
  ['GLU', [1], [{ dim: 1 }], [{ dim: 1 }]],
  ['PReLU', [3, 0.1], [3, { init: 0.1 }], [{ numParameters: 3, init: 0.1 }]],
  ['ChannelShuffle', [2], [{ groups: 2 }], [{ groups: 2 }]],
  ['ZeroPad2d', [[1, 2, 0, 1]], [{ padding: [1, 2, 0, 1] }], [{ padding: [1, 2, 0, 1] }]],
  ['ConstantPad1d', [2, 3], [2, { value: 3 }], [{ padding: 2, value: 3 }]],
  ['ConstantPad3d', [1, -1], [1, { value: -1 }], [{ padding: 1, value: -1 }]],
  ['ReflectionPad1d', [[2, 1]], [{ padding: [2, 1] }], [{ padding: [2, 1] }]],
  ['ReplicationPad2d', [1], [{ padding: 1 }], [{ padding: 1 }]],
  ['CircularPad3d', [1], [{ padding: 1 }], [{ padding: 1 }]],
  ['MaxUnpool2d', [2, 1, 0], [2, { stride: 1, padding: 0 }], [{ kernelSize: 2, stride: 1 }]],
  ['MaxUnpool1d', [3], [3, { padding: 0 }], [{ kernelSize: 3 }]],
  ['AdaptiveAvgPool1d', [3], [{ outputSize: 3 }], [{ outputSize: 3 }]],
  ['AdaptiveAvgPool2d', [[2, 3]], [{ outputSize: [2, 3] }], [{ outputSize: [2, 3] }]],
  ['AdaptiveMaxPool1d', [3, true], [3, { returnIndices: true }], [{ outputSize: 3, returnIndices: true }]],
  ['AdaptiveMaxPool2d', [2, true], [2, { returnIndices: true }], [{ outputSize: 2, returnIndices: true }]],
  ['AdaptiveMaxPool3d', [[1, 2, 1]], [{ outputSize: [1, 2, 1] }], [{ outputSize: [1, 2, 1], returnIndices: false }]],
];

/** What a module holds: its printed form (torch's repr, every option in it) and its state. */
const facts = (m: wg.nn.Module) => [String(m), Object.entries(m.stateDict()).map(([k, t]) => [k, t.shape, Array.from(t.data())])];

describe('nn modules in PyTorch’s three call forms', () => {
  test.each(FORMS)('%s: positional, mixed and keyword forms build the same module', (name, positional, mixed, keywords) => {
    const want = facts(new nn[name](...positional));
    expect(facts(new nn[name](...mixed))).toEqual(want);
    expect(facts(new nn[name](...keywords))).toEqual(want);
  });

  test('the forms compute as the positional one (a pad, a pool with indices, an activation)', () => {
    const x = wg.arange(12).reshape(1, 2, 6).sub(5);
    expect(new wg.nn.ConstantPad1d({ padding: [1, 2], value: 9 }).forward(x).toArray()).toEqual(
      wg.nn.functional.pad(x, [1, 2], { mode: 'constant', value: 9 }).toArray(),
    );
    const [out, idx] = new wg.nn.AdaptiveMaxPool1d({ outputSize: 2, returnIndices: true }).forward(x) as [wg.Tensor, wg.Tensor];
    expect([out.toArray(), idx.toArray()]).toEqual([
      [[[-3, 0], [3, 6]]],
      [[[2, 5], [2, 5]]],
    ]); // prettier-ignore
    expect(new wg.nn.LeakyReLU({ negativeSlope: 0.5 }).forward(x).toArray()).toEqual(wg.nn.functional.leakyRelu(x, 0.5).toArray());
  });

  test('an unknown keyword, a missing required argument or a bad value is a ValueError naming the module', () => {
    expect(() => new wg.nn.LeakyReLU({ slope: 0.2 } as never)).toThrow(/^wasmgrad\.nn\.LeakyReLU: unknown option 'slope'/);
    expect(() => new wg.nn.ConstantPad2d(1, { val: 3 } as never)).toThrow(/^wasmgrad\.nn\.ConstantPad2d: unknown option 'val'/);
    expect(() => new (wg.nn.ConstantPad1d as unknown as new (p: number) => unknown)(2)).toThrow(
      /^wasmgrad\.nn\.ConstantPad1d: value must be a number, got undefined/,
    );
    expect(() => new wg.nn.ReflectionPad2d({ padding: [1, 2] })).toThrow(
      /^wasmgrad\.nn\.ReflectionPad2d: padding must be an integer or 4 integers, got \[1, 2\]/,
    );
    expect(() => new wg.nn.AdaptiveMaxPool2d(2, { returnIndices: 1 } as never)).toThrow(/^wasmgrad\.nn\.AdaptiveMaxPool2d: returnIndices must be a boolean/);
    expect(() => new wg.nn.Hardtanh({ minVal: 1, maxVal: 1 })).toThrow(/^wasmgrad\.nn\.Hardtanh: maxVal must be greater than minVal/);
  });
});
