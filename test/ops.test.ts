/**
 * The op-table harness: for every op and every test case it declares,
 * (a) forward and every input gradient on WASM (float32) vs the reference (float64), from a fresh
 *     buffer, added into a second time, and (overwritesGrad ops) overwriting NaN-filled buffers;
 * (b) reference gradients vs central finite differences in float64 (at every element of an input
 *     of up to 256, at 256 spread elements of a larger one: harness.ts, FD_ELEMENTS).
 * Hand-computed values per op live in test/op-examples/*.test.ts.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { TABLE } from '../src/ops/index.js';
import { isComposite } from '../src/ops/types.js';
import { finiteDiff, makeData, normErr, rng, runOp, runOverwrite, wantsGrad } from './helpers/harness.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

const nameSeed = (name: string) => [...name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 65521, 0);

const label = (c: { name?: string; inputs: { shape: number[] }[] }) => c.name ?? c.inputs.map((s) => `[${s.shape.join('x')}]`).join(' ');

// Composites (no opcode, no kernel) run through the same checks: their primitives' records on
// both backends, and the gradient autodiff composes from them against finite differences.
for (const op of TABLE) {
  describe(`${isComposite(op) ? 'composite' : 'op'} ${op.name}`, () => {
    op.tests.cases.forEach((c, ci) => {
      test(label(c), () => {
        // Seeded by the op's name, so that data stays put when the table (and the opcodes) change.
        const u = rng(1000 + 31 * nameSeed(op.name) + ci);
        const data = c.inputs.map((s) => makeData(s, u));
        const differentiable = op.gradInputs.length > 0;
        const seedFor = (n: number) => Float64Array.from({ length: n }, (_, k) => Math.fround(Math.sin(1.3 * k + 0.7) + 0.25));
        const seed = differentiable ? seedFor : undefined;
        const ref = runOp('reference', op, c.inputs, data, c.attrs, seed);
        const w = runOp('wasm', op, c.inputs, data, c.attrs, seed);
        const tol = op.tests.tol ?? 2e-5;
        expect(w.shape).toEqual(ref.shape);
        expect(ref.shape, 'result shape vs the plan').toEqual(
          op.plan(
            c.inputs.map((s) => ({ shape: s.shape, dtype: s.dtype ?? 'float32' })),
            c.attrs ?? {},
          ).shape,
        );
        expect(normErr(w.out, ref.out), 'forward: wasm vs reference').toBeLessThanOrEqual(tol);
        // Every input the op declares differentiable gets a gradient (for a composite: autodiff
        // reaches it through the primitives), so none of the checks below is skipped silently.
        c.inputs.forEach((_, i) => expect(ref.grads[i] !== null, `input ${i} receives a gradient`).toBe(seed !== undefined && wantsGrad(op, c.inputs, i)));
        ref.grads.forEach((g, i) => {
          if (g === null) return;
          expect(w.grads[i], `wasm gradient of input ${i}`).not.toBeNull();
          expect(normErr(w.grads[i]!, g), `gradient of input ${i}: wasm vs reference`).toBeLessThanOrEqual(tol);
          const g2 = g.map((v) => 2 * v);
          expect(normErr(ref.twice[i]!, g2), `gradient of input ${i} after two passes: reference vs 2 × one pass`).toBeLessThanOrEqual(1e-12);
          expect(normErr(w.twice[i]!, g2), `gradient of input ${i} after two passes: wasm vs 2 × reference`).toBeLessThanOrEqual(tol);
        });
        // Kernels that can overwrite a fresh gradient buffer: they must write all of it, read none.
        if (!isComposite(op) && op.overwritesGrad) {
          const refOw = runOverwrite('reference', op, c.inputs, data, c.attrs, seedFor);
          const wOw = runOverwrite('wasm', op, c.inputs, data, c.attrs, seedFor);
          ref.grads.forEach((g, i) => {
            if (g === null) return;
            expect(normErr(refOw[i]!, g), `overwritten gradient of input ${i}: reference`).toBeLessThanOrEqual(1e-12);
            expect(normErr(wOw[i]!, g), `overwritten gradient of input ${i}: wasm vs reference`).toBeLessThanOrEqual(tol);
          });
        }
        // (b) does not involve WASM: vitest.config.ts runs it in the SIMD build's project only.
        if (differentiable && op.tests.skipGradcheck === undefined && process.env.WASMGRAD_WASM_ONLY !== '1') {
          const fd = finiteDiff(op, c.inputs, data, c.attrs, seedFor(ref.out.length));
          fd.forEach((d, i) => {
            if (d === null) return;
            const autodiff = d.at.map((k) => ref.grads[i]![k]);
            expect(normErr(autodiff, d.g), `gradient of input ${i}: reference vs finite differences`).toBeLessThanOrEqual(1e-6);
          });
        }
      });
    });
  });
}
