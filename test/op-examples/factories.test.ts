/**
 * The creation factories of src/api/factories.ts: eye and linspace against PyTorch 1.13's values,
 * the *Like family, the random ones (randint, multinomial, bernoulli, randnLike, randLike) by their
 * statistics over 20k draws with fixed seeds (each frequency within 4 standard deviations) and
 * their agreement across backends, and every error path.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { DTypeError, ShapeError, ValueError } from '../../src/index.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const N = 20000;
/** Asserts count successes of N trials of probability p lie within 4 standard deviations of N·p. */
function expectFrequency(count: number, n: number, p: number): void {
  expect(Math.abs(count - n * p)).toBeLessThanOrEqual(4 * Math.sqrt(n * p * (1 - p)));
}
const counts = (v: ArrayLike<number>, k: number) => Array.from({ length: k }, (_, c) => Array.from(v).filter((x) => x === c).length);

for (const be of ['wasm', 'reference'] as const) {
  describe(`factories on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('eye: ones on the diagonal of n×m, float32 or int32', () => {
      expect(wg.eye(3, 2).toArray()).toEqual([
        [1, 0],
        [0, 1],
        [0, 0],
      ]);
      const e = wg.eye(2, { dtype: 'int32' });
      expect(e.dtype).toBe('int32');
      expect(e.toArray()).toEqual([
        [1, 0],
        [0, 1],
      ]);
      expect(wg.eye(0).shape).toEqual([0, 0]);
      expect(wg.eye(1, 0).shape).toEqual([1, 0]);
      expect(wg.eye(17).sum().item()).toBe(17);
      expect(wg.eye(2, { requiresGrad: true }).requiresGrad).toBe(true);
    });

    test("linspace: PyTorch's float32 values, both ends exact", () => {
      const f = (a: number, b: number, n: number) => Array.from(wg.linspace(a, b, n).data());
      expect(f(0, 1, 7)).toEqual([0.0, 0.1666666716337204, 0.3333333432674408, 0.5, 0.6666666269302368, 0.8333333134651184, 1.0]);
      expect(f(-3, 2.5, 6)).toEqual([-3.0, -1.899999976158142, -0.7999999523162842, 0.2999999523162842, 1.399999976158142, 2.5]);
      expect(f(0.1, 0.7, 8)).toEqual([
        0.10000000149011612, 0.18571427464485168, 0.27142855525016785, 0.357142835855484, 0.44285714626312256, 0.5285714268684387, 0.6142857074737549,
        0.699999988079071,
      ]);
      expect(f(1e6, 1e6 + 1, 5)).toEqual([1000000.0, 1000000.25, 1000000.5, 1000000.75, 1000001.0]);
      expect(f(5, 5, 3)).toEqual([5, 5, 5]);
      expect(f(2, -1, 1)).toEqual([2]);
      expect(wg.linspace(0, 1, 0).shape).toEqual([0]);
    });

    test('zerosLike, onesLike, fullLike keep the shape and dtype unless told otherwise', () => {
      const x = wg.tensor([[1, 2, 3]], { dtype: 'int32' });
      const z = wg.zerosLike(x);
      expect([z.shape, z.dtype, z.toArray()]).toEqual([[1, 3], 'int32', [[0, 0, 0]]]);
      expect(wg.onesLike(x, { dtype: 'float32' }).dtype).toBe('float32');
      expect(wg.fullLike(x, 7).toArray()).toEqual([[7, 7, 7]]);
      const g = wg.onesLike(wg.zeros([2]), { requiresGrad: true });
      expect(g.requiresGrad).toBe(true);
      expect(wg.fullLike(wg.zeros([0, 2]), 1).shape).toEqual([0, 2]);
    });

    test('randnLike and randLike continue the seeded stream as randn and rand do', () => {
      const x = wg.zeros([3, 5]);
      wg.manualSeed(3);
      const a = wg.randnLike(x).toArray();
      const u = wg.randLike(x).toArray();
      wg.manualSeed(3);
      expect(wg.randn([3, 5]).toArray()).toEqual(a);
      expect(wg.rand([3, 5]).toArray()).toEqual(u);
      expect(wg.randLike(wg.zeros([1]), { requiresGrad: true }).requiresGrad).toBe(true);
    });

    test('randint: int32 in [low, high), each value within 4 sigma of uniform over 20k draws', () => {
      wg.manualSeed(11);
      const r = wg.randint(-3, 4, [N]);
      expect(r.dtype).toBe('int32');
      const v = Array.from(r.data());
      expect(v.every((x) => x >= -3 && x < 4)).toBe(true);
      counts(
        v.map((x) => x + 3),
        7,
      ).forEach((c) => expectFrequency(c, N, 1 / 7));
      // randint(high, shape), float32 on request, the full int32 range.
      expect(Array.from(wg.randint(2, [50]).data()).every((x) => x === 0 || x === 1)).toBe(true);
      expect(wg.randint(0, 5, [2, 3], { dtype: 'float32' }).dtype).toBe('float32');
      const full = Array.from(wg.randint(-(2 ** 31), 2 ** 31, [1000]).data());
      expect(full.some((x) => x < -(2 ** 30)) && full.some((x) => x > 2 ** 30)).toBe(true);
      expect(wg.randint(5, [0]).shape).toEqual([0]);
    });

    test('multinomial with replacement: frequencies within 4 sigma, a zero weight never drawn', () => {
      wg.manualSeed(5);
      const p = [0.1, 0, 0.5, 0.4];
      const s = wg.multinomial(wg.tensor(p), N, { replacement: true });
      expect([s.shape, s.dtype]).toEqual([[N], 'int32']);
      const c = counts(s.data(), 4);
      expect(c[1]).toBe(0);
      c.forEach((k, i) => expectFrequency(k, N, p[i]));
      // Unnormalised weights, one row per distribution.
      const rows = wg.multinomial(
        wg.tensor([
          [1, 3],
          [0, 2],
        ]),
        N,
        { replacement: true },
      );
      expect(rows.shape).toEqual([2, N]);
      const [r0, r1] = rows.toArray() as number[][];
      expectFrequency(counts(r0, 2)[1], N, 0.75);
      expect(r1.every((x) => x === 1)).toBe(true);
    });

    test('multinomial without replacement: distinct indices, the first draw distributed as the weights', () => {
      wg.manualSeed(6);
      const p = [0.1, 0.2, 0.3, 0.4];
      const probs = wg.tensor(Array.from({ length: N }, () => p));
      const s = wg.multinomial(probs, 4).toArray() as number[][];
      expect(s.every((row) => new Set(row).size === 4)).toBe(true);
      counts(
        s.map((row) => row[0]),
        4,
      ).forEach((k, i) => expectFrequency(k, N, p[i]));
      // The second draw: P(j second) = Σ_i p_i·p_j/(1 − p_i) over i ≠ j.
      const second = counts(
        s.map((row) => row[1]),
        4,
      );
      p.forEach((pj, j) =>
        expectFrequency(
          second[j],
          N,
          p.reduce((acc, pi, i) => (i === j ? acc : acc + (pi * pj) / (1 - pi)), 0),
        ),
      );
      // Zero weights are never drawn while enough positive ones remain.
      const z = wg.multinomial(wg.tensor([0, 5, 0, 1]), 2).toArray() as number[];
      expect([...z].sort()).toEqual([1, 3]);
    });

    test('bernoulli: 1 with probability p per element, from a tensor of probabilities or a number', () => {
      wg.manualSeed(7);
      const b = wg.bernoulli(wg.full([N], 0.3));
      expect(b.dtype).toBe('float32');
      expectFrequency(b.sum().item(), N, 0.3);
      expect(wg.bernoulli(wg.tensor([0, 1, 0, 1])).toArray()).toEqual([0, 1, 0, 1]);
      const m = wg.zeros([N], { dtype: 'int32' }).bernoulli(0.25);
      expect(m.dtype).toBe('int32');
      expectFrequency(Array.from(m.data()).filter((x) => x === 1).length, N, 0.25);
      expect(Array.from(m.data()).every((x) => x === 0 || x === 1)).toBe(true);
    });

    test('errors name the function, what was expected and what was given', () => {
      const cases: [() => unknown, new (...a: never[]) => Error, RegExp][] = [
        [() => wg.eye(-1), ValueError, /eye: n must be a non-negative integer, got -1/],
        [() => wg.eye(2, 1.5), ValueError, /eye: m must be a non-negative integer, got 1\.5/],
        [() => wg.eye(2, { dtype: 'int64' as never }), DTypeError, /eye: unknown dtype "int64"/],
        [() => wg.eye(2, { dtype: 'int32', requiresGrad: true }), DTypeError, /eye: only float32 tensors can require grad/],
        [() => wg.eye(2, { shape: [2] } as never), ValueError, /eye: unknown option 'shape'/],
        [() => wg.linspace(NaN, 1, 3), ValueError, /linspace: start must be a finite number, got NaN/],
        [() => wg.linspace(0, '1' as never, 3), ValueError, /linspace: end must be a finite number, got "1"/],
        [() => wg.linspace(0, 1, 2.5), ValueError, /linspace: steps must be a non-negative integer, got 2\.5/],
        [() => wg.linspace(0, 1, 3, { dtype: 'int64' as never }), DTypeError, /linspace: unknown dtype "int64"/],
        [() => wg.linspace(0, 3e9, 3, { dtype: 'int32' }), ValueError, /linspace: with dtype int32, start and end must fit in int32, got 0 and 3000000000/],
        [() => wg.zerosLike([1, 2] as never), ValueError, /zerosLike: the first argument must be a Tensor, got \[1, 2\]/],
        [() => wg.onesLike(wg.zeros([1]), { fill: 1 } as never), ValueError, /onesLike: unknown option 'fill'/],
        [() => wg.fullLike(wg.zeros([1], { dtype: 'int32' }), 2.5), ValueError, /fullLike: int32 data must be 32-bit integers, got 2\.5/],
        [() => wg.randnLike(wg.zeros([1], { dtype: 'int32' })), DTypeError, /randnLike: makes float32 tensors, got dtype "int32"/],
        [() => wg.randint(0.5, 3, [2]), ValueError, /randint: low must be an integer in \[-2\^31, 2\^31\], got 0\.5/],
        [() => wg.randint(0, 2 ** 32, [2]), ValueError, /randint: high must be an integer .* got 4294967296/],
        [() => wg.randint(3, 3, [2]), ValueError, /randint: low must be less than high, got low 3 and high 3/],
        [() => wg.randint(0, 3), ShapeError, /randint: needs a shape: .* got randint\(0, 3\)/],
        [() => wg.randint(3, [-1]), ShapeError, /randint: shape must be an array of non-negative integers, got \[-1\]/],
        [() => wg.randint(3, [2], { requiresGrad: true }), DTypeError, /randint: only float32 tensors can require grad/],
        [() => wg.multinomial(wg.tensor([1, 1]), 0), ValueError, /multinomial: numSamples must be a positive integer, got 0/],
        [() => wg.multinomial(wg.tensor([1, 1]), 1, { replace: true } as never), ValueError, /multinomial: unknown option 'replace'/],
        [() => wg.multinomial(wg.tensor([1, 1]), 1, { replacement: 1 } as never), ValueError, /multinomial: replacement must be a boolean, got 1/],
        [() => wg.multinomial(wg.tensor([1, 1], { dtype: 'int32' }), 1), DTypeError, /multinomial: probabilities must be a float32 tensor, got int32 \[2\]/],
        [() => wg.multinomial(wg.ones([2, 2, 2]), 1), ShapeError, /multinomial: probabilities must be 1-D or 2-D, got shape \[2, 2, 2\]/],
        [() => wg.multinomial(wg.ones([2, 0]), 1), ShapeError, /multinomial: probabilities of shape \[2, 0\] have no category/],
        [() => wg.multinomial(wg.tensor([1, -1]), 1), ValueError, /multinomial: probabilities must be finite and non-negative, got -1 at flat index 1/],
        [() => wg.multinomial(wg.tensor([1, NaN]), 1), ValueError, /got NaN at flat index 1/],
        [
          () =>
            wg.multinomial(
              wg.tensor([
                [1, 1],
                [0, 0],
              ]),
              1,
            ),
          ValueError,
          /multinomial: row 1 of the probabilities sums to 0/,
        ],
        [() => wg.multinomial(wg.tensor([1, 1]), 3), ValueError, /multinomial: cannot draw 3 samples without replacement from 2 categories/],
        [() => wg.multinomial(wg.tensor([1, 0, 1]), 3), ValueError, /multinomial: row 0 has 2 categories of positive probability, fewer than the 3 samples/],
        [() => wg.bernoulli(0.5 as never), ValueError, /bernoulli: the input must be a Tensor, got 0\.5/],
        [() => wg.bernoulli(wg.zeros([2]), 1.5), ValueError, /bernoulli: p must be a number in \[0, 1\], got 1\.5/],
        [() => wg.bernoulli(wg.zeros([2]), NaN), ValueError, /bernoulli: p must be a number in \[0, 1\], got NaN/],
        [() => wg.bernoulli(wg.zeros([2], { dtype: 'int32' })), DTypeError, /bernoulli: probabilities must be a float32 tensor, got int32 \[2\] \(or pass p\)/],
        [() => wg.bernoulli(wg.tensor([0.5, 2])), ValueError, /bernoulli: probabilities must be in \[0, 1\], got 2 at flat index 1/],
      ];
      for (const [f, type, message] of cases) {
        expect(f, String(message)).toThrow(type);
        expect(f, String(message)).toThrow(message);
      }
    });
  });
}

test('the random factories draw the same numbers on both backends', () => {
  const draw = (be: 'wasm' | 'reference') => {
    wg.setBackend(be);
    wg.manualSeed(42);
    return [
      wg.randint(-5, 5, [9]).toArray(),
      wg.multinomial(wg.tensor([0.2, 0.3, 0.5]), 6, { replacement: true }).toArray(),
      wg.multinomial(wg.tensor([0.2, 0.3, 0.5]), 3).toArray(),
      wg.bernoulli(wg.full([9], 0.5)).toArray(),
      Array.from(wg.randnLike(wg.zeros([4])).data()), // the reference keeps float64 draws; both round to the same float32
    ];
  };
  expect(draw('reference')).toEqual(draw('wasm'));
});

test('eye and linspace inside wg.compile are constants of the program (it replays fast); randint makes it re-run its JavaScript', () => {
  wg.setBackend('wasm');
  const f = wg.compile((x: wg.Tensor) => x.matmul(wg.eye(3)).add(wg.linspace(0, 1, 3)));
  const x = wg.tensor([[1, 2, 3]]);
  for (let k = 0; k < 3; k++) expect(f(x).toArray()).toEqual([[1, 2.5, 4]]);
  expect(f.replayInfo().map((r) => r.mode)).toEqual(['fast']);
  const g = wg.compile((x: wg.Tensor) => x.add(wg.randint(0, 2, [3], { dtype: 'float32' })), { warn: false });
  for (let k = 0; k < 3; k++) g(x);
  expect(g.replayInfo()[0].reason).toMatch(/created inside the function by wg\.randint/);
});
