/**
 * THE op table: every op declared once, grouped by kernel module. Drives the TS shape checks,
 * both backends, the generated AS dispatch (scripts/gen-ops.ts), the test harness and benchmarks.
 * This module and the groups hold data only (shape rules, reference kernels, test cases): loading
 * them loads no engine, so scripts can read the table without the runtime.
 */
import { WasmgradError } from '../errors.js';
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

/** Every op by opcode and by name; opcodes and names are unique. */
export const OPS_BY_CODE: readonly OpDef[] = [];
export const OPS_BY_NAME: ReadonlyMap<string, OpDef> = new Map();
for (const op of OPS) {
  if (OPS_BY_CODE[op.opcode] !== undefined) throw new WasmgradError('opTable', `opcode ${op.opcode} used twice (${op.name}, ${OPS_BY_CODE[op.opcode].name})`);
  if (OPS_BY_NAME.has(op.name)) throw new WasmgradError('opTable', `name ${op.name} used twice`);
  (OPS_BY_CODE as OpDef[])[op.opcode] = op;
  (OPS_BY_NAME as Map<string, OpDef>).set(op.name, op);
}

/** The op of the table named `name` (the one lookup the public functions use). */
export function opNamed(name: string): OpDef {
  const op = OPS_BY_NAME.get(name);
  if (op === undefined) throw new WasmgradError('opTable', `no op named '${name}' (internal)`);
  return op;
}
