/** Sequential: a chain of modules. */
import { ValueError, fmtValue } from '../errors.js';
import type { Tensor } from '../engine/tensor.js';
import { Linear } from './layers.js';
import { Module } from './module.js';
import { ReLU } from './simple.js';

/** m is an instance of exactly `cls` (not a subclass) with the class's own forward. */
const plain = (m: Module, cls: abstract new (...args: never[]) => Module): boolean =>
  Object.getPrototypeOf(m) === cls.prototype && !Object.prototype.hasOwnProperty.call(m, 'forward');

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
    if (!Number.isInteger(i)) throw new ValueError('nn.Sequential.at', `index must be an integer, got ${fmtValue(i)}`);
    const m = this.layers.at(i);
    if (m === undefined) throw new ValueError('nn.Sequential.at', `index ${i} is out of range for ${this.layers.length} modules`);
    return m;
  }

  /**
   * A Linear directly followed by a ReLU (both exactly those classes, not subclasses that may
   * override forward, nor instances whose forward was replaced, as wg.summary does) runs as one linear kernel with the relu in its epilogue: the same values up
   * to float32 rounding, one pass less over the activations and one op less in the graph.
   */
  forward(x: Tensor): Tensor {
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const m = layers[i];
      const next = layers[i + 1];
      if (plain(m, Linear) && next !== undefined && plain(next, ReLU)) {
        x = (m as Linear).forwardActivated(x, 'relu');
        i++;
      } else x = m.forward(x);
    }
    return x;
  }
}
