// fold (col2im, a grouped convTranspose2d with one-hot taps: C·kh·kw multiply-adds per output
// position and tap) against unfold (im2col, one strided copy whose backward adds the same blocks
// back), forward + backward each, eager, in interleaved rounds of CPU time (bench/cpu-rounds.ts).
// unfold's backward is exactly fold's forward, so the ratio shows what the convolution costs over
// a copy-based col2im.
//
//   npx tsx bench/fold.ts [--rounds=N] [--steps=N] [--n=8] [--c=16] [--hw=32] [--k=3]
import * as wg from '../src/index.js';
import { cpuRounds, median } from './cpu-rounds.js';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const [ROUNDS, STEPS, N, C, HW, K] = [arg('rounds', 21), arg('steps', 5), arg('n', 8), arg('c', 16), arg('hw', 32), arg('k', 3)];

await wg.init();
wg.manualSeed(0);
const x = wg.randn([N, C, HW, HW], { requiresGrad: true });
const cols = wg.randn([N, C * K * K, HW * HW], { requiresGrad: true });
const opts = { padding: (K - 1) / 2 };
const steps = [() => wg.unfold(x, K, opts).sum().backward(), () => wg.fold(cols, HW, K, opts).sum().backward()];
const [unfold, fold] = cpuRounds(steps, STEPS, ROUNDS);
const ratio = fold.map((f, r) => f / unfold[r]).sort((a, b) => a - b);
console.log(
  `x [${N}, ${C}, ${HW}, ${HW}], k ${K}: unfold ${median(unfold).toFixed(2)} ms, fold ${median(fold).toFixed(2)} ms (forward + backward, medians of ${ROUNDS} rounds)`,
);
console.log(
  `fold / unfold: ${ratio[ratio.length >> 1].toFixed(2)} (quartiles ${ratio[ratio.length >> 2].toFixed(2)}–${ratio[(3 * ratio.length) >> 2].toFixed(2)})`,
);
