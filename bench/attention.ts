// Fused attention (the `attention` op) against the composite path (matmul, scale, causal mask
// tensor, softmax, matmul) and PyTorch on one thread: forward + backward of causal
// scaledDotProductAttention, compiled steps timed in interleaved rounds by CPU time
// (bench/cpu-rounds.ts), plus the fused forward alone (how much a flash-style recompute of P in
// backward could cost at most: the whole forward again).
//
//   npx tsx bench/attention.ts [--rounds=N] [--steps=N] [--no-torch]   (WASMGRAD_WASM: another build)
//
// Shapes: W7 (char-GPT: batch 16, 4 heads, L = S = 32, head dim 16) and a longer one (B·H = 8,
// L = S = 256, E = 64). PyTorch 1.13 has no F.scaled_dot_product_attention: its step is the same
// maths written out (softmax(q·kᵀ·scale + triu(−∞, 1))·v), run by /usr/bin/python3 when it has
// torch (skipped with a note otherwise).
// Debian's python3-torch 1.13 is built with BLAS_INFO=generic (no MKL/OpenBLAS GEMM: its batched
// q·kᵀ at B·H = 8, L = 256, E = 64 took 11.7 ms here, ~6 GFLOP/s), so it is a slow peer.
import { execFileSync } from 'node:child_process';
import * as wg from '../src/index.js';
import { causalMask } from '../src/api/attention.js';
import { cpuRounds, median } from './cpu-rounds.js';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const ROUNDS = arg('rounds', 21),
  STEPS = arg('steps', 20);

const SHAPES = [
  { name: 'W7 16×4 heads, L=S=32, E=16', q: [16, 4, 32, 16] },
  { name: 'B·H=8, L=S=256, E=64', q: [8, 256, 64] },
];

type Attn = (q: wg.Tensor, k: wg.Tensor, v: wg.Tensor) => wg.Tensor;
const fused: Attn = (q, k, v) => wg.scaledDotProductAttention(q, k, v, { isCausal: true });
const composite: Attn = (q, k, v) => {
  const [L, E] = q.shape.slice(-2);
  const s = wg
    .matmul(q, k, { transposeB: true })
    .mul(1 / Math.sqrt(E))
    .add(causalMask(L, L));
  return wg.matmul(s.softmax(-1), v);
};

/** A compiled step: attention of q, k, v (leaves) and, unless forwardOnly, backward of Σ y ⊙ w. */
function step(shape: number[], attn: Attn, forwardOnly = false): () => void {
  wg.manualSeed(1);
  const [q, k, v] = [0, 1, 2].map(() => wg.randn(shape, { requiresGrad: !forwardOnly }));
  const w = wg.randn(shape);
  const f = wg.compile(() => {
    for (const t of [q, k, v]) t.grad = null;
    const loss = attn(q, k, v).mul(w).sum();
    if (!forwardOnly) loss.backward();
    return loss;
  });
  return () => void f();
}

const TORCH = `
import sys, time, math, torch
torch.set_num_threads(1)
shape, steps, rounds = [int(s) for s in sys.argv[1].split(',')], int(sys.argv[2]), int(sys.argv[3])
torch.manual_seed(1)
q, k, v = (torch.randn(shape, requires_grad=True) for _ in range(3))
w = torch.randn(shape)
L, E = shape[-2], shape[-1]
mask = torch.triu(torch.full((L, L), float('-inf')), 1)
def step():
    for t in (q, k, v): t.grad = None
    y = torch.softmax(q @ k.transpose(-1, -2) * (1 / math.sqrt(E)) + mask, -1) @ v
    (y * w).sum().backward()
for _ in range(steps): step()
times = []
for _ in range(rounds):
    t0 = time.process_time()
    for _ in range(steps): step()
    times.append((time.process_time() - t0) * 1000 / steps)
times.sort()
print(times[len(times) // 2])
`;

function torchMs(shape: number[]): number | null {
  if (process.argv.includes('--no-torch')) return null;
  try {
    return Number(execFileSync('/usr/bin/python3', ['-c', TORCH, shape.join(','), String(STEPS), String(ROUNDS)], { encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
}

await wg.init({ wasm: process.env.WASMGRAD_WASM ?? new URL('../build/wasmgrad.wasm', import.meta.url).pathname });
for (const s of SHAPES) {
  const times = cpuRounds([step(s.q, fused), step(s.q, composite), step(s.q, fused, true)], STEPS, ROUNDS);
  const [f, c, fwd] = times.map(median);
  const ratio = median(times[1].map((t, r) => t / times[0][r]));
  const torch = torchMs(s.q);
  console.log(
    `${s.name}: fused ${f.toFixed(3)} ms, composite ${c.toFixed(3)} ms (composite / fused ${ratio.toFixed(2)}), ` +
      `fused forward alone ${fwd.toFixed(3)} ms (${((100 * fwd) / f).toFixed(0)}% of forward + backward), ` +
      (torch === null
        ? 'PyTorch: not run (no /usr/bin/python3 with torch, or --no-torch)'
        : `PyTorch 1 thread ${torch.toFixed(3)} ms (PyTorch / fused ${(torch / f).toFixed(2)})`),
  );
}
