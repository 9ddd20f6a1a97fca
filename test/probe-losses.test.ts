/**
 * Regressions from the differential probe of wg.losses, the loss modules and wg.nn.functional
 * against PyTorch 1.13 (probe campaign p11). Expected values are PyTorch's (float64), written as
 * literals with the call that printed them.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const ids = (v: number[]) => wg.tensor(v, { dtype: 'int32' });
const X = [
  [0.5, -1.0, 2.0],
  [0.25, 1.5, -0.5],
];

for (const be of ['wasm', 'reference'] as const) {
  describe(`crossEntropy as PyTorch 1.13 on ${be}`, () => {
    test("label smoothing with weights: 'mean' over kept weights summing to 0 is NaN (PyTorch's 0/0 of the label term), not ±∞", () => {
      wg.setBackend(be);
      const w = wg.tensor([0.5, 0.0, 2.0, 1.0, 3.0]);
      for (const labelSmoothing of [0.1, 1]) {
        // F.cross_entropy(x, torch.tensor(1), weight=w, label_smoothing=ls) → nan, x.grad all nan
        const x = wg.tensor([0.5, -1.0, 2.0, 0.25, 1.5], { requiresGrad: true });
        const l = wg.losses.crossEntropy(x, wg.tensor(1, { dtype: 'int32' }), { weight: w, labelSmoothing });
        expect(l.item()).toBeNaN();
        l.backward();
        expectClose(x.grad!.data(), [NaN, NaN, NaN, NaN, NaN]);
      }
      // F.cross_entropy(X, torch.tensor([1, 1]), weight=torch.tensor([1., 0., 2.]), label_smoothing=0.2) → nan
      const l = wg.losses.crossEntropy(wg.tensor(X), ids([1, 1]), { weight: wg.tensor([1, 0, 2]), labelSmoothing: 0.2 });
      expect(l.item()).toBeNaN();
    });

    test('a negative labelSmoothing smooths nothing (PyTorch 1.13 checks only ≤ 1); above 1 stays a ValueError', () => {
      wg.setBackend(be);
      // F.cross_entropy(X, torch.tensor([2, 0]), label_smoothing=ls) for ls in (-0.1, -3.0, 0) → 0.9216315802299795
      for (const labelSmoothing of [-0.1, -3])
        expectClose([wg.losses.crossEntropy(wg.tensor(X), ids([2, 0]), { labelSmoothing }).item()], [0.9216315802299795], 2e-6);
      expect(() => wg.losses.crossEntropy(wg.tensor(X), ids([2, 0]), { labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be a number in \[0, 1\], got 1\.5/);
      expect(() => wg.losses.crossEntropy(wg.tensor(X), ids([2, 0]), { labelSmoothing: NaN })).toThrow(wg.ValueError);
    });

    test('probability targets refuse an ignoreIndex ≥ 0 (PyTorch: not supported for floating point target) and take a negative one', () => {
      wg.setBackend(be);
      const probs = wg.tensor([
        [0.2, 0.3, 0.5],
        [1, 0, 0],
      ]);
      // F.cross_entropy(X, probs, ignore_index=ii) for ii in (-100, -1) → 1.5216315802299794
      for (const ignoreIndex of [-100, -1]) expectClose([wg.losses.crossEntropy(wg.tensor(X), probs, { ignoreIndex }).item()], [1.5216315802299794], 2e-6);
      for (const ignoreIndex of [0, 1, 5])
        expect(() => wg.losses.crossEntropy(wg.tensor(X), probs, { ignoreIndex })).toThrow(
          /crossEntropy: ignoreIndex is not supported with probability targets/,
        );
      expect(() => new wg.nn.CrossEntropyLoss({ ignoreIndex: 1 }).forward(wg.tensor(X), probs)).toThrow(wg.ValueError);
    });
  });

  describe(`marginRanking, ctc and tripletMarginWithDistance as PyTorch 1.13 on ${be}`, () => {
    test('marginRanking broadcasts inputs of the same number of dims and refuses different ones, as PyTorch', () => {
      wg.setBackend(be);
      // F.margin_ranking_loss(torch.tensor([[0.5, 1., -1.]]), torch.tensor([[0.], [2.]]), torch.tensor([[1., -1., 1.]]), reduction='none')
      const l = wg.losses.marginRanking(wg.tensor([[0.5, 1, -1]]), wg.tensor([[0], [2]]), wg.tensor([[1, -1, 1]]), { reduction: 'none' });
      expect(l.shape).toEqual([2, 3]);
      expectClose(l.data(), [0, 1, 1, 1.5, 0, 3]);
      // PyTorch: "margin_ranking_loss : All input tensors should have same dimension but got sizes: …"
      expect(() => wg.losses.marginRanking(wg.ones([3, 5]), wg.ones([5]), wg.ones([5]))).toThrow(
        /marginRanking: x1, x2 and y must have the same number of dims/,
      );
      expect(() => wg.losses.marginRanking(wg.ones([5]), wg.ones([5]), wg.ones([]))).toThrow(wg.ShapeError);
    });

    test('ctc takes float32 targets as class ids truncated toward zero, as PyTorch', () => {
      wg.setBackend(be);
      const logits = wg.tensor([[[0.5, -1.0, 2.0, 0.3]], [[0.25, 1.5, -0.5, 0.1]], [[1.0, 0.0, -1.0, 0.5]]]);
      const lp = logits.logSoftmax(2).detach().requiresGrad_();
      // F.ctc_loss(lp, torch.tensor([[1.7, 3.2]]), torch.tensor([3]), torch.tensor([2]), reduction='sum') and lp.grad (same as targets [[1, 3]])
      const l = wg.losses.ctc(lp, wg.tensor([[1.7, 3.2]]), [3], [2], { reduction: 'sum' });
      expectClose([l.item()], [3.2742432496531064], 2e-6);
      l.backward();
      expectClose(
        lp.grad!.data(),
        [
          -0.5446437373081011, -0.26786169865391257, 0.6870015684143289, 0.1255038675476855, 0.12710301177983258, -0.2543014052526852, 0.08111500743776166,
          0.04608338603509099, 0.41067565622261915, 0.17437148764032928, 0.06414768542935739, -0.649194829292306,
        ],
        2e-6,
      );
      expect(() => wg.losses.ctc(lp, wg.tensor([[1, 4]]), [3], [2])).toThrow(/target 4 at \[0, 1\] is out of range for 4 classes/);
    });

    test("ctc with a target equal to the blank: PyTorch's value and the true gradient (torch 1.13's misses the blank's last step)", () => {
      wg.setBackend(be);
      // torch.manual_seed(0); lp = torch.randn(5, 1, 4, dtype=torch.float64) (not normalised: the loss is then negative)
      const v = [
        -2.310411800234176, -0.3732508612577643, -1.0608166785462863, 0.9995093547811761, -0.019964750907762653, 0.2102998901016947, 0.17718935139366584,
        -0.830510051008449, 0.23871805816817063, 0.7335283685272841, -1.3218818291421377, 1.3148113651971234, -0.6870036940435463, 1.4880743158106724,
        -0.4484158047114511, -0.8910030351707375, 0.6748575435940039, 1.0468653769814655, 0.15429517864658948, -0.7498915228391941,
      ];
      const lp = wg.tensor(v, { shape: [5, 1, 4], requiresGrad: true });
      // F.ctc_loss(lp, torch.tensor([[1, 0]]), torch.tensor([5]), torch.tensor([2]), reduction='sum') → -3.757000836707871
      const l = wg.losses.ctc(lp, ids([1, 0]).reshape([1, 2]), [5], [2], { reduction: 'sum' });
      expectClose([l.item()], [-3.757000836707871], 2e-6);
      l.backward();
      // central differences (h = 1e-6) of that torch loss in float64; torch's own backward gives −0.7446 at [4, 0, 0]. The
      // gradient here, as torch's, is that plus exp(lp).
      const numeric = [
        -0.17118465689414109, -0.8288153430235923, 0, 0, -0.27792062073928037, -0.722079379178453, 0, 0, -0.39361433046281036, -0.606385669454923, 0, 0,
        -0.5226637440625126, -0.4773362560772654, 0, 0, -1.000000000139778, 0, 0, 0,
      ];
      expectClose(
        lp.grad!.data(),
        numeric.map((g, i) => g + Math.exp(v[i])),
        2e-5,
      );
    });

    test('huber takes delta: Infinity (½e² everywhere) and smoothL1 beta: Infinity (0), as PyTorch; 0, NaN and negatives stay ValueErrors', () => {
      wg.setBackend(be);
      const b = wg.tensor([0, 0, 1]);
      // F.huber_loss(a, b, delta=inf, reduction='none') and a.grad of (l * [1, 2, 3]).sum(): [0.125, 2, 2], [0.5, −4, 6]
      // F.smooth_l1_loss(a, b, beta=inf, reduction='none'): [0, 0, 0], a.grad [0, 0, 0]
      for (const [loss, want, grad] of [
        [(p: wg.Tensor) => wg.losses.huber(p, b, { delta: Infinity, reduction: 'none' }), [0.125, 2, 2], [0.5, -4, 6]],
        [(p: wg.Tensor) => wg.losses.smoothL1(p, b, { beta: Infinity, reduction: 'none' }), [0, 0, 0], [0, 0, 0]],
      ] as const) {
        const a = wg.tensor([0.5, -2, 3], { requiresGrad: true });
        const l = loss(a);
        expectClose(l.data(), want);
        l.mul(wg.tensor([1, 2, 3]))
          .sum()
          .backward();
        expectClose(a.grad!.data(), grad);
      }
      expect(() => wg.losses.huber(b, b, { delta: 0 })).toThrow(wg.ValueError);
      expect(() => wg.losses.smoothL1(b, b, { beta: NaN })).toThrow(/smoothL1: beta must be a number ≥ 0, got NaN/);
    });

    test("tripletMarginWithDistance without a distance function names itself in a bad reduction's error", () => {
      wg.setBackend(be);
      const a = wg.ones([2, 3]);
      expect(() => wg.losses.tripletMarginWithDistance(a, a, a, { reduction: 'avg' as 'mean' })).toThrow(
        /^wasmgrad\.losses\.tripletMarginWithDistance: reduction must be/,
      );
    });
  });
}

describe("weights that require grad: refused where PyTorch's kernels have no derivative for them, differentiated where it has one", () => {
  const x = () =>
    wg.tensor([
      [0.5, -1, 2],
      [1, 0.2, -0.3],
    ]);
  const t = () =>
    wg.tensor([
      [0.5, 0.1, 1],
      [0, 0.2, 0.3],
    ]);
  const y = () => ids([0, 2]);
  test("class-index crossEntropy, nll, multiMargin, bce and bceWithLogits refuse them in grad mode (torch: not differentiable with respect to argument 'weight')", () => {
    const w = wg.tensor([0.5, 1, 2], { requiresGrad: true });
    const refused: [string, () => unknown][] = [
      ['crossEntropy', () => wg.losses.crossEntropy(x(), y(), { weight: w })],
      ['crossEntropy', () => wg.losses.crossEntropy(x(), y(), { weight: w, labelSmoothing: 0.2 })],
      ['nll', () => wg.losses.nll(x(), y(), { weight: w })],
      ['multiMargin', () => wg.losses.multiMargin(x(), y(), { weight: w })],
      ['bce', () => wg.losses.bce(x().sigmoid(), t(), { weight: w })],
      ['bceWithLogits', () => wg.losses.bceWithLogits(x(), t(), { weight: w })],
      ['bceWithLogits', () => wg.losses.bceWithLogits(x(), t(), { posWeight: w })],
      // F.soft_margin_loss(x, y.requires_grad_()): not differentiable with respect to argument 'target'
      ['softMargin', () => wg.losses.softMargin(x(), t().requiresGrad_())],
    ];
    for (const [loss, call] of refused) expect(call).toThrow(new RegExp(`^wasmgrad\\.losses\\.${loss}: (weight|posWeight|target) must not require grad`));
    // with torch.no_grad(): F.nll_loss(x, y, weight=w) is computed
    wg.noGrad(() => expect(Number.isFinite(wg.losses.nll(x(), y(), { weight: w }).item())).toBe(true));
    expect(Number.isFinite(wg.losses.nll(x(), y(), { weight: w.detach() }).item())).toBe(true);
  });

  test('probability-target crossEntropy and multiLabelSoftMargin differentiate the weight, as PyTorch', () => {
    const w = wg.tensor([0.5, 1, 2], { requiresGrad: true });
    const probs = wg.tensor([
      [0.2, 0.3, 0.5],
      [1, 0, 0],
    ]);
    // F.cross_entropy(x, probs, weight=w, label_smoothing=0.2) → 0.9936990655830855, w.grad
    const l = wg.losses.crossEntropy(x(), probs, { weight: w, labelSmoothing: 0.2 });
    expectClose([l.item()], [0.9936990655830855], 2e-6);
    l.backward();
    expectClose(w.grad!.data(), [0.4328243483214238, 0.5417812502079651, 0.1177528206072043], 2e-6);
    // F.multilabel_soft_margin_loss(x, t, weight=w) → 0.6221060672953298, w.grad
    const v = wg.tensor([0.5, 1, 2], { requiresGrad: true });
    const m = wg.losses.multiLabelSoftMargin(x(), t(), { weight: v });
    expectClose([m.item()], [0.6221060672953298], 2e-6);
    m.backward();
    expectClose(v.grad!.data(), [0.3395564452830549, 0.1952334261499691, 0.1285472092519166], 2e-6);
  });
});

describe('loss modules check their options when built, as PyTorch’s typed constructors', () => {
  test('ill-typed options are ValueErrors naming the module and the option (they were kept and failed, or not, at forward)', () => {
    const bad: [() => unknown, RegExp][] = [
      [
        () => new wg.nn.CrossEntropyLoss({ labelSmoothing: 'a' as unknown as number }),
        /^wasmgrad\.nn\.CrossEntropyLoss: labelSmoothing must be a number, got "a"/,
      ],
      [() => new wg.nn.NLLLoss({ ignoreIndex: 1.5 }), /nn\.NLLLoss: ignoreIndex must be an integer, got 1\.5/],
      [() => new wg.nn.HuberLoss({ delta: 'x' as unknown as number }), /nn\.HuberLoss: delta must be a number/],
      [() => new wg.nn.MarginRankingLoss({ margin: '1' as unknown as number }), /nn\.MarginRankingLoss: margin must be a number/],
      [() => new wg.nn.TripletMarginLoss({ swap: 1 as unknown as boolean }), /nn\.TripletMarginLoss: swap must be a boolean/],
      [() => new wg.nn.PoissonNLLLoss({ logInput: 'no' as unknown as boolean }), /nn\.PoissonNLLLoss: logInput must be a boolean/],
      [() => new wg.nn.CTCLoss({ blank: 'x' as unknown as number }), /nn\.CTCLoss: blank must be an integer/],
      [() => new wg.nn.KLDivLoss({ logTarget: 'x' as unknown as boolean }), /nn\.KLDivLoss: logTarget must be a boolean/],
      [() => new wg.nn.TripletMarginWithDistanceLoss({ distanceFunction: 3 as unknown as () => wg.Tensor }), /distanceFunction must be a function/],
      // nn.MultiMarginLoss(p=3): ValueError "only p == 1 and p == 2 supported"
      [() => new wg.nn.MultiMarginLoss({ p: 3 as 1 }), /nn\.MultiMarginLoss: p must be 1 or 2, got 3/],
    ];
    for (const [make, message] of bad) expect(make).toThrow(message);
    expect(() => new wg.nn.CrossEntropyLoss({ weight: wg.tensor([1, 2], { dtype: 'int32' }) })).toThrow(wg.DTypeError);
    expect(() => new wg.nn.BCEWithLogitsLoss({ posWeight: [1] as unknown as wg.Tensor })).toThrow(/nn\.BCEWithLogitsLoss: posWeight must be a Tensor/);
  });

  test('well-typed options build; a class weight is a buffer, never a parameter (CrossEntropyLoss(weight=w).state_dict() has "weight")', () => {
    const w = wg.tensor([1, 2, 3]);
    expect(new wg.nn.HuberLoss({ delta: 2 }).options.delta).toBe(2);
    const ce = new wg.nn.CrossEntropyLoss({ weight: w, ignoreIndex: 1, labelSmoothing: 0.1 });
    expect(Object.keys(ce.stateDict())).toEqual(['weight']);
    expect(ce.parameters()).toHaveLength(0);
    const bce = new wg.nn.BCEWithLogitsLoss({ weight: w, posWeight: w });
    expect(Object.keys(bce.stateDict())).toEqual(['weight', 'pos_weight']);
    expect(Object.keys(new wg.nn.CrossEntropyLoss().stateDict())).toEqual([]);
    expect(new wg.nn.MultiMarginLoss({ p: 2, margin: 0.5 }).numParameters()).toBe(0);
  });
});

describe("a weighted loss module's weight is PyTorch's buffer attribute: read it, assign it (loss.weight = w)", () => {
  test('assigning weight / posWeight changes the next forward and the state dict; null removes it; a bad value is refused', () => {
    const x = wg.tensor([
      [0.5, -1, 2],
      [1, 0.2, -0.3],
    ]);
    const y = ids([0, 2]);
    // m = nn.CrossEntropyLoss(weight=torch.tensor([1., 2, 3])); m.weight = torch.tensor([3., 2, 1]); m(x, y) → 1.766834857896875
    const m = new wg.nn.CrossEntropyLoss({ weight: wg.tensor([1, 2, 3]) });
    expect(Array.from(m.weight!.data())).toEqual([1, 2, 3]);
    m.weight = wg.tensor([3, 2, 1]);
    expectClose([m.forward(x, y).item()], [1.766834857896875], 2e-6);
    expect(Array.from(m.stateDict().weight.data())).toEqual([3, 2, 1]);
    // m.weight = None: m(x, y) → 1.792358419136593, state_dict() empty
    m.weight = null;
    expect(m.weight).toBeNull();
    expectClose([m.forward(x, y).item()], [1.792358419136593], 2e-6);
    expect(Object.keys(m.stateDict())).toEqual([]);
    // n = nn.NLLLoss(); n.weight is None; n.weight = torch.tensor([0., 1, 1]); n(x.log_softmax(1), y) → 1.8434055416160293
    const n = new wg.nn.NLLLoss();
    expect(n.weight).toBeNull();
    n.weight = wg.tensor([0, 1, 1]);
    expect(Object.keys(n.stateDict())).toEqual(['weight']);
    expectClose([n.forward(x.logSoftmax(1), y).item()], [1.8434055416160293], 2e-6);
    // b = nn.BCEWithLogitsLoss(); b.pos_weight = torch.tensor([2., 2, 2]); b(x, torch.ones_like(x)) → 1.2266741613698813
    const b = new wg.nn.BCEWithLogitsLoss();
    b.posWeight = wg.tensor([2, 2, 2]);
    expect(Object.keys(b.stateDict())).toEqual(['pos_weight']);
    expectClose([b.forward(x, wg.onesLike(x)).item()], [1.2266741613698813], 2e-6);
    expect(() => (n.weight = wg.tensor([1, 2], { dtype: 'int32' }))).toThrow(/nn\.NLLLoss\.weight: weight must be a float32 tensor/);
    expect(() => (n.weight = [1, 2] as unknown as wg.Tensor)).toThrow(wg.ValueError);
    expect(Array.from(n.weight.data())).toEqual([0, 1, 1]);
  });
});

describe('wg.nn.functional takes the arguments F takes', () => {
  test('F.threshold with a NaN value or threshold and F.hardshrink with a negative lambd compute, as torch 1.13 (they were ValueErrors)', () => {
    const x = () => wg.tensor([-2, 0.3, 0.7, NaN], { requiresGrad: true });
    const up = wg.tensor([1, 2, 3, 4]);
    // F.threshold(x, 0.5, nan) → [nan, nan, 0.7, nan]; backward of (y * [1, 2, 3, 4]).sum(): [0, 0, 3, 4]
    const a = x();
    const y = wg.nn.functional.threshold(a, 0.5, NaN);
    expectClose(y.data(), [NaN, NaN, 0.7, NaN]);
    y.mul(up).sum().backward();
    expectClose(a.grad!.data(), [0, 0, 3, 4]);
    // F.threshold(x, nan, 1.) → x
    expectClose(wg.nn.functional.threshold(x(), NaN, 1).data(), [-2, 0.3, 0.7, NaN]);
    // F.hardshrink(x, -1.) → x, gradient [1, 2, 3, 4]
    const b = x();
    const h = wg.nn.functional.hardshrink(b, -1);
    expectClose(h.data(), [-2, 0.3, 0.7, NaN]);
    h.mul(up).sum().backward();
    expectClose(b.grad!.data(), [1, 2, 3, 4]);
  });

  test('nn.Threshold takes what F.threshold takes: NaN and ±∞ (torch 1.13: Threshold(threshold=0.5, value=nan)), not a string', () => {
    const m = new wg.nn.Threshold(0.5, NaN);
    expectClose(m.forward(wg.tensor([-2, 0.3, 0.7, NaN])).data(), [NaN, NaN, 0.7, NaN]);
    expect(m.toString()).toBe('Threshold(threshold=0.5, value=nan)');
    expect(new wg.nn.Threshold(-Infinity, 0).toString()).toBe('Threshold(threshold=-inf, value=0)');
    expect(() => new wg.nn.Threshold('0.5' as unknown as number, 1)).toThrow('wasmgrad.nn.Threshold: threshold must be a number, got "0.5"');
  });
});

describe('int32 inputs where PyTorch promotes integer tensors to float (and only there)', () => {
  test('mse, l1, smoothL1 (int32 pred, float32 target), poissonNll, gaussianNll, marginRanking, cosineEmbedding, tripletMargin', () => {
    const i = wg.tensor([1, 2, 3], { dtype: 'int32' });
    const f = wg.tensor([1.5, 2.5, 0]);
    const L = wg.losses;
    // i = torch.tensor([1, 2, 3]); f = torch.tensor([1.5, 2.5, 0.]); each F call below, printed by torch 1.13
    const cases: [() => wg.Tensor, number][] = [
      [() => L.mse(i, f), 3.1666666666666665], // F.mse_loss(i, f)
      [() => L.l1(i, f), 1.3333333333333333], // F.l1_loss(i, f)
      [() => L.smoothL1(i, f), 0.9166666666666666], // F.smooth_l1_loss(i, f)
      [() => L.poissonNll(i, f), 7.897624969482422], // F.poisson_nll_loss(i, f): float32, as its integer input makes it
      [() => L.poissonNll(i, i), 5.397624969482422], // F.poisson_nll_loss(i, i)
      [() => L.gaussianNll(i, f, wg.ones([3])), 1.5833333333333333], // F.gaussian_nll_loss(i, f, torch.ones(3))
      [() => L.marginRanking(i, f, wg.ones([3])), 0.3333333333333333], // F.margin_ranking_loss(i, f, torch.ones(3))
      [() => L.cosineEmbedding(wg.tensor([[1, 2]], { dtype: 'int32' }), wg.tensor([[1, 0]]), wg.ones([1])), 0.5527864045002657], // F.cosine_embedding_loss(…)
      [() => L.tripletMargin(wg.tensor([[1, 2]], { dtype: 'int32' }), wg.tensor([[1, 0]]), wg.tensor([[1, 0]])), 1], // F.triplet_margin_loss(…)
    ];
    for (const [call, want] of cases) expectClose([call().item()], [want], 2e-6);
    // torch: "huber_cpu" / "mse_cpu" not implemented for 'Long', huber with an integer pred: result type Float can't be cast to Long
    expect(() => L.huber(i, f)).toThrow(/^wasmgrad\.losses\.huber: pred must be a float32 tensor, got Tensor\(\[3\], int32\)/);
    expect(() => L.mse(i, i)).toThrow(/losses\.mse: pred must be a float32 tensor \(int32 only with a float32 target\)/);
    expect(() => L.hingeEmbedding(i, wg.ones([3]))).toThrow(wg.DTypeError);
    expect(() => L.gaussianNll(f, f, wg.ones([3], { dtype: 'int32' }))).toThrow(wg.DTypeError);
  });
});

describe('margins of ±∞ and NaN in marginRanking and tripletMargin, as PyTorch (they were ValueErrors)', () => {
  test('the hinge is ∞, 0 or NaN; the gradient passes at ∞ and is 0 at −∞ and NaN', () => {
    // x1 = [0.5, -1, 2], x2 = [0.1, 1, 2.5], y = [1, -1, 1]; F.margin_ranking_loss(x1, x2, y, margin=m, reduction='none'), x1.grad of its sum
    const cases: [number, number[], number[]][] = [
      [Infinity, [Infinity, Infinity, Infinity], [-1, 1, -1]],
      [-Infinity, [0, 0, 0], [0, 0, 0]],
      [NaN, [NaN, NaN, NaN], [0, 0, 0]],
    ];
    for (const [margin, value, grad] of cases) {
      const x1 = wg.tensor([0.5, -1, 2], { requiresGrad: true });
      const l = wg.losses.marginRanking(x1, wg.tensor([0.1, 1, 2.5]), wg.tensor([1, -1, 1]), { margin, reduction: 'none' });
      expect(Array.from(l.data())).toEqual(value); // exactly ∞, 0 or NaN
      l.sum().backward();
      expectClose(x1.grad!.data(), grad);
    }
    // F.triplet_margin_loss(a, p, n, margin=m, reduction='none') and a.grad of its sum
    const triplet: [number, number[], number[]][] = [
      [Infinity, [Infinity, Infinity], [0.43865198349087064, -0.010437976800658721, -1.8013502701487027, 0.8448476302096186]],
      [-Infinity, [0, 0], [0, 0, 0, 0]],
      [NaN, [NaN, NaN], [0, 0, 0, 0]],
    ];
    for (const [margin, value, grad] of triplet) {
      const a = wg.tensor(
        [
          [0.5, -1],
          [2, 0.3],
        ],
        { requiresGrad: true },
      );
      const p = wg.tensor([
        [0.1, 1],
        [2.5, 0],
      ]);
      const n = wg.tensor([
        [1, 1],
        [0, 1],
      ]);
      const l = wg.losses.tripletMargin(a, p, n, { margin, reduction: 'none' });
      expect(Array.from(l.data())).toEqual(value); // exactly ∞, 0 or NaN
      l.sum().backward();
      expectClose(a.grad!.data(), grad, 2e-6);
      expect(Array.from(wg.losses.tripletMarginWithDistance(a.detach(), p, n, { margin, reduction: 'none' }).data())).toEqual(value);
    }
    expect(() => wg.losses.marginRanking(wg.ones([1]), wg.ones([1]), wg.ones([1]), { margin: '1' as never })).toThrow(/marginRanking: margin must be a number/);
  });
});
