/**
 * wg.nn: modules with PyTorch's names, conventions (NCHW, Linear.weight [out, in]), default
 * initialisations and state-dict keys.
 *
 *   const model = new wg.nn.Sequential(new wg.nn.Linear(784, 128), new wg.nn.ReLU(), new wg.nn.Linear(128, 10));
 *   const logits = model.forward(x);
 *   model.stateDict();   // { '0.weight', '0.bias', '2.weight', '2.bias' }
 */
export { Module, type StateDict, type LoadStateDictOptions, type LoadStateDictResult } from './module.js';
export { Linear, Conv2d, Embedding, type Conv2dModuleOptions } from './layers.js';
export {
  ReLU,
  LeakyReLU,
  Tanh,
  Sigmoid,
  GELU,
  SiLU,
  Softmax,
  LogSoftmax,
  Identity,
  Unflatten,
  MaxPool2d,
  AvgPool2d,
  Flatten,
  Dropout,
  type PoolModuleOptions,
} from './simple.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormOptions } from './norm.js';
export { RNN, GRU, LSTM, type RecurrentOptions, type RNNOptions } from './recurrent.js';
export { Sequential, ModuleList, ModuleDict } from './container.js';
export * as init from './initializers.js';
