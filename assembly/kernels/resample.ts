// interpolate on NCHW planes: nearest, bilinear and bicubic, scalar (resampling is rarely hot in training:
// one layer of a decoder). Source positions are computed in float32 as PyTorch's CPU kernels do,
// and as src/ops/resample.ts's reference does, so both backends read the same pixels.
import { GIN, GOUT, IN, OUT, P, ptr } from '../record';

/** The kernel parameters as laid out by src/ops/resample.ts (record words P0..P7; flag: alignCorners for bilinear, see nearestIndex for nearest). */
@unmanaged class ResampleGeom {
  planes: i32; h: i32; w: i32; oh: i32; ow: i32; sy: f32; sx: f32; flag: i32;
}

@inline function geom(rec: usize): ResampleGeom {
  return changetype<ResampleGeom>(rec + (<usize>P << 2));
}

/**
 * PyTorch's nearest source, at most size − 1 (flag: 1 nearest-exact, 2 legacy with the size
 * shortcuts, 0 legacy; src/ops/resample.ts): legacy floor(dst · scale) in float32, with the
 * shortcuts the same size and twice the size exact; nearest-exact floor((dst + ½) · scale) with
 * the product in float64 rounded to float32 (PyTorch's floorf of a double).
 */
@inline function nearestIndex(o: i32, size: i32, n: i32, scale: f32, flag: i32): i32 {
  if (flag == 1) return min(<i32>Mathf.floor(<f32>((<f64>o + 0.5) * <f64>scale)), size - 1);
  if (flag == 2 && n == size) return o;
  if (flag == 2 && n == 2 * size) return o >> 1;
  return min(<i32>Mathf.floor(<f32>o * scale), size - 1);
}

/**
 * PyTorch's bilinear source position of output o: scale·o (alignCorners), else
 * scale·(o + ½) − ½ clamped at 0; o itself for the same size.
 */
@inline function linearSource(o: i32, size: i32, n: i32, scale: f32, align: bool): f32 {
  if (n == size) return <f32>o;
  if (align) return scale * <f32>o;
  const s = scale * (<f32>o + 0.5) - 0.5;
  return s < 0 ? 0 : s;
}

/** The lower source index of a position (≥ 0), and its upper neighbour (the last index repeats). */
@inline function lower(src: f32): i32 {
  return <i32>src;
}

@inline function upper(i0: i32, size: i32): i32 {
  return i0 < size - 1 ? i0 + 1 : i0;
}

export function f32_interpolate_nearest_fwd(rec: usize): void {
  const g = geom(rec), x = ptr(rec, IN), out = ptr(rec, OUT), flag = g.flag;
  for (let p = 0; p < g.planes; p++) {
    const xp = x + (<usize>(p * g.h * g.w) << 2);
    for (let oy = 0; oy < g.oh; oy++) {
      const row = xp + (<usize>(nearestIndex(oy, g.h, g.oh, g.sy, flag) * g.w) << 2);
      const o = out + (<usize>((p * g.oh + oy) * g.ow) << 2);
      for (let ox = 0; ox < g.ow; ox++) store<f32>(o + (<usize>ox << 2), load<f32>(row + (<usize>nearestIndex(ox, g.w, g.ow, g.sx, flag) << 2)));
    }
  }
}

export function f32_interpolate_nearest_bwd(rec: usize): void {
  const g = geom(rec), gx = ptr(rec, GIN), gout = ptr(rec, GOUT), flag = g.flag;
  if (gx == 0) return;
  for (let p = 0; p < g.planes; p++) {
    const gp = gx + (<usize>(p * g.h * g.w) << 2);
    for (let oy = 0; oy < g.oh; oy++) {
      const row = gp + (<usize>(nearestIndex(oy, g.h, g.oh, g.sy, flag) * g.w) << 2);
      const go = gout + (<usize>((p * g.oh + oy) * g.ow) << 2);
      for (let ox = 0; ox < g.ow; ox++) {
        const q = row + (<usize>nearestIndex(ox, g.w, g.ow, g.sx, flag) << 2);
        store<f32>(q, load<f32>(q) + load<f32>(go + (<usize>ox << 2)));
      }
    }
  }
}

export function f32_interpolate_bilinear_fwd(rec: usize): void {
  const g = geom(rec), x = ptr(rec, IN), out = ptr(rec, OUT), align = g.flag != 0;
  for (let p = 0; p < g.planes; p++) {
    const xp = x + (<usize>(p * g.h * g.w) << 2);
    for (let oy = 0; oy < g.oh; oy++) {
      const sy = linearSource(oy, g.h, g.oh, g.sy, align), y0 = lower(sy), y1 = upper(y0, g.h);
      const ly: f32 = sy - <f32>y0, my: f32 = <f32>1 - ly;
      const r0 = xp + (<usize>(y0 * g.w) << 2), r1 = xp + (<usize>(y1 * g.w) << 2);
      const o = out + (<usize>((p * g.oh + oy) * g.ow) << 2);
      for (let ox = 0; ox < g.ow; ox++) {
        const sx = linearSource(ox, g.w, g.ow, g.sx, align), x0 = lower(sx), x1 = upper(x0, g.w);
        const lx: f32 = sx - <f32>x0, mx: f32 = <f32>1 - lx;
        const a0 = <usize>x0 << 2, a1 = <usize>x1 << 2;
        const top = mx * load<f32>(r0 + a0) + lx * load<f32>(r0 + a1);
        const bottom = mx * load<f32>(r1 + a0) + lx * load<f32>(r1 + a1);
        store<f32>(o + (<usize>ox << 2), my * top + ly * bottom);
      }
    }
  }
}

// Each output adds its gradient into its four sources with the forward's weights; neighbouring
// outputs share sources, so this is a scalar scatter-add.
export function f32_interpolate_bilinear_bwd(rec: usize): void {
  const g = geom(rec), gx = ptr(rec, GIN), gout = ptr(rec, GOUT), align = g.flag != 0;
  if (gx == 0) return;
  for (let p = 0; p < g.planes; p++) {
    const gp = gx + (<usize>(p * g.h * g.w) << 2);
    for (let oy = 0; oy < g.oh; oy++) {
      const sy = linearSource(oy, g.h, g.oh, g.sy, align), y0 = lower(sy), y1 = upper(y0, g.h);
      const ly: f32 = sy - <f32>y0, my: f32 = <f32>1 - ly;
      const r0 = gp + (<usize>(y0 * g.w) << 2), r1 = gp + (<usize>(y1 * g.w) << 2);
      const go = gout + (<usize>((p * g.oh + oy) * g.ow) << 2);
      for (let ox = 0; ox < g.ow; ox++) {
        const sx = linearSource(ox, g.w, g.ow, g.sx, align), x0 = lower(sx), x1 = upper(x0, g.w);
        const lx: f32 = sx - <f32>x0, mx: f32 = <f32>1 - lx;
        const a0 = <usize>x0 << 2, a1 = <usize>x1 << 2;
        const v = load<f32>(go + (<usize>ox << 2));
        // One load-add-store per source: x0 = x1 or y0 = y1 at the last pixel hits one twice.
        store<f32>(r0 + a0, load<f32>(r0 + a0) + my * mx * v);
        store<f32>(r0 + a1, load<f32>(r0 + a1) + my * lx * v);
        store<f32>(r1 + a0, load<f32>(r1 + a0) + ly * mx * v);
        store<f32>(r1 + a1, load<f32>(r1 + a1) + ly * lx * v);
      }
    }
  }
}

// ---- bicubic: 4×4 taps per output (PyTorch's upsample_bicubic2d on the CPU) ----------------------

/** PyTorch's bicubic source position: bilinear's, never clamped (taps past the border are clamped instead). */
@inline function cubicSource(o: i32, scale: f32, align: bool): f32 {
  return align ? scale * <f32>o : scale * (<f32>o + 0.5) - 0.5;
}

/**
 * Weight k (0..3) of the taps at offsets −1, 0, 1, 2 from floor(position), t = position − floor:
 * Keys' cubic convolution with A = −0.75 in float32 (PyTorch's get_cubic_upsample_coefficients),
 * ((A + 2)·d − (A + 3))·d² + 1 for the inner taps, ((A·d − 5A)·d + 8A)·d − 4A for the outer.
 */
@inline function cubicWeight(t: f32, k: i32): f32 {
  const A: f32 = -0.75;
  const d: f32 = k == 0 ? t + 1 : k == 1 ? t : k == 2 ? <f32>1 - t : (<f32>1 - t) + 1;
  if (k == 1 || k == 2) return ((A + 2) * d - (A + 3)) * d * d + 1;
  return ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
}

/** Tap k's index: floor(position) − 1 + k clamped into [0, size − 1]. */
@inline function cubicIndex(i: i32, k: i32, size: i32): i32 {
  return min(max(i - 1 + k, 0), size - 1);
}

/**
 * Forward: each output is Σ wy·wx·x over its 16 taps. Backward, the adjoint: each output adds its
 * gradient times the same weights into its taps (clamped taps repeat a pixel, so every add is its
 * own load-add-store).
 */
function bicubic(rec: usize, backward: bool): void {
  const g = geom(rec), align = g.flag != 0;
  const x = backward ? ptr(rec, GIN) : ptr(rec, IN), y = backward ? ptr(rec, GOUT) : ptr(rec, OUT);
  if (x == 0) return;
  for (let p = 0; p < g.planes; p++) {
    const xp = x + (<usize>(p * g.h * g.w) << 2);
    for (let oy = 0; oy < g.oh; oy++) {
      const sy = cubicSource(oy, g.sy, align), iy = <i32>Mathf.floor(sy), ty = sy - <f32>iy;
      const yr = y + (<usize>((p * g.oh + oy) * g.ow) << 2);
      for (let ox = 0; ox < g.ow; ox++) {
        const sx = cubicSource(ox, g.sx, align), ix = <i32>Mathf.floor(sx), tx = sx - <f32>ix;
        const at = yr + (<usize>ox << 2), v = backward ? load<f32>(at) : 0;
        let acc: f32 = 0;
        for (let j = 0; j < 4; j++) {
          const row = xp + (<usize>(cubicIndex(iy, j, g.h) * g.w) << 2), wy = cubicWeight(ty, j);
          for (let i = 0; i < 4; i++) {
            const q = row + (<usize>cubicIndex(ix, i, g.w) << 2), wt = wy * cubicWeight(tx, i);
            if (backward) store<f32>(q, load<f32>(q) + wt * v);
            else acc += wt * load<f32>(q);
          }
        }
        if (!backward) store<f32>(at, acc);
      }
    }
  }
}

export function f32_interpolate_bicubic_fwd(rec: usize): void {
  bicubic(rec, false);
}

export function f32_interpolate_bicubic_bwd(rec: usize): void {
  bicubic(rec, true);
}
