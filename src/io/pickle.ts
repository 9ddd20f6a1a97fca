/**
 * A Python pickle reader for the data torch.save writes (protocol 2; the opcodes of protocols 3–5
 * that can occur in such data too). It builds plain values and never runs code: dicts become
 * Maps (insertion order kept), lists and tuples arrays, ints numbers (a BigInt past 2^53), str
 * strings, bytes Uint8Arrays, None null. A class or function the pickle names (GLOBAL) is looked up
 * with `global`, the caller's allow-list: anything else is a FileFormatError naming it. Persistent
 * ids (torch's storages) go to `persistent`.
 */
import { FileFormatError } from '../errors.js';

/** What `global` gives for a name the caller allows: called by REDUCE/NEWOBJ with the pickled arguments. */
export type PyCallable = (...args: unknown[]) => unknown;

export interface PickleHooks {
  /** The callable for `module.name`, or undefined if the name is not allowed. */
  global(module: string, name: string): PyCallable | undefined;
  /** The object a persistent id (BINPERSID) stands for. */
  persistent(pid: unknown): unknown;
}

const MARK = Symbol('mark');

export function unpickle(b: Uint8Array, hooks: PickleHooks, fn: string, what: string): unknown {
  const bad = (msg: string) => new FileFormatError(fn, `${what}: ${msg}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const text = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let at = 0;
  const need = (n: number) => {
    if (at + n > b.length) throw bad('the pickle ends in the middle of an instruction');
    const from = at;
    at += n;
    return from;
  };
  const u8 = () => b[need(1)];
  const u16 = () => dv.getUint16(need(2), true);
  const u32 = () => dv.getUint32(need(4), true);
  const u64 = () => {
    const v = dv.getBigUint64(need(8), true);
    if (v > BigInt(b.length)) throw bad('a length past the end of the pickle');
    return Number(v);
  };
  const bytes = (n: number) => b.subarray(need(n), at);
  const line = () => {
    const end = b.indexOf(0x0a, at);
    if (end < 0) throw bad('a GLOBAL without its newline');
    const s = latin1.decode(b.subarray(at, end));
    at = end + 1;
    return s;
  };
  const pop = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) throw bad('the stack is empty where an instruction needs a value');
    return stack.pop();
  };
  const popMark = () => {
    const k = stack.lastIndexOf(MARK);
    if (k < 0) throw bad('no MARK before an instruction that needs one');
    const items = stack.splice(k);
    items.shift();
    return items;
  };
  const top = () => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw bad('the stack is empty where an instruction needs a value');
    return v;
  };
  const dictAt = (): Map<unknown, unknown> => {
    const d = top();
    if (!(d instanceof Map)) throw bad('SETITEM(S) on something that is not a dict');
    return d;
  };
  const listAt = (): unknown[] => {
    const l = top();
    if (!Array.isArray(l)) throw bad('APPEND(S) on something that is not a list');
    return l;
  };
  const setItems = (d: Map<unknown, unknown>, kv: unknown[]) => {
    for (let i = 0; i + 1 < kv.length; i += 2) d.set(key(kv[i]), kv[i + 1]);
  };
  const key = (k: unknown) => (Array.isArray(k) ? JSON.stringify(k) : k);
  const call = (f: unknown, args: unknown) => {
    if (typeof f !== 'function' || !Array.isArray(args)) throw bad('REDUCE of something that is not an allowed callable');
    return (f as PyCallable)(...args);
  };
  const int = (n: bigint) => (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n);
  const long = (raw: Uint8Array) => {
    let v = 0n;
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]);
    if (raw.length > 0 && raw[raw.length - 1] & 0x80) v -= 1n << BigInt(8 * raw.length);
    return int(v);
  };
  const globalOf = (module: string, name: string) => {
    const g = hooks.global(module, name);
    if (g === undefined) throw bad(`it holds a Python object of type ${module}.${name}, which only Python can rebuild`);
    return g;
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        need(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(dv.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(long(bytes(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(long(bytes(u32())));
        break;
      case 0x47: // BINFLOAT (big-endian)
        stack.push(dv.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
      case 0x8c: // SHORT_BINUNICODE
      case 0x8d: {
        // BINUNICODE8
        const n = op === 0x58 ? u32() : op === 0x8c ? u8() : u64();
        try {
          stack.push(text.decode(bytes(n)));
        } catch {
          throw bad('a string that is not valid UTF-8');
        }
        break;
      }
      case 0x54: // BINSTRING (Python 2 str)
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(bytes(op === 0x54 ? u32() : u8())));
        break;
      case 0x42: // BINBYTES
      case 0x43: // SHORT_BINBYTES
      case 0x8e: // BINBYTES8
        stack.push(bytes(op === 0x42 ? u32() : op === 0x43 ? u8() : u64()).slice());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x64: {
        // DICT
        const d = new Map();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const y = pop();
        stack.push([pop(), y]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const z = pop();
        const y = pop();
        stack.push([pop(), y, z]);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        dictAt().set(key(k), v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const kv = popMark();
        setItems(dictAt(), kv);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        listAt().push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const vs = popMark();
        listAt().push(...vs);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(globalOf(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw bad('STACK_GLOBAL of names that are not strings');
        stack.push(globalOf(module, name));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x62: {
        // BUILD: the state of an OrderedDict is its attributes (a state dict's _metadata): not kept.
        const state = pop();
        if (!(top() instanceof Map) || !(state === null || state instanceof Map)) throw bad('BUILD (setting an object state) on something other than a dict');
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistent(pop()));
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) throw bad(`a memo reference ${k} to nothing`);
        stack.push(memo.get(k));
        break;
      }
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      default:
        throw bad(`pickle opcode 0x${op.toString(16)} at byte ${at - 1}, which torch.save does not write`);
    }
  }
}
