/**
 * THE op table: every op declared once, grouped by kernel module. Drives the TS shape checks,
 * both backends, the generated AS dispatch (scripts/gen-ops.ts), the test harness and benchmarks.
 */
import { CONV_OPS } from './conv.js';
import { CORE_OPS } from './core.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { LINALG_OPS } from './linalg.js';
import { LOSS_OPS } from './loss.js';
import { OPTIM_OPS } from './optim.js';
import { REDUCE_OPS } from './reduce.js';
import { SHAPE_OPS } from './shape.js';
import type { OpDef } from './types.js';

export const OPS: readonly OpDef[] = [...ELEMENTWISE_OPS, ...REDUCE_OPS, ...LINALG_OPS, ...SHAPE_OPS, ...CONV_OPS, ...LOSS_OPS, ...OPTIM_OPS, ...CORE_OPS];
export { OPS_BY_CODE, OPS_BY_NAME } from './types.js';
