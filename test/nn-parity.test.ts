/**
 * Module behaviour found by probing against PyTorch 1.13: Embedding's paddingIdx and the unbatched
 * inputs ([C, L], [C, H, W]) the convolution and pooling modules accept as PyTorch does. Expected
 * values are PyTorch's, written as literals.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { loadSinStateDict, sinFilled } from './helpers/sin-fill.js';

beforeAll(async () => {
  await initWasm();
});

for (const be of ['wasm', 'reference'] as const)
  describe(`on ${be}`, () => {
    test('Embedding paddingIdx: the row is zero at init, looked up as it is, and gets no gradient', () => {
      wg.setBackend(be);
      wg.manualSeed(3);
      const fresh = new wg.nn.Embedding(5, 3, { paddingIdx: 1 });
      expect(Array.from(fresh.weight.data().slice(3, 6))).toEqual([0, 0, 0]);
      expect(
        fresh.weight
          .data()
          .slice(0, 3)
          .every((v) => v !== 0),
      ).toBe(true);
      // The other rows are the draws of an Embedding without padding from the same seed.
      wg.manualSeed(3);
      const plain = new wg.nn.Embedding(5, 3);
      expect(Array.from(fresh.weight.data().slice(6))).toEqual(Array.from(plain.weight.data().slice(6)));

      // torch: e = nn.Embedding(4, 2, padding_idx=-1); weight [[1,2],[3,4],[5,6],[7,8]];
      // (e([[3,0],[1,3]]) * [[[1,2],[3,4]],[[5,6],[7,8]]]).sum().backward()
      const e = new wg.nn.Embedding(4, 2, { paddingIdx: -1 });
      expect(e.paddingIdx).toBe(3);
      expect(String(e)).toBe('Embedding(4, 2, padding_idx=3)');
      e.loadStateDict({
        weight: wg.tensor([
          [1, 2],
          [3, 4],
          [5, 6],
          [7, 8],
        ]),
      });
      const y = e.forward(
        wg.tensor(
          [
            [3, 0],
            [1, 3],
          ],
          { dtype: 'int32' },
        ),
      );
      expect(Array.from(y.data())).toEqual([7, 8, 1, 2, 3, 4, 7, 8]);
      y.mul(
        wg.tensor([
          [
            [1, 2],
            [3, 4],
          ],
          [
            [5, 6],
            [7, 8],
          ],
        ]),
      )
        .sum()
        .backward();
      expect(Array.from(e.weight.grad!.data())).toEqual([3, 4, 5, 6, 0, 0, 0, 0]);
    });

    test('Embedding options: paddingIdx out of range and unknown options are ValueErrors', () => {
      wg.setBackend(be);
      expect(() => new wg.nn.Embedding(4, 2, { paddingIdx: 4 })).toThrow('wasmgrad.nn.Embedding: paddingIdx must be an integer in [-4, 3] or null, got 4');
      expect(() => new wg.nn.Embedding(4, 2, { paddingIdx: -5 })).toThrow('paddingIdx must be an integer in [-4, 3] or null, got -5');
      expect(() => new wg.nn.Embedding(4, 2, { paddingIdx: 1.5 })).toThrow('paddingIdx must be an integer in [-4, 3] or null, got 1.5');
      expect(() => new wg.nn.Embedding(4, 2, { sparse: 1 } as never)).toThrow(new wg.ValueError('nn.Embedding', 'sparse must be a boolean, got 1'));
      expect(() => new wg.nn.Embedding(4, 2, { sprase: true } as never)).toThrow("wasmgrad.nn.Embedding: unknown option 'sprase'");
      // PyTorch's sparse=True: printed; the gradient is dense, with the values torch's sparse one densifies to
      // e = nn.Embedding(4, 2, sparse=True, padding_idx=1); e(tensor([[0, 3], [0, 1]])).sum().backward(); e.weight.grad.to_dense()
      // → [[2, 2], [0, 0], [0, 0], [1, 1]]; repr 'Embedding(4, 2, padding_idx=1, sparse=True)'
      const sp = new wg.nn.Embedding(4, 2, { sparse: true, paddingIdx: 1 });
      expect([sp.sparse, String(sp)]).toEqual([true, 'Embedding(4, 2, padding_idx=1, sparse=True)']);
      sp.forward(
        wg.tensor(
          [
            [0, 3],
            [0, 1],
          ],
          { dtype: 'int32' },
        ),
      )
        .sum()
        .backward();
      expect(sp.weight.grad!.toArray()).toEqual([[2, 2], [0, 0], [0, 0], [1, 1]]); // prettier-ignore
      expect(() => new wg.nn.Embedding(4, 2, { scaleGradByFreq: 1 } as never)).toThrow(
        new wg.ValueError('nn.Embedding', 'scaleGradByFreq must be a boolean, got 1'),
      );
      expect(new wg.nn.Embedding(4, 2, { paddingIdx: null }).paddingIdx).toBeNull();
    });

    test("Embedding scaleGradByFreq: each lookup's gradient over the count of its row in the batch, with paddingIdx", () => {
      wg.setBackend(be);
      const idx = wg.tensor(
        [
          [0, 2, 2],
          [5, 2, 0],
        ],
        { dtype: 'int32' },
      );
      const seed = wg.arange(1, 13).reshape([2, 3, 2]); // [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]
      const W = () => wg.arange(12).reshape([6, 2]).requiresGrad_();
      const grad = (opts: wg.EmbeddingFnOptions) => {
        const w = W();
        const y = wg.embedding(idx, w, opts);
        expect(y.tolist()).toEqual(wg.embedding(idx, w.detach()).tolist());
        y.backward(seed);
        return w.grad!.tolist() as number[][];
      };
      // torch: W = arange(12.).reshape(6, 2); F.embedding(idx, W, scale_grad_by_freq=True).backward(seed): row 0 (1+11)/2,
      // (2+12)/2; row 2 (3+5+9)/3 = 5.6666669845581055 (float32 steps), (4+6+10)/3 = 6.6666669845581055; row 5 alone
      const scaled = grad({ scaleGradByFreq: true });
      expect([scaled[0], scaled[1], scaled[3], scaled[4], scaled[5]]).toEqual([
        [6, 7],
        [0, 0],
        [0, 0],
        [0, 0],
        [7, 8],
      ]);
      expectClose(scaled[2], [5.6666669845581055, 6.6666669845581055], 1e-6);
      // torch: padding_idx=2 takes row 2's gradient, the others keep theirs; padding_idx=0 likewise row 0
      expect(grad({ scaleGradByFreq: true, paddingIdx: 2 })).toEqual([
        [6, 7],
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
        [7, 8],
      ]);
      const pad0 = grad({ scaleGradByFreq: true, paddingIdx: 0 });
      expect([pad0[0], pad0[5]]).toEqual([
        [0, 0],
        [7, 8],
      ]);
      // torch: counts 3 and 4 of idx [1, 1, 1, 4, 4, 4, 4]: rows 0.20000000298023224, 2 and 2.75, 2.75
      const w = W();
      const e = wg.embedding(wg.tensor([1, 1, 1, 4, 4, 4, 4], { dtype: 'int32' }), w, { scaleGradByFreq: true });
      e.backward(
        wg.tensor([
          [0.1, 1],
          [0.2, 2],
          [0.3, 3],
          [1, 1],
          [2, 2],
          [3, 3],
          [5, 5],
        ]),
      );
      const rows = w.grad!.tolist() as number[][];
      expectClose(rows[1], [0.20000000298023224, 2], 1e-6);
      expect(rows[4]).toEqual([2.75, 2.75]);
      // the values are the lookups' own, −0 and ∞ included (an infinite element keeps an unscaled gradient)
      const odd = wg.tensor(
        [
          [-0, Infinity],
          [1, -2],
        ],
        { requiresGrad: true },
      );
      const twice = wg.tensor([0, 0, 1], { dtype: 'int32' });
      const v = wg.embedding(twice, odd, { scaleGradByFreq: true });
      expect(Object.is(v.data()[0], -0) && v.data()[1] === Infinity).toBe(true);
      v.sum().backward();
      expect(odd.grad!.tolist()).toEqual([
        [1, 2],
        [1, 1],
      ]);
    });

    test('nn.Embedding scaleGradByFreq: the option, its repr and fromPretrained as torch', () => {
      wg.setBackend(be);
      const e = wg.nn.Embedding.fromPretrained(wg.arange(8).reshape([4, 2]), { freeze: false, scaleGradByFreq: true, paddingIdx: 1 });
      // torch: Embedding(10, 3, padding_idx=1, scale_grad_by_freq=True)
      expect(String(new wg.nn.Embedding(10, 3, { paddingIdx: 1, scaleGradByFreq: true }))).toBe('Embedding(10, 3, padding_idx=1, scale_grad_by_freq=True)');
      expect(e.scaleGradByFreq).toBe(true);
      e.forward(wg.tensor([3, 3, 1, 0, 3, 3], { dtype: 'int32' }))
        .sum()
        .backward();
      expect(e.weight.grad!.tolist()).toEqual([
        [1, 1],
        [0, 0],
        [0, 0],
        [1, 1],
      ]);
    });

    test('nn.Embedding scaleGradByFreq trains under wg.compile as eagerly (fast replay, new indices every step)', () => {
      wg.setBackend(be);
      const make = () => {
        wg.manualSeed(1);
        const e = new wg.nn.Embedding(6, 3, { scaleGradByFreq: true, paddingIdx: 0 });
        return [e, new wg.optim.SGD(e.parameters(), { lr: 0.5 })] as const;
      };
      const step = (e: wg.nn.Embedding, opt: wg.optim.SGD) => (idx: wg.Tensor) => {
        opt.zeroGrad();
        const loss = e.forward(idx).pow(2).sum();
        loss.backward();
        opt.step();
        return loss;
      };
      const [e1, o1] = make();
      const [e2, o2] = make();
      const compiled = wg.compile(step(e2, o2));
      for (const v of [
        [1, 1, 2, 0, 5],
        [3, 3, 3, 1, 0],
        [2, 2, 2, 2, 4],
      ]) {
        const idx = wg.tensor(v, { dtype: 'int32' });
        expect(compiled(idx).item()).toBe(step(e1, o1)(idx).item());
      }
      expect(e2.weight.tolist()).toEqual(e1.weight.tolist());
      expect(compiled.replayInfo().map((r) => r.mode)).toEqual(['fast']);
    });

    test('convolution and pooling modules take unbatched inputs as PyTorch: the same as a batch of one', () => {
      wg.setBackend(be);
      wg.manualSeed(5);
      const cases: [wg.nn.Module<(x: wg.Tensor) => wg.Tensor | [wg.Tensor, wg.Tensor]>, number[]][] = [
        [new wg.nn.Conv1d(3, 4, 3, { padding: 1 }), [3, 7]],
        [new wg.nn.Conv2d(2, 3, 3, { stride: 2 }), [2, 5, 5]],
        [new wg.nn.ConvTranspose2d(3, 2, 3, { stride: 2 }), [3, 4, 5]],
        [new wg.nn.MaxPool2d(2), [2, 4, 5]],
        [new wg.nn.AvgPool2d(3, { padding: 1 }), [2, 4, 5]],
        [new wg.nn.AdaptiveAvgPool2d([2, 3]), [2, 4, 5]],
        [new wg.nn.AdaptiveMaxPool2d(2), [2, 4, 5]],
        [new wg.nn.MaxPool1d(2), [2, 5]],
        [new wg.nn.AvgPool1d(2), [2, 5]],
        [new wg.nn.AdaptiveAvgPool1d(3), [2, 7]],
      ];
      for (const [m, shape] of cases) {
        // float32 values, so that the reference backend's two inputs are the same numbers
        const values = wg.randn(shape).data();
        const x = wg.tensor(values, { shape, requiresGrad: true });
        const xb = wg.tensor(values, { shape: [1, ...shape], requiresGrad: true });
        const y = m.forward(x) as wg.Tensor;
        const yb = m.forward(xb) as wg.Tensor;
        expect(y.shape, String(m)).toEqual(yb.shape.slice(1));
        expect(Array.from(y.data())).toEqual(Array.from(yb.data()));
        const w = wg.tensor(wg.randn(y.shape).data(), { shape: y.shape });
        y.mul(w).sum().backward();
        yb.mul(w.reshape(yb.shape)).sum().backward();
        expectClose(x.grad!.data(), xb.grad!.data(), 1e-6);
      }
      const [out, idx] = new wg.nn.AdaptiveMaxPool2d(2, true).forward(wg.arange(12).reshape([1, 3, 4])) as [wg.Tensor, wg.Tensor];
      expect([out.shape, idx.shape]).toEqual([
        [1, 2, 2],
        [1, 2, 2],
      ]);
      // torch: nn.Conv2d(2, 3, 3)(torch.ones(3, 5, 5)) raises "expected input[1, 3, 5, 5] to have 2 channels"
      expect(() => new wg.nn.Conv2d(2, 3, 3).forward(wg.ones([3, 5, 5]))).toThrow(
        'wasmgrad.nn.Conv2d: expected an input [N, 2, H, W] or [2, H, W], got shape [3, 5, 5]',
      );
      expect(() => new wg.nn.Conv1d(3, 4, 3).forward(wg.ones([5]))).toThrow('wasmgrad.nn.Conv1d: expected an input [N, 3, L] or [3, L], got shape [5]');
    });

    test('BatchNorm loads a state dict without num_batches_tracked (older PyTorch, some exporters) with the count at 0, as PyTorch', () => {
      wg.setBackend(be);
      const model = new wg.nn.Sequential(new wg.nn.Linear(3, 2), new wg.nn.BatchNorm1d(2, { momentum: null }));
      model.forward(wg.randn([4, 3]));
      const bn = model.getSubmodule('1') as wg.nn.BatchNorm1d;
      expect(bn.numBatchesTracked!.item()).toBe(1);
      const sd = { ...model.stateDict() };
      delete sd['1.num_batches_tracked'];
      const saved = Array.from(bn.runningVar!.data());
      expect(model.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect(bn.numBatchesTracked!.item()).toBe(0);
      expect(Array.from(bn.runningVar!.data())).toEqual(saved);
      // the next batch is then the first of a cumulative average (momentum null): running_var is its unbiased variance
      const x = wg.tensor([
        [1, 2],
        [3, 5],
        [0, -1],
      ]);
      bn.forward(x);
      expectClose(bn.runningVar!.data(), [7 / 3, 9], 1e-6);
      // any other missing entry is still an error
      delete sd['1.running_var'];
      expect(() => model.loadStateDict(sd)).toThrow("missing key(s): '1.running_var'");
      expect(new wg.nn.BatchNorm2d(2, { trackRunningStats: false }).loadStateDict({ weight: wg.ones([2]), bias: wg.zeros([2]) })).toEqual({
        missingKeys: [],
        unexpectedKeys: [],
      });
    });

    test("assigning a module's parameter field ties it, as PyTorch (lm.weight = emb.weight): one parameter, two state-dict names", () => {
      wg.setBackend(be);
      const emb = new wg.nn.Embedding(4, 3);
      const lin = new wg.nn.Linear(3, 4, { bias: false });
      emb.loadStateDict({
        weight: wg.tensor(
          Array.from({ length: 12 }, (_, i) => i / 10),
          { shape: [4, 3] },
        ),
      });
      (lin as { weight: wg.Tensor }).weight = emb.weight;
      const m = new wg.nn.Sequential(emb, lin);
      expect(m.parameters()).toEqual([emb.weight]);
      expect(m.namedParameters().map(([k]) => k)).toEqual(['0.weight']);
      expect(Object.keys(m.stateDict())).toEqual(['0.weight', '1.weight']);
      expect(m.stateDict()['1.weight']).toBe(emb.weight);
      // torch: the same model, y and the summed gradient of both uses
      const y = m.forward(wg.tensor([[1, 3]], { dtype: 'int32' }));
      expectClose(y.data(), [0.14, 0.5, 0.86, 1.22, 0.32, 1.22, 2.12, 3.02], 1e-6);
      y.mul(wg.arange(8).reshape([1, 2, 4]))
        .sum()
        .backward();
      expectClose(emb.weight.grad!.data(), [3.6, 4, 4.4, 9, 10.2, 11.4, 6, 6.8, 7.6, 18.6, 21.8, 25], 1e-6);
      // the field accepts only what registerParameter does
      expect(() => ((lin as { weight: unknown }).weight = wg.ones([4, 3]))).toThrow(
        "wasmgrad.nn.Linear.weight: 'weight' must be a float32 leaf tensor with requiresGrad",
      );
      expect(() => ((lin as { weight: unknown }).weight = 3)).toThrow("wasmgrad.nn.Linear.weight: 'weight' must be a Tensor, got 3");
      expect(lin.weight).toBe(emb.weight);
    });

    test('Module.zeroGrad(setToNone): null by default (PyTorch ≥ 2.0), zeros in place with false (PyTorch 1.13 zero_grad())', () => {
      wg.setBackend(be);
      const m = new wg.nn.Sequential(new wg.nn.Linear(2, 3), new wg.nn.Linear(3, 1, { bias: false }));
      m.forward(wg.ones([4, 2]))
        .sum()
        .backward();
      const grads = m.parameters().map((p) => p.grad!);
      m.zeroGrad(false);
      m.parameters().forEach((p, i) => {
        expect(p.grad).toBe(grads[i]);
        expect(Array.from(p.grad!.data()).every((v) => v === 0)).toBe(true);
      });
      m.zeroGrad();
      expect(m.parameters().map((p) => p.grad)).toEqual([null, null, null]);
      expect(() => m.zeroGrad('no' as unknown as boolean)).toThrow('wasmgrad.nn.Sequential.zeroGrad: setToNone must be a boolean, got "no"');
    });

    test("Sequential of named modules (PyTorch's nn.Sequential(OrderedDict(...))): PyTorch's keys and printout", () => {
      wg.setBackend(be);
      const make = () =>
        new Map<string, wg.nn.Module>([
          ['fc', new wg.nn.Linear(2, 3)],
          ['act', new wg.nn.ReLU()],
          ['bn', new wg.nn.BatchNorm1d(3)],
        ]);
      for (const m of [new wg.nn.Sequential(make()), new wg.nn.Sequential(Object.fromEntries(make()))]) {
        expect(Object.keys(m.stateDict())).toEqual([
          'fc.weight',
          'fc.bias',
          'bn.weight',
          'bn.bias',
          'bn.running_mean',
          'bn.running_var',
          'bn.num_batches_tracked',
        ]);
        expect(String(m)).toBe(
          'Sequential(\n  (fc): Linear(in_features=2, out_features=3, bias=True)\n  (act): ReLU()\n  (bn): BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n)',
        );
        expect(m.at(2)).toBe(m.getSubmodule('bn'));
        // append numbers by position, as PyTorch: '3.weight'
        m.append(new wg.nn.Linear(3, 1));
        expect(Object.keys(m.stateDict()).slice(-2)).toEqual(['3.weight', '3.bias']);
        expect(m.forward(wg.ones([4, 2])).shape).toEqual([4, 1]);
      }
      expect(() => new wg.nn.Sequential(new Map([['a.b', new wg.nn.ReLU()]]))).toThrow(
        'nn.Sequential.registerModule: a name must be a non-empty string without \'.\', got "a.b"',
      );
    });

    test('Embedding.fromPretrained: frozen by default, the padding row keeps its values (torch 1.13 from_pretrained)', () => {
      wg.setBackend(be);
      const w = wg.tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      const e = wg.nn.Embedding.fromPretrained(w, { paddingIdx: 1 });
      expect(e.weight.requiresGrad).toBe(false);
      expect(e.weight).not.toBe(w);
      expect(String(e)).toBe('Embedding(3, 2, padding_idx=1)');
      expect(Array.from(e.forward(wg.tensor([1, 2], { dtype: 'int32' })).data())).toEqual([3, 4, 5, 6]);
      const e2 = wg.nn.Embedding.fromPretrained(w, { freeze: false, paddingIdx: 1 });
      e2.forward(wg.tensor([1, 2, 1], { dtype: 'int32' }))
        .sum()
        .backward();
      expect(Array.from(e2.weight.grad!.data())).toEqual([0, 0, 0, 0, 1, 1]);
      expect(() => wg.nn.Embedding.fromPretrained(wg.ones([3]))).toThrow(
        'wasmgrad.nn.Embedding.fromPretrained: embeddings must be 2-D [numEmbeddings, embeddingDim], got shape [3]',
      );
      expect(() => wg.nn.Embedding.fromPretrained(wg.ones([2, 2], { dtype: 'int32' }))).toThrow(wg.DTypeError);
      expect(() => wg.nn.Embedding.fromPretrained(w, { freeze: 'no' as unknown as boolean })).toThrow(wg.ValueError);
      expect(wg.nn.Embedding.fromPretrained(w, { sparse: true }).sparse).toBe(true);
    });

    test('InstanceNorm1d, CosineSimilarity, PairwiseDistance, UpsamplingNearest2d/Bilinear2d: torch 1.13 values', () => {
      wg.setBackend(be);
      const x = wg.tensor([
        [
          [1, 2, 4],
          [0, -1, 3],
        ],
      ]);
      expectClose(
        new wg.nn.InstanceNorm1d(2).forward(x).data(),
        [-1.0690414905548096, -0.2672603130340576, 1.3363019227981567, -0.3922315835952759, -0.9805789589881897, 1.3728106021881104],
        1e-6,
      );
      expect(
        new wg.nn.InstanceNorm1d(2).forward(
          wg.tensor([
            [1, 2, 4],
            [0, -1, 3],
          ]),
        ).shape,
      ).toEqual([2, 3]);
      expect(() => new wg.nn.InstanceNorm1d(2).forward(wg.ones([1, 3, 4]))).toThrow(
        'wasmgrad.nn.InstanceNorm1d: expected an input [N, 2, L] or [2, L], got shape [1, 3, 4]',
      );
      const a = wg.tensor([
        [1, 2, 3],
        [0, 1, 0],
      ]);
      const b = wg.tensor([
        [2, 0, 1],
        [1, 1, 1],
      ]);
      expectClose(new wg.nn.CosineSimilarity().forward(a, b).data(), [0.5976142883300781, 0.5773502588272095], 1e-6);
      expectClose(new wg.nn.PairwiseDistance().forward(a, b).data(), [3.0000009536743164, 1.4142121076583862], 1e-6);
      expect(() => new wg.nn.PairwiseDistance({ q: 1 } as never)).toThrow("wasmgrad.nn.PairwiseDistance: unknown option 'q'");
      const u = wg.tensor([
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      ]);
      expectClose(
        new wg.nn.UpsamplingBilinear2d({ scaleFactor: 2 }).forward(u).data(),
        [
          1, 1.3333332538604736, 1.6666667461395264, 2, 1.6666666269302368, 2, 2.3333332538604736, 2.6666667461395264, 2.3333334922790527, 2.6666665077209473,
          3, 3.3333334922790527, 3, 3.3333332538604736, 3.6666667461395264, 4.000000476837158,
        ],
        1e-6,
      );
      expect(Array.from(new wg.nn.UpsamplingNearest2d({ size: [3, 3] }).forward(u).data())).toEqual([1, 1, 2, 1, 1, 2, 3, 3, 4]);
      expect(() => new wg.nn.UpsamplingNearest2d({ scaleFactor: 2, mode: 'bilinear' } as never)).toThrow(
        "wasmgrad.nn.UpsamplingNearest2d: unknown option 'mode'",
      );
    });

    test("Dropout's printout is PyTorch's", () => {
      expect(String(new wg.nn.Dropout(0))).toBe('Dropout(p=0.0, inplace=False)');
      expect(String(new wg.nn.Dropout2d(0.25))).toBe('Dropout2d(p=0.25, inplace=False)');
    });

    test("TransformerEncoder reproduces PyTorch's nested-tensor inference path: zeros at padded positions before the norm (torch 1.13 values)", () => {
      wg.setBackend(be);
      const make = (opts: wg.nn.TransformerEncoderOptions = {}, layer: wg.nn.TransformerLayerOptions = {}) => {
        const m = new wg.nn.TransformerEncoder(new wg.nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, batchFirst: true, ...layer }), 1, {
          norm: new wg.nn.LayerNorm(4),
          ...opts,
        });
        loadSinStateDict(m);
        return m.eval();
      };
      const x = sinFilled([2, 3, 4], 0.9, false);
      const mask = wg.tensor(
        [
          [0, 0, 1],
          [0, 0, 0],
        ],
        { dtype: 'int32' },
      );
      // torch: with torch.no_grad(): m(x, src_key_padding_mask=mask); and with x.requires_grad_()
      const nested = [
        0.238257, 1.0385274, -0.1299518, 0.0745198, 0.2351358, 1.0266018, -0.0460754, -0.0208463, 0.2397128, 0.3728526, -0.4091386, -0.1869383, 0.2342363,
        1.0250478, -0.0405019, -0.0287396, 0.2637682, 1.0217059, -0.1538357, 0.1190335, 0.2292329, 1.0388297, -0.085154, 0.0189057,
      ];
      const dense = [...nested];
      dense.splice(8, 4, 0.2582019, 1.0256735, -0.1516921, 0.1125415);
      const run = (m: wg.nn.TransformerEncoder, input: wg.Tensor, srcKeyPaddingMask = mask) => Array.from(m.forward(input, { srcKeyPaddingMask }).data());
      expectClose(
        wg.noGrad(() => run(make(), x)),
        nested,
        2e-6,
      );
      expectClose(run(make(), sinFilled([2, 3, 4], 0.9, true)), dense, 2e-6); // gradients recorded: PyTorch's dense path
      expectClose(
        wg.noGrad(() => run(make({ enableNestedTensor: false }), x)),
        dense,
        2e-6,
      );
      // not taken: padding not at the end of a row (maskCheck), pre-norm layers, an odd head count
      const gap = wg.tensor(
        [
          [0, 1, 0],
          [0, 0, 0],
        ],
        { dtype: 'int32' },
      );
      const dense1 = wg.noGrad(() => run(make({ enableNestedTensor: false }), x, gap));
      expect(wg.noGrad(() => run(make(), x, gap))).toEqual(dense1);
      // maskCheck false: PyTorch keeps the first kₙ positions of each row whatever the mask says (torch 1.13 mask_check=False)
      expectClose(
        wg.noGrad(() => run(make({ maskCheck: false }), x, gap)),
        nested,
        2e-6,
      );
      // a float mask: nonzero (−∞ or not) is padding on this path, as PyTorch's logical_not
      expectClose(
        wg.noGrad(() =>
          run(
            make(),
            x,
            wg.tensor([
              [0, 0, -1],
              [0, 0, 0],
            ]),
          ),
        ),
        nested,
        2e-6,
      );
      const pre = wg.noGrad(() => run(make({}, { normFirst: true }), x));
      expect(pre).toEqual(wg.noGrad(() => run(make({ enableNestedTensor: false }, { normFirst: true }), x)));
      expect(() => make({ enableNestedTensor: 1 as unknown as boolean })).toThrow('wasmgrad.nn.TransformerEncoder: enableNestedTensor must be');
    });

    test('Upsample passes recomputeScaleFactor to interpolate (torch 1.13 literals)', () => {
      wg.setBackend(be);
      const x = wg.arange(9).reshape([1, 1, 3, 3]);
      const up = (recomputeScaleFactor?: boolean) => new wg.nn.Upsample({ scaleFactor: 1.5, mode: 'bilinear', recomputeScaleFactor }).forward(x);
      const near = (got: wg.Tensor, want: number[]) => Array.from(got.data()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
      near(up(true), [0, 0.625, 1.375, 2, 1.875, 2.5, 3.25, 3.875, 4.125, 4.75, 5.5, 6.125, 6, 6.625, 7.375, 8]);
      near(up(), [0, 0.5, 7 / 6, 11 / 6, 1.5, 2, 8 / 3, 10 / 3, 3.5, 4, 14 / 3, 16 / 3, 5.5, 6, 20 / 3, 22 / 3]);
    });

    test('RNN, GRU and LSTM have flattenParameters() (a no-op, as PyTorch on CPU)', () => {
      wg.setBackend(be);
      for (const m of [new wg.nn.RNN(2, 3), new wg.nn.GRU(2, 3), new wg.nn.LSTM(2, 3)]) {
        const before = Object.values(m.stateDict()).map((t) => Array.from(t.data()));
        expect(m.flattenParameters()).toBeUndefined();
        expect(Object.values(m.stateDict()).map((t) => Array.from(t.data()))).toEqual(before);
      }
    });
  });
