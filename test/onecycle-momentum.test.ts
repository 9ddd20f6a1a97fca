/**
 * OneCycleLR cycles the momentum (SGD, RMSprop) or β1 (the Adam family) by default, as PyTorch's
 * cycle_momentum=True. Expected values are PyTorch 1.13's, written as literals.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const L = wg.optim.lr;

/** [lr, momentum or β1] of every group after construction and after each step. */
function trace(opt: wg.optim.Optimizer, sched: wg.optim.lr.LRScheduler, steps: number): number[][][] {
  const read = () => opt.paramGroups.map((g) => [g.lr as number, 'betas' in g ? (g.betas as readonly number[])[0] : (g.momentum as number)]);
  const rows = [read()];
  for (let i = 1; i < steps; i++) {
    opt.step();
    sched.step();
    rows.push(read());
  }
  return rows;
}

const zeros = (n: number) => Array.from({ length: n }, () => wg.zeros([1], { requiresGrad: true }));

for (const be of ['wasm', 'reference'] as const)
  describe(`OneCycleLR cycles the momentum (${be})`, () => {
    test("SGD (momentum 0 given): the momentum starts at maxMomentum 0.95, falls to 0.85 at the lr's peak, returns", () => {
      wg.setBackend(be);
      const opt = new wg.optim.SGD(zeros(1), { lr: 0.1 });
      // torch: OneCycleLR(SGD([p], lr=0.1), max_lr=1.0, total_steps=6, pct_start=0.4)
      const TORCH = [
        [[0.040000000000000036, 0.95]],
        [[0.8192751048921919, 0.8688255099070633]],
        [[0.9330129698414118, 0.856698729810778]],
        [[0.58682574153711, 0.8913175911166534]],
        [[0.17860948073194968, 0.932139380484327]],
        [[4e-6, 0.95]],
      ];
      expectClose(trace(opt, new L.OneCycleLR(opt, { maxLr: 1, totalSteps: 6, pctStart: 0.4 }), 6).flat(2), TORCH.flat(2), 1e-9);
    });

    test('RMSprop with the defaults', () => {
      wg.setBackend(be);
      const opt = new wg.optim.RMSprop(zeros(1), { lr: 0.1 });
      // torch: OneCycleLR(RMSprop([p], lr=0.1), max_lr=0.2, total_steps=5)
      const TORCH = [
        [[0.008000000000000007, 0.95]],
        [[0.19009692640269477, 0.854951556604879]],
        [[0.12225240438725786, 0.8888739533021842]],
        [[0.0376516692100474, 0.9311744900929366]],
        [[8e-7, 0.95]],
      ];
      expectClose(trace(opt, new L.OneCycleLR(opt, { maxLr: 0.2, totalSteps: 5 }), 5).flat(2), TORCH.flat(2), 1e-9);
    });

    test('Adam, two groups, three phases, linear: β1 per group, β2 untouched', () => {
      wg.setBackend(be);
      const opt = new wg.optim.Adam(
        zeros(2).map((p) => ({ params: [p] })),
        { lr: 0.1, betas: [0.9, 0.99] },
      );
      const sched = new L.OneCycleLR(opt, {
        maxLr: [1, 0.5],
        totalSteps: 7,
        pctStart: 0.3,
        threePhase: true,
        annealStrategy: 'linear',
        baseMomentum: [0.8, 0.7],
        maxMomentum: 0.9,
      });
      // torch: the same with max_lr=[1.0, 0.5], total_steps=7, pct_start=0.3, three_phase=True,
      // anneal_strategy='linear', base_momentum=[0.8, 0.7], max_momentum=0.9
      const TORCH = [
        [
          [0.04, 0.9],
          [0.02, 0.9],
        ],
        [
          [0.9127272727272727, 0.8090909090909091],
          [0.45636363636363636, 0.7181818181818181],
        ],
        [
          [0.2145454545454547, 0.8818181818181818],
          [0.10727272727272735, 0.8636363636363636],
        ],
        [
          [0.031579789473684214, 0.9],
          [0.015789894736842107, 0.9],
        ],
        [
          [0.021054526315789475, 0.9],
          [0.010527263157894737, 0.9],
        ],
        [
          [0.010529263157894736, 0.9],
          [0.005264631578947368, 0.9],
        ],
        [
          [3.9999999999970615e-6, 0.9],
          [1.9999999999985307e-6, 0.9],
        ],
      ];
      expectClose(trace(opt, sched, 7).flat(2), TORCH.flat(2), 1e-9);
      expect(opt.paramGroups.map((g) => g.betas[1])).toEqual([0.99, 0.99]);
      // the optimizer's state dict carries the cycled value
      expect(opt.stateDict().paramGroups[0].betas[0]).toBeCloseTo(0.9, 12);
    });

    test('training follows PyTorch, eagerly and inside wg.compile (fast replay): SGD and AdamW on a quadratic', () => {
      wg.setBackend(be);
      // torch: w = [1, -2, 3]; loss = (w·w·[1, 2, 3]).sum(); OneCycleLR(opt, max_lr=0.5, total_steps=8); 8 steps
      const TORCH = {
        sgd: [0.4117479920387268, -0.571622908115387, -2.9233314990997314],
        adamw: [-0.33328157663345337, -0.467085599899292, 1.41213059425354],
      };
      for (const name of ['sgd', 'adamw'] as const)
        for (const compiled of [false, true]) {
          const w = wg.tensor([1, -2, 3], { requiresGrad: true });
          const opt = name === 'sgd' ? new wg.optim.SGD([w], { lr: 0.1 }) : new wg.optim.AdamW([w], { lr: 0.1 });
          const sched = new L.OneCycleLR(opt, { maxLr: 0.5, totalSteps: 8 });
          const k = wg.tensor([1, 2, 3]);
          const step = () => {
            opt.zeroGrad();
            const loss = w.mul(w).mul(k).sum();
            loss.backward();
            opt.step();
            sched.step();
            return loss;
          };
          const f = compiled ? wg.compile(step) : step;
          for (let i = 0; i < 7; i++) f();
          // torch steps the optimizer an 8th time without the scheduler (it would pass totalSteps)
          opt.zeroGrad();
          w.mul(w).mul(k).sum().backward();
          opt.step();
          expectClose(w.toArray() as number[], TORCH[name], 2e-6);
          if (compiled) expect((f as ReturnType<typeof wg.compile>).replayInfo()[0]).toMatchObject({ mode: 'fast' });
        }
    });

    test('an optimizer without momentum or betas is a ValueError, as PyTorch; cycleMomentum false takes it', () => {
      wg.setBackend(be);
      const opt = new wg.optim.Adagrad(zeros(1), { lr: 0.1 });
      expect(() => new L.OneCycleLR(opt, { maxLr: 1, totalSteps: 5 })).toThrow(
        'wasmgrad.optim.lr.OneCycleLR: cycleMomentum needs an optimizer with a momentum or betas (SGD, RMSprop, the Adam family), got Adagrad: pass cycleMomentum: false',
      );
      expect(opt.lr).toBe(0.1);
      expect(() => new L.OneCycleLR(opt, { maxLr: 1, totalSteps: 5, cycleMomentum: false })).not.toThrow();
    });

    test('bad momentums are ValueErrors that change nothing', () => {
      wg.setBackend(be);
      const sgd = new wg.optim.SGD(
        zeros(2).map((p) => ({ params: [p] })),
        { lr: 0.1 },
      );
      expect(() => new L.OneCycleLR(sgd, { maxLr: 1, totalSteps: 5, baseMomentum: [0.8, 0] })).toThrow(
        'wasmgrad.optim.lr.OneCycleLR: baseMomentum and maxMomentum must be > 0 for SGD (its momentum buffer is off at 0), got baseMomentum [0.8, 0] and maxMomentum [0.95, 0.95]',
      );
      expect(() => new L.OneCycleLR(sgd, { maxLr: 1, totalSteps: 5, maxMomentum: [0.9] })).toThrow(
        'wasmgrad.optim.lr.OneCycleLR: maxMomentum holds 1 values, the optimizer has 2 parameter groups',
      );
      expect(() => new L.OneCycleLR(sgd, { maxLr: 1, totalSteps: 5, baseMomentum: -1 })).toThrow(
        'wasmgrad.optim.lr.OneCycleLR: baseMomentum must be a finite number ≥ 0 or one per parameter group, got -1',
      );
      expect(sgd.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([
        [0.1, 0],
        [0.1, 0],
      ]);
      // Adam's own check refuses β1 = 1 for every group before any is set
      const adam = new wg.optim.Adam(
        zeros(2).map((p) => ({ params: [p] })),
        { lr: 0.1 },
      );
      expect(() => new L.OneCycleLR(adam, { maxLr: 1, totalSteps: 5, maxMomentum: [0.9, 1] })).toThrow(wg.ValueError);
      expect(adam.paramGroups.map((g) => [g.lr, ...g.betas])).toEqual([
        [0.1, 0.9, 0.999],
        [0.1, 0.9, 0.999],
      ]);
    });
  });
