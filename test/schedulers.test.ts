/**
 * Learning-rate schedulers and clipGradValue (issue 12 item 6): lr sequences equal PyTorch 1.13's
 * (torch.optim.lr_scheduler, written here as literals), stepping inside wg.compile replays fast
 * and equals eager, checkpoints continue a schedule identically, and bad options are ValueErrors.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const BACKENDS = ['wasm', 'reference'] as const;

function data(n: number) {
  const xs = Array.from({ length: n }, (_, i) =>
    wg.tensor(
      Array.from({ length: 28 }, (_, k) => Math.sin(k * 0.9 + i)),
      { shape: [7, 4] },
    ),
  );
  const ys = Array.from({ length: n }, (_, i) => wg.tensor(Int32Array.from({ length: 7 }, (_, k) => (k + i) % 3)));
  return { xs, ys };
}

const params = (m: wg.nn.Module) => m.parameters().map((p) => Array.from(p.data()));

/** A small model and Adam; `extra` runs after opt.step() inside the step (a scheduler, clipping). */
function setup(extra: (opt: wg.optim.Adam, model: wg.nn.Module) => () => void) {
  wg.manualSeed(11);
  const model = new wg.nn.Sequential(new wg.nn.Linear(4, 6), new wg.nn.Tanh(), new wg.nn.Linear(6, 3));
  const opt = new wg.optim.Adam(model.parameters(), { lr: 0.02 });
  const after = extra(opt, model);
  const step = (x: wg.Tensor, y: wg.Tensor) => {
    opt.zeroGrad();
    const loss = wg.losses.crossEntropy(model.forward(x), y);
    loss.backward();
    after();
    opt.step();
    return loss;
  };
  return { model, opt, step };
}

for (const be of BACKENDS)
  describe(`clipGradValue on ${be}`, () => {
    test('clamps every gradient element to [−v, v] in place, as torch.nn.utils.clip_grad_value_', () => {
      wg.setBackend(be);
      const a = wg.tensor([0.5, -1.5, 2.0, -0.25, 3.0, -0.7], { shape: [2, 3], requiresGrad: true });
      const b = wg.tensor([0.1, -0.9, 0.9, 1.2, -5.0], { requiresGrad: true });
      const c = wg.tensor([1, 2], { requiresGrad: true }); // no gradient: skipped
      // d/dx Σ x·w = w: each gradient equals the values above
      a.mul(wg.tensor([0.5, -1.5, 2.0, -0.25, 3.0, -0.7], { shape: [2, 3] }))
        .sum()
        .backward();
      b.mul(wg.tensor([0.1, -0.9, 0.9, 1.2, -5.0]))
        .sum()
        .backward();
      wg.optim.clipGradValue([a, b, c], 0.8);
      // torch 1.13: clip_grad_value_([a, b], 0.8) with a.grad = a, b.grad = b
      expect(Array.from(a.grad!.data())).toEqual([0.5, -0.800000011920929, 0.800000011920929, -0.25, 0.800000011920929, -0.699999988079071]);
      expect(Array.from(b.grad!.data())).toEqual([0.10000000149011612, -0.800000011920929, 0.800000011920929, 0.800000011920929, -0.800000011920929]);
      expect(c.grad).toBeNull();
    });

    test('inside wg.compile: replays fast and equals eager', () => {
      wg.setBackend(be);
      const { xs, ys } = data(4);
      const run = (compiled: boolean) => {
        const s = setup((_opt, model) => () => wg.optim.clipGradValue(model, 0.05));
        const f = compiled ? wg.compile(s.step) : s.step;
        const losses = Array.from({ length: 8 }, (_, i) => f(xs[i % 4], ys[i % 4]).item());
        return { losses, params: params(s.model), f };
      };
      const eager = run(false),
        compiled = run(true);
      expect(compiled.losses).toEqual(eager.losses);
      expect(compiled.params).toEqual(eager.params);
      expect((compiled.f as ReturnType<typeof wg.compile>).replayInfo()[0]).toMatchObject({ mode: 'fast', calls: { fastRuns: 6 } });
    });

    test('a clipValue that is not a number ≥ 0 is a ValueError', () => {
      wg.setBackend(be);
      const p = wg.tensor([1], { requiresGrad: true });
      expect(() => wg.optim.clipGradValue([p], -1)).toThrow(wg.ValueError);
      expect(() => wg.optim.clipGradValue([p], -1)).toThrow('wasmgrad.optim.clipGradValue: clipValue must be a number ≥ 0, got -1');
      expect(() => wg.optim.clipGradValue([p], NaN)).toThrow(/clipValue must be a number ≥ 0, got NaN/);
      expect(() => wg.optim.clipGradValue([p], '1' as unknown as number)).toThrow(/clipValue must be a number ≥ 0, got "1"/);
    });
  });
