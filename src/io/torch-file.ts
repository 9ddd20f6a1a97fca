/**
 * Files written by torch.save (PyTorch ≥ 1.6): a ZIP archive holding `<name>/data.pkl`, the pickle
 * of the saved object, and `<name>/data/<key>`, the raw little-endian bytes of each storage. The
 * pickle names each tensor as torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …),
 * its storage as a persistent id ('storage', torch.FloatStorage, key, location, numel). Reading
 * needs no Python and runs no code: the pickle reader (pickle.ts) allows only the names below.
 *
 * A tensor is gathered from its storage by its offset and strides (views such as a transpose or a
 * column come out as their own values), and converted as wg.load converts safetensors dtypes
 * (src/io/safetensors.ts: float64/float16/bfloat16 → float32, integer and bool → int32, an int64
 * beyond int32 an error naming it). Tensors sharing a storage get their own copies.
 */
import { FileFormatError } from '../errors.js';
import { sizeOf } from '../ops/types.js';
import type { Tensor } from '../engine/tensor.js';
import { unpickle, type PyCallable } from './pickle.js';
import { convert, makePersistent, SAFETENSORS_DTYPE_SIZES, type SafetensorsDtype } from './safetensors.js';
import { isZip, readZip } from './zip.js';

/** torch's typed storage classes and the safetensors dtype of their bytes. */
const STORAGES: Record<string, SafetensorsDtype> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** A storage class as the pickle names it (a persistent id's second item). */
interface StorageClass {
  (): never;
  storage: SafetensorsDtype;
}

/** A storage: its dtype and values (converted on first use). */
interface Storage {
  key: string;
  dtype: SafetensorsDtype;
  values: () => Float32Array | Int32Array;
}

/** Whether the bytes are a pickle with torch's legacy (pre-ZIP) magic number: PROTO 2, LONG1 0x1950a86a20f9469cfc6c. */
function isLegacyTorch(b: Uint8Array): boolean {
  return b.length > 13 && b[0] === 0x80 && b[1] === 0x02 && b[2] === 0x8a && b[3] === 0x0a && b[4] === 0x6c && b[5] === 0xfc;
}

/** Whether `b` looks like a torch.save file (ZIP or legacy): wg.load's choice of reader. */
export function isTorchFile(b: Uint8Array): boolean {
  return isZip(b) || isLegacyTorch(b);
}

/**
 * The object a torch.save file holds, as plain values: dicts become objects (keys as strings, in
 * the file's order, except that JS lists integer-like keys first), lists and tuples arrays,
 * tensors persistent Tensors, ints numbers (BigInt beyond 2^53), None null.
 */
export function readTorchFile(b: Uint8Array, fn: string, file?: string): unknown {
  const bad = (what: string) => new FileFormatError(fn, file === undefined ? what : `'${file}': ${what}`);
  if (isLegacyTorch(b))
    throw bad(
      'a torch.save file in the legacy format (PyTorch < 1.6, or _use_new_zipfile_serialization=False); save it again with torch.save in PyTorch ≥ 1.6, or as safetensors',
    );
  const files = readZip(b, fn);
  const pkl = [...files.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkl === undefined) throw bad('a ZIP archive without <name>/data.pkl: not a file torch.save wrote');
  const root = pkl.slice(0, -'data.pkl'.length);
  const order = files.get(`${root}byteorder`);
  if (order !== undefined && new TextDecoder().decode(order) !== 'little') throw bad('a big-endian torch.save file, which wasmgrad does not read');

  const classes = new Map<string, StorageClass>();
  const storageClass = (name: string): StorageClass => {
    let c = classes.get(name);
    if (c === undefined) {
      c = Object.assign(
        (): never => {
          throw bad(`torch.${name} called while reading`);
        },
        { storage: STORAGES[name] },
      );
      classes.set(name, c);
    }
    return c;
  };
  const storages = new Map<string, Storage>();
  const persistent = (pid: unknown): Storage => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || typeof pid[1] !== 'function' || !('storage' in pid[1]) || typeof pid[2] !== 'string')
      throw bad(
        `a persistent id ${JSON.stringify(pid, (_k, v: unknown) => (typeof v === 'function' ? 'class' : typeof v === 'bigint' ? String(v) : v))} that is not a storage`,
      );
    const key = pid[2];
    const dtype = (pid[1] as StorageClass).storage;
    let s = storages.get(key);
    if (s === undefined) {
      const raw = files.get(`${root}data/${key}`);
      if (raw === undefined) throw bad(`storage '${key}' is missing from the archive`);
      if (raw.length % SAFETENSORS_DTYPE_SIZES[dtype] !== 0) throw bad(`storage '${key}' (${dtype}) has ${raw.length} bytes, not a whole number of values`);
      let values: Float32Array | Int32Array | null = null;
      s = { key, dtype, values: () => (values ??= convert({ name: `storage ${key}`, dtype, shape: [], dataOffsets: [0, raw.length] }, raw, bad)) };
      storages.set(key, s);
    }
    return s;
  };
  const rebuildTensor: PyCallable = (storage, offset, size, stride) => tensorOf(storage as Storage, offset, size, stride, bad);
  const GLOBALS: Record<string, PyCallable> = {
    'collections.OrderedDict': () => new Map(),
    'torch._utils._rebuild_tensor_v2': rebuildTensor,
    'torch._utils._rebuild_tensor': rebuildTensor,
    'torch._utils._rebuild_parameter': (data) => data,
    'torch._utils._rebuild_parameter_with_state': (data) => data,
    'torch.Size': (dims) => dims,
    'torch.device': (type, index) => (index == null ? type : `${String(type)}:${String(index)}`),
    '_codecs.encode': (s, encoding) => (encoding === 'latin1' ? Uint8Array.from(String(s), (c) => c.charCodeAt(0)) : new TextEncoder().encode(String(s))),
  };
  const global = (module: string, name: string): PyCallable | undefined =>
    module === 'torch' && name in STORAGES ? storageClass(name) : GLOBALS[`${module}.${name}`];
  const value = unpickle(files.get(pkl)!, { global, persistent }, fn, file === undefined ? 'the torch.save file' : `'${file}'`);
  return plain(value);
}

/** The tensor of `size` at `offset` with `stride` in a storage, gathered into a persistent Tensor. */
function tensorOf(storage: Storage, offset: unknown, size: unknown, stride: unknown, bad: (what: string) => FileFormatError): Tensor {
  const ints = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && (x as number) >= 0);
  if (!Number.isSafeInteger(offset) || (offset as number) < 0 || !ints(size) || !ints(stride) || size.length !== stride.length)
    throw bad(
      `a tensor of storage '${storage.key}' with offset ${String(offset)}, size ${JSON.stringify(size)} and stride ${JSON.stringify(stride)} that do not describe a view`,
    );
  const src = storage.values();
  const n = sizeOf(size);
  const out = src instanceof Float32Array ? new Float32Array(n) : new Int32Array(n);
  const last = n === 0 ? -1 : (offset as number) + size.reduce((s, d, k) => s + (d - 1) * stride[k], 0);
  if (last >= src.length) throw bad(`a tensor of shape [${size.join(', ')}] reaches value ${last} of storage '${storage.key}', which has ${src.length}`);
  // Row-major walk over the view: an odometer over the dims, the storage index moved by each stride.
  const idx = new Array<number>(size.length).fill(0);
  let at = offset as number;
  for (let i = 0; i < n; i++) {
    out[i] = src[at];
    for (let d = size.length - 1; d >= 0; d--) {
      if (++idx[d] < size[d]) {
        at += stride[d];
        break;
      }
      at -= (size[d] - 1) * stride[d];
      idx[d] = 0;
    }
  }
  return makePersistent([...size], src instanceof Float32Array ? 'float32' : 'int32', out);
}

/** Maps (the pickle's dicts) as plain objects, recursively. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (!(v instanceof Map)) return v;
  const o: Record<string, unknown> = {};
  for (const [k, x] of v) Object.defineProperty(o, String(k), { value: plain(x), enumerable: true, writable: true, configurable: true });
  return o;
}
