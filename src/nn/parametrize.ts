/**
 * torch.nn.utils.parametrize (PyTorch 1.13): a module's parameter or buffer `name` becomes a
 * function of other tensors. registerParametrization moves the tensor to
 * `module.parametrizations[name]`, a ParametrizationList holding it as `original` (or `original0`,
 * `original1`, … when the first parametrization's rightInverse gives several) and the
 * parametrizations as its children '0', '1', …; `module[name]` then reads
 * parametrizations[k](…parametrizations[0](original)) on every access, with ordinary ops, so the
 * gradients reach the originals through autodiff and a compiled step records them as any forward.
 * Assigning `module[name] = X` runs the rightInverses backwards and stores the result in the
 * originals. The state-dict keys are PyTorch's (`parametrizations.weight.original`,
 * `parametrizations.weight.0._u`), so its state dicts load.
 *
 * PyTorch swaps the module's class for a subclass `Parametrized<Class>` holding a property; here the
 * module's prototype becomes such a subclass (so `String(m)` and error names read
 * `ParametrizedLinear`, and `m instanceof Linear` still holds) and the property is an accessor on
 * the instance, where the module's field of that name was.
 */
import { noGrad } from '../engine/engine.js';
import { Tensor } from '../engine/tensor.js';
import { ValueError, WasmgradError, fmtValue } from '../errors.js';
import { fmtShape, sameShape } from '../ops/types.js';
import { ModuleDict, ModuleList } from './container.js';
import { Module, type AnyModule } from './module.js';

const FN = 'nn.utils.parametrize';

/**
 * What a parametrization's rightInverse throws when it cannot invert (PyTorch's NotImplementedError):
 * registration then keeps the tensor as the original, as PyTorch; an assignment reports it.
 */
export class NotImplementedError extends WasmgradError {}
Object.defineProperty(NotImplementedError.prototype, 'name', { value: 'NotImplementedError', writable: true, configurable: true });

/** A parametrization: a module whose forward gives the tensor, optionally with rightInverse (a tensor, or several for the first one). */
type Parametrization = AnyModule & { rightInverse?: (x: Tensor) => Tensor | Tensor[] };
type Forwarding = (...xs: Tensor[]) => unknown;

/** The registry a tensor of a module lives in, and how to put a tensor there. */
type Kind = 'parameter' | 'buffer';
const kindOf = (m: AnyModule, name: string): Kind | null =>
  m.namedParameters('', false).some(([n]) => n === name) ? 'parameter' : m.namedBuffers('', false).some(([n]) => n === name) ? 'buffer' : null;

/**
 * Registers `t` on `m` as `name`, a parameter or a buffer, with a live field of that name (PyTorch's
 * _register_parameter_or_buffer); a frozen parameter (requiresGrad false) stays frozen.
 */
function registerAs(m: AnyModule, name: string, t: Tensor, kind: Kind): void {
  Object.defineProperty(m, name, { value: t, writable: true, enumerable: true, configurable: true });
  if (kind === 'buffer') {
    m.registerBuffer(name, t);
    return;
  }
  const frozen = !t.requiresGrad;
  m.registerParameter(name, frozen ? t.requiresGrad_(true) : t);
  if (frozen) t.requiresGrad = false;
}

/** A fresh leaf holding x's values (a new original), requiring grad as `like` does. */
const leafOf = (x: Tensor, like: Tensor): Tensor => {
  const t = noGrad(() => x.detach().clone());
  t.requiresGrad = like.requiresGrad && like.isLeaf;
  return t;
};

/** Calls p.rightInverse(x), or gives x back when p has none or it throws NotImplementedError (registration only). */
function tryRightInverse(p: Parametrization, x: Tensor | Tensor[]): Tensor | Tensor[] {
  if (typeof p.rightInverse !== 'function') return x;
  try {
    return p.rightInverse(x as Tensor);
  } catch (e) {
    if (e instanceof NotImplementedError) return x;
    throw e;
  }
}

/** The originals a rightInverse chain gave, checked: one tensor of `like`'s dtype, or a non-empty array of tensors. */
function checkOriginals(fn: string, got: unknown, like: Tensor): Tensor[] {
  if (got instanceof Tensor) {
    if (got.dtype !== like.dtype)
      throw new ValueError(
        fn,
        `when rightInverse returns one tensor, it may not change the dtype: the original is ${like.dtype}, rightInverse gave ${got.dtype}`,
      );
    return [got];
  }
  if (!Array.isArray(got) || got.length === 0) throw new ValueError(fn, `rightInverse must return a Tensor or an array of tensors, got ${fmtValue(got)}`);
  got.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new ValueError(fn, `rightInverse must return a Tensor or an array of tensors, got ${fmtValue(t)} at position ${i}`);
  });
  return got as Tensor[];
}

/** A parametrization's result, checked to be a tensor. */
function asTensor(fn: string, X: unknown): Tensor {
  if (!(X instanceof Tensor)) throw new ValueError(fn, `a parametrization must return a tensor, got ${fmtValue(X)}`);
  return X;
}

/** A parametrization's result, checked: a tensor of the shape and dtype of Y, what it parametrizes. */
function checkResult(fn: string, what: string, result: unknown, Y: Tensor): void {
  const X = asTensor(fn, result);
  if (X.dtype !== Y.dtype)
    throw new ValueError(
      fn,
      `registering a parametrization may not change the dtype of the tensor, unless the unsafe flag is set: ${what} ${Y.dtype}, parametrized ${X.dtype}`,
    );
  if (!sameShape(X.shape, Y.shape))
    throw new ValueError(
      fn,
      `registering a parametrization may not change the shape of the tensor, unless the unsafe flag is set: ${what} ${fmtShape(Y.shape)}, parametrized ${fmtShape(X.shape)}`,
    );
}

/**
 * The parametrizations of one tensor and its originals (PyTorch's ParametrizationList, the type of
 * `module.parametrizations.weight`): the parametrizations are its children '0', '1', … (`.at(0)`),
 * the original tensors its parameters (or buffers, for a parametrized buffer) `original` or
 * `original0`, `original1`, …. Made by registerParametrization, not by hand.
 */
export class ParametrizationList extends ModuleList<AnyModule> {
  /** The unparametrized tensor, when the first parametrization's rightInverse gives one tensor (or it has none). */
  declare original: Tensor;
  /** Whether the originals are one tensor (`original`) rather than several (`original0`, …). */
  readonly isTensor: boolean;
  /** How many originals there are. */
  readonly ntensors: number;
  /** Whether the parametrizations may change the tensor's shape and dtype (not checked then). */
  unsafe: boolean;
  private readonly storedAs: Kind;

  /**
   * @internal The rightInverses run from the last to the first on `original` (without gradient),
   * their result becomes the originals: one tensor is written into `original` itself (the same
   * object, so an optimizer holding it still trains it), several become new tensors. Everything is
   * checked before anything is stored.
   */
  constructor(modules: Parametrization[], original: Tensor, unsafe: boolean, kind: Kind) {
    super(modules);
    const fn = `${FN}.registerParametrization`;
    this.unsafe = unsafe;
    this.storedAs = kind;
    const got = noGrad(() => modules.reduceRight<Tensor | Tensor[]>((x, p) => tryRightInverse(p, x), original));
    const news = checkOriginals(fn, got, original);
    this.isTensor = got instanceof Tensor;
    this.ntensors = news.length;
    if (!unsafe)
      checkResult(
        fn,
        'unparametrized',
        noGrad(() => this.chain(news)),
        original,
      );
    if (this.isTensor) registerAs(this, 'original', this.store(original, news[0]), kind);
    else news.forEach((t, i) => registerAs(this, `original${i}`, leafOf(t, original), kind));
  }

  /** `value` in `target`: copied into it when the shapes agree (the same tensor object), else a new tensor (PyTorch's set_). */
  private store(target: Tensor, value: Tensor): Tensor {
    if (value === target) return target;
    if (sameShape(value.shape, target.shape)) {
      noGrad(() => target.copy_(value));
      return target;
    }
    return leafOf(value, target);
  }

  /** The originals, in order. */
  originals(): Tensor[] {
    return this.isTensor ? [this.original] : Array.from({ length: this.ntensors }, (_, i) => (this as unknown as Record<string, Tensor>)[`original${i}`]);
  }

  /** The parametrizations applied to xs: the first takes every original, each next one the previous result. */
  private chain(xs: Tensor[]): unknown {
    let x = (this.at(0).forward as Forwarding)(...xs);
    for (let i = 1; i < this.length; i++) x = (this.at(i).forward as Forwarding)(x as Tensor);
    return x;
  }

  /** The parametrized tensor, computed from the originals. */
  override forward(): Tensor {
    return asTensor(`${FN}.forward`, this.chain(this.originals()));
  }

  /**
   * Stores `value` as the parametrized tensor: each parametrization's rightInverse from the last to
   * the first (without gradient), the result into the originals (PyTorch's right_inverse, what
   * `module.weight = value` runs). Every parametrization must have a rightInverse.
   */
  rightInverse(value: Tensor): void {
    const fn = `${FN}.rightInverse`;
    if (!(value instanceof Tensor)) throw new ValueError(fn, `expects a Tensor, got ${fmtValue(value)}`);
    const mods = [...this] as Parametrization[];
    const missing = mods.find((p) => typeof p.rightInverse !== 'function');
    if (missing !== undefined) throw new ValueError(fn, `parametrization ${missing.constructor.name} does not implement rightInverse`);
    const got = noGrad(() => mods.reduceRight<Tensor | Tensor[]>((x, p) => p.rightInverse!(x as Tensor), value));
    const olds = this.originals();
    if (this.isTensor !== got instanceof Tensor || (Array.isArray(got) && got.length !== this.ntensors))
      throw new ValueError(fn, `rightInverse must return ${this.isTensor ? 'a tensor' : `an array of ${this.ntensors} tensors`}, got ${fmtValue(got)}`);
    const news = checkOriginals(fn, got, olds[0]);
    news.forEach((t, i) => {
      if (t.dtype !== olds[i].dtype) throw new ValueError(fn, `tensor ${i} returned by rightInverse is ${t.dtype}, the original is ${olds[i].dtype}`);
    });
    news.forEach((t, i) => {
      const name = this.isTensor ? 'original' : `original${i}`;
      const stored = this.store(olds[i], t);
      if (stored !== olds[i]) this.replaceOriginal(name, stored);
    });
  }

  /** The original `name` replaced by `t` in its place (the field `original…` reads the registry, so it follows). */
  private replaceOriginal(name: string, t: Tensor): void {
    if (this.storedAs === 'parameter') this.setParameter(name, t);
    else this.setBuffer(name, t);
  }

  /** @internal Makes `from`'s originals this list's (the same tensor objects, as PyTorch's transfer assigns the Parameters). */
  shareOriginals(from: ParametrizationList): void {
    const fn = `${FN}.transferParametrizationsAndParams`;
    if (from.isTensor !== this.isTensor || from.ntensors !== this.ntensors)
      throw new ValueError(fn, `the source has ${from.ntensors} original(s), the target ${this.ntensors}`);
    from.originals().forEach((t, i) => {
      this.replaceOriginal(this.isTensor ? 'original' : `original${i}`, t);
    });
  }
}

/** `module.parametrizations`: a ModuleDict of ParametrizationList whose entries also read as properties (`.weight`). */
export type ParametrizationDict<K extends string = string> = ModuleDict<ParametrizationList> & Record<K, ParametrizationList>;
/** A module with parametrizations: `m.parametrizations.weight.original`. */
export type Parametrized<M extends AnyModule, K extends string = string> = M & { parametrizations: ParametrizationDict<K> };

/** The class a parametrized module takes: `Parametrized<Name>` extending its own (PyTorch's _inject_new_class), one per class. */
const subclasses = new WeakMap<object, object>();
function parametrizedPrototype(module: AnyModule): object {
  const proto = Object.getPrototypeOf(module) as object;
  let sub = subclasses.get(proto);
  if (sub === undefined) {
    // (typed as a plain class: the subclass adds nothing to its base, forward included)
    const Base = proto.constructor as new () => object;
    const name = `Parametrized${Base.name}`;
    // the computed key names the class
    const cls = { [name]: class extends Base {} }[name];
    sub = cls.prototype as object;
    subclasses.set(proto, sub);
  }
  return sub;
}

const dictOf = (module: AnyModule): ModuleDict<ParametrizationList> | null => {
  const d = (module as { parametrizations?: unknown }).parametrizations;
  return d instanceof ModuleDict ? (d as ModuleDict<ParametrizationList>) : null;
};

/** PyTorch's is_parametrized: whether the module has a parametrization (on `tensorName` if given). */
export function isParametrized(module: AnyModule, tensorName?: string): boolean {
  const d = dictOf(module);
  if (d === null) return false;
  return tensorName === undefined ? d.size > 0 : d.has(tensorName);
}

/** PyTorch's type_before_parametrizations: the module's class before its parametrizations, else its class. */
export function typeBeforeParametrizations(module: AnyModule): abstract new (...args: never[]) => AnyModule {
  const proto = Object.getPrototypeOf(module) as object;
  const own = isParametrized(module) ? (Object.getPrototypeOf(proto) as object) : proto;
  return own.constructor as abstract new (...args: never[]) => AnyModule;
}

// ---- the cache (PyTorch's cached()) -------------------------------------------------------------

let cacheDepth = 0;
const cache = new Map<AnyModule, Map<string, Tensor>>();

/**
 * PyTorch's `with parametrize.cached():` as a function: while fn runs, each parametrized tensor is
 * computed once, at its first access, and that value is reused (a weight read at every step of a
 * recurrent loop, or by tied modules); the values are dropped when the outermost cached() returns.
 * fn must be synchronous (the cache is gone when a returned Promise settles). Returns fn's result.
 */
export function cached<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new ValueError(`${FN}.cached`, `expects a function to run with the cache on, got ${fmtValue(fn)}`);
  cacheDepth++;
  try {
    return fn();
  } finally {
    if (--cacheDepth === 0) cache.clear();
  }
}

/** module[tensorName]'s value: the list's forward, through the cache when one is on. */
function parametrizedValue(module: AnyModule, tensorName: string): Tensor {
  const list = dictOf(module)!.get(tensorName);
  if (cacheDepth === 0) return list.forward();
  const byName = cache.get(module) ?? new Map<string, Tensor>();
  cache.set(module, byName);
  let t = byName.get(tensorName);
  if (t === undefined || !t.storage.alive) {
    t = list.forward();
    byName.set(tensorName, t);
  }
  return t;
}

// ---- registration and removal -----------------------------------------------------------------

export interface RegisterParametrizationOptions {
  /** Allow the parametrization to change the tensor's shape and dtype; nothing is checked then (default false). */
  unsafe?: boolean;
}

/**
 * PyTorch's register_parametrization(module, tensorName, parametrization, unsafe): `module[tensorName]`
 * (a parameter or buffer, or a tensor parametrized already: the new parametrization is chained
 * after the others) reads `parametrization.forward(…)` of the originals from now on. The
 * parametrization takes the module's training mode. Unless unsafe, its forward (and rightInverse)
 * are called once to check that they keep the shape and dtype. The module must hold the tensor in
 * a field of that name (as the library's layers hold `weight` and `bias`), since that field is what
 * its forward reads; a failed call changes nothing. Returns the module.
 */
export function registerParametrization<M extends AnyModule, K extends string>(
  module: M,
  tensorName: K,
  parametrization: AnyModule,
  options: RegisterParametrizationOptions = {},
): Parametrized<M, K> {
  const fn = `${FN}.registerParametrization`;
  if (!(module instanceof Module)) throw new ValueError(fn, `module must be an nn.Module, got ${fmtValue(module)}`);
  if (typeof tensorName !== 'string') throw new ValueError(fn, `tensorName must be a string, got ${fmtValue(tensorName)}`);
  if (!(parametrization instanceof Module)) throw new ValueError(fn, `parametrization must be an nn.Module, got ${fmtValue(parametrization)}`);
  if (options === null || typeof options !== 'object' || Object.keys(options).some((k) => k !== 'unsafe'))
    throw new ValueError(fn, `options must be { unsafe }, got ${fmtValue(options)}`);
  const unsafe = options.unsafe ?? false;
  if (typeof unsafe !== 'boolean') throw new ValueError(fn, `unsafe must be a boolean, got ${fmtValue(unsafe)}`);
  const p = parametrization as Parametrization;
  p.train(module.training);
  const dict = dictOf(module);
  if (dict !== null && dict.has(tensorName)) {
    const list = dict.get(tensorName);
    if (!unsafe)
      noGrad(() => {
        const Y = (module as unknown as Record<string, Tensor>)[tensorName];
        const X = (p.forward as Forwarding)(Y);
        checkResult(fn, `module.${tensorName}`, X, Y);
        const Z = tryRightInverse(p, X as Tensor);
        if (!(Z instanceof Tensor)) throw new ValueError(fn, `parametrization.rightInverse must return a tensor, got ${fmtValue(Z)}`);
        checkResult(fn, `module.${tensorName}`, Z, Y);
      });
    list.append(p);
    list.unsafe ||= unsafe;
    return module as Parametrized<M, K>;
  }
  const kind = kindOf(module, tensorName);
  if (kind === null)
    throw new ValueError(
      fn,
      `${module.constructor.name} does not have a parameter, a buffer, or a parametrized element with name '${tensorName}' (its parameters: ${fmtValue(module.namedParameters('', false).map(([n]) => n))}, buffers: ${fmtValue(module.namedBuffers('', false).map(([n]) => n))})`,
    );
  if (!Object.hasOwn(module, tensorName))
    throw new ValueError(
      fn,
      `${module.constructor.name} keeps '${tensorName}' outside a field of that name, so its forward would not read the parametrized tensor (the recurrent modules' weights, MultiheadAttention's in_proj_weight, BatchNorm's running stats)`,
    );
  const original = (kind === 'parameter' ? module.getParameter(tensorName) : module.getBuffer(tensorName)) as Tensor;
  const list = new ParametrizationList([p], original, unsafe, kind);
  // Nothing has failed: the module changes from here on.
  if (kind === 'parameter') module.takeParameter(tensorName);
  else module.takeBuffer(tensorName);
  let d = dict;
  if (d === null) {
    Object.setPrototypeOf(module, parametrizedPrototype(module));
    d = module.registerModule('parametrizations', new ModuleDict<ParametrizationList>());
    Object.defineProperty(module, 'parametrizations', { value: d, writable: true, enumerable: true, configurable: true });
  }
  d.set(tensorName, list);
  if (!(tensorName in d)) Object.defineProperty(d, tensorName, { get: () => d.get(tensorName), enumerable: true, configurable: true });
  Object.defineProperty(module, tensorName, {
    get: () => parametrizedValue(module, tensorName),
    set: (v: Tensor) => dictOf(module)!.get(tensorName).rightInverse(v),
    enumerable: true,
    configurable: true,
  });
  return module as Parametrized<M, K>;
}

export interface RemoveParametrizationsOptions {
  /** true (default): the tensor keeps its current parametrized value; false: it becomes the original again (one original only). */
  leaveParametrized?: boolean;
}

/**
 * PyTorch's remove_parametrizations(module, tensorName, leaveParametrized): the tensor becomes a
 * plain parameter (or buffer) again, registered after the module's others as PyTorch does, holding
 * its parametrized value (computed once without gradient, written into the original tensor object
 * when there is one original) or, with leaveParametrized false, the original. With its last
 * parametrization gone the module loses `parametrizations` and takes its own class back. Returns the module.
 */
export function removeParametrizations<M extends AnyModule>(module: M, tensorName: string, options: RemoveParametrizationsOptions = {}): M {
  const fn = `${FN}.removeParametrizations`;
  if (!(module instanceof Module)) throw new ValueError(fn, `module must be an nn.Module, got ${fmtValue(module)}`);
  if (options === null || typeof options !== 'object' || Object.keys(options).some((k) => k !== 'leaveParametrized'))
    throw new ValueError(fn, `options must be { leaveParametrized }, got ${fmtValue(options)}`);
  const leave = options.leaveParametrized ?? true;
  if (typeof leave !== 'boolean') throw new ValueError(fn, `leaveParametrized must be a boolean, got ${fmtValue(leave)}`);
  if (!isParametrized(module, tensorName)) throw new ValueError(fn, `${module.constructor.name} does not have a parametrization on ${fmtValue(tensorName)}`);
  const dict = dictOf(module)!;
  const list = dict.get(tensorName);
  if (!list.isTensor && !leave)
    throw new ValueError(fn, 'cannot leave unparametrized (leaveParametrized: false) a tensor that is parametrized in terms of several tensors');
  const kind = list.namedParameters('', false).length > 0 ? 'parameter' : 'buffer';
  const value = leave ? noGrad(() => (module as unknown as Record<string, Tensor>)[tensorName]) : list.original;
  let t: Tensor;
  if (list.isTensor) {
    t = list.original;
    if (value !== t) {
      if (!sameShape(value.shape, t.shape)) t = leafOf(value, t);
      else noGrad(() => t.copy_(value));
    }
  } else t = leafOf(value, list.originals()[0]);
  delete (module as Record<string, unknown>)[tensorName];
  dict.pop(tensorName);
  delete (dict as unknown as Record<string, unknown>)[tensorName];
  cache.get(module)?.delete(tensorName);
  registerAs(module, tensorName, t, list.isTensor ? kind : t.requiresGrad ? 'parameter' : 'buffer');
  if (dict.size === 0) {
    module.takeModule('parametrizations');
    delete (module as { parametrizations?: unknown }).parametrizations;
    Object.setPrototypeOf(module, Object.getPrototypeOf(Object.getPrototypeOf(module)));
  }
  return module;
}

/**
 * PyTorch's transfer_parametrizations_and_params(fromModule, toModule, tensorName?): registers
 * fromModule's parametrizations of `tensorName` (of every parametrized tensor if not given) on
 * toModule too (the same parametrization modules), and makes fromModule's originals toModule's (the
 * same tensors: the two modules share them). A tensor toModule lacks is first registered on it as a
 * parameter holding fromModule's value. Nothing happens when fromModule has no parametrization.
 * Returns toModule.
 */
export function transferParametrizationsAndParams<M extends AnyModule>(fromModule: AnyModule, toModule: M, tensorName?: string): M {
  const fn = `${FN}.transferParametrizationsAndParams`;
  for (const [what, m] of [
    ['fromModule', fromModule],
    ['toModule', toModule],
  ] as const)
    if (!(m instanceof Module)) throw new ValueError(fn, `${what} must be an nn.Module, got ${fmtValue(m)}`);
  const from = dictOf(fromModule);
  if (from === null) return toModule;
  if (tensorName !== undefined && !from.has(tensorName))
    throw new ValueError(fn, `${fromModule.constructor.name} does not have a parametrization on ${fmtValue(tensorName)}`);
  for (const name of tensorName === undefined ? from.keys() : [tensorName]) {
    if (!(name in toModule)) {
      const value = noGrad(() => (fromModule as unknown as Record<string, Tensor>)[name]);
      registerAs(toModule, name, noGrad(() => value.detach().clone()).requiresGrad_(true), 'parameter');
    }
    for (const p of from.get(name)) registerParametrization(toModule, name, p);
    dictOf(toModule)!.get(name).shareOriginals(from.get(name));
  }
  return toModule;
}
