/**
 * Tensor: a handle to a block of a backend's heap with a shape and dtype, plus the graph node
 * that made it (when a gradient will flow through it). The op methods (t.add(u), t.backward(), ...)
 * are installed by the API layer (src/api/methods.ts), above the engine; every op is also a
 * function on the `wg` namespace.
 */
import { AutogradError, DTypeError, OWN_TENSOR, RecycledTensorError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { type Storage } from './storage.js';
import { demote, ensureResident, makePersistent } from './memory.js';
import { formatTensor } from './format.js';
import { sink } from './sink.js';
import { fmtShape, sameShape, type DType, type Meta, type OpDef } from '../ops/types.js';

/** What a recorded op keeps for its backward pass. */
export interface GraphNode {
  op: OpDef;
  rec: Int32Array;
  /** Emptied when backward() frees the node, so a held result no longer keeps its graph's tensors alive. */
  inputs: readonly Tensor[];
  /** The call's attributes (a reference), for the op's vjp (createGraph: src/engine/backward-differentiable.ts). */
  attrs: unknown;
  /** Storage versions of the inputs when the op ran (in-place writes since then are an error). */
  versions: number[];
  /** The output's storage version when the op ran: backward kernels may read the output (exp, tanh, sqrt), so a write since then is an error too. */
  outVersion: number;
  /**
   * The inputs' generations (Tensor.gen) when the op ran, when one was not 0: an input that took an
   * in-place result since then stands for its former identity here (Tensor.takeOver).
   */
  gens?: number[];
  saved: readonly Storage[];
  workspace: number;
  freed: boolean;
  /** gradFn.name() when the op stands in for another function's backward (an autograd.Function's output: 'MyExpBackward'). */
  gradFnName?: string;
  /** The forward call's stack, kept only while anomaly detection is on (src/engine/anomaly.ts). */
  trace?: string;
}

/**
 * A tensor hook (registerHook): sees the gradient w.r.t. its tensor during backward and may return
 * a replacement of the same shape.
 */
export type GradHook = (grad: Tensor) => Tensor | undefined | void;
/**
 * retainGrad's entry among a tensor's hooks. PyTorch 1.13 keeps all of a tensor's Python hooks in
 * one pre-hook, registered with the first of them, and retain_grad's hook beside it: retain_grad()
 * called before the first registerHook sees the incoming gradient (RETAIN_GRAD), called after one
 * it sees the result of every hook, those registered later too (RETAIN_GRAD_FINAL).
 */
export const RETAIN_GRAD = Symbol('retainGrad');
export const RETAIN_GRAD_FINAL = Symbol('retainGradFinal');
export type HookEntry = GradHook | typeof RETAIN_GRAD | typeof RETAIN_GRAD_FINAL;

/**
 * t.gradFn: the op that made a non-leaf tensor, for inspection. `name()` is PyTorch's form built
 * from wasmgrad's op name without its Dim/Dims suffix ('mul' → 'MulBackward0', 'sumDims' →
 * 'SumBackward0', 'matmul' → 'MatmulBackward0' where PyTorch says MmBackward0): it matches
 * PyTorch's where the op names agree (add, mul, exp, relu, sum, mean, ...), and a composite shows
 * its last primitive (x.square() is a mul).
 */
export class GradFn {
  constructor(
    /** wasmgrad's op name ('mul', 'matmul', 'sumDims'). */
    readonly op: string,
    private readonly given?: string,
  ) {}
  name(): string {
    if (this.given !== undefined) return this.given;
    const base = this.op.replace(/Dims?$/, '');
    return `${base[0].toUpperCase()}${base.slice(1)}Backward0`;
  }
  toString(): string {
    return `<${this.name()}>`;
  }
}

export type TensorLike = Tensor | number;
export type NestedArray = number | NestedArray[];

export class Tensor implements Meta {
  get [OWN_TENSOR](): true {
    return true;
  }
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly storage: Storage;
  /** The op that made this tensor, when gradients flow through it (null for leaves). */
  node: GraphNode | null = null;
  private _grad: Tensor | null = null;
  private _requiresGrad: boolean;
  /** @internal Backward hooks in registration order (registerHook, retainGrad), or null. */
  hooks: HookEntry[] | null = null;
  /** @internal How many in-place results with a graph this handle took over (takeOver). */
  gen = 0;
  /** @internal Its identity before each takeover: past[g] is the tensor it was at generation g. */
  past: Tensor[] | null = null;

  /** @internal Use wg.tensor(), wg.zeros(), ... to make tensors. */
  constructor(shape: readonly number[], dtype: DType, storage: Storage, requiresGrad = false) {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.storage = storage;
    this._requiresGrad = requiresGrad;
    if (sink.mode !== 'off') sink.born(this);
  }

  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  /** PyTorch's rule: tensors that do not require grad are leaves, and so are those made by the user (no gradFn). */
  get isLeaf(): boolean {
    return this.node === null;
  }
  /** The op that made this tensor when gradients flow through it; null for leaves. */
  get gradFn(): GradFn | null {
    return this.node === null ? null : new GradFn(this.node.op.name, this.node.gradFnName);
  }
  /** Whether retainGrad() was called on this non-leaf (false for leaves, as PyTorch). */
  get retainsGrad(): boolean {
    return this.hooks?.some((h) => h === RETAIN_GRAD || h === RETAIN_GRAD_FINAL) ?? false;
  }
  /**
   * Accumulated gradient of a leaf that requires grad (null until a backward reaches it).
   * Clearing or replacing it (`t.grad = null`, as zeroGrad does) hands the old gradient's memory
   * to the current step, like an op result: a handle read here stays valid (spilled when the step
   * is retired), one nobody read is freed without a copy.
   */
  get grad(): Tensor | null {
    // Read by user code, so it may be held after it is cleared: spilled then, not freed.
    if (this._grad !== null) this._grad.storage.exposed = true;
    return this._grad;
  }
  /** @internal The gradient, for library code that does not hand it out (optimizers, clipGradNorm). */
  peekGrad(): Tensor | null {
    return this._grad;
  }
  set grad(g: Tensor | null) {
    if (g !== null && !(g instanceof Tensor)) throw new ValueError('Tensor.grad', `can only be set to a Tensor or null, got ${fmtValue(g)}`);
    g?.assertAlive('Tensor.grad');
    // As PyTorch: a gradient has its tensor's shape and dtype (backward accumulates into it).
    if (g !== null && g.dtype !== this.dtype)
      throw new DTypeError('Tensor.grad', `the assigned gradient must have this tensor's dtype ${this.dtype}, got ${g.dtype} ${fmtShape(g.shape)}`);
    if (g !== null && !sameShape(g.shape, this.shape))
      throw new ShapeError('Tensor.grad', `the assigned gradient must have this tensor's shape ${fmtShape(this.shape)}, got ${fmtShape(g.shape)}`);
    if (g === null && sink.mode !== 'off') sink.gradCleared(this);
    if (this._grad !== null && this._grad !== g && this._grad.storage !== g?.storage) demote(this._grad.storage);
    this._grad = g;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(v: boolean) {
    if (typeof v !== 'boolean') throw new ValueError('Tensor.requiresGrad', `must be set to a boolean, got ${fmtValue(v)}`);
    // A computed tensor already requires grad: true leaves it so (PyTorch), false is refused.
    if (this.node !== null) {
      if (v) return;
      throw new AutogradError(
        'Tensor.requiresGrad',
        `can only be set to false on leaf tensors, this one was computed by '${this.node.op.name}' (use detach() first)`,
      );
    }
    if (v && this.dtype !== 'float32') throw new DTypeError('Tensor.requiresGrad', `only float32 tensors can require grad, this one is ${this.dtype}`);
    // A parameter must not move: optimizers and compiled programs keep its block's address.
    if (v) makePersistent(this.storage, 'Tensor.requiresGrad');
    this._requiresGrad = v;
  }

  /**
   * Makes this tensor's storage resident for `op` to use (a spilled one gets a fresh block), or
   * throws a RecycledTensorError naming `op` if it was freed.
   */
  assertAlive(op = 'tensor'): void {
    this.checkUsable(op);
    ensureResident(this.storage, op);
  }

  private checkUsable(op: string): void {
    const s = this.storage;
    if (s.alive) return;
    const what = `this tensor ${fmtShape(this.shape)} (made by '${s.label}' in step ${s.born})`;
    throw new RecycledTensorError(
      op,
      s.disposed
        ? `${what} was freed by dispose() in step ${s.diedAt}. dispose() is never needed (memory is reclaimed without it): call it only on tensors you will not use again.`
        : `${what} was freed in step ${s.diedAt} with the memory that owned it (a compiled function that was garbage-collected).`,
    );
  }

  /**
   * @internal A lazy module's stand-in parameter or buffer made real in place (PyTorch's
   * UninitializedParameter.materialize): it takes `real`'s block and shape, so an optimizer that
   * was given it trains the materialized values.
   */
  adopt(real: Tensor): void {
    // shape and storage are readonly to users; here (and through takeOver) the engine moves them
    const self = this as { shape: readonly number[]; storage: Storage };
    self.shape = real.shape;
    self.storage = real.storage;
  }

  /**
   * @internal The end of an in-place op recorded by autograd (src/api/inplace.ts): this handle
   * becomes `r`, the op's out-of-place result (its storage, shape and graph node), as PyTorch's
   * tensor takes the in-place op's grad_fn. The graph edges recorded before point at this Tensor
   * object; they stand for what it was, kept as past[gen] (a tensor with the former storage,
   * untouched, node and hooks) and found through GraphNode.gens by the backward passes
   * (src/engine/backward-graph.ts, topoOrder).
   */
  takeOver(r: Tensor): void {
    const was = new Tensor(this.shape, this.dtype, this.storage, this._requiresGrad);
    was.node = this.node;
    was.gen = this.gen;
    (this.past ??= [])[this.gen] = was;
    this.gen++;
    // As PyTorch 1.13: a hook registered before sees the gradient w.r.t. the former value (it sits
    // on the former grad_fn), while retainGrad stays with the tensor (.grad is the current value's).
    const hooks = this.hooks ?? [];
    const user = hooks.filter((h) => typeof h === 'function');
    const retain = hooks.filter((h) => typeof h !== 'function');
    was.hooks = user.length > 0 ? user : null;
    this.hooks = retain.length > 0 ? retain : null;
    this.adopt(r);
    this.node = r.node;
    this._requiresGrad = r._requiresGrad;
  }

  /** @internal In-place shape ops outside autograd (t_, squeeze_): the same block, its elements already in the new order, under the new shape. */
  setShape(shape: readonly number[]): void {
    (this as { shape: readonly number[] }).shape = Object.freeze([...shape]);
  }

  /** @internal The tensor node's input i stands for: the input itself, or what it was when the op ran (see takeOver). */
  static inputOf(node: GraphNode, i: number): Tensor {
    const x = node.inputs[i];
    const g = node.gens?.[i] ?? 0;
    return g === x.gen ? x : x.past![g];
  }

  /** The single value of a one-element tensor. */
  item(): number {
    this.assertAlive('item');
    if (this.size !== 1) throw new ShapeError('item', `tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, not 1`);
    return this.rawValues()[0];
  }

  /**
   * The number of a one-element tensor where JavaScript wants a primitive, as Python's float(t):
   * `loss < 0.5`, `+norm`, `Number(t)`. Any other size is a ShapeError (as PyTorch's bool() of a
   * multi-element tensor); string contexts use toString().
   */
  valueOf(): number {
    if (this.size !== 1)
      throw new ShapeError(
        'valueOf',
        `a tensor of shape ${fmtShape(this.shape)} has ${this.size} elements: only a one-element tensor converts to a number (use .item() or .data())`,
      );
    return this.item();
  }

  /**
   * Coercion: a number where JavaScript asks for one (`<`, `*`, unary `+`, `Number(t)`: valueOf), the
   * printed tensor otherwise (template strings, and `+` with a string, which never throws).
   */
  [Symbol.toPrimitive](hint: string): number | string {
    return hint === 'number' ? this.valueOf() : this.toString();
  }

  /** A copy of the elements: Float32Array for float32 tensors, Int32Array for int32. */
  data(): Float32Array | Int32Array {
    const v = this.rawValues();
    if (v instanceof Float64Array) return this.dtype === 'int32' ? Int32Array.from(v) : Float32Array.from(v);
    return v;
  }

  /**
   * The elements as the backend holds them (Float64Array on the reference backend), without a
   * copy where it can. The library reads through rawValues(): a result of max(dim)/min(dim) may
   * carry PyTorch's `.values` field instead of this method.
   */
  values(): Float32Array | Int32Array | Float64Array {
    return this.rawValues();
  }

  /** @internal The elements as the backend holds them: what the library reads (values() may be shadowed, see above). */
  rawValues(): Float32Array | Int32Array | Float64Array {
    this.checkUsable('data');
    const s = this.storage;
    sink.assertReadable(s, this.dtype);
    // A spilled tensor is read from its copy, without taking a block again.
    if (s.spilled === null) return s.backend.read(s.ptr, this.size, this.dtype);
    return s.backend.readSaved(s.spilled, this.size, this.dtype);
  }

  /** Nested arrays like the tensor's shape (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const v = this.rawValues();
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return v[offset];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /**
   * JSON.stringify's form: the values as toArray() (JSON writes NaN and ±∞ as null). Without it a
   * tensor serialised its handle's fields, the backend and all its memory included, so a state
   * dict (`JSON.stringify(opt.stateDict())`, torch's json.dumps of a state dict with tensors as
   * lists) could not be saved; loadStateDict takes those nested lists back.
   */
  toJSON(): NestedArray {
    return this.toArray();
  }

  /** The same storage, cut from the graph: no gradient flows through the result. */
  detach(): Tensor {
    this.checkUsable('detach');
    return new Tensor(this.shape, this.dtype, this.storage, false);
  }

  /**
   * Cuts this tensor from the graph in place (PyTorch's detach_): it becomes a leaf that does not
   * require grad, over the same storage; returns it. Graphs that already used it keep it as their input.
   */
  detach_(): this {
    this.checkUsable('detach_');
    this.node = null;
    this._requiresGrad = false;
    return this;
  }

  /**
   * Never needed: a tensor you hold stays valid. Makes its storage persistent now (resident until
   * the tensor is garbage-collected), so it is never spilled and copied back.
   */
  keep(): this {
    this.checkUsable('keep');
    makePersistent(this.storage, 'keep');
    return this;
  }

  /** Frees the storage now (optional: never needed; using the tensor afterwards is a RecycledTensorError). */
  dispose(): void {
    if (this.storage.alive) this.storage.disposed = true;
    this.storage.release();
  }

  /**
   * PyTorch's repr: `tensor([[0.1000, 2.0000]], requiresGrad=true)`, summarised beyond 1000
   * elements (src/engine/format.ts). A tensor whose values cannot be read (freed, or computed
   * inside a compiled function) prints its shape and dtype instead.
   */
  toString(): string {
    let values: ArrayLike<number>;
    try {
      values = this.rawValues();
    } catch {
      return `Tensor(${fmtShape(this.shape)}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''}${this.storage.alive ? '' : ', freed'})`;
    }
    return formatTensor({ shape: this.shape, dtype: this.dtype, values, requiresGrad: this.requiresGrad, gradFn: this.node?.op.name ?? null });
  }

  /** Node's util.inspect (console.log) prints the same as toString. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
