/** embedding (F.embedding): rows of a table picked by int32 indices, with PyTorch's paddingIdx and scaleGradByFreq. Table: src/ops/shape.ts. */
import { arange, full, tensor, zeros } from './creation.js';
import { readValues } from './counting.js';
import { indexAdd, indexSelect, scatterReduce } from './indexing.js';
import { expand } from './layout.js';
import { renorm } from './parity-math.js';
import { positions } from './scatters.js';
import { isfinite } from './convenience.js';
import { add, div, eq, mul, sub } from './elementwise.js';
import { where } from './integer.js';
import { reshape } from './shape.js';
import { checkBool, checkIndices, checkOptions, checkTensor } from '../engine/check.js';
import { apply, constant, noGrad } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { sameShape } from '../ops/types.js';
import { op } from '../ops/index.js';
import { planGather } from '../ops/indexing.js';
import { planEmbedding } from '../ops/shape.js';

export interface EmbeddingFnOptions {
  /** PyTorch's padding_idx (negative counts from the end): that row gets no gradient. */
  paddingIdx?: number | null;
  /** PyTorch's scale_grad_by_freq: each lookup's gradient is divided by how often its row is looked up in `idx`. */
  scaleGradByFreq?: boolean;
  /** PyTorch's sparse: accepted; the weight's gradient is dense either way (the values torch's sparse one densifies to). */
  sparse?: boolean;
}

/**
 * Rows of weight [n, d] picked by int32 indices of any shape: [...idx.shape, d]. `paddingIdx` is
 * a row that gets no gradient; with `scaleGradByFreq` row k's gradient is the sum of its lookups'
 * gradients each times 1/(the number of k in idx), as PyTorch's.
 */
export function embedding(idx: Tensor, weight: Tensor, opts: EmbeddingFnOptions = {}): Tensor {
  const {
    paddingIdx = null,
    scaleGradByFreq = false,
    sparse,
  } = checkOptions<EmbeddingFnOptions>('embedding', opts, ['paddingIdx', 'scaleGradByFreq', 'sparse']);
  checkTensor('embedding', 'indices', idx);
  checkTensor('embedding', 'weight', weight);
  checkBool('embedding', 'scaleGradByFreq', scaleGradByFreq);
  checkBool('embedding', 'sparse', sparse);
  if (idx.dtype !== 'int32') throw new DTypeError('embedding', `indices must be an int32 tensor, got a ${idx.dtype} tensor of shape ${fmtShape(idx.shape)}`);
  const { n } = planEmbedding(idx, weight);
  if (paddingIdx !== null && (!Number.isInteger(paddingIdx) || paddingIdx < -n || paddingIdx >= n))
    throw new ValueError('embedding', `paddingIdx must be an integer in [${-n}, ${n - 1}] or null, got ${fmtValue(paddingIdx)}`);
  // The kernels trust the indices: check them here, where the error can name the position.
  checkIndices('embedding', idx, n, `a weight with ${n} rows`);
  let out = apply(op('embedding'), [idx, weight]);
  if (scaleGradByFreq && weight.requiresGrad) out = scaledByFrequency(out, idx, n);
  if (paddingIdx === null) return out;
  // the rows looked up at the padding index come from a detached copy, so their gradient stops there
  const pad = reshape(eq(idx, paddingIdx < 0 ? paddingIdx + n : paddingIdx), [...idx.shape, 1]);
  return where(pad, out.detach(), out);
}

/**
 * The lookups `out` with the same values and the gradient of each lookup scaled by 1/count of its
 * index in idx (PyTorch's embedding backward: grad_weight[k] += grad[i] · (1/counts[k])).
 * d + (d − out)·(−1/c), d = out detached: d − out is +0, times a negative number −0, and d + −0
 * is d exactly (−0 included); out's gradient is −(g·(−1/c)) = g·(1/c), the float32 scale PyTorch
 * multiplies by. A non-finite element cannot carry a zero term (∞ − ∞ is NaN): it keeps out as is,
 * with its gradient unscaled.
 */
function scaledByFrequency(out: Tensor, idx: Tensor, n: number): Tensor {
  // counts[k] = how many lookups of row k (exact up to 2²⁴): 1 scattered into n zeros at each index.
  // idx was checked above; the scatter's own check would read its flat copy, which a compiled
  // step cannot (a value computed inside it), so the scatter op is applied directly.
  const flat = reshape(idx, [-1]);
  const zero = zeros([n]);
  const { map } = planGather('embedding', zero, 0, flat);
  const counts = apply(op('indexScatter'), [zero, flat, constant(1, zero.storage.backend)], { ...map, src: [0], mode: 'add' });
  // each lookup's −1/count, [...idx.shape, 1]: the count table looked up as a one-column embedding
  const negScale = div(-1, apply(op('embedding'), [idx, reshape(counts, [n, 1])]));
  const d = out.detach();
  return where(isfinite(d), add(d, mul(sub(d, out), negScale)), out);
}

/**
 * torch.embedding_renorm_: the rows of weight [n, d] that idx names, where their normType-norm
 * exceeds maxNorm, scaled in place to maxNorm (by maxNorm/(norm + 1e-7), torch.renorm's scale)
 * without recording a gradient. idx is read in JavaScript (inside wg.compile the function re-runs
 * its JavaScript every call, as maskedSelect).
 */
export function embeddingRenorm_(fn: string, weight: Tensor, idx: Tensor, maxNorm: number, normType: number): void {
  const n = weight.shape[0];
  checkIndices(fn, idx, n, `${n} embeddings`);
  const used = new Float32Array(n);
  for (const i of readValues(fn, idx, 'maxNorm renorms the rows they name')) used[i] = 1;
  noGrad(() => weight.copy_(where(tensor(used, { shape: [n, 1] }), renorm(weight, normType, 0, maxNorm), weight)));
}

export type EmbeddingBagMode = 'sum' | 'mean' | 'max';

/** The row-table options embedding functions and modules share, checked: paddingIdx (wrapped into [0, n)), maxNorm, normType, scaleGradByFreq. */
export function tableOptions(
  fn: string,
  n: number,
  {
    paddingIdx = null,
    maxNorm = null,
    normType = 2,
    scaleGradByFreq = false,
    sparse = false,
  }: { paddingIdx?: number | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; sparse?: boolean },
): [paddingIdx: number | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean, sparse: boolean] {
  checkBool(fn, 'scaleGradByFreq', scaleGradByFreq);
  checkBool(fn, 'sparse', sparse);
  if (maxNorm !== null && !(typeof maxNorm === 'number' && maxNorm > 0 && maxNorm < Infinity))
    throw new ValueError(fn, `maxNorm must be a finite number > 0 or null, got ${fmtValue(maxNorm)}`);
  if (!(typeof normType === 'number' && normType > 0)) throw new ValueError(fn, `normType must be a number > 0, got ${fmtValue(normType)}`);
  if (paddingIdx !== null && (!Number.isInteger(paddingIdx) || paddingIdx < -n || paddingIdx >= n))
    throw new ValueError(fn, `paddingIdx must be an integer in [${-n}, ${n - 1}] or null, got ${fmtValue(paddingIdx)}`);
  return [paddingIdx === null || paddingIdx >= 0 ? paddingIdx : paddingIdx + n, maxNorm, normType, scaleGradByFreq, sparse];
}

/** An embedding bag's mode and includeLastOffset, checked ('max' cannot scale by frequency, as torch). */
export function bagOptions(fn: string, mode: unknown, includeLastOffset: unknown, scaleGradByFreq: boolean): [EmbeddingBagMode, boolean] {
  if (mode !== 'sum' && mode !== 'mean' && mode !== 'max') throw new ValueError(fn, `mode must be 'sum', 'mean' or 'max', got ${fmtValue(mode)}`);
  checkBool(fn, 'includeLastOffset', includeLastOffset);
  if (mode === 'max' && scaleGradByFreq) throw new ValueError(fn, "mode 'max' does not scale the gradient by frequency (scaleGradByFreq)");
  return [mode, includeLastOffset as boolean];
}

export interface EmbeddingBagOptions {
  /** 1-D input: where each bag starts (int32, offsets[0] = 0, non-decreasing, ≤ the input's length). */
  offsets?: Tensor | null;
  /** Renorm the rows the input names to this p-norm first, in place (as nn.Embedding's maxNorm). */
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  mode?: EmbeddingBagMode;
  /** float32 of the input's shape: each looked-up row scaled by its weight ('sum' only). */
  perSampleWeights?: Tensor | null;
  /** offsets has one entry more than there are bags: the end of the last. */
  includeLastOffset?: boolean;
  /** Entries equal to this row index are left out of their bag (not counted by 'mean'). */
  paddingIdx?: number | null;
  /** PyTorch's sparse: accepted; the weight's gradient is dense either way. */
  sparse?: boolean;
}
const BAG_OPTIONS = ['offsets', 'maxNorm', 'normType', 'scaleGradByFreq', 'mode', 'perSampleWeights', 'includeLastOffset', 'paddingIdx', 'sparse'];

/**
 * F.embedding_bag: the rows of weight [n, d] that each bag of indices names, reduced by `mode`
 * ('mean' by default, 'sum', 'max') → [bags, d]. A 2-D input [B, N] is B bags of N; a 1-D input is
 * cut into bags at `offsets`. An empty bag (or one of padding only) gives zeros. Composed of
 * embedding and an indexAdd of the rows into their bags ('max': the first row reaching each
 * column's maximum gets the gradient, as torch's); the bag of each entry is worked out in
 * JavaScript from offsets (and, with paddingIdx, from the input's values).
 */
export function embeddingBag(input: Tensor, weight: Tensor, opts: EmbeddingBagOptions = {}): Tensor {
  const FN = 'embeddingBag';
  const o = checkOptions<EmbeddingBagOptions>(FN, opts, BAG_OPTIONS);
  const { offsets = null, perSampleWeights = null } = o;
  checkTensor(FN, 'input', input);
  checkTensor(FN, 'weight', weight);
  if (input.dtype !== 'int32') throw new DTypeError(FN, `input must be an int32 tensor, got a ${input.dtype} tensor of shape ${fmtShape(input.shape)}`);
  if (weight.ndim !== 2 || weight.dtype !== 'float32')
    throw new ShapeError(FN, `weight must be a 2-D float32 tensor, got ${weight.dtype} ${fmtShape(weight.shape)}`);
  const [n, d] = weight.shape;
  const [pad, maxNorm, normType, scaleGradByFreq] = tableOptions(FN, n, o);
  const [mode, includeLastOffset] = bagOptions(FN, o.mode ?? 'mean', o.includeLastOffset ?? false, scaleGradByFreq);
  const L = input.size;
  // where each bag starts and ends, in the flattened input
  let starts: number[], ends: number[];
  if (input.ndim === 2) {
    if (offsets !== null) throw new ValueError(FN, `a 2-D input [bags, N] takes no offsets (each row is a bag), got offsets ${fmtShape(offsets.shape)}`);
    const [B, N] = input.shape;
    starts = Array.from({ length: B }, (_, b) => b * N);
    ends = starts.map((s) => s + N);
  } else if (input.ndim === 1) {
    if (offsets === null) throw new ValueError(FN, 'a 1-D input needs offsets (where each bag starts)');
    checkTensor(FN, 'offsets', offsets);
    if (offsets.dtype !== 'int32' || offsets.ndim !== 1)
      throw new ShapeError(FN, `offsets must be a 1-D int32 tensor, got ${offsets.dtype} ${fmtShape(offsets.shape)}`);
    const off = Array.from(offsets.rawValues());
    if (off.length > 0 && off[0] !== 0) throw new ValueError(FN, `offsets[0] must be 0 (the first bag starts the input), got ${off[0]}`);
    const bad = off.findIndex((v, i) => v > L || (i > 0 && v < off[i - 1]));
    if (bad >= 0) throw new ValueError(FN, `offsets must be non-decreasing and ≤ the input's length ${L}, got ${off[bad]} at ${bad}`);
    starts = includeLastOffset ? off.slice(0, -1) : off;
    ends = starts.map((_, b) => (b + 1 < off.length ? off[b + 1] : L));
  } else throw new ShapeError(FN, `input must be 1-D (with offsets) or 2-D [bags, N], got shape ${fmtShape(input.shape)}`);
  if (perSampleWeights !== null) {
    checkTensor(FN, 'perSampleWeights', perSampleWeights);
    if (mode !== 'sum') throw new ValueError(FN, `perSampleWeights is only supported by mode 'sum', got mode '${mode}'`);
    if (!sameShape(perSampleWeights.shape, input.shape) || perSampleWeights.dtype !== 'float32')
      throw new ShapeError(
        FN,
        `perSampleWeights must be float32 of the input's shape ${fmtShape(input.shape)}, got ${perSampleWeights.dtype} ${fmtShape(perSampleWeights.shape)}`,
      );
  }
  checkIndices(FN, input, n, `a weight with ${n} rows`);
  if (maxNorm !== null) embeddingRenorm_(FN, weight, input, maxNorm, normType);
  const B = starts.length;
  // the entries kept (all but padding) and the bag of each
  const values = pad === null ? null : readValues(FN, input, 'paddingIdx leaves its entries out of their bags');
  const kept: number[] = [],
    bagOf: number[] = [],
    counts = new Array<number>(B).fill(0);
  starts.forEach((s, b) => {
    for (let p = s; p < ends[b]; p++)
      if (values === null || values[p] !== pad) {
        kept.push(p);
        bagOf.push(b);
        counts[b]++;
      }
  });
  if (kept.length === 0) return zeros([B, d]);
  // positions fixed by shapes alone (a 2-D input without padding) are constants inside wg.compile
  const fixed = input.ndim === 2 && pad === null;
  // every entry, or (padding left out) the kept ones' values, read above: the lookup checks its
  // indices, which inside wg.compile must be an input or made here, not computed
  const all = kept.length === L;
  const K = kept.length;
  let rows = reshape(
    embedding(
      all
        ? input
        : positions(
            FN,
            kept.map((p) => values![p]),
            false,
          ),
      weight,
      { scaleGradByFreq },
    ),
    [K, d],
  );
  if (perSampleWeights !== null) {
    const psw = reshape(perSampleWeights, [L]);
    rows = mul(rows, reshape(all ? psw : indexSelect(psw, 0, positions(FN, kept, false)), [K, 1]));
  }
  const bags = positions(FN, bagOf, fixed);
  if (mode === 'max') {
    // the maximum of each bag's column, the first row reaching it, and only that row's value kept
    const spread = expand(reshape(bags, [K, 1]), [K, d]);
    const r = rows.detach();
    const top = scatterReduce(zeros([B, d]), 0, spread, r, 'amax', { includeSelf: false });
    const at = where(eq(r, indexSelect(top, 0, bags)), reshape(arange(K), [K, 1]), Infinity);
    const first = scatterReduce(full([B, d], Infinity), 0, spread, at, 'amin');
    return indexAdd(zeros([B, d]), 0, bags, mul(rows, eq(at, indexSelect(first, 0, bags))));
  }
  const sums = indexAdd(zeros([B, d]), 0, bags, rows);
  if (mode === 'sum') return sums;
  // an empty bag's sum is 0: divided by 1
  return div(
    sums,
    fixed
      ? Math.max(ends[0] - starts[0], 1)
      : tensor(
          counts.map((c) => Math.max(c, 1)),
          { shape: [B, 1] },
        ),
  );
}
