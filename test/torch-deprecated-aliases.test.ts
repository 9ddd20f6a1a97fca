/**
 * torch 1.13's deprecated names that forward to the current ones: nn.init.uniform, …, eye (without
 * the trailing underscore), nn.utils.clipGradNorm (clip_grad_norm) and nn.Container.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const I = wg.nn.init;

describe('nn.init deprecated names', () => {
  // [old name, new name, arguments after the tensor, shape]
  const cases: [keyof typeof I, keyof typeof I, unknown[], number[]][] = [
    ['uniform', 'uniform_', [-0.5, 2], [3, 5]],
    ['normal', 'normal_', [1, 0.3], [5, 7]],
    ['constant', 'constant_', [0.25], [1, 17]],
    ['xavierUniform', 'xavierUniform_', [{ gain: 2 }], [7, 3]],
    ['xavierNormal', 'xavierNormal_', [1.5], [3, 5, 2]],
    ['kaimingUniform', 'kaimingUniform_', [0.1, 'fanOut'], [5, 3]],
    ['kaimingNormal', 'kaimingNormal_', [{ nonlinearity: 'relu' }], [17, 3]],
    ['orthogonal', 'orthogonal_', [1], [3, 7]],
    ['sparse', 'sparse_', [0.4, 0.5], [5, 3]],
    ['dirac', 'dirac_', [], [3, 3, 5]],
    ['eye', 'eye_', [], [3, 5]],
  ];
  for (const [old, current, args, shape] of cases)
    test(`${old} is ${current}: same values from the same seed, fills in place`, () => {
      expect(I[old]).toBe(I[current]);
      const call = (name: keyof typeof I) => {
        wg.manualSeed(11);
        const w = wg.zeros(shape);
        expect((I[name] as (t: wg.Tensor, ...a: unknown[]) => wg.Tensor)(w, ...args)).toBe(w);
        return w.toArray();
      };
      expect(call(old)).toEqual(call(current));
    });

  test('errors name the underscore function, as torch forwards the call', () => {
    expect(() => I.uniform(wg.zeros([3]), 2, 1)).toThrow(/nn\.init\.uniform_: a must be ≤ b, got a = 2, b = 1/);
    expect(() => I.eye(wg.zeros([3]))).toThrow(/nn\.init\.eye_: only tensors with 2 dimensions are supported, got \[3\]/);
    expect(() => I.xavierNormal(wg.zeros([5]))).toThrow(wg.ShapeError);
  });
});

describe('nn.utils.clipGradNorm (torch clip_grad_norm)', () => {
  test('is clipGradNorm_: scales the gradients to maxNorm and returns the total norm', () => {
    expect(wg.nn.utils.clipGradNorm).toBe(wg.nn.utils.clipGradNorm_);
    const p = wg.tensor([3, 0, -4], { requiresGrad: true });
    p.mul(wg.tensor([1, 1, 1]))
      .mul(p)
      .sum()
      .div(2)
      .backward(); // grad = p
    const total = wg.nn.utils.clipGradNorm([p], 1);
    expect(total.item()).toBeCloseTo(5, 6);
    const g = p.grad!.toArray() as number[];
    [0.6, 0, -0.8].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 5));
  });
});

describe('nn.Container', () => {
  test('children by name in the object order, state-dict keys as torch', () => {
    wg.manualSeed(3);
    const c = new wg.nn.Container({ fc: new wg.nn.Linear(2, 3), act: new wg.nn.ReLU(), out: new wg.nn.Linear(3, 1, { bias: false }) });
    expect(c).toBeInstanceOf(wg.nn.Module);
    expect(Object.keys(c.stateDict())).toEqual(['fc.weight', 'fc.bias', 'out.weight']);
    expect(c.namedChildren().map(([k]) => k)).toEqual(['fc', 'act', 'out']);
    expect((c as unknown as { fc: wg.nn.Linear }).fc).toBeInstanceOf(wg.nn.Linear);
    expect(new wg.nn.Container().children()).toEqual([]);
  });

  test('no forward; a bad argument is a ValueError', () => {
    expect(() => new wg.nn.Container({}).forward()).toThrow(/nn\.Container: has no forward/);
    expect(() => new wg.nn.Container([] as never)).toThrow(/nn\.Container: expects an object of name → module/);
    expect(() => new wg.nn.Container({ fc: 3 } as never)).toThrow(wg.ValueError);
    expect(() => new wg.nn.Container({ 'a.b': new wg.nn.ReLU() })).toThrow(/without '\.'/);
  });
});
