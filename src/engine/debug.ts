/**
 * wg.setDebug: opt-in checks, off by default.
 *
 * `checkFinite` (after PyTorch's torch.autograd.detect_anomaly, which names the backward function
 * that returned NaN): every kernel record that runs is checked right after it runs (forward ops,
 * each record of a backward pass, optimizer updates and other in-place updates). The first record
 * that turns finite values into a NaN or ±Inf, or that writes a NaN at all, stops with a
 * NonFiniteError naming the op, forward or backward, its shapes, the first bad index and value,
 * and what it read: all finite (this op is the culprit), or the first non-finite value it was given
 * (user data, the seed given to backward(), or a value computed while the checks were off). ±Inf
 * that an op only passes on from its inputs (a -Infinity attention mask added to scores) is not an
 * error.
 *
 * Cost: with the checks off, launch (src/engine/engine.ts), backward() and a compiled function's call each
 * test one boolean, and nothing else changes.
 * With them on, records run one at a time and every buffer a record reads or writes is scanned
 * (f32_first_nonfinite in assembly/debug.ts, SIMD): an Adam step of a 784-256-10 MLP at batch 64
 * took 1.1-1.7× as long (2-core machine shared with other jobs), and compiled functions lose their
 * one-call replay.
 *
 * Compiled functions (wg.compile) run their JavaScript eagerly while the checks are on, so every op
 * is checked as in eager mode, and replay again once the checks are off.
 *
 * What a failure leaves behind:
 * - forward: nothing changed (the op's result is dropped);
 * - backward: no parameter and no optimizer state changed (the update runs later, in step()); the
 *   leaf gradients hold the sums of the records that ran (the others contribute zeros): call
 *   zeroGrad() before the next step, as after any failed backward;
 * - an in-place update (optimizer step, clipGradNorm's scaling, BatchNorm statistics): it has been
 *   applied, so the tensors it updates hold the values the error names. In an optimizer step the
 *   parameters before this one were updated and the later ones were not. The error says so.
 */
import type { Backend } from './backend/types.js';
import { checkBool, checkOptions } from './check.js';
import { CompileError, NonFiniteError } from '../errors.js';
import { FLAG_BACKWARD, OPCODE_MASK, R, fmtShape, ginWord, inWord, overwrites, sizeOf, type DType, type Meta } from '../ops/types.js';
import { OPS } from '../ops/index.js';
import { sink } from './sink.js';
import type { Tensor } from './tensor.js';

export interface DebugOptions {
  /** Stop at the first op that produces a NaN or ±Inf (NonFiniteError). Default false. */
  checkFinite?: boolean;
}

/** The settings in force; launch reads `checkFinite`. */
export const debug: Required<DebugOptions> = { checkFinite: false };

/** Changes the debug settings given (the others keep their values). */
export function setDebug(options: DebugOptions): void {
  // Options are required here: undefined is refused like any other non-object.
  const opts = checkOptions<DebugOptions>('setDebug', options ?? null, Object.keys(debug));
  checkBool('setDebug', 'checkFinite', opts.checkFinite);
  if (sink.mode !== 'off') throw new CompileError('setDebug', 'cannot be called inside a compiled function: call it before calling the function');
  if (opts.checkFinite !== undefined) debug.checkFinite = opts.checkFinite;
}

/** The debug settings in force (a copy). */
export function getDebug(): Required<DebugOptions> {
  return { ...debug };
}

/** A buffer a record reads or writes, and how the message names it. */
interface Operand {
  what: string;
  ptr: number;
  shape: readonly number[];
  /** For a read: where a non-finite value in it came from. */
  origin?: string;
  /** A read left out of the "... finite" summary (the gradient a backward record adds into). */
  quiet?: boolean;
}

/** One record's check: it reads `reads` (scanned before it runs) and writes `writes` (scanned after). */
interface Check {
  op: string;
  phase: 'forward' | 'backward' | 'in-place update';
  reads: Operand[];
  writes: Operand[];
}

const USER_DATA = 'user data (or ±Inf passed on from it), or a value computed while the checks were off';
const opName = (rec: Int32Array) => OPS[rec[R.OPCODE] & OPCODE_MASK].name;
const inputName = (i: number, n: number) => (n === 1 ? 'input' : `input ${i}`);

/** The output of a single-op launch: the op's plan or the tensor it writes. */
export interface OutMeta {
  readonly shape: readonly number[];
  readonly dtype?: DType;
}

/**
 * launch with the checks on. A single-op launch (apply, applyInto, applyUpdate: one record) names
 * its input tensors and its output (`out` === `inputs[0]`: an update of its inputs in place); a
 * launch without them writes constants (zero-fills) and runs unchecked.
 */
export function runChecked(be: Backend, recs: readonly Int32Array[], workspace: number, fn: string, inputs?: readonly Meta[], out?: OutMeta): void {
  if (inputs === undefined || out === undefined) return be.run(recs, workspace, fn);
  const rec = recs[0];
  const reads = inputs.flatMap((t, i) =>
    t.dtype === 'float32' ? [{ what: inputName(i, inputs.length), ptr: rec[inWord(i)], shape: t.shape, origin: USER_DATA }] : [],
  );
  const op = opName(rec);
  if (out === inputs[0]) {
    runOne(be, rec, workspace, { op, phase: 'in-place update', reads, writes: reads });
  } else {
    const writes = (out.dtype ?? 'float32') === 'float32' ? [{ what: 'its output', ptr: rec[R.OUT], shape: out.shape }] : [];
    runOne(be, rec, workspace, { op, phase: 'forward', reads, writes });
  }
}

/**
 * A backward program (src/engine/autodiff.ts) with the checks on. `graph`: the nodes it differentiates in
 * topological order, root last; each backward record is found by its output pointer. Fill records
 * (zeroing, the seed) are not checked: a non-finite seed is named by the first record it reaches.
 */
export function runBackwardChecked(be: Backend, program: readonly Int32Array[], workspace: number, graph: readonly Tensor[]): void {
  const nodeOf = new Map<number, Tensor>();
  for (const t of graph) nodeOf.set(t.storage.ptr, t);
  const root = graph[graph.length - 1];
  for (let k = 0; k < program.length; k++) {
    const rec = program[k];
    const t = rec[R.OPCODE] & FLAG_BACKWARD && rec[R.GOUT] !== 0 ? nodeOf.get(rec[R.OUT]) : undefined;
    if (t === undefined) {
      be.run([rec], workspace, 'backward');
      continue;
    }
    try {
      runOne(be, rec, workspace, backwardCheck(rec, t, t === root));
    } catch (e) {
      clearUnreached(be, program.slice(k + 1), nodeOf);
      throw e;
    }
  }
}

function backwardCheck(rec: Int32Array, t: Tensor, isRoot: boolean): Check {
  const inputs = t.node!.inputs;
  const reads: Operand[] = [{ what: 'its output gradient', ptr: rec[R.GOUT], shape: t.shape, origin: isRoot ? 'the seed given to backward()' : USER_DATA }];
  const writes: Operand[] = [];
  inputs.forEach((x, i) => {
    const what = inputName(i, inputs.length);
    if (x.dtype === 'float32') reads.push({ what, ptr: rec[inWord(i)], shape: x.shape, origin: USER_DATA });
    const g = rec[ginWord(i)];
    if (g === 0) return;
    writes.push({ what: `the gradient of ${what}`, ptr: g, shape: x.shape });
    // A buffer the record adds into must have been finite before (a leaf .grad accumulates across backward() calls).
    if (!overwrites(rec, i))
      reads.push({
        what: `the gradient of ${what}`,
        ptr: g,
        shape: x.shape,
        origin: 'accumulated while the checks were off; zeroGrad() clears it',
        quiet: true,
      });
  });
  if (t.dtype === 'float32') reads.push({ what: 'its output', ptr: rec[R.OUT], shape: t.shape, origin: USER_DATA });
  return { op: t.node!.op.name, phase: 'backward', reads, writes };
}

/** After a failed backward: the gradient buffers that records not run would have overwritten are zeroed (they held stale memory). */
function clearUnreached(be: Backend, rest: readonly Int32Array[], nodeOf: Map<number, Tensor>): void {
  for (const rec of rest) {
    const t = nodeOf.get(rec[R.OUT]);
    if (t === undefined || !(rec[R.OPCODE] & FLAG_BACKWARD)) continue;
    t.node!.inputs.forEach((x, i) => {
      if (rec[ginWord(i)] !== 0 && overwrites(rec, i)) be.fill(rec[ginWord(i)], x.size, 0, 'float32');
    });
  }
}

/**
 * Runs one record; throws a NonFiniteError if, after it ran, one of its writes holds ±Inf or NaN
 * while everything it read was finite, or holds a NaN at all (then named with the first non-finite
 * value it read). ±Inf read and passed on (a -Infinity attention mask added to scores) is not an
 * error: it was not made by this record, and ops handle it (softmax gives 0 there).
 */
function runOne(be: Backend, rec: Int32Array, workspace: number, c: Check): void {
  let badRead: { b: Operand; at: number } | null = null;
  for (let k = 0; k < c.reads.length && badRead === null; k++) {
    const at = be.firstNonFinite(c.reads[k].ptr, sizeOf(c.reads[k].shape));
    if (at >= 0) badRead = { b: c.reads[k], at };
  }
  be.run([rec], workspace, c.op);
  for (const w of c.writes) {
    const n = sizeOf(w.shape);
    let at = be.firstNonFinite(w.ptr, n);
    if (at >= 0 && badRead !== null) {
      const k = be.read(w.ptr + at, n - at, 'float32').findIndex(Number.isNaN);
      at = k < 0 ? -1 : at + k;
    }
    if (at < 0) continue;
    throw new NonFiniteError(
      c.op,
      `produced ${valueAt(be, w.ptr, at)} at ${where(at, w.shape)} of ${w.what} ${fmtShape(w.shape)} (${c.phase}; ${readsText(be, c.reads, badRead)})${c.phase === 'in-place update' ? APPLIED : ''}`,
    );
  }
}

const APPLIED =
  '. The update has been applied: the tensors it updates hold the new values. In an optimizer step input 0 is the parameter and input 1 its gradient; ' +
  'the parameters before this one were updated, the later ones were not';

const valueAt = (be: Backend, ptr: number, i: number) => String(be.read(ptr + i, 1, 'float32')[0]);

/** What the record read: "input [4, 5] finite", or the first non-finite value and where it came from. */
function readsText(be: Backend, reads: readonly Operand[], bad: { b: Operand; at: number } | null): string {
  if (bad !== null)
    return `${bad.b.what} ${fmtShape(bad.b.shape)} already holds ${valueAt(be, bad.b.ptr, bad.at)} at ${where(bad.at, bad.b.shape)}: ${bad.b.origin}`;
  const listed = reads.filter((b) => !b.quiet);
  if (listed.length === 0) return 'no float inputs';
  return `${listed.map((b) => `${b.what} ${fmtShape(b.shape)}`).join(', ')} finite`;
}

/** "index 7", with the multi-index for tensors of 2 or more dimensions: "index 7 ([1, 3])". */
function where(flat: number, shape: readonly number[]): string {
  if (shape.length < 2) return `index ${flat}`;
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1, r = flat; d >= 0; d--) {
    idx[d] = r % shape[d];
    r = Math.floor(r / shape[d]);
  }
  return `index ${flat} (${fmtShape(idx)})`;
}
