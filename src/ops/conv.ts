/** Convolution and pooling, NCHW. Kernels: assembly/kernels/conv.ts. Opcodes 230–259. */
import type { Tensor } from '../tensor.js';
import { defineOps, todo } from './types.js';

export interface Conv2dOptions { stride?: number | [number, number]; padding?: number | [number, number]; dilation?: number | [number, number] }
export interface PoolOptions { stride?: number | [number, number]; padding?: number | [number, number] }

export const CONV_OPS = defineOps();

export const conv2d = todo('conv2d') as (x: Tensor, w: Tensor, b?: Tensor | null, opts?: Conv2dOptions) => Tensor;
export const maxPool2d = todo('maxPool2d') as (x: Tensor, k: number | [number, number], opts?: PoolOptions) => Tensor;
export const avgPool2d = todo('avgPool2d') as (x: Tensor, k: number | [number, number], opts?: PoolOptions) => Tensor;
