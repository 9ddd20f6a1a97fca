/**
 * nn.functional.multiHeadAttentionForward as torch 1.13's F.multi_head_attention_forward, with its
 * positional arguments or its keywords as one options object. Values: torch in float64 with the
 * sin fill of test/fixtures/sin_fill.py (fill(t, s): element i is 0.5·sin(i·s + 0.5)); the torch
 * calls are given before each expectation.
 */
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { sinFilled as S } from './helpers/sin-fill.js';

beforeAll(async () => {
  await initWasm();
});

const F = wg.nn.functional;
const [E, H, L, Sn, N] = [4, 2, 2, 3, 2];
/** q, k, v [len, N, E] and W [3E, E], b [3E], Wo [E, E], bo [E], as the torch script's. */
const setup = () => ({
  q: S([L, N, E], 0.3),
  k: S([Sn, N, E], 0.4),
  v: S([Sn, N, E], 0.5),
  W: S([3 * E, E], 0.6),
  b: S([3 * E], 0.7),
  Wo: S([E, E], 0.8),
  bo: S([E], 0.9),
});

for (const be of ['wasm', 'reference'] as const)
  describe(`nn.functional.multiHeadAttentionForward on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test("packed weights with a key padding mask and an additive mask: torch's outputs and per-head weights", () => {
      const { q, k, v, W, b, Wo, bo } = setup();
      const kpm = wg.tensor(
        [
          [0, 0, 1],
          [0, 0, 0],
        ],
        { dtype: 'int32' },
      );
      const am = wg.tensor([
        [0, -1, 0],
        [0.5, 0, -Infinity],
      ]);
      // F.multi_head_attention_forward(q, k, v, E, H, W, b, None, None, False, 0.0, Wo, bo, training=False,
      //   key_padding_mask=[[False, False, True], [False, False, False]], attn_mask=am, average_attn_weights=False)
      const [out, w] = F.multiHeadAttentionForward(q, k, v, E, H, W, b, null, null, false, 0, Wo, bo, {
        training: false,
        keyPaddingMask: kpm,
        attnMask: am,
        averageAttnWeights: false,
      });
      expect([out.shape, w!.shape]).toEqual([
        [L, N, E],
        [N, H, L, Sn],
      ]);
      expectClose(
        out.data(),
        [
          0.61455904, 0.14075086, 0.70075396, -0.33189748, 0.59501425, 0.15912867, 0.68360581, -0.31603748, 0.56580945, 0.18363437, 0.66388278, -0.30116438,
          0.59400676, 0.15981261, 0.68324774, -0.31600651,
        ],
        1e-5,
      );
      expectClose(
        w!.data(),
        [
          0.55108142, 0.44891858, 0.0, 0.73280301, 0.26719699, 0.0, 0.64489061, 0.35510939, 0.0, 0.57697561, 0.42302439, 0.0, 0.39168832, 0.20100531,
          0.40730637, 0.68696037, 0.31303963, 0.0, 0.3955519, 0.19858558, 0.40586252, 0.68539114, 0.31460886, 0.0,
        ],
        1e-5,
      );
      // the same call with torch's positional arguments (training, key_padding_mask, need_weights, attn_mask, …)
      const [out2] = F.multiHeadAttentionForward(q, k, v, E, H, W, b, null, null, false, 0, Wo, bo, false, kpm, false, am);
      expectClose(out2.data(), out.data(), 1e-6);
    });

    test("separate projections (kdim 3, vdim 5), biasK/biasV, addZeroAttn, no biases: torch's values", () => {
      const { q, Wo } = setup();
      // F.multi_head_attention_forward(q, k3, v5, E, H, None, None, bk, bv, True, 0.0, Wo, None, training=False,
      //   use_separate_proj_weight=True, q_proj_weight=qw, k_proj_weight=kw, v_proj_weight=vw)
      const [out, w] = F.multiHeadAttentionForward(
        q,
        S([Sn, N, 3], 1.0),
        S([Sn, N, 5], 1.1),
        E,
        H,
        null,
        null,
        S([1, 1, E], 1.5),
        S([1, 1, E], 1.6),
        true,
        0,
        Wo,
        null,
        {
          training: false,
          useSeparateProjWeight: true,
          qProjWeight: S([E, E], 1.2),
          kProjWeight: S([E, 3], 1.3),
          vProjWeight: S([E, 5], 1.4),
        },
      );
      expect(w!.shape).toEqual([N, L, Sn + 2]);
      expectClose(
        out.data(),
        [
          -0.09567557, 0.0898479, -0.08371382, 0.07729423, -0.06176553, 0.06034243, -0.05871352, 0.05688438, -0.0991985, 0.09407195, -0.08862457, 0.08287495,
          -0.07090466, 0.07073323, -0.07032057, 0.06966808,
        ],
        1e-5,
      );
      expectClose(
        w!.data(),
        [
          0.19234622, 0.19337192, 0.19485033, 0.22061821, 0.19881332, 0.20583855, 0.20572902, 0.20491699, 0.18724509, 0.19627035, 0.19541266, 0.19431299,
          0.19369023, 0.21648404, 0.20010009, 0.20256728, 0.20405108, 0.20559744, 0.1829681, 0.2048161,
        ],
        1e-5,
      );
    });

    test("staticK / staticV on unbatched inputs: torch's values", () => {
      const { q, k, v, W, b, Wo, bo } = setup();
      // F.multi_head_attention_forward(q[:, 0], k[:, 0], v[:, 0], E, H, W, b, None, None, False, 0.0, Wo, bo, False, None, True, None,
      //   static_k=fill([H, 4, E // H], 1.7), static_v=fill([H, 4, E // H], 1.8))
      const [out, w] = F.multiHeadAttentionForward(q.select(1, 0), k.select(1, 0), v.select(1, 0), E, H, W, b, null, null, false, 0, Wo, bo, {
        training: false,
        staticK: S([H, 4, E / H], 1.7),
        staticV: S([H, 4, E / H], 1.8),
      });
      expect([out.shape, w!.shape]).toEqual([
        [L, E],
        [L, 4],
      ]);
      expectClose(out.data(), [0.35029523, 0.38056708, 0.48620321, -0.14334392, 0.34484598, 0.38710829, 0.47859235, -0.13468937], 1e-5);
      expectClose(w!.data(), [0.28679554, 0.20912122, 0.2868493, 0.21723394, 0.28441282, 0.21611416, 0.26364789, 0.23582514], 1e-5);
    });

    test("nn.MultiheadAttention's forward is this function of its parameters (fused path included)", () => {
      wg.manualSeed(3);
      const mha = new wg.nn.MultiheadAttention(E, H, { addBiasKv: true }).eval();
      const { q, k, v } = setup();
      const args = [E, H, mha.inProjWeight, mha.inProjBias, mha.biasK, mha.biasV, false, 0, mha.outProj.weight, mha.outProj.bias] as const;
      const [a, aw] = mha.forward(q, k, v);
      const [f, fw] = F.multiHeadAttentionForward(q, k, v, ...args, { training: false });
      expectClose(f.data(), a.data(), 1e-6);
      expectClose(fw!.data(), aw!.data(), 1e-6);
      const plain = new wg.nn.MultiheadAttention(E, H).eval();
      const [p] = plain.forward(q, q, q, { needWeights: false });
      const [g, none] = F.multiHeadAttentionForward(
        q,
        q,
        q,
        E,
        H,
        plain.inProjWeight,
        plain.inProjBias,
        null,
        null,
        false,
        0,
        plain.outProj.weight,
        plain.outProj.bias,
        {
          needWeights: false,
        },
      );
      expect(none).toBeNull();
      expectClose(g.data(), p.data(), 1e-6);
    });

    // float64 central differences need the reference backend: run once, in its pass of the loop
    test.runIf(be === 'reference')('gradients reach every tensor argument (central differences on the reference)', () => {
      const { q, k, v, W, b, Wo, bo } = setup();
      const bk = S([1, 1, E], 1.5),
        bv = S([1, 1, E], 1.6);
      const am = wg.tensor([
        [0, -1, 0],
        [0.5, 0, -2],
      ]);
      const fn = (...xs: wg.Tensor[]) => {
        const [out, w] = F.multiHeadAttentionForward(xs[0], xs[1], xs[2], E, H, xs[3], xs[4], xs[7], xs[8], true, 0, xs[5], xs[6], false, null, true, am);
        return out
          .square()
          .sum()
          .add(w!.mul(wg.arange(w!.size).reshape(w!.shape).mul(0.1)).sum());
      };
      const r = wg.gradcheck(fn, [q, k, v, W, b, Wo, bo, bk, bv], { eps: 1e-6, atol: 1e-6 });
      expect(r.ok, JSON.stringify(r)).toBe(true);
    });

    test('bad arguments name the function and what was given', () => {
      const { q, k, v, W, b, Wo, bo } = setup();
      const fn = 'wasmgrad.nn.functional.multiHeadAttentionForward';
      expect(() => F.multiHeadAttentionForward(q, k, v, 5, H, W, b, null, null, false, 0, Wo, bo)).toThrow(
        `${fn}: was expecting embedding dimension of 5, but got 4 (query [2, 2, 4])`,
      );
      expect(() => F.multiHeadAttentionForward(q, k, v, E, 3, W, b, null, null, false, 0, Wo, bo)).toThrow(
        `${fn}: numHeads must be a positive integer dividing the embedding dimension 4, got 3`,
      );
      expect(() => F.multiHeadAttentionForward(q, k, v, E, H, W.slice(0, 0, 8), b, null, null, false, 0, Wo, bo)).toThrow(
        `${fn}: inProjWeight must be [12, 4], got [8, 4]`,
      );
      expect(() => F.multiHeadAttentionForward(q, k, v, E, H, null, b, null, null, false, 0, Wo, bo, { useSeparateProjWeight: true })).toThrow(
        `${fn}: qProjWeight must be [4, 4], got undefined`,
      );
      expect(() => F.multiHeadAttentionForward(q, k, v, E, H, W, b, S([1, 1, E], 1), null, false, 0, Wo, bo)).toThrow(
        `${fn}: biasK and biasV must be given together`,
      );
      expect(() => F.multiHeadAttentionForward(q, k, v, E, H, W, b, null, null, false, 0, Wo, bo, { trainin: false } as never)).toThrow(/trainin/);
      expect(() => F.multiHeadAttentionForward(q, k, v, E, H, W, b, null, null, false, 0, Wo, bo, { staticK: S([3, 4, 2], 1) })).toThrow(
        `${fn}: staticK must be [4, S, 2] (N·heads, S, head dim), got [3, 4, 2]`,
      );
      expect(() => F.multiHeadAttentionForward(q, k, v, E, H, W, b, null, null, false, 2, Wo, bo)).toThrow(
        `${fn}: dropoutP must be a probability in [0, 1], got 2`,
      );
    });
  });
