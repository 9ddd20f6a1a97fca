/**
 * nn.utils.weightNorm / spectralNorm and their remove* against torch 1.13 (float64). The python:
 *   r = lambda *s: torch.sin(torch.arange(prod(s), dtype=torch.float64) * 0.7 + 0.3).reshape(*s)
 *   m = nn.Linear(3, 4).double(); weight ← r(4, 3), bias ← r(4) * 0.5; x = r(2, 3) * 2
 *   m = nn.utils.weight_norm(m); y = m(x); y.square().sum().backward()
 *   c = nn.Conv1d(2, 3, 2) (weight ← r(3, 2, 2), bias ← 0); weight_norm(c, dim=None); xc = r(1, 2, 4)
 *   s = nn.utils.spectral_norm(Linear as m); weight_u ← normalize(cos(arange(4))), weight_v ← normalize(cos(arange(3) + 1))
 *   y = s(x) (training: one power iteration); y.square().sum().backward(); s.eval(); s(x); remove_spectral_norm(s)
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const { nn } = wg;
const vals = (t: wg.Tensor) => Array.from(t.data());
const r = (...s: number[]) => {
  const n = s.reduce((a, b) => a * b, 1);
  return wg.tensor(
    Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + 0.3)),
    { shape: s },
  );
};
const TOL = 2e-5;
const linear = () => {
  const m = new nn.Linear(3, 4);
  m.loadStateDict({ weight: r(4, 3), bias: r(4).mul(0.5) });
  return m;
};
const x = () => r(2, 3).mul(2);

for (const be of ['wasm', 'reference'] as const)
  describe(`weight and spectral norm on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test("weightNorm: torch's parameters (bias, weight_g [4, 1], weight_v), values and gradients", () => {
      const m = nn.utils.weightNorm(linear());
      expect(m.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
        ['bias', [4]],
        ['weight_g', [4, 1]],
        ['weight_v', [4, 3]],
      ]);
      expectClose(vals(m.getParameter('weight_g')), [1.33371838, 0.91233192, 1.36961346, 1.34131659], TOL);
      const y = m.forward(x());
      expectClose(vals(y), [3.70536952, -0.32357651, -2.31025098, 3.91532412, -0.5965519, 2.08543457, -0.44068928, -0.38136883], TOL);
      y.square().sum().backward();
      expectClose(vals(m.getParameter('weight_g').grad!), [20.43351648, 8.13840398, 10.06922346, 21.29501253], TOL);
      expectClose(
        vals(m.getParameter('weight_v').grad!),
        [
          -1.75932938, -0.51931181, 0.96494621, -0.77338662, -1.11318385, -0.92943332, 3.26509582, -1.35428733, -5.33672799, -1.34826631, -0.38660684,
          0.75687987,
        ],
        TOL,
      );
      expectClose(vals(m.bias!.grad!), [6.21763524, 3.52371612, -5.50188053, 7.06791058], TOL);
      // remove: weight is a parameter again (last, as torch registers it), holding g·v/‖v‖
      const w = vals(m.weight);
      nn.utils.removeWeightNorm(m);
      expect(m.namedParameters().map(([n]) => n)).toEqual(['bias', 'weight']);
      expectClose(vals(m.weight), w, 1e-6);
      expect(m.weight.requiresGrad && m.weight.isLeaf).toBe(true);
    });

    test('weightNorm with dim null: one norm over the whole kernel (a 0-d weight_g), Conv1d', () => {
      const c = new nn.Conv1d(2, 3, 2);
      c.loadStateDict({ weight: r(3, 2, 2), bias: wg.zeros([3]) });
      nn.utils.weightNorm(c, 'weight', null);
      const g = c.getParameter('weight_g');
      expect(g.shape).toEqual([]);
      expectClose([g.item()], [2.50721468], TOL);
      const y = c.forward(r(1, 2, 4));
      expectClose(vals(y), [0.42335221, -0.1839147, -0.70468365, -0.00267038, 0.88994403, 1.36400386, -0.41832002, -1.4931356, -1.86570617], TOL);
      y.square().sum().backward();
      expectClose([g.grad!.item()], [7.37667176], TOL);
      expectClose(
        vals(c.getParameter('weight_v').grad!),
        [-2.3263925, -3.08001936, -1.2796895, -0.90071924, 4.07907741, 5.40342183, -0.87990278, -1.54741671, -5.36040324, -7.10243016, 2.93781762, 3.81674044],
        TOL,
      );
    });

    test("spectralNorm: torch's state dict, one power iteration per training call (buffers updated), σ's gradient; eval uses u, v as they are", () => {
      wg.manualSeed(0);
      const s = nn.utils.spectralNorm(linear());
      expect(Object.entries(s.stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
        ['bias', [4]],
        ['weight_orig', [4, 3]],
        ['weight_u', [4]],
        ['weight_v', [3]],
      ]);
      expect(s.namedParameters().map(([n]) => n)).toEqual(['bias', 'weight_orig']);
      expectClose(vals(s.weight), vals(r(4, 3)), 0); // torch keeps the raw weight until the first call
      s.loadStateDict(
        {
          weight_u: wg.tensor([0.63950464, 0.34552583, -0.26612783, -0.6331048]),
          weight_v: wg.tensor([0.44944273, -0.34616578, -0.82351107]),
        },
        { strict: false },
      );
      const y = s.forward(x());
      expectClose(vals(y), [2.47400865, -0.06595501, -1.33900854, 2.6770467, -0.3389304, 1.50924841, -0.11654011, -0.13247357], TOL);
      expectClose(vals(s.getBuffer('weight_u')), [0.29417625, 0.47313248, -0.77189443, 0.30624332], TOL);
      expectClose(vals(s.getBuffer('weight_v')), [0.87380721, 0.44868869, -0.18745513], TOL);
      y.square().sum().backward();
      expectClose(
        vals(s.getParameter('weight_orig').grad!),
        [-4.21576042, 2.56895375, 8.14544883, -6.27744206, -4.54737502, -0.67860645, 13.26739529, 4.49012632, -6.39891922, -3.92088821, 2.92180687, 8.39033053],
        5e-5,
      );
      s.eval();
      expectClose(vals(s.forward(x())), vals(y), TOL);
      const w = [
        0.19323466, 0.55022079, 0.64842948, 0.44167166, 0.02718875, -0.40008145, -0.63918709, -0.57767306, -0.24447036, 0.20371057, 0.55608324, 0.64692127,
      ];
      expectClose(vals(s.weight), w, TOL);
      nn.utils.removeSpectralNorm(s);
      expect(Object.keys(s.stateDict())).toEqual(['bias', 'weight']);
      expectClose(vals(s.weight), w, TOL);
    });
  });

describe('weight and spectral norm: modes, compile, errors', () => {
  test('spectralNorm on ConvTranspose2d normalises over dim 1 (u [out], v [in·k·k]), as torch', () => {
    const ct = nn.utils.spectralNorm(new nn.ConvTranspose2d(2, 5, 3));
    expect([ct.getBuffer('weight_u').shape, ct.getBuffer('weight_v').shape]).toEqual([[5], [18]]);
  });

  test('a weight-normed model trains under wg.compile as eager (the hook re-runs every call)', () => {
    const run = (compiled: boolean) => {
      wg.manualSeed(1);
      const m = new nn.Sequential(nn.utils.weightNorm(new nn.Linear(3, 8)), new nn.Tanh(), nn.utils.spectralNorm(new nn.Linear(8, 1)));
      const opt = new wg.optim.Adam(m.parameters(), { lr: 0.05 });
      const xs = wg.randn([16, 3]);
      const ys = xs.sum(1, true).sin();
      const step = (a: wg.Tensor, b: wg.Tensor) => {
        opt.zeroGrad();
        const loss = wg.losses.mse(m.forward(a), b);
        loss.backward();
        opt.step();
        return loss;
      };
      const f = compiled ? wg.compile(step) : step;
      return Array.from({ length: 6 }, () => f(xs, ys).item());
    };
    const eager = run(false);
    expect(eager.at(-1)!).toBeLessThan(eager[0]);
    expectClose(run(true), eager, 1e-6);
  });

  test('errors name the function and leave the module as it was', () => {
    const m = linear();
    expect(() => nn.utils.weightNorm(m, 'wieght')).toThrow(/nn\.utils\.weightNorm: the module has no parameter 'wieght' \(its own: \["weight", "bias"\]\)/);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
    nn.utils.weightNorm(m);
    expect(() => nn.utils.spectralNorm(m)).toThrow(/cannot register two weight_norm\/spectral_norm hooks on the same parameter weight/);
    expect(() => nn.utils.removeSpectralNorm(m)).toThrow(/nn\.utils\.removeSpectralNorm: spectral_norm of 'weight' not found in the module/);
    expect(() => nn.utils.spectralNorm(linear(), 'weight', { nPowerIterations: -1 })).toThrow(/nPowerIterations must be an integer ≥ 0, got -1/);
    expect(() => nn.utils.weightNorm({} as never)).toThrow(/nn\.utils\.weightNorm: module must be an nn\.Module, got/);
    expect(() => nn.utils.spectralNorm(linear(), 'weight', { nPower: 2 } as never)).toThrow(/unknown option 'nPower'/);
    const other = linear();
    expect(() => nn.utils.weightNorm(other, 'weight', 2)).toThrow(/nn\.utils\.weightNorm: dim/);
    expect(() => nn.utils.spectralNorm(other, 'weight', { dim: 3 })).toThrow(/nn\.utils\.spectralNorm: dim/);
    expect(other.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
  });
});
