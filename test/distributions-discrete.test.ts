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
  nb_stats: { mean: [1.07142854, 9.33333302], mode: [0, 7], variance: [1.53061223, 31.1111088], stddev: [1.23717916, 5.57773352] },
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
