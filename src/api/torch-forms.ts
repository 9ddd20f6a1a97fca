/**
 * The functions that take PyTorch's positional and keyword forms besides their own (src/api/keywords.ts):
 * each is declared once here by its parameters after the tensor inputs, in torch's order: those the
 * implementation takes positionally, then those it reads from its options object (`options`:
 * positional in torch too; `keywordOnly`: after torch's `*`). `wg.*`, `wg.nn.functional.*` and the
 * Tensor methods that forward to these get both forms.
 */
import { torchForm } from './keywords.js';
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

// wg.linalg (src/api/linalg-namespace.ts re-exports these under torch.linalg's names).
export const vectorNorm = /* @__PURE__ */ torchForm('linalg.vectorNorm', vectorNormImpl, { positional: [], options: ['ord', 'dim', 'keepdim'] });
export const matrixNorm = /* @__PURE__ */ torchForm('linalg.matrixNorm', matrixNormImpl, { positional: [], options: ['ord', 'dim', 'keepdim'] });
export const linalgNorm = /* @__PURE__ */ torchForm('linalg.norm', linalgNormImpl, { positional: [], options: ['ord', 'dim', 'keepdim'] });
export const cond = /* @__PURE__ */ torchForm('linalg.cond', condImpl, { positional: [], options: ['p'] });
export const eigh = /* @__PURE__ */ torchForm('linalg.eigh', eighImpl, { positional: [], options: ['UPLO'] });
export const eigvalsh = /* @__PURE__ */ torchForm('linalg.eigvalsh', eigvalshImpl, { positional: [], options: ['UPLO'] });
export const svd = /* @__PURE__ */ torchForm('linalg.svd', svdImpl, { positional: [], options: ['fullMatrices'] });
export const qr = /* @__PURE__ */ torchForm('linalg.qr', qrImpl, { positional: [], options: ['mode'] });
export const lstsq = /* @__PURE__ */ torchForm('linalg.lstsq', lstsqImpl, { inputs: 2, positional: [], options: ['rcond'], keywordOnly: ['driver'] });
