/**
 * The PyTorch-parity functions of src/api/parity-math.ts (composites in src/ops/parity-math.ts) on
 * both backends: values and gradients computed by PyTorch 1.13, written here as literals (the
 * gradients are of Σ w·y with w = 1, 2, 3, … over y's elements), the float specials (NaN, ±∞, −0),
 * int32 inputs, the aliases, and every error path.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const BACKENDS = ['wasm', 'reference'] as const;
type Nested = wg.NestedArray | number;
const leaf = (data: wg.NestedArray | number) => wg.tensor(data, { requiresGrad: true });
const ints = (data: wg.NestedArray) => wg.tensor(data, { dtype: 'int32' });
const inf = Infinity;

/** y's values, then backward of Σ w·y with w = 1, 2, 3, … (as the PyTorch script that gave the literals). */
function weighted(y: wg.Tensor): Nested {
  const w = wg.arange(1, y.size + 1).reshape(y.shape);
  y.mul(w).sum().backward();
  return y.toArray();
}
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
/** Equal in shape, NaN where NaN, ±∞ where ±∞, else within float32 rounding (relative 3e-6 or 1e-6 absolute). */
function close(got: unknown, want: unknown): void {
  const [g, w] = [flat(got), flat(want)];
  expect(g.length, `${JSON.stringify(got)} vs ${JSON.stringify(want)}`).toBe(w.length);
  g.forEach((x, i) => {
    if (Number.isNaN(w[i]) || !Number.isFinite(w[i])) expect(x, `element ${i}`).toBe(w[i]);
    else expect(Math.abs(x - w[i]), `element ${i}: ${x} vs ${w[i]}`).toBeLessThanOrEqual(1e-6 + 3e-6 * Math.abs(w[i]));
  });
}
/** y's value and the gradients of its leaves against PyTorch's. */
function check(y: wg.Tensor, leaves: wg.Tensor[], want: Nested[]): void {
  close(weighted(y), want[0]);
  leaves.forEach((l, i) => close(l.grad!.toArray(), want[i + 1]));
}

for (const be of BACKENDS) {
  describe(`more elementwise and linear algebra on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('ne and the comparison aliases: float32 0/1 masks, NaN ≠ NaN, int32 exact', () => {
      const a = wg.tensor([1, NaN, 3, 2]),
        b = wg.tensor([1, NaN, 2, 5]);
      expect(wg.ne(a, b).toArray()).toEqual([0, 1, 1, 1]);
      expect(a.ne(2).toArray()).toEqual([1, 1, 1, 0]);
      const big = ints([16777217, 5]);
      const r = wg.ne(big, ints([16777216, 5])); // distinct in int32, equal once rounded to float32
      expect([r.dtype, r.toArray()]).toEqual(['float32', [1, 0]]);
      expect(a.notEqual(b).toArray()).toEqual([0, 1, 1, 1]);
      expect(a.greater(b).toArray()).toEqual(wg.gt(a, b).toArray());
      expect(wg.less(a, b).toArray()).toEqual([0, 0, 0, 1]);
      expect(a.greaterEqual(b).toArray()).toEqual([1, 0, 1, 0]);
      expect(wg.lessEqual(a, b).toArray()).toEqual([1, 0, 0, 1]);
      const x = leaf([1, 2]);
      expect(wg.ne(x, 1).requiresGrad).toBe(false);
    });

    test('clip, clampMin, clampMax, absolute, sgn, negative, multiply, subtract, divide, trueDivide', () => {
      const x = leaf([-2, 0.5, 3]);
      const y = x.clip(-1, 1);
      check(
        y,
        [x],
        [
          [-1, 0.5, 1],
          [0, 2, 0],
        ],
      );
      expect(wg.clampMin(wg.tensor([-2, 0.5, 3]), 0).toArray()).toEqual([0, 0.5, 3]);
      expect(wg.tensor([-2, 0.5, 3]).clampMax(1).toArray()).toEqual([-2, 0.5, 1]);
      // tensor bounds (torch's clamp.Tensor): ties keep x, NaN in either propagates with no gradient
      let xt = leaf([-1, 0.5, 2, NaN, 1, 3]);
      const bt = leaf([0, NaN, 1, 1, 1, 3]);
      check(
        wg.clampMin(xt, bt),
        [xt, bt],
        [
          [0, NaN, 2, NaN, 1, 3],
          [0, 0, 3, 0, 5, 6],
          [1, 0, 0, 0, 0, 0],
        ],
      );
      xt = leaf([
        [-1, 0.5, 2],
        [0.2, 1, -3],
      ]);
      const lo = leaf([0, 0.6, -1]),
        hi = leaf([[1.5], [0.1]]);
      check(
        xt.clip(lo, hi),
        [xt, lo, hi],
        [
          [
            [0, 0.6000000238418579, 1.5],
            [0.10000000149011612, 0.10000000149011612, -1],
          ],
          [
            [0, 0, 0],
            [0, 0, 0],
          ],
          [1, 2, 6],
          [[3], [9]],
        ],
      );
      // torch.clamp takes the same tensor bounds as clip (the clamp.Tensor overload): one function
      expect(wg.clip).toBe(wg.clamp);
      expect(
        wg
          .tensor([-2, 0.5, 3])
          .clamp(wg.tensor([0, 0, 0]))
          .toArray(),
      ).toEqual([0, 0.5, 3]);
      expect(wg.tensor([-2, 0.5, 3]).clamp(null, wg.tensor(1)).toArray()).toEqual([-2, 0.5, 1]);
      const it = ints([5, -2, 3]).clampMax(ints([1, 1, 3]));
      expect([it.dtype, it.toArray()]).toEqual(['int32', [1, -2, 3]]);
      const ci = ints([-5, 2, 9]).clampMin(0);
      expect([ci.dtype, ci.toArray()]).toEqual(['int32', [0, 2, 9]]);
      expect(wg.absolute(ints([-3, 4])).toArray()).toEqual([3, 4]);
      expect(wg.tensor([-2, 0, 5]).sgn().toArray()).toEqual([-1, 0, 1]);
      expect(wg.negative(wg.tensor([1, -2])).toArray()).toEqual([-1, 2]);
      expect(wg.tensor([2, 3]).multiply(4).toArray()).toEqual([8, 12]);
      expect(wg.subtract(wg.tensor([2, 3]), 1).toArray()).toEqual([1, 2]);
      expect(wg.divide(ints([7, -7]), 2, { roundingMode: 'floor' }).toArray()).toEqual([3, -4]);
      const q = ints([7, -7]).trueDivide(2);
      expect([q.dtype, q.toArray()]).toEqual(['float32', [3.5, -3.5]]);
    });

    test("xlogy: 0 where x = 0 (y = 0 and ∞ too), NaN with y NaN; torch's gradients, the degenerate points included", () => {
      const x = leaf([0, 0, 0, 1.5, -2, 0.5]),
        y = leaf([0, inf, 3, 0.25, 4, NaN]);
      // torch 1.13: x's gradient ∞ at (x, y) = (0, ∞), y's NaN at (0, 0)
      check(
        wg.xlogy(x, y),
        [x, y],
        [
          [0, 0, 0, -2.079441547393799, -2.7725887298583984, NaN],
          [0, inf, 3.295836925506592, -5.545177459716797, 6.931471824645996, NaN],
          [NaN, 0, 0, 24, -2.5, NaN],
        ],
      );
      close(
        wg
          .tensor([2, 0])
          .xlogy(wg.tensor([Math.E, 0]))
          .toArray(),
        [2, 0],
      );
      close(wg.xlogy(3, wg.tensor([1, 2])).toArray(), [0, 2.0794415416798357]);
    });

    test('logit: plain and with eps (gradient 0 outside [eps, 1 − eps]); 0 and 1 give ∓∞, outside [0, 1] NaN', () => {
      let x = leaf([0.1, 0.5, 0.9, 0.25]);
      check(
        wg.logit(x),
        [x],
        [
          [-2.1972246170043945, 0, 2.1972243785858154, -1.0986123085021973],
          [11.111111640930176, 8, 33.33332824707031, 21.33333396911621],
        ],
      );
      x = leaf([0.1, 0.5, 0.95, -1, 0.3]);
      check(
        x.logit(0.2),
        [x],
        [
          [-1.3862943649291992, 0, 1.3862944841384888, -1.3862943649291992, -0.8472977876663208],
          [0, 8, 0, 0, 23.80952262878418],
        ],
      );
      close(wg.tensor([0, 1, 2, -1]).logit().toArray(), [-inf, inf, NaN, NaN]);
      // eps > 0.5: torch takes lo = eps below it and hi = 1 − eps elsewhere (clamp would give hi everywhere)
      x = leaf([0.1, 0.5, 0.9, 0.3, 0.7]);
      check(
        x.logit(0.7),
        [x],
        [
          [0.8472978472709656, 0.8472978472709656, -0.8472977876663208, 0.8472978472709656, -0.8472977876663208],
          [0, 0, 0, 0, 0],
        ],
      );
    });

    test('deg2rad, rad2deg (int32 cast to float32), sinc (1 at 0, gradient 0 there)', () => {
      close(wg.deg2rad(ints([180, 90, -45, 1])).toArray(), [3.1415927410125732, 1.5707963705062866, -0.7853981852531433, 0.01745329238474369]);
      close(wg.tensor([3.14159265, 1, -0.5]).rad2deg().toArray(), [180, 57.295780181884766, -28.647890090942383]);
      // (near 0 the float32 gradient cancels: torch's own at 1e-3 is off by 1.4%, so no point closer than 0.125 is compared)
      const x = leaf([0, 0.5, 1, -1.5, 2.25, 0.125]);
      check(
        x.sinc(),
        [x],
        [
          [1, 0.6366197466850281, -2.7827534054836178e-8, -0.21220658719539642, 0.10003514587879181, 0.9744954109191895],
          [0, -2.5464792251586914, -3, -0.5658842325210571, 1.349048137664795, -2.4295618534088135],
        ],
      );
      // below |πx| = 0.6 the series: values and gradients as torch's float64 sinc (its float32 one is 1.4% off at
      // 1e-3, wasmgrad's quotient was 5% off there and NaN at 1e-40)
      const near = leaf([1e-3, -0.005090541206300259, 0.05, 0.15, 1e-40]);
      check(
        near.sinc(),
        [near],
        [
          [0.9999983310699463, 0.9999573826789856, 0.9958927631378174, 0.963397741317749, 1],
          [-0.0032898650430215753, 0.03349356196009592, -0.49226368620448924, -1.9304330816997604, 0],
        ],
      );
    });

    test('fmax, fmin: NaN ignored, the gradient to x at ties and where y is NaN; int32 stays int32', () => {
      let a = leaf([1, NaN, 3, 2, NaN, -1]),
        b = leaf([2, 1, NaN, 2, NaN, -3]);
      check(
        wg.fmax(a, b),
        [a, b],
        [
          [2, 1, 3, 2, NaN, -1],
          [0, 0, 3, 4, 5, 6],
          [1, 2, 0, 0, 0, 0],
        ],
      );
      a = leaf([1, NaN, 3, 2, NaN, -1]);
      b = leaf([2, 1, NaN, 2, NaN, -3]);
      check(
        a.fmin(b),
        [a, b],
        [
          [1, 1, 3, 2, NaN, -3],
          [1, 0, 3, 4, 5, 0],
          [0, 2, 0, 0, 0, 6],
        ],
      );
      const m = wg.fmax(ints([1, 5]), ints([3, 2]));
      expect([m.dtype, m.toArray()]).toEqual(['int32', [3, 5]]);
      expect(wg.fmin(ints([1, 5]), 2.5).toArray()).toEqual([1, 2.5]);
    });

    test('copysign (−0 is negative; gradient sign(x)·sign(y), 0 at x = 0), heaviside, signbit', () => {
      const a = leaf([1, -2, 3, 0, -0.5]);
      const y = wg.copysign(a, wg.tensor([-0, 0, -1, -2, 4]));
      check(
        y,
        [a],
        [
          [-1, 2, -3, -0, 0.5],
          [-1, -2, -3, 0, -5],
        ],
      );
      expect(Object.is((y.toArray() as number[])[3], -0)).toBe(true);
      expect(wg.copysign(wg.tensor([2]), NaN).toArray()).toEqual([2]);
      expect(wg.heaviside(wg.tensor([-1.5, 0, 2, NaN, -0]), wg.tensor([0.5, 0.25, 0.5, 0.5, 7])).toArray()).toEqual([0, 0.25, 1, 0, 7]);
      const h = ints([-2, 0, 3]).heaviside(ints([5]));
      expect([h.dtype, h.toArray()]).toEqual(['int32', [0, 5, 1]]);
      expect(wg.tensor([-0, 0, -1, 2, -inf, inf]).signbit().toArray()).toEqual([1, 0, 1, 0, 1, 0]);
      expect(wg.signbit(ints([-3, 0, 4])).toArray()).toEqual([1, 0, 0]);
    });

    test('ldexp (gradients as x·2ᵉ), floatPower in float32, logaddexp2 (stable, ±∞)', () => {
      const x = leaf([1.5, -2, 0.25]),
        e = leaf([2, -1, 3]);
      check(
        wg.ldexp(x, e),
        [x, e],
        [
          [6, -1, 2],
          [4, 1, 24],
          [4.158883094787598, -1.3862943649291992, 4.158883094787598],
        ],
      );
      expect(wg.ldexp(ints([3, -1]), 4).toArray()).toEqual([48, -16]);
      close(wg.tensor([2, 3, 0.5]).floatPower(1.5).toArray(), [2.8284270763397217, 5.196152210235596, 0.3535533845424652]);
      const fp = wg.floatPower(ints([2, 3]), 2);
      expect([fp.dtype, fp.toArray()]).toEqual(['float32', [4, 9]]);
      // torch: x.float_power_(2) of float32 (int32) x: "the base given to float_power_ has dtype Float (Int) but the operation's result requires dtype Double"
      const base = wg.tensor([2, 3]);
      expect(() => base.floatPower_(2)).toThrow(
        "wasmgrad.floatPower_: the base given to floatPower_ has dtype float32 but the operation's result requires dtype float64",
      );
      expect(() => ints([2]).floatPower_(2)).toThrow(wg.DTypeError);
      expect(base.toArray()).toEqual([2, 3]);
      const a = leaf([1, -3, 100, 0]),
        b = leaf([2, -3, -50, 0.5]);
      check(
        wg.logaddexp2(a, b),
        [a, b],
        [
          [2.5849623680114746, -2, 100, 1.2715532779693604],
          [0.3333333432674408, 1, 3, 1.6568541526794434],
          [0.6666666865348816, 1, 0, 2.3431456089019775],
        ],
      );
      close(
        wg
          .tensor([inf, -inf, inf, -inf])
          .logaddexp2(wg.tensor([inf, -inf, 1, 2]))
          .toArray(),
        [inf, -inf, inf, 2],
      );
    });

    test('dist (p 2, 1, ∞; broadcasting) and renorm (gradient through the norm, as torch)', () => {
      const a = leaf([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        b = leaf([1, 0, -1]);
      check(
        a.dist(b),
        [a, b],
        [
          10.14889144897461,
          [
            [0, 0.19706586003303528, 0.39413172006607056],
            [0.2955987751483917, 0.492664635181427, 0.6897305250167847],
          ],
          [-0.2955987751483917, -0.6897305250167847, -1.0838623046875],
        ],
      );
      expect(wg.dist(wg.tensor([1, 2, 3]), wg.zeros([3]), 1).item()).toBe(6);
      expect(wg.dist(wg.tensor([1, -5, 3]), wg.zeros([3]), inf).item()).toBe(5);
      // torch.dist(torch.zeros(2, 0), torch.zeros(0), p) is 0 for every p, ±inf included
      for (const p of [inf, -inf, 2]) expect(wg.dist(wg.zeros([2, 0]), wg.zeros([0]), p).item()).toBe(0);
      let x = leaf([
        [1, 2, 3],
        [0.1, 0.2, 0.3],
        [-3, 0, 4],
      ]);
      check(
        wg.renorm(x, 2, 0, 1),
        [x],
        [
          [
            [0.26726123690605164, 0.5345224738121033, 0.8017836809158325],
            [0.10000000149011612, 0.20000000298023224, 0.30000001192092896],
            [-0.6000000238418579, 0, 0.800000011920929],
          ],
          [
            [7.142856528474795e-9, 1.428571305694959e-8, 2.1428570917692014e-8],
            [4, 5, 6],
            [1.7599999904632568, 1.600000023841858, 1.3199999332427979],
          ],
        ],
      );
      x = leaf([
        [1, 2],
        [3, 4],
        [0.5, -0.5],
      ]);
      check(
        x.renorm(1, 1, 3),
        [x],
        [
          [
            [0.6666666865348816, 0.9230769276618958],
            [2, 1.8461538553237915],
            [0.3333333432674408, -0.23076923191547394],
          ],
          [
            [-1.1851850748062134, -0.284023642539978],
            [0.14814817905426025, 0.6390532851219177],
            [1.4814814329147339, 3.9763312339782715],
          ],
        ],
      );
    });

    test('addmm, addmv, addr, baddbmm, addbmm: beta·input + alpha·product; beta 0 ignores a NaN input (zero gradient)', () => {
      const m1 = () =>
          leaf([
            [1, 2, 3],
            [4, 5, 6],
          ]),
        m2 = () =>
          leaf([
            [1, 0],
            [0, 1],
            [2, -1],
          ]);
      let [i, a, b] = [
        leaf([
          [1, 2],
          [3, 4],
        ]),
        m1(),
        m2(),
      ];
      check(
        wg.addmm(i, a, b, { beta: 0.5, alpha: 2 }),
        [i, a, b],
        [
          [
            [14.5, -1],
            [33.5, 0],
          ],
          [
            [0.5, 1],
            [1.5, 2],
          ],
          [
            [2, 4, 0],
            [6, 8, 4],
          ],
          [
            [26, 36],
            [34, 48],
            [42, 60],
          ],
        ],
      );
      [i, a, b] = [leaf([NaN, 1]), m1(), m2()];
      check(
        i.addmm(a, b, { beta: 0 }),
        [i, a, b],
        [
          [
            [7, -1],
            [16, -1],
          ],
          [0, 0],
          [
            [1, 2, 0],
            [3, 4, 2],
          ],
          [
            [13, 18],
            [17, 24],
            [21, 30],
          ],
        ],
      );
      const v = leaf([1, -1, 2]);
      [i, a] = [leaf([1, -1]), m1()];
      check(
        wg.addmv(i, a, v, { alpha: -1 }),
        [i, a, v],
        [
          [-4, -12],
          [1, 2],
          [
            [-1, 1, -2],
            [-2, 2, -4],
          ],
          [-9, -12, -15],
        ],
      );
      const [s, v1, v2] = [leaf(0.5), leaf([1, 2]), leaf([3, 4, 5])];
      check(
        s.addr(v1, v2, { beta: 2 }),
        [s, v1, v2],
        [
          [
            [4, 5, 6],
            [7, 9, 11],
          ],
          42,
          [26, 62],
          [9, 12, 15],
        ],
      );
      const batches = () => [
        leaf([
          [
            [1, 2],
            [3, 4],
          ],
          [
            [0, 1],
            [1, 0],
          ],
        ]),
        leaf([
          [
            [1, 0, 2],
            [0, 1, 1],
          ],
          [
            [2, 1, 0],
            [1, 1, 1],
          ],
        ]),
      ];
      [i, a, b] = [leaf([[1], [2]]), ...batches()];
      check(
        wg.baddbmm(i, a, b),
        [i, a, b],
        [
          [
            [
              [2, 3, 5],
              [5, 6, 12],
            ],
            [
              [2, 2, 2],
              [4, 3, 2],
            ],
          ],
          [[30], [48]],
          [
            [
              [7, 5],
              [16, 11],
            ],
            [
              [22, 24],
              [31, 33],
            ],
          ],
          [
            [
              [13, 17, 21],
              [18, 24, 30],
            ],
            [
              [10, 11, 12],
              [7, 8, 9],
            ],
          ],
        ],
      );
      [i, a, b] = [leaf([[1], [2]]), ...batches()];
      check(
        i.addbmm(a, b, { beta: -1, alpha: 0.5 }),
        [i, a, b],
        [
          [
            [0, 0.5, 1.5],
            [0.5, 0.5, 3],
          ],
          [[-6], [-15]],
          [
            [
              [3.5, 2.5],
              [8, 5.5],
            ],
            [
              [2, 3],
              [6.5, 7.5],
            ],
          ],
          [
            [
              [6.5, 8.5, 10.5],
              [9, 12, 15],
            ],
            [
              [2, 2.5, 3],
              [0.5, 1, 1.5],
            ],
          ],
        ],
      );
    });

    test('inner, kron, tensordot (a count or two lists), cross (default dim: the first of size 3)', () => {
      let a = leaf([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        b = leaf([
          [1, 0, -1],
          [2, 1, 0],
          [0, 0, 1],
          [1, 1, 1],
        ]);
      check(
        a.inner(b),
        [a, b],
        [
          [
            [-2, 4, 3, 6],
            [-2, 13, 6, 15],
          ],
          [
            [9, 6, 6],
            [25, 14, 10],
          ],
          [
            [21, 27, 33],
            [26, 34, 42],
            [31, 41, 51],
            [36, 48, 60],
          ],
        ],
      );
      expect(wg.inner(wg.tensor(2), wg.ones([3])).toArray()).toEqual([2, 2, 2]);
      a = leaf([
        [1, 2],
        [3, 4],
      ]);
      b = leaf([[0, 1, 2]]);
      check(
        wg.kron(a, b),
        [a, b],
        [
          [
            [0, 1, 2, 0, 2, 4],
            [0, 3, 6, 0, 4, 8],
          ],
          [
            [8, 17],
            [26, 35],
          ],
          [[70, 80, 90]],
        ],
      );
      expect(wg.kron(wg.ones([2]), wg.ones([2, 3])).shape).toEqual([2, 6]);
      a = leaf([
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      ]);
      b = leaf([
        [1, -1],
        [2, 0],
        [0, 3],
      ]);
      check(
        wg.tensordot(a, b),
        [a, b],
        [
          [23],
          [
            [
              [1, -1],
              [2, 0],
              [0, 3],
            ],
          ],
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
        ],
      );
      a = leaf([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      b = leaf([
        [1, 2],
        [0, 1],
      ]);
      check(
        wg.tensordot(a, b, [[0], [0]]),
        [a, b],
        [
          [
            [1, 6],
            [2, 9],
            [3, 12],
          ],
          [
            [5, 11, 17],
            [2, 4, 6],
          ],
          [
            [22, 28],
            [49, 64],
          ],
        ],
      );
      a = leaf([
        [1, 0, 0],
        [1, 2, 3],
      ]);
      b = leaf([
        [0, 1, 0],
        [-1, 0.5, 2],
      ]);
      check(
        a.cross(b),
        [a, b],
        [
          [
            [0, 0, 1],
            [2.5, -5, 2.5],
          ],
          [
            [3, 0, -1],
            [-7, 14, -7],
          ],
          [
            [0, 3, -2],
            [3, -6, 3],
          ],
        ],
      );
      const c = wg.cross(
        wg.tensor([
          [1, 2],
          [0, 1],
          [0, 3],
        ]),
        wg.tensor([
          [0, 1],
          [1, 0],
          [0, 2],
        ]),
        0,
      );
      expect(c.toArray()).toEqual([
        [0, 2],
        [0, -1],
        [1, -1],
      ]);
    });

    test('diff (n, dim, prepend, append; int32 stays int32), trapezoid and cumulativeTrapezoid (dx, x)', () => {
      let x = leaf([
        [1, 4, 9, 16],
        [2, 3, 5, 7],
      ]);
      check(
        x.diff(),
        [x],
        [
          [
            [3, 5, 7],
            [1, 2, 2],
          ],
          [
            [-1, -1, -1, 3],
            [-4, -1, -1, 6],
          ],
        ],
      );
      x = leaf([
        [1, 4],
        [2, 3],
      ]);
      check(
        wg.diff(x, { n: 2, dim: 0, prepend: wg.tensor([[0, 1]]), append: wg.tensor([[5, 5]]) }),
        [x],
        [
          [
            [0, -4],
            [2, 3],
          ],
          [
            [1, 0],
            [-5, -6],
          ],
        ],
      );
      const di = wg.diff(ints([1, 4, 9, 16, -3]), { n: 2 });
      expect([di.dtype, di.toArray()]).toEqual(['int32', [2, 2, -26]]);
      expect(wg.diff(wg.tensor([1, 4]), { n: 3 }).shape).toEqual([0]);
      expect(wg.diff(wg.tensor([1, 4]), { n: 0 }).toArray()).toEqual([1, 4]);
      const y = () =>
        leaf([
          [1, 2, 3],
          [4, 0, 1],
        ]);
      let t = y();
      check(
        wg.trapezoid(t),
        [t],
        [
          [4, 2.5],
          [
            [0.5, 1, 0.5],
            [1, 2, 1],
          ],
        ],
      );
      t = y();
      check(
        wg.trapezoid(t, { dx: 0.5, dim: 0 }),
        [t],
        [
          [1.25, 0.5, 1],
          [
            [0.25, 0.5, 0.75],
            [0.25, 0.5, 0.75],
          ],
        ],
      );
      t = y();
      check(
        wg.trapezoid(t, { x: wg.tensor([0, 1, 3]) }),
        [t],
        [
          [6.5, 3],
          [
            [0.5, 1.5, 1],
            [1, 3, 2],
          ],
        ],
      );
      t = y();
      check(
        wg.cumulativeTrapezoid(t),
        [t],
        [
          [
            [1.5, 4],
            [2, 2.5],
          ],
          [
            [1.5, 2.5, 1],
            [3.5, 5.5, 2],
          ],
        ],
      );
      t = y();
      const xs = wg.tensor([
        [0, 1, 3],
        [0, 2, 2.5],
      ]);
      check(
        wg.cumulativeTrapezoid(t, { x: xs }),
        [t],
        [
          [
            [1.5, 6.5],
            [4, 4.25],
          ],
          [
            [1.5, 3.5, 2],
            [7, 8, 1],
          ],
        ],
      );
      expect(wg.trapezoid(wg.zeros([2, 0])).toArray()).toEqual([0, 0]);
      // torch's positional x
      close(wg.trapezoid(y(), wg.tensor([0, 1, 3])).toArray(), [6.5, 3]);
      close(wg.cumulativeTrapezoid(y(), wg.tensor([0, 1]), { dim: 0 }).toArray(), [[2.5, 1, 2]]);
      expect(wg.cumulativeTrapezoid(wg.zeros([2, 0])).shape).toEqual([2, 0]);
    });

    test('isposinf, isneginf, isreal, isin (int32 and float32, invert; NaN matches nothing)', () => {
      const v = wg.tensor([inf, -inf, NaN, 1]);
      expect(v.isposinf().toArray()).toEqual([1, 0, 0, 0]);
      expect(wg.isneginf(v).toArray()).toEqual([0, 1, 0, 0]);
      expect(wg.isposinf(ints([1, 2])).toArray()).toEqual([0, 0]);
      expect(v.isreal().toArray()).toEqual([1, 1, 1, 1]);
      expect(
        wg
          .isin(
            ints([
              [1, 2],
              [3, 4],
            ]),
            ints([2, 4, 9]),
          )
          .toArray(),
      ).toEqual([
        [0, 1],
        [0, 1],
      ]);
      expect(wg.isin(wg.tensor([1.5, NaN, 2]), wg.tensor([NaN, 2])).toArray()).toEqual([0, 0, 1]);
      expect(wg.isin(ints([1, 2]), 2, { invert: true }).toArray()).toEqual([1, 0]);
      expect(wg.isin(wg.tensor([1, 2]), wg.zeros([0])).toArray()).toEqual([0, 0]);
    });

    test('lgamma and digamma: torch 1.13 values, gradients (digamma, trigamma) and poles', () => {
      const at = [0.5, 1, 2, 2.5, 7.25, 20, -0.5, -2.5, 1e-3];
      let x = leaf(at);
      check(
        wg.lgamma(x),
        [x],
        [
          [0.5723649263381958, 0, 0, 0.28468286991119385, 7.052185535430908, 39.33988571166992, 1.2655121088027954, -0.056243717670440674, 6.90717887878418],
          [
            -1.9635108709335327, -1.1544318199157715, 1.2683526277542114, 2.812627077102661, 9.552268028259277, 17.823143005371094, 0.2554294168949127,
            8.8252534866333, -9005.1796875,
          ],
        ],
      );
      x = leaf(at);
      check(
        x.digamma(),
        [x],
        [
          [
            -1.9635108709335327, -0.5772159099578857, 0.4227842092514038, 0.7031567692756653, 1.9104535579681396, 2.9705238342285156, 0.03648991510272026,
            1.1031566858291626, -1000.5755615234375,
          ],
          [
            4.934802055358887, 3.289868116378784, 1.9348021745681763, 1.9614310264587402, 0.7393962144851685, 0.3076249361038208, 62.54361343383789,
            76.31398010253906, 9000014,
          ],
        ],
      );
      const poles = wg.tensor([0, -0, -1, -3, inf, -inf, NaN]);
      expect(poles.lgamma().toArray()).toEqual([inf, inf, inf, inf, inf, inf, NaN]);
      expect(wg.digamma(poles).toArray()).toEqual([-inf, inf, NaN, NaN, inf, NaN, NaN]);
      // at a pole the gradient is 0 here (torch's is ±∞ or NaN): the value there is constant
      const p = leaf([0, -2]);
      wg.lgamma(p).sum().backward();
      expect(p.grad!.toArray()).toEqual([0, 0]);
      close(wg.lgamma(ints([1, 2, 5])).toArray(), [0, 0, 3.178053855895996]);
    });

    test('polygamma: torch 1.13 values and gradients (ψ⁽ⁿ⁺¹⁾) for n = 0..4, poles and ±∞, int32 cast', () => {
      const at = [0.3, 1.7, -0.7, -3.45, 5];
      const want: [number[], number[]][] = [
        [
          [-3.502523899078369, 0.20854812860488892, -2.0739524364471436, 1.8739359378814697, 1.5061177015304565],
          [12.245363235473633, 1.5864657163619995, 42.858543395996094, 39.461387634277344, 1.1066148281097412],
        ],
        [
          [12.245363235473633, 0.7932328581809998, 14.286181449890137, 9.865346908569336, 0.2213229537010193],
          [-75.27252960205078, -1.2081780433654785, -208.32485961914062, 40.02039337158203, -0.24394866824150085],
        ],
        [
          [-75.27252960205078, -0.6040890216827393, -69.44161987304688, 10.005098342895508, -0.04878973215818405],
          [743.1416625976562, 1.7791239023208618, 2304.3935546875, 858.8120727539062, 0.10713914036750793],
        ],
        [
          [743.1416625976562, 0.8895619511604309, 768.1312255859375, 214.70301818847656, 0.021427828818559647],
          [-9883.466796875, -3.8212192058563232, -29222.0078125, 3299.37060546875, -0.07031595706939697],
        ],
        [
          [-9883.466796875, -1.9106096029281616, -9740.6689453125, 824.8426513671875, -0.014063190668821335],
          [164634.796875, 10.6903657913208, 496964.34375, 75236.5390625, 0.061307549476623535],
        ],
      ];
      want.forEach((w, n) => {
        const x = leaf(at);
        check(n % 2 ? x.polygamma(n) : wg.polygamma(n, x), [x], w);
      });
      // poles: (−1)ⁿ⁺¹∞ (torch's float32 trigamma gives 1.29e15 at −1, a rounding of sin(−π)); ±∞ as torch 1.13
      const poles = wg.tensor([0, -0, -1, -3, inf, -inf, NaN]);
      expect(wg.polygamma(1, poles).toArray()).toEqual([inf, inf, inf, inf, 0, NaN, NaN]);
      expect(wg.polygamma(2, poles).toArray()).toEqual([-inf, -inf, -inf, -inf, NaN, -inf, NaN]);
      expect(poles.polygamma(3).toArray()).toEqual([inf, inf, inf, inf, NaN, inf, NaN]);
      const p = leaf([0, -2]);
      wg.polygamma(2, p).sum().backward();
      expect(p.grad!.toArray()).toEqual([0, 0]);
      close(ints([2, 3]).polygamma(1).toArray(), [0.6449340581893921, 0.3949340581893921]);
      // higher orders (scaled powers past 12!): torch 1.13 at x = 5; at −7.5 mpmath's −0.0820205917 (torch's
      // Hurwitz sum cancels terms of 2²¹·20! there and gives −4.2e8)
      close(wg.polygamma(13, wg.tensor([5])).toArray(), [1.1106531620025635]);
      close(wg.polygamma(20, wg.tensor([5, -7.5])).toArray(), [-5217.71435546875, -0.08202059166405253]);
    });

    test("mvlgamma: torch 1.13 values and gradients, +∞ below (p − 1)/2 at lgamma's poles, int32 cast", () => {
      let x = leaf([2.5, 3, 1.25, 10]);
      check(
        wg.mvlgamma(x, 3),
        [x],
        [
          [1.8809953927993774, 2.694924831390381, 3.110126495361328, 36.81285858154297],
          [1.1624308824539185, 4.097450256347656, -16.622304916381836, 26.36052703857422],
        ],
      );
      x = leaf([
        [0.5, 2],
        [7, 0.01],
      ]);
      check(
        x.mvlgamma(1),
        [x],
        [
          [
            [0.5723649263381958, 0],
            [6.579251289367676, 4.599479675292969],
          ],
          [
            [-1.9635108709335327, 0.8455684185028076],
            [5.618352890014648, -402.2435607910156],
          ],
        ],
      );
      expect(wg.mvlgamma(wg.tensor([0.5, 1, -0.5, NaN]), 3).toArray()).toEqual([inf, inf, inf, NaN]);
      close(wg.mvlgamma(ints([2, 3]), 2).toArray(), [0.4515827000141144, 1.5501949787139893]);
    });

    test('i0: torch 1.13 values and gradient (I₁), overflow past 88.72 as torch, int32 cast', () => {
      const x = leaf([0, 0.5, -1, 3, -9.5, 10, 12.25, -40]);
      // torch's i0(0) is 0.99999994 (its float32 Chebyshev sum); here exactly 1, within close()'s tolerance
      check(
        x.i0(),
        [x],
        [
          [
            0.9999999403953552, 1.063483476638794, 1.2660659551620483, 4.880792617797852, 1753.48095703125, 2815.71630859375, 24075.73828125,
            1.4894775857577984e16,
          ],
          [0, 0.5157885551452637, -1.6954772472381592, 15.813482284545898, -8292.265625, 16025.927734375, 161497.765625, -1.1765917737497395e17],
        ],
      );
      close(wg.i0(wg.tensor([88, inf, -inf, NaN])).toArray(), [7.034019512534214e36, NaN, NaN, NaN]);
      // eˣ overflows float32 past 88.72 (torch's too); the reference computes in float64 and does not
      if (be === 'wasm') expect(wg.i0(wg.tensor([89, -90])).toArray()).toEqual([inf, inf]);
      close(wg.i0(ints([2, -3])).toArray(), [2.279585123062134, 4.880792617797852]);
    });

    test('gcd and lcm of int32 (signs, zeros, wrapping and broadcasting as torch)', () => {
      const a = ints([12, -12, 0, 0, 7, 2147483647, 46368, -9]),
        b = ints([18, 8, 0, -5, 0, 2147483646, 28657, -6]);
      const g = a.gcd(b);
      expect([g.dtype, g.toArray()]).toEqual(['int32', [6, 4, 0, 5, 7, 1, 1, 3]]);
      expect(wg.lcm(a, b).toArray()).toEqual([36, 24, 0, 0, 0, 2147483646, 1328767776, 18]);
      expect(wg.gcd(ints([[4], [6]]), ints([6, 9, 10])).toArray()).toEqual([
        [2, 1, 2],
        [6, 3, 2],
      ]);
      expect(
        ints([65536, -4])
          .lcm(ints([65537, 6]))
          .toArray(),
      ).toEqual([65536, 12]);
      // −2³¹ has no int32 absolute value: where torch's C remainder and the floored one part, results differ in sign (4 here, −4)
      const min = ints([-2147483648, -2147483648, -2147483648]);
      expect(wg.gcd(min, ints([6, 0, 4])).toArray()).toEqual([-2, -2147483648, -4]);
      expect(wg.lcm(min, ints([6, 0, 4])).toArray()).toEqual([-2147483648, 0, -2147483648]);
      expect(wg.gcd(ints([]), ints([])).shape).toEqual([0]);
      // inside wg.compile every Euclid step is recorded (no early stop), so a replay reaches any input's gcd
      const f = wg.compile((x: wg.Tensor, y: wg.Tensor) => wg.gcd(x, y));
      expect(f(ints([12, 7]), ints([18, 0])).toArray()).toEqual([6, 7]);
      expect(f(ints([1836311903, 9]), ints([1134903170, -6])).toArray()).toEqual([1, 3]);
    });

    test('nextafter: the float32 neighbours torch 1.13 gives (powers of two, subnormals, 0, ±∞, NaN, x = y)', () => {
      const F32_MAX = 3.4028234663852886e38,
        MIN_NORMAL = 1.1754943508222875e-38;
      const x = [1, 1, 0, 0, F32_MAX, inf, -inf, 2, 2, -2, -2, 1.401298464324817e-45, MIN_NORMAL, MIN_NORMAL, NaN, 1, 5.5];
      const y = [2, 0, 1, -1, inf, 0, 0, 0, 3, 0, -3, 0, 0, 1, 1, NaN, 5.5];
      // read as float32 (data()): the reference holds F32_MAX + its spacing = 2¹²⁸ in float64, ∞ once float32
      expect(Array.from(wg.nextafter(wg.tensor(x), wg.tensor(y)).data())).toEqual([
        1.0000001192092896,
        0.9999999403953552,
        1.401298464324817e-45,
        -1.401298464324817e-45,
        inf,
        F32_MAX,
        -F32_MAX,
        1.9999998807907104,
        2.000000238418579,
        -1.9999998807907104,
        -2.000000238418579,
        0,
        1.1754942106924411e-38,
        1.175494490952134e-38,
        NaN,
        NaN,
        5.5,
      ]);
      expect(
        Object.is(
          (
            wg
              .tensor([0])
              .nextafter(wg.tensor([-0]))
              .toArray() as number[]
          )[0],
          -0,
        ),
      ).toBe(true);
      expect(wg.nextafter(ints([3]), 4).toArray()).toEqual([3.0000002384185791]);
      expect(wg.nextafter(leaf([1]), 2).requiresGrad).toBe(false);
    });

    test('every error names the function and what it was given', () => {
      const m = wg.ones([2, 3]);
      const err = (f: () => unknown, type: new (...a: never[]) => Error, msg: RegExp) => {
        expect(f).toThrow(type);
        expect(f).toThrow(msg);
      };
      err(() => wg.ne(wg.ones([2]), wg.ones([3])), wg.ShapeError, /wasmgrad\.ne: .*\[2\].*\[3\]/);
      err(() => wg.ne(wg.ones([2]), 'x' as never), wg.ValueError, /wasmgrad\.ne: argument 2 must be a Tensor or a number, got "x"/);
      err(() => wg.logit(m, 'x' as never), wg.ValueError, /wasmgrad\.logit: eps must be a number, got "x"/);
      err(() => wg.xlogy(wg.ones([2]), wg.ones([3])), wg.ShapeError, /wasmgrad\.xlogy: .*\[2\].*\[3\]/);
      err(() => wg.fmax(wg.ones([2]), wg.ones([3])), wg.ShapeError, /wasmgrad\.fmax/);
      err(() => wg.copysign(1, 2), wg.ValueError, /copysign: needs a Tensor argument/);
      err(() => wg.heaviside(wg.ones([2]), wg.ones([3])), wg.ShapeError, /wasmgrad\.heaviside/);
      err(() => wg.sinc(3 as never), wg.ValueError, /wasmgrad\.sinc: input must be a Tensor, got 3/);
      err(() => wg.dist(m, m, 'x' as never), wg.ValueError, /wasmgrad\.dist: p must be a number, got "x"/);
      err(() => wg.ldexp(m, 3n as never), wg.ValueError, /wasmgrad\.ldexp: other must be a Tensor or a number, got 3n/);
      err(() => m.ldexp(Symbol('e') as never), wg.ValueError, /wasmgrad\.ldexp: other must be a Tensor or a number/);
      err(() => wg.renorm(wg.tensor(1), 2, 0, 1), wg.ShapeError, /wasmgrad\.renorm: needs at least 1 dim/);
      err(() => wg.renorm(m, 0, 0, 1), wg.ValueError, /wasmgrad\.renorm: p must be a number > 0, got 0/);
      err(() => wg.renorm(m, 2, 0, -1), wg.ValueError, /wasmgrad\.renorm: maxnorm must be a number ≥ 0, got -1/);
      err(() => wg.renorm(m, 2, 2, 1), wg.ShapeError, /wasmgrad\.renorm: dim 2 is out of range for a tensor of shape \[2, 3\]/);
      err(() => wg.addmm(m, m, m), wg.ShapeError, /wasmgrad\.addmm: shapes \[2, 3\] and \[2, 3\] cannot be multiplied \(mat1 has 3 columns, mat2 has 2 rows\)/);
      err(
        () => wg.addmm(wg.ones([3, 3]), m, wg.ones([3, 2])),
        wg.ShapeError,
        /addmm: input of shape \[3, 3\] does not broadcast to the product's shape \[2, 2\]/,
      );
      err(() => wg.addmm(m, wg.ones([3]), m), wg.ShapeError, /addmm: expects two 2-D matrices to multiply, got shapes \[3\] and \[2, 3\]/);
      err(() => wg.addmm(wg.ones([2, 2]), m, wg.ones([3, 2]), { beta: 'x' } as never), wg.ValueError, /addmm: beta must be a number, got "x"/);
      err(() => wg.addmm(wg.ones([2, 2]), m, wg.ones([3, 2]), { gamma: 1 } as never), wg.ValueError, /addmm: unknown option 'gamma'/);
      err(() => wg.addmv(wg.ones([2]), m, wg.ones([2])), wg.ShapeError, /addmv: .*the matrix has 3 columns, the vector 2 elements/);
      err(() => wg.addr(m, m, wg.ones([3])), wg.ShapeError, /addr: expects two 1-D vectors/);
      err(() => wg.baddbmm(wg.ones([1]), wg.ones([2, 2, 3]), wg.ones([3, 3, 2])), wg.ShapeError, /baddbmm: .*batch sizes 2 and 3 differ/);
      err(() => wg.addbmm(wg.ones([1]), wg.ones([2, 2, 3]), wg.ones([2, 2, 2])), wg.ShapeError, /addbmm: .*batch1 have 3 columns, those of batch2 2 rows/);
      err(() => wg.addmm(m, m, 'x' as never), wg.ValueError, /addmm: mat2 must be a Tensor/);
      err(() => wg.inner(m, wg.ones([2])), wg.ShapeError, /wasmgrad\.inner: the last dims must match, got shapes \[2, 3\] and \[2\]/);
      err(() => wg.kron(m, 'x' as never), wg.ValueError, /kron: other must be a Tensor/);
      err(() => wg.tensordot(m, m, 3), wg.ValueError, /tensordot: dims must be an integer in \[0, 2\], got 3/);
      err(
        () => wg.tensordot(m, wg.ones([3, 2])),
        wg.ShapeError,
        /tensordot: contracted dims differ in size: dim 0 of a \(2\) and dim 0 of b \(3\), shapes \[2, 3\] and \[3, 2\]/,
      );
      err(() => wg.tensordot(m, m, [[0], [0, 1]]), wg.ValueError, /tensordot: the two lists of dims must have one length/);
      err(
        () =>
          wg.tensordot(m, m, [
            [0, 0],
            [0, 1],
          ]),
        wg.ValueError,
        /tensordot: a dim is contracted twice/,
      );
      err(() => wg.tensordot(m, m, 'x' as never), wg.ValueError, /tensordot: dims must be an integer or a pair of lists/);
      err(() => wg.tensordot(m, m, [[5], [0]]), wg.ShapeError, /wasmgrad\.tensordot: dim 5 is out of range for a tensor of shape \[2, 3\]/);
      err(() => wg.cross(wg.ones([2, 4]), wg.ones([2, 4])), wg.ShapeError, /wasmgrad\.cross: no dim of size 3 in a of shape \[2, 4\]/);
      err(() => wg.cross(m, m, 0), wg.ShapeError, /cross: dim 0 must have size 3 in both a and b, got shapes \[2, 3\] and \[2, 3\]/);
      err(() => wg.cross(wg.ones([3]), m), wg.ShapeError, /cross: a and b must have the same number of dims/);
      err(() => wg.diff(wg.tensor(1)), wg.ShapeError, /wasmgrad\.diff: expects a tensor with at least 1 dim/);
      err(() => wg.diff(m, { n: -1 }), wg.ValueError, /diff: n must be an integer ≥ 0, got -1/);
      err(() => wg.diff(m, { prepend: wg.ones([3, 3]) }), wg.ShapeError, /diff: prepend must have x's shape \[2, 3\] except along dim 1, got \[3, 3\]/);
      err(() => wg.diff(m, { dim: 2 }), wg.ShapeError, /wasmgrad\.diff: dim 2 is out of range for a tensor of shape \[2, 3\]/);
      err(() => wg.diff(m, { k: 1 } as never), wg.ValueError, /diff: unknown option 'k'/);
      err(() => wg.trapezoid(m, { x: wg.ones([3]), dx: 1 }), wg.ValueError, /trapezoid: takes x or dx, not both/);
      err(() => wg.trapezoid(m, { x: wg.ones([2]) }), wg.ShapeError, /trapezoid: a 1-D x must have y's length along dim 1 \(3\), got shape \[2\]/);
      err(() => wg.cumulativeTrapezoid(m, { x: wg.ones([1, 1, 3]) }), wg.ShapeError, /cumulativeTrapezoid: x must be 1-D or have y's 2 dims/);
      err(() => wg.trapezoid(wg.tensor(1)), wg.ShapeError, /trapezoid: expects y with at least 1 dim/);
      err(() => wg.trapezoid(m, { dx: 'x' as never }), wg.ValueError, /trapezoid: dx must be a number, got "x"/);
      err(() => wg.trapezoid(m, wg.ones([3]), { dx: 1 } as never), wg.ValueError, /trapezoid: unknown option 'dx' \(the options are dim\)/);
      err(() => wg.isin(m, 'x' as never), wg.ValueError, /isin: testElements must be a Tensor or a number, got "x"/);
      err(() => wg.isin(m, m, { invert: 1 as never }), wg.ValueError, /isin: invert must be a boolean, got 1/);
      err(() => wg.isposinf(null as never), wg.ValueError, /isposinf: input must be a Tensor/);
      err(() => wg.lgamma([1] as never), wg.ValueError, /wasmgrad\.lgamma: input must be a Tensor, got \[1\]/);
      err(() => wg.digamma(2 as never), wg.ValueError, /wasmgrad\.digamma: input must be a Tensor, got 2/);
      err(() => wg.i0('x' as never), wg.ValueError, /wasmgrad\.i0: input must be a Tensor/);
      err(() => wg.polygamma(-1, m), wg.ValueError, /^wasmgrad\.polygamma: n must be an integer ≥ 0, got -1$/);
      err(() => m.polygamma(1.5), wg.ValueError, /^wasmgrad\.polygamma: n must be an integer ≥ 0, got 1\.5$/);
      err(() => wg.polygamma(1, [1] as never), wg.ValueError, /wasmgrad\.polygamma: input must be a Tensor, got \[1\]/);
      err(() => wg.mvlgamma(m, 0), wg.ValueError, /^wasmgrad\.mvlgamma: p must be an integer ≥ 1, got 0$/);
      err(() => wg.mvlgamma(ints([1]), 2.5), wg.ValueError, /^wasmgrad\.mvlgamma: p must be an integer ≥ 1, got 2\.5$/);
      err(
        () => wg.gcd(wg.ones([2]), ints([1, 2])),
        wg.DTypeError,
        /wasmgrad\.gcd: expects int32 tensors \(as torch, which has no float gcd\), got float32 and int32/,
      );
      err(() => wg.lcm(ints([1, 2]), ints([1, 2, 3])), wg.ShapeError, /wasmgrad\.lcm: .*\[2\].*\[3\]/);
      err(() => wg.gcd(ints([1]), 3 as never), wg.ValueError, /wasmgrad\.gcd: other must be a Tensor, got 3/);
      err(() => wg.nextafter(wg.ones([2]), wg.ones([3])), wg.ShapeError, /wasmgrad\.nextafter: .*\[2\].*\[3\]/);
    });
  });
}
