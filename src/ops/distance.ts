/**
 * Per-element losses and distances that compose existing ops (PyTorch's smooth_l1_loss, kl_div,
 * margin_ranking_loss, hinge_embedding_loss, cosine_similarity, pairwise_distance, cdist). They are
 * composites: none is hot enough in training for a kernel to pay (docs/internals.md). The losses
 * give per-element values; src/api/losses.ts reduces them.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { broadcastShapes } from './broadcast.js';
import { normDim } from './reduce.js';
import { broadcastView, contiguousView } from './shape.js';
import { defineOps, fmtShape, sameShape, type Builder, type CompositeDef, type Domain, type Meta, type TestCase } from './types.js';

const TILE = 8;
const PAIR_SHAPES = [[1], [3], [TILE - 1], [TILE + 1], [5, 7], [17, 3], [2, 3, 4], [0]];
const pairCases = (domains: [Domain?, Domain?] = [], attrs?: object): TestCase[] =>
  PAIR_SHAPES.map((shape) => ({
    inputs: [
      { shape, domain: domains[0] },
      { shape, domain: domains[1] },
    ],
    attrs,
  }));

const broadcastPlan = (op: string) => (ins: readonly Meta[]) => ({
  shape: broadcastShapes(
    op,
    ins.map((t) => t.shape),
  ),
});

/** A finite number ≥ lo (or > lo when `open`), for an option named `what`. */
function checkNumber(op: string, what: string, v: unknown, lo: number, open = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || (open && v === lo))
    throw new ValueError(op, `${what} must be a finite number ${open ? '>' : '≥'} ${lo}, got ${fmtValue(v)}`);
  return v;
}

/**
 * A margin of marginRanking and the triplet losses is any number, ±∞ and NaN too, as PyTorch's (the
 * hinge is then ∞, 0 or NaN by IEEE rules). hingeEmbedding and cosineEmbedding keep finite margins:
 * their masked sums would turn an unused ∞ into NaN (0·∞) where PyTorch selects.
 */
export function checkMargin(op: string, margin: unknown): number {
  if (typeof margin !== 'number') throw new ValueError(op, `margin must be a number, got ${fmtValue(margin)}`);
  return margin;
}

/** where(c, a, 0) written as a product with the 0/1 mask c: the mask has no gradient, and a's is masked. */
const masked = <T>(b: Builder<T>, c: T, a: T): T => b.op('mul', [c, a]);
/** 1 − m for a 0/1 mask m. */
const not = <T>(b: Builder<T>, m: T): T => b.op('sub', [b.scalar(1), m]);
/** a where the 0/1 mask is 1, else 1 (a safe argument for a root or power masked back afterwards). */
const orOne = <T>(b: Builder<T>, mask: T, a: T): T => b.op('add', [masked(b, mask, a), not(b, mask)]);

// ---- smoothL1: Huber / β ----------------------------------------------------------------------------
export interface SmoothL1Attrs {
  beta?: number;
}
/**
 * ½e²/β for |e| < β, |e| − ½β beyond (PyTorch smooth_l1_loss, β = 1 by default): Huber with δ = β
 * divided by β; β = 0 is the L1 loss, as in PyTorch, with PyTorch's slope −1 for both inputs at e = 0.
 */
const smoothL1Loss: CompositeDef<SmoothL1Attrs, 'smoothL1Loss'> = {
  kind: 'composite',
  name: 'smoothL1Loss',
  arity: 2,
  gradInputs: [0, 1],
  doc: 'per-element smooth L1: ½e²/β for |e| < β, else |e| − ½β (β = 0: |e|)',
  plan: ([p, t], { beta = 1 }) => {
    // β = ∞ is PyTorch's too: ½e²/∞ = 0 wherever e² is finite
    if (typeof beta !== 'number' || !(beta >= 0)) throw new ValueError('losses.smoothL1', `beta must be a number ≥ 0, got ${fmtValue(beta)}`);
    if (!sameShape(p.shape, t.shape))
      throw new ShapeError('losses.smoothL1', `pred ${fmtShape(p.shape)} and target ${fmtShape(t.shape)} must have the same shape`);
    return { shape: [...p.shape] };
  },
  compose: (b, [p, t], { beta = 1 }) => {
    if (beta !== 0) return b.op('div', [b.op('huberLoss', [p, t], { delta: beta }), b.scalar(beta)]);
    // |e|, e = p − t. PyTorch's β = 0 kernel tests e ≤ −β first, for pred and (with p and t swapped)
    // for target, so at e = 0 both get slope −1 where |e| has 0: there the value is
    // (p̄ − p) + (t̄ − t) (p̄ detached), exactly +0 with those slopes.
    const e = b.op('sub', [p, t]);
    const atZero = b.op('add', [b.op('sub', [b.detach(p), p]), b.op('sub', [b.detach(t), t])]);
    return b.op('where', [b.op('eq', [e, b.scalar(0)]), atZero, b.op('where', [b.op('gt', [e, b.scalar(0)]), e, b.op('neg', [e])])]);
  },
  tests: {
    cases: [
      ...pairCases([
        [-3, 3],
        [-3, 3],
      ]),
      ...pairCases(
        [
          [-3, 3],
          [-3, 3],
        ],
        { beta: 0.5 },
      ).slice(2, 5),
      ...pairCases(['awayFromZero', [0, 0]], { beta: 0 }).slice(1, 4),
    ],
  },
};

// ---- klDiv ---------------------------------------------------------------------------------------
export interface KlDivAttrs {
  logTarget?: boolean;
}
/**
 * Pointwise KL term of log-probabilities x against a target t: t·(log t − x), 0 where t = 0 (t log t
 * → 0), as PyTorch's xlogy form (NaN for t < 0, as PyTorch); with logTarget the target is given as
 * log t: eᵗ·(t − x). log t is taken of t + [t = 0], so where t = 0 it is log 1 = 0 and neither value
 * nor gradient meets log 0: the gradient w.r.t. a zero target is 0 here (PyTorch 1.13 gives NaN there).
 */
const klDivLoss: CompositeDef<KlDivAttrs, 'klDivLoss'> = {
  kind: 'composite',
  name: 'klDivLoss',
  arity: 2,
  gradInputs: [0, 1],
  doc: 'per-element KL divergence term t·(log t − x) (0 at t = 0); logTarget: eᵗ·(t − x)',
  plan: broadcastPlan('losses.klDiv'),
  compose: (b, [x, t], { logTarget = false }) => {
    if (logTarget) return b.op('mul', [b.op('exp', [t]), b.op('sub', [t, x])]);
    const safe = b.op('add', [t, b.op('eq', [t, b.scalar(0)])]); // t, or 1 where t = 0 (log 1 = 0)
    return b.op('mul', [t, b.op('sub', [b.op('log', [safe]), x])]);
  },
  tests: {
    // zero targets (the 'mask' cases): t log t has no derivative at t = 0, so only x's gradient is checked there
    cases: [
      ...pairCases([[-3, 0], 'unit']),
      ...pairCases([[-3, 0], 'mask'])
        .slice(1, 4)
        .map((c) => ({ ...c, inputs: [c.inputs[0], { ...c.inputs[1], noGrad: true }] })),
      ...pairCases(
        [
          [-3, 0],
          [-3, 0],
        ],
        { logTarget: true },
      ),
    ],
  },
};

// ---- marginRanking, hingeEmbedding --------------------------------------------------------------
export interface MarginAttrs {
  margin?: number;
}
/**
 * max(0, −y·(x1 − x2) + margin), broadcasting (PyTorch margin_ranking_loss, margin 0 by default).
 * The hinge is clamp(·, 0), whose gradient passes at 0 as PyTorch's clamp_min (relu's is 0 there).
 */
const marginRankingLoss: CompositeDef<MarginAttrs, 'marginRankingLoss'> = {
  kind: 'composite',
  name: 'marginRankingLoss',
  arity: 3,
  gradInputs: [0, 1, 2],
  doc: 'per-element max(0, −y·(x1 − x2) + margin)',
  plan: (ins, { margin = 0 }) => {
    checkMargin('losses.marginRanking', margin);
    return broadcastPlan('losses.marginRanking')(ins);
  },
  compose: (b, [x1, x2, y], { margin = 0 }) =>
    b.op('clamp', [b.op('add', [b.op('mul', [b.op('neg', [y]), b.op('sub', [x1, x2])]), b.scalar(margin)])], { min: 0, max: null }),
  tests: {
    // |x1 − x2| ≥ 0.4 with y = ±1 keeps the hinge's argument away from 0 (finite differences).
    cases: PAIR_SHAPES.slice(0, 6).map((shape, i) => ({
      inputs: [
        { shape, domain: [0.2, 1] as Domain },
        { shape, domain: [-1, -0.2] as Domain },
        { shape, domain: 'awayFromZero' as Domain },
      ],
      attrs: { margin: i % 2 === 0 ? 0 : 0.1 },
    })),
  },
};

/**
 * PyTorch's hinge_embedding_loss term by term: x where y ≠ −1, plus max(0, margin − x) where y ≠ 1
 * (so y = 1 gives x and y = −1 gives the hinge; other values get both, as PyTorch).
 */
const hingeEmbeddingLoss: CompositeDef<MarginAttrs, 'hingeEmbeddingLoss'> = {
  kind: 'composite',
  name: 'hingeEmbeddingLoss',
  arity: 2,
  gradInputs: [0],
  doc: 'per-element x where y = 1, max(0, margin − x) where y = −1 (margin 1)',
  plan: (ins, { margin = 1 }) => {
    checkNumber('losses.hingeEmbedding', 'margin', margin, -Infinity);
    return broadcastPlan('losses.hingeEmbedding')(ins);
  },
  compose: (b, [x, y], { margin = 1 }) => {
    const notNeg = not(b, b.op('eq', [y, b.scalar(-1)]));
    const notPos = not(b, b.op('eq', [y, b.scalar(1)]));
    // clamp, not relu: at margin − x = 0 the gradient passes, as PyTorch's clamp_min
    const hinge = b.op('clamp', [b.op('sub', [b.scalar(margin), x])], { min: 0, max: null });
    return b.op('add', [masked(b, notNeg, x), masked(b, notPos, hinge)]);
  },
  tests: {
    // x in [−3, −1.5] ∪ … keeps margin − x away from 0: x ∈ [−2, 0.5] with margin 1.
    cases: PAIR_SHAPES.map((shape) => ({
      inputs: [
        { shape, domain: [-2, 0.5] as Domain },
        { shape, domain: 'mask' as Domain, noGrad: true },
      ],
    })).map((c, i) => (i % 2 === 0 ? c : { ...c, attrs: { margin: 0.8 } })),
  },
};

// ---- norms along a dim ------------------------------------------------------------------------------
/** The p of a p-norm distance: a number ≥ 0 or Infinity. */
function checkP(op: string, p: unknown): number {
  if (typeof p !== 'number' || Number.isNaN(p) || p < 0) throw new ValueError(op, `p must be a number ≥ 0 or Infinity, got ${fmtValue(p)}`);
  return p;
}

/**
 * ‖d‖_p along `dim` (keepdim): p = 0 counts the nonzero elements, p = ∞ is max |d|, p = 1 Σ|d|, p = 2
 * √Σd², otherwise (Σ|d|ᵖ)^(1/p). The root is taken of max(s, tiny) where s = 0 selects 0, so a zero
 * distance has gradient 0 (as PyTorch's norm backward) instead of 0/0.
 */
function pNorm<T>(b: Builder<T>, d: T, p: number, dim: number, keepdim: boolean): T {
  if (p === Infinity) return b.op('max', [b.op('abs', [d])], { dim, keepdim });
  if (p === 0) return b.op('sum', [not(b, b.op('eq', [d, b.scalar(0)]))], { dim, keepdim });
  if (p === 1) return b.op('sum', [b.op('abs', [d])], { dim, keepdim });
  const s = p === 2 ? b.op('sum', [b.op('mul', [d, d])], { dim, keepdim }) : b.op('sum', [absPow(b, d, p)], { dim, keepdim });
  return safeRoot(b, s, p);
}

/**
 * |d|ᵖ. For p < 1 its derivative p·|d|^(p−1) is ∞ at d = 0 (and abs's is 0 there: NaN), so zero
 * elements are raised as 1 and masked back to 0: their gradient is 0, as PyTorch's cdist and pdist.
 */
function absPow<T>(b: Builder<T>, d: T, p: number): T {
  const a = b.op('abs', [d]);
  if (p >= 1) return b.op('pow', [a], { exponent: p });
  const pos = b.op('gt', [a, b.scalar(0)]);
  return masked(b, pos, b.op('pow', [orOne(b, pos, a)], { exponent: p }));
}

/** s^(1/p) with value and gradient 0 at s = 0 (see pNorm). */
function safeRoot<T>(b: Builder<T>, s: T, p: number): T {
  const pos = b.op('gt', [s, b.scalar(0)]);
  const safe = orOne(b, pos, s);
  const root = p === 2 ? b.op('sqrt', [safe]) : b.op('pow', [safe], { exponent: 1 / p });
  return masked(b, pos, root);
}

// ---- cosineSimilarity, pairwiseDistance, cdist -------------------------------------------------------
const meta = <T>(b: Builder<T>, x: T): Meta => ({ shape: b.shape(x), dtype: 'float32' });
/** x broadcast to `shape` (a copy; its gradient sums back), or x itself when it has that shape. */
const expandTo = <T>(b: Builder<T>, x: T, shape: readonly number[]): T =>
  sameShape(b.shape(x), shape) ? x : b.op('copy', [x], broadcastView(b.shape(x), shape));

export interface CosineAttrs {
  dim?: number;
  eps?: number;
}
function planCosine([a, c]: readonly Meta[], { dim = 1, eps = 1e-8 }: CosineAttrs): { full: number[]; shape: number[]; dim: number } {
  checkNumber('cosineSimilarity', 'eps', eps, 0);
  const full = broadcastShapes('cosineSimilarity', [a.shape, c.shape]);
  if (full.length === 0) throw new ShapeError('cosineSimilarity', `needs at least 1 dim, got ${fmtShape(a.shape)} and ${fmtShape(c.shape)}`);
  const d = normDim('cosineSimilarity', full, dim);
  return { full, shape: full.filter((_, i) => i !== d), dim: d };
}
/**
 * x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) along dim, after broadcasting (PyTorch 1.13's
 * cosine_similarity: a vector shorter than eps is scaled as if its norm were eps).
 */
const cosineSimilarity: CompositeDef<CosineAttrs, 'cosineSimilarity'> = {
  kind: 'composite',
  name: 'cosineSimilarity',
  arity: 2,
  gradInputs: [0, 1],
  doc: 'x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) along dim (default 1, eps 1e-8), broadcasting',
  plan: (ins, a) => ({ shape: planCosine(ins, a).shape }),
  compose: (b, [x1, x2], a) => {
    const { full, dim } = planCosine([meta(b, x1), meta(b, x2)], a);
    const u = expandTo(b, x1, full),
      v = expandTo(b, x2, full);
    const norm = (x: typeof u) => b.op('clamp', [pNorm(b, x, 2, dim, false)], { min: a.eps ?? 1e-8, max: null });
    return b.op('div', [b.op('sum', [b.op('mul', [u, v])], { dim, keepdim: false }), b.op('mul', [norm(u), norm(v)])]);
  },
  tests: {
    cases: [
      { inputs: [{ shape: [3, 5] }, { shape: [3, 5] }] },
      { inputs: [{ shape: [1, 1] }, { shape: [1, 1] }] },
      { inputs: [{ shape: [2, 17] }, { shape: [2, 17] }], attrs: { dim: 1 } },
      { inputs: [{ shape: [4, 7, 3] }, { shape: [7, 3] }], attrs: { dim: -1 } },
      { inputs: [{ shape: [7, 3] }, { shape: [7, 1] }], attrs: { dim: 1 } },
      { inputs: [{ shape: [5, 9] }, { shape: [5, 9] }], attrs: { dim: 0, eps: 1e-6 } },
      { inputs: [{ shape: [7] }, { shape: [7] }], attrs: { dim: 0 } },
      { inputs: [{ shape: [0, 3] }, { shape: [0, 3] }] },
    ],
  },
};

export interface PairwiseAttrs {
  p?: number;
  eps?: number;
  keepdim?: boolean;
}
function planPairwise([a, c]: readonly Meta[], { p = 2, eps = 1e-6, keepdim = false }: PairwiseAttrs): { full: number[]; shape: number[] } {
  checkP('pairwiseDistance', p);
  checkNumber('pairwiseDistance', 'eps', eps, -Infinity);
  const full = broadcastShapes('pairwiseDistance', [a.shape, c.shape]);
  if (full.length === 0) throw new ShapeError('pairwiseDistance', `needs at least 1 dim, got ${fmtShape(a.shape)} and ${fmtShape(c.shape)}`);
  return { full, shape: keepdim ? [...full.slice(0, -1), 1] : full.slice(0, -1) };
}
/** ‖x1 − x2 + eps‖_p over the last dim (PyTorch pairwise_distance: p 2, eps 1e-6). */
const pairwiseDistance: CompositeDef<PairwiseAttrs, 'pairwiseDistance'> = {
  kind: 'composite',
  name: 'pairwiseDistance',
  arity: 2,
  gradInputs: [0, 1],
  doc: '‖x1 − x2 + eps‖_p over the last dim (p 2, eps 1e-6), broadcasting',
  plan: (ins, a) => ({ shape: planPairwise(ins, a).shape }),
  compose: (b, [x1, x2], a) => {
    const { full } = planPairwise([meta(b, x1), meta(b, x2)], a);
    const d = expandTo(b, b.op('add', [b.op('sub', [x1, x2]), b.scalar(a.eps ?? 1e-6)]), full);
    return pNorm(b, d, a.p ?? 2, full.length - 1, a.keepdim ?? false);
  },
  tests: {
    cases: [
      { inputs: [{ shape: [3, 5] }, { shape: [3, 5] }] },
      { inputs: [{ shape: [1, 1] }, { shape: [1, 1] }] },
      { inputs: [{ shape: [4, 17] }, { shape: [4, 17] }], attrs: { p: 1 } },
      { inputs: [{ shape: [2, 7] }, { shape: [7] }], attrs: { p: 3, keepdim: true } },
      { inputs: [{ shape: [5, 9] }, { shape: [5, 9] }], attrs: { p: Infinity } },
      { inputs: [{ shape: [7] }, { shape: [7] }], attrs: { p: 0.5 } },
      { inputs: [{ shape: [0, 3] }, { shape: [0, 3] }] },
    ],
  },
};

export interface CdistAttrs {
  p?: number;
}
/** Elements of the direct form's [..., P, R, M] differences above which p = 2 uses the matmul form. */
const CDIST_DIRECT_LIMIT = 1 << 24;
function planCdist([a, c]: readonly Meta[], { p = 2 }: CdistAttrs): { shape: number[]; batch: number[] } {
  checkP('cdist', p);
  if (a.shape.length < 2 || c.shape.length < 2 || a.shape[a.shape.length - 1] !== c.shape[c.shape.length - 1])
    throw new ShapeError('cdist', `expects x1 [..., P, M] and x2 [..., R, M] with the same M, got ${fmtShape(a.shape)} and ${fmtShape(c.shape)}`);
  const batch = broadcastShapes('cdist', [a.shape.slice(0, -2), c.shape.slice(0, -2)]);
  return { shape: [...batch, a.shape[a.shape.length - 2], c.shape[c.shape.length - 2]], batch };
}
/**
 * p-norm distance between each row of x1 [..., P, M] and each row of x2 [..., R, M] → [..., P, R]
 * (PyTorch cdist; batch dims broadcast). Direct form ‖x1ᵢ − x2ⱼ‖_p; for p = 2 with more than 2²⁴
 * differences, √max(‖x1ᵢ‖² + ‖x2ⱼ‖² − 2·x1ᵢ·x2ⱼ, 0) through matmul, as PyTorch does for large inputs
 * (cancellation makes it less accurate for nearly equal rows). A zero distance has gradient 0.
 */
const cdist: CompositeDef<CdistAttrs, 'cdist'> = {
  kind: 'composite',
  name: 'cdist',
  arity: 2,
  gradInputs: [0, 1],
  doc: 'p-norm distances between the rows of x1 [..., P, M] and x2 [..., R, M] → [..., P, R] (p 2)',
  plan: (ins, a) => ({ shape: planCdist(ins, a).shape }),
  compose: (b, [x1, x2], a) => {
    const p = a.p ?? 2;
    const { shape, batch } = planCdist([meta(b, x1), meta(b, x2)], a);
    const [P, R] = shape.slice(-2),
      M = b.shape(x1)[b.shape(x1).length - 1];
    if (p === 2 && P * R * M > CDIST_DIRECT_LIMIT) {
      const sq = (x: typeof x1) => b.op('sum', [b.op('mul', [x, x])], { dim: -1, keepdim: true });
      const cross = b.op('matmul', [x1, x2], { transposeB: true });
      const s = b.op('add', [
        b.op('sub', [sq(x1), b.op('mul', [cross, b.scalar(2)])]),
        b.op('copy', [sq(x2)], contiguousView([...b.shape(x2).slice(0, -2), 1, R])),
      ]);
      return safeRoot(b, b.op('clamp', [s], { min: 0, max: null }), 2);
    }
    const u = b.op('copy', [x1], contiguousView([...b.shape(x1).slice(0, -1), 1, M]));
    const v = b.op('copy', [x2], contiguousView([...b.shape(x2).slice(0, -2), 1, R, M]));
    return pNorm(b, expandTo(b, b.op('sub', [u, v]), [...batch, P, R, M]), p, batch.length + 2, false);
  },
  tests: {
    cases: [
      { inputs: [{ shape: [3, 5] }, { shape: [4, 5] }] },
      { inputs: [{ shape: [1, 1] }, { shape: [1, 1] }] },
      { inputs: [{ shape: [2, 7, 3] }, { shape: [2, 9, 3] }], attrs: { p: 1 } },
      { inputs: [{ shape: [2, 5, 4] }, { shape: [6, 4] }], attrs: { p: 3 } },
      { inputs: [{ shape: [5, 2] }, { shape: [3, 2] }], attrs: { p: Infinity } },
      { inputs: [{ shape: [17, 3] }, { shape: [8, 3] }], attrs: { p: 2 } },
      { inputs: [{ shape: [0, 3] }, { shape: [2, 3] }] },
    ],
  },
};

export const DISTANCE_OPS = defineOps(smoothL1Loss, klDivLoss, marginRankingLoss, hingeEmbeddingLoss, cosineSimilarity, pairwiseDistance, cdist);
