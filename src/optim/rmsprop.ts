/** RMSprop (torch.optim.RMSprop, not centered). */
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import { checkNumber, Optimizer, type Hyper, type MaximizeOption, type OptimizerParams } from './optimizer.js';

export interface RMSpropOptions extends MaximizeOption {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
}
export interface RMSpropHyper extends Hyper {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
}

/**
 * RMSprop, PyTorch's formulation (ε is added after the square root):
 *
 *     g ← g + weightDecay·p
 *     s ← α·s + (1 − α)·g²                       (square_avg)
 *     momentum > 0:  buf ← momentum·buf + g / (√s + ε);  p ← p − lr·buf
 *     otherwise:     p ← p − lr·g / (√s + ε)
 *
 * Defaults lr = 1e-2, alpha = 0.99, eps = 1e-8. State: step, square_avg, momentum_buffer (momentum > 0).
 */
export class RMSprop extends Optimizer<RMSpropHyper> {
  protected readonly bufferNames = ['square_avg', 'momentum_buffer'];

  constructor(params: OptimizerParams, options: RMSpropOptions = {}) {
    super('RMSprop', params, options, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, maximize: false });
  }

  protected checkHyper(h: RMSpropHyper): void {
    const err = (m: string) => this.error(m);
    checkNumber(err, 'lr', h.lr, 0);
    checkNumber(err, 'alpha', h.alpha, 0, { max: 1 });
    checkNumber(err, 'eps', h.eps, 0);
    checkNumber(err, 'weightDecay', h.weightDecay, 0);
    checkNumber(err, 'momentum', h.momentum, 0);
  }

  protected buffers(h: RMSpropHyper): Record<string, number> {
    return h.momentum > 0 ? { square_avg: 0, momentum_buffer: 0 } : { square_avg: 0 };
  }

  protected kind(): 'rmsprop' {
    return 'rmsprop';
  }

  protected update(p: Tensor, g: Tensor, buffers: Record<string, Tensor>, h: RMSpropHyper): void {
    const { square_avg: s, momentum_buffer: buf } = buffers;
    if (h.momentum > 0) this.run(op('rmspropMomentumUpdate'), [p, g, s, buf], [0, 2, 3]);
    else this.run(op('rmspropUpdate'), [p, g, s], [0, 2]);
  }
}
