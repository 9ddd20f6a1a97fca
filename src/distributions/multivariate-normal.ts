/**
 * torch.distributions.MultivariateNormal: N(loc, Σ) over vectors of length n, given by exactly one
 * of covarianceMatrix Σ, precisionMatrix Σ⁻¹ or scaleTril L (Σ = L·Lᵀ, lower triangular with a
 * positive diagonal). Everything is computed from L (torch's `_unbroadcasted_scale_tril`, the
 * factor as given, before the batch broadcast): log-densities by triangular solves, samples
 * loc + L·ε with ε from the seeded stream.
 */
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { randn } from '../api/creation.js';
import { solveTriangular } from '../api/linalg-lu.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { lowerCholesky, positiveDefinite, realVector, type Constraint } from './constraints.js';
import { GaussianVector } from './gaussian-vector.js';
import { registerKl } from './kl.js';
import { MATRICES, TORCH_NAMES, halfLogDet, matrixArgs, singleMatrix, toScaleTril, type MatrixOptions } from './matrix-params.js';
import { lazyProperty } from './utils.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** The keyword forms of MultivariateNormal's matrices. */
export type MultivariateNormalOptions = MatrixOptions;

/** Σ_i (L⁻¹x)_i²: the squared Mahalanobis norm of x [..., n] under L [..., n, n] (batches broadcast). */
export function batchMahalanobis(L: Tensor, x: Tensor): Tensor {
  return solveTriangular(L, x.unsqueeze(-1), { upper: false }).square().sum([-2, -1]);
}

export class MultivariateNormal extends GaussianVector {
  declare readonly covarianceMatrix: Tensor;
  declare readonly precisionMatrix: Tensor;
  declare readonly scaleTril: Tensor;
  /** The lower Cholesky factor of the covariance as given (its own batch, not broadcast with loc's). */
  declare readonly _unbroadcastedScaleTril: Tensor;

  constructor(
    loc: Tensor,
    covarianceMatrix?: Tensor | null | MultivariateNormalOptions,
    precisionMatrix?: Tensor | null,
    scaleTril?: Tensor | null,
    opts?: MultivariateNormalOptions,
  ) {
    const fn = 'distributions.MultivariateNormal';
    const { mats, validateArgs } = matrixArgs(fn, covarianceMatrix, precisionMatrix, scaleTril, opts);
    if (!(loc instanceof Tensor)) throw new ValueError(fn, `loc must be a Tensor, got ${fmtValue(loc)}`);
    if (loc.ndim < 1) throw new ValueError(fn, 'loc must be at least one-dimensional.');
    const [name, m] = singleMatrix(fn, mats);
    if (m.ndim < 2) throw new ValueError(fn, `${TORCH_NAMES[name]} matrix must be at least two-dimensional, with optional leading batch dimensions`);
    const n = loc.shape[loc.ndim - 1];
    if (m.shape[m.ndim - 1] !== n || m.shape[m.ndim - 2] !== n)
      throw new ValueError(fn, `${name} must be [..., ${n}, ${n}] to match loc's ${n} events, got [${m.shape.join(', ')}]`);
    const batchShape = broadcastShapes(fn, [m.shape.slice(0, -2), loc.shape.slice(0, -1)]);
    super(batchShape, [n], validateArgs, { [name]: m.expand([...batchShape, n, n]), loc: loc.expand([...batchShape, n]) });
    const L = toScaleTril(name, m);
    Object.defineProperty(this, '_unbroadcastedScaleTril', { value: L, writable: true, configurable: true, enumerable: false });
  }
  override get typeName(): string {
    return 'MultivariateNormal';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { loc: realVector, covarianceMatrix: positiveDefinite, precisionMatrix: positiveDefinite, scaleTril: lowerCholesky };
  }
  /** The diagonal of Σ: the row sums of L². */
  override get variance(): Tensor {
    return this._unbroadcastedScaleTril
      .square()
      .sum(-1)
      .expand([...this._batchShape, ...this._eventShape]);
  }
  override expand(batchShape: readonly number[]): MultivariateNormal {
    const n = this._eventShape[0];
    const params: Record<string, unknown> = { loc: this.loc.expand([...batchShape, n]) };
    for (const name of MATRICES) if (Object.prototype.hasOwnProperty.call(this, name)) params[name] = this[name].expand([...batchShape, n, n]);
    const copy = this.expanded(batchShape, params);
    Object.defineProperty(copy, '_unbroadcastedScaleTril', { value: this._unbroadcastedScaleTril, writable: true, configurable: true, enumerable: false });
    return copy;
  }
  /** loc + L·ε. */
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const eps = randn(this.extendedShape(sampleShape));
    return this.loc.add(this._unbroadcastedScaleTril.matmul(eps.unsqueeze(-1)).squeeze(-1));
  }
  /** −½(n·log 2π + |L⁻¹(x − μ)|²) − Σ log Lᵢᵢ. */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const m = batchMahalanobis(this._unbroadcastedScaleTril, x.sub(this.loc));
    return m
      .add(this._eventShape[0] * LOG_2PI)
      .mul(-0.5)
      .sub(halfLogDet(this._unbroadcastedScaleTril));
  }
  /** ½·n·(1 + log 2π) + Σ log Lᵢᵢ, over the batch. */
  override entropy(): Tensor {
    return this.gaussianEntropy(halfLogDet(this._unbroadcastedScaleTril));
  }
}
lazyProperty(MultivariateNormal.prototype, 'scaleTril', (d) => d._unbroadcastedScaleTril.expand(d.matrixShape));
lazyProperty(MultivariateNormal.prototype, 'covarianceMatrix', (d) => {
  const L = d._unbroadcastedScaleTril;
  return L.matmul(L.mT).expand(d.matrixShape);
});
lazyProperty(MultivariateNormal.prototype, 'precisionMatrix', (d) => d._unbroadcastedScaleTril.choleskyInverse().expand(d.matrixShape));

/**
 * log(det Σq/det Σp)/2 + ½(tr(Σq⁻¹Σp) + (μq − μp)ᵀΣq⁻¹(μq − μp) − n), the trace as the squared
 * Frobenius norm of Lq⁻¹Lp.
 */
registerKl(MultivariateNormal, MultivariateNormal, (p, q) => {
  if (p.eventShape[0] !== q.eventShape[0])
    throw new ValueError('distributions.klDivergence', 'KL-divergence between two Multivariate Normals with different event shapes cannot be computed');
  const Lp = p._unbroadcastedScaleTril,
    Lq = q._unbroadcastedScaleTril;
  const halfTerm1 = halfLogDet(Lq).sub(halfLogDet(Lp));
  const n = p.eventShape[0];
  const term2 = solveTriangular(Lq, Lp, { upper: false }).square().sum([-2, -1]);
  const term3 = batchMahalanobis(Lq, q.loc.sub(p.loc));
  return halfTerm1.add(term2.add(term3).sub(n).mul(0.5));
});
