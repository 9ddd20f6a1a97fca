/**
 * Creation functions. What they make in user code belongs to the current step like an op result
 * (a batch made every step is freed by the steps; one held longer is spilled and made resident
 * again, see src/engine/memory.ts); a tensor that requires grad (a parameter) is persistent.
 * Every argument is validated before anything is allocated: the data's kind and values, shapes,
 * dtypes, range bounds and options, each error naming the function and the value given.
 */
import { backend, constant } from '../engine/engine.js';

export { constant };
import type { Backend } from '../engine/backend/types.js';
import { checkBool, checkOptions, isRecord } from '../engine/check.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { allocCreated, allocPersistent } from '../engine/memory.js';
import { sink } from '../engine/sink.js';
import { fmtShape, type DType } from '../ops/types.js';
import { normal, uniform } from '../random.js';
import { Tensor, type NestedArray } from '../engine/tensor.js';

export interface CreateOptions {
  shape?: readonly number[];
  requiresGrad?: boolean;
  dtype?: DType;
}
type Opts = Omit<CreateOptions, 'shape'>;

const DTYPES: readonly DType[] = ['float32', 'int32'];
/** Most dims a tensor (or nested array) may have; deeper nesting is refused rather than overflowing the stack. */
export const MAX_DIMS = 64;
const INT32_MIN = -2147483648,
  INT32_MAX = 2147483647;

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Position `[i, j, …]` of flat index i in `shape` (for messages). */
function position(i: number, shape: readonly number[]): string {
  const at = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    at[k] = i % shape[k];
    i = Math.floor(i / shape[k]);
  }
  return fmtShape(at);
}

/** A shape argument: an array (or one number, as torch.zeros(3)) of at most MAX_DIMS non-negative safe integers. */
export function checkShape(fn: string, shape: unknown, what = 'shape'): number[] {
  const s = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(s)) throw new ShapeError(fn, `${what} must be an array of non-negative integers, got ${fmtValue(shape)}`);
  const bad = s.findIndex((d) => !Number.isSafeInteger(d) || d < 0);
  if (bad >= 0)
    throw new ShapeError(
      fn,
      `${what} must be an array of non-negative integers, got ${fmtValue(shape)}${s === shape ? ` (dim ${bad} is ${fmtValue(s[bad])})` : ''}`,
    );
  if (s.length > MAX_DIMS) throw new ShapeError(fn, `${what} has ${s.length} dims, at most ${MAX_DIMS} are supported`);
  return [...s];
}

/** The dtype option: undefined, or one of `allowed` (an unknown name and a known one not allowed here both say so). */
function checkDtype(fn: string, dtype: unknown, allowed: readonly DType[] = DTYPES): DType | undefined {
  if (dtype === undefined || allowed.includes(dtype as DType)) return dtype as DType | undefined;
  if (DTYPES.includes(dtype as DType)) throw new DTypeError(fn, `makes ${allowed.join(' or ')} tensors, got dtype ${fmtValue(dtype)}`);
  throw new DTypeError(fn, `unknown dtype ${fmtValue(dtype)} (wasmgrad tensors are ${DTYPES.map((d) => `'${d}'`).join(' or ')})`);
}

/** The options of a creation function: an object with only `known` keys, a boolean requiresGrad, a known dtype. */
export function createOptions(fn: string, opts: unknown, known: readonly string[], dtypes?: readonly DType[]): CreateOptions {
  const o = checkOptions<CreateOptions>(fn, opts, known);
  checkBool(fn, 'requiresGrad', o.requiresGrad);
  checkDtype(fn, o.dtype, dtypes);
  return o;
}

/** The values as `dtype` stores them: int32 needs 32-bit integers (bigints too), float32 takes any number. */
function toDtype(fn: string, flat: ArrayLike<number | bigint>, shape: readonly number[], dtype: DType): ArrayLike<number> {
  let out: number[] | null = null; // a converted copy, made only when there are bigints
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v === 'bigint') {
      if (dtype === 'int32' && (v < INT32_MIN || v > INT32_MAX))
        throw new ValueError(
          fn,
          `value ${fmtValue(v)} at ${position(i, shape)} does not fit in int32 (wasmgrad has no int64; pass { dtype: 'float32' } to convert)`,
        );
      (out ??= Array.from(flat as ArrayLike<number>))[i] = Number(v);
    } else if (dtype === 'int32' && !(Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX))
      throw new ValueError(fn, `int32 data must be 32-bit integers, got ${fmtValue(v)} at ${position(i, shape)}`);
  }
  return out ?? (flat as ArrayLike<number>);
}

/** Writes n values gen(0..n-1) in blocks, so large tensors need no host array of their full size. */
export function writeGenerated(be: Backend, ptr: number, n: number, dtype: DType, gen: (i: number) => number): void {
  const BLOCK = 1 << 16;
  const buf = new Float64Array(Math.min(n, BLOCK));
  for (let i = 0; i < n; i += BLOCK) {
    const m = Math.min(BLOCK, n - i);
    for (let j = 0; j < m; j++) buf[j] = gen(i + j);
    be.write(ptr + i, m === buf.length ? buf : buf.subarray(0, m), dtype);
  }
}

/**
 * A tensor of `shape` whose block fill() writes. `args`: the arguments that fix its contents
 * (zeros, full, arange), which inside wg.compile makes it a constant of the program (see
 * ReplaySink.hoist); other tensors made inside a compiled function make it re-run its JavaScript.
 */
export function make(
  fn: string,
  shape: number[],
  dtype: DType,
  fill: (be: Backend, ptr: number, n: number) => void,
  requiresGrad = false,
  args?: string,
): Tensor {
  if (requiresGrad && dtype !== 'float32') throw new DTypeError(fn, `only float32 tensors can require grad, got dtype ${fmtValue(dtype)}`);
  const be = backend(undefined, fn);
  const n = count(shape);
  if (sink.mode !== 'off') {
    if (args !== undefined && !requiresGrad)
      return sink.hoist(
        `wg.${fn}(${args}, ${dtype})`,
        () => new Tensor(shape, dtype, allocPersistent(be, n, fn, true), false),
        (t) => fill(be, t.storage.ptr, n),
      );
    sink.slow(`a tensor ${fmtShape(shape)} ${dtype}${requiresGrad ? ' requiring grad' : ''} is created inside the function by wg.${fn}`);
  }
  const s = requiresGrad ? allocPersistent(be, n, fn, true) : allocCreated(be, n, fn);
  try {
    fill(be, s.ptr, n);
  } catch (e) {
    s.release(); // no handle will ever own the block
    throw e;
  }
  return new Tensor(shape, dtype, s, requiresGrad);
}

// ---- wg.tensor -----------------------------------------------------------------------------

type Leaf = number | bigint;
/** What tensor() reads: numbers, bigints or one-element tensors, nested in arrays, or a tensor. */
export type TensorData = Leaf | Tensor | readonly TensorData[];
/** Arrays and typed arrays (not DataView) are the list levels of tensor data. */
const isList = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
const isBigArray = (v: unknown) => v instanceof BigInt64Array || v instanceof BigUint64Array;

/**
 * Shape and row-major values of nested lists whose leaves are numbers (or bigints); `ints` when
 * the data asks for int32 by default: an Int32Array, BigInt64Array or BigUint64Array, bigints.
 */
function readData(fn: string, data: unknown): { shape: number[]; flat: ArrayLike<Leaf>; ints: boolean } {
  if (typeof data === 'number') return { shape: [], flat: [data], ints: false };
  if (typeof data === 'bigint') return { shape: [], flat: [data], ints: true };
  // torch.tensor(t): a copy of t's values, of its dtype unless the options say otherwise.
  if (data instanceof Tensor) return { shape: [...data.shape], flat: data.rawValues(), ints: data.dtype === 'int32' };
  if (!isList(data))
    throw new ValueError(fn, `data must be a number, a tensor, a (nested) array of numbers (or one-element tensors) or a typed array, got ${fmtValue(data)}`);
  if (!Array.isArray(data)) return { shape: [data.length], flat: data as ArrayLike<Leaf>, ints: data instanceof Int32Array || isBigArray(data) };
  const shape: number[] = [];
  for (let v: unknown = data; isList(v); v = v[0]) {
    if (shape.length === MAX_DIMS) throw new ShapeError(fn, `data is nested more than ${MAX_DIMS} levels deep`);
    shape.push(v.length);
    if (v.length === 0) break;
  }
  const flat: Leaf[] = [];
  let ints = true;
  const walk = (v: unknown, dim: number, path: string): void => {
    if (dim === shape.length) {
      // A one-element tensor stands for its number, as in torch.tensor([t0, t1]); an int32 one keeps the data integral.
      if (v instanceof Tensor) {
        if (v.size !== 1)
          throw new ValueError(fn, `data${path} is a tensor of shape ${fmtShape(v.shape)}: only one-element tensors can stand for numbers in the data`);
        if (v.dtype === 'float32') ints = false;
        flat.push(v.rawValues()[0]);
        return;
      }
      if (typeof v === 'number') ints = false;
      else if (typeof v !== 'bigint') {
        if (isList(v)) throw new ShapeError(fn, `ragged nested array: data${path} is ${fmtValue(v)}, expected a number (as data${'[0]'.repeat(dim)})`);
        throw new ValueError(fn, `data${path} is ${fmtValue(v)}, expected a number`);
      }
      flat.push(v);
      return;
    }
    if (!isList(v) || v.length !== shape[dim])
      throw new ShapeError(fn, `ragged nested array: data${path} is ${fmtValue(v)}, expected a list of length ${shape[dim]} (as data${'[0]'.repeat(dim)})`);
    for (let i = 0; i < v.length; i++) walk(v[i], dim + 1, `${path}[${i}]`);
  };
  walk(data, 0, '');
  return { shape, flat, ints: ints && flat.length > 0 };
}

/**
 * A tensor from a number, nested arrays, a typed array or a tensor (copied, as torch.tensor(t));
 * nested arrays may hold one-element tensors in place of numbers (torch.tensor([t0, t1])). The
 * dtype defaults to float32, and to int32 for an Int32Array, an int32 tensor (or nested int32
 * one-element tensors) and 64-bit integer data (BigInt64Array, BigUint64Array, bigints), whose
 * values must then fit in 32 bits (wasmgrad has no int64; PyTorch would make int64).
 */
export function tensor(data: TensorData | NestedArray | ArrayLike<number> | BigInt64Array | BigUint64Array, opts: CreateOptions = {}): Tensor {
  const o = createOptions('tensor', opts, ['shape', 'requiresGrad', 'dtype']);
  const read = readData('tensor', data);
  let shape = read.shape;
  if (o.shape !== undefined) {
    const want = checkShape('tensor', o.shape, 'options.shape');
    if (count(want) !== read.flat.length) throw new ShapeError('tensor', `shape ${fmtShape(want)} needs ${count(want)} values, data has ${read.flat.length}`);
    shape = want;
  }
  const dtype = o.dtype ?? (read.ints ? 'int32' : 'float32');
  const flat = toDtype('tensor', read.flat, shape, dtype);
  return make('tensor', shape, dtype, (be, p) => be.write(p, flat, dtype), o.requiresGrad);
}

// ---- filled, ranges, random ----------------------------------------------------------------

/** @internal `shape` filled with `value`; `fn` names the caller in errors (e.g. 'nn.BatchNorm1d'). */
export function filled(fn: string, shape: readonly number[] | number, value: number, opts: Opts | undefined): Tensor {
  const s = checkShape(fn, shape);
  const o = createOptions(fn, opts, ['requiresGrad', 'dtype']);
  const dtype = o.dtype ?? 'float32';
  if (typeof value !== 'number') throw new ValueError(fn, `value must be a number, got ${fmtValue(value)}`);
  const v = toDtype(fn, [value], [], dtype)[0];
  return make(fn, s, dtype, (be, p, n) => be.fill(p, n, v, dtype), o.requiresGrad, `${fmtShape(s)}, ${v}`);
}

/** The arguments of a factory taking a size: `(shape, opts?)`, or PyTorch's varargs `(2, 3)` / `(2, 3, opts)`. */
export type SizeArgs = [shape: readonly number[] | number, opts?: Opts] | [...size: number[], opts: Opts] | number[];

/**
 * The size and options of a factory call (zeros, ones, empty, rand, randn, x.newZeros, …):
 * `f(2, 3)` (or `f(2, 3, opts)`) is `f([2, 3])` (opts), as torch.zeros(2, 3).
 */
export function sizeArgs(args: readonly unknown[]): [readonly number[] | number, Opts | undefined] {
  if (args.length < 2 || typeof args[1] !== 'number') return [args[0] as readonly number[] | number, args[1] as Opts | undefined];
  const k = args.findIndex((a) => typeof a !== 'number');
  return k < 0 ? [args as number[], undefined] : [args.slice(0, k) as number[], args[k] as Opts | undefined];
}

/** A tensor of `shape` filled with `value`. */
export const full = (shape: readonly number[] | number, value: number, opts: Opts = {}): Tensor => filled('full', shape, value, opts);
/** Zeros of a shape: `zeros([2, 3])` or `zeros(2, 3)`, options last. */
export const zeros = (...args: SizeArgs): Tensor => {
  const [shape, opts] = sizeArgs(args);
  return filled('zeros', shape, 0, opts);
};
/** Ones of a shape: `ones([2, 3])` or `ones(2, 3)`, options last. */
export const ones = (...args: SizeArgs): Tensor => {
  const [shape, opts] = sizeArgs(args);
  return filled('ones', shape, 1, opts);
};

/**
 * 0, 1, ..., n-1, or start, start+step, ... up to end (excluded), PyTorch's torch.arange: the
 * bounds must be finite and agree with the step's sign, the step non-zero. The options may follow
 * the numbers in any position (`arange(5, { dtype: 'int32' })`); with dtype int32, start, end and
 * step must be integers.
 */
export function arange(startOrN: number, end?: number | Opts, step?: number | Opts, opts?: Opts): Tensor {
  const args = [end, step, opts];
  const at = args.findIndex(isRecord);
  const o = createOptions('arange', at < 0 ? undefined : args[at], ['requiresGrad', 'dtype']);
  const nums = at < 0 ? args : args.slice(0, at);
  if (at >= 0 && args.slice(at + 1).some((a) => a !== undefined))
    throw new ValueError('arange', `the options object must come last, got ${fmtValue([startOrN, ...args])}`);
  const [e, st = 1] = nums as (number | undefined)[];
  const [start, stop] = e === undefined ? [0, startOrN] : [startOrN, e];
  const named: [string, unknown][] = [
    ['start', start],
    ['end', stop],
    ['step', st],
  ];
  for (const [name, v] of named) if (typeof v !== 'number') throw new ValueError('arange', `${name} must be a number, got ${fmtValue(v)}`);
  if (!Number.isFinite(start) || !Number.isFinite(stop))
    throw new ValueError('arange', `unsupported range: ${fmtValue(start)} -> ${fmtValue(stop)} (start and end must be finite)`);
  if (!Number.isFinite(st) || st === 0) throw new ValueError('arange', `step must be a finite non-zero number, got ${fmtValue(st)}`);
  if (Math.sign(stop - start) === -Math.sign(st))
    throw new ValueError('arange', `upper bound and larger bound inconsistent with step sign: start ${start}, end ${stop}, step ${st}`);
  const dtype = o.dtype ?? 'float32';
  if (dtype === 'int32') {
    const frac = named.find(([, v]) => !Number.isInteger(v));
    if (frac) throw new ValueError('arange', `with dtype int32, ${frac[0]} must be an integer, got ${fmtValue(frac[1])}`);
    const last = start + Math.max(Math.ceil((stop - start) / st) - 1, 0) * st;
    if (Math.min(start, last) < INT32_MIN || Math.max(start, last) > INT32_MAX)
      throw new ValueError('arange', `values from ${start} to ${last} do not fit in int32`);
  }
  const n = Math.ceil((stop - start) / st);
  return make('arange', [n], dtype, (be, p) => writeGenerated(be, p, n, dtype, (i) => start + i * st), o.requiresGrad, `${start}, ${stop}, ${st}`);
}

/** @internal A float32 tensor of `shape` with values draw() in row-major order; `fn` names the caller in errors. */
export function generated(fn: string, shape: readonly number[] | number, draw: () => number, opts: Opts | undefined): Tensor {
  const s = checkShape(fn, shape);
  const o = createOptions(fn, opts, ['requiresGrad', 'dtype'], ['float32']);
  return make(fn, s, 'float32', (be, p, n) => writeGenerated(be, p, n, 'float32', draw), o.requiresGrad);
}
/** Standard normal samples from the seeded stream (wg.manualSeed), of a shape given as zeros' (`randn(2, 3)` too). */
export const randn = (...args: SizeArgs): Tensor => {
  const [shape, opts] = sizeArgs(args);
  return generated('randn', shape, normal, opts);
};
/** Uniform [0, 1) samples from the seeded stream (`rand(2, 3)` too). */
export const rand = (...args: SizeArgs): Tensor => {
  const [shape, opts] = sizeArgs(args);
  return generated('rand', shape, uniform, opts);
};

/** @internal Numbers mixed with tensors in an op become 0-d constants on the tensor's backend. */
export function lift(x: Tensor | number, like: Tensor): Tensor {
  return x instanceof Tensor ? x : constant(x, like.storage.backend);
}
