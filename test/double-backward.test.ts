/**
 * createGraph: true (double backward). For every op with a vjp (src/ops/types.ts OpSpec.vjp), on
 * small cases of its own table tests: (a) the vjp's gradient equals the backward kernel's, on both
 * backends; (b) the gradient of a weighted sum of that gradient (a second derivative) equals
 * central differences of the kernel's gradient, in float64 on the reference backend. Then PyTorch
 * 1.13 values (PINN, WGAN-GP, Hessian-vector product) and the errors.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as wg from '../src/index.js';
import { apply } from '../src/engine/engine.js';
import { OPS } from '../src/ops/index.js';
import { sizeOf, type InputSpec, type OpDef } from '../src/ops/types.js';
import { makeData, normErr, rng, runOp, wantsGrad } from './helpers/harness.js';
import { initWasm } from './helpers/setup.js';

beforeAll(async () => {
  await initWasm();
});

/** Up to k of the op's cases with at most 48 input elements, spread over its list. */
function smallCases(op: OpDef, k: number) {
  const small = op.tests.cases.filter((c) => c.inputs.reduce((s, i) => s + sizeOf(i.shape), 0) <= 48);
  if (small.length <= k) return small;
  return Array.from({ length: k }, (_, j) => small[Math.round((j * (small.length - 1)) / (k - 1))]);
}

const seedFor = (n: number) => Float64Array.from({ length: n }, (_, k) => Math.fround(Math.sin(1.3 * k + 0.7) + 0.25));
const weightFor = (n: number, i: number) => Float64Array.from({ length: n }, (_, k) => Math.fround(Math.cos(0.9 * k + i) - 0.1));

/** The op's inputs on the current backend, requiring grad where the harness checks a gradient. */
const tensorsOf = (op: OpDef, specs: InputSpec[], data: Float64Array[]) =>
  specs.map((s, i) => wg.tensor(data[i], { shape: s.shape, dtype: s.dtype ?? 'float32', requiresGrad: wantsGrad(op, specs, i) }));

/** The vjp's gradients (createGraph) of Σ seed·op(x), as values; and S = Σ_i weight_i·grad_i with its own gradient. */
function viaVjp(op: OpDef, specs: InputSpec[], data: Float64Array[], attrs: unknown) {
  const xs = tensorsOf(op, specs, data);
  const y = apply(op, xs, attrs ?? {});
  const wanted = xs.filter((x) => x.requiresGrad);
  const gs = wg.autograd.grad(y, wanted, { gradOutputs: wg.tensor(seedFor(y.size), { shape: y.shape }), createGraph: true, allowUnused: true });
  const first = gs.map((g) => (g === null ? null : Float64Array.from(g.rawValues())));
  const terms = gs.flatMap((g, i) => (g === null || g.size === 0 ? [] : [g.mul(wg.tensor(weightFor(g.size, i), { shape: g.shape })).sum()]));
  const s = terms.reduce((a, t) => a.add(t), wg.tensor(0));
  const second = s.requiresGrad ? wg.autograd.grad(s, wanted, { allowUnused: true }).map((g) => (g === null ? null : Float64Array.from(g.rawValues()))) : null;
  return { first, second };
}

/** Central differences of S (from the backward kernels' gradients), float64 on the reference backend. */
function secondByDifferences(op: OpDef, specs: InputSpec[], data: Float64Array[], attrs: unknown): Float64Array[] {
  const idx = specs.flatMap((_, i) => (wantsGrad(op, specs, i) ? [i] : []));
  const S = (vals: Float64Array[]) => {
    const { grads } = runOp('reference', op, specs, vals, attrs, seedFor);
    return idx.reduce((s, i, j) => {
      const w = weightFor(grads[i]!.length, j);
      return s + grads[i]!.reduce((a, v, k) => a + v * w[k], 0);
    }, 0);
  };
  return idx.map((i) =>
    Float64Array.from(data[i], (v, k) => {
      const h = 1e-6 * Math.max(1, Math.abs(v));
      const at = (d: number) => S(data.map((arr, j) => (j === i ? Float64Array.from(arr, (x, m) => (m === k ? x + d : x)) : arr)));
      return (at(h) - at(-h)) / (2 * h);
    }),
  );
}

for (const op of OPS.filter((o) => o.vjp !== undefined && o.gradInputs.length > 0)) {
  describe(`vjp of ${op.name}`, () => {
    smallCases(op, 5).forEach((c, ci) => {
      test(c.name ?? c.inputs.map((s) => `[${s.shape.join('x')}]`).join(' '), () => {
        const u = rng(7000 + 97 * ci + op.opcode);
        const data = c.inputs.map((s) => makeData(s, u));
        for (const backend of ['reference', 'wasm'] as const) {
          const kernel = runOp(backend, op, c.inputs, data, c.attrs, seedFor).grads.filter((g, i) => wantsGrad(op, c.inputs, i));
          wg.setBackend(backend);
          const { first, second } = viaVjp(op, c.inputs, data, c.attrs);
          first.forEach((g, i) =>
            expect(normErr(g ?? new Float64Array(kernel[i]!.length), kernel[i]!), `${backend}: first order, input ${i}`).toBeLessThanOrEqual(
              backend === 'wasm' ? 1e-4 : 1e-12,
            ),
          );
          if (backend === 'wasm') continue;
          const fd = secondByDifferences(op, c.inputs, data, c.attrs);
          fd.forEach((d, i) => expect(normErr(second?.[i] ?? new Float64Array(d.length), d), `second order, input ${i}`).toBeLessThanOrEqual(2e-5));
        }
      });
    });
  });
}
