/**
 * The losses PyTorch has beyond the fused ones (cosine_embedding_loss, triplet_margin_loss,
 * soft_margin_loss, poisson_nll_loss, gaussian_nll_loss, multi_margin_loss,
 * multilabel_margin_loss), as composites of existing ops: none is hot enough in a training step
 * for a kernel to pay (docs/internals.md, "Composite ops"). Each gives per-sample (or per-element)
 * losses; src/api/losses.ts checks the arguments PyTorch checks in Python and reduces them.
 * Errors name the public loss (wasmgrad.losses.<name>).
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { broadcastShapes } from './broadcast.js';
import { checkMargin, type MarginAttrs } from './distance.js';
import { planGather } from './indexing.js';
import { arange } from './loss.js';
import { broadcastView, contiguousView, reshape, sliceView } from './shape.js';
import { checkFinite, defineOps, fmtShape, type Builder, type CompositeDef, type Domain, type Meta, sameShape } from './types.js';

const meta = <T>(b: Builder<T>, x: T, dtype: 'float32' | 'int32' = 'float32'): Meta => ({ shape: b.shape(x), dtype });
const clampMin0 = <T>(b: Builder<T>, x: T): T => b.op('clamp', [x], { min: 0, max: null });

const finite = (loss: string, what: string, v: unknown): number => checkFinite(`losses.${loss}`, what, v);

// ---- cosineEmbedding ------------------------------------------------------------------------------
/** The cosine's shape: x1, x2 [N, D] with y [N], or [D] with a 0-d y (PyTorch's rule), the vectors broadcasting. */
function planCosineEmbedding([x1, x2, y]: readonly Meta[]): number[] {
  const fn = 'losses.cosineEmbedding';
  if (y.shape.length > 1) throw new ShapeError(fn, `target y must be 0-d or 1-d (multi-target is not supported), got ${fmtShape(y.shape)}`);
  const rank = y.shape.length + 1;
  if (x1.shape.length !== rank || x2.shape.length !== rank)
    throw new ShapeError(fn, `a ${y.shape.length}-d target y needs ${rank}-d x1 and x2, got ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}`);
  const full = broadcastShapes(fn, [x1.shape, x2.shape]);
  return broadcastShapes(fn, [full.slice(0, -1), y.shape]);
}
/**
 * PyTorch's formula: cos = Σx1·x2 / √((Σx1² + 1e-12)(Σx2² + 1e-12)) along the last dim; the loss
 * is 1 − cos where y = 1, max(0, cos − margin) where y = −1, 0 for any other y.
 */
const cosineEmbeddingLoss: CompositeDef<MarginAttrs, 'cosineEmbeddingLoss'> = {
  kind: 'composite',
  name: 'cosineEmbeddingLoss',
  arity: 3,
  gradInputs: [0, 1],
  doc: 'per-sample 1 − cos(x1, x2) where y = 1, max(0, cos − margin) where y = −1 (margin 0)',
  plan: (ins, { margin = 0 }) => {
    finite('cosineEmbedding', 'margin', margin);
    return { shape: planCosineEmbedding(ins) };
  },
  compose: (b, [x1, x2, y], { margin = 0 }) => {
    const dim = b.shape(x1).length - 1;
    const sum = (t: typeof x1) => b.op('sum', [t], { dim, keepdim: false });
    const mag = (t: typeof x1) => b.op('add', [sum(b.op('mul', [t, t])), b.scalar(1e-12)]);
    const cos = b.op('div', [sum(b.op('mul', [x1, x2])), b.op('sqrt', [b.op('mul', [mag(x1), mag(x2)])])]);
    const pos = b.op('mul', [b.op('eq', [y, b.scalar(1)]), b.op('sub', [b.scalar(1), cos])]);
    const neg = b.op('mul', [b.op('eq', [y, b.scalar(-1)]), clampMin0(b, b.op('sub', [cos, b.scalar(margin)]))]);
    return b.op('add', [pos, neg]);
  },
  tests: {
    // y of all 1, all −1 (constant domains) or 0/1; the mixed ±1 batches are in test/op-examples/loss-extra.test.ts.
    // margin −1 keeps cos − margin away from the kink at 0.
    cases: (
      [
        [[1, 1], [1], [1, 1]],
        [[3, 5], [3], [1, 1]],
        [[7, 3], [7], [-1, -1]],
        [[9, 17], [9], 'mask'],
        [[5, 8], [5], [-1, -1]],
        [[7], [], [1, 1]],
        [[0, 3], [0], [1, 1]],
      ] as [number[], number[], Domain][]
    ).map(([shape, ys, yd], i) => ({
      inputs: [{ shape }, { shape: i === 3 ? [1, shape[1]] : shape }, { shape: ys, domain: yd, noGrad: true }],
      attrs: { margin: i % 2 === 0 ? -1 : -1.5 },
    })),
  },
};

// ---- tripletMargin ---------------------------------------------------------------------------------
export interface TripletAttrs {
  margin?: number;
  p?: number;
  eps?: number;
  swap?: boolean;
}
/**
 * max(0, margin + d(a, p) − d(a, n)) with d = pairwiseDistance (‖x1 − x2 + eps‖_p over the last
 * dim); swap: d(a, n) becomes min(d(a, n), d(p, n)), the distance to the harder negative.
 */
const tripletMarginLoss: CompositeDef<TripletAttrs, 'tripletMarginLoss'> = {
  kind: 'composite',
  name: 'tripletMarginLoss',
  arity: 3,
  gradInputs: [0, 1, 2],
  doc: 'per-sample max(0, margin + ‖a − p + eps‖_p − ‖a − n + eps‖_p) over the last dim (margin 1, p 2, eps 1e-6, swap)',
  plan: ([a, p, n], { margin = 1, eps = 1e-6 }) => {
    checkMargin('losses.tripletMargin', margin);
    finite('tripletMargin', 'eps', eps);
    if (a.shape.length !== p.shape.length || p.shape.length !== n.shape.length)
      throw new ShapeError(
        'losses.tripletMargin',
        `anchor, positive and negative must have the same number of dims, got ${fmtShape(a.shape)}, ${fmtShape(p.shape)} and ${fmtShape(n.shape)}`,
      );
    if (a.shape.length === 0) throw new ShapeError('losses.tripletMargin', 'the inputs need at least 1 dim, got 0-d tensors');
    return { shape: broadcastShapes('losses.tripletMargin', [a.shape, p.shape, n.shape]).slice(0, -1) };
  },
  compose: (b, [a, p, n], { margin = 1, p: norm = 2, eps = 1e-6, swap = false }) => {
    const d = (x: typeof a, y: typeof a) => b.op('pairwiseDistance', [x, y], { p: norm, eps });
    const dn = swap ? b.op('minimum', [d(a, n), d(p, n)]) : d(a, n);
    return clampMin0(b, b.op('sub', [b.op('add', [d(a, p), b.scalar(margin)]), dn]));
  },
  tests: {
    // a margin of 5 with inputs in [−1, 1] keeps the hinge open (no kink), 0.5 mixes both sides.
    cases: (
      [
        [[1, 1], { margin: 5 }],
        [[3, 5], { margin: 5 }],
        [[7, 3], { margin: 5, p: 1 }],
        [[9, 17], { margin: 5, swap: true }],
        [[5, 8], { margin: 5, p: 3, eps: 1e-3 }],
        [[7], { margin: 5 }],
        [[2, 3, 9], { margin: 5, swap: true, p: 1 }],
        [[0, 3], {}],
      ] as [number[], TripletAttrs][]
    ).map(([shape, attrs]) => ({ inputs: [0, 1, 2].map(() => ({ shape, domain: [-1, 1] as Domain })), attrs })),
  },
};

// ---- softMargin ----------------------------------------------------------------------------------
/**
 * log(1 + e^(−y·x)) as softplus(−y·x), broadcasting. PyTorch computes log1p(exp(−y·x)), which is
 * +∞ once −y·x > 88 in float32; softplus is that value wherever it is finite, and −y·x beyond.
 */
const softMarginLoss: CompositeDef<object, 'softMarginLoss'> = {
  kind: 'composite',
  name: 'softMarginLoss',
  arity: 2,
  gradInputs: [0, 1],
  doc: 'per-element log(1 + e^(−y·x)), stable (softplus)',
  plan: ([x, y]) => ({ shape: broadcastShapes('losses.softMargin', [x.shape, y.shape]) }),
  compose: (b, [x, y]) => b.op('softplus', [b.op('neg', [b.op('mul', [x, y])])], { beta: 1, threshold: 20 }),
  tests: {
    cases: [[1], [3], [7], [9], [5, 7], [17, 3], [2, 3, 4], [0]].map((shape, i) => ({
      inputs: [
        { shape, domain: i === 3 ? ([-30, 30] as Domain) : 'any' },
        { shape: i === 4 ? [7] : shape, domain: 'awayFromZero' as Domain },
      ],
    })),
  },
};

// ---- poissonNll ------------------------------------------------------------------------------------
export interface PoissonNllAttrs {
  logInput?: boolean;
  full?: boolean;
  eps?: number;
}
/**
 * eˣ − t·x (logInput, x = log λ) or λ − t·log(λ + eps); full adds Stirling's t·log t − t + ½log(2πt)
 * where t > 1 (0 elsewhere, as PyTorch). That term is taken of t where t > 1 and of 1 elsewhere, so
 * log never sees t ≤ 0 and the masked term's gradient is 0, not NaN.
 */
const poissonNllLoss: CompositeDef<PoissonNllAttrs, 'poissonNllLoss'> = {
  kind: 'composite',
  name: 'poissonNllLoss',
  arity: 2,
  gradInputs: [0, 1],
  doc: 'per-element Poisson NLL eˣ − t·x (logInput), else x − t·log(x + eps); full adds the Stirling term where t > 1',
  plan: ([x, t], { eps = 1e-8 }) => {
    finite('poissonNll', 'eps', eps);
    return { shape: broadcastShapes('losses.poissonNll', [x.shape, t.shape]) };
  },
  compose: (b, [x, t], { logInput = true, full = false, eps = 1e-8 }) => {
    const loss = logInput
      ? b.op('sub', [b.op('exp', [x]), b.op('mul', [t, x])])
      : b.op('sub', [x, b.op('mul', [t, b.op('log', [b.op('add', [x, b.scalar(eps)])])])]);
    if (!full) return loss;
    const big = b.op('gt', [t, b.scalar(1)]);
    const ts = b.op('add', [b.op('mul', [big, t]), b.op('sub', [b.scalar(1), big])]); // t where t > 1, else 1
    const logT = b.op('log', [ts]);
    const stirling = b.op('add', [
      b.op('sub', [b.op('mul', [ts, logT]), ts]),
      b.op('mul', [b.scalar(0.5), b.op('add', [logT, b.scalar(Math.log(2 * Math.PI))])]),
    ]);
    return b.op('add', [loss, b.op('mul', [big, stirling])]);
  },
  tests: {
    // targets in [0.2, 0.9] and [1.2, 4] keep t away from the Stirling term's switch at t = 1.
    cases: (
      [
        [[1], {}, [0.2, 4]],
        [[3], {}, 'positive'],
        [[7], { logInput: false }, 'positive'],
        [[9], { logInput: false, eps: 1e-3 }, 'positive'],
        [[5, 7], { full: true }, [1.2, 4]],
        [[17, 3], { full: true, logInput: false }, [0.2, 0.9]],
        [[2, 3, 4], { full: true }, [1.2, 4]],
        [[0], { full: true }, 'positive'],
      ] as [number[], PoissonNllAttrs, Domain][]
    ).map(([shape, attrs, td]) => ({
      inputs: [
        { shape, domain: attrs.logInput === false ? 'positive' : 'any' },
        { shape, domain: td },
      ],
      attrs,
    })),
  },
};

// ---- gaussianNll -----------------------------------------------------------------------------------
export interface GaussianNllAttrs {
  full?: boolean;
  eps?: number;
}
/**
 * ½(log v + (x − t)²/v) (+ ½log 2π with full), v = max(var, eps) in value only: PyTorch clamps a
 * clone of var under no_grad, so the gradient reaches var as if unclamped. Written as
 * var + detach(relu(eps − var)): the added term is exactly 0 once var ≥ eps (so an infinite var
 * stays ∞, where var − detach(var) would be ∞ − ∞ = NaN) and lifts a smaller var to eps (within
 * one rounding), with gradient 1 to var either way.
 * var arrives shaped to broadcast against x (src/api/losses.ts applies PyTorch's rules).
 */
const gaussianNllLoss: CompositeDef<GaussianNllAttrs, 'gaussianNllLoss'> = {
  kind: 'composite',
  name: 'gaussianNllLoss',
  arity: 3,
  gradInputs: [0, 1, 2],
  doc: 'per-element Gaussian NLL ½(log v + (x − t)²/v), v = var clamped at eps (1e-6) in value only; full adds ½log 2π',
  plan: ([x, t, v], { eps = 1e-6 }) => {
    finite('gaussianNll', 'eps', eps);
    return { shape: broadcastShapes('losses.gaussianNll', [x.shape, t.shape, v.shape]) };
  },
  compose: (b, [x, t, v], { full = false, eps = 1e-6 }) => {
    const vc = b.op('add', [v, b.detach(b.op('relu', [b.op('sub', [b.scalar(eps), v])]))]);
    const e = b.op('sub', [x, t]);
    const loss = b.op('mul', [b.scalar(0.5), b.op('add', [b.op('log', [vc]), b.op('div', [b.op('mul', [e, e]), vc])])]);
    return full ? b.op('add', [loss, b.scalar(0.5 * Math.log(2 * Math.PI))]) : loss;
  },
  tests: {
    cases: (
      [
        [[1], [1], {}],
        [[3], [3], {}],
        [[7, 3], [7, 1], { full: true }],
        [[9], [9], { eps: 0.5 }],
        [[5, 7], [5, 7], {}],
        [[17, 3], [1], {}],
        [[2, 3, 4], [2, 3, 1], { full: true }],
        [[0, 3], [0, 1], {}],
      ] as [number[], number[], GaussianNllAttrs][]
    ).map(([shape, vs, attrs], i) => ({
      // eps 0.5 with var in [0.2, 2]: some entries clamped (their gradient still flows), none at the switch
      inputs: [{ shape }, { shape }, { shape: vs, domain: i === 3 ? ([0.6, 2] as Domain) : 'positive' }],
      attrs,
    })),
  },
};

// ---- multiMargin, multiLabelMargin -------------------------------------------------------------------

/** x as [N, C]: a single sample [C] becomes [1, C] (its label 0-d or, as PyTorch also takes, [1]). */
function rows(loss: string, x: Meta, y: Meta, yRank: 'labels' | 'same'): [number, number] {
  const fn = `losses.${loss}`;
  if (x.shape.length !== 1 && x.shape.length !== 2) throw new ShapeError(fn, `input must be [N, C] or [C], got ${fmtShape(x.shape)}`);
  const want = yRank === 'same' ? x.shape : x.shape.slice(0, -1);
  const oneLabel = yRank === 'labels' && x.shape.length === 1 && y.shape.length === 1 && y.shape[0] === 1;
  if (!oneLabel && !sameShape(y.shape, want))
    throw new ShapeError(fn, `target ${fmtShape(y.shape)} does not fit input ${fmtShape(x.shape)}: expected int32 ${fmtShape(want)}`);
  const C = x.shape[x.shape.length - 1];
  if (C === 0 && y.shape.length > 0 && y.shape[0] > 0) throw new ShapeError(fn, `input ${fmtShape(x.shape)} has no classes for its ${y.shape[0]} samples`);
  return [x.shape.length === 2 ? x.shape[0] : 1, C];
}

export interface MultiMarginAttrs {
  p?: 1 | 2;
  margin?: number;
}
/**
 * Σ_{j ≠ y} max(0, margin − x[y] + x[j])ᵖ / C per sample (PyTorch multi_margin_loss; p 1 or 2). The
 * hinge is relu: PyTorch adds a term only where it is > 0, so its gradient is 0 at the kink; the
 * j = y term is masked out with a one-hot of the labels.
 */
const multiMarginLoss: CompositeDef<MultiMarginAttrs, 'multiMarginLoss'> = {
  kind: 'composite',
  name: 'multiMarginLoss',
  arity: 2,
  inputDtypes: ['float32', 'int32'],
  gradInputs: [0],
  doc: 'per-sample Σ_{j≠y} max(0, margin − x[y] + x[j])ᵖ / C with int32 labels y (p 1 or 2, margin 1)',
  plan: ([x, y], { p = 1, margin = 1 }) => {
    if (p !== 1 && p !== 2) throw new ValueError('losses.multiMargin', `p must be 1 or 2, got ${fmtValue(p)}`);
    finite('multiMargin', 'margin', margin);
    rows('multiMargin', x, y, 'labels');
    return { shape: [...y.shape] };
  },
  compose: (b, [x, y], { p = 1, margin = 1 }) => {
    const [N, C] = rows('multiMargin', meta(b, x), meta(b, y, 'int32'), 'labels');
    const x2 = reshape(b, x, [N, C]),
      y2 = reshape(b, b.op('toFloat', [y]), [N, 1]);
    const yi = b.op('copyInt', [y], contiguousView([N, 1]));
    const xy = b.op('indexGather', [x2, yi], planGather('losses.multiMargin', { shape: [N, C], dtype: 'float32' }, 1, { shape: [N, 1], dtype: 'int32' }).map);
    const h = b.op('relu', [b.op('add', [b.op('sub', [x2, xy]), b.scalar(margin)])]);
    const other = b.op('sub', [b.scalar(1), b.op('eq', [arange(b, C), y2])]);
    const terms = b.op('mul', [p === 2 ? b.op('mul', [h, h]) : h, other]);
    return reshape(b, b.op('div', [b.op('sum', [terms], { dim: 1, keepdim: false }), b.scalar(C)]), b.shape(y));
  },
  tests: {
    // x in [−0.4, 0.4] with margin 1: every hinge is open (no kink); margin 0.1 mixes both sides.
    cases: (
      [
        [[1, 1], {}],
        [[3, 5], {}],
        [[7, 3], { p: 2 }],
        [[4, 9], { margin: 0.1 }],
        [[5, 17], { p: 2, margin: 0.1 }],
        [[8], {}],
        [[5], { margin: 0.1 }, [1]],
        [[0, 3], {}],
      ] as [number[], MultiMarginAttrs, number[]?][]
    ).map(([shape, attrs, labels = shape.slice(0, -1)]) => ({
      inputs: [
        { shape, domain: [-0.4, 0.4] as Domain },
        { shape: labels, dtype: 'int32' as const, int: [0, shape[shape.length - 1]] as [number, number] },
      ],
      attrs,
    })),
  },
};

/**
 * Σ_{j ∈ targets} Σ_{k ∉ targets} max(0, 1 − (x[j] − x[k])) / C per sample (PyTorch
 * multilabel_margin_loss). The targets are y's entries before its first −1: `kept` marks them (a
 * running product of y ≠ −1), `count` [N, C] counts how often each class is one (a repeated target
 * counts twice, as PyTorch's loop), and the [N, C, C] hinges are weighted by count[j]·[count[k] = 0].
 */
const multiLabelMarginLoss: CompositeDef<object, 'multiLabelMarginLoss'> = {
  kind: 'composite',
  name: 'multiLabelMarginLoss',
  arity: 2,
  inputDtypes: ['float32', 'int32'],
  gradInputs: [0],
  doc: 'per-sample Σ over targets j (y before its first −1) and non-targets k of max(0, 1 − x[j] + x[k]) / C',
  plan: ([x, y]) => {
    rows('multiLabelMargin', x, y, 'same');
    return { shape: x.shape.slice(0, -1) };
  },
  compose: (b, [x, y]) => {
    const [N, C] = rows('multiLabelMargin', meta(b, x), meta(b, y, 'int32'), 'same');
    const kept = b.op('cumprod', [reshape(b, b.op('notEqualMask', [y], { value: -1 }), [N, C])], { dim: 1 });
    const isClass = b.op('eq', [reshape(b, b.op('toFloat', [y]), [N, C, 1]), arange(b, C)]); // [N, position, class]
    const count = b.op('sum', [b.op('mul', [isClass, reshape(b, kept, [N, C, 1])])], { dim: 1, keepdim: false });
    const nonTarget = b.op('eq', [count, b.scalar(0)]);
    const x2 = reshape(b, x, [N, C]);
    const hinge = b.op('relu', [b.op('add', [b.op('sub', [reshape(b, x2, [N, 1, C]), reshape(b, x2, [N, C, 1])]), b.scalar(1)])]); // [N, j, k]
    const weighted = b.op('mul', [b.op('mul', [hinge, reshape(b, count, [N, C, 1])]), reshape(b, nonTarget, [N, 1, C])]);
    return reshape(b, b.op('div', [b.op('sum', [weighted], { dim: [1, 2], keepdim: false }), b.scalar(C)]), b.shape(x).slice(0, -1));
  },
  tests: {
    // x in [−0.4, 0.4]: every hinge 1 − x[j] + x[k] ≥ 0.2 (no kink); targets −1..C−1 put the
    // terminator anywhere, repeated targets included.
    cases: [[1, 1], [3, 5], [7, 3], [4, 9], [5, 17], [8], [0, 3]].map((shape) => ({
      inputs: [
        { shape, domain: [-0.4, 0.4] as Domain },
        { shape, dtype: 'int32' as const, int: [-1, shape[shape.length - 1]] as [number, number] },
      ],
    })),
  },
};

// ---- ctc ----------------------------------------------------------------------------------------------
export interface CtcAttrs {
  blank?: number;
}
/** T, N, C, S of logProbs [T, N, C], targets [N, S], inputLengths [N], targetLengths [N] (0-d for N = 1: PyTorch's unbatched lengths). */
function planCtcShapes([lp, tg, il, tl]: readonly Meta[]): [number, number, number, number] {
  const fn = 'losses.ctc';
  if (lp.shape.length !== 3) throw new ShapeError(fn, `logProbs must be [T, N, C], got ${fmtShape(lp.shape)}`);
  const [T, N, C] = lp.shape;
  if (tg.shape.length !== 2 || tg.shape[0] !== N)
    throw new ShapeError(
      fn,
      `targets must be int32 [N, S] padded (N = ${N} from logProbs ${fmtShape(lp.shape)}) or 1-D concatenated, got ${fmtShape(tg.shape)}`,
    );
  for (const [what, t] of [
    ['inputLengths', il],
    ['targetLengths', tl],
  ] as const)
    if (!(t.shape.length === 1 ? t.shape[0] === N : t.shape.length === 0 && N === 1))
      throw new ShapeError(fn, `${what} must be int32 [${N}] (one per sample), got ${fmtShape(t.shape)}`);
  return [T, N, C, tg.shape[1]];
}

/**
 * log(Σ eᵃ) of same-shape terms that may be −∞, with gradients that are never NaN: the detached
 * max is taken as 0 where every term is −∞ (no −∞ − (−∞)), and where the sum is 0 the log is of 1
 * and the result −∞ by `where` (no log 0 in the backward, whose 1/0 times a 0 gradient is NaN).
 */
function logSumExp<T>(b: Builder<T>, terms: T[]): T {
  const ninf = b.scalar(-Infinity);
  const max = b.detach(terms.slice(1).reduce((m, t) => b.op('maximum', [m, t]), terms[0]));
  const m = b.op('where', [b.op('gt', [max, ninf]), max, b.scalar(0)]);
  const s = terms.map((t) => b.op('exp', [b.op('sub', [t, m])])).reduce((x, y) => b.op('add', [x, y]));
  const pos = b.op('gt', [s, b.scalar(0)]);
  return b.op('where', [pos, b.op('add', [m, b.op('log', [b.op('where', [pos, s, b.scalar(1)])])]), ninf]);
}

/**
 * Per-sample CTC negative log-likelihood −log p(target | x) (PyTorch ctc_loss's value), by the
 * forward recursion in log space over the extended target l' = (blank, y₁, blank, …, y_S, blank):
 * α₀ = lp₀ at s = 0, 1; α_t(s) = lp_t(l'_s) + log(e^α(s) + e^α(s−1) + [l'_s ≠ l'_{s−2}]·e^α(s−2)),
 * frozen once t reaches the sample's input length; the loss is −log(e^α(2S_n) + e^α(2S_n − 1)).
 * Padded targets (s ≥ S_n) are read as blank, so any value there is harmless; positions past
 * 2S_n + 1 never feed the ones read. The gradient is autodiff's through the recursion (the true
 * gradient; src/api/losses.ts adds PyTorch's extra term). Infeasible samples give +∞.
 */
const ctcLoss: CompositeDef<CtcAttrs, 'ctcLoss'> = {
  kind: 'composite',
  name: 'ctcLoss',
  arity: 4,
  inputDtypes: ['float32', 'int32', 'int32', 'int32'],
  gradInputs: [0],
  doc: 'per-sample CTC loss −log p(target | x) of logProbs [T, N, C], padded int32 targets [N, S] and int32 input and target lengths [N] (blank 0)',
  plan: (ins, { blank = 0 }) => {
    const [, N, C] = planCtcShapes(ins);
    if (!Number.isInteger(blank) || blank < 0 || blank >= C)
      throw new ValueError('losses.ctc', `blank must be a class id in 0..${C - 1}, got ${fmtValue(blank)}`);
    return { shape: [N] };
  },
  compose: (b, [lp, tg, il, tl], { blank = 0 }) => {
    const [T, N, , S] = planCtcShapes([meta(b, lp), meta(b, tg, 'int32'), meta(b, il, 'int32'), meta(b, tl, 'int32')]);
    const L = 2 * S + 1,
      ninf = (shape: number[]) => b.op('fill', [], { shape, value: -Infinity });
    const full = (shape: number[], value: number) => b.op('fill', [], { shape, value });
    const lengths = (t: typeof lp) => reshape(b, b.op('toFloat', [t]), [N, 1]);
    const targetLen = lengths(tl),
      inputLen = lengths(il);
    // l' [N, L] as floats (class ids are exact), padded targets read as blank
    const kept = b.op('lt', [arange(b, S), targetLen]);
    const y = b.op('where', [kept, b.op('toFloat', [tg]), b.scalar(blank)]);
    const pairs = b.op('cat', [full([N, S, 1], blank), reshape(b, y, [N, S, 1])], { dim: 2 });
    const ext = b.op('cat', [reshape(b, pairs, [N, 2 * S]), full([N, 1], blank)], { dim: 1 });
    // the emissions lp_t(l'_s) for every t: [T, N, L]
    const idx = b.op('copyInt', [b.op('toInt', [reshape(b, ext, [1, N, L])])], broadcastView([1, N, L], [T, N, L]));
    const map = planGather('losses.ctc', meta(b, lp), 2, { shape: [T, N, L], dtype: 'int32' }).map;
    const emit = b.op('indexGather', [lp, idx], map);
    const at = (t: number) => reshape(b, b.op('copy', [emit], sliceView([T, N, L], 0, t, t + 1)), [N, L]);
    const shift = (a: typeof lp, k: number) =>
      L > k ? b.op('cat', [ninf([N, k]), b.op('copy', [a], sliceView([N, L], 1, 0, L - k))], { dim: 1 }) : ninf([N, L]);
    // the skip s−2 → s where l'_s ≠ l'_{s−2} (never for s < 2)
    const skip =
      L > 2
        ? b.op(
            'cat',
            [
              full([N, 2], 0),
              b.op('sub', [b.scalar(1), b.op('eq', [b.op('copy', [ext], sliceView([N, L], 1, 2, L)), b.op('copy', [ext], sliceView([N, L], 1, 0, L - 2))])]),
            ],
            { dim: 1 },
          )
        : null;
    const first = b.op('lt', [arange(b, L), b.scalar(2)]); // s = 0, 1
    let alpha = b.op('where', [first, at(0), b.scalar(-Infinity)]);
    for (let t = 1; t < T; t++) {
      const terms = [alpha, shift(alpha, 1)];
      if (skip) terms.push(b.op('where', [skip, shift(alpha, 2), b.scalar(-Infinity)]));
      const next = b.op('add', [at(t), logSumExp(b, terms)]);
      alpha = b.op('where', [b.op('gt', [inputLen, b.scalar(t)]), next, alpha]);
    }
    // −log(e^α(2S_n) + e^α(2S_n − 1)), the second −∞ for an empty target
    const read = (pos: typeof lp) =>
      b.op(
        'indexGather',
        [alpha, b.op('toInt', [pos])],
        planGather('losses.ctc', { shape: [N, L], dtype: 'float32' }, 1, { shape: [N, 1], dtype: 'int32' }).map,
      );
    const last = b.op('mul', [targetLen, b.scalar(2)]);
    const before = b.op('where', [
      b.op('gt', [targetLen, b.scalar(0)]),
      read(b.op('maximum', [b.op('sub', [last, b.scalar(1)]), b.scalar(0)])),
      b.scalar(-Infinity),
    ]);
    return reshape(b, b.op('neg', [logSumExp(b, [read(last), before])]), [N]);
  },
  tests: {
    // Random logits stand in for log-probabilities (the recursion is smooth in them). Input lengths
    // from 2S + 1 up make every target reachable (no infinite loss); blank 0 and targets 1..C−1,
    // plus cases with blank as a target value and another blank.
    cases: (
      [
        [1, 1, 2, 0, [1, 2], [0, 1], {}],
        [3, 2, 3, 1, [3, 4], [0, 2], {}],
        [5, 3, 4, 2, [5, 6], [0, 3], {}],
        [9, 2, 5, 3, [7, 10], [0, 4], {}],
        [7, 4, 3, 2, [5, 8], [0, 3], { blank: 2 }],
        [8, 1, 9, 3, [8, 9], [3, 4], {}],
      ] as [number, number, number, number, [number, number], [number, number], CtcAttrs][]
    ).map(([T, N, C, S, inputLen, targetLen, attrs]) => ({
      name: `T ${T}, N ${N}, C ${C}, S ${S}${attrs.blank ? `, blank ${attrs.blank}` : ''}`,
      inputs: [
        { shape: [T, N, C] },
        { shape: [N, S], dtype: 'int32' as const, int: [0, C] as [number, number] },
        { shape: [N], dtype: 'int32' as const, int: inputLen },
        { shape: [N], dtype: 'int32' as const, int: targetLen },
      ],
      attrs,
    })),
  },
};

export const LOSS_EXTRA_OPS = defineOps(
  cosineEmbeddingLoss,
  tripletMarginLoss,
  softMarginLoss,
  poissonNllLoss,
  gaussianNllLoss,
  multiMarginLoss,
  multiLabelMarginLoss,
  ctcLoss,
);
