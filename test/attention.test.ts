/**
 * Attention (issue 12 item 1): wg.scaledDotProductAttention, nn.MultiheadAttention,
 * nn.TransformerEncoderLayer and nn.TransformerDecoderLayer against PyTorch 1.13 in float64.
 * test/fixtures/attention-torch.py fills every state-dict entry k and every input with
 * 0.5·sin(i·s + 0.5) (s per entry as below) and writes attention-torch.json, which this file reads:
 * same weights, same inputs, outputs and gradients compared on both backends.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { loadSinStateDict as fillStateDict, sinFilled as filled } from './helpers/sin-fill.js';

const REF = JSON.parse(readFileSync(new URL('./fixtures/attention-torch.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  await initWasm();
});

const vals = (t: wg.Tensor) => Array.from(t.data());
const TOL = 2e-5;

for (const be of ['wasm', 'reference'] as const) {
  describe(`attention on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test('scaledDotProductAttention: values and gradients; isCausal; int32 and float masks', () => {
      const q = filled([2, 3, 4], 1.0),
        k = filled([2, 5, 4], 1.3),
        v = filled([2, 5, 6], 1.7);
      const y = wg.scaledDotProductAttention(q, k, v);
      y.sum().backward();
      expectClose(vals(y), REF.sdpa.y, TOL);
      expectClose(vals(q.grad!), REF.sdpa.gq, TOL);
      expectClose(vals(k.grad!), REF.sdpa.gk, TOL);
      expectClose(vals(v.grad!), REF.sdpa.gv, TOL);
      const qc = filled([3, 3, 4], 0.9),
        kc = filled([3, 3, 4], 1.1),
        vc = filled([3, 3, 2], 0.7);
      expectClose(vals(wg.scaledDotProductAttention(qc, kc, vc, { isCausal: true, scale: 0.3 })), REF.sdpa_causal.y, TOL);
      // the same causal mask given as int32 (nonzero = may attend) and as a float mask
      const allowed = wg.tensor(
        [
          [1, 0, 0],
          [1, 1, 0],
          [1, 1, 1],
        ],
        { dtype: 'int32' },
      );
      expectClose(vals(wg.scaledDotProductAttention(qc, kc, vc, { attnMask: allowed, scale: 0.3 })), REF.sdpa_causal.y, TOL);
      const additive = wg.tensor([
        [0, -Infinity, -Infinity],
        [0, 0, -Infinity],
        [0, 0, 0],
      ]);
      expectClose(vals(wg.scaledDotProductAttention(qc, kc, vc, { attnMask: additive, scale: 0.3 })), REF.sdpa_causal.y, TOL);
    });

    test("MultiheadAttention: PyTorch's keys, masks (int32 padding, float attn), weights and gradients", () => {
      const m = new wg.nn.MultiheadAttention(8, 2);
      expect(Object.keys(m.stateDict())).toEqual(REF.mha_keys);
      fillStateDict(m);
      const query = filled([3, 2, 8], 0.3),
        key = filled([4, 2, 8], 0.45),
        value = filled([4, 2, 8], 0.6);
      const keyPaddingMask = wg.tensor(
        [
          [0, 0, 1, 0],
          [0, 0, 0, 0],
        ],
        { dtype: 'int32' },
      );
      const attnMask = wg.tensor([
        [0, -1, 0, 0.5],
        [0, 0, 0, 0],
        [1, 0, -2, 0],
      ]);
      const [o, w] = m.forward(query, key, value, { keyPaddingMask, attnMask });
      expect(w!.shape).toEqual([2, 3, 4]);
      o.sum().add(w!.mul(w!).sum()).backward();
      expectClose(vals(o), REF.mha.o, TOL);
      expectClose(vals(w!), REF.mha.w, TOL);
      expectClose(vals(query.grad!), REF.mha.gq, TOL);
      expectClose(vals(m.inProjWeight!.grad!), REF.mha.gw, TOL);
      expectClose(vals(m.outProj.bias!.grad!), REF.mha.gb, TOL);
      const [, perHead] = m.forward(query, key, value, { averageAttnWeights: false });
      expect(perHead!.shape).toEqual(REF.mha_heads.shape);
      expectClose(vals(perHead!), REF.mha_heads.w, TOL);
      expect(m.forward(query, key, value, { needWeights: false })[1]).toBeNull();
    });

    test('MultiheadAttention with kdim/vdim, batchFirst, no bias; unbatched with a causal mask', () => {
      const m2 = new wg.nn.MultiheadAttention(6, 3, { kdim: 4, vdim: 5, batchFirst: true, bias: false });
      expect(Object.keys(m2.stateDict())).toEqual(REF.mha2_keys);
      fillStateDict(m2);
      const [o] = m2.forward(filled([2, 3, 6], 0.2), filled([2, 4, 4], 0.35), filled([2, 4, 5], 0.5), { needWeights: false });
      expect(o.shape).toEqual([2, 3, 6]);
      expectClose(vals(o), REF.mha2.o, TOL);
      const m3 = new wg.nn.MultiheadAttention(4, 2);
      fillStateDict(m3);
      const x = filled([3, 4], 0.8);
      const notAllowed = wg.tensor(
        [
          [0, 1, 1],
          [0, 0, 1],
          [0, 0, 0],
        ],
        { dtype: 'int32' },
      );
      for (const opts of [{ attnMask: notAllowed }, { isCausal: true }]) {
        const [ou, wu] = m3.forward(x, x, x, opts);
        expect(ou.shape).toEqual([3, 4]);
        expectClose(vals(ou), REF.mha_unbatched.o, TOL);
        expectClose(vals(wu!), REF.mha_unbatched.w, TOL);
      }
    });

    // needWeights false runs the attention op on the projections' own layout (heads read in place,
    // self-attention projected once into [·, ·, 3E]); needWeights true composes matmul and softmax
    // over copied heads. Both must agree in every layout, with every mask, in values and gradients.
    test('MultiheadAttention: the fused path (heads read in place) equals the composed one in every layout', () => {
      const cases = [
        { batchFirst: false, shape: [5, 3, 6], form: 'self' },
        { batchFirst: true, shape: [3, 5, 6], form: 'self' },
        { batchFirst: false, shape: [5, 6], form: 'self' },
        { batchFirst: true, shape: [3, 5, 6], form: 'cross' },
        { batchFirst: false, shape: [5, 3, 6], form: 'kdim' },
      ] as const;
      for (const { batchFirst, shape, form } of cases) {
        const m = new wg.nn.MultiheadAttention(6, 3, { batchFirst, ...(form === 'kdim' ? { kdim: 4, vdim: 5 } : {}) });
        fillStateDict(m);
        const batched = shape.length === 3;
        const [N, L] = !batched ? [1, shape[0]] : batchFirst ? [shape[0], shape[1]] : [shape[1], shape[0]];
        const S = form === 'self' ? L : L + 2;
        const kvShape = (c: number) => (!batched ? [S, c] : batchFirst ? [N, S, c] : [S, N, c]);
        const masks = [
          {},
          { isCausal: true },
          { attnMask: filled([L, S], 0.7, false) },
          ...(batched
            ? [
                {
                  keyPaddingMask: wg.tensor(
                    Int32Array.from({ length: N * S }, (_, i) => +(i % S === S - 1 && i < S)),
                    { shape: [N, S] },
                  ),
                },
              ]
            : []),
        ];
        for (const mask of masks) {
          const run = (needWeights: boolean) => {
            const q = filled([...shape], 0.3);
            const k = form === 'self' ? q : filled(kvShape(form === 'kdim' ? 4 : 6), 0.45);
            const v = form === 'self' ? q : form === 'cross' ? k : filled(kvShape(5), 0.6);
            for (const p of m.parameters()) p.grad = null;
            const [o] = m.forward(q, k, v, { ...mask, needWeights });
            o.mul(o).sum().backward();
            return [o, q.grad!, ...(form === 'self' ? [] : [k.grad!]), ...m.parameters().map((p) => p.grad!)].map(vals);
          };
          const [fused, composed] = [run(false), run(true)];
          const what = `${form} ${batchFirst ? 'batchFirst ' : ''}[${shape.join(', ')}] ${Object.keys(mask).join() || 'no mask'}`;
          expect(fused.length, what).toBe(composed.length);
          fused.forEach((f, i) => {
            try {
              expectClose(f, composed[i], TOL);
            } catch (e) {
              throw new Error(`${what}, result ${i}: ${(e as Error).message}`, { cause: e });
            }
          });
        }
      }
    });

    test('TransformerEncoderLayer: post-norm and pre-norm, relu and gelu, key padding; keys and gradients', () => {
      for (const normFirst of [false, true])
        for (const activation of ['relu', 'gelu'] as const) {
          const e = new wg.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, activation, normFirst });
          expect(Object.keys(e.stateDict())).toEqual(REF.enc_keys);
          fillStateDict(e);
          const src = filled([3, 2, 8], 0.25);
          const pad = wg.tensor(
            [
              [0, 0, 1],
              [0, 0, 0],
            ],
            { dtype: 'int32' },
          );
          const y = e.forward(src, { srcKeyPaddingMask: pad });
          y.mul(y).sum().backward();
          const ref = REF[`enc_${normFirst ? 'True' : 'False'}_${activation}`];
          expectClose(vals(y), ref.y, 1e-4);
          expectClose(vals(src.grad!), ref.g, 1e-4);
          expectClose(vals(e.linear1.weight.grad!), ref.gw, 1e-4);
        }
    });

    test('TransformerDecoderLayer (batchFirst) with a causal float tgtMask: keys, values, gradients', () => {
      const d = new wg.nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true });
      expect(Object.keys(d.stateDict())).toEqual(REF.dec_keys);
      fillStateDict(d);
      const tgt = filled([2, 3, 8], 0.15),
        mem = filled([2, 4, 8], 0.55);
      const tgtMask = wg.tensor([
        [0, -Infinity, -Infinity],
        [0, 0, -Infinity],
        [0, 0, 0],
      ]);
      const y = d.forward(tgt, mem, { tgtMask });
      y.sum().backward();
      expectClose(vals(y), REF.dec.y, 1e-4);
      expectClose(vals(tgt.grad!), REF.dec.gt, 1e-4);
      expectClose(vals(mem.grad!), REF.dec.gm, 1e-4);
      // tgtIsCausal builds the same mask
      expectClose(vals(d.forward(tgt, mem, { tgtIsCausal: true })), REF.dec.y, 1e-4);
    });
  });
}

describe('attention: training, compile, errors', () => {
  beforeEach(() => wg.setBackend('wasm'));

  test('a tiny causal transformer step replays fast under wg.compile, equal to eager', () => {
    wg.manualSeed(1);
    const layer = new wg.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true });
    const head = new wg.nn.Linear(8, 1);
    const params = [...layer.parameters(), ...head.parameters()];
    const opt = new wg.optim.SGD(params, { lr: 0.05 });
    const loss = (x: wg.Tensor, y: wg.Tensor) => wg.losses.mse(head.forward(layer.forward(x, { isCausal: true })), y);
    const step = wg.compile((x: wg.Tensor, y: wg.Tensor) => {
      opt.zeroGrad();
      const l = loss(x, y);
      l.backward();
      opt.step();
      return l;
    });
    const losses: number[] = [];
    for (let i = 0; i < 6; i++) losses.push(step(filled([4, 5, 8], 0.1 + i * 0.01, false), filled([4, 5, 1], 0.3, false)).item());
    expect(step.replayInfo()[0].mode).toBe('fast');
    expect(losses[5]).toBeLessThan(losses[0]);
  });

  test('errors name the layer and the shapes', () => {
    const m = new wg.nn.MultiheadAttention(8, 2);
    expect(() => new wg.nn.MultiheadAttention(8, 3)).toThrow('wasmgrad.nn.MultiheadAttention: embedDim 8 must be divisible by numHeads 3');
    expect(() => m.forward(wg.ones([3, 2, 6]), wg.ones([3, 2, 8]), wg.ones([3, 2, 8]))).toThrow(
      'wasmgrad.nn.MultiheadAttention: expects query [L, N, 8], key [S, N, 8], value [S, N, 8], got [3, 2, 6], [3, 2, 8], [3, 2, 8]',
    );
    expect(() => m.forward(wg.ones([3, 2, 8]), wg.ones([4, 2, 8]), wg.ones([4, 2, 8]), { keyPaddingMask: wg.ones([2, 3]) })).toThrow(
      'wasmgrad.nn.MultiheadAttention: keyPaddingMask must be [2, 4], got [2, 3]',
    );
    expect(() => m.forward(wg.ones([3, 2, 8]), wg.ones([4, 2, 8]), wg.ones([4, 2, 8]), { attnMask: wg.ones([3, 3]) })).toThrow(
      'wasmgrad.nn.MultiheadAttention: attnMask must be [3, 4] or [4, 3, 4] (N·heads, L, S), got [3, 3]',
    );
    expect(() => wg.scaledDotProductAttention(wg.ones([2, 3]), wg.ones([2, 4]), wg.ones([2, 2]))).toThrow(
      "wasmgrad.scaledDotProductAttention: key [..., S, E] must match query's E and value [..., S, Ev] key's S",
    );
    expect(() => wg.scaledDotProductAttention(wg.ones([2, 3]), wg.ones([2, 3]), wg.ones([2, 2]), { isCausal: true, attnMask: wg.zeros([2, 2]) })).toThrow(
      'wasmgrad.scaledDotProductAttention: takes attnMask or isCausal, not both',
    );
    expect(() => new wg.nn.TransformerEncoderLayer(8, 2, { activation: 'tanh' as 'relu' })).toThrow(
      "wasmgrad.nn.TransformerEncoderLayer: activation must be 'relu', 'gelu' or a function, got \"tanh\"",
    );
  });
});
