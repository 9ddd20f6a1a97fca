/**
 * wg.distributions.MultivariateNormal against torch 1.13 literals: logProb and entropy values and
 * gradients (Σ w·y, w = 1, 2, …) for each of covarianceMatrix, precisionMatrix and scaleTril with
 * a batch that broadcasts loc [2, 3] against values [4, 2, 3]; KL MVN‖MVN with its gradients; the
 * derived matrices; errors; samples by their moments. Both backends.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

const D = wg.distributions;

beforeAll(async () => {
  await initWasm();
});
afterEach(() => {
  wg.setBackend('wasm');
});

const BACKENDS = ['wasm', 'reference'] as const;
const arr = (t: wg.Tensor) => Array.from(t.data());
const weighted = (y: wg.Tensor) =>
  y
    .mul(wg.arange(1, y.size + 1).reshape(y.shape))
    .sum()
    .backward();

// torch 1.13 (float32)
const TORCH = {
  cov_logProb: {
    shape: [4, 2],
    y: [-3.71009898, -4.06703806, -4.60053301, -3.5120635, -5.83828735, -3.78910422, -3.8672421, -4.72839022],
    grads: [
      [-3.02652979, 19.8693867, -11.9806099, -7.94897938, 10.0204067, -19.2295914],
      [-5.76221132, -4.39390278, -1.33377874, -4.39390278, 8.55802536, -8.99691486, -1.33377862, -8.99691486, -6.23124743],
    ],
  },
  cov_entropy: {
    shape: [2],
    y: [4.59328795, 4.59328795],
    grads: [[0.887755156, -0.244897947, 0.505102038, -0.244897932, 1.10204065, -0.397959113, 0.505102098, -0.397959143, 2.22704077]],
  },
  cov_stats: {
    variance: [1.99999988, 1.50000012, 0.800000072, 1.99999988, 1.50000012, 0.800000072],
    cov: [
      2, 0.300000012, -0.400000006, 0.300000012, 1.5, 0.200000003, -0.400000006, 0.200000003, 0.800000012, 2, 0.300000012, -0.400000006, 0.300000012, 1.5,
      0.200000003, -0.400000006, 0.200000003, 0.800000012,
    ],
    prec: [
      0.591836691, -0.163265288, 0.336734653, -0.163265288, 0.734693825, -0.265306085, 0.336734653, -0.265306085, 1.48469377, 0.591836691, -0.163265288,
      0.336734653, -0.163265288, 0.734693825, -0.265306085, 0.336734653, -0.265306085, 1.48469377,
    ],
    tril: [
      1.41421354, 0, 0, 0.212132037, 1.20623386, 0, -0.282842726, 0.215546921, 0.820694566, 1.41421354, 0, 0, 0.212132037, 1.20623386, 0, -0.282842726,
      0.215546921, 0.820694566,
    ],
  },
  prec_logProb: {
    shape: [4, 2],
    y: [-3.71009898, -4.06703758, -4.60053253, -3.5120635, -5.83828783, -3.78910422, -3.8672421, -4.72838974],
    grads: [
      [-3.02652931, 19.8693867, -11.9806108, -7.9489789, 10.0204067, -19.2295914],
      [24.2549953, 8.19999981, -2.09999847, 8.19999886, -8.97499466, 6.73499966, -2.09999824, 6.73499966, 5.89000034],
    ],
  },
  prec_entropy: {
    shape: [2],
    y: [4.59328747, 4.59328747],
    grads: [[-2.99999952, -0.449999928, 0.599999905, -0.449999958, -2.25000024, -0.300000012, 0.599999905, -0.300000012, -1.20000017]],
  },
  prec_stats: {
    variance: [1.99999964, 1.50000012, 0.800000012, 1.99999964, 1.50000012, 0.800000012],
    cov: [
      1.99999964, 0.299999923, -0.399999887, 0.299999923, 1.50000012, 0.200000003, -0.399999887, 0.200000003, 0.800000012, 1.99999964, 0.299999923,
      -0.399999887, 0.299999923, 1.50000012, 0.200000003, -0.399999887, 0.200000003, 0.800000012,
    ],
    prec: [
      0.591836751, -0.163265288, 0.336734653, -0.163265288, 0.734693825, -0.265306085, 0.336734653, -0.265306085, 1.48469377, 0.591836751, -0.163265288,
      0.336734653, -0.163265288, 0.734693825, -0.265306085, 0.336734653, -0.265306085, 1.48469377,
    ],
    tril: [
      1.41421342, 0, 0, 0.212132007, 1.20623386, 0, -0.282842666, 0.215546921, 0.820694566, 1.41421342, 0, 0, 0.212132007, 1.20623386, 0, -0.282842666,
      0.215546921, 0.820694566,
    ],
  },
  tril_logProb: {
    shape: [4, 2],
    y: [-3.42655325, -6.17323351, -4.21083879, -2.97196031, -5.08722925, -3.02290273, -3.4261961, -6.44981527],
    grads: [
      [-1.10280645, 6.4658165, -8.5663271, -16.4043331, 8.18197918, -1.15115595],
      [
        -6.33017826, 0, 0, 1.48964286, -2.99940062, 0, -9.71785641, -6.20574045, -9.62665844, 36.7350502, 0, 0, -34.8677711, 19.6833248, 0, -17.1131439,
        18.7376728, 2.52989674,
      ],
    ],
  },
  tril_entropy: {
    shape: [2],
    y: [4.59328747, 4.1036644],
    grads: [[1, 0, 0, 0, 0.5, 0, 0, 0, 1.42857146, 3.33333325, 0, 0, 0, 1.81818175, 0, 0, 0, 1.53846157]],
  },
  tril_stats: {
    variance: [1, 4.25, 0.589999974, 0.360000014, 1.25, 2.0999999],
    cov: [
      1, 0.5, -0.300000012, 0.5, 4.25, 0.049999997, -0.300000012, 0.049999997, 0.589999974, 0.360000014, 0.120000005, 0.24000001, 0.120000005, 1.25,
      -0.469999999, 0.24000001, -0.469999999, 2.0999999,
    ],
    prec: [
      1.27806127, -0.158163279, 0.663265407, -0.158163279, 0.255102038, -0.10204082, 0.663265407, -0.10204082, 2.04081631, 3.2657125, -0.495541722,
      -0.484131277, -0.495541722, 0.94870162, 0.268961817, -0.484131277, 0.268961817, 0.591715991,
    ],
    tril: [1, 0, 0, 0.5, 2, 0, -0.300000012, 0.100000001, 0.699999988, 0.600000024, 0, 0, 0.200000003, 1.10000002, 0, 0.400000006, -0.5, 1.29999995],
  },
  Ainv: [0.591836751, -0.163265288, 0.336734653, -0.163265288, 0.734693825, -0.265306085, 0.336734653, -0.265306085, 1.48469377],
  kl: {
    shape: [2],
    y: [1.66602004, 2.48475075],
    grads: [
      [0.601020396, -1.07959163, 1.19540799, 0.724489748, -0.510203958, 3.73979568],
      [
        -0.590816259, -0.29285714, 0.235714242, 0.283673435, 0.942857027, -0.185714245, -0.241326511, -0.382142782, -0.389285922, -2.41904736, -0.695918322,
        0.875510097, -0.114285722, 0.063450813, -0.689795792, 1.48571432, -2.068367, 2.32174206,
      ],
      [-1.32551014, 1.58979559, -4.93520355],
      [-0.100142471, 0.851534665, -2.20491886, 0.851534486, -1.65154886, 2.81186795, -2.20491886, 2.81186795, -7.97283554],
    ],
  },
};

const A = [
  [2.0, 0.3, -0.4],
  [0.3, 1.5, 0.2],
  [-0.4, 0.2, 0.8],
];
const B = [
  [
    [1.0, 0, 0],
    [0.5, 2.0, 0],
    [-0.3, 0.1, 0.7],
  ],
  [
    [0.6, 0, 0],
    [0.2, 1.1, 0],
    [0.4, -0.5, 1.3],
  ],
];
const LOC = [
  [0.5, -1.0, 0.2],
  [0.0, 0.3, 1.0],
];
// values [4, 2, 3]: a sample dim over the batch of 2
const X = [
  [
    [0.1, 0.2, 0.3],
    [1.0, -1.0, 0.5],
  ],
  [
    [-0.3, 0.6, 0.0],
    [0.2, 0.2, 0.2],
  ],
  [
    [2.0, 1.0, -1.0],
    [0.0, 0.0, 0.0],
  ],
  [
    [0.5, 0.5, 0.5],
    [-1.0, 2.0, 1.0],
  ],
];
type Form = 'cov' | 'prec' | 'tril';
const make = (form: Form) => {
  const loc = wg.tensor(LOC, { requiresGrad: true });
  const data = form === 'prec' ? wg.tensor(TORCH.Ainv).reshape([3, 3]) : wg.tensor(form === 'tril' ? B : A);
  const M = data.detach().requiresGrad_();
  const d =
    form === 'cov'
      ? new D.MultivariateNormal(loc, M)
      : form === 'prec'
        ? new D.MultivariateNormal(loc, null, M)
        : new D.MultivariateNormal(loc, { scaleTril: M });
  return { d, loc, M };
};

describe('MultivariateNormal vs torch 1.13', () => {
  for (const backend of BACKENDS) {
    test.each(['cov', 'prec', 'tril'] as Form[])(`${backend}: %s: logProb, entropy (values and gradients), derived matrices`, (form) => {
      wg.setBackend(backend);
      const { d, loc, M } = make(form);
      expect([d.batchShape, d.eventShape]).toEqual([[2], [3]]);
      const want = TORCH[`${form}_logProb`];
      const y = d.logProb(wg.tensor(X));
      expect(y.shape).toEqual(want.shape);
      expectClose(arr(y), want.y, 1e-5);
      weighted(y);
      expectClose(arr(loc.grad!), want.grads[0], 1e-4);
      expectClose(arr(M.grad!), want.grads[1], 1e-4);

      const { d: d2, M: M2 } = make(form);
      const h = d2.entropy();
      const wantH = TORCH[`${form}_entropy`];
      expect(h.shape).toEqual(wantH.shape);
      expectClose(arr(h), wantH.y, 1e-5);
      weighted(h);
      expectClose(arr(M2.grad!), wantH.grads[0], 1e-4);

      const s = TORCH[`${form}_stats`];
      expectClose(arr(d.variance), s.variance, 1e-5);
      expectClose(arr(d.covarianceMatrix), s.cov, 1e-5);
      expectClose(arr(d.precisionMatrix), s.prec, 1e-4);
      expectClose(arr(d.scaleTril), s.tril, 1e-5);
      expect(d.covarianceMatrix.shape).toEqual([2, 3, 3]);
      expect(arr(d.mean)).toEqual(arr(d.loc));
      expect(arr(d.mode)).toEqual(arr(d.loc));
    });

    test(`${backend}: KL MVN‖MVN (scaleTril batch ‖ covariance), values and gradients`, () => {
      wg.setBackend(backend);
      const lp = wg.tensor(LOC, { requiresGrad: true }),
        Bp = wg.tensor(B, { requiresGrad: true });
      const lq = wg.tensor([0.1, 0.2, -0.3], { requiresGrad: true }),
        Aq = wg.tensor(A, { requiresGrad: true });
      const kl = D.klDivergence(new D.MultivariateNormal(lp, { scaleTril: Bp }), new D.MultivariateNormal(lq, Aq));
      expect(kl.shape).toEqual(TORCH.kl.shape);
      expectClose(arr(kl), TORCH.kl.y, 1e-5);
      weighted(kl);
      [lp, Bp, lq, Aq].forEach((t, i) => expectClose(arr(t.grad!), TORCH.kl.grads[i], 1e-4));
      const p = new D.MultivariateNormal(wg.tensor(LOC), wg.tensor(A));
      expectClose(arr(D.klDivergence(p, p)), [0, 0], 1e-5);
      expect(() => D.klDivergence(p, new D.MultivariateNormal(wg.zeros([2]), wg.eye(2)))).toThrow(
        'KL-divergence between two Multivariate Normals with different event shapes cannot be computed',
      );
    });

    test(`${backend}: rsample is loc + L·ε with gradients; sample moments; expand`, () => {
      wg.setBackend(backend);
      wg.manualSeed(2);
      const loc = wg.tensor([1, -2, 0.5], { requiresGrad: true });
      const d = new D.MultivariateNormal(loc, wg.tensor(A));
      const r = d.rsample([4]);
      expect(r.shape).toEqual([4, 3]);
      r.sum().backward();
      expect(arr(loc.grad!)).toEqual([4, 4, 4]);
      const N = 20000;
      const s = d.sample([N]);
      expect(s.requiresGrad).toBe(false);
      const mean = arr(s.mean(0));
      const c = s.sub(s.mean(0));
      const cov = arr(c.mT.matmul(c).div(N - 1));
      [1, -2, 0.5].forEach((m, i) => expect(Math.abs(mean[i] - m)).toBeLessThan(5 * Math.sqrt(A[i][i] / N)));
      // the standard error of a sample covariance: √((Σii·Σjj + Σij²)/N)
      A.flat().forEach((a, k) => {
        const [i, j] = [Math.floor(k / 3), k % 3];
        expect(Math.abs(cov[k] - a)).toBeLessThan(5 * Math.sqrt((A[i][i] * A[j][j] + a * a) / N));
      });
      const e = d.expand([5, 2]);
      expect([e.batchShape, e.eventShape]).toEqual([[5, 2], [3]]);
      expect(e.covarianceMatrix.shape).toEqual([5, 2, 3, 3]);
      expect(e.logProb(wg.zeros([3])).shape).toEqual([5, 2]);
      expectClose(arr(e.entropy()), Array(10).fill(arr(d.entropy())[0]), 1e-6);
      expect(String(e)).toBe('MultivariateNormal(loc: torch.Size([5, 2, 3]), covarianceMatrix: torch.Size([5, 2, 3, 3]))');
    });
  }

  test('errors and toString as torch 1.13', () => {
    const z = wg.zeros([2]);
    const cases: [() => unknown, string][] = [
      [
        () =>
          new D.MultivariateNormal(
            z,
            wg.tensor([
              [1, 2],
              [2, 1],
            ]),
          ),
        'Expected parameter covarianceMatrix (Tensor of shape (2, 2)) of distribution MultivariateNormal(loc: torch.Size([2]), covarianceMatrix: torch.Size([2, 2])) to satisfy the constraint PositiveDefinite(), but found invalid values:\ntensor([[1., 2.],\n        [2., 1.]])',
      ],
      [
        () =>
          new D.MultivariateNormal(z, {
            scaleTril: wg.tensor([
              [1, 0],
              [2, -1],
            ]),
          }),
        'Expected parameter scaleTril (Tensor of shape (2, 2)) of distribution MultivariateNormal(loc: torch.Size([2]), scaleTril: torch.Size([2, 2])) to satisfy the constraint LowerCholesky(), but found invalid values:\ntensor([[ 1.,  0.],\n        [ 2., -1.]])',
      ],
      [() => new D.MultivariateNormal(wg.tensor(0), wg.eye(2)), 'loc must be at least one-dimensional.'],
      [() => new D.MultivariateNormal(z), 'Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.'],
      [() => new D.MultivariateNormal(z, wg.eye(2), null, wg.eye(2)), 'Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.'],
      [
        () => new D.MultivariateNormal(z, wg.eye(2)).logProb(wg.zeros([3])),
        'The right-most size of value must match event_shape: torch.Size([3]) vs torch.Size([2]).',
      ],
      [() => new D.MultivariateNormal(z, wg.ones([2])), 'covariance_matrix matrix must be at least two-dimensional'],
      [() => new D.MultivariateNormal(z, wg.eye(3)), "covarianceMatrix must be [..., 2, 2] to match loc's 2 events, got [3, 3]"],
      [() => new D.MultivariateNormal(z, { covariance: wg.eye(2) } as never), "unknown option 'covariance'"],
      [() => new D.MultivariateNormal(wg.zeros([3, 2]), wg.eye(2).expand([2, 2, 2])), 'shapes [2] and [3] cannot be broadcast together'],
    ];
    for (const [f, message] of cases) {
      expect(f).toThrow(message);
      expect(f).toThrow(wg.WasmgradError);
    }
    expect(String(new D.MultivariateNormal(z, wg.eye(2)))).toBe('MultivariateNormal(loc: torch.Size([2]), covarianceMatrix: torch.Size([2, 2]))');
    expect(String(new D.MultivariateNormal(z, { scaleTril: wg.eye(2) }))).toBe('MultivariateNormal(loc: torch.Size([2]), scaleTril: torch.Size([2, 2]))');
    expect(new D.MultivariateNormal(z, wg.eye(2)).hasRsample).toBe(true);
  });
});
