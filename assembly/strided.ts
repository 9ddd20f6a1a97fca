// Collapsed strided iteration shared by the broadcasting and copy kernels. A plan's params start
// with [rank, shape[rank], ...] and hold, for each operand, its strides (in elements) somewhere
// after that; the innermost dim is iterated by the kernel, the outer dims are "rows".
import { param } from './record';

/**
 * Element offset, in an operand whose strides start at param index `stridesAt`, of the first
 * element of outer row `row` (row-major over shape[0 .. rank-2]).
 */
@inline export function rowOffset(rec: usize, row: i32, stridesAt: i32): usize {
  const rank = param(rec, 0);
  let off: usize = 0;
  let r = row;
  for (let k = rank - 2; k >= 0; k--) {
    const d = param(rec, 1 + k);
    off += <usize>(r % d) * <usize>param(rec, stridesAt + k);
    r /= d;
  }
  return off;
}
