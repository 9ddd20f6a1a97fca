/**
 * The Tensor methods: every op of the API as a method (t.add(u) is wg.add(t, u)), backward() and
 * the in-place forms. The engine defines Tensor without them (it must not import the API above it);
 * they are installed on Tensor.prototype here, and declaration merging gives them their types.
 * src/index.ts imports this module, so every tensor a user sees has them.
 */
import { backward, type BackwardOptions } from '../engine/autodiff.js';
import { registerHook, retainGrad, type RemovableHandle } from '../engine/backward-hooks.js';
import type { GradHook } from '../engine/tensor.js';
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
import * as P from './parity-shape.js';
import type { DiagEmbedAttrs } from '../ops/parity-shape.js';
import type { NestedArray } from '../engine/tensor.js';
import { empty } from './convenience.js';
import { full, ones, tensor, zeros, type CreateOptions } from './creation.js';
import { like } from './factories.js';
import type { AddProductAttrs } from '../ops/parity-math.js';
import type { DiffOptions } from './parity-math.js';

declare module '../engine/tensor.js' {
  interface Tensor {
    /**
     * Backpropagates from this tensor: adds d(this)/d(leaf) · seed into every leaf's .grad.
     * The seed defaults to 1 for a one-element tensor. Frees the graph unless retainGraph.
     */
    backward(grad?: TensorLike | ArrayLike<number>, opts?: BackwardOptions): void;
    /** Makes backward() fill this non-leaf's .grad (accumulating, as a leaf's); a no-op on leaves. Eager only. */
    retainGrad(): void;
    /**
     * fn(grad) runs when backward computes the gradient w.r.t. this tensor (a leaf's before it is
     * added to .grad) and may return a replacement of the same shape. Eager only.
     */
    registerHook(fn: GradHook): RemovableHandle;
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
    clamp(min: number | Tensor | null, max?: number | Tensor | null): Tensor;
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
    clamp_(min: number | Tensor | null, max?: number | Tensor | null): this;
    // ---- PyTorch parity: views, tensor facts, new*, random fills (src/api/parity-shape.ts) ----
    /** reshape's rules and errors (one -1, same size), as a copy: writes into it do not reach this tensor. view(dtype) is a DTypeError. */
    view(shape: readonly number[] | number | DType, ...more: number[]): Tensor;
    /** view(other.shape). */
    viewAs(other: Tensor): Tensor;
    /** PyTorch's type string ('torch.FloatTensor', 'torch.IntTensor'). */
    type(): string;
    /** This tensor as dtype ('float32', 'int32' or their torch names), as to(dtype). */
    type(dtype: DType | string): Tensor;
    /** Bytes per element: 4 (float32 and int32). */
    elementSize(): number;
    /** true: every tensor here is contiguous. */
    isContiguous(): boolean;
    /** Whether the dtype is float32. */
    isFloatingPoint(): boolean;
    /** The contiguous row-major strides (empty dims counted as 1, as PyTorch). */
    stride(): number[];
    /** The stride of one dim (negative from the end). */
    stride(dim: number): number;
    /** The number of elements (numel). */
    nelement(): number;
    /** zeros(size) with this tensor's dtype unless opts gives one. */
    newZeros(size: readonly number[] | number, opts?: Omit<CreateOptions, 'shape'>): Tensor;
    /** PyTorch's varargs form: newZeros(2, 3) is newZeros([2, 3]) (newOnes, newEmpty too). */
    newZeros(...sizeThenOpts: [...size: number[], opts: Omit<CreateOptions, 'shape'>] | number[]): Tensor;
    newOnes(size: readonly number[] | number, opts?: Omit<CreateOptions, 'shape'>): Tensor;
    newOnes(...sizeThenOpts: [...size: number[], opts: Omit<CreateOptions, 'shape'>] | number[]): Tensor;
    newFull(size: readonly number[] | number, fillValue: number, opts?: Omit<CreateOptions, 'shape'>): Tensor;
    /** Zeros, as wg.empty (no uninitialised memory is handed out). */
    newEmpty(size: readonly number[] | number, opts?: Omit<CreateOptions, 'shape'>): Tensor;
    newEmpty(...sizeThenOpts: [...size: number[], opts: Omit<CreateOptions, 'shape'>] | number[]): Tensor;
    /** wg.tensor(data) with this tensor's dtype unless opts gives one. */
    newTensor(data: NestedArray | ArrayLike<number>, opts?: CreateOptions): Tensor;
    /** Fills with U(from, to) (0, 1) from the seeded stream, in place (same rules as copy_). */
    uniform_(from?: number, to?: number): this;
    /** Fills with N(mean, std²) (0, 1) from the seeded stream, in place. */
    normal_(mean?: number, std?: number): this;
    /** Fills with 1 with probability p (0.5), else 0, in place. */
    bernoulli_(p?: number): this;
    ravel(): Tensor;
    tensorSplit(indicesOrSections: number | readonly number[] | Tensor, dim?: number): Tensor[];
    hsplit(sectionsOrIndices: number | readonly number[]): Tensor[];
    vsplit(sectionsOrIndices: number | readonly number[]): Tensor[];
    dsplit(sectionsOrIndices: number | readonly number[]): Tensor[];
    fliplr(): Tensor;
    flipud(): Tensor;
    rot90(k?: number, dims?: readonly number[]): Tensor;
    diagEmbed(opts?: DiagEmbedAttrs): Tensor;
    diagflat(offset?: number): Tensor;
    // ---- more elementwise and linear algebra (src/api/parity-math.ts) ----
    /** this ≠ o as a float32 0/1 mask (no gradient). */
    ne(o: TensorLike): Tensor;
    notEqual(o: TensorLike): Tensor;
    greater(o: TensorLike): Tensor;
    less(o: TensorLike): Tensor;
    greaterEqual(o: TensorLike): Tensor;
    lessEqual(o: TensorLike): Tensor;
    clip(min?: number | Tensor | null, max?: number | Tensor | null): Tensor;
    clampMin(min: number | Tensor): Tensor;
    clampMax(max: number | Tensor): Tensor;
    absolute(): Tensor;
    sgn(): Tensor;
    trueDivide(o: TensorLike): Tensor;
    negative(): Tensor;
    multiply(o: TensorLike): Tensor;
    subtract(o: TensorLike): Tensor;
    divide(o: TensorLike, opts?: DivOptions): Tensor;
    xlogy(o: TensorLike): Tensor;
    logit(eps?: number | null): Tensor;
    deg2rad(): Tensor;
    rad2deg(): Tensor;
    fmax(o: TensorLike): Tensor;
    fmin(o: TensorLike): Tensor;
    copysign(o: TensorLike): Tensor;
    sinc(): Tensor;
    logaddexp2(o: TensorLike): Tensor;
    heaviside(values: TensorLike): Tensor;
    signbit(): Tensor;
    ldexp(e: TensorLike): Tensor;
    floatPower(e: TensorLike): Tensor;
    dist(o: Tensor, p?: number): Tensor;
    renorm(p: number, dim: number, maxnorm: number): Tensor;
    lgamma(): Tensor;
    digamma(): Tensor;
    polygamma(n: number): Tensor;
    mvlgamma(p: number): Tensor;
    i0(): Tensor;
    gcd(o: Tensor): Tensor;
    lcm(o: Tensor): Tensor;
    nextafter(o: TensorLike): Tensor;
    isposinf(): Tensor;
    isneginf(): Tensor;
    isreal(): Tensor;
    /** beta·this + alpha·(mat1·mat2). */
    addmm(mat1: Tensor, mat2: Tensor, opts?: AddProductAttrs): Tensor;
    addmv(mat: Tensor, vec: Tensor, opts?: AddProductAttrs): Tensor;
    addr(vec1: Tensor, vec2: Tensor, opts?: AddProductAttrs): Tensor;
    baddbmm(batch1: Tensor, batch2: Tensor, opts?: AddProductAttrs): Tensor;
    addbmm(batch1: Tensor, batch2: Tensor, opts?: AddProductAttrs): Tensor;
    inner(o: Tensor): Tensor;
    kron(o: Tensor): Tensor;
    cross(o: Tensor, dim?: number | null): Tensor;
    diff(opts?: DiffOptions): Tensor;
    // ---- statistics ----
    median(): Tensor;
    median(dim: number, keepdim?: boolean): ValuesIndices;
    nanmedian(): Tensor;
    nanmedian(dim: number, keepdim?: boolean): ValuesIndices;
    kthvalue(k: number, dim?: number, keepdim?: boolean): ValuesIndices;
    mode(dim?: number, keepdim?: boolean): ValuesIndices;
    msort(): Tensor;
    /** q a number, a list or a 1-D tensor; a number as opts is the dim. */
    quantile(q: number | readonly number[] | Tensor, opts?: QuantileOptions | number, keepdim?: boolean): Tensor;
    nanquantile(q: number | readonly number[] | Tensor, opts?: QuantileOptions | number, keepdim?: boolean): Tensor;
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
  retainGrad() {
    retainGrad(this);
  },
  registerHook(fn) {
    return registerHook(this, fn);
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
  // ---- PyTorch parity (src/api/parity-shape.ts) ----
  view(shape, ...more) {
    return P.view(this, typeof shape === 'string' ? shape : spread(shape, more));
  },
  viewAs(other) {
    return P.viewAs(this, other);
  },
  type(dtype?: DType | string) {
    return P.type(this, dtype) as Tensor & string;
  },
  elementSize() {
    this.assertAlive('elementSize');
    return 4;
  },
  isContiguous() {
    this.assertAlive('isContiguous');
    return true;
  },
  isFloatingPoint() {
    return P.isFloatingPoint(this);
  },
  stride(dim?: number) {
    return P.stride(this, dim) as number & number[];
  },
  nelement() {
    return this.size;
  },
  newZeros(...args: unknown[]) {
    const [size, opts] = P.newSizeArgs(args);
    return zeros(size, like('newZeros', this, opts));
  },
  newOnes(...args: unknown[]) {
    const [size, opts] = P.newSizeArgs(args);
    return ones(size, like('newOnes', this, opts));
  },
  newFull(size, fillValue, opts) {
    return full(size, fillValue, like('newFull', this, opts));
  },
  newEmpty(...args: unknown[]) {
    const [size, opts] = P.newSizeArgs(args);
    return empty(size, like('newEmpty', this, opts));
  },
  newTensor(data, opts) {
    const { shape, ...rest } = opts ?? {};
    return tensor(data, { ...like('newTensor', this, rest), ...(shape === undefined ? {} : { shape }) });
  },
  uniform_(from = 0, to = 1) {
    P.uniform_(this, from, to);
    return this;
  },
  normal_(mean = 0, std = 1) {
    P.normal_(this, mean, std);
    return this;
  },
  bernoulli_(p = 0.5) {
    P.bernoulli_(this, p);
    return this;
  },
  ravel() {
    return P.ravel(this);
  },
  tensorSplit(indicesOrSections, dim = 0) {
    return P.tensorSplit(this, indicesOrSections, dim);
  },
  hsplit(sectionsOrIndices) {
    return P.hsplit(this, sectionsOrIndices);
  },
  vsplit(sectionsOrIndices) {
    return P.vsplit(this, sectionsOrIndices);
  },
  dsplit(sectionsOrIndices) {
    return P.dsplit(this, sectionsOrIndices);
  },
  fliplr() {
    return P.fliplr(this);
  },
  flipud() {
    return P.flipud(this);
  },
  rot90(k = 1, dims = [0, 1]) {
    return P.rot90(this, k, dims);
  },
  diagEmbed(opts) {
    return P.diagEmbed(this, opts);
  },
  diagflat(offset = 0) {
    return P.diagflat(this, offset);
  },
  // ---- more elementwise and linear algebra (src/api/parity-math.ts) ----
  ne(o) {
    return F.ne(this, o);
  },
  notEqual(o) {
    return F.notEqual(this, o);
  },
  greater(o) {
    return F.greater(this, o);
  },
  less(o) {
    return F.less(this, o);
  },
  greaterEqual(o) {
    return F.greaterEqual(this, o);
  },
  lessEqual(o) {
    return F.lessEqual(this, o);
  },
  clip(min, max) {
    return F.clip(this, min, max);
  },
  clampMin(min) {
    return F.clampMin(this, min);
  },
  clampMax(max) {
    return F.clampMax(this, max);
  },
  absolute() {
    return F.absolute(this);
  },
  sgn() {
    return F.sgn(this);
  },
  trueDivide(o) {
    return F.trueDivide(this, o);
  },
  negative() {
    return F.negative(this);
  },
  multiply(o) {
    return F.multiply(this, o);
  },
  subtract(o) {
    return F.subtract(this, o);
  },
  divide(o, opts) {
    return F.divide(this, o, opts);
  },
  xlogy(o) {
    return F.xlogy(this, o);
  },
  logit(eps) {
    return F.logit(this, eps);
  },
  deg2rad() {
    return F.deg2rad(this);
  },
  rad2deg() {
    return F.rad2deg(this);
  },
  fmax(o) {
    return F.fmax(this, o);
  },
  fmin(o) {
    return F.fmin(this, o);
  },
  copysign(o) {
    return F.copysign(this, o);
  },
  sinc() {
    return F.sinc(this);
  },
  logaddexp2(o) {
    return F.logaddexp2(this, o);
  },
  heaviside(values) {
    return F.heaviside(this, values);
  },
  signbit() {
    return F.signbit(this);
  },
  ldexp(e) {
    return F.ldexp(this, e);
  },
  floatPower(e) {
    return F.floatPower(this, e);
  },
  dist(o, p) {
    return F.dist(this, o, p);
  },
  renorm(p, dim, maxnorm) {
    return F.renorm(this, p, dim, maxnorm);
  },
  lgamma() {
    return F.lgamma(this);
  },
  digamma() {
    return F.digamma(this);
  },
  polygamma(n) {
    return F.polygamma(n, this);
  },
  mvlgamma(p) {
    return F.mvlgamma(this, p);
  },
  i0() {
    return F.i0(this);
  },
  gcd(o) {
    return F.gcd(this, o);
  },
  lcm(o) {
    return F.lcm(this, o);
  },
  nextafter(o) {
    return F.nextafter(this, o);
  },
  isposinf() {
    return F.isposinf(this);
  },
  isneginf() {
    return F.isneginf(this);
  },
  isreal() {
    return F.isreal(this);
  },
  addmm(mat1, mat2, opts) {
    return F.addmm(this, mat1, mat2, opts);
  },
  addmv(mat, vec, opts) {
    return F.addmv(this, mat, vec, opts);
  },
  addr(vec1, vec2, opts) {
    return F.addr(this, vec1, vec2, opts);
  },
  baddbmm(batch1, batch2, opts) {
    return F.baddbmm(this, batch1, batch2, opts);
  },
  addbmm(batch1, batch2, opts) {
    return F.addbmm(this, batch1, batch2, opts);
  },
  inner(o) {
    return F.inner(this, o);
  },
  kron(o) {
    return F.kron(this, o);
  },
  cross(o, dim) {
    return F.cross(this, o, dim);
  },
  diff(opts) {
    return F.diff(this, opts);
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
  quantile(q, opts, keepdim) {
    return F.quantile(this, q, opts, keepdim);
  },
  nanquantile(q, opts, keepdim) {
    return F.nanquantile(this, q, opts, keepdim);
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
