/**
 * PyTorch conveniences as composites of the table's ops: the fixed-rank products (mm, bmm, mv,
 * dot, outer), the float classification masks (isnan, isinf, isfinite, isclose), nanToNum,
 * normalize, and the diagonal and index views (diag, diagonal, trace, select, repeatInterleave).
 * Each checks its shapes here (errors name it, not matmul or copy) and runs existing kernels, so
 * its gradient is autodiff's through them. The public functions: src/api/convenience.ts.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { broadcastShapes } from './broadcast.js';
import { contiguousView, normDim, reshape, type View } from './shape.js';
import { checkBool, defineOps, fmtShape, fmtShapes, ofTensor, keepShape, type Builder, type CompositeDef, type TestCase, type OpInfo } from './types.js';

const TILE = 8; // two f32x4 vectors: sizes around it reach the primitives' SIMD bodies and tails
const SIZES = [0, 1, 3, TILE - 1, TILE + 1, 17];
const cases = (list: readonly (readonly number[][])[]): TestCase[] => list.map((s) => ({ inputs: s.map((shape) => ({ shape })) }));

// ---- fixed-rank products: checks, then matmul or mul --------------------------------------------
/** A product of operands of ranks `want` (PyTorch's fixed-rank products refuse what matmul would broadcast). */
function product<N extends string>(
  name: N,
  want: [number, number],
  what: string,
  shape: (a: readonly number[], b: readonly number[]) => number[] | string,
  info: OpInfo,
): CompositeDef<Record<string, never>, N> {
  return {
    kind: 'composite',
    name,
    arity: 2,
    gradInputs: [0, 1],
    plan: (ins) => {
      if (ins.some((m, i) => m.shape.length !== want[i])) throw new ShapeError(name, `expects ${what}, got shapes ${fmtShapes(ins)}`);
      const s = shape(ins[0].shape, ins[1].shape);
      if (typeof s === 'string') throw new ShapeError(name, `shapes ${fmtShapes(ins)} cannot be multiplied (${s})`);
      return { shape: s };
    },
    compose: (b, [x, y]) => b.op('matmul', [x, y]),
    ...info,
  };
}
const mm = product('mm', [2, 2], 'two 2-D matrices', ([m, k], [k2, n]) => (k === k2 ? [m, n] : `mat1 has ${k} columns, mat2 has ${k2} rows`), {
  doc: 'matrix product of 2-D [m, k]·[k, n] → [m, n] (torch.mm: no broadcasting)',
  tests: {
    cases: cases(
      SIZES.map((k) => [
        [3, k],
        [k, TILE + 1],
      ]).concat([
        [
          [1, 1],
          [1, 1],
        ],
        [
          [0, 5],
          [5, 2],
        ],
        [
          [TILE - 1, 4],
          [4, 0],
        ],
      ]),
    ),
  },
});
const bmm = product(
  'bmm',
  [3, 3],
  'two 3-D batches of matrices',
  ([bs, m, k], [bs2, k2, n]) =>
    bs !== bs2 ? `batch sizes ${bs} and ${bs2} differ` : k === k2 ? [bs, m, n] : `the matrices of batch1 have ${k} columns, those of batch2 ${k2} rows`,
  {
    doc: 'batched matrix product [b, m, k]·[b, k, n] → [b, m, n] (torch.bmm: equal batch sizes, no broadcasting)',
    tests: {
      cases: cases([
        [
          [2, 3, 5],
          [2, 5, 4],
        ],
        [
          [1, 1, 1],
          [1, 1, 1],
        ],
        [
          [3, TILE + 1, TILE - 1],
          [3, TILE - 1, 17],
        ],
        [
          [0, 2, 3],
          [0, 3, 4],
        ],
        [
          [2, 3, 0],
          [2, 0, 4],
        ],
      ]),
    },
  },
);
const mv = product(
  'mv',
  [2, 1],
  'a 2-D matrix and a 1-D vector',
  ([m, k], [k2]) => (k === k2 ? [m] : `the matrix has ${k} columns, the vector ${k2} elements`),
  {
    doc: 'matrix-vector product [m, k]·[k] → [m] (torch.mv)',
    tests: {
      cases: cases(
        SIZES.map((k) => [[5, k], [k]]).concat([
          [[0, 3], [3]],
          [[1, 1], [1]],
        ]),
      ),
    },
  },
);
const dot = product('dot', [1, 1], 'two 1-D tensors', ([n], [n2]) => (n === n2 ? [] : `${n} and ${n2} elements`), {
  doc: 'inner product of two 1-D tensors of one length → 0-d (torch.dot)',
  tests: { cases: cases(SIZES.map((n) => [[n], [n]])) },
});
/** a ⊗ b = a as a column times b as a row: one broadcasting mul ([n, 1]·[m] → [n, m]). */
const outer: CompositeDef<Record<string, never>, 'outer'> = {
  ...product('outer', [1, 1], 'two 1-D tensors', ([n], [m]) => [n, m], {
    doc: 'outer product of 1-D [n] and [m] → [n, m] (torch.outer)',
    tests: {
      cases: cases(
        SIZES.map((n) => [[n], [Math.max(TILE + 1 - n, 2)]]).concat([
          [[5], [0]],
          [[1], [1]],
        ]),
      ),
    },
  }),
  compose: (b, [x, y]) => b.op('mul', [reshape(b, x, [b.shape(x)[0], 1]), y]),
};

// ---- float classification: float32 0/1 masks, no gradient ---------------------------------------
function mask<N extends string>(name: N, compose: <T>(b: Builder<T>, x: T) => T, info: { doc: string }): CompositeDef<Record<string, never>, N> {
  return {
    kind: 'composite',
    name,
    arity: 1,
    gradInputs: [],
    doc: info.doc,
    plan: keepShape,
    compose: (b, [x]) => compose(b, x),
    // The drawn values are finite; NaN and ±∞ are in test/op-examples/convenience.test.ts.
    tests: { cases: cases([[1], [3], [TILE + 1], [5, 7], [0], [2, 0, 3]].map((s) => [s])) },
  };
}
// Written so that no primitive writes a NaN or ±∞ (only 0/1 masks): they run under
// wg.setDebug({ checkFinite: true }), which stops at any op that writes one. NaN is the one value
// unequal to itself and compares false with everything, so x < ∞ and x > −∞ hold exactly for finite x.
const isnan = mask('isnan', (b, x) => b.op('eq', [b.op('eq', [x, x]), b.scalar(0)]), { doc: '1 where x is NaN, else 0 (float32 mask, no gradient)' });
const isinf = mask('isinf', (b, x) => b.op('maximum', [b.op('eq', [x, b.scalar(Infinity)]), b.op('eq', [x, b.scalar(-Infinity)])]), {
  doc: '1 where x is ±∞, else 0 (float32 mask, no gradient)',
});
const isfinite = mask('isfinite', (b, x) => b.op('mul', [b.op('lt', [x, b.scalar(Infinity)]), b.op('gt', [x, b.scalar(-Infinity)])]), {
  doc: '1 where x is neither NaN nor ±∞, else 0 (float32 mask, no gradient)',
});

/** nanToNum's replacements, resolved by the API (posinf/neginf default to float32's largest finite values). */
export interface NanToNumAttrs {
  nan: number;
  posinf: number;
  neginf: number;
}
const nanToNum: CompositeDef<NanToNumAttrs, 'nanToNum'> = {
  kind: 'composite',
  name: 'nanToNum',
  arity: 1,
  gradInputs: [0],
  doc: 'x with NaN, +∞ and −∞ replaced by nan, posinf and neginf (torch.nan_to_num); gradient 1 where x is kept, 0 where replaced',
  plan: (ins, a) => {
    for (const k of ['nan', 'posinf', 'neginf'] as const)
      if (typeof a[k] !== 'number') throw new ValueError('nanToNum', `${k} must be a number, got ${fmtValue(a[k])} (x of shape ${fmtShape(ins[0].shape)})`);
    return keepShape(ins);
  },
  // where routes the gradient to x only where x is finite; the replacements are constants.
  compose: (b, [x], { nan, posinf, neginf }) => {
    const inf = b.op('where', [b.op('gt', [x, b.scalar(0)]), b.scalar(posinf), b.scalar(neginf)]);
    return b.op('where', [b.op('isfinite', [x]), x, b.op('where', [b.op('isnan', [x]), b.scalar(nan), inf])]);
  },
  tests: {
    cases: [[1], [3], [TILE + 1], [5, 7], [0]].map((shape, i) => ({ inputs: [{ shape }], attrs: { nan: i, posinf: 3.4028234663852886e38, neginf: -i } })),
  },
};

export interface IscloseAttrs {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}
/** rtol and atol as numbers ≥ 0 (PyTorch's defaults 1e-5 and 1e-8), equalNan a boolean. */
export function iscloseTolerances(fn: string, a: IscloseAttrs): { rtol: number; atol: number; equalNan: boolean } {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = a;
  for (const [k, v] of [
    ['rtol', rtol],
    ['atol', atol],
  ] as const)
    if (typeof v !== 'number' || !(v >= 0)) throw new ValueError(fn, `${k} must be a number ≥ 0, got ${fmtValue(v)}`);
  checkBool(fn, 'equalNan', equalNan);
  return { rtol, atol, equalNan };
}
/**
 * torch.isclose: a = b (equal infinities included), or both finite and |a − b| ≤ atol + rtol·|b|;
 * with equalNan also NaN against NaN. The distance is taken of the finite pairs only (others read
 * as 0, then masked out), so no primitive writes NaN from ∞ − ∞ (see the masks above); a finite a
 * never matches b = ±∞, whose bound would be ∞ too. Masks combine as maximum (or) and mul (and).
 */
const isclose: CompositeDef<IscloseAttrs, 'isclose'> = {
  kind: 'composite',
  name: 'isclose',
  arity: 2,
  gradInputs: [],
  doc: '1 where |a − b| ≤ atol + rtol·|b| (finite), where a = b, and with equalNan where both are NaN; broadcasting; float32 mask, no gradient',
  plan: (ins, a) => {
    iscloseTolerances('isclose', a);
    return {
      shape: broadcastShapes(
        'isclose',
        ins.map((m) => m.shape),
      ),
    };
  },
  compose: (b, [x, y], a) => {
    const { rtol, atol, equalNan } = iscloseTolerances('isclose', a);
    const finite = b.op('mul', [b.op('isfinite', [x]), b.op('isfinite', [y])]);
    const [fx, fy] = [x, y].map((t) => b.op('where', [finite, t, b.scalar(0)]));
    const bound = b.op('add', [b.scalar(atol), b.op('mul', [b.scalar(rtol), b.op('abs', [fy])])]);
    const near = b.op('mul', [finite, b.op('le', [b.op('abs', [b.op('sub', [fx, fy])]), bound])]);
    const close = b.op('maximum', [b.op('eq', [x, y]), near]);
    return equalNan ? b.op('maximum', [close, b.op('mul', [b.op('isnan', [x]), b.op('isnan', [y])])]) : close;
  },
  tests: {
    cases: [
      ...cases([
        [[1], [1]],
        [[3], [3]],
        [[TILE + 1], [1]],
        [[5, 7], [7]],
        [[0], [0]],
      ]),
      // a loose tolerance so that some drawn pairs are close and some not
      { inputs: [{ shape: [5, TILE + 1] }, { shape: [TILE + 1] }], attrs: { atol: 1, rtol: 0.1, equalNan: true } },
    ],
  },
};

// ---- normalize ----------------------------------------------------------------------------------
export interface NormalizeAttrs {
  p?: number;
  dim?: number;
  eps?: number;
}
/**
 * F.normalize: x / max(‖x‖_p, eps) along dim. clamp gives PyTorch's gradient: the norm's share
 * where it exceeds eps, none where eps is used (x / eps is then linear in x).
 */
const normalize: CompositeDef<NormalizeAttrs, 'normalize'> = {
  kind: 'composite',
  name: 'normalize',
  arity: 1,
  gradInputs: [0],
  doc: 'x / max(‖x‖_p, eps) along dim (F.normalize: p = 2, dim = 1, eps = 1e-12)',
  plan: (ins, { p = 2, dim = 1, eps = 1e-12 }) => {
    const x = ins[0];
    if (typeof p !== 'number' || Number.isNaN(p)) throw new ValueError('normalize', `p must be a number, got ${fmtValue(p)} (x of shape ${fmtShape(x.shape)})`);
    if (typeof eps !== 'number' || !(eps >= 0))
      throw new ValueError('normalize', `eps must be a number ≥ 0, got ${fmtValue(eps)} (x of shape ${fmtShape(x.shape)})`);
    normDim('normalize', dim, Math.max(x.shape.length, 1), x.shape);
    return keepShape(ins);
  },
  compose: (b, [x], { p = 2, dim = 1, eps = 1e-12 }) =>
    b.op('div', [x, b.op('clamp', [b.op('norm', [x], { p, dim, keepdim: true })], { min: eps, max: null })]),
  tests: {
    cases: [
      ...[
        [3, 1],
        [TILE + 1, 3],
        [2, TILE - 1],
        [2, 3, 4],
        [0, 3],
        [4, 0],
      ].map((shape): TestCase<NormalizeAttrs> => ({ inputs: [{ shape, domain: 'awayFromZero' }] })),
      { inputs: [{ shape: [5, 3], domain: 'awayFromZero' }], attrs: { dim: 0, p: 1 } },
      { inputs: [{ shape: [2, 3, 5], domain: 'awayFromZero' }], attrs: { dim: -1, p: 3 } },
      { inputs: [{ shape: [17], domain: 'awayFromZero' }], attrs: { dim: 0 } },
      // every norm below eps: x / eps, the clamped branch
      { inputs: [{ shape: [3, 2], domain: [-1, 1] }], attrs: { eps: 10 }, name: '[3x2] eps 10 (clamped)' },
    ],
  },
};

// ---- diagonals and index views: one strided copy each -------------------------------------------
export interface DiagonalAttrs {
  offset?: number;
  dim1?: number;
  dim2?: number;
}
/**
 * torch.diagonal as a strided view: the other dims in order, then the diagonal, whose stride
 * steps one along both dims; offset > 0 starts above the main diagonal (dim2 + offset), < 0 below.
 * A diagonal past the matrix's edge is empty (PyTorch 1.13's torch.diag errors there instead).
 */
export function diagonalView(fn: string, shape: readonly number[], { offset = 0, dim1 = 0, dim2 = 1 }: DiagonalAttrs): View {
  if (!Number.isInteger(offset)) throw new ValueError(fn, `offset must be an integer, got ${fmtValue(offset)} ${ofTensor(shape)}`);
  const d1 = normDim(fn, dim1, shape.length, shape),
    d2 = normDim(fn, dim2, shape.length, shape);
  if (d1 === d2) throw new ShapeError(fn, `dim1 and dim2 must be different dims, got ${dim1} and ${dim2} ${ofTensor(shape)}`);
  const st = contiguousView(shape).strides;
  const len = Math.max(0, Math.min(shape[d1] + Math.min(offset, 0), shape[d2] - Math.max(offset, 0)));
  const rest = shape.map((_, k) => k).filter((k) => k !== d1 && k !== d2);
  return {
    shape: [...rest.map((k) => shape[k]), len],
    strides: [...rest.map((k) => st[k]), st[d1] + st[d2]],
    offset: len === 0 ? 0 : offset >= 0 ? offset * st[d2] : -offset * st[d1],
  };
}

/** x.select(dim, index): the slice at index along dim, that dim removed; a negative index counts from the end. */
export function selectView(fn: string, shape: readonly number[], dim: number, index: number): View {
  if (shape.length === 0) throw new ShapeError(fn, 'cannot be applied to a 0-d tensor (it has no dims)');
  const d = normDim(fn, dim, shape.length, shape);
  if (!Number.isInteger(index) || index < -shape[d] || index >= shape[d])
    throw new ValueError(
      fn,
      `index ${fmtValue(index)} is out of range for dim ${d} of size ${shape[d]} (tensor of shape ${fmtShape(shape)}; valid: ${shape[d] > 0 ? `${-shape[d]}..${shape[d] - 1}` : 'none, it is empty'})`,
    );
  const st = contiguousView(shape).strides;
  const drop = <V>(a: readonly V[]) => a.filter((_, k) => k !== d);
  return { shape: drop(shape), strides: drop(st), offset: (index < 0 ? index + shape[d] : index) * st[d] };
}

/**
 * repeatInterleave(repeats, dim): each element repeated along dim, iterated as [size, repeats]
 * with stride 0 on the repeats and returned as size·repeats (one copy). Without dim the input is
 * read flat, as PyTorch's.
 */
export function repeatInterleaveView(fn: string, shape: readonly number[], repeats: number, dim?: number | null): View {
  if (!Number.isInteger(repeats) || repeats < 0) throw new ValueError(fn, `repeats must be an integer ≥ 0, got ${fmtValue(repeats)} ${ofTensor(shape)}`);
  if (dim != null && shape.length === 0) throw new ShapeError(fn, `a 0-d tensor has no dim ${fmtValue(dim)} to repeat along (leave dim out)`);
  const s = dim == null ? [shape.reduce((a, n) => a * n, 1)] : shape;
  const d = dim == null ? 0 : normDim(fn, dim, s.length, s);
  const st = contiguousView(s).strides;
  return {
    shape: s.flatMap((n, k) => (k === d ? [n, repeats] : [n])),
    strides: st.flatMap((t, k) => (k === d ? [t, 0] : [t])),
    as: s.map((n, k) => (k === d ? n * repeats : n)),
  };
}

function viewOp<A, N extends string>(name: N, view: (shape: readonly number[], a: A) => View, info: OpInfo<A>): CompositeDef<A, N> {
  return {
    kind: 'composite',
    name,
    arity: 1,
    gradInputs: [0],
    plan: (ins, a) => {
      const v = view(ins[0].shape, a);
      return { shape: v.as ?? v.shape };
    },
    compose: (b, [x], a) => b.op('copy', [x], view(b.shape(x), a)),
    ...info,
  };
}
const one = <A>(shape: number[], attrs: A): TestCase<A> => ({ inputs: [{ shape }], attrs, name: `${fmtShape(shape)} ${JSON.stringify(attrs)}` });

const diagonal = viewOp<DiagonalAttrs, 'diagonal'>('diagonal', (shape, a) => diagonalView('diagonal', shape, a), {
  doc: 'the diagonal of dims dim1, dim2 (default 0, 1) at offset, as the last dim (torch.diagonal)',
  tests: {
    cases: [
      one([3, 3], {}),
      one([1, 1], {}),
      one([TILE + 1, TILE - 1], { offset: 2 }),
      one([5, 17], { offset: -3 }),
      one([2, 3, 4], { offset: 1, dim1: 1, dim2: 2 }),
      one([2, 3, 4], { offset: -1, dim1: 2, dim2: 0 }),
      one([3, 4], { offset: 7 }),
      one([0, 4], {}),
    ],
  },
});
const select = viewOp<{ dim: number; index: number }, 'select'>('select', (shape, { dim, index }) => selectView('select', shape, dim, index), {
  doc: 'the slice at index along dim, dim removed (x.select; negative index from the end)',
  tests: {
    cases: [
      one([3], { dim: 0, index: 1 }),
      one([TILE + 1, 3], { dim: 0, index: -1 }),
      one([2, 17, 5], { dim: 1, index: 8 }),
      one([1, 0], { dim: 0, index: 0 }),
      one([4, 1], { dim: -1, index: 0 }),
    ],
  },
});
const repeatInterleave = viewOp<{ repeats: number; dim?: number | null }, 'repeatInterleave'>(
  'repeatInterleave',
  (shape, { repeats, dim }) => repeatInterleaveView('repeatInterleave', shape, repeats, dim),
  {
    doc: 'each element repeated `repeats` times along dim (flattened without dim) (torch.repeat_interleave with an integer)',
    tests: {
      cases: [
        one([3], { repeats: 2 }),
        one([2, 3], { repeats: 3 }),
        one([TILE + 1, 2], { repeats: 2, dim: 0 }),
        one([2, TILE - 1], { repeats: 1, dim: -1 }),
        one([2, 3, 5], { repeats: 4, dim: 1 }),
        one([3, 2], { repeats: 0, dim: 0 }),
        one([0, 2], { repeats: 3, dim: 1 }),
        one([], { repeats: 5 }),
      ],
    },
  },
);

/**
 * torch.diag: a 1-D v of length L gives the (L + |k|)² matrix with v on diagonal k; a 2-D x gives
 * its diagonal k. The matrix is built by padding: v as a column [L, 1] padded to rows of n + 1
 * (n = L + |k|) with max(k, 0) zeros in front puts v[i] at flat i·(n + 1) + k = i·n + (i + k),
 * so reading the first L·n values as rows of n puts it at (i, i + k); the missing |k| rows of zeros
 * go below (k ≥ 0) or above (k < 0).
 */
const diag: CompositeDef<{ diagonal?: number }, 'diag'> = {
  kind: 'composite',
  name: 'diag',
  arity: 1,
  gradInputs: [0],
  doc: 'torch.diag: 1-D → the square matrix with it on diagonal k; 2-D → its diagonal k',
  plan: ([x], { diagonal: k = 0 }) => {
    if (x.shape.length === 2) return { shape: diagonalView('diag', x.shape, { offset: k }).shape };
    if (x.shape.length !== 1) throw new ShapeError('diag', `expects a 1-D or 2-D tensor, got shape ${fmtShape(x.shape)}`);
    if (!Number.isInteger(k)) throw new ValueError('diag', `diagonal must be an integer, got ${fmtValue(k)} ${ofTensor(x.shape)}`);
    const n = x.shape[0] + Math.abs(k);
    return { shape: [n, n] };
  },
  compose: (b, [x], { diagonal: k = 0 }) => {
    const s = b.shape(x);
    if (s.length === 2) return b.op('copy', [x], diagonalView('diag', s, { offset: k }));
    const L = s[0],
      n = L + Math.abs(k),
      left = Math.max(k, 0);
    const rows = b.op('pad', [reshape(b, x, [L, 1])], { pad: [left, n - left], mode: 'constant', value: 0 });
    const square = b.op('copy', [rows], { shape: [L, n], strides: [n, 1] });
    return b.op('pad', [square], { pad: [0, 0, Math.max(-k, 0), left], mode: 'constant', value: 0 });
  },
  tests: {
    cases: [
      ...[[1], [3], [TILE + 1], [0]].flatMap((shape) => [one(shape, {}), one(shape, { diagonal: 2 }), one(shape, { diagonal: -1 })]),
      one([4, 4], {}),
      one([3, 5], { diagonal: 1 }),
      one([TILE + 1, 3], { diagonal: -2 }),
      one([3, 4], { diagonal: 5 }),
    ],
  },
};

const trace: CompositeDef<Record<string, never>, 'trace'> = {
  kind: 'composite',
  name: 'trace',
  arity: 1,
  gradInputs: [0],
  doc: 'sum of the main diagonal of a 2-D tensor → 0-d (torch.trace; not square: the min(m, n) diagonal)',
  plan: ([x]) => {
    if (x.shape.length !== 2) throw new ShapeError('trace', `expects a 2-D matrix, got shape ${fmtShape(x.shape)}`);
    return { shape: [] };
  },
  compose: (b, [x]) => b.op('sum', [b.op('copy', [x], diagonalView('trace', b.shape(x), {}))], {}),
  tests: {
    cases: [
      [1, 1],
      [3, 3],
      [TILE + 1, TILE + 1],
      [2, 5],
      [17, 3],
      [0, 3],
    ].map((shape) => one(shape, {})),
  },
};

export const CONVENIENCE_OPS = defineOps(
  mm,
  bmm,
  mv,
  dot,
  outer,
  isnan,
  isinf,
  isfinite,
  nanToNum,
  isclose,
  normalize,
  diagonal,
  select,
  repeatInterleave,
  diag,
  trace,
);
