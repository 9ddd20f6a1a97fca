// Optimizer update kernels (formulas and parameter layouts: src/ops/optim.ts).
//
// Each update reads [param, grad, state...] from IN0.., writes the new parameter to OUT and its
// state buffers in place. Run by the optimizers, OUT is IN0 (in-place step); every element's values
// are all loaded before any is stored, so that aliasing is safe.
//
// The math of each update is written once, on f32x4 vectors, in a "lanes" function. The main loop
// calls it on full vectors; the scalar tail calls the same function with `full = false`, which loads
// one float into lane 0 (the other lanes are zero and discarded) and stores lane 0 only. So the tail
// computes bit-for-bit what a SIMD lane would, and there is no second (scalar) copy of the maths.
// `full`, `hasBuf` and `nesterov` are compile-time constants at every call site: after inlining, the
// optimizer folds the branches away.
import { IN, numel, OUT, param, paramf, ptr } from '../record';

// ---- vector-or-one-lane loads and stores -------------------------------------------------------
// @ts-ignore: decorator
@inline function ld(p: usize, full: bool): v128 {
  return full ? v128.load(p) : v128.load32_zero(p);
}
// @ts-ignore: decorator
@inline function st(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else v128.store32_lane(p, v, 0);
}
/** Float param k broadcast to the four lanes. */
// @ts-ignore: decorator
@inline function splat(rec: usize, k: i32): v128 {
  return f32x4.splat(paramf(rec, k));
}
// @ts-ignore: decorator
@inline function add(a: v128, b: v128): v128 { return f32x4.add(a, b); }
// @ts-ignore: decorator
@inline function sub(a: v128, b: v128): v128 { return f32x4.sub(a, b); }
// @ts-ignore: decorator
@inline function mul(a: v128, b: v128): v128 { return f32x4.mul(a, b); }
// @ts-ignore: decorator
@inline function div(a: v128, b: v128): v128 { return f32x4.div(a, b); }

// ---- SGD: params [lr, wd, bufDecay, gradWeight, nesterov, momentum] ------------------------------
//   d = g + wd·p;  buf = bufDecay·buf + gradWeight·d;  d = nesterov ? d + momentum·buf : buf;  p −= lr·d
// @ts-ignore: decorator
@inline function sgdLanes(
  o: usize, p: usize, g: usize, b: usize, j: usize,
  lr: v128, wd: v128, bufDecay: v128, gradWeight: v128, momentum: v128,
  hasBuf: bool, nesterov: bool, full: bool,
): void {
  const x = ld(p + j, full);
  let d = add(ld(g + j, full), mul(wd, x));
  if (hasBuf) {
    const buf = add(mul(bufDecay, ld(b + j, full)), mul(gradWeight, d));
    st(b + j, buf, full);
    d = nesterov ? add(d, mul(momentum, buf)) : buf;
  }
  st(o + j, sub(x, mul(lr, d)), full);
}

// @ts-ignore: decorator
@inline function sgd(rec: usize, hasBuf: bool, nesterov: bool): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1);
  const b: usize = hasBuf ? ptr(rec, IN + 2) : 0;
  const lr = splat(rec, 0), wd = splat(rec, 1);
  const bufDecay = hasBuf ? splat(rec, 2) : f32x4.splat(0);
  const gradWeight = hasBuf ? splat(rec, 3) : f32x4.splat(0);
  const momentum = hasBuf ? splat(rec, 5) : f32x4.splat(0);
  const n = numel(rec);
  let i = 0;
  for (; i + 4 <= n; i += 4) sgdLanes(o, p, g, b, <usize>i << 2, lr, wd, bufDecay, gradWeight, momentum, hasBuf, nesterov, true);
  for (; i < n; i++) sgdLanes(o, p, g, b, <usize>i << 2, lr, wd, bufDecay, gradWeight, momentum, hasBuf, nesterov, false);
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
// @ts-ignore: decorator
@inline function adamLanes(
  o: usize, p: usize, g: usize, m: usize, v: usize, j: usize,
  l2: v128, decay: v128, omb1: v128, b2: v128, omb2: v128, stepSize: v128, bc2sqrt: v128, eps: v128,
  full: bool,
): void {
  const x = ld(p + j, full);
  const d = add(ld(g + j, full), mul(l2, x));
  const m0 = ld(m + j, full);
  const mi = add(m0, mul(omb1, sub(d, m0)));
  const vi = add(mul(b2, ld(v + j, full)), mul(mul(omb2, d), d));
  st(m + j, mi, full);
  st(v + j, vi, full);
  const denom = add(div(f32x4.sqrt(vi), bc2sqrt), eps);
  st(o + j, sub(mul(x, decay), div(mul(stepSize, mi), denom)), full);
}

export function f32_adam_update_fwd(rec: usize): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), m = ptr(rec, IN + 2), v = ptr(rec, IN + 3);
  const l2 = splat(rec, 0), decay = splat(rec, 1), omb1 = splat(rec, 2), b2 = splat(rec, 3), omb2 = splat(rec, 4);
  const stepSize = splat(rec, 5), bc2sqrt = splat(rec, 6), eps = splat(rec, 7);
  const n = numel(rec);
  let i = 0;
  for (; i + 4 <= n; i += 4) adamLanes(o, p, g, m, v, <usize>i << 2, l2, decay, omb1, b2, omb2, stepSize, bc2sqrt, eps, true);
  for (; i < n; i++) adamLanes(o, p, g, m, v, <usize>i << 2, l2, decay, omb1, b2, omb2, stepSize, bc2sqrt, eps, false);
}

// ---- RMSprop: params [lr, wd, α, 1−α, ε, momentum] --------------------------------------------------
//   d = g + wd·p;  s = α·s + (1−α)·d²;  step = d / (√s + ε)
//   momentum: buf = momentum·buf + step, p −= lr·buf;  otherwise p −= lr·step
// @ts-ignore: decorator
@inline function rmspropLanes(
  o: usize, p: usize, g: usize, s: usize, b: usize, j: usize,
  lr: v128, wd: v128, alpha: v128, oma: v128, eps: v128, momentum: v128,
  hasBuf: bool, full: bool,
): void {
  const x = ld(p + j, full);
  const d = add(ld(g + j, full), mul(wd, x));
  const si = add(mul(alpha, ld(s + j, full)), mul(mul(oma, d), d));
  st(s + j, si, full);
  let step = div(d, add(f32x4.sqrt(si), eps));
  if (hasBuf) {
    step = add(mul(momentum, ld(b + j, full)), step);
    st(b + j, step, full);
  }
  st(o + j, sub(x, mul(lr, step)), full);
}

// @ts-ignore: decorator
@inline function rmsprop(rec: usize, hasBuf: bool): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), s = ptr(rec, IN + 2);
  const b: usize = hasBuf ? ptr(rec, IN + 3) : 0;
  const lr = splat(rec, 0), wd = splat(rec, 1), alpha = splat(rec, 2), oma = splat(rec, 3), eps = splat(rec, 4), momentum = splat(rec, 5);
  const n = numel(rec);
  let i = 0;
  for (; i + 4 <= n; i += 4) rmspropLanes(o, p, g, s, b, <usize>i << 2, lr, wd, alpha, oma, eps, momentum, hasBuf, true);
  for (; i < n; i++) rmspropLanes(o, p, g, s, b, <usize>i << 2, lr, wd, alpha, oma, eps, momentum, hasBuf, false);
}

export function f32_rmsprop_update_fwd(rec: usize): void {
  rmsprop(rec, false);
}
export function f32_rmsprop_momentum_update_fwd(rec: usize): void {
  rmsprop(rec, true);
}

// ---- Adagrad: params [clr, wd, ε] ----------------------------------------------------------------
//   d = g + wd·p;  sum += d²;  p −= clr·d / (√sum + ε)
// @ts-ignore: decorator
@inline function adagradLanes(o: usize, p: usize, g: usize, s: usize, j: usize, clr: v128, wd: v128, eps: v128, full: bool): void {
  const x = ld(p + j, full);
  const d = add(ld(g + j, full), mul(wd, x));
  const si = add(ld(s + j, full), mul(d, d));
  st(s + j, si, full);
  st(o + j, sub(x, div(mul(clr, d), add(f32x4.sqrt(si), eps))), full);
}

export function f32_adagrad_update_fwd(rec: usize): void {
  const o = ptr(rec, OUT), p = ptr(rec, IN), g = ptr(rec, IN + 1), s = ptr(rec, IN + 2);
  const clr = splat(rec, 0), wd = splat(rec, 1), eps = splat(rec, 2);
  const n = numel(rec);
  let i = 0;
  for (; i + 4 <= n; i += 4) adagradLanes(o, p, g, s, <usize>i << 2, clr, wd, eps, true);
  for (; i < n; i++) adagradLanes(o, p, g, s, <usize>i << 2, clr, wd, eps, false);
}

// ---- gradient clipping ----------------------------------------------------------------------------
// Σ x² into a one-element output; the input length is P0. The squares are accumulated in float64
// (two f64x2 accumulators over the low and high halves of each f32x4), so summing millions of
// gradient elements does not drown the small ones in float32 rounding.
export function f32_grad_sum_squares_fwd(rec: usize): void {
  const x = ptr(rec, IN);
  const n = param(rec, 0);
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const a = f64x2.promote_low_f32x4(v);
    const b = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    lo = f64x2.add(lo, f64x2.mul(a, a));
    hi = f64x2.add(hi, f64x2.mul(b, b));
  }
  const acc = f64x2.add(lo, hi);
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) {
    const y = <f64>load<f32>(x + (<usize>i << 2));
    s += y * y;
  }
  store<f32>(ptr(rec, OUT), <f32>s);
}

// x ← factor·x (OUT = IN0 when run in place). params [factor]
// @ts-ignore: decorator
@inline function scaleLanes(o: usize, x: usize, j: usize, c: v128, full: bool): void {
  st(o + j, mul(c, ld(x + j, full)), full);
}

export function f32_grad_scale_fwd(rec: usize): void {
  const o = ptr(rec, OUT), x = ptr(rec, IN);
  const c = splat(rec, 0);
  const n = numel(rec);
  let i = 0;
  for (; i + 4 <= n; i += 4) scaleLanes(o, x, <usize>i << 2, c, true);
  for (; i < n; i++) scaleLanes(o, x, <usize>i << 2, c, false);
}
