// Accuracy, not speed: one wg.special function against torch 1.13 in float64 (and torch's own
// float32 against the same), on 20,001 evenly spaced float32 points of [lo, hi]; two-argument
// functions take a fixed first argument (zeta's x, gammainc's a) or second (xlog1py's y, a
// polynomial's n). Prints |error|/max(|y|, 1), the median and 99th-percentile relative error and the
// non-finite mismatches, for values and (where torch has one) the gradient. The README's wg.special
// figures come from here.
//
//   npx tsx bench/special-namespace-accuracy.ts logNdtr -40 6     (needs /usr/bin/python3 with torch)
//   npx tsx bench/special-namespace-accuracy.ts gammainc 0 200 100
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as wg from '../src/index.js';

const [name, lo, hi, other] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
const f = (wg.special as Record<string, unknown>)[name] as ((...a: wg.Tensor[]) => wg.Tensor) | undefined;
if (f === undefined || !(lo < hi)) throw new Error('special-namespace-accuracy: <wg.special name> <lo> <hi> [other argument]');
/** Functions whose fixed argument comes first (the grid is their second). */
const gridSecond = ['zeta', 'gammainc', 'gammaincc'].includes(name);
await wg.init();
const n = 20001;
const xs = Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
const out: Record<string, unknown> = { name, gridSecond, x: Array.from(xs), other: other === undefined ? null : Number(other) };
for (const be of ['wasm', 'reference'] as const) {
  wg.setBackend(be);
  const x = wg.tensor(xs, { requiresGrad: true });
  const fixed = other === undefined ? [] : [wg.full([n], Number(other))];
  const y = f(...(gridSecond ? [...fixed, x] : [x, ...fixed]));
  out[be] = Array.from(y.data());
  if (y.requiresGrad) {
    y.sum().backward();
    out[`${be}Grad`] = Array.from(x.grad!.data());
  }
}
const text = JSON.stringify(out, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
const py = fileURLToPath(new URL('./special-namespace-accuracy.py', import.meta.url));
process.stdout.write(execFileSync('/usr/bin/python3', [py], { input: text, encoding: 'utf8', maxBuffer: 1 << 30 }));
