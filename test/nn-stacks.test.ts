/**
 * nn.TransformerEncoder, nn.TransformerDecoder, nn.Transformer and the recurrent cells against PyTorch 1.13 in float64
 * (test/fixtures/stacks-torch.py → stacks-torch.json: weights and inputs filled as
 * test/helpers/sin-fill.ts does), on both backends; and the loss modules, which must equal the
 * wg.losses function they wrap (those are checked against PyTorch in test/op-examples/).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { loadSinStateDict, sinFilled as filled } from './helpers/sin-fill.js';

const REF = JSON.parse(readFileSync(new URL('./fixtures/stacks-torch.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  await initWasm();
});

const vals = (t: wg.Tensor) => Array.from(t.data());
const TOL = 1e-4;
const padding = (rows: number[][]) => wg.tensor(rows, { dtype: 'int32' });

for (const be of ['wasm', 'reference'] as const) {
  describe(`transformer stacks on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    test("TransformerEncoder: PyTorch's keys, a final norm, causal mask and key padding; values and gradients", () => {
      const layer = new wg.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 });
      const enc = new wg.nn.TransformerEncoder(layer, 2, { norm: new wg.nn.LayerNorm(8) });
      expect(Object.keys(enc.stateDict())).toEqual(REF.enc_keys);
      // every copy starts with the layer's weights, as PyTorch's deepcopy
      expect(vals(enc.layers.at(1).linear1.weight)).toEqual(vals(layer.linear1.weight));
      expect(enc.layers.at(0)).not.toBe(layer);
      loadSinStateDict(enc);
      const src = filled([3, 2, 8], 0.25);
      const y = enc.forward(src, {
        mask: wg.nn.Transformer.generateSquareSubsequentMask(3),
        srcKeyPaddingMask: padding([
          [0, 0, 1],
          [0, 0, 0],
        ]),
      });
      y.pow(2).sum().backward();
      expectClose(vals(y), REF.enc.y, TOL);
      expectClose(vals(src.grad!), REF.enc.g, TOL);
      expectClose(vals(enc.layers.at(0).linear1.weight.grad!), REF.enc.gw, TOL);
      expectClose(vals(enc.norm!.weight!.grad!), REF.enc.gn, TOL);
    });

    test('TransformerDecoder: pre-norm, batchFirst, no final norm; memory key padding', () => {
      const dec = new wg.nn.TransformerDecoder(
        new wg.nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true, normFirst: true }),
        2,
      );
      expect(Object.keys(dec.stateDict())).toEqual(REF.dec_keys);
      expect(dec.norm).toBeNull();
      loadSinStateDict(dec);
      const tgt = filled([2, 3, 8], 0.15),
        mem = filled([2, 4, 8], 0.55);
      const y = dec.forward(tgt, mem, {
        tgtMask: wg.nn.Transformer.generateSquareSubsequentMask(3),
        memoryKeyPaddingMask: padding([
          [0, 1, 0, 0],
          [0, 0, 0, 0],
        ]),
      });
      y.sum().backward();
      expectClose(vals(y), REF.dec.y, TOL);
      expectClose(vals(tgt.grad!), REF.dec.gt, TOL);
      expectClose(vals(mem.grad!), REF.dec.gm, TOL);
      expectClose(vals(dec.layers.at(1).multiheadAttn!.inProjWeight!.grad!), REF.dec.gw, TOL);
    });

    test("Transformer: PyTorch's 46 keys, gelu, the square subsequent mask; values and gradients", () => {
      const tr = new wg.nn.Transformer(8, 2, { numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0, activation: 'gelu' });
      expect(Object.keys(tr.stateDict())).toEqual(REF.tr_keys);
      const mask = wg.nn.Transformer.generateSquareSubsequentMask(3);
      expect(vals(mask)).toEqual(REF.square_mask.map((v: number | string) => (v === '-inf' ? -Infinity : v)));
      loadSinStateDict(tr);
      const s = filled([4, 2, 8], 0.31),
        t = filled([3, 2, 8], 0.47);
      const y = tr.forward(s, t, { tgtMask: mask });
      y.mul(y).sum().backward();
      expectClose(vals(y), REF.tr.y, TOL);
      expectClose(vals(s.grad!), REF.tr.gs, TOL);
      expectClose(vals(t.grad!), REF.tr.gt, TOL);
      expectClose(vals((tr.encoder as wg.nn.TransformerEncoder).layers.at(0).selfAttn.outProj.weight.grad!), REF.tr.gw, TOL);
    });
  });
}

for (const be of ['wasm', 'reference'] as const) {
  describe(`recurrent cells on ${be}`, () => {
    beforeEach(() => wg.setBackend(be));

    for (const [name, make] of [
      ['rnn_tanh', () => new wg.nn.RNNCell(3, 4)],
      ['rnn_relu', () => new wg.nn.RNNCell(3, 4, { nonlinearity: 'relu' })],
      ['gru', () => new wg.nn.GRUCell(3, 4)],
    ] as const)
      test(`${name}: PyTorch's keys; one step's values and gradients; unbatched input with a zero state`, () => {
        const cell = make();
        expect(Object.keys(cell.stateDict())).toEqual(REF[`${name}_keys`]);
        loadSinStateDict(cell);
        const x = filled([2, 3], 0.9),
          h = filled([2, 4], 0.6);
        const h1 = cell.forward(x, h);
        h1.mul(h1).sum().backward();
        const ref = REF[name];
        expectClose(vals(h1), ref.h, TOL);
        expectClose(vals(x.grad!), ref.gx, TOL);
        expectClose(vals(h.grad!), ref.gh, TOL);
        expectClose(vals(cell.weightHh.grad!), ref.gw, TOL);
        expectClose(vals(cell.biasHh!.grad!), ref.gb, TOL);
        const hz = cell.forward(filled([3], 0.9));
        expect(hz.shape).toEqual([4]);
        expectClose(vals(hz), ref.hz, TOL);
      });

    test("lstm: PyTorch's keys; [h', c'] and the gradients of both; unbatched input with a zero state", () => {
      const cell = new wg.nn.LSTMCell(3, 4);
      expect(Object.keys(cell.stateDict())).toEqual(REF.lstm_keys);
      loadSinStateDict(cell);
      const x = filled([2, 3], 0.9),
        h = filled([2, 4], 0.6),
        c = filled([2, 4], 0.4);
      const [h1, c1] = cell.forward(x, [h, c]);
      h1.sum().add(c1.mul(c1).sum()).backward();
      expectClose(vals(h1), REF.lstm.h, TOL);
      expectClose(vals(c1), REF.lstm.c, TOL);
      expectClose(vals(x.grad!), REF.lstm.gx, TOL);
      expectClose(vals(h.grad!), REF.lstm.gh, TOL);
      expectClose(vals(c.grad!), REF.lstm.gc, TOL);
      expectClose(vals(cell.weightHh.grad!), REF.lstm.gw, TOL);
      const [hz, cz] = cell.forward(filled([3], 0.9));
      expectClose(vals(hz), REF.lstm.hz, TOL);
      expectClose(vals(cz), REF.lstm.cz, TOL);
    });
  });
}

describe('transformer stacks: init, modes, compile, errors', () => {
  beforeEach(() => wg.setBackend('wasm'));

  test("Transformer re-initialises every matrix with xavierUniform_ (PyTorch's _reset_parameters); vectors keep their init", () => {
    wg.manualSeed(3);
    const tr = new wg.nn.Transformer(16, 4, { numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32 });
    for (const [name, p] of tr.namedParameters()) {
      const v = vals(p);
      if (p.ndim > 1) {
        const bound = Math.sqrt(6 / (p.shape[0] + p.shape[1]));
        expect(Math.max(...v.map(Math.abs)), name).toBeLessThanOrEqual(bound);
        expect(Math.max(...v.map(Math.abs)), name).toBeGreaterThan(0.5 * bound);
      } else if (name.includes('norm') && name.endsWith('weight')) expect(new Set(v), name).toEqual(new Set([1]));
    }
  });

  test('train()/eval() reach every copied layer; copies keep the mode of the layer they copy', () => {
    const layer = new wg.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }).eval();
    const enc = new wg.nn.TransformerEncoder(layer, 3);
    for (const l of enc.layers) expect(l.training).toBe(false);
    enc.train();
    for (const l of enc.layers) expect(l.training).toBe(true);
  });

  test('an encoder stack trains under wg.compile like eager (same losses), in fast replay', () => {
    const run = (compiled: boolean) => {
      wg.manualSeed(7);
      const enc = new wg.nn.TransformerEncoder(new wg.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }), 2);
      const head = new wg.nn.Linear(8, 1);
      const params = [...enc.parameters(), ...head.parameters()];
      const opt = new wg.optim.Adam(params, { lr: 1e-2 });
      const x = filled([4, 5, 8], 0.7, false),
        target = filled([4, 5, 1], 0.3, false);
      const step = (a: wg.Tensor, b: wg.Tensor) => {
        opt.zeroGrad();
        const loss = wg.losses.mse(head.forward(enc.forward(a, { isCausal: true, mask: wg.nn.Transformer.generateSquareSubsequentMask(5) })), b);
        loss.backward();
        opt.step();
        return loss;
      };
      const f = compiled ? wg.compile(step) : step;
      const losses: number[] = [];
      for (let i = 0; i < 12; i++) losses.push(f(x, target).item());
      if (compiled) for (const info of (f as ReturnType<typeof wg.compile>).replayInfo()) expect(info).toMatchObject({ mode: 'fast', reason: null });
      return losses;
    };
    const eager = run(false),
      compiled = run(true);
    expectClose(compiled, eager, 1e-5);
    expect(eager[11]).toBeLessThan(0.5 * eager[0]);
  });

  test("PyTorch's keyword form: the leading arguments inside the options object build the same module", () => {
    const same = (a: wg.nn.AnyModule, b: wg.nn.AnyModule) => {
      const [sa, sb] = [a.stateDict(), b.stateDict()];
      expect(Object.keys(sa)).toEqual(Object.keys(sb));
      for (const k of Object.keys(sa)) expect(vals(sa[k]), k).toEqual(vals(sb[k]));
      expect(String(a)).toBe(String(b));
    };
    const built = <M extends wg.nn.AnyModule>(make: () => M) => {
      wg.manualSeed(7);
      return make();
    };
    const o = { dimFeedforward: 16, dropout: 0, normFirst: true };
    same(
      built(() => new wg.nn.TransformerEncoderLayer(8, 2, o)),
      built(() => new wg.nn.TransformerEncoderLayer({ dModel: 8, nhead: 2, ...o })),
    );
    same(
      built(() => new wg.nn.TransformerDecoderLayer(8, 2, o)),
      built(() => new wg.nn.TransformerDecoderLayer({ dModel: 8, nhead: 2, ...o })),
    );
    const t = { numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16 };
    same(
      built(() => new wg.nn.Transformer(8, 2, t)),
      built(() => new wg.nn.Transformer({ dModel: 8, nhead: 2, ...t })),
    );
    same(
      built(() => new wg.nn.MultiheadAttention(8, 2, { kdim: 5 })),
      built(() => new wg.nn.MultiheadAttention({ embedDim: 8, numHeads: 2, kdim: 5 })),
    );
    expect(() => new wg.nn.TransformerEncoderLayer({ dModel: 8 } as never)).toThrow(/nn\.TransformerEncoderLayer: nhead must be an integer ≥ 1, got undefined/);
    expect(() => new (wg.nn.TransformerEncoderLayer as never as new (...a: unknown[]) => unknown)({ dModel: 8, nhead: 2 }, 2)).toThrow(
      /nn\.TransformerEncoderLayer: the options object must be the last argument, got \[{dModel: 8, nhead: 2}, 2\]/,
    );
    expect(() => new wg.nn.MultiheadAttention({ embedDim: 8, numHeads: 2, kDim: 5 } as never)).toThrow(/unknown option 'kDim'/);
  });

  test('MultiheadAttention prints as PyTorch 1.13 (no settings; out_proj is a NonDynamicallyQuantizableLinear)', () => {
    // repr(torch.nn.MultiheadAttention(8, 2, kdim=5, vdim=6, bias=False))
    expect(String(new wg.nn.MultiheadAttention(8, 2, { kdim: 5, vdim: 6, bias: false }))).toBe(
      'MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=False)\n)',
    );
  });

  test('errors name the module and what was given', () => {
    const layer = new wg.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    expect(() => new wg.nn.TransformerEncoder(layer, 0)).toThrow(/nn\.TransformerEncoder: numLayers must be a positive integer, got 0/);
    expect(() => new wg.nn.TransformerEncoder(new wg.nn.Linear(2, 2) as never, 2)).toThrow(/nn\.TransformerEncoder: expects a TransformerEncoderLayer to copy/);
    expect(() => new wg.nn.TransformerDecoder(layer as never, 2)).toThrow(/nn\.TransformerDecoder: expects a TransformerDecoderLayer/);
    expect(() => new wg.nn.TransformerEncoder(layer, 2, { norm: 3 as never })).toThrow(/norm must be a Module/);
    expect(() => new wg.nn.TransformerEncoder(layer, 2, { nrom: null } as never)).toThrow(/unknown option 'nrom'/);
    const tr = new wg.nn.Transformer(8, 2, { numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16 });
    expect(() => tr.forward(wg.zeros([3, 2, 8]), wg.zeros([3, 4, 8]))).toThrow(
      /nn\.Transformer: the batch sizes of src \[3, 2, 8\] and tgt \[3, 4, 8\] must be equal/,
    );
    expect(() => tr.forward(wg.zeros([3, 2, 6]), wg.zeros([3, 2, 6]))).toThrow(/must be dModel = 8/);
    expect(() => tr.forward(wg.zeros([3, 2, 8]), wg.zeros([3, 8]))).toThrow(/both be \[L, N, E\]/);
    expect(() => wg.nn.Transformer.generateSquareSubsequentMask(-1)).toThrow(/sz must be an integer ≥ 0/);
  });
});

describe('recurrent cells: a hand-written loop trains under compile; errors', () => {
  beforeEach(() => wg.setBackend('wasm'));

  test('an LSTMCell unrolled by hand learns like eager under wg.compile, in fast replay', () => {
    const run = (compiled: boolean) => {
      wg.manualSeed(2);
      const cell = new wg.nn.LSTMCell(3, 8);
      const head = new wg.nn.Linear(8, 1);
      const opt = new wg.optim.Adam([...cell.parameters(), ...head.parameters()], { lr: 0.02 });
      const xs = filled([5, 4, 3], 0.41, false),
        target = filled([4, 1], 0.77, false);
      const step = (x: wg.Tensor, t: wg.Tensor) => {
        opt.zeroGrad();
        let state: [wg.Tensor, wg.Tensor] | null = null;
        for (const xt of wg.unbind(x, 0)) state = cell.forward(xt, state);
        const loss = wg.losses.mse(head.forward(state![0]), t);
        loss.backward();
        opt.step();
        return loss;
      };
      const f = compiled ? wg.compile(step) : step;
      const losses = Array.from({ length: 15 }, () => f(xs, target).item());
      if (compiled) for (const info of (f as ReturnType<typeof wg.compile>).replayInfo()) expect(info).toMatchObject({ mode: 'fast', reason: null });
      return losses;
    };
    const eager = run(false);
    expectClose(run(true), eager, 1e-5);
    expect(eager[14]).toBeLessThan(0.5 * eager[0]);
  });

  test('errors name the cell and the shapes', () => {
    const cell = new wg.nn.GRUCell(3, 4);
    expect(() => cell.forward(wg.zeros([2, 5]))).toThrow(/nn\.GRUCell: expected an input \[N, 3\] or unbatched \[3\], got shape \[2, 5\]/);
    expect(() => cell.forward(wg.zeros([2, 3]), wg.zeros([3, 4]))).toThrow(
      /nn\.GRUCell: expected hx of shape \[2, 4\] for an input of shape \[2, 3\], got \[3, 4\]/,
    );
    expect(() => new wg.nn.LSTMCell(3, 4).forward(wg.zeros([3]), [wg.zeros([4])] as never)).toThrow(/nn\.LSTMCell: the state must be an array \[h, c\]/);
    expect(() => new wg.nn.RNNCell(3, 4, { nonlinearity: 'gelu' as never })).toThrow(/nn\.RNNCell: nonlinearity must be 'tanh' or 'relu'/);
    expect(() => new wg.nn.RNNCell(3, 0)).toThrow(/hiddenSize/);
    expect(String(new wg.nn.RNNCell(3, 4, { bias: false, nonlinearity: 'relu' }))).toBe("RNNCell(3, 4, bias=False, nonlinearity='relu')");
    expect(Object.keys(new wg.nn.LSTMCell(2, 3, { bias: false }).stateDict())).toEqual(['weight_ih', 'weight_hh']);
  });
});

describe('loss modules', () => {
  beforeEach(() => wg.setBackend('wasm'));
  const logits = () => filled([4, 5], 0.8);
  /** A leaf holding t's values, so its gradient is kept. */
  const leaf = (t: wg.Tensor) => wg.tensor(vals(t), { shape: [...t.shape], requiresGrad: true });
  const labels = () => wg.tensor([1, 4, -100, 0], { dtype: 'int32' });

  test('each module gives what its wg.losses function gives, with the same options (values and gradients)', () => {
    const pairs: [wg.nn.AnyModule, (...a: wg.Tensor[]) => wg.Tensor, () => wg.Tensor[]][] = [
      [new wg.nn.MSELoss(), (a, b) => wg.losses.mse(a, b), () => [filled([3, 4], 0.3), filled([3, 4], 0.9, false)]],
      [new wg.nn.L1Loss({ reduction: 'sum' }), (a, b) => wg.losses.l1(a, b, { reduction: 'sum' }), () => [filled([3, 4], 0.3), filled([3, 4], 0.9, false)]],
      [new wg.nn.HuberLoss({ delta: 0.2 }), (a, b) => wg.losses.huber(a, b, { delta: 0.2 }), () => [filled([5], 0.3), filled([5], 0.9, false)]],
      [new wg.nn.SmoothL1Loss({ beta: 0.3 }), (a, b) => wg.losses.smoothL1(a, b, { beta: 0.3 }), () => [filled([5], 0.3), filled([5], 0.9, false)]],
      [new wg.nn.CrossEntropyLoss({ labelSmoothing: 0.1 }), (a, b) => wg.losses.crossEntropy(a, b, { labelSmoothing: 0.1 }), () => [logits(), labels()]],
      [new wg.nn.NLLLoss({ reduction: 'none' }), (a, b) => wg.losses.nll(a, b, { reduction: 'none' }), () => [leaf(logits().logSoftmax(1)), labels()]],
      [new wg.nn.BCELoss(), (a, b) => wg.losses.bce(a, b), () => [leaf(filled([6], 0.4).sigmoid()), filled([6], 0.7, false).add(0.5)]],
      [new wg.nn.BCEWithLogitsLoss(), (a, b) => wg.losses.bceWithLogits(a, b), () => [filled([6], 0.4), filled([6], 0.7, false).add(0.5)]],
      [
        new wg.nn.KLDivLoss({ reduction: 'batchmean' }),
        (a, b) => wg.losses.klDiv(a, b, { reduction: 'batchmean' }),
        () => [leaf(logits().logSoftmax(1)), filled([4, 5], 0.2, false).softmax(1)],
      ],
      [
        new wg.nn.MarginRankingLoss({ margin: 0.1 }),
        (a, b, c) => wg.losses.marginRanking(a, b, c, { margin: 0.1 }),
        () => [filled([4], 0.3), filled([4], 0.6), wg.tensor([1, -1, 1, -1])],
      ],
      [new wg.nn.HingeEmbeddingLoss(), (a, b) => wg.losses.hingeEmbedding(a, b), () => [filled([4], 0.3), wg.tensor([1, -1, 1, -1])]],
    ];
    for (const [m, f, args] of pairs) {
      const a = args(),
        b = args();
      const lm = (m.forward as (...x: wg.Tensor[]) => wg.Tensor)(...a),
        lf = f(...b);
      expect(vals(lm), m.constructor.name).toEqual(vals(lf));
      lm.sum().backward();
      lf.sum().backward();
      expect(vals(a[0].grad!), m.constructor.name).toEqual(vals(b[0].grad!));
    }
  });

  test("a class weight is a buffer named 'weight', as PyTorch's; it moves with loadStateDict", () => {
    const w = wg.tensor([1, 2, 0.5, 1, 3]);
    const ce = new wg.nn.CrossEntropyLoss({ weight: w, ignoreIndex: -100 });
    expect(Object.keys(ce.stateDict())).toEqual(['weight']);
    expect(ce.parameters()).toEqual([]);
    const want = wg.losses.crossEntropy(logits(), labels(), { weight: w }).item();
    expect(ce.forward(logits(), labels()).item()).toBeCloseTo(want, 6);
    ce.loadStateDict({ weight: wg.ones([5]) });
    expect(ce.forward(logits(), labels()).item()).toBeCloseTo(wg.losses.crossEntropy(logits(), labels()).item(), 6);
    expect(Object.keys(new wg.nn.NLLLoss().stateDict())).toEqual([]);
  });

  test("NLLLoss2d, PyTorch's deprecated name, is NLLLoss over [N, C, H, W] (its name in printing and errors)", () => {
    const x = logits().reshape([1, 5, 2, 2]).logSoftmax(1);
    const y = wg.tensor([0, 4, 2, 1], { dtype: 'int32', shape: [1, 2, 2] });
    const m = new wg.nn.NLLLoss2d({ weight: wg.tensor([1, 2, 0.5, 1, 3]) });
    expect(m.forward(x, y).item()).toBe(wg.losses.nll(x, y, { weight: wg.tensor([1, 2, 0.5, 1, 3]) }).item());
    expect(m.toString()).toBe('NLLLoss2d()');
    expect(() => new wg.nn.NLLLoss2d({ ignoreIndex: 1.5 })).toThrow(/nn\.NLLLoss2d: ignoreIndex must be an integer/);
  });

  test('options are checked when the module is built', () => {
    expect(() => new wg.nn.MSELoss({ reduction: 'avg' as never })).toThrow(/nn\.MSELoss: reduction must be 'mean', 'sum', 'none', got "avg"/);
    expect(() => new wg.nn.CrossEntropyLoss({ labelSmothing: 0.1 } as never)).toThrow(/nn\.CrossEntropyLoss: unknown option 'labelSmothing'/);
    expect(() => new wg.nn.KLDivLoss({ reduction: 'batchmean' })).not.toThrow();
    expect(String(new wg.nn.CrossEntropyLoss({ reduction: 'sum' }))).toBe('CrossEntropyLoss()'); // torch's loss reprs show no options
  });
});
