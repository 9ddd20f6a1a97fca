/**
 * Tensor: a handle to a block of a backend's heap with a shape and dtype, plus the graph node
 * that made it (when a gradient will flow through it). All ops are available as methods here and
 * as functions on the `wg` namespace.
 */
import { backward } from './autodiff.js';
import { AutogradError, DTypeError, RecycledTensorError, ShapeError, ValueError, fmtValue } from '../errors.js';
import * as F from '../api/functional.js';
import { copyInto } from '../ops/shape.js';
import { attachHandle, demote, makePersistent, type Storage } from './memory.js';
import { recorder } from '../compile/recorder.js';
import { fmtShape, type DType, type Meta, type OpDef } from '../ops/types.js';

/** What a recorded op keeps for its backward pass. */
export interface GraphNode {
  op: OpDef;
  rec: Int32Array;
  inputs: readonly Tensor[];
  /** Storage versions of the inputs when the op ran (in-place writes since then are an error). */
  versions: number[];
  saved: readonly Storage[];
  workspace: number;
  freed: boolean;
}

export type TensorLike = Tensor | number;
export type NestedArray = number | NestedArray[];

export class Tensor implements Meta {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly storage: Storage;
  /** The op that made this tensor, when gradients flow through it (null for leaves). */
  node: GraphNode | null = null;
  private _grad: Tensor | null = null;
  private _requiresGrad: boolean;

  /** @internal Use wg.tensor(), wg.zeros(), ... to make tensors. */
  constructor(shape: readonly number[], dtype: DType, storage: Storage, requiresGrad = false) {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.storage = storage;
    this._requiresGrad = requiresGrad;
    attachHandle(this, storage);
  }

  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get isLeaf(): boolean {
    return this.node === null;
  }
  /**
   * Accumulated gradient of a leaf that requires grad (null until a backward reaches it).
   * Clearing or replacing it (`t.grad = null`, as zeroGrad does) hands the old gradient's memory
   * to the current step: a handle to it stays valid for that step and the next, like an op result.
   */
  get grad(): Tensor | null {
    return this._grad;
  }
  set grad(g: Tensor | null) {
    if (g !== null && !(g instanceof Tensor)) throw new ValueError('Tensor.grad', `can only be set to a Tensor or null, got ${fmtValue(g)}`);
    g?.assertAlive('Tensor.grad');
    if (g === null && recorder.mode !== 'off') recorder.run!.cleared.add(this);
    if (this._grad !== null && this._grad !== g && this._grad.storage !== g?.storage) demote(this._grad.storage);
    this._grad = g;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(v: boolean) {
    if (typeof v !== 'boolean') throw new ValueError('Tensor.requiresGrad', `must be set to a boolean, got ${fmtValue(v)}`);
    if (this.node !== null) throw new AutogradError('Tensor.requiresGrad', `can only be set on leaf tensors, this one was computed by '${this.node.op.name}' (use detach() first)`);
    if (v && this.dtype !== 'float32') throw new DTypeError('Tensor.requiresGrad', `only float32 tensors can require grad, this one is ${this.dtype}`);
    this._requiresGrad = v;
  }

  /** Throws a RecycledTensorError naming `op` if this tensor's storage was recycled. */
  assertAlive(op = 'tensor'): void {
    const s = this.storage;
    if (s.alive) return;
    throw new RecycledTensorError(
      op,
      `this tensor ${fmtShape(this.shape)} (made by '${s.label}' in step ${s.born}) was recycled in step ${s.diedAt}. ` +
        'Op results stay valid for the step that made them and the next one (a step ends when backward() finishes; ' +
        'noGrad results not returned by fn end with it). Call .keep() on a tensor you need for longer.',
    );
  }

  /** The single value of a one-element tensor. */
  item(): number {
    this.assertAlive('item');
    if (this.size !== 1) throw new ShapeError('item', `tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, not 1`);
    return this.values()[0];
  }

  /** A copy of the elements: Float32Array for float32 tensors, Int32Array for int32. */
  data(): Float32Array | Int32Array {
    const v = this.values();
    if (v instanceof Float64Array) return this.dtype === 'int32' ? Int32Array.from(v) : Float32Array.from(v);
    return v;
  }

  /** @internal The elements as the backend holds them (Float64Array on the reference backend). */
  values(): Float32Array | Int32Array | Float64Array {
    this.assertAlive('data');
    recorder.assertReadable(this.storage, this.dtype);
    return this.storage.backend.read(this.storage.ptr, this.size, this.dtype);
  }

  /** Nested arrays like the tensor's shape (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const v = this.values();
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return v[offset];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /**
   * Backpropagates from this tensor: adds d(this)/d(leaf) · seed into every leaf's .grad.
   * The seed defaults to 1 for a one-element tensor. Frees the graph unless retainGraph.
   */
  backward(grad?: TensorLike | ArrayLike<number>, opts: { retainGraph?: boolean } = {}): void {
    backward(this, grad, opts);
  }

  /** The same storage, cut from the graph: no gradient flows through the result. */
  detach(): Tensor {
    this.assertAlive('detach');
    return new Tensor(this.shape, this.dtype, this.storage, false);
  }

  /** Keeps this op result beyond its step (it becomes persistent, freed when garbage-collected). */
  keep(): this {
    this.assertAlive('keep');
    makePersistent(this, this.storage);
    return this;
  }

  /** Frees the storage now (optional: never needed in a normal training loop). */
  dispose(): void {
    this.storage.release();
  }

  toString(): string {
    return `Tensor(${fmtShape(this.shape)}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // ---- elementwise ----
  add(o: TensorLike): Tensor { return F.add(this, o); }
  sub(o: TensorLike): Tensor { return F.sub(this, o); }
  mul(o: TensorLike): Tensor { return F.mul(this, o); }
  div(o: TensorLike): Tensor { return F.div(this, o); }
  neg(): Tensor { return F.neg(this); }
  pow(exponent: number): Tensor { return F.pow(this, exponent); }
  exp(): Tensor { return F.exp(this); }
  log(): Tensor { return F.log(this); }
  sqrt(): Tensor { return F.sqrt(this); }
  abs(): Tensor { return F.abs(this); }
  square(): Tensor { return F.square(this); }
  tanh(): Tensor { return F.tanh(this); }
  sigmoid(): Tensor { return F.sigmoid(this); }
  relu(): Tensor { return F.relu(this); }
  leakyRelu(slope = 0.01): Tensor { return F.leakyRelu(this, slope); }
  gelu(): Tensor { return F.gelu(this); }
  softplus(): Tensor { return F.softplus(this); }
  clamp(min: number | null, max: number | null): Tensor { return F.clamp(this, min, max); }
  maximum(o: TensorLike): Tensor { return F.maximum(this, o); }
  minimum(o: TensorLike): Tensor { return F.minimum(this, o); }
  gt(o: TensorLike): Tensor { return F.gt(this, o); }
  lt(o: TensorLike): Tensor { return F.lt(this, o); }
  ge(o: TensorLike): Tensor { return F.ge(this, o); }
  le(o: TensorLike): Tensor { return F.le(this, o); }
  eq(o: TensorLike): Tensor { return F.eq(this, o); }
  // ---- linear algebra, shapes ----
  matmul(o: Tensor, opts?: F.MatmulOptions): Tensor { return F.matmul(this, o, opts); }
  transpose(d0?: number, d1?: number): Tensor { return F.transpose(this, d0, d1); }
  permute(dims: readonly number[]): Tensor { return F.permute(this, dims); }
  reshape(shape: readonly number[] | number): Tensor { return F.reshape(this, shape); }
  flatten(startDim = 0): Tensor { return F.flatten(this, startDim); }
  slice(dim: number, start: number, end?: number): Tensor { return F.slice(this, dim, start, end); }
  // ---- reductions ----
  sum(dim?: number, keepdim = false): Tensor { return F.sum(this, dim, keepdim); }
  mean(dim?: number, keepdim = false): Tensor { return F.mean(this, dim, keepdim); }
  max(dim?: number, keepdim = false): Tensor { return F.max(this, dim, keepdim); }
  min(dim?: number, keepdim = false): Tensor { return F.min(this, dim, keepdim); }
  softmax(dim = -1): Tensor { return F.softmax(this, dim); }
  logSoftmax(dim = -1): Tensor { return F.logSoftmax(this, dim); }
  // ---- in-place (inside wg.noGrad for tensors that require grad) ----
  /** Copies src (broadcast to this shape) into this tensor's storage. */
  copy_(src: TensorLike): this { copyInto(this, src); return this; }
  add_(o: TensorLike): this { return this.copy_(F.add(this, o)); }
  sub_(o: TensorLike): this { return this.copy_(F.sub(this, o)); }
  mul_(o: TensorLike): this { return this.copy_(F.mul(this, o)); }
  zero_(): this { return this.copy_(0); }
}
