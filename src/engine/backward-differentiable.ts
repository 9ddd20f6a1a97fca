/**
 * The differentiable backward pass: `createGraph: true` of wg.autograd.grad and backward().
 *
 * Where the other passes run each node's backward *kernel* as a record (fast, but the gradients
 * have no graph), this one calls each node's vjp (src/ops/types.ts OpSpec.vjp): the op's backward
 * written as table ops, run through apply with grad mode on. So the gradients are ordinary op
 * results with graph nodes of their own, and can be differentiated again (gradient penalties,
 * Hessian-vector products). The walk is the same: reverse topological order, so a tensor's
 * gradient (the sum, by `add`, of what its consumers hand it) is complete before its own node's
 * vjp reads it. Nodes that lead to no requested gradient are skipped.
 *
 * Everything that can refuse is checked before the first op runs (an op without vjp, hooks, a
 * freed or modified graph), so a refused call changes nothing. Inside wg.compile the vjps' ops are
 * recorded as any ops are; backward() with createGraph is refused there (.grad would be a result of
 * the traced program, not a buffer it owns).
 */
import { anomaly, nanError, withForwardTrace } from './anomaly.js';
import { AutogradError, CompileError, DTypeError, ShapeError } from '../errors.js';
import { OPS } from '../ops/index.js';
import { broadcastView } from '../ops/shape.js';
import { fmtShape, sameShape } from '../ops/types.js';
import type { Backend } from './backend/types.js';
import { prepareGraph, seedValues, topoOrder, freeGraph, type Seed } from './backward-graph.js';
import { refuseInsideHook } from './backward-hooks.js';
import { constant, isGradEnabled, setGradEnabled, tensorBuilder } from './engine.js';
import { allocTransient } from './memory.js';
import { sink } from './sink.js';
import { Tensor } from './tensor.js';

export interface GraphRequest {
  fn: string;
  roots: Tensor[];
  /** As given: a Tensor seed is used as it is (its own graph included, as PyTorch's grad_outputs). */
  seeds: Seed[];
  retainGraph: boolean;
  /** The gradients wanted; null (backward() without inputs): every leaf's. */
  targets: Tensor[] | null;
  /** true: return the targets' gradients; false: accumulate them into .grad. */
  capture: boolean;
}

/** The op names that have a vjp, for the error listing them. */
const supported = (): string =>
  OPS.filter((op) => op.vjp !== undefined && op.gradInputs.length > 0)
    .map((op) => op.name)
    .join(', ');

/** Refuses, before anything runs, a graph this pass cannot walk. */
function check(req: GraphRequest, order: readonly Tensor[]): void {
  if (!req.capture && sink.mode !== 'off')
    throw new CompileError(req.fn, 'backward() with createGraph: true cannot run inside wg.compile: use wg.autograd.grad(…, { createGraph: true }) there');
  for (const t of order) {
    const op = t.node!.op;
    if (op.vjp === undefined)
      throw new AutogradError(req.fn, `createGraph: true needs the gradient of ${op.name} as ops; ${op.name} has none yet (supported: ${supported()})`);
  }
  const hooked = [...req.roots, ...order, ...order.flatMap((t) => t.node!.inputs)].find((t) => t.hooks !== null);
  if (hooked !== undefined)
    throw new AutogradError(
      req.fn,
      `createGraph: true does not run tensor hooks or retainGrad(), and a tensor ${fmtShape(hooked.shape)} of this graph has one (remove it, or take the gradient without createGraph)`,
    );
}

/** Root r's seed as a tensor on be: a Tensor as given, a number or numbers as a constant. */
function seedTensor(fn: string, be: Backend, r: Tensor, seed: Seed): Tensor {
  if (seed instanceof Tensor) {
    seed.assertAlive(fn);
    if (!sameShape(seed.shape, r.shape)) throw new ShapeError(fn, `seed shape ${fmtShape(seed.shape)} does not match tensor shape ${fmtShape(r.shape)}`);
    if (seed.dtype !== 'float32') throw new DTypeError(fn, `the seed must be float32, got ${seed.dtype} ${fmtShape(seed.shape)}`);
    return seed;
  }
  const v = seedValues(fn, r, seed);
  if (v.length === 1) return tensorBuilder(be).op('copy', [constant(v[0], be)], broadcastView([], r.shape));
  if (sink.mode !== 'off')
    throw new CompileError(fn, `inside a compiled function a seed of several values must be a Tensor, got numbers for a tensor of shape ${fmtShape(r.shape)}`);
  const s = allocTransient(be, v.length, 'seed', fn);
  be.write(s.ptr, v, 'float32');
  return new Tensor(r.shape, 'float32', s, false);
}

/** Which nodes lead to a wanted gradient (all of them when every leaf's is wanted). */
function leadingTo(order: readonly Tensor[], targets: ReadonlySet<Tensor> | null): Set<Tensor> {
  const on = new Set<Tensor>();
  for (const t of order) {
    const { op, inputs } = t.node!;
    if (op.gradInputs.some((i) => inputs[i]?.requiresGrad && (targets === null || targets.has(inputs[i]) || on.has(inputs[i])))) on.add(t);
  }
  return on;
}

/**
 * Runs the pass; returns the targets' gradients when `capture` (null for a target no gradient
 * reaches), else adds each into its tensor's .grad out of place (as PyTorch with create_graph:
 * .grad is a tensor with a graph).
 */
export function backwardWithGraph(req: GraphRequest): (Tensor | null)[] | undefined {
  refuseInsideHook(req.fn);
  const order = topoOrder(req.roots);
  prepareGraph(req.fn, order);
  check(req, order);
  const be = req.roots[0].storage.backend;
  const seeds = req.roots.map((r, k) => seedTensor(req.fn, be, r, req.seeds[k]));
  const prev = isGradEnabled();
  setGradEnabled(true);
  let grads: Map<Tensor, Tensor>;
  try {
    grads = walk(req, order, seeds);
  } finally {
    setGradEnabled(prev);
  }
  // (freed only when the pass went through: a vjp that throws leaves the graph as it was)
  if (!req.retainGraph) freeGraph(order);
  return req.capture ? req.targets!.map((x) => grads.get(x) ?? null) : undefined;
}

/** The walk, grad mode on: the gradients wanted, by tensor (.grad filled unless capture). */
function walk(req: GraphRequest, order: readonly Tensor[], seeds: readonly Tensor[]): Map<Tensor, Tensor> {
  const b = tensorBuilder(req.roots[0].storage.backend);
  const targets = req.targets === null ? null : new Set(req.targets);
  const on = leadingTo(order, targets);
  const grads = new Map<Tensor, Tensor>();
  const add = (t: Tensor, g: Tensor) => {
    const had = grads.get(t);
    grads.set(t, had === undefined ? g : b.op('add', [had, g]));
  };
  req.roots.forEach((r, k) => add(r, seeds[k]));
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k],
      g = grads.get(t);
    if (g === undefined || !on.has(t)) continue;
    const node = t.node!;
    const needs = node.inputs.map((x, i) => node.op.gradInputs.includes(i) && x.requiresGrad && (targets === null || targets.has(x) || on.has(x)));
    const saved = (k: number) => {
      const block = node.saved[k];
      return b.op('copyInt', [new Tensor([block.words], 'int32', block, false)], broadcastView([block.words], [block.words]));
    };
    let gs: readonly (Tensor | null)[];
    try {
      gs = node.op.vjp!(b, { inputs: node.inputs, out: t, gout: g, attrs: node.attrs, needs, saved });
    } catch (e) {
      throw withForwardTrace(e, node);
    }
    if (anomaly.enabled && anomaly.checkNan) {
      const k = gs.findIndex((gi, i) => gi !== null && needs[i] && gi.rawValues().some(Number.isNaN));
      if (k >= 0) throw nanError(req.fn, node, k);
    }
    gs.forEach((gi, i) => gi !== null && needs[i] && add(node.inputs[i], gi));
    // a gradient is complete once its node has run: only the wanted ones are kept
    if (targets === null || !targets.has(t)) grads.delete(t);
  }
  if (!req.capture)
    for (const [x, g] of grads)
      if (targets === null ? x.node === null && x.requiresGrad : targets.has(x)) {
        const had = x.peekGrad();
        x.grad = had === null ? g : b.op('add', [had, g]);
      }
  return grads;
}
