/**
 * PyTorch's remaining elementwise functions and small linear-algebra products, as composites of
 * the table's ops (no kernels; xlogy is one, assembly/kernels/math.ts): xlogy, logit, fmax/fmin, copysign, sinc, logaddexp2, heaviside,
 * renorm; addmm, addmv, addr, baddbmm, addbmm; inner, kron, tensordot, cross; digamma, lgamma, polygamma, mvlgamma; nextafter (i0: src/ops/special.ts). Each checks its
 * arguments here (errors name it, not a primitive inside it); gradients are autodiff's through
 * the primitives, arranged to give PyTorch 1.13's formulas. The public functions and the thin
 * aliases: src/api/parity-math.ts.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { broadcastShapes } from './broadcast.js';
import { TERNARY_SHAPES, binary } from './elementwise.js';
import { arange } from './loss.js';
import { permuteView, reshape } from './shape.js';
import {
  checkDim,
  checkIntAtLeast,
  defineOps,
  fmtShape,
  fmtShapes,
  ofTensor,
  keepShape,
  sizeOf,
  type Builder,
  type CompositeDef,
  type Domain,
  type Meta,
  type OpInfo,
  type OpSpec,
  type TestCase,
} from './types.js';

const TILE = 8; // two f32x4 vectors: sizes around it reach the primitives' SIMD bodies and tails
const LN2 = Math.LN2;

const numberAttr = (fn: string, what: string, v: unknown, ins: readonly Meta[]): number => {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new ValueError(fn, `${what} must be a number, got ${fmtValue(v)} (inputs of shapes ${fmtShapes(ins)})`);
  return v;
};

// ---- elementwise --------------------------------------------------------------------------------
const UNARY: number[][] = [[1], [3], [5, 7], [TILE - 1], [TILE + 1], [17, 3], [2, 3, 4], [0], [3, 0]];
// where's operand shapes taken two at a time (broadcasting both ways, 0-d, 0-size), and a 0-d first operand
const BINARY: number[][][] = [
  ...TERNARY_SHAPES.map(([a, b]) => [a, b]),
  [[], [5]],
  [
    [5, 1],
    [5, 2 * TILE + 1],
  ],
];
const unaryCases = (domain: Domain = 'any'): TestCase[] => UNARY.map((shape) => ({ inputs: [{ shape, domain }] }));
const binaryCases = (domains: [Domain, Domain] = ['any', 'any']): TestCase[] =>
  BINARY.map(([a, b]) => ({
    inputs: [
      { shape: a, domain: domains[0] },
      { shape: b, domain: domains[1] },
    ],
  }));
/** Both operands over [−limit, limit]: far from the default domain, where the stable forms matter. */
const wideCase = (limit: number): TestCase => ({
  inputs: [0, 1].map(() => ({ shape: [TILE + 1], domain: [-limit, limit] as Domain })),
  name: 'wide',
});

function elementwise<N extends string>(
  name: N,
  arity: 1 | 2,
  gradInputs: number[],
  compose: <T>(b: Builder<T>, xs: readonly T[]) => T,
  info: OpInfo,
): CompositeDef<Record<string, never>, N> {
  return {
    kind: 'composite',
    name,
    arity,
    gradInputs,
    plan: (ins) => ({
      shape: broadcastShapes(
        name,
        ins.map((m) => m.shape),
      ),
    }),
    compose: (b, xs) => compose(b, xs),
    ...info,
  };
}

/**
 * x·log y (xlogy) and x·log1p y (xlog1py, src/ops/special.ts) as PyTorch's kernels: NaN where y is
 * NaN, else 0 where x = 0 (y = 0 and y = ∞ included). Kernels (assembly/kernels/math.ts, float64
 * inside), not composites, for PyTorch 1.13's gradients at the degenerate points, which a
 * composite could not give with the value 0 there (its value would be 0·∞): log y for x, 0 where
 * x = 0 and y ≤ 0 (y ≤ −1: `pole` is log's edge, 0 or −1), so ∞ at x = 0, y = ∞; x/(y − pole) for
 * y, NaN at x = 0, y = pole. The vjp (createGraph) is the same with log on a stand-in at the masked
 * points, so its own gradient meets no ∞ there.
 */
export function xlogKernel<N extends string>(name: N, log: 'log' | 'log1p', pole: number, doc: string): OpSpec<any, N> {
  const fn = log === 'log' ? Math.log : Math.log1p;
  return binary(name, {
    module: 'math',
    costly: true,
    f: (x, y) => (Number.isNaN(y) ? y : x === 0 ? 0 : x * fn(y)),
    da: (x, y) => (x === 0 && y <= pole ? 0 : fn(y)),
    db: (x, y) => x / (y - pole),
    dg: (b, { inputs: [x, y], gout }, i) => {
      if (i === 1) return b.op('mul', [gout, b.op('div', [x, b.op('sub', [y, b.scalar(pole)])])]);
      const masked = b.op('mul', [b.op('eq', [x, b.scalar(0)]), b.op('le', [y, b.scalar(pole)])]);
      return b.op('mul', [gout, b.op('where', [masked, b.scalar(0), b.op(log, [b.op('where', [masked, b.scalar(pole + 1), y])])])]);
    },
    doc,
    tests: { domains: ['any', 'positive'] },
  });
}

const xlogy = xlogKernel(
  'xlogy',
  'log',
  0,
  'x·log(y), 0 where x = 0 (unless y is NaN); broadcasting; gradients log(y) (0 where x = 0 and y ≤ 0) and x/y, as PyTorch',
);

/** fmax/fmin: NaN-ignoring; PyTorch routes the whole gradient to x where x wins or ties, or y is NaN. */
const nanIgnoring = <N extends string>(name: N, wins: 'ge' | 'le', what: string) =>
  elementwise(name, 2, [0, 1], (b, [x, y]) => b.op('where', [b.op('maximum', [b.op(wins, [x, y]), b.op('eq', [b.op('eq', [y, y]), b.scalar(0)])]), x, y]), {
    doc: `elementwise ${what}, ignoring NaN (the other operand; NaN only if both are); broadcasting; the gradient goes to x at ties (torch.${name})`,
    tests: { cases: binaryCases() },
  });
const fmax = nanIgnoring('fmax', 'ge', 'max');
const fmin = nanIgnoring('fmin', 'le', 'min');

/**
 * |x| with the sign of y. y's sign bit is read without dividing (1/−0 = −∞ would be a non-finite
 * intermediate): atan2(y, −1) is −π for y = −0 and +π for +0, negative exactly where y's sign is.
 * NaN's sign bit cannot be read this way: a NaN y counts as positive. x's gradient is PyTorch's,
 * sign(x)·sign(y) (0 at x = 0), NaN at ±∞ and NaN (its y/x is ∞/∞ there); y gets none.
 */
const copysign = elementwise(
  'copysign',
  2,
  [0],
  (b, [x, y]) => {
    const negative = b.op('lt', [b.op('atan2', [y, b.scalar(-1)]), b.scalar(0)]);
    // |x| as abs where x is finite, √(x²) where it is ±∞ or NaN: that slope, x/√(x²), is NaN there
    // (PyTorch's); the finite elements take the stand-in 1 in √ (no 0/0 slope at x = 0)
    const finite = b.op('isfinite', [x]);
    const nonFinite = b.op('where', [finite, b.scalar(1), x]);
    const magnitude = b.op('where', [finite, b.op('abs', [x]), b.op('sqrt', [b.op('mul', [nonFinite, nonFinite])])]);
    return b.op('mul', [magnitude, b.op('sub', [b.scalar(1), b.op('mul', [negative, b.scalar(2)])])]);
  },
  {
    doc: '|x| with the sign of y (−0 included; NaN y: positive); broadcasting; gradient sign(x)·sign(y) for x (NaN at ±∞ and NaN), none for y',
    tests: { cases: [...binaryCases(['awayFromZero', 'awayFromZero'])] },
  },
);

/**
 * Below |πx| = 0.6, sinc is its Taylor series in u = (πx)²: 1 − u/6 + u²/120 − u³/5040 + u⁴/362880
 * (the next term's share of the slope is < 1e-7 there). The quotient's own gradient,
 * π(cos(πx)·πx − sin(πx))/(πx)², subtracts two terms near 1/x to get one near −π²x/3: a relative
 * error of ~3ε/(πx)² (8e-4 at x = −0.005, NaN once (πx)² underflows). PyTorch's sinc_backward
 * rounds the same formula more favourably; the series gives its values to float32 precision.
 */
const SINC_SERIES_BELOW = 0.6 / Math.PI;
const SINC_SERIES = [1, -1 / 6, 1 / 120, -1 / 5040, 1 / 362880];

/** sin(πx)/(πx) with πx rounded to float32 first, as PyTorch computes it; the series near 0 (1 at 0, gradient 0 there). */
const sinc = elementwise(
  'sinc',
  1,
  [0],
  (b, [x]) => {
    const small = b.op('lt', [b.op('abs', [x]), b.scalar(SINC_SERIES_BELOW)]);
    // the quotient on 1 where the series is used: its 0/0 must not reach the gradient through where
    const px = b.op('mul', [b.op('where', [small, b.scalar(1), x]), b.scalar(Math.PI)]);
    const quotient = b.op('div', [b.op('sin', [px]), px]);
    // (0·NaN); nor the series' slope where the quotient is used, so it sees 0 there: past |x| ≈ 6e18
    // (πx)² overflows, and 0·∞ is NaN too
    const pxs = b.op('mul', [b.op('where', [small, x, b.scalar(0)]), b.scalar(Math.PI)]);
    const u = b.op('mul', [pxs, pxs]);
    const series = SINC_SERIES.slice(0, -1).reduceRight(
      (acc, c) => b.op('add', [b.scalar(c), b.op('mul', [u, acc])]),
      b.scalar(SINC_SERIES[SINC_SERIES.length - 1]),
    );
    return b.op('where', [small, series, quotient]);
  },
  {
    doc: 'sin(πx)/(πx), 1 at 0 (gradient 0 there)',
    tests: {
      cases: [
        ...unaryCases([-4, 4]),
        { inputs: [{ shape: [TILE + 1], domain: [-0.3, 0.3] }], name: '[9] x near 0 (the series)' },
        { inputs: [{ shape: [TILE + 1], domain: 'mask' }], name: '[9] x ∈ {0, 1}' },
      ],
    },
  },
);

/**
 * log₂(2ˣ + 2ʸ) = logaddexp(x·ln2, y·ln2)/ln2: the stable kernel (infinities of one sign give
 * that infinity, the larger operand is factored out), its gradient 2ˣ/(2ˣ + 2ʸ) by the chain rule.
 */
const logaddexp2 = elementwise(
  'logaddexp2',
  2,
  [0, 1],
  (b, [x, y]) => {
    const scaled = [x, y].map((t) => b.op('mul', [t, b.scalar(LN2)]));
    return b.op('div', [b.op('logaddexp', scaled), b.scalar(LN2)]);
  },
  {
    doc: 'log₂(2ˣ + 2ʸ), stable; broadcasting',
    tests: {
      cases: [...binaryCases(), wideCase(200)],
    },
  },
);

/** 0 for x < 0, values for x = 0, 1 for x > 0 (NaN x: 0, as PyTorch); no gradient (PyTorch has none). */
const heaviside = elementwise(
  'heaviside',
  2,
  [],
  (b, [x, values]) => b.op('where', [b.op('eq', [x, b.scalar(0)]), b.detach(values), b.op('gt', [x, b.scalar(0)])]),
  {
    doc: 'step: 0 for x < 0, values where x = 0, 1 for x > 0; broadcasting; no gradient',
    tests: { cases: [...binaryCases(['mask', 'any']), { inputs: [{ shape: [TILE + 1] }, { shape: [1] }] }] },
  },
);

/** logit's eps: null (no clamp) or a number (x clamped to [eps, 1 − eps]). */
export interface LogitAttrs {
  eps?: number | null;
}
/**
 * log(z/(1 − z)), z = x or x clamped to [eps, 1 − eps] (PyTorch's formula and order: below eps
 * first, so eps > 0.5 gives eps below it and 1 − eps elsewhere); the gradient is PyTorch's,
 * 1/(z(1 − z)) inside the range (its bounds included: +∞ at 0 and 1 without eps), 0 outside it
 * with eps, NaN outside [0, 1] without.
 */
const logit: CompositeDef<LogitAttrs, 'logit'> = {
  kind: 'composite',
  name: 'logit',
  arity: 1,
  gradInputs: [0],
  doc: 'log(x/(1 − x)), x clamped to [eps, 1 − eps] when eps is given (gradient 0 outside)',
  plan: (ins, { eps = null }) => {
    if (eps !== null) numberAttr('logit', 'eps', eps, ins);
    return { shape: [...ins[0].shape] };
  },
  compose: <T>(b: Builder<T>, [x]: readonly T[], { eps = null }: LogitAttrs) => {
    // PyTorch's x < lo ? lo : (x > hi ? hi : x), not clamp: with eps > 0.5 (lo > hi) x < lo gives lo
    const [lo, hi] = [b.scalar(eps ?? 0), b.scalar(1 - (eps ?? 0))];
    const z = eps === null ? x : b.op('where', [b.op('lt', [x, lo]), lo, b.op('where', [b.op('gt', [x, hi]), hi, x])]);
    // log(z/(1 − z)) written as 2(log √z − log √(1 − z)): the same value within float32 rounding, and
    // PyTorch's derivative 1/(z(1 − z)) everywhere: +∞ at z = 0 and 1 (the quotient's derivative
    // meets ∞·0 there, NaN), NaN outside [0, 1] (√ of a negative), where the value is NaN
    const logRoot = (t: T) => b.op('log', [b.op('sqrt', [t])]);
    return b.op('mul', [b.op('sub', [logRoot(z), logRoot(b.op('sub', [b.scalar(1), z]))]), b.scalar(2)]);
  },
  tests: {
    cases: [
      ...unaryCases('unit'),
      ...[[1], [TILE + 1], [5, 7]].map((shape): TestCase<LogitAttrs> => ({
        inputs: [{ shape, domain: [-0.5, 1.5] }],
        attrs: { eps: 0.2 },
        name: `${fmtShape(shape)} eps 0.2`,
      })),
      { inputs: [{ shape: [TILE + 1], domain: [-0.5, 1.5] }], attrs: { eps: 0.7 }, name: '[9] eps 0.7 (lo > hi)' },
    ],
  },
};

// ---- renorm -------------------------------------------------------------------------------------
export interface RenormAttrs {
  p: number;
  dim: number;
  maxnorm: number;
}
function planRenorm(x: Meta, { p, dim, maxnorm }: RenormAttrs): number {
  if (x.shape.length === 0) throw new ShapeError('renorm', 'needs at least 1 dim, got a 0-d tensor');
  if (typeof p !== 'number' || !(p > 0)) throw new ValueError('renorm', `p must be a number > 0, got ${fmtValue(p)} ${ofTensor(x.shape)}`);
  if (typeof maxnorm !== 'number' || !(maxnorm >= 0))
    throw new ValueError('renorm', `maxnorm must be a number ≥ 0, got ${fmtValue(maxnorm)} ${ofTensor(x.shape)}`);
  return checkDim('renorm', dim, x.shape.length, x.shape);
}
/**
 * Each slice along dim with p-norm > maxnorm scaled by maxnorm/(norm + 1e-7), PyTorch's factor;
 * the norm is not detached, so the gradient goes through it, as PyTorch's renorm_backward.
 */
const renorm: CompositeDef<RenormAttrs, 'renorm'> = {
  kind: 'composite',
  name: 'renorm',
  arity: 1,
  gradInputs: [0],
  doc: 'each slice along dim whose p-norm exceeds maxnorm scaled to maxnorm (factor maxnorm/(norm + 1e-7))',
  plan: (ins, a) => {
    planRenorm(ins[0], a);
    return { shape: [...ins[0].shape] };
  },
  compose: (b, [x], a) => {
    const d = planRenorm({ shape: b.shape(x), dtype: 'float32' }, a);
    const others = b.shape(x).flatMap((_, k) => (k === d ? [] : [k]));
    // a 1-D tensor's slices are its elements: the norm of one element is |x| for every p
    const norm = others.length === 0 ? b.op('abs', [x]) : b.op('norm', [x], { p: a.p, dim: others, keepdim: true });
    const factor = b.op('div', [b.scalar(a.maxnorm), b.op('add', [norm, b.scalar(1e-7)])]);
    return b.op('mul', [x, b.op('where', [b.op('gt', [norm, b.scalar(a.maxnorm)]), factor, b.scalar(1)])]);
  },
  tests: {
    cases: [
      { inputs: [{ shape: [5, 3] }], attrs: { p: 2, dim: 0, maxnorm: 1.5 } },
      { inputs: [{ shape: [3, TILE + 1] }], attrs: { p: 1, dim: 1, maxnorm: 3 } },
      { inputs: [{ shape: [2, 3, 4] }], attrs: { p: 3, dim: 1, maxnorm: 2 } },
      { inputs: [{ shape: [17] }], attrs: { p: 2, dim: 0, maxnorm: 1 } },
      { inputs: [{ shape: [TILE - 1, 2] }], attrs: { p: 2, dim: -1, maxnorm: 100 }, name: '[7x2] nothing scaled' },
      { inputs: [{ shape: [0, 3] }], attrs: { p: 2, dim: 0, maxnorm: 1 } },
      { inputs: [{ shape: [1, 1] }], attrs: { p: 2, dim: 0, maxnorm: 0.1 } },
    ].map((c) => ({ ...c, name: c.name ?? `${fmtShape(c.inputs[0].shape)} ${JSON.stringify(c.attrs)}` })),
  },
};

// ---- beta·input + alpha·product -------------------------------------------------------------------
export interface AddProductAttrs {
  beta?: number;
  alpha?: number;
}
type Product = 'mm' | 'mv' | 'outer' | 'bmm' | 'addbmm';
/** The product's shape from the two factors' shapes, or what is wrong with them. */
const PRODUCTS: Record<Product, { want: string; ranks: [number, number]; shape: (a: readonly number[], b: readonly number[]) => number[] | string }> = {
  mm: { want: 'two 2-D matrices', ranks: [2, 2], shape: ([m, k], [k2, n]) => (k === k2 ? [m, n] : `mat1 has ${k} columns, mat2 has ${k2} rows`) },
  mv: {
    want: 'a 2-D matrix and a 1-D vector',
    ranks: [2, 1],
    shape: ([m, k], [k2]) => (k === k2 ? [m] : `the matrix has ${k} columns, the vector ${k2} elements`),
  },
  outer: { want: 'two 1-D vectors', ranks: [1, 1], shape: ([n], [m]) => [n, m] },
  bmm: {
    want: 'two 3-D batches of matrices',
    ranks: [3, 3],
    shape: ([bs, m, k], [bs2, k2, n]) =>
      bs !== bs2 ? `batch sizes ${bs} and ${bs2} differ` : k === k2 ? [bs, m, n] : `the matrices of batch1 have ${k} columns, those of batch2 ${k2} rows`,
  },
  addbmm: {
    want: 'two 3-D batches of matrices',
    ranks: [3, 3],
    shape: ([bs, m, k], [bs2, k2, n]) =>
      bs !== bs2 ? `batch sizes ${bs} and ${bs2} differ` : k === k2 ? [m, n] : `the matrices of batch1 have ${k} columns, those of batch2 ${k2} rows`,
  },
};

function planAddProduct(name: string, kind: Product, ins: readonly Meta[], a: AddProductAttrs): number[] {
  const { want, ranks, shape } = PRODUCTS[kind];
  numberAttr(name, 'beta', a.beta ?? 1, ins);
  numberAttr(name, 'alpha', a.alpha ?? 1, ins);
  const factors = ins.slice(1);
  if (factors.some((m, i) => m.shape.length !== ranks[i])) throw new ShapeError(name, `expects ${want} to multiply, got shapes ${fmtShapes(factors)}`);
  const s = shape(factors[0].shape, factors[1].shape);
  if (typeof s === 'string') throw new ShapeError(name, `shapes ${fmtShapes(factors)} cannot be multiplied (${s})`);
  const input = ins[0].shape;
  const fits = input.length <= s.length && input.every((d, k) => d === 1 || d === s[s.length - input.length + k]);
  if (!fits) throw new ShapeError(name, `input of shape ${fmtShape(input)} does not broadcast to the product's shape ${fmtShape(s)}`);
  return s;
}

/** Σ_b batch1[b]·batch2[b] as one product: [n, B·k] (batch1 read as [n, B, k]) times [B·k, p]. */
function batchSum<T>(b: Builder<T>, x: T, y: T): T {
  const [bs, n, k] = b.shape(x);
  const p = b.shape(y)[2];
  const rows = b.op('copy', [x], { shape: [n, bs, k], strides: [k, n * k, 1], as: [n, bs * k] });
  return b.op('matmul', [rows, reshape(b, y, [bs * k, p])]);
}

/** Test cases of an add-product op: its operands' shapes, under default, scaled and beta = 0 attributes in turn. */
const productCases = (shapes: number[][][]): TestCase<AddProductAttrs>[] =>
  shapes.map((s, i) => {
    const attrs = [{}, { beta: 0.5, alpha: -2 }, { beta: 0, alpha: 3 }][i % 3];
    return { inputs: s.map((shape) => ({ shape })), attrs, name: `${s.map(fmtShape).join(' ')} ${JSON.stringify(attrs)}` };
  });

/**
 * beta·input + alpha·(product of the factors), input broadcast to the product's shape. beta = 0
 * ignores input's values (NaN and ∞ included), as PyTorch, and still gives it PyTorch's zero
 * gradient: where with a false condition yields 0 and routes 0 back. A factor of 1 is not applied.
 */
function addProduct<N extends string>(name: N, kind: Product, info: OpInfo<AddProductAttrs>): CompositeDef<AddProductAttrs, N> {
  return {
    kind: 'composite',
    name,
    arity: 3,
    gradInputs: [0, 1, 2],
    plan: (ins, a) => ({ shape: planAddProduct(name, kind, ins, a) }),
    compose: (b, [input, x, y], { beta = 1, alpha = 1 }) => {
      const product = kind === 'addbmm' ? batchSum(b, x, y) : b.op(kind, [x, y]);
      const scaled = alpha === 1 ? product : b.op('mul', [product, b.scalar(alpha)]);
      const added = beta === 0 ? b.op('where', [b.scalar(0), input, b.scalar(0)]) : beta === 1 ? input : b.op('mul', [input, b.scalar(beta)]);
      return b.op('add', [added, scaled]);
    },
    ...info,
  };
}
const addmm = addProduct('addmm', 'mm', {
  doc: 'beta·input + alpha·(mat1·mat2), [m, k]·[k, n], input broadcast to [m, n] (torch.addmm)',
  tests: {
    cases: productCases([
      [
        [3, TILE + 1],
        [3, 5],
        [5, TILE + 1],
      ],
      [[TILE + 1], [2, 7], [7, TILE + 1]],
      [
        [1, 1],
        [17, 3],
        [3, 4],
      ],
      [[], [1, 1], [1, 1]],
      [
        [5, 1],
        [5, 0],
        [0, 3],
      ],
      [
        [0, 2],
        [0, 3],
        [3, 2],
      ],
    ]),
  },
});
const addmv = addProduct('addmv', 'mv', {
  doc: 'beta·input + alpha·(mat·vec), [m, k]·[k], input broadcast to [m] (torch.addmv)',
  tests: {
    cases: productCases([
      [[5], [5, TILE - 1], [TILE - 1]],
      [[1], [17, 3], [3]],
      [[], [TILE + 1, 1], [1]],
      [[3], [3, 0], [0]],
      [[0], [0, 4], [4]],
    ]),
  },
});
const addr = addProduct('addr', 'outer', {
  doc: 'beta·input + alpha·(vec1 ⊗ vec2), [n]⊗[m], input broadcast to [n, m] (torch.addr)',
  tests: {
    cases: productCases([
      [[3, TILE + 1], [3], [TILE + 1]],
      [[5], [TILE - 1], [5]],
      [[17, 1], [17], [2]],
      [[], [1], [1]],
      [[0, 3], [0], [3]],
    ]),
  },
});
const baddbmm = addProduct('baddbmm', 'bmm', {
  doc: 'beta·input + alpha·(batch1·batch2), [b, m, k]·[b, k, n], input broadcast to [b, m, n] (torch.baddbmm)',
  tests: {
    cases: productCases([
      [
        [2, 3, 4],
        [2, 3, 5],
        [2, 5, 4],
      ],
      [[4], [3, TILE + 1, TILE - 1], [3, TILE - 1, 4]],
      [
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
      [
        [2, 1, 3],
        [2, 1, 0],
        [2, 0, 3],
      ],
      [
        [0, 2, 2],
        [0, 2, 3],
        [0, 3, 2],
      ],
    ]),
  },
});
const addbmm = addProduct('addbmm', 'addbmm', {
  doc: 'beta·input + alpha·Σ_b batch1[b]·batch2[b], [b, m, k]·[b, k, n], input broadcast to [m, n] (torch.addbmm)',
  tests: {
    cases: productCases([
      [
        [3, 4],
        [2, 3, 5],
        [2, 5, 4],
      ],
      [[TILE + 1], [3, 5, TILE - 1], [3, TILE - 1, TILE + 1]],
      [
        [1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
      [
        [2, 3],
        [0, 2, 4],
        [0, 4, 3],
      ],
      [
        [2, 1],
        [17, 2, 1],
        [17, 1, 1],
      ],
    ]),
  },
});

// ---- inner, kron, tensordot, cross --------------------------------------------------------------

function planInner(ins: readonly Meta[]): number[] {
  const [a, b] = ins.map((m) => m.shape);
  if (a.length === 0 || b.length === 0) return a.length === 0 ? [...b] : [...a];
  if (a[a.length - 1] !== b[b.length - 1])
    throw new ShapeError('inner', `the last dims must match, got shapes ${fmtShapes(ins)} (${a[a.length - 1]} and ${b[b.length - 1]} elements)`);
  return [...a.slice(0, -1), ...b.slice(0, -1)];
}
/** Σ over the last dims: a as [M, k] times b as [N, k] transposed (one product), reshaped; a 0-d operand multiplies. */
const inner: CompositeDef<Record<string, never>, 'inner'> = {
  kind: 'composite',
  name: 'inner',
  arity: 2,
  gradInputs: [0, 1],
  doc: 'Σ over the last dims of a and b → a.shape[:-1] + b.shape[:-1]; a 0-d operand multiplies (torch.inner)',
  plan: (ins) => ({ shape: planInner(ins) }),
  compose: (b, [x, y]) => {
    const [sx, sy] = [b.shape(x), b.shape(y)];
    if (sx.length === 0 || sy.length === 0) return b.op('mul', [x, y]);
    const k = sx[sx.length - 1];
    const rows = (t: typeof x, s: readonly number[]) => reshape(b, t, [sizeOf(s.slice(0, -1)), k]);
    const product = b.op('matmul', [rows(x, sx), rows(y, sy)], { transposeB: true });
    return reshape(b, product, [...sx.slice(0, -1), ...sy.slice(0, -1)]);
  },
  tests: {
    cases: [
      [[3], [3]],
      [
        [2, 5],
        [4, 5],
      ],
      [
        [TILE + 1, TILE - 1],
        [2, 3, TILE - 1],
      ],
      [[], [5]],
      [[17, 1], []],
      [[1], [1]],
      [
        [0, 3],
        [2, 3],
      ],
      [[2, 0], [0]],
    ].map((s) => ({ inputs: s.map((shape) => ({ shape })) })),
  },
};

/** Both shapes with leading 1s to one rank; the result's dim k is a[k]·b[k]. */
function kronShapes(ins: readonly Meta[]): [number[], number[]] {
  const n = Math.max(ins[0].shape.length, ins[1].shape.length);
  const pad = (s: readonly number[]) => [...new Array<number>(n - s.length).fill(1), ...s];
  return [pad(ins[0].shape), pad(ins[1].shape)];
}
/** a as [a₀, 1, a₁, 1, …] times b as [1, b₀, 1, b₁, …] (one broadcasting mul), read as [a₀b₀, a₁b₁, …]. */
const kron: CompositeDef<Record<string, never>, 'kron'> = {
  kind: 'composite',
  name: 'kron',
  arity: 2,
  gradInputs: [0, 1],
  doc: 'Kronecker product: dim k of size a[k]·b[k], element (i·b[k] + j) = a[i]·b[j] per dim (torch.kron)',
  plan: (ins) => {
    const [sa, sb] = kronShapes(ins);
    return { shape: sa.map((d, k) => d * sb[k]) };
  },
  compose: (b, [x, y]) => {
    const [sa, sb] = kronShapes([x, y].map((t) => ({ shape: b.shape(t), dtype: 'float32' })));
    const prod = b.op('mul', [
      reshape(
        b,
        x,
        sa.flatMap((d) => [d, 1]),
      ),
      reshape(
        b,
        y,
        sb.flatMap((d) => [1, d]),
      ),
    ]);
    return reshape(
      b,
      prod,
      sa.map((d, k) => d * sb[k]),
    );
  },
  tests: {
    cases: [
      [[3], [2]],
      [
        [2, 3],
        [TILE + 1, 1],
      ],
      [[5], [2, 3]],
      [[2, 1, 3], [TILE - 1]],
      [[], [3]],
      [
        [1, 1],
        [1, 1],
      ],
      [
        [0, 3],
        [2, 2],
      ],
      [[17], [1]],
    ].map((s) => ({ inputs: s.map((shape) => ({ shape })) })),
  },
};

/** tensordot's dims: a count n (a's last n with b's first n) or the two lists of contracted dims. */
export interface TensordotAttrs {
  dims?: number | readonly [number | readonly number[], number | readonly number[]];
}
export function planTensordot(ins: readonly Meta[], { dims = 2 }: TensordotAttrs): { da: number[]; db: number[]; shape: number[] } {
  const [a, b] = ins.map((m) => m.shape);
  let da: number[], db: number[];
  if (typeof dims === 'number') {
    if (!Number.isInteger(dims) || dims < 0 || dims > a.length || dims > b.length)
      throw new ValueError('tensordot', `dims must be an integer in [0, ${Math.min(a.length, b.length)}], got ${fmtValue(dims)} (shapes ${fmtShapes(ins)})`);
    da = a.map((_, k) => k).slice(a.length - dims);
    db = b.map((_, k) => k).slice(0, dims);
  } else {
    const list = (v: unknown) => (typeof v === 'number' ? [v] : v);
    if (!Array.isArray(dims) || dims.length !== 2 || !Array.isArray(list(dims[0])) || !Array.isArray(list(dims[1])))
      throw new ValueError('tensordot', `dims must be an integer or a pair of lists of dims, got ${fmtValue(dims)}`);
    const [la, lb] = [list(dims[0]) as number[], list(dims[1]) as number[]];
    if (la.length !== lb.length)
      throw new ValueError('tensordot', `the two lists of dims must have one length, got ${fmtValue(dims)} (${la.length} and ${lb.length} dims)`);
    da = la.map((d) => checkDim('tensordot', d, a.length, a));
    db = lb.map((d) => checkDim('tensordot', d, b.length, b));
    for (const [l, s] of [
      [da, a],
      [db, b],
    ] as const)
      if (new Set(l).size !== l.length) throw new ValueError('tensordot', `a dim is contracted twice in ${fmtValue(dims)} ${ofTensor(s)}`);
  }
  da.forEach((d, i) => {
    if (a[d] !== b[db[i]])
      throw new ShapeError(
        'tensordot',
        `contracted dims differ in size: dim ${d} of a (${a[d]}) and dim ${db[i]} of b (${b[db[i]]}), shapes ${fmtShapes(ins)}`,
      );
  });
  const freeA = a.flatMap((s, k) => (da.includes(k) ? [] : [s]));
  const freeB = b.flatMap((s, k) => (db.includes(k) ? [] : [s]));
  return { da, db, shape: [...freeA, ...freeB] };
}
/** a's free dims then its contracted ones as [M, K], b's contracted ones then its free ones as [K, N]: one product. */
const tensordot: CompositeDef<TensordotAttrs, 'tensordot'> = {
  kind: 'composite',
  name: 'tensordot',
  arity: 2,
  gradInputs: [0, 1],
  doc: 'Σ over pairs of dims of a and b (dims: a count, default 2, or two lists) → a’s free dims then b’s (torch.tensordot)',
  plan: (ins, a) => ({ shape: planTensordot(ins, a).shape }),
  compose: (b, [x, y], attrs) => {
    const [sx, sy] = [b.shape(x), b.shape(y)];
    const { da, db, shape } = planTensordot(
      [sx, sy].map((s) => ({ shape: s, dtype: 'float32' })),
      attrs,
    );
    const K = sizeOf(da.map((d) => sx[d]));
    const freeX = sx.map((_, k) => k).filter((k) => !da.includes(k));
    const freeY = sy.map((_, k) => k).filter((k) => !db.includes(k));
    const M = sizeOf(freeX.map((k) => sx[k])),
      N = sizeOf(freeY.map((k) => sy[k]));
    const left = b.op('copy', [x], { ...permuteView(sx, [...freeX, ...da]), as: [M, K] });
    const right = b.op('copy', [y], { ...permuteView(sy, [...db, ...freeY]), as: [K, N] });
    return reshape(b, b.op('matmul', [left, right]), shape);
  },
  tests: {
    cases: (
      [
        { inputs: [{ shape: [3, 4, 5] }, { shape: [4, 5, 2] }], attrs: {} },
        { inputs: [{ shape: [TILE + 1, 3] }, { shape: [3, TILE - 1] }], attrs: { dims: 1 } },
        { inputs: [{ shape: [2, 3] }, { shape: [5] }], attrs: { dims: 0 } },
        {
          inputs: [{ shape: [3, 4, 5] }, { shape: [5, 3, 2] }],
          attrs: {
            dims: [
              [0, 2],
              [1, 0],
            ],
          },
        },
        { inputs: [{ shape: [17, 2] }, { shape: [17] }], attrs: { dims: [0, 0] } },
        { inputs: [{ shape: [1, 1] }, { shape: [1, 1] }], attrs: { dims: 2 } },
        { inputs: [{ shape: [0, 3] }, { shape: [3, 2] }], attrs: { dims: 1 } },
        { inputs: [{ shape: [2, 0] }, { shape: [0, 3] }], attrs: { dims: 1 } },
      ] as { inputs: { shape: number[] }[]; attrs: TensordotAttrs }[]
    ).map((c): TestCase<TensordotAttrs> => ({ ...c, name: `${fmtShapes(c.inputs)} dims ${JSON.stringify(c.attrs.dims ?? 2)}` })),
  },
};

/** cross's dim: null (torch 1.13: the first dim of a of size 3) or a dim of the broadcast shape. */
export interface CrossAttrs {
  dim?: number | null;
}
function planCross(ins: readonly Meta[], { dim = null }: CrossAttrs): { shape: number[]; dim: number } {
  const [a, b] = ins.map((m) => m.shape);
  if (a.length !== b.length) throw new ShapeError('cross', `a and b must have the same number of dims, got shapes ${fmtShapes(ins)}`);
  const shape = broadcastShapes('cross', [a, b]);
  let d: number;
  if (dim === null) {
    d = a.indexOf(3);
    if (d < 0) throw new ShapeError('cross', `no dim of size 3 in a of shape ${fmtShape(a)} (pass dim)`);
  } else d = checkDim('cross', dim, shape.length, shape);
  if (a[d] !== 3 || b[d] !== 3) throw new ShapeError('cross', `dim ${d} must have size 3 in both a and b, got shapes ${fmtShapes(ins)}`);
  return { shape, dim: d };
}
/** c = roll(a, −1)·roll(b, −2) − roll(a, −2)·roll(b, −1) along dim: cᵢ = aᵢ₊₁bᵢ₊₂ − aᵢ₊₂bᵢ₊₁ (indices mod 3). */
const cross: CompositeDef<CrossAttrs, 'cross'> = {
  kind: 'composite',
  name: 'cross',
  arity: 2,
  gradInputs: [0, 1],
  doc: 'cross product of 3-vectors along dim (default: the first dim of a of size 3, as torch 1.13); broadcasting',
  plan: (ins, a) => ({ shape: planCross(ins, a).shape }),
  compose: (b, [x, y], a) => {
    const { dim } = planCross(
      [x, y].map((t) => ({ shape: b.shape(t), dtype: 'float32' })),
      a,
    );
    const roll = (t: typeof x, shifts: number) => b.op('roll', [t], { shifts: [shifts], dims: [dim] });
    return b.op('sub', [b.op('mul', [roll(x, -1), roll(y, -2)]), b.op('mul', [roll(x, -2), roll(y, -1)])]);
  },
  tests: {
    cases: [
      { inputs: [{ shape: [3] }, { shape: [3] }], attrs: {} },
      { inputs: [{ shape: [TILE + 1, 3] }, { shape: [TILE + 1, 3] }], attrs: {} },
      { inputs: [{ shape: [3, 5] }, { shape: [3, 5] }], attrs: { dim: 0 } },
      { inputs: [{ shape: [2, 3, 3] }, { shape: [1, 3, 3] }], attrs: { dim: -1 } },
      { inputs: [{ shape: [17, 3] }, { shape: [1, 3] }], attrs: { dim: 1 } },
      { inputs: [{ shape: [0, 3] }, { shape: [0, 3] }], attrs: {} },
    ].map((c): TestCase<CrossAttrs> => ({ ...c, name: `${fmtShapes(c.inputs)} dim ${c.attrs.dim ?? 'default'}` })),
  },
};

/** Positive sizes and shapes, [0.05, 30] (the recurrences and the asymptotic branch) and three intervals of the reflection. */
const gammaCases = (): TestCase[] => [
  ...unaryCases('positive'),
  ...[[1], [TILE + 1], [5, 7]].flatMap((shape): TestCase[] => [
    { inputs: [{ shape, domain: [0.05, 30] }], name: `${fmtShape(shape)} x ∈ [0.05, 30]` },
    // the reflection, kept 0.2 from the poles (finite differences need a smooth neighbourhood)
    ...(
      [
        [-0.8, -0.2],
        [-4.8, -4.2],
        [-9.8, -9.2],
      ] as [number, number][]
    ).map((d): TestCase => ({ inputs: [{ shape, domain: d }], name: `${fmtShape(shape)} x ∈ [${d}]` })),
  ]),
];

/** c₀ + t·(c₁ + t·(c₂ + …)) (coefficients lowest first), in float32 steps as C's Horner loops round. */
export function horner<T>(b: Builder<T>, c: readonly number[], t: T): T {
  return c.slice(0, -1).reduceRight((p, k) => b.op('add', [b.op('mul', [p, t]), b.scalar(k)]), b.scalar(c[c.length - 1]));
}

/**
 * What digamma and lgamma start from: the mask x < 0 (where they reflect), frac(x) (the reflection's
 * argument, exact) and the mask of the negative integers (poles), with the constant and where helpers.
 */
function reflection<T>(b: Builder<T>, x: T) {
  const s = (v: number) => b.scalar(v);
  const where = (c: T, t: T, f: T) => b.op('where', [c, t, f]);
  const negative = b.op('lt', [x, s(0)]);
  const r = b.op('frac', [x]);
  return { s, where, negative, r, negInt: b.op('mul', [negative, b.op('eq', [r, s(0)])]) };
}

// ---- digamma ------------------------------------------------------------------------------------
/** Cephes' asymptotic coefficients as PyTorch's float32 calc_digamma holds them (a polynomial in 1/x², highest power first as polevl takes them). */
const PSI_ASYMPTOTIC = [
  8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3, -4.16666666666666666667e-3, 3.96825396825396825397e-3,
  -8.33333333333333333333e-3, 8.33333333333333333333e-2,
];
const PSI_10 = 2.25175258906672110764; // ψ(10)
const TRIGAMMA_10 = 0.10516633568168575; // ψ'(10) = π²/6 − Σ_{k<10} 1/k²
const RECURRENCE_STEPS = 10; // x > 0 reaches 10 within 10 steps of +1

/**
 * π·cot(πr) for r in (−1, 0), accurate in float32 (PyTorch takes π/tan(πr) in float64): r moves
 * by 1 into v ∈ [−1/2, 1/2) (exact), then |v| < 1/4 takes π/tan(πv), whose small argument rounds
 * relatively little, and |v| ≥ 1/4 takes −π·tan(π(v ∓ 1/2)) (cot θ = −tan(θ − π/2); v ∓ 1/2
 * exact), small near cot's zero at v = ±1/2 where π/tan would lose every digit.
 */
function piCot<T>(b: Builder<T>, r: T): T {
  const s = (v: number) => b.scalar(v);
  const v = b.op('where', [b.op('lt', [r, s(-0.5)]), b.op('add', [r, s(1)]), r]);
  const near = b.op('lt', [b.op('abs', [v]), s(0.25)]);
  const direct = b.op('div', [s(Math.PI), b.op('tan', [b.op('mul', [b.op('where', [near, v, s(0.125)]), s(Math.PI)])])]);
  const shifted = b.op('sub', [v, b.op('where', [b.op('gt', [v, s(0)]), s(0.5), s(-0.5)])]);
  const viaTan = b.op('mul', [b.op('tan', [b.op('mul', [shifted, s(Math.PI)])]), s(-Math.PI)]);
  return b.op('where', [near, direct, viaTan]);
}

/**
 * ψ(x) as PyTorch 1.13's float32 calc_digamma (Cephes), step for step so that the float32
 * roundings are the same: x < 0 reflects to ψ(1 − x) − π·cot(π·frac(x)) (piCot); then ψ(x) = ψ(x + 1) − 1/x
 * until x ≥ 10 (a fixed 10 masked steps, each adding 1 only where x < 10, as the loop does), and
 * ψ(10) exactly or the asymptotic log x − 1/(2x) − z·P(z), z = 1/x². Poles: ψ(±0) = ∓∞, a
 * negative integer NaN; ψ(∞) = ∞ with PyTorch's gradient 0. Each branch computes on a safe stand-in where it is not taken (frac −1/4,
 * x = 1), so no masked infinity turns the gradient NaN; the gradient (trigamma) is autodiff's
 * through the same steps, 0 at the poles (PyTorch's is ∞ or NaN there). Measured (bench/special-accuracy.ts) against torch 1.13
 * on 40,022 float32 points in [−10, 30] (WASM): x > 0 within 2 ulp at the 99th percentile, x < 0 within
 * 16; every difference within 4·2⁻²³·max(|ψ|, 1), the large ulp counts only near ψ's zeros, where
 * the reflection's terms cancel (torch's own float32 result is as far from the float64 value there).
 * The gradient is within 3.3e-7·max(|ψ'|, 1) of float64 trigamma 0.01 or more from the poles
 * (torch 1.13's float32 trigamma: 9e-5).
 */
const digamma: CompositeDef<Record<string, never>, 'digamma'> = {
  kind: 'composite',
  name: 'digamma',
  arity: 1,
  gradInputs: [0],
  doc: "ψ(x) = d/dx log Γ(x), PyTorch 1.13's float32 algorithm; ψ(0) = −∞, ψ(−0) = ∞, NaN at negative integers; gradient trigamma",
  plan: keepShape,
  compose: (b, [x]) => {
    const { s, where, negative, r, negInt: pole } = reflection(b, x);
    const reflect = b.op('sub', [negative, pole]);
    const zero = b.op('eq', [x, s(0)]);
    // +∞: ψ = ∞ with PyTorch's gradient ψ'(∞) = 0, a constant on the stand-in 1 (1/xs² would give ∞·0)
    const posInf = b.op('eq', [x, s(Infinity)]);
    const y = where(negative, b.op('sub', [s(1), x]), x);
    let xs = where(b.op('maximum', [b.op('maximum', [zero, pole]), posInf]), s(1), y);
    let acc = s(0);
    for (let k = 0; k < RECURRENCE_STEPS; k++) {
      const below = b.op('lt', [xs, s(10)]);
      acc = b.op('sub', [acc, where(below, b.op('div', [s(1), xs]), s(0))]);
      xs = where(below, b.op('add', [xs, s(1)]), xs);
    }
    const z = b.op('div', [s(1), b.op('mul', [xs, xs])]);
    const poly = horner(b, [...PSI_ASYMPTOTIC].reverse(), z);
    const asymptotic = b.op('sub', [b.op('sub', [b.op('add', [acc, b.op('log', [xs])]), b.op('div', [s(0.5), xs])]), b.op('mul', [z, poly])]);
    // ψ(10) is a constant to the value but not to the gradient: (xs − xs) adds 0 with slope ψ'(10)
    const at10 = b.op('add', [b.op('add', [acc, s(PSI_10)]), b.op('mul', [b.op('sub', [xs, b.detach(xs)]), s(TRIGAMMA_10)])]);
    const psi = where(b.op('eq', [xs, s(10)]), at10, asymptotic);
    const cot = piCot(b, where(reflect, r, s(-0.25)));
    const value = where(reflect, b.op('sub', [psi, cot]), psi);
    const atZero = where(b.op('lt', [b.op('atan2', [x, s(-1)]), s(0)]), s(Infinity), s(-Infinity));
    return where(zero, atZero, where(pole, s(NaN), where(posInf, s(Infinity), value)));
  },
  tests: { cases: gammaCases() },
};

// ---- lgamma -------------------------------------------------------------------------------------
/**
 * log Γ(2 + u) = u·Q(u) on u ∈ [−1/2, 1/2): Q of degree 13, fitted here for relative error (a
 * weighted least-squares fit iterated towards minimax on 600 Chebyshev points; 1.1e-10 in float64,
 * 1.6e-7 evaluated by Horner in float32 over 200,000 points). Coefficients are float32 values.
 */
const LGAMMA_Q = [
  0.42278432846069336, 0.32246702909469604, -0.0673523023724556, 0.020580807700753212, -0.00738555146381259, 0.0028905232902616262, -0.001192746451124549,
  0.0005094914231449366, -0.00022325650206767023, 0.0001006535385386087, -4.427482417668216e-5, 1.658262226555962e-5, -1.1382222510292195e-5,
  9.667290214565583e-6,
];
const LOG_SQRT_2PI = 0.9189385332046727; // log √(2π)
const STIRLING_FROM = 13;

/**
 * log|Γ(x)|. x ≥ 13: Stirling, (x − 1/2)(log x − 1) + (log √(2π) − 1/2) + 1/(12x) − 1/(360x³) +
 * 1/(1260x⁵) (written so that x·log x and −x do not cancel; the next term is below 1e-10). 0 < x < 13:
 * moved into [3/2, 5/2) by Γ(x + 1) = x·Γ(x), the factors gathered in two products (down: up to 11
 * exact x − k, up: x and x + 1), then log Γ = u·Q(u) + log(down) − log(up), u = x + up steps − 2
 * computed as one exact difference (x + 1 would round, and cost 800 ulp near x = 1): relative
 * accuracy at the zero x = 2 (Q carries the factor u) and near x = 1 (log Γ(x + 1) − log x cancel
 * less than a factor 2; reducing into [2, 3) instead lost up to 4000 ulp just below 2). x < 0: the reflection
 * log(π/|sin πx|) − log Γ(1 − x), sin taken of frac(x) moved into [−1/2, 1/2) (exact, small where
 * |sin| is). Poles (0, negative integers, −∞): +∞ with gradient 0 (PyTorch's is ∓∞ or NaN); +∞: +∞ with
 * PyTorch's gradient ∞. Masked
 * branches compute on safe stand-ins (2, 13, 1/2). The gradient (digamma) is autodiff's. Measured (bench/special-accuracy.ts)
 * against torch 1.13 (glibc's lgammaf) on 40,022 float32 points in [−10, 30] (WASM): x > 0 within 5 ulp
 * (99th percentile 2); x < 0 within 7.5·2⁻²³·max(|log Γ|, 1), large ulp counts only near the zeros
 * of log|Γ| between the poles, where the reflection's terms cancel (glibc treats those specially).
 * The gradient is within 8.3e-7·max(|ψ|, 1) of float64 digamma 0.01 or more from the poles.
 */
const lgamma: CompositeDef<Record<string, never>, 'lgamma'> = {
  kind: 'composite',
  name: 'lgamma',
  arity: 1,
  gradInputs: [0],
  doc: 'log|Γ(x)|: +∞ at 0, negative integers and ±∞; gradient digamma(x)',
  plan: keepShape,
  compose: (b, [x]) => {
    const { s, where, negative, r, negInt } = reflection(b, x);
    const pole = b.op('maximum', [b.op('maximum', [negInt, b.op('eq', [x, s(0)])]), b.op('eq', [x, s(-Infinity)])]);
    // +∞: ∞ with PyTorch's gradient ψ(∞) = ∞, both from exp of the ∞ itself (Stirling's terms
    // would give ∞/∞); every other branch takes the stand-in 2.5 there
    const posInf = b.op('eq', [x, s(Infinity)]);
    const atPosInf = b.op('exp', [where(posInf, x, s(0))]);
    const y = where(b.op('maximum', [pole, posInf]), s(2.5), where(negative, b.op('sub', [s(1), x]), x));
    const big = b.op('ge', [y, s(STIRLING_FROM)]);
    // Stirling
    const yb = where(big, y, s(STIRLING_FROM));
    const inv = b.op('div', [s(1), yb]);
    const inv2 = b.op('mul', [inv, inv]);
    const series = b.op('mul', [inv, b.op('add', [s(1 / 12), b.op('mul', [inv2, b.op('add', [s(-1 / 360), b.op('mul', [inv2, s(1 / 1260)])])])])]);
    const lead = b.op('mul', [b.op('sub', [yb, s(0.5)]), b.op('sub', [b.op('log', [yb]), s(1)])]);
    const stirling = b.op('add', [b.op('add', [lead, s(LOG_SQRT_2PI - 0.5)]), series]);
    // into [3/2, 5/2)
    let t = where(big, s(2), y);
    let down = s(1);
    for (let k = 0; k < STIRLING_FROM - 2; k++) {
      const m = b.op('ge', [t, s(2.5)]);
      t = where(m, b.op('sub', [t, s(1)]), t);
      down = where(m, b.op('mul', [down, t]), down);
    }
    // t ∈ (0, 5/2): one step up below 3/2, two below 1/2; u = t + steps − 2 taken as one exact difference
    const [up1, up2] = [1.5, 0.5].map((c) => b.op('lt', [t, s(c)]));
    const up = b.op('mul', [where(up1, t, s(1)), where(up2, b.op('add', [t, s(1)]), s(1))]);
    const u = where(up2, t, b.op('sub', [t, where(up1, s(1), s(2))]));
    const q = horner(b, LGAMMA_Q, u);
    const mid = b.op('add', [b.op('mul', [u, q]), b.op('sub', [b.op('log', [down]), b.op('log', [up])])]);
    const positive = where(big, stirling, mid);
    // reflection
    const v = where(b.op('lt', [r, s(-0.5)]), b.op('add', [r, s(1)]), r);
    const vs = where(b.op('sub', [negative, negInt]), v, s(0.5));
    const logSin = b.op('log', [b.op('abs', [b.op('sin', [b.op('mul', [vs, s(Math.PI)])])])]);
    const reflected = b.op('sub', [b.op('sub', [s(Math.log(Math.PI)), logSin]), positive]);
    return where(pole, s(Infinity), where(posInf, atPosInf, where(negative, reflected, positive)));
  },
  tests: { cases: gammaCases() },
};

// ---- polygamma ----------------------------------------------------------------------------------
/** B₂ₖ, k = 1..12, for the asymptotic series. */
const BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730];
const factorial = (n: number): number => (n < 2 ? 1 : n * factorial(n - 1));

export interface PolygammaAttrs {
  /** The order, an integer ≥ 0 (0: digamma). */
  n: number;
}

/**
 * ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹ n! Σₖ (x + k)⁻⁽ⁿ⁺¹⁾ for n ≥ 1 (n = 0: digamma). y = x, or 1 − x for x < 0, is
 * raised past X₀ = max(8, ⌈n/2⌉ + 2): the terms with y + k < X₀ are summed at once along a trailing
 * axis of X₀ shifts, then at z = y + (their count) the asymptotic series (n − 1)! z⁻ⁿ (1 + n/(2z) +
 * n Σ B₂ₖ (n + 1)…(n + 2k − 1)/(2k)! z⁻²ᵏ) takes the rest, with the terms that stay above 2⁻²⁸ at
 * z = X₀. x < 0 reflects: ψ⁽ⁿ⁾(x) = (−1)ⁿ ψ⁽ⁿ⁾(1 − x) − π dⁿ/dxⁿ cot πx, the derivative a polynomial
 * in C = π cot(π frac x) (piCot; Pₖ₊₁(c) = −(1 + c²) Pₖ′(c), all its coefficients of one sign, so
 * Horner does not cancel). The gradient ψ⁽ⁿ⁺¹⁾ is autodiff's through the same steps. Poles (0, the
 * negative integers) give (−1)ⁿ⁺¹∞ with gradient 0, and ±∞ what torch 1.13 gives: n = 1 0 and NaN,
 * n ≥ 2 NaN and (−1)ⁿ⁺¹∞. Measured: see the README's rules.
 */
const polygamma: CompositeDef<PolygammaAttrs, 'polygamma'> = {
  kind: 'composite',
  name: 'polygamma',
  arity: 1,
  gradInputs: [0],
  doc: 'the n-th derivative of digamma; gradient polygamma(n + 1, x)',
  plan: (ins, { n }) => {
    checkIntAtLeast('polygamma', 'n', n, 0);
    return { shape: [...ins[0].shape] };
  },
  compose: (b, [x], { n }) => {
    if (n === 0) return b.op('digamma', [x]);
    const { s, where, negative, r, negInt } = reflection(b, x);
    const sign = n % 2 ? 1 : -1;
    const pole = b.op('maximum', [negInt, b.op('eq', [x, s(0)])]);
    const y = where(pole, s(1), where(negative, b.op('sub', [s(1), x]), x));
    const X0 = Math.max(8, Math.ceil(n / 2) + 2);
    // m!·v⁻⁽ᵐ⁺¹⁾ as (v/2ᵉ)⁻⁽ᵐ⁺¹⁾·(m!/2ᵉ⁽ᵐ⁺¹⁾), 2ᵉ ≈ m!^(1/(m+1)): the division is exact, the factor near 1,
    // so neither m! (∞ in float32 from 34!) nor the power (z⁻³⁰ underflows at z = 30) leaves float32's range
    const scaled = (v: typeof x, m: number) => {
      const lg = Array.from({ length: m }, (_, k) => Math.log2(k + 1)).reduce((a, l) => a + l, 0);
      const e = Math.round(lg / (m + 1));
      return b.op('mul', [b.op('pow', [b.op('mul', [v, s(2 ** -e)])], { exponent: -m - 1 }), s(2 ** (lg - e * (m + 1)))]);
    };
    const t = b.op('add', [reshape(b, y, [...b.shape(y), 1]), arange(b, X0)]);
    const below = b.op('lt', [t, s(X0)]);
    const head = b.op('sumDims', [where(below, scaled(t, n), s(0))], { dim: -1 });
    const z = b.op('add', [y, b.op('sumDims', [below], { dim: -1 })]);
    const coef: number[] = [];
    for (let k = 1, rise = n + 1; k <= BERNOULLI.length; k++, rise *= (n + 2 * k - 2) * (n + 2 * k - 1)) {
      coef.push((n * BERNOULLI[k - 1] * rise) / factorial(2 * k));
      if (Math.abs(coef[k - 1]) * X0 ** (-2 * k) < 2 ** -28) break;
    }
    const w = b.op('pow', [z], { exponent: -2 });
    const series = b.op('add', [b.op('add', [s(1), b.op('div', [s(n / 2), z])]), b.op('mul', [w, horner(b, coef, w)])]);
    const psi = b.op('mul', [b.op('add', [head, b.op('mul', [scaled(z, n - 1), series])]), s(sign)]);
    // π dⁿ/dxⁿ cot πx = Σⱼ pⱼ πⁿ⁺¹⁻ʲ Cʲ (only the powers of C of n + 1's parity occur)
    let p = [0, 1];
    for (let k = 0; k < n; k++) {
      const d = p.slice(1).map((c, j) => c * (j + 1));
      p = [...d, 0, 0].map((_, j) => -((d[j] ?? 0) + (d[j - 2] ?? 0)));
    }
    const C = piCot(b, where(b.op('sub', [negative, negInt]), r, s(-0.25)));
    const cot = horner(
      b,
      p.map((c, j) => c * Math.PI ** (n + 1 - j)),
      C,
    );
    const value = where(negative, b.op('sub', [b.op('mul', [psi, s(n % 2 ? -1 : 1)]), cot]), psi);
    const inf = s(sign * Infinity);
    const ends = n === 1 ? [s(0), s(NaN)] : [s(NaN), inf];
    return where(pole, inf, where(b.op('eq', [x, s(Infinity)]), ends[0], where(b.op('eq', [x, s(-Infinity)]), ends[1], value)));
  },
  tests: {
    cases: [
      ...[1, 2, 3, 4].flatMap((n) => gammaCases().map((c) => ({ ...c, attrs: { n } }))),
      // digamma, and higher orders (m!/2ᵉ⁽ᵐ⁺¹⁾ inexact in float32 from 13)
      ...[0, 7, 13, 20].flatMap((n) =>
        gammaCases()
          .filter((_, i) => i < 4 || i % 4 === 1)
          .map((c) => ({ ...c, attrs: { n } })),
      ),
    ].map((c) => ({ ...c, name: `${c.name ?? fmtShape(c.inputs[0].shape)} n ${c.attrs.n}` })),
  },
};

/** torch.mvlgamma: log Γₚ(x) = p(p − 1)/4·log π + Σᵢ₌₀ᵖ⁻¹ log Γ(x − i/2), the p shifts along a trailing axis; gradient Σ ψ(x − i/2). */
const mvlgamma: CompositeDef<{ p: number }, 'mvlgamma'> = {
  kind: 'composite',
  name: 'mvlgamma',
  arity: 1,
  gradInputs: [0],
  doc: 'the multivariate log-gamma function of dimension p',
  plan: (ins, { p }) => {
    checkIntAtLeast('mvlgamma', 'p', p, 1);
    return { shape: [...ins[0].shape] };
  },
  compose: (b, [x], { p }) => {
    const t = b.op('sub', [reshape(b, x, [...b.shape(x), 1]), b.op('mul', [arange(b, p), b.scalar(0.5)])]);
    return b.op('add', [b.op('sumDims', [b.op('lgamma', [t])], { dim: -1 }), b.scalar((p * (p - 1) * Math.log(Math.PI)) / 4)]);
  },
  tests: {
    cases: [1, 2, 3, 5].flatMap((p) =>
      UNARY.map((shape): TestCase<{ p: number }> => ({
        inputs: [{ shape, domain: [(p - 1) / 2 + 0.2, p + 4] }],
        attrs: { p },
        name: `${fmtShape(shape)} p ${p}`,
      })),
    ),
  },
};

// ---- nextafter ----------------------------------------------------------------------------------
const F32_MAX = 3.4028234663852886e38; // (2 − 2⁻²³)·2¹²⁷
const MIN_EXPONENT = -126; // below it float32 is subnormal, spaced 2⁻¹⁴⁹ as at 2⁻¹²⁶

/**
 * The float32 after x in the direction of y, from arithmetic alone (no bit access): e = ⌊log₂|x|⌋,
 * corrected by one either way against exp2 (exact at integers), so the spacing at x is 2^(max(e, −126) − 23);
 * a step towards 0 from a power of two (not subnormal) is half that. x + step is exact in both
 * backends (the reference's float64 holds the float32 neighbour). x = y gives y (so ±0 keep y's sign), NaN
 * NaN, 0 ±2⁻¹⁴⁹, ±∞ ±F32_MAX; F32_MAX + its spacing overflows to ∞ in float32, as nextafter does. No gradient.
 */
const nextafter = elementwise(
  'nextafter',
  2,
  [],
  (b, [x0, y0]) => {
    const [x, y] = [b.detach(x0), b.detach(y0)];
    const s = (v: number) => b.scalar(v);
    const where = (c: typeof x, t: typeof x, f: typeof x) => b.op('where', [c, t, f]);
    const ax = b.op('abs', [x]);
    let e = b.op('floor', [b.op('log2', [ax])]);
    e = where(b.op('gt', [b.op('exp2', [e]), ax]), b.op('sub', [e, s(1)]), e);
    e = where(b.op('le', [b.op('exp2', [b.op('add', [e, s(1)])]), ax]), b.op('add', [e, s(1)]), e);
    const normal = b.op('gt', [e, s(MIN_EXPONENT)]);
    const spacing = b.op('exp2', [b.op('sub', [b.op('maximum', [e, s(MIN_EXPONENT)]), s(23)])]);
    const up = b.op('gt', [y, x]);
    const towardZero = b.op('eq', [up, b.op('lt', [x, s(0)])]);
    const half = b.op('mul', [b.op('mul', [towardZero, normal]), b.op('eq', [b.op('exp2', [e]), ax])]);
    const step = b.op('mul', [spacing, b.op('sub', [s(1), b.op('mul', [half, s(0.5)])])]);
    const direction = b.op('sub', [b.op('mul', [up, s(2)]), s(1)]);
    const finite = b.op('add', [x, b.op('mul', [step, direction])]);
    const atZero = b.op('mul', [direction, s(2 ** -149)]);
    const atInf = b.op('mul', [b.op('sign', [x]), s(F32_MAX)]);
    const moved = where(b.op('eq', [x, s(0)]), atZero, where(b.op('eq', [ax, s(Infinity)]), atInf, finite));
    const nan = b.op('maximum', [b.op('isnan', [x]), b.op('isnan', [y])]);
    return where(nan, s(NaN), where(b.op('eq', [x, y]), y, moved));
  },
  {
    doc: 'the next float32 after x towards y (y itself where x = y); broadcasting; no gradient',
    tests: {
      cases: [...binaryCases(), wideCase(1e30)],
    },
  },
);

export const PARITY_MATH_OPS = defineOps(
  xlogy,
  fmax,
  fmin,
  copysign,
  sinc,
  logaddexp2,
  heaviside,
  logit,
  renorm,
  addmm,
  addmv,
  addr,
  baddbmm,
  addbmm,
  inner,
  kron,
  tensordot,
  cross,
  digamma,
  lgamma,
  polygamma,
  mvlgamma,
  nextafter,
);
