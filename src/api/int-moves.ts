/**
 * int32 results of float32 ops that only move elements (pads, diagonals, scatters' writes): the op
 * runs on the elements' positions, then the int32 values are gathered from those positions. The
 * float32 kernels are never fed int32 words, so every int32 value stays exact (past 2²⁴ too).
 */
import { apply, constant } from '../engine/engine.js';
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtShape, fmtValue } from '../errors.js';
import { op } from '../ops/index.js';
import { planTake } from '../ops/indexing.js';
import { arange } from './creation.js';
import { cat, reshape } from './shape.js';

/** float32 counts positions exactly up to 2²⁴. */
const MAX_POSITIONS = 2 ** 24;

/**
 * `move` applied to int32 tensors `xs`: `move` gets float32 tensors of the same shapes holding the
 * positions 1, 2, … of the elements of all `xs` (one numbering), and must only copy them or write
 * 0 (never combine them); position 0 reads `fill`. The result is int32, exactly `move` of the values.
 */
export function movedInt(fn: string, xs: readonly Tensor[], move: (positions: Tensor[]) => Tensor, fill = 0): Tensor {
  if (!Number.isInteger(fill) || fill < -(2 ** 31) || fill >= 2 ** 31)
    throw new ValueError(fn, `the fill value of an int32 tensor must be an integer in int32's range, got ${fmtValue(fill)}`);
  const total = xs.reduce((n, x) => n + x.size, 0);
  if (total >= MAX_POSITIONS)
    throw new ValueError(fn, `int32 inputs of at most ${MAX_POSITIONS - 1} elements, got ${total} (${xs.map((x) => fmtShape(x.shape)).join(', ')})`);
  let at = 1;
  const positions = xs.map((x) => {
    const p = reshape(arange(at, at + x.size), x.shape);
    at += x.size;
    return p;
  });
  const where = apply(op('toInt'), [move(positions)]);
  const be = xs[0].storage.backend;
  const values = cat([reshape(constant(fill, be, 'int32'), [1]), ...xs.map((x) => reshape(x, [x.size]))]);
  return apply(op('indexGatherInt'), [values, where], planTake(values, where));
}
