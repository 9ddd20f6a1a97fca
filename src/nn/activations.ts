/**
 * Activation modules of the math library's functions (PyTorch's nn.Mish, nn.ELU, …): each is its
 * function with the constructor's options; PyTorch's positional arguments or one options object.
 */
import { ValueError, fmtValue } from '../errors.js';
import { checkFinite } from '../ops/types.js';
import * as F from '../api/functional.js';
import type { Tensor } from '../engine/tensor.js';
import { checkTensor } from '../engine/check.js';
import { pyFloat, pyNumber } from './layers.js';
import { constantParameter } from './init.js';
import { InPlaceActivation, InPlaceModule } from './inplace.js';
import { Module } from './module.js';
import * as forms from './module-forms.js';

/** A finite number option of module fn (PyTorch's float arguments). */
const finite = (fn: string, what: string, v: unknown): number => checkFinite(`nn.${fn}`, what, v);
export class Mish extends InPlaceActivation {
  forward(x: Tensor): Tensor {
    return this.output(x, F.mish(x));
  }
}
export class SELU extends InPlaceActivation {
  forward(x: Tensor): Tensor {
    return this.output(x, F.selu(x));
  }
}
/** Hardswish and Hardsigmoid take `inplace`, and PyTorch 1.13 does not print it. */
abstract class InPlaceUnprinted extends InPlaceActivation {
  override extraRepr(): string {
    return '';
  }
}
export class Hardswish extends InPlaceUnprinted {
  forward(x: Tensor): Tensor {
    return this.output(x, F.hardswish(x));
  }
}
export class Hardsigmoid extends InPlaceUnprinted {
  forward(x: Tensor): Tensor {
    return this.output(x, F.hardsigmoid(x));
  }
}
export class ReLU6 extends InPlaceActivation {
  forward(x: Tensor): Tensor {
    return this.output(x, F.relu6(x));
  }
}
export class Softsign extends Module {
  forward(x: Tensor): Tensor {
    return F.softsign(x);
  }
}
export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.logsigmoid(x);
  }
}

/** ELU and CELU: one α (default 1). */
abstract class WithAlpha extends InPlaceModule {
  readonly alpha: number;
  constructor(alpha?: number | { alpha?: number; inplace?: boolean }, inplace?: boolean | { inplace?: boolean });
  constructor(...args: unknown[]) {
    const [alpha = 1, inplace = false] = forms.moduleArgs(forms.ELU, args, new.target.name) as [number?, boolean?];
    super(inplace);
    this.alpha = finite(new.target.name, 'alpha', alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplaceRepr()}`;
  }
}
export class ELU extends WithAlpha {
  forward(x: Tensor): Tensor {
    return this.output(x, F.elu(x, { alpha: this.alpha }));
  }
}
export class CELU extends WithAlpha {
  forward(x: Tensor): Tensor {
    return this.output(x, F.celu(x, { alpha: this.alpha }));
  }
}

/** min(max(x, minVal), maxVal), defaults −1, 1. */
export class Hardtanh extends InPlaceModule {
  readonly minVal: number;
  readonly maxVal: number;
  constructor(
    minVal?: number | { minVal?: number; maxVal?: number; inplace?: boolean },
    maxVal?: number | { maxVal?: number; inplace?: boolean },
    inplace?: boolean | { inplace?: boolean },
  );
  constructor(...args: unknown[]) {
    const [minVal = -1, maxVal = 1, inplace = false] = forms.moduleArgs(forms.Hardtanh, args) as [number?, number?, boolean?];
    super(inplace);
    this.minVal = finite('Hardtanh', 'minVal', minVal);
    this.maxVal = finite('Hardtanh', 'maxVal', maxVal);
    if (this.maxVal <= this.minVal) throw new ValueError('nn.Hardtanh', `maxVal must be greater than minVal, got minVal ${this.minVal}, maxVal ${this.maxVal}`);
  }
  forward(x: Tensor): Tensor {
    return this.output(x, F.hardtanh(x, { minVal: this.minVal, maxVal: this.maxVal }));
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${this.inplaceRepr()}`;
  }
}

/** log(1 + e^(βx))/β, x itself where βx > threshold (defaults 1, 20). */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(beta?: number | { beta?: number; threshold?: number }, threshold?: number | { threshold?: number });
  constructor(...args: unknown[]) {
    super();
    const [beta = 1, threshold = 20] = forms.moduleArgs(forms.Softplus, args) as [number?, number?];
    this.beta = finite('Softplus', 'beta', beta);
    this.threshold = finite('Softplus', 'threshold', threshold);
  }
  forward(x: Tensor): Tensor {
    return F.softplus(x, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    return `beta=${pyNumber(this.beta)}, threshold=${pyNumber(this.threshold)}`;
  }
}

/** Hardshrink and Softshrink: one λ (default 0.5). */
abstract class WithLambd extends Module {
  readonly lambd: number;
  constructor(lambd?: number | { lambd?: number });
  constructor(...args: unknown[]) {
    super();
    const [lambd = 0.5] = forms.moduleArgs(forms.Hardshrink, args, new.target.name) as [number?];
    this.lambd = finite(new.target.name, 'lambd', lambd);
  }
  override extraRepr(): string {
    return `${pyFloat(this.lambd)}`;
  }
}
/** x where |x| > λ, else 0. */
export class Hardshrink extends WithLambd {
  forward(x: Tensor): Tensor {
    return F.hardshrink(x, this.lambd);
  }
}
/** x − λ above λ, x + λ below −λ, else 0. */
export class Softshrink extends WithLambd {
  forward(x: Tensor): Tensor {
    return F.softshrink(x, this.lambd);
  }
}
export class Tanhshrink extends Module {
  forward(x: Tensor): Tensor {
    return F.tanhshrink(x);
  }
}

/** x where x > threshold, else value (both required, as PyTorch's nn.Threshold). */
export class Threshold extends InPlaceModule {
  readonly threshold: number;
  readonly value: number;
  constructor(
    threshold: number | { threshold: number; value: number; inplace?: boolean },
    value?: number | { value: number; inplace?: boolean },
    inplace?: boolean | { inplace?: boolean },
  );
  constructor(...args: unknown[]) {
    const [threshold, value, inplace = false] = forms.moduleArgs(forms.Threshold, args) as [number, number, boolean?];
    super(inplace);
    this.threshold = threshold;
    this.value = value;
    // any number, NaN and ±∞ included, as F.threshold and PyTorch
    for (const [k, v] of Object.entries({ threshold, value }))
      if (typeof v !== 'number') throw new ValueError('nn.Threshold', `${k} must be a number, got ${fmtValue(v)}`);
  }
  forward(x: Tensor): Tensor {
    return this.output(x, F.threshold(x, this.threshold, this.value));
  }
  override extraRepr(): string {
    return `threshold=${pyNumber(this.threshold)}, value=${pyNumber(this.value)}${this.inplaceRepr()}`;
  }
}

/** softmax(−x) along dim (PyTorch's nn.Softmin(dim)). */
export class Softmin extends Module {
  readonly dim?: number;
  constructor(dim?: number);
  constructor(...args: unknown[]) {
    const [dim] = forms.moduleArgs(forms.Softmin, args) as [number?];
    super();
    this.dim = dim;
    if (dim !== undefined && !Number.isInteger(dim)) throw new ValueError('nn.Softmin', `dim must be an integer, got ${fmtValue(dim)}`);
  }
  forward(x: Tensor): Tensor {
    return F.softmin(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** softmax over the channels of [N, C, H, W] or [C, H, W] (dim −3), PyTorch's nn.Softmax2d. */
export class Softmax2d extends Module {
  forward(x: Tensor): Tensor {
    checkTensor('nn.Softmax2d', 'x', x);
    if (x.ndim !== 3 && x.ndim !== 4) throw new ValueError('nn.Softmax2d', `expects x [N, C, H, W] or [C, H, W], got ${x.ndim} dims`);
    return F.softmax(x, -3);
  }
}

/** a·σ(b) for the halves of x along dim (default −1). */
export class GLU extends Module {
  readonly dim: number;
  constructor(dim?: number | { dim?: number });
  constructor(...args: unknown[]) {
    super();
    const [dim = -1] = forms.moduleArgs(forms.GLU, args) as [number?];
    this.dim = dim;
    if (!Number.isInteger(dim)) throw new ValueError('nn.GLU', `dim must be an integer, got ${fmtValue(dim)}`);
  }
  forward(x: Tensor): Tensor {
    return F.glu(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** max(0, x) + a·min(0, x) with a learnable `weight` a [numParameters] (1, or one per channel), init 0.25. */
export class PReLU extends Module {
  /** [numParameters] (Module.numParameters() counts parameters, so the size is weight.shape[0]). */
  readonly weight: Tensor;
  /** torch's forms: `PReLU(3, 0.1)`, `PReLU(3, { init: 0.1 })`, `PReLU({ numParameters: 3, init: 0.1 })`. */
  constructor(numParameters?: number | { numParameters?: number; init?: number }, init?: number | { init?: number });
  constructor(...args: unknown[]) {
    super();
    const [n = 1, init = 0.25] = forms.moduleArgs(forms.PReLU, args) as [number?, number?];
    if (!Number.isInteger(n) || n < 1) throw new ValueError('nn.PReLU', `numParameters must be a positive integer, got ${fmtValue(n)}`);
    this.weight = this.registerParameter('weight', constantParameter('nn.PReLU', [n], finite('PReLU', 'init', init)));
  }
  forward(x: Tensor): Tensor {
    return F.prelu(x, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.weight.shape[0]}`;
  }
}
