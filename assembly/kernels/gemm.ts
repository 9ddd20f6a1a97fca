// GEMM: C (+)= op(A)·op(B), row-major f32, and the matmul kernels built on it.
//
// Blocking (Goto/BLIS): the KC×NC panel of op(B) is packed once into micro-panels of NR = 8
// columns ([k][8], ~8 KiB per micro-panel: stays in L1), each MC×KC block of op(A) into
// micro-panels of MR = 4 rows ([k][4], 64 KiB block: stays in L2). The 4×8 micro-kernel keeps its
// 8 f32x4 accumulators + 2 B vectors + 4 A broadcasts in 14 of V8's 16 xmm registers: per k two
// v128.load of B, four load32_splat of A, eight mul+add (a larger tile spills and halves
// throughput, see ../shared/notes/assemblyscript-simd.md). Transposed operands only change the
// strides the packing routine reads with; they are never materialised. Ragged edges are packed
// zero-padded, computed as a full tile into a scratch tile, and only the valid part reaches C.
import { arenaAlloc } from '../arena';
import { GIN, GOUT, IN, OUT, param, ptr } from '../record';

// Blocking constants. src/ops/linalg.ts (gemmWorkspace) sizes the scratch from the same numbers.
const MR: i32 = 4;
const NR: i32 = 8;
const MC: i32 = 64;
const KC: i32 = 256;
const NC: i32 = 1024;

/**
 * Scratch for gemm calls whose op(B) has at most `nMax` columns: [4×8 tile | packed A block |
 * packed B panel]. Allocate once per record (arenaAlloc is a bump allocator) and pass to gemm.
 */
export function gemmScratch(nMax: i32): usize {
  const nc = min(NC, (nMax + NR - 1) / NR * NR);
  return arenaAlloc(<usize>(MR * NR + MC * KC + KC * nc) << 2);
}

/**
 * Packs `rows` rows × `kc` depth of a matrix whose element (r, k) sits at src + 4·(r·rs + k·ks)
 * into panels of w rows laid out [panel][k][w]; the last panel's missing rows are zeros.
 */
// @ts-ignore: decorator
@inline function pack(dst: usize, src: usize, rows: i32, kc: i32, rs: i32, ks: i32, w: i32): void {
  for (let r0 = 0; r0 < rows; r0 += w) {
    const panel = dst + ((<usize>r0 * kc) << 2); // panels before this one hold r0·kc floats
    const h = min(w, rows - r0);
    if (rs == 1 && h == w) {
      // The panel's w values at each k are contiguous in the source: w/4 vector copies.
      for (let k = 0; k < kc; k++) {
        const s = src + (<usize>(r0 + k * ks) << 2), d = panel + (<usize>(k * w) << 2);
        for (let q = 0; q < w; q += 4) v128.store(d + (<usize>q << 2), v128.load(s + (<usize>q << 2)));
      }
    } else {
      // Row by row: sequential reads when the source runs along k (ks = 1), strided writes.
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
 * The 4×8 micro-kernel: c[4×8] (+)= pa[kc][4] · pb[kc][8], c with a row pitch of ldc bytes.
 * Inlined once into gemm, where V8 keeps the 8 accumulators in registers.
 */
// @ts-ignore: decorator
@inline function microKernel(pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, add: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += 16;
    pb += 32;
  }
  if (add) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ldc)); c11 = f32x4.add(c11, v128.load(c + ldc, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ldc)); c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ldc)); c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

/**
 * C[m×n] = op(A)[m×k]·op(B)[k×n], or C += … when `accumulate`. Row-major with leading
 * dimensions (floats per stored row) lda, ldb, ldc; op(X) = Xᵀ when transX, i.e. A is stored
 * k×m and B n×k. `ws` comes from gemmScratch(≥ n). Sums run in float32 in k order, KC at a time.
 */
export function gemm(
  m: i32, n: i32, k: i32,
  a: usize, lda: i32, transA: bool,
  b: usize, ldb: i32, transB: bool,
  c: usize, ldc: i32, accumulate: bool, ws: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    // An empty sum: C = 0, or C unchanged.
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(c + (<usize>(i * ldc) << 2), 0, <usize>n << 2);
    return;
  }
  const tile = ws, packA = ws + (<usize>(MR * NR) << 2), packB = packA + (<usize>(MC * KC) << 2);
  const ldcBytes = <usize>ldc << 2;
  // Element strides of op(A) (rows i, depth k) and of op(B)ᵀ (rows j, depth k) as stored.
  const ars = transA ? 1 : lda, aks = transA ? lda : 1;
  const brs = transB ? ldb : 1, bks = transB ? 1 : ldb;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      pack(packB, b + (<usize>(jc * brs + pc * bks) << 2), nc, kc, brs, bks, NR);
      // The first depth block overwrites C unless the caller accumulates; later blocks add.
      const add = accumulate || pc > 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        pack(packA, a + (<usize>(ic * ars + pc * aks) << 2), mc, kc, ars, aks, MR);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = packB + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const cij = c + (<usize>(ic + ir) * ldcBytes) + (<usize>(jc + jr) << 2);
            const full = mr == MR && nr == NR;
            // Edge tiles are computed whole into the scratch tile, then their valid part is merged.
            microKernel(packA + (<usize>(ir * kc) << 2), pb, kc, full ? cij : tile, full ? ldcBytes : NR << 2, full && add);
            if (!full) {
              for (let i = 0; i < mr; i++) {
                const src = tile + (<usize>(i * NR) << 2), dst = cij + <usize>i * ldcBytes;
                for (let j = 0; j < nr; j++) {
                  const v = load<f32>(src + (<usize>j << 2));
                  store<f32>(dst + (<usize>j << 2), add ? load<f32>(dst + (<usize>j << 2)) + v : v);
                }
              }
            }
          }
        }
      }
    }
  }
}

// ---- matmul --------------------------------------------------------------------------------
// params: [M, N, K, rank, batchShape[rank], batchStridesA[rank], batchStridesB[rank]], the batch
// dims broadcast and collapsed as in src/ops/broadcast.ts, strides counted in whole matrices.

/** Matrix offset (in matrices) of batch `bi` in operand `which` (0 = A, 1 = B). */
// @ts-ignore: decorator
@inline function batchOffset(rec: usize, bi: i32, which: i32): usize {
  const rank = param(rec, 3);
  let off: usize = 0;
  let r = bi;
  for (let d = rank - 1; d >= 0; d--) {
    const size = param(rec, 4 + d);
    off += <usize>((r % size) * param(rec, 4 + rank * (which + 1) + d));
    r /= size;
  }
  return off;
}

// @ts-ignore: decorator
@inline function batchCount(rec: usize): i32 {
  const rank = param(rec, 3);
  let count = 1;
  for (let d = 0; d < rank; d++) count *= param(rec, 4 + d);
  return count;
}

export function f32_matmul_fwd(rec: usize): void {
  const m = param(rec, 0), n = param(rec, 1), k = param(rec, 2);
  const a = ptr(rec, IN), b = ptr(rec, IN + 1), o = ptr(rec, OUT);
  const ws = gemmScratch(n);
  const batches = batchCount(rec);
  for (let bi = 0; bi < batches; bi++) {
    const pa = a + ((batchOffset(rec, bi, 0) * <usize>m * k) << 2), pb = b + ((batchOffset(rec, bi, 1) * <usize>k * n) << 2);
    gemm(m, n, k, pa, k, false, pb, n, false, o + ((<usize>bi * m * n) << 2), n, false, ws);
  }
}

// dA = G·Bᵀ and dB = Aᵀ·G, both added into GIN (a broadcast batch of A or B receives the sum over
// the batches it was broadcast to, since those batches add into the same matrix). The GEMMs only
// read A, B and G, so aliased inputs (a.matmul(a), GIN0 == GIN1) just add twice.
export function f32_matmul_bwd(rec: usize): void {
  const m = param(rec, 0), n = param(rec, 1), k = param(rec, 2);
  const a = ptr(rec, IN), b = ptr(rec, IN + 1), g = ptr(rec, GOUT);
  const ga = ptr(rec, GIN), gb = ptr(rec, GIN + 1);
  const ws = gemmScratch(max(n, k));
  const batches = batchCount(rec);
  for (let bi = 0; bi < batches; bi++) {
    const offA = (batchOffset(rec, bi, 0) * <usize>m * k) << 2, offB = (batchOffset(rec, bi, 1) * <usize>k * n) << 2;
    const pg = g + ((<usize>bi * m * n) << 2);
    if (ga) gemm(m, k, n, pg, n, false, b + offB, n, true, ga + offA, k, true, ws);
    if (gb) gemm(k, n, m, a + offA, k, true, pg, n, false, gb + offB, n, true, ws);
  }
}
