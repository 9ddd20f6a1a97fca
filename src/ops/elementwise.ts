/** Elementwise ops: unary maps, broadcasting binary ops and `where`. Kernels: assembly/kernels/elementwise.ts. */
import { broadcastExtent, forEachBroadcast, planBroadcast, type BroadcastPlan } from './broadcast.js';
import { ALIGN_WORDS, SPLIT } from './contract.js';
import { sumTo } from './reduce.js';
import { ValueError, fmtValue } from '../errors.js';
import {
  R,
  clearOverwritten,
  defineOps,
  f32bits,
  fmtShape,
  gin,
  gout,
  inp,
  numel,
  out,
  paramf,
  type Domain,
  type Meta,
  type OpSpec,
  type RefKernel,
  type TestCase,
  type VjpContext,
  type Builder,
} from './types.js';

const TILE = 8; // two f32x4 vectors: sizes around it reach the SIMD body, its edge and the scalar tail

// ---- unary ---------------------------------------------------------------------------------
/** Float parameters of a unary op, as float32 values (record P0, P1; unused ones are 0). */
type Params = readonly number[];

export interface UnarySpec<A> {
  /** Kernel module (default 'elementwise'): assembly/kernels/<module>.ts. */
  module?: string;
  /** y = f(x). */
  f: (x: number, p: Params) => number;
  /** dy/dx from x and the output y kept from the forward. */
  df: (x: number, y: number, p: Params) => number;
  /** g·dy/dx as table ops (the op's vjp, for createGraph), from g, x, y and the attributes. */
  dg?: <T>(b: Builder<T>, g: T, x: T, y: T, attrs: A) => T;
  doc: string;
  /** Validates the attributes and gives the float parameters (at most 2). */
  params?: (attrs: A, x: Meta) => number[];
  /** Computes a transcendental function per element: splits across the pool from SPLIT.COSTLY elements, not SPLIT.MAP. */
  costly?: boolean;
  /**
   * Test data (stripped from the published build with the op's own `tests`): the input domain of
   * the default cases (default 'any'), or variants: attributes and domain, the first on every test
   * shape, the others on a few.
   */
  tests?: { domain?: Domain; variants?: { attrs: A; domain?: Domain }[] };
}

export function unary<A = Record<string, never>, N extends string = string>(name: N, spec: UnarySpec<A>): OpSpec<A, N> {
  const params = (r: Int32Array): Params => [paramf(r, 0), paramf(r, 1)];
  return {
    name,
    module: spec.module ?? 'elementwise',
    arity: 1,
    gradInputs: [0],
    overwritesGrad: true,
    split: { cut: 'flat', min: spec.costly ? SPLIT.COSTLY : SPLIT.MAP },
    doc: spec.doc,
    vjp: spec.dg && ((b, { gout, inputs, out, attrs }) => [spec.dg!(b, gout, inputs[0], out, attrs)]),
    plan: (ins: readonly Meta[], attrs: A) => ({ shape: [...ins[0].shape], params: (spec.params?.(attrs, ins[0]) ?? []).map(f32bits) }),
    ref: {
      fwd: (h, r) => {
        const x = inp(r, 0),
          o = out(r),
          p = params(r);
        for (let i = 0; i < numel(r); i++) h[o + i] = spec.f(h[x + i], p);
      },
      bwd: (h, r) => {
        const x = inp(r, 0),
          o = out(r),
          g = gout(r),
          gx = gin(r, 0),
          p = params(r);
        clearOverwritten(h, r, [numel(r)]);
        if (gx) for (let i = 0; i < numel(r); i++) h[gx + i] += h[g + i] * spec.df(h[x + i], h[o + i], p);
      },
    },
    tests: {
      cases: unaryVariants(spec).flatMap(({ attrs, domain }, k, variants) =>
        (k === 0 ? [[1], [3], [5, 7], [TILE - 1], [TILE + 1], [17, 3], [2, 3, 4, 5], [0], [3, 0]] : [[1], [TILE + 1], [5, 7]]).map((shape): TestCase<A> => ({
          inputs: [{ shape, domain }],
          attrs,
          name: caseName([shape], attrs, variants.length > 1 ? domain : undefined),
        })),
      ),
    },
  };
}

function unaryVariants<A>({ tests: t }: UnarySpec<A>) {
  return t?.variants ?? [{ attrs: {} as A, domain: t?.domain }];
}

function caseName(shapes: number[][], attrs: unknown, domain?: Domain): string {
  const parts = [shapes.map((s) => `[${s.join('x')}]`).join(' ')];
  for (const [k, v] of Object.entries(attrs ?? {})) parts.push(`${k}=${v}`);
  if (domain !== undefined) parts.push(`x∈${JSON.stringify(domain)}`);
  return parts.join(' ');
}

export function finiteParam(op: string, what: string, v: unknown, x: Meta): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ValueError(op, `${what} must be a finite number, got ${fmtValue(v)} (x of shape ${fmtShape(x.shape)})`);
  return v;
}

/** σ(x) with e = exp(−|x|) ≤ 1, never overflowing: 1/(1 + e) for x ≥ 0, e/(1 + e) for x < 0. */
export function sigmoid1(x: number): number {
  const e = Math.exp(-Math.abs(x));
  const r = 1 / (1 + e);
  return x >= 0 ? r : e * r;
}

// erf in float64 after W. J. Cody, "Rational Chebyshev approximations for the error function",
// Math. Comp. 23 (1969), as in SPECFUN's CALERF: relative error ~1e-16 on the whole line, which the
// gelu gradient check needs (finite differences with steps of 1e-6, checked to 1e-6).
const ERF_A = [3.1611237438705656, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3, 1.85777706184603153e-1];
const ERF_B = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3];
const ERF_C = [
  5.64188496988670089e-1, 8.88314979438837594, 6.61191906371416295e1, 2.98635138197400131e2, 8.8195222124176909e2, 1.71204761263407058e3, 2.05107837782607147e3,
  1.23033935479799725e3, 2.15311535474403846e-8,
];
const ERF_D = [
  1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3, 3.29079923573345963e3, 4.36261909014324716e3,
  3.43936767414372164e3, 1.23033935480374942e3,
];
const ERF_P = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2];
const ERF_Q = [2.56852019228982242, 1.87295284992346047, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];
const INV_SQRT_PI = 0.56418958354775628695;

/** erf x for |x| ≤ 0.46875: x·A(x²)/B(x²). */
function erfSmall(x: number): number {
  const z = x * x;
  let num = ERF_A[4] * z,
    den = z;
  for (let i = 0; i < 3; i++) {
    num = (num + ERF_A[i]) * z;
    den = (den + ERF_B[i]) * z;
  }
  return (x * (num + ERF_A[3])) / (den + ERF_B[3]);
}

/**
 * erfc y for y > 0.46875 (or NaN) as exp(−y²)·R(y), R from C/D up to 4 and from P/Q in 1/y² beyond:
 * a product, no cancellation, so its relative error stays ~1e-16 out to where it underflows
 * (erfc 27 < 1e-318 is 0 in float64).
 */
function erfcTail(y: number): number {
  if (y >= 27) return 0;
  let r: number;
  if (y <= 4) {
    let num = ERF_C[8] * y,
      den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + ERF_C[i]) * y;
      den = (den + ERF_D[i]) * y;
    }
    r = (num + ERF_C[7]) / (den + ERF_D[7]);
  } else {
    const z = 1 / (y * y);
    let num = ERF_P[5] * z,
      den = z;
    for (let i = 0; i < 4; i++) {
      num = (num + ERF_P[i]) * z;
      den = (den + ERF_Q[i]) * z;
    }
    r = (INV_SQRT_PI - (z * (num + ERF_P[4])) / (den + ERF_Q[4])) / y;
  }
  // exp(−y²) as exp(−t²)·exp(−(y − t)(y + t)), t = y truncated to sixteenths: t² is exact, so
  // the rounding error of y², amplified by y² in exp, never enters.
  const t = Math.trunc(y * 16) / 16;
  return Math.exp(-t * t) * Math.exp(-(y - t) * (y + t)) * r;
}

export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return erfSmall(x);
  if (y >= 6) return Number.isNaN(y) ? NaN : Math.sign(x); // erfc(6) < 2.2e-17: erf rounds to ±1
  const e = 0.5 - erfcTail(y) + 0.5;
  return x < 0 ? -e : e;
}

/** erfc x = 1 − erf x without cancellation for large x (the tail directly); 2 − erfc|x| below 0. */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return 1 - erfSmall(x);
  const t = erfcTail(y);
  return x < 0 ? 2 - t : t;
}

const INV_SQRT_2PI = 0.3989422804014327;
/** Φ(x), the standard normal CDF. */
const normalCdf = (x: number) => 0.5 * (1 + erf(x * Math.SQRT1_2));

// ---- binary with broadcasting --------------------------------------------------------------
/**
 * Gradient shares per element of a broadcast input from which the WASM backward adds them with
 * Kahan compensation: the input is *summed* (SUMMED_HITS in assembly/kernels/elementwise.ts, the
 * same rule).
 */
const SUMMED_HITS = 8;
/** Words of the kernel's Summed record (six 32-bit fields). */
const SUMMED_WORDS = 6;

/**
 * Workspace words of the backward of a broadcast plan with gradients for inputs `grads`: for each
 * summed input, its Summed record, one compensation word per element and, when it is contiguous
 * along the inner dim, a row partial; each block ALIGN_WORDS-aligned.
 */
function gradWorkspace(p: BroadcastPlan, grads: readonly number[]): number {
  const n = p.shape.reduce((a, b) => a * b, 1);
  const rank = p.params[0],
    inner = p.params[rank];
  let words = 0;
  for (const j of grads) {
    const e = broadcastExtent(p.params, j);
    if (n < SUMMED_HITS * e) continue;
    const contiguous = p.params[rank * (j + 2)] !== 0;
    words += 2 * ALIGN_WORDS + SUMMED_WORDS + e + (contiguous ? ALIGN_WORDS + inner : 0);
  }
  return words;
}

export interface BinarySpec {
  /** Kernel module (default 'elementwise'): assembly/kernels/<module>.ts. */
  module?: string;
  /** The public function errors name (default the op's name). */
  fn?: string;
  f: (a: number, b: number) => number;
  /** Partial derivatives from a, b and the output y; none for the comparisons (no gradient). */
  da?: (a: number, b: number, y: number) => number;
  db?: (a: number, b: number, y: number) => number;
  doc: string;
  /**
   * g·∂y/∂a and g·∂y/∂b as table ops, before broadcasting is undone (the op's vjp sums them to
   * the inputs' shapes): called for the inputs in ctx.needs.
   */
  dg?: <T>(b: Builder<T>, ctx: VjpContext<T>, i: number) => T;
  /** Test domains of a and b (default 'any'), stripped from the published build with the op's `tests`. */
  tests?: { domains: [Domain, Domain] };
  /** As UnarySpec.costly. */
  costly?: boolean;
}

/** Test operand shapes of the broadcasting binary ops. */
function BINARY_PAIRS(): [number[], number[]][] {
  return [
    [[1], [1]],
    [[3], [3]],
    [[7], []],
    [[], [5]],
    [[TILE + 1], [TILE + 1]],
    [[4, TILE - 1], [TILE - 1]],
    [
      [3, 1],
      [1, 5],
    ],
    [
      [2, 3, 4],
      [3, 1],
    ],
    [
      [17, 3],
      [17, 1],
    ],
    [
      [2, 1, 5],
      [4, 1],
    ],
    [
      [5, 17],
      [5, 1],
    ],
    [
      [3, 1],
      [3, 2 * TILE + 1],
    ],
    // 0-size: an empty dim broadcast against 1 stays empty, the non-empty operand gets a zero gradient.
    [[0], [1]],
    [[2, 0, 3], [3]],
    [
      [0, 1],
      [1, 5],
    ],
    // Summed gradients (≥ 8 shares per element, assembly/kernels/elementwise.ts): contiguous rows,
    // more than BLOCK = 16 of them at one offset, and runs of rows at changing offsets; broadcast
    // rows of several blocks of 16 steps plus a tail.
    [[17, TILE + 1], [TILE + 1]],
    [
      [3, 9, 5],
      [3, 1, 5],
    ],
    [
      [2, 73],
      [2, 1],
    ],
  ];
}

export function binary<N extends string>(name: N, spec: BinarySpec): OpSpec<any, N> {
  const { f, da, db } = spec;
  const bwd: RefKernel = (h, r) => {
    const a = inp(r, 0),
      b = inp(r, 1),
      o = out(r),
      g = gout(r),
      ga = gin(r, 0),
      gb = gin(r, 1);
    clearOverwritten(
      h,
      r,
      [0, 1].map((j) => broadcastExtent(r.subarray(R.P), j)),
    );
    forEachBroadcast(r.subarray(R.P), 2, (i, [ia, ib]) => {
      const x = h[a + ia],
        y = h[b + ib],
        z = h[o + i];
      if (ga) h[ga + ia] += h[g + i] * da!(x, y, z);
      if (gb) h[gb + ib] += h[g + i] * db!(x, y, z);
    });
  };
  return {
    name,
    module: spec.module ?? 'elementwise',
    arity: 2,
    gradInputs: da ? [0, 1] : [],
    overwritesGrad: da !== undefined,
    split: { cut: 'rows', min: spec.costly ? SPLIT.COSTLY : SPLIT.MAP },
    doc: spec.doc,
    vjp: spec.dg && ((b, ctx) => ctx.inputs.map((x, i) => (ctx.needs[i] ? sumTo(b, spec.dg!(b, ctx, i), b.shape(x)) : null))),
    plan: (ins: readonly Meta[]) => {
      const p = planBroadcast(spec.fn ?? name, ins);
      return da ? { ...p, workspace: gradWorkspace(p, [0, 1]) } : p;
    },
    ref: {
      fwd: (h, r) => {
        const a = inp(r, 0),
          b = inp(r, 1),
          o = out(r);
        forEachBroadcast(r.subarray(R.P), 2, (i, [ia, ib]) => (h[o + i] = f(h[a + ia], h[b + ib])));
      },
      bwd: da ? bwd : undefined,
    },
    tests: {
      cases: BINARY_PAIRS().map(([a, b]) => ({
        inputs: [
          { shape: a, domain: spec.tests?.domains[0] ?? 'any' },
          { shape: b, domain: spec.tests?.domains[1] ?? 'any' },
        ],
      })),
    },
  };
}

/** maximum/minimum gradient as PyTorch: all to the winner, half each on a tie, 0 to a loser (none loses to a NaN). */
const share = (tie: boolean, lose: boolean) => (tie ? 0.5 : lose ? 0 : 1);
/** maximum's (wins 'gt') or minimum's ('lt') g·share as table ops: g where input i wins, half of it at a tie. */
function extremumDg<T>(b: Builder<T>, { inputs, gout }: VjpContext<T>, i: number, wins: 'gt' | 'lt'): T {
  const [me, other] = [inputs[i], inputs[1 - i]];
  const mask = b.op('add', [b.op(wins, [me, other]), b.op('mul', [b.op('eq', [me, other]), b.scalar(0.5)])]);
  return b.op('mul', [gout, mask]);
}

/** Comparisons: float32 1/0 masks without gradient; inputs of 0s and 1s so that ties occur. */
const compare = <N extends string>(name: N, f: (a: number, b: number) => boolean, sym: string) =>
  binary(name, { f: (a, b) => (f(a, b) ? 1 : 0), doc: `a ${sym} b as 1/0, broadcasting; no gradient`, tests: { domains: ['mask', 'mask'] } });

// ---- where(cond, a, b) ---------------------------------------------------------------------
/** Shapes of three broadcasting operands for test cases (where, lerp): sizes 1, odd, tile ± 1, 0. */
export const TERNARY_SHAPES: number[][][] = [
  [[1], [1], [1]],
  [[3], [3], [3]],
  [[7], [7], []],
  [[TILE + 1], [], [TILE + 1]],
  [[4, TILE - 1], [TILE - 1], [4, 1]],
  [
    [3, 1],
    [1, 5],
    [3, 5],
  ],
  [[2, 3, 4], [3, 1], [4]],
  [[17, 3], [17, 1], [3]],
  [[0], [1], []],
  [[2, 0], [2, 1], [0]],
];

const whereOp: OpSpec<any, 'where'> = {
  name: 'where',
  module: 'elementwise',
  arity: 3,
  gradInputs: [1, 2],
  overwritesGrad: true,
  split: { cut: 'rows', min: SPLIT.MAP },
  doc: 'cond ≠ 0 ? a : b (NaN counts as true), broadcasting all three; gradient to a where cond holds, to b elsewhere, none to cond',
  vjp: (b, { inputs: [c, x, y], gout: g, needs }) => {
    const zero = b.scalar(0);
    return [null, needs[1] ? sumTo(b, b.op('where', [c, g, zero]), b.shape(x)) : null, needs[2] ? sumTo(b, b.op('where', [c, zero, g]), b.shape(y)) : null];
  },
  plan: (ins: readonly Meta[]) => {
    const p = planBroadcast('where', ins);
    return { ...p, workspace: gradWorkspace(p, [1, 2]) };
  },
  ref: {
    fwd: (h, r) => {
      const c = inp(r, 0),
        a = inp(r, 1),
        b = inp(r, 2),
        o = out(r);
      forEachBroadcast(r.subarray(R.P), 3, (i, [ic, ia, ib]) => (h[o + i] = h[c + ic] !== 0 ? h[a + ia] : h[b + ib]));
    },
    bwd: (h, r) => {
      const c = inp(r, 0),
        g = gout(r),
        ga = gin(r, 1),
        gb = gin(r, 2);
      clearOverwritten(
        h,
        r,
        [0, 1, 2].map((j) => (j === 0 ? 0 : broadcastExtent(r.subarray(R.P), j))),
      );
      forEachBroadcast(r.subarray(R.P), 3, (i, [ic, ia, ib]) => {
        if (h[c + ic] !== 0) {
          if (ga) h[ga + ia] += h[g + i];
        } else if (gb) h[gb + ib] += h[g + i];
      });
    },
  },
  tests: {
    cases: [
      ...TERNARY_SHAPES,
      [[], [5], [2, 5]],
      [
        [5, 17],
        [5, 17],
        [5, 17],
      ],
      [[17, 73], [73], [17, 1]], // a and b summed (see binary)
    ].map((shapes) => ({ inputs: [{ shape: shapes[0], domain: 'mask' as Domain }, { shape: shapes[1] }, { shape: shapes[2] }] })),
  },
};

// ---- the table -----------------------------------------------------------------------------
export const ELEMENTWISE_OPS = defineOps(
  binary('add', { f: (a, b) => a + b, da: () => 1, db: () => 1, dg: (_, { gout }) => gout, doc: 'a + b, broadcasting' }),
  binary('sub', { f: (a, b) => a - b, da: () => 1, db: () => -1, dg: (b, { gout }, i) => (i === 0 ? gout : b.op('neg', [gout])), doc: 'a − b, broadcasting' }),
  binary('mul', {
    f: (a, b) => a * b,
    da: (_, b) => b,
    db: (a) => a,
    dg: (b, { gout, inputs }, i) => b.op('mul', [gout, inputs[1 - i]]),
    doc: 'a · b, broadcasting',
  }),
  // d(a/b)/db = −a/b² taken as −y/b: no b² to overflow or underflow.
  binary('div', {
    f: (a, b) => a / b,
    da: (_, b) => 1 / b,
    db: (_, b, y) => -y / b,
    dg: (b, { gout, inputs, out }, i) => {
      const q = b.op('div', [gout, inputs[1]]);
      return i === 0 ? q : b.op('neg', [b.op('mul', [q, out])]);
    },
    doc: 'a / b, broadcasting',
    tests: { domains: ['any', 'awayFromZero'] },
  }),
  binary('maximum', {
    f: Math.max,
    da: (a, b) => share(a === b, a < b),
    db: (a, b) => share(a === b, a > b),
    dg: (b, ctx, i) => extremumDg(b, ctx, i, 'gt'),
    doc: 'elementwise max, broadcasting; NaN if either is NaN; a tie splits the gradient half/half',
  }),
  binary('minimum', {
    f: Math.min,
    da: (a, b) => share(a === b, a > b),
    db: (a, b) => share(a === b, a < b),
    dg: (b, ctx, i) => extremumDg(b, ctx, i, 'lt'),
    doc: 'elementwise min, broadcasting; NaN if either is NaN; a tie splits the gradient half/half',
  }),
  compare('gt', (a, b) => a > b, '>'),
  compare('lt', (a, b) => a < b, '<'),
  compare('ge', (a, b) => a >= b, '≥'),
  compare('le', (a, b) => a <= b, '≤'),
  compare('eq', (a, b) => a === b, '='),
  whereOp,
  unary('relu', {
    f: (x) => (x < 0 ? 0 : x),
    df: (x) => (x <= 0 ? 0 : 1),
    dg: (b, g, x) => b.op('where', [b.op('le', [x, b.scalar(0)]), b.scalar(0), g]),
    doc: 'max(x, 0); gradient 0 where x ≤ 0 (NaN passes it, as PyTorch)',
    tests: { domain: 'awayFromZero' },
  }),
  unary('neg', { f: (x) => -x, df: () => -1, dg: (b, g) => b.op('neg', [g]), doc: '−x' }),
  unary('exp', {
    costly: true,
    f: Math.exp,
    df: (_, y) => y,
    dg: (b, g, _, y) => b.op('mul', [g, y]),
    doc: 'eˣ; backward from the saved output',
    tests: { variants: [{ attrs: {} }, { attrs: {}, domain: [-10, 10] }] },
  }),
  unary('log', { costly: true, f: Math.log, df: (x) => 1 / x, dg: (b, g, x) => b.op('div', [g, x]), doc: 'natural log', tests: { domain: 'positive' } }),
  unary('sqrt', {
    f: Math.sqrt,
    df: (_, y) => 0.5 / y,
    dg: (b, g, _, y) => b.op('div', [g, b.op('mul', [y, b.scalar(2)])]),
    doc: '√x; backward 1/(2y) from the saved output',
    tests: { domain: 'positive' },
  }),
  unary('abs', {
    f: Math.abs,
    df: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
    dg: (b, g, x) => b.op('mul', [g, b.detach(b.op('sign', [x]))]),
    doc: '|x|; gradient sign(x), 0 at x = 0',
    tests: { domain: 'awayFromZero' },
  }),
  // square is a composite (x·x, src/ops/composite.ts): its kernel did not pay (docs/internals.md).
  unary('tanh', {
    costly: true,
    f: Math.tanh,
    df: (_, y) => 1 - y * y,
    dg: (b, g, _, y) => b.op('mul', [g, b.op('sub', [b.scalar(1), b.op('mul', [y, y])])]),
    doc: 'tanh x; backward 1 − y² from the saved output',
    tests: { variants: [{ attrs: {} }, { attrs: {}, domain: [-12, 12] }] },
  }),
  unary('sigmoid', {
    costly: true,
    f: sigmoid1,
    df: (_, y) => y * (1 - y),
    dg: (b, g, _, y) => b.op('mul', [g, b.op('mul', [y, b.op('sub', [b.scalar(1), y])])]),
    doc: '1/(1 + e⁻ˣ), stable for large |x|; backward y(1 − y) from the saved output',
    tests: { variants: [{ attrs: {} }, { attrs: {}, domain: [-30, 30] }] },
  }),
  unary('gelu', {
    costly: true,
    f: (x) => x * normalCdf(x),
    df: (x) => normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
    dg: (b, g, x) => {
      const s = (v: number) => b.scalar(v);
      const cdf = b.op('mul', [b.op('add', [b.op('erf', [b.op('mul', [x, s(Math.SQRT1_2)])]), s(1)]), s(0.5)]);
      const pdf = b.op('mul', [b.op('exp', [b.op('mul', [b.op('mul', [x, x]), s(-0.5)])]), s(INV_SQRT_2PI)]);
      return b.op('mul', [g, b.op('add', [cdf, b.op('mul', [x, pdf])])]);
    },
    doc: "x·Φ(x) with the exact erf form (PyTorch's default)",
    tests: { variants: [{ attrs: {} }, { attrs: {}, domain: [-7, 7] }] },
  }),
  // PyTorch's softplus: x where βx > threshold, else log(1 + e^(βx))/β in the stable form
  // (max(βx, 0) + log1p(e^−|βx|))/β, whose exp never overflows; derivative σ(βx) (1 above).
  unary<{ beta: number; threshold: number }, 'softplus'>('softplus', {
    costly: true,
    f: (x, [b, t]) => (b * x > t ? x : (Math.max(b * x, 0) + Math.log1p(Math.exp(-Math.abs(b * x)))) / b),
    df: (x, _, [b, t]) => (b * x > t ? 1 : sigmoid1(b * x)),
    dg: (b, g, x, _, { beta, threshold }) => {
      const bx = b.op('mul', [x, b.scalar(Math.fround(beta))]);
      return b.op('where', [b.op('gt', [bx, b.scalar(Math.fround(threshold))]), g, b.op('mul', [g, b.op('sigmoid', [bx])])]);
    },
    doc: 'log(1 + e^(βx))/β, stable; x where βx > threshold (PyTorch defaults β = 1, threshold 20)',
    params: ({ beta, threshold }, x) => [finiteParam('softplus', 'beta', beta, x), finiteParam('softplus', 'threshold', threshold, x)],
    tests: {
      variants: [
        { attrs: { beta: 1, threshold: 20 } },
        { attrs: { beta: 1, threshold: 20 }, domain: [-30, 19] },
        { attrs: { beta: 2.5, threshold: 4 }, domain: [-5, 5] },
        { attrs: { beta: 0.5, threshold: 20 }, domain: [-60, 30] },
        { attrs: { beta: -1.5, threshold: 3 }, domain: [-5, 5] },
      ],
    },
  }),
  unary<{ slope: number }, 'leakyRelu'>('leakyRelu', {
    f: (x, [s]) => (x > 0 ? x : s * x),
    df: (x, _, [s]) => (x > 0 ? 1 : s),
    // (float parameters as the kernels see them: float32)
    dg: (b, g, x, _, { slope }) => b.op('where', [b.op('gt', [x, b.scalar(0)]), g, b.op('mul', [g, b.scalar(Math.fround(slope))])]),
    doc: 'x for x > 0, else slope·x',
    params: ({ slope }, x) => [finiteParam('leakyRelu', 'slope', slope, x)],
    tests: {
      variants: [
        { attrs: { slope: 0.01 }, domain: 'awayFromZero' },
        { attrs: { slope: 0.2 }, domain: 'awayFromZero' },
        { attrs: { slope: -1.5 }, domain: 'awayFromZero' },
      ],
    },
  }),
  unary<{ min: number | null; max: number | null }, 'clamp'>('clamp', {
    f: (x, [lo, hi]) => {
      const r = x < lo ? lo : x;
      return hi < r ? hi : r;
    },
    df: (x, _, [lo, hi]) => (x >= lo && x <= hi ? 1 : 0),
    dg: (b, g, x, _, a) => {
      const [lo, hi] = clampBounds(a, { shape: b.shape(x), dtype: 'float32' }).map(Math.fround);
      return b.op('where', [b.op('mul', [b.op('ge', [x, b.scalar(lo)]), b.op('le', [x, b.scalar(hi)])]), g, b.scalar(0)]);
    },
    doc: 'min(max(x, min), max) (a null bound is absent; min > max gives max, as PyTorch); gradient where min ≤ x ≤ max',
    params: clampBounds,
    tests: { variants: [{ attrs: { min: -0.5, max: 1.25 } }, { attrs: { min: -1, max: null } }, { attrs: { min: null, max: 0.75 } }] },
  }),
  unary<{ exponent: number }, 'pow'>('pow', {
    costly: true,
    f: (x, [e]) => Math.pow(x, e),
    df: (x, _, [e]) => (e === 0 ? 0 : e * Math.pow(x, e - 1)),
    dg: (b, g, x, _, { exponent: e }) =>
      b.op('mul', [g, e === 0 ? b.scalar(0) : b.op('mul', [b.op('pow', [x], { exponent: Math.fround(e) - 1 }), b.scalar(Math.fround(e))])]),
    doc: 'xᵉ for a number e (negative x: real only for integer e, else NaN); gradient e·x^(e−1), 0 for e = 0',
    params: ({ exponent }, x) => [finiteParam('pow', 'exponent', exponent, x)],
    tests: {
      variants: [
        { attrs: { exponent: 2 } },
        { attrs: { exponent: 3 } },
        { attrs: { exponent: -1 }, domain: 'awayFromZero' },
        { attrs: { exponent: 0.5 }, domain: 'positive' },
        { attrs: { exponent: -1.5 }, domain: 'positive' },
        { attrs: { exponent: 0 } },
        { attrs: { exponent: 1 } },
      ],
    },
  }),
);

/** clamp's bounds as [lo, hi], a null bound becoming ∓∞; at least one is needed. */
function clampBounds({ min, max }: { min: number | null; max: number | null }, x: Meta): number[] {
  const bound = (v: number | null | undefined, which: string, none: number) => {
    if (v === null || v === undefined) return none;
    if (typeof v !== 'number' || Number.isNaN(v))
      throw new ValueError('clamp', `${which} must be a number or null, got ${fmtValue(v)} (x of shape ${fmtShape(x.shape)})`);
    return v;
  };
  if ((min ?? null) === null && (max ?? null) === null)
    throw new ValueError('clamp', `needs at least one bound, got min = ${fmtValue(min)} and max = ${fmtValue(max)} (x of shape ${fmtShape(x.shape)})`);
  return [bound(min, 'min', -Infinity), bound(max, 'max', Infinity)];
}
