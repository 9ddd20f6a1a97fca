/** Module.apply, getSubmodule, getParameter, requiresGrad_ (freezing), and Tensor.requiresGrad_, as PyTorch's. */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const vals = (t: wg.Tensor) => Array.from(t.data());

describe('module utilities', () => {
  beforeEach(() => wg.setBackend('wasm'));

  /** Inputs of mixed signs, so every layer's ReLU passes some gradient. */
  const X = () =>
    wg.tensor([
      [1, -2, 3],
      [-1, 2, 0.5],
    ]);
  const net = () => new wg.nn.Sequential(new wg.nn.Linear(3, 4), new wg.nn.ReLU(), new wg.nn.Sequential(new wg.nn.Linear(4, 2), new wg.nn.Tanh()));

  test('apply visits children before their parent, depth first, and returns the module (the init idiom)', () => {
    const m = net();
    const seen: string[] = [];
    expect(m.apply((x) => seen.push(x.constructor.name))).toBe(m);
    expect(seen).toEqual(['Linear', 'ReLU', 'Linear', 'Tanh', 'Sequential', 'Sequential']);
    m.apply((x) => {
      if (x instanceof wg.nn.Linear) {
        wg.nn.init.constant_(x.weight, 0.5);
        if (x.bias) wg.nn.init.zeros_(x.bias);
      }
    });
    expect(vals(m.forward(wg.ones([1, 3])))).toEqual(vals(wg.tanh(wg.full([1, 2], 0.5 * 4 * 1.5))));
    expect(() => m.apply(3 as never)).toThrow(/nn\.Sequential\.apply: expects a function of a module, got 3/);
  });

  test('getSubmodule and getParameter follow dotted names', () => {
    const m = net();
    expect(m.getSubmodule('')).toBe(m);
    expect(m.getSubmodule('2.0')).toBeInstanceOf(wg.nn.Linear);
    expect(m.getParameter('2.0.bias')).toBe((m.getSubmodule('2.0') as wg.nn.Linear).bias);
    expect(m.getParameter('0.weight').shape).toEqual([4, 3]);
    expect(() => m.getSubmodule('2.5')).toThrow(/getSubmodule: Sequential has no submodule '5' \(of '2\.5'\); it has \["0", "1"\]/);
    expect(() => m.getParameter('1.weight')).toThrow(/getParameter: ReLU has no parameter 'weight' \(of '1\.weight'\)/);
  });

  test('getBuffer, addModule, and the device and dtype moves of ported code (to, cpu, float)', () => {
    const m = new wg.nn.Sequential(new wg.nn.Linear(2, 2), new wg.nn.BatchNorm1d(2));
    expect(m.getBuffer('1.running_mean')).toBe((m.getSubmodule('1') as wg.nn.BatchNorm1d).runningMean);
    expect(() => m.getBuffer('0.weight')).toThrow(/getBuffer: Linear has no buffer 'weight' \(of '0\.weight'\)/);
    const extra = new wg.nn.Tanh();
    expect([m.addModule('2', extra), m.getSubmodule('2')]).toEqual([extra, extra]);
    // model.to(device), model.cpu(), model.float(): the model itself (PyTorch's return self)
    for (const target of ['cpu', 'float32', { device: 'cpu', dtype: 'float32' }] as const) expect(m.to(target)).toBe(m);
    expect([m.cpu(), m.float()]).toEqual([m, m]);
    expect(() => m.to('cuda' as never)).toThrow('wasmgrad.nn.Sequential.to: wasmgrad computes on the CPU: the device must be \'cpu\', got "cuda"');
    expect(() => m.to('int32')).toThrow(wg.DTypeError);
    expect(() => m.to({ device: 'cpu', dtype: 'float64' } as never)).toThrow('unknown dtype "float64"');
    // x.to(device) and x.cpu() give x itself, x.to(other) takes other's dtype, x.device is 'cpu'
    const x = wg.tensor([1.5, -2.5]);
    expect([x.to('cpu'), x.cpu(), x.to({ device: 'cpu' }), x.to(wg.zeros([1])), x.device, x.ndimension()]).toEqual([x, x, x, x, 'cpu', 1]);
    expect([x.to(wg.zeros([1], { dtype: 'int32' })).toArray(), x.to({ dtype: 'int32' }).dtype]).toEqual([[1, -2], 'int32']);
    expect(() => x.to('cuda:0' as never)).toThrow('wasmgrad.to: wasmgrad computes on the CPU: the device must be \'cpu\', got "cuda:0"');
    expect(() => x.to({ device: 'cpu', layout: 'strided' } as never)).toThrow("wasmgrad.to: unknown option 'layout'");
    expect(() => x.to('float64' as never)).toThrow(new wg.DTypeError('to', "unknown dtype \"float64\" (wasmgrad tensors are 'float32' or 'int32')"));
  });

  test('requiresGrad_(false) freezes: no gradient reaches the frozen parameters, the optimizer leaves them, and the rest trains', () => {
    wg.manualSeed(1);
    const m = net();
    const frozen = m.getSubmodule('0').requiresGrad_(false);
    expect(frozen.parameters().every((p) => !p.requiresGrad)).toBe(true);
    const before = frozen.parameters().map(vals);
    const head = m.getParameter('2.0.bias');
    const headBefore = vals(head);
    // every parameter, frozen ones included, as PyTorch allows: they have no gradient, so steps skip them
    const opt = new wg.optim.SGD(m.parameters(), { lr: 0.1 });
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      const loss = m.forward(X()).sum();
      loss.backward();
      opt.step();
    }
    expect(frozen.parameters().map((p) => p.grad)).toEqual([null, null]);
    expect(frozen.parameters().map(vals)).toEqual(before);
    expect(vals(head)).not.toEqual(headBefore);
    expect(m.numParameters(true)).toBe(4 * 2 + 2);
    // unfrozen, the same optimizer trains them
    frozen.requiresGrad_();
    expect(m.numParameters(true)).toBe(m.numParameters());
    opt.zeroGrad();
    m.forward(X()).sum().backward();
    opt.step();
    expect(frozen.parameters().map(vals)).not.toEqual(before);
  });

  test('freezing is a reconfiguration for wg.compile: the old step refuses (changing nothing), a new one trains the rest fast', () => {
    wg.manualSeed(4);
    const m = net();
    const opt = new wg.optim.Adam(m.parameters(), { lr: 0.05 });
    const body = (x: wg.Tensor) => {
      opt.zeroGrad();
      const loss = m.forward(x).pow(2).sum();
      loss.backward();
      opt.step();
      return loss;
    };
    const step = wg.compile(body);
    for (let i = 0; i < 3; i++) step(X());
    const first = m.getSubmodule('0').requiresGrad_(false);
    const kept = m.parameters().map(vals);
    expect(() => step(X())).toThrow(/compile: the model or optimizer was reconfigured .*requiresGrad_/);
    expect(m.parameters().map(vals)).toEqual(kept);
    const frozenStep = wg.compile(body);
    for (let i = 0; i < 4; i++) frozenStep(X());
    expect(first.parameters().map(vals)).toEqual(kept.slice(0, 2));
    expect(vals(m.getParameter('2.0.weight'))).not.toEqual(kept[2]);
    for (const info of frozenStep.replayInfo()) expect(info).toMatchObject({ mode: 'fast', reason: null });
  });

  test('Tensor.requiresGrad_ sets the flag on a leaf and returns the tensor; a computed tensor refuses false', () => {
    const x = wg.tensor([1, 2, 3]);
    expect(x.requiresGrad_()).toBe(x);
    expect(x.requiresGrad).toBe(true);
    x.mul(x).sum().backward();
    expect(vals(x.grad!)).toEqual([2, 4, 6]);
    expect(x.requiresGrad_(false).requiresGrad).toBe(false);
    expect(() => x.requiresGrad_().mul(2).requiresGrad_(false)).toThrow(/can only be set to false on leaf tensors/);
  });
});
