// Elementwise kernels: unary maps, broadcasting binary ops and the ternary `where`.
// An op is a class of @inline methods, passed as a type argument; `changetype<Op>(0)` gives a
// null instance whose (static-dispatch, this-free) methods inline into the generic loops, so each
// op compiles to its own tight loop with no call or allocation.
//   unary op:  f(x, p, q) / v(x, p, q)            value, scalar / f32x4
//              d(x, y, p, q) / vd(x, y, p, q)     dy/dx from x and the saved output y
//              p, q: the op's float parameters (record P0, P1; unused ones are 0)
//   binary op: f(a, b) / v(a, b); da, db / vda, vdb (a, b, y): partial derivatives
// The vector forms are compiled only in the SIMD builds: every f32x4 loop sits in
// `if (ASC_FEATURE_SIMD)` and the scalar loop after it takes whatever is left (all of it without SIMD).
import { GIN, GOUT, IN, numel, OUT, overwrites, param, paramf, ptr } from '../record';
import { arenaAlloc } from '../arena';
import { BLOCK, expv, hsum, kahanAddAt, Lane1, Lane4, log1pv, logv, madd } from '../simd';
import { rowOffset } from '../strided';

// ---- broadcast iteration (params: [rank, shape[rank], strides of input 0[rank], of input 1, ...]) ----
// The plan is collapsed (src/ops/broadcast.ts), so the innermost dim is as long as possible, and
// every input's stride along it is 1 (contiguous) or 0 (one value for the whole row). Each outer
// row's offsets are found by dividing the row index by the outer dims.

/** Element offset of input `which`'s row: its strides follow the shape and earlier inputs' strides. */
@inline function operandRow(rec: usize, row: i32, which: i32): usize {
  return rowOffset(rec, row, 1 + param(rec, 0) * (which + 1));
}

@inline function innerLen(rec: usize): i32 {
  return param(rec, param(rec, 0));
}

@inline function rowCount(rec: usize): i32 {
  const inner = innerLen(rec);
  return inner == 0 ? 0 : numel(rec) / inner;
}

/** Stride of input `which` along the inner dim: 1 or 0. */
@inline function innerStride(rec: usize, which: i32): i32 {
  return param(rec, param(rec, 0) * (which + 2));
}

// How a kernel walks one input along a row, and (backward) how the input's gradient takes its
// shares. The access type of each input is chosen from its inner stride and passed as a type
// argument, so every stride pattern compiles to its own SIMD loop.
//  - Contig: contiguous; each share is its own load-add-store, so aliased GIN buffers (x * x) stay
//    right (inputs that alias have the output's shape, so they are never summed). The shares of a
//    summed input go into a row partial first (Summed.row).
//  - Bcast: one value for the whole row (stride 0); its shares are summed in registers over blocks
//    of BLOCK steps and each block's sum is added once, with compensation when the input is summed.
// Gradient methods take the input's gradient g at this row (or its row partial), the compensation c
// at this row (c = 0: not summed; used by Bcast), the index i, the share and the running block sum,
// and return the new block sum.
class Contig {
  @inline elem(p: usize, i: i32): usize { return p + (<usize>i << 2); }
  @inline vec(p: usize, i: i32): v128 { return v128.load(p + (<usize>i << 2)); }
  /** Where the shares of the row at byte offset `off` of gradient g go; s: its Summed, or 0. */
  @inline gradRow(s: usize, g: usize, off: usize): usize { return s ? changetype<Summed>(s).row(off) : g + off; }
  @inline compRow(s: usize, off: usize): usize { return 0; }
  /** Adds d (set: writes it, the gradient being overwritten: see writes). */
  @inline addVec(g: usize, c: usize, i: i32, d: v128, sum: v128, set: bool): v128 {
    const q = g + (<usize>i << 2);
    v128.store(q, set ? d : f32x4.add(v128.load(q), d));
    return sum;
  }
  /** Adds a·b (one FMA in the relaxed build; set: writes a·b). */
  @inline maddVec(g: usize, c: usize, i: i32, a: v128, b: v128, sum: v128, set: bool): v128 {
    const q = g + (<usize>i << 2);
    v128.store(q, set ? f32x4.mul(a, b) : madd(a, b, v128.load(q)));
    return sum;
  }
  @inline add(g: usize, c: usize, i: i32, d: f32, sum: f32, set: bool): f32 {
    const q = g + (<usize>i << 2);
    store<f32>(q, set ? d : load<f32>(q) + d);
    return sum;
  }
  /** The end of a block: a Bcast input adds the block's sum into its gradient. */
  @inline flushVec(g: usize, c: usize, sum: v128): void {}
  @inline flush(g: usize, c: usize, sum: f32): void {}
}

class Bcast {
  @inline elem(p: usize, i: i32): usize { return p; }
  @inline vec(p: usize, i: i32): v128 { return v128.load32_splat(p); }
  @inline gradRow(s: usize, g: usize, off: usize): usize { return g + off; }
  @inline compRow(s: usize, off: usize): usize { return s ? changetype<Summed>(s).c + off : 0; }
  @inline addVec(g: usize, c: usize, i: i32, d: v128, sum: v128, set: bool): v128 { return f32x4.add(sum, d); }
  @inline maddVec(g: usize, c: usize, i: i32, a: v128, b: v128, sum: v128, set: bool): v128 { return madd(a, b, sum); }
  @inline add(g: usize, c: usize, i: i32, d: f32, sum: f32, set: bool): f32 { return sum + d; }
  @inline flushVec(g: usize, c: usize, sum: v128): void { this.flush(g, c, hsum(sum)); }
  @inline flush(g: usize, c: usize, sum: f32): void {
    if (c) kahanAddAt<Lane1, f32>(g, c, sum);
    else store<f32>(g, load<f32>(g) + sum);
  }
}

/**
 * Runs K's `run<A, B>(rec, sa, sb, wa, wb)` with A, B the access types of inputs `first` and
 * `first + 1`; sa, sb: their Summed gradients (0 when not summed, and in the forward kernels); wa,
 * wb: their gradients are written, not added into (writes; false in the forward kernels).
 */
@inline function withAccess<K>(rec: usize, first: i32, sa: usize, sb: usize, wa: bool, wb: bool): void {
  const k = changetype<K>(0);
  const a = innerStride(rec, first) != 0, b = innerStride(rec, first + 1) != 0;
  if (a && b) k.run<Contig, Contig>(rec, sa, sb, wa, wb);
  else if (a) k.run<Contig, Bcast>(rec, sa, sb, wa, wb);
  else if (b) k.run<Bcast, Contig>(rec, sa, sb, wa, wb);
  else k.run<Bcast, Bcast>(rec, sa, sb, wa, wb);
}

/**
 * Whether input `which`'s gradient is written rather than added into: the record overwrites it
 * (FLAG_OVERWRITE: a fresh buffer, not zero-filled) and the input has the output's shape, so each
 * element receives exactly one share. An overwritten gradient of a broadcast input, which receives
 * several, is cleared here and then summed into as usual.
 */
function writes(rec: usize, which: i32): bool {
  const gin = ptr(rec, GIN + which);
  if (gin == 0 || !overwrites(rec, which)) return false;
  const e = extent(rec, which);
  if (e == <usize>numel(rec) && innerStride(rec, which) != 0) return true;
  memory.fill(gin, 0, e << 2);
  return false;
}

// ---- un-broadcasting sums ------------------------------------------------------------------
// A broadcast input's gradient element receives numel / extent shares. From SUMMED_HITS shares on
// the input is *summed*: its partial sums join the gradient with Kahan compensation (one
// compensation word per element of the input, in the workspace); below, plain float32 adds of at
// most 7 terms are within 7u ≈ 4·10⁻⁷ of Σ|terms| already. src/ops/elementwise.ts (gradWorkspace)
// plans the workspace by the same rule.
const SUMMED_HITS: usize = 8;

/**
 * A summed input's gradient g, its compensations c and, for a contiguous input, a row partial p:
 * the shares of up to BLOCK consecutive rows at the same offset are added into p by the ordinary
 * contiguous loop (plain float32: a chain of at most 16 terms, see assembly/simd.ts), then p joins
 * g with compensation and is cleared. So the common bias-like case (every row at offset 0) costs
 * one compensated add per element per 16 rows, not per row.
 */
@unmanaged class Summed {
  g: usize;
  c: usize;
  p: usize;
  /** Bytes of a row. */
  bytes: usize;
  /** Byte offset (in g) of the rows held in p, and their number. */
  at: usize;
  rows: i32;

  /** p, for the shares of the row at byte offset `off`: flushed first if it holds BLOCK rows or other rows. */
  @inline row(off: usize): usize {
    if (this.rows == BLOCK || (this.rows != 0 && off != this.at)) this.flush();
    this.at = off;
    this.rows++;
    return this.p;
  }

  /** g += p with compensation; p = 0. */
  flush(): void {
    if (this.rows == 0) return;
    const g = this.g + this.at, c = this.c + this.at, p = this.p, n = this.bytes;
    let i: usize = 0;
    if (ASC_FEATURE_SIMD) for (; i + 16 <= n; i += 16) kahanAddAt<Lane4, v128>(g + i, c + i, v128.load(p + i));
    for (; i < n; i += 4) kahanAddAt<Lane1, f32>(g + i, c + i, load<f32>(p + i));
    memory.fill(p, 0, n);
    this.rows = 0;
  }
}

/** Elements of input `which`: the product of the dims it is not broadcast along. */
@inline function extent(rec: usize, which: i32): usize {
  const rank = param(rec, 0), at = 1 + rank * (which + 1);
  let e: usize = 1;
  for (let k = 0; k < rank; k++) if (param(rec, at + k) != 0) e *= <usize>param(rec, 1 + k);
  return e;
}

/** Input `which`'s Summed gradient (workspace, zeroed), or 0 when it has none or is not summed. */
function summed(rec: usize, which: i32, gin: usize): usize {
  const e = extent(rec, which);
  if (gin == 0 || <usize>numel(rec) < e * SUMMED_HITS) return 0;
  const s = changetype<Summed>(arenaAlloc(offsetof<Summed>()));
  s.g = gin;
  s.c = arenaAlloc(e << 2);
  memory.fill(s.c, 0, e << 2);
  s.bytes = <usize>innerLen(rec) << 2;
  s.p = innerStride(rec, which) ? arenaAlloc(s.bytes) : 0;
  if (s.p) memory.fill(s.p, 0, s.bytes);
  s.rows = 0;
  return changetype<usize>(s);
}

/** Adds what the row partial of a summed input still holds. */
@inline function finish(s: usize): void {
  if (s) changetype<Summed>(s).flush();
}

// ---- binary ops with broadcasting ----------------------------------------------------------
class BinaryFwd<Op> {
  @inline run<A, B>(rec: usize, sa: usize, sb: usize, wa: bool, wb: bool): void {
    const op = changetype<Op>(0), ka = changetype<A>(0), kb = changetype<B>(0);
    const o = ptr(rec, OUT), a = ptr(rec, IN), b = ptr(rec, IN + 1);
    const inner = innerLen(rec), rows = rowCount(rec);
    for (let row = 0; row < rows; row++) {
      const pa = a + (operandRow(rec, row, 0) << 2), pb = b + (operandRow(rec, row, 1) << 2);
      const po = o + ((<usize>row * inner) << 2);
      let i = 0;
      if (ASC_FEATURE_SIMD) for (; i + 4 <= inner; i += 4) v128.store(po + (<usize>i << 2), op.v(ka.vec(pa, i), kb.vec(pb, i)));
      for (; i < inner; i++) store<f32>(po + (<usize>i << 2), op.f(load<f32>(ka.elem(pa, i)), load<f32>(kb.elem(pb, i))));
    }
  }
}

// Backward: each output element adds its contribution into the input element it came from, so a
// broadcast input receives the sum over the broadcast dims (un-broadcasting). The row runs in blocks
// of BLOCK steps (f32x4, then single floats) so that a Bcast input's register sums stay short.
class BinaryBwd<Op> {
  @inline run<A, B>(rec: usize, sa: usize, sb: usize, wa: bool, wb: bool): void {
    const op = changetype<Op>(0), ka = changetype<A>(0), kb = changetype<B>(0);
    const o = ptr(rec, OUT), a = ptr(rec, IN), b = ptr(rec, IN + 1);
    const g = ptr(rec, GOUT), ga = ptr(rec, GIN), gb = ptr(rec, GIN + 1);
    const inner = innerLen(rec), rows = rowCount(rec);
    for (let row = 0; row < rows; row++) {
      const offA = operandRow(rec, row, 0) << 2, offB = operandRow(rec, row, 1) << 2;
      const base = (<usize>row * inner) << 2;
      const pa = a + offA, pb = b + offB, po = o + base, pg = g + base;
      const pga = ga ? ka.gradRow(sa, ga, offA) : 0, pgb = gb ? kb.gradRow(sb, gb, offB) : 0;
      const pca = ka.compRow(sa, offA), pcb = kb.compRow(sb, offB);
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        for (const body = inner & ~3; i < body; ) {
          const end = min(body, i + 4 * BLOCK);
          let va = f32x4.splat(0), vb = f32x4.splat(0);
          for (; i < end; i += 4) {
            const j = <usize>i << 2;
            const x = ka.vec(pa, i), y = kb.vec(pb, i), z = v128.load(po + j), gz = v128.load(pg + j);
            if (ga) va = ka.maddVec(pga, pca, i, gz, op.vda(x, y, z), va, wa);
            if (gb) vb = kb.maddVec(pgb, pcb, i, gz, op.vdb(x, y, z), vb, wb);
          }
          if (ga) ka.flushVec(pga, pca, va);
          if (gb) kb.flushVec(pgb, pcb, vb);
        }
      }
      while (i < inner) {
        const end = min(inner, i + BLOCK);
        let ta: f32 = 0, tb: f32 = 0;
        for (; i < end; i++) {
          const j = <usize>i << 2;
          const x = load<f32>(ka.elem(pa, i)), y = load<f32>(kb.elem(pb, i)), z = load<f32>(po + j), gz = load<f32>(pg + j);
          if (ga) ta = ka.add(pga, pca, i, gz * op.da(x, y, z), ta, wa);
          if (gb) tb = kb.add(pgb, pcb, i, gz * op.db(x, y, z), tb, wb);
        }
        if (ga) ka.flush(pga, pca, ta);
        if (gb) kb.flush(pgb, pcb, tb);
      }
    }
    finish(sa);
    finish(sb);
  }
}

@inline export function binaryFwd<Op>(rec: usize): void { withAccess<BinaryFwd<Op>>(rec, 0, 0, 0, false, false); }
@inline export function binaryBwd<Op>(rec: usize): void {
  const wa = writes(rec, 0), wb = writes(rec, 1);
  withAccess<BinaryBwd<Op>>(rec, 0, summed(rec, 0, ptr(rec, GIN)), summed(rec, 1, ptr(rec, GIN + 1)), wa, wb);
}

// ---- where(cond, a, b): the same iteration over three inputs --------------------------------
// Inputs 1, 2 (a, b) go through withAccess; the condition's access type C is a class parameter.
// cond ≠ 0 is true (NaN too, as in PyTorch's bool(NaN)).
class WhereFwd<C> {
  @inline run<A, B>(rec: usize, sa: usize, sb: usize, wa: bool, wb: bool): void {
    const kc = changetype<C>(0), ka = changetype<A>(0), kb = changetype<B>(0);
    const o = ptr(rec, OUT), c = ptr(rec, IN), a = ptr(rec, IN + 1), b = ptr(rec, IN + 2);
    const inner = innerLen(rec), rows = rowCount(rec);
    for (let row = 0; row < rows; row++) {
      const pc = c + (operandRow(rec, row, 0) << 2), pa = a + (operandRow(rec, row, 1) << 2), pb = b + (operandRow(rec, row, 2) << 2);
      const po = o + ((<usize>row * inner) << 2);
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        for (; i + 4 <= inner; i += 4) {
          const m = f32x4.ne(kc.vec(pc, i), f32x4.splat(0));
          v128.store(po + (<usize>i << 2), v128.bitselect(ka.vec(pa, i), kb.vec(pb, i), m));
        }
      }
      for (; i < inner; i++) {
        const t = load<f32>(kc.elem(pc, i)) != 0;
        store<f32>(po + (<usize>i << 2), load<f32>(t ? ka.elem(pa, i) : kb.elem(pb, i)));
      }
    }
  }
}

// The output gradient goes to a where cond holds and to b elsewhere (none to cond); blocks as in
// BinaryBwd.
class WhereBwd<C> {
  @inline run<A, B>(rec: usize, sa: usize, sb: usize, wa: bool, wb: bool): void {
    const kc = changetype<C>(0), ka = changetype<A>(0), kb = changetype<B>(0);
    const c = ptr(rec, IN), g = ptr(rec, GOUT), ga = ptr(rec, GIN + 1), gb = ptr(rec, GIN + 2);
    const inner = innerLen(rec), rows = rowCount(rec);
    for (let row = 0; row < rows; row++) {
      const offA = operandRow(rec, row, 1) << 2, offB = operandRow(rec, row, 2) << 2;
      const pc = c + (operandRow(rec, row, 0) << 2), pg = g + ((<usize>row * inner) << 2);
      const pga = ga ? ka.gradRow(sa, ga, offA) : 0, pgb = gb ? kb.gradRow(sb, gb, offB) : 0;
      const pca = ka.compRow(sa, offA), pcb = kb.compRow(sb, offB);
      let i = 0;
      if (ASC_FEATURE_SIMD) {
        for (const body = inner & ~3; i < body; ) {
          const end = min(body, i + 4 * BLOCK);
          let va = f32x4.splat(0), vb = f32x4.splat(0);
          for (; i < end; i += 4) {
            const m = f32x4.ne(kc.vec(pc, i), f32x4.splat(0)), gz = v128.load(pg + (<usize>i << 2));
            if (ga) va = ka.addVec(pga, pca, i, v128.and(gz, m), va, wa);
            if (gb) vb = kb.addVec(pgb, pcb, i, v128.andnot(gz, m), vb, wb);
          }
          if (ga) ka.flushVec(pga, pca, va);
          if (gb) kb.flushVec(pgb, pcb, vb);
        }
      }
      while (i < inner) {
        const end = min(inner, i + BLOCK);
        let ta: f32 = 0, tb: f32 = 0;
        for (; i < end; i++) {
          const t = load<f32>(kc.elem(pc, i)) != 0, gz = load<f32>(pg + (<usize>i << 2));
          if (ga) ta = ka.add(pga, pca, i, t ? gz : 0, ta, wa);
          if (gb) tb = kb.add(pgb, pcb, i, t ? 0 : gz, tb, wb);
        }
        if (ga) ka.flush(pga, pca, ta);
        if (gb) kb.flush(pgb, pcb, tb);
      }
    }
    finish(sa);
    finish(sb);
  }
}

export function f32_where_fwd(rec: usize): void {
  if (innerStride(rec, 0)) withAccess<WhereFwd<Contig>>(rec, 1, 0, 0, false, false);
  else withAccess<WhereFwd<Bcast>>(rec, 1, 0, 0, false, false);
}
export function f32_where_bwd(rec: usize): void {
  const wa = writes(rec, 1), wb = writes(rec, 2);
  const sa = summed(rec, 1, ptr(rec, GIN + 1)), sb = summed(rec, 2, ptr(rec, GIN + 2));
  if (innerStride(rec, 0)) withAccess<WhereBwd<Contig>>(rec, 1, sa, sb, wa, wb);
  else withAccess<WhereBwd<Bcast>>(rec, 1, sa, sb, wa, wb);
}

// ---- unary ---------------------------------------------------------------------------------
@inline export function unaryFwd<Op>(rec: usize): void {
  const op = changetype<Op>(0);
  const o = ptr(rec, OUT), x = ptr(rec, IN);
  const n = numel(rec), p = paramf(rec, 0), q = paramf(rec, 1);
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= n; i += 4) v128.store(o + (<usize>i << 2), op.v(v128.load(x + (<usize>i << 2)), p, q));
  for (; i < n; i++) store<f32>(o + (<usize>i << 2), op.f(load<f32>(x + (<usize>i << 2)), p, q));
}

// gx += g·dy/dx, or gx = g·dy/dx when the record overwrites its fresh gradient buffer (FLAG_OVERWRITE:
// no zero-fill before, no read of gx; the product is the same float, up to the sign of a zero).
@inline export function unaryBwd<Op>(rec: usize): void {
  const op = changetype<Op>(0);
  const o = ptr(rec, OUT), x = ptr(rec, IN), g = ptr(rec, GOUT), gx = ptr(rec, GIN);
  if (gx == 0) return;
  const n = numel(rec), p = paramf(rec, 0), q = paramf(rec, 1), add = !overwrites(rec, 0);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (add)
      for (; i + 4 <= n; i += 4) {
        const j = <usize>i << 2;
        v128.store(gx + j, madd(v128.load(g + j), op.vd(v128.load(x + j), v128.load(o + j), p, q), v128.load(gx + j)));
      }
    else
      for (; i + 4 <= n; i += 4) {
        const j = <usize>i << 2;
        v128.store(gx + j, f32x4.mul(v128.load(g + j), op.vd(v128.load(x + j), v128.load(o + j), p, q)));
      }
  }
  for (; i < n; i++) {
    const j = <usize>i << 2;
    const d = load<f32>(g + j) * op.d(load<f32>(x + j), load<f32>(o + j), p, q);
    store<f32>(gx + j, add ? load<f32>(gx + j) + d : d);
  }
}

/** The op's scalar f applied lane by lane: for maths with no SIMD form here (pow). */
@inline function lanes<Op>(x: v128, p: f32, q: f32): v128 {
  const op = changetype<Op>(0);
  let r = f32x4.splat(op.f(f32x4.extract_lane(x, 0), p, q));
  r = f32x4.replace_lane(r, 1, op.f(f32x4.extract_lane(x, 1), p, q));
  r = f32x4.replace_lane(r, 2, op.f(f32x4.extract_lane(x, 2), p, q));
  return f32x4.replace_lane(r, 3, op.f(f32x4.extract_lane(x, 3), p, q));
}

/** 1.0 where the lane mask is set, else 0.0. */
@inline export function ones(m: v128): v128 {
  return v128.and(m, f32x4.splat(1));
}

// ---- binary ops ----------------------------------------------------------------------------
class Add {
  @inline f(a: f32, b: f32): f32 { return a + b; }
  @inline v(a: v128, b: v128): v128 { return f32x4.add(a, b); }
  @inline da(a: f32, b: f32, y: f32): f32 { return 1; }
  @inline db(a: f32, b: f32, y: f32): f32 { return 1; }
  @inline vda(a: v128, b: v128, y: v128): v128 { return f32x4.splat(1); }
  @inline vdb(a: v128, b: v128, y: v128): v128 { return f32x4.splat(1); }
}
export function f32_add_fwd(rec: usize): void { binaryFwd<Add>(rec); }
export function f32_add_bwd(rec: usize): void { binaryBwd<Add>(rec); }

class Sub {
  @inline f(a: f32, b: f32): f32 { return a - b; }
  @inline v(a: v128, b: v128): v128 { return f32x4.sub(a, b); }
  @inline da(a: f32, b: f32, y: f32): f32 { return 1; }
  @inline db(a: f32, b: f32, y: f32): f32 { return -1; }
  @inline vda(a: v128, b: v128, y: v128): v128 { return f32x4.splat(1); }
  @inline vdb(a: v128, b: v128, y: v128): v128 { return f32x4.splat(-1); }
}
export function f32_sub_fwd(rec: usize): void { binaryFwd<Sub>(rec); }
export function f32_sub_bwd(rec: usize): void { binaryBwd<Sub>(rec); }

class Mul {
  @inline f(a: f32, b: f32): f32 { return a * b; }
  @inline v(a: v128, b: v128): v128 { return f32x4.mul(a, b); }
  @inline da(a: f32, b: f32, y: f32): f32 { return b; }
  @inline db(a: f32, b: f32, y: f32): f32 { return a; }
  @inline vda(a: v128, b: v128, y: v128): v128 { return b; }
  @inline vdb(a: v128, b: v128, y: v128): v128 { return a; }
}
export function f32_mul_fwd(rec: usize): void { binaryFwd<Mul>(rec); }
export function f32_mul_bwd(rec: usize): void { binaryBwd<Mul>(rec); }

// d(a/b)/db = −a/b² is taken as −y/b: no b² to overflow or underflow.
class Div {
  @inline f(a: f32, b: f32): f32 { return a / b; }
  @inline v(a: v128, b: v128): v128 { return f32x4.div(a, b); }
  @inline da(a: f32, b: f32, y: f32): f32 { return 1 / b; }
  @inline db(a: f32, b: f32, y: f32): f32 { return -y / b; }
  @inline vda(a: v128, b: v128, y: v128): v128 { return f32x4.div(f32x4.splat(1), b); }
  @inline vdb(a: v128, b: v128, y: v128): v128 { return f32x4.div(f32x4.neg(y), b); }
}
export function f32_div_fwd(rec: usize): void { binaryFwd<Div>(rec); }
export function f32_div_bwd(rec: usize): void { binaryBwd<Div>(rec); }

// maximum/minimum: f32.max/min and f32x4.max/min return NaN if either input is NaN (PyTorch's
// rule; pmax would not). Gradient as PyTorch: all to the winner, half each on a tie, and a loser
// gets 0 (with a NaN neither loses, so both get the full gradient).
@inline function share(tie: bool, lose: bool): f32 {
  return tie ? 0.5 : lose ? 0 : 1;
}
@inline function shareV(tie: v128, lose: v128): v128 {
  return v128.bitselect(f32x4.splat(0.5), v128.andnot(f32x4.splat(1), lose), tie);
}

class Maximum {
  @inline f(a: f32, b: f32): f32 { return max(a, b); }
  @inline v(a: v128, b: v128): v128 { return f32x4.max(a, b); }
  @inline da(a: f32, b: f32, y: f32): f32 { return share(a == b, a < b); }
  @inline db(a: f32, b: f32, y: f32): f32 { return share(a == b, a > b); }
  @inline vda(a: v128, b: v128, y: v128): v128 { return shareV(f32x4.eq(a, b), f32x4.lt(a, b)); }
  @inline vdb(a: v128, b: v128, y: v128): v128 { return shareV(f32x4.eq(a, b), f32x4.gt(a, b)); }
}
export function f32_maximum_fwd(rec: usize): void { binaryFwd<Maximum>(rec); }
export function f32_maximum_bwd(rec: usize): void { binaryBwd<Maximum>(rec); }

class Minimum {
  @inline f(a: f32, b: f32): f32 { return min(a, b); }
  @inline v(a: v128, b: v128): v128 { return f32x4.min(a, b); }
  @inline da(a: f32, b: f32, y: f32): f32 { return share(a == b, a > b); }
  @inline db(a: f32, b: f32, y: f32): f32 { return share(a == b, a < b); }
  @inline vda(a: v128, b: v128, y: v128): v128 { return shareV(f32x4.eq(a, b), f32x4.gt(a, b)); }
  @inline vdb(a: v128, b: v128, y: v128): v128 { return shareV(f32x4.eq(a, b), f32x4.lt(a, b)); }
}
export function f32_minimum_fwd(rec: usize): void { binaryFwd<Minimum>(rec); }
export function f32_minimum_bwd(rec: usize): void { binaryBwd<Minimum>(rec); }

// Comparisons: float32 1/0 masks, no gradient (any comparison with NaN is false, except ≠).
class Gt {
  @inline f(a: f32, b: f32): f32 { return a > b ? 1 : 0; }
  @inline v(a: v128, b: v128): v128 { return ones(f32x4.gt(a, b)); }
}
export function f32_gt_fwd(rec: usize): void { binaryFwd<Gt>(rec); }

class Lt {
  @inline f(a: f32, b: f32): f32 { return a < b ? 1 : 0; }
  @inline v(a: v128, b: v128): v128 { return ones(f32x4.lt(a, b)); }
}
export function f32_lt_fwd(rec: usize): void { binaryFwd<Lt>(rec); }

class Ge {
  @inline f(a: f32, b: f32): f32 { return a >= b ? 1 : 0; }
  @inline v(a: v128, b: v128): v128 { return ones(f32x4.ge(a, b)); }
}
export function f32_ge_fwd(rec: usize): void { binaryFwd<Ge>(rec); }

class Le {
  @inline f(a: f32, b: f32): f32 { return a <= b ? 1 : 0; }
  @inline v(a: v128, b: v128): v128 { return ones(f32x4.le(a, b)); }
}
export function f32_le_fwd(rec: usize): void { binaryFwd<Le>(rec); }

class Eq {
  @inline f(a: f32, b: f32): f32 { return a == b ? 1 : 0; }
  @inline v(a: v128, b: v128): v128 { return ones(f32x4.eq(a, b)); }
}
export function f32_eq_fwd(rec: usize): void { binaryFwd<Eq>(rec); }

// ---- unary ops -----------------------------------------------------------------------------
class Relu {
  // NaN propagates as in PyTorch: both forms keep x unless x < 0. pmax(x, 0) is one maxps.
  // The gradient is PyTorch's threshold_backward: 0 where x ≤ 0, else passed (NaN passes it too).
  @inline f(x: f32, p: f32, q: f32): f32 { return x < 0 ? 0 : x; }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.pmax(x, f32x4.splat(0)); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return x <= 0 ? 0 : 1; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return v128.andnot(f32x4.splat(1), f32x4.le(x, f32x4.splat(0))); }
}
export function f32_relu_fwd(rec: usize): void { unaryFwd<Relu>(rec); }
export function f32_relu_bwd(rec: usize): void { unaryBwd<Relu>(rec); }

class Neg {
  @inline f(x: f32, p: f32, q: f32): f32 { return -x; }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.neg(x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return -1; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return f32x4.splat(-1); }
}
export function f32_neg_fwd(rec: usize): void { unaryFwd<Neg>(rec); }
export function f32_neg_bwd(rec: usize): void { unaryBwd<Neg>(rec); }

// Backward from the saved output: d exp(x)/dx = y. The vector form (assembly/simd.ts expv) gives 0
// below ln(FLT_MIN) ≈ −87.34 where Mathf.exp gives a subnormal.
class Exp {
  @inline f(x: f32, p: f32, q: f32): f32 { return Mathf.exp(x); }
  @inline v(x: v128, p: f32, q: f32): v128 { return expv(x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return y; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return y; }
}
export function f32_exp_fwd(rec: usize): void { unaryFwd<Exp>(rec); }
export function f32_exp_bwd(rec: usize): void { unaryBwd<Exp>(rec); }

class Log {
  @inline f(x: f32, p: f32, q: f32): f32 { return Mathf.log(x); }
  @inline v(x: v128, p: f32, q: f32): v128 { return logv(x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return 1 / x; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return f32x4.div(f32x4.splat(1), x); }
}
export function f32_log_fwd(rec: usize): void { unaryFwd<Log>(rec); }
export function f32_log_bwd(rec: usize): void { unaryBwd<Log>(rec); }

// d√x/dx = 1/(2√x) = 0.5/y, from the saved output as PyTorch (infinite at x = 0).
class Sqrt {
  @inline f(x: f32, p: f32, q: f32): f32 { return Mathf.sqrt(x); }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.sqrt(x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return 0.5 / y; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return f32x4.div(f32x4.splat(0.5), y); }
}
export function f32_sqrt_fwd(rec: usize): void { unaryFwd<Sqrt>(rec); }
export function f32_sqrt_bwd(rec: usize): void { unaryBwd<Sqrt>(rec); }

// d|x|/dx = sign(x), 0 at x = 0 (and at NaN), as PyTorch.
class Abs {
  @inline f(x: f32, p: f32, q: f32): f32 { return Mathf.abs(x); }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.abs(x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return x > 0 ? 1 : x < 0 ? -1 : 0; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 {
    return f32x4.sub(ones(f32x4.gt(x, f32x4.splat(0))), ones(f32x4.lt(x, f32x4.splat(0))));
  }
}
export function f32_abs_fwd(rec: usize): void { unaryFwd<Abs>(rec); }
export function f32_abs_bwd(rec: usize): void { unaryBwd<Abs>(rec); }

// tanh in four lanes as Cephes' tanhf: for |x| ≥ 0.625, 1 − 2/(e^(2|x|) + 1) with x's sign (no
// cancellation there: the result is ≥ 0.55; e^(2|x|) = +Inf gives 1); below, the odd polynomial
// x + x·z·P(z), z = x², which keeps small x exact where 1 − 2/(e^(2|x|) + 1) would cancel. NaN
// fails the |x| ≥ 0.625 test and goes through the polynomial, staying NaN.
@inline export function tanhV(x: v128): v128 {
  const a = f32x4.abs(x);
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(expv(f32x4.add(a, a)), f32x4.splat(1))));
  const z = f32x4.mul(x, x);
  let pz = madd(f32x4.splat(-5.70498872745e-3), z, f32x4.splat(2.06390887954e-2));
  pz = madd(pz, z, f32x4.splat(-5.37397155531e-2));
  pz = madd(pz, z, f32x4.splat(1.33314422036e-1));
  pz = madd(pz, z, f32x4.splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(pz, z), x, x);
  return v128.bitselect(v128.or(big, v128.and(x, i32x4.splat(0x80000000))), small, f32x4.ge(a, f32x4.splat(0.625)));
}

// Backward from the saved output: d tanh(x)/dx = 1 − y².
class Tanh {
  @inline f(x: f32, p: f32, q: f32): f32 { return Mathf.tanh(x); }
  @inline v(x: v128, p: f32, q: f32): v128 { return tanhV(x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return 1 - y * y; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return f32x4.sub(f32x4.splat(1), f32x4.mul(y, y)); }
}
export function f32_tanh_fwd(rec: usize): void { unaryFwd<Tanh>(rec); }
export function f32_tanh_bwd(rec: usize): void { unaryBwd<Tanh>(rec); }

// σ(x) with e = exp(−|x|) ≤ 1, never overflowing: 1/(1 + e) for x ≥ 0, e/(1 + e) for x < 0,
// so a large negative x gives a tiny positive σ instead of 1/(1 + ∞) = 0 or ∞/∞ = NaN.
@inline export function sigmoid1(x: f32): f32 {
  const e = Mathf.exp(-Mathf.abs(x));
  const r: f32 = 1 / (1 + e);
  return x >= 0 ? r : e * r;
}
@inline export function sigmoidV(x: v128): v128 {
  const e = expv(f32x4.neg(f32x4.abs(x)));
  const r = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(x, f32x4.splat(0)));
}

// Backward from the saved output: dσ/dx = y(1 − y), no recompute.
class Sigmoid {
  @inline f(x: f32, p: f32, q: f32): f32 { return sigmoid1(x); }
  @inline v(x: v128, p: f32, q: f32): v128 { return sigmoidV(x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return y * (1 - y); }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return f32x4.mul(y, f32x4.sub(f32x4.splat(1), y)); }
}
export function f32_sigmoid_fwd(rec: usize): void { unaryFwd<Sigmoid>(rec); }
export function f32_sigmoid_bwd(rec: usize): void { unaryBwd<Sigmoid>(rec); }

// erf in float32 after W. J. Cody (Math. Comp. 23, 1969; SPECFUN's CALERF), both ranges evaluated
// and blended by |x| (in all four lanes for Lane4, or for one float with Lane1):
//   |x| ≤ 0.46875:  erf x = x·P(x²)/Q(x²)
//   |x| > 0.46875:  erf x = 1 − exp(−x²)·R(|x|)/S(|x|), |x| clamped to 4: erfc(4) < 2⁻²⁵, so erf
//                   rounds to 1 in float32 from there on.
// The sign is copied from x. Within 3 ulp on [−6, 6] (checked against mpmath). Cody's loop form
// (acc + c)·t is kept so the coefficients read as in the paper.
@inline function step<L, V>(acc: V, c: f32, t: V): V {
  const l = changetype<L>(0);
  return l.mul(l.add(acc, l.splat(c)), t);
}
@inline function erf<L, V>(x: V): V {
  const l = changetype<L>(0);
  const y = l.pmin(l.abs(x), l.splat(4)); // pmin(NaN, 4) keeps the NaN
  const z = l.mul(y, y);
  let pn = l.mul(l.splat(1.85777706184603153e-1), z), pd = z;
  pn = step<L, V>(step<L, V>(step<L, V>(pn, 3.16112374387056560e0, z), 1.13864154151050156e2, z), 3.77485237685302021e2, z);
  pd = step<L, V>(step<L, V>(step<L, V>(pd, 2.36012909523441209e1, z), 2.44024637934444173e2, z), 1.28261652607737228e3, z);
  const small = l.div(l.mul(y, l.add(pn, l.splat(3.20937758913846947e3))), l.add(pd, l.splat(2.84423683343917062e3)));
  let rn = l.mul(l.splat(2.15311535474403846e-8), y), rd = y;
  rn = step<L, V>(step<L, V>(step<L, V>(step<L, V>(rn, 5.64188496988670089e-1, y), 8.88314979438837594e0, y), 6.61191906371416295e1, y), 2.98635138197400131e2, y);
  rn = step<L, V>(step<L, V>(step<L, V>(rn, 8.81952221241769090e2, y), 1.71204761263407058e3, y), 2.05107837782607147e3, y);
  rd = step<L, V>(step<L, V>(step<L, V>(step<L, V>(rd, 1.57449261107098347e1, y), 1.17693950891312499e2, y), 5.37181101862009858e2, y), 1.62138957456669019e3, y);
  rd = step<L, V>(step<L, V>(step<L, V>(rd, 3.29079923573345963e3, y), 4.36261909014324716e3, y), 3.43936767414372164e3, y);
  const erfc = l.mul(l.exp(l.neg(z)), l.div(l.add(rn, l.splat(1.23033935479799725e3)), l.add(rd, l.splat(1.23033935480374942e3))));
  const large = l.add(l.sub(l.splat(0.5), erfc), l.splat(0.5));
  return l.copysign(l.select(l.le(y, l.splat(0.46875)), small, large), x);
}

// GELU, PyTorch's exact form x·Φ(x) with Φ(x) = (1 + erf(x/√2))/2, and Φ'(x) = φ(x) =
// exp(−x²/2)/√(2π); one formula for both lane types.
@inline function cdf<L, V>(x: V): V {
  const l = changetype<L>(0);
  return l.mul(l.splat(0.5), l.add(l.splat(1), erf<L, V>(l.mul(x, l.splat(0.7071067811865476)))));
}
@inline function geluD<L, V>(x: V): V {
  const l = changetype<L>(0);
  const pdf = l.mul(l.splat(0.3989422804014327), l.exp(l.mul(l.splat(-0.5), l.mul(x, x))));
  return l.madd(x, pdf, cdf<L, V>(x));
}
class Gelu {
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.mul(x, cdf<Lane4, v128>(x)); }
  @inline f(x: f32, p: f32, q: f32): f32 { return x * cdf<Lane1, f32>(x); }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return geluD<Lane4, v128>(x); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return geluD<Lane1, f32>(x); }
}
export function f32_gelu_fwd(rec: usize): void { unaryFwd<Gelu>(rec); }
export function f32_gelu_bwd(rec: usize): void { unaryBwd<Gelu>(rec); }

// softplus as PyTorch, p = β, q = threshold: x where βx > q, else log(1 + e^(βx))/β in the stable
// form (max(βx, 0) + log1p(exp(−|βx|)))/β, whose exp never overflows. Derivative σ(βx) (1 above q).
class Softplus {
  @inline f(x: f32, p: f32, q: f32): f32 { const b = p * x; return b > q ? x : (max(b, 0) + Mathf.log1p(Mathf.exp(-Mathf.abs(b)))) / p; }
  @inline v(x: v128, p: f32, q: f32): v128 {
    const b = f32x4.mul(x, f32x4.splat(p));
    const r = f32x4.div(f32x4.add(f32x4.max(b, f32x4.splat(0)), log1pv(expv(f32x4.neg(f32x4.abs(b))))), f32x4.splat(p));
    return v128.bitselect(x, r, f32x4.gt(b, f32x4.splat(q)));
  }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { const b = p * x; return b > q ? 1 : sigmoid1(b); }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 {
    const b = f32x4.mul(x, f32x4.splat(p));
    return v128.bitselect(f32x4.splat(1), sigmoidV(b), f32x4.gt(b, f32x4.splat(q)));
  }
}
export function f32_softplus_fwd(rec: usize): void { unaryFwd<Softplus>(rec); }
export function f32_softplus_bwd(rec: usize): void { unaryBwd<Softplus>(rec); }

// leakyRelu, p = negative slope: x for x > 0, else p·x (NaN stays NaN); derivative 1 or p.
class LeakyRelu {
  @inline f(x: f32, p: f32, q: f32): f32 { return x > 0 ? x : p * x; }
  @inline v(x: v128, p: f32, q: f32): v128 { return v128.bitselect(x, f32x4.mul(x, f32x4.splat(p)), f32x4.gt(x, f32x4.splat(0))); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return x > 0 ? 1 : p; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return v128.bitselect(f32x4.splat(1), f32x4.splat(p), f32x4.gt(x, f32x4.splat(0))); }
}
export function f32_leaky_relu_fwd(rec: usize): void { unaryFwd<LeakyRelu>(rec); }
export function f32_leaky_relu_bwd(rec: usize): void { unaryBwd<LeakyRelu>(rec); }

// clamp to [p, q] (a missing bound is ∓∞): min(max(x, p), q) as PyTorch, so p > q gives q.
// pmax(x, p) = x < p ? p : x and pmin(., q) = q < . ? q : . keep a NaN x (one instruction each).
// The gradient passes where p ≤ x ≤ q.
class Clamp {
  @inline f(x: f32, p: f32, q: f32): f32 { const r = x < p ? p : x; return q < r ? q : r; }
  @inline v(x: v128, p: f32, q: f32): v128 { return f32x4.pmin(f32x4.pmax(x, f32x4.splat(p)), f32x4.splat(q)); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return x >= p && x <= q ? 1 : 0; }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return ones(v128.and(f32x4.ge(x, f32x4.splat(p)), f32x4.le(x, f32x4.splat(q)))); }
}
export function f32_clamp_fwd(rec: usize): void { unaryFwd<Clamp>(rec); }
export function f32_clamp_bwd(rec: usize): void { unaryBwd<Clamp>(rec); }

// pow, p = exponent: Mathf.pow follows IEEE pow (negative bases give real results only for integer
// exponents, NaN otherwise). Derivative p·x^(p−1), and exactly 0 for p = 0 as PyTorch.
class Pow {
  @inline f(x: f32, p: f32, q: f32): f32 { return Mathf.pow(x, p); }
  @inline v(x: v128, p: f32, q: f32): v128 { return lanes<Pow>(x, p, q); }
  @inline d(x: f32, y: f32, p: f32, q: f32): f32 { return p == 0 ? 0 : p * Mathf.pow(x, p - 1); }
  @inline vd(x: v128, y: v128, p: f32, q: f32): v128 { return p == 0 ? f32x4.splat(0) : f32x4.mul(f32x4.splat(p), lanes<Pow>(x, p - 1, q)); }
}
export function f32_pow_fwd(rec: usize): void { unaryFwd<Pow>(rec); }
export function f32_pow_bwd(rec: usize): void { unaryBwd<Pow>(rec); }
