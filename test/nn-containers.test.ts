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

describe('Sequential and ModuleList as torch 1.13 lists: slicing, deleting, inserting, popping (keys as torch names them)', () => {
  const mk = () => new wg.nn.Sequential(new wg.nn.Linear(2, 3), new wg.nn.ReLU(), new wg.nn.Linear(3, 4), new wg.nn.Tanh(), new wg.nn.Linear(4, 1));
  const names = (m: wg.nn.Module) => m.namedChildren().map(([k]) => k);
  const kinds = (m: Iterable<wg.nn.Module>) => [...m].map((c) => c.constructor.name);

  test('seq.slice(start, end) is seq[start:end]: a Sequential of the same modules under their keys', () => {
    const s = mk();
    // torch: list(s[1:3]._modules) == ['1', '2'], s[1:3].state_dict() keys ['2.weight', '2.bias'], s[1:3][1] is s[2]
    const t = s.slice(1, 3);
    expect(t).toBeInstanceOf(wg.nn.Sequential);
    expect(names(t)).toEqual(['1', '2']);
    expect(Object.keys(t.stateDict())).toEqual(['2.weight', '2.bias']);
    expect(t.at(1)).toBe(s.at(2));
    expect(t.at(1).parameters()[0]).toBe(s.at(2).parameters()[0]);
    // torch: s[-2:] keys ['3', '4'], s[5:] empty, s[-1] is s._modules['4']
    expect(names(s.slice(-2))).toEqual(['3', '4']);
    expect(s.slice(5).length).toBe(0);
    expect(names(s.slice())).toEqual(['0', '1', '2', '3', '4']);
    expect(s.at(-1)).toBe([...s][4]);
    // torch: s[1:](ones(1, 3)) runs ReLU, Linear(3, 4), Tanh, Linear(4, 1): shape [1, 1]
    expect(s.slice(1).forward(wg.ones([1, 3])).shape).toEqual([1, 1]);
    // a named Sequential keeps its names: torch's s[1:] of OrderedDict a, b, c has keys b, c and state dict c.weight, c.bias
    const named = new wg.nn.Sequential(
      new Map<string, wg.nn.Module>([
        ['a', new wg.nn.Linear(1, 1)],
        ['b', new wg.nn.ReLU()],
        ['c', new wg.nn.Linear(1, 2)],
      ]),
    );
    expect(Object.keys(named.slice(1).stateDict())).toEqual(['c.weight', 'c.bias']);
    // ModuleList slices are renumbered: torch's ml[1:3] of [Linear, ReLU, Linear, Tanh] has keys 0, 1 and state dict 1.weight, 1.bias
    const ml = new wg.nn.ModuleList([new wg.nn.Linear(1, 1), new wg.nn.ReLU(), new wg.nn.Linear(1, 2), new wg.nn.Tanh()]);
    expect(ml.slice(1, 3)).toBeInstanceOf(wg.nn.ModuleList);
    expect(Object.keys(ml.slice(1, 3).stateDict())).toEqual(['1.weight', '1.bias']);
  });

  test('delete, pop, insert and extend renumber the children 0, 1, … as torch 1.13', () => {
    // torch: del s[1] leaves keys 0..3, state dict 0.*, 1.*, 3.*
    let s = mk();
    expect(s.delete(1)).toBe(s);
    expect(names(s)).toEqual(['0', '1', '2', '3']);
    expect(Object.keys(s.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '3.weight', '3.bias']);
    // torch: del s[1:3] leaves 0..2; del s[-1] leaves 0..3
    s = mk();
    s.delete(1, 3);
    expect([names(s), kinds(s)]).toEqual([
      ['0', '1', '2'],
      ['Linear', 'Tanh', 'Linear'],
    ]);
    s = mk();
    expect(kinds(s.delete(-1))).toEqual(['Linear', 'ReLU', 'Linear', 'Tanh']);
    // torch: s.insert(1, Sigmoid()), then s.insert(-1, GELU()) (before the last)
    s = mk();
    s.insert(1, new wg.nn.Sigmoid()).insert(-1, new wg.nn.GELU());
    expect(names(s)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(kinds(s)).toEqual(['Linear', 'Sigmoid', 'ReLU', 'Linear', 'Tanh', 'GELU', 'Linear']);
    expect(s.insert(7, new wg.nn.Tanh()).length).toBe(8);
    // torch: s.pop(1) is the ReLU, keys 0..3, state dict 0.*, 1.*, 3.*; s.pop(-1) is the last Linear
    s = mk();
    expect(s.pop(1)).toBeInstanceOf(wg.nn.ReLU);
    expect(Object.keys(s.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '3.weight', '3.bias']);
    expect(s.pop()).toBeInstanceOf(wg.nn.Linear);
    expect(names(s)).toEqual(['0', '1', '2']);
    // torch: extend appends under 5, 6
    s = mk();
    s.extend([new wg.nn.ReLU(), new wg.nn.Sigmoid()]);
    expect(names(s)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(s.forward(wg.ones([2, 2])).shape).toEqual([2, 1]);
    // torch renumbers a named Sequential too: del s[0] of a, b, c leaves 0, 1
    const named = new wg.nn.Sequential({ a: new wg.nn.Linear(1, 1), b: new wg.nn.ReLU(), c: new wg.nn.Linear(1, 2) });
    expect(names(named.delete(0))).toEqual(['0', '1']);
    // ModuleList: torch's del ml[0]; ml.insert(0, GELU()); ml.pop(1) keys 0..2
    const ml = new wg.nn.ModuleList([new wg.nn.Linear(1, 1), new wg.nn.ReLU(), new wg.nn.Linear(1, 2), new wg.nn.Tanh()]);
    ml.delete(0).insert(0, new wg.nn.GELU());
    expect(ml.pop(1)).toBeInstanceOf(wg.nn.ReLU);
    expect([names(ml), kinds(ml), Object.keys(ml.stateDict())]).toEqual([
      ['0', '1', '2'],
      ['GELU', 'Linear', 'Tanh'],
      ['1.weight', '1.bias'],
    ]);
  });

  test('bad indices and modules are clear errors that change nothing', () => {
    const s = mk();
    const before = () => [names(s), kinds(s)];
    const was = before();
    // torch: IndexError for s[5], s.pop(10), s.insert(100, m), s.insert(-10, m)
    expect(() => s.at(5)).toThrow(new wg.ValueError('nn.Sequential.at', 'index 5 is out of range for 5 modules'));
    expect(() => s.pop(10)).toThrow(new wg.ValueError('nn.Sequential.pop', 'index 10 is out of range for 5 modules'));
    expect(() => s.delete(-6)).toThrow(new wg.ValueError('nn.Sequential.delete', 'index -6 is out of range for 5 modules'));
    expect(() => s.insert(100, new wg.nn.ReLU())).toThrow(
      new wg.ValueError('nn.Sequential.insert', 'index must be an integer in [-5, 5] for 5 modules, got 100'),
    );
    expect(() => s.insert(-10, new wg.nn.ReLU())).toThrow(/insert: index must be an integer in \[-5, 5\]/);
    expect(() => s.insert(1, 3 as never)).toThrow(new wg.ValueError('nn.Sequential.registerModule', "'1' must be a Module, got 3"));
    // torch appends the ReLU before failing on 3; here nothing is appended
    expect(() => s.extend([new wg.nn.ReLU(), 3 as never])).toThrow(new wg.ValueError('nn.Sequential.extend', 'expects modules, got 3 at position 1'));
    expect(() => s.slice(0.5)).toThrow(new wg.ValueError('nn.Sequential.slice', 'start must be an integer or undefined, got 0.5'));
    expect(() => s.delete(1, NaN)).toThrow(new wg.ValueError('nn.Sequential.delete', 'end must be an integer or undefined, got NaN'));
    expect(() => s.pop(1.5)).toThrow(new wg.ValueError('nn.Sequential.pop', 'index must be an integer, got 1.5'));
    // torch's s[1:3].append(m) replaces the module under '2'; here the collision is refused
    expect(() => s.slice(1, 3).append(new wg.nn.ReLU())).toThrow(new wg.ValueError('nn.Sequential.registerModule', "'2' is already registered"));
    expect(() => new wg.nn.ModuleList().pop()).toThrow(new wg.ValueError('nn.ModuleList.pop', 'index -1 is out of range for 0 modules'));
    expect(before()).toEqual(was);
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
