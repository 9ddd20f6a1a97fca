// conv2d, NCHW, through GEMM: per image, im2col lays the receptive fields out as a
// [C·kh·kw, OH·OW] column matrix in the workspace, and out[n] = W[O, C·kh·kw] · col (+ bias).
// Backward per image: dW += G[n]·colᵀ, dcol = Wᵀ·G[n] then col2im adds dcol into dX[n],
// db += Σ G[n] over the output pixels. A 1×1 kernel with stride 1 and no padding needs no col
// matrix: the image itself, [C, H·W], is the column matrix.
import { arenaAlloc } from '../arena';
import { GIN, GOUT, IN, OUT, P, ptr } from '../record';
import { hsum } from '../simd';
import { gemm, gemmScratch } from './gemm';

/** The kernel parameters as laid out by src/ops/conv.ts (record words P0..P15). */
// @ts-ignore: decorator
@unmanaged class ConvGeom {
  n: i32; c: i32; h: i32; w: i32; o: i32; kh: i32; kw: i32; oh: i32; ow: i32;
  sh: i32; sw: i32; ph: i32; pw: i32; dh: i32; dw: i32; bias: i32;
}

// @ts-ignore: decorator
@inline function geom(rec: usize): ConvGeom {
  return changetype<ConvGeom>(rec + (<usize>P << 2));
}

// ---- index ranges shared with pooling --------------------------------------------------------
// An output position o reads input position o·s + off (off = kernel tap offset − padding). The
// outputs whose tap lies inside [0, size) form one range [first, end): everything outside reads
// the padding.

/** First o ≥ 0 with o·s + off ≥ 0. */
// @ts-ignore: decorator
@inline export function firstInside(off: i32, s: i32): i32 {
  return off >= 0 ? 0 : (s - 1 - off) / s;
}

/** First o with o·s + off ≥ size, at most count. */
// @ts-ignore: decorator
@inline export function endInside(off: i32, s: i32, size: i32, count: i32): i32 {
  return off >= size ? 0 : min(count, (size - off + s - 1) / s);
}

// ---- im2col / col2im -------------------------------------------------------------------------
/** d[t] = s[t·stride], t < len: contiguous runs (stride 1) go 4 floats at a time. */
// @ts-ignore: decorator
@inline function gatherRow(d: usize, s: usize, len: i32, stride: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    if (stride == 1) for (; t + 4 <= len; t += 4) v128.store(d + (<usize>t << 2), v128.load(s + (<usize>t << 2)));
  }
  for (; t < len; t++) store<f32>(d + (<usize>t << 2), load<f32>(s + (<usize>(t * stride) << 2)));
}

/** d[t·stride] += s[t], t < len (each target is hit once: the vector adds cannot collide). */
// @ts-ignore: decorator
@inline function scatterAddRow(d: usize, s: usize, len: i32, stride: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    if (stride == 1)
      for (; t + 4 <= len; t += 4) {
        const p = d + (<usize>t << 2);
        v128.store(p, f32x4.add(v128.load(p), v128.load(s + (<usize>t << 2))));
      }
  }
  for (; t < len; t++) {
    const p = d + (<usize>(t * stride) << 2);
    store<f32>(p, load<f32>(p) + load<f32>(s + (<usize>t << 2)));
  }
}

/**
 * Walks every (tap, output pixel) pair of one image. toCol (im2col):
 * col[(c·kh + i)·kw + j][oy·OW + ox] = x[c][oy·sh − ph + i·dh][ox·sw − pw + j·dw], 0 in the
 * padding. Otherwise its adjoint (col2im): x[c][iy][ix] += col[…] for every tap reading inside.
 */
function walkColumns(g: ConvGeom, x: usize, col: usize, toCol: bool): void {
  const c = g.c, h = g.h, w = g.w, kh = g.kh, kw = g.kw, oh = g.oh, ow = g.ow;
  const sh = g.sh, sw = g.sw, ph = g.ph, pw = g.pw, dh = g.dh, dw = g.dw;
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const row = col + (<usize>(((ch * kh + i) * kw + j) * oh * ow) << 2);
        const offX = j * dw - pw;
        const lo = min(firstInside(offX, sw), ow), hi = max(lo, endInside(offX, sw, w, ow));
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + i * dh;
          const d = row + (<usize>(oy * ow) << 2);
          const inside = iy >= 0 && iy < h;
          if (toCol) {
            // Padding columns and rows are zeros.
            memory.fill(d, 0, <usize>(inside ? lo : ow) << 2);
            if (!inside) continue;
            memory.fill(d + (<usize>hi << 2), 0, <usize>(ow - hi) << 2);
          } else if (!inside) continue;
          const s = x + (<usize>((ch * h + iy) * w + lo * sw + offX) << 2);
          if (toCol) gatherRow(d + (<usize>lo << 2), s, hi - lo, sw);
          else scatterAddRow(s, d + (<usize>lo << 2), hi - lo, sw);
        }
      }
    }
  }
}

/** col = im2col(x[n]). */
// @ts-ignore: decorator
@inline function im2col(g: ConvGeom, x: usize, col: usize): void {
  walkColumns(g, x, col, true);
}

/** gx[n] += col2im(dcol). */
// @ts-ignore: decorator
@inline function col2imAdd(g: ConvGeom, dcol: usize, gx: usize): void {
  walkColumns(g, gx, dcol, false);
}

// @ts-ignore: decorator
@inline function isPointwise(g: ConvGeom): bool {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0;
}

/** The column matrix of image x: x itself for a pointwise conv, else im2col into col. */
// @ts-ignore: decorator
@inline function columns(g: ConvGeom, x: usize, col: usize): usize {
  if (isPointwise(g)) return x;
  im2col(g, x, col);
  return col;
}

/** Σ of len floats at p: four f32x4 lane sums, then the lanes and the scalar tail. */
// @ts-ignore: decorator
@inline function sumRow(p: usize, len: i32): f32 {
  let s: f32 = 0;
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    let v = f32x4.splat(0);
    for (; t + 4 <= len; t += 4) v = f32x4.add(v, v128.load(p + (<usize>t << 2)));
    s = hsum(v);
  }
  for (; t < len; t++) s += load<f32>(p + (<usize>t << 2));
  return s;
}

export function f32_conv_2d_fwd(rec: usize): void {
  const g = geom(rec);
  const c = g.c, o = g.o, ckk = g.c * g.kh * g.kw, ohw = g.oh * g.ow, hasBias = g.bias != 0;
  const x = ptr(rec, IN), wt = ptr(rec, IN + 1), b = ptr(rec, IN + 2), out = ptr(rec, OUT);
  const col: usize = isPointwise(g) ? 0 : arenaAlloc(<usize>(ckk * ohw) << 2);
  const ws = gemmScratch(ohw);
  for (let img = 0; img < g.n; img++) {
    const on = out + (<usize>(img * o * ohw) << 2);
    const src = columns(g, x + (<usize>(img * c * g.h * g.w) << 2), col);
    // The bias is written first and the GEMM accumulates onto it: no separate epilogue pass.
    if (hasBias) {
      for (let oc = 0; oc < o; oc++) {
        const row = on + (<usize>(oc * ohw) << 2), bv = load<f32>(b + (<usize>oc << 2));
        let t = 0;
        if (ASC_FEATURE_SIMD) for (const v = f32x4.splat(bv); t + 4 <= ohw; t += 4) v128.store(row + (<usize>t << 2), v);
        for (; t < ohw; t++) store<f32>(row + (<usize>t << 2), bv);
      }
    }
    gemm(o, ohw, ckk, wt, ckk, false, src, ohw, false, on, ohw, hasBias, ws);
  }
}

export function f32_conv_2d_bwd(rec: usize): void {
  const g = geom(rec);
  const c = g.c, o = g.o, ckk = g.c * g.kh * g.kw, ohw = g.oh * g.ow, hasBias = g.bias != 0;
  const x = ptr(rec, IN), wt = ptr(rec, IN + 1), gout = ptr(rec, GOUT);
  const gx = ptr(rec, GIN), gw = ptr(rec, GIN + 1), gb = ptr(rec, GIN + 2);
  const pointwise = isPointwise(g);
  const col: usize = pointwise ? 0 : arenaAlloc(<usize>(ckk * ohw) << 2);
  const ws = gemmScratch(max(ohw, ckk));
  for (let img = 0; img < g.n; img++) {
    const gn = gout + (<usize>(img * o * ohw) << 2);
    const xoff = <usize>(img * c * g.h * g.w) << 2;
    // dW[O, CKK] += G[n][O, OHW] · colᵀ
    if (gw) gemm(o, ckk, ohw, gn, ohw, false, columns(g, x + xoff, col), ohw, true, gw, ckk, true, ws);
    if (gx) {
      // dcol[CKK, OHW] = Wᵀ · G[n], then col2im adds each tap back where it was read from.
      if (pointwise) gemm(ckk, ohw, o, wt, ckk, true, gn, ohw, false, gx + xoff, ohw, true, ws);
      else {
        gemm(ckk, ohw, o, wt, ckk, true, gn, ohw, false, col, ohw, false, ws);
        col2imAdd(g, col, gx + xoff);
      }
    }
    if (gb && hasBias) {
      for (let oc = 0; oc < o; oc++) {
        const p = gb + (<usize>oc << 2);
        store<f32>(p, load<f32>(p) + sumRow(gn + (<usize>(oc * ohw) << 2), ohw));
      }
    }
  }
}
