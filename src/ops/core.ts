/**
 * Engine ops used by autodiff: `fill` sets a buffer to a constant (zeroing gradient buffers,
 * seeding the root gradient), so a whole backward pass is one program of records.
 * Kernels: assembly/kernels/core.ts.
 */
import { SPLIT } from './contract.js';
import { defineOps, f32bits, numel, out, paramf, type OpSpec } from './types.js';

const fillOp: OpSpec<{ shape: number[]; value: number }, 'fill'> = {
  name: 'fill',
  module: 'core',
  split: { cut: 'flat', min: SPLIT.MAP },
  arity: 0,
  gradInputs: [],
  doc: 'out[i] = value (float32)',
  plan: (_ins, { shape, value }) => ({ shape: [...shape], params: [f32bits(value)] }),
  ref: {
    fwd: (h, r) => h.fill(paramf(r, 0), out(r), out(r) + numel(r)),
  },
  tests: { cases: [[1], [3], [5], [17], [2, 9]].map((shape, i) => ({ inputs: [], attrs: { shape, value: i - 1.5 } })) },
};

export const CORE_OPS = defineOps(fillOp);
