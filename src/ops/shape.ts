/** Copies and layout ops: copy, reshape, permute, slice, cat, stack, embedding, dropout. Kernels: assembly/kernels/shape.ts. Opcodes 170–229. */
import type { Tensor, TensorLike } from '../tensor.js';
import { defineOps, todo } from './types.js';

export const SHAPE_OPS = defineOps();

export const copyInto = todo('copy_') as (target: Tensor, src: TensorLike) => Tensor;
export const reshape = todo('reshape') as (x: Tensor, shape: readonly number[]) => Tensor;
export const flatten = todo('flatten') as (x: Tensor, startDim?: number) => Tensor;
export const transpose = todo('transpose') as (x: Tensor, d0?: number, d1?: number) => Tensor;
export const permute = todo('permute') as (x: Tensor, dims: readonly number[]) => Tensor;
export const slice = todo('slice') as (x: Tensor, dim: number, start: number, end?: number) => Tensor;
export const cat = todo('cat') as (xs: readonly Tensor[], dim?: number) => Tensor;
export const stack = todo('stack') as (xs: readonly Tensor[], dim?: number) => Tensor;
export const embedding = todo('embedding') as (idx: Tensor, weight: Tensor) => Tensor;
export const dropout = todo('dropout') as (x: Tensor, p: number, training: boolean) => Tensor;
