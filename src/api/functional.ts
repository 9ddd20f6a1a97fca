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
export type { GeluOptions, SoftplusOptions } from './elementwise.js';
export {
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  sinh,
  cosh,
  asinh,
  acosh,
  atanh,
  erf,
  erfc,
  erfinv,
  sign,
  round,
  floor,
  ceil,
  trunc,
  frac,
  reciprocal,
  rsqrt,
  log2,
  log10,
  log1p,
  exp2,
  expm1,
  mish,
  elu,
  selu,
  celu,
  hardswish,
  hardsigmoid,
  hardtanh,
  relu6,
  softsign,
  logsigmoid,
  atan2,
  logaddexp,
  hypot,
  fmod,
  addcmul,
  addcdiv,
  type AddcOptions,
  hardshrink,
  softshrink,
  tanhshrink,
  threshold,
  softmin,
  glu,
  prelu,
} from './math.js';
// `var` is a reserved word: the function is `variance` here, exported as wg.var.
export { sum, mean, max, min, softmax, logSoftmax, logsumexp, variance as var, std, type VarOptions } from './reduce.js';
export { sort, argsort, topk, cumsum, cumprod, cummax, cummin, logcumsumexp, type SortOptions, type TopkOptions, type ValuesIndices } from './sort.js';
export { prod, amax, amin, argmax, argmin, all, any, norm, varMean, stdMean, type Dims, type WithIndices } from './reduce.js';
export { matmul, linear } from './linalg.js';
export type { MatmulOptions, LinearOptions } from '../ops/linalg.js';
export { reshape, flatten, clone, transpose, permute, slice, cat, stack, embedding, dropout } from './shape.js';
export { unflatten } from './shape.js';
export { conv2d, maxPool2d, avgPool2d } from './conv.js';
export { cosineSimilarity, pairwiseDistance, cdist } from './distance.js';
export { einsum } from './einsum.js';
export {
  expand,
  repeat,
  tile,
  squeeze,
  unsqueeze,
  flip,
  roll,
  narrow,
  movedim,
  split,
  chunk,
  unbind,
  pad,
  pixelShuffle,
  pixelUnshuffle,
  dropout1d,
  dropout2d,
  type PadOptions,
} from './layout.js';
export { floorDivide, remainder, logicalAnd, logicalOr, logicalXor, logicalNot } from './integer.js';
export { eye, linspace, zerosLike, onesLike, fullLike, randnLike, randLike, randint, multinomial, bernoulli } from './factories.js';
export { scaledDotProductAttention, type SdpaOptions } from './attention.js';
export { gather, scatter, scatterAdd, indexAdd, indexSelect, take, index, maskedFill, maskedSelect, tril, triu, type ScatterReduce } from './indexing.js';
export { conv1d, convTranspose2d, adaptiveAvgPool2d, adaptiveMaxPool2d, interpolate } from './conv.js';
export { maxPool1d, avgPool1d, adaptiveAvgPool1d } from './conv.js';
export { adaptiveMaxPool1d, convTranspose1d } from './conv.js';
export { layerNorm, groupNorm, batchNorm, type AffineNormOptions, type BatchNormFnOptions } from './norm.js';
export {
  mm,
  bmm,
  mv,
  dot,
  outer,
  isnan,
  isinf,
  isfinite,
  nanToNum,
  isclose,
  allclose,
  equal,
  oneHot,
  normalize,
  randperm,
  select,
  diagonal,
  repeatInterleave,
  diag,
  trace,
  t,
  swapaxes,
  swapdims,
  moveaxis,
  broadcastTo,
  hstack,
  vstack,
  meshgrid,
  empty,
  emptyLike,
} from './convenience.js';
export type { DiagonalAttrs as DiagonalOptions, IscloseAttrs as IscloseOptions, NormalizeAttrs as NormalizeOptions } from '../ops/convenience.js';
export { localResponseNorm, instanceNorm, type LocalResponseNormOptions, type InstanceNormFnOptions } from './norm.js';
