/** Optimizer update kernels (run in place with applyUpdate). Kernels: assembly/kernels/optim.ts. Opcodes 290–329. */
import { defineOps } from './types.js';

export const OPTIM_OPS = defineOps();
