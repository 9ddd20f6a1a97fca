/**
 * Optimizer update kernels and the two gradient-clipping helpers. Kernels: assembly/kernels/optim.ts.
 *
 * Update ops take [param, grad, state...] and write the updated parameter into OUT, reading the
 * old one from IN0; they update their state buffers (IN2, IN3) in place. The optimizers run them
 * with `applyUpdate`, which sets OUT = IN0, so the parameter is updated in place too. Run through
 * `apply` (the op-table harness) they leave IN0 alone and return the new parameter as a fresh
 * tensor, which is what the harness compares across backends. Every kernel reads all values of an
 * element before it stores any, so OUT may alias IN0.
 *
 * The hyperparameters and the per-step terms (bias corrections, decayed learning rates) are
 * computed here in float64 and travel as float32 params: the formulas live in `plan`, once, and
 * both backends see the very same rounded coefficients. All formulas are torch.optim's
 * (single-tensor, non-foreach code paths), cited next to each op.
 *
 * None of these ops is differentiable (gradInputs []), exactly like an optimizer step under
 * torch.no_grad.
 */
import { ShapeError, ValueError } from '../errors.js';
import {
  defineOps, f32bits, fmtShape, inp, numel, out, paramf, param,
  type Meta, type OpSpec, type Plan, type TestCase,
} from './types.js';

// ---- attributes (what the optimizers pass; the kernels only see the params they produce) -----
export interface SgdAttrs {
  lr: number;
  weightDecay: number;
  /** Momentum-only fields (sgdMomentumUpdate). */
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** First step of this buffer: PyTorch starts the buffer at the gradient itself (no dampening). */
  first?: boolean;
}
export interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: decay the parameter by (1 − lr·weightDecay) instead of adding weightDecay·p to the gradient. */
  decoupled: boolean;
  /** Step number t ≥ 1 of this update (after incrementing). */
  step: number;
}
export interface RmspropAttrs {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
}
export interface AdagradAttrs {
  lr: number;
  eps: number;
  weightDecay: number;
  lrDecay: number;
  /** Step number t ≥ 1 of this update (after incrementing). */
  step: number;
}
export interface ScaleAttrs {
  factor: number;
}

// ---- shared planning -------------------------------------------------------------------------
/** Every tensor of an update has the parameter's shape; the output is the new parameter. */
function planUpdate(name: string, ins: readonly Meta[], params: number[]): Plan {
  const shape = ins[0].shape;
  ins.forEach((t, i) => {
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k]))
      throw new ShapeError(name, `input ${i} has shape ${fmtShape(t.shape)}, expected the parameter's shape ${fmtShape(shape)}`);
  });
  return { shape: [...shape], params: params.map(f32bits) };
}

/** A reference update: `body(i)` reads and writes element i of every buffer (OUT may alias IN0). */
function eachElement(r: Int32Array, body: (i: number) => void): void {
  for (let i = 0, n = numel(r); i < n; i++) body(i);
}

const SIZES = [1, 3, 5, 9, 17];
/** Harness cases: every input of the parameter's shape, on sizes around the SIMD width. */
function cases<A>(domains: ('any' | 'positive')[], attrs: A[]): TestCase<A>[] {
  const all: TestCase<A>[] = [];
  for (const a of attrs)
    for (const n of SIZES) all.push({ inputs: domains.map((domain) => ({ shape: [n], domain })), attrs: a, name: `[${n}] ${JSON.stringify(a)}` });
  all.push({ inputs: domains.map((domain) => ({ shape: [3, 7], domain })), attrs: attrs[0] });
  all.push({ inputs: domains.map((domain) => ({ shape: [0], domain })), attrs: attrs[0], name: '[0] (an empty parameter)' });
  return all;
}

// ---- SGD (torch/optim/sgd.py, _single_tensor_sgd) -------------------------------------------
//   d = g + wd·p
//   momentum: buf = first ? d : momentum·buf + (1 − dampening)·d
//             d = nesterov ? d + momentum·buf : buf
//   p ← p − lr·d
// params: [lr, wd, a, b, nesterov, momentum] with buf = a·buf + b·d, (a, b) = first ? (0, 1) : (momentum, 1 − dampening).
// The buffer of a first step is all zeros, so a = 0 gives exactly buf = d.
function sgdParams(a: SgdAttrs, withMomentum: boolean): number[] {
  if (!withMomentum) return [a.lr, a.weightDecay];
  const m = a.momentum ?? 0;
  const [bufDecay, gradWeight] = a.first ? [0, 1] : [m, 1 - (a.dampening ?? 0)];
  return [a.lr, a.weightDecay, bufDecay, gradWeight, a.nesterov ? 1 : 0, m];
}

const sgdUpdate: OpSpec<SgdAttrs, 'sgdUpdate'> = {
  name: 'sgdUpdate', module: 'optim', arity: 2, gradInputs: [],
  doc: 'SGD step without momentum, in place: p ← p − lr·(g + wd·p)',
  plan: (ins, a) => planUpdate('sgdUpdate', ins, sgdParams(a, false)),
  ref: {
    fwd: (h, r) => {
      const o = out(r), p = inp(r, 0), g = inp(r, 1);
      const lr = paramf(r, 0), wd = paramf(r, 1);
      eachElement(r, (i) => {
        const d = h[g + i] + wd * h[p + i];
        h[o + i] = h[p + i] - lr * d;
      });
    },
  },
  tests: { cases: cases(['any', 'any'], [{ lr: 0.1, weightDecay: 0 }, { lr: 0.05, weightDecay: 0.3 }]) },
};

const sgdMomentumUpdate: OpSpec<SgdAttrs, 'sgdMomentumUpdate'> = {
  name: 'sgdMomentumUpdate', module: 'optim', arity: 3, gradInputs: [],
  doc: 'SGD step with a momentum buffer (optionally Nesterov), in place on the parameter and the buffer',
  plan: (ins, a) => planUpdate('sgdMomentumUpdate', ins, sgdParams(a, true)),
  ref: {
    fwd: (h, r) => {
      const o = out(r), p = inp(r, 0), g = inp(r, 1), b = inp(r, 2);
      const lr = paramf(r, 0), wd = paramf(r, 1), bufDecay = paramf(r, 2), gradWeight = paramf(r, 3);
      const nesterov = param(r, 4) !== 0, m = paramf(r, 5);
      eachElement(r, (i) => {
        const d = h[g + i] + wd * h[p + i];
        const buf = bufDecay * h[b + i] + gradWeight * d;
        h[b + i] = buf;
        h[o + i] = h[p + i] - lr * (nesterov ? d + m * buf : buf);
      });
    },
  },
  tests: {
    cases: cases(['any', 'any', 'any'], [
      { lr: 0.1, weightDecay: 0, momentum: 0.9, dampening: 0 },
      { lr: 0.1, weightDecay: 0.2, momentum: 0.9, dampening: 0.5, first: true },
      { lr: 0.05, weightDecay: 0.1, momentum: 0.8, dampening: 0.25 },
      { lr: 0.1, weightDecay: 0.01, momentum: 0.9, nesterov: true },
    ]),
  },
};

// ---- Adam / AdamW (torch/optim/adam.py and adamw.py, _single_tensor_adam) ----------------------
//   AdamW first decays the parameter: p ← p·(1 − lr·wd);  Adam adds wd·p to the gradient instead.
//   d = g + l2·p
//   m ← m + (1 − β1)·(d − m)              (torch: exp_avg.lerp_(grad, 1 − β1))
//   v ← β2·v + (1 − β2)·d²
//   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
// params: [l2, decay, 1 − β1, β2, 1 − β2, stepSize, √(1 − β2^t), ε]
function adamParams(a: AdamAttrs): number[] {
  const bc1 = 1 - a.beta1 ** a.step;
  const bc2 = 1 - a.beta2 ** a.step;
  const l2 = a.decoupled ? 0 : a.weightDecay;
  const decay = a.decoupled ? 1 - a.lr * a.weightDecay : 1;
  return [l2, decay, 1 - a.beta1, a.beta2, 1 - a.beta2, a.lr / bc1, Math.sqrt(bc2), a.eps];
}

const adamUpdate: OpSpec<AdamAttrs, 'adamUpdate'> = {
  name: 'adamUpdate', module: 'optim', arity: 4, gradInputs: [],
  doc: 'Adam / AdamW step, in place on the parameter and both moment buffers',
  plan: (ins, a) => {
    if (!(a.step >= 1)) throw new ValueError('adamUpdate', `step must be ≥ 1, got ${a.step}`);
    return planUpdate('adamUpdate', ins, adamParams(a));
  },
  ref: {
    fwd: (h, r) => {
      const o = out(r), p = inp(r, 0), g = inp(r, 1), m = inp(r, 2), v = inp(r, 3);
      const l2 = paramf(r, 0), decay = paramf(r, 1), omb1 = paramf(r, 2), b2 = paramf(r, 3), omb2 = paramf(r, 4);
      const stepSize = paramf(r, 5), bc2sqrt = paramf(r, 6), eps = paramf(r, 7);
      eachElement(r, (i) => {
        const x = h[p + i];
        const d = h[g + i] + l2 * x;
        const mi = h[m + i] + omb1 * (d - h[m + i]);
        const vi = b2 * h[v + i] + omb2 * d * d;
        h[m + i] = mi;
        h[v + i] = vi;
        h[o + i] = x * decay - (stepSize * mi) / (Math.sqrt(vi) / bc2sqrt + eps);
      });
    },
  },
  tests: {
    cases: cases(['any', 'any', 'any', 'positive'], [
      { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step: 1 },
      { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1, decoupled: false, step: 3 },
      { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, step: 7 },
    ]),
  },
};

// ---- RMSprop (torch/optim/rmsprop.py, _single_tensor_rmsprop, centered=False) -------------------
//   d = g + wd·p
//   s ← α·s + (1 − α)·d²
//   a = √s + ε
//   no momentum: p ← p − lr·d / a
//   momentum:    buf ← momentum·buf + d / a;  p ← p − lr·buf
// params: [lr, wd, α, 1 − α, ε, momentum]
const rmspropParams = (a: RmspropAttrs) => [a.lr, a.weightDecay, a.alpha, 1 - a.alpha, a.eps, a.momentum];

function rmspropRef(withMomentum: boolean): (h: Float64Array, r: Int32Array) => void {
  return (h, r) => {
    const o = out(r), p = inp(r, 0), g = inp(r, 1), s = inp(r, 2), b = inp(r, 3);
    const lr = paramf(r, 0), wd = paramf(r, 1), alpha = paramf(r, 2), oma = paramf(r, 3), eps = paramf(r, 4), mom = paramf(r, 5);
    eachElement(r, (i) => {
      const x = h[p + i];
      const d = h[g + i] + wd * x;
      const si = alpha * h[s + i] + oma * d * d;
      h[s + i] = si;
      const step = d / (Math.sqrt(si) + eps);
      if (withMomentum) {
        h[b + i] = mom * h[b + i] + step;
        h[o + i] = x - lr * h[b + i];
      } else h[o + i] = x - lr * step;
    });
  };
}

const rmspropCases = (domains: ('any' | 'positive')[], momentum: number) =>
  cases(domains, [
    { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum },
    { lr: 1e-2, alpha: 0.9, eps: 1e-6, weightDecay: 0.1, momentum },
  ]);

const rmspropUpdate: OpSpec<RmspropAttrs, 'rmspropUpdate'> = {
  name: 'rmspropUpdate', module: 'optim', arity: 3, gradInputs: [],
  doc: 'RMSprop step without momentum, in place on the parameter and the square average',
  plan: (ins, a) => planUpdate('rmspropUpdate', ins, rmspropParams(a)),
  ref: { fwd: rmspropRef(false) },
  tests: { cases: rmspropCases(['any', 'any', 'positive'], 0) },
};

const rmspropMomentumUpdate: OpSpec<RmspropAttrs, 'rmspropMomentumUpdate'> = {
  name: 'rmspropMomentumUpdate', module: 'optim', arity: 4, gradInputs: [],
  doc: 'RMSprop step with momentum, in place on the parameter, the square average and the buffer',
  plan: (ins, a) => planUpdate('rmspropMomentumUpdate', ins, rmspropParams(a)),
  ref: { fwd: rmspropRef(true) },
  tests: { cases: rmspropCases(['any', 'any', 'positive', 'any'], 0.9) },
};

// ---- Adagrad (torch/optim/adagrad.py, _single_tensor_adagrad) -------------------------------------
//   d = g + wd·p
//   clr = lr / (1 + (t − 1)·lrDecay)
//   sum ← sum + d²
//   p ← p − clr · d / (√sum + ε)
// params: [clr, wd, ε]
const adagradUpdate: OpSpec<AdagradAttrs, 'adagradUpdate'> = {
  name: 'adagradUpdate', module: 'optim', arity: 3, gradInputs: [],
  doc: 'Adagrad step, in place on the parameter and the sum of squared gradients',
  plan: (ins, a) => {
    if (!(a.step >= 1)) throw new ValueError('adagradUpdate', `step must be ≥ 1, got ${a.step}`);
    return planUpdate('adagradUpdate', ins, [a.lr / (1 + (a.step - 1) * a.lrDecay), a.weightDecay, a.eps]);
  },
  ref: {
    fwd: (h, r) => {
      const o = out(r), p = inp(r, 0), g = inp(r, 1), s = inp(r, 2);
      const clr = paramf(r, 0), wd = paramf(r, 1), eps = paramf(r, 2);
      eachElement(r, (i) => {
        const x = h[p + i];
        const d = h[g + i] + wd * x;
        const si = h[s + i] + d * d;
        h[s + i] = si;
        h[o + i] = x - (clr * d) / (Math.sqrt(si) + eps);
      });
    },
  },
  tests: {
    cases: cases(['any', 'any', 'positive'], [
      { lr: 1e-2, eps: 1e-10, weightDecay: 0, lrDecay: 0, step: 1 },
      { lr: 0.1, eps: 1e-6, weightDecay: 0.2, lrDecay: 0.1, step: 4 },
    ]),
  },
};

// ---- gradient clipping helpers (torch/nn/utils/clip_grad.py) ------------------------------------
/** Σ x² of one tensor, into a 0-d output. The output has one element, so the input's length
 *  travels in P0. WASM accumulates in float64 (f64x2), so the norm of a large gradient does not
 *  lose its small elements. */
const gradSumSquares: OpSpec<any, 'gradSumSquares'> = {
  name: 'gradSumSquares', module: 'optim', arity: 1, gradInputs: [],
  doc: 'Σ x² over all elements (for gradient norms), accumulated in float64',
  plan: (ins) => ({ shape: [], params: [ins[0].shape.reduce((a, b) => a * b, 1)] }),
  ref: {
    fwd: (h, r) => {
      const x = inp(r, 0);
      let s = 0;
      for (let i = 0, n = param(r, 0); i < n; i++) s += h[x + i] * h[x + i];
      h[out(r)] = s;
    },
  },
  tests: { cases: [0, ...SIZES, 33, 1000].map((n) => ({ inputs: [{ shape: [n] }] })) },
};

/** x ← factor·x (in place through applyUpdate): scales gradients when clipping. */
const gradScale: OpSpec<ScaleAttrs, 'gradScale'> = {
  name: 'gradScale', module: 'optim', arity: 1, gradInputs: [],
  doc: 'factor · x; in place on x through applyUpdate (gradient clipping)',
  plan: (ins, a) => planUpdate('gradScale', ins, [a.factor]),
  ref: {
    fwd: (h, r) => {
      const o = out(r), x = inp(r, 0), c = paramf(r, 0);
      eachElement(r, (i) => (h[o + i] = c * h[x + i]));
    },
  },
  tests: { cases: cases(['any'], [{ factor: 0.37 }]) },
};

// ---- BatchNorm running statistics (torch/nn/modules/batchnorm.py) -------------------------------
//   num_batches_tracked += 1
//   f = momentum, or 1/num_batches_tracked when momentum is None (cumulative average)
//   running_mean ← (1 − f)·running_mean + f·mean
//   running_var  ← (1 − f)·running_var  + f·n/(n − 1)·biased_var   (Bessel's correction)
// In WASM, so a compiled step never reads the count back into JavaScript. The coefficients are
// computed in float64 and rounded to float32 once, the products and the sum rounded separately,
// as the same expression written with tensor ops.
export interface RunningStatsAttrs {
  /** null: cumulative average over all batches seen. */
  momentum: number | null;
  /** Values per channel in the batch (the n of Bessel's correction), > 1. */
  count: number;
}

/** (1 − f, f, f·n/(n − 1)) rounded to float32: from the params, or from the count when cumulative. */
function runningStatsCoefficients(cumulative: boolean, batches: number, n: number, fixed: number[]): number[] {
  if (!cumulative) return fixed;
  const f = 1 / batches;
  return [1 - f, f, (f * n) / (n - 1)].map(Math.fround);
}

const batchNormStatsUpdate: OpSpec<RunningStatsAttrs, 'batchNormStatsUpdate'> = {
  name: 'batchNormStatsUpdate', module: 'norm', arity: 4, inputDtypes: ['float32', 'float32', 'int32', 'float32'], gradInputs: [],
  doc: 'BatchNorm running statistics in place: [runningMean [C], runningVar [C], numBatchesTracked [] int32, batch [2, C] = (mean; biased var)]; an empty batch (count 0) is only counted',
  plan: (ins, a) => {
    const [rm, rv, nbt, stats] = ins, c = rm.shape.reduce((x, y) => x * y, 1);
    const ok = rm.shape.length === 1 && rv.shape.length === 1 && rv.shape[0] === c && nbt.shape.length === 0 && stats.shape.length === 2 && stats.shape[0] === 2 && stats.shape[1] === c;
    if (!ok)
      throw new ShapeError('batchNormStatsUpdate', `expected running stats [C], [C], a 0-d count and batch stats [2, C], got ${ins.map((t) => fmtShape(t.shape)).join(', ')}`);
    // count 0: an empty batch (PyTorch allows N = 0), which is counted but leaves the averages alone.
    if (!(Number.isInteger(a.count) && (a.count > 1 || a.count === 0))) throw new ValueError('batchNormStatsUpdate', `count must be 0 or an integer > 1, got ${a.count}`);
    // P0: 1 = cumulative (the kernel derives f from the count), P1: count, P2..4: 1 − f, f, f·n/(n − 1)
    const f = a.momentum ?? 0, n = a.count;
    return { shape: [c], params: [a.momentum === null ? 1 : 0, n, ...[1 - f, f, (f * n) / (n - 1)].map(f32bits)] };
  },
  ref: {
    fwd: (h, r) => {
      const rm = inp(r, 0), rv = inp(r, 1), nbt = inp(r, 2), st = inp(r, 3), o = out(r), c = numel(r);
      const batches = (h[nbt] + 1) | 0;
      h[nbt] = batches;
      if (param(r, 1) === 0) {
        h.copyWithin(o, rm, rm + c); // an empty batch: counted, averages unchanged (its statistics are NaN)
        return;
      }
      const [keep, take, takeVar] = runningStatsCoefficients(param(r, 0) === 1, batches, param(r, 1), [paramf(r, 2), paramf(r, 3), paramf(r, 4)]);
      for (let i = 0; i < c; i++) {
        h[rv + i] = keep * h[rv + i] + takeVar * h[st + c + i];
        h[o + i] = keep * h[rm + i] + take * h[st + i];
      }
    },
  },
  tests: {
    cases: [1, 3, 5, 17].flatMap((c) =>
      [0.1, null].map((momentum) => ({
        inputs: [{ shape: [c] }, { shape: [c], domain: 'positive' as const }, { shape: [], dtype: 'int32' as const, int: [0, 5] as [number, number] }, { shape: [2, c], domain: 'positive' as const }],
        attrs: { momentum, count: 7 },
        name: `[${c}] momentum ${momentum}`,
      })),
    ).concat([{
      inputs: [{ shape: [3] }, { shape: [3], domain: 'positive' }, { shape: [], dtype: 'int32', int: [0, 5] }, { shape: [2, 3], domain: 'positive' }],
      attrs: { momentum: null, count: 0 },
      name: '[3] empty batch (count 0)',
    }]),
  },
};

export const OPTIM_OPS = defineOps(
  sgdUpdate, sgdMomentumUpdate, adamUpdate, rmspropUpdate, rmspropMomentumUpdate, adagradUpdate, gradSumSquares, gradScale, batchNormStatsUpdate,
);
