// conv2d, NCHW, two ways (the rule is isDirect; both are described at their sections):
//  - direct (SIMD builds, stride 1, kernel larger than 1×1, padding at most dilation·(k − 1)):
//    the image is padded once and a GEMM-like micro-kernel reads its shifted copies in place; dX
//    is the same kernel run on the padded G with flipped weights, dW a micro-kernel over Gᵀ;
//  - im2col + GEMM per image (everything else, and all of the scalar build): im2col lays the
//    receptive fields out as a [C·kh·kw, OH·OW] column matrix in the workspace, and
//    out[n] = W[O, C·kh·kw] · col (+ bias). Backward per image: dW += G[n]·colᵀ,
//    dcol = Wᵀ·G[n] then col2im adds dcol into dX[n]. A 1×1 kernel with stride 1 and no padding
//    needs no col matrix: the image itself, [C, H·W], is the column matrix.
// db = Σ G over images and output pixels. The backward honours FLAG_OVERWRITE for all three
// gradients: a flagged one is written, not added into.
import { arenaAlloc } from '../arena';
import { GIN, GOUT, IN, OUT, P, overwrites, ptr } from '../record';
import { madd } from '../simd';
import { gemm, gemmScratch } from './gemm';
// Tile sizes, declared in src/ops/contract.ts (CONV) with the scratch sizes of the direct kernels.
import { DO, DP, WO } from '../generated/contract';
import { sumRun } from './reduce';

/** The kernel parameters as laid out by src/ops/conv.ts (record words P0..P15). */
@unmanaged class ConvGeom {
  n: i32; c: i32; h: i32; w: i32; o: i32; kh: i32; kw: i32; oh: i32; ow: i32;
  sh: i32; sw: i32; ph: i32; pw: i32; dh: i32; dw: i32; bias: i32;
}

@inline function geom(rec: usize): ConvGeom {
  return changetype<ConvGeom>(rec + (<usize>P << 2));
}

// ---- index ranges shared with pooling --------------------------------------------------------
// An output position o reads input position o·s + off (off = kernel tap offset − padding). The
// outputs whose tap lies inside [0, size) form one range [first, end): everything outside reads
// the padding.

/** First o ≥ 0 with o·s + off ≥ 0. */
@inline export function firstInside(off: i32, s: i32): i32 {
  return off >= 0 ? 0 : (s - 1 - off) / s;
}

/** First o with o·s + off ≥ size, at most count. */
@inline export function endInside(off: i32, s: i32, size: i32, count: i32): i32 {
  return off >= size ? 0 : min(count, (size - off + s - 1) / s);
}

// ---- direct convolution (stride 1) -----------------------------------------------------------
// With stride 1 the column matrix need not be built. The image is copied once into zero-padded
// planes of hp×wp (hp = h + 2·ph, wp = w + 2·pw), and outputs are computed at padded-width
// positions p = oy·wp + ox: tap k = (c, i, j) reads xpad[p + off(k)] with
// off(k) = c·hp·wp + i·dh·wp + j·dw, so row k of the column matrix is the padded image itself,
// shifted by off(k) and contiguous in p across output rows. The wp − ow positions at the end of
// each row (ox ≥ ow) are computed and dropped: that waste, (wp − ow)/wp of the work, replaces
// im2col's copy of C·kh·kw·OH·OW floats by one of C·hp·wp.
//   forward:  out[o][p]   = Σ_k W[o][k] · xpad[p + off(k)]  (4 channels × 8 positions per tile)
//   dX:       the same kernel on G padded by dh·(kh − 1) − ph (and likewise in w), with weights
//             W'[c][o][i][j] = W[o][c][kh − 1 − i][kw − 1 − j]: dX[c][y][x] gathers
//             G[o][y + ph − i·dh][x + pw − j·dw]·W[o][c][i][j] over the taps (a full correlation).
//   dW[o][k] = Σ_n Σ_(oy, ox < ow) G[o][oy][ox] · xpad[oy·wp + ox + off(k)], over the valid
//             positions only (4 taps × 8 channels per tile, G transposed per image).
// Taps whose input row is vertical padding for every position of a tile are skipped (with large
// padding, as dX's, that is a good part of the work).

/** One stride-1 convolution: cin planes h×w, padded by ph, pw, into cout planes oh×ow, and its buffers. */
@unmanaged class Direct {
  cin: i32; h: i32; w: i32; ph: i32; pw: i32; cout: i32; kh: i32; kw: i32; dh: i32; dw: i32;
  hp: i32; wp: i32; oh: i32; ow: i32;
  /** Columns of the output buffer: oh·wp padded-width positions, rounded up to whole tiles. */
  cols: i32;
  /** Byte offsets off(k) (i32 each), the zero-padded input, packed weights, output buffer. */
  offs: usize; xpad: usize; pk: usize; cbuf: usize;
}

// DP: positions per tile of the direct kernel (two f32x4); DO: output channels per tile.

/** The geometry of a direct convolution, with its tap offsets and its zeroed padded-input buffer. */
function direct(cin: i32, h: i32, w: i32, ph: i32, pw: i32, cout: i32, kh: i32, kw: i32, dh: i32, dw: i32): Direct {
  const d = changetype<Direct>(arenaAlloc(offsetof<Direct>()));
  d.cin = cin; d.h = h; d.w = w; d.ph = ph; d.pw = pw; d.cout = cout; d.kh = kh; d.kw = kw; d.dh = dh; d.dw = dw;
  d.hp = h + 2 * ph; d.wp = w + 2 * pw;
  d.oh = d.hp - dh * (kh - 1); d.ow = d.wp - dw * (kw - 1);
  d.cols = (d.oh * d.wp + DP - 1) / DP * DP;
  d.offs = arenaAlloc(<usize>(cin * kh * kw) << 2);
  for (let c = 0; c < cin; c++)
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++)
        store<i32>(d.offs + (<usize>((c * kh + i) * kw + j) << 2), ((c * d.hp + i * dh) * d.wp + j * dw) << 2);
  // The last tile of a plane reads up to DP − 1 positions past oh·wp, the last tap dw·(kw − 1)
  // more: past the last plane that is the zeroed slack.
  const bytes = <usize>(cin * d.hp * d.wp + DP + dw * (kw - 1)) << 2;
  d.xpad = arenaAlloc(bytes);
  memory.fill(d.xpad, 0, bytes);
  return d;
}

/** Copies image src [cin][h][w] into the interior of xpad (the borders stay zero). */
function padImage(d: Direct, src: usize): void {
  for (let c = 0; c < d.cin; c++)
    for (let y = 0; y < d.h; y++)
      memory.copy(
        d.xpad + (<usize>((c * d.hp + y + d.ph) * d.wp + d.pw) << 2),
        src + (<usize>((c * d.h + y) * d.w) << 2), <usize>d.w << 2,
      );
}

/**
 * Packs the weights as [cout/DO][k][DO] (missing channels zero) and allocates the output buffer.
 * Weight (o, c, i, j) is read at w + 4·(base + o·so + c·sc + i·si + j·sj): the forward passes
 * W's own strides, dX the transposed and flipped ones.
 */
function directWeights(d: Direct, w: usize, base: i32, so: i32, sc: i32, si: i32, sj: i32): void {
  const ckk = d.cin * d.kh * d.kw, blocks = (d.cout + DO - 1) / DO;
  d.pk = arenaAlloc(<usize>(blocks * DO * ckk) << 2);
  d.cbuf = arenaAlloc(<usize>(blocks * DO * d.cols) << 2);
  let p = d.pk;
  for (let ob = 0; ob < d.cout; ob += DO)
    for (let c = 0; c < d.cin; c++)
      for (let i = 0; i < d.kh; i++)
        for (let j = 0; j < d.kw; j++)
          for (let r = 0; r < DO; r++, p += 4) {
            const o = ob + r;
            store<f32>(p, o < d.cout ? load<f32>(w + (<usize>(base + o * so + c * sc + i * si + j * sj) << 2)) : 0);
          }
}

/**
 * rows (1, 2 or 4) channels × DP positions: c[r][0..8) = Σ_k pk[k][r] · xb[off(k) .. + 8), rows
 * ldc bytes apart, over the taps k = c·kh·kw + [klo, khi) of every input channel c. As the GEMM
 * micro-kernel (8 accumulators, two vectors of the input per tap, one weight broadcast per
 * channel), with the input row found through the tap offset table.
 */
@inline function directTile(rows: i32, d: Direct, pk: usize, xb: usize, klo: i32, khi: i32, c: usize, ldc: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // The taps run channel by channel, or as one run over all channels when none is skipped.
  const kk = d.kh * d.kw, ckk = d.cin * kk, whole = klo == 0 && khi == kk;
  const run = whole ? ckk : khi - klo, step = whole ? ckk : kk;
  for (let k0 = klo; k0 < ckk; k0 += step) {
    for (let k = k0; k < k0 + run; k++) {
      const pb = xb + <usize>load<i32>(d.offs + (<usize>k << 2)), pa = pk + (<usize>k << 4);
      const b0 = v128.load(pb), b1 = v128.load(pb, 16);
      let a = v128.load32_splat(pa);
      c00 = madd(a, b0, c00);
      c01 = madd(a, b1, c01);
      if (rows > 1) {
        a = v128.load32_splat(pa, 4);
        c10 = madd(a, b0, c10);
        c11 = madd(a, b1, c11);
      }
      if (rows > 2) {
        a = v128.load32_splat(pa, 8);
        c20 = madd(a, b0, c20);
        c21 = madd(a, b1, c21);
        a = v128.load32_splat(pa, 12);
        c30 = madd(a, b0, c30);
        c31 = madd(a, b1, c31);
      }
    }
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  if (rows > 1) { v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16); }
  if (rows > 2) {
    v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
    v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
  }
}

/**
 * dst [cout][oh][ow] = (dst +) conv(src [cin][h][w]) (+ bias[o] when bias ≠ 0), through
 * directWeights' packed weights.
 */
function directImage(d: Direct, src: usize, dst: usize, bias: usize, add: bool): void {
  padImage(d, src);
  const kk = d.kh * d.kw, ldc = <usize>d.cols << 2;
  for (let p = 0; p < d.cols; p += DP) {
    // Taps whose row lies in the vertical padding for every output row of the tile add zeros:
    // only rows i with i·dh + y − ph inside [0, h) for some tile row y ∈ [y0, y1] are visited.
    const y0 = p / d.wp, y1 = min(d.oh - 1, (p + DP - 1) / d.wp);
    const ilo = firstInside(y1 - d.ph, d.dh), ihi = max(ilo, endInside(y0 - d.ph, d.dh, d.h, d.kh));
    const xb = d.xpad + (<usize>p << 2);
    for (let ob = 0; ob < d.cout; ob += DO) {
      const rows = d.cout - ob, pk = d.pk + (<usize>(ob * d.cin * kk) << 2), c = d.cbuf + <usize>ob * ldc + (<usize>p << 2);
      // A block of 3 channels runs as 4 (its packed weights for the 4th are zeros).
      if (rows >= 3) directTile(4, d, pk, xb, ilo * d.kw, ihi * d.kw, c, ldc);
      else if (rows == 2) directTile(2, d, pk, xb, ilo * d.kw, ihi * d.kw, c, ldc);
      else directTile(1, d, pk, xb, ilo * d.kw, ihi * d.kw, c, ldc);
    }
  }
  // The valid positions (ox < ow) of each row go to dst.
  const ow = d.ow;
  for (let o = 0; o < d.cout; o++) {
    const v = f32x4.splat(bias ? load<f32>(bias + (<usize>o << 2)) : 0);
    for (let oy = 0; oy < d.oh; oy++) {
      const s = d.cbuf + <usize>o * ldc + (<usize>(oy * d.wp) << 2), t = dst + (<usize>((o * d.oh + oy) * ow) << 2);
      let x = 0;
      for (; x + 4 <= ow; x += 4) {
        const q = <usize>x << 2;
        const r = f32x4.add(v128.load(s + q), v);
        v128.store(t + q, add ? f32x4.add(v128.load(t + q), r) : r);
      }
      for (; x < ow; x++) {
        const q = <usize>x << 2;
        const r = load<f32>(s + q) + f32x4.extract_lane(v, 0);
        store<f32>(t + q, add ? load<f32>(t + q) + r : r);
      }
    }
  }
}

// WO: output channels per dW tile (two f32x4): Gᵀ rows and the dWᵀ sums are padded to a multiple.

/** p[0..8) += [lo, hi]: one tap's WO channel sums. */
@inline function addTileRow(p: usize, lo: v128, hi: v128): void {
  v128.store(p, f32x4.add(v128.load(p), lo));
  v128.store(p, f32x4.add(v128.load(p, 16), hi), 16);
}

/**
 * dWᵀ sums for one image: acc[k][o] += Σ_(oy, ox) xpad[oy·wp + ox + off(k)] · G[o][oy][ox]. Tiles
 * of 4 taps × WO channels, as the GEMM micro-kernel: the tap's input value broadcast, the channels
 * two vectors of gt, this image's G transposed to [oy·ow + ox][channel] (channels past cout zero).
 * Only positions inside the output are visited, so no padding or row overhang enters a sum. Each
 * tile sums this image from zero and then adds into acc (as the GEMM's KC blocks do), so a float32
 * chain spans one image's positions, not the whole batch's. Past the last tap the tile repeats it;
 * the repeats are not added.
 */
function weightGradImage(d: Direct, gt: usize, acc: usize): void {
  const ckk = d.cin * d.kh * d.kw, co = (d.cout + WO - 1) / WO * WO, xRow = <usize>(d.wp - d.ow) << 2;
  for (let k = 0; k < ckk; k += 4) {
    const k1 = min(k + 1, ckk - 1), k2 = min(k + 2, ckk - 1), k3 = min(k + 3, ckk - 1);
    for (let ob = 0; ob < co; ob += WO) {
      const a0 = acc + (<usize>(k * co + ob) << 2), a1 = acc + (<usize>(k1 * co + ob) << 2);
      const a2 = acc + (<usize>(k2 * co + ob) << 2), a3 = acc + (<usize>(k3 * co + ob) << 2);
      const zero = f32x4.splat(0);
      let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
      let x0 = d.xpad + <usize>load<i32>(d.offs + (<usize>k << 2)), x1 = d.xpad + <usize>load<i32>(d.offs + (<usize>k1 << 2));
      let x2 = d.xpad + <usize>load<i32>(d.offs + (<usize>k2 << 2)), x3 = d.xpad + <usize>load<i32>(d.offs + (<usize>k3 << 2));
      let pb = gt + (<usize>ob << 2);
      for (let oy = 0; oy < d.oh; oy++) {
        for (let ox = 0; ox < d.ow; ox++) {
          const b0 = v128.load(pb), b1 = v128.load(pb, 16);
          let a = v128.load32_splat(x0);
          c00 = madd(a, b0, c00);
          c01 = madd(a, b1, c01);
          a = v128.load32_splat(x1);
          c10 = madd(a, b0, c10);
          c11 = madd(a, b1, c11);
          a = v128.load32_splat(x2);
          c20 = madd(a, b0, c20);
          c21 = madd(a, b1, c21);
          a = v128.load32_splat(x3);
          c30 = madd(a, b0, c30);
          c31 = madd(a, b1, c31);
          pb += <usize>co << 2;
          x0 += 4; x1 += 4; x2 += 4; x3 += 4;
        }
        x0 += xRow; x1 += xRow; x2 += xRow; x3 += xRow;
      }
      addTileRow(a0, c00, c01);
      if (k + 1 < ckk) addTileRow(a1, c10, c11);
      if (k + 2 < ckk) addTileRow(a2, c20, c21);
      if (k + 3 < ckk) addTileRow(a3, c30, c31);
    }
  }
}

// ---- im2col / col2im -------------------------------------------------------------------------
/** d[t] = s[t·stride], t < len: contiguous runs (stride 1) go 4 floats at a time. */
@inline function gatherRow(d: usize, s: usize, len: i32, stride: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    if (stride == 1) for (; t + 4 <= len; t += 4) v128.store(d + (<usize>t << 2), v128.load(s + (<usize>t << 2)));
  }
  for (; t < len; t++) store<f32>(d + (<usize>t << 2), load<f32>(s + (<usize>(t * stride) << 2)));
}

/** d[t·stride] += s[t], t < len (each target is hit once: the vector adds cannot collide). */
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
@inline function im2col(g: ConvGeom, x: usize, col: usize): void {
  walkColumns(g, x, col, true);
}

/** gx[n] += col2im(dcol). */
@inline function col2imAdd(g: ConvGeom, dcol: usize, gx: usize): void {
  walkColumns(g, gx, dcol, false);
}

@inline function isPointwise(g: ConvGeom): bool {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0;
}

/** The column matrix of image x: x itself for a pointwise conv, else im2col into col. */
@inline function columns(g: ConvGeom, x: usize, col: usize): usize {
  if (isPointwise(g)) return x;
  im2col(g, x, col);
  return col;
}

/**
 * The direct kernels need stride 1 (an output row's positions read contiguous inputs) and
 * padding ≤ dilation·(k − 1) (dX pads G by the difference); a 1×1 kernel with stride 1 is a plain
 * GEMM on the image already. LeNet-5's layers (5×5, 1→6 and 6→16 channels, batch 32) ran
 * 2.0–2.5× faster forward and 1.3–1.7× forward + backward than im2col + GEMM
 * (bench/conv-kernels.mjs). At batch 8 with 3×3 or 5×5 kernels, forward + backward: 64→64 on
 * 32×32 images 57 vs 39 GFLOP/s, 3→32 on 64×64 28 vs 28, 128→128 on 16×16 57 vs 55, 32→64 on
 * 28×28 56 vs 52; only 256→256 on 8×8 was slower, 49 vs 53: no size limit is worth a rule.
 */
@inline function isDirect(g: ConvGeom): bool {
  return g.sh == 1 && g.sw == 1 && g.kh * g.kw > 1 && g.ph <= g.dh * (g.kh - 1) && g.pw <= g.dw * (g.kw - 1);
}

/** The direct forward: W is read with its own strides [O][C][kh][kw]. */
function directFwd(rec: usize, g: ConvGeom): void {
  const x = ptr(rec, IN), out = ptr(rec, OUT), b = g.bias ? ptr(rec, IN + 2) : 0;
  const d = direct(g.c, g.h, g.w, g.ph, g.pw, g.o, g.kh, g.kw, g.dh, g.dw);
  directWeights(d, ptr(rec, IN + 1), 0, g.c * g.kh * g.kw, g.kh * g.kw, g.kw, 1);
  for (let img = 0; img < g.n; img++)
    directImage(d, x + (<usize>(img * g.c * g.h * g.w) << 2), out + (<usize>(img * g.o * g.oh * g.ow) << 2), b, false);
}

export function f32_conv_2d_fwd(rec: usize): void {
  const g = geom(rec);
  if (ASC_FEATURE_SIMD) {
    if (isDirect(g)) {
      directFwd(rec, g);
      return;
    }
  }
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

/**
 * The direct backward. dX: the direct kernel on G padded by dh·(kh − 1) − ph, dw·(kw − 1) − pw,
 * with weights W'[c][o][i][j] = W[o][c][kh − 1 − i][kw − 1 − j]. dW: per image into the dWᵀ sums
 * (weightGradImage), transposed into dW at the end.
 */
function directBwd(rec: usize, g: ConvGeom): void {
  const x = ptr(rec, IN), gout = ptr(rec, GOUT), gx = ptr(rec, GIN), gw = ptr(rec, GIN + 1);
  const kk = g.kh * g.kw, ckk = g.c * kk, ohw = g.oh * g.ow, chw = g.c * g.h * g.w;
  if (gx) {
    const dT = direct(g.o, g.oh, g.ow, g.dh * (g.kh - 1) - g.ph, g.dw * (g.kw - 1) - g.pw, g.c, g.kh, g.kw, g.dh, g.dw);
    directWeights(dT, ptr(rec, IN + 1), kk - 1, kk, ckk, -g.kw, -1);
    const add = !overwrites(rec, 0);
    for (let img = 0; img < g.n; img++) directImage(dT, gout + (<usize>(img * g.o * ohw) << 2), gx + (<usize>(img * chw) << 2), 0, add);
  }
  if (gw) {
    const d = direct(g.c, g.h, g.w, g.ph, g.pw, g.o, g.kh, g.kw, g.dh, g.dw);
    const co = (g.o + WO - 1) / WO * WO;
    const gtBytes = <usize>(ohw * co) << 2, accBytes = <usize>(ckk * co) << 2;
    const gt = arenaAlloc(gtBytes), acc = arenaAlloc(accBytes);
    memory.fill(gt, 0, gtBytes);
    memory.fill(acc, 0, accBytes);
    for (let img = 0; img < g.n; img++) {
      padImage(d, x + (<usize>(img * chw) << 2));
      const gn = gout + (<usize>(img * g.o * ohw) << 2);
      for (let p = 0; p < ohw; p++)
        for (let o = 0; o < g.o; o++) store<f32>(gt + (<usize>(p * co + o) << 2), load<f32>(gn + (<usize>(o * ohw + p) << 2)));
      weightGradImage(d, gt, acc);
    }
    const add = !overwrites(rec, 1);
    for (let o = 0; o < g.o; o++)
      for (let k = 0; k < ckk; k++) {
        const p = gw + (<usize>(o * ckk + k) << 2), s = load<f32>(acc + (<usize>(k * co + o) << 2));
        store<f32>(p, add ? load<f32>(p) + s : s);
      }
  }
}

/**
 * db (+)= Σ G over the images and output pixels: each image's row of a channel is a long sum
 * (reduce.ts sumRun), and the rows' sums, one per image, add into a float64 total (a scalar, so
 * float64 is the simplest accurate accumulator: no compensation needed).
 */
function biasGrad(rec: usize, g: ConvGeom): void {
  const gb = ptr(rec, GIN + 2);
  if (!gb || !g.bias) return;
  const gout = ptr(rec, GOUT), ohw = g.oh * g.ow, add = !overwrites(rec, 2);
  for (let oc = 0; oc < g.o; oc++) {
    let s: f64 = 0;
    for (let img = 0; img < g.n; img++) s += sumRun(gout + (<usize>((img * g.o + oc) * ohw) << 2), ohw);
    const p = gb + (<usize>oc << 2);
    store<f32>(p, add ? <f32>(<f64>load<f32>(p) + s) : <f32>s);
  }
}

export function f32_conv_2d_bwd(rec: usize): void {
  const g = geom(rec);
  biasGrad(rec, g);
  if (ASC_FEATURE_SIMD) {
    if (isDirect(g)) {
      directBwd(rec, g);
      return;
    }
  }
  const c = g.c, o = g.o, ckk = g.c * g.kh * g.kw, ohw = g.oh * g.ow, chw = c * g.h * g.w;
  const x = ptr(rec, IN), wt = ptr(rec, IN + 1), gout = ptr(rec, GOUT);
  const gx = ptr(rec, GIN), gw = ptr(rec, GIN + 1);
  const pointwise = isPointwise(g);
  const col: usize = pointwise ? 0 : arenaAlloc(<usize>(ckk * ohw) << 2);
  const ws = gemmScratch(max(ohw, ckk));
  // Every image adds: an overwritten gradient is cleared first.
  if (gx && overwrites(rec, 0)) memory.fill(gx, 0, <usize>(g.n * chw) << 2);
  if (gw && overwrites(rec, 1)) memory.fill(gw, 0, <usize>(o * ckk) << 2);
  for (let img = 0; img < g.n; img++) {
    const gn = gout + (<usize>(img * o * ohw) << 2);
    const xoff = <usize>(img * chw) << 2;
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
  }
}
