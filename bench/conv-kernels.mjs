// conv2d kernel timings on the LeNet-5 layers at batch 32 (W4), and on grouped and depthwise
// layers (MobileNet-like 3×3 depthwise, groups = channels), through the public eager API:
// forward alone (under noGrad), and forward + backward with gradients for the input, the weight
// and the bias (the gradients are cleared each step as zeroGrad does, so backward allocates them
// fresh, as in training). Prints the median over rounds of µs per call and GFLOP/s, counting
// 2·N·O·OH·OW·(C/groups)·kh·kw flops for the forward and twice that for the backward (input + weight
// gradients; padding taps included, as the GEMM computes them).
//   node bench/conv-kernels.mjs [--rounds=9] [--ms=150]
//   WASMGRAD_DIST=./bench/.wg-NAME/index.js node bench/conv-kernels.mjs   (a private build)
import { loadWasmgrad } from './runner-wasmgrad.mjs';

const arg = (name, dflt) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const ROUNDS = arg('rounds', 9),
  ROUND_MS = arg('ms', 150);

const LAYERS = [
  { name: 'conv1 1→6 5×5 pad 2, 28×28', n: 32, c: 1, h: 28, o: 6, k: 5, pad: 2 },
  { name: 'conv2 6→16 5×5, 14×14', n: 32, c: 6, h: 14, o: 16, k: 5, pad: 0 },
  { name: 'depthwise 32 3×3 pad 1, 56×56, batch 8', n: 8, c: 32, h: 56, o: 32, k: 3, pad: 1, groups: 32 },
  { name: 'depthwise 128 3×3 pad 1, 14×14, batch 8', n: 8, c: 128, h: 14, o: 128, k: 3, pad: 1, groups: 128 },
  { name: 'depthwise 64 3×3 stride 2 pad 1, 28×28, batch 8', n: 8, c: 64, h: 28, o: 64, k: 3, pad: 1, groups: 64, stride: 2 },
  { name: 'groups 4, 64→64 3×3 pad 1, 28×28, batch 8', n: 8, c: 64, h: 28, o: 64, k: 3, pad: 1, groups: 4 },
];

/** Median µs per call of fn over ROUNDS rounds of ~ROUND_MS each, after a warm-up round. */
function time(fn) {
  let reps = 1;
  for (let t0 = performance.now(); performance.now() - t0 < ROUND_MS; reps++) fn();
  const per = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    per.push(((performance.now() - t0) * 1000) / reps);
  }
  per.sort((a, b) => a - b);
  return { median: per[ROUNDS >> 1], min: per[0], max: per[ROUNDS - 1] };
}

const wg = await loadWasmgrad();
wg.manualSeed(1);
console.log(`conv2d, eager, median of ${ROUNDS} rounds of ~${ROUND_MS} ms (min–max in brackets)`);
for (const L of LAYERS) {
  const groups = L.groups ?? 1,
    stride = L.stride ?? 1;
  // Only the options a layer sets, so that builds without groups can run the LeNet layers (bench/versus-style A/B).
  const opts = { padding: L.pad, ...(groups > 1 && { groups }), ...(stride > 1 && { stride }) };
  const oh = Math.floor((L.h + 2 * L.pad - L.k) / stride) + 1;
  const x = wg.randn([L.n, L.c, L.h, L.h], { requiresGrad: true });
  const w = wg.randn([L.o, L.c / groups, L.k, L.k], { requiresGrad: true });
  const b = wg.randn([L.o], { requiresGrad: true });
  const g = wg.randn([L.n, L.o, oh, oh]);
  const fwdFlops = (2 * L.n * L.o * oh * oh * L.c * L.k * L.k) / groups;
  const fwd = time(() => wg.noGrad(() => void wg.conv2d(x, w, b, opts)));
  const step = time(() => {
    wg.conv2d(x, w, b, opts).backward(g);
    x.grad = null;
    w.grad = null;
    b.grad = null;
  });
  const fmt = (t, flops) => `${t.median.toFixed(1)} µs [${t.min.toFixed(1)}–${t.max.toFixed(1)}], ${(flops / t.median / 1e3).toFixed(1)} GFLOP/s`;
  console.log(`${L.name}:  fwd ${fmt(fwd, fwdFlops)}  |  fwd+bwd ${fmt(step, 3 * fwdFlops)}`);
}
