/** Reductions, softmax and log-softmax as functions. Table: src/ops/reduce.ts. */
import { checkOptions } from '../engine/check.js';
import { apply } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import type { VarAttrs } from '../ops/composite.js';
import { op } from '../ops/index.js';

export const sum = (x: Tensor, dim?: number, keepdim = false): Tensor => apply(op('sum'), [x], { dim, keepdim });
export const mean = (x: Tensor, dim?: number, keepdim = false): Tensor => apply(op('mean'), [x], { dim, keepdim });
export const max = (x: Tensor, dim?: number, keepdim = false): Tensor => apply(op('max'), [x], { dim, keepdim });
export const min = (x: Tensor, dim?: number, keepdim = false): Tensor => apply(op('min'), [x], { dim, keepdim });
export const softmax = (x: Tensor, dim = -1): Tensor => apply(op('softmax'), [x], { dim });
export const logSoftmax = (x: Tensor, dim = -1): Tensor => apply(op('logSoftmax'), [x], { dim });
/** log Σ eˣ over dim (all elements when undefined), computed stably; −∞ over an empty dim. */
export const logsumexp = (x: Tensor, dim?: number, keepdim = false): Tensor => apply(op('logsumexp'), [x], { dim, keepdim });

export interface VarOptions {
  /** Subtracted from the element count N in the divisor N − correction (default 1, unbiased). */
  correction?: number;
  keepdim?: boolean;
}
const varOptions = (fn: string, dim: number | undefined, opts: VarOptions | undefined): VarAttrs => ({
  dim,
  ...checkOptions<VarOptions>(fn, opts, ['correction', 'keepdim']),
});
/** Variance over dim (all elements when undefined): Σ (x − mean)² / max(0, N − correction). */
export const variance = (x: Tensor, dim?: number, opts?: VarOptions): Tensor => apply(op('var'), [x], varOptions('var', dim, opts));
/** Standard deviation: √var, with the same options. */
export const std = (x: Tensor, dim?: number, opts?: VarOptions): Tensor => apply(op('std'), [x], varOptions('std', dim, opts));
