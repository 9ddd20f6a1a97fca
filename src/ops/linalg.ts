/** Matrix products. Kernels: assembly/kernels/gemm.ts. */
import { broadcastExtent, forEachBroadcast, planBroadcast } from './broadcast.js';
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { ALIGN_WORDS, gemmScratchWords } from './contract.js';
import { sumTo } from './reduce.js';
import { reshape } from './shape.js';
import {
  R,
  checkBool,
  clearOverwritten,
  defineOps,
  fmtShape,
  gin,
  gout,
  inp,
  out,
  param,
  sizeOf,
  type Builder,
  type Meta,
  type OpSpec,
  type Plan,
  type TestCase,
  type VjpContext,
} from './types.js';

export interface MatmulOptions {
  /** Multiply by the transpose of a's last two dims (a stored [..., K, M]), without a copy. */
  transposeA?: boolean;
  /** Multiply by the transpose of b's last two dims (b stored [..., N, K]), without a copy. */
  transposeB?: boolean;
}

function flag(op: string, name: string, v: unknown): boolean {
  checkBool(op, name, v);
  return v === true;
}

/**
 * PyTorch matmul shapes: 1-D·1-D is a dot product (0-d); a 1-D left operand is a row [1, K] and a
 * 1-D right operand a column [K, 1], the added dim removed from the result; otherwise the last two
 * dims multiply and the leading (batch) dims broadcast. transposeA / transposeB (operands of at
 * least 2 dims) take a's / b's last two dims transposed: the GEMM reads them with swapped strides.
 * When B has no batch (all batch dims 1) and A is not transposed, A's batch is folded into M: one
 * [B·M, K]·[K, N] GEMM instead of B small ones.
 * params: [M, N, K, flags (1 = transposeA, 2 = transposeB), rank, batchShape[rank],
 * stridesA[rank], stridesB[rank]] (strides in matrices).
 */
function planMatmul([a, b]: readonly Meta[], opts: MatmulOptions): Plan {
  const tA = flag('matmul', 'transposeA', opts.transposeA),
    tB = flag('matmul', 'transposeB', opts.transposeB);
  const shapes = `${fmtShape(a.shape)}${tA ? 'ᵀ' : ''} and ${fmtShape(b.shape)}${tB ? 'ᵀ' : ''}`;
  if (a.shape.length === 0 || b.shape.length === 0) throw new ShapeError('matmul', `both arguments need at least 1 dimension, got shapes ${shapes}`);
  if ((tA && a.shape.length < 2) || (tB && b.shape.length < 2))
    throw new ShapeError('matmul', `transposeA / transposeB need an operand of at least 2 dimensions, got shapes ${shapes}`);
  const as = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const [m, k] = tA ? as.slice(-2).reverse() : as.slice(-2),
    [kb, n] = tB ? bs.slice(-2).reverse() : bs.slice(-2);
  if (k !== kb) throw new ShapeError('matmul', `shapes ${shapes} cannot be multiplied (a has ${k} columns, b has ${kb} rows)`);
  const batchA = as.slice(0, -2),
    batchB = bs.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = batchA[batchA.length - rank + i] ?? 1,
      db = batchB[batchB.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new ShapeError('matmul', `batch dims of shapes ${shapes} cannot be broadcast (${da} vs ${db})`);
    // A dim of 1 takes the other's size, 0 included: [0]·[1] broadcast to 0 (not max(0, 1) = 1).
    batch.push(da === 1 ? db : da);
  }
  const shape = [...batch, ...(a.shape.length > 1 ? [m] : []), ...(b.shape.length > 1 ? [n] : [])];
  const size = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
  const flags = (tA ? 1 : 0) | (tB ? 2 : 0);
  // The backward's GEMMs have n, k or m columns, m as the kernel sees it (a batch folded into M).
  const workspace = (rows: number) => gemmScratchWords(Math.max(n, k, rows));
  // A single batch of one matrix each: rank 1, batch shape [1], strides 0 and 0.
  if (size(batchB) === 1 && (!tA || size(batchA) === 1))
    return { shape, params: [size(batchA) * m, n, k, flags, 1, 1, 0, 0], workspace: workspace(size(batchA) * m) };
  const { params } = planBroadcast('matmul', [
    { shape: batchA, dtype: a.dtype },
    { shape: batchB, dtype: b.dtype },
  ]);
  return { shape, params: [m, n, k, flags, ...params], workspace: workspace(m) };
}

/**
 * matmul's vjp: with op(A) = A or Aᵀ (as the flags say), d op(A) = G·op(B)ᵀ and d op(B) = op(A)ᵀ·G,
 * each a matmul with flags (the transposed ones written as (G·op(B)ᵀ)ᵀ = op(B)·Gᵀ), summed over
 * broadcast batch dims. A 1-D operand is a row [1, K] (left) or a column [K, 1] (right), as forward.
 */
function matmulVjp<T>(b: Builder<T>, { inputs: [a, bm], gout, attrs, needs }: VjpContext<T, MatmulOptions>): (T | null)[] {
  const tA = attrs.transposeA === true,
    tB = attrs.transposeB === true;
  const as = b.shape(a),
    bs = b.shape(bm);
  const a2 = as.length === 1 ? reshape(b, a, [1, as[0]]) : a,
    b2 = bs.length === 1 ? reshape(b, bm, [bs[0], 1]) : bm;
  const gs = [...b.shape(gout)];
  if (as.length === 1) gs.splice(bs.length === 1 ? gs.length : gs.length - 1, 0, 1);
  if (bs.length === 1) gs.push(1);
  const g = reshape(b, gout, gs);
  const mm = (x: T, y: T, transposeA: boolean, transposeB: boolean) => b.op('matmul', [x, y], { transposeA, transposeB });
  const back = (d: T, x: T, shape: readonly number[]) => reshape(b, sumTo(b, d, b.shape(x)), shape);
  return [
    needs[0] ? back(tA ? mm(b2, g, tB, true) : mm(g, b2, false, !tB), a2, as) : null,
    needs[1] ? back(tB ? mm(g, a2, true, tA) : mm(a2, g, !tA, false), b2, bs) : null,
  ];
}

/**
 * Calls f(batch index, matrix offset of A, matrix offset of B, A(i, p) index, B(p, j) index) for
 * every batch of a matmul record; the index functions give an element's position within its
 * matrix in the stored (possibly transposed) layout.
 */
function forEachBatch(
  r: Int32Array,
  f: (bi: number, offA: number, offB: number, ia: (i: number, p: number) => number, ib: (p: number, j: number) => number) => void,
): void {
  const m = param(r, 0),
    n = param(r, 1),
    k = param(r, 2),
    flags = param(r, 3);
  const ia = flags & 1 ? (i: number, p: number) => p * m + i : (i: number, p: number) => i * k + p;
  const ib = flags & 2 ? (p: number, j: number) => j * k + p : (p: number, j: number) => p * n + j;
  forEachBroadcast(r.subarray(R.P + 4), 2, (bi, [oa, ob]) => f(bi, oa * m * k, ob * k * n, ia, ib));
}

/** Test cases of one operand form: the shapes of op(A) [m, k] and op(B) [k, n] stored as the flags say. */
function formCases(tA: boolean, tB: boolean): TestCase<MatmulOptions>[] {
  const form = `${tA ? 'Aᵀ' : 'A'}·${tB ? 'Bᵀ' : 'B'}`;
  const mk = (m: number, k: number, n: number, batchA: number[] = [], batchB: number[] = [], note = ''): TestCase<MatmulOptions> => ({
    inputs: [{ shape: [...batchA, ...(tA ? [k, m] : [m, k])] }, { shape: [...batchB, ...(tB ? [n, k] : [k, n])] }],
    attrs: { transposeA: tA, transposeB: tB },
    name: `${form} [${[...batchA, m, k].join('x')}]·[${[...batchB, k, n].join('x')}]${note}`,
  });
  // Kernel paths: A·B and Aᵀ·B read operands in place up to MC = 64 rows and pack above; A·Bᵀ
  // uses dot products for M ≤ 16 or K ≥ 32 and packs otherwise. The micro-tile is 4×8, dot tiles
  // 2×4 with k in fours; KC = 256, MC = 64, NC = 1024.
  return [
    mk(1, 1, 1),
    mk(3, 5, 7),
    mk(4, 17, 8),
    mk(5, 1, 9),
    mk(7, 17, 17),
    mk(9, 3, 9),
    mk(16, 7, 17),
    mk(17, 9, 5),
    mk(33, 40, 9, [], [], ': K ≥ 32, M > 16'),
    mk(64, 3, 9, [], [], ': M = MC'),
    mk(1, 257, 3, [], [], ': K > KC'),
    mk(67, 3, 5, [], [], ': M > MC'),
    mk(2, 1, 1025, [], [], ': N > NC'),
    mk(17, 1, 1025, [], [], ': N > NC, M > 16'),
    mk(3, 4, 5, [2], [2]),
    mk(3, 5, 6, [2, 1], [4]),
    mk(5, 4, 9, [2], [], ': batch of a only'),
    mk(3, 4, 2, [], [3]),
    // Empty operands: m, k or n = 0, and a batch of 0 broadcast against a batch of 1.
    mk(0, 3, 4),
    mk(3, 0, 4, [], [], ': k = 0, zeros'),
    mk(3, 4, 0),
    mk(2, 3, 4, [0], [1]),
    mk(2, 0, 3, [2, 1], [3], ': k = 0, batched'),
    // Several depth blocks through packed panels (finite differences over 17×257 inputs are slow:
    // once, for the form of Linear's x·Wᵀ; A·B has its own case above).
    ...(tB && !tA ? [mk(17, 257, 1, [], [], ': K > KC, M > 16')] : []),
  ];
}

export interface LinearOptions {
  /** Applied to x·Wᵀ + b in the same kernel: 'none' (default) or 'relu'. */
  activation?: 'none' | 'relu';
}
const ACTIVATIONS = ['none', 'relu'] as const;
export interface LinearAttrs extends LinearOptions {
  bias: boolean;
}

/** x [..., K]·W[N, K]ᵀ + b[N]: leading dims of x folded into M. params: [M, N, K, activation, hasBias]. */
function planLinear([x, w, b]: readonly Meta[], attrs: LinearAttrs): Plan {
  const shapes = `input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)}${attrs.bias ? `, bias ${fmtShape(b.shape)}` : ''}`;
  if (x.shape.length < 1 || w.shape.length !== 2 || x.shape[x.shape.length - 1] !== w.shape[1])
    throw new ShapeError('linear', `expects input [..., K] and weight [N, K] (PyTorch's [out_features, in_features]), got ${shapes}`);
  const [n, k] = w.shape;
  if (attrs.bias && (b.shape.length !== 1 || b.shape[0] !== n))
    throw new ShapeError('linear', `bias must have shape [${n}] (one per row of weight), got ${shapes}`);
  const act = ACTIVATIONS.indexOf(attrs.activation ?? 'none');
  if (act < 0) throw new ValueError('linear', `activation must be one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}, got ${fmtValue(attrs.activation)}`);
  const m = x.shape.slice(0, -1).reduce((p, q) => p * q, 1);
  // Backward: G' (M·N words, relu only) next to the scratch of its GEMMs (n or k columns).
  return { shape: [...x.shape.slice(0, -1), n], params: [m, n, k, act, attrs.bias ? 1 : 0], workspace: gemmScratchWords(Math.max(n, k)) + ALIGN_WORDS + m * n };
}

const linearCase = (x: number[], n: number, bias: boolean, activation: LinearOptions['activation'], note = ''): TestCase<LinearAttrs> => {
  const k = x[x.length - 1];
  return {
    inputs: [{ shape: x }, { shape: [n, k] }, bias ? { shape: [n] } : { shape: [], noGrad: true }],
    attrs: { bias, activation },
    name: `${activation} [${x.join('x')}]·[${n}x${k}]ᵀ${bias ? ` + [${n}]` : ''}${note}`,
  };
};

export const LINALG_OPS = defineOps(
  {
    name: 'matmul',
    module: 'gemm',
    arity: 2,
    gradInputs: [0, 1],
    overwritesGrad: true,
    doc: 'Matrix product with PyTorch semantics: 1-D and 2-D operands, batched N-D with broadcast batch dims; transposeA / transposeB read an operand transposed without a copy',
    plan: planMatmul,
    vjp: matmulVjp,
    ref: {
      fwd: (h, r) => {
        const m = param(r, 0),
          n = param(r, 1),
          k = param(r, 2),
          a = inp(r, 0),
          b = inp(r, 1),
          o = out(r);
        forEachBatch(r, (bi, offA, offB, ia, ib) => {
          for (let i = 0; i < m; i++)
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let p = 0; p < k; p++) s += h[a + offA + ia(i, p)] * h[b + offB + ib(p, j)];
              h[o + bi * m * n + i * n + j] = s;
            }
        });
      },
      // d op(A)[i,p] += Σ_j G[i,j]·op(B)[p,j]; d op(B)[p,j] += Σ_i op(A)[i,p]·G[i,j], each added at
      // the element's stored position (one load-add-store each: GINs may alias). An overwritten
      // GIN is cleared over the operand's whole extent first.
      bwd: (h, r) => {
        const m = param(r, 0),
          n = param(r, 1),
          k = param(r, 2),
          a = inp(r, 0),
          b = inp(r, 1),
          g = gout(r),
          ga = gin(r, 0),
          gb = gin(r, 1);
        const batch = r.subarray(R.P + 4);
        clearOverwritten(h, r, [broadcastExtent(batch, 0) * m * k, broadcastExtent(batch, 1) * k * n]);
        forEachBatch(r, (bi, offA, offB, ia, ib) => {
          const pg = g + bi * m * n;
          for (let i = 0; i < m; i++)
            for (let p = 0; p < k; p++) {
              if (ga) {
                let s = 0;
                for (let j = 0; j < n; j++) s += h[pg + i * n + j] * h[b + offB + ib(p, j)];
                h[ga + offA + ia(i, p)] += s;
              }
              if (gb) for (let j = 0; j < n; j++) h[gb + offB + ib(p, j)] += h[a + offA + ia(i, p)] * h[pg + i * n + j];
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
        { inputs: [{ shape: [17, 257] }, { shape: [257, 1] }], name: 'K = 257 > KC, M = 17 (packed)' },
        { inputs: [{ shape: [67, 3] }, { shape: [3, 5] }], name: 'M = 67 > MC' },
        { inputs: [{ shape: [2, 3] }, { shape: [3, 1027] }], name: 'N = 1027 > NC' },
        { inputs: [{ shape: [17, 1] }, { shape: [1, 1025] }], name: 'N = 1025 > NC, M = 17 (packed)' },
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
        // transposed operands: every form over the same edge shapes, batched too
        ...formCases(true, false),
        ...formCases(false, true),
        ...formCases(true, true),
        { inputs: [{ shape: [5, 3] }, { shape: [5] }], attrs: { transposeA: true }, name: 'Aᵀ·vector' },
        { inputs: [{ shape: [5] }, { shape: [3, 5] }], attrs: { transposeB: true }, name: 'vector·Bᵀ' },
        // 0-size: the cases of issue 9 (a batch of 0 against none or 1), k = 0 (zeros), 1-D forms.
        { inputs: [{ shape: [0, 2, 3] }, { shape: [3, 4] }], name: 'batch 0 · 2-D (folded into M = 0)' },
        { inputs: [{ shape: [1, 2, 3] }, { shape: [0, 3, 4] }], name: 'batch 1 · batch 0' },
        { inputs: [{ shape: [2, 0, 2, 3] }, { shape: [3, 4] }], name: 'inner batch 0' },
        { inputs: [{ shape: [3] }, { shape: [0, 3, 4] }], name: 'vector · batch 0' },
        { inputs: [{ shape: [0, 2, 3] }, { shape: [3] }], name: 'batch 0 · vector' },
        { inputs: [{ shape: [2, 1, 0, 3] }, { shape: [1, 4, 3, 5] }], name: 'm = 0, broadcast batches' },
        { inputs: [{ shape: [2, 1, 3, 0] }, { shape: [4, 0, 5] }], name: 'k = 0, broadcast batches: zeros' },
        { inputs: [{ shape: [0] }, { shape: [0] }], name: 'empty dot product: 0' },
        { inputs: [{ shape: [0] }, { shape: [0, 4] }], name: 'k = 0, vector · matrix' },
        { inputs: [{ shape: [3, 0] }, { shape: [0] }], name: 'k = 0, matrix · vector' },
      ],
    },
  } satisfies OpSpec<MatmulOptions, 'matmul'>,
  {
    name: 'linear',
    module: 'gemm',
    arity: 3,
    gradInputs: [0, 1, 2],
    overwritesGrad: true,
    doc: "PyTorch's F.linear, y = x·Wᵀ + b with W [out, in], fused with an optional activation ('relu') applied in the GEMM's epilogue. Without a bias, linear() passes a 0-d constant in the bias slot with attribute bias: false, and the kernels never read it.",
    plan: planLinear,
    // G' = G·[y > 0] with relu; dx = G'·W, dW = G'ᵀ·x over the rows folded, db = Σ_rows G'
    vjp: (b, { inputs: [x, w], out, gout, attrs, needs }) => {
      const g = attrs.activation === 'relu' ? b.op('where', [b.op('gt', [out, b.scalar(0)]), gout, b.scalar(0)]) : gout;
      const [n, k] = b.shape(w),
        m = sizeOf(b.shape(x).slice(0, -1));
      const rows = (t: typeof x, d: number) => reshape(b, t, [m, d]);
      return [
        needs[0] ? b.op('matmul', [g, w]) : null,
        needs[1] ? b.op('matmul', [rows(g, n), rows(x, k)], { transposeA: true }) : null,
        needs[2] && attrs.bias ? sumTo(b, g, [n]) : null,
      ];
    },
    ref: {
      fwd: (h, r) => {
        const m = param(r, 0),
          n = param(r, 1),
          k = param(r, 2),
          relu = param(r, 3) === 1,
          hasBias = param(r, 4) === 1;
        const x = inp(r, 0),
          w = inp(r, 1),
          b = inp(r, 2),
          o = out(r);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let s = hasBias ? h[b + j] : 0;
            for (let p = 0; p < k; p++) s += h[x + i * k + p] * h[w + j * k + p];
            h[o + i * n + j] = relu && s < 0 ? 0 : s;
          }
      },
      // G' = G·[y > 0] (relu) or G; dX[i,p] += Σ_j G'[i,j]·W[j,p]; dW[j,p] += Σ_i G'[i,j]·x[i,p]; db[j] += Σ_i G'[i,j].
      bwd: (h, r) => {
        const m = param(r, 0),
          n = param(r, 1),
          k = param(r, 2),
          relu = param(r, 3) === 1,
          hasBias = param(r, 4) === 1;
        const x = inp(r, 0),
          w = inp(r, 1),
          o = out(r),
          g = gout(r),
          gx = gin(r, 0),
          gw = gin(r, 1),
          gb = hasBias ? gin(r, 2) : 0;
        const gp = (i: number, j: number) => (relu && !(h[o + i * n + j] > 0) ? 0 : h[g + i * n + j]);
        clearOverwritten(h, r, [m * k, n * k, gb ? n : 0]);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            const d = gp(i, j);
            if (gx) for (let p = 0; p < k; p++) h[gx + i * k + p] += d * h[w + j * k + p];
            if (gw) for (let p = 0; p < k; p++) h[gw + j * k + p] += d * h[x + i * k + p];
            if (gb) h[gb + j] += d;
          }
      },
    },
    tests: {
      cases: [
        linearCase([1, 1], 1, true, 'none'),
        linearCase([1, 1], 1, true, 'relu'),
        linearCase([3, 5], 7, true, 'relu'),
        linearCase([3, 5], 7, false, 'relu'),
        linearCase([5], 3, true, 'relu', ': 1-D input'),
        linearCase([1, 257], 9, true, 'relu', ': K > KC, M = 1'),
        linearCase([2, 17], 10, false, 'none'),
        linearCase([16, 7], 17, true, 'relu', ': dot tiles with k and n tails'),
        linearCase([17, 9], 8, true, 'relu', ': M > 16 (packed)'),
        linearCase([17, 9], 9, false, 'none', ': M > 16, ragged N'),
        linearCase([17, 257], 2, true, 'relu', ': K > KC, M > 16'),
        linearCase([67, 3], 5, true, 'relu', ': M > MC'),
        linearCase([17, 1], 1025, true, 'relu', ': N > NC'),
        linearCase([2, 3, 5], 4, true, 'relu', ': leading dims folded'),
        linearCase([2, 0], 3, true, 'relu', ': K = 0'),
        linearCase([2, 0], 3, false, 'none', ': K = 0, no bias: zeros'),
        linearCase([0, 5], 3, true, 'relu', ': no rows'),
        linearCase([2, 0, 5], 3, false, 'none', ': no rows, leading dims'),
        linearCase([4, 5], 0, true, 'none', ': no outputs'),
      ],
    },
  } satisfies OpSpec<LinearAttrs, 'linear'>,
);
