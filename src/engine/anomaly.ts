/**
 * Anomaly detection (PyTorch's torch.autograd.detect_anomaly / set_detect_anomaly): while it is on,
 * every op that records a graph node keeps the stack of its forward call, and the backward passes
 * run their records one at a time, checking (with checkNan) the gradients each backward function
 * computed for its inputs: a NaN there is an AutogradError in torch's words, "Function
 * 'SqrtBackward0' returned nan values in its 0th output.", followed by the forward call's stack.
 * Errors a backward pass raises about a node (an input modified in place, a hook, a vjp) carry that
 * stack too.
 *
 * Cost when off: apply (src/engine/engine.ts) tests one boolean per recorded node, and each backward
 * pass one boolean before it launches its program.
 */
import type { Backend } from './backend/types.js';
import { AutogradError, CompileError, ValueError, WasmgradError, currentStack, fmtValue } from '../errors.js';
import { FLAG_BACKWARD, R, ginWord, overwrites } from '../ops/types.js';
import { sink } from './sink.js';
import { GradFn, type GraphNode, type Tensor } from './tensor.js';

/** The mode in force: `enabled` is read by apply and the backward passes. */
export const anomaly = { enabled: false, checkNan: true };

/**
 * torch.set_anomaly_enabled(mode, check_nan=True). Inside wg.compile it is a CompileError (as
 * wg.setDebug): a compiled function runs its JavaScript eagerly while the mode is on, so switch it
 * before calling the function.
 */
export function setAnomalyEnabled(mode: boolean, checkNan = true): void {
  const fn = 'setAnomalyEnabled';
  if (typeof mode !== 'boolean') throw new ValueError(fn, `mode must be a boolean, got ${fmtValue(mode)}`);
  if (typeof checkNan !== 'boolean') throw new ValueError(fn, `checkNan must be a boolean, got ${fmtValue(checkNan)}`);
  if (sink.mode !== 'off') throw new CompileError(fn, 'cannot be called inside a compiled function: enable anomaly detection before calling the function');
  anomaly.enabled = mode;
  anomaly.checkNan = checkNan;
}

/** torch.is_anomaly_enabled(). */
export function isAnomalyEnabled(): boolean {
  return anomaly.enabled;
}

/** torch.is_anomaly_check_nan_enabled() (true by default, as torch, even while the mode is off). */
export function isAnomalyCheckNanEnabled(): boolean {
  return anomaly.checkNan;
}

/** The stack of the forward call being recorded (apply calls it only while the mode is on). */
export function captureTrace(): string {
  // Drop the "Error" line and the two capturing frames; the caller's frames (apply, the op, the user's code) stay.
  return currentStack().split('\n').slice(3).join('\n');
}

/** The forward stack a node was recorded with, as an error message's tail ('' when it has none). */
export function forwardTrace(node: GraphNode | null | undefined): string {
  return node?.trace === undefined ? '' : `\nTraceback of forward call that caused the error:\n${node.trace}`;
}

/**
 * Rethrows a library error raised while differentiating `node` with its forward stack appended
 * (other errors, and nodes without a stack, pass unchanged).
 */
export function withForwardTrace(e: unknown, node: GraphNode): unknown {
  if (!(e instanceof WasmgradError) || node.trace === undefined || e.message.includes('Traceback of forward call')) return e;
  const err = e as { message: string };
  err.message += forwardTrace(node);
  return e;
}

/** Whether the first n float32 values at ptr hold a NaN. */
function hasNan(be: Backend, ptr: number, n: number): boolean {
  const v = be.read(ptr, n, 'float32');
  for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) return true;
  return false;
}

/** The NaN error of torch's anomaly mode for input k of node t's backward function. */
export function nanError(fn: string, node: GraphNode, k: number): AutogradError {
  const name = new GradFn(node.op.name, node.gradFnName).name();
  return new AutogradError(fn, `Function '${name}' returned nan values in its ${k}th output.${forwardTrace(node)}`);
}

/**
 * A backward program (fills, then backward records) run one record at a time while anomaly mode is
 * on; `graph` maps each backward record to its node by the record's output pointer, as
 * runBackwardChecked does. A gradient buffer a record adds into may hold a NaN from earlier (a
 * leaf's .grad from an earlier pass, another consumer's share): only a buffer that had none before
 * the record ran counts against it.
 */
export function runBackwardAnomaly(be: Backend, program: readonly Int32Array[], workspace: number, graph: readonly Tensor[], fn: string): void {
  if (!anomaly.checkNan) return be.run(program, workspace, fn);
  const nodeOf = new Map<number, Tensor>();
  for (const t of graph) nodeOf.set(t.storage.ptr, t);
  for (const rec of program) {
    const t = rec[R.OPCODE] & FLAG_BACKWARD && rec[R.GOUT] !== 0 ? nodeOf.get(rec[R.OUT]) : undefined;
    if (t === undefined) {
      be.run([rec], workspace, fn);
      continue;
    }
    const inputs = t.node!.inputs;
    const watched = inputs.map((x, i) => rec[ginWord(i)] !== 0 && (overwrites(rec, i) || !hasNan(be, rec[ginWord(i)], x.size)));
    be.run([rec], workspace, fn);
    const k = inputs.findIndex((x, i) => watched[i] && hasNan(be, rec[ginWord(i)], x.size));
    if (k >= 0) throw nanError(fn, t.node!, k);
  }
}
