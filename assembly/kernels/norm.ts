// Normalisation kernels: fused group/layer norm and batch norm (forward and backward), and the BatchNorm
// running statistics (src/ops/optim.ts, batchNormStatsUpdate: a few channels, scalar).
import { AUX, GIN, GOUT, IN, OUT, numel, overwrites, param, paramf, ptr } from '../record';
import { arenaAlloc } from '../arena';
import { BLOCK, hsum, kahanAddAt, Lane1, Lane4, madd } from '../simd';
import { partFrom, poolRun, poolThreads, setTaskArg, taskArg, taskPtr } from '../pool';

export function f32_batch_norm_stats_update_fwd(rec: usize): void {
  const rm = ptr(rec, IN), rv = ptr(rec, IN + 1), nbt = ptr(rec, IN + 2), st = ptr(rec, IN + 3), o = ptr(rec, OUT);
  const c = numel(rec);
  const batches = load<i32>(nbt) + 1;
  store<i32>(nbt, batches);
  if (param(rec, 1) == 0) {
    // An empty batch (count 0) is counted, and leaves the averages alone: its statistics are NaN.
    memory.copy(o, rm, <usize>c << 2);
    return;
  }
  // (1 − f, f, f·n/(n − 1)) from the plan, or with f = 1/count for the cumulative average
  // (computed in f64 and rounded once, as the plan does).
  let keep = paramf(rec, 2), take = paramf(rec, 3), takeVar = paramf(rec, 4);
  if (param(rec, 0) == 1) {
    const f = 1.0 / <f64>batches, n = <f64>param(rec, 1);
    keep = <f32>(1 - f);
    take = <f32>f;
    takeVar = <f32>(f * n / (n - 1));
  }
  for (let i = 0; i < c; i++) {
    const p = <usize>i << 2;
    store<f32>(rv + p, keep * load<f32>(rv + p) + takeVar * load<f32>(st + (<usize>(c + i) << 2)));
    store<f32>(o + p, keep * load<f32>(rm + p) + take * load<f32>(st + p));
  }
}

// ---- fused normalisation: group norm (layer norm is its case G = 1, S = 1) and batch norm ---------
// Statistics are centred on a shift, the first value of the row or channel: d = x − shift is exact
// (Sterbenz) whenever x is within a factor 2 of the shift, which is exactly when cancellation would
// hurt (a channel with mean 1e4 and std 1e-2 has d ~ 1e-2, not 1e4 ± an ulp of 1e-3). The mean of d
// (dm, small) and Σ((x − shift) − dm)² then lose nothing to the magnitude of the mean, and the
// normalised value is formed the same way, x̂ = ((x − shift) − dm)·rstd, never as x − mean with the
// mean rounded to float32. Sums run in float32 lanes over CHUNK values and join a float64 total, so
// their error stays at float32's level relative to one chunk, whatever the row's length.

/** Floats summed in float32 (per lane) before the partial joins a float64 total. */
const CHUNK: i32 = 64;

/** Σ (x − shift) over len contiguous floats at p. */
@inline function sumDiff(p: usize, len: i32, shift: f32): f64 {
  let total: f64 = 0, k = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(shift), v4 = len & ~3;
    while (k < v4) {
      const end = min(k + CHUNK, v4);
      let a = f32x4.splat(0);
      for (; k < end; k += 4) a = f32x4.add(a, f32x4.sub(v128.load(p + (<usize>k << 2)), s));
      total += <f64>hsum(a);
    }
  }
  while (k < len) {
    const end = min(k + CHUNK, len);
    let a: f32 = 0;
    for (; k < end; k++) a += load<f32>(p + (<usize>k << 2)) - shift;
    total += <f64>a;
  }
  return total;
}

/** Σ ((x − shift) − dm)² over len contiguous floats at p: the second pass of a two-pass variance. */
@inline function sumSq(p: usize, len: i32, shift: f32, dm: f32): f64 {
  let total: f64 = 0, k = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(shift), m = f32x4.splat(dm), v4 = len & ~3;
    while (k < v4) {
      const end = min(k + CHUNK, v4);
      let a = f32x4.splat(0);
      for (; k < end; k += 4) {
        const e = f32x4.sub(f32x4.sub(v128.load(p + (<usize>k << 2)), s), m);
        a = madd(e, e, a);
      }
      total += <f64>hsum(a);
    }
  }
  while (k < len) {
    const end = min(k + CHUNK, len);
    let a: f32 = 0;
    for (; k < end; k++) {
      const e = load<f32>(p + (<usize>k << 2)) - shift - dm;
      a += e * e;
    }
    total += <f64>a;
  }
  return total;
}

/** y = ((x − shift) − dm)·a + b over len contiguous floats (one channel's span: a = rstd·γ, b = β). */
@inline function affineSpan(x: usize, y: usize, len: i32, shift: f32, dm: f32, a: f32, b: f32): void {
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(shift), m = f32x4.splat(dm), av = f32x4.splat(a), bv = f32x4.splat(b);
    for (; k + 4 <= len; k += 4) {
      const o = <usize>k << 2;
      v128.store(y + o, madd(f32x4.sub(f32x4.sub(v128.load(x + o), s), m), av, bv));
    }
  }
  for (; k < len; k++) {
    const o = <usize>k << 2;
    store<f32>(y + o, (load<f32>(x + o) - shift - dm) * a + b);
  }
}

/** y = ((x − shift) − dm)·rstd·γ + β elementwise over a row whose every element is a channel (w, b: 0 when absent). */
@inline function affineElements(x: usize, y: usize, len: i32, shift: f32, dm: f32, rstd: f32, w: usize, b: usize): void {
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(shift), m = f32x4.splat(dm), r = f32x4.splat(rstd), zero = f32x4.splat(0);
    for (; k + 4 <= len; k += 4) {
      const o = <usize>k << 2;
      const a = w ? f32x4.mul(r, v128.load(w + o)) : r;
      v128.store(y + o, madd(f32x4.sub(f32x4.sub(v128.load(x + o), s), m), a, b ? v128.load(b + o) : zero));
    }
  }
  for (; k < len; k++) {
    const o = <usize>k << 2;
    const a = w ? rstd * load<f32>(w + o) : rstd;
    store<f32>(y + o, (load<f32>(x + o) - shift - dm) * a + (b ? load<f32>(b + o) : 0));
  }
}

// Backward sums of a span, Σ γ·g and Σ γ·g·e with e = (x − shift) − dm, added into these totals.
let sumG: f64 = 0, sumGE: f64 = 0;

/**
 * dx += (a·g + c)·s + k2·e over a span: the fused input gradient of a normalisation, coefficients per
 * span. a·g + c is formed before the scale s (1/std, large when the variance is below eps), so a
 * gradient that cancels, g·γ − mean(g·γ) for a row of one value, is 0 exactly and not amplified.
 * set: dx is written instead (the record overwrites its fresh input gradient, FLAG_OVERWRITE).
 */
@inline function dxSpan(x: usize, g: usize, dx: usize, len: i32, shift: f32, dm: f32, a: f32, c: f32, s: f32, k2: f32, set: bool): void {
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    const sh = f32x4.splat(shift), m = f32x4.splat(dm), av = f32x4.splat(a), cv = f32x4.splat(c), sv = f32x4.splat(s), b = f32x4.splat(k2);
    for (; k + 4 <= len; k += 4) {
      const o = <usize>k << 2;
      const e = f32x4.sub(f32x4.sub(v128.load(x + o), sh), m);
      const d = madd(madd(v128.load(g + o), av, cv), sv, f32x4.mul(e, b));
      v128.store(dx + o, set ? d : f32x4.add(v128.load(dx + o), d));
    }
  }
  for (; k < len; k++) {
    const o = <usize>k << 2;
    const e = load<f32>(x + o) - shift - dm;
    const d = (load<f32>(g + o) * a + c) * s + e * k2;
    store<f32>(dx + o, set ? d : load<f32>(dx + o) + d);
  }
}

/**
 * Σ γ·g and Σ γ·g·e over a span into sumG, sumGE, and where every element is a channel (layer norm)
 * g·x̂ into pw and g into pb per element: the partials of dγ and dβ over a block of rows, which
 * flushPartials adds into the gradients (w, pw, pb: 0 when absent; a channel's span passes none).
 */
@inline function gradElements(x: usize, g: usize, len: i32, shift: f32, dm: f32, rstd: f32, w: usize, pw: usize, pb: usize): void {
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(shift), m = f32x4.splat(dm), r = f32x4.splat(rstd), v4 = len & ~3;
    while (k < v4) {
      const end = min(k + CHUNK, v4);
      let a = f32x4.splat(0), c = f32x4.splat(0);
      for (; k < end; k += 4) {
        const o = <usize>k << 2, gv = v128.load(g + o);
        const e = f32x4.sub(f32x4.sub(v128.load(x + o), s), m);
        if (pw) v128.store(pw + o, madd(gv, f32x4.mul(e, r), v128.load(pw + o)));
        if (pb) v128.store(pb + o, f32x4.add(v128.load(pb + o), gv));
        const gg = w ? f32x4.mul(gv, v128.load(w + o)) : gv;
        a = f32x4.add(a, gg);
        c = madd(gg, e, c);
      }
      sumG += <f64>hsum(a);
      sumGE += <f64>hsum(c);
    }
  }
  while (k < len) {
    const end = min(k + CHUNK, len);
    let a: f32 = 0, c: f32 = 0;
    for (; k < end; k++) {
      const o = <usize>k << 2, gv = load<f32>(g + o);
      const e = load<f32>(x + o) - shift - dm;
      if (pw) store<f32>(pw + o, load<f32>(pw + o) + gv * (e * rstd));
      if (pb) store<f32>(pb + o, load<f32>(pb + o) + gv);
      const gg = w ? gv * load<f32>(w + o) : gv;
      a += gg;
      c += gg * e;
    }
    sumG += <f64>a;
    sumGE += <f64>c;
  }
}

/** dx += (γ·g + c)·rstd + k2·e elementwise (layer norm rows; w: 0 when absent), as dxSpan (set: written). */
@inline function dxElements(x: usize, g: usize, dx: usize, len: i32, shift: f32, dm: f32, rstd: f32, w: usize, c: f32, k2: f32, set: bool): void {
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    const sh = f32x4.splat(shift), m = f32x4.splat(dm), r = f32x4.splat(rstd), cv = f32x4.splat(c), b = f32x4.splat(k2);
    for (; k + 4 <= len; k += 4) {
      const o = <usize>k << 2, gv = v128.load(g + o);
      const e = f32x4.sub(f32x4.sub(v128.load(x + o), sh), m);
      const gg = w ? madd(gv, v128.load(w + o), cv) : f32x4.add(gv, cv);
      const d = madd(gg, r, f32x4.mul(e, b));
      v128.store(dx + o, set ? d : f32x4.add(v128.load(dx + o), d));
    }
  }
  for (; k < len; k++) {
    const o = <usize>k << 2;
    const e = load<f32>(x + o) - shift - dm;
    const gg = (w ? load<f32>(g + o) * load<f32>(w + o) : load<f32>(g + o)) + c;
    const d = gg * rstd + e * k2;
    store<f32>(dx + o, set ? d : load<f32>(dx + o) + d);
  }
}

/**
 * g += p with Kahan's compensation kept at c, and p zeroed, over n floats: the second level of the
 * layer-norm parameter gradients, whose partials p take BLOCK rows in plain float32 (as blockSum).
 */
@inline function flushPartials(g: usize, c: usize, p: usize, n: i32): void {
  let k = 0;
  if (ASC_FEATURE_SIMD)
    for (; k + 4 <= n; k += 4) {
      const o = <usize>k << 2;
      kahanAddAt<Lane4, v128>(g + o, c + o, v128.load(p + o));
      v128.store(p + o, f32x4.splat(0));
    }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    kahanAddAt<Lane1, f32>(g + o, c + o, load<f32>(p + o));
    store<f32>(p + o, 0);
  }
}

/** 1/√(var + eps) in float64, rounded once (forward and backward compute it alike from the saved var). */
@inline function rsqrtEps(v: f64, eps: f64): f32 {
  return <f32>(1 / Math.sqrt(v + eps));
}

/** Batch norm's 1/√(var + eps): 0 where both are 0 (PyTorch's training-mode InvStd: a constant channel with eps 0 gives its bias, no NaN). */
@inline function batchRstd(v: f64, eps: f64): f32 {
  return v == 0 && eps == 0 ? 0 : rsqrtEps(v, eps);
}

// Group norm over x [N, C, S] in rows of L = (C/G)·S values (row r = sample r / G, group r % G);
// P0..6 = N, C, S, G, eps, has weight, has bias; AUX0 = [shift, dm, rstd] per row (3·N·G words).
// Layer norm is x [R, K] with N = R, C = K, S = 1, G = 1: every element of a row is a channel.

export function f32_group_norm_fwd(rec: usize): void {
  const rows = param(rec, 0) * param(rec, 3);
  if (ASC_FEATURE_THREADS) {
    if (groupNormSplit(rec, false, 0, rows)) return;
  }
  groupNormRowsFwd(rec, 0, rows);
}

/** Rows [r0, r1) of f32_group_norm_fwd: their statistics into AUX, their outputs. */
function groupNormRowsFwd(rec: usize, r0: i32, r1: i32): void {
  const C = param(rec, 1), S = param(rec, 2), G = param(rec, 3), eps = <f64>paramf(rec, 4);
  const w = param(rec, 5) ? ptr(rec, IN + 1) : 0, b = param(rec, 6) ? ptr(rec, IN + 2) : 0;
  const Cg = C / G, L = Cg * S, rows = param(rec, 0) * G;
  const x = ptr(rec, IN), y = ptr(rec, OUT), st = ptr(rec, AUX);
  for (let r = r0; r < r1; r++) {
    const o = (<usize>r * <usize>L) << 2, xr = x + o, yr = y + o;
    const shift: f32 = L > 0 ? load<f32>(xr) : 0;
    const dm = <f32>(sumDiff(xr, L, shift) / <f64>L);
    const rstd = rsqrtEps(sumSq(xr, L, shift, dm) / <f64>L, eps);
    store<f32>(st + (<usize>r << 2), shift);
    store<f32>(st + (<usize>(rows + r) << 2), dm);
    store<f32>(st + (<usize>(2 * rows + r) << 2), rstd);
    const c0 = <usize>((r % G) * Cg) << 2;
    if (S == 1) affineElements(xr, yr, L, shift, dm, rstd, w ? w + c0 : 0, b ? b + c0 : 0);
    else
      for (let j = 0; j < Cg; j++) {
        const so = (<usize>j * <usize>S) << 2, c = c0 + (<usize>j << 2);
        affineSpan(xr + so, yr + so, S, shift, dm, w ? rstd * load<f32>(w + c) : rstd, b ? load<f32>(b + c) : 0);
      }
  }
}

// dx = rstd·(γg − mean(γg) − x̂·mean(γg·x̂)) per row, with x̂ = e·rstd: (γg + c)·rstd + k2·e with
// c = −Σγg/L, k2 = −rstd³·Σγge/L; dγ_c += rstd·Σ_c g·e, dβ_c += Σ_c g.
export function f32_group_norm_bwd(rec: usize): void {
  const C = param(rec, 1), G = param(rec, 3), rows = param(rec, 0) * G;
  clearAffine(rec, 5, 6);
  if ((C / G) * param(rec, 2) == 0) return; // empty groups: no gradient (their statistics are NaN)
  // dγ and dβ: Kahan compensations cw, cb (per-channel totals join them once per row) and, where
  // every element is a channel, block partials pw, pb; [C] each, the plan's workspace when there is
  // a weight or bias.
  const cw = param(rec, 5) | param(rec, 6) ? arenaAlloc(<usize>C << 4) : 0;
  if (cw) memory.fill(cw, 0, <usize>C << 4);
  if (ASC_FEATURE_THREADS) {
    if (groupNormSplit(rec, true, cw, rows)) return;
  }
  groupNormRowsBwd(rec, 0, rows, cw, 0);
}

/**
 * A backward record that overwrites its fresh dγ or dβ (FLAG_OVERWRITE on inputs 1, 2; [C] each,
 * present when params `hasW`, `hasB` say so) has them cleared here, before any row adds into them:
 * they are sums over every row. The input gradient is written where it is computed (set).
 */
function clearAffine(rec: usize, hasW: i32, hasB: i32): void {
  const bytes = <usize>param(rec, 1) << 2;
  if (param(rec, hasW) && overwrites(rec, 1)) memory.fill(ptr(rec, GIN + 1), 0, bytes);
  if (param(rec, hasB) && overwrites(rec, 2)) memory.fill(ptr(rec, GIN + 2), 0, bytes);
}

/** dγ_c and dβ_c += one row's per-channel totals v (rstd·Σ_c g·e) and u (Σ_c g), with Kahan's compensation (g: 0 when absent). */
@inline function addChannel(gw: usize, gb: usize, cw: usize, c: usize, v: f32, u: f32, C: i32): void {
  if (gw) kahanAddAt<Lane1, f32>(gw + c, cw + c, v);
  if (gb) kahanAddAt<Lane1, f32>(gb + c, cw + (<usize>C << 2) + c, u);
}

/**
 * Rows [r0, r1) of f32_group_norm_bwd, dx and their share of dγ, dβ (cw: the compensations and
 * partials). On one thread (defer = 0) dγ and dβ take each row's totals, or a block's partials, as
 * they come. In a split job they are deferred to `defer`, for groupNormAddDeferred to add in the
 * single-thread order after the join: with S = 1 the partials of block b at defer + b·2C words
 * (pw, then pb; the parts' rows are whole blocks), else row r's per-channel totals at defer +
 * r·2·C/G words (v, u per channel).
 */
function groupNormRowsBwd(rec: usize, r0: i32, r1: i32, cw: usize, defer: usize): void {
  const C = param(rec, 1), S = param(rec, 2), G = param(rec, 3);
  const w = param(rec, 5) ? ptr(rec, IN + 1) : 0;
  const gx = ptr(rec, GIN), gw = param(rec, 5) ? ptr(rec, GIN + 1) : 0, gb = param(rec, 6) ? ptr(rec, GIN + 2) : 0;
  const Cg = C / G, L = Cg * S, rows = param(rec, 0) * G;
  const x = ptr(rec, IN), g = ptr(rec, GOUT), st = ptr(rec, AUX);
  const cb = cw + (<usize>C << 2), set = overwrites(rec, 0);
  for (let r = r0; r < r1; r++) {
    const o = (<usize>r * <usize>L) << 2, xr = x + o, gr = g + o;
    const shift = load<f32>(st + (<usize>r << 2)), dm = load<f32>(st + (<usize>(rows + r) << 2)), rstd = load<f32>(st + (<usize>(2 * rows + r) << 2));
    const c0 = <usize>((r % G) * Cg) << 2;
    let A: f64 = 0, B: f64 = 0;
    if (S == 1) {
      const p = defer ? defer + <usize>(r / BLOCK) * (<usize>C << 3) : cw + (<usize>C << 3);
      sumG = 0;
      sumGE = 0;
      gradElements(xr, gr, L, shift, dm, rstd, w ? w + c0 : 0, gw ? p + c0 : 0, gb ? p + (<usize>C << 2) + c0 : 0);
      A = sumG;
      B = sumGE;
      if (!defer && ((r + 1) % BLOCK == 0 || r + 1 == rows)) {
        if (gw) flushPartials(gw, cw, p, C);
        if (gb) flushPartials(gb, cb, p + (<usize>C << 2), C);
      }
    } else
      for (let j = 0; j < Cg; j++) {
        const so = (<usize>j * <usize>S) << 2, c = c0 + (<usize>j << 2);
        sumG = 0;
        sumGE = 0;
        gradElements(xr + so, gr + so, S, shift, dm, rstd, 0, 0, 0);
        const v = <f32>(<f64>rstd * sumGE), u = <f32>sumG;
        if (!defer) addChannel(gw, gb, cw, c, v, u, C);
        else {
          const d = defer + ((<usize>r * <usize>Cg + <usize>j) << 3);
          store<f32>(d, v);
          store<f32>(d + 4, u);
        }
        const gamma: f64 = w ? <f64>load<f32>(w + c) : 1;
        A += gamma * sumG;
        B += gamma * sumGE;
      }
    if (!gx) continue;
    const r64 = <f64>rstd;
    const k2 = <f32>((-r64 * r64 * r64 * B) / <f64>L), cm = <f32>(-A / <f64>L);
    if (S == 1) dxElements(xr, gr, gx + o, L, shift, dm, rstd, w ? w + c0 : 0, cm, k2, set);
    else
      for (let j = 0; j < Cg; j++) {
        const so = (<usize>j * <usize>S) << 2, c = c0 + (<usize>j << 2);
        dxSpan(xr + so, gr + so, gx + o + so, S, shift, dm, w ? load<f32>(w + c) : 1, cm, rstd, k2, set);
      }
  }
}

// ---- group and layer norm across the worker pool (threads builds) ----------------------------------
// Rows are independent: a row's statistics, outputs, sums Σγg, Σγge and input gradient involve that
// row only, so parts take runs of rows and run the kernels' own row loop on them. dγ and dβ add
// every row into the same [C] sums, in row order with Kahan's compensation: the parts defer what
// they would add (with S = 1, each 16-row block's float32 partials, formed from zero over the
// block's rows as on one thread; else each row's per-channel totals) into per-block or per-row
// scratch, and the main instance adds them after the join in the single-thread order. So every
// output gets the single-thread float operations in the same order: bit-identical for any thread
// count.

/**
 * Values (N·C·S) from which group and layer norm split: W7's layer norms, [512, 64] = 2¹⁵ (~23 µs
 * forward, ~30 backward on one thread), are the case. A compiled step of one forward + backward
 * went from 52 to 38 µs at 2 threads while a core was free, and lost when none was
 * (docs/internals.md 6b); splits of smaller rows were not measured to pay.
 */
const NORM_SPLIT_VALUES: u64 = 1 << 15;

// Argument words of a split group norm.
const G_REC = 0, G_CW = 1, G_DEFER = 2, G_ALIGN = 3, G_BWD = 4;

/**
 * Runs the group-norm record's rows across the pool and returns true, or false (nothing done) when
 * it stays inline; backward: cw as f32_group_norm_bwd allocated it (0 without weight and bias).
 */
function groupNormSplit(rec: usize, backward: bool, cw: usize, rows: i32): bool {
  const C = param(rec, 1), S = param(rec, 2), t = poolThreads();
  // A backward with S = 1 cuts whole blocks, so that each block's partials are one part's.
  const align = backward && S == 1 ? BLOCK : 1;
  if (t <= 1 || rows <= align || <u64>rows * <u64>(C / param(rec, 3)) * <u64>S < NORM_SPLIT_VALUES) return false;
  let defer: usize = 0;
  if (cw) {
    const bytes = (S == 1 ? <usize>((rows + BLOCK - 1) / BLOCK) * <usize>C : <usize>param(rec, 0) * <usize>C) << 3;
    defer = arenaAlloc(bytes);
    if (S == 1) memory.fill(defer, 0, bytes);
  }
  setTaskArg(G_REC, <i32>rec);
  setTaskArg(G_CW, <i32>cw);
  setTaskArg(G_DEFER, <i32>defer);
  setTaskArg(G_ALIGN, align);
  setTaskArg(G_BWD, backward ? 1 : 0);
  poolRun(groupNormTask, 0);
  if (defer) groupNormAddDeferred(rec, rows, cw, defer);
  return true;
}

/** Part `part` of a group norm (pool.ts Task): its run of rows, forward or backward. */
function groupNormTask(part: i32, parts: i32, ws: usize): void {
  const rec = taskPtr(G_REC), rows = param(rec, 0) * param(rec, 3), align = taskArg(G_ALIGN);
  const r0 = partFrom(rows, part, parts, align), r1 = partFrom(rows, part + 1, parts, align);
  if (taskArg(G_BWD)) groupNormRowsBwd(rec, r0, r1, taskPtr(G_CW), taskPtr(G_DEFER));
  else groupNormRowsFwd(rec, r0, r1);
}

/** After a split backward: the deferred block partials (S = 1) or row totals added into dγ, dβ in row order, as groupNormRowsBwd does on one thread. */
function groupNormAddDeferred(rec: usize, rows: i32, cw: usize, defer: usize): void {
  const C = param(rec, 1), S = param(rec, 2), Cg = C / param(rec, 3);
  const gw = param(rec, 5) ? ptr(rec, GIN + 1) : 0, gb = param(rec, 6) ? ptr(rec, GIN + 2) : 0;
  if (S == 1)
    for (let b = 0; b * BLOCK < rows; b++) {
      const p = defer + <usize>b * (<usize>C << 3);
      if (gw) flushPartials(gw, cw, p, C);
      if (gb) flushPartials(gb, cw + (<usize>C << 2), p + (<usize>C << 2), C);
    }
  else
    for (let r = 0; r < rows; r++) {
      const c0 = <usize>((r % param(rec, 3)) * Cg) << 2;
      for (let j = 0; j < Cg; j++) {
        const d = defer + ((<usize>r * <usize>Cg + <usize>j) << 3);
        addChannel(gw, gb, cw, c0 + (<usize>j << 2), load<f32>(d), load<f32>(d + 4), C);
      }
    }
}

export function f32_layer_norm_fwd(rec: usize): void {
  f32_group_norm_fwd(rec);
}
export function f32_layer_norm_bwd(rec: usize): void {
  f32_group_norm_bwd(rec);
}

// Batch norm (training) over x [N, C, S] per channel c: n = N·S values in N spans of S, C·S apart.
// P0..5 = N, C, S, eps, has weight, has bias; AUX0 = [mean; biased var] (2·C: the batch statistics
// batchNormStatsUpdate reads), AUX1 = [shift; dm] (2·C).

// Batch norm of x [N, C] (S = 1): a channel's values are C apart, so these passes run along the
// rows with four channels per vector, the per-channel quantities in [C] arrays: the shift and dm
// in AUX1, the float32 partials (over CHUNK rows) and float64 totals, the coefficients in the
// arena (the plan's workspace: 7·C words, what the backward takes).

/** tot[c] = Σ_i e or Σ_i e² (square) over the rows for the channels c in [c0, c1), e = (x[i, c] − shift[c]) − dm[c] (dm: 0 for none). */
@inline function columnSums(x: usize, N: i32, C: i32, c0: i32, c1: i32, shift: usize, dm: usize, square: bool, part: usize, tot: usize): void {
  memory.fill(tot + (<usize>c0 << 3), 0, <usize>(c1 - c0) << 3);
  for (let i0 = 0; i0 < N; i0 += CHUNK) {
    memory.fill(part + (<usize>c0 << 2), 0, <usize>(c1 - c0) << 2);
    for (let i = i0, i1 = min(i0 + CHUNK, N); i < i1; i++) {
      const row = x + ((<usize>i * <usize>C) << 2);
      let c = c0;
      if (ASC_FEATURE_SIMD)
        for (; c + 4 <= c1; c += 4) {
          const o = <usize>c << 2;
          let e = f32x4.sub(v128.load(row + o), v128.load(shift + o));
          if (dm) e = f32x4.sub(e, v128.load(dm + o));
          v128.store(part + o, square ? madd(e, e, v128.load(part + o)) : f32x4.add(v128.load(part + o), e));
        }
      for (; c < c1; c++) {
        const o = <usize>c << 2;
        const e = load<f32>(row + o) - load<f32>(shift + o) - (dm ? load<f32>(dm + o) : 0);
        store<f32>(part + o, load<f32>(part + o) + (square ? e * e : e));
      }
    }
    for (let c = c0; c < c1; c++) store<f64>(tot + (<usize>c << 3), load<f64>(tot + (<usize>c << 3)) + <f64>load<f32>(part + (<usize>c << 2)));
  }
}

/** x − shift − dm at byte offset o of a row and of the per-channel arrays: a value centred on the shift, then on the mean's remainder dm (the one order every row loop of the [N, C] batch norm uses). */
@inline function centredV(row: usize, shift: usize, dm: usize, o: usize): v128 {
  return f32x4.sub(f32x4.sub(v128.load(row + o), v128.load(shift + o)), v128.load(dm + o));
}
@inline function centred(row: usize, shift: usize, dm: usize, o: usize): f32 {
  return load<f32>(row + o) - load<f32>(shift + o) - load<f32>(dm + o);
}

/**
 * Batch norm over [N, C] (S = 1): the channels are columns, summed down the rows. Scratch per
 * channel: 20 bytes forward (batchNormColumnsFwd's tot), 28 backward (batchNormColumnsBwd's tg).
 */
function batchNormRows(rec: usize, backward: bool): void {
  const C = param(rec, 1), scratch = arenaAlloc(<usize>C * (backward ? 28 : 20));
  if (ASC_FEATURE_THREADS) {
    if (batchNormRowsSplit(rec, backward, scratch)) return;
  }
  batchNormColumns(rec, backward, 0, C, scratch);
}

/** Channels [c0, c1) of the [N, C] forward or backward, on the whole record's scratch. */
@inline function batchNormColumns(rec: usize, backward: bool, c0: i32, c1: i32, scratch: usize): void {
  if (backward) batchNormColumnsBwd(rec, c0, c1, scratch);
  else batchNormColumnsFwd(rec, c0, c1, scratch);
}

/**
 * Channels [c0, c1) of the [N, C] forward (c0 a multiple of 4, c1 too or C: each channel takes the
 * SIMD or the scalar path it takes in the whole row); tot: the float64 totals, then the float32
 * partials and the coefficients a, b ([C] each).
 */
function batchNormColumnsFwd(rec: usize, c0: i32, c1: i32, tot: usize): void {
  const N = param(rec, 0), C = param(rec, 1), eps = <f64>paramf(rec, 3);
  const w = param(rec, 4) ? ptr(rec, IN + 1) : 0, b = param(rec, 5) ? ptr(rec, IN + 2) : 0;
  const x = ptr(rec, IN), y = ptr(rec, OUT), stats = ptr(rec, AUX), shift = ptr(rec, AUX + 1), dm = shift + (<usize>C << 2);
  const part = tot + (<usize>C << 3), av = part + (<usize>C << 2), bv = av + (<usize>C << 2);
  memory.copy(shift + (<usize>c0 << 2), x + (<usize>c0 << 2), <usize>(c1 - c0) << 2); // the first row
  columnSums(x, N, C, c0, c1, shift, 0, false, part, tot);
  for (let c = c0; c < c1; c++) store<f32>(dm + (<usize>c << 2), <f32>(load<f64>(tot + (<usize>c << 3)) / <f64>N));
  columnSums(x, N, C, c0, c1, shift, dm, true, part, tot);
  for (let c = c0; c < c1; c++) {
    const o = <usize>c << 2, v = <f32>(load<f64>(tot + (<usize>c << 3)) / <f64>N), rstd = batchRstd(<f64>v, eps);
    store<f32>(stats + o, <f32>(<f64>load<f32>(shift + o) + <f64>load<f32>(dm + o)));
    store<f32>(stats + (<usize>C << 2) + o, v);
    store<f32>(av + o, w ? rstd * load<f32>(w + o) : rstd);
    store<f32>(bv + o, b ? load<f32>(b + o) : 0);
  }
  for (let i = 0; i < N; i++) {
    const ro = (<usize>i * <usize>C) << 2;
    let c = c0;
    if (ASC_FEATURE_SIMD)
      for (; c + 4 <= c1; c += 4) {
        const o = <usize>c << 2;
        const e = centredV(x + ro, shift, dm, o);
        v128.store(y + ro + o, madd(e, v128.load(av + o), v128.load(bv + o)));
      }
    for (; c < c1; c++) {
      const o = <usize>c << 2;
      store<f32>(y + ro + o, centred(x + ro, shift, dm, o) * load<f32>(av + o) + load<f32>(bv + o));
    }
  }
}

/**
 * Channels [c0, c1) of the [N, C] backward (cut as batchNormColumnsFwd); tg: the float64 totals
 * Σg, Σg·e, then the float32 partials of each and the coefficients' third array ([C] each).
 */
function batchNormColumnsBwd(rec: usize, c0: i32, c1: i32, tg: usize): void {
  const N = param(rec, 0), C = param(rec, 1), eps = <f64>paramf(rec, 3);
  const w = param(rec, 4) ? ptr(rec, IN + 1) : 0;
  const gx = ptr(rec, GIN), gw = param(rec, 4) ? ptr(rec, GIN + 1) : 0, gb = param(rec, 5) ? ptr(rec, GIN + 2) : 0;
  const x = ptr(rec, IN), g = ptr(rec, GOUT), stats = ptr(rec, AUX), shift = ptr(rec, AUX + 1), dm = shift + (<usize>C << 2);
  const tge = tg + (<usize>C << 3), pg = tge + (<usize>C << 3), pge = pg + (<usize>C << 2), sv = pge + (<usize>C << 2);
  const o0 = <usize>c0 << 2, n4 = <usize>(c1 - c0) << 2;
  memory.fill(tg + (o0 << 1), 0, n4 << 1);
  memory.fill(tge + (o0 << 1), 0, n4 << 1);
  for (let i0 = 0; i0 < N; i0 += CHUNK) {
    memory.fill(pg + o0, 0, n4);
    memory.fill(pge + o0, 0, n4);
    for (let i = i0, i1 = min(i0 + CHUNK, N); i < i1; i++) {
      const ro = (<usize>i * <usize>C) << 2;
      let c = c0;
      if (ASC_FEATURE_SIMD)
        for (; c + 4 <= c1; c += 4) {
          const o = <usize>c << 2, gv = v128.load(g + ro + o);
          const e = centredV(x + ro, shift, dm, o);
          v128.store(pg + o, f32x4.add(v128.load(pg + o), gv));
          v128.store(pge + o, madd(gv, e, v128.load(pge + o)));
        }
      for (; c < c1; c++) {
        const o = <usize>c << 2, gv = load<f32>(g + ro + o);
        const e = centred(x + ro, shift, dm, o);
        store<f32>(pg + o, load<f32>(pg + o) + gv);
        store<f32>(pge + o, load<f32>(pge + o) + gv * e);
      }
    }
    for (let c = c0; c < c1; c++) {
      const o = <usize>c << 3, q = <usize>c << 2;
      store<f64>(tg + o, load<f64>(tg + o) + <f64>load<f32>(pg + q));
      store<f64>(tge + o, load<f64>(tge + o) + <f64>load<f32>(pge + q));
    }
  }
  // Per channel as the strided path: dγ, dβ, then dx's coefficients (cm in pg, k2 in pge, γ·rstd in sv).
  const n = <f64>N;
  for (let c = c0; c < c1; c++) {
    const q = <usize>c << 2, sG = load<f64>(tg + (<usize>c << 3)), sGE = load<f64>(tge + (<usize>c << 3));
    const r64 = <f64>batchRstd(<f64>load<f32>(stats + (<usize>C << 2) + q), eps);
    if (gw) store<f32>(gw + q, load<f32>(gw + q) + <f32>(r64 * sGE));
    if (gb) store<f32>(gb + q, load<f32>(gb + q) + <f32>sG);
    const gr: f64 = w ? <f64>load<f32>(w + q) * r64 : r64;
    store<f32>(pg + q, <f32>(-sG / n));
    store<f32>(pge + q, <f32>((-gr * r64 * r64 * sGE) / n));
    store<f32>(sv + q, <f32>gr);
  }
  if (!gx) return;
  const set = overwrites(rec, 0);
  for (let i = 0; i < N; i++) {
    const ro = (<usize>i * <usize>C) << 2;
    let c = c0;
    if (ASC_FEATURE_SIMD)
      for (; c + 4 <= c1; c += 4) {
        const o = <usize>c << 2;
        const e = centredV(x + ro, shift, dm, o);
        const d = madd(f32x4.add(v128.load(g + ro + o), v128.load(pg + o)), v128.load(sv + o), f32x4.mul(e, v128.load(pge + o)));
        v128.store(gx + ro + o, set ? d : f32x4.add(v128.load(gx + ro + o), d));
      }
    for (; c < c1; c++) {
      const o = <usize>c << 2;
      const e = centred(x + ro, shift, dm, o);
      const d = (load<f32>(g + ro + o) + load<f32>(pg + o)) * load<f32>(sv + o) + e * load<f32>(pge + o);
      store<f32>(gx + ro + o, set ? d : load<f32>(gx + ro + o) + d);
    }
  }
}

export function f32_batch_norm_fwd(rec: usize): void {
  if (param(rec, 2) == 1 && param(rec, 0) > 0) return batchNormRows(rec, false);
  if (ASC_FEATURE_THREADS) {
    if (batchNormSplit(rec, false)) return;
  }
  for (let c = 0, C = param(rec, 1); c < C; c++) batchNormChannelFwd(rec, c);
}

// dx = γ·rstd·(g − Σg/n − x̂·Σg·x̂/n) per channel: (g + c)·γ·rstd + k2·e with c = −Σg/n,
// k2 = −γ·rstd³·Σge/n.
export function f32_batch_norm_bwd(rec: usize): void {
  const N = param(rec, 0), C = param(rec, 1), S = param(rec, 2);
  clearAffine(rec, 4, 5);
  if (<f64>N * <f64>S == 0) return; // an empty batch: no gradient (its statistics are NaN)
  if (S == 1) return batchNormRows(rec, true);
  if (ASC_FEATURE_THREADS) {
    if (batchNormSplit(rec, true)) return;
  }
  for (let c = 0; c < C; c++) batchNormChannelBwd(rec, c);
}

// ---- batch norm of [N, C, S] across the worker pool (threads builds) -----------------------------
// Channels are independent: they are cut into one run per thread, and each channel's statistics,
// normalised values and gradients are computed by one part in the single-thread order, so results
// are bit-identical for any thread count. The kernels' own loops run the same per-channel bodies.

/** Values (N·C·S) from which the batch norm is split: a few passes of ~1 ns each over 2¹⁶ values outweigh a wake-up. */
const SPLIT_VALUES: u64 = 1 << 16;

/** Runs the batch-norm record's channels across the pool and returns true, or false (nothing done) when it stays inline. */
function batchNormSplit(rec: usize, backward: bool): bool {
  const N = param(rec, 0), C = param(rec, 1), S = param(rec, 2), t = poolThreads();
  if (t <= 1 || C < 2 || <u64>N * <u64>C * <u64>S < SPLIT_VALUES) return false;
  setTaskArg(0, <i32>rec);
  if (backward) poolRun(batchNormBwdTask, 0);
  else poolRun(batchNormFwdTask, 0);
  return true;
}

/** Part `part` of a batch-norm forward (pool.ts Task; argument 0: the record): its run of channels. */
function batchNormFwdTask(part: i32, parts: i32, ws: usize): void {
  const rec = taskPtr(0), C = param(rec, 1);
  for (let c = partFrom(C, part, parts, 1), end = partFrom(C, part + 1, parts, 1); c < end; c++) batchNormChannelFwd(rec, c);
}

/** Part `part` of a batch-norm backward: its run of channels. */
function batchNormBwdTask(part: i32, parts: i32, ws: usize): void {
  const rec = taskPtr(0), C = param(rec, 1);
  for (let c = partFrom(C, part, parts, 1), end = partFrom(C, part + 1, parts, 1); c < end; c++) batchNormChannelBwd(rec, c);
}

// Over [N, C] (S = 1) the channels are columns: parts take runs of whole 16-column groups (so each
// channel keeps its SIMD or scalar path, and no two parts write into one 64-byte line of a row) and
// run the kernels' column passes on them, every channel summed over the rows in the single-thread
// order, from the same threshold.

// Argument words of a split [N, C] batch norm.
const B_REC = 0, B_SCRATCH = 1, B_BWD = 2;

/** Runs the [N, C] batch norm's channels across the pool and returns true, or false when it stays inline (scratch: the per-channel arrays of the column passes). */
function batchNormRowsSplit(rec: usize, backward: bool, scratch: usize): bool {
  const N = param(rec, 0), C = param(rec, 1), t = poolThreads();
  if (t <= 1 || C < 32 || <u64>N * <u64>C < SPLIT_VALUES) return false;
  setTaskArg(B_REC, <i32>rec);
  setTaskArg(B_SCRATCH, <i32>scratch);
  setTaskArg(B_BWD, backward ? 1 : 0);
  poolRun(batchNormColumnsTask, 0);
  return true;
}

/** Part `part` of an [N, C] batch norm (pool.ts Task): its run of 16-channel groups. */
function batchNormColumnsTask(part: i32, parts: i32, ws: usize): void {
  const rec = taskPtr(B_REC), C = param(rec, 1), c0 = partFrom(C, part, parts, 16), c1 = partFrom(C, part + 1, parts, 16);
  batchNormColumns(rec, taskArg(B_BWD) != 0, c0, c1, taskPtr(B_SCRATCH));
}

/** Channel c of f32_batch_norm_fwd: statistics into AUX, y. */
@inline function batchNormChannelFwd(rec: usize, c: i32): void {
  const N = param(rec, 0), C = param(rec, 1), S = param(rec, 2), eps = <f64>paramf(rec, 3);
  const w = param(rec, 4) ? ptr(rec, IN + 1) : 0, b = param(rec, 5) ? ptr(rec, IN + 2) : 0;
  const x = ptr(rec, IN), y = ptr(rec, OUT), stats = ptr(rec, AUX), sh = ptr(rec, AUX + 1);
  const n = <f64>N * <f64>S, stride = (<usize>C * <usize>S) << 2;
  const co = (<usize>c * <usize>S) << 2, cw = <usize>c << 2;
  const shift: f32 = n > 0 ? load<f32>(x + co) : 0;
  let total: f64 = 0;
  for (let i = 0; i < N; i++) total += sumDiff(x + co + <usize>i * stride, S, shift);
  const dm = <f32>(total / n);
  total = 0;
  for (let i = 0; i < N; i++) total += sumSq(x + co + <usize>i * stride, S, shift, dm);
  const v = <f32>(total / n);
  store<f32>(stats + cw, <f32>(<f64>shift + <f64>dm));
  store<f32>(stats + ((<usize>C << 2) + cw), v);
  store<f32>(sh + cw, shift);
  store<f32>(sh + ((<usize>C << 2) + cw), dm);
  const rstd = batchRstd(<f64>v, eps);
  const a = w ? rstd * load<f32>(w + cw) : rstd, beta: f32 = b ? load<f32>(b + cw) : 0;
  for (let i = 0; i < N; i++) affineSpan(x + co + <usize>i * stride, y + co + <usize>i * stride, S, shift, dm, a, beta);
}

/** Channel c of f32_batch_norm_bwd: dγ, dβ and dx of its values. */
@inline function batchNormChannelBwd(rec: usize, c: i32): void {
  const N = param(rec, 0), C = param(rec, 1), S = param(rec, 2), eps = <f64>paramf(rec, 3);
  const w = param(rec, 4) ? ptr(rec, IN + 1) : 0;
  const gx = ptr(rec, GIN), gw = param(rec, 4) ? ptr(rec, GIN + 1) : 0, gb = param(rec, 5) ? ptr(rec, GIN + 2) : 0;
  const x = ptr(rec, IN), g = ptr(rec, GOUT), stats = ptr(rec, AUX), sh = ptr(rec, AUX + 1);
  const n = <f64>N * <f64>S, stride = (<usize>C * <usize>S) << 2;
  const co = (<usize>c * <usize>S) << 2, cw = <usize>c << 2;
  const shift = load<f32>(sh + cw), dm = load<f32>(sh + ((<usize>C << 2) + cw));
  const rstd = batchRstd(<f64>load<f32>(stats + ((<usize>C << 2) + cw)), eps);
  sumG = 0;
  sumGE = 0;
  for (let i = 0; i < N; i++) gradElements(x + co + <usize>i * stride, g + co + <usize>i * stride, S, shift, dm, rstd, 0, 0, 0);
  if (gw) store<f32>(gw + cw, load<f32>(gw + cw) + <f32>(<f64>rstd * sumGE));
  if (gb) store<f32>(gb + cw, load<f32>(gb + cw) + <f32>sumG);
  if (!gx) return;
  const r64 = <f64>rstd, gr: f64 = w ? <f64>load<f32>(w + cw) * r64 : r64;
  const k2 = <f32>((-gr * r64 * r64 * sumGE) / n), cm = <f32>(-sumG / n);
  for (let i = 0; i < N; i++) {
    const so = co + <usize>i * stride;
    dxSpan(x + so, g + so, gx + so, S, shift, dm, 1, cm, <f32>gr, k2, overwrites(rec, 0));
  }
}
