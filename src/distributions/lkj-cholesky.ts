/**
 * torch.distributions.LKJCholesky(dim, concentration η): the lower Cholesky factor L of a dim×dim
 * correlation matrix M = L·Lᵀ with density ∝ det(M)^(η − 1) (Lewandowski, Kurowicka and Joe 2009,
 * LKJ). Samples by the onion method (LKJ §3.2, vectorized as NumPyro's): row i ≥ 1 of L is √yᵢ·uᵢ
 * on its first i entries, with yᵢ ~ Beta(i/2, η + (dim − 2)/2 − (i − 1)/2) and uᵢ uniform on the
 * unit sphere, and √(1 − yᵢ) on the diagonal. torch 1.13 draws yᵢ ~ Beta(i − ½, …) instead (its port
 * of NumPyro drops a ½ from the first concentration), so its draws are not LKJ-distributed beyond
 * dim 2 (each correlation's variance is 0.30 for dim 3, η = 1, against LKJ's 1/(2η + dim − 1) = 0.25);
 * these follow the density logProb gives. No rsample (torch has none).
 */
import type { Tensor } from '../engine/tensor.js';
import { noGrad } from '../engine/engine.js';
import { ValueError, fmtValue } from '../errors.js';
import { arange, randn, tensor } from '../api/creation.js';
import { Beta } from './beta.js';
import { corrCholesky, positive, type Constraint } from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { FLOAT32_TINY, broadcastAll } from './utils.js';

const FN = 'distributions.LKJCholesky';

export class LKJCholesky extends Distribution {
  declare readonly concentration: Tensor;
  /** The matrix size. */
  declare readonly dim: number;

  constructor(dim: number, concentration: Tensor | number = 1, opts: DistributionOptions = {}) {
    if (!Number.isInteger(dim) || dim < 2) throw new ValueError(FN, `Expected dim to be an integer greater than or equal to 2. Found dim=${fmtValue(dim)}.`);
    const [c] = broadcastAll(FN, concentration);
    super(c.shape, [dim, dim], opts.validateArgs, { concentration: c });
    Object.defineProperty(this, 'dim', { value: dim, writable: true, configurable: true, enumerable: false });
  }
  override get typeName(): string {
    return 'LKJCholesky';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { concentration: positive };
  }
  override get support(): Constraint {
    return corrCholesky;
  }
  override expand(batchShape: readonly number[]): LKJCholesky {
    const copy = this.expanded(batchShape, { concentration: this.concentration.expand(batchShape) });
    Object.defineProperty(copy, 'dim', { value: this.dim, writable: true, configurable: true, enumerable: false });
    return copy;
  }
  /**
   * The onion method, vectorized over the rows: with offset = [0, 0, 1, …, dim − 2], row i's
   * squared norm below the diagonal is yᵢ ~ Beta(offsetᵢ/2 + ½, η + (dim − 2)/2 − offsetᵢ/2) (row 0's
   * draw is unused: it has no entry below the diagonal), its direction a normalized Gaussian.
   */
  override sample(sampleShape: readonly number[] = []): Tensor {
    return noGrad(() => {
      const shape = this.extendedShape(sampleShape);
      const offset = tensor([0, ...Array.from({ length: this.dim - 1 }, (_, i) => i)]);
      const marginal = this.concentration.add(0.5 * (this.dim - 2));
      const beta = new Beta(offset.mul(0.5).add(0.5), marginal.unsqueeze(-1).sub(offset.mul(0.5)), { validateArgs: false });
      const y = beta.sample(sampleShape).unsqueeze(-1);
      const u = randn(shape).tril(-1);
      // row 0 is all zeros: dividing by a norm kept ≥ tiny leaves it 0 (torch divides, then overwrites the NaNs with 0)
      const onSphere = u.div(u.norm(2, -1, true).clamp(FLOAT32_TINY));
      const w = y.sqrt().mul(onSphere);
      const diag = w.square().sum(-1).neg().add(1).clamp(FLOAT32_TINY).sqrt();
      return w.add(diag.diagEmbed());
    });
  }
  /**
   * Σᵢ₌₁^{dim−1} (2(η − 1) + dim − 1 − i)·log Lᵢᵢ (det(M)^(η−1) times the Jacobian ∏ Lᵢᵢ^(dim−1−i)
   * of L ↦ L·Lᵀ) minus the log normalizer (dim − 1)/2·log π + mvlgamma(α − ½, dim − 1) −
   * (dim − 1)·lgamma α, α = η + (dim − 1)/2 (LKJ 2009, p. 1999).
   */
  override logProb(value: Tensor | number): Tensor {
    const L = this.checked(value, 'logProb');
    const dim = this.dim;
    const diag = L.diagonal({ dim1: -1, dim2: -2 }).narrow(-1, 1, dim - 1);
    const order = this.concentration
      .sub(1)
      .mul(2)
      .unsqueeze(-1)
      .add(
        arange(2, dim + 1)
          .neg()
          .add(dim),
      );
    const unnormalized = order.mul(diag.log()).sum(-1);
    const dm1 = dim - 1;
    const alpha = this.concentration.add(0.5 * dm1);
    const denominator = alpha.lgamma().mul(dm1);
    const numerator = alpha.sub(0.5).mvlgamma(dm1);
    const normalizer = numerator.sub(denominator).add(0.5 * dm1 * Math.log(Math.PI));
    return unnormalized.sub(normalizer);
  }
}
