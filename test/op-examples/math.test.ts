/**
 * Hand-checked values of the math library and the activations (src/ops/math.ts), forward and
 * gradient of Σy on both backends, and every error path. Expected values are PyTorch 1.13's in
 * float32 (torch.sin(x), F.elu(x, alpha=2), …; gradients from y.sum().backward()), written here as
 * literals; inputs include the domain edges (±1 for asin/atanh/erfinv, 0 for the logs), large |x|
 * and the kinks where PyTorch picks a gradient.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { expectClose } from '../helpers/expect.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

/**
 * expectClose (1e-6 relative, absolute below 1), where ±∞ must match exactly. Inputs go in as
 * float32 values (Math.fround), as PyTorch's: the reference backend keeps float64 values.
 */
function close(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6): void {
  expect(Array.from(actual, (v, i) => (Number.isFinite(expected[i]) ? 0 : v))).toEqual(expected.map((e) => (Number.isFinite(e) ? 0 : e)));
  expectClose(
    Array.from(actual, (v, i) => (Number.isFinite(expected[i]) ? v : 0)),
    expected.map((e) => (Number.isFinite(e) ? e : 0)),
    tol,
  );
}

/** |actual − expected| ≤ tol·|expected|: for values far below 1, which close() checks only absolutely. */
function relClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6): void {
  expected.forEach((e, i) => expect(Math.abs(actual[i] - e), `index ${i}: got ${actual[i]}, want ${e}`).toBeLessThanOrEqual(tol * Math.abs(e)));
}

const UNARY: [string, (x: wg.Tensor) => wg.Tensor, number[], number[], number[]][] = [
  [
    'sin',
    (x) => x.sin(),
    [0, 0.5, -2, 100, 10000],
    [0, 0.47942555, -0.909297407, -0.506365657, -0.305614382],
    [1, 0.87758255, -0.416146845, 0.862318873, -0.952155352],
  ],
  [
    'cos',
    (x) => x.cos(),
    [0, 0.5, -2, 100, 10000],
    [1, 0.87758255, -0.416146845, 0.862318873, -0.952155352],
    [-0, -0.47942555, 0.909297407, 0.506365657, 0.305614382],
  ],
  ['tan', (x) => x.tan(), [0, 1, -1.2, 1.57079637], [0, 1.55740774, -2.5721519, -22877332], [1, 3.42551875, 7.61596537, 5.23372333e14]],
  ['asin', (x) => x.asin(), [0, 0.5, -0.9, 1, 1.5], [0, 0.52359879, -1.11976945, 1.57079637, NaN], [1, 1.15470052, 2.29415703, Infinity, NaN]],
  ['acos', (x) => x.acos(), [0, 0.5, -0.9, 1, 1.5], [1.57079637, 1.04719758, 2.69056582, 0, NaN], [-1, -1.15470052, -2.29415703, -Infinity, NaN]],
  ['atan', (x) => x.atan(), [0, 1, -10000, 1e30], [0, 0.785398126, -1.57069635, 1.57079637], [1, 0.5, 9.99999994e-9, 0]],
  ['sinh', (x) => x.sinh(), [0, 1, -5, 80], [0, 1.17520118, -74.2032089, 2.77031124e34], [1, 1.54308057, 74.2099533, 2.77031124e34]],
  ['cosh', (x) => x.cosh(), [0, 1, -5, 80], [1, 1.54308057, 74.2099533, 2.77031124e34], [0, 1.17520118, -74.2032089, 2.77031124e34]],
  ['asinh', (x) => x.asinh(), [0, 1, -1e20, 1e30], [0, 0.881373584, -46.7448463, 69.7706985], [1, 0.707106769, 0, 0]],
  ['acosh', (x) => x.acosh(), [1, 2, 1e30, 0.5], [0, 1.31695795, 69.7706985, NaN], [Infinity, 0.577350259, 0, NaN]],
  ['atanh', (x) => x.atanh(), [0, 0.5, -0.99, 1, 2], [0, 0.549306154, -2.64665294, Infinity, NaN], [1, 1.33333337, 50.2513466, Infinity, -0.333333343]],
  [
    'erf',
    (x) => x.erf(),
    [0, 0.3, -1, 3, 10],
    [0, 0.328626782, -0.842700779, 0.999977887, 1],
    [1.12837923, 1.03126097, 0.415107518, 0.000139253054, 4.20389539e-44],
  ],
  [
    'erfc',
    (x) => x.erfc(),
    [0, 0.3, -1, 5, 9, 10],
    [1, 0.671373248, 1.84270084, 1.53745983e-12, 4.13703171e-37, 2.80259693e-45],
    [-1.12837923, -1.03126097, -0.415107518, -1.56708674e-11, -7.49207323e-36, -4.20389539e-44],
  ],
  // At float32(0.999999) the values are mpmath's, erfinv = 3.45707473 and its gradient 137390.625:
  // PyTorch's float32 kernel gives 3.45708823 and 137403.438 there (4e-6 and 1e-4 off).
  [
    'erfinv',
    (x) => x.erfinv(),
    [0, 0.5, -0.9, 0.999999, 1, -1, 1.5],
    [0, 0.476936281, -1.16308701, 3.45707473, Infinity, -Infinity, NaN],
    [0.886226952, 1.11258495, 3.42804193, 137390.625, Infinity, Infinity, NaN],
  ],
  ['sign', (x) => x.sign(), [-2, 0, 3, NaN], [-1, 0, 1, 0], [0, 0, 0, 0]],
  ['round', (x) => x.round(), [0.5, 1.5, 2.5, -0.5, -2.5, 2.4, 8388609], [0, 2, 2, -0, -2, 2, 8388609], [0, 0, 0, 0, 0, 0, 0]],
  [
    'round decimals 2',
    (x) => x.round({ decimals: 2 }),
    [2.675, 1.005, -2.5, 0.125, 1234.5678],
    [2.68000007, 1, -2.5, 0.119999997, 1234.56995],
    [0, 0, 0, 0, 0],
  ],
  ['round decimals -2', (x) => x.round({ decimals: -2 }), [1234.5678, 1250, 1350, -15], [1200, 1200, 1400, -0], [0, 0, 0, 0]],
  ['floor', (x) => x.floor(), [-2.5, -0.5, 0, 0.5, 2.5, 100000000], [-3, -1, 0, 0, 2, 100000000], [0, 0, 0, 0, 0, 0]],
  ['ceil', (x) => x.ceil(), [-2.5, -0.5, 0, 0.5, 2.5, 100000000], [-2, -0, 0, 1, 3, 100000000], [0, 0, 0, 0, 0, 0]],
  ['trunc', (x) => x.trunc(), [-2.5, -0.5, 0, 0.5, 2.5, 100000000], [-2, -0, 0, 0, 2, 100000000], [0, 0, 0, 0, 0, 0]],
  ['frac', (x) => x.frac(), [-2.5, -0.25, 0, 0.75, 2.5, 100000000], [-0.5, -0.25, 0, 0.75, 0.5, 0], [1, 1, 1, 1, 1, 1]],
  ['reciprocal', (x) => x.reciprocal(), [2, -0.5, 0], [0.5, -2, Infinity], [-0.25, -4, -Infinity]],
  ['rsqrt', (x) => x.rsqrt(), [4, 0.25, 0, -1], [0.5, 2, Infinity, NaN], [-0.0625, -4, -Infinity, NaN]],
  ['log2', (x) => x.log2(), [1, 8, 0.1, 0, -1], [0, 3, -3.32192802, -Infinity, NaN], [1.44269502, 0.180336878, 14.4269505, Infinity, -1.44269502]],
  ['log10', (x) => x.log10(), [1, 1000, 0.1, 0, -1], [0, 3, -1, -Infinity, NaN], [0.434294462, 0.000434294459, 4.34294462, Infinity, -0.434294462]],
  [
    'log1p',
    (x) => x.log1p(),
    [0, 1e-7, -0.5, 1000000, -1],
    [0, 9.99999941e-8, -0.693147182, 13.8155117, -Infinity],
    [1, 0.999999881, 2, 9.99998974e-7, Infinity],
  ],
  ['exp2', (x) => x.exp2(), [0, 3, -1, 100, 200], [1, 8, 0.5, 1.2676506e30, Infinity], [0.693147182, 5.54517746, 0.346573591, 8.78668442e29, Infinity]],
  [
    'expm1',
    (x) => x.expm1(),
    [0, 1e-7, -1e-7, 1, -50, 50],
    [0, 1.00000008e-7, -9.99999941e-8, 1.71828187, -1, 5.18470546e21],
    [1, 1.00000012, 0.999999881, 2.71828175, 0, 5.18470546e21],
  ],
  [
    'mish',
    (x) => x.mish(),
    [0, -1, 1, 20, -20, 100],
    [0, -0.30340144, 0.865098357, 20, -4.12230747e-8, 100],
    [0.600000024, 0.0592167303, 1.04903626, 1, -3.91619217e-8, 1],
  ],
  ['elu', (x) => x.elu(), [0, -1, 1, -100], [0, -0.63212055, 1, -1], [1, 0.36787945, 1, 3.78350585e-44]],
  ['elu alpha 2', (x) => x.elu({ alpha: 2 }), [0, -1, 1, -100], [0, -1.2642411, 1, -2], [2, 0.735758901, 1, 7.56701171e-44]],
  ['selu', (x) => x.selu(), [0, -1, 1, -100], [0, -1.11133075, 1.05070102, -1.75809932], [1.75809932, 0.64676863, 1.05070102, 6.58610278e-44]],
  ['celu alpha 2', (x) => x.celu({ alpha: 2 }), [0, -1, 1, -50], [0, -0.786938667, 1, -2], [1, 0.606530666, 1, 1.38879437e-11]],
  ['hardswish', (x) => x.hardswish(), [-4, -3, 0, 1, 3, 4], [-0, -0, 0, 0.666666687, 3, 4], [0, -0.5, 0.5, 0.833333373, 1.5, 1]],
  ['hardsigmoid', (x) => x.hardsigmoid(), [-4, -3, 0, 1, 3, 4], [0, 0, 0.5, 0.666666687, 1, 1], [0, 0, 0.166666672, 0.166666672, 0, 0]],
  ['hardtanh', (x) => x.hardtanh(), [-2, -1, 0.5, 1, 2], [-1, -1, 0.5, 1, 1], [0, 0, 1, 0, 0]],
  ['hardtanh -0.5..2', (x) => x.hardtanh({ minVal: -0.5, maxVal: 2 }), [-2, -0.5, 0.5, 2, 3], [-0.5, -0.5, 0.5, 2, 2], [0, 0, 1, 0, 0]],
  ['relu6', (x) => x.relu6(), [-1, 0, 3, 6, 7], [0, 0, 3, 6, 6], [0, 0, 1, 0, 0]],
  ['softsign', (x) => x.softsign(), [0, -1, 2, -1000000], [0, -0.5, 0.666666687, -0.999998987], [1, 0.25, 0.111111119, 1.02318154e-12]],
  [
    'logsigmoid',
    (x) => x.logsigmoid(),
    [0, -100, 100, 2, -1000],
    [-0.693147182, -100, -3.9236357e-44, -0.126928017, -1000],
    [0.5, 1, 3.78350585e-44, 0.119202919, 1],
  ],
  [
    'gelu tanh',
    (x) => x.gelu({ approximate: 'tanh' }),
    [0, 1, -2, 3, -10, 10],
    [0, 0.841192007, -0.0454022884, 2.99636269, -0, 10],
    [0.5, 1.08296406, -0.0860992223, 1.01158428, 0, 1],
  ],
  ['softplus', (x) => x.softplus(), [0, 20, 21, -100], [0.693147182, 20, 21, 3.78350585e-44], [0.5, 1, 1, 3.78350585e-44]],
  [
    'softplus beta 2 threshold 20',
    (x) => x.softplus({ beta: 2, threshold: 20 }),
    [0, 10, 10.5, 30, -3],
    [0.346573591, 10, 10.5, 30, 0.0012378426],
    [0.5, 1, 1, 1, 0.00247262325],
  ],
];
const BINARY: [string, (a: wg.Tensor, b: wg.Tensor) => wg.Tensor, number[], number[], number[], number[], number[]][] = [
  [
    'atan2',
    (a, b) => a.atan2(b),
    [0, 1, -1, 1, -1, 0],
    [1, 0, 0, -1, -1, -1],
    [0, 1.57079637, -1.57079637, 2.3561945, -2.3561945, 3.14159274],
    [1, 0, 0, -0.5, -0.5, -1],
    [-0, -1, 1, -0.5, 0.5, -0],
  ],
  [
    'hypot',
    (a, b) => a.hypot(b),
    [3, 0, 1e30, 1e-30],
    [4, 5, 1e30, 1e-30],
    [5, 5, 1.41421351e30, 1.41421356e-30],
    [0.600000024, 0, 0.707106829, 0.707106769],
    [0.800000012, 1, 0.707106829, 0.707106769],
  ],
  [
    'logaddexp',
    (a, b) => a.logaddexp(b),
    [1, 1000, -1000, 0, -Infinity],
    [1, -1000, -1000, 30, 2],
    [1.69314718, 1000, -999.306824, 30, 2],
    [0.5, 1, 0.5, 9.35762359e-14, 0],
    [0.5, 0, 0.5, 1, 1],
  ],
  [
    'pow',
    (a, b) => a.pow(b),
    [2, 0, 0, -3, 4, 0],
    [3, 0, 2, 2, 0.5, -1],
    [8, 1, 0, 9, 2, Infinity],
    [12, 0, 0, -6, 0.25, -Infinity],
    [5.54517746, 0, 0, NaN, 2.77258873, -Infinity],
  ],
  [
    'fmod',
    (a, b) => a.fmod(b),
    [5, -5, 5, -5, 5.5, 0.3],
    [3, 3, -3, -3, 2, 0.1],
    [2, -2, 2, -2, 1.5, 7.4505806e-9],
    [1, 1, 1, 1, 1, 1],
    [-1, 1, 1, -1, -2, -3],
  ],
  [
    'remainder',
    (a, b) => a.remainder(b),
    [5, -5, 5, -5, 5.5, 0.3, -1],
    [3, 3, -3, -3, 2, 0.1, Infinity],
    [2, 1, -1, -2, 1.5, 7.4505806e-9, Infinity],
    [1, 1, 1, 1, 1, 1, 1],
    [-1, 2, 2, -1, -2, -3, 1],
  ],
];

const POW_2_E = [
  [1, 2, 5.65685415, 0.5],
  [0.693147182, 1.38629436, 3.92103243, 0.346573591],
];
const FLOOR_DIVIDE = [
  [5, -5, 5, -5, 5.5, 0.300000012, -0, 4, 1, 1, 7],
  [3, 3, -3, -3, 2, 0.100000001, 2, 0, Infinity, -Infinity, 0.699999988],
  [1, -2, -2, 1, 2, 3, -0, Infinity, 0, -1, 10],
];
// y, then the gradients of t, t1 ([2, 1]) and t2: t = [1, 2], t1 = [[3], [4]], t2 = [5, −6]
const ADDCMUL = [
  [8.5, -7, 11, -10],
  [2, 2],
  [-0.5, -0.5],
  [3.5, 3.5],
];
const ADDCDIV = [
  [-0.200000048, 3, -0.600000024, 3.33333349],
  [2, 2],
  [-0.0666666627, -0.0666666627],
  [0.560000002, 0.388888896],
];

for (const be of ['wasm', 'reference'] as const) {
  describe(`math values on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test.each(UNARY)('%s', (_, f, xs, y, g) => {
      const x = wg.tensor(xs.map(Math.fround), { requiresGrad: true });
      const out = f(x);
      out.sum().backward();
      close(out.data(), y);
      close(x.grad!.data(), g);
    });

    test.each(BINARY)('%s', (_, f, as, bs, y, ga, gb) => {
      const a = wg.tensor(as.map(Math.fround), { requiresGrad: true }),
        b = wg.tensor(bs.map(Math.fround), { requiresGrad: true });
      const out = f(a, b);
      out.sum().backward();
      close(out.data(), y);
      close(a.grad!.data(), ga);
      close(b.grad!.data(), gb);
    });

    test('functions equal methods, numbers broadcast as scalars, gradients un-broadcast', () => {
      const x = wg.tensor([0.25, -1.5, 3]);
      close(wg.sin(x).data(), Array.from(x.sin().data()));
      close(wg.hardtanh(x, { minVal: 0, maxVal: 2 }).data(), [0.25, 0, 2]);
      close(wg.atan2(x, 1).data(), Array.from(wg.atan2(x, wg.ones([3])).data()));
      close(wg.fmod(7, wg.tensor([3, -3])).data(), [1, 1]);
      close(wg.remainder(wg.tensor([7, -7]), 3).data(), [1, 2]);
      // b of shape [1] receives the sum of the partials b/y over the three elements
      const a = wg.tensor([1, 2, 3], { requiresGrad: true }),
        b = wg.tensor([2], { requiresGrad: true });
      wg.hypot(a, b).sum().backward();
      close(b.grad!.data(), [2 / Math.sqrt(5) + 2 / Math.sqrt(8) + 2 / Math.sqrt(13)]);
    });

    test('pow with a tensor exponent, and a number base (torch.pow(2, e))', () => {
      const e = wg.tensor([0, 1, 2.5, -1], { requiresGrad: true });
      const y = wg.pow(2, e);
      y.sum().backward();
      close(y.data(), POW_2_E[0]);
      close(e.grad!.data(), POW_2_E[1]);
      // a number exponent still runs the unary pow
      close(wg.tensor([3]).pow(2).data(), [9]);
    });

    test('floorDivide: PyTorch’s floor division, without gradient', () => {
      const a = wg.tensor(FLOOR_DIVIDE[0], { requiresGrad: true });
      const y = a.floorDivide(wg.tensor(FLOOR_DIVIDE[1].map(Math.fround)));
      close(y.data(), FLOOR_DIVIDE[2]);
      expect(Object.is(y.data()[6], -0)).toBe(true); // −0/2 floors to −0
      expect(y.requiresGrad).toBe(false);
    });

    test('addcmul, addcdiv (broadcasting, value)', () => {
      for (const [f, want] of [
        [wg.addcmul, ADDCMUL],
        [wg.addcdiv, ADDCDIV],
      ] as const) {
        const t = wg.tensor([1, 2], { requiresGrad: true }),
          t1 = wg.tensor([[3], [4]], { requiresGrad: true }),
          t2 = wg.tensor([5, -6], { requiresGrad: true });
        const y = f(t, t1, t2, { value: f === wg.addcmul ? 0.5 : -2 });
        y.sum().backward();
        close(y.data(), want[0]);
        close(t.grad!.data(), want[1]);
        close(t1.grad!.data(), want[2]);
        close(t2.grad!.data(), want[3]);
      }
      close(
        wg
          .tensor([1])
          .addcmul(wg.tensor([2]), wg.tensor([3]))
          .data(),
        [7],
      );
    });

    test('small results keep their relative precision (erfc tail, log1p, expm1 and the elus near 0, mish far left)', () => {
      relClose(wg.erfc(wg.tensor([5, 9])).data(), [1.53745983e-12, 4.13703171e-37], 1e-6);
      relClose(wg.log1p(wg.tensor([1e-10, -3e-8])).data(), [1.00000001e-10, -2.99999989e-8], 1e-6);
      relClose(wg.expm1(wg.tensor([1e-10, -3e-8])).data(), [1.00000001e-10, -2.99999989e-8], 1e-6);
      relClose(wg.logsigmoid(wg.tensor([100])).data(), [-3.9236357e-44], 0.05); // a float32 subnormal
      // mpmath's values: PyTorch's float32 elu/celu/selu take eˣ − 1 and lose these (elu(−1e-6) =
      // −1.0133e-6 there, celu(−3e-8, 2) = 0); the kernels here use expm1.
      const tiny = wg.tensor([-1e-6, -3e-8].map(Math.fround));
      relClose(wg.elu(tiny).data(), [-9.99999497e-7, -2.99999985e-8], 1e-6);
      relClose(wg.celu(tiny, { alpha: 2 }).data(), [-9.99999747e-7, -2.99999987e-8], 1e-6);
      relClose(wg.selu(tiny.slice(0, 0, 1)).data(), [-1.75809846e-6], 1e-6);
      relClose(wg.mish(wg.tensor([-20])).data(), [-4.12230724e-8], 1e-5);
    });

    test('NaN propagates', () => {
      for (const f of [
        wg.sin,
        wg.erf,
        wg.erfinv,
        wg.mish,
        wg.hardtanh,
        wg.hardswish,
        wg.softsign,
        wg.logsigmoid,
        wg.round,
        wg.floor,
        wg.frac,
        (x: wg.Tensor) => wg.gelu(x, { approximate: 'tanh' }),
      ])
        expect(f(wg.tensor([NaN])).item()).toBeNaN();
      expect(wg.atan2(wg.tensor([NaN]), 1).item()).toBeNaN();
      expect(wg.logaddexp(wg.tensor([NaN]), 1).item()).toBeNaN();
    });

    test("relu passes the gradient at NaN (PyTorch's threshold_backward); pow with a tensor exponent is C's pow (1 to any power is 1)", () => {
      const x = wg.tensor([NaN, -1, 0, 2, 7], { requiresGrad: true });
      wg.relu(x).sum().backward();
      expect(Array.from(x.grad!.data())).toEqual([1, 0, 0, 1, 1]);
      // torch.pow(a, b) and the gradients of its sum
      const a = wg.tensor([1, 1, -1, 1, 2], { requiresGrad: true }),
        b = wg.tensor([NaN, Infinity, -Infinity, 3, NaN], { requiresGrad: true });
      const y = wg.pow(a, b);
      y.sum().backward();
      expect(Array.from(y.data())).toEqual([1, 1, 1, 1, NaN]);
      expect(Array.from(a.grad!.data())).toEqual([NaN, Infinity, -Infinity, 3, NaN]);
      expect(Array.from(b.grad!.data())).toEqual([0, 0, NaN, 0, NaN]);
    });

    test('threshold keeps NaN and passes its gradient; prelu of a 0-d x is 0-d (PyTorch 1.13)', () => {
      const x = wg.tensor([NaN, 0.5, 1, 2], { requiresGrad: true });
      const y = wg.threshold(x, 1, -5);
      y.sum().backward();
      // F.threshold(x, 1., -5.): x ≤ threshold takes the value, NaN is not ≤ 1
      expect(Array.from(y.data())).toEqual([NaN, -5, -5, 2]);
      expect(Array.from(x.grad!.data())).toEqual([1, 0, 0, 1]);
      const x0 = wg.tensor(-2, { requiresGrad: true }),
        w = wg.tensor([0.25], { requiresGrad: true });
      const p = wg.prelu(x0, w);
      p.backward();
      expect(p.shape).toEqual([]);
      expect([p.item(), x0.grad!.item(), ...w.grad!.data()]).toEqual([-0.5, 0.25, -2]);
    });
  });
}

test('erfinv of float64 values closer to 1 than float32 reaches (reference backend): full precision', () => {
  wg.setBackend('reference');
  // mpmath: erfinv(1 − 1e-12) = 5.0420318985727, erfinv(−(1 − 1e-15)) = −5.6759157397
  relClose(wg.erfinv(wg.tensor([1 - 1e-12, -(1 - 1e-15)])).data(), [5.0420318985727, -5.6759157397], 1e-7);
});

describe('math errors', () => {
  const x3 = () => wg.tensor([1, 2, 3]);
  test('options: unknown names and bad values are ValueErrors naming the op and option', () => {
    const x = x3();
    expect(() => x.elu({ alpha: NaN })).toThrow(new wg.ValueError('elu', 'alpha must be a finite number, got NaN (x of shape [3])'));
    expect(() => x.elu({ slope: 1 } as never)).toThrow(new wg.ValueError('elu', "unknown option 'slope' (the options are alpha)"));
    expect(() => x.celu({ alpha: 0 })).toThrow(new wg.ValueError('celu', 'alpha must not be 0 (it divides x), got 0 (x of shape [3])'));
    expect(() => x.celu({ alpha: '1' as never })).toThrow(new wg.ValueError('celu', 'alpha must be a finite number, got "1" (x of shape [3])'));
    expect(() => x.hardtanh({ minVal: -Infinity })).toThrow(new wg.ValueError('hardtanh', 'minVal must be a finite number, got -Infinity (x of shape [3])'));
    expect(() => x.hardtanh({ maxVal: null as never })).toThrow(new wg.ValueError('hardtanh', 'maxVal must be a finite number, got null (x of shape [3])'));
    expect(() => x.hardtanh({ min: 0 } as never)).toThrow(new wg.ValueError('hardtanh', "unknown option 'min' (the options are minVal, maxVal)"));
    expect(() => x.round({ decimals: 1.5 })).toThrow(new wg.ValueError('round', 'decimals must be an integer, got 1.5 (x of shape [3])'));
    expect(() => x.round(2 as never)).toThrow(new wg.ValueError('round', 'options must be an object { decimals }, got 2'));
    expect(() => x.gelu({ approximate: 'erf' as never })).toThrow(new wg.ValueError('gelu', "approximate must be 'none' or 'tanh', got \"erf\""));
    expect(() => x.gelu({ approx: 'tanh' } as never)).toThrow(new wg.ValueError('gelu', "unknown option 'approx' (the options are approximate)"));
    expect(() => x.softplus({ beta: Infinity })).toThrow(new wg.ValueError('softplus', 'beta must be a finite number, got Infinity (x of shape [3])'));
    expect(() => x.softplus({ threshold: NaN })).toThrow(new wg.ValueError('softplus', 'threshold must be a finite number, got NaN (x of shape [3])'));
    expect(() => x.softplus({ beta: 1, Threshold: 2 } as never)).toThrow(
      new wg.ValueError('softplus', "unknown option 'Threshold' (the options are beta, threshold)"),
    );
    expect(() => x.addcmul(x, x, { value: NaN })).toThrow(new wg.ValueError('addcmul', 'value must be a finite number, got NaN (input of shape [3])'));
    expect(() => x.addcdiv(x, x, { scale: 2 } as never)).toThrow(new wg.ValueError('addcdiv', "unknown option 'scale' (the options are value)"));
  });

  test('shapes that do not broadcast are ShapeErrors naming the op', () => {
    const x = x3();
    const y = wg.zeros([2]);
    for (const [name, f] of [
      ['atan2', wg.atan2],
      ['logaddexp', wg.logaddexp],
      ['hypot', wg.hypot],
      ['fmod', wg.fmod],
      ['remainder', wg.remainder],
      ['floorDivide', wg.floorDivide],
      ['pow', wg.pow],
    ] as const)
      expect(() => f(x, y)).toThrow(new wg.ShapeError(name, 'shapes [3] and [2] cannot be broadcast together (dim 0: 3 vs 2)'));
    expect(() => wg.addcmul(x, y, x)).toThrow(new wg.ShapeError('addcmul', 'shapes [3] and [2] and [3] cannot be broadcast together (dim 0: 3 vs 2)'));
  });

  test('arguments that are not tensors, and int32 tensors', () => {
    expect(() => wg.sin('x' as never)).toThrow(new wg.ValueError('sin', 'argument 1 must be a Tensor or a number, got "x"'));
    expect(() => wg.atan2(1, 2)).toThrow(new wg.ValueError('atan2', 'needs a Tensor argument, got only numbers (1, 2)'));
    expect(() => wg.pow(2, 3 as never)).toThrow(new wg.ValueError('pow', 'needs a Tensor argument, got only numbers (2, 3)'));
    // erf of an int32 tensor is float32 (PyTorch's promotion); mish has no integer form in PyTorch either
    expect(wg.erf(wg.tensor([1], { dtype: 'int32' })).dtype).toBe('float32');
    expect(() => wg.mish(wg.tensor([1], { dtype: 'int32' }))).toThrow(wg.DTypeError);
  });
});
