// Indexing kernels: the index-map gather (gather, take, indexSelect, x[idx]) and scatter
// (scatter, scatterAdd, indexAdd), tril/triu, int32 masks as float32. Params are planned in
// src/ops/indexing.ts; an index map is [rank, shape[rank], x strides, index strides,
// (src strides), dimStride, dimSize] (scatter: then add, alpha bits). Rarely hot in training:
// scalar loops over the positions, row by row (strided.ts rowOffset), runs copied with shape.ts.
import { arenaAlloc } from '../arena';
import { GIN, GOUT, IN, numel, OUT, param, paramf, ptr } from '../record';
import { rowOffset } from '../strided';
import { addRun, copyRun } from './shape';

// ---- index maps ----------------------------------------------------------------------------
/** Index value at element p of the index, negatives wrapped by n; TS checked every value, so one out of range means a corrupted tape. */
@inline function indexAt(idx: usize, p: usize, n: i32): usize {
  let k = load<i32>(idx + (p << 2));
  if (k < 0) k += n;
  if (<u32>k >= <u32>n) abort('wasmgrad: index out of range in an indexing kernel');
  return <usize>k;
}

// What a visit reads and writes: set by each kernel before it walks the map.
let dst: usize = 0;
let src: usize = 0;
let alpha: f32 = 1;
/** amax/amin backward: the scatter's result and the count of values tied with each element of it. */
let res: usize = 0;
let ties: usize = 0;
let grad: usize = 0;

/**
 * Calls V.visit(p, xo, so) for every position p in order: xo the element of x it picks (index
 * applied), so its element of src (with 3 streams; 0 otherwise). Elements, not bytes.
 */
@inline function walk<V>(rec: usize, streams: i32): void {
  const rank = param(rec, 0), inner = param(rec, rank);
  let n = 1;
  for (let k = 0; k < rank; k++) n *= param(rec, 1 + k);
  if (n == 0) return;
  const xAt = 1 + rank, iAt = 1 + 2 * rank, sAt = 1 + 3 * rank, tail = 1 + rank * (1 + streams);
  const ds = <usize>param(rec, tail), dn = param(rec, tail + 1);
  const xi = <usize>param(rec, xAt + rank - 1), ii = <usize>param(rec, iAt + rank - 1);
  const si: usize = streams == 3 ? <usize>param(rec, sAt + rank - 1) : 0;
  const idx = ptr(rec, IN + 1);
  const v = changetype<V>(0);
  let p: usize = 0;
  for (let row = 0; row < n / inner; row++) {
    const xo = rowOffset(rec, row, xAt), io = rowOffset(rec, row, iAt);
    const so: usize = streams == 3 ? rowOffset(rec, row, sAt) : 0;
    for (let t: usize = 0; t < <usize>inner; t++, p++) v.visit(p, xo + t * xi + indexAt(idx, io + t * ii, dn) * ds, so + t * si);
  }
}

/** dst[p] = src[xo]: the gather. */
class Pick {
  @inline visit(p: usize, xo: usize, so: usize): void {
    store<f32>(dst + (p << 2), load<f32>(src + (xo << 2)));
  }
}
/** dst[xo] += src[p]: the gather's backward, one load-add-store per position. */
class AddBack {
  @inline visit(p: usize, xo: usize, so: usize): void {
    const q = dst + (xo << 2);
    store<f32>(q, load<f32>(q) + load<f32>(src + (p << 2)));
  }
}
/** dst[xo] = src[so]: the plain scatter (a later position overwrites an earlier one). */
class Write {
  @inline visit(p: usize, xo: usize, so: usize): void {
    store<f32>(dst + (xo << 2), load<f32>(src + (so << 2)));
  }
}
/** dst[xo] += alpha·src[so]: scatterAdd, indexAdd. */
class AddScaled {
  @inline visit(p: usize, xo: usize, so: usize): void {
    const q = dst + (xo << 2);
    store<f32>(q, load<f32>(q) + alpha * load<f32>(src + (so << 2)));
  }
}
/** dst[so] += alpha·src[xo]: src's gradient, g read where each position wrote. */
class GatherScaled {
  @inline visit(p: usize, xo: usize, so: usize): void {
    const q = dst + (so << 2);
    store<f32>(q, load<f32>(q) + alpha * load<f32>(src + (xo << 2)));
  }
}
/** dst[xo] = max(dst[xo], src[so]) (NaN wins, as PyTorch's amax). */
class Max {
  @inline visit(p: usize, xo: usize, so: usize): void {
    const q = dst + (xo << 2);
    store<f32>(q, max<f32>(load<f32>(q), load<f32>(src + (so << 2))));
  }
}
class Min {
  @inline visit(p: usize, xo: usize, so: usize): void {
    const q = dst + (xo << 2);
    store<f32>(q, min<f32>(load<f32>(q), load<f32>(src + (so << 2))));
  }
}
/** ties[xo] += 1 where src[so] equals the result there. */
class CountTies {
  @inline visit(p: usize, xo: usize, so: usize): void {
    if (load<f32>(src + (so << 2)) == load<f32>(res + (xo << 2))) {
      const q = ties + (xo << 2);
      store<f32>(q, load<f32>(q) + 1);
    }
  }
}
/** dst[so] += grad[xo] / ties[xo] where src[so] equals the result there: src's share of the gradient. */
class ShareTies {
  @inline visit(p: usize, xo: usize, so: usize): void {
    if (load<f32>(src + (so << 2)) == load<f32>(res + (xo << 2))) {
      const q = dst + (so << 2);
      store<f32>(q, load<f32>(q) + load<f32>(grad + (xo << 2)) / load<f32>(ties + (xo << 2)));
    }
  }
}
/** dst[xo] = 0: clears the elements a plain scatter wrote. */
class Clear {
  @inline visit(p: usize, xo: usize, so: usize): void {
    store<f32>(dst + (xo << 2), 0);
  }
}

/**
 * When one index value serves a whole row of the gather (the index does not move along the inner
 * dim: indexSelect, x[idx] along a leading dim), calls V.run(p, xo, inner, xi) per row, a run of
 * x from its element xo with stride xi, and returns true; else false (walk the positions).
 */
@inline function gatherRuns<V>(rec: usize): bool {
  const rank = param(rec, 0), inner = param(rec, rank), xi = param(rec, 2 * rank);
  if (param(rec, 3 * rank) != 0 || xi == 0) return false;
  let n = 1;
  for (let k = 0; k < rank; k++) n *= param(rec, 1 + k);
  const ds = <usize>param(rec, 1 + 3 * rank), dn = param(rec, 2 + 3 * rank), idx = ptr(rec, IN + 1);
  const v = changetype<V>(0);
  for (let row = 0; inner > 0 && row < n / inner; row++) {
    const k = indexAt(idx, rowOffset(rec, row, 1 + 2 * rank), dn);
    v.run(<usize>row * inner, rowOffset(rec, row, 1 + rank) + k * ds, inner, xi);
  }
  return true;
}
/** dst[p..] = the run of src: the gather by rows. */
class CopyRows {
  @inline run(p: usize, xo: usize, n: i32, stride: i32): void {
    copyRun(dst + (p << 2), src + (xo << 2), n, stride);
  }
}
/** The run of dst += src[p..]: its backward (stride ≠ 0, so each element its own load-add-store). */
class AddRows {
  @inline run(p: usize, xo: usize, n: i32, stride: i32): void {
    addRun(dst + (xo << 2), stride, src + (p << 2), n);
  }
}

export function f32_index_gather_fwd(rec: usize): void {
  dst = ptr(rec, OUT);
  src = ptr(rec, IN);
  if (!gatherRuns<CopyRows>(rec)) walk<Pick>(rec, 2);
}

// int32 data: the same bit copy.
export function f32_index_gather_int_fwd(rec: usize): void { f32_index_gather_fwd(rec); }

export function f32_index_gather_bwd(rec: usize): void {
  dst = ptr(rec, GIN);
  if (dst == 0) return;
  src = ptr(rec, GOUT);
  if (!gatherRuns<AddRows>(rec)) walk<AddBack>(rec, 2);
}

/** The scatter's [mode, alpha] follow its map of 3 streams; modes as SCATTER_MODES in src/ops/indexing.ts. */
const WRITE = 0, ADD = 1, AMAX = 2;
@inline function scatterTail(rec: usize): i32 {
  return 3 + param(rec, 0) * 4;
}

export function f32_index_scatter_fwd(rec: usize): void {
  const o = ptr(rec, OUT), t = scatterTail(rec);
  copyRun(o, ptr(rec, IN), numel(rec), 1);
  dst = o;
  src = ptr(rec, IN + 2);
  alpha = paramf(rec, t + 1);
  const mode = param(rec, t);
  if (mode == WRITE) walk<Write>(rec, 3);
  else if (mode == ADD) walk<AddScaled>(rec, 3);
  else if (mode == AMAX) walk<Max>(rec, 3);
  else walk<Min>(rec, 3);
}

// x's gradient: g, except (plain write) at the elements src replaced, cleared in a copy of g
// first so that an element written several times is cleared once. src's gradient: alpha·g at the
// element each position wrote (PyTorch's formula). amax/amin: g shared evenly by every value equal
// to the result, x's element and the src values scattered into it (PyTorch), counted first.
export function f32_index_scatter_bwd(rec: usize): void {
  const g = ptr(rec, GOUT), gx = ptr(rec, GIN), gs = ptr(rec, GIN + 2), n = numel(rec), t = scatterTail(rec);
  const mode = param(rec, t);
  if (mode >= AMAX) {
    if (gx == 0 && gs == 0) return;
    const x = ptr(rec, IN);
    res = ptr(rec, OUT);
    ties = arenaAlloc(<usize>n << 2);
    for (let e = 0; e < n; e++) {
      const j = <usize>e << 2;
      store<f32>(ties + j, load<f32>(x + j) == load<f32>(res + j) ? 1 : 0);
    }
    src = ptr(rec, IN + 2);
    walk<CountTies>(rec, 3);
    if (gx != 0)
      for (let e = 0; e < n; e++) {
        const j = <usize>e << 2;
        if (load<f32>(x + j) == load<f32>(res + j)) store<f32>(gx + j, load<f32>(gx + j) + load<f32>(g + j) / load<f32>(ties + j));
      }
    if (gs != 0) {
      dst = gs;
      grad = g;
      walk<ShareTies>(rec, 3);
    }
    return;
  }
  if (gx != 0) {
    if (mode == ADD) addRun(gx, 1, g, n);
    else {
      const ws = arenaAlloc(<usize>n << 2);
      copyRun(ws, g, n, 1);
      dst = ws;
      walk<Clear>(rec, 3);
      addRun(gx, 1, ws, n);
    }
  }
  if (gs != 0) {
    dst = gs;
    src = g;
    alpha = mode == ADD ? paramf(rec, t + 1) : 1;
    walk<GatherScaled>(rec, 3);
  }
}

// ---- tril / triu (params: [rows, cols, diagonal, upper]) -----------------------------------
// Row i of a matrix keeps columns [lo, hi): j ≤ i + diagonal (tril) or j ≥ i + diagonal (triu).
// The plan clamps the diagonal to [-rows, cols], so i + diagonal stays small.

@inline function keptFrom(rec: usize, i: i32): i32 {
  return param(rec, 3) ? min(max(i + param(rec, 2), 0), param(rec, 1)) : 0;
}
@inline function keptTo(rec: usize, i: i32): i32 {
  return param(rec, 3) ? param(rec, 1) : min(max(i + param(rec, 2) + 1, 0), param(rec, 1));
}

function triFwd(rec: usize): void {
  const o = ptr(rec, OUT), x = ptr(rec, IN), rows = param(rec, 0), cols = param(rec, 1);
  const lines = cols == 0 ? 0 : numel(rec) / cols;
  for (let r = 0; r < lines; r++) {
    const lo = keptFrom(rec, r % rows), hi = keptTo(rec, r % rows), at = <usize>r * cols;
    memory.fill(o + (at << 2), 0, <usize>lo << 2);
    copyRun(o + ((at + lo) << 2), x + ((at + lo) << 2), hi - lo, 1);
    memory.fill(o + ((at + hi) << 2), 0, <usize>(cols - hi) << 2);
  }
}

function triBwd(rec: usize): void {
  const gx = ptr(rec, GIN), g = ptr(rec, GOUT), rows = param(rec, 0), cols = param(rec, 1);
  if (gx == 0) return;
  const lines = cols == 0 ? 0 : numel(rec) / cols;
  for (let r = 0; r < lines; r++) {
    const lo = keptFrom(rec, r % rows), hi = keptTo(rec, r % rows), at = (<usize>r * cols + lo) << 2;
    addRun(gx + at, 1, g + at, hi - lo);
  }
}

export function f32_tril_fwd(rec: usize): void { triFwd(rec); }
export function f32_tril_bwd(rec: usize): void { triBwd(rec); }
export function f32_triu_fwd(rec: usize): void { triFwd(rec); }
export function f32_triu_bwd(rec: usize): void { triBwd(rec); }

// ---- int32 x ≠ P0 as float32 0/1 --------------------------------------------------------------
export function f32_not_equal_mask_fwd(rec: usize): void {
  const o = ptr(rec, OUT), x = ptr(rec, IN), n = numel(rec), value = param(rec, 0);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // ne gives all-ones lanes where x ≠ value: and-ed with the bits of 1.0f.
    const one = f32x4.splat(1), v = i32x4.splat(value);
    for (; i + 4 <= n; i += 4) {
      const j = <usize>i << 2;
      v128.store(o + j, v128.and(i32x4.ne(v128.load(x + j), v), one));
    }
  }
  for (; i < n; i++) store<f32>(o + (<usize>i << 2), load<i32>(x + (<usize>i << 2)) != value ? 1 : 0);
}
