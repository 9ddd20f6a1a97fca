/**
 * PyTorch's positional and keyword call forms (src/api/keywords.ts, src/api/torch-forms.ts): each
 * gives exactly what the function's own form gives, and a wrong call is an error, never ignored.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { Tensor } from '../src/index.js';
import { initWasm } from './helpers/setup.js';

beforeAll(initWasm);

const F = wg.nn.functional;
// torch's forms are JavaScript's: TypeScript types each function's own form and its keyword object.
type Loose = { [name: string]: ((...args: unknown[]) => unknown) & Loose };
const W = wg as unknown as Loose;
const L = F as unknown as Loose;
const m = (t: Tensor): Loose => t as unknown as Loose;
const seeded = (shape: number[], seed: number): Tensor => {
  wg.manualSeed(seed);
  return wg.randn(shape);
};
const x = (): Tensor => seeded([3, 4], 1);
const img = (): Tensor => seeded([2, 3, 6, 6], 2);
const int = (values: number[]): Tensor => wg.tensor(values, { dtype: 'int32' });
const triple = (): [Tensor, Tensor, Tensor] => [seeded([3], 4), seeded([3], 5), wg.tensor([1, -1, 1])];
const spd4 = (): Tensor => x().t().matmul(x()).add(wg.eye(4));
/** maxPool2d's values and indices of img(), the input of maxUnpool2d. */
const unpoolArgs = (): [Tensor, Tensor] => wg.nn.functional.maxPool2dWithIndices(img(), 2);

/** Every tensor in a result (a tensor, its indices, an array or a record of them), as arrays. */
function values(r: unknown): unknown {
  if (r instanceof Tensor) {
    const { indices } = r as Tensor & { indices?: unknown };
    return indices instanceof Tensor && indices !== r ? [r.toArray(), indices.toArray()] : r.toArray();
  }
  if (Array.isArray(r)) return r.map(values);
  if (r !== null && typeof r === 'object') return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, values(v)]));
  return r;
}

// [label, wasmgrad's own form, then torch's forms of the same call]
const calls: [string, () => unknown, ...(() => unknown)[]][] = [
  [
    'sum',
    () => W.sum(x(), 1, true),
    () => W.sum(x(), { dim: 1, keepdim: true }),
    () => W.sum(x(), 1, { keepdim: true }),
    () => m(x()).sum({ dim: 1, keepdim: true }),
  ],
  ['sum dtype', () => W.sum(int([1, 2, 3]), { dtype: 'float32' }), () => W.sum(int([1, 2, 3]), { dim: 0, dtype: 'float32' })],
  ['mean', () => W.mean(x(), [0, 1]), () => W.mean(x(), { dim: [0, 1] })],
  ['max dim', () => W.max(x(), 1), () => W.max(x(), { dim: 1 }), () => m(x()).max({ dim: 1 })],
  ['argmax', () => W.argmax(x(), 0, true), () => W.argmax(x(), { dim: 0, keepdim: true }), () => m(x()).argmax({ dim: 0, keepdim: true })],
  ['logsumexp', () => W.logsumexp(x(), 1), () => W.logsumexp(x(), { dim: 1 })],
  [
    'var',
    () => W.var(x(), 1, { correction: 0 }),
    () => W.var(x(), 1, false),
    () => W.var(x(), { dim: 1, unbiased: false }),
    () => W.var(x(), { dim: 1, correction: 0 }),
  ],
  ['var all', () => W.var(x(), false), () => W.var(x(), { unbiased: false })],
  ['std keepdim', () => W.std(x(), 0, { keepdim: true }), () => W.std(x(), 0, true, true), () => W.std(x(), { dim: 0, keepdim: true })],
  ['norm', () => W.norm(x(), 3, 1), () => W.norm(x(), { p: 3, dim: 1 })],
  ['cumsum', () => W.cumsum(x(), 1), () => W.cumsum(x(), { dim: 1 }), () => m(x()).cumsum({ dim: 1 })],
  ['softmax', () => W.softmax(x(), 0), () => L.softmax(x(), { dim: 0 }), () => m(x()).softmax({ dim: 0 })],
  ['kthvalue', () => W.kthvalue(x(), 2, 1), () => W.kthvalue(x(), 2, { dim: 1 }), () => W.kthvalue(x(), { k: 2, dim: 1 })],
  ['quantile', () => W.quantile(x(), 0.3, { dim: 1, interpolation: 'lower' }), () => W.quantile(x(), 0.3, 1, { interpolation: 'lower' })],
  ['sort', () => W.sort(x(), { dim: 0, descending: true }), () => W.sort(x(), 0, true), () => W.sort(x(), 0, { descending: true })],
  ['topk', () => W.topk(x(), 2, { dim: 0, largest: false }), () => W.topk(x(), 2, 0, false), () => W.topk(x(), { k: 2, dim: 0, largest: false })],
  ['triu', () => W.triu(x(), -1), () => W.triu(x(), { diagonal: -1 })],
  ['diff', () => W.diff(x(), { n: 2, dim: 0 }), () => W.diff(x(), 2, 0)],
  ['clamp', () => W.clamp(x(), -0.5, 0.5), () => W.clamp(x(), { min: -0.5, max: 0.5 }), () => m(x()).clamp({ max: 0.5, min: -0.5 })],
  ['clamp min only', () => W.clamp(x(), 0), () => W.clamp(x(), { min: 0 })],
  ['elu', () => L.elu(x(), { alpha: 0.5 }), () => L.elu(x(), 0.5)],
  ['softplus', () => L.softplus(x(), { beta: 2, threshold: 1 }), () => L.softplus(x(), 2, 1)],
  ['hardtanh', () => L.hardtanh(x(), { minVal: -0.5, maxVal: 2 }), () => L.hardtanh(x(), -0.5, 2)],
  ['normalize', () => L.normalize(x(), { p: 1, dim: 0 }), () => L.normalize(x(), 1, 0)],
  ['nanToNum', () => W.nanToNum(wg.tensor([NaN, Infinity, 1]), { nan: 1, posinf: 2 }), () => W.nanToNum(wg.tensor([NaN, Infinity, 1]), 1, 2)],
  ['histc', () => W.histc(x(), { bins: 4, min: -1, max: 1 }), () => W.histc(x(), 4, -1, 1)],
  ['dropout eval', () => L.dropout(x(), 0.3, false), () => L.dropout(x(), { p: 0.3, training: false })],
  ['linear', () => L.linear(x(), seeded([2, 4], 3), seeded([2], 4)), () => L.linear(x(), seeded([2, 4], 3), { bias: seeded([2], 4) })],
  [
    'conv2d',
    () => L.conv2d(img(), seeded([4, 3, 3, 3], 5), seeded([4], 6), { stride: 2, padding: 1 }),
    () => L.conv2d(img(), seeded([4, 3, 3, 3], 5), seeded([4], 6), 2, 1),
    () => L.conv2d(img(), seeded([4, 3, 3, 3], 5), { bias: seeded([4], 6), stride: 2, padding: 1 }),
  ],
  [
    'conv2d no bias',
    () => L.conv2d(img(), seeded([4, 3, 3, 3], 5), null, { padding: 'same' }),
    () => L.conv2d(img(), seeded([4, 3, 3, 3], 5), { padding: 'same' }),
  ],
  [
    'convTranspose2d',
    () => L.convTranspose2d(img(), seeded([3, 2, 3, 3], 7), null, { stride: 2, padding: 1, outputPadding: 1 }),
    () => L.convTranspose2d(img(), seeded([3, 2, 3, 3], 7), null, 2, 1, 1),
  ],
  [
    'maxPool2d',
    () => L.maxPool2d(img(), 3, { stride: 2, padding: 1, ceilMode: true }),
    () => L.maxPool2d(img(), 3, 2, 1, 1, true),
    () => L.maxPool2d(img(), { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }),
  ],
  ['avgPool2d', () => L.avgPool2d(img(), 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), () => L.avgPool2d(img(), 3, 2, 1, true, false)],
  ['adaptiveAvgPool2d', () => L.adaptiveAvgPool2d(img(), [2, 3]), () => L.adaptiveAvgPool2d(img(), { outputSize: [2, 3] })],
  ['layerNorm', () => L.layerNorm(x(), [4], { weight: seeded([4], 8), eps: 1e-3 }), () => L.layerNorm(x(), [4], seeded([4], 8), null, 1e-3)],
  ['batchNorm', () => L.batchNorm(x(), null, null, { training: true }), () => L.batchNorm(x(), null, null, null, null, true)],
  ['embedding', () => L.embedding(int([0, 2, 1]), seeded([3, 4], 9), { paddingIdx: 1 }), () => L.embedding(int([0, 2, 1]), seeded([3, 4], 9), 1)],
  ['cosineSimilarity', () => L.cosineSimilarity(x(), seeded([3, 4], 10), { dim: 0 }), () => L.cosineSimilarity(x(), seeded([3, 4], 10), 0)],
  ['cdist', () => W.cdist(x(), seeded([2, 4], 11), { p: 1 }), () => W.cdist(x(), seeded([2, 4], 11), 1)],
  ['pad', () => L.pad(x(), [1, 2], { value: 3 }), () => L.pad(x(), [1, 2], 'constant', 3)],
  [
    'interpolate',
    () => L.interpolate(img(), { scaleFactor: 2, mode: 'bilinear' }),
    () => L.interpolate(img(), null, 2, 'bilinear'),
    () => L.interpolate(img(), undefined, 2, { mode: 'bilinear' }),
  ],
  ['oneHot', () => L.oneHot(int([0, 2]), 4), () => L.oneHot(int([0, 2]), { numClasses: 4 })],
  ['cat', () => W.cat([x(), x()], 1), () => W.cat([x(), x()], { dim: 1 })],
  ['gather', () => W.gather(x(), 1, int([0, 3, 1]).reshape([3, 1])), () => W.gather(x(), { dim: 1, index: int([0, 3, 1]).reshape([3, 1]) })],
  ['flatten', () => W.flatten(img(), 1), () => W.flatten(img(), { startDim: 1 }), () => m(img()).flatten({ startDim: 1 })],
  ['transpose', () => W.transpose(x(), 0, 1), () => W.transpose(x(), { dim0: 0, dim1: 1 })],
  ['split', () => W.split(x(), 2, 1), () => W.split(x(), 2, { dim: 1 }), () => m(x()).split(2, { dim: 1 })],
  ['linspace', () => W.linspace(0, 1, 5), () => W.linspace(0, 1, { steps: 5 })],
  ['linalg.vectorNorm', () => W.linalg.vectorNorm(x(), { ord: 3, dim: 1 }), () => W.linalg.vectorNorm(x(), 3, 1)],
  ['linalg.matrixNorm', () => W.linalg.matrixNorm(x(), { ord: 'nuc' }), () => W.linalg.matrixNorm(x(), 'nuc')],
  ['linalg.svd', () => W.linalg.svd(x(), { fullMatrices: false }), () => W.linalg.svd(x(), false)],
  ['diagonal', () => W.diagonal(img(), { offset: 1, dim1: -2, dim2: -1 }), () => W.diagonal(img(), 1, -2, -1), () => m(img()).diagonal(1, -2, -1)],
  ['diagEmbed', () => W.diagEmbed(x(), { offset: -1, dim1: 0, dim2: 2 }), () => W.diagEmbed(x(), -1, 0, 2)],
  ['permute', () => W.permute(img(), [3, 0, 2, 1]), () => W.permute(img(), { dims: [3, 0, 2, 1] })],
  ['roll', () => W.roll(x(), [1, 2], [0, 1]), () => W.roll(x(), { shifts: [1, 2], dims: [0, 1] }), () => m(x()).roll({ shifts: [1, 2], dims: [0, 1] })],
  [
    'maskedFill',
    () => W.maskedFill(x(), x().gt(0), 1.5),
    () => W.maskedFill(x(), { mask: x().gt(0), value: 1.5 }),
    () => m(x()).maskedFill({ mask: x().gt(0), value: 1.5 }),
  ],
  [
    'repeatInterleave',
    () => W.repeatInterleave(x(), 2, 1),
    () => W.repeatInterleave(x(), 2, { dim: 1 }),
    () => m(x()).repeatInterleave({ repeats: 2, dim: 1 }),
  ],
  [
    'unique',
    () => W.unique(int([3, 1, 3, 2]), { returnInverse: true, returnCounts: true }),
    () => W.unique(int([3, 1, 3, 2]), true, true, true),
    () => W.unique(int([3, 1, 3, 2]), { sorted: true, returnInverse: true, returnCounts: true }),
  ],
  ['uniqueConsecutive', () => W.uniqueConsecutive(int([1, 1, 2, 1]), { returnCounts: true }), () => W.uniqueConsecutive(int([1, 1, 2, 1]), false, true)],
  [
    'bincount',
    () => W.bincount(int([0, 2, 2]), { weights: wg.tensor([0.5, 1, 2]), minlength: 4 }),
    () => W.bincount(int([0, 2, 2]), wg.tensor([0.5, 1, 2]), 4),
  ],
  ['bincount minlength', () => W.bincount(int([0, 2, 2]), { minlength: 4 }), () => W.bincount(int([0, 2, 2]), null, 4)],
  ['isclose', () => W.isclose(x(), x().mul(1.05), { rtol: 0.01, atol: 0.02 }), () => W.isclose(x(), x().mul(1.05), 0.01, 0.02)],
  [
    'allclose',
    () => W.allclose(x(), x().mul(1.05), { rtol: 0.1 }),
    () => W.allclose(x(), x().mul(1.05), 0.1),
    () => m(x()).allclose(x().mul(1.05), { rtol: 0.1 }),
  ],
  ['vander', () => W.vander(wg.tensor([1, 2, 3]), { N: 4, increasing: true }), () => W.vander(wg.tensor([1, 2, 3]), 4, true)],
  ['localResponseNorm', () => L.localResponseNorm(img(), 2, { alpha: 1e-3, beta: 0.7, k: 2 }), () => L.localResponseNorm(img(), 2, 1e-3, 0.7, 2)],
  [
    'lpPool2d',
    () => L.lpPool2d(img(), 2, 2, { stride: 1, ceilMode: true }),
    () => L.lpPool2d(img(), 2, 2, 1, true),
    () => L.lpPool2d(img(), { normType: 2, kernelSize: 2, stride: 1, ceilMode: true }),
  ],
  ['lpPool1d', () => L.lpPool1d(x(), 3, 2, { stride: 1 }), () => L.lpPool1d(x(), 3, 2, 1)],
  ['fold', () => L.fold(seeded([2, 12, 12], 7), [4, 5], 2, { padding: 0, stride: 1 }), () => L.fold(seeded([2, 12, 12], 7), [4, 5], 2, 1, 0, 1)],
  [
    'unfold',
    () => L.unfold(img(), 2, { padding: 1, stride: 2 }),
    () => L.unfold(img(), 2, 1, 1, 2),
    () => L.unfold(img(), { kernelSize: 2, padding: 1, stride: 2 }),
  ],
  [
    'gridSample',
    () => L.gridSample(img(), seeded([2, 3, 3, 2], 8).tanh(), { mode: 'nearest', paddingMode: 'border', alignCorners: true }),
    () => L.gridSample(img(), seeded([2, 3, 3, 2], 8).tanh(), 'nearest', 'border', true),
  ],
  [
    'affineGrid',
    () => L.affineGrid(seeded([2, 2, 3], 9), [2, 3, 4, 5], { alignCorners: false }),
    () => L.affineGrid(seeded([2, 2, 3], 9), [2, 3, 4, 5], false),
  ],
  [
    'embeddingBag',
    () => L.embeddingBag(int([0, 2, 1, 3]), x().t(), { offsets: int([0, 2]), mode: 'sum' }),
    () => L.embeddingBag(int([0, 2, 1, 3]), x().t(), int([0, 2]), null, 2, false, 'sum'),
    () => L.embeddingBag(int([0, 2, 1, 3]), x().t(), int([0, 2]), { mode: 'sum' }),
  ],
  ['maxUnpool2d', () => L.maxUnpool2d(...unpoolArgs(), 2, { stride: 2 }), () => L.maxUnpool2d(...unpoolArgs(), 2, 2, 0)],
  [
    'scaledDotProductAttention',
    () => L.scaledDotProductAttention(x(), x(), x(), { isCausal: true }),
    () => L.scaledDotProductAttention(x(), x(), x(), null, 0, true),
  ],
  ['rmsNorm', () => L.rmsNorm(x(), [4], { weight: seeded([4], 5), eps: 1e-3 }), () => L.rmsNorm(x(), [4], seeded([4], 5), 1e-3)],
  ['linalg.tensorinv', () => W.linalg.tensorinv(spd4().reshape([4, 2, 2]), { ind: 1 }), () => W.linalg.tensorinv(spd4().reshape([4, 2, 2]), 1)],
  [
    'scatter add',
    () => W.scatter(x(), 1, int([0, 0, 2, 2, 1, 0]).reshape([3, 2]), seeded([3, 2], 6), { reduce: 'sum' }),
    () => W.scatter(x(), 1, int([0, 0, 2, 2, 1, 0]).reshape([3, 2]), seeded([3, 2], 6), { reduce: 'add' }),
  ],
  // the losses: torch's positional order, and its deprecated size_average / reduce folded into reduction
  [
    'crossEntropy',
    () => L.crossEntropy(x(), int([0, 2, 1]), { ignoreIndex: 1, reduction: 'sum', labelSmoothing: 0.1 }),
    () => L.crossEntropy(x(), int([0, 2, 1]), null, null, 1, null, 'sum', 0.1),
    () => L.crossEntropy(x(), int([0, 2, 1]), { ignoreIndex: 1, sizeAverage: false, labelSmoothing: 0.1 }),
  ],
  ['crossEntropy reduce', () => L.crossEntropy(x(), int([0, 2, 1]), { reduction: 'none' }), () => L.crossEntropy(x(), int([0, 2, 1]), null, true, -100, false)],
  ['nllLoss weight', () => L.nllLoss(x(), int([0, 2, 1]), { weight: seeded([4], 5).abs() }), () => L.nllLoss(x(), int([0, 2, 1]), seeded([4], 5).abs())],
  [
    'mseLoss',
    () => L.mseLoss(x(), x().mul(2), { reduction: 'sum' }),
    () => L.mseLoss(x(), x().mul(2), null, null, 'sum'),
    () => L.mseLoss(x(), x().mul(2), false),
  ],
  ['huberLoss', () => L.huberLoss(x(), x().mul(2), { reduction: 'sum', delta: 0.5 }), () => L.huberLoss(x(), x().mul(2), 'sum', 0.5)],
  ['smoothL1Loss', () => L.smoothL1Loss(x(), x().mul(2), { beta: 0.5 }), () => L.smoothL1Loss(x(), x().mul(2), null, null, 'mean', 0.5)],
  ['klDiv', () => L.klDiv(x(), x().exp(), { reduction: 'sum', logTarget: true }), () => L.klDiv(x(), x().exp(), null, null, 'sum', true)],
  ['marginRankingLoss', () => L.marginRankingLoss(...triple(), { margin: 0.5 }), () => L.marginRankingLoss(...triple(), 0.5)],
  [
    'hingeEmbeddingLoss',
    () => L.hingeEmbeddingLoss(seeded([3], 4), wg.tensor([1, -1, 1]), { margin: 0.5, reduction: 'none' }),
    () => L.hingeEmbeddingLoss(seeded([3], 4), wg.tensor([1, -1, 1]), 0.5, null, false),
  ],
  [
    'tripletMarginLoss',
    () => L.tripletMarginLoss(x(), x().mul(2), x().neg(), { margin: 1, p: 1, swap: true }),
    () => L.tripletMarginLoss(x(), x().mul(2), x().neg(), 1, 1, 1e-6, true),
  ],
  ['multiMarginLoss', () => L.multiMarginLoss(x(), int([0, 2, 1]), { p: 2, margin: 0.5 }), () => L.multiMarginLoss(x(), int([0, 2, 1]), 2, 0.5)],
  [
    'gaussianNllLoss',
    () => L.gaussianNllLoss(x(), x().mul(2), x().abs(), { full: true, reduction: 'sum' }),
    () => L.gaussianNllLoss(x(), x().mul(2), x().abs(), true, 1e-6, 'sum'),
  ],
  ['poissonNllLoss', () => L.poissonNllLoss(x(), x().abs(), { logInput: true, full: true }), () => L.poissonNllLoss(x(), x().abs(), true, true)],
];

describe("PyTorch's call forms give the function's own result", () => {
  for (const backend of ['wasm', 'reference'] as const)
    test.each(calls)(`%s (${backend})`, (_label, own, ...forms) => {
      wg.setBackend(backend);
      try {
        const want = values(own());
        for (const form of forms) expect(values(form())).toEqual(want);
      } finally {
        wg.setBackend('wasm');
      }
    });
});

describe('wrong calls are errors, never ignored', () => {
  test('an argument beyond torch’s names them', () => {
    // avgPool2d's seventh argument does not exist in torch: it used to be dropped silently.
    expect(() => L.avgPool2d(img(), 3, 2, 1, true, false, 1, 0)).toThrow(
      'wasmgrad.avgPool2d: takes 6 arguments after the input (kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride), got 7',
    );
    expect(() => W.sum(x(), 0, true, false)).toThrow('wasmgrad.sum: takes 2 arguments after the input (dim, keepdim), got 3');
    expect(() => W.sum(x(), 0, true, false)).toThrow(wg.ValueError);
  });
  test('an argument given twice', () => {
    expect(() => W.sum(x(), 0, { dim: 1 })).toThrow("wasmgrad.sum: got 'dim' both as an argument and as an option");
    expect(() => L.elu(x(), 0.5, { alpha: 1 })).toThrow("wasmgrad.elu: got 'alpha' both as an argument and as an option");
  });
  test('an unknown keyword', () => {
    expect(() => W.softmax(x(), { dim: 0, dtype: 'float32' })).toThrow("wasmgrad.softmax: unknown option 'dtype' (the options are dim)");
    expect(() => W.sum(x(), { dim: 0, keepDim: true })).toThrow(/wasmgrad\.sum: unknown option 'keepDim'/);
    expect(() => L.conv2d(img(), seeded([4, 3, 3, 3], 5), { bias: null, strides: 2 })).toThrow(/wasmgrad\.conv2d: unknown option 'strides'/);
    // size_average / reduce only where torch's loss has them, and booleans
    expect(() => L.huberLoss(x(), x(), { sizeAverage: false })).toThrow(/wasmgrad\.losses\.huber: unknown option 'sizeAverage'/);
    expect(() => L.mseLoss(x(), x(), { reduce: 'sum' })).toThrow('wasmgrad.losses.mse: reduce must be a boolean, got "sum"');
    expect(() => W.maskedFill(x(), x().gt(0), 1, 2)).toThrow('wasmgrad.maskedFill: takes 2 arguments after the input (mask, value), got 3');
  });
  test('the own form’s errors are unchanged', () => {
    expect(() => W.sum(x(), 5)).toThrow(wg.ShapeError);
    expect(() => L.elu(x(), { alpha: 'a' })).toThrow(/wasmgrad\.elu/);
  });
  test('a failed keyword call changes nothing and leaves no graph', () => {
    const a = x().requiresGrad_();
    expect(() => W.sum(a, 0, { dim: 1 })).toThrow(wg.ValueError);
    expect(a.grad).toBeNull();
    wg.sum(a, { dim: 0 }).sum().backward();
    expect(a.grad!.toArray()).toEqual(wg.onesLike(a).toArray());
  });
});

describe('autograd.grad takes the seeds third, as torch.autograd.grad(outputs, inputs, grad_outputs)', () => {
  test('the same gradients as the gradOutputs option, with options after the seeds', () => {
    const a = x().requiresGrad_();
    const y = a.mul(a);
    const seed = seeded([3, 4], 12);
    const [own] = wg.autograd.grad([y], [a], { gradOutputs: [seed], retainGraph: true });
    const [positional] = wg.autograd.grad([y], [a], [seed], { retainGraph: true });
    const [single] = wg.autograd.grad(y, a, seed);
    expect(positional!.toArray()).toEqual(own!.toArray());
    expect(single!.toArray()).toEqual(own!.toArray());
    expect(own!.toArray()).toEqual(a.mul(seed).mul(2).toArray());
  });
  test('null seeds a one-element output with 1; the options after the seeds are checked', () => {
    const a = x().requiresGrad_();
    const [g] = wg.autograd.grad(a.sum(), a, null);
    expect(g!.toArray()).toEqual(wg.onesLike(a).toArray());
    expect(() => wg.autograd.grad(a.sum(), a, null, { gradOutputs: 1 } as never)).toThrow("wasmgrad.autograd.grad: unknown option 'gradOutputs'");
  });
});

describe("modules take torch's positional and keyword constructor forms", () => {
  const { nn } = wg;
  type Ctor = new (...args: unknown[]) => wg.nn.Module;
  const make = (cls: unknown, ...args: unknown[]): wg.nn.Module => {
    wg.manualSeed(3);
    return new (cls as Ctor)(...args);
  };
  const same = (a: wg.nn.Module, b: wg.nn.Module) => {
    expect(String(b)).toBe(String(a));
    expect(Object.keys(b.stateDict())).toEqual(Object.keys(a.stateDict()));
    for (const [k, v] of Object.entries(a.stateDict())) expect(b.stateDict()[k].toArray(), k).toEqual(v.toArray());
  };
  const cases: [string, unknown, unknown[], ...unknown[][]][] = [
    ['Linear', nn.Linear, [4, 3, { bias: false }], [4, 3, false], [{ inFeatures: 4, outFeatures: 3, bias: false }]],
    [
      'Conv2d',
      nn.Conv2d,
      [3, 4, 3, { stride: 2, padding: 1, groups: 1, bias: false }],
      [3, 4, 3, 2, 1, 1, 1, false],
      [3, 4, { kernelSize: 3, stride: 2, padding: 1, bias: false }],
    ],
    ['Conv1d', nn.Conv1d, [3, 4, 3, { dilation: 2, paddingMode: 'circular', padding: 2 }], [3, 4, 3, 1, 2, 2, 1, true, 'circular']],
    ['ConvTranspose2d', nn.ConvTranspose2d, [3, 4, 3, { stride: 2, padding: 1, outputPadding: 1 }], [3, 4, 3, 2, 1, 1]],
    [
      'BatchNorm2d',
      nn.BatchNorm2d,
      [3, { eps: 1e-3, momentum: 0.2, affine: false }],
      [3, 1e-3, 0.2, false],
      [{ numFeatures: 3, eps: 1e-3, momentum: 0.2, affine: false }],
    ],
    ['LayerNorm', nn.LayerNorm, [[3, 4], { eps: 1e-3, elementwiseAffine: false }], [[3, 4], 1e-3, false]],
    ['GroupNorm', nn.GroupNorm, [2, 4, { eps: 1e-3 }], [2, 4, 1e-3]],
    ['Embedding', nn.Embedding, [10, 3, { paddingIdx: 0 }], [10, 3, 0], [{ numEmbeddings: 10, embeddingDim: 3, paddingIdx: 0 }]],
    [
      'MaxPool2d',
      nn.MaxPool2d,
      [3, { stride: 2, padding: 1, ceilMode: true }],
      [3, 2, 1, 1, false, true],
      [{ kernelSize: 3, stride: 2, padding: 1, ceilMode: true }],
    ],
    ['AvgPool2d', nn.AvgPool2d, [3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }], [3, 2, 1, true, false]],
    [
      'LSTM',
      nn.LSTM,
      [4, 3, { numLayers: 2, batchFirst: true, bidirectional: true }],
      [4, 3, 2, true, true, 0, true],
      [{ inputSize: 4, hiddenSize: 3, numLayers: 2, batchFirst: true, bidirectional: true }],
    ],
    ['RNN', nn.RNN, [4, 3, { nonlinearity: 'relu' }], [4, 3, 1, 'relu']],
    ['GRUCell', nn.GRUCell, [4, 3, { bias: false }], [4, 3, false]],
    ['MultiheadAttention', nn.MultiheadAttention, [4, 2, { batchFirst: true, bias: false }], [4, 2, 0, false, false, false, null, null, true]],
    ['TransformerEncoderLayer', nn.TransformerEncoderLayer, [4, 2, { dimFeedforward: 8, dropout: 0 }], [4, 2, 8, 0]],
    ['Upsample', nn.Upsample, [{ scaleFactor: 2, mode: 'bilinear', alignCorners: false }], [null, 2, 'bilinear', false]],
    ['PairwiseDistance', nn.PairwiseDistance, [{ p: 1 }], [1]],
    ['Softmax', nn.Softmax, [0], [{ dim: 0 }]],
    ['Flatten', nn.Flatten, [0, 1], [{ startDim: 0, endDim: 1 }]],
    ['Dropout', nn.Dropout, [0.3], [{ p: 0.3 }]],
    ['Dropout2d', nn.Dropout2d, [0.3, true], [{ p: 0.3, inplace: true }]],
  ];
  test.each(cases)('%s', (_name, cls, own, ...forms) => {
    const want = make(cls, ...own);
    for (const form of forms) same(want, make(cls, ...form));
  });
  test('wrong constructor calls are errors naming the module', () => {
    expect(() => make(nn.Linear, 4, 3, false, 1)).toThrow('wasmgrad.nn.Linear: takes 3 arguments (inFeatures, outFeatures, bias), got 4');
    expect(() => make(nn.Conv2d, 3, 4, 3, 2, { stride: 1 })).toThrow("wasmgrad.nn.Conv2d: got 'stride' both as an argument and as an option");
    expect(() => make(nn.Dropout2d, { p: 0.2, inPlace: true })).toThrow("wasmgrad.nn.Dropout2d: unknown option 'inPlace' (the options are p, inplace)");
    expect(() => make(nn.Conv2d, 3, 4, 3, { paddingMode: 'mirror' })).toThrow(
      "wasmgrad.nn.Conv2d: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got \"mirror\"",
    );
    expect(() => make(nn.ConvTranspose2d, 3, 4, 3, { paddingMode: 'reflect' })).toThrow(
      'wasmgrad.nn.ConvTranspose2d: only paddingMode \'zeros\' is supported for ConvTranspose2d (as torch), got "reflect"',
    );
  });
});

describe("loss modules take torch's constructor forms, with its deprecated sizeAverage / reduce", () => {
  const { nn } = wg;
  type LossCtor = new (...args: unknown[]) => wg.nn.Module & { forward(...inputs: Tensor[]): Tensor };
  const pair = (): Tensor[] => [x(), x().mul(2)];
  const classes = (): Tensor[] => [x(), int([0, 2, 1])];
  const w = (): Tensor => seeded([4], 5).abs();
  // [module, its inputs, () => [our form, torch's forms…]]: each gives our form's loss, repr and state dict
  const cases: [string, () => Tensor[], () => unknown[][]][] = [
    ['MSELoss', pair, () => [[{ reduction: 'sum' }], [null, null, 'sum'], [{ sizeAverage: false }], [false, true], [{ reduce: true, sizeAverage: false }]]],
    ['L1Loss', pair, () => [[{ reduction: 'none' }], [null, false], [false, false, 'mean']]],
    ['HuberLoss', pair, () => [[{ reduction: 'sum', delta: 0.5 }], ['sum', 0.5]]],
    ['SmoothL1Loss', pair, () => [[{ beta: 0.5 }], [null, null, 'mean', 0.5]]],
    [
      'CrossEntropyLoss',
      classes,
      () => [[{ weight: w(), ignoreIndex: 1, labelSmoothing: 0.1 }], [w(), null, 1, null, 'mean', 0.1], [w(), { ignoreIndex: 1, labelSmoothing: 0.1 }]],
    ],
    ['NLLLoss', classes, () => [[{ weight: w(), reduction: 'sum' }], [w(), false], [w(), null, -100, null, 'sum']]],
    ['KLDivLoss', pair, () => [[{ reduction: 'batchmean', logTarget: true }], [null, null, 'batchmean', true]]],
    ['HingeEmbeddingLoss', () => [seeded([3], 4), wg.tensor([1, -1, 1])], () => [[{ margin: 0.5, reduction: 'none' }], [0.5, null, false]]],
    ['MarginRankingLoss', triple, () => [[{ margin: 0.5 }], [0.5]]],
    ['TripletMarginLoss', () => [seeded([3, 4], 4), seeded([3, 4], 5), seeded([3, 4], 6)], () => [[{ margin: 1, p: 1, swap: true }], [1, 1, 1e-6, true]]],
    ['PoissonNLLLoss', pair, () => [[{ logInput: false, full: true, reduction: 'sum' }], [false, true, null, 1e-8, null, 'sum']]],
    ['MultiMarginLoss', classes, () => [[{ p: 2, margin: 0.5, weight: w() }], [2, 0.5, w()]]],
    [
      'CTCLoss',
      () => [seeded([5, 1, 4], 7).logSoftmax(2), int([1, 2]).reshape([1, 2]), int([5]), int([2])],
      () => [[{ blank: 3, reduction: 'sum' }], [3, 'sum']],
    ],
  ];
  test.each(cases)('%s', (name, inputs, calls) => {
    const cls = (nn as unknown as Record<string, LossCtor>)[name];
    const [own, ...forms] = calls();
    const want = new cls(...own);
    for (const form of forms) {
      const got = new cls(...form);
      expect(String(got)).toBe(`${name}()`);
      expect(Object.keys(got.stateDict())).toEqual(Object.keys(want.stateDict()));
      expect(got.forward(...inputs()).toArray(), JSON.stringify(form)).toEqual(want.forward(...inputs()).toArray());
    }
  });
  test('wrong constructor calls are errors naming the module', () => {
    const ctor = (name: string) => (nn as unknown as Record<string, LossCtor>)[name];
    expect(() => new (ctor('MSELoss'))(null, null, 'sum', 1)).toThrow('wasmgrad.nn.MSELoss: takes 3 arguments (sizeAverage, reduce, reduction), got 4');
    expect(() => new (ctor('L1Loss'))(1)).toThrow('wasmgrad.nn.L1Loss: sizeAverage must be a boolean');
    expect(() => new (ctor('GaussianNLLLoss'))(true)).toThrow('wasmgrad.nn.GaussianNLLLoss: takes 0 arguments');
    expect(() => new (ctor('KLDivLoss'))(null, null, 'avg')).toThrow(/nn\.KLDivLoss: reduction must be 'mean', 'batchmean', 'sum', 'none', got "avg"/);
  });
});

describe("convolution modules' paddingMode (torch 1.13's padding_mode), against torch literals", () => {
  // torch: Conv2d(1, 1, (2, 3), padding='same', padding_mode=m, bias=False), weight [[1, 2, 0.5], [-1, 0.25, 3]], x = arange(12) [1, 1, 3, 4];
  // Conv1d(1, 1, 3, padding=2, padding_mode=m, bias=False), weight [1, -2, 0.5], x = arange(5) [1, 1, 5].
  const torch2d = {
    reflect: [12.5, 18.25, 24.0, 22.75, 35.5, 41.25, 47.0, 45.75, 40.5, 46.25, 52.0, 50.75],
    replicate: [12.5, 18.25, 24.0, 26.25, 35.5, 41.25, 47.0, 49.25, 49.5, 55.25, 61.0, 63.25],
    circular: [12.5, 18.25, 24.0, 15.75, 35.5, 41.25, 47.0, 38.75, 31.5, 37.25, 43.0, 34.75],
  };
  const torch1d = {
    reflect: [0.0, 1.5, -1.0, -1.5, -2.0, -3.5, -1.0],
    replicate: [0.0, 0.5, -1.0, -1.5, -2.0, -3.0, -2.0],
    circular: [-5.0, 4.5, -1.0, -1.5, -2.0, -5.0, 4.5],
  };
  for (const backend of ['wasm', 'reference'] as const)
    for (const mode of ['reflect', 'replicate', 'circular'] as const)
      test(`${mode} (${backend})`, () => {
        wg.setBackend(backend);
        try {
          const c2 = new wg.nn.Conv2d(1, 1, [2, 3], { padding: 'same', paddingMode: mode, bias: false });
          wg.noGrad(() =>
            c2.weight.copy_(
              wg.tensor([
                [
                  [
                    [1, 2, 0.5],
                    [-1, 0.25, 3],
                  ],
                ],
              ]),
            ),
          );
          const x2 = wg.arange(12).reshape([1, 1, 3, 4]).requiresGrad_();
          const y2 = c2.forward(x2);
          expect(Array.from(y2.data())).toEqual(torch2d[mode]);
          expect(String(c2)).toBe(`Conv2d(1, 1, kernel_size=(2, 3), stride=(1, 1), padding=same, bias=False, padding_mode=${mode})`);
          // the gradient flows through the padding to the input: the sum of the taps that read each element
          y2.sum().backward();
          const viaPad = wg.nn.functional.conv2d(wg.nn.functional.pad(x2.detach(), [1, 1, 0, 1], { mode }), c2.weight.detach());
          expect(Array.from(viaPad.data())).toEqual(torch2d[mode]);
          expect(x2.grad!.sum().item()).toBeCloseTo(c2.weight.sum().item() * 12, 4);
          const c1 = new wg.nn.Conv1d(1, 1, 3, { padding: 2, paddingMode: mode, bias: false });
          wg.noGrad(() => c1.weight.copy_(wg.tensor([[[1, -2, 0.5]]])));
          expect(Array.from(c1.forward(wg.arange(5).reshape([1, 1, 5])).data())).toEqual(torch1d[mode]);
          expect(String(c1)).toBe(`Conv1d(1, 1, kernel_size=(3,), stride=(1,), padding=(2,), bias=False, padding_mode=${mode})`);
        } finally {
          wg.setBackend('wasm');
        }
      });
});
