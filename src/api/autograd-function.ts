/**
 * wg.autograd.Function: PyTorch's torch.autograd.Function, an op whose forward and backward are
 * written in JavaScript with wasmgrad ops.
 *
 *   class Exp extends wg.autograd.Function {
 *     static forward(ctx, x) { const y = x.exp(); ctx.saveForBackward(y); return y; }
 *     static backward(ctx, g) { const [y] = ctx.savedTensors; return g.mul(y); }
 *   }
 *   const y = Exp.apply(x);
 *
 * It is a composite of tensor hooks (src/engine/backward-hooks.ts), so the engine has no op of its
 * own for it. forward runs without recording; each output is then re-made as `output − link`, where
 * link = where(false, Σ sum(aliasᵢ), 0) is an exact +0 that depends on every input that requires
 * grad through an alias aliasᵢ = inputᵢ·1 (x − (+0) is x bit for bit, −0, ±∞ and NaN included).
 * The backward pass reaches every output before the link and the link before the aliases: hooks
 * on the outputs collect their gradients, and the first alias hook calls backward with them; each
 * alias hook then replaces the alias's gradient (zero through `where`) with backward's gradient of
 * its input, which the alias passes on to the input unchanged.
 *
 * Like tensor hooks, it is eager only (a CompileError inside wg.compile), and backward runs without
 * recording, so a gradient through it cannot be differentiated again (createGraph).
 */
import { isGradEnabled, noGrad } from '../engine/engine.js';
import { sink } from '../engine/sink.js';
import { Tensor } from '../engine/tensor.js';
import { AutogradError, CompileError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape, sameShape } from '../ops/types.js';
import { zeros } from './creation.js';
import { where } from './integer.js';

/** The context forward and backward share (PyTorch's ctx): saved tensors and what needs a gradient. */
export class FunctionCtx {
  /** Per forward argument: whether it is a tensor whose gradient is wanted (PyTorch's needs_input_grad). */
  readonly needsInputGrad: readonly boolean[];
  /** @internal */ saved: readonly Tensor[] = [];
  /** @internal */ nonDifferentiable = new Set<Tensor>();
  /** @internal */ materializeGrads = true;
  /** Any other state forward leaves for backward (PyTorch's `ctx.anything = …`). */
  [key: string]: unknown;

  /** @internal */
  constructor(needsInputGrad: readonly boolean[]) {
    this.needsInputGrad = needsInputGrad;
  }

  /** Keeps tensors for backward (read them from savedTensors). */
  saveForBackward(...tensors: (Tensor | null | undefined)[]): void {
    tensors.forEach((t, i) => {
      if (t != null && !(t instanceof Tensor))
        throw new ValueError('autograd.Function.saveForBackward', `argument ${i} must be a Tensor or null, got ${fmtValue(t)}`);
    });
    this.saved = tensors as Tensor[];
  }

  /** The tensors given to saveForBackward, in order. */
  get savedTensors(): readonly Tensor[] {
    return this.saved;
  }

  /** Outputs that get no gradient (PyTorch's mark_non_differentiable): returned as they are, not requiring grad. */
  markNonDifferentiable(...outputs: Tensor[]): void {
    for (const t of outputs) this.nonDifferentiable.add(t);
  }

  /** false: backward gets null, not zeros, for an output the loss does not use (default true). */
  setMaterializeGrads(value: boolean): void {
    this.materializeGrads = value;
  }
}

type Output = unknown;

/** What backward returns: one gradient per forward argument (a single one for one argument), null where there is none. */
export type FunctionGradients = Tensor | null | undefined | readonly (Tensor | null | undefined)[];

/** A Function subclass, as apply sees it: its static methods take what the subclass declares. */
export interface FunctionClass {
  name: string;
  forward?(...args: never[]): unknown;
  backward?(ctx: FunctionCtx, ...gradOutputs: never[]): FunctionGradients;
  setupContext?(ctx: FunctionCtx, inputs: readonly unknown[], output: never): void;
}

/** What apply returns: what the subclass's forward returns (a Tensor, or an array for several outputs). */
export type Applied<C extends FunctionClass> = C['forward'] extends (...args: never[]) => infer R ? R : unknown;

/**
 * Subclass it with static forward(ctx, ...args) and backward(ctx, ...gradOutputs), then call
 * `MyFunction.apply(...args)`. forward returns a tensor or an array of tensors (PyTorch's tuple);
 * backward gets one gradient per output and returns one per forward argument. PyTorch 2's form
 * (forward(...args) without ctx and a static setupContext(ctx, inputs, output)) works too.
 */
export class Function {
  /** Runs forward and records the function for backward. */
  static apply<C extends FunctionClass>(this: C, ...args: unknown[]): Applied<C> {
    const fn = `autograd.Function ${this.name}.apply`;
    const { forward, setupContext } = this as { forward?: (...a: unknown[]) => Output; setupContext?: (...a: unknown[]) => void };
    if (typeof forward !== 'function')
      throw new ValueError(`autograd.Function ${this.name}.forward`, 'a Function subclass must define static forward(ctx, ...args)');
    if (sink.mode !== 'off')
      throw new CompileError(
        fn,
        'an autograd.Function cannot run inside wg.compile: its backward is JavaScript in the middle of the backward pass (use it in eager code)',
      );
    const wanted = args.map((a) => a instanceof Tensor && a.requiresGrad && isGradEnabled());
    const ctx = new FunctionCtx(wanted);
    const out = noGrad(() => {
      if (typeof setupContext !== 'function') return forward.call(this, ctx, ...args);
      const o = forward.call(this, ...args);
      setupContext.call(this, ctx, args, o);
      return o;
    });
    const outputs: readonly Output[] = Array.isArray(out) ? out : [out];
    if (!outputs.some((o) => o instanceof Tensor)) throw new ValueError(fn, `forward must return a Tensor or an array holding tensors, got ${fmtValue(out)}`);
    if (!wanted.includes(true)) return out as Applied<C>;
    return recordBackward(this, fn, ctx, args, out, outputs) as Applied<C>;
  }
}

/** The outputs re-made so that backward reaches `cls.backward` (see the file comment). */
function recordBackward(cls: FunctionClass, fn: string, ctx: FunctionCtx, args: readonly unknown[], out: Output, outputs: readonly Output[]): Output {
  const inputs = args.flatMap((a, i) => (ctx.needsInputGrad[i] ? [{ i, x: a as Tensor }] : []));
  const aliases = inputs.map(({ x }) => x.mul(1));
  const total = aliases.map((a) => a.sum()).reduce((s, t) => s.add(t));
  const link = where(zeros([]), total, 0);
  const differentiable = (o: Output): o is Tensor => o instanceof Tensor && o.dtype === 'float32' && !ctx.nonDifferentiable.has(o);
  // One backward call per pass: the output hooks of a pass all run before its first alias hook.
  let gradOutputs: (Tensor | null)[] = outputs.map(() => null);
  let result: (Tensor | null)[] | null = null;
  const remade = outputs.map((o, j) => {
    if (!differentiable(o)) return o;
    const y = o.sub(link);
    y.node!.gradFnName = `${cls.name}Backward`; // torch names the node after the class
    y.registerHook((g) => {
      if (result !== null) [gradOutputs, result] = [outputs.map(() => null), null];
      gradOutputs[j] = g;
      return undefined;
    });
    return y;
  });
  aliases.forEach((alias, k) =>
    alias.registerHook(() => {
      result ??= noGrad(() => gradientsOf(cls, fn, ctx, args, outputs, gradOutputs));
      return result[inputs[k].i] ?? zeros(inputs[k].x.shape);
    }),
  );
  return Array.isArray(out) ? remade : remade[0];
}

/** cls.backward's gradients, one per forward argument, checked against the inputs' shapes. */
function gradientsOf(
  cls: FunctionClass,
  fn: string,
  ctx: FunctionCtx,
  args: readonly unknown[],
  outputs: readonly Output[],
  gradOutputs: readonly (Tensor | null)[],
): (Tensor | null)[] {
  const seeds = outputs.map((o, j) => gradOutputs[j] ?? (ctx.materializeGrads && o instanceof Tensor && o.dtype === 'float32' ? zeros(o.shape) : null));
  const backward = (cls as { backward?: (...a: unknown[]) => unknown }).backward;
  if (typeof backward !== 'function')
    throw new AutogradError(
      `autograd.Function ${cls.name}.backward`,
      'a Function subclass must define static backward(ctx, ...gradOutputs) to be differentiated',
    );
  const got = backward.call(cls, ctx, ...seeds);
  const grads = args.length === 1 && !Array.isArray(got) ? [got as Tensor | null] : got;
  if (!Array.isArray(grads) || grads.length !== args.length)
    throw new AutogradError(
      fn,
      `backward returned ${Array.isArray(grads) ? grads.length : 1} gradient(s), expected ${args.length} (one per forward argument, null where none)`,
    );
  return grads.map((g: unknown, i) => {
    if (g == null || !ctx.needsInputGrad[i]) return null;
    const x = args[i] as Tensor;
    if (!(g instanceof Tensor)) throw new AutogradError(fn, `backward's gradient ${i} must be a Tensor or null, got ${fmtValue(g)}`);
    if (sameShape(g.shape, x.shape)) return g;
    const reduced = sumDownTo(g, x.shape);
    if (reduced === null)
      throw new ShapeError(fn, `backward's gradient ${i} has shape ${fmtShape(g.shape)}, which input ${i}'s shape ${fmtShape(x.shape)} does not broadcast to`);
    return reduced;
  });
}

/** PyTorch's reduce_grad: a gradient of a shape the input broadcasts to, summed down to the input's shape; null if it does not broadcast. */
function sumDownTo(g: Tensor, shape: readonly number[]): Tensor | null {
  const lead = g.shape.length - shape.length;
  if (lead < 0) return null;
  const dims: number[] = [];
  for (let d = 0; d < g.shape.length; d++) {
    const want = d < lead ? 1 : shape[d - lead];
    if (d < lead || (want === 1 && g.shape[d] !== 1)) dims.push(d);
    else if (want !== g.shape[d]) return null;
  }
  return g.sum(dims, true).reshape([...shape]);
}
