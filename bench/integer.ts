// int32 kernels vs their float32 counterparts: the int32 ops (src/ops/integer.ts) are scalar
// loops, the float32 elementwise ops SIMD; this measures what that costs per element on tensors
// large enough that the call overhead does not count, interleaved in rounds so that machine
// noise hits all alike.
//
//   npx tsx bench/integer.ts [--rounds=N] [--n=N]      (WASMGRAD_WASM: another build)
//
// Printed per op: the median time of one call over the rounds (ms) and ns per element.
import * as wg from '../src/index.js';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const ROUNDS = arg('rounds', 31),
  N = arg('n', 1 << 20),
  CALLS = 10;

await wg.init();
wg.manualSeed(0);
const fa = wg.randn([N]),
  fb = wg.randn([N]);
const ia = wg.randint(-1000, 1000, [N]),
  ib = wg.randint(1, 1000, [N]);

const CASES: [string, () => wg.Tensor][] = [
  ['float32 add (SIMD)', () => fa.add(fb)],
  ['int32 add', () => ia.add(ib)],
  ['float32 gt (SIMD)', () => fa.gt(fb)],
  ['int32 gt', () => ia.gt(ib)],
  ['int32 floorDivide', () => ia.floorDivide(ib)],
  ['int32 → float32', () => ia.float()],
  ['float32 → int32', () => fa.int()],
  ['logicalAnd', () => wg.logicalAnd(fa, fb)],
];

const times = CASES.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++)
  CASES.forEach(([, f], k) => {
    wg.noGrad(() => {
      const t0 = performance.now();
      for (let c = 0; c < CALLS; c++) f();
      times[k].push((performance.now() - t0) / CALLS);
    });
  });
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
console.log(`n = ${N}, ${ROUNDS} rounds of ${CALLS} calls, ${wg.info().build} build`);
CASES.forEach(([name], k) => {
  const ms = median(times[k]);
  console.log(`${name.padEnd(22)} ${ms.toFixed(3)} ms  ${((ms * 1e6) / N).toFixed(2)} ns/element`);
});
