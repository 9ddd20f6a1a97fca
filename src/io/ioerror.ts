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

  override get name(): string {
    return 'IOError';
  }
}
