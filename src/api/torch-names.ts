/**
 * More PyTorch names ported code calls: NumPy-style aliases (arccos, concat, fix, ger, vdot, trapz,
 * …), rsub, chainMatmul, frexp, sumToSize, the dtype queries (isSigned, isComplex, resultType,
 * promoteTypes, canCast) and the tensor constructors scalarTensor, asTensor and asarray. Aliases are
 * the wg function itself (errors name it); the rest are short compositions of the API.
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { Tensor, type NestedArray, type TensorLike } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { checkFinite, sameShape, type DType } from '../ops/types.js';
import { abs, add, div, ge, lt, mul, sub } from './elementwise.js';
import { to, where } from './integer.js';
import { acos, asin, atan, atan2, acosh, asinh, atanh, trunc, log2, floor, exp2 } from './math.js';
import { cat } from './torch-forms.js';
import { matmul } from './linalg.js';
import { sum } from './reduce.js';
import { tensor, type TensorData } from './creation.js';
import { trapezoid } from './parity-math.js';
import { dot, isfinite, isnan, matrixTranspose, outer } from './convenience.js';
import { adaptiveMaxPool1d, adaptiveMaxPool2d, interpolate, maxPool1d, maxPool2d, type MaxPool1dCallOptions, type MaxPool2dCallOptions } from './conv.js';
import { adaptiveMaxPool3d, maxPool3d, type AdaptiveSize3, type MaxPool3dCallOptions } from './conv3d.js';
import type { AdaptiveSize } from '../ops/pool.js';
import { fractionalMaxPool2d, fractionalMaxPool3d, type FractionalMaxPoolOptions } from './fractional.js';
import type { InterpolateOptions } from '../ops/resample.js';
import type { Size2, Size3 } from '../ops/window.js';

/** torch.arccos = acos (and the other NumPy names of the inverse trigonometric functions). */
export const arccos = acos;
export const arcsin = asin;
export const arctan = atan;
export const arctan2 = atan2;
export const arccosh = acosh;
export const arcsinh = asinh;
export const arctanh = atanh;
/** torch.concat and torch.concatenate = cat. */
export const concat = cat;
export const concatenate = cat;
/** torch.fix = trunc. */
export const fix = trunc;
/** torch.ger = outer. */
export const ger = outer;
/** torch.vdot = dot (real tensors: no conjugation). */
export const vdot = dot;
/** torch.trapz = trapezoid. */
export const trapz = trapezoid;

/** torch.positive: the input itself (as `contiguous`; PyTorch returns a view sharing its data); int32 too. */
export function positive(x: Tensor): Tensor {
  checkTensor('positive', 'input', x);
  return x;
}

/** torch.rsub(input, other, alpha = 1): other − alpha·input (sub with the operands swapped). */
export function rsub(input: TensorLike, other: TensorLike, opts: { alpha?: number } = {}): Tensor {
  const { alpha = 1 } = checkOptions<{ alpha?: number }>('rsub', opts, ['alpha']);
  if (!(input instanceof Tensor) && !(other instanceof Tensor))
    throw new ValueError('rsub', `needs a Tensor operand, got ${fmtValue(input)} and ${fmtValue(other)}`);
  return sub(other, input, { alpha });
}

/** torch.chain_matmul(*matrices): the product of 2-D matrices left to right (one matrix: itself). */
export function chainMatmul(...matrices: Tensor[]): Tensor {
  if (matrices.length === 0) throw new ValueError('chainMatmul', 'expects at least one matrix, got none');
  matrices.forEach((m, i) => {
    checkTensor('chainMatmul', `matrix ${i}`, m);
    if (m.ndim !== 2) throw new ShapeError('chainMatmul', `matrix ${i} must be 2-D, got shape ${fmtShape(m.shape)}`);
  });
  return matrices.slice(1).reduce((acc, m) => matmul(acc, m), matrices[0]);
}

/**
 * torch.frexp: x = mantissa·2^exponent with |mantissa| in [0.5, 1) (0, ±∞ and NaN: mantissa x,
 * exponent 0) → [mantissa float32, exponent int32], iterable as torch's pair. The exponent is
 * floor(log2|x|) + 1 corrected by one where log2 rounds across a power of two; the mantissa is x
 * scaled by 2^-e in two halves (e reaches −148 for subnormals: 2¹⁴⁸ is not a float32). Gradient to
 * the mantissa only, 2^-e, as torch's.
 */
export function frexp(x: Tensor): [mantissa: Tensor, exponent: Tensor] {
  checkTensor('frexp', 'input', x);
  if (x.dtype !== 'float32') throw new DTypeError('frexp', `input must be a float32 tensor, got an int32 tensor of shape ${fmtShape(x.shape)}`);
  const d = x.detach();
  const regular = mul(isfinite(d), d.ne(0));
  // v·2^-e as v·2^h·2^(−e−h), h = floor(−e/2): each factor stays within float32's range
  const scale = (v: Tensor, e: Tensor) => {
    const h = floor(div(e, -2));
    return mul(mul(v, exp2(h)), exp2(sub(e.neg(), h)));
  };
  let e = where(regular, add(floor(log2(abs(d))), 1), 0);
  const m = abs(scale(d, e));
  // log2 may round a value just below a power of two up to it (or just above down): one step fixes it
  e = e.add(mul(ge(m, 1), regular)).sub(mul(lt(m, 0.5), regular));
  const mantissa = scale(x, e);
  return [mantissa, to(e, 'int32')];
}

/** Tensor.sum_to_size: x summed over the dims that broadcasting would expand from `size` to x's shape. */
export function sumToSize(x: Tensor, ...size: (number | readonly number[])[]): Tensor {
  checkTensor('sumToSize', 'input', x);
  const shape = size.length === 1 && Array.isArray(size[0]) ? (size[0] as number[]) : (size as number[]);
  const lead = x.ndim - shape.length;
  const expandable = lead >= 0 && shape.every((s, i) => Number.isInteger(s) && (s === x.shape[lead + i] || s === 1));
  if (!expandable) throw new ShapeError('sumToSize', `size ${fmtShape(shape)} is not expandable to the input's shape ${fmtShape(x.shape)}`);
  const dims = x.shape.map((_, d) => d).filter((d) => d < lead || (shape[d - lead] === 1 && x.shape[d] !== 1));
  if (dims.length === 0) return x;
  const summed = sum(x, dims, true);
  return summed.reshape(shape);
}

// ---- dtypes -------------------------------------------------------------------------------------
const DTYPES: readonly DType[] = ['float32', 'int32'];
function dtypeArg(fn: string, what: string, v: unknown): DType {
  if (!DTYPES.includes(v as DType)) throw new DTypeError(fn, `${what} must be 'float32' or 'int32', got ${fmtValue(v)}`);
  return v as DType;
}
/** Tensor.is_signed: true (float32 and int32 are signed). */
export function isSigned(x: Tensor): boolean {
  checkTensor('isSigned', 'input', x);
  return true;
}
/** torch.is_complex: false (wasmgrad has no complex dtype). */
export function isComplex(x: Tensor): boolean {
  checkTensor('isComplex', 'input', x);
  return false;
}
/** Tensor.is_nonzero: the one element ≠ 0 (NaN is nonzero); a RuntimeError-like ValueError for 0 or several elements. */
export function isNonzero(x: Tensor): boolean {
  checkTensor('isNonzero', 'input', x);
  if (x.size !== 1)
    throw new ValueError(
      'isNonzero',
      `Boolean value of a Tensor with ${x.size === 0 ? 'no values' : 'more than one value'} is ambiguous (shape ${fmtShape(x.shape)})`,
    );
  return x.item() !== 0;
}
/** Tensor.is_same_size: equal shapes. */
export function isSameSize(x: Tensor, other: Tensor): boolean {
  checkTensor('isSameSize', 'input', x);
  checkTensor('isSameSize', 'other', other);
  return sameShape(x.shape, other.shape);
}
/** torch.promote_types for wasmgrad's dtypes: float32 if either is, else int32. */
export function promoteTypes(type1: DType, type2: DType): DType {
  const [a, b] = [dtypeArg('promoteTypes', 'type1', type1), dtypeArg('promoteTypes', 'type2', type2)];
  return a === 'float32' || b === 'float32' ? 'float32' : 'int32';
}
/** torch.can_cast: may the cast lose the kind? float32 → int32 may not; the rest may. */
export function canCast(from: DType, to_: DType): boolean {
  const [a, b] = [dtypeArg('canCast', 'from', from), dtypeArg('canCast', 'to', to_)];
  return !(a === 'float32' && b === 'int32');
}
/**
 * torch.result_type(a, b): the dtype an arithmetic op gives. A tensor's dtype, or a number's kind
 * (an integer number is int32, another float32, as wasmgrad's ops take them: JavaScript does not
 * tell 2.0 from 2). float32 wins: torch's categories rank floating above integral, whatever the
 * dims; two numbers are an error (torch wants a tensor).
 */
export function resultType(a: TensorLike, b: TensorLike): DType {
  [a, b].forEach((v, i) => {
    if (!(v instanceof Tensor) && typeof v !== 'number')
      throw new ValueError('resultType', `argument ${i + 1} must be a Tensor or a number, got ${fmtValue(v)}`);
  });
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) throw new ValueError('resultType', `needs a Tensor operand, got ${fmtValue(a)} and ${fmtValue(b)}`);
  const kind = (v: TensorLike): DType => (v instanceof Tensor ? v.dtype : Number.isInteger(v) ? 'int32' : 'float32');
  return promoteTypes(kind(a), kind(b));
}

// ---- constructors -------------------------------------------------------------------------------
/** torch.scalar_tensor(s, {dtype, requiresGrad}): a 0-d tensor, float32 unless dtype says int32. */
export function scalarTensor(s: number, opts: { dtype?: DType; requiresGrad?: boolean } = {}): Tensor {
  if (typeof s !== 'number') throw new ValueError('scalarTensor', `s must be a number, got ${fmtValue(s)}`);
  const o = checkOptions<{ dtype?: DType; requiresGrad?: boolean }>('scalarTensor', opts, ['dtype', 'requiresGrad']);
  if (o.dtype === 'int32') checkFinite('scalarTensor', 's', s);
  return tensor(s, { dtype: o.dtype ?? 'float32', requiresGrad: o.requiresGrad });
}

/**
 * torch.as_tensor: a tensor of the given dtype returned as is (no copy), another tensor converted
 * (`to`), other data copied into a new tensor (as wg.tensor).
 */
export function asTensor(data: TensorData | NestedArray | ArrayLike<number>, opts: { dtype?: DType } = {}): Tensor {
  const { dtype } = checkOptions<{ dtype?: DType }>('asTensor', opts, ['dtype']);
  if (data instanceof Tensor) {
    data.assertAlive('asTensor');
    return dtype === undefined ? data : to(data, dtypeArg('asTensor', 'dtype', dtype));
  }
  return tensor(data, { dtype });
}

/**
 * torch.asarray(obj, {dtype, copy, requiresGrad}): asTensor, with `copy: true` a fresh copy of a
 * tensor (copy: false is not refused for other data, which JavaScript arrays always copy).
 */
export function asarray(data: TensorData | NestedArray | ArrayLike<number>, opts: { dtype?: DType; copy?: boolean; requiresGrad?: boolean } = {}): Tensor {
  const {
    dtype,
    copy = false,
    requiresGrad = false,
  } = checkOptions<{ dtype?: DType; copy?: boolean; requiresGrad?: boolean }>('asarray', opts, ['dtype', 'copy', 'requiresGrad']);
  checkBool('asarray', 'copy', copy);
  checkBool('asarray', 'requiresGrad', requiresGrad);
  const t = asTensor(data, { dtype });
  const out = copy && t === data ? t.clone().detach() : t;
  if (requiresGrad) out.requiresGrad_(true);
  return out;
}

/** PyTorch's device names ('cuda:0' included); another string is taken as a dtype. */
const DEVICE = /^(cpu|cuda|mps|xpu|xla|meta|hip|ipu|hpu|ort|ve|lazy|vulkan|opengl|opencl|ideep|mkldnn|fpga)(:\d+)?$/;

/** What Tensor.to and Module.to take: a dtype, the device 'cpu', a tensor (its dtype) or { dtype?, device? }. */
export type ToTarget = DType | 'cpu' | Tensor | { dtype?: DType; device?: 'cpu' };

/**
 * The dtype a `to(target)` asks for, undefined for the device alone. wasmgrad computes on the CPU:
 * 'cpu' is the only device, and another ('cuda', 'mps', …) is a ValueError saying so.
 */
export function targetDtype(fn: string, target: ToTarget): DType | undefined {
  if (target instanceof Tensor) return target.dtype;
  let { dtype, device }: { dtype?: unknown; device?: unknown } = {};
  if (typeof target === 'object' && target !== null) ({ dtype, device } = checkOptions<{ dtype?: unknown; device?: unknown }>(fn, target, ['dtype', 'device']));
  else if (typeof target === 'string' && DEVICE.test(target)) device = target;
  else dtype = target;
  if (device !== undefined && device !== 'cpu')
    throw new ValueError(fn, `wasmgrad computes on the CPU: the device must be 'cpu', got ${fmtValue(device)} (a dtype is 'float32' or 'int32')`);
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'int32')
    throw new DTypeError(fn, `unknown dtype ${fmtValue(dtype)} (wasmgrad tensors are 'float32' or 'int32')`);
  return dtype;
}

/** Tensor.to(target): the tensor itself when nothing changes (PyTorch's), else a copy in the dtype asked for. */
export function toTarget(x: Tensor, target: ToTarget): Tensor {
  checkTensor('to', 'input', x);
  const dtype = targetDtype('to', target);
  return dtype === undefined ? x : to(x, dtype);
}

// ---- complex-number names on real tensors (wasmgrad has no complex dtype) ----
/** torch.conj, conj_physical, resolve_conj, resolve_neg and real of a real tensor: the tensor itself, as PyTorch returns it. */
export function conj(x: Tensor): Tensor {
  checkTensor('conj', 'input', x);
  return x;
}
export const conjPhysical = conj;
export const resolveConj = conj;
export const resolveNeg = conj;
export const real = conj;
/** torch.is_conj and is_neg: false (no lazy conjugation or negation here). */
export const isConj = (x: Tensor): boolean => (checkTensor('isConj', 'input', x), false);
export const isNeg = (x: Tensor): boolean => (checkTensor('isNeg', 'input', x), false);
/** torch.imag: a DTypeError, as PyTorch's for real tensors. */
export function imag(x: Tensor): never {
  checkTensor('imag', 'input', x);
  throw new DTypeError('imag', 'imag is not implemented for tensors with non-complex dtypes (wasmgrad has float32 and int32 only)');
}
/** torch.adjoint: the last two dims swapped (the conjugate is the tensor itself); 1-D is a ShapeError. */
export const adjoint = (x: Tensor): Tensor => matrixTranspose(x, 'adjoint');
/**
 * torch.angle of a real tensor: π where x < 0, else 0 (−0 included), NaN where x is NaN; float32
 * for int32 input. Its gradient is zero, as PyTorch's (the result still requires grad when x does).
 */
export function angle(x: Tensor): Tensor {
  checkTensor('angle', 'input', x);
  const v = where(isnan(x), NaN, mul(lt(x, 0), Math.PI));
  return x.requiresGrad ? where(0, x, v) : v;
}

// ---- F's older names ----
/** F.max_pool1d_with_indices and the others: the pool with returnIndices, [output, indices]. */
export const maxPool1dWithIndices = (x: Tensor, k: number | [number], opts: MaxPool1dCallOptions = {}): [Tensor, Tensor] =>
  maxPool1d(x, k, { ...opts, returnIndices: true });
export const maxPool2dWithIndices = (x: Tensor, k: Size2, opts: MaxPool2dCallOptions = {}): [Tensor, Tensor] =>
  maxPool2d(x, k, { ...opts, returnIndices: true });
export const maxPool3dWithIndices = (x: Tensor, k: Size3, opts: MaxPool3dCallOptions = {}): [Tensor, Tensor] =>
  maxPool3d(x, k, { ...opts, returnIndices: true });
export const adaptiveMaxPool1dWithIndices = (x: Tensor, outputSize: number | [number]): [Tensor, Tensor] =>
  adaptiveMaxPool1d(x, outputSize, { returnIndices: true });
export const adaptiveMaxPool2dWithIndices = (x: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] =>
  adaptiveMaxPool2d(x, outputSize, { returnIndices: true });
export const adaptiveMaxPool3dWithIndices = (x: Tensor, outputSize: AdaptiveSize3): [Tensor, Tensor] =>
  adaptiveMaxPool3d(x, outputSize, { returnIndices: true });
export const fractionalMaxPool2dWithIndices = (x: Tensor, k: number | readonly number[], opts: FractionalMaxPoolOptions): [Tensor, Tensor] =>
  fractionalMaxPool2d(x, k, { ...opts, returnIndices: true });
export const fractionalMaxPool3dWithIndices = (x: Tensor, k: number | readonly number[], opts: FractionalMaxPoolOptions): [Tensor, Tensor] =>
  fractionalMaxPool3d(x, k, { ...opts, returnIndices: true });
/** F.upsample (deprecated in PyTorch): interpolate. */
export const upsample = (x: Tensor, opts: InterpolateOptions): Tensor => interpolate(x, opts);
/** F.upsample_nearest: interpolate with mode 'nearest'. */
export const upsampleNearest = (x: Tensor, opts: Pick<InterpolateOptions, 'size' | 'scaleFactor'>): Tensor =>
  interpolate(x, { ...checkOptions('upsampleNearest', opts, ['size', 'scaleFactor']), mode: 'nearest' });
/** F.upsample_bilinear: interpolate with mode 'bilinear' and alignCorners true, as PyTorch's. */
export const upsampleBilinear = (x: Tensor, opts: Pick<InterpolateOptions, 'size' | 'scaleFactor'>): Tensor =>
  interpolate(x, { ...checkOptions('upsampleBilinear', opts, ['size', 'scaleFactor']), mode: 'bilinear', alignCorners: true });
