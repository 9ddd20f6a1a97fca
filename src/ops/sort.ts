/**
 * Sorting and scans along one dim: argsort, cummaxIndex (cummax/cummin's indices), cumsum,
 * cumprod, logcumsumexp. Kernels: assembly/kernels/sort.ts. The public sort/topk/cummax
 * (src/api/sort.ts) pair an index op with gather's op (src/ops/indexing.ts), so one gradient rule
 * (scatter to the index) serves all of them.
 *
 * Every op views its input as [outer, d, inner] around the dim, as the reductions do
 * (src/ops/reduce.ts: P0..P2, elements of a segment `inner` apart), and keeps the input's shape.
 */
import { ValueError, fmtValue } from '../errors.js';
import { sortScratchWords } from './contract.js';
import { arange } from './loss.js';
import { forSegments, normDim, segmentView } from './reduce.js';
import { flipView, reshape } from './shape.js';
import {
  checkBool,
  type Builder,
  defineOps,
  ofTensor,
  gin,
  gout,
  inp,
  out,
  param,
  sizeOf,
  type DType,
  type Domain,
  type InputSpec,
  type Meta,
  type OpSpec,
  type TestCase,
  type OpInfo,
} from './types.js';

export interface ScanAttrs {
  /** The dim to sort or scan along (negative counts from the end). */
  dim: number;
}
export interface SortAttrs extends ScanAttrs {
  descending?: boolean;
}
export interface CumExtremeAttrs extends ScanAttrs {
  /** true: cummax, false: cummin. */
  largest: boolean;
}

/** The [outer, d, inner] view along attrs.dim, which must be given (as PyTorch's cumsum). */
export function planScan(op: string, x: Meta, dim: unknown): [number, number, number] {
  if (typeof dim !== 'number') throw new ValueError(op, `dim must be an integer, got ${fmtValue(dim)} ${ofTensor(x.shape)}`);
  const d = normDim(op, x.shape, dim); // a 0-d tensor takes 0 or −1, as PyTorch
  return segmentView(x.shape, x.shape.length === 0 ? undefined : d);
}

/** Reference: the d values of the segment at e, st apart, from base x. */
const segment = (h: Float64Array, x: number, e: number, d: number, st: number) => Array.from({ length: d }, (_, k) => h[x + e + k * st]);

// ---- argsort -------------------------------------------------------------------------------------
/**
 * Order of a before b: ascending or descending, NaN the largest (first when descending, last when
 * not), as torch.sort. Equal keys (NaN with NaN) are not before each other, so a stable sort keeps
 * their order: the sort is always stable.
 */
function sortsBefore(a: number, b: number, descending: boolean): boolean {
  const an = Number.isNaN(a),
    bn = Number.isNaN(b);
  if (descending) return (an && !bn) || a > b;
  return (bn && !an) || a < b;
}

const argsort = <N extends string>(name: N, dtype: DType): OpSpec<SortAttrs, N> => ({
  name,
  module: 'sort',
  arity: 1,
  inputDtypes: [dtype],
  gradInputs: [],
  doc: `int32 indices that sort a ${dtype} tensor along a dim (stable; descending optional${dtype === 'float32' ? '; NaN sorts as the largest' : ''})`,
  plan: (ins, a) => {
    const view = planScan('argsort', ins[0], a.dim);
    checkBool('argsort', 'descending', a.descending);
    return {
      shape: [...ins[0].shape],
      dtype: 'int32',
      params: [...view, a.descending ? 1 : 0],
      workspace: sizeOf(ins[0].shape) > 0 ? sortScratchWords(view[1]) : 0,
    };
  },
  ref: {
    fwd: (h, r) => {
      const x = inp(r, 0),
        y = out(r),
        desc = param(r, 3) !== 0;
      forSegments(r, (e, _, d, st) => {
        const v = segment(h, x, e, d, st);
        // Array.prototype.sort is stable: equal keys keep their index order.
        const order = v.map((_, k) => k).sort((i, j) => (sortsBefore(v[i], v[j], desc) ? -1 : sortsBefore(v[j], v[i], desc) ? 1 : 0));
        order.forEach((k, j) => (h[y + e + j * st] = k));
      });
    },
  },
  tests: { cases: dtype === 'int32' ? intCases(sortCases()) : sortCases() },
});

// ---- cummaxIndex ---------------------------------------------------------------------------------
/**
 * Index of the running max (min) as torch.cummax: a later element equal to the running extreme
 * takes over (>=), and a NaN takes over and stays the extreme (each new NaN takes over again).
 */
function takesOver(v: number, cur: number, largest: boolean): boolean {
  if (Number.isNaN(v)) return true;
  if (Number.isNaN(cur)) return false;
  return largest ? v >= cur : v <= cur;
}

const cummaxIndex: OpSpec<CumExtremeAttrs, 'cummaxIndex'> = {
  name: 'cummaxIndex',
  module: 'sort',
  arity: 1,
  gradInputs: [],
  doc: 'int32 index of the running max (largest) or min along a dim; ties take the later index, NaN sticks (torch.cummax)',
  plan: (ins, a) => {
    const view = planScan(a.largest ? 'cummax' : 'cummin', ins[0], a.dim);
    return { shape: [...ins[0].shape], dtype: 'int32', params: [...view, a.largest ? 1 : 0] };
  },
  ref: {
    fwd: (h, r) => {
      const x = inp(r, 0),
        y = out(r),
        largest = param(r, 3) !== 0;
      forSegments(r, (e, _, d, st) => {
        let best = 0;
        for (let k = 0; k < d; k++) {
          if (takesOver(h[x + e + k * st], h[x + e + best * st], largest)) best = k;
          h[y + e + k * st] = best;
        }
      });
    },
  },
  tests: { cases: cummaxCases() },
};

// ---- cumsum, cumprod, logcumsumexp ------------------------------------------------------------------
// Both backends accumulate in float64 (the WASM kernels too: one f64 add per element).

/** An op mapping each segment to a segment of the same length: fwd(values) and bwd(values, outputs, grads). */
function scan<N extends string>(
  name: N,
  fwd: (v: number[]) => number[],
  bwd: (v: number[], y: number[], g: number[]) => number[],
  info: OpInfo<ScanAttrs> & Pick<OpSpec<ScanAttrs>, 'vjp'>,
): OpSpec<ScanAttrs, N> {
  return {
    name,
    module: 'sort',
    arity: 1,
    gradInputs: [0],
    plan: (ins, a) => ({ shape: [...ins[0].shape], params: planScan(name, ins[0], a.dim) }),
    ref: {
      fwd: (h, r) => {
        const x = inp(r, 0),
          y = out(r);
        forSegments(r, (e, _, d, st) => fwd(segment(h, x, e, d, st)).forEach((v, k) => (h[y + e + k * st] = v)));
      },
      bwd: (h, r) => {
        const x = inp(r, 0),
          y = out(r),
          gx = gin(r, 0),
          g = gout(r);
        forSegments(r, (e, _, d, st) =>
          bwd(segment(h, x, e, d, st), segment(h, y, e, d, st), segment(h, g, e, d, st)).forEach((v, k) => (h[gx + e + k * st] += v)),
        );
      },
    },
    ...info,
  };
}

/** Running fold: out[k] = f(out[k − 1], v[k]), out[0] = v[0]. */
function running(v: number[], f: (acc: number, x: number) => number): number[] {
  const y: number[] = [];
  v.forEach((x, k) => y.push(k === 0 ? x : f(y[k - 1], x)));
  return y;
}

/** gx_k = Σ_{j ≥ k} g_j · term(j, k): the reference gradients, written as the definition. */
const suffixSums = (d: number, term: (j: number, k: number) => number) =>
  Array.from({ length: d }, (_, k) => Array.from({ length: d - k }, (_, i) => term(k + i, k)).reduce((s, t) => s + t, 0));

/** log(eᵃ + eᵇ) without overflow; −∞ when both are −∞ (not −∞ − −∞ = NaN). */
const logAddExp = (a: number, b: number) => {
  const m = Math.max(a, b);
  return Math.abs(m) === Infinity ? m : m + Math.log1p(Math.exp(-Math.abs(a - b))); // logaddexp(∞, ∞) = ∞, not ∞ − ∞
};

// ---- vjps (createGraph) ---------------------------------------------------------------------------

/** Scan op `name` run from the end of dim (t flipped, scanned, flipped back): Σ_{j≥k} for cumsum. */
function reversedScan<T>(b: Builder<T>, name: string, t: T, attrs: ScanAttrs): T {
  const flip = flipView(b.shape(t), [normDim(name, b.shape(t), attrs.dim)]);
  return b.op('copy', [b.op(name, [b.op('copy', [t], flip)], attrs)], flip);
}

/**
 * cumprod's gradient as PyTorch 1.13's cumprod_backward takes it (the WASM kernel's steps,
 * assembly/kernels/sort.ts), so that ±∞ and NaN give its values: z the first zero (d if none);
 * k < z: (Σ_{k≤j<z} g_j·y_j)/x_k (NaN at an infinite x_k: ∞/∞); k = z: y_{z−1}·Σ_{z≤j<z'} g_j·Π_{z<i≤j} x_i
 * up to the next zero z' (later terms hold a second zero; PyTorch leaves them out); k > z: 0.
 */
function cumprodGrad(v: number[], y: number[], g: number[]): number[] {
  const d = v.length;
  const gx = new Array<number>(d).fill(0);
  const first = v.indexOf(0); // −0 included, never NaN
  const z = first < 0 ? d : first;
  if (z < d) {
    let s = 0,
      p = 1;
    for (let j = z; j < d && (j === z || v[j] !== 0); j++) {
      if (j > z) p *= v[j];
      s += g[j] * p;
    }
    gx[z] = (z > 0 ? y[z - 1] : 1) * s;
  }
  for (let k = z - 1, s = 0; k >= 0; k--) {
    s += g[k] * y[k];
    gx[k] = s / v[k];
  }
  return gx;
}

/**
 * cumprod's vjp (createGraph), gx_i = Σ_{k≥i} g_k·Π_{j≤k, j≠i} x_j without dividing by x_i, so exact with
 * zeros and differentiable at every order: per segment a [d, d] matrix Z (row i is x with x_i
 * replaced by 1), C = cumprod of its rows (C[i, k] = Π_{j≤k, j≠i} x_j), gx_i = Σ_{k≥i} C[i, k]·g_k.
 * It costs d² values per segment (PyTorch's create_graph path is O(d²) too when x has a zero).
 */
function cumprodVjp<T>(b: Builder<T>, x: T, g: T, attrs: ScanAttrs): T {
  const xs = b.shape(x);
  const [o, d, i] = planScan('cumprod', { shape: xs, dtype: 'float32' }, attrs.dim);
  if (d <= 1) return g; // a segment of one element is x itself
  const row = reshape(b, arange(b, d), [d, 1, 1]),
    col = reshape(b, arange(b, d), [1, d, 1]);
  const Z = b.op('where', [b.op('eq', [row, col]), b.scalar(1), reshape(b, x, [o, 1, d, i])]);
  const C = b.op('cumprod', [Z], { dim: 2 });
  const terms = b.op('where', [b.op('ge', [col, row]), b.op('mul', [C, reshape(b, g, [o, 1, d, i])]), b.scalar(0)]);
  return reshape(b, b.op('sumDims', [terms], { dim: [2] }), xs);
}

/** The lowest finite float32: PyTorch's stand-in for log 0 in logcumsumexp's gradient (−∞ − −∞ would be NaN). */
const F32_LOWEST = -3.4028234663852886e38;

/**
 * logcumsumexp's gradient gx_k = Σ_{j≥k} g_j·e^(x_k − y_j), in log space as PyTorch computes it:
 * the positive and negative parts of g separately, e^(x_k + reversed logcumsumexp(log|g_j| − y_j)).
 * log|g| is taken only where that part is nonzero (a second where keeps log's gradient at 0 out).
 */
function logcumsumexpVjp<T>(b: Builder<T>, x: T, y: T, g: T, attrs: ScanAttrs): T {
  if (b.shape(g).length === 0) return g;
  const part = (test: 'gt' | 'lt') => {
    const on = b.op(test, [g, b.scalar(0)]);
    const logAbs = b.op('where', [on, b.op('log', [b.op('where', [on, b.op('abs', [g]), b.scalar(1)])]), b.scalar(F32_LOWEST)]);
    return b.op('exp', [b.op('add', [reversedScan(b, 'logcumsumexp', b.op('sub', [logAbs, y]), attrs), x])]);
  };
  return b.op('sub', [part('gt'), part('lt')]);
}

// ---- test cases ----------------------------------------------------------------------------------
// Segments of 1, 7, 17 and 100 elements (the SIMD tile ± 1 and a long one), rows (inner = 1) and
// columns (inner > 1), 0-d and 0-size tensors.

function sc<A extends ScanAttrs>(shape: number[], attrs: A, domain?: Domain, extra?: InputSpec[]): TestCase<A> {
  const more = Object.entries(attrs)
    .filter(([k]) => k !== 'dim')
    .map(([k, v]) => ` ${k} ${v}`)
    .join('');
  return { name: `[${shape.join('x')}] dim ${attrs.dim}${more}${domain ? ` in ${domain}` : ''}`, inputs: [{ shape, domain }, ...(extra ?? [])], attrs };
}

function scanCases(): TestCase<ScanAttrs>[] {
  return [
    sc([1], { dim: 0 }),
    sc([], { dim: 0 }),
    sc([7], { dim: -1 }),
    sc([17], { dim: 0 }),
    sc([5, 7], { dim: 1 }),
    sc([5, 7], { dim: 0 }),
    sc([3, 17], { dim: 1 }),
    sc([2, 9, 5], { dim: 1 }),
    sc([2, 3, 4, 5], { dim: -3 }),
    sc([9, 1, 7], { dim: 1 }),
    sc([0, 3], { dim: 1 }),
    sc([3, 0], { dim: 1 }),
  ];
}

/** Ties: 0/1 inputs ('mask') tie in almost every segment; long segments of 100. */
function sortCases(): TestCase<SortAttrs>[] {
  return [
    ...scanCases(),
    sc([100], { dim: 0 }),
    sc([3, 100], { dim: 1, descending: true }),
    sc([17, 3], { dim: 0, descending: true }),
    sc([7, 5], { dim: 1 }, 'mask'),
    sc([100], { dim: 0, descending: true }, 'mask'),
    sc([17, 4], { dim: 0 }, 'mask'),
  ];
}

function cummaxCases(): TestCase<CumExtremeAttrs>[] {
  return [true, false].flatMap((largest) => [
    ...scanCases().map((c) => ({ ...c, name: `${c.name} largest ${largest}`, attrs: { ...c.attrs!, largest } })),
    sc([17], { dim: 0, largest }, 'mask'),
    sc([7, 5], { dim: 0, largest }, 'mask'),
  ]);
}

/** The cases with an int32 first input: values in [−5, 5), so sorts meet ties. */
function intCases<A>(cases: TestCase<A>[]): TestCase<A>[] {
  return cases.map((c) => ({
    ...c,
    name: `${c.name} int32`,
    inputs: [{ ...c.inputs[0], dtype: 'int32' as const, int: [-5, 5] as [number, number] }, ...c.inputs.slice(1)],
  }));
}

// ---- cumsum of int32: wraps as int32 arithmetic (PyTorch's is int64), no gradient -------------------
const cumsumInt: OpSpec<ScanAttrs, 'cumsumInt'> = {
  name: 'cumsumInt',
  module: 'sort',
  arity: 1,
  inputDtypes: ['int32'],
  gradInputs: [],
  doc: 'int32 running sum along a dim (wraps on overflow, as int32 arithmetic)',
  plan: (ins, a) => ({ shape: [...ins[0].shape], dtype: 'int32', params: planScan('cumsum', ins[0], a.dim) }),
  ref: {
    fwd: (h, r) => {
      const x = inp(r, 0),
        y = out(r);
      forSegments(r, (e, _, d, st) => running(segment(h, x, e, d, st), (s, v) => (s + v) | 0).forEach((v, k) => (h[y + e + k * st] = v)));
    },
  },
  tests: {
    cases: [
      ...intCases(scanCases()),
      ...intCases([sc([17], { dim: 0 })]).map((c) => ({ ...c, inputs: [{ ...c.inputs[0], int: [2 ** 29, 2 ** 30] as [number, number] }] })),
    ],
  },
};

export const SORT_OPS = defineOps(
  argsort('argsort', 'float32'),
  cummaxIndex,
  argsort('argsortInt', 'int32'),
  cumsumInt,
  scan(
    'cumsum',
    (v) => running(v, (s, x) => s + x),
    (_v, _y, g) => suffixSums(g.length, (j) => g[j]),
    {
      doc: 'running sum along a dim; gradient the reversed running sum of g',
      // the reversed running sum as ops: g flipped along dim, summed, flipped back
      vjp: (b, { gout, attrs }) => [b.shape(gout).length === 0 ? gout : reversedScan(b, 'cumsum', gout, attrs)],
      tests: { cases: scanCases() },
    },
  ),
  scan('cumprod', (v) => running(v, (p, x) => p * x), cumprodGrad, {
    doc: "running product along a dim; gradient Σ_{j≥k} g_j·Π_{i≤j, i≠k} x_i in PyTorch's steps (a division before the first zero, products at it)",
    vjp: (b, { inputs: [x], gout, attrs }) => [cumprodVjp(b, x, gout, attrs)],
    tests: { cases: [...scanCases(), sc([17], { dim: 0 }, 'mask'), sc([5, 7], { dim: 1 }, 'mask'), sc([9, 4], { dim: 0 }, 'mask')] },
  }),
  scan(
    'logcumsumexp',
    (v) => running(v, logAddExp),
    (v, y, g) => suffixSums(g.length, (j, k) => (v[k] === -Infinity ? 0 : g[j] * Math.exp(v[k] - y[j]))),
    {
      doc: 'log of the running Σ eˣ along a dim, stable (running log-add-exp); gradient Σ_{j≥k} g_j·e^(x_k − y_j)',
      vjp: (b, { inputs: [x], out: y, gout, attrs }) => [logcumsumexpVjp(b, x, y, gout, attrs)],
      tests: { cases: [...scanCases(), sc([5, 7], { dim: 1 }, [-1000, 1000]), sc([17], { dim: 0 }, [-80, 80])] },
    },
  ),
);
