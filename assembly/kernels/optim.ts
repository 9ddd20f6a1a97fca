// Optimizer update kernels (formulas and parameter layouts: src/ops/optim.ts).
//
// Each update reads [param, grad, state...] from IN0.., writes the new parameter to OUT and its
// state buffers in place. Run by the optimizers, OUT is IN0 (in-place step); every element's values
// are all loaded before any is stored, so that aliasing is safe.
//
// The math of each update is written once, in a "lanes" function generic over the lane type
// (assembly/simd.ts): the main loop runs it on f32x4 (SIMD builds), the tail on single floats (the
// whole range in the scalar build). Float params are read once, outside the loops; their splats are
// loop-invariant and hoisted. Products added to something go through l.madd (one FMA in the relaxed
// build). `hasBuf` and `nesterov` are compile-time constants at every call site: after inlining, the
// optimizer folds the branches away.
import { IN, numel, OUT, param, paramf, ptr } from '../record';
import { Lane1, Lane4 } from '../simd';

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
  const lr = paramf(rec, 0), wd = paramf(rec, 1);
  const bufDecay: f32 = hasBuf ? paramf(rec, 2) : 0;
  const gradWeight: f32 = hasBuf ? paramf(rec, 3) : 0;
  const momentum: f32 = hasBuf ? paramf(rec, 5) : 0;
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) sgdLanes<Lane4, v128>(o, p, g, b, <usize>i << 2, lr, wd, bufDecay, gradWeight, momentum, hasBuf, nesterov);
  for (; i < n; i++) sgdLanes<Lane1, f32>(o, p, g, b, <usize>i << 2, lr, wd, bufDecay, gradWeight, momentum, hasBuf, nesterov);
}

export function f32_sgd_update_fwd(rec: usize): void {
  sgd(rec, false, false);
}
export function f32_sgd_momentum_update_fwd(rec: usize): void {
  if (param(rec, 4) != 0) sgd(rec, true, true);
  else sgd(rec, true, false);
}

// ---- Adam / AdamW: params [l2, decay, 1−β1, β2, 1−β2, stepSize, √bc2, ε] ----------------------------
//   d = g + l2·p;  m += (1−β1)(d − m);  v = β2·v + (1−β2)·d²;  p = p·decay − stepSize·m / (√v/√bc2 + ε)
@inline function adamLanes<L, V>(
  o: usize, p: usize, g: usize, m: usize, v: usize, j: usize,
  l2: f32, decay: f32, omb1: f32, b2: f32, omb2: f32, stepSize: f32, bc2sqrt: f32, eps: f32,
): void {
  const l = changetype<L>(0);
  const x = l.load(p + j);
  const d = l.madd(l.splat(l2), x, l.load(g + j));
  const m0 = l.load(m + j);
  const mi = l.madd(l.splat(omb1), l.sub(d, m0), m0);
  const vi = l.madd(l.splat(b2), l.load(v + j), l.mul(l.mul(l.splat(omb2), d), d));
  l.store(m + j, mi);
  l.store(v + j, vi);
  const denom = l.add(l.div(l.sqrt(vi), l.splat(bc2sqrt)), l.splat(eps));
  l.store(o + j, l.sub(l.mul(x, l.splat(decay)), l.div(l.mul(l.splat(stepSize), mi), denom)));
}

export function f32_adam_update_fwd(rec: usize): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), m = ptr(rec, IN + 2), v = ptr(rec, IN + 3);
  const l2 = paramf(rec, 0), decay = paramf(rec, 1), omb1 = paramf(rec, 2), b2 = paramf(rec, 3), omb2 = paramf(rec, 4);
  const stepSize = paramf(rec, 5), bc2sqrt = paramf(rec, 6), eps = paramf(rec, 7);
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) adamLanes<Lane4, v128>(o, p, g, m, v, <usize>i << 2, l2, decay, omb1, b2, omb2, stepSize, bc2sqrt, eps);
  for (; i < n; i++) adamLanes<Lane1, f32>(o, p, g, m, v, <usize>i << 2, l2, decay, omb1, b2, omb2, stepSize, bc2sqrt, eps);
}

// ---- RMSprop: params [lr, wd, α, 1−α, ε, momentum] --------------------------------------------------
//   d = g + wd·p;  s = α·s + (1−α)·d²;  step = d / (√s + ε)
//   momentum: buf = momentum·buf + step, p −= lr·buf;  otherwise p −= lr·step
@inline function rmspropLanes<L, V>(
  o: usize, p: usize, g: usize, s: usize, b: usize, j: usize,
  lr: f32, wd: f32, alpha: f32, oma: f32, eps: f32, momentum: f32,
  hasBuf: bool,
): void {
  const l = changetype<L>(0);
  const x = l.load(p + j);
  const d = l.madd(l.splat(wd), x, l.load(g + j));
  const si = l.madd(l.splat(alpha), l.load(s + j), l.mul(l.mul(l.splat(oma), d), d));
  l.store(s + j, si);
  let step = l.div(d, l.add(l.sqrt(si), l.splat(eps)));
  if (hasBuf) {
    step = l.madd(l.splat(momentum), l.load(b + j), step);
    l.store(b + j, step);
  }
  l.store(o + j, l.sub(x, l.mul(l.splat(lr), step)));
}

@inline function rmsprop(rec: usize, hasBuf: bool): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), s = ptr(rec, IN + 2);
  const b: usize = hasBuf ? ptr(rec, IN + 3) : 0;
  const lr = paramf(rec, 0), wd = paramf(rec, 1), alpha = paramf(rec, 2), oma = paramf(rec, 3), eps = paramf(rec, 4), momentum = paramf(rec, 5);
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) rmspropLanes<Lane4, v128>(o, p, g, s, b, <usize>i << 2, lr, wd, alpha, oma, eps, momentum, hasBuf);
  for (; i < n; i++) rmspropLanes<Lane1, f32>(o, p, g, s, b, <usize>i << 2, lr, wd, alpha, oma, eps, momentum, hasBuf);
}

export function f32_rmsprop_update_fwd(rec: usize): void {
  rmsprop(rec, false);
}
export function f32_rmsprop_momentum_update_fwd(rec: usize): void {
  rmsprop(rec, true);
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
  const clr = paramf(rec, 0), wd = paramf(rec, 1), eps = paramf(rec, 2);
  const n = numel(rec);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) adagradLanes<Lane4, v128>(o, p, g, s, <usize>i << 2, clr, wd, eps);
  for (; i < n; i++) adagradLanes<Lane1, f32>(o, p, g, s, <usize>i << 2, clr, wd, eps);
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
