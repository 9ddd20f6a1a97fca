/** Creation functions: tensors made from data live in the persistent region (see memory.ts). */
import { backend } from './engine.js';
import type { Backend } from './backend/types.js';
import { allocPersistent, allocTransient } from './memory.js';
import { fmtShape, type DType } from './ops/types.js';
import { normal, uniform } from './random.js';
import { Tensor, type NestedArray } from './tensor.js';

export interface CreateOptions {
  shape?: readonly number[];
  requiresGrad?: boolean;
  dtype?: DType;
}

function checkShape(fn: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new Error(`wasmgrad.${fn}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  return [...shape];
}

function flattenNested(fn: string, data: NestedArray): { shape: number[]; flat: number[] } {
  const shape: number[] = [];
  for (let v: NestedArray = data; Array.isArray(v); v = v[0]) shape.push(v.length);
  const flat: number[] = [];
  const walk = (v: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof v !== 'number') throw new Error(`wasmgrad.${fn}: ragged nested array (expected a number at depth ${dim})`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim])
      throw new Error(`wasmgrad.${fn}: ragged nested array: expected length ${shape[dim]} at depth ${dim}`);
    for (const x of v) walk(x, dim + 1);
  };
  walk(data, 0);
  return { shape, flat };
}

function make(fn: string, shape: number[], dtype: DType, fill: (be: Backend, ptr: number, n: number) => void, requiresGrad = false): Tensor {
  if (requiresGrad && dtype !== 'float32') throw new Error(`wasmgrad.${fn}: only float32 tensors can require grad`);
  const be = backend();
  const n = shape.reduce((a, b) => a * b, 1);
  const s = allocPersistent(be, n, fn);
  fill(be, s.ptr, n);
  return new Tensor(shape, dtype, s, requiresGrad);
}

/** A tensor from a number, nested arrays or a typed array (Int32Array gives int32). */
export function tensor(data: number | NestedArray | ArrayLike<number>, opts: CreateOptions = {}): Tensor {
  let shape: number[];
  let flat: ArrayLike<number>;
  if (typeof data === 'number') {
    shape = [];
    flat = [data];
  } else if (Array.isArray(data)) {
    ({ shape, flat } = flattenNested('tensor', data as NestedArray));
  } else if (data !== null && typeof data === 'object' && typeof (data as ArrayLike<number>).length === 'number') {
    flat = data as ArrayLike<number>;
    shape = [flat.length];
  } else throw new Error(`wasmgrad.tensor: cannot make a tensor from ${typeof data}`);
  const dtype: DType = opts.dtype ?? (data instanceof Int32Array ? 'int32' : 'float32');
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`wasmgrad.tensor: unknown dtype '${dtype}' (use 'float32' or 'int32')`);
  if (opts.shape !== undefined) {
    const want = checkShape('tensor', opts.shape);
    const n = want.reduce((a, b) => a * b, 1);
    if (n !== flat.length) throw new Error(`wasmgrad.tensor: shape ${fmtShape(want)} needs ${n} values, data has ${flat.length}`);
    shape = want;
  }
  if (dtype === 'int32')
    for (let i = 0; i < flat.length; i++)
      if (!Number.isInteger(flat[i]) || flat[i] < -2147483648 || flat[i] > 2147483647)
        throw new Error(`wasmgrad.tensor: int32 data must be 32-bit integers, got ${flat[i]} at index ${i}`);
  return make('tensor', shape, dtype, (be, p) => be.write(p, flat, dtype), opts.requiresGrad);
}

type Opts = Omit<CreateOptions, 'shape'>;

export function full(shape: readonly number[], value: number, opts: Opts = {}): Tensor {
  const dtype = opts.dtype ?? 'float32';
  return make('full', checkShape('full', shape), dtype, (be, p, n) => be.fill(p, n, value, dtype), opts.requiresGrad);
}
export const zeros = (shape: readonly number[], opts: Opts = {}): Tensor => full(shape, 0, opts);
export const ones = (shape: readonly number[], opts: Opts = {}): Tensor => full(shape, 1, opts);

/** 0, 1, ..., n-1 (or start, start+step, ... below end). */
export function arange(startOrN: number, end?: number, step = 1, opts: Opts = {}): Tensor {
  const [start, stop] = end === undefined ? [0, startOrN] : [startOrN, end];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`wasmgrad.arange: step must be a non-zero number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const vals = Array.from({ length: n }, (_, i) => start + i * step);
  return tensor(vals, { ...opts, shape: [n] });
}

function random(fn: string, shape: readonly number[], draw: () => number, opts: Opts): Tensor {
  const s = checkShape(fn, shape);
  return make(fn, s, 'float32', (be, p, n) => be.write(p, Float64Array.from({ length: n }, draw), 'float32'), opts.requiresGrad);
}
/** Standard normal samples from the seeded stream (wg.manualSeed). */
export const randn = (shape: readonly number[], opts: Opts = {}): Tensor => random('randn', shape, normal, opts);
/** Uniform [0, 1) samples from the seeded stream. */
export const rand = (shape: readonly number[], opts: Opts = {}): Tensor => random('rand', shape, uniform, opts);

/** @internal A 0-d transient constant for numbers mixed with tensors in ops. */
export function constant(value: number, be: Backend): Tensor {
  if (typeof value !== 'number') throw new Error(`wasmgrad: expected a Tensor or a number, got ${typeof value}`);
  const s = allocTransient(be, 1, 'constant');
  be.write(s.ptr, [value], 'float32');
  return new Tensor([], 'float32', s, false);
}

/** @internal Numbers mixed with tensors in an op become 0-d constants on the tensor's backend. */
export function lift(x: Tensor | number, like: Tensor): Tensor {
  return x instanceof Tensor ? x : constant(x, like.storage.backend);
}
