/** Rprop (torch.optim.Rprop): resilient backpropagation, a per-element step size driven by the gradient's sign. */
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import { fmtValue } from '../errors.js';
import { checkNumber, checkPair, Optimizer, type Hyper, type MaximizeOption, type OptimizerParams, torchHyper, type TorchHyperArgs } from './optimizer.js';

export interface RpropOptions extends MaximizeOption {
  /** The initial step size of every element (default 1e-2); later changes do not reach existing state, as PyTorch's. */
  lr?: number;
  /** [etaminus, etaplus]: the step size's factors after a sign flip and a sign agreement (default [0.5, 1.2]). */
  etas?: readonly [number, number];
  /** [min, max]: the bounds of the step sizes (default [1e-6, 50]). */
  stepSizes?: readonly [number, number];
}
export interface RpropHyper extends Hyper {
  lr: number;
  etas: readonly [number, number];
  stepSizes: readonly [number, number];
}

/**
 * Rprop, PyTorch 1.13's formulation (per element, with the previous step's gradient `prev`):
 *
 *     g·prev > 0:  step_size ← min(step_size·etaplus, max)
 *     g·prev < 0:  step_size ← max(step_size·etaminus, min),  g ← 0   (no move; prev becomes 0)
 *     otherwise:   step_size unchanged
 *     p ← p − sign(g)·step_size;  prev ← g
 *
 * The gradient is zeroed on a copy: `p.grad` is left as it was (torch 1.13 clones it too).
 * step_size starts at lr. Defaults lr = 1e-2, etas = [0.5, 1.2], stepSizes = [1e-6, 50]. State:
 * step, prev, step_size.
 */
export class Rprop extends Optimizer<RpropHyper> {
  protected override readonly bufferNames = ['prev', 'step_size'];

  constructor(params: OptimizerParams, ...args: [options?: RpropOptions] | TorchHyperArgs) {
    super('Rprop', params, torchHyper('Rprop', args, ['lr', 'etas', 'stepSizes']), { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false });
  }

  protected override checkHyper(h: RpropHyper): void {
    const err = (m: string) => this.error(m);
    checkPair(err, 'etas', h.etas, '[etaminus, etaplus]');
    const [minus, plus] = h.etas;
    if (!(Number.isFinite(minus) && Number.isFinite(plus) && 0 < minus && minus < 1 && 1 < plus))
      throw err(`Invalid eta values: ${fmtValue(minus)}, ${fmtValue(plus)} (etas must be [etaminus, etaplus] with 0 < etaminus < 1 < etaplus)`);
    checkPair(err, 'stepSizes', h.stepSizes, '[min, max]');
    checkNumber(err, 'stepSizes[0]', h.stepSizes[0], 0);
    checkNumber(err, 'stepSizes[1]', h.stepSizes[1], h.stepSizes[0]);
  }

  protected override buffers(h: RpropHyper): Record<string, number> {
    return { prev: 0, step_size: h.lr };
  }

  protected override kind(): 'rprop' {
    return 'rprop';
  }

  protected override update(p: Tensor, g: Tensor, buffers: Record<string, Tensor>): void {
    this.run(op('rpropUpdate'), [p, g, buffers.prev, buffers.step_size], [0, 2, 3]);
  }
}
