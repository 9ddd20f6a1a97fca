// conv2d and convTranspose2d, NCHW, two ways (the rule is isDirect; both are described at their
// sections):
//  - direct (SIMD builds, stride 1, kernel larger than 1×1, padding on each side at most
//    dilation·(k − 1)): the image is padded once and a GEMM-like micro-kernel reads its shifted
//    copies in place; dX is the same kernel run on the padded G with flipped weights, dW a
//    micro-kernel over Gᵀ;
//  - im2col + GEMM per image (everything else, and all of the scalar build): im2col lays the
//    receptive fields out as a [C·kh·kw, OH·OW] column matrix in the workspace, and
//    out[n] = W[O, C·kh·kw] · col (+ bias). Backward per image: dW += G[n]·colᵀ,
//    dcol = Wᵀ·G[n] then col2im adds dcol into dX[n]. A 1×1 kernel with stride 1 and no padding
//    needs no col matrix: the image itself, [C, H·W], is the column matrix.
// Depthwise convolutions (groups = C = O) have kernels of their own on every build
// (./depthwise.ts). Groups: group q convolves input channels [q·cg, (q+1)·cg) (cg = C / groups) into output
// channels [q·og, (q+1)·og) (og = O / groups) with weight rows [q·og, (q+1)·og): each group is a
// convolution of its own on contiguous slices of the image, the output and the weights, so both
// paths run group by group (per-group GEMMs; depthwise is cg = og = 1).
// Padding: ph, pw are the top and left padding; the bottom and right padding follow from the
// output size (OH = H + ph + pb − dh·(kh − 1) at stride 1), which lets padding 'same' put its odd
// extra row on the bottom as PyTorch does.
// db = Σ G over images and output pixels. The backward honours FLAG_OVERWRITE for all three
// gradients: a flagged one is written, not added into.
// convTranspose2d is this convolution's adjoint, run by the same routines with the roles swapped
// (see its kernels at the end).
import { arenaAlloc } from '../arena';
import { GIN, GOUT, IN, OUT, P, overwrites, ptr } from '../record';
import { madd } from '../simd';
import { gemm, gemmScratch, gemmScratchParts, partGemmScratch } from './gemm';
// Tile sizes, declared in src/ops/contract.ts (CONV) with the scratch sizes of the direct kernels;
// NR: the GEMM micro-tile's columns (the im2col weight gradient's cut).
import { DO, DP, NR, WO } from '../generated/contract';
import { SPLIT_SUMS, sumRun } from './reduce';
import { depthwiseForward, depthwiseInputGrad, depthwisePlane, depthwisePlaneBytes, depthwiseWeightGrad, isDepthwise } from './depthwise';
import { ConvGeom, at } from './conv-geom';
import { partFrom, poolRun, poolThreads, setTaskArg, taskArg, taskPtr } from '../pool';

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

/** One stride-1 convolution: cin planes h×w, padded by ph, pw (top, left), into cout planes oh×ow, and its buffers. */
@unmanaged class Direct {
  cin: i32; h: i32; w: i32; ph: i32; pw: i32; cout: i32; kh: i32; kw: i32; dh: i32; dw: i32;
  hp: i32; wp: i32; oh: i32; ow: i32;
  /** Columns of the output buffer: oh·wp padded-width positions, rounded up to whole tiles. */
  cols: i32;
  /** Byte offsets off(k) (i32 each), the zero-padded input, packed weights, output buffer. */
  offs: usize; xpad: usize; pk: usize; cbuf: usize;
}

// DP: positions per tile of the direct kernel (two f32x4); DO: output channels per tile.

/**
 * The geometry of a direct convolution of cin planes h×w into cout planes oh×ow, padded by ph, pw
 * on the top and left (the padded planes hp×wp reach as far as the outputs read: the bottom and
 * right padding are what is left), with its tap offsets and its zeroed padded-input buffer.
 */
function direct(cin: i32, h: i32, w: i32, ph: i32, pw: i32, oh: i32, ow: i32, cout: i32, kh: i32, kw: i32, dh: i32, dw: i32): Direct {
  const d = changetype<Direct>(arenaAlloc(offsetof<Direct>()));
  d.cin = cin; d.h = h; d.w = w; d.ph = ph; d.pw = pw; d.cout = cout; d.kh = kh; d.kw = kw; d.dh = dh; d.dw = dw;
  d.oh = oh; d.ow = ow;
  d.hp = oh + dh * (kh - 1); d.wp = ow + dw * (kw - 1);
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

/** Allocates the packed weights (cout rounded up to DO channels) and the output buffer of d. */
function directWeights(d: Direct): void {
  const rows = (d.cout + DO - 1) / DO * DO;
  d.pk = arenaAlloc(<usize>(rows * d.cin * d.kh * d.kw) << 2);
  d.cbuf = arenaAlloc(<usize>(rows * d.cols) << 2);
}

/**
 * Packs one group's weights as [cout/DO][k][DO] (missing channels zero). Weight (o, c, i, j) is
 * read at w + 4·(base + o·so + c·sc + i·si + j·sj): the forward passes W's own strides, dX the
 * transposed and flipped ones.
 */
function packWeights(d: Direct, w: usize, base: i32, so: i32, sc: i32, si: i32, sj: i32): void {
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
 * packWeights' packed weights.
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
 * Walks the (tap, output pixel) pairs of taps [t0, t1) of one group of one image (its cg channels;
 * tap t = (c·kh + i)·kw + j is row t of the column matrix, held at col + 4·(t − t0)·OH·OW). toCol
 * (im2col): col[t][oy·OW + ox] = x[c][oy·sh − ph + i·dh][ox·sw − pw + j·dw], 0 in the padding.
 * Otherwise its adjoint (col2im): x[c][iy][ix] += col[…] for every tap reading inside, tap by tap.
 */
function walkColumns(g: ConvGeom, x: usize, col: usize, toCol: bool, t0: i32, t1: i32): void {
  const h = g.h, w = g.w, kh = g.kh, kw = g.kw, oh = g.oh, ow = g.ow;
  const sh = g.sh, sw = g.sw, ph = g.ph, pw = g.pw, dh = g.dh, dw = g.dw;
  // Tap t0's (c, i, j), then each next tap's by carries (no divisions per tap: with small output
  // planes they would cost a good part of the walk).
  let ch = t0 / (kh * kw), i = t0 / kw % kh, j = t0 % kw;
  for (let t = t0; t < t1; t++, j++) {
    if (j == kw) {
      j = 0;
      if (++i == kh) { i = 0; ch++; }
    }
    const row = col + (<usize>((t - t0) * oh * ow) << 2);
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

/** gx[n] (one group) += col2im(dcol). */
@inline function col2imAdd(g: ConvGeom, dcol: usize, gx: usize): void {
  walkColumns(g, gx, dcol, false, 0, g.c / g.groups * g.kh * g.kw);
}

/** A 1×1 kernel at stride 1 without padding reading every input pixel (a transposed conv's output padding can leave the last rows unread). */
@inline function isPointwise(g: ConvGeom): bool {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0 && g.oh == g.h && g.ow == g.w;
}

/**
 * Rows [t0, t1) of the column matrix of image x (one group): x's channels t0.. for a pointwise conv,
 * else im2col of those taps into rows (their first at rows).
 */
@inline function columns(g: ConvGeom, x: usize, rows: usize, t0: i32, t1: i32): usize {
  if (isPointwise(g)) return x + (<usize>(t0 * g.h * g.w) << 2);
  walkColumns(g, x, rows, true, t0, t1);
  return rows;
}

/**
 * The direct kernels need stride 1 (an output row's positions read contiguous inputs) and
 * padding on each side at most dilation·(k − 1) (dX pads G by the differences; the bottom and
 * right padding, OH + dh·(kh − 1) − H − ph, can also be negative when the output stops short, as
 * a transposed convolution's output padding makes it); a 1×1 kernel with stride 1 is a plain GEMM
 * on the image already. LeNet-5's layers (5×5, 1→6 and 6→16 channels, batch 32) ran 2.0–2.5×
 * faster forward and 1.3–1.7× forward + backward than im2col + GEMM (bench/conv-kernels.mjs). At
 * batch 8 with 3×3 or 5×5 kernels, forward + backward: 64→64 on 32×32 images 57 vs 39 GFLOP/s,
 * 3→32 on 64×64 28 vs 28, 128→128 on 16×16 57 vs 55, 32→64 on 28×28 56 vs 52; only 256→256 on
 * 8×8 was slower, 49 vs 53: no size limit is worth a rule.
 */
@inline function isDirect(g: ConvGeom): bool {
  const eh = g.dh * (g.kh - 1), ew = g.dw * (g.kw - 1);
  const pb = g.oh + eh - g.h - g.ph, pr = g.ow + ew - g.w - g.pw;
  return g.sh == 1 && g.sw == 1 && g.kh * g.kw > 1 && g.ph <= eh && g.pw <= ew && pb >= 0 && pb <= eh && pr >= 0 && pr <= ew;
}

// ---- the direct path, group by group ----------------------------------------------------------

/** The padded-input geometry of g's forward: one group's cg channels into its og. */
@inline function forwardDirect(g: ConvGeom): Direct {
  return direct(g.c / g.groups, g.h, g.w, g.ph, g.pw, g.oh, g.ow, g.o / g.groups, g.kh, g.kw, g.dh, g.dw);
}

/** out (+)= conv(x, W) (+ bias when b ≠ 0) on d = forwardDirect(g): W read with its own strides [O][cg][kh][kw]. */
function directForward(g: ConvGeom, d: Direct, x: usize, wt: usize, b: usize, out: usize, add: bool): void {
  const cg = d.cin, og = d.cout, kk = g.kh * g.kw, hw = g.h * g.w, ohw = g.oh * g.ow;
  directWeights(d);
  const parts = ASC_FEATURE_THREADS ? imageParts(g, d) : 0;
  for (let q = 0; q < g.groups; q++) {
    packWeights(d, wt, q * og * cg * kk, cg * kk, kk, g.kw, 1);
    const bq = b ? b + (<usize>(q * og) << 2) : 0;
    if (ASC_FEATURE_THREADS) {
      if (parts) {
        runImages(parts, g.n, x + at(0, g.c, q * cg, hw), g.c * hw, out + at(0, g.o, q * og, ohw), g.o * ohw, bq, add);
        continue;
      }
    }
    for (let img = 0; img < g.n; img++) directImage(d, x + at(img, g.c, q * cg, hw), out + at(img, g.o, q * og, ohw), bq, add);
  }
}

/**
 * gx (+)= the input gradient of G: the direct kernel on G padded by dh·(kh − 1) − ph (top) and
 * dw·(kw − 1) − pw (left), with weights W'[c][o][i][j] = W[o][c][kh − 1 − i][kw − 1 − j].
 */
function directInputGrad(g: ConvGeom, gout: usize, wt: usize, gx: usize, add: bool): void {
  const cg = g.c / g.groups, og = g.o / g.groups, kk = g.kh * g.kw, hw = g.h * g.w, ohw = g.oh * g.ow;
  const dT = direct(og, g.oh, g.ow, g.dh * (g.kh - 1) - g.ph, g.dw * (g.kw - 1) - g.pw, g.h, g.w, cg, g.kh, g.kw, g.dh, g.dw);
  directWeights(dT);
  const parts = ASC_FEATURE_THREADS ? imageParts(g, dT) : 0;
  for (let q = 0; q < g.groups; q++) {
    packWeights(dT, wt, q * og * cg * kk + kk - 1, kk, cg * kk, -g.kw, -1);
    if (ASC_FEATURE_THREADS) {
      if (parts) {
        runImages(parts, g.n, gout + at(0, g.o, q * og, ohw), g.o * ohw, gx + at(0, g.c, q * cg, hw), g.c * hw, 0, add);
        continue;
      }
    }
    for (let img = 0; img < g.n; img++) directImage(dT, gout + at(img, g.o, q * og, ohw), gx + at(img, g.c, q * cg, hw), 0, add);
  }
}

/** gw (+)= the weight gradient on d = forwardDirect(g): per group, the dWᵀ sums over the images (weightGradImage), transposed into dW. */
function directWeightGrad(g: ConvGeom, d: Direct, x: usize, gout: usize, gw: usize, add: bool): void {
  if (ASC_FEATURE_THREADS) {
    if (weightGradSplit(g, d, x, gout, gw, add)) return;
  }
  const co = (d.cout + WO - 1) / WO * WO;
  const gt = arenaAlloc(<usize>(g.oh * g.ow * co) << 2), acc = arenaAlloc(<usize>(d.cin * g.kh * g.kw * co) << 2);
  weightGradChannels(g, d, 0, x, gout, gw, add, gt, acc);
}

/**
 * gw (+)= output channels [o0, o0 + d.cout) of every group's weight gradient (all of them on one
 * thread, a part's run of them across the pool): per group, Gᵀ of those channels (gt, ohw × co)
 * and the dWᵀ sums over the images (acc, ckk × co; co = d.cout padded to WO) in image order.
 */
function weightGradChannels(g: ConvGeom, d: Direct, o0: i32, x: usize, gout: usize, gw: usize, add: bool, gt: usize, acc: usize): void {
  const cg = d.cin, og = g.o / g.groups, count = d.cout, ckk = cg * g.kh * g.kw, hw = g.h * g.w, ohw = g.oh * g.ow;
  const co = (count + WO - 1) / WO * WO, accBytes = <usize>(ckk * co) << 2;
  // Channels past count stay zero in every group's Gᵀ.
  memory.fill(gt, 0, <usize>(ohw * co) << 2);
  for (let q = 0; q < g.groups; q++) {
    memory.fill(acc, 0, accBytes);
    for (let img = 0; img < g.n; img++) {
      padImage(d, x + at(img, g.c, q * cg, hw));
      const gn = gout + at(img, g.o, q * og + o0, ohw);
      for (let p = 0; p < ohw; p++)
        for (let o = 0; o < count; o++) store<f32>(gt + (<usize>(p * co + o) << 2), load<f32>(gn + (<usize>(o * ohw + p) << 2)));
      weightGradImage(d, gt, acc);
    }
    for (let o = 0; o < count; o++)
      for (let k = 0; k < ckk; k++) {
        const p = gw + (<usize>((q * og + o0 + o) * ckk + k) << 2), s = load<f32>(acc + (<usize>(k * co + o) << 2));
        store<f32>(p, add ? load<f32>(p) + s : s);
      }
  }
}

// ---- the direct path across the worker pool (threads builds) ------------------------------------
// Forward and input gradient: the images are independent, so they are cut into one run per thread,
// each run through directImage with a Direct of its own (padded planes, output buffer) sharing the
// tap offsets and the weights packed before the job. Weight gradient: its sums run over the images,
// so it is cut by output channels instead, in whole WO tiles; each part pads every image into its
// own planes, transposes its channels of G and sums its dWᵀ tiles image by image as one thread does
// (weightGradChannels on a Direct of its channels). Every output element gets the single-thread
// float operations in the same order: results are bit-identical for any thread count.

/** Multiply-adds of a pass from which it is split (as gemm.ts's products: a wake-up costs tens of µs). */
const SPLIT_MACS: u64 = 1 << 20;

/** Threads to cut `items` independent pieces of one of g's direct passes across (all three take the same multiply-adds), 1 to stay inline. */
function splitThreads(g: ConvGeom, items: i32): i32 {
  const t = poolThreads(), macs = <u64>g.n * <u64>(g.o * g.oh * g.ow) * <u64>(g.c / g.groups * g.kh * g.kw);
  return t > 1 && items > 1 && macs >= SPLIT_MACS ? t : 1;
}

/** A Direct of cout channels for another part: d's geometry, tap offsets and packed weights, and its own zeroed padded planes (as direct()'s). */
function directCopy(d: Direct, cout: i32): Direct {
  const p = changetype<Direct>(arenaAlloc(offsetof<Direct>()));
  memory.copy(changetype<usize>(p), changetype<usize>(d), offsetof<Direct>());
  p.cout = cout;
  const bytes = <usize>(d.cin * d.hp * d.wp + DP + d.dw * (d.kw - 1)) << 2;
  p.xpad = arenaAlloc(bytes);
  memory.fill(p.xpad, 0, bytes);
  return p;
}

// Arguments of an image job (imagesTask).
const J_PARTS = 0, J_N = 1, J_SRC = 2, J_SRC_WORDS = 3, J_DST = 4, J_DST_WORDS = 5, J_BIAS = 6, J_ADD = 7;

/**
 * The table of the parts' Directs for cutting d's images across the pool (d itself for part 0; the
 * others with their own padded planes and output buffer), or 0 when the pass stays inline. After
 * directWeights(d): the copies share its packed weights.
 */
function imageParts(g: ConvGeom, d: Direct): usize {
  const t = splitThreads(g, g.n);
  if (t == 1) return 0;
  const table = arenaAlloc(<usize>t << 2), rows = (d.cout + DO - 1) / DO * DO;
  store<usize>(table, changetype<usize>(d));
  for (let p = 1; p < t; p++) {
    const c = directCopy(d, d.cout);
    c.cbuf = arenaAlloc(<usize>(rows * d.cols) << 2);
    store<usize>(table + (<usize>p << 2), changetype<usize>(c));
  }
  return table;
}

/** directImage over images [0, n) of src (srcWords floats apart) into dst (dstWords apart), a run of images per part. */
function runImages(parts: usize, n: i32, src: usize, srcWords: i32, dst: usize, dstWords: i32, bias: usize, add: bool): void {
  setTaskArg(J_PARTS, <i32>parts); setTaskArg(J_N, n);
  setTaskArg(J_SRC, <i32>src); setTaskArg(J_SRC_WORDS, srcWords); setTaskArg(J_DST, <i32>dst); setTaskArg(J_DST_WORDS, dstWords);
  setTaskArg(J_BIAS, <i32>bias); setTaskArg(J_ADD, add ? 1 : 0);
  poolRun(imagesTask, 0);
}

/** Part `part` of an image job (pool.ts Task): its run of images, on its own Direct. */
function imagesTask(part: i32, parts: i32, ws: usize): void {
  const d = changetype<Direct>(load<usize>(taskPtr(J_PARTS) + (<usize>part << 2)));
  const n = taskArg(J_N), src = taskPtr(J_SRC), dst = taskPtr(J_DST), bias = taskPtr(J_BIAS), add = taskArg(J_ADD) != 0;
  const srcBytes = <usize>taskArg(J_SRC_WORDS) << 2, dstBytes = <usize>taskArg(J_DST_WORDS) << 2;
  for (let img = partFrom(n, part, parts, 1), end = partFrom(n, part + 1, parts, 1); img < end; img++)
    directImage(d, src + <usize>img * srcBytes, dst + <usize>img * dstBytes, bias, add);
}

// Arguments of a weight-gradient job (weightGradTask).
const J_GEOM = 0, J_SLICES = 1, J_X = 2, J_G = 3, J_GW = 4, J_GW_ADD = 5;

/**
 * directWeightGrad across the pool, cut by output channels (whole WO tiles of each group): each part
 * gets a Direct of its channels with its own padded planes, Gᵀ and dWᵀ sums (a triple of addresses
 * per part, 0 for a part past the channels). False (nothing done) when it stays inline.
 */
function weightGradSplit(g: ConvGeom, d: Direct, x: usize, gout: usize, gw: usize, add: bool): bool {
  const og = d.cout, t = splitThreads(g, og / WO);
  if (t == 1) return false;
  const ckk = d.cin * g.kh * g.kw, ohw = g.oh * g.ow, slices = arenaAlloc(<usize>(3 * t) << 2);
  for (let p = 0; p < t; p++) {
    const e = slices + (<usize>(3 * p) << 2), count = partFrom(og, p + 1, t, WO) - partFrom(og, p, t, WO);
    store<usize>(e, count ? changetype<usize>(directCopy(d, count)) : 0);
    if (!count) continue;
    const co = (count + WO - 1) / WO * WO;
    store<usize>(e, arenaAlloc(<usize>(ohw * co) << 2), 4);
    store<usize>(e, arenaAlloc(<usize>(ckk * co) << 2), 8);
  }
  setTaskArg(J_GEOM, <i32>changetype<usize>(g)); setTaskArg(J_SLICES, <i32>slices);
  setTaskArg(J_X, <i32>x); setTaskArg(J_G, <i32>gout); setTaskArg(J_GW, <i32>gw); setTaskArg(J_GW_ADD, add ? 1 : 0);
  poolRun(weightGradTask, 0);
  return true;
}

/** Part `part` of a weight-gradient job (pool.ts Task): directWeightGrad's sums for its channels of every group. */
function weightGradTask(part: i32, parts: i32, ws: usize): void {
  const e = taskPtr(J_SLICES) + (<usize>(3 * part) << 2), d = changetype<Direct>(load<usize>(e));
  if (!changetype<usize>(d)) return;
  const g = changetype<ConvGeom>(taskPtr(J_GEOM));
  const o0 = partFrom(g.o / g.groups, part, parts, WO);
  weightGradChannels(g, d, o0, taskPtr(J_X), taskPtr(J_G), taskPtr(J_GW), taskArg(J_GW_ADD) != 0, load<usize>(e, 4), load<usize>(e, 8));
}

// ---- the im2col path, group by group ----------------------------------------------------------

/** The im2col path's column matrix of one group (none for a pointwise conv); then gemmScratch(max(OH·OW, cg·kh·kw)). */
@inline function colMatrix(g: ConvGeom): usize {
  return isPointwise(g) ? 0 : arenaAlloc(<usize>(g.c / g.groups * g.kh * g.kw * g.oh * g.ow) << 2);
}

@inline function colGemmScratch(g: ConvGeom): usize {
  return gemmScratch(max(g.oh * g.ow, g.c / g.groups * g.kh * g.kw));
}

/**
 * out (+)= conv(x, W) (+ bias when b ≠ 0; then add is false: the bias rows are written first and
 * the GEMM accumulates onto them, no separate epilogue pass).
 */
function colForward(g: ConvGeom, x: usize, wt: usize, b: usize, out: usize, add: bool, col: usize, ws: usize): void {
  const cg = g.c / g.groups, og = g.o / g.groups, cgkk = cg * g.kh * g.kw, hw = g.h * g.w, ohw = g.oh * g.ow;
  for (let img = 0; img < g.n; img++) {
    for (let q = 0; q < g.groups; q++) {
      const on = out + at(img, g.o, q * og, ohw);
      if (b) {
        for (let oc = 0; oc < og; oc++) {
          const row = on + (<usize>(oc * ohw) << 2), bv = load<f32>(b + (<usize>(q * og + oc) << 2));
          let t = 0;
          if (ASC_FEATURE_SIMD) for (const v = f32x4.splat(bv); t + 4 <= ohw; t += 4) v128.store(row + (<usize>t << 2), v);
          for (; t < ohw; t++) store<f32>(row + (<usize>t << 2), bv);
        }
      }
      const src = columns(g, x + at(img, g.c, q * cg, hw), col, 0, cgkk);
      gemm(og, ohw, cgkk, wt + (<usize>(q * og * cgkk) << 2), cgkk, false, src, ohw, false, on, ohw, add || b != 0, ws);
    }
  }
}

/** gx += col2im(Wᵀ·G) per image and group. */
function colInputGrad(g: ConvGeom, wt: usize, gout: usize, gx: usize, col: usize, ws: usize): void {
  const cg = g.c / g.groups, og = g.o / g.groups, cgkk = cg * g.kh * g.kw, hw = g.h * g.w, ohw = g.oh * g.ow;
  const pointwise = isPointwise(g);
  for (let img = 0; img < g.n; img++) {
    for (let q = 0; q < g.groups; q++) {
      const gn = gout + at(img, g.o, q * og, ohw), xq = at(img, g.c, q * cg, hw), wq = wt + (<usize>(q * og * cgkk) << 2);
      // dcol[cgkk, OHW] = Wᵀ · G[n], then col2im adds each tap back where it was read from.
      if (pointwise) gemm(cgkk, ohw, og, wq, cgkk, true, gn, ohw, false, gx + xq, ohw, true, ws);
      else {
        gemm(cgkk, ohw, og, wq, cgkk, true, gn, ohw, false, col, ohw, false, ws);
        col2imAdd(g, col, gx + xq);
      }
    }
  }
}

/**
 * gw += G·colᵀ in columns (taps) [t0, t1) of every group's dW[og, cg·kh·kw] (all of them on one
 * thread, a part's run of them across the pool): per image in order and group, those rows of the
 * column matrix (im2col into their rows of col; x's own rows for a pointwise conv), then
 * dW[og, t0..t1) += G[n][og, OH·OW] · rowsᵀ.
 */
function colWeightTaps(g: ConvGeom, x: usize, gout: usize, gw: usize, col: usize, ws: usize, t0: i32, t1: i32): void {
  const cg = g.c / g.groups, og = g.o / g.groups, cgkk = cg * g.kh * g.kw, hw = g.h * g.w, ohw = g.oh * g.ow;
  const rows = col + (<usize>(t0 * ohw) << 2);
  for (let img = 0; img < g.n; img++) {
    for (let q = 0; q < g.groups; q++) {
      const src = columns(g, x + at(img, g.c, q * cg, hw), rows, t0, t1);
      gemm(og, t1 - t0, ohw, gout + at(img, g.o, q * og, ohw), ohw, false, src, ohw, true, gw + (<usize>(q * og * cgkk + t0) << 2), cgkk, true, ws);
    }
  }
}

// ---- the im2col and depthwise paths across the worker pool (threads builds) --------------------
// Their passes that are independent per image (conv2d's forward and input gradient) loop over the
// images of the geometry they are given, so each part runs the routine itself on a copy of the
// geometry narrowed to its run of images, with the image pointers moved on and scratch of its own
// (column matrix or padded plane; a worker's GEMMs use its own block): the single-thread operations
// per image, bit-identical. The weight gradients sum over the images: the im2col one is cut by taps
// (colWeightGrad), the depthwise one by channels (depthwiseWeights).

// The passes of an image-run job, and its arguments (imageRunsTask).
const PASS_DEPTHWISE_FWD = 0, PASS_DEPTHWISE_DX = 1, PASS_COL_FWD = 2, PASS_COL_DX = 3;
const J_PASS = 0, J_RUNS = 1, J_RUN_N = 2, J_RUN_SRC = 3, J_RUN_SRC_WORDS = 4, J_RUN_DST = 5, J_RUN_DST_WORDS = 6;
const J_RUN_W = 7, J_RUN_B = 8, J_RUN_ADD = 9;

/**
 * Runs `pass` over g's images (src and dst `srcWords` and `dstWords` floats per image) across the
 * pool and returns true, or false (nothing done) when it stays inline. Each part gets a narrowed
 * copy of g and its own scratch (a pair of addresses per part, 0 for a part past the images); ws
 * is part 0's GEMM scratch (the im2col passes).
 */
function imageRuns(g: ConvGeom, pass: i32, src: usize, srcWords: i32, dst: usize, dstWords: i32, wt: usize, b: usize, add: bool, ws: usize): bool {
  const t = splitThreads(g, g.n);
  if (t == 1) return false;
  let scratch = depthwisePlaneBytes(g);
  if (pass >= PASS_COL_FWD) scratch = isPointwise(g) ? 0 : <usize>(g.c / g.groups * g.kh * g.kw * g.oh * g.ow) << 2;
  const runs = arenaAlloc(<usize>(2 * t) << 2);
  for (let p = 0; p < t; p++) {
    const e = runs + (<usize>(2 * p) << 2), count = partFrom(g.n, p + 1, t, 1) - partFrom(g.n, p, t, 1);
    store<usize>(e, 0);
    if (!count) continue;
    const gp = arenaAlloc(offsetof<ConvGeom>());
    memory.copy(gp, changetype<usize>(g), offsetof<ConvGeom>());
    changetype<ConvGeom>(gp).n = count;
    store<usize>(e, gp);
    store<usize>(e, scratch ? arenaAlloc(scratch) : 0, 4);
  }
  setTaskArg(J_PASS, pass); setTaskArg(J_RUNS, <i32>runs); setTaskArg(J_RUN_N, g.n);
  setTaskArg(J_RUN_SRC, <i32>src); setTaskArg(J_RUN_SRC_WORDS, srcWords); setTaskArg(J_RUN_DST, <i32>dst); setTaskArg(J_RUN_DST_WORDS, dstWords);
  setTaskArg(J_RUN_W, <i32>wt); setTaskArg(J_RUN_B, <i32>b); setTaskArg(J_RUN_ADD, add ? 1 : 0);
  poolRun(imageRunsTask, ws);
  return true;
}

/** Part `part` of an image-run job (pool.ts Task): the pass over its run of images, on its geometry and scratch. */
function imageRunsTask(part: i32, parts: i32, ws: usize): void {
  const e = taskPtr(J_RUNS) + (<usize>(2 * part) << 2), gp = load<usize>(e);
  if (!gp) return;
  const g = changetype<ConvGeom>(gp), scratch = load<usize>(e, 4), from = <usize>partFrom(taskArg(J_RUN_N), part, parts, 1);
  const src = taskPtr(J_RUN_SRC) + ((from * <usize>taskArg(J_RUN_SRC_WORDS)) << 2), dst = taskPtr(J_RUN_DST) + ((from * <usize>taskArg(J_RUN_DST_WORDS)) << 2);
  const wt = taskPtr(J_RUN_W), b = taskPtr(J_RUN_B), add = taskArg(J_RUN_ADD) != 0, pass = taskArg(J_PASS);
  if (pass == PASS_DEPTHWISE_FWD) depthwiseForward(g, scratch, src, wt, b, dst, add);
  else if (pass == PASS_DEPTHWISE_DX) depthwiseInputGrad(g, scratch, src, wt, dst, add);
  else if (pass == PASS_COL_FWD) colForward(g, src, wt, b, dst, add, scratch, ws);
  else colInputGrad(g, wt, src, dst, scratch, ws);
}

// The im2col weight gradient: dW[og, cg·kh·kw] of a group sums G[n]·colᵀ over the images, but its
// columns (the taps) are independent, so runs of taps go to the threads, cut at multiples of NR.
// Each part walks every image in order and every group as one thread does (colWeightTaps), im2cols
// only its rows of the column matrix (the record's: the rows of different parts are disjoint) and
// runs the GEMM on its columns of dW. gemm.ts decides a product's path from m and k alone and tiles
// its columns in NR-wide micro-panels from column 0, so a run starting at a multiple of NR gets the
// whole product's tiles, hence its float operations, for its columns (as gemm.ts's own column
// split): bit-identical for any thread count. Each part has its own GEMM scratch from the arena
// (gemmScratchParts, counted by the plan: src/ops/contract.ts colWeightGradWords).

// Arguments of an im2col weight-gradient job (colWeightTask); J_CW_WS + 1: gemmScratchParts' stride.
const J_CW_GEOM = 0, J_CW_X = 1, J_CW_G = 2, J_CW_GW = 3, J_CW_COL = 4, J_CW_WS = 5;

/** gw += the im2col path's weight gradient (col: the column matrix, ws: gemmScratch(≥ cg·kh·kw)), across the pool when it pays. */
function colWeightGrad(g: ConvGeom, x: usize, gout: usize, gw: usize, col: usize, ws: usize): void {
  const cgkk = g.c / g.groups * g.kh * g.kw;
  if (ASC_FEATURE_THREADS) {
    const t = splitThreads(g, (cgkk + NR - 1) / NR);
    if (t > 1) {
      setTaskArg(J_CW_GEOM, <i32>changetype<usize>(g)); setTaskArg(J_CW_X, <i32>x); setTaskArg(J_CW_G, <i32>gout);
      setTaskArg(J_CW_GW, <i32>gw); setTaskArg(J_CW_COL, <i32>col);
      // Part 0's run is the longest: every part's GEMM fits a scratch for its columns.
      poolRun(colWeightTask, gemmScratchParts(t, partFrom(cgkk, 1, t, NR), J_CW_WS));
      return;
    }
  }
  colWeightTaps(g, x, gout, gw, col, ws, 0, cgkk);
}

/** Part `part` of an im2col weight-gradient job (pool.ts Task): its run of taps, on its GEMM scratch. */
function colWeightTask(part: i32, parts: i32, ws: usize): void {
  const g = changetype<ConvGeom>(taskPtr(J_CW_GEOM)), cgkk = g.c / g.groups * g.kh * g.kw;
  const t0 = partFrom(cgkk, part, parts, NR), t1 = partFrom(cgkk, part + 1, parts, NR);
  if (t0 >= t1) return;
  colWeightTaps(g, taskPtr(J_CW_X), taskPtr(J_CW_G), taskPtr(J_CW_GW), taskPtr(J_CW_COL), partGemmScratch(part, J_CW_WS), t0, t1);
}

// The depthwise weight gradient: a channel's kh·kw sums run over that channel's images only, so
// runs of channels go to the threads (splitThreads: for a depthwise g its multiply-adds are the
// weight gradient's), each summing its channels as one thread does (bit-identical), on a padded
// plane and float64 sums of its own from the arena, allocated before posting (the plan counts
// them: src/ops/contract.ts depthwiseWeightGradWords).

// Arguments of a depthwise weight-gradient job: the geometry, x, G, dW, add, the parts' scratch table.
const J_DW_GEOM = 0, J_DW_X = 1, J_DW_G = 2, J_DW_GW = 3, J_DW_ADD = 4, J_DW_SCRATCH = 5;

/** gw (+)= the depthwise weight gradient, across the pool when it pays. */
function depthwiseWeights(g: ConvGeom, pad: usize, x: usize, gout: usize, gw: usize, add: bool): void {
  const kk = <usize>(g.kh * g.kw) << 3;
  if (ASC_FEATURE_THREADS) {
    const t = splitThreads(g, g.c);
    if (t > 1) {
      const table = arenaAlloc(<usize>(2 * t) << 2);
      for (let p = 0; p < t; p++) {
        store<u32>(table + (<usize>(2 * p) << 2), <u32>depthwisePlane(g));
        store<u32>(table + (<usize>(2 * p + 1) << 2), <u32>arenaAlloc(kk));
      }
      setTaskArg(J_DW_GEOM, <i32>changetype<usize>(g)); setTaskArg(J_DW_X, <i32>x); setTaskArg(J_DW_G, <i32>gout);
      setTaskArg(J_DW_GW, <i32>gw); setTaskArg(J_DW_ADD, add ? 1 : 0); setTaskArg(J_DW_SCRATCH, <i32>table);
      poolRun(depthwiseWeightsTask, 0);
      return;
    }
  }
  depthwiseWeightGrad(g, pad, arenaAlloc(kk), x, gout, gw, add, 0, g.c);
}

/** Part `part` of a depthwise weight-gradient job (pool.ts Task): its run of channels, on its own scratch. */
function depthwiseWeightsTask(part: i32, parts: i32, ws: usize): void {
  const g = changetype<ConvGeom>(taskPtr(J_DW_GEOM)), e = taskPtr(J_DW_SCRATCH) + (<usize>(2 * part) << 2);
  const c0 = partFrom(g.c, part, parts, 1), c1 = partFrom(g.c, part + 1, parts, 1);
  if (c0 >= c1) return;
  depthwiseWeightGrad(g, <usize>load<u32>(e), <usize>load<u32>(e, 4), taskPtr(J_DW_X), taskPtr(J_DW_G), taskPtr(J_DW_GW), taskArg(J_DW_ADD) != 0, c0, c1);
}

// ---- per-channel sums and broadcasts (the biases) ----------------------------------------------

/**
 * db (+)= Σ G over the images and the plane of each channel: each image's plane is a long sum
 * (reduce.ts sumRun), and the planes' sums, one per image, add into a float64 total (a scalar, so
 * float64 is the simplest accurate accumulator: no compensation needed). Channels are independent:
 * with a pool, from SPLIT_SUMS values (reduce.ts's column sums' threshold), runs of channels go to
 * the threads (bit-identical).
 */
function channelSums(db: usize, gsrc: usize, n: i32, chs: i32, plane: i32, add: bool): void {
  if (ASC_FEATURE_THREADS) {
    if (poolThreads() > 1 && chs > 1 && <u64>n * <u64>chs * <u64>plane >= <u64>SPLIT_SUMS) {
      setTaskArg(J_SUM_DB, <i32>db); setTaskArg(J_SUM_G, <i32>gsrc); setTaskArg(J_SUM_N, n);
      setTaskArg(J_SUM_CHS, chs); setTaskArg(J_SUM_PLANE, plane); setTaskArg(J_SUM_ADD, add ? 1 : 0);
      poolRun(channelSumsTask, 0);
      return;
    }
  }
  channelRange(db, gsrc, n, chs, plane, add, 0, chs);
}

/** Channels [from, to) of channelSums. */
@inline function channelRange(db: usize, gsrc: usize, n: i32, chs: i32, plane: i32, add: bool, from: i32, to: i32): void {
  for (let ch = from; ch < to; ch++) {
    let s: f64 = 0;
    for (let img = 0; img < n; img++) s += sumRun(gsrc + at(img, chs, ch, plane), plane);
    const p = db + (<usize>ch << 2);
    store<f32>(p, add ? <f32>(<f64>load<f32>(p) + s) : <f32>s);
  }
}

// Arguments of a channel-sums job.
const J_SUM_DB = 0, J_SUM_G = 1, J_SUM_N = 2, J_SUM_CHS = 3, J_SUM_PLANE = 4, J_SUM_ADD = 5;

/** Part `part` of a channel-sums job (pool.ts Task; no scratch): its run of channels. */
function channelSumsTask(part: i32, parts: i32, ws: usize): void {
  const chs = taskArg(J_SUM_CHS);
  channelRange(taskPtr(J_SUM_DB), taskPtr(J_SUM_G), taskArg(J_SUM_N), chs, taskArg(J_SUM_PLANE), taskArg(J_SUM_ADD) != 0, partFrom(chs, part, parts, 1), partFrom(chs, part + 1, parts, 1));
}

/** out[img][ch][·] += b[ch]. */
function addChannels(out: usize, b: usize, n: i32, chs: i32, plane: i32): void {
  for (let img = 0; img < n; img++)
    for (let ch = 0; ch < chs; ch++) {
      const row = out + at(img, chs, ch, plane), bv = load<f32>(b + (<usize>ch << 2));
      let t = 0;
      if (ASC_FEATURE_SIMD) {
        for (const v = f32x4.splat(bv); t + 4 <= plane; t += 4) {
          const p = row + (<usize>t << 2);
          v128.store(p, f32x4.add(v128.load(p), v));
        }
      }
      for (; t < plane; t++) {
        const p = row + (<usize>t << 2);
        store<f32>(p, load<f32>(p) + bv);
      }
    }
}

// ---- conv2d ------------------------------------------------------------------------------------

export function f32_conv_2d_fwd(rec: usize): void {
  const g = geom(rec);
  const x = ptr(rec, IN), wt = ptr(rec, IN + 1), b = g.bias ? ptr(rec, IN + 2) : 0, out = ptr(rec, OUT);
  if (isDepthwise(g)) {
    if (ASC_FEATURE_THREADS) {
      if (imageRuns(g, PASS_DEPTHWISE_FWD, x, g.c * g.h * g.w, out, g.o * g.oh * g.ow, wt, b, false, 0)) return;
    }
    depthwiseForward(g, depthwisePlane(g), x, wt, b, out, false);
    return;
  }
  if (ASC_FEATURE_SIMD) {
    if (isDirect(g)) {
      directForward(g, forwardDirect(g), x, wt, b, out, false);
      return;
    }
  }
  if (ASC_FEATURE_THREADS) {
    if (splitThreads(g, g.n) > 1 && imageRuns(g, PASS_COL_FWD, x, g.c * g.h * g.w, out, g.o * g.oh * g.ow, wt, b, false, colGemmScratch(g))) return;
  }
  const col = colMatrix(g);
  colForward(g, x, wt, b, out, false, col, colGemmScratch(g));
}

export function f32_conv_2d_bwd(rec: usize): void {
  const g = geom(rec);
  const x = ptr(rec, IN), wt = ptr(rec, IN + 1), gout = ptr(rec, GOUT), gx = ptr(rec, GIN), gw = ptr(rec, GIN + 1), gb = ptr(rec, GIN + 2);
  if (gb && g.bias) channelSums(gb, gout, g.n, g.o, g.oh * g.ow, !overwrites(rec, 2));
  if (isDepthwise(g)) {
    const pad = depthwisePlane(g);
    if (ASC_FEATURE_THREADS) {
      if (gx && imageRuns(g, PASS_DEPTHWISE_DX, gout, g.o * g.oh * g.ow, gx, g.c * g.h * g.w, wt, 0, !overwrites(rec, 0), 0)) {
        if (gw) depthwiseWeights(g, pad, x, gout, gw, !overwrites(rec, 1));
        return;
      }
    }
    if (gx) depthwiseInputGrad(g, pad, gout, wt, gx, !overwrites(rec, 0));
    if (gw) depthwiseWeights(g, pad, x, gout, gw, !overwrites(rec, 1));
    return;
  }
  if (ASC_FEATURE_SIMD) {
    if (isDirect(g)) {
      if (gx) directInputGrad(g, gout, wt, gx, !overwrites(rec, 0));
      if (gw) directWeightGrad(g, forwardDirect(g), x, gout, gw, !overwrites(rec, 1));
      return;
    }
  }
  const col = colMatrix(g), ws = colGemmScratch(g);
  // Every image and group adds: an overwritten gradient is cleared first.
  if (gx && overwrites(rec, 0)) memory.fill(gx, 0, <usize>(g.n * g.c * g.h * g.w) << 2);
  if (gw && overwrites(rec, 1)) memory.fill(gw, 0, <usize>(g.o * (g.c / g.groups) * g.kh * g.kw) << 2);
  if (gx) {
    // By images across the pool, or here.
    let inline = true;
    if (ASC_FEATURE_THREADS) inline = !imageRuns(g, PASS_COL_DX, gout, g.o * g.oh * g.ow, gx, g.c * g.h * g.w, wt, 0, true, ws);
    if (inline) colInputGrad(g, wt, gout, gx, col, ws);
  }
  if (gw) colWeightGrad(g, x, gout, gw, col, ws);
}

// ---- convTranspose2d ---------------------------------------------------------------------------
// The record holds the geometry of the convolution g (x [n, c, h, w] → [n, o, oh, ow]) whose
// adjoint this is: the input X [n, o, oh, ow] plays g's output gradient, the weight
// [o, c/groups, kh, kw] is g's weight, and the output [n, c, h, w] is g's input gradient, plus a
// bias per channel c. So forward = g's input gradient; backward: dX = g's forward of G, dW = g's
// weight gradient with G as its input and X as its output gradient, db = Σ G per channel.

export function f32_conv_transpose_2d_fwd(rec: usize): void {
  const g = geom(rec);
  const x = ptr(rec, IN), wt = ptr(rec, IN + 1), out = ptr(rec, OUT);
  let done = isDepthwise(g);
  if (done) depthwiseInputGrad(g, depthwisePlane(g), x, wt, out, false);
  if (ASC_FEATURE_SIMD) {
    if (!done && isDirect(g)) {
      directInputGrad(g, x, wt, out, false);
      done = true;
    }
  }
  if (!done) {
    const col = colMatrix(g), ws = colGemmScratch(g);
    memory.fill(out, 0, <usize>(g.n * g.c * g.h * g.w) << 2);
    colInputGrad(g, wt, x, out, col, ws);
  }
  if (g.bias) addChannels(out, ptr(rec, IN + 2), g.n, g.c, g.h * g.w);
}

export function f32_conv_transpose_2d_bwd(rec: usize): void {
  const g = geom(rec);
  const x = ptr(rec, IN), wt = ptr(rec, IN + 1), gout = ptr(rec, GOUT), gx = ptr(rec, GIN), gw = ptr(rec, GIN + 1), gb = ptr(rec, GIN + 2);
  if (gb && g.bias) channelSums(gb, gout, g.n, g.c, g.h * g.w, !overwrites(rec, 2));
  if (isDepthwise(g)) {
    const pad = depthwisePlane(g);
    if (gx) depthwiseForward(g, pad, gout, wt, 0, gx, !overwrites(rec, 0));
    if (gw) depthwiseWeights(g, pad, gout, x, gw, !overwrites(rec, 1));
    return;
  }
  if (ASC_FEATURE_SIMD) {
    if (isDirect(g)) {
      const d = forwardDirect(g);
      if (gx) directForward(g, d, gout, wt, 0, gx, !overwrites(rec, 0));
      if (gw) directWeightGrad(g, d, gout, x, gw, !overwrites(rec, 1));
      return;
    }
  }
  const col = colMatrix(g), ws = colGemmScratch(g);
  if (gx) colForward(g, gout, wt, 0, gx, !overwrites(rec, 0), col, ws);
  if (gw) {
    if (overwrites(rec, 1)) memory.fill(gw, 0, <usize>(g.o * (g.c / g.groups) * g.kh * g.kw) << 2);
    colWeightGrad(g, gout, x, gw, col, ws);
  }
}
