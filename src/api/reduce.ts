/** Reductions, softmax and log-softmax as functions. Table: src/ops/reduce.ts. */
import { apply } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { op } from '../ops/index.js';


export const sum = (x: Tensor, dim?: number, keepdim = false): Tensor => apply(op('sum'), [x], { dim, keepdim });
export const mean = (x: Tensor, dim?: number, keepdim = false): Tensor => apply(op('mean'), [x], { dim, keepdim });
export const max = (x: Tensor, dim?: number, keepdim = false): Tensor => apply(op('max'), [x], { dim, keepdim });
export const min = (x: Tensor, dim?: number, keepdim = false): Tensor => apply(op('min'), [x], { dim, keepdim });
export const softmax = (x: Tensor, dim = -1): Tensor => apply(op('softmax'), [x], { dim });
export const logSoftmax = (x: Tensor, dim = -1): Tensor => apply(op('logSoftmax'), [x], { dim });
