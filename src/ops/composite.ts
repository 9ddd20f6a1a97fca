/**
 * Composite ops: each declared as a composition of the table's ops, written against a Builder
 * (src/ops/types.ts), with no opcode and no kernel. The engine's apply runs `compose` on tensors,
 * so the gradient is autodiff's through the primitives. When a composite is enough and when a
 * kernel pays: docs/internals.md, "Composite ops".
 */
import { ValueError, fmtValue } from '../errors.js';
import { planBroadcast } from './broadcast.js';
import { TERNARY_SHAPES } from './elementwise.js';
import { limitAtZero, multiDimCases, planReduce, rc, reduceCases, reduceOver, type ReduceAttrs } from './reduce.js';
import { contiguousView } from './shape.js';
import { defineOps, ofTensor, keepShape, type Builder, type CompositeDef, type Domain, type Meta, type TestCase } from './types.js';

const TILE = 8; // two f32x4 vectors: sizes around it reach the primitives' SIMD bodies and tails

const meta = <T>(b: Builder<T>, x: T): Meta => ({ shape: b.shape(x), dtype: 'float32' });

/** Unary test cases: sizes 1, odd, the SIMD tile ± 1, several dims, 0-size; then a wide domain on a few. */
function unaryCases(wide: Domain): TestCase[] {
  const shapes = [[1], [3], [5, 7], [TILE - 1], [TILE + 1], [17, 3], [2, 3, 4, 5], [0], [3, 0]];
  return [
    ...shapes.map((shape): TestCase => ({ inputs: [{ shape }] })),
    ...[[1], [TILE + 1], [5, 7]].map((shape): TestCase => ({ inputs: [{ shape, domain: wide }], name: `[${shape.join('x')}] x∈${JSON.stringify(wide)}` })),
  ];
}

// ---- square -------------------------------------------------------------------------------------
// x·x: one record as the kernel was; mul's backward adds g·x twice into the same buffer, exactly 2gx.
const square: CompositeDef<any, 'square'> = {
  kind: 'composite',
  name: 'square',
  arity: 1,
  gradInputs: [0],
  doc: 'x² (as x·x)',
  plan: keepShape,
  compose: (b, [x]) => b.op('mul', [x, x]),
  tests: { cases: unaryCases([-1e3, 1e3]) },
};

// ---- silu ---------------------------------------------------------------------------------------
const silu: CompositeDef<any, 'silu'> = {
  kind: 'composite',
  name: 'silu',
  arity: 1,
  gradInputs: [0],
  doc: 'x·σ(x) (swish); gradient σ(x)(1 + x(1 − σ(x))) by autodiff',
  plan: keepShape,
  compose: (b, [x]) => b.op('mul', [x, b.op('sigmoid', [x])]),
  tests: { cases: unaryCases([-30, 30]) },
};

// ---- logsumexp ----------------------------------------------------------------------------------
/**
 * log Σ eˣ = m + log Σ e^(x − m) for any m; m = the max makes every exponent ≤ 0 (no overflow, and
 * the largest term is 1, so no underflow of the whole sum). m is detached: the identity holds for
 * every m, so its gradient through m is 0 and the rest is exactly softmax(x), whichever element a
 * tie routes max's gradient to. An infinite max shifts by 0 instead (PyTorch), so a segment of all
 * −∞ gives −∞ and not NaN from −∞ − (−∞). An empty input has no max: log Σ eˣ directly.
 */
const logsumexp: CompositeDef<ReduceAttrs, 'logsumexp'> = {
  kind: 'composite',
  name: 'logsumexp',
  arity: 1,
  gradInputs: [0],
  doc: 'log Σ eˣ over dims (a number, a list, or all; keepdim), stable (max subtracted); −∞ over an empty dim; gradient softmax(x)',
  plan: (ins, a) => ({ shape: planReduce('logsumexp', ins[0], a).shape }),
  compose: (b, [x], { dim, keepdim }) => {
    const { shape } = planReduce('logsumexp', meta(b, x), { dim, keepdim });
    if (b.shape(x).includes(0)) return b.op('log', [reduceOver(b, 'sumDims', b.op('exp', [x]), { dim, keepdim })]);
    const max = b.detach(reduceOver(b, 'amaxDims', x, { dim, keepdim: true }));
    const m = b.op('where', [b.op('eq', [b.op('abs', [max]), b.scalar(Infinity)]), b.scalar(0), max]);
    const s = reduceOver(b, 'sumDims', b.op('exp', [b.op('sub', [x, m])]), { dim, keepdim });
    return b.op('add', [b.op('log', [s]), keepdim ? m : b.op('copy', [m], contiguousView(shape))]);
  },
  tests: {
    cases: [
      ...reduceCases(),
      ...multiDimCases(),
      rc([4, 0], 1),
      rc([0, 3], 0, true),
      rc([3, 33], 1, false, [-80, 80]),
      rc([2, 9, 5], 1, true, [-1000, 1000]),
      // ties: maxima shared by several elements; the gradient is softmax there too
      rc([5, 7], 1, false, 'mask'),
      rc([9, 8], 0, true, 'mask'),
      rc([6], undefined, false, 'mask'),
    ],
  },
};

// ---- var, std -----------------------------------------------------------------------------------
export interface VarAttrs extends ReduceAttrs {
  /** Subtracted from the element count in the divisor (default 1: Bessel's correction). */
  correction?: number;
}

export function planVar(op: string, x: Meta, a: VarAttrs): { shape: number[]; divisor: number; count: number } {
  const { shape, count } = planReduce(op, x, a);
  const c = a.correction ?? 1;
  if (typeof c !== 'number' || !Number.isFinite(c))
    throw new ValueError(op, `correction must be a finite number, got ${fmtValue(a.correction)} ${ofTensor(x.shape)}`);
  // PyTorch divides by max(0, N − correction): N ≤ correction gives NaN (or ∞), never a negative variance.
  return { shape, divisor: Math.max(0, count - c), count };
}

/**
 * Σ (x − mean)² / (N − correction), the two-pass form (no cancellation of Σx² − N·mean²), returned
 * as q·s² with q = Σ ((x − mean)/s)² / (N − correction): s is a power of two near max |x − mean|, so
 * the scaling is exact and (x − mean)² cannot overflow float32 where the variance (or, for std,
 * √variance) is finite: torch.tensor([3e19, -3e19]).std() is 4.2e19, not ∞. s = 1 where that max is
 * 0 (or the dims are empty). s is detached (any constant will do). The mean is not: Σ (x − μ) = 0
 * makes its first-order gradient vanish (up to rounding), so the gradient is PyTorch's
 * 2(x − mean)/(N − correction), but a second derivative (createGraph) needs the mean's dependence on x
 * (`detachMean` for N ≤ correction, where the value is ∞ or NaN and that vanishing sum is 0·∞).
 */
function scaledVariance<T>(b: Builder<T>, x: T, a: VarAttrs, detachMean = false): { q: T; s: T } {
  const { divisor, shape, count } = planVar('var', meta(b, x), a);
  const r = { dim: a.dim, keepdim: true };
  const mean = reduceOver(b, 'meanDims', x, r);
  const d = b.op('sub', [x, detachMean ? b.detach(mean) : mean]);
  let s = b.scalar(1);
  if (count > 0) {
    const p = b.op('exp2', [b.op('floor', [b.op('log2', [reduceOver(b, 'amaxDims', b.op('abs', [d]), r)])])]);
    s = b.detach(b.op('where', [b.op('eq', [p, b.scalar(0)]), b.scalar(1), p]));
  }
  const q = b.op('div', [reduceOver(b, 'sumDims', b.op('square', [b.op('div', [d, s])]), { dim: a.dim, keepdim: a.keepdim }), b.scalar(divisor)]);
  // s has the keepdim shape that divides d; the result's shape without keepdim
  return { q, s: count > 0 && !a.keepdim ? b.op('copy', [s], contiguousView(shape)) : s };
}

const variance: CompositeDef<VarAttrs, 'var'> = {
  kind: 'composite',
  name: 'var',
  arity: 1,
  gradInputs: [0],
  doc: 'variance over dims (a number, a list, or all; keepdim), divided by N − correction (default 1); NaN when N ≤ correction',
  plan: (ins, a) => ({ shape: planVar('var', ins[0], a).shape }),
  compose: (b, [x], a) => {
    const { divisor } = planVar('var', meta(b, x), a);
    if (divisor > 0) {
      // Σ d·(d/divisor): no term exceeds the variance, so neither the value nor the gradient
      // 2·d/divisor overflows where the variance is finite (the scaled form's backward multiplies
      // by s² before dividing: ∞ for values near 1e19, PyTorch's gradient is finite there).
      const d = b.op('sub', [x, reduceOver(b, 'meanDims', x, { dim: a.dim, keepdim: true })]);
      return reduceOver(b, 'sumDims', b.op('mul', [d, b.op('div', [d, b.scalar(divisor)])]), { dim: a.dim, keepdim: a.keepdim });
    }
    // N ≤ correction: Σ (x − mean)² / 0 is ∞, or NaN when every deviation is 0 (as PyTorch). The
    // mean is detached: the gradient is then PyTorch's 2(x − mean)/0, ±∞ by the deviation's sign and
    // NaN where it is 0; through the mean each ∞ would meet the others' −∞ (NaN everywhere)
    const { q, s } = scaledVariance(b, x, a, true);
    return b.op('mul', [b.op('mul', [q, s]), s]);
  },
  tests: { cases: varCases() },
};

const std: CompositeDef<VarAttrs, 'std'> = {
  kind: 'composite',
  name: 'std',
  arity: 1,
  gradInputs: [0],
  doc: '√var over dims (a number, a list, or all; keepdim), same correction; the gradient is 0 where var is 0 (as PyTorch)',
  plan: (ins, a) => ({ shape: planVar('std', ins[0], a).shape }),
  // s·√q, never forming the variance (finite std of values whose variance overflows). Where q is
  // exactly 0 (equal elements, or one element with correction 0), √ has an infinite slope and q a
  // zero gradient: their product would be NaN. PyTorch's std_backward sets the gradient there to
  // 0, as limitAtZero does.
  compose: (b, [x], a) => {
    const { q, s } = scaledVariance(b, x, a);
    return b.op('mul', [limitAtZero(b, q, (v) => b.op('sqrt', [v])), s]);
  },
  tests: { cases: varCases() },
};

/**
 * 0-d tensors and single-element segments divide by 0 with correction 1 (NaN in both backends);
 * with correction 0 their variance is 0 exactly (std's gradient there is PyTorch's 0).
 */
function varCases(): TestCase<VarAttrs>[] {
  const cases: TestCase<VarAttrs>[] = reduceCases().filter((c) => c.inputs[0].shape.length > 0 && c.inputs[0].shape.join() !== '1');
  const corr = (c: TestCase<VarAttrs>, correction: number): TestCase<VarAttrs> => ({
    ...c,
    name: `${c.name} correction ${correction}`,
    attrs: { ...c.attrs, correction },
  });
  return [
    ...cases,
    ...multiDimCases(),
    corr(rc([2, 3, 4, 5], [1, 3], true), 0),
    corr(rc([5, 7], 1), 0),
    corr(rc([17, 3], 0, true), 0),
    corr(rc([2, 9, 5]), 2.5),
    corr(rc([1]), 0),
    corr(rc([3, 1], 1, true), 0),
    corr(rc([4, 0], 1), 0),
  ];
}

// ---- lerp ---------------------------------------------------------------------------------------
const lerp: CompositeDef<any, 'lerp'> = {
  kind: 'composite',
  name: 'lerp',
  arity: 3,
  gradInputs: [0, 1, 2],
  doc: 'start + weight·(end − start) for weight < 0.5, else end − (end − start)·(1 − weight), broadcasting all three; gradients 1 − weight, weight, end − start',
  plan: (ins) => ({ shape: planBroadcast('lerp', ins).shape }),
  // PyTorch's two-sided form: measured from the nearer end, so weight 1 gives exactly end (start + 1·(end − start) rounds)
  compose: (b, [start, end, weight]) => {
    const diff = b.op('sub', [end, start]);
    const fromStart = b.op('add', [start, b.op('mul', [weight, diff])]);
    const fromEnd = b.op('sub', [end, b.op('mul', [diff, b.op('sub', [b.scalar(1), weight])])]);
    return b.op('where', [b.op('lt', [weight, b.scalar(0.5)]), fromStart, fromEnd]);
  },
  tests: {
    cases: TERNARY_SHAPES.map((shapes) => ({ inputs: [{ shape: shapes[0] }, { shape: shapes[1] }, { shape: shapes[2], domain: 'unit' as Domain }] })),
  },
};

export const COMPOSITE_OPS = defineOps(square, silu, logsumexp, variance, std, lerp);
