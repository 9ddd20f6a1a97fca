/**
 * PyTorch's constructor arguments of the modules whose own constructor takes its leading
 * arguments positionally and the rest in an options object (`new nn.Conv2d(3, 8, 3, {stride: 2})`):
 * each module also takes torch's positional form (`new nn.Conv2d(3, 8, 3, 2, 1)`) and its keyword
 * form (`new nn.LSTM({inputSize: 4, hiddenSize: 8, batchFirst: true})`), rewritten by
 * torchArgs (src/api/keywords.ts). One entry per module: the arguments the constructor takes
 * positionally, then the rest in torch's order.
 */
import { torchArgs, type TorchSignature } from '../api/keywords.js';
import * as sig from '../api/loss-signatures.js';

/** A module's constructor signature, named for its errors. */
export interface ModuleForm extends TorchSignature {
  name: string;
}
const form = (name: string, positional: readonly string[], options: readonly string[]): ModuleForm => ({
  name,
  inputs: 0,
  positional,
  options,
  keepNull: options.includes('momentum') ? ['momentum'] : [],
});
const CONV = ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'];
const CONV_T = ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode'];
const CHANNELS = ['inChannels', 'outChannels', 'kernelSize'];
const NORM = ['eps', 'momentum', 'affine', 'trackRunningStats'];
const RECURRENT = ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional'];
const MAX_POOL = ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'];
const AVG_POOL = ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'];
const LAYER = ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias'];

// One export per module, so a bundle keeps only the forms of the modules it uses (Softmax's serves LogSoftmax).
export const Linear = /* @__PURE__ */ form('Linear', ['inFeatures', 'outFeatures'], ['bias']);
export const Bilinear = /* @__PURE__ */ form('Bilinear', ['in1Features', 'in2Features', 'outFeatures'], ['bias']);
export const Conv1d = /* @__PURE__ */ form('Conv1d', CHANNELS, CONV);
export const Conv2d = /* @__PURE__ */ form('Conv2d', CHANNELS, CONV);
export const Conv3d = /* @__PURE__ */ form('Conv3d', CHANNELS, CONV);
export const ConvTranspose1d = /* @__PURE__ */ form('ConvTranspose1d', CHANNELS, CONV_T);
export const ConvTranspose2d = /* @__PURE__ */ form('ConvTranspose2d', CHANNELS, CONV_T);
export const ConvTranspose3d = /* @__PURE__ */ form('ConvTranspose3d', CHANNELS, CONV_T);
export const Embedding = /* @__PURE__ */ form(
  'Embedding',
  ['numEmbeddings', 'embeddingDim'],
  ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse', '_weight'],
);
export const EmbeddingBag = /* @__PURE__ */ form(
  'EmbeddingBag',
  ['numEmbeddings', 'embeddingDim'],
  ['maxNorm', 'normType', 'scaleGradByFreq', 'mode', 'sparse', '_weight', 'includeLastOffset', 'paddingIdx'],
);
export const Upsample = /* @__PURE__ */ form('Upsample', [], ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor']);
export const UpsamplingNearest2d = /* @__PURE__ */ form('UpsamplingNearest2d', [], ['size', 'scaleFactor']);
export const UpsamplingBilinear2d = /* @__PURE__ */ form('UpsamplingBilinear2d', [], ['size', 'scaleFactor']);
export const BatchNorm1d = /* @__PURE__ */ form('BatchNorm1d', ['numFeatures'], NORM);
export const BatchNorm2d = /* @__PURE__ */ form('BatchNorm2d', ['numFeatures'], NORM);
export const BatchNorm3d = /* @__PURE__ */ form('BatchNorm3d', ['numFeatures'], NORM);
export const SyncBatchNorm = /* @__PURE__ */ form('SyncBatchNorm', ['numFeatures'], [...NORM, 'processGroup']);
export const InstanceNorm1d = /* @__PURE__ */ form('InstanceNorm1d', ['numFeatures'], NORM);
export const InstanceNorm2d = /* @__PURE__ */ form('InstanceNorm2d', ['numFeatures'], NORM);
export const InstanceNorm3d = /* @__PURE__ */ form('InstanceNorm3d', ['numFeatures'], NORM);
export const LayerNorm = /* @__PURE__ */ form('LayerNorm', ['normalizedShape'], ['eps', 'elementwiseAffine', 'bias']);
export const RMSNorm = /* @__PURE__ */ form('RMSNorm', ['normalizedShape'], ['eps', 'elementwiseAffine']);
export const GroupNorm = /* @__PURE__ */ form('GroupNorm', ['numGroups', 'numChannels'], ['eps', 'affine']);
export const LocalResponseNorm = /* @__PURE__ */ form('LocalResponseNorm', ['size'], ['alpha', 'beta', 'k']);
export const RNN = /* @__PURE__ */ form('RNN', ['inputSize', 'hiddenSize'], ['numLayers', 'nonlinearity', 'bias', 'batchFirst', 'dropout', 'bidirectional']);
export const GRU = /* @__PURE__ */ form('GRU', ['inputSize', 'hiddenSize'], RECURRENT);
export const LSTM = /* @__PURE__ */ form('LSTM', ['inputSize', 'hiddenSize'], [...RECURRENT, 'projSize']);
export const RNNCell = /* @__PURE__ */ form('RNNCell', ['inputSize', 'hiddenSize'], ['bias', 'nonlinearity']);
export const GRUCell = /* @__PURE__ */ form('GRUCell', ['inputSize', 'hiddenSize'], ['bias']);
export const LSTMCell = /* @__PURE__ */ form('LSTMCell', ['inputSize', 'hiddenSize'], ['bias']);
export const MaxPool1d = /* @__PURE__ */ form('MaxPool1d', ['kernelSize'], MAX_POOL);
export const MaxPool2d = /* @__PURE__ */ form('MaxPool2d', ['kernelSize'], MAX_POOL);
export const MaxPool3d = /* @__PURE__ */ form('MaxPool3d', ['kernelSize'], MAX_POOL);
export const AvgPool1d = /* @__PURE__ */ form('AvgPool1d', ['kernelSize'], AVG_POOL.slice(0, 4));
export const AvgPool2d = /* @__PURE__ */ form('AvgPool2d', ['kernelSize'], AVG_POOL);
export const AvgPool3d = /* @__PURE__ */ form('AvgPool3d', ['kernelSize'], AVG_POOL);
export const CosineSimilarity = /* @__PURE__ */ form('CosineSimilarity', [], ['dim', 'eps']);
export const PairwiseDistance = /* @__PURE__ */ form('PairwiseDistance', [], ['p', 'eps', 'keepdim']);
export const Fold = /* @__PURE__ */ form('Fold', ['outputSize', 'kernelSize'], ['dilation', 'padding', 'stride']);
export const Unfold = /* @__PURE__ */ form('Unfold', ['kernelSize'], ['dilation', 'padding', 'stride']);
export const MultiheadAttention = /* @__PURE__ */ form(
  'MultiheadAttention',
  ['embedDim', 'numHeads'],
  ['dropout', 'bias', 'addBiasKv', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst'],
);
export const TransformerEncoderLayer = /* @__PURE__ */ form('TransformerEncoderLayer', ['dModel', 'nhead'], LAYER);
export const TransformerDecoderLayer = /* @__PURE__ */ form('TransformerDecoderLayer', ['dModel', 'nhead'], LAYER);
export const Softmax = /* @__PURE__ */ form('Softmax', ['dim'], []);
export const Softmin = /* @__PURE__ */ form('Softmin', ['dim'], []);
export const Flatten = /* @__PURE__ */ form('Flatten', ['startDim', 'endDim'], []);
export const Unflatten = /* @__PURE__ */ form('Unflatten', ['dim', 'unflattenedSize'], []);
export const Dropout = /* @__PURE__ */ form('Dropout', ['p', 'inplace'], []);
export const PReLU = /* @__PURE__ */ form('PReLU', ['numParameters', 'init'], []);
// ELU's serves CELU, Hardshrink's Softshrink
export const ELU = /* @__PURE__ */ form('ELU', ['alpha', 'inplace'], []);
export const Hardtanh = /* @__PURE__ */ form('Hardtanh', ['minVal', 'maxVal', 'inplace'], []);
export const Softplus = /* @__PURE__ */ form('Softplus', ['beta', 'threshold'], []);
export const Hardshrink = /* @__PURE__ */ form('Hardshrink', ['lambd'], []);
export const Threshold = /* @__PURE__ */ form('Threshold', ['threshold', 'value', 'inplace'], []);
export const LeakyReLU = /* @__PURE__ */ form('LeakyReLU', ['negativeSlope', 'inplace'], []);
export const RReLU = /* @__PURE__ */ form('RReLU', ['lower', 'upper', 'inplace'], []);
export const GLU = /* @__PURE__ */ form('GLU', ['dim'], []);
export const ChannelShuffle = /* @__PURE__ */ form('ChannelShuffle', ['groups'], []);
// one form serves each family (the errors name the module called)
export const Pad = /* @__PURE__ */ form('Pad', ['padding'], []);
export const ConstantPad = /* @__PURE__ */ form('ConstantPad', ['padding', 'value'], []);
export const MaxUnpool = /* @__PURE__ */ form('MaxUnpool', ['kernelSize', 'stride', 'padding'], []);
export const AdaptiveAvgPool = /* @__PURE__ */ form('AdaptiveAvgPool', ['outputSize'], []);
export const AdaptiveMaxPool = /* @__PURE__ */ form('AdaptiveMaxPool', ['outputSize', 'returnIndices'], []);
export const Transformer = /* @__PURE__ */ form(
  'Transformer',
  ['dModel', 'nhead'],
  ['numEncoderLayers', 'numDecoderLayers', ...LAYER.slice(0, 3), 'customEncoder', 'customDecoder', ...LAYER.slice(3)],
);

// The losses: torch's arguments (src/api/loss-signatures.ts), all in the options object (losses
// fold the deprecated sizeAverage/reduce into reduction). Served under each loss's own name.
const loss = (name: string, options: readonly string[], keywordOnly: readonly string[] = []): ModuleForm => ({
  name,
  inputs: 0,
  positional: [],
  options,
  keywordOnly,
});
export const MSELoss = /* @__PURE__ */ loss('MSELoss', sig.REDUCTION);
export const CrossEntropyLoss = /* @__PURE__ */ loss('CrossEntropyLoss', sig.CROSS_ENTROPY);
export const NLLLoss = /* @__PURE__ */ loss('NLLLoss', sig.NLL);
export const BCELoss = /* @__PURE__ */ loss('BCELoss', sig.WEIGHTED);
export const BCEWithLogitsLoss = /* @__PURE__ */ loss('BCEWithLogitsLoss', sig.BCE_WITH_LOGITS);
export const HuberLoss = /* @__PURE__ */ loss('HuberLoss', sig.HUBER);
export const SmoothL1Loss = /* @__PURE__ */ loss('SmoothL1Loss', sig.SMOOTH_L1);
export const KLDivLoss = /* @__PURE__ */ loss('KLDivLoss', sig.KL_DIV);
export const MarginLoss = /* @__PURE__ */ loss('MarginRankingLoss', sig.MARGIN);
export const TripletMarginLoss = /* @__PURE__ */ loss('TripletMarginLoss', sig.TRIPLET_MARGIN);
export const PoissonNLLLoss = /* @__PURE__ */ loss('PoissonNLLLoss', sig.POISSON_NLL);
export const MultiLabelSoftMarginLoss = /* @__PURE__ */ loss('MultiLabelSoftMarginLoss', sig.WEIGHTED);
export const MultiMarginLoss = /* @__PURE__ */ loss('MultiMarginLoss', sig.MULTI_MARGIN);
export const CTCLoss = /* @__PURE__ */ loss('CTCLoss', sig.CTC);
export const TripletMarginWithDistanceLoss = /* @__PURE__ */ loss('TripletMarginWithDistanceLoss', [], ['distanceFunction', 'margin', 'swap', 'reduction']);
export const GaussianNLLLoss = /* @__PURE__ */ loss('GaussianNLLLoss', [], sig.GAUSSIAN_NLL);

/** A module constructor's arguments in its own form (`nn.<name>`'s leading arguments, then its options object); errors name `nn.<shown>`. */
export function moduleArgs(f: ModuleForm, args: readonly unknown[], shown: string = f.name): readonly unknown[] {
  return torchArgs(`nn.${shown}`, args, f);
}
