/** nn.SyncBatchNorm (one process: BatchNorm over any rank ≥ 2), its convertSyncBatchnorm, nn.DataParallel without CUDA, and torch's add_module replacing a child, against torch 1.13. */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

/** torch's positional constructor form, which the declared types leave out. */
const positional = (cls: unknown, ...args: unknown[]) => new (cls as new (...a: unknown[]) => wg.nn.Module)(...args);

const wave = (shape: number[], s: number, f: 'sin' | 'cos') => {
  const n = shape.reduce((a, b) => a * b, 1);
  return wg.arange(n).mul(s)[f]().reshape(shape);
};

// torch: BatchNorm (momentum 0.3, weight [0.9, 1.2, -0.7], bias [0.05, 0, -0.3]) in training on
// x = sin(0.37·i), loss (y·cos(0.21·i)).sum(); SyncBatchNorm computes the same in one process.
const CASES = [
  {
    shape: [3, 2],
    y: [-1.1573783, -1.6884867, 0.3049659, 0.6977481, 1.0024122, 0.9907381],
    gx: [-0.0619323, -0.0696632, 0.1918473, 0.6382844, -0.1299149, -0.5686209],
    gw: [-0.376524418592453, -0.4955247938632965],
    rm: [0.1670168936252594, 0.221858948469162],
    rv: [0.7774932384490967, 0.7324568629264832],
  },
  {
    shape: [2, 3, 2, 1, 2],
    y: [
      0.2956371, 0.7429392, 1.1297011, 1.4035764, 1.3505265, 1.2568312, 0.8108773, 0.0730225, -0.1882764, 0.1918525, 0.5457886, 0.8256285, -0.8957128, -0.93543,
      -0.8085281, -0.5321827, -2.3076887, -1.327384, -0.3495766, 0.493392, -0.9302763, -1.031296, -0.9929611, -0.8204599,
    ],
    gx: [
      0.9525623, 0.4046948, -0.125855, -0.5746222, 0.7595645, 0.4140209, 0.4395395, 0.7852096, -0.2169727, -0.087719, 0.0329644, 0.1467865, 0.0968409,
      0.0150093, -0.2109688, -0.5576613, 0.7774106, -0.2395878, -1.1453241, -1.7908331, 0.3377947, 0.1608269, -0.0598628, -0.3138181,
    ],
    gw: [6.77577543258667, 4.33076286315918, 1.1745892763137817],
    rm: [-0.05957461893558502, 0.1491222083568573, 0.08661691844463348],
    rv: [0.8815022706985474, 0.7673460841178894, 0.8573534488677979],
  },
];

for (const be of ['wasm', 'reference'] as const)
  describe(`nn.SyncBatchNorm and nn.DataParallel on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test.each(CASES)('SyncBatchNorm on $shape: values, gradients and running statistics as torch', (c) => {
      const C = c.shape[1];
      const m = new wg.nn.SyncBatchNorm(C, { momentum: 0.3 });
      m.loadStateDict({ ...m.stateDict(), weight: wg.tensor([0.9, 1.2, -0.7].slice(0, C)), bias: wg.tensor([0.05, 0, -0.3].slice(0, C)) });
      const x = wave(c.shape, 0.37, 'sin').requiresGrad_();
      const y = m.forward(x);
      expectClose(y.data(), c.y, 2e-5);
      y.mul(wave(c.shape, 0.21, 'cos'))
        .sum()
        .backward();
      expectClose(x.grad!.data(), c.gx, 2e-5);
      expectClose(m.weight!.grad!.data(), c.gw, 2e-5);
      expectClose(m.runningMean!.data(), c.rm, 1e-6);
      expectClose(m.runningVar!.data(), c.rv, 1e-6);
      expect(m.numBatchesTracked!.item()).toBe(1);
    });

    test("SyncBatchNorm: torch's state dict, repr, positional form (momentum None is the cumulative average) and errors", () => {
      const m = positional(wg.nn.SyncBatchNorm, 3, 1e-3, null, true) as wg.nn.SyncBatchNorm;
      expect(String(m)).toBe('SyncBatchNorm(3, eps=0.001, momentum=None, affine=True, track_running_stats=True)');
      expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
      const x = wg.arange(24).reshape([2, 3, 4]);
      m.forward(x);
      m.forward(x.mul(2));
      // torch: BatchNorm1d(3, 1e-5, None) after x then 2x
      expectClose(m.runningMean!.data(), [11.25, 17.25, 23.25]);
      expectClose(m.runningVar!.data(), [106.42857360839844, 106.42857360839844, 106.42857360839844]);
      expect(String(positional(wg.nn.BatchNorm1d, 4, 1e-3, null, false))).toBe(
        'BatchNorm1d(4, eps=0.001, momentum=None, affine=False, track_running_stats=True)',
      );
      expect(() => m.forward(wg.ones([3]))).toThrow('wasmgrad.nn.SyncBatchNorm: expected at least 2D input (got 1D input)');
      expect(() => m.forward(wg.ones([2, 4]))).toThrow('wasmgrad.nn.SyncBatchNorm: expected an input [N, 3, ...], got shape [2, 4]');
      expect(() => new wg.nn.SyncBatchNorm(3, { processGroup: 'world' as never })).toThrow(
        'wasmgrad.nn.SyncBatchNorm: processGroup must be null (one process), got',
      );
      m.eval();
      const e = m.forward(x);
      expectClose(e.data().slice(0, 2), [(0 - 11.25) / Math.sqrt(106.42857360839844 + 1e-3), (1 - 11.25) / Math.sqrt(106.42857360839844 + 1e-3)], 1e-5);
    });

    test('SyncBatchNorm.convertSyncBatchnorm: every BatchNorm replaced in place, sharing its tensors, as torch', () => {
      const inner = new wg.nn.BatchNorm1d(2, { momentum: 0.2, affine: false });
      const seq = new wg.nn.Sequential(new wg.nn.Conv2d(1, 2, 3), new wg.nn.BatchNorm2d(2, { eps: 1e-3 }), new wg.nn.Sequential(inner), new wg.nn.ReLU());
      seq.eval();
      const bn = seq.at(1) as wg.nn.BatchNorm2d;
      const keys = Object.keys(seq.stateDict());
      const out = wg.nn.SyncBatchNorm.convertSyncBatchnorm(seq);
      expect(out).toBe(seq);
      expect(String(out)).toBe(
        [
          'Sequential(',
          '  (0): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1))',
          '  (1): SyncBatchNorm(2, eps=0.001, momentum=0.1, affine=True, track_running_stats=True)',
          '  (2): Sequential(',
          '    (0): SyncBatchNorm(2, eps=1e-05, momentum=0.2, affine=False, track_running_stats=True)',
          '  )',
          '  (3): ReLU()',
          ')',
        ].join('\n'),
      );
      expect(Object.keys(out.stateDict())).toEqual(keys);
      const sync = out.at(1) as wg.nn.SyncBatchNorm;
      expect(sync.weight).toBe(bn.weight);
      expect(sync.runningVar).toBe(bn.runningVar);
      expect(out.stateDict()['1.running_mean']).toBe(bn.runningMean);
      // torch 1.13 does not carry the mode over: the new module trains
      expect(sync.training).toBe(true);
      const lone = wg.nn.SyncBatchNorm.convertSyncBatchnorm(new wg.nn.BatchNorm3d(4));
      expect(lone).toBeInstanceOf(wg.nn.SyncBatchNorm);
      expect(() => wg.nn.SyncBatchNorm.convertSyncBatchnorm({} as never)).toThrow(
        'wasmgrad.nn.SyncBatchNorm.convertSyncBatchnorm: module must be an nn.Module',
      );
    });

    test("addModule replaces a child of that name in its place, as torch's add_module", () => {
      const seq = new wg.nn.Sequential(new wg.nn.Linear(2, 2), new wg.nn.Tanh());
      const relu = new wg.nn.ReLU();
      expect(seq.addModule('0', relu)).toBe(relu);
      expect(String(seq)).toBe('Sequential(\n  (0): ReLU()\n  (1): Tanh()\n)');
      expect(seq.at(0)).toBe(relu);
      expect(seq.parameters()).toEqual([]);
      seq.addModule('tail', new wg.nn.Sigmoid());
      expect(seq.length).toBe(3);
      expect(String(seq.at(2))).toBe('Sigmoid()');
      const md = new wg.nn.ModuleDict({ a: new wg.nn.Tanh() });
      md.addModule('a', relu);
      md.addModule('b', new wg.nn.ReLU6());
      expect(md.get('a')).toBe(relu);
      expect(md.keys()).toEqual(['a', 'b']);
      const lin = new wg.nn.Linear(1, 1);
      expect(() => lin.addModule('weight', relu)).toThrow("wasmgrad.nn.Linear.registerModule: 'weight' is already registered");
    });

    test('DataParallel without CUDA: runs the module, keys under module., hooks of the module run', () => {
      const lin = new wg.nn.Linear(2, 3);
      const d = new wg.nn.DataParallel(lin, [0, 1]);
      expect(String(d)).toBe('DataParallel(\n  (module): Linear(in_features=2, out_features=3, bias=True)\n)');
      expect(Object.keys(d.stateDict())).toEqual(['module.weight', 'module.bias']);
      expect(d.deviceIds).toEqual([]);
      expect(d.module).toBe(lin);
      let seen = 0;
      lin.registerForwardHook(() => void seen++);
      const x = wg.tensor([[1, -2]]);
      expectClose((d.forward(x) as wg.Tensor).data(), lin.forward(x).data());
      expect(seen).toBe(2);
      expect(() => new wg.nn.DataParallel({} as never)).toThrow('wasmgrad.nn.DataParallel: module must be an nn.Module');
    });
  });
