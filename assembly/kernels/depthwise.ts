// Depthwise convolution (groups = C = O: one 3×3 or k×k filter per channel, MobileNet's layers),
// any stride, padding and dilation, on all builds. The general paths would run it as C separate
// one-channel convolutions (a 1 × 1·kh·kw GEMM per image and channel, or the direct kernel with
// one of its four channel rows used); here each (image, channel) plane is padded once into the
// scratch plane and every output row sums its kh·kw taps, four outputs per f32x4 at stride 1.
//   forward: out[y][x] = b + Σ_(i, j) w[i][j] · xpad[y·sh + i·dh][x·sw + j·dw]
//   dX:      its adjoint, gpad[y·sh + i·dh][x·sw + j·dw] += w[i][j] · G[y][x], then the interior
//            of gpad is dX (the padding's share is dropped);
//   dW:      dw[i][j] = Σ_(n, y, x) G[y][x] · xpad[y·sh + i·dh][x·sw + j·dw], a dot product per
//            tap and image, summed over the images in float64.
// The padded plane is hp × wp with hp = max((OH − 1)·sh + dh·(kh − 1) + 1, ph + H): every tap of
// every output and every input row fit (likewise wp).
import { arenaAlloc } from '../arena';
import { hsum, madd } from '../simd';
import { ConvGeom, at } from './conv-geom';

@inline function padH(g: ConvGeom): i32 {
  return max((g.oh - 1) * g.sh + g.dh * (g.kh - 1) + 1, g.ph + g.h);
}

@inline function padW(g: ConvGeom): i32 {
  return max((g.ow - 1) * g.sw + g.dw * (g.kw - 1) + 1, g.pw + g.w);
}

/** Whether g is depthwise with one filter per channel. */
@inline export function isDepthwise(g: ConvGeom): bool {
  return g.groups == g.c && g.o == g.c;
}

/** Bytes of one padded plane. */
@inline export function depthwisePlaneBytes(g: ConvGeom): usize {
  return <usize>(padH(g) * padW(g)) << 2;
}

/** The record's padded plane (its scratch words: src/ops/contract.ts depthwiseWords). */
@inline export function depthwisePlane(g: ConvGeom): usize {
  return arenaAlloc(<usize>(padH(g) * padW(g)) << 2);
}

/** Zeroes the padded plane and copies plane src (h × w) into its interior. */
function padPlane(g: ConvGeom, pad: usize, src: usize, wp: i32, hp: i32): void {
  memory.fill(pad, 0, <usize>(hp * wp) << 2);
  for (let y = 0; y < g.h; y++) memory.copy(pad + (<usize>((y + g.ph) * wp + g.pw) << 2), src + (<usize>(y * g.w) << 2), <usize>g.w << 2);
}

/**
 * out (+)= the depthwise convolution of x (+ bias[c] when b ≠ 0). At stride 1, eight outputs of a
 * row (two f32x4 accumulators) sum the taps in registers, each weight broadcast once for both.
 */
export function depthwiseForward(g: ConvGeom, pad: usize, x: usize, wt: usize, b: usize, out: usize, add: bool): void {
  const hp = padH(g), wp = padW(g), kh = g.kh, kw = g.kw, kk = kh * kw, hw = g.h * g.w, ohw = g.oh * g.ow;
  const oh = g.oh, ow = g.ow, sh = g.sh, sw = g.sw, rowStep = <usize>(g.dh * wp) << 2, tapStep = <usize>g.dw << 2;
  for (let img = 0; img < g.n; img++) {
    for (let c = 0; c < g.c; c++) {
      padPlane(g, pad, x + at(img, g.c, c, hw), wp, hp);
      const wc = wt + (<usize>(c * kk) << 2), o = out + at(img, g.c, c, ohw);
      const bias: f32 = b ? load<f32>(b + (<usize>c << 2)) : 0;
      for (let oy = 0; oy < oh; oy++) {
        const orow = o + (<usize>(oy * ow) << 2), prow = pad + (<usize>(oy * sh * wp) << 2);
        let ox = 0;
        if (ASC_FEATURE_SIMD) {
          if (sw == 1) {
            for (; ox + 8 <= ow; ox += 8) {
              const q = orow + (<usize>ox << 2);
              let a0 = add ? v128.load(q) : f32x4.splat(bias), a1 = add ? v128.load(q, 16) : f32x4.splat(bias);
              let r = prow + (<usize>ox << 2), wi = wc;
              for (let i = 0; i < kh; i++, r += rowStep) {
                let t = r;
                for (let j = 0; j < kw; j++, t += tapStep, wi += 4) {
                  const wv = v128.load32_splat(wi);
                  a0 = madd(wv, v128.load(t), a0);
                  a1 = madd(wv, v128.load(t, 16), a1);
                }
              }
              v128.store(q, a0);
              v128.store(q, a1, 16);
            }
            for (; ox + 4 <= ow; ox += 4) {
              const q = orow + (<usize>ox << 2);
              let a0 = add ? v128.load(q) : f32x4.splat(bias);
              let r = prow + (<usize>ox << 2), wi = wc;
              for (let i = 0; i < kh; i++, r += rowStep) {
                let t = r;
                for (let j = 0; j < kw; j++, t += tapStep, wi += 4) a0 = madd(v128.load32_splat(wi), v128.load(t), a0);
              }
              v128.store(q, a0);
            }
          }
        }
        for (; ox < ow; ox++) {
          const q = orow + (<usize>ox << 2);
          let acc: f32 = add ? load<f32>(q) : bias;
          let r = prow + (<usize>(ox * sw) << 2), wi = wc;
          for (let i = 0; i < kh; i++, r += rowStep) {
            let t = r;
            for (let j = 0; j < kw; j++, t += tapStep, wi += 4) acc += load<f32>(wi) * load<f32>(t);
          }
          store<f32>(q, acc);
        }
      }
    }
  }
}

/** gx (+)= the input gradient of G, through the padded plane as accumulator (stride 1: one row axpy per tap). */
export function depthwiseInputGrad(g: ConvGeom, pad: usize, gout: usize, wt: usize, gx: usize, add: bool): void {
  const hp = padH(g), wp = padW(g), kh = g.kh, kw = g.kw, kk = kh * kw, hw = g.h * g.w, ohw = g.oh * g.ow;
  const oh = g.oh, ow = g.ow, sh = g.sh, sw = g.sw, rowStep = <usize>(g.dh * wp) << 2, tapStep = <usize>g.dw << 2;
  for (let img = 0; img < g.n; img++) {
    for (let c = 0; c < g.c; c++) {
      memory.fill(pad, 0, <usize>(hp * wp) << 2);
      const wc = wt + (<usize>(c * kk) << 2), gp = gout + at(img, g.c, c, ohw);
      for (let oy = 0; oy < oh; oy++) {
        const grow = gp + (<usize>(oy * ow) << 2);
        let r = pad + (<usize>(oy * sh * wp) << 2), wi = wc;
        for (let i = 0; i < kh; i++, r += rowStep) {
          let t = r;
          for (let j = 0; j < kw; j++, t += tapStep, wi += 4) {
            const wv = load<f32>(wi);
            let ox = 0;
            // Stride 1: four outputs feed four neighbouring positions (no lane collides).
            if (ASC_FEATURE_SIMD) {
              if (sw == 1) {
                const v = f32x4.splat(wv);
                for (; ox + 8 <= ow; ox += 8) {
                  const q = t + (<usize>ox << 2), s = grow + (<usize>ox << 2);
                  v128.store(q, madd(v, v128.load(s), v128.load(q)));
                  v128.store(q, madd(v, v128.load(s, 16), v128.load(q, 16)), 16);
                }
                for (; ox + 4 <= ow; ox += 4) {
                  const q = t + (<usize>ox << 2);
                  v128.store(q, madd(v, v128.load(grow + (<usize>ox << 2)), v128.load(q)));
                }
              }
            }
            for (; ox < ow; ox++) {
              const q = t + (<usize>(ox * sw) << 2);
              store<f32>(q, load<f32>(q) + wv * load<f32>(grow + (<usize>ox << 2)));
            }
          }
        }
      }
      const dst = gx + at(img, g.c, c, hw);
      for (let y = 0; y < g.h; y++) {
        const s = pad + (<usize>((y + g.ph) * wp + g.pw) << 2), d = dst + (<usize>(y * g.w) << 2);
        if (!add) memory.copy(d, s, <usize>g.w << 2);
        else for (let x = 0; x < g.w; x++) store<f32>(d + (<usize>x << 2), load<f32>(d + (<usize>x << 2)) + load<f32>(s + (<usize>x << 2)));
      }
    }
  }
}

/**
 * gw (+)= the weight gradient of channels [c0, c1): per channel and tap, Σ over the images of the
 * dot product of G with the shifted padded input (two f32x4 accumulators over the whole plane at
 * stride 1, one horizontal sum per tap and image), the images' sums added in float64 at acc (kh·kw
 * of them). A channel's sums involve that channel only: conv.ts cuts the channels across the pool.
 */
export function depthwiseWeightGrad(g: ConvGeom, pad: usize, acc: usize, x: usize, gout: usize, gw: usize, add: bool, c0: i32, c1: i32): void {
  const hp = padH(g), wp = padW(g), kh = g.kh, kw = g.kw, kk = kh * kw, hw = g.h * g.w, ohw = g.oh * g.ow;
  const oh = g.oh, ow = g.ow, sw = g.sw, padRow = <usize>(g.sh * wp) << 2, gRow = <usize>ow << 2;
  for (let c = c0; c < c1; c++) {
    memory.fill(acc, 0, <usize>kk << 3);
    for (let img = 0; img < g.n; img++) {
      padPlane(g, pad, x + at(img, g.c, c, hw), wp, hp);
      const gp = gout + at(img, g.c, c, ohw);
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          let s: f32 = 0;
          let grow = gp, r = pad + (<usize>(i * g.dh * wp + j * g.dw) << 2);
          if (ASC_FEATURE_SIMD) {
            if (sw == 1) {
              let v0 = f32x4.splat(0), v1 = f32x4.splat(0);
              for (let oy = 0; oy < oh; oy++, grow += gRow, r += padRow) {
                let ox = 0;
                for (; ox + 8 <= ow; ox += 8) {
                  const q = <usize>ox << 2;
                  v0 = madd(v128.load(grow + q), v128.load(r + q), v0);
                  v1 = madd(v128.load(grow + q, 16), v128.load(r + q, 16), v1);
                }
                for (; ox + 4 <= ow; ox += 4) v0 = madd(v128.load(grow + (<usize>ox << 2)), v128.load(r + (<usize>ox << 2)), v0);
                for (; ox < ow; ox++) s += load<f32>(grow + (<usize>ox << 2)) * load<f32>(r + (<usize>ox << 2));
              }
              s += hsum(f32x4.add(v0, v1));
              grow = gp + (<usize>ohw << 2);
            }
          }
          for (; grow < gp + (<usize>ohw << 2); grow += gRow, r += padRow)
            for (let ox = 0; ox < ow; ox++) s += load<f32>(grow + (<usize>ox << 2)) * load<f32>(r + (<usize>(ox * sw) << 2));
          const p = acc + (<usize>(i * kw + j) << 3);
          store<f64>(p, load<f64>(p) + <f64>s);
        }
      }
    }
    for (let k = 0; k < kk; k++) {
      const p = gw + (<usize>(c * kk + k) << 2), s = <f32>load<f64>(acc + (<usize>k << 3));
      store<f32>(p, add ? load<f32>(p) + s : s);
    }
  }
}

