/**
 * What both backward passes (src/engine/autodiff.ts, and src/engine/backward-hooks.ts for graphs
 * with hooks) share: the request, the seeds, the graph's order and checks, and the fresh-buffer
 * rule of the backward records.
 */
import { forwardTrace } from './anomaly.js';
import { checkTensor } from './check.js';
import { fillRecord } from './engine.js';
import { ensureResident } from './memory.js';
import { AutogradError, CompileError, ShapeError, ValueError, fmtValue } from '../errors.js';
import type { Backend } from './backend/types.js';
import { sink } from './sink.js';
import type { Storage } from './storage.js';
import { FLAG_OVERWRITE, R, fmtShape, ginWord, inWord, type OpDef, sameShape } from '../ops/types.js';
import { Tensor, type GraphNode } from './tensor.js';

const NO_TENSORS: readonly Tensor[] = [];
const NO_RECORD = new Int32Array(0);
const NO_STORAGES: readonly Storage[] = [];

/** One backward pass: from `roots` (each with its seed) back to the leaves. */
export interface BackwardRequest {
  /** The function the user called, for errors. */
  fn: string;
  roots: Tensor[];
  seeds: ArrayLike<number>[];
  retainGraph: boolean;
  /** The tensors whose gradients are wanted (backward's `inputs`, autograd.grad's inputs); null: every leaf reached. */
  targets: Tensor[] | null;
  /** true (autograd.grad): return the targets' gradients, .grad untouched; false: accumulate into .grad. */
  capture: boolean;
}

/** A seed argument: a tensor, a number or numbers (null/undefined: 1 for a one-element root). */
export type Seed = Tensor | number | ArrayLike<number> | undefined | null;

/** The seed's values: 1 for a one-element root by default, else a number, a tensor or numbers of the root's size. */
export function seedValues(fn: string, root: Tensor, grad: Seed): ArrayLike<number> {
  if (grad == null) {
    if (root.size !== 1) throw new AutogradError(fn, `a seed gradient is needed for a non-scalar tensor ${fmtShape(root.shape)} (pass one of that shape)`);
    return [1];
  }
  if (typeof grad === 'number') {
    if (root.size !== 1) throw new ShapeError(fn, `a number seed needs a one-element tensor, this one is ${fmtShape(root.shape)}`);
    return [grad];
  }
  if (grad instanceof Tensor) {
    grad.assertAlive(fn);
    if (!sameShape(grad.shape, root.shape)) throw new ShapeError(fn, `seed shape ${fmtShape(grad.shape)} does not match tensor shape ${fmtShape(root.shape)}`);
    return grad.rawValues();
  }
  const isNumbers = Array.isArray(grad)
    ? grad.every((v) => typeof v === 'number')
    : ArrayBuffer.isView(grad) && !(grad instanceof DataView) && !(grad instanceof BigInt64Array || grad instanceof BigUint64Array);
  if (!isNumbers) throw new ValueError(fn, `the seed gradient must be a Tensor, a number or an array of numbers, got ${fmtValue(grad)}`);
  if (grad.length !== root.size) throw new ShapeError(fn, `seed has ${grad.length} values, tensor ${fmtShape(root.shape)} has ${root.size}`);
  return grad;
}

/** Throws unless t is a live tensor that requires grad; `what` names it in the message. */
export function checkRequiresGrad(fn: string, what: string, t: unknown): asserts t is Tensor {
  checkTensor(fn, what, t);
  if (!t.requiresGrad)
    throw new AutogradError(fn, `${what} ${fmtShape(t.shape)} does not require grad: none of the tensors it was computed from has requiresGrad: true`);
}

/** A tensor or a non-empty array of tensors that require grad, as an array. */
export function tensorList(fn: string, what: string, v: unknown): Tensor[] {
  const list = v instanceof Tensor ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) throw new ValueError(fn, `${what} must be a Tensor or a non-empty array of Tensors, got ${fmtValue(v)}`);
  list.forEach((t, i) => checkRequiresGrad(fn, `${what}[${i}]`, t));
  return list as Tensor[];
}

/** Edges recorded before an input took over an in-place result (Tensor.takeOver) are pointed at what it was then. */
function resolveInputs(node: GraphNode): void {
  const { inputs, gens } = node;
  for (let k = 0; k < inputs.length; k++)
    if (inputs[k].gen !== (gens?.[k] ?? 0)) {
      node.inputs = inputs.map((_, j) => Tensor.inputOf(node, j));
      return;
    }
}

/** Topological order (inputs first) of the nodes reachable from the roots through requiresGrad tensors. */
export function topoOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  for (const root of roots) {
    if (root.node === null || seen.has(root)) continue;
    seen.add(root);
    const stack: [Tensor, number][] = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [t, i] = top;
      if (i === 0) resolveInputs(t.node!);
      const inputs = t.node!.inputs;
      if (i < inputs.length) {
        top[1]++;
        const x = inputs[i];
        if (x.node !== null && x.requiresGrad && !seen.has(x)) {
          seen.add(x);
          stack.push([x, 0]);
        }
      } else {
        stack.pop();
        order.push(t);
      }
    }
  }
  return order;
}

/**
 * Refuses a graph freed by an earlier backward or whose inputs were modified in place, then makes
 * its tensors resident (a graph held across steps may have been spilled: fresh blocks) and gives
 * the records, encoded when the ops ran, their current addresses.
 */
export function prepareGraph(fn: string, order: readonly Tensor[]): void {
  for (const t of order) {
    const node = t.node!;
    if (node.freed)
      throw new AutogradError(
        fn,
        `trying to backward through the graph a second time: the graph through '${node.op.name}' ${fmtShape(t.shape)} ` +
          'was freed by an earlier backward(). Pass { retainGraph: true } to the earlier call to keep it.' +
          forwardTrace(node),
      );
    if (t.storage.version !== node.outVersion)
      throw new AutogradError(
        fn,
        `the result ${fmtShape(t.shape)} of '${node.op.name}' was modified in place after it was computed; its gradient cannot be computed${forwardTrace(node)}`,
      );
    node.inputs.forEach((x, i) => {
      if (x.storage.version !== node.versions[i])
        throw new AutogradError(
          fn,
          `input ${i} of '${node.op.name}' was modified in place after it was used; its gradient cannot be computed${forwardTrace(node)}`,
        );
    });
  }
  for (const t of order) {
    const { rec, inputs, saved } = t.node!;
    t.assertAlive(fn);
    rec[R.OUT] = t.storage.ptr;
    for (let i = 0; i < inputs.length; i++) {
      inputs[i].assertAlive(fn);
      rec[inWord(i)] = inputs[i].storage.ptr;
    }
    for (let j = 0; j < saved.length; j++) rec[R.AUX + j] = ensureResident(saved[j], fn).ptr;
  }
}

/**
 * Settles the fresh buffers a backward record reaches first: flags the record to overwrite them
 * when its op can and the buffer is in only one of its GIN slots, else queues their zero-fill.
 */
export function claimFresh(b: Int32Array, op: OpDef, fresh: Map<number, number>, fills: Int32Array[]): void {
  const nin = b[R.NIN];
  for (let i = 0; i < nin; i++) {
    const p = b[ginWord(i)];
    const size = fresh.get(p);
    if (p === 0 || size === undefined) continue;
    fresh.delete(p);
    let slots = 0;
    for (let j = 0; j < nin; j++) if (b[ginWord(j)] === p) slots++;
    if (op.overwritesGrad && slots === 1) b[R.OPCODE] |= FLAG_OVERWRITE << i;
    else fills.push(fillRecord(p, size, 0));
  }
}

/**
 * Seeds each root's gradient buffer (`bufferOf`): a fill record for a one-element seed (a compiled
 * program replays it), else the values are written now. A root listed twice gets the sum of its seeds.
 */
export function seedRoots(be: Backend, req: BackwardRequest, bufferOf: (root: Tensor) => Storage, fills: Int32Array[]): void {
  // A seed is written as given (a typed array of millions goes in one copy); only a repeated root's
  // seeds are summed, in float64.
  const sums = new Map<Tensor, ArrayLike<number>>();
  req.roots.forEach((r, k) => {
    const v = req.seeds[k];
    const had = sums.get(r);
    if (had === undefined) sums.set(r, v);
    else {
      const sum = Float64Array.from(had);
      for (let i = 0; i < v.length; i++) sum[i] += v[i];
      sums.set(r, sum);
    }
  });
  for (const [r, v] of sums) {
    const s = bufferOf(r);
    if (v.length === 1) fills.push(fillRecord(s.ptr, 1, v[0]));
    else if (sink.mode !== 'off')
      throw new CompileError('compile', `backward() inside a compiled function needs a one-element loss, got a tensor of shape ${fmtShape(r.shape)}`);
    else be.write(s.ptr, v, 'float32');
  }
}

/**
 * Marks the nodes freed (a second backward stops at `freed`) and drops what they hold: results the
 * user holds (a list of losses) no longer keep the step's activations alive on the JS heap.
 */
export function freeGraph(order: readonly Tensor[]): void {
  for (const t of order) {
    const node = t.node!;
    node.freed = true;
    node.inputs = NO_TENSORS;
    node.attrs = null;
    node.saved = NO_STORAGES;
    node.rec = NO_RECORD; // nor the slab its record was cut from (src/ops/types.ts newRecord)
  }
}

/** Every tensor a gradient reaches from the roots: the roots, the graph's nodes and the leaves they pass gradients to. */
export function reachedBy(roots: readonly Tensor[], order: readonly Tensor[]): Set<Tensor> {
  const reached = new Set<Tensor>([...roots, ...order]);
  for (const t of order) for (const i of t.node!.op.gradInputs) if (t.node!.inputs[i]?.requiresGrad) reached.add(t.node!.inputs[i]);
  return reached;
}
