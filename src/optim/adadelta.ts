/** Adadelta (torch.optim.Adadelta): the optimizer of PyTorch's MNIST example. */
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import { checkNumber, Optimizer, type Hyper, type MaximizeOption, type OptimizerParams, torchHyper, type TorchHyperArgs } from './optimizer.js';

export interface AdadeltaOptions extends MaximizeOption {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
}
export interface AdadeltaHyper extends Hyper {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
}

/**
 * Adadelta, PyTorch's formulation (Zeiler 2012, with a learning rate scaling the step):
 *
 *     g ← g + weightDecay·p
 *     s ← ρ·s + (1 − ρ)·g²                       (square_avg)
 *     δ = √(a + ε) / √(s + ε) · g                (the step, in the units of p)
 *     a ← ρ·a + (1 − ρ)·δ²                       (acc_delta)
 *     p ← p − lr·δ
 *
 * Defaults lr = 1, rho = 0.9, eps = 1e-6, weightDecay = 0. State: step, square_avg, acc_delta.
 */
export class Adadelta extends Optimizer<AdadeltaHyper> {
  protected override readonly bufferNames = ['square_avg', 'acc_delta'];

  constructor(params: OptimizerParams, ...args: [options?: AdadeltaOptions] | TorchHyperArgs) {
    super('Adadelta', params, torchHyper('Adadelta', args, ['lr', 'rho', 'eps', 'weightDecay']), {
      lr: 1,
      rho: 0.9,
      eps: 1e-6,
      weightDecay: 0,
      maximize: false,
    });
  }

  protected override checkHyper(h: AdadeltaHyper): void {
    const err = (m: string) => this.error(m);
    checkNumber(err, 'rho', h.rho, 0, { max: 1 });
    checkNumber(err, 'eps', h.eps, 0);
    checkNumber(err, 'weightDecay', h.weightDecay, 0);
  }

  protected override buffers(): Record<string, number> {
    return { square_avg: 0, acc_delta: 0 };
  }

  protected override kind(): 'adadelta' {
    return 'adadelta';
  }

  protected override update(p: Tensor, g: Tensor, buffers: Record<string, Tensor>): void {
    this.run(op('adadeltaUpdate'), [p, g, buffers.square_avg, buffers.acc_delta], [0, 2, 3]);
  }
}
