/** PyTorch's `inplace` argument of the activation and dropout modules. */
import { becomeResult } from '../api/inplace.js';
import { checkBool, checkOptions } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { Module } from './module.js';

/**
 * A module whose forward may write its result into its input (PyTorch's inplace=True): the input
 * takes the result as x.relu_() does, recorded by autograd, so a computed input trains as in
 * PyTorch and a leaf that requires grad is refused outside wg.noGrad.
 */
export abstract class InPlaceModule extends Module {
  readonly inplace: boolean;
  constructor(inplace: unknown) {
    super();
    checkBool(`nn.${new.target.name}`, 'inplace', inplace);
    this.inplace = inplace === true;
  }
  /** r, or x made r when the module works in place (an identity result, dropout in eval, is x already). */
  protected output(x: Tensor, r: Tensor): Tensor {
    return this.inplace ? becomeResult(`nn.${this.constructor.name}`, x, r) : r;
  }
  /** PyTorch's extra_repr suffix: ', inplace=True' when in place, else nothing. */
  protected inplaceRepr(sep = ', '): string {
    return this.inplace ? `${sep}inplace=True` : '';
  }
}

/** An activation whose only argument is `inplace`, given as itself or as `{ inplace }` (ReLU(true), ReLU({ inplace: true })). */
export abstract class InPlaceActivation extends InPlaceModule {
  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super(
      typeof inplace === 'object' && inplace !== null ? checkOptions<{ inplace?: unknown }>(`nn.${new.target.name}`, inplace, ['inplace']).inplace : inplace,
    );
  }
  override extraRepr(): string {
    return this.inplaceRepr('');
  }
}
