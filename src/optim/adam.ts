/** Adam (L2 weight decay added to the gradient) and AdamW (decoupled weight decay): torch.optim.Adam / AdamW. */
import { op } from '../ops/index.js';
import type { Tensor } from '../engine/tensor.js';
import type { WasmgradError } from '../errors.js';
import {
  checkBool,
  checkNumber,
  checkPair,
  Optimizer,
  type Hyper,
  type MaximizeOption,
  type OptimizerParams,
  torchHyper,
  BETAS_ORDER,
  type TorchHyperArgs,
} from './optimizer.js';

/** The options of the Adam family (Adam, AdamW, Adamax, RAdam). */
export interface BetasOptions extends MaximizeOption {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}
export interface BetasHyper extends Hyper {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
}
export interface AdamOptions extends BetasOptions {
  /** AMSGrad: divide by the running maximum of the second moment (default false). */
  amsgrad?: boolean;
}
export interface AdamHyper extends BetasHyper {
  amsgrad: boolean;
}

/** Checks betas: a pair [beta1, beta2] in [0, 1). */
export function checkBetas(err: (m: string) => WasmgradError, betas: unknown): void {
  checkPair(err, 'betas', betas, '[beta1, beta2]');
  const [b1, b2] = betas as readonly unknown[];
  checkNumber(err, 'betas[0]', b1, 0, { below: 1 });
  checkNumber(err, 'betas[1]', b2, 0, { below: 1 });
}

/** Checks the hyperparameters the Adam family shares: lr, betas in [0, 1), eps, weightDecay. */
export function checkBetasHyper(err: (m: string) => WasmgradError, h: BetasHyper): void {
  checkBetas(err, h.betas);
  checkNumber(err, 'eps', h.eps, 0);
  checkNumber(err, 'weightDecay', h.weightDecay, 0);
}

/**
 * The shared Adam update (per parameter p with gradient g, step t = 1, 2, …):
 *
 *     AdamW: p ← p·(1 − lr·weightDecay)          Adam: g ← g + weightDecay·p
 *     m ← β1·m + (1 − β1)·g                      (first moment, exp_avg)
 *     v ← β2·v + (1 − β2)·g²                     (second moment, exp_avg_sq)
 *     amsgrad: v̂ ← max(v̂, v), and v̂ replaces v below (max_exp_avg_sq)
 *     p ← p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
 *
 * State per parameter: step, exp_avg, exp_avg_sq, max_exp_avg_sq (amsgrad).
 */
abstract class AdamBase extends Optimizer<AdamHyper> {
  protected override readonly bufferNames = ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'];

  protected constructor(
    name: string,
    private readonly decoupled: boolean,
    params: OptimizerParams,
    options: AdamOptions | undefined,
    weightDecay: number,
  ) {
    super(name, params, options, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, maximize: false });
  }

  protected override checkHyper(h: AdamHyper): void {
    const err = (m: string) => this.error(m);
    checkBetasHyper(err, h);
    checkBool(err, 'amsgrad', h.amsgrad);
  }

  protected override buffers(h: AdamHyper): Record<string, number> {
    return h.amsgrad ? { exp_avg: 0, exp_avg_sq: 0, max_exp_avg_sq: 0 } : { exp_avg: 0, exp_avg_sq: 0 };
  }

  protected override kind(): 'adam' | 'adamw' {
    return this.decoupled ? 'adamw' : 'adam';
  }

  protected override update(p: Tensor, g: Tensor, buffers: Record<string, Tensor>, h: AdamHyper): void {
    const { exp_avg: m, exp_avg_sq: v, max_exp_avg_sq: vmax } = buffers;
    if (h.amsgrad) this.run(op('adamAmsgradUpdate'), [p, g, m, v, vmax], [0, 2, 3, 4]);
    else this.run(op('adamUpdate'), [p, g, m, v], [0, 2, 3]);
  }
}

/** torch's positional order of Adam's and AdamW's hyperparameters. */
const ADAM_ORDER = [...BETAS_ORDER, 'amsgrad'];

/** Adam: lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 (L2: added to the gradient), amsgrad = false. */
export class Adam extends AdamBase {
  constructor(params: OptimizerParams, ...args: [options?: AdamOptions] | TorchHyperArgs) {
    super('Adam', false, params, torchHyper('Adam', args, ADAM_ORDER), 0);
  }
}

/** AdamW: Adam with decoupled weight decay p ← p·(1 − lr·weightDecay); weightDecay defaults to 1e-2. */
export class AdamW extends AdamBase {
  constructor(params: OptimizerParams, ...args: [options?: AdamOptions] | TorchHyperArgs) {
    super('AdamW', true, params, torchHyper('AdamW', args, ADAM_ORDER), 1e-2);
  }
}
