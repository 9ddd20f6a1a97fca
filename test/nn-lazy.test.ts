/**
 * The lazy modules (nn.LazyLinear, LazyConv1d/2d, LazyConvTranspose1d/2d, LazyBatchNorm1d/2d,
 * LazyInstanceNorm1d/2d): sized by the first input, then the ordinary module in place (PyTorch
 * 1.13's printing before and after), initial values drawn as the ordinary module's, an optimizer
 * given the parameters before the first forward trains them, loading a state dict sizes them, and
 * the errors.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const vals = (t: wg.Tensor) => Array.from(t.data());
const weights = (m: wg.nn.AnyModule) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, { shape: [...t.shape], v: vals(t) }]));

for (const be of ['wasm', 'reference'] as const) {
  describe(`lazy modules on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test("LazyLinear: PyTorch's printing, then a Linear drawn as Linear(in, out) draws, the stream otherwise untouched", () => {
      wg.manualSeed(7);
      const lazy = new wg.nn.LazyLinear(3);
      expect(lazy.toString()).toBe('LazyLinear(in_features=0, out_features=3, bias=True)'); // torch 1.13
      expect(lazy.weight.shape).toEqual([0]);
      expect(Object.keys(lazy.stateDict())).toEqual(['weight', 'bias']);
      const x = wg.randn([4, 5]);
      const y = lazy.forward(x);
      wg.manualSeed(7);
      const x2 = wg.randn([4, 5]); // building the lazy module drew nothing
      const plain = new wg.nn.Linear(5, 3);
      expect(vals(x2)).toEqual(vals(x));
      expect(lazy).toBeInstanceOf(wg.nn.Linear);
      expect(lazy.toString()).toBe('Linear(in_features=5, out_features=3, bias=True)');
      expect(lazy.inFeatures).toBe(5);
      expect(weights(lazy)).toEqual(weights(plain));
      expect(vals(y)).toEqual(vals(plain.forward(x)));
    });

    test('an optimizer given the parameters before the first forward trains them (PyTorch)', () => {
      const run = (lazy: boolean) => {
        wg.manualSeed(3);
        const m = lazy
          ? new wg.nn.Sequential(new wg.nn.LazyLinear(4), new wg.nn.ReLU(), new wg.nn.LazyLinear(2))
          : new wg.nn.Sequential(new wg.nn.Linear(5, 4), new wg.nn.ReLU(), new wg.nn.Linear(4, 2));
        const opt = new wg.optim.Adam(m.parameters(), { lr: 0.1 });
        const x = wg.tensor(
          Array.from({ length: 15 }, (_, i) => Math.sin(i)),
          { shape: [3, 5] },
        );
        const losses = [0, 1, 2].map(() => {
          opt.zeroGrad();
          const loss = m.forward(x).square().sum();
          loss.backward();
          opt.step();
          return loss.item();
        });
        return { losses, w: weights(m), printed: m.toString() };
      };
      const lazy = run(true);
      const plain = run(false);
      expect(lazy).toEqual(plain);
      expect(lazy.losses[2]).toBeLessThan(lazy.losses[0]);
    });

    test('LazyConv1d/2d and LazyConvTranspose1d/2d: in_channels from dim 1 (or 0 unbatched), layouts and printing as PyTorch', () => {
      const c1 = new wg.nn.LazyConv1d(4, 3);
      expect(c1.toString()).toBe('LazyConv1d(0, 4, kernel_size=(3,), stride=(1,))');
      expect(c1.forward(wg.randn([2, 6, 9])).shape).toEqual([2, 4, 7]);
      expect(c1.toString()).toBe('Conv1d(6, 4, kernel_size=(3,), stride=(1,))');
      const c2 = new wg.nn.LazyConv2d(4, 3, { groups: 2, padding: 1 });
      expect(c2.forward(wg.randn([6, 5, 5])).shape).toEqual([4, 5, 5]); // unbatched [C, H, W]
      expect(c2.weight.shape).toEqual([4, 3, 3, 3]);
      const t2 = new wg.nn.LazyConvTranspose2d(4, 3);
      expect(t2.toString()).toBe('LazyConvTranspose2d(0, 4, kernel_size=(3, 3), stride=(1, 1))');
      expect(t2.forward(wg.randn([1, 3, 5, 5])).shape).toEqual([1, 4, 7, 7]);
      expect(t2.weight.shape).toEqual([3, 4, 3, 3]); // [inC, outC/groups, kh, kw]
      expect(t2).toBeInstanceOf(wg.nn.ConvTranspose2d);
      const t1 = new wg.nn.LazyConvTranspose1d(2, 2, { stride: 2, bias: false });
      expect(t1.forward(wg.randn([1, 3, 4])).shape).toEqual([1, 2, 8]);
      expect(Object.keys(t1.stateDict())).toEqual(['weight']);
    });

    test('LazyBatchNorm1d/2d and LazyInstanceNorm1d/2d: num_features from dim 1; the lazy instance norms default to affine and running stats (PyTorch 1.13)', () => {
      const bn = new wg.nn.LazyBatchNorm2d();
      expect(bn.toString()).toBe('LazyBatchNorm2d(0, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
      bn.forward(wg.randn([2, 3, 4, 4]));
      expect(bn.toString()).toBe('BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
      expect(Object.entries(bn.stateDict()).map(([k, t]) => [k, [...t.shape], t.dtype])).toEqual([
        ['weight', [3], 'float32'],
        ['bias', [3], 'float32'],
        ['running_mean', [3], 'float32'],
        ['running_var', [3], 'float32'],
        ['num_batches_tracked', [], 'int32'],
      ]);
      expect(vals(bn.stateDict().num_batches_tracked)).toEqual([1]);
      const inorm = new wg.nn.LazyInstanceNorm1d();
      inorm.forward(wg.randn([2, 3, 5]));
      expect(inorm.toString()).toBe('InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
      const plain = new wg.nn.LazyInstanceNorm2d({ affine: false, trackRunningStats: false });
      expect(Object.keys(plain.stateDict())).toEqual([]);
      expect(plain.forward(wg.randn([2, 3, 4, 4])).shape).toEqual([2, 3, 4, 4]);
      expect(plain).toBeInstanceOf(wg.nn.InstanceNorm2d);
      const bn1 = new wg.nn.LazyBatchNorm1d({ momentum: null });
      bn1.forward(wg.randn([4, 6]));
      expect(bn1.numFeatures).toBe(6);
    });

    test('loadStateDict sizes a lazy module from the loaded tensors, drawing nothing (PyTorch)', () => {
      wg.manualSeed(11);
      const m = new wg.nn.Sequential(new wg.nn.LazyLinear(3), new wg.nn.LazyBatchNorm1d());
      const w = wg.tensor(
        Array.from({ length: 21 }, (_, i) => i / 10),
        { shape: [3, 7] },
      );
      m.loadStateDict({
        '0.weight': w,
        '0.bias': wg.tensor([1, 2, 3]),
        '1.weight': wg.ones([3]),
        '1.bias': wg.zeros([3]),
        '1.running_mean': wg.zeros([3]),
        '1.running_var': wg.ones([3]),
        '1.num_batches_tracked': wg.tensor(4, { dtype: 'int32' }),
      });
      const after = vals(wg.randn([3]));
      wg.manualSeed(11);
      expect(after).toEqual(vals(wg.randn([3])));
      expect(m.at(0).toString()).toBe('Linear(in_features=7, out_features=3, bias=True)');
      expect(vals(m.stateDict()['0.weight'])).toEqual(vals(w));
      expect(vals(m.stateDict()['1.num_batches_tracked'])).toEqual([4]);
      expect(m.forward(wg.ones([2, 7])).shape).toEqual([2, 3]);
    });

    test('the 3-D ones: LazyConv3d, LazyConvTranspose3d, LazyBatchNorm3d, LazyInstanceNorm3d (printing as PyTorch 1.13)', () => {
      const c = new wg.nn.LazyConv3d(4, 2);
      expect(c.toString()).toBe('LazyConv3d(0, 4, kernel_size=(2, 2, 2), stride=(1, 1, 1))');
      expect(c.forward(wg.randn([1, 3, 3, 4, 4])).shape).toEqual([1, 4, 2, 3, 3]);
      expect(c.toString()).toBe('Conv3d(3, 4, kernel_size=(2, 2, 2), stride=(1, 1, 1))');
      const t3 = new wg.nn.LazyConvTranspose3d(2, 2, { stride: 2 });
      expect(t3.forward(wg.randn([3, 2, 2, 2])).shape).toEqual([2, 4, 4, 4]); // unbatched [C, D, H, W]
      expect(t3.weight.shape).toEqual([3, 2, 2, 2, 2]);
      const bn = new wg.nn.LazyBatchNorm3d();
      bn.forward(wg.randn([2, 5, 2, 2, 2]));
      expect(bn.toString()).toBe('BatchNorm3d(5, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
      const inorm = new wg.nn.LazyInstanceNorm3d();
      inorm.forward(wg.randn([2, 5, 2, 2, 2]));
      expect(Object.keys(inorm.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    });

    test('a forward hook registered before the first forward still runs, once per call', () => {
      const m = new wg.nn.LazyLinear(2);
      let calls = 0;
      m.registerForwardHook(() => void calls++);
      m.forward(wg.randn([1, 4]));
      m.forward(wg.randn([1, 4]));
      expect(calls).toBe(2);
      expect(m).toBeInstanceOf(wg.nn.Linear);
    });
  });
}

describe('lazy modules: errors', () => {
  beforeEach(() => wg.setBackend('wasm'));

  test("bad options fail when built, with the ordinary module's checks; bad first inputs fail naming the lazy module and change nothing", () => {
    expect(() => new wg.nn.LazyLinear(-1)).toThrow(wg.ValueError);
    expect(() => new wg.nn.LazyLinear(3, { bais: true } as never)).toThrow(/unknown option 'bais'/);
    expect(() => new wg.nn.LazyConv2d(4, 0)).toThrow(wg.ValueError);
    expect(() => new wg.nn.LazyBatchNorm1d({ eps: -1 })).toThrow(wg.ValueError);
    const c = new wg.nn.LazyConv2d(4, 3, { groups: 2 });
    expect(() => c.forward(wg.randn([3, 5]))).toThrow(/expected 3D \(unbatched\) or 4D \(batched\) input to LazyConv2d, but got input of size: \[3, 5\]/);
    expect(() => c.forward(wg.randn([1, 3, 5, 5]))).toThrow(/multiples of groups 2/); // PyTorch: in_channels must be divisible by groups
    expect(c.toString()).toBe('LazyConv2d(0, 4, kernel_size=(3, 3), stride=(1, 1), groups=2)'); // torch 1.13
    expect(c.forward(wg.randn([1, 4, 5, 5])).shape).toEqual([1, 4, 3, 3]);
    expect(() => new wg.nn.LazyLinear(2).forward(wg.tensor(1))).toThrow(/LazyLinear: expected an input with a last dim/);
    expect(() => new wg.nn.LazyBatchNorm1d().forward(wg.randn([3]))).toThrow(/LazyBatchNorm1d: expected an input with a dim 1/);
    expect(() => new wg.nn.LazyLinear(2).forward(3 as never)).toThrow(wg.ValueError);
  });

  test('the first forward inside wg.compile is a CompileError: run one forward first', () => {
    const m = new wg.nn.LazyLinear(2);
    const f = wg.compile((x: wg.Tensor) => m.forward(x).sum());
    expect(() => f(wg.randn([3, 4]))).toThrow(/nn\.LazyLinear takes its size from its first input: run one forward outside wg\.compile first/);
    m.forward(wg.randn([3, 4]));
    expect(f(wg.ones([3, 4])).item()).toBeCloseTo(
      m
        .forward(wg.ones([3, 4]))
        .sum()
        .item(),
      5,
    );
  });
});
