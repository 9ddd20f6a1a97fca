/**
 * nn.Parameter, as PyTorch's: `new nn.Parameter(data, requiresGrad = true)` is a leaf tensor over
 * data's storage that a module registers as a parameter when it is assigned to one of the
 * module's fields (`this.w = new nn.Parameter(wg.ones([3]))`, src/nn/module.ts). wasmgrad has no
 * Tensor subclass: the result is a Tensor, and `p instanceof nn.Parameter` holds for the tensors
 * made here and for every tensor registered as a module's parameter.
 */
import { checkTensor } from '../engine/check.js';
import { makePersistent } from '../engine/memory.js';
import { Tensor } from '../engine/tensor.js';
import { DTypeError, ValueError, fmtValue } from '../errors.js';

/** The tensors made by nn.Parameter: a module adopts them when one of its fields is set to one. */
const made = new WeakSet<Tensor>();
/** Every tensor registered as a module's parameter (Module.registerParameter). */
const registered = new WeakSet<Tensor>();

/** Whether `t` was made by nn.Parameter (a module registers it when a field is assigned it). */
export const isMadeParameter = (t: unknown): t is Tensor => t instanceof Tensor && made.has(t);

/** Marks a registered parameter, so that `p instanceof nn.Parameter` holds. */
export function markParameter(t: Tensor): void {
  registered.add(t);
}

// A Parameter is a Tensor: the class only makes one (its constructor returns the tensor).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface Parameter extends Tensor {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Parameter {
  /**
   * A leaf over data's storage (as PyTorch's, which shares data's memory), kept resident, with
   * requiresGrad (false gives a frozen parameter).
   */
  constructor(data: Tensor, requiresGrad = true) {
    checkTensor('nn.Parameter', 'data', data);
    if (data.dtype !== 'float32') throw new DTypeError('nn.Parameter', `a parameter must be float32, got ${data.dtype}`);
    if (typeof requiresGrad !== 'boolean') throw new ValueError('nn.Parameter', `requiresGrad must be a boolean, got ${fmtValue(requiresGrad)}`);
    const p = data.detach();
    makePersistent(p.storage, 'nn.Parameter');
    p.requiresGrad = requiresGrad;
    made.add(p);
    return p as Parameter;
  }

  static [Symbol.hasInstance](v: unknown): boolean {
    return v instanceof Tensor && (made.has(v) || registered.has(v));
  }
}
