// SIMD peak probes (AssemblyScript, compiled by bench/run.mjs with the repo's asc into
// bench/.build/peak.wasm). Each returns a value depending on every accumulator, so nothing is
// dead code; the JS side counts 64 flops (8 f32x4 mul+add) per iteration.

/** Scratch in linear memory for the `l1kernel` probe: a packed A panel [k][4] and B panel [k][8]. */
const K: i32 = 256;
const A_BYTES: i32 = K * 4 * 4;
const B_BYTES: i32 = K * 8 * 4;

/** Fills the packed panels (call once before `l1kernel`). Returns the bytes used. */
export function setup(): i32 {
  const need = A_BYTES + B_BYTES + 64;
  const pages = (need + 65535) >> 16;
  if (memory.size() < pages) memory.grow(pages - memory.size());
  for (let i: i32 = 0; i < (A_BYTES + B_BYTES) >> 2; i++) store<f32>(64 + (i << 2), <f32>(i % 7) * 0.001 + 0.5);
  return need;
}

/**
 * Eight independent accumulators in registers, acc_ij += x_i · y_j (4 x, 2 y), with both y advanced
 * by one add per iteration so the products cannot be hoisted: 8 mul + 10 add per iteration, 15
 * live xmm (no spills on x64), no memory traffic.
 */
export function regs(iters: i32): f32 {
  let a0 = f32x4.splat(0),
    a1 = f32x4.splat(0),
    a2 = f32x4.splat(0),
    a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0),
    a5 = f32x4.splat(0),
    a6 = f32x4.splat(0),
    a7 = f32x4.splat(0);
  const x0 = f32x4.splat(1.0),
    x1 = f32x4.splat(1.1),
    x2 = f32x4.splat(1.2),
    x3 = f32x4.splat(1.3);
  let y0 = f32x4.splat(1e-3),
    y1 = f32x4.splat(2e-3);
  const d = f32x4.splat(1e-9);
  for (let i: i32 = 0; i < iters; i++) {
    a0 = f32x4.add(a0, f32x4.mul(x0, y0));
    a1 = f32x4.add(a1, f32x4.mul(x0, y1));
    a2 = f32x4.add(a2, f32x4.mul(x1, y0));
    a3 = f32x4.add(a3, f32x4.mul(x1, y1));
    a4 = f32x4.add(a4, f32x4.mul(x2, y0));
    a5 = f32x4.add(a5, f32x4.mul(x2, y1));
    a6 = f32x4.add(a6, f32x4.mul(x3, y0));
    a7 = f32x4.add(a7, f32x4.mul(x3, y1));
    y0 = f32x4.add(y0, d);
    y1 = f32x4.add(y1, d);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

/**
 * The 4×8 GEMM micro-kernel's arithmetic on L1-resident packed panels: per iteration two
 * v128.load of B, four load32_splat of A, eight mul+add into eight accumulators (14 xmm live).
 * This is the ceiling of the kernel shape the library uses, with no packing and no edges.
 */
export function l1kernel(iters: i32): f32 {
  let c00 = f32x4.splat(0),
    c01 = f32x4.splat(0),
    c10 = f32x4.splat(0),
    c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0),
    c21 = f32x4.splat(0),
    c30 = f32x4.splat(0),
    c31 = f32x4.splat(0);
  const base: usize = 64;
  let done: i32 = 0;
  while (done < iters) {
    const n = min(K, iters - done);
    let pa: usize = base,
      pb: usize = base + <usize>A_BYTES;
    for (let k: i32 = 0; k < n; k++) {
      const b0 = v128.load(pb),
        b1 = v128.load(pb, 16);
      const x0 = v128.load32_splat(pa),
        x1 = v128.load32_splat(pa, 4),
        x2 = v128.load32_splat(pa, 8),
        x3 = v128.load32_splat(pa, 12);
      c00 = f32x4.add(c00, f32x4.mul(x0, b0));
      c01 = f32x4.add(c01, f32x4.mul(x0, b1));
      c10 = f32x4.add(c10, f32x4.mul(x1, b0));
      c11 = f32x4.add(c11, f32x4.mul(x1, b1));
      c20 = f32x4.add(c20, f32x4.mul(x2, b0));
      c21 = f32x4.add(c21, f32x4.mul(x2, b1));
      c30 = f32x4.add(c30, f32x4.mul(x3, b0));
      c31 = f32x4.add(c31, f32x4.mul(x3, b1));
      pa += 16;
      pb += 32;
    }
    done += n;
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c00, c01), f32x4.add(c10, c11)), f32x4.add(f32x4.add(c20, c21), f32x4.add(c30, c31)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
