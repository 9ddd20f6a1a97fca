/**
 * The errors wasmgrad throws. Every one is a `WasmgradError`, so users can catch the library's
 * errors by type (`e instanceof wg.ShapeError`) and tell them from their own. The message always
 * starts with `wasmgrad.<fn>: ` — the op or function the user called — and says what was expected
 * and what was given; `fn` carries that name for programs.
 */
export class WasmgradError extends Error {
  /** The op or function that raised it, as the user calls it (e.g. 'matmul', 'nn.Linear', 'load'). */
  readonly fn: string;

  constructor(fn: string, message: string, options?: { cause?: unknown }) {
    super(fn ? `wasmgrad.${fn}: ${message}` : `wasmgrad: ${message}`, options);
    this.fn = fn;
  }
}

/** Shapes that do not fit the op (mismatched, not broadcastable, wrong rank, bad dims). */
export class ShapeError extends WasmgradError {}

/** A tensor of the wrong dtype, or an unknown dtype. */
export class DTypeError extends WasmgradError {}

/** A bad argument value: a hyperparameter out of range, a label outside [0, C), a wrong option. */
export class ValueError extends WasmgradError {}

/** The backend's memory cannot hold what was asked; names the sizes. Nothing was changed. */
export class OutOfMemoryError extends WasmgradError {
  constructor(
    fn: string,
    /** Bytes the failed allocation asked for. */
    readonly requestedBytes: number,
    /** Bytes the backend holds at most (its configured limit). */
    readonly availableBytes: number,
    detail = '',
  ) {
    super(fn, `out of memory: ${fmtBytes(requestedBytes)} requested, the heap holds ${fmtBytes(availableBytes)} at most${detail ? ` (${detail})` : ''}`);
  }
}

/** A tensor whose memory was freed: by dispose(), or with the compiled function that owned it. */
export class RecycledTensorError extends WasmgradError {}

/** A state dict that does not fit the module / optimizer / scheduler it is loaded into. */
export class StateDictError extends WasmgradError {}

/** Bytes that are not a valid safetensors file or checkpoint (header, offsets, metadata). */
export class FileFormatError extends WasmgradError {}

/** A NaN or infinity found by `wg.setDebug({ checkFinite: true })`. */
export class NonFiniteError extends WasmgradError {}

/** Autograd misuse: backward through a graph that was freed or modified in place, a non-scalar root without a seed, ... */
export class AutogradError extends WasmgradError {}

/** The WebAssembly backend: not initialised, failed to load, mixed backends, a kernel abort. */
export class BackendError extends WasmgradError {}

/** wg.compile: a step function that cannot be traced or replayed as written. */
export class CompileError extends WasmgradError {}

// Each class reports its own name in stack traces (`ShapeError: wasmgrad.matmul: ...`), set here
// rather than read from the constructor, which minifiers rename.
for (const [cls, name] of [
  [WasmgradError, 'WasmgradError'],
  [ShapeError, 'ShapeError'],
  [DTypeError, 'DTypeError'],
  [ValueError, 'ValueError'],
  [OutOfMemoryError, 'OutOfMemoryError'],
  [RecycledTensorError, 'RecycledTensorError'],
  [StateDictError, 'StateDictError'],
  [FileFormatError, 'FileFormatError'],
  [NonFiniteError, 'NonFiniteError'],
  [AutogradError, 'AutogradError'],
  [BackendError, 'BackendError'],
  [CompileError, 'CompileError'],
] as const)
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });

/** One of the classes above, as helpers that raise "the right subclass" take it. */
export type ErrorClass = new (fn: string, message: string) => WasmgradError;

/** A shape as messages show it: [2, 3], [] for a 0-d tensor. */
export function fmtShape(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

/** "(tensor of shape [2, 3])": the tensor an argument's error is about, as messages end. */
export const ofTensor = (s: readonly number[]): string => `(tensor of shape ${fmtShape(s)})`;

const MAX_ITEMS = 8;
const MAX_CHARS = 40;

/** Marks this copy's Tensor class (src/engine/tensor.ts), so that fmtValue can tell another copy's tensors. */
export const OWN_TENSOR = Symbol('wasmgrad.Tensor');

/**
 * Any value as messages show it, so a message names exactly what was given: numbers as JS prints
 * them (NaN, -Infinity, -0), strings quoted, bigints with their n, arrays and typed arrays with
 * their first items, tensors by shape and dtype, plain objects with their first keys, other
 * objects by class. The one formatter of the library's messages.
 */
export function fmtValue(v: unknown, depth = 0): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v.length > MAX_CHARS ? `${v.slice(0, MAX_CHARS)}…` : v);
    case 'bigint':
      return `${v}n`;
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'function':
      return v.name ? `a function (${v.name})` : 'a function';
    case 'symbol':
      return v.toString();
    case 'object':
      break;
    default:
      return String(v); // boolean, undefined
  }
  if (v === null) return 'null';
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    const items = v as ArrayLike<unknown>;
    const prefix = Array.isArray(v) ? '' : `${v.constructor.name} `;
    if (depth >= 2 && items.length > 0) return `${prefix}[…${items.length} items]`;
    const shown = Array.from({ length: Math.min(items.length, MAX_ITEMS) }, (_, i) => (i in items ? fmtValue(items[i], depth + 1) : 'empty'));
    if (items.length > MAX_ITEMS) shown.push(`… (${items.length} items)`);
    return `${prefix}[${shown.join(', ')}]`;
  }
  const o = v as { shape?: unknown; dtype?: unknown };
  const proto = Object.getPrototypeOf(v);
  if (Array.isArray(o.shape) && typeof o.dtype === 'string') {
    const t = `Tensor(${fmtShape(o.shape)}, ${o.dtype})`;
    // The ESM and the CommonJS build loaded side by side (or two installs) are two libraries whose
    // Tensor classes differ: `instanceof` fails on the other's tensors, which print the same.
    const foreign = !(OWN_TENSOR in o) && proto?.constructor?.name === 'Tensor';
    return foreign ? `${t} of another copy of wasmgrad (its ESM and CommonJS builds, or two installs, do not share tensors: load it one way)` : t;
  }
  if (proto === Object.prototype || proto === null) {
    if (depth >= 2) return '{…}';
    const keys = Object.keys(v);
    const shown = keys.slice(0, 4).map((k) => `${k}: ${fmtValue((v as Record<string, unknown>)[k], depth + 1)}`);
    if (keys.length > 4) shown.push('…');
    return `{${shown.join(', ')}}`;
  }
  const name = (proto?.constructor as { name?: string } | undefined)?.name;
  return name ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}` : 'an object';
}

/** Sizes for messages: bytes below 1 KiB, else KiB / MiB / GiB with three significant digits. */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toPrecision(3)} ${units[u]}`;
}

/** The JavaScript stack at the call (anomaly mode records where each forward op was created). */
export function currentStack(): string {
  return new Error().stack ?? '';
}
