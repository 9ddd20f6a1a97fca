/**
 * Argument rules shared by the convolution, pooling and resampling groups (src/ops/conv.ts,
 * pool.ts, resample.ts): per-dimension arguments, the layout check, PyTorch's output-size rule.
 */
import { ShapeError, ValueError, fmtValue } from '../errors.js';
import { fmtShape, type Meta } from './types.js';

/** A number, or a list of `dims` numbers or of one (PyTorch repeats it), as a list of `dims`, each an integer ≥ min. */
export function perDim(op: string, name: string, v: unknown, dims: number, min: number): number[] {
  const p = typeof v === 'number' || (Array.isArray(v) && v.length === 1) ? Array<number>(dims).fill(typeof v === 'number' ? v : (v as number[])[0]) : v;
  if (!Array.isArray(p) || p.length !== dims || !p.every((d) => Number.isInteger(d) && d >= min))
    throw new ValueError(
      op,
      `${name} must be ${min > 0 ? 'a positive' : 'a non-negative'} integer or ${dims === 2 ? 'an [h, w] pair' : `a list of ${dims}`} of them, got ${fmtValue(v)}`,
    );
  return p as number[];
}

/** A 2-D op's per-dim argument: a number, [h, w], or [n] for both (as PyTorch). */
export type Size2 = number | [number] | [number, number];
/** A 3-D op's per-dim argument: a number, [d, h, w], or [n] for all three (as PyTorch). */
export type Size3 = number | [number] | [number, number, number];

/** A number or [h, w] pair as [h, w], each an integer ≥ min. */
export const pair = (op: string, name: string, v: unknown, min: number) => perDim(op, name, v, 2, min) as [number, number];

/** Throws a ShapeError unless t has `rank` dims (layout names them, e.g. '[N, C, H, W]'). */
export function checkRank(op: string, what: string, rank: number, layout: string, t: Meta): void {
  if (t.shape.length !== rank) throw new ShapeError(op, `${what} must be ${rank}-D ${layout}, got shape ${fmtShape(t.shape)}`);
}

/** PyTorch's output size: floor((size + padding − dilation·(k − 1) − 1) / stride) + 1, padding the total of both sides. */
export const outSize = (size: number, k: number, s: number, padTotal: number, d: number) => Math.floor((size + padTotal - d * (k - 1) - 1) / s) + 1;
