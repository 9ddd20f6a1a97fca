/** RMSprop (torch.optim.RMSprop), plain or centered. */
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import { checkBool, checkNumber, Optimizer, type Hyper, type MaximizeOption, type OptimizerParams, torchHyper, type TorchHyperArgs } from './optimizer.js';

export interface RMSpropOptions extends MaximizeOption {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  /** Normalize by an estimate of the gradient's variance instead of its second moment (default false). */
  centered?: boolean;
}
export interface RMSpropHyper extends Hyper {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}

/**
 * RMSprop, PyTorch's formulation (ε is added after the square root):
 *
 *     g ← g + weightDecay·p
 *     s ← α·s + (1 − α)·g²                       (square_avg)
 *     a = √s + ε,  or centered:  ḡ ← α·ḡ + (1 − α)·g (grad_avg),  a = √(s − ḡ²) + ε
 *     momentum > 0:  buf ← momentum·buf + g / a;  p ← p − lr·buf
 *     otherwise:     p ← p − lr·g / a
 *
 * Defaults lr = 1e-2, alpha = 0.99, eps = 1e-8. State: step, square_avg, momentum_buffer (momentum > 0),
 * grad_avg (centered).
 */
export class RMSprop extends Optimizer<RMSpropHyper> {
  protected override readonly bufferNames = ['square_avg', 'momentum_buffer', 'grad_avg'];

  constructor(params: OptimizerParams, ...args: [options?: RMSpropOptions] | TorchHyperArgs) {
    super('RMSprop', params, torchHyper('RMSprop', args, ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered']), {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    });
  }

  protected override checkHyper(h: RMSpropHyper): void {
    const err = (m: string) => this.error(m);
    checkNumber(err, 'alpha', h.alpha, 0, { max: 1 });
    checkNumber(err, 'eps', h.eps, 0);
    checkNumber(err, 'weightDecay', h.weightDecay, 0);
    checkNumber(err, 'momentum', h.momentum, 0);
    checkBool(err, 'centered', h.centered);
  }

  protected override buffers(h: RMSpropHyper): Record<string, number> {
    return { square_avg: 0, ...(h.momentum > 0 && { momentum_buffer: 0 }), ...(h.centered && { grad_avg: 0 }) };
  }

  protected override kind(): 'rmsprop' {
    return 'rmsprop';
  }

  protected override update(p: Tensor, g: Tensor, buffers: Record<string, Tensor>, h: RMSpropHyper): void {
    const { square_avg: s, momentum_buffer: buf, grad_avg: ga } = buffers;
    if (h.centered) {
      if (h.momentum > 0) this.run(op('rmspropCenteredMomentumUpdate'), [p, g, s, buf, ga], [0, 2, 3, 4]);
      else this.run(op('rmspropCenteredUpdate'), [p, g, s, ga], [0, 2, 3]);
    } else if (h.momentum > 0) this.run(op('rmspropMomentumUpdate'), [p, g, s, buf], [0, 2, 3]);
    else this.run(op('rmspropUpdate'), [p, g, s], [0, 2]);
  }
}
