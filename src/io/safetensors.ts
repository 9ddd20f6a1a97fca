/**
 * safetensors (https://github.com/huggingface/safetensors) for wasmgrad state dicts.
 *
 * File layout: 8 bytes little-endian u64 N, N bytes of UTF-8 JSON header, then the data buffer.
 * The header maps tensor names to { dtype, shape, data_offsets: [begin, end] } (byte offsets
 * into the data buffer, which the tensors cover contiguously, without gaps or overlaps), plus an
 * optional "__metadata__" object of string → string. Data is little-endian, C (row-major) order.
 *
 * Writing (wg.save, and wg.node's saves through serialize): float32 tensors as F32, int32 tensors
 * as I32, in the state dict's order, the header padded with spaces to a multiple of 8 bytes (as
 * the reference writer does, so every tensor starts 8-byte aligned), with __metadata__
 * { format: 'pt', wasmgrad: <version>, ...user }. Every byte is made at the call.
 *
 * Reading (wg.load) converts every dtype it can to float32 or int32:
 *   F32 → float32, bit-exact (NaN payloads, -0, denormals kept)
 *   F16, BF16 → float32, exact (every value is representable)
 *   F64 → float32, rounded to nearest even (lossy; magnitudes below float32's smallest denormal
 *         become ±0). A finite value too large for float32 is an error, not a silent ±Infinity.
 *   I32 → int32; I16, I8, U16, U8 → int32 exactly; BOOL → int32 0/1
 *   I64, U64, U32 → int32 if every value fits in [-2^31, 2^31-1], otherwise an error naming
 *         the tensor, index and value
 *   F8_E4M3, F8_E5M2 and any other dtype → an error saying it is not supported.
 * Malformed files are FileFormatErrors that say what is wrong; nothing is guessed. Beyond the reference
 * reader, duplicate keys are rejected (JSON.parse would keep the last one silently); keys of a
 * tensor entry other than dtype/shape/data_offsets are ignored, as the reference reader does.
 * On the reference backend (float64 storage), signaling NaNs come back quieted; everything else
 * is bit-exact on both backends.
 */
import { backend } from '../engine/engine.js';
import { BackendError, DTypeError, FileFormatError, RecycledTensorError, ValueError, WasmgradError, fmtValue } from '../errors.js';
import { allocPersistent } from '../engine/memory.js';
import { fmtShape, type DType } from '../ops/types.js';
import { Tensor } from '../engine/tensor.js';
import { version } from '../version.js';
import { JsonError, parseJson, type Json, type JsonObject } from './json.js';

/** Plain object name → Tensor, in insertion order (PyTorch-style names such as '0.weight'). */
export type StateDict = Record<string, Tensor>;
/** What wg.save accepts: a state dict (object or Map) or anything with a stateDict() method (nn.Module). */
export type StateDictSource = StateDict | Map<string, Tensor> | { stateDict(): StateDict | Map<string, Tensor> };

export interface SaveOptions {
  /** Extra string → string entries for the header's __metadata__ (they may override the defaults). */
  metadata?: Record<string, string>;
}

/** dtypes of the safetensors format and their sizes in bytes. */
export const SAFETENSORS_DTYPE_SIZES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;
export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_SIZES;

/** The dtypes wg.load converts, and what they become. */
const LOADABLE: Partial<Record<SafetensorsDtype, DType>> = {
  F32: 'float32',
  F16: 'float32',
  BF16: 'float32',
  F64: 'float32',
  I32: 'int32',
  I64: 'int32',
  U64: 'int32',
  U32: 'int32',
  I16: 'int32',
  U16: 'int32',
  I8: 'int32',
  U8: 'int32',
  BOOL: 'int32',
};

/** One tensor entry of a validated header. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte offsets [begin, end) into the data buffer (which starts at `dataStart` in the file). */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** The __metadata__ map, or null when the file has none. */
  metadata: Record<string, string> | null;
  /** Tensor entries in header order. */
  tensors: SafetensorsEntry[];
  /** N, the header's length in bytes (including padding). */
  headerLength: number;
  /** Where the data buffer starts in the file: 8 + N. */
  dataStart: number;
}

const RESERVED = '__metadata__';
/** The reference implementation refuses headers above this size (100 MB). */
export const MAX_HEADER_LENGTH = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------
// writing

function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

function hasLoneSurrogate(s: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/**
 * Normalises what wg.save accepts (state dict object, Map, or a module with stateDict()) to
 * ordered [name, Tensor] entries, validating names and values.
 */
export function stateDictEntries(x: unknown, fn: string): [string, Tensor][] {
  if (isTensor(x)) throw new ValueError(fn, 'got a single Tensor; pass a state dict such as { weight: t } or a module');
  let sd: unknown = x;
  if (x !== null && typeof x === 'object' && typeof (x as { stateDict?: unknown }).stateDict === 'function') {
    sd = (x as { stateDict(): unknown }).stateDict();
    if (sd === null || typeof sd !== 'object') throw new ValueError(fn, `stateDict() returned ${fmtValue(sd)}, expected an object of name → Tensor`);
  }
  if (sd === null || typeof sd !== 'object' || Array.isArray(sd) || ArrayBuffer.isView(sd))
    throw new ValueError(fn, `expected a state dict (object of name → Tensor) or a module with stateDict(), got ${fmtValue(sd)}`);
  const entries: [string, unknown][] = sd instanceof Map ? [...sd.entries()] : Object.entries(sd);
  const out: [string, Tensor][] = [];
  for (const [name, t] of entries) {
    if (typeof name !== 'string') throw new ValueError(fn, `state dict keys must be strings, got ${fmtValue(name)}`);
    if (name === RESERVED) throw new ValueError(fn, `'${RESERVED}' is reserved by the safetensors format and cannot name a tensor (use the metadata option)`);
    if (hasLoneSurrogate(name)) throw new ValueError(fn, `tensor name ${JSON.stringify(name)} is not well-formed Unicode (lone surrogate)`);
    if (!isTensor(t)) throw new ValueError(fn, `state dict entry '${name}' is ${fmtValue(t)}, not a Tensor`);
    if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new DTypeError(fn, `tensor '${name}' has dtype '${String(t.dtype)}', expected float32 or int32`);
    out.push([name, t]);
  }
  return out;
}

function metadataMap(user: unknown, fn: string): Map<string, string> {
  const m = new Map<string, string>([
    ['format', 'pt'],
    ['wasmgrad', version],
  ]);
  if (user === undefined) return m;
  if (user === null || typeof user !== 'object' || Array.isArray(user))
    throw new ValueError(fn, `metadata must be an object of string → string, got ${fmtValue(user)}`);
  for (const [k, v] of Object.entries(user)) {
    if (typeof v !== 'string') throw new ValueError(fn, `metadata value for '${k}' must be a string, got ${fmtValue(v)} (use String(v) or JSON.stringify(v))`);
    if (hasLoneSurrogate(k) || hasLoneSurrogate(v)) throw new ValueError(fn, `metadata entry '${k}' is not well-formed Unicode (lone surrogate)`);
    m.set(k, v);
  }
  return m;
}

/** The little-endian bytes of one tensor, read from the backend. */
export function tensorBytes(name: string, t: Tensor, fn: string): Uint8Array {
  let v: Float32Array | Int32Array;
  try {
    v = t.data();
  } catch (e) {
    if (e instanceof WasmgradError) throw e;
    throw new BackendError(fn, `tensor '${name}': ${(e as Error).message}`, { cause: e });
  }
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (!LITTLE_ENDIAN) swapBytes(bytes, 4);
  return bytes;
}

/** stateDictEntries, every tensor checked alive (so a bad state dict fails before anything is read). */
export function liveEntries(x: unknown, fn: string): [string, Tensor][] {
  const entries = stateDictEntries(x, fn);
  for (const [name, t] of entries) {
    const s = t.storage;
    if (!s.alive)
      throw new RecycledTensorError(
        fn,
        `tensor '${name}': the tensor ${fmtShape(t.shape)} made by '${s.label}' in step ${s.born} was freed in step ${s.diedAt} (disposed); save it before dispose()`,
      );
  }
  return entries;
}

/**
 * The whole safetensors image of x (see save), built synchronously: every tensor's bytes are read
 * before this returns, so the bytes are the values at the call whatever runs afterwards (an
 * unawaited wg.node.saveFile while training goes on). Everything is validated first (every tensor
 * alive), so a bad state dict fails before anything is read.
 */
export function serialize(x: unknown, opts: SaveOptions | undefined, fn: string): Uint8Array<ArrayBuffer> {
  if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw new ValueError(fn, `options must be an object, got ${fmtValue(opts)}`);
  const entries = liveEntries(x, fn);
  const meta = metadataMap(opts?.metadata, fn);
  const fields = [`${JSON.stringify(RESERVED)}:{${[...meta].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`];
  let offset = 0;
  for (const [name, t] of entries) {
    const byteLength = t.size * 4;
    const dtype = t.dtype === 'int32' ? 'I32' : 'F32';
    fields.push(`${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${offset + byteLength}]}`);
    offset += byteLength;
  }
  const json = new TextEncoder().encode(`{${fields.join(',')}}`);
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n); // pad with spaces
  let at = 8 + n;
  for (const [name, t] of entries) {
    out.set(tensorBytes(name, t, fn), at);
    at += t.size * 4;
  }
  return out;
}

/**
 * Serialises a state dict, or a module (anything with stateDict()), to safetensors bytes.
 * float32 → F32, int32 → I32, names and order as given. __metadata__ holds
 * { format: 'pt', wasmgrad: <version> } plus opts.metadata (string values only).
 */
export function save(x: StateDictSource, opts?: SaveOptions): Uint8Array<ArrayBuffer> {
  return serialize(x, opts, 'save');
}

// ---------------------------------------------------------------------------------------------
// reading

/** The file bytes wg.load takes (Uint8Array, Buffer, ArrayBuffer, any view) as a plain Uint8Array view. */
export function toBytes(bytes: unknown, fn: string): Uint8Array {
  // A plain Uint8Array view (a Node Buffer's slice() would not copy).
  if (bytes instanceof Uint8Array) return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && bytes instanceof SharedArrayBuffer)) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new ValueError(fn, `expected the file's bytes (Uint8Array, Buffer or ArrayBuffer), got ${fmtValue(bytes)}`);
}

function fmt(x: Json | undefined): string {
  const s = x === undefined ? 'nothing' : JSON.stringify(x instanceof Map ? Object.fromEntries(x) : x);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

const isIndex = (x: Json | undefined): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/**
 * Parses and fully validates the header of a safetensors file (without reading tensor data):
 * sizes, JSON, dtypes, shapes, and that the data_offsets tile the data buffer exactly. Anything
 * wrong is a FileFormatError saying what.
 */
export function readHeader(input: Uint8Array | ArrayBuffer | ArrayBufferView): SafetensorsHeader {
  return parseHeader(toBytes(input, 'readHeader'), 'readHeader');
}

/** readHeader of the bytes of `file` (a path, for messages) as `fn` reads them. */
function parseHeader(bytes: Uint8Array, fn: string, file?: string): SafetensorsHeader {
  const intro = file === undefined ? 'not a valid safetensors file' : `'${file}' is not a valid safetensors file`;
  const bad = (what: string): Error => new FileFormatError(fn, `${intro}: ${what}`);
  if (bytes.length < 8) throw bad(`it is ${bytes.length} bytes long, too short for the 8-byte header length`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) throw bad(`the header length (${n64} bytes) is larger than the rest of the file (${bytes.length - 8} bytes)`);
  const n = Number(n64);
  if (n > MAX_HEADER_LENGTH) throw bad(`the header length (${n} bytes) exceeds the format's limit of ${MAX_HEADER_LENGTH} bytes`);
  if (n === 0) throw bad('the header is empty (length 0)');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw bad('the header is not valid UTF-8');
  }
  if (text[0] !== '{') throw bad(`the header must be a JSON object starting with '{', it starts with ${JSON.stringify(text.slice(0, 16))}`);
  let root: Json;
  try {
    root = parseJson(text, fn);
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
    if (e.duplicateKey !== undefined) {
      if (e.path.length === 0) throw bad(`the header names '${e.duplicateKey}' twice (a duplicate tensor name; JSON.parse would silently keep the last one)`);
      throw bad(`the header has a duplicate key '${e.duplicateKey}' in ${e.path.map((p) => `[${JSON.stringify(p)}]`).join('')}`);
    }
    throw bad(`the header is not valid JSON: ${e.reason} at character ${e.position}`);
  }
  const obj = root as JsonObject; // starts with '{' and parsed: an object

  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const tensors: SafetensorsEntry[] = [];
  for (const [name, info] of obj) {
    if (name === RESERVED) {
      if (info === null) continue;
      if (!(info instanceof Map)) throw bad(`'${RESERVED}' is reserved for an object of string → string metadata, got ${fmt(info)} (it cannot name a tensor)`);
      metadata = {};
      for (const [k, v] of info) {
        if (typeof v !== 'string')
          throw bad(`'${RESERVED}' is reserved for string → string metadata (it cannot name a tensor): '${k}' is ${fmt(v)}, not a string`);
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const where = `tensor '${name}'`;
    if (!(info instanceof Map)) throw bad(`${where}: expected an object { dtype, shape, data_offsets }, got ${fmt(info)}`);
    const dtype = info.get('dtype');
    if (dtype === undefined) throw bad(`${where}: missing 'dtype'`);
    if (typeof dtype !== 'string' || !Object.hasOwn(SAFETENSORS_DTYPE_SIZES, dtype))
      throw bad(`${where}: unknown dtype ${fmt(dtype)} (safetensors dtypes: ${Object.keys(SAFETENSORS_DTYPE_SIZES).join(', ')})`);
    const shape = info.get('shape');
    if (shape === undefined) throw bad(`${where}: missing 'shape'`);
    if (!Array.isArray(shape) || !shape.every(isIndex)) throw bad(`${where}: shape must be an array of non-negative integers, got ${fmt(shape)}`);
    const offsets = info.get('data_offsets');
    if (offsets === undefined) throw bad(`${where}: missing 'data_offsets'`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex))
      throw bad(`${where}: data_offsets must be [begin, end] (two non-negative integers), got ${fmt(offsets)}`);
    const [begin, end] = offsets as [number, number];
    if (begin > end) throw bad(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLength) throw bad(`${where}: data_offsets [${begin}, ${end}] are out of range: the data buffer after the header is ${dataLength} bytes`);
    const size = SAFETENSORS_DTYPE_SIZES[dtype as SafetensorsDtype];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const need = count * size;
    if (!Number.isSafeInteger(need)) throw bad(`${where}: shape ${fmt(shape)} is too large`);
    if (end - begin !== need)
      throw bad(
        `${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes, but shape ${fmt(shape)} of ${dtype} needs ${count} × ${size} = ${need} bytes`,
      );
    tensors.push({ name, dtype: dtype as SafetensorsDtype, shape: shape as number[], dataOffsets: [begin, end] });
  }

  // The tensors must tile the data buffer: sorted by offsets, each begins where the previous ended.
  const sorted = [...tensors].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let at = 0;
  let prev: SafetensorsEntry | null = null;
  for (const t of sorted) {
    const [begin, end] = t.dataOffsets;
    if (begin < at) throw bad(`tensors '${prev!.name}' [${prev!.dataOffsets.join(', ')}] and '${t.name}' [${begin}, ${end}] overlap in the data buffer`);
    if (begin > at) throw bad(`bytes ${at}..${begin} of the data buffer belong to no tensor (a gap before '${t.name}')`);
    at = end;
    if (end > begin) prev = t;
  }
  if (at !== dataLength) throw bad(`${dataLength - at} trailing bytes after the last tensor's data (the tensors cover ${at} of ${dataLength} bytes)`);
  return { metadata, tensors, headerLength: n, dataStart };
}

function swapBytes(b: Uint8Array, width: number): void {
  for (let i = 0; i < b.length; i += width)
    for (let j = 0; j < width >> 1; j++) {
      const t = b[i + j];
      b[i + j] = b[i + width - 1 - j];
      b[i + width - 1 - j] = t;
    }
}

/** A native-endian copy of little-endian data, in a fresh (aligned) buffer. */
function nativeCopy(b: Uint8Array, width: number): ArrayBuffer {
  const c = new Uint8Array(b); // a copy (b may be a Buffer, whose slice() is a view)
  if (!LITTLE_ENDIAN) swapBytes(c, width);
  return c.buffer;
}

/** float16 bits → float32 bits (exact: every float16 value, NaN payloads included, is a float32). */
export function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return sign | 0x7f800000 | (mant << 13);
  if (exp !== 0) return sign | ((exp + 112) << 23) | (mant << 13);
  if (mant === 0) return sign;
  let e = 113; // a subnormal 0.mant × 2^-14: normalise
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return sign | (e << 23) | ((mant & 0x3ff) << 13);
}

/** The values of one tensor's bytes, converted as the top of this file says (torch-file.ts reads torch's storages with it). */
export function convert(e: SafetensorsEntry, raw: Uint8Array, bad: (what: string) => FileFormatError): Float32Array | Int32Array {
  const count = raw.length / SAFETENSORS_DTYPE_SIZES[e.dtype];
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const ints = (get: (i: number) => number): Int32Array => {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = get(i);
    return out;
  };
  const outOfRange = (i: number, v: bigint | number): FileFormatError =>
    bad(`tensor '${e.name}' (${e.dtype}): value ${v} at index ${i} does not fit in int32, which is what wasmgrad uses for integers`);
  switch (e.dtype) {
    case 'F32':
      return new Float32Array(nativeCopy(raw, 4));
    case 'F64': {
      const src = new Float64Array(nativeCopy(raw, 8));
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        out[i] = src[i];
        if (Number.isFinite(src[i]) && !Number.isFinite(out[i]))
          throw bad(`tensor '${e.name}' (F64): value ${src[i]} at index ${i} is too large for float32, which is what wasmgrad uses`);
      }
      return out;
    }
    case 'F16':
    case 'BF16': {
      const bits = new Uint32Array(count);
      const half = e.dtype === 'F16';
      for (let i = 0; i < count; i++) {
        const h = dv.getUint16(2 * i, true);
        bits[i] = half ? f16BitsToF32Bits(h) : h << 16;
      }
      return new Float32Array(bits.buffer);
    }
    case 'I32':
      return ints((i) => dv.getInt32(4 * i, true));
    case 'U32':
      return ints((i) => {
        const v = dv.getUint32(4 * i, true);
        if (v > 0x7fffffff) throw outOfRange(i, v);
        return v;
      });
    case 'I64':
    case 'U64': {
      const signed = e.dtype === 'I64';
      return ints((i) => {
        const lo = dv.getInt32(8 * i, true);
        const hi = dv.getInt32(8 * i + 4, true);
        if (hi !== lo >> 31 || (!signed && hi !== 0)) throw outOfRange(i, signed ? dv.getBigInt64(8 * i, true) : dv.getBigUint64(8 * i, true));
        return lo;
      });
    }
    case 'I16':
      return ints((i) => dv.getInt16(2 * i, true));
    case 'U16':
      return ints((i) => dv.getUint16(2 * i, true));
    case 'I8':
      return ints((i) => dv.getInt8(i));
    case 'U8':
      return ints((i) => dv.getUint8(i));
    case 'BOOL':
      return ints((i) => (dv.getUint8(i) !== 0 ? 1 : 0));
    default:
      throw bad(`tensor '${e.name}' has dtype ${e.dtype}, which wasmgrad cannot load`);
  }
}

/** A persistent tensor on the current backend holding `data`. */
export function makePersistent(shape: number[], dtype: DType, data: Float32Array | Int32Array): Tensor {
  const be = backend();
  const s = allocPersistent(be, data.length, 'load');
  be.write(s.ptr, data, dtype);
  return new Tensor(shape, dtype, s, false);
}

/** Safetensors bytes as a state dict (name → persistent Tensor on the current backend, in header order) and the header's __metadata__ (null when absent). */
export function decode(
  bytes: Uint8Array | ArrayBuffer | ArrayBufferView,
  fn: string,
  file?: string,
): { stateDict: StateDict; metadata: Record<string, string> | null } {
  const b = toBytes(bytes, fn);
  const h = parseHeader(b, fn, file);
  const bad = (what: string): FileFormatError => new FileFormatError(fn, file === undefined ? what : `'${file}': ${what}`);
  for (const e of h.tensors)
    if (LOADABLE[e.dtype] === undefined)
      throw bad(`tensor '${e.name}' has dtype ${e.dtype}, which wasmgrad cannot load (supported: ${Object.keys(LOADABLE).join(', ')})`);
  const data = h.tensors.map((e) => convert(e, b.subarray(h.dataStart + e.dataOffsets[0], h.dataStart + e.dataOffsets[1]), bad));
  const sd: StateDict = {};
  h.tensors.forEach((e, i) => {
    Object.defineProperty(sd, e.name, { value: makePersistent(e.shape, LOADABLE[e.dtype]!, data[i]), enumerable: true, writable: true, configurable: true });
  });
  return { stateDict: sd, metadata: h.metadata };
}
