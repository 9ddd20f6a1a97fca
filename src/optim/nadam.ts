/** NAdam (torch.optim.NAdam): Adam with Nesterov momentum and a momentum schedule. */
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import { checkBetasHyper, type BetasHyper, type BetasOptions } from './adam.js';
import { checkNumber, Optimizer, type OptimizerParams, torchHyper, BETAS_ORDER, type TorchHyperArgs } from './optimizer.js';

export interface NAdamOptions extends BetasOptions {
  /** ψ of the momentum schedule μt = β1·(1 − 0.96^(tψ)/2) (default 4e-3). */
  momentumDecay?: number;
}
export interface NAdamHyper extends BetasHyper {
  momentumDecay: number;
}

/**
 * NAdam, PyTorch's formulation (Dozat 2016; step t = 1, 2, …):
 *
 *     g ← g + weightDecay·p
 *     μt = β1·(1 − 0.96^(t·momentumDecay)/2),  Πt = μ1·…·μt   (mu_product)
 *     m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *     q = √v / √(1 − β2^t) + ε
 *     p ← p − lr·(1 − μt)/(1 − Πt) · g/q − lr·μt+1/(1 − Πt·μt+1) · m/q
 *
 * As torch ≥ 2.0 (and torch 1.13's foreach path): torch 1.13's default single-tensor path has μt
 * twice in the last denominator, a bug fixed in 2.0. Defaults lr = 2e-3, betas = [0.9, 0.999],
 * eps = 1e-8, weightDecay = 0, momentumDecay = 4e-3. State: step, mu_product, exp_avg, exp_avg_sq.
 */
export class NAdam extends Optimizer<NAdamHyper> {
  protected override readonly bufferNames = ['exp_avg', 'exp_avg_sq'];
  protected override readonly counterStates = ['mu_product'];

  constructor(params: OptimizerParams, ...args: [options?: NAdamOptions] | TorchHyperArgs) {
    super('NAdam', params, torchHyper('NAdam', args, [...BETAS_ORDER, 'momentumDecay']), {
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      momentumDecay: 4e-3,
      maximize: false,
    });
  }

  protected override checkHyper(h: NAdamHyper): void {
    const err = (m: string) => this.error(m);
    checkBetasHyper(err, h);
    checkNumber(err, 'momentumDecay', h.momentumDecay, 0);
  }

  protected override buffers(): Record<string, number> {
    return { exp_avg: 0, exp_avg_sq: 0 };
  }

  protected override kind(): 'nadam' {
    return 'nadam';
  }

  protected override update(p: Tensor, g: Tensor, buffers: Record<string, Tensor>): void {
    this.run(op('nadamUpdate'), [p, g, buffers.exp_avg, buffers.exp_avg_sq], [0, 2, 3]);
  }
}
