/**
 * The functions that take PyTorch's positional and keyword forms besides their own (src/api/keywords.ts):
 * each is declared once here by its parameters after the tensor inputs, in torch's order: those the
 * implementation takes positionally, then those it reads from its options object (`options`:
 * positional in torch too; `keywordOnly`: after torch's `*`). `wg.*`, `wg.nn.functional.*` and the
 * Tensor methods that forward to these get both forms.
 */
import { torchForm } from './keywords.js';
import { allclose as allcloseImpl, diagonal as diagonalImpl, isclose as iscloseImpl, repeatInterleave as repeatInterleaveImpl } from './convenience.js';
import { diagEmbed as diagEmbedImpl, vander as vanderImpl } from './parity-shape.js';
import { permute as permuteImpl } from './shape.js';
import { roll as rollImpl } from './layout.js';
import { maskedFill as maskedFillImpl } from './indexing.js';
import { bincount as bincountImpl, unique as uniqueImpl, uniqueConsecutive as uniqueConsecutiveImpl } from './counting.js';
import { multinomial as multinomialImpl } from './factories.js';
import { localResponseNorm as localResponseNormImpl } from './norm.js';
import {
  fold as foldImpl,
  lpPool1d as lpPool1dImpl,
  lpPool2d as lpPool2dImpl,
  maxUnpool1d as maxUnpool1dImpl,
  maxUnpool2d as maxUnpool2dImpl,
  maxUnpool3d as maxUnpool3dImpl,
  rmsNorm as rmsNormImpl,
  unfold as unfoldImpl,
} from './parity-nn.js';
import { affineGrid as affineGridImpl, gridSample as gridSampleImpl } from './grid.js';
import { embeddingBag as embeddingBagImpl } from './embedding.js';
import { gumbelSoftmax as gumbelSoftmaxImpl } from './torch-nn.js';
import { scaledDotProductAttention as sdpaImpl } from './attention.js';
import { tensorinv as tensorinvImpl, tensorsolve as tensorsolveImpl } from './linalg-compose.js';
import * as losses from './losses.js';
import * as sig from './loss-signatures.js';
import { indexPut as indexPutImpl } from './scatters.js';
import { cond as condImpl, lstsq as lstsqImpl, matrixNorm as matrixNormImpl, norm as linalgNormImpl, vectorNorm as vectorNormImpl } from './linalg-norms.js';
import { eigh as eighImpl, eigvalsh as eigvalshImpl, qr as qrImpl, svd as svdImpl } from './linalg-spectral.js';
import { linear as linearImpl } from './linalg.js';
import {
  adaptiveAvgPool1d as adaptiveAvgPool1dImpl,
  adaptiveAvgPool2d as adaptiveAvgPool2dImpl,
  adaptiveMaxPool1d as adaptiveMaxPool1dImpl,
  adaptiveMaxPool2d as adaptiveMaxPool2dImpl,
  avgPool1d as avgPool1dImpl,
  avgPool2d as avgPool2dImpl,
  conv1d as conv1dImpl,
  conv2d as conv2dImpl,
  convTranspose1d as convTranspose1dImpl,
  convTranspose2d as convTranspose2dImpl,
  interpolate as interpolateImpl,
  maxPool1d as maxPool1dImpl,
  maxPool2d as maxPool2dImpl,
} from './conv.js';
import {
  adaptiveAvgPool3d as adaptiveAvgPool3dImpl,
  adaptiveMaxPool3d as adaptiveMaxPool3dImpl,
  avgPool3d as avgPool3dImpl,
  conv3d as conv3dImpl,
  convTranspose3d as convTranspose3dImpl,
  maxPool3d as maxPool3dImpl,
} from './conv3d.js';
import { nanToNum as nanToNumImpl, normalize as normalizeImpl, oneHot as oneHotImpl, select as selectImpl } from './convenience.js';
import { histc as histcImpl } from './counting.js';
import { cdist as cdistImpl, cosineSimilarity as cosineSimilarityImpl, pairwiseDistance as pairwiseDistanceImpl } from './distance.js';
import { softplus as softplusImpl } from './elementwise.js';
import { embedding as embeddingImpl } from './embedding.js';
import { linspace as linspaceImpl } from './factories.js';
import { gather as gatherImpl, indexSelect as indexSelectImpl, scatter as scatterImpl, tril as trilImpl, triu as triuImpl } from './indexing.js';
import {
  chunk as chunkImpl,
  dropout1d as dropout1dImpl,
  dropout2d as dropout2dImpl,
  dropout3d as dropout3dImpl,
  narrow as narrowImpl,
  pad as padImpl,
  split as splitImpl,
  squeeze as squeezeImpl,
  unsqueeze as unsqueezeImpl,
} from './layout.js';
import { celu as celuImpl, elu as eluImpl, glu as gluImpl, hardtanh as hardtanhImpl, softmin as softminImpl } from './math.js';
import { batchNorm as batchNormImpl, groupNorm as groupNormImpl, instanceNorm as instanceNormImpl, layerNorm as layerNormImpl } from './norm.js';
import { clamp as clampImpl, cross as crossImpl, diff as diffImpl, logit as logitImpl, tensordot as tensordotImpl } from './parity-math.js';
import { alphaDropout as alphaDropoutImpl, featureAlphaDropout as featureAlphaDropoutImpl, rrelu as rreluImpl } from './parity-nn.js';
import { combinations as combinationsImpl, logspace as logspaceImpl } from './parity-shape.js';
import {
  all as allImpl,
  amax as amaxImpl,
  amin as aminImpl,
  any as anyImpl,
  argmax as argmaxImpl,
  argmin as argminImpl,
  logSoftmax as logSoftmaxImpl,
  logsumexp as logsumexpImpl,
  max as maxImpl,
  mean as meanImpl,
  min as minImpl,
  norm as normImpl,
  prod as prodImpl,
  softmax as softmaxImpl,
  std as stdImpl,
  stdMean as stdMeanImpl,
  sum as sumImpl,
  varMean as varMeanImpl,
  variance as varImpl,
} from './reduce.js';
import { cat as catImpl, dropout as dropoutImpl, flatten as flattenImpl, stack as stackImpl, transpose as transposeImpl } from './shape.js';
import {
  argsort as argsortImpl,
  cummax as cummaxImpl,
  cummin as cumminImpl,
  cumprod as cumprodImpl,
  cumsum as cumsumImpl,
  logcumsumexp as logcumsumexpImpl,
  sort as sortImpl,
  topk as topkImpl,
} from './sort.js';
import {
  aminmax as aminmaxImpl,
  countNonzero as countNonzeroImpl,
  kthvalue as kthvalueImpl,
  median as medianImpl,
  mode as modeImpl,
  nanmean as nanmeanImpl,
  nanmedian as nanmedianImpl,
  nanquantile as nanquantileImpl,
  nansum as nansumImpl,
  quantile as quantileImpl,
} from './statistics.js';

export const sum = /* @__PURE__ */ torchForm('sum', sumImpl, { positional: ['dim', 'keepdim'], keywordOnly: ['dtype'] });
export const mean = /* @__PURE__ */ torchForm('mean', meanImpl, { positional: ['dim', 'keepdim'], keywordOnly: ['dtype'] });
export const prod = /* @__PURE__ */ torchForm('prod', prodImpl, { positional: ['dim', 'keepdim'], keywordOnly: ['dtype'] });
export const nansum = /* @__PURE__ */ torchForm('nansum', nansumImpl, { positional: ['dim', 'keepdim'] });
export const nanmean = /* @__PURE__ */ torchForm('nanmean', nanmeanImpl, { positional: ['dim', 'keepdim'] });
export const amax = /* @__PURE__ */ torchForm('amax', amaxImpl, { positional: ['dim', 'keepdim'] });
export const amin = /* @__PURE__ */ torchForm('amin', aminImpl, { positional: ['dim', 'keepdim'] });
export const max = /* @__PURE__ */ torchForm('max', maxImpl, { positional: ['dim', 'keepdim'] });
export const min = /* @__PURE__ */ torchForm('min', minImpl, { positional: ['dim', 'keepdim'] });
export const argmax = /* @__PURE__ */ torchForm('argmax', argmaxImpl, { positional: ['dim', 'keepdim'] });
export const argmin = /* @__PURE__ */ torchForm('argmin', argminImpl, { positional: ['dim', 'keepdim'] });
export const all = /* @__PURE__ */ torchForm('all', allImpl, { positional: ['dim', 'keepdim'] });
export const any = /* @__PURE__ */ torchForm('any', anyImpl, { positional: ['dim', 'keepdim'] });
export const logsumexp = /* @__PURE__ */ torchForm('logsumexp', logsumexpImpl, { positional: ['dim', 'keepdim'] });
export const median = /* @__PURE__ */ torchForm('median', medianImpl, { positional: ['dim', 'keepdim'] });
export const nanmedian = /* @__PURE__ */ torchForm('nanmedian', nanmedianImpl, { positional: ['dim', 'keepdim'] });
export const mode = /* @__PURE__ */ torchForm('mode', modeImpl, { positional: ['dim', 'keepdim'] });
export const variance = /* @__PURE__ */ torchForm('var', varImpl, { positional: ['dim'], options: ['unbiased', 'keepdim'], keywordOnly: ['correction'] });
export const std = /* @__PURE__ */ torchForm('std', stdImpl, { positional: ['dim'], options: ['unbiased', 'keepdim'], keywordOnly: ['correction'] });
export const varMean = /* @__PURE__ */ torchForm('varMean', varMeanImpl, {
  positional: ['dim'],
  options: ['unbiased', 'keepdim'],
  keywordOnly: ['correction'],
});
export const stdMean = /* @__PURE__ */ torchForm('stdMean', stdMeanImpl, {
  positional: ['dim'],
  options: ['unbiased', 'keepdim'],
  keywordOnly: ['correction'],
});
export const norm = /* @__PURE__ */ torchForm('norm', normImpl, { positional: ['p', 'dim', 'keepdim'] });
export const cumsum = /* @__PURE__ */ torchForm('cumsum', cumsumImpl, { positional: ['dim'], keywordOnly: ['dtype'] });
export const cumprod = /* @__PURE__ */ torchForm('cumprod', cumprodImpl, { positional: ['dim'], keywordOnly: ['dtype'] });
export const logcumsumexp = /* @__PURE__ */ torchForm('logcumsumexp', logcumsumexpImpl, { positional: ['dim'] });
export const cummax = /* @__PURE__ */ torchForm('cummax', cummaxImpl, { positional: ['dim'] });
export const cummin = /* @__PURE__ */ torchForm('cummin', cumminImpl, { positional: ['dim'] });
export const softmax = /* @__PURE__ */ torchForm('softmax', softmaxImpl, { positional: ['dim'] });
export const logSoftmax = /* @__PURE__ */ torchForm('logSoftmax', logSoftmaxImpl, { positional: ['dim'] });
export const softmin = /* @__PURE__ */ torchForm('softmin', softminImpl, { positional: ['dim'] });
export const glu = /* @__PURE__ */ torchForm('glu', gluImpl, { positional: ['dim'] });
export const countNonzero = /* @__PURE__ */ torchForm('countNonzero', countNonzeroImpl, { positional: ['dim'] });
export const kthvalue = /* @__PURE__ */ torchForm('kthvalue', kthvalueImpl, { positional: ['k', 'dim', 'keepdim'] });
export const quantile = /* @__PURE__ */ torchForm('quantile', quantileImpl, { positional: ['q'], options: ['dim', 'keepdim'], keywordOnly: ['interpolation'] });
export const nanquantile = /* @__PURE__ */ torchForm('nanquantile', nanquantileImpl, {
  positional: ['q'],
  options: ['dim', 'keepdim'],
  keywordOnly: ['interpolation'],
});
export const sort = /* @__PURE__ */ torchForm('sort', sortImpl, { positional: [], options: ['dim', 'descending'], keywordOnly: ['stable'] });
export const argsort = /* @__PURE__ */ torchForm('argsort', argsortImpl, { positional: [], options: ['dim', 'descending'], keywordOnly: ['stable'] });
export const topk = /* @__PURE__ */ torchForm('topk', topkImpl, { positional: ['k'], options: ['dim', 'largest', 'sorted'] });
export const aminmax = /* @__PURE__ */ torchForm('aminmax', aminmaxImpl, { positional: [], keywordOnly: ['dim', 'keepdim'] });
export const tril = /* @__PURE__ */ torchForm('tril', trilImpl, { positional: ['diagonal'] });
export const triu = /* @__PURE__ */ torchForm('triu', triuImpl, { positional: ['diagonal'] });
export const diff = /* @__PURE__ */ torchForm('diff', diffImpl, { positional: [], options: ['n', 'dim', 'prepend', 'append'] });
export const clamp = /* @__PURE__ */ torchForm('clamp', clampImpl, { positional: ['min', 'max'] });
/** torch.clip is torch.clamp. */
export const clip = clamp;
export const elu = /* @__PURE__ */ torchForm('elu', eluImpl, { positional: [], options: ['alpha'] });
export const celu = /* @__PURE__ */ torchForm('celu', celuImpl, { positional: [], options: ['alpha'] });
export const softplus = /* @__PURE__ */ torchForm('softplus', softplusImpl, { positional: [], options: ['beta', 'threshold'] });
export const hardtanh = /* @__PURE__ */ torchForm('hardtanh', hardtanhImpl, { positional: [], options: ['minVal', 'maxVal'] });
export const rrelu = /* @__PURE__ */ torchForm('rrelu', rreluImpl, { positional: [], options: ['lower', 'upper', 'training'] });
export const normalize = /* @__PURE__ */ torchForm('normalize', normalizeImpl, { positional: [], options: ['p', 'dim', 'eps'] });
export const logit = /* @__PURE__ */ torchForm('logit', logitImpl, { positional: ['eps'] });
export const nanToNum = /* @__PURE__ */ torchForm('nanToNum', nanToNumImpl, { positional: [], options: ['nan', 'posinf', 'neginf'] });
export const histc = /* @__PURE__ */ torchForm('histc', histcImpl, { positional: [], options: ['bins', 'min', 'max'] });
export const dropout = /* @__PURE__ */ torchForm('dropout', dropoutImpl, { positional: ['p', 'training'] });
export const dropout1d = /* @__PURE__ */ torchForm('dropout1d', dropout1dImpl, { positional: ['p', 'training'] });
export const dropout2d = /* @__PURE__ */ torchForm('dropout2d', dropout2dImpl, { positional: ['p', 'training'] });
export const dropout3d = /* @__PURE__ */ torchForm('dropout3d', dropout3dImpl, { positional: ['p', 'training'] });
export const alphaDropout = /* @__PURE__ */ torchForm('alphaDropout', alphaDropoutImpl, { positional: ['p', 'training'] });
export const featureAlphaDropout = /* @__PURE__ */ torchForm('featureAlphaDropout', featureAlphaDropoutImpl, { positional: ['p', 'training'] });
export const indexPut = /* @__PURE__ */ torchForm('indexPut', indexPutImpl, { positional: ['indices', 'values', 'accumulate'] });
export const combinations = /* @__PURE__ */ torchForm('combinations', combinationsImpl, { positional: [], options: ['r', 'withReplacement'] });
export const linear = /* @__PURE__ */ torchForm('linear', linearImpl, { inputs: 2, positional: ['bias'] });
export const conv1d = /* @__PURE__ */ torchForm('conv1d', conv1dImpl, {
  inputs: 2,
  positional: ['bias'],
  options: ['stride', 'padding', 'dilation', 'groups'],
});
export const conv2d = /* @__PURE__ */ torchForm('conv2d', conv2dImpl, {
  inputs: 2,
  positional: ['bias'],
  options: ['stride', 'padding', 'dilation', 'groups'],
});
export const conv3d = /* @__PURE__ */ torchForm('conv3d', conv3dImpl, {
  inputs: 2,
  positional: ['bias'],
  options: ['stride', 'padding', 'dilation', 'groups'],
});
export const convTranspose1d = /* @__PURE__ */ torchForm('convTranspose1d', convTranspose1dImpl, {
  inputs: 2,
  positional: ['bias'],
  options: ['stride', 'padding', 'outputPadding', 'groups', 'dilation'],
});
export const convTranspose2d = /* @__PURE__ */ torchForm('convTranspose2d', convTranspose2dImpl, {
  inputs: 2,
  positional: ['bias'],
  options: ['stride', 'padding', 'outputPadding', 'groups', 'dilation'],
});
export const convTranspose3d = /* @__PURE__ */ torchForm('convTranspose3d', convTranspose3dImpl, {
  inputs: 2,
  positional: ['bias'],
  options: ['stride', 'padding', 'outputPadding', 'groups', 'dilation'],
});
export const maxPool1d = /* @__PURE__ */ torchForm('maxPool1d', maxPool1dImpl, {
  positional: ['kernelSize'],
  options: ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'],
});
export const maxPool2d = /* @__PURE__ */ torchForm('maxPool2d', maxPool2dImpl, {
  positional: ['kernelSize'],
  options: ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'],
});
export const maxPool3d = /* @__PURE__ */ torchForm('maxPool3d', maxPool3dImpl, {
  positional: ['kernelSize'],
  options: ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'],
});
export const avgPool1d = /* @__PURE__ */ torchForm('avgPool1d', avgPool1dImpl, {
  positional: ['kernelSize'],
  options: ['stride', 'padding', 'ceilMode', 'countIncludePad'],
});
export const avgPool2d = /* @__PURE__ */ torchForm('avgPool2d', avgPool2dImpl, {
  positional: ['kernelSize'],
  options: ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'],
});
export const avgPool3d = /* @__PURE__ */ torchForm('avgPool3d', avgPool3dImpl, {
  positional: ['kernelSize'],
  options: ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'],
});
export const adaptiveAvgPool1d = /* @__PURE__ */ torchForm('adaptiveAvgPool1d', adaptiveAvgPool1dImpl, { positional: ['outputSize'] });
export const adaptiveAvgPool2d = /* @__PURE__ */ torchForm('adaptiveAvgPool2d', adaptiveAvgPool2dImpl, { positional: ['outputSize'] });
export const adaptiveAvgPool3d = /* @__PURE__ */ torchForm('adaptiveAvgPool3d', adaptiveAvgPool3dImpl, { positional: ['outputSize'] });
export const adaptiveMaxPool1d = /* @__PURE__ */ torchForm('adaptiveMaxPool1d', adaptiveMaxPool1dImpl, {
  positional: ['outputSize'],
  options: ['returnIndices'],
});
export const adaptiveMaxPool2d = /* @__PURE__ */ torchForm('adaptiveMaxPool2d', adaptiveMaxPool2dImpl, {
  positional: ['outputSize'],
  options: ['returnIndices'],
});
export const adaptiveMaxPool3d = /* @__PURE__ */ torchForm('adaptiveMaxPool3d', adaptiveMaxPool3dImpl, {
  positional: ['outputSize'],
  options: ['returnIndices'],
});
export const layerNorm = /* @__PURE__ */ torchForm('layerNorm', layerNormImpl, { positional: ['normalizedShape'], options: ['weight', 'bias', 'eps'] });
export const groupNorm = /* @__PURE__ */ torchForm('groupNorm', groupNormImpl, { positional: ['numGroups'], options: ['weight', 'bias', 'eps'] });
export const batchNorm = /* @__PURE__ */ torchForm('batchNorm', batchNormImpl, {
  positional: ['runningMean', 'runningVar'],
  options: ['weight', 'bias', 'training', 'momentum', 'eps'],
});
export const instanceNorm = /* @__PURE__ */ torchForm('instanceNorm', instanceNormImpl, {
  positional: ['runningMean', 'runningVar'],
  options: ['weight', 'bias', 'useInputStats', 'momentum', 'eps'],
});
export const embedding = /* @__PURE__ */ torchForm('embedding', embeddingImpl, {
  inputs: 2,
  positional: [],
  options: ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse'],
});
export const cosineSimilarity = /* @__PURE__ */ torchForm('cosineSimilarity', cosineSimilarityImpl, { inputs: 2, positional: [], options: ['dim', 'eps'] });
export const pairwiseDistance = /* @__PURE__ */ torchForm('pairwiseDistance', pairwiseDistanceImpl, {
  inputs: 2,
  positional: [],
  options: ['p', 'eps', 'keepdim'],
});
export const cdist = /* @__PURE__ */ torchForm('cdist', cdistImpl, { inputs: 2, positional: [], options: ['p'] });
export const pad = /* @__PURE__ */ torchForm('pad', padImpl, { positional: ['pad'], options: ['mode', 'value'] });
export const interpolate = /* @__PURE__ */ torchForm('interpolate', interpolateImpl, {
  positional: [],
  options: ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor', 'antialias'],
});
export const oneHot = /* @__PURE__ */ torchForm('oneHot', oneHotImpl, { positional: ['numClasses'] });
export const cat = /* @__PURE__ */ torchForm('cat', catImpl, { positional: ['dim'] });
export const stack = /* @__PURE__ */ torchForm('stack', stackImpl, { positional: ['dim'] });
export const gather = /* @__PURE__ */ torchForm('gather', gatherImpl, { positional: ['dim', 'index'] });
export const indexSelect = /* @__PURE__ */ torchForm('indexSelect', indexSelectImpl, { positional: ['dim', 'index'] });
export const scatter = /* @__PURE__ */ torchForm('scatter', scatterImpl, { positional: ['dim', 'index', 'src'], keywordOnly: ['reduce'] });
export const tensordot = /* @__PURE__ */ torchForm('tensordot', tensordotImpl, { inputs: 2, positional: ['dims'] });
export const cross = /* @__PURE__ */ torchForm('cross', crossImpl, { inputs: 2, positional: ['dim'] });
export const linspace = /* @__PURE__ */ torchForm('linspace', linspaceImpl, { inputs: 2, positional: ['steps'], keywordOnly: ['dtype'] });
export const logspace = /* @__PURE__ */ torchForm('logspace', logspaceImpl, { inputs: 2, positional: ['steps', 'base'], keywordOnly: ['dtype'] });
export const flatten = /* @__PURE__ */ torchForm('flatten', flattenImpl, { positional: ['startDim', 'endDim'] });
export const squeeze = /* @__PURE__ */ torchForm('squeeze', squeezeImpl, { positional: ['dim'] });
export const unsqueeze = /* @__PURE__ */ torchForm('unsqueeze', unsqueezeImpl, { positional: ['dim'] });
export const transpose = /* @__PURE__ */ torchForm('transpose', transposeImpl, { positional: ['dim0', 'dim1'] });
export const narrow = /* @__PURE__ */ torchForm('narrow', narrowImpl, { positional: ['dim', 'start', 'length'] });
export const select = /* @__PURE__ */ torchForm('select', selectImpl, { positional: ['dim', 'index'] });
export const chunk = /* @__PURE__ */ torchForm('chunk', chunkImpl, { positional: ['chunks', 'dim'] });
export const split = /* @__PURE__ */ torchForm('split', splitImpl, { positional: ['splitSizeOrSections', 'dim'] });

export const diagonal = /* @__PURE__ */ torchForm('diagonal', diagonalImpl, { positional: [], options: ['offset', 'dim1', 'dim2'] });
export const diagEmbed = /* @__PURE__ */ torchForm('diagEmbed', diagEmbedImpl, { positional: [], options: ['offset', 'dim1', 'dim2'] });
export const permute = /* @__PURE__ */ torchForm('permute', permuteImpl, { positional: ['dims'] });
export const roll = /* @__PURE__ */ torchForm('roll', rollImpl, { positional: ['shifts', 'dims'] });
export const maskedFill = /* @__PURE__ */ torchForm('maskedFill', maskedFillImpl, { positional: ['mask', 'value'] });
export const repeatInterleave = /* @__PURE__ */ torchForm('repeatInterleave', repeatInterleaveImpl, { positional: ['repeats', 'dim'] });
export const unique = /* @__PURE__ */ torchForm('unique', uniqueImpl, { positional: [], options: ['sorted', 'returnInverse', 'returnCounts', 'dim'] });
export const uniqueConsecutive = /* @__PURE__ */ torchForm('uniqueConsecutive', uniqueConsecutiveImpl, {
  positional: [],
  options: ['returnInverse', 'returnCounts', 'dim'],
});
export const bincount = /* @__PURE__ */ torchForm('bincount', bincountImpl, { positional: [], options: ['weights', 'minlength'] });
export const isclose = /* @__PURE__ */ torchForm('isclose', iscloseImpl, { inputs: 2, positional: [], options: ['rtol', 'atol', 'equalNan'] });
export const allclose = /* @__PURE__ */ torchForm('allclose', allcloseImpl, { inputs: 2, positional: [], options: ['rtol', 'atol', 'equalNan'] });
export const vander = /* @__PURE__ */ torchForm('vander', vanderImpl, { positional: [], options: ['N', 'increasing'] });
export const multinomial = /* @__PURE__ */ torchForm('multinomial', multinomialImpl, { positional: ['numSamples'], options: ['replacement'] });
export const localResponseNorm = /* @__PURE__ */ torchForm('localResponseNorm', localResponseNormImpl, {
  positional: ['size'],
  options: ['alpha', 'beta', 'k'],
});
export const lpPool1d = /* @__PURE__ */ torchForm('lpPool1d', lpPool1dImpl, { positional: ['normType', 'kernelSize'], options: ['stride', 'ceilMode'] });
export const lpPool2d = /* @__PURE__ */ torchForm('lpPool2d', lpPool2dImpl, { positional: ['normType', 'kernelSize'], options: ['stride', 'ceilMode'] });
export const fold = /* @__PURE__ */ torchForm('fold', foldImpl, { positional: ['outputSize', 'kernelSize'], options: ['dilation', 'padding', 'stride'] });
export const unfold = /* @__PURE__ */ torchForm('unfold', unfoldImpl, { positional: ['kernelSize'], options: ['dilation', 'padding', 'stride'] });
export const maxUnpool1d = /* @__PURE__ */ torchForm('maxUnpool1d', maxUnpool1dImpl, {
  inputs: 2,
  positional: ['kernelSize'],
  options: ['stride', 'padding', 'outputSize'],
});
export const maxUnpool2d = /* @__PURE__ */ torchForm('maxUnpool2d', maxUnpool2dImpl, {
  inputs: 2,
  positional: ['kernelSize'],
  options: ['stride', 'padding', 'outputSize'],
});
export const maxUnpool3d = /* @__PURE__ */ torchForm('maxUnpool3d', maxUnpool3dImpl, {
  inputs: 2,
  positional: ['kernelSize'],
  options: ['stride', 'padding', 'outputSize'],
});
export const rmsNorm = /* @__PURE__ */ torchForm('rmsNorm', rmsNormImpl, { positional: ['normalizedShape'], options: ['weight', 'eps'] });
export const gridSample = /* @__PURE__ */ torchForm('gridSample', gridSampleImpl, {
  inputs: 2,
  positional: [],
  options: ['mode', 'paddingMode', 'alignCorners'],
});
export const affineGrid = /* @__PURE__ */ torchForm('affineGrid', affineGridImpl, { positional: ['size'], options: ['alignCorners'] });
export const embeddingBag = /* @__PURE__ */ torchForm('embeddingBag', embeddingBagImpl, {
  inputs: 2,
  positional: [],
  options: ['offsets', 'maxNorm', 'normType', 'scaleGradByFreq', 'mode', 'sparse', 'perSampleWeights', 'includeLastOffset', 'paddingIdx'],
});
export const gumbelSoftmax = /* @__PURE__ */ torchForm('gumbelSoftmax', gumbelSoftmaxImpl, { positional: [], options: ['tau', 'hard', 'eps', 'dim'] });
export const scaledDotProductAttention = /* @__PURE__ */ torchForm('scaledDotProductAttention', sdpaImpl, {
  inputs: 3,
  positional: [],
  options: ['attnMask', 'dropoutP', 'isCausal'],
  keywordOnly: ['scale'],
});

// torch.nn.functional's losses under F's names (src/nn/functional.ts); wg.losses keeps its own
// forms. Their arguments are torch's, declared in src/api/loss-signatures.ts.
export const crossEntropy = /* @__PURE__ */ torchForm('crossEntropy', losses.crossEntropy, { inputs: 2, positional: [], options: sig.CROSS_ENTROPY });
export const nllLoss = /* @__PURE__ */ torchForm('nllLoss', losses.nll, { inputs: 2, positional: [], options: sig.NLL });
export const binaryCrossEntropy = /* @__PURE__ */ torchForm('binaryCrossEntropy', losses.bce, { inputs: 2, positional: [], options: sig.WEIGHTED });
export const binaryCrossEntropyWithLogits = /* @__PURE__ */ torchForm('binaryCrossEntropyWithLogits', losses.bceWithLogits, {
  inputs: 2,
  positional: [],
  options: sig.BCE_WITH_LOGITS,
});
export const mseLoss = /* @__PURE__ */ torchForm('mseLoss', losses.mse, { inputs: 2, positional: [], options: sig.REDUCTION });
export const l1Loss = /* @__PURE__ */ torchForm('l1Loss', losses.l1, { inputs: 2, positional: [], options: sig.REDUCTION });
export const huberLoss = /* @__PURE__ */ torchForm('huberLoss', losses.huber, { inputs: 2, positional: [], options: sig.HUBER });
export const smoothL1Loss = /* @__PURE__ */ torchForm('smoothL1Loss', losses.smoothL1, { inputs: 2, positional: [], options: sig.SMOOTH_L1 });
export const klDiv = /* @__PURE__ */ torchForm('klDiv', losses.klDiv, { inputs: 2, positional: [], options: sig.KL_DIV });
export const marginRankingLoss = /* @__PURE__ */ torchForm('marginRankingLoss', losses.marginRanking, { inputs: 3, positional: [], options: sig.MARGIN });
export const hingeEmbeddingLoss = /* @__PURE__ */ torchForm('hingeEmbeddingLoss', losses.hingeEmbedding, { inputs: 2, positional: [], options: sig.MARGIN });
export const cosineEmbeddingLoss = /* @__PURE__ */ torchForm('cosineEmbeddingLoss', losses.cosineEmbedding, { inputs: 3, positional: [], options: sig.MARGIN });
export const tripletMarginLoss = /* @__PURE__ */ torchForm('tripletMarginLoss', losses.tripletMargin, {
  inputs: 3,
  positional: [],
  options: sig.TRIPLET_MARGIN,
});
export const multiMarginLoss = /* @__PURE__ */ torchForm('multiMarginLoss', losses.multiMargin, { inputs: 2, positional: [], options: sig.MULTI_MARGIN });
export const multilabelSoftMarginLoss = /* @__PURE__ */ torchForm('multilabelSoftMarginLoss', losses.multiLabelSoftMargin, {
  inputs: 2,
  positional: [],
  options: sig.WEIGHTED,
});
export const multilabelMarginLoss = /* @__PURE__ */ torchForm('multilabelMarginLoss', losses.multiLabelMargin, {
  inputs: 2,
  positional: [],
  options: sig.REDUCTION,
});
export const softMarginLoss = /* @__PURE__ */ torchForm('softMarginLoss', losses.softMargin, { inputs: 2, positional: [], options: sig.REDUCTION });
export const gaussianNllLoss = /* @__PURE__ */ torchForm('gaussianNllLoss', losses.gaussianNll, { inputs: 3, positional: [], options: sig.GAUSSIAN_NLL });
export const poissonNllLoss = /* @__PURE__ */ torchForm('poissonNllLoss', losses.poissonNll, { inputs: 2, positional: [], options: sig.POISSON_NLL });
export const ctcLoss = /* @__PURE__ */ torchForm('ctcLoss', losses.ctc, { inputs: 4, positional: [], options: sig.CTC });

// wg.linalg (src/api/linalg-namespace.ts re-exports these under torch.linalg's names).
export const vectorNorm = /* @__PURE__ */ torchForm('linalg.vectorNorm', vectorNormImpl, { positional: [], options: ['ord', 'dim', 'keepdim'] });
export const matrixNorm = /* @__PURE__ */ torchForm('linalg.matrixNorm', matrixNormImpl, { positional: [], options: ['ord', 'dim', 'keepdim'] });
export const linalgNorm = /* @__PURE__ */ torchForm('linalg.norm', linalgNormImpl, { positional: [], options: ['ord', 'dim', 'keepdim'] });
export const cond = /* @__PURE__ */ torchForm('linalg.cond', condImpl, { positional: [], options: ['p'] });
export const eigh = /* @__PURE__ */ torchForm('linalg.eigh', eighImpl, { positional: [], options: ['UPLO'] });
export const eigvalsh = /* @__PURE__ */ torchForm('linalg.eigvalsh', eigvalshImpl, { positional: [], options: ['UPLO'] });
export const svd = /* @__PURE__ */ torchForm('linalg.svd', svdImpl, { positional: [], options: ['fullMatrices'] });
export const qr = /* @__PURE__ */ torchForm('linalg.qr', qrImpl, { positional: [], options: ['mode'] });
export const tensorinv = /* @__PURE__ */ torchForm('linalg.tensorinv', tensorinvImpl, { positional: [], options: ['ind'] });
export const tensorsolve = /* @__PURE__ */ torchForm('linalg.tensorsolve', tensorsolveImpl, { inputs: 2, positional: [], options: ['dims'] });
export const lstsq = /* @__PURE__ */ torchForm('linalg.lstsq', lstsqImpl, { inputs: 2, positional: [], options: ['rcond'], keywordOnly: ['driver'] });
