// GEMM: C (+)= op(A)·op(B), row-major f32, with an optional bias + activation epilogue, and the
// matmul and linear kernels built on it.
//
// Blocking (Goto/BLIS): the KC×NC panel of op(B) is packed once into micro-panels of NR = 8
// columns ([k][8], ~8 KiB per micro-panel: stays in L1), each MC×KC block of op(A) into
// micro-panels of MR = 4 rows ([k][4], 64 KiB block: stays in L2). The 4×8 micro-kernel keeps its
// 8 f32x4 accumulators + 2 B vectors + 4 A broadcasts in 14 of V8's 16 xmm registers: per k two
// v128.load of B, four load32_splat of A, eight multiply-adds (a larger tile spills and halves
// throughput, see ../shared/notes/assemblyscript-simd.md). Transposed operands only change the
// strides the packing routine reads with; they are never materialised. Ragged edges are packed
// zero-padded, computed as a full tile into a scratch tile, and only the valid part reaches C.
//
// Packing pays for itself when a packed panel is reused by many micro-tiles. With few rows of
// op(A) (small batches, batch-1 online training) it is most of the work, so:
//  - op(B) not transposed (its rows run along j, as the micro-kernel's B vectors want) and at most
//    one row block (MC rows): the micro-kernel reads A and B where they are (only ragged edge
//    strips are packed);
//  - A·Bᵀ with both operands running along k (a Linear layer's x·Wᵀ): dot products, 2 rows of A
//    × 4 rows of B per tile, reduced across lanes at the end; nothing is packed. They beat the
//    packed path at every size measured (n = k = 1024 included) once k ≥ 32 amortises the lane
//    reductions; below that they are kept for few rows only.
// (Cut-offs from a sweep on the 2-core EPYC, Node 20: docs/internals.md, "GEMM paths".)
// Every v128 path sits under `if (ASC_FEATURE_SIMD)`; without SIMD a plain loop nest computes the
// same sums (see gemmScalar).
import { arenaAlloc } from '../arena';
import { madd } from '../simd';
import { GIN, GOUT, IN, OUT, overwrites, param, ptr } from '../record';
import { columnSums } from './reduce';
import { poolRun, poolThreads, setTaskArg, taskArg, taskPtr } from '../pool';
import { ALIGN_WORDS } from '../generated/contract';
// Blocking and path cut-offs, declared in src/ops/contract.ts (GEMM), which also sizes the scratch
// (gemmScratchWords): UNPACKED_M rows of op(A) at most are read unpacked (B not transposed); A·Bᵀ
// with both operands along k takes dot products from depth DOT_K on, or up to DOT_M rows; a packed
// B panel of at most ROWS_FIRST_PANEL floats (16 KiB, half of L1) is walked by rows of tiles.
import { DOT_K, DOT_M, KC, MC, MR, NC, NR, ROWS_FIRST_PANEL, UNPACKED_M } from '../generated/contract';

/**
 * Scratch for gemm calls whose op(B) has at most `nMax` columns: [4×8 tile | packed A block |
 * packed B panel]. Allocate once per record (arenaAlloc is a bump allocator) and pass to gemm.
 */
export function gemmScratch(nMax: i32): usize {
  const nc = min(NC, (nMax + NR - 1) / NR * NR);
  return arenaAlloc(<usize>(MR * NR + MC * KC + KC * nc) << 2);
}

// ---- epilogues: what happens to an element of C once its sum is complete ---------------------
// Classes of @inline methods passed as a type argument (docs/internals.md, generic kernels):
// f on one float, v on four lanes; id names the class in a pool job.
const EPI_IDENTITY = 0, EPI_RELU = 1;

class Identity {
  @inline id(): i32 { return EPI_IDENTITY; }
  @inline f(x: f32): f32 { return x; }
  @inline v(x: v128): v128 { return x; }
}

/** x < 0 ? 0 : x, as the relu op: NaN stays NaN (pmax(x, 0) is that, in one maxps). */
class Relu {
  @inline id(): i32 { return EPI_RELU; }
  @inline f(x: f32): f32 { return x < 0 ? 0 : x; }
  @inline v(x: v128): v128 { return f32x4.pmax(x, f32x4.splat(0)); }
}

/**
 * Packs `rows` rows × `kc` depth of a matrix whose element (r, k) sits at src + 4·(r·rs + k·ks)
 * into panels of w rows laid out [panel][k][w]; the last panel's missing rows are zeros.
 */
function pack(dst: usize, src: usize, rows: i32, kc: i32, rs: i32, ks: i32, w: i32): void {
  for (let r0 = 0; r0 < rows; r0 += w) {
    const panel = dst + ((<usize>r0 * kc) << 2); // panels before this one hold r0·kc floats
    const h = min(w, rows - r0);
    if (rs == 1 && h == w) {
      // The panel's w values at each k are contiguous in the source: w/4 vector copies.
      for (let k = 0; k < kc; k++) {
        const s = src + (<usize>(r0 + k * ks) << 2), d = panel + (<usize>(k * w) << 2);
        for (let q = 0; q < w; q += 4) v128.store(d + (<usize>q << 2), v128.load(s + (<usize>q << 2)));
      }
    } else if (ks == 1 && h == w) {
      // Rows run along k (A of A·B, B of A·Bᵀ): 4 rows × 4 depths per 4×4 register transpose.
      const k4 = kc & ~3;
      for (let g = 0; g < w; g += 4) {
        const s0 = src + (<usize>((r0 + g) * rs) << 2), rb = <usize>rs << 2;
        const d = panel + (<usize>g << 2), kb = <usize>w << 2;
        for (let k = 0; k < k4; k += 4) {
          const o = <usize>k << 2;
          const v0 = v128.load(s0 + o), v1 = v128.load(s0 + rb + o), v2 = v128.load(s0 + 2 * rb + o), v3 = v128.load(s0 + 3 * rb + o);
          const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
          const dk = d + <usize>k * kb;
          v128.store(dk, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(dk + kb, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
          v128.store(dk + 2 * kb, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
          v128.store(dk + 3 * kb, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
        }
        for (let k = k4; k < kc; k++)
          for (let r = 0; r < 4; r++) store<f32>(d + <usize>k * kb + (<usize>r << 2), load<f32>(s0 + <usize>r * rb + (<usize>k << 2)));
      }
    } else {
      // Row by row (ragged panels, general strides); missing rows are zeros.
      for (let r = 0; r < w; r++) {
        const d = panel + (<usize>r << 2);
        if (r < h) {
          const s = src + (<usize>((r0 + r) * rs) << 2);
          for (let k = 0; k < kc; k++) store<f32>(d + (<usize>(k * w) << 2), load<f32>(s + (<usize>(k * ks) << 2)));
        } else {
          for (let k = 0; k < kc; k++) store<f32>(d + (<usize>(k * w) << 2), 0);
        }
      }
    }
  }
}

/**
 * The 4×8 micro-kernel: c[4×8] (+)= A[4×kc] · B[kc×8], c with a row pitch of ldc bytes. A(r, k) at
 * pa + r·ars + k·aks, B row k (8 contiguous floats) at pb + k·bks (byte strides): packed operands
 * are ars = 4, aks = 16, bks = 32; unpacked ones are read in place. `last`: the sums are complete,
 * so the epilogue (+ bias[8] when bias ≠ 0, then E) runs on the registers before the store.
 * Inlined once into gemm, where V8 keeps the 8 accumulators in registers.
 */
@inline function microKernel<E>(
  pa: usize, ars: usize, aks: usize, pb: usize, bks: usize, kc: i32,
  c: usize, ldc: usize, add: bool, last: bool, bias: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const ars2 = ars << 1, ars3 = ars2 + ars;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa + ars);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa + ars2);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa + ars3);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += aks;
    pb += bks;
  }
  if (add) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ldc)); c11 = f32x4.add(c11, v128.load(c + ldc, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ldc)); c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ldc)); c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
  }
  if (last) {
    if (bias) {
      const v0 = v128.load(bias), v1 = v128.load(bias, 16);
      c00 = f32x4.add(c00, v0); c01 = f32x4.add(c01, v1); c10 = f32x4.add(c10, v0); c11 = f32x4.add(c11, v1);
      c20 = f32x4.add(c20, v0); c21 = f32x4.add(c21, v1); c30 = f32x4.add(c30, v0); c31 = f32x4.add(c31, v1);
    }
    const e = changetype<E>(0);
    c00 = e.v(c00); c01 = e.v(c01); c10 = e.v(c10); c11 = e.v(c11);
    c20 = e.v(c20); c21 = e.v(c21); c30 = e.v(c30); c31 = e.v(c31);
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

/** The element of C at dst receives v: v (+ C when add), then, when last, + bias[0] and E. */
@inline function finish<E>(dst: usize, v: f32, add: bool, last: bool, bias: usize): void {
  if (add) v += load<f32>(dst);
  if (last) {
    if (bias) v += load<f32>(bias);
    v = changetype<E>(0).f(v);
  }
  store<f32>(dst, v);
}

/**
 * The blocked GEMM (see the top of the file), packing op(A) blocks when packA and op(B) panels
 * when packB; an operand that is not packed is read in place and only its ragged edge strip
 * (fewer than MR rows / NR columns) is packed, zero-padded. op(B) is read in place only when not
 * transposed (brs = 1).
 */
@inline function gemmBlocked<E>(
  m: i32, n: i32, k: i32,
  a: usize, ars: i32, aks: i32, b: usize, bks: i32,
  c: usize, ldc: i32, accumulate: bool, ws: usize, bias: usize, brs: i32, packA: bool, packB: bool,
): void {
  const tile = ws, packedA = ws + (<usize>(MR * NR) << 2), packedB = packedA + (<usize>(MC * KC) << 2);
  const ldcBytes = <usize>ldc << 2;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const ncFull = packB ? nc : nc - nc % NR; // columns read in place
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const bBlock = b + (<usize>(jc * brs + pc * bks) << 2);
      if (packB) pack(packedB, bBlock, nc, kc, brs, bks, NR);
      else if (ncFull < nc) pack(packedB, bBlock + (<usize>ncFull << 2), nc - ncFull, kc, 1, bks, NR);
      // The first depth block overwrites C unless the caller accumulates; later blocks add; the
      // last one applies the epilogue.
      const add = accumulate || pc > 0, last = pc + kc == k;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        const aBlock = a + (<usize>(ic * ars + pc * aks) << 2);
        const mcFull = packA ? mc : mc - mc % MR; // rows read in place
        if (packA) pack(packedA, aBlock, mc, kc, ars, aks, MR);
        else if (mcFull < mc) pack(packedA, aBlock + (<usize>(mcFull * ars) << 2), mc - mcFull, kc, ars, aks, MR);
        // Micro-tiles in column strips (the B micro-panel stays in L1 while the A block streams
        // from L2), or row by row when the whole B panel fits in L1 (shallow products such as a
        // batch-1 weight gradient: then C is read and written sequentially).
        const byRows = kc * nc <= ROWS_FIRST_PANEL;
        const tiles = ((mc + MR - 1) / MR) * ((nc + NR - 1) / NR);
        let ir = 0, jr = 0;
        for (let t = 0; t < tiles; t++) {
          const nr = min(NR, nc - jr), mr = min(MR, mc - ir);
          // The micro-panel of B: packed [kc][8], or in place (row k at bks floats from row k − 1).
          const inPlaceB = jr < ncFull && !packB;
          const pb = inPlaceB ? bBlock + (<usize>jr << 2) : packedB + (<usize>((packB ? jr : jr - ncFull) * kc) << 2);
          const biasJ = bias ? bias + (<usize>(jc + jr) << 2) : 0;
          const inPlaceA = ir < mcFull && !packA;
          const pa = inPlaceA ? aBlock + (<usize>(ir * ars) << 2) : packedA + (<usize>((packA ? ir : ir - mcFull) * kc) << 2);
          const cij = c + (<usize>(ic + ir) * ldcBytes) + (<usize>(jc + jr) << 2);
          const full = mr == MR && nr == NR;
          // Edge tiles are computed whole into the scratch tile, then their valid part is merged.
          microKernel<E>(
            pa, inPlaceA ? <usize>ars << 2 : 4, inPlaceA ? <usize>aks << 2 : <usize>MR << 2, pb, inPlaceB ? <usize>bks << 2 : <usize>NR << 2, kc,
            full ? cij : tile, full ? ldcBytes : NR << 2, full && add, full && last, biasJ,
          );
          if (!full) {
            for (let i = 0; i < mr; i++) {
              const src = tile + (<usize>(i * NR) << 2), dst = cij + <usize>i * ldcBytes;
              for (let j = 0; j < nr; j++)
                finish<E>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)), add, last, biasJ ? biasJ + (<usize>j << 2) : 0);
            }
          }
          if (byRows) {
            jr += NR;
            if (jr >= nc) { jr = 0; ir += MR; }
          } else {
            ir += MR;
            if (ir >= mc) { ir = 0; jr += NR; }
          }
        }
      }
    }
  }
}

/** [Σ s0, Σ s1, Σ s2, Σ s3]: the lanes of four accumulators summed, by two rounds of pairing. */
@inline function hsum4(s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  // u01 = [s0₀+s0₂, s1₀+s1₂, s0₁+s0₃, s1₁+s1₃], u23 likewise; then the halves are added.
  const u01 = f32x4.add(v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), v128.shuffle<f32>(s0, s1, 2, 6, 3, 7));
  const u23 = f32x4.add(v128.shuffle<f32>(s2, s3, 0, 4, 1, 5), v128.shuffle<f32>(s2, s3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(u01, u23, 0, 1, 4, 5), v128.shuffle<f32>(u01, u23, 2, 3, 6, 7));
}

/**
 * Stores r = C[i, j..j+nv) sums (nv ≤ 4 valid lanes) at dst through the epilogue (add C, + bias,
 * E); partial rows go lane by lane through the scratch tile.
 */
@inline function storeDot<E>(dst: usize, r: v128, nv: i32, add: bool, bias: usize, tile: usize): void {
  if (nv == 4) {
    if (add) r = f32x4.add(r, v128.load(dst));
    if (bias) r = f32x4.add(r, v128.load(bias));
    v128.store(dst, changetype<E>(0).v(r));
  } else {
    v128.store(tile, r);
    for (let q = 0; q < nv; q++) finish<E>(dst + (<usize>q << 2), load<f32>(tile + (<usize>q << 2)), add, true, bias ? bias + (<usize>q << 2) : 0);
  }
}

/**
 * One dot-product tile of A·Bᵀ: rows a0 (and a1 when two) of A against rows b0..b3 of B, all
 * running along k (byte pointers), into C rows c0 (and c1) at columns j..j+nv. The lanes hold
 * partial sums over k ≡ 0, 1, 2, 3 (mod 4), reduced by hsum4; the k mod 4 tail is added after.
 */
@inline function dotTile<E>(
  two: bool, a0: usize, a1: usize, b0: usize, b1: usize, b2: usize, b3: usize, k: i32,
  c0: usize, c1: usize, nv: i32, add: bool, bias: usize, tile: usize,
): void {
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
  let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
  const k4 = k & ~3;
  for (let p = 0; p < k4; p += 4) {
    const o = <usize>p << 2;
    const v0 = v128.load(b0 + o), v1 = v128.load(b1 + o), v2 = v128.load(b2 + o), v3 = v128.load(b3 + o);
    const x0 = v128.load(a0 + o);
    s00 = madd(x0, v0, s00); s01 = madd(x0, v1, s01); s02 = madd(x0, v2, s02); s03 = madd(x0, v3, s03);
    if (two) {
      const x1 = v128.load(a1 + o);
      s10 = madd(x1, v0, s10); s11 = madd(x1, v1, s11); s12 = madd(x1, v2, s12); s13 = madd(x1, v3, s13);
    }
  }
  let r0 = hsum4(s00, s01, s02, s03), r1 = two ? hsum4(s10, s11, s12, s13) : r0;
  for (let p = k4; p < k; p++) {
    const o = <usize>p << 2;
    let bv = f32x4.splat(load<f32>(b0 + o));
    bv = f32x4.replace_lane(bv, 1, load<f32>(b1 + o));
    bv = f32x4.replace_lane(bv, 2, load<f32>(b2 + o));
    bv = f32x4.replace_lane(bv, 3, load<f32>(b3 + o));
    r0 = madd(v128.load32_splat(a0 + o), bv, r0);
    if (two) r1 = madd(v128.load32_splat(a1 + o), bv, r1);
  }
  storeDot<E>(c0, r0, nv, add, bias, tile);
  if (two) storeDot<E>(c1, r1, nv, add, bias, tile);
}

/**
 * C[m×n] (+)= A[m×k]·B[n×k]ᵀ by dot products (both operands run along k: lda, ldb ≥ k). Blocks of
 * 4 rows of B (the last one's missing rows repeat its last row; their lanes are not stored) stay
 * in L1 while every pair of rows of A passes over them.
 */
@inline function gemmDot<E>(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool, tile: usize, bias: usize): void {
  const ra = <usize>lda << 2, rb = <usize>ldb << 2, rc = <usize>ldc << 2;
  for (let j = 0; j < n; j += 4) {
    const nv = min(4, n - j);
    const b0 = b + <usize>j * rb;
    const b1 = b + <usize>min(j + 1, n - 1) * rb, b2 = b + <usize>min(j + 2, n - 1) * rb, b3 = b + <usize>min(j + 3, n - 1) * rb;
    const cj = c + (<usize>j << 2), biasJ = bias ? bias + (<usize>j << 2) : 0;
    let i = 0;
    for (; i + 2 <= m; i += 2) dotTile<E>(true, a + <usize>i * ra, a + <usize>(i + 1) * ra, b0, b1, b2, b3, k, cj + <usize>i * rc, cj + <usize>(i + 1) * rc, nv, accumulate, biasJ, tile);
    if (i < m) dotTile<E>(false, a + <usize>i * ra, 0, b0, b1, b2, b3, k, cj + <usize>i * rc, 0, nv, accumulate, biasJ, tile);
  }
}

/** The same sums without SIMD: C(i, j) = E(Σ_k op(A)(i, k)·op(B)(k, j) in k order (+ C) + bias[j]). */
@inline function gemmScalar<E>(
  m: i32, n: i32, k: i32, a: usize, ars: i32, aks: i32, b: usize, brs: i32, bks: i32,
  c: usize, ldc: i32, accumulate: bool, bias: usize,
): void {
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++) s += load<f32>(a + (<usize>(i * ars + p * aks) << 2)) * load<f32>(b + (<usize>(j * brs + p * bks) << 2));
      finish<E>(c + (<usize>(i * ldc + j) << 2), s, accumulate, true, bias ? bias + (<usize>j << 2) : 0);
    }
}

/**
 * C[m×n] = E(op(A)[m×k]·op(B)[k×n] + bias), or E(C + … + bias) when `accumulate`; bias (n floats,
 * one per column) is optional (0). Row-major with leading dimensions (floats per stored row) lda,
 * ldb, ldc; op(X) = Xᵀ when transX, i.e. A is stored k×m and B n×k. `ws` comes from
 * gemmScratch(≥ n). Blocked sums run in float32 in k order, KC at a time; dot products in 4
 * interleaved partial sums.
 */
@inline function gemmWith<E>(
  m: i32, n: i32, k: i32,
  a: usize, lda: i32, transA: bool,
  b: usize, ldb: i32, transB: bool,
  c: usize, ldc: i32, accumulate: bool, ws: usize, bias: usize,
): void {
  if (m <= 0 || n <= 0) return;
  // Element strides of op(A) (rows i, depth k) and of op(B)ᵀ (rows j, depth k) as stored.
  const ars = transA ? 1 : lda, aks = transA ? lda : 1;
  const brs = transB ? ldb : 1, bks = transB ? 1 : ldb;
  if (k <= 0) {
    // An empty sum: C = E(0 + bias) (or E(C + bias)).
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) finish<E>(c + (<usize>(i * ldc + j) << 2), 0, accumulate, true, bias ? bias + (<usize>j << 2) : 0);
    return;
  }
  const path = gemmPath(m, k, transA, transB);
  if (ASC_FEATURE_THREADS) {
    if (gemmSplit<E>(path, m, n, k, a, ars, aks, b, brs, bks, c, ldc, accumulate, ws, bias)) return;
  }
  gemmOn<E>(path, m, n, k, a, ars, aks, b, brs, bks, c, ldc, accumulate, ws, bias);
}

// The path of a product, as flags: dot products (A·Bᵀ, both along k), else the blocked GEMM packing
// op(A) and/or op(B). Decided once on the whole product, so that every panel of a split (gemmSplit)
// takes the path, hence the float operations, of the single-thread call.
const PATH_DOT = 1, PATH_PACK_A = 2, PATH_PACK_B = 4;

@inline function gemmPath(m: i32, k: i32, transA: bool, transB: bool): i32 {
  if (!transA && transB && (k >= DOT_K || m <= DOT_M)) return PATH_DOT;
  const small = m <= UNPACKED_M;
  return (small ? 0 : PATH_PACK_A) | (transB || !small ? PATH_PACK_B : 0);
}

/** gemmWith's sums on `path` (op(A) element strides ars, aks; op(B)ᵀ brs, bks). */
@inline function gemmOn<E>(
  path: i32, m: i32, n: i32, k: i32, a: usize, ars: i32, aks: i32, b: usize, brs: i32, bks: i32,
  c: usize, ldc: i32, accumulate: bool, ws: usize, bias: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    // Dot products only for A·Bᵀ, where ars is lda and brs is ldb.
    if (path & PATH_DOT) gemmDot<E>(m, n, k, a, ars, b, brs, c, ldc, accumulate, ws, bias);
    else gemmBlocked<E>(m, n, k, a, ars, aks, b, bks, c, ldc, accumulate, ws, bias, brs, (path & PATH_PACK_A) != 0, (path & PATH_PACK_B) != 0);
  } else {
    gemmScalar<E>(m, n, k, a, ars, aks, b, brs, bks, c, ldc, accumulate, bias);
  }
}

// ---- the split across the worker pool (threads builds) ---------------------------------------
// C is cut into panels of whole rows (when it has more rows than columns) or whole columns, one
// per thread, each computed by gemmOn on the same path as the whole: an element of C gets exactly
// the float operations, in the same order, as in the single-thread call (the reduction over k is
// never split), so results are bit-identical whatever the thread count. Panels are multiples of
// the micro-tile (MR rows, NR columns), so only the last one has ragged edges the whole had too.

/**
 * Multiply-adds from which a product is split: the workers wake within tens of microseconds
 * (futex) when idle, a 64×128×128 product takes ~100 µs on one thread.
 */
const SPLIT_MACS: u64 = 1 << 20;

// Argument words (pool.ts taskArg) of a split GEMM.
const J_PATH = 0, J_EPI = 1, J_M = 2, J_N = 3, J_K = 4, J_A = 5, J_ARS = 6, J_AKS = 7, J_B = 8, J_BRS = 9, J_BKS = 10;
const J_C = 11, J_LDC = 12, J_ACC = 13, J_BIAS = 14, J_ROWS = 15, J_CHUNK = 16;

/** Runs the product across the pool and returns true, or false (nothing done) when it stays inline. */
@inline function gemmSplit<E>(
  path: i32, m: i32, n: i32, k: i32, a: usize, ars: i32, aks: i32, b: usize, brs: i32, bks: i32,
  c: usize, ldc: i32, accumulate: bool, ws: usize, bias: usize,
): bool {
  const t = poolThreads();
  if (t <= 1 || <u64>m * <u64>n * <u64>k < SPLIT_MACS) return false;
  const rows = m > n, dim = rows ? m : n, align = rows ? MR : NR;
  const chunk = (dim + t * align - 1) / (t * align) * align; // ⌈dim / t⌉ rounded up to whole tiles
  if (chunk >= dim) return false;
  setTaskArg(J_PATH, path); setTaskArg(J_EPI, changetype<E>(0).id());
  setTaskArg(J_M, m); setTaskArg(J_N, n); setTaskArg(J_K, k);
  setTaskArg(J_A, <i32>a); setTaskArg(J_ARS, ars); setTaskArg(J_AKS, aks);
  setTaskArg(J_B, <i32>b); setTaskArg(J_BRS, brs); setTaskArg(J_BKS, bks);
  setTaskArg(J_C, <i32>c); setTaskArg(J_LDC, ldc); setTaskArg(J_ACC, accumulate ? 1 : 0); setTaskArg(J_BIAS, <i32>bias);
  setTaskArg(J_ROWS, rows ? 1 : 0); setTaskArg(J_CHUNK, chunk);
  poolRun(gemmTask, ws);
  return true;
}

/** Panel `part` of the GEMM job posted (rows or columns [part·chunk, (part + 1)·chunk) of C), with scratch ws. */
function gemmPanel<E>(part: i32, ws: usize): void {
  const rows = taskArg(J_ROWS) != 0, chunk = taskArg(J_CHUNK);
  let m = taskArg(J_M), n = taskArg(J_N);
  const from = part * chunk, to = min(rows ? m : n, from + chunk);
  if (from >= to) return;
  let a = taskPtr(J_A), b = taskPtr(J_B), c = taskPtr(J_C), bias = taskPtr(J_BIAS);
  const ars = taskArg(J_ARS), brs = taskArg(J_BRS), ldc = taskArg(J_LDC);
  if (rows) {
    a += <usize>from * ars << 2;
    c += <usize>from * ldc << 2;
    m = to - from;
  } else {
    b += <usize>from * brs << 2;
    c += <usize>from << 2;
    if (bias) bias += <usize>from << 2;
    n = to - from;
  }
  const path = taskArg(J_PATH), k = taskArg(J_K), aks = taskArg(J_AKS), bks = taskArg(J_BKS), acc = taskArg(J_ACC) != 0;
  // A product without bias (matmul, every gradient) gets its own copy of the loop nest with bias
  // the constant 0, as in gemm: with bias a runtime value throughout, V8 compiled the nest ~6% slower
  // (n = 1024 as one panel on one thread: 41.1–41.3 ms, against 38.7 with this copy and 38.0–38.5
  // for the single-thread build's gemm), which every split product paid on every thread.
  if (bias) gemmOn<E>(path, m, n, k, a, ars, aks, b, brs, bks, c, ldc, acc, ws, bias);
  else gemmOn<E>(path, m, n, k, a, ars, aks, b, brs, bks, c, ldc, acc, ws, 0);
}

/** A part of a split GEMM (pool.ts Task): the scratch is gemmScratch(NC) bytes at ws, or the record's. */
function gemmTask(part: i32, parts: i32, ws: usize): void {
  if (taskArg(J_EPI) == EPI_RELU) gemmPanel<Relu>(part, ws);
  else gemmPanel<Identity>(part, ws);
}

/**
 * Main instance, before a job whose parts each need gemmScratch(cols) of their own: takes `parts`
 * (≥ 2) such blocks from the arena, which lie a constant stride apart (equal blocks from a bump
 * allocator), and stores the first one's address and the stride in argument words `at`, `at` + 1.
 * Returns part 0's block; partGemmScratch reads part p's.
 */
export function gemmScratchParts(parts: i32, cols: i32, at: i32): usize {
  const ws = gemmScratch(cols);
  setTaskArg(at, <i32>ws);
  setTaskArg(at + 1, <i32>(gemmScratch(cols) - ws));
  for (let i = 2; i < parts; i++) gemmScratch(cols);
  return ws;
}

/** Inside a task: part `part`'s block of gemmScratchParts(…, at). */
@inline export function partGemmScratch(part: i32, at: i32): usize {
  return taskPtr(at) + <usize>part * taskArg(at + 1);
}

/** Bytes of the scratch a worker needs for any panel: gemmScratch(NC) with its alignment slack. */
export function gemmScratchBytes(): usize {
  return <usize>(MR * NR + MC * KC + KC * NC + ALIGN_WORDS) << 2;
}

/** C[m×n] = op(A)·op(B), or C += … when `accumulate` (see gemmWith). */
export function gemm(
  m: i32, n: i32, k: i32,
  a: usize, lda: i32, transA: bool,
  b: usize, ldb: i32, transB: bool,
  c: usize, ldc: i32, accumulate: bool, ws: usize,
): void {
  gemmWith<Identity>(m, n, k, a, lda, transA, b, ldb, transB, c, ldc, accumulate, ws, 0);
}

// ---- matmul --------------------------------------------------------------------------------
// params: [M, N, K, flags, rank, batchShape[rank], batchStridesA[rank], batchStridesB[rank]]:
// flags bit 0 = transposeA (A stored [K, M]), bit 1 = transposeB (B stored [N, K]); the batch
// dims broadcast and collapsed as in src/ops/broadcast.ts, strides counted in whole matrices.

/** Matrix offset (in matrices) of batch `bi` in operand `which` (0 = A, 1 = B). */
@inline function batchOffset(rec: usize, bi: i32, which: i32): usize {
  const rank = param(rec, 4);
  let off: usize = 0;
  let r = bi;
  for (let d = rank - 1; d >= 0; d--) {
    const size = param(rec, 5 + d);
    off += <usize>((r % size) * param(rec, 5 + rank * (which + 1) + d));
    r /= size;
  }
  return off;
}

@inline function batchCount(rec: usize): i32 {
  const rank = param(rec, 4);
  let count = 1;
  for (let d = 0; d < rank; d++) count *= param(rec, 5 + d);
  return count;
}

/** How many matrices operand `which` holds: its batch extent (broadcast dims count once). */
@inline function operandMatrices(rec: usize, which: i32): i32 {
  const rank = param(rec, 4);
  let count = 1;
  for (let d = 0; d < rank; d++) if (param(rec, 5 + rank * (which + 1) + d) != 0) count *= param(rec, 5 + d);
  return count;
}

/**
 * Whether the backward GEMMs into GIN `which` (holding `size` floats per matrix) add: yes unless
 * the record overwrites it (FLAG_OVERWRITE); an overwritten operand that batches share (broadcast:
 * several batches add into one matrix) is cleared instead and then added into.
 */
function accumulates(rec: usize, which: i32, batches: i32, size: usize): bool {
  if (!overwrites(rec, which)) return true;
  const mats = operandMatrices(rec, which);
  if (mats == batches) return false;
  memory.fill(ptr(rec, GIN + which), 0, (<usize>mats * size) << 2);
  return true;
}

export function f32_matmul_fwd(rec: usize): void {
  const m = param(rec, 0), n = param(rec, 1), k = param(rec, 2), tA = (param(rec, 3) & 1) != 0, tB = (param(rec, 3) & 2) != 0;
  const a = ptr(rec, IN), b = ptr(rec, IN + 1), o = ptr(rec, OUT);
  const ws = gemmScratch(n);
  const batches = batchCount(rec);
  for (let bi = 0; bi < batches; bi++) {
    const pa = a + ((batchOffset(rec, bi, 0) * <usize>m * k) << 2), pb = b + ((batchOffset(rec, bi, 1) * <usize>k * n) << 2);
    gemm(m, n, k, pa, tA ? m : k, tA, pb, tB ? k : n, tB, o + ((<usize>bi * m * n) << 2), n, false, ws);
  }
}

// C = op(A)·op(B): d op(A) = G·op(B)ᵀ and d op(B) = op(A)ᵀ·G; a stored-transposed operand gets the
// transpose of its gradient (dA = op(B)·Gᵀ when transposeA, dB = Gᵀ·op(A) when transposeB), which
// is again a GEMM on the stored layouts with flipped flags. All add into GIN (a broadcast batch of
// A or B receives the sum over the batches it was broadcast to, since those batches add into the
// same matrix), or write it when the record overwrites. The GEMMs only read A, B and G, so aliased
// inputs (a.matmul(a), GIN0 == GIN1, never overwritten) just add twice.
export function f32_matmul_bwd(rec: usize): void {
  const m = param(rec, 0), n = param(rec, 1), k = param(rec, 2), tA = (param(rec, 3) & 1) != 0, tB = (param(rec, 3) & 2) != 0;
  const a = ptr(rec, IN), b = ptr(rec, IN + 1), g = ptr(rec, GOUT);
  const ga = ptr(rec, GIN), gb = ptr(rec, GIN + 1);
  const lda = tA ? m : k, ldb = tB ? k : n;
  const ws = gemmScratch(max(max(n, k), m));
  const batches = batchCount(rec);
  const accA = ga ? accumulates(rec, 0, batches, <usize>m * k) : true, accB = gb ? accumulates(rec, 1, batches, <usize>k * n) : true;
  for (let bi = 0; bi < batches; bi++) {
    const offA = (batchOffset(rec, bi, 0) * <usize>m * k) << 2, offB = (batchOffset(rec, bi, 1) * <usize>k * n) << 2;
    const pg = g + ((<usize>bi * m * n) << 2);
    if (ga) {
      if (tA) gemm(k, m, n, b + offB, ldb, tB, pg, n, true, ga + offA, m, accA, ws);
      else gemm(m, k, n, pg, n, false, b + offB, ldb, !tB, ga + offA, k, accA, ws);
    }
    if (gb) {
      if (tB) gemm(n, k, m, pg, n, true, a + offA, lda, tA, gb + offB, k, accB, ws);
      else gemm(k, n, m, a + offA, lda, !tA, pg, n, false, gb + offB, n, accB, ws);
    }
  }
}

// ---- linear: y = E(x·Wᵀ + b) -----------------------------------------------------------------
// params: [M, N, K, activation, hasBias]: x [M, K] (leading dims folded into M), W [N, K], b [N]
// (without a bias, IN2 is a placeholder the kernels never read); activation 0 = none, 1 = relu.

const ACT_RELU: i32 = 1;

export function f32_linear_fwd(rec: usize): void {
  const m = param(rec, 0), n = param(rec, 1), k = param(rec, 2);
  const x = ptr(rec, IN), w = ptr(rec, IN + 1), bias = param(rec, 4) ? ptr(rec, IN + 2) : 0, y = ptr(rec, OUT);
  const ws = gemmScratch(n);
  if (param(rec, 3) == ACT_RELU) gemmWith<Relu>(m, n, k, x, k, false, w, k, true, y, n, false, ws, bias);
  else gemmWith<Identity>(m, n, k, x, k, false, w, k, true, y, n, false, ws, bias);
}

// With G' = G masked by y > 0 for relu (the saved output: y > 0 exactly where the pre-activation
// is, and the relu gradient is 0 at 0), else G: dX += G'·W, dW += G'ᵀ·X, db += Σ_rows G' (= where
// the record overwrites). Each is its own pass over one GIN and reads only x, W and G', so aliased
// GINs (never overwritten) are fine.
export function f32_linear_bwd(rec: usize): void {
  const m = param(rec, 0), n = param(rec, 1), k = param(rec, 2);
  const x = ptr(rec, IN), w = ptr(rec, IN + 1), y = ptr(rec, OUT), g = ptr(rec, GOUT);
  const gx = ptr(rec, GIN), gw = ptr(rec, GIN + 1), gb = param(rec, 4) ? ptr(rec, GIN + 2) : 0;
  const mn = <usize>m * n;
  let gp = g;
  if (param(rec, 3) == ACT_RELU) {
    gp = arenaAlloc(mn << 2);
    for (let i: usize = 0; i < mn; i++) {
      const o = i << 2;
      store<f32>(gp + o, load<f32>(y + o) > 0 ? load<f32>(g + o) : 0);
    }
  }
  const ws = gemmScratch(max(n, k));
  if (gx) gemm(m, k, n, gp, n, false, w, k, false, gx, k, !overwrites(rec, 0), ws);
  if (gw) gemm(n, k, m, gp, n, true, x, k, false, gw, k, !overwrites(rec, 1), ws);
  if (gb) columnSums(gp, m, n, gb, !overwrites(rec, 2));
}
