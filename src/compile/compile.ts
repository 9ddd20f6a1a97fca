/**
 * wg.compile(fn): whole-step replay, in the manner of CUDA graphs / torch.compile's cudagraphs and
 * jax.jit. The first call for a given set of input shapes traces fn eagerly (its results are that
 * call's results) and records every kernel launch, pinning the step-scoped memory it used; later
 * calls run forward, backward and the optimizer update in ONE WebAssembly call without running
 * fn's JavaScript. How (trace, patch run, fast replay, the sink, where replay state lives, what
 * makes a function re-run its JS): docs/internals.md, "Compile and replay"; the recording itself:
 * src/compile/recorder.ts.
 *
 * What a fast replay cannot see (as for jax.jit): JavaScript inside fn does not run, so side
 * effects there (counters, logging) happen only on the trace and the re-run calls, and values fn
 * reads from JS state that change later than the second call (a flag flipped after 10 epochs)
 * are not noticed: keep such state outside fn, or pass `{ verify: n }` to re-run the JS (and
 * re-check) every n calls (`verify: 1`: every call, the fully checked mode).
 *
 * Rules (as for torch.jit.trace / jax.jit): fn must run the same ops on the same shapes every
 * call for the same input shapes, and must not read values it computes (return them instead).
 * The tensors fn returns live in the program's blocks, which the next call overwrites: each call
 * hands them out as tensors of their own (handOut), whose values are copied to the JS heap before
 * the next run, so a returned loss held across calls keeps its value. The gradients it makes are the
 * same storage on every call (as .grad accumulated in place).
 */
import type { BackendName } from '../engine/backend/types.js';
import { checkBool, checkFunction, checkOptions } from '../engine/check.js';
import { debug } from '../engine/debug.js';
import { anomaly } from '../engine/anomaly.js';
import { CompileError, ValueError, fmtValue } from '../errors.js';
import { lifetimes, Storage } from '../engine/storage.js';
import { jsState } from '../engine/sink.js';
import { allSeen, ANY_GRAD, NotStaticError, Program, recorder, runPatched, type Binding } from './recorder.js';
import { Tensor } from '../engine/tensor.js';

export interface CompileOptions {
  /**
   * Re-run fn's JavaScript every `verify` calls, checking it still records the same program and
   * re-binding what it computes (debugging; 1 = every call). Default 0: only on the second call.
   */
  verify?: number;
  /**
   * Warn (console.warn, once per reason) when the function cannot replay without its JavaScript,
   * and when it has traced more than MANY_SIGNATURES signatures. Default true.
   */
  warn?: boolean;
}

/** More traced signatures than this (e.g. a number argument that takes many values) is worth a warning. */
const MANY_SIGNATURES = 8;

/** How one traced input signature replays. */
export interface ReplayInfo {
  signature: string;
  /**
   * 0, or k for the k-th further program of this signature: one per state of the leaves' gradients
   * at the call (none, or being accumulated into: gradient accumulation), each traced once.
   */
  variant: number;
  /** 'fast': no JavaScript per call; 'rerun': fn's JavaScript runs every call; 'pending': not yet verified. */
  mode: 'fast' | 'rerun' | 'pending';
  reason: string | null;
  /** The user's line that caused `reason` (the first stack frame outside wasmgrad), when known. */
  callSite: string | null;
  calls: { traces: number; jsRuns: number; fastRuns: number };
}

const storageOf = (a: unknown): Storage | null => (a instanceof Tensor ? a.storage : null);

/**
 * Numbers, booleans and strings are part of the signature by value (as jax.jit's static
 * arguments): fn may mix them into its ops as constants, so another value traces another program.
 */
const isPrimitive = (a: unknown): a is number | boolean | string => typeof a === 'number' || typeof a === 'boolean' || typeof a === 'string';

/** Arrays and plain objects, whose tensors (up to NESTING levels down) are inputs too: `step({ x, y })`, `step([a, b])`. */
const NESTING = 4;
const isContainer = (a: unknown): a is object =>
  a !== null && typeof a === 'object' && !(a instanceof Tensor) && (Array.isArray(a) || Object.getPrototypeOf(a) === Object.prototype);

/** The inputs: the arguments, then the tensors inside array and object arguments (depth first). */
function inputsOf(args: readonly unknown[]): readonly unknown[] {
  if (!args.some(isContainer)) return args;
  const flat = [...args];
  const visit = (v: unknown, depth: number): void => {
    if (v instanceof Tensor) flat.push(v);
    else if (depth < NESTING && isContainer(v)) for (const x of Array.isArray(v) ? v : Object.values(v)) visit(x, depth + 1);
  };
  for (const a of args) if (isContainer(a)) visit(a, 0);
  return flat;
}

/** An argument in a signature: a tensor's backend, dtype and shape, a primitive's value, a container's layout. */
function describeArg(a: unknown, depth = 0): string {
  if (a instanceof Tensor) return `${a.storage.backend.name as BackendName}:${a.dtype}[${a.shape.join(',')}]`;
  if (isPrimitive(a)) return `${typeof a}=${typeof a === 'string' ? JSON.stringify(a) : String(a)}`;
  if (depth < NESTING && isContainer(a))
    return Array.isArray(a)
      ? `[${a.map((x) => describeArg(x, depth + 1)).join(', ')}]`
      : `{${Object.entries(a)
          .map(([k, x]) => `${k}: ${describeArg(x, depth + 1)}`)
          .join(', ')}}`;
  return typeof a;
}

function signature(args: readonly unknown[]): string {
  const inputs = inputsOf(args);
  // Inputs that share storage are part of the signature: they share record words.
  const shared = (i: number): string => {
    const a = inputs[i];
    let marks = '';
    if (a instanceof Tensor) for (let j = 0; j < i; j++) if (inputs[j] instanceof Tensor && (inputs[j] as Tensor).storage === a.storage) marks += `=${j}`;
    return marks;
  };
  let key = '';
  for (let i = 0; i < args.length; i++) key += `${describeArg(args[i])}${shared(i)} `;
  for (let i = args.length; i < inputs.length; i++) {
    const marks = shared(i);
    if (marks !== '') key += `#${i}${marks} `;
  }
  return key;
}

/** Whether the previous call's signature still holds (avoids building the key string). */
function sameSignature(prev: readonly unknown[], args: readonly unknown[]): boolean {
  if (prev.length !== args.length) return false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i],
      p = prev[i];
    if (isContainer(a)) return false; // compared by their signature
    if (!(a instanceof Tensor)) {
      if (p instanceof Tensor || typeof a !== typeof p || (isPrimitive(a) && !Object.is(a, p))) return false;
      continue;
    }
    if (!(p instanceof Tensor) || a.dtype !== p.dtype || a.storage.backend !== p.storage.backend || a.shape.length !== p.shape.length) return false;
    for (let k = 0; k < a.shape.length; k++) if (a.shape[k] !== p.shape[k]) return false;
    for (let j = 0; j < i; j++) {
      const aj = args[j],
        pj = prev[j];
      if ((aj instanceof Tensor && aj.storage === a.storage) !== (pj instanceof Tensor && pj.storage === p.storage)) return false;
    }
  }
  return true;
}

/** Notes in the current run why fn's result cannot be handed back without running its JS. */
function checkResult(value: unknown, args: readonly unknown[], depth = 0): void {
  if (value === undefined || value === null) return;
  if (value instanceof Tensor) {
    if (args.some((a) => a instanceof Tensor && a.storage === value.storage)) recorder.slow('the function returns one of its inputs');
    else if (value.node !== null && !value.node.freed) recorder.slow('the function returns a tensor whose graph is still alive (backward() outside it)');
    return;
  }
  if (depth < 4 && typeof value === 'object' && (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)) {
    for (const v of Array.isArray(value) ? value : Object.values(value)) checkResult(v, args, depth + 1);
    return;
  }
  recorder.slow('the function returns JavaScript values computed in it');
}

/**
 * This call's results as the caller gets them: each tensor on one of the program's blocks becomes a
 * tensor of its own borrowing the block, spilled (its value copied to the JS heap, usually one
 * scalar) before the program runs again, so a held result keeps its value and costs nothing more.
 */
function handOut(p: Program, value: unknown, depth = 0): unknown {
  if (value instanceof Tensor) {
    const s = value.storage;
    if (s.owner !== p.owned) return value;
    const borrowed = new Storage(s.backend, s.ptr, s.words, 'borrowed', s.label, lifetimes.step);
    p.handedOut.push(borrowed);
    return new Tensor(value.shape, value.dtype, borrowed, false);
  }
  if (depth >= 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => handOut(p, v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, handOut(p, v, depth + 1)]));
}

const MISS = Symbol('run the JavaScript');

/**
 * Whether the leaves' gradients are as the JS run found them at its start: none where backward()
 * made one, the very tensor where backward() accumulated or an optimizer read first, anything
 * where the run cleared it first. Accumulating into a gradient and making a fresh one are
 * different programs (a zero-fill or not), so a call in the other state takes another variant.
 */
function gradsAsRecorded(b: Binding): boolean {
  for (const [leaf, want] of b.startGrads) {
    if (want === ANY_GRAD) continue;
    const g = leaf.grad as Tensor | null;
    // By storage: each JS run wraps the program's gradient buffer in a new handle.
    if (want === null ? g !== null && g.storage.alive : g?.storage !== want.storage) return false;
  }
  return true;
}

const programsOf = new FinalizationRegistry<Map<string, Program[]>>((programs) => {
  for (const list of programs.values()) for (const p of list) p.release();
});

export function compile<A extends unknown[], R>(fn: (...args: A) => R, opts: CompileOptions = {}): ((...args: A) => R) & { replayInfo(): ReplayInfo[] } {
  checkFunction('compile', 'fn', fn);
  const o = checkOptions<CompileOptions>('compile', opts, ['verify', 'warn']);
  const verify = o.verify ?? 0;
  if (!Number.isInteger(verify) || verify < 0) throw new ValueError('compile', `verify must be an integer ≥ 0, got ${fmtValue(verify)}`);
  checkBool('compile', 'warn', o.warn);
  const warn = o.warn ?? true;
  const warned = new Set<string>();
  /** Says once per reason why this function runs its JavaScript every call (issue 13: never silently slow). */
  const warnSlow = (p: Program): void => {
    if (!warn || p.slowReason === null || warned.has(p.slowReason)) return;
    warned.add(p.slowReason);
    console.warn(
      `wasmgrad.compile: ${fn.name || 'this function'} cannot replay without running its JavaScript: ${p.slowReason}` +
        `${p.slowCallSite === null ? '' : `, at ${p.slowCallSite}`}. It still gives the eager results, at eager speed ` +
        '(compiled.replayInfo() says the same; docs/internals.md, "Compile and replay", lists what replays fast; wg.compile(fn, { warn: false }) silences this).',
    );
  };
  /** Per signature, its programs: one per state of the gradients at the call (see gradsAsRecorded). */
  const programs = new Map<string, Program[]>();
  let traced = 0;
  let prevArgs: unknown[] = [];
  let prevVariants: Program[] | undefined;

  /** Runs fn's JavaScript with the recorder on (see src/compile/recorder.ts). */
  const jsRun = (mode: 'trace' | 'patch', program: Program, args: A): R => {
    const inputs = inputsOf(args);
    recorder.begin(mode, program, inputs, storageOf);
    let result: R;
    try {
      result = fn(...args);
      if (result instanceof Promise) throw new CompileError('compile', 'fn must be synchronous (it returned a Promise)');
      checkResult(result, inputs);
      recorder.end(result);
    } catch (e) {
      if (recorder.mode !== 'off') recorder.abort();
      else program.bound = null;
      throw e; // a patch run has run nothing: parameters and optimizer state are untouched
    }
    recorder.markValidated(program, inputs);
    warnSlow(program);
    program.jsStateVersion = jsState.version;
    if (mode === 'trace') program.stats.traces++;
    else {
      program.stats.jsRuns++;
      runPatched(program);
    }
    return result;
  };

  /** The replay without JavaScript (of a program chosen for the gradients' state); MISS when this call must run the JS (see the header). */
  const fastReplay = (p: Program, args: A): R | typeof MISS => {
    const b = p.bound;
    if (b === null || p.slowReason !== null || !p.verified || p.backend === null || p.jsStateVersion !== jsState.version) return MISS;
    const inputs = inputsOf(args);
    for (const s of b.externals) if (!s.resident) return MISS;
    for (const m of p.made) if (m.t.storage !== m.storage || !m.t.storage.alive || m.t.storage.version !== m.version) return MISS;
    for (const [s, { version }] of b.reads) if (!s.alive || s.version !== version) return MISS;
    for (const i of b.readArgs) {
      const t = inputs[i] as Tensor;
      if (!allSeen(p.seen.get(i), t.storage.backend.read(t.storage.ptr, t.size, 'int32'))) return MISS;
    }
    // Nothing has changed so far; from here on the step happens.
    for (let k = 0; k < b.slotRecs.length; k++) b.slotRecs[k][b.slotWords[k]] = (inputs[b.slotArgs[k]] as Tensor).storage.ptr;
    for (const s of b.bumps) s.version++;
    p.backend.run(p.recs, p.workspace, 'compile');
    for (const [leaf, g] of b.endGrads) if ((leaf.grad as Tensor | null)?.storage !== g?.storage) leaf.grad = g;
    for (let k = 0; k < b.endSteps; k++) lifetimes.endStep();
    p.stats.fastRuns++;
    return handOut(p, b.result) as R;
  };

  const compiled = (...args: A): R => {
    // wg.setDebug({ checkFinite: true }) checks each op as it runs, and anomaly detection keeps each
    // op's forward stack and checks each backward record: the JavaScript runs eagerly.
    if (debug.checkFinite || anomaly.enabled) return fn(...args);
    const variants = prevVariants !== undefined && sameSignature(prevArgs, args) ? prevVariants : programs.get(signature(args));
    // The program recorded with the leaves' gradients in their present state (else one whose last JS run failed).
    const program = variants?.find((p) => p.bound !== null && gradsAsRecorded(p.bound)) ?? variants?.find((p) => p.bound === null);
    // The last results are copied out before the blocks are overwritten (an input may be one of
    // them: it then gets a block of its own when made resident below).
    for (const p of variants ?? []) p.spillHandedOut();
    for (const a of inputsOf(args)) if (a instanceof Tensor) a.assertAlive('compile');
    if (program === undefined) {
      const fresh = new Program();
      let result: R;
      try {
        result = jsRun('trace', fresh, args);
      } catch (e) {
        fresh.release();
        throw e;
      }
      const list = variants ?? [];
      if (list.length === 0) programs.set(signature(args), list);
      list.push(fresh);
      if (warn && ++traced === MANY_SIGNATURES + 1)
        console.warn(
          `wasmgrad.compile: ${fn.name || 'this function'} has traced ${traced} programs, one per input signature (tensor shapes and ` +
            `the values of number, boolean and string arguments, last: ${signature(args).trim()}) and state of the gradients. Each trace runs eagerly and holds its ` +
            'own memory: pass values that change every call as tensors (e.g. wg.full([], x)), not numbers.',
        );
      prevArgs = args;
      prevVariants = list;
      return handOut(fresh, result) as R;
    }
    prevArgs = args;
    prevVariants = variants;
    const n = program.stats.traces + program.stats.jsRuns + program.stats.fastRuns;
    if (verify === 0 || n % verify !== 0) {
      const r = fastReplay(program, args);
      if (r !== MISS) return r;
    }
    try {
      return handOut(program, jsRun('patch', program, args)) as R;
    } catch (e) {
      if (e instanceof NotStaticError && program.jsStateVersion !== jsState.version)
        throw new CompileError(
          'compile',
          `the model or optimizer was reconfigured since this function last ran (train()/eval(), requiresGrad_, addParamGroup, momentum, amsgrad or centered switched on or off), and now it runs other ops (${e.message.replace(/^wasmgrad\.compile: /, '')}). ` +
            'Switch back before calling it, or compile one function per configuration (e.g. trainStep in train(), evalStep in eval()).',
          { cause: e },
        );
      throw e;
    }
  };

  const replayInfo = (): ReplayInfo[] =>
    [...programs].flatMap(([signature, list]) =>
      list.map((p, variant) => ({
        signature: signature.trim(),
        variant,
        mode: p.slowReason !== null ? 'rerun' : p.verified ? 'fast' : 'pending',
        reason: p.slowReason,
        callSite: p.slowCallSite,
        calls: { ...p.stats },
      })),
    );
  programsOf.register(compiled, programs);
  return Object.assign(compiled, { replayInfo });
}
