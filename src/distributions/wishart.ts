/**
 * torch.distributions.Wishart(df, covarianceMatrix | precisionMatrix | scaleTril): the distribution
 * of Σₖ xₖxₖᵀ over ν = df draws xₖ ~ N(0, Σ) (any real ν > p − 1), over p×p positive-definite
 * matrices. Everything is computed from L = chol Σ (torch's `_unbroadcasted_scale_tril`).
 * Samples by Bartlett's decomposition: X = (L·A)(L·A)ᵀ with A lower triangular, Aᵢᵢ = √χ²(ν − i)
 * and Aᵢⱼ ~ N(0, 1) below the diagonal; differentiable in L and (through the χ² draws' implicit
 * reparameterization) in ν.
 */
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { arange, randn } from '../api/creation.js';
import { where } from '../api/integer.js';
import { choleskySolve } from '../api/linalg-cholesky.js';
import { slogdet } from '../api/linalg-lu.js';
import { broadcastShapes } from '../ops/broadcast.js';
import { greaterThan, lowerCholesky, positiveDefinite, type Constraint } from './constraints.js';
import { ExponentialFamily } from './distribution.js';
import { Chi2 } from './gamma.js';
import { MATRICES, halfLogDet, matrixArgs, singleMatrix, toScaleTril, type MatrixOptions } from './matrix-params.js';
import { FLOAT32_EPS, asTensor, lazyProperty } from './utils.js';

const LOG2 = Math.log(2);
const FN = 'distributions.Wishart';

/** The keyword forms of Wishart's matrix. */
export type WishartOptions = MatrixOptions;

/** The multivariate digamma Σᵢ₌₀^{p−1} ψ(x − i/2) (torch's _mvdigamma): d/dx of mvlgamma(x, p). */
function mvdigamma(x: Tensor, p: number): Tensor {
  return x.unsqueeze(-1).sub(arange(p).div(2)).digamma().sum(-1);
}

export class Wishart extends ExponentialFamily {
  declare readonly df: Tensor;
  declare readonly covarianceMatrix: Tensor;
  declare readonly precisionMatrix: Tensor;
  declare readonly scaleTril: Tensor;
  /** The lower Cholesky factor of the scale matrix as given (its own batch, not broadcast with df's). */
  declare readonly _unbroadcastedScaleTril: Tensor;

  constructor(
    df: Tensor | number,
    covarianceMatrix?: Tensor | null | WishartOptions,
    precisionMatrix?: Tensor | null,
    scaleTril?: Tensor | null,
    opts?: WishartOptions,
  ) {
    const { mats, validateArgs } = matrixArgs(FN, covarianceMatrix, precisionMatrix, scaleTril, opts);
    const [name, m] = singleMatrix(FN, mats);
    if (m.ndim < 2)
      throw new ValueError(FN, `${name} must be at least two-dimensional, with optional leading batch dimensions, got shape [${m.shape.join(', ')}]`);
    const p = m.shape[m.ndim - 1];
    if (m.shape[m.ndim - 2] !== p) throw new ValueError(FN, `${name} must be a batch of square matrices, got shape [${m.shape.join(', ')}]`);
    if (!(df instanceof Tensor) && typeof df !== 'number') throw new ValueError(FN, `df must be a number or a Tensor, got ${fmtValue(df)}`);
    if (df instanceof Tensor) df.assertAlive(FN);
    const batchShape = df instanceof Tensor ? broadcastShapes(FN, [m.shape.slice(0, -2), df.shape]) : m.shape.slice(0, -2);
    // a number df is expanded to the batch too (torch keeps it 0-d, and its mean, mode and variance then fail on a batch)
    const nu = (df instanceof Tensor ? df : asTensor(df)).expand(batchShape);
    // torch raises here whether or not the arguments are validated
    if (
      nu
        .le(p - 1)
        .any()
        .item()
    )
      throw new ValueError(FN, `Value of df=${df instanceof Tensor ? fmtValue(df) : df} expected to be greater than ndim - 1 = ${p - 1}.`);
    if (nu.lt(p).any().item())
      console.warn('wasmgrad.distributions.Wishart: Low df values detected. Singular samples are highly likely to occur for ndim - 1 < df < ndim.');
    super(batchShape, [p, p], validateArgs, { [name]: m.expand([...batchShape, p, p]), df: nu });
    this.setScaleTril(toScaleTril(name, m));
  }
  private setScaleTril(L: Tensor): void {
    Object.defineProperty(this, '_unbroadcastedScaleTril', { value: L, writable: true, configurable: true, enumerable: false });
  }
  override get typeName(): string {
    return 'Wishart';
  }
  /** df > p − 1 (torch writes this bound into the class's arg_constraints at construction). */
  override get argConstraints(): Record<string, Constraint> {
    return {
      covarianceMatrix: positiveDefinite,
      precisionMatrix: positiveDefinite,
      scaleTril: lowerCholesky,
      df: greaterThan(this._eventShape[1] - 1),
    };
  }
  override get support(): Constraint {
    return positiveDefinite;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** batchShape + [p, p]. */
  get matrixShape(): number[] {
    return [...this._batchShape, ...this._eventShape];
  }
  /** df as batchShape + [1, 1], to scale a batch of matrices. */
  private dfMatrix(): Tensor {
    return this.df.reshape([...this._batchShape, 1, 1]);
  }
  /** νΣ. */
  override get mean(): Tensor {
    return this.dfMatrix().mul(this.covarianceMatrix);
  }
  /** (ν − p − 1)Σ, NaN where ν ≤ p + 1 (no mode inside the support). */
  override get mode(): Tensor {
    const factor = this.df.sub(this._eventShape[1] + 1);
    return where(factor.le(0), NaN, factor)
      .reshape([...this._batchShape, 1, 1])
      .mul(this.covarianceMatrix);
  }
  /** Var Xᵢⱼ = ν(Σᵢⱼ² + ΣᵢᵢΣⱼⱼ). */
  override get variance(): Tensor {
    const V = this.covarianceMatrix;
    const d = V.diagonal({ dim1: -2, dim2: -1 });
    return this.dfMatrix().mul(V.square().add(d.unsqueeze(-1).mul(d.unsqueeze(-2))));
  }
  override expand(batchShape: readonly number[]): Wishart {
    const shape = [...batchShape, ...this._eventShape];
    const params: Record<string, unknown> = { df: this.df.expand(batchShape) };
    for (const name of MATRICES) if (Object.prototype.hasOwnProperty.call(this, name)) params[name] = this[name].expand(shape);
    const copy = this.expanded(batchShape, params);
    copy.setScaleTril(this._unbroadcastedScaleTril.expand(shape));
    return copy;
  }

  /** (L·A)(L·A)ᵀ, A from Bartlett's decomposition: diagonal √χ²(ν − i) (at least eps, as torch), N(0, 1) below. */
  private bartlett(sampleShape: readonly number[]): Tensor {
    const p = this._eventShape[1];
    const chi2 = new Chi2(this.df.unsqueeze(-1).sub(arange(p)), { validateArgs: false });
    const diag = chi2.rsample(sampleShape).sqrt().clamp(FLOAT32_EPS).diagEmbed();
    const noise = diag.add(randn(this.extendedShape(sampleShape)).tril(-1));
    const chol = this._unbroadcastedScaleTril.matmul(noise);
    return chol.matmul(chol.mT);
  }
  /**
   * A Bartlett draw, each matrix that is not numerically positive definite redrawn up to
   * `maxTryCorrection` times (default 10; a singular draw can remain, its logProb −∞). torch 1.13
   * marks the valid draws as singular (`is_singular = support.check(sample)`, missing a `~`) and
   * so redraws every sample and warns each time; this redraws only the singular ones, as intended.
   */
  override rsample(sampleShape: readonly number[] = [], maxTryCorrection = 10): Tensor {
    if (!Number.isInteger(maxTryCorrection) || maxTryCorrection < 0)
      throw new ValueError(`${FN}.rsample`, `maxTryCorrection must be an integer ≥ 0, got ${fmtValue(maxTryCorrection)}`);
    let sample = this.bartlett(sampleShape);
    for (let i = 0; i < maxTryCorrection; i++) {
      const singular = positiveDefinite.check(sample.detach()).eq(0);
      if (!singular.any().item()) break;
      if (i === 0) console.warn('wasmgrad.distributions.Wishart.rsample: Singular sample detected.');
      sample = where(singular.unsqueeze(-1).unsqueeze(-1), this.bartlett(sampleShape), sample);
    }
    return sample;
  }
  /** −ν(p·log2/2 + Σ log Lᵢᵢ) − mvlgamma(ν/2, p) + (ν − p − 1)/2·log|X| − tr(Σ⁻¹X)/2. */
  override logProb(value: Tensor | number): Tensor {
    const X = this.checked(value, 'logProb');
    const nu = this.df;
    const p = this._eventShape[1];
    const L = this._unbroadcastedScaleTril;
    const trace = choleskySolve(X, L).diagonal({ dim1: -2, dim2: -1 }).sum(-1);
    return nu
      .mul(halfLogDet(L).add((p * LOG2) / 2))
      .neg()
      .sub(nu.div(2).mvlgamma(p))
      .add(
        nu
          .sub(p + 1)
          .div(2)
          .mul(slogdet(X).logabsdet),
      )
      .sub(trace.div(2));
  }
  /** (p + 1)(p·log2/2 + Σ log Lᵢᵢ) + mvlgamma(ν/2, p) − (ν − p − 1)/2·mvdigamma(ν/2, p) + νp/2. */
  override entropy(): Tensor {
    const nu = this.df;
    const p = this._eventShape[1];
    const half = nu.div(2);
    return halfLogDet(this._unbroadcastedScaleTril)
      .add((p * LOG2) / 2)
      .mul(p + 1)
      .add(half.mvlgamma(p))
      .sub(
        nu
          .sub(p + 1)
          .div(2)
          .mul(mvdigamma(half, p)),
      )
      .add(nu.mul(p / 2));
  }
  /** θ = (−Σ⁻¹/2, (ν − p − 1)/2). */
  override get naturalParams(): Tensor[] {
    return [this.precisionMatrix.div(-2), this.df.sub(this._eventShape[1] + 1).div(2)];
  }
  /** F(x, y) = (y + (p + 1)/2)(p·log 2 − log|−2x|) + mvlgamma(y + (p + 1)/2, p). */
  override logNormalizer(x: Tensor, y: Tensor): Tensor {
    const p = this._eventShape[1];
    const a = y.add((p + 1) / 2);
    return a
      .mul(
        slogdet(x.mul(-2))
          .logabsdet.neg()
          .add(LOG2 * p),
      )
      .add(a.mvlgamma(p));
  }
  override get meanCarrierMeasure(): number {
    return 0;
  }
}
lazyProperty(Wishart.prototype, 'scaleTril', (d) => d._unbroadcastedScaleTril.expand(d.matrixShape));
lazyProperty(Wishart.prototype, 'covarianceMatrix', (d) => {
  const L = d._unbroadcastedScaleTril;
  return L.matmul(L.mT).expand(d.matrixShape);
});
lazyProperty(Wishart.prototype, 'precisionMatrix', (d) => d._unbroadcastedScaleTril.choleskyInverse().expand(d.matrixShape));
