/**
 * wg.autograd.functional: torch.autograd.functional's jacobian, hessian, vjp, jvp, vhp and hvp, built
 * on autograd.grad (one backward pass per output element for the Jacobians, float32), with torch's
 * options: createGraph (the results keep a graph to the inputs), strict (an independence that would
 * give zeros is an AutogradError in torch's words) and vectorize / strategy (accepted: they choose
 * how torch batches the passes, not the result).
 */
import { runBackward } from '../engine/autodiff.js';
import type { Seed } from '../engine/backward-graph.js';
import { checkBool, checkFunction, checkOptions, checkTensor } from '../engine/check.js';
import { getBackend, setBackend } from '../engine/engine.js';
import { demote } from '../engine/memory.js';
import { Tensor } from '../engine/tensor.js';
import { AutogradError, DTypeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import { grad, seedList, seedsOf } from './autograd.js';
import { tensor } from './creation.js';
import { enableGrad } from './grad-mode.js';
import { clone, stack } from './shape.js';

type Inputs = Tensor | readonly Tensor[];
type Fn = (...xs: Tensor[]) => Tensor | readonly Tensor[];

export interface FunctionalOptions {
  /** The results (and the returned outputs) keep a graph to the inputs, to be differentiated again (default false). */
  createGraph?: boolean;
  /** An output or gradient independent of an input is an AutogradError instead of zeros (default false). */
  strict?: boolean;
}
export interface JacobianOptions extends FunctionalOptions {
  /** torch batches the backward passes with vmap; the result is the same, so it is accepted and changes nothing here (default false). */
  vectorize?: boolean;
  /** 'reverse-mode' (default) or 'forward-mode': the same Jacobian; here always by reverse mode. */
  strategy?: 'reverse-mode' | 'forward-mode';
}
export interface HessianOptions extends FunctionalOptions {
  vectorize?: boolean;
  /** The strategy of the outer Jacobian (torch's outer_jacobian_strategy): the same Hessian; always reverse mode here. */
  outerJacobianStrategy?: 'reverse-mode' | 'forward-mode';
}

/** The options, checked (booleans, a known strategy, and torch's refusal of strict with vectorize). */
function optionsOf<T extends FunctionalOptions>(fn: string, opts: unknown, known: readonly string[]): T {
  const o = checkOptions<T & JacobianOptions & HessianOptions>(fn, opts, ['createGraph', 'strict', ...known]);
  for (const k of ['createGraph', 'strict', 'vectorize'] as const) checkBool(fn, k, o[k]);
  for (const k of ['strategy', 'outerJacobianStrategy'] as const)
    if (o[k] !== undefined && o[k] !== 'reverse-mode' && o[k] !== 'forward-mode')
      throw new ValueError(fn, `${k} must be 'reverse-mode' or 'forward-mode', got ${fmtValue(o[k])}`);
  if (o.strict && o.vectorize) throw new ValueError(fn, 'strict: true and vectorize: true are not supported together (as torch): set one of them to false');
  return o;
}

/**
 * The inputs as the leaves fn runs on: fresh leaves copied from them (torch's functional API does
 * the same); with createGraph an input that requires grad enters through a copy that keeps its
 * graph (torch's view_as), so the results can be differentiated w.r.t. the caller's tensors.
 */
function leavesOf(fn: string, inputs: Inputs, createGraph: boolean): Tensor[] {
  const list = inputs instanceof Tensor ? [inputs] : inputs;
  if (!Array.isArray(list) || list.length === 0) throw new ValueError(fn, `inputs must be a Tensor or a non-empty array of Tensors, got ${fmtValue(inputs)}`);
  return list.map((x: unknown, i) => {
    checkTensor(fn, `inputs[${i}]`, x);
    if (x.dtype !== 'float32') throw new DTypeError(fn, `inputs[${i}] must be float32 to differentiate, got ${x.dtype} ${fmtShape(x.shape)}`);
    return createGraph && x.requiresGrad ? enableGrad(() => clone(x)) : clone(x.detach()).requiresGrad_();
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

const zerosLike = (t: Tensor): Tensor => valuesOn(t, new Float64Array(t.size), t.shape);

/**
 * Runs fn on the leaves (above) with grad recording on, then `body` on the leaves and fn's tensors
 * (`single`: fn returned one Tensor, not an array). The fresh leaves' blocks then go to the current
 * step instead of staying persistent (a requiresGrad leaf is made so, and only the garbage
 * collector would free it): a loop calling jacobian stays flat. They are freed with the step, or
 * spilled if an output shares one (fn returned an input).
 */
function atLeaves<T>(fn: string, f: Fn, inputs: Inputs, createGraph: boolean, body: (leaves: Tensor[], outputs: Tensor[], single: boolean) => T): T {
  checkFunction(fn, 'fn', f);
  const leaves = leavesOf(fn, inputs, createGraph);
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
      if (l.node !== null) continue; // a copy with a graph is an ordinary result
      demote(l.storage);
      if (outputs.some((o) => o.storage === l.storage)) l.storage.graphOnly = null;
    }
  }
}

/** torch's strict check of fn's outputs: each must require grad. */
function checkOutputs(fn: string, outputs: readonly Tensor[], strict: boolean | undefined): void {
  if (!strict) return;
  const i = outputs.findIndex((o) => !o.requiresGrad);
  if (i >= 0)
    throw new AutogradError(
      fn,
      `Output ${i} of the user-provided function does not require gradients. The outputs must be computed in a differentiable manner from the input when running in strict mode.`,
    );
}

/** What an independence is called in torch's strict-mode message, by the pass that found it. */
type Stage = 'back' | 'back_trick' | 'double_back';

/**
 * torch's _fill_in_zeros: a missing gradient becomes zeros shaped like its reference, or, with
 * strict, torch's error; with strict and createGraph a gradient without a graph is refused too.
 */
function fillInZeros(fn: string, grads: readonly (Tensor | null)[], refs: readonly Tensor[], opts: FunctionalOptions, stage: Stage): Tensor[] {
  return grads.map((g, i) => {
    if (g === null) {
      if (opts.strict)
        throw new AutogradError(
          fn,
          stage === 'back'
            ? `The output of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`
            : stage === 'back_trick'
              ? `The gradient with respect to the input is independent of entry ${i} in the grad_outputs when using the double backward trick to compute forward mode gradients. This is not allowed in strict mode.`
              : `The jacobian of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`,
        );
      return zerosLike(refs[i]);
    }
    if (opts.strict && opts.createGraph && !g.requiresGrad)
      throw new AutogradError(
        fn,
        `The ${stage === 'double_back' ? 'hessian' : 'jacobian'} of the user-provided function is independent of input ${i}. This is not allowed in strict mode when create_graph=True.`,
      );
    return g;
  });
}

/**
 * autograd.grad of the outputs that require grad (torch's _autograd_grad): null for every input
 * when none does; unused inputs give null.
 */
function gradOf(
  outputs: readonly Tensor[],
  seeds: readonly Seed[],
  leaves: readonly Tensor[],
  createGraph: boolean,
  retainGraph = createGraph,
): (Tensor | null)[] {
  const live = outputs.flatMap((o, k) => (o.requiresGrad ? [k] : []));
  if (live.length === 0) return leaves.map(() => null);
  return grad(
    live.map((k) => outputs[k]),
    [...leaves],
    { gradOutputs: live.map((k) => seeds[k]), createGraph, retainGraph, allowUnused: true },
  );
}

/** The outputs as returned: detached, unless createGraph keeps their graph. */
const returned = (outputs: readonly Tensor[], createGraph: boolean | undefined): Tensor[] => (createGraph ? [...outputs] : outputs.map((o) => o.detach()));

/**
 * The Jacobian of fn at inputs (torch.autograd.functional.jacobian): for an output of shape O and
 * an input of shape I, a tensor of shape [...O, ...I] with entry [o, i] = ∂out[o]/∂in[i], zero where
 * the output does not depend on the input. A single input and output give a Tensor, an array of
 * inputs an array (one per input), an array of outputs an array of those. One backward pass per
 * output element.
 */
function jacobian(f: Fn, inputs: Inputs, options?: JacobianOptions): Tensor | Tensor[] | Tensor[][] {
  const fn = 'autograd.functional.jacobian';
  const opts = optionsOf<JacobianOptions>(fn, options, ['vectorize', 'strategy']);
  return atLeaves(fn, f, inputs, opts.createGraph ?? false, (leaves, outputs, single) => {
    checkOutputs(fn, outputs, opts.strict);
    const jac = outputs.map((o, i) => jacobianOf(fn, o, leaves, opts, i));
    const perOutput = jac.map((js) => (inputs instanceof Tensor ? js[0] : js));
    return (single ? perOutput[0] : perOutput) as Tensor | Tensor[] | Tensor[][];
  });
}

/**
 * ∂o/∂x for each leaf x, shaped [...o, ...x]: one backward pass per element of o (its graph kept).
 * Without createGraph the rows are copied out in JavaScript; with it each row is a gradient with a
 * graph and the rows are stacked. `index`: o's position among the outputs, for strict's message.
 */
function jacobianOf(fn: string, o: Tensor, leaves: readonly Tensor[], opts: FunctionalOptions, index: number): Tensor[] {
  const strictIndependence = (i: number) =>
    new AutogradError(fn, `Output ${index} of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`);
  if (opts.createGraph) {
    const rows = leaves.map(() => [] as Tensor[]);
    for (let j = 0; j < o.size; j++) {
      const seed = new Float64Array(o.size);
      seed[j] = 1;
      const gs = o.requiresGrad
        ? grad(o, [...leaves], { gradOutputs: [seed], createGraph: true, retainGraph: true, allowUnused: true })
        : leaves.map(() => null);
      gs.forEach((g, i) => {
        if (g === null && opts.strict) throw strictIndependence(i);
        if (g !== null && opts.strict && !g.requiresGrad)
          throw new AutogradError(
            fn,
            `The jacobian of the user-provided function is independent of input ${index}. This is not allowed in strict mode when create_graph=True.`,
          );
        rows[i].push(g ?? zerosLike(leaves[i]));
      });
    }
    return rows.map((r, i) =>
      r.length === 0 ? zerosLike(leaves[i]).reshape([...o.shape, ...leaves[i].shape]) : stack(r).reshape([...o.shape, ...leaves[i].shape]),
    );
  }
  const rows = leaves.map((x) => new Float64Array(o.size * x.size));
  const reached = leaves.map(() => false);
  if (o.requiresGrad)
    for (let j = 0; j < o.size; j++) {
      const seed = new Float64Array(o.size);
      seed[j] = 1;
      const grads = runBackward({ fn, roots: [o], seeds: [seed], retainGraph: true, targets: [...leaves], capture: true })!;
      grads.forEach((g, i) => {
        if (g === null) return;
        reached[i] = true;
        rows[i].set(g.rawValues(), j * leaves[i].size);
      });
    }
  if (opts.strict && o.size > 0) {
    const i = reached.indexOf(false);
    if (i >= 0) throw strictIndependence(i);
  }
  return rows.map((r, i) => valuesOn(leaves[i], r, [...o.shape, ...leaves[i].shape]));
}

/**
 * fn's single one-element output and its gradient w.r.t. each leaf with a graph of its own
 * (createGraph; zeros for a leaf it does not depend on): what hessian, hvp and vhp differentiate again.
 */
function gradWithGraph(fn: string, outputs: readonly Tensor[], leaves: readonly Tensor[], opts: FunctionalOptions): { out: Tensor; grads: Tensor[] } {
  const out = outputs[0];
  if (outputs.length !== 1 || out.size !== 1)
    throw new ValueError(
      fn,
      `the function must return a single one-element Tensor, got ${outputs.length === 1 ? `a tensor of shape ${fmtShape(out.shape)}` : `${outputs.length} tensors`}`,
    );
  checkOutputs(fn, outputs, opts.strict);
  const grads = gradOf(outputs, [undefined], leaves, true);
  const filled = fillInZeros(fn, grads, leaves, { strict: opts.strict }, 'back');
  if (opts.strict) {
    const i = filled.findIndex((g) => !g.requiresGrad);
    if (i >= 0)
      throw new AutogradError(
        fn,
        `While computing the hessian, found that the jacobian of the user-provided function with respect to input ${i} is independent of the input. This is not allowed in strict mode. You should ensure that your function is twice differentiable and that the jacobian depends on the inputs (this would be violated by a linear function for example).`,
      );
  }
  return { out, grads: filled };
}

/**
 * The Hessian of a function with a one-element output (torch.autograd.functional.hessian): for a
 * single input of shape I a tensor [...I, ...I]; for an array of inputs, an array of arrays (entry
 * [i][j] = ∂²f/∂xᵢ∂xⱼ, shaped [...xᵢ, ...xⱼ]). The gradient with createGraph, then one backward pass
 * through it per gradient element.
 */
function hessian(f: Fn, inputs: Inputs, options?: HessianOptions): Tensor | Tensor[][] {
  const fn = 'autograd.functional.hessian';
  const opts = optionsOf<HessianOptions>(fn, options, ['vectorize', 'outerJacobianStrategy']);
  return atLeaves(fn, f, inputs, opts.createGraph ?? false, (leaves, outputs) => {
    const h = gradWithGraph(fn, outputs, leaves, opts).grads.map((g, i) => jacobianOf(fn, g, leaves, opts, i));
    return inputs instanceof Tensor ? h[0][0] : h;
  });
}

/**
 * vᵀ·H for a function with a one-element output (torch.autograd.functional.vhp): returns [output,
 * vhp], vhp shaped like the inputs; grad of (∇f · v) by a second pass.
 */
function vhp(f: Fn, inputs: Inputs, v?: Seed | readonly Seed[], options?: FunctionalOptions): [Tensor, Tensor | Tensor[]] {
  return hessianProduct('autograd.functional.vhp', f, inputs, v, options);
}

/**
 * H·v (torch.autograd.functional.hvp): [output, hvp]. Computed as vᵀ·H, the same for the symmetric
 * Hessian of a twice continuously differentiable function (torch takes a double-backward detour to
 * get H·v itself; the results agree up to rounding).
 */
function hvp(f: Fn, inputs: Inputs, v?: Seed | readonly Seed[], options?: FunctionalOptions): [Tensor, Tensor | Tensor[]] {
  return hessianProduct('autograd.functional.hvp', f, inputs, v, options);
}

function hessianProduct(
  fn: string,
  f: Fn,
  inputs: Inputs,
  v: Seed | readonly Seed[] | undefined,
  options: FunctionalOptions | undefined,
): [Tensor, Tensor | Tensor[]] {
  const opts = optionsOf<FunctionalOptions>(fn, options, []);
  const createGraph = opts.createGraph ?? false;
  return atLeaves(fn, f, inputs, createGraph, (leaves, outputs) => {
    const { out, grads } = gradWithGraph(fn, outputs, leaves, opts);
    // one v per input, shaped like it: numbers, or (createGraph) tensors as given
    const seeds = createGraph ? seedList(fn, leaves, v) : seedsOf(fn, leaves, v);
    const products = fillInZeros(fn, gradOf(grads, seeds, leaves, createGraph, createGraph), leaves, opts, 'double_back');
    return [returned([out], createGraph)[0], inputs instanceof Tensor ? products[0] : products];
  });
}

/**
 * The vector-Jacobian product vᵀ·J of fn at inputs (torch.autograd.functional.vjp): returns
 * [output, vjp], vjp shaped like the inputs (a Tensor for a single input, else an array). v may be
 * omitted for a one-element output (seed 1).
 */
function vjp(f: Fn, inputs: Inputs, v?: Seed | readonly Seed[], options?: FunctionalOptions): [Tensor | Tensor[], Tensor | Tensor[]] {
  const fn = 'autograd.functional.vjp';
  const opts = optionsOf<FunctionalOptions>(fn, options, []);
  const createGraph = opts.createGraph ?? false;
  return atLeaves(fn, f, inputs, createGraph, (leaves, outputs, single) => {
    checkOutputs(fn, outputs, opts.strict);
    const seeds = createGraph ? seedList(fn, outputs, v) : seedsOf(fn, outputs, v);
    const products = fillInZeros(fn, gradOf(outputs, seeds, leaves, createGraph), leaves, opts, 'back');
    const outs = returned(outputs, createGraph);
    return [single ? outs[0] : outs, inputs instanceof Tensor ? products[0] : products];
  });
}

/**
 * The Jacobian-vector product J·v of fn at inputs (torch.autograd.functional.jvp): returns [output,
 * jvp], jvp shaped like the outputs (a Tensor for a single output, else an array). v, one per input
 * shaped like it, may be omitted for a single one-element input (seed 1).
 *
 * By torch's double-backward trick, exact: with u a stand-in seed of each output (zeros that require
 * grad), g(u) = uᵀ·J is linear in u, so the gradient of g·v w.r.t. u is J·v. The first pass runs
 * with createGraph, so fn's ops need a gradient as ops (the README lists them).
 */
function jvp(f: Fn, inputs: Inputs, v?: Seed | readonly Seed[], options?: FunctionalOptions): [Tensor | Tensor[], Tensor | Tensor[]] {
  const fn = 'autograd.functional.jvp';
  const opts = optionsOf<FunctionalOptions>(fn, options, []);
  const createGraph = opts.createGraph ?? false;
  const list = inputs instanceof Tensor ? [inputs] : inputs;
  if (v == null && (!Array.isArray(list) || list.length !== 1 || !(list[0] instanceof Tensor) || list[0].size !== 1))
    throw new ValueError(fn, 'v can only be omitted when the input is a single Tensor with a single element');
  return atLeaves(fn, f, inputs, createGraph, (leaves, outputs, single) => {
    checkOutputs(fn, outputs, opts.strict);
    const seeds = createGraph ? seedList(fn, leaves, v) : seedsOf(fn, leaves, v);
    const us = outputs.map((o) => zerosLike(o).requiresGrad_());
    const gs = gradOf(outputs, us, leaves, true);
    if (opts.strict) {
      const i = gs.findIndex((g) => g === null || !g.requiresGrad);
      if (i >= 0)
        throw new AutogradError(
          fn,
          gs[i] === null
            ? `The output of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`
            : `The gradient with respect to input ${i} is independent of the inputs of the user-provided function. This is not allowed in strict mode.`,
        );
    }
    const live = gs.flatMap((g, i) => (g !== null && g.requiresGrad ? [i] : []));
    const back =
      live.length === 0
        ? us.map(() => null)
        : grad(
            live.map((i) => gs[i]!),
            us,
            { gradOutputs: live.map((i) => seeds[i]), createGraph, retainGraph: createGraph, allowUnused: true },
          );
    const products = fillInZeros(fn, back, outputs, opts, 'back_trick');
    const outs = returned(outputs, createGraph);
    return [single ? outs[0] : outs, single ? products[0] : products];
  });
}

/** torch.autograd.functional's namespace. */
export const functional = { jacobian, vjp, jvp, hessian, hvp, vhp };
