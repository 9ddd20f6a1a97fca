/**
 * The Tensor methods: every op of the API as a method (t.add(u) is wg.add(t, u)), backward() and
 * the in-place forms. The engine defines Tensor without them (it must not import the API above it);
 * they are installed on Tensor.prototype here, and declaration merging gives them their types.
 * src/index.ts imports this module, so every tensor a user sees has them.
 */
import { backward } from '../engine/autodiff.js';
import { Tensor } from '../engine/tensor.js';
import type { MatmulOptions } from '../ops/linalg.js';
import * as F from './functional.js';
import type { Dims, VarOptions, WithIndices } from './reduce.js';
import type { SortOptions, TopkOptions, ValuesIndices } from './sort.js';
import { copyInto } from './shape.js';

declare module '../engine/tensor.js' {
  interface Tensor {
    /**
     * Backpropagates from this tensor: adds d(this)/d(leaf) · seed into every leaf's .grad.
     * The seed defaults to 1 for a one-element tensor. Frees the graph unless retainGraph.
     */
    backward(grad?: TensorLike | ArrayLike<number>, opts?: { retainGraph?: boolean }): void;
    // ---- elementwise ----
    add(o: TensorLike): Tensor;
    sub(o: TensorLike): Tensor;
    mul(o: TensorLike): Tensor;
    div(o: TensorLike): Tensor;
    neg(): Tensor;
    pow(exponent: number): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    square(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    leakyRelu(slope?: number): Tensor;
    gelu(): Tensor;
    softplus(): Tensor;
    silu(): Tensor;
    /** this + weight·(end − this). */
    lerp(end: TensorLike, weight: TensorLike): Tensor;
    clamp(min: number | null, max: number | null): Tensor;
    maximum(o: TensorLike): Tensor;
    minimum(o: TensorLike): Tensor;
    gt(o: TensorLike): Tensor;
    lt(o: TensorLike): Tensor;
    ge(o: TensorLike): Tensor;
    le(o: TensorLike): Tensor;
    eq(o: TensorLike): Tensor;
    // ---- linear algebra, shapes ----
    matmul(o: Tensor, opts?: MatmulOptions): Tensor;
    transpose(d0?: number, d1?: number): Tensor;
    permute(dims: readonly number[]): Tensor;
    reshape(shape: readonly number[] | number): Tensor;
    flatten(startDim?: number): Tensor;
    slice(dim: number, start: number, end?: number): Tensor;
    // ---- reductions ----
    sum(dim?: Dims, keepdim?: boolean): Tensor;
    mean(dim?: Dims, keepdim?: boolean): Tensor;
    /** Over one dim: the values, carrying `.indices` (int32, PyTorch's first arg-max). */
    max(dim: number, keepdim?: boolean): WithIndices;
    max(dim?: Dims, keepdim?: boolean): Tensor;
    min(dim: number, keepdim?: boolean): WithIndices;
    min(dim?: Dims, keepdim?: boolean): Tensor;
    softmax(dim?: number): Tensor;
    logSoftmax(dim?: number): Tensor;
    logsumexp(dim?: Dims, keepdim?: boolean): Tensor;
    var(dim?: Dims, opts?: VarOptions): Tensor;
    std(dim?: Dims, opts?: VarOptions): Tensor;
    prod(dim?: Dims, keepdim?: boolean): Tensor;
    amax(dim?: Dims, keepdim?: boolean): Tensor;
    amin(dim?: Dims, keepdim?: boolean): Tensor;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    all(dim?: Dims, keepdim?: boolean): Tensor;
    any(dim?: Dims, keepdim?: boolean): Tensor;
    norm(p?: number | 'fro', dim?: Dims, keepdim?: boolean): Tensor;
    varMean(dim?: Dims, opts?: VarOptions): [Tensor, Tensor];
    stdMean(dim?: Dims, opts?: VarOptions): [Tensor, Tensor];
    // ---- sorting, scans ----
    sort(opts?: SortOptions): ValuesIndices;
    argsort(opts?: SortOptions): Tensor;
    topk(k: number, opts?: TopkOptions): ValuesIndices;
    cumsum(dim: number): Tensor;
    cumprod(dim: number): Tensor;
    cummax(dim: number): ValuesIndices;
    cummin(dim: number): ValuesIndices;
    logcumsumexp(dim: number): Tensor;
    // ---- in-place (inside wg.noGrad for tensors that require grad) ----
    /** Copies src (broadcast to this shape) into this tensor's storage. */
    copy_(src: TensorLike): this;
    add_(o: TensorLike): this;
    sub_(o: TensorLike): this;
    mul_(o: TensorLike): this;
    zero_(): this;
  }
}

type MethodName = Exclude<{ [K in keyof Tensor]: Tensor[K] extends (...args: never[]) => unknown ? K : never }[keyof Tensor], keyof TensorCore>;
/** The members the engine's class itself defines (not installed here). */
type TensorCore = Pick<Tensor, 'item' | 'data' | 'values' | 'toArray' | 'detach' | 'keep' | 'dispose' | 'toString' | 'assertAlive'>;

const methods: { [K in MethodName]: Tensor[K] } & ThisType<Tensor> = {
  backward(grad, opts = {}) {
    backward(this, grad, opts);
  },
  // ---- elementwise ----
  add(o) {
    return F.add(this, o);
  },
  sub(o) {
    return F.sub(this, o);
  },
  mul(o) {
    return F.mul(this, o);
  },
  div(o) {
    return F.div(this, o);
  },
  neg() {
    return F.neg(this);
  },
  pow(exponent) {
    return F.pow(this, exponent);
  },
  exp() {
    return F.exp(this);
  },
  log() {
    return F.log(this);
  },
  sqrt() {
    return F.sqrt(this);
  },
  abs() {
    return F.abs(this);
  },
  square() {
    return F.square(this);
  },
  tanh() {
    return F.tanh(this);
  },
  sigmoid() {
    return F.sigmoid(this);
  },
  relu() {
    return F.relu(this);
  },
  leakyRelu(slope = 0.01) {
    return F.leakyRelu(this, slope);
  },
  gelu() {
    return F.gelu(this);
  },
  softplus() {
    return F.softplus(this);
  },
  silu() {
    return F.silu(this);
  },
  lerp(end, weight) {
    return F.lerp(this, end, weight);
  },
  clamp(min, max) {
    return F.clamp(this, min, max);
  },
  maximum(o) {
    return F.maximum(this, o);
  },
  minimum(o) {
    return F.minimum(this, o);
  },
  gt(o) {
    return F.gt(this, o);
  },
  lt(o) {
    return F.lt(this, o);
  },
  ge(o) {
    return F.ge(this, o);
  },
  le(o) {
    return F.le(this, o);
  },
  eq(o) {
    return F.eq(this, o);
  },
  // ---- linear algebra, shapes ----
  matmul(o, opts) {
    return F.matmul(this, o, opts);
  },
  transpose(d0?, d1?) {
    return F.transpose(this, d0, d1);
  },
  permute(dims) {
    return F.permute(this, dims);
  },
  reshape(shape) {
    return F.reshape(this, shape);
  },
  flatten(startDim = 0) {
    return F.flatten(this, startDim);
  },
  slice(dim, start, end) {
    return F.slice(this, dim, start, end);
  },
  // ---- reductions ----
  sum(dim?, keepdim = false) {
    return F.sum(this, dim, keepdim);
  },
  mean(dim?, keepdim = false) {
    return F.mean(this, dim, keepdim);
  },
  max(dim?: Dims, keepdim = false) {
    return F.max(this, dim, keepdim) as WithIndices;
  },
  min(dim?: Dims, keepdim = false) {
    return F.min(this, dim, keepdim) as WithIndices;
  },
  softmax(dim = -1) {
    return F.softmax(this, dim);
  },
  logSoftmax(dim = -1) {
    return F.logSoftmax(this, dim);
  },
  logsumexp(dim?, keepdim = false) {
    return F.logsumexp(this, dim, keepdim);
  },
  var(dim?, opts?) {
    return F.var(this, dim, opts);
  },
  std(dim?, opts?) {
    return F.std(this, dim, opts);
  },
  prod(dim?, keepdim = false) {
    return F.prod(this, dim, keepdim);
  },
  amax(dim?, keepdim = false) {
    return F.amax(this, dim, keepdim);
  },
  amin(dim?, keepdim = false) {
    return F.amin(this, dim, keepdim);
  },
  argmax(dim?, keepdim = false) {
    return F.argmax(this, dim, keepdim);
  },
  argmin(dim?, keepdim = false) {
    return F.argmin(this, dim, keepdim);
  },
  all(dim?, keepdim = false) {
    return F.all(this, dim, keepdim);
  },
  any(dim?, keepdim = false) {
    return F.any(this, dim, keepdim);
  },
  norm(p = 2, dim?, keepdim = false) {
    return F.norm(this, p, dim, keepdim);
  },
  varMean(dim?, opts?) {
    return F.varMean(this, dim, opts);
  },
  stdMean(dim?, opts?) {
    return F.stdMean(this, dim, opts);
  },
  // ---- sorting, scans ----
  sort(opts?) {
    return F.sort(this, opts);
  },
  argsort(opts?) {
    return F.argsort(this, opts);
  },
  topk(k, opts?) {
    return F.topk(this, k, opts);
  },
  cumsum(dim) {
    return F.cumsum(this, dim);
  },
  cumprod(dim) {
    return F.cumprod(this, dim);
  },
  cummax(dim) {
    return F.cummax(this, dim);
  },
  cummin(dim) {
    return F.cummin(this, dim);
  },
  logcumsumexp(dim) {
    return F.logcumsumexp(this, dim);
  },
  // ---- in-place (inside wg.noGrad for tensors that require grad) ----
  copy_(src) {
    copyInto(this, src);
    return this;
  },
  add_(o) {
    return this.copy_(F.add(this, o));
  },
  sub_(o) {
    return this.copy_(F.sub(this, o));
  },
  mul_(o) {
    return this.copy_(F.mul(this, o));
  },
  zero_() {
    return this.copy_(0);
  },
};

for (const [name, fn] of Object.entries(methods)) Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
