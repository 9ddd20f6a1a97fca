/**
 * torch's dtype names and constants for ported code, mapped onto wasmgrad's two dtypes: every
 * floating dtype is float32 (wasmgrad computes in float32 only), int32 and int64 are int32 (as
 * x.long()). So `wg.zeros([2], { dtype: wg.long })` and `x.to(wg.float64)` run, in float32 / int32.
 * The narrow integer casts (x.byte(), x.char(), x.short()) keep torch's values: they wrap modulo
 * 2⁸ or 2¹⁶ like torch's uint8, int8 and int16, stored in int32.
 */
import { checkTensor } from '../engine/check.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, fmtValue } from '../errors.js';
import type { DType } from '../ops/types.js';
import { bitwiseAnd, bitwiseLeftShift, bitwiseRightShift, to } from './integer.js';
import { ne } from './parity-math.js';

/** torch.float32 and torch.float. */
export const float32: DType = 'float32';
export const float: DType = 'float32';
/** torch.float64, double, float16, half and bfloat16: float32, wasmgrad's only floating dtype. */
export const float64: DType = 'float32';
export const double: DType = 'float32';
export const float16: DType = 'float32';
export const half: DType = 'float32';
export const bfloat16: DType = 'float32';
/** torch.int32 and torch.int. */
export const int32: DType = 'int32';
export const int: DType = 'int32';
/** torch.int64 and torch.long: int32 (as x.long()). */
export const int64: DType = 'int32';
export const long: DType = 'int32';

/** torch.pi, torch.e, torch.inf, torch.nan. */
export const pi = Math.PI;
export const e = Math.E;
export const inf = Infinity;
export const nan = NaN;

/** torch.get_default_dtype: float32 (the dtype of tensors made from JavaScript numbers). */
export const getDefaultDtype = (): DType => 'float32';

/** torch.set_default_dtype: float32 only (its names float32 and float), the one floating dtype here. */
export function setDefaultDtype(d: unknown): void {
  if (d !== 'float32') throw new DTypeError('setDefaultDtype', `wasmgrad computes in float32 only: the default dtype must be 'float32', got ${fmtValue(d)}`);
}

/**
 * x as torch's integer dtype of `bits` bits (8 or 16), in int32: float32 truncated toward zero
 * (x.int()), then the low bits kept — zero-extended for uint8 (x & 255), sign-extended for int8
 * and int16 ((x << (32 − bits)) >> (32 − bits), an arithmetic shift) — which is torch's
 * wrap-around conversion, e.g. 300 → 44 (uint8), 128 → −128 (int8), 40000 → −25536 (int16).
 */
export function narrowInt(fn: string, x: Tensor, bits: 8 | 16, signed: boolean): Tensor {
  checkTensor(fn, 'input', x);
  const i = to(x, 'int32');
  if (!signed) return bitwiseAnd(i, (1 << bits) - 1);
  return bitwiseRightShift(bitwiseLeftShift(i, 32 - bits), 32 - bits);
}

/** x.bool(): nonzero (NaN included) → 1, else 0, the float32 0/1 mask that wasmgrad's comparisons give. */
export function boolMask(x: Tensor): Tensor {
  checkTensor('bool', 'input', x);
  return ne(x, 0);
}

/** torch.finfo's fields for float32. */
export interface FloatInfo {
  readonly bits: number;
  readonly eps: number;
  readonly max: number;
  readonly min: number;
  readonly tiny: number;
  readonly smallestNormal: number;
  readonly resolution: number;
  readonly dtype: DType;
}

/**
 * torch.finfo(dtype = float32): the machine limits of float32, wasmgrad's floating dtype (so also
 * of wg.float64 and wg.half, which are float32 here): eps 2⁻²³, max (2 − 2⁻²³)·2¹²⁷, tiny and
 * smallestNormal 2⁻¹²⁶, resolution 10⁻⁶.
 */
export function finfo(dtype: unknown = 'float32'): FloatInfo {
  if (dtype !== 'float32') throw new DTypeError('finfo', `requires a floating point dtype ('float32'), got ${fmtValue(dtype)} (use iinfo for int32)`);
  const max = (2 - 2 ** -23) * 2 ** 127;
  return { bits: 32, eps: 2 ** -23, max, min: -max, tiny: 2 ** -126, smallestNormal: 2 ** -126, resolution: 1e-6, dtype };
}

/** torch.iinfo(dtype): the limits of int32 (wg.int64 and wg.long are int32 here): bits 32, max 2³¹ − 1, min −2³¹. */
export function iinfo(dtype: unknown): { readonly bits: number; readonly max: number; readonly min: number; readonly dtype: DType } {
  if (dtype !== 'int32') throw new DTypeError('iinfo', `requires an integer dtype ('int32'), got ${fmtValue(dtype)} (use finfo for float32)`);
  return { bits: 32, max: 2 ** 31 - 1, min: -(2 ** 31), dtype };
}
