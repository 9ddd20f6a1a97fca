/** torch.nn.Container, deprecated in torch (kept in 1.13): a Module whose children are given by name at construction. */
import { ValueError, fmtValue } from '../errors.js';
import { Module, type AnyModule } from './module.js';

/**
 * `new nn.Container({ fc: new nn.Linear(2, 3), act: new nn.ReLU() })`: each entry added as a child
 * under its key, in the object's order (torch's `Container(**kwargs)` and its add_module calls), so
 * the state-dict keys are 'fc.weight', 'fc.bias', …. It has no forward of its own, as torch's
 * (subclass it, or better Module, to give one). torch warns at construction that nn.Container is
 * deprecated; this is silent.
 */
export class Container extends Module {
  constructor(modules: Record<string, AnyModule> = {}) {
    super();
    if (modules === null || typeof modules !== 'object' || Array.isArray(modules))
      throw new ValueError('nn.Container', `expects an object of name → module, got ${fmtValue(modules)}`);
    for (const [name, m] of Object.entries(modules)) this.addModule(name, m);
  }

  forward(): never {
    throw new ValueError('nn.Container', "has no forward (as torch's Module without one): subclass nn.Module and define forward");
  }
}
