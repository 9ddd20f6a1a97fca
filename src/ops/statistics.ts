/**
 * Statistics and order statistics as composites: kthvalue, median, nanmedian, mode (each a values
 * op with a gradient and an int32 `…Index` op), quantile/nanquantile, nansum, nanmean and
 * countNonzero. The public functions: src/api/statistics.ts.
 *
 * The order statistics sort once (argsort: stable, NaN the largest, as torch.sort) and read the
 * sorted order at a rank per segment; the values are gathered from x at the chosen index, so the
 * whole gradient goes to that element (indexGather's backward scatters it), as PyTorch's
 * value-selecting reductions. A rank that depends on the data (the NaN count, a run length) is a
 * float32 tensor, exact for the segment sizes a float32 index reaches (< 2²⁴).
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { planGather, type ScatterMap } from './indexing.js';
import { multiDimCases, normDim, planReduce, rc, reduceCases, reduceOver, type ReduceAttrs } from './reduce.js';
import { broadcastView, contiguousView, permuteView, sliceView } from './shape.js';
import {
  checkBool,
  defineOps,
  fmtShape,
  ofTensor,
  sizeOf,
  type Builder,
  type CompositeDef,
  type DType,
  type InputSpec,
  type Meta,
  type TestCase,
} from './types.js';

const meta = <T>(b: Builder<T>, t: T, dtype: Meta['dtype'] = 'float32'): Meta => ({ shape: b.shape(t), dtype });

/** The values of x (float32 or, int = true, int32) at int32 indices along dim d; the gradient goes back to those elements. */
function gatherAlong<T>(b: Builder<T>, x: T, d: number, idx: T, int = false): T {
  const { map } = planGather('gather', meta(b, x), d, meta(b, idx, 'int32'));
  return b.op(int ? 'indexGatherInt' : 'indexGather', [x, idx], map);
}

/** A float32 rank tensor (integral values) as int32 indices. */
const toIndex = <T>(b: Builder<T>, rank: T) => b.op('toInt', [rank]);

/** The number of NaNs of each segment along d, keepdim (float32, exact). */
const nanCount = <T>(b: Builder<T>, x: T, d: number) => b.op('sumDims', [b.op('isnan', [x])], { dim: d, keepdim: true });

// ---- selections along one dim: kthvalue, median, nanmedian, mode ------------------------------------

export type SelectKind = 'kthvalue' | 'median' | 'nanmedian' | 'mode';

export interface SelectAttrs {
  /** The dim to select along (negative counts from the end); kthvalue and mode default to −1. */
  dim?: number | null;
  keepdim?: boolean;
  /** kthvalue: the rank, 1 = the smallest. */
  k?: number;
  /** The int32 selections (selectInt, selectIntIndex): which one. */
  of?: SelectKind;
}

/**
 * The index of the selected element of each segment of x (float32, or int32 with int) along d,
 * keepdim-shaped int32 (x has at least one dim and d is non-empty).
 */
type Chooser = <T>(b: Builder<T>, x: T, d: number, a: SelectAttrs, int: boolean) => T;

const argsortOf = <T>(b: Builder<T>, x: T, d: number, int: boolean) => b.op(int ? 'argsortInt' : 'argsort', [x], { dim: d });

/** The sorted order's entry at a rank per segment (a number, or a float32 tensor of the keepdim shape). */
function sortedAt<T>(b: Builder<T>, x: T, d: number, rank: number | T, int = false): T {
  const order = argsortOf(b, x, d, int);
  if (typeof rank === 'number') return b.op('copyInt', [order], sliceView(b.shape(x), d, rank, rank + 1));
  return gatherAlong(b, order, d, toIndex(b, rank), true);
}

/** kthvalue: the k-th smallest (NaN sorts as the largest). */
const kthChooser: Chooser = (b, x, d, a, int) => sortedAt(b, x, d, (a.k ?? 1) - 1, int);

/**
 * median: the lower median, rank ⌊(n − 1)/2⌋; a segment holding NaN gives its first NaN, which is
 * the sorted order's entry at rank (n − NaN count): NaNs sort last, in index order (stable).
 * nanmedian: the lower median of the c non-NaN values, rank ⌊(c − 1)/2⌋, or 0 with none (its first
 * NaN, as PyTorch's (c − 1)/2 truncated in C). int32 holds no NaN: both are rank ⌊(n − 1)/2⌋.
 */
const medianChooser =
  (ignoreNan: boolean): Chooser =>
  (b, x, d, _, int) => {
    const n = b.shape(x)[d];
    if (int) return sortedAt(b, x, d, Math.floor((n - 1) / 2), true);
    const nan = nanCount(b, x, d);
    if (!ignoreNan)
      return sortedAt(b, x, d, b.op('where', [b.op('gt', [nan, b.scalar(0)]), b.op('sub', [b.scalar(n), nan]), b.scalar(Math.floor((n - 1) / 2))]));
    const half = b.op('floor', [b.op('mul', [b.op('sub', [b.scalar(n - 1), nan]), b.scalar(0.5)])]);
    return sortedAt(b, x, d, b.op('maximum', [half, b.scalar(0)]));
  };

/**
 * mode: the most frequent value, the smallest of those tied (PyTorch), at the index of its last
 * occurrence (PyTorch 1.13 on the CPU). In sorted order equal values form runs (NaN ≠ NaN: each NaN
 * is a run of its own, as PyTorch counts them); a run starts where a value differs from the one
 * before it (rolled by one, so position 0 compares with the last: the cumulative count of starts,
 * less position 0's, numbers the runs 0, 1, … in ascending order). Each run's length is a
 * scatter-add of ones at its number; the first longest run is the smallest most frequent value,
 * and its last position in the stable order (the running total of lengths, less one) holds the
 * largest index of that value.
 */
const modeChooser: Chooser = (b, x, d, _, int) => {
  const shape = b.shape(x);
  const order = argsortOf(b, x, d, int);
  const sorted = gatherAlong(b, x, d, order, int);
  // int32 compares exactly (intEq), not as float32
  const rolled = b.op(int ? 'rollInt' : 'roll', [sorted], { shifts: [1], dims: [d] });
  const starts = b.op('sub', [b.scalar(1), b.op(int ? 'intEq' : 'eq', [sorted, rolled])]);
  const run = b.op('cumsum', [starts], { dim: d });
  const runId = toIndex(b, b.op('sub', [run, b.op('copy', [run], sliceView(shape, d, 0, 1))]));
  const { map } = planGather('mode', { shape, dtype: 'float32' }, d, { shape, dtype: 'int32' });
  const counts: ScatterMap = { ...map, src: shape.map(() => 0), mode: 'add' };
  const lengths = b.op('indexScatter', [b.op('fill', [], { shape, value: 0 }), runId, b.scalar(1)], counts);
  const longest = b.op('argmax', [lengths], { dim: d, keepdim: true });
  const last = b.op('sub', [gatherAlong(b, b.op('cumsum', [lengths], { dim: d }), d, longest), b.scalar(1)]);
  return gatherAlong(b, order, d, toIndex(b, last), true);
};

const CHOOSERS: Record<SelectKind, Chooser> = { kthvalue: kthChooser, median: medianChooser(false), nanmedian: medianChooser(true), mode: modeChooser };

/** The dim a selection runs along (0 for a 0-d x), and the result's shape. */
function planSelect(fn: string, x: Meta, a: SelectAttrs): { d: number; shape: number[] } {
  const dim = a.dim ?? -1;
  if (typeof dim !== 'number') throw new ValueError(fn, `dim must be an integer, got ${fmtValue(a.dim)} ${ofTensor(x.shape)}`);
  checkBool(fn, 'keepdim', a.keepdim);
  const d = normDim(fn, x.shape, dim);
  const n = x.shape[d] ?? 1;
  if (n === 0) throw new ShapeError(fn, `cannot select along dim ${dim} of size 0 ${ofTensor(x.shape)}`);
  if (fn === 'kthvalue' && (!Number.isInteger(a.k) || a.k! < 1 || a.k! > n))
    throw new ValueError(fn, `k must be an integer in [1, ${n}] (the size of dim ${dim} of a tensor of shape ${fmtShape(x.shape)}), got ${fmtValue(a.k)}`);
  return { d, shape: x.shape.length === 0 ? [] : a.keepdim ? x.shape.map((s, i) => (i === d ? 1 : s)) : x.shape.filter((_, i) => i !== d) };
}

/** The selection `fn` on x (float32, or int32 with int; a 0-d x as [1]): the chosen values (x's dtype), or with indices their int32 indices. */
function select<T>(b: Builder<T>, fn: SelectKind, x: T, a: SelectAttrs, int: boolean, indices: boolean): T {
  const { d, shape } = planSelect(fn, meta(b, x), a);
  const zeroD = b.shape(x).length === 0;
  const x1 = zeroD ? b.op(int ? 'copyInt' : 'copy', [x], contiguousView([1])) : x;
  const idx = CHOOSERS[fn](b, x1, d, a, int);
  const y = indices ? idx : gatherAlong(b, x1, d, idx, int);
  return a.keepdim && !zeroD ? y : b.op(int || indices ? 'copyInt' : 'copy', [y], contiguousView(shape));
}

/** Shapes reaching the sort's and the gather's paths: 1, odd, the SIMD tile ± 1, several dims, 0-d, empty non-selected dims. */
function selectCases(extra: Omit<SelectAttrs, 'dim' | 'keepdim'> = {}, draw: Omit<InputSpec, 'shape'> = {}): TestCase<SelectAttrs>[] {
  const c = (shape: number[], dim?: number, keepdim?: boolean): TestCase<SelectAttrs> => ({
    name: `[${shape.join('x')}] dim ${dim ?? 'default'}${keepdim ? ' keepdim' : ''} ${JSON.stringify({ ...draw, ...extra })}`,
    inputs: [{ shape, ...draw }],
    attrs: { dim, keepdim, ...extra },
  });
  return [
    c([1]),
    c([]),
    c([], 0, true),
    c([3], 0),
    c([5, 7]),
    c([5, 7], 0, true),
    c([7, 9], 1),
    c([17, 3], 0),
    c([2, 9, 5], 1),
    c([2, 3, 4, 5], -3, true),
    c([3, 1], 1),
    c([0, 3], 1),
  ];
}

/**
 * A selection as two composites: `name` the values (the gradient to the chosen elements) and
 * `nameIndex` their int32 indices (what the API's `.indices` reads). Without a kind, the int32
 * pair: attrs.of names the selection, the values are int32, nothing has a gradient.
 */
function selection<N extends string, I extends string>(
  name: N,
  index: I,
  kind: SelectKind | undefined,
  // the doc, the cases and the ties (the index's own cases) as one object literal the published build strips, as OpInfo
  info: { doc: string; tests: { cases: TestCase<SelectAttrs>[]; ties: TestCase<SelectAttrs>[] } },
) {
  const int = kind === undefined;
  const of = (a: SelectAttrs): SelectKind => {
    const k = kind ?? a.of;
    if (k === undefined || !(k in CHOOSERS)) throw new ValueError(name, `of must be one of ${Object.keys(CHOOSERS).join(', ')}, got ${fmtValue(k)}`);
    return k;
  };
  const common = { kind: 'composite' as const, arity: 1, inputDtypes: int ? (['int32'] as DType[]) : undefined };
  const values: CompositeDef<SelectAttrs, N> = {
    ...common,
    name,
    gradInputs: int ? [] : [0],
    doc: int ? info.doc : `${info.doc}; the gradient goes to the chosen element`,
    plan: (ins, a) => ({ shape: planSelect(of(a), ins[0], a).shape, dtype: ins[0].dtype }),
    compose: (b, [x], a) => select(b, of(a), x, a, int, false),
    tests: { tol: int ? 0 : undefined, cases: info.tests.cases },
  };
  const indices: CompositeDef<SelectAttrs, I> = {
    ...common,
    name: index,
    gradInputs: [],
    doc: `int32 index of ${name}'s element along the dim`,
    plan: (ins, a) => ({ shape: planSelect(of(a), ins[0], a).shape, dtype: 'int32' }),
    compose: (b, [x], a) => select(b, of(a), x, a, int, true),
    tests: { tol: 0, cases: [...info.tests.cases, ...info.tests.ties] },
  };
  return [values, indices] as const;
}

/** Whether case c's dim has at least k elements (kthvalue's k is in range). */
const reaches = (k: number) => (c: TestCase<SelectAttrs>) => {
  const { shape } = c.inputs[0];
  const d = c.attrs!.dim ?? -1;
  return (shape[d < 0 ? d + shape.length : d] ?? 1) >= k;
};
function kthCases() {
  return [1, 2, 3].flatMap((k) => selectCases({ k }).filter((c) => reaches(k)(c) && !c.inputs[0].shape.includes(0)));
}
const [kthvalue, kthvalueIndex] = selection('kthvalue', 'kthvalueIndex', 'kthvalue', {
  doc: 'the k-th smallest element along a dim (default −1; NaN the largest)',
  tests: {
    cases: [...kthCases(), ...selectCases({ k: 1 }).filter((c) => c.inputs[0].shape.includes(0))],
    ties: selectCases({ k: 2 }, { domain: 'mask' }).filter(reaches(2)),
  },
});
const [medianDim, medianIndex] = selection('medianDim', 'medianIndex', 'median', {
  doc: 'the lower median along a dim; NaN (the first) where the segment holds NaN',
  tests: { cases: selectCases(), ties: selectCases({}, { domain: 'mask' }) },
});
const [nanmedianDim, nanmedianIndex] = selection('nanmedianDim', 'nanmedianIndex', 'nanmedian', {
  doc: 'the lower median of the non-NaN elements along a dim; NaN where all are NaN',
  tests: { cases: selectCases(), ties: selectCases({}, { domain: 'mask' }) },
});
const [mode, modeIndex] = selection('mode', 'modeIndex', 'mode', {
  doc: 'the most frequent element along a dim (default −1; the smallest of those tied, at its last index)',
  tests: { cases: selectCases(), ties: selectCases({}, { domain: 'mask' }) },
});

/** The int32 selections' cases: every kind on small values (ties), and values past 2²⁴ that float32 would merge. */
function intCases() {
  return (['kthvalue', 'median', 'nanmedian', 'mode'] as const).flatMap((of) =>
    [[-3, 4] as [number, number], [2 ** 24 + 1, 2 ** 24 + 4] as [number, number]].flatMap((int) =>
      selectCases({ of, k: of === 'kthvalue' ? 2 : undefined }, { dtype: 'int32', int }).filter(reaches(of === 'kthvalue' ? 2 : 1)),
    ),
  );
}
const [selectInt, selectIntIndex] = selection('selectInt', 'selectIntIndex', undefined, {
  doc: 'kthvalue, median, nanmedian or mode (attrs.of) of an int32 tensor along a dim: int32 values, exact',
  tests: { cases: intCases(), ties: [] },
});

/**
 * median/nanmedian over all elements (no dim): the 0-d lower median v of the flattened x, NaN for
 * an empty x (the mean of no elements supplies it, connected to x). PyTorch splits this gradient
 * evenly among the elements equal to v (NaNs, when v is NaN), as amax does: the result is
 * v + (S − S̄) with S the mean of those elements and S̄ its detached copy, exactly v forward; where v
 * is ±∞ (S − S̄ would be ∞ − ∞) it is their sum weighted by 1/count.
 */
function medianAll<N extends string>(name: N, dimOp: 'medianDim' | 'nanmedianDim'): CompositeDef<Record<string, never>, N> {
  return {
    kind: 'composite',
    name,
    arity: 1,
    gradInputs: [0],
    doc: `${dimOp === 'medianDim' ? 'the lower median' : 'the lower median of the non-NaN elements'} of all elements (0-d; NaN for an empty tensor); the gradient is shared by the elements equal to it`,
    plan: () => ({ shape: [] }),
    compose: (b, [x]) => {
      const n = sizeOf(b.shape(x));
      if (n === 0) return b.op('meanDims', [x], {});
      const flat = b.op('copy', [x], contiguousView([n]));
      const v = b.detach(b.op(dimOp, [flat], { dim: 0 }));
      const equal = b.op('maximum', [b.op('eq', [flat, v]), b.op('mul', [b.op('isnan', [flat]), b.op('isnan', [v])])]);
      const shared = b.op('div', [b.op('sumDims', [b.op('where', [equal, flat, b.scalar(0)])], {}), b.op('sumDims', [equal], {})]);
      const spread = b.op('add', [v, b.op('sub', [shared, b.detach(shared)])]);
      // ±∞: Σ xᵢ/count over the equal elements, exactly v (every term is v/count, of v's sign), with
      // the same shared gradient (v/count·count could round for a finite v, hence spread there)
      const weights = b.op('div', [equal, b.op('sumDims', [equal], {})]);
      const weighted = b.op('sumDims', [b.op('mul', [b.op('where', [equal, flat, b.scalar(0)]), weights])], {});
      return b.op('where', [b.op('isinf', [v]), weighted, spread]);
    },
    tests: {
      cases: [
        ...[[1], [], [3], [5, 7], [2, 3, 4, 5], [17], [0], [3, 0]].map((shape) => ({ inputs: [{ shape }] })),
        // (ties split the gradient, which finite differences cannot check: the examples check it against PyTorch)
      ],
    },
  };
}

// ---- quantile, nanquantile ------------------------------------------------------------------------

export type Interpolation = 'linear' | 'lower' | 'higher' | 'midpoint' | 'nearest';
const INTERPOLATIONS: readonly Interpolation[] = ['linear', 'lower', 'higher', 'midpoint', 'nearest'];

export interface QuantileAttrs {
  /** The dim to reduce; undefined or null: all elements, flattened. */
  dim?: number | null;
  keepdim?: boolean;
  interpolation?: Interpolation;
  /** nanquantile: ranks among the non-NaN elements only. */
  ignoreNan?: boolean;
}

/** q's dims (0-d or 1-d), the interpolation, and the result's shape: q's dim first (PyTorch), then x's reduced shape. */
export function planQuantile(fn: string, x: Meta, q: Meta, a: QuantileAttrs): { shape: number[]; d: number | undefined } {
  if (q.shape.length > 1) throw new ShapeError(fn, `q must be a number, a 0-d or a 1-d tensor, got q of shape ${fmtShape(q.shape)}`);
  if (!INTERPOLATIONS.includes(a.interpolation ?? 'linear'))
    throw new ValueError(fn, `interpolation must be one of ${INTERPOLATIONS.map((s) => `'${s}'`).join(', ')}, got ${fmtValue(a.interpolation)}`);
  checkBool(fn, 'keepdim', a.keepdim);
  if (a.dim != null && typeof a.dim !== 'number') throw new ValueError(fn, `dim must be an integer or undefined, got ${fmtValue(a.dim)} ${ofTensor(x.shape)}`);
  if (sizeOf(x.shape) === 0) throw new ShapeError(fn, `the input must be non-empty, got a tensor of shape ${fmtShape(x.shape)}`);
  const { shape } = planReduce(fn, x, { dim: a.dim, keepdim: a.keepdim });
  const d = a.dim == null ? undefined : normDim(fn, x.shape, a.dim);
  return { shape: [...q.shape, ...shape], d };
}

/**
 * PyTorch's algorithm: x sorted along the dim (moved last; all elements flattened without one),
 * rank = q·(n − 1), or q·(c − 1) over the c non-NaN values for nanquantile (0 when there are none);
 * quantile's rank is n − 1 (a NaN) where the segment holds NaN. 'lower', 'higher' and 'nearest'
 * read the sorted values at ⌊rank⌋, ⌈rank⌉ and the rank rounded half to even; 'linear' and
 * 'midpoint' lerp from ⌊rank⌋ to ⌈rank⌉ with weight rank − ⌊rank⌋ or ½. The ranks are detached,
 * so the gradient of 'linear' goes to the two values with weights (1 − w, w), as PyTorch.
 */
const quantile: CompositeDef<QuantileAttrs, 'quantile'> = {
  kind: 'composite',
  name: 'quantile',
  arity: 2,
  gradInputs: [0],
  doc: "the q-th quantiles along a dim (or of all elements), q ∈ [0, 1] a 0-d or 1-d tensor; interpolation 'linear' (default), 'lower', 'higher', 'midpoint', 'nearest'; nanquantile ignores NaNs",
  plan: (ins, a) => ({ shape: planQuantile(a.ignoreNan ? 'nanquantile' : 'quantile', ins[0], ins[1], a).shape }),
  compose: <T>(b: Builder<T>, [x, q]: readonly T[], a: QuantileAttrs) => {
    const xs = b.shape(x),
      qs = b.shape(q);
    const { shape, d } = planQuantile(a.ignoreNan ? 'nanquantile' : 'quantile', meta(b, x), meta(b, q), a);
    let last: T;
    if (d === undefined || xs.length === 0) last = b.op('copy', [x], contiguousView([sizeOf(xs)]));
    else if (d === xs.length - 1) last = x;
    else last = b.op('copy', [x], permuteView(xs, [...xs.map((_, i) => i).filter((i) => i !== d), d]));
    const ls = b.shape(last);
    const k = ls.length - 1,
      n = ls[k];
    const sorted = gatherAlong(b, last, k, b.op('argsort', [last], { dim: k }));
    const nan = nanCount(b, last, k);
    // q broadcast against the segments: [Q, 1, …, 1] before the [segments…, 1] ranks.
    const qb = qs.length === 0 ? b.detach(q) : b.op('copy', [b.detach(q)], contiguousView([qs[0], ...ls.map(() => 1)]));
    const rank = a.ignoreNan
      ? b.op('maximum', [b.op('mul', [qb, b.op('sub', [b.scalar(n - 1), nan])]), b.scalar(0)])
      : b.op('where', [b.op('gt', [nan, b.scalar(0)]), b.scalar(n - 1), b.op('mul', [qb, b.scalar(n - 1)])]);
    const rs = b.shape(rank);
    const from = rs.length > ls.length ? b.op('copy', [sorted], broadcastView(ls, [rs[0], ...ls])) : sorted;
    const at = (r: T) => gatherAlong(b, from, rs.length - 1, toIndex(b, r));
    const interp = a.interpolation ?? 'linear';
    let y: T;
    if (interp === 'lower') y = at(b.op('floor', [rank]));
    else if (interp === 'higher') y = at(b.op('ceil', [rank]));
    else if (interp === 'nearest') y = at(b.op('round', [rank]));
    else {
      const below = b.op('floor', [rank]);
      const w = interp === 'midpoint' ? b.scalar(0.5) : b.op('sub', [rank, below]);
      y = b.op('lerp', [at(below), at(b.op('ceil', [rank])), w]);
    }
    return b.op('copy', [y], contiguousView(shape));
  },
  tests: { cases: quantileCases() },
};

function quantileCases(): TestCase<QuantileAttrs>[] {
  const c = (shape: number[], q: number[], a: QuantileAttrs): TestCase<QuantileAttrs> => ({
    name: `[${shape.join('x')}] q [${q.join('x')}] ${JSON.stringify(a)}`,
    inputs: [{ shape }, { shape: q, domain: 'unit', noGrad: true }],
    attrs: a,
  });
  return [
    ...INTERPOLATIONS.flatMap((interpolation) => [
      c([1], [], { interpolation }),
      c([7], [3], { interpolation }),
      c([5, 7], [], { dim: 1, interpolation }),
      c([9, 8], [5], { dim: 0, keepdim: true, interpolation }),
      c([2, 9, 5], [3], { dim: 1, interpolation, ignoreNan: true }),
    ]),
    c([], [], {}),
    c([], [2], { dim: 0, keepdim: true }),
    c([17, 3], [1], { dim: 0 }),
    c([3, 17], [], { dim: -1, keepdim: true, ignoreNan: true }),
    c([2, 3, 4, 5], [2], { keepdim: true }),
    c([2, 3, 4, 5], [], { dim: 2 }),
    c([0], [0], {}),
  ].filter((t) => !t.inputs[0].shape.includes(0));
}

// ---- nansum, nanmean, countNonzero ----------------------------------------------------------------

/** x with its NaNs replaced by 0: where's backward sends them no gradient (PyTorch's nansum). */
const withoutNan = <T>(b: Builder<T>, x: T) => b.op('where', [b.op('isnan', [x]), b.scalar(0), x]);

const reduceShape = (name: string) => (ins: readonly Meta[], a: ReduceAttrs) => ({ shape: planReduce(name, ins[0], a).shape });
const nanCases = (): TestCase<ReduceAttrs>[] => [...reduceCases(), ...multiDimCases(), rc([4, 0], 1), rc([0, 3])];

const nansum: CompositeDef<ReduceAttrs, 'nansum'> = {
  kind: 'composite',
  name: 'nansum',
  arity: 1,
  gradInputs: [0],
  doc: 'sum over dims treating NaN as 0; gradient 0 at the NaNs',
  plan: reduceShape('nansum'),
  compose: (b, [x], a) => reduceOver(b, 'sumDims', withoutNan(b, x), a),
  tests: { cases: nanCases() },
};

const nanmean: CompositeDef<ReduceAttrs, 'nanmean'> = {
  kind: 'composite',
  name: 'nanmean',
  arity: 1,
  gradInputs: [0],
  doc: 'mean of the non-NaN elements over dims (NaN where there are none); gradient 0 at the NaNs',
  plan: reduceShape('nanmean'),
  compose: (b, [x], a) => {
    const count = reduceOver(b, 'sumDims', b.op('eq', [x, x]), a);
    return b.op('div', [reduceOver(b, 'sumDims', withoutNan(b, x), a), count]);
  },
  tests: { cases: nanCases() },
};

/** The nonzero elements (NaN included) counted as a float32 sum of a 0/1 mask (exact below 2²⁴), then int32. */
const countNonzero: CompositeDef<ReduceAttrs, 'countNonzero'> = {
  kind: 'composite',
  name: 'countNonzero',
  arity: 1,
  gradInputs: [],
  doc: 'int32 number of nonzero elements (NaN counts) over dims (all by default)',
  plan: (ins, a) => ({ shape: planReduce('countNonzero', ins[0], a).shape, dtype: 'int32' }),
  compose: (b, [x], a) => b.op('toInt', [reduceOver(b, 'sumDims', b.op('sub', [b.scalar(1), b.op('eq', [x, b.scalar(0)])]), a)]),
  tests: { tol: 0, cases: [...nanCases(), rc([5, 7], 1, false, 'mask'), rc([2, 3, 4, 5], [0, 2], true, 'mask')] },
};

// ---- cov, corrcoef -----------------------------------------------------------------------------

export interface CovAttrs {
  /** Subtracted from the (weighted) observation count in the divisor (default 1). */
  correction?: number;
}

/** x as [variables, observations] (a 1-D x is one variable, a 0-d one observation), validated. */
export function planCov(fn: string, x: Meta, a: CovAttrs): { rows: number; cols: number; shape: number[] } {
  if (x.shape.length > 2) throw new ShapeError(fn, `the input must have at most 2 dims (variables × observations), got a tensor of shape ${fmtShape(x.shape)}`);
  const c = a.correction ?? 1;
  if (typeof c !== 'number' || !Number.isFinite(c)) throw new ValueError(fn, `correction must be a finite number, got ${fmtValue(a.correction)}`);
  const [rows, cols] = x.shape.length === 2 ? x.shape : [1, x.shape[0] ?? 1];
  // PyTorch squeezes the [rows, rows] result: one variable gives a 0-d tensor
  return { rows, cols, shape: rows === 1 ? [] : [rows, rows] };
}

/**
 * torch.cov with observation weights w = fweights·aweights (the API passes ones for a weight not
 * given, which gives exactly the unweighted formulas): the weighted mean μ = Σ w·x / Σ w, and
 * (x − μ)·(w·(x − μ))ᵀ divided by Σw − correction·Σ(w·aweights)/Σw, or 0 where that is ≤ 0
 * (PyTorch's rule: the entries become ±∞ or NaN).
 */
const cov: CompositeDef<CovAttrs, 'cov'> = {
  kind: 'composite',
  name: 'cov',
  arity: 3,
  gradInputs: [0, 2],
  doc: 'covariance matrix of the rows (variables) of x over its columns (observations), with frequency and observation weights; a 0-d result for one variable',
  plan: (ins, a) => {
    const { cols, shape } = planCov('cov', ins[0], a);
    ins.slice(1).forEach((w, i) => {
      if (w.shape.length !== 1 || w.shape[0] !== cols)
        throw new ShapeError(
          'cov',
          `${i === 0 ? 'fweights' : 'aweights'} must be 1-D with one weight per observation (${cols}), got shape ${fmtShape(w.shape)}`,
        );
    });
    return { shape };
  },
  compose: (b, [x, fw, aw], a) => {
    const { rows, cols, shape } = planCov('cov', meta(b, x), a);
    const x2 = b.shape(x).length === 2 ? x : b.op('copy', [x], contiguousView([rows, cols]));
    const w = b.op('mul', [fw, aw]);
    const wsum = b.op('sumDims', [w], {});
    const mu = b.op('div', [b.op('sumDims', [b.op('mul', [x2, w])], { dim: 1, keepdim: true }), wsum]);
    const n = b.op('sub', [wsum, b.op('mul', [b.scalar(a.correction ?? 1), b.op('div', [b.op('sumDims', [b.op('mul', [w, aw])], {}), wsum])])]);
    const divisor = b.op('where', [b.op('gt', [n, b.scalar(0)]), n, b.scalar(0)]);
    const xc = b.op('sub', [x2, mu]);
    const c = b.op('div', [b.op('matmul', [xc, b.op('mul', [xc, w])], { transposeB: true }), divisor]);
    return shape.length === 2 ? c : b.op('copy', [c], contiguousView(shape));
  },
  tests: { cases: covCases() },
};

function covCases(): TestCase<CovAttrs>[] {
  const c = (shape: number[], correction?: number): TestCase<CovAttrs> => {
    const cols = shape.length === 2 ? shape[1] : (shape[0] ?? 1);
    return {
      name: `[${shape.join('x')}] correction ${correction ?? 'default'}`,
      inputs: [{ shape }, { shape: [cols], domain: [1, 4], noGrad: true }, { shape: [cols], domain: 'positive' }],
      attrs: { correction },
    };
  };
  return [c([3, 5]), c([1, 7]), c([7]), c([4, 9], 0), c([2, 17], 2), c([5, 8]), c([9, 3], 1.5), c([2, 1], 0), c([]), c([3, 0], 0)];
}

/**
 * torch.corrcoef: cov(x) / (σᵢ σⱼ) with σ = √diag(cov), clipped to [−1, 1] (rounding can step
 * past ±1); a 0-d covariance (one variable) gives c / c.
 */
const corrcoef: CompositeDef<Record<string, never>, 'corrcoef'> = {
  kind: 'composite',
  name: 'corrcoef',
  arity: 1,
  gradInputs: [0],
  doc: 'Pearson correlation coefficients of the rows (variables) of x, clipped to [−1, 1]',
  plan: (ins) => ({ shape: planCov('corrcoef', ins[0], {}).shape }),
  compose: (b, [x]) => {
    const { cols } = planCov('corrcoef', meta(b, x), {});
    const ones = b.op('fill', [], { shape: [cols], value: 1 });
    const c = b.op('cov', [x, ones, ones], {});
    const shape = b.shape(c);
    if (shape.length === 0) return b.op('div', [c, c]);
    const sd = b.op('sqrt', [b.op('diagonal', [c], {})]);
    const across = b.op('div', [b.op('div', [c, b.op('copy', [sd], contiguousView([shape[0], 1]))]), sd]);
    return b.op('clamp', [across], { min: -1, max: 1 });
  },
  tests: {
    cases: [[3, 5], [1, 7], [7], [4, 9], [2, 17], [5, 8], [9, 3], []].map((shape) => ({ name: `[${shape.join('x')}]`, inputs: [{ shape }] })),
  },
};

// ---- searchsorted, histc ---------------------------------------------------------------------------

export interface SearchAttrs {
  /** false: the first index i with sorted[i] ≥ v (left); true: with sorted[i] > v (right). */
  right?: boolean;
}

/** sorted 1-D, or with values' leading dims (values: same rank); the result has values' shape. */
export function planSearch(fn: string, sorted: Meta, values: Meta): number[] {
  const ss = sorted.shape,
    vs = values.shape;
  if (ss.length === 0) throw new ShapeError(fn, `the sorted sequence must have at least 1 dim, got a 0-d tensor (values ${fmtShape(vs)})`);
  if (ss.length > 1 && (vs.length !== ss.length || ss.slice(0, -1).some((d, k) => d !== vs[k])))
    throw new ShapeError(
      fn,
      `a sorted sequence of more than 1 dim needs values with the same leading dims, got sorted ${fmtShape(ss)} and values ${fmtShape(vs)}`,
    );
  return [...vs];
}

/**
 * The insertion index of each value as a count: the elements of its row that come before it,
 * those not ≥ v (left) or not > v (right). This is what a binary search returns on a sorted row
 * (PyTorch's), NaN values included (nothing is ≥ NaN: they go to the end); every comparison is
 * made, O(rows·values·M), which needs no loop over the data.
 */
const searchsorted: CompositeDef<SearchAttrs, 'searchsorted'> = {
  kind: 'composite',
  name: 'searchsorted',
  arity: 2,
  gradInputs: [],
  doc: 'int32 insertion indices of values into the rows of a sorted sequence (left: first ≥ value; right: first > value)',
  plan: (ins, a) => {
    checkBool('searchsorted', 'right', a.right);
    return { shape: planSearch('searchsorted', ins[0], ins[1]), dtype: 'int32' };
  },
  compose: (b, [sorted, values], a) => {
    const ss = b.shape(sorted);
    const v = b.op('copy', [values], contiguousView([...b.shape(values), 1]));
    const s = ss.length === 1 ? sorted : b.op('copy', [sorted], contiguousView([...ss.slice(0, -1), 1, ss[ss.length - 1]]));
    const before = b.op('sub', [b.scalar(1), b.op(a.right ? 'gt' : 'ge', [s, v])]);
    return toIndex(b, b.op('sumDims', [before], { dim: -1 }));
  },
  tests: {
    tol: 0,
    cases: [
      ...[
        [[1], [3]],
        [[7], [5, 3]],
        [[9], []],
        [[17], [2, 9]],
        [[0], [4]],
        [
          [3, 8],
          [3, 5],
        ],
        [
          [2, 3, 7],
          [2, 3, 1],
        ],
        [
          [4, 0],
          [4, 2],
        ],
      ].flatMap(([s, v]) =>
        [false, true].map((right): TestCase<SearchAttrs> => ({
          name: `sorted [${s}] values [${v}] right ${right}`,
          inputs: [{ shape: s }, { shape: v }],
          attrs: { right },
        })),
      ),
      // ties: values equal to elements (0/1 against 0/1), where left and right differ
      {
        name: 'ties left',
        inputs: [
          { shape: [7], domain: 'mask' },
          { shape: [5], domain: 'mask' },
        ],
        attrs: { right: false },
      },
      {
        name: 'ties right',
        inputs: [
          { shape: [9], domain: 'mask' },
          { shape: [3, 4], domain: 'mask' },
        ],
        attrs: { right: true },
      },
    ],
  },
};

export interface HistcAttrs {
  bins: number;
  min: number;
  max: number;
}

export function checkHistc(x: Meta, a: HistcAttrs): void {
  if (!Number.isInteger(a.bins) || a.bins < 1) throw new ValueError('histc', `bins must be a positive integer, got ${fmtValue(a.bins)}`);
  if (!Number.isFinite(a.min) || !Number.isFinite(a.max))
    throw new ValueError('histc', `range of [${fmtValue(a.min)}, ${fmtValue(a.max)}] is not finite ${ofTensor(x.shape)}`);
  if (!(a.max > a.min)) throw new ValueError('histc', `max must be larger than min, got min ${fmtValue(a.min)} and max ${fmtValue(a.max)}`);
}

/**
 * Counts of the elements in [min, max] in `bins` equal bins, as torch.histc: bin ⌊(x − min)·bins /
 * (max − min)⌋ (in that order, as PyTorch computes it), x = max in the last bin; elements outside
 * are not counted, and a NaN counts in the first bin (as PyTorch 1.13's CPU histc). A scatter-add
 * of those flags at the (clamped, NaN-free) bin.
 */
const histc: CompositeDef<HistcAttrs, 'histc'> = {
  kind: 'composite',
  name: 'histc',
  arity: 1,
  gradInputs: [],
  doc: 'float32 histogram of the elements in [min, max] over bins equal bins (x = max in the last, NaN in the first); the API takes the data range for min = max',
  plan: (ins, a) => {
    checkHistc(ins[0], a);
    return { shape: [a.bins] };
  },
  compose: (b, [x], { bins, min, max }) => {
    const n = sizeOf(b.shape(x));
    const flat = b.op('copy', [x], contiguousView([n]));
    const inside = b.op('mul', [b.op('ge', [flat, b.scalar(min)]), b.op('le', [flat, b.scalar(max)])]);
    const pos = b.op('floor', [b.op('div', [b.op('mul', [b.op('sub', [flat, b.scalar(min)]), b.scalar(bins)]), b.scalar(max - min)])]);
    const bin = toIndex(b, b.op('clamp', [b.op('where', [inside, pos, b.scalar(0)])], { min: 0, max: bins - 1 }));
    const counted = b.op('maximum', [inside, b.op('isnan', [flat])]);
    const { map } = planGather('histc', { shape: [bins], dtype: 'float32' }, 0, { shape: [n], dtype: 'int32' });
    return b.op('indexScatter', [b.op('fill', [], { shape: [bins], value: 0 }), bin, counted], { ...map, src: [1], mode: 'add' });
  },
  tests: {
    tol: 0,
    cases: [
      ...[[1], [7], [5, 9], [17, 3], [0], []].map((shape, i): TestCase<HistcAttrs> => ({
        inputs: [{ shape }],
        attrs: { bins: [1, 3, 8, 9, 4, 5][i], min: -1.5, max: 1.5 },
      })),
      { name: 'all inside, 100 bins', inputs: [{ shape: [33] }], attrs: { bins: 100, min: -2, max: 2 } },
    ],
  },
};

export const STATISTICS_OPS = defineOps(
  kthvalue,
  kthvalueIndex,
  medianDim,
  medianIndex,
  nanmedianDim,
  nanmedianIndex,
  mode,
  modeIndex,
  selectInt,
  selectIntIndex,
  medianAll('median', 'medianDim'),
  medianAll('nanmedian', 'nanmedianDim'),
  quantile,
  nansum,
  nanmean,
  countNonzero,
  cov,
  corrcoef,
  searchsorted,
  histc,
);
