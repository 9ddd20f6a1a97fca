/**
 * torch.distributions.Dirichlet(concentration) on the simplex of the last dim (the event). Samples
 * are G/ΣG of K gamma draws G_k ~ Gamma(α_k, 1) (draw.ts, the seeded stream): rsample is
 * differentiable in α through each draw's implicit reparameterization gradient, so
 * ∂x_j/∂α_k = (δ_jk − x_j)·(∂G_k/∂α_k)/ΣG. torch's rsample differentiates instead through
 * _dirichlet_grad (an approximation of each marginal Beta(α_k, Σα − α_k)'s implicit gradient): both
 * are unbiased estimators of ∂E[f(x)]/∂α, their per-sample values differ.
 */
import { Tensor } from '../engine/tensor.js';
import { ValueError, fmtValue } from '../errors.js';
import { where } from '../api/integer.js';
import { arange } from '../api/creation.js';
import { independent, positive, simplex, type Constraint } from './constraints.js';
import { ExponentialFamily, type DistributionOptions } from './distribution.js';
import { standardGamma } from './draw.js';
import { FLOAT32_TINY } from './utils.js';

/** x with its values (not its gradient) kept ≥ float32's tiny, as torch clamps its gamma and Dirichlet draws. */
const clampTiny = (x: Tensor): Tensor => x.add(x.detach().clamp(FLOAT32_TINY).sub(x.detach()));

export class Dirichlet extends ExponentialFamily {
  declare readonly concentration: Tensor;

  constructor(concentration: Tensor, opts: DistributionOptions = {}) {
    const fn = 'distributions.Dirichlet';
    if (!(concentration instanceof Tensor) || concentration.ndim < 1)
      throw new ValueError(fn, `\`concentration\` parameter must be at least one-dimensional, got ${fmtValue(concentration)}`);
    concentration.assertAlive(fn);
    const c = concentration.dtype === 'float32' ? concentration : concentration.float();
    super(c.shape.slice(0, -1), c.shape.slice(-1), opts.validateArgs, { concentration: c });
  }
  override get typeName(): string {
    return 'Dirichlet';
  }
  override get argConstraints(): Record<string, Constraint> {
    return { concentration: independent(positive, 1) };
  }
  override get support(): Constraint {
    return simplex;
  }
  override get hasRsample(): boolean {
    return true;
  }
  override get mean(): Tensor {
    return this.concentration.div(this.concentration.sum(-1, true));
  }
  /**
   * (α − 1)₊/Σ(α − 1)₊; where every α < 1 that is 0/0, and torch puts the one-hot of the argmax of
   * a row of NaN, i.e. of the first component.
   */
  override get mode(): Tensor {
    const m = this.concentration.sub(1).clamp(0);
    const allBelow = this.concentration.lt(1).all(-1, true);
    // the denominator 1 in those rows: the where then picks the one-hot, and no 0/0 sends NaN into the gradient
    const mode = m.div(where(allBelow, 1, m.sum(-1, true)));
    return where(allBelow, arange(this._eventShape[0]).eq(0), mode);
  }
  /** α_k(α₀ − α_k)/(α₀²(α₀ + 1)), α₀ = Σα. */
  override get variance(): Tensor {
    const a = this.concentration;
    const a0 = a.sum(-1, true);
    return a.mul(a0.sub(a)).div(a0.square().mul(a0.add(1)));
  }
  override expand(batchShape: readonly number[]): Dirichlet {
    return this.expanded(batchShape, { concentration: this.concentration.expand([...batchShape, ...this._eventShape]) });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const gammas = clampTiny(standardGamma(this.concentration, this.extendedShape(sampleShape)));
    return clampTiny(gammas.div(gammas.sum(-1, true)));
  }
  /** Σ log(x)·(α − 1) + lgamma(Σα) − Σ lgamma(α) (torch's form: log x times, not xlogy). */
  override logProb(value: Tensor | number): Tensor {
    const x = this.checked(value, 'logProb');
    const a = this.concentration;
    return x.log().mul(a.sub(1)).sum(-1).add(a.sum(-1).lgamma()).sub(a.lgamma().sum(-1));
  }
  /** Σ lgamma(α) − lgamma(α₀) − (K − α₀)·ψ(α₀) − Σ (α − 1)·ψ(α). */
  override entropy(): Tensor {
    const a = this.concentration;
    const k = a.shape[a.ndim - 1];
    const a0 = a.sum(-1);
    return a.lgamma().sum(-1).sub(a0.lgamma()).sub(a0.neg().add(k).mul(a0.digamma())).sub(a.sub(1).mul(a.digamma()).sum(-1));
  }
  override get naturalParams(): Tensor[] {
    return [this.concentration];
  }
  override logNormalizer(x: Tensor): Tensor {
    return x.lgamma().sum(-1).sub(x.sum(-1).lgamma());
  }
}
