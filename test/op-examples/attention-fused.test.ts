/**
 * The fused attention op (src/ops/attention.ts) behind wg.scaledDotProductAttention and
 * nn.MultiheadAttention without weights: values and gradients against PyTorch 1.13 (float64,
 * softmax(q·kᵀ·scale + mask)·v written out, the causal mask explicit as triu(−∞, 1)), fused vs the
 * composite path, causal with L ≠ S, fully masked rows, wg.compile, and every error path.
 * Inputs: element i of a tensor filled with s is 0.5·sin(i·s + 0.5) (test/helpers/sin-fill.ts);
 * the loss is Σ y ⊙ w with w_i = cos(0.7·i), except `causalLong` (Σ y).
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../../src/index.js';
import { causalMask } from '../../src/api/attention.js';
import { apply } from '../../src/engine/engine.js';
import { op } from '../../src/ops/index.js';
import { expectClose } from '../helpers/expect.js';
import { initWasm } from '../helpers/setup.js';
import { sinFilled as filled } from '../helpers/sin-fill.js';

beforeAll(async () => {
  await initWasm();
});

// PyTorch 1.13, float64 (/tmp script: the maths above), 7 significant digits.
const TORCH = {
  mask: {
    y: [
      -0.05035674, 0.02728699, 0.04332518, -0.08129874, 0.03090363, 0.07333522, 0.06989355, -0.08970414, -0.04677778, -0.09317547, 0.01191959, 0.09010393,
      -0.009706543, 0.02081199, 0.004343523, 0.003948607, -0.01431931, -0.0002586788,
    ],
    gq: [
      0.04435815, 0.04831207, -0.01851131, -0.05821558, 0.01645199, -0.04513719, -0.04060028, 0.02341613, -0.06727049, 0.008330253, 0.07172716, 0.03004361,
      0.05994306, 0.02757202, -0.0451921, -0.05174969, -0.01167993, -0.0512057, -0.01571499, 0.04279821, -0.04717373, 0.03162313, 0.06409203, 0.002665958,
    ],
    gk: [
      0.01211457, 0.03205207, 0.02252105, -0.007715725, 0.03576414, 0.0175798, -0.01676732, -0.03569865, 0.01460352, -0.0202849, -0.03652347, -0.01918254,
      -0.01934362, -0.02993976, -0.01300942, 0.01588172, -0.0431386, 0.0005927837, 0.04377917, 0.04671519, -0.0240342, 0.007950647, 0.03262571, 0.02730484,
      0.02199213, 0.03524291, 0.01609153, -0.01785433, 0.03677613, 0.01038794, -0.02555088, -0.03799833, 0.006487108, -0.02281713, -0.0311434, -0.01083658,
      -0.04122117, -0.03076437, 0.007977048, 0.0393844,
    ],
    gv: [
      0.02110254, -0.01198262, -0.03943218, 0.04929407, -0.0105581, -0.06544464, 0.01560075, -0.03717675, -0.07246944, -0.02116123, -0.004779862, 0.01384955,
      -0.05994306, 0.07362955, 0.172573, -0.06946218, -0.07944995, -0.05207117, 0.02322396, 0.02220694, 0.01074565, 0.07134803, 0.04780055, 0.001771719,
      0.03197545, 0.01597632, -0.007536715, -0.05205221, 0.002651651, 0.0561084,
    ],
    gm: [
      0.1965008, 0.07749733, -0.1588134, -0.1567693, 0.04158455, -0.03057012, -0.1592542, -0.06886556, 0.1164292, 0.1422606, -0.1294406, 0.1052534, 0.2093758,
      0.08310229, -0.268291,
    ],
  },
  causal: {
    y: [
      0.2397128, 0.4456037, 0.3795842, 0.405873, 0.2953088, 0.2259957, 0.1243013, 0.05258074, 0.4940841, 0.4510859, 0.3678585, 0.1978501, 0.1312381,
      -0.02363679, -0.02566198, -0.1069113,
    ],
    gq: [
      0.0, 0.0, 0.0, -0.005427581, -0.009857758, -0.003515301, 0.04283469, 0.05623388, 0.008180256, -0.004429832, -0.002470846, 0.002188299, 0.0, 0.0, 0.0,
      0.03215096, 0.01576325, -0.01785066, 0.005878511, -0.014168, -0.01873161, -0.02866167, -0.01069165, 0.01896228,
    ],
    gk: [
      0.01040827, 0.005883116, -0.002210661, 0.01959253, -0.002290189, -0.02278371, -0.03800338, -0.01005939, 0.02398649, 0.008002576, 0.006466464, 0.001007881,
      0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.003508901, 0.03699447, 0.05505749, 0.01991932, 0.00364598, -0.01483896, 0.02021046, -0.01568451, -0.04206546,
      -0.03662088, -0.02495594, 0.00184694, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    ],
    gv: [
      0.62715, 0.2848384, -0.3504927, -0.5770361, -0.438956, -0.2358767, -0.1002173, 0.03812617, 0.0, 0.0, 0.0, 0.0, 0.757447, 0.6331646, -0.02351767,
      -0.3180211, -0.3900249, -0.450163, -0.2641512, -0.1350066, 0.0, 0.0, 0.0, 0.0,
    ],
  },
  causalLong: {
    y: [
      0.2397128, 0.3377316, -0.458083, 0.10757, 0.4068966, -0.3706608, -0.02068225, 0.4291336, -0.2567866, -0.06835538, 0.4381162, -0.2149214, -0.08902564,
      0.4411282, -0.1961986, -0.4744222, 0.3027699, 0.2786575, -0.4788529, 0.1628265, 0.3735726, -0.4401103, 0.04489035, 0.4110851, -0.4352549, 0.03475543,
      0.4127827, -0.4248806, 0.01812413, 0.4131619,
    ],
    gq: [
      0.0, 0.0, 0.001220079, -0.004782745, -0.001373612, -0.005617851, -0.001675767, -0.005210611, -0.001805558, -0.005026127, 0.0, 0.0, -0.01143429,
      -0.002017168, -0.003688559, 0.01264438, -0.003204587, 0.01383148, -0.002799095, 0.01615093,
    ],
    gk: [
      -0.00248431, 0.001141847, 0.003818245, 0.001555907, -0.001333936, -0.002697754, 0.01897088, 0.01374344, -0.002446107, -0.006445727, -0.01652477,
      -0.007297712,
    ],
    gv: [
      2.42369, 2.42369, 2.42369, 1.437205, 1.437205, 1.437205, 1.139105, 1.139105, 1.139105, 2.436397, 2.436397, 2.436397, 1.634339, 1.634339, 1.634339,
      0.9292635, 0.9292635, 0.9292635,
    ],
  },
};

const vals = (t: wg.Tensor) => Array.from(t.data());
const grad = (t: wg.Tensor) => vals(t.grad!);
const weights = (shape: readonly number[]) =>
  wg.tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(0.7 * i)),
    { shape: [...shape] },
  );
const SDPA = 'wasmgrad.scaledDotProductAttention: ';

/** The composite path written out: softmax(q·kᵀ·scale + mask)·v from matmul, add and softmax. */
function composite(q: wg.Tensor, k: wg.Tensor, v: wg.Tensor, o: { attnMask?: wg.Tensor; isCausal?: boolean; scale?: number } = {}): wg.Tensor {
  let s = wg.matmul(q, k, { transposeB: true }).mul(o.scale ?? 1 / Math.sqrt(q.shape[q.ndim - 1]));
  if (o.isCausal) s = s.add(causalMask(q.shape[q.ndim - 2], k.shape[k.ndim - 2]));
  if (o.attnMask) s = s.add(o.attnMask);
  return wg.matmul(s.softmax(-1), v);
}

for (const be of ['wasm', 'reference'] as const) {
  describe(`fused attention (${be})`, () => {
    beforeEach(() => wg.setBackend(be));
    const TOL = be === 'wasm' ? 2e-5 : 1e-6;

    test('values and gradients of q, k, v and a float mask [L, S] that requires grad (PyTorch gives it one)', () => {
      const q = filled([2, 3, 4], 1.0),
        k = filled([2, 5, 4], 1.3),
        v = filled([2, 5, 3], 1.7),
        m = filled([3, 5], 0.45);
      const y = wg.scaledDotProductAttention(q, k, v, { attnMask: m });
      y.mul(weights(y.shape)).sum().backward();
      expectClose(vals(y), TORCH.mask.y, TOL);
      expectClose(grad(q), TORCH.mask.gq, TOL);
      expectClose(grad(k), TORCH.mask.gk, TOL);
      expectClose(grad(v), TORCH.mask.gv, TOL);
      expectClose(grad(m), TORCH.mask.gm, TOL);
    });

    test('a saturated softmax (scores ~30 apart) keeps the small gradients of q and k (PyTorch float64)', () => {
      // dS = P ⊙ (dP − d) with d = Σ_j P·dP: the kernel summed d as Σ_c dO·O before, whose rounding of
      // O left dK 1.6% (of its largest element) off here; now ~1e-6, as PyTorch's float32.
      const t = (data: number[], shape: number[]) => wg.tensor(data, { shape, requiresGrad: true });
      const q = t([0.5, -0.75, 2, 2, -0.5, 2, 1.5, 1.5], [1, 2, 4]),
        k = t([1.25, -0.5, -0.5, 0, 0.25, -0.25, 1.25, 1.75, -1.25, 0.25, -2, 0, 0, 0.25, -1.75, 1.75], [1, 4, 4]),
        v = t([-1.5, 1.5, -1.5, -1.75, -1.5, 1, 2, 1.75, -0.75, -1.75, 1.25, 1.5], [1, 4, 3]);
      const y = wg.scaledDotProductAttention(q, k, v, { scale: 4 });
      y.backward(wg.tensor([-0.75, 0.5, 0, -0.5, 0.75, 0.25], { shape: [1, 2, 3] }));
      expectClose(vals(y), [-1.75, -1.5, 1, -1.75, -1.499996, 1.000001], TOL);
      const gk = [
        -1.327184e-11, 1.24067e-10, 2.385585e-10, 2.385585e-10, 5.997954e-6, -2.399192e-5, -1.799416e-5, -1.799416e-5, -2.565405e-11, 1.026162e-10,
        7.696214e-11, 7.696214e-11, -5.997916e-6, 2.39917e-5, 1.799384e-5, 1.799384e-5,
      ];
      const gq = [4.97587e-11, -1.459353e-13, -1.836714e-10, -9.937142e-11, -2.998958e-6, 5.997934e-6, -3.598789e-5, -2.356121e-10];
      for (const [got, want] of [
        [grad(k), gk],
        [grad(q), gq],
      ]) {
        const top = Math.max(...want.map(Math.abs));
        got.forEach((g, i) => expect(Math.abs(g - want[i]), `index ${i}: got ${g}, want ${want[i]}`).toBeLessThanOrEqual(1e-4 * top));
      }
    });

    test('a 1-D mask [S] and a 0-d mask broadcast as PyTorch (as [1, S] and [1, 1]), gradient included', () => {
      const q = filled([2, 3, 4], 1.0),
        k = filled([2, 5, 4], 1.3),
        v = filled([2, 5, 3], 1.7);
      for (const [m, rows] of [
        [wg.tensor([0, -1, 0.5, -Infinity, 2], { requiresGrad: true }), [1, 5]],
        [wg.tensor(0.25, { requiresGrad: true }), [1, 1]],
      ] as const) {
        const y = wg.scaledDotProductAttention(q, k, v, { attnMask: m });
        const m2 = m.detach().reshape(rows).expand([3, 5]);
        m2.requiresGrad = true;
        const y2 = wg.scaledDotProductAttention(q, k, v, { attnMask: m2 });
        expect(y.shape).toEqual([2, 3, 3]);
        expectClose(vals(y), vals(y2), 1e-6);
        y.mul(weights(y.shape)).sum().backward();
        y2.mul(weights(y2.shape)).sum().backward();
        // The broadcast mask's gradient is the sum over the rows it stands for.
        const g2 = grad(m2);
        const want = rows[1] === 5 ? [0, 1, 2, 3, 4].map((j) => g2[j] + g2[5 + j] + g2[10 + j]) : [g2.reduce((a, b) => a + b, 0)];
        expectClose(grad(m), want, 1e-5);
      }
    });

    test('isCausal is top-left aligned when L < S (batch and head dims, scale 0.5) and when L > S', () => {
      const q = filled([1, 2, 4, 3], 0.8),
        k = filled([1, 2, 6, 3], 1.1),
        v = filled([1, 2, 6, 2], 0.6);
      const y = wg.scaledDotProductAttention(q, k, v, { isCausal: true, scale: 0.5 });
      expect(y.shape).toEqual([1, 2, 4, 2]);
      y.mul(weights(y.shape)).sum().backward();
      expectClose(vals(y), TORCH.causal.y, TOL);
      expectClose(grad(q), TORCH.causal.gq, TOL);
      expectClose(grad(k), TORCH.causal.gk, TOL);
      expectClose(grad(v), TORCH.causal.gv, TOL);
      // keys 4 and 5 are attended by no query: no gradient reaches them
      const gk = k.grad!.toArray() as number[][][][];
      for (const h of [0, 1]) expect(gk[0][h].slice(4).flat()).toEqual([0, 0, 0, 0, 0, 0]);

      const ql = filled([2, 5, 2], 0.5),
        kl = filled([2, 3, 2], 0.9),
        vl = filled([2, 3, 3], 1.9);
      const yl = wg.scaledDotProductAttention(ql, kl, vl, { isCausal: true });
      yl.sum().backward();
      expectClose(vals(yl), TORCH.causalLong.y, TOL);
      expectClose(grad(ql), TORCH.causalLong.gq, TOL);
      expectClose(grad(kl), TORCH.causalLong.gk, TOL);
      expectClose(grad(vl), TORCH.causalLong.gv, TOL);
    });

    test('fused and composite paths agree on random shapes, masks and broadcast batch dims', () => {
      wg.manualSeed(7);
      const cases: { q: number[]; k: number[]; v: number[]; mask?: number[]; int?: boolean; causal?: boolean; scale?: number }[] = [
        { q: [3, 17, 16], k: [3, 17, 16], v: [3, 17, 16], causal: true },
        { q: [2, 4, 33, 8], k: [2, 4, 15, 8], v: [2, 4, 15, 5], causal: true },
        { q: [2, 4, 15, 8], k: [2, 4, 33, 8], v: [2, 4, 33, 5], causal: true, scale: 0.2 },
        { q: [2, 7, 5], k: [2, 9, 5], v: [2, 9, 3], mask: [7, 9] },
        { q: [2, 3, 7, 5], k: [2, 3, 9, 5], v: [2, 3, 9, 3], mask: [2, 1, 1, 9] },
        { q: [2, 3, 7, 5], k: [2, 3, 9, 5], v: [2, 3, 9, 3], mask: [2, 3, 7, 9] },
        { q: [2, 3, 7, 5], k: [2, 3, 9, 5], v: [2, 3, 9, 3], mask: [7, 1] },
        { q: [2, 1, 6, 4], k: [3, 6, 4], v: [1, 6, 2], causal: true },
        { q: [5, 4], k: [2, 3, 7, 4], v: [7, 3], mask: [3, 1, 7], int: true },
        { q: [1, 1], k: [1, 1], v: [1, 1] },
      ];
      for (const c of cases) {
        const q = wg.randn(c.q, { requiresGrad: true }),
          k = wg.randn(c.k, { requiresGrad: true }),
          v = wg.randn(c.v, { requiresGrad: true });
        let attnMask: wg.Tensor | undefined;
        if (c.mask && c.int)
          attnMask = wg.tensor(
            Array.from({ length: c.mask.reduce((a, b) => a * b, 1) }, (_, i) => (i % 7 === 3 ? 0 : 1)),
            { shape: c.mask, dtype: 'int32' },
          );
        else if (c.mask) attnMask = wg.randn(c.mask, { requiresGrad: true });
        const opts = { attnMask, isCausal: c.causal, scale: c.scale };
        const y = wg.scaledDotProductAttention(q, k, v, opts);
        const w = wg.randn(y.shape);
        y.mul(w).sum().backward();
        const got = [y, q.grad!, k.grad!, v.grad!, ...(attnMask?.requiresGrad ? [attnMask.grad!] : [])].map(vals);
        for (const t of [q, k, v, attnMask]) if (t?.requiresGrad) t.grad = null;
        const additive = c.int ? wg.where(attnMask!, 0, -Infinity) : attnMask;
        const yc = composite(q, k, v, { ...opts, attnMask: additive });
        expect(y.shape, JSON.stringify(c)).toEqual(yc.shape);
        yc.mul(w).sum().backward();
        const want = [yc, q.grad!, k.grad!, v.grad!, ...(attnMask?.requiresGrad ? [attnMask.grad!] : [])].map(vals);
        // The op's record carries scale as float32 (1/√5 rounded: 3e-8 relative) where the
        // composite's reference multiplies in float64, and data() reads float32: a few ulps apart.
        got.forEach((g, i) => expectClose(g, want[i], be === 'wasm' ? 1e-4 : 1e-6));
      }
    });

    test('a row whose keys are all masked is NaN, as PyTorch; −∞ elsewhere in the mask just blocks', () => {
      const q = filled([1, 3, 2], 0.7),
        k = filled([1, 4, 2], 1.2),
        v = filled([1, 4, 2], 0.3);
      const inf = -Infinity;
      const m = wg.tensor([
        [0, inf, 0, inf],
        [inf, inf, inf, inf],
        [0, 0, 0, 0],
      ]);
      const y = wg.scaledDotProductAttention(q, k, v, { attnMask: m }).toArray() as number[][][];
      expect(y[0][1].every(Number.isNaN)).toBe(true);
      expect([...y[0][0], ...y[0][2]].every(Number.isFinite)).toBe(true);
      // row 0 sees keys 0 and 2 only: the same as attending to those two keys alone
      const two = wg.scaledDotProductAttention(
        q.slice(1, 0, 1),
        wg.cat([k.slice(1, 0, 1), k.slice(1, 2, 3)], 1),
        wg.cat([v.slice(1, 0, 1), v.slice(1, 2, 3)], 1),
      );
      expectClose(y[0][0], vals(two), 1e-6);
      // the same rows as an int32 mask (nonzero = may attend)
      const allowed = wg.tensor(
        [
          [1, 0, 1, 0],
          [0, 0, 0, 0],
          [1, 1, 1, 1],
        ],
        { dtype: 'int32' },
      );
      const yi = wg.scaledDotProductAttention(q, k, v, { attnMask: allowed }).toArray() as number[][][];
      expect(yi[0][1].every(Number.isNaN)).toBe(true);
      expectClose(yi[0][0], y[0][0], 0);
    });

    test('nn.MultiheadAttention without weights (fused) equals the path returning weights (composite)', () => {
      wg.manualSeed(3);
      const mha = new wg.nn.MultiheadAttention(16, 4, { batchFirst: true });
      const x = wg.randn([2, 9, 16], { requiresGrad: true });
      const pad = wg.tensor(
        [
          [0, 0, 0, 0, 0, 0, 0, 1, 1],
          [0, 0, 0, 0, 0, 0, 0, 0, 0],
        ],
        { dtype: 'int32' },
      );
      for (const opts of [{ isCausal: true }, { keyPaddingMask: pad }, { isCausal: true, keyPaddingMask: pad }, { attnMask: causalMask(9, 9) }]) {
        const run = (needWeights: boolean) => {
          for (const p of [x, ...mha.parameters()]) p.grad = null;
          const [out] = mha.forward(x, x, x, { ...opts, needWeights });
          out.mul(out).sum().backward();
          return [out, x.grad!, ...mha.parameters().map((p) => p.grad!)].map(vals);
        };
        const fused = run(false),
          comp = run(true);
        fused.forEach((f, i) => expectClose(f, comp[i], be === 'wasm' ? 1e-4 : 1e-9));
      }
    });

    test('errors: shapes, options and masks are checked before anything runs', () => {
      const q = wg.zeros([2, 3, 4]),
        k = wg.zeros([2, 5, 4]),
        v = wg.zeros([2, 5, 6]);
      const sdpa =
        (o: object, qq = q, kk = k, vv = v) =>
        () =>
          wg.scaledDotProductAttention(qq, kk, vv, o);
      expect(sdpa({}, wg.zeros([4]))).toThrow(
        `${SDPA}query, key and value need at least 2 dims ([..., L, E], [..., S, E], [..., S, Ev]), got [4], [2, 5, 4], [2, 5, 6]`,
      );
      expect(sdpa({}, q, wg.zeros([2, 5, 3]))).toThrow(
        `${SDPA}key [..., S, E] must match query's E and value [..., S, Ev] key's S: got query [2, 3, 4], key [2, 5, 3], value [2, 5, 6]`,
      );
      expect(sdpa({}, q, k, wg.zeros([2, 4, 6]))).toThrow(`${SDPA}key [..., S, E] must match query's E`);
      expect(sdpa({ scale: Infinity })).toThrow(`${SDPA}scale must be a finite number, got Infinity`);
      expect(sdpa({ dropoutP: 1 })).toThrow(`${SDPA}dropoutP must be a probability in [0, 1), got 1`);
      expect(sdpa({ isCausal: 1 })).toThrow(`${SDPA}isCausal must be a boolean, got 1`);
      expect(sdpa({ isCausal: true, attnMask: wg.zeros([3, 5]) })).toThrow(`${SDPA}takes attnMask or isCausal, not both (PyTorch)`);
      expect(sdpa({ causal: true })).toThrow(/scaledDotProductAttention.*causal/);
      expect(sdpa({ attnMask: wg.zeros([4, 5]) })).toThrow(`${SDPA}attnMask must broadcast to [..., 3, 5] (query's L, key's S), got [4, 5]`);
      expect(sdpa({ attnMask: wg.zeros([4]) })).toThrow(`${SDPA}attnMask must broadcast to [..., 3, 5] (query's L, key's S), got [4]`);
      expect(sdpa({ attnMask: wg.zeros([3, 3, 5]) })).toThrow(
        `${SDPA}the batch dims of query [2, 3, 4], key [2, 5, 4], value [2, 5, 6] and attnMask [3, 3, 5] cannot be broadcast together`,
      );
      expect(sdpa({}, wg.zeros([2, 3, 4]), wg.zeros([3, 5, 4]), wg.zeros([3, 5, 6]))).toThrow(
        `${SDPA}the batch dims of query [2, 3, 4], key [3, 5, 4], value [3, 5, 6] cannot be broadcast together`,
      );
      // the op's own plan (the public function checks first; the table can be called directly)
      const att = (inputs: wg.Tensor[], attrs: object) => () => apply(op('attention'), inputs, attrs);
      const none = wg.tensor(0);
      const plain = { scale: 1, causal: false, mask: false };
      expect(att([wg.zeros([3, 4]), k, v, none], plain)).toThrow(
        `${SDPA}the fused op takes query [B, L, E], key [B, S, E], value [B, S, Ev], got query [3, 4], key [2, 5, 4], value [2, 5, 6]`,
      );
      expect(att([q, wg.zeros([1, 5, 4]), v, none], plain)).toThrow(
        `${SDPA}key must be [2, S, 4] and value [2, S, Ev] with key's S, got query [2, 3, 4], key [1, 5, 4], value [2, 5, 6]`,
      );
      expect(att([q, k, wg.zeros([2, 4, 6]), none], plain)).toThrow(`${SDPA}key must be [2, S, 4] and value [2, S, Ev] with key's S`);
      expect(att([q, k, v, none], { ...plain, scale: NaN })).toThrow(`${SDPA}scale must be a finite number, got NaN`);
      expect(att([q, k, v, wg.zeros([3, 5])], { scale: 1, causal: true, mask: true })).toThrow(`${SDPA}takes attnMask or isCausal, not both`);
      expect(att([q, k, v, wg.zeros([3, 3, 5])], { ...plain, mask: true })).toThrow(
        `${SDPA}attnMask must be [Lm, 5] or [Bm, Lm, 5] with Lm ∈ {1, 3} and Bm ∈ {1, 2}, got [3, 3, 5] for query [2, 3, 4], key [2, 5, 4], value [2, 5, 6]`,
      );
      expect(att([q, k, v, wg.zeros([3, 1])], { ...plain, mask: true })).toThrow(`${SDPA}attnMask must be [Lm, 5] or [Bm, Lm, 5]`);
      expect(att([q, k, v, wg.zeros([5])], { ...plain, mask: true })).toThrow(`${SDPA}attnMask must be [Lm, 5] or [Bm, Lm, 5]`);
      // heads read in place (nn.MultiheadAttention's layout): [N, len, C] here, 2 heads of 2
      const heads = (h: object) => ({ ...plain, heads: { count: 2, dim: 2, batchFirst: true, offsets: [0, 0, 0], ...h } });
      const p = wg.zeros([2, 3, 12]);
      expect(att([p, p, p, none], heads({ offsets: [0, 4, 9] }))).toThrow(`${SDPA}value [2, 3, 12] has no columns 9…12 for 2 heads of 2`);
      expect(att([p, wg.zeros([3, 3, 12]), p, none], heads({}))).toThrow(
        `${SDPA}with heads ([N, len, C]), key and value must have query's N and the same length, got query [2, 3, 12], key [3, 3, 12], value [2, 3, 12]`,
      );
      expect(att([p, p, wg.zeros([2, 4, 12]), none], heads({ batchFirst: false }))).toThrow(
        `${SDPA}with heads ([len, N, C]), key and value must have query's N and the same length`,
      );
      expect(att([p, p, p, none], heads({ count: 0 }))).toThrow(`${SDPA}heads must be { count ≥ 1, dim ≥ 0, batchFirst, offsets: [q, k, v] ≥ 0 }`);
      expect(att([p, p, p, none], heads({ offsets: [0, -1, 0] }))).toThrow(`${SDPA}heads must be`);
      expect(att([q, k, v, none], heads({}))).not.toThrow(); // [2, 3, 4] holds 2 heads of 2 at offset 0
      expect(att([q, k, v, wg.zeros([5, 3, 5])], { ...heads({}), mask: true })).toThrow(
        `${SDPA}attnMask must be [Lm, 5] or [Bm, Lm, 5] with Lm ∈ {1, 3} and Bm ∈ {1, 4}`,
      );
    });
  });
}

describe('fused attention under wg.compile', () => {
  beforeEach(() => wg.setBackend('wasm'));

  test('a causal attention step replays fast and equals eager', () => {
    wg.manualSeed(5);
    const wq = wg.randn([8, 8], { requiresGrad: true });
    const f = (x: wg.Tensor) => {
      const h = x.matmul(wq).reshape([2, 6, 2, 4]).transpose(1, 2);
      const y = wg.scaledDotProductAttention(h, h, h, { isCausal: true });
      const l = y.mul(y).mean();
      l.backward();
      return l;
    };
    const step = wg.compile((x: wg.Tensor) => {
      wq.grad = null;
      return f(x);
    });
    const xs = [0, 1, 2, 3].map((i) => filled([2, 6, 8], 0.3 + 0.1 * i, false));
    const compiled = xs.map((x) => [step(x).item(), ...vals(wq.grad!)]);
    expect(step.replayInfo()[0].mode).toBe('fast');
    const eager = xs.map((x) => {
      wq.grad = null;
      return [f(x).item(), ...vals(wq.grad!)];
    });
    compiled.forEach((c, i) => expectClose(c, eager[i], 1e-6));
  });
});
