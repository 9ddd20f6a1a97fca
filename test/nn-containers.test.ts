/**
 * Containers and small modules of issue 12 item 3: ModuleList and ModuleDict (PyTorch's state-dict
 * names), Identity, Unflatten, SiLU, Softmax, LogSoftmax.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

class Tower extends wg.nn.Module {
  readonly layers: wg.nn.ModuleList;
  readonly heads: wg.nn.ModuleDict;
  constructor() {
    super();
    this.layers = this.registerModule('layers', new wg.nn.ModuleList([new wg.nn.Linear(4, 4), new wg.nn.Linear(4, 3)]));
    this.heads = this.registerModule('heads', new wg.nn.ModuleDict({ cls: new wg.nn.Linear(3, 2), reg: new wg.nn.Linear(3, 1) }));
  }
  forward(x: wg.Tensor): wg.Tensor {
    for (const layer of this.layers) x = layer.forward(x).relu();
    return this.heads.get('cls').forward(x);
  }
}

describe('containers', () => {
  test("ModuleList and ModuleDict register their modules under PyTorch's names", () => {
    const m = new Tower();
    expect(Object.keys(m.stateDict())).toEqual([
      'layers.0.weight',
      'layers.0.bias',
      'layers.1.weight',
      'layers.1.bias',
      'heads.cls.weight',
      'heads.cls.bias',
      'heads.reg.weight',
      'heads.reg.bias',
    ]);
    expect(m.layers.length).toBe(2);
    expect(m.layers.at(-1)).toBe([...m.layers][1]);
    expect(m.heads.keys()).toEqual(['cls', 'reg']);
    expect(m.heads.has('reg') && !m.heads.has('x')).toBe(true);
    expect(m.forward(wg.ones([5, 4])).shape).toEqual([5, 2]);
    m.layers.append(new wg.nn.Identity());
    expect(m.layers.length).toBe(3);
    expect(new wg.nn.ModuleDict([['a', new wg.nn.ReLU()]]).entries().map(([k]) => k)).toEqual(['a']);
    expect(wg.summary(m, [2, 4], { print: false })).toContain('heads.cls: Linear');
  });

  test('they have no forward, and bad arguments are clear errors', () => {
    expect(() => new wg.nn.ModuleList([]).forward()).toThrow('wasmgrad.nn.ModuleList: has no forward');
    expect(() => new wg.nn.ModuleDict().forward()).toThrow('wasmgrad.nn.ModuleDict: has no forward');
    expect(() => new wg.nn.ModuleList([3 as unknown as wg.nn.Module])).toThrow("wasmgrad.nn.ModuleList.registerModule: '0' must be a Module, got 3");
    expect(() => new wg.nn.ModuleList([]).at(0)).toThrow('wasmgrad.nn.ModuleList.at: index 0 is out of range for 0 modules');
    expect(() => new wg.nn.ModuleDict({ a: new wg.nn.ReLU() }).get('b')).toThrow('wasmgrad.nn.ModuleDict.get: no module under "b" (keys: a)');
    expect(() => new wg.nn.ModuleDict({ 'a.b': new wg.nn.ReLU() })).toThrow(/a name must be a non-empty string without '\.'/);
  });
});

describe('small modules', () => {
  const input = () =>
    wg.tensor([
      [1, -2, 0.5],
      [0, 3, -1],
    ]);
  const same = (a: wg.Tensor, b: wg.Tensor) => expect(Array.from(a.data())).toEqual(Array.from(b.data()));

  test('Identity, SiLU, Softmax, LogSoftmax are their functions', () => {
    const x = input();
    expect(new wg.nn.Identity().forward(x)).toBe(x);
    same(new wg.nn.SiLU().forward(x), wg.silu(x));
    same(new wg.nn.Softmax(1).forward(x), wg.softmax(x, 1));
    same(new wg.nn.LogSoftmax(0).forward(x), wg.logSoftmax(x, 0));
    expect(String(new wg.nn.Softmax(-1))).toBe('Softmax(dim=-1)');
    expect(() => new wg.nn.Softmax(0.5)).toThrow('wasmgrad.nn.Softmax: dim must be an integer, got 0.5');
  });

  test('Unflatten splits one dim, with −1 inferred', () => {
    const t = wg.arange(24).reshape([2, 12]);
    expect(new wg.nn.Unflatten(1, [3, 4]).forward(t).shape).toEqual([2, 3, 4]);
    expect(new wg.nn.Unflatten(-1, [2, -1, 3]).forward(t).shape).toEqual([2, 2, 2, 3]);
    same(new wg.nn.Unflatten(1, [3, 4]).forward(t), t);
    expect(String(new wg.nn.Unflatten(1, [3, 4]))).toBe('Unflatten(dim=1, unflattened_size=(3, 4))');
    expect(() => new wg.nn.Unflatten(1, [5, -1]).forward(t)).toThrow('wasmgrad.nn.Unflatten: cannot split dim 1 of size 12 (input [2, 12]) into [5, -1]');
    expect(() => new wg.nn.Unflatten(1, [-1, -1])).toThrow(
      'wasmgrad.nn.Unflatten: unflattenedSize must be a non-empty array of sizes (one −1 at most), got [-1, -1]',
    );
    expect(() => new wg.nn.Unflatten(2, [1]).forward(t)).toThrow('wasmgrad.nn.Unflatten: dim 2 is out of range for an input of shape [2, 12]');
  });
});
