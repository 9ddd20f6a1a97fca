/**
 * Hand-computed values of the composite ops (src/ops/composite.ts), forward and gradient on both
 * backends: silu, logsumexp (ties, ±∞, |x| = 1000, empty dims), var/std (correction, keepdim),
 * lerp (number and tensor weights); that they run inside wg.compile and under wg.noGrad; and the
 * errors, which name the composite and not a primitive inside it.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { COMPOSITES, OPS } from '../../src/ops/index.js';
import { expectClose } from '../helpers/expect.js';
import { runGrad as run } from '../helpers/harness.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const M = [
  [1, 2, 3],
  [4, 5, 6],
];

test('composites are table entries without an opcode or kernel: the backends and the AS dispatch never see them', () => {
  expect(COMPOSITES.map((op) => op.name)).toEqual(expect.arrayContaining(['silu', 'logsumexp', 'var', 'std', 'lerp']));
  for (const op of COMPOSITES) {
    expect(op).not.toHaveProperty('opcode');
    expect(OPS.some((k) => k.name === op.name)).toBe(false);
  }
});

for (const be of ['wasm', 'reference'] as const) {
  describe(`composites on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('silu: x·σ(x), gradient σ(x)(1 + x(1 − σ(x)))', () => {
      const r = run((x) => x.silu(), [-1, 0, 2]);
      expectClose(r.y, [-0.2689414213699951, 0, 1.7615941559557646]);
      expectClose(r.g, [0.07232948812851325, 0.5, 1.0907842487848955]);
      expectClose(wg.silu(wg.tensor([-100, 100])).data(), [-0, 100]); // σ saturates without NaN
    });

    test('logsumexp over a dim, all elements, keepdim; gradient softmax', () => {
      let r = run((x) => x.logsumexp(1), M);
      expect(r.shape).toEqual([2]);
      expectClose(r.y, [3.40760596444438, 6.407605964444381]);
      const sm = [0.09003057317038048, 0.2447284710547977, 0.665240955774822];
      expectClose(r.g, [...sm, ...sm]);
      r = run((x) => wg.logsumexp(x, 0, true), M);
      expect(r.shape).toEqual([1, 3]);
      expectClose(
        r.y,
        [4, 5, 6].map((v) => v + Math.log1p(Math.exp(-3))),
      );
      r = run((x) => x.logsumexp(), M);
      expect(r.shape).toEqual([]);
      expectClose(r.y, [6.456193316018123]);
    });

    test('logsumexp at ties: the gradient is split evenly (softmax), not routed to the first max', () => {
      const r = run(
        (x) => x.logsumexp(-1),
        [
          [2, 2],
          [0, 0],
        ],
      );
      expectClose(r.y, [2 + Math.LN2, Math.LN2]);
      expectClose(r.g, [0.5, 0.5, 0.5, 0.5]);
    });

    test('logsumexp is stable at |x| = 1000 and follows PyTorch at ±∞ and over empty dims', () => {
      expectClose(
        wg
          .logsumexp(
            wg.tensor([
              [1000, 1000],
              [-1000, -1000],
            ]),
            1,
          )
          .data(),
        [1000 + Math.LN2, -1000 + Math.LN2],
      );
      const inf = Array.from(
        wg
          .logsumexp(
            wg.tensor([
              [-Infinity, -Infinity],
              [1, Infinity],
              [-Infinity, 0],
            ]),
            1,
          )
          .data(),
      );
      expect(inf).toEqual([-Infinity, Infinity, 0]);
      const empty = wg.logsumexp(wg.zeros([2, 0]), 1);
      expect(empty.shape).toEqual([2]);
      expect(Array.from(empty.data())).toEqual([-Infinity, -Infinity]);
    });

    test('var and std: correction (default 1), keepdim, all elements; gradient 2(x − mean)/(N − correction)', () => {
      let r = run((x) => x.var(1), M);
      expect(r.shape).toEqual([2]);
      expectClose(r.y, [1, 1]);
      expectClose(r.g, [-1, 0, 1, -1, 0, 1]);
      r = run((x) => wg.var(x, 1, { correction: 0, keepdim: true }), M);
      expect(r.shape).toEqual([2, 1]);
      expectClose(r.y, [2 / 3, 2 / 3]);
      expectClose(r.g, [-2 / 3, 0, 2 / 3, -2 / 3, 0, 2 / 3]);
      expectClose(wg.var(wg.tensor(M)).data(), [3.5]); // Σ (x − 3.5)² = 17.5, over N − 1 = 5
      r = run((x) => x.std(1), M);
      expectClose(r.y, [1, 1]);
      expectClose(r.g, [-0.5, 0, 0.5, -0.5, 0, 0.5]); // (x − mean)/((N − 1)·std)
      expectClose(wg.std(wg.tensor(M), 0, { correction: 0 }).data(), [1.5, 1.5, 1.5]);
    });

    test('var with N ≤ correction is NaN (or ∞), as PyTorch, and over an empty dim NaN', () => {
      expectClose(wg.var(wg.tensor([3])).data(), [NaN]);
      expect(Array.from(wg.var(wg.tensor([1, 3]), 0, { correction: 3 }).data())).toEqual([Infinity]);
      expectClose(wg.std(wg.zeros([2, 0]), 1, { correction: 0 }).data(), [NaN, NaN]);
    });

    test('lerp with a number and a tensor weight, broadcasting; gradients 1 − w, w, end − start', () => {
      const start = wg.tensor([1, 2], { requiresGrad: true }),
        end = wg.tensor([3, 6], { requiresGrad: true });
      const y = start.lerp(end, 0.25);
      expectClose(y.data(), [1.5, 3]);
      y.sum().backward();
      expectClose(start.grad!.data(), [0.75, 0.75]);
      expectClose(end.grad!.data(), [0.25, 0.25]);
      const w = wg.tensor(
        [
          [0.5, 1],
          [0, 2],
        ],
        { requiresGrad: true },
      );
      const z = wg.lerp(wg.tensor([1, 2]), wg.tensor([3, 6]), w);
      expect(z.shape).toEqual([2, 2]);
      expectClose(z.data(), [2, 6, 1, 10]);
      z.sum().backward();
      expectClose(w.grad!.data(), [2, 4, 2, 4]);
    });

    test('composites replay inside wg.compile (forward, backward and an SGD step; no JavaScript) and run under wg.noGrad', () => {
      const trainer = () => {
        const w = wg.tensor(
          [
            [0.5, -1, 2],
            [1, 0, -0.5],
          ],
          { requiresGrad: true },
        );
        const opt = new wg.optim.SGD([w], { lr: 0.1 });
        const step = (x: wg.Tensor) => {
          opt.zeroGrad();
          const h = x.mul(w);
          const loss = h
            .logsumexp(1)
            .add(h.var(1, { correction: 0 }))
            .add(h.silu().sum(1))
            .sum()
            .add(x.lerp(w, 0.3).std());
          loss.backward();
          opt.step();
          return loss;
        };
        return { w, step };
      };
      const inputs = [
        M,
        [
          [0, 0, 1],
          [-2, 7, 0.5],
        ],
        [
          [3, 1, 2],
          [6, 6, 6],
        ],
        [
          [1, -1, 0],
          [2, 2, 5],
        ],
      ].map((d) => wg.tensor(d));
      const eager = trainer(),
        comp = trainer();
      const compiled = wg.compile(comp.step);
      for (const x of inputs) {
        expectClose([compiled(x).item()], [eager.step(x).item()], 1e-6);
        expectClose(comp.w.data(), eager.w.data(), 1e-6);
      }
      const info = compiled.replayInfo()[0];
      expect(info.mode).toBe('fast');
      expect(info.calls.fastRuns).toBe(2); // the first call traces, the second verifies
      const y = wg.noGrad(() => wg.tensor(M, { requiresGrad: true }).silu());
      expect(y.requiresGrad).toBe(false);
    });

    test('errors name the composite, not a primitive inside it', () => {
      const x = wg.tensor(M);
      expect(() => x.logsumexp(2)).toThrow(
        new wg.ShapeError('logsumexp', 'dim 2 is out of range for a tensor of shape [2, 3] (expected an integer in [-2, 1])'),
      );
      expect(() => x.var(0, { correction: NaN })).toThrow(new wg.ValueError('var', 'correction must be a finite number, got NaN (tensor of shape [2, 3])'));
      expect(() => x.std(0, { ddof: 0 } as never)).toThrow(new wg.ValueError('std', "unknown option 'ddof' (the options are correction, unbiased, keepdim)"));
      expect(() => x.std(0, { unbiased: 1 } as never)).toThrow(new wg.ValueError('std', 'unbiased must be a boolean, got 1'));
      expect(() => x.var(0, { unbiased: false, correction: 0 })).toThrow(
        new wg.ValueError('var', 'give correction or unbiased, not both (got correction 0 and unbiased false)'),
      );
      expect(() => x.std(0, { keepdim: 1 } as never)).toThrow(new wg.ValueError('std', 'keepdim must be a boolean, got 1'));
      expect(() => x.lerp(wg.zeros([3, 2]), 0.5)).toThrow(
        new wg.ShapeError('lerp', 'shapes [2, 3] and [3, 2] and [] cannot be broadcast together (dim 0: 2 vs 3)'),
      );
      expect(() => wg.silu(wg.tensor([1, 2], { dtype: 'int32' }))).toThrow(
        new wg.DTypeError('silu', 'input 0 must be float32, got int32 (a tensor of shape [2])'),
      );
      expect(() => wg.lerp(x, x, 'a' as never)).toThrow(new wg.ValueError('lerp', 'argument 3 must be a Tensor or a number, got "a"'));
    });
  });
}
