/** RAdam (torch.optim.RAdam): Adam with the variance of the adaptive learning rate rectified. */
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import { checkBetasHyper, type BetasHyper, type BetasOptions } from './adam.js';
import { Optimizer, type OptimizerParams, torchHyper, BETAS_ORDER, type TorchHyperArgs } from './optimizer.js';

export type RAdamOptions = BetasOptions;
export type RAdamHyper = BetasHyper;

/**
 * RAdam, PyTorch 1.13's formulation (step t = 1, 2, …; L2 weight decay):
 *
 *     g ← g + weightDecay·p
 *     m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *     ρ∞ = 2/(1 − β2) − 1,  ρt = ρ∞ − 2t·β2^t / (1 − β2^t)
 *     ρt > 5:  p ← p − lr·r·m/(1 − β1^t) · √(1 − β2^t) / (√v + ε),
 *              r = √((ρt − 4)(ρt − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρt))
 *     else:    p ← p − lr·m/(1 − β1^t)          (SGD with momentum for the first steps)
 *
 * Defaults lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0. State: step, exp_avg, exp_avg_sq.
 */
export class RAdam extends Optimizer<RAdamHyper> {
  protected override readonly bufferNames = ['exp_avg', 'exp_avg_sq'];

  constructor(params: OptimizerParams, ...args: [options?: RAdamOptions] | TorchHyperArgs) {
    super('RAdam', params, torchHyper('RAdam', args, BETAS_ORDER), { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false });
  }

  protected override checkHyper(h: RAdamHyper): void {
    checkBetasHyper((m) => this.error(m), h);
  }

  protected override buffers(): Record<string, number> {
    return { exp_avg: 0, exp_avg_sq: 0 };
  }

  protected override kind(): 'radam' {
    return 'radam';
  }

  protected override update(p: Tensor, g: Tensor, buffers: Record<string, Tensor>): void {
    this.run(op('radamUpdate'), [p, g, buffers.exp_avg, buffers.exp_avg_sq], [0, 2, 3]);
  }
}
