/** SGD with optional momentum, dampening, Nesterov momentum and L2 weight decay (torch.optim.SGD). */
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import {
  checkBool,
  checkFinite,
  checkNumber,
  Optimizer,
  type Hyper,
  type MaximizeOption,
  type OptimizerParams,
  type ParamGroupInput,
  type Params,
  torchHyper,
  type TorchHyperArgs,
} from './optimizer.js';

export interface SGDOptions extends MaximizeOption {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}
export interface SGDHyper extends Hyper {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

/**
 * Stochastic gradient descent, PyTorch's formulation (per parameter p with gradient g):
 *
 *     d = g + weightDecay·p
 *     if momentum ≠ 0:  buf = d on the first step, then buf = momentum·buf + (1 − dampening)·d
 *                       d = nesterov ? d + momentum·buf : buf
 *     p ← p − lr·d
 *
 * State per parameter: momentum_buffer (only when momentum ≠ 0; torch 1.13 keeps it as None
 * otherwise, which has no place among the state's tensors: the entry is then empty). No `step`, as
 * torch's. Nesterov needs momentum > 0 and dampening 0.
 */
export class SGD extends Optimizer<SGDHyper> {
  protected override readonly bufferNames = ['momentum_buffer'];
  protected override readonly lazyState = true;

  constructor(params: Params, options: SGDOptions);
  /** Groups may give lr themselves (a group without one takes the options'). */
  constructor(params: readonly ParamGroupInput[], options?: Partial<SGDOptions>);
  /** torch's positional form: SGD(params, lr, momentum, dampening, weightDecay, nesterov). */
  constructor(params: OptimizerParams, ...torch: TorchHyperArgs);
  constructor(params: OptimizerParams, ...args: unknown[]) {
    super('SGD', params, torchHyper('SGD', args, ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov']), {
      lr: undefined,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
      maximize: false,
    });
  }

  protected override checkHyper(h: SGDHyper): void {
    const err = (m: string) => this.error(m);
    checkNumber(err, 'momentum', h.momentum, 0);
    checkFinite(err, 'dampening', h.dampening);
    checkBool(err, 'nesterov', h.nesterov);
    checkNumber(err, 'weightDecay', h.weightDecay, 0);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0))
      throw err(`nesterov momentum needs momentum > 0 and dampening 0, got momentum ${h.momentum} and dampening ${h.dampening}`);
  }

  protected override buffers(h: SGDHyper): Record<string, number> {
    return h.momentum !== 0 ? { momentum_buffer: 0 } : {};
  }

  protected override kind(h: SGDHyper): 'sgd' | 'sgdMomentum' {
    return h.momentum === 0 ? 'sgd' : 'sgdMomentum';
  }

  protected override update(p: Tensor, g: Tensor, buffers: Record<string, Tensor>, h: SGDHyper): void {
    if (h.momentum === 0) this.run(op('sgdUpdate'), [p, g], [0]);
    else this.run(op('sgdMomentumUpdate'), [p, g, buffers.momentum_buffer], [0, 2]);
  }
}
