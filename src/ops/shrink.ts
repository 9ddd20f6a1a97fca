/**
 * Activations of PyTorch's nn that are compositions of the table's ops (no kernel: they are not hot
 * in training): hardshrink, softshrink, tanhshrink, threshold, softmin, glu, prelu. Each gradient is
 * autodiff's through its primitives; where PyTorch defines the gradient at a kink, the composition
 * is chosen to give the same value (noted per op).
 */
import { ValueError, fmtValue } from '../errors.js';
import { planBroadcast } from './broadcast.js';
import { softmaxCases, type DimAttrs } from './reduce.js';
import { contiguousView, normDim, sliceView } from './shape.js';
import { defineOps, fmtShape, keepShape, type CompositeDef, type Domain, type Meta, type TestCase } from './types.js';

const TILE = 8; // sizes around the SIMD tile reach the primitives' vector bodies and tails
const SHAPES = [[1], [3], [5, 7], [TILE - 1], [TILE + 1], [17, 3], [2, 3, 4, 5], [0]];

function lambdaOf(op: string, lambd: unknown, x: Meta): number {
  if (typeof lambd !== 'number' || !(lambd >= 0) || !Number.isFinite(lambd))
    throw new ValueError(op, `lambd must be a finite number ≥ 0, got ${fmtValue(lambd)} (x of shape ${fmtShape(x.shape)})`);
  return lambd;
}

const unaryCases = <A>(attrs: A, domain: Domain = 'any'): TestCase<A>[] => SHAPES.map((shape) => ({ inputs: [{ shape, domain }], attrs }));

export interface LambdAttrs {
  /** The dead zone's half-width λ ≥ 0 (default 0.5). */
  lambd?: number;
}

/** x where |x| > λ, else 0; gradient 1 outside [−λ, λ], 0 inside and at ±λ, 1 at NaN (PyTorch's: the mask is "not |x| ≤ λ"). */
const hardshrink: CompositeDef<LambdAttrs, 'hardshrink'> = {
  kind: 'composite',
  name: 'hardshrink',
  arity: 1,
  gradInputs: [0],
  doc: 'x where |x| > lambd (default 0.5), else 0',
  // PyTorch checks no lambd for hardshrink: a negative one keeps every x, NaN too (|x| ≤ λ is false)
  plan: (ins, a) => {
    if (typeof (a.lambd ?? 0.5) !== 'number')
      throw new ValueError('hardshrink', `lambd must be a number, got ${fmtValue(a.lambd)} (x of shape ${fmtShape(ins[0].shape)})`);
    return keepShape(ins);
  },
  compose: (b, [x], a) => b.op('mul', [x, b.op('sub', [b.scalar(1), b.op('le', [b.op('abs', [x]), b.scalar(a.lambd ?? 0.5)])])]),
  tests: { cases: [...unaryCases({}), ...unaryCases({ lambd: 1.5 }).slice(0, 3), ...unaryCases({ lambd: 0 }).slice(0, 2)] },
};

/**
 * x − λ above λ, x + λ below −λ, 0 between: x − clamp(x, −λ, λ) where |x| > λ, else 0. clamp's
 * gradient is 1 on the closed interval, so the result's is 0 at ±λ, as PyTorch's softshrink_backward;
 * NaN gives 0 (no comparison holds), as PyTorch's kernel.
 */
const softshrink: CompositeDef<LambdAttrs, 'softshrink'> = {
  kind: 'composite',
  name: 'softshrink',
  arity: 1,
  gradInputs: [0],
  doc: 'x − lambd above lambd, x + lambd below −lambd, else 0 (default lambd 0.5)',
  plan: (ins, a) => (lambdaOf('softshrink', a.lambd ?? 0.5, ins[0]), keepShape(ins)),
  compose: (b, [x], a) => {
    const l = a.lambd ?? 0.5;
    const outside = b.op('gt', [b.op('abs', [x]), b.scalar(l)]);
    return b.op('where', [outside, b.op('sub', [x, b.op('clamp', [x], { min: -l, max: l })]), b.scalar(0)]);
  },
  tests: { cases: [...unaryCases({}), ...unaryCases({ lambd: 1.5 }).slice(0, 3)] },
};

const tanhshrink: CompositeDef<Record<string, never>, 'tanhshrink'> = {
  kind: 'composite',
  name: 'tanhshrink',
  arity: 1,
  gradInputs: [0],
  doc: 'x − tanh(x); gradient tanh²(x)',
  plan: keepShape,
  compose: (b, [x]) => b.op('sub', [x, b.op('tanh', [x])]),
  tests: { cases: [...unaryCases({}), ...unaryCases({}, [-30, 30]).slice(0, 3)] },
};

export interface ThresholdAttrs {
  threshold: number;
  value: number;
}

/**
 * value where x ≤ threshold, else x; gradient 0 where x ≤ threshold (PyTorch's threshold and
 * threshold_backward test x ≤ threshold, so NaN is kept and passes its gradient).
 */
const threshold: CompositeDef<ThresholdAttrs, 'threshold'> = {
  kind: 'composite',
  name: 'threshold',
  arity: 1,
  gradInputs: [0],
  doc: 'value where x ≤ threshold, else x (NaN kept)',
  plan: (ins, a) => {
    // NaN is PyTorch's too: a NaN value replaces with NaN, a NaN threshold replaces nothing (x ≤ NaN is false)
    for (const k of ['threshold', 'value'] as const)
      if (typeof a[k] !== 'number') throw new ValueError('threshold', `${k} must be a number, got ${fmtValue(a[k])} (x of shape ${fmtShape(ins[0].shape)})`);
    return keepShape(ins);
  },
  compose: (b, [x], a) => b.op('where', [b.op('le', [x, b.scalar(a.threshold)]), b.scalar(a.value), x]),
  tests: { cases: [...unaryCases({ threshold: 0.1, value: 20 }, 'awayFromZero'), ...unaryCases({ threshold: -1, value: -3 }).slice(0, 3)] },
};

/** softmax(−x) along dim (PyTorch's softmin; the default dim is the last). */
const softmin: CompositeDef<DimAttrs, 'softmin'> = {
  kind: 'composite',
  name: 'softmin',
  arity: 1,
  gradInputs: [0],
  doc: 'softmax(−x) along dim (default −1)',
  plan: (ins, a) => (ins[0].shape.length > 0 && normDim('softmin', a.dim ?? -1, ins[0].shape.length, ins[0].shape), keepShape(ins)),
  compose: (b, [x], a) => b.op('softmax', [b.op('neg', [x])], { dim: a.dim }),
  tests: { cases: softmaxCases() },
};

export interface GluAttrs {
  /** The dim split in halves a | b (default −1). */
  dim?: number;
}

function planGlu([x]: readonly Meta[], a: GluAttrs): { shape: number[]; dim: number } {
  if (x.shape.length === 0) throw new ValueError('glu', 'cannot split a 0-d tensor in halves');
  const dim = normDim('glu', a.dim ?? -1, x.shape.length, x.shape);
  if (x.shape[dim] % 2 !== 0) throw new ValueError('glu', `dim ${dim} of x ${fmtShape(x.shape)} must have an even size, got ${x.shape[dim]}`);
  const shape = [...x.shape];
  shape[dim] /= 2;
  return { shape, dim };
}

/** a ⊙ σ(b) for the halves a, b of x along dim. */
const glu: CompositeDef<GluAttrs, 'glu'> = {
  kind: 'composite',
  name: 'glu',
  arity: 1,
  gradInputs: [0],
  doc: 'a·σ(b) for the halves a | b of x along dim (default −1)',
  plan: (ins, a) => ({ shape: planGlu(ins, a).shape }),
  compose: (b, [x], a) => {
    const xs = b.shape(x);
    const { dim } = planGlu([{ shape: xs, dtype: 'float32' }], a);
    const half = xs[dim] / 2;
    const first = b.op('copy', [x], sliceView(xs, dim, 0, half)),
      second = b.op('copy', [x], sliceView(xs, dim, half, 2 * half));
    return b.op('mul', [first, b.op('sigmoid', [second])]);
  },
  tests: {
    cases: [
      { inputs: [{ shape: [2] }] },
      { inputs: [{ shape: [3, 6] }] },
      { inputs: [{ shape: [5, 2 * (TILE + 1)] }] },
      { inputs: [{ shape: [4, 3] }], attrs: { dim: 0 } },
      { inputs: [{ shape: [2, 6, 5] }], attrs: { dim: 1 } },
      { inputs: [{ shape: [0, 4] }] },
    ],
  },
};

/**
 * max(0, x) + w·min(0, x) with one weight or one per channel (dim 1 of x, or dim 0 of a 1-D x):
 * where(x > 0, x, w·x), so at x = 0 the gradient is w for x and 0 for w, as PyTorch's.
 */
function planPrelu([x, w]: readonly Meta[]): { shape: number[]; wView: number[] } {
  if (w.shape.length !== 1) throw new ValueError('prelu', `weight must be 1-D, got ${fmtShape(w.shape)} (x of shape ${fmtShape(x.shape)})`);
  const channels = x.shape.length >= 2 ? x.shape[1] : x.shape.length === 1 ? x.shape[0] : 1;
  if (w.shape[0] !== 1 && w.shape[0] !== channels)
    throw new ValueError('prelu', `weight ${fmtShape(w.shape)} must have 1 element or one per channel (${channels}) of x ${fmtShape(x.shape)}`);
  // a 0-d x keeps its shape (PyTorch): its single weight is read as a 0-d tensor
  const wView = x.shape.length === 0 ? [] : w.shape[0] === 1 || x.shape.length < 2 ? [w.shape[0]] : [w.shape[0], ...x.shape.slice(2).map(() => 1)];
  planBroadcast('prelu', [x, { shape: wView, dtype: 'float32' }]);
  return { shape: [...x.shape], wView };
}

const prelu: CompositeDef<Record<string, never>, 'prelu'> = {
  kind: 'composite',
  name: 'prelu',
  arity: 2,
  gradInputs: [0, 1],
  doc: 'max(0, x) + weight·min(0, x), weight of 1 element or one per channel (dim 1)',
  plan: (ins) => ({ shape: planPrelu(ins).shape }),
  compose: (b, [x, w]) => {
    const { wView } = planPrelu([
      { shape: b.shape(x), dtype: 'float32' },
      { shape: b.shape(w), dtype: 'float32' },
    ]);
    const wb = b.op('copy', [w], contiguousView(wView));
    return b.op('where', [b.op('gt', [x, b.scalar(0)]), x, b.op('mul', [wb, x])]);
  },
  tests: {
    cases: [
      { inputs: [{ shape: [5], domain: 'awayFromZero' }, { shape: [1] }] },
      { inputs: [{ shape: [3, 4], domain: 'awayFromZero' }, { shape: [4] }] },
      { inputs: [{ shape: [2, 3, 5, 7], domain: 'awayFromZero' }, { shape: [3] }] },
      { inputs: [{ shape: [2, TILE + 1, 3], domain: 'awayFromZero' }, { shape: [1] }] },
      { inputs: [{ shape: [7], domain: 'awayFromZero' }, { shape: [7] }] },
      { inputs: [{ shape: [0, 3], domain: 'awayFromZero' }, { shape: [3] }] },
    ],
  },
};

export const SHRINK_OPS = defineOps(hardshrink, softshrink, tanhshrink, threshold, softmin, glu, prelu);
