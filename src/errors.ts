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

  // Each subclass reports its own name (`ShapeError: wasmgrad.matmul: ...`), minifier-proof.
  override get name(): string {
    return 'WasmgradError';
  }
}

/** Shapes that do not fit the op (mismatched, not broadcastable, wrong rank, bad dims). */
export class ShapeError extends WasmgradError {
  override get name(): string {
    return 'ShapeError';
  }
}

/** A tensor of the wrong dtype, or an unknown dtype. */
export class DTypeError extends WasmgradError {
  override get name(): string {
    return 'DTypeError';
  }
}

/** A bad argument value: a hyperparameter out of range, a label outside [0, C), a wrong option. */
export class ValueError extends WasmgradError {
  override get name(): string {
    return 'ValueError';
  }
}

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
  override get name(): string {
    return 'OutOfMemoryError';
  }
}

/** A tensor whose memory was recycled (an op result kept past its lifetime). */
export class RecycledTensorError extends WasmgradError {
  override get name(): string {
    return 'RecycledTensorError';
  }
}

/** A state dict that does not fit the module / optimizer / scheduler it is loaded into. */
export class StateDictError extends WasmgradError {
  override get name(): string {
    return 'StateDictError';
  }
}

/** Bytes that are not a valid safetensors file or checkpoint (header, offsets, metadata). */
export class FileFormatError extends WasmgradError {
  override get name(): string {
    return 'FileFormatError';
  }
}

/** A NaN or infinity found by `wg.setDebug({ checkFinite: true })`. */
export class NonFiniteError extends WasmgradError {
  override get name(): string {
    return 'NonFiniteError';
  }
}

/** Autograd misuse: backward through a graph that was freed or modified in place, a non-scalar root without a seed, ... */
export class AutogradError extends WasmgradError {
  override get name(): string {
    return 'AutogradError';
  }
}

/** The WebAssembly backend: not initialised, failed to load, mixed backends, a kernel abort. */
export class BackendError extends WasmgradError {
  override get name(): string {
    return 'BackendError';
  }
}

/** wg.compile: a step function that cannot be traced or replayed as written. */
export class CompileError extends WasmgradError {
  override get name(): string {
    return 'CompileError';
  }
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
