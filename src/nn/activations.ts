/**
 * Activation modules of the math library's functions (PyTorch's nn.Mish, nn.ELU, …): each is its
 * function with the constructor's options; PyTorch's positional arguments or one options object.
 */
import { ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import type { Tensor } from '../engine/tensor.js';
import { pyFloat } from './layers.js';
import { Module } from './module.js';

/** A finite number option (PyTorch's float arguments). */
function finite(fn: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`nn.${fn}`, `${what} must be a finite number, got ${fmtValue(v)}`);
  return v;
}
/** The first constructor argument as a number or as the options object holding `key`. */
const option = <K extends string>(first: number | Partial<Record<K, number>> | undefined, key: K): number | undefined =>
  typeof first === 'object' && first !== null ? first[key] : first;

export class Mish extends Module {
  forward(x: Tensor): Tensor {
    return F.mish(x);
  }
}
export class SELU extends Module {
  forward(x: Tensor): Tensor {
    return F.selu(x);
  }
}
export class Hardswish extends Module {
  forward(x: Tensor): Tensor {
    return F.hardswish(x);
  }
}
export class Hardsigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.hardsigmoid(x);
  }
}
export class ReLU6 extends Module {
  forward(x: Tensor): Tensor {
    return F.relu6(x);
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
abstract class WithAlpha extends Module {
  readonly alpha: number;
  constructor(alpha: number | { alpha?: number } = 1) {
    super();
    this.alpha = finite(new.target.name, 'alpha', option(alpha, 'alpha') ?? 1);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}
export class ELU extends WithAlpha {
  forward(x: Tensor): Tensor {
    return F.elu(x, { alpha: this.alpha });
  }
}
export class CELU extends WithAlpha {
  forward(x: Tensor): Tensor {
    return F.celu(x, { alpha: this.alpha });
  }
}

/** min(max(x, minVal), maxVal), defaults −1, 1. */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  constructor(minVal: number | { minVal?: number; maxVal?: number } = -1, maxVal = 1) {
    super();
    const o = typeof minVal === 'object' && minVal !== null ? { minVal: minVal.minVal ?? -1, maxVal: minVal.maxVal ?? 1 } : { minVal, maxVal };
    this.minVal = finite('Hardtanh', 'minVal', o.minVal);
    this.maxVal = finite('Hardtanh', 'maxVal', o.maxVal);
    if (this.maxVal <= this.minVal) throw new ValueError('nn.Hardtanh', `maxVal must be greater than minVal, got minVal ${this.minVal}, maxVal ${this.maxVal}`);
  }
  forward(x: Tensor): Tensor {
    return F.hardtanh(x, { minVal: this.minVal, maxVal: this.maxVal });
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`;
  }
}

/** log(1 + e^(βx))/β, x itself where βx > threshold (defaults 1, 20). */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(beta: number | { beta?: number; threshold?: number } = 1, threshold = 20) {
    super();
    const o = typeof beta === 'object' && beta !== null ? { beta: beta.beta ?? 1, threshold: beta.threshold ?? 20 } : { beta, threshold };
    this.beta = finite('Softplus', 'beta', o.beta);
    this.threshold = finite('Softplus', 'threshold', o.threshold);
  }
  forward(x: Tensor): Tensor {
    return F.softplus(x, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    return `beta=${pyFloat(this.beta)}, threshold=${pyFloat(this.threshold)}`;
  }
}
