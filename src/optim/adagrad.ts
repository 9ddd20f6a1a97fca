/** Adagrad (torch.optim.Adagrad). */
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import { checkNumber, Optimizer, type Hyper, type MaximizeOption, type OptimizerParams, torchHyper, type TorchHyperArgs } from './optimizer.js';

export interface AdagradOptions extends MaximizeOption {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
}
export interface AdagradHyper extends Hyper {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
}

/**
 * Adagrad, PyTorch's formulation (step t = 1, 2, …):
 *
 *     g ← g + weightDecay·p
 *     sum ← sum + g²                  (starts at initialAccumulatorValue)
 *     p ← p − lr / (1 + (t − 1)·lrDecay) · g / (√sum + ε)
 *
 * Defaults lr = 1e-2, eps = 1e-10, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0.
 * State: step, sum, made in the constructor for every parameter (as torch's).
 */
export class Adagrad extends Optimizer<AdagradHyper> {
  protected override readonly bufferNames = ['sum'];

  constructor(params: OptimizerParams, ...args: [options?: AdagradOptions] | TorchHyperArgs) {
    super('Adagrad', params, torchHyper('Adagrad', args, ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps']), {
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    });
    // torch 1.13 makes Adagrad's state here (step 0, sum at initialAccumulatorValue); a group added
    // later gets its state at its first step
    this.makeStates();
  }

  protected override checkHyper(h: AdagradHyper): void {
    const err = (m: string) => this.error(m);
    checkNumber(err, 'lrDecay', h.lrDecay, 0);
    checkNumber(err, 'weightDecay', h.weightDecay, 0);
    checkNumber(err, 'initialAccumulatorValue', h.initialAccumulatorValue, 0);
    checkNumber(err, 'eps', h.eps, 0);
  }

  protected override buffers(h: AdagradHyper): Record<string, number> {
    return { sum: h.initialAccumulatorValue };
  }

  protected override kind(): 'adagrad' {
    return 'adagrad';
  }

  protected override update(p: Tensor, g: Tensor, buffers: Record<string, Tensor>): void {
    this.run(op('adagradUpdate'), [p, g, buffers.sum], [0, 2]);
  }
}
