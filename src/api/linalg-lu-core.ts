/**
 * The float64 loops under wg.linalg's LU and Cholesky family, on one row-major matrix at a time
 * (`a` holds the matrices back to back; `o` is the offset of the one to work on). They follow
 * LAPACK's conventions, so results (pivots, info) read as torch's: getrf's partial pivoting
 * (the first largest |a[i][j]| of the column, 1-based pivots), potrf's info (the order of the
 * first leading minor that is not positive-definite).
 */

/**
 * LU with partial pivoting in place (LAPACK getrf) of the m×n matrix at a[o..]: afterwards it holds
 * U on and above the diagonal and L's multipliers below it. Row j was swapped with row piv[j]
 * (0-based) at step j. Returns info: 0, or 1 + the first step whose pivot column was all zero
 * (the factorization still completes, U has a zero on its diagonal there, as LAPACK).
 */
export function luInPlace(a: Float64Array, o: number, m: number, n: number, piv: Int32Array, po: number): number {
  let info = 0;
  for (let j = 0; j < Math.min(m, n); j++) {
    let p = j;
    for (let i = j + 1; i < m; i++) if (Math.abs(a[o + i * n + j]) > Math.abs(a[o + p * n + j])) p = i;
    piv[po + j] = p;
    const pivot = a[o + p * n + j];
    if (pivot !== 0) {
      if (p !== j) for (let l = 0; l < n; l++) [a[o + j * n + l], a[o + p * n + l]] = [a[o + p * n + l], a[o + j * n + l]];
      for (let i = j + 1; i < m; i++) a[o + i * n + j] /= pivot;
    } else if (info === 0) info = j + 1;
    for (let i = j + 1; i < m; i++) {
      const f = a[o + i * n + j];
      if (f !== 0) for (let l = j + 1; l < n; l++) a[o + i * n + l] -= f * a[o + j * n + l];
    }
  }
  return info;
}

/**
 * Solves A·X = B (or Aᵀ·X = B with `transpose`) in place in b[bo..] (n×k), for the square A = P·L·U
 * whose factorization luInPlace left at lu[o..] with pivots piv[po..].
 */
export function luSolveInPlace(
  lu: Float64Array,
  o: number,
  piv: Int32Array,
  po: number,
  n: number,
  b: Float64Array,
  bo: number,
  k: number,
  transpose: boolean,
): void {
  const swapRows = (j: number): void => {
    const p = piv[po + j];
    if (p !== j) for (let c = 0; c < k; c++) [b[bo + j * k + c], b[bo + p * k + c]] = [b[bo + p * k + c], b[bo + j * k + c]];
  };
  if (!transpose) {
    for (let j = 0; j < n; j++) swapRows(j); // Pᵀ·B
    triangularSolveInPlace(lu, o, n, false, true, false, b, bo, k); // L⁻¹
    triangularSolveInPlace(lu, o, n, true, false, false, b, bo, k); // U⁻¹
  } else {
    // Aᵀ = Uᵀ·Lᵀ·Pᵀ, so X = P·L⁻ᵀ·U⁻ᵀ·B
    triangularSolveInPlace(lu, o, n, true, false, true, b, bo, k);
    triangularSolveInPlace(lu, o, n, false, true, true, b, bo, k);
    for (let j = n - 1; j >= 0; j--) swapRows(j);
  }
}

/**
 * Solves op(T)·X = B in place in b[bo..] (n×k), T the n×n triangle at t[o..] (upper or lower; the
 * other triangle is not read; `unit`: its diagonal taken as ones), op(T) = T or Tᵀ. Forward
 * substitution for a lower op(T), backward for an upper one.
 */
export function triangularSolveInPlace(
  t: Float64Array,
  o: number,
  n: number,
  upper: boolean,
  unit: boolean,
  transpose: boolean,
  b: Float64Array,
  bo: number,
  k: number,
): void {
  // op(T)[i][j] read through T: the transpose swaps the indices and the triangle
  const at = transpose ? (i: number, j: number) => t[o + j * n + i] : (i: number, j: number) => t[o + i * n + j];
  const forward = upper === transpose;
  for (let s = 0; s < n; s++) {
    const i = forward ? s : n - 1 - s;
    for (let c = 0; c < k; c++) {
      let v = b[bo + i * k + c];
      if (forward) for (let j = 0; j < i; j++) v -= at(i, j) * b[bo + j * k + c];
      else for (let j = i + 1; j < n; j++) v -= at(i, j) * b[bo + j * k + c];
      b[bo + i * k + c] = unit ? v : v / at(i, i);
    }
  }
}

/** det of the square matrix factored by luInPlace: the product of U's diagonal, negated for each row swap. */
export function luDet(lu: Float64Array, o: number, piv: Int32Array, po: number, n: number): number {
  let d = 1;
  for (let j = 0; j < n; j++) d *= piv[po + j] === j ? lu[o + j * n + j] : -lu[o + j * n + j];
  return d;
}

/**
 * The cofactor matrix adj(A)ᵀ of the n×n matrix at a[o..], written to out[oo..]: det's gradient,
 * which stays finite where A is singular (det·A⁻ᵀ is 0·∞ there). LU with complete pivoting,
 * P·A·Q = L·U, reveals the rank r as U's nonzero pivots (the trailing block left is exactly zero),
 * and adj(A) = det(P)·det(Q)·Q·adj(U)·L⁻¹·P with
 *   r = n:     adj(U) = det(U)·U⁻¹,
 *   r = n − 1: adj(U) = (u₀₀⋯u₍ₙ₋₂₎₍ₙ₋₂₎)·v·e₍ₙ₋₁₎ᵀ, v the null vector of U with v₍ₙ₋₁₎ = 1,
 *   r < n − 1: adj(A) = 0 (every (n−1)-minor vanishes).
 */
export function cofactorInto(a: Float64Array, o: number, n: number, out: Float64Array, oo: number): void {
  out.fill(0, oo, oo + n * n);
  if (n === 0) return;
  const w = a.slice(o, o + n * n);
  const rowPiv = new Int32Array(n);
  const colPiv = new Int32Array(n);
  let sign = 1;
  let r = 0;
  for (; r < n; r++) {
    let pi = r;
    let pj = r;
    for (let i = r; i < n; i++) for (let j = r; j < n; j++) if (Math.abs(w[i * n + j]) > Math.abs(w[pi * n + pj])) [pi, pj] = [i, j];
    rowPiv[r] = pi;
    colPiv[r] = pj;
    if (w[pi * n + pj] === 0) break;
    if (pi !== r) {
      sign = -sign;
      for (let l = 0; l < n; l++) [w[r * n + l], w[pi * n + l]] = [w[pi * n + l], w[r * n + l]];
    }
    if (pj !== r) {
      sign = -sign;
      for (let l = 0; l < n; l++) [w[l * n + r], w[l * n + pj]] = [w[l * n + pj], w[l * n + r]];
    }
    for (let i = r + 1; i < n; i++) {
      const f = (w[i * n + r] /= w[r * n + r]);
      for (let l = r + 1; l < n; l++) w[i * n + l] -= f * w[r * n + l];
    }
  }
  if (r < n - 1) return;
  // adjU = adj(U), then M = adjU·L⁻¹ (solving Lᵀ·Mᵀ = adjUᵀ row by row from the bottom)
  const adjU = new Float64Array(n * n);
  let p = 1;
  for (let i = 0; i < n - 1; i++) p *= w[i * n + i];
  if (r === n) {
    const det = p * w[n * n - 1];
    for (let c = 0; c < n; c++) adjU[c * n + c] = det; // det·I, then U⁻¹ applied: det·U⁻¹
    triangularSolveInPlace(w, 0, n, true, false, false, adjU, 0, n);
  } else {
    // U's leading (n−1)×(n−1) block solves for v's first n − 1 entries
    const m = n - 1;
    const u = new Float64Array(m * m);
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      v[i] = -w[i * n + m];
      for (let j = 0; j < m; j++) u[i * m + j] = w[i * n + j];
    }
    triangularSolveInPlace(u, 0, m, true, false, false, v, 0, 1);
    for (let i = 0; i < m; i++) adjU[i * n + m] = p * v[i];
    adjU[n * n - 1] = p;
  }
  for (let i = 0; i < n * n; i++) adjU[i] *= sign;
  // M·L = adjU ⇔ Lᵀ·Mᵀ = adjUᵀ: columns of M from the last (L unit lower)
  for (let j = n - 1; j >= 0; j--) for (let l = j + 1; l < n; l++) for (let i = 0; i < n; i++) adjU[i * n + j] -= adjU[i * n + l] * w[l * n + j];
  // Q·M·P: rows swapped back by colPiv (last step first), columns by rowPiv (last first); then transposed
  for (let s = r - 1; s >= 0; s--) {
    const q = colPiv[s];
    if (q !== s) for (let l = 0; l < n; l++) [adjU[s * n + l], adjU[q * n + l]] = [adjU[q * n + l], adjU[s * n + l]];
  }
  for (let s = r - 1; s >= 0; s--) {
    const q = rowPiv[s];
    if (q !== s) for (let l = 0; l < n; l++) [adjU[l * n + s], adjU[l * n + q]] = [adjU[l * n + q], adjU[l * n + s]];
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[oo + j * n + i] = adjU[i * n + j];
}

/**
 * Cholesky in place (LAPACK potrf, lower): the n×n symmetric matrix at a[o..] (its lower triangle
 * read) becomes L with A = L·Lᵀ and zeros above the diagonal. Returns 0, or the order k of the
 * first leading minor that is not positive-definite (columns from k on are left zero).
 */
export function choleskyInPlace(a: Float64Array, o: number, n: number): number {
  for (let j = 0; j < n; j++) {
    let d = a[o + j * n + j];
    for (let l = 0; l < j; l++) d -= a[o + j * n + l] ** 2;
    if (!(d > 0)) {
      for (let i = 0; i < n; i++) a.fill(0, o + i * n + Math.max(j, i + 1), o + i * n + n);
      return j + 1;
    }
    const djj = Math.sqrt(d);
    a[o + j * n + j] = djj;
    for (let i = j + 1; i < n; i++) {
      let v = a[o + i * n + j];
      for (let l = 0; l < j; l++) v -= a[o + i * n + l] * a[o + j * n + l];
      a[o + i * n + j] = v / djj;
    }
    for (let l = j + 1; l < n; l++) a[o + j * n + l] = 0;
  }
  return 0;
}
