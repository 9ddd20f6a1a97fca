/**
 * THE op table: every op declared once, grouped by kernel module. Drives the TS shape checks,
 * both backends, the generated AS dispatch (scripts/gen-ops.ts), the test harness and benchmarks.
 * This module and the groups hold data only (shape rules, reference kernels, test cases): loading
 * them loads no engine, so scripts can read the table without the runtime.
 *
 * An op's opcode is its position in OPS, assigned here and nowhere else; the generator emits the
 * same numbering into assembly/generated/ops.ts, and contractHash (checked at init) covers it.
 */
import { WasmgradError } from '../errors.js';
import { contractHash } from './contract.js';
import { CONV_OPS } from './conv.js';
import { CORE_OPS } from './core.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { LINALG_OPS } from './linalg.js';
import { LOSS_OPS } from './loss.js';
import { OPTIM_OPS } from './optim.js';
import { REDUCE_OPS } from './reduce.js';
import { SHAPE_OPS } from './shape.js';
import type { OpDef, OpSpec } from './types.js';

const DECLARED = [...ELEMENTWISE_OPS, ...REDUCE_OPS, ...LINALG_OPS, ...SHAPE_OPS, ...CONV_OPS, ...LOSS_OPS, ...OPTIM_OPS, ...CORE_OPS];
type Declared = (typeof DECLARED)[number];

/** The name of an op of the table: a misspelled name does not compile. */
export type OpName = Declared['name'];
/** The table entry of op `N`, typed with its attributes. */
export type OpOf<N extends OpName> = Extract<Declared, { name: N }> extends OpSpec<infer A, N> ? OpDef<A, N> : never;

/** Every op, indexed by opcode. */
export const OPS: readonly OpDef[] = DECLARED.map((spec, opcode) => ({ ...spec, opcode }));

const BY_NAME = new Map<string, OpDef>();
for (const op of OPS) {
  if (BY_NAME.has(op.name)) throw new WasmgradError('opTable', `name ${op.name} used twice`);
  BY_NAME.set(op.name, op);
}

/** The op of the table named `name`: the one lookup by name. */
export function op<N extends OpName>(name: N): OpOf<N> {
  return BY_NAME.get(name) as OpOf<N>;
}

/** The hash of the contract and this table that the WASM module must have been built with. */
export const TABLE_HASH = contractHash(OPS);
