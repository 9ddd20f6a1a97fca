// Sorting and scans along one dim (src/ops/sort.ts): argsort, cummaxIndex, cumsum,
// cumprod, logcumsumexp. Every op walks the [outer, d, inner] segments of reduce.ts (P0..P2) one at
// a time: these are scalar kernels (sorting and scans are not hot in training). A segment's
// elements are st bytes apart, and the output has the input's layout (y + xo).
import { arenaAlloc } from '../arena';
import { GIN, GOUT, IN, OUT, param, ptr } from '../record';
import { eachSegment1 } from './reduce';

// ---- argsort (P3: descending) ----------------------------------------------------------------------

/**
 * a sorts before b: ascending or descending, NaN the largest; equal keys are not before each
 * other. T = f32 or i32 (for which a != a is never true).
 */
@inline function before<T>(a: T, b: T, descending: bool): bool {
  if (descending) return a > b || (a != a && b == b);
  return a < b || (b != b && a == a);
}

/**
 * A stable bottom-up merge sort of the indices 0..n−1 by the keys at x (st bytes apart), between
 * the two buffers a and b of n int32; returns the one holding the result. The merge takes from the
 * left run unless the right key sorts strictly before: equal keys keep their order.
 */
function mergeSort<T>(x: usize, st: usize, n: i32, a: usize, b: usize, descending: bool): usize {
  for (let k = 0; k < n; k++) store<i32>(a + (<usize>k << 2), k);
  let src = a, dst = b;
  for (let w = 1; w < n; w <<= 1) {
    for (let lo = 0; lo < n; lo += 2 * w) {
      const mid = min(lo + w, n), hi = min(lo + 2 * w, n);
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        const li = load<i32>(src + (<usize>i << 2)), ri = load<i32>(src + (<usize>j << 2));
        const right = before<T>(load<T>(x + <usize>ri * st), load<T>(x + <usize>li * st), descending);
        store<i32>(dst + (<usize>k << 2), right ? ri : li);
        k++;
        if (right) j++;
        else i++;
      }
      for (; i < mid; i++, k++) store<i32>(dst + (<usize>k << 2), load<i32>(src + (<usize>i << 2)));
      for (; j < hi; j++, k++) store<i32>(dst + (<usize>k << 2), load<i32>(src + (<usize>j << 2)));
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

// The two index buffers, allocated once per record (src/ops/contract.ts sortScratchWords).
let bufA: usize = 0, bufB: usize = 0;

class ArgsortFwd<T> {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const sorted = mergeSort<T>(ptr(rec, IN) + xo, st, d, bufA, bufB, param(rec, 3) != 0);
    const y = ptr(rec, OUT) + xo;
    for (let k = 0; k < d; k++) store<i32>(y + <usize>k * st, load<i32>(sorted + (<usize>k << 2)));
  }
}
@inline function argsortFwd<T>(rec: usize): void {
  const d = param(rec, 1);
  if (param(rec, 0) == 0 || d == 0 || param(rec, 2) == 0) return;
  bufA = arenaAlloc(<usize>d << 2);
  bufB = arenaAlloc(<usize>d << 2);
  eachSegment1<ArgsortFwd<T>>(rec);
}
export function f32_argsort_fwd(rec: usize): void { argsortFwd<f32>(rec); }
export function f32_argsort_int_fwd(rec: usize): void { argsortFwd<i32>(rec); }

// ---- cummaxIndex (P3: largest) ------------------------------------------------------------------
// As torch.cummax: an element equal to the running extreme takes over (>=); a NaN takes over and
// stays the extreme, each new NaN taking over again.

class CummaxIndexFwd {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const x = ptr(rec, IN) + xo, y = ptr(rec, OUT) + xo, largest = param(rec, 3) != 0;
    let best = 0, cur = load<f32>(x);
    for (let k = 0; k < d; k++) {
      const v = load<f32>(x + <usize>k * st);
      if (v != v || (cur == cur && (largest ? v >= cur : v <= cur))) {
        best = k;
        cur = v;
      }
      store<i32>(y + <usize>k * st, best);
    }
  }
}
export function f32_cummax_index_fwd(rec: usize): void { eachSegment1<CummaxIndexFwd>(rec); }

// ---- cumsum: y_k = Σ_{j≤k} x_j; gx_k += Σ_{j≥k} g_j (float64 running sums) ------------------------

class CumsumFwd {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const x = ptr(rec, IN) + xo, y = ptr(rec, OUT) + xo;
    let s: f64 = 0;
    for (let k = 0; k < d; k++) {
      s += <f64>load<f32>(x + <usize>k * st);
      store<f32>(y + <usize>k * st, <f32>s);
    }
  }
}
class CumsumBwd {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const g = ptr(rec, GOUT) + xo, gx = ptr(rec, GIN) + xo;
    let s: f64 = 0;
    for (let k = d - 1; k >= 0; k--) {
      const e = <usize>k * st;
      s += <f64>load<f32>(g + e);
      store<f32>(gx + e, load<f32>(gx + e) + <f32>s);
    }
  }
}
export function f32_cumsum_fwd(rec: usize): void { eachSegment1<CumsumFwd>(rec); }

/** int32 running sum, wrapping as i32 adds do. */
class CumsumI32Fwd {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const x = ptr(rec, IN) + xo, y = ptr(rec, OUT) + xo;
    let s: i32 = 0;
    for (let k = 0; k < d; k++) {
      s += load<i32>(x + <usize>k * st);
      store<i32>(y + <usize>k * st, s);
    }
  }
}
export function f32_cumsum_int_fwd(rec: usize): void { eachSegment1<CumsumI32Fwd>(rec); }
export function f32_cumsum_bwd(rec: usize): void { eachSegment1<CumsumBwd>(rec); }

// ---- cumprod: y_k = Π_{j≤k} x_j (float64 running product) -------------------------------------------
// gx_k = Σ_{j≥k} g_j · Π_{i≤j, i≠k} x_i, taken as PyTorch 1.13's cumprod_backward does, so that ±∞
// and NaN give its values. With z the first zero (d if none): for k < z every term with j ≥ z is 0,
// so gx_k = (Σ_{k≤j<z} g_j·y_j) / x_k, one suffix sum over the saved output (∞/∞ = NaN where x_k
// is ±∞, as PyTorch's); for k = z, gx_z = y_{z−1} · Σ_{z≤j<z'} g_j · Π_{z<i≤j} x_i, a running
// product from z up to the next zero z' (y_{−1} = 1; the terms past z' hold a second zero, and
// PyTorch leaves them out, so an ∞ there gives no NaN); for k > z every term holds x_z = 0: gx_k = 0.

class CumprodFwd {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const x = ptr(rec, IN) + xo, y = ptr(rec, OUT) + xo;
    let p: f64 = 1;
    for (let k = 0; k < d; k++) {
      p *= <f64>load<f32>(x + <usize>k * st);
      store<f32>(y + <usize>k * st, <f32>p);
    }
  }
}
class CumprodBwd {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const x = ptr(rec, IN) + xo, y = ptr(rec, OUT) + xo, g = ptr(rec, GOUT) + xo, gx = ptr(rec, GIN) + xo;
    let z = 0;
    while (z < d && load<f32>(x + <usize>z * st) != 0) z++;
    if (z < d) {
      let s: f64 = 0, p: f64 = 1;
      for (let j = z; j < d; j++) {
        if (j > z) {
          const v = <f64>load<f32>(x + <usize>j * st);
          if (v == 0) break;
          p *= v;
        }
        s += <f64>load<f32>(g + <usize>j * st) * p;
      }
      const before: f64 = z > 0 ? <f64>load<f32>(y + <usize>(z - 1) * st) : 1;
      const e = <usize>z * st;
      store<f32>(gx + e, load<f32>(gx + e) + <f32>(before * s));
    }
    // k < z, walking down: s = Σ_{k≤j<z} g_j·y_j
    let s: f64 = 0;
    for (let k = z - 1; k >= 0; k--) {
      const e = <usize>k * st;
      s += <f64>load<f32>(g + e) * <f64>load<f32>(y + e);
      store<f32>(gx + e, load<f32>(gx + e) + <f32>(s / <f64>load<f32>(x + e)));
    }
  }
}
export function f32_cumprod_fwd(rec: usize): void { eachSegment1<CumprodFwd>(rec); }
export function f32_cumprod_bwd(rec: usize): void { eachSegment1<CumprodBwd>(rec); }

// ---- logcumsumexp: y_k = log Σ_{j≤k} e^(x_j) -----------------------------------------------------
// Forward: y_k = logaddexp(y_{k−1}, x_k) = m + log1p(e^(−|y_{k−1} − x_k|)), m the larger: no
// exponent is positive, at any |x|. Backward: gx_k = Σ_{j≥k} g_j·e^(x_k − y_j) = e^(x_k − y_k)·t_k
// with t_k = g_k + e^(y_k − y_{k+1})·t_{k+1}: y is non-decreasing and x_k ≤ y_k, so every factor is
// ≤ 1 (no overflow). A −∞ x_k gets 0 (its e^(x_k − y_k) is 0, or NaN from −∞ − −∞). Where y_k = ∞
// the later terms e^(x_k − y_j) are 0 for a finite x_k, so t restarts at g_k (not ∞ − ∞ = NaN).

@inline function logAddExp(a: f64, b: f64): f64 {
  const m = max(a, b);
  // ±∞ is the result as is (∞ − ∞ would make the correction NaN: logaddexp(∞, ∞) = ∞)
  return Math.abs(m) == Infinity ? m : m + Math.log1p(Math.exp(-Math.abs(a - b)));
}
class LogcumsumexpFwd {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const x = ptr(rec, IN) + xo, y = ptr(rec, OUT) + xo;
    let acc: f64 = -Infinity;
    for (let k = 0; k < d; k++) {
      const v = <f64>load<f32>(x + <usize>k * st);
      acc = k == 0 ? v : logAddExp(acc, v);
      store<f32>(y + <usize>k * st, <f32>acc);
    }
  }
}
class LogcumsumexpBwd {
  @inline seg(rec: usize, xo: usize, ro: usize, d: i32, st: usize): void {
    const x = ptr(rec, IN) + xo, y = ptr(rec, OUT) + xo, g = ptr(rec, GOUT) + xo, gx = ptr(rec, GIN) + xo;
    let t: f64 = 0, next: f64 = 0;
    for (let k = d - 1; k >= 0; k--) {
      const e = <usize>k * st, yk = <f64>load<f32>(y + e), xk = <f64>load<f32>(x + e);
      t = <f64>load<f32>(g + e) + (k == d - 1 || Math.abs(yk) == Infinity ? 0 : Math.exp(yk - next) * t);
      if (xk != -Infinity) store<f32>(gx + e, load<f32>(gx + e) + <f32>(Math.exp(xk - yk) * t));
      next = yk;
    }
  }
}
export function f32_logcumsumexp_fwd(rec: usize): void { eachSegment1<LogcumsumexpFwd>(rec); }
export function f32_logcumsumexp_bwd(rec: usize): void { eachSegment1<LogcumsumexpBwd>(rec); }
