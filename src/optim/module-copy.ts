/**
 * copy.deepcopy of a module, which torch's AveragedModel makes of the model it averages: the same
 * class, options and structure, with every tensor copied (parameters stay parameters, with their
 * requiresGrad; buffers keep their names and persistence), and every shared object shared again in
 * the copy (a tensor or child registered twice, tied weights, a cycle) as Python's memo does.
 *
 * The copy is made field by field, without running the class's constructor (whose arguments are
 * not known), so it holds exactly what the original holds. What is copied: tensors, modules, arrays,
 * Maps, Sets, typed arrays and plain objects; functions and other class instances are shared, as
 * Python's deepcopy shares functions. A module's fields that read a registered tensor or child
 * become plain fields holding its copy.
 */
import { clone } from '../api/shape.js';
import { noGrad } from '../engine/engine.js';
import { makePersistent } from '../engine/memory.js';
import { Tensor } from '../engine/tensor.js';
import { ValueError } from '../errors.js';
import { Module, asModule, type AnyModule } from '../nn/module.js';
import { Parameter, markParameter } from '../nn/parameter.js';

/** A deep copy of `m` (torch's copy.deepcopy(model)); `fn` names the caller in errors. */
export function deepCopyModule<M extends AnyModule>(fn: string, m: M): M {
  return copyValue(fn, m, new Map()) as M;
}

/** The copy of v, made once per object (memo: original → copy). */
function copyValue(fn: string, v: unknown, memo: Map<object, unknown>): unknown {
  if (v === null || typeof v !== 'object') return v; // numbers, strings, functions, …
  if (memo.has(v)) return memo.get(v);
  if (v instanceof Tensor) return remember(memo, v, copyTensor(fn, v));
  if (v instanceof Module) return copyModule(fn, v, memo);
  if (Array.isArray(v)) {
    const c = remember(memo, v, [] as unknown[]);
    for (const x of v) c.push(copyValue(fn, x, memo));
    return c;
  }
  if (v instanceof Map) {
    const c = remember(memo, v, new Map<unknown, unknown>());
    for (const [k, x] of v) c.set(copyValue(fn, k, memo), copyValue(fn, x, memo));
    return c;
  }
  if (v instanceof Set) {
    const c = remember(memo, v, new Set<unknown>());
    for (const x of v) c.add(copyValue(fn, x, memo));
    return c;
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return remember(memo, v, (v as unknown as Float64Array).slice());
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto !== Object.prototype && proto !== null) return v; // another class's instance: shared
  const c = remember(memo, v, Object.create(proto) as object);
  copyFields(fn, v, c, memo);
  return c;
}

function remember<T>(memo: Map<object, unknown>, original: object, copy: T): T {
  memo.set(original, copy);
  return copy;
}

/** Each own property of `from` defined on `to` with its value copied; an accessor becomes a field holding the copy of what it reads. */
function copyFields(fn: string, from: object, to: object, memo: Map<object, unknown>): void {
  for (const key of Reflect.ownKeys(from)) {
    const d = Reflect.getOwnPropertyDescriptor(from, key)!;
    const value = 'value' in d ? d.value : Reflect.get(from, key);
    Reflect.defineProperty(to, key, { value: copyValue(fn, value, memo), writable: true, enumerable: d.enumerable, configurable: true });
  }
}

/** A detached copy in persistent memory, with t's requiresGrad; a parameter stays one (torch's Parameter.__deepcopy__, which leaves the gradient out). */
function copyTensor(fn: string, t: Tensor): Tensor {
  t.assertAlive(fn);
  const c = noGrad(() => clone(t));
  makePersistent(c.storage, fn);
  c.requiresGrad = t.requiresGrad;
  if (t instanceof Parameter) markParameter(c);
  return c;
}

/**
 * The module's fields (its registries of parameters, buffers and children included) copied onto an
 * object of its class, seen through the proxy every module is (asModule): fields set on the copy later
 * register as on any module.
 */
function copyModule(fn: string, m: AnyModule, memo: Map<object, unknown>): AnyModule {
  // a forward set on the instance (a hook's wrapper, or the user's) is a closure over the original
  if (Object.hasOwn(m, 'forward'))
    throw new ValueError(
      fn,
      `cannot copy the module ${m.constructor.name}: its forward is set on the instance (by a forward or backward hook, or by hand), and the copy would run the original's; remove the hooks first`,
    );
  const raw = Object.create(Object.getPrototypeOf(m) as object) as AnyModule;
  const copy = asModule(raw);
  memo.set(m, copy); // before the fields: a child that points back at m gets the copy
  copyFields(fn, m, raw, memo);
  return copy;
}
