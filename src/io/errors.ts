/** The errors of wasmgrad's file functions beyond src/errors.ts: IOError, and messages of wrapped errors. */
import { WasmgradError } from '../errors.js';

/**
 * The operating system refused a file operation of wg.node (no such file or directory, permission
 * denied, disk full, …). `code` is Node's error code ('ENOENT', 'EACCES', 'ENOSPC', …) and `cause`
 * the original error. Bytes that are not a valid file are a FileFormatError instead.
 */
export class IOError extends WasmgradError {
  /** Node's error code, e.g. 'ENOENT' (undefined when the failure carried none). */
  readonly code: string | undefined;

  constructor(fn: string, message: string, options: { cause: unknown }) {
    const code = (options.cause as { code?: unknown } | null)?.code;
    super(fn, message, options);
    this.code = typeof code === 'string' ? code : undefined;
  }
}

Object.defineProperty(IOError.prototype, 'name', { value: 'IOError', writable: true, configurable: true });

/** The message of an error without its `wasmgrad.<fn>: ` prefix (to wrap it into another one). */
export function detailOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/^wasmgrad\.[^:]*: /, '');
}
