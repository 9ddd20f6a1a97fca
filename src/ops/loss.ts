/** Fused, numerically stable loss kernels (softmax cross-entropy, NLL, BCE with logits). Kernels: assembly/kernels/loss.ts. Opcodes 260–289. */
import { defineOps } from './types.js';

export const LOSS_OPS = defineOps();
