/**
 * Tensor hooks (t.registerHook, t.retainGrad) and the backward pass that runs them, which also
 * serves wg.autograd.grad (gradients returned, leaves' .grad untouched) and backward's `inputs` naming a
 * non-leaf. Eager only: a hook is JavaScript in the middle of a backward pass, which a compiled
 * program (one WebAssembly call per step) cannot stop for, so inside wg.compile it is a CompileError.
 *
 * The pass is the one of src/engine/autodiff.ts cut into segments: the records run in reverse
 * topological order, so a non-leaf's gradient is complete just before its own backward record
 * runs; the segment before it is launched, its hooks see the gradient and may replace it (the
 * record then reads the replacement as its output gradient). A leaf's gradient is complete at the
 * end, where its hooks run before accumulation, as PyTorch. Every gradient goes to a buffer of the
 * pass, and `.grad` (leaves, retained non-leaves) is written only after every hook has returned:
 * a hook that throws leaves every `.grad` as it was (PyTorch would keep what it had accumulated
 * before the hook ran) and the graph unfreed.
 */
import { checkFunction } from './check.js';
import { debug, runBackwardChecked } from './debug.js';
import { anomaly, runBackwardAnomaly, withForwardTrace } from './anomaly.js';
import { fillRecord, isGradEnabled, launch, setGradEnabled } from './engine.js';
import { lifetimes, type Storage } from './storage.js';
import { allocPersistent, allocScratch, allocTransient, ensureResident } from './memory.js';
import { AutogradError, BackendError, CompileError, DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { FLAG_BACKWARD, R, fmtShape, ginWord, sameShape } from '../ops/types.js';
import { sink } from './sink.js';
import { RETAIN_GRAD, RETAIN_GRAD_FINAL, Tensor, type GradHook } from './tensor.js';
import { claimFresh, freeGraph, prepareGraph, seedRoots, type BackwardRequest } from './backward-graph.js';

/** What registerHook returns: remove() unregisters the hook (again: nothing). */
export interface RemovableHandle {
  remove(): void;
}

/** How a tensor is named in messages: its shape and the op that made it. */
function describe(t: Tensor): string {
  return `tensor ${fmtShape(t.shape)}${t.node === null ? ' (a leaf)' : ` (made by '${t.node.op.name}')`}`;
}

/** Throws inside wg.compile: `what` cannot be replayed. */
function refuseInCompile(fn: string, what: string): void {
  if (sink.mode !== 'off')
    throw new CompileError(
      fn,
      `${what} cannot run inside wg.compile: a compiled step runs its whole backward pass in one WebAssembly call, with no JavaScript in between (use it in eager code)`,
    );
}

/** t.registerHook(fn): fn(grad) runs when backward computes the gradient w.r.t. t. */
export function registerHook(t: Tensor, fn: GradHook): RemovableHandle {
  t.assertAlive('registerHook');
  checkFunction('registerHook', 'hook', fn);
  if (!t.requiresGrad) throw new AutogradError('registerHook', `cannot register a hook on a ${describe(t)} that does not require grad`);
  refuseInCompile('registerHook', 'a tensor hook (registerHook)');
  (t.hooks ??= []).push(fn);
  return {
    remove() {
      const k = t.hooks?.indexOf(fn) ?? -1;
      if (k >= 0) t.hooks!.splice(k, 1);
      if (t.hooks?.length === 0) t.hooks = null;
    },
  };
}

/** t.retainGrad(): backward fills (accumulates into) this non-leaf's .grad; a no-op on leaves, as PyTorch. */
export function retainGrad(t: Tensor): void {
  t.assertAlive('retainGrad');
  if (!t.requiresGrad) throw new AutogradError('retainGrad', `cannot retain the gradient of a ${describe(t)} that does not require grad`);
  if (t.node === null || t.retainsGrad) return;
  refuseInCompile('retainGrad', 'retainGrad() (a non-leaf .grad filled in JavaScript)');
  (t.hooks ??= []).push(t.hooks.length > 0 ? RETAIN_GRAD_FINAL : RETAIN_GRAD);
}

/** Whether this pass must stop for hooks, return gradients, or deliver to a non-leaf: then it is backwardWithHooks. */
export function needsHookedPass(req: BackwardRequest, order: readonly Tensor[]): boolean {
  if (req.capture || req.targets?.some((t) => t.node !== null) || req.roots.some((r) => r.hooks !== null)) return true;
  if (req.roots.length > 1 && req.roots.some((r) => r.node === null)) return true;
  for (const t of order) {
    if (t.hooks !== null) return true;
    const node = t.node!;
    for (const i of node.op.gradInputs) if (node.inputs[i]?.hooks != null) return true;
  }
  return false;
}

/** Why the hooked pass runs, for the CompileError. */
function reason(req: BackwardRequest): string {
  if (req.capture) return 'wg.autograd.grad';
  if (req.targets?.some((t) => t.node !== null)) return "backward()'s inputs naming a non-leaf tensor";
  if (req.roots.length > 1) return 'wg.autograd.backward of several tensors including a leaf';
  return 'backward() through a tensor with a hook (registerHook) or retainGrad()';
}

/**
 * Runs t's hooks on its gradient g, in registration order: each sees the previous one's result.
 * t's .grad gets the incoming gradient (RETAIN_GRAD) or the last hook's result (RETAIN_GRAD_FINAL),
 * see tensor.ts. Gradients are not recorded meanwhile (PyTorch runs hooks with grad mode off
 * unless createGraph).
 */
function runHooks(t: Tensor, g: Tensor, retained: [Tensor, Tensor][]): Tensor {
  const prev = isGradEnabled();
  setGradEnabled(false);
  hooksRunning++;
  try {
    let retainFinal = false;
    for (const h of [...t.hooks!]) {
      if (h === RETAIN_GRAD) retained.push([t, g]);
      else if (h === RETAIN_GRAD_FINAL) retainFinal = true;
      else {
        const r = h(g);
        if (r !== undefined) g = checkReplacement(t, g, r);
      }
    }
    if (retainFinal) retained.push([t, g]);
    return g;
  } finally {
    hooksRunning--;
    setGradEnabled(prev);
  }
}

/** Hooks running now (a hook of a pass, not nested passes). */
let hooksRunning = 0;

/**
 * Refuses a backward pass started by a hook: a pass ends its step, which would retire blocks the
 * interrupted pass's records still point at (PyTorch allows this reentrant backward).
 */
export function refuseInsideHook(fn: string): void {
  if (hooksRunning > 0)
    throw new AutogradError(
      fn,
      'cannot run inside a tensor hook: the backward pass that called the hook is not finished (compute what the hook needs before backward)',
    );
}

function checkReplacement(t: Tensor, g: Tensor, r: unknown): Tensor {
  const what = `a hook on the ${describe(t)}`;
  if (!(r instanceof Tensor)) throw new ValueError('backward', `${what} must return a Tensor or undefined, got ${fmtValue(r)}`);
  r.assertAlive('backward');
  if (!sameShape(r.shape, g.shape))
    throw new ShapeError('backward', `${what} returned a gradient of shape ${fmtShape(r.shape)}, expected ${fmtShape(g.shape)}`);
  if (r.dtype !== 'float32') throw new DTypeError('backward', `${what} returned a ${r.dtype} gradient, expected float32`);
  if (r.storage.backend !== g.storage.backend)
    throw new BackendError('backward', `${what} returned a gradient on the ${r.storage.backend.name} backend, the graph is on ${g.storage.backend.name}`);
  return r;
}

/**
 * Adds g into t's .grad (made when there is none): the step the hooks' pass defers to its end. A
 * leaf's is persistent, as the pass without hooks makes it; a non-leaf's belongs to the current
 * step like the tensor itself (spilled if held), so a loop retaining a gradient every step stays
 * flat without waiting for the garbage collector.
 */
function accumulate(t: Tensor, g: Tensor): void {
  const had = t.peekGrad();
  const be = t.storage.backend;
  const add = g.rawValues();
  if (had === null || !had.storage.alive) {
    const s = t.node === null ? allocPersistent(be, t.size, 'grad', false, 'backward') : allocTransient(be, t.size, 'grad', 'backward');
    be.write(s.ptr, add, 'float32');
    t.grad = new Tensor(t.shape, 'float32', s, false);
    return;
  }
  const s = ensureResident(had.storage, 'backward');
  const cur = be.read(s.ptr, t.size, 'float32');
  // One float32 rounding of the exact sum, as the accumulating kernels do.
  be.write(
    s.ptr,
    Array.from(cur, (v, i) => v + add[i]),
    'float32',
  );
}

/** The backward pass with hooks, retained gradients or returned gradients (see the file's comment). */
export function backwardWithHooks(req: BackwardRequest, order: Tensor[]): (Tensor | null)[] | undefined {
  refuseInCompile(req.fn, reason(req));
  const be = req.roots[0].storage.backend;
  prepareGraph(req.fn, order);
  const targets = req.targets === null ? null : new Set(req.targets);
  // Which leaves receive a gradient: all that require grad, or the targets among them.
  const wantLeaf = (x: Tensor) => (targets === null ? true : targets.has(x));
  const gradOf = new Map<Tensor, Storage>();
  const fresh = new Map<number, number>();
  let fills: Int32Array[] = [];
  let backs: Int32Array[] = [];
  // Buffers a hook or the caller may see are user-reachable (spilled, not freed, if held); the
  // others are scratch.
  const bufferOf = (t: Tensor, isFresh = true): Storage => {
    let s = gradOf.get(t);
    if (s === undefined) {
      const seen = t.node === null || t.hooks !== null || targets?.has(t) === true;
      const label = `grad of ${t.node?.op.name ?? 'a leaf'}`;
      s = seen ? allocTransient(be, t.size, label, req.fn) : allocScratch(be, t.size, label, req.fn);
      gradOf.set(t, s);
      if (isFresh) fresh.set(s.ptr, t.size);
    }
    return s;
  };
  seedRoots(be, req, (r) => bufferOf(r, false), fills);
  const workspace = order.reduce((w, t) => Math.max(w, t.node!.workspace), 0);
  const flush = () => {
    if (fills.length + backs.length === 0) return;
    const program = [...fills, ...backs];
    if (debug.checkFinite) runBackwardChecked(be, program, workspace, order);
    else if (anomaly.enabled && sink.mode === 'off') runBackwardAnomaly(be, program, workspace, order, req.fn);
    else launch(be, program, workspace, req.fn);
    fills = [];
    backs = [];
  };
  // PyTorch 1.13 runs only the backward functions on a path to a requested input (`order` is
  // inputs first): a tensor whose backward leads to no target runs no hooks and retains nothing.
  const leadsToTarget = new Set<Tensor>();
  if (targets !== null)
    for (const t of order)
      if (
        t.node!.op.gradInputs.some((i) => t.node!.inputs[i]?.requiresGrad === true && (targets.has(t.node!.inputs[i]) || leadsToTarget.has(t.node!.inputs[i])))
      )
        leadsToTarget.add(t);
  // Where hooks run: autograd.grad captures a target's gradient before its hooks and never runs a
  // leaf's (PyTorch's AccumulateGrad does not run there); backward's `inputs` run a target's hooks
  // and accumulate their result.
  const runsHooks = (t: Tensor): boolean => targets === null || (t.node === null ? !req.capture : leadsToTarget.has(t) || (!req.capture && targets.has(t)));
  /** t's gradient as complete now: flushed, zero if nothing wrote it (before t's hooks). */
  const gradient = (t: Tensor): Tensor => {
    const s = bufferOf(t);
    const size = fresh.get(s.ptr);
    if (size !== undefined) {
      fills.push(fillRecord(s.ptr, size, 0));
      fresh.delete(s.ptr);
    }
    return new Tensor(t.shape, 'float32', s, false);
  };
  /** g through t's hooks, where they run. */
  const hooked = (t: Tensor, g: Tensor, retained: [Tensor, Tensor][]): Tensor => {
    if (t.hooks === null || !runsHooks(t)) return g;
    flush();
    try {
      return runHooks(t, g, retained);
    } catch (e) {
      throw t.node === null ? e : withForwardTrace(e, t.node);
    }
  };
  const retained: [Tensor, Tensor][] = [];
  const delivered = new Map<Tensor, Tensor>();
  const leaves: Tensor[] = [];
  lifetimes.held++; // hooks may run ops: no turn-over may move the graph's blocks meanwhile
  try {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const node = t.node!;
      const incoming = gradient(t);
      const g = hooked(t, incoming, retained);
      if (targets?.has(t)) delivered.set(t, req.capture ? incoming : g);
      // A copy: the graph stays intact if a hook throws later in the pass.
      const b = Int32Array.from(node.rec);
      b[R.GOUT] = g.storage.ptr;
      for (let i = 0; i < node.inputs.length; i++) b[ginWord(i)] = 0;
      for (const i of node.op.gradInputs) {
        const x = node.inputs[i];
        if (x === undefined || !x.requiresGrad || (x.node === null && !wantLeaf(x))) continue;
        if (x.node === null && !gradOf.has(x)) leaves.push(x);
        b[ginWord(i)] = bufferOf(x).ptr;
      }
      b[R.OPCODE] |= FLAG_BACKWARD;
      claimFresh(b, node.op, fresh, fills);
      backs.push(b);
    }
    for (const r of req.roots) if (r.node === null && wantLeaf(r) && !leaves.includes(r)) leaves.push(r);
    for (const x of leaves) delivered.set(x, hooked(x, gradient(x), retained));
    flush();
  } finally {
    lifetimes.held--;
  }
  if (!req.retainGraph) freeGraph(order);
  // Retained gradients are filled by autograd.grad too, as PyTorch's retain_grad hook.
  for (const [t, g] of retained) accumulate(t, g);
  let result: (Tensor | null)[] | undefined;
  if (req.capture) result = req.targets!.map((t) => delivered.get(t) ?? null);
  else for (const [t, g] of delivered) accumulate(t, g);
  lifetimes.endStep();
  return result;
}
