/**
 * Reductions over one dim or all dims, softmax and log-softmax. Kernels: assembly/kernels/reduce.ts.
 *
 * Every op views its input as [outer, d, inner] around the reduced dim (all dims: [1, numel, 1]);
 * kernel params P0..P2 = outer, d, inner. A *segment* (o, ·, i) is the d elements reduced
 * together: element (o, k, i) is at index (o·d + k)·inner + i, the segment's result at o·inner + i.
 * The cross-entropy and NLL losses (loss.ts) use the same view with d = the class dim.
 */
import { ShapeError } from '../errors.js';
import {
  aux,
  checkBool,
  checkDim,
  defineOps,
  fmtShape,
  gin,
  gout,
  inp,
  out,
  param,
  sizeOf,
  type Domain,
  type Meta,
  type OpSpec,
  type TestCase,
} from './types.js';

export interface ReduceAttrs {
  /** undefined: all elements. */
  dim?: number;
  keepdim?: boolean;
}

/** dim in 0..rank−1; negative dims count from the end, and a 0-d tensor takes 0 or −1 (as PyTorch). */
export function normDim(op: string, shape: readonly number[], dim: number): number {
  return checkDim(op, dim, Math.max(shape.length, 1), shape);
}

/** The [outer, d, inner] view of `shape` around a normalised dim (undefined: all elements). */
export function segmentView(shape: readonly number[], dim: number | undefined): [number, number, number] {
  if (dim === undefined) return [1, sizeOf(shape), 1];
  return [sizeOf(shape.slice(0, dim)), shape[dim] ?? 1, sizeOf(shape.slice(dim + 1))];
}

/**
 * Reference walk over the segments of the view in P0..P2: f(e, ri, d, st) with e the index of the
 * segment's first element, ri that of its result, and elements st apart.
 */
export function forSegments(r: Int32Array, f: (e: number, ri: number, d: number, st: number) => void): void {
  const outer = param(r, 0),
    d = param(r, 1),
    inner = param(r, 2);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) f(o * d * inner + i, o * inner + i, d, inner);
}

/** Output shape and view of a reduction; keepdim keeps the reduced dims as 1. */
export function planReduce(op: string, x: Meta, a: ReduceAttrs): { shape: number[]; view: [number, number, number] } {
  // null, like PyTorch's dim=None, reduces over all elements too.
  const dim = a.dim === undefined || a.dim === null ? undefined : normDim(op, x.shape, a.dim);
  checkBool(op, 'keepdim', a.keepdim);
  const kept = (i: number) => dim !== undefined && i !== dim;
  const shape = a.keepdim ? x.shape.map((s, i) => (kept(i) ? s : 1)) : x.shape.filter((_, i) => kept(i));
  return { shape, view: segmentView(x.shape, dim) };
}

// ---- sum, mean ---------------------------------------------------------------------------------
// out = Σ x, or (Σ x)/d for the mean (NaN for d = 0, as 0/0 in PyTorch). Params: the view and the
// divisor (1 for the sum, d for the mean).

function linear<N extends string>(name: N, mean: boolean, doc: string, cases: TestCase<ReduceAttrs>[]): OpSpec<ReduceAttrs, N> {
  return {
    name,
    module: 'reduce',
    arity: 1,
    gradInputs: [0],
    doc,
    plan: (ins, a) => {
      const { shape, view } = planReduce(name, ins[0], a);
      return { shape, params: [...view, mean ? view[1] : 1] };
    },
    ref: {
      fwd: (h, r) => {
        const x = inp(r, 0),
          y = out(r);
        forSegments(r, (e, ri, d, st) => {
          let s = 0;
          for (let k = 0; k < d; k++) s += h[x + e + k * st];
          h[y + ri] = mean ? s / d : s;
        });
      },
      bwd: (h, r) => {
        const gx = gin(r, 0),
          g = gout(r);
        forSegments(r, (e, ri, d, st) => {
          const c = mean ? h[g + ri] / d : h[g + ri];
          for (let k = 0; k < d; k++) h[gx + e + k * st] += c;
        });
      },
    },
    tests: { cases },
  };
}

// ---- max, min ----------------------------------------------------------------------------------

function extreme<N extends string>(name: N, largest: boolean): OpSpec<ReduceAttrs, N> {
  const beats = largest ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  return {
    name,
    module: 'reduce',
    arity: 1,
    gradInputs: [0],
    doc:
      `${largest ? 'largest' : 'smallest'} element over one dim (keepdim) or all; the whole gradient goes to the first ` +
      `(lowest-index) ${largest ? 'max' : 'min'} of a tie; NaN propagates (a segment holding NaN gives NaN, gradient to its first NaN)`,
    plan: (ins, a) => {
      const { shape, view } = planReduce(name, ins[0], a);
      if (view[1] === 0)
        throw new ShapeError(
          name,
          `cannot reduce over an empty dim: tensor of shape ${fmtShape(ins[0].shape)}${a.dim == null ? '' : `, dim ${a.dim}`} has no ${name}`,
        );
      return { shape, params: view, aux: [view[0] * view[2]] };
    },
    ref: {
      fwd: (h, r) => {
        const x = inp(r, 0),
          y = out(r),
          idx = aux(r, 0);
        forSegments(r, (e, ri, d, st) => {
          let best = 0;
          for (let k = 1; k < d; k++) {
            const v = h[x + e + k * st],
              b = h[x + e + best * st];
            if (beats(v, b) || (Number.isNaN(v) && !Number.isNaN(b))) best = k;
          }
          h[y + ri] = h[x + e + best * st];
          h[idx + ri] = best;
        });
      },
      bwd: (h, r) => {
        const gx = gin(r, 0),
          g = gout(r),
          idx = aux(r, 0);
        forSegments(r, (e, ri, _, st) => (h[gx + e + h[idx + ri] * st] += h[g + ri]));
      },
    },
    tests: { cases: reduceCases() },
  };
}

// ---- softmax, log-softmax ----------------------------------------------------------------------
// Stable forms: the segment max m is subtracted before exponentiating; backward from the output y.

export interface DimAttrs {
  dim?: number;
}

function softmaxLike<N extends string>(name: N, log: boolean, doc: string): OpSpec<DimAttrs, N> {
  return {
    name,
    module: 'reduce',
    arity: 1,
    gradInputs: [0],
    doc,
    plan: (ins, a) => ({ shape: [...ins[0].shape], params: segmentView(ins[0].shape, normDim(name, ins[0].shape, a.dim ?? -1)) }),
    ref: {
      fwd: (h, r) => {
        const x = inp(r, 0),
          y = out(r);
        forSegments(r, (e, _, d, st) => {
          let m = -Infinity;
          for (let k = 0; k < d; k++) m = Math.max(m, h[x + e + k * st]);
          let s = 0;
          for (let k = 0; k < d; k++) s += Math.exp(h[x + e + k * st] - m);
          for (let k = 0; k < d; k++) {
            const z = h[x + e + k * st] - m;
            h[y + e + k * st] = log ? z - Math.log(s) : Math.exp(z) / s;
          }
        });
      },
      bwd: (h, r) => {
        const gx = gin(r, 0),
          g = gout(r),
          y = out(r);
        forSegments(r, (e, _, d, st) => {
          // softmax: gx = y ⊙ (g − Σ g⊙y);  log-softmax: gx = g − e^y · Σ g
          let c = 0;
          for (let k = 0; k < d; k++) c += log ? h[g + e + k * st] : h[g + e + k * st] * h[y + e + k * st];
          for (let k = 0; k < d; k++) {
            const j = e + k * st;
            h[gx + j] += log ? h[g + j] - Math.exp(h[y + j]) * c : h[y + j] * (h[g + j] - c);
          }
        });
      },
    },
    tests: { cases: softmaxCases() },
  };
}

// ---- test cases ----------------------------------------------------------------------------------
// Shapes and dims reach every kernel path: rows (inner = 1) of 1, 3, 7, 17 elements (SIMD body and
// tail), four-lane column blocks (inner = 8, 20), blocks plus a tail (inner = 5, 7), tails alone
// (inner = 3), 0-d tensors.

export function rc(shape: number[], dim?: number, keepdim?: boolean, domain?: Domain): TestCase<ReduceAttrs> {
  const name = `[${shape.join('x')}] ${dim === undefined ? 'all' : `dim ${dim}`}${keepdim ? ' keepdim' : ''}${domain ? ` in ${domain}` : ''}`;
  return { name, inputs: [{ shape, domain }], attrs: { dim, keepdim } };
}

export function reduceCases(): TestCase<ReduceAttrs>[] {
  return [
    rc([1]),
    rc([]),
    rc([], 0, true),
    rc([3], -1),
    rc([5, 7]),
    rc([5, 7], 0),
    rc([5, 7], 1, true),
    rc([3, 17], 1),
    rc([17, 3], 0),
    rc([9, 8], 0),
    rc([2, 9, 5], 1),
    rc([2, 3, 4, 5], -3, true),
    rc([2, 3, 4, 5], 3),
    rc([9, 1, 7], 1),
    // 0-size, reducing a non-empty dim: empty results (max/min too; their empty-dim error is in examples).
    rc([0, 3], 1),
    rc([3, 0], 0, true),
    rc([2, 0, 5], 2),
  ];
}

function softmaxCases(): TestCase<DimAttrs>[] {
  const c = (shape: number[], dim?: number, domain?: Domain): TestCase<DimAttrs> => ({
    name: `[${shape.join('x')}] dim ${dim ?? 'default'}${domain ? ` in ${domain}` : ''}`,
    inputs: [{ shape, domain }],
    attrs: { dim },
  });
  return [
    c([1]),
    c([]),
    c([3]),
    c([7], 0),
    c([5, 7]),
    c([5, 7], 0),
    c([3, 17], 1),
    c([17, 3], 0),
    c([9, 8], 0),
    c([2, 9, 5], 1),
    c([2, 3, 4, 5], 1),
    c([4, 33], -1, [-30, 30]),
    c([3, 5], 1, [-1000, 1000]),
    c([0, 3]),
    c([3, 0], 1),
    c([3, 0], 0),
  ];
}

export const REDUCE_OPS = defineOps(
  // Empty segments (sum 0, mean NaN) only for the linear reductions: max and min refuse them.
  linear('sum', false, 'sum over one dim (keepdim) or all elements; the sum of no elements is 0', [
    ...reduceCases(),
    rc([37, 29]),
    rc([4, 0], 1),
    rc([0, 3], 0, true),
    rc([0, 3]),
  ]),
  linear('mean', true, 'mean over one dim (keepdim) or all elements; the mean of no elements is NaN', [
    ...reduceCases(),
    rc([37, 29]),
    rc([4, 0], 1),
    rc([0, 3], 0, true),
    rc([0, 3]),
  ]),
  extreme('max', true),
  extreme('min', false),
  softmaxLike('softmax', false, 'softmax along a dim (default −1): e^(x − max) / Σ e^(x − max)'),
  softmaxLike('logSoftmax', true, 'log-softmax along a dim (default −1): (x − max) − ln Σ e^(x − max)'),
);
