// maxPool2d and avgPool2d, NCHW, one (n, c) plane at a time.
// Output columns whose window lies wholly inside the input row ("interior") are computed four at
// a time: lane t handles column ox + t, reading x[iy][(ox + t)·sw − pw + j] (one v128.load when
// sw = 1, a 4-lane gather otherwise). Border columns, whose window is clipped by the padding, go
// through the scalar path. Rows are clipped the same way for both paths. The scalar build takes the
// scalar path for every column.
import { AUX, GIN, GOUT, IN, OUT, P, ptr } from '../record';
import { endInside, firstInside } from './conv';

/** The kernel parameters as laid out by src/ops/conv.ts (record words P0..P10). */
@unmanaged class PoolGeom {
  planes: i32; h: i32; w: i32; oh: i32; ow: i32; kh: i32; kw: i32; sh: i32; sw: i32; ph: i32; pw: i32;
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

// ---- max pooling -----------------------------------------------------------------------------
// PyTorch's rule: a value replaces the running max when it is greater or NaN, so ties keep the
// first max in row-major window order, NaN propagates, and the padding never wins (it acts as
// −∞; every window holds at least one input value because padding ≤ kernel / 2). AUX0 keeps the
// winner's index within its input plane (iy·W + ix) for the backward.

export function f32_max_pool_2d_fwd(rec: usize): void {
  const g = geom(rec);
  const h = g.h, w = g.w, oh = g.oh, ow = g.ow, kh = g.kh, kw = g.kw, sh = g.sh, sw = g.sw, ph = g.ph, pw = g.pw;
  const x = ptr(rec, IN), out = ptr(rec, OUT), arg = ptr(rec, AUX);
  // Interior columns: window start ox·sw − pw ≥ 0 and window end ox·sw − pw + kw ≤ W.
  const lo = min(firstInside(-pw, sw), ow), hi = max(lo, endInside(kw - 1 - pw, sw, w, ow));
  for (let plane = 0; plane < g.planes; plane++) {
    const xp = x + (<usize>(plane * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph, ylo = max(y0, 0), yhi = min(y0 + kh, h);
      const o = (plane * oh + oy) * ow;
      let ox = 0;
      while (ox < ow) {
        const x0 = ox * sw - pw;
        if (ASC_FEATURE_SIMD && ox >= lo && ox + 4 <= hi) {
          const lanes = i32x4(0, sw, 2 * sw, 3 * sw);
          let m = f32x4.splat(-Infinity);
          let idx = i32x4.add(i32x4.splat(ylo * w + x0), lanes);
          for (let iy = ylo; iy < yhi; iy++) {
            for (let j = 0; j < kw; j++) {
              const pos = iy * w + x0 + j;
              const v = gather4(xp + (<usize>pos << 2), sw);
              const take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
              m = v128.bitselect(v, m, take);
              idx = v128.bitselect(i32x4.add(i32x4.splat(pos), lanes), idx, take);
            }
          }
          v128.store(out + (<usize>(o + ox) << 2), m);
          v128.store(arg + (<usize>(o + ox) << 2), idx);
          ox += 4;
        } else {
          const xlo = max(x0, 0), xhi = min(x0 + kw, w);
          let m: f32 = -Infinity;
          let idx = ylo * w + xlo;
          for (let iy = ylo; iy < yhi; iy++) {
            for (let ix = xlo; ix < xhi; ix++) {
              const v = load<f32>(xp + (<usize>(iy * w + ix) << 2));
              if (v > m || v != v) {
                m = v;
                idx = iy * w + ix;
              }
            }
          }
          store<f32>(out + (<usize>(o + ox) << 2), m);
          store<i32>(arg + (<usize>(o + ox) << 2), idx);
          ox++;
        }
      }
    }
  }
}

// The gradient goes to the saved argmax. Overlapping windows (stride < kernel) can route several
// outputs to the same input, so this is a scalar scatter-add.
export function f32_max_pool_2d_bwd(rec: usize): void {
  const g = geom(rec);
  const gx = ptr(rec, GIN), gout = ptr(rec, GOUT), arg = ptr(rec, AUX);
  if (gx == 0) return;
  const hw = g.h * g.w, ohw = g.oh * g.ow;
  for (let plane = 0; plane < g.planes; plane++) {
    const gp = gx + (<usize>(plane * hw) << 2);
    for (let t = plane * ohw, end = t + ohw; t < end; t++) {
      const p = gp + (<usize>load<i32>(arg + (<usize>t << 2)) << 2);
      store<f32>(p, load<f32>(p) + load<f32>(gout + (<usize>t << 2)));
    }
  }
}

// ---- average pooling -------------------------------------------------------------------------
// count_include_pad = true (PyTorch's default): every window divides by kh·kw, padding counting as
// zeros. (In floor mode no window reaches past the padded input, so kh·kw is always the count.)

export function f32_avg_pool_2d_fwd(rec: usize): void {
  const g = geom(rec);
  const h = g.h, w = g.w, oh = g.oh, ow = g.ow, kh = g.kh, kw = g.kw, sh = g.sh, sw = g.sw, ph = g.ph, pw = g.pw;
  const x = ptr(rec, IN), out = ptr(rec, OUT);
  const inv: f32 = 1 / <f32>(kh * kw);
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
          v128.store(o + (<usize>ox << 2), f32x4.mul(s, f32x4.splat(inv)));
          ox += 4;
        } else {
          const xlo = max(x0, 0), xhi = min(x0 + kw, w);
          let s: f32 = 0;
          for (let iy = ylo; iy < yhi; iy++)
            for (let ix = xlo; ix < xhi; ix++) s += load<f32>(xp + (<usize>(iy * w + ix) << 2));
          store<f32>(o + (<usize>ox << 2), s * inv);
          ox++;
        }
      }
    }
  }
}

// Each output spreads g / (kh·kw) over its window's inputs. With sw = 1 four neighbouring outputs
// hit four neighbouring inputs at every tap, so interior columns add one vector per tap (no lane
// collides with another); other strides scatter one value at a time.
export function f32_avg_pool_2d_bwd(rec: usize): void {
  const g = geom(rec);
  const h = g.h, w = g.w, oh = g.oh, ow = g.ow, kh = g.kh, kw = g.kw, sh = g.sh, sw = g.sw, ph = g.ph, pw = g.pw;
  const gx = ptr(rec, GIN), gout = ptr(rec, GOUT);
  if (gx == 0) return;
  const inv: f32 = 1 / <f32>(kh * kw);
  const vector = sw == 1;
  const lo = min(firstInside(-pw, sw), ow), hi = max(lo, endInside(kw - 1 - pw, sw, w, ow));
  for (let plane = 0; plane < g.planes; plane++) {
    const gp = gx + (<usize>(plane * h * w) << 2);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph, ylo = max(y0, 0), yhi = min(y0 + kh, h);
      const go = gout + (<usize>((plane * oh + oy) * ow) << 2);
      let ox = 0;
      while (ox < ow) {
        const x0 = ox * sw - pw;
        if (ASC_FEATURE_SIMD && vector && ox >= lo && ox + 4 <= hi) {
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
          const v = load<f32>(go + (<usize>ox << 2)) * inv;
          for (let iy = ylo; iy < yhi; iy++) {
            for (let ix = xlo; ix < xhi; ix++) {
              const p = gp + (<usize>(iy * w + ix) << 2);
              store<f32>(p, load<f32>(p) + v);
            }
          }
          ox++;
        }
      }
    }
  }
}
