/**
 * wg.distributions' discrete distributions (Bernoulli, Categorical, OneHotCategorical, Binomial,
 * Geometric, Poisson, NegativeBinomial, Multinomial) and their KL pairs against torch 1.13
 * literals: values and gradients of Σ w·y (w = 1, 2, …) wrt every parameter, statistics, edge
 * values, shapes, validation errors; samples by their statistics on the seeded stream. Both backends.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

const D = wg.distributions;
type Dist = wg.distributions.Distribution;

beforeAll(async () => {
  await initWasm();
});
afterEach(() => {
  wg.setBackend('wasm');
  D.Distribution.setDefaultValidateArgs(true);
});

const BACKENDS = ['wasm', 'reference'] as const;
const arr = (t: wg.Tensor) => Array.from(t.data());
const T = (x: number[] | number[][]) => wg.tensor(x, { requiresGrad: true });
/** Σ w·y with w = 1, 2, … backpropagated (as the torch script). */
const weighted = (y: wg.Tensor) =>
  y
    .mul(wg.arange(1, y.size + 1).reshape(y.shape))
    .sum()
    .backward();

// torch 1.13: y and the gradients of Σ w·y for each case below (float32)
const TORCH = {
  bern_p_logProb: {
    shape: [2, 3],
    y: [-2.30258512, -0.693147182, -0.162518874, -0.10536056, -0.693147182, -0.162518874],
    grads: [[5.55555487, -14, 10.5882349]],
  },
  bern_l_logProb: {
    shape: [2, 3],
    y: [-1.70141339, -0.854355276, -0.126928046, -0.201413333, -0.854355276, -0.126928046],
    grads: [[0.087872386, -4.02109718, 1.07282674]],
  },
  bern_p_entropy: { shape: [3], y: [0.325083077, 0.693147182, 0.422709048], grads: [[2.19722462, 0, -5.20380402]] },
  bern_l_entropy: { shape: [3], y: [0.475051582, 0.682022512, 0.365333974], grads: [[0.223719686, -0.146674991, -0.629961729]] },
  bern_stats: { mean: [0.100000001, 0.5, 0.850000024], mode: [0, NaN, 1], variance: [0.0899999961, 0.25, 0.127499983], stddev: [0.299999982, 0.5, 0.3570714] },
  cat_p_logProb: {
    shape: [3, 2],
    y: [-0.356674969, -0.693147182, -1.60943794, -1.38629436, -2.30258512, -1.38629436],
    grads: [[4.0999999, 0.600000024, -0.757142842, -2, 1, 3]],
  },
  cat_l_logProb: {
    shape: [3, 2],
    y: [-0.241311312, -0.609899282, -3.24131131, -1.60989928, -1.74131131, -1.35989928],
    grads: [[3.42238665, 2.64798689, -6.07037306, -4.52086735, 1.60110712, 2.91976047]],
  },
  cat_p_entropy: { shape: [2], y: [0.80181855, 1.03972077], grads: [[0.150076658, 0.0807619393, -0.044514358, -0.173286796, 0.173286796, 0.173286796]] },
  cat_l_entropy: { shape: [2], y: [0.621584654, 1.00232196], grads: [[0.19627732, 0.102464244, -0.298741639, -0.426489472, 0.242918804, 0.183570564]] },
  oh_p_logProb: {
    shape: [3, 2],
    y: [-0.356674969, -0.693147182, -1.60943794, -1.38629436, -2.30258512, -1.38629436],
    grads: [[4.0999999, 0.600000024, -0.757142842, -2, 1, 3]],
  },
  oh_l_logProb: {
    shape: [3, 2],
    y: [-0.241311312, -0.609899282, -3.24131131, -1.60989928, -1.74131131, -1.35989928],
    grads: [[3.42238665, 2.64798689, -6.07037306, -4.52086735, 1.60110712, 2.91976047]],
  },
  oh_p_entropy: { shape: [2], y: [0.80181855, 1.03972077], grads: [[0.150076658, 0.0807619393, -0.044514358, -0.173286796, 0.173286796, 0.173286796]] },
  oh_stats: {
    mean: [0.100000001, 0.200000003, 0.699999988, 0.5, 0.25, 0.25],
    mode: [0, 0, 1, 1, 0, 0],
    variance: [0.0899999961, 0.160000011, 0.210000008, 0.25, 0.1875, 0.1875],
    stddev: [0.299999982, 0.400000006, 0.458257586, 0.5, 0.433012694, 0.433012694],
  },
  bin_p_logProb: {
    shape: [3, 2],
    y: [-1.17538548, -1.53715992, -6.01986408, -9.16290855, -1.78337479, -5.10825634],
    grads: [
      [4.08992577, 8.76959229],
      [16.666666, 8.33333397],
    ],
  },
  bin_l_logProb: {
    shape: [3, 2],
    y: [-1.06249118, -1.44533157, -4.56507635, -14.6328239, -2.56507635, -2.63282394],
    grads: [
      [2.68286324, 2.20569038],
      [-1.05905533, -18.2229767],
    ],
  },
  bin_entropy: { shape: [3], y: [1.5109781, 1.59270072, 0.685794532], grads: [[1.17443061, -1.01055706, 24.5810661]] },
  bin_stats: { mean: [1.5, 6], mode: [1, 6], variance: [1.04999995, 2.39999986], stddev: [1.02469504, 1.54919326] },
  geo_p_logProb: { shape: [2, 2], y: [-1.20397282, -5.05145741, -1.91732275, -1.83258152], grads: [[4.76190472, -42.5000038]] },
  geo_l_logProb: { shape: [2, 2], y: [-1.10318601, -4.44934177, -1.90955806, -1.6746707], grads: [[0.681877613, -6.00416231]] },
  geo_p_entropy: { shape: [2], y: [2.03621435, 0.625503004], grads: [[-3.96305466, -5.02949333]] },
  geo_l_entropy: { shape: [2], y: [1.9151032, 0.74913913], grads: [[-0.811917067, -0.923607647]] },
  geo_stats: { mean: [2.33333325, 0.25], mode: [0, 0], variance: [7.77777719, 0.3125], stddev: [2.78886676, 0.559017003] },
  poi_logProb: { shape: [2, 2], y: [-0.5, -1.49592257, -6.45064259, -1.90138769], grads: [[20, -3.33333302]] },
  poi_stats: { mean: [0.5, 3.70000005], mode: [0, 3], variance: [0.5, 3.70000005], stddev: [0.707106769, 1.92353845] },
  nb_p_logProb: {
    shape: [2, 2],
    y: [-0.891687334, -2.89018393, -1.82372653, -3.78627205],
    grads: [
      [0.630442739, -4.99050331],
      [5.71428776, -65.7142944],
    ],
  },
  nb_l_logProb: {
    shape: [2, 2],
    y: [-1.49534714, -2.99234486, -1.61571825, -3.91947508],
    grads: [
      [-0.335412979, -5.21358967],
      [-1.20265579, -14.1722851],
    ],
  },
  nb_stats: { mean: [1.07142854, 7.42857122], mode: [0, 5], variance: [1.53061223, 21.2244892], stddev: [1.23717916, 4.60700417] },
  mn_p_logProb: { shape: [2], y: [-1.98631573, -2.14398003], grads: [[0.5, 2.98023224e-8, -0.0714285672, -0.5, 1.5, -0.5]] },
  mn_l_logProb: { shape: [2], y: [-2.71082401, -2.39829922], grads: [[0.123548031, 0.80443716, -0.927985191, -1.43405581, 2.00092244, -0.566866398]] },
  mn_p_entropy: { shape: [2], y: [2.13771796, 2.61676717], grads: [[0.363569051, 0.132024556, -0.0896597207, -0.320183754, 0.320183754, 0.320183754]] },
  mn_l_entropy: { shape: [2], y: [1.70083737, 2.54477882], grads: [[0.330762982, 0.302479059, -0.63324213, -0.795791626, 0.496289968, 0.299501181]] },
  mn_stats: {
    mean: [0.5, 1, 3.5, 2.5, 1.25, 1.25],
    mode: "<class 'torch.distributions.multinomial.Multinomial'> does not implement mode",
    variance: [0.449999988, 0.800000012, 1.05000007, 1.25, 0.9375, 0.9375],
    stddev: [0.670820355, 0.89442718, 1.02469516, 1.11803401, 0.968245864, 0.968245864],
  },
  kl_bern: {
    shape: [3],
    y: [0.11632175, 0.0204110146, 0.9787848],
    grads: [
      [-1.34992659, -0.81093049, 9.36268711],
      [0.952381015, 0.833333611, -12.187501],
    ],
  },
  kl_bin: {
    shape: [2],
    y: [0.411414206, 3.81908607],
    grads: [
      [-4.23648977, 35.8351898],
      [4, -50],
    ],
  },
  kl_cat: {
    shape: [2],
    y: [0.0851227939, 0.239278197],
    grads: [
      [-0.0778269991, -0.049058795, 0.0251349509, 0.338506281, -0.210799873, -0.46621269],
      [-2.5, 0.666666746, 0.599999905],
    ],
  },
  kl_oh: {
    shape: [2],
    y: [0.0851227939, 0.239278197],
    grads: [
      [-0.0778269991, -0.049058795, 0.0251349509, 0.338506281, -0.210799873, -0.46621269],
      [-2.5, 0.666666746, 0.599999905],
    ],
  },
  kl_geo: {
    shape: [2],
    y: [0.274276257, 1.70342231],
    grads: [
      [-3.73858023, 4.70024204],
      [2.66666651, -19.4444427],
    ],
  },
  kl_poi: {
    shape: [2],
    y: [0.806852818, 0.579441547],
    grads: [
      [-1.38629436, 1.38629436],
      [0.75, -2],
    ],
  },
  kl_bern_poi: {
    shape: [3],
    y: [1.60560226, 0.604120255, 0.900667846],
    grads: [
      [-2.8903718, -0.810930192, 8.81572247],
      [0.949999988, 1.33333325, -5.5],
    ],
  },
  edges: {
    bern_edge: [-1.19209282e-7, -1.19209282e-7, -15.9423847, -15.9423847],
    bern_edge_entropy: [1.19209282e-7, 1.19209282e-7],
    cat_zero_entropy: [0.693147182],
    cat_zero_logprob: [-15.9423847, -0.693147182],
    geo_one: [0, -Infinity],
    poi_zero: [0, -Infinity],
    nb_zero: [-0, -Infinity],
    mn_neginf: [-0.841172576],
    kl_bern_edge: [0.693147063, 0.693147063, Infinity, Infinity],
    kl_cat_edge: [Infinity],
    kl_bin_inf: [0, Infinity],
    kl_poi_bern: [Infinity, Infinity],
    bin_logits_big: [0, 0],
  },
};

interface Case {
  make: () => { d: Dist; grad: wg.Tensor[] };
  call: (d: Dist) => wg.Tensor;
}
const logProbAt = (v: number[] | number[][]) => (d: Dist) => d.logProb(wg.tensor(v));
const entropy = (d: Dist) => d.entropy();
const BV = [
  [1, 0, 1],
  [0, 0, 1],
];
const CAT_P = () =>
  T([
    [1, 2, 7],
    [2, 1, 1],
  ]);
const CAT_L = () =>
  T([
    [0.5, -1, 2],
    [1, 0, 0.25],
  ]);
const CV = [
  [2, 0],
  [1, 1],
  [0, 2],
];
const ONE_HOT = CV.map((row) => row.map((k) => [0, 1, 2].map((j) => (j === k ? 1 : 0))));
const BINV = [
  [2, 7],
  [5, 0],
  [0, 10],
];
const GV = [
  [0, 3],
  [2, 1],
];
const MV = [
  [1, 1, 3],
  [2, 2, 1],
];
const with1 = (mk: (p: wg.Tensor) => Dist, p: () => wg.Tensor) => () => {
  const t = p();
  return { d: mk(t), grad: [t] };
};
const with2 = (mk: (a: wg.Tensor, b: wg.Tensor) => Dist, a: () => wg.Tensor, b: () => wg.Tensor) => () => {
  const [s, t] = [a(), b()];
  return { d: mk(s, t), grad: [s, t] };
};
const bernP = with1(
  (p) => new D.Bernoulli(p),
  () => T([0.1, 0.5, 0.85]),
);
const bernL = with1(
  (l) => new D.Bernoulli(null, l),
  () => T([-1.5, 0.3, 2]),
);
const catP = with1((p) => new D.Categorical(p), CAT_P);
const catL = with1((l) => new D.Categorical({ logits: l }), CAT_L);
const ohP = with1((p) => new D.OneHotCategorical(p), CAT_P);
const ohL = with1((l) => new D.OneHotCategorical(null, l), CAT_L);
const binP = with2(
  (n, p) => new D.Binomial(n, p),
  () => T([5, 10]),
  () => T([0.3, 0.6]),
);
const binL = with2(
  (n, l) => new D.Binomial(n, { logits: l }),
  () => T([5, 10]),
  () => T([-0.4, 1.2]),
);
const geoP = with1(
  (p) => new D.Geometric(p),
  () => T([0.3, 0.8]),
);
const geoL = with1(
  (l) => new D.Geometric(null, l),
  () => T([-0.7, 1.1]),
);
const nbP = with2(
  (n, p) => new D.NegativeBinomial(n, p),
  () => T([2.5, 4]),
  () => T([0.3, 0.7]),
);
const nbL = with2(
  (n, l) => new D.NegativeBinomial(n, null, l),
  () => T([2.5, 4]),
  () => T([-0.2, 0.9]),
);
const mnP = with1((p) => new D.Multinomial(5, p), CAT_P);
const mnL = with1((l) => new D.Multinomial(5, { logits: l }), CAT_L);

const CASES: Record<string, Case> = {
  bern_p_logProb: { make: bernP, call: logProbAt(BV) },
  bern_l_logProb: { make: bernL, call: logProbAt(BV) },
  bern_p_entropy: { make: bernP, call: entropy },
  bern_l_entropy: { make: bernL, call: entropy },
  cat_p_logProb: { make: catP, call: logProbAt(CV) },
  cat_l_logProb: { make: catL, call: logProbAt(CV) },
  cat_p_entropy: { make: catP, call: entropy },
  cat_l_entropy: { make: catL, call: entropy },
  oh_p_logProb: { make: ohP, call: (d) => d.logProb(wg.tensor(ONE_HOT)) },
  oh_l_logProb: { make: ohL, call: (d) => d.logProb(wg.tensor(ONE_HOT)) },
  oh_p_entropy: { make: ohP, call: entropy },
  bin_p_logProb: { make: binP, call: logProbAt(BINV) },
  bin_l_logProb: { make: binL, call: logProbAt(BINV) },
  bin_entropy: {
    make: with1(
      (p) => new D.Binomial(6, p),
      () => T([0.3, 0.6, 0.05]),
    ),
    call: entropy,
  },
  geo_p_logProb: { make: geoP, call: logProbAt(GV) },
  geo_l_logProb: { make: geoL, call: logProbAt(GV) },
  geo_p_entropy: { make: geoP, call: entropy },
  geo_l_entropy: { make: geoL, call: entropy },
  poi_logProb: {
    make: with1(
      (r) => new D.Poisson(r),
      () => T([0.5, 3]),
    ),
    call: logProbAt([
      [0, 2],
      [4, 1],
    ]),
  },
  nb_p_logProb: { make: nbP, call: logProbAt(GV) },
  nb_l_logProb: { make: nbL, call: logProbAt(GV) },
  mn_p_logProb: { make: mnP, call: logProbAt(MV) },
  mn_l_logProb: { make: mnL, call: logProbAt(MV) },
  mn_p_entropy: { make: mnP, call: entropy },
  mn_l_entropy: { make: mnL, call: entropy },
};

type Expected = { shape: number[]; y: number[]; grads: (number[] | null)[] };
const expectCase = (y: wg.Tensor, grad: wg.Tensor[], want: Expected) => {
  expect(y.shape).toEqual(want.shape);
  expectClose(arr(y), want.y, 1e-5);
  weighted(y);
  want.grads.forEach((g, i) => {
    if (g === null) expect(grad[i].grad).toBeNull();
    else expectClose(arr(grad[i].grad!), g, 1e-4);
  });
};

describe('values and gradients vs torch 1.13', () => {
  for (const backend of BACKENDS)
    test.each(Object.keys(CASES))(`${backend}: %s`, (name) => {
      wg.setBackend(backend);
      const { d, grad } = CASES[name].make();
      expectCase(CASES[name].call(d), grad, (TORCH as unknown as Record<string, Expected>)[name]);
    });
});

describe('KL pairs torch 1.13 registers', () => {
  const KL: Record<string, () => { p: Dist; q: Dist; grad: wg.Tensor[] }> = {
    kl_bern: () => {
      const [a, b] = [T([0.1, 0.5, 0.85]), T([0.3, 0.6, 0.2])];
      return { p: new D.Bernoulli(a), q: new D.Bernoulli(b), grad: [a, b] };
    },
    kl_bin: () => {
      const [a, b] = [T([0.3, 0.6]), T([0.5, 0.2])];
      return { p: new D.Binomial(wg.tensor([5, 10]), a), q: new D.Binomial(wg.tensor([5, 10]), b), grad: [a, b] };
    },
    kl_cat: () => {
      const [a, b] = [CAT_P(), T([0.2, 0.3, 0.5])];
      return { p: new D.Categorical(a), q: new D.Categorical(b), grad: [a, b] };
    },
    kl_oh: () => {
      const [a, b] = [CAT_P(), T([0.2, 0.3, 0.5])];
      return { p: new D.OneHotCategorical(a), q: new D.OneHotCategorical(b), grad: [a, b] };
    },
    kl_geo: () => {
      const [a, b] = [T([0.3, 0.8]), T([0.5, 0.1])];
      return { p: new D.Geometric(a), q: new D.Geometric(b), grad: [a, b] };
    },
    kl_poi: () => {
      const [a, b] = [T([0.5, 3]), T([2, 1.5])];
      return { p: new D.Poisson(a), q: new D.Poisson(b), grad: [a, b] };
    },
    kl_bern_poi: () => {
      const [a, b] = [T([0.1, 0.5, 0.85]), T([2, 1.5, 0.3])];
      return { p: new D.Bernoulli(a), q: new D.Poisson(b), grad: [a, b] };
    },
  };
  for (const backend of BACKENDS) {
    test.each(Object.keys(KL))(`${backend}: %s`, (name) => {
      wg.setBackend(backend);
      const { p, q, grad } = KL[name]();
      expectCase(D.klDivergence(p, q), grad, (TORCH as unknown as Record<string, Expected>)[name]);
    });

    test(`${backend}: infinite and zero terms, and the pairs torch refuses`, () => {
      wg.setBackend(backend);
      const E = TORCH.edges;
      const bern = (p: number[]) => new D.Bernoulli(wg.tensor(p));
      const kb = arr(D.klDivergence(bern([0, 1, 0.5, 0.5]), bern([0.5, 0.5, 0, 1])));
      expectClose(kb.slice(0, 2), E.kl_bern_edge.slice(0, 2), 1e-6);
      expect(kb.slice(2)).toEqual(E.kl_bern_edge.slice(2));
      expect(arr(D.klDivergence(new D.Categorical(wg.tensor([0, 0.5, 0.5])), new D.Categorical(wg.tensor([0.5, 0.5, 0]))))).toEqual(E.kl_cat_edge);
      const bin = (n: number[]) => new D.Binomial(wg.tensor(n), wg.tensor([0.3, 0.6]));
      expect(arr(D.klDivergence(bin([5, 10]), bin([5, 8])))).toEqual(E.kl_bin_inf);
      expect(() => D.klDivergence(bin([5, 8]), bin([5, 10]))).toThrow('KL between Binomials where q.total_count > p.total_count is not implemented');
      expect(() => D.klDivergence(bin([5, 8]), bin([5, 10]))).toThrow(D.NotImplementedError);
      expect(arr(D.klDivergence(new D.Poisson(wg.tensor([0.5, 3])), bern([0.5, 0.5])))).toEqual(E.kl_poi_bern);
      expect(arr(D.klDivergence(new D.Poisson(wg.tensor([0.5, 3])), bin([5, 10])))).toEqual([Infinity, Infinity]);
      // Bernoulli is an ExponentialFamily, Geometric is not; Bernoulli‖Geometric is registered nowhere
      expect(() => D.klDivergence(bern([0.5]), new D.Geometric(0.5))).toThrow('No KL(p || q) is implemented for p type Bernoulli and q type Geometric');
      // Bernoulli‖Normal falls to ExponentialFamily‖ExponentialFamily, which refuses different families
      expect(() => D.klDivergence(bern([0.5]), new D.Normal(0, 1))).toThrow('The cross KL-divergence between different exponential families');
    });
  }
});

describe('statistics, edge values, shapes, enumerateSupport, expand, toString', () => {
  for (const backend of BACKENDS) {
    test(`${backend}: mean, mode, variance, stddev vs torch`, () => {
      wg.setBackend(backend);
      const stats = (d: Dist, want: { mean: number[]; mode: number[] | string; variance: number[]; stddev: number[] }) => {
        expectClose(arr(d.mean), want.mean, 1e-6);
        if (typeof want.mode === 'string') expect(() => d.mode).toThrow(D.NotImplementedError);
        else expectClose(arr(d.mode), want.mode, 1e-6);
        expectClose(arr(d.variance), want.variance, 1e-6);
        expectClose(arr(d.stddev), want.stddev, 1e-6);
      };
      stats(new D.Bernoulli(wg.tensor([0.1, 0.5, 0.85])), TORCH.bern_stats);
      stats(new D.OneHotCategorical(CAT_P()), TORCH.oh_stats);
      stats(new D.Binomial(wg.tensor([5, 10]), wg.tensor([0.3, 0.6])), TORCH.bin_stats);
      stats(new D.Geometric(wg.tensor([0.3, 0.8])), TORCH.geo_stats);
      stats(new D.Poisson(wg.tensor([0.5, 3.7])), TORCH.poi_stats);
      stats(new D.NegativeBinomial(wg.tensor([2.5, 4]), wg.tensor([0.3, 0.65])), TORCH.nb_stats);
      stats(new D.Multinomial(5, CAT_P()), TORCH.mn_stats);
      const c = new D.Categorical(
        wg.tensor([
          [0.3, 0.7],
          [0.2, 0.8],
          [0.5, 0.5],
        ]),
      );
      expect(c.mode.dtype).toBe('int32');
      expect(arr(c.mode)).toEqual([1, 1, 0]);
      expect(c.mean.shape).toEqual([3]);
      expect(arr(c.mean).every(Number.isNaN) && arr(c.variance).every(Number.isNaN)).toBe(true);
    });

    test(`${backend}: zero probabilities, −∞ logits and empty counts as torch`, () => {
      wg.setBackend(backend);
      const E = TORCH.edges;
      expectClose(arr(new D.Bernoulli(wg.tensor([0, 1, 0, 1])).logProb(wg.tensor([0, 1, 1, 0]))), E.bern_edge, 1e-6);
      expectClose(arr(new D.Bernoulli(wg.tensor([0, 1])).entropy()), E.bern_edge_entropy, 1e-6);
      const c = new D.Categorical(wg.tensor([0, 0.5, 0.5]));
      expectClose(arr(c.entropy()), E.cat_zero_entropy, 1e-6);
      expectClose(arr(c.logProb(wg.tensor([0, 1]))), E.cat_zero_logprob, 1e-6);
      expect(arr(new D.Geometric(wg.tensor([1, 1])).logProb(wg.tensor([0, 2])))).toEqual(E.geo_one);
      expect(arr(new D.Poisson(wg.tensor([0, 0])).logProb(wg.tensor([0, 2])))).toEqual(E.poi_zero);
      expect(arr(new D.NegativeBinomial(wg.tensor([0, 0]), wg.tensor([0.3, 0.3])).logProb(wg.tensor([0, 2])))).toEqual(E.nb_zero);
      expectClose(arr(new D.Multinomial(3, null, wg.tensor([-Infinity, 0, 1])).logProb(wg.tensor([0, 1, 2]))), E.mn_neginf, 1e-6);
      expectClose(arr(new D.Binomial(4, null, wg.tensor([30, -30])).logProb(wg.tensor([4, 0]))), E.bin_logits_big, 1e-6);
    });

    test(`${backend}: shapes over odd batches, broadcasting of values, enumerateSupport, expand`, () => {
      wg.setBackend(backend);
      // a 5×1 batch of Bernoullis against values [7, 1, 1]: broadcast to [7, 5, 1]
      const b = new D.Bernoulli(wg.rand([5, 1]));
      expect(b.batchShape).toEqual([5, 1]);
      expect(b.logProb(wg.ones([7, 1, 1])).shape).toEqual([7, 5, 1]);
      expect(b.enumerateSupport().shape).toEqual([2, 5, 1]);
      expect(b.enumerateSupport(false).shape).toEqual([2, 1, 1]);
      expect(b.paramShape).toEqual([5, 1]);
      const c = new D.Categorical(wg.rand([3, 17]).add(0.1));
      expect(c.batchShape).toEqual([3]);
      expect(c.paramShape).toEqual([3, 17]);
      expect(c.logProb(wg.tensor([[16], [0]], { dtype: 'int32' })).shape).toEqual([2, 3]);
      expect(arr(c.enumerateSupport(false))).toEqual(Array.from({ length: 17 }, (_, i) => i));
      expect(c.enumerateSupport().shape).toEqual([17, 3]);
      expect(c.enumerateSupport().dtype).toBe('int32');
      const o = new D.OneHotCategorical(wg.rand([1, 7]).add(0.1));
      expect([o.batchShape, o.eventShape]).toEqual([[1], [7]]);
      expect(o.enumerateSupport().shape).toEqual([7, 1, 7]);
      expectClose(arr(o.logProb(o.enumerateSupport()).exp().sum(0)), [1], 1e-6);
      const bin = new D.Binomial(3, wg.tensor([[0.3], [0.2]]));
      expect(bin.enumerateSupport().shape).toEqual([4, 2, 1]);
      expect(arr(bin.enumerateSupport(false))).toEqual([0, 1, 2, 3]);
      expectClose(arr(bin.logProb(bin.enumerateSupport()).exp().sum(0)), [1, 1], 1e-6);
      expect(() => new D.Binomial(wg.tensor([2, 3]), wg.tensor([0.3, 0.3])).entropy()).toThrow('Inhomogeneous total count not supported by `entropy`.');
      expect(() => new D.Binomial(wg.tensor([2, 3]), 0.3).enumerateSupport()).toThrow(D.NotImplementedError);
      const m = new D.Multinomial(3, wg.tensor([[0.3, 0.7]]));
      const me = m.expand([4, 1]);
      expect([me.batchShape, me.eventShape]).toEqual([[4, 1], [2]]);
      expectClose(arr(me.entropy()), arr(m.entropy().expand([4, 1])), 1e-6);
      for (const [d, shape] of [
        [new D.Bernoulli(null, wg.tensor([0.3])), [5, 1]],
        [new D.Categorical(wg.tensor([[0.2, 0.8]])), [5, 1]],
        [new D.OneHotCategorical(wg.tensor([0.2, 0.8])), [5]],
        [new D.Binomial(4, wg.tensor([0.3])), [5, 1]],
        [new D.Geometric(null, wg.tensor([0.3])), [5, 1]],
        [new D.Poisson(wg.tensor([0.3])), [5, 1]],
        [new D.NegativeBinomial(2, wg.tensor([0.3])), [5, 1]],
      ] as [Dist, number[]][]) {
        const e = d.expand(shape);
        expect(e.constructor).toBe(d.constructor);
        expect(e.batchShape).toEqual(shape);
        expect(e.logProb(e.sample()).shape).toEqual([...shape]);
        expectClose(arr(e.mean), arr(d.mean.expand([...shape, ...d.eventShape])), 1e-6);
      }
      expect(() => new D.Poisson(wg.tensor([1, 2])).expand([3])).toThrow(wg.ShapeError);
      // an expanded Bernoulli given logits keeps the logits (its probs computed from them)
      const bl = new D.Bernoulli(null, wg.tensor([0.3])).expand([2]);
      expect(String(bl)).toBe('Bernoulli(logits: torch.Size([2]))');
    });
  }

  test('toString as torch 1.13 (parameters under their camelCase names)', () => {
    expect(String(new D.Bernoulli(0.3))).toBe('Bernoulli(probs: 0.30000001192092896)');
    expect(String(new D.Bernoulli(null, wg.tensor([0.3])))).toBe('Bernoulli(logits: tensor([0.3000]))');
    expect(String(new D.Categorical(wg.tensor([1, 1])))).toBe('Categorical(probs: torch.Size([2]))');
    expect(String(new D.OneHotCategorical(wg.tensor([1, 1])))).toBe('OneHotCategorical()');
    expect(String(new D.Binomial(5, wg.tensor([0.3, 0.2])))).toBe('Binomial(totalCount: torch.Size([2]), probs: torch.Size([2]))');
    expect(String(new D.Geometric(0.5))).toBe('Geometric(probs: 0.5)');
    expect(String(new D.Poisson(2))).toBe('Poisson(rate: 2.0)');
    expect(String(new D.NegativeBinomial(3, 0.5))).toBe('NegativeBinomial(totalCount: 3.0, probs: 0.5)');
    expect(String(new D.Multinomial(3, wg.tensor([1, 1])))).toBe('Multinomial()');
    expect(String(new D.Multinomial(3, wg.tensor([1, 1])).support)).toBe('Multinomial()');
    expect(String(new D.Categorical(wg.tensor([1, 1, 1])).support)).toBe('IntegerInterval(lower_bound=0, upper_bound=2)');
    // the lazily computed other parameter is printed once it has been read, as torch's __dict__
    const g = new D.Geometric(null, wg.tensor([0.2]));
    expectClose(arr(g.probs), [0.549833953], 1e-6);
    expect(String(g)).toBe('Geometric(probs: tensor([0.5498]), logits: tensor([0.2000]))');
  });

  test('validation errors as torch 1.13', () => {
    const t = wg.tensor;
    const cases: [() => unknown, string][] = [
      [
        () => new D.Bernoulli(t([0.3, 1.2])),
        'Expected parameter probs (Tensor of shape (2,)) of distribution Bernoulli(probs: torch.Size([2])) to satisfy the constraint Interval(lower_bound=0.0, upper_bound=1.0), but found invalid values:\ntensor([0.3000, 1.2000])',
      ],
      [
        () => new D.Categorical(t([[0.3, -1.2]])),
        'Expected parameter probs (Tensor of shape (1, 2)) of distribution Categorical(probs: torch.Size([1, 2])) to satisfy the constraint Simplex(), but found invalid values:\ntensor([[-0.3333,  1.3333]])',
      ],
      [
        () => new D.Binomial(t([2.5]), t([0.3])),
        'Expected parameter totalCount (Tensor of shape (1,)) of distribution Binomial(totalCount: tensor([2.5000]), probs: tensor([0.3000])) to satisfy the constraint IntegerGreaterThan(lower_bound=0), but found invalid values:\ntensor([2.5000])',
      ],
      [
        () => new D.NegativeBinomial(t([2]), t([1])),
        'Expected parameter probs (Tensor of shape (1,)) of distribution NegativeBinomial(totalCount: tensor([2.]), probs: tensor([1.])) to satisfy the constraint HalfOpenInterval(lower_bound=0.0, upper_bound=1.0), but found invalid values:\ntensor([1.])',
      ],
      [
        () => new D.Poisson(t([-1])),
        'Expected parameter rate (Tensor of shape (1,)) of distribution Poisson(rate: tensor([-1.])) to satisfy the constraint GreaterThanEq(lower_bound=0.0), but found invalid values:\ntensor([-1.])',
      ],
      [
        () => new D.Geometric(t([0.3, 0, 0.5])),
        'Expected parameter probs (Tensor of shape (3,)) of distribution Geometric(probs: torch.Size([3])) to be positive but found invalid values:\ntensor([0.])',
      ],
      [
        () => new D.Bernoulli(t([0.3])).logProb(t([0.5])),
        'Expected value argument (Tensor of shape (1,)) to be within the support (Boolean()) of the distribution Bernoulli(probs: tensor([0.3000])), but found invalid values:\ntensor([0.5000])',
      ],
      [
        () => new D.Categorical(t([0.3, 0.7])).logProb(t([2])),
        'Expected value argument (Tensor of shape (1,)) to be within the support (IntegerInterval(lower_bound=0, upper_bound=1)) of the distribution Categorical(probs: torch.Size([2])), but found invalid values:\ntensor([2.])',
      ],
      [
        () => new D.Binomial(3, t([0.3])).logProb(t([4])),
        'Expected value argument (Tensor of shape (1,)) to be within the support (IntegerInterval(lower_bound=0, upper_bound=tensor([3.]))) of the distribution Binomial(totalCount: tensor([3.]), probs: tensor([0.3000])), but found invalid values:\ntensor([4.])',
      ],
      [
        () => new D.Multinomial(3, t([0.3, 0.7])).logProb(t([2, 2])),
        'Expected value argument (Tensor of shape (2,)) to be within the support (Multinomial()) of the distribution Multinomial(), but found invalid values:\ntensor([2., 2.])',
      ],
      [
        () => new D.OneHotCategorical(t([0.3, 0.7])).logProb(t([1, 1])),
        'Expected value argument (Tensor of shape (2,)) to be within the support (OneHot()) of the distribution OneHotCategorical(), but found invalid values:\ntensor([1., 1.])',
      ],
      [() => new D.Categorical(t(1)), '`probs` parameter must be at least one-dimensional'],
      [() => new D.Bernoulli(), 'Either `probs` or `logits` must be specified, but not both.'],
      [() => new D.Bernoulli(0.3, 0.2), 'Either `probs` or `logits` must be specified, but not both.'],
      [() => new D.Bernoulli(0.3, { logits: 0.2 }), 'Either `probs` or `logits` must be specified, but not both.'],
      [() => new D.Bernoulli({ probs: 0.3, logit: 1 } as never), "unknown option 'logit'"],
      [() => new D.Bernoulli('0.3' as never), 'probs must be a Tensor or a number'],
      [() => new D.Multinomial(2.5, t([0.3, 0.7])), 'inhomogeneous total_count is not supported'],
      [
        () => new D.Categorical(wg.ones([3, 2])).logProb(t([0, 1])),
        'Value is not broadcastable with batch_shape+event_shape: torch.Size([2]) vs torch.Size([3]).',
      ],
    ];
    for (const [f, message] of cases) {
      expect(f).toThrow(message);
      expect(f).toThrow(wg.WasmgradError);
    }
    expect(() => new D.Multinomial(2.5, t([0.3, 0.7]))).toThrow(D.NotImplementedError);
    expect(() => new D.Bernoulli(t([0.3, 1.2]))).toThrow(wg.ValueError);
    // validateArgs: false takes what torch would refuse, and logProb then checks nothing
    expect(new D.Bernoulli(t([1.2]), { validateArgs: false }).validateArgs).toBe(false);
    expect(new D.Bernoulli({ probs: t([1.2]), validateArgs: false }).logProb(t([0.5])).shape).toEqual([1]);
    expect(() => new D.Geometric(t([0]), { validateArgs: false })).not.toThrow();
    expect(() => new D.Binomial(t([2.5]), null, t([0.3]), { validateArgs: false })).not.toThrow();
    D.Distribution.setDefaultValidateArgs(false);
    expect(new D.Poisson(-1).validateArgs).toBe(false);
  });
});

describe('samples (seeded stream): shapes, dtypes, support, statistics of many draws', () => {
  /** |mean − μ| < 5σ/√N, |var − σ²| < 5·√(μ4 − σ⁴)/√N with the moments estimated from the draws. */
  const checkMoments = (x: wg.Tensor, mean: number[], variance: number[]) => {
    const n = x.shape[0];
    const m = arr(x.mean(0)),
      v = arr(x.var(0));
    const m4 = arr(x.sub(x.mean(0)).pow(4).mean(0));
    mean.forEach((mu, i) => {
      expect(Math.abs(m[i] - mu), `mean ${i}`).toBeLessThan((5 * Math.sqrt(variance[i])) / Math.sqrt(n));
      expect(Math.abs(v[i] - variance[i]), `variance ${i}`).toBeLessThan((5 * Math.sqrt(m4[i] - variance[i] ** 2)) / Math.sqrt(n) + 1e-6);
    });
  };
  const N = 20000;
  for (const backend of BACKENDS)
    test(`${backend}: every discrete distribution`, () => {
      wg.setBackend(backend);
      wg.manualSeed(5);
      const bern = new D.Bernoulli(wg.tensor([0.1, 0.5, 0.85], { requiresGrad: true }));
      const bs = bern.sample([N]);
      expect(bs.shape).toEqual([N, 3]);
      expect(bs.requiresGrad).toBe(false);
      checkMoments(bs, [0.1, 0.5, 0.85], arr(bern.variance));
      expect(() => bern.rsample()).toThrow(D.NotImplementedError);

      const probs = wg.tensor([
        [0.1, 0.2, 0.7],
        [0.5, 0.25, 0.25],
      ]);
      const cs = new D.Categorical(probs).sample([N]);
      expect([cs.shape, cs.dtype]).toEqual([[N, 2], 'int32']);
      const freq = arr(wg.oneHot(cs, 3).float().mean(0));
      arr(probs).forEach((p, i) => expect(Math.abs(freq[i] - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N)));
      const os = new D.OneHotCategorical(probs).sample([N]);
      expect([os.shape, os.dtype]).toEqual([[N, 2, 3], 'float32']);
      checkMoments(os.reshape([N, 6]), arr(probs), arr(probs.mul(probs.neg().add(1))));

      const bin = new D.Binomial(wg.tensor([5, 40]), wg.tensor([0.3, 0.6]));
      checkMoments(bin.sample([N]), arr(bin.mean), arr(bin.variance));
      const geo = new D.Geometric(wg.tensor([0.3, 0.8]));
      checkMoments(geo.sample([N]), arr(geo.mean), arr(geo.variance));
      const poi = new D.Poisson(wg.tensor([0.5, 12]));
      checkMoments(poi.sample([N]), arr(poi.mean), arr(poi.variance));
      const nb = new D.NegativeBinomial(wg.tensor([0.5, 4]), wg.tensor([0.3, 0.7]));
      const ns = nb.sample([N]);
      expect(arr(ns).every((k) => Number.isInteger(k) && k >= 0)).toBe(true);
      checkMoments(ns, arr(nb.mean), arr(nb.variance));
      const mn = new D.Multinomial(7, probs);
      const ms = mn.sample([N]);
      expect(ms.shape).toEqual([N, 2, 3]);
      expect(arr(ms.sum(-1)).every((k) => k === 7)).toBe(true);
      checkMoments(ms.reshape([N, 6]), arr(mn.mean), arr(mn.variance));
      expect(new D.Multinomial(0, probs).sample([2]).shape).toEqual([2, 2, 3]);
      expect(new D.Categorical(probs).sample([0, 3]).shape).toEqual([0, 3, 2]);
      expect(new D.Poisson(wg.tensor([1, 2])).sampleN(4).shape).toEqual([4, 2]);
    });

  test('the same seed gives the same samples on both backends', () => {
    const draw = () => {
      wg.manualSeed(11);
      const probs = wg.tensor([0.2, 0.3, 0.5]);
      return [new D.Categorical(probs).sample([5]), new D.Binomial(9, probs).sample([3]), new D.NegativeBinomial(2.5, probs).sample([3])].flatMap(arr);
    };
    const a = draw();
    wg.setBackend('reference');
    expect(draw()).toEqual(a);
  });
});
