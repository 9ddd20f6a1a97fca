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
 * A graph with tensor hooks or retained gradients, and autograd.grad, take the pass of
 * src/engine/backward-hooks.ts instead (eager only), which stops where a hook must see a gradient.
 */
import { checkBool, checkOptions } from './check.js';
import { debug, runBackwardChecked } from './debug.js';
import { anomaly, runBackwardAnomaly } from './anomaly.js';
import { fillRecord, launch } from './engine.js';
import { lifetimes, type Storage } from './storage.js';
import { allocPersistent, allocScratch, allocTransient, ensureResident } from './memory.js';
import { FLAG_BACKWARD, R, ginWord } from '../ops/types.js';
import { sink } from './sink.js';
import { Tensor } from './tensor.js';
import {
  checkRequiresGrad,
  claimFresh,
  freeGraph,
  prepareGraph,
  seedRoots,
  seedValues,
  tensorList,
  topoOrder,
  type BackwardRequest,
  type Seed,
} from './backward-graph.js';
import { backwardWithHooks, needsHookedPass, refuseInsideHook } from './backward-hooks.js';
import { backwardWithGraph } from './backward-differentiable.js';

export interface BackwardOptions {
  retainGraph?: boolean;
  /** Accumulate only into these tensors' .grad (PyTorch's `inputs`); a non-leaf listed gets its .grad as if it retained it. */
  inputs?: Tensor | readonly Tensor[];
  /**
   * The gradients get a graph of their own (.grad can be differentiated again; default false, and
   * true makes retainGraph default to true), as PyTorch's create_graph: src/engine/backward-differentiable.ts.
   */
  createGraph?: boolean;
}

/** t.backward(grad?, { retainGraph, inputs, createGraph }). */
export function backward(root: Tensor, grad?: Seed, options: BackwardOptions = {}): void {
  root.assertAlive('backward');
  const opts = checkOptions<BackwardOptions>('backward', options, ['retainGraph', 'inputs', 'createGraph']);
  checkBool('backward', 'retainGraph', opts.retainGraph);
  checkBool('backward', 'createGraph', opts.createGraph);
  checkRequiresGrad('backward', 'tensor', root);
  const targets = opts.inputs === undefined ? null : tensorList('backward', 'inputs', opts.inputs);
  if (opts.createGraph) {
    backwardWithGraph({ fn: 'backward', roots: [root], seeds: [grad], retainGraph: opts.retainGraph ?? true, targets, capture: false });
    return;
  }
  runBackward({ fn: 'backward', roots: [root], seeds: [seedValues('backward', root, grad)], retainGraph: opts.retainGraph ?? false, targets, capture: false });
}

/**
 * Runs a backward pass. Returns, when `capture`, the targets' gradients (null for a target the
 * roots do not depend on).
 */
export function runBackward(req: BackwardRequest): (Tensor | null)[] | undefined {
  refuseInsideHook(req.fn);
  const order = topoOrder(req.roots);
  if (needsHookedPass(req, order)) return backwardWithHooks(req, order);
  if (req.roots.length === 1 && req.roots[0].node === null) backwardOfLeaf(req.roots[0], req.seeds[0], req.targets);
  else backwardGraph(req, order);
  return undefined;
}

/** backward() of a leaf: its gradient is the seed itself. */
function backwardOfLeaf(root: Tensor, seed: ArrayLike<number>, targets: Tensor[] | null): void {
  if (targets !== null && !targets.includes(root)) return;
  const be = root.storage.backend;
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
}

/** The pass without hooks: one program, leaf gradients accumulated in place by the records (a compiled program replays it). */
function backwardGraph(req: BackwardRequest, order: Tensor[]): void {
  const be = req.roots[0].storage.backend;
  prepareGraph(req.fn, order);
  // Output-gradient buffers of the intermediate nodes, fresh (zero until written); the roots' are
  // set to their seeds.
  const gradOf = new Map<Tensor, Storage>();
  const fresh = new Map<number, number>(); // pointer → size of the buffers that must start at zero
  const fills: Int32Array[] = [];
  for (const t of order) {
    const s = allocScratch(be, t.size, `grad of ${t.node!.op.name}`, req.fn);
    fresh.set(s.ptr, t.size);
    gradOf.set(t, s);
  }
  seedRoots(
    be,
    req,
    (r) => {
      const s = gradOf.get(r)!;
      fresh.delete(s.ptr);
      return s;
    },
    fills,
  );
  const targets = req.targets === null ? null : new Set(req.targets);
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
      if (x.node === null && targets !== null && !targets.has(x)) continue; // not among backward's inputs
      rec[ginWord(i)] = x.node === null ? leafGrad(x, fresh).ptr : gradOf.get(x)!.ptr;
    }
    workspace = Math.max(workspace, node.workspace);
    // The forward record has run (and was copied by the backend or the recorder): unless the graph
    // is kept for another backward, it becomes the backward record itself.
    const b = req.retainGraph ? Int32Array.from(rec) : rec;
    b[R.OPCODE] |= FLAG_BACKWARD;
    claimFresh(b, node.op, fresh, fills);
    backs.push(b);
  }
  // A buffer no record writes (its consumers pass no gradient to it) still reads as zeros.
  for (const [p, size] of fresh) fills.push(fillRecord(p, size, 0));
  const program = [...fills, ...backs];
  if (debug.checkFinite) runBackwardChecked(be, program, workspace, order);
  else if (anomaly.enabled && sink.mode === 'off') runBackwardAnomaly(be, program, workspace, order, req.fn);
  else launch(be, program, workspace, req.fn);
  if (!req.retainGraph) freeGraph(order);
  if (sink.mode !== 'off') sink.endStep();
  lifetimes.endStep();
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
 * What a replay needs of a leaf gradient: 'same' = backward found this grad and accumulates into
 * it; 'null' = it found none (the JS would make and zero one); 'null-or-same' = the function
 * itself cleared it before (zeroGrad inside), so either state gives the same program.
 */
function bindLeafGrad(leaf: Tensor, expect: 'same' | 'null' | 'null-or-same'): void {
  const g = leaf.peekGrad()!;
  sink.leafGradBound(leaf, g, expect);
  sink.uses(g.storage);
}
