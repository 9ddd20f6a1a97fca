/**
 * The Tensor methods: every op of the API as a method (t.add(u) is wg.add(t, u)), backward() and
 * the in-place forms. The engine defines Tensor without them (it must not import the API above it);
 * they are installed on Tensor.prototype here, and declaration merging gives them their types.
 * src/index.ts imports this module, so every tensor a user sees has them.
 */
import { backward } from '../engine/autodiff.js';
import { checkTensor } from '../engine/check.js';
import { Tensor } from '../engine/tensor.js';
import type { MatmulOptions } from '../ops/linalg.js';
import type { DivOptions, GeluOptions, SoftplusOptions } from './elementwise.js';
import * as F from './functional.js';
import type { ScatterReduce } from './indexing.js';
import type { AddcOptions } from './math.js';
import type { Dims, VarOptions, WithIndices } from './reduce.js';
import type { SortOptions, TopkOptions, ValuesIndices } from './sort.js';
import type { CovOptions, MinMax, QuantileOptions } from './statistics.js';
import type { HistcOptions, UniqueOptions } from './counting.js';
import { copyInto } from './shape.js';
import { to } from './integer.js';
import type { DType } from '../ops/types.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import type { DiagonalAttrs, IscloseAttrs } from '../ops/convenience.js';

declare module '../engine/tensor.js' {
  interface Tensor {
    /**
     * Backpropagates from this tensor: adds d(this)/d(leaf) · seed into every leaf's .grad.
     * The seed defaults to 1 for a one-element tensor. Frees the graph unless retainGraph.
     */
    backward(grad?: TensorLike | ArrayLike<number>, opts?: { retainGraph?: boolean }): void;
    /** Sets requiresGrad on this leaf (PyTorch's requires_grad_) and returns it. */
    requiresGrad_(requiresGrad?: boolean): Tensor;
    // ---- elementwise ----
    add(o: TensorLike): Tensor;
    sub(o: TensorLike): Tensor;
    mul(o: TensorLike): Tensor;
    div(o: TensorLike, opts?: DivOptions): Tensor;
    neg(): Tensor;
    pow(exponent: TensorLike): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    square(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    leakyRelu(slope?: number): Tensor;
    gelu(opts?: GeluOptions): Tensor;
    softplus(opts?: SoftplusOptions): Tensor;
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
    // ---- math library, activations (src/api/math.ts) ----
    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    sinh(): Tensor;
    cosh(): Tensor;
    asinh(): Tensor;
    acosh(): Tensor;
    atanh(): Tensor;
    erf(): Tensor;
    erfc(): Tensor;
    erfinv(): Tensor;
    sign(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    trunc(): Tensor;
    frac(): Tensor;
    reciprocal(): Tensor;
    rsqrt(): Tensor;
    log2(): Tensor;
    log10(): Tensor;
    log1p(): Tensor;
    exp2(): Tensor;
    expm1(): Tensor;
    mish(): Tensor;
    selu(): Tensor;
    hardswish(): Tensor;
    hardsigmoid(): Tensor;
    relu6(): Tensor;
    softsign(): Tensor;
    logsigmoid(): Tensor;
    round(opts?: { decimals?: number }): Tensor;
    elu(opts?: { alpha?: number }): Tensor;
    celu(opts?: { alpha?: number }): Tensor;
    hardtanh(opts?: { minVal?: number; maxVal?: number }): Tensor;
    hardshrink(lambd?: number | { lambd?: number }): Tensor;
    atan2(o: TensorLike): Tensor;
    logaddexp(o: TensorLike): Tensor;
    hypot(o: TensorLike): Tensor;
    fmod(o: TensorLike): Tensor;
    remainder(o: TensorLike): Tensor;
    floorDivide(o: TensorLike): Tensor;
    /** this + value·t1·t2. */
    addcmul(t1: TensorLike, t2: TensorLike, opts?: AddcOptions): Tensor;
    /** this + value·t1/t2. */
    addcdiv(t1: TensorLike, t2: TensorLike, opts?: AddcOptions): Tensor;
    // ---- linear algebra, shapes ----
    matmul(o: Tensor, opts?: MatmulOptions): Tensor;
    transpose(d0?: number, d1?: number): Tensor;
    /** dims as an array or as separate numbers (x.permute(2, 0, 1), as PyTorch). */
    permute(dims: readonly number[] | number, ...more: number[]): Tensor;
    /** The shape as an array or as separate numbers (x.reshape(3, -1), as PyTorch). */
    reshape(shape: readonly number[] | number, ...more: number[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    /** A differentiable copy in a block of its own (PyTorch's clone). */
    clone(): Tensor;
    /** This tensor: wasmgrad tensors are always contiguous (PyTorch's contiguous() of a contiguous tensor). */
    contiguous(): Tensor;
    /** The number of elements, as `size` (PyTorch's numel()). */
    numel(): number;
    /** toArray() (PyTorch's tolist()): nested arrays of numbers, a number for a 0-d tensor. */
    tolist(): ReturnType<Tensor['toArray']>;
    slice(dim: number, start: number, end?: number): Tensor;
    expand(shape: readonly number[] | number, ...more: number[]): Tensor;
    repeat(reps: readonly number[] | number, ...more: number[]): Tensor;
    tile(reps: readonly number[] | number, ...more: number[]): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    flip(dims: number | readonly number[], ...more: number[]): Tensor;
    roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    split(sizeOrSections: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    unbind(dim?: number): Tensor[];
    // ---- reductions ----
    sum(dim?: Dims, keepdim?: boolean): Tensor;
    mean(dim?: Dims, keepdim?: boolean): Tensor;
    /** Over one dim: the values, carrying `.indices` (int32, PyTorch's first arg-max). */
    max(dim: number, keepdim?: boolean): WithIndices;
    /** With a tensor: the elementwise maximum (torch's x.max(other)). */
    max(dimOrOther?: Dims | Tensor, keepdim?: boolean): Tensor;
    min(dim: number, keepdim?: boolean): WithIndices;
    min(dimOrOther?: Dims | Tensor, keepdim?: boolean): Tensor;
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
    /** Options, or PyTorch's positional (dim, descending). */
    sort(opts?: SortOptions | number, descending?: boolean): ValuesIndices;
    argsort(opts?: SortOptions | number, descending?: boolean): Tensor;
    /** Options, or PyTorch's positional (dim, largest, sorted). */
    topk(k: number, opts?: TopkOptions | number, largest?: boolean, sorted?: boolean): ValuesIndices;
    cumsum(dim: number): Tensor;
    cumprod(dim: number): Tensor;
    cummax(dim: number): ValuesIndices;
    cummin(dim: number): ValuesIndices;
    logcumsumexp(dim: number): Tensor;
    // ---- indexing and selection (int32 indices) ----
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number, opts?: { reduce?: ScatterReduce }): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    indexAdd(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    take(index: Tensor): Tensor;
    /** PyTorch's x[idx] (along dim) or x[e0, e1, …] (int32 tensors, integers, null = a full slice). */
    index(indices: Tensor | readonly (Tensor | number | null)[], dim?: number): Tensor;
    maskedFill(mask: Tensor, value: number | Tensor): Tensor;
    maskedSelect(mask: Tensor): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    // ---- in-place (inside wg.noGrad for tensors that require grad) ----
    /** Copies src (broadcast to this shape) into this tensor's storage. */
    copy_(src: TensorLike): this;
    add_(o: TensorLike): this;
    sub_(o: TensorLike): this;
    mul_(o: TensorLike): this;
    zero_(): this;
    // ---- dtypes, integers and masks ----
    /** This tensor as dtype (itself when it already is); float32 → int32 truncates toward zero. */
    to(dtype: DType): Tensor;
    /** to('float32'). */
    float(): Tensor;
    /** to('int32'). */
    int(): Tensor;
    logicalAnd(o: TensorLike): Tensor;
    logicalOr(o: TensorLike): Tensor;
    logicalXor(o: TensorLike): Tensor;
    logicalNot(): Tensor;
    // ---- sampling ----
    multinomial(numSamples: number, opts?: { replacement?: boolean }): Tensor;
    bernoulli(p?: number): Tensor;
    // ---- PyTorch conveniences (src/api/convenience.ts) ----
    /** The number of dims, as `ndim` (PyTorch's dim()). */
    dim(): number;
    /** 2-D: transposed; 0-d and 1-D: unchanged; more dims: ShapeError (PyTorch's t()). */
    t(): Tensor;
    mm(o: Tensor): Tensor;
    bmm(o: Tensor): Tensor;
    mv(v: Tensor): Tensor;
    dot(o: Tensor): Tensor;
    outer(o: Tensor): Tensor;
    isnan(): Tensor;
    isinf(): Tensor;
    isfinite(): Tensor;
    nanToNum(opts?: { nan?: number; posinf?: number; neginf?: number }): Tensor;
    isclose(o: Tensor, opts?: IscloseAttrs): Tensor;
    allclose(o: Tensor, opts?: IscloseAttrs): boolean;
    /** Same shape and equal elements (a JS boolean). */
    equal(o: Tensor): boolean;
    /** to('int32'): int32 stands in for PyTorch's int64 (long). */
    long(): Tensor;
    /** where(cond, this, other) (PyTorch's x.where(cond, y)). */
    where(cond: TensorLike, other: TensorLike): Tensor;
    expandAs(o: Tensor): Tensor;
    reshapeAs(o: Tensor): Tensor;
    /** to(o.dtype). */
    typeAs(o: Tensor): Tensor;
    select(dim: number, index: number): Tensor;
    swapaxes(axis0: number, axis1: number): Tensor;
    swapdims(dim0: number, dim1: number): Tensor;
    moveaxis(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    broadcastTo(shape: readonly number[] | number): Tensor;
    repeatInterleave(repeats: number, dim?: number | null): Tensor;
    diag(diagonal?: number): Tensor;
    diagonal(opts?: DiagonalAttrs): Tensor;
    trace(): Tensor;
    /** Fills with a number or a 0-d tensor (in place, same rules as copy_). */
    fill_(value: number | Tensor): this;
    div_(o: TensorLike): this;
    clamp_(min: number | null, max: number | null): this;
    // ---- statistics ----
    median(): Tensor;
    median(dim: number, keepdim?: boolean): ValuesIndices;
    nanmedian(): Tensor;
    nanmedian(dim: number, keepdim?: boolean): ValuesIndices;
    kthvalue(k: number, dim?: number, keepdim?: boolean): ValuesIndices;
    mode(dim?: number, keepdim?: boolean): ValuesIndices;
    msort(): Tensor;
    /** q a number, a list or a 1-D tensor; a number as opts is the dim. */
    quantile(q: number | readonly number[] | Tensor, opts?: QuantileOptions | number): Tensor;
    nanquantile(q: number | readonly number[] | Tensor, opts?: QuantileOptions | number): Tensor;
    nansum(dim?: Dims, keepdim?: boolean): Tensor;
    nanmean(dim?: Dims, keepdim?: boolean): Tensor;
    countNonzero(dim?: Dims): Tensor;
    aminmax(opts?: { dim?: number; keepdim?: boolean }): MinMax;
    takeAlongDim(indices: Tensor, dim?: number): Tensor;
    cov(opts?: CovOptions): Tensor;
    corrcoef(): Tensor;
    histc(opts?: HistcOptions): Tensor;
    nonzero(opts?: { asTuple?: boolean }): Tensor | Tensor[];
    argwhere(): Tensor;
    unique(opts?: UniqueOptions): Tensor | Tensor[];
    uniqueConsecutive(opts?: Omit<UniqueOptions, 'sorted'>): Tensor | Tensor[];
    bincount(opts?: { weights?: Tensor; minlength?: number }): Tensor;
  }
}

type MethodName = Exclude<{ [K in keyof Tensor]: Tensor[K] extends (...args: never[]) => unknown ? K : never }[keyof Tensor], keyof TensorCore | symbol>;
/** The members the engine's class itself defines (not installed here). */
type TensorCore = Pick<
  Tensor,
  'item' | 'valueOf' | 'data' | 'values' | 'rawValues' | 'toArray' | 'detach' | 'keep' | 'dispose' | 'toString' | 'assertAlive' | 'peekGrad'
>;

/**
 * PyTorch's varargs forms (x.reshape(2, 3), x.permute(1, 0), x.flip(0, 1)): separate numbers as
 * one array. Without them a trailing number would be dropped silently (x.repeat(2, 1) of a 1-D
 * tensor tiling [2n] instead of [2, n]); an array followed by numbers reaches the function as a
 * nested array, which its validation rejects.
 */
const spread = (first: readonly number[] | number, more: readonly number[]): readonly number[] | number =>
  more.length === 0 ? first : ([first, ...more] as number[]);

const methods: { [K in MethodName]: Tensor[K] } & ThisType<Tensor> = {
  backward(grad, opts = {}) {
    backward(this, grad, opts);
  },
  requiresGrad_(requiresGrad = true) {
    this.requiresGrad = requiresGrad;
    return this;
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
  div(o, opts) {
    return F.div(this, o, opts);
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
  gelu(opts) {
    return F.gelu(this, opts);
  },
  softplus(opts) {
    return F.softplus(this, opts);
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
  // ---- math library, activations (src/api/math.ts) ----
  sin() {
    return F.sin(this);
  },
  cos() {
    return F.cos(this);
  },
  tan() {
    return F.tan(this);
  },
  asin() {
    return F.asin(this);
  },
  acos() {
    return F.acos(this);
  },
  atan() {
    return F.atan(this);
  },
  sinh() {
    return F.sinh(this);
  },
  cosh() {
    return F.cosh(this);
  },
  asinh() {
    return F.asinh(this);
  },
  acosh() {
    return F.acosh(this);
  },
  atanh() {
    return F.atanh(this);
  },
  erf() {
    return F.erf(this);
  },
  erfc() {
    return F.erfc(this);
  },
  erfinv() {
    return F.erfinv(this);
  },
  sign() {
    return F.sign(this);
  },
  floor() {
    return F.floor(this);
  },
  ceil() {
    return F.ceil(this);
  },
  trunc() {
    return F.trunc(this);
  },
  frac() {
    return F.frac(this);
  },
  reciprocal() {
    return F.reciprocal(this);
  },
  rsqrt() {
    return F.rsqrt(this);
  },
  log2() {
    return F.log2(this);
  },
  log10() {
    return F.log10(this);
  },
  log1p() {
    return F.log1p(this);
  },
  exp2() {
    return F.exp2(this);
  },
  expm1() {
    return F.expm1(this);
  },
  mish() {
    return F.mish(this);
  },
  selu() {
    return F.selu(this);
  },
  hardswish() {
    return F.hardswish(this);
  },
  hardsigmoid() {
    return F.hardsigmoid(this);
  },
  relu6() {
    return F.relu6(this);
  },
  softsign() {
    return F.softsign(this);
  },
  logsigmoid() {
    return F.logsigmoid(this);
  },
  round(opts) {
    return F.round(this, opts);
  },
  elu(opts) {
    return F.elu(this, opts);
  },
  celu(opts) {
    return F.celu(this, opts);
  },
  hardtanh(opts) {
    return F.hardtanh(this, opts);
  },
  hardshrink(lambd) {
    return F.hardshrink(this, lambd);
  },
  atan2(o) {
    return F.atan2(this, o);
  },
  logaddexp(o) {
    return F.logaddexp(this, o);
  },
  hypot(o) {
    return F.hypot(this, o);
  },
  fmod(o) {
    return F.fmod(this, o);
  },
  remainder(o) {
    return F.remainder(this, o);
  },
  floorDivide(o) {
    return F.floorDivide(this, o);
  },
  addcmul(t1, t2, opts) {
    return F.addcmul(this, t1, t2, opts);
  },
  addcdiv(t1, t2, opts) {
    return F.addcdiv(this, t1, t2, opts);
  },
  // ---- linear algebra, shapes ----
  matmul(o, opts) {
    return F.matmul(this, o, opts);
  },
  transpose(d0?, d1?) {
    return F.transpose(this, d0, d1);
  },
  permute(dims, ...more) {
    return F.permute(this, typeof dims === 'number' ? [dims, ...more] : (spread(dims, more) as number[]));
  },
  reshape(shape, ...more) {
    return F.reshape(this, spread(shape, more));
  },
  flatten(startDim = 0, endDim = -1) {
    return F.flatten(this, startDim, endDim);
  },
  unflatten(dim, sizes) {
    return F.unflatten(this, dim, sizes);
  },
  clone() {
    return F.clone(this);
  },
  contiguous() {
    this.assertAlive('contiguous');
    return this;
  },
  numel() {
    return this.size;
  },
  tolist() {
    return this.toArray();
  },
  slice(dim, start, end) {
    return F.slice(this, dim, start, end);
  },
  expand(shape, ...more) {
    return F.expand(this, spread(shape, more));
  },
  repeat(reps, ...more) {
    return F.repeat(this, spread(reps, more));
  },
  tile(reps, ...more) {
    return F.tile(this, spread(reps, more));
  },
  squeeze(dim?) {
    return F.squeeze(this, dim);
  },
  unsqueeze(dim) {
    return F.unsqueeze(this, dim);
  },
  flip(dims, ...more) {
    return F.flip(this, spread(dims, more));
  },
  roll(shifts, dims?) {
    return F.roll(this, shifts, dims);
  },
  narrow(dim, start, length) {
    return F.narrow(this, dim, start, length);
  },
  movedim(source, destination) {
    return F.movedim(this, source, destination);
  },
  split(sizeOrSections, dim = 0) {
    return F.split(this, sizeOrSections, dim);
  },
  chunk(chunks, dim = 0) {
    return F.chunk(this, chunks, dim);
  },
  unbind(dim = 0) {
    return F.unbind(this, dim);
  },
  // ---- reductions ----
  sum(dim?, keepdim = false) {
    return F.sum(this, dim, keepdim);
  },
  mean(dim?, keepdim = false) {
    return F.mean(this, dim, keepdim);
  },
  max(dim?: Dims | Tensor, keepdim = false) {
    return F.max(this, dim, keepdim) as WithIndices;
  },
  min(dim?: Dims | Tensor, keepdim = false) {
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
  // ---- indexing and selection (int32 indices) ----
  gather(dim, index) {
    return F.gather(this, dim, index);
  },
  scatter(dim, index, src, opts) {
    return F.scatter(this, dim, index, src, opts);
  },
  scatterAdd(dim, index, src) {
    return F.scatterAdd(this, dim, index, src);
  },
  indexAdd(dim, index, source, opts) {
    return F.indexAdd(this, dim, index, source, opts);
  },
  indexSelect(dim, index) {
    return F.indexSelect(this, dim, index);
  },
  take(index) {
    return F.take(this, index);
  },
  index(indices, dim?) {
    return F.index(this, indices, dim);
  },
  maskedFill(mask, value) {
    return F.maskedFill(this, mask, value);
  },
  maskedSelect(mask) {
    return F.maskedSelect(this, mask);
  },
  tril(diagonal = 0) {
    return F.tril(this, diagonal);
  },
  triu(diagonal = 0) {
    return F.triu(this, diagonal);
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
  sort(opts?, descending?) {
    return F.sort(this, opts, descending);
  },
  argsort(opts?, descending?) {
    return F.argsort(this, opts, descending);
  },
  topk(k, opts?, largest?, sorted?) {
    return F.topk(this, k, opts, largest, sorted);
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
  // ---- dtypes, integers and masks ----
  to(dtype) {
    return to(this, dtype);
  },
  float() {
    return to(this, 'float32');
  },
  int() {
    return to(this, 'int32');
  },
  logicalAnd(o) {
    return F.logicalAnd(this, o);
  },
  logicalOr(o) {
    return F.logicalOr(this, o);
  },
  logicalXor(o) {
    return F.logicalXor(this, o);
  },
  logicalNot() {
    return F.logicalNot(this);
  },
  // ---- sampling ----
  multinomial(numSamples, opts) {
    return F.multinomial(this, numSamples, opts);
  },
  bernoulli(p) {
    return F.bernoulli(this, p);
  },
  // ---- PyTorch conveniences ----
  dim() {
    return this.ndim;
  },
  t() {
    return F.t(this);
  },
  mm(o) {
    return F.mm(this, o);
  },
  bmm(o) {
    return F.bmm(this, o);
  },
  mv(v) {
    return F.mv(this, v);
  },
  dot(o) {
    return F.dot(this, o);
  },
  outer(o) {
    return F.outer(this, o);
  },
  isnan() {
    return F.isnan(this);
  },
  isinf() {
    return F.isinf(this);
  },
  isfinite() {
    return F.isfinite(this);
  },
  nanToNum(opts) {
    return F.nanToNum(this, opts);
  },
  isclose(o, opts) {
    return F.isclose(this, o, opts);
  },
  allclose(o, opts) {
    return F.allclose(this, o, opts);
  },
  equal(o) {
    return F.equal(this, o);
  },
  long() {
    return to(this, 'int32');
  },
  where(cond, other) {
    return F.where(cond, this, other);
  },
  expandAs(o) {
    checkTensor('expandAs', 'other', o);
    return F.expand(this, o.shape);
  },
  reshapeAs(o) {
    checkTensor('reshapeAs', 'other', o);
    return F.reshape(this, o.shape);
  },
  typeAs(o) {
    checkTensor('typeAs', 'other', o);
    return to(this, o.dtype);
  },
  select(dim, index) {
    return F.select(this, dim, index);
  },
  swapaxes(axis0, axis1) {
    return F.swapaxes(this, axis0, axis1);
  },
  swapdims(dim0, dim1) {
    return F.swapdims(this, dim0, dim1);
  },
  moveaxis(source, destination) {
    return F.moveaxis(this, source, destination);
  },
  broadcastTo(shape) {
    return F.broadcastTo(this, shape);
  },
  repeatInterleave(repeats, dim) {
    return F.repeatInterleave(this, repeats, dim);
  },
  diag(diagonal = 0) {
    return F.diag(this, diagonal);
  },
  diagonal(opts) {
    return F.diagonal(this, opts);
  },
  trace() {
    return F.trace(this);
  },
  fill_(value) {
    if (value instanceof Tensor && value.ndim !== 0)
      throw new ShapeError('fill_', `the value must be a number or a 0-d tensor, got a tensor of shape ${fmtShape(value.shape)}`);
    return this.copy_(value);
  },
  div_(o) {
    if (this.dtype === 'int32')
      throw new DTypeError('div_', `true division gives float32, which cannot be written into this int32 tensor ${fmtShape(this.shape)}`);
    return this.copy_(F.div(this, o));
  },
  clamp_(min, max) {
    return this.copy_(F.clamp(this, min, max));
  },
  // ---- statistics ----
  median(dim?: number, keepdim?: boolean) {
    return (dim === undefined ? F.median(this) : F.median(this, dim, keepdim)) as Tensor & ValuesIndices;
  },
  nanmedian(dim?: number, keepdim?: boolean) {
    return (dim === undefined ? F.nanmedian(this) : F.nanmedian(this, dim, keepdim)) as Tensor & ValuesIndices;
  },
  kthvalue(k, dim, keepdim) {
    return F.kthvalue(this, k, dim, keepdim);
  },
  mode(dim, keepdim) {
    return F.mode(this, dim, keepdim);
  },
  msort() {
    return F.msort(this);
  },
  quantile(q, opts) {
    return F.quantile(this, q, opts);
  },
  nanquantile(q, opts) {
    return F.nanquantile(this, q, opts);
  },
  nansum(dim, keepdim) {
    return F.nansum(this, dim, keepdim);
  },
  nanmean(dim, keepdim) {
    return F.nanmean(this, dim, keepdim);
  },
  countNonzero(dim) {
    return F.countNonzero(this, dim);
  },
  aminmax(opts) {
    return F.aminmax(this, opts);
  },
  takeAlongDim(indices, dim) {
    return F.takeAlongDim(this, indices, dim);
  },
  cov(opts) {
    return F.cov(this, opts);
  },
  corrcoef() {
    return F.corrcoef(this);
  },
  histc(opts) {
    return F.histc(this, opts);
  },
  nonzero(opts) {
    return F.nonzero(this, opts);
  },
  argwhere() {
    return F.argwhere(this);
  },
  unique(opts) {
    return F.unique(this, opts);
  },
  uniqueConsecutive(opts) {
    return F.uniqueConsecutive(this, opts);
  },
  bincount(opts) {
    return F.bincount(this, opts);
  },
};

for (const [name, fn] of Object.entries(methods)) Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
