/** Sequential: a chain of modules. */
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/**
 * Runs modules one after the other: forward(x) = mₖ(…m₁(m₀(x))). The children are named '0',
 * '1', ... so parameters are '0.weight', '0.bias', ... as in PyTorch.
 */
export class Sequential extends Module {
  private readonly layers: Module[] = [];

  constructor(...modules: Module[]) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Adds a module at the end (named by its index). */
  append(m: Module): this {
    this.registerModule(String(this.layers.length), m);
    this.layers.push(m);
    return this;
  }

  /** Number of modules. */
  get length(): number {
    return this.layers.length;
  }

  /** The module at index i (negative counts from the end). */
  at(i: number): Module {
    const m = Number.isInteger(i) ? this.layers.at(i) : undefined;
    if (m === undefined) throw new Error(`wasmgrad.nn.Sequential.at: index ${i} is out of range for ${this.layers.length} modules`);
    return m;
  }

  forward(x: Tensor): Tensor {
    for (const m of this.layers) x = m.forward(x);
    return x;
  }
}
