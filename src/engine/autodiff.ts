/**
 * Reverse-mode autodiff over the recorded graph. Written once for all ops:
 * - order: depth-first post-order from the root = a forward (topological) order of the records;
 *   the backend's backward interpreter walks it in reverse, so each record's output gradient is
 *   complete before its backward kernel runs;
 * - fan-out: every backward kernel ADDS into its input-gradient buffers (GIN), so a value used by
 *   several ops receives the sum of their contributions; aliased inputs (x·x) add twice;
 * - fresh buffers: a gradient buffer starts at zero. When the first record to reach it belongs to
 *   an op whose kernels can overwrite (overwritesGrad), that record is flagged to write the buffer
 *   instead of adding, and the zero-fill is dropped: for a batch-1 MLP step, zeroing the weight
 *   gradients was a fifth of the step's memory traffic;
 * - un-broadcasting: binary kernels add each output element's contribution into the input element
 *   it was broadcast from, which is the sum over broadcast dimensions;
 * - leaves: GIN points at the leaf's persistent .grad, so repeated backward() calls accumulate.
 */
import { checkBool, checkOptions } from './check.js';
import { debug, runBackwardChecked } from './debug.js';
import { fillRecord, launch } from './engine.js';
import { AutogradError, CompileError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { lifetimes, type Storage } from './storage.js';
import { allocPersistent, allocScratch, allocTransient, ensureResident } from './memory.js';
import { FLAG_BACKWARD, FLAG_OVERWRITE, R, fmtShape, ginWord, inWord, type OpDef } from '../ops/types.js';
import { sink } from './sink.js';
import { Tensor } from './tensor.js';

const NO_TENSORS: readonly Tensor[] = [];
const NO_RECORD = new Int32Array(0);
const NO_STORAGES: readonly Storage[] = [];

/** The seed's values: 1 for a one-element root by default, else a number, a tensor or numbers of the root's size. */
function seedValues(root: Tensor, grad: Tensor | number | ArrayLike<number> | undefined | null): ArrayLike<number> {
  if (grad == null) {
    if (root.size !== 1)
      throw new AutogradError('backward', `a seed gradient is needed for a non-scalar tensor ${fmtShape(root.shape)} (pass one of that shape)`);
    return [1];
  }
  if (typeof grad === 'number') {
    if (root.size !== 1) throw new ShapeError('backward', `a number seed needs a one-element tensor, this one is ${fmtShape(root.shape)}`);
    return [grad];
  }
  if (grad instanceof Tensor) {
    grad.assertAlive('backward');
    if (grad.shape.length !== root.shape.length || grad.shape.some((d, i) => d !== root.shape[i]))
      throw new ShapeError('backward', `seed shape ${fmtShape(grad.shape)} does not match tensor shape ${fmtShape(root.shape)}`);
    return grad.rawValues();
  }
  const isNumbers = Array.isArray(grad)
    ? grad.every((v) => typeof v === 'number')
    : ArrayBuffer.isView(grad) && !(grad instanceof DataView) && !(grad instanceof BigInt64Array || grad instanceof BigUint64Array);
  if (!isNumbers) throw new ValueError('backward', `the seed gradient must be a Tensor, a number or an array of numbers, got ${fmtValue(grad)}`);
  if (grad.length !== root.size) throw new ShapeError('backward', `seed has ${grad.length} values, tensor ${fmtShape(root.shape)} has ${root.size}`);
  return grad;
}

/**
 * The leaf's .grad storage, made on first use (and then added to `fresh`: it starts at zero).
 * Inside wg.compile the block belongs to the program (the same block every call, like the
 * program's other buffers), and a fast replay re-binds `leaf.grad` to it (src/compile/).
 */
function leafGrad(leaf: Tensor, fresh: Map<number, number>): Storage {
  const inCompiled = sink.mode !== 'off';
  const had = leaf.peekGrad();
  if (had === null || !had.storage.alive) {
    const be = leaf.storage.backend;
    const s = inCompiled ? allocTransient(be, leaf.size, 'grad', 'backward') : allocPersistent(be, leaf.size, 'grad', false, 'backward');
    fresh.set(s.ptr, leaf.size);
    leaf.grad = new Tensor(leaf.shape, 'float32', s, false);
    if (inCompiled) bindLeafGrad(leaf, sink.wasCleared(leaf) ? 'null-or-same' : 'null');
  } else {
    ensureResident(had.storage, 'backward'); // a gradient the user assigned may have been spilled
    if (inCompiled) bindLeafGrad(leaf, 'same');
  }
  return leaf.peekGrad()!.storage;
}

/**
 * Settles the fresh buffers a backward record reaches first: flags the record to overwrite them
 * when its op can and the buffer is in only one of its GIN slots, else queues their zero-fill.
 */
function claimFresh(b: Int32Array, op: OpDef, fresh: Map<number, number>, fills: Int32Array[]): void {
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
 * What a replay needs of a leaf gradient: 'same' = backward found this grad and accumulates into
 * it; 'null' = it found none (the JS would make and zero one); 'null-or-same' = the function
 * itself cleared it before (zeroGrad inside), so either state gives the same program.
 */
function bindLeafGrad(leaf: Tensor, expect: 'same' | 'null' | 'null-or-same'): void {
  const g = leaf.peekGrad()!;
  sink.leafGradBound(leaf, g, expect);
  sink.uses(g.storage);
}

/** Topological order (inputs first) of the nodes reachable from root through requiresGrad tensors. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
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
  return order;
}

export function backward(root: Tensor, grad?: Tensor | number | ArrayLike<number>, options: { retainGraph?: boolean } = {}): void {
  root.assertAlive('backward');
  const opts = checkOptions<{ retainGraph?: boolean }>('backward', options, ['retainGraph']);
  checkBool('backward', 'retainGraph', opts.retainGraph);
  if (!root.requiresGrad)
    throw new AutogradError(
      'backward',
      `tensor ${fmtShape(root.shape)} does not require grad: none of the tensors it was computed from has requiresGrad: true`,
    );
  const seed = seedValues(root, grad);
  const be = root.storage.backend;
  if (root.node === null) {
    // A leaf: its gradient is the seed itself.
    const fresh = new Map<number, number>();
    const g = leafGrad(root, fresh);
    if (fresh.size > 0) launch(be, [fillRecord(g.ptr, root.size, 0)], 0, 'backward');
    if (sink.mode !== 'off') sink.slow('backward() of a leaf tensor adds the seed in JavaScript');
    const cur = be.read(g.ptr, root.size, 'float32');
    be.write(
      g.ptr,
      Array.from(cur, (v, i) => v + seed[i]),
      'float32',
    );
    return;
  }
  const order = topoOrder(root);
  for (const t of order) {
    const node = t.node!;
    if (node.freed)
      throw new AutogradError(
        'backward',
        `trying to backward through the graph a second time: the graph through '${node.op.name}' ${fmtShape(t.shape)} ` +
          'was freed by an earlier backward(). Pass { retainGraph: true } to the earlier call to keep it.',
      );
    node.inputs.forEach((x, i) => {
      if (x.storage.version !== node.versions[i])
        throw new AutogradError('backward', `input ${i} of '${node.op.name}' was modified in place after it was used; its gradient cannot be computed`);
    });
  }
  // A graph held across steps may have been spilled: its tensors become resident again (in fresh
  // blocks), and the records, encoded when the ops ran, get their current addresses.
  for (const t of order) {
    const { rec, inputs, saved } = t.node!;
    t.assertAlive('backward');
    rec[R.OUT] = t.storage.ptr;
    for (let i = 0; i < inputs.length; i++) {
      inputs[i].assertAlive('backward');
      rec[inWord(i)] = inputs[i].storage.ptr;
    }
    for (let j = 0; j < saved.length; j++) rec[R.AUX + j] = ensureResident(saved[j], 'backward').ptr;
  }
  // Output-gradient buffers of the intermediate nodes, fresh (zero until written); the root's is
  // set to the seed.
  const gradOf = new Map<Tensor, Storage>();
  const fresh = new Map<number, number>(); // pointer → size of the buffers that must start at zero
  const fills: Int32Array[] = [];
  for (const t of order) {
    const s = allocScratch(be, t.size, `grad of ${t.node!.op.name}`, 'backward');
    if (t !== root) fresh.set(s.ptr, t.size);
    gradOf.set(t, s);
  }
  if (seed.length === 1) fills.push(fillRecord(gradOf.get(root)!.ptr, 1, seed[0]));
  else if (sink.mode !== 'off')
    throw new CompileError('compile', `backward() inside a compiled function needs a one-element loss, got a tensor of shape ${fmtShape(root.shape)}`);
  let workspace = 0;
  const backs: Int32Array[] = [];
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k].node!;
    const rec = node.rec;
    rec[R.GOUT] = gradOf.get(order[k])!.ptr;
    for (let i = 0; i < node.inputs.length; i++) rec[ginWord(i)] = 0;
    for (const i of node.op.gradInputs) {
      const x = node.inputs[i];
      if (x === undefined || !x.requiresGrad) continue; // a variadic op's call may pass fewer inputs
      rec[ginWord(i)] = x.node === null ? leafGrad(x, fresh).ptr : gradOf.get(x)!.ptr;
    }
    workspace = Math.max(workspace, node.workspace);
    // The forward record has run (and was copied by the backend or the recorder): unless the graph
    // is kept for another backward, it becomes the backward record itself.
    const b = opts.retainGraph ? Int32Array.from(rec) : rec;
    b[R.OPCODE] |= FLAG_BACKWARD;
    claimFresh(b, node.op, fresh, fills);
    backs.push(b);
  }
  // A buffer no record writes (its consumers pass no gradient to it) still reads as zeros.
  for (const [p, size] of fresh) fills.push(fillRecord(p, size, 0));
  const program = [...fills, ...backs];
  if (seed.length !== 1) be.write(gradOf.get(root)!.ptr, seed, 'float32');
  if (debug.checkFinite) runBackwardChecked(be, program, workspace, order);
  else launch(be, program, workspace, 'backward');
  if (!opts.retainGraph)
    for (const t of order) {
      const node = t.node!;
      node.freed = true;
      // Nothing reads them any more (a second backward stops at `freed`): results the user holds
      // (a list of losses) no longer keep the step's activations alive on the JS heap.
      node.inputs = NO_TENSORS;
      node.saved = NO_STORAGES;
      node.rec = NO_RECORD; // nor the slab its record was cut from (src/ops/types.ts newRecord)
    }
  if (sink.mode !== 'off') sink.endStep();
  lifetimes.endStep();
}
