/**
 * THE op table: every op declared once, grouped by kernel module. Drives the TS shape checks,
 * both backends, the generated AS dispatch (scripts/gen-ops.ts), the test harness and benchmarks.
 * This module and the groups hold data only (shape rules, reference kernels, test cases): loading
 * them loads no engine, so scripts can read the table without the runtime.
 *
 * An op's opcode is its position in OPS, assigned here and nowhere else; the generator emits the
 * same numbering into assembly/generated/ops.ts, and contractHash (checked at init) covers it.
 * Composites (src/ops/composite.ts) are entries without an opcode: OPS holds the kernel ops only.
 */
import { WasmgradError } from '../errors.js';
import { COMPOSITE_OPS } from './composite.js';
import { contractHash } from './contract.js';
import { CONV_OPS } from './conv.js';
import { CORE_OPS } from './core.js';
import { DISTANCE_OPS } from './distance.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { LAYOUT_OPS } from './layout.js';
import { INTEGER_OPS } from './integer.js';
import { INDEXING_OPS } from './indexing.js';
import { LINALG_OPS } from './linalg.js';
import { LOSS_OPS } from './loss.js';
import { MATH_OPS } from './math.js';
import { NORMALIZATION_OPS } from './normalization.js';
import { OPTIM_OPS } from './optim.js';
import { RECURRENT_OPS } from './recurrent.js';
import { REDUCE_OPS } from './reduce.js';
import { SHAPE_OPS } from './shape.js';
import { SHRINK_OPS } from './shrink.js';
import { SORT_OPS } from './sort.js';
import { ATTENTION_OPS } from './attention.js';
import { CONVENIENCE_OPS } from './convenience.js';
import { PARITY_SHAPE_OPS } from './parity-shape.js';
import { PARITY_NN_OPS } from './parity-nn.js';
import { LOSS_EXTRA_OPS } from './loss-extra.js';
import { PARITY_MATH_OPS } from './parity-math.js';
import { STATISTICS_OPS } from './statistics.js';
import { SPECIAL_OPS } from './special.js';
import { SPECIAL_GAMMA_OPS } from './special-gamma.js';
import { SPECIAL_BESSEL_OPS } from './special-bessel.js';
import { SPECIAL_POLYNOMIAL_OPS } from './special-polynomials.js';
import { isComposite, type CompositeDef, type OpDef, type OpSpec, type TableOp } from './types.js';

const DECLARED = [
  ...ELEMENTWISE_OPS,
  ...REDUCE_OPS,
  ...LINALG_OPS,
  ...SHAPE_OPS,
  ...CONV_OPS,
  ...LOSS_OPS,
  ...OPTIM_OPS,
  ...CORE_OPS,
  ...COMPOSITE_OPS,
  ...DISTANCE_OPS,
  ...LAYOUT_OPS,
  ...INTEGER_OPS,
  ...INDEXING_OPS,
  ...MATH_OPS,
  ...SORT_OPS,
  ...SHRINK_OPS,
  ...RECURRENT_OPS,
  ...ATTENTION_OPS,
  ...NORMALIZATION_OPS,
  ...CONVENIENCE_OPS,
  ...PARITY_SHAPE_OPS,
  ...PARITY_NN_OPS,
  ...LOSS_EXTRA_OPS,
  ...PARITY_MATH_OPS,
  ...STATISTICS_OPS,
  ...SPECIAL_OPS,
  ...SPECIAL_GAMMA_OPS,
  ...SPECIAL_BESSEL_OPS,
  ...SPECIAL_POLYNOMIAL_OPS,
];
type Declared = (typeof DECLARED)[number];

/** The name of an op of the table (kernel or composite): a misspelled name does not compile. */
export type OpName = Declared['name'];
/** The table entry of op `N`, typed with its attributes. */
export type OpOf<N extends OpName> =
  Extract<Declared, { name: N }> extends CompositeDef<infer A, N>
    ? CompositeDef<A, N>
    : Extract<Declared, { name: N }> extends OpSpec<infer A, N>
      ? OpDef<A, N>
      : never;

/** The kernel ops, indexed by opcode: what the backends, the AS dispatch and the warm-up see. */
export const OPS: readonly OpDef[] = DECLARED.filter((spec): spec is Exclude<Declared, CompositeDef> => !isComposite(spec)).map((spec, opcode) => ({
  ...spec,
  opcode,
}));
/** The composites: no opcode, no kernel; apply runs them through their primitives. */
export const COMPOSITES: readonly CompositeDef[] = DECLARED.filter((spec): spec is Extract<Declared, CompositeDef> => isComposite(spec));
/** Every entry of the table. */
export const TABLE: readonly TableOp[] = [...OPS, ...COMPOSITES];

const BY_NAME = new Map<string, TableOp>();
for (const op of TABLE) {
  if (BY_NAME.has(op.name)) throw new WasmgradError('opTable', `name ${op.name} used twice`);
  BY_NAME.set(op.name, op);
}

/** The entry of the table named `name`, kernel or composite: the one lookup by name. */
export function op<N extends OpName>(name: N): OpOf<N> {
  return BY_NAME.get(name) as OpOf<N>;
}

/** The hash of the contract and this table that the WASM module must have been built with. */
export const TABLE_HASH = contractHash(OPS);
