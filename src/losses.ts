/** wg.losses: the loss functions of the API contract, built on the op table. */
import type { Tensor } from './tensor.js';
import { todo } from './ops/types.js';

export type Reduction = 'mean' | 'sum' | 'none';

export const mse = todo('losses.mse') as (pred: Tensor, target: Tensor, opts?: { reduction?: Reduction }) => Tensor;
export const l1 = todo('losses.l1') as (pred: Tensor, target: Tensor, opts?: { reduction?: Reduction }) => Tensor;
export const huber = todo('losses.huber') as (pred: Tensor, target: Tensor, opts?: { delta?: number; reduction?: Reduction }) => Tensor;
export const crossEntropy = todo('losses.crossEntropy') as (logits: Tensor, labels: Tensor, opts?: { reduction?: Reduction }) => Tensor;
export const nll = todo('losses.nll') as (logProbs: Tensor, labels: Tensor, opts?: { reduction?: Reduction }) => Tensor;
export const bce = todo('losses.bce') as (prob: Tensor, target: Tensor, opts?: { reduction?: Reduction }) => Tensor;
export const bceWithLogits = todo('losses.bceWithLogits') as (logits: Tensor, target: Tensor, opts?: { reduction?: Reduction }) => Tensor;
