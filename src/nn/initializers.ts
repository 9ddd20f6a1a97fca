/**
 * wg.nn.init: PyTorch's torch.nn.init, filling a tensor in place (no gradient recorded) from the
 * seeded stream (wg.manualSeed), and returning it. Arguments follow PyTorch's positional order, or
 * an options object with camelCase names: `kaimingUniform_(w, { a, mode, nonlinearity })`.
 * Values are drawn in float64 in JS, element by element in row-major order, then written once.
 */
import { generated } from '../api/creation.js';
import { noGrad } from '../engine/engine.js';
import { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { erf } from '../ops/elementwise.js';
import { fmtShape } from '../ops/types.js';
import { normal, uniform } from '../random.js';
import { permutation } from '../api/factories.js';

type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'leakyRelu' | 'selu';
type FanMode = 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';

/** Checks the target: a live float32 tensor (a parameter or any tensor) to overwrite. */
function target(fn: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`nn.init.${fn}`, `needs a Tensor to fill, got ${fmtValue(t)}`);
  t.assertAlive(`nn.init.${fn}`);
  if (t.dtype !== 'float32') throw new ValueError(`nn.init.${fn}`, `needs a float32 tensor, got ${t.dtype} ${fmtShape(t.shape)}`);
  return t;
}

function num(fn: string, what: string, v: unknown, ok: (v: number) => boolean = Number.isFinite, want = 'a finite number'): number {
  if (typeof v !== 'number' || !ok(v)) throw new ValueError(`nn.init.${fn}`, `${what} must be ${want}, got ${fmtValue(v)}`);
  return v;
}

/** Writes `draw()` into every element of t (in row-major order) without recording a graph. */
function fill(fn: string, t: Tensor, draw: () => number): Tensor {
  noGrad(() => t.copy_(generated(`nn.init.${fn}`, t.shape, draw, {})));
  return t;
}

/**
 * Options given positionally (PyTorch's order) or as one object in the first optional slot:
 * the object's fields over the defaults, else the positional values.
 */
function args<O extends object>(first: unknown, defaults: O, positional: O): O {
  return first !== null && typeof first === 'object' ? { ...defaults, ...(first as O) } : positional;
}

/** PyTorch's fan_in and fan_out: dims 1 and 0 times the receptive field (the dims after them). */
function fans(fn: string, t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new ShapeError(`nn.init.${fn}`, `fan in and fan out need a tensor of at least 2 dims, got ${fmtShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/** torch.nn.init.calculate_gain: the recommended gain for a nonlinearity (leaky_relu's param is its slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
    case 'leakyRelu': {
      const slope = param === undefined ? 0.01 : num('calculateGain', 'the negative slope', param);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ValueError(
        'nn.init.calculateGain',
        `unsupported nonlinearity ${fmtValue(nonlinearity)} (linear, conv1d, conv2d, conv3d, sigmoid, tanh, relu, leaky_relu, selu)`,
      );
  }
}

/** U(a, b) (defaults 0, 1). */
export function uniform_(t: Tensor, a: number | { a?: number; b?: number } = 0, b = 1): Tensor {
  const o = args(a, { a: 0, b: 1 }, { a: a as number, b });
  target('uniform_', t);
  const lo = num('uniform_', 'a', o.a),
    hi = num('uniform_', 'b', o.b);
  if (lo > hi) throw new ValueError('nn.init.uniform_', `a must be ≤ b, got a = ${lo}, b = ${hi}`);
  return fill('uniform_', t, () => lo + (hi - lo) * uniform());
}

/** N(mean, std²) (defaults 0, 1). */
export function normal_(t: Tensor, mean: number | { mean?: number; std?: number } = 0, std = 1): Tensor {
  const o = args(mean, { mean: 0, std: 1 }, { mean: mean as number, std });
  target('normal_', t);
  const m = num('normal_', 'mean', o.mean),
    s = num('normal_', 'std', o.std, (v) => Number.isFinite(v) && v >= 0, 'a finite number ≥ 0');
  return fill('normal_', t, () => m + s * normal());
}

/** Every element = val. */
export function constant_(t: Tensor, val: number): Tensor {
  target('constant_', t);
  const v = num('constant_', 'val', val, (x) => !Number.isNaN(x), 'a number');
  return fill('constant_', t, () => v);
}
export const zeros_ = (t: Tensor): Tensor => constant_(target('zeros_', t), 0);
export const ones_ = (t: Tensor): Tensor => constant_(target('ones_', t), 1);

/** Glorot/Xavier uniform: U(−a, a), a = gain·√(6/(fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain: number | { gain?: number } = 1): Tensor {
  const g = num('xavierUniform_', 'gain', args(gain, { gain: 1 }, { gain: gain as number }).gain);
  const { fanIn, fanOut } = fans('xavierUniform_', target('xavierUniform_', t));
  const a = g * Math.sqrt(6 / (fanIn + fanOut));
  return fill('xavierUniform_', t, () => -a + 2 * a * uniform());
}

/** Glorot/Xavier normal: N(0, std²), std = gain·√(2/(fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain: number | { gain?: number } = 1): Tensor {
  const g = num('xavierNormal_', 'gain', args(gain, { gain: 1 }, { gain: gain as number }).gain);
  const { fanIn, fanOut } = fans('xavierNormal_', target('xavierNormal_', t));
  const std = g * Math.sqrt(2 / (fanIn + fanOut));
  return fill('xavierNormal_', t, () => std * normal());
}

export interface KaimingOptions {
  /** The negative slope of the rectifier after this layer (leaky_relu only; default 0). */
  a?: number;
  /** 'fanIn' (default) preserves the forward pass's variance, 'fanOut' the backward's ('fan_in'/'fan_out' also accepted). */
  mode?: FanMode;
  /** Default 'leaky_relu' (with a = 0 that is ReLU's gain √2), as PyTorch. */
  nonlinearity?: Nonlinearity;
}

/** std = gain / √fan of a Kaiming init. */
function kaimingStd(fn: string, t: Tensor, o: KaimingOptions): number {
  target(fn, t);
  const mode = o.mode ?? 'fanIn';
  if (!['fanIn', 'fanOut', 'fan_in', 'fan_out'].includes(mode))
    throw new ValueError(`nn.init.${fn}`, `mode must be 'fanIn' or 'fanOut', got ${fmtValue(mode)}`);
  const { fanIn, fanOut } = fans(fn, t);
  const fan = mode === 'fanIn' || mode === 'fan_in' ? fanIn : fanOut;
  if (fan === 0) throw new ShapeError(`nn.init.${fn}`, `cannot initialise a tensor with a zero-size dim: ${fmtShape(t.shape)}`);
  return calculateGain(o.nonlinearity ?? 'leaky_relu', num(fn, 'a', o.a ?? 0)) / Math.sqrt(fan);
}

/** He/Kaiming uniform: U(−b, b), b = √3·gain/√fan. */
export function kaimingUniform_(t: Tensor, a: number | KaimingOptions = 0, mode: FanMode = 'fanIn', nonlinearity: Nonlinearity = 'leaky_relu'): Tensor {
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform_', t, args<KaimingOptions>(a, {}, { a: a as number, mode, nonlinearity }));
  return fill('kaimingUniform_', t, () => -bound + 2 * bound * uniform());
}

/** He/Kaiming normal: N(0, std²), std = gain/√fan. */
export function kaimingNormal_(t: Tensor, a: number | KaimingOptions = 0, mode: FanMode = 'fanIn', nonlinearity: Nonlinearity = 'leaky_relu'): Tensor {
  const std = kaimingStd('kaimingNormal_', t, args<KaimingOptions>(a, {}, { a: a as number, mode, nonlinearity }));
  return fill('kaimingNormal_', t, () => std * normal());
}

/** Φ(x), the standard normal CDF, as PyTorch's trunc_normal_ computes it: (1 + erf(x/√2))/2. */
const normalCdf = (x: number): number => 0.5 * (1 + erf(x * Math.SQRT1_2));

// Acklam's rational approximation of Φ⁻¹ (relative error < 1.2e-9), then one Newton step on Φ.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const poly = (k: readonly number[], x: number) => k.reduce((acc, c) => acc * x + c, 0);

/** Φ⁻¹(p): −∞ at 0, ∞ at 1. */
function inverseNormalCdf(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const tail = (q: number) => poly(C, q) / (poly(D, q) * q + 1);
  let x: number;
  if (p < 0.02425) x = tail(Math.sqrt(-2 * Math.log(p)));
  else if (p > 1 - 0.02425) x = -tail(Math.sqrt(-2 * Math.log(1 - p)));
  else {
    const q = p - 0.5,
      r = q * q;
    x = (poly(A, r) * q) / (poly(B, r) * r + 1);
  }
  return x - (normalCdf(x) - p) / (Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI));
}

export interface TruncNormalOptions {
  mean?: number;
  std?: number;
  /** Lower and upper bounds of the values (not in units of std), defaults −2 and 2 as PyTorch. */
  a?: number;
  b?: number;
}

/**
 * N(mean, std²) truncated to [a, b] (PyTorch trunc_normal_, defaults 0, 1, −2, 2), by inverse
 * transform as PyTorch: u uniform in [Φ(α), Φ(β)] with α = (a − mean)/std, β = (b − mean)/std, then
 * mean + std·Φ⁻¹(u), clamped to [a, b].
 */
export function truncNormal_(t: Tensor, mean: number | TruncNormalOptions = 0, std = 1, a = -2, b = 2): Tensor {
  const o = args(mean, { mean: 0, std: 1, a: -2, b: 2 }, { mean: mean as number, std, a, b });
  target('truncNormal_', t);
  const m = num('truncNormal_', 'mean', o.mean),
    s = num('truncNormal_', 'std', o.std, (v) => Number.isFinite(v) && v > 0, 'a finite number > 0'),
    lo = num('truncNormal_', 'a', o.a, (v) => !Number.isNaN(v), 'a number'),
    hi = num('truncNormal_', 'b', o.b, (v) => !Number.isNaN(v), 'a number');
  if (!(lo < hi)) throw new ValueError('nn.init.truncNormal_', `a must be < b, got a = ${lo}, b = ${hi}`);
  const cl = normalCdf((lo - m) / s),
    cu = normalCdf((hi - m) / s);
  return fill('truncNormal_', t, () => Math.min(hi, Math.max(lo, m + s * inverseNormalCdf(cl + (cu - cl) * uniform()))));
}

/**
 * A (semi-)orthogonal matrix (PyTorch orthogonal_): the tensor viewed as rows × cols (dims after
 * the first flattened), Q of the QR decomposition of a standard normal matrix with R's diagonal made
 * positive, times gain. Q comes from modified Gram–Schmidt in float64 on the taller orientation
 * (transposed when rows < cols), which gives that positive diagonal directly.
 */
export function orthogonal_(t: Tensor, gain: number | { gain?: number } = 1): Tensor {
  const g = num('orthogonal_', 'gain', args(gain, { gain: 1 }, { gain: gain as number }).gain);
  target('orthogonal_', t);
  if (t.ndim < 2) throw new ShapeError('nn.init.orthogonal_', `needs a tensor of at least 2 dims, got ${fmtShape(t.shape)}`);
  const rows = t.shape[0],
    cols = t.size / rows;
  if (t.size === 0) return t;
  const [n, k] = rows < cols ? [cols, rows] : [rows, cols]; // columns of the n × k matrix get orthonormalised
  const a = Array.from({ length: n * k }, () => normal()); // row-major n × k
  for (let j = 0; j < k; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[i * k + p] * a[i * k + j];
      for (let i = 0; i < n; i++) a[i * k + j] -= dot * a[i * k + p];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[i * k + j] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) a[i * k + j] /= norm;
  }
  // element (r, c) of the rows × cols result: Q[r, c], or Qᵀ when it was transposed
  let e = 0;
  return fill('orthogonal_', t, () => {
    const r = Math.floor(e / cols),
      c = e % cols;
    e++;
    return g * (rows < cols ? a[c * k + r] : a[r * k + c]);
  });
}

/** The identity matrix in a 2-D tensor (PyTorch eye_): 1 where row = column, else 0 (a rectangle keeps min(rows, cols) ones). */
export function eye_(t: Tensor): Tensor {
  target('eye_', t);
  if (t.ndim !== 2) throw new ShapeError('nn.init.eye_', `only tensors with 2 dimensions are supported, got ${fmtShape(t.shape)}`);
  const cols = t.shape[1];
  let e = 0;
  return fill('eye_', t, () => {
    const i = e++;
    return Math.floor(i / cols) === i % cols ? 1 : 0;
  });
}

/**
 * The Dirac delta in a 3-, 4- or 5-D convolution weight [outC, inC, ...k] (PyTorch dirac_): with
 * `groups` groups of outC/groups output channels, output channel d of each group (d < min(outC /
 * groups, inC)) gets a 1 at input channel d and the kernel's centre (index ⌊k/2⌋ per dim), so the
 * convolution copies those input channels through; every other element is 0.
 */
export function dirac_(t: Tensor, groups: number | { groups?: number } = 1): Tensor {
  const g = args(groups, { groups: 1 }, { groups: groups as number }).groups;
  target('dirac_', t);
  num('dirac_', 'groups', g, (v) => Number.isSafeInteger(v) && v >= 1, 'a positive integer');
  if (t.ndim < 3 || t.ndim > 5) throw new ShapeError('nn.init.dirac_', `only tensors with 3, 4, or 5 dimensions are supported, got ${fmtShape(t.shape)}`);
  const [outC, inC] = t.shape;
  if (outC % g !== 0) throw new ShapeError('nn.init.dirac_', `dim 0 must be divisible by groups, got ${fmtShape(t.shape)} and groups = ${g}`);
  const perGroup = outC / g,
    channels = Math.min(perGroup, inC);
  // the centre tap's flat offset within one [...k] kernel, row-major
  const kernel = t.shape.slice(2);
  const centre = kernel.reduce((off, k) => off * k + Math.floor(k / 2), 0);
  const taps = kernel.reduce((a, b) => a * b, 1);
  let e = 0;
  return fill('dirac_', t, () => {
    const i = e++;
    const o = Math.floor(i / (inC * taps)),
      c = Math.floor(i / taps) % inC;
    return c === o % perGroup && c < channels && i % taps === centre ? 1 : 0;
  });
}

/**
 * A sparse 2-D matrix (PyTorch sparse_, Martens 2010): every element from N(0, std²), then in each
 * column ⌈sparsity·rows⌉ rows, picked by a random permutation of the rows, set to 0. sparsity is
 * the fraction of zeros per column, in [0, 1].
 */
export function sparse_(t: Tensor, sparsity: number | { sparsity?: number; std?: number }, std = 0.01): Tensor {
  const o = args(sparsity, { sparsity: NaN, std: 0.01 }, { sparsity: sparsity as number, std });
  target('sparse_', t);
  const p = num('sparse_', 'sparsity', o.sparsity, (v) => v >= 0 && v <= 1, 'a number in [0, 1]'),
    s = num('sparse_', 'std', o.std, (v) => Number.isFinite(v) && v >= 0, 'a finite number ≥ 0');
  if (t.ndim !== 2) throw new ShapeError('nn.init.sparse_', `only tensors with 2 dimensions are supported, got ${fmtShape(t.shape)}`);
  const [rows, cols] = t.shape;
  const values = Array.from({ length: rows * cols }, () => s * normal());
  const zeros = Math.ceil(p * rows);
  for (let c = 0; c < cols; c++) for (const r of permutation(rows).subarray(0, zeros)) values[r * cols + c] = 0;
  let e = 0;
  return fill('sparse_', t, () => values[e++]);
}

/**
 * torch 1.13's deprecated names without the trailing underscore (nn.init.uniform, nn.init.xavier_normal,
 * …): the same functions, so the same arguments, draws and errors. torch warns on every call ("nn.init.uniform
 * is now deprecated in favor of nn.init.uniform_."); these are silent, as wasmgrad's other deprecated torch
 * names (F.upsample, torch.range). (The export names are separate from this module's imports `uniform` and
 * `normal`, the stream's draws.)
 */
export {
  uniform_ as uniform,
  normal_ as normal,
  constant_ as constant,
  xavierUniform_ as xavierUniform,
  xavierNormal_ as xavierNormal,
  kaimingUniform_ as kaimingUniform,
  kaimingNormal_ as kaimingNormal,
  orthogonal_ as orthogonal,
  sparse_ as sparse,
  dirac_ as dirac,
  eye_ as eye,
};
