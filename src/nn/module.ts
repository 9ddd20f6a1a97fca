/**
 * The Module base class of wg.nn: a tree of modules owning parameters (trainable leaves) and
 * buffers (persistent state such as BatchNorm's running statistics), with PyTorch's naming
 * ('weight', '0.weight', 'features.3.bias') and state-dict order.
 *
 * Registration is explicit: a subclass calls registerParameter / registerBuffer / registerModule
 * in its constructor (each returns what it registers, so `this.weight = this.registerParameter(...)`
 * reads naturally). Nothing is discovered by scanning properties.
 */
import { getBackend, isGradEnabled, noGrad, setBackend } from '../engine/engine.js';
import { registerHook } from '../engine/backward-hooks.js';
import { checkOptions, isRecord } from '../engine/check.js';
import { clone } from '../api/shape.js';
import { tensor } from '../api/creation.js';
import { CompileError, DTypeError, StateDictError, ValueError, fmtValue } from '../errors.js';
import { targetDtype, type ToTarget } from '../api/torch-names.js';
import { jsState, sink } from '../engine/sink.js';
import { makePersistent } from '../engine/memory.js';
import { fmtShape, sameShape } from '../ops/types.js';
import { Tensor } from '../engine/tensor.js';
import { zeroGrads, type SetToNone } from '../optim/zero-grad.js';
import { isMadeParameter, markParameter } from './parameter.js';

/** A state dict: parameter and buffer names → tensors, in PyTorch's order. */
/** What a module's method names in its errors: nn.<class>.<method>. */
const fnOf = (m: object, method: string) => `nn.${m.constructor.name}.${method}`;

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictOptions {
  /**
   * When true (default), keys the model has but the state dict lacks ("missing") and keys the
   * state dict has but the model lacks ("unexpected") are errors, as PyTorch's strict=True.
   * Shape and dtype mismatches are errors either way.
   */
  strict?: boolean;
}

/** What loadStateDict did (as PyTorch's return value): keys skipped when strict is false. */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** A forward function's type: any arguments, any result (RNNs and attention return arrays, as PyTorch tuples). */
export type Forward = (...args: never[]) => unknown;
/** Any module, whatever its forward takes and returns (the children of a module, ModuleList items). */
export type AnyModule = Module<Forward>;

/** What the register…Hook methods return: remove() unregisters the hook. */
export interface ModuleHookHandle {
  remove(): void;
}
/** fn(module, args) before forward: undefined keeps the arguments, an array replaces them, another value becomes the one argument. */
export type ForwardPreHook = (module: AnyModule, args: unknown[]) => unknown;
/** fn(module, args, output) after forward: undefined keeps the output, anything else replaces it. */
export type ForwardHook = (module: AnyModule, args: unknown[], output: unknown) => unknown;
/**
 * fn(module, gradInput, gradOutput) during backward, once the gradient w.r.t. the module's input is
 * known: gradInput has one entry per forward argument (null where it is not a tensor that requires
 * grad), gradOutput one for the output. Undefined keeps gradInput, an array replaces it.
 */
export type FullBackwardHook = (module: AnyModule, gradInput: (Tensor | null)[], gradOutput: Tensor[]) => (Tensor | null)[] | undefined | void;

/** fn(entries, prefix) before a state dict loads: may rename entries of the loaded copy, this module's keys starting with `prefix`. */
export type LoadStateDictPreHook = (entries: Map<string, unknown>, prefix: string) => void;

/** A module that sizes itself from a state dict being loaded, its keys starting with `prefix` (the lazy modules, src/nn/lazy.ts). */
interface SizedByLoad {
  materializeForLoad?(got: ReadonlyMap<string, unknown>, prefix: string): void;
}

/**
 * F is the type of forward; the default, x → Tensor, is what Sequential chains and fit trains.
 * Modules with other signatures say theirs: `class MultiheadAttention extends Module<(q, k, v, opts?) => [Tensor, Tensor | null]>`.
 */
export abstract class Module<F extends Forward = (x: Tensor) => Tensor> {
  /** Training mode (true after construction); switched recursively by train() and eval(). */
  training = true;
  private readonly _parameters = new Map<string, Tensor>();
  private readonly _buffers = new Map<string, Tensor>();
  /** Buffers registered with persistent false: not in the state dict (PyTorch's _non_persistent_buffers_set). */
  private readonly _nonPersistent = new Set<string>();
  private readonly _modules = new Map<string, AnyModule>();
  private readonly _forwardPreHooks: ForwardPreHook[] = [];
  private readonly _forwardHooks: ForwardHook[] = [];
  private readonly _backwardHooks: FullBackwardHook[] = [];
  private readonly _loadPreHooks: LoadStateDictPreHook[] = [];
  /** The instance's own forward before hooks wrapped it (null: the class's). */
  private _ownForward: PropertyDescriptor | null = null;

  /**
   * The module is seen through a proxy that registers what PyTorch's Module.__setattr__ does: a
   * field set to a module (`this.fc = new nn.Linear(2, 3)`, or a class field) registers it as a
   * child of that name, one set to a tensor made by nn.Parameter registers it as a parameter. An
   * explicit `this.fc = this.registerModule('fc', …)` assigns a child already registered: nothing
   * more happens. Only data properties pass here (every assignment and class field defines one);
   * the live fields of registered tensors are accessors, which check what they are set to.
   * `delete m.fc` unregisters what the field names, as PyTorch's __delattr__; deleting a plain
   * field is a plain delete.
   */
  constructor() {
    return asModule(this);
  }

  /** Computes the module's output. */
  abstract forward(...args: Parameters<F>): ReturnType<F>;

  /** @internal adoptField's registration of a field's new value (see the constructor). */
  adopt(name: string, v: unknown): void {
    if (v instanceof Module) {
      if (holds(this._modules, v)) return;
      if (!this.childrenByField)
        throw new ValueError(
          fnOf(this, name),
          `a container's children are set by its methods (append, insert, set, …), not by assigning a field, got ${fmtValue(v)}`,
        );
      this.setModule(name, v);
    } else if (isMadeParameter(v) && !holds(this._parameters, v)) this.setParameter(name, v);
  }

  /**
   * @internal dropField's unregistration: the parameter, buffer or child module `name` leaves the
   * module, as PyTorch's Module.__delattr__ (`del m.fc`). A name registered nowhere is a no-op.
   */
  forget(name: string): void {
    if (this._parameters.delete(name) || this._modules.delete(name)) return;
    if (this._buffers.delete(name)) this._nonPersistent.delete(name);
  }

  /** Whether a field set to a module registers it (false for the containers, whose methods keep their lists). */
  protected get childrenByField(): boolean {
    return true;
  }

  // ---- registration ------------------------------------------------------------------------

  private checkName(kind: string, name: string): void {
    if (typeof name !== 'string' || name === '' || name.includes('.') || name === '__proto__')
      throw new ValueError(fnOf(this, kind), `a name must be a non-empty string without '.', got ${fmtValue(name)}`);
    if (this._parameters.has(name) || this._buffers.has(name) || this._modules.has(name))
      throw new ValueError(fnOf(this, kind), `'${name}' is already registered`);
  }

  private checkTensor(kind: string, name: string, t: Tensor): void {
    if (!(t instanceof Tensor)) throw new ValueError(fnOf(this, kind), `'${name}' must be a Tensor, got ${fmtValue(t)}`);
    t.assertAlive(fnOf(this, kind));
  }

  /**
   * Registers a trainable parameter: a persistent float32 leaf tensor that requires grad.
   * Parameters appear in parameters(), namedParameters() and stateDict().
   */
  registerParameter(name: string, t: Tensor): Tensor {
    if (this._parameters.get(name) === t) return t; // already adopted from its field
    this.checkName('registerParameter', name);
    this.checkParameter('registerParameter', name, t);
    this._parameters.set(name, t);
    markParameter(t);
    this.liveField(name, this._parameters, (v) => {
      this.checkParameter(name, name, v);
      markParameter(v);
    });
    return t;
  }

  /**
   * Registers `t` as the parameter `name`, replacing the parameter of that name if there is one
   * (keeping its place in the order, as PyTorch's ParameterDict `pd[key] = p`).
   */
  protected setParameter(name: string, t: Tensor): Tensor {
    if (!this._parameters.has(name)) return this.registerParameter(name, t);
    this.checkParameter('registerParameter', name, t);
    this._parameters.set(name, t);
    markParameter(t);
    return t;
  }

  private checkParameter(kind: string, name: string, t: Tensor): void {
    this.checkTensor(kind, name, t);
    // a frozen nn.Parameter (requiresGrad false) registers as PyTorch's
    if (!t.isLeaf || !(t.requiresGrad || isMadeParameter(t)) || t.dtype !== 'float32')
      throw new ValueError(
        fnOf(this, kind),
        `'${name}' must be a float32 leaf tensor with requiresGrad, got ${fmtValue(t)}${t.requiresGrad ? '' : ' without requiresGrad'}${t.isLeaf ? '' : ` computed by '${t.node!.op.name}'`}`,
      );
  }

  /**
   * A field of the registered name (Linear's `weight`, …) becomes a view of the registry: assigning
   * it registers the new tensor, as PyTorch's Module.__setattr__ does, so `lm.weight = emb.weight`
   * ties the two (one parameter, two state-dict names). Names without such a field
   * (`in_proj_weight`, `weight_ih_l0`, which modules keep under other fields) are left alone.
   * A child module gets the field where the module has no property of its name instead
   * (`absent`: `m.addModule('fc', …)` then `m.fc`, as PyTorch's __getattr__; `seq[0]`).
   */
  private liveField<T>(name: string, registry: Map<string, T>, check: (t: T) => void, absent = false): void {
    const own = Object.hasOwn(this, name);
    if (absent ? name in this : !own) return;
    Object.defineProperty(this, name, {
      get: () => registry.get(name),
      set: (t: T) => {
        check(t);
        registry.set(name, t);
      },
      enumerable: own,
      configurable: true,
    });
  }

  /**
   * Registers a buffer: state not trained (e.g. running_mean), saved in stateDict() unless
   * `persistent` is false (PyTorch's register_buffer(name, t, persistent=False): a causal mask or a
   * table derived from the config, listed by namedBuffers but neither saved nor loaded). Its
   * storage becomes persistent either way (kernels update it in place and compiled programs keep
   * its address); a parameter, a leaf that requires grad, already is.
   */
  registerBuffer(name: string, t: Tensor, persistentArg: boolean | { persistent?: boolean } = true): Tensor {
    this.checkName('registerBuffer', name);
    this.checkTensor('registerBuffer', name, t);
    // torch's keyword form register_buffer(name, t, persistent=False): { persistent: false }
    const persistent = isRecord(persistentArg)
      ? (checkOptions<{ persistent?: boolean }>(fnOf(this, 'registerBuffer'), persistentArg, ['persistent']).persistent ?? true)
      : persistentArg;
    if (typeof persistent !== 'boolean') throw new ValueError(fnOf(this, 'registerBuffer'), `persistent must be a boolean, got ${fmtValue(persistent)}`);
    if (!persistent) this._nonPersistent.add(name);
    makePersistent(t.storage, fnOf(this, 'registerBuffer'));
    this._buffers.set(name, t);
    this.liveField(name, this._buffers, (v) => {
      this.checkTensor(name, name, v);
      makePersistent(v.storage, fnOf(this, name));
    });
    return t;
  }

  /**
   * Sets the buffer `name` to `t`, in the place of the buffer of that name or registered anew; null
   * removes it (PyTorch's `module.name = None` for a buffer: it leaves the state dict).
   */
  protected setBuffer(name: string, t: Tensor | null): void {
    if (t === null) this._buffers.delete(name);
    else if (!this._buffers.has(name)) this.registerBuffer(name, t);
    else {
      this.checkTensor('registerBuffer', name, t);
      makePersistent(t.storage, fnOf(this, 'registerBuffer'));
      this._buffers.set(name, t);
    }
  }

  /**
   * @internal Removes the parameter `name` from the registry and returns it (PyTorch's
   * `del module._parameters[name]`); a field of that name becomes a plain property holding it.
   * weightNorm and spectralNorm (src/nn/reparam.ts) put other tensors in its place.
   */
  takeParameter(name: string): Tensor {
    return this.take('takeParameter', this._parameters, name);
  }

  /** @internal The same for a buffer. */
  takeBuffer(name: string): Tensor {
    this._nonPersistent.delete(name);
    return this.take('takeBuffer', this._buffers, name);
  }

  private take(kind: string, registry: Map<string, Tensor>, name: string): Tensor {
    const t = registry.get(name);
    if (t === undefined) throw new ValueError(fnOf(this, kind), `no '${name}' is registered`);
    registry.delete(name);
    // a plain field now: not adopted again (it may be an nn.Parameter)
    adoptPaused = true;
    try {
      if (Object.hasOwn(this, name)) Object.defineProperty(this, name, { value: t, writable: true, enumerable: true, configurable: true });
    } finally {
      adoptPaused = false;
    }
    return t;
  }

  /**
   * @internal Removes the child module `name` and returns it (PyTorch's `del module._modules[name]`):
   * nn.utils.parametrize drops the module's `parametrizations` with its last parametrization.
   */
  takeModule(name: string): AnyModule {
    const m = this._modules.get(name);
    if (m === undefined) throw new ValueError(fnOf(this, 'takeModule'), `no module '${name}' is registered`);
    this._modules.delete(name);
    return m;
  }

  /** Registers a child module; its parameters and buffers get the prefix `name.`. */
  registerModule<M extends AnyModule>(name: string, m: M): M {
    if (this._modules.get(name) === m) return m; // already adopted from its field (`this.fc = m` first)
    this.checkName('registerModule', name);
    this.putModule(name, m);
    this.moduleField(name);
    return m;
  }

  /**
   * Registers `m` as the child `name`, replacing the child module of that name if there is one
   * (keeping its place in the order, as PyTorch's add_module and ModuleDict's `md[key] = m`).
   */
  protected setModule<M extends AnyModule>(name: string, m: M): M {
    return this._modules.has(name) ? this.putModule(name, m) : this.registerModule(name, m);
  }

  /**
   * Replaces all child modules by `entries`, in their order: the containers' renumbering after a
   * deletion or an insertion (PyTorch's `_modules` rebuilt). Every entry is checked first, so a
   * bad one changes nothing.
   */
  protected resetModules(entries: readonly (readonly [string, AnyModule])[]): void {
    for (const [name, m] of entries) this.checkModule(name, m);
    this._modules.clear();
    for (const [name, m] of entries) {
      this._modules.set(name, m);
      this.moduleField(name);
    }
  }

  /** A child's field where the module has no property of its name (`m.fc` after addModule, `seq[0]`): setting it adopts the module. */
  private moduleField(name: string): void {
    this.liveField(
      name,
      this._modules,
      (v) => {
        this.checkModule(name, v);
        this.adopt(name, v);
      },
      true,
    );
  }

  private checkModule(name: string, m: unknown): void {
    if (!(m instanceof Module)) throw new ValueError(fnOf(this, 'registerModule'), `'${name}' must be a Module, got ${fmtValue(m)}`);
  }

  private putModule<M extends AnyModule>(name: string, m: M): M {
    this.checkModule(name, m);
    this._modules.set(name, m);
    return m;
  }

  // ---- traversal ---------------------------------------------------------------------------

  /**
   * The direct children as [name, module] pairs, in registration order; a module registered under
   * several names comes once, under its first (PyTorch's named_children).
   */
  namedChildren(): [string, AnyModule][] {
    const seen = new Set<AnyModule>();
    return [...this._modules].filter(([, m]) => !seen.has(m) && seen.add(m));
  }

  /** The direct children, in registration order, each module once. */
  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module and every descendant (depth first, pre-order) with dotted names; this one is
   * `prefix` (''). A module reachable by several paths comes once, under its first, unless
   * removeDuplicate is false (PyTorch's named_modules(prefix, remove_duplicate)).
   */
  namedModules(prefix = '', removeDuplicate = true): [string, AnyModule][] {
    const seen = new Set<AnyModule>();
    const out: [string, AnyModule][] = [];
    const walk = (m: AnyModule, path: string) => {
      if (removeDuplicate && seen.has(m)) return;
      seen.add(m);
      out.push([path, m]);
      for (const [name, c] of m._modules) walk(c, path === '' ? name : `${path}.${name}`);
    };
    walk(this as AnyModule, prefix);
    return out;
  }

  /** This module and every descendant (depth first, pre-order). */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Calls fn on every descendant, children before their parent, then on this module (PyTorch's apply); returns this. */
  apply(fn: (m: AnyModule) => void): this {
    if (typeof fn !== 'function') throw new ValueError(fnOf(this, 'apply'), `expects a function of a module, got ${fmtValue(fn)}`);
    for (const m of this.children()) m.apply(fn);
    fn(this as AnyModule);
    return this;
  }

  /** The descendant at a dotted path ('encoder.layers.0'; '' is this module), or a ValueError naming the missing part. */
  getSubmodule(target: string): AnyModule {
    if (typeof target !== 'string') throw new ValueError(fnOf(this, 'getSubmodule'), `target must be a dotted name, got ${fmtValue(target)}`);
    let m: AnyModule = this as AnyModule;
    if (target === '') return m;
    for (const part of target.split('.')) {
      const next = m._modules.get(part);
      if (next === undefined)
        throw new ValueError(
          fnOf(this, 'getSubmodule'),
          `${m.constructor.name} has no submodule '${part}' (of '${target}'); it has ${fmtValue([...m._modules.keys()])}`,
        );
      m = next;
    }
    return m;
  }

  /** The parameter at a dotted path ('0.weight'), or a ValueError. */
  getParameter(target: string): Tensor {
    return this.dotted('getParameter', 'parameter', target);
  }

  /** The buffer at a dotted path ('1.running_mean'), or a ValueError (PyTorch's get_buffer). */
  getBuffer(target: string): Tensor {
    return this.dotted('getBuffer', 'buffer', target);
  }

  private dotted(method: string, kind: 'parameter' | 'buffer', target: string): Tensor {
    const fn = fnOf(this, method);
    if (typeof target !== 'string') throw new ValueError(fn, `target must be a dotted name, got ${fmtValue(target)}`);
    const cut = target.lastIndexOf('.');
    const owner = this.getSubmodule(cut < 0 ? '' : target.slice(0, cut));
    const t = (kind === 'parameter' ? owner._parameters : owner._buffers).get(target.slice(cut + 1));
    if (t === undefined) throw new ValueError(fn, `${owner.constructor.name} has no ${kind} '${target.slice(cut + 1)}' (of '${target}')`);
    return t;
  }

  /**
   * PyTorch's module.to(device or dtype): the module itself. wasmgrad computes on the CPU in
   * float32, so 'cpu', 'float32' and { device: 'cpu', dtype: 'float32' } change nothing; another
   * device is a ValueError, int32 a DTypeError (parameters stay float32).
   */
  to(target: ToTarget): this {
    const fn = fnOf(this, 'to');
    if (targetDtype(fn, target) === 'int32') throw new DTypeError(fn, "a module's parameters are float32: it moves to 'float32' or 'cpu' only");
    return this;
  }

  /** The module itself: wasmgrad computes on the CPU (PyTorch's module.cpu()). */
  cpu(): this {
    return this;
  }

  /** The module itself: its parameters are float32 already (PyTorch's module.float()). */
  float(): this {
    return this;
  }

  /** PyTorch's module.double() and half(): a DTypeError, wasmgrad's parameters are float32 only. */
  double(): never {
    return this.float32Only('double');
  }
  half(): never {
    return this.float32Only('half');
  }
  private float32Only(method: string): never {
    throw new DTypeError(fnOf(this, method), "a module's parameters are float32 (wasmgrad has no float64 or float16 tensors): drop the call");
  }

  /**
   * PyTorch's add_module: registers a child module, or replaces the child of that name in its place
   * in the order (torch assigns `_modules[name]`), which registerModule refuses.
   */
  addModule<M extends AnyModule>(name: string, m: M): M {
    return this._modules.has(name) ? this.putModule(name, m) : this.registerModule(name, m);
  }

  /**
   * Every parameter with its dotted name: a module's own parameters first, then its children's,
   * in registration order (PyTorch's named_parameters). A tensor registered twice (shared
   * weights) is listed once, under its first name. PyTorch's prefix (put before every name) and
   * recurse (false: this module's own parameters only).
   */
  namedParameters(prefix = '', recurse = true): [string, Tensor][] {
    return this.namedTensors('namedParameters', (m) => m._parameters, prefix, recurse);
  }

  /** The distinct parameters, in the order of namedParameters() (what an optimizer takes); recurse false: this module's own. */
  parameters(recurse = true): Tensor[] {
    return this.namedParameters('', recurse).map(([, t]) => t);
  }

  /**
   * The number of parameter elements (shared tensors once), as `sum(p.numel() for p in
   * model.parameters())`; with `trainableOnly`, only those that require grad.
   */
  numParameters(trainableOnly = false): number {
    if (typeof trainableOnly !== 'boolean')
      throw new ValueError(fnOf(this, 'numParameters'), `trainableOnly must be a boolean, got ${fmtValue(trainableOnly)}`);
    return this.parameters().reduce((n, p) => n + (trainableOnly && !p.requiresGrad ? 0 : p.size), 0);
  }

  /** Every buffer with its dotted name, own buffers before the children's (PyTorch's named_buffers, with its prefix and recurse). */
  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    return this.namedTensors('namedBuffers', (m) => m._buffers, prefix, recurse);
  }

  /** The distinct buffers, in the order of namedBuffers(); recurse false: this module's own. */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, t]) => t);
  }

  /**
   * One registry (parameters or buffers) of every module (of this one only unless recurse), dotted
   * names after `prefix`, a shared tensor once under its first name.
   */
  private namedTensors(fn: string, registry: (m: AnyModule) => Map<string, Tensor>, prefix: string, recurse: boolean): [string, Tensor][] {
    if (typeof prefix !== 'string') throw new ValueError(fnOf(this, fn), `prefix must be a string, got ${fmtValue(prefix)}`);
    if (typeof recurse !== 'boolean') throw new ValueError(fnOf(this, fn), `recurse must be a boolean, got ${fmtValue(recurse)}`);
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    const modules: [string, AnyModule][] = recurse ? this.namedModules(prefix) : [[prefix, this as AnyModule]];
    for (const [path, m] of modules)
      for (const [name, t] of registry(m)) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([path === '' ? name : `${path}.${name}`, t]);
      }
    return out;
  }

  /**
   * The model's state: { name: Tensor } holding the live parameter and buffer tensors (not
   * copies). Order as PyTorch's state_dict: per module its parameters, then its buffers (not
   * those registered with persistent false), then each child's entries under its prefix; e.g. a
   * BatchNorm gives weight, bias, running_mean, running_var, num_batches_tracked. Shared tensors
   * appear under every name (as in PyTorch).
   */
  stateDict(): StateDict {
    const sd: StateDict = {};
    const walk = (m: AnyModule, prefix: string) => {
      for (const [name, t] of m._parameters) sd[prefix + name] = t;
      for (const [name, t] of m._buffers) if (!m._nonPersistent.has(name)) sd[prefix + name] = t;
      for (const [name, c] of m._modules) walk(c, `${prefix}${name}.`);
    };
    walk(this, '');
    return sd;
  }

  /**
   * Values for this module's own state-dict entries (local names) that a loaded state dict may
   * lack: loadStateDict writes them instead of reporting the key missing. BatchNorm's
   * num_batches_tracked is 0, as PyTorch fills it in for state dicts saved without it.
   */
  defaultsForMissingState(): Record<string, number> {
    return {};
  }

  /**
   * Copies the values of a state dict (plain object or Map of name → Tensor) into this model's
   * parameters and buffers, in place (the tensors an optimizer holds stay the same objects).
   * Everything is validated first: missing and unexpected keys (when strict), non-tensors,
   * disposed tensors, shape and dtype mismatches are reported together in one StateDictError, and
   * then nothing has been modified. Tensors may come from the other backend.
   */
  loadStateDict(sd: StateDict | Map<string, Tensor>, opts: LoadStateDictOptions | boolean = {}): LoadStateDictResult {
    // torch's positional form load_state_dict(sd, strict): a boolean is `strict`
    const { result, commit } = this.planLoadStateDict(sd, typeof opts === 'boolean' ? { strict: opts } : opts);
    commit();
    return result;
  }

  /**
   * @internal loadStateDict in two phases: validates everything and returns the copy to run (so a
   * checkpoint can validate every part before any of them changes). `fn` is the function the user
   * called, `what` names the state in the message ("the checkpoint's model state").
   */
  planLoadStateDict(
    sd: StateDict | Map<string, Tensor>,
    opts: LoadStateDictOptions = {},
    fn = fnOf(this, 'loadStateDict'),
    what = 'the state dict',
  ): { result: LoadStateDictResult; commit: () => void } {
    const strict = opts.strict ?? true;
    if (sd === null || typeof sd !== 'object' || Array.isArray(sd) || sd instanceof Tensor)
      throw new ValueError(fn, `expected a state dict (an object or Map of name → Tensor), got ${fmtValue(sd)}`);
    const got = new Map<string, unknown>(sd instanceof Map ? [...sd] : Object.entries(sd));
    for (const [prefix, m] of this.namedModules('', false)) for (const h of m._loadPreHooks) h(got, prefix === '' ? '' : `${prefix}.`);
    for (const [prefix, m] of this.namedModules('', false)) (m as SizedByLoad).materializeForLoad?.(got, prefix === '' ? '' : `${prefix}.`);
    const want = this.stateDict();
    // Entries a module fills in when a state dict lacks them (PyTorch's _load_from_state_dict for
    // state dicts without its version metadata, as every safetensors file is): not missing.
    const filled = new Map<string, number>();
    // every path, as the state dict names a shared module's entries under each of them
    for (const [prefix, m] of this.namedModules('', false))
      for (const [name, v] of Object.entries(m.defaultsForMissingState())) {
        const key = prefix === '' ? name : `${prefix}.${name}`;
        if (!got.has(key)) filled.set(key, v);
      }
    const missingKeys = Object.keys(want).filter((k) => !got.has(k) && !filled.has(k));
    const wantKeys = new Set(Object.keys(want));
    const unexpectedKeys = [...got.keys()].filter((k) => !wantKeys.has(k));
    const problems: string[] = [];
    if (strict && missingKeys.length > 0) problems.push(`missing key(s): ${missingKeys.map((k) => `'${k}'`).join(', ')}`);
    if (strict && unexpectedKeys.length > 0) problems.push(`unexpected key(s): ${unexpectedKeys.map((k) => `'${k}'`).join(', ')}`);
    const copies: [Tensor, Tensor][] = [];
    for (const [k, target] of Object.entries(want)) {
      if (!got.has(k)) continue;
      const src = got.get(k);
      if (!(src instanceof Tensor)) {
        problems.push(`'${k}' is not a Tensor (got ${fmtValue(src)})`);
        continue;
      }
      if (!src.storage.alive) {
        problems.push(`'${k}' is a freed tensor (made by '${src.storage.label}' in step ${src.storage.born}, then disposed)`);
        continue;
      }
      let ok = true;
      if (!sameShape(src.shape, target.shape)) {
        problems.push(`size mismatch for '${k}': the loaded tensor has shape ${fmtShape(src.shape)}, the model's is ${fmtShape(target.shape)}`);
        ok = false;
      }
      if (src.dtype !== target.dtype) {
        problems.push(`dtype mismatch for '${k}': the loaded tensor is ${src.dtype}, the model's is ${target.dtype}`);
        ok = false;
      }
      if (ok) copies.push([target, src]);
    }
    if (problems.length > 0) throw new StateDictError(fn, `${what} does not match the model (nothing was loaded):\n  ${problems.join('\n  ')}`);
    // Values on the other backend are brought over now: the commit allocates nothing, so it cannot
    // fail halfway (out of memory) and leave the model partly loaded.
    const sources = copies.map(([target, src]) => [target, src.storage.backend === target.storage.backend ? src : onBackendOf(target, src)] as const);
    const commit = () =>
      noGrad(() => {
        for (const [target, src] of sources) if (src.storage !== target.storage) target.copy_(src);
        for (const [k, v] of filled) want[k].copy_(v);
      });
    return { result: { missingKeys, unexpectedKeys }, commit };
  }

  // ---- modes and gradients -----------------------------------------------------------------

  /** Sets training mode on this module and all descendants (Dropout, BatchNorm behave differently). */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new ValueError(fnOf(this, 'train'), `mode must be a boolean, got ${fmtValue(mode)}`);
    let changed = false;
    for (const m of this.modules()) {
      changed ||= m.training !== mode;
      m.training = mode;
    }
    if (changed) jsState.version++; // compiled functions re-run their JS at their next call
    return this;
  }

  /** Evaluation mode: train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Sets requiresGrad on every parameter (false freezes them: no gradient, optimizers skip them); returns this. */
  requiresGrad_(requiresGrad = true): this {
    if (typeof requiresGrad !== 'boolean') throw new ValueError(fnOf(this, 'requiresGrad_'), `expects a boolean, got ${fmtValue(requiresGrad)}`);
    let changed = false;
    for (const p of this.parameters()) {
      changed ||= p.requiresGrad !== requiresGrad;
      p.requiresGrad = requiresGrad;
    }
    if (changed) jsState.version++; // compiled functions re-run their JS at their next call
    return this;
  }

  /** Clears every parameter's gradient: sets it to null (setToNone, PyTorch ≥ 2.0's default) or fills it with zeros (PyTorch 1.13's default). */
  zeroGrad(setToNone: SetToNone = true): void {
    zeroGrads(fnOf(this, 'zeroGrad'), this.parameters(), setToNone);
  }

  // ---- hooks -------------------------------------------------------------------------------

  /**
   * @internal PyTorch's _register_load_state_dict_pre_hook: fn(entries, prefix) runs at every
   * loadStateDict reaching this module, before anything is checked, on the loaded state dict's copy
   * (the caller's object is untouched): parametrizations.weightNorm renames the hook form's old keys.
   */
  registerLoadStateDictPreHook(fn: LoadStateDictPreHook): ModuleHookHandle {
    if (typeof fn !== 'function') throw new ValueError(fnOf(this, 'registerLoadStateDictPreHook'), `expects a function, got ${fmtValue(fn)}`);
    this._loadPreHooks.push(fn);
    return {
      remove: () => {
        const i = this._loadPreHooks.indexOf(fn);
        if (i >= 0) this._loadPreHooks.splice(i, 1);
      },
    };
  }

  /**
   * PyTorch's register_forward_pre_hook: fn(module, args) runs before every forward call, also
   * when a parent calls this module, and may return replacement arguments.
   */
  registerForwardPreHook(fn: ForwardPreHook): ModuleHookHandle {
    return this.addHook('registerForwardPreHook', this._forwardPreHooks, fn);
  }

  /**
   * PyTorch's register_forward_hook: fn(module, args, output) runs after every forward call, also
   * when a parent calls this module, and may return a replacement output.
   */
  registerForwardHook(fn: ForwardHook): ModuleHookHandle {
    return this.addHook('registerForwardHook', this._forwardHooks, fn);
  }

  /**
   * PyTorch's register_full_backward_hook, for a forward that takes at most one tensor requiring
   * grad and returns one Tensor (Linear, Conv, activations, norms, Sequential; other calls are a
   * ValueError when they run): PyTorch isolates the gradient w.r.t. several inputs with one node over
   * all of them, which the op table has no counterpart for. The input goes through a clone (an
   * identity op), whose gradient is the module's alone; eager only (tensor hooks).
   */
  registerFullBackwardHook(fn: FullBackwardHook): ModuleHookHandle {
    return this.addHook('registerFullBackwardHook', this._backwardHooks, fn);
  }

  /**
   * Containers and layers call their children's `forward` directly, so a hooked module gets an own
   * `forward` property that runs its hooks around its class's forward: every caller goes through
   * it, no module needs to know. It is removed with the last hook.
   */
  private addHook<H>(kind: string, list: H[], fn: H): ModuleHookHandle {
    if (typeof fn !== 'function') throw new ValueError(fnOf(this, kind), `expects a function, got ${fmtValue(fn)}`);
    list.push(fn);
    if (this.hookCount() === 1) {
      // A forward the user set on the instance is wrapped too, and shows again with the last hook gone.
      this._ownForward = Object.getOwnPropertyDescriptor(this, 'forward') ?? null;
      const inner = this.forward;
      Object.defineProperty(this, 'forward', {
        configurable: true,
        writable: true,
        value: (...args: unknown[]) => this.runHooked(inner, args),
      });
    }
    let removed = false;
    return {
      remove: () => {
        if (removed) return;
        removed = true;
        list.splice(list.lastIndexOf(fn), 1); // a function registered twice: each handle removes one
        if (this.hookCount() > 0) return;
        if (this._ownForward === null) delete (this as { forward?: unknown }).forward;
        else Object.defineProperty(this, 'forward', this._ownForward);
      },
    };
  }

  private runHooked(inner: (...args: never[]) => unknown, args: unknown[]): unknown {
    // Hooks are JavaScript around the ops: a compiled step re-runs its JavaScript every call so
    // that they run every call, as in eager mode.
    if (this._backwardHooks.length > 0 && sink.mode !== 'off')
      throw new CompileError(
        fnOf(this, 'registerFullBackwardHook'),
        'a backward hook is JavaScript inside the backward pass, which a compiled step runs as one WebAssembly call: remove it, or call the step without wg.compile',
      );
    if (sink.mode !== 'off') sink.slow(`nn.${this.constructor.name} has forward hooks (JavaScript that runs on every call)`);
    for (const h of [...this._forwardPreHooks]) {
      const r = h(this as AnyModule, args);
      if (r !== undefined) args = Array.isArray(r) ? r : [r];
    }
    const isolated = this._backwardHooks.length > 0 && isGradEnabled() ? this.isolateInput(args) : null;
    let out = inner.apply(this, args as never[]);
    if (isolated !== null) this.hookBackward(args, isolated, out);
    for (const h of [...this._forwardHooks]) {
      const r = h(this as AnyModule, args, out);
      if (r !== undefined) out = r;
    }
    return out;
  }

  private hookCount(): number {
    return this._forwardPreHooks.length + this._forwardHooks.length + this._backwardHooks.length;
  }

  /** Replaces the one argument that requires grad by its clone (in `args`); returns its index, -1 if none. */
  private isolateInput(args: unknown[]): number {
    const fn = fnOf(this, 'registerFullBackwardHook');
    const k = args.map((a, i) => (a instanceof Tensor && a.requiresGrad ? i : -1)).filter((i) => i >= 0);
    if (k.length > 1)
      throw new ValueError(fn, `supports a forward with at most one tensor that requires grad, this call passes ${k.length} (arguments ${k.join(', ')})`);
    if (k.length === 1) args[k[0]] = clone(args[k[0]] as Tensor);
    return k[0] ?? -1;
  }

  /** Hooks the output's and the isolated input's gradients so that the backward hooks see both. */
  private hookBackward(args: unknown[], k: number, out: unknown): void {
    const fn = fnOf(this, 'registerFullBackwardHook');
    if (!(out instanceof Tensor)) throw new ValueError(fn, `supports a forward that returns one Tensor, this one returned ${fmtValue(out)}`);
    if (!out.requiresGrad) return;
    let gradOutput: Tensor[] = [];
    const run = (gradInput: (Tensor | null)[]) => {
      for (const h of [...this._backwardHooks]) {
        const r = h(this as AnyModule, gradInput, gradOutput);
        if (r === undefined) continue;
        if (!Array.isArray(r) || r.length !== args.length)
          throw new ValueError(fn, `a hook must return undefined or an array of ${args.length} gradient(s) (one per forward argument), got ${fmtValue(r)}`);
        gradInput = r;
      }
      return gradInput;
    };
    const none = () => args.map(() => null);
    registerHook(out, (g) => {
      gradOutput = [g];
      if (k < 0) run(none());
    });
    if (k >= 0)
      registerHook(args[k] as Tensor, (g) => {
        const gradInput = none() as (Tensor | null)[];
        gradInput[k] = g;
        return run(gradInput)[k] ?? undefined;
      });
  }

  // ---- printing ----------------------------------------------------------------------------

  /** The module's settings for toString(), e.g. 'in_features=4, out_features=2, bias=true'. */
  extraRepr(): string {
    return '';
  }

  /**
   * A PyTorch-like description of the module tree, laid out as PyTorch's repr: a one-line extraRepr
   * without children stays on the head's line, otherwise every line (the settings first) is indented
   * under it.
   */
  toString(): string {
    // every registered name, a shared module under each (PyTorch's repr walks _modules)
    const kids = [...this._modules].map(([name, m]) => `(${name}): ${m.toString().split('\n').join('\n  ')}`);
    const extra = this.extraRepr();
    const extraLines = extra === '' ? [] : extra.split('\n');
    const head = `${this.constructor.name}(`;
    if (kids.length === 0 && extraLines.length <= 1) return `${head}${extra})`;
    return `${head}\n  ${[...extraLines, ...kids].join('\n  ')}\n)`;
  }
}

/** A transient copy of src made on target's backend (for loading across backends). */
function onBackendOf(target: Tensor, src: Tensor): Tensor {
  const prev = getBackend();
  setBackend(target.storage.backend.name);
  try {
    return tensor(src.rawValues(), { shape: src.shape, dtype: src.dtype });
  } finally {
    setBackend(prev);
  }
}

/** Whether `v` is registered under some name (a module or parameter kept under another field name is not registered again). */
function holds<V>(registry: ReadonlyMap<string, V>, v: V): boolean {
  for (const x of registry.values()) if (x === v) return true;
  return false;
}

/**
 * @internal `raw` seen through the proxy every module is (the constructor's; also a deep copy's, made
 * without the constructor: src/optim/module-copy.ts): fields set on it later register.
 */
export function asModule<M extends AnyModule>(raw: M): M {
  return new Proxy<AnyModule>(raw, { defineProperty: adoptField, deleteProperty: dropField }) as M;
}

/** The module proxy's trap: defines the property on the module, then registers a module or nn.Parameter value. */
let adoptPaused = false;
function adoptField(target: AnyModule, name: string | symbol, desc: PropertyDescriptor): boolean {
  if (!Reflect.defineProperty(target, name, desc)) return false;
  if (!adoptPaused && typeof name === 'string' && 'value' in desc) target.adopt(name, desc.value);
  return true;
}

/** The module proxy's deleteProperty trap: deletes the property, then unregisters what it named. */
function dropField(target: AnyModule, name: string | symbol): boolean {
  if (!Reflect.deleteProperty(target, name)) return false;
  if (typeof name === 'string') target.forget(name);
  return true;
}
