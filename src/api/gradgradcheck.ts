/**
 * wg.gradgradcheck (torch.autograd.gradgradcheck): second derivatives checked as torch does, by
 * gradcheck of the first gradient. The first gradient g(x, v) = vᵀ·∂f/∂x is taken with
 * createGraph, a function of the inputs and of the seeds v (grad_outputs), and gradcheck compares
 * its backward (the second derivatives, and ∂g/∂v = the first derivatives again) with central
 * finite differences of g, in float64 on the reference backend.
 */
import { checkFunction, checkTensor } from '../engine/check.js';
import { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape, sameShape } from '../ops/types.js';
import { grad } from './autograd.js';
import { tensor, zeros } from './creation.js';
import { noGrad } from '../engine/engine.js';
import { checkGradients, type GradcheckOptions, type GradcheckResult } from './gradcheck.js';
import { cat } from './shape.js';

type Outputs = Tensor | readonly Tensor[];

/** fn's outputs as a list, each checked to be a Tensor. */
function outputList(fn: string, out: unknown): Tensor[] {
  const list = out instanceof Tensor ? [out] : out;
  if (!Array.isArray(list) || list.length === 0 || list.some((o) => !(o instanceof Tensor)))
    throw new ValueError(fn, `fn must return a Tensor or an array of Tensors, got ${fmtValue(out)}`);
  return list as Tensor[];
}

/**
 * Checks the second derivatives of fn at inputs (torch.autograd.gradgradcheck). `gradOutputs`, one
 * float32 tensor per output of fn shaped like it, are the seeds of the first gradient; those that
 * require grad are checked as inputs too (torch's rule). Omitted, they are fixed values that require
 * grad (torch draws random ones). fn's ops need a gradient as ops (createGraph: the README lists
 * them). Returns gradcheck's result (ok and the largest errors) rather than raising.
 */
export function gradgradcheck(
  fn: (...xs: Tensor[]) => Outputs,
  inputs: readonly Tensor[],
  gradOutputs?: Tensor | readonly Tensor[] | null,
  opts: GradcheckOptions = {},
): GradcheckResult {
  const name = 'gradgradcheck';
  checkFunction(name, 'fn', fn);
  if (!Array.isArray(inputs) || inputs.length === 0) throw new ValueError(name, `inputs must be a non-empty array of tensors, got ${fmtValue(inputs)}`);
  inputs.forEach((t, i) => checkTensor(name, `inputs[${i}]`, t));
  if (!inputs.some((t) => t.requiresGrad))
    throw new ValueError(name, `expects at least one input to require grad, got ${inputs.length} input(s) none of which requires grad`);
  const shapes = noGrad(() => outputList(name, fn(...inputs.map((x) => x.detach()))).map((o) => o.shape));
  const seeds = gradOutputs == null ? shapes.map(defaultSeed) : gradOutputs instanceof Tensor ? [gradOutputs] : gradOutputs;
  if (!Array.isArray(seeds) || seeds.length !== shapes.length)
    throw new ValueError(name, `gradOutputs must give one tensor per output of fn (${shapes.length}), got ${fmtValue(gradOutputs)}`);
  seeds.forEach((g: unknown, k) => {
    checkTensor(name, `gradOutputs[${k}]`, g);
    if (!sameShape(g.shape, shapes[k])) throw new ShapeError(name, `gradOutputs[${k}] ${fmtShape(g.shape)} does not match output ${k} ${fmtShape(shapes[k])}`);
    if (g.dtype !== 'float32') throw new DTypeError(name, `gradOutputs[${k}] must be float32, got ${g.dtype}`);
  });
  const n = inputs.length;
  const firstGradient = (...xs: Tensor[]): Tensor => {
    const ins = xs.slice(0, n);
    const wrt = ins.filter((x) => x.requiresGrad);
    const gs = grad(outputList(name, fn(...ins)), wrt, { gradOutputs: xs.slice(n), createGraph: true, allowUnused: true });
    // An input the outputs do not reach has a zero first gradient (torch drops it; zeros check the same).
    return cat(gs.map((g, k) => (g ?? zeros(wrt[k].shape)).reshape([-1])));
  };
  return checkGradients(name, firstGradient, [...inputs, ...(seeds as Tensor[])], opts, true);
}

/** A fixed seed of this shape that requires grad: values spread over [-1, 1] with both signs. */
function defaultSeed(shape: readonly number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Float64Array.from({ length: size }, (_, k) => Math.sin(0.5 + 2.3 * k)),
    { shape, requiresGrad: true },
  );
}
