/**
 * The WebAssembly backend: picks one of the three builds of assembly/ (relaxed SIMD with FMA where
 * the engine validates it, else SIMD, else scalar), loads it, keeps typed-array views of its memory
 * (re-made whenever memory.grow detaches them), copies instruction records into a tape block in
 * linear memory and calls the AS interpreter once per run. AS aborts become JS Errors.
 */
import { BackendError, ValueError, WasmgradError, fmtValue } from '../../errors.js';
import { GrowingBlock, Heap } from '../heap.js';
import { FLAG_BACKWARD, OPCODE_MASK, REC_WORDS, R, ginWord, inWord, newRecord, sameShape, specValue, type DType, type TestCase } from '../../ops/types.js';
import { WARM_UP_CASES } from './warm-up-cases.js';
import { OPS, TABLE_HASH } from '../../ops/index.js';
import { setPlanThreads } from '../../ops/contract.js';
import { saveWords, savedInto, type Backend, type HostWords } from './types.js';
import { defaultWasmUrl, threadsWasmUrl, type BuildName } from './wasm-url.js';
import { Pool, threadCount, threadsUnavailable, type PoolExports, type ThreadsOption } from './pool.js';
import { isNode, nodeHost } from '../host.js';
export type { BuildName };

export type WasmSource = URL | string | BufferSource | WebAssembly.Module;
/** The packaged builds, as wg.init({ build }) names them. */
/** What wg.info().build reports: the features the running module was compiled with. */
export type BuildId = 'relaxed-simd' | 'simd' | 'scalar';
const BUILD_IDS: readonly BuildId[] = ['scalar', 'simd', 'relaxed-simd']; // indexed by the module's build()
const ID_OF: Record<BuildName, BuildId> = { relaxed: 'relaxed-simd', simd: 'simd', scalar: 'scalar' };

// Feature probes: the smallest modules using the instruction the build needs,
// (module (func (result v128) <body>)). WebAssembly.validate compiles nothing.
function probe(body: number[]): Uint8Array<ArrayBuffer> {
  const code = [0x00 /* no locals */, ...body, 0x0b /* end */];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00, // \0asm, version 1
    0x01,
    0x05,
    0x01,
    0x60,
    0x00,
    0x01,
    0x7b, // type section: () -> v128
    0x03,
    0x02,
    0x01,
    0x00, // function section: one function of type 0
    0x0a,
    code.length + 2,
    0x01,
    code.length,
    ...code, // code section: one body
  ]);
}
const SPLAT0 = [0x41, 0x00, 0xfd, 0x0f]; // i32.const 0; i8x16.splat
/** True if the engine accepts WebAssembly SIMD (i8x16.splat). */
export function simdSupported(): boolean {
  return WebAssembly.validate(probe(SPLAT0));
}
/** True if the engine accepts relaxed SIMD (f32x4.relaxed_madd, the instruction the FMA build uses). */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(probe([...SPLAT0, ...SPLAT0, ...SPLAT0, 0xfd, 0x85, 0x02]));
}
/** The fastest build this engine runs: relaxed SIMD, else SIMD, else scalar. */
export function detectBuild(): BuildName {
  return relaxedSimdSupported() ? 'relaxed' : simdSupported() ? 'simd' : 'scalar';
}
const NEEDS: Record<BuildName, [() => boolean, string]> = {
  relaxed: [relaxedSimdSupported, 'relaxed SIMD (Chrome ≥ 114, Node ≥ 21, Node 20 with --experimental-wasm-relaxed-simd, Firefox ≥ 145)'],
  simd: [simdSupported, 'WebAssembly SIMD'],
  scalar: [() => true, ''],
};

interface Exports {
  memory: WebAssembly.Memory;
  run(tape: number, from: number, to: number): void;
  heapBase(): number;
  /** Byte address of the global random stream's 4 state words (assembly/kernels/shape.ts). */
  streamState(): number;
  /** The contract and op-table hash the module was generated with (missing in modules built before it). */
  tableHash?(): number;
  /** assembly/arena.ts: scratch words the last record took, and that record's byte address. */
  arenaDemand(): number;
  arenaRecord(): number;
  simd(): number;
  /** assembly/debug.ts: byte address, count → index of the first NaN/±Inf or -1. */
  f32_first_nonfinite(p: number, n: number): number;
  /** 2 relaxed SIMD, 1 SIMD, 0 scalar. */
  build(): number;
}

// Warm-up at init (see warmUp): passes of the program, floats of its elementwise records, and how
// long init then leaves V8's background TurboFan jobs to finish (Node only: a browser tab in the
// background would stretch the timer to a second). Measured on a 2-core EPYC, Node 20, a fresh
// instance's first step of an MLP 784-256-10 (batch 64, Adam): 10.4 ms cold, 4.4 ms after the
// warm-up alone, 1.44 ms after warm-up + settle (steady state 1.15 ms); init takes ~17 + 15 ms more.
const WARM_UP_ROUNDS = 10;
const WARM_UP_ELEMENTS = 1024;
const WARM_UP_SETTLE_MS = 15;

/** The message of assembly/arena.ts's bound check. */
const ARENA_OVERFLOW = 'wasmgrad: kernel scratch overflow';
const hex = (h: number) => `0x${(h >>> 0).toString(16).padStart(8, '0')}`;

/** The file of each packaged build, beside the bundle in dist/ (and in build/ from source). */
const WASM_FILE: Record<BuildName, string> = { relaxed: 'wasmgrad-relaxed.wasm', simd: 'wasmgrad.wasm', scalar: 'wasmgrad-scalar.wasm' };
const THREADS_FILE = { relaxed: 'wasmgrad-relaxed-threads.wasm', simd: 'wasmgrad-threads.wasm' } as const;
/**
 * The shared memory the threads builds import: their declared minimum (asconfig.json initialMemory,
 * 1 MiB) to the 4 GiB maximum every build has; it grows as the single-thread builds' memory does.
 */
const SHARED_MEMORY = { initial: 16, maximum: 65536, shared: true } as const;

/** What to do where the Node entry cannot load (a bundle for Node that left it out). */
const NO_HOST = 'pass the module as bytes or a WebAssembly.Module';

const hasScheme = (s: string) => /^[a-z][a-z0-9+.-]+:/i.test(s); // two letters at least: `C:\…` is a Windows path
/** The page's (or worker's) URL, against which relative URLs resolve in browsers. */
const pageUrl = (): string | undefined =>
  (globalThis as { document?: { baseURI?: string } }).document?.baseURI ?? (globalThis as { location?: { href?: string } }).location?.href;

/**
 * `src` as a URL: a URL as given; in Node a string without a scheme is a local path (relative to
 * the working directory), in a browser a URL relative to the page.
 */
async function toUrl(src: string | URL): Promise<URL> {
  if (src instanceof URL) return src;
  if (isNode && !hasScheme(src)) return (await nodeHost('init', NO_HOST)).fileUrl(src);
  const base = pageUrl();
  try {
    return new URL(src, base);
  } catch {
    throw new ValueError('init', `wasm ${fmtValue(src)} is not a URL${base === undefined ? ' (and there is no page URL to resolve it against)' : ''}`);
  }
}

/** The wasm file `file` under `baseUrl` (a URL or a path, as toUrl reads it); a directory needs its trailing slash added. */
async function underBase(baseUrl: string | URL, file: string): Promise<URL> {
  const base = await toUrl(baseUrl);
  return new URL(file, base.href.endsWith('/') ? base : new URL(`${base.href}/`));
}

/** Chromium and Firefox name the CSP directive when they refuse to compile WebAssembly. */
const CSP_REFUSAL = /Content.Security.Policy|wasm-unsafe-eval|unsafe-eval/i;

/** Compiles the module from `src`; any failure (a missing file, HTTP error, invalid bytes, a CSP) is a BackendError naming the source. */
async function compile(src: WasmSource): Promise<WebAssembly.Module> {
  if (src instanceof WebAssembly.Module) return src;
  const bytes = typeof src !== 'string' && !(src instanceof URL);
  if (bytes && !(src instanceof ArrayBuffer || ArrayBuffer.isView(src)))
    throw new ValueError('init', `wasm must be a URL, a path, bytes (BufferSource) or a WebAssembly.Module, got ${fmtValue(src)}`);
  const url = bytes ? null : await toUrl(src);
  const where = url ? url.href : 'the bytes given';
  try {
    if (!url) return await WebAssembly.compile(src as BufferSource);
    if (isNode && url.protocol === 'file:') return await WebAssembly.compile(await (await nodeHost('init', NO_HOST)).readFileBytes(url));
    const res = await fetch(url);
    if (!res.ok) throw new BackendError('init', `could not fetch ${url.href}: HTTP ${res.status} ${res.statusText}`.trimEnd());
    return await WebAssembly.compile(await res.arrayBuffer());
  } catch (e) {
    if (e instanceof WasmgradError) throw e;
    const msg = (e as Error)?.message ?? String(e);
    if (CSP_REFUSAL.test(msg))
      throw new BackendError(
        'init',
        `the page's Content Security Policy refuses to compile WebAssembly (${where}): allow 'wasm-unsafe-eval' in script-src, e.g. script-src 'self' 'wasm-unsafe-eval' (${msg})`,
        { cause: e },
      );
    throw new BackendError('init', `could not load the WebAssembly module from ${where}: ${msg}`, { cause: e });
  }
}

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  readonly heap: Heap;
  private readonly ex: Exports;
  private f32!: Float32Array;
  private i32!: Int32Array;
  private readonly tape: GrowingBlock;
  private readonly ws: GrowingBlock;
  /** What the running program was launched for: names an abort or a trap. */
  private running = 'init';
  /** The worker pool of a threads build (wg.init({ threads })), else null. */
  private pool: Pool | null = null;

  /**
   * Loads `src` if given (and reports the build it is), else the packaged `build`, else the
   * fastest build the engine validates (detectBuild). With `threads` asking for more than one, the
   * threads variant of that build over a worker pool, or (with a console notice saying why) one
   * thread where threads cannot run or the pool fails to start.
   */
  static async create(
    src?: WasmSource,
    build?: BuildName,
    warmUpRounds = WARM_UP_ROUNDS,
    baseUrl?: string | URL,
    threads?: ThreadsOption,
  ): Promise<WasmBackend> {
    if (build !== undefined && !Object.hasOwn(ID_OF, build))
      throw new ValueError('init', `unknown build ${fmtValue(build)} (use 'relaxed', 'simd' or 'scalar')`);
    if (src === undefined && build !== undefined && !NEEDS[build][0]())
      throw new BackendError('init', `the '${build}' build needs ${NEEDS[build][1]}, which this engine does not support`);
    if (src !== undefined && baseUrl !== undefined) throw new ValueError('init', 'give wasm (one module) or baseUrl (where the packaged builds are), not both');
    const chosen = build ?? detectBuild();
    const n = await threadCount(threads);
    if (n > 1 && src !== undefined) throw new ValueError('init', 'threads run the packaged threads builds: give baseUrl (or nothing) instead of wasm');
    if (n > 1 && build === 'scalar') throw new ValueError('init', `threads need a SIMD build, got build 'scalar' with threads ${fmtValue(threads)}`);
    const pooled = n > 1 ? await WasmBackend.threaded(chosen, n, baseUrl) : null;
    const self =
      pooled instanceof WasmBackend
        ? pooled
        : await WasmBackend.instantiate(await compile(src ?? (baseUrl !== undefined ? await underBase(baseUrl, WASM_FILE[chosen]) : defaultWasmUrl(chosen))));
    if (typeof pooled === 'string') self.threadsNote = pooled;
    if (src !== undefined && build !== undefined && self.build !== ID_OF[build])
      throw new BackendError('init', `asked for the '${build}' build, but the module given is the '${self.build}' build`);
    if (warmUpRounds > 0) {
      self.warmUp(warmUpRounds);
      if (isNode) await new Promise((r) => setTimeout(r, WARM_UP_SETTLE_MS));
    }
    return self;
  }

  /** Instantiates a wasmgrad build (over `memory` for the threads builds, which import theirs). */
  private static async instantiate(module: WebAssembly.Module, memory?: WebAssembly.Memory): Promise<WasmBackend> {
    let self: WasmBackend | undefined;
    try {
      const instance = await WebAssembly.instantiate(module, {
        env: {
          abort: (msg: number, file: number, line: number, col: number) => {
            const text = self ? self.string(msg) : 'abort';
            if (self && text === ARENA_OVERFLOW) throw self.overflow();
            const where = self && file ? ` (${self.string(file)}:${line}:${col})` : '';
            throw new BackendError(self?.running ?? 'init', `WebAssembly abort: ${text}${where}`);
          },
          // The threads builds' join reads a clock (assembly/pool.ts poolNow).
          ...(memory ? { memory, poolNow: () => performance.now() } : {}),
        },
      });
      self = new WasmBackend(instance.exports as unknown as Exports);
    } catch (e) {
      if (e instanceof WasmgradError) throw e;
      throw new BackendError('init', `the module is not a wasmgrad build: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
    return self;
  }

  /**
   * The threads variant of `build` over one shared memory with n − 1 workers, or the text of the
   * console notice it printed saying why it runs on one thread instead (no SharedArrayBuffer, a page that is
   * not cross-origin isolated, no SIMD, a missing file, a worker that fails or does not answer).
   * The workers instantiate before anything else touches the memory: each instantiation rewrites
   * the module's data segments (the random stream's state among them) with their initial bytes.
   */
  private static async threaded(build: BuildName, n: number, baseUrl?: string | URL): Promise<WasmBackend | string> {
    const notice = (why: string) => {
      const text = `wasmgrad.init: running on one thread instead of ${n}: ${why}`;
      console.warn(text);
      return text;
    };
    const why = threadsUnavailable();
    if (why !== null) return notice(why);
    if (build === 'scalar') return notice('this engine has no WebAssembly SIMD, which the threads builds need');
    const url = baseUrl !== undefined ? await underBase(baseUrl, THREADS_FILE[build]) : threadsWasmUrl(build);
    if (url === null) return notice('this entry (wasmgrad/inline) does not include the threads builds');
    try {
      const module = await compile(url);
      const memory = new WebAssembly.Memory(SHARED_MEMORY);
      const self = await WasmBackend.instantiate(module, memory);
      const ex = self.ex as Exports & PoolExports;
      const ctrl = self.heap.alloc(ex.poolCtrlWords(), 'init');
      const scratch = Array.from({ length: n - 1 }, () => self.heap.alloc(Math.ceil(ex.poolScratchBytes() / 4), 'init') * 4);
      self.pool = await Pool.start(module, memory, ex, ctrl * 4, scratch);
      setPlanThreads(n);
      return self;
    } catch (e) {
      // The reason without its 'wasmgrad.init: ' prefix: the notice has its own.
      return notice(e instanceof WasmgradError ? e.message.slice(`wasmgrad.${e.fn}: `.length) : ((e as Error)?.message ?? String(e)));
    }
  }

  private constructor(ex: Exports) {
    this.ex = ex;
    const built = ex.tableHash ? hex(ex.tableHash()) : 'none';
    if (built !== hex(TABLE_HASH))
      throw new BackendError(
        'init',
        `the wasm module was built from another version: its op table and record layout hash ${built}, this library's ${hex(TABLE_HASH)} (rebuild: npm run build:wasm)`,
      );
    this.views();
    // A 64 KiB gap above the AS data segments; the stub runtime never allocates in kernels.
    this.heap = new Heap((ex.heapBase() >>> 2) + 16384, (end) => this.ensure(end));
    this.tape = new GrowingBlock(this.heap);
    this.ws = new GrowingBlock(this.heap);
  }

  /** Why the kernels run on fewer threads than wg.init asked for (the notice init printed, or the error that gave the pool up), else null. */
  threadsNote: string | null = null;

  /** Threads a kernel can split its work across (1 without a pool). */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  /** Jobs the kernels have split across the pool so far (0 without one). */
  get poolJobs(): number {
    return this.pool?.jobs ?? 0;
  }

  /** The pool's workers asleep now (0 without a pool). */
  get poolSleeping(): number {
    return this.pool?.sleeping ?? 0;
  }

  /** Parts of the workers' share the main thread ran itself so far (0 without a pool). */
  get poolTaken(): number {
    return this.pool?.taken ?? 0;
  }

  get simd(): boolean {
    return this.ex.simd() === 1;
  }

  /** The build running, from the module's build() export. */
  get build(): BuildId {
    return BUILD_IDS[this.ex.build()];
  }

  /** The error for an arena overflow (assembly/arena.ts): the record's op, its scratch bound and what it asked for. */
  private overflow(): BackendError {
    this.fresh();
    const rec = this.i32.subarray(this.ex.arenaRecord() >>> 2);
    const code = rec[R.OPCODE];
    const phase = code & FLAG_BACKWARD ? 'backward' : 'forward';
    return new BackendError(
      this.running,
      `the ${phase} kernel of ${OPS[code & OPCODE_MASK].name} (opcode ${code & OPCODE_MASK}) asked for at least ${this.ex.arenaDemand()} words of scratch, its plan's workspace is ${rec[R.WS_WORDS]} (internal: the op's plan under-estimates)`,
    );
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

  /** Grows memory to span `endWord` words (≤ the heap's 4 GiB limit); false if the engine refuses. */
  private ensure(endWord: number): boolean {
    const have = this.ex.memory.buffer.byteLength >>> 16;
    const need = Math.ceil((endWord * 4) / 65536) - have;
    if (need <= 0) return true;
    // Geometrically (by half the current size) so a growing model does not pay for many small
    // grows; when the engine refuses that, exactly what is needed.
    const geometric = Math.min(Math.max(need, have >>> 1), 65536 - have);
    for (const pages of geometric > need ? [geometric, need] : [need]) {
      try {
        this.ex.memory.grow(pages);
      } catch (e) {
        if (e instanceof RangeError) continue; // "WebAssembly.Memory.grow(): Maximum memory size exceeded" or allocation failed
        throw e;
      }
      this.views();
      return true;
    }
    return false;
  }

  /** A view of the 4 words the dropout kernel draws its seeds from (for src/random.ts moveStream; memory growth detaches it). */
  streamWords(): Int32Array {
    this.fresh();
    const at = this.ex.streamState() >>> 2;
    return this.i32.subarray(at, at + 4);
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

  save(ptr: number, n: number): HostWords {
    this.fresh();
    return saveWords(this.i32, ptr, n);
  }

  restore(ptr: number, words: HostWords): void {
    this.fresh();
    this.i32.set(words, ptr);
  }

  readSaved(words: HostWords, n: number, dtype: DType): Float32Array | Int32Array {
    const bits = savedInto(words, new Int32Array(n));
    return dtype === 'int32' ? bits : new Float32Array(bits.buffer);
  }

  fill(ptr: number, n: number, value: number, dtype: DType): void {
    this.fresh();
    (dtype === 'int32' ? this.i32 : this.f32).fill(value, ptr, ptr + n);
  }

  firstNonFinite(ptr: number, n: number): number {
    return this.ex.f32_first_nonfinite(ptr * 4, n);
  }

  /** Size of the module's linear memory in bytes (it only grows). */
  get memoryBytes(): number {
    return this.ex.memory.buffer.byteLength;
  }

  private load(recs: readonly Int32Array[], workspace: number, fn: string): void {
    const ws = this.ws.ensure(workspace, workspace, fn);
    // The tape grows geometrically: a long backward program should not reallocate every time.
    const tape = this.tape.ensure(recs.length * REC_WORDS, Math.max(2 * this.tape.words, 64 * REC_WORDS), fn);
    this.fresh();
    for (let i = 0; i < recs.length; i++) {
      recs[i][R.WS] = ws;
      this.i32.set(recs[i], tape + i * REC_WORDS);
    }
  }

  /** Runs the records in one interpreter call; an abort or a trap becomes a BackendError naming `fn`. */
  run(recs: readonly Int32Array[], workspace: number, fn = 'run'): void {
    // A worker that ended between jobs held no part (the main thread ran its parts): drop the pool now.
    if (this.pool?.exited) this.dropPool(`wasmgrad.${fn}: worker ${this.pool.exited} exited`);
    this.load(recs, workspace, fn);
    this.running = fn;
    try {
      this.ex.run(this.tape.ptr * 4, 0, recs.length);
    } catch (e) {
      // A worker that stopped answering: its error (the abort) says the pool is given up.
      if (this.pool && !this.pool.recover()) this.dropPool(`wasmgrad.${fn}: a worker thread stopped answering`);
      if (e instanceof WebAssembly.RuntimeError) throw new BackendError(fn, `a WebAssembly kernel trapped: ${e.message}`, { cause: e });
      throw e;
    }
  }

  /** Stops the pool for good, with the note wg.info() reports (`why` names the op and the cause): one thread from here on. */
  private dropPool(why: string): void {
    if (!this.pool) return;
    this.threadsNote = `${why}: the pool of ${this.pool.threads} threads was stopped, wasmgrad runs on one thread`;
    this.pool.stop();
    this.pool = null;
  }

  /**
   * The warm-up program: every op of the table forward and backward on scratch buffers, run
   * `rounds` times so V8 tiers the kernels up before the first real step. V8's dynamic tiering
   * (--wasm-dynamic-tiering, on since V8 9.x) runs each function in Liftoff until its budget
   * (--wasm-tiering-budget, ~1.8 MB of executed code in Node 20) is spent in that function's own
   * loops and returns, then compiles it with TurboFan in the background; only calls made after that
   * use the new code (no on-stack replacement). Each op runs its largest table case (copied by
   * scripts/gen-ops.ts into warm-up-cases.ts, since the published bundle has no test cases), an
   * elementwise one (inputs of one shape, e.g. unary maps, optimizer updates, per-element losses)
   * on WARM_UP_ELEMENTS floats instead, so its loop spends the budget in a few calls. Touches
   * neither the RNG nor any tensor; the buffers go back to the heap.
   */
  warmUp(rounds: number): void {
    if (rounds <= 0) return;
    const blocks: [number, number][] = [];
    const buffer = (words: number, fill: (k: number) => number = () => 0, dtype: DType = 'float32'): number => {
      const p = this.heap.alloc(Math.max(words, 1), 'init');
      blocks.push([p, Math.max(words, 1)]);
      this.write(
        p,
        Array.from({ length: words }, (_, k) => fill(k)),
        dtype,
      );
      return p;
    };
    const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
    // Input values from a fixed sequence (no RNG: the warm-up must not move the global stream).
    let t = 0.1;
    const golden = () => (t = (t + 0.618034) % 1);
    const recs: Int32Array[] = [];
    let workspace = 0;
    for (const op of OPS) {
      const [shapes, attrs, specs] = WARM_UP_CASES[op.opcode];
      const largest: TestCase = { inputs: shapes.map((shape, i) => ({ shape, ...specs?.[i] })), attrs };
      const flat = { ...largest, inputs: largest.inputs.map((s) => ({ ...s, shape: [WARM_UP_ELEMENTS] })) };
      const oneShape = largest.inputs.every((s) => sameShape(s.shape, largest.inputs[0].shape));
      const planOf = (tc: typeof largest) =>
        op.plan(
          tc.inputs.map((s) => ({ shape: s.shape, dtype: s.dtype ?? 'float32' })),
          tc.attrs ?? {},
        );
      let c = largest,
        plan;
      if (oneShape)
        try {
          plan = planOf(flat);
          c = flat;
        } catch {
          // an op whose shape rule refuses the flat shape runs its largest case as it is
        }
      plan ??= planOf(largest);
      const n = size(plan.shape);
      const rec = newRecord(op.opcode, c.inputs.length, buffer(n), n, plan.params ?? [], plan.workspace ?? 0);
      c.inputs.forEach((s, i) => (rec[inWord(i)] = buffer(size(s.shape), () => specValue(s, golden), s.dtype)));
      (plan.aux ?? []).forEach((w, j) => (rec[R.AUX + j] = buffer(w)));
      recs.push(rec);
      workspace = Math.max(workspace, plan.workspace ?? 0);
      if (op.gradInputs.length === 0) continue;
      const back = rec.slice();
      back[R.OPCODE] |= FLAG_BACKWARD;
      back[R.GOUT] = buffer(n, () => 1);
      for (const i of op.gradInputs) if (i < c.inputs.length) back[ginWord(i)] = buffer(size(c.inputs[i].shape));
      recs.push(back);
    }
    this.load(recs, workspace, 'init');
    for (let r = 0; r < rounds; r++) this.ex.run(this.tape.ptr * 4, 0, recs.length);
    for (const [p, w] of blocks) this.heap.free(p, w);
  }
}
