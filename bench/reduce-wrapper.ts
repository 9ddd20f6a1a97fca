// What the composite wrapper of the public reductions costs per eager call: wg.sum over one dim
// (which applies the kernel op 'sumDims' directly), the composite 'sum' (plans, then launches the
// same kernel op) and the kernel op applied by hand, on a small tensor (where per-call overhead
// dominates) and a training-sized one, interleaved in rounds so that machine noise hits all alike.
// Printed: the median µs per call over rounds. Result in docs/internals.md ("Composite ops").
//
//   npx tsx bench/reduce-wrapper.ts [--rounds=N] [--calls=N]
import * as wg from '../src/index.js';
import { apply } from '../src/engine/engine.js';
import { op } from '../src/ops/index.js';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const ROUNDS = arg('rounds', 21),
  CALLS = arg('calls', 5000);

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

await wg.init();
for (const shape of [
  [8, 10],
  [256, 784],
]) {
  const x = wg.randn(shape);
  const ways: [string, () => unknown][] = [
    ['wg.sum(x, 1)', () => wg.sum(x, 1)],
    ["apply(op('sum'))", () => apply(op('sum'), [x], { dim: 1 })],
    ["apply(op('sumDims'))", () => apply(op('sumDims'), [x], { dim: 1 })],
  ];
  const times = ways.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++)
    ways.forEach(([, f], i) => {
      const t = performance.now();
      wg.noGrad(() => {
        for (let c = 0; c < CALLS; c++) f();
      });
      times[i].push(((performance.now() - t) / CALLS) * 1000);
    });
  console.log(`[${shape.join(', ')}]: ` + ways.map(([name], i) => `${name} ${median(times[i]).toFixed(2)} µs`).join(', '));
}
