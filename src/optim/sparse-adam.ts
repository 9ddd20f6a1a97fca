/** SparseAdam (torch.optim.SparseAdam): the lazy Adam of embeddings, on the rows the gradient touches. */
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import { checkBetas } from './adam.js';
import { checkNumber, Optimizer, type Hyper, type MaximizeOption, type OptimizerParams, torchHyper, type TorchHyperArgs } from './optimizer.js';

export interface SparseAdamOptions extends MaximizeOption {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
}
export interface SparseAdamHyper extends Hyper {
  lr: number;
  betas: readonly [number, number];
  eps: number;
}

/**
 * SparseAdam, PyTorch 1.13's formulation (step t = 1, 2, …, counted per parameter at each step it
 * has a gradient), on the rows (slices along dim 0) whose gradient has a nonzero element; the
 * other rows, their moments included, are left alone:
 *
 *     m ← m + (g − m)·(1 − β1);  v ← v + (g² − v)·(1 − β2)
 *     p ← p − lr·√(1 − β2^t)/(1 − β1^t) · m / (√v + ε)
 *
 * PyTorch takes only sparse gradients and updates the entries they hold; wasmgrad's gradients are
 * dense (an Embedding's, `sparse: true` or not, holds the values PyTorch's sparse one densifies
 * to), so the rows with a nonzero gradient stand for them. The same rows, except a looked-up row
 * whose gradient is exactly zero everywhere, which PyTorch updates (decaying its moments) and
 * wasmgrad leaves alone. Defaults lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8 (lr and eps > 0, as
 * PyTorch). State: step, exp_avg, exp_avg_sq.
 */
export class SparseAdam extends Optimizer<SparseAdamHyper> {
  protected override readonly bufferNames = ['exp_avg', 'exp_avg_sq'];

  constructor(params: OptimizerParams, ...args: [options?: SparseAdamOptions] | TorchHyperArgs) {
    super('SparseAdam', params, torchHyper('SparseAdam', args, ['lr', 'betas', 'eps']), { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, maximize: false });
  }

  protected override get positiveLr(): boolean {
    return true;
  }

  protected override checkHyper(h: SparseAdamHyper): void {
    const err = (m: string) => this.error(m);
    checkBetas(err, h.betas);
    checkNumber(err, 'eps', h.eps, 0, { above: true });
  }

  protected override buffers(): Record<string, number> {
    return { exp_avg: 0, exp_avg_sq: 0 };
  }

  protected override kind(): 'sparseAdam' {
    return 'sparseAdam';
  }

  protected override update(p: Tensor, g: Tensor, buffers: Record<string, Tensor>): void {
    this.run(op('sparseAdamUpdate'), [p, g, buffers.exp_avg, buffers.exp_avg_sq], [0, 2, 3]);
  }
}
