/** The function form of every op (wg.add(a, b), ...); Tensor methods call these. */
export {
  add,
  sub,
  mul,
  div,
  neg,
  pow,
  exp,
  log,
  sqrt,
  abs,
  square,
  tanh,
  sigmoid,
  relu,
  leakyRelu,
  gelu,
  softplus,
  silu,
  clamp,
  maximum,
  minimum,
  gt,
  lt,
  ge,
  le,
  eq,
  where,
  lerp,
} from './elementwise.js';
// `var` is a reserved word: the function is `variance` here, exported as wg.var.
export { sum, mean, max, min, softmax, logSoftmax, logsumexp, variance as var, std, type VarOptions } from './reduce.js';
export { sort, argsort, topk, cumsum, cumprod, cummax, cummin, logcumsumexp, type SortOptions, type TopkOptions, type ValuesIndices } from './sort.js';
export { prod, amax, amin, argmax, argmin, all, any, norm, varMean, stdMean, type Dims, type WithIndices } from './reduce.js';
export { matmul, linear } from './linalg.js';
export type { MatmulOptions, LinearOptions } from '../ops/linalg.js';
export { reshape, flatten, transpose, permute, slice, cat, stack, embedding, dropout } from './shape.js';
export { conv2d, maxPool2d, avgPool2d } from './conv.js';
