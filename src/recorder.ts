/**
 * Recording and re-binding of programs for wg.compile.
 *
 * trace: the step function runs eagerly; every step-scoped allocation (op outputs, saved buffers,
 *   gradient buffers, constants) is pinned to the program instead of the step, and every kernel
 *   launch is appended to the program as a snapshot of its records.
 * patch: the step function runs again for new inputs, but nothing executes and nothing is
 *   allocated: each step-scoped allocation returns the block recorded at the same position, and
 *   each launch re-encodes the recorded records (new input pointers, new parameters such as the
 *   learning rate, Adam's step count or dropout seeds). Then the whole program runs in one call.
 * A launch or allocation that does not match the recording means the function is not static
 * (different ops or shapes for the same input shapes): a clear error.
 */
import type { Backend } from './backend/types.js';
import type { Storage } from './memory.js';
import { OPCODE_MASK, R } from './ops/types.js';
import { OPS_BY_CODE } from './ops/index.js';

type Event = { kind: 'alloc'; storage: Storage } | { kind: 'run'; recs: Int32Array[] };

export class Program {
  readonly events: Event[] = [];
  /** Owner list of the pinned blocks (never recycled by steps; released with the program). */
  readonly owned: Storage[] = [];
  readonly recs: Int32Array[] = [];
  workspace = 0;
  backend: Backend | null = null;

  release(): void {
    for (const s of this.owned) if (s.owner === this.owned) s.release();
    this.owned.length = 0;
  }
}

function notStatic(what: string): Error {
  return new Error(
    `wasmgrad.compile: the step function did not repeat its recorded work (${what}). A compiled function must run the same ops on the same shapes ` +
      'every call for the same input shapes: no data-dependent branches, no reading values inside it.',
  );
}

const opName = (code: number) => OPS_BY_CODE[code & OPCODE_MASK]?.name ?? `opcode ${code}`;

class Recorder {
  mode: 'off' | 'trace' | 'patch' = 'off';
  program: Program | null = null;
  private cursor = 0;

  begin(mode: 'trace' | 'patch', program: Program): void {
    if (this.mode !== 'off') throw new Error('wasmgrad.compile: compiled functions cannot call each other');
    this.mode = mode;
    this.program = program;
    this.cursor = 0;
  }

  /** Leaves recording after an exception (nothing of a patch has run). */
  abort(): void {
    this.mode = 'off';
    this.program = null;
  }

  end(): void {
    if (this.mode === 'patch' && this.cursor !== this.program!.events.length) {
      this.mode = 'off';
      throw notStatic('it stopped before the end of the recording');
    }
    this.mode = 'off';
    this.program = null;
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
    if (p.backend !== null && p.backend !== be) throw new Error('wasmgrad.compile: a compiled function must use one backend');
    p.backend = be;
    p.workspace = Math.max(p.workspace, workspace);
    if (this.mode === 'trace') {
      const snap = recs.map((r) => Int32Array.from(r));
      p.events.push({ kind: 'run', recs: snap });
      p.recs.push(...snap);
      return false;
    }
    const e = p.events[this.cursor++];
    if (e?.kind !== 'run' || e.recs.length !== recs.length) throw notStatic(`a launch of ${opName(recs[0]?.[R.OPCODE] ?? 0)}`);
    e.recs.forEach((old, i) => {
      if (old[R.OPCODE] !== recs[i][R.OPCODE]) throw notStatic(`${opName(recs[i][R.OPCODE])} where ${opName(old[R.OPCODE])} was recorded`);
      old.set(recs[i]);
    });
    return true;
  }

  /** Reading a value the program computes is not possible inside the function. */
  assertReadable(s: Storage): void {
    if (this.mode !== 'off' && s.owner === this.program!.owned)
      throw new Error(
        'wasmgrad.compile: a value computed inside a compiled function cannot be read inside it (it is only computed when the whole ' +
          'step runs); return the tensor and read it after the call',
      );
  }
}

export const recorder = new Recorder();
