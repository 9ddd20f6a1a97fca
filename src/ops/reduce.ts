/**
 * Reductions (sum mean prod max min amax amin argmax argmin all any norm), softmax and log-softmax.
 * Kernels: assembly/kernels/reduce.ts.
 *
 * The kernels reduce one block of adjacent dims; the public reductions are composites over them
 * that take any dims (reduceOver). Every kernel views its input as [outer, d, inner] around the
 * reduced block (all dims: [1, numel, 1]);
 * kernel params P0..P2 = outer, d, inner. A *segment* (o, ·, i) is the d elements reduced
 * together: element (o, k, i) is at index (o·d + k)·inner + i, the segment's result at o·inner + i.
 * The cross-entropy and NLL losses (loss.ts) use the same view with d = the class dim.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { SPLIT } from './contract.js';
import { broadcastView, contiguousView, flipView, permuteView, reshape, sliceView } from './shape.js';
import {
  aux,
  checkBool,
  checkDim,
  defineOps,
  fmtShape,
  ofTensor,
  gin,
  gout,
  inp,
  out,
  param,
  sizeOf,
  type Builder,
  type CompositeDef,
  type DType,
  type Domain,
  type Meta,
  type OpSpec,
  type TestCase,
  type OpInfo,
} from './types.js';

export interface ReduceAttrs {
  /** A dim, a list of dims (negative count from the end; [] as undefined), or undefined/null: all dims. */
  dim?: number | readonly number[] | null;
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

/**
 * The reduced dims, normalised and sorted: every dim for undefined, null or [] (PyTorch's
 * dim=None, and sum(dim=[])); none of a 0-d tensor. A dim listed twice is a ValueError (as PyTorch).
 */
export function reducedDims(op: string, shape: readonly number[], dim: ReduceAttrs['dim']): number[] {
  const all = shape.map((_, i) => i);
  if (dim === undefined || dim === null) return all;
  const list = typeof dim === 'number' ? [dim] : dim;
  if (!Array.isArray(list)) throw new ValueError(op, `dim must be an integer or an array of integers, got ${fmtValue(dim)} ${ofTensor(shape)}`);
  if (list.length === 0) return all;
  const dims = list.map((d) => normDim(op, shape, d));
  dims.forEach((d, i) => {
    if (dims.indexOf(d) !== i) throw new ValueError(op, `dim ${d} appears more than once in dims ${fmtValue(dim)} ${ofTensor(shape)}`);
  });
  return shape.length === 0 ? [] : dims.sort((a, b) => a - b);
}

/** Output shape and reduced dims of a reduction; keepdim keeps the reduced dims as 1. */
export function planReduce(op: string, x: Meta, a: ReduceAttrs): { shape: number[]; dims: number[]; count: number } {
  const dims = reducedDims(op, x.shape, a.dim);
  checkBool(op, 'keepdim', a.keepdim);
  const shape = a.keepdim ? x.shape.map((s, i) => (dims.includes(i) ? 1 : s)) : x.shape.filter((_, i) => !dims.includes(i));
  return { shape, dims, count: sizeOf(dims.map((d) => x.shape[d])) };
}

/** Whether sorted dims are adjacent (one segment view covers them). */
const adjacent = (dims: readonly number[]) => dims.every((d, i) => i === 0 || d === dims[i - 1] + 1);

/**
 * The [outer, d, inner] view of a reduction kernel: its dims must be adjacent (the composites
 * move other dims out of the way first, see reduceOver).
 */
function planBlock(op: string, x: Meta, a: ReduceAttrs): { shape: number[]; view: [number, number, number] } {
  const { shape, dims, count } = planReduce(op, x, a);
  if (!adjacent(dims)) throw new ShapeError(op, `the kernel reduces adjacent dims only, got dims ${fmtShape(dims)} (internal: use the composite)`);
  if (dims.length === 0) return { shape, view: [sizeOf(x.shape), 1, 1] };
  return { shape, view: [sizeOf(x.shape.slice(0, dims[0])), count, sizeOf(x.shape.slice(dims[dims.length - 1] + 1))] };
}

/**
 * Runs reduction kernel `kernel` over any dims. Adjacent dims are one segment view, so one record;
 * otherwise the reduced dims are first moved last by a strided copy (the kept dims keep their
 * order), reduced as one block, and the result reshaped for keepdim. One copy rather than one
 * reduction per run of adjacent dims, because ties and NaN must see the whole segment at once
 * (amax splits a tie's gradient evenly over all of it). copyIn/copyOut: the copy ops of the
 * input's and the result's dtypes ('copy' for float32, 'copyInt' for int32).
 */
export function reduceOver<T>(b: Builder<T>, kernel: string, x: T, a: ReduceAttrs, copyIn = 'copy', copyOut = copyIn, kernelAttrs: object = {}): T {
  const shape = b.shape(x);
  const { dims, shape: outShape } = planReduce(kernel, { shape, dtype: 'float32' }, a);
  if (adjacent(dims)) return b.op(kernel, [x], { ...kernelAttrs, dim: dims, keepdim: a.keepdim });
  const kept = shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const moved = b.op(copyIn, [x], permuteView(shape, [...kept, ...dims]));
  const y = b.op(kernel, [moved], { ...kernelAttrs, dim: dims.map((_, j) => kept.length + j) });
  return a.keepdim ? b.op(copyOut, [y], contiguousView(outShape)) : y;
}

/**
 * g summed back to `shape`, from which it was broadcast (NumPy rules): over its extra leading dims
 * and where shape has a 1 that g does not. What a vjp hands a broadcast input.
 */
export function sumTo<T>(b: Builder<T>, g: T, shape: readonly number[]): T {
  const gs = b.shape(g),
    lead = gs.length - shape.length;
  const dims = gs.flatMap((d, k) => (k < lead || (shape[k - lead] === 1 && d !== 1) ? [k] : []));
  if (dims.length === 0) return lead === 0 ? g : reshape(b, g, shape);
  return reshape(b, reduceOver(b, 'sumDims', g, { dim: dims, keepdim: true }), shape);
}

/** A ShapeError for max/min/amax/amin/argmax/argmin over no elements (PyTorch refuses them too). */
function checkNotEmpty(op: string, x: Meta, a: ReduceAttrs, count: number): void {
  if (count === 0)
    throw new ShapeError(
      op,
      `cannot reduce over an empty dim: tensor of shape ${fmtShape(x.shape)}${a.dim == null ? '' : `, dim ${fmtValue(a.dim)}`} has no ${op}`,
    );
}

// ---- sum, mean ---------------------------------------------------------------------------------
// out = Σ x, or (Σ x)/d for the mean (NaN for d = 0, as 0/0 in PyTorch). Params: the view and the
// divisor (1 for the sum, d for the mean).

/** t, a reduction's result (or its gradient) over x of shape xs, broadcast back over the reduced dims: a vjp's spread. */
function spreadBack<T>(b: Builder<T>, t: T, xs: readonly number[], attrs: ReduceAttrs): T {
  const { dims } = planReduce('reduce', { shape: xs, dtype: 'float32' }, attrs);
  const kept = xs.map((d, k) => (dims.includes(k) ? 1 : d));
  return b.op('copy', [reshape(b, t, kept)], broadcastView(kept, xs));
}

function linear<N extends string>(name: N, label: string, mean: boolean, info: Pick<OpInfo<ReduceAttrs>, 'tests'>): OpSpec<ReduceAttrs, N> {
  return {
    name,
    module: 'reduce',
    split: { cut: 'outer', min: SPLIT.SUM },
    arity: 1,
    gradInputs: [0],
    doc: `${label} over adjacent dims (the kernel of ${label})`,
    // g spread back over the reduced dims (÷ d for the mean)
    vjp: (b, { inputs: [x], gout, attrs }) => {
      const spread = spreadBack(b, gout, b.shape(x), attrs);
      return [mean ? b.op('div', [spread, b.scalar(planReduce(label, { shape: b.shape(x), dtype: 'float32' }, attrs).count)]) : spread];
    },
    plan: (ins, a) => {
      const { shape, view } = planBlock(label, ins[0], a);
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
    ...info,
  };
}

// ---- prod ----------------------------------------------------------------------------------------
// The gradient of Π x with respect to x_k is the product of the others, computed without dividing
// by x_k (PyTorch's rule): with no zero it is y/x_k; with exactly one zero only that element gets
// a gradient (the product of the rest); with two or more zeros every product of the others has a
// zero factor, so the gradient is 0. The WASM kernel multiplies in float32, as PyTorch's float32
// prod (a product past float32's range stays ±∞ even if later factors would bring it back); the
// reference, as every reference kernel, in float64.

/** [number of zeros, product of the non-zero elements] of segment (e, d, st) of h from base x. */
function zerosAndProduct(h: Float64Array, x: number, e: number, d: number, st: number): [number, number, number, number] {
  let zeros = 0,
    nonFinite = 0,
    p = 1,
    at = -1;
  for (let k = 0; k < d; k++) {
    const v = h[x + e + k * st];
    if (v === 0) {
      zeros++;
      at = k;
    } else {
      p *= v;
      if (!Number.isFinite(v)) nonFinite++;
    }
  }
  return [zeros, p, at, nonFinite];
}

/**
 * The product of the elements before each one along dim 1 of x [o, d, i] (1 for the first), or of
 * those after it (`after`): cumprod of x shifted by one place. No division, so exact with zeros,
 * and differentiable through cumprod's own vjp.
 */
function exclusiveProducts<T>(b: Builder<T>, x: T, after: boolean): T {
  const [o, d, i] = b.shape(x);
  if (d <= 1) return b.op('copy', [b.scalar(1)], broadcastView([], [o, d, i]));
  const flip = (t: T) => (after ? b.op('copy', [t], flipView(b.shape(t), [1])) : t);
  const ones = b.op('copy', [b.scalar(1)], broadcastView([], [o, 1, i]));
  const shifted = b.op('cat', [ones, b.op('copy', [flip(x)], sliceView([o, d, i], 1, 0, d - 1))], { dim: 1 });
  return flip(b.op('cumprod', [shifted], { dim: 1 }));
}

const prodDims: OpSpec<ReduceAttrs, 'prodDims'> = {
  name: 'prodDims',
  module: 'reduce',
  split: { cut: 'outer', min: SPLIT.SUM },
  arity: 1,
  gradInputs: [0],
  doc: 'product over adjacent dims (the kernel of prod)',
  plan: (ins, a) => {
    const { shape, view } = planBlock('prod', ins[0], a);
    return { shape, params: view };
  },
  // The product of the others as (product of those before)·(product of those after), no division:
  // exact with zeros (one or several), and differentiable again through cumprod's vjp.
  vjp: (b, { inputs: [x], gout, attrs }) => {
    const xs = b.shape(x);
    const x3 = reshape(b, x, planBlock('prod', { shape: xs, dtype: 'float32' }, attrs).view);
    const others = b.op('mul', [exclusiveProducts(b, x3, false), exclusiveProducts(b, x3, true)]);
    return [b.op('mul', [reshape(b, others, xs), spreadBack(b, gout, xs, attrs)])];
  },
  ref: {
    fwd: (h, r) => {
      const x = inp(r, 0),
        y = out(r);
      forSegments(r, (e, ri, d, st) => {
        let p = 1;
        for (let k = 0; k < d; k++) p *= h[x + e + k * st];
        h[y + ri] = p;
      });
    },
    bwd: (h, r) => {
      const x = inp(r, 0),
        gx = gin(r, 0),
        g = gout(r);
      forSegments(r, (e, ri, d, st) => {
        const [zeros, p, at, nonFinite] = zerosAndProduct(h, x, e, d, st);
        if (zeros === 1) {
          h[gx + e + at * st] += h[g + ri] * p;
          // the others: PyTorch's (product before)·(product after) holds the zero, NaN (0·∞) where
          // another element than the zero and x_k is ±∞ or NaN (assembly/kernels/reduce.ts)
          for (let k = 0; k < d; k++) if (k !== at && nonFinite > (Number.isFinite(h[x + e + k * st]) ? 0 : 1)) h[gx + e + k * st] += NaN;
        } else if (zeros === 0) for (let k = 0; k < d; k++) h[gx + e + k * st] += (h[g + ri] * p) / h[x + e + k * st];
      });
    },
  },
  tests: {
    cases: [
      ...reduceCases(),
      rc([4, 0], 1),
      rc([0, 3]),
      // zeros: a 'mask' input is 0 or 1, so segments hold none, one or several zeros
      rc([5, 7], 1, false, 'mask'),
      rc([9, 8], 0, true, 'mask'),
      rc([2, 3, 4, 5], [1, 2], false, 'mask'),
    ],
  },
};

// ---- max, min with a dim: the first arg-extreme (AUX0: its index per segment) ---------------------

/** The index of the first largest (smallest) of a segment; NaN counts as larger and smaller than all. */
function firstExtreme(h: Float64Array, x: number, e: number, d: number, st: number, largest: boolean): number {
  let best = 0;
  for (let k = 1; k < d; k++) {
    const v = h[x + e + k * st],
      b = h[x + e + best * st];
    if ((largest ? v > b : v < b) || (Number.isNaN(v) && !Number.isNaN(b))) best = k;
  }
  return best;
}

function extreme<N extends string>(name: N, label: string, largest: boolean): OpSpec<ReduceAttrs, N> {
  return {
    name,
    module: 'reduce',
    split: { cut: 'outer', min: SPLIT.SUM },
    arity: 1,
    gradInputs: [0],
    doc:
      `${label} over one dim (the kernel of ${label}(dim)): the whole gradient goes to the first ` +
      `(lowest-index) ${label} of a tie; NaN propagates (a segment holding NaN gives NaN, gradient to its first NaN)`,
    plan: (ins, a) => {
      const { shape, view } = planBlock(label, ins[0], a);
      checkNotEmpty(label, ins[0], a, view[1]);
      return { shape, params: view, aux: [view[0] * view[2]] };
    },
    ref: {
      fwd: (h, r) => {
        const x = inp(r, 0),
          y = out(r),
          idx = aux(r, 0);
        forSegments(r, (e, ri, d, st) => {
          const best = firstExtreme(h, x, e, d, st, largest);
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
    // g to the first arg-extreme of each segment: the index recomputed (argmax/argmin) and g
    // scatter-added there, over x as [outer, d, inner] (planBlock's view).
    vjp: (b, { inputs: [x], gout, attrs }) => {
      const xs = b.shape(x),
        [outer, d, inner] = planBlock(label, { shape: xs, dtype: 'float32' }, attrs).view;
      const at = [inner, 1],
        map = { shape: [outer, inner], x: [d * inner, 1], index: at, src: at, dimStride: inner, dimSize: d, mode: 'add' };
      const zeros = b.op('copy', [b.scalar(0)], broadcastView([], xs));
      return [b.op('indexScatter', [zeros, b.op(largest ? 'argmax' : 'argmin', [x], attrs), gout], map)];
    },
    tests: { cases: reduceCases() },
  };
}

// ---- amax, amin: the gradient split evenly among ties (torch.amax; also max()/min() without dim) --

/** Whether a equals the extreme y (NaN equals NaN: a NaN extreme came from the segment's NaNs). */
const isExtreme = (a: number, y: number) => a === y || (Number.isNaN(a) && Number.isNaN(y));

export interface AmaxAttrs extends ReduceAttrs {
  /** torch.amax's backward: a segment whose result is NaN gets NaN gradients everywhere (not max()'s split among its NaNs). */
  nanGradient?: boolean;
}

function amaxOp<N extends string>(name: N, label: string, largest: boolean): OpSpec<AmaxAttrs, N> {
  return {
    name,
    module: 'reduce',
    split: { cut: 'outer', min: SPLIT.SUM },
    arity: 1,
    gradInputs: [0],
    doc: `${label} over adjacent dims (the kernel of ${label}): the gradient is split evenly among the elements equal to the result (NaN among the NaNs, or, nanGradient, NaN to all)`,
    plan: (ins, a) => {
      const { shape, view } = planBlock(label, ins[0], a);
      checkNotEmpty(label, ins[0], a, view[1]);
      checkBool(label, 'nanGradient', a.nanGradient);
      return { shape, params: [...view, a.nanGradient ? 1 : 0] };
    },
    // g shared evenly by the elements equal to the result (a comparison mask, no gradient of its
    // own); NaN segments are not special-cased (their ties are the NaNs, which no comparison finds).
    vjp: (b, { inputs: [x], out: y, gout, attrs }) => {
      const xs = b.shape(x),
        hit = b.op('eq', [x, spreadBack(b, y, xs, attrs)]);
      const ties = b.op('sumDims', [hit], { dim: attrs.dim, keepdim: attrs.keepdim });
      return [b.op('mul', [hit, spreadBack(b, b.op('div', [gout, ties]), xs, attrs)])];
    },
    ref: {
      fwd: (h, r) => {
        const x = inp(r, 0),
          y = out(r);
        forSegments(r, (e, ri, d, st) => (h[y + ri] = h[x + e + firstExtreme(h, x, e, d, st, largest) * st]));
      },
      bwd: (h, r) => {
        const x = inp(r, 0),
          y = out(r),
          gx = gin(r, 0),
          g = gout(r);
        const poison = param(r, 3) !== 0;
        forSegments(r, (e, ri, d, st) => {
          if (poison && Number.isNaN(h[y + ri])) {
            for (let k = 0; k < d; k++) h[gx + e + k * st] = NaN;
            return;
          }
          let ties = 0;
          for (let k = 0; k < d; k++) if (isExtreme(h[x + e + k * st], h[y + ri])) ties++;
          for (let k = 0; k < d; k++) if (isExtreme(h[x + e + k * st], h[y + ri])) h[gx + e + k * st] += h[g + ri] / ties;
        });
      },
    },
    tests: {
      cases: [
        ...reduceCases(),
        rc([2, 3, 4, 5], [1, 2], true),
        rc([2, 3, 4, 5], [0, 1, 2, 3]),
        // (ties are not differentiable, so finite differences cannot check their even split: the
        // examples check it against PyTorch's values)
      ],
    },
  };
}

// ---- argmax, argmin: int32 index of the first arg-extreme (NaN counts as the extreme, as torch) -----

function argOp<N extends string>(name: N, label: string, largest: boolean, dtype: DType): OpSpec<ReduceAttrs, N> {
  return {
    name,
    module: 'reduce',
    split: { cut: 'outer', min: SPLIT.SUM },
    arity: 1,
    inputDtypes: [dtype],
    gradInputs: [],
    doc: `int32 index of the first ${largest ? 'largest' : 'smallest'} element of a ${dtype} tensor along one dim, or into the flattened tensor${dtype === 'float32' ? '; a NaN wins' : ''}`,
    plan: (ins, a) => {
      if (a.dim != null && typeof a.dim !== 'number')
        throw new ValueError(label, `dim must be an integer or undefined, got ${fmtValue(a.dim)} ${ofTensor(ins[0].shape)}`);
      const { shape, view } = planBlock(label, ins[0], a);
      checkNotEmpty(label, ins[0], a, view[1]);
      // Without a dim the index is into the flattened tensor; keepdim then keeps every dim as 1 (torch).
      return { shape, params: a.dim == null ? [1, view[0] * view[1] * view[2], 1] : view, dtype: 'int32' };
    },
    ref: {
      fwd: (h, r) => {
        const x = inp(r, 0),
          y = out(r);
        forSegments(r, (e, ri, d, st) => (h[y + ri] = firstExtreme(h, x, e, d, st, largest)));
      },
    },
    tests: { cases: dtype === 'int32' ? intCases() : reduceCases() },
  };
}

// ---- softmax, log-softmax ----------------------------------------------------------------------
// Stable forms: the segment max m is subtracted before exponentiating; backward from the output y.

export interface DimAttrs {
  dim?: number;
}

function softmaxLike<N extends string>(name: N, log: boolean, info: { doc: string }): OpSpec<DimAttrs, N> {
  return {
    name,
    module: 'reduce',
    split: { cut: 'outer', min: SPLIT.COSTLY },
    arity: 1,
    gradInputs: [0],
    doc: info.doc,
    plan: (ins, a) => ({ shape: [...ins[0].shape], params: segmentView(ins[0].shape, normDim(name, ins[0].shape, a.dim ?? -1)) }),
    // the backward kernel's formulas below, as ops
    vjp: (b, { out: y, gout: g, attrs }) => {
      const sum = (t: typeof g) => b.op('sumDims', [t], { dim: normDim(name, b.shape(y), attrs.dim ?? -1), keepdim: true });
      return [log ? b.op('sub', [g, b.op('mul', [b.op('exp', [y]), sum(g)])]) : b.op('mul', [y, b.op('sub', [g, sum(b.op('mul', [g, y]))])])];
    },
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

export function rc(shape: number[], dim?: number | number[], keepdim?: boolean, domain?: Domain): TestCase<ReduceAttrs> {
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

export function softmaxCases(): TestCase<DimAttrs>[] {
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

// ---- int32 sum, amax, amin: a fold from init (no gradient) ------------------------------------------
// The sum wraps as int32 arithmetic does (PyTorch's int32 sum is int64; ours stays int32, exact
// until it overflows, then wrapped). The reference holds int32 values as exact float64.

function intFold<N extends string>(
  name: N,
  label: string,
  init: number,
  fold: (acc: number, v: number) => number,
  dtype: DType = 'int32',
): OpSpec<ReduceAttrs, N> {
  return {
    name,
    module: 'reduce',
    arity: 1,
    inputDtypes: ['int32'],
    gradInputs: [],
    doc: `${label} of an int32 tensor over adjacent dims (the kernel of ${label} on int32 tensors)`,
    plan: (ins, a) => {
      const { shape, view } = planBlock(label, ins[0], a);
      return { shape, dtype, params: view };
    },
    ref: {
      fwd: (h, r) => {
        const x = inp(r, 0),
          y = out(r);
        forSegments(r, (e, ri, d, st) => {
          let acc = init;
          for (let k = 0; k < d; k++) acc = fold(acc, h[x + e + k * st]);
          h[y + ri] = acc;
        });
      },
    },
    tests: {
      cases: [
        ...intCases(),
        ...asInt([rc([4, 0], 1), rc([17, 9], 0)]).map((c) => ({ ...c, inputs: [{ ...c.inputs[0], int: [-(2 ** 30), 2 ** 30] as [number, number] }] })),
      ],
    },
  };
}

/** The cases as int32 inputs: values in [−5, 5), so segments hold ties. */
function asInt(cases: TestCase<ReduceAttrs>[]): TestCase<ReduceAttrs>[] {
  return cases.map((c) => ({
    ...c,
    name: `${c.name} int32`,
    inputs: c.inputs.map((s) => ({ ...s, dtype: 'int32' as const, int: [-5, 5] as [number, number] })),
  }));
}
function intCases(): TestCase<ReduceAttrs>[] {
  return asInt(reduceCases());
}

/** Reductions over several dims at once: adjacent and not, keepdim, all of them, and an empty list (= all). */
export function multiDimCases(): TestCase<ReduceAttrs>[] {
  return [
    rc([5, 7], [0, 1]),
    rc([5, 7], []),
    rc([3, 5, 7], [0, 1]),
    rc([3, 5, 7], [0, 2], true),
    rc([2, 3, 4, 5], [0, 2]),
    rc([2, 3, 4, 5], [1, 3], true),
    rc([2, 3, 4, 5], [-1, 0]),
    rc([4, 1, 3], [1]),
    rc([9, 2, 17], [2, 0]),
  ];
}

// ---- the public reductions: composites over the kernels above, for any dims ------------------------

interface ReductionOptions {
  /** Refuse an empty reduction (max, min and their kin). */
  nonEmpty?: boolean;
  /** An int32 twin (no gradient, int32 result) of the public `label`, which its errors name. */
  int32?: { label: string; out?: DType };
}

function reduction<N extends string>(name: N, kernel: string, info: OpInfo<ReduceAttrs>, o: ReductionOptions = {}): CompositeDef<ReduceAttrs, N> {
  const label = o.int32?.label ?? name;
  return {
    kind: 'composite',
    name,
    arity: 1,
    inputDtypes: o.int32 ? ['int32'] : undefined,
    gradInputs: o.int32 ? [] : [0],
    plan: (ins, a) => {
      const { shape, count } = planReduce(label, ins[0], a);
      if (o.nonEmpty) checkNotEmpty(label, ins[0], a, count);
      return { shape, dtype: o.int32 ? (o.int32.out ?? 'int32') : undefined };
    },
    compose: (b, [x], a) => (o.int32 ? reduceOver(b, kernel, x, a, 'copyInt', o.int32.out === 'float32' ? 'copy' : 'copyInt') : reduceOver(b, kernel, x, a)),
    ...info,
  };
}

/**
 * amax/amin: the kernel's result and its gradient split evenly among ties, with torch.amax's rule
 * for NaN (nanGradient): a segment holding NaN sends NaN to all its elements (g·(x = y)/count is 0/0
 * there). max() over all elements keeps the kernel's split among the NaNs, as torch.max().
 */
function nanPoisoned<N extends string>(name: N, kernel: string, label: string): CompositeDef<ReduceAttrs, N> {
  return {
    ...reduction(name, kernel, { doc: '', tests: { cases: [...reduceCases(), ...multiDimCases()] } }, { nonEmpty: true }),
    doc: `${label} element over dims; the gradient is split evenly among ties, and is NaN over a segment holding NaN (torch.${name})`,
    compose: (b, [x], a) => reduceOver(b, kernel, x, a, 'copy', 'copy', { nanGradient: true }),
  };
}

/**
 * max/min: with one dim (a number), PyTorch's max(dim): the first arg-extreme takes the gradient
 * (its index is what .indices and argmax report); without a dim, or with a list of dims (which
 * torch.max does not take), torch.amax's rule: the gradient is split evenly among the ties.
 */
function maxLike<N extends string>(name: N, largest: boolean): CompositeDef<ReduceAttrs, N> {
  const all = reduction(name, largest ? 'amaxDims' : 'aminDims', { doc: '', tests: { cases: [] } }, { nonEmpty: true });
  return {
    ...all,
    doc:
      `${largest ? 'largest' : 'smallest'} element: over one dim the gradient goes to the first arg-extreme (PyTorch's max(dim)); ` +
      'over all elements or a list of dims it is split evenly among ties (torch.amax); NaN propagates',
    plan: (ins, a) => {
      const { shape, count } = planReduce(name, ins[0], a);
      checkNotEmpty(name, ins[0], a, count);
      return { shape };
    },
    compose: (b, [x], a) => (typeof a.dim === 'number' ? b.op(largest ? 'maxDim' : 'minDim', [x], a) : all.compose(b, [x], a)),
    tests: { cases: [...reduceCases(), ...multiDimCases()] },
  };
}

/**
 * all/any: float32 0/1 masks (there is no bool dtype); nonzero, NaN included, is true. Counts the
 * zeros (exact: a float32 sum of ones is exact below 2²⁴ elements per segment): all = no zero,
 * any = fewer zeros than elements. Over no elements all is 1 and any 0, as PyTorch.
 */
function logical<N extends string>(name: N, every: boolean): CompositeDef<ReduceAttrs, N> {
  return {
    kind: 'composite',
    name,
    arity: 1,
    gradInputs: [],
    doc: `1 where ${every ? 'every' : 'any'} element is nonzero, else 0 (float32 mask; no gradient)`,
    plan: (ins, a) => ({ shape: planReduce(name, ins[0], a).shape }),
    compose: (b, [x], a) => {
      const { count } = planReduce(name, { shape: b.shape(x), dtype: 'float32' }, a);
      const zeros = reduceOver(b, 'sumDims', b.op('eq', [x, b.scalar(0)]), a);
      return every ? b.op('eq', [zeros, b.scalar(0)]) : b.op('lt', [zeros, b.scalar(count)]);
    },
    tests: { cases: [...reduceCases(), ...multiDimCases(), rc([5, 7], 1, false, 'mask'), rc([9, 8], [0], true, 'mask'), rc([4, 0], 1), rc([0, 3])] },
  };
}

// ---- norm ------------------------------------------------------------------------------------------
export interface NormAttrs extends ReduceAttrs {
  /** 2 by default; any number (±Infinity: max/min of |x|, 0: the count of nonzeros), or 'fro' (= 2). */
  p?: number | 'fro';
}

function checkP(x: Meta, p: unknown): number {
  if (p === 'fro') return 2;
  if (typeof p !== 'number' || Number.isNaN(p)) throw new ValueError('norm', `p must be a number or 'fro', got ${fmtValue(p)} ${ofTensor(x.shape)}`);
  return p;
}

/**
 * f(t) where t ≠ 0 and `atZero` (f's limit there) where t = 0, with a gradient of 0 there: f sees
 * 1 instead of 0 (inner where), so an infinite f'(0) never meets the 0 the outer where sends back
 * (∞·0 = NaN). PyTorch's gradient at such points is 0 (std, norms).
 */
export function limitAtZero<T>(b: Builder<T>, t: T, f: (safe: T) => T, atZero = 0): T {
  const zero = b.op('eq', [t, b.scalar(0)]);
  return b.op('where', [zero, b.scalar(atZero), f(b.op('where', [zero, b.scalar(1), t]))]);
}

/**
 * (Σ |x|ᵖ)^(1/p) as torch.linalg.vector_norm. p = 2 squares (no abs); ±∞ are amax/amin of |x|
 * (ties split the gradient evenly, as PyTorch); 0 counts nonzeros (gradient 0); 1 sums |x|. The
 * root of a zero sum, and |x|ᵖ at x = 0 for p < 1, have infinite slopes: limitAtZero gives them
 * PyTorch's gradient there, 0 (for p < 0 a zero element makes the sum ∞ and the norm 0, so every
 * element's gradient is 0, as PyTorch's).
 */
const norm: CompositeDef<NormAttrs, 'norm'> = {
  kind: 'composite',
  name: 'norm',
  arity: 1,
  gradInputs: [0],
  doc: "vector p-norm over dims (default 2, all elements): (Σ|x|ᵖ)^(1/p); ±∞, 0, 1 and 'fro'; gradient 0 at x = 0",
  plan: (ins, a) => {
    const p = checkP(ins[0], a.p);
    const { shape, count } = planReduce('norm', ins[0], a);
    if (Math.abs(p) === Infinity) checkNotEmpty('norm', ins[0], a, count);
    return { shape };
  },
  compose: <T>(b: Builder<T>, [x]: readonly T[], a: NormAttrs) => {
    const p = checkP({ shape: b.shape(x), dtype: 'float32' }, a.p ?? 2),
      r = { dim: a.dim, keepdim: a.keepdim };
    if (Math.abs(p) === Infinity) return reduceOver(b, p > 0 ? 'amaxDims' : 'aminDims', b.op('abs', [x]), r);
    if (p === 0) {
      // the count of nonzeros, with PyTorch's gradient 0 everywhere: where(false, x, 0) adds an exact
      // 0 connected to x (x·0 would be NaN at ±∞)
      const nonzero = b.op('sub', [b.scalar(1), b.op('eq', [x, b.scalar(0)])]);
      return reduceOver(b, 'sumDims', b.op('add', [nonzero, b.op('where', [b.scalar(0), x, b.scalar(0)])]), r);
    }
    if (p === 1) return reduceOver(b, 'sumDims', b.op('abs', [x]), r);
    const power = (t: T) => b.op('pow', [t], { exponent: p });
    const terms = p === 2 ? b.op('square', [x]) : p < 1 ? limitAtZero(b, b.op('abs', [x]), power, p > 0 ? 0 : Infinity) : power(b.op('abs', [x]));
    const s = reduceOver(b, 'sumDims', terms, r);
    return limitAtZero(b, s, (safe) => (p === 2 ? b.op('sqrt', [safe]) : b.op('pow', [safe], { exponent: 1 / p })));
  },
  tests: {
    cases: [
      // (p = 0 counts and has no gradient: its values are in the examples)
      ...[2, 1, 3, 0.5, -1, -2.5, Infinity, -Infinity, 'fro' as const].flatMap((p): TestCase<NormAttrs>[] =>
        [rc([1]), rc([7], undefined, false, 'awayFromZero'), rc([5, 7], 1, false, 'awayFromZero'), rc([2, 3, 4, 5], [0, 2], true, 'awayFromZero')].map((c) => ({
          ...c,
          name: `${c.name} p ${p}`,
          attrs: { ...c.attrs, p },
        })),
      ),
      { name: '[3x0] dim 1 p 2', inputs: [{ shape: [3, 0] }], attrs: { dim: 1, p: 2 } },
      { name: '[0x3] p 1', inputs: [{ shape: [0, 3] }], attrs: { p: 1 } },
    ],
  },
};

const intDimCases = () => [...intCases(), ...asInt(multiDimCases())];

/** max/min/amax/amin of int32, named as called: all amax/amin (no gradient, so no tie rule to choose). */
const intExtreme = <N extends string>(name: N, label: string, largest: boolean) =>
  reduction(
    name,
    largest ? 'amaxIntDims' : 'aminIntDims',
    { doc: `int32 ${largest ? 'largest' : 'smallest'} element over dims (${label})`, tests: { cases: intDimCases() } },
    {
      nonEmpty: true,
      int32: { label },
    },
  );

export const REDUCE_OPS = defineOps(
  linear('sumDims', 'sum', false, {
    tests: { cases: [...reduceCases(), rc([37, 29]), rc([4, 0], 1), rc([0, 3], 0, true), rc([0, 3]), rc([2, 3, 4, 5], [1, 2])] },
  }),
  linear('meanDims', 'mean', true, {
    tests: { cases: [...reduceCases(), rc([37, 29]), rc([4, 0], 1), rc([0, 3], 0, true), rc([0, 3]), rc([2, 3, 4, 5], [1, 2])] },
  }),
  prodDims,
  extreme('maxDim', 'max', true),
  extreme('minDim', 'min', false),
  amaxOp('amaxDims', 'amax', true),
  amaxOp('aminDims', 'amin', false),
  argOp('argmax', 'argmax', true, 'float32'),
  argOp('argmin', 'argmin', false, 'float32'),
  argOp('argmaxInt', 'argmax', true, 'int32'),
  argOp('argminInt', 'argmin', false, 'int32'),
  intFold('sumIntDims', 'sum', 0, (s, v) => (s + v) | 0),
  intFold('amaxIntDims', 'amax', -(2 ** 31), Math.max),
  intFold('aminIntDims', 'amin', 2 ** 31 - 1, Math.min),
  // all/any of int32 masks (nonzero = true): float32 0/1, as all/any of float32
  intFold('allIntDims', 'all', 1, (acc, v) => (acc !== 0 && v !== 0 ? 1 : 0), 'float32'),
  intFold('anyIntDims', 'any', 0, (acc, v) => (acc !== 0 || v !== 0 ? 1 : 0), 'float32'),
  softmaxLike('softmax', false, { doc: 'softmax along a dim (default −1): e^(x − max) / Σ e^(x − max)' }),
  softmaxLike('logSoftmax', true, { doc: 'log-softmax along a dim (default −1): (x − max) − ln Σ e^(x − max)' }),
  // Empty segments (sum 0, mean NaN, prod 1) only for the linear reductions: max and min refuse them.
  reduction('sum', 'sumDims', {
    doc: 'sum over dims (a number, a list, or all; keepdim); the sum of no elements is 0',
    tests: { cases: [...reduceCases(), ...multiDimCases(), rc([4, 0], 1), rc([0, 3]), rc([2, 0, 3], [0, 2])] },
  }),
  reduction('mean', 'meanDims', {
    doc: 'mean over dims (a number, a list, or all; keepdim); the mean of no elements is NaN',
    tests: { cases: [...reduceCases(), ...multiDimCases(), rc([4, 0], 1), rc([0, 3])] },
  }),
  reduction('prod', 'prodDims', {
    doc: 'product over dims; gradient the product of the others (exact with zeros); the product of no elements is 1',
    tests: { cases: [...reduceCases(), ...multiDimCases(), rc([4, 0], 1), rc([5, 7], [0, 1], false, 'mask'), rc([2, 3, 4, 5], [1, 3], false, 'mask')] },
  }),
  maxLike('max', true),
  maxLike('min', false),
  nanPoisoned('amax', 'amaxDims', 'largest'),
  nanPoisoned('amin', 'aminDims', 'smallest'),
  logical('all', true),
  logical('any', false),
  norm,
  // int32: sum wraps as int32 arithmetic; max/min/amax/amin (any dims) and argmax/argmin; no gradient.
  reduction(
    'sumInt',
    'sumIntDims',
    { doc: 'int32 sum over dims (wraps on overflow, as int32 arithmetic)', tests: { cases: intDimCases() } },
    {
      int32: { label: 'sum' },
    },
  ),
  intExtreme('maxInt', 'max', true),
  intExtreme('minInt', 'min', false),
  intExtreme('amaxInt', 'amax', true),
  intExtreme('aminInt', 'amin', false),
  reduction(
    'allInt',
    'allIntDims',
    { doc: 'float32 1 where every int32 element over dims is nonzero, else 0', tests: { cases: intDimCases() } },
    {
      int32: { label: 'all', out: 'float32' },
    },
  ),
  reduction(
    'anyInt',
    'anyIntDims',
    { doc: 'float32 1 where any int32 element over dims is nonzero, else 0', tests: { cases: intDimCases() } },
    {
      int32: { label: 'any', out: 'float32' },
    },
  ),
);
