/**
 * Optimizer update kernels and the two gradient-clipping helpers. Kernels: assembly/kernels/optim.ts.
 *
 * Update ops take [param, grad, state...] and write the updated parameter into OUT, reading the
 * old one from IN0; they update their state buffers (IN2, IN3, and a fifth input, which sits in
 * the record's end words as a variadic op's: contract.ts inWord) in place. The optimizers run them
 * with `applyUpdate`, which sets OUT = IN0, so the parameter is updated in place too. Run through
 * `apply` (the op-table harness) they leave IN0 alone and return the new parameter as a fresh
 * tensor, which is what the harness compares across backends. Every kernel reads all values of an
 * element before it stores any, so OUT may alias IN0.
 *
 * An update reads its coefficients (learning rate, bias corrections, ...: the float32 list named
 * at each op) from its record params, or, when the record's AUX0 is set, from the float32 block
 * AUX0 points to. The optimizers use the block: their hyperparameters and step counts live in
 * memory, and `optimCoefficients` (run before each update) computes the block from them, so a
 * replayed step needs no rewritten record. Either way the coefficients are computed in float64
 * from the same values and rounded to float32 once, so both paths and both backends see the very
 * same numbers. All formulas are torch.optim's (single-tensor, non-foreach code paths), cited next
 * to each op.
 *
 * None of these ops is differentiable (gradInputs []), exactly like an optimizer step under
 * torch.no_grad.
 */
import { ShapeError, ValueError } from '../errors.js';
import { SPLIT } from './contract.js';
import {
  defineOps,
  f32bits,
  fmtShape,
  inp,
  numel,
  out,
  paramf,
  param,
  R,
  type Domain,
  type Meta,
  type OpSpec,
  type Plan,
  type TestCase,
  sameShape,
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
/** Adamax and RAdam: Adam's hyperparameters (L2 weight decay only) at step t ≥ 1. */
export interface AdamFamilyAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
}
/** NAdam: Adam's hyperparameters, the momentum decay ψ and μ1·…·μt−1 before step t (1 at t = 1). */
export interface NadamAttrs extends AdamFamilyAttrs {
  momentumDecay: number;
  /** PyTorch's mu_product before this step: a float32 value. */
  muProduct: number;
}
export interface AdadeltaAttrs {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
}
export interface AdagradAttrs {
  lr: number;
  eps: number;
  weightDecay: number;
  lrDecay: number;
  /** Step number t ≥ 1 of this update (after incrementing). */
  step: number;
}
/** Rprop: the factors of a step size after a sign agreement (η+) or flip (η−), and its bounds. */
export interface RpropAttrs {
  etaminus: number;
  etaplus: number;
  stepSizeMin: number;
  stepSizeMax: number;
}
/** ASGD: weight decay, λ, and PyTorch's per-parameter eta and mu before this step (float32 values). */
export interface AsgdAttrs {
  weightDecay: number;
  lambd: number;
  eta: number;
  mu: number;
}
/** SparseAdam: Adam's hyperparameters (no weight decay) at step t ≥ 1. */
export interface SparseAdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  step: number;
}
export interface ScaleAttrs {
  factor: number;
}

// ---- shared planning -------------------------------------------------------------------------
/** An update's attrs, or null: its coefficients are in the block its record's AUX0 points to. */
export type UpdateAttrs<A> = A | null;

/** Every tensor of an update has the parameter's shape; the output is the new parameter. */
function planUpdate(name: string, ins: readonly Meta[], params: number[]): Plan {
  const shape = ins[0].shape;
  ins.forEach((t, i) => {
    if (!sameShape(t.shape, shape)) throw new ShapeError(name, `input ${i} has shape ${fmtShape(t.shape)}, expected the parameter's shape ${fmtShape(shape)}`);
  });
  return { shape: [...shape], params: params.map(f32bits) };
}

/** Coefficient k of a reference update: from the AUX0 block when set, else from the params. */
function coefficients(h: Float64Array, r: Int32Array): (k: number) => number {
  const block = r[R.AUX];
  return block !== 0 ? (k) => h[block + k] : (k) => paramf(r, k);
}

/** A reference update: `body(i)` reads and writes element i of every buffer (OUT may alias IN0). */
function eachElement(r: Int32Array, body: (i: number) => void): void {
  for (let i = 0, n = numel(r); i < n; i++) body(i);
}

const SIZES = [1, 3, 5, 9, 17];
/** Harness cases: every input of the parameter's shape, on sizes around the SIMD width. */
function cases<A>(domains: Domain[], attrs: A[]): TestCase<A>[] {
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

const sgdUpdate: OpSpec<UpdateAttrs<SgdAttrs>, 'sgdUpdate'> = {
  name: 'sgdUpdate',
  module: 'optim',
  split: { cut: 'flat', min: SPLIT.MAP },
  arity: 2,
  gradInputs: [],
  doc: 'SGD step without momentum, in place: p ← p − lr·(g + wd·p)',
  plan: (ins, a) => planUpdate('sgdUpdate', ins, a === null ? [] : sgdParams(a, false)),
  ref: {
    fwd: (h, r) => {
      const o = out(r),
        p = inp(r, 0),
        g = inp(r, 1),
        c = coefficients(h, r);
      const lr = c(0),
        wd = c(1);
      eachElement(r, (i) => {
        const d = h[g + i] + wd * h[p + i];
        h[o + i] = h[p + i] - lr * d;
      });
    },
  },
  tests: {
    cases: cases(
      ['any', 'any'],
      [
        { lr: 0.1, weightDecay: 0 },
        { lr: 0.05, weightDecay: 0.3 },
      ],
    ),
  },
};

const sgdMomentumUpdate = stateOp(
  'sgdMomentumUpdate',
  3,
  (a: SgdAttrs) => sgdParams(a, true),
  (x, g, [b], c) => {
    const d = g + c(1) * x;
    const buf = c(2) * b + c(3) * d;
    return [buf, x - c(0) * (c(4) !== 0 ? d + c(5) * buf : buf)];
  },
  {
    doc: 'SGD step with a momentum buffer (optionally Nesterov), in place on the parameter and the buffer',
    split: SPLIT.MAP,
    tests: {
      attrs: [
        { lr: 0.1, weightDecay: 0, momentum: 0.9, dampening: 0 },
        { lr: 0.1, weightDecay: 0.2, momentum: 0.9, dampening: 0.5, first: true },
        { lr: 0.05, weightDecay: 0.1, momentum: 0.8, dampening: 0.25 },
        { lr: 0.1, weightDecay: 0.01, momentum: 0.9, nesterov: true },
      ],
      domains: ['any', 'any', 'any'],
    },
  },
);

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

/** The reference Adam update; amsgrad: IN4 keeps max(v) over the steps and divides by its root instead. */
function adamRef(amsgrad: boolean): (h: Float64Array, r: Int32Array) => void {
  return (h, r) => {
    const o = out(r),
      p = inp(r, 0),
      g = inp(r, 1),
      m = inp(r, 2),
      v = inp(r, 3),
      vmax = amsgrad ? inp(r, 4) : 0,
      c = coefficients(h, r);
    const l2 = c(0),
      decay = c(1),
      omb1 = c(2),
      b2 = c(3),
      omb2 = c(4);
    const stepSize = c(5),
      bc2sqrt = c(6),
      eps = c(7);
    eachElement(r, (i) => {
      const x = h[p + i];
      const d = h[g + i] + l2 * x;
      const mi = h[m + i] + omb1 * (d - h[m + i]);
      let vi = b2 * h[v + i] + omb2 * d * d;
      h[m + i] = mi;
      h[v + i] = vi;
      if (amsgrad) {
        // torch.maximum: a NaN on either side wins (Math.max does the same)
        vi = Math.max(h[vmax + i], vi);
        h[vmax + i] = vi;
      }
      h[o + i] = x * decay - (stepSize * mi) / (Math.sqrt(vi) / bc2sqrt + eps);
    });
  };
}

const adamCases = (domains: Domain[]) =>
  cases(domains, [
    { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step: 1 },
    { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1, decoupled: false, step: 3 },
    { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, step: 7 },
  ]);

/** The Adam update op, plain or amsgrad (one more buffer; same coefficients). */
function adamOp<N extends string>(name: N, amsgrad: boolean, info: { doc: string }) {
  const spec: OpSpec<UpdateAttrs<AdamAttrs>, N> = {
    name,
    module: 'optim',
    split: { cut: 'flat', min: SPLIT.UPDATE },
    arity: amsgrad ? 5 : 4,
    gradInputs: [],
    doc: info.doc,
    plan: (ins, a) => {
      if (a !== null && !(a.step >= 1)) throw new ValueError(name, `step must be ≥ 1, got ${a.step}`);
      return planUpdate(name, ins, a === null ? [] : adamParams(a));
    },
    ref: { fwd: adamRef(amsgrad) },
    tests: { cases: adamCases(amsgrad ? ['any', 'any', 'any', 'positive', 'positive'] : ['any', 'any', 'any', 'positive']) },
  };
  return spec;
}

const adamUpdate = adamOp('adamUpdate', false, { doc: 'Adam / AdamW step, in place on the parameter and both moment buffers' });
// AMSGrad (amsgrad=True): vmax ← max(vmax, v) after the moments, and vmax replaces v in the
// denominator, p ← p − (lr / (1 − β1^t)) · m / (√vmax / √(1 − β2^t) + ε).
const adamAmsgradUpdate = adamOp('adamAmsgradUpdate', true, {
  doc: 'Adam / AdamW step with amsgrad, in place on the parameter, both moment buffers and the running maximum of the second moment',
});

// ---- RMSprop (torch/optim/rmsprop.py, _single_tensor_rmsprop) ------------------------------------
//   d = g + wd·p
//   s ← α·s + (1 − α)·d²
//   not centered: a = √s + ε
//   centered:     ḡ ← α·ḡ + (1 − α)·d;  a = √(s − ḡ²) + ε      (grad_avg: s − ḡ² estimates the variance)
//   no momentum: p ← p − lr·d / a
//   momentum:    buf ← momentum·buf + d / a;  p ← p − lr·buf
// params: [lr, wd, α, 1 − α, ε, momentum]. Inputs [p, g, s], then buf (momentum), then ḡ (centered).
const rmspropParams = (a: RmspropAttrs) => [a.lr, a.weightDecay, a.alpha, 1 - a.alpha, a.eps, a.momentum];

function rmspropRef(withMomentum: boolean, centered: boolean): (h: Float64Array, r: Int32Array) => void {
  return (h, r) => {
    const o = out(r),
      p = inp(r, 0),
      g = inp(r, 1),
      s = inp(r, 2),
      b = withMomentum ? inp(r, 3) : 0,
      ga = centered ? inp(r, withMomentum ? 4 : 3) : 0,
      c = coefficients(h, r);
    const lr = c(0),
      wd = c(1),
      alpha = c(2),
      oma = c(3),
      eps = c(4),
      mom = c(5);
    eachElement(r, (i) => {
      const x = h[p + i];
      const d = h[g + i] + wd * x;
      const si = alpha * h[s + i] + oma * d * d;
      h[s + i] = si;
      let variance = si;
      if (centered) {
        const gi = alpha * h[ga + i] + oma * d;
        h[ga + i] = gi;
        variance = si - gi * gi;
      }
      const step = d / (Math.sqrt(variance) + eps);
      if (withMomentum) {
        h[b + i] = mom * h[b + i] + step;
        h[o + i] = x - lr * h[b + i];
      } else h[o + i] = x - lr * step;
    });
  };
}

// A centered case needs s ≥ ḡ² (true of the optimizer's state, which starts at zero): s is drawn
// in [1, 3] and ḡ in [−0.5, 0.5], and then s − ḡ² stays ≥ α·(s₀ − ḡ₀²) > 0 after the update.
const rmspropCases = (domains: Domain[], momentum: number) =>
  cases(domains, [
    { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum },
    { lr: 1e-2, alpha: 0.9, eps: 1e-6, weightDecay: 0.1, momentum },
  ]);

/** The RMSprop update op of one (momentum, centered) combination; one test domain per input. */
function rmspropOp<N extends string>(name: N, withMomentum: boolean, centered: boolean, info: { doc: string; tests: { domains: Domain[] } }) {
  const spec: OpSpec<UpdateAttrs<RmspropAttrs>, N> = {
    name,
    module: 'optim',
    split: { cut: 'flat', min: SPLIT.UPDATE },
    arity: 3 + +withMomentum + +centered, // p, g, s, then buf and/or ḡ
    gradInputs: [],
    doc: info.doc,
    plan: (ins, a) => planUpdate(name, ins, a === null ? [] : rmspropParams(a)),
    ref: { fwd: rmspropRef(withMomentum, centered) },
    tests: { cases: rmspropCases(info.tests.domains, withMomentum ? 0.9 : 0) },
  };
  return spec;
}

const rmspropUpdate = rmspropOp('rmspropUpdate', false, false, {
  doc: 'RMSprop step without momentum, in place on the parameter and the square average',
  tests: { domains: ['any', 'any', 'positive'] },
});
const rmspropMomentumUpdate = rmspropOp('rmspropMomentumUpdate', true, false, {
  doc: 'RMSprop step with momentum, in place on the parameter, the square average and the buffer',
  tests: { domains: ['any', 'any', 'positive', 'any'] },
});
const rmspropCenteredUpdate = rmspropOp('rmspropCenteredUpdate', false, true, {
  doc: 'Centered RMSprop step without momentum, in place on the parameter, the square average and the gradient average',
  tests: { domains: ['any', 'any', [1, 3], [-0.5, 0.5]] },
});
const rmspropCenteredMomentumUpdate = rmspropOp('rmspropCenteredMomentumUpdate', true, true, {
  doc: 'Centered RMSprop step with momentum, in place on the parameter, the square average, the buffer and the gradient average',
  tests: { domains: ['any', 'any', [1, 3], 'any', [-0.5, 0.5]] },
});

// ---- Adagrad (torch/optim/adagrad.py, _single_tensor_adagrad) -------------------------------------
//   d = g + wd·p
//   clr = lr / (1 + (t − 1)·lrDecay)
//   sum ← sum + d²
//   p ← p − clr · d / (√sum + ε)
// params: [clr, wd, ε]
const adagradParams = (a: AdagradAttrs) => [a.lr / (1 + (a.step - 1) * a.lrDecay), a.weightDecay, a.eps];

const adagradUpdate: OpSpec<UpdateAttrs<AdagradAttrs>, 'adagradUpdate'> = {
  name: 'adagradUpdate',
  module: 'optim',
  split: { cut: 'flat', min: SPLIT.UPDATE },
  arity: 3,
  gradInputs: [],
  doc: 'Adagrad step, in place on the parameter and the sum of squared gradients',
  plan: (ins, a) => {
    if (a !== null && !(a.step >= 1)) throw new ValueError('adagradUpdate', `step must be ≥ 1, got ${a.step}`);
    return planUpdate('adagradUpdate', ins, a === null ? [] : adagradParams(a));
  },
  ref: {
    fwd: (h, r) => {
      const o = out(r),
        p = inp(r, 0),
        g = inp(r, 1),
        s = inp(r, 2),
        c = coefficients(h, r);
      const clr = c(0),
        wd = c(1),
        eps = c(2);
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
    cases: cases(
      ['any', 'any', 'positive'],
      [
        { lr: 1e-2, eps: 1e-10, weightDecay: 0, lrDecay: 0, step: 1 },
        { lr: 0.1, eps: 1e-6, weightDecay: 0.2, lrDecay: 0.1, step: 4 },
      ],
    ),
  },
};

// ---- Adamax (torch/optim/adamax.py, _single_tensor_adamax) --------------------------------------
//   d = g + wd·p
//   m ← β1·m + (1 − β1)·d                    (exp_avg)
//   u ← max(β2·u, |d| + ε)                   (exp_inf: torch.amax of the two, NaN wins)
//   p ← p − (lr / (1 − β1^t)) · m / u
// params: [wd, β1, 1 − β1, β2, ε, lr/(1 − β1^t)]
function adamaxParams(a: AdamFamilyAttrs): number[] {
  return [a.weightDecay, a.beta1, 1 - a.beta1, a.beta2, a.eps, a.lr / (1 - a.beta1 ** a.step)];
}

// ---- RAdam (torch/optim/radam.py, _single_tensor_radam) -----------------------------------------
//   d = g + wd·p;  m ← β1·m + (1 − β1)·d;  v ← β2·v + (1 − β2)·d²
//   ρ∞ = 2/(1 − β2) − 1,  ρt = ρ∞ − 2t·β2^t/(1 − β2^t)   (the length of the approximated SMA)
//   ρt > 5:  p ← p − m/(1 − β1^t) · lr·r·√(1 − β2^t) / (√v + ε),  r = √((ρt−4)(ρt−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρt))
//   else:    p ← p − m/(1 − β1^t) · lr                     (un-adapted: the variance is not yet tractable)
// params: [wd, β1, 1 − β1, β2, 1 − β2, k, ε, rectified] with k = lr·r·√(1 − β2^t)/(1 − β1^t), or
// lr/(1 − β1^t) when not rectified (rectified 0).
function radamParams(a: AdamFamilyAttrs): number[] {
  const t = a.step,
    b2 = a.beta2;
  const bc1 = 1 - a.beta1 ** t,
    bc2 = 1 - b2 ** t;
  const rhoInf = 2 / (1 - b2) - 1;
  const rhoT = rhoInf - (2 * t * b2 ** t) / bc2;
  const head = [a.weightDecay, a.beta1, 1 - a.beta1, b2, 1 - b2];
  if (!(rhoT > 5)) return [...head, a.lr / bc1, a.eps, 0];
  const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
  return [...head, (a.lr * rect * Math.sqrt(bc2)) / bc1, a.eps, 1];
}

/**
 * One element of an update with state buffers: from p, g and the old buffer values, the new buffer
 * values then the new p.
 */
type StateBody = (x: number, g: number, state: number[], c: (k: number) => number) => number[];

/** A body written for d = g + wd·p, coefficient 0 being the L2 weight decay (Adamax, RAdam, NAdam, Adadelta). */
const withL2 =
  (body: StateBody): StateBody =>
  (x, g, state, c) =>
    body(x, g + c(0) * x, state, c);

/**
 * An update over [p, g, state buffers...] (arity 3 or 4) from `params`: `body` gives one element's
 * new buffer values and p. With `rows` (SparseAdam) only the rows (slices along dim 0) whose
 * gradient has a nonzero element are updated, the others copied (their length in P[ROW_PARAM]).
 * Split from `split` elements (default SPLIT.UPDATE). Tested under each of `tests.attrs`, the
 * inputs drawn from `tests.domains` (default any, then positive for the last buffer).
 */
function stateOp<N extends string, A extends object>(
  name: N,
  arity: 3 | 4,
  params: (a: A) => number[],
  body: StateBody,
  info: { doc: string; rows?: boolean; split?: number; tests: { attrs: A[]; domains?: Domain[] } },
) {
  const spec: OpSpec<UpdateAttrs<A>, N> = {
    name,
    module: 'optim',
    // a flat cut would split rows between parts, so a row-wise update runs whole
    ...(!info.rows && { split: { cut: 'flat' as const, min: info.split ?? SPLIT.UPDATE } }),
    arity,
    gradInputs: [],
    doc: info.doc,
    plan: (ins, a) => {
      const step = a !== null && 'step' in a ? a.step : 1;
      if (!((step as number) >= 1)) throw new ValueError(name, `step must be ≥ 1, got ${String(step)}`);
      const plan = planUpdate(name, ins, a === null ? [] : params(a));
      if (info.rows) plan.params = [...plan.params!, ...new Array<number>(ROW_PARAM - plan.params!.length).fill(0), rowLength(ins[0].shape)];
      return plan;
    },
    ref: {
      fwd: (h, r) => {
        const o = out(r),
          p = inp(r, 0),
          g = inp(r, 1),
          c = coefficients(h, r);
        const bufs = Array.from({ length: arity - 2 }, (_, k) => inp(r, 2 + k));
        const each = info.rows ? (f: (i: number) => void) => eachPresentRow(h, r, f) : (f: (i: number) => void) => eachElement(r, f);
        if (info.rows) h.copyWithin(o, p, p + numel(r)); // the rows left alone keep their values (OUT may be another buffer)
        each((i) => {
          const next = body(
            h[p + i],
            h[g + i],
            bufs.map((b) => h[b + i]),
            c,
          );
          bufs.forEach((b, k) => (h[b + i] = next[k]));
          h[o + i] = next[bufs.length];
        });
      },
    },
    tests: { cases: cases(info.tests.domains ?? ['any', 'any', ...new Array<Domain>(arity - 3).fill('any'), 'positive'], info.tests.attrs) },
  };
  return spec;
}

/** The param word of a row-wise update holding its row length (after the 8 coefficient words). */
const ROW_PARAM = 8;
/** Elements per row (slice along dim 0) of a tensor of this shape; a 0-d tensor is one row of one. */
const rowLength = (shape: readonly number[]) => shape.slice(1).reduce((a, b) => a * b, 1);

/** Calls `body(i)` for every element i of the rows (of P[ROW_PARAM] elements) whose gradient (IN1) has a nonzero element. */
function eachPresentRow(h: Float64Array, r: Int32Array, body: (i: number) => void): void {
  const g = inp(r, 1),
    n = numel(r),
    w = param(r, ROW_PARAM);
  for (let start = 0; w > 0 && start < n; start += w) {
    let present = false;
    for (let i = start; i < start + w && !present; i++) present = h[g + i] !== 0; // NaN counts as nonzero
    if (present) for (let i = start; i < start + w; i++) body(i);
  }
}

const adamaxUpdate = stateOp(
  'adamaxUpdate',
  4,
  adamaxParams,
  withL2((x, d, [m, u], c) => {
    const mi = c(1) * m + c(2) * d;
    const ui = Math.max(c(3) * u, Math.abs(d) + c(4));
    return [mi, ui, x - c(5) * (mi / ui)];
  }),
  {
    doc: 'Adamax step, in place on the parameter, the first moment and the infinity norm',
    tests: {
      attrs: [
        { lr: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 },
        { lr: 1e-2, beta1: 0.8, beta2: 0.9, eps: 1e-6, weightDecay: 0.1, step: 4 },
      ],
    },
  },
);

const radamUpdate = stateOp(
  'radamUpdate',
  4,
  radamParams,
  withL2((x, d, [m, v], c) => {
    const mi = c(1) * m + c(2) * d;
    const vi = c(3) * v + c(4) * d * d;
    const k = c(5);
    return [mi, vi, x - (c(7) !== 0 ? (k * mi) / (Math.sqrt(vi) + c(6)) : k * mi)];
  }),
  {
    doc: 'RAdam step (rectified once ρt > 5), in place on the parameter and both moment buffers',
    tests: {
      attrs: [
        { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 },
        { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step: 6 },
        { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0, step: 20 },
      ],
    },
  },
);

// ---- NAdam (torch/optim/nadam.py: torch ≥ 2.0's _single_tensor_nadam, torch 1.13's _multi_tensor_nadam)
//   d = g + wd·p;  μt = β1·(1 − 0.96^(tψ)/2);  Πt = Πt−1·μt  (mu_product, a float32 tensor)
//   m ← m + (1 − β1)·(d − m);  v ← β2·v + (1 − β2)·d²;  q = √v/√(1 − β2^t) + ε
//   p ← p − lr·(1 − μt)/(1 − Πt) · d/q;  p ← p − lr·μt+1/(1 − Πt·μt+1) · m/q
// torch 1.13's single-tensor path divides the second term by 1 − Πt·μt·μt+1 (μt twice), a bug
// fixed in torch 2.0 (pytorch#92699); its foreach path and later versions agree with the above.
// params: [wd, 1 − β1, β2, 1 − β2, √(1 − β2^t), ε, cg, cm], cg and cm the two (negative) step sizes.
const nadamMu = (a: NadamAttrs, t: number) => a.beta1 * (1 - 0.5 * 0.96 ** (t * a.momentumDecay));

/** Πt, PyTorch's mu_product after step t: the float32 product of Πt−1 and the float32 μt. */
export const nadamProduct = (a: NadamAttrs) => Math.fround(a.muProduct * Math.fround(nadamMu(a, a.step)));

function nadamParams(a: NadamAttrs): number[] {
  const mu = nadamMu(a, a.step),
    muNext = nadamMu(a, a.step + 1),
    product = nadamProduct(a);
  return [
    a.weightDecay,
    1 - a.beta1,
    a.beta2,
    1 - a.beta2,
    Math.sqrt(1 - a.beta2 ** a.step),
    a.eps,
    (-a.lr * (1 - mu)) / (1 - product),
    (-a.lr * muNext) / (1 - product * muNext),
  ];
}

const nadamUpdate = stateOp(
  'nadamUpdate',
  4,
  nadamParams,
  withL2((x, d, [m, v], c) => {
    const mi = m + c(1) * (d - m);
    const vi = c(2) * v + c(3) * d * d;
    const q = Math.sqrt(vi) / c(4) + c(5);
    return [mi, vi, x + (c(6) * d) / q + (c(7) * mi) / q];
  }),
  {
    doc: 'NAdam step, in place on the parameter and both moment buffers',
    tests: {
      attrs: [
        { lr: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, muProduct: 1, step: 1 },
        { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1, momentumDecay: 4e-2, muProduct: 0.3, step: 5 },
      ],
    },
  },
);

// ---- Adadelta (torch/optim/adadelta.py, _single_tensor_adadelta) --------------------------------
//   d = g + wd·p
//   s ← ρ·s + (1 − ρ)·d²                       (square_avg)
//   δ = √(a + ε) / √(s + ε) · d                (the step in the units of p: Zeiler's ratio of RMSs)
//   a ← ρ·a + (1 − ρ)·δ²                       (acc_delta)
//   p ← p − lr·δ
// params: [wd, lr, ρ, 1 − ρ, ε]
const adadeltaParams = (a: AdadeltaAttrs) => [a.weightDecay, a.lr, a.rho, 1 - a.rho, a.eps];

const adadeltaUpdate = stateOp(
  'adadeltaUpdate',
  4,
  adadeltaParams,
  withL2((x, d, [s, a], c) => {
    const si = c(2) * s + c(3) * d * d;
    const delta = (Math.sqrt(a + c(4)) / Math.sqrt(si + c(4))) * d;
    return [si, c(2) * a + c(3) * delta * delta, x - c(1) * delta];
  }),
  {
    doc: 'Adadelta step, in place on the parameter, the square average and the accumulated update',
    tests: {
      attrs: [
        { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0 },
        { lr: 0.5, rho: 0.95, eps: 1e-3, weightDecay: 0.1 },
      ],
      domains: ['any', 'any', 'positive', 'positive'],
    },
  },
);

// ---- Rprop (torch/optim/rprop.py, _single_tensor_rprop) -----------------------------------------
//   s = g·prev                                   (its sign as torch.sign: 0 for 0 and for NaN)
//   f = η+ where s > 0, η− where s < 0, else 1
//   step_size ← clamp(step_size·f, Γmin, Γmax)   (a NaN step size stays NaN, as torch.clamp)
//   d = s < 0 ? 0 : g                            (a sign flip: no move this step, and prev ← 0)
//   p ← p − sign(d)·step_size;  prev ← d
// torch 1.13 zeroes d on a clone: the parameter's gradient is left as it was. No weight decay.
// params: [η−, η+, Γmin, Γmax]. Inputs [p, g, prev, step_size].
const rpropParams = (a: RpropAttrs) => [a.etaminus, a.etaplus, a.stepSizeMin, a.stepSizeMax];
/** torch.sign: 1, −1, or 0 (for ±0 and NaN). */
const torchSign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);

const rpropUpdate = stateOp(
  'rpropUpdate',
  4,
  rpropParams,
  (x, g, [prev, size], c) => {
    const s = g * prev;
    const stepSize = Math.min(Math.max(size * (s > 0 ? c(1) : s < 0 ? c(0) : 1), c(2)), c(3));
    const d = s < 0 ? 0 : g;
    return [d, stepSize, x - torchSign(d) * stepSize];
  },
  {
    doc: 'Rprop step, in place on the parameter, the previous gradient and the step sizes',
    tests: {
      attrs: [
        { etaminus: 0.5, etaplus: 1.2, stepSizeMin: 1e-6, stepSizeMax: 50 },
        { etaminus: 0.3, etaplus: 1.5, stepSizeMin: 0.5, stepSizeMax: 1 }, // step sizes drawn in [0.2, 2]: clamped both ways
      ],
    },
  },
);

// ---- SparseAdam (torch/optim/_functional.py, sparse_adam) ---------------------------------------
// torch updates the entries its sparse gradient holds; wasmgrad's gradients are dense, so the rows
// (slices along dim 0: an embedding's rows, the entries of torch's sparse gradient of an
// Embedding(sparse=True)) whose gradient is nonzero somewhere. In them, as torch's (no weight decay):
//   m ← m + (g − m)·(1 − β1);  v ← v + (g² − v)·(1 − β2)
//   p ← p − lr·√(1 − β2^t)/(1 − β1^t) · m / (√v + ε)
// params: [1 − β1, 1 − β2, lr·√(1 − β2^t)/(1 − β1^t), ε], the row length at P[ROW_PARAM].
function sparseAdamParams(a: SparseAdamAttrs): number[] {
  const bc1 = 1 - a.beta1 ** a.step,
    bc2 = 1 - a.beta2 ** a.step;
  return [1 - a.beta1, 1 - a.beta2, (a.lr * Math.sqrt(bc2)) / bc1, a.eps];
}

const sparseAdamUpdate = stateOp(
  'sparseAdamUpdate',
  4,
  sparseAdamParams,
  (x, g, [m, v], c) => {
    const mi = (g - m) * c(0) + m;
    const vi = (g * g - v) * c(1) + v;
    return [mi, vi, x - c(2) * (mi / (Math.sqrt(vi) + c(3)))];
  },
  {
    doc: 'SparseAdam step on the rows (slices along dim 0) whose gradient is nonzero somewhere, in place on the parameter and both moment buffers',
    rows: true,
    tests: {
      attrs: [
        { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1 },
        { lr: 1e-2, beta1: 0.8, beta2: 0.99, eps: 1e-6, step: 5 },
      ],
      domains: ['any', 'mask', 'any', 'positive'], // 0/1 gradients: rows of [n] (one element each) left alone or updated
    },
  },
);

// ---- ASGD (torch/optim/asgd.py, _single_tensor_asgd) ---------------------------------------------
//   d = g + wd·p
//   p ← p·(1 − λ·η);  p ← p − η·d                (η: PyTorch's state eta, from the previous step)
//   ax ← μ ≠ 1 ? ax + (p − ax)·μ : p             (μ: state mu; averaging starts once t > t0 + 1)
// then, in optimCoefficients, η ← lr/(1 + λ·lr·t)^α and μ ← 1/max(1, t − t0), both float32 as
// PyTorch's 0-d tensors. params: [wd, 1 − λ·η, η, μ]. Inputs [p, g, ax].
const asgdParams = (a: AsgdAttrs) => [a.weightDecay, 1 - a.lambd * a.eta, a.eta, a.mu];

/** PyTorch's eta and mu after step t (float32 tensors in its state). */
function asgdNext(v: { lr: number; lambd: number; alpha: number; t0: number }, t: number): [eta: number, mu: number] {
  return [Math.fround(v.lr / (1 + v.lambd * v.lr * t) ** v.alpha), Math.fround(1 / Math.max(1, t - v.t0))];
}

const asgdUpdate = stateOp(
  'asgdUpdate',
  3,
  asgdParams,
  withL2((x, d, [ax], c) => {
    const p = x * c(1) - c(2) * d;
    return [c(3) !== 1 ? ax + (p - ax) * c(3) : p, p];
  }),
  {
    doc: 'ASGD step, in place on the parameter and its running average',
    tests: {
      attrs: [
        { weightDecay: 0, lambd: 1e-4, eta: 0.01, mu: 1 },
        { weightDecay: 0.1, lambd: 0.01, eta: 0.05, mu: 0.25 },
      ],
      domains: ['any', 'any', 'any'],
    },
  },
);

// ---- coefficients from memory (the optimizers' path) --------------------------------------------
// An optimizer keeps its hyperparameters in a float32 block (one per optimizer) and each parameter's
// counters [step, fresh, s0, s1] in another (fresh = 1: its state buffers were just made, SGD's "first
// step of the momentum buffer"; s0, s1: per-parameter scalar state, NAdam's mu_product Π, ASGD's eta
// and mu; 1 for the other kinds). Before each update, optimCoefficients advances the step and writes
// the update's coefficients into a per-parameter block, which the update reads through AUX0. The
// step, the learning rate and the rest are then memory the kernels read: `opt.lr = x`, a
// checkpoint load or a scheduler write them, and a replayed step advances them itself.
//
// Each hyperparameter is stored as a float32 pair (hi, lo) with hi + lo = the float64 value to
// ~2⁻⁴⁸ relative (hi = fround(v), lo = fround(v − hi)): the coefficients are computed in float64
// from hi + lo with the very formulas of the params path above, so they round to the same float32
// numbers as when the optimizer's float64 hyperparameters fed `plan` directly.
export interface CoefficientAttrs {
  kind: CoefficientKind;
}
export type CoefficientKind = keyof typeof COEFFICIENT_KINDS;

/** Per kind: the code in P0 and the hyperparameters of its block, in order. */
export const COEFFICIENT_KINDS = {
  sgd: { code: 0, slots: ['lr', 'weightDecay'] },
  sgdMomentum: { code: 1, slots: ['lr', 'weightDecay', 'momentum', 'dampening', 'nesterov'] },
  adam: { code: 2, slots: ['lr', 'beta1', 'beta2', 'eps', 'weightDecay'] },
  adamw: { code: 3, slots: ['lr', 'beta1', 'beta2', 'eps', 'weightDecay'] },
  rmsprop: { code: 4, slots: ['lr', 'alpha', 'eps', 'weightDecay', 'momentum'] },
  adagrad: { code: 5, slots: ['lr', 'lrDecay', 'weightDecay', 'eps'] },
  adamax: { code: 6, slots: ['lr', 'beta1', 'beta2', 'eps', 'weightDecay'] },
  radam: { code: 7, slots: ['lr', 'beta1', 'beta2', 'eps', 'weightDecay'] },
  adadelta: { code: 8, slots: ['lr', 'rho', 'eps', 'weightDecay'] },
  nadam: { code: 9, slots: ['lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'momentumDecay'] },
  // Rprop's lr only starts each step_size buffer; it sits in pair 0, where a scheduler writes every kind's lr
  rprop: { code: 10, slots: ['lr', 'etaminus', 'etaplus', 'stepSizeMin', 'stepSizeMax'] },
  asgd: { code: 11, slots: ['lr', 'lambd', 'alpha', 't0', 'weightDecay'] },
  sparseAdam: { code: 12, slots: ['lr', 'beta1', 'beta2', 'eps'] },
} as const;
const KIND_OF_CODE = Object.keys(COEFFICIENT_KINDS) as CoefficientKind[];

/** Words of a hyperparameter block (the widest kind: NAdam's 6 pairs) and of a coefficient block (Adam's 8). */
export const HYPER_WORDS = 12;
/** Words of a parameter's counters: step, fresh, and two scalar states (NAdam's mu_product; ASGD's eta and mu). */
export const COUNTER_WORDS = 4;
export const COEFFICIENT_WORDS = 8;

/** The (hi, lo) float32 pair holding v (see above). */
export function hyperPair(v: number): [number, number] {
  const hi = Math.fround(v);
  return [hi, Math.fround(v - hi)];
}

/** NAdam's attributes from hyperparameter values, the step t and Πt−1. */
const nadamAttrs = (v: Record<string, number>, step: number, muProduct: number): NadamAttrs => ({
  lr: v.lr,
  beta1: v.beta1,
  beta2: v.beta2,
  eps: v.eps,
  weightDecay: v.weightDecay,
  momentumDecay: v.momentumDecay,
  muProduct,
  step,
});

/**
 * The coefficients of `kind` from hyperparameter values, the step t (after its increment) and the
 * scalar states before it (NAdam's Πt−1; ASGD's eta and mu).
 */
function coefficientsOf(kind: CoefficientKind, v: Record<string, number>, step: number, first: boolean, [s0, s1]: readonly number[]): number[] {
  switch (kind) {
    case 'sgd':
      return sgdParams({ lr: v.lr, weightDecay: v.weightDecay }, false);
    case 'sgdMomentum':
      return sgdParams({ lr: v.lr, weightDecay: v.weightDecay, momentum: v.momentum, dampening: v.dampening, nesterov: v.nesterov !== 0, first }, true);
    case 'adam':
    case 'adamw':
      return adamParams({ lr: v.lr, beta1: v.beta1, beta2: v.beta2, eps: v.eps, weightDecay: v.weightDecay, decoupled: kind === 'adamw', step });
    case 'rmsprop':
      return rmspropParams({ lr: v.lr, alpha: v.alpha, eps: v.eps, weightDecay: v.weightDecay, momentum: v.momentum });
    case 'adagrad':
      return adagradParams({ lr: v.lr, lrDecay: v.lrDecay, weightDecay: v.weightDecay, eps: v.eps, step });
    case 'adamax':
    case 'radam':
      return (kind === 'adamax' ? adamaxParams : radamParams)({ lr: v.lr, beta1: v.beta1, beta2: v.beta2, eps: v.eps, weightDecay: v.weightDecay, step });
    case 'adadelta':
      return adadeltaParams({ lr: v.lr, rho: v.rho, eps: v.eps, weightDecay: v.weightDecay });
    case 'nadam':
      return nadamParams(nadamAttrs(v, step, s0));
    case 'rprop':
      return rpropParams({ etaminus: v.etaminus, etaplus: v.etaplus, stepSizeMin: v.stepSizeMin, stepSizeMax: v.stepSizeMax });
    case 'asgd':
      return asgdParams({ weightDecay: v.weightDecay, lambd: v.lambd, eta: s0, mu: s1 });
    case 'sparseAdam':
      return sparseAdamParams({ lr: v.lr, beta1: v.beta1, beta2: v.beta2, eps: v.eps, step });
  }
}

const optimCoefficients: OpSpec<CoefficientAttrs, 'optimCoefficients'> = {
  name: 'optimCoefficients',
  module: 'optim',
  arity: 2,
  gradInputs: [],
  doc: "An optimizer update's coefficients from [hyperparameter pairs [12], counters [4] = (step, fresh, two scalar states: NAdam's mu_product, ASGD's eta and mu)]; advances the step (and the scalar states) and clears fresh in place",
  plan: (ins, a) => {
    const [hyper, counters] = ins;
    if (hyper.shape.length !== 1 || hyper.shape[0] !== HYPER_WORDS || counters.shape.length !== 1 || counters.shape[0] !== COUNTER_WORDS)
      throw new ShapeError(
        'optimCoefficients',
        `expected a hyperparameter block [${HYPER_WORDS}] and counters [${COUNTER_WORDS}], got ${fmtShape(hyper.shape)} and ${fmtShape(counters.shape)}`,
      );
    if (!Object.hasOwn(COEFFICIENT_KINDS, a.kind))
      throw new ValueError('optimCoefficients', `kind must be one of ${KIND_OF_CODE.join(', ')}, got ${String(a.kind)}`);
    return { shape: [COEFFICIENT_WORDS], params: [COEFFICIENT_KINDS[a.kind].code] };
  },
  ref: {
    fwd: (h, r) => {
      const kind = KIND_OF_CODE[param(r, 0)],
        hyper = inp(r, 0),
        counters = inp(r, 1),
        o = out(r);
      const v: Record<string, number> = {};
      COEFFICIENT_KINDS[kind].slots.forEach((name, k) => (v[name] = h[hyper + 2 * k] + h[hyper + 2 * k + 1]));
      const step = h[counters] + 1;
      const first = h[counters + 1] !== 0;
      h[counters] = step;
      h[counters + 1] = 0;
      const before = [h[counters + 2], h[counters + 3]];
      if (kind === 'nadam') h[counters + 2] = nadamProduct(nadamAttrs(v, step, before[0]));
      if (kind === 'asgd') [h[counters + 2], h[counters + 3]] = asgdNext({ lr: v.lr, lambd: v.lambd, alpha: v.alpha, t0: v.t0 }, step);
      const c = coefficientsOf(kind, v, step, first, before);
      for (let k = 0; k < COEFFICIENT_WORDS; k++) h[o + k] = k < c.length ? Math.fround(c[k]) : 0;
    },
  },
  tests: {
    cases: KIND_OF_CODE.map((kind) => ({
      inputs: [
        { shape: [HYPER_WORDS], domain: 'unit' as const },
        { shape: [COUNTER_WORDS], domain: 'mask' as const },
      ],
      attrs: { kind },
      name: kind,
    })),
  },
};

/**
 * Writes a hyperparameter block (its 10 words travel as params): setting a hyperparameter is a
 * launch, so inside a compiled function it happens at its place in the program (`opt.lr = x` after
 * opt.step() changes the learning rate of the next step, not of this one).
 */
export interface HyperWriteAttrs {
  words: readonly number[];
}
const hyperWrite: OpSpec<HyperWriteAttrs, 'hyperWrite'> = {
  name: 'hyperWrite',
  module: 'optim',
  arity: 0,
  gradInputs: [],
  doc: `Writes an optimizer hyperparameter block [${HYPER_WORDS}] from the params`,
  plan: (_ins, a) => {
    if (a.words.length !== HYPER_WORDS) throw new ValueError('hyperWrite', `expected ${HYPER_WORDS} words, got ${a.words.length}`);
    return { shape: [HYPER_WORDS], params: a.words.map(f32bits) };
  },
  ref: {
    fwd: (h, r) => {
      for (let k = 0; k < HYPER_WORDS; k++) h[out(r) + k] = paramf(r, k);
    },
  },
  tests: { cases: [{ inputs: [], attrs: { words: [0.5, 1e-9, 0.9, -2e-9, 0.999, 0, 1e-8, 0, 0.25, 3e-9, 4e-3, -1e-10] } }] },
};

// ---- learning-rate schedules in memory (torch.optim.lr_scheduler closed forms) ---------------------
// A scheduler keeps [epoch, base, constants…] in a block (the numbers after the epoch as (hi, lo)
// pairs: pair k at words 1 + 2k, pair 0 the base learning rate) and writes the lr pair of its
// optimizer's hyperparameter block with the closed form at the epoch, in float64; `epoch` first
// moves the epoch on by 1 or back to 0. So a step of a schedule inside a compiled function is a
// record of the program, and a replay advances the schedule by running it.
export type ScheduleKind = keyof typeof SCHEDULE_KINDS;
/** Per kind: the code in P0 and what its constants (pairs 1, 2, …) are. */
export const SCHEDULE_KINDS = {
  step: { code: 0, constants: 'gamma, stepSize' },
  exponential: { code: 1, constants: 'gamma' },
  cosine: { code: 2, constants: 'tMax, etaMin' },
  warmup: { code: 3, constants: 'warmupSteps, startFactor' },
  multistep: { code: 4, constants: 'gamma, count, milestones (count of them, ≤ MAX_MILESTONES)' },
  onecycle: {
    code: 5,
    constants:
      "linear (0 = cos, 1 = linear), phases (2 or 3), phase end steps ×3, phase end-point lrs ×4, 1 + the momentum's pair in the hyperparameter block (0: not cycled), phase end-point momentums ×4",
  },
} as const;
const SCHEDULE_OF_CODE = Object.keys(SCHEDULE_KINDS) as ScheduleKind[];
/** Pairs in a schedule block after the epoch (the base and 18 constants) and its words (+1 pad). */
const SCHEDULE_PAIRS = 19;
export const SCHEDULE_WORDS = 2 + 2 * SCHEDULE_PAIRS;
/** The most milestones a MultiStepLR block holds (pairs after base, gamma and count). */
export const MAX_MILESTONES = SCHEDULE_PAIRS - 3;

/**
 * The learning rate at epoch t; c(0) is the base learning rate, c(1), c(2), … the kind's constants
 * (PyTorch's closed forms; OneCycleLR's get_lr, which has no other form).
 */
export function scheduledLr(kind: ScheduleKind, t: number, c: (k: number) => number): number {
  const base = c(0);
  switch (kind) {
    case 'step':
      return base * c(1) ** Math.floor(t / c(2));
    case 'exponential':
      return base * c(1) ** t;
    case 'cosine':
      return c(2) + ((base - c(2)) * (1 + Math.cos((Math.PI * t) / c(1)))) / 2;
    case 'warmup':
      return c(1) === 0 ? base : base * (c(2) + ((1 - c(2)) * Math.min(t, c(1))) / c(1));
    case 'multistep': {
      // gamma^(number of milestones ≤ t, duplicates counted): PyTorch's bisect_right on the sorted list
      const count = Math.min(Math.trunc(c(2)), MAX_MILESTONES);
      let n = 0;
      for (let i = 0; i < count; i++) if (c(3 + i) <= t) n++;
      return base * c(1) ** n;
    }
    case 'onecycle':
      return oneCycle(t, c, 6);
  }
}

/**
 * PyTorch's chainable get_lr, what a scheduler's step() runs: the learning rate at epoch t from the
 * group's current one, lr (so two schedules stepped on one optimizer compose, and an lr set by hand
 * is carried on). The multiplicative kinds scale lr at the epochs their closed form changes; cosine
 * moves (lr − etaMin) by the ratio of consecutive closed-form terms, and adds half a cosine step at
 * the restarts t = tMax + 1 + 2k·tMax where that ratio is 0/0. A warmup from 0 (not one of torch's:
 * its ratio would be 0/0) and OneCycleLR (torch has no other form) set the closed form.
 */
export function chainedLr(kind: ScheduleKind, t: number, lr: number, c: (k: number) => number): number {
  const mod = (a: number, n: number) => a - n * Math.floor(a / n); // Python's %, for t − 1 − tMax < 0
  switch (kind) {
    case 'step':
      return t === 0 || mod(t, c(2)) !== 0 ? lr : lr * c(1);
    case 'exponential':
      return t === 0 ? lr : lr * c(1);
    case 'cosine': {
      const [tMax, etaMin] = [c(1), c(2)];
      if (t === 0) return lr;
      if (mod(t - 1 - tMax, 2 * tMax) === 0) return lr + ((c(0) - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
      return ((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (lr - etaMin) + etaMin;
    }
    case 'warmup': {
      const [steps, start] = [c(1), c(2)];
      if (steps === 0 || start === 0) return scheduledLr(kind, t, c);
      if (t === 0) return lr * start;
      return t > steps ? lr : lr * (1 + (1 - start) / (steps * start + (t - 1) * (1 - start)));
    }
    case 'multistep': {
      // gamma to the number of milestones equal to t (a repeated one counts as often as it appears)
      const count = Math.min(Math.trunc(c(2)), MAX_MILESTONES);
      let n = 0;
      for (let i = 0; i < count; i++) if (c(3 + i) === t) n++;
      return n === 0 ? lr : lr * c(1) ** n;
    }
    case 'onecycle':
      return scheduledLr(kind, t, c);
  }
}

/**
 * OneCycleLR's anneal at epoch t between the phase end-points from pair `first` on (the lrs at 6,
 * the momentums at 11): the phase holding t (the last one past its end), then from its start value
 * to its end value by a half cosine or a line (PyTorch's get_lr).
 */
function oneCycle(t: number, c: (k: number) => number, first: number): number {
  const phases = Math.trunc(c(2)) >= 3 ? 3 : 2;
  let i = 0,
    start = 0;
  for (; i < phases - 1 && t > c(3 + i); i++) start = c(3 + i);
  const pct = (t - start) / (c(3 + i) - start),
    from = c(first + i),
    to = c(first + 1 + i);
  return c(1) !== 0 ? (to - from) * pct + from : to + ((from - to) / 2) * (Math.cos(Math.PI * pct) + 1);
}

/**
 * OneCycleLR's momentum at epoch t and the pair of the hyperparameter block it goes to, or null
 * when the schedule does not cycle it (every other kind, and cycleMomentum: false).
 */
export function scheduledMomentum(kind: ScheduleKind, t: number, c: (k: number) => number): { pair: number; value: number } | null {
  if (kind !== 'onecycle') return null;
  const slot = c(10); // a pair of the block, whatever the words hold
  return slot >= 1 && slot < HYPER_WORDS / 2 + 1 ? { pair: Math.trunc(slot) - 1, value: oneCycle(t, c, 11) } : null;
}

/** A schedule block's words: [epoch, base, constants as (hi, lo) pairs, zeros]. */
export function scheduleWords(epoch: number, base: number, constants: readonly number[]): number[] {
  const words = [epoch, ...hyperPair(base), ...constants.flatMap(hyperPair)];
  return [...words, ...new Array<number>(SCHEDULE_WORDS - words.length).fill(0)];
}

/** How a launch of lrSchedule moves the epoch before writing the learning rate (code in P1). */
const EPOCH_MOVES = { restart: 0, chain: 1 } as const;

export interface ScheduleAttrs {
  kind: ScheduleKind;
  /**
   * restart: the epoch set to 0 and the closed form's lr written (SequentialLR's restart of a child,
   * PyTorch's step(0)); chain: the epoch moved on by 1 and chainedLr written from the block's lr
   * (PyTorch's step(): a scheduler's every step, and its first at construction from epoch −1).
   */
  epoch: keyof typeof EPOCH_MOVES;
}

const lrSchedule: OpSpec<ScheduleAttrs, 'lrSchedule'> = {
  name: 'lrSchedule',
  module: 'optim',
  arity: 2,
  gradInputs: [],
  doc: `[schedule [${SCHEDULE_WORDS}] = (epoch, base, constants), hyperparameters [${HYPER_WORDS}]] → the hyperparameters with the lr pair (OneCycleLR: and the momentum pair) of the schedule's epoch (run in place on the optimizer's block); epoch: restart (epoch 0, the closed form) or chain (the next epoch, torch's chainable form from the block's lr)`,
  plan: (ins, a) => {
    const [sched, hyper] = ins;
    if (sched.shape.length !== 1 || sched.shape[0] !== SCHEDULE_WORDS || hyper.shape.length !== 1 || hyper.shape[0] !== HYPER_WORDS)
      throw new ShapeError(
        'lrSchedule',
        `expected a schedule block [${SCHEDULE_WORDS}] and a hyperparameter block [${HYPER_WORDS}], got ${fmtShape(sched.shape)} and ${fmtShape(hyper.shape)}`,
      );
    if (!Object.hasOwn(SCHEDULE_KINDS, a.kind)) throw new ValueError('lrSchedule', `kind must be one of ${SCHEDULE_OF_CODE.join(', ')}, got ${String(a.kind)}`);
    if (!Object.hasOwn(EPOCH_MOVES, a.epoch))
      throw new ValueError('lrSchedule', `epoch must be one of ${Object.keys(EPOCH_MOVES).join(', ')}, got ${String(a.epoch)}`);
    return { shape: [HYPER_WORDS], params: [SCHEDULE_KINDS[a.kind].code, EPOCH_MOVES[a.epoch]] };
  },
  ref: {
    fwd: (h, r) => {
      const st = inp(r, 0),
        o = out(r);
      h.copyWithin(o, inp(r, 1), inp(r, 1) + HYPER_WORDS);
      const chain = param(r, 1) === EPOCH_MOVES.chain,
        kind = SCHEDULE_OF_CODE[param(r, 0)];
      h[st] = chain ? h[st] + 1 : 0;
      const c = (k: number) => h[st + 1 + 2 * k] + h[st + 2 + 2 * k];
      const [hi, lo] = hyperPair(chain ? chainedLr(kind, h[st], h[o] + h[o + 1], c) : scheduledLr(kind, h[st], c));
      h[o] = hi;
      h[o + 1] = lo;
      const m = scheduledMomentum(kind, h[st], c);
      if (m !== null) [h[o + 2 * m.pair], h[o + 2 * m.pair + 1]] = hyperPair(m.value);
    },
  },
  tests: {
    cases: SCHEDULE_OF_CODE.flatMap((kind) =>
      (Object.keys(EPOCH_MOVES) as ScheduleAttrs['epoch'][]).map((epoch) => ({
        inputs: [{ shape: [SCHEDULE_WORDS], domain: [1, 3] as [number, number] }, { shape: [HYPER_WORDS] }],
        attrs: { kind, epoch },
        name: `${kind} epoch ${epoch}`,
      })),
    ),
  },
};

// ---- gradient clipping helpers (torch/nn/utils/clip_grad.py) ------------------------------------
/** Σ x² of one tensor, into a 0-d output. The output has one element, so the input's length
 *  travels in P0. WASM accumulates in float64 (f64x2), so the norm of a large gradient does not
 *  lose its small elements. */
const gradSumSquares: OpSpec<any, 'gradSumSquares'> = {
  name: 'gradSumSquares',
  module: 'optim',
  arity: 1,
  gradInputs: [],
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
  name: 'gradScale',
  module: 'optim',
  split: { cut: 'flat', min: SPLIT.MAP },
  arity: 1,
  gradInputs: [],
  doc: 'factor · x; in place on x through applyUpdate (gradient clipping)',
  plan: (ins, a) => planUpdate('gradScale', ins, [a.factor]),
  ref: {
    fwd: (h, r) => {
      const o = out(r),
        x = inp(r, 0),
        c = paramf(r, 0);
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
  name: 'batchNormStatsUpdate',
  module: 'norm',
  arity: 4,
  inputDtypes: ['float32', 'float32', 'int32', 'float32'],
  gradInputs: [],
  doc: 'BatchNorm running statistics in place: [runningMean [C], runningVar [C], numBatchesTracked [] int32, batch [2, C] = (mean; biased var)]; an empty batch (count 0) is only counted',
  plan: (ins, a) => {
    const [rm, rv, nbt, stats] = ins,
      c = rm.shape.reduce((x, y) => x * y, 1);
    const ok =
      rm.shape.length === 1 &&
      rv.shape.length === 1 &&
      rv.shape[0] === c &&
      nbt.shape.length === 0 &&
      stats.shape.length === 2 &&
      stats.shape[0] === 2 &&
      stats.shape[1] === c;
    if (!ok)
      throw new ShapeError(
        'batchNormStatsUpdate',
        `expected running stats [C], [C], a 0-d count and batch stats [2, C], got ${ins.map((t) => fmtShape(t.shape)).join(', ')}`,
      );
    // count 0: an empty batch (PyTorch allows N = 0), which is counted but leaves the averages alone.
    if (!(Number.isInteger(a.count) && (a.count > 1 || a.count === 0)))
      throw new ValueError('batchNormStatsUpdate', `count must be 0 or an integer > 1, got ${a.count}`);
    // P0: 1 = cumulative (the kernel derives f from the count), P1: count, P2..4: 1 − f, f, f·n/(n − 1)
    const f = a.momentum ?? 0,
      n = a.count;
    return { shape: [c], params: [a.momentum === null ? 1 : 0, n, ...[1 - f, f, (f * n) / (n - 1)].map(f32bits)] };
  },
  ref: {
    fwd: (h, r) => {
      const rm = inp(r, 0),
        rv = inp(r, 1),
        nbt = inp(r, 2),
        st = inp(r, 3),
        o = out(r),
        c = numel(r);
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
    cases: [1, 3, 5, 17]
      .flatMap((c) =>
        [0.1, null].map((momentum) => ({
          inputs: [
            { shape: [c] },
            { shape: [c], domain: 'positive' as const },
            { shape: [], dtype: 'int32' as const, int: [0, 5] as [number, number] },
            { shape: [2, c], domain: 'positive' as const },
          ],
          attrs: { momentum, count: 7 },
          name: `[${c}] momentum ${momentum}`,
        })),
      )
      .concat([
        {
          inputs: [{ shape: [3] }, { shape: [3], domain: 'positive' }, { shape: [], dtype: 'int32', int: [0, 5] }, { shape: [2, 3], domain: 'positive' }],
          attrs: { momentum: null, count: 0 },
          name: '[3] empty batch (count 0)',
        },
      ]),
  },
};

export const OPTIM_OPS = defineOps(
  sgdUpdate,
  sgdMomentumUpdate,
  adamUpdate,
  adamAmsgradUpdate,
  rmspropUpdate,
  rmspropMomentumUpdate,
  rmspropCenteredUpdate,
  rmspropCenteredMomentumUpdate,
  adagradUpdate,
  adamaxUpdate,
  radamUpdate,
  adadeltaUpdate,
  nadamUpdate,
  gradSumSquares,
  gradScale,
  batchNormStatsUpdate,
  optimCoefficients,
  hyperWrite,
  lrSchedule,
  rpropUpdate,
  asgdUpdate,
  sparseAdamUpdate,
);
