// Elementwise kernels: unary maps and broadcasting binary ops.
// An op is a class of @inline methods, passed as a type argument; `changetype<Op>(0)` gives a
// null instance whose (static-dispatch, this-free) methods inline into the generic loops, so each
// op compiles to its own tight loop with no call or allocation.
import { GIN, GOUT, IN, numel, OUT, param, ptr } from '../record';

// ---- broadcast iteration (params: [rank, shape[rank], stridesA[rank], stridesB[rank]]) ----
// The plan is collapsed (src/ops/broadcast.ts), so the innermost dim is as long as possible;
// each outer row's offsets are found by dividing the row index by the outer dims.

// @ts-ignore: decorator
@inline function rowOffset(rec: usize, row: i32, which: i32): usize {
  const rank = param(rec, 0);
  let off: usize = 0;
  let r = row;
  for (let k = rank - 2; k >= 0; k--) {
    const d = param(rec, 1 + k);
    off += <usize>((r % d) * param(rec, 1 + rank * (which + 1) + k));
    r /= d;
  }
  return off;
}

// @ts-ignore: decorator
@inline function binaryFwd<Op>(rec: usize): void {
  const op = changetype<Op>(0);
  const o = ptr(rec, OUT), a = ptr(rec, IN), b = ptr(rec, IN + 1);
  const rank = param(rec, 0);
  const inner = param(rec, rank);
  const sa = param(rec, 2 * rank), sb = param(rec, 3 * rank);
  const rows = inner == 0 ? 0 : numel(rec) / inner;
  for (let row = 0; row < rows; row++) {
    const pa = a + (rowOffset(rec, row, 0) << 2), pb = b + (rowOffset(rec, row, 1) << 2);
    const po = o + ((<usize>row * inner) << 2);
    let i = 0;
    if (sa == 1 && sb == 1) {
      for (; i + 4 <= inner; i += 4) {
        const j = <usize>i << 2;
        v128.store(po + j, op.v(v128.load(pa + j), v128.load(pb + j)));
      }
    } else if (sa == 1 && sb == 0) {
      const vb = v128.load32_splat(pb);
      for (; i + 4 <= inner; i += 4) v128.store(po + (<usize>i << 2), op.v(v128.load(pa + (<usize>i << 2)), vb));
    } else if (sa == 0 && sb == 1) {
      const va = v128.load32_splat(pa);
      for (; i + 4 <= inner; i += 4) v128.store(po + (<usize>i << 2), op.v(va, v128.load(pb + (<usize>i << 2))));
    }
    for (; i < inner; i++) {
      store<f32>(po + (<usize>i << 2), op.f(load<f32>(pa + (<usize>(i * sa) << 2)), load<f32>(pb + (<usize>(i * sb) << 2))));
    }
  }
}

// Backward: each output element adds its contribution into the input element it came from; a
// broadcast input (stride 0) so receives the sum over the broadcast dims (un-broadcasting).
// GIN buffers may alias (x * x): every update is a separate load-add-store.
// @ts-ignore: decorator
@inline function binaryBwd<Op>(rec: usize): void {
  const op = changetype<Op>(0);
  const o = ptr(rec, OUT), a = ptr(rec, IN), b = ptr(rec, IN + 1);
  const g = ptr(rec, GOUT), ga = ptr(rec, GIN), gb = ptr(rec, GIN + 1);
  const rank = param(rec, 0);
  const inner = param(rec, rank);
  const sa = param(rec, 2 * rank), sb = param(rec, 3 * rank);
  const rows = inner == 0 ? 0 : numel(rec) / inner;
  for (let row = 0; row < rows; row++) {
    const offA = rowOffset(rec, row, 0) << 2, offB = rowOffset(rec, row, 1) << 2;
    const base = (<usize>row * inner) << 2;
    for (let i = 0; i < inner; i++) {
      const ja = offA + (<usize>(i * sa) << 2), jb = offB + (<usize>(i * sb) << 2), j = base + (<usize>i << 2);
      const x = load<f32>(a + ja), y = load<f32>(b + jb), z = load<f32>(o + j), gz = load<f32>(g + j);
      if (ga) store<f32>(ga + ja, load<f32>(ga + ja) + gz * op.da(x, y, z));
      if (gb) store<f32>(gb + jb, load<f32>(gb + jb) + gz * op.db(x, y, z));
    }
  }
}

// ---- unary ---------------------------------------------------------------------------------
// @ts-ignore: decorator
@inline function unaryFwd<Op>(rec: usize): void {
  const op = changetype<Op>(0);
  const o = ptr(rec, OUT), x = ptr(rec, IN);
  const n = numel(rec);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(o + (<usize>i << 2), op.v(v128.load(x + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(o + (<usize>i << 2), op.f(load<f32>(x + (<usize>i << 2))));
}

// @ts-ignore: decorator
@inline function unaryBwd<Op>(rec: usize): void {
  const op = changetype<Op>(0);
  const o = ptr(rec, OUT), x = ptr(rec, IN), g = ptr(rec, GOUT), gx = ptr(rec, GIN);
  if (gx == 0) return;
  const n = numel(rec);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const j = <usize>i << 2;
    v128.store(gx + j, f32x4.add(v128.load(gx + j), f32x4.mul(v128.load(g + j), op.vd(v128.load(x + j), v128.load(o + j)))));
  }
  for (; i < n; i++) {
    const j = <usize>i << 2;
    store<f32>(gx + j, load<f32>(gx + j) + load<f32>(g + j) * op.d(load<f32>(x + j), load<f32>(o + j)));
  }
}

// ---- ops -----------------------------------------------------------------------------------
class Add {
  @inline f(a: f32, b: f32): f32 { return a + b; }
  @inline v(a: v128, b: v128): v128 { return f32x4.add(a, b); }
  @inline da(a: f32, b: f32, y: f32): f32 { return 1; }
  @inline db(a: f32, b: f32, y: f32): f32 { return 1; }
}
export function f32_add_fwd(rec: usize): void { binaryFwd<Add>(rec); }
export function f32_add_bwd(rec: usize): void { binaryBwd<Add>(rec); }

class Mul {
  @inline f(a: f32, b: f32): f32 { return a * b; }
  @inline v(a: v128, b: v128): v128 { return f32x4.mul(a, b); }
  @inline da(a: f32, b: f32, y: f32): f32 { return b; }
  @inline db(a: f32, b: f32, y: f32): f32 { return a; }
}
export function f32_mul_fwd(rec: usize): void { binaryFwd<Mul>(rec); }
export function f32_mul_bwd(rec: usize): void { binaryBwd<Mul>(rec); }

class Relu {
  // NaN propagates as in PyTorch: both forms keep x unless x < 0. pmax(x, 0) is one maxps.
  @inline f(x: f32): f32 { return x < 0 ? 0 : x; }
  @inline v(x: v128): v128 { return f32x4.pmax(x, f32x4.splat(0)); }
  @inline d(x: f32, y: f32): f32 { return x > 0 ? 1 : 0; }
  @inline vd(x: v128, y: v128): v128 { return v128.and(f32x4.gt(x, f32x4.splat(0)), f32x4.splat(1)); }
}
export function f32_relu_fwd(rec: usize): void { unaryFwd<Relu>(rec); }
export function f32_relu_bwd(rec: usize): void { unaryBwd<Relu>(rec); }
