/**
 * nn.Parameter: PyTorch's way to make a trainable leaf out of a tensor. wasmgrad has no Tensor
 * subclass for it: `new nn.Parameter(t)` returns a plain Tensor (a new leaf over t's storage, as
 * torch's Parameter shares t's data), remembered as a parameter so that `p instanceof
 * nn.Parameter` holds for it and for every tensor a Module registered as a parameter, as in torch.
 */
import { checkOptions, checkTensor } from '../engine/check.js';
import { makePersistent } from '../engine/memory.js';
import { Tensor } from '../engine/tensor.js';
import { DTypeError } from '../errors.js';
import { checkBool, fmtShape } from '../ops/types.js';
import { empty } from '../api/convenience.js';

const parameters = new WeakSet<Tensor>();

/** Records t as a parameter (Module.registerParameter calls it, so module parameters are Parameters). */
export function markParameter(t: Tensor): void {
  parameters.add(t);
}

/** Whether t was made by nn.Parameter or registered by a Module as a parameter. */
export const isParameter = (t: Tensor): boolean => parameters.has(t);

/** The constructor's types: `new nn.Parameter(data?, requiresGrad = true)` gives a Tensor. */
export interface ParameterConstructor {
  new (data?: Tensor, requiresGrad?: boolean | { requiresGrad?: boolean }): Tensor;
  readonly prototype: Tensor;
}

/**
 * torch.nn.Parameter(data = None, requires_grad = True): a float32 leaf over data's storage (an
 * empty [0] tensor without data) that requires grad unless requiresGrad is false (a frozen
 * parameter, which a Module still registers and an optimizer skips). data itself is left as it was.
 * Its storage is persistent, as every parameter's: it outlives the training steps.
 */
export const Parameter = class Parameter {
  constructor(data?: Tensor, requiresGrad: boolean | { requiresGrad?: boolean } = true) {
    const fn = 'nn.Parameter';
    const rg =
      typeof requiresGrad === 'object' ? (checkOptions<{ requiresGrad?: boolean }>(fn, requiresGrad, ['requiresGrad']).requiresGrad ?? true) : requiresGrad;
    checkBool(fn, 'requiresGrad', rg);
    const t = data ?? empty([0]);
    checkTensor(fn, 'data', t);
    if (t.dtype !== 'float32') throw new DTypeError(fn, `only float32 tensors can be parameters, got an ${t.dtype} tensor of shape ${fmtShape(t.shape)}`);
    const p = t.detach();
    makePersistent(p.storage, fn);
    p.requiresGrad = rg;
    markParameter(p);
    return p;
  }

  /** `v instanceof nn.Parameter`: a tensor made by nn.Parameter or registered by a Module as a parameter. */
  static [Symbol.hasInstance](v: unknown): boolean {
    return v instanceof Tensor && parameters.has(v);
  }
} as unknown as ParameterConstructor;
