/** Matrix products. Kernels: assembly/kernels/gemm.ts. Opcodes 150–169. */
import { apply } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { forEachBroadcast, planBroadcast } from './broadcast.js';
import { R, defineOps, fmtShape, gin, gout, inp, opError, out, param, type Meta, type Plan } from './types.js';

// GEMM blocking of assembly/kernels/gemm.ts (MR×NR micro-tile, MC×KC block of A, KC×NC panel of B).
const MR = 4, NR = 8, MC = 64, KC = 256, NC = 1024;
/** 64-byte alignment slack of one arenaAlloc, in words. */
export const ALIGN_WORDS = 16;

/** Workspace words of one gemmScratch(nMax) (AS): tile + packed A block + packed B panel. */
export function gemmWorkspace(nMax: number): number {
  const nc = Math.min(NC, Math.ceil(nMax / NR) * NR);
  return ALIGN_WORDS + MR * NR + MC * KC + KC * nc;
}

/**
 * PyTorch matmul shapes: 1-D·1-D is a dot product (0-d); a 1-D left operand is a row [1, K] and a
 * 1-D right operand a column [K, 1], the added dim removed from the result; otherwise the last two
 * dims multiply and the leading (batch) dims broadcast. When B has no batch (all batch dims 1),
 * A's batch is folded into M: one [B·M, K]·[K, N] GEMM instead of B small ones.
 * params: [M, N, K, rank, batchShape[rank], stridesA[rank], stridesB[rank]] (strides in matrices).
 */
function planMatmul([a, b]: readonly Meta[]): Plan {
  const shapes = `${fmtShape(a.shape)} and ${fmtShape(b.shape)}`;
  if (a.shape.length === 0 || b.shape.length === 0) throw opError('matmul', `both arguments need at least 1 dimension, got shapes ${shapes}`);
  const as = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const [m, k] = as.slice(-2), [kb, n] = bs.slice(-2);
  if (k !== kb) throw opError('matmul', `shapes ${shapes} cannot be multiplied (a has ${k} columns, b has ${kb} rows)`);
  const batchA = as.slice(0, -2), batchB = bs.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = batchA[batchA.length - rank + i] ?? 1, db = batchB[batchB.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw opError('matmul', `batch dims of shapes ${shapes} cannot be broadcast (${da} vs ${db})`);
    batch.push(Math.max(da, db));
  }
  const shape = [...batch, ...(a.shape.length > 1 ? [m] : []), ...(b.shape.length > 1 ? [n] : [])];
  const size = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
  // A single batch of one matrix each: rank 1, batch shape [1], strides 0 and 0.
  if (size(batchB) === 1) return { shape, params: [size(batchA) * m, n, k, 1, 1, 0, 0], workspace: gemmWorkspace(Math.max(n, k)) };
  const { params } = planBroadcast('matmul', [{ shape: batchA, dtype: a.dtype }, { shape: batchB, dtype: b.dtype }]);
  return { shape, params: [m, n, k, ...params], workspace: gemmWorkspace(Math.max(n, k)) };
}

/** Calls f(batch index, matrix offset of A, matrix offset of B) for every batch of a matmul record. */
function forEachBatch(r: Int32Array, f: (bi: number, offA: number, offB: number) => void): void {
  const m = param(r, 0), n = param(r, 1), k = param(r, 2);
  forEachBroadcast(r.subarray(R.P + 3), 2, (bi, [ia, ib]) => f(bi, ia * m * k, ib * k * n));
}

export const LINALG_OPS = defineOps({
  name: 'matmul',
  opcode: 150,
  module: 'gemm',
  arity: 2,
  gradInputs: [0, 1],
  doc: 'Matrix product with PyTorch semantics: 1-D and 2-D operands, batched N-D with broadcast batch dims',
  plan: planMatmul,
  ref: {
    fwd: (h, r) => {
      const m = param(r, 0), n = param(r, 1), k = param(r, 2), a = inp(r, 0), b = inp(r, 1), o = out(r);
      forEachBatch(r, (bi, offA, offB) => {
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += h[a + offA + i * k + p] * h[b + offB + p * n + j];
            h[o + bi * m * n + i * n + j] = s;
          }
      });
    },
    // dA[i,p] += Σ_j G[i,j]·B[p,j]; dB[p,j] += Σ_i A[i,p]·G[i,j] (one load-add-store each: GINs may alias).
    bwd: (h, r) => {
      const m = param(r, 0), n = param(r, 1), k = param(r, 2), a = inp(r, 0), b = inp(r, 1), g = gout(r), ga = gin(r, 0), gb = gin(r, 1);
      forEachBatch(r, (bi, offA, offB) => {
        const pg = g + bi * m * n;
        for (let i = 0; i < m; i++)
          for (let p = 0; p < k; p++) {
            if (ga) {
              let s = 0;
              for (let j = 0; j < n; j++) s += h[pg + i * n + j] * h[b + offB + p * n + j];
              h[ga + offA + i * k + p] += s;
            }
            if (gb)
              for (let j = 0; j < n; j++) h[gb + offB + p * n + j] += h[a + offA + i * k + p] * h[pg + i * n + j];
          }
      });
    },
  },
  tests: {
    cases: [
      // 2-D: M ∈ {1,3,4,5,7,8,9,17}, N ∈ {1,7,8,9,17}, K ∈ {1,3,17,300}; the micro-tile is 4×8.
      { inputs: [{ shape: [1, 1] }, { shape: [1, 1] }] },
      { inputs: [{ shape: [3, 3] }, { shape: [3, 7] }] },
      { inputs: [{ shape: [4, 17] }, { shape: [17, 8] }] },
      { inputs: [{ shape: [5, 1] }, { shape: [1, 9] }] },
      { inputs: [{ shape: [7, 17] }, { shape: [17, 17] }] },
      { inputs: [{ shape: [8, 3] }, { shape: [3, 8] }] },
      { inputs: [{ shape: [9, 17] }, { shape: [17, 9] }] },
      { inputs: [{ shape: [17, 3] }, { shape: [3, 1] }] },
      { inputs: [{ shape: [3, 300] }, { shape: [300, 7] }], name: 'K = 300 > KC' },
      { inputs: [{ shape: [1, 300] }, { shape: [300, 9] }], name: 'K = 300, M = 1' },
      { inputs: [{ shape: [67, 3] }, { shape: [3, 5] }], name: 'M = 67 > MC' },
      { inputs: [{ shape: [2, 3] }, { shape: [3, 1027] }], name: 'N = 1027 > NC' },
      // 1-D operands
      { inputs: [{ shape: [5] }, { shape: [5] }] },
      { inputs: [{ shape: [1] }, { shape: [1] }] },
      { inputs: [{ shape: [3] }, { shape: [3, 7] }] },
      { inputs: [{ shape: [4, 9] }, { shape: [9] }] },
      { inputs: [{ shape: [17] }, { shape: [2, 17, 3] }] },
      { inputs: [{ shape: [2, 3, 5] }, { shape: [5] }] },
      // batched, with broadcast batch dims
      { inputs: [{ shape: [2, 3, 4] }, { shape: [2, 4, 5] }] },
      { inputs: [{ shape: [2, 1, 3, 5] }, { shape: [4, 5, 6] }] },
      { inputs: [{ shape: [3, 4] }, { shape: [2, 4, 9] }] },
      { inputs: [{ shape: [2, 3, 4] }, { shape: [4, 9] }], name: 'batch folded into M' },
      { inputs: [{ shape: [2, 3, 5, 4] }, { shape: [1, 1, 4, 7] }], name: 'unit batch of b folded' },
      { inputs: [{ shape: [1, 5, 4] }, { shape: [3, 4, 2] }] },
      { inputs: [{ shape: [2, 1, 5, 3] }, { shape: [1, 3, 3, 8] }] },
    ],
  },
});

/**
 * Matrix product with PyTorch's `torch.matmul` semantics: [K]·[K] → 0-d, [K]·[…, K, N] → […, N],
 * […, M, K]·[K] → […, M], and […, M, K]·[…, K, N] → […, M, N] with broadcast batch dims
 * ([2, 1, 3, 5]·[4, 5, 6] → [2, 4, 3, 6]).
 */
export const matmul = (a: Tensor, b: Tensor): Tensor => apply(LINALG_OPS[0], [a, b]);
