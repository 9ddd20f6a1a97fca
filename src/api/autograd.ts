/**
 * wg.autograd: PyTorch's torch.autograd functions. grad() returns gradients without touching
 * .grad, backward() backpropagates from several tensors at once (functional: autograd-functional.ts).
 */
import { runBackward } from '../engine/autodiff.js';
import { backwardWithGraph } from '../engine/backward-differentiable.js';
import { reachedBy, seedValues, tensorList, topoOrder, type Seed } from '../engine/backward-graph.js';
import { checkBool, checkOptions, isRecord } from '../engine/check.js';
import { AutogradError, ValueError, fmtValue } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import { Tensor } from '../engine/tensor.js';

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
export function seedList(fn: string, outputs: readonly Tensor[], gradOutputs: Seed | readonly Seed[] | undefined): Seed[] {
  const list =
    gradOutputs === undefined ? outputs.map(() => undefined) : outputs.length === 1 && !isSeedList(gradOutputs) ? [gradOutputs as Seed] : gradOutputs;
  if (!Array.isArray(list) || list.length !== outputs.length)
    throw new ValueError(fn, `gradOutputs must give one seed per output (${outputs.length}), got ${fmtValue(gradOutputs)}`);
  return list as Seed[];
}

/** The seeds' values, one per output. */
export function seedsOf(fn: string, outputs: readonly Tensor[], gradOutputs: Seed | readonly Seed[] | undefined): ArrayLike<number>[] {
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

export { Function, FunctionCtx, type Applied, type FunctionClass, type FunctionGradients } from './autograd-function.js';
