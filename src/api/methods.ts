/**
 * The Tensor methods: every op of the API as a method (t.add(u) is wg.add(t, u)), backward() and
 * the in-place forms. The engine defines Tensor without them (it must not import the API above it);
 * they are installed on Tensor.prototype here, and declaration merging gives them their types.
 * src/index.ts imports this module, so every tensor a user sees has them.
 */
import { backward, type BackwardOptions } from '../engine/autodiff.js';
import type { Seed } from '../engine/backward-graph.js';
import { torchArgs } from './keywords.js';
import { registerHook, retainGrad, type RemovableHandle } from '../engine/backward-hooks.js';
import type { GradHook } from '../engine/tensor.js';
import { checkTensor } from '../engine/check.js';
import { Tensor } from '../engine/tensor.js';
import type { MatmulOptions } from '../ops/linalg.js';
import type { AlphaOptions, DivOptions, GeluOptions, SoftplusOptions } from './elementwise.js';
import * as F from './functional.js';
import type { ScatterReduce } from './indexing.js';
import type { AddcOptions } from './math.js';
import type { Dims, DtypeOptions, ReduceArgs, VarOptions, WithIndices } from './reduce.js';
import type { SortOptions, TopkOptions, ValuesIndices } from './sort.js';
import type { CovOptions, MinMax, QuantileOptions } from './statistics.js';
import type { HistcOptions, UniqueOptions } from './counting.js';
import { IN_PLACE_CASTS, IN_PLACE_SHAPES, IN_PLACE_VALUES, assign, writeInPlace, type InPlaceKind } from './inplace.js';
import { to } from './integer.js';
import { unfoldDim } from './layout.js';
import type { DType } from '../ops/types.js';
import { toTarget, type ToTarget } from './torch-names.js';
import { boolMask, narrowInt } from './torch-dtypes.js';
import { lu, type LuResult } from './torch-extras.js';
import { histogram, type HistogramOptions, type HistogramResult } from './histogram.js';
import { acceptGenerator, type GeneratorOption } from './generator.js';
import { asStrided_, newEmptyStrided } from './strided.js';
import { isSetTo, isShared, resizeAs_, resize_, shareMemory_ } from './resize.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import type { DiagonalAttrs, IscloseAttrs } from '../ops/convenience.js';
import * as P from './parity-shape.js';
import type { DiagEmbedAttrs } from '../ops/parity-shape.js';
import type { NestedArray } from '../engine/tensor.js';
import { empty, matrixTranspose, reversedDims } from './convenience.js';
import { full, ones, sizeArgs, tensor, zeros, type CreateOptions } from './creation.js';
import { like } from './factories.js';
import { apply_, map_, map2_ } from './apply-map.js';
import { getDevice } from './torch-runtime.js';
import { isInference } from './grad-mode.js';
import type { AddProductAttrs } from '../ops/parity-math.js';
import type { DiffOptions } from './parity-math.js';
import type { IndexReduce, SliceScatterOptions } from './scatters.js';
import type { Named } from './linalg-host.js';

/** torch's Tensor.backward(gradient, retain_graph, create_graph, inputs): the arguments after the gradient go in the options object. */
const BACKWARD_FORM = { positional: ['gradient'], options: ['retainGraph', 'createGraph', 'inputs'] } as const;

/** The methods with an in-place form (src/api/inplace.ts). */
type InPlaceBase = (typeof IN_PLACE_VALUES | typeof IN_PLACE_CASTS | typeof IN_PLACE_SHAPES)[number];
/** x.name_(...args): x.name's arguments, x itself returned. */
type InPlaceMethods = { [K in InPlaceBase as `${K}_`]: (...args: Parameters<Tensor[K]>) => Tensor };

declare module '../engine/tensor.js' {
  interface Tensor extends InPlaceMethods {
    /**
     * Backpropagates from this tensor: adds d(this)/d(leaf) · seed into every leaf's .grad.
     * The seed defaults to 1 for a one-element tensor. Frees the graph unless retainGraph. Also
     * torch's keyword form `backward({ gradient?, retainGraph, createGraph, inputs })` and its
     * positional one `backward(gradient, retainGraph, createGraph, inputs)`.
     */
    backward(grad?: TensorLike | ArrayLike<number>, opts?: BackwardOptions): void;
    backward(keywords: BackwardOptions & { gradient?: TensorLike | ArrayLike<number> }): void;
    backward(grad: TensorLike | ArrayLike<number> | undefined, retainGraph?: boolean, createGraph?: boolean, inputs?: Tensor | readonly Tensor[]): void;
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
    add(o: TensorLike, opts?: AlphaOptions): Tensor;
    sub(o: TensorLike, opts?: AlphaOptions): Tensor;
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
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
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
    /** split with a list of sizes (PyTorch's split_with_sizes); unsafeSplit / unsafeChunk are split / chunk (every result is a copy here). */
    splitWithSizes(splitSizes: readonly number[], dim?: number): Tensor[];
    unsafeSplit(sizeOrSections: number | readonly number[], dim?: number): Tensor[];
    unsafeSplitWithSizes(splitSizes: readonly number[], dim?: number): Tensor[];
    unsafeChunk(chunks: number, dim?: number): Tensor[];
    /** narrow (its result is a copy here anyway). */
    narrowCopy(dim: number, start: number, length: number): Tensor;
    /** F.prelu(this, weight). */
    prelu(weight: Tensor): Tensor;
    /** wg.asStrided(this, size, stride, storageOffset): the strided view of this tensor's row-major elements (a copy). */
    asStrided(size: readonly number[] | number, stride: readonly number[] | number, storageOffset?: number | null): Tensor;
    /** This tensor becomes its strided view (shape and element count may change). */
    asStrided_(size: readonly number[] | number, stride: readonly number[] | number, storageOffset?: number | null): Tensor;
    /** wg.emptyStrided in this tensor's dtype (zeros; contiguous). */
    newEmptyStrided(size: readonly number[] | number, stride: readonly number[] | number, opts?: Omit<CreateOptions, 'shape'>): Tensor;
    /** torch.lu(this, pivot, getInfos): {LU, pivots} (and info). */
    lu(pivot?: boolean, getInfos?: boolean): LuResult;
    /** The tensor itself (PyTorch's x.real of a real tensor, a property). */
    readonly real: Tensor;
    /** Device facts of a CPU tensor: isCpu true; isCuda, isSparse, isQuantized, isMeta, isMkldnn, isNested false. */
    readonly isCpu: boolean;
    readonly isCuda: boolean;
    readonly isSparse: boolean;
    readonly isQuantized: boolean;
    readonly isMeta: boolean;
    readonly isMkldnn: boolean;
    readonly isNested: boolean;
    /** −1, PyTorch's device index of a CPU tensor. */
    getDevice(): number;
    /** 0: every tensor here owns its storage from the start. */
    storageOffset(): number;
    /** false: inference-mode tensors are ordinary tensors here. */
    isInference(): boolean;
    /** More device facts, all false here (torch's is_xpu, is_ipu, is_mps, is_ort, is_vulkan). */
    readonly isXpu: boolean;
    readonly isIpu: boolean;
    readonly isMps: boolean;
    readonly isOrt: boolean;
    readonly isVulkan: boolean;
    /** 'strided' (torch.strided): every tensor here is dense. */
    readonly layout: 'strided';
    /** torch's dim names: null for every dim (there are no named tensors here). */
    readonly names: null[];
    /** false: no dim is named. */
    hasNames(): boolean;
    /** false: not in pinned (page-locked, CUDA) memory. */
    isPinned(): boolean;
    /** false: torch.distributed is not part of wasmgrad. */
    isDistributed(): boolean;
    /** The tensor itself, as torch's to_dense of a dense tensor. */
    toDense(): this;
    /** A ValueError: there is no CUDA device (torch without CUDA: "Torch not compiled with CUDA enabled"). */
    cuda(): never;
    /** A ValueError: pinned memory needs a CUDA device, as torch without one. */
    pinMemory(): never;
    /**
     * torch's legacy Tensor.new, of this tensor's dtype: `x.new(data)` (nested arrays or a typed
     * array, copied), `x.new(2, 3)` (sizes: zeros here, torch's memory is uninitialised), `x.new()` (an
     * empty [0] tensor), `x.new(t)` (a view of t, which must have x's dtype: torch's alias).
     */
    'new'(...args: unknown[]): Tensor;
    /** torch's apply_: each element x becomes fn(x), in place (JavaScript per element; refused on a tensor that requires grad, and inside wg.compile). */
    apply_(fn: (x: number) => number): Tensor;
    /** torch's map_: each element x becomes fn(x, y), other broadcast to this tensor's shape. */
    map_(other: Tensor, fn: (x: number, y: number) => number): Tensor;
    /** torch's map2_: each element a becomes fn(a, b, c), x and y broadcast to this tensor's shape. */
    map2_(x: Tensor, y: Tensor, fn: (a: number, b: number, c: number) => number): Tensor;
    unbind(dim?: number): Tensor[];
    // ---- reductions ----
    /** torch's dtype keyword as the last argument: x.sum({ dtype }), x.sum(dim, { dtype }), x.sum(dim, keepdim, { dtype }). */
    sum(...args: ReduceArgs): Tensor;
    /** int32 needs { dtype: 'float32' }. */
    mean(...args: ReduceArgs): Tensor;
    /** Over one dim: the values, carrying `.indices` (int32, PyTorch's first arg-max). */
    max(dim: number, keepdim?: boolean): WithIndices;
    /** With a tensor: the elementwise maximum (torch's x.max(other)). */
    max(dimOrOther?: Dims | Tensor, keepdim?: boolean): Tensor;
    min(dim: number, keepdim?: boolean): WithIndices;
    min(dimOrOther?: Dims | Tensor, keepdim?: boolean): Tensor;
    softmax(dim?: number): Tensor;
    logSoftmax(dim?: number): Tensor;
    logsumexp(dim?: Dims, keepdim?: boolean): Tensor;
    var(dim?: Dims | boolean, opts?: VarOptions | boolean, keepdim?: boolean): Tensor;
    std(dim?: Dims | boolean, opts?: VarOptions | boolean, keepdim?: boolean): Tensor;
    prod(...args: ReduceArgs): Tensor;
    amax(dim?: Dims, keepdim?: boolean): Tensor;
    amin(dim?: Dims, keepdim?: boolean): Tensor;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    all(dim?: Dims, keepdim?: boolean): Tensor;
    any(dim?: Dims, keepdim?: boolean): Tensor;
    norm(p?: number | 'fro', dim?: Dims, keepdim?: boolean): Tensor;
    varMean(dim?: Dims | boolean, opts?: VarOptions | boolean, keepdim?: boolean): [Tensor, Tensor];
    stdMean(dim?: Dims | boolean, opts?: VarOptions | boolean, keepdim?: boolean): [Tensor, Tensor];
    // ---- sorting, scans ----
    /** Options, or PyTorch's positional (dim, descending). */
    sort(opts?: SortOptions | number, descending?: boolean): ValuesIndices;
    argsort(opts?: SortOptions | number, descending?: boolean): Tensor;
    /** Options, or PyTorch's positional (dim, largest, sorted). */
    topk(k: number, opts?: TopkOptions | number, largest?: boolean, sorted?: boolean): ValuesIndices;
    cumsum(dim: number, opts?: DtypeOptions): Tensor;
    cumprod(dim: number, opts?: DtypeOptions): Tensor;
    cummax(dim: number): ValuesIndices;
    cummin(dim: number): ValuesIndices;
    logcumsumexp(dim: number): Tensor;
    // ---- indexing and selection (int32 indices) ----
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number, opts?: { reduce?: ScatterReduce }): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    scatterReduce(dim: number, index: Tensor, src: Tensor, reduce: ScatterReduce, opts?: { includeSelf?: boolean }): Tensor;
    indexAdd(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    indexCopy(dim: number, index: Tensor, source: Tensor): Tensor;
    indexFill(dim: number, index: Tensor, value: number): Tensor;
    unfold(dimension: number, size: number, step: number): Tensor;
    take(index: Tensor): Tensor;
    /** PyTorch's x[idx] (along dim) or x[e0, e1, …] (int32 tensors, integers, null = a full slice). */
    index(indices: Tensor | readonly (Tensor | number | null)[], dim?: number): Tensor;
    maskedFill(mask: Tensor, value: number | Tensor): Tensor;
    maskedSelect(mask: Tensor): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    // ---- in-place (recorded by autograd as PyTorch's; a leaf that requires grad only inside wg.noGrad) ----
    /** Copies src (broadcast to this shape) into this tensor's storage. */
    copy_(src: TensorLike): this;
    zero_(): this;
    // ---- dtypes, integers and masks ----
    /** This tensor as dtype (itself when it already is); float32 → int32 truncates toward zero. */
    /**
     * This tensor in a dtype ('float32', 'int32'; itself when it already is), or on a device: 'cpu',
     * the only one, gives itself (another is a ValueError); also another tensor (its dtype) or
     * { dtype?, device? }, as PyTorch's to.
     */
    to(target: ToTarget): Tensor;
    /** Itself: wasmgrad computes on the CPU (PyTorch's cpu()). */
    cpu(): this;
    /** Itself (a real tensor; wasmgrad has no complex dtype): PyTorch's conj, conjPhysical, resolveConj, resolveNeg. */
    conj(): this;
    conjPhysical(): this;
    resolveConj(): this;
    resolveNeg(): this;
    /** false: no lazy conjugation or negation here. */
    isConj(): boolean;
    isNeg(): boolean;
    /** The last two dims swapped (PyTorch's adjoint of a real tensor). */
    adjoint(): Tensor;
    /** π where negative, else 0, NaN at NaN (PyTorch's angle of a real tensor; zero gradient). */
    angle(): Tensor;
    /** 'cpu', the only device (PyTorch's x.device). */
    readonly device: 'cpu';
    /** The number of dims, as `ndim` (PyTorch's ndimension()). */
    ndimension(): number;
    /** to('float32'). */
    float(): Tensor;
    /** to('int32'). */
    int(): Tensor;
    /** to('float32'): wasmgrad has no float64, double() keeps float32 (itself when float32, its gradient flows on). */
    double(): Tensor;
    /** to('float32'): no float16 here, the values are not rounded to half precision (itself when float32). */
    half(): Tensor;
    /** to('float32'): no bfloat16 here, the values are not rounded (itself when float32). */
    bfloat16(): Tensor;
    /** torch's bool(): nonzero (NaN too) → 1, else 0, as the float32 0/1 mask of the comparisons (no bool dtype here). */
    bool(): Tensor;
    /** torch's uint8 cast in int32: truncated toward zero, then modulo 2⁸ (300 → 44, −1 → 255). */
    byte(): Tensor;
    /** torch's int8 cast in int32: truncated toward zero, then wrapped into [−128, 127] (128 → −128). */
    char(): Tensor;
    /** torch's int16 cast in int32: truncated toward zero, then wrapped into [−32768, 32767]. */
    short(): Tensor;
    logicalAnd(o: TensorLike): Tensor;
    logicalOr(o: TensorLike): Tensor;
    logicalXor(o: TensorLike): Tensor;
    logicalNot(): Tensor;
    /** int32 only (a DTypeError for float32, as PyTorch); o an int32 tensor or an integer. */
    bitwiseAnd(o: TensorLike): Tensor;
    bitwiseOr(o: TensorLike): Tensor;
    bitwiseXor(o: TensorLike): Tensor;
    bitwiseNot(): Tensor;
    /** The count is taken mod 32 (PyTorch 1.13 on the CPU). */
    bitwiseLeftShift(o: TensorLike): Tensor;
    /** Arithmetic; the count is taken mod 32. */
    bitwiseRightShift(o: TensorLike): Tensor;
    // ---- sampling ----
    multinomial(numSamples: number, opts?: { replacement?: boolean } & GeneratorOption): Tensor;
    bernoulli(p?: number, opts?: GeneratorOption): Tensor;
    // ---- PyTorch conveniences (src/api/convenience.ts) ----
    /** The number of dims, as `ndim` (PyTorch's dim()). */
    dim(): number;
    /** 2-D: transposed; 0-d and 1-D: unchanged; more dims: ShapeError (PyTorch's t()). */
    t(): Tensor;
    /** The dims reversed, a copy (PyTorch's x.T: 0-d and 1-D unchanged, 2-D transposed). */
    readonly T: Tensor;
    /** The last two dims swapped, a copy (PyTorch's x.mT; a 1-D tensor is a ShapeError). */
    readonly mT: Tensor;
    /** x.mT (PyTorch's conjugate transpose; every tensor here is real). */
    readonly mH: Tensor;
    /** The transpose of a matrix, x.mT for 2-D only (PyTorch's x.H; 0-d unchanged). */
    readonly H: Tensor;
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
    repeatInterleave(repeats: number | Tensor, dim?: number | null): Tensor;
    diag(diagonal?: number): Tensor;
    diagonal(opts?: DiagonalAttrs): Tensor;
    trace(): Tensor;
    /** Fills with a number or a 0-d tensor (in place, same rules as copy_). */
    fill_(value: number | Tensor): this;
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
    /** Fills with U(from, to) (0, 1) from the seeded stream, in place (same rules as copy_). These fills take torch's `{ generator }` last. */
    uniform_(from?: number, to?: number, opts?: GeneratorOption): this;
    /** Fills with N(mean, std²) (0, 1) from the seeded stream, in place. */
    normal_(mean?: number, std?: number, opts?: GeneratorOption): this;
    /** Fills with 1 with probability p (0.5), else 0, in place. */
    bernoulli_(p?: number | Tensor, opts?: GeneratorOption): this;
    /** Fills with Exp(lambd) (1) samples from the seeded stream, in place. */
    exponential_(lambd?: number, opts?: GeneratorOption): this;
    /** Fills with Cauchy(median, sigma) (0, 1) samples, in place. */
    cauchy_(median?: number, sigma?: number, opts?: GeneratorOption): this;
    /** Fills with exp(N(mean, std²)) (1, 2) samples, in place. */
    logNormal_(mean?: number, std?: number, opts?: GeneratorOption): this;
    /** Fills with the number of Bernoulli(p) trials to the first success (≥ 1), in place (float32 or int32). */
    geometric_(p: number, opts?: GeneratorOption): this;
    /** Fills with integers uniform in [from, to − 1] (random_(to): [0, to − 1]; no bounds: [0, 2²⁴] float32, [0, 2³¹ − 1] int32), in place. */
    random_(from?: number, to?: number, opts?: GeneratorOption): this;
    /** Writes fillValue on the main diagonal (2-D, or n-D with equal dims; `wrap` continues a tall matrix's), in place. */
    fillDiagonal_(fillValue: number, wrap?: boolean): this;
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
    /** Always a DTypeError, as PyTorch's on float32 and int32: its result would be float64, which is not written into this tensor's dtype. */
    floatPower_(e: TensorLike): never;
    dist(o: Tensor, p?: number): Tensor;
    renorm(p: number, dim: number, maxnorm: number): Tensor;
    lgamma(): Tensor;
    digamma(): Tensor;
    polygamma(n: number): Tensor;
    mvlgamma(p: number): Tensor;
    /** P(this, x), the regularized lower incomplete gamma function (torch.Tensor.igamma); gradient for x only. */
    igamma(x: TensorLike): Tensor;
    /** Q(this, x) = 1 − P(this, x) (torch.Tensor.igammac); gradient for x only. */
    igammac(x: TensorLike): Tensor;
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
    // ---- more PyTorch names (src/api/torch-names.ts, src/api/scatters.ts) ----
    arccos(): Tensor;
    arcsin(): Tensor;
    arctan(): Tensor;
    arctan2(o: TensorLike): Tensor;
    arccosh(): Tensor;
    arcsinh(): Tensor;
    arctanh(): Tensor;
    /** The tensor itself (torch.positive). */
    positive(): Tensor;
    fix(): Tensor;
    ger(o: Tensor): Tensor;
    vdot(o: Tensor): Tensor;
    /** [mantissa, int32 exponent] with this = mantissa·2^exponent, |mantissa| in [0.5, 1). */
    frexp(): [mantissa: Tensor, exponent: Tensor];
    // ---- the LU and Cholesky family of wg.linalg, under torch's Tensor names ----
    /** linalg.inv. */
    inverse(): Tensor;
    det(): Tensor;
    /** { sign, logabsdet }. */
    slogdet(): { sign: Tensor; logabsdet: Tensor } & Iterable<Tensor>;
    /** log(det): NaN for a negative determinant, −∞ for a singular matrix. */
    logdet(): Tensor;
    /** torch.lu_solve(this, LU, pivots). */
    luSolve(LU: Tensor, pivots: Tensor): Tensor;
    /** L (or U with upper) of this symmetric positive-definite matrix. */
    cholesky(upper?: boolean): Tensor;
    /** X with A·X = this, for A = L·Lᵀ given by its factor. */
    choleskySolve(L: Tensor, upper?: boolean): Tensor;
    /** A⁻¹ for A = L·Lᵀ, this being L (or U with upper). */
    choleskyInverse(upper?: boolean): Tensor;
    /** { solution, clonedCoefficient } of op(A)·X = this. */
    triangularSolve(
      A: Tensor,
      upper?: boolean,
      transpose?: boolean,
      unitriangular?: boolean,
    ): { solution: Tensor; clonedCoefficient: Tensor } & Iterable<Tensor>;
    /** linalg.matrixPower: thisⁿ (n < 0 through the inverse, n = 0 the identity). */
    matrixPower(n: number): Tensor;
    /** linalg.matrixExp: e^this. */
    matrixExp(): Tensor;
    /** linalg.householderProduct(this, tau). */
    orgqr(tau: Tensor): Tensor;
    /** wg.geqrf(this): { a, tau }, the QR in LAPACK's compact Householder form (no gradient). */
    geqrf(): Named<{ a: Tensor; tau: Tensor }>;
    /** wg.ormqr(this, tau, other, left, transpose): op(Q)·other or other·op(Q) for Q given by geqrf's (this, tau). */
    ormqr(tau: Tensor, other: Tensor, left?: boolean, transpose?: boolean): Tensor;
    /** The shape `size` in place, keeping the first elements (new ones zeros, or those an earlier resize_ dropped); refused when requiring grad. */
    resize_(...size: (number | readonly number[])[]): Tensor;
    /** this.resize_(other.shape). */
    resizeAs_(other: Tensor): Tensor;
    /** A no-op (wasmgrad's memory is one WebAssembly heap) that marks this tensor shared for isShared(); returns this. */
    shareMemory_(): Tensor;
    /** Whether shareMemory_ was called on this tensor's storage. */
    isShared(): boolean;
    /** Whether other is this tensor's storage with this shape. */
    isSetTo(other: Tensor): boolean;
    /** Summed over the dims broadcasting would expand from size to this shape. */
    sumToSize(...size: (number | readonly number[])[]): Tensor;
    isSigned(): boolean;
    isComplex(): boolean;
    isNonzero(): boolean;
    isSameSize(o: Tensor): boolean;
    sliceScatter(src: Tensor, dim?: number | SliceScatterOptions, start?: number | null, end?: number | null, step?: number): Tensor;
    selectScatter(src: Tensor, dim: number, index: number): Tensor;
    diagonalScatter(src: Tensor, offset?: number, dim1?: number, dim2?: number): Tensor;
    indexPut(indices: readonly Tensor[], values: Tensor | number, accumulate?: boolean): Tensor;
    put(index: Tensor, source: Tensor, accumulate?: boolean): Tensor;
    maskedScatter(mask: Tensor, source: Tensor): Tensor;
    indexReduce(dim: number, index: Tensor, source: Tensor, reduce: IndexReduce, opts?: { includeSelf?: boolean }): Tensor;
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
    histogram(bins: number | Tensor, opts?: HistogramOptions): HistogramResult;
    nonzero(opts?: { asTuple?: boolean }): Tensor | Tensor[];
    argwhere(): Tensor;
    unique(opts?: UniqueOptions): Tensor | Tensor[];
    uniqueConsecutive(opts?: Omit<UniqueOptions, 'sorted'>): Tensor | Tensor[];
    bincount(opts?: { weights?: Tensor; minlength?: number }): Tensor;
    // ---- spectral linear algebra (torch.svd, torch.qr, torch.pinverse) ----
    /** { U, S, V } with this = U·diag(S)·Vᵀ; some = false: full U and V; computeUv = false: U and V zeros. */
    svd(some?: boolean, computeUv?: boolean): Named<{ U: Tensor; S: Tensor; V: Tensor }>;
    /** { Q, R }, reduced (some, default) or complete. */
    qr(some?: boolean): Named<{ Q: Tensor; R: Tensor }>;
    /** The pseudo-inverse, singular values below rcond·σ₁ (default 1e-15) dropped. */
    pinverse(rcond?: number): Tensor;
  }
}

type MethodName = Exclude<
  { [K in keyof Tensor]: Tensor[K] extends (...args: never[]) => unknown ? K : never }[keyof Tensor],
  keyof TensorCore | keyof InPlaceMethods | symbol
>;
/** The members the engine's class itself defines (not installed here). */
type TensorCore = Pick<
  Tensor,
  | 'item'
  | 'valueOf'
  | 'data'
  | 'values'
  | 'rawValues'
  | 'toArray'
  | 'toJSON'
  | 'detach'
  | 'detach_'
  | 'keep'
  | 'dispose'
  | 'toString'
  | 'assertAlive'
  | 'peekGrad'
  | 'takeOver'
  | 'setShape'
  | 'adopt'
>;

/**
 * PyTorch's varargs forms (x.reshape(2, 3), x.permute(1, 0), x.flip(0, 1)): separate numbers as
 * one array. Without them a trailing number would be dropped silently (x.repeat(2, 1) of a 1-D
 * tensor tiling [2n] instead of [2, n]); an array followed by numbers reaches the function as a
 * nested array, which its validation rejects.
 */
const spread = (first: readonly number[] | number, more: readonly number[]): readonly number[] | number =>
  more.length === 0 ? first : ([first, ...more] as number[]);

/** Tensor[K] as a function: the tensor, then the method's arguments, the same result. */
type TensorFirst<K extends MethodName> = Tensor[K] extends (...args: infer A) => infer R ? (t: Tensor, ...args: A) => R : never;

/**
 * The methods that are their function with the tensor first, t.name(...args) = name(t, ...args)
 * (F: src/api/functional.ts, P: src/api/parity-shape.ts), each checked against its declaration
 * above. The methods that reorder, default or spread their arguments are written out in `methods`.
 */
const forwarded = {
  splitWithSizes: F.split,
  unsafeSplit: F.split,
  unsafeSplitWithSizes: F.split,
  unsafeChunk: F.chunk,
  narrowCopy: F.narrow,
  prelu: F.prelu,
  asStrided: F.asStrided,
  asStrided_,
  newEmptyStrided,
  lu,
  getDevice,
  storageOffset: (t: Tensor) => (checkTensor('storageOffset', 'input', t), 0),
  hasNames: (t: Tensor) => (checkTensor('hasNames', 'input', t), false),
  isPinned: (t: Tensor) => (checkTensor('isPinned', 'input', t), false),
  isDistributed: (t: Tensor) => (checkTensor('isDistributed', 'input', t), false),
  isInference,
  apply_,
  map_,
  map2_,
  exponential_: P.exponential_,
  cauchy_: P.cauchy_,
  logNormal_: P.logNormal_,
  geometric_: P.geometric_,
  random_: P.random_,
  fillDiagonal_: P.fillDiagonal_,
  conj: F.conj,
  conjPhysical: F.conj,
  resolveConj: F.conj,
  resolveNeg: F.conj,
  isConj: F.isConj,
  isNeg: F.isNeg,
  adjoint: F.adjoint,
  angle: F.angle,
  add: F.add,
  sub: F.sub,
  mul: F.mul,
  div: F.div,
  neg: F.neg,
  pow: F.pow,
  exp: F.exp,
  log: F.log,
  sqrt: F.sqrt,
  abs: F.abs,
  square: F.square,
  tanh: F.tanh,
  sigmoid: F.sigmoid,
  relu: F.relu,
  gelu: F.gelu,
  softplus: F.softplus,
  silu: F.silu,
  lerp: F.lerp,
  clamp: F.clamp,
  sum: F.sum,
  mean: F.mean,
  prod: F.prod,
  flatten: F.flatten,
  split: F.split,
  chunk: F.chunk,
  max: F.max,
  min: F.min,
  softmax: F.softmax,
  logSoftmax: F.logSoftmax,
  logsumexp: F.logsumexp,
  tril: F.tril,
  triu: F.triu,
  amax: F.amax,
  amin: F.amin,
  argmax: F.argmax,
  argmin: F.argmin,
  all: F.all,
  any: F.any,
  norm: F.norm,
  maximum: F.maximum,
  minimum: F.minimum,
  gt: F.gt,
  lt: F.lt,
  ge: F.ge,
  le: F.le,
  eq: F.eq,
  sin: F.sin,
  cos: F.cos,
  tan: F.tan,
  asin: F.asin,
  acos: F.acos,
  atan: F.atan,
  sinh: F.sinh,
  cosh: F.cosh,
  asinh: F.asinh,
  acosh: F.acosh,
  atanh: F.atanh,
  erf: F.erf,
  erfc: F.erfc,
  erfinv: F.erfinv,
  sign: F.sign,
  floor: F.floor,
  ceil: F.ceil,
  trunc: F.trunc,
  frac: F.frac,
  reciprocal: F.reciprocal,
  rsqrt: F.rsqrt,
  log2: F.log2,
  log10: F.log10,
  log1p: F.log1p,
  exp2: F.exp2,
  expm1: F.expm1,
  mish: F.mish,
  selu: F.selu,
  hardswish: F.hardswish,
  hardsigmoid: F.hardsigmoid,
  relu6: F.relu6,
  softsign: F.softsign,
  logsigmoid: F.logsigmoid,
  round: F.round,
  elu: F.elu,
  celu: F.celu,
  hardtanh: F.hardtanh,
  hardshrink: F.hardshrink,
  atan2: F.atan2,
  logaddexp: F.logaddexp,
  hypot: F.hypot,
  fmod: F.fmod,
  remainder: F.remainder,
  floorDivide: F.floorDivide,
  addcmul: F.addcmul,
  addcdiv: F.addcdiv,
  matmul: F.matmul,
  transpose: F.transpose,
  unflatten: F.unflatten,
  clone: F.clone,
  slice: F.slice,
  squeeze: F.squeeze,
  unsqueeze: F.unsqueeze,
  roll: F.roll,
  narrow: F.narrow,
  movedim: F.movedim,
  var: F.var,
  std: F.std,
  gather: F.gather,
  scatter: F.scatter,
  scatterAdd: F.scatterAdd,
  scatterReduce: F.scatterReduce,
  indexAdd: F.indexAdd,
  indexSelect: F.indexSelect,
  indexCopy: F.indexCopy,
  indexFill: F.indexFill,
  unfold: unfoldDim,
  take: F.take,
  index: F.index,
  maskedFill: F.maskedFill,
  maskedSelect: F.maskedSelect,
  varMean: F.varMean,
  stdMean: F.stdMean,
  sort: F.sort,
  argsort: F.argsort,
  topk: F.topk,
  cumsum: F.cumsum,
  cumprod: F.cumprod,
  cummax: F.cummax,
  cummin: F.cummin,
  logcumsumexp: F.logcumsumexp,
  logicalAnd: F.logicalAnd,
  logicalOr: F.logicalOr,
  logicalXor: F.logicalXor,
  logicalNot: F.logicalNot,
  bitwiseAnd: F.bitwiseAnd,
  bitwiseOr: F.bitwiseOr,
  bitwiseXor: F.bitwiseXor,
  bitwiseNot: F.bitwiseNot,
  bitwiseLeftShift: F.bitwiseLeftShift,
  bitwiseRightShift: F.bitwiseRightShift,
  multinomial: F.multinomial,
  bernoulli: F.bernoulli,
  t: F.t,
  mm: F.mm,
  bmm: F.bmm,
  mv: F.mv,
  dot: F.dot,
  outer: F.outer,
  isnan: F.isnan,
  isinf: F.isinf,
  isfinite: F.isfinite,
  nanToNum: F.nanToNum,
  isclose: F.isclose,
  allclose: F.allclose,
  equal: F.equal,
  select: F.select,
  swapaxes: F.swapaxes,
  swapdims: F.swapdims,
  moveaxis: F.moveaxis,
  broadcastTo: F.broadcastTo,
  repeatInterleave: F.repeatInterleave,
  diagonal: F.diagonal,
  trace: F.trace,
  ne: F.ne,
  notEqual: F.notEqual,
  greater: F.greater,
  less: F.less,
  greaterEqual: F.greaterEqual,
  lessEqual: F.lessEqual,
  clip: F.clip,
  clampMin: F.clampMin,
  clampMax: F.clampMax,
  absolute: F.absolute,
  sgn: F.sgn,
  trueDivide: F.trueDivide,
  negative: F.negative,
  multiply: F.multiply,
  subtract: F.subtract,
  divide: F.divide,
  xlogy: F.xlogy,
  logit: F.logit,
  deg2rad: F.deg2rad,
  rad2deg: F.rad2deg,
  fmax: F.fmax,
  fmin: F.fmin,
  copysign: F.copysign,
  sinc: F.sinc,
  logaddexp2: F.logaddexp2,
  heaviside: F.heaviside,
  signbit: F.signbit,
  ldexp: F.ldexp,
  floatPower: F.floatPower,
  dist: F.dist,
  renorm: F.renorm,
  lgamma: F.lgamma,
  digamma: F.digamma,
  mvlgamma: F.mvlgamma,
  igamma: F.igamma,
  igammac: F.igammac,
  i0: F.i0,
  gcd: F.gcd,
  lcm: F.lcm,
  nextafter: F.nextafter,
  isposinf: F.isposinf,
  isneginf: F.isneginf,
  isreal: F.isreal,
  addmm: F.addmm,
  addmv: F.addmv,
  addr: F.addr,
  baddbmm: F.baddbmm,
  addbmm: F.addbmm,
  inner: F.inner,
  kron: F.kron,
  cross: F.cross,
  diff: F.diff,
  arccos: F.arccos,
  arcsin: F.arcsin,
  arctan: F.arctan,
  arctan2: F.arctan2,
  arccosh: F.arccosh,
  arcsinh: F.arcsinh,
  arctanh: F.arctanh,
  positive: F.positive,
  fix: F.fix,
  ger: F.ger,
  vdot: F.vdot,
  frexp: F.frexp,
  inverse: F.inverse,
  det: F.det,
  slogdet: F.slogdet,
  logdet: F.logdet,
  luSolve: F.luSolve,
  cholesky: F.cholesky,
  choleskySolve: F.choleskySolve,
  choleskyInverse: F.choleskyInverse,
  triangularSolve: F.triangularSolve,
  matrixPower: F.matrixPower,
  matrixExp: F.matrixExp,
  orgqr: F.orgqr,
  geqrf: F.geqrf,
  ormqr: F.ormqr,
  resize_,
  resizeAs_,
  shareMemory_,
  isShared,
  isSetTo,
  sumToSize: F.sumToSize,
  isSigned: F.isSigned,
  isComplex: F.isComplex,
  isNonzero: F.isNonzero,
  isSameSize: F.isSameSize,
  sliceScatter: F.sliceScatter,
  selectScatter: F.selectScatter,
  diagonalScatter: F.diagonalScatter,
  indexPut: F.indexPut,
  put: F.put,
  maskedScatter: F.maskedScatter,
  indexReduce: F.indexReduce,
  kthvalue: F.kthvalue,
  mode: F.mode,
  msort: F.msort,
  quantile: F.quantile,
  nanquantile: F.nanquantile,
  nansum: F.nansum,
  nanmean: F.nanmean,
  countNonzero: F.countNonzero,
  aminmax: F.aminmax,
  takeAlongDim: F.takeAlongDim,
  cov: F.cov,
  corrcoef: F.corrcoef,
  histc: F.histc,
  histogram,
  nonzero: F.nonzero,
  argwhere: F.argwhere,
  unique: F.unique,
  uniqueConsecutive: F.uniqueConsecutive,
  bincount: F.bincount,
  viewAs: P.viewAs,
  isFloatingPoint: P.isFloatingPoint,
  ravel: P.ravel,
  hsplit: P.hsplit,
  vsplit: P.vsplit,
  dsplit: P.dsplit,
  fliplr: P.fliplr,
  flipud: P.flipud,
  diagEmbed: P.diagEmbed,
  svd: F.svd,
  qr: F.qr,
  pinverse: F.pinverse,
} satisfies { [K in MethodName]?: TensorFirst<K> };
type Forwarded = keyof typeof forwarded;

const methods: { [K in Exclude<MethodName, Forwarded>]: Tensor[K] } & ThisType<Tensor> = {
  backward(...args: unknown[]) {
    const [, grad, opts] = torchArgs('backward', [this, ...args], BACKWARD_FORM);
    backward(this, grad as Seed, opts as BackwardOptions);
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
  leakyRelu(slope = 0.01) {
    return F.leakyRelu(this, slope);
  },
  // ---- math library, activations (src/api/math.ts) ----
  // ---- linear algebra, shapes ----
  permute(dims, ...more) {
    return F.permute(this, typeof dims === 'number' ? [dims, ...more] : (spread(dims, more) as number[]));
  },
  reshape(shape, ...more) {
    return F.reshape(this, spread(shape, more));
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
  expand(shape, ...more) {
    return F.expand(this, spread(shape, more));
  },
  repeat(reps, ...more) {
    return F.repeat(this, spread(reps, more));
  },
  tile(reps, ...more) {
    return F.tile(this, spread(reps, more));
  },
  flip(dims, ...more) {
    return F.flip(this, spread(dims, more));
  },
  unbind(dim = 0) {
    return F.unbind(this, dim);
  },
  // ---- in-place (recorded by autograd as PyTorch's; a leaf that requires grad only inside wg.noGrad) ----
  copy_(src) {
    return assign('copy_', this, src);
  },
  zero_() {
    return assign('zero_', this, 0);
  },
  // ---- dtypes, integers and masks ----
  to(target) {
    return toTarget(this, target);
  },
  cpu() {
    return this;
  },
  toDense() {
    return this;
  },
  cuda() {
    throw new ValueError('cuda', 'wasmgrad computes on the CPU: there is no CUDA device (torch without CUDA: "Torch not compiled with CUDA enabled")');
  },
  pinMemory() {
    throw new ValueError('pinMemory', 'pinned memory needs a CUDA device, and wasmgrad computes on the CPU: drop the call');
  },
  new(...args: unknown[]) {
    if (args.length === 0) return empty([0], like('new', this, {}));
    if (args.every((a) => typeof a === 'number')) return zeros(args as number[], like('new', this, {}));
    const [data] = args;
    if (data instanceof Tensor) {
      // torch's alias of the tensor (a view that keeps its graph), which must have this dtype
      if (data.dtype !== this.dtype) throw new DTypeError('new', `expects a tensor of dtype ${this.dtype} (this tensor's), got ${data.dtype}`);
      return data.view(data.shape);
    }
    // torch converts the data to the dtype: an int32 tensor's new() truncates fractions toward zero
    if (args.length === 1 && (Array.isArray(data) || ArrayBuffer.isView(data))) return to(tensor(data as NestedArray), this.dtype);
    throw new ValueError('new', `expects data (nested arrays, a typed array or a tensor), sizes as numbers, or nothing, got ${fmtValue(args)}`);
  },

  ndimension() {
    return this.ndim;
  },
  float() {
    return to(this, 'float32');
  },
  int() {
    return to(this, 'int32');
  },
  double() {
    return to(this, 'float32');
  },
  half() {
    return to(this, 'float32');
  },
  bfloat16() {
    return to(this, 'float32');
  },
  bool() {
    return boolMask(this);
  },
  byte() {
    return narrowInt('byte', this, 8, false);
  },
  char() {
    return narrowInt('char', this, 8, true);
  },
  short() {
    return narrowInt('short', this, 16, true);
  },
  // ---- sampling ----
  // ---- PyTorch conveniences ----
  dim() {
    return this.ndim;
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
  diag(diagonal = 0) {
    return F.diag(this, diagonal);
  },
  floatPower_() {
    // torch.Tensor.float_power_ computes in float64 and refuses to write that into a float32 or int32 tensor
    throw new DTypeError(
      'floatPower_',
      `the base given to floatPower_ has dtype ${this.dtype} but the operation's result requires dtype float64 (wasmgrad has no float64: floatPower computes in float32)`,
    );
  },
  fill_(value) {
    if (value instanceof Tensor && value.ndim !== 0)
      throw new ShapeError('fill_', `the value must be a number or a 0-d tensor, got a tensor of shape ${fmtShape(value.shape)}`);
    return assign('fill_', this, value);
  },
  // ---- PyTorch parity (src/api/parity-shape.ts) ----
  view(shape, ...more) {
    return P.view(this, typeof shape === 'string' ? shape : spread(shape, more));
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
  stride(dim?: number) {
    return P.stride(this, dim) as number & number[];
  },
  nelement() {
    return this.size;
  },
  newZeros(...args: unknown[]) {
    const [size, opts] = sizeArgs(args);
    return zeros(size, like('newZeros', this, opts));
  },
  newOnes(...args: unknown[]) {
    const [size, opts] = sizeArgs(args);
    return ones(size, like('newOnes', this, opts));
  },
  newFull(size, fillValue, opts) {
    return full(size, fillValue, like('newFull', this, opts));
  },
  newEmpty(...args: unknown[]) {
    const [size, opts] = sizeArgs(args);
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
  tensorSplit(indicesOrSections, dim = 0) {
    return P.tensorSplit(this, indicesOrSections, dim);
  },
  rot90(k = 1, dims = [0, 1]) {
    return P.rot90(this, k, dims);
  },
  diagflat(offset = 0) {
    return P.diagflat(this, offset);
  },
  // ---- more elementwise and linear algebra (src/api/parity-math.ts) ----
  polygamma(n) {
    return F.polygamma(n, this);
  },
  // ---- statistics ----
  median(dim?: number, keepdim?: boolean) {
    return (dim === undefined ? F.median(this) : F.median(this, dim, keepdim)) as Tensor & ValuesIndices;
  },
  nanmedian(dim?: number, keepdim?: boolean) {
    return (dim === undefined ? F.nanmedian(this) : F.nanmedian(this, dim, keepdim)) as Tensor & ValuesIndices;
  },
};

const install = (name: string, fn: unknown) => Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
for (const [name, fn] of Object.entries(methods)) install(name, fn);
// PyTorch's transposing properties, getters as in PyTorch (x.T, not x.T()).
const transposes: Record<'T' | 'mT' | 'mH' | 'H', (t: Tensor) => Tensor> = {
  T: reversedDims,
  mT: (t) => matrixTranspose(t, 'mT'),
  mH: (t) => matrixTranspose(t, 'mH'),
  H: (t) => matrixTranspose(t, 'H'),
};
for (const [name, get] of Object.entries(transposes))
  Object.defineProperty(Tensor.prototype, name, {
    get(this: Tensor) {
      return get(this);
    },
    configurable: true,
  });
Object.defineProperty(Tensor.prototype, 'device', { get: () => 'cpu', configurable: true });
Object.defineProperty(Tensor.prototype, 'names', {
  get(this: Tensor) {
    return this.shape.map(() => null);
  },
  configurable: true,
});
Object.defineProperty(Tensor.prototype, 'real', {
  get(this: Tensor) {
    return F.real(this);
  },
  configurable: true,
});
for (const [name, value] of Object.entries({
  isCpu: true,
  isCuda: false,
  isSparse: false,
  isQuantized: false,
  isMeta: false,
  isMkldnn: false,
  isNested: false,
  isXpu: false,
  isIpu: false,
  isMps: false,
  isOrt: false,
  isVulkan: false,
  layout: 'strided',
}))
  Object.defineProperty(Tensor.prototype, name, { get: () => value, configurable: true });
for (const [name, fn] of Object.entries(forwarded) as [string, (t: Tensor, ...args: unknown[]) => unknown][])
  install(name, function (this: Tensor, ...args: unknown[]) {
    return fn(this, ...args);
  });
// The in-place forms: x.name_(...args) is x.name(...args) made x (src/api/inplace.ts).
const inPlaceKinds: [readonly string[], InPlaceKind][] = [
  [IN_PLACE_VALUES, 'values'],
  [IN_PLACE_CASTS, 'casts'],
  [IN_PLACE_SHAPES, 'shapes'],
];
for (const [names, kind] of inPlaceKinds)
  for (const name of names)
    install(`${name}_`, function (this: Tensor, ...args: unknown[]) {
      const outOfPlace = (this as unknown as Record<string, (...a: unknown[]) => Tensor>)[name];
      return writeInPlace(`${name}_`, this, outOfPlace.apply(this, args), kind);
    });
// torch's generator keyword on the in-place random fills: x.uniform_(0, 1, { generator: g }) (src/api/generator.ts).
for (const name of ['uniform_', 'normal_', 'bernoulli_', 'exponential_', 'cauchy_', 'logNormal_', 'geometric_', 'random_'] as const)
  install(name, acceptGenerator(name, Tensor.prototype[name]));
