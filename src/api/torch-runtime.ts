/**
 * torch's runtime switches and type queries that have a CPU meaning here: threads, denormals,
 * float32 matmul precision, typename, isStorage, getDevice. What each does here is said per function
 * (the README lists them with wg.getNumThreads).
 */
import { checkTensor } from '../engine/check.js';
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';

function checkCount(fn: string, n: unknown): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ValueError(fn, `expects a positive integer number of threads, got ${fmtValue(n)}`);
}

/**
 * torch.set_num_threads(n): accepted and checked, and changes nothing. The thread pool is started
 * once by wg.init({ threads }), which is where the count is chosen; wg.getNumThreads() keeps
 * reporting the pool's size.
 */
export function setNumThreads(n: number): void {
  checkCount('setNumThreads', n);
}

/** torch.get_num_interop_threads(): 1, ops run one after the other on the calling thread (no inter-op pool). */
export function getNumInteropThreads(): number {
  return 1;
}

/** torch.set_num_interop_threads(n): accepted and checked; there is no inter-op pool to size (see getNumInteropThreads). */
export function setNumInteropThreads(n: number): void {
  checkCount('setNumInteropThreads', n);
}

/**
 * torch.set_flush_denormal(mode): returns whether flushing denormals is supported, and here it is
 * not (false, as torch on a CPU without SSE3): WebAssembly's float arithmetic is IEEE 754 with
 * subnormals and has no flush-to-zero mode, so denormals are always computed.
 */
export function setFlushDenormal(mode: boolean): boolean {
  if (typeof mode !== 'boolean') throw new ValueError('setFlushDenormal', `mode must be a boolean, got ${fmtValue(mode)}`);
  return false;
}

export type MatmulPrecision = 'highest' | 'high' | 'medium';
let matmulPrecision: MatmulPrecision = 'highest';

/** torch.get_float32_matmul_precision(): the last value set ('highest' by default). */
export function getFloat32MatmulPrecision(): MatmulPrecision {
  return matmulPrecision;
}

/**
 * torch.set_float32_matmul_precision(p), p one of 'highest', 'high', 'medium' (another value is a
 * ValueError where torch only warns). Remembered only: products are always float32 ('highest'),
 * as on torch's CPU, where the setting selects TF32/bfloat16 paths of CUDA and oneDNN.
 */
export function setFloat32MatmulPrecision(precision: MatmulPrecision): void {
  if (precision !== 'highest' && precision !== 'high' && precision !== 'medium')
    throw new ValueError('setFloat32MatmulPrecision', `precision must be 'highest', 'high' or 'medium', got ${fmtValue(precision)}`);
  matmulPrecision = precision;
}

/**
 * torch.typename(x): 'torch.FloatTensor' for a float32 tensor and 'torch.IntTensor' for int32 (the
 * dtype it holds; torch's integer default, int64, is 'torch.LongTensor', which wasmgrad's int32
 * stands in for elsewhere, but the name follows the values' width). Any other value: its
 * constructor's name ('Linear', 'Array'), or typeof for primitives ('number'), where torch gives the
 * Python class's module path.
 */
export function typename(x: unknown): string {
  if (x instanceof Tensor) return x.dtype === 'int32' ? 'torch.IntTensor' : 'torch.FloatTensor';
  if (x === null) return 'null';
  if (typeof x !== 'object' && typeof x !== 'function') return typeof x;
  return (x as { constructor?: { name?: string } }).constructor?.name ?? 'Object';
}

/** torch.is_storage(x): false, there are no storage objects to hand out (a tensor's memory is internal). */
export function isStorage(x: unknown): boolean {
  void x;
  return false;
}

/** torch.get_device(t): -1, the CPU's (as t.getDevice()). */
export function getDevice(t: Tensor): number {
  checkTensor('getDevice', 'input', t);
  return -1;
}
