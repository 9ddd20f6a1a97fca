// G1: SGEMM throughput (ours and peers) and the SIMD mul+add peak probe of bench/peak.ts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Compiles bench/peak.ts with the repo's AssemblyScript (root devDependency) when out of date. */
export function buildPeak() {
  const src = path.join(here, 'peak.ts');
  const out = path.join(here, '.build', 'peak.wasm');
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const asc = path.join(here, '..', 'node_modules', '.bin', process.platform === 'win32' ? 'asc.cmd' : 'asc');
  if (!fs.existsSync(asc)) throw new Error(`peak probe: ${asc} not found (run npm install at the repo root first)`);
  // Run from bench/ so the repo's asconfig.json (the library's targets) is not picked up.
  execFileSync(asc, ['peak.ts', '--runtime', 'stub', '--enable', 'simd', '-O3', '--noAssert', '-o', out], {
    cwd: here,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return out;
}

/** The peak probes: { name: (iters) => void }, 64 flops per iteration each. */
export async function loadPeak() {
  const file = buildPeak();
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(file), {
    env: {
      abort() {
        throw new Error('peak probe aborted');
      },
    },
  });
  instance.exports.setup();
  return {
    'regs (8 acc, operands in registers)': (n) => instance.exports.regs(n),
    'l1 4×8 (8 acc, loads from L1, as the GEMM micro-kernel)': (n) => instance.exports.l1kernel(n),
  };
}

export const FORMS = [
  { id: 'AB', label: 'A·B' },
  { id: 'ABt', label: 'A·Bᵀ' },
  { id: 'AtB', label: 'Aᵀ·B' },
];

/**
 * wasmgrad GEMM: matmul of contiguous persistent tensors. The transposed forms pass matmul's
 * transposeA / transposeB flags: the GEMM reads the operand with swapped strides while packing, no
 * copy is made. (A build without the flags, i.e. without wg.linear, falls back to a transpose copy.)
 */
export function wasmgradGemm(wg, n, form) {
  const a = wg.randn([n, n]),
    b = wg.randn([n, n]);
  const flags = typeof wg.linear === 'function';
  const f =
    form === 'AB'
      ? () => a.matmul(b)
      : form === 'ABt'
        ? flags
          ? () => a.matmul(b, { transposeB: true })
          : () => a.matmul(b.transpose())
        : flags
          ? () => a.matmul(b, { transposeA: true })
          : () => a.transpose().matmul(b);
  // noGrad recycles what fn makes when it returns: no growth over repeats.
  return {
    run: () =>
      wg.noGrad(() => {
        f();
      }),
  };
}

/** The footnote of the transposed forms in the G1 table (wg: the measured build). */
export function gemmFootnote(wg) {
  const ours =
    typeof wg.linear === 'function'
      ? 'wasmgrad: `a.matmul(b, { transposeB: true })` / `a.matmul(b, { transposeA: true })`: the GEMM reads the transposed operand in place (its packing swaps strides), no copy'
      : 'wasmgrad: `a.matmul(b.transpose())` / `a.transpose().matmul(b)` (this build has no transpose flags): a strided transpose copy, then the GEMM, copy time included';
  return `\\* ${ours}. GFLOP/s counts 2n³ per product. Peers: tfjs-wasm \`tf.matMul(a, b, transposeA, transposeB)\`; jax-js \`jit(matmul)\` with \`.transpose()\` fused, plus a \`dataSync()\` of the result.`;
}
