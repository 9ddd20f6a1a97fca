/**
 * nn.AdaptiveLogSoftmaxWithLoss against PyTorch 1.13 (test/fixtures/adaptive-torch.py →
 * adaptive-torch.json): state-dict keys and shapes, forward's output and loss and every gradient,
 * logProb, predict (rows in the shortlist and in the clusters), the unbatched form, on both
 * backends and compiled; every error path.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { loadSinStateDict, sinFilled } from './helpers/sin-fill.js';

interface Case {
  keys: string[];
  shapes: number[][];
  target: number[];
  output: number[];
  loss: number[];
  xgrad: number[];
  grads: Record<string, number[]>;
  logprob: number[];
  predict: Record<string, number[]>;
  repr: string;
  single: { output: number[]; loss: number[]; xgrad: number[] };
}
const REF: Record<'a' | 'b', Case> = JSON.parse(readFileSync(new URL('./fixtures/adaptive-torch.json', import.meta.url), 'utf8'));
/** The fixture's modules: [inFeatures, nClasses, cutoffs, options, N]. */
const CASES = {
  a: [8, 20, [5, 12], { divValue: 2, headBias: true }, 7],
  b: [16, 9, [2], {}, 4],
} as const;

const vals = (t: wg.Tensor) => Array.from(t.data());
const TOL = 2e-6;

function make(name: 'a' | 'b') {
  const [inF, nClasses, cutoffs, opts, N] = CASES[name];
  const m = new wg.nn.AdaptiveLogSoftmaxWithLoss(inF, nClasses, cutoffs, opts);
  loadSinStateDict(m);
  const target = wg.tensor(REF[name].target, { dtype: 'int32' });
  return { m, x: sinFilled([N, inF], 0.23), target, inF, nClasses };
}

beforeAll(async () => {
  await initWasm();
});

for (const be of ['wasm', 'reference'] as const) {
  describe(`nn.AdaptiveLogSoftmaxWithLoss on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    for (const name of ['a', 'b'] as const) {
      test(`case ${name}: keys, forward, gradients, logProb, predict as PyTorch`, () => {
        const ref = REF[name];
        const { m, x, target } = make(name);
        const sd = m.stateDict();
        expect(Object.keys(sd)).toEqual(ref.keys);
        expect(Object.values(sd).map((t) => [...t.shape])).toEqual(ref.shapes);
        expect(m.toString()).toBe(ref.repr);
        const res = m.forward(x, target);
        const [output, loss] = res;
        expect(res.output).toBe(output);
        expect(res.loss).toBe(loss);
        expectClose(vals(output), ref.output, TOL);
        expectClose(vals(loss), ref.loss, TOL);
        output.sum().mul(0.5).add(loss).backward();
        expectClose(vals(x.grad!), ref.xgrad, TOL);
        for (const [k, p] of m.namedParameters()) expectClose(vals(p.grad!), ref.grads[k], TOL);
        wg.noGrad(() => {
          expect(m.logProb(x).shape).toEqual([x.shape[0], CASES[name][1]]);
          expectClose(vals(m.logProb(x)), ref.logprob, TOL);
          for (const [s, want] of Object.entries(ref.predict)) {
            const p = m.predict(x.mul(Number(s)));
            expect(p.dtype).toBe('int32');
            expect(vals(p)).toEqual(want);
          }
        });
      });

      test(`case ${name}: an unbatched input [in] with a 0-d target`, () => {
        const { m, inF, nClasses } = make(name);
        const x1 = sinFilled([inF], 0.31);
        const [out, loss] = m.forward(x1, wg.tensor(nClasses - 1, { dtype: 'int32' }));
        expect(out.shape).toEqual([]);
        expectClose(vals(out), REF[name].single.output, TOL);
        expectClose(vals(loss), REF[name].single.loss, TOL);
        loss.backward();
        expectClose(vals(x1.grad!), REF[name].single.xgrad, TOL);
      });
    }
  });
}

describe('nn.AdaptiveLogSoftmaxWithLoss', () => {
  beforeEach(() => wg.setBackend('wasm'));

  test('compiled: a training step replays to the eager losses and weights', () => {
    const run = (compiled: boolean) => {
      const { m, x, target } = make('a');
      const opt = new wg.optim.SGD(m.parameters(), { lr: 0.1 });
      const step = (xb: wg.Tensor, tb: wg.Tensor) => {
        opt.zeroGrad();
        const { loss } = m.forward(xb, tb);
        loss.backward();
        opt.step();
        return loss;
      };
      const f = compiled ? wg.compile(step) : step;
      const losses = [0, 1, 2].map(() => f(x.detach(), target).item());
      if (compiled) expect((f as ReturnType<typeof wg.compile>).replayInfo()[0].mode).toBe('fast'); // no JavaScript re-run
      return { losses, weights: Object.values(m.stateDict()).map(vals) };
    };
    const eager = run(false);
    const compiled = run(true);
    expect(compiled.losses).toEqual(eager.losses);
    expect(compiled.weights).toEqual(eager.weights);
    expect(eager.losses[2]).toBeLessThan(eager.losses[0]);
  });

  test('bad arguments: PyTorch’s checks, named errors, nothing built', () => {
    const C = wg.nn.AdaptiveLogSoftmaxWithLoss;
    for (const cutoffs of [[], [0, 3], [3, 3], [4, 2], [2.5], [10], [3, 10]])
      expect(() => new C(4, 10, cutoffs), JSON.stringify(cutoffs)).toThrow(/cutoffs should be a sequence of unique, positive integers/);
    expect(() => new C(4, 10, [3], { divValue: 0 })).toThrow(wg.ValueError);
    expect(() => new C(4, 10, [3], { headBias: 1 as never })).toThrow(/headBias must be a boolean/);
    expect(() => new C(4, 10, [3], { cutoff: 1 } as never)).toThrow(wg.ValueError);
    expect(() => new C(0, 10, [3])).toThrow(wg.ValueError);
    expect(new C(4, 10, [9]).cutoffs).toEqual([9, 10]); // PyTorch allows a cutoff of nClasses − 1

    const m = new C(4, 10, [3, 6]);
    const x = wg.randn([5, 4]);
    const ids = (v: number[]) => wg.tensor(v, { dtype: 'int32' });
    expect(() => m.forward(x, ids([0, 1, 2, 3, 10]))).toThrow(/target values should be in \[0, 9\], but values in range \[0, 10\] were found/);
    expect(() => m.forward(x, ids([0, 1, -1, 3, 9]))).toThrow(/values in range \[-1, 9\]/);
    expect(() => m.forward(x, wg.tensor([0, 1, 2, 3, 4]))).toThrow(wg.DTypeError);
    expect(() => m.forward(x, ids([0, 1, 2]))).toThrow(/a 1-D target \[N\] needs a 2-D input \[N, 4\] with the same N/);
    expect(() => m.forward(wg.randn([5, 3]), ids([0, 1, 2, 3, 4]))).toThrow(/last dim is inFeatures = 4/);
    expect(() => m.forward(x, ids([1]).reshape([]))).toThrow(/a 0-D target needs a 1-D input \[4\]/);
    expect(() => m.forward(x, wg.zeros([5, 1], { dtype: 'int32' }))).toThrow(/multi-target is not supported/);
    expect(() => m.logProb(wg.randn([4]))).toThrow(/logProb: expected an input \[N, 4\]/);
    expect(() => m.predict(wg.randn([2, 5]))).toThrow(/predict: expected an input whose last dim is inFeatures = 4/);
  });
});
