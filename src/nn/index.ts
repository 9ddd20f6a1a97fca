/**
 * wg.nn: modules with PyTorch's names, conventions (NCHW, Linear.weight [out, in]), default
 * initialisations and state-dict keys.
 *
 *   const model = new wg.nn.Sequential(new wg.nn.Linear(784, 128), new wg.nn.ReLU(), new wg.nn.Linear(128, 10));
 *   const logits = model.forward(x);
 *   model.stateDict();   // { '0.weight', '0.bias', '2.weight', '2.bias' }
 */
export { Module, type AnyModule, type Forward, type StateDict, type LoadStateDictOptions, type LoadStateDictResult } from './module.js';
export {
  Linear,
  Conv2d,
  Conv3d,
  Embedding,
  EmbeddingBag,
  type Conv2dModuleOptions,
  type Conv3dModuleOptions,
  type EmbeddingBagModuleOptions,
} from './layers.js';
export {
  ReLU,
  LeakyReLU,
  Tanh,
  Sigmoid,
  GELU,
  SiLU,
  Softmax,
  LogSoftmax,
  Identity,
  Unflatten,
  MaxPool2d,
  AvgPool2d,
  Flatten,
  Dropout,
  type PoolModuleOptions,
} from './simple.js';
export type { AvgPoolModuleOptions, MaxPoolModuleOptions } from './simple.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormOptions } from './norm.js';
export { RNN, GRU, LSTM, RecurrentBase as RNNBase, type RecurrentOptions, type RNNOptions, type LSTMOptions } from './recurrent.js';
export { Sequential, ModuleList, ModuleDict } from './container.js';
export { Container } from './legacy-container.js';
export { Parameter } from './parameter.js';
export * as init from './initializers.js';
export { MultiheadAttention, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions } from './attention.js';
export {
  TransformerEncoderLayer,
  TransformerDecoderLayer,
  type TransformerLayerOptions,
  type EncoderLayerForwardOptions,
  type DecoderLayerForwardOptions,
} from './transformer.js';
export { Mish, ELU, SELU, CELU, Hardswish, Hardsigmoid, Hardtanh, ReLU6, Softsign, LogSigmoid, Softplus } from './activations.js';
export { GroupNorm, InstanceNorm1d, InstanceNorm2d, type GroupNormOptions, type InstanceNormOptions } from './norm.js';
export {
  Conv1d,
  ConvTranspose2d,
  Upsample,
  UpsamplingNearest2d,
  UpsamplingBilinear2d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool2d,
  type Conv1dModuleOptions,
  type ConvTranspose2dModuleOptions,
} from './conv-modules.js';
export {
  MSELoss,
  L1Loss,
  HuberLoss,
  SmoothL1Loss,
  CrossEntropyLoss,
  NLLLoss,
  NLLLoss2d,
  BCELoss,
  BCEWithLogitsLoss,
  KLDivLoss,
  MarginRankingLoss,
  HingeEmbeddingLoss,
  CosineEmbeddingLoss,
  TripletMarginLoss,
  TripletMarginWithDistanceLoss,
  SoftMarginLoss,
  PoissonNLLLoss,
  GaussianNLLLoss,
  MultiLabelSoftMarginLoss,
  MultiMarginLoss,
  MultiLabelMarginLoss,
  CTCLoss,
} from './losses.js';
export {
  TransformerEncoder,
  TransformerDecoder,
  Transformer,
  type EncoderForwardOptions,
  type TransformerEncoderOptions,
  type TransformerOptions,
  type TransformerForwardOptions,
} from './transformer.js';
export { Hardshrink, Softshrink, Tanhshrink, Threshold, Softmin, Softmax2d, GLU, PReLU } from './activations.js';
export { Dropout1d, Dropout2d, Dropout3d, MaxPool3d, AvgPool3d, type MaxPool3dModuleOptions } from './simple.js';
export {
  MaxPool1d,
  AvgPool1d,
  AdaptiveAvgPool1d,
  PixelShuffle,
  PixelUnshuffle,
  ConstantPad1d,
  ConstantPad2d,
  ZeroPad1d,
  ZeroPad2d,
  ReflectionPad1d,
  ReflectionPad2d,
  ReplicationPad1d,
  ReplicationPad2d,
  CircularPad1d,
  CircularPad2d,
  ConstantPad3d,
  ZeroPad3d,
  ReflectionPad3d,
  ReplicationPad3d,
  CircularPad3d,
} from './shape-modules.js';
export { RNNCell, GRUCell, LSTMCell, CellBase as RNNCellBase } from './cells.js';
export { CosineSimilarity, PairwiseDistance } from './distance.js';
export { RMSNorm, LocalResponseNorm, BatchNorm3d, InstanceNorm3d, type RMSNormOptions } from './norm.js';
export { SyncBatchNorm, type SyncBatchNormOptions } from './norm.js';
export { DataParallel } from './parallel.js';
export { CrossMapLRN2d } from './cross-map-lrn.js';
export { ConvTranspose1d, type ConvTranspose1dModuleOptions } from './conv-modules.js';
export { ConvTranspose3d, AdaptiveAvgPool3d, AdaptiveMaxPool3d, type ConvTranspose3dModuleOptions } from './conv-modules.js';
export { FractionalMaxPool2d, FractionalMaxPool3d, type FractionalMaxPoolModuleOptions } from './conv-modules.js';
export {
  Bilinear,
  AdaptiveMaxPool1d,
  ChannelShuffle,
  LPPool1d,
  LPPool2d,
  Unfold,
  Fold,
  AlphaDropout,
  FeatureAlphaDropout,
  RReLU,
  MaxUnpool1d,
  MaxUnpool2d,
  MaxUnpool3d,
  type UnfoldModuleOptions,
} from './parity-layers.js';
export { ParameterList, ParameterDict } from './parameter-containers.js';
export {
  LazyLinear,
  LazyConv1d,
  LazyConv2d,
  LazyConv3d,
  LazyConvTranspose1d,
  LazyConvTranspose2d,
  LazyConvTranspose3d,
  LazyBatchNorm1d,
  LazyBatchNorm2d,
  LazyBatchNorm3d,
  LazyInstanceNorm1d,
  LazyInstanceNorm2d,
  LazyInstanceNorm3d,
} from './lazy.js';
export { AdaptiveLogSoftmaxWithLoss, type AdaptiveLogSoftmaxOptions, type ASMOutput } from './adaptive.js';
export * as utils from './utils.js';
export * as functional from './functional.js';
