/**
 * wg.compile(fn): whole-step replay. The first call for a given set of input shapes traces fn
 * eagerly (its results are that call's results) and records every kernel launch, pinning the
 * step-scoped memory it used. Later calls with the same shapes re-run fn's JavaScript only to
 * re-bind the recording — new input pointers, the optimizer's current step count and learning
 * rate, fresh dropout seeds — without executing or allocating anything, then run forward,
 * backward and the optimizer update in ONE WebAssembly call. See src/recorder.ts.
 *
 * Rules (as for torch.jit.trace / jax.jit): fn must run the same ops on the same shapes every
 * call for the same input shapes, and must not read values it computes (return them instead).
 * The tensors fn returns are the same storage on every call: read them before the next call, or
 * keep() a copy.
 */
import type { BackendName } from './backend/types.js';
import { Program, recorder } from './recorder.js';
import { Tensor } from './tensor.js';

function signature(args: readonly unknown[]): string {
  return args
    .map((a) => (a instanceof Tensor ? `${a.storage.backend.name as BackendName}:${a.dtype}[${a.shape.join(',')}]` : typeof a))
    .join(' ');
}

const programsOf = new FinalizationRegistry<Map<string, Program>>((programs) => {
  for (const p of programs.values()) p.release();
});

export function compile<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  if (typeof fn !== 'function') throw new Error('wasmgrad.compile: expects a function');
  const programs = new Map<string, Program>();
  const compiled = (...args: A): R => {
    const key = signature(args);
    let program = programs.get(key);
    if (program === undefined) {
      program = new Program();
      recorder.begin('trace', program);
      try {
        const result = fn(...args);
        recorder.end();
        programs.set(key, program);
        return result;
      } catch (e) {
        recorder.abort();
        program.release();
        throw e;
      }
    }
    recorder.begin('patch', program);
    let result: R;
    try {
      result = fn(...args);
    } catch (e) {
      recorder.abort();
      throw e; // nothing ran: parameters and optimizer state are untouched
    }
    recorder.end();
    program.backend?.run(program.recs, program.workspace);
    return result;
  };
  programsOf.register(compiled, programs);
  return compiled;
}
