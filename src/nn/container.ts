/** Sequential: a chain of modules. */
import { ValueError, fmtValue } from '../errors.js';
import type { Tensor } from '../engine/tensor.js';
import { Conv2d, Linear } from './layers.js';
import { BatchNorm1d, BatchNorm2d, LayerNorm } from './norm.js';
import { internalTo } from '../engine/engine.js';
import { Module, type AnyModule } from './module.js';
import { AvgPool2d, Dropout, Flatten, GELU, LeakyReLU, MaxPool2d, ReLU, SiLU, Sigmoid, Tanh } from './simple.js';

/** m is an instance of exactly `cls` (not a subclass) with the class's own forward. */
const plain = (m: AnyModule, cls: abstract new (...args: never[]) => AnyModule): boolean =>
  Object.getPrototypeOf(m) === cls.prototype && !Object.prototype.hasOwnProperty.call(m, 'forward');

/** Library layers whose forward keeps no reference to its input or output (exactly these classes, forward not replaced). */
const STATELESS: readonly (abstract new (...args: never[]) => AnyModule)[] = [
  Linear,
  Conv2d,
  ReLU,
  LeakyReLU,
  Tanh,
  Sigmoid,
  GELU,
  SiLU,
  MaxPool2d,
  AvgPool2d,
  Flatten,
  Dropout,
  BatchNorm1d,
  BatchNorm2d,
  LayerNorm,
];
const stateless = (m: AnyModule): boolean => STATELESS.some((cls) => plain(m, cls));

/**
 * Modules registered as children '0', '1', … in order: what Sequential and ModuleList share
 * (append, extend, insert, pop, delete, at, length, iteration). Deleting or inserting renumbers
 * the children '0', '1', … as PyTorch 1.13 does (a named Sequential's names are lost then too).
 */
abstract class ModuleSequence<M extends AnyModule> extends Module {
  protected readonly items: M[] = [];
  /** The child name of each item, in order. */
  protected readonly keys: string[] = [];

  protected override get childrenByField(): boolean {
    return false;
  }

  protected constructor(
    private readonly kind: string,
    modules: Iterable<M>,
  ) {
    super();
    if (modules === null || typeof (modules as Iterable<M>)[Symbol.iterator] !== 'function')
      throw new ValueError(`nn.${kind}`, `expects an iterable of modules, got ${fmtValue(modules)}`);
    for (const m of modules) this.append(m);
  }

  /** Adds a module at the end, named by its index unless a name is given (PyTorch's OrderedDict form). */
  append(m: M, name = String(this.items.length)): this {
    this.registerModule(name, m);
    this.items.push(m);
    this.keys.push(name);
    return this;
  }

  /** torch's add_module: a new name appends the module, an existing one replaces that child in its place. */
  override addModule<T extends AnyModule>(name: string, m: T): T {
    const i = this.keys.indexOf(name);
    if (i < 0) this.append(m as AnyModule as M, name);
    else {
      super.addModule(name, m);
      this.items[i] = m as AnyModule as M;
    }
    return m;
  }

  /** Appends every module of `modules` (all are checked first). */
  extend(modules: Iterable<M>): this {
    if (modules === null || typeof (modules as Iterable<M>)[Symbol.iterator] !== 'function')
      throw new ValueError(`nn.${this.kind}.extend`, `expects an iterable of modules, got ${fmtValue(modules)}`);
    const list = [...modules];
    const bad = list.findIndex((m) => !(m instanceof Module));
    if (bad >= 0) throw new ValueError(`nn.${this.kind}.extend`, `expects modules, got ${fmtValue(list[bad])} at position ${bad}`);
    for (const m of list) this.append(m);
    return this;
  }

  /** Inserts m before index i (−n ≤ i ≤ n; negative counts from the end, as Python's list.insert), renumbering. */
  insert(i: number, m: M): this {
    const n = this.items.length;
    if (!Number.isInteger(i) || i < -n || i > n)
      throw new ValueError(`nn.${this.kind}.insert`, `index must be an integer in [${-n}, ${n}] for ${n} modules, got ${fmtValue(i)}`);
    const items = [...this.items];
    items.splice(i < 0 ? i + n : i, 0, m);
    this.renumber(items);
    return this;
  }

  /** Removes and returns the module at index i (the last by default), renumbering (PyTorch's pop). */
  pop(i = -1): M {
    const m = this.items[this.index('pop', i)];
    this.delete(i);
    return m;
  }

  /**
   * PyTorch's `del seq[i]` (one argument) or `del seq[start:end]` (two: Array.prototype.slice's
   * range, negative from the end, clamped), renumbering the rest.
   */
  delete(start: number, ...end: [number?]): this {
    if (end.length === 0) {
      const i = this.index('delete', start);
      this.renumber(this.items.filter((_, k) => k !== i));
      return this;
    }
    const [from, to] = this.range('delete', start, end[0]);
    this.renumber(this.items.filter((_, k) => k < from || k >= to));
    return this;
  }

  /** Number of modules. */
  get length(): number {
    return this.items.length;
  }

  /** The module at index i (negative counts from the end). */
  at(i: number): M {
    return this.items[this.index('at', i)];
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }

  /** The [name, module] pairs of the items in [start, end) (Array.prototype.slice's range). */
  protected entriesIn(fn: string, start: number | undefined, end: number | undefined): [string, M][] {
    const [from, to] = this.range(fn, start, end);
    return this.items.slice(from, to).map((m, k) => [this.keys[from + k], m]);
  }

  /** Index i of an item (negative from the end) as a position, checked. */
  private index(fn: string, i: number): number {
    if (!Number.isInteger(i)) throw new ValueError(`nn.${this.kind}.${fn}`, `index must be an integer, got ${fmtValue(i)}`);
    const n = this.items.length;
    if (i < -n || i >= n) throw new ValueError(`nn.${this.kind}.${fn}`, `index ${i} is out of range for ${n} modules`);
    return i < 0 ? i + n : i;
  }

  /** [start, end) as positions, as Array.prototype.slice reads them: undefined is the whole side, negative counts from the end, clamped. */
  private range(fn: string, start: number | undefined, end: number | undefined): [number, number] {
    const n = this.items.length;
    const at = (v: number | undefined, which: string, none: number) => {
      if (v === undefined) return none;
      if (!Number.isInteger(v)) throw new ValueError(`nn.${this.kind}.${fn}`, `${which} must be an integer or undefined, got ${fmtValue(v)}`);
      return Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    };
    return [at(start, 'start', 0), at(end, 'end', n)];
  }

  /** Makes `items` the modules, named '0', '1', … (PyTorch renumbers after a deletion or an insertion). */
  private renumber(items: M[]): void {
    const keys = items.map((_, k) => String(k));
    this.resetModules(items.map((m, k) => [keys[k], m]));
    this.items.splice(0, this.items.length, ...items);
    this.keys.splice(0, this.keys.length, ...keys);
  }
}

/**
 * Runs modules one after the other: forward(x) = mₖ(…m₁(m₀(x))). The children are named '0',
 * '1', ... so parameters are '0.weight', '0.bias', ... as in PyTorch; or, given one Map (or plain
 * object) of name → module, PyTorch's `nn.Sequential(OrderedDict(...))`: 'conv1.weight', ….
 */
export class Sequential extends ModuleSequence<Module> {
  constructor(...modules: Module[]);
  constructor(named: ReadonlyMap<string, Module> | Readonly<Record<string, Module>>);
  constructor(...modules: Module[] | [ReadonlyMap<string, Module> | Readonly<Record<string, Module>>]) {
    const [first] = modules;
    const named = modules.length === 1 && first !== null && typeof first === 'object' && !(first instanceof Module);
    super('Sequential', named ? [] : (modules as Module[]));
    if (named) for (const [name, m] of first instanceof Map ? first : Object.entries(first)) this.append(m, name);
  }

  /**
   * The modules in [start, end) (Array.prototype.slice's range) as a new Sequential holding the
   * same module objects under their names: PyTorch's `seq[1:3]`, whose state-dict keys stay '1.…', '2.…'.
   */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(new Map(this.entriesIn('slice', start, end)));
  }

  /**
   * A Linear directly followed by a ReLU (both exactly those classes, not subclasses that may
   * override forward, nor instances whose forward was replaced, as wg.summary does) runs as one linear kernel with the relu in its epilogue: the same values up
   * to float32 rounding, one pass less over the activations and one op less in the graph.
   */
  forward(x: Tensor): Tensor {
    const layers = this.items;
    // The last result if a stateless library layer made it here: no caller can reach it once the
    // next stateless layer has consumed it, so it is internal to that layer's result (freed with
    // its step instead of copied out, as a composite's intermediates).
    let handOff: Tensor | null = null;
    for (let i = 0; i < layers.length; i++) {
      const m = layers[i];
      const next = layers[i + 1];
      let y: Tensor;
      if (plain(m, Linear) && next !== undefined && plain(next, ReLU)) {
        y = (m as Linear).forwardActivated(x, 'relu');
        i++;
      } else y = m.forward(x);
      const keepsNothing = stateless(m);
      if (handOff !== null && keepsNothing) internalTo(handOff, y);
      handOff = keepsNothing ? y : null;
      x = y;
    }
    return x;
  }
}

/**
 * A list of modules registered as children '0', '1', … (PyTorch's ModuleList): their parameters
 * are the list's, and it has no forward of its own — iterate it in a module's forward.
 */
export class ModuleList<M extends AnyModule = Module> extends ModuleSequence<M> {
  constructor(modules: Iterable<M> = []) {
    super('ModuleList', modules);
  }

  /** The modules in [start, end) as a new ModuleList of the same module objects, renumbered '0', '1', … (PyTorch's `ml[1:3]`). */
  slice(start?: number, end?: number): ModuleList<M> {
    return new ModuleList(this.entriesIn('slice', start, end).map(([, m]) => m));
  }

  forward(): Tensor {
    throw new ValueError('nn.ModuleList', 'has no forward: call its modules in your own forward (for (const layer of this.layers) x = layer.forward(x))');
  }
}

/** Modules by name (PyTorch's ModuleDict): children under their keys, in insertion order; no forward. */
export class ModuleDict<M extends AnyModule = Module> extends Module {
  private readonly byKey = new Map<string, M>();

  protected override get childrenByField(): boolean {
    return false;
  }

  constructor(modules: Record<string, M> | Iterable<[string, M]> = {}) {
    super();
    this.update(modules);
  }

  /**
   * Adds (or replaces in place) every entry of an object, a Map or [key, module] pairs, in their
   * order (PyTorch's ModuleDict.update, which keeps a mapping's order too).
   */
  update(modules: Record<string, M> | Iterable<[string, M]>): this {
    if (modules === null || typeof modules !== 'object')
      throw new ValueError('nn.ModuleDict', `expects an object or entries of modules, got ${fmtValue(modules)}`);
    const entries: unknown[] = Symbol.iterator in modules ? [...(modules as Iterable<unknown>)] : Object.entries(modules);
    for (const e of entries) {
      if (!Array.isArray(e) || e.length !== 2)
        throw new ValueError('nn.ModuleDict', `expects an object or [key, module] entries, got the entry ${fmtValue(e)}`);
      this.set(e[0] as string, e[1] as M);
    }
    return this;
  }

  /** Adds (registers) a module under `key`; an existing key's module is replaced in its place, as PyTorch's `md[key] = m`. */
  set(key: string, m: M): this {
    this.setModule(key, m);
    this.byKey.set(key, m);
    return this;
  }

  /** torch's add_module on a ModuleDict: `set`. */
  override addModule<T extends AnyModule>(name: string, m: T): T {
    this.set(name, m as AnyModule as M);
    return m;
  }

  /** The module under `key`. */
  get(key: string): M {
    const m = this.byKey.get(key);
    if (m === undefined) throw new ValueError('nn.ModuleDict.get', `no module under ${fmtValue(key)} (keys: ${[...this.byKey.keys()].join(', ')})`);
    return m;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Removes the module under `key` and returns it (PyTorch's ModuleDict.pop, `del md[key]`); the others keep their order. */
  pop(key: string): M {
    const m = this.byKey.get(key);
    if (m === undefined) throw new ValueError('nn.ModuleDict.pop', `no module under ${fmtValue(key)} (keys: ${[...this.byKey.keys()].join(', ')})`);
    this.byKey.delete(key);
    this.resetModules([...this.byKey]);
    return m;
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  values(): M[] {
    return [...this.byKey.values()];
  }

  entries(): [string, M][] {
    return [...this.byKey.entries()];
  }

  /** PyTorch's name for entries(). */
  items(): [string, M][] {
    return this.entries();
  }

  /** PyTorch's len(md); also `size`, as a Map's. */
  get length(): number {
    return this.byKey.size;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** [key, module] pairs, as a Map's (and ParameterDict's) iteration. */
  [Symbol.iterator](): Iterator<[string, M]> {
    return this.byKey[Symbol.iterator]();
  }

  forward(): Tensor {
    throw new ValueError('nn.ModuleDict', "has no forward: call its modules in your own forward (this.heads.get('a').forward(x))");
  }
}
