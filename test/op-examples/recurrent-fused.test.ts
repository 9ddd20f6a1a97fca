/**
 * The fused recurrence ops (src/ops/recurrent.ts): values and gradients against PyTorch 1.13, the
 * modules' fused path against the former composite cells (test/helpers/composite-cells.ts) on
 * random shapes for each cell type and both directions, saturated gates, and every error path.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { apply } from '../../src/engine/engine.js';
import { op } from '../../src/ops/index.js';
import { compositeLayer, type CellKind } from '../helpers/composite-cells.js';
import { expectClose } from '../helpers/expect.js';
import { initWasm } from '../helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

/** A tensor of `shape` whose element j (row-major) is f(j). */
const fill = (shape: readonly number[], f: (j: number) => number) =>
  wg.tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, j) => f(j)),
    { shape, requiresGrad: true },
  );
const data = (t: wg.Tensor) => Array.from(t.data());

// PyTorch 1.13 in float64 (torch.nn.LSTM / GRU / RNN(nonlinearity='relu') with weight_ih = I and
// zero biases, so their input is xp; the GRU's bias_hh = [0, 0, b_hn]; the reverse cases ran on
// xp flipped in time, their output flipped back): L 3, N 2, H 2, xp_j = sin(0.7j + 0.3),
// W_hh_j = 0.5·cos(0.9j + 0.1), h0_j = 0.3·sin(1.3j), extra_j (c0 or b_hn) = 0.4·cos(0.6j + 0.2);
// loss = Σ out·cos(0.37j) (+ Σ cn·sin(0.23j + 0.5) for the LSTM).
const TORCH = {
  lstm: {
    out: [
      0.08046118169, -0.0681302737, 0.09809069495, -0.02686642112, 0.1840652768, 0.02711828377, 0.2042431696, 0.08105493175, 0.1778923013, 0.1363112185,
      -0.04004004013, 0.09666191357,
    ],
    gxp: [
      -0.0004607307904, -0.02972614695, 0.01999349768, 0.0127182737, 0.1519251626, 0.08766414903, 0.05733542337, -0.04482648775, 0.01259779743,
      -0.0005159675488, 0.00120462518, 0.001891003832, 0.02066262592, -0.03342660253, 0.04770975779, -0.008877760827, -0.005288245088, -0.0124566526,
      -0.002248641137, 0.004272079198, -0.003993263759, -0.02566571493, 0.004699576112, -0.005303527977, -0.04841538862, -0.04741983992, -0.02476001984,
      0.007244221255, -0.04592848228, -0.04128444439, -0.04745359081, -0.03748357077, -0.01713870915, 0.00413315812, -0.01526355714, 0.0006242666455,
      -0.06029490949, 0.004962279847, -0.04768643061, -0.04376310738, -0.01434104122, 0.02548811559, 0.01336578752, 0.01712640791, 0.1061312911, 0.1486462768,
      0.009792396481, -0.01447040157,
    ],
    gw: [
      -0.009310043969, -0.002698630594, 0.0002330277759, -0.004185703995, -0.002502980158, 0.007018774552, 0.004959629408, 0.004205693127, 0.008947416225,
      0.04812666992, 0.01998921871, 0.04727861811, -0.003675674533, 0.007185130507, -0.01648721616, -0.01211742928,
    ],
    gh0: [-0.0259234043, -0.03428262916, 0.02110893844, 0.02995207188],
    gextra: [0.18627236, 0.1491538419, 0.05701111829, -0.04049140543],
    cn: [0.2495978286, 0.205331327, -0.05632459715, 0.129581105],
  },
  gru: {
    out: [
      -0.1101540156, -0.1632741944, 0.3506924952, 0.2600240307, -0.222895383, -0.08331595186, -0.1668595346, -0.2178832803, 0.4398380633, 0.4730220585,
      -0.284108622, -0.1826502436,
    ],
    gxp: [
      0.02060075956, 0.02642291576, -0.08439174017, 0.04736137902, 0.2386754317, 0.3088739127, 0.01376578378, 0.00686708876, -0.1634969501, -0.1139020767,
      0.1926610988, 0.07026223561, 0.03577168468, -0.003834461459, 0.1655098582, 0.04437078688, 0.4274801424, 0.1218305706, -0.0051875775, -0.02348395731,
      0.02227468329, -0.01463192816, -0.05986050812, -0.2427990752, -0.01303005748, -0.004525204512, 0.1288795666, 0.1086481902, -0.1853224774, -0.1464469643,
      -0.05143123786, -0.04869863442, -0.141618965, 0.005796102012, -0.4893217331, -0.6678596004,
    ],
    gw: [
      0.002364955439, 0.01999783611, -0.009581196371, 0.007517783939, 0.09065922893, 0.1833508753, 0.03301840227, 0.07474303298, 0.06036371696, 0.1840767841,
      -0.03269433178, 0.09374456041,
    ],
    gh0: [-0.3103339048, -0.5197582857, -0.1999464597, -0.02569368225],
    gextra: [0.0819711281, -0.2649663703],
  },
  rnn_relu: {
    out: [0.3397749828, 0.8270920426, 0.9916648105, 0.6754631806, 0.08895395155, 0, 0, 0, 0, 0.1753584562, 0.8716352762, 1.06156411],
    gxp: [1, 0.9323273456, 0.7384685587, 0.4446615167, 0.4374678552, 0, 0, 0, 0, -0.8641213309, -0.8481000317, -0.5991099264],
    gw: [-0.04220506739, 0.2517020382, -0.009718395151, -0.1261750946],
    gh0: [0.1396807054, 0.4070972115, -0.3250885378, 0.05313217722],
  },
};

const CELLS = [
  { name: 'lstmSequence', torch: TORCH.lstm, G: 4, attrs: {}, extra: (N: number, H: number) => [N, H] },
  { name: 'gruSequence', torch: TORCH.gru, G: 3, attrs: { reverse: true }, extra: (_: number, H: number) => [H] },
  { name: 'rnnSequence', torch: TORCH.rnn_relu, G: 1, attrs: { nonlinearity: 'relu', reverse: true }, extra: null },
] as const;

for (const be of ['wasm', 'reference'] as const) {
  describe(`${be}: against PyTorch`, () => {
    beforeEach(() => wg.setBackend(be));
    for (const c of CELLS)
      test(`${c.name} ${JSON.stringify(c.attrs)}: values and every gradient`, () => {
        const [L, N, H] = [3, 2, 2];
        const xp = fill([L, N, c.G * H], (j) => Math.sin(0.7 * j + 0.3));
        const w = fill([c.G * H, H], (j) => 0.5 * Math.cos(0.9 * j + 0.1));
        const h0 = fill([N, H], (j) => 0.3 * Math.sin(1.3 * j));
        const extra = c.extra ? [fill(c.extra(N, H), (j) => 0.4 * Math.cos(0.6 * j + 0.2))] : [];
        const y = apply(op(c.name), [xp, w, h0, ...extra], c.attrs);
        expect(y.shape).toEqual(c.name === 'lstmSequence' ? [L + 1, N, H] : [L, N, H]);
        const out = wg.narrow(y, 0, 0, L);
        expectClose(data(out), c.torch.out, 1e-5);
        // The LSTM's row L is cn, weighted as the PyTorch loss weighted it.
        const weights = Array.from({ length: y.size }, (_, j) => (j < L * N * H ? Math.cos(0.37 * j) : Math.sin(0.23 * (j - L * N * H) + 0.5)));
        if ('cn' in c.torch) expectClose(data(wg.narrow(y, 0, L, 1)), c.torch.cn, 1e-5);
        y.backward(wg.tensor(weights, { shape: y.shape }));
        expectClose(data(xp.grad!), c.torch.gxp, 1e-5);
        expectClose(data(w.grad!), c.torch.gw, 1e-5);
        expectClose(data(h0.grad!), c.torch.gh0, 1e-5);
        if ('gextra' in c.torch) expectClose(data(extra[0].grad!), c.torch.gextra, 1e-5);
      });
  });
}

/** Seeded uniform draws in [-1, 1). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

describe('the fused modules agree with the composite cells', () => {
  const kinds: { kind: CellKind; make: (i: number, h: number) => wg.nn.RNN | wg.nn.GRU | wg.nn.LSTM }[] = [
    { kind: 'rnnTanh', make: (i, h) => new wg.nn.RNN(i, h, { bidirectional: true }) },
    { kind: 'rnnRelu', make: (i, h) => new wg.nn.RNN(i, h, { bidirectional: true, nonlinearity: 'relu' }) },
    { kind: 'gru', make: (i, h) => new wg.nn.GRU(i, h, { bidirectional: true }) },
    { kind: 'lstm', make: (i, h) => new wg.nn.LSTM(i, h, { bidirectional: true }) },
  ];
  for (const be of ['wasm', 'reference'] as const)
    for (const { kind, make } of kinds)
      test(`${be} ${kind}: out, hn (cn) and every gradient, both directions, random shapes`, () => {
        wg.setBackend(be);
        const u = rng(kind.length * 7 + (be === 'wasm' ? 1 : 2));
        for (let trial = 0; trial < 3; trial++) {
          // L in [1, 7], N in [1, 4], in in [1, 9], H in [1, 20]: SIMD tails and GEMM edges.
          const [L, N, I, H] = [7, 4, 9, 20].map((m) => 1 + Math.floor(((u() + 1) / 2) * m));
          const m = make(I, H);
          const x = wg.tensor(Array.from({ length: L * N * I }, u), { shape: [L, N, I], requiresGrad: true });
          const states = Array.from({ length: kind === 'lstm' ? 2 : 1 }, () =>
            wg.tensor(Array.from({ length: 2 * N * H }, u), { shape: [2, N, H], requiresGrad: true }),
          );
          const gOut = wg.tensor(Array.from({ length: L * N * 2 * H }, u), { shape: [L, N, 2 * H] });
          const gState = states.map(() => wg.tensor(Array.from({ length: 2 * N * H }, u), { shape: [2, N, H] }));
          const loss = (out: wg.Tensor, finals: wg.Tensor[]) => finals.reduce((s, f, k) => s.add(f.mul(gState[k]).sum()), out.mul(gOut).sum());
          const grads = () => [x, ...states, ...m.parameters()].map((t) => data(t.grad!));

          const [out, hn] = kind === 'lstm' ? (m as wg.nn.LSTM).forward(x, states as [wg.Tensor, wg.Tensor]) : (m as wg.nn.GRU).forward(x, states[0]);
          const finals = Array.isArray(hn) ? hn : [hn];
          loss(out, finals).backward();
          const fused = { out: data(out), finals: finals.map(data), grads: grads() };

          for (const t of [x, ...states, ...m.parameters()]) t.grad = null;
          const p = Object.fromEntries(m.namedParameters());
          const layer = (sfx: string, dir: number) =>
            compositeLayer(
              kind,
              x,
              { wIh: p[`weight_ih_l0${sfx}`], wHh: p[`weight_hh_l0${sfx}`], bIh: p[`bias_ih_l0${sfx}`], bHh: p[`bias_hh_l0${sfx}`] },
              states.map((s) => wg.unbind(s, 0)[dir]),
              dir === 1,
            );
          const [fOut, fState] = layer('', 0),
            [rOut, rState] = layer('_reverse', 1);
          const cOut = wg.cat([fOut, rOut], 2);
          const cFinals = fState.map((s, k) => wg.stack([s, rState[k]], 0));
          loss(cOut, cFinals).backward();
          const label = `L ${L}, N ${N}, in ${I}, H ${H}`;
          expectClose(fused.out, data(cOut), 1e-5);
          fused.finals.forEach((f, k) => expectClose(f, data(cFinals[k]), 1e-5));
          grads().forEach((g, k) => {
            expect(g.length, label).toBe(fused.grads[k].length);
            expectClose(fused.grads[k], g, 2e-5);
          });
        }
      });
});

describe('saturated gates stay finite', () => {
  for (const c of CELLS)
    for (const be of ['wasm', 'reference'] as const)
      test(`${be} ${c.name}: |xp| ~ 50`, () => {
        wg.setBackend(be);
        const [L, N, H] = [4, 3, 9];
        const u = rng(3);
        const xp = fill([L, N, c.G * H], () => 50 * Math.sign(u()) + u());
        const w = fill([c.G * H, H], () => 5 * u());
        const h0 = fill([N, H], u);
        const extra = c.extra ? [fill(c.extra(N, H), () => 50 * u())] : [];
        const y = apply(op(c.name), [xp, w, h0, ...extra], c.attrs);
        y.sum().backward();
        for (const t of [y, xp.grad!, w.grad!, h0.grad!, ...extra.map((e) => e.grad!)]) expect(data(t).every(Number.isFinite)).toBe(true);
        // Saturated sigmoid and tanh gates are exact 0, 1 and ±1: |h| ≤ 1 for the LSTM and GRU.
        if (c.name !== 'rnnSequence') expect(data(wg.narrow(y, 0, 0, L)).every((v) => Math.abs(v) <= 1)).toBe(true);
      });
});

describe('errors', () => {
  const t = (shape: number[], dtype: 'float32' | 'int32' = 'float32') => wg.zeros(shape, { dtype });
  const run =
    (name: 'rnnSequence' | 'gruSequence' | 'lstmSequence', ins: wg.Tensor[], attrs: object = {}) =>
    () =>
      apply(op(name), ins, attrs);
  test('weight_hh must be [G·H, H] with H ≥ 1', () => {
    expect(run('lstmSequence', [t([2, 1, 8]), t([6, 2]), t([1, 2]), t([1, 2])])).toThrow(
      new wg.ShapeError(
        'lstmSequence',
        'lstmSequence expects xp [L, N, 4·H], weight_hh [4·H, H], h0 [N, H], c0 [N, H]: weight_hh must be [4·H, H] with H ≥ 1, got [2, 1, 8], [6, 2], [1, 2], [1, 2]',
      ),
    );
    expect(run('rnnSequence', [t([2, 1, 0]), t([0, 0]), t([1, 0])])).toThrow(/weight_hh must be \[1·H, H\] with H ≥ 1, got \[2, 1, 0\], \[0, 0\], \[1, 0\]/);
  });
  test('xp must be [L, N, G·H]', () => {
    expect(run('gruSequence', [t([2, 1, 5]), t([6, 2]), t([1, 2]), t([2])])).toThrow(
      new wg.ShapeError(
        'gruSequence',
        'gruSequence expects xp [L, N, 3·H], weight_hh [3·H, H], h0 [N, H], b_hn [H]: xp must be [L, N, 6] for H = 2, got [2, 1, 5], [6, 2], [1, 2], [2]',
      ),
    );
    expect(run('rnnSequence', [t([2, 2]), t([2, 2]), t([1, 2])])).toThrow(/xp must be \[L, N, 2\] for H = 2, got \[2, 2\], \[2, 2\], \[1, 2\]/);
  });
  test('h0, b_hn and c0 must fit', () => {
    expect(run('rnnSequence', [t([2, 3, 2]), t([2, 2]), t([1, 2])])).toThrow(/h0 must be \[3, 2\], got \[2, 3, 2\], \[2, 2\], \[1, 2\]/);
    expect(run('gruSequence', [t([2, 1, 6]), t([6, 2]), t([1, 2]), t([6])])).toThrow(/b_hn must be \[2\], got \[2, 1, 6\], \[6, 2\], \[1, 2\], \[6\]/);
    expect(run('lstmSequence', [t([2, 1, 8]), t([8, 2]), t([1, 2]), t([2])])).toThrow(/c0 must be \[1, 2\], got \[2, 1, 8\], \[8, 2\], \[1, 2\], \[2\]/);
  });
  test('attributes', () => {
    expect(run('rnnSequence', [t([2, 1, 2]), t([2, 2]), t([1, 2])], { nonlinearity: 'sigmoid' })).toThrow(
      new wg.ValueError('rnnSequence', "nonlinearity must be 'tanh' or 'relu', got \"sigmoid\""),
    );
    expect(run('lstmSequence', [t([2, 1, 8]), t([8, 2]), t([1, 2]), t([1, 2])], { reverse: 1 })).toThrow(
      new wg.ValueError('lstmSequence', 'reverse must be a boolean, got 1'),
    );
  });
  test('float32 inputs only', () => {
    expect(run('rnnSequence', [t([2, 1, 2], 'int32'), t([2, 2]), t([1, 2])])).toThrow(wg.DTypeError);
  });
});
