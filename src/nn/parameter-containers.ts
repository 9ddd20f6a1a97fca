/**
 * ParameterList and ParameterDict (PyTorch nn.ParameterList, nn.ParameterDict): modules that hold
 * parameters under the names '0', '1', … or under their keys, as torch names them in state dicts.
 */
import { checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape } from '../ops/types.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/**
 * t itself when it is already a parameter (a float32 leaf that requires grad), else a new leaf
 * over the same storage that requires grad: what torch's Parameter(t) wrapping does in
 * ParameterList.append and ParameterDict's setitem (t itself is left as it was).
 */
function asParameter(fn: string, t: Tensor): Tensor {
  checkTensor(fn, 'a parameter', t);
  if (t.dtype !== 'float32') throw new DTypeError(fn, `parameters must be float32 tensors, got ${t.dtype} ${fmtShape(t.shape)}`);
  return t.isLeaf && t.requiresGrad ? t : new Parameter(t);
}

const listing = (name: string, lines: string[]): string => (lines.length === 0 ? `${name}()` : `${name}(\n${lines.map((l) => `    ${l}`).join('\n')}\n)`);

/** Parameters named '0', '1', … in order (PyTorch nn.ParameterList); tensors that are not parameters are made parameters over the same storage. */
export class ParameterList extends Module<() => never> implements Iterable<Tensor> {
  private readonly items: Tensor[] = [];

  constructor(values: Iterable<Tensor> = []) {
    super();
    if (values === null || typeof (values as Iterable<Tensor>)[Symbol.iterator] !== 'function')
      throw new ValueError('nn.ParameterList', `expects an iterable of tensors, got ${fmtValue(values)}`);
    this.extend(values);
  }

  /** Adds a parameter at the end, named by its index. */
  append(value: Tensor): this {
    this.items.push(this.registerParameter(String(this.items.length), asParameter('nn.ParameterList.append', value)));
    return this;
  }

  /** Appends each tensor of `values`. */
  extend(values: Iterable<Tensor>): this {
    for (const v of values) this.append(v);
    return this;
  }

  /** The parameter at index i (negative counts from the end). */
  at(i: number): Tensor {
    if (!Number.isInteger(i)) throw new ValueError('nn.ParameterList.at', `index must be an integer, got ${fmtValue(i)}`);
    const p = this.items.at(i);
    if (p === undefined) throw new ValueError('nn.ParameterList.at', `index ${i} is out of range for ${this.items.length} parameters`);
    return p;
  }

  get length(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<Tensor> {
    return this.items[Symbol.iterator]();
  }

  /** Not callable, as PyTorch's. */
  forward(): never {
    throw new ValueError('nn.ParameterList.forward', 'a ParameterList holds parameters and has no forward; index it (at(i)) or iterate it');
  }

  /** torch's listing: one line per parameter, its dtype and size. */
  override toString(): string {
    return listing(
      'ParameterList',
      this.items.map((p, i) => `(${i}): Parameter containing: [torch.float32 of size ${p.shape.join('x')}]`),
    );
  }
}

/** Parameters under string keys in insertion order (PyTorch nn.ParameterDict; a plain object's keys go in sorted, as torch's dict); state-dict names are the keys. */
export class ParameterDict extends Module<() => never> implements Iterable<[string, Tensor]> {
  private readonly entries = new Map<string, Tensor>();

  /** From a Map (in its order, as torch's OrderedDict) or a plain object (its keys sorted, as torch's dict) of key → tensor. */
  constructor(parameters: ReadonlyMap<string, Tensor> | Record<string, Tensor> = {}) {
    super();
    if (parameters === null || typeof parameters !== 'object')
      throw new ValueError('nn.ParameterDict', `expects a Map or an object of name → tensor, got ${fmtValue(parameters)}`);
    this.update(parameters);
  }

  /**
   * Adds a parameter under `key` (a non-empty string without '.'), or replaces the one under a key
   * already present in its place, as PyTorch's `pd[key] = p`.
   */
  set(key: string, value: Tensor): this {
    this.entries.set(key, this.setParameter(key, asParameter('nn.ParameterDict.set', value)));
    return this;
  }

  /**
   * Adds every entry of a Map in its order, or of a plain object in sorted key order: torch 1.13's
   * update sorts a plain dict's items (an OrderedDict keeps its order), and that order is the
   * order of parameters() and of the state dict, which optimizer state and parametersToVector follow.
   */
  update(parameters: ReadonlyMap<string, Tensor> | Record<string, Tensor>): this {
    const pairs = parameters instanceof Map ? [...parameters] : Object.entries(parameters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [k, v] of pairs) this.set(k, v);
    return this;
  }

  /** The parameter under `key`, or a ValueError naming the keys there are. */
  get(key: string): Tensor {
    const p = this.entries.get(key);
    if (p === undefined) throw new ValueError('nn.ParameterDict.get', `no parameter ${fmtValue(key)}; the keys are ${fmtValue([...this.entries.keys()])}`);
    return p;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  values(): Tensor[] {
    return [...this.entries.values()];
  }

  items(): [string, Tensor][] {
    return [...this.entries];
  }

  get length(): number {
    return this.entries.size;
  }

  [Symbol.iterator](): Iterator<[string, Tensor]> {
    return this.entries[Symbol.iterator]();
  }

  /** Not callable, as PyTorch's. */
  forward(): never {
    throw new ValueError('nn.ParameterDict.forward', "a ParameterDict holds parameters and has no forward; look them up with get('name')");
  }

  /** torch's listing (which names the type as the legacy torch.FloatTensor here). */
  override toString(): string {
    return listing(
      'ParameterDict',
      [...this.entries].map(([k, p]) => `(${k}): Parameter containing: [torch.FloatTensor of size ${p.shape.join('x')}]`),
    );
  }
}
