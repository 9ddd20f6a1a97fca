/** Matrix products. Kernels: assembly/kernels/gemm.ts. Opcodes 150–169. */
import type { Tensor } from '../tensor.js';
import { defineOps, todo } from './types.js';

export const LINALG_OPS = defineOps();

export const matmul = todo('matmul') as (a: Tensor, b: Tensor) => Tensor;
