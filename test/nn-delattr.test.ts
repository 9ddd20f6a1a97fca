/** `delete m.name` unregisters a parameter, buffer or child module, as PyTorch's Module.__delattr__ (`del m.name`). */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

/** A module with a child, a parameter, a persistent and a non-persistent buffer, and a plain field. */
class Net extends wg.nn.Module {
  fc?: wg.nn.Linear = new wg.nn.Linear(2, 3);
  scale?: wg.Tensor = new wg.nn.Parameter(wg.ones([3]));
  note?: string = 'plain';
  constructor() {
    super();
    this.registerBuffer('stat', wg.zeros([3]));
    this.registerBuffer('mask', wg.ones([3]), false);
  }
  forward(x: wg.Tensor): wg.Tensor {
    return this.fc ? this.fc.forward(x) : x;
  }
}
type Loose = Record<string, unknown>;

describe('delete unregisters as __delattr__', () => {
  test('a child module leaves children(), parameters() and stateDict()', () => {
    const m = new Net();
    expect(Object.keys(m.stateDict())).toEqual(['scale', 'stat', 'fc.weight', 'fc.bias']);
    delete m.fc;
    expect(m.fc).toBeUndefined();
    expect(m.namedChildren()).toEqual([]);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['scale']);
    expect(Object.keys(m.stateDict())).toEqual(['scale', 'stat']);
    expect(m.forward(wg.ones([1, 2])).shape).toEqual([1, 2]);
    // the name is free again: a new child of that name registers, after the others
    m.fc = new wg.nn.Linear(2, 1);
    expect(Object.keys(m.stateDict())).toEqual(['scale', 'stat', 'fc.weight', 'fc.bias']);
  });

  test('a parameter and buffers leave parameters(), buffers() and stateDict()', () => {
    const m = new Net();
    delete m.scale;
    expect(m.scale).toBeUndefined();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['fc.weight', 'fc.bias']);
    delete (m as unknown as Loose).stat;
    delete (m as unknown as Loose).mask;
    expect(m.namedBuffers()).toEqual([]);
    expect(Object.keys(m.stateDict())).toEqual(['fc.weight', 'fc.bias']);
    // re-registering 'mask' as persistent is not hindered by the old non-persistent mark (own tensors before children's, as torch)
    m.registerBuffer('mask', wg.ones([3]));
    expect(Object.keys(m.stateDict())).toEqual(['mask', 'fc.weight', 'fc.bias']);
  });

  test("a registered name without a field (a built-in module's weight, addModule's child) unregisters too", () => {
    const lin = new wg.nn.Linear(2, 3);
    delete (lin as unknown as Loose).bias;
    expect(Object.keys(lin.stateDict())).toEqual(['weight']);
    const host = new Net();
    host.addModule('extra', new wg.nn.ReLU());
    delete (host as unknown as Loose).extra;
    expect(host.namedChildren().map(([n]) => n)).toEqual(['fc']);
  });

  test('a plain field is a plain delete; an unknown name is a no-op', () => {
    const m = new Net();
    delete m.note;
    expect('note' in m).toBe(false);
    delete (m as unknown as Loose).nothing;
    expect(Object.keys(m.stateDict())).toEqual(['scale', 'stat', 'fc.weight', 'fc.bias']);
  });
});
