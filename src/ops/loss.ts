/**
 * Fused, numerically stable loss kernels. Each op yields per-sample or per-element losses;
 * src/api/losses.ts reduces them with sum/mean. Kernels: assembly/kernels/loss.ts.
 *
 * - Class-label losses (cross-entropy with int32 labels, NLL) use reduce.ts's [outer, C, inner]
 *   view with C the class dim: logits [N, C, d1, ...] (or [C]) with labels [N, d1, ...] (or []).
 * - Cross-entropy with probability targets is logSoftmax followed by softNllLoss (−Σ t·logp).
 * - The per-element losses (MSE, L1, Huber, BCE, BCE with logits) take two same-shape tensors.
 * Errors name the public loss (wasmgrad.losses.<name>).
 */
import { forSegments, normDim, segmentView } from './reduce.js';
import { broadcastView, reshape } from './shape.js';
import { SPLIT } from './contract.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import {
  aux,
  defineOps,
  f32bits,
  fmtShape,
  gin,
  sameShape,
  gout,
  inp,
  numel,
  out,
  param,
  paramf,
  type Builder,
  type Domain,
  type Meta,
  type OpSpec,
  type TestCase,
} from './types.js';

// ---- class labels ------------------------------------------------------------------------------

/** The class dim: 1, or 0 for a single sample [C]. */
export function classDim(loss: string, shape: readonly number[]): number {
  if (shape.length === 0) throw new ShapeError(`losses.${loss}`, 'the input needs a class dim: got a 0-d tensor (use shape [C] for one sample)');
  return shape.length === 1 ? 0 : 1;
}

/** Checks the labels' shape (the input's without its class dim); returns the [outer, C, inner] view. */
export function planLabels(loss: string, x: Meta, labels: Meta): [number, number, number] {
  const cd = classDim(loss, x.shape);
  const want = x.shape.filter((_, i) => i !== cd);
  if (!sameShape(labels.shape, want))
    throw new ShapeError(
      `losses.${loss}`,
      `labels of shape ${fmtShape(labels.shape)} do not fit input ${fmtShape(x.shape)}: class ids need shape ${fmtShape(want)} (the input without its class dim ${cd})`,
    );
  // No classes is fine for no samples (an empty loss, as PyTorch); with samples, every label is out of range.
  if (x.shape[cd] === 0 && !labels.shape.includes(0))
    throw new ShapeError(`losses.${loss}`, `input ${fmtShape(x.shape)} has no classes (dim ${cd} is 0) for its labels ${fmtShape(labels.shape)}`);
  return segmentView(x.shape, cd);
}

/** The float 0..C−1 as a [C] tensor: a cumulative sum of ones (exact in float32 up to 2²⁴). */
export const arange = <T>(b: Builder<T>, C: number): T => b.op('sub', [b.op('cumsum', [b.op('fill', [], { shape: [C], value: 1 })], { dim: 0 }), b.scalar(1)]);

/**
 * For the class-label losses' vjps: onehot(labels) shaped like x (1 at each sample's label along
 * the class dim), and the per-sample gradient g with a class dim of 1, which broadcasts over it.
 */
function labelGrad<T>(b: Builder<T>, x: T, labels: T, g: T): { onehot: T; g: T } {
  const xs = b.shape(x),
    cd = classDim('crossEntropy', xs);
  const sample = xs.map((d, k) => (k === cd ? 1 : d));
  const classes = reshape(
    b,
    arange(b, xs[cd]),
    xs.map((d, k) => (k === cd ? d : 1)),
  );
  return { onehot: b.op('eq', [reshape(b, b.op('toFloat', [labels]), sample), classes]), g: reshape(b, g, sample) };
}

const crossEntropyOp: OpSpec<any, 'crossEntropyLoss'> = {
  name: 'crossEntropyLoss',
  module: 'loss',
  // Whole [C, inner] blocks per part (a segment's loss and gradient involve that segment only);
  // AUX, the softmax, is shaped like the logits.
  split: { cut: 'outer', min: SPLIT.COSTLY, aux: 'input' },
  arity: 2,
  inputDtypes: ['float32', 'int32'],
  gradInputs: [0],
  doc: 'per-sample softmax cross-entropy with int32 class labels: logsumexp(x) − x[label], stable; saves the softmax for the backward',
  // (softmax − onehot(label))·g, as the backward kernel
  vjp: (b, { inputs: [x, labels], gout }) => {
    const { onehot, g } = labelGrad(b, x, labels, gout);
    const p = b.op('softmax', [x], { dim: classDim('crossEntropy', b.shape(x)) });
    return [b.op('mul', [b.op('sub', [p, onehot]), g]), null];
  },
  plan: ([x, labels]) => ({ shape: [...labels.shape], params: planLabels('crossEntropy', x, labels), aux: [x.shape.reduce((a, b) => a * b, 1)] }),
  ref: {
    fwd: (h, r) => {
      const x = inp(r, 0),
        labels = inp(r, 1),
        y = out(r),
        p = aux(r, 0);
      forSegments(r, (e, ri, C, st) => {
        let m = -Infinity;
        for (let k = 0; k < C; k++) m = Math.max(m, h[x + e + k * st]);
        let s = 0;
        for (let k = 0; k < C; k++) s += h[p + e + k * st] = Math.exp(h[x + e + k * st] - m);
        for (let k = 0; k < C; k++) h[p + e + k * st] /= s;
        // logsumexp − x[label] = (m − x[label]) + ln s: no cancellation when |x| is large
        h[y + ri] = m - h[x + e + h[labels + ri] * st] + Math.log(s);
      });
    },
    bwd: (h, r) => {
      // (softmax − onehot(label)) · g
      const gx = gin(r, 0),
        labels = inp(r, 1),
        g = gout(r),
        p = aux(r, 0);
      forSegments(r, (e, ri, C, st) => {
        for (let k = 0; k < C; k++) h[gx + e + k * st] += h[g + ri] * (h[p + e + k * st] - (k === h[labels + ri] ? 1 : 0));
      });
    },
  },
  tests: { cases: labelCases() },
};

const nllOp: OpSpec<any, 'nllLoss'> = {
  name: 'nllLoss',
  module: 'loss',
  arity: 2,
  inputDtypes: ['float32', 'int32'],
  gradInputs: [0],
  doc: 'per-sample negative log-likelihood with int32 class labels: −logProbs[label]',
  vjp: (b, { inputs: [x, labels], gout }) => {
    const { onehot, g } = labelGrad(b, x, labels, gout);
    return [b.op('neg', [b.op('mul', [onehot, g])]), null];
  },
  plan: ([x, labels]) => ({ shape: [...labels.shape], params: planLabels('nll', x, labels) }),
  ref: {
    fwd: (h, r) => {
      const x = inp(r, 0),
        labels = inp(r, 1),
        y = out(r);
      forSegments(r, (e, ri, _, st) => (h[y + ri] = -h[x + e + h[labels + ri] * st]));
    },
    bwd: (h, r) => {
      const gx = gin(r, 0),
        labels = inp(r, 1),
        g = gout(r);
      forSegments(r, (e, ri, _, st) => (h[gx + e + h[labels + ri] * st] -= h[g + ri]));
    },
  },
  tests: { cases: labelCases() },
};

// ---- ignoreIndex: labels equal to it contribute nothing (PyTorch's ignore_index, default −100) -----
// The class-label kernels stay as they are: the loss runs on labels with the ignored ones replaced by
// class 0 (clearIgnoredLabels), times a 0/1 mask of the kept samples (notEqualMask, src/ops/indexing.ts), and 'mean'
// divides by the mask's sum; so an ignored sample gets no gradient and does not count.

const ignoreAttrs = (value: number): number[] => {
  if (!Number.isInteger(value) || Math.abs(value) > 2 ** 31 - 1) throw new ValueError('losses', `ignoreIndex must be an int32 integer, got ${fmtValue(value)}`);
  return [value];
};
const ignoreCases = (): TestCase<{ ignoreIndex: number }>[] =>
  [[1], [3], [7], [17], [2, 5], [0]].map((shape, i) => ({
    name: `[${shape.join('x')}]`,
    inputs: [{ shape, dtype: 'int32', int: [-1, 3] }],
    attrs: { ignoreIndex: i % 2 === 0 ? -1 : 2 },
  }));

const clearIgnoredLabelsOp: OpSpec<{ ignoreIndex: number }, 'clearIgnoredLabels'> = {
  name: 'clearIgnoredLabels',
  module: 'loss',
  arity: 1,
  inputDtypes: ['int32'],
  gradInputs: [],
  doc: 'the int32 labels with those equal to ignoreIndex replaced by 0 (a valid class to index with)',
  plan: ([labels], { ignoreIndex }) => ({ shape: [...labels.shape], dtype: 'int32', params: ignoreAttrs(ignoreIndex) }),
  ref: {
    fwd: (h, r) => {
      const x = inp(r, 0),
        y = out(r);
      for (let i = 0; i < numel(r); i++) h[y + i] = h[x + i] === param(r, 0) ? 0 : h[x + i];
    },
  },
  tests: { cases: ignoreCases() },
};

function labelCases(): TestCase[] {
  // Rows of 1, 3, 7, 9, 17 classes; [2, C, 4] and [3, C, 10] reach the 4-lane column kernels, [2, 5, 3] the scalar ones.
  const c = (x: number[], labels: number[], domain?: Domain): TestCase => ({
    name: `[${x.join('x')}] labels [${labels.join('x')}]${domain ? ` in ${domain}` : ''}`,
    inputs: [
      { shape: x, domain },
      { shape: labels, dtype: 'int32', int: [0, x[x.length === 1 ? 0 : 1]] },
    ],
  });
  return [
    c([1, 1], [1]),
    c([3], []),
    c([1, 3], [1]),
    c([5, 7], [5]),
    c([2, 9], [2]),
    c([4, 17], [4]),
    c([3, 5], [3], [-20, 20]),
    c([2, 3, 4], [2, 4]),
    c([2, 5, 3], [2, 3]),
    c([3, 4, 5, 2], [3, 5, 2]),
    // No samples (and then also no classes): empty per-sample losses.
    c([0, 3], [0]),
    c([2, 3, 0], [2, 0]),
    c([0, 0], [0]),
  ];
}

// ---- cross-entropy with probability targets: −Σ t · logp along the class dim ------------------

export interface DimAttrs {
  dim: number;
}

const softNllOp: OpSpec<DimAttrs, 'softNllLoss'> = {
  name: 'softNllLoss',
  module: 'loss',
  arity: 2,
  gradInputs: [0, 1],
  doc: '−Σ target · logProbs along a dim: cross-entropy with probability targets after logSoftmax',
  // −g·t and −g·logProbs, g spread back along the class dim
  vjp: (b, { inputs: [lp, t], gout, attrs, needs }) => {
    const xs = b.shape(lp),
      dim = normDim('losses.crossEntropy', xs, attrs.dim),
      kept = xs.map((d, i) => (i === dim ? 1 : d));
    const g = b.op('neg', [b.op('copy', [reshape(b, gout, kept)], broadcastView(kept, xs))]);
    return [needs[0] ? b.op('mul', [g, t]) : null, needs[1] ? b.op('mul', [g, lp]) : null];
  },
  plan: ([lp, t], a) => {
    if (!sameShape(lp.shape, t.shape))
      throw new ShapeError('losses.crossEntropy', `probability targets ${fmtShape(t.shape)} must have the logits' shape ${fmtShape(lp.shape)}`);
    const dim = normDim('losses.crossEntropy', lp.shape, a.dim);
    return { shape: lp.shape.filter((_, i) => i !== dim), params: segmentView(lp.shape, dim) };
  },
  ref: {
    fwd: (h, r) => {
      const lp = inp(r, 0),
        t = inp(r, 1),
        y = out(r);
      forSegments(r, (e, ri, d, st) => {
        let s = 0;
        for (let k = 0; k < d; k++) s += h[t + e + k * st] * h[lp + e + k * st];
        h[y + ri] = -s;
      });
    },
    bwd: (h, r) => {
      const lp = inp(r, 0),
        t = inp(r, 1),
        g = gout(r),
        glp = gin(r, 0),
        gt = gin(r, 1);
      forSegments(r, (e, ri, d, st) => {
        for (let k = 0; k < d; k++) {
          const j = e + k * st;
          if (glp) h[glp + j] -= h[g + ri] * h[t + j];
          if (gt) h[gt + j] -= h[g + ri] * h[lp + j];
        }
      });
    },
  },
  tests: {
    cases: (
      [
        [[1, 1], 1],
        [[3], 0],
        [[5, 7], 1],
        [[4, 17], -1],
        [[2, 9, 5], 1],
        [[2, 3, 4], 1],
        [[17, 3], 0],
        [[0, 3], 1],
        [[2, 0], 1],
      ] as [number[], number][]
    ).map(([shape, dim]) => ({
      name: `[${shape.join('x')}] dim ${dim}`,
      inputs: [{ shape }, { shape, domain: 'unit' }],
      attrs: { dim },
    })),
  },
};

// ---- per-element losses ℓ(p, t; c) -------------------------------------------------------------

/** A per-element loss: value and partial derivatives; c is the op's constant (Huber's δ, else 0). */
interface Formula {
  loss(p: number, t: number, c: number): number;
  dp(p: number, t: number, c: number): number;
  dt(p: number, t: number, c: number): number;
}

export interface PairAttrs {
  delta?: number;
}

interface PairSpec<N extends string> {
  name: N;
  /** The public loss (wg.losses.<loss>) and its argument names, for error messages. */
  loss: string;
  args: [string, string];
  f: Formula;
  doc: string;
  /** Test domains of the two inputs, and cases beyond the standard shapes (stripped from the published build with the op's tests). */
  tests: { domains: [Domain, Domain]; extraCases?: TestCase<PairAttrs>[] };
  /** The op's constant c (param P0) from its attrs, validated. */
  constant?: (a: PairAttrs) => number;
  vjp?: OpSpec<PairAttrs>['vjp'];
}

/** Case shapes: 1, odd sizes, SIMD tile ± 1, a 4-d block. */
const PAIR_SHAPES = [[1], [3], [5, 7], [7], [9], [17, 3], [2, 3, 4, 5], [0], [2, 0]];

function pairLoss<N extends string>(s: PairSpec<N>): OpSpec<PairAttrs, N> {
  const { f, loss, args } = s;
  const elementwise = (h: Float64Array, r: Int32Array, fn: (p: number, t: number, c: number, i: number) => void) => {
    const p = inp(r, 0),
      t = inp(r, 1),
      c = paramf(r, 0);
    for (let i = 0; i < numel(r); i++) fn(h[p + i], h[t + i], c, i);
  };
  return {
    name: s.name,
    module: 'loss',
    arity: 2,
    gradInputs: [0, 1],
    doc: s.doc,
    vjp: s.vjp,
    plan: ([p, t], a) => {
      if (!sameShape(p.shape, t.shape))
        throw new ShapeError(`losses.${loss}`, `${args[0]} ${fmtShape(p.shape)} and ${args[1]} ${fmtShape(t.shape)} must have the same shape`);
      return { shape: [...p.shape], params: s.constant ? [f32bits(s.constant(a))] : [] };
    },
    ref: {
      fwd: (h, r) => elementwise(h, r, (p, t, c, i) => (h[out(r) + i] = f.loss(p, t, c))),
      bwd: (h, r) => {
        const g = gout(r),
          gp = gin(r, 0),
          gt = gin(r, 1);
        elementwise(h, r, (p, t, c, i) => {
          if (gp) h[gp + i] += h[g + i] * f.dp(p, t, c);
          if (gt) h[gt + i] += h[g + i] * f.dt(p, t, c);
        });
      },
    },
    tests: {
      cases: [
        ...PAIR_SHAPES.map((shape) => ({
          inputs: [
            { shape, domain: s.tests.domains[0] },
            { shape, domain: s.tests.domains[1] },
          ],
        })),
        ...(s.tests.extraCases ?? []),
      ],
    },
  };
}

const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);
const clampLog = (x: number) => Math.max(x, -100); // PyTorch's BCE clamps each log at −100
/** [d, −d]: the gradients of a loss of p − t. */
const opposite = <T>(b: Builder<T>, d: T): T[] => [d, b.op('neg', [d])];
const huberGrad = (e: number, d: number) => Math.min(Math.max(e, -d), d);

const PAIR_OPS = [
  pairLoss({
    name: 'mseLoss',
    loss: 'mse',
    args: ['pred', 'target'],
    doc: 'per-element squared error (p − t)²',
    f: { loss: (p, t) => (p - t) ** 2, dp: (p, t) => 2 * (p - t), dt: (p, t) => -2 * (p - t) },
    vjp: (b, { inputs: [p, t], gout }) => {
      const d = b.op('mul', [b.op('mul', [b.op('sub', [p, t]), b.scalar(2)]), gout]);
      return [d, b.op('neg', [d])];
    },
    tests: { domains: ['any', 'any'] },
  }),
  pairLoss({
    name: 'l1Loss',
    loss: 'l1',
    args: ['pred', 'target'],
    doc: 'per-element absolute error |p − t|; gradient sign(p − t), 0 at p = t',
    f: { loss: (p, t) => Math.abs(p - t), dp: (p, t) => sign(p - t), dt: (p, t) => -sign(p - t) },
    vjp: (b, { inputs: [p, t], gout }) => opposite(b, b.op('mul', [gout, b.detach(b.op('sign', [b.op('sub', [p, t])]))])),
    // |p| ≥ 0.2 and |t| ≤ 0.1 keep p − t away from the kink at 0, with both signs.
    tests: { domains: ['awayFromZero', [-0.1, 0.1]] },
  }),
  pairLoss({
    name: 'huberLoss',
    loss: 'huber',
    args: ['pred', 'target'],
    doc: 'per-element Huber loss with threshold δ (attr delta, default 1)',
    // Quadratic inside |e| < δ, linear outside; value and slope agree at |e| = δ (PyTorch HuberLoss).
    f: {
      loss: (p, t, d) => (Math.abs(p - t) < d ? 0.5 * (p - t) ** 2 : d * (Math.abs(p - t) - 0.5 * d)),
      dp: (p, t, d) => huberGrad(p - t, d),
      dt: (p, t, d) => -huberGrad(p - t, d),
    },
    // g·clamp(p − t, −δ, δ) (δ = ∞: no clamp)
    vjp: (b, { inputs: [p, t], gout, attrs }) => {
      const e = b.op('sub', [p, t]),
        d = Math.fround(attrs.delta ?? 1);
      return opposite(b, b.op('mul', [gout, d === Infinity ? e : b.op('clamp', [e], { min: -d, max: d })]));
    },
    tests: { domains: ['any', 'any'], extraCases: [{ name: '[5x7] delta 0.5', inputs: [{ shape: [5, 7] }, { shape: [5, 7] }], attrs: { delta: 0.5 } }] },

    constant: (a) => {
      const delta = a.delta ?? 1;
      // Infinity is PyTorch's too: ½e² everywhere (the kernel selects the quadratic branch, never computing ∞·(|e| − ∞))
      if (typeof delta !== 'number' || !(delta > 0)) throw new ValueError('losses.huber', `delta must be a positive number, got ${fmtValue(a.delta)}`);
      return delta;
    },
  }),
  pairLoss({
    name: 'bceLoss',
    loss: 'bce',
    args: ['prob', 'target'],
    doc: 'per-element binary cross-entropy of probabilities, each log clamped at −100 (PyTorch)',
    f: {
      loss: (p, t) => -(t * clampLog(Math.log(p)) + (1 - t) * clampLog(Math.log1p(-p))),
      // PyTorch's rule, which it also uses where the logs are clamped: (p − t) / max(p(1 − p), 1e-12)
      dp: (p, t) => (p - t) / Math.max(p * (1 - p), 1e-12),
      dt: (p) => clampLog(Math.log1p(-p)) - clampLog(Math.log(p)),
    },
    vjp: (b, { inputs: [p, t], gout }) => {
      const clamped = (v: typeof p) => b.op('maximum', [v, b.scalar(-100)]);
      const q = b.op('sub', [b.scalar(1), p]);
      return [
        b.op('mul', [gout, b.op('div', [b.op('sub', [p, t]), b.op('maximum', [b.op('mul', [p, q]), b.scalar(Math.fround(1e-12))])])]),
        b.op('mul', [gout, b.op('sub', [clamped(b.op('log', [q])), clamped(b.op('log', [p]))])]),
      ];
    },
    tests: {
      domains: ['unit', 'unit'],
      extraCases: [
        {
          name: '[3x5] 0/1 targets',
          inputs: [
            { shape: [3, 5], domain: 'unit' },
            { shape: [3, 5], domain: 'mask' },
          ],
        },
      ],
    },
  }),
  pairLoss({
    name: 'bceWithLogitsLoss',
    loss: 'bceWithLogits',
    args: ['logits', 'target'],
    doc: 'per-element binary cross-entropy of logits, stable: max(x, 0) − x·t + log1p(e^−|x|)',
    // max(x, 0) − x·t + ln(1 + e^−|x|) = −(t·ln σ(x) + (1 − t)·ln(1 − σ(x))) without overflow
    f: { loss: (x, t) => Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x))), dp: (x, t) => 1 / (1 + Math.exp(-x)) - t, dt: (x) => -x },
    vjp: (b, { inputs: [x, t], gout }) => [b.op('mul', [gout, b.op('sub', [b.op('sigmoid', [x]), t])]), b.op('neg', [b.op('mul', [gout, x])])],
    tests: {
      domains: [[-6, 6], 'unit'],
      extraCases: [
        {
          name: '[3x5] 0/1 targets',
          inputs: [
            { shape: [3, 5], domain: [-6, 6] },
            { shape: [3, 5], domain: 'mask' },
          ],
        },
      ],
    },
  }),
];

export const LOSS_OPS = defineOps(crossEntropyOp, nllOp, softNllOp, clearIgnoredLabelsOp, ...PAIR_OPS);
