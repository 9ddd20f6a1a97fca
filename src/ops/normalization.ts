/**
 * Fused normalisations (kernels: assembly/kernels/norm.ts), PyTorch's F.layer_norm, F.group_norm
 * and F.batch_norm in training mode: one forward kernel (statistics, normalisation and affine) and
 * one backward kernel (dx, dweight, dbias) each. Inputs are [x, weight, bias]; a missing weight or
 * bias is a 0-d constant in its slot with attribute weight/bias false, never read by the kernels.
 *
 * Statistics: the mean and the *biased* variance (divided by n), as PyTorch normalises. The kernels
 * centre on a shift (see norm.ts) and sum in float32 chunks joined in float64, so a channel with
 * mean 1e4 and std 1e-2 keeps its variance; the reference works in float64 throughout.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { ALIGN_WORDS, groupNormDeferWords, planThreads } from './contract.js';
import { reduceOver } from './reduce.js';
import { reshape } from './shape.js';
import {
  aux,
  clearOverwritten,
  defineOps,
  f32bits,
  fmtShape,
  gin,
  gout,
  inp,
  out,
  param,
  paramf,
  sameShape,
  sizeOf,
  type Builder,
  type Meta,
  type OpSpec,
  type VjpContext,
  type Plan,
  type TestCase,
} from './types.js';

/** Options shared by the three ops: eps, and whether the weight and bias slots hold tensors. */
export interface AffineAttrs {
  /** Added to the variance under the square root (default 1e-5). */
  eps?: number;
  weight: boolean;
  bias: boolean;
}
export interface LayerNormAttrs extends AffineAttrs {
  normalizedShape: readonly number[];
}
export interface GroupNormAttrs extends AffineAttrs {
  numGroups: number;
}
export type BatchNormAttrs = AffineAttrs;

/** eps as float32 bits: a finite number ≥ 0 (ValueError otherwise). */
export function epsBits(fn: string, eps: unknown): number {
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) throw new ValueError(fn, `eps must be a finite number ≥ 0, got ${fmtValue(eps)}`);
  return f32bits(eps);
}

/** Throws unless the weight/bias slots present have `shape` (what the op's affine is laid over). */
function checkAffine(fn: string, [x, w, b]: readonly Meta[], a: AffineAttrs, shape: readonly number[]): void {
  for (const [present, t, what] of [
    [a.weight, w, 'weight'],
    [a.bias, b, 'bias'],
  ] as const)
    if (present && !sameShape(t.shape, shape))
      throw new ShapeError(fn, `${what} must have shape ${fmtShape(shape)} for an input of shape ${fmtShape(x.shape)}, got ${fmtShape(t.shape)}`);
}

/** The kernel's view [N, C, S] of x [N, C, *] (S = 1 for [N, C]); ShapeError below 2 dims. */
function channelView(fn: string, x: Meta): [number, number, number] {
  if (x.shape.length < 2) throw new ShapeError(fn, `expected an input [N, C, *] (at least 2 dims), got shape ${fmtShape(x.shape)}`);
  return [x.shape[0], x.shape[1], sizeOf(x.shape.slice(2))];
}

/**
 * The group-norm backward's scratch when there is a weight or bias: dweight's and dbias's Kahan
 * compensations and block partials, [C] each, then what the parts defer when a pool splits it.
 */
const affineGradWords = (a: AffineAttrs, N: number, C: number, S: number, G: number) =>
  a.weight || a.bias ? ALIGN_WORDS + 4 * C + groupNormDeferWords(planThreads(), N, C, S, G) : 0;

function planLayerNorm(ins: readonly Meta[], a: LayerNormAttrs): Plan {
  const x = ins[0],
    ns = a.normalizedShape;
  // A zero-size normalizedShape is allowed, as PyTorch: rows of no values, an empty result.
  if (!Array.isArray(ns) || ns.length === 0 || !ns.every((d) => Number.isInteger(d) && d >= 0))
    throw new ValueError('layerNorm', `normalizedShape must be a non-empty array of non-negative integers, got ${fmtValue(ns)}`);
  const lead = x.shape.length - ns.length;
  if (lead < 0 || ns.some((d, k) => x.shape[lead + k] !== d))
    throw new ShapeError('layerNorm', `normalizedShape ${fmtShape(ns)} must match the trailing dims of the input, got shape ${fmtShape(x.shape)}`);
  checkAffine('layerNorm', ins, a, ns);
  const K = sizeOf(ns);
  // Rows of K values, each a group of K channels of one position: the group norm kernel's N = R, C = K, S = 1, G = 1.
  const R = sizeOf(x.shape.slice(0, lead));
  return {
    shape: [...x.shape],
    params: [R, K, 1, 1, epsBits('layerNorm', a.eps ?? 1e-5), a.weight ? 1 : 0, a.bias ? 1 : 0],
    aux: [3 * R],
    workspace: affineGradWords(a, R, K, 1, 1),
  };
}

function planGroupNorm(ins: readonly Meta[], a: GroupNormAttrs): Plan {
  const [N, C, S] = channelView('groupNorm', ins[0]);
  const G = a.numGroups;
  if (!Number.isInteger(G) || G < 1) throw new ValueError('groupNorm', `numGroups must be a positive integer, got ${fmtValue(G)}`);
  if (C % G !== 0) throw new ValueError('groupNorm', `numGroups ${G} must divide the ${C} channels of the input of shape ${fmtShape(ins[0].shape)}`);
  checkAffine('groupNorm', ins, a, [C]);
  return {
    shape: [...ins[0].shape],
    params: [N, C, S, G, epsBits('groupNorm', a.eps ?? 1e-5), a.weight ? 1 : 0, a.bias ? 1 : 0],
    aux: [3 * N * G],
    workspace: affineGradWords(a, N, C, S, G),
  };
}

function planBatchNorm(ins: readonly Meta[], a: BatchNormAttrs): Plan {
  const [N, C, S] = channelView('batchNorm', ins[0]);
  // n = 0 (an empty batch) is allowed as in PyTorch: an empty output and NaN statistics.
  if (N * S === 1) throw new ShapeError('batchNorm', `expected more than 1 value per channel when training, got input of shape ${fmtShape(ins[0].shape)}`);
  checkAffine('batchNorm', ins, a, [C]);
  return {
    shape: [...ins[0].shape],
    params: [N, C, S, epsBits('batchNorm', a.eps ?? 1e-5), a.weight ? 1 : 0, a.bias ? 1 : 0],
    aux: [2 * C, 2 * C],
    // x [N, C] runs along rows with per-channel arrays (norm.ts): the backward's 7·C words.
    workspace: S === 1 && N > 0 ? ALIGN_WORDS + 7 * C : 0,
  };
}

/**
 * One group of the reference: the values of x at positions `at(j)`, j < n, and the channel of each
 * (its weight and bias index); mean and biased variance by two passes in float64.
 */
interface Group {
  n: number;
  at: (j: number) => number;
  channel: (j: number) => number;
}

function moments(h: Float64Array, x: number, grp: Group): [number, number] {
  let s = 0;
  for (let j = 0; j < grp.n; j++) s += h[x + grp.at(j)];
  const mean = s / grp.n;
  let v = 0;
  for (let j = 0; j < grp.n; j++) v += (h[x + grp.at(j)] - mean) ** 2;
  return [mean, v / grp.n];
}

/**
 * 1/√(var + eps). Batch norm's (`batch`) is 0 where both are 0, as PyTorch's training-mode InvStd:
 * a constant channel with eps 0 gives its bias and no gradient, where layer and group norm give
 * 0·∞ = NaN (also PyTorch's).
 */
const invStd = (v: number, eps: number, batch: boolean) => (batch && v === 0 && eps === 0 ? 0 : 1 / Math.sqrt(v + eps));

/** y = (x − mean)·rstd·γ + β over one group, f32-rounded eps as the kernels read it; returns the statistics. */
function refForward(h: Float64Array, r: Int32Array, grp: Group, epsAt: number, wAt: number, batch: boolean): [number, number] {
  const x = inp(r, 0),
    w = param(r, wAt) ? inp(r, 1) : 0,
    b = param(r, wAt + 1) ? inp(r, 2) : 0,
    y = out(r);
  const [mean, v] = moments(h, x, grp);
  const rstd = invStd(v, paramf(r, epsAt), batch);
  for (let j = 0; j < grp.n; j++) {
    const p = grp.at(j),
      c = grp.channel(j);
    h[y + p] = (h[x + p] - mean) * rstd * (w ? h[w + c] : 1) + (b ? h[b + c] : 0);
  }
  return [mean, v];
}

/** dx = rstd·(γg − mean(γg) − x̂·mean(γg·x̂)), dγ_c += Σ g·x̂, dβ_c += Σ g over one group (statistics recomputed). */
function refBackward(h: Float64Array, r: Int32Array, grp: Group, epsAt: number, wAt: number, batch: boolean): void {
  const x = inp(r, 0),
    g = gout(r),
    w = param(r, wAt) ? inp(r, 1) : 0,
    [gx, gw, gb] = [gin(r, 0), param(r, wAt) ? gin(r, 1) : 0, param(r, wAt + 1) ? gin(r, 2) : 0];
  const [mean, v] = moments(h, x, grp);
  const rstd = invStd(v, paramf(r, epsAt), batch);
  const xhat = (j: number) => (h[x + grp.at(j)] - mean) * rstd;
  let A = 0,
    B = 0;
  for (let j = 0; j < grp.n; j++) {
    const c = grp.channel(j),
      gj = h[g + grp.at(j)],
      gg = gj * (w ? h[w + c] : 1);
    A += gg;
    B += gg * xhat(j);
    if (gw) h[gw + c] += gj * xhat(j);
    if (gb) h[gb + c] += gj;
  }
  if (gx)
    for (let j = 0; j < grp.n; j++) {
      const p = grp.at(j),
        c = grp.channel(j);
      h[gx + p] += rstd * (h[g + p] * (w ? h[w + c] : 1) - A / grp.n - xhat(j) * (B / grp.n));
    }
}

/** The groups of a group-norm record (P0..3 = N, C, S, G): row r holds L = (C/G)·S contiguous values. */
function groupNormGroups(r: Int32Array): Group[] {
  const [N, C, S, G] = [0, 1, 2, 3].map((k) => param(r, k)),
    Cg = C / G,
    L = Cg * S;
  return Array.from({ length: N * G }, (_, row) => ({ n: L, at: (j: number) => row * L + j, channel: (j: number) => (row % G) * Cg + Math.floor(j / S) }));
}

/** The channels of a batch-norm record (P0..2 = N, C, S): channel c's n = N·S values, C·S apart per sample. */
function batchNormGroups(r: Int32Array): Group[] {
  const [N, C, S] = [0, 1, 2].map((k) => param(r, k));
  return Array.from({ length: C }, (_, c) => ({ n: N * S, at: (j: number) => (Math.floor(j / S) * C + c) * S + (j % S), channel: () => c }));
}

/**
 * The sizes of a norm record's input gradients (x, weight, bias): every norm's params start N, C, S
 * (layer norm's are rows, row length, 1), and its weight and bias are [C]. The kernels overwrite
 * fresh ones (overwritesGrad: dx written where it is computed, dγ and dβ cleared first).
 */
const normGradSizes = (r: Int32Array) => [param(r, 0) * param(r, 1) * param(r, 2), param(r, 1), param(r, 1)];

/** The reference of the group-norm kernel (layer norm shares it): AUX0 = [shift, dm, rstd] per row as the kernel, shift = mean. */
const groupNormRef = {
  fwd: (h: Float64Array, r: Int32Array) => {
    const groups = groupNormGroups(r);
    groups.forEach((grp, row) => {
      const [mean, v] = refForward(h, r, grp, 4, 5, false);
      h[aux(r, 0) + row] = mean;
      h[aux(r, 0) + groups.length + row] = 0;
      h[aux(r, 0) + 2 * groups.length + row] = 1 / Math.sqrt(v + paramf(r, 4));
    });
  },
  bwd: (h: Float64Array, r: Int32Array) => {
    clearOverwritten(h, r, normGradSizes(r));
    groupNormGroups(r).forEach((grp) => refBackward(h, r, grp, 4, 5, false));
  },
};

// ---- test cases: sizes 0, 1, odd, the SIMD tile ± 1 and the float32 chunk (64) ± 1 ------------------

type Affine = 'both' | 'weight' | 'bias' | 'none';
const affineInputs = (shape: number[], which: Affine) => [
  which === 'both' || which === 'weight' ? { shape } : { shape: [], noGrad: true },
  which === 'both' || which === 'bias' ? { shape } : { shape: [], noGrad: true },
];
const affineAttrs = (which: Affine) => ({ weight: which === 'both' || which === 'weight', bias: which === 'both' || which === 'bias' });

const layerNormCase = (x: number[], k: number, which: Affine): TestCase<LayerNormAttrs> => {
  const normalizedShape = x.slice(x.length - k);
  return {
    inputs: [{ shape: x }, ...affineInputs(normalizedShape, which)],
    attrs: { normalizedShape, ...affineAttrs(which) },
    name: `[${x.join('x')}] over ${fmtShape(normalizedShape)}, affine ${which}`,
  };
};
const channelCase = <A>(x: number[], which: Affine, extra: A, note = ''): TestCase<A & AffineAttrs> => ({
  inputs: [{ shape: x }, ...affineInputs([x[1]], which)],
  attrs: { ...extra, ...affineAttrs(which) },
  name: `[${x.join('x')}]${note}, affine ${which}`,
});

/**
 * The three ops' vjp, their backward formula as table ops on x viewed as `view`, normalised over
 * the dims `over`, the weight and bias laid over `affine` (that view's shape for them, 1 elsewhere):
 * x̂ = (x − μ)·r with r = 1/√(var + eps), dx̂ = g·weight,
 * dx = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dweight = Σ g·x̂ and dbias = Σ g over the other dims.
 * μ and r are recomputed from x by ops, so differentiating again reaches them.
 */
function normVjp<T>(
  b: Builder<T>,
  { inputs: [x, w, bias], gout, attrs: a, needs }: VjpContext<T, AffineAttrs>,
  view: readonly number[],
  over: readonly number[],
  affine: readonly number[],
): (T | null)[] {
  const mean = (t: T) => reduceOver(b, 'meanDims', t, { dim: [...over], keepdim: true });
  const xv = reshape(b, x, view),
    g = reshape(b, gout, view);
  const xc = b.op('sub', [xv, mean(xv)]);
  const r = b.op('rsqrt', [b.op('add', [mean(b.op('mul', [xc, xc])), b.scalar(Math.fround(a.eps ?? 1e-5))])]);
  const xhat = b.op('mul', [xc, r]);
  const dxhat = a.weight ? b.op('mul', [g, reshape(b, w, affine)]) : g;
  const dx = () => b.op('mul', [r, b.op('sub', [b.op('sub', [dxhat, mean(dxhat)]), b.op('mul', [xhat, mean(b.op('mul', [dxhat, xhat]))])])]);
  const others = view.flatMap((_, k) => (affine[k] === 1 ? [k] : []));
  const affineSum = (t: T, like: T) => reshape(b, reduceOver(b, 'sumDims', t, { dim: others }), b.shape(like));
  return [
    needs[0] ? reshape(b, dx(), b.shape(x)) : null,
    needs[1] && a.weight ? affineSum(b.op('mul', [g, xhat]), w) : null,
    needs[2] && a.bias ? affineSum(g, bias) : null,
  ];
}

export const NORMALIZATION_OPS = defineOps(
  {
    name: 'layerNorm',
    module: 'norm',
    arity: 3,
    gradInputs: [0, 1, 2],
    overwritesGrad: true,
    doc: "PyTorch's F.layer_norm: each row of the trailing normalizedShape dims as (x − mean)/√(var + eps)·weight + bias (biased variance); saves shift, mean and 1/std per row",
    plan: planLayerNorm,
    ref: groupNormRef,
    vjp: (b, ctx) => {
      const xs = b.shape(ctx.inputs[0]),
        ns = ctx.attrs.normalizedShape;
      return normVjp(b, ctx, [sizeOf(xs.slice(0, xs.length - ns.length)), sizeOf(ns)], [1], [1, sizeOf(ns)]);
    },
    tests: {
      cases: [
        layerNormCase([1, 1], 1, 'both'),
        layerNormCase([3, 5], 1, 'both'),
        layerNormCase([2, 3, 7], 2, 'none'),
        layerNormCase([17, 17], 1, 'weight'),
        layerNormCase([5, 3], 1, 'bias'),
        layerNormCase([2, 2, 9], 1, 'both'),
        layerNormCase([3, 65], 1, 'both'),
        layerNormCase([2, 63], 1, 'weight'),
        layerNormCase([4, 129], 1, 'both'),
        layerNormCase([3, 2, 2, 4], 3, 'both'),
        layerNormCase([0, 4], 1, 'both'),
        // a zero-size normalized shape (PyTorch): rows of no values
        layerNormCase([3, 0], 1, 'both'),
        layerNormCase([3, 4, 0], 2, 'weight'),
      ],
    },
  } satisfies OpSpec<LayerNormAttrs, 'layerNorm'>,
  {
    name: 'groupNorm',
    module: 'norm',
    arity: 3,
    gradInputs: [0, 1, 2],
    overwritesGrad: true,
    doc: "PyTorch's F.group_norm: x [N, C, *] normalised per sample over each of numGroups groups of C/numGroups channels and their positions, then a per-channel weight and bias",
    plan: planGroupNorm,
    ref: groupNormRef,
    vjp: (b, ctx) => {
      const [n, c, sp] = channelView('groupNorm', { shape: b.shape(ctx.inputs[0]), dtype: 'float32' }),
        grp = ctx.attrs.numGroups;
      return normVjp(b, ctx, [n, grp, c / grp, sp], [2, 3], [1, grp, c / grp, 1]);
    },
    tests: {
      cases: [
        channelCase([1, 1, 1], 'both', { numGroups: 1 }, ', 1 group'),
        channelCase([2, 6, 5], 'both', { numGroups: 3 }, ', 3 groups'),
        channelCase([1, 3, 7], 'weight', { numGroups: 1 }, ', 1 group'),
        channelCase([3, 5, 2, 2], 'none', { numGroups: 5 }, ', 5 groups (instance norm)'),
        channelCase([2, 4], 'both', { numGroups: 2 }, ', 2 groups, no positions'),
        channelCase([2, 9, 17], 'bias', { numGroups: 3 }, ', 3 groups'),
        channelCase([2, 4, 3, 3], 'both', { numGroups: 2 }, ', 2 groups'),
        channelCase([1, 2, 65], 'both', { numGroups: 1 }, ', 1 group'),
        channelCase([0, 4, 3], 'both', { numGroups: 2 }, ', 2 groups'),
      ],
    },
  } satisfies OpSpec<GroupNormAttrs, 'groupNorm'>,
  {
    name: 'batchNorm',
    module: 'norm',
    arity: 3,
    gradInputs: [0, 1, 2],
    overwritesGrad: true,
    doc: "PyTorch's F.batch_norm in training mode: x [N, C, *] normalised per channel with the batch mean and biased variance, then a per-channel weight and bias; saves [mean; var] (AUX0, what batchNormStatsUpdate reads) and the shift",
    plan: planBatchNorm,
    vjp: (b, ctx) => {
      const [n, c, sp] = channelView('batchNorm', { shape: b.shape(ctx.inputs[0]), dtype: 'float32' });
      return normVjp(b, ctx, [n, c, sp], [0, 2], [1, c, 1]);
    },
    ref: {
      fwd: (h, r) =>
        batchNormGroups(r).forEach((grp, c, all) => {
          const [mean, v] = refForward(h, r, grp, 3, 4, true);
          h[aux(r, 0) + c] = mean;
          h[aux(r, 0) + all.length + c] = v;
          h[aux(r, 1) + c] = mean;
          h[aux(r, 1) + all.length + c] = 0;
        }),
      bwd: (h, r) => {
        clearOverwritten(h, r, normGradSizes(r));
        batchNormGroups(r).forEach((grp) => refBackward(h, r, grp, 3, 4, true));
      },
    },
    tests: {
      cases: [
        channelCase([3, 5], 'both', {}),
        channelCase([2, 1], 'both', {}),
        channelCase([4, 3, 7], 'both', {}),
        channelCase([2, 5, 3, 3], 'both', {}),
        channelCase([2, 1, 17], 'none', {}),
        channelCase([5, 7, 1], 'weight', {}),
        channelCase([3, 3, 2, 3], 'bias', {}),
        channelCase([2, 2, 65], 'both', {}),
        channelCase([17, 3], 'both', {}),
        channelCase([67, 9], 'both', {}, ', rows > 64 (two float32 chunks)'),
        channelCase([4, 17], 'weight', {}),
        channelCase([0, 3, 4], 'both', {}),
      ],
    },
  } satisfies OpSpec<BatchNormAttrs, 'batchNorm'>,
);
