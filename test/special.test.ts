/**
 * wg.special (torch.special of PyTorch 1.13) and torch.igamma/igammac on both backends: values and
 * gradients from torch 1.13 in float64 at the float32 inputs, written here as literals (the gradients
 * are of Σ w·y with w = 1, 2, 3, …, as the script that gave them), the special values (NaN, ±∞, the
 * poles and domain edges), the aliases, and the errors. Forward and backward WASM vs reference and
 * finite differences over odd shapes: the op-table harness (test/ops.test.ts, src/ops/special*.ts).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const inf = Infinity;
const BACKENDS = ['wasm', 'reference'] as const;

/** Equal NaN where NaN, ±∞ where ±∞, else within tol relative (float32 rounding and a few ulp). */
function close(got: ArrayLike<number>, want: readonly number[], tol = 2e-6): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    if (!Number.isFinite(w)) expect(got[i], `element ${i}`).toBe(w);
    else expect(Math.abs(got[i] - w), `element ${i}: ${got[i]} vs ${w}`).toBeLessThanOrEqual(tol * Math.abs(w) + 1e-30);
  });
}
/** Σ w·y with w = 1, 2, 3, … backpropagated: as the torch script. */
const weighted = (y: wg.Tensor) =>
  y
    .mul(wg.arange(1, y.size + 1))
    .sum()
    .backward();
/** The literals' inputs are float32 values: as float32 on both backends (the reference would keep float64). */
const leaf = (v: readonly number[], requiresGrad = true) => wg.tensor(Float32Array.from(v), { requiresGrad });

const T = {
  // torch.special.erfcx(x) float64, gradient of Σ (1, 2, …)·y
  erfcx: {
    x: [-3.0, -0.5, 0.0, 0.5, 2.0, 5.0, 20.0, 300.0],
    y: [16205.9889, 1.95236049, 1.0, 0.615690344, 0.255395676, 0.110704638, 0.0281743487, 0.0018806215],
    grad: [-97237.0615, -6.16147931, -3.3851375, -2.05075529, -0.533982309, -0.127996739, -0.00983652217, -5.01493494e-5],
  },
  // torch.special.ndtr(x) float64, gradient of Σ (1, 2, …)·y
  ndtr: {
    x: [-12.0, -3.0, -0.5, 0.0, 0.5, 2.0, 5.0],
    y: [0.0, 0.00134989803, 0.308537539, 0.5, 0.691462461, 0.977249868, 0.999999713],
    grad: [2.14638374e-32, 0.00886369682, 1.05619598, 1.59576912, 1.76032663, 0.323945799, 1.04070366e-5],
  },
  // torch.special.log_ndtr(x) float64, gradient of Σ (1, 2, …)·y
  logNdtr: {
    x: [-40.0, -10.0, -3.0, -0.5, 0.0, 0.5, 2.0, 5.0],
    y: [-804.608442, -53.2312852, -6.60772622, -1.17591176, -0.693147181, -0.368946415, -0.0230129093, -2.86651613e-7],
    grad: [40.0249688, 20.1961865, 9.84929596, 4.56431108, 3.9894228, 3.0549626, 0.386735039, 1.18937595e-5],
  },
  // torch.special.ndtri(x) float64, gradient of Σ (1, 2, …)·y
  ndtri: {
    x: [1e-30, 1.00000001e-10, 0.00999999978, 0.300000012, 0.5, 0.899999976, 0.999998987],
    y: [-11.4640247, -6.3613409, -2.32634788, -0.524400478, 0.0, 1.28155143, 4.75075775],
    grad: [8.65802776e28, 3071447360.0, 112.561311, 11.5044144, 12.5331414, 34.1883532, 1396805.36],
  },
  // torch.special.entr(x) float64, gradient of Σ (1, 2, …)·y
  entr: {
    x: [0.100000001, 1.0, 2.5, 7.0, 9.99999968e-21],
    y: [0.230258511, -0.0, -2.29072683, -13.621371, 4.60517004e-19],
    grad: [1.30258508, -2.0, -5.7488722, -11.7836406, 225.258509],
  },
  // torch.special.i0e(x) float64, gradient of Σ (1, 2, …)·y
  i0e: {
    x: [-30.0, -3.0, -0.5, 0.0, 0.5, 2.0, 5.0, 20.0],
    y: [0.0731459465, 0.243000354, 0.64503527, 1.0, 0.64503527, 0.308508323, 0.183540813, 0.0897803119],
    grad: [0.00122961588, 0.0923472817, 1.4658434, 0.0, -2.44307234, -0.5594342, -0.13697982, -0.0181927176],
  },
  // torch.special.i1(x) float64, gradient of Σ (1, 2, …)·y
  i1: {
    x: [-30.0, -3.0, -0.5, 0.0, 0.5, 2.0, 5.0, 20.0],
    y: [-768532039000.0, -3.95337022, -0.257894305, 0.0, 0.257894305, 1.59063685, 24.3356421, 42454973.4],
    grad: [756054563000.0, 7.12600503, 1.64308428, 2.0, 2.7384738, 8.90560125, 156.609204, 331484271.0],
  },
  // torch.special.i1e(x) float64, gradient of Σ (1, 2, …)·y
  i1e: {
    x: [-30.0, -3.0, -0.5, 0.5, 2.0, 5.0, 20.0, 150.0],
    y: [-0.0719163306, -0.196826713, -0.156420803, 0.156420803, 0.215269289, 0.163972267, 0.0875062222, 0.0324918964],
    grad: [-0.00116759514, -0.0388705271, 0.527318583, 0.703091444, -0.0719780566, -0.0793554463, -0.0147085499, -0.00086208918],
  },
  // torch.special.xlog1py(a, b) float64, gradients of Σ (1, 2, …)·y
  xlog1py: {
    a: [0.0, 1.0, -2.0, 3.0, 0.5],
    b: [0.5, -0.5, 3.0, 0.00100000005, 100.0],
    y: [0.0, -0.693147181, -2.77258872, 0.00299850114, 2.30756026],
    grads: [
      [0.405465108, -1.38629436, 4.15888308, 0.00399800152, 23.0756026],
      [0.0, 4.0, -1.5, 11.988012, 0.0247524752],
    ],
  },
  // torch.special.zeta(a, b) float64, gradients of Σ (1, 2, …)·y
  zeta: {
    a: [1.5, 2.0, 3.0, 4.5, 10.0, 1.00999999],
    b: [0.5, 1.0, 2.0, 5.0, 20.0, 0.300000012],
    y: [4.77653795, 1.64493407, 0.202056903, 0.00143243084, 2.69888884e-13, 103.542658],
    grads: [[-9.37066595, -4.80822761, -0.740909103, -0.00437912566, -6.21469502e-13, -74.960323]],
  },
  // torch.special.gammainc(a, b) float64, gradients of Σ (1, 2, …)·y
  gammainc: {
    a: [0.5, 1.0, 2.0, 5.0, 20.0, 0.0500000007, 100.0, 3.0],
    b: [0.100000001, 1.0, 3.0, 4.0, 25.0, 2.0, 95.0, 40.0],
    y: [0.345279156, 0.632120559, 0.800851727, 0.371163065, 0.866425166, 0.997361457, 0.317356811, 1.0],
    grads: [[1.61434224, 0.735758882, 0.448083615, 0.781467259, 0.207669874, 0.0215881757, 0.2580807, 2.71894672e-14]],
  },
  // torch.special.gammaincc(a, b) float64, gradients of Σ (1, 2, …)·y
  gammaincc: {
    a: [0.5, 1.0, 2.0, 5.0, 20.0, 0.0500000007, 100.0, 3.0],
    b: [0.100000001, 1.0, 3.0, 4.0, 25.0, 2.0, 95.0, 40.0],
    y: [0.654720844, 0.367879441, 0.199148273, 0.628836935, 0.133574834, 0.00263854275, 0.682643189, 3.57286593e-15],
    grads: [[-1.61434224, -0.735758882, -0.448083615, -0.781467259, -0.207669874, -0.0215881757, -0.2580807, -2.71894672e-14]],
  },
};

type Unary = 'erfcx' | 'ndtr' | 'logNdtr' | 'ndtri' | 'entr' | 'i0e' | 'i1' | 'i1e';
type Binary = 'xlog1py' | 'zeta' | 'gammainc' | 'gammaincc';

for (const be of BACKENDS) {
  describe(`wg.special on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    for (const name of ['erfcx', 'ndtr', 'logNdtr', 'ndtri', 'entr', 'i0e', 'i1', 'i1e'] as Unary[])
      test(`${name}: values and gradient against torch`, () => {
        const c = T[name];
        const x = leaf(c.x);
        const y = wg.special[name](x);
        close(y.data(), c.y);
        weighted(y);
        close(x.grad!.data(), c.grad, 4e-6);
      });

    for (const name of ['xlog1py', 'zeta', 'gammainc', 'gammaincc'] as Binary[])
      test(`${name}: values and gradients against torch`, () => {
        const c = T[name];
        const both = c.grads.length === 2;
        const [a, b] = [leaf(c.a, both), leaf(c.b)];
        const y = wg.special[name](a, b);
        close(y.data(), c.y, 4e-6);
        weighted(y);
        close(b.grad!.data(), c.grads[c.grads.length - 1], 1e-5);
        if (both) close(a.grad!.data(), c.grads[0], 4e-6);
      });

    test("special values as torch's", () => {
      const f = (fn: (x: wg.Tensor) => wg.Tensor, xs: number[]) => Array.from(fn(wg.tensor(xs)).data());
      // torch.special.erfcx(torch.tensor([-inf, -10., inf, nan])) float32
      expect(f(wg.special.erfcx, [-inf, -10, inf, NaN])).toEqual([inf, inf, 0, NaN]);
      // torch.special.ndtri(torch.tensor([0., 1., -0.5, 1.5, nan]))
      expect(f(wg.special.ndtri, [0, 1, -0.5, 1.5, NaN])).toEqual([-inf, inf, NaN, NaN, NaN]);
      // torch.special.log_ndtr(torch.tensor([-inf, inf, nan])); ndtr the same
      expect(f(wg.special.logNdtr, [-inf, inf, NaN])).toEqual([-inf, -0, NaN]);
      expect(f(wg.special.ndtr, [-inf, inf, NaN])).toEqual([0, 1, NaN]);
      // torch.special.entr(torch.tensor([-1., 0., inf, nan]))
      expect(f(wg.special.entr, [-1, 0, inf, NaN])).toEqual([-inf, 0, -inf, NaN]);
      // torch.special.i0e(torch.tensor([inf, -inf, nan])), i1(±100.) float32 overflows, i1e(±inf)
      expect(f(wg.special.i0e, [inf, -inf, NaN])).toEqual([0, 0, NaN]);
      expect(f(wg.special.i1, [100, -100])).toEqual([inf, -inf]);
      expect(f(wg.special.i1e, [inf, -inf])).toEqual([0, -0]);
      const g = (fn: (a: wg.Tensor, x: wg.Tensor) => wg.Tensor, a: number[], x: number[]) => Array.from(fn(wg.tensor(a), wg.tensor(x)).data());
      // torch.special.gammainc / gammaincc(torch.tensor([-1., 0, 0, 1, inf, inf, 1, 2]), torch.tensor([1., 1, 0, 0, 1, inf, inf, -1]))
      const [a, x] = [
        [-1, 0, 0, 1, inf, inf, 1, 2],
        [1, 1, 0, 0, 1, inf, inf, -1],
      ];
      expect(g(wg.special.gammainc, a, x)).toEqual([NaN, 1, NaN, 0, 0, NaN, 1, NaN]);
      expect(g(wg.special.gammaincc, a, x)).toEqual([NaN, 0, NaN, 1, 1, NaN, 0, NaN]);
      // torch.special.zeta(torch.tensor([1., 0.5, 2, 2.5, 2]), torch.tensor([1., 1, -2, -1.5, 0]))
      expect(g(wg.special.zeta, [1, 0.5, 2, 2.5, 2], [1, 1, -2, -1.5, 0])).toEqual([inf, NaN, inf, NaN, inf]);
      // torch.special.xlog1py(torch.tensor([0., 0, 0, 2, 0]), torch.tensor([-1., -2, inf, -1, nan]))
      expect(g(wg.special.xlog1py, [0, 0, 0, 2, 0], [-1, -2, inf, -1, NaN])).toEqual([0, 0, 0, -inf, NaN]);
    });

    test('numbers and int32 mix as torch; torch.igamma/igammac and their Tensor methods', () => {
      // torch.special.ndtr(torch.tensor([0, 1])) (int64 computed as float)
      close(wg.special.ndtr(wg.tensor([0, 1], { dtype: 'int32' })).data(), [0.5, 0.841344714]);
      close(wg.special.xlog1py(2, wg.tensor([1])).data(), [1.38629436]);
      const a = wg.tensor([0.5, 2]);
      const x = wg.tensor([0.1, 3]);
      close(a.igamma(x).data(), T.gammainc.y.slice(0, 1).concat(T.gammainc.y[2]));
      close(wg.igammac(a, x).data(), T.gammaincc.y.slice(0, 1).concat(T.gammaincc.y[2]));
      expect(wg.igamma).toBe(wg.special.gammainc);
      expect(a.igammac(x).toArray()).toEqual(wg.special.gammaincc(a, x).toArray());
    });

    test('no gradient where torch 1.13 has none: a clear error for the first argument of zeta and igamma', () => {
      const a = leaf([1, 2]);
      for (const fn of [wg.special.zeta, wg.special.gammainc, wg.special.gammaincc, wg.igamma, wg.igammac])
        expect(() => fn(wg.tensor([2, 3]).add(a), wg.tensor([1, 2]))).toThrow(/has no derivative for its first argument/);
      // detached or under noGrad it runs
      expect(wg.noGrad(() => wg.special.zeta(a, wg.tensor([1, 2]))).requiresGrad).toBe(false);
      expect(wg.special.gammainc(a.detach().add(1), wg.tensor([1, 2])).requiresGrad).toBe(false);
    });
  });
}

describe('wg.special: the aliases are the top-level functions', () => {
  test('torch.special names', () => {
    const s = wg.special;
    expect([s.erf, s.erfc, s.erfinv, s.expm1, s.log1p, s.exp2, s.round, s.sinc, s.logit, s.xlogy]).toEqual([
      wg.erf,
      wg.erfc,
      wg.erfinv,
      wg.expm1,
      wg.log1p,
      wg.exp2,
      wg.round,
      wg.sinc,
      wg.logit,
      wg.xlogy,
    ]);
    expect([s.digamma, s.psi, s.gammaln, s.polygamma, s.multigammaln, s.i0, s.expit]).toEqual([
      wg.digamma,
      wg.digamma,
      wg.lgamma,
      wg.polygamma,
      wg.mvlgamma,
      wg.i0,
      wg.sigmoid,
    ]);
    expect([s.logsumexp, s.softmax, s.logSoftmax]).toEqual([wg.logsumexp, wg.softmax, wg.logSoftmax]);
  });
});
