/** wg.optim: optimizers (update math in WASM kernels), gradient clipping and learning-rate schedules. */
export {
  Optimizer,
  OptimizerState,
  type Params,
  type OptimizerParams,
  type ParamGroup,
  type ParamGroupInput,
  type Hyper,
  type MaximizeOption,
  type OptimizerStateDict,
  type TorchOptimizerStateDict,
  type ParamStateDict,
} from './optimizer.js';
export { SGD, type SGDOptions, type SGDHyper } from './sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamHyper } from './adam.js';
export { RMSprop, type RMSpropOptions, type RMSpropHyper } from './rmsprop.js';
export { Adagrad, type AdagradOptions, type AdagradHyper } from './adagrad.js';
export { Adamax, type AdamaxOptions, type AdamaxHyper } from './adamax.js';
export { RAdam, type RAdamOptions, type RAdamHyper } from './radam.js';
export { Adadelta, type AdadeltaOptions, type AdadeltaHyper } from './adadelta.js';
export { NAdam, type NAdamOptions, type NAdamHyper } from './nadam.js';
export { Rprop, type RpropOptions, type RpropHyper } from './rprop.js';
export { ASGD, type ASGDOptions, type ASGDHyper } from './asgd.js';
export { SparseAdam, type SparseAdamOptions, type SparseAdamHyper } from './sparse-adam.js';
export { LBFGS, type LBFGSOptions, type LBFGSStateDict, type LBFGSParamState } from './lbfgs.js';
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from './clip.js';
export * as lr from './lr.js';
/** PyTorch's path for the schedules (torch.optim.lr_scheduler): the same namespace as wg.optim.lr. */
export * as lrScheduler from './lr.js';
/** torch.optim.swa_utils: AveragedModel, SWALR and updateBn (Stochastic Weight Averaging). */
export * as swaUtils from './swa-utils.js';
