/**
 * wg.autograd: PyTorch's torch.autograd functions. grad() returns gradients without touching
 * .grad, backward() backpropagates from several tensors at once, and functional.jacobian / vjp
 * build on grad() for learners (one backward pass per output element, float32).
 */
import { runBackward } from '../engine/autodiff.js';
import { backwardWithGraph } from '../engine/backward-differentiable.js';
import { reachedBy, seedValues, tensorList, topoOrder, type Seed } from '../engine/backward-graph.js';
import { checkBool, checkFunction, checkOptions, checkTensor, isRecord } from '../engine/check.js';
import { AutogradError, DTypeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import { Tensor } from '../engine/tensor.js';
import { tensor } from './creation.js';
import { enableGrad } from './grad-mode.js';
import { getBackend, setBackend } from '../engine/engine.js';
import { demote } from '../engine/memory.js';
import { clone } from './shape.js';

export interface GradOptions {
  /** The seed of each output (PyTorch's grad_outputs): needed for outputs of more than one element. */
  gradOutputs?: Seed | readonly Seed[];
  /** Keep the graph for another backward pass (default false). */
  retainGraph?: boolean;
  /** An input the outputs do not depend on gets null instead of an error (default false). */
  allowUnused?: boolean;
  /**
   * Build a graph of the gradients themselves, so they can be differentiated again (default false;
   * true makes retainGraph default to true, as PyTorch). Runs each op's gradient as ops: the ops
   * with such a gradient are listed in the README; others are an AutogradError naming the op.
   */
  createGraph?: boolean;
}

/** One seed per output: `gradOutputs` as a list (a single Tensor or number seeds a single output). */
function seedList(fn: string, outputs: readonly Tensor[], gradOutputs: Seed | readonly Seed[] | undefined): Seed[] {
  const list =
    gradOutputs === undefined ? outputs.map(() => undefined) : outputs.length === 1 && !isSeedList(gradOutputs) ? [gradOutputs as Seed] : gradOutputs;
  if (!Array.isArray(list) || list.length !== outputs.length)
    throw new ValueError(fn, `gradOutputs must give one seed per output (${outputs.length}), got ${fmtValue(gradOutputs)}`);
  return list as Seed[];
}

/** The seeds' values, one per output. */
function seedsOf(fn: string, outputs: readonly Tensor[], gradOutputs: Seed | readonly Seed[] | undefined): ArrayLike<number>[] {
  const list = seedList(fn, outputs, gradOutputs);
  return outputs.map((o, k) => seedValues(fn, o, list[k]));
}

/** An array whose items are seeds of their own (tensors, arrays or null), not one seed's numbers. */
function isSeedList(v: unknown): boolean {
  return Array.isArray(v) && v.some((s) => typeof s !== 'number');
}

/**
 * The gradients of the outputs w.r.t. each input (PyTorch's torch.autograd.grad): an array, one
 * tensor per input (null for an unused input with allowUnused). Nothing is added to the leaves' .grad (a
 * retained non-leaf's .grad is filled, as PyTorch's). Eager only (a CompileError inside wg.compile).
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], options?: GradOptions): (Tensor | null)[];
/** PyTorch's positional form, torch.autograd.grad(outputs, inputs, grad_outputs, ...): the seeds third, then the options. */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  gradOutputs: Seed | readonly Seed[] | null | undefined,
  options?: Omit<GradOptions, 'gradOutputs'>,
): (Tensor | null)[];
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  third: GradOptions | Seed | readonly Seed[] | null = {},
  fourth?: Omit<GradOptions, 'gradOutputs'>,
): (Tensor | null)[] {
  const fn = 'autograd.grad';
  const options =
    isRecord(third) && fourth === undefined
      ? third
      : { ...checkOptions(fn, fourth, ['retainGraph', 'allowUnused', 'createGraph']), gradOutputs: third ?? undefined };
  const opts = checkOptions<GradOptions>(fn, options, ['gradOutputs', 'retainGraph', 'allowUnused', 'createGraph']);
  for (const k of ['retainGraph', 'allowUnused', 'createGraph'] as const) checkBool(fn, k, opts[k]);
  const roots = tensorList(fn, 'outputs', outputs);
  const targets = tensorList(fn, 'inputs', inputs);
  const seeds = opts.createGraph ? seedList(fn, roots, opts.gradOutputs) : seedsOf(fn, roots, opts.gradOutputs);
  const order = topoOrder(roots);
  // (A freed graph no longer lists its inputs: the pass names that error instead.)
  if (!opts.allowUnused && !order.some((t) => t.node!.freed)) {
    const reached = reachedBy(roots, order);
    const k = targets.findIndex((t) => !reached.has(t));
    if (k >= 0)
      throw new AutogradError(
        fn,
        `inputs[${k}] ${fmtShape(targets[k].shape)} was not used to compute the outputs; pass { allowUnused: true } to get null for it`,
      );
  }
  if (opts.createGraph) return backwardWithGraph({ fn, roots, seeds, retainGraph: opts.retainGraph ?? true, targets, capture: true })!;
  return runBackward({ fn, roots, seeds: seeds as ArrayLike<number>[], retainGraph: opts.retainGraph ?? false, targets, capture: true })!;
}

export interface AutogradBackwardOptions {
  retainGraph?: boolean;
  /** Accumulate only into these tensors' .grad. */
  inputs?: Tensor | readonly Tensor[];
  /** .grad gets a graph of its own (as t.backward's createGraph; retainGraph then defaults to true). */
  createGraph?: boolean;
}

/**
 * Backpropagates from several tensors at once (PyTorch's torch.autograd.backward): the sum of
 * their gradients, each seeded by its entry of gradTensors (1 for one-element tensors by default),
 * accumulated into .grad.
 */
export function backward(tensors: Tensor | readonly Tensor[], gradTensors?: Seed | readonly Seed[], options: AutogradBackwardOptions = {}): void {
  const fn = 'autograd.backward';
  const opts = checkOptions<AutogradBackwardOptions>(fn, options, ['retainGraph', 'inputs', 'createGraph']);
  checkBool(fn, 'retainGraph', opts.retainGraph);
  checkBool(fn, 'createGraph', opts.createGraph);
  const roots = tensorList(fn, 'tensors', tensors);
  const targets = opts.inputs === undefined ? null : tensorList(fn, 'inputs', opts.inputs);
  if (opts.createGraph) {
    backwardWithGraph({ fn, roots, seeds: seedList(fn, roots, gradTensors), retainGraph: opts.retainGraph ?? true, targets, capture: false });
    return;
  }
  runBackward({ fn, roots, seeds: seedsOf(fn, roots, gradTensors), retainGraph: opts.retainGraph ?? false, targets, capture: false });
}

type Inputs = Tensor | readonly Tensor[];
type Fn = (...xs: Tensor[]) => Tensor | readonly Tensor[];

/** Copies of the inputs as fresh leaves that require grad (PyTorch's functional API does the same). */
function leavesOf(fn: string, inputs: Inputs): Tensor[] {
  const list = inputs instanceof Tensor ? [inputs] : inputs;
  if (!Array.isArray(list) || list.length === 0) throw new ValueError(fn, `inputs must be a Tensor or a non-empty array of Tensors, got ${fmtValue(inputs)}`);
  return list.map((x: unknown, i) => {
    checkTensor(fn, `inputs[${i}]`, x);
    if (x.dtype !== 'float32') throw new DTypeError(fn, `inputs[${i}] must be float32 to differentiate, got ${x.dtype} ${fmtShape(x.shape)}`);
    return clone(x.detach()).requiresGrad_();
  });
}

/** A float32 tensor of these values on the backend `like` lives on. */
function valuesOn(like: Tensor, values: Float64Array, shape: readonly number[]): Tensor {
  const prev = getBackend();
  setBackend(like.storage.backend.name);
  try {
    return tensor(values, { shape });
  } finally {
    setBackend(prev);
  }
}

/**
 * Runs fn on fresh leaves copied from the inputs (PyTorch's functional API does the same) with grad
 * recording on, then `body` on the leaves and fn's tensors (`single`: fn returned one Tensor, not an
 * array). The leaves' blocks then go to the current step instead of staying persistent (a
 * requiresGrad leaf is made so, and only the garbage collector would free it): a loop calling
 * jacobian stays flat. They are freed with the step, or spilled if an output shares one (fn returned
 * an input).
 */
function atLeaves<T>(fn: string, f: Fn, inputs: Inputs, body: (leaves: Tensor[], outputs: Tensor[], single: boolean) => T): T {
  checkFunction(fn, 'fn', f);
  const leaves = leavesOf(fn, inputs);
  let outputs: Tensor[] = [];
  try {
    const out = enableGrad(() => f(...leaves));
    const list = out instanceof Tensor ? [out] : out;
    if (!Array.isArray(list) || list.length === 0 || list.some((o) => !(o instanceof Tensor)))
      throw new ValueError(fn, `the function must return a Tensor or an array of Tensors, got ${fmtValue(out)}`);
    outputs = list as Tensor[];
    return body(leaves, outputs, out instanceof Tensor);
  } finally {
    for (const l of leaves) {
      demote(l.storage);
      if (outputs.some((o) => o.storage === l.storage)) l.storage.graphOnly = null;
    }
  }
}

/**
 * The Jacobian of fn at inputs (PyTorch's torch.autograd.functional.jacobian): for an output of
 * shape O and an input of shape I, a tensor of shape [...O, ...I] with entry [o, i] = ∂out[o]/∂in[i],
 * zero where the output does not depend on the input. A single input and output give a Tensor, an
 * array of inputs an array (one per input), an array of outputs an array of those. One backward
 * pass per output element.
 */
function jacobian(f: Fn, inputs: Inputs): Tensor | Tensor[] | Tensor[][] {
  const fn = 'autograd.functional.jacobian';
  return atLeaves(fn, f, inputs, (leaves, outputs, single) => {
    const jac = outputs.map((o) => jacobianOf(fn, o, leaves));
    const perOutput = jac.map((js) => (inputs instanceof Tensor ? js[0] : js));
    return (single ? perOutput[0] : perOutput) as Tensor | Tensor[] | Tensor[][];
  });
}

/** ∂o/∂x for each leaf x, shaped [...o, ...x]: one backward pass per element of o (its graph kept). */
function jacobianOf(fn: string, o: Tensor, leaves: readonly Tensor[]): Tensor[] {
  const rows = leaves.map((x) => new Float64Array(o.size * x.size));
  if (o.requiresGrad)
    for (let j = 0; j < o.size; j++) {
      const seed = new Float64Array(o.size);
      seed[j] = 1;
      const grads = runBackward({ fn, roots: [o], seeds: [seed], retainGraph: true, targets: [...leaves], capture: true })!;
      grads.forEach((g, i) => g !== null && rows[i].set(g.rawValues(), j * leaves[i].size));
    }
  return rows.map((r, i) => valuesOn(leaves[i], r, [...o.shape, ...leaves[i].shape]));
}

/**
 * fn's single one-element output and its gradient w.r.t. each leaf with a graph of its own
 * (createGraph; zeros for a leaf it does not depend on): what hessian, hvp and vhp differentiate again.
 */
function gradWithGraph(fn: string, outputs: readonly Tensor[], leaves: readonly Tensor[]): { out: Tensor; grads: Tensor[] } {
  const out = outputs[0];
  if (outputs.length !== 1 || out.size !== 1)
    throw new ValueError(
      fn,
      `the function must return a single one-element Tensor, got ${outputs.length === 1 ? `a tensor of shape ${fmtShape(out.shape)}` : `${outputs.length} tensors`}`,
    );
  const grads = out.requiresGrad ? grad(out, [...leaves], { createGraph: true, allowUnused: true }) : leaves.map(() => null);
  return { out, grads: grads.map((g, i) => g ?? valuesOn(leaves[i], new Float64Array(leaves[i].size), leaves[i].shape)) };
}

/**
 * The Hessian of a function with a one-element output (PyTorch's torch.autograd.functional.hessian):
 * for a single input of shape I a tensor [...I, ...I]; for an array of inputs, an array of arrays
 * (entry [i][j] = ∂²f/∂xᵢ∂xⱼ, shaped [...xᵢ, ...xⱼ]). The gradient with createGraph, then one backward
 * pass through it per gradient element.
 */
function hessian(f: Fn, inputs: Inputs): Tensor | Tensor[][] {
  const fn = 'autograd.functional.hessian';
  return atLeaves(fn, f, inputs, (leaves, outputs) => {
    const h = gradWithGraph(fn, outputs, leaves).grads.map((g) => jacobianOf(fn, g, leaves));
    return inputs instanceof Tensor ? h[0][0] : h;
  });
}

/**
 * vᵀ·H for a function with a one-element output (PyTorch's torch.autograd.functional.vhp): returns
 * [output, vhp], the output detached, vhp shaped like the inputs; grad of (∇f · v) by a second pass.
 */
function vhp(f: Fn, inputs: Inputs, v?: Seed | readonly Seed[]): [Tensor, Tensor | Tensor[]] {
  return hessianProduct('autograd.functional.vhp', f, inputs, v);
}

/**
 * H·v (PyTorch's torch.autograd.functional.hvp): [output, hvp]. Computed as vᵀ·H, the same for the
 * symmetric Hessian of a twice continuously differentiable function (PyTorch takes a double-backward
 * detour to get H·v itself; the results agree up to rounding).
 */
function hvp(f: Fn, inputs: Inputs, v?: Seed | readonly Seed[]): [Tensor, Tensor | Tensor[]] {
  return hessianProduct('autograd.functional.hvp', f, inputs, v);
}

function hessianProduct(fn: string, f: Fn, inputs: Inputs, v: Seed | readonly Seed[] | undefined): [Tensor, Tensor | Tensor[]] {
  return atLeaves(fn, f, inputs, (leaves, outputs) => {
    const { out, grads } = gradWithGraph(fn, outputs, leaves);
    const seeds = seedsOf(fn, leaves, v); // one v per input, shaped like it
    const live = grads.flatMap((g, i) => (g.requiresGrad ? [i] : []));
    const products =
      live.length === 0
        ? leaves.map(() => null)
        : runBackward({ fn, roots: live.map((i) => grads[i]), seeds: live.map((i) => seeds[i]), retainGraph: false, targets: [...leaves], capture: true })!;
    const res = products.map((p, i) => p ?? valuesOn(leaves[i], new Float64Array(leaves[i].size), leaves[i].shape));
    return [out.detach(), inputs instanceof Tensor ? res[0] : res];
  });
}

/**
 * The vector-Jacobian product vᵀ·J of fn at inputs (PyTorch's torch.autograd.functional.vjp):
 * returns [output, vjp], the output detached, vjp shaped like the inputs (a Tensor for a single
 * input, else an array). v may be omitted for a one-element output (seed 1).
 */
function vjp(f: Fn, inputs: Inputs, v?: Seed | readonly Seed[]): [Tensor | Tensor[], Tensor | Tensor[]] {
  const fn = 'autograd.functional.vjp';
  return atLeaves(fn, f, inputs, (leaves, outputs, single) => {
    // An output that does not depend on the inputs adds nothing (PyTorch's strict=False default).
    const seeds = seedsOf(fn, outputs, v);
    const live = outputs.flatMap((o, k) => (o.requiresGrad ? [k] : []));
    const grads =
      live.length === 0
        ? leaves.map(() => null)
        : runBackward({ fn, roots: live.map((k) => outputs[k]), seeds: live.map((k) => seeds[k]), retainGraph: false, targets: leaves, capture: true })!;
    const products = grads.map((g, i) => g ?? valuesOn(leaves[i], new Float64Array(leaves[i].size), leaves[i].shape));
    const detached = outputs.map((o) => o.detach());
    return [single ? detached[0] : detached, inputs instanceof Tensor ? products[0] : products] as [Tensor | Tensor[], Tensor | Tensor[]];
  });
}

/** torch.autograd.functional's namespace. */
export const functional = { jacobian, vjp, hessian, hvp, vhp };

export { Function, FunctionCtx, type Applied, type FunctionClass, type FunctionGradients } from './autograd-function.js';
