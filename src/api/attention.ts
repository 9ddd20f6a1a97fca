/**
 * wg.scaledDotProductAttention (PyTorch's F.scaled_dot_product_attention) and the masks attention
 * layers share. Without dropout it runs the fused `attention` op (src/ops/attention.ts: one kernel
 * forward, one backward, the causal mask applied in the kernel); with dropoutP > 0 it is composed
 * from matmul, softmax (stable: the row max is subtracted) and dropout, since the weights must
 * exist to be dropped.
 */
import { checkBool, checkOptions, checkTensor } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import { DTypeError, ShapeError, ValueError, fmtValue } from '../errors.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { checkFinite, fmtShape, sizeOf } from '../ops/types.js';
import type { HeadLayout } from '../ops/attention.js';
import { arange, constant } from './creation.js';
import { gt, where } from './elementwise.js';
import { matmul } from './linalg.js';
import { softmax } from './reduce.js';
import { expand } from './layout.js';
import { dropout } from './shape.js';

/**
 * An additive float mask [L, S]: 0 where query i may attend to key j ≤ i (top-left aligned, as
 * PyTorch's is_causal), −∞ above the diagonal. Made of arange and a comparison, so inside
 * wg.compile it is a program constant.
 */
export function causalMask(L: number, S: number): Tensor {
  return where(gt(arange(S).reshape([1, S]), arange(L).reshape([L, 1])), -Infinity, 0);
}

/**
 * A mask as the additive float form: float masks are returned as they are (added to the scores),
 * int32 masks are read with `allowedWhenNonzero` (SDPA: nonzero = may attend; nn.MultiheadAttention:
 * nonzero = masked out, as PyTorch's bool masks in each) and become 0 / −∞.
 */
export function additiveMask(fn: string, what: string, mask: Tensor, allowedWhenNonzero: boolean): Tensor {
  checkTensor(fn, what, mask);
  if (mask.dtype === 'float32') return mask;
  if (mask.dtype !== 'int32') throw new DTypeError(fn, `${what} must be a float32 (added to the scores) or int32 mask, got ${mask.dtype}`);
  const nonzero = apply(op('notEqualMask'), [mask], { value: 0 });
  return allowedWhenNonzero ? where(nonzero, 0, -Infinity) : where(nonzero, -Infinity, 0);
}

export interface SdpaOptions {
  /** Float: added to the scaled scores (−∞ blocks); int32: nonzero = may attend (PyTorch's bool mask). Broadcasts to [..., L, S]. */
  attnMask?: Tensor | null;
  /** Dropout on the attention weights (applied whenever > 0, as PyTorch's functional form). */
  dropoutP?: number;
  /** Top-left causal mask: query i attends to keys 0..i. Not together with attnMask. */
  isCausal?: boolean;
  /** Multiplies q·kᵀ; default 1/√E. */
  scale?: number | null;
}

/**
 * softmax(q·kᵀ·scale + mask)·v over the last two dims: q [..., L, E], k [..., S, E], v [..., S, Ev]
 * → [..., L, Ev]; the leading (batch, head) dims broadcast as in matmul. A row whose keys are all
 * masked gives NaN, as PyTorch.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: SdpaOptions = {}): Tensor {
  const FN = 'scaledDotProductAttention';
  checkTensor(FN, 'query', q);
  checkTensor(FN, 'key', k);
  checkTensor(FN, 'value', v);
  const o = checkOptions<SdpaOptions>(FN, options, ['attnMask', 'dropoutP', 'isCausal', 'scale']);
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2)
    throw new ShapeError(
      FN,
      `query, key and value need at least 2 dims ([..., L, E], [..., S, E], [..., S, Ev]), got ${fmtShape(q.shape)}, ${fmtShape(k.shape)}, ${fmtShape(v.shape)}`,
    );
  const [L, E] = q.shape.slice(-2),
    [S, Ek] = k.shape.slice(-2),
    Sv = v.shape[v.ndim - 2];
  if (Ek !== E || Sv !== S)
    throw new ShapeError(
      FN,
      `key [..., S, E] must match query's E and value [..., S, Ev] key's S: got query ${fmtShape(q.shape)}, key ${fmtShape(k.shape)}, value ${fmtShape(v.shape)}`,
    );
  const scale = o.scale ?? 1 / Math.sqrt(E);
  checkFinite(FN, 'scale', scale);
  const p = o.dropoutP ?? 0;
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ValueError(FN, `dropoutP must be a probability in [0, 1), got ${fmtValue(o.dropoutP)}`);
  checkBool(FN, 'isCausal', o.isCausal);
  const mask = o.attnMask ?? null;
  if (o.isCausal && mask !== null) throw new ValueError(FN, 'takes attnMask or isCausal, not both (PyTorch): put the causal part into attnMask');
  const given = mask === null ? null : additiveMask(FN, 'attnMask', mask, true);
  // A mask of fewer than 2 dims broadcasts as a row [1, S] (or [1, 1]), as PyTorch's broadcasting.
  const additive = given === null || given.ndim >= 2 ? given : given.reshape([1, given.shape[0] ?? 1]);
  if (p > 0) {
    let scores = matmul(q, k, { transposeB: true }).mul(scale);
    if (o.isCausal) scores = scores.add(causalMask(L, S));
    else if (additive !== null) scores = scores.add(additive);
    return matmul(dropout(softmax(scores, -1), p, true), v);
  }
  // The fused op takes [B, L, E], [B, S, E], [B, S, Ev]: batch dims that differ between q, k and v
  // are expanded first (their gradients are summed back by expand's backward).
  const shapes = [q, k, v, ...(additive === null ? [] : [additive])].map((t) => t.shape.slice(0, -2));
  let batch: number[];
  try {
    batch = broadcastShapes(FN, shapes);
  } catch {
    throw new ShapeError(
      FN,
      `the batch dims of query ${fmtShape(q.shape)}, key ${fmtShape(k.shape)}, value ${fmtShape(v.shape)}${additive === null ? '' : ` and attnMask ${fmtShape(additive.shape)}`} cannot be broadcast together`,
    );
  }
  const B = sizeOf(batch);
  const flat = (t: Tensor, rows: number) => {
    const cols = t.shape[t.ndim - 1];
    const full = t.ndim - 2 === batch.length && t.shape.every((d, i) => i >= batch.length || d === batch[i]);
    return (full ? t : expand(t, [...batch, rows, cols])).reshape([B, rows, cols]);
  };
  let m: Tensor | null = null;
  if (additive !== null) {
    const [Lm, Sm] = additive.shape.slice(-2);
    if ((Lm !== 1 && Lm !== L) || (Sm !== 1 && Sm !== S))
      throw new ShapeError(FN, `attnMask must broadcast to [..., ${L}, ${S}] (query's L, key's S), got ${fmtShape(given!.shape)}`);
    // The kernel reads a mask [Lm, S] shared by every batch, or one per batch, without expanding it.
    const rows = additive.shape.slice(0, -2).every((d) => d === 1) ? additive.reshape([Lm, Sm]) : flat(additive, Lm);
    m = Sm === S ? rows : expand(rows, [...rows.shape.slice(0, -1), S]);
  }
  const y = fusedAttention(flat(q, L), flat(k, S), flat(v, S), m, scale, o.isCausal === true);
  return y.reshape([...batch, L, v.shape[v.ndim - 1]]);
}

/**
 * The fused op on q [B, L, E], k [B, S, E], v [B, S, Ev] with an additive float mask [Lm, S] or
 * [Bm, Lm, S] (Bm ∈ {1, B}, Lm ∈ {1, L}) or the top-left causal mask: softmax(q·kᵀ·scale + mask)·v.
 * With `heads`, q, k and v are projections whose heads the op reads in place (src/ops/attention.ts).
 */
export function fusedAttention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, scale: number, causal: boolean, heads?: HeadLayout): Tensor {
  return apply(op('attention'), [q, k, v, mask ?? constant(0, q.storage.backend)], { scale, causal, mask: mask !== null, ...(heads && { heads }) });
}
