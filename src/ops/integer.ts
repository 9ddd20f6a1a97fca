/**
 * int32 ops: exact integer arithmetic (wrapping mod 2³² as PyTorch's int32 tensors do),
 * comparisons into the float32 0/1 masks of the contract, the dtype casts, and the logical ops on
 * float32 truth values. None has a gradient. Kernels: assembly/kernels/integer.ts.
 *
 * The public functions (src/api/elementwise.ts) route int32 operands here by PyTorch's type
 * promotion: int32 with int32 (or an integer number) stays int32, anything with a float becomes
 * float32 through `toFloat`. The reference computes in float64, exactly: every int32 sum,
 * difference and quotient is exact there, products go through Math.imul.
 */
import { forEachBroadcast, planBroadcast } from './broadcast.js';
import { ELEMENTWISE_OPS, TERNARY_SHAPES } from './elementwise.js';
import { ValueError, fmtValue } from '../errors.js';
import { R, defineOps, fmtShape, inp, numel, out, param, type DType, type InputSpec, type Meta, type OpSpec, type TestCase } from './types.js';

const INT32_MIN = -2147483648,
  INT32_MAX = 2147483647;
const TILE = 8; // as elementwise: sizes around two f32x4 vectors

/** Floor division as Python's //, wrapping INT32_MIN // −1 to INT32_MIN; 0 for a zero divisor (the API refuses it first). */
function floorDiv(a: number, b: number): number {
  return b === 0 ? 0 : Math.floor(a / b) | 0;
}
/** Remainder with the sign of the divisor (Python's %); 0 for a zero divisor. */
function floorMod(a: number, b: number): number {
  return b === 0 ? 0 : a - b * Math.floor(a / b);
}

/** Dtype and value range of a test operand. */
type Draw = Omit<InputSpec, 'shape'>;

// ---- binary, broadcasting ------------------------------------------------------------------
/** Shape pairs: sizes 1, odd, tile ± 1, broadcasting both ways, 0 (the first two of elementwise's three-operand shapes). */
const PAIRS = TERNARY_SHAPES.map(([a, b]) => [a, b]);

/**
 * A broadcasting binary op: `f` on the two operands' values, `op` the public name errors give,
 * `from` the operands' dtype, `dtype` the result's (int32 for arithmetic, float32 masks for
 * comparisons). Each entry of `tests.draws` (dtype and value range of both operands; the full int32
 * range exercises wrapping) runs on every shape pair.
 */
function binary<N extends string>(
  name: N,
  spec: { op: string; f: (a: number, b: number) => number; doc: string; from: DType; dtype: DType; tests: { draws: Draw[] } },
): OpSpec<Record<string, never>, N> {
  return {
    name,
    module: 'integer',
    arity: 2,
    inputDtypes: [spec.from, spec.from],
    gradInputs: [],
    doc: spec.doc,
    plan: (ins: readonly Meta[]) => ({ ...planBroadcast(spec.op, ins), dtype: spec.dtype }),
    ref: {
      fwd: (h, r) => {
        const a = inp(r, 0),
          b = inp(r, 1),
          o = out(r);
        forEachBroadcast(r.subarray(R.P), 2, (i, [ia, ib]) => (h[o + i] = spec.f(h[a + ia], h[b + ib])));
      },
    },
    tests: {
      tol: 0, // integers and masks are exact
      cases: spec.tests.draws.flatMap((draw) =>
        PAIRS.map(([a, b]): TestCase => ({
          inputs: [a, b].map((shape) => ({ ...draw, shape })),
          name: `[${a.join('x')}] [${b.join('x')}] ${JSON.stringify(draw.int ?? draw.domain)}`,
        })),
      ),
    },
  };
}

const FULL: [number, number] = [INT32_MIN, INT32_MAX + 1];
const SMALL: [number, number] = [-9, 10]; // ties and zeros occur
const ints = (...ranges: [number, number][]): Draw[] => ranges.map((int) => ({ dtype: 'int32', int }));
/** int32 arithmetic; its draws default to small values and the full range. */
const intArith = <N extends string>(name: N, op: string, f: (a: number, b: number) => number, info: { doc: string; tests?: { draws: Draw[] } }) =>
  binary(name, { op, f, doc: info.doc, from: 'int32', dtype: 'int32', tests: { draws: info.tests?.draws ?? ints(SMALL, FULL) } });
const intCompare = <N extends string>(name: N, op: string, f: (a: number, b: number) => boolean, sym: string) =>
  binary(name, {
    op,
    f: (a, b) => (f(a, b) ? 1 : 0),
    doc: `int32 a ${sym} b as a float32 1/0 mask`,
    from: 'int32',
    dtype: 'float32',
    tests: { draws: ints(SMALL, FULL) },
  });
/** a, b nonzero = true (NaN too, as PyTorch's bool(NaN)); int32 operands are cast to float32 first, which keeps them nonzero. */
const logical = <N extends string>(name: N, f: (a: boolean, b: boolean) => boolean, info: { doc: string }) =>
  binary(name, {
    op: name,
    f: (a, b) => (f(a !== 0, b !== 0) ? 1 : 0),
    doc: info.doc,
    from: 'float32',
    dtype: 'float32',
    tests: { draws: [{ domain: 'mask' }, { domain: 'any' }] },
  });

// ---- unary ---------------------------------------------------------------------------------
const UNARY_SHAPES = [[1], [3], [5, 7], [TILE - 1], [TILE + 1], [17, 3], [0], [3, 0]];

function unary<A, N extends string>(
  name: N,
  spec: {
    f: (x: number, p: readonly number[]) => number;
    doc: string;
    from: DType;
    to: DType;
    params?: (attrs: A, x: Meta) => number[];
    tests: { cases: { attrs?: A; range: [number, number] }[] };
  },
): OpSpec<A, N> {
  return {
    name,
    module: 'integer',
    arity: 1,
    inputDtypes: [spec.from],
    gradInputs: [],
    doc: spec.doc,
    plan: (ins: readonly Meta[], attrs: A) => ({ shape: [...ins[0].shape], dtype: spec.to, params: spec.params?.(attrs, ins[0]) ?? [] }),
    ref: {
      fwd: (h, r) => {
        const x = inp(r, 0),
          o = out(r),
          p = [param(r, 0), param(r, 1)];
        for (let i = 0; i < numel(r); i++) h[o + i] = spec.f(h[x + i], p);
      },
    },
    tests: {
      tol: 0,
      cases: spec.tests.cases.flatMap(({ attrs, range }) =>
        UNARY_SHAPES.map((shape): TestCase<A> => ({
          inputs: [spec.from === 'int32' ? { shape, dtype: 'int32', int: range } : { shape, domain: range }],
          attrs,
          name: `[${shape.join('x')}] in [${range.join(', ')})${attrs ? ` ${JSON.stringify(attrs)}` : ''}`,
        })),
      ),
    },
  };
}

/** clamp's integer bounds [lo, hi] (a null bound is the int32 extreme); the API sends non-integer bounds to the float clamp. */
function intBounds({ min, max }: { min: number | null; max: number | null }, x: Meta): number[] {
  const bound = (v: number | null, which: string, none: number) => {
    if (v === null) return none;
    if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX)
      throw new ValueError('clamp', `${which} must be an int32 integer or null for an int32 tensor, got ${fmtValue(v)} (x of shape ${fmtShape(x.shape)})`);
    return v;
  };
  return [bound(min, 'min', INT32_MIN), bound(max, 'max', INT32_MAX)];
}

/**
 * float32 → int32 as PyTorch on x86: truncation toward zero, and INT32_MIN (the x86 "integer
 * indefinite") for NaN, ±∞ and values outside the int32 range. The value is the float32 the
 * tensor holds (the reference rounds to it first).
 */
function truncInt(x: number): number {
  const f = Math.fround(x);
  return f >= INT32_MIN && f < 2147483648 ? Math.trunc(f) | 0 : INT32_MIN; // | 0: −0.5 gives 0, not −0
}

// ---- where with int32 values ---------------------------------------------------------------
const where = ELEMENTWISE_OPS.find((o) => o.name === 'where')!;
/**
 * where(cond, a, b) of int32 a and b, an int32 result (PyTorch): the float where's forward kernels
 * move 32-bit words without arithmetic (a bit select, or a load and a store), which is exact for
 * int32 words too; the condition is float32 (the API casts an int32 one, keeping it nonzero).
 */
const intWhere: OpSpec<Record<string, never>, 'intWhere'> = {
  name: 'intWhere',
  module: 'integer',
  arity: 3,
  inputDtypes: ['float32', 'int32', 'int32'],
  gradInputs: [],
  doc: 'cond ≠ 0 ? a : b for int32 a and b (NaN counts as true), broadcasting all three',
  plan: (ins: readonly Meta[]) => ({ ...planBroadcast('where', ins), dtype: 'int32' }),
  ref: { fwd: where.ref.fwd },
  tests: {
    tol: 0,
    cases: TERNARY_SHAPES.map((shapes) => ({
      inputs: [{ shape: shapes[0], domain: 'mask' as const }, ...shapes.slice(1).map((shape) => ({ shape, dtype: 'int32' as DType, int: FULL }))],
    })),
  },
};

// ---- the table -----------------------------------------------------------------------------
export const INTEGER_OPS = defineOps(
  intArith('intAdd', 'add', (a, b) => (a + b) | 0, { doc: 'int32 a + b, wrapping' }),
  intArith('intSub', 'sub', (a, b) => (a - b) | 0, { doc: 'int32 a − b, wrapping' }),
  intArith('intMul', 'mul', (a, b) => Math.imul(a, b), { doc: 'int32 a · b, wrapping' }),
  intArith('intFloorDivide', 'floorDivide', floorDiv, {
    doc: 'int32 ⌊a / b⌋ (Python //); INT32_MIN // −1 wraps to INT32_MIN; the kernel gives 0 for b = 0 (the API refuses it eagerly)',
    tests: { draws: ints(SMALL, FULL, [-3, 4]) },
  }),
  intArith('intRemainder', 'remainder', floorMod, {
    doc: 'int32 a mod b with the sign of b (Python %); 0 for b = 0 (refused eagerly by the API)',
    tests: { draws: ints(SMALL, FULL, [-3, 4]) },
  }),
  intArith('intMaximum', 'maximum', Math.max, { doc: 'int32 elementwise max' }),
  // bitwise ops: the public names (the API has no float form to share them with). JavaScript's
  // & | ^ << >> act on int32 exactly as WebAssembly's i32 ops, both taking a shift count mod 32
  // (PyTorch 1.13's CPU result, see README "Rules worth knowing").
  intArith('bitwiseAnd', 'bitwiseAnd', (a, b) => a & b, { doc: 'int32 a & b' }),
  intArith('bitwiseOr', 'bitwiseOr', (a, b) => a | b, { doc: 'int32 a | b' }),
  intArith('bitwiseXor', 'bitwiseXor', (a, b) => a ^ b, { doc: 'int32 a ^ b' }),
  intArith('bitwiseLeftShift', 'bitwiseLeftShift', (a, b) => a << b, {
    doc: 'int32 a << (b mod 32), wrapping',
    tests: { draws: ints(SMALL, FULL, [-40, 41]) },
  }),
  intArith('bitwiseRightShift', 'bitwiseRightShift', (a, b) => a >> b, {
    doc: 'int32 a >> (b mod 32), arithmetic (the sign fills in)',
    tests: { draws: ints(SMALL, FULL, [-40, 41]) },
  }),
  intArith('intMinimum', 'minimum', Math.min, { doc: 'int32 elementwise min' }),
  intCompare('intGt', 'gt', (a, b) => a > b, '>'),
  intCompare('intLt', 'lt', (a, b) => a < b, '<'),
  intCompare('intGe', 'ge', (a, b) => a >= b, '≥'),
  intCompare('intLe', 'le', (a, b) => a <= b, '≤'),
  intCompare('intEq', 'eq', (a, b) => a === b, '='),
  intWhere,
  logical('logicalAnd', (a, b) => a && b, { doc: 'a ≠ 0 and b ≠ 0 as a float32 1/0 mask, broadcasting' }),
  logical('logicalOr', (a, b) => a || b, { doc: 'a ≠ 0 or b ≠ 0 as a float32 1/0 mask, broadcasting' }),
  logical('logicalXor', (a, b) => a !== b, { doc: 'exactly one of a ≠ 0, b ≠ 0 as a float32 1/0 mask, broadcasting' }),
  unary('intNeg', {
    f: (x) => -x | 0,
    doc: 'int32 −x (−INT32_MIN wraps to INT32_MIN)',
    from: 'int32',
    to: 'int32',
    tests: { cases: [{ range: SMALL }, { range: FULL }] },
  }),
  unary('intAbs', {
    f: (x) => Math.abs(x) | 0,
    doc: 'int32 |x| (|INT32_MIN| wraps to INT32_MIN)',
    from: 'int32',
    to: 'int32',
    tests: { cases: [{ range: SMALL }, { range: FULL }] },
  }),
  unary<{ min: number | null; max: number | null }, 'intClamp'>('intClamp', {
    f: (x, [lo, hi]) => Math.min(Math.max(x, lo), hi),
    doc: 'int32 min(max(x, min), max); min > max gives max, as PyTorch',
    from: 'int32',
    to: 'int32',
    params: intBounds,
    tests: {
      cases: [
        { attrs: { min: -3, max: 4 }, range: SMALL },
        { attrs: { min: null, max: 0 }, range: FULL },
        { attrs: { min: 5, max: 2 }, range: SMALL },
      ],
    },
  }),
  unary('toInt', {
    f: truncInt,
    doc: 'float32 → int32: truncation toward zero; NaN, ±∞ and out-of-range values give INT32_MIN (as PyTorch on x86)',
    from: 'float32',
    to: 'int32',
    tests: { cases: [{ range: [-20, 20] }, { range: [-3e9, 3e9] }] },
  }),
  unary('toFloat', {
    f: Math.fround,
    doc: 'int32 → float32, rounding to nearest even beyond 2^24',
    from: 'int32',
    to: 'float32',
    tests: { cases: [{ range: SMALL }, { range: FULL }] },
  }),
);
