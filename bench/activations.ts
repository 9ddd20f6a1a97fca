// Activation kernels: forward + backward time of each activation on one tensor through the public
// eager API (y = f(x); y.sum().backward()), relu as the floor, silu as the composite it is
// (sigmoid, mul), and two float64 lane-by-lane maps of the math library (sin, atan2) for scale.
// Cases rotate inside each round, so machine load hits all alike; prints the fastest and the
// 10th-percentile time per call (on a loaded machine the low end is what the kernel costs).
//
//   npx tsx bench/activations.ts [--rounds=N] [--rows=N]      (WASMGRAD_WASM: another build)
import * as wg from '../src/index.js';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const ROUNDS = arg('rounds', 41),
  ROWS = arg('rows', 256),
  COLS = 1024;

const CASES: [string, (t: wg.Tensor) => wg.Tensor][] = [
  ['relu', (t) => t.relu()],
  ['gelu', (t) => t.gelu()],
  ["gelu({approximate: 'tanh'})", (t) => t.gelu({ approximate: 'tanh' })],
  ['silu (composite)', (t) => t.silu()],
  ['mish', (t) => t.mish()],
  ['elu', (t) => t.elu()],
  ['selu', (t) => t.selu()],
  ['celu', (t) => t.celu()],
  ['logsigmoid', (t) => t.logsigmoid()],
  ['softplus', (t) => t.softplus()],
  ['hardswish', (t) => t.hardswish()],
  ['hardtanh', (t) => t.hardtanh()],
  ['sin (float64 lanes)', (t) => t.sin()],
  ['atan2 (float64 lanes)', (t) => t.atan2(t)],
];

await wg.init({ wasm: process.env.WASMGRAD_WASM ?? new URL('../build/wasmgrad.wasm', import.meta.url).pathname });
wg.manualSeed(1);
const x = wg.randn([ROWS, COLS]).keep();
const times = CASES.map((): number[] => []);
for (let r = 0; r < ROUNDS; r++)
  CASES.forEach(([, f], k) => {
    const leaf = x.detach();
    leaf.requiresGrad = true;
    const t0 = performance.now();
    f(leaf).sum().backward();
    times[k].push(performance.now() - t0);
  });
console.log(`forward + backward on [${ROWS}, ${COLS}] (${ROWS * COLS} elements), ${ROUNDS} rounds: ms per call, fastest / 10th percentile`);
CASES.forEach(([name], k) => {
  const t = times[k].sort((a, b) => a - b);
  console.log(`${name.padEnd(30)} ${t[0].toFixed(2).padStart(7)} ${t[Math.floor(ROUNDS / 10)].toFixed(2).padStart(7)}`);
});
