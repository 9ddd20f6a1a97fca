/**
 * prod, cumprod, cummax and cummin of int32 tensors (PyTorch takes integer tensors there), exact and
 * with no kernel of their own: int32 mul/maximum/minimum over halvings (prod) and Hillis–Steele
 * doubling steps (scans), ⌈log₂ n⌉ passes over the data. Products wrap as int32 arithmetic, as
 * sum and cumsum do (PyTorch widens to int64). No gradient (int32).
 */
import { arange, full } from './creation.js';
import { eq, maximum, minimum, mul } from './elementwise.js';
import { where } from './integer.js';
import { cat, clone, reshape, slice } from './shape.js';
import type { Tensor } from '../engine/tensor.js';
import { planReduce, type ReduceAttrs } from '../ops/reduce.js';
import { planScan } from '../ops/sort.js';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** x's shape with size n along d. */
const resized = (x: Tensor, d: number, n: number) => x.shape.map((s, i) => (i === d ? n : s));
/** An int32 block of x's shape with size n along d, filled with v. */
const block = (x: Tensor, d: number, n: number, v: number) => full(resized(x, d, n), v, { dtype: 'int32' });

/** Π along dim d, kept as size 1: halves multiplied pairwise (an odd half padded with 1) until one is left. */
function prodAlong(x: Tensor, d: number): Tensor {
  let y = x;
  let n = x.shape[d];
  if (n === 0) return block(x, d, 1, 1);
  while (n > 1) {
    const h = Math.ceil(n / 2);
    const rest = slice(y, d, h, n);
    y = mul(slice(y, d, 0, h), n - h < h ? cat([rest, block(y, d, 1, 1)], d) : rest);
    n = h;
  }
  return y;
}

/** int32 prod over dims (a dim, a list, or all), with PyTorch's keepdim. */
export function prodInt(x: Tensor, a: ReduceAttrs): Tensor {
  const { shape, dims } = planReduce('prod', x, a);
  if (x.ndim === 0) return clone(x);
  const all = dims.length === 0 || a.dim == null;
  const y = all ? prodAlong(reshape(x, [-1]), 0) : dims.reduce((t, d) => prodAlong(t, d), x);
  return reshape(y, shape);
}

/** The inclusive scan of f along dim: step s combines each element with the one s before it (f's identity before the start). */
function scanInt(fn: string, x: Tensor, dim: number, f: (a: Tensor, b: Tensor) => Tensor, identity: number): Tensor {
  const [, n] = planScan(fn, x, dim);
  if (x.ndim === 0 || n < 2) return clone(x);
  const d = dim < 0 ? dim + x.ndim : dim;
  let y = x;
  for (let s = 1; s < n; s *= 2) y = f(y, cat([block(y, d, s, identity), slice(y, d, 0, n - s)], d));
  return y;
}

/** The running product of an int32 x along dim, wrapping as int32. */
export const cumprodInt = (x: Tensor, dim: number): Tensor => scanInt('cumprod', x, dim, mul, 1);

/**
 * The indices of the running max (min) of an int32 x along dim, ties taking the later index as
 * torch.cummax: the running extreme changes only where x reaches it, so the index at j is the last
 * k ≤ j with x_k equal to the running extreme at k, itself a running max over those k.
 */
export function cumExtremeIndexInt(largest: boolean, x: Tensor, dim: number): Tensor {
  const fn = largest ? 'cummax' : 'cummin';
  const values = scanInt(fn, x, dim, largest ? maximum : minimum, largest ? INT_MIN : INT_MAX);
  if (x.ndim === 0) return full([], 0, { dtype: 'int32' });
  const d = dim < 0 ? dim + x.ndim : dim;
  const positions = reshape(
    arange(x.shape[d], { dtype: 'int32' }),
    x.shape.map((s, i) => (i === d ? s : 1)),
  );
  return scanInt(fn, where(eq(x, values), positions, -1), dim, maximum, -1);
}
