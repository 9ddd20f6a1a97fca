/**
 * Indexing and selection: one gather op (gather, take, indexSelect, x[idx], x[i0, i1]) and one
 * scatter op (scatter, scatterAdd, indexAdd) over *index maps*, tril/triu, int32 masks as float32,
 * and maskedFill (a composite of where). Kernels: assembly/kernels/indexing.ts.
 *
 * An index map is a space of positions (row-major over `shape`) and, per position dim, the stride
 * of each operand: position p reads x at xoff(p) + wrap(index[ioff(p)])·dimStride, where
 * wrap(k) = k + dimSize for k < 0 (Python's negative indices; the API allows them only where
 * PyTorch does). The gather writes its result row-major over the positions; its backward adds the
 * gradient back into the element each position read, positions in order, so repeated indices sum
 * in index order on both backends. The scatter copies x, then writes src[soff(p)] into the element
 * of each position (or adds alpha·src[soff(p)], or keeps the max or min), positions in order:
 * with repeated indices a plain write keeps the last position's value (deterministic; PyTorch
 * leaves it unspecified) and sums add in index order.
 * The planners below turn the public ops' arguments into maps and throw the typed errors naming
 * the op; the index *values* are checked by the API (src/api/indexing.ts) before anything runs.
 */
import { MAX_RANK, broadcastShapes, forEachBroadcast, mergeDims } from './broadcast.js';
import { ALIGN_WORDS } from './contract.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { broadcastView, contiguousView, copyAdjoint } from './shape.js';
import {
  R,
  checkDim,
  defineOps,
  f32bits,
  fmtShape,
  ofTensor,
  gin,
  gout,
  inp,
  numel,
  out,
  param,
  paramf,
  sizeOf,
  type Builder,
  type CompositeDef,
  type DType,
  type Domain,
  type Meta,
  type OpSpec,
  type RefKernel,
  type TestCase,
  type OpInfo,
  sameShape,
} from './types.js';

const stridesOf = (shape: readonly number[]): number[] => contiguousView(shape).strides;

// ---- index maps ----------------------------------------------------------------------------
export interface IndexMap {
  /** The positions, row-major (the gather's result shape). */
  shape: number[];
  /** Per position dim, its stride in x (0 along the dims the index stands for). */
  x: number[];
  /** Per position dim, its stride in the int32 index (0 where the index is broadcast). */
  index: number[];
  /** x's stride along the indexed dim, and that dim's size (negative indices wrap by it). */
  dimStride: number;
  dimSize: number;
}

/** How a scatter combines src with the element of x: write it, add alpha·src, keep the max or the min. */
export type ScatterMode = 'write' | 'add' | 'amax' | 'amin';
const SCATTER_MODES: readonly ScatterMode[] = ['write', 'add', 'amax', 'amin'];

export interface ScatterMap extends IndexMap {
  /** Per position dim, its stride in src (all 0 for a scalar value). */
  src: number[];
  mode: ScatterMode;
  /** The factor of src in mode 'add' (default 1). */
  alpha?: number;
}

/**
 * Validates a map against its operands (of `sizes` elements: x, index, src), so kernels never read
 * out of bounds whatever the attributes, and collapses it (mergeDims). Kernel params:
 * [rank, shape[rank], x strides, index strides, (src strides), dimStride, dimSize].
 */
function mapParams(op: string, m: IndexMap, sizes: readonly number[], streams: readonly number[][]): number[] {
  const isIndex = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  const nd = Array.isArray(m?.shape) ? m.shape.length : -1;
  if (nd < 0 || streams.some((s) => !Array.isArray(s) || s.length !== nd) || ![...m.shape, ...streams.flat(), m.dimStride, m.dimSize].every(isIndex))
    throw new ValueError(op, `an index map needs equally long arrays of non-negative integers and a dim stride and size, got ${fmtValue(m)}`);
  if (sizeOf(m.shape) === 0) return [1, 0, ...streams.map(() => 0), m.dimStride, m.dimSize];
  streams.forEach((st, j) => {
    const last = st.reduce((a, s, k) => a + (m.shape[k] - 1) * s, 0) + (j === 0 ? (m.dimSize - 1) * m.dimStride : 0);
    if ((j === 0 && m.dimSize === 0) || last >= sizes[j])
      throw new ShapeError(op, `index map over ${fmtShape(m.shape)} reaches element ${last} of operand ${j}, which has ${sizes[j]} (internal)`);
  });
  const dims = mergeDims(
    m.shape.map((d, k) => ({ d, st: streams.map((s) => s[k]) })),
    streams.length,
  );
  if (dims.length > MAX_RANK)
    throw new ShapeError(op, `index maps of more than ${MAX_RANK} non-mergeable dims are not supported (positions ${fmtShape(m.shape)})`);
  return [dims.length, ...dims.map((x) => x.d), ...streams.flatMap((_, j) => dims.map((x) => x.st[j])), m.dimStride, m.dimSize];
}

// ---- planners of the public ops -------------------------------------------------------------
/**
 * gather / scatter / scatterAdd (PyTorch): the positions are the index's shape, which has x's
 * number of dims and is no larger than x along any dim but `dim` (nor than src along any dim).
 */
export function planGather(op: string, x: Meta, dim: number, index: Meta, src?: Meta): { map: IndexMap; dim: number } {
  const nd = x.shape.length;
  const d = checkDim(op, dim, Math.max(nd, 1), x.shape);
  const shapes = () => `index ${fmtShape(index.shape)}, input ${fmtShape(x.shape)}${src ? `, src ${fmtShape(src.shape)}` : ''}`;
  if (index.shape.length !== nd || (src !== undefined && src.shape.length !== nd))
    throw new ShapeError(op, `index${src ? ' and src' : ''} must have as many dims as the input: ${shapes()}`);
  if (index.shape.some((s, k) => (k !== d && s > x.shape[k]) || (src !== undefined && s > src.shape[k])))
    throw new ShapeError(
      op,
      `index must be no larger than the input along every dim but dim ${d}${src ? ', and no larger than src along every dim' : ''}: ${shapes()}`,
    );
  const xst = stridesOf(x.shape);
  return {
    map: { shape: [...index.shape], x: xst.map((s, k) => (k === d ? 0 : s)), index: stridesOf(index.shape), dimStride: xst[d] ?? 1, dimSize: x.shape[d] ?? 1 },
    dim: d,
  };
}

/** take: x read as 1-D, positions = the index's shape. */
export function planTake(x: Meta, index: Meta): IndexMap {
  return { shape: [...index.shape], x: index.shape.map(() => 0), index: stridesOf(index.shape), dimStride: 1, dimSize: sizeOf(x.shape) };
}

/**
 * One step of advanced indexing on z: its dim d is indexed by an index of shape idx, seen with
 * `nb` dims (leading 1s added). `fresh`: the index's dims are inserted at position `at` of z's
 * other dims; otherwise z already holds such a block of nb dims there (from earlier index tensors)
 * and the index broadcasts against it (the caller checked the shapes broadcast).
 */
export function planIndexStep(z: readonly number[], d: number, idx: readonly number[], at: number, nb: number, fresh: boolean): IndexMap {
  const zst = stridesOf(z);
  const pad = [...new Array<number>(nb - idx.length).fill(1), ...idx];
  const ist = stridesOf(pad);
  const rest = z.flatMap((size, k) => (k === d ? [] : [{ size, x: zst[k], i: 0 }]));
  const own = pad.map((size, k) => ({ size, x: 0, i: size === 1 ? 0 : ist[k] }));
  const dims = fresh
    ? [...rest.slice(0, at), ...own, ...rest.slice(at)]
    : rest.map((e, k) => {
        const j = k - at;
        if (j < 0 || j >= nb || pad[j] === 1) return e;
        return { size: pad[j], x: e.size === 1 ? 0 : e.x, i: ist[j] };
      });
  return { shape: dims.map((e) => e.size), x: dims.map((e) => e.x), index: dims.map((e) => e.i), dimStride: zst[d], dimSize: z[d] };
}

/** indexSelect / indexAdd: a 1-D (or 0-d, taken as [1]) index along dim of a tensor of at least 1 dim. */
export function planIndexSelect(op: string, x: Meta, dim: number, index: Meta): { map: IndexMap; dim: number } {
  if (x.shape.length === 0) throw new ShapeError(op, `needs an input of at least 1 dim, got a 0-d tensor (index ${fmtShape(index.shape)})`);
  if (index.shape.length > 1) throw new ShapeError(op, `index must be 1-D, got shape ${fmtShape(index.shape)} (input ${fmtShape(x.shape)})`);
  const d = checkDim(op, dim, x.shape.length, x.shape);
  return { map: planIndexStep(x.shape, d, [sizeOf(index.shape)], d, 1, true), dim: d };
}

/** indexAdd (and indexCopy, indexFill): source has x's shape but len(index) along dim; positions = source's shape. */
export function planIndexAdd(x: Meta, dim: number, index: Meta, source: Meta, alpha: number, fn = 'indexAdd'): { map: ScatterMap; dim: number } {
  const { map, dim: d } = planIndexSelect(fn, x, dim, index);
  if (!sameShape(source.shape, map.shape))
    throw new ShapeError(
      fn,
      `source must have the input's shape with dim ${d} of the index's length, ${fmtShape(map.shape)}, got ${fmtShape(source.shape)} (input ${fmtShape(x.shape)}, index ${fmtShape(index.shape)})`,
    );
  return { map: { ...map, src: stridesOf(source.shape), mode: 'add', alpha }, dim: d };
}

/** One gather of advanced indexing: the index tensor it applies (entries[entry]), on the previous step's result. */
export interface IndexStep {
  entry: number;
  /** The shape of the tensor this step reads (x, or the previous step's result). */
  input: number[];
  map: IndexMap;
}

/**
 * x[e0, e1, …] (PyTorch advanced indexing) with int32 index tensors and null entries (full
 * slices; missing trailing entries too). The index tensors broadcast together to B; B's dims take
 * the place of the indexed dims when those are adjacent, else they come first (PyTorch's rule).
 * One gather per index tensor: the first inserts its own dims (not yet broadcast, so the
 * intermediate is no larger than that index's share of x), each next one broadcasts against them.
 */
export function planIndex(op: string, x: readonly number[], entries: readonly (readonly number[] | null)[]): { shape: number[]; steps: IndexStep[] } {
  if (entries.length > x.length)
    throw new ShapeError(op, `too many indices for a tensor of shape ${fmtShape(x)}: ${entries.length} entries for ${x.length} dims`);
  const tensors = entries.flatMap((e, k) => (e === null ? [] : [k]));
  if (tensors.length === 0) return { shape: [...x], steps: [] };
  const nb = broadcastShapes(
    op,
    tensors.map((k) => entries[k]!),
  ).length;
  const adjacent = tensors[tensors.length - 1] - tensors[0] === tensors.length - 1;
  // z's dims, labelled by the dim of x they are, or -1 for the index block.
  let labels = x.map((_, k) => k);
  let z = [...x];
  const steps = tensors.map((t, j): IndexStep => {
    const d = labels.indexOf(t);
    const at = j > 0 ? labels.indexOf(-1) : adjacent ? d : 0;
    const map = planIndexStep(z, d, entries[t]!, at, nb, j === 0);
    const step = { entry: t, input: z, map };
    labels = labels.filter((l) => l !== t);
    if (j === 0) labels.splice(at, 0, ...new Array<number>(nb).fill(-1));
    z = map.shape;
    return step;
  });
  return { shape: z, steps };
}

// ---- reference kernels ---------------------------------------------------------------------
/** Param index of dimStride, after the shape and `streams` stride arrays. */
const tailAt = (r: Int32Array, streams: number) => 1 + param(r, 0) * (1 + streams);

/** f(p, xo, so) for every position p in order: x's element it picks (index applied) and src's offset. */
function forEachPosition(h: Float64Array, r: Int32Array, streams: number, f: (p: number, xo: number, so: number) => void): void {
  const t = tailAt(r, streams),
    ds = param(r, t),
    dn = param(r, t + 1),
    idx = inp(r, 1);
  forEachBroadcast(r.subarray(R.P), streams, (p, off) => {
    const k = h[idx + off[1]];
    f(p, off[0] + (k < 0 ? k + dn : k) * ds, off[2]);
  });
}

const gatherFwd: RefKernel = (h, r) => forEachPosition(h, r, 2, (p, xo) => (h[out(r) + p] = h[inp(r, 0) + xo]));
const gatherBwd: RefKernel = (h, r) => {
  const gx = gin(r, 0);
  if (gx) forEachPosition(h, r, 2, (p, xo) => (h[gx + xo] += h[gout(r) + p]));
};

// Scatter params after the map: [mode (index in SCATTER_MODES), alpha bits].
const scatterMode = (r: Int32Array) => SCATTER_MODES[param(r, tailAt(r, 3) + 2)];
const scatterAlpha = (r: Int32Array) => paramf(r, tailAt(r, 3) + 3);

const scatterFwd: RefKernel = (h, r) => {
  const o = out(r),
    src = inp(r, 2),
    alpha = scatterAlpha(r);
  h.copyWithin(o, inp(r, 0), inp(r, 0) + numel(r));
  const combine = {
    write: (_: number, v: number) => v,
    add: (a: number, v: number) => a + alpha * v,
    amax: Math.max, // NaN wins, as PyTorch's amax
    amin: Math.min,
  }[scatterMode(r)];
  forEachPosition(h, r, 3, (_, xo, so) => (h[o + xo] = combine(h[o + xo], h[src + so])));
};

/**
 * x's gradient is g, without the written elements when src replaced them; src's is alpha·g at the
 * element each position wrote (PyTorch's formula, also for a position a later one overwrote).
 * amax/amin: as PyTorch, g of an element is shared evenly by everything equal to the result there,
 * x's element and the src values scattered into it.
 */
const scatterBwd: RefKernel = (h, r) => {
  const g = gout(r),
    gx = gin(r, 0),
    gs = gin(r, 2),
    n = numel(r),
    x = inp(r, 0),
    src = inp(r, 2),
    o = out(r),
    mode = scatterMode(r);
  if (mode === 'amax' || mode === 'amin') {
    const ties = Float64Array.from({ length: n }, (_, e) => (h[x + e] === h[o + e] ? 1 : 0));
    forEachPosition(h, r, 3, (_, xo, so) => (ties[xo] += h[src + so] === h[o + xo] ? 1 : 0));
    if (gx) for (let e = 0; e < n; e++) if (h[x + e] === h[o + e]) h[gx + e] += h[g + e] / ties[e];
    if (gs) forEachPosition(h, r, 3, (_, xo, so) => h[src + so] === h[o + xo] && (h[gs + so] += h[g + xo] / ties[xo]));
    return;
  }
  const alpha = mode === 'add' ? scatterAlpha(r) : 1;
  if (gx) {
    const written = new Uint8Array(n);
    if (mode === 'write') forEachPosition(h, r, 3, (_, xo) => (written[xo] = 1));
    for (let i = 0; i < n; i++) if (!written[i]) h[gx + i] += h[g + i];
  }
  if (gs) forEachPosition(h, r, 3, (_, xo, so) => (h[gs + so] += alpha * h[g + xo]));
};

// ---- tril / triu (params: [rows, cols, diagonal, upper]) -------------------------------------
export interface TriAttrs {
  diagonal?: number;
}

/** Whether element (i, j) of a matrix is kept: j − i ≤ diagonal (tril) or ≥ diagonal (triu). */
const kept = (r: Int32Array, i: number, j: number) => (param(r, 3) ? j - i >= param(r, 2) : j - i <= param(r, 2));

function forEachTri(r: Int32Array, f: (e: number, keep: boolean) => void): void {
  const rows = param(r, 0),
    cols = param(r, 1);
  for (let e = 0; e < numel(r); e++) f(e, kept(r, Math.floor(e / cols) % rows, e % cols));
}

function triOp<N extends string>(name: N, upper: boolean): OpSpec<TriAttrs, N> {
  return {
    name,
    module: 'indexing',
    arity: 1,
    gradInputs: [0],
    doc: `the ${upper ? 'upper' : 'lower'} triangle of the last two dims (j − i ${upper ? '≥' : '≤'} diagonal), zeros elsewhere; gradient masked alike`,
    plan: (ins, a) => {
      const s = ins[0].shape;
      if (s.length < 2) throw new ShapeError(name, `needs a tensor of at least 2 dims (matrices in the last two), got shape ${fmtShape(s)}`);
      const dg = a?.diagonal ?? 0;
      if (!Number.isInteger(dg)) throw new ValueError(name, `diagonal must be an integer, got ${fmtValue(dg)} ${ofTensor(s)}`);
      const [rows, cols] = s.slice(-2);
      // Beyond ±(the matrix's extent) every diagonal keeps all or nothing: clamped, i + diagonal fits in int32.
      return { shape: [...s], params: [rows, cols, Math.min(Math.max(dg, -rows), cols), upper ? 1 : 0] };
    },
    ref: {
      fwd: (h, r) => forEachTri(r, (e, keep) => (h[out(r) + e] = keep ? h[inp(r, 0) + e] : 0)),
      bwd: (h, r) => {
        const gx = gin(r, 0);
        if (gx) forEachTri(r, (e, keep) => (h[gx + e] += keep ? h[gout(r) + e] : 0));
      },
    },
    // a fixed mask: the gradient is the same triangle of g
    vjp: (b, { gout, attrs }) => [b.op(name, [gout], attrs)],
    tests: {
      cases: [
        triCase([1, 1]),
        triCase([3, 3]),
        triCase([5, 7], 1),
        triCase([7, 5], -2),
        triCase([2, 9, 9], 0),
        triCase([3, 4, 17], 3),
        triCase([17, 3], -1),
        triCase([2, 3, 5, 4], 2),
        triCase([4, 4], 9),
        triCase([4, 4], -9),
        triCase([0, 3]),
        triCase([2, 3, 0], 1),
      ],
    },
  };
}

const triCase = (shape: number[], diagonal?: number): TestCase<TriAttrs> => ({
  name: `[${shape.join('x')}] diagonal ${diagonal ?? 0}`,
  inputs: [{ shape }],
  attrs: diagonal === undefined ? {} : { diagonal },
});

// ---- maskedFill ---------------------------------------------------------------------------
/** where(mask, value, x): x where the mask is 0, the 0-d value elsewhere; broadcasts x and mask. */
const maskedFill: CompositeDef<any, 'maskedFill'> = {
  kind: 'composite',
  name: 'maskedFill',
  arity: 3,
  gradInputs: [0, 2],
  doc: 'x with value where mask ≠ 0 (mask float32 0/1, broadcast with x; value 0-d); gradient to x where unmasked, to value the sum where masked',
  plan: ([x, mask, value]) => {
    if (value.shape.length !== 0) throw new ShapeError('maskedFill', `value must be a number or a 0-d tensor, got shape ${fmtShape(value.shape)}`);
    return { shape: broadcastShapes('maskedFill', [x.shape, mask.shape]) };
  },
  compose: (b, [x, mask, value]) => b.op('where', [mask, value, x]),
  tests: {
    cases: [
      [[1], [1]],
      [[3], [3]],
      [[5, 7], [7]],
      [[7], [5, 7]],
      [[9], []],
      [
        [17, 3],
        [17, 1],
      ],
      [
        [2, 3, 4],
        [3, 1],
      ],
      [[0], [1]],
      [
        [2, 0],
        [2, 1],
      ],
    ].map(([x, mask]) => ({ inputs: [{ shape: x }, { shape: mask, domain: 'mask' as Domain }, { shape: [] }] })),
  },
};

// ---- the op table --------------------------------------------------------------------------
type Int = { shape: number[]; dtype: 'int32'; int: [number, number] };
const ints = (shape: number[], lo: number, hi: number): Int => ({ shape, dtype: 'int32', int: [lo, hi] });
const label = (s: readonly number[]) => `[${s.join('x')}]`;

const gatherCase = (x: number[], dim: number, idx: number[]): TestCase<IndexMap> => ({
  name: `gather ${label(x)} dim ${dim} index ${label(idx)}`,
  inputs: [{ shape: x }, ints(idx, 0, x[dim] ?? 1)],
  attrs: planGather('gather', { shape: x, dtype: 'float32' }, dim, { shape: idx, dtype: 'int32' }).map,
});
const takeCase = (x: number[], idx: number[]): TestCase<IndexMap> => ({
  name: `take ${label(x)} index ${label(idx)} (negatives wrap)`,
  inputs: [{ shape: x }, ints(idx, -sizeOf(x), sizeOf(x))],
  attrs: planTake({ shape: x, dtype: 'float32' }, { shape: idx, dtype: 'int32' }),
});
const selectCase = (x: number[], dim: number, n: number): TestCase<IndexMap> => ({
  name: `indexSelect ${label(x)} dim ${dim} index [${n}]`,
  inputs: [{ shape: x }, ints([n], 0, x[dim])],
  attrs: planIndexSelect('indexSelect', { shape: x, dtype: 'float32' }, dim, { shape: [n], dtype: 'int32' }).map,
});
/** The steps of x[entries] as cases, each step on the shape the previous one produced. */
const indexCases = (x: number[], entries: (number[] | null)[]): TestCase<IndexMap>[] =>
  planIndex('index', x, entries).steps.map((s, j) => ({
    name: `index ${label(x)}[${entries.map((e) => (e ? label(e) : ':')).join(', ')}] step ${j}`,
    inputs: [{ shape: s.input }, ints(entries[s.entry]!, -x[s.entry], x[s.entry])],
    attrs: s.map,
  }));

/**
 * Scatter cases. Plain scatter writes: index.size(dim) = 1, so no two positions write one element
 * and finite differences see PyTorch's gradient (with repeated indices a position that loses has
 * no effect, yet PyTorch's formula still hands it g: test/op-examples checks that case).
 */
function scatterCase(x: number[], dim: number, idx: number[], src: number[] | 'value', mode: ScatterMode): TestCase<ScatterMap> {
  const meta = (shape: number[]): Meta => ({ shape, dtype: 'float32' });
  const { map } = planGather('scatter', meta(x), dim, { shape: idx, dtype: 'int32' }, src === 'value' ? undefined : meta(src));
  return {
    name: `scatter ${mode} ${label(x)} dim ${dim} index ${label(idx)} ${src === 'value' ? 'value' : `src ${label(src)}`}`,
    inputs: [{ shape: x }, ints(idx, 0, x[dim] ?? 1), { shape: src === 'value' ? [] : src }],
    attrs: { ...map, src: src === 'value' ? map.shape.map(() => 0) : stridesOf(src), mode },
  };
}
function indexAddCase(x: number[], dim: number, n: number, alpha: number): TestCase<ScatterMap> {
  const source = x.map((s, k) => (k === dim ? n : s));
  return {
    name: `indexAdd ${label(x)} dim ${dim} index [${n}] alpha ${alpha}`,
    inputs: [{ shape: x }, ints([n], 0, x[dim]), { shape: source }],
    attrs: planIndexAdd({ shape: x, dtype: 'float32' }, dim, { shape: [n], dtype: 'int32' }, { shape: source, dtype: 'float32' }, alpha).map,
  };
}

/**
 * The gather of float32 data (differentiable) or of int32 data (labels, indices: the same kernel,
 * a bit copy, without gradient).
 */
/** g [m.shape] added into zeros shaped like x at the elements map m picks (gather's adjoint, as table ops). */
export function scatterAddInto<T>(b: Builder<T>, x: T, index: T, g: T, m: IndexMap): T {
  const zeros = b.op('copy', [b.scalar(0)], broadcastView([], b.shape(x)));
  return b.op('indexScatter', [zeros, index, g], { ...m, src: stridesOf(m.shape), mode: 'add' });
}

function gatherOp<N extends string>(name: N, dtype: DType, info: Pick<OpInfo<IndexMap>, 'tests'>): OpSpec<IndexMap, N> {
  const float = dtype === 'float32';
  return {
    name,
    module: 'indexing',
    arity: 2,
    inputDtypes: [dtype, 'int32'],
    gradInputs: float ? [0] : [],
    doc: `out[p] = x[xoff(p) + index[ioff(p)]·dimStride] over an index map, ${dtype} x (gather, take, indexSelect, x[idx])${float ? '; backward adds into x in position order' : ''}`,
    plan: (ins, m) => ({
      shape: [...m.shape],
      dtype,
      params: mapParams(
        name,
        m,
        ins.map((t) => sizeOf(t.shape)),
        [m.x, m.index],
      ),
    }),
    ref: float ? { fwd: gatherFwd, bwd: gatherBwd } : { fwd: gatherFwd },
    // g added at the picked elements of zeros: a scatter-add over the same map.
    vjp: float ? (b, { inputs: [x, index], gout: g, attrs: m }) => [scatterAddInto(b, x, index, g, m)] : undefined,
    ...info,
  };
}

function gatherCases(): TestCase<IndexMap>[] {
  return [
    gatherCase([1], 0, [1]),
    gatherCase([], 0, []),
    gatherCase([5, 7], 1, [5, 3]),
    gatherCase([5, 7], 0, [9, 7]),
    gatherCase([4, 9], 1, [3, 17]),
    gatherCase([3, 4, 5], -2, [2, 7, 3]),
    gatherCase([2, 3, 4, 5], 3, [2, 1, 4, 9]),
    gatherCase([3, 5], 1, [3, 0]),
    gatherCase([3, 0], 0, [2, 0]),
    takeCase([5, 7], [9]),
    takeCase([3, 3], [2, 17]),
    takeCase([1], [3]),
    takeCase([4], []),
    takeCase([0], [0]),
    selectCase([5, 7], 0, 9),
    selectCase([5, 7], 1, 3),
    selectCase([3, 4, 17], 2, 7),
    selectCase([2, 5, 3], 1, 1),
    selectCase([4, 3], 0, 0),
    ...indexCases([7, 3], [[2, 5]]),
    ...indexCases([5, 9], [null, [4, 2]]),
    ...indexCases([5, 7, 2], [[3, 1], [4]]),
    ...indexCases([2, 3, 4, 5], [null, [2], [3, 2]]),
    ...indexCases([3, 4, 5], [[2, 1], null, [3]]),
    ...indexCases([6, 5], [[]]),
  ];
}
/** The int32 twin on a few of the same maps. */
function gatherIntCases() {
  return [0, 2, 6, 9, 15, 20].map((k): TestCase<IndexMap> => {
    const c = gatherCases()[k];
    return { ...c, name: `${c.name} int32`, inputs: [{ ...c.inputs[0], dtype: 'int32', int: [-50, 50] }, c.inputs[1]] };
  });
}

export const INDEXING_OPS = defineOps(
  gatherOp('indexGather', 'float32', { tests: { cases: gatherCases() } }),
  gatherOp('indexGatherInt', 'int32', { tests: { cases: gatherIntCases() } }),
  {
    name: 'indexScatter',
    module: 'indexing',
    arity: 3,
    inputDtypes: ['float32', 'int32', 'float32'],
    gradInputs: [0, 2],
    doc: 'x with src[soff(p)] written (or alpha·src added, or the max or min kept) at x[xoff(p) + index[ioff(p)]·dimStride], positions in order (scatter, scatterAdd, indexAdd)',
    plan: (ins: readonly Meta[], m: ScatterMap) => {
      const [x, index, src] = ins.map((t) => sizeOf(t.shape));
      const mode = SCATTER_MODES.indexOf(m.mode);
      if (mode < 0) throw new ValueError('indexScatter', `mode must be one of ${SCATTER_MODES.join(', ')}, got ${fmtValue(m.mode)}`);
      const params = [...mapParams('indexScatter', m, [x, index, src], [m.x, m.index, m.src]), mode, f32bits(m.alpha ?? 1)];
      // Backward scratch, x's size: a plain write's copy of g with the written elements cleared;
      // amax/amin's count of the values tied with each result.
      return { shape: [...ins[0].shape], params, workspace: m.mode === 'add' ? 0 : ALIGN_WORDS + x };
    },
    ref: { fwd: scatterFwd, bwd: scatterBwd },
    // As scatterBwd: x's gradient g (its written elements zeroed: a write of 0 there), src's the
    // elements of g its positions reached (a gather, then the adjoint of src's view: repeated reads
    // summed), times alpha. amax/amin: g shared evenly by the values equal to the result (masks
    // from comparisons, so no gradient of their own), x's element and the src values scattered there.
    vjp: (b, { inputs: [x, index, src], out: y, gout: g, attrs: m, needs }) => {
      const gather = (t: typeof g) => b.op('indexGather', [t, index], { shape: m.shape, x: m.x, index: m.index, dimStride: m.dimStride, dimSize: m.dimSize });
      const srcView = { shape: m.shape, strides: m.src };
      const srcGrad = (perPosition: typeof g) => (needs[2] ? copyAdjoint(b, perPosition, srcView, b.shape(src)) : null);
      if (m.mode === 'write') return [b.op('indexScatter', [g, index, b.scalar(0)], { ...m, src: m.shape.map(() => 0) }), null, srcGrad(gather(g))];
      if (m.mode === 'add') return [g, null, srcGrad((m.alpha ?? 1) === 1 ? gather(g) : b.op('mul', [gather(g), b.scalar(Math.fround(m.alpha!))]))];
      const hitX = b.op('eq', [x, y]),
        hitS = b.op('eq', [b.op('copy', [src], srcView), gather(y)]);
      const shared = b.op('div', [g, b.op('add', [hitX, scatterAddInto(b, x, index, hitS, m)])]);
      return [b.op('mul', [hitX, shared]), null, srcGrad(b.op('mul', [hitS, gather(shared)]))];
    },
    tests: {
      cases: [
        scatterCase([1], 0, [1], [1], 'write'),
        scatterCase([5, 7], 1, [5, 1], [5, 3], 'write'),
        scatterCase([5, 7], 0, [1, 7], [2, 9], 'write'),
        scatterCase([3, 17, 2], 1, [3, 1, 2], 'value', 'write'),
        scatterCase([2, 3, 4], -1, [2, 2, 1], [2, 3, 5], 'write'),
        scatterCase([4, 3], 0, [0, 3], [1, 3], 'write'),
        scatterCase([5, 7], 1, [5, 9], [5, 9], 'add'),
        scatterCase([9, 3], 0, [17, 3], [17, 3], 'add'),
        scatterCase([3, 4, 5], 2, [2, 4, 7], [3, 4, 8], 'add'),
        scatterCase([3], 0, [5], 'value', 'add'),
        scatterCase([1], 0, [1], [1], 'amax'),
        scatterCase([5, 7], 1, [5, 9], [5, 9], 'amax'),
        scatterCase([9, 3], 0, [17, 3], [17, 3], 'amin'),
        scatterCase([3, 4, 5], 2, [2, 4, 7], [3, 4, 8], 'amin'),
        scatterCase([4, 3], 0, [0, 3], [1, 3], 'amax'),
        indexAddCase([5, 7], 0, 9, 1),
        indexAddCase([5, 7], 1, 3, -2.5),
        indexAddCase([3, 4, 17], 2, 5, 0.5),
        indexAddCase([4, 3], 0, 0, 1),
      ],
    },
  } satisfies OpSpec<ScatterMap, 'indexScatter'>,
  triOp('tril', false),
  triOp('triu', true),
  {
    name: 'notEqualMask',
    module: 'indexing',
    arity: 1,
    inputDtypes: ['int32'],
    gradInputs: [],
    doc: 'float32 1 where the int32 x ≠ value, else 0: int32 masks as float32 ones (value 0; there is no bool dtype), the samples a loss keeps (value ignoreIndex)',
    plan: (ins: readonly Meta[], { value }: { value: number }) => {
      if (!Number.isInteger(value) || Math.abs(value) > 2 ** 31 - 1)
        throw new ValueError('notEqualMask', `value must be an int32 integer, got ${fmtValue(value)}`);
      return { shape: [...ins[0].shape], params: [value] };
    },
    ref: {
      fwd: (h, r) => {
        for (let i = 0; i < numel(r); i++) h[out(r) + i] = h[inp(r, 0) + i] !== param(r, 0) ? 1 : 0;
      },
    },
    tests: { cases: [[1], [3], [5, 7], [9], [17, 3], [0]].map((shape, i) => ({ inputs: [ints(shape, -2, 3)], attrs: { value: i % 3 === 0 ? 0 : i - 3 } })) },
  } satisfies OpSpec<{ value: number }, 'notEqualMask'>,
  maskedFill,
);
