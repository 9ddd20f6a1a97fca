/**
 * The fuzzer's op catalogue: for each public op, how to add a well-typed call of it to a graph
 * being built (fuzz-builder.ts): operands whose shapes broadcast, multiply or join validly (size-1
 * and 0-size dims included), inputs inside the op's domain, bounds of the result, and the
 * branches it takes at its kinks (where float32 and float64 could fall on different sides).
 */
import { forEachBroadcast, planBroadcast } from '../../src/ops/broadcast.js';
import { segmentView } from '../../src/ops/reduce.js';
import { Builder, LIMIT, MAX_SIZE, broadcast, fits, hull, mag, normDim, products, sameShape, size, type Iv, type Operand } from './fuzz-builder.js';
import type { Ref, Arg, Branches, Node } from './fuzz-graph.js';

export interface FuzzOp {
  /** The call it makes: a Tensor method, or a wg.* function without the `wg.` prefix. */
  name: string;
  /** Relative frequency. */
  weight: number;
  /** Adds a call (after any operands it needs) and returns it, or null when it does not apply here. */
  build(b: Builder): Ref | null;
}

// ---- branches: which side of its kinks each element takes -----------------------------------

const valuesOf = (o: Operand, v: (id: number) => Float64Array): ArrayLike<number> => (typeof o === 'number' ? [o] : v(o.id));

/** The side of each kink point every value of x lies on (relu, abs, leakyRelu at 0; clamp at its bounds; where's condition). */
const sides =
  (x: Ref, points: number[]): Branches =>
  (v) =>
    Array.from(v(x.id), (e) => points.map((p) => Math.sign(e - p))).flat();

/** Which of x and y is larger, for every broadcast pair (maximum, minimum, comparisons, l1): ties split or compare equal. */
function pairSides(b: Builder, x: Operand, y: Operand): Branches {
  const { params } = planBroadcast('fuzz', [
    { shape: b.shapeOf(x), dtype: 'float32' },
    { shape: b.shapeOf(y), dtype: 'float32' },
  ]);
  return (v) => {
    const vx = valuesOf(x, v),
      vy = valuesOf(y, v),
      out: number[] = [];
    forEachBroadcast(params, 2, (_, [i, j]) => out.push(Math.sign(vx[i] - vy[j])));
    return out;
  };
}

/** Position of the first largest (smallest) of a group: where max (min) sends the gradient. */
function firstExtreme(vals: number[], largest: boolean): number {
  let best = 0;
  for (let k = 1; k < vals.length; k++) if (largest ? vals[k] > vals[best] : vals[k] < vals[best]) best = k;
  return best;
}

/** max/min over the segments of a reduction of x (dim undefined: all elements). */
function segmentWinners(x: Ref, shape: number[], dim: number | undefined, largest: boolean): Branches {
  const [outer, d, inner] = segmentView(shape, dim);
  return (v) => {
    const vals = v(x.id),
      out: number[] = [];
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++)
        out.push(
          firstExtreme(
            Array.from({ length: d }, (_, k) => vals[(o * d + k) * inner + i]),
            largest,
          ),
        );
    return out;
  };
}

/** maxPool2d windows of x [N, C, h, w], clipped to the input (padding never wins). */
function windowWinners(x: Ref, [n, c, h, w]: number[], [kh, kw]: number[], [sh, sw]: number[], [ph, pw]: number[], [oh, ow]: number[]): Branches {
  return (v) => {
    const vals = v(x.id),
      out: number[] = [];
    for (let p = 0; p < n * c; p++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          const win: number[] = [];
          for (let iy = Math.max(oy * sh - ph, 0); iy < Math.min(oy * sh - ph + kh, h); iy++)
            for (let ix = Math.max(ox * sw - pw, 0); ix < Math.min(ox * sw - pw + kw, w); ix++) win.push(vals[(p * h + iy) * w + ix]);
          out.push(firstExtreme(win, true));
        }
    return out;
  };
}

/** linear's relu epilogue decides on pre-activations it does not keep; its backward reads the output's sign, as this does. */
const positiveOutputs: Branches = (v, self) => Array.from(v(self), (y) => (y > 0 ? 1 : 0));

// ---- shared helpers --------------------------------------------------------------------------

const sq = (lo: number, hi: number): Iv => (lo >= 0 ? [lo * lo, hi * hi] : hi <= 0 ? [hi * hi, lo * lo] : [0, Math.max(lo * lo, hi * hi)]);
const mono =
  (f: (x: number) => number) =>
  (lo: number, hi: number): Iv => [f(lo), f(hi)];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
/** The minimum of gelu, x·Φ(x) ≈ −0.16997 at x ≈ −0.7518. */
const GELU_MIN = -0.17;
/** A denominator at least this far from 0. */
const awayFromZero = ([lo, hi]: Iv) => lo >= 0.1 || hi <= -0.1;
const pair = (v: number | number[]): number[] => (typeof v === 'number' ? [v, v] : v);
/** PyTorch's conv/pool output size. */
const outSize = (n: number, k: number, s: number, p: number, d: number) => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
const like = (n: Node, shape: number[]) => ({ shape, iv: [n.lo, n.hi] as Iv, dtype: n.dtype });
/** Options objects are passed only when they hold something. */
const optional = (opts: Record<string, Arg>): Arg[] => (Object.keys(opts).length > 0 ? [opts] : []);
const any = () => true;

/** x made ≥ 0.25 for log, sqrt, negative powers and denominators: eˣ where its bounds allow, x² + 0.25 for small x, else σ(x) + 0.25. */
function positive(b: Builder, x: Ref): Ref {
  const n = b.node(x),
    shape = n.shape;
  const ways = ['sigmoid', ...(n.lo >= Math.log(0.25) && n.hi <= Math.log(LIMIT) ? ['exp'] : []), ...(mag([n.lo, n.hi]) <= 6 ? ['square'] : [])];
  const how = b.pick(ways);
  if (how === 'exp') return b.call('exp', x, [], { shape, iv: [Math.exp(n.lo), Math.exp(n.hi)] });
  const iv = how === 'square' ? sq(n.lo, n.hi) : [sigmoid(n.lo), sigmoid(n.hi)];
  return b.call('add', b.call(how, x, [], { shape, iv: [iv[0], iv[1]] }), [0.25], { shape, iv: [iv[0] + 0.25, iv[1] + 0.25] });
}

/** x squashed into [0.01, 0.99] for BCE: σ(x) for |x| ≤ 4.5, else σ(tanh x). */
function probability(b: Builder, x: Ref): Ref {
  const n = b.node(x);
  const y = mag([n.lo, n.hi]) <= 4.5 ? x : b.call('tanh', x, [], { shape: n.shape, iv: [Math.tanh(n.lo), Math.tanh(n.hi)] });
  const m = b.node(y);
  return b.call('sigmoid', y, [], { shape: m.shape, iv: [sigmoid(m.lo), sigmoid(m.hi)] });
}

/** int32 class ids in 0..classes−1 of `shape`: a leaf, or one made by an int32 copy op (reshape, slice, cat, transpose). */
function labels(b: Builder, shape: number[], classes: number): Ref {
  const out = { shape, iv: [0, classes - 1] as Iv, dtype: 'int32' as const };
  const way = shape.length === 0 ? 0 : b.int(0, 4);
  if (way === 1) return b.call('reshape', b.indices([size(shape)], classes), [shape], out);
  if (way === 2) return b.call('slice', b.indices([shape[0] + 2, ...shape.slice(1)], classes), [0, 1, shape[0] + 1], out);
  if (way === 3) {
    const a = b.int(0, shape[0]);
    return b.call('wg.cat', undefined, [[b.indices([a, ...shape.slice(1)], classes), b.indices([shape[0] - a, ...shape.slice(1)], classes)], 0], out);
  }
  if (way === 4 && shape.length === 2) return b.call('transpose', b.indices([shape[1], shape[0]], classes), [0, 1], out);
  return b.indices(shape, classes);
}

/** A random shape with n elements, its dims drawn among divisors (a 0 somewhere when n = 0). */
function factorShape(b: Builder, n: number, rank = b.int(0, 4)): number[] {
  const r = n === 1 ? rank : Math.max(rank, 1);
  if (n === 0) {
    const s = Array.from({ length: r }, () => b.int(1, 3));
    s[b.int(0, r - 1)] = 0;
    return s;
  }
  const s: number[] = [];
  let rest = n;
  for (let i = 0; i < r - 1; i++) {
    const d = b.pick(Array.from({ length: rest }, (_, k) => k + 1).filter((k) => rest % k === 0));
    s.push(d);
    rest /= d;
  }
  return r === 0 ? s : [...s, rest];
}

/** A 4-D NCHW node with C, H, W ≥ 1 to convolve or pool: an existing one, another node reshaped, or a new leaf. */
function image(b: Builder): Ref {
  const found = b.find((n) => n.shape.length === 4 && n.shape.slice(1).every((d) => d >= 1));
  if (found && b.chance(0.7)) return found;
  const x = b.find((n) => size(n.shape) >= 1);
  if (x && b.chance(0.5)) {
    const n = b.node(x),
      shape = factorShape(b, size(n.shape), 4);
    return b.call('reshape', x, [shape], like(n, shape));
  }
  return b.leaf([b.chance(0.05) ? 0 : b.int(1, 2), b.int(1, 3), b.int(1, 5), b.int(1, 5)]);
}

/**
 * A loss's reduction ('mean' by default, 'sum', 'none') and the result's shape and bounds from the
 * per-element bounds over `shape`; null when none stays within LIMIT. The mean of nothing (NaN)
 * is left to the examples.
 */
function lossReduction(b: Builder, per: Iv, shape: number[]): { opts: Record<string, Arg>; shape: number[]; iv: Iv } | null {
  const n = size(shape);
  const ivOf = (r: string): Iv => (r === 'sum' ? [n * per[0], n * per[1]] : per);
  const ok = (['mean', 'sum', 'none'] as const).filter((r) => (r !== 'mean' || n > 0) && fits(ivOf(r)));
  if (ok.length === 0) return null;
  const r = b.pick(ok);
  return { opts: r === 'mean' ? {} : { reduction: r }, shape: r === 'none' ? shape : [], iv: ivOf(r) };
}

/** The class dim of a loss input (1, or 0 for a single sample [C]) and the input has 1–3 dims and classes. */
const classDim = (s: readonly number[]) => (s.length === 1 ? 0 : 1);
const classInput = (n: Node) => n.shape.length >= 1 && n.shape.length <= 3 && n.shape[classDim(n.shape)] >= 1;
function classShape(b: Builder): number[] {
  const s = b.shape(1, 3);
  s[classDim(s)] ||= 2;
  return s;
}

// ---- unary -----------------------------------------------------------------------------------

interface UnarySpec {
  fn: string;
  /** Arguments after x, drawn per call. */
  args?: (b: Builder) => (number | null)[];
  iv: (lo: number, hi: number, args: (number | null)[]) => Iv;
  /** The bound the input must exceed (log, sqrt, negative powers); undefined: any input. */
  positive?: (args: (number | null)[]) => number | undefined;
  /** Where the derivative jumps. */
  kinks?: (args: (number | null)[]) => number[];
}

/** Exponents of pow and the bound the input must exceed for each (undefined: any). */
const POW: Record<number, number | undefined> = { 2: undefined, 3: undefined, 0: undefined, 1: undefined, [-1]: 0.05, 0.5: 0.05, [-1.5]: 0.2 };
const CLAMPS: (number | null)[][] = [
  [-0.5, 1.25],
  [-1, null],
  [null, 0.75],
];

const UNARY: UnarySpec[] = [
  { fn: 'neg', iv: (lo, hi) => [-hi, -lo] },
  { fn: 'square', iv: sq },
  { fn: 'tanh', iv: mono(Math.tanh) },
  { fn: 'sigmoid', iv: mono(sigmoid) },
  { fn: 'gelu', iv: (_, hi) => [GELU_MIN, Math.max(hi, 0)] },
  { fn: 'softplus', iv: mono(softplus) },
  { fn: 'exp', iv: mono(Math.exp) },
  { fn: 'log', iv: mono(Math.log), positive: () => 0.05 },
  { fn: 'sqrt', iv: mono(Math.sqrt), positive: () => 0.05 },
  { fn: 'abs', iv: (lo, hi) => (lo >= 0 ? [lo, hi] : hi <= 0 ? [-hi, -lo] : [0, Math.max(-lo, hi)]), kinks: () => [0] },
  { fn: 'relu', iv: (lo, hi) => [Math.max(lo, 0), Math.max(hi, 0)], kinks: () => [0] },
  {
    fn: 'leakyRelu',
    args: (b) => [b.pick([0.01, 0.2])],
    kinks: () => [0],
    iv: (lo, hi, [s]) => [lo < 0 ? s! * lo : lo, hi < 0 ? s! * hi : hi],
  },
  {
    fn: 'clamp',
    args: (b) => b.pick(CLAMPS),
    kinks: (bounds) => bounds.filter((v): v is number => v !== null),
    iv: (lo, hi, [min, max]) => [Math.min(Math.max(lo, min ?? -Infinity), max ?? Infinity), Math.min(Math.max(hi, min ?? -Infinity), max ?? Infinity)],
  },
  {
    fn: 'pow',
    args: (b) => [b.pick(Object.keys(POW).map(Number))],
    positive: ([e]) => POW[e!],
    iv: (lo, hi, [e]) => (e === 0 ? [1, 1] : e === 2 ? sq(lo, hi) : e! > 0 ? [lo ** e!, hi ** e!] : [hi ** e!, lo ** e!]),
  },
];

function unary(s: UnarySpec): FuzzOp {
  return {
    name: s.fn,
    weight: 1,
    build: (b) => {
      const args = s.args?.(b) ?? [];
      let x = b.find(any)!;
      const need = s.positive?.(args);
      if (need !== undefined && b.node(x).lo < need) x = positive(b, x);
      const n = b.node(x),
        iv = s.iv(n.lo, n.hi, args);
      if (!fits(iv)) return null;
      const kinks = s.kinks?.(args);
      return b.call(s.fn, x, args, { shape: n.shape, iv, branches: kinks && sides(x, kinks) });
    },
  };
}

// ---- binary, comparisons, where ------------------------------------------------------------

const BINARY: Record<string, (a: Iv, c: Iv) => Iv> = {
  add: (a, c) => [a[0] + c[0], a[1] + c[1]],
  sub: (a, c) => [a[0] - c[1], a[1] - c[0]],
  mul: products,
  div: (a, c) => products(a, [1 / c[1], 1 / c[0]]),
  maximum: (a, c) => [Math.max(a[0], c[0]), Math.max(a[1], c[1])],
  minimum: (a, c) => [Math.min(a[0], c[0]), Math.min(a[1], c[1])],
};

/**
 * Two operands in a random order: x and a partner (x itself, a number, a node or a new leaf that
 * broadcasts with it), the second kept away from 0 for div; null if the result would be too large.
 */
function operands(b: Builder, fn: string): { p: Operand; q: Operand; shape: number[] } | null {
  const x = b.find(any)!,
    y = b.partner(x);
  const [p, q0] = b.chance(0.3) ? [y, x] : [x, y];
  const q = fn === 'div' && typeof q0 !== 'number' && !awayFromZero(b.iv(q0)) ? positive(b, q0) : q0;
  const shape = broadcast(b.shapeOf(p), b.shapeOf(q));
  if (shape === null || size(shape) > MAX_SIZE) return null;
  return { p, q, shape };
}

const COMPARISONS = ['gt', 'lt', 'ge', 'le', 'eq'];

/** add … minimum, and the comparisons gt … eq (0/1 masks without gradient), method or function form. */
function binary(fn: string): FuzzOp {
  const mask = COMPARISONS.includes(fn),
    kinked = mask || fn === 'maximum' || fn === 'minimum';
  return {
    name: fn,
    weight: mask ? 0.5 : 2,
    build: (b) => {
      const o = operands(b, fn);
      if (o === null) return null;
      const iv: Iv = mask ? [0, 1] : BINARY[fn](b.iv(o.p), b.iv(o.q));
      if (!fits(iv)) return null;
      const out = { shape: o.shape, iv, grad: mask ? false : undefined, branches: kinked ? pairSides(b, o.p, o.q) : undefined };
      // wg.fn(p, q) is the only form when p is a number.
      return typeof o.p === 'number' || b.chance(0.3) ? b.call(`wg.${fn}`, undefined, [o.p, o.q], out) : b.call(fn, o.p, [o.q], out);
    },
  };
}

const where: FuzzOp = {
  name: 'where',
  weight: 2,
  build: (b) => {
    const x = b.find(any)!,
      y = b.partner(x),
      xs = b.node(x).shape;
    // The condition is any node (nonzero = true), or a new 0/1 mask; no gradient flows into it.
    const cond = b.operand(
      (n) => broadcast(n.shape, xs) !== null,
      () => b.partnerShape(xs),
      'mask',
    );
    const cx = broadcast(b.shapeOf(cond), xs),
      shape = cx && broadcast(cx, b.shapeOf(y));
    if (!shape || size(shape) > MAX_SIZE) return null;
    const [p, q] = b.chance(0.5) ? [x, y] : [y, x];
    const grad = [p, q].some((o) => typeof o !== 'number' && b.node(o).grad);
    return b.call('wg.where', undefined, [cond, p, q], { shape, iv: hull(b.iv(p), b.iv(q)), grad, branches: sides(cond, [0]) });
  },
};

// ---- reductions, softmax ---------------------------------------------------------------------

function reduction(fn: 'sum' | 'mean' | 'max' | 'min'): FuzzOp {
  const extreme = fn === 'max' || fn === 'min';
  return {
    name: fn,
    weight: 1.5,
    build: (b) => {
      const x = b.find(any)!,
        n = b.node(x),
        s = n.shape,
        r = Math.max(s.length, 1);
      const dim = b.chance(s.length === 0 ? 0.5 : 0.3) ? undefined : b.int(-r, r - 1);
      const keepdim = dim !== undefined && b.chance(0.5);
      const nd = dim === undefined ? undefined : normDim(dim, s.length);
      const d = nd === undefined ? size(s) : (s[nd] ?? 1);
      const shape = nd === undefined ? [] : keepdim ? s.map((v, i) => (i === nd ? 1 : v)) : s.filter((_, i) => i !== nd);
      // The max/min of nothing is an error and the mean of nothing NaN: both belong to the examples.
      if (d === 0 && (extreme || (fn === 'mean' && size(shape) > 0))) return null;
      const iv: Iv = fn === 'sum' ? [d * n.lo, d * n.hi] : [n.lo, n.hi];
      if (!fits(iv)) return null;
      return b.call(fn, x, dim === undefined ? [] : keepdim ? [dim, true] : [dim], {
        shape,
        iv,
        branches: extreme ? segmentWinners(x, s, nd, fn === 'max') : undefined,
      });
    },
  };
}

function softmaxLike(fn: 'softmax' | 'logSoftmax'): FuzzOp {
  return {
    name: fn,
    weight: 1.5,
    build: (b) => {
      const x = b.find(any)!,
        n = b.node(x),
        s = n.shape,
        r = Math.max(s.length, 1);
      const dim = b.int(-r, r - 1),
        d = s[normDim(dim, s.length)] ?? 1;
      // softmax ≥ e^(lo − hi)/d; log-softmax ≥ (lo − hi) − ln d
      const iv: Iv = fn === 'softmax' ? (d <= 1 ? [1, 1] : [Math.exp(n.lo - n.hi) / d, 1]) : [n.lo - n.hi - Math.log(Math.max(d, 1)), 0];
      if (!fits(iv)) return null;
      return b.call(fn, x, dim === -1 && b.chance(0.5) ? [] : [dim], { shape: s, iv });
    },
  };
}

// ---- matmul, linear --------------------------------------------------------------------------

const matmul: FuzzOp = {
  name: 'matmul',
  weight: 4,
  build: (b) => {
    const a = b.find((n) => n.shape.length >= 1) ?? b.leaf(b.shape(1, 3));
    const as = b.node(a).shape,
      r = as.length;
    const tA = r >= 2 && b.chance(0.25);
    const [m, k] = r === 1 ? [1, as[0]] : tA ? [as[r - 1], as[r - 2]] : [as[r - 2], as[r - 1]];
    const batchA = as.slice(0, -2);
    let c: Ref,
      tB: boolean,
      vec = false,
      batchB: number[];
    if (r >= 2 && b.chance(0.15)) {
      // a·aᵀ (or aᵀ·a): the same tensor on both sides
      [c, tB, batchB] = [a, !tA, batchA];
    } else {
      const form = b.pick(['vector', 'matrix', 'matrix', 'batch']);
      vec = form === 'vector';
      tB = !vec && b.chance(0.25);
      const n = b.dim();
      batchB = form === 'batch' ? (batchA.length > 0 ? b.partnerShape(batchA) : b.shape(1, 2)) : [];
      const want = [...batchB, ...(vec ? [k] : tB ? [n, k] : [k, n])];
      c = b.operand(
        (t) => sameShape(t.shape, want),
        () => want,
      );
    }
    const cs = b.node(c).shape,
      n = vec ? 1 : cs[cs.length - (tB ? 2 : 1)];
    const batch = broadcast(batchA, batchB);
    if (batch === null) return null;
    const shape = [...batch, ...(r >= 2 ? [m] : []), ...(vec ? [] : [n])];
    const p = products(b.iv(a), b.iv(c)),
      iv: Iv = [k * p[0], k * p[1]];
    if (size(shape) > MAX_SIZE || !fits(iv)) return null;
    const opts = optional({ ...(tA ? { transposeA: true } : {}), ...(tB ? { transposeB: true } : {}) });
    const out = { shape, iv };
    return b.chance(0.3) ? b.call('wg.matmul', undefined, [a, c, ...opts], out) : b.call('matmul', a, [c, ...opts], out);
  },
};

const linear: FuzzOp = {
  name: 'linear',
  weight: 2,
  build: (b) => {
    const x = b.find((t) => t.shape.length >= 1) ?? b.leaf(b.shape(1, 3));
    const xs = b.node(x).shape,
      k = xs[xs.length - 1];
    // n = x's rows sometimes, so that x itself can be the weight: linear(x, x) = x·xᵀ.
    const n = xs.length === 2 && b.chance(0.3) ? xs[0] : b.dim();
    const w = b.operand(
      (t) => sameShape(t.shape, [n, k]),
      () => [n, k],
    );
    const bias = b.chance(0.6)
      ? b.operand(
          (t) => sameShape(t.shape, [n]),
          () => [n],
        )
      : null;
    const relu = b.chance(0.3);
    const shape = [...xs.slice(0, -1), n];
    const p = products(b.iv(x), b.iv(w)),
      bi = bias ? b.iv(bias) : [0, 0];
    const pre: Iv = [k * p[0] + bi[0], k * p[1] + bi[1]];
    if (size(shape) > MAX_SIZE || !fits(pre)) return null;
    return b.call('wg.linear', undefined, [x, w, bias, ...(relu ? [{ activation: 'relu' }] : [])], {
      shape,
      iv: relu ? [Math.max(pre[0], 0), Math.max(pre[1], 0)] : pre,
      branches: relu ? positiveOutputs : undefined,
    });
  },
};

// ---- shape ops -------------------------------------------------------------------------------

/** An op that rearranges the values of a node of rank ≥ minRank: draw gives its arguments and result shape. */
function view(name: string, weight: number, minRank: number, draw: (b: Builder, s: readonly number[]) => { args: Arg[]; shape: number[] }): FuzzOp {
  return {
    name,
    weight,
    build: (b) => {
      const x = b.find((n) => n.shape.length >= minRank);
      if (!x) return null;
      const n = b.node(x),
        { args, shape } = draw(b, n.shape);
      return b.call(name, x, args, like(n, shape));
    },
  };
}

const reshape = view('reshape', 2, 0, (b, s) => {
  const shape = factorShape(b, size(s)),
    arg = [...shape];
  if (size(shape) > 0 && shape.length > 0 && b.chance(0.3)) arg[b.int(0, shape.length - 1)] = -1;
  return { args: [arg], shape };
});

const flatten = view('flatten', 1, 0, (b, s) => {
  const r = Math.max(s.length, 1),
    start = b.int(-r, r - 1),
    ns = normDim(start, s.length);
  return { args: start === 0 && b.chance(0.5) ? [] : [start], shape: s.length === 0 ? [1] : [...s.slice(0, ns), size(s.slice(ns))] };
});

const transpose = view('transpose', 2, 2, (b, s) => {
  const r = s.length,
    [d0, d1] = b.chance(0.3) ? [-2, -1] : [b.int(-r, r - 1), b.int(-r, r - 1)];
  const i = normDim(d0, r),
    j = normDim(d1, r);
  return { args: d0 === -2 && d1 === -1 ? [] : [d0, d1], shape: s.map((d, k) => (k === i ? s[j] : k === j ? s[i] : d)) };
});

const permute = view('permute', 1.5, 1, (b, s) => {
  const dims = b.shuffle(s.map((_, k) => k));
  return { args: [dims.map((d) => (b.chance(0.2) ? d - s.length : d))], shape: dims.map((d) => s[d]) };
});

/** The same storage, cut from the graph: no gradient flows back through it. */
const detach: FuzzOp = {
  name: 'detach',
  weight: 0.5,
  build: (b) => {
    const x = b.find(any)!;
    return b.call('detach', x, [], { ...like(b.node(x), b.node(x).shape), grad: false });
  },
};

// Python semantics: negative from the end, clamped, possibly empty.
const slice = view('slice', 2, 1, (b, s) => {
  const r = s.length,
    dim = b.int(-r, r - 1),
    nd = normDim(dim, r),
    len = s[nd];
  const start = b.int(-len - 1, len + 1),
    end = b.chance(0.2) ? undefined : b.int(-len - 1, len + 1);
  const at = (i: number) => Math.min(Math.max(i < 0 ? i + len : i, 0), len);
  const from = at(start),
    to = Math.max(from, end === undefined ? len : at(end));
  return { args: end === undefined ? [dim, start] : [dim, start, end], shape: s.map((d, k) => (k === nd ? to - from : d)) };
});

/** cat (2–5 parts along an existing dim) or stack (1–4 same-shape parts along a new one); x may appear several times. */
function join(fn: 'cat' | 'stack'): FuzzOp {
  return {
    name: fn,
    weight: 2,
    build: (b) => {
      const x = fn === 'cat' ? b.find((n) => n.shape.length >= 1) : b.find(any);
      if (!x) return null;
      const s = b.node(x).shape,
        r = fn === 'cat' ? s.length : s.length + 1;
      const dim = b.int(-r, r - 1),
        nd = normDim(dim, r);
      const fitsIn = (t: Node) => t.shape.length === s.length && t.shape.every((d, k) => d === s[k] || (fn === 'cat' && k === nd));
      const partShape = () => s.map((d, k) => (fn === 'cat' && k === nd ? b.int(0, 4) : d));
      const parts = [x, ...Array.from({ length: fn === 'cat' ? b.int(1, 4) : b.int(0, 3) }, () => (b.chance(0.3) ? x : b.operand(fitsIn, partShape)))];
      const order = b.shuffle(parts),
        nodes = order.map((p) => b.node(p));
      const shape =
        fn === 'cat' ? s.map((d, k) => (k === nd ? nodes.reduce((a, t) => a + t.shape[nd], 0) : d)) : [...s.slice(0, nd), parts.length, ...s.slice(nd)];
      if (size(shape) > MAX_SIZE) return null;
      return b.call(`wg.${fn}`, undefined, [order, dim], { shape, iv: hull(...nodes.map((t): Iv => [t.lo, t.hi])) });
    },
  };
}

// ---- conv2d, pools, dropout, embedding -----------------------------------------------------

const conv2d: FuzzOp = {
  name: 'conv2d',
  weight: 2,
  build: (b) => {
    const x = image(b),
      [n, c, h, w] = b.node(x).shape;
    const kh = b.int(1, 3),
      kw = b.int(1, 3);
    const stride = b.pick([1, 1, 2, [1, 2]]),
      padding = b.pick([0, 0, 1, [1, 0]]),
      dilation = b.pick([1, 1, 1, 2]);
    const [sh, sw] = pair(stride),
      [ph, pw] = pair(padding),
      [dh, dw] = pair(dilation);
    const oh = outSize(h, kh, sh, ph, dh),
      ow = outSize(w, kw, sw, pw, dw),
      o = b.int(1, 4);
    if (oh < 1 || ow < 1 || n * o * oh * ow > MAX_SIZE) return null;
    const wt = b.operand(
      (t) => sameShape(t.shape, [o, c, kh, kw]),
      () => [o, c, kh, kw],
    );
    const bias = b.chance(0.6)
      ? b.operand(
          (t) => sameShape(t.shape, [o]),
          () => [o],
        )
      : null;
    // Each output sums at most c·kh·kw products (fewer where the padding is read).
    const p = products(b.iv(x), b.iv(wt)),
      bi = bias ? b.iv(bias) : [0, 0],
      taps = c * kh * kw;
    const iv: Iv = [taps * Math.min(p[0], 0) + bi[0], taps * Math.max(p[1], 0) + bi[1]];
    if (!fits(iv)) return null;
    const opts = optional({ ...(stride !== 1 ? { stride } : {}), ...(padding !== 0 ? { padding } : {}), ...(dilation !== 1 ? { dilation } : {}) });
    return b.call('wg.conv2d', undefined, bias === null && opts.length === 0 ? [x, wt] : [x, wt, bias, ...opts], { shape: [n, o, oh, ow], iv });
  },
};

function pool(fn: 'maxPool2d' | 'avgPool2d'): FuzzOp {
  const max = fn === 'maxPool2d';
  return {
    name: fn,
    weight: 1.5,
    build: (b) => {
      const x = image(b),
        n = b.node(x),
        [N, C, h, w] = n.shape;
      const k = b.pick([1, 2, 2, 3, [2, 1], [1, 3]]),
        stride = b.pick([undefined, 1, 2, [1, 2]]),
        padding = b.pick([0, 0, 1, [0, 1]]);
      const [kh, kw] = pair(k),
        [sh, sw] = stride === undefined ? [kh, kw] : pair(stride),
        [ph, pw] = pair(padding);
      const oh = outSize(h, kh, sh, ph, 1),
        ow = outSize(w, kw, sw, pw, 1);
      if (2 * ph > kh || 2 * pw > kw || oh < 1 || ow < 1) return null;
      const opts = optional({ ...(stride !== undefined ? { stride } : {}), ...(padding !== 0 ? { padding } : {}) });
      // avgPool2d counts the padding as zeros.
      const iv: Iv = max || (ph === 0 && pw === 0) ? [n.lo, n.hi] : hull([n.lo, n.hi], [0, 0]);
      return b.call(`wg.${fn}`, undefined, [x, k, ...opts], {
        shape: [N, C, oh, ow],
        iv,
        branches: max ? windowWinners(x, n.shape, [kh, kw], [sh, sw], [ph, pw], [oh, ow]) : undefined,
      });
    },
  };
}

const dropout: FuzzOp = {
  name: 'dropout',
  weight: 1,
  build: (b) => {
    const x = b.find(any)!,
      n = b.node(x),
      p = b.pick([0.25, 0.5]);
    const iv = hull([n.lo / (1 - p), n.hi / (1 - p)], [0, 0]);
    return fits(iv) ? b.call('wg.dropout', undefined, [x, p, true], { shape: n.shape, iv }) : null;
  },
};

const embedding: FuzzOp = {
  name: 'embedding',
  weight: 1.5,
  build: (b) => {
    const w = b.operand(
      (n) => n.shape.length === 2 && n.shape[0] >= 1,
      () => [b.int(1, 5), b.int(1, 4)],
    );
    const [rows, d] = b.node(w).shape,
      idx = b.shape(0, 2),
      shape = [...idx, d];
    if (size(shape) > MAX_SIZE) return null;
    return b.call('wg.embedding', undefined, [labels(b, idx, rows), w], { shape, iv: b.iv(w) });
  },
};

// ---- losses ----------------------------------------------------------------------------------

/** Per-element bounds of the element-wise losses from those of their inputs. */
const PAIR_LOSSES: Record<string, (p: Iv, t: Iv) => Iv> = {
  mse: (p, t) => [0, (mag(p) + mag(t)) ** 2],
  l1: (p, t) => [0, mag(p) + mag(t)],
  huber: (p, t) => [0, mag(p) + mag(t)], // δ·(|e| − δ/2) or e²/2 with |e| < δ ≤ 1: at most |e|
  bce: () => [0, -Math.log(0.01)], // probabilities kept within [0.01, 0.99]
  bceWithLogits: (p) => [0, mag(p) + Math.LN2],
};

function pairLoss(fn: string): FuzzOp {
  const unitTarget = fn === 'bce' || fn === 'bceWithLogits';
  return {
    name: `losses.${fn}`,
    weight: 0.8,
    build: (b) => {
      let p = b.find(any)!;
      // BCE's gradient (p − t)/(p(1 − p)) is ill-conditioned near 0 and 1 in float32.
      if (fn === 'bce' && !(b.node(p).lo >= 0.01 && b.node(p).hi <= 0.99)) p = probability(b, p);
      const s = b.node(p).shape;
      const t = b.operand(
        (n) => sameShape(n.shape, s) && (!unitTarget || (n.lo >= 0 && n.hi <= 1)),
        () => s,
        unitTarget ? b.pick(['unit', 'mask'] as const) : 'any',
      );
      const red = lossReduction(b, PAIR_LOSSES[fn](b.iv(p), b.iv(t)), s);
      if (red === null) return null;
      const opts = optional({ ...red.opts, ...(fn === 'huber' && b.chance(0.5) ? { delta: 0.5 } : {}) });
      return b.call(`wg.losses.${fn}`, undefined, [p, t, ...opts], { shape: red.shape, iv: red.iv, branches: fn === 'l1' ? pairSides(b, p, t) : undefined });
    },
  };
}

const crossEntropy: FuzzOp = {
  name: 'losses.crossEntropy',
  weight: 1.5,
  build: (b) => {
    const x = b.operand(classInput, () => classShape(b));
    const n = b.node(x),
      s = n.shape,
      cd = classDim(s),
      C = s[cd],
      rest = s.filter((_, i) => i !== cd);
    const probs = b.chance(0.3);
    const target = probs
      ? b.operand(
          (t) => sameShape(t.shape, s) && t.lo >= 0 && t.hi <= 1,
          () => s,
          'unit',
        )
      : labels(b, rest, C);
    const weight = b.chance(0.2) ? b.leaf([C], 'positive', false) : null;
    const smoothing = b.chance(0.2) ? 0.1 : 0;
    // Per sample: Σ_c t_c·w_c·(−log p_c) with −log p_c ≤ (hi − lo) + ln C, Σ_c t_c ≤ C (1 for class ids), w_c ≤ 2.
    const per: Iv = [0, (probs ? C : 1) * (weight ? 2 : 1) * (n.hi - n.lo + Math.log(C))];
    const red = lossReduction(b, per, rest);
    if (red === null) return null;
    const opts = optional({ ...red.opts, ...(weight ? { weight } : {}), ...(smoothing ? { labelSmoothing: smoothing } : {}) });
    return b.call('wg.losses.crossEntropy', undefined, [x, target, ...opts], { shape: red.shape, iv: red.iv });
  },
};

const nll: FuzzOp = {
  name: 'losses.nll',
  weight: 1,
  build: (b) => {
    let x = b.operand(classInput, () => classShape(b));
    const s = b.node(x).shape,
      cd = classDim(s),
      rest = s.filter((_, i) => i !== cd);
    if (b.chance(0.5)) {
      const n = b.node(x),
        iv: Iv = [n.lo - n.hi - Math.log(s[cd]), 0];
      if (fits(iv)) x = b.call('logSoftmax', x, [cd], { shape: s, iv });
    }
    const red = lossReduction(b, [-b.node(x).hi, -b.node(x).lo], rest);
    if (red === null) return null;
    return b.call('wg.losses.nll', undefined, [x, labels(b, rest, s[cd]), ...optional(red.opts)], { shape: red.shape, iv: red.iv });
  },
};

// ---- the catalogue ---------------------------------------------------------------------------

export const LOSSES: FuzzOp[] = [...['mse', 'l1', 'huber', 'bce', 'bceWithLogits'].map(pairLoss), crossEntropy, nll];

export const FUZZ_OPS: FuzzOp[] = [
  ...UNARY.map(unary),
  ...[...Object.keys(BINARY), ...COMPARISONS].map(binary),
  where,
  ...(['sum', 'mean', 'max', 'min'] as const).map(reduction),
  softmaxLike('softmax'),
  softmaxLike('logSoftmax'),
  matmul,
  linear,
  reshape,
  flatten,
  transpose,
  permute,
  slice,
  detach,
  join('cat'),
  join('stack'),
  conv2d,
  pool('maxPool2d'),
  pool('avgPool2d'),
  dropout,
  embedding,
  ...LOSSES,
];
