/** The error distributions raise where torch raises NotImplementedError. */
import { WasmgradError } from '../errors.js';

/**
 * A method the distribution (or constraint, or KL pair) does not implement: torch's
 * NotImplementedError. A WasmgradError, so `catch (e) { e instanceof wg.WasmgradError }` holds.
 */
export class NotImplementedError extends WasmgradError {}
// Set here, not read from the constructor, which minifiers rename (as src/errors.ts does).
Object.defineProperty(NotImplementedError.prototype, 'name', { value: 'NotImplementedError', writable: true, configurable: true });
