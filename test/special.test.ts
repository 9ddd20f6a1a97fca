/**
 * wg.special (torch.special of PyTorch 1.13) and torch.igamma/igammac on both backends: values and
 * gradients from torch 1.13 in float64 at the float32 inputs, written here as literals (the gradients
 * are of Σ w·y with w = 1, 2, 3, …, as the script that gave them), the special values (NaN, ±∞, the
 * poles and domain edges), the aliases, and the errors. Forward and backward WASM vs reference and
 * finite differences over odd shapes: the op-table harness (test/ops.test.ts, src/ops/special*.ts).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
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

const BESSEL = {
  // torch.special.bessel_j0(x) float64
  besselJ0: {
    x: [0.0, 0.5, 1.0, 2.4000001, 4.5, 7.9000001, 8.10000038, 12.0, 30.0, 100.0, 1000.0],
    y: [1.0, 0.938469807, 0.765197687, 0.00250763369, -0.320542513, 0.194361826, 0.147517361, 0.0476893108, -0.0863679836, 0.0199858503, 0.0247866862],
  },
  // torch.special.bessel_j1(x) float64
  besselJ1: {
    x: [0.0, 0.5, 1.0, 2.4000001, 4.5, 7.9000001, 8.10000038, 12.0, 30.0, 100.0, 1000.0],
    y: [0.0, 0.242268458, 0.440050586, 0.520185248, -0.231060433, 0.21917942, 0.247607814, -0.223447104, -0.118751063, -0.077145352, 0.00472831191],
  },
  // torch.special.bessel_y0(x) float64
  besselY0: {
    x: [0.5, 1.0, 2.4000001, 4.5, 7.9000001, 8.10000038, 12.0, 30.0, 100.0, 1000.0],
    y: [-0.444518734, 0.0882569642, 0.510414739, -0.194705012, 0.206520964, 0.238091378, -0.225237313, -0.117295732, -0.0772443134, 0.00471591798],
  },
  // torch.special.bessel_y1(x) float64
  besselY1: {
    x: [0.5, 1.0, 2.4000001, 4.5, 7.9000001, 8.10000038, 12.0, 30.0, 100.0, 1000.0],
    y: [-1.47147239, -0.781212821, 0.100488983, 0.300997326, -0.181721051, -0.133148695, -0.0570992183, 0.0844255707, -0.020372312, -0.0247843313],
  },
  // torch.special.modified_bessel_k0(x) float64
  modifiedBesselK0: {
    x: [0.5, 1.0, 2.4000001, 4.5, 7.9000001, 8.10000038, 12.0, 30.0],
    y: [0.924419071, 0.421024438, 0.0702173336, 0.00639985724, 0.000162867651, 0.000131734225, 2.2008254e-6, 2.1324775e-14],
  },
  // torch.special.modified_bessel_k1(x) float64
  modifiedBesselK1: {
    x: [0.5, 1.0, 2.4000001, 4.5, 7.9000001, 8.10000038, 12.0, 30.0],
    y: [1.65644112, 0.60190723, 0.0837248287, 0.00707809491, 0.000172884289, 0.000139641172, 2.29075746e-6, 2.167732e-14],
  },
  // torch.special.scaled_modified_bessel_k0(x) float64
  scaledModifiedBesselK0: {
    x: [0.5, 1.0, 2.4000001, 4.5, 7.9000001, 8.10000038, 12.0, 30.0, 100.0, 1000.0],
    y: [1.52410939, 1.14446308, 0.774018127, 0.57609679, 0.439300079, 0.433994365, 0.358194878, 0.227886666, 0.125175622, 0.0396283216],
  },
  // torch.special.scaled_modified_bessel_k1(x) float64
  scaledModifiedBesselK1: {
    x: [0.5, 1.0, 2.4000001, 4.5, 7.9000001, 8.10000038, 12.0, 30.0, 100.0, 1000.0],
    y: [2.73100971, 1.63615349, 0.922913643, 0.637149799, 0.466317782, 0.460043559, 0.372831753, 0.231654129, 0.12579995, 0.0396481308],
  },
  // torch.special.modified_bessel_i0(x) float64
  modifiedBesselI0: {
    x: [-30.0, -1.5, -0.5, 0.0, 0.5, 1.5, 3.0, 10.0],
    y: [781672298000.0, 1.64672319, 1.06348337, 1.0, 1.06348337, 1.64672319, 4.88079259, 2815.71663],
  },
  // torch.special.modified_bessel_i1(x) float64
  modifiedBesselI1: {
    x: [-30.0, -1.5, -0.5, 0.0, 0.5, 1.5, 3.0, 10.0],
    y: [-768532039000.0, -0.981666429, -0.257894305, 0.0, 0.257894305, 0.981666429, 3.95337022, 2670.9883],
  },
  // torch.special.airy_ai(x) float64
  airyAi: {
    x: [-20.0, -7.30000019, -3.0, -1.0, 0.0, 0.5, 1.5, 3.0, 10.0],
    y: [-0.176406127, 0.335770405, -0.378814288, 0.535560883, 0.355028054, 0.231693606, 0.071749497, 0.00659113936, 1.10475326e-10],
  },
  // torch.special.spherical_bessel_j0(x) float64
  sphericalBesselJ0: {
    x: [-30.0, -1.0, -0.25, 0.0, 0.00100000005, 0.400000006, 2.0, 50.0],
    y: [-0.0329343875, 0.841470985, 0.989615837, 1.0, 0.999999833, 0.973545855, 0.454648713, -0.00524749707],
  },
};
const POLY_X = [-1.5, -1.0, -0.300000012, 0.0, 0.449999988, 1.0, 2.0];
const POLY_N = [-1.0, 0.0, 1.0, 2.0, 5.0, 7.0, 10.0];
const POLYNOMIALS = {
  // torch.special.chebyshev_polynomial_t(x[:, None], n) float64
  chebyshevPolynomialT: [
    0.0, 1.0, -1.5, 3.5, -61.5, -421.5, 7563.5, 0.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 0.0, 1.0, -0.300000012, -0.819999986, -0.998880003, 0.846163153,
    0.995522521, 0.0, 1.0, 0.0, -1.0, 0.0, -4.2862638e-16, -1.0, 0.0, 1.0, 0.449999988, -0.595000021, 0.722745046, 0.125433357, 0.0447208034, 0.0, 1.0, 1.0,
    1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 2.0, 7.0, 362.0, 5042.0, 262087.0,
  ],
  // torch.special.chebyshev_polynomial_u(x[:, None], n) float64
  chebyshevPolynomialU: [
    0.0, 1.0, -3.0, 8.0, -144.0, -987.0, 17711.0, 0.0, 1.0, -2.0, 3.0, -6.0, -8.0, 11.0, 0.0, 1.0, -0.600000024, -0.639999971, -1.01375998, 0.678566323,
    1.02524915, 0.0, 1.0, 0.0, -1.0, 0.0, -0.0, -1.0, 0.0, 1.0, 0.899999976, -0.190000043, 0.374490082, 0.625356797, -0.458678297, 0.0, 1.0, 2.0, 3.0, 6.0, 8.0,
    11.0, 0.0, 1.0, 4.0, 15.0, 780.0, 10864.0, 564719.0,
  ],
  // torch.special.chebyshev_polynomial_v(x[:, None], n) float64
  chebyshevPolynomialV: [
    0.0, 1.0, -4.0, 11.0, -199.0, -1364.0, 24476.0, 0.0, 1.0, -3.0, 5.0, -11.0, -15.0, 21.0, 0.0, 1.0, -1.60000002, -0.0399999475, -1.06335992, 0.119910243,
    1.12433792, 0.0, 1.0, -1.0, -1.0, -1.0, 1.0, -1.0, 0.0, 1.0, -0.100000024, -1.09000002, 1.14839002, -0.485584209, 0.6599864, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0,
    1.0, 0.0, 1.0, 3.0, 11.0, 571.0, 7953.0, 413403.0,
  ],
  // torch.special.chebyshev_polynomial_w(x[:, None], n) float64
  chebyshevPolynomialW: [
    0.0, 1.0, -2.0, 5.0, -89.0, -610.0, 10946.0, 0.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 0.0, 1.0, 0.399999976, -1.24, -0.964160049, 1.2372224, 0.926160386, 0.0,
    1.0, 1.0, -1.0, 1.0, -1.0, -1.0, 0.0, 1.0, 1.89999998, 0.709999933, -0.399409859, 1.7362978, -1.57734299, 0.0, 1.0, 3.0, 5.0, 11.0, 15.0, 21.0, 0.0, 1.0,
    5.0, 19.0, 989.0, 13775.0, 716035.0,
  ],
  // torch.special.shifted_chebyshev_polynomial_t(x[:, None], n) float64
  shiftedChebyshevPolynomialT: [
    0.0, 1.0, -4.0, 31.0, -15124.0, -937444.0, 457470751.0, 0.0, 1.0, -3.0, 17.0, -3363.0, -114243.0, 22619537.0, 0.0, 1.0, -1.60000002, 4.12000015, -93.852169,
    -761.7579, 17615.4592, 0.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 0.0, 1.0, -0.100000024, -0.97999999, -0.480160105, 0.645113728, -0.538892547, 0.0, 1.0, 1.0,
    1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 3.0, 17.0, 3363.0, 114243.0, 22619537.0,
  ],
  // torch.special.shifted_chebyshev_polynomial_u(x[:, None], n) float64
  shiftedChebyshevPolynomialU: [
    0.0, 1.0, -8.0, 63.0, -30744.0, -1905632.0, 929944511.0, 0.0, 1.0, -6.0, 35.0, -6930.0, -235416.0, 46611179.0, 0.0, 1.0, -3.20000005, 9.24000031,
    -214.072339, -1737.58814, 40181.3067, 0.0, 1.0, -2.0, 3.0, -6.0, -8.0, 11.0, 0.0, 1.0, -0.200000048, -0.959999981, -0.568320121, 0.721907336, -0.454230702,
    0.0, 1.0, 2.0, 3.0, 6.0, 8.0, 11.0, 0.0, 1.0, 6.0, 35.0, 6930.0, 235416.0, 46611179.0,
  ],
  // torch.special.shifted_chebyshev_polynomial_v(x[:, None], n) float64
  shiftedChebyshevPolynomialV: [
    0.0, 1.0, -9.0, 71.0, -34649.0, -2147679.0, 1048062950.0, 0.0, 1.0, -7.0, 41.0, -8119.0, -275807.0, 54608393.0, 0.0, 1.0, -4.20000005, 12.4400004,
    -289.209945, -2347.48203, 54284.9612, 0.0, 1.0, -3.0, 5.0, -11.0, -15.0, 21.0, 0.0, 1.0, -1.20000005, -0.759999933, -1.44992006, 1.48984323, 0.392387541,
    0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 5.0, 29.0, 5741.0, 195025.0, 38613965.0,
  ],
  // torch.special.shifted_chebyshev_polynomial_w(x[:, None], n) float64
  shiftedChebyshevPolynomialW: [
    0.0, 1.0, -7.0, 55.0, -26839.0, -1663585.0, 811826071.0, 0.0, 1.0, -5.0, 29.0, -5741.0, -195025.0, 38613965.0, 0.0, 1.0, -2.20000005, 6.04000026,
    -138.934734, -1127.69425, 26077.6522, 0.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 0.0, 1.0, 0.799999952, -1.16000003, 0.313279824, -0.0460285573, -1.30084895,
    0.0, 1.0, 3.0, 5.0, 11.0, 15.0, 21.0, 0.0, 1.0, 7.0, 41.0, 8119.0, 275807.0, 54608393.0,
  ],
  // torch.special.hermite_polynomial_h(x[:, None], n) float64
  hermitePolynomialH: [
    0.0, 1.0, -3.0, 7.0, 117.0, -801.0, -85401.0, 0.0, 1.0, -2.0, 2.0, 8.0, -464.0, 8224.0, 0.0, 1.0, -0.600000024, -1.63999997, -31.7577609, 416.517936,
    -6173.85082, 0.0, 1.0, 0.0, -2.0, 0.0, -0.0, -30240.0, 0.0, 1.0, 0.899999976, -1.19000004, 40.0104896, -474.142284, 15763.1163, 0.0, 1.0, 2.0, 2.0, -8.0,
    464.0, 8224.0, 0.0, 1.0, 4.0, 14.0, -16.0, -3104.0, 200416.0,
  ],
  // torch.special.hermite_polynomial_he(x[:, None], n) float64
  hermitePolynomialHe: [
    0.0, 1.0, -1.5, 1.25, 3.65625, -54.4921875, -180.166992, 0.0, 1.0, -1.0, 0.0, -6.0, 20.0, 1216.0, 0.0, 1.0, -0.300000012, -0.909999993, -4.23243015,
    28.7158122, -544.808647, 0.0, 1.0, 0.0, -1.0, 0.0, -0.0, -945.0, 0.0, 1.0, 0.449999988, -0.797500011, 5.8572027, -38.0656468, -112.201181, 0.0, 1.0, 1.0,
    0.0, 6.0, -20.0, 1216.0, 0.0, 1.0, 2.0, 3.0, -18.0, 86.0, -2621.0,
  ],
  // torch.special.laguerre_polynomial_l(x[:, None], n) float64
  laguerrePolynomialL: [
    0.0, 1.0, 2.5, 5.125, 26.4929687, 63.638351, 198.127503, 0.0, 1.0, 2.0, 3.5, 12.8833333, 25.9765873, 64.6666201, 0.0, 1.0, 1.30000001, 1.64500003,
    2.99670785, 4.21474506, 6.64119626, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.550000012, 0.201250018, -0.380985788, -0.498660964, -0.443861411, 0.0,
    1.0, 0.0, -0.5, -0.466666667, -0.0404761905, 0.418945933, 0.0, 1.0, -1.0, -1.0, 0.733333333, 0.663492063, -0.309065256,
  ],
  // torch.special.legendre_polynomial_p(x[:, None], n) float64
  legendrePolynomialP: [
    0.0, 1.0, -1.5, 2.875, -33.0820312, -192.376465, 2897.28153, 0.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 0.0, 1.0, -0.300000012, -0.364999989, -0.345386248,
    0.224072963, 0.251476348, 0.0, 1.0, 0.0, -0.5, 0.0, -0.0, -0.24609375, 0.0, 1.0, 0.449999988, -0.196250016, 0.19172217, 0.110601089, -0.0503529388, 0.0,
    1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 2.0, 5.5, 185.75, 2199.125, 96060.5195,
  ],
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

    test('gammaincc keeps relative accuracy where it is small (its own series for small a, x ≤ 1.1)', () => {
      // torch.special.gammaincc(a, x) float64 at these float32 inputs, and the gradient of its sum
      const a = leaf([1e-4, 0.05, 0.3], false);
      const x = leaf([0.5, 0.8, 0.02]);
      const y = wg.special.gammaincc(a, x);
      close(y.data(), [5.59802915e-5, 0.01618151, 0.657002502], 2e-6); // torch's float32: 5.5970715e-5 (2e-4 off)
      y.sum().backward();
      close(x.grad!.data(), [-0.000121304722, -0.0285273262, -5.06633725], 4e-6);
    });

    test("gammainc/gammaincc for large a near x = a: Temme's expansion, within float32 rounding of torch's float64", () => {
      // torch.special.gammainc / gammaincc(a, x) float64 at these float32 inputs, and gammainc's x-gradient of the sum
      // (torch's float32 gammainc: 0.0779446289 at (5000, 4900), 0.82863766 at (1e5, 100300))
      const a = leaf([150, 150, 1000, 1000, 5000, 1e5, 1e5, 300, 120], false);
      const x = leaf([150, 160, 990, 1050, 4900, 1e5, 100300, 250, 140]);
      const p = wg.special.gammainc(a, x);
      // within 1e-7·max(|y|, 1), as the README's accuracy notes measure (float32's z = η·√(a/2) rounds, and erfc
      // magnifies that by 2z² in the tails: (300, 250) is 1e-6 relative, 1.2e-9 absolute)
      expectClose(p.data(), [0.51085823, 0.795626188, 0.379521378, 0.941328889, 0.0779449562, 0.500420522, 0.828636311, 0.00116239363, 0.961065883], 1e-7);
      expectClose(
        wg.special.gammaincc(a, x).data(),
        [0.48914177, 0.204373812, 0.620478622, 0.0586711114, 0.922055044, 0.499579478, 0.171363689, 0.998837606, 0.0389341171],
        1e-7,
      );
      p.sum().backward();
      close(
        x.grad!.data(),
        [0.0325554095, 0.0221798273, 0.0121165254, 0.00358310513, 0.00208938466, 0.00126156521, 0.000802723989, 0.000252208854, 0.00694698207],
        1e-5,
      );
    });

    test('zeta with q < 0 and an integer x: the sum torch 1.13 runs on until q + k > 9', () => {
      // torch.special.zeta(x, q) float64 at these float32 inputs, and the gradient of its sum (for q)
      const x = leaf([2, 3, 2, 4, 3, 2, 5, 2, 2.5], false);
      const q = leaf([-1.5, -2.5, -0.25, -7.25, -0.5, -30.75, -1.75, 0.5, -1.5]);
      const y = wg.special.zeta(x, q);
      close(y.data(), [9.37924664, 0.0541020258, 18.5418796, 259.756866, 0.414398322, 19.7072115, 1020.07406, 4.9348022, NaN], 4e-6);
      y.sum().backward();
      // x = 2.5 (not an integer) is NaN, its gradient 0 here (torch's NaN)
      close(
        Array.from(q.grad!.data()).slice(0, 8),
        [-0.236204052, -97.3739381, 122.697367, 4080.26219, -96.7045455, -124.02613, -20509.6221, -16.8287966],
        1e-5,
      );
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

    test('Bessel and Airy functions: values against torch (absolute where they oscillate), special values, no gradient', () => {
      for (const [name, c] of Object.entries(BESSEL) as [keyof typeof BESSEL, { x: number[]; y: number[] }][]) {
        const x = leaf(c.x);
        const y = wg.special[name](x);
        expect(y.requiresGrad, name).toBe(false);
        // K decays: relative; the others within 1e-6·max(|y|, 1) (Clenshaw's float32 rounding, torch's own float32 is as far)
        const got = y.data();
        c.y.forEach((w, i) =>
          expect(Math.abs(got[i] - w), `${name}(${c.x[i]}): ${got[i]} vs ${w}`).toBeLessThanOrEqual(
            name.includes('K') ? 1e-6 * Math.abs(w) : 1e-6 * Math.max(1, Math.abs(w)),
          ),
        );
      }
      // torch.special.<each>(torch.tensor([-inf, -1., 0., inf, nan])) float32
      const e = wg.tensor([-inf, -1, 0, inf, NaN]);
      const want: Record<string, number[]> = {
        besselJ0: [NaN, 0.76519769, 1, NaN, NaN],
        besselJ1: [NaN, -0.44005059, 0, NaN, NaN],
        besselY0: [NaN, NaN, -inf, NaN, NaN],
        besselY1: [NaN, NaN, -inf, NaN, NaN],
        modifiedBesselK0: [NaN, NaN, inf, 0, NaN],
        modifiedBesselK1: [NaN, NaN, inf, 0, NaN],
        scaledModifiedBesselK0: [NaN, NaN, inf, 0, NaN],
        scaledModifiedBesselK1: [NaN, NaN, inf, 0, NaN],
        modifiedBesselI0: [NaN, 1.26606588, 1, NaN, NaN],
        modifiedBesselI1: [NaN, -0.56515908, 0, NaN, NaN],
        airyAi: [NaN, 0.53556088, 0.35502805, NaN, NaN],
        sphericalBesselJ0: [0, 0.84147098, 1, 0, NaN],
      };
      for (const [name, w] of Object.entries(want)) close(wg.special[name as keyof typeof BESSEL](e).data(), w, 1e-6);
    });

    test('orthogonal polynomials: values against torch, n a tensor or a number, no gradient', () => {
      const x = leaf(POLY_X).reshape([POLY_X.length, 1]);
      const n = wg.tensor(POLY_N);
      for (const [name, w] of Object.entries(POLYNOMIALS) as [keyof typeof POLYNOMIALS, number[]][]) {
        const y = wg.special[name](x, n);
        expect(y.shape).toEqual([POLY_X.length, POLY_N.length]);
        expect(y.requiresGrad, name).toBe(false);
        const got = y.data();
        w.forEach((v, i) => expect(Math.abs(got[i] - v), `${name} element ${i}: ${got[i]} vs ${v}`).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(v))));
        // a number n: the column of that degree
        close(
          wg.special[name](x, 5).reshape([POLY_X.length]).data(),
          w.filter((_, i) => i % POLY_N.length === 4),
          2e-6,
        );
      }
      // n truncates toward 0 (torch casts it to int64), int32 n as well
      expect(wg.special.legendrePolynomialP(wg.tensor([0.5]), wg.tensor([2.9])).toArray()).toEqual(
        wg.special.legendrePolynomialP(wg.tensor([0.5]), wg.tensor([2], { dtype: 'int32' })).toArray(),
      );
      expect(() => wg.special.hermitePolynomialH(wg.tensor([1]), 1e6)).toThrow(/hermitePolynomialH: degrees up to 10000/);
    });

    test('bad input: errors name the function and the shapes', () => {
      expect(() => wg.special.xlog1py(wg.ones([2, 3]), wg.ones([4]))).toThrow(/xlog1py: shapes \[2, 3\] and \[4\] cannot be broadcast/);
      expect(() => wg.special.gammainc(wg.ones([2]), wg.ones([3]))).toThrow(/igamma: shapes \[2\] and \[3\]/);
      expect(() => wg.special.chebyshevPolynomialT(wg.ones([2]), wg.ones([3]))).toThrow(/chebyshevPolynomialT: shapes \[2\] and \[3\]/);
      expect(() => wg.special.ndtr([1, 2] as unknown as wg.Tensor)).toThrow(/ndtr: input must be a Tensor/);
      expect(() => wg.special.besselJ0(0.5 as unknown as wg.Tensor)).toThrow(/besselJ0: input must be a Tensor/);
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

  test('every torch.special function of 1.13 has its camelCase name', () => {
    // [n for n in dir(torch.special) if not n.startswith('_')] in torch 1.13, less Tensor, torch and the two docstring helpers
    const torchNames = [
      'airy_ai',
      'bessel_j0',
      'bessel_j1',
      'bessel_y0',
      'bessel_y1',
      'chebyshev_polynomial_t',
      'chebyshev_polynomial_u',
      'chebyshev_polynomial_v',
      'chebyshev_polynomial_w',
      'digamma',
      'entr',
      'erf',
      'erfc',
      'erfcx',
      'erfinv',
      'exp2',
      'expit',
      'expm1',
      'gammainc',
      'gammaincc',
      'gammaln',
      'hermite_polynomial_h',
      'hermite_polynomial_he',
      'i0',
      'i0e',
      'i1',
      'i1e',
      'laguerre_polynomial_l',
      'legendre_polynomial_p',
      'log1p',
      'log_ndtr',
      'log_softmax',
      'logit',
      'logsumexp',
      'modified_bessel_i0',
      'modified_bessel_i1',
      'modified_bessel_k0',
      'modified_bessel_k1',
      'multigammaln',
      'ndtr',
      'ndtri',
      'polygamma',
      'psi',
      'round',
      'scaled_modified_bessel_k0',
      'scaled_modified_bessel_k1',
      'shifted_chebyshev_polynomial_t',
      'shifted_chebyshev_polynomial_u',
      'shifted_chebyshev_polynomial_v',
      'shifted_chebyshev_polynomial_w',
      'sinc',
      'softmax',
      'spherical_bessel_j0',
      'xlog1py',
      'xlogy',
      'zeta',
    ];
    const camel = torchNames.map((n) => n.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    expect(camel.filter((n) => typeof (wg.special as Record<string, unknown>)[n] !== 'function')).toEqual([]);
    expect(Object.keys(wg.special).sort()).toEqual([...camel].sort());
  });
});
