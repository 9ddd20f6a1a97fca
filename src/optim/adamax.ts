/** Adamax (torch.optim.Adamax): Adam with the infinity norm in place of the second moment. */
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import { checkBetasHyper, type BetasHyper, type BetasOptions } from './adam.js';
import { Optimizer, type OptimizerParams, torchHyper, BETAS_ORDER, type TorchHyperArgs } from './optimizer.js';

export type AdamaxOptions = BetasOptions;
export type AdamaxHyper = BetasHyper;

/**
 * Adamax, PyTorch's formulation (step t = 1, 2, …):
 *
 *     g ← g + weightDecay·p
 *     m ← β1·m + (1 − β1)·g                  (exp_avg)
 *     u ← max(β2·u, |g| + ε)                 (exp_inf; ε inside the max, as PyTorch)
 *     p ← p − lr/(1 − β1^t) · m / u
 *
 * Defaults lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0. State: step, exp_avg, exp_inf.
 */
export class Adamax extends Optimizer<AdamaxHyper> {
  protected override readonly bufferNames = ['exp_avg', 'exp_inf'];

  constructor(params: OptimizerParams, ...args: [options?: AdamaxOptions] | TorchHyperArgs) {
    super('Adamax', params, torchHyper('Adamax', args, BETAS_ORDER), { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false });
  }

  protected override checkHyper(h: AdamaxHyper): void {
    checkBetasHyper((m) => this.error(m), h);
  }

  protected override buffers(): Record<string, number> {
    return { exp_avg: 0, exp_inf: 0 };
  }

  protected override kind(): 'adamax' {
    return 'adamax';
  }

  protected override update(p: Tensor, g: Tensor, buffers: Record<string, Tensor>): void {
    this.run(op('adamaxUpdate'), [p, g, buffers.exp_avg, buffers.exp_inf], [0, 2, 3]);
  }
}
