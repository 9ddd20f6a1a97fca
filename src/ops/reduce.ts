/** Reductions over one dim or all dims, softmax and log-softmax. Kernels: assembly/kernels/reduce.ts. Opcodes 100–149. */
import type { Tensor } from '../tensor.js';
import { defineOps, todo } from './types.js';

export const REDUCE_OPS = defineOps();

export const sum = todo('sum') as (x: Tensor, dim?: number, keepdim?: boolean) => Tensor;
export const mean = todo('mean') as (x: Tensor, dim?: number, keepdim?: boolean) => Tensor;
export const max = todo('max') as (x: Tensor, dim?: number, keepdim?: boolean) => Tensor;
export const min = todo('min') as (x: Tensor, dim?: number, keepdim?: boolean) => Tensor;
export const softmax = todo('softmax') as (x: Tensor, dim?: number) => Tensor;
export const logSoftmax = todo('logSoftmax') as (x: Tensor, dim?: number) => Tensor;
