/**
 * PyTorch 1.13 public names that were missing (src/api/torch-dtypes.ts, src/nn/parameter.ts, …) on
 * both backends: values and gradients from torch as literals (each test quotes the torch call),
 * gradcheck on the reference backend where torch has a gradient, and the error paths.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';
import { run, type Nested } from './helpers/torch-run.js';

beforeAll(async () => {
  await initWasm();
});

for (const be of ['wasm', 'reference'] as const) {
  describe(`torch gaps on ${be}`, () => {
    beforeAll(() => wg.setBackend(be));

    test('nn.Parameter: a trainable leaf over the data, frozen with requiresGrad false, instanceof as torch', () => {
      // torch: p = nn.Parameter(t) → requires_grad True, is_leaf, shares t's data; t unchanged
      const t = wg.tensor([1, 2]);
      const p = new wg.nn.Parameter(t);
      expect(p).toBeInstanceOf(wg.Tensor);
      expect([p.requiresGrad, p.isLeaf, t.requiresGrad]).toEqual([true, true, false]);
      expect(p.toArray()).toEqual([1, 2]);
      // nn.Parameter(t, requires_grad=False).requires_grad → False; nn.Parameter().shape → [0]
      expect(new wg.nn.Parameter(t, false).requiresGrad).toBe(false);
      expect(new wg.nn.Parameter(t, { requiresGrad: false }).requiresGrad).toBe(false);
      const none = new wg.nn.Parameter();
      expect([none.shape, none.requiresGrad]).toEqual([[0], true]);
      // isinstance(Linear.weight, nn.Parameter) → True; isinstance(torch.randn(2, requires_grad=True), nn.Parameter) → False
      expect(new wg.nn.Linear(2, 2).weight).toBeInstanceOf(wg.nn.Parameter);
      expect(p).toBeInstanceOf(wg.nn.Parameter);
      expect(wg.randn([2], { requiresGrad: true })).not.toBeInstanceOf(wg.nn.Parameter);
      expect(3).not.toBeInstanceOf(wg.nn.Parameter);
      // a module registers a frozen Parameter: named_parameters() → ['weight', 'bias', 'extra']
      const m = new wg.nn.Linear(2, 2);
      m.registerParameter('extra', new wg.nn.Parameter(wg.ones([3]), false));
      expect(m.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias', 'extra']);
      expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias', 'extra']);
      // a plain tensor without requiresGrad is still refused
      expect(() => m.registerParameter('plain', wg.ones([1]))).toThrow(/'plain' must be a float32 leaf tensor with requiresGrad/);
      // trains like any parameter
      const w = new wg.nn.Parameter(wg.tensor([3, -1]));
      const opt = new wg.optim.SGD([w], { lr: 0.5 });
      w.square().sum().backward();
      opt.step();
      expect(w.toArray()).toEqual([0, 0]);
      // nn.Parameter(torch.tensor([1, 2])) → "Only Tensors of floating point and complex dtype can require gradients"
      expect(() => new wg.nn.Parameter(wg.tensor([1, 2], { dtype: 'int32' }))).toThrow(
        'wasmgrad.nn.Parameter: only float32 tensors can be parameters, got an int32 tensor of shape [2]',
      );
      expect(() => new wg.nn.Parameter(wg.ones([1]), 1 as never)).toThrow(/nn\.Parameter: requiresGrad must be a boolean/);
      expect(() => new wg.nn.Parameter([1] as never)).toThrow('wasmgrad.nn.Parameter: data must be a Tensor, got [1]');
    });

    test('dtype casts: double/half/bfloat16 keep float32, byte/char/short wrap as torch, bool is the 0/1 mask', () => {
      const vals = [-1.5, 300.7, 127.9, 128.2, -129.5, 40000.5, -40000.5, 255.9, 256, NaN, 2.5, -0.7, 70000];
      const x = wg.tensor(vals, { requiresGrad: true });
      // x.byte(), x.char(), x.short() of torch.tensor(vals)
      expect(x.byte().toArray()).toEqual([255, 44, 127, 128, 127, 64, 192, 255, 0, 0, 2, 0, 112]);
      expect(x.char().toArray()).toEqual([-1, 44, 127, -128, 127, 64, -64, -1, 0, 0, 2, 0, 112]);
      expect(x.short().toArray()).toEqual([-1, 300, 127, 128, -129, -25536, 25536, 255, 256, 0, 2, 0, 4464]);
      expect([x.byte().dtype, x.char().dtype, x.short().dtype]).toEqual(['int32', 'int32', 'int32']);
      // x.bool() → all True (NaN is nonzero); here the float32 0/1 mask
      const b = wg.tensor([0, -0, 2, NaN, -1e-30]).bool();
      expect([b.dtype, b.toArray()]).toEqual(['float32', [0, 0, 1, 1, 1]]);
      const i = wg.tensor([-1, 300, 127, 128, -129, 40000, -40000, 255, 256, 2 ** 31 - 1, -(2 ** 31)], { dtype: 'int32' });
      // the same on int32: i.byte(), i.char(), i.short(), i.bool()
      expect(i.byte().toArray()).toEqual([255, 44, 127, 128, 127, 64, 192, 255, 0, 255, 0]);
      expect(i.char().toArray()).toEqual([-1, 44, 127, -128, 127, 64, -64, -1, 0, -1, 0]);
      expect(i.short().toArray()).toEqual([-1, 300, 127, 128, -129, -25536, 25536, 255, 256, -1, 0]);
      expect(i.bool().toArray()).toEqual(Array(11).fill(1));
      expect(wg.tensor([0, 3], { dtype: 'int32' }).bool().toArray()).toEqual([0, 1]);
      // double/half/bfloat16 of float32: itself (the gradient flows: x.double().sum().backward() → ones)
      expect(x.double()).toBe(x);
      expect(x.half()).toBe(x);
      expect(x.bfloat16()).toBe(x);
      x.double().sum().backward();
      expect(x.grad!.toArray()).toEqual(Array(13).fill(1));
      expect(i.double().dtype).toBe('float32');
      expect(i.half().toArray()).toEqual(i.float().toArray());
      expect(() => wg.tensor([1]).byte.call(2 as never)).toThrow('wasmgrad.byte: input must be a Tensor, got 2');
    });

    test('dtype names and constants: torch.float64 and friends are wasmgrad dtypes', () => {
      expect([wg.float32, wg.float, wg.float64, wg.double, wg.float16, wg.half, wg.bfloat16]).toEqual(Array(7).fill('float32'));
      expect([wg.int32, wg.int, wg.int64, wg.long]).toEqual(Array(4).fill('int32'));
      expect(wg.zeros([2], { dtype: wg.long }).dtype).toBe('int32');
      expect(wg.tensor([1.5]).to(wg.float64).dtype).toBe('float32');
      // torch.pi, torch.e, torch.inf, torch.nan
      expect([wg.pi, wg.e, wg.inf]).toEqual([3.141592653589793, 2.718281828459045, Infinity]);
      expect(wg.nan).toBeNaN();
      // torch.get_default_dtype() → torch.float32
      expect(wg.getDefaultDtype()).toBe('float32');
      wg.setDefaultDtype(wg.float32);
      expect(() => wg.setDefaultDtype('int32')).toThrow(
        `wasmgrad.setDefaultDtype: wasmgrad computes in float32 only: the default dtype must be 'float32', got "int32"`,
      );
    });

    test('nn.init.eye_ and dirac_: the flat indices of the ones as torch', () => {
      const ones = (t: wg.Tensor) => (t.data() as Float32Array).reduce<number[]>((at, v, i) => (v === 0 ? at : [...at, i]), []);
      // w = torch.empty(shape); nn.init.dirac_(w, groups); w.flatten().nonzero().flatten().tolist()
      const cases: [number[], number, number[]][] = [
        [[4, 2, 3], 2, [1, 10, 13, 22]],
        [[2, 3, 3, 4], 1, [6, 54]],
        [[6, 2, 1, 2, 3], 3, [4, 22, 28, 46, 52, 70]],
        [[5, 7, 2], 1, [1, 17, 33, 49, 65]],
        [[3, 1, 4, 4], 3, [10, 26, 42]],
      ];
      for (const [shape, groups, want] of cases) {
        const w = wg.randn(shape);
        expect(wg.nn.init.dirac_(w, groups)).toBe(w);
        expect(ones(w), `${shape}`).toEqual(want);
        expect(w.data().every((v) => v === 0 || v === 1)).toBe(true);
      }
      expect(ones(wg.nn.init.dirac_(wg.randn([4, 2, 3]), { groups: 2 }))).toEqual([1, 10, 13, 22]);
      // nn.init.eye_ on (3, 5), (5, 3), (1, 1)
      expect(ones(wg.nn.init.eye_(wg.randn([3, 5])))).toEqual([0, 6, 12]);
      expect(ones(wg.nn.init.eye_(wg.randn([5, 3])))).toEqual([0, 4, 8]);
      expect(wg.nn.init.eye_(wg.randn([1, 1])).toArray()).toEqual([[1]]);
      // a parameter is filled without recording a graph
      const lin = new wg.nn.Linear(3, 3);
      wg.nn.init.eye_(lin.weight);
      expect(lin.weight.isLeaf).toBe(true);
      expectClose(
        lin
          .forward(wg.tensor([[1, 2, 3]]))
          .sub(lin.bias!)
          .data(),
        [1, 2, 3],
        1e-6,
      );
      // a conv weight that requires grad is filled in place, still a leaf: conv1d with it passes each channel's centre through
      const w = new wg.nn.Conv1d(2, 2, 3).weight;
      expect([wg.nn.init.dirac_(w), w.isLeaf, wg.nn.functional.conv1d(wg.tensor([[[1, 2, 3], [4, 5, 6]]]), w).toArray()]).toEqual([w, true, [[[2], [5]]]]); // prettier-ignore
      // errors: torch's "dim 0 must be divisible by groups", "Only tensors with 2 dimensions are supported"
      expect(() => wg.nn.init.dirac_(wg.zeros([3, 2, 2]), 2)).toThrow(
        'wasmgrad.nn.init.dirac_: dim 0 must be divisible by groups, got [3, 2, 2] and groups = 2',
      );
      expect(() => wg.nn.init.dirac_(wg.zeros([3, 2]))).toThrow('wasmgrad.nn.init.dirac_: only tensors with 3, 4, or 5 dimensions are supported, got [3, 2]');
      expect(() => wg.nn.init.dirac_(wg.zeros([3, 2, 2]), 0)).toThrow('wasmgrad.nn.init.dirac_: groups must be a positive integer, got 0');
      expect(() => wg.nn.init.eye_(wg.zeros([3]))).toThrow('wasmgrad.nn.init.eye_: only tensors with 2 dimensions are supported, got [3]');
      expect(() => wg.nn.init.eye_(wg.zeros([2, 2], { dtype: 'int32' }))).toThrow('wasmgrad.nn.init.eye_: needs a float32 tensor, got int32 [2, 2]');
    });

    test('nn.init.sparse_: ceil(sparsity·rows) zeros per column, the rest N(0, std²), seeded', () => {
      wg.manualSeed(7);
      const w = wg.nn.init.sparse_(wg.empty([17, 40]), 0.3);
      const v = w.toArray() as number[][];
      // torch: num_zeros = ceil(0.3 · 17) = 6 in every column
      for (let c = 0; c < 40; c++) expect(v.filter((row) => row[c] === 0).length).toBe(6);
      const nz = v.flat().filter((x) => x !== 0);
      const sd = Math.sqrt(nz.reduce((a, x) => a + x * x, 0) / nz.length);
      expect(sd).toBeGreaterThan(0.008);
      expect(sd).toBeLessThan(0.012);
      wg.manualSeed(7);
      expect(wg.nn.init.sparse_(wg.empty([17, 40]), { sparsity: 0.3 }).toArray()).toEqual(v);
      // std given, sparsity 0 and 1
      expect(Math.max(...(wg.nn.init.sparse_(wg.empty([5, 3]), 0, 10).data() as Float32Array).map(Math.abs))).toBeGreaterThan(1);
      expect(wg.nn.init.sparse_(wg.empty([5, 3]), 1).toArray()).toEqual(wg.zeros([5, 3]).toArray());
      expect(() => wg.nn.init.sparse_(wg.empty([5]), 0.5)).toThrow('wasmgrad.nn.init.sparse_: only tensors with 2 dimensions are supported, got [5]');
      expect(() => wg.nn.init.sparse_(wg.empty([5, 2]), 1.5)).toThrow('wasmgrad.nn.init.sparse_: sparsity must be a number in [0, 1], got 1.5');
      expect(() => wg.nn.init.sparse_(wg.empty([5, 2]), 0.5, -1)).toThrow('wasmgrad.nn.init.sparse_: std must be a finite number ≥ 0, got -1');
    });

    test("torch's top-level losses: ATen's positional order and reduction enum (0 none, 1 mean, 2 sum)", () => {
      const x = wg.tensor([
        [0.5, -1.2, 2.0],
        [0.3, 0.9, -0.4],
      ]);
      const t = wg.tensor([
        [1, 0, 0.5],
        [0, 1, 1],
      ]);
      const [w, pw] = [wg.tensor([1, 2, 0.5]), wg.tensor([2, 1, 3])];
      // torch.binary_cross_entropy_with_logits(x, t, w, pw, 2)
      run(
        (x) => wg.binaryCrossEntropyWithLogits(x, t, w, pw, 2),
        [x],
        [
          5.007833003997803,
          [
            [
              [-0.755081295967102, 0.4629504382610321, 0.13079702854156494],
              [0.5744425058364868, -0.5781010389328003, -0.89803147315979],
            ],
          ],
        ],
      );
      // torch.binary_cross_entropy_with_logits(x, t, None, pw, 0)
      const none = [
        [
          [0.9481539726257324, 0.2632824182510376, 1.2538560628890991],
          [0.8543552756309509, 0.34115391969680786, 2.7390456199645996],
        ],
        [
          [
            [-0.755081295967102, 0.4629504382610321, 0.7847821712493896],
            [2.2977700233459473, -1.4452526569366455, -10.77637767791748],
          ],
        ],
      ] as [Nested, Nested[]];
      run((x) => wg.binaryCrossEntropyWithLogits(x, t, null, pw, 0), [x], none, 1e-5);
      run((x) => wg.binaryCrossEntropyWithLogits(x, t, { posWeight: pw, reduction: 'none' }), [x], none, 1e-5);
      const lp = wg
        .tensor([
          [0.1, 0.5, -0.3],
          [1.0, -1.0, 0.2],
        ])
        .logSoftmax(1);
      // torch.kl_div(lp, lp.exp(), 1): 0 up to rounding, and its gradient
      run(
        (a) => wg.klDiv(a, lp.exp(), 1),
        [lp],
        [
          0,
          [
            [
              [-0.052706848829984665, -0.07862937450408936, -0.035330455750226974],
              [-0.10517474263906479, -0.014233852736651897, -0.04725806042551994],
            ],
          ],
        ],
        1e-6,
      );
      // torch.kl_div(lp, lp.flip(0), 0, log_target=True)
      run(
        (a) => wg.klDiv(a, lp.flip(0), 0, { logTarget: true }),
        [lp],
        [
          [
            [0.43597739934921265, -0.1459643542766571, 0.08247792720794678],
            [-0.21848396956920624, 0.8063231706619263, -0.061661072075366974],
          ],
          [
            [
              [-0.6310484409332275, -0.17080622911453247, -0.8506450653076172],
              [-1.2649643421173096, -2.3588809967041016, -1.2718963623046875],
            ],
          ],
        ],
      );
      const y = wg.tensor([1, -1, 1]);
      const [a, b] = [wg.tensor([0.3, 1.7, -0.4]), wg.tensor([0.8, -0.2, 0.1])];
      // torch.hinge_embedding_loss(a, y, 0.5, 2); torch.margin_ranking_loss(a, b, y, 0.1, 1)
      run((a) => wg.hingeEmbeddingLoss(a, y, 0.5, 2), [a], [-0.09999999403953552, [[1, 0, 1]]]);
      run(
        (a, b) => wg.marginRankingLoss(a, b, y, 0.1, 1),
        [a, b],
        [
          1.066666603088379,
          [
            [-1 / 3, 1 / 3, -1 / 3],
            [1 / 3, -1 / 3, 1 / 3],
          ],
        ],
      );
      const A = wg.tensor([
        [0.3, 1.7, -0.4],
        [1, 2, 0.5],
      ]);
      const B = wg.tensor([
        [0.8, -0.2, 0.1],
        [0.5, 2.5, 0],
      ]);
      const C = wg.tensor([
        [1, 1, 1],
        [0, -1, 2],
      ]);
      // torch.cosine_embedding_loss(A, B, torch.tensor([1., -1.]), 0.2, 0)
      run(
        (A, B) => wg.cosineEmbeddingLoss(A, B, wg.tensor([1, -1]), 0.2, 0),
        [A, B],
        [
          [1.095112681388855, 0.7415131330490112],
          [
            [
              [-0.5525885224342346, 0.08438117057085037, -0.05582139268517494],
              [-0.18748749792575836, 0.13857758045196533, -0.1793358474969864],
            ],
            [
              [-0.3140886425971985, -1.1273714303970337, 0.25796619057655334],
              [0.1975202113389969, -0.03950411081314087, 0.17118419706821442],
            ],
          ],
        ],
        1e-5,
      );
      // torch.triplet_margin_loss(A, B, C, 1.0, 1., 1e-6, True, 1)
      run(
        (A, B, C) => wg.tripletMarginLoss(A, B, C, 1, 1, 1e-6, true, 1),
        [A, B, C],
        [
          0.8000010251998901,
          [
            [
              [-0.5, 0.5, -0.5],
              [0, 0, 0],
            ],
            [
              [1, 0, 1],
              [0, 0, 0],
            ],
            [
              [-0.5, -0.5, -0.5],
              [0, 0, 0],
            ],
          ],
        ],
        1e-5,
      );
      const target = wg.tensor([1, 0, 3]);
      // torch.poisson_nll_loss(a, target, True, True, 1e-8, 2); torch.poisson_nll_loss(a.abs(), target, False, False, 1e-8, 0)
      run(
        (a) => wg.poissonNllLoss(a, target, true, true, 1e-8, 2),
        [a],
        [10.158208847045898, [[0.34985876083374023, 5.473947525024414, -2.3296799659729004]]],
        1e-5,
      );
      run(
        (a) => wg.poissonNllLoss(a.abs(), target, false, false, 1e-8, 0),
        [a],
        [[1.5039727687835693, 1.7000000476837158, 3.148872137069702], [[-2.3333332538604736, 2, 19.5]]],
        1e-5,
      );
      // the defaults (reduction 1) and F's values
      expect(wg.hingeEmbeddingLoss(a, y).item()).toBeCloseTo(wg.nn.functional.hingeEmbeddingLoss(a, y).item(), 6);
      expect(wg.klDiv(lp, lp.exp(), { reduction: 'sum' }).item()).toBeCloseTo(0, 6);
      expect(() => wg.hingeEmbeddingLoss(a, y, 1, 3)).toThrow(
        'wasmgrad.hingeEmbeddingLoss: reduction must be 0 (none), 1 (mean) or 2 (sum), or its name, got 3',
      );
      expect(() => wg.marginRankingLoss(a, b, y, 0, 1, 2)).toThrow('wasmgrad.marginRankingLoss: takes 2 arguments after the inputs (margin, reduction), got 3');
      if (be === 'reference')
        for (const f of [
          (a: wg.Tensor) => wg.hingeEmbeddingLoss(a, y, 0.5, 2),
          (a: wg.Tensor) => wg.poissonNllLoss(a, target, true, false, 1e-8, 1),
          (a: wg.Tensor) => wg.binaryCrossEntropyWithLogits(a, wg.tensor([1, 0, 0.5]), w, pw, 1),
        ])
          expect(wg.gradcheck(f, [wg.tensor([0.3, 1.7, -0.4], { requiresGrad: true })]).ok).toBe(true);
    });

    test('torch.ctc_loss: ATen positional form with the reduction enum', () => {
      wg.manualSeed(3);
      const lp = wg.randn([7, 2, 5]).logSoftmax(2);
      const targets = wg.tensor(
        [
          [1, 2, 2],
          [3, 1, 0],
        ],
        { dtype: 'int32' },
      );
      const args = [lp, targets, [7, 6], [3, 2]] as const;
      expect(wg.ctcLoss(...args, 0, 0).toArray()).toEqual(wg.nn.functional.ctcLoss(...args, { blank: 0, reduction: 'none' }).toArray());
      expect(wg.ctcLoss(...args, 0, 2, false).item()).toBeCloseTo(wg.nn.functional.ctcLoss(...args, { reduction: 'sum' }).item(), 5);
      expect(wg.ctcLoss(...args).item()).toBeCloseTo(wg.nn.functional.ctcLoss(...args).item(), 6);
    });

    test('functional recurrent cells: torch.rnn_tanh_cell, rnn_relu_cell, gru_cell, lstm_cell', () => {
      const [H, I] = [3, 2];
      // torch: W(g, c) = (torch.arange(g·H·c).reshape(g·H, c) · 0.37).sin() · 0.5; biases cos(0.7 k)·0.3 and sin(1.3 k)·0.2
      const W = (g: number, c: number) =>
        wg
          .arange(g * H * c)
          .mul(0.37)
          .sin()
          .mul(0.5)
          .reshape([g * H, c]);
      const bi = (g: number) =>
        wg
          .arange(g * H)
          .mul(0.7)
          .cos()
          .mul(0.3);
      const bh = (g: number) =>
        wg
          .arange(g * H)
          .mul(1.3)
          .sin()
          .mul(0.2);
      const x = wg.tensor([
        [0.5, -1.0],
        [0.2, 0.3],
      ]);
      const h = wg.tensor([
        [0.1, -0.2, 0.3],
        [0.0, 0.4, -0.5],
      ]);
      const c = wg.tensor([
        [0.3, 0.1, -0.2],
        [0.5, -0.4, 0.2],
      ]);
      // torch.rnn_tanh_cell(x, h, W(1, I), W(1, H), b_ih, b_hh): values and the gradients to x, h, b_ih, b_hh
      run(
        (x, h, b1, b2) => wg.rnnTanhCell(x, h, W(1, I), W(1, H), b1, b2),
        [x, h, bi(1), bh(1)],
        [
          [
            [0.18211939930915833, 0.22818610072135925, -0.06298019737005234],
            [0.25241777300834656, 0.5247013568878174, 0.4280686378479004],
          ],
          [
            [
              [2.127074718475342, 2.4600648880004883],
              [3.6618006229400635, 4.655292510986328],
            ],
            [
              [2.0391695499420166, 1.9017856121063232, 1.5070042610168457],
              [3.5745582580566406, 3.7654595375061035, 3.4467241764068604],
            ],
            [4.711973667144775, 5.5193047523498535, 7.888644218444824],
            [4.711973667144775, 5.5193047523498535, 7.888644218444824],
          ],
        ],
        1e-5,
      );
      // torch.rnn_relu_cell(x, h, W(1, I), W(1, H)): no biases
      run(
        (x, h) => wg.rnnReluCell(x, h, W(1, I), W(1, H)),
        [x, h],
        [
          [
            [0, 0, 0],
            [0, 0.16064096987247467, 0.3034391701221466],
          ],
          [
            [
              [0, 0],
              [4.6733622550964355, 5.123072624206543],
            ],
            [
              [0, 0, 0],
              [4.628942966461182, 4.061834812164307, 2.944976806640625],
            ],
          ],
        ],
        1e-5,
      );
      // torch.gru_cell(x, h, W(3, I), W(3, H), b_ih, b_hh)
      run(
        (x, h) => wg.gruCell(x, h, W(3, I), W(3, H), bi(3), bh(3)),
        [x, h],
        [
          [
            [0.19644056260585785, 0.06308116018772125, 0.17719808220863342],
            [-0.16222414374351501, 0.09741103649139404, -0.0999281257390976],
          ],
          [
            [
              [-1.142914056777954, -0.7281054258346558],
              [-2.472963809967041, -1.5210133790969849],
            ],
            [
              [0.982261061668396, 1.3602440357208252, 1.979574203491211],
              [3.6766915321350098, 3.2203848361968994, 2.9392852783203125],
            ],
          ],
        ],
        1e-5,
      );
      // torch.gru_cell(x, h, W(3, I), W(3, H), b_ih): a lone bias is added alone
      run(
        (x, h) => wg.gruCell(x, h, W(3, I), W(3, H), bi(3)),
        [x, h],
        [
          [
            [0.1314995288848877, 0.023490875959396362, 0.21471154689788818],
            [-0.19747933745384216, 0.09590980410575867, -0.03335846960544586],
          ],
          [
            [
              [-1.0628011226654053, -0.6587651371955872],
              [-2.0938704013824463, -1.210422396659851],
            ],
            [
              [0.9909870624542236, 1.4004448652267456, 1.8862078189849854],
              [3.649320602416992, 3.20151948928833, 2.609602212905884],
            ],
          ],
        ],
        1e-5,
      );
      // torch.lstm_cell(x, (h, c), W(4, I), W(4, H), b_ih, b_hh) → (h', c'); gradients of Σ w·h' + Σ w·c'
      const leaves = [x, h, c].map((t) => t.detach().requiresGrad_(true));
      const [h1, c1] = wg.lstmCell(leaves[0], [leaves[1], leaves[2]], W(4, I), W(4, H), bi(4), bh(4));
      const w6 = wg.arange(1, 7).reshape([2, 3]);
      h1.mul(w6).add(c1.mul(w6)).sum().backward();
      expectClose(
        h1.data(),
        [0.14136143028736115, 0.0996902585029602, -0.06538966298103333, 0.05333143472671509, -0.12759123742580414, 0.08618441224098206],
        1e-5,
      );
      expectClose(
        c1.data(),
        [0.3233128786087036, 0.20458407700061798, -0.12376236915588379, 0.09054352343082428, -0.20493961870670319, 0.14692270755767822],
        1e-5,
      );
      expectClose(leaves[0].grad!.data(), [-1.211373209953308, -0.577416181564331, -4.673640727996826, -3.2596888542175293], 1e-5);
      expectClose(
        leaves[1].grad!.data(),
        [1.4949309825897217, 1.1552261114120483, 0.6591669321060181, 4.884641647338867, 4.160661220550537, 2.8735549449920654],
        1e-5,
      );
      expectClose(
        leaves[2].grad!.data(),
        [0.5555502772331238, 1.1808375120162964, 2.3222315311431885, 3.113668441772461, 3.1345765590667725, 3.611328601837158],
        1e-5,
      );
      if (be === 'reference') {
        const grad = (f: (...t: wg.Tensor[]) => wg.Tensor, ins: wg.Tensor[]) =>
          wg.gradcheck(
            f,
            ins.map((t) => t.detach().requiresGrad_(true)),
          ).ok;
        expect(grad((x, h, a, b, p, q) => wg.rnnTanhCell(x, h, a, b, p, q), [x, h, W(1, I), W(1, H), bi(1), bh(1)])).toBe(true);
        expect(grad((x, h, a, b, p, q) => wg.gruCell(x, h, a, b, p, q), [x, h, W(3, I), W(3, H), bi(3), bh(3)])).toBe(true);
        expect(grad((x, h, c, a, b, p) => wg.cat(wg.lstmCell(x, [h, c], a, b, p)), [x, h, c, W(4, I), W(4, H), bi(4)])).toBe(true);
      }
      // torch: "Dimension out of range" for a 1-D input, "hidden0 has inconsistent hidden_size: got 2, expected 3"
      expect(() => wg.rnnTanhCell(wg.ones([2]), wg.ones([3]), W(1, I), W(1, H))).toThrow(
        'wasmgrad.rnnTanhCell: expected input [N, in] and weight_ih [1·H, in], got [2] and [3, 2]',
      );
      expect(() => wg.rnnTanhCell(x, wg.ones([2, 2]), W(1, I), W(1, H))).toThrow(
        'wasmgrad.rnnTanhCell: expected hx of shape [2, 3] (input [2, 2], hidden size 3), got [2, 2]',
      );
      expect(() => wg.gruCell(x, h, wg.ones([4, 2]), W(1, H))).toThrow(
        'wasmgrad.gruCell: expected input [N, in] and weight_ih [3·H, in], got [2, 2] and [4, 2] (4 rows are not 3 gates)',
      );
      expect(() => wg.lstmCell(x, h as never, W(4, I), W(4, H))).toThrow(/wasmgrad\.lstmCell: the state must be an array \[hx, cx\] of two tensors/);
      expect(() => wg.gruCell(x, h, W(3, I), W(3, H), wg.ones([4]))).toThrow('wasmgrad.gruCell: expected bIh of shape [9]');
      expect(() => wg.rnnTanhCell(x, h.int(), W(1, I), W(1, H))).toThrow('wasmgrad.rnnTanhCell: hx must be a float32 tensor, got int32 of shape [2, 3]');
    });

    test('tensor facts and small top-level names: device facts, splitWithSizes, randintLike, frobeniusNorm, nuclearNorm', () => {
      const x = wg.tensor([
        [1, 2, 3],
        [4, -5, 6],
      ]);
      // torch: x.is_cuda False, x.get_device() -1, x.storage_offset() 0, x.is_inference() False
      expect([x.isCpu, x.isCuda, x.isSparse, x.isQuantized, x.isMeta, x.isMkldnn, x.isNested]).toEqual([true, false, false, false, false, false, false]);
      expect([x.getDevice(), x.storageOffset(), x.isInference()]).toEqual([-1, 0, false]);
      // torch.zeros(5).split_with_sizes([2, 3]) → shapes [2], [3]; unsafe_chunk / unsafe_split / narrow_copy as chunk / split / narrow
      expect(
        wg
          .arange(5)
          .splitWithSizes([2, 3])
          .map((t) => t.toArray()),
      ).toEqual([
        [0, 1],
        [2, 3, 4],
      ]);
      expect(wg.splitWithSizes(x, [1, 2], 1).map((t) => t.shape)).toEqual([
        [2, 1],
        [2, 2],
      ]);
      expect(x.unsafeChunk(3, 1).map((t) => t.shape)).toEqual([
        [2, 1],
        [2, 1],
        [2, 1],
      ]);
      expect(wg.unsafeSplit(x, 1).map((t) => t.toArray())).toEqual([[[1, 2, 3]], [[4, -5, 6]]]);
      expect(wg.narrowCopy(x, 1, 1, 2).toArray()).toEqual(x.narrow(1, 1, 2).toArray());
      // torch.tensor([[-1., 2.]]).prelu(torch.tensor([0.25])) → [[-0.25, 2.0]]
      expect(
        wg
          .tensor([[-1, 2]])
          .prelu(wg.tensor([0.25]))
          .toArray(),
      ).toEqual([[-0.25, 2]]);
      // torch.detach(x) shares data without the graph
      const l = wg.tensor([1, 2], { requiresGrad: true });
      const d = wg.detach(l.mul(2));
      expect([d.requiresGrad, d.toArray()]).toEqual([false, [2, 4]]);
      // torch.randint_like(torch.zeros(2, 3), 5).dtype → float32; randint_like(x.int(), 2, 5).dtype → int32
      wg.manualSeed(1);
      const r = wg.randintLike(wg.zeros([2, 3]), 5);
      expect([r.dtype, r.shape, r.data().every((v) => Number.isInteger(v) && v >= 0 && v < 5)]).toEqual(['float32', [2, 3], true]);
      const ri = wg.randintLike(x.int(), 2, 5);
      expect([ri.dtype, ri.data().every((v) => v >= 2 && v < 5)]).toEqual(['int32', true]);
      expect(wg.randintLike(x, 2, { dtype: 'int32' }).dtype).toBe('int32');
      expect(() => wg.randintLike(x, 5, 2)).toThrow('wasmgrad.randint: low must be less than high, got low 5 and high 2');
      // torch.frobenius_norm(x, [0]) with the gradient of Σ w·y; torch.frobenius_norm(x) → 9.539392471313477
      run(
        (x) => wg.frobeniusNorm(x, [0]),
        [x],
        [
          [4.123105525970459, 5.385164737701416, 6.7082037925720215],
          [
            [
              [0.24253563582897186, 0.7427813410758972, 1.3416407108306885],
              [0.9701425433158875, -1.8569533824920654, 2.683281421661377],
            ],
          ],
        ],
        1e-6,
      );
      run(
        (x) => wg.frobeniusNorm(x),
        [x],
        [
          9.539392471313477,
          [
            [
              [0.10482847690582275, 0.2096569538116455, 0.31448543071746826],
              [0.419313907623291, -0.5241423845291138, 0.6289708614349365],
            ],
          ],
        ],
        1e-6,
      );
      expect(wg.frobeniusNorm(x, [0, 1], true).shape).toEqual([1, 1]);
      // torch.nuclear_norm(x) → 12.333808898925781 and its gradient; nuclear_norm(stack([x, 2x]), [1, 2]) → [12.3338, 24.6676]
      run(
        (x) => wg.nuclearNorm(x),
        [x],
        [
          12.333808898925781,
          [
            [
              [0.15801355242729187, 0.7298876047134399, 0.6650533080101013],
              [0.4410416781902313, -0.6547675132751465, 0.6138094067573547],
            ],
          ],
        ],
        1e-5,
      );
      expect(wg.nuclearNorm(x, true).shape).toEqual([1, 1]);
      expectClose(wg.nuclearNorm(wg.stack([x, x.mul(2)]), [1, 2]).data(), [12.333808898925781, 24.667617797851562], 1e-5);
      expect(() => wg.nuclearNorm(wg.stack([x, x]))).toThrow('wasmgrad.nuclearNorm: expected a tensor with 2 dimensions (or give dim), got shape [2, 2, 3]');
      expect(() => wg.nuclearNorm(x, [0])).toThrow('wasmgrad.nuclearNorm: dim must be two dims, got [0]');
      // torch.get_num_threads(): the threads of this build (1 without a pool)
      expect(wg.getNumThreads()).toBe(wg.info().threads);
    });

    test("torch.lu: linalg.luFactor in torch's older form, singular matrices included", () => {
      const A = wg.tensor([
        [1, 2, 0.5],
        [3, -1, 2],
        [0, 4, 1],
      ]);
      // torch.lu(A) with the gradient of Σ w·LU; pivots [2, 3, 3]
      run(
        (A) => wg.lu(A).LU,
        [A],
        [
          [
            [3, -1, 2],
            [0, 4, 1],
            [0.3333333432674408, 0.5833333134651184, -0.75],
          ],
          [
            [
              [-3.75, -0.25, 9],
              [2.25, 2.0833332538604736, 0],
              [2.5486109256744385, 5.145833492279053, 0.75],
            ],
          ],
        ],
        1e-5,
      );
      const [LU, pivots] = A.lu();
      expect([pivots.dtype, pivots.toArray(), LU.shape]).toEqual(['int32', [2, 3, 3], [3, 3]]);
      expect(wg.lu(A, true, false).info).toBeUndefined();
      // torch.lu(S, get_infos=True) of the singular S = [[1, 2], [2, 4]]: LU [[2, 4], [0.5, 0]], pivots [2, 2], info 2 (no error)
      const S = wg.tensor([
        [1, 2],
        [2, 4],
      ]);
      const r = wg.lu(S, { getInfos: true });
      expect([r.LU.toArray(), r.pivots.toArray(), r.info!.item()]).toEqual([
        [
          [2, 4],
          [0.5, 0],
        ],
        [2, 2],
        2,
      ]);
      expect([...S.lu(true, true)].length).toBe(3);
      expect(wg.lu(S).LU.toArray()).toEqual([
        [2, 4],
        [0.5, 0],
      ]);
      expect(() => wg.lu(S, true, 1 as never)).toThrow('wasmgrad.lu: getInfos must be a boolean, got 1');
    });

    test('nn.RNNBase and nn.RNNCellBase: the base classes, as torch isinstance', () => {
      // isinstance(nn.LSTM(2, 3), nn.RNNBase) True; isinstance(nn.GRUCell(2, 3), nn.RNNCellBase) True; isinstance(nn.Linear(2, 3), nn.RNNBase) False
      for (const m of [new wg.nn.RNN(2, 3), new wg.nn.GRU(2, 3), new wg.nn.LSTM(2, 3)]) expect(m).toBeInstanceOf(wg.nn.RNNBase);
      for (const m of [new wg.nn.RNNCell(2, 3), new wg.nn.GRUCell(2, 3), new wg.nn.LSTMCell(2, 3)]) expect(m).toBeInstanceOf(wg.nn.RNNCellBase);
      expect(new wg.nn.Linear(2, 3)).not.toBeInstanceOf(wg.nn.RNNBase);
      expect(new wg.nn.LSTM(2, 3)).not.toBeInstanceOf(wg.nn.RNNCellBase);
      // constructing a base class itself is a clear error (torch's RNNBase takes a mode string; here the class is the mode)
      const Base = wg.nn.RNNBase as unknown as new (...a: unknown[]) => unknown;
      const CellBaseClass = wg.nn.RNNCellBase as unknown as new (...a: unknown[]) => unknown;
      expect(() => new Base('LSTM', 2, 3)).toThrow('wasmgrad.nn.RNNBase: is the base class of RNN, GRU and LSTM (for instanceof): construct one of those');
      expect(() => new CellBaseClass(2, 3)).toThrow(
        'wasmgrad.nn.RNNCellBase: is the base class of RNNCell, GRUCell and LSTMCell (for instanceof): construct one of those',
      );
    });

    test('finfo, iinfo, x.real and unsafeSplitWithSizes', () => {
      // torch.finfo(torch.float32): bits 32, eps 1.1920928955078125e-07, max 3.4028234663852886e+38, tiny 1.1754943508222875e-38, resolution 1e-06
      expect(wg.finfo(wg.float32)).toEqual({
        bits: 32,
        eps: 1.1920928955078125e-7,
        max: 3.4028234663852886e38,
        min: -3.4028234663852886e38,
        tiny: 1.1754943508222875e-38,
        smallestNormal: 1.1754943508222875e-38,
        resolution: 1e-6,
        dtype: 'float32',
      });
      expect(wg.finfo()).toEqual(wg.finfo(wg.double));
      expect(Math.fround(wg.finfo().max)).toBe(wg.finfo().max);
      // torch.iinfo(torch.int32): bits 32, max 2147483647, min -2147483648
      expect(wg.iinfo(wg.long)).toEqual({ bits: 32, max: 2147483647, min: -2147483648, dtype: 'int32' });
      expect(() => wg.finfo('int32')).toThrow(`wasmgrad.finfo: requires a floating point dtype ('float32'), got "int32" (use iinfo for int32)`);
      expect(() => wg.iinfo(wg.float32)).toThrow(`wasmgrad.iinfo: requires an integer dtype ('int32'), got "float32" (use finfo for float32)`);
      // torch.tensor([1., 2.]).real → the tensor itself
      const x = wg.tensor([1, 2]);
      expect(x.real).toBe(x);
      expect(x.unsafeSplitWithSizes([1, 1]).map((t) => t.toArray())).toEqual([[1], [2]]);
      expect(wg.unsafeSplitWithSizes(x, [2]).length).toBe(1);
    });
  });
}

describe('seeds and determinism (torch.seed, initial_seed, use_deterministic_algorithms)', () => {
  test('initialSeed is the last seed given; seed() draws one that manualSeed replays', () => {
    wg.manualSeed(1234);
    expect(wg.initialSeed()).toBe(1234);
    const s = wg.seed();
    expect(Number.isSafeInteger(s) && s >= 0).toBe(true);
    expect(wg.initialSeed()).toBe(s);
    const a = wg.rand([4]).toArray();
    wg.manualSeed(s);
    expect(wg.rand([4]).toArray()).toEqual(a);
    expect(wg.seed()).not.toBe(s);
    wg.manualSeed(0);
  });

  test('useDeterministicAlgorithms is remembered (the kernels are deterministic anyway)', () => {
    expect(wg.areDeterministicAlgorithmsEnabled()).toBe(false);
    wg.useDeterministicAlgorithms(true, { warnOnly: true });
    expect(wg.areDeterministicAlgorithmsEnabled()).toBe(true);
    wg.useDeterministicAlgorithms(false);
    expect(wg.areDeterministicAlgorithmsEnabled()).toBe(false);
    expect(() => wg.useDeterministicAlgorithms(1 as never)).toThrow('wasmgrad.useDeterministicAlgorithms: mode must be a boolean, got 1');
    expect(() => wg.useDeterministicAlgorithms(true, { warn_only: true } as never)).toThrow("wasmgrad.useDeterministicAlgorithms: unknown option 'warn_only'");
  });
});
