/** Reductions, softmax and log-softmax as functions. Table: src/ops/reduce.ts, src/ops/composite.ts. */
import { DTypeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import { Tensor } from '../engine/tensor.js';
import { planVar, type VarAttrs } from '../ops/composite.js';
import { op, type OpName } from '../ops/index.js';
import { planReduce, type ReduceAttrs } from '../ops/reduce.js';
import type { DType, TableOp } from '../ops/types.js';
import { to } from './integer.js';
import { maximum, minimum } from './elementwise.js';
import { prodInt } from './int-scan.js';

/** A dim, or a list of dims (negative dims count from the end); undefined or [] reduce over all. */
export type Dims = number | readonly number[];

/** Runs reduction `float` on a float32 x, its int32 twin `int` (no gradient, int32 result) on an int32 x; fn names the caller in errors. */
function reduce(fn: string, x: Tensor, float: OpName, int: OpName, a: ReduceAttrs): Tensor {
  checkTensor(fn, 'input', x);
  return apply(op(x.dtype === 'int32' ? int : float) as TableOp<ReduceAttrs>, [x], a);
}

/**
 * The composite for a list of dims, its kernel for one dim or all (one block of dims, which the
 * composite would only pass on): this saves the composite's per-call cost on the reductions losses
 * and norms call every step (bench/reduce-wrapper.ts). The kernel's plan checks the arguments
 * under the same name, so errors are the same.
 */
const block = (dim: Dims | undefined | null, composite: OpName, kernel: OpName): OpName => (typeof dim === 'number' || dim == null ? kernel : composite);

/** torch's `dtype=` keyword of sum, mean, prod, cumsum and cumprod. */
export interface DtypeOptions {
  /** The input is cast to it before the reduction, as PyTorch: an int32 sum of float32 values sums their truncations. */
  dtype?: DType;
}
/** A reduction's positional (dim, keepdim), then its options as the last argument: (x, {dtype}), (x, dim, {dtype}), (x, dim, keepdim, {dtype}). */
export type ReduceArgs = [dim?: Dims | null | DtypeOptions, keepdim?: boolean | DtypeOptions, opts?: DtypeOptions];

/**
 * x cast to `opts.dtype` before reduction fn (x itself without one, or when it has that dtype
 * already: its gradient flows on); `dtypes` are those fn takes.
 */
export function castTo(fn: string, x: Tensor, opts: unknown, dtypes: readonly DType[] = ['float32', 'int32']): Tensor {
  checkTensor(fn, 'input', x);
  const { dtype } = checkOptions<DtypeOptions>(fn, opts, ['dtype']);
  if (dtype === undefined) return x;
  if (!dtypes.includes(dtype)) throw new DTypeError(fn, `dtype must be ${dtypes.map((d) => `'${d}'`).join(' or ')}, got ${fmtValue(dtype)}`);
  return to(x, dtype);
}

/** Reduction fn's input (cast to the options' dtype), dim and keepdim, from its arguments after x. */
function reduceArgs(fn: string, x: Tensor, args: ReduceArgs, dtypes?: readonly DType[]): [Tensor, Dims | null | undefined, boolean] {
  // (an options object anywhere but last is refused before this by torchForm, src/api/torch-forms.ts)
  const at = args.findIndex((a) => a !== null && typeof a === 'object' && !Array.isArray(a));
  const [dim, keepdim = false] = (at < 0 ? args : args.slice(0, at)) as [Dims | null | undefined, boolean | undefined];
  return [castTo(fn, x, at < 0 ? undefined : args[at], dtypes), dim, keepdim];
}

/** Σ over dims; an int32 tensor sums to int32, wrapping on overflow as int32 arithmetic (also with { dtype: 'int32' }). */
export function sum(x: Tensor, ...args: ReduceArgs): Tensor {
  const [t, dim, keepdim] = reduceArgs('sum', x, args);
  return reduce('sum', t, block(dim, 'sum', 'sumDims'), 'sumInt', { dim, keepdim });
}
/** x, checked float32 under fn's name (the kernel a function picks would name itself, e.g. prodDims, cummaxIndex). */
export function floatInput(fn: string, x: Tensor): Tensor {
  checkTensor(fn, 'input', x);
  if (x.dtype !== 'float32') throw new DTypeError(fn, `input 0 must be float32, got ${x.dtype} (a tensor of shape ${fmtShape(x.shape)})`);
  return x;
}
/** The mean over dims of a float32 x; an int32 x needs { dtype: 'float32' } (PyTorch refuses integer means and integer dtypes). */
export function mean(x: Tensor, ...args: ReduceArgs): Tensor {
  const [t, dim, keepdim] = reduceArgs('mean', x, args, ['float32']);
  return apply(op(block(dim, 'mean', 'meanDims')) as TableOp<ReduceAttrs>, [floatInput('mean', t)], { dim, keepdim });
}
/** Π x over dims; the gradient is the product of the other elements (exact with zeros). int32 stays int32, wrapping on overflow. */
export function prod(x: Tensor, ...args: ReduceArgs): Tensor {
  const [t, dim, keepdim] = reduceArgs('prod', x, args);
  if (t.dtype === 'int32') return prodInt(t, { dim, keepdim });
  return apply(op(block(dim, 'prod', 'prodDims')) as TableOp<ReduceAttrs>, [floatInput('prod', t)], { dim, keepdim });
}
/** The largest element over dims; ties share the gradient evenly (torch.amax). */
export const amax = (x: Tensor, dim?: Dims, keepdim = false): Tensor => reduce('amax', x, 'amax', 'amaxInt', { dim, keepdim });
/** The smallest element over dims; ties share the gradient evenly (torch.amin). */
export const amin = (x: Tensor, dim?: Dims, keepdim = false): Tensor => reduce('amin', x, 'amin', 'aminInt', { dim, keepdim });
/** int32 index of the first largest element along dim (undefined: into the flattened tensor); NaN is the largest. */
export const argmax = (x: Tensor, dim?: number, keepdim = false): Tensor => reduce('argmax', x, 'argmax', 'argmaxInt', { dim, keepdim });
/** int32 index of the first smallest element along dim (undefined: into the flattened tensor); NaN is the smallest. */
export const argmin = (x: Tensor, dim?: number, keepdim = false): Tensor => reduce('argmin', x, 'argmin', 'argminInt', { dim, keepdim });
/** float32 1 where every element (float32 or int32) over dims is nonzero (NaN counts as nonzero), else 0. */
export const all = (x: Tensor, dim?: Dims, keepdim = false): Tensor => reduce('all', x, 'all', 'allInt', { dim, keepdim });
/** float32 1 where any element (float32 or int32) over dims is nonzero (NaN counts as nonzero), else 0. */
export const any = (x: Tensor, dim?: Dims, keepdim = false): Tensor => reduce('any', x, 'any', 'anyInt', { dim, keepdim });
/** The vector p-norm over dims (all elements by default) as linalg.vectorNorm: an ±∞-norm of no elements is a ShapeError. */
export const pNorm = (x: Tensor, p: number | 'fro' = 2, dim?: Dims, keepdim = false): Tensor => apply(op('norm'), [x], { p, dim, keepdim });

/**
 * torch.norm: the vector p-norm over dims (all elements by default), p a number (±Infinity, 0, 1, 2, …)
 * or 'fro'. As torch.norm (unlike linalg.vectorNorm), an ±∞-norm over no elements is 0: the largest
 * |x| of none is taken as the empty sum, so it is computed as the 1-norm, which is that 0.
 */
export function norm(x: Tensor, p: number | 'fro' = 2, dim?: Dims, keepdim = false): Tensor {
  checkTensor('norm', 'input', x);
  const none = Math.abs(p as number) === Infinity && planReduce('norm', x, { dim, keepdim }).count === 0;
  return pNorm(x, none ? 1 : p, dim, keepdim);
}

/** max(dim)/min(dim) values that also carry PyTorch's indices (int32, the first arg-extreme). */
/** A max(dim)/min(dim) result: the values tensor, also as its own `.values` field, with int32 `.indices` (PyTorch's namedtuple fields). */
export type WithIndices = Tensor & { readonly values: Tensor; readonly indices: Tensor } & Iterable<Tensor>;

/**
 * Gives y an `indices` property, computed by argmax/argmin on first access (most callers only use
 * the values). The input must still hold the values max ran on: changed in place since, the
 * indices would not be those of y, so that is an error.
 */
function withIndices(fn: 'max' | 'min', y: Tensor, x: Tensor, dim: number, keepdim: boolean): WithIndices {
  const version = x.storage.version;
  let indices: Tensor | undefined;
  Object.defineProperty(y, 'indices', {
    get: () => {
      if (indices === undefined) {
        if (x.storage.version !== version)
          throw new ValueError(
            fn,
            `.indices of ${fn}(dim ${dim}): the input ${fmtShape(x.shape)} was modified in place after ${fn} ran; read .indices first, or call arg${fn}`,
          );
        indices = (fn === 'max' ? argmax : argmin)(x, dim, keepdim);
      }
      return indices;
    },
    configurable: true,
  });
  // PyTorch's (values, indices): `.values` is the result itself (shadowing Tensor.values(), which
  // the library does not read: it reads rawValues()), so `const { values, indices } = x.max(1)` works.
  Object.defineProperty(y, 'values', { value: y, configurable: true });
  // PyTorch's unpacking `values, indices = x.max(1)`: this result (only) iterates as the pair.
  Object.defineProperty(y, Symbol.iterator, {
    *value() {
      yield y;
      yield (y as WithIndices).indices;
    },
    configurable: true,
  });
  return y as WithIndices;
}

function extreme(fn: 'max' | 'min', x: Tensor, dim: Dims | Tensor | undefined, keepdim: boolean): Tensor {
  // torch.max(a, b) with a tensor b is the elementwise maximum (its gradient split half/half at ties).
  if (dim instanceof Tensor) return (fn === 'max' ? maximum : minimum)(x, dim);
  const y = reduce(fn, x, fn, fn === 'max' ? 'maxInt' : 'minInt', { dim, keepdim });
  return typeof dim === 'number' ? withIndices(fn, y, x, dim, keepdim) : y;
}
/**
 * The largest element: over one dim (with `.indices`; the gradient goes to the first arg-max), or
 * over all elements or a list of dims (the gradient split evenly among ties, as PyTorch); with a
 * tensor in place of the dim, the elementwise maximum (torch.max(a, b)).
 */
export function max(x: Tensor, dim: number, keepdim?: boolean): WithIndices;
export function max(x: Tensor, dimOrOther?: Dims | Tensor, keepdim?: boolean): Tensor;
export function max(x: Tensor, dim?: Dims | Tensor, keepdim = false): Tensor {
  return extreme('max', x, dim, keepdim);
}
/** The smallest element, as max (with a tensor: the elementwise minimum). */
export function min(x: Tensor, dim: number, keepdim?: boolean): WithIndices;
export function min(x: Tensor, dimOrOther?: Dims | Tensor, keepdim?: boolean): Tensor;
export function min(x: Tensor, dim?: Dims | Tensor, keepdim = false): Tensor {
  return extreme('min', x, dim, keepdim);
}

export const softmax = (x: Tensor, dim = -1): Tensor => apply(op('softmax'), [x], { dim });
export const logSoftmax = (x: Tensor, dim = -1): Tensor => apply(op('logSoftmax'), [x], { dim });
/** log Σ eˣ over dims (all elements when undefined), computed stably; −∞ over an empty dim. int32 x is cast to float32 first (torch's result dtype). */
export function logsumexp(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor('logsumexp', 'input', x);
  return apply(op('logsumexp'), [x.dtype === 'int32' ? to(x, 'float32') : x], { dim, keepdim });
}

export interface VarOptions {
  /** Subtracted from the element count N in the divisor N − correction (default 1, unbiased). */
  correction?: number;
  /** PyTorch 1.13's older spelling: true is correction 1, false correction 0 (give one of the two). */
  unbiased?: boolean;
  keepdim?: boolean;
}
/** PyTorch's positional forms std(unbiased) and std(dim, unbiased, keepdim?), or (dim, options). */
type VarArgs = [dim?: Dims | boolean, opts?: VarOptions | boolean, keepdim?: boolean];
function varOptions(fn: string, ...[d, opts, keepdim]: VarArgs): VarAttrs {
  if (typeof d === 'boolean' && opts === undefined) return varOptions(fn, undefined, { unbiased: d });
  if (typeof opts === 'boolean') return varOptions(fn, d, keepdim === undefined ? { unbiased: opts } : { unbiased: opts, keepdim });
  const dim = d as Dims | undefined; // a boolean with options after it is left to the planner's dim error
  const { unbiased, ...o } = checkOptions<VarOptions>(fn, opts, ['correction', 'unbiased', 'keepdim']);
  if (unbiased === undefined) return { dim, ...o };
  checkBool(fn, 'unbiased', unbiased);
  if (o.correction !== undefined)
    throw new ValueError(fn, `give correction or unbiased, not both (got correction ${fmtValue(o.correction)} and unbiased ${fmtValue(unbiased)})`);
  return { dim, ...o, correction: unbiased ? 1 : 0 };
}
/** Variance over dims (all elements when undefined): Σ (x − mean)² / max(0, N − correction); also PyTorch's positional var(unbiased) and var(dim, unbiased, keepdim). */
export const variance = (x: Tensor, ...args: VarArgs): Tensor => apply(op('var'), [x], varOptions('var', ...args));
/** Standard deviation: √var, with the same options. */
export const std = (x: Tensor, ...args: VarArgs): Tensor => apply(op('std'), [x], varOptions('std', ...args));
/** [var or std, mean] over dims, as PyTorch's var_mean/std_mean tuples (JS arrays here, as DESIGN.md fixes for tuples). */
const withMean =
  (fn: 'varMean' | 'stdMean', spread: 'var' | 'std') =>
  (x: Tensor, ...args: VarArgs): [Tensor, Tensor] => {
    const a = varOptions(fn, ...args);
    planVar(fn, floatInput(fn, x), a); // errors name varMean/stdMean, not the var/std inside
    return [apply(op(spread), [x], a), mean(x, a.dim ?? undefined, a.keepdim ?? false)];
  };
/** [var, mean] over dims, with var's options. */
export const varMean = withMean('varMean', 'var');
/** [std, mean] over dims, with std's options. */
export const stdMean = withMean('stdMean', 'std');
