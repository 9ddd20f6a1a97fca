/**
 * wg.saveTorch: a state dict as the file torch.save(model.state_dict(), f) writes (PyTorch's ZIP
 * format, read by torch.load, weights_only included): `<name>/data.pkl` pickles an OrderedDict of
 * torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict()) with each
 * storage a persistent id ('storage', torch.FloatStorage, key, 'cpu', numel); `<name>/data/<key>`
 * holds its little-endian values; `<name>/byteorder` and `<name>/version` as torch writes them.
 * float32 tensors are FloatStorage; int32 tensors LongStorage (torch's int64, which wasmgrad's int32
 * stands for: num_batches_tracked, indices).
 */
import { contiguousStrides } from '../ops/shape.js';
import { liveEntries, tensorBytes, type StateDictSource } from './safetensors.js';
import { writeZip } from './zip.js';

const utf8 = new TextEncoder();

/** Pickle protocol 2 opcodes, as Python's pickle module names them. */
const OP = {
  PROTO: 0x80,
  GLOBAL: 0x63,
  EMPTY_TUPLE: 0x29,
  MARK: 0x28,
  TUPLE: 0x74,
  REDUCE: 0x52,
  SETITEMS: 0x75,
  BINUNICODE: 0x58,
  BININT: 0x4a,
  NEWFALSE: 0x89,
  BINPERSID: 0x51,
  STOP: 0x2e,
} as const;

/** The bytes of a pickle, written op by op. */
class Pickle {
  private readonly parts: number[] = [];
  op(code: number): this {
    this.parts.push(code);
    return this;
  }
  global(module: string, name: string): this {
    return this.op(OP.GLOBAL).raw(utf8.encode(`${module}\n${name}\n`));
  }
  str(s: string): this {
    const b = utf8.encode(s);
    return this.op(OP.BINUNICODE).u32(b.length).raw(b);
  }
  int(v: number): this {
    return this.op(OP.BININT).u32(v >>> 0);
  }
  tuple(items: readonly number[]): this {
    if (items.length === 0) return this.op(OP.EMPTY_TUPLE);
    this.op(OP.MARK);
    for (const v of items) this.int(v);
    return this.op(OP.TUPLE);
  }
  /** An empty collections.OrderedDict(). */
  orderedDict(): this {
    return this.global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE).op(OP.REDUCE);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
  private u32(v: number): this {
    this.parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
    return this;
  }
  private raw(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
}

/** int32 values as little-endian int64 (sign-extended). */
function asInt64(v: Uint8Array): Uint8Array {
  const src = new DataView(v.buffer, v.byteOffset, v.byteLength);
  const out = new Uint8Array(2 * v.length);
  const dst = new DataView(out.buffer);
  for (let i = 0; i < v.length / 4; i++) dst.setBigInt64(8 * i, BigInt(src.getInt32(4 * i, true)), true);
  return out;
}

/**
 * Serialises a state dict, or a module (anything with stateDict()), to the bytes torch.save writes
 * for it: `torch.load(f)` gives the state dict (names and order as given), for
 * `model.load_state_dict`. The archive's folder is 'archive' (torch.save names it after the file;
 * torch.load takes any).
 */
export function saveTorch(x: StateDictSource): Uint8Array<ArrayBuffer> {
  const name = 'archive';
  const fn = 'saveTorch';
  const entries = liveEntries(x, fn);
  const p = new Pickle().op(OP.PROTO).op(2).orderedDict().op(OP.MARK);
  const files: [string, Uint8Array][] = [];
  entries.forEach(([key, t], k) => {
    const ints = t.dtype === 'int32';
    p.str(key).global('torch._utils', '_rebuild_tensor_v2').op(OP.MARK);
    p.op(OP.MARK)
      .str('storage')
      .global('torch', ints ? 'LongStorage' : 'FloatStorage')
      .str(String(k))
      .str('cpu')
      .int(t.size)
      .op(OP.TUPLE)
      .op(OP.BINPERSID);
    p.int(0).tuple(t.shape).tuple(contiguousStrides(t.shape)).op(OP.NEWFALSE).orderedDict().op(OP.TUPLE).op(OP.REDUCE);
    const bytes = tensorBytes(key, t, fn);
    files.push([`${name}/data/${k}`, ints ? asInt64(bytes) : bytes]);
  });
  p.op(OP.SETITEMS).op(OP.STOP);
  return writeZip([[`${name}/data.pkl`, p.bytes()], [`${name}/byteorder`, utf8.encode('little')], ...files, [`${name}/version`, utf8.encode('3\n')]], fn);
}
