/**
 * wg.load and wg.loadWithMetadata: a state dict from safetensors bytes (src/io/safetensors.ts) or
 * from a file torch.save wrote (src/io/torch-file.ts), told apart by their first bytes; and
 * wg.loadTorch, the whole object of a torch.save file (a checkpoint dict, say).
 */
import { isRecord } from '../engine/check.js';
import { Tensor } from '../engine/tensor.js';
import { FileFormatError } from '../errors.js';
import { decode, toBytes, type StateDict } from './safetensors.js';
import { isTorchFile, readTorchFile } from './torch-file.js';

/** Either format's bytes as a state dict, and the safetensors __metadata__ (null for a torch.save file). */
export function decodeAny(
  bytes: Uint8Array | ArrayBuffer | ArrayBufferView,
  fn: string,
  file?: string,
): { stateDict: StateDict; metadata: Record<string, string> | null } {
  const b = toBytes(bytes, fn);
  if (!isTorchFile(b)) return decode(b, fn, file);
  const v = readTorchFile(b, fn, file);
  if (!isRecord(v) || !Object.values(v).every((t) => t instanceof Tensor))
    throw new FileFormatError(
      fn,
      `${file === undefined ? '' : `'${file}': `}the torch.save file holds ${describeValue(v)}, not a state dict (names → tensors): wg.loadTorch(bytes) returns the whole object, e.g. a checkpoint whose ['model'] is the state dict`,
    );
  return { stateDict: v as StateDict, metadata: null };
}

/** What a torch file holds, in a few words: the keys of a dict, else the kind of value. */
function describeValue(v: unknown): string {
  if (isRecord(v)) {
    const keys = Object.keys(v);
    return `a dict with keys ${keys
      .slice(0, 6)
      .map((k) => `'${k}'`)
      .join(', ')}${keys.length > 6 ? ', …' : ''}`;
  }
  return v instanceof Tensor ? 'a single tensor' : Array.isArray(v) ? 'a list' : v === null ? 'None' : `a ${typeof v}`;
}

/**
 * Reads a state dict: plain object name → persistent Tensor on the current backend, in the
 * file's order, from safetensors bytes or a file torch.save wrote (`torch.save(model.state_dict(), f)`).
 * See src/io/safetensors.ts for the dtype conversions (the same for both).
 * (JS objects list integer-like keys such as '0' first in ascending order, whatever the file order.)
 */
export function load(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): StateDict {
  return decodeAny(bytes, 'load').stateDict;
}

/** load, plus the safetensors header's __metadata__ (null when absent, and for a torch.save file). */
export function loadWithMetadata(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): { stateDict: StateDict; metadata: Record<string, string> | null } {
  return decodeAny(bytes, 'loadWithMetadata');
}

/**
 * The object a torch.save file holds (torch.load): dicts as plain objects, lists and tuples as
 * arrays, tensors as Tensors (converted as wg.load converts them), numbers, strings, null. Only
 * data: a pickled Python object (a whole model, a NumPy value) is a FileFormatError naming its type.
 */
export function loadTorch(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): unknown {
  return readTorchFile(toBytes(bytes, 'loadTorch'), 'loadTorch');
}
