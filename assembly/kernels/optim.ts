// Optimizer update kernels (formulas and parameter layouts: src/ops/optim.ts).
//
// Each update reads [param, grad, state...] from IN0.., writes the new parameter to OUT and its
// state buffers in place. Its float32 coefficients are its record params, or the block AUX0 points
// to when set (the optimizers' path: optimCoefficients below fills that block from memory). Run by the optimizers, OUT is IN0 (in-place step); every element's values
// are all loaded before any is stored, so that aliasing is safe.
//
// The math of each update is written once, in a "lanes" function generic over the lane type
// (assembly/simd.ts): the main loop runs it on f32x4 (SIMD builds), the tail on single floats (the
// whole range in the scalar build). Float params are read once, outside the loops; their splats are
// loop-invariant and hoisted. Products added to something go through l.madd (one FMA in the relaxed
// build). `hasBuf`, `nesterov`, `amsgrad` and `centered` are compile-time constants at every call site: after inlining, the
// optimizer folds the branches away.
import { AUX, field, IN, inIndex, numel, OUT, P, param, paramf, ptr } from '../record';
import { Lane1, Lane4 } from '../simd';

/** Byte address of an update's coefficients: the AUX0 block, else the record's params. */
@inline function coefficients(rec: usize): usize {
  return field(rec, AUX) != 0 ? ptr(rec, AUX) : rec + (<usize>P << 2);
}

/** Coefficient k at byte address c. */
@inline function cf(c: usize, k: i32): f32 {
  return load<f32>(c + (<usize>k << 2));
}

// ---- SGD: params [lr, wd, bufDecay, gradWeight, nesterov, momentum] ------------------------------
//   d = g + wd·p;  buf = bufDecay·buf + gradWeight·d;  d = nesterov ? d + momentum·buf : buf;  p −= lr·d
@inline function sgdLanes<L, V>(
  o: usize, p: usize, g: usize, b: usize, j: usize,
  lr: f32, wd: f32, bufDecay: f32, gradWeight: f32, momentum: f32,
  hasBuf: bool, nesterov: bool,
): void {
  const l = changetype<L>(0);
  const x = l.load(p + j);
  let d = l.madd(l.splat(wd), x, l.load(g + j));
  if (hasBuf) {
    const buf = l.madd(l.splat(bufDecay), l.load(b + j), l.mul(l.splat(gradWeight), d));
    l.store(b + j, buf);
    d = nesterov ? l.madd(l.splat(momentum), buf, d) : buf;
  }
  l.store(o + j, l.sub(x, l.mul(l.splat(lr), d)));
}

@inline function sgd(rec: usize, hasBuf: bool, nesterov: bool): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1);
  const b: usize = hasBuf ? ptr(rec, IN + 2) : 0;
  const c = coefficients(rec);
  const lr = cf(c, 0), wd = cf(c, 1);
  const bufDecay: f32 = hasBuf ? cf(c, 2) : 0;
  const gradWeight: f32 = hasBuf ? cf(c, 3) : 0;
  const momentum: f32 = hasBuf ? cf(c, 5) : 0;
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) sgdLanes<Lane4, v128>(o, p, g, b, <usize>i << 2, lr, wd, bufDecay, gradWeight, momentum, hasBuf, nesterov);
  for (; i < n; i++) sgdLanes<Lane1, f32>(o, p, g, b, <usize>i << 2, lr, wd, bufDecay, gradWeight, momentum, hasBuf, nesterov);
}

export function f32_sgd_update_fwd(rec: usize): void {
  sgd(rec, false, false);
}
export function f32_sgd_momentum_update_fwd(rec: usize): void {
  if (cf(coefficients(rec), 4) != 0) sgd(rec, true, true);
  else sgd(rec, true, false);
}

// ---- Adam / AdamW: params [l2, decay, 1−β1, β2, 1−β2, stepSize, √bc2, ε] ----------------------------
//   d = g + l2·p;  m += (1−β1)(d − m);  v = β2·v + (1−β2)·d²;  p = p·decay − stepSize·m / (√v/√bc2 + ε)
//   amsgrad: vmax = max(vmax, v) (NaN wins, as torch.maximum), which replaces v in the denominator
@inline function adamLanes<L, V>(
  o: usize, p: usize, g: usize, m: usize, v: usize, vmax: usize, j: usize,
  l2: f32, decay: f32, omb1: f32, b2: f32, omb2: f32, stepSize: f32, bc2sqrt: f32, eps: f32,
  amsgrad: bool,
): void {
  const l = changetype<L>(0);
  const x = l.load(p + j);
  const d = l.madd(l.splat(l2), x, l.load(g + j));
  const m0 = l.load(m + j);
  const mi = l.madd(l.splat(omb1), l.sub(d, m0), m0);
  let vi = l.madd(l.splat(b2), l.load(v + j), l.mul(l.mul(l.splat(omb2), d), d));
  l.store(m + j, mi);
  l.store(v + j, vi);
  if (amsgrad) {
    vi = l.max(l.load(vmax + j), vi);
    l.store(vmax + j, vi);
  }
  const denom = l.add(l.div(l.sqrt(vi), l.splat(bc2sqrt)), l.splat(eps));
  l.store(o + j, l.sub(l.mul(x, l.splat(decay)), l.div(l.mul(l.splat(stepSize), mi), denom)));
}

@inline function adam(rec: usize, amsgrad: bool): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), m = ptr(rec, IN + 2), v = ptr(rec, IN + 3);
  const vmax: usize = amsgrad ? ptr(rec, inIndex(4)) : 0;
  const c = coefficients(rec);
  const l2 = cf(c, 0), decay = cf(c, 1), omb1 = cf(c, 2), b2 = cf(c, 3), omb2 = cf(c, 4);
  const stepSize = cf(c, 5), bc2sqrt = cf(c, 6), eps = cf(c, 7);
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) adamLanes<Lane4, v128>(o, p, g, m, v, vmax, <usize>i << 2, l2, decay, omb1, b2, omb2, stepSize, bc2sqrt, eps, amsgrad);
  for (; i < n; i++) adamLanes<Lane1, f32>(o, p, g, m, v, vmax, <usize>i << 2, l2, decay, omb1, b2, omb2, stepSize, bc2sqrt, eps, amsgrad);
}

export function f32_adam_update_fwd(rec: usize): void {
  adam(rec, false);
}
export function f32_adam_amsgrad_update_fwd(rec: usize): void {
  adam(rec, true);
}

// ---- RMSprop: params [lr, wd, α, 1−α, ε, momentum]; inputs [p, g, s, buf (momentum), ḡ (centered)] ----
//   d = g + wd·p;  s = α·s + (1−α)·d²;  step = d / (√s + ε)
//   centered: ḡ = α·ḡ + (1−α)·d and step = d / (√(s − ḡ·ḡ) + ε)  (torch: square_avg.addcmul(ḡ, ḡ, value=-1))
//   momentum: buf = momentum·buf + step, p −= lr·buf;  otherwise p −= lr·step
@inline function rmspropLanes<L, V>(
  o: usize, p: usize, g: usize, s: usize, b: usize, ga: usize, j: usize,
  lr: f32, wd: f32, alpha: f32, oma: f32, eps: f32, momentum: f32,
  hasBuf: bool, centered: bool,
): void {
  const l = changetype<L>(0);
  const x = l.load(p + j);
  const d = l.madd(l.splat(wd), x, l.load(g + j));
  const si = l.madd(l.splat(alpha), l.load(s + j), l.mul(l.mul(l.splat(oma), d), d));
  l.store(s + j, si);
  let variance = si;
  if (centered) {
    const gi = l.madd(l.splat(alpha), l.load(ga + j), l.mul(l.splat(oma), d));
    l.store(ga + j, gi);
    variance = l.madd(l.neg(gi), gi, si);
  }
  let step = l.div(d, l.add(l.sqrt(variance), l.splat(eps)));
  if (hasBuf) {
    step = l.madd(l.splat(momentum), l.load(b + j), step);
    l.store(b + j, step);
  }
  l.store(o + j, l.sub(x, l.mul(l.splat(lr), step)));
}

@inline function rmsprop(rec: usize, hasBuf: bool, centered: bool): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), s = ptr(rec, IN + 2);
  const b: usize = hasBuf ? ptr(rec, IN + 3) : 0;
  const ga: usize = centered ? ptr(rec, inIndex(hasBuf ? 4 : 3)) : 0;
  const c = coefficients(rec);
  const lr = cf(c, 0), wd = cf(c, 1), alpha = cf(c, 2), oma = cf(c, 3), eps = cf(c, 4), momentum = cf(c, 5);
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) rmspropLanes<Lane4, v128>(o, p, g, s, b, ga, <usize>i << 2, lr, wd, alpha, oma, eps, momentum, hasBuf, centered);
  for (; i < n; i++) rmspropLanes<Lane1, f32>(o, p, g, s, b, ga, <usize>i << 2, lr, wd, alpha, oma, eps, momentum, hasBuf, centered);
}

export function f32_rmsprop_update_fwd(rec: usize): void {
  rmsprop(rec, false, false);
}
export function f32_rmsprop_momentum_update_fwd(rec: usize): void {
  rmsprop(rec, true, false);
}
export function f32_rmsprop_centered_update_fwd(rec: usize): void {
  rmsprop(rec, false, true);
}
export function f32_rmsprop_centered_momentum_update_fwd(rec: usize): void {
  rmsprop(rec, true, true);
}

// ---- Adagrad: params [clr, wd, ε] ----------------------------------------------------------------
//   d = g + wd·p;  sum += d²;  p −= clr·d / (√sum + ε)
@inline function adagradLanes<L, V>(o: usize, p: usize, g: usize, s: usize, j: usize, clr: f32, wd: f32, eps: f32): void {
  const l = changetype<L>(0);
  const x = l.load(p + j);
  const d = l.madd(l.splat(wd), x, l.load(g + j));
  const si = l.madd(d, d, l.load(s + j));
  l.store(s + j, si);
  l.store(o + j, l.sub(x, l.div(l.mul(l.splat(clr), d), l.add(l.sqrt(si), l.splat(eps)))));
}

export function f32_adagrad_update_fwd(rec: usize): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), s = ptr(rec, IN + 2);
  const c = coefficients(rec);
  const clr = cf(c, 0), wd = cf(c, 1), eps = cf(c, 2);
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) adagradLanes<Lane4, v128>(o, p, g, s, <usize>i << 2, clr, wd, eps);
  for (; i < n; i++) adagradLanes<Lane1, f32>(o, p, g, s, <usize>i << 2, clr, wd, eps);
}

// ---- Adamax: params [wd, β1, 1−β1, β2, ε, clr] ----------------------------------------------------
//   d = g + wd·p;  m = β1·m + (1−β1)·d;  u = max(β2·u, |d| + ε) (NaN wins, as torch.amax);  p −= clr·(m/u)
@inline function adamaxLanes<L, V>(o: usize, p: usize, g: usize, m: usize, u: usize, j: usize, wd: f32, b1: f32, omb1: f32, b2: f32, eps: f32, clr: f32): void {
  const l = changetype<L>(0);
  const x = l.load(p + j);
  const d = l.madd(l.splat(wd), x, l.load(g + j));
  const mi = l.madd(l.splat(b1), l.load(m + j), l.mul(l.splat(omb1), d));
  const ui = l.max(l.mul(l.splat(b2), l.load(u + j)), l.add(l.abs(d), l.splat(eps)));
  l.store(m + j, mi);
  l.store(u + j, ui);
  l.store(o + j, l.sub(x, l.mul(l.splat(clr), l.div(mi, ui))));
}

export function f32_adamax_update_fwd(rec: usize): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), m = ptr(rec, IN + 2), u = ptr(rec, IN + 3);
  const c = coefficients(rec);
  const wd = cf(c, 0), b1 = cf(c, 1), omb1 = cf(c, 2), b2 = cf(c, 3), eps = cf(c, 4), clr = cf(c, 5);
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) adamaxLanes<Lane4, v128>(o, p, g, m, u, <usize>i << 2, wd, b1, omb1, b2, eps, clr);
  for (; i < n; i++) adamaxLanes<Lane1, f32>(o, p, g, m, u, <usize>i << 2, wd, b1, omb1, b2, eps, clr);
}

// ---- RAdam: params [wd, β1, 1−β1, β2, 1−β2, k, ε, rectified] ----------------------------------------
//   d = g + wd·p;  m = β1·m + (1−β1)·d;  v = β2·v + (1−β2)·d²
//   rectified: p −= k·m / (√v + ε);  otherwise p −= k·m   (k folds lr, 1/(1 − β1^t) and the rectification)
@inline function radamLanes<L, V>(
  o: usize, p: usize, g: usize, m: usize, v: usize, j: usize,
  wd: f32, b1: f32, omb1: f32, b2: f32, omb2: f32, k: f32, eps: f32,
  rectified: bool,
): void {
  const l = changetype<L>(0);
  const x = l.load(p + j);
  const d = l.madd(l.splat(wd), x, l.load(g + j));
  const mi = l.madd(l.splat(b1), l.load(m + j), l.mul(l.splat(omb1), d));
  const vi = l.madd(l.splat(b2), l.load(v + j), l.mul(l.mul(l.splat(omb2), d), d));
  l.store(m + j, mi);
  l.store(v + j, vi);
  const step = l.mul(l.splat(k), mi);
  l.store(o + j, l.sub(x, rectified ? l.div(step, l.add(l.sqrt(vi), l.splat(eps))) : step));
}

@inline function radam(rec: usize, rectified: bool): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), m = ptr(rec, IN + 2), v = ptr(rec, IN + 3);
  const c = coefficients(rec);
  const wd = cf(c, 0), b1 = cf(c, 1), omb1 = cf(c, 2), b2 = cf(c, 3), omb2 = cf(c, 4), k = cf(c, 5), eps = cf(c, 6);
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) radamLanes<Lane4, v128>(o, p, g, m, v, <usize>i << 2, wd, b1, omb1, b2, omb2, k, eps, rectified);
  for (; i < n; i++) radamLanes<Lane1, f32>(o, p, g, m, v, <usize>i << 2, wd, b1, omb1, b2, omb2, k, eps, rectified);
}

export function f32_radam_update_fwd(rec: usize): void {
  if (cf(coefficients(rec), 7) != 0) radam(rec, true);
  else radam(rec, false);
}

// ---- Adadelta: params [wd, lr, ρ, 1−ρ, ε] ----------------------------------------------------------
//   d = g + wd·p;  s = ρ·s + (1−ρ)·d²;  δ = √(a + ε) / √(s + ε) · d;  a = ρ·a + (1−ρ)·δ²;  p −= lr·δ
@inline function adadeltaLanes<L, V>(o: usize, p: usize, g: usize, s: usize, a: usize, j: usize, lr: f32, wd: f32, rho: f32, omr: f32, eps: f32): void {
  const l = changetype<L>(0);
  const x = l.load(p + j);
  const d = l.madd(l.splat(wd), x, l.load(g + j));
  const si = l.madd(l.splat(rho), l.load(s + j), l.mul(l.mul(l.splat(omr), d), d));
  const a0 = l.load(a + j);
  const delta = l.mul(l.div(l.sqrt(l.add(a0, l.splat(eps))), l.sqrt(l.add(si, l.splat(eps)))), d);
  l.store(s + j, si);
  l.store(a + j, l.madd(l.splat(rho), a0, l.mul(l.mul(l.splat(omr), delta), delta)));
  l.store(o + j, l.sub(x, l.mul(l.splat(lr), delta)));
}

export function f32_adadelta_update_fwd(rec: usize): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), s = ptr(rec, IN + 2), a = ptr(rec, IN + 3);
  const c = coefficients(rec);
  const wd = cf(c, 0), lr = cf(c, 1), rho = cf(c, 2), omr = cf(c, 3), eps = cf(c, 4);
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) adadeltaLanes<Lane4, v128>(o, p, g, s, a, <usize>i << 2, lr, wd, rho, omr, eps);
  for (; i < n; i++) adadeltaLanes<Lane1, f32>(o, p, g, s, a, <usize>i << 2, lr, wd, rho, omr, eps);
}

// ---- NAdam: params [wd, 1−β1, β2, 1−β2, √bc2, ε, cg, cm] ------------------------------------------
//   d = g + wd·p;  m += (1−β1)(d − m);  v = β2·v + (1−β2)·d²;  q = √v/√bc2 + ε
//   p += cg·d / q;  p += cm·m / q   (two addcdiv, rounded in turn; cg, cm < 0 fold lr and the μ products)
@inline function nadamLanes<L, V>(
  o: usize, p: usize, g: usize, m: usize, v: usize, j: usize,
  wd: f32, omb1: f32, b2: f32, omb2: f32, bc2sqrt: f32, eps: f32, cg: f32, cm: f32,
): void {
  const l = changetype<L>(0);
  const x = l.load(p + j);
  const d = l.madd(l.splat(wd), x, l.load(g + j));
  const m0 = l.load(m + j);
  const mi = l.madd(l.splat(omb1), l.sub(d, m0), m0);
  const vi = l.madd(l.splat(b2), l.load(v + j), l.mul(l.mul(l.splat(omb2), d), d));
  l.store(m + j, mi);
  l.store(v + j, vi);
  const q = l.add(l.div(l.sqrt(vi), l.splat(bc2sqrt)), l.splat(eps));
  l.store(o + j, l.add(l.add(x, l.div(l.mul(l.splat(cg), d), q)), l.div(l.mul(l.splat(cm), mi), q)));
}

export function f32_nadam_update_fwd(rec: usize): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), m = ptr(rec, IN + 2), v = ptr(rec, IN + 3);
  const c = coefficients(rec);
  const wd = cf(c, 0), omb1 = cf(c, 1), b2 = cf(c, 2), omb2 = cf(c, 3), bc2sqrt = cf(c, 4), eps = cf(c, 5), cg = cf(c, 6), cm = cf(c, 7);
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) nadamLanes<Lane4, v128>(o, p, g, m, v, <usize>i << 2, wd, omb1, b2, omb2, bc2sqrt, eps, cg, cm);
  for (; i < n; i++) nadamLanes<Lane1, f32>(o, p, g, m, v, <usize>i << 2, wd, omb1, b2, omb2, bc2sqrt, eps, cg, cm);
}

// ---- Rprop: params [η−, η+, Γmin, Γmax]; inputs [p, g, prev, step_size] -------------------------------
//   s = g·prev;  f = η+ (s > 0), η− (s < 0), 1 (else: 0 or NaN, torch.sign's 0)
//   step_size = min(max(step_size·f, Γmin), Γmax)  (NaN stays NaN, as torch.clamp)
//   d = s < 0 ? 0 : g;  p −= sign(d)·step_size (sign of NaN: 0);  prev = d
@inline function rpropLanes<L, V>(o: usize, p: usize, g: usize, prev: usize, ss: usize, j: usize, em: f32, ep: f32, lo: f32, hi: f32): void {
  const l = changetype<L>(0);
  const x = l.load(p + j);
  const d = l.load(g + j);
  const zero = l.splat(0);
  const s = l.mul(d, l.load(prev + j));
  const flip = l.lt(s, zero);
  const f = l.select(l.lt(zero, s), l.splat(ep), l.select(flip, l.splat(em), l.splat(1)));
  const size = l.min(l.max(l.mul(l.load(ss + j), f), l.splat(lo)), l.splat(hi));
  const kept = l.select(flip, zero, d);
  l.store(ss + j, size);
  l.store(prev + j, kept);
  l.store(o + j, l.sub(x, l.mul(l.sign(kept), size)));
}

export function f32_rprop_update_fwd(rec: usize): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), prev = ptr(rec, IN + 2), ss = ptr(rec, IN + 3);
  const c = coefficients(rec);
  const em = cf(c, 0), ep = cf(c, 1), lo = cf(c, 2), hi = cf(c, 3);
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) rpropLanes<Lane4, v128>(o, p, g, prev, ss, <usize>i << 2, em, ep, lo, hi);
  for (; i < n; i++) rpropLanes<Lane1, f32>(o, p, g, prev, ss, <usize>i << 2, em, ep, lo, hi);
}

// ---- ASGD: params [wd, 1 − λη, η, μ]; inputs [p, g, ax] ---------------------------------------------
//   d = g + wd·p;  p = p·(1 − λη) − η·d;  averaging (μ ≠ 1): ax += (p − ax)·μ, else ax = p
@inline function asgdLanes<L, V>(o: usize, p: usize, g: usize, ax: usize, j: usize, wd: f32, decay: f32, eta: f32, mu: f32, averaging: bool): void {
  const l = changetype<L>(0);
  const x0 = l.load(p + j);
  const d = l.madd(l.splat(wd), x0, l.load(g + j));
  const x = l.madd(l.splat(-eta), d, l.mul(x0, l.splat(decay)));
  if (averaging) {
    const a = l.load(ax + j);
    l.store(ax + j, l.add(a, l.mul(l.sub(x, a), l.splat(mu))));
  } else l.store(ax + j, x);
  l.store(o + j, x);
}

@inline function asgd(rec: usize, averaging: bool): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), ax = ptr(rec, IN + 2);
  const c = coefficients(rec);
  const wd = cf(c, 0), decay = cf(c, 1), eta = cf(c, 2), mu = cf(c, 3);
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) asgdLanes<Lane4, v128>(o, p, g, ax, <usize>i << 2, wd, decay, eta, mu, averaging);
  for (; i < n; i++) asgdLanes<Lane1, f32>(o, p, g, ax, <usize>i << 2, wd, decay, eta, mu, averaging);
}

export function f32_asgd_update_fwd(rec: usize): void {
  if (cf(coefficients(rec), 3) != 1) asgd(rec, true);
  else asgd(rec, false);
}

// ---- SparseAdam: params [1−β1, 1−β2, k, ε], P8 the row length w; inputs [p, g, m, v] ------------------
// Rows of w elements whose gradient is all zero are left alone (OUT gets p); in the others
//   m += (g − m)·(1−β1);  v += (g² − v)·(1−β2);  p −= k·m / (√v + ε)
@inline function sparseAdamLanes<L, V>(o: usize, p: usize, g: usize, m: usize, v: usize, j: usize, omb1: f32, omb2: f32, k: f32, eps: f32): void {
  const l = changetype<L>(0);
  const x = l.load(p + j);
  const d = l.load(g + j);
  const m0 = l.load(m + j), v0 = l.load(v + j);
  const mi = l.madd(l.sub(d, m0), l.splat(omb1), m0);
  const vi = l.madd(l.sub(l.mul(d, d), v0), l.splat(omb2), v0);
  l.store(m + j, mi);
  l.store(v + j, vi);
  l.store(o + j, l.sub(x, l.mul(l.splat(k), l.div(mi, l.add(l.sqrt(vi), l.splat(eps))))));
}

// Whether w floats at g hold a nonzero (NaN counts: it is not equal to 0).
function anyNonzero(g: usize, w: i32): bool {
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= w; i += 4) if (v128.any_true(f32x4.ne(v128.load(g + (<usize>i << 2)), f32x4.splat(0)))) return true;
  for (; i < w; i++) if (load<f32>(g + (<usize>i << 2)) != 0) return true;
  return false;
}

export function f32_sparse_adam_update_fwd(rec: usize): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), m = ptr(rec, IN + 2), v = ptr(rec, IN + 3);
  const c = coefficients(rec);
  const omb1 = cf(c, 0), omb2 = cf(c, 1), k = cf(c, 2), eps = cf(c, 3);
  const n = numel(rec), w = param(rec, 8);
  if (w <= 0) return;
  for (let start = 0; start < n; start += w) {
    const row = <usize>start << 2, end = start + w;
    if (!anyNonzero(g + row, w)) {
      if (o != p) memory.copy(o + row, p + row, <usize>w << 2);
      continue;
    }
    let i = start;
    if (ASC_FEATURE_SIMD) for (; i + 4 <= end; i += 4) sparseAdamLanes<Lane4, v128>(o, p, g, m, v, <usize>i << 2, omb1, omb2, k, eps);
    for (; i < end; i++) sparseAdamLanes<Lane1, f32>(o, p, g, m, v, <usize>i << 2, omb1, omb2, k, eps);
  }
}

// ---- coefficients from memory (src/ops/optim.ts optimCoefficients) --------------------------------
// IN0: hyperparameters as float32 (hi, lo) pairs, value = hi + lo in float64; IN1: counters
// [step, fresh, two scalar states (NAdam's μ product; ASGD's η and μ)]; OUT: the update's coefficients, computed in float64 with the formulas of the TS
// params path (same operations in the same order) and rounded to float32 once. P0: the kind.

/** Hyperparameter k of the block at h, in float64. */
@inline function hyper(h: usize, k: i32): f64 {
  return <f64>load<f32>(h + (<usize>k << 3)) + <f64>load<f32>(h + (<usize>k << 3) + 4);
}

export function f32_optim_coefficients_fwd(rec: usize): void {
  const h = ptr(rec, IN), counters = ptr(rec, IN + 1), o = ptr(rec, OUT);
  const t = <f64>load<f32>(counters) + 1;
  const first = load<f32>(counters + 4) != 0;
  store<f32>(counters, <f32>t);
  store<f32>(counters + 4, 0);
  for (let k = 0; k < 8; k++) store<f32>(o + (<usize>k << 2), 0);
  const kind = param(rec, 0);
  if (kind <= 1) {
    // SGD [lr, wd] / momentum [lr, wd, bufDecay, gradWeight, nesterov, momentum]; slots lr, wd, momentum, dampening, nesterov
    store<f32>(o, <f32>hyper(h, 0));
    store<f32>(o + 4, <f32>hyper(h, 1));
    if (kind == 1) {
      const m = hyper(h, 2);
      store<f32>(o + 8, first ? 0 : <f32>m);
      store<f32>(o + 12, first ? 1 : <f32>(1 - hyper(h, 3)));
      store<f32>(o + 16, hyper(h, 4) != 0 ? 1 : 0);
      store<f32>(o + 20, <f32>m);
    }
  } else if (kind <= 3) {
    // Adam / AdamW: slots lr, β1, β2, ε, wd → [l2, decay, 1 − β1, β2, 1 − β2, lr/(1 − β1^t), √(1 − β2^t), ε]
    const lr = hyper(h, 0), b1 = hyper(h, 1), b2 = hyper(h, 2), eps = hyper(h, 3), wd = hyper(h, 4);
    const decoupled = kind == 3;
    store<f32>(o, decoupled ? 0 : <f32>wd);
    store<f32>(o + 4, decoupled ? <f32>(1 - lr * wd) : 1);
    store<f32>(o + 8, <f32>(1 - b1));
    store<f32>(o + 12, <f32>b2);
    store<f32>(o + 16, <f32>(1 - b2));
    store<f32>(o + 20, <f32>(lr / (1 - Math.pow(b1, t))));
    store<f32>(o + 24, <f32>Math.sqrt(1 - Math.pow(b2, t)));
    store<f32>(o + 28, <f32>eps);
  } else if (kind == 4) {
    // RMSprop: slots lr, α, ε, wd, momentum → [lr, wd, α, 1 − α, ε, momentum]
    const alpha = hyper(h, 1);
    store<f32>(o, <f32>hyper(h, 0));
    store<f32>(o + 4, <f32>hyper(h, 3));
    store<f32>(o + 8, <f32>alpha);
    store<f32>(o + 12, <f32>(1 - alpha));
    store<f32>(o + 16, <f32>hyper(h, 2));
    store<f32>(o + 20, <f32>hyper(h, 4));
  } else if (kind == 5) {
    // Adagrad: slots lr, lrDecay, wd, ε → [lr / (1 + (t − 1)·lrDecay), wd, ε]
    store<f32>(o, <f32>(hyper(h, 0) / (1 + (t - 1) * hyper(h, 1))));
    store<f32>(o + 4, <f32>hyper(h, 2));
    store<f32>(o + 8, <f32>hyper(h, 3));
  } else if (kind <= 7) {
    // Adamax (6) / RAdam (7): slots lr, β1, β2, ε, wd → [wd, β1, 1 − β1, β2, then the kind's]
    const lr = hyper(h, 0), b1 = hyper(h, 1), b2 = hyper(h, 2), eps = hyper(h, 3);
    const bc1 = 1 - Math.pow(b1, t);
    store<f32>(o, <f32>hyper(h, 4));
    store<f32>(o + 4, <f32>b1);
    store<f32>(o + 8, <f32>(1 - b1));
    store<f32>(o + 12, <f32>b2);
    if (kind == 6) {
      // … ε, lr/(1 − β1^t)
      store<f32>(o + 16, <f32>eps);
      store<f32>(o + 20, <f32>(lr / bc1));
    } else {
      // … 1 − β2, k, ε, rectified (src/ops/optim.ts radamParams, the same operations)
      const bc2 = 1 - Math.pow(b2, t);
      const rhoInf = 2 / (1 - b2) - 1;
      const rhoT = rhoInf - (2 * t * Math.pow(b2, t)) / bc2;
      const rectified = rhoT > 5;
      const rect = rectified ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
      store<f32>(o + 16, <f32>(1 - b2));
      store<f32>(o + 20, <f32>(rectified ? (lr * rect * Math.sqrt(bc2)) / bc1 : lr / bc1));
      store<f32>(o + 24, <f32>eps);
      store<f32>(o + 28, rectified ? 1 : 0);
    }
  } else if (kind == 8) {
    // Adadelta: slots lr, ρ, ε, wd → [wd, lr, ρ, 1 − ρ, ε]
    const rho = hyper(h, 1);
    store<f32>(o, <f32>hyper(h, 3));
    store<f32>(o + 4, <f32>hyper(h, 0));
    store<f32>(o + 8, <f32>rho);
    store<f32>(o + 12, <f32>(1 - rho));
    store<f32>(o + 16, <f32>hyper(h, 2));
  } else if (kind == 9) {
    // NAdam: slots lr, β1, β2, ε, wd, ψ (momentumDecay) → [wd, 1 − β1, β2, 1 − β2, √(1 − β2^t), ε, cg, cm]
    // with μt = β1·(1 − 0.96^(tψ)/2), the product μ1…μt kept per parameter as float32 (counter 2,
    // PyTorch's mu_product tensor: float32 times the float32 μt), cg = −lr·(1 − μt)/(1 − μ1…μt) and
    // cm = −lr·μt+1/(1 − μ1…μt·μt+1) (src/ops/optim.ts nadamParams, the same operations).
    const lr = hyper(h, 0), b1 = hyper(h, 1), b2 = hyper(h, 2), psi = hyper(h, 5);
    const mu = b1 * (1 - 0.5 * Math.pow(0.96, t * psi)), muNext = b1 * (1 - 0.5 * Math.pow(0.96, (t + 1) * psi));
    const product = <f64>(load<f32>(counters + 8) * <f32>mu);
    store<f32>(counters + 8, <f32>product);
    store<f32>(o, <f32>hyper(h, 4));
    store<f32>(o + 4, <f32>(1 - b1));
    store<f32>(o + 8, <f32>b2);
    store<f32>(o + 12, <f32>(1 - b2));
    store<f32>(o + 16, <f32>Math.sqrt(1 - Math.pow(b2, t)));
    store<f32>(o + 20, <f32>hyper(h, 3));
    store<f32>(o + 24, <f32>((-lr * (1 - mu)) / (1 - product)));
    store<f32>(o + 28, <f32>((-lr * muNext) / (1 - product * muNext)));
  } else if (kind == 10) {
    // Rprop: slots lr, η−, η+, Γmin, Γmax → [η−, η+, Γmin, Γmax]
    for (let k = 0; k < 4; k++) store<f32>(o + (<usize>k << 2), <f32>hyper(h, k + 1));
  } else if (kind == 11) {
    // ASGD: slots lr, λ, α, t0, wd → [wd, 1 − λη, η, μ] from the state's η and μ (counters 2, 3), which
    // then become η = lr/(1 + λ·lr·t)^α and μ = 1/max(1, t − t0), as float32 (PyTorch's 0-d tensors)
    const lr = hyper(h, 0), lambd = hyper(h, 1), eta = <f64>load<f32>(counters + 8);
    store<f32>(o, <f32>hyper(h, 4));
    store<f32>(o + 4, <f32>(1 - lambd * eta));
    store<f32>(o + 8, <f32>eta);
    store<f32>(o + 12, load<f32>(counters + 12));
    store<f32>(counters + 8, <f32>(lr / Math.pow(1 + lambd * lr * t, hyper(h, 2))));
    store<f32>(counters + 12, <f32>(1 / Math.max(1, t - hyper(h, 3))));
  } else {
    // SparseAdam: slots lr, β1, β2, ε → [1 − β1, 1 − β2, lr·√(1 − β2^t)/(1 − β1^t), ε]
    const b1 = hyper(h, 1), b2 = hyper(h, 2);
    store<f32>(o, <f32>(1 - b1));
    store<f32>(o + 4, <f32>(1 - b2));
    store<f32>(o + 8, <f32>((hyper(h, 0) * Math.sqrt(1 - Math.pow(b2, t))) / (1 - Math.pow(b1, t))));
    store<f32>(o + 12, <f32>hyper(h, 3));
  }
}

/** Bytes of a hyperparameter block: HYPER_WORDS (src/ops/optim.ts) = 12 words, six (hi, lo) pairs. */
const HYPER_BYTES: usize = 48;

// The words of a hyperparameter block, from the params (src/ops/optim.ts hyperWrite).
export function f32_hyper_write_fwd(rec: usize): void {
  memory.copy(ptr(rec, OUT), rec + (<usize>P << 2), HYPER_BYTES);
}

// A schedule's learning rate into the lr pair of a hyperparameter block, and OneCycleLR's momentum
// into its pair (src/ops/optim.ts lrSchedule). IN0: [epoch, base, constants as (hi, lo) pairs], IN1: the block; P0 kind, P1 the
// epoch move (0 restart at 0 and the closed form, 1 chain: the next epoch, and torch's chainable
// form from the block's lr). float64 throughout, scheduledLr and chainedLr of src/ops/optim.ts in
// the same order of operations.
const MAX_MILESTONES = 16;
export function f32_lr_schedule_fwd(rec: usize): void {
  const st = ptr(rec, IN), o = ptr(rec, OUT);
  memory.copy(o, ptr(rec, IN + 1), HYPER_BYTES); // the other hyperparameters (in place: OUT = IN1)
  const chain = param(rec, 1) == 1;
  store<f32>(st, chain ? load<f32>(st) + 1 : 0);
  const t = <f64>load<f32>(st);
  const c = st + 4; // pair k of the schedule: hyper(c, k); pair 0 the base
  const kind = param(rec, 0);
  const lr = chain ? chainedLr(kind, c, t, hyper(o, 0)) : scheduledLr(kind, c, t);
  storePair(o, lr);
  // OneCycleLR's momentum (src/ops/optim.ts scheduledMomentum): pair 10 is 1 + its pair in the block
  if (kind == 5) {
    const slot = hyper(c, 10);
    if (slot >= 1 && slot < <f64>((HYPER_BYTES >> 3) + 1)) storePair(o + (<usize>(<i32>slot - 1) << 3), oneCycle(c, t, 11));
  }
}

// v as a (hi, lo) float32 pair at p (src/ops/optim.ts hyperPair).
function storePair(p: usize, v: f64): void {
  const hi = <f32>v;
  store<f32>(p, hi);
  store<f32>(p + 4, <f32>(v - <f64>hi));
}

function scheduledLr(kind: i32, c: usize, t: f64): f64 {
  const base = hyper(c, 0), a = hyper(c, 1), b = hyper(c, 2);
  if (kind == 0) return base * Math.pow(a, Math.floor(t / b));
  if (kind == 1) return base * Math.pow(a, t);
  if (kind == 2) return b + ((base - b) * (1 + Math.cos((Math.PI * t) / a))) / 2;
  if (kind == 3) return a == 0 ? base : base * (b + ((1 - b) * Math.min(t, a)) / a);
  if (kind == 4) return base * Math.pow(a, <f64>milestonesReached(c, t, min(<i32>b, MAX_MILESTONES)));
  return oneCycle(c, t, 6);
}

// Python's a % n (for a < 0 too).
function pyMod(a: f64, n: f64): f64 {
  return a - n * Math.floor(a / n);
}

// PyTorch's chainable get_lr from the current lr (src/ops/optim.ts chainedLr).
function chainedLr(kind: i32, c: usize, t: f64, lr: f64): f64 {
  const base = hyper(c, 0), a = hyper(c, 1), b = hyper(c, 2);
  if (kind == 0) return t == 0 || pyMod(t, b) != 0 ? lr : lr * a;
  if (kind == 1) return t == 0 ? lr : lr * a;
  if (kind == 2) {
    if (t == 0) return lr;
    if (pyMod(t - 1 - a, 2 * a) == 0) return lr + ((base - b) * (1 - Math.cos(Math.PI / a))) / 2;
    return ((1 + Math.cos((Math.PI * t) / a)) / (1 + Math.cos((Math.PI * (t - 1)) / a))) * (lr - b) + b;
  }
  if (kind == 3) {
    if (a == 0 || b == 0) return scheduledLr(kind, c, t);
    if (t == 0) return lr * b;
    return t > a ? lr : lr * (1 + (1 - b) / (a * b + (t - 1) * (1 - b)));
  }
  if (kind == 4) {
    const n = milestonesAt(c, t, min(<i32>b, MAX_MILESTONES));
    return n == 0 ? lr : lr * Math.pow(a, <f64>n);
  }
  return scheduledLr(kind, c, t);
}

// MultiStepLR: how many of the count milestones (pairs 3…) equal t.
function milestonesAt(c: usize, t: f64, count: i32): i32 {
  let n = 0;
  for (let i = 0; i < count; i++) if (hyper(c, 3 + i) == t) n++;
  return n;
}

// MultiStepLR: how many of the count milestones (pairs 3…) are ≤ t.
function milestonesReached(c: usize, t: f64, count: i32): i32 {
  let n = 0;
  for (let i = 0; i < count; i++) if (hyper(c, 3 + i) <= t) n++;
  return n;
}

// OneCycleLR (PyTorch's get_lr): pair 1 linear?, 2 phases, 3… phase end steps, from `first` on the
// end-points (6… the lrs, 11… the momentums).
function oneCycle(c: usize, t: f64, first: i32): f64 {
  const phases = <i32>hyper(c, 2) >= 3 ? 3 : 2;
  let i = 0, start: f64 = 0;
  for (; i < phases - 1 && t > hyper(c, 3 + i); i++) start = hyper(c, 3 + i);
  const pct = (t - start) / (hyper(c, 3 + i) - start), from = hyper(c, first + i), to = hyper(c, first + 1 + i);
  return hyper(c, 1) != 0 ? (to - from) * pct + from : to + ((from - to) / 2) * (Math.cos(Math.PI * pct) + 1);
}

// ---- gradient clipping ----------------------------------------------------------------------------
// Σ x² into a one-element output; the input length is P0. The squares are accumulated in float64
// (two f64x2 accumulators over the low and high halves of each f32x4), so summing millions of
// gradient elements does not drown the small ones in float32 rounding.
export function f32_grad_sum_squares_fwd(rec: usize): void {
  const x = ptr(rec, IN);
  const n = param(rec, 0);
  let s: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      const a = f64x2.promote_low_f32x4(v);
      const b = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
      lo = f64x2.add(lo, f64x2.mul(a, a));
      hi = f64x2.add(hi, f64x2.mul(b, b));
    }
    const acc = f64x2.add(lo, hi);
    s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  }
  for (; i < n; i++) {
    const y = <f64>load<f32>(x + (<usize>i << 2));
    s += y * y;
  }
  store<f32>(ptr(rec, OUT), <f32>s);
}

// x ← factor·x (OUT = IN0 when run in place). params [factor]
export function f32_grad_scale_fwd(rec: usize): void {
  const o = ptr(rec, OUT), x = ptr(rec, IN);
  const c = paramf(rec, 0), n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) v128.store(o + (<usize>i << 2), f32x4.mul(f32x4.splat(c), v128.load(x + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(o + (<usize>i << 2), c * load<f32>(x + (<usize>i << 2)));
}
