/**
 * The normalisations as functions, PyTorch's F.layer_norm, F.group_norm and F.batch_norm, on the
 * fused kernels of src/ops/normalization.ts; the nn modules (src/nn/norm.ts) call these.
 */
import { constant } from './creation.js';
import { avgPool2d } from './conv.js';
import { add, div, mul, pow, sub } from './elementwise.js';
import { pad } from './layout.js';
import { rsqrt } from './math.js';
import { mean, variance } from './reduce.js';
import { copyInto, reshape } from './shape.js';
import { expand } from './layout.js';
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { apply, applyUpdate, noGrad } from '../engine/engine.js';
import type { Storage } from '../engine/storage.js';
import { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { op } from '../ops/index.js';
import { epsBits } from '../ops/normalization.js';
import { checkFinite, fmtShape, sameShape, sizeOf } from '../ops/types.js';

export interface AffineNormOptions {
  /** Multiplies the normalised values (default none: 1). */
  weight?: Tensor | null;
  /** Added after the weight (default none: 0). */
  bias?: Tensor | null;
  /** Added to the variance under the square root (default 1e-5). */
  eps?: number;
}

/** Checks x and the weight and bias given (tensors; their shapes are the op's to check). */
function checkAffine(fn: string, x: Tensor, o: AffineNormOptions): void {
  checkTensor(fn, 'input', x);
  if (o.weight != null) checkTensor(fn, 'weight', o.weight);
  if (o.bias != null) checkTensor(fn, 'bias', o.bias);
}

/** [x, weight, bias] for a normalisation kernel: a missing weight or bias is a 0-d constant the kernel never reads. */
function affineInputs(fn: string, x: Tensor, o: AffineNormOptions): [Tensor[], { weight: boolean; bias: boolean; eps: number }] {
  checkAffine(fn, x, o);
  const { weight, bias, eps = 1e-5 } = o;
  const be = x.storage.backend;
  return [[x, weight ?? constant(0, be), bias ?? constant(0, be)], { weight: weight != null, bias: bias != null, eps }];
}

/**
 * PyTorch's `F.layer_norm`: x [..., *normalizedShape] normalised over its trailing
 * `normalizedShape` dims (mean and biased variance per row), then `· weight + bias`, both of
 * normalizedShape. One kernel forward and one backward.
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], opts: AffineNormOptions = {}): Tensor {
  const [inputs, a] = affineInputs('layerNorm', x, checkOptions<AffineNormOptions>('layerNorm', opts, ['weight', 'bias', 'eps']));
  return apply(op('layerNorm'), inputs, { ...a, normalizedShape: typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape });
}

/**
 * PyTorch's `F.group_norm`: the C channels of x [N, C, *] split into numGroups groups, each
 * normalised per sample over its channels and positions, then a per-channel weight and bias [C].
 */
export function groupNorm(x: Tensor, numGroups: number, opts: AffineNormOptions = {}): Tensor {
  const [inputs, a] = affineInputs('groupNorm', x, checkOptions<AffineNormOptions>('groupNorm', opts, ['weight', 'bias', 'eps']));
  return apply(op('groupNorm'), inputs, { ...a, numGroups });
}

export interface BatchNormFnOptions extends AffineNormOptions {
  /** Batch statistics (and running averages updated in place) if true, the running statistics if false (default false, as PyTorch). */
  training?: boolean;
  /** Weight of the batch statistics in the running averages (default 0.1), a number in [0, 1]. */
  momentum?: number;
}

/** Running averages a training-mode batch norm updates: PyTorch's momentum (null: cumulative) and count. */
export interface RunningStats {
  mean: Tensor;
  var: Tensor;
  /** 0-d int32 count of batches, incremented by the update (num_batches_tracked). */
  count: Tensor;
  momentum: number | null;
}

/** Throws a ValueError unless momentum is a number in [0, 1] (or null where `allowNull`). */
export function checkMomentum(fn: string, momentum: unknown, allowNull: boolean): void {
  if (allowNull && momentum === null) return;
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1))
    throw new ValueError(fn, `momentum must be a number in [0, 1]${allowNull ? ' or null' : ''}, got ${fmtValue(momentum)}`);
}

/**
 * Training-mode batch norm of x [N, C, *] with batch statistics: the fused kernel, then, given
 * `running`, the running averages moved towards the batch's mean and unbiased variance in place
 * (batchNormStatsUpdate reads the statistics the kernel saved: no second pass over x).
 */
export function batchNormTraining(fn: string, x: Tensor, opts: AffineNormOptions, running: RunningStats | null): Tensor {
  const [inputs, a] = affineInputs(fn, x, opts);
  const saved: Storage[] = [];
  const y = apply(op('batchNorm'), inputs, a, saved);
  if (running !== null) {
    const C = x.shape[1];
    applyUpdate(
      op('batchNormStatsUpdate'),
      [running.mean, running.var, running.count, new Tensor([2, C], 'float32', saved[0])],
      { momentum: running.momentum, count: C === 0 ? 0 : x.size / C },
      [0, 1, 2],
    );
  }
  return y;
}

/** Throws a ShapeError unless the weight and bias given are [C] for x [N, C, *]. */
function checkChannelAffine(fn: string, x: Tensor, { weight, bias }: AffineNormOptions): void {
  const C = x.shape[1];
  for (const [t, what] of [
    [weight, 'weight'],
    [bias, 'bias'],
  ] as const)
    if (t != null && !sameShape(t.shape, [C]))
      throw new ShapeError(fn, `${what} must have shape [${C}] for an input of shape ${fmtShape(x.shape)}, got ${fmtShape(t.shape)}`);
}

/**
 * Eval-mode batch norm: (x − runningMean)·(weight/√(runningVar + eps)) + bias per channel, the
 * per-channel factor computed on the C values first (x − mean first keeps a large mean exact).
 */
export function batchNormEval(fn: string, x: Tensor, runningMean: Tensor, runningVar: Tensor, opts: AffineNormOptions): Tensor {
  checkAffine(fn, x, opts);
  const { weight, bias, eps = 1e-5 } = opts;
  epsBits(fn, eps);
  checkChannelAffine(fn, x, opts);
  const bshape = x.shape.map((d, k) => (k === 1 ? d : 1));
  const perChannel = (t: Tensor) => reshape(t, bshape);
  const scale = rsqrt(add(runningVar, eps));
  const y = mul(sub(x, perChannel(runningMean)), perChannel(weight != null ? mul(scale, weight) : scale));
  return bias != null ? add(y, perChannel(bias)) : y;
}

/** Checks running statistics given to a functional norm: both or neither, each [C] for x [N, C, *]. */
function checkRunning(fn: string, x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null): void {
  if ((runningMean == null) !== (runningVar == null))
    throw new ValueError(fn, 'runningMean and runningVar must be given together (or both null), got one of them');
  if (runningMean != null && runningVar != null) {
    checkTensor(fn, 'runningMean', runningMean);
    checkTensor(fn, 'runningVar', runningVar);
    const C = [x.shape[1] ?? 0];
    if (x.ndim < 2 || !sameShape(runningMean.shape, C) || !sameShape(runningVar.shape, C))
      throw new ShapeError(
        fn,
        `expected an input [N, C, *] with runningMean and runningVar [C], got input ${fmtShape(x.shape)}, runningMean ${fmtShape(runningMean.shape)}, runningVar ${fmtShape(runningVar.shape)}`,
      );
  }
}

/**
 * PyTorch's `F.batch_norm(x, runningMean, runningVar, { weight, bias, training, momentum, eps })`
 * over x [N, C, *] per channel: training uses the batch mean and biased variance and, when running
 * statistics are given, updates them in place (momentum; the unbiased variance n/(n − 1)·σ²);
 * eval uses the running statistics, which it then requires.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormFnOptions = {}): Tensor {
  const o = checkOptions<BatchNormFnOptions>('batchNorm', opts, ['weight', 'bias', 'eps', 'training', 'momentum']);
  const { training = false, momentum = 0.1, ...affine } = o;
  checkTensor('batchNorm', 'input', x);
  checkBool('batchNorm', 'training', training);
  checkMomentum('batchNorm', momentum, false);
  checkRunning('batchNorm', x, runningMean, runningVar);
  if (training) {
    const running = runningMean != null ? { mean: runningMean, var: runningVar!, count: constant(0, x.storage.backend, 'int32'), momentum } : null;
    return batchNormTraining('batchNorm', x, affine, running);
  }
  if (runningMean == null)
    throw new ValueError('batchNorm', 'eval mode (training false) normalises with the running statistics: runningMean and runningVar are required, got null');
  return batchNormEval('batchNorm', x, runningMean, runningVar!, affine);
}

export interface LocalResponseNormOptions {
  /** Multiplies the window's mean square (default 1e-4). */
  alpha?: number;
  /** The exponent of the divisor (default 0.75). */
  beta?: number;
  /** Added to the scaled mean square (default 1). */
  k?: number;
}

/**
 * PyTorch's `F.local_response_norm`: x [N, C, *] divided by (k + alpha · mean of x² over `size`
 * neighbouring channels)^beta, the window reaching floor(size / 2) channels before and
 * floor((size − 1) / 2) after, zeros past the ends (the mean still divides by size). Composed, as
 * PyTorch's: squares, a zero pad and an average pool along the channels, then the power.
 */
export function localResponseNorm(x: Tensor, size: number, opts: LocalResponseNormOptions = {}): Tensor {
  checkTensor('localResponseNorm', 'input', x);
  const { alpha = 1e-4, beta = 0.75, k = 1 } = checkOptions<LocalResponseNormOptions>('localResponseNorm', opts, ['alpha', 'beta', 'k']);
  if (!Number.isInteger(size) || size < 1) throw new ValueError('localResponseNorm', `size must be a positive integer, got ${fmtValue(size)}`);
  for (const [name, v] of [
    ['alpha', alpha],
    ['beta', beta],
    ['k', k],
  ] as const)
    checkFinite('localResponseNorm', name, v);
  if (x.ndim < 3) throw new ShapeError('localResponseNorm', `expected an input [N, C, *] of at least 3 dims (as PyTorch), got shape ${fmtShape(x.shape)}`);
  const [n, c] = x.shape;
  const squares = reshape(mul(x, x), [n, 1, c, sizeOf(x.shape.slice(2))]);
  const windows = avgPool2d(pad(squares, [0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)]), [size, 1], { stride: 1 });
  return div(x, pow(add(mul(reshape(windows, x.shape), alpha), k), beta));
}

export interface InstanceNormFnOptions extends AffineNormOptions {
  /** Normalise each (sample, channel) by its own statistics (default true) or by the running statistics. */
  useInputStats?: boolean;
  /** Weight of the batch's statistics in the running averages (default 0.1), a number in [0, 1]. */
  momentum?: number;
}

/**
 * PyTorch's `F.instance_norm(x, runningMean, runningVar, { weight, bias, useInputStats, momentum,
 * eps })` over x [N, C, *]: each sample's channel normalised over its positions (the fused batch-norm
 * kernels over [1, N·C, *], as PyTorch), then a per-channel weight and bias. Given running statistics, they
 * move in place towards the batch's mean of the instance means and of the unbiased instance
 * variances, as PyTorch's; useInputStats false normalises with them instead (eval batch norm).
 */
export function instanceNorm(x: Tensor, runningMean: Tensor | null = null, runningVar: Tensor | null = null, opts: InstanceNormFnOptions = {}): Tensor {
  const FN = 'instanceNorm';
  const {
    useInputStats = true,
    momentum = 0.1,
    ...affine
  } = checkOptions<InstanceNormFnOptions>(FN, opts, ['weight', 'bias', 'eps', 'useInputStats', 'momentum']);
  checkTensor(FN, 'input', x);
  checkBool(FN, 'useInputStats', useInputStats);
  checkMomentum(FN, momentum, false);
  checkRunning(FN, x, runningMean, runningVar);
  if (x.ndim < 2) throw new ShapeError(FN, `expected an input [N, C, *] (at least 2 dims), got shape ${fmtShape(x.shape)}`);
  checkChannelAffine(FN, x, affine);
  if (!useInputStats) {
    if (runningMean == null || runningVar == null)
      throw new ValueError(FN, 'useInputStats false normalises with the running statistics: runningMean and runningVar are required, got null');
    return batchNormEval(FN, x, runningMean, runningVar, affine);
  }
  const [N, C] = x.shape,
    S = sizeOf(x.shape.slice(2));
  if (S <= 1)
    throw new ValueError(FN, `expected more than 1 spatial element when using the input statistics (as PyTorch), got input of shape ${fmtShape(x.shape)}`);
  // PyTorch's instance norm is batch norm over x as [1, N·C, S], the weight and bias repeated per
  // sample: so here too, which keeps its rule for a constant instance with eps 0 (InvStd is 0 where
  // the variance and eps are both 0: the bias and no gradient, where group norm gives 0·∞ = NaN).
  const perInstance = (t: Tensor | null | undefined) => (t == null ? t : reshape(expand(reshape(t, [1, C]), [N, C]), [N * C]));
  const instances = { ...affine, weight: perInstance(affine.weight), bias: perInstance(affine.bias) };
  const y = reshape(batchNormTraining(FN, reshape(x, [1, N * C, S]), instances, null), x.shape);
  if (runningMean != null && runningVar != null && N > 0)
    noGrad(() => {
      const rows = reshape(x, [N, C, S]);
      const update = (running: Tensor, batch: Tensor) => copyInto(running, add(mul(running, 1 - momentum), mul(mean(batch, 0), momentum)));
      update(runningMean, mean(rows, 2));
      update(runningVar, variance(rows, 2));
    });
  return y;
}
