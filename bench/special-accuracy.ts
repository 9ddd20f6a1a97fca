// Accuracy, not speed: lgamma, digamma and i0 (composites, src/ops/parity-math.ts) against PyTorch
// 1.13 in float32, on 40,001 evenly spaced points in [−10, 30] ([−90, 90] for i0) plus the specials (poles, ±∞, NaN, the
// zeros). Writes wasmgrad's values (WASM and reference backends) and pipes them to
// bench/special-accuracy.py, which evaluates torch and prints ulp statistics per sign of x and the
// difference in units of 2⁻²³·max(|torch|, 1) (the measure that stays meaningful near the zeros), and
// the gradient's relative error against the float64 derivative (digamma, trigamma) torch computes.
//
//   npx tsx bench/special-accuracy.ts [lgamma|digamma|i0|polygamma N]      (needs /usr/bin/python3 with torch)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as wg from '../src/index.js';

const name = (process.argv[2] ?? 'lgamma') as 'lgamma' | 'digamma' | 'i0' | 'polygamma';
if (!['lgamma', 'digamma', 'i0', 'polygamma'].includes(name)) throw new Error(`special-accuracy: lgamma, digamma, i0 or polygamma N, got ${name}`);
const order = Number(process.argv[3] ?? 1);
const f = name === 'polygamma' ? (x: wg.Tensor) => wg.polygamma(order, x) : wg[name];
await wg.init();
const n = 40001;
const specials = [0, -1, -2, -10, 1, 2, 0.5, 1e-3, 1e-6, 1.4616321, 30, 1e10, Infinity, -Infinity, NaN, -2.5, -0.5, 3, 10, 9.999999];
// polygamma also near 0 (both sides), far out and at large negative non-integers
if (name === 'polygamma') specials.push(...[1e-4, 1e-2, 0.1, -1e-3, -0.999, -1.001, -20.25, -50.5, -99.9, 100, 1e4, 1e6].map((v) => Math.fround(v)));
const [lo, hi] = name === 'i0' ? [-90, 90] : [-10, 30];
const xs = Float32Array.from([...Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1)), ...specials]);
const out: Record<string, (number | string)[]> = { x: Array.from(xs) };
for (const be of ['wasm', 'reference'] as const) {
  wg.setBackend(be);
  const x = wg.tensor(xs, { requiresGrad: true });
  const y = f(x);
  out[be] = Array.from(y.data());
  y.sum().backward();
  out[`${be}Grad`] = Array.from(x.grad!.data());
}
const text = JSON.stringify({ name, order, ...out }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
const py = fileURLToPath(new URL('./special-accuracy.py', import.meta.url));
process.stdout.write(execFileSync('/usr/bin/python3', [py], { input: text, encoding: 'utf8' }));
