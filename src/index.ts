/**
 * wasmgrad: train neural networks on the CPU with reverse-mode autodiff on a WebAssembly SIMD
 * tape interpreter, cross-checked against a float64 reference backend.
 *
 *   import * as wg from 'wasmgrad';
 *   await wg.init();
 */
export { init, setBackend, getBackend, noGrad, info, type InitOptions } from './engine/engine.js';
export {
  WasmgradError,
  ShapeError,
  DTypeError,
  ValueError,
  OutOfMemoryError,
  RecycledTensorError,
  StateDictError,
  FileFormatError,
  NonFiniteError,
  AutogradError,
  BackendError,
  CompileError,
} from './errors.js';
export { manualSeed, getRngState, setRngState, initialSeed, seed } from './random.js';
export * as random from './api/random-namespace.js';
export { useDeterministicAlgorithms, areDeterministicAlgorithmsEnabled } from './api/determinism.js';
export { setDebug, getDebug, type DebugOptions } from './engine/debug.js';
export { tensor, zeros, ones, full, arange, type CreateOptions } from './api/creation.js';
export { randn, rand } from './api/random-forms.js';
import './api/methods.js'; // installs the op methods on Tensor.prototype
export { Tensor, type TensorLike, type NestedArray } from './engine/tensor.js';
export type { DType } from './ops/types.js';
export type { BackendName } from './engine/backend/types.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './api/gradcheck.js';
export * from './api/functional.js';
export * from './api/inplace-functions.js';
export {
  float32,
  float,
  float64,
  double,
  float16,
  half,
  bfloat16,
  int32,
  int,
  int64,
  long,
  pi,
  e,
  inf,
  nan,
  getDefaultDtype,
  setDefaultDtype,
  finfo,
  iinfo,
  type FloatInfo,
} from './api/torch-dtypes.js';
export {
  binaryCrossEntropyWithLogits,
  klDiv,
  hingeEmbeddingLoss,
  marginRankingLoss,
  cosineEmbeddingLoss,
  tripletMarginLoss,
  poissonNllLoss,
  ctcLoss,
  type AtenLoss,
} from './api/torch-losses.js';
export { rnnTanhCell, rnnReluCell, gruCell, lstmCell } from './nn/functional-cells.js';
export {
  detach,
  splitWithSizes,
  unsafeSplit,
  unsafeChunk,
  narrowCopy,
  randintLike,
  frobeniusNorm,
  nuclearNorm,
  getNumThreads,
  lu,
  unsafeSplitWithSizes,
  type LuResult,
} from './api/torch-extras.js';
export {
  setNumThreads,
  getNumInteropThreads,
  setNumInteropThreads,
  setFlushDenormal,
  getFloat32MatmulPrecision,
  setFloat32MatmulPrecision,
  typename,
  isStorage,
  getDevice,
  type MatmulPrecision,
} from './api/torch-runtime.js';
export { setPrintoptions, type PrintOptionsGiven } from './api/printoptions.js';
export { histogram, type HistogramOptions, type HistogramResult } from './api/histogram.js';
export { gradient, range, type GradientOptions } from './api/numeric-gradient.js';
export * as losses from './api/losses.js';
export * as linalg from './api/linalg-namespace.js';
export * as special from './api/special-namespace.js';
export * as distributions from './distributions/index.js';
export type { Conv1dOptions, Conv2dOptions, ConvTranspose2dOptions } from './ops/conv.js';
export type { AdaptiveSize, AvgPool1dOptions, AvgPool2dOptions, MaxPool1dOptions, MaxPool2dOptions, PoolOptions } from './ops/pool.js';
export type { InterpolateOptions } from './ops/resample.js';
export * as data from './data/index.js';
export * as utils from './utils.js';
export * as optim from './optim/index.js';
export * from './io/index.js';
export * as nn from './nn/index.js';
export { summary, type SummaryOptions } from './nn/summary.js';
export { compile } from './compile/compile.js';
export * as autograd from './api/autograd-namespace.js';
export { enableGrad, setGradEnabled, isGradEnabled, inferenceMode, isInferenceModeEnabled, isInference } from './api/grad-mode.js';
export { gradgradcheck } from './api/gradgradcheck.js';
export { setAnomalyEnabled, isAnomalyEnabled, isAnomalyCheckNanEnabled } from './api/anomaly-mode.js';
export type { GradFn, GradHook } from './engine/tensor.js';
export type { RemovableHandle } from './engine/backward-hooks.js';
export * from './train/index.js';
