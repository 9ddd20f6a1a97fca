/**
 * nn.Parameter, as PyTorch's: `new nn.Parameter(data?, requiresGrad = true)` is a leaf tensor over
 * data's storage (torch's Parameter shares its data; without data an empty [0] tensor) that a
 * module registers as a parameter when it is assigned to one of the module's fields
 * (`this.w = new nn.Parameter(wg.ones([3]))`, src/nn/module.ts). wasmgrad has no Tensor subclass:
 * the result is a Tensor, and `p instanceof nn.Parameter` holds for the tensors made here and for
 * every tensor registered as a module's parameter, as torch's isinstance.
 */
import { checkOptions, checkTensor } from '../engine/check.js';
import { makePersistent } from '../engine/memory.js';
import { Tensor } from '../engine/tensor.js';
import { DTypeError } from '../errors.js';
import { checkBool, fmtShape } from '../ops/types.js';
import { empty } from '../api/convenience.js';

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
   * torch.nn.Parameter(data = None, requires_grad = True): a float32 leaf over data's storage,
   * kept resident (it outlives the training steps), with requiresGrad (false gives a frozen
   * parameter, which a Module still registers and an optimizer skips); data is left as it was.
   */
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
    made.add(p);
    return p as Parameter;
  }

  static [Symbol.hasInstance](v: unknown): boolean {
    return v instanceof Tensor && (made.has(v) || registered.has(v));
  }
}
