/**
 * The shape of one op-table entry and of the instruction record both backends execute.
 *
 * An instruction is a fixed record of REC_WORDS int32 words. Pointers are *word indices*
 * (4-byte units) into the backend's heap: WASM multiplies them by 4 to get a byte address, the
 * reference backend indexes its Float64Array with them directly. So the TS layer plans memory and
 * encodes records once, and both interpreters read the very same record.
 * The layout is declared once in ./contract.ts, which scripts/gen-ops.ts emits for AssemblyScript.
 */

import { ShapeError, ValueError, fmtShape, ofTensor, fmtValue } from '../errors.js';
import { FLAG_OVERWRITE, R, REC_WORDS, ginWord, inWord } from './contract.js';

export { fmtShape, ofTensor } from '../errors.js';

export type DType = 'float32' | 'int32';

export { FLAG_BACKWARD, FLAG_OVERWRITE, MAX_INPUTS, MAX_PARAMS, OPCODE_MASK, R, REC_WORDS, ginWord, inWord, paramRoom, pointerWords } from './contract.js';

/**
 * Records are cut from zeroed slabs of RECS_PER_SLAB: `new Int32Array(REC_WORDS)` is an off-heap
 * allocation (~0.4 µs measured here), a subarray of a slab ~0.04 µs, and an eager step makes a few
 * dozen records. A slab stays while any of its records is referenced (compiled programs, graphs not
 * yet run backward; backward drops the records of the nodes it frees).
 */
const RECS_PER_SLAB = 64;
let slab = new Int32Array(0);
let nextRec = RECS_PER_SLAB;
function freshRecord(): Int32Array {
  if (nextRec === RECS_PER_SLAB) {
    slab = new Int32Array(RECS_PER_SLAB * REC_WORDS);
    nextRec = 0;
  }
  return slab.subarray(nextRec * REC_WORDS, ++nextRec * REC_WORDS);
}

/**
 * A fresh record: its opcode, input count, output pointer, element count, kernel parameters and
 * scratch words (the plan's workspace: the arena's bound). The caller sets the input and
 * saved-buffer pointers, IN + i and AUX + j.
 */
export function newRecord(opcode: number, nin: number, out: number, n: number, params: readonly number[], workspace: number): Int32Array {
  const rec = freshRecord();
  rec[R.OPCODE] = opcode;
  rec[R.NIN] = nin;
  rec[R.OUT] = out;
  rec[R.N] = n;
  rec[R.WS_WORDS] = workspace;
  writeParams(rec, params);
  return rec;
}

/** Writes a record's kernel parameters. */
function writeParams(rec: Int32Array, params: readonly number[]): void {
  for (let k = 0; k < params.length; k++) rec[R.P + k] = params[k] | 0;
}

/** What the planner knows about an input tensor. */
export interface Meta {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** The result of planning one op call: output, saved buffers and the kernel parameters. */
export interface Plan {
  shape: number[];
  dtype?: DType; // default float32
  /** Kernel parameters, int32 words (floats go through f32bits). */
  params?: number[];
  /** Sizes in words of auxiliary buffers the forward kernel fills for the backward kernel. */
  aux?: number[];
  /** Words of scratch the forward or backward kernel needs (shared, not kept). */
  workspace?: number;
}

/** Reference kernel: runs one record on the float64 heap; `next` draws 32 bits from the global random stream (dropout). */
export type RefKernel = (h: Float64Array, r: Int32Array, next: () => number) => void;

/** How the test harness makes inputs for an op. */
export interface InputSpec {
  shape: number[];
  dtype?: DType;
  /** Value domain: default 'any' = uniform in [-2, 2]. */
  domain?: Domain;
  /** For int32 inputs: values drawn uniformly from [lo, hi). */
  int?: [number, number];
  /** This input is only data: no gradient is checked for it. */
  noGrad?: boolean;
}
export type Domain =
  | 'any' // uniform [-2, 2]
  | 'positive' // uniform [0.2, 2]
  | 'unit' // uniform (0.05, 0.95): probabilities
  | 'awayFromZero' // |x| in [0.2, 2], random sign: keeps clear of kinks at 0
  | 'mask' // 0 or 1
  | [number, number];

/**
 * A value for an input of this spec from uniform draws in [0, 1): int32 inputs from [lo, hi)
 * (default [0, 10)), float inputs from their domain (awayFromZero draws the sign, then the size).
 * The test harness feeds it a seeded generator, the init warm-up a fixed sequence.
 */
export function specValue(spec: InputSpec, u: () => number): number {
  if (spec.dtype === 'int32') {
    const [lo, hi] = spec.int ?? [0, 10];
    return lo + Math.floor(u() * (hi - lo));
  }
  const d = spec.domain ?? 'any';
  if (Array.isArray(d)) return d[0] + (d[1] - d[0]) * u();
  switch (d) {
    case 'any':
      return -2 + 4 * u();
    case 'positive':
      return 0.2 + 1.8 * u();
    case 'unit':
      return 0.05 + 0.9 * u();
    case 'awayFromZero':
      return (u() < 0.5 ? -1 : 1) * (0.2 + 1.8 * u());
    case 'mask':
      return u() < 0.5 ? 0 : 1;
  }
}

export interface TestCase<A = any> {
  inputs: InputSpec[];
  attrs?: A;
  /** Short label for the test name. */
  name?: string;
}

export interface OpTests<A = any> {
  cases: TestCase<A>[];
  /** Normalised tolerance for WASM f32 vs reference f64 (default 2e-5). */
  tol?: number;
  /** The op is not smooth enough for finite differences on these cases (reason required). */
  skipGradcheck?: string;
}

/**
 * An op as its group declares it (src/ops/<group>.ts). N is its name as a string literal type:
 * the table's names form the union OpName (src/ops/index.ts).
 */
export interface OpSpec<A = any, N extends string = string> {
  /** Public name, also the stem of the AS kernels: f32_<snake_name>_fwd / _bwd. */
  name: N;
  /** The AS module under assembly/kernels/ that exports the kernels. */
  module: string;
  /** Number of tensor inputs (past MAX_INPUTS they sit in the record's end words, as a variadic op's). */
  arity: number;
  /**
   * A call passes 1..arity inputs (cat, stack); inputs past MAX_INPUTS sit in the record's end
   * words (contract.ts inWord/ginWord). Variadic ops cannot declare overwritesGrad.
   */
  variadic?: boolean;
  /** Input dtypes accepted, per input (default float32 for all). */
  inputDtypes?: DType[];
  /** Which inputs can receive a gradient; [] = not differentiable (no backward kernel). */
  gradInputs: number[];
  /** Shape rule + validation: throws a WasmgradError (ShapeError, ValueError, ...) naming the op and shapes on bad input. */
  plan(inputs: readonly Meta[], attrs: A): Plan;
  /** float64 reference kernels (the gradient rule lives in bwd, which ADDS into GIN buffers). */
  ref: { fwd: RefKernel; bwd?: RefKernel };
  /**
   * Both backward kernels honour FLAG_OVERWRITE: for a flagged input they write every element of
   * that GIN buffer (its full extent, even where the gradient is 0) instead of adding into it.
   */
  overwritesGrad?: boolean;
  /**
   * With a worker pool, how a record of at least `min` elements (of the output; of the input for
   * 'outer') runs in parts (assembly/split.ts; the generated dispatch applies it to both kernels):
   * 'flat' every tensor but AUX holds N contiguous elements, 'rows' a broadcast plan cut along its
   * outermost dim, 'outer' an [outer, d, inner] segment view (P0..P2) cut along outer. Never for an
   * op that draws from the random stream. `aux: 'input'` ('outer' only): AUX holds input-shaped
   * buffers (cross-entropy's softmax), cut like the input rather than like the output.
   */
  split?: { cut: 'flat' | 'rows' | 'outer'; min: number; aux?: 'input' };
  /**
   * The backward written as table ops (so it is itself differentiable, runs on both backends and
   * wg.compile records it): what `createGraph: true` runs (src/engine/backward-differentiable.ts).
   * Entry i is the gradient w.r.t. input i, shaped like it (broadcast inputs summed back: sumTo),
   * or null (none, or not asked for: ctx.needs[i] false). Ops without it refuse createGraph.
   */
  vjp?<T>(b: Builder<T>, ctx: VjpContext<T, A>): (T | null)[];
  /** One-line description for the docs. */
  doc: string;
  tests: OpTests<A>;
}

/** What an op's vjp sees: the call's inputs, attributes and result, and the result's gradient. */
export interface VjpContext<T, A = any> {
  inputs: readonly T[];
  out: T;
  gout: T;
  attrs: A;
  /** Which inputs need a gradient (the others may get null). */
  needs: readonly boolean[];
  /**
   * The k-th block the forward kernel saved for its backward (plan.aux), as a fresh int32 tensor
   * of its words (a bit copy made now: the gradient's graph does not keep the old graph's block).
   * For state no op can recompute: dropout's seed, drawn by its kernel.
   */
  saved(k: number): T;
}

/**
 * An op of the table: its declaration and its opcode, the op's position in the table (OPS in
 * src/ops/index.ts), assigned there and emitted for AssemblyScript by scripts/gen-ops.ts.
 */
export type OpDef<A = any, N extends string = string> = OpSpec<A, N> & { readonly opcode: number };

/**
 * What a composite op is written against: the ops of the table by name, never Tensor (this layer
 * imports no engine). The engine runs `op` through apply, so the composite's primitives record
 * graph nodes (its gradient is autodiff's), compile records their launches, and the debug checks
 * see each of them.
 */
export interface Builder<T> {
  /** Runs the table's op `name` (a kernel op or another composite) on `inputs`. */
  op(name: string, inputs: readonly T[], attrs?: object): T;
  /** A 0-d float32 constant on the inputs' backend. */
  scalar(value: number): T;
  /** t's value as a constant for autodiff (no gradient flows back through it). */
  detach(t: T): T;
  shape(t: T): readonly number[];
}

/**
 * An op declared as a composition of other ops: no opcode, no kernel, no reference kernel; its
 * gradient comes from its primitives' backward kernels. Goes through the same harness as a kernel
 * op (values and gradients WASM vs reference, reference vs finite differences).
 * See docs/internals.md, "Composite ops", for when a composite is enough and when a kernel pays.
 */
export interface CompositeDef<A = any, N extends string = string> {
  kind: 'composite';
  name: N;
  arity: number;
  inputDtypes?: DType[];
  /** Which inputs receive a gradient (through the primitives); the harness checks exactly these. */
  gradInputs: number[];
  /**
   * Validation and the result's shape, run before compose: bad shapes or attributes throw naming
   * this op, not a primitive inside it. The harness checks compose's result has this shape.
   */
  plan(inputs: readonly Meta[], attrs: A): Pick<Plan, 'shape' | 'dtype'>;
  compose<T>(b: Builder<T>, inputs: readonly T[], attrs: A): T;
  doc: string;
  tests: OpTests<A>;
}

/**
 * An op's doc and test cases as a factory takes them: one object literal whose `doc` and `tests`
 * the published build strips (as every such property in src/ops), where positional arguments
 * would ship. The factory spreads it into the op.
 */
export type OpInfo<A = any> = Pick<CompositeDef<A>, 'doc' | 'tests'>;

/** An entry of the op table: a kernel op (OpDef) or a composite. */
export type TableOp<A = any> = OpDef<A> | CompositeDef<A>;

export const isComposite = <A>(op: OpSpec<A> | CompositeDef<A>): op is CompositeDef<A> => (op as CompositeDef<A>).kind === 'composite';

/** Declares a group of ops (a typed list; src/ops/index.ts gathers the groups into the table). */
export function defineOps<T extends (OpSpec | CompositeDef)[]>(...ops: T): T {
  return ops;
}

// ---- float parameters travel as float32 bits in int32 words --------------------------------
const f32buf = new Float32Array(1);
const i32buf = new Int32Array(f32buf.buffer);
export function f32bits(x: number): number {
  f32buf[0] = x;
  return i32buf[0];
}
export function bitsf32(b: number): number {
  i32buf[0] = b;
  return f32buf[0];
}

// ---- accessors for reference kernels -------------------------------------------------------
export const out = (r: Int32Array) => r[R.OUT];
export const inp = (r: Int32Array, i: number) => r[inWord(i)];
export const gout = (r: Int32Array) => r[R.GOUT];
export const gin = (r: Int32Array, i: number) => r[ginWord(i)];
export const aux = (r: Int32Array, j: number) => r[R.AUX + j];
export const numel = (r: Int32Array) => r[R.N];
/** Does this backward record overwrite GIN + i (FLAG_OVERWRITE) rather than add into it? */
export const overwrites = (r: Int32Array, i: number) => (r[R.OPCODE] & (FLAG_OVERWRITE << i)) !== 0;
/**
 * For a reference backward kernel of an op with overwritesGrad, which then adds as usual: clears
 * every GIN + i the record overwrites, over its sizes[i] words (the input's whole gradient).
 */
export function clearOverwritten(h: Float64Array, r: Int32Array, sizes: readonly number[]): void {
  sizes.forEach((size, i) => {
    const p = gin(r, i);
    if (p && overwrites(r, i)) h.fill(0, p, p + size);
  });
}
/** Number of elements of a shape (1 for a 0-d shape). */
export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The inputs' shapes as messages list them: "[2, 3] and [3]". */
export const fmtShapes = (ins: readonly { shape: readonly number[] }[]): string => ins.map((m) => fmtShape(m.shape)).join(' and ');

/** The plan of a composite whose result has its first input's shape. */
export const keepShape = (ins: readonly Meta[]) => ({ shape: [...ins[0].shape] });

/** Whether two shapes are equal. */
export const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** v as a finite number, else a ValueError naming fn and the argument (PyTorch's float arguments). */
export function checkFinite(fn: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(fn, `${what} must be a finite number, got ${fmtValue(v)}`);
  return v;
}

/** v as an integer ≥ min, else a ValueError naming fn and the argument. */
export function checkIntAtLeast(fn: string, what: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ValueError(fn, `${what} must be an integer ≥ ${min}, got ${fmtValue(v)}`);
  return v;
}

/** Throws a ValueError unless v is undefined or a boolean. */
export function checkBool(fn: string, name: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'boolean') throw new ValueError(fn, `${name} must be a boolean, got ${fmtValue(v)}`);
}

/**
 * A dim index in [-nd, nd) made non-negative (negative dims count from the end). Not an integer:
 * ValueError; out of range: ShapeError naming the tensor's shape.
 */
export function checkDim(op: string, dim: unknown, nd: number, shape: readonly number[], what = 'dim'): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new ValueError(op, `${what} must be an integer, got ${fmtValue(dim)} ${ofTensor(shape)}`);
  if (dim < -nd || dim >= nd)
    throw new ShapeError(op, `${what} ${dim} is out of range for a tensor of shape ${fmtShape(shape)} (expected an integer in [${-nd}, ${nd - 1}])`);
  return dim < 0 ? dim + nd : dim;
}

export const param = (r: Int32Array, k: number) => r[R.P + k];
export const paramf = (r: Int32Array, k: number) => bitsf32(r[R.P + k]);
