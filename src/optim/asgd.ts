/** ASGD (torch.optim.ASGD): averaged stochastic gradient descent. */
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import { checkNumber, Optimizer, type Hyper, type MaximizeOption, type OptimizerParams, torchHyper, type TorchHyperArgs } from './optimizer.js';

export interface ASGDOptions extends MaximizeOption {
  lr?: number;
  /** The decay term λ (default 1e-4). */
  lambd?: number;
  /** The power α of the eta schedule (default 0.75). */
  alpha?: number;
  /** The step after which averaging starts (default 1e6). */
  t0?: number;
  weightDecay?: number;
}
export interface ASGDHyper extends Hyper {
  lr: number;
  lambd: number;
  alpha: number;
  t0: number;
  weightDecay: number;
}

/**
 * ASGD, PyTorch 1.13's formulation (step t = 1, 2, …; η and μ per parameter, starting at lr and 1):
 *
 *     g ← g + weightDecay·p
 *     p ← p·(1 − λ·η);  p ← p − η·g
 *     ax ← μ ≠ 1 ? ax + (p − ax)·μ : p          (the average; μ < 1 once t > t0 + 1)
 *     η ← lr / (1 + λ·lr·t)^α;  μ ← 1 / max(1, t − t0)
 *
 * η and μ are float32 as PyTorch's 0-d tensors and live in memory beside the step count, so a
 * compiled step advances them without JavaScript. The optimized parameter is p; ax holds its
 * average (copy it into the model to evaluate the averaged weights). Defaults lr = 1e-2,
 * lambd = 1e-4, alpha = 0.75, t0 = 1e6, weightDecay = 0. State: step, eta, mu, ax.
 */
export class ASGD extends Optimizer<ASGDHyper> {
  protected override readonly bufferNames = ['ax'];
  protected override readonly counterStates = ['eta', 'mu'];

  protected override counterInitial(h: ASGDHyper): number[] {
    return [h.lr, 1]; // PyTorch's torch.tensor(lr) and torch.tensor(1.)
  }

  constructor(params: OptimizerParams, ...args: [options?: ASGDOptions] | TorchHyperArgs) {
    super('ASGD', params, torchHyper('ASGD', args, ['lr', 'lambd', 'alpha', 't0', 'weightDecay']), {
      lr: 1e-2,
      lambd: 1e-4,
      alpha: 0.75,
      t0: 1e6,
      weightDecay: 0,
      maximize: false,
    });
  }

  protected override checkHyper(h: ASGDHyper): void {
    const err = (m: string) => this.error(m);
    checkNumber(err, 'lambd', h.lambd, 0);
    checkNumber(err, 'alpha', h.alpha, 0);
    checkNumber(err, 't0', h.t0, 0);
    checkNumber(err, 'weightDecay', h.weightDecay, 0);
  }

  protected override buffers(): Record<string, number> {
    return { ax: 0 };
  }

  protected override kind(): 'asgd' {
    return 'asgd';
  }

  protected override update(p: Tensor, g: Tensor, buffers: Record<string, Tensor>): void {
    this.run(op('asgdUpdate'), [p, g, buffers.ax], [0, 2]);
  }
}
