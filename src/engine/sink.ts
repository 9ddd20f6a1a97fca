/**
 * The one interface through which wg.compile (src/compile/, above the engine) plugs into the
 * engine. While a compiled function's JavaScript runs, the engine hands the sink its kernel
 * launches and step-scoped allocations, and tells it the few things a replay must know; the rest
 * of the time the installed sink is idle (`mode` 'off'), which costs one property read per launch.
 * Nothing below src/compile/ imports the recorder: it installs itself here with setSink.
 */
import { CompileError } from '../errors.js';
import type { Backend } from './backend/types.js';
import type { Storage } from './storage.js';

export interface ReplaySink {
  /** 'trace': the first run records; 'patch': a later run re-binds without executing; 'off': eager. */
  readonly mode: 'off' | 'trace' | 'patch';
  /** Runs or records a kernel launch; false when the caller must run it itself. */
  launch(be: Backend, recs: readonly Int32Array[], workspace: number): boolean;
  /** patch: the block recorded at this position for an allocation of `words`. */
  recordedAlloc(words: number): Storage;
  /** trace: the owner list that pins a step-scoped block to the program. */
  pinned(): Storage[];
  /** trace: a new pinned block. */
  traceAlloc(s: Storage): void;
  /**
   * A creation function makes a tensor whose contents its arguments `key` fix (zeros, full,
   * arange): on a trace, make() and fill() it and keep it with the program; on a patch run, the
   * tensor made at this position (refilled if changed since), or a new one (then the run is slow).
   */
  hoist<T extends { storage: Storage }>(key: string, make: () => T, fill: (t: T) => void): T;
  /** The current run cannot be replayed without its JavaScript, for `reason`. */
  slow(reason: string): void;
  /** A storage an op of the run uses (parameters, state: must stay alive for a replay). */
  uses(s: Storage): void;
  /** An in-place update of s that a replay repeats (its version is bumped again). */
  bump(s: Storage): void;
  /** A leaf's .grad was set to null during the run. */
  gradCleared(leaf: object): void;
  /** Whether the leaf's .grad was set to null earlier in the run. */
  wasCleared(leaf: object): boolean;
  /**
   * backward() bound gradient tensor g to the leaf: 'same' = it found g there and accumulates into
   * it; 'null' = it found none and made g; 'null-or-same' = the run itself cleared it before. The
   * first such report (or gradRead, gradCleared) of a leaf in a run says which state of its .grad
   * the program was recorded for; a call in another state takes another program.
   */
  leafGradBound(leaf: { grad: unknown }, g: object, expect: 'same' | 'null' | 'null-or-same'): void;
  /**
   * A Tensor object was made during the run: if it becomes a leaf that requires grad
   * (`x.detach().requiresGrad_()` inside the function), it is a new object every call, so the
   * state of its .grad says nothing about which program a later call needs.
   */
  born(t: object): void;
  /** JS read the leaf's .grad (an optimizer step): a fast replay needs it the same, or re-bound by the run's backward(). */
  gradRead(leaf: { grad: unknown }, g: object | null): void;
  /** A backward() finished (a step ends; a replay ends it too). */
  endStep(): void;
  /** A read of tensor data in JavaScript (refused for values the program computes). */
  assertReadable(s: Storage, dtype: string): void;
}

const IDLE: ReplaySink = {
  mode: 'off',
  launch: () => false,
  recordedAlloc: notRecording,
  pinned: notRecording,
  traceAlloc: notRecording,
  hoist: notRecording,
  slow: notRecording,
  uses: notRecording,
  bump: notRecording,
  gradCleared: notRecording,
  wasCleared: notRecording,
  leafGradBound: notRecording,
  born: notRecording,
  gradRead: notRecording,
  endStep: notRecording,
  assertReadable: () => {},
};

function notRecording(): never {
  throw new CompileError('compile', 'no compiled function is recording (internal)');
}

/** The sink in force: wg.compile's recorder once src/compile/ is loaded. */
export let sink: ReplaySink = IDLE;

export function setSink(s: ReplaySink): void {
  sink = s;
}

/**
 * JavaScript state that changes what a step function does but that a fast replay cannot see:
 * the train()/eval() modes of modules. A change bumps the version; a compiled function whose last
 * JavaScript run saw another version runs (and checks) its JavaScript again at its next call.
 */
export const jsState = { version: 0 };
