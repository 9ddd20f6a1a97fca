/**
 * Copies and layout ops: copy, reshape, permute, slice, cat, stack, embedding, dropout.
 * Kernels: assembly/kernels/shape.ts.
 *
 * Tensors are always contiguous, so every layout op materialises its result. One strided-copy op
 * serves reshape, flatten, transpose, permute, slice and broadcasting copies: its attrs are a
 * *view* of the input (output shape, the input stride of each output dim, a base offset), and
 * out[i] = in[offset + Σ_k idx_k(i) · strides[k]]. Its backward adds the output gradient back
 * through the same index map (a broadcast dim sums, a slice fills only its window).
 * cat/stack copy whole contiguous blocks per input, up to JOIN_MAX inputs in one record (the
 * inputs past the 4 fixed slots sit in the record's end words, contract.ts inWord); longer lists
 * are joined in groups (src/api/shape.ts join). Layout ops exist for float32 and int32 tensors (indices
 * and labels are reshaped and sliced too); the int32 twins share the kernels (bit copies) and have
 * no gradient.
 */
import { MAX_RANK, forEachBroadcast } from './broadcast.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import {
  MAX_INPUTS,
  MAX_PARAMS,
  R,
  aux,
  checkDim,
  clearOverwritten,
  defineOps,
  f32bits,
  fmtShape,
  gin,
  gout,
  inp,
  numel,
  out,
  overwrites,
  param,
  paramf,
  sizeOf,
  type Builder,
  type DType,
  type Meta,
  type OpSpec,
  type RefKernel,
  type TestCase,
  type OpInfo,
} from './types.js';

/** Row-major strides of a shape, in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  for (let k = shape.length - 1, acc = 1; k >= 0; acc *= shape[k], k--) st[k] = acc;
  return st;
}

export const normDim = (op: string, dim: number, nd: number, shape: readonly number[]): number => checkDim(op, dim, nd, shape);

// ---- the strided copy ----------------------------------------------------------------------
/**
 * A strided view of the input: the output shape, each output dim's input stride (negative walks
 * backwards: flip, reflect padding; 0 repeats one element: expand, repeat), a base offset, and
 * optionally `as`, the shape the result is given (same size: repeat iterates [r, s] pairs and
 * returns [r·s], one copy instead of a copy and a reshape).
 */
export interface View {
  shape: number[];
  strides: number[];
  offset?: number;
  as?: number[];
}

export const contiguousView = (shape: readonly number[]): View => ({ shape: [...shape], strides: contiguousStrides(shape) });

/** x (any layout) as a contiguous tensor of `shape`, inside a composite: the copy op over contiguousView. */
export const reshape = <T>(b: Builder<T>, x: T, shape: readonly number[]): T => b.op('copy', [x], contiguousView(shape));

/** t's leading corner of `shape` (t itself if it has that shape): rows a transposed convolution computes past the size wanted. */
export function cropTo<T>(b: Builder<T>, t: T, shape: readonly number[]): T {
  const ts = b.shape(t);
  return ts.every((d, i) => d === shape[i]) ? t : b.op('copy', [t], { shape: [...shape], strides: contiguousStrides(ts) });
}

/** Output dim k is input dim dims[k]. */
export function permuteView(shape: readonly number[], dims: readonly number[]): View {
  const st = contiguousStrides(shape);
  return { shape: dims.map((d) => shape[d]), strides: dims.map((d) => st[d]) };
}

/** Elements start..end-1 (already clamped, step 1) along dim. */
export function sliceView(shape: readonly number[], dim: number, start: number, end: number, step = 1): View {
  const st = contiguousStrides(shape);
  const strides = st.map((s, k) => (k === dim ? s * step : s));
  return { shape: shape.map((d, k) => (k === dim ? Math.ceil((end - start) / step) : d)), strides, offset: start * st[dim] };
}

/**
 * v restricted along dim to `len` elements from `start` (an index of v's dim), stepping by `step`:
 * 1 = a slice, -1 = backwards from start (flip, reflection), 0 = start repeated len times (edge
 * replication).
 */
export function stepView(v: View, dim: number, start: number, len: number, step: -1 | 0 | 1): View {
  const strides = [...v.strides];
  strides[dim] *= step;
  return {
    shape: v.shape.map((d, k) => (k === dim ? len : d)),
    strides,
    offset: (v.offset ?? 0) + start * v.strides[dim],
  };
}

/** x with the order of its elements reversed along each of dims (distinct, normalised). */
export function flipView(shape: readonly number[], dims: readonly number[]): View {
  // An empty dim has no last element to start from (and nothing to reverse).
  return dims.filter((d) => shape[d] > 0).reduce((v, d) => stepView(v, d, shape[d] - 1, shape[d], -1), contiguousView(shape));
}

/**
 * torch.Tensor.repeat: reps.length ≥ shape.length (the shape gets leading 1s); output dim k is
 * reps[k] copies of x's dim k, iterated as the pair [reps[k], size] with stride 0 on the copies.
 */
export function repeatView(shape: readonly number[], reps: readonly number[]): View {
  const padded = [...new Array<number>(reps.length - shape.length).fill(1), ...shape];
  const st = contiguousStrides(padded);
  return {
    shape: padded.flatMap((d, k) => [reps[k], d]),
    strides: padded.flatMap((_, k) => [0, st[k]]),
    as: padded.map((d, k) => d * reps[k]),
  };
}

/** `from` broadcast to `to` (NumPy rules, already checked): stride 0 along broadcast dims. */
export function broadcastView(from: readonly number[], to: readonly number[]): View {
  const st = contiguousStrides(from);
  const lead = to.length - from.length;
  return { shape: [...to], strides: to.map((_, k) => (k < lead || from[k - lead] === 1 ? 0 : st[k - lead])) };
}

/**
 * Validates a view against the input (it must stay inside it, so kernels never read out of
 * bounds) and collapses it like a broadcast plan: size-1 dims are dropped and an outer dim merges
 * into the next one when its stride is the next one's span, so a reshape becomes one contiguous
 * run. Kernel params: [rank, shape[rank], strides[rank], offset, the input's size].
 */
function planCopy(op: string, input: Meta, v: View): number[] {
  const isIndex = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
  const offset = v?.offset ?? 0;
  if (
    !Array.isArray(v?.shape) ||
    !Array.isArray(v.strides) ||
    v.shape.length !== v.strides.length ||
    ![...v.shape, offset].every(isIndex) ||
    !v.strides.every(Number.isInteger) ||
    (v.as !== undefined && (!Array.isArray(v.as) || !v.as.every(isIndex) || sizeOf(v.as) !== sizeOf(v.shape)))
  )
    throw new ValueError(
      op,
      `a view needs equally long arrays shape (non-negative integers) and strides (integers), an offset and optionally a result shape as of the same size, got ${fmtValue(v)}`,
    );
  const n = sizeOf(v.shape);
  // The first and last elements the view reads: negative strides reach below the offset.
  const reach = (sign: number) => offset + v.shape.reduce((s, d, k) => s + (Math.sign(v.strides[k]) === sign ? (d - 1) * v.strides[k] : 0), 0);
  const first = reach(-1),
    last = reach(1);
  if (n > 0 && (first < 0 || last >= sizeOf(input.shape)))
    throw new ShapeError(
      op,
      `view ${fmtShape(v.shape)} (strides ${fmtShape(v.strides)}, offset ${offset}) reads elements ${first}..${last} of an input of shape ${fmtShape(input.shape)}`,
    );
  if (n === 0) return [1, 0, 0, 0, sizeOf(input.shape)];
  const dims: { d: number; st: number }[] = [];
  for (let k = 0; k < v.shape.length; k++) {
    const d = v.shape[k],
      st = v.strides[k],
      prev = dims[dims.length - 1];
    if (d === 1) continue;
    if (prev && prev.st === st * d) {
      prev.d *= d;
      prev.st = st;
    } else dims.push({ d, st });
  }
  if (dims.length === 0) dims.push({ d: 1, st: 1 });
  if (dims.length > MAX_RANK)
    throw new ShapeError(op, `views of more than ${MAX_RANK} non-mergeable dimensions are not supported (shape ${fmtShape(v.shape)})`);
  return [dims.length, ...dims.map((x) => x.d), ...dims.map((x) => x.st), offset, sizeOf(input.shape)];
}

/**
 * The adjoint of copy as table ops (its vjp): g, shaped like view v of an input of shape `input`,
 * added back into the input's elements. Size-1 dims go, reversed dims are flipped, the dims are
 * ordered by stride (largest first) and repeated ones (stride 0) summed away. What is left is a
 * box inside the input when each stride is a whole multiple of the next and the view's start and
 * extent fit within it: the box's digits (mixed radix, radices the stride ratios) are g's place,
 * so zero-padding g to the radices and then to the input's size is the adjoint. A view that is
 * no box (overlapping windows: unfold) is split along its outer dim into views that are summed.
 */
export function copyAdjoint<T>(b: Builder<T>, g: T, v: View, input: readonly number[]): T {
  const n = sizeOf(input);
  if (sizeOf(v.shape) === 0) return b.op('copy', [b.scalar(0)], broadcastView([], input));
  let dims = v.shape.flatMap((d, k) => (d > 1 ? [{ d, st: v.strides[k] }] : []));
  let o = v.offset ?? 0;
  let y = reshape(
    b,
    g,
    dims.map((x) => x.d),
  );
  const back = dims.flatMap((x, k) => (x.st < 0 ? [k] : []));
  if (back.length > 0) y = b.op('copy', [y], flipView(b.shape(y), back));
  dims = dims.map(({ d, st }) => (st < 0 ? ((o += (d - 1) * st), { d, st: -st }) : { d, st }));
  const order = dims.map((_, k) => k).sort((i, j) => dims[j].st - dims[i].st);
  if (order.some((k, i) => k !== i)) y = b.op('copy', [y], permuteView(b.shape(y), order));
  dims = order.map((k) => dims[k]);
  const kept = dims.filter((x) => x.st !== 0);
  if (kept.length < dims.length) y = b.op('sumDims', [y], { dim: dims.map((_, k) => k).slice(kept.length) });
  // merge dims that are one run, and end on stride 1 (a dim of 1 reading one element per run)
  const box: { d: number; st: number }[] = [];
  for (const x of kept) {
    const last = box[box.length - 1];
    if (last !== undefined && last.st === x.st * x.d) box[box.length - 1] = { d: last.d * x.d, st: x.st };
    else box.push({ ...x });
  }
  if (box.length === 0 || box[box.length - 1].st !== 1) box.push({ d: 1, st: 1 });
  const radix = box.map((x, k) => (k === 0 ? Infinity : box[k - 1].st / x.st));
  const start = box.map((x, k) => Math.floor(o / x.st) % radix[k]);
  if (!box.every((x, k) => (k === 0 || Number.isInteger(radix[k])) && start[k] + x.d <= radix[k])) {
    // not a box: the sum over the outer dim's slices, each a view of one dim less
    const [outer, ...rest] = kept;
    const slice = (i: number) =>
      reshape(
        b,
        b.op('copy', [y], sliceView(b.shape(y), 0, i, i + 1)),
        rest.map((x) => x.d),
      );
    const part = (i: number) => copyAdjoint(b, slice(i), { shape: rest.map((x) => x.d), strides: rest.map((x) => x.st), offset: o + i * outer.st }, input);
    let sum = part(0);
    for (let i = 1; i < outer.d; i++) sum = b.op('add', [sum, part(i)]);
    return sum;
  }
  const pad = (t: T, p: number[]) => (p.some((e) => e !== 0) ? b.op('pad', [t], { pad: p, mode: 'constant', value: 0 }) : t);
  // (pad lists (before, after) pairs from the last dim)
  const pads = box.map((x, k) => [start[k], k === 0 ? 0 : radix[k] - start[k] - x.d]).reverse();
  y = pad(
    reshape(
      b,
      y,
      box.map((x) => x.d),
    ),
    pads.flat(),
  );
  const span = b.shape(y).reduce((p, d) => p * d, 1);
  return reshape(b, pad(reshape(b, y, [span]), [0, n - span]), input);
}

// The copy params [rank, shape, strides, offset] start like a one-input broadcast plan, so the
// reference walks them with forEachBroadcast and adds the offset.
const viewOffset = (r: Int32Array) => param(r, 1 + 2 * param(r, 0));
const copyFwd: RefKernel = (h, r) => {
  const x = inp(r, 0) + viewOffset(r),
    o = out(r);
  forEachBroadcast(r.subarray(R.P), 1, (i, [j]) => (h[o + i] = h[x + j]));
};
const copyBwd: RefKernel = (h, r) => {
  const gx = gin(r, 0),
    g = gout(r);
  if (!gx) return;
  clearOverwritten(h, r, [param(r, 2 + 2 * param(r, 0))]);
  const base = gx + viewOffset(r);
  forEachBroadcast(r.subarray(R.P), 1, (i, [j]) => (h[base + j] += h[g + i]));
};

function copyOp<N extends string>(name: N, dtype: DType, info: Pick<OpInfo<View>, 'tests'>): OpSpec<View, N> {
  const float = dtype === 'float32';
  return {
    name,
    module: 'shape',
    arity: 1,
    inputDtypes: [dtype],
    gradInputs: float ? [0] : [],
    overwritesGrad: float,
    doc: `${dtype} strided copy of a view of x (reshape, permute, slice, broadcast)${float ? '; backward adds the gradient back through the view' : ''}`,
    plan: (ins, v) => ({ shape: [...(v.as ?? v.shape)], dtype, params: planCopy(name, ins[0], v) }),
    vjp: (b, { inputs: [x], gout, attrs }) => [copyAdjoint(b, gout, attrs, b.shape(x))],
    ref: float ? { fwd: copyFwd, bwd: copyBwd } : { fwd: copyFwd },
    ...info,
  };
}

const viewCase = (name: string, shape: number[], attrs: View, dtype: DType = 'float32'): TestCase<View> => ({ name, inputs: [{ shape, dtype }], attrs });
function copyCases(): TestCase<View>[] {
  return [
    viewCase('reshape [1]', [1], contiguousView([1])),
    viewCase('reshape [3]', [3], contiguousView([3])),
    viewCase('reshape [5x7] -> [7x5]', [5, 7], contiguousView([7, 5])),
    viewCase('reshape [2x3x4x5] -> [6x20]', [2, 3, 4, 5], contiguousView([6, 20])),
    viewCase('transpose [17x3]', [17, 3], permuteView([17, 3], [1, 0])),
    viewCase('transpose [9x5]', [9, 5], permuteView([9, 5], [1, 0])),
    viewCase('permute [2x3x4] (2,0,1)', [2, 3, 4], permuteView([2, 3, 4], [2, 0, 1])),
    viewCase('permute [3x1x5] (2,1,0)', [3, 1, 5], permuteView([3, 1, 5], [2, 1, 0])),
    viewCase('permute [5x7x9] (0,2,1)', [5, 7, 9], permuteView([5, 7, 9], [0, 2, 1])),
    viewCase('permute [2x3x4x5] (3,1,0,2)', [2, 3, 4, 5], permuteView([2, 3, 4, 5], [3, 1, 0, 2])),
    viewCase('slice [17] 3:8', [17], sliceView([17], 0, 3, 8)),
    viewCase('slice [7x9] dim 1 2:7', [7, 9], sliceView([7, 9], 1, 2, 7)),
    viewCase('slice [17] 1:16:3', [17], sliceView([17], 0, 1, 16, 3)),
    viewCase('slice [7x9] dim 0 0:7:2', [7, 9], sliceView([7, 9], 0, 0, 7, 2)),
    viewCase('slice [5x3] dim 0 1:4', [5, 3], sliceView([5, 3], 0, 1, 4)),
    viewCase('slice [9x5] dim 1 4:5', [9, 5], sliceView([9, 5], 1, 4, 5)),
    viewCase('slice [3x5x7] dim 2 1:6', [3, 5, 7], sliceView([3, 5, 7], 2, 1, 6)),
    viewCase('slice [4x3] dim 1 2:2 (empty)', [4, 3], sliceView([4, 3], 1, 2, 2)),
    viewCase('broadcast [1] -> [9]', [1], broadcastView([1], [9])),
    viewCase('broadcast [] -> [17]', [], broadcastView([], [17])),
    viewCase('broadcast [3x1] -> [3x5]', [3, 1], broadcastView([3, 1], [3, 5])),
    viewCase('broadcast [5] -> [2x3x5]', [5], broadcastView([5], [2, 3, 5])),
    viewCase('broadcast [3x1x5] -> [3x4x5]', [3, 1, 5], broadcastView([3, 1, 5], [3, 4, 5])),
    viewCase('reshape [0x3] -> [3x0]', [0, 3], contiguousView([3, 0])),
    viewCase('permute [2x0x3] (2,0,1)', [2, 0, 3], permuteView([2, 0, 3], [2, 0, 1])),
    viewCase('slice [0x5] dim 1 1:4', [0, 5], sliceView([0, 5], 1, 1, 4)),
    viewCase('broadcast [1x0] -> [3x0]', [1, 0], broadcastView([1, 0], [3, 0])),
    viewCase('broadcast [1] -> [0]', [1], broadcastView([1], [0])),
    viewCase('flip [1]', [1], flipView([1], [0])),
    viewCase('flip [17]', [17], flipView([17], [0])),
    viewCase('flip [9x5] dim 1', [9, 5], flipView([9, 5], [1])),
    viewCase('flip [3x8] dim 0', [3, 8], flipView([3, 8], [0])),
    viewCase('flip [5x7x9] dims 0, 2', [5, 7, 9], flipView([5, 7, 9], [0, 2])),
    viewCase('flip [2x0x3] dim 2', [2, 0, 3], flipView([2, 0, 3], [2])),
    viewCase('reflect [7] at 3 back 3', [7], stepView(contiguousView([7]), 0, 3, 3, -1)),
    viewCase('replicate [3x5] column 4 x 7', [3, 5], stepView(contiguousView([3, 5]), 1, 4, 7, 0)),
    viewCase('repeat [3] x (2, 3)', [3], repeatView([3], [2, 3])),
    viewCase('repeat [2x3] x (3, 1)', [2, 3], repeatView([2, 3], [3, 1])),
    viewCase('repeat [5x1x3] x (1, 9, 2)', [5, 1, 3], repeatView([5, 1, 3], [1, 9, 2])),
    viewCase('repeat [] x (17)', [], repeatView([], [17])),
    viewCase('repeat [4x3] x (0, 2)', [4, 3], repeatView([4, 3], [0, 2])),
  ];
}
function copyIntCases(): TestCase<View>[] {
  return [
    viewCase('reshape [5x7] -> [35]', [5, 7], contiguousView([35]), 'int32'),
    viewCase('permute [2x3x4] (2,0,1)', [2, 3, 4], permuteView([2, 3, 4], [2, 0, 1]), 'int32'),
    viewCase('slice [7x9] dim 1 2:7', [7, 9], sliceView([7, 9], 1, 2, 7), 'int32'),
    viewCase('broadcast [3x1] -> [3x5]', [3, 1], broadcastView([3, 1], [3, 5]), 'int32'),
    viewCase('flip [5x7] dims 0, 1', [5, 7], flipView([5, 7], [0, 1]), 'int32'),
    viewCase('repeat [2x3] x (2, 1, 2)', [2, 3], repeatView([2, 3], [2, 1, 2]), 'int32'),
  ];
}

// ---- cat / stack ---------------------------------------------------------------------------
export interface CatAttrs {
  dim: number;
  /** stack: every input gets a new dim of size 1 at `dim` first (dim may be ndim). */
  stack?: boolean;
}

/**
 * Validates cat (or stack) of `shapes` along dim. The output is `outer` rows (the product of the
 * dims before dim); input j contributes a contiguous block of lens[j] elements to every row.
 * cat follows PyTorch's legacy rule for empty 1-D tensors: a [0] is skipped (block length 0), so
 * cat([zeros([0]), x]) is x whatever x's rank; when every input is a [0], so is the result, and
 * dim is not checked (nothing fixes the rank it would be checked against).
 */
export function planJoin(op: string, shapes: readonly (readonly number[])[], dim: number, stack: boolean): { shape: number[]; dim: number; params: number[] } {
  const all = () => shapes.map(fmtShape).join(', ');
  if (!stack && shapes.some((s) => s.length === 0)) throw new ShapeError(op, `0-d tensors cannot be concatenated (use stack), got shapes ${all()}`);
  const skipped = (s: readonly number[]) => !stack && s.length === 1 && s[0] === 0;
  const kept = shapes.filter((s) => !skipped(s));
  if (kept.length === 0) return { shape: [0], dim: 0, params: [0, 0, ...shapes.map(() => 0)] };
  const first = kept[0],
    nd = first.length;
  if (kept.some((s) => s.length !== nd)) throw new ShapeError(op, `tensors must have the same number of dimensions, got shapes ${all()}`);
  const d = normDim(op, dim, stack ? nd + 1 : nd, first);
  const mismatch = stack ? kept.some((s) => s.some((e, k) => e !== first[k])) : kept.some((s) => s.some((e, k) => k !== d && e !== first[k]));
  if (mismatch)
    throw new ShapeError(
      op,
      stack ? `tensors must all have the same shape, got shapes ${all()}` : `shapes must match except along dim ${d}, got shapes ${all()}`,
    );
  const outer = sizeOf(first.slice(0, d));
  const shape = stack ? [...first.slice(0, d), shapes.length, ...first.slice(d)] : first.map((e, k) => (k === d ? kept.reduce((a, s) => a + s[d], 0) : e));
  // Each input's block per row is its dims from d on (for stack, its new dim of size 1 is at d).
  const lens = shapes.map((s) => (skipped(s) ? 0 : sizeOf(s.slice(d))));
  return { shape, dim: d, params: [outer, lens.reduce((a, b) => a + b, 0), ...lens] };
}

// params: [outer, total, len_0..len_{k-1}]; in each output row, input j's block follows those of
// the inputs before it. f(j, len, output offset, input offset) for every block.
function forEachBlock(r: Int32Array, f: (j: number, len: number, o: number, x: number) => void): void {
  const outer = param(r, 0),
    total = param(r, 1);
  for (let j = 0, at = 0; j < r[R.NIN]; at += param(r, 2 + j), j++)
    for (let row = 0; row < outer; row++) f(j, param(r, 2 + j), row * total + at, row * param(r, 2 + j));
}
const joinFwd: RefKernel = (h, r) =>
  forEachBlock(r, (j, len, o, x) => {
    for (let t = 0; t < len; t++) h[out(r) + o + t] = h[inp(r, j) + x + t];
  });
const joinBwd: RefKernel = (h, r) =>
  forEachBlock(r, (j, len, o, x) => {
    const gx = gin(r, j);
    if (gx) for (let t = 0; t < len; t++) h[gx + x + t] += h[gout(r) + o + t];
  });

/**
 * Inputs per join record: the params [outer, total, len_0..len_{k-1}] must fit the words the
 * record leaves its op with k inputs (contract.ts paramRoom: 2 + k ≤ MAX_PARAMS − 2(k − MAX_INPUTS)).
 * Longer lists are joined in groups (src/api/shape.ts join).
 */
export const JOIN_MAX = Math.floor((MAX_PARAMS + 2 * MAX_INPUTS - 2) / 3);

function joinOp<N extends string>(name: N, dtype: DType, info: Pick<OpInfo<CatAttrs>, 'tests'>): OpSpec<CatAttrs, N> {
  const float = dtype === 'float32';
  return {
    name,
    module: 'shape',
    arity: JOIN_MAX,
    variadic: true,
    inputDtypes: new Array<DType>(JOIN_MAX).fill(dtype),
    gradInputs: float ? Array.from({ length: JOIN_MAX }, (_, i) => i) : [],
    doc: `cat (or stack) of 1..${JOIN_MAX} ${dtype} tensors along dim in one record; backward hands each input its block of the gradient`,
    plan: (ins, a) => {
      const p = planJoin(
        a.stack ? 'stack' : 'cat',
        ins.map((m) => m.shape),
        a.dim,
        a.stack === true,
      );
      return { shape: p.shape, dtype, params: p.params };
    },
    ref: float ? { fwd: joinFwd, bwd: joinBwd } : { fwd: joinFwd },
    // input j's gradient: its block of every row of g, a strided copy
    vjp: (b, { inputs, gout, attrs, needs }) => {
      const [outer, total, ...lens] = planJoin('cat', inputs.map(b.shape), attrs.dim, attrs.stack === true).params;
      let at = 0;
      return inputs.map((x, j) => {
        const v: View = { shape: [outer, lens[j]], strides: [total, 1], offset: (at += lens[j]) - lens[j], as: [...b.shape(x)] };
        return needs[j] ? b.op('copy', [gout], v) : null;
      });
    },
    ...info,
  };
}

const joinCase = (shapes: number[][], dim: number, stack = false, dtype: DType = 'float32'): TestCase<CatAttrs> => ({
  name: `${stack ? 'stack' : 'cat'} ${shapes.map((s) => `[${s.join('x')}]`).join(' ')} dim ${dim}`,
  inputs: shapes.map((shape) => ({ shape, dtype })),
  attrs: { dim, stack },
});
/** k shapes [rows, 1 + (j mod 3)] (varied widths), concatenated along dim 1. */
const ragged = (k: number, rows: number) => Array.from({ length: k }, (_, j) => [rows, 1 + (j % 3)]);
const same = (k: number, shape: number[]) => Array.from({ length: k }, () => shape);

function joinCases(): TestCase<CatAttrs>[] {
  return [
    joinCase([[1]], 0),
    joinCase([[3], [5]], 0),
    joinCase(
      [
        [2, 3],
        [2, 4],
      ],
      1,
    ),
    joinCase(
      [
        [4, 7],
        [1, 7],
      ],
      0,
    ),
    joinCase(
      [
        [3, 9],
        [3, 8],
      ],
      -1,
    ),
    joinCase(
      [
        [2, 0],
        [2, 3],
      ],
      1,
    ),
    joinCase(
      [
        [3, 5],
        [3, 5],
      ],
      1,
      true,
    ),
    joinCase([[7], [7]], 1, true),
    joinCase(
      [
        [2, 3],
        [2, 3],
      ],
      -1,
      true,
    ),
    joinCase([[1], [1]], 0, true),
    joinCase([[0], [2, 3]], 1),
    joinCase(
      [
        [0, 3],
        [2, 3],
      ],
      0,
    ),
    joinCase([[0], [0]], 0),
    joinCase(
      [
        [0, 2],
        [0, 2],
      ],
      1,
      true,
    ),
    joinCase(
      [
        [3, 7],
        [3, 9],
        [3, 1],
      ],
      1,
    ),
    joinCase(
      [
        [1, 5],
        [2, 5],
        [3, 5],
      ],
      0,
    ),
    joinCase([[17], [17], [17]], 0, true),
    joinCase([[2, 3], [0], [2, 4]], -1),
    joinCase(
      [
        [2, 1, 3],
        [2, 2, 3],
        [2, 3, 3],
        [2, 1, 3],
      ],
      1,
    ),
    joinCase([[5], [5], [5], [5]], 0, true),
    // Past the 4 fixed input slots: the pointers of inputs 4.. sit in the record's end words.
    joinCase(ragged(5, 3), 1),
    joinCase(
      [
        [1, 2],
        [3, 2],
        [0, 2],
        [2, 2],
        [1, 2],
        [5, 2],
      ],
      0,
    ),
    joinCase(same(7, [3, 1]), -1, true),
    joinCase(ragged(9, 2), -1),
    joinCase(ragged(JOIN_MAX, 5), 1),
    joinCase(same(JOIN_MAX, [2, 3]), 1, true),
  ];
}
function joinIntCases(): TestCase<CatAttrs>[] {
  return [
    joinCase([[3], [5]], 0, false, 'int32'),
    joinCase(
      [
        [2, 3],
        [2, 3],
      ],
      1,
      true,
      'int32',
    ),
    joinCase(
      [
        [3, 7],
        [3, 9],
        [3, 1],
      ],
      1,
      false,
      'int32',
    ),
    joinCase([[5], [5], [5], [5]], 0, true, 'int32'),
    joinCase(ragged(JOIN_MAX, 3), 1, false, 'int32'),
  ];
}

// ---- embedding -----------------------------------------------------------------------------
export function planEmbedding(idx: Meta, weight: Meta): { shape: number[]; n: number; d: number } {
  if (weight.shape.length !== 2)
    throw new ShapeError('embedding', `weight must be 2-D [n, d], got shape ${fmtShape(weight.shape)} (indices ${fmtShape(idx.shape)})`);
  const [n, d] = weight.shape;
  return { shape: [...idx.shape, d], n, d };
}

// params: [d, n, count]: output row p is weight row idx[p].
const embeddingFwd: RefKernel = (h, r) => {
  const d = param(r, 0),
    o = out(r),
    idx = inp(r, 0),
    w = inp(r, 1);
  for (let p = 0; p < param(r, 2); p++) for (let t = 0; t < d; t++) h[o + p * d + t] = h[w + h[idx + p] * d + t];
};
// Scatter-add: a row picked several times receives the sum of those positions' gradients.
const embeddingBwd: RefKernel = (h, r) => {
  const d = param(r, 0),
    g = gout(r),
    idx = inp(r, 0),
    gw = gin(r, 1);
  if (gw) for (let p = 0; p < param(r, 2); p++) for (let t = 0; t < d; t++) h[gw + h[idx + p] * d + t] += h[g + p * d + t];
};

// ---- dropout -------------------------------------------------------------------------------
export interface DropoutAttrs {
  p: number;
}

/**
 * The counter-based keep/drop hash, bit-identical to assembly/kernels/shape.ts: murmur3's 32-bit
 * finaliser of the Weyl sequence seed + i·φ (φ = 2^32/golden ratio), so element i's bit needs no
 * state and both backends, forward and backward, get the same mask. Different seeds give shifted
 * streams; the shift is (seed' - seed)/φ mod 2^32, so two random seeds overlap on a tensor of n
 * elements with probability about n/2^32.
 */
export function dropoutHash(seed: number, i: number): number {
  let h = (seed + Math.imul(i, 0x9e3779b9)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function checkP(p: unknown): void {
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ValueError('dropout', `p must be a probability in [0, 1), got ${fmtValue(p)}`);
}

// params: [threshold, scale]; AUX 0: the seed. Element i is kept iff hash(seed, i) ≥ threshold =
// ⌊p·2^32⌋, which happens with probability 1 - p (up to 2^-32), and kept values are scaled by
// 1/(1-p). The reference uses the same float32-rounded scale, so both backends compare the mask
// and the kernel, not the rounding of one constant. The forward kernel draws the seed from the
// global stream when it runs (the reference kernel through `next`, the WASM one from the stream's
// words in its memory) and saves it in AUX 0 for backward: a compiled replay draws as eager does.
const dropoutParams = (p: number) => [Math.floor(p * 2 ** 32), f32bits(1 / (1 - p))];
function dropoutMap(h: Float64Array, r: Int32Array, seed: number, dst: number, src: number, accumulate: boolean): void {
  const thr = param(r, 0) >>> 0,
    scale = paramf(r, 1);
  for (let i = 0; i < numel(r); i++) {
    const y = dropoutHash(seed, i) >= thr ? h[src + i] * scale : 0;
    h[dst + i] = accumulate ? h[dst + i] + y : y;
  }
}

// ---- the op table --------------------------------------------------------------------------
const embeddingCase = (idx: number[], n: number, d: number): TestCase => ({
  name: `idx [${idx.join('x')}] weight [${n}x${d}]`,
  inputs: [{ shape: idx, dtype: 'int32', int: [0, n] }, { shape: [n, d] }],
});
const dropoutCase = (shape: number[], p: number): TestCase<DropoutAttrs> => ({
  name: `[${shape.join('x')}] p ${p}`,
  inputs: [{ shape }],
  attrs: { p },
});

export const SHAPE_OPS = defineOps(
  copyOp('copy', 'float32', { tests: { cases: copyCases() } }),
  joinOp('cat', 'float32', { tests: { cases: joinCases() } }),
  copyOp('copyInt', 'int32', { tests: { cases: copyIntCases() } }),
  joinOp('catInt', 'int32', { tests: { cases: joinIntCases() } }),
  {
    name: 'embedding',
    module: 'shape',
    arity: 2,
    inputDtypes: ['int32', 'float32'],
    gradInputs: [1],
    doc: 'rows of weight [n, d] picked by int32 indices of any shape → [...idx.shape, d]; backward scatter-adds into weight',
    plan: (ins: readonly Meta[]) => {
      const { shape, n, d } = planEmbedding(ins[0], ins[1]);
      return { shape, params: [d, n, sizeOf(ins[0].shape)] };
    },
    ref: { fwd: embeddingFwd, bwd: embeddingBwd },
    // g's rows scatter-added into zeros [n, d] at the indices (an index map over [count, d] positions)
    vjp: (b, { inputs: [idx, w], gout }) => {
      const [n, d] = b.shape(w),
        map = { shape: [sizeOf(b.shape(idx)), d], x: [0, 1], index: [1, 0], src: [d, 1], dimStride: d, dimSize: n, mode: 'add' };
      return [null, b.op('indexScatter', [b.op('copy', [b.scalar(0)], broadcastView([], [n, d])), idx, gout], map)];
    },
    tests: {
      cases: [
        embeddingCase([1], 1, 1),
        embeddingCase([7], 3, 5),
        embeddingCase([2, 3], 4, 9),
        embeddingCase([17], 5, 17),
        embeddingCase([3, 2, 2], 10, 4),
        embeddingCase([], 3, 7),
        embeddingCase([0], 3, 4),
        embeddingCase([2, 0], 3, 4),
        embeddingCase([2, 3], 4, 0),
      ],
    },
  } satisfies OpSpec<any, 'embedding'>,
  {
    name: 'dropout',
    module: 'shape',
    arity: 1,
    gradInputs: [0],
    overwritesGrad: true,
    doc: 'keeps each element with probability 1-p, scaled by 1/(1-p); the mask is a hash of (seed, index), the seed drawn from the global stream when the kernel runs and saved for backward',
    plan: (ins: readonly Meta[], a: DropoutAttrs) => {
      checkP(a.p);
      return { shape: [...ins[0].shape], params: dropoutParams(a.p), aux: [1] };
    },
    ref: {
      fwd: (h, r, next) => {
        h[aux(r, 0)] = next();
        dropoutMap(h, r, h[aux(r, 0)], out(r), inp(r, 0), false);
      },
      bwd: (h, r) => {
        if (gin(r, 0)) dropoutMap(h, r, h[aux(r, 0)], gin(r, 0), gout(r), !overwrites(r, 0));
      },
    },
    // The gradient is the same mask applied to g: dropoutSeeded with the seed the forward kernel
    // saved (copied out of the node's saved block, so the new graph outlives the old one).
    vjp: (b, { gout, attrs, saved }) => [b.op('dropoutSeeded', [gout, saved(0)], attrs)],
    tests: {
      cases: [
        dropoutCase([1], 0.5),
        dropoutCase([3], 0.5),
        dropoutCase([5, 7], 0.5),
        dropoutCase([9], 0.1),
        dropoutCase([17, 3], 0.9),
        dropoutCase([4, 33], 0.3),
        dropoutCase([2, 3, 4, 5], 0.5),
        dropoutCase([0], 0.5),
        dropoutCase([2, 0], 0.5),
      ],
    },
  } satisfies OpSpec<DropoutAttrs, 'dropout'>,
  {
    name: 'dropoutSeeded',
    module: 'shape',
    arity: 2,
    inputDtypes: ['float32', 'int32'],
    gradInputs: [0],
    overwritesGrad: true,
    doc: "dropout's mask of a given seed (a one-element int32 tensor) applied to x, scaled by 1/(1-p): dropout's gradient as an op (createGraph); linear in x, so its gradient is itself",
    plan: (ins: readonly Meta[], a: DropoutAttrs) => {
      checkP(a.p);
      if (sizeOf(ins[1].shape) !== 1) throw new ShapeError('dropoutSeeded', `the seed must hold one element, got shape ${fmtShape(ins[1].shape)}`);
      return { shape: [...ins[0].shape], params: dropoutParams(a.p) };
    },
    ref: {
      fwd: (h, r) => dropoutMap(h, r, h[inp(r, 1)], out(r), inp(r, 0), false),
      bwd: (h, r) => {
        if (gin(r, 0)) dropoutMap(h, r, h[inp(r, 1)], gin(r, 0), gout(r), !overwrites(r, 0));
      },
    },
    vjp: (b, { inputs: [, seed], gout, attrs }) => [b.op('dropoutSeeded', [gout, seed], attrs), null],
    tests: {
      cases: [
        [[1], 0.5],
        [[3], 0.5],
        [[5, 7], 0.1],
        [[17, 3], 0.9],
        [[2, 3, 4, 5], 0.5],
        [[0], 0.5],
      ].map(([shape, p], i) => ({
        name: `[${(shape as number[]).join('x')}] p ${p}`,
        inputs: [{ shape: shape as number[] }, { shape: i % 2 ? [] : [1], dtype: 'int32' as const, int: [-(2 ** 31), 2 ** 31 - 1] as [number, number] }],
        attrs: { p: p as number },
      })),
    },
  } satisfies OpSpec<DropoutAttrs, 'dropoutSeeded'>,
);
