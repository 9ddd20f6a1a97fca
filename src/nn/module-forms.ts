/**
 * PyTorch's constructor arguments of the modules whose own constructor takes its leading
 * arguments positionally and the rest in an options object (`new nn.Conv2d(3, 8, 3, {stride: 2})`):
 * each module also takes torch's positional form (`new nn.Conv2d(3, 8, 3, 2, 1)`) and its keyword
 * form (`new nn.LSTM({inputSize: 4, hiddenSize: 8, batchFirst: true})`), rewritten by
 * torchArgs (src/api/keywords.ts). One entry per module: the arguments the constructor takes
 * positionally, then the rest in torch's order.
 */
import { torchArgs, type TorchSignature } from '../api/keywords.js';

const form = (positional: readonly string[], options: readonly string[]): TorchSignature => ({ inputs: 0, positional, options });
const CONV = ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'];
const CONV_T = ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode'];
const CHANNELS = ['inChannels', 'outChannels', 'kernelSize'];
const NORM = ['eps', 'momentum', 'affine', 'trackRunningStats'];
const RECURRENT = ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional'];
const MAX_POOL = ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'];
const AVG_POOL = ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'];
const LAYER = ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias'];

const FORMS = {
  Linear: form(['inFeatures', 'outFeatures'], ['bias']),
  Bilinear: form(['in1Features', 'in2Features', 'outFeatures'], ['bias']),
  Conv1d: form(CHANNELS, CONV),
  Conv2d: form(CHANNELS, CONV),
  Conv3d: form(CHANNELS, CONV),
  ConvTranspose1d: form(CHANNELS, CONV_T),
  ConvTranspose2d: form(CHANNELS, CONV_T),
  ConvTranspose3d: form(CHANNELS, CONV_T),
  Embedding: form(['numEmbeddings', 'embeddingDim'], ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse', '_weight']),
  EmbeddingBag: form(
    ['numEmbeddings', 'embeddingDim'],
    ['maxNorm', 'normType', 'scaleGradByFreq', 'mode', 'sparse', '_weight', 'includeLastOffset', 'paddingIdx'],
  ),
  Upsample: form([], ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor']),
  UpsamplingNearest2d: form([], ['size', 'scaleFactor']),
  UpsamplingBilinear2d: form([], ['size', 'scaleFactor']),
  BatchNorm1d: form(['numFeatures'], NORM),
  BatchNorm2d: form(['numFeatures'], NORM),
  BatchNorm3d: form(['numFeatures'], NORM),
  InstanceNorm1d: form(['numFeatures'], NORM),
  InstanceNorm2d: form(['numFeatures'], NORM),
  InstanceNorm3d: form(['numFeatures'], NORM),
  LayerNorm: form(['normalizedShape'], ['eps', 'elementwiseAffine', 'bias']),
  RMSNorm: form(['normalizedShape'], ['eps', 'elementwiseAffine']),
  GroupNorm: form(['numGroups', 'numChannels'], ['eps', 'affine']),
  LocalResponseNorm: form(['size'], ['alpha', 'beta', 'k']),
  RNN: form(['inputSize', 'hiddenSize'], ['numLayers', 'nonlinearity', 'bias', 'batchFirst', 'dropout', 'bidirectional']),
  GRU: form(['inputSize', 'hiddenSize'], RECURRENT),
  LSTM: form(['inputSize', 'hiddenSize'], [...RECURRENT, 'projSize']),
  RNNCell: form(['inputSize', 'hiddenSize'], ['bias', 'nonlinearity']),
  GRUCell: form(['inputSize', 'hiddenSize'], ['bias']),
  LSTMCell: form(['inputSize', 'hiddenSize'], ['bias']),
  MaxPool1d: form(['kernelSize'], MAX_POOL),
  MaxPool2d: form(['kernelSize'], MAX_POOL),
  MaxPool3d: form(['kernelSize'], MAX_POOL),
  AvgPool1d: form(['kernelSize'], AVG_POOL.slice(0, 4)),
  AvgPool2d: form(['kernelSize'], AVG_POOL),
  AvgPool3d: form(['kernelSize'], AVG_POOL),
  CosineSimilarity: form([], ['dim', 'eps']),
  PairwiseDistance: form([], ['p', 'eps', 'keepdim']),
  Fold: form(['outputSize', 'kernelSize'], ['dilation', 'padding', 'stride']),
  Unfold: form(['kernelSize'], ['dilation', 'padding', 'stride']),
  MultiheadAttention: form(['embedDim', 'numHeads'], ['dropout', 'bias', 'addBiasKv', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst']),
  TransformerEncoderLayer: form(['dModel', 'nhead'], LAYER),
  TransformerDecoderLayer: form(['dModel', 'nhead'], LAYER),
  /** Softmax and LogSoftmax. */
  Softmax: form(['dim'], []),
  Softmin: form(['dim'], []),
  Flatten: form(['startDim', 'endDim'], []),
  Unflatten: form(['dim', 'unflattenedSize'], []),
  Dropout: form(['p', 'inplace'], []),
  Transformer: form(['dModel', 'nhead'], ['numEncoderLayers', 'numDecoderLayers', ...LAYER.slice(0, 3), 'customEncoder', 'customDecoder', ...LAYER.slice(3)]),
} satisfies Record<string, TorchSignature>;

/** A module constructor's arguments in its own form (`nn.<name>`'s leading arguments, then its options object); errors name `nn.<shown>`. */
export function moduleArgs(name: keyof typeof FORMS, args: readonly unknown[], shown: string = name): readonly unknown[] {
  return torchArgs(`nn.${shown}`, args, FORMS[name]);
}
