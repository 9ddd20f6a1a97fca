// Pooling, NCHW, one (n, c) plane at a time: maxPool2d (dilation, ceil mode), avgPool2d (ceil
// mode, countIncludePad, divisorOverride), the adaptive pools, and the argmax-only kernels of
// returnIndices.
// Window pools: output columns whose window lies wholly inside the input row ("interior") are
// computed four at a time: lane t handles column ox + t, reading x[iy][(ox + t)·sw − pw + j·dw]
// (one v128.load when sw = 1, a 4-lane gather otherwise). Border columns, whose window is clipped
// by the padding or by ceil mode's last window, go through the scalar path. Rows are clipped the
// same way for both paths. The scalar build takes the scalar path for every column.
import { AUX, GIN, GOUT, IN, OUT, overwrites, P, REC_WORDS, ptr } from '../record';
import { arenaAlloc } from '../arena';
import { partFrom, poolRun, poolThreads, setTaskArg, taskPtr } from '../pool';
import { endInside, firstInside } from './conv';

/**
 * The kernel parameters as laid out by src/ops/pool.ts (record words P0..P14). The adaptive pools
 * use the first five.
 */
@unmanaged class PoolGeom {
  planes: i32; h: i32; w: i32; oh: i32; ow: i32; kh: i32; kw: i32; sh: i32; sw: i32; ph: i32; pw: i32;
  dh: i32; dw: i32; countPad: i32; divisor: i32;
}

@inline function geom(rec: usize): PoolGeom {
  return changetype<PoolGeom>(rec + (<usize>P << 2));
}

/** Floats p[0], p[s], p[2s], p[3s] as one vector. */
@inline function gather4(p: usize, s: i32): v128 {
  if (s == 1) return v128.load(p);
  const s4 = <usize>s << 2;
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + s4));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * s4));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * s4));
}

// ---- windows ---------------------------------------------------------------------------------
// A window reads input rows lo, lo + step, … < hi (its taps inside the input) and likewise
// columns. A window pool's taps are start + i·d, i < k; an adaptive window is a run of step 1.

/** First input position of the taps start + i·d (i < k) inside [0, size). */
@inline function tapLo(start: i32, d: i32): i32 {
  return start + firstInside(start, d) * d;
}

/** Bound past the last such tap (at least tapLo). */
@inline function tapHi(start: i32, d: i32, k: i32, size: i32): i32 {
  return start + max(firstInside(start, d), endInside(start, d, size, k)) * d;
}

/**
 * The max of plane xp (width w) over a window and its position iy·w + ix, stored at out (unless
 * out is 0) and arg. A value replaces the max when greater or NaN (PyTorch's rule): ties keep the
 * first in row-major order, NaN propagates, and the padding never wins (every window holds an
 * input value: padding ≤ kernel / 2, and ceil mode's last window starts inside the input).
 */
@inline function windowMax(xp: usize, w: i32, ylo: i32, yhi: i32, sy: i32, xlo: i32, xhi: i32, sx: i32, out: usize, arg: usize): void {
  let m: f32 = -Infinity;
  let idx = ylo * w + xlo;
  for (let iy = ylo; iy < yhi; iy += sy) {
    for (let ix = xlo; ix < xhi; ix += sx) {
      const v = load<f32>(xp + (<usize>(iy * w + ix) << 2));
      if (v > m || v != v) {
        m = v;
        idx = iy * w + ix;
      }
    }
  }
  if (out) store<f32>(out, m);
  store<i32>(arg, idx);
}

/** Σ of plane xp over a window of step-1 rows and columns. */
@inline function windowSum(xp: usize, w: i32, ylo: i32, yhi: i32, xlo: i32, xhi: i32): f32 {
  let s: f32 = 0;
  for (let iy = ylo; iy < yhi; iy++)
    for (let ix = xlo; ix < xhi; ix++) s += load<f32>(xp + (<usize>(iy * w + ix) << 2));
  return s;
}

/** Adds v to every element of a window of plane gp. */
@inline function windowSpread(gp: usize, w: i32, ylo: i32, yhi: i32, xlo: i32, xhi: i32, v: f32): void {
  for (let iy = ylo; iy < yhi; iy++) {
    for (let ix = xlo; ix < xhi; ix++) {
      const p = gp + (<usize>(iy * w + ix) << 2);
      store<f32>(p, load<f32>(p) + v);
    }
  }
}

/**
 * Where a backward record overwrites its fresh input gradient (FLAG_OVERWRITE), each kernel below
 * clears a plane of it right before scattering into that plane, instead of the whole buffer being
 * zero-filled by a record of its own: the plane is then still in cache when the scatter reads it.
 */
@inline function clearPlane(rec: usize, gp: usize, g: PoolGeom): void {
  if (overwrites(rec, 0)) memory.fill(gp, 0, <usize>(g.h * g.w) << 2);
}

/**
 * The gradient of a max goes to the saved argmax. Overlapping windows (stride < kernel, adaptive
 * windows) can route several outputs to the same input, so this is a scalar scatter-add.
 */
function scatterToArgmax(rec: usize, g: PoolGeom, gx: usize, gout: usize, arg: usize): void {
  const hw = g.h * g.w, ohw = g.oh * g.ow;
  for (let plane = 0; plane < g.planes; plane++) {
    const gp = gx + (<usize>(plane * hw) << 2);
    clearPlane(rec, gp, g);
    for (let t = plane * ohw, end = t + ohw; t < end; t++) {
      const p = gp + (<usize>load<i32>(arg + (<usize>t << 2)) << 2);
      store<f32>(p, load<f32>(p) + load<f32>(gout + (<usize>t << 2)));
    }
  }
}

// ---- max pooling -----------------------------------------------------------------------------
// AUX0 keeps each winner's index within its input plane (iy·W + ix) for the backward.

/** Max pooling of x into out (0: only the indices) and arg. */
function maxPool(g: PoolGeom, x: usize, out: usize, arg: usize): void {
  const h = g.h, w = g.w, oh = g.oh, ow = g.ow, kh = g.kh, kw = g.kw, sh = g.sh, sw = g.sw, ph = g.ph, pw = g.pw, dh = g.dh, dw = g.dw;
  // Interior columns: window start ox·sw − pw ≥ 0 and last tap ox·sw − pw + dw·(kw − 1) < W.
  const lo = min(firstInside(-pw, sw), ow), hi = max(lo, endInside(dw * (kw - 1) - pw, sw, w, ow));
  for (let plane = 0; plane < g.planes; plane++) {
    const xp = x + (<usize>(plane * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph, ylo = tapLo(y0, dh), yhi = tapHi(y0, dh, kh, h);
      const o = (plane * oh + oy) * ow;
      let ox = 0;
      while (ox < ow) {
        const x0 = ox * sw - pw;
        if (ASC_FEATURE_SIMD && ox >= lo && ox + 4 <= hi) {
          const lanes = i32x4(0, sw, 2 * sw, 3 * sw);
          let m = f32x4.splat(-Infinity);
          let idx = i32x4.add(i32x4.splat(ylo * w + x0), lanes);
          for (let iy = ylo; iy < yhi; iy += dh) {
            for (let j = 0; j < kw; j++) {
              const pos = iy * w + x0 + j * dw;
              const v = gather4(xp + (<usize>pos << 2), sw);
              const take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
              m = v128.bitselect(v, m, take);
              idx = v128.bitselect(i32x4.add(i32x4.splat(pos), lanes), idx, take);
            }
          }
          if (out) v128.store(out + (<usize>(o + ox) << 2), m);
          v128.store(arg + (<usize>(o + ox) << 2), idx);
          ox += 4;
        } else {
          const at = <usize>(o + ox) << 2;
          windowMax(xp, w, ylo, yhi, dh, tapLo(x0, dw), tapHi(x0, dw, kw, w), dw, out ? out + at : 0, arg + at);
          ox++;
        }
      }
    }
  }
}

export function f32_max_pool_2d_fwd(rec: usize): void {
  if (ASC_FEATURE_THREADS) {
    if (planeSplit(rec, f32_max_pool_2d_fwd)) return;
  }
  maxPool(geom(rec), ptr(rec, IN), ptr(rec, OUT), ptr(rec, AUX));
}

export function f32_max_pool_2d_bwd(rec: usize): void {
  if (ASC_FEATURE_THREADS) {
    if (planeSplit(rec, f32_max_pool_2d_bwd)) return;
  }
  const gx = ptr(rec, GIN);
  if (gx) scatterToArgmax(rec, geom(rec), gx, ptr(rec, GOUT), ptr(rec, AUX));
}

export function f32_max_pool_2d_indices_fwd(rec: usize): void {
  if (ASC_FEATURE_THREADS) {
    if (planeSplit(rec, f32_max_pool_2d_indices_fwd)) return;
  }
  maxPool(geom(rec), ptr(rec, IN), 0, ptr(rec, OUT));
}

// ---- average pooling -------------------------------------------------------------------------

/**
 * The divisor of the window starting at (y0, x0), reading rows [ylo, yhi) and columns [xlo, xhi)
 * of the input: divisorOverride; or with countIncludePad the window clipped to the padded input
 * (kh·kw except for ceil mode's last windows); or the input values it reads. Interior columns
 * (the window inside the input row) share one divisor: the row's times kw.
 */
@inline function avgDivisor(g: PoolGeom, y0: i32, ylo: i32, yhi: i32, x0: i32, xlo: i32, xhi: i32): f32 {
  if (g.divisor) return <f32>g.divisor;
  if (g.countPad) return <f32>((min(y0 + g.kh, g.h + g.ph) - y0) * (min(x0 + g.kw, g.w + g.pw) - x0));
  return <f32>((yhi - ylo) * (xhi - xlo));
}

export function f32_avg_pool_2d_fwd(rec: usize): void {
  if (ASC_FEATURE_THREADS) {
    if (planeSplit(rec, f32_avg_pool_2d_fwd)) return;
  }
  const g = geom(rec);
  const h = g.h, w = g.w, oh = g.oh, ow = g.ow, kh = g.kh, kw = g.kw, sh = g.sh, sw = g.sw, ph = g.ph, pw = g.pw;
  const x = ptr(rec, IN), out = ptr(rec, OUT);
  const lo = min(firstInside(-pw, sw), ow), hi = max(lo, endInside(kw - 1 - pw, sw, w, ow));
  for (let plane = 0; plane < g.planes; plane++) {
    const xp = x + (<usize>(plane * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph, ylo = max(y0, 0), yhi = min(y0 + kh, h);
      const o = out + (<usize>((plane * oh + oy) * ow) << 2);
      let ox = 0;
      while (ox < ow) {
        const x0 = ox * sw - pw;
        if (ASC_FEATURE_SIMD && ox >= lo && ox + 4 <= hi) {
          let s = f32x4.splat(0);
          for (let iy = ylo; iy < yhi; iy++)
            for (let j = 0; j < kw; j++) s = f32x4.add(s, gather4(xp + (<usize>(iy * w + x0 + j) << 2), sw));
          const inv: f32 = 1 / avgDivisor(g, y0, ylo, yhi, x0, x0, x0 + kw);
          v128.store(o + (<usize>ox << 2), f32x4.mul(s, f32x4.splat(inv)));
          ox += 4;
        } else {
          const xlo = max(x0, 0), xhi = min(x0 + kw, w);
          store<f32>(o + (<usize>ox << 2), windowSum(xp, w, ylo, yhi, xlo, xhi) * (1 / avgDivisor(g, y0, ylo, yhi, x0, xlo, xhi)));
          ox++;
        }
      }
    }
  }
}

// Each output spreads g / divisor over its window's inputs. With sw = 1 four neighbouring outputs
// hit four neighbouring inputs at every tap, so interior columns add one vector per tap (no lane
// collides with another); other strides scatter one value at a time.
export function f32_avg_pool_2d_bwd(rec: usize): void {
  if (ASC_FEATURE_THREADS) {
    if (planeSplit(rec, f32_avg_pool_2d_bwd)) return;
  }
  const g = geom(rec);
  const h = g.h, w = g.w, oh = g.oh, ow = g.ow, kh = g.kh, kw = g.kw, sh = g.sh, sw = g.sw, ph = g.ph, pw = g.pw;
  const gx = ptr(rec, GIN), gout = ptr(rec, GOUT);
  if (gx == 0) return;
  const vector = sw == 1;
  const lo = min(firstInside(-pw, sw), ow), hi = max(lo, endInside(kw - 1 - pw, sw, w, ow));
  for (let plane = 0; plane < g.planes; plane++) {
    const gp = gx + (<usize>(plane * h * w) << 2);
    clearPlane(rec, gp, g);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph, ylo = max(y0, 0), yhi = min(y0 + kh, h);
      const go = gout + (<usize>((plane * oh + oy) * ow) << 2);
      let ox = 0;
      while (ox < ow) {
        const x0 = ox * sw - pw;
        if (ASC_FEATURE_SIMD && vector && ox >= lo && ox + 4 <= hi) {
          const inv: f32 = 1 / avgDivisor(g, y0, ylo, yhi, x0, x0, x0 + kw);
          const v = f32x4.mul(v128.load(go + (<usize>ox << 2)), f32x4.splat(inv));
          for (let iy = ylo; iy < yhi; iy++) {
            for (let j = 0; j < kw; j++) {
              const p = gp + (<usize>(iy * w + x0 + j) << 2);
              v128.store(p, f32x4.add(v128.load(p), v));
            }
          }
          ox += 4;
        } else {
          const xlo = max(x0, 0), xhi = min(x0 + kw, w);
          windowSpread(gp, w, ylo, yhi, xlo, xhi, load<f32>(go + (<usize>ox << 2)) * (1 / avgDivisor(g, y0, ylo, yhi, x0, xlo, xhi)));
          ox++;
        }
      }
    }
  }
}

// ---- adaptive pools --------------------------------------------------------------------------
// Output i of a dim covers inputs [floor(i·In / Out), ceil((i + 1)·In / Out)) (PyTorch). These
// are rarely hot (a global pool before the classifier), so they are scalar.

@inline function adaptiveLo(i: i32, size: i32, n: i32): i32 {
  return i * size / n;
}

@inline function adaptiveHi(i: i32, size: i32, n: i32): i32 {
  return ((i + 1) * size + n - 1) / n;
}

/** Adaptive max pooling of x into out (0: only the indices) and arg. */
function adaptiveMax(g: PoolGeom, x: usize, out: usize, arg: usize): void {
  for (let plane = 0; plane < g.planes; plane++) {
    const xp = x + (<usize>(plane * g.h * g.w) << 2);
    for (let oy = 0; oy < g.oh; oy++) {
      const ylo = adaptiveLo(oy, g.h, g.oh), yhi = adaptiveHi(oy, g.h, g.oh);
      for (let ox = 0; ox < g.ow; ox++) {
        const at = <usize>((plane * g.oh + oy) * g.ow + ox) << 2;
        windowMax(xp, g.w, ylo, yhi, 1, adaptiveLo(ox, g.w, g.ow), adaptiveHi(ox, g.w, g.ow), 1, out ? out + at : 0, arg + at);
      }
    }
  }
}

export function f32_adaptive_max_pool_2d_fwd(rec: usize): void {
  if (ASC_FEATURE_THREADS) {
    if (planeSplit(rec, f32_adaptive_max_pool_2d_fwd)) return;
  }
  adaptiveMax(geom(rec), ptr(rec, IN), ptr(rec, OUT), ptr(rec, AUX));
}

export function f32_adaptive_max_pool_2d_bwd(rec: usize): void {
  if (ASC_FEATURE_THREADS) {
    if (planeSplit(rec, f32_adaptive_max_pool_2d_bwd)) return;
  }
  const gx = ptr(rec, GIN);
  if (gx) scatterToArgmax(rec, geom(rec), gx, ptr(rec, GOUT), ptr(rec, AUX));
}

export function f32_adaptive_max_pool_2d_indices_fwd(rec: usize): void {
  if (ASC_FEATURE_THREADS) {
    if (planeSplit(rec, f32_adaptive_max_pool_2d_indices_fwd)) return;
  }
  adaptiveMax(geom(rec), ptr(rec, IN), 0, ptr(rec, OUT));
}

export function f32_adaptive_avg_pool_2d_fwd(rec: usize): void {
  if (ASC_FEATURE_THREADS) {
    if (planeSplit(rec, f32_adaptive_avg_pool_2d_fwd)) return;
  }
  const g = geom(rec), x = ptr(rec, IN), out = ptr(rec, OUT);
  for (let plane = 0; plane < g.planes; plane++) {
    const xp = x + (<usize>(plane * g.h * g.w) << 2);
    for (let oy = 0; oy < g.oh; oy++) {
      const ylo = adaptiveLo(oy, g.h, g.oh), yhi = adaptiveHi(oy, g.h, g.oh);
      for (let ox = 0; ox < g.ow; ox++) {
        const xlo = adaptiveLo(ox, g.w, g.ow), xhi = adaptiveHi(ox, g.w, g.ow);
        const s = windowSum(xp, g.w, ylo, yhi, xlo, xhi);
        store<f32>(out + (<usize>((plane * g.oh + oy) * g.ow + ox) << 2), s / <f32>((yhi - ylo) * (xhi - xlo)));
      }
    }
  }
}

export function f32_adaptive_avg_pool_2d_bwd(rec: usize): void {
  if (ASC_FEATURE_THREADS) {
    if (planeSplit(rec, f32_adaptive_avg_pool_2d_bwd)) return;
  }
  const g = geom(rec), gx = ptr(rec, GIN), gout = ptr(rec, GOUT);
  if (gx == 0) return;
  for (let plane = 0; plane < g.planes; plane++) {
    const gp = gx + (<usize>(plane * g.h * g.w) << 2);
    clearPlane(rec, gp, g);
    for (let oy = 0; oy < g.oh; oy++) {
      const ylo = adaptiveLo(oy, g.h, g.oh), yhi = adaptiveHi(oy, g.h, g.oh);
      for (let ox = 0; ox < g.ow; ox++) {
        const xlo = adaptiveLo(ox, g.w, g.ow), xhi = adaptiveHi(ox, g.w, g.ow);
        const v = load<f32>(gout + (<usize>((plane * g.oh + oy) * g.ow + ox) << 2)) / <f32>((yhi - ylo) * (xhi - xlo));
        windowSpread(gp, g.w, ylo, yhi, xlo, xhi, v);
      }
    }
  }
}

// ---- across the worker pool (threads builds) ---------------------------------------------------
// Every kernel above works plane by plane, and a plane's results (its outputs, indices, or input
// gradient: a window never crosses planes) depend on that plane alone. A record is cut into runs of
// planes, one per thread, and each part runs the kernel itself on its own copy of the record whose
// plane count and buffer pointers (input, output, AUX and the gradients) are narrowed to its run:
// the same code in the same order per plane, so results are bit-identical for any thread count.
// (Inside a part poolThreads() is 1, so the kernel runs inline there.)

/** Values read and written (planes × (H·W + OH·OW)) from which a pool record is split: ~2¹⁶ values take longer than a wake-up. */
const SPLIT_VALUES: u64 = 1 << 16;

type Kernel = (rec: usize) => void;

/** Runs `kernel` on the record's planes across the pool and returns true, or false (nothing done) when it stays inline. */
function planeSplit(rec: usize, kernel: Kernel): bool {
  const g = geom(rec), t = poolThreads();
  if (t <= 1 || g.planes < 2 || <u64>g.planes * <u64>(g.h * g.w + g.oh * g.ow) < SPLIT_VALUES) return false;
  setTaskArg(0, <i32>rec);
  setTaskArg(1, <i32>changetype<usize>(kernel));
  // Part 0's record copy; a worker writes its copy into its own scratch.
  poolRun(planeTask, arenaAlloc(<usize>REC_WORDS << 2));
  return true;
}

/** Pointer field k of record copy r moved on by `words` (0, no buffer, stays 0). */
@inline function shiftField(r: usize, k: i32, words: i32): void {
  const v = load<i32>(r + (<usize>k << 2));
  if (v) store<i32>(r + (<usize>k << 2), v + words);
}

/** Part `part` of a plane job (pool.ts Task; arguments: the record, the kernel): the kernel on a copy of the record narrowed to its planes, written at ws. */
function planeTask(part: i32, parts: i32, ws: usize): void {
  const rec = taskPtr(0), g = geom(rec);
  const from = partFrom(g.planes, part, parts, 1), to = partFrom(g.planes, part + 1, parts, 1);
  if (from >= to) return;
  memory.copy(ws, rec, <usize>REC_WORDS << 2);
  const inWords = from * g.h * g.w, outWords = from * g.oh * g.ow;
  shiftField(ws, IN, inWords);
  shiftField(ws, GIN, inWords);
  shiftField(ws, OUT, outWords);
  shiftField(ws, GOUT, outWords);
  shiftField(ws, AUX, outWords);
  store<i32>(ws + (<usize>P << 2), to - from);
  changetype<Kernel>(taskPtr(1))(ws);
}
