/** wg.Generator and wg.defaultGenerator (torch.Generator, torch.default_generator) and the `generator` keyword of the random functions. */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const values = (t: wg.Tensor) => Array.from(t.data());

for (const be of ['wasm', 'reference'] as const)
  describe(`wg.Generator on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test("a generator is a stream of its own: the global stream's numbers for the same seed, the global stream untouched", () => {
      const g = new wg.Generator();
      expect(g.device).toBe('cpu');
      expect(g.initialSeed()).toBe(67280421310721); // torch's default seed of a new Generator
      expect(g.manualSeed(3)).toBe(g);
      expect(g.initialSeed()).toBe(3);
      wg.manualSeed(3);
      const want = [values(wg.randn([5])), values(wg.rand(2, 3)), values(wg.randint(0, 10, [4])), values(wg.randperm(6))];
      wg.manualSeed(11);
      const global = wg.getRngState();
      const got = [
        values(wg.randn([5], { generator: g })),
        values(wg.rand(2, 3, { generator: g })),
        values(wg.randint(0, 10, [4], { generator: g })),
        values(wg.randperm(6, { generator: g })),
      ];
      expect(got).toEqual(want);
      expect(wg.getRngState()).toEqual(global);
      expect(wg.initialSeed()).toBe(11);
      // the draws advanced g: its state is where the global stream got to after the same draws
      wg.manualSeed(3);
      for (const f of [() => wg.randn([5]), () => wg.rand(2, 3), () => wg.randint(0, 10, [4]), () => wg.randperm(6)]) f();
      expect(g.getState()).toEqual(wg.getRngState());
    });

    test('every random function and in-place fill takes { generator } last, with its other options', () => {
      const g = new wg.Generator().manualSeed(5);
      const start = g.getState();
      const draws = (gen: wg.Generator | null) => {
        const opts = { generator: gen }; // null: the global stream
        return [
          wg.normal(0, 2, [3], opts),
          wg.normal(wg.zeros([2]), wg.ones([2]), opts),
          wg.poisson(wg.tensor([1, 4, 9]), opts),
          wg.binomial(wg.tensor([5, 10]), wg.tensor([0.3, 0.6]), opts),
          wg.bernoulli(wg.full([4], 0.5), opts),
          wg.multinomial(wg.tensor([0.2, 0.3, 0.5]), 4, { replacement: true, ...opts }),
          wg.zeros([3]).uniform_(-1, 1, opts),
          wg.zeros([3]).normal_(0, 1, opts),
          wg.zeros([3]).bernoulli_(0.3, opts),
          wg.zeros([3]).exponential_(2, opts),
          wg.zeros([3]).cauchy_(0, 1, opts),
          wg.zeros([3]).logNormal_(1, 2, opts),
          wg.zeros([3]).geometric_(0.4, opts),
          wg.zeros([3], { dtype: 'int32' }).random_(0, 7, opts),
        ].map(values);
      };
      const withG = draws(g);
      wg.manualSeed(5);
      expect(draws(null)).toEqual(withG);
      // replayed from the saved state
      g.setState(start);
      expect(draws(g)).toEqual(withG);
      expect(withG[5].every((v) => v >= 0 && v <= 2)).toBe(true);
    });

    test('wg.defaultGenerator is the global stream; errors', () => {
      expect(wg.defaultGenerator.manualSeed(7)).toBe(wg.defaultGenerator);
      expect(wg.initialSeed()).toBe(7);
      expect(wg.defaultGenerator.getState()).toEqual(wg.getRngState());
      const a = values(wg.randn([3], { generator: wg.defaultGenerator }));
      wg.manualSeed(7);
      expect(values(wg.randn([3]))).toEqual(a);
      wg.defaultGenerator.setState(wg.defaultGenerator.getState());
      const g = new wg.Generator();
      const s = g.seed();
      expect(Number.isSafeInteger(s) && s >= 0).toBe(true);
      expect(g.initialSeed()).toBe(s);
      expect(wg.initialSeed()).toBe(7);
      expect(values(wg.rand([2], { generator: null }))).toHaveLength(2);
      expect(() => new wg.Generator('cuda')).toThrow('wasmgrad.Generator: wasmgrad computes on the CPU: the device must be \'cpu\', got "cuda"');
      expect(() => wg.randn([2], { generator: 5 as never })).toThrow('wasmgrad.randn: generator must be a wg.Generator or null, got 5');
      expect(() => g.manualSeed(NaN)).toThrow('wasmgrad.Generator.manualSeed: seed must be a finite number, got NaN');
      expect(() => g.setState([1, 2])).toThrow('wasmgrad.Generator.setState: a random state is 4 integers');
      const step = wg.compile((x: wg.Tensor) => x.add(wg.rand([2], { generator: g })).sum(), { warn: false });
      expect(() => step(wg.ones([2]))).toThrow(wg.CompileError);
    });
  });
