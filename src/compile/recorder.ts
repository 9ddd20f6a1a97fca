/**
 * Recording, re-binding and replaying programs for wg.compile (docs/internals.md, "Compile and replay").
 *
 * A *JS run* executes the step function's JavaScript with the recorder on:
 * - trace (the first call for a set of input shapes): the step runs eagerly; every step-scoped
 *   allocation (op outputs, saved buffers, gradient buffers, leaf gradients, constants) is pinned
 *   to the program instead of the step, and every kernel launch is appended to the program as a
 *   snapshot of its records.
 * - patch: the step runs again for new inputs, but nothing executes and nothing is allocated: each
 *   step-scoped allocation returns the block recorded at the same position, and each launch
 *   re-encodes the recorded records. A launch or allocation that does not match the recording
 *   means the function is not static (different ops or shapes for the same input shapes).
 * Every JS run also builds a Binding: what the run learnt about the few values that change from
 * call to call, so that later calls can skip the JavaScript (a *fast replay*):
 * - input slots: the record words holding an input tensor's pointer (patched to the new inputs);
 * - leaf gradients: the .grad each leaf had for backward() and the optimizer, restored by compile;
 * - guards: storages the program uses that must still be alive, int32 inputs whose values the
 *   JavaScript validated (labels: a replay needs every value to have been validated before), other
 *   tensors it read (index tensors held by modules: the same storage version);
 * - the leaves' gradients the run needs at its start and leaves at its end (a signature keeps a
 *   program per state: accumulating into a gradient records other work than making one);
 * - bookkeeping to repeat: storage versions bumped by in-place updates, step ends (backward()).
 * A JS run may also find the function not replayable without its JavaScript (`slowReason`): it
 * reads tensor data it updates, a gradient or float inputs, creates tensors (other than
 * zeros/ones/full/arange, hoisted: see hoist), sets hyperparameters, returns JS
 * values, or (found by comparing a patch run with the previous run) a record word or a constant
 * changed between calls other than an input's pointer. Nothing else may change: the state a step
 * advances (optimizer and schedule coefficients, the random stream dropout draws from) lives in
 * memory its kernels update. Such programs keep re-running the JS every call.
 */
import type { Backend } from '../engine/backend/types.js';
import { setSink, type ReplaySink } from '../engine/sink.js';
import type { Storage } from '../engine/storage.js';
import { makePersistent } from '../engine/memory.js';
import type { Tensor } from '../engine/tensor.js';
import { BackendError, CompileError } from '../errors.js';
import { OPCODE_MASK, R, REC_WORDS, pointerWords } from '../ops/types.js';
import { OPS, op } from '../ops/index.js';
import { callSite } from './callsite.js';
import { nextU32, restoreStream, saveStream, sfc32Next } from '../random.js';

type Event = { kind: 'alloc'; storage: Storage } | { kind: 'run'; recs: Int32Array[] };

/** A leaf tensor as the sink sees it (the engine types it loosely to stay below Tensor). */
type GradLeaf = { grad: unknown };
/** A leaf the run cleared before doing anything else with it: any .grad at the start will do. */
export const ANY_GRAD = Symbol('any gradient');

/** Pointer words of a record by its input count (an input's pointer can sit in any of them). */
const PTR_WORDS: number[][] = [];
const ptrWords = (nin: number) => (PTR_WORDS[nin] ??= pointerWords(nin));

/** The forward record of an op whose kernel draws one number from the global stream when it runs. */
const DRAWS_ONE = op('dropout').opcode;

/** A patch run reached a drawing kernel (index `at` in the program) with the stream in `state`. */
export interface StreamDraw {
  at: number;
  state: Int32Array;
}

/** What one JS run bound. */
export class Binding {
  /** Input slots as parallel arrays: record, word, argument index. */
  readonly slotRecs: Int32Array[] = [];
  readonly slotWords: number[] = [];
  readonly slotArgs: number[] = [];
  /** Storages the program uses that it does not own (parameters, optimizer state, ...). */
  readonly externals = new Set<Storage>();
  readonly bumps: Storage[] = [];
  endSteps = 0;
  /** Indices of int32 inputs whose values the JS read (validated). */
  readonly readArgs = new Set<number>();
  /**
   * Other tensors the JS read (index tensors stored on modules, masks made outside), with their
   * storage version at the read: the same version on a later call means the same values, so the
   * JS would do the same (a fast replay checks it; kernels never rewrite these without a bump).
   */
  readonly reads = new Map<Storage, { version: number; dtype: string }>();
  /**
   * Leaf -> the .grad the run needs at its start, from the first thing it did with the leaf:
   * backward() found none (null), backward() accumulated into it or an optimizer read it (that
   * tensor), or the run cleared it first (ANY_GRAD: whatever it was).
   */
  readonly startGrads = new Map<GradLeaf, Tensor | null | typeof ANY_GRAD>();
  /** Leaf -> its .grad when the run ended, which a fast replay leaves it with (zeroGrad at the end: null). */
  endGrads: [GradLeaf, Tensor | null][] = [];
  /** Leaves whose .grad was set to null during the run. */
  readonly cleared = new Set<object>();
  /** Tensor objects made during the run (ReplaySink.born): their .grad is not in startGrads. */
  readonly born = new WeakSet<object>();
  /** Words changed by this (patch) run: record, word. */
  readonly diffs: [Int32Array, number][] = [];
  /** patch: where each drawing kernel would have found the stream eagerly (see runPatched). */
  readonly draws: StreamDraw[] = [];
  slowReason: string | null = null;
  /** The user's line that caused slowReason (see callSite). */
  slowCallSite: string | null = null;
  result: unknown = undefined;
}

/** The owner lists of every program's blocks, which its kernels rewrite on every run without a version bump. */
const programBlocks = new WeakSet<Storage[]>();

export class Program {
  readonly events: Event[] = [];
  /** Owner list of the pinned blocks (never recycled by steps; released with the program). */
  readonly owned: Storage[] = [];
  readonly recs: Int32Array[] = [];
  workspace = 0;
  backend: Backend | null = null;
  /** What the last successful JS run bound (null after a failed one). */
  bound: Binding | null = null;
  /** Why this program re-runs its JS every call (null: it can replay fast), and the user's line that did it. Sticky. */
  slowReason: string | null = null;
  slowCallSite: string | null = null;
  /** A patch run compared the JS with the trace and found only explained changes. */
  verified = false;
  /** Constant blocks and their last values (a change between runs means JS-dynamic values). */
  readonly constants: Storage[] = [];
  constValues: number[] = [];
  /**
   * Tensors creation functions made inside the function (hoisted constants, see ReplaySink.hoist),
   * in order, with their arguments and their storage's version after the last JS run: the
   * program holds their handles, so they live as long as it does (or longer, if fn stores them).
   * `storage` is the block made: an in-place op under autograd makes the tensor take over its
   * result's block (Tensor.takeOver), and such a tensor is made again at every call.
   */
  readonly made: { t: { storage: Storage }; storage: Storage; key: string; version: number }[] = [];
  /** Per int32 input: which values a JS run has validated (bitmap by value). */
  readonly seen = new Map<number, Uint8Array>();
  stats = { traces: 0, jsRuns: 0, fastRuns: 0 };
  /** jsState.version at the last successful JS run. */
  jsStateVersion = -1;

  /** Storages the caller got this program's results in (compile's handOut), until the next run overwrites the blocks. */
  readonly handedOut: Storage[] = [];

  /** Copies the results handed out by the last run to the JS heap: their blocks are about to be reused. */
  spillHandedOut(): void {
    for (const s of this.handedOut) s.spill();
    this.handedOut.length = 0;
  }

  constructor() {
    programBlocks.add(this.owned);
  }

  release(): void {
    this.spillHandedOut();
    for (const s of this.owned) if (s.owner === this.owned) s.release();
    this.owned.length = 0;
  }
}

/** The JavaScript of a compiled function recorded other ops or shapes than its trace. */
export class NotStaticError extends CompileError {}

function notStatic(what: string): NotStaticError {
  return new NotStaticError(
    'compile',
    `the step function did not repeat its recorded work (${what}). A compiled function must run the same ops on the same shapes ` +
      'every call for the same input shapes: no data-dependent branches, no reading values inside it.',
  );
}

const opName = (code: number) => OPS[code & OPCODE_MASK]?.name ?? `opcode ${code}`;

const SEEN_CAP = 1 << 22;

/** A block for messages: its size and what made it (the storage knows no shape). */
const describe = (s: Storage, dtype: string) => `a ${dtype} tensor of ${s.words} element${s.words === 1 ? '' : 's'} made by ${s.label}`;

class Recorder implements ReplaySink {
  mode: 'off' | 'trace' | 'patch' = 'off';
  program: Program | null = null;
  /** The binding being built by the current JS run. */
  run: Binding | null = null;
  private cursor = 0;
  /** patch: index in the program of the next launched record. */
  private recCursor = 0;
  /** patch: index in program.made of the next hoisted tensor. */
  private madeCursor = 0;
  /** Input storages of the current JS run -> argument index; and their pointers. */
  private argOf = new Map<Storage, number>();
  private argPtr = new Map<number, number>();

  /** `args`: the inputs, the function's arguments then the tensors inside its array and object arguments. */
  begin(mode: 'trace' | 'patch', program: Program, args: readonly unknown[], storageOf: (a: unknown) => Storage | null): void {
    if (this.mode !== 'off') throw new CompileError('compile', 'compiled functions cannot call each other (a compiled function was called inside another one)');
    this.mode = mode;
    this.program = program;
    this.cursor = 0;
    this.recCursor = 0;
    this.madeCursor = 0;
    this.run = new Binding();
    this.argOf.clear();
    this.argPtr.clear();
    args.forEach((a, i) => {
      const s = storageOf(a);
      if (s === null || this.argOf.has(s)) return;
      this.argOf.set(s, i);
      this.argPtr.set(s.ptr, i);
    });
  }

  /** Leaves recording after an exception (nothing of a patch has run). */
  abort(): void {
    this.mode = 'off';
    if (this.program) this.program.bound = null;
    this.program = null;
    this.run = null;
  }

  end(result: unknown): void {
    const p = this.program!;
    const b = this.run!;
    if (this.mode === 'patch' && this.cursor !== p.events.length) {
      this.abort();
      throw notStatic('it stopped before the end of the recording');
    }
    const wasTrace = this.mode === 'trace';
    this.mode = 'off';
    this.program = null;
    this.run = null;
    b.result = result;
    for (const m of p.made) m.version = m.t.storage.version;
    b.endGrads = [...b.startGrads.keys()].map((leaf) => [leaf, leaf.grad as Tensor | null]);
    for (const [s, { version, dtype }] of b.reads)
      if (!s.alive || s.version !== version || b.bumps.includes(s))
        b.slowReason ??= `the function reads tensor values in JavaScript that it updates in place (${describe(s, dtype)})`;
    if (wasTrace) {
      for (const e of p.events) if (e.kind === 'alloc' && e.storage.label === 'constant' && e.storage.words === 1) p.constants.push(e.storage);
    } else {
      // Verification: every change since the previous run must be an input's pointer.
      for (const [rec, w] of b.diffs) {
        if (ptrWords(rec[R.NIN]).includes(w) && this.isArgPtrWord(b, rec, w)) continue;
        b.slowReason ??= `a parameter of ${opName(rec[R.OPCODE])} changed between calls: the JavaScript computes a value the recording cannot follow`;
      }
    }
    const values = p.constants.map((s) => (s.alive ? s.backend.read(s.ptr, 1, 'int32')[0] : NaN));
    if (!wasTrace && values.some((v, i) => !Object.is(v, p.constValues[i])))
      b.slowReason ??= 'a constant mixed into an op changed between calls (a number computed by the JavaScript)';
    p.constValues = values;
    if (b.slowReason !== null) {
      if (p.slowReason === null) [p.slowReason, p.slowCallSite] = [b.slowReason, b.slowCallSite];
    } else if (!wasTrace) p.verified = true;
    p.bound = b;
  }

  private isArgPtrWord(b: Binding, rec: Int32Array, w: number): boolean {
    for (let k = 0; k < b.slotRecs.length; k++) if (b.slotRecs[k] === rec && b.slotWords[k] === w) return true;
    return false;
  }

  /** patch: the recorded block for this allocation. */
  recordedAlloc(words: number): Storage {
    const e = this.program!.events[this.cursor++];
    if (e?.kind !== 'alloc' || e.storage.words !== words) throw notStatic(`an allocation of ${words} words`);
    return e.storage;
  }

  /** trace: pins a new block to the program. */
  traceAlloc(s: Storage): void {
    this.program!.events.push({ kind: 'alloc', storage: s });
  }

  /** Runs or records a kernel launch. Returns false when the caller must run it itself. */
  launch(be: Backend, recs: readonly Int32Array[], workspace: number): boolean {
    const p = this.program!;
    const b = this.run!;
    if (p.backend !== null && p.backend !== be)
      throw new BackendError('compile', `a compiled function must use one backend, this one runs ops on ${p.backend.name} and ${be.name}`);
    p.backend = be;
    p.workspace = Math.max(p.workspace, workspace);
    let stored: Int32Array[];
    if (this.mode === 'trace') {
      stored = recs.map((r) => Int32Array.from(r));
      p.events.push({ kind: 'run', recs: stored });
      p.recs.push(...stored);
    } else {
      const e = p.events[this.cursor++];
      if (e?.kind !== 'run' || e.recs.length !== recs.length) throw notStatic(`a launch of ${opName(recs[0]?.[R.OPCODE] ?? 0)}`);
      stored = e.recs;
      for (let i = 0; i < recs.length; i++) {
        const old = stored[i],
          rec = recs[i];
        if (old[R.OPCODE] !== rec[R.OPCODE]) throw notStatic(`${opName(rec[R.OPCODE])} where ${opName(old[R.OPCODE])} was recorded`);
        for (let w = 0; w < REC_WORDS; w++) if (w !== R.WS && old[w] !== rec[w]) b.diffs.push([old, w]);
        old.set(rec);
        // The kernel draws only when the program runs, after the whole JS: note where the stream is
        // now and step past its draw, so JS draws after it (wg.randn in fn) get the eager numbers.
        if (rec[R.OPCODE] === DRAWS_ONE) {
          b.draws.push({ at: this.recCursor + i, state: saveStream() });
          nextU32();
        }
      }
      this.recCursor += recs.length;
    }
    if (this.argPtr.size > 0)
      for (const r of stored)
        for (const w of ptrWords(r[R.NIN])) {
          const arg = this.argPtr.get(r[w]);
          if (arg !== undefined && r[w] !== 0) {
            b.slotRecs.push(r);
            b.slotWords.push(w);
            b.slotArgs.push(arg);
          }
        }
    return this.mode === 'patch';
  }

  /** The current run cannot be replayed without its JavaScript. */
  slow(reason: string): void {
    const b = this.run!;
    if (b.slowReason !== null) return;
    b.slowReason = reason;
    b.slowCallSite = callSite();
  }

  /** Storages used by an op inside the run: inputs are not external, the program's blocks neither. */
  uses(s: Storage): void {
    if (s.owner === this.program!.owned || this.argOf.has(s)) return;
    // A fast replay reuses the recorded address: a tensor the program captures must never be spilled
    // and moved. A program that re-runs its JavaScript re-encodes addresses every call, and what it
    // creates inside stays step-owned (pinning those would keep every call's tensors until GC).
    if (this.program!.slowReason === null && this.run!.slowReason === null) makePersistent(s, 'compile');
    this.run!.externals.add(s);
  }

  bump(s: Storage): void {
    const made = this.program!.made.find((m) => m.t.storage === s);
    // A replay would start from the contents the previous call left; a JS run refills them.
    if (made !== undefined) this.slow(`a tensor made inside the function by ${made.key} is updated in place`);
    this.run!.bumps.push(s);
  }

  hoist<T extends { storage: Storage }>(key: string, make: () => T, fill: (t: T) => void): T {
    const p = this.program!;
    let m: Program['made'][number] | undefined;
    if (this.mode === 'patch') {
      // The next tensor made with these arguments: those skipped were made at the trace and kept
      // by fn since (a module caching `this.pos = wg.arange(T)` on its first call), the program
      // still holds them and a replay checks their version.
      let k = this.madeCursor;
      while (k < p.made.length && p.made[k].key !== key) k++;
      m = p.made[k === p.made.length ? this.madeCursor : k];
      this.madeCursor = Math.min(k, p.made.length - 1) + 1;
    }
    if (m !== undefined && m.key === key && m.t.storage === m.storage && m.t.storage.alive) {
      // Changed in place since the last run (outside fn), or updated in place by fn (a slow program).
      if (m.t.storage.version !== m.version || p.slowReason !== null) fill(m.t as T);
      return m.t as T;
    }
    const t = make();
    fill(t);
    if (this.mode === 'trace') p.made.push({ t, storage: t.storage, key, version: -1 });
    else if (m?.key === key && m.t.storage !== m.storage) this.slow(`a tensor made inside the function by ${key} is updated in place`);
    else if (m?.key === key) this.slow(`a tensor made inside the function by ${key} was disposed since the trace`);
    else
      this.slow(
        `a tensor made inside the function changes between calls: ${m === undefined ? 'none was made here at the trace' : `${m.key} at the trace`}, ${key} now`,
      );
    return t;
  }

  pinned(): Storage[] {
    return this.program!.owned;
  }

  gradCleared(leaf: GradLeaf): void {
    this.run!.cleared.add(leaf);
    this.atStart(leaf, ANY_GRAD);
  }

  /** The first thing the run did with a leaf's .grad says what it needs there at the start. */
  private atStart(leaf: GradLeaf, want: Tensor | null | typeof ANY_GRAD): void {
    if (!this.run!.startGrads.has(leaf) && !this.run!.born.has(leaf)) this.run!.startGrads.set(leaf, want);
  }

  born(t: object): void {
    this.run!.born.add(t);
  }

  wasCleared(leaf: object): boolean {
    return this.run!.cleared.has(leaf);
  }

  leafGradBound(leaf: GradLeaf, g: object, expect: 'same' | 'null' | 'null-or-same'): void {
    this.atStart(leaf, expect === 'same' ? (g as Tensor) : expect === 'null' ? null : ANY_GRAD);
  }

  gradRead(leaf: GradLeaf, g: object | null): void {
    this.atStart(leaf, g as Tensor | null);
  }

  endStep(): void {
    this.run!.endSteps++;
  }

  /** Reading a value the program computes is not possible inside the function. */
  assertReadable(s: Storage, dtype: string): void {
    if (this.mode === 'off') return;
    if (s.owner === this.program!.owned)
      throw new CompileError(
        'compile',
        'a value computed inside a compiled function cannot be read inside it (it is only computed when the whole ' +
          `step runs); ${
            dtype === 'int32'
              ? 'int32 labels or indices are validated before the step runs: pass them to the compiled function as an argument (e.g. slice them outside)'
              : 'return the tensor and read it after the call'
          }`,
      );
    // A hoisted constant holds what its arguments say on every call (a replay checks its version),
    // unless fn updated it before reading (only the run of the program would do that).
    if (this.program!.made.some((m) => m.t.storage === s) && !this.run!.bumps.includes(s)) return;
    const arg = this.argOf.get(s);
    if (arg !== undefined) {
      if (dtype === 'int32') this.run!.readArgs.add(arg);
      else this.slow(`the function reads tensor values in JavaScript (${describe(s, dtype)})`);
    } else if (s.label === 'grad' || s.label.startsWith('optim.') || (Array.isArray(s.owner) && programBlocks.has(s.owner)))
      // Kernels rewrite these without a version bump (backward's leaf gradients, an optimizer's step
      // counters, a schedule's epoch, other programs' blocks): their values cannot be guarded.
      this.slow(`the function reads tensor values in JavaScript (${describe(s, dtype)})`);
    else if (!this.run!.reads.has(s)) this.run!.reads.set(s, { version: s.version, dtype });
  }

  /** After a successful JS run: the int32 inputs it read were validated by it. */
  markValidated(p: Program, args: readonly unknown[]): void {
    for (const i of p.bound?.readArgs ?? []) {
      const t = args[i] as Tensor;
      const v = t.rawValues(); // the run may have spilled it (its step ended): read it wherever it is
      let seen = p.seen.get(i) ?? new Uint8Array(64);
      for (let k = 0; k < v.length; k++) {
        const x = v[k];
        if (x < 0 || x >= SEEN_CAP) continue;
        if (x >= seen.length) {
          const grown = new Uint8Array(Math.min(SEEN_CAP, Math.max(2 * seen.length, x + 1)));
          grown.set(seen);
          seen = grown;
        }
        seen[x] = 1;
      }
      p.seen.set(i, seen);
    }
  }
}

/**
 * Runs the program after a patch run. Its drawing kernels must find the stream where they found it
 * eagerly, but the JS drew its own numbers (wg.randn in fn) during the run, before any kernel ran:
 * the program runs in segments, the stream set to the noted state before the first kernel draw and
 * at each one a JS draw preceded, then left where the JS run left it. Without JS draws between
 * kernel draws: one call.
 */
export function runPatched(p: Program): void {
  const be = p.backend;
  if (be === null) return;
  const end = saveStream();
  let from = 0;
  let next: Int32Array | null = null; // where the previous kernel draw leaves the stream
  for (const d of p.bound?.draws ?? []) {
    if (next === null)
      restoreStream(d.state); // no kernel draws before the first: no split
    else if (d.state.some((w, k) => w !== next![k])) {
      be.run(p.recs.slice(from, d.at), p.workspace, 'compile');
      from = d.at;
      restoreStream(d.state);
    }
    next = Int32Array.from(d.state);
    sfc32Next(next);
  }
  be.run(from === 0 ? p.recs : p.recs.slice(from), p.workspace, 'compile');
  restoreStream(end);
}

/** true when every value of the int32 input has been validated by an earlier JS run. */
export function allSeen(seen: Uint8Array | undefined, v: ArrayLike<number>): boolean {
  if (seen === undefined) return false;
  for (let k = 0; k < v.length; k++) {
    const x = v[k];
    if (!(x >= 0 && x < seen.length && seen[x] === 1)) return false;
  }
  return true;
}

export const recorder = new Recorder();
setSink(recorder);
