/**
 * The spectral decompositions on the host, in float64 on one row-major matrix at a time: the
 * symmetric eigendecomposition and the SVD by Jacobi rotations (slower than LAPACK's
 * tridiagonal/bidiagonal methods but short, and accurate to high relative precision for the small
 * matrices they meet here) and the QR by Householder reflections as LAPACK's dgeqrf/dorgqr, so Q
 * and R have LAPACK's (and torch's) signs. Eigen- and singular vectors have no sign of their own:
 * each is flipped so that its entry of largest magnitude (the first of those within 1e-9 of it)
 * is positive.
 */

/** Eigenvalues ascending and the eigenvectors as columns of an n×n matrix. */
export interface HostEigh {
  w: Float64Array;
  v: Float64Array;
}

/** Singular values descending, U m×ucols and V n×vcols (columns, not Vᵀ), k = min(m, n) values. */
export interface HostSvd {
  s: Float64Array;
  u: Float64Array;
  v: Float64Array;
  ucols: number;
  vcols: number;
}

const EPS = Number.EPSILON;

/** Column j of the rows×cols matrix x flipped so its largest entry (the first within 1e-9 of the largest) is positive; also flips column j of `twin`. */
function fixSign(x: Float64Array, rows: number, cols: number, j: number, twin?: Float64Array, twinRows = 0, twinCols = 0): void {
  let big = 0;
  for (let i = 0; i < rows; i++) big = Math.max(big, Math.abs(x[i * cols + j]));
  let i = 0;
  while (i < rows - 1 && Math.abs(x[i * cols + j]) < big * (1 - 1e-9)) i++;
  if (x[i * cols + j] >= 0) return;
  for (let r = 0; r < rows; r++) x[r * cols + j] = -x[r * cols + j];
  if (twin) for (let r = 0; r < twinRows; r++) twin[r * twinCols + j] = -twin[r * twinCols + j];
}

/** The columns of x (rows×cols) reordered: new column c is old column order[c]. */
function permuteColumns(x: Float64Array, rows: number, cols: number, order: readonly number[], outCols = cols): Float64Array {
  const y = new Float64Array(rows * outCols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < order.length; c++) y[r * outCols + c] = x[r * cols + order[c]];
  return y;
}

/**
 * The symmetric eigendecomposition of the n×n matrix at a[off…] reading only its lower (or upper)
 * triangle, by cyclic Jacobi: each rotation zeroes one off-diagonal pair (Golub & Van Loan's
 * symmetric Schur rotation, t the smaller root), sweeps until the off-diagonal mass is below
 * ε²·‖A‖²_F.
 */
export function hostEigh(a: Float64Array, off: number, n: number, lower: boolean): HostEigh {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = lower ? a[off + i * n + j] : a[off + j * n + i];
  const V = new Float64Array(n * n);
  // a non-finite entry makes every eigenvalue and eigenvector NaN (torch's LAPACK result)
  if (!A.every(Number.isFinite)) return { w: new Float64Array(n).fill(NaN), v: V.fill(NaN) };
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  let total = 0;
  for (const x of A) total += x * x;
  for (let sweep = 0; sweep < 60; sweep++) {
    let offMass = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) offMass += 2 * A[p * n + q] ** 2;
    if (offMass <= EPS * EPS * total) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        const tau = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.hypot(1, tau));
        const c = 1 / Math.hypot(1, t),
          s = t * c;
        rotate(A, n, n, p, q, c, s); // columns: A·J
        for (let k = 0; k < n; k++) {
          // rows: Jᵀ·(A·J)
          const x = A[p * n + k],
            y = A[q * n + k];
          A[p * n + k] = c * x - s * y;
          A[q * n + k] = s * x + c * y;
        }
        rotate(V, n, n, p, q, c, s);
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[i * n + i] - A[j * n + j]);
  const v = permuteColumns(V, n, n, order);
  for (let j = 0; j < n; j++) fixSign(v, n, n, j);
  return { w: Float64Array.from(order, (i) => A[i * n + i]), v };
}

/** Columns p and q of the rows×cols matrix x rotated: (c·x_p − s·x_q, s·x_p + c·x_q). */
function rotate(x: Float64Array, rows: number, cols: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < rows; k++) {
    const a = x[k * cols + p],
      b = x[k * cols + q];
    x[k * cols + p] = c * a - s * b;
    x[k * cols + q] = s * a + c * b;
  }
}

/**
 * Columns `from`… of the rows×cols matrix x (whose first `from` columns are orthonormal) filled
 * with an orthonormal basis of the rest of the space: the last columns of the complete Q of
 * those first columns' QR (Householder, so O(rows²·from), orthogonal to rounding).
 */
function completeColumns(x: Float64Array, rows: number, cols: number, from: number): void {
  if (from === cols) return;
  const first = new Float64Array(rows * from);
  for (let i = 0; i < rows; i++) for (let j = 0; j < from; j++) first[i * from + j] = x[i * cols + j];
  const { q } = hostQr(first, 0, rows, from, true);
  for (let i = 0; i < rows; i++) for (let j = from; j < cols; j++) x[i * cols + j] = q[i * rows + j];
}

/**
 * The SVD of the m×n matrix at a[off…] by one-sided Jacobi (Hestenes) on the taller orientation:
 * rotations orthogonalize the columns of W = A·V until every pair's cosine is below ε, then the
 * singular values are W's column norms and U = W·S⁻¹. Columns of U for (numerically) zero
 * singular values and, with `full`, the extra columns of U and V are completed orthonormally.
 */
export function hostSvd(a: Float64Array, off: number, m: number, n: number, full: boolean): HostSvd {
  if (m < n) {
    const t = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[off + i * n + j];
    const r = hostSvd(t, 0, n, m, full);
    // that normalized Aᵀ's U, A's V: the signs go to A's U, as for tall A
    for (let j = 0; j < m; j++) fixSign(r.v, m, r.vcols, j, r.u, n, r.ucols);
    return { s: r.s, u: r.v, v: r.u, ucols: r.vcols, vcols: r.ucols };
  }
  // m ≥ n from here
  const W = a.slice(off, off + m * n);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0, rotated = true; rotated && sweep < 60; sweep++) {
    rotated = false;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        let alpha = 0,
          beta = 0,
          gamma = 0;
        for (let k = 0; k < m; k++) {
          const x = W[k * n + p],
            y = W[k * n + q];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.hypot(1, zeta));
        const c = 1 / Math.hypot(1, t);
        rotate(W, m, n, p, q, c, t * c);
        rotate(V, n, n, p, q, c, t * c);
      }
  }
  const norms = Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += W[i * n + j] ** 2;
    return Math.sqrt(s);
  });
  const order = norms.map((_, j) => j).sort((i, j) => norms[j] - norms[i]);
  const s = Float64Array.from(order, (j) => norms[j]);
  const ucols = full ? m : n;
  const u = permuteColumns(W, m, n, order, ucols);
  const v = permuteColumns(V, n, n, order);
  // columns with σ ≤ ε·σ₁·m carry only rounding: completed instead of normalized
  let rank = 0;
  while (rank < n && s[rank] > EPS * s[0] * m) rank++;
  for (let j = 0; j < rank; j++) for (let i = 0; i < m; i++) u[i * ucols + j] /= s[j];
  completeColumns(u, m, ucols, rank);
  for (let j = 0; j < n; j++) fixSign(u, m, ucols, j, v, n, n);
  return { s, u, v, ucols, vcols: n };
}

/** Q (m×qcols) and R (rrows×n) of a QR; R's diagonal is LAPACK's, −sign(pivot)·‖column‖. */
export interface HostQr {
  q: Float64Array;
  r: Float64Array;
  qcols: number;
  rrows: number;
}

/**
 * LAPACK's dgeqrf on the m×n matrix at a[off…]: R on and above the diagonal, below it the
 * Householder vectors' tails, and τ (k = min(m, n) values). Reflector j is H_j = I − τ_j·v_j·v_jᵀ
 * with v_j = (0…0, 1, a[j+1:, j]) (dlarfg: β = −sign(α)·‖(α, x)‖, τ = (β − α)/β, v = x/(α − β);
 * τ = 0 and no reflection when the column below the pivot is zero already).
 */
export function hostGeqrf(a: Float64Array, off: number, m: number, n: number): { a: Float64Array; tau: Float64Array } {
  const k = Math.min(m, n);
  const R = a.slice(off, off + m * n);
  const tau = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const alpha = R[j * n + j];
    let xnorm = 0;
    for (let i = j + 1; i < m; i++) xnorm = Math.hypot(xnorm, R[i * n + j]);
    if (xnorm === 0) continue;
    const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xnorm);
    tau[j] = (beta - alpha) / beta;
    for (let i = j + 1; i < m; i++) R[i * n + j] /= alpha - beta;
    applyReflector(R, m, n, reflectorVector(R, m, n, j), tau[j], j, j + 1);
    R[j * n + j] = beta;
  }
  return { a: R, tau };
}

/** v_j of a compact QR c (m×n): 1 at row j, c's column j below it, zeros above. */
function reflectorVector(c: Float64Array, m: number, n: number, j: number): Float64Array {
  const v = new Float64Array(m);
  v[j] = 1;
  for (let i = j + 1; i < m; i++) v[i] = c[i * n + j];
  return v;
}

/**
 * The QR of the m×n matrix at a[off…] from hostGeqrf's reflectors (so Q and R have LAPACK's signs)
 * and dorgqr (Q = H₀·H₁·…·I). `complete` gives Q m×m and R m×n, else Q m×k and R k×n.
 */
export function hostQr(a: Float64Array, off: number, m: number, n: number, complete: boolean): HostQr {
  const k = Math.min(m, n);
  const { a: c, tau } = hostGeqrf(a, off, m, n);
  const qcols = complete ? m : k,
    rrows = complete ? m : k;
  const r = new Float64Array(rrows * n);
  for (let i = 0; i < Math.min(rrows, k); i++) for (let j = i; j < n; j++) r[i * n + j] = c[i * n + j];
  const q = new Float64Array(m * qcols);
  for (let i = 0; i < qcols; i++) q[i * qcols + i] = 1;
  for (let j = k - 1; j >= 0; j--) applyReflector(q, m, qcols, reflectorVector(c, m, n, j), tau[j], j, 0);
  return { q, r, qcols, rrows };
}

/** x ← (I − τ·v·vᵀ)·x on columns from `col` on, v zero above row `top`. */
function applyReflector(x: Float64Array, rows: number, cols: number, v: Float64Array, tau: number, top: number, col: number): void {
  if (tau === 0) return;
  for (let c = col; c < cols; c++) {
    let d = 0;
    for (let i = top; i < rows; i++) d += v[i] * x[i * cols + c];
    d *= tau;
    for (let i = top; i < rows; i++) x[i * cols + c] -= d * v[i];
  }
}

/** The inverse of the upper-triangular n×n matrix r (leading n×n block of an r with `cols` columns), or null when a diagonal entry is 0. */
export function upperInverse(r: Float64Array, n: number, cols: number): Float64Array | null {
  const x = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    // column j of R⁻¹ by back substitution of R·x = e_j
    for (let i = j; i >= 0; i--) {
      let s = i === j ? 1 : 0;
      for (let l = i + 1; l <= j; l++) s -= r[i * cols + l] * x[l * n + j];
      if (r[i * cols + i] === 0) return null;
      x[i * n + j] = s / r[i * cols + i];
    }
  }
  return x;
}
