/**
 * torch.distributions.LowRankMultivariateNormal: N(loc, W·Wᵀ + D) over vectors of length n, with
 * W = covFactor [..., n, m] and D = diag(covDiag) [..., n]. Nothing n×n is factorized: with the
 * capacitance C = I_m + Wᵀ·D⁻¹·W (m×m) and its Cholesky factor L_C, the matrix determinant lemma
 * gives log|W·Wᵀ + D| = 2·Σ log (L_C)ᵢᵢ + Σ log Dᵢ, and Woodbury's identity
 * (W·Wᵀ + D)⁻¹ = D⁻¹ − D⁻¹·W·C⁻¹·Wᵀ·D⁻¹ the Mahalanobis norm. Everything uses the parameters as
 * given (torch's `_unbroadcasted_*`), before the batch broadcast.
 */
import { Tensor } from '../engine/tensor.js';
import { ShapeError, ValueError, fmtShape, fmtValue } from '../errors.js';
import { randn } from '../api/creation.js';
import { eye } from '../api/factories.js';
import { cholesky } from '../api/linalg-cholesky.js';
import { solveTriangular } from '../api/linalg-lu.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { independent, positive, real, realVector, type Constraint } from './constraints.js';
import type { DistributionOptions } from './distribution.js';
import { GaussianVector } from './gaussian-vector.js';
import { batchMahalanobis } from './multivariate-normal.js';
import { lazyProperty } from './utils.js';

const LOG_2PI = Math.log(2 * Math.PI);
const FN = 'distributions.LowRankMultivariateNormal';

/** A·x for a batch of matrices A [..., n, m] and vectors x [..., m] (torch's _batch_mv). */
export const batchMv = (A: Tensor, x: Tensor): Tensor => A.matmul(x.unsqueeze(-1)).squeeze(-1);

/** Wᵀ·D⁻¹ [..., m, n]: the factor shared by the capacitance, the Mahalanobis norm and the KLs. */
export const wtDinv = (W: Tensor, D: Tensor): Tensor => W.mT.div(D.unsqueeze(-2));

/** The Cholesky factor of the capacitance I_m + Wᵀ·D⁻¹·W (torch's _batch_capacitance_tril). */
function capacitanceTril(W: Tensor, D: Tensor): Tensor {
  return cholesky(
    wtDinv(W, D)
      .matmul(W)
      .add(eye(W.shape[W.ndim - 1])),
  );
}

/** log|W·Wᵀ + D| = 2·Σ log (L_C)ᵢᵢ + Σ log Dᵢ (the matrix determinant lemma). */
export function lowrankLogdet(W: Tensor, D: Tensor, capTril: Tensor): Tensor {
  return capTril.diagonal({ dim1: -2, dim2: -1 }).log().sum(-1).mul(2).add(D.log().sum(-1));
}

/** xᵀ(W·Wᵀ + D)⁻¹x = Σ xᵢ²/Dᵢ − |L_C⁻¹·Wᵀ·D⁻¹·x|² (Woodbury). */
export function lowrankMahalanobis(W: Tensor, D: Tensor, x: Tensor, capTril: Tensor): Tensor {
  const term1 = x.square().div(D).sum(-1);
  return term1.sub(batchMahalanobis(capTril, batchMv(wtDinv(W, D), x)));
}

/** The shape [a, b, …] as torch.Size prints it in this class's messages. */
const size = (s: readonly number[]) => `torch.Size([${s.join(', ')}])`;

export class LowRankMultivariateNormal extends GaussianVector {
  declare readonly covFactor: Tensor;
  declare readonly covDiag: Tensor;
  declare readonly covarianceMatrix: Tensor;
  declare readonly precisionMatrix: Tensor;
  declare readonly scaleTril: Tensor;
  /** covFactor and covDiag as given (their own batch, not broadcast with loc's). */
  declare readonly _unbroadcastedCovFactor: Tensor;
  declare readonly _unbroadcastedCovDiag: Tensor;
  /** The Cholesky factor of the capacitance I + Wᵀ·D⁻¹·W. */
  declare readonly _capacitanceTril: Tensor;

  constructor(loc: Tensor, covFactor: Tensor, covDiag: Tensor, opts: DistributionOptions = {}) {
    for (const [name, v] of [
      ['loc', loc],
      ['covFactor', covFactor],
      ['covDiag', covDiag],
    ] as const) {
      if (!(v instanceof Tensor)) throw new ValueError(FN, `${name} must be a Tensor, got ${fmtValue(v)}`);
      v.assertAlive(FN);
    }
    if (opts === null || typeof opts !== 'object') throw new ValueError(FN, `options must be an object { validateArgs }, got ${fmtValue(opts)}`);
    if (loc.ndim < 1) throw new ValueError(FN, 'loc must be at least one-dimensional.');
    const n = loc.shape[loc.ndim - 1];
    if (covFactor.ndim < 2)
      throw new ValueError(FN, `cov_factor must be at least two-dimensional, with optional leading batch dimensions, got ${fmtShape(covFactor.shape)}`);
    if (covFactor.shape[covFactor.ndim - 2] !== n)
      throw new ValueError(FN, `cov_factor must be a batch of matrices with shape ${n} x m, got ${fmtShape(covFactor.shape)}`);
    if (covDiag.ndim < 1 || covDiag.shape[covDiag.ndim - 1] !== n)
      throw new ValueError(FN, `cov_diag must be a batch of vectors with shape ${size([n])}, got ${fmtShape(covDiag.shape)}`);
    const m = covFactor.shape[covFactor.ndim - 1];
    let shape: number[];
    try {
      shape = broadcastShapes(FN, [[...loc.shape, 1], covFactor.shape, [...covDiag.shape, 1]]);
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      throw new ValueError(FN, `Incompatible batch shapes: loc ${size(loc.shape)}, cov_factor ${size(covFactor.shape)}, cov_diag ${size(covDiag.shape)}`);
    }
    const batchShape = shape.slice(0, -2);
    const vecShape = [...batchShape, n];
    super(batchShape, [n], opts.validateArgs, { loc: loc.expand(vecShape), covFactor: covFactor.expand([...vecShape, m]), covDiag: covDiag.expand(vecShape) });
    this.setHidden(covFactor, covDiag, capacitanceTril(covFactor, covDiag));
  }
  /** The factors computed from the parameters as given, kept out of toString and the parameter list. */
  private setHidden(W: Tensor, D: Tensor, capTril: Tensor): void {
    for (const [k, value] of [
      ['_unbroadcastedCovFactor', W],
      ['_unbroadcastedCovDiag', D],
      ['_capacitanceTril', capTril],
    ] as const)
      Object.defineProperty(this, k, { value, writable: true, configurable: true, enumerable: false });
  }
  override get typeName(): string {
    return 'LowRankMultivariateNormal';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { loc: realVector, covFactor: independent(real, 2), covDiag: independent(positive, 1) };
  }
  /** diag(W·Wᵀ + D) = Σⱼ Wᵢⱼ² + Dᵢ. */
  override get variance(): Tensor {
    return this._unbroadcastedCovFactor
      .square()
      .sum(-1)
      .add(this._unbroadcastedCovDiag)
      .expand([...this._batchShape, ...this._eventShape]);
  }
  override expand(batchShape: readonly number[]): LowRankMultivariateNormal {
    const vecShape = [...batchShape, ...this._eventShape];
    const copy = this.expanded(batchShape, {
      loc: this.loc.expand(vecShape),
      covFactor: this.covFactor.expand([...vecShape, this.covFactor.shape[this.covFactor.ndim - 1]]),
      covDiag: this.covDiag.expand(vecShape),
    });
    copy.setHidden(this._unbroadcastedCovFactor, this._unbroadcastedCovDiag, this._capacitanceTril);
    return copy;
  }
  /** loc + W·ε_W + √D·ε_D with ε_W [..., m] and ε_D [..., n] standard normal. */
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const W = this._unbroadcastedCovFactor;
    const epsW = randn([...shape.slice(0, -1), W.shape[W.ndim - 1]]);
    const epsD = randn(shape);
    return this.loc.add(batchMv(W, epsW)).add(this._unbroadcastedCovDiag.sqrt().mul(epsD));
  }
  /** −½(n·log 2π + log|Σ| + (x − μ)ᵀΣ⁻¹(x − μ)), both terms by the capacitance. */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const W = this._unbroadcastedCovFactor,
      D = this._unbroadcastedCovDiag;
    const M = lowrankMahalanobis(W, D, x.sub(this.loc), this._capacitanceTril);
    const logDet = lowrankLogdet(W, D, this._capacitanceTril);
    return M.add(logDet)
      .add(this._eventShape[0] * LOG_2PI)
      .mul(-0.5);
  }
  /** ½(n·(1 + log 2π) + log|Σ|), over the batch. */
  override entropy(): Tensor {
    return this.gaussianEntropy(lowrankLogdet(this._unbroadcastedCovFactor, this._unbroadcastedCovDiag, this._capacitanceTril).mul(0.5));
  }
}

/**
 * W·Wᵀ + D = D^½·(I + D^-½·W·Wᵀ·D^-½)·D^½: the middle factor has eigenvalues ≥ 1, so its Cholesky
 * factor is well conditioned (torch's choice, after GPML §3.4.3); L = D^½·chol(…) row by row.
 */
lazyProperty(LowRankMultivariateNormal.prototype, 'scaleTril', (d) => {
  const sqrtD = d._unbroadcastedCovDiag.sqrt().unsqueeze(-1);
  const DinvsqrtW = d._unbroadcastedCovFactor.div(sqrtD);
  const K = DinvsqrtW.matmul(DinvsqrtW.mT).add(eye(d.eventShape[0]));
  return sqrtD.mul(cholesky(K)).expand(d.matrixShape);
});
lazyProperty(LowRankMultivariateNormal.prototype, 'covarianceMatrix', (d) => {
  const W = d._unbroadcastedCovFactor;
  return W.matmul(W.mT).add(d._unbroadcastedCovDiag.diagEmbed()).expand(d.matrixShape);
});
/** D⁻¹ − AᵀA with A = L_C⁻¹·Wᵀ·D⁻¹ (Woodbury). */
lazyProperty(LowRankMultivariateNormal.prototype, 'precisionMatrix', (d) => {
  const A = solveTriangular(d._capacitanceTril, wtDinv(d._unbroadcastedCovFactor, d._unbroadcastedCovDiag), { upper: false });
  return d._unbroadcastedCovDiag.reciprocal().diagEmbed().sub(A.mT.matmul(A)).expand(d.matrixShape);
});
