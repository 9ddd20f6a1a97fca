/**
 * The WebAssembly backend: loads build/wasmgrad.wasm, keeps typed-array views of its memory
 * (re-made whenever memory.grow detaches them), copies instruction records into a tape block in
 * linear memory and calls the AS interpreter once per run. AS aborts become JS Errors.
 */
import { GrowingBlock, Heap } from '../memory.js';
import { REC_WORDS, R, type DType } from '../ops/types.js';
import type { Backend } from './types.js';
import { defaultWasmUrl } from './wasm-url.js';

export type WasmSource = URL | string | BufferSource | WebAssembly.Module;

interface Exports {
  memory: WebAssembly.Memory;
  run(tape: number, from: number, to: number): void;
  heapBase(): number;
  recordWords(): number;
  opcodeCount(): number;
  simd(): number;
}

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

async function compile(src: WasmSource | undefined): Promise<WebAssembly.Module> {
  if (src instanceof WebAssembly.Module) return src;
  if (src !== undefined && typeof src !== 'string' && !(src instanceof URL)) return WebAssembly.compile(src);
  const url = src === undefined ? defaultWasmUrl() : new URL(src, isNode ? `file://${process.cwd()}/` : undefined);
  if (isNode && url.protocol === 'file:') {
    const { readFileBytes } = await import('../node/read.js');
    return WebAssembly.compile(await readFileBytes(url));
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`wasmgrad.init: could not fetch ${url.href}: HTTP ${res.status}`);
  return WebAssembly.compile(await res.arrayBuffer());
}

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  readonly heap: Heap;
  private readonly ex: Exports;
  private f32!: Float32Array;
  private i32!: Int32Array;
  private readonly tape: GrowingBlock;
  private readonly ws: GrowingBlock;

  static async create(src?: WasmSource): Promise<WasmBackend> {
    const module = await compile(src);
    let self: WasmBackend | undefined;
    const instance = await WebAssembly.instantiate(module, {
      env: {
        abort: (msg: number, file: number, line: number, col: number) => {
          const text = self ? self.string(msg) : 'abort';
          const where = self && file ? ` (${self.string(file)}:${line}:${col})` : '';
          throw new Error(`wasmgrad (wasm): ${text}${where}`);
        },
      },
    });
    self = new WasmBackend(instance.exports as unknown as Exports);
    return self;
  }

  private constructor(ex: Exports) {
    this.ex = ex;
    if (ex.recordWords() !== REC_WORDS) throw new Error('wasmgrad.init: wasm/JS record layout mismatch (rebuild)');
    this.views();
    // A 64 KiB gap above the AS data segments; the stub runtime never allocates in kernels.
    this.heap = new Heap((ex.heapBase() >>> 2) + 16384, (end) => this.ensure(end));
    this.tape = new GrowingBlock(this.heap);
    this.ws = new GrowingBlock(this.heap);
  }

  get simd(): boolean {
    return this.ex.simd() === 1;
  }

  /** Decodes an AssemblyScript string (UTF-16, byte length in the header word before it). */
  private string(ptr: number): string {
    if (!ptr) return '';
    const bytes = new Uint32Array(this.ex.memory.buffer, (ptr >>> 0) - 4, 1)[0];
    return String.fromCharCode(...new Uint16Array(this.ex.memory.buffer, ptr >>> 0, bytes >>> 1));
  }

  private views(): void {
    const buf = this.ex.memory.buffer;
    this.f32 = new Float32Array(buf);
    this.i32 = new Int32Array(buf);
  }

  private ensure(endWord: number): void {
    const need = endWord * 4 - this.ex.memory.buffer.byteLength;
    if (need > 0) {
      try {
        // Grow geometrically so a growing model does not pay for many small grows.
        const pages = Math.max(Math.ceil(need / 65536), this.ex.memory.buffer.byteLength >>> 17);
        this.ex.memory.grow(Math.min(pages, 65536 - (this.ex.memory.buffer.byteLength >>> 16)));
      } catch (e) {
        throw new Error(`wasmgrad: out of WebAssembly memory growing to ${(endWord * 4) / 2 ** 20} MiB (${e})`);
      }
      if (endWord * 4 > this.ex.memory.buffer.byteLength) throw new Error('wasmgrad: out of WebAssembly memory (4 GiB)');
    }
    if (this.f32.buffer !== this.ex.memory.buffer) this.views();
  }

  private fresh(): void {
    if (this.f32.buffer !== this.ex.memory.buffer) this.views();
  }

  write(ptr: number, data: ArrayLike<number>, dtype: DType): void {
    this.fresh();
    (dtype === 'int32' ? this.i32 : this.f32).set(data, ptr);
  }

  read(ptr: number, n: number, dtype: DType): Float32Array | Int32Array {
    this.fresh();
    return (dtype === 'int32' ? this.i32 : this.f32).slice(ptr, ptr + n);
  }

  fill(ptr: number, n: number, value: number, dtype: DType): void {
    this.fresh();
    (dtype === 'int32' ? this.i32 : this.f32).fill(value, ptr, ptr + n);
  }


  private load(recs: readonly Int32Array[], workspace: number): void {
    const ws = this.ws.ensure(workspace);
    // The tape grows geometrically: a long backward program should not reallocate every time.
    const tape = this.tape.ensure(recs.length * REC_WORDS, Math.max(2 * this.tape.words, 64 * REC_WORDS));
    this.fresh();
    for (let i = 0; i < recs.length; i++) {
      recs[i][R.WS] = ws;
      this.i32.set(recs[i], tape + i * REC_WORDS);
    }
  }

  run(recs: readonly Int32Array[], workspace: number): void {
    this.load(recs, workspace);
    this.ex.run(this.tape.ptr * 4, 0, recs.length);
  }
}
